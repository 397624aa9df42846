//! E0501: every liquid-cooled system sits in a rack attached to a loop of its site, and every
//! enclosure that moves heat to liquid (rear door, direct liquid cooling) is attached to one. A
//! liquid-cooled server in an air-only enclosure has nowhere to send its heat either.

use super::CheckCtx;
use crate::catalog::EnclosureCooling;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::RackContents;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let loops: Vec<&str> = site.loops.iter().map(|l| l.name.value.as_str()).collect();
        let loop_help = |part: &str| {
            match loops.first() {
            Some(l) => format!("attach it to a loop: `rack \"{part}\" loop=\"{l}\"`"),
            None => format!("add a loop to site \"{}\" (`cooling {{ loop \"tcs-1\" supply=(C)35 {{ cdu … }} }}`) and write `loop=\"tcs-1\"` on the rack", site.name.value),
        }
        };
        for (_, rack) in site.rack_groups() {
            if let RackContents::Enclosure { enclosure, systems } = &rack.contents {
                if enclosure.cooling == EnclosureCooling::Air {
                    for g in systems.iter().filter(|g| g.system.is_liquid_cooled()) {
                        diags.push(
                            Diagnostic::new(
                                codes::E0501,
                                format!(
                                    "`{}` is liquid-cooled ({:.0} % of its heat to liquid), but enclosure `{}` is air-only",
                                    g.system.id,
                                    g.system.liquid_fraction * 100.0,
                                    enclosure.id
                                ),
                            )
                            .label(g.span, "needs liquid cooling")
                            .label(rack.part_span, "air-only enclosure")
                            .help("use a direct-liquid-cooling enclosure such as `rack-dlc-48u` attached to a loop"),
                        );
                    }
                    continue;
                }
            }
            if rack.loop_index.is_some() || rack.loop_span.is_some() {
                // Attached, or attached to a name that does not resolve (E0302 says so).
                continue;
            }
            let needs_loop = match &rack.contents {
                RackContents::RackScale(s) => s.is_liquid_cooled(),
                RackContents::Enclosure { enclosure, .. } => enclosure.cooling.needs_loop(),
            };
            if needs_loop {
                let heat = rack.liquid_heat();
                let what = match &rack.contents {
                    RackContents::Enclosure { enclosure, .. } => {
                        format!("enclosure `{}` ({}) moves heat to liquid", enclosure.id, enclosure.cooling.as_str())
                    }
                    RackContents::RackScale(s) => format!("`{}` sends {} per rack to liquid", s.id, heat),
                };
                diags.push(
                    Diagnostic::new(codes::E0501, format!("{what}, but the rack is not attached to a cooling loop"))
                        .label(rack.part_span, "no `loop=`")
                        .help(loop_help(rack.part_id())),
                );
            }
        }
    }
}
