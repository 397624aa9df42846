//! E0504: the heat a site rejects to room air (air-cooled systems, the air share of liquid-cooled
//! ones, switches; rear-door heat goes to its loop instead) within the site's air capacity.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, plan) in cx.factory.sites.iter().zip(&cx.plan.sites) {
        if site.air_unknown {
            // No cooling block (E0105) or an unreadable `air` line: its own error says so.
            continue;
        }
        if !super::exceeds(plan.air_heat.0, plan.air_capacity.0) || plan.air_heat.0 <= 0.0 {
            continue;
        }
        let mut d = Diagnostic::new(
            codes::E0504,
            format!(
                "site {} rejects {} of heat to room air; its air capacity is {}",
                site.name.value, plan.air_heat, plan.air_capacity
            ),
        );
        d = match &site.air_capacity {
            Some(a) => d.label(a.span, format!("{} of air cooling", a.value)),
            None => d.label(site.cooling_span.unwrap_or(site.name.span), "no `air capacity=` here, so 0 kW"),
        };
        diags.push(d.label(site.name.span, format!("{} to air", plan.air_heat)).help(format!(
            "raise `air capacity=` to at least {} (with margin), or move air-cooled load to liquid (rear-door or direct liquid cooling)",
            plan.air_heat
        )));
    }
}
