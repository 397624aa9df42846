//! Resolution of the `quote` block: price overrides bound to priced catalog parts, exchange
//! rates, the facility model and the heading, with the defaults the quote lists as assumptions.

use super::*;

impl<'a> Resolver<'a, '_> {
    pub(super) fn quote(&mut self, q: Option<&ast::Quote>) -> QuoteSettings {
        let mut overrides = Vec::new();
        if let Some(q) = q {
            for p in &q.prices {
                match self.catalog.get(&p.part.value) {
                    Some(part) if part.is_priced() => {
                        overrides.push((p.part.value.clone(), p.price.clone()));
                    }
                    Some(other) => {
                        let other = other.clone();
                        self.wrong_kind(
                            "a priced part",
                            &p.part,
                            &other,
                            "prices apply to systems, enclosures, switches, CDUs, optics, PDUs, whips, services and priced finance entries".to_string(),
                        );
                    }
                    None => self.unknown_part(
                        "part",
                        &p.part,
                        &[
                            "system",
                            "rack",
                            "switch",
                            "cdu",
                            "transceiver",
                            "cable",
                            "pdu",
                            "whip",
                            "service",
                            "finance",
                        ],
                    ),
                }
            }
        }
        QuoteSettings {
            margin: q.and_then(|q| q.margin.as_ref()).map(|m| m.value).unwrap_or(0.0),
            amortize_years: q.and_then(|q| q.amortize_years.as_ref()).map(|y| y.value).unwrap_or(5),
            utilization: q.and_then(|q| q.utilization.as_ref()).map(|u| u.value).unwrap_or(0.7),
            price_overrides: overrides,
            written: q.is_some(),
            exchange_rates: q
                .map(|q| {
                    q.exchange_rates
                        .iter()
                        .map(|x| (x.from.value.clone(), Spanned::new(x.rate.value.amount, x.rate.span)))
                        .collect()
                })
                .unwrap_or_default(),
            facility: q.and_then(|q| q.facility.as_ref()).map(|f| f.value).unwrap_or_default(),
            defaulted: [
                ("margin", q.is_some_and(|q| q.margin.is_some())),
                ("amortize", q.is_some_and(|q| q.amortize_years.is_some())),
                ("utilization", q.is_some_and(|q| q.utilization.is_some())),
                ("facility", q.is_some_and(|q| q.facility.is_some())),
            ]
            .into_iter()
            .filter(|(_, written)| !written)
            .map(|(k, _)| k)
            .collect(),
            heading: {
                let text = |f: fn(&ast::Quote) -> &Option<Spanned<String>>| {
                    q.and_then(|q| f(q).as_ref()).map(|s| s.value.clone())
                };
                crate::model::QuoteHeading {
                    customer: text(|q| &q.customer),
                    reference: text(|q| &q.reference),
                    date: text(|q| &q.date),
                    valid_until: text(|q| &q.valid_until),
                    terms: text(|q| &q.terms),
                }
            },
            span: q.map(|q| q.span),
        }
    }
}
