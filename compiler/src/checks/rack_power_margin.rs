//! W0405: an enclosure rack whose systems at maximum draw come within 5 % of its power rating.
//! Within the rating is not an error (E0401 is for over it), but a design review asks for margin:
//! the rating is the PDUs' continuous limit, and a rack at 96 % of it has no room for a firmware
//! update that raises the draw, a denser system swap or measurement error in the catalog figure.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::decimals;
use crate::model::RackContents;

/// The share of the rating above which the rack has too little margin.
const MARGIN: f64 = 0.95;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            let RackContents::Enclosure { enclosure, .. } = &rack.contents else { continue };
            let rating = enclosure.max_power;
            let draw = rack.power_peak();
            // Over the rating is E0401's; an unrated enclosure is not judged.
            if rating.0 <= 0.0 || draw.0 <= rating.0 * MARGIN || super::exceeds(draw.0, rating.0) {
                continue;
            }
            let share = draw.0 / rating.0 * 100.0;
            diags.push(
                Diagnostic::new(
                    codes::W0405,
                    format!(
                        "each `{}` rack draws up to {draw} (AC input at maximum draw), {} % of enclosure `{}`'s {rating} rating: less than 5 % margin",
                        rack.part_id(),
                        decimals(share, 1),
                        enclosure.id
                    ),
                )
                .label(rack.part_span, format!("{} % of {rating}", decimals(share, 1)))
                .help(format!(
                    "keep racks at or below 95 % of the rating ({}): one system fewer per rack, or an enclosure rated above {}",
                    crate::units::Watts(rating.0 * MARGIN),
                    crate::units::Watts(draw.0 / MARGIN)
                )),
            );
        }
    }
}
