//! E0703, W0703: a replica that spans the trays of a rack-scale NVLink system (multi-node NVLink)
//! runs through DRA ComputeDomains, which need Kubernetes 1.32 or newer; on 1.32 and 1.33 DRA is a
//! beta that is off by default (a feature gate and the `resource.k8s.io` API must be enabled).

use super::CheckCtx;
use crate::catalog::{version_cmp, DraState, Form};
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Some(system) = w.system else { continue };
        let replica = u64::from(p.replica_gpus());
        if system.form != Form::RackScale || replica <= system.host_gpus {
            continue;
        }
        for site in cx.factory.sites.iter().filter(|s| s.holds(system)) {
            let Some(k8s) = &site.software.kubernetes else { continue };
            let version = &k8s.version.value;
            if version_cmp(version, "1.32") == Ordering::Less {
                diags.push(
                    Diagnostic::new(
                        codes::E0703,
                        format!(
                            "workload \"{}\" runs replicas of {replica} GPUs across {}-GPU trays over NVLink, which needs DRA ComputeDomains (Kubernetes 1.32 or newer); site {} runs Kubernetes {version}",
                            w.name.value, system.host_gpus, site.name.value
                        ),
                    )
                    .label(k8s.version.span, "no DRA")
                    .label(w.span, format!("{replica} GPUs per replica"))
                    .help("upgrade Kubernetes to 1.34 or newer (DRA on by default), or 1.32/1.33 with DRA enabled"),
                );
            } else if k8s.release.and_then(|r| r.dra) == Some(DraState::Beta) {
                diags.push(
                    Diagnostic::new(
                        codes::W0703,
                        format!(
                            "workload \"{}\" spans NVLink trays ({replica} GPUs per replica) through DRA, which Kubernetes {version} ships as a beta that is off by default",
                            w.name.value
                        ),
                    )
                    .label(k8s.version.span, "DRA beta, off by default")
                    .help("enable the DynamicResourceAllocation feature gate and the resource.k8s.io API on every control-plane component, or use Kubernetes 1.34 or newer"),
                );
            }
        }
    }
}
