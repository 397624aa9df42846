//! The `cdu` part: a coolant distribution unit and its rating.

use super::temperature_window;
use super::{Catalog, Fields, Price};
use crate::lower::read::Cx;
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

/// Where a CDU stands: in the rack it cools, in the row, or in the facility's plant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CduPlacement {
    InRack,
    InRow,
    Facility,
}

#[derive(Clone, Debug)]
pub struct Cdu {
    pub id: String,
    pub name: String,
    pub placement: CduPlacement,
    pub capacity: Watts,
    pub rating: Option<String>,
    /// Approach in kelvin: how far the secondary supply sits above the facility water at rating.
    pub approach: f64,
    pub supply_temperature: Option<(Celsius, Celsius)>,
    pub pump_power: Option<Watts>,
    pub price: Option<Price>,
    pub span: Span,
}

/// Decodes a `cdu` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Cdu> {
    let f = Fields::new(
        cx,
        node,
        "cdu",
        &["name", "vendor", "placement", "capacity", "rating", "approach", "supply-temperature", "pump-power", "price"],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let placement = f.req_choice(cx, "placement", &["in-rack", "in-row", "facility"], "placement \"in-row\"");
    let capacity = f.req_quantity(cx, "capacity", Dimension::Power, "capacity (kW)2000");
    let rating = f.string(cx, "rating", "rating \"…\"").map(|s| s.value);
    let approach = f.req_quantity(cx, "approach", Dimension::TemperatureDifference, "approach (K)5");
    let supply = temperature_window(cx, &f, "supply-temperature");
    let pump = f.quantity(cx, "pump-power", Dimension::Power, "pump-power (kW)30");
    let price = f.price(cx);
    Some(Cdu {
        id: id.to_string(),
        name: name?.value,
        placement: match placement?.value {
            "in-rack" => CduPlacement::InRack,
            "in-row" => CduPlacement::InRow,
            _ => CduPlacement::Facility,
        },
        capacity: Watts(capacity?.value),
        rating,
        approach: approach?.value,
        supply_temperature: supply,
        pump_power: pump.map(|q| Watts(q.value)),
        price,
        span: cx.node_head_span(node),
    })
}
