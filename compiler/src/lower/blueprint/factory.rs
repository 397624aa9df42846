//! Lowers the `factory` node: name, currency, sovereignty region and description.

use super::*;

/// The children a `factory` node may have.
pub(super) const FACTORY_CHILDREN: &[&str] = &["description", "region", "currency"];

pub(super) fn lower_factory(cx: &mut Cx, node: &Node) -> Option<Factory> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a factory name", "factory \"rhine-one\"");
    r.finish(cx);
    let mut description = None;
    let mut region = None;
    let mut currency = None;
    let mut currency_invalid = false;
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !["description", "region", "currency"].contains(&key) {
            read::unknown_child(cx, "factory", child, FACTORY_CHILDREN);
            continue;
        }
        if !once.first(cx, "factory", child) {
            continue;
        }
        match key {
            "description" => {
                if let Some(e) = read::single_arg(cx, child, "description \"…\"") {
                    description = read::string(cx, e, "the description");
                }
            }
            "region" => {
                if let Some(e) = read::single_arg(cx, child, "region \"eu\"") {
                    region = read::name(cx, e, "the region");
                }
            }
            _ => {
                if let Some(e) = read::single_arg(cx, child, "currency \"EUR\"") {
                    if let Some(c) = read::string(cx, e, "the currency") {
                        if crate::units::is_currency(&c.value) {
                            currency = Some(c);
                        } else {
                            currency_invalid = true;
                            cx.emit(
                                Diagnostic::new(
                                    codes::E0111,
                                    format!("currency \"{}\" is not an ISO 4217 code", c.value),
                                )
                                .label(c.span, "not a currency code")
                                .help(format!(
                                    "write three capital letters, like \"EUR\" or \"USD\"{}",
                                    if c.value.len() == 3 {
                                        format!(" (\"{}\")", c.value.to_ascii_uppercase())
                                    } else {
                                        String::new()
                                    }
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
    // A factory whose name cannot be read still governs the file (its currency, its region), so
    // the rest of the blueprint is checked; the name's own error is reported.
    let name = name.unwrap_or_else(|| Spanned::new(String::new(), cx.node_name_span(node)));
    let currency_source = match (&currency, currency_invalid) {
        (Some(_), _) => CurrencySource::Written,
        (None, true) => CurrencySource::Invalid,
        (None, false) => CurrencySource::Default,
    };
    let currency = currency.unwrap_or_else(|| Spanned::new("USD".to_string(), name.span));
    Some(Factory { name, description, region, currency, currency_source, span: cx.node_head_span(node) })
}
