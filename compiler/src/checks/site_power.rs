//! E0402, W0401, W0402: a site's maximum facility power (every system at its maximum sustained
//! draw, the switches at their datasheet maximum, × design-day PUE) against what its feeds deliver
//! after the failure their redundancy allows (N: all feeds; N+1: without the largest; 2N: the
//! smaller side). Sustained maxima, not transients: NVIDIA's GB200 SuperPOD RA plans 1.2 MW per
//! 8-rack scalable unit and the GB300 RA up to 142 kW per rack. Above 80 % of that capacity is a
//! warning (the continuous-load convention), and so is a transient above it, where the catalog
//! gives a transient figure.

use super::CheckCtx;
use crate::ast::Redundancy;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::{trim, whole_pct};
use crate::model::FeedSide;

fn redundancy_words(r: Redundancy) -> &'static str {
    match r {
        Redundancy::N => "with N redundancy (all feeds together)",
        Redundancy::NPlus1 => "with N+1 redundancy (the largest feed lost)",
        Redundancy::TwoN => "with 2N redundancy (one side alone)",
    }
}

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (site, plan) in cx.factory.sites.iter().zip(&cx.plan.sites) {
        if site.power.feeds.is_empty() || site.power.incomplete || plan.it_power.0 <= 0.0 {
            continue;
        }
        let red = site.power.redundancy.value;
        let mut labels: Vec<(crate::source::Span, String)> = site
            .power
            .feeds
            .iter()
            .map(|f| {
                (
                    f.capacity.span,
                    format!(
                        "{} ({})",
                        f.capacity.value,
                        f.side.map(|s| format!("side {}", s.as_str())).unwrap_or_else(|| "feed".into())
                    ),
                )
            })
            .collect();
        labels.truncate(4);
        let need = plan.facility_power_max;
        if need.0 > plan.feed_capacity.0 {
            let mut d = Diagnostic::new(
                codes::E0402,
                format!(
                    "site {} needs {} facility power at maximum draw ({} IT × peak PUE {}); {} its feeds supply {}",
                    site.name.value,
                    need,
                    plan.it_power_peak,
                    trim(site.power.peak_pue),
                    redundancy_words(red),
                    plan.feed_capacity
                ),
            )
            .label(
                site.name.span,
                format!("{} racks, {} IT at maximum ({} nominal)", plan.racks, plan.it_power_peak, plan.it_power),
            );
            for (span, text) in labels {
                d = d.label(span, text);
            }
            let short = need - plan.feed_capacity;
            let it_short = crate::units::Watts(short.0 / site.power.peak_pue.max(1.0));
            let help = match red {
                Redundancy::NPlus1 if site.power.feeds.len() < 2 => format!(
                    "N+1 needs a second feed: with one feed, nothing is left after a failure; add a feed of at least {}",
                    need
                ),
                Redundancy::TwoN => {
                    let side = |s: FeedSide| -> crate::units::Watts {
                        site.power.feeds.iter().filter(|f| f.side == Some(s)).map(|f| f.capacity.value).sum()
                    };
                    let short_sides: Vec<String> = FeedSide::BOTH
                        .into_iter()
                        .filter(|s| side(*s).0 < need.0)
                        .map(|s| format!("side {} needs {} more", s.as_str(), need - side(s)))
                        .collect();
                    format!("each side must carry the whole site: {}; or remove racks drawing about {it_short} of IT power", short_sides.join(", "))
                }
                Redundancy::N | Redundancy::NPlus1 => format!("add {short} of feed capacity that survives the failure, or remove racks drawing about {it_short} of IT power"),
            };
            diags.push(d.help(help));
            continue;
        }
        let util = plan.feed_utilization();
        if util > 0.8 {
            diags.push(
                Diagnostic::new(
                    codes::W0401,
                    format!(
                        "site {} uses {} of the {} its feeds supply {} at maximum draw",
                        site.name.value,
                        whole_pct(util),
                        plan.feed_capacity,
                        redundancy_words(red)
                    ),
                )
                .label(site.name.span, format!("{} facility power at maximum draw", need))
                .help("continuous load is kept at or below 80 % of capacity; add feed capacity or plan fewer racks"),
            );
        }
        let Some(transient) = plan.facility_power_transient else { continue };
        if transient.0 > plan.feed_capacity.0 {
            let figures: Vec<String> = site
                .rack_groups()
                .flat_map(|(_, r)| r.systems())
                .filter_map(|(s, _)| s.power_transient.map(|t| format!("`{}` {} (maximum {})", s.id, t, s.power_peak)))
                .fold(Vec::new(), |mut v, f| {
                    if !v.contains(&f) {
                        v.push(f);
                    }
                    v
                });
            diags.push(
                Diagnostic::new(
                    codes::W0402,
                    format!(
                        "site {} reaches {} facility power in a transient ({} IT); {} its feeds supply {}",
                        site.name.value,
                        transient,
                        plan.it_power_transient.unwrap_or_default(),
                        redundancy_words(red),
                        plan.feed_capacity
                    ),
                )
                .label(site.name.span, "transient above capacity")
                .note(format!("the catalog's transient figures per system: {}", figures.join(", ")))
                .help("GPU servers draw short transients during synchronised steps; size the feeds (or rack-level energy storage) for the transient"),
            );
        }
    }
}
