//! W1001, W1002: what the quote had to assume. A blueprint with a `quote` block whose site gives
//! no `energy-price` is priced at the catalog's default energy price (W1001); a bill-of-materials
//! or quote line that has no price, because the catalog has none or no exchange rate turns it into
//! the factory currency, is left out of the totals (W1002). The problems and their reasons come from
//! `project::pricing`; their wording is the quote page's (`render::quote_text`, `format`).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::price_per;
use crate::project::pricing::{Problem, UnpricedReason};
use crate::source::Span;

/// An unpriced item: its part id (empty when no part fits) and where the blueprint asks for it.
type Item<'a> = (&'a str, Option<Span>);

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    default_energy_prices(cx, diags);
    unpriced(cx, diags);
}

/// W1001 per site priced at the catalog's default energy price.
fn default_energy_prices(cx: &CheckCtx, diags: &mut Diagnostics) {
    let factory = cx.factory;
    for problem in &cx.plan.quote.problems {
        match problem {
            Problem::DefaultEnergyPrice { site, price, source } => {
                // Without a `quote` block the whole quote is defaults, and its assumptions say so.
                let (Some(quote), Some(site)) = (factory.quote.span, factory.sites.get(*site)) else { continue };
                // A price written in the wrong currency or unit has its own error; "no energy
                // price" would contradict it.
                if site.power.energy_price_rejected {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        codes::W1001,
                        format!(
                            "site {} has no energy price; the quote uses the catalog's default of {}",
                            site.name.value,
                            price_per(price, "kWh")
                        ),
                    )
                    .label(site.power.span, "no `energy-price`")
                    .label(quote, "the quote prices energy for every site")
                    .note(format!("the default: {source}"))
                    .help(format!(
                        "give the site's contracted price: `energy-price ({})0.11 per=\"kWh\"` in its `power` block",
                        factory.currency
                    )),
                );
            }
            Problem::Unpriced { .. } => {}
        }
    }
}

/// W1002 once per reason, naming the items it leaves unpriced.
fn unpriced(cx: &CheckCtx, diags: &mut Diagnostics) {
    let factory = cx.factory;
    let mut unpriced: Vec<(&UnpricedReason, Vec<Item>)> = Vec::new();
    for problem in &cx.plan.quote.problems {
        let Problem::Unpriced { part, reason, span } = problem else { continue };
        match unpriced.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, items)) => items.push((part, *span)),
            None => unpriced.push((reason, vec![(part, *span)])),
        }
    }
    for (reason, items) in unpriced {
        let named: Vec<String> = items.iter().filter(|(p, _)| !p.is_empty()).map(|(p, _)| format!("`{p}`")).collect();
        let span = items.iter().find_map(|(_, s)| *s).or(factory.quote.span).unwrap_or(factory.span);
        let what = match items.len() {
            1 => "one item of the quote has".to_string(),
            n => format!("{n} items of the quote have"),
        };
        let mut d = Diagnostic::new(codes::W1002, format!("{what} no price: {reason}"))
            .label(span, if items.len() > 1 { "the first of them" } else { "priced in the quote" })
            .note("unpriced lines are listed without a price and left out of the totals");
        if !named.is_empty() {
            d = d.note(format!("unpriced: {}", named.join(", ")));
        }
        let help = match reason {
            UnpricedReason::NoExchangeRate { from, .. } => format!(
                "give the rate in the `quote` block, as what one unit is worth: `exchange-rate ({})0.8 per=\"{from}\"`",
                factory.currency
            ),
            UnpricedReason::NoCatalogPrice
            | UnpricedReason::NoSwitchModule { .. }
            | UnpricedReason::NoHostModule { .. }
            | UnpricedReason::NoCable { .. }
            | UnpricedReason::NoFinance { .. }
            | UnpricedReason::NoEnergyPrice => {
                let part = items.iter().map(|(p, _)| *p).find(|p| !p.is_empty()).unwrap_or("PART");
                format!("price it in the `quote` block: `price \"{part}\" ({})1000`", factory.currency)
            }
        };
        d = d.help(help);
        diags.push(d);
    }
}
