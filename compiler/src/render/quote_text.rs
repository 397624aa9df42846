//! The quote in words: the descriptions, bases, labels, sources and assumptions of the bill of
//! materials and the quote, made from the figures `project::bom` and `project::quote` keep. The
//! `Display` impls of the reasons and sources are here too, so the `quote` check words its
//! diagnostics the same way the quote page does.

use crate::catalog::ServiceUnit;
use crate::catalog::{FinanceUse, Vendor};
use crate::format::{gbps, group_thousands, num, price_per};
use crate::project::bom::{Line, LineBasis, LinePart, ManagementShape, MissingPart, PduShape, PerSite};
use crate::project::pricing::{EnergyPriceSource, ExchangeRate, PriceSource, RateSource, UnpricedReason};
use crate::project::quote::Quote;
use crate::project::quote::{Assumption, QuoteItem, QuoteLine, Terms, HOURS_PER_YEAR};
use std::fmt;

impl fmt::Display for UnpricedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnpricedReason::NoCatalogPrice => write!(f, "the catalog has no price for it"),
            UnpricedReason::NoExchangeRate { from, to } => write!(f, "no exchange rate from {from} to {to}"),
            UnpricedReason::NoSwitchModule { speed } => {
                write!(f, "the catalog has no switch-side transceiver at {}", gbps(*speed))
            }
            UnpricedReason::NoHostModule { speed } => {
                write!(f, "the catalog has no host-side transceiver at {}", gbps(*speed))
            }
            UnpricedReason::NoCable { medium, speed } => {
                write!(f, "the catalog has no {} cable at {}", medium.unwrap_or(""), gbps(*speed))
            }
            UnpricedReason::NoFinance { use_ } => {
                write!(f, "the catalog has no `finance` entry for use \"{}\"", finance_use(*use_))
            }
            UnpricedReason::NoEnergyPrice => write!(f, "the catalog has no default energy price"),
        }
    }
}

/// A finance entry's `use`, as the catalog writes it.
fn finance_use(use_: FinanceUse) -> &'static str {
    match use_ {
        FinanceUse::EnergyPrice => "energy-price",
        FinanceUse::ExchangeRate => "exchange-rate",
        FinanceUse::FacilityBuild => "facility-build",
        FinanceUse::Colocation => "colocation",
        FinanceUse::Maintenance => "maintenance",
    }
}

/// Where an exchange rate comes from.
fn rate_source(rate: &ExchangeRate) -> String {
    match &rate.source {
        RateSource::Blueprint => format!("blueprint: exchange-rate ({}){} per=\"{}\"", rate.to, rate.rate, rate.from),
        RateSource::Catalog { id, date } => format!("catalog {id}, estimate {date}"),
        RateSource::CatalogInverted { id, date } => format!("catalog {id}, inverted, estimate {date}"),
    }
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriceSource::Override { part, price } => {
                write!(f, "blueprint: quote price \"{part}\" ({}){}", price.currency, price.amount)
            }
            PriceSource::Catalog { part, date } => write!(f, "catalog {part}, estimate {date}"),
            PriceSource::Converted { part, price, date, rate } => write!(
                f,
                "catalog {part}: {from} {}, estimate {date}; × {} {}/{from} ({})",
                num(price.amount),
                num(rate.rate),
                rate.to,
                rate_source(rate),
                from = price.currency,
            ),
            PriceSource::Unpriced(UnpricedReason::NoCatalogPrice) => write!(f, "no price in the catalog"),
            PriceSource::Unpriced(reason) => write!(f, "{reason}"),
        }
    }
}

impl fmt::Display for EnergyPriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnergyPriceSource::Blueprint { site } => write!(f, "blueprint: site {site} energy-price"),
            EnergyPriceSource::Catalog { finance, price } => write!(f, "{finance}: {price}"),
            EnergyPriceSource::Missing => write!(f, "no energy price"),
        }
    }
}

/// What a bill-of-materials line is: the catalog part's name, or what no part was found for.
pub fn description(line: &Line) -> String {
    match &line.part {
        LinePart::Catalog { name, .. } => name.clone(),
        LinePart::Missing(MissingPart::SwitchModule { speed }) => format!("Switch-side module, {}", gbps(*speed)),
        LinePart::Missing(MissingPart::HostModule { speed }) => format!("Host-side module, {}", gbps(*speed)),
        LinePart::Missing(MissingPart::Cable { medium, speed }) => {
            format!("Cable, {} {}", medium.unwrap_or("any medium"), gbps(*speed))
        }
    }
}

/// `espoo-1: 32 racks; lyon-1: 16 racks`; `what` is the singular and the plural.
fn per_site(counts: &PerSite, what: (&str, &str)) -> String {
    counts
        .iter()
        .map(|(s, n)| format!("{s}: {} {}", group_thousands(*n as f64), if *n == 1 { what.0 } else { what.1 }))
        .collect::<Vec<_>>()
        .join("; ")
}

fn vendor(v: Vendor) -> &'static str {
    match v {
        Vendor::Nvidia => "NVIDIA",
        Vendor::Amd => "AMD",
        Vendor::Other => "other",
    }
}

/// How a line's quantity follows from the blueprint and the plan.
pub fn line_basis(basis: &LineBasis) -> String {
    match basis {
        LineBasis::Systems { per_site: counts, rack_scale, gpus_each } => {
            let what = if *rack_scale { ("rack", "racks") } else { ("server", "servers") };
            format!("{} ({gpus_each} GPUs each)", per_site(counts, what))
        }
        LineBasis::Enclosures { per_site: counts } => per_site(counts, ("rack", "racks")),
        LineBasis::Switches { fabric, tier, shape } => format!(
            "fabric {fabric}, {} tier: {} endpoints at {} on {} ports, {} tier(s), {}:1",
            tier.as_str(),
            group_thousands(shape.endpoints as f64),
            gbps(shape.endpoint_speed),
            shape.radix.map(|r| r.to_string()).unwrap_or_else(|| "?".into()),
            shape.tiers,
            num(shape.oversubscription)
        ),
        LineBasis::SwitchModules { fabric, switch_ports, port_speed, ports_per_cage } => format!(
            "fabric {fabric}: {} switch ports at {} in cages of {ports_per_cage} port(s)",
            group_thousands(*switch_ports as f64),
            gbps(*port_speed),
        ),
        LineBasis::HostModules { fabric, role, ports } => {
            format!("fabric {fabric}: one per {} NIC cage, for {} ports", role.as_str(), group_thousands(*ports as f64))
        }
        LineBasis::Cables { fabric, host_leaf, leaf_spine, spine_core, lengths } => {
            let links: Vec<String> = [("host–leaf", host_leaf), ("leaf–spine", leaf_spine), ("spine–core", spine_core)]
                .into_iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{} {k}", group_thousands(*n as f64)))
                .collect();
            let cut = if lengths.is_empty() {
                String::new()
            } else {
                let each: Vec<String> =
                    lengths.iter().map(|(l, n)| format!("{} × {} m", group_thousands(*n as f64), num(*l))).collect();
                format!("; in lengths {}", each.join(", "))
            };
            format!("fabric {fabric}: one per link ({}){cut}", links.join(", "))
        }
        LineBasis::Management { shapes, per_site: counts } => management_basis(shapes, counts),
        LineBasis::Cdus { loops } => {
            let loops: Vec<String> = loops
                .iter()
                .map(|l| format!("{} loop {}: {} ({})", l.site, l.name, l.count, l.redundancy.as_str()))
                .collect();
            format!("CDUs as written, spares for redundancy included: {}", loops.join("; "))
        }
        LineBasis::Pdus { shapes, per_site: counts } => pdu_basis(shapes, counts),
        LineBasis::Whips { per_rack, per_site: counts } => {
            let shapes: Vec<String> = per_rack.iter().map(|n| format!("{n} per rack")).collect();
            format!("one per rack circuit, {}: {}", shapes.join("; "), per_site(counts, ("whip", "whips")))
        }
        LineBasis::Service { unit, vendor: gpu_vendor, os, per_site: counts, bundled } => {
            service_basis(*unit, *gpu_vendor, os.as_deref(), counts, bundled)
        }
    }
}

fn management_basis(shapes: &[ManagementShape], counts: &PerSite) -> String {
    let shapes: Vec<String> = shapes
        .iter()
        .map(|s| {
            let plural = if s.bmc_ports == 1 { "" } else { "s" };
            format!("{} per rack for {} BMC port{plural} on {} access ports", s.per_rack, s.bmc_ports, s.access_ports)
        })
        .collect();
    format!("out-of-band management, {}: {}", shapes.join("; "), per_site(counts, ("switch", "switches")))
}

fn pdu_basis(shapes: &[PduShape], counts: &PerSite) -> String {
    let shapes: Vec<String> = shapes
        .iter()
        .map(|s| {
            format!(
                "{} per rack (A and B sides, each for {} kW peak and {} of {} power inputs)",
                s.per_rack,
                num(s.peak_kw),
                s.power_inputs.div_ceil(2),
                s.power_inputs
            )
        })
        .collect();
    format!("{}: {}", shapes.join("; "), per_site(counts, ("PDU", "PDUs")))
}

fn service_basis(
    unit: ServiceUnit,
    gpu_vendor: Option<Vendor>,
    os: Option<&str>,
    counts: &PerSite,
    bundled: &[(String, u64)],
) -> String {
    let what = match unit {
        ServiceUnit::Gpu => ("GPU", "GPUs"),
        ServiceUnit::Node => ("node", "nodes"),
    };
    let mut why = Vec::new();
    if let Some(v) = gpu_vendor {
        why.push(format!("{} GPUs", vendor(v)));
    }
    if let Some(os) = os {
        why.push(format!("sites whose os is {os}"));
    }
    let charged = if counts.is_empty() { "none charged".to_string() } else { per_site(counts, what) };
    let mut text = format!("per {} and year, for {}: {charged}", what.0, why.join(" on "));
    if !bundled.is_empty() {
        let list: Vec<String> = bundled
            .iter()
            .map(|(id, n)| format!("{} {} of {id}", group_thousands(*n as f64), if *n == 1 { what.0 } else { what.1 }))
            .collect();
        text.push_str(&format!("; not charged, bundled in the system's price: {}", list.join(", ")));
    }
    text
}

/// The name of a quote line.
pub fn quote_label(item: &QuoteItem, terms: &Terms) -> String {
    match item {
        QuoteItem::Hardware => "Hardware (bill of materials, one-time lines)".into(),
        QuoteItem::HardwareMargin => "Integrator margin on hardware".into(),
        QuoteItem::Facility { site } => format!("Facility build, {site}"),
        QuoteItem::Software => "Software and support (bill of materials, yearly lines)".into(),
        QuoteItem::SoftwareMargin => "Integrator margin on software and support".into(),
        QuoteItem::Energy { site, .. } => format!("Energy, {site}"),
        QuoteItem::Maintenance => "Hardware maintenance and support".into(),
        QuoteItem::Colocation { site, .. } => format!("Colocation, {site}"),
        QuoteItem::HardwareAmortization => format!("Hardware, amortised over {} years", terms.amortize_years),
        QuoteItem::FacilityAmortization => format!("Facility, amortised over {} years", terms.facility_life_years),
        QuoteItem::Opex => "Operating cost per year".into(),
    }
}

/// How a quote line's amount follows from its quantity and rate.
pub fn quote_basis(line: &QuoteLine, terms: &Terms) -> String {
    let m = terms.margin;
    match &line.item {
        QuoteItem::Hardware => "sum of the bill of materials' one-time lines".into(),
        QuoteItem::HardwareMargin => {
            format!("hardware × m / (1 − m), m = {}: the margin is {} % of the price", num(m), num(m * 100.0))
        }
        QuoteItem::Facility { .. } => {
            format!("{} MW of critical IT load (the plan's IT power) × price per MW", num(line.quantity))
        }
        QuoteItem::Software => "sum of the bill of materials' yearly lines".into(),
        QuoteItem::SoftwareMargin => format!("software × m / (1 − m), m = {}", num(m)),
        QuoteItem::Energy { pue, idle_kw, loaded_kw, .. } => format!(
            "{} h × annual PUE {} × (idle {} kW + {} × (loaded {} kW − idle {} kW))",
            group_thousands(HOURS_PER_YEAR),
            num(*pue),
            num(*idle_kw),
            num(terms.utilization),
            num(*loaded_kw),
            num(*idle_kw)
        ),
        QuoteItem::Maintenance => {
            format!("{} % of the hardware at cost per year", num(terms.maintenance_rate * 100.0))
        }
        QuoteItem::Colocation { it_kw, .. } => {
            format!("{} kW of critical IT load (the plan's IT power) × 12 months", num(*it_kw))
        }
        QuoteItem::HardwareAmortization => "(hardware + margin) / years, straight line, no residual value".into(),
        QuoteItem::FacilityAmortization => "facility / life, straight line".into(),
        QuoteItem::Opex => "software and support with margin, energy, maintenance and colocation".into(),
    }
}

/// Where a setting comes from: the blueprint's line, or the language's default.
fn setting_source(written: bool, line: String) -> String {
    if written {
        format!("blueprint: {line}")
    } else {
        "the language's default (docs/language.md, quote)".to_string()
    }
}

fn margin_source(terms: &Terms) -> String {
    setting_source(terms.written.margin, format!("quote margin {}", num(terms.margin)))
}

fn amortize_source(terms: &Terms) -> String {
    setting_source(terms.written.amortize, format!("quote amortize years={}", terms.amortize_years))
}

fn facility_source(quote: &Quote) -> String {
    quote.facility.as_ref().map(|f| format!("{}: {}", f.name, f.source)).unwrap_or_default()
}

fn facility_life_source(id: &str, terms: &Terms) -> String {
    format!("catalog {id}: life years={}", terms.facility_life_years)
}

fn maintenance_source(quote: &Quote) -> String {
    let Some(m) = &quote.maintenance else { return String::new() };
    format!("{}: catalog {}, {} per year, estimate {}", m.name, m.id, num(m.rate), m.date)
}

/// Where a quote line's rate comes from.
pub fn quote_source(line: &QuoteLine, quote: &Quote) -> String {
    let terms = &quote.terms;
    match &line.item {
        QuoteItem::Hardware | QuoteItem::Software => "bill of materials".into(),
        QuoteItem::HardwareMargin | QuoteItem::SoftwareMargin => margin_source(terms),
        QuoteItem::Facility { .. } | QuoteItem::Colocation { .. } => facility_source(quote),
        QuoteItem::Energy { source, .. } => source.to_string(),
        QuoteItem::Maintenance => maintenance_source(quote),
        QuoteItem::HardwareAmortization => amortize_source(terms),
        QuoteItem::FacilityAmortization => {
            quote.facility.as_ref().map(|f| facility_life_source(&f.id, terms)).unwrap_or_default()
        }
        QuoteItem::Opex => "the lines above".into(),
    }
}

/// An assumption as item, value and source.
pub fn assumption(a: &Assumption, quote: &Quote) -> (String, String, String) {
    let terms = &quote.terms;
    let currency = &quote.currency;
    match a {
        Assumption::Utilization => (
            "Utilization".into(),
            format!("{} %", num(terms.utilization * 100.0)),
            setting_source(terms.written.utilization, format!("quote utilization {}", num(terms.utilization))),
        ),
        Assumption::Amortization => {
            ("Amortisation of hardware".into(), format!("{} years", terms.amortize_years), amortize_source(terms))
        }
        Assumption::Margin => (
            "Integrator margin".into(),
            format!("{} % of the price of hardware and software", num(terms.margin * 100.0)),
            margin_source(terms),
        ),
        Assumption::Facility => {
            let item = match terms.facility {
                crate::ast::FacilityModel::Build => "Facility: built",
                crate::ast::FacilityModel::Colocation => "Facility: colocation",
            };
            let value = quote.facility.as_ref().map(|f| match &f.price {
                Some(p) => price_per(p, f.per),
                None => format!("? {currency} per {}", f.per),
            });
            (item.into(), value.unwrap_or_default(), facility_source(quote))
        }
        Assumption::FacilityLife { id } => {
            ("Facility life".into(), format!("{} years", terms.facility_life_years), facility_life_source(id, terms))
        }
        Assumption::EnergyPrice { site, price, source } => (
            format!("Energy price, {site}"),
            price.as_ref().map(|p| price_per(p, "kWh")).unwrap_or_else(|| "none".into()),
            source.to_string(),
        ),
        Assumption::AnnualPue { site, pue } => {
            (format!("Annual PUE, {site}"), num(*pue), format!("blueprint: site {site} power pue (default 1.3)"))
        }
        Assumption::Maintenance => (
            "Hardware maintenance".into(),
            format!("{} % of hardware per year", num(terms.maintenance_rate * 100.0)),
            maintenance_source(quote),
        ),
        Assumption::HoursPerYear => (
            "Hours per year".into(),
            group_thousands(HOURS_PER_YEAR),
            "energy is drawn all year; idle systems still draw their idle power".into(),
        ),
        Assumption::IdlePower { idle_kw, loaded_kw } => (
            "Idle power".into(),
            format!("{} kW of {} kW loaded IT power", num(*idle_kw), num(*loaded_kw)),
            "catalog: each system's idle power; switches draw their full power".into(),
        ),
        Assumption::ExchangeRate { rate, .. } => (
            format!("Exchange rate {} → {currency}", rate.from),
            format!("{} {currency} per {}", num(rate.rate), rate.from),
            rate_source(rate),
        ),
        Assumption::Prices => (
            "Prices".into(),
            "dated estimates, not vendor quotes".into(),
            "catalog (each line names its part, date and any conversion), or the blueprint's quote price overrides"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{BitsPerSecond, Money};

    #[test]
    fn reasons_read_as_sentences() {
        let speed = BitsPerSecond(800e9);
        assert_eq!(
            UnpricedReason::NoExchangeRate { from: "USD".into(), to: "JPY".into() }.to_string(),
            "no exchange rate from USD to JPY"
        );
        assert_eq!(
            UnpricedReason::NoSwitchModule { speed }.to_string(),
            "the catalog has no switch-side transceiver at 800G"
        );
        assert_eq!(
            UnpricedReason::NoCable { medium: Some("multimode"), speed }.to_string(),
            "the catalog has no multimode cable at 800G"
        );
        assert_eq!(
            UnpricedReason::NoFinance { use_: FinanceUse::Colocation }.to_string(),
            "the catalog has no `finance` entry for use \"colocation\""
        );
    }

    #[test]
    fn a_converted_price_names_the_estimate_and_the_rate() {
        let rate = ExchangeRate {
            from: "USD".into(),
            to: "EUR".into(),
            rate: 0.86,
            source: RateSource::Catalog { id: "usd-eur".into(), date: "2025-10".into() },
        };
        let source = PriceSource::Converted {
            part: "hgx-b200-8".into(),
            price: Money::new(390_000.0, "USD"),
            date: "2025-06".into(),
            rate,
        };
        assert_eq!(
            source.to_string(),
            "catalog hgx-b200-8: USD 390,000, estimate 2025-06; × 0.86 EUR/USD (catalog usd-eur, estimate 2025-10)"
        );
        assert_eq!(PriceSource::Unpriced(UnpricedReason::NoCatalogPrice).to_string(), "no price in the catalog");
    }
}
