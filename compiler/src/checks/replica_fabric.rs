//! E0605: a workload whose replicas span systems (more GPUs per replica than one system has)
//! moves activations between systems every layer, so it needs a compute fabric in its site.

use super::CheckCtx;
use crate::ast::FabricRole;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Some(system) = w.system else { continue };
        // The smallest replica that holds the model: if even that spans systems, they must be
        // joined (the planner keeps replicas inside one system when there is no fabric).
        let replica = u64::from(p.memory.gpus_per_replica);
        if replica <= system.gpu_count || !p.memory.fits {
            continue;
        }
        for (i, site) in cx.factory.sites.iter().enumerate() {
            if !site.holds(system) {
                continue;
            }
            let covered =
                cx.factory.fabrics.iter().any(|f| f.role == FabricRole::Compute && f.site.is_none_or(|s| s == i));
            if !covered {
                diags.push(
                    Diagnostic::new(
                        codes::E0605,
                        format!(
                            "workload \"{}\" needs {replica} GPUs per replica, more than one `{}` ({} GPUs), but site {} has no compute fabric",
                            w.name.value, system.id, system.gpu_count, site.name.value
                        ),
                    )
                    .label(w.span, format!("{replica} GPUs per replica"))
                    .label(site.name.span, "no compute fabric")
                    .help("add a compute fabric (`fabric \"compute\" kind=\"infiniband\" { switch \"quantum-2-qm9700\" }`), or use a smaller model or precision so a replica fits one system"),
                );
            }
        }
    }
}
