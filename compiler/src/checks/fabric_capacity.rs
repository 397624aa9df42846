//! E0602: a fabric's endpoints must fit its topology. A folded Clos of radix-k switches at r:1
//! oversubscription holds k endpoints in one tier, k·d in two and d·(k/2)·k in three (d leaf
//! downlinks); `tiers=` below what the endpoints need, or more than three tiers, is an error.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;
use crate::project::network;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (f, plan) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics) {
        let Some(k) = plan.radix else { continue };
        let largest = plan.sites.iter().map(|s| s.endpoints).max().unwrap_or(0);
        if largest == 0 {
            continue;
        }
        let switch_id = plan.switch_id.clone().unwrap_or_default();
        match (f.tiers.as_ref(), plan.tiers_needed) {
            (Some(t), Some(needed)) if t.value < needed => {
                let cap = network::capacity(k, f.oversubscription, t.value);
                diags.push(
                    Diagnostic::new(
                        codes::E0602,
                        format!(
                            "fabric \"{}\" has {} endpoints at {}; {} tier{} of `{}` ({} ports each at that speed, {}:1) hold {}",
                            f.name.value,
                            group_thousands(largest as f64),
                            plan.endpoint_speed,
                            t.value,
                            if t.value == 1 { "" } else { "s" },
                            switch_id,
                            k,
                            crate::format::trim(f.oversubscription),
                            group_thousands(cap as f64)
                        ),
                    )
                    .label(t.span, format!("{} tiers hold {}", t.value, group_thousands(cap as f64)))
                    .help(format!("use `tiers={needed}` (or leave `tiers` out to let Millwright choose)")),
                );
            }
            (_, None) => {
                let cap = network::capacity(k, f.oversubscription, 3);
                diags.push(
                    Diagnostic::new(
                        codes::E0602,
                        format!(
                            "fabric \"{}\" has {} endpoints; even three tiers of `{}` ({} ports at {}) hold only {}",
                            f.name.value,
                            group_thousands(largest as f64),
                            switch_id,
                            k,
                            plan.endpoint_speed,
                            group_thousands(cap as f64)
                        ),
                    )
                    .label(f.name.span, "too many endpoints for this switch")
                    .help("use a higher-radix switch, split the endpoints into several fabrics, or oversubscribe the leaves"),
                );
            }
            _ => {}
        }
    }
}
