//! The cost view: the bill of materials and the quote (`project::cost`) as the `bom` and `quote`
//! targets read them. `bom` holds the exact numbers (what `bom.json` prints); the `*_text` fields
//! and the drawings hold the same numbers formatted and laid out, so templates do no arithmetic:
//! floor plans to scale with racks coloured by their power, bars whose widths are percentages.

use crate::model::{Factory, RackContents};
use crate::project::cost::{num, Period, Problem};
use crate::project::Plan;
use crate::units::group_thousands;
use serde::Serialize;

/// Rack footprint and row pitch for the floor plans (a 600 × 1200 mm rack, a 1.2 m aisle).
const RACK_WIDTH_M: f64 = 0.6;
const RACK_DEPTH_M: f64 = 1.2;
const AISLE_M: f64 = 1.2;
const MARGIN_M: f64 = 1.0;
/// Room on the left of a floor plan for row names.
const LABEL_PX: f64 = 56.0;
const DRAWING_WIDTH_PX: f64 = 720.0;
const DRAWING_HEIGHT_PX: f64 = 480.0;

#[derive(Clone, Debug, Serialize)]
pub struct CostView {
    pub currency: String,
    /// `€`, `$`, `£`, or the code and a space.
    pub symbol: String,
    /// What `bom.json` prints.
    pub bom: BomJson,
    /// The same lines, formatted.
    pub lines_text: Vec<LineText>,
    pub totals_text: TotalsText,
    /// The quote in three sections: capex, opex per year, cost per year.
    pub quote: Vec<QuoteSection>,
    pub quote_totals: QuoteTotalsView,
    pub headline: HeadlineText,
    pub assumptions: Vec<AssumptionView>,
    /// Assumptions that are defaults the blueprint did not choose.
    pub defaults: u64,
    /// What the quote had to assume or leave out (the W1001 and W1002 conditions), in words.
    pub warnings: Vec<String>,
    pub floor_plans: Vec<FloorPlan>,
    pub power: Vec<SitePowerView>,
    pub workloads: Vec<WorkloadBar>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BomJson {
    pub currency: String,
    pub lines: Vec<LineView>,
    pub totals: BomTotalsView,
    pub projection: ProjectionView,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineView {
    pub part: String,
    pub description: String,
    pub category: &'static str,
    pub period: &'static str,
    pub quantity: u64,
    pub unit_price: Option<f64>,
    pub extended_price: Option<f64>,
    pub basis: String,
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct BomTotalsView {
    pub capex: f64,
    pub opex_per_year: f64,
    pub lines: u64,
    pub unpriced_lines: u64,
    pub gpus: u64,
    pub racks: u64,
    pub systems: u64,
    pub nodes: u64,
    pub it_power_kw: f64,
    pub facility_power_kw: f64,
    /// The quote: capex with margin and facility, opex with energy and maintenance, per year.
    pub quote_capex: f64,
    pub quote_opex_per_year: f64,
    pub annual_cost: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProjectionView {
    /// Unrounded, as `plan --format json` prints `totals.tokens_per_second`.
    pub tokens_per_second: f64,
    /// Unrounded, as `plan` prints `totals.tokens_per_second_per_mw`.
    pub tokens_per_second_per_mw: f64,
    pub tokens_per_second_per_gpu: f64,
    pub utilization: f64,
    pub tokens_per_year: f64,
    pub cost_per_million_tokens: Option<f64>,
    pub tokens_per_currency_unit: Option<f64>,
    pub amortize_years: u64,
    pub margin: f64,
    pub facility: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineText {
    pub part: String,
    pub description: String,
    pub category: &'static str,
    pub period: &'static str,
    pub quantity: String,
    pub unit_price: String,
    pub extended_price: String,
    pub basis: String,
    pub source: String,
    pub priced: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TotalsText {
    pub capex: String,
    pub opex_per_year: String,
    pub gpus: String,
    pub lines: String,
    pub unpriced_lines: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuoteSection {
    pub key: &'static str,
    pub title: &'static str,
    pub lines: Vec<QuoteLineView>,
    pub total_label: &'static str,
    pub total: f64,
    pub total_text: String,
    /// Where `bom.json` has the total.
    pub bom_key: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuoteLineView {
    pub key: &'static str,
    pub section: &'static str,
    pub label: String,
    pub quantity: f64,
    pub quantity_text: String,
    pub unit: String,
    pub rate: Option<f64>,
    pub rate_text: String,
    pub amount: Option<f64>,
    pub amount_text: String,
    pub basis: String,
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuoteTotalsView {
    pub capex: f64,
    pub capex_text: String,
    pub opex_per_year: f64,
    pub opex_per_year_text: String,
    pub annual_cost: f64,
    pub annual_cost_text: String,
    pub hardware_text: String,
    pub facility_text: String,
    pub energy_text: String,
    pub energy_kwh_text: String,
}

/// The headline, formatted for people: what the factory costs and produces.
#[derive(Clone, Debug, Serialize)]
pub struct HeadlineText {
    pub capex: String,
    pub opex_per_year: String,
    pub annual_cost: String,
    pub cost_per_million_tokens: String,
    pub tokens_per_second: String,
    pub tokens_per_second_per_mw: String,
    pub tokens_per_second_per_gpu: String,
    pub tokens_per_year: String,
    pub tokens_per_currency_unit: String,
    pub utilization: String,
    pub gpus: String,
    pub racks: String,
    pub it_power: String,
    pub facility_power: String,
    pub amortize_years: u64,
    pub margin: String,
    pub facility: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct AssumptionView {
    pub item: String,
    pub value: String,
    pub source: String,
    pub default: bool,
}

/// One hall drawn to scale: rows of racks, each rack coloured by its power.
#[derive(Clone, Debug, Serialize)]
pub struct FloorPlan {
    pub site: String,
    pub hall: String,
    /// Unique in the page, for SVG ids.
    pub id: String,
    pub width_px: String,
    pub height_px: String,
    pub scale_text: String,
    pub racks: u64,
    pub power_text: String,
    pub rows: Vec<RowDraw>,
    /// One tile per rack kind: a rack outline filled with its colour, repeated along a row.
    pub tiles: Vec<RackTile>,
    pub legend: Vec<LegendEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RowDraw {
    pub name: String,
    /// Labelled when there is room: every row at a readable scale, every n-th one when dense.
    pub labelled: bool,
    pub label_x: String,
    pub label_y: String,
    pub runs: Vec<RackRun>,
}

/// Consecutive identical racks in a row: one rectangle filled with the rack tile.
#[derive(Clone, Debug, Serialize)]
pub struct RackRun {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub tile: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RackTile {
    pub id: String,
    pub width: String,
    pub height: String,
    pub inner_width: String,
    pub inner_height: String,
    pub fill: String,
    /// The outline's width: thinner when racks are drawn small.
    pub stroke: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LegendEntry {
    pub fill: String,
    pub label: String,
}

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

fn symbol(currency: &str) -> String {
    match currency {
        "EUR" => "€".to_string(),
        "USD" => "$".to_string(),
        "GBP" => "£".to_string(),
        c => format!("{c} "),
    }
}

/// `€3,200,000`.
pub fn money(sym: &str, x: f64) -> String {
    format!("{sym}{}", group_thousands(x.round()))
}

/// `€525.1 M`, `€1.23 B`, `€12,345`.
pub fn money_short(sym: &str, x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("{sym}{:.2} B", x / 1e9)
    } else if x.abs() >= 1e6 {
        format!("{sym}{:.1} M", x / 1e6)
    } else {
        money(sym, x)
    }
}

fn count(n: f64) -> String {
    group_thousands(n.round())
}

/// `636.5 trillion`, `12.3 billion`, `45.6 million`, `12,345`.
fn big(x: f64) -> String {
    for (scale, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if x.abs() >= scale {
            return format!("{:.1} {word}", x / scale);
        }
    }
    count(x)
}

fn power(kw: f64) -> String {
    if kw >= 1000.0 {
        format!("{} MW", crate::units::trim(kw / 1e3))
    } else {
        format!("{} kW", crate::units::trim(kw))
    }
}

fn px(x: f64) -> String {
    format!("{:.1}", x)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", (x * 100.0).clamp(0.0, 100.0))
}

/// A colour for a rack's power: pale blue for a few kW, through yellow and orange, to red at
/// 130 kW and above.
pub fn kw_colour(kw: f64) -> String {
    const STOPS: &[(f64, (u8, u8, u8))] = &[
        (0.0, (0xdb, 0xea, 0xfe)),
        (15.0, (0x93, 0xc5, 0xfd)),
        (40.0, (0xfd, 0xe0, 0x47)),
        (80.0, (0xfb, 0x92, 0x3c)),
        (130.0, (0xdc, 0x26, 0x26)),
    ];
    let mut prev = (0.0, (0xdb, 0xea, 0xfe));
    for &(at, c) in STOPS {
        if kw <= at {
            let t = if at > prev.0 { ((kw - prev.0) / (at - prev.0)).clamp(0.0, 1.0) } else { 1.0 };
            let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
            return format!("#{:02x}{:02x}{:02x}", mix(prev.1 .0, c.0), mix(prev.1 .1, c.1), mix(prev.1 .2, c.2));
        }
        prev = (at, c);
    }
    let c = prev.1;
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn floor_plans(factory: &Factory) -> Vec<FloorPlan> {
    let mut out = Vec::new();
    for (si, site) in factory.sites.iter().enumerate() {
        for (hi, hall) in site.halls.iter().enumerate() {
            let id = format!("s{si}h{hi}");
            let rows: u64 = hall.rows.iter().map(|r| r.count).sum();
            let widest = hall.rows.iter().map(|r| r.racks.iter().map(|g| g.per_row).sum::<u64>()).max().unwrap_or(0);
            let width_m = widest as f64 * RACK_WIDTH_M + 2.0 * MARGIN_M;
            let depth_m = rows as f64 * (RACK_DEPTH_M + AISLE_M) - AISLE_M + 2.0 * MARGIN_M;
            // One scale for both directions: the hall fits the page's width and a screen's height.
            let scale = ((DRAWING_WIDTH_PX - LABEL_PX) / width_m.max(1.0))
                .min(DRAWING_HEIGHT_PX / depth_m.max(1.0))
                .clamp(2.0, 40.0);
            let (rw, rd) = (RACK_WIDTH_M * scale, RACK_DEPTH_M * scale);
            // Row names need about 12 px each.
            let label_every = (12.0 / ((RACK_DEPTH_M + AISLE_M) * scale)).ceil().max(1.0) as u64;
            let mut tiles: Vec<RackTile> = Vec::new();
            let mut legend: Vec<LegendEntry> = Vec::new();
            let mut kinds: Vec<(String, f64, u64)> = Vec::new();
            let mut draws = Vec::new();
            let mut racks_total = 0u64;
            let mut power_total = 0.0;
            let mut row_index = 0u64;
            for row in &hall.rows {
                for ri in 0..row.count {
                    let y = (MARGIN_M + row_index as f64 * (RACK_DEPTH_M + AISLE_M)) * scale;
                    let mut x = LABEL_PX + MARGIN_M * scale;
                    let mut runs = Vec::new();
                    for group in &row.racks {
                        if group.per_row == 0 {
                            continue;
                        }
                        let kw = group.power_nominal().kw();
                        let fill = kw_colour(kw);
                        let tile = match tiles.iter().position(|t| t.fill == fill) {
                            Some(i) => format!("{id}-t{i}"),
                            None => {
                                let t = format!("{id}-t{}", tiles.len());
                                tiles.push(RackTile {
                                    id: t.clone(),
                                    width: px(rw),
                                    height: px(rd),
                                    inner_width: px((rw - 1.0).max(0.5)),
                                    inner_height: px((rd - 1.0).max(0.5)),
                                    fill: fill.clone(),
                                    stroke: format!("{:.2}", (rw * 0.08).min(0.6)),
                                });
                                t
                            }
                        };
                        let part = group.part_id().to_string();
                        racks_total = racks_total.saturating_add(group.per_row);
                        power_total += kw * group.per_row as f64;
                        let what = match &group.contents {
                            RackContents::RackScale(_) => part.clone(),
                            RackContents::Enclosure { systems, .. } => format!(
                                "{part} with {}",
                                systems
                                    .iter()
                                    .map(|g| format!("{} × {}", g.count, g.system.id))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        };
                        match kinds.iter_mut().find(|(p, k, _)| *p == what && (*k - kw).abs() < 1e-9) {
                            Some(k) => k.2 = k.2.saturating_add(group.per_row),
                            None => kinds.push((what.clone(), kw, group.per_row)),
                        }
                        runs.push(RackRun {
                            x: px(x),
                            y: px(y),
                            width: px(rw * group.per_row as f64),
                            height: px(rd),
                            tile,
                            title: format!("{} racks: {what}, {} each", group.per_row, power(kw)),
                        });
                        x += rw * group.per_row as f64;
                    }
                    draws.push(RowDraw {
                        name: row.row_name(ri),
                        labelled: row_index.is_multiple_of(label_every),
                        label_x: px(4.0),
                        label_y: px((y + rd * 0.5 + 4.0).max(11.0)),
                        runs,
                    });
                    row_index += 1;
                }
            }
            for (part, kw, n) in &kinds {
                legend.push(LegendEntry {
                    fill: kw_colour(*kw),
                    label: format!("{part}: {} per rack, {} racks", power(*kw), count(*n as f64)),
                });
            }
            out.push(FloorPlan {
                site: site.name.value.clone(),
                hall: hall.name.value.clone(),
                id,
                width_px: px(LABEL_PX + width_m * scale),
                height_px: px(depth_m * scale),
                scale_text: format!(
                    "{} m × {} m; racks 0.6 m × 1.2 m, aisles 1.2 m; 1 m = {} px",
                    num((width_m * 10.0).round() / 10.0),
                    num((depth_m * 10.0).round() / 10.0),
                    num((scale * 10.0).round() / 10.0)
                ),
                racks: racks_total,
                power_text: power(power_total),
                rows: draws,
                tiles,
                legend,
            });
        }
    }
    out
}

fn site_power(factory: &Factory, plan: &Plan) -> Vec<SitePowerView> {
    factory
        .sites
        .iter()
        .zip(&plan.sites)
        .map(|(site, sp)| {
            let cap = sp.feed_capacity.kw().max(1e-9);
            let systems = sp.systems_power.kw();
            let switches = sp.switch_power.kw();
            let overhead = (sp.facility_power.kw() - sp.it_power.kw()).max(0.0);
            let segments = vec![
                Segment {
                    label: "GPU systems".into(),
                    value: power(systems),
                    width_pct: pct(systems / cap),
                    fill: "#2563eb".into(),
                },
                Segment {
                    label: "Switches".into(),
                    value: power(switches),
                    width_pct: pct(switches / cap),
                    fill: "#7c3aed".into(),
                },
                Segment {
                    label: format!("Cooling and losses (peak PUE {})", num(site.power.peak_pue)),
                    value: power(overhead),
                    width_pct: pct(overhead / cap),
                    fill: "#f59e0b".into(),
                },
            ];
            let mut heat = Vec::new();
            for (l, lp) in site.loops.iter().zip(&sp.loops) {
                let capacity = lp.cdu_capacity.kw();
                let h = lp.heat().kw();
                let used = if capacity > 0.0 { h / capacity } else { 0.0 };
                heat.push(HeatBar {
                    label: format!("Liquid loop {} ({} CDUs; capacity after redundancy)", l.name.value, lp.cdu_count),
                    heat: power(h),
                    capacity: power(capacity),
                    used_pct: format!("{:.0} %", used * 100.0),
                    width_pct: pct(used),
                    fill: "#0891b2".into(),
                });
            }
            let air = sp.air_heat.kw();
            let air_cap = sp.air_capacity.kw();
            let used = if air_cap > 0.0 { air / air_cap } else { 0.0 };
            heat.push(HeatBar {
                label: "Room air".into(),
                heat: power(air),
                capacity: power(air_cap),
                used_pct: format!("{:.0} %", used * 100.0),
                width_pct: pct(used),
                fill: "#64748b".into(),
            });
            SitePowerView {
                site: site.name.value.clone(),
                feed_capacity: power(sp.feed_capacity.kw()),
                facility_power: power(sp.facility_power.kw()),
                load_pct: format!("{:.0} %", sp.feed_utilization() * 100.0),
                segments,
                heat,
            }
        })
        .collect()
}

fn workload_bars(plan: &Plan) -> Vec<WorkloadBar> {
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

/// The problems in words, unpriced items grouped by reason.
fn warnings(factory: &Factory, problems: &[Problem]) -> Vec<String> {
    let mut out = Vec::new();
    let mut unpriced: Vec<(&str, Vec<&str>)> = Vec::new();
    for p in problems {
        match p {
            Problem::DefaultEnergyPrice { site, price, source } => out.push(format!(
                "Site {} gives no energy price: its energy is priced at the catalog's default of {price} ({source}).",
                factory.sites.get(*site).map(|s| s.name.value.as_str()).unwrap_or("?")
            )),
            Problem::Unpriced { part, reason, .. } => match unpriced.iter_mut().find(|(r, _)| r == reason) {
                Some((_, parts)) => parts.push(part),
                None => unpriced.push((reason, vec![part])),
            },
        }
    }
    for (reason, parts) in unpriced {
        let named: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
        out.push(format!(
            "{} {} no price ({reason}){}; left out of the totals.",
            parts.len(),
            if parts.len() == 1 { "item has" } else { "items have" },
            if named.is_empty() { String::new() } else { format!(": {}", named.join(", ")) }
        ));
    }
    out
}

pub fn view(factory: &Factory, plan: &Plan) -> CostView {
    let c = &plan.cost;
    let sym = symbol(&c.currency);
    let m = |x: f64| money(&sym, x);
    let opt = |x: Option<f64>| x.map(|v| money(&sym, v)).unwrap_or_else(|| "unpriced".to_string());
    let lines: Vec<LineView> = c
        .lines
        .iter()
        .map(|l| LineView {
            part: l.part.clone(),
            description: l.description.clone(),
            category: l.category.as_str(),
            period: l.period.as_str(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            extended_price: l.extended_price,
            basis: l.basis.clone(),
            source: l.source.clone(),
        })
        .collect();
    let lines_text = c
        .lines
        .iter()
        .map(|l| LineText {
            part: l.part.clone(),
            description: l.description.clone(),
            category: l.category.as_str(),
            period: if l.period == Period::Year { "per year" } else { "once" },
            quantity: count(l.quantity as f64),
            unit_price: opt(l.unit_price),
            extended_price: opt(l.extended_price),
            basis: l.basis.clone(),
            source: l.source.clone(),
            priced: l.extended_price.is_some(),
        })
        .collect();
    let q = &c.quote_totals;
    let p = &c.projection;
    let quote_lines: Vec<QuoteLineView> = c
        .quote
        .iter()
        .map(|l| QuoteLineView {
            key: l.key,
            section: l.section.as_str(),
            label: l.label.clone(),
            quantity: l.quantity,
            quantity_text: if l.unit.is_empty() {
                String::new()
            } else if l.unit == c.currency {
                m(l.quantity)
            } else {
                format!("{} {}", num(l.quantity), l.unit)
            },
            unit: l.unit.clone(),
            rate: l.rate,
            rate_text: match (l.key, l.rate) {
                ("energy", Some(r)) => format!("{sym}{} per kWh", num(r)),
                ("facility", Some(r)) => format!("{} per MW", m(r)),
                ("colocation", Some(r)) => format!("{sym}{} per kW-month", num(r)),
                ("margin", Some(_)) => format!("{} % of the price", num(c.terms.margin * 100.0)),
                ("maintenance" | "amortization", Some(r)) => format!("{} % a year", num((r * 10000.0).round() / 100.0)),
                _ => String::new(),
            },
            amount: l.amount,
            amount_text: opt(l.amount),
            basis: l.basis.clone(),
            source: l.source.clone(),
        })
        .collect();
    let section = |key: &'static str, title, total_label, total: f64, bom_key| QuoteSection {
        key,
        title,
        lines: quote_lines.iter().filter(|l| l.section == key).cloned().collect(),
        total_label,
        total,
        total_text: m(total),
        bom_key,
    };
    let quote = vec![
        section("capex", "Capital cost", "Capex", q.capex, "totals.quote_capex"),
        section("opex", "Operating cost per year", "Opex per year", q.opex_per_year, "totals.quote_opex_per_year"),
        section("annual", "Cost of ownership per year", "Per year", q.annual_cost, "totals.annual_cost"),
    ];
    let t = &c.totals;
    let assumptions: Vec<AssumptionView> = c
        .assumptions
        .iter()
        .map(|a| AssumptionView {
            item: a.item.clone(),
            value: a.value.clone(),
            source: a.source.clone(),
            default: a.default,
        })
        .collect();
    CostView {
        currency: c.currency.clone(),
        symbol: sym.clone(),
        bom: BomJson {
            currency: c.currency.clone(),
            lines,
            totals: BomTotalsView {
                capex: t.capex,
                opex_per_year: t.opex_per_year,
                lines: t.lines,
                unpriced_lines: t.unpriced_lines,
                gpus: t.gpus,
                racks: t.racks,
                systems: t.systems,
                nodes: t.nodes,
                it_power_kw: t.it_power_kw,
                facility_power_kw: t.facility_power_kw,
                quote_capex: q.capex,
                quote_opex_per_year: q.opex_per_year,
                annual_cost: q.annual_cost,
            },
            projection: ProjectionView {
                tokens_per_second: p.tokens_per_second,
                tokens_per_second_per_mw: p.tokens_per_second_per_mw,
                tokens_per_second_per_gpu: p.tokens_per_second_per_gpu,
                utilization: p.utilization,
                tokens_per_year: p.tokens_per_year,
                cost_per_million_tokens: p.cost_per_million_tokens,
                tokens_per_currency_unit: p.tokens_per_currency_unit,
                amortize_years: c.terms.amortize_years,
                margin: c.terms.margin,
                facility: c.terms.facility.as_str(),
            },
        },
        lines_text,
        totals_text: TotalsText {
            capex: m(t.capex),
            opex_per_year: m(t.opex_per_year),
            gpus: count(t.gpus as f64),
            lines: count(t.lines as f64),
            unpriced_lines: t.unpriced_lines,
        },
        quote,
        quote_totals: QuoteTotalsView {
            capex: q.capex,
            capex_text: m(q.capex),
            opex_per_year: q.opex_per_year,
            opex_per_year_text: m(q.opex_per_year),
            annual_cost: q.annual_cost,
            annual_cost_text: m(q.annual_cost),
            hardware_text: m(q.hardware),
            facility_text: m(q.facility),
            energy_text: m(q.energy),
            energy_kwh_text: format!("{} GWh", num((q.energy_kwh / 1e6 * 10.0).round() / 10.0)),
        },
        headline: HeadlineText {
            capex: money_short(&sym, q.capex),
            opex_per_year: money_short(&sym, q.opex_per_year),
            annual_cost: money_short(&sym, q.annual_cost),
            cost_per_million_tokens: p
                .cost_per_million_tokens
                .map(|x| format!("{sym}{:.4}", x))
                .unwrap_or_else(|| "no tokens".to_string()),
            tokens_per_second: count(p.tokens_per_second),
            tokens_per_second_per_mw: count(p.tokens_per_second_per_mw),
            tokens_per_second_per_gpu: count(p.tokens_per_second_per_gpu),
            tokens_per_year: big(p.tokens_per_year),
            tokens_per_currency_unit: p.tokens_per_currency_unit.map(count).unwrap_or_else(|| "0".to_string()),
            utilization: format!("{} %", num(p.utilization * 100.0)),
            gpus: count(t.gpus as f64),
            racks: count(t.racks as f64),
            it_power: power(t.it_power_kw),
            facility_power: power(t.facility_power_kw),
            amortize_years: c.terms.amortize_years,
            margin: format!("{} %", num(c.terms.margin * 100.0)),
            facility: c.terms.facility.as_str(),
        },
        defaults: assumptions.iter().filter(|a| a.default).count() as u64,
        warnings: warnings(factory, &c.problems),
        assumptions,
        floor_plans: floor_plans(factory),
        power: site_power(factory, plan),
        workloads: workload_bars(plan),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_money() {
        assert_eq!(kw_colour(0.0), "#dbeafe");
        assert_eq!(kw_colour(200.0), "#dc2626");
        assert_eq!(money("€", 3_200_000.0), "€3,200,000");
        assert_eq!(money_short("$", 525_123_456.0), "$525.1 M");
    }
}
