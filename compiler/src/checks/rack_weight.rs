//! E1102: a rack's loaded weight (enclosure + systems + PDUs that state a weight, or a rack-scale
//! system's shipping weight) stays within the static load rating the catalog gives its enclosure
//! (`max-weight`: for the NetShelter SX class 1,361 kg, APC datasheet).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::physical;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let mut racks = physical::Racks::new(cx.catalog);
    for site in &cx.factory.sites {
        for (_, group) in site.rack_groups() {
            let rack = racks.rack(group);
            let Some(max) = rack.max_weight else { continue };
            if !super::exceeds(rack.weight.0, max.0) {
                continue;
            }
            diags.push(
                Diagnostic::new(
                    codes::E1102,
                    format!(
                        "each `{}` rack weighs {} loaded, above its static rating of {}",
                        group.part_id(),
                        rack.weight,
                        max
                    ),
                )
                .label(group.part_span, format!("{} loaded", rack.weight))
                .help("put fewer systems in each rack, or use an enclosure rated for the load"),
            );
        }
    }
}
