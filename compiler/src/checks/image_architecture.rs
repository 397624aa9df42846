//! E0709: the serving image a site's pods run exists for its hosts' CPU architecture. Grace hosts
//! (GB200, GB300) are aarch64, and a release published only for amd64 fails there with `exec format
//! error`. Which releases are amd64-only is a catalog fact of each image line (`amd64-through=`),
//! with its source in `stdlib/software/<engine>.kdl`: Dynamo's vLLM and SGLang runtimes gained arm64
//! builds in 0.6.1 (ai-dynamo/dynamo `docs/reference/release-artifacts.md`), and vLLM's own images
//! were amd64-only through 0.10.0 (vllm-project/vllm issue #22206).

use super::CheckCtx;
use crate::catalog::version_cmp;
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        // The build serves every workload of a site with its first serving line.
        let Some(sv) = site.software.serving.first() else { continue };
        let Some(product) = sv.version.product else { continue };
        let version = &sv.version.version.value;
        let mut seen = Vec::new();
        for (_, rack) in site.rack_groups() {
            for (system, _) in rack.systems() {
                if system.host_arch != crate::catalog::HostArch::Aarch64 || seen.contains(&system.id) {
                    continue;
                }
                seen.push(system.id.clone());
                let gpu = &cx.catalog[system.gpu];
                let vendor = gpu.vendor.as_str();
                let backend =
                    product.deployment.backend(sv.backend.as_ref().map(|b| b.value), vendor, &sv.engine.value);
                let Some(image) = product.deployment.image_entry(vendor, gpu.architecture.as_str(), &backend) else {
                    continue;
                };
                let Some(last) = image.amd64_through.as_deref() else { continue };
                if version_cmp(version, last) == Ordering::Greater {
                    continue;
                }
                let reference = image.reference.replace("{version}", version);
                diags.push(
                    Diagnostic::new(
                        codes::E0709,
                        format!(
                            "{} {version} publishes `{reference}` for amd64 only, but {} hosts are arm64 (Grace): its pods cannot start there",
                            sv.engine.value, system.id
                        ),
                    )
                    .label(sv.version.version.span, format!("amd64-only through {last}"))
                    .label(rack.part_span, format!("{} hosts are aarch64", system.id))
                    .help(format!(
                        "use a release after {last}, which has arm64 images, or a backend whose image has them"
                    )),
                );
            }
        }
    }
}
