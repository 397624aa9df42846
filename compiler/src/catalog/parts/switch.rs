//! The `switch` part: a fabric or management switch and its port modes.

use super::{liquid_fraction, req_prop};
use super::{Catalog, Fields, Price, Vendor};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Infiniband,
    Ethernet,
}

impl Protocol {
    /// As people write it in prose.
    pub fn display(self) -> &'static str {
        match self {
            Protocol::Infiniband => "InfiniBand",
            Protocol::Ethernet => "Ethernet",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Infiniband => "infiniband",
            Protocol::Ethernet => "ethernet",
        }
    }
}

#[derive(Clone, Debug)]
pub struct PortMode {
    pub count: u64,
    pub speed: BitsPerSecond,
}

#[derive(Clone, Debug)]
pub struct Switch {
    pub id: String,
    pub name: String,
    pub vendor: Vendor,
    pub protocol: Protocol,
    pub management: bool,
    pub port_modes: Vec<PortMode>,
    pub power: Watts,
    pub rack_units: u64,
    pub liquid_fraction: f64,
    /// Physical port cages (a twin-port OSFP cage carries two ports); `None`: one per port of the
    /// fastest mode.
    pub cages: Option<u64>,
    pub price: Option<Price>,
    pub span: Span,
}

impl Switch {
    /// Ports available at an endpoint speed: the mode of the lowest speed that still carries it
    /// (an 800G switch runs 400G hosts by breakout, doubling its radix).
    pub fn radix_at(&self, speed: BitsPerSecond) -> Option<&PortMode> {
        self.port_modes.iter().filter(|m| m.speed.0 >= speed.0 * 0.999).min_by(|a, b| a.speed.0.total_cmp(&b.speed.0))
    }

    pub fn max_speed(&self) -> BitsPerSecond {
        BitsPerSecond(self.port_modes.iter().map(|m| m.speed.0).fold(0.0, f64::max))
    }
}

/// Decodes a `switch` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Switch> {
    let f = Fields::new(
        cx,
        node,
        "switch",
        &["name", "vendor", "protocol", "role", "power", "rack-units", "cooling", "cages", "price"],
        &["port-mode"],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let vendor = f.req_choice(
        cx,
        "vendor",
        &["nvidia", "amd", "arista", "cisco", "juniper", "broadcom", "other"],
        "vendor \"nvidia\"",
    );
    let protocol = f.req_choice(cx, "protocol", &["infiniband", "ethernet"], "protocol \"infiniband\"");
    let role = f.req_choice(cx, "role", &["fabric", "management"], "role \"fabric\"");
    let mut port_modes = Vec::new();
    for n in f.all("port-mode") {
        let mut r = NodeReader::new(n);
        let example = "port-mode count=64 speed=(Gbps)400";
        let count = req_prop(cx, &mut r, "count", example, |cx, e| read::count(cx, e, "the port count"));
        let speed = req_prop(cx, &mut r, "speed", example, |cx, e| {
            read::quantity(cx, e, "the port speed", Dimension::LinkSpeed)
        });
        r.finish(cx);
        if let (Some(count), Some(speed)) = (count, speed) {
            port_modes.push(PortMode { count: count.value, speed: BitsPerSecond(speed.value) });
        }
    }
    if f.all("port-mode").next().is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`switch` needs at least one `port-mode`")
                .label(cx.node_head_span(node), "no ports")
                .help("add `port-mode count=64 speed=(Gbps)400`"),
        );
    }
    let power = f.req_quantity(cx, "power", Dimension::Power, "power (W)1720");
    let ru = f.req_count(cx, "rack-units", "rack-units 1");
    let liquid = liquid_fraction(cx, &f).unwrap_or(0.0);
    let cages = f.count(cx, "cages", "cages 32").map(|c| c.value);
    let price = f.price(cx);
    Some(Switch {
        id: id.to_string(),
        name: name?.value,
        vendor: Vendor::parse(vendor?.value),
        protocol: if protocol?.value == "infiniband" { Protocol::Infiniband } else { Protocol::Ethernet },
        management: role?.value == "management",
        port_modes,
        power: Watts(power?.value),
        rack_units: ru?.value,
        liquid_fraction: liquid,
        cages,
        price,
        span: cx.node_head_span(node),
    })
}
