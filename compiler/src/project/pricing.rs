//! Prices in the factory currency: the blueprint's `quote price` overrides, else the catalog's
//! dated estimates converted at an exchange rate (the blueprint's `exchange-rate`, else the
//! catalog's, direct or inverted). What cannot be priced is remembered as a `Problem` with its
//! reason, for the `quote` check and the quote's warnings. Wording is `render`'s.

use crate::catalog::{Catalog, Finance, FinanceUse, Price};
use crate::model::Factory;
use crate::source::Span;
use crate::units::{BitsPerSecond, Money, Rounding};

/// Where an exchange rate comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum RateSource {
    /// The blueprint's `exchange-rate`.
    Blueprint,
    /// A catalog `finance` entry for this direction.
    Catalog { id: String, date: String },
    /// A catalog `finance` entry for the other direction, inverted.
    CatalogInverted { id: String, date: String },
}

/// One unit of `from` is worth `rate` units of `to` (the factory currency).
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeRate {
    pub from: String,
    pub to: String,
    pub rate: f64,
    pub source: RateSource,
}

/// Why an item has no price.
#[derive(Clone, Debug, PartialEq)]
pub enum UnpricedReason {
    /// The part is in the catalog without a price.
    NoCatalogPrice,
    /// The price is in a currency with no rate into the factory currency.
    NoExchangeRate { from: String, to: String },
    /// No catalog transceiver for the switch end at the cage speed.
    NoSwitchModule { speed: BitsPerSecond },
    /// No catalog transceiver for the host end at the NIC speed.
    NoHostModule { speed: BitsPerSecond },
    /// No catalog cable of the modules' medium fast enough.
    NoCable { medium: Option<&'static str>, speed: BitsPerSecond },
    /// No catalog `finance` entry for the facility model.
    NoFinance { use_: FinanceUse },
    /// No catalog default energy price, for a site without `energy-price`.
    NoEnergyPrice,
}

/// Where a unit price comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PriceSource {
    /// The blueprint's `quote price`, as written.
    Override { part: String, price: Money },
    /// The catalog's estimate, already in the factory currency.
    Catalog { part: String, date: String },
    /// The catalog's estimate in another currency, converted.
    Converted { part: String, price: Money, date: String, rate: ExchangeRate },
    /// No price.
    Unpriced(UnpricedReason),
}

/// Where a site's energy price comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum EnergyPriceSource {
    /// The site's `energy-price`.
    Blueprint { site: String },
    /// The catalog's default energy price, a `finance` entry of this name.
    Catalog { finance: String, price: PriceSource },
    /// Neither.
    Missing,
}

/// What the quote could not do as the blueprint asked; the `quote` check reports these.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A site (an index into the factory's sites) without `energy-price`: the catalog's default
    /// price per kWh was used.
    DefaultEnergyPrice { site: usize, price: Money, source: EnergyPriceSource },
    /// An item without a price; `part` is empty when no catalog part fits.
    Unpriced { part: String, reason: UnpricedReason, span: Option<Span> },
}

/// A unit price in the factory currency, or none, and where it comes from.
pub struct Priced {
    pub unit: Option<Money>,
    pub source: PriceSource,
}

/// Prices parts in the factory currency and remembers what it could not price.
pub struct Pricer<'f, 'c> {
    pub factory: &'f Factory<'c>,
    pub catalog: &'c Catalog,
    pub problems: Vec<Problem>,
    /// The exchange rates used, in order of first use.
    pub rates_used: Vec<ExchangeRate>,
}

impl<'f, 'c> Pricer<'f, 'c> {
    pub fn new(factory: &'f Factory<'c>, catalog: &'c Catalog) -> Self {
        Pricer { factory, catalog, problems: Vec::new(), rates_used: Vec::new() }
    }

    fn currency(&self) -> &str {
        &self.factory.currency
    }

    /// One unit of `from` in the factory currency; `None` for the factory currency itself.
    fn rate(&mut self, from: &str) -> Option<Option<ExchangeRate>> {
        let to = self.factory.currency.clone();
        if from == to {
            return Some(None);
        }
        let found = self.blueprint_rate(from).or_else(|| catalog_rate(self.catalog, from, &to))?;
        let rate = ExchangeRate { from: from.to_string(), to, rate: found.0, source: found.1 };
        if !self.rates_used.iter().any(|r| r.from == from) {
            self.rates_used.push(rate.clone());
        }
        Some(Some(rate))
    }

    fn blueprint_rate(&self, from: &str) -> Option<(f64, RateSource)> {
        let (_, r) = self.factory.quote.exchange_rates.iter().find(|(c, _)| c == from)?;
        Some((r.value, RateSource::Blueprint))
    }

    /// Remembers an unpriced item once per part and reason.
    pub fn unpriced(&mut self, part: &str, reason: UnpricedReason, span: Option<Span>) {
        let known = self
            .problems
            .iter()
            .any(|p| matches!(p, Problem::Unpriced { part: q, reason: r, .. } if q == part && *r == reason));
        if !known {
            self.problems.push(Problem::Unpriced { part: part.to_string(), reason, span });
        }
    }

    /// A part's unit price in the factory currency at `rounding`: the blueprint's `quote price`
    /// (as written), else the catalog's estimate converted at the exchange rate and rounded.
    pub fn price(&mut self, id: &str, catalog: Option<&Price>, rounding: Rounding, span: Option<Span>) -> Priced {
        let currency = self.currency().to_string();
        if let Some((_, m)) = self.factory.quote.price_overrides.iter().find(|(p, _)| p == id) {
            return Priced {
                unit: Some(Money { amount: m.value.amount, currency, rounding }),
                source: PriceSource::Override { part: id.to_string(), price: m.value.clone() },
            };
        }
        let Some(p) = catalog else {
            self.unpriced(id, UnpricedReason::NoCatalogPrice, span);
            return Priced { unit: None, source: PriceSource::Unpriced(UnpricedReason::NoCatalogPrice) };
        };
        let from = p.amount.currency.clone();
        match self.rate(&from) {
            Some(None) => Priced {
                unit: Some(Money::rounded(p.amount.amount, currency, rounding)),
                source: PriceSource::Catalog { part: id.to_string(), date: p.date.clone() },
            },
            Some(Some(rate)) => Priced {
                unit: Some(Money::rounded(p.amount.amount * rate.rate, currency, rounding)),
                source: PriceSource::Converted {
                    part: id.to_string(),
                    price: p.amount.clone(),
                    date: p.date.clone(),
                    rate,
                },
            },
            None => {
                let reason = UnpricedReason::NoExchangeRate { from, to: currency };
                self.unpriced(id, reason.clone(), span);
                Priced { unit: None, source: PriceSource::Unpriced(reason) }
            }
        }
    }
}

/// The catalog's rate from `from` to `to`: a direct entry, else an inverse one inverted.
fn catalog_rate(catalog: &Catalog, from: &str, to: &str) -> Option<(f64, RateSource)> {
    let entries: Vec<&Finance> = catalog.finances().filter(|f| f.use_ == FinanceUse::ExchangeRate).collect();
    let direct = entries.iter().find_map(|f| {
        let (amount, per) = f.exchange.as_ref()?;
        (per == from && amount.currency == to)
            .then(|| (amount.amount, RateSource::Catalog { id: f.id.clone(), date: f.date.clone() }))
    });
    direct.or_else(|| {
        entries.iter().find_map(|f| {
            let (amount, per) = f.exchange.as_ref()?;
            (per == to && amount.currency == from && amount.amount > 0.0)
                .then(|| (1.0 / amount.amount, RateSource::CatalogInverted { id: f.id.clone(), date: f.date.clone() }))
        })
    })
}

/// The catalog's `finance` entry for `use_`: priced in the factory currency, else in USD, else
/// the first.
pub fn finance<'c>(catalog: &'c Catalog, use_: FinanceUse, currency: &str) -> Option<&'c Finance> {
    let all: Vec<&Finance> = catalog.finances().filter(|f| f.use_ == use_).collect();
    all.iter()
        .find(|f| f.price.as_ref().is_some_and(|p| p.amount.currency == currency))
        .or_else(|| all.iter().find(|f| f.price.as_ref().is_some_and(|p| p.amount.currency == "USD")))
        .or_else(|| all.first())
        .copied()
}

/// A catalog price's amount for choosing the cheapest part; unpriced parts sort last.
pub fn catalog_amount(p: Option<&Price>) -> f64 {
    p.map(|p| p.amount.amount).unwrap_or(f64::INFINITY)
}
