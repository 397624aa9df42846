//! The quote view: the bill of materials and the quote (`project::bom`, `project::quote`) as the
//! `bom` and `quote` targets read them. `bom` holds the exact numbers (what `bom.json` prints);
//! the `*_text` fields hold the same numbers formatted (`format`) and worded
//! (`render::quote_text`), and the drawings (`render::floor_plan`, `render::charts`) lay them
//! out, so templates do no arithmetic.

use super::charts::{site_power, workload_bars, SitePowerView, WorkloadBar};
use super::floor_plan::{floor_plans, FloorPlan};
use super::frontier::{chart, FrontierChart, Marker};
use super::quote_text::{assumption, description, line_basis, quote_basis, quote_label, quote_source};
use crate::format::{big, count, money, money_short, num, power_kw, price_per, symbol};
use crate::model::Factory;
use crate::project::bom::{Line, Period};
use crate::project::pricing::Problem;
use crate::project::quote::{QuantityUnit, Quote, QuoteItem, QuoteLine, Rate, Section};
use crate::project::Plan;
use crate::units::{Money, Rounding};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct QuoteView {
    /// The heading for the customer: who, which reference, when and until when, on what terms.
    pub heading: QuoteHeadingView,
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
    /// The design's own warnings (`check`'s, less those the blueprint allows), for the reader of
    /// the quote to weigh; set by the build from the analysis' diagnostics.
    pub design_warnings: Vec<DesignWarningView>,
    pub floor_plans: Vec<FloorPlan>,
    /// Each workload's throughput–interactivity frontier (drawn with the floor plans, on `build`).
    pub frontiers: Vec<WorkloadFrontier>,
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
    /// Cost per million tokens at the p90 and p10 ends of the throughput band.
    pub cost_per_million_tokens_low: Option<f64>,
    pub cost_per_million_tokens_high: Option<f64>,
    pub tokens_per_second_low: f64,
    pub tokens_per_second_high: f64,
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
    /// "$0.0100–$0.0140": the cost at the p90 and at the p10 end of the throughput band.
    pub cost_per_million_tokens_range: String,
    /// The two ends of that range, each on its own (for pages that mark each number).
    pub cost_per_million_tokens_low: String,
    pub cost_per_million_tokens_high: String,
    pub tokens_per_second: String,
    /// "2,200,000–3,000,000": the p10–p90 band of the throughput.
    pub tokens_per_second_range: String,
    pub tokens_per_second_low: String,
    pub tokens_per_second_high: String,
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

/// The problems in words, unpriced items grouped by reason.
fn warnings(factory: &Factory, problems: &[Problem]) -> Vec<String> {
    let mut out = Vec::new();
    let mut unpriced: Vec<(String, Vec<&str>)> = Vec::new();
    for p in problems {
        match p {
            Problem::DefaultEnergyPrice { site, price, source } => out.push(format!(
                "Site {} gives no energy price: its energy is priced at the catalog's default of {} ({source}).",
                factory.sites.get(*site).map(|s| s.name.value.as_str()).unwrap_or("?"),
                price_per(price, "kWh")
            )),
            Problem::Unpriced { part, reason, .. } => {
                let reason = reason.to_string();
                match unpriced.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, parts)) => parts.push(part),
                    None => unpriced.push((reason, vec![part])),
                }
            }
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

/// Formats amounts in the quote's currency.
struct Amounts<'a> {
    currency: &'a str,
}

impl Amounts<'_> {
    /// Whole units with the currency sign: `€3,200,000`.
    fn whole(&self, x: f64) -> String {
        money(&Money::rounded(x, self.currency, Rounding::Whole))
    }

    fn or_unpriced(&self, m: Option<&Money>) -> String {
        m.map(money).unwrap_or_else(|| "unpriced".to_string())
    }

    /// A per-unit price as a figure: `€0.081`.
    fn figure(&self, x: f64) -> String {
        money(&Money::new(x, self.currency))
    }
}

fn line_view(l: &Line) -> LineView {
    LineView {
        part: l.part_id().to_string(),
        description: description(l),
        category: l.category.as_str(),
        period: l.period.as_str(),
        quantity: l.quantity,
        unit_price: l.unit_price.as_ref().map(|m| m.amount),
        extended_price: l.extended_price.as_ref().map(|m| m.amount),
        basis: line_basis(&l.basis),
        source: l.source.to_string(),
    }
}

fn line_text(l: &Line, a: &Amounts) -> LineText {
    LineText {
        part: l.part_id().to_string(),
        description: description(l),
        category: l.category.as_str(),
        period: if l.period == Period::Year { "per year" } else { "once" },
        quantity: count(l.quantity as f64),
        unit_price: a.or_unpriced(l.unit_price.as_ref()),
        extended_price: a.or_unpriced(l.extended_price.as_ref()),
        basis: line_basis(&l.basis),
        source: l.source.to_string(),
        priced: l.extended_price.is_some(),
    }
}

fn unit_name(unit: QuantityUnit, currency: &str) -> String {
    match unit {
        QuantityUnit::None => String::new(),
        QuantityUnit::Currency => currency.to_string(),
        QuantityUnit::Megawatts => "MW".into(),
        QuantityUnit::KilowattMonths => "kW-month".into(),
        QuantityUnit::KilowattHours => "kWh".into(),
    }
}

fn quantity_text(l: &QuoteLine, a: &Amounts) -> String {
    match l.unit {
        QuantityUnit::None => String::new(),
        QuantityUnit::Currency => a.whole(l.quantity),
        unit => format!("{} {}", num(l.quantity), unit_name(unit, a.currency)),
    }
}

fn rate_text(l: &QuoteLine, quote: &Quote, a: &Amounts) -> String {
    let Some(rate) = &l.rate else { return String::new() };
    let r = rate.value();
    match &l.item {
        QuoteItem::Energy { .. } => format!("{} per kWh", a.figure(r)),
        QuoteItem::Facility { .. } => format!("{} per MW", a.whole(r)),
        QuoteItem::Colocation { .. } => format!("{} per kW-month", a.figure(r)),
        QuoteItem::HardwareMargin | QuoteItem::SoftwareMargin => {
            format!("{} % of the price", num(quote.terms.margin * 100.0))
        }
        QuoteItem::Maintenance | QuoteItem::HardwareAmortization | QuoteItem::FacilityAmortization => {
            format!("{} % a year", num((r * 10000.0).round() / 100.0))
        }
        // Sums have no rate.
        QuoteItem::Hardware | QuoteItem::Software | QuoteItem::Opex => String::new(),
    }
}

fn quote_line_view(l: &QuoteLine, quote: &Quote, a: &Amounts) -> QuoteLineView {
    QuoteLineView {
        key: l.item.key(),
        section: l.item.section().as_str(),
        label: quote_label(&l.item, &quote.terms),
        quantity: l.quantity,
        quantity_text: quantity_text(l, a),
        unit: unit_name(l.unit, a.currency),
        rate: l.rate.as_ref().map(Rate::value),
        rate_text: rate_text(l, quote, a),
        amount: l.amount.as_ref().map(|m| m.amount),
        amount_text: a.or_unpriced(l.amount.as_ref()),
        basis: quote_basis(l, &quote.terms),
        source: quote_source(l, quote),
    }
}

/// The quote in its three sections: capex, opex per year, cost per year.
fn sections(quote: &Quote, a: &Amounts) -> Vec<QuoteSection> {
    let lines: Vec<QuoteLineView> = quote.lines.iter().map(|l| quote_line_view(l, quote, a)).collect();
    let t = &quote.totals;
    [
        (Section::Capex, "Capital cost", "Capex", t.capex, "totals.quote_capex"),
        (Section::Opex, "Operating cost per year", "Opex per year", t.opex_per_year, "totals.quote_opex_per_year"),
        (Section::Annual, "Cost of ownership per year", "Per year", t.annual_cost, "totals.annual_cost"),
    ]
    .into_iter()
    .map(|(section, title, total_label, total, bom_key)| QuoteSection {
        key: section.as_str(),
        title,
        lines: lines.iter().filter(|l| l.section == section.as_str()).cloned().collect(),
        total_label,
        total,
        total_text: a.whole(total),
        bom_key,
    })
    .collect()
}

/// What `bom.json` prints: the exact numbers.
fn bom_json(quote: &Quote) -> BomJson {
    let t = &quote.bom.totals;
    let q = &quote.totals;
    let p = &quote.projection;
    BomJson {
        currency: quote.currency.clone(),
        lines: quote.bom.lines.iter().map(line_view).collect(),
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
            cost_per_million_tokens_low: p.cost_per_million_tokens_low,
            cost_per_million_tokens_high: p.cost_per_million_tokens_high,
            tokens_per_second_low: p.tokens_per_second_low,
            tokens_per_second_high: p.tokens_per_second_high,
            tokens_per_currency_unit: p.tokens_per_currency_unit,
            amortize_years: quote.terms.amortize_years,
            margin: quote.terms.margin,
            facility: quote.terms.facility.as_str(),
        },
    }
}

fn quote_totals(quote: &Quote, a: &Amounts) -> QuoteTotalsView {
    let q = &quote.totals;
    QuoteTotalsView {
        capex: q.capex,
        capex_text: a.whole(q.capex),
        opex_per_year: q.opex_per_year,
        opex_per_year_text: a.whole(q.opex_per_year),
        annual_cost: q.annual_cost,
        annual_cost_text: a.whole(q.annual_cost),
        hardware_text: a.whole(q.hardware),
        facility_text: a.whole(q.facility),
        energy_text: a.whole(q.energy),
        energy_kwh_text: format!("{} GWh", num((q.energy_kwh / 1e6 * 10.0).round() / 10.0)),
    }
}

fn headline(quote: &Quote) -> HeadlineText {
    let (q, p, t, terms) = (&quote.totals, &quote.projection, &quote.bom.totals, &quote.terms);
    let short = |x: f64| money_short(&Money::rounded(x, quote.currency.as_str(), Rounding::Whole));
    HeadlineText {
        capex: short(q.capex),
        opex_per_year: short(q.opex_per_year),
        annual_cost: short(q.annual_cost),
        cost_per_million_tokens: p
            .cost_per_million_tokens
            .map(|x| money(&Money::rounded(x, quote.currency.as_str(), Rounding::Decimals(4))))
            .unwrap_or_else(|| "no tokens".to_string()),
        cost_per_million_tokens_low: p
            .cost_per_million_tokens_low
            .map(|x| money(&Money::rounded(x, quote.currency.as_str(), Rounding::Decimals(4))))
            .unwrap_or_else(|| "no tokens".to_string()),
        cost_per_million_tokens_high: p
            .cost_per_million_tokens_high
            .map(|x| money(&Money::rounded(x, quote.currency.as_str(), Rounding::Decimals(4))))
            .unwrap_or_else(|| "no tokens".to_string()),
        tokens_per_second_low: count(p.tokens_per_second_low),
        tokens_per_second_high: count(p.tokens_per_second_high),
        cost_per_million_tokens_range: match (p.cost_per_million_tokens_low, p.cost_per_million_tokens_high) {
            (Some(lo), Some(hi)) => format!(
                "{}–{}",
                money(&Money::rounded(lo, quote.currency.as_str(), Rounding::Decimals(4))),
                money(&Money::rounded(hi, quote.currency.as_str(), Rounding::Decimals(4)))
            ),
            _ => "no tokens".to_string(),
        },
        tokens_per_second: count(p.tokens_per_second),
        tokens_per_second_range: format!("{}–{}", count(p.tokens_per_second_low), count(p.tokens_per_second_high)),
        tokens_per_second_per_mw: count(p.tokens_per_second_per_mw),
        tokens_per_second_per_gpu: count(p.tokens_per_second_per_gpu),
        tokens_per_year: big(p.tokens_per_year),
        tokens_per_currency_unit: p.tokens_per_currency_unit.map(count).unwrap_or_else(|| "0".to_string()),
        utilization: format!("{} %", num(p.utilization * 100.0)),
        gpus: count(t.gpus as f64),
        racks: count(t.racks as f64),
        it_power: power_kw(t.it_power_kw),
        facility_power: power_kw(t.facility_power_kw),
        amortize_years: terms.amortize_years,
        margin: format!("{} %", num(terms.margin * 100.0)),
        facility: terms.facility.as_str(),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DesignWarningView {
    pub code: &'static str,
    pub message: String,
}

/// The warnings a quote shows: every warning of the analysis that no `allow` silences, in
/// display order, once each.
pub fn design_warnings(diagnostics: &[crate::diag::Diagnostic]) -> Vec<DesignWarningView> {
    let mut out: Vec<DesignWarningView> = Vec::new();
    for d in diagnostics {
        if d.severity() != crate::diag::Severity::Warning || d.is_suppressed() {
            continue;
        }
        if !out.iter().any(|w| w.code == d.code.code && w.message == d.message) {
            out.push(DesignWarningView { code: d.code.code, message: d.message.clone() });
        }
    }
    out
}

#[derive(Clone, Debug, Serialize)]
pub struct QuoteHeadingView {
    pub customer: Option<String>,
    pub reference: Option<String>,
    pub date: Option<String>,
    pub valid_until: Option<String>,
    pub terms: Option<String>,
}

fn heading(factory: &Factory) -> QuoteHeadingView {
    let h = &factory.quote.heading;
    QuoteHeadingView {
        customer: h.customer.clone(),
        reference: h.reference.clone(),
        date: h.date.clone(),
        valid_until: h.valid_until.clone(),
        terms: h.terms.clone(),
    }
}

pub fn view(factory: &Factory, plan: &Plan) -> QuoteView {
    QuoteView { floor_plans: floor_plans(factory), frontiers: frontier_charts(factory, plan), ..figures(factory, plan) }
}

/// Each feasible workload's frontier as a chart, with its operating point and SLO line.
fn frontier_charts(factory: &Factory, plan: &Plan) -> Vec<WorkloadFrontier> {
    plan.workloads
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let e = w.estimate.as_ref().ok()?;
            let points = crate::project::workloads::frontier(factory, i, w);
            let operating = (e.tpot_ms > 0.0).then(|| Marker {
                tokens_per_second_per_user: 1e3 / e.tpot_ms,
                tokens_per_second_per_gpu: e.tokens_per_second_per_gpu,
            });
            // The SLO's p99 TPOT limit as a mean interactivity: 1000 / (limit / tail factor).
            let slo = factory
                .workloads
                .get(i)
                .and_then(|x| x.tpot.as_ref())
                .map(|t| 1.0 / (t.value.0 / crate::project::throughput::Efficiency::fitted().latency_tail));
            let title = format!("{}: {} {} on {}", w.name, w.model, w.precision.as_str(), w.system);
            Some(WorkloadFrontier {
                name: w.name.clone(),
                caption: format!(
                    "{} serving, operating at {} tok/s/user and {} tok/s/GPU{}; the frontier is computed on {} GPUs with TTFT unbounded.",
                    w.mode.name(),
                    num(1e3 / e.tpot_ms.max(1e-9)),
                    count(e.tokens_per_second_per_gpu),
                    w.frontier_at_operating_point
                        .map(|f| format!("; frontier at that interactivity: {} tok/s/GPU", count(f)))
                        .unwrap_or_default(),
                    count(f64::from(
                        u32::try_from(w.gpus).unwrap_or(u32::MAX).min(
                            factory
                                .workloads
                                .get(i)
                                .and_then(|x| x.system)
                                .map(|s| u32::try_from(s.nvlink_domain).unwrap_or(u32::MAX))
                                .unwrap_or(8)
                                .saturating_mul(crate::project::workloads::FRONTIER_DOMAINS)
                        )
                    ))
                ),
                chart: chart(&title, &points, operating, slo),
            })
        })
        .collect()
}

/// One workload's frontier chart on the quote page.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadFrontier {
    pub name: String,
    pub caption: String,
    pub chart: FrontierChart,
}

/// The quote view without the floor plans: every figure the quote prints, for the guard that no
/// non-finite number reaches an output (`render::finite`), which `check` runs on every blueprint.
/// The drawings are laid out from the same rack figures, one shape per rack group, and are the
/// costly part on a large factory.
pub fn figures(factory: &Factory, plan: &Plan) -> QuoteView {
    let quote = &plan.quote;
    let a = Amounts { currency: &quote.currency };
    let t = &quote.bom.totals;
    let assumptions: Vec<AssumptionView> = quote
        .assumptions
        .iter()
        .map(|x| {
            let (item, value, source) = assumption(x, quote);
            AssumptionView { item, value, source, default: x.is_default(&quote.terms) }
        })
        .collect();
    QuoteView {
        heading: heading(factory),
        currency: quote.currency.clone(),
        symbol: symbol(&quote.currency),
        bom: bom_json(quote),
        lines_text: quote.bom.lines.iter().map(|l| line_text(l, &a)).collect(),
        totals_text: TotalsText {
            capex: a.whole(t.capex),
            opex_per_year: a.whole(t.opex_per_year),
            gpus: count(t.gpus as f64),
            lines: count(t.lines as f64),
            unpriced_lines: t.unpriced_lines,
        },
        quote: sections(quote, &a),
        quote_totals: quote_totals(quote, &a),
        headline: headline(quote),
        defaults: assumptions.iter().filter(|a| a.default).count() as u64,
        warnings: warnings(factory, &quote.problems),
        design_warnings: Vec::new(),
        assumptions,
        floor_plans: Vec::new(),
        frontiers: Vec::new(),
        power: site_power(factory, plan),
        workloads: workload_bars(plan),
    }
}
