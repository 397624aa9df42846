//! E0503: a loop's supply-water temperature must lie within the window of every system attached
//! to it (warm enough to stay above the dew point, cool enough for the cold plates) and of its CDUs.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::trim;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        for (i, l) in site.loops.iter().enumerate() {
            let t = l.supply.value.0;
            let mut reported: Vec<String> = Vec::new();
            for (_, rack) in site.rack_groups().filter(|(_, r)| r.loop_index == Some(i)) {
                for (system, _) in rack.systems() {
                    let Some((min, max)) = system.supply_temperature else { continue };
                    if (t < min.0 || t > max.0) && !reported.contains(&system.id) {
                        reported.push(system.id.clone());
                        let fix = if t > max.0 {
                            format!("lower the supply to {} °C or less (a colder facility-water class), or move these racks to a cooler loop", trim(max.0))
                        } else {
                            format!("raise the supply to {} °C or more: colder water risks condensation", trim(min.0))
                        };
                        diags.push(
                            Diagnostic::new(
                                codes::E0503,
                                format!(
                                    "loop \"{}\" supplies {} °C, outside the {}–{} °C window of `{}`",
                                    l.name.value,
                                    trim(t),
                                    trim(min.0),
                                    trim(max.0),
                                    system.id
                                ),
                            )
                            .label(l.supply.span, format!("{} °C", trim(t)))
                            .label(rack.part_span, format!("needs {}–{} °C", trim(min.0), trim(max.0)))
                            .help(fix),
                        );
                    }
                }
            }
            // A CDU outside its window is worth saying only when no system already says the same.
            for g in l.cdus.iter().filter(|_| reported.is_empty()) {
                let Some((min, max)) = g.cdu.supply_temperature else { continue };
                if t < min.0 || t > max.0 {
                    diags.push(
                        Diagnostic::new(
                            codes::E0503,
                            format!(
                                "loop \"{}\" supplies {} °C, outside the {}–{} °C rating of CDU `{}`",
                                l.name.value,
                                trim(t),
                                trim(min.0),
                                trim(max.0),
                                g.cdu.id
                            ),
                        )
                        .label(l.supply.span, format!("{} °C", trim(t)))
                        .label(g.span, format!("rated {}–{} °C", trim(min.0), trim(max.0)))
                        .help("choose a CDU rated for this supply temperature, or change the loop's supply"),
                    );
                }
            }
        }
    }
}
