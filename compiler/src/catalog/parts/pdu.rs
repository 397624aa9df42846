//! The `pdu` part: a rack power distribution unit.

use super::req_prop;
use super::{Catalog, Fields, Price};
use crate::lower::read::{self, Cx};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

/// A rack power distribution unit: what an enclosure of servers needs to reach its circuits.
#[derive(Clone, Debug)]
pub struct Pdu {
    pub id: String,
    pub name: String,
    /// Usable continuous power (the rating derated for continuous load).
    pub capacity: Watts,
    /// Outlets for server power inputs (C19-class).
    pub outlets: u64,
    pub price: Option<Price>,
    pub span: Span,
}

/// Decodes a `pdu` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Pdu> {
    let f = Fields::new(cx, node, "pdu", &["name", "vendor", "capacity", "outlets", "power-input", "price"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let capacity = f.req_quantity(cx, "capacity", Dimension::Power, "capacity (kW)17.7");
    let outlets = f.req_count(cx, "outlets", "outlets 12");
    if let Some(mut r) = f.props("power-input") {
        let example = "power-input voltage=(V)400 phase=3 current=(A)32";
        let _ =
            req_prop(cx, &mut r, "voltage", example, |cx, e| read::quantity(cx, e, "the voltage", Dimension::Voltage));
        let _ = req_prop(cx, &mut r, "phase", example, |cx, e| read::count(cx, e, "the phase count"));
        let _ =
            req_prop(cx, &mut r, "current", example, |cx, e| read::quantity(cx, e, "the current", Dimension::Current));
        r.finish(cx);
    }
    let price = f.price(cx);
    Some(Pdu {
        id: id.to_string(),
        name: name?.value,
        capacity: Watts(capacity?.value),
        outlets: outlets?.value,
        price,
        span: cx.node_head_span(node),
    })
}
