//! The quote: the bill of materials (`bom`) priced (`pricing`), plus the facility, energy,
//! maintenance, the integrator's margin and amortisation, divided by the tokens the plan projects
//! into a cost per million tokens. Every line keeps the figures it follows from; `render` words
//! them. Formulas and sources: `docs/quote.md`.
//!
//! Money is rounded to whole units of the factory currency line by line (unit prices and amounts),
//! and every total is the sum of its rounded lines, so printed totals add up exactly.

use super::bom::{self, Bom};
use super::pricing::{finance, EnergyPriceSource, ExchangeRate, PriceSource, Pricer, Problem, UnpricedReason};
use super::Plan;
use crate::ast::FacilityModel;
use crate::catalog::{Catalog, Finance, FinanceUse};
use crate::model::Factory;
use crate::units::{Money, Rounding};

/// Hours in a (non-leap) year: energy is billed over all of them, idle or not.
pub const HOURS_PER_YEAR: f64 = 8760.0;
/// Seconds in a year, for tokens per year.
pub const SECONDS_PER_YEAR: f64 = HOURS_PER_YEAR * 3600.0;
/// Life of a building when the catalog gives none.
const DEFAULT_FACILITY_LIFE: u64 = 20;
/// The highest margin the quote applies: the price is cost / (1 − margin).
const MAX_MARGIN: f64 = 0.95;

/// Which part of the quote a quote line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Capex,
    Opex,
    Annual,
}

impl Section {
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Capex => "capex",
            Section::Opex => "opex",
            Section::Annual => "annual",
        }
    }
}

/// What a quote line is, with the figures its basis names.
#[derive(Clone, Debug, PartialEq)]
pub enum QuoteItem {
    /// The bill of materials' one-time lines.
    Hardware,
    /// The margin on the hardware.
    HardwareMargin,
    /// Building a site's facility, per MW of IT load.
    Facility {
        site: String,
    },
    /// The bill of materials' yearly lines.
    Software,
    /// The margin on software and support.
    SoftwareMargin,
    /// A site's energy for a year.
    Energy {
        site: String,
        pue: f64,
        idle_kw: f64,
        loaded_kw: f64,
        source: Box<EnergyPriceSource>,
    },
    /// Hardware maintenance, a fraction of the hardware at cost.
    Maintenance,
    /// A site's colocation for a year, per kW and month.
    Colocation {
        site: String,
        it_kw: f64,
    },
    HardwareAmortization,
    FacilityAmortization,
    /// The operating cost per year, the sum of the opex lines.
    Opex,
}

impl QuoteItem {
    /// The key templates and `bom.json` readers group lines by.
    pub fn key(&self) -> &'static str {
        match self {
            QuoteItem::Hardware => "hardware",
            QuoteItem::HardwareMargin | QuoteItem::SoftwareMargin => "margin",
            QuoteItem::Facility { .. } => "facility",
            QuoteItem::Software => "software",
            QuoteItem::Energy { .. } => "energy",
            QuoteItem::Maintenance => "maintenance",
            QuoteItem::Colocation { .. } => "colocation",
            QuoteItem::HardwareAmortization | QuoteItem::FacilityAmortization => "amortization",
            QuoteItem::Opex => "opex",
        }
    }

    pub fn section(&self) -> Section {
        match self {
            QuoteItem::Hardware | QuoteItem::HardwareMargin | QuoteItem::Facility { .. } => Section::Capex,
            QuoteItem::Software
            | QuoteItem::SoftwareMargin
            | QuoteItem::Energy { .. }
            | QuoteItem::Maintenance
            | QuoteItem::Colocation { .. } => Section::Opex,
            QuoteItem::HardwareAmortization | QuoteItem::FacilityAmortization | QuoteItem::Opex => Section::Annual,
        }
    }

    /// The order of items within a section (sites keep their order within an item).
    fn rank(&self) -> u8 {
        match self {
            QuoteItem::Hardware => 0,
            QuoteItem::Software => 1,
            QuoteItem::HardwareMargin | QuoteItem::SoftwareMargin => 2,
            QuoteItem::Facility { .. } => 3,
            QuoteItem::Energy { .. } => 4,
            QuoteItem::Maintenance => 5,
            QuoteItem::Colocation { .. } => 6,
            QuoteItem::HardwareAmortization | QuoteItem::FacilityAmortization => 7,
            QuoteItem::Opex => 8,
        }
    }
}

/// What a quote line's quantity counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityUnit {
    /// No quantity: the line is a sum.
    None,
    /// Money in the factory currency.
    Currency,
    Megawatts,
    KilowattMonths,
    KilowattHours,
}

/// What a quote line's quantity is multiplied by.
#[derive(Clone, Debug, PartialEq)]
pub enum Rate {
    /// A price per unit of the quantity.
    Price(Money),
    /// A fraction of the quantity (a margin factor, a yearly rate).
    Fraction(f64),
}

impl Rate {
    pub fn value(&self) -> f64 {
        match self {
            Rate::Price(m) => m.amount,
            Rate::Fraction(f) => *f,
        }
    }
}

/// One line of the quote: an amount with the quantity and rate it comes from.
#[derive(Clone, Debug)]
pub struct QuoteLine {
    pub item: QuoteItem,
    pub quantity: f64,
    pub unit: QuantityUnit,
    pub rate: Option<Rate>,
    /// Whole units of the factory currency; `None` when unpriced.
    pub amount: Option<Money>,
}

/// The catalog's facility price as the quote applied it.
#[derive(Clone, Debug)]
pub struct FacilityPrice {
    pub id: String,
    pub name: String,
    /// What the price is per: `MW` to build, `kW-month` for colocation.
    pub per: &'static str,
    pub price: Option<Money>,
    pub source: PriceSource,
}

/// The catalog's maintenance rate as the quote applied it.
#[derive(Clone, Debug)]
pub struct MaintenanceRate {
    pub id: String,
    pub name: String,
    pub date: String,
    /// A fraction of the hardware at cost per year.
    pub rate: f64,
}

/// The quote settings the blueprint wrote (the others are the language's defaults).
#[derive(Clone, Copy, Debug, Default)]
pub struct Written {
    pub margin: bool,
    pub amortize: bool,
    pub utilization: bool,
    pub facility: bool,
}

/// The quote's terms as applied.
#[derive(Clone, Debug, Default)]
pub struct Terms {
    pub margin: f64,
    pub amortize_years: u64,
    pub utilization: f64,
    pub facility: FacilityModel,
    pub facility_life_years: u64,
    pub maintenance_rate: f64,
    pub written: Written,
}

impl Terms {
    /// What the margin multiplies cost by to give the margin: m / (1 − m).
    pub fn margin_factor(&self) -> f64 {
        if self.margin < 1.0 {
            self.margin / (1.0 - self.margin)
        } else {
            0.0
        }
    }
}

/// An assumption the quote rests on; `render` gives its item, value and source.
#[derive(Clone, Debug, PartialEq)]
pub enum Assumption {
    Utilization,
    Amortization,
    Margin,
    /// The facility price (`Quote::facility`).
    Facility,
    /// The facility's life, from the catalog entry `id`.
    FacilityLife {
        id: String,
    },
    EnergyPrice {
        site: String,
        price: Option<Money>,
        source: EnergyPriceSource,
    },
    AnnualPue {
        site: String,
        pue: f64,
    },
    /// The maintenance rate (`Quote::maintenance`).
    Maintenance,
    HoursPerYear,
    IdlePower {
        idle_kw: f64,
        loaded_kw: f64,
    },
    ExchangeRate {
        rate: ExchangeRate,
        written: bool,
    },
    Prices,
}

impl Assumption {
    /// A language default or a catalog figure the blueprint did not choose.
    pub fn is_default(&self, terms: &Terms) -> bool {
        match self {
            Assumption::Utilization => !terms.written.utilization,
            Assumption::Amortization => !terms.written.amortize,
            Assumption::Margin => !terms.written.margin,
            Assumption::Facility => !terms.written.facility,
            Assumption::EnergyPrice { source, .. } => !matches!(source, EnergyPriceSource::Blueprint { .. }),
            Assumption::AnnualPue { .. } => false,
            Assumption::ExchangeRate { written, .. } => !written,
            Assumption::FacilityLife { .. }
            | Assumption::Maintenance
            | Assumption::HoursPerYear
            | Assumption::IdlePower { .. }
            | Assumption::Prices => true,
        }
    }
}

/// The quote's totals, whole units of the factory currency.
#[derive(Clone, Debug, Default)]
pub struct QuoteTotals {
    pub hardware: f64,
    pub margin_on_hardware: f64,
    pub facility: f64,
    /// Hardware + its margin + facility.
    pub capex: f64,
    pub software: f64,
    pub margin_on_software: f64,
    pub energy: f64,
    pub energy_kwh: f64,
    pub maintenance: f64,
    pub colocation: f64,
    /// Software + its margin + energy + maintenance + colocation, per year.
    pub opex_per_year: f64,
    pub hardware_amortization: f64,
    pub facility_amortization: f64,
    /// Amortisation + opex: what owning the factory costs a year.
    pub annual_cost: f64,
}

/// What the factory produces for its cost.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    /// The same number `plan` prints (`project::headline`).
    pub tokens_per_second: f64,
    pub tokens_per_second_per_mw: f64,
    pub tokens_per_second_per_gpu: f64,
    pub utilization: f64,
    pub tokens_per_year: f64,
    /// Annual cost over million output tokens a year; `None` without tokens.
    pub cost_per_million_tokens: Option<f64>,
    /// The same at the p90 end of the throughput band (the cheap end) and at its p10 end.
    pub cost_per_million_tokens_low: Option<f64>,
    pub cost_per_million_tokens_high: Option<f64>,
    /// The p10 and p90 ends of `tokens_per_second`.
    pub tokens_per_second_low: f64,
    pub tokens_per_second_high: f64,
    /// Output tokens a year per unit of the factory currency.
    pub tokens_per_currency_unit: Option<f64>,
}

/// The bill of materials and the quote.
#[derive(Clone, Debug, Default)]
pub struct Quote {
    pub currency: String,
    pub bom: Bom,
    pub lines: Vec<QuoteLine>,
    pub totals: QuoteTotals,
    pub projection: Projection,
    pub terms: Terms,
    pub facility: Option<FacilityPrice>,
    pub maintenance: Option<MaintenanceRate>,
    pub assumptions: Vec<Assumption>,
    pub problems: Vec<Problem>,
}

/// Adds the quote's lines and assumptions in order, keeping the running totals.
struct Builder<'p, 'f, 'c> {
    factory: &'f Factory<'c>,
    plan: &'f Plan,
    pricer: &'p mut Pricer<'f, 'c>,
    currency: String,
    terms: Terms,
    lines: Vec<QuoteLine>,
    assumptions: Vec<Assumption>,
    totals: QuoteTotals,
    facility: Option<FacilityPrice>,
}

impl Builder<'_, '_, '_> {
    fn push(&mut self, item: QuoteItem, quantity: f64, unit: QuantityUnit, rate: Option<Rate>, amount: Option<f64>) {
        let amount = amount.map(|a| Money { amount: a, currency: self.currency.clone(), rounding: Rounding::Whole });
        self.lines.push(QuoteLine { item, quantity, unit, rate, amount });
    }

    /// The hardware at cost and its margin.
    fn capex(&mut self, hardware: f64) {
        let factor = self.terms.margin_factor();
        let margin = (hardware * factor).round();
        self.push(QuoteItem::Hardware, 0.0, QuantityUnit::None, None, Some(hardware));
        self.push(
            QuoteItem::HardwareMargin,
            hardware,
            QuantityUnit::Currency,
            Some(Rate::Fraction(factor)),
            Some(margin),
        );
        self.totals.hardware = hardware;
        self.totals.margin_on_hardware = margin;
    }

    /// The facility per site: built (capex per MW of IT load) or colocated (opex per kW-month).
    fn facility(&mut self, entry: Option<&Finance>) {
        let model = self.terms.facility;
        let build = model == FacilityModel::Build;
        let span = self.factory.quote.span;
        let Some(f) = entry else {
            let use_ = if build { FinanceUse::FacilityBuild } else { FinanceUse::Colocation };
            for _ in &self.factory.sites {
                self.pricer.unpriced(model.as_str(), UnpricedReason::NoFinance { use_ }, span);
            }
            return;
        };
        let priced =
            self.pricer.price(&f.id, f.price.as_ref(), if build { Rounding::Whole } else { Rounding::Exact }, span);
        let unit = match priced.unit {
            Some(m) if !build => Some(Money::rounded(m.amount, m.currency, Rounding::Cents)),
            other => other,
        };
        for (site, sp) in self.factory.sites.iter().zip(&self.plan.sites) {
            let it_kw = sp.it_power.kw();
            let site = site.name.value.clone();
            let rate = unit.clone().map(Rate::Price);
            if build {
                let mw = it_kw / 1e3;
                let amount = unit.as_ref().map(|u| (u.amount * mw).round());
                self.totals.facility += amount.unwrap_or(0.0);
                self.push(QuoteItem::Facility { site }, mw, QuantityUnit::Megawatts, rate, amount);
            } else {
                let kw_months = it_kw * 12.0;
                let amount = unit.as_ref().map(|u| (u.amount * kw_months).round());
                self.totals.colocation += amount.unwrap_or(0.0);
                self.push(QuoteItem::Colocation { site, it_kw }, kw_months, QuantityUnit::KilowattMonths, rate, amount);
            }
        }
        let per = f.per.unwrap_or(if build { "MW" } else { "kW-month" });
        let (id, name) = (f.id.clone(), f.name.clone());
        self.facility = Some(FacilityPrice { id, name, per, price: unit, source: priced.source });
        self.assumptions.push(Assumption::Facility);
        if build {
            self.assumptions.push(Assumption::FacilityLife { id: f.id.clone() });
        }
    }

    /// Software and support from the bill of materials, and its margin.
    fn software(&mut self, software: f64) {
        let factor = self.terms.margin_factor();
        let margin = (software * factor).round();
        self.push(QuoteItem::Software, 0.0, QuantityUnit::None, None, Some(software));
        self.push(
            QuoteItem::SoftwareMargin,
            software,
            QuantityUnit::Currency,
            Some(Rate::Fraction(factor)),
            Some(margin),
        );
        self.totals.software = software;
        self.totals.margin_on_software = margin;
    }

    /// A site's energy price per kWh: its own, else the catalog's default (a W1001 problem).
    fn energy_price(&mut self, index: usize, default: Option<&Finance>) -> (Option<Money>, EnergyPriceSource) {
        let Some(site) = self.factory.sites.get(index) else { return (None, EnergyPriceSource::Missing) };
        if let Some(m) = &site.power.energy_price_per_kwh {
            let price = Money::new(m.amount, self.currency.clone());
            return (Some(price), EnergyPriceSource::Blueprint { site: site.name.value.clone() });
        }
        let span = Some(site.power.span);
        let Some(f) = default else {
            self.pricer.unpriced("energy", UnpricedReason::NoEnergyPrice, span);
            return (None, EnergyPriceSource::Missing);
        };
        let priced = self.pricer.price(&f.id, f.price.as_ref(), Rounding::Exact, span);
        let source = EnergyPriceSource::Catalog { finance: f.name.clone(), price: priced.source };
        // Without a price in the factory currency it is unpriced (W1002) instead.
        if let Some(price) = &priced.unit {
            let problem = Problem::DefaultEnergyPrice { site: index, price: price.clone(), source: source.clone() };
            self.pricer.problems.push(problem);
        }
        (priced.unit, source)
    }

    /// Each site's energy for a year: idle power all year, plus the loaded share at utilisation.
    fn energy(&mut self, default: Option<&Finance>) {
        let u = self.terms.utilization;
        for (i, (site, sp)) in self.factory.sites.iter().zip(&self.plan.sites).enumerate() {
            let (price, source) = self.energy_price(i, default);
            let (idle_kw, loaded_kw, pue) = (sp.it_power_idle.kw(), sp.it_power.kw(), site.power.pue);
            let kwh = HOURS_PER_YEAR * pue * (idle_kw + u * (loaded_kw - idle_kw));
            let amount = price.as_ref().map(|p| (kwh * p.amount).round());
            self.totals.energy += amount.unwrap_or(0.0);
            self.totals.energy_kwh += kwh;
            let name = site.name.value.clone();
            let item =
                QuoteItem::Energy { site: name.clone(), pue, idle_kw, loaded_kw, source: Box::new(source.clone()) };
            self.push(item, kwh, QuantityUnit::KilowattHours, price.clone().map(Rate::Price), amount);
            self.assumptions.push(Assumption::EnergyPrice { site: name.clone(), price, source });
            self.assumptions.push(Assumption::AnnualPue { site: name, pue });
        }
    }

    /// Maintenance as a yearly fraction of the hardware at cost.
    fn maintenance(&mut self, entry: Option<&Finance>) {
        let rate = entry.and_then(|f| f.rate).unwrap_or(0.0);
        let hardware = self.totals.hardware;
        self.totals.maintenance = (hardware * rate).round();
        self.terms.maintenance_rate = rate;
        if entry.is_some() {
            let amount = Some(self.totals.maintenance);
            self.push(QuoteItem::Maintenance, hardware, QuantityUnit::Currency, Some(Rate::Fraction(rate)), amount);
            self.assumptions.push(Assumption::Maintenance);
        }
    }

    /// Straight-line amortisation of the hardware (with its margin) and the building, and the
    /// yearly cost of ownership.
    fn annual(&mut self) {
        let t = &self.totals;
        let years = self.terms.amortize_years;
        let life = self.terms.facility_life_years;
        let hardware = t.hardware + t.margin_on_hardware;
        let opex = t.software + t.margin_on_software + t.energy + t.maintenance + t.colocation;
        let facility = t.facility;
        let hardware_amortization = (hardware / years as f64).round();
        let facility_amortization = (facility / life as f64).round();
        let rate = Some(Rate::Fraction(1.0 / years as f64));
        self.push(QuoteItem::HardwareAmortization, hardware, QuantityUnit::Currency, rate, Some(hardware_amortization));
        let build = self.terms.facility == FacilityModel::Build;
        if build {
            let rate = Some(Rate::Fraction(1.0 / life as f64));
            self.push(
                QuoteItem::FacilityAmortization,
                facility,
                QuantityUnit::Currency,
                rate,
                Some(facility_amortization),
            );
        }
        self.push(QuoteItem::Opex, 0.0, QuantityUnit::None, None, Some(opex));
        let t = &mut self.totals;
        t.capex = t.hardware + t.margin_on_hardware + t.facility;
        t.opex_per_year = opex;
        t.hardware_amortization = hardware_amortization;
        t.facility_amortization = if build { facility_amortization } else { 0.0 };
        t.annual_cost = hardware_amortization + facility_amortization + opex;
    }

    /// The assumptions every quote has, after the per-item ones.
    fn closing_assumptions(&mut self) {
        let idle_kw = self.plan.sites.iter().map(|s| s.it_power_idle.kw()).sum();
        let loaded_kw = super::headline(self.plan).it_power_kw;
        self.assumptions.push(Assumption::HoursPerYear);
        self.assumptions.push(Assumption::IdlePower { idle_kw, loaded_kw });
        for rate in &self.pricer.rates_used {
            let written = self.factory.quote.exchange_rates.iter().any(|(c, _)| *c == rate.from);
            self.assumptions.push(Assumption::ExchangeRate { rate: rate.clone(), written });
        }
        self.assumptions.push(Assumption::Prices);
    }
}

/// The terms as the blueprint set them, clamped to what the formulas accept.
fn terms(factory: &Factory, facility_life_years: u64) -> Terms {
    let q = &factory.quote;
    let written = |key: &str| !q.defaulted.contains(&key);
    Terms {
        margin: q.margin.clamp(0.0, MAX_MARGIN),
        amortize_years: q.amortize_years.max(1),
        utilization: q.utilization,
        facility: q.facility,
        facility_life_years,
        maintenance_rate: 0.0,
        written: Written {
            margin: written("margin"),
            amortize: written("amortize"),
            utilization: written("utilization"),
            facility: written("facility"),
        },
    }
}

/// Tokens a year and the cost of each million of them.
fn projection(plan: &Plan, utilization: f64, annual_cost: f64) -> Projection {
    let headline = super::headline(plan);
    let tokens_per_year = headline.tokens_per_second * utilization * SECONDS_PER_YEAR;
    let cost_at = |tokens_per_second: f64| {
        let per_year = tokens_per_second * utilization * SECONDS_PER_YEAR;
        (per_year > 0.0).then(|| annual_cost / (per_year / 1e6))
    };
    Projection {
        tokens_per_second: headline.tokens_per_second,
        tokens_per_second_per_mw: headline.tokens_per_second_per_mw,
        tokens_per_second_per_gpu: headline.tokens_per_second_per_gpu,
        utilization,
        tokens_per_year,
        cost_per_million_tokens: (tokens_per_year > 0.0).then(|| annual_cost / (tokens_per_year / 1e6)),
        cost_per_million_tokens_low: cost_at(headline.tokens_per_second_high),
        cost_per_million_tokens_high: cost_at(headline.tokens_per_second_low),
        tokens_per_second_low: headline.tokens_per_second_low,
        tokens_per_second_high: headline.tokens_per_second_high,
        tokens_per_currency_unit: (annual_cost > 0.0 && tokens_per_year > 0.0).then(|| tokens_per_year / annual_cost),
    }
}

/// Computes the bill of materials and the quote.
pub fn compute(factory: &Factory, plan: &Plan, catalog: &Catalog) -> Quote {
    let currency = factory.currency.clone();
    let mut pricer = Pricer::new(factory, catalog);
    let lines = bom::lines(&mut pricer, factory, plan);
    let bom = Bom { totals: bom::totals(&lines, factory, plan), lines };

    let model = factory.quote.facility;
    let facility_use = if model == FacilityModel::Build { FinanceUse::FacilityBuild } else { FinanceUse::Colocation };
    let facility_entry = finance(catalog, facility_use, &currency);
    let life = facility_entry.and_then(|f| f.life_years).unwrap_or(DEFAULT_FACILITY_LIFE).max(1);
    let maintenance_entry = finance(catalog, FinanceUse::Maintenance, &currency);
    let energy_entry = finance(catalog, FinanceUse::EnergyPrice, &currency);

    let mut b = Builder {
        factory,
        plan,
        pricer: &mut pricer,
        currency: currency.clone(),
        terms: terms(factory, life),
        lines: Vec::new(),
        assumptions: vec![Assumption::Utilization, Assumption::Amortization, Assumption::Margin],
        totals: QuoteTotals::default(),
        facility: None,
    };
    b.capex(bom.totals.capex);
    b.facility(facility_entry);
    b.software(bom.totals.opex_per_year);
    b.energy(energy_entry);
    b.maintenance(maintenance_entry);
    b.annual();
    b.closing_assumptions();
    let Builder { mut lines, assumptions, totals, terms, facility, .. } = b;
    // A stable sort: sites keep their order within an item.
    lines.sort_by_key(|l| (l.item.section(), l.item.rank()));

    let maintenance = maintenance_entry.map(|f| MaintenanceRate {
        id: f.id.clone(),
        name: f.name.clone(),
        date: f.date.clone(),
        rate: terms.maintenance_rate,
    });
    Quote {
        currency,
        projection: projection(plan, terms.utilization, totals.annual_cost),
        bom,
        lines,
        totals,
        terms,
        facility,
        maintenance,
        assumptions,
        problems: pricer.problems,
    }
}

#[cfg(test)]
mod tests {
    /// The text-making macros, spelt so this file's own test does not match them.
    const TEXT_MAKERS: [&str; 3] = [concat!("format", "!("), concat!("write", "!("), concat!("writeln", "!(")];

    #[test]
    fn the_quote_is_figures_and_render_makes_its_text() {
        for (file, text) in [
            ("pricing.rs", include_str!("pricing.rs")),
            ("bom/mod.rs", include_str!("bom/mod.rs")),
            ("bom/fabrics.rs", include_str!("bom/fabrics.rs")),
            ("quote.rs", include_str!("quote.rs")),
        ] {
            for maker in TEXT_MAKERS {
                assert!(
                    !text.contains(maker),
                    "project/{file} makes text with {maker}; words belong in render::quote_text"
                );
            }
        }
    }
}
