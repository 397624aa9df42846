//! E0506: a CDU cannot make its secondary (technology-cooling) loop colder than the facility water
//! it receives plus its approach, the temperature difference its heat exchanger is rated at (the
//! CoolIT CHx2000's 2 MW holds at a 5 K approach). Where a loop states its `facility-water`, its
//! supply must be at least facility water + the largest approach among its CDUs.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::trim;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, plan) in cx.factory.sites.iter().zip(&cx.plan.sites) {
        for (l, lp) in site.loops.iter().zip(&plan.loops) {
            let (Some(fw), Some(approach), Some(warmest)) =
                (&l.facility_water, lp.approach, lp.warmest_facility_water())
            else {
                continue;
            };
            let coldest_supply = fw.value.0 + approach;
            if l.supply.value.0 + super::TOLERANCE >= coldest_supply {
                continue;
            }
            let mut d = Diagnostic::new(
                codes::E0506,
                format!(
                    "loop \"{}\" supplies {} °C, but facility water at {} °C plus its CDUs' {} K approach gives {} °C at the coldest",
                    l.name.value,
                    trim(l.supply.value.0),
                    trim(fw.value.0),
                    trim(approach),
                    trim(coldest_supply)
                ),
            )
            .label(l.supply.span, format!("{} °C supply", trim(l.supply.value.0)))
            .label(fw.span, format!("{} °C facility water", trim(fw.value.0)));
            for g in l.cdus.iter().filter(|g| g.cdu.approach >= approach) {
                d = d.label(g.span, format!("`{}`: {} K approach", g.cdu.id, trim(g.cdu.approach)));
            }
            let class = lp
                .water_class()
                .map(|c| format!(" (ASHRAE {})", c.as_str()))
                .unwrap_or_else(|| " (colder than ASHRAE W17)".to_string());
            diags.push(d.help(format!(
                "the warmest facility water that gives a {} °C supply is {} °C{class}; or raise the supply to {} °C, or use CDUs with a smaller approach",
                trim(l.supply.value.0),
                trim(warmest.0),
                trim(coldest_supply)
            )));
        }
    }
}
