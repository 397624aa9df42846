//! W0705: the GPU Operator installs the driver image tagged with the full driver version
//! (`nvcr.io/nvidia/driver:580.95.05-<os>`), so a blueprint's prefix (`580.95`) is completed to the
//! newest build of it the catalog knows. A prefix with no known build is emitted as written, which
//! no driver image is tagged with: the warning names what the ClusterPolicy will carry. A branch the
//! catalog does not know at all is W0701's.
//! Source: GPU Operator documentation ("driver.version" in the ClusterPolicy, the driver container's
//! tags on NGC); the builds and their sources are in `stdlib/software/nvidia-driver.kdl`.

use super::{site_gpus, CheckCtx};
use crate::catalog::Vendor;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let Some(driver) = &site.software.driver else { continue };
        // A branch the catalog does not know is W0701's: its builds are unknown too.
        let Some(release) = driver.release else { continue };
        // Only NVIDIA sites render a ClusterPolicy; E0704 reports a driver on an AMD site.
        if !site_gpus(site, cx.catalog).iter().any(|g| g.gpu.vendor == Vendor::Nvidia) {
            continue;
        }
        if driver.is_full() || driver.emitted() != driver.version.value {
            continue;
        }
        let known: Vec<&str> = release.builds.iter().map(String::as_str).collect();
        let help = if known.is_empty() {
            "write the full version (three parts, such as 580.95.05), or add the branch's builds to `stdlib/software/nvidia-driver.kdl`".to_string()
        } else {
            format!(
                "write the full version, or one of the catalog's builds of this branch: {}; add a newer build to `stdlib/software/nvidia-driver.kdl` with its source",
                known.join(", ")
            )
        };
        diags.push(
            Diagnostic::new(
                codes::W0705,
                format!(
                    "driver {} is not a full version and the catalog knows no build of it, so the ClusterPolicy will carry `{}`, which no driver image is tagged with",
                    driver.version.value,
                    driver.emitted()
                ),
            )
            .label(driver.version.span, format!("emitted as `{}`", driver.emitted()))
            .help(help),
        );
    }
}
