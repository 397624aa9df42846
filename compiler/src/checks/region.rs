//! E0901: every site lies in the factory's sovereignty region, when the factory names one.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let Some(region) = &cx.factory.region else { return };
    for site in &cx.factory.sites {
        let Some(site_region) = &site.region else { continue };
        if site_region.value != region.value {
            diags.push(
                Diagnostic::new(
                    codes::E0901,
                    format!(
                        "site {} is in region \"{}\", outside the factory's sovereignty region \"{}\"",
                        site.name.value, site_region.value, region.value
                    ),
                )
                .label(site_region.span, format!("region \"{}\"", site_region.value))
                .label(region.span, "the factory's sovereignty region")
                .help(
                    "a sovereign factory keeps every site in its region: move the site, or remove it from this factory",
                ),
            );
        }
    }
}
