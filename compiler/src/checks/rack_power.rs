//! E0401: a rack's maximum draw must stay within what feeds it, compared like with like. An
//! enclosure's power rating is an AC rating (its PDUs), so it is held against the systems' AC input
//! at maximum draw. A rack-scale system's power shelves are rated by their DC output, so the AC
//! input is first turned into the DC load the shelves carry (× the shelves' efficiency) and held
//! against the shelves left after their redundancy's failure (one side under N+N, all but one
//! under N+1).

use super::CheckCtx;
use crate::catalog::Form;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::trim;
use crate::model::RackContents;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            let ac = rack.power_peak();
            // The load and its rating first; the words only for the racks that exceed it (a
            // factory written rack by rack has tens of thousands of groups).
            let (load, rating) = match &rack.contents {
                RackContents::Enclosure { enclosure, .. } => (ac, enclosure.max_power),
                RackContents::RackScale(s) if s.form == Form::RackScale => {
                    let Some(shelves) = &s.power_shelves else { continue };
                    (shelves.dc_load(ac), shelves.after_failure())
                }
                RackContents::RackScale(_) => continue,
            };
            if !(super::exceeds(load.0, rating.0) && rating.0 > 0.0) {
                continue;
            }
            let (message, label, help) = match &rack.contents {
                RackContents::Enclosure { enclosure, .. } => (
                    format!(
                        "each `{}` rack draws up to {} (AC input at maximum draw), but enclosure `{}` is rated {}",
                        rack.part_id(),
                        ac,
                        enclosure.id,
                        enclosure.max_power
                    ),
                    format!("{ac} AC per rack at maximum"),
                    format!("put fewer systems in each rack, or use an enclosure rated for {ac} or more"),
                ),
                RackContents::RackScale(s) => {
                    let Some(shelves) = &s.power_shelves else { continue };
                    (
                        format!(
                            "each `{}` rack puts {} DC on its power shelves at maximum draw ({} AC × efficiency {}), but its {} shelves of {} DC ({}) deliver {} after a failure",
                            rack.part_id(),
                            load,
                            ac,
                            trim(shelves.efficiency),
                            shelves.count,
                            shelves.capacity,
                            shelves.redundancy.as_str(),
                            rating
                        ),
                        format!("{load} DC per rack at maximum"),
                        "this is a catalog inconsistency; check the system's power figures".to_string(),
                    )
                }
            };
            diags.push(Diagnostic::new(codes::E0401, message).label(rack.part_span, label).help(help));
        }
    }
}
