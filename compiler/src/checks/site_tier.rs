//! W0901, W0902: NVIDIA asks rack-scale liquid-cooled (GB200-class) SuperPOD sites to meet Uptime
//! Tier III / TIA-942 Rated 3 / EN 50600 Class 3; and a tier 3 or 4 site is concurrently
//! maintainable, which plain `N` power or cooling is not.

use super::CheckCtx;
use crate::ast::Redundancy;
use crate::catalog::Form;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::RackContents;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for site in &cx.factory.sites {
        let Some(tier) = &site.tier else { continue };
        if tier.value < 3 {
            let rack_scale = site.rack_groups().find(|(_, r)| matches!(&r.contents, RackContents::RackScale(s) if s.form == Form::RackScale && s.is_liquid_cooled()));
            if let Some((_, rack)) = rack_scale {
                diags.push(
                    Diagnostic::new(codes::W0901, format!("site {} is tier {} but hosts rack-scale liquid-cooled `{}` racks", site.name.value, tier.value, rack.part_id()))
                        .label(tier.span, format!("tier {}", tier.value))
                        .label(rack.part_span, "rack-scale, liquid-cooled")
                        .help("NVIDIA's reference architecture asks for Uptime Tier III (or TIA-942 Rated 3 / EN 50600 Class 3) for these racks"),
                );
            }
        } else {
            if site.power.redundancy.value == Redundancy::N && !site.power.feeds.is_empty() {
                diags.push(
                    Diagnostic::new(
                        codes::W0902,
                        format!("site {} is tier {}, but its power has N redundancy", site.name.value, tier.value),
                    )
                    .label(site.power.redundancy.span, "no redundant feed")
                    .label(tier.span, format!("tier {}", tier.value))
                    .help("a tier 3 site is concurrently maintainable: use `redundancy \"N+1\"` or `\"2N\"`"),
                );
            }
            for l in &site.loops {
                if let Some(g) = l.cdus.iter().find(|g| g.redundancy.value == Redundancy::N) {
                    diags.push(
                        Diagnostic::new(
                            codes::W0902,
                            format!(
                                "site {} is tier {}, but loop \"{}\" has N CDU redundancy",
                                site.name.value, tier.value, l.name.value
                            ),
                        )
                        .label(g.span, "no spare CDU")
                        .label(tier.span, format!("tier {}", tier.value))
                        .help("add a spare CDU: `redundancy=\"N+1\"`"),
                    );
                }
            }
        }
    }
}
