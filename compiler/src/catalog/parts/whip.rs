//! The `whip` part: the flexible power cable that runs one circuit from a panel or busway to a
//! rack (a PDU's inlet, or a rack-scale system's power shelf).

use super::{Catalog, Fields, Price};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::Cx;
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

/// A power whip: the cable and connectors of one rack circuit.
#[derive(Clone, Debug)]
pub struct Whip {
    pub id: String,
    pub name: String,
    pub voltage: Volts,
    pub phases: u64,
    /// The current it is rated for per phase (its circuit's breaker at most).
    pub current: Amperes,
    pub price: Option<Price>,
    pub span: Span,
}

/// Decodes a `whip` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Whip> {
    let f = Fields::new(cx, node, "whip", &["name", "circuit", "price"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let example = "circuit voltage=(V)415 phase=3 current=(A)63";
    let circuit = f.props("circuit").and_then(|r| super::circuit(cx, r, example)).map(|(v, p, a)| (v, p.value, a));
    if f.node("circuit").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`whip` needs `circuit`")
                .label(cx.node_head_span(node), "`circuit` missing")
                .help(format!("add `{example}`: the circuit it is rated for")),
        );
    }
    let price = f.price(cx);
    let (voltage, phases, current) = circuit?;
    Some(Whip { id: id.to_string(), name: name?.value, voltage, phases, current, price, span: cx.node_head_span(node) })
}
