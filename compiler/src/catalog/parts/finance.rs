//! The `finance` entries: dated energy prices, exchange rates, building, colocation and
//! maintenance figures.

use super::req_prop;
use super::{Catalog, Fields, Price};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

/// What a finance entry is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinanceUse {
    /// The default price of energy where a site gives none (per kWh).
    EnergyPrice,
    /// One unit of a currency in another.
    ExchangeRate,
    /// Building a data center, per MW of critical IT load.
    FacilityBuild,
    /// Colocation, per kW of critical IT load and month.
    Colocation,
    /// Hardware maintenance and support, a fraction of the hardware price per year.
    Maintenance,
}

impl FinanceUse {
    pub const CHOICES: &'static [&'static str] =
        &["energy-price", "exchange-rate", "facility-build", "colocation", "maintenance"];

    fn parse(s: &str) -> Option<FinanceUse> {
        Some(match s {
            "energy-price" => FinanceUse::EnergyPrice,
            "exchange-rate" => FinanceUse::ExchangeRate,
            "facility-build" => FinanceUse::FacilityBuild,
            "colocation" => FinanceUse::Colocation,
            "maintenance" => FinanceUse::Maintenance,
            _ => return None,
        })
    }

    /// The unit a `price` of this use is given per.
    fn per(self) -> &'static [&'static str] {
        match self {
            FinanceUse::EnergyPrice => &["kWh", "MWh"],
            FinanceUse::FacilityBuild => &["MW"],
            FinanceUse::Colocation => &["kW-month"],
            FinanceUse::ExchangeRate | FinanceUse::Maintenance => &[],
        }
    }
}

/// A dated figure the quote needs that is not a part: an energy price, an exchange rate, the cost
/// of a building or of colocation, a maintenance rate. Prices are per the unit in `per` (energy is
/// normalised to kWh).
#[derive(Clone, Debug)]
pub struct Finance {
    pub id: String,
    pub name: String,
    pub use_: FinanceUse,
    pub price: Option<Price>,
    pub per: Option<&'static str>,
    /// `rate 0.05 per="year"`: a fraction (maintenance).
    pub rate: Option<f64>,
    /// `exchange (EUR)0.86 per="USD"`: one unit of `per` is worth this amount.
    pub exchange: Option<(Money, String)>,
    pub date: String,
    /// Years over which a building is written off.
    pub life_years: Option<u64>,
    pub span: Span,
}

/// Decodes a `finance` entry: `use` says what it is for, and with it which of `price … per=`,
/// `rate … per="year"` or `exchange … per=` it needs.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Finance> {
    let f = Fields::new(cx, node, "finance", &["name", "use", "price", "rate", "exchange", "life"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let use_ =
        f.req_choice(cx, "use", FinanceUse::CHOICES, "use \"energy-price\"").and_then(|c| FinanceUse::parse(c.value));
    let mut date = None;
    let mut price = None;
    let mut per = None;
    if let (Some(node), Some(u)) = (f.node("price"), use_) {
        let mut r = NodeReader::new(node);
        let example = "price (USD)0.081 per=\"kWh\" date=\"2025-03\"";
        let amount = r.required_arg(cx, 0, "an amount", example).and_then(|e| read::money(cx, e, "the price"));
        per = r.required_prop(cx, "per", example).and_then(|e| read::choice(cx, e, "`per`", u.per()));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the price date"));
        r.finish(cx);
        read::no_children(cx, node);
        if let (Some(amount), Some(d)) = (amount, d) {
            let mut money = amount.value;
            if per.as_ref().map(|p| p.value) == Some("MWh") {
                money.amount /= 1000.0;
            }
            date = Some(d.value.clone());
            price = Some(Price { amount: money, date: d.value, span: cx.node_head_span(node) });
        }
    }
    let mut rate = None;
    if let Some(node) = f.node("rate") {
        let mut r = NodeReader::new(node);
        let example = "rate 0.05 per=\"year\" date=\"2025-06\"";
        rate = r.required_arg(cx, 0, "a fraction", example).and_then(|e| read::number_in(cx, e, "the rate", 0.0, 1.0));
        let _ = r.required_prop(cx, "per", example).and_then(|e| read::choice(cx, e, "`per`", &["year"]));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the date"));
        r.finish(cx);
        date = date.or(d.map(|d| d.value));
    }
    let mut exchange = None;
    if let Some(node) = f.node("exchange") {
        let mut r = NodeReader::new(node);
        let example = "exchange (EUR)0.86 per=\"USD\" date=\"2025-10\"";
        let to = r.required_arg(cx, 0, "a rate", example).and_then(|e| read::money(cx, e, "the exchange rate"));
        let from = r.required_prop(cx, "per", example).and_then(|e| read::string(cx, e, "the currency"));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the date"));
        r.finish(cx);
        if let Some(from) = &from {
            if !crate::units::is_currency(&from.value) {
                cx.emit(
                    Diagnostic::new(codes::E0108, format!("`{}` is not a currency code", from.value))
                        .label(from.span, "not a currency")
                        .help("write an ISO 4217 currency code in capitals, like `per=\"USD\"`"),
                );
            }
        }
        date = date.or(d.map(|d| d.value));
        if let (Some(to), Some(from)) = (to, from) {
            exchange = Some((to.value, from.value));
        }
    }
    let life_years = f.props("life").and_then(|mut r| {
        let y = req_prop(cx, &mut r, "years", "life years=20", |cx, e| read::count(cx, e, "the life in years"));
        r.finish(cx);
        y.map(|y| y.value)
    });
    let u = use_?;
    let (needed, example) = match u {
        FinanceUse::EnergyPrice | FinanceUse::FacilityBuild | FinanceUse::Colocation => {
            (f.node("price").is_some(), "price (USD)0.081 per=\"kWh\" date=\"2025-03\"")
        }
        FinanceUse::Maintenance => (f.node("rate").is_some(), "rate 0.05 per=\"year\" date=\"2025-06\""),
        FinanceUse::ExchangeRate => (f.node("exchange").is_some(), "exchange (EUR)0.86 per=\"USD\" date=\"2025-10\""),
    };
    if !needed {
        cx.emit(
            Diagnostic::new(
                codes::E0105,
                format!("this `finance` entry needs `{}`", example.split(' ').next().unwrap_or("")),
            )
            .label(cx.node_head_span(node), "value missing")
            .help(format!("add `{example}`")),
        );
        return None;
    }
    Some(Finance {
        id: id.to_string(),
        name: name?.value,
        use_: u,
        price,
        per: per.map(|p| if p.value == "MWh" { "kWh" } else { p.value }),
        rate: rate.map(|r| r.value),
        exchange,
        date: date?,
        life_years,
        span: cx.node_head_span(node),
    })
}
