//! The `pdu` part: a rack power distribution unit and the circuit that feeds it.

use super::{Catalog, Fields, Price};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

/// The continuous-load derating a circuit is kept to unless the part says otherwise: 80 % of the
/// breaker's rating (NEC 210.19(A)/210.20(A) and 215.2/215.3 for continuous loads, also the sizing
/// practice of IEC installations and PDU vendors' guides).
pub const CONTINUOUS_DERATING: f64 = 0.8;

/// A rack power distribution unit: what an enclosure of servers needs to reach its circuits.
#[derive(Clone, Debug)]
pub struct Pdu {
    pub id: String,
    pub name: String,
    /// The circuit's voltage: line to line for three-phase.
    pub voltage: Volts,
    /// 1 (single-phase) or 3 (three-phase).
    pub phases: u64,
    /// The circuit's breaker rating per phase.
    pub current: Amperes,
    /// The share of the breaker rating the PDU may carry continuously.
    pub derating: f64,
    /// Outlets for server power inputs (C19-class).
    pub outlets: u64,
    /// Rack units it takes: 0 for a vertical PDU mounted in the rear channel.
    pub rack_units: u64,
    /// Its own weight, where the datasheet gives it.
    pub weight: Option<Kilograms>,
    pub price: Option<Price>,
    pub span: Span,
}

impl Pdu {
    /// The circuit's rating: V × A × √3 three-phase (V line to line), V × A single-phase.
    pub fn rating(&self) -> Watts {
        circuit_rating(self.voltage, self.current, self.phases)
    }

    /// What it carries continuously: the rating × the derating.
    pub fn usable(&self) -> Watts {
        self.rating() * self.derating
    }
}

/// A circuit's rating: V × A × √3 for three-phase (V line to line), V × A for single-phase; real
/// power at unity power factor, as the feeds' kW are treated (review notes: kW vs kVA).
pub fn circuit_rating(voltage: Volts, current: Amperes, phases: u64) -> Watts {
    let k = if phases >= 3 { 3f64.sqrt() } else { 1.0 };
    Watts(voltage.0 * current.0 * k)
}

/// The current per phase a load of `load` draws on such a circuit.
pub fn amps_per_phase(load: Watts, voltage: Volts, phases: u64) -> Amperes {
    let k = if phases >= 3 { 3f64.sqrt() } else { 1.0 };
    if voltage.0 > 0.0 {
        Amperes(load.0 / (voltage.0 * k))
    } else {
        Amperes(0.0)
    }
}

/// Decodes a `pdu` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Pdu> {
    let f = Fields::new(
        cx,
        node,
        "pdu",
        &["name", "vendor", "outlets", "power-input", "derating", "rack-units", "weight", "price"],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let outlets = f.req_count(cx, "outlets", "outlets 12");
    let example = "power-input voltage=(V)400 phase=3 current=(A)32";
    let input = f.props("power-input").and_then(|r| super::circuit(cx, r, example));
    if f.node("power-input").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`pdu` needs `power-input`")
                .label(cx.node_head_span(node), "`power-input` missing")
                .help(format!("add `{example}`: the circuit that feeds it")),
        );
    }
    let derating = match f.arg(cx, "derating", "derating 0.8") {
        Some(e) => Some(read::number_in(cx, e, "`derating`", 0.5, 1.0)?.value),
        None => None,
    };
    let rack_units = match f.arg(cx, "rack-units", "rack-units 2") {
        Some(e) => Some(read::integer_at_least(cx, e, "`rack-units`", 0)?.value),
        None => None,
    };
    let weight = f.quantity(cx, "weight", Dimension::Mass, "weight (kg)12");
    let price = f.price(cx);
    let (voltage, phase, current) = input?;
    if phase.value != 1 && phase.value != 3 {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("a PDU is single-phase or three-phase, not {}-phase", phase.value))
                .label(phase.span, "1 or 3")
                .help("write `phase=3` for a three-phase PDU"),
        );
        return None;
    }
    Some(Pdu {
        id: id.to_string(),
        name: name?.value,
        voltage,
        phases: phase.value,
        current,
        derating: derating.unwrap_or(CONTINUOUS_DERATING),
        outlets: outlets?.value,
        rack_units: rack_units.unwrap_or(0),
        weight: weight.map(|w| Kilograms(w.value)),
        price,
        span: cx.node_head_span(node),
    })
}
