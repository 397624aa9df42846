//! E0701: the NVIDIA driver supports every GPU of the site: its branch lists the architecture, and
//! the version is at least the first one of the branch that supports it (HGX B200 needs
//! 570.133.20 or newer; R535 knows no Blackwell). Versions compare by their given prefix.

use super::CheckCtx;
use super::{architectures, site_gpus};
use crate::catalog::{version_cmp, Vendor};
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let Some(driver) = &site.software.driver else { continue };
        let Some(release) = driver.release else { continue };
        let gpus = site_gpus(site, cx.catalog);
        for (arch, rack_span) in architectures(&gpus) {
            if arch.vendor() != Vendor::Nvidia {
                continue;
            }
            // The newest branch that supports the architecture, and its first version that does.
            let newest = driver.product.and_then(|p| {
                p.releases.iter().rev().find_map(|r| r.min_for(arch).map(|m| (r.version.value.clone(), m.to_string())))
            });
            match release.min_for(arch) {
                None => diags.push(
                    Diagnostic::new(
                        codes::E0701,
                        format!("driver branch {} does not support {} GPUs", release.version.value, arch.as_str()),
                    )
                    .label(driver.version.span, format!("R{} driver", release.version.value))
                    .label(rack_span, format!("{} GPUs here", arch.as_str()))
                    .help(match newest {
                        Some((b, min)) => format!("use driver {min} or newer (branch {b}) for {}", arch.as_str()),
                        None => format!("use a driver branch that supports {}", arch.as_str()),
                    }),
                ),
                Some(min) if version_cmp(&driver.version.value, min) == Ordering::Less => diags.push(
                    Diagnostic::new(
                        codes::E0701,
                        format!(
                            "driver {} is older than {}, the first of its branch that supports {} GPUs",
                            driver.version.value,
                            min,
                            arch.as_str()
                        ),
                    )
                    .label(driver.version.span, format!("older than {min}"))
                    .label(rack_span, format!("{} GPUs here", arch.as_str()))
                    .help(format!("use driver {min} or newer")),
                ),
                Some(_) => {}
            }
        }
    }
}
