//! E1105 and W1103: every leaf, spine and core switch needs a rack position, power and cooling.
//! Declared network racks (`rack … role="network"`) must hold the fabrics' switches by rack units,
//! power distribution and air heat (each enclosure's catalog ratings); without declared network
//! racks the plan counts the racks the switches need, but no floor plan has them. NVIDIA's DGX
//! SuperPOD reference architectures give every scalable unit its leaf racks and the spines racks of
//! their own; `project::network_racks` places the switches tier by tier.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::{count, power_kw};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, n) in cx.factory.sites.iter().zip(&cx.plan.network_racks) {
        if n.switches == 0 {
            continue;
        }
        let enclosure = n.enclosure.as_deref().unwrap_or("rack-air-48u");
        if !n.declared() {
            diags.push(
                Diagnostic::new(
                    codes::W1103,
                    format!(
                        "site \"{}\": the fabrics' {} switch{} ({} rack units, {}, {} of air heat) have no network racks; the plan counts {} rack{} of `{enclosure}` for them, which no floor plan shows",
                        site.name.value,
                        count(n.switches as f64),
                        if n.switches == 1 { "" } else { "es" },
                        count(n.rack_units as f64),
                        power_kw(n.power.kw()),
                        power_kw(n.air_heat.kw()),
                        count(n.racks_needed as f64),
                        if n.racks_needed == 1 { "" } else { "s" },
                    ),
                )
                .label(site.name.span, "no `rack … role=\"network\"` in this site")
                .help(format!(
                    "add a network row to a hall: `row \"N\" {{ rack \"{enclosure}\" count={} role=\"network\" }}`",
                    n.racks_needed
                )),
            );
            continue;
        }
        if n.unplaced == 0 {
            continue;
        }
        let Some(span) = n.span else { continue };
        diags.push(
            Diagnostic::new(
                codes::E1105,
                format!(
                    "site \"{}\": the {} declared network racks cannot hold the fabrics' {} switches: they need {} rack units, {} and {} of air heat; the racks give {} units, {} and {} of air heat, and {} switches are left over",
                    site.name.value,
                    count(n.declared_racks as f64),
                    count(n.switches as f64),
                    count(n.rack_units as f64),
                    power_kw(n.power.kw()),
                    power_kw(n.air_heat.kw()),
                    count(n.units_available as f64),
                    power_kw(n.power_available.kw()),
                    power_kw(n.air_available.kw()),
                    count(n.unplaced as f64),
                ),
            )
            .label(span, "the site's network racks")
            .note("switches are racked tier by tier, one fabric's tier per rack, as NVIDIA's SuperPOD reference architectures rack leaves and spines")
            .help(format!(
                "declare {} more network rack{} of `{enclosure}` (or a larger count on this line)",
                count(n.extra_racks as f64),
                if n.extra_racks == 1 { "" } else { "s" }
            )),
        );
    }
}
