//! E0603: a fabric's switch must run at its endpoints' speed, directly or by breakout (an 800G
//! port split into two 400G ports); a 400G switch cannot serve 800G NICs at full rate. A switch of
//! the wrong kind for its fabric, or a management switch, is E0601's alone: its speed is moot.

use super::CheckCtx;
use crate::ast::FabricKind;
use crate::catalog::Protocol;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (f, plan) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics) {
        let Some((switch, span)) = f.switch else { continue };
        let kind = match f.kind.value {
            FabricKind::Infiniband => Protocol::Infiniband,
            FabricKind::Ethernet => Protocol::Ethernet,
        };
        if plan.endpoints == 0 || plan.radix.is_some() || switch.management || switch.protocol != kind {
            continue;
        }
        diags.push(
            Diagnostic::new(
                codes::E0603,
                format!(
                    "fabric \"{}\" serves {} ports at {}, but switch `{}` runs at most {}",
                    f.name.value,
                    group_thousands(plan.endpoints as f64),
                    plan.endpoint_speed,
                    switch.id,
                    switch.max_speed()
                ),
            )
            .label(span, format!("at most {}", switch.max_speed()))
            .help({
                let fits: Vec<String> = cx
                    .catalog
                    .switches()
                    .filter(|s| {
                        s.protocol == switch.protocol && !s.management && s.radix_at(plan.endpoint_speed).is_some()
                    })
                    .map(|s| format!("`{}`", s.id))
                    .collect();
                if fits.is_empty() {
                    format!(
                        "no {} switch in the catalog runs at {}; add one to `stdlib/switch/`",
                        switch.protocol.display(),
                        plan.endpoint_speed
                    )
                } else {
                    format!(
                        "use an {} switch that runs at {}: {}",
                        switch.protocol.display(),
                        plan.endpoint_speed,
                        fits.join(", ")
                    )
                }
            }),
        );
    }
}
