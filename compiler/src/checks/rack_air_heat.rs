//! E0505: the heat a rack rejects to air within its enclosure's air rating (30 kW for an open-aisle
//! rack, more with a contained aisle); a rear door takes the air heat to its loop up to its rating.

use super::CheckCtx;
use crate::catalog::EnclosureCooling;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::RackContents;
use crate::units::Watts;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            let RackContents::Enclosure { enclosure, .. } = &rack.contents else { continue };
            if super::exceeds(rack.power_peak().0, enclosure.max_power.0) {
                // Over its power rating already (E0401): the air rating says the same thing again.
                continue;
            }
            let air = rack.air_heat();
            let rating = match enclosure.cooling {
                EnclosureCooling::Rdhx => enclosure.liquid_heat.unwrap_or(Watts(0.0)) + enclosure.air_heat,
                EnclosureCooling::Air | EnclosureCooling::Dlc => enclosure.air_heat,
            };
            if super::exceeds(air.0, rating.0) {
                diags.push(
                    Diagnostic::new(
                        codes::E0505,
                        format!("each `{}` rack rejects {} to air; the enclosure is rated for {}", enclosure.id, air, rating),
                    )
                    .label(rack.part_span, format!("{air} of air heat per rack"))
                    .help(match enclosure.cooling {
                        EnclosureCooling::Air if enclosure.air_heat.0 < 40e3 => "put fewer servers in each rack, or use an enclosure rated for more (a contained aisle, a rear-door heat exchanger or direct liquid cooling)",
                        EnclosureCooling::Air => "put fewer servers in each rack, or move the heat to liquid (a rear-door heat exchanger or direct liquid cooling)",
                        EnclosureCooling::Rdhx | EnclosureCooling::Dlc => "put fewer servers in each rack, or use liquid-cooled servers so less heat goes to air",
                    }),
                );
            }
        }
    }
}
