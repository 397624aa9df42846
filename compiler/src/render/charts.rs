//! Charts for the quote page: each site's power and cooling as stacked bars and each workload's
//! tokens per second, with widths as percentages so the templates do no arithmetic.

use crate::format::{count, num, pct, power_kw, whole_pct};
use crate::model::{Factory, Site};
use crate::project::power::SitePlan;
use crate::project::Plan;
use serde::Serialize;

/// A site's power and cooling as stacked bars (widths in per cent of the feed capacity).
#[derive(Clone, Debug, Serialize)]
pub struct SitePowerView {
    pub site: String,
    pub feed_capacity: String,
    pub facility_power: String,
    pub load_pct: String,
    pub segments: Vec<Segment>,
    pub heat: Vec<HeatBar>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Segment {
    pub label: String,
    pub value: String,
    pub width_pct: String,
    pub fill: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HeatBar {
    pub label: String,
    pub heat: String,
    pub capacity: String,
    pub used_pct: String,
    pub width_pct: String,
    pub fill: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkloadBar {
    pub name: String,
    pub model: String,
    pub precision: &'static str,
    pub gpus: String,
    pub tokens_per_second: f64,
    pub tokens_per_second_text: String,
    pub per_gpu_text: String,
    pub width_pct: String,
    pub feasible: bool,
}

/// Each site's power and cooling as bars.
pub fn site_power(factory: &Factory, plan: &Plan) -> Vec<SitePowerView> {
    factory
        .sites
        .iter()
        .zip(&plan.sites)
        .map(|(site, sp)| {
            let cap = sp.feed_capacity.kw().max(1e-9);
            // The feeds are judged at maximum draw (E0402), so the bar shows that load.
            let switches = sp.switch_power.kw();
            let systems = (sp.it_power_peak.kw() - switches).max(0.0);
            let overhead = (sp.facility_power_max.kw() - sp.it_power_peak.kw()).max(0.0);
            let segments = vec![
                Segment {
                    label: "GPU systems at maximum draw".into(),
                    value: power_kw(systems),
                    width_pct: pct(systems / cap),
                    fill: "#2563eb".into(),
                },
                Segment {
                    label: "Switches".into(),
                    value: power_kw(switches),
                    width_pct: pct(switches / cap),
                    fill: "#7c3aed".into(),
                },
                Segment {
                    label: format!("Cooling and losses (peak PUE {})", num(site.power.peak_pue)),
                    value: power_kw(overhead),
                    width_pct: pct(overhead / cap),
                    fill: "#f59e0b".into(),
                },
            ];
            let heat = heat_bars(site, sp);
            SitePowerView {
                site: site.name.value.clone(),
                feed_capacity: power_kw(sp.feed_capacity.kw()),
                facility_power: power_kw(sp.facility_power_max.kw()),
                load_pct: whole_pct(sp.feed_utilization()),
                segments,
                heat,
            }
        })
        .collect()
}

/// A bar per liquid loop (heat against CDU capacity after redundancy) and one for room air.
fn heat_bars(site: &Site, sp: &SitePlan) -> Vec<HeatBar> {
    let bar = |label: String, heat: f64, capacity: f64, fill: &str| {
        let used = if capacity > 0.0 { heat / capacity } else { 0.0 };
        HeatBar {
            label,
            heat: power_kw(heat),
            capacity: power_kw(capacity),
            used_pct: whole_pct(used),
            width_pct: pct(used),
            fill: fill.into(),
        }
    };
    let mut heat: Vec<HeatBar> = site
        .loops
        .iter()
        .zip(&sp.loops)
        .map(|(l, lp)| {
            let label = format!("Liquid loop {} ({} CDUs; capacity after redundancy)", l.name.value, lp.cdu_count);
            bar(label, lp.heat().kw(), lp.cdu_capacity.kw(), "#0891b2")
        })
        .collect();
    heat.push(bar("Room air".into(), sp.air_heat.kw(), sp.air_capacity.kw(), "#64748b"));
    heat
}

/// Each workload's tokens per second as a bar, the largest full width.
pub fn workload_bars(plan: &Plan) -> Vec<WorkloadBar> {
    let max = plan
        .workloads
        .iter()
        .map(|w| w.estimate.as_ref().map(|e| e.tokens_per_second).unwrap_or(0.0))
        .fold(0.0, f64::max);
    plan.workloads
        .iter()
        .map(|w| {
            let e = w.estimate.as_ref().ok();
            let t = e.map(|e| e.tokens_per_second).unwrap_or(0.0);
            WorkloadBar {
                name: w.name.clone(),
                model: w.model.clone(),
                precision: w.precision.as_str(),
                gpus: count(w.gpus as f64),
                tokens_per_second: t,
                tokens_per_second_text: count(t),
                per_gpu_text: count(e.map(|e| e.tokens_per_second_per_gpu).unwrap_or(0.0)),
                width_pct: pct(if max > 0.0 { t / max } else { 0.0 }),
                feasible: e.is_some(),
            }
        })
        .collect()
}
