//! W0601: a site with more than one GPU system and no compute fabric can only run each system on
//! its own; say so, since most factories want a compute fabric (E0605 is the error for workloads
//! whose replicas need one).

use super::CheckCtx;
use crate::ast::FabricRole;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (i, site) in cx.factory.sites.iter().enumerate() {
        let systems: u64 = site.gpu_systems().filter(|(s, _)| s.gpu_count > 0).map(|(_, n)| n).sum();
        if systems <= 1 {
            continue;
        }
        let covered = cx.factory.fabrics.iter().any(|f| f.role == FabricRole::Compute && f.site.is_none_or(|s| s == i));
        // A workload that cannot fit one system is E0605's error; the warning would repeat it.
        let spanning = cx.factory.workloads.iter().zip(&cx.plan.workloads).any(|(w, p)| {
            w.system
                .is_some_and(|s| p.memory.fits && u64::from(p.memory.gpus_per_replica) > s.gpu_count && site.holds(s))
        });
        if !covered && !spanning {
            diags.push(
                Diagnostic::new(codes::W0601, format!("site {} has {} GPU systems but no compute fabric joins them", site.name.value, systems))
                    .label(site.name.span, "no compute fabric")
                    .help("add `fabric \"compute\" kind=\"infiniband\" { switch \"quantum-2-qm9700\" }` (or an Ethernet fabric with `role=\"compute\"`)"),
            );
        }
    }
}
