//! E0401: a rack's peak draw must stay within what feeds it: the enclosure's power rating (its PDUs
//! carry the peak, not the average), or for a rack-scale system the usable capacity of its power
//! shelves (half of them under N+N, all but one under N+1).

use super::CheckCtx;
use crate::catalog::Form;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::RackContents;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            let draw = rack.power_peak();
            let (rating, what, help) = match &rack.contents {
                RackContents::Enclosure { enclosure, .. } => (
                    enclosure.max_power,
                    format!("enclosure `{}` is rated {}", enclosure.id, enclosure.max_power),
                    format!("put fewer systems in each rack, or use an enclosure rated for {} or more", draw),
                ),
                RackContents::RackScale(s) if s.form == Form::RackScale => {
                    let Some(shelves) = &s.power_shelves else { continue };
                    let rating = shelves.capacity * shelves.usable() as f64;
                    (
                        rating,
                        format!(
                            "its {} power shelves of {} ({}) supply {}",
                            shelves.count,
                            shelves.capacity,
                            shelves.redundancy.as_str(),
                            rating
                        ),
                        "this is a catalog inconsistency; check the system's power figures".to_string(),
                    )
                }
                RackContents::RackScale(_) => continue,
            };
            if super::exceeds(draw.0, rating.0) && rating.0 > 0.0 {
                diags.push(
                    Diagnostic::new(
                        codes::E0401,
                        format!("each `{}` rack draws up to {} at peak, but {what}", rack.part_id(), draw),
                    )
                    .label(rack.part_span, format!("{} peak per rack", draw))
                    .help(help),
                );
            }
        }
    }
}
