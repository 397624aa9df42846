//! E0711: the versions multi-node NVLink couples, checked as pairs. The NVIDIA DRA driver a site
//! names needs its Kubernetes floor (1.32, with DRA enabled); a replica that spans the trays of a
//! rack-scale NVLink system runs in a ComputeDomain, whose IMEX daemons ship with the GPU driver, so
//! the driver branch must serve ComputeDomains (570.158.01 or newer) and meet the named DRA driver
//! release's own driver floor. Sources: DRA driver README and prerequisites (review notes).

use super::CheckCtx;
use crate::catalog::{version_cmp, Form};
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::source::Span;
use std::cmp::Ordering;
use std::collections::BTreeSet;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    // The top-level software block is every site's: report each pair of versions once.
    let mut seen: BTreeSet<(Span, Span)> = BTreeSet::new();
    for site in &cx.factory.sites {
        let sw = &site.software;
        let dra = sw.dra_driver.as_ref().and_then(|d| d.release.map(|r| (d, r)));
        // DRA driver × Kubernetes; an unknown Kubernetes version (W0701) is not judged.
        if let (Some((d, release)), Some(k8s)) = (dra, sw.kubernetes.as_ref().filter(|k| k.release.is_some())) {
            if let Some(min) = release.kubernetes_min.as_deref() {
                let k = &k8s.version.value;
                if version_cmp(k, min) == Ordering::Less && seen.insert((d.version.span, k8s.version.span)) {
                    diags.push(
                        Diagnostic::new(
                            codes::E0711,
                            format!(
                                "NVIDIA DRA driver {} needs Kubernetes {min} or newer with DRA enabled; site {} runs Kubernetes {k}",
                                d.version.value, site.name.value
                            ),
                        )
                        .label(d.version.span, format!("needs Kubernetes {min}+"))
                        .label(k8s.version.span, format!("older than {min}"))
                        .help(format!("upgrade Kubernetes to {min} or newer (1.34 or newer has DRA on by default)")),
                    );
                }
            }
        }
        // Replicas spanning NVLink trays run in ComputeDomains: the driver's IMEX must serve them.
        let spanning = cx.factory.workloads.iter().zip(&cx.plan.workloads).find_map(|(w, p)| {
            let system = w.system?;
            let replica = u64::from(p.replica_gpus());
            (system.form == Form::RackScale && replica > system.host_gpus && site.holds(system)).then_some((
                w,
                replica,
                system.host_gpus,
            ))
        });
        let Some((w, replica, tray)) = spanning else { continue };
        let Some(driver) = sw.driver.as_ref() else { continue };
        let Some(branch) = driver.release else { continue };
        let v = &driver.version.value;
        // The floor the driver branch itself sets, then the named DRA driver release's.
        let floors = [
            branch.compute_domains.as_deref().map(|m| (m, format!("driver branch {}'s IMEX", branch.version.value))),
            dra.and_then(|(d, r)| {
                r.min_driver.as_deref().map(|m| (m, format!("NVIDIA DRA driver {}", d.version.value)))
            }),
        ];
        let below = floors
            .into_iter()
            .flatten()
            .filter(|(m, _)| version_cmp(v, m) == Ordering::Less)
            .max_by(|a, b| version_cmp(a.0, b.0));
        let newest = driver.product.and_then(|p| {
            p.releases.iter().rev().find_map(|r| r.compute_domains.as_deref().map(|m| (r.version.value.as_str(), m)))
        });
        let fix = match (&below, newest) {
            (Some((m, _)), _) if branch.compute_domains.is_some() => {
                format!("use driver {m} or newer; IMEX ships with the driver, at the driver's version")
            }
            (_, Some((b, m))) => format!("use driver {m} or newer (branch {b}), whose IMEX serves ComputeDomains"),
            (_, None) => "use a driver branch whose IMEX serves ComputeDomains".to_string(),
        };
        let message = match (&below, branch.compute_domains.as_deref()) {
            (_, None) => Some((
                format!(
                    "workload \"{}\" runs replicas of {replica} GPUs across {tray}-GPU trays in a DRA ComputeDomain, and driver branch {} has no IMEX that serves ComputeDomains",
                    w.name.value, branch.version.value
                ),
                "no ComputeDomain support".to_string(),
            )),
            (Some((m, who)), Some(_)) => Some((
                format!(
                    "workload \"{}\" runs replicas of {replica} GPUs across {tray}-GPU trays in a DRA ComputeDomain; {who} needs driver {m} or newer, and site {} runs {v}",
                    w.name.value, site.name.value
                ),
                format!("older than {m}"),
            )),
            (None, Some(_)) => None,
        };
        let Some((message, label)) = message else { continue };
        if !seen.insert((driver.version.span, w.span)) {
            continue;
        }
        let mut d = Diagnostic::new(codes::E0711, message)
            .label(driver.version.span, label)
            .label(w.span, format!("{replica} GPUs per replica"));
        if let Some((dd, _)) = dra {
            d = d.label(dd.version.span, "ComputeDomains from this DRA driver");
        }
        diags.push(d.help(fix));
    }
}
