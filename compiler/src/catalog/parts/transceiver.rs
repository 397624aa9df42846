//! The `transceiver` and `cable` parts: optics and cables for fabric links.

use super::{Catalog, Fields, NicRole, Price};
use crate::lower::read::{self, Cx};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

#[derive(Clone, Debug)]
pub struct Transceiver {
    pub id: String,
    pub name: String,
    pub is_cable: bool,
    pub speed: BitsPerSecond,
    pub power: Watts,
    /// Which end of a link the module plugs into (`None` for cables and unspecified modules).
    pub end: Option<LinkEnd>,
    /// The NIC role whose ports it fits, where the form factor differs by role.
    pub nic: Option<NicRole>,
    /// `multimode`, `single-mode` or `copper`: a link's modules and cable share it.
    pub medium: Option<&'static str>,
    /// The longest link it carries, metres, from the datasheet's `reach "50 m"` (`None`: not stated).
    pub reach: Option<f64>,
    pub price: Option<Price>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEnd {
    Switch,
    Host,
}

/// Decodes a `transceiver` part.
pub(super) fn decode_module(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Transceiver> {
    decode(cx, node, id, false)
}

/// Decodes a `cable` part.
pub(super) fn decode_cable(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Transceiver> {
    decode(cx, node, id, true)
}

fn decode(cx: &mut Cx, node: &Node, id: &str, is_cable: bool) -> Option<Transceiver> {
    let kind = if is_cable { "cable" } else { "transceiver" };
    let f = Fields::new(
        cx,
        node,
        kind,
        &["name", "vendor", "form-factor", "reach", "speed", "power", "end", "nic", "medium", "price"],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let _ = f.string(cx, "form-factor", "form-factor \"OSFP\"");
    let reach = f.string(cx, "reach", "reach \"50 m\"").and_then(|r| {
        let parsed = parse_reach(&r.value);
        if parsed.is_none() {
            cx.emit(
                crate::diag::Diagnostic::new(
                    crate::diag::codes::E0109,
                    format!("the reach \"{}\" is not a length in metres or kilometres", r.value),
                )
                .label(r.span, "not a length")
                .help("write the datasheet's reach with its unit, like `reach \"50 m\"` or `reach \"2 km\"`"),
            );
        }
        parsed
    });
    let speed = f.req_quantity(cx, "speed", Dimension::LinkSpeed, "speed (Gbps)800");
    let power = f.quantity(cx, "power", Dimension::Power, "power (W)17");
    let end = f
        .arg(cx, "end", "end \"switch\"")
        .and_then(|e| read::choice(cx, e, "`end`", &["switch", "host"]))
        .map(|c| if c.value == "switch" { LinkEnd::Switch } else { LinkEnd::Host });
    let nic = f
        .arg(cx, "nic", "nic \"compute\"")
        .and_then(|e| read::choice(cx, e, "`nic`", &["compute", "frontend"]))
        .map(|c| if c.value == "compute" { NicRole::Compute } else { NicRole::Frontend });
    let medium = f
        .arg(cx, "medium", "medium \"multimode\"")
        .and_then(|e| read::choice(cx, e, "`medium`", &["multimode", "single-mode", "copper"]))
        .map(|c| c.value);
    let price = f.price(cx);
    Some(Transceiver {
        id: id.to_string(),
        name: name?.value,
        is_cable,
        speed: BitsPerSecond(speed?.value),
        power: Watts(power.map(|p| p.value).unwrap_or(0.0)),
        end,
        nic,
        medium,
        reach,
        price,
        span: cx.node_head_span(node),
    })
}

/// `"50 m"`, `"2 km"`, `"500m"` in metres; `None` for anything else.
fn parse_reach(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, factor) = if let Some(n) = t.strip_suffix("km") {
        (n, 1e3)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 1.0)
    } else {
        return None;
    };
    let v: f64 = number.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v * factor)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reaches_read_in_metres() {
        assert_eq!(super::parse_reach("50 m"), Some(50.0));
        assert_eq!(super::parse_reach("2 km"), Some(2000.0));
        assert_eq!(super::parse_reach("fifty"), None);
    }
}
