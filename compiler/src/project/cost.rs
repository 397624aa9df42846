//! The bill of materials and the quote. Every line is derived from the resolved factory and the
//! plan (systems and enclosures from the racks, switches from the fabric sizing, optics and cables
//! from its port and link counts, CDUs from the loops, PDUs from the racks' power, software per GPU
//! or node) and priced from the catalog's dated estimates or the blueprint's overrides, converted
//! into the factory's currency. The quote adds the facility, energy, maintenance, amortisation and
//! margin, and divides by the tokens the plan projects. Formulas and sources: `docs/quote.md`.
//!
//! Money is rounded to whole units of the factory currency line by line (unit prices and amounts),
//! and every total is the sum of its rounded lines, so printed totals add up exactly.

use super::Plan;
use crate::ast::FacilityModel;
use crate::catalog::{Catalog, Finance, FinanceUse, LinkEnd, NicRole, Price, ServiceUnit, Transceiver};
use crate::model::{Factory, RackContents};
use crate::source::Span;
use crate::units::{group_thousands, BitsPerSecond};

/// Hours in a (non-leap) year: energy is billed over all of them, idle or not.
pub const HOURS_PER_YEAR: f64 = 8760.0;
/// Seconds in a year, for tokens per year.
pub const SECONDS_PER_YEAR: f64 = HOURS_PER_YEAR * 3600.0;
/// Life of a building when the catalog gives none.
const DEFAULT_FACILITY_LIFE: u64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Compute,
    Network,
    Cooling,
    Power,
    Software,
    Services,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Compute => "compute",
            Category::Network => "network",
            Category::Cooling => "cooling",
            Category::Power => "power",
            Category::Software => "software",
            Category::Services => "services",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Once,
    Year,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Once => "once",
            Period::Year => "year",
        }
    }
}

/// One line of the bill of materials.
#[derive(Clone, Debug)]
pub struct Line {
    /// The catalog id (empty when no catalog part fits).
    pub part: String,
    pub description: String,
    pub category: Category,
    pub period: Period,
    pub quantity: u64,
    /// In the factory currency, whole units; `None` when no price is known.
    pub unit_price: Option<f64>,
    /// `quantity × unit_price`.
    pub extended_price: Option<f64>,
    /// How the quantity follows from the blueprint and the plan.
    pub basis: String,
    /// Where the unit price comes from.
    pub source: String,
    /// Where the blueprint asks for the part, for diagnostics.
    pub span: Option<Span>,
}

/// Which part of the quote a quote line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One line of the quote: an amount with the quantity and rate it comes from.
#[derive(Clone, Debug)]
pub struct QuoteLine {
    /// `hardware`, `margin`, `facility`, `software`, `energy`, `maintenance`, `colocation`,
    /// `amortization`.
    pub key: &'static str,
    pub section: Section,
    pub label: String,
    pub quantity: f64,
    pub unit: String,
    pub rate: Option<f64>,
    pub amount: Option<f64>,
    pub basis: String,
    pub source: String,
}

/// An assumption the quote rests on, with where it comes from.
#[derive(Clone, Debug)]
pub struct Assumption {
    pub item: String,
    pub value: String,
    pub source: String,
    /// A language default or a catalog figure the blueprint did not choose.
    pub default: bool,
}

/// What the quote could not do as the blueprint asked; the `quote` check reports these.
#[derive(Clone, Debug)]
pub enum Problem {
    /// A site without `energy-price`: the catalog's default price was used.
    DefaultEnergyPrice { site: usize, price: String, source: String },
    /// A line without a price: no catalog price, or no exchange rate into the factory currency.
    Unpriced { part: String, reason: String, span: Option<Span> },
}

/// The bill of materials' totals.
#[derive(Clone, Debug, Default)]
pub struct BomTotals {
    /// Sum of the `once` lines.
    pub capex: f64,
    /// Sum of the `year` lines.
    pub opex_per_year: f64,
    pub lines: u64,
    pub unpriced_lines: u64,
    pub gpus: u64,
    pub racks: u64,
    pub systems: u64,
    pub nodes: u64,
    pub it_power_kw: f64,
    pub facility_power_kw: f64,
}

/// The quote's totals.
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
    /// Output tokens a year per unit of the factory currency.
    pub tokens_per_currency_unit: Option<f64>,
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
}

#[derive(Clone, Debug, Default)]
pub struct Cost {
    pub currency: String,
    pub lines: Vec<Line>,
    pub totals: BomTotals,
    pub quote: Vec<QuoteLine>,
    pub quote_totals: QuoteTotals,
    pub projection: Projection,
    pub terms: Terms,
    pub assumptions: Vec<Assumption>,
    pub problems: Vec<Problem>,
}

/// A number for a basis or source text: whole and grouped from 1,000, one decimal from 100, three
/// from 1, four below.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x.abs() >= 1000.0 {
        return group_thousands(x.round());
    }
    let digits = if x.abs() >= 100.0 {
        1
    } else if x.abs() >= 1.0 {
        3
    } else {
        4
    };
    crate::units::fixed(x, digits)
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

struct Priced {
    unit: Option<f64>,
    source: String,
}

/// Prices parts in the factory currency and remembers what it could not price.
struct Pricer<'f, 'c> {
    factory: &'f Factory<'c>,
    catalog: &'c Catalog,
    problems: Vec<Problem>,
    /// Exchange rates used: (from, rate, source).
    rates_used: Vec<(String, f64, String)>,
}

impl Pricer<'_, '_> {
    fn currency(&self) -> &str {
        &self.factory.currency
    }

    /// One unit of `from` in the factory currency: the blueprint's `exchange-rate`, else the
    /// catalog's (direct or inverse).
    fn rate(&mut self, from: &str) -> Option<(f64, String)> {
        let to = self.factory.currency.clone();
        if from == to {
            return Some((1.0, String::new()));
        }
        let found = if let Some((_, r)) = self.factory.quote.exchange_rates.iter().find(|(c, _)| c == from) {
            Some((r.value, format!("blueprint: exchange-rate ({to}){} per=\"{from}\"", r.value)))
        } else {
            let catalog: Vec<&Finance> =
                self.catalog.finances().filter(|f| f.use_ == FinanceUse::ExchangeRate).collect();
            let direct = catalog.iter().find_map(|f| {
                let (amount, per) = f.exchange.as_ref()?;
                (per == from && amount.currency == to)
                    .then(|| (amount.amount, format!("catalog {}, estimate {}", f.id, f.date)))
            });
            direct.or_else(|| {
                catalog.iter().find_map(|f| {
                    let (amount, per) = f.exchange.as_ref()?;
                    (per == &to && amount.currency == from && amount.amount > 0.0)
                        .then(|| (1.0 / amount.amount, format!("catalog {}, inverted, estimate {}", f.id, f.date)))
                })
            })
        };
        if let Some((r, source)) = &found {
            if !self.rates_used.iter().any(|(f, _, _)| f == from) {
                self.rates_used.push((from.to_string(), *r, source.clone()));
            }
        }
        found
    }

    fn unpriced(&mut self, part: &str, reason: String, span: Option<Span>) {
        if !self
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Unpriced { part: q, reason: r, .. } if q == part && *r == reason))
        {
            self.problems.push(Problem::Unpriced { part: part.to_string(), reason, span });
        }
    }

    /// A part's unit price in the factory currency: the blueprint's `quote price`, else the
    /// catalog's estimate converted at the exchange rate. `whole` rounds it to whole units.
    fn price(&mut self, id: &str, catalog: Option<&Price>, whole: bool, span: Option<Span>) -> Priced {
        if let Some((_, m)) = self.factory.quote.price_overrides.iter().find(|(p, _)| p == id) {
            return Priced {
                unit: Some(m.value.amount),
                source: format!("blueprint: quote price \"{id}\" ({}){}", m.value.currency, m.value.amount),
            };
        }
        let Some(p) = catalog else {
            self.unpriced(id, "the catalog has no price for it".to_string(), span);
            return Priced { unit: None, source: "no price in the catalog".to_string() };
        };
        let from = p.amount.currency.clone();
        match self.rate(&from) {
            Some((r, rate_source)) if rate_source.is_empty() => Priced {
                unit: Some(if whole { (p.amount.amount * r).round() } else { p.amount.amount * r }),
                source: format!("catalog {id}, estimate {}", p.date),
            },
            Some((r, rate_source)) => {
                let converted = p.amount.amount * r;
                Priced {
                    unit: Some(if whole { converted.round() } else { converted }),
                    source: format!(
                        "catalog {id}: {from} {}, estimate {}; × {} {}/{from} ({rate_source})",
                        num(p.amount.amount),
                        p.date,
                        num(r),
                        self.currency()
                    ),
                }
            }
            None => {
                let reason = format!("no exchange rate from {from} to {}", self.currency());
                self.unpriced(id, reason.clone(), span);
                Priced { unit: None, source: reason }
            }
        }
    }
}

/// Lines keyed by part id, in order of first appearance, with counts per site for the basis.
#[derive(Default)]
struct Tally {
    items: Vec<TallyItem>,
}

struct TallyItem {
    id: String,
    count: u64,
    per_site: Vec<(String, u64)>,
    span: Option<Span>,
}

impl Tally {
    fn add(&mut self, id: &str, site: &str, n: u64, span: Option<Span>) {
        if n == 0 {
            return;
        }
        let item = match self.items.iter_mut().position(|i| i.id == id) {
            Some(i) => self.items.get_mut(i),
            None => {
                self.items.push(TallyItem { id: id.to_string(), count: 0, per_site: Vec::new(), span });
                self.items.last_mut()
            }
        };
        let Some(item) = item else { return };
        item.count = item.count.saturating_add(n);
        match item.per_site.iter_mut().find(|(s, _)| s == site) {
            Some((_, c)) => *c = c.saturating_add(n),
            None => item.per_site.push((site.to_string(), n)),
        }
    }
}

/// `espoo-1: 32 racks; lyon-1: 16 racks`; `what` is the singular and the plural.
fn per_site(item: &TallyItem, what: (&str, &str)) -> String {
    item.per_site
        .iter()
        .map(|(s, n)| format!("{s}: {} {}", group_thousands(*n as f64), if *n == 1 { what.0 } else { what.1 }))
        .collect::<Vec<_>>()
        .join("; ")
}

fn catalog_amount(p: Option<&Price>) -> f64 {
    p.map(|p| p.amount.amount).unwrap_or(f64::INFINITY)
}

fn same_speed(a: BitsPerSecond, b: BitsPerSecond) -> bool {
    (a.0 - b.0).abs() <= b.0 * 0.001
}

/// The switch-side module for a cage of `speed`: exact speed first, cheapest, then by id.
fn switch_module(catalog: &Catalog, speed: BitsPerSecond) -> Option<&Transceiver> {
    let fits = |t: &&Transceiver| !t.is_cable && t.end != Some(LinkEnd::Host);
    let exact = catalog.transceivers().filter(fits).filter(|t| same_speed(t.speed, speed)).min_by(|a, b| {
        catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())).then(a.id.cmp(&b.id))
    });
    exact.or_else(|| {
        catalog.transceivers().filter(fits).filter(|t| t.speed.0 >= speed.0 * 0.999).min_by(|a, b| {
            a.speed
                .0
                .total_cmp(&b.speed.0)
                .then(catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())))
                .then(a.id.cmp(&b.id))
        })
    })
}

/// The host-side module for a NIC port: exact speed, made for the NIC's role, of the switch
/// module's medium, cheapest, then by id.
fn host_module<'c>(
    catalog: &'c Catalog,
    speed: BitsPerSecond,
    role: NicRole,
    medium: Option<&str>,
) -> Option<&'c Transceiver> {
    let fits = |t: &&Transceiver| !t.is_cable && t.end != Some(LinkEnd::Switch);
    let score = |t: &Transceiver| {
        let role_rank = match t.nic {
            Some(r) if r == role => 0,
            None => 1,
            Some(_) => 2,
        };
        let medium_rank = if medium.is_none() || t.medium == medium { 0 } else { 1 };
        (role_rank, medium_rank)
    };
    let pick = |candidates: Vec<&'c Transceiver>| {
        candidates.into_iter().min_by(|a, b| {
            score(a)
                .cmp(&score(b))
                .then(catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())))
                .then(a.id.cmp(&b.id))
        })
    };
    pick(catalog.transceivers().filter(fits).filter(|t| same_speed(t.speed, speed)).collect()).or_else(|| {
        let faster: Vec<&Transceiver> =
            catalog.transceivers().filter(fits).filter(|t| t.speed.0 >= speed.0 * 0.999).collect();
        let lowest = faster.iter().map(|t| t.speed.0).fold(f64::INFINITY, f64::min);
        pick(faster.into_iter().filter(|t| t.speed.0 <= lowest).collect())
    })
}

/// The cable of a link: the modules' medium, fast enough, cheapest, then by id.
fn cable<'c>(catalog: &'c Catalog, speed: BitsPerSecond, medium: Option<&str>) -> Option<&'c Transceiver> {
    catalog
        .transceivers()
        .filter(|t| t.is_cable && (medium.is_none() || t.medium == medium) && t.speed.0 >= speed.0 * 0.999)
        .min_by(|a, b| {
            catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())).then(a.id.cmp(&b.id))
        })
}

fn gbps(s: BitsPerSecond) -> String {
    format!("{}G", num(s.0 / 1e9))
}

struct Builder<'f, 'c> {
    pricer: Pricer<'f, 'c>,
    lines: Vec<Line>,
}

impl Builder<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        part: &str,
        description: &str,
        category: Category,
        period: Period,
        quantity: u64,
        price: Option<&Price>,
        basis: String,
        span: Option<Span>,
    ) {
        if quantity == 0 {
            return;
        }
        let priced = self.pricer.price(part, price, true, span);
        self.lines.push(Line {
            part: part.to_string(),
            description: description.to_string(),
            category,
            period,
            quantity,
            unit_price: priced.unit,
            extended_price: priced.unit.map(|u| u * quantity as f64),
            basis,
            source: priced.source,
            span,
        });
    }

    /// A line with no catalog part to price it.
    fn missing(&mut self, description: String, category: Category, quantity: u64, basis: String, reason: String) {
        if quantity == 0 {
            return;
        }
        self.pricer.unpriced("", reason.clone(), None);
        self.lines.push(Line {
            part: String::new(),
            description,
            category,
            period: Period::Once,
            quantity,
            unit_price: None,
            extended_price: None,
            basis,
            source: reason,
            span: None,
        });
    }
}

fn compute_lines(b: &mut Builder, factory: &Factory) {
    let mut systems = Tally::default();
    let mut enclosures = Tally::default();
    for site in &factory.sites {
        let name = site.name.value.as_str();
        for (row, group) in site.rack_groups() {
            let racks = row.count.saturating_mul(group.per_row);
            match &group.contents {
                RackContents::RackScale(s) => systems.add(&s.id, name, racks, Some(group.part_span)),
                RackContents::Enclosure { enclosure, systems: inside } => {
                    enclosures.add(&enclosure.id, name, racks, Some(group.part_span));
                    for g in inside {
                        systems.add(&g.system.id, name, g.count.saturating_mul(racks), Some(g.span));
                    }
                }
            }
        }
    }
    for item in &systems.items {
        let Some(s) = b.pricer.catalog.system(&item.id) else { continue };
        let what = if s.form == crate::catalog::Form::RackScale { ("rack", "racks") } else { ("server", "servers") };
        b.line(
            &s.id,
            &s.name,
            Category::Compute,
            Period::Once,
            item.count,
            s.price.as_ref(),
            format!("{} ({} GPUs each)", per_site(item, what), s.gpu_count),
            item.span,
        );
    }
    for item in &enclosures.items {
        let Some(e) = b.pricer.catalog.enclosure(&item.id) else { continue };
        b.line(
            &e.id,
            &e.name,
            Category::Compute,
            Period::Once,
            item.count,
            e.price.as_ref(),
            per_site(item, ("rack", "racks")),
            item.span,
        );
    }
}

fn network_lines(b: &mut Builder, factory: &Factory, plan: &Plan) {
    let catalog = b.pricer.catalog;
    for (fabric, fp) in factory.fabrics.iter().zip(&plan.fabrics) {
        let Some((switch, switch_span)) = fabric.switch else { continue };
        let fname = &fabric.name.value;
        let shape = format!(
            "{} endpoints at {} on {} ports, {} tier(s), {}:1",
            group_thousands(fp.endpoints as f64),
            gbps(fp.endpoint_speed),
            fp.radix.map(|r| r.to_string()).unwrap_or_else(|| "?".into()),
            fp.tiers,
            num(fp.oversubscription)
        );
        for (tier, count) in [("leaf", fp.switches.leaf), ("spine", fp.switches.spine), ("core", fp.switches.core)] {
            b.line(
                &switch.id,
                &switch.name,
                Category::Network,
                Period::Once,
                count,
                switch.price.as_ref(),
                format!("fabric {fname}, {tier} tier: {shape}"),
                Some(switch_span),
            );
        }
        if fp.radix.is_none() || fp.endpoints == 0 {
            continue;
        }
        let switch_side: u64 = fp.sites.iter().map(|s| s.switch_transceivers).sum();
        let host_side: u64 = fp.sites.iter().map(|s| s.host_transceivers).sum();
        // A cage carries `ports_per_cage` ports of the mode the endpoints run at (a 200G host on
        // a 400G port still needs the 2 × 400G module in the cage).
        let port_speed = switch.radix_at(fp.endpoint_speed).map(|m| m.speed).unwrap_or(fp.endpoint_speed);
        let cage_speed = BitsPerSecond(port_speed.0 * fp.ports_per_cage.max(1) as f64);
        let sm = switch_module(catalog, cage_speed);
        let medium = sm.and_then(|t| t.medium);
        let cage_basis = format!(
            "fabric {fname}: {} switch ports at {} in cages of {} port(s)",
            group_thousands(
                fp.sites
                    .iter()
                    .map(|s| {
                        s.clos
                            .host_links
                            .saturating_add(s.clos.leaf_spine_links.saturating_mul(2))
                            .saturating_add(s.clos.spine_core_links.saturating_mul(2))
                    })
                    .sum::<u64>() as f64
            ),
            gbps(port_speed),
            fp.ports_per_cage.max(1)
        );
        match sm {
            Some(t) => b.line(
                &t.id,
                &t.name,
                Category::Network,
                Period::Once,
                switch_side,
                t.price.as_ref(),
                cage_basis,
                Some(switch_span),
            ),
            None => b.missing(
                format!("Switch-side module, {}", gbps(cage_speed)),
                Category::Network,
                switch_side,
                cage_basis,
                format!("the catalog has no switch-side transceiver at {}", gbps(cage_speed)),
            ),
        }
        let role = fabric.nic_role();
        let host_basis = format!("fabric {fname}: one per {} NIC port", role.as_str());
        match host_module(catalog, fp.endpoint_speed, role, medium) {
            Some(t) => b.line(
                &t.id,
                &t.name,
                Category::Network,
                Period::Once,
                host_side,
                t.price.as_ref(),
                host_basis,
                fabric.switch.map(|(_, s)| s),
            ),
            None => b.missing(
                format!("Host-side module, {}", gbps(fp.endpoint_speed)),
                Category::Network,
                host_side,
                host_basis,
                format!("the catalog has no host-side transceiver at {}", gbps(fp.endpoint_speed)),
            ),
        }
        let links: Vec<String> = {
            let (h, ls, sc) = fp.sites.iter().fold((0u64, 0u64, 0u64), |acc, s| {
                (
                    acc.0.saturating_add(s.clos.host_links),
                    acc.1.saturating_add(s.clos.leaf_spine_links),
                    acc.2.saturating_add(s.clos.spine_core_links),
                )
            });
            [("host–leaf", h), ("leaf–spine", ls), ("spine–core", sc)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{} {k}", group_thousands(n as f64)))
                .collect()
        };
        let cable_basis = format!("fabric {fname}: one per link ({})", links.join(", "));
        match cable(catalog, fp.endpoint_speed, medium) {
            Some(t) => b.line(
                &t.id,
                &t.name,
                Category::Network,
                Period::Once,
                fp.cables,
                t.price.as_ref(),
                cable_basis,
                Some(switch_span),
            ),
            None => b.missing(
                format!("Cable, {} {}", medium.unwrap_or("any medium"), gbps(fp.endpoint_speed)),
                Category::Network,
                fp.cables,
                cable_basis,
                format!("the catalog has no {} cable at {}", medium.unwrap_or(""), gbps(fp.endpoint_speed)),
            ),
        }
    }
    // Out-of-band management: servers' BMC ports on management switches, per rack. Rack-scale
    // systems carry their own management switches.
    let Some(mgmt) = catalog.switches().filter(|s| s.management).min_by(|a, b| {
        catalog_amount(a.price.as_ref()).total_cmp(&catalog_amount(b.price.as_ref())).then(a.id.cmp(&b.id))
    }) else {
        return;
    };
    let mut tally = Tally::default();
    let mut shapes: Vec<String> = Vec::new();
    for site in &factory.sites {
        for (row, group) in site.rack_groups() {
            let RackContents::Enclosure { systems, .. } = &group.contents else { continue };
            let (ports, speed) =
                systems.iter().fold((0u64, BitsPerSecond(0.0)), |(p, s), g| match g.system.nic(NicRole::Bmc) {
                    Some(nic) => (
                        p.saturating_add(nic.count.saturating_mul(g.count)),
                        if nic.speed.0 > s.0 { nic.speed } else { s },
                    ),
                    None => (p, s),
                });
            if ports == 0 {
                continue;
            }
            let access = mgmt.radix_at(speed).map(|m| m.count).unwrap_or(1).max(1);
            let per_rack = ports.div_ceil(access);
            let racks = row.count.saturating_mul(group.per_row);
            tally.add(&mgmt.id, &site.name.value, per_rack.saturating_mul(racks), Some(group.part_span));
            let shape = format!(
                "{per_rack} per rack for {ports} BMC port{} on {access} access ports",
                if ports == 1 { "" } else { "s" }
            );
            if !shapes.contains(&shape) {
                shapes.push(shape);
            }
        }
    }
    if let Some(item) = tally.items.first() {
        b.line(
            &mgmt.id,
            &mgmt.name,
            Category::Network,
            Period::Once,
            item.count,
            mgmt.price.as_ref(),
            format!("out-of-band management, {}: {}", shapes.join("; "), per_site(item, ("switch", "switches"))),
            item.span,
        );
    }
}

fn cooling_lines(b: &mut Builder, factory: &Factory) {
    let mut tally = Tally::default();
    let mut notes: Vec<(String, String)> = Vec::new();
    for site in &factory.sites {
        for l in &site.loops {
            for g in &l.cdus {
                tally.add(&g.cdu.id, &site.name.value, g.count, Some(g.span));
                notes.push((
                    g.cdu.id.clone(),
                    format!("{} loop {}: {} ({})", site.name.value, l.name.value, g.count, g.redundancy.value.as_str()),
                ));
            }
        }
    }
    for item in &tally.items {
        let Some(c) = b.pricer.catalog.cdu(&item.id) else { continue };
        let mine: Vec<&str> = notes.iter().filter(|(id, _)| id == &item.id).map(|(_, n)| n.as_str()).collect();
        b.line(
            &c.id,
            &c.name,
            Category::Cooling,
            Period::Once,
            item.count,
            c.price.as_ref(),
            format!("CDUs as written, spares for redundancy included: {}", mine.join("; ")),
            item.span,
        );
    }
}

fn power_lines(b: &mut Builder, factory: &Factory) {
    let catalog = b.pricer.catalog;
    let pdus: Vec<_> = catalog.pdus().collect();
    if pdus.is_empty() {
        return;
    }
    let mut tally = Tally::default();
    let mut shapes: Vec<(String, String)> = Vec::new();
    for site in &factory.sites {
        for (row, group) in site.rack_groups() {
            // Rack-scale systems bring their own power shelves: only enclosures need PDUs.
            let RackContents::Enclosure { systems, .. } = &group.contents else { continue };
            let peak = group.power_peak();
            let inputs: u64 = systems
                .iter()
                .map(|g| g.system.power_input.as_ref().map(|p| p.count).unwrap_or(2).saturating_mul(g.count))
                .sum();
            if inputs == 0 && peak.0 <= 0.0 {
                continue;
            }
            let per_side_of = |p: &crate::catalog::Pdu| -> u64 {
                let by_power =
                    if p.capacity.0 > 0.0 { (peak.0 / p.capacity.0).ceil().max(1.0) as u64 } else { u64::MAX };
                let by_outlets = inputs.div_ceil(2).div_ceil(p.outlets.max(1));
                by_power.max(by_outlets).max(1)
            };
            let Some(best) = pdus.iter().min_by(|a, b| {
                let ca = per_side_of(a) as f64 * catalog_amount(a.price.as_ref());
                let cb = per_side_of(b) as f64 * catalog_amount(b.price.as_ref());
                ca.total_cmp(&cb).then(a.id.cmp(&b.id))
            }) else {
                continue;
            };
            let per_rack = per_side_of(best).saturating_mul(2);
            let racks = row.count.saturating_mul(group.per_row);
            tally.add(&best.id, &site.name.value, per_rack.saturating_mul(racks), Some(group.part_span));
            let shape = format!(
                "{per_rack} per rack (A and B sides, each for {} kW peak and {} of {inputs} power inputs)",
                num(peak.kw()),
                inputs.div_ceil(2)
            );
            if !shapes.iter().any(|(id, s)| id == &best.id && s == &shape) {
                shapes.push((best.id.clone(), shape));
            }
        }
    }
    for item in &tally.items {
        let Some(p) = pdus.iter().find(|p| p.id == item.id) else { continue };
        let mine: Vec<&str> = shapes.iter().filter(|(id, _)| id == &item.id).map(|(_, s)| s.as_str()).collect();
        b.line(
            &p.id,
            &p.name,
            Category::Power,
            Period::Once,
            item.count,
            p.price.as_ref(),
            format!("{}: {}", mine.join("; "), per_site(item, ("PDU", "PDUs"))),
            item.span,
        );
    }
}

fn service_lines(b: &mut Builder, factory: &Factory) {
    let catalog = b.pricer.catalog;
    for svc in catalog.services() {
        let mut tally = Tally::default();
        for site in &factory.sites {
            if let Some(os) = &svc.os {
                let site_os = site.software.os.as_ref().map(|o| o.value.as_str()).unwrap_or("");
                if !site_os.starts_with(os.as_str()) {
                    continue;
                }
            }
            for (row, group) in site.rack_groups() {
                let racks = row.count.saturating_mul(group.per_row);
                for (system, n) in group.systems() {
                    if let Some(v) = svc.gpu_vendor {
                        if catalog[system.gpu].vendor != v {
                            continue;
                        }
                    }
                    let per = match svc.per {
                        ServiceUnit::Gpu => system.gpu_count,
                        ServiceUnit::Node => system.hosts(),
                    };
                    tally.add(
                        &svc.id,
                        &site.name.value,
                        per.saturating_mul(n).saturating_mul(racks),
                        Some(group.part_span),
                    );
                }
            }
        }
        let Some(item) = tally.items.first() else { continue };
        let what = match svc.per {
            ServiceUnit::Gpu => ("GPU", "GPUs"),
            ServiceUnit::Node => ("node", "nodes"),
        };
        let mut why = Vec::new();
        if let Some(v) = svc.gpu_vendor {
            why.push(format!(
                "{} GPUs",
                match v {
                    crate::catalog::Vendor::Nvidia => "NVIDIA",
                    crate::catalog::Vendor::Amd => "AMD",
                    crate::catalog::Vendor::Other => "other",
                }
            ));
        }
        if let Some(os) = &svc.os {
            why.push(format!("sites whose os is {os}"));
        }
        b.line(
            &svc.id,
            &svc.name,
            if svc.category == "services" { Category::Services } else { Category::Software },
            Period::Year,
            item.count,
            svc.price.as_ref(),
            format!("per {} and year, for {}: {}", what.0, why.join(" on "), per_site(item, what)),
            item.span,
        );
    }
}

fn finance<'c>(catalog: &'c Catalog, use_: FinanceUse, currency: &str) -> Option<&'c Finance> {
    let all: Vec<&Finance> = catalog.finances().filter(|f| f.use_ == use_).collect();
    all.iter()
        .find(|f| f.price.as_ref().is_some_and(|p| p.amount.currency == currency))
        .or_else(|| all.iter().find(|f| f.price.as_ref().is_some_and(|p| p.amount.currency == "USD")))
        .or_else(|| all.first())
        .copied()
}

/// Computes the bill of materials and the quote.
pub fn compute(factory: &Factory, plan: &Plan, catalog: &Catalog) -> Cost {
    let currency = factory.currency.clone();
    let pricer = Pricer { factory, catalog, problems: Vec::new(), rates_used: Vec::new() };
    let mut b = Builder { pricer, lines: Vec::new() };
    compute_lines(&mut b, factory);
    network_lines(&mut b, factory, plan);
    cooling_lines(&mut b, factory);
    power_lines(&mut b, factory);
    service_lines(&mut b, factory);
    let Builder { mut pricer, lines } = b;

    let headline = super::headline(plan);
    let sum =
        |period: Period| -> f64 { lines.iter().filter(|l| l.period == period).filter_map(|l| l.extended_price).sum() };
    let totals = BomTotals {
        capex: sum(Period::Once),
        opex_per_year: sum(Period::Year),
        lines: lines.len() as u64,
        unpriced_lines: lines.iter().filter(|l| l.extended_price.is_none()).count() as u64,
        gpus: factory.total_gpus(),
        racks: headline.racks,
        systems: plan.sites.iter().map(|s| s.systems).sum(),
        nodes: factory.sites.iter().flat_map(|s| s.gpu_systems()).map(|(s, n)| s.hosts().saturating_mul(n)).sum(),
        it_power_kw: headline.it_power_kw,
        facility_power_kw: headline.facility_power_kw,
    };

    let q = &factory.quote;
    let terms_margin = q.margin.clamp(0.0, 0.95);
    let years = q.amortize_years.max(1);
    let u = q.utilization;
    let mut quote: Vec<QuoteLine> = Vec::new();
    let mut assumptions: Vec<Assumption> = Vec::new();
    let language = "the language's default (docs/language.md, quote)";
    let written = |key: &str| !q.defaulted.contains(&key);
    let setting_source =
        |key: &str, line: String| if written(key) { format!("blueprint: {line}") } else { language.to_string() };
    assumptions.push(Assumption {
        item: "Utilization".into(),
        value: format!("{} %", num(u * 100.0)),
        source: setting_source("utilization", format!("quote utilization {}", num(u))),
        default: !written("utilization"),
    });
    assumptions.push(Assumption {
        item: "Amortisation of hardware".into(),
        value: format!("{years} years"),
        source: setting_source("amortize", format!("quote amortize years={years}")),
        default: !written("amortize"),
    });
    assumptions.push(Assumption {
        item: "Integrator margin".into(),
        value: format!("{} % of the price of hardware and software", num(terms_margin * 100.0)),
        source: setting_source("margin", format!("quote margin {}", num(terms_margin))),
        default: !written("margin"),
    });

    // Capex: the bill of materials, the margin on it, the building.
    let hardware = totals.capex;
    let margin_factor = if terms_margin < 1.0 { terms_margin / (1.0 - terms_margin) } else { 0.0 };
    let margin_on_hardware = (hardware * margin_factor).round();
    quote.push(QuoteLine {
        key: "hardware",
        section: Section::Capex,
        label: "Hardware (bill of materials, one-time lines)".into(),
        quantity: 0.0,
        unit: String::new(),
        rate: None,
        amount: Some(hardware),
        basis: "sum of the bill of materials' one-time lines".into(),
        source: "bill of materials".into(),
    });
    quote.push(QuoteLine {
        key: "margin",
        section: Section::Capex,
        label: "Integrator margin on hardware".into(),
        quantity: hardware,
        unit: currency.clone(),
        rate: Some(margin_factor),
        amount: Some(margin_on_hardware),
        basis: format!(
            "hardware × m / (1 − m), m = {}: the margin is {} % of the price",
            num(terms_margin),
            num(terms_margin * 100.0)
        ),
        source: setting_source("margin", format!("quote margin {}", num(terms_margin))),
    });
    let facility_model = q.facility;
    let facility_entry = finance(
        catalog,
        if facility_model == FacilityModel::Build { FinanceUse::FacilityBuild } else { FinanceUse::Colocation },
        &currency,
    );
    let facility_life = facility_entry.and_then(|f| f.life_years).unwrap_or(DEFAULT_FACILITY_LIFE).max(1);
    let facility_price = facility_entry.map(|f| {
        let whole = facility_model == FacilityModel::Build;
        let mut p = pricer.price(&f.id, f.price.as_ref(), whole, q.span);
        if !whole {
            p.unit = p.unit.map(round_cents);
        }
        (f, p)
    });
    let mut facility_total = 0.0;
    let mut colocation_total = 0.0;
    for (site, sp) in factory.sites.iter().zip(&plan.sites) {
        let it_kw = sp.it_power.kw();
        match (&facility_price, facility_model) {
            (Some((f, p)), FacilityModel::Build) => {
                let mw = it_kw / 1e3;
                let amount = p.unit.map(|u| (u * mw).round());
                facility_total += amount.unwrap_or(0.0);
                quote.push(QuoteLine {
                    key: "facility",
                    section: Section::Capex,
                    label: format!("Facility build, {}", site.name.value),
                    quantity: mw,
                    unit: "MW".into(),
                    rate: p.unit,
                    amount,
                    basis: format!("{} MW of critical IT load (the plan's IT power) × price per MW", num(mw)),
                    source: format!("{}: {}", f.name, p.source),
                });
            }
            (Some((f, p)), FacilityModel::Colocation) => {
                let kw_months = it_kw * 12.0;
                let amount = p.unit.map(|u| (u * kw_months).round());
                colocation_total += amount.unwrap_or(0.0);
                quote.push(QuoteLine {
                    key: "colocation",
                    section: Section::Opex,
                    label: format!("Colocation, {}", site.name.value),
                    quantity: kw_months,
                    unit: "kW-month".into(),
                    rate: p.unit,
                    amount,
                    basis: format!("{} kW of critical IT load (the plan's IT power) × 12 months", num(it_kw)),
                    source: format!("{}: {}", f.name, p.source),
                });
            }
            (None, _) => {
                pricer.unpriced(
                    facility_model.as_str(),
                    format!(
                        "the catalog has no `finance` entry for use \"{}\"",
                        if facility_model == FacilityModel::Build { "facility-build" } else { "colocation" }
                    ),
                    q.span,
                );
            }
        }
    }
    if let Some((f, p)) = &facility_price {
        let per = f.per.unwrap_or(if facility_model == FacilityModel::Build { "MW" } else { "kW-month" });
        assumptions.push(Assumption {
            item: if facility_model == FacilityModel::Build {
                "Facility: built".into()
            } else {
                "Facility: colocation".into()
            },
            value: format!("{} {currency} per {per}", p.unit.map(num).unwrap_or_else(|| "?".into())),
            source: format!("{}: {}", f.name, p.source),
            default: !written("facility"),
        });
        if facility_model == FacilityModel::Build {
            assumptions.push(Assumption {
                item: "Facility life".into(),
                value: format!("{facility_life} years"),
                source: format!("catalog {}: life years={facility_life}", f.id),
                default: true,
            });
        }
    }
    let capex = hardware + margin_on_hardware + facility_total;

    // Opex: software and support, its margin, energy, maintenance, colocation.
    let software = totals.opex_per_year;
    let margin_on_software = (software * margin_factor).round();
    quote.push(QuoteLine {
        key: "software",
        section: Section::Opex,
        label: "Software and support (bill of materials, yearly lines)".into(),
        quantity: 0.0,
        unit: String::new(),
        rate: None,
        amount: Some(software),
        basis: "sum of the bill of materials' yearly lines".into(),
        source: "bill of materials".into(),
    });
    quote.push(QuoteLine {
        key: "margin",
        section: Section::Opex,
        label: "Integrator margin on software and support".into(),
        quantity: software,
        unit: currency.clone(),
        rate: Some(margin_factor),
        amount: Some(margin_on_software),
        basis: format!("software × m / (1 − m), m = {}", num(terms_margin)),
        source: setting_source("margin", format!("quote margin {}", num(terms_margin))),
    });
    let default_energy = finance(catalog, FinanceUse::EnergyPrice, &currency);
    let mut energy_total = 0.0;
    let mut energy_kwh_total = 0.0;
    for (i, (site, sp)) in factory.sites.iter().zip(&plan.sites).enumerate() {
        let (price, source) = match &site.power.energy_price_per_kwh {
            Some(m) => (Some(m.amount), format!("blueprint: site {} energy-price", site.name.value)),
            None => match default_energy {
                Some(f) => {
                    let p = pricer.price(&f.id, f.price.as_ref(), false, Some(site.power.span));
                    let source = format!("{}: {}", f.name, p.source);
                    // Without a price in the factory currency it is unpriced (W1002) instead.
                    if let Some(u) = p.unit {
                        pricer.problems.push(Problem::DefaultEnergyPrice {
                            site: i,
                            price: format!("{} {currency} per kWh", num(u)),
                            source: source.clone(),
                        });
                    }
                    (p.unit, source)
                }
                None => {
                    pricer.unpriced("energy", "the catalog has no default energy price".into(), Some(site.power.span));
                    (None, "no energy price".into())
                }
            },
        };
        let idle = sp.it_power_idle.kw();
        let loaded = sp.it_power.kw();
        let pue = site.power.pue;
        let kwh = HOURS_PER_YEAR * pue * (idle + u * (loaded - idle));
        let amount = price.map(|p| (kwh * p).round());
        energy_total += amount.unwrap_or(0.0);
        energy_kwh_total += kwh;
        quote.push(QuoteLine {
            key: "energy",
            section: Section::Opex,
            label: format!("Energy, {}", site.name.value),
            quantity: kwh,
            unit: "kWh".into(),
            rate: price,
            amount,
            basis: format!(
                "8,760 h × annual PUE {} × (idle {} kW + {} × (loaded {} kW − idle {} kW))",
                num(pue),
                num(idle),
                num(u),
                num(loaded),
                num(idle)
            ),
            source: source.clone(),
        });
        assumptions.push(Assumption {
            item: format!("Energy price, {}", site.name.value),
            value: price.map(|p| format!("{} {currency} per kWh", num(p))).unwrap_or_else(|| "none".into()),
            source,
            default: site.power.energy_price_per_kwh.is_none(),
        });
        assumptions.push(Assumption {
            item: format!("Annual PUE, {}", site.name.value),
            value: num(pue),
            source: format!("blueprint: site {} power pue (default 1.3)", site.name.value),
            default: false,
        });
    }
    let maintenance_entry = finance(catalog, FinanceUse::Maintenance, &currency);
    let maintenance_rate = maintenance_entry.and_then(|f| f.rate).unwrap_or(0.0);
    let maintenance = (hardware * maintenance_rate).round();
    if let Some(f) = maintenance_entry {
        let source = format!("{}: catalog {}, {} per year, estimate {}", f.name, f.id, num(maintenance_rate), f.date);
        quote.push(QuoteLine {
            key: "maintenance",
            section: Section::Opex,
            label: "Hardware maintenance and support".into(),
            quantity: hardware,
            unit: currency.clone(),
            rate: Some(maintenance_rate),
            amount: Some(maintenance),
            basis: format!("{} % of the hardware at cost per year", num(maintenance_rate * 100.0)),
            source: source.clone(),
        });
        assumptions.push(Assumption {
            item: "Hardware maintenance".into(),
            value: format!("{} % of hardware per year", num(maintenance_rate * 100.0)),
            source,
            default: true,
        });
    }
    let opex_per_year = software + margin_on_software + energy_total + maintenance + colocation_total;

    // Per year: amortisation plus opex.
    let hardware_amortization = ((hardware + margin_on_hardware) / years as f64).round();
    let facility_amortization = (facility_total / facility_life as f64).round();
    quote.push(QuoteLine {
        key: "amortization",
        section: Section::Annual,
        label: format!("Hardware, amortised over {years} years"),
        quantity: hardware + margin_on_hardware,
        unit: currency.clone(),
        rate: Some(1.0 / years as f64),
        amount: Some(hardware_amortization),
        basis: "(hardware + margin) / years, straight line, no residual value".into(),
        source: setting_source("amortize", format!("quote amortize years={years}")),
    });
    if facility_model == FacilityModel::Build {
        quote.push(QuoteLine {
            key: "amortization",
            section: Section::Annual,
            label: format!("Facility, amortised over {facility_life} years"),
            quantity: facility_total,
            unit: currency.clone(),
            rate: Some(1.0 / facility_life as f64),
            amount: Some(facility_amortization),
            basis: "facility / life, straight line".into(),
            source: facility_entry.map(|f| format!("catalog {}: life years={facility_life}", f.id)).unwrap_or_default(),
        });
    }
    quote.push(QuoteLine {
        key: "opex",
        section: Section::Annual,
        label: "Operating cost per year".into(),
        quantity: 0.0,
        unit: String::new(),
        rate: None,
        amount: Some(opex_per_year),
        basis: "software and support with margin, energy, maintenance and colocation".into(),
        source: "the lines above".into(),
    });
    let annual_cost = hardware_amortization + facility_amortization + opex_per_year;
    // Each section in a fixed order of items (sites keep their order within an item).
    let rank = |l: &QuoteLine| -> (u8, u8) {
        let section = match l.section {
            Section::Capex => 0,
            Section::Opex => 1,
            Section::Annual => 2,
        };
        let item = [
            "hardware",
            "software",
            "margin",
            "facility",
            "energy",
            "maintenance",
            "colocation",
            "amortization",
            "opex",
        ]
        .iter()
        .position(|k| *k == l.key)
        .unwrap_or(9) as u8;
        (section, item)
    };
    quote.sort_by_key(rank);

    assumptions.push(Assumption {
        item: "Hours per year".into(),
        value: "8,760".into(),
        source: "energy is drawn all year; idle systems still draw their idle power".into(),
        default: true,
    });
    assumptions.push(Assumption {
        item: "Idle power".into(),
        value: format!(
            "{} kW of {} kW loaded IT power",
            num(plan.sites.iter().map(|s| s.it_power_idle.kw()).sum()),
            num(headline.it_power_kw)
        ),
        source: "catalog: each system's idle power; switches draw their full power".into(),
        default: true,
    });
    for (from, r, source) in &pricer.rates_used {
        assumptions.push(Assumption {
            item: format!("Exchange rate {from} → {currency}"),
            value: format!("{} {currency} per {from}", num(*r)),
            source: source.clone(),
            default: !q.exchange_rates.iter().any(|(c, _)| c == from),
        });
    }
    assumptions.push(Assumption {
        item: "Prices".into(),
        value: "dated estimates, not vendor quotes".into(),
        source: "catalog (each line names its part, date and any conversion), or the blueprint's quote price overrides"
            .into(),
        default: true,
    });

    let tokens_per_year = headline.tokens_per_second * u * SECONDS_PER_YEAR;
    let projection = Projection {
        tokens_per_second: headline.tokens_per_second,
        tokens_per_second_per_mw: headline.tokens_per_second_per_mw,
        tokens_per_second_per_gpu: headline.tokens_per_second_per_gpu,
        utilization: u,
        tokens_per_year,
        cost_per_million_tokens: (tokens_per_year > 0.0).then(|| annual_cost / (tokens_per_year / 1e6)),
        tokens_per_currency_unit: (annual_cost > 0.0 && tokens_per_year > 0.0).then(|| tokens_per_year / annual_cost),
    };
    Cost {
        currency,
        quote_totals: QuoteTotals {
            hardware,
            margin_on_hardware,
            facility: facility_total,
            capex,
            software,
            margin_on_software,
            energy: energy_total,
            energy_kwh: energy_kwh_total,
            maintenance,
            colocation: colocation_total,
            opex_per_year,
            hardware_amortization,
            facility_amortization: if facility_model == FacilityModel::Build { facility_amortization } else { 0.0 },
            annual_cost,
        },
        lines,
        totals,
        quote,
        projection,
        terms: Terms {
            margin: terms_margin,
            amortize_years: years,
            utilization: u,
            facility: facility_model,
            facility_life_years: facility_life,
            maintenance_rate,
        },
        assumptions,
        problems: pricer.problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_text() {
        assert_eq!(num(3_400_000.0), "3,400,000");
        assert_eq!(num(0.081), "0.081");
        assert_eq!(num(0.86), "0.86");
        assert_eq!(num(12.0), "12");
    }
}
