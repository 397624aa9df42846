//! E0702, W0702: the CUDA toolkit's own driver floor (CUDA release notes). Below it but at or
//! above the minor-version-compatibility floor of its major family, applications run with a
//! limited feature set (a warning); below that they do not run (an error).

use super::CheckCtx;
use crate::catalog::version_cmp;
use crate::diag::{codes, Diagnostic, Diagnostics};
use std::cmp::Ordering;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let (Some(cuda), Some(driver)) = (&site.software.cuda, &site.software.driver) else { continue };
        let Some(release) = cuda.release else { continue };
        let Some(min) = release.min_driver.as_deref() else { continue };
        if version_cmp(&driver.version.value, min) != Ordering::Less {
            continue;
        }
        let compat = release.compat_driver.as_deref();
        let within_compat = compat.is_some_and(|c| version_cmp(&driver.version.value, c) != Ordering::Less);
        if within_compat {
            diags.push(
                Diagnostic::new(
                    codes::W0702,
                    format!(
                        "CUDA {} wants driver {} or newer; driver {} runs it only under minor-version compatibility",
                        cuda.version.value, min, driver.version.value
                    ),
                )
                .label(cuda.version.span, format!("needs {min}"))
                .label(driver.version.span, "older driver")
                .help(format!("upgrade the driver to {min} or newer for the full feature set (PTX JIT and some APIs are unavailable under compatibility)")),
            );
        } else {
            diags.push(
                Diagnostic::new(
                    codes::E0702,
                    format!("CUDA {} needs driver {} or newer (at least {} with minor-version compatibility); driver {} is older", cuda.version.value, min, compat.unwrap_or(min), driver.version.value),
                )
                .label(cuda.version.span, format!("needs driver {min}"))
                .label(driver.version.span, "too old")
                .help(format!("upgrade the driver to {min} or newer, or use an older CUDA")),
            );
        }
    }
}
