//! E0707: each serving engine release runs on the site's GPU vendor and supports every model the
//! factory serves (the engine's release facts in the catalog).

use super::site_gpus;
use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let gpus = site_gpus(site, cx.catalog);
        for sv in &site.software.serving {
            let Some(release) = sv.version.release else { continue };
            let vendors = &release.vendors;
            for super::SiteGpu { gpu, span, .. } in &gpus {
                if !vendors.is_empty() && !vendors.contains(&gpu.vendor) {
                    diags.push(
                        Diagnostic::new(
                            codes::E0707,
                            format!(
                                "{} {} does not run on {} GPUs",
                                sv.engine.value,
                                sv.version.version.value,
                                gpu.vendor.as_str()
                            ),
                        )
                        .label(
                            sv.engine.span,
                            format!("runs on {}", vendors.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")),
                        )
                        .label(*span, format!("{} here", gpu.id))
                        .help("choose an engine that runs on these GPUs (vLLM and SGLang run on AMD)"),
                    );
                    break;
                }
            }
            if release.models.is_empty() {
                continue;
            }
            for w in &cx.factory.workloads {
                if !release.models.contains(&w.model_id) {
                    let first = sv
                        .version
                        .product
                        .and_then(|p| p.releases.iter().find(|r| r.models.contains(&w.model_id)))
                        .map(|r| r.version.value.clone());
                    diags.push(
                        Diagnostic::new(
                            codes::E0707,
                            format!(
                                "{} {} does not support model {}",
                                sv.engine.value, sv.version.version.value, w.model.id
                            ),
                        )
                        .label(sv.version.version.span, "no support for this model")
                        .label(w.model_span, "served here")
                        .help(match first {
                            Some(v) => format!("use {} {v} or newer", sv.engine.value),
                            None => "use another engine".to_string(),
                        }),
                    );
                }
            }
        }
    }
}
