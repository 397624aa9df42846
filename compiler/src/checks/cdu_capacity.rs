//! E0502: a loop's heat at maximum draw (direct liquid cooling plus rear-door heat, every system
//! at its catalog `peak`) within the capacity of its CDUs after their redundancy (N+1 loses one
//! unit, 2N half of them). The CDUs must hold the worst sustained day, not the average.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, plan) in cx.factory.sites.iter().zip(&cx.plan.sites) {
        for (l, lp) in site.loops.iter().zip(&plan.loops) {
            if l.incomplete {
                continue;
            }
            let heat = lp.heat_max();
            if !super::exceeds(heat.0, lp.cdu_capacity.0) || heat.0 <= 0.0 {
                continue;
            }
            let mut d = Diagnostic::new(
                codes::E0502,
                format!(
                    "loop \"{}\" carries {} of heat from {} racks at maximum draw; its CDUs remove {} after redundancy",
                    l.name.value, heat, lp.racks, lp.cdu_capacity
                ),
            )
            .label(l.name.span, format!("{heat} to remove"));
            for g in &l.cdus {
                d = d.label(
                    g.span,
                    format!(
                        "{} × {} ({}), {} after redundancy",
                        g.count,
                        g.cdu.capacity,
                        g.redundancy.value.as_str(),
                        crate::project::power::cdu_capacity(g.cdu.capacity, g.count, g.redundancy.value)
                    ),
                );
            }
            let help = match l.cdus.first() {
                Some(g) => {
                    // The smallest count that carries the heat after this group's redundancy, with the
                    // loop's other groups as they are.
                    let own = crate::project::power::cdu_capacity(g.cdu.capacity, g.count, g.redundancy.value).0;
                    let others = lp.cdu_capacity.0 - own;
                    let needed = (g.count..g.count.saturating_add(10_000))
                        .find(|c| {
                            others + crate::project::power::cdu_capacity(g.cdu.capacity, *c, g.redundancy.value).0
                                >= heat.0
                        })
                        .unwrap_or(g.count);
                    format!(
                        "use count={needed} for `{}` ({} redundancy), or move racks to another loop",
                        g.cdu.id,
                        g.redundancy.value.as_str()
                    )
                }
                None => format!(
                    "add CDUs to the loop: `cdu \"cdu-2000kw\" count={} redundancy=\"N+1\"`",
                    (heat.0 / 2e6).ceil() as u64 + 1
                ),
            };
            diags.push(d.help(help));
        }
    }
}
