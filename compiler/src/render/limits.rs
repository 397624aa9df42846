//! The build view's own limits. The analysis keeps repeated rows and racks aggregated, so `check`
//! accepts factories of millions of racks; the build view and its targets write one resource per
//! rack, per device and per workload in each site. These limits are checked on the model before the
//! view is built, so every build stays within a known memory budget (see docs/terraform.md).

use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;
use crate::model::{Factory, RackContents};

/// Most racks one build writes (each becomes a NetBox rack and its devices, cables and circuits).
pub const MAX_BUILD_RACKS: u64 = 50_000;
/// Most devices (servers, compute trays) one build writes.
pub const MAX_BUILD_DEVICES: u64 = 200_000;
/// Most (site, workload) pairs one build writes: each workload is rendered once per site.
pub const MAX_BUILD_SITE_WORKLOADS: u64 = 20_000;

/// What a build of this factory would expand to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildSize {
    pub racks: u64,
    pub devices: u64,
    pub site_workloads: u64,
}

/// Counts what the build view would expand, without expanding it.
pub fn build_size(factory: &Factory) -> BuildSize {
    let mut size = BuildSize::default();
    for site in &factory.sites {
        for hall in &site.halls {
            for row in &hall.rows {
                let (racks, devices) = row_size(row);
                size.racks = size.racks.saturating_add(racks);
                size.devices = size.devices.saturating_add(devices);
            }
        }
    }
    size.site_workloads = (factory.sites.len() as u64).saturating_mul(factory.workloads.len() as u64);
    size
}

/// Racks and devices of one row group, all its rows together.
fn row_size(row: &crate::model::RowGroup) -> (u64, u64) {
    let mut racks = 0u64;
    let mut devices = 0u64;
    for group in &row.racks {
        racks = racks.saturating_add(group.per_row);
        let per_rack = match &group.contents {
            RackContents::RackScale(system) => system.hosts(),
            RackContents::Enclosure { systems, .. } => systems.iter().fold(0u64, |n, g| n.saturating_add(g.count)),
        };
        devices = devices.saturating_add(group.per_row.saturating_mul(per_rack));
    }
    (racks.saturating_mul(row.count), devices.saturating_mul(row.count))
}

/// Reports an E1006 for each build limit the factory exceeds.
pub fn check(factory: &Factory, diags: &mut Diagnostics) {
    let size = build_size(factory);
    let largest_row = factory.sites.iter().flat_map(|s| &s.halls).flat_map(|h| &h.rows).max_by_key(|row| row_size(row));
    let help = "`check` and `plan` keep repeated racks aggregated and accept this factory; \
                to build it, split it into several blueprints (one per site or hall) and build each";
    for (what, count, limit) in [("racks", size.racks, MAX_BUILD_RACKS), ("devices", size.devices, MAX_BUILD_DEVICES)] {
        if count <= limit {
            continue;
        }
        let mut d = Diagnostic::new(
            codes::E1006,
            format!(
                "the build would write {} {what}; a build writes at most {}",
                group_thousands(count as f64),
                group_thousands(limit as f64)
            ),
        )
        .help(help);
        if let Some(row) = largest_row {
            let (racks, devices) = row_size(row);
            let n = if what == "racks" { racks } else { devices };
            d = d.label(row.span, format!("the largest row group: {} {what}", group_thousands(n as f64)));
        }
        diags.push(d);
    }
    if size.site_workloads > MAX_BUILD_SITE_WORKLOADS {
        diags.push(
            Diagnostic::new(
                codes::E1006,
                format!(
                    "the build would render {} workloads in {} sites ({} site workloads); a build renders at most {}",
                    group_thousands(factory.workloads.len() as f64),
                    group_thousands(factory.sites.len() as f64),
                    group_thousands(size.site_workloads as f64),
                    group_thousands(MAX_BUILD_SITE_WORKLOADS as f64)
                ),
            )
            .label(factory.name.span, "this factory")
            .help(help),
        );
    }
}
