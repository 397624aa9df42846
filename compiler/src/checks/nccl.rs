//! E0712: a replica that spans the trays of a rack-scale NVLink system runs its collectives over
//! multi-node NVLink, which NCCL supports only from a given release (GB200: 2.25.2, NVIDIA's GB200
//! NVL Multi-Node Tuning Guide). The NCCL a serving engine runs with is a catalog fact of each
//! engine release (`nccl=`, the version its pinned PyTorch pins); a release without one, or a
//! system without a floor, is not judged.

use super::CheckCtx;
use crate::catalog::{version_cmp, Form};
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::source::Span;
use std::cmp::Ordering;
use std::collections::BTreeSet;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    // The top-level software block is every site's: report each engine and workload once.
    let mut seen: BTreeSet<(Span, Span)> = BTreeSet::new();
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Some(system) = w.system else { continue };
        let replica = u64::from(p.replica_gpus());
        if system.form != Form::RackScale || replica <= system.host_gpus {
            continue;
        }
        let Some(floor) = system.mnnvl_nccl.as_deref() else { continue };
        for site in cx.factory.sites.iter().filter(|s| s.holds(system)) {
            // The build serves every workload of a site with its first serving line.
            let Some(sv) = site.software.serving.first() else { continue };
            let (Some(product), Some(release)) = (sv.version.product, sv.version.release) else { continue };
            let Some(nccl) = release.nccl.as_deref() else { continue };
            if version_cmp(nccl, floor) != Ordering::Less || !seen.insert((sv.version.version.span, w.span)) {
                continue;
            }
            let first = product.releases.iter().find(|r| {
                r.nccl.as_deref().is_some_and(|n| version_cmp(n, floor) != Ordering::Less)
                    && version_cmp(&r.version.value, &release.version.value) == Ordering::Greater
            });
            let help = match first {
                Some(r) => format!(
                    "use {} {} or newer, which runs NCCL {}",
                    product.name,
                    r.version.value,
                    r.nccl.as_deref().unwrap_or_default()
                ),
                None => format!("use a serving engine release whose NCCL is {floor} or newer"),
            };
            diags.push(
                Diagnostic::new(
                    codes::E0712,
                    format!(
                        "workload \"{}\" runs replicas of {replica} GPUs across {}-GPU trays of {} over multi-node NVLink, which needs NCCL {floor} or newer; {} {} runs NCCL {nccl}",
                        w.name.value, system.host_gpus, system.id, product.name, sv.version.version.value
                    ),
                )
                .label(sv.version.version.span, format!("runs NCCL {nccl}"))
                .label(w.span, format!("{replica} GPUs per replica"))
                .help(help),
            );
        }
    }
}
