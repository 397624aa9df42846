//! The `rack` part: a rack enclosure and the heat and power it takes.

use super::{footprint, Catalog, Fields, Footprint, Price};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::Cx;
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnclosureCooling {
    Air,
    Rdhx,
    Dlc,
}

impl EnclosureCooling {
    pub fn as_str(self) -> &'static str {
        match self {
            EnclosureCooling::Air => "air",
            EnclosureCooling::Rdhx => "rdhx",
            EnclosureCooling::Dlc => "dlc",
        }
    }

    pub fn needs_loop(self) -> bool {
        self != EnclosureCooling::Air
    }
}

#[derive(Clone, Debug)]
pub struct Enclosure {
    pub id: String,
    pub name: String,
    pub rack_units: u64,
    pub cooling: EnclosureCooling,
    pub air_heat: Watts,
    pub liquid_heat: Option<Watts>,
    pub max_power: Watts,
    pub max_weight: Option<Kilograms>,
    pub weight: Kilograms,
    /// Width × depth on the floor.
    pub footprint: Footprint,
    pub price: Option<Price>,
    pub span: Span,
}

/// Decodes a `rack` (enclosure) part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Enclosure> {
    let f = Fields::new(
        cx,
        node,
        "rack",
        &[
            "name",
            "rack-units",
            "cooling",
            "air-heat",
            "liquid-heat",
            "max-power",
            "max-weight",
            "weight",
            "footprint",
            "price",
        ],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let ru = f.req_count(cx, "rack-units", "rack-units 48");
    let cooling = f.req_choice(cx, "cooling", &["air", "rdhx", "dlc"], "cooling \"air\"");
    let air = f.req_quantity(cx, "air-heat", Dimension::Power, "air-heat (kW)30");
    let liquid = f.quantity(cx, "liquid-heat", Dimension::Power, "liquid-heat (kW)140");
    let max_power = f.req_quantity(cx, "max-power", Dimension::Power, "max-power (kW)30");
    let max_weight = f.quantity(cx, "max-weight", Dimension::Mass, "max-weight (kg)1360");
    let weight = f.req_quantity(cx, "weight", Dimension::Mass, "weight (kg)150");
    let fp = footprint(cx, &f);
    if f.node("footprint").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`rack` needs `footprint`")
                .label(cx.node_head_span(node), "`footprint` missing")
                .help("add `footprint width=(mm)600 depth=(mm)1200`: the floor area its weight stands on"),
        );
    }
    let price = f.price(cx);
    let cooling = match cooling?.value {
        "air" => EnclosureCooling::Air,
        "rdhx" => EnclosureCooling::Rdhx,
        _ => EnclosureCooling::Dlc,
    };
    if cooling.needs_loop() && liquid.is_none() && f.node("liquid-heat").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "a liquid-cooled enclosure needs `liquid-heat`")
                .label(cx.node_head_span(node), "no liquid rating")
                .help("add `liquid-heat (kW)140`: the heat the enclosure moves to its loop"),
        );
    }
    Some(Enclosure {
        id: id.to_string(),
        name: name?.value,
        rack_units: ru?.value,
        cooling,
        air_heat: Watts(air?.value),
        liquid_heat: liquid.map(|q| Watts(q.value)),
        max_power: Watts(max_power?.value),
        max_weight: max_weight.map(|q| Kilograms(q.value)),
        weight: Kilograms(weight?.value),
        footprint: fp?,
        price,
        span: cx.node_head_span(node),
    })
}
