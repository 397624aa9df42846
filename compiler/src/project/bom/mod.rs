//! The bill of materials: one line per part and purpose, derived from the resolved factory and
//! the plan (systems and enclosures from the racks, switches from the fabric sizing, optics and
//! cables from its port and link counts, CDUs from the loops, PDUs from the racks' power,
//! software per GPU or node) and priced by `pricing`. Each line keeps the figures its quantity
//! follows from (`LineBasis`); `render` words them. Formulas and sources: `docs/quote.md`.

use super::network::FabricPlan;
use super::pricing::{catalog_amount, PriceSource, Pricer, UnpricedReason};
use super::tally::Tally;
use super::Plan;
use crate::ast::Redundancy;
use crate::catalog::{Catalog, LinkEnd, NicRole, Price, ServiceUnit, Switch, Transceiver, Vendor};
use crate::model::{Fabric, Factory, RackContents};
use crate::source::Span;
use crate::units::{BitsPerSecond, Money, Rounding};

mod fabrics;
use fabrics::fabric_lines;

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

/// How many of a thing each site has, in order of first appearance.
pub type PerSite = Vec<(String, u64)>;

/// A fabric tier a switch line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Leaf,
    Spine,
    Core,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Leaf => "leaf",
            Tier::Spine => "spine",
            Tier::Core => "core",
        }
    }
}

/// The fabric sizing a switch line follows from.
#[derive(Clone, Debug, PartialEq)]
pub struct FabricShape {
    pub endpoints: u64,
    pub endpoint_speed: BitsPerSecond,
    pub radix: Option<u64>,
    pub tiers: u64,
    pub oversubscription: f64,
}

/// Management switches per rack for one kind of rack.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagementShape {
    pub per_rack: u64,
    pub bmc_ports: u64,
    pub access_ports: u64,
}

/// The CDUs one loop names.
#[derive(Clone, Debug, PartialEq)]
pub struct CduLoop {
    pub site: String,
    pub name: String,
    pub count: u64,
    pub redundancy: Redundancy,
}

/// PDUs per rack for one kind of rack.
#[derive(Clone, Debug, PartialEq)]
pub struct PduShape {
    pub per_rack: u64,
    pub peak_kw: f64,
    pub power_inputs: u64,
}

/// How a line's quantity follows from the blueprint and the plan.
#[derive(Clone, Debug, PartialEq)]
pub enum LineBasis {
    /// Systems in racks; `rack_scale` systems are one per rack.
    Systems {
        per_site: PerSite,
        rack_scale: bool,
        gpus_each: u64,
    },
    Enclosures {
        per_site: PerSite,
    },
    /// The sizing's switches of one tier of a fabric.
    Switches {
        fabric: String,
        tier: Tier,
        shape: FabricShape,
    },
    /// Switch-side modules: the sizing's switch ports in cages.
    SwitchModules {
        fabric: String,
        switch_ports: u64,
        port_speed: BitsPerSecond,
        ports_per_cage: u64,
    },
    /// Host-side modules: one per NIC cage of the fabric's role (a twin-port module serves two
    /// ports), for `ports` NIC ports.
    HostModules {
        fabric: String,
        role: NicRole,
        ports: u64,
    },
    /// One cable per link of each kind, in the stock lengths the hall layout needs (metres and
    /// cables; empty when the layout is unknown).
    Cables {
        fabric: String,
        host_leaf: u64,
        leaf_spine: u64,
        spine_core: u64,
        lengths: Vec<(f64, u64)>,
    },
    /// Out-of-band management switches per enclosure rack.
    Management {
        shapes: Vec<ManagementShape>,
        per_site: PerSite,
    },
    /// CDUs as the loops name them.
    Cdus {
        loops: Vec<CduLoop>,
    },
    /// Rack PDUs per enclosure rack.
    Pdus {
        shapes: Vec<PduShape>,
        per_site: PerSite,
    },
    /// One power whip per rack circuit (a PDU's inlet or a rack-scale system's power input).
    Whips {
        /// Whips per rack, for each kind of rack that takes this whip.
        per_rack: Vec<u64>,
        per_site: PerSite,
    },
    /// A service per GPU or node and year, for the GPUs and sites it applies to.
    Service {
        unit: ServiceUnit,
        vendor: Option<Vendor>,
        os: Option<String>,
        per_site: PerSite,
        /// Units the service would apply to whose system price already includes it: system id
        /// and units, not charged.
        bundled: Vec<(String, u64)>,
    },
}

impl LineBasis {
    /// The fabric a network line belongs to (its switches, optics or cables).
    pub fn fabric(&self) -> Option<&str> {
        match self {
            LineBasis::Switches { fabric, .. }
            | LineBasis::SwitchModules { fabric, .. }
            | LineBasis::HostModules { fabric, .. }
            | LineBasis::Cables { fabric, .. } => Some(fabric),
            LineBasis::Systems { .. }
            | LineBasis::Enclosures { .. }
            | LineBasis::Management { .. }
            | LineBasis::Cdus { .. }
            | LineBasis::Pdus { .. }
            | LineBasis::Whips { .. }
            | LineBasis::Service { .. } => None,
        }
    }
}

impl Bom {
    /// What a fabric's lines add to the bill of materials: `None` when one of them is unpriced or
    /// the fabric has no line.
    pub fn fabric_capex(&self, fabric: &str) -> Option<f64> {
        let mut lines = self.lines.iter().filter(|l| l.basis.fabric() == Some(fabric)).peekable();
        lines.peek()?;
        lines.map(|l| l.extended_price.as_ref().map(|m| m.amount)).sum()
    }
}

/// What a line is when no catalog part fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MissingPart {
    SwitchModule { speed: BitsPerSecond },
    HostModule { speed: BitsPerSecond },
    Cable { medium: Option<&'static str>, speed: BitsPerSecond },
}

impl MissingPart {
    pub fn reason(self) -> UnpricedReason {
        match self {
            MissingPart::SwitchModule { speed } => UnpricedReason::NoSwitchModule { speed },
            MissingPart::HostModule { speed } => UnpricedReason::NoHostModule { speed },
            MissingPart::Cable { medium, speed } => UnpricedReason::NoCable { medium, speed },
        }
    }
}

/// The part a line is for.
#[derive(Clone, Debug, PartialEq)]
pub enum LinePart {
    /// A catalog part: its id and name.
    Catalog { id: String, name: String },
    /// No catalog part fits.
    Missing(MissingPart),
}

/// One line of the bill of materials.
#[derive(Clone, Debug)]
pub struct Line {
    pub part: LinePart,
    pub category: Category,
    pub period: Period,
    pub quantity: u64,
    /// Whole units of the factory currency; `None` when no price is known.
    pub unit_price: Option<Money>,
    /// `quantity × unit_price`.
    pub extended_price: Option<Money>,
    pub basis: LineBasis,
    /// Where the unit price comes from.
    pub source: PriceSource,
    /// Where the blueprint asks for the part, for diagnostics.
    pub span: Option<Span>,
}

impl Line {
    /// The catalog id, empty when no catalog part fits.
    pub fn part_id(&self) -> &str {
        match &self.part {
            LinePart::Catalog { id, .. } => id,
            LinePart::Missing(_) => "",
        }
    }
}

/// The bill of materials: its lines in order and their totals.
#[derive(Clone, Debug, Default)]
pub struct Bom {
    pub lines: Vec<Line>,
    pub totals: BomTotals,
}

/// The bill of materials' totals.
#[derive(Clone, Debug, Default)]
pub struct BomTotals {
    /// Sum of the `once` lines, whole units of the factory currency.
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

/// Builds the lines, pricing each as it is added.
pub struct Builder<'p, 'f, 'c> {
    pricer: &'p mut Pricer<'f, 'c>,
    lines: Vec<Line>,
}

/// A catalog part as a line needs it.
struct Part<'a> {
    id: &'a str,
    name: &'a str,
    price: Option<&'a Price>,
}

impl Builder<'_, '_, '_> {
    fn line(
        &mut self,
        part: Part,
        category: Category,
        period: Period,
        quantity: u64,
        basis: LineBasis,
        span: Option<Span>,
    ) {
        if quantity == 0 {
            return;
        }
        self.line_of(part, category, period, quantity, basis, span);
    }

    /// A line even at quantity 0: a service bundled in every system's price is listed at 0 so the
    /// bill of materials says why it is not charged.
    fn line_of(
        &mut self,
        part: Part,
        category: Category,
        period: Period,
        quantity: u64,
        basis: LineBasis,
        span: Option<Span>,
    ) {
        let priced = self.pricer.price(part.id, part.price, Rounding::Whole, span);
        let extended_price = priced.unit.as_ref().map(|u| Money { amount: u.amount * quantity as f64, ..u.clone() });
        self.lines.push(Line {
            part: LinePart::Catalog { id: part.id.to_string(), name: part.name.to_string() },
            category,
            period,
            quantity,
            unit_price: priced.unit,
            extended_price,
            basis,
            source: priced.source,
            span,
        });
    }

    /// A network line for a transceiver or cable the catalog may not have.
    fn optic(
        &mut self,
        found: Option<&Transceiver>,
        missing: MissingPart,
        quantity: u64,
        basis: LineBasis,
        span: Span,
    ) {
        match found {
            Some(t) => {
                let part = Part { id: &t.id, name: &t.name, price: t.price.as_ref() };
                self.line(part, Category::Network, Period::Once, quantity, basis, Some(span));
            }
            None => self.missing(missing, Category::Network, quantity, basis),
        }
    }

    /// A line with no catalog part to price it.
    fn missing(&mut self, part: MissingPart, category: Category, quantity: u64, basis: LineBasis) {
        if quantity == 0 {
            return;
        }
        self.pricer.unpriced("", part.reason(), None);
        self.lines.push(Line {
            part: LinePart::Missing(part),
            category,
            period: Period::Once,
            quantity,
            unit_price: None,
            extended_price: None,
            basis,
            source: PriceSource::Unpriced(part.reason()),
            span: None,
        });
    }
}

/// The bill of materials' lines, in order: compute, network, cooling, power, services.
pub fn lines(pricer: &mut Pricer, factory: &Factory, plan: &Plan) -> Vec<Line> {
    let mut b = Builder { pricer, lines: Vec::new() };
    compute_lines(&mut b, factory);
    for (i, (fabric, fp)) in factory.fabrics.iter().zip(&plan.fabrics).enumerate() {
        fabric_lines(&mut b, fabric, fp, plan.links.get(i));
    }
    management_lines(&mut b, factory);
    cooling_lines(&mut b, factory);
    power_lines(&mut b, factory);
    whip_lines(&mut b, factory);
    service_lines(&mut b, factory);
    b.lines
}

/// The totals of `lines` with the plan's counts.
pub fn totals(lines: &[Line], factory: &Factory, plan: &Plan) -> BomTotals {
    let headline = super::headline(plan);
    let sum = |period: Period| -> f64 {
        lines.iter().filter(|l| l.period == period).filter_map(|l| l.extended_price.as_ref()).map(|m| m.amount).sum()
    };
    BomTotals {
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
                RackContents::RackScale(s) => systems.add(*s, name, racks, Some(group.part_span)),
                RackContents::Enclosure { enclosure, systems: inside } => {
                    enclosures.add(*enclosure, name, racks, Some(group.part_span));
                    for g in inside {
                        systems.add(g.system, name, g.count.saturating_mul(racks), Some(g.span));
                    }
                }
            }
        }
    }
    for item in systems.items {
        let s = item.part;
        let basis = LineBasis::Systems {
            per_site: item.per_site,
            rack_scale: s.form == crate::catalog::Form::RackScale,
            gpus_each: s.gpu_count,
        };
        let part = Part { id: &s.id, name: &s.name, price: s.price.as_ref() };
        b.line(part, Category::Compute, Period::Once, item.count, basis, item.span);
    }
    for item in enclosures.items {
        let e = item.part;
        let part = Part { id: &e.id, name: &e.name, price: e.price.as_ref() };
        let basis = LineBasis::Enclosures { per_site: item.per_site };
        b.line(part, Category::Compute, Period::Once, item.count, basis, item.span);
    }
}

/// Out-of-band management: servers' BMC ports on management switches, per rack. Rack-scale
/// systems carry their own management switches.
fn management_lines(b: &mut Builder, factory: &Factory) {
    let placed = super::physical::Placed::of(b.pricer.catalog);
    let mut tally = Tally::default();
    let mut shapes: Vec<ManagementShape> = Vec::new();
    for site in &factory.sites {
        for (row, group) in site.rack_groups() {
            let Some((mgmt, per_rack, ports, access)) = super::physical::management_switches(placed.management, group)
            else {
                continue;
            };
            let racks = row.count.saturating_mul(group.per_row);
            tally.add(mgmt, &site.name.value, per_rack.saturating_mul(racks), Some(group.part_span));
            let shape = ManagementShape { per_rack, bmc_ports: ports, access_ports: access };
            if !shapes.contains(&shape) {
                shapes.push(shape);
            }
        }
    }
    if let Some(item) = tally.items.into_iter().next() {
        let part = Part { id: &item.part.id, name: &item.part.name, price: item.part.price.as_ref() };
        let basis = LineBasis::Management { shapes, per_site: item.per_site };
        b.line(part, Category::Network, Period::Once, item.count, basis, item.span);
    }
}

fn cooling_lines(b: &mut Builder, factory: &Factory) {
    let mut tally = Tally::default();
    let mut loops: Vec<(String, CduLoop)> = Vec::new();
    for site in &factory.sites {
        for l in &site.loops {
            for g in &l.cdus {
                tally.add(g.cdu, &site.name.value, g.count, Some(g.span));
                loops.push((
                    g.cdu.id.clone(),
                    CduLoop {
                        site: site.name.value.clone(),
                        name: l.name.value.clone(),
                        count: g.count,
                        redundancy: g.redundancy.value,
                    },
                ));
            }
        }
    }
    for item in tally.items {
        let c = item.part;
        let mine = loops.iter().filter(|(id, _)| id == &c.id).map(|(_, l)| l.clone()).collect();
        let part = Part { id: &c.id, name: &c.name, price: c.price.as_ref() };
        b.line(part, Category::Cooling, Period::Once, item.count, LineBasis::Cdus { loops: mine }, item.span);
    }
}

/// Rack PDUs from the racks' circuits (declared, or the plan's smallest pair), and the whips of
/// rack-scale systems are counted in the circuits the plan prints; only PDUs are parts to buy.
fn power_lines(b: &mut Builder, factory: &Factory) {
    let mut racks = super::physical::Racks::new(b.pricer.catalog);
    let mut tally = Tally::default();
    let mut shapes: Vec<(String, PduShape)> = Vec::new();
    for site in &factory.sites {
        for (row, group) in site.rack_groups() {
            let Some(c) = racks.rack(group).circuits else { continue };
            let super::circuits::Feeder::Pdus { pdu, .. } = c.feeder else { continue };
            let racks = row.count.saturating_mul(group.per_row);
            tally.add(pdu, &site.name.value, c.count.saturating_mul(racks), Some(group.part_span));
            let shape = PduShape { per_rack: c.count, peak_kw: c.load.kw(), power_inputs: c.inputs };
            if !shapes.iter().any(|(id, s)| id == &pdu.id && *s == shape) {
                shapes.push((pdu.id.clone(), shape));
            }
        }
    }
    for item in tally.items {
        let p = item.part;
        let mine = shapes.iter().filter(|(id, _)| id == &p.id).map(|(_, s)| s.clone()).collect();
        let part = Part { id: &p.id, name: &p.name, price: p.price.as_ref() };
        let basis = LineBasis::Pdus { shapes: mine, per_site: item.per_site };
        b.line(part, Category::Power, Period::Once, item.count, basis, item.span);
    }
}

/// One whip per rack circuit: the cheapest catalog whip of the circuit's voltage and phases rated
/// for its breaker (a circuit no catalog whip fits buys none, and `plan` still shows it).
fn whip_lines(b: &mut Builder, factory: &Factory) {
    let catalog = b.pricer.catalog;
    let mut racks = super::physical::Racks::new(catalog);
    let whips: Vec<&crate::catalog::Whip> = catalog.whips().collect();
    let mut tally = Tally::default();
    let mut shapes: Vec<(String, u64)> = Vec::new();
    for site in &factory.sites {
        for (row, group) in site.rack_groups() {
            let Some(c) = racks.rack(group).circuits else { continue };
            let fits = whips.iter().copied().filter(|w| {
                w.phases == c.phases && (w.voltage.0 - c.voltage.0).abs() < 0.5 && w.current.0 >= c.breaker.0 - 1e-9
            });
            let Some(whip) = fits.min_by(|x, y| {
                catalog_amount(x.price.as_ref())
                    .total_cmp(&catalog_amount(y.price.as_ref()))
                    .then(x.current.0.total_cmp(&y.current.0))
                    .then(x.id.cmp(&y.id))
            }) else {
                continue;
            };
            let racks = row.count.saturating_mul(group.per_row);
            tally.add(whip, &site.name.value, c.count.saturating_mul(racks), Some(group.part_span));
            if !shapes.iter().any(|(id, n)| id == &whip.id && *n == c.count) {
                shapes.push((whip.id.clone(), c.count));
            }
        }
    }
    for item in tally.items {
        let w = item.part;
        let per_rack = shapes.iter().filter(|(id, _)| id == &w.id).map(|(_, n)| *n).collect();
        let part = Part { id: &w.id, name: &w.name, price: w.price.as_ref() };
        let basis = LineBasis::Whips { per_rack, per_site: item.per_site };
        b.line(part, Category::Power, Period::Once, item.count, basis, item.span);
    }
}

fn service_lines(b: &mut Builder, factory: &Factory) {
    let catalog = b.pricer.catalog;
    for svc in catalog.services() {
        let mut tally = Tally::default();
        let mut bundled: Vec<(String, u64)> = Vec::new();
        let mut span = None;
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
                    let units = per.saturating_mul(n).saturating_mul(racks);
                    if system.bundles(&svc.id) {
                        match bundled.iter_mut().find(|(id, _)| *id == system.id) {
                            Some((_, u)) => *u = u.saturating_add(units),
                            None => bundled.push((system.id.clone(), units)),
                        }
                        span = span.or(Some(group.part_span));
                        continue;
                    }
                    tally.add(svc, &site.name.value, units, Some(group.part_span));
                }
            }
        }
        let category = if svc.category == "services" { Category::Services } else { Category::Software };
        let part = Part { id: &svc.id, name: &svc.name, price: svc.price.as_ref() };
        let (unit, vendor, os) = (svc.per, svc.gpu_vendor, svc.os.clone());
        match tally.items.into_iter().next() {
            Some(item) => {
                let basis = LineBasis::Service { unit, vendor, os, per_site: item.per_site, bundled };
                b.line(part, category, Period::Year, item.count, basis, item.span);
            }
            None if !bundled.is_empty() => {
                let basis = LineBasis::Service { unit, vendor, os, per_site: PerSite::default(), bundled };
                b.line_of(part, category, Period::Year, 0, basis, span);
            }
            None => {}
        }
    }
}
