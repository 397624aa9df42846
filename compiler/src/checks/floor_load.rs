//! E1103: a rack's weight over its footprint (standard gravity, g = 9.80665 m/s²) stays within
//! the floor rating its hall states (`floor-load`). Raised floors are commonly rated around
//! 12 kN/m² (≈ 250 lb/ft²) and slabs higher; the rating is the blueprint's, never assumed.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::physical;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let mut racks = physical::Racks::new(cx.catalog);
    for site in &cx.factory.sites {
        for hall in &site.halls {
            let Some(rating) = &hall.floor_load else { continue };
            for group in hall.rows.iter().flat_map(|r| r.racks.iter()) {
                let rack = racks.rack(group);
                let (Some(load), Some(fp)) = (rack.floor_load(), rack.footprint) else { continue };
                if !super::exceeds(load.0, rating.value.0) {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        codes::E1103,
                        format!(
                            "each `{}` rack puts {} on the floor of hall \"{}\" ({} on {} × {} m), above its rating of {}",
                            group.part_id(),
                            load,
                            hall.name.value,
                            rack.weight,
                            crate::format::trim(fp.width.0),
                            crate::format::trim(fp.depth.0),
                            rating.value
                        ),
                    )
                    .label(group.part_span, format!("{load}"))
                    .label(rating.span, "the floor's rating")
                    .help("spread the load with a plinth or load-spreading frame rated for it, put the racks on a stronger floor (a slab), or lighten them"),
                );
            }
        }
    }
}
