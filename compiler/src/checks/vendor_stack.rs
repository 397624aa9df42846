//! E0704: the software stack matches the GPU vendor: AMD GPUs need `rocm` (a release that supports
//! them) and no `cuda`, NVIDIA driver or NVIDIA DRA driver; NVIDIA GPUs do not run on ROCm.

use super::CheckCtx;
use super::{has_vendor, site_gpus, SiteGpu};
use crate::catalog::Vendor;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let sw = &site.software;
        if sw.span.is_none() {
            continue;
        }
        let gpus = site_gpus(site, cx.catalog);
        let amd = has_vendor(&gpus, Vendor::Amd);
        let nvidia = has_vendor(&gpus, Vendor::Nvidia);
        let amd_span = gpus.iter().find(|g| g.gpu.vendor == Vendor::Amd).map(|g| g.span);
        if amd && !nvidia {
            for (what, v) in [("cuda", &sw.cuda), ("driver", &sw.driver), ("dra-driver", &sw.dra_driver)] {
                if let Some(v) = v {
                    let mut d = Diagnostic::new(
                        codes::E0704,
                        format!("site {} has only AMD GPUs, but names NVIDIA's `{what}`", site.name.value),
                    )
                    .label(v.version.span, "NVIDIA software");
                    if let Some(s) = amd_span {
                        d = d.label(s, "AMD GPUs here");
                    }
                    diags.push(d.help(if sw.rocm.is_some() {
                        format!("remove `{what}`: the site's ROCm is what AMD GPUs use")
                    } else {
                        format!("replace `{what}` with ROCm, e.g. `rocm \"7.0\"`")
                    }));
                }
            }
        }
        if amd {
            match &sw.rocm {
                None => {
                    let mut d = Diagnostic::new(
                        codes::E0704,
                        format!("site {} has AMD GPUs but its software names no `rocm`", site.name.value),
                    );
                    d = d.label(sw.span.unwrap_or(site.name.span), "no ROCm here");
                    if let Some(s) = amd_span {
                        d = d.label(s, "AMD GPUs here");
                    }
                    diags.push(d.help("add `rocm \"7.0\"` (or the ROCm release you run)"));
                }
                Some(rocm) => {
                    let Some(release) = rocm.release else { continue };
                    for SiteGpu { id, gpu, span } in gpus.iter().filter(|g| g.gpu.vendor == Vendor::Amd) {
                        if !release.gpus.contains(id) {
                            let first = rocm
                                .product
                                .and_then(|p| p.releases.iter().find(|r| r.gpus.contains(id)))
                                .map(|r| r.version.value.clone());
                            diags.push(
                                Diagnostic::new(
                                    codes::E0704,
                                    format!("ROCm {} does not support {}", rocm.version.value, gpu.id),
                                )
                                .label(rocm.version.span, "no support for this GPU")
                                .label(*span, format!("{} here", gpu.id))
                                .help(match first {
                                    Some(v) => format!("use ROCm {v} or newer"),
                                    None => "use a ROCm release that supports this GPU".to_string(),
                                }),
                            );
                        }
                    }
                }
            }
        }
        if nvidia && !amd {
            if let Some(rocm) = &sw.rocm {
                diags.push(
                    Diagnostic::new(
                        codes::E0704,
                        format!("site {} has only NVIDIA GPUs, but names `rocm`", site.name.value),
                    )
                    .label(rocm.version.span, "AMD software")
                    .help("remove `rocm`; NVIDIA GPUs use `driver` and `cuda`"),
                );
            }
        }
    }
}
