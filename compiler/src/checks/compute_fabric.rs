//! W0601: a site with more than one GPU system, no compute fabric and no workload can only run each
//! system on its own; say so, since a factory built for unstated work (training, fine-tuning)
//! usually wants one. Where workloads run and every replica fits one NVLink domain, leaving the
//! fabric out is the design W0602 asks for, so this warning stays silent; E0605 is the error for
//! workloads whose replicas need one.

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
        // Workloads placed here say what the site is for: they either need a fabric (E0605) or
        // not (a fabric would be idle, W0602).
        let has_workloads = cx
            .factory
            .workloads
            .iter()
            .any(|w| w.system.is_some_and(|s| site.gpu_systems().any(|(x, _)| x.id == s.id)));
        if !covered && !spanning && !has_workloads {
            diags.push(
                Diagnostic::new(codes::W0601, format!("site {} has {} GPU systems but no compute fabric joins them", site.name.value, systems))
                    .label(site.name.span, "no compute fabric")
                    .help("add `fabric \"compute\" kind=\"infiniband\" { switch \"quantum-2-qm9700\" }` (or an Ethernet fabric with `role=\"compute\"`)"),
            );
        }
    }
}
