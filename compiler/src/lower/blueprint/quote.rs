//! Lowers the `quote` block: price overrides, exchange rates, the facility model and the terms.

use super::*;

/// The children a `quote` node may have.
pub(super) const QUOTE_CHILDREN: &[&str] = &[
    "margin",
    "amortize",
    "utilization",
    "price",
    "exchange-rate",
    "facility",
    "customer",
    "reference",
    "date",
    "valid-until",
    "terms",
];

/// `date "2026-12-03"`: an ISO 8601 calendar date, `YYYY-MM-DD` with a real month and day.
fn iso_date(cx: &mut Cx, node: &Node, key: &str) -> Option<Spanned<String>> {
    let example = format!("{key} \"2026-12-03\"");
    let d = read::single_arg(cx, node, &example).and_then(|e| read::string(cx, e, &format!("the {key}")))?;
    let parts: Vec<&str> = d.value.split('-').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    let ok = match parts.as_slice() {
        [y, m, day] => match (num(y, 4), num(m, 2), num(day, 2)) {
            (Some(y), Some(m), Some(day)) => {
                let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
                let days = match m {
                    1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                    4 | 6 | 9 | 11 => 30,
                    2 if leap => 29,
                    2 => 28,
                    _ => 0,
                };
                day >= 1 && day <= days
            }
            _ => false,
        },
        _ => false,
    };
    if !ok {
        cx.emit(
            Diagnostic::new(codes::E0106, format!("the {key} `{}` is not a calendar date written YYYY-MM-DD", d.value))
                .label(d.span, "not a YYYY-MM-DD date")
                .help(format!("write it like `{example}`")),
        );
        return None;
    }
    Some(d)
}

/// `exchange-rate (EUR)0.86 per="USD"`: the rate is money in the factory currency (E0115
/// otherwise), `per` another currency, each currency at most once.
pub(super) fn lower_exchange_rate(cx: &mut Cx, node: &Node, seen: &[ExchangeRate]) -> Option<ExchangeRate> {
    let mut r = NodeReader::new(node);
    let example = "exchange-rate (EUR)0.86 per=\"USD\"";
    let rate = r.required_arg(cx, 0, "a rate", example).and_then(|e| read::money(cx, e, "the exchange rate"));
    let from = r.required_prop(cx, "per", example).and_then(|e| read::string(cx, e, "`per`"));
    r.finish(cx);
    read::no_children(cx, node);
    let (rate, from) = (rate?, from?);
    if !crate::units::is_currency(&from.value) {
        cx.emit(
            Diagnostic::new(codes::E0108, format!("`per` must be a currency code, not `{}`", from.value))
                .label(from.span, "not a currency")
                .help("write an ISO 4217 code in capitals, like `per=\"USD\"`"),
        );
        return None;
    }
    if from.value == rate.value.currency {
        cx.emit(
            Diagnostic::new(codes::E0111, format!("an exchange rate from {} to itself", from.value))
                .label(from.span, "the factory's own currency")
                .help("name the currency the catalog prices are in, like `per=\"USD\"`"),
        );
        return None;
    }
    if rate.value.amount <= 0.0 {
        cx.emit(
            Diagnostic::new(codes::E0109, "an exchange rate must be above zero")
                .label(rate.span, "zero")
                .help("write what one unit of the other currency is worth"),
        );
        return None;
    }
    if let Some(first) = seen.iter().find(|x| x.from.value == from.value) {
        cx.emit(
            Diagnostic::new(codes::E0112, format!("a second exchange rate for {}", from.value))
                .label(from.span, "given again here")
                .label(first.from.span, "first given here")
                .help("keep one `exchange-rate` per currency"),
        );
        return None;
    }
    Some(ExchangeRate { from, rate, span: cx.node_head_span(node) })
}

pub(super) fn lower_quote(cx: &mut Cx, node: &Node) -> Quote {
    NodeReader::new(node).finish(cx);
    let mut q = Quote {
        margin: None,
        amortize_years: None,
        utilization: None,
        prices: Vec::new(),
        exchange_rates: Vec::new(),
        facility: None,
        customer: None,
        reference: None,
        date: None,
        valid_until: None,
        terms: None,
        span: cx.node_name_span(node),
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !QUOTE_CHILDREN.contains(&key) {
            read::unknown_child(cx, "quote", child, QUOTE_CHILDREN);
            continue;
        }
        if key != "price" && key != "exchange-rate" && !once.first(cx, "quote", child) {
            continue;
        }
        match key {
            "customer" | "reference" | "terms" => {
                let text = read::single_arg(cx, child, &format!("{key} \"…\""))
                    .and_then(|e| read::string(cx, e, &format!("the {key}")));
                match key {
                    "customer" => q.customer = text,
                    "reference" => q.reference = text,
                    _ => q.terms = text,
                }
            }
            "date" => q.date = iso_date(cx, child, key),
            "valid-until" => q.valid_until = iso_date(cx, child, key),
            "facility" => {
                if let Some(e) = read::single_arg(cx, child, "facility \"colocation\"") {
                    q.facility = read::choice(cx, e, "the facility", FacilityModel::CHOICES).map(|c| {
                        Spanned::new(
                            if c.value == "build" { FacilityModel::Build } else { FacilityModel::Colocation },
                            c.span,
                        )
                    });
                }
            }
            "exchange-rate" => {
                if let Some(x) = lower_exchange_rate(cx, child, &q.exchange_rates) {
                    q.exchange_rates.push(x);
                }
            }
            "margin" => {
                if let Some(e) = read::single_arg(cx, child, "margin 0.18") {
                    q.margin = read::number_in(cx, e, "the margin", 0.0, 0.95);
                }
            }
            "utilization" => {
                if let Some(e) = read::single_arg(cx, child, "utilization 0.7") {
                    q.utilization = read::number_in(cx, e, "the utilization", 0.0, 1.0);
                }
            }
            "amortize" => {
                let mut r = NodeReader::new(child);
                q.amortize_years = r
                    .required_prop(cx, "years", "amortize years=5")
                    .and_then(|e| read::count(cx, e, "the amortization period in years"));
                if let Some(y) = &q.amortize_years {
                    if y.value > 50 {
                        cx.emit(
                            Diagnostic::new(
                                codes::E0109,
                                format!("an amortization period of {} years is not plausible", y.value),
                            )
                            .label(y.span, "too long")
                            .help("GPU systems are amortized over 3 to 6 years; buildings over 15 to 30"),
                        );
                        q.amortize_years = None;
                    }
                }
                r.finish(cx);
                read::no_children(cx, child);
            }
            _ => {
                let mut r = NodeReader::new(child);
                let example = "price \"gb200-nvl72\" (EUR)3200000";
                let part = r.required_arg(cx, 0, "a part id", example).and_then(|e| read::name(cx, e, "the part"));
                let price = r.required_arg(cx, 1, "a price", example).and_then(|e| read::money(cx, e, "the price"));
                r.finish(cx);
                read::no_children(cx, child);
                if let (Some(part), Some(price)) = (part, price) {
                    if let Some(first) = q.prices.iter().find(|p| p.part.value == part.value) {
                        cx.emit(
                            Diagnostic::new(codes::E0112, format!("`{}` is priced twice in `quote`", part.value))
                                .label(part.span, "priced again here")
                                .label(first.part.span, "first priced here")
                                .help("keep one `price` line per part"),
                        );
                    } else {
                        q.prices.push(PriceOverride { part, price, span: cx.node_head_span(child) });
                    }
                }
            }
        }
    }
    // ISO dates compare as text.
    if let (Some(d), Some(v)) = (&q.date, &q.valid_until) {
        if v.value < d.value {
            cx.emit(
                Diagnostic::new(
                    codes::E0111,
                    format!("the quote is valid until {}, before its date {}", v.value, d.value),
                )
                .label(v.span, "before the quote's date")
                .label(d.span, "the quote's date")
                .help("give a `valid-until` on or after the `date`"),
            );
            q.valid_until = None;
        }
    }
    q
}
