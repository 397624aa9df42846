//! W0607: a multi-tier fabric instance with a single spine. Every leaf's uplinks land on that one
//! switch, so losing it (a failure, a firmware upgrade) cuts every leaf off from every other: the
//! fabric has no path redundancy at all. Leaf–spine designs in NVIDIA's reference architectures
//! run at least two spines for that reason; Millwright sizes spines for bandwidth, so a small
//! fabric can come out with one, and `min-spines=2` on its `topology` builds the second.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (f, plan) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics) {
        for share in &plan.sites {
            let clos = &share.clos;
            if clos.tiers < 2 || clos.switches.spine != 1 || clos.switches.leaf < 2 {
                continue;
            }
            let Some(site) = cx.factory.sites.get(share.site) else { continue };
            diags.push(
                Diagnostic::new(
                    codes::W0607,
                    format!(
                        "fabric \"{}\" at site {} has {} leaves and a single spine: losing that switch cuts every leaf off from the others",
                        f.name.value,
                        site.name.value,
                        group_thousands(clos.switches.leaf as f64)
                    ),
                )
                .label(f.name.span, "one spine")
                .help("build at least two spines: `topology \"leaf-spine\" min-spines=2` in the fabric (the same uplinks, spread over both)"),
            );
        }
    }
}
