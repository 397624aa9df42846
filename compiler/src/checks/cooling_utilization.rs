//! W0501: a loop whose heat is above 80 % of its CDUs' capacity after redundancy, or a site whose
//! room air is above 80 % of its air capacity, has no margin for a hot day, fouled heat exchangers
//! or the next rack: the same continuous-load convention as for power feeds.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::whole_pct;

const LIMIT: f64 = 0.8;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, plan) in cx.factory.sites.iter().zip(&cx.plan.sites) {
        for (l, lp) in site.loops.iter().zip(&plan.loops) {
            // The same basis as E0502: heat at maximum draw.
            let heat = lp.heat_max();
            // Above capacity is E0502's error; the warning covers the band below it.
            if l.incomplete
                || lp.cdu_capacity.0 <= 0.0
                || heat.0 > lp.cdu_capacity.0
                || heat.0 <= lp.cdu_capacity.0 * LIMIT
            {
                continue;
            }
            diags.push(
                Diagnostic::new(
                    codes::W0501,
                    format!(
                        "loop \"{}\" uses {} of its CDU capacity after redundancy at maximum draw ({} of {})",
                        l.name.value,
                        whole_pct(heat.0 / lp.cdu_capacity.0),
                        heat,
                        lp.cdu_capacity
                    ),
                )
                .label(l.name.span, "little cooling margin")
                .help("keep continuous heat at or below 80 % of the CDUs' capacity: add a CDU or move racks to another loop"),
            );
        }
        if site.air_unknown
            || plan.air_capacity.0 <= 0.0
            || plan.air_heat.0 > plan.air_capacity.0
            || plan.air_heat.0 <= plan.air_capacity.0 * LIMIT
        {
            continue;
        }
        let mut d = Diagnostic::new(
            codes::W0501,
            format!(
                "site {} uses {} of its room air capacity ({} of {})",
                site.name.value,
                whole_pct(plan.air_heat.0 / plan.air_capacity.0),
                plan.air_heat,
                plan.air_capacity
            ),
        );
        if let Some(a) = &site.air_capacity {
            d = d.label(a.span, "little air margin");
        }
        diags.push(d.help(
            "keep continuous air heat at or below 80 % of the room's capacity: add air handling or move load to liquid",
        ));
    }
}
