//! E0604: an InfiniBand fabric, or an Ethernet compute (RDMA) fabric, is a building-scale network:
//! it cannot span sites. Sites are joined by a WAN; each gets its own fabric (`site=`).

use super::CheckCtx;
use crate::ast::{FabricKind, FabricRole};
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (f, plan) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics) {
        if f.site.is_some() {
            continue;
        }
        let rdma = f.kind.value == FabricKind::Infiniband || f.role == FabricRole::Compute;
        let served: Vec<&str> = plan
            .sites
            .iter()
            .filter(|s| s.endpoints > 0)
            .filter_map(|s| cx.factory.sites.get(s.site).map(|x| x.name.value.as_str()))
            .collect();
        if rdma && served.len() > 1 {
            diags.push(
                Diagnostic::new(
                    codes::E0604,
                    format!(
                        "{} fabric \"{}\" would span {} sites ({})",
                        if f.kind.value == FabricKind::Infiniband { "InfiniBand" } else { "RDMA compute" },
                        f.name.value,
                        served.len(),
                        served.join(", ")
                    ),
                )
                .label(f.name.span, "serves every site")
                .help(format!(
                    "give each site its own fabric with `site=`, e.g. `fabric \"{}-{}\" kind=… site=\"{}\"`",
                    f.name.value,
                    served.first().copied().unwrap_or("a"),
                    served.first().copied().unwrap_or("a")
                )),
            );
        }
    }
}
