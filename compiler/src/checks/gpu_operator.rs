//! E0705, W0704: the GPU operator release supports the site's Kubernetes version (its platform
//! support range), and is not end of life (GPU Operator 24.9 and older are).

use super::CheckCtx;
use crate::catalog::{version_cmp, ReleaseStatus};
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let Some(op) = &site.software.gpu_operator else { continue };
        let Some(release) = op.release else { continue };
        // An unknown Kubernetes version (W0701) is not judged.
        if let Some(k8s) = site.software.kubernetes.as_ref().filter(|k| k.release.is_some()) {
            let k = &k8s.version.value;
            let below = release.kubernetes_min.as_deref().filter(|m| version_cmp(k, m) == Ordering::Less);
            // The maximum is a minor version: 1.34 covers every 1.34.x.
            let above = release.kubernetes_max.as_deref().filter(|m| {
                let kp = crate::catalog::version_parts(k);
                let mp = crate::catalog::version_parts(m);
                kp.get(..mp.len().min(kp.len())).is_some_and(|head| head > mp.as_slice())
            });
            if let Some(bound) = below.or(above) {
                let range = format!(
                    "{}–{}",
                    release.kubernetes_min.as_deref().unwrap_or("?"),
                    release.kubernetes_max.as_deref().unwrap_or("newer")
                );
                diags.push(
                    Diagnostic::new(
                        codes::E0705,
                        format!(
                            "{} {} supports Kubernetes {range}; the site runs Kubernetes {k}",
                            op.product.map(|p| p.name.as_str()).unwrap_or("the GPU operator"),
                            op.version.value
                        ),
                    )
                    .label(op.version.span, format!("supports {range}"))
                    .label(k8s.version.span, format!("outside {range}"))
                    .help(if below.is_some() {
                        format!("upgrade Kubernetes to {bound} or newer, or use an older operator")
                    } else {
                        // The first catalog release whose range covers this Kubernetes, if any.
                        let fits = op.product.and_then(|p| {
                            p.releases.iter().find(|r| {
                                let kp = crate::catalog::version_parts(k);
                                let lo = r.kubernetes_min.as_deref().is_none_or(|m| version_cmp(k, m) != Ordering::Less);
                                let hi = r.kubernetes_max.as_deref().is_none_or(|m| {
                                    let mp = crate::catalog::version_parts(m);
                                    kp.get(..mp.len().min(kp.len())).is_none_or(|head| head <= mp.as_slice())
                                });
                                lo && hi
                            })
                        });
                        match fits {
                            Some(r) => format!("use operator {} or newer, which supports Kubernetes {k}", r.version.value),
                            None => format!("no operator release in the catalog supports Kubernetes {k} yet; run Kubernetes {bound} or older"),
                        }
                    }),
                );
            }
        }
        if release.status == Some(ReleaseStatus::Eol) {
            let newest = op.product.and_then(|p| {
                p.releases
                    .iter()
                    .filter(|r| r.status == Some(ReleaseStatus::Supported))
                    .map(|r| r.version.value.clone())
                    .next_back()
            });
            diags.push(
                Diagnostic::new(
                    codes::W0704,
                    format!(
                        "{} {} is end of life",
                        op.product.map(|p| p.name.as_str()).unwrap_or("the GPU operator"),
                        op.version.value
                    ),
                )
                .label(op.version.span, "end of life: no fixes")
                .help(match newest {
                    Some(v) => format!("upgrade to {v}"),
                    None => "upgrade to a supported release".to_string(),
                }),
            );
        }
    }
}
