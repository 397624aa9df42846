//! E0706: the CUDA version is at least the first one that knows each GPU architecture of the site
//! (Blackwell needs CUDA 12.8, Blackwell Ultra 12.9).

use super::site_gpus;
use super::CheckCtx;
use crate::catalog::version_cmp;
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let Some(cuda) = &site.software.cuda else { continue };
        for super::SiteGpu { gpu, span, .. } in site_gpus(site, cx.catalog) {
            let Some(min) = &gpu.min_cuda else { continue };
            if version_cmp(&cuda.version.value, min) == Ordering::Less {
                diags.push(
                    Diagnostic::new(
                        codes::E0706,
                        format!(
                            "CUDA {} predates {} GPUs ({}); they need CUDA {min} or newer",
                            cuda.version.value,
                            gpu.architecture.as_str(),
                            gpu.id
                        ),
                    )
                    .label(cuda.version.span, format!("older than {min}"))
                    .label(span, format!("{} here", gpu.id))
                    .help(format!("use CUDA {min} or newer")),
                );
            }
        }
    }
}
