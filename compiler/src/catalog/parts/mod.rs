//! The part kinds of the catalog, one file each, and the one table that names them: the kind (which
//! is also the folder under `stdlib/`), its decoder and its `Part` variant. The table is in
//! dependency order: a part may name parts of the kinds above its own, and those are decoded first,
//! so a reference is bound (or reported dangling) while the part that makes it is decoded.

mod cdu;
mod enclosure;
mod finance;
mod gpu;
mod model;
mod pdu;
mod service;
mod software;
mod switch;
mod system;
mod transceiver;
mod whip;

pub use cdu::*;
pub use enclosure::*;
pub use finance::*;
pub use gpu::*;
pub use model::*;
pub use pdu::*;
pub use service::*;
pub use software::*;
pub use switch::*;
pub use system::*;
pub use transceiver::*;
pub use whip::*;

use super::fields::{opt_prop, req_prop, Fields, Price};
use super::Catalog;
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::{Celsius, Dimension, Meters};

/// A circuit's `voltage=(V)415 phase=3 current=(A)63` properties (a PDU's `power-input`, a
/// whip's `circuit`): each required, reported against `example`.
pub(super) fn circuit(
    cx: &mut Cx,
    mut r: NodeReader,
    example: &str,
) -> Option<(crate::units::Volts, read::Spanned<u64>, crate::units::Amperes)> {
    let voltage =
        req_prop(cx, &mut r, "voltage", example, |cx, e| read::quantity(cx, e, "the voltage", Dimension::Voltage));
    let phase = req_prop(cx, &mut r, "phase", example, |cx, e| read::count(cx, e, "the phase count"));
    let current =
        req_prop(cx, &mut r, "current", example, |cx, e| read::quantity(cx, e, "the current", Dimension::Current));
    r.finish(cx);
    Some((crate::units::Volts(voltage?.value), phase?, crate::units::Amperes(current?.value)))
}

/// Decodes one part: the node, the part id (the file's stem) and the parts of the kinds above in
/// the table, which the part may name.
pub type Decoder = fn(&mut Cx, &Node, &str, &Catalog) -> Option<Part>;

/// One kind of part: its name (the node name and the folder under `stdlib/`) and its decoder.
pub struct Kind {
    pub name: &'static str,
    pub decode: Decoder,
}

/// Declares the kinds: the `Part` enum, the `KINDS` table and the accessors every part has
/// (`id`, `name`, `span`), from one row per kind.
macro_rules! part_kinds {
    ($($variant:ident($ty:ty) = $name:literal => $decode:path,)*) => {
        /// A decoded part of any kind.
        #[derive(Clone, Debug)]
        pub enum Part {
            $($variant($ty),)*
        }

        /// Every kind of part, in dependency order.
        pub const KINDS: &[Kind] = &[
            $(Kind { name: $name, decode: |cx, node, id, catalog| $decode(cx, node, id, catalog).map(Part::$variant) },)*
        ];

        impl Part {
            /// The kind, as the part's node and folder are named.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Part::$variant(_) => $name,)*
                }
            }

            pub fn id(&self) -> &str {
                match self {
                    $(Part::$variant(p) => &p.id,)*
                }
            }

            pub fn name(&self) -> &str {
                match self {
                    $(Part::$variant(p) => &p.name,)*
                }
            }

            /// The part's node head in its catalog file.
            pub fn span(&self) -> Span {
                match self {
                    $(Part::$variant(p) => p.span,)*
                }
            }
        }
    };
}

part_kinds! {
    Gpu(Gpu) = "gpu" => gpu::decode,
    System(System) = "system" => system::decode,
    Rack(Enclosure) = "rack" => enclosure::decode,
    Switch(Switch) = "switch" => switch::decode,
    Cdu(Cdu) = "cdu" => cdu::decode,
    Transceiver(Transceiver) = "transceiver" => transceiver::decode_module,
    Cable(Transceiver) = "cable" => transceiver::decode_cable,
    Pdu(Pdu) = "pdu" => pdu::decode,
    Whip(Whip) = "whip" => whip::decode,
    Model(Model) = "model" => model::decode,
    Software(Software) = "software" => software::decode,
    Service(Service) = "service" => service::decode,
    Finance(Finance) = "finance" => finance::decode,
}

impl Part {
    /// The part's catalog price, for the kinds that carry one.
    pub fn price(&self) -> Option<&Price> {
        match self {
            Part::System(p) => p.price.as_ref(),
            Part::Rack(p) => p.price.as_ref(),
            Part::Switch(p) => p.price.as_ref(),
            Part::Cdu(p) => p.price.as_ref(),
            Part::Transceiver(p) | Part::Cable(p) => p.price.as_ref(),
            Part::Pdu(p) => p.price.as_ref(),
            Part::Whip(p) => p.price.as_ref(),
            Part::Service(p) => p.price.as_ref(),
            Part::Finance(p) => p.price.as_ref(),
            Part::Gpu(_) | Part::Model(_) | Part::Software(_) => None,
        }
    }

    /// Whether the quote prices this part, so that a blueprint may override its price: every
    /// part of the priced kinds, and finance entries that carry a price.
    pub fn is_priced(&self) -> bool {
        match self {
            Part::System(_)
            | Part::Rack(_)
            | Part::Switch(_)
            | Part::Cdu(_)
            | Part::Transceiver(_)
            | Part::Cable(_)
            | Part::Pdu(_)
            | Part::Whip(_)
            | Part::Service(_) => true,
            Part::Finance(f) => f.price.is_some(),
            Part::Gpu(_) | Part::Model(_) | Part::Software(_) => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vendor {
    Nvidia,
    Amd,
    Other,
}

impl Vendor {
    fn parse(s: &str) -> Vendor {
        match s {
            "nvidia" => Vendor::Nvidia,
            "amd" => Vendor::Amd,
            _ => Vendor::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Nvidia => "nvidia",
            Vendor::Amd => "amd",
            Vendor::Other => "other",
        }
    }
}

pub(crate) fn temperature_window(cx: &mut Cx, f: &Fields, field: &str) -> Option<(Celsius, Celsius)> {
    let mut r = f.props(field)?;
    let example = format!("{field} min=(C)17 max=(C)45");
    let min =
        req_prop(cx, &mut r, "min", &example, |cx, e| read::quantity(cx, e, "the minimum", Dimension::Temperature));
    let max =
        req_prop(cx, &mut r, "max", &example, |cx, e| read::quantity(cx, e, "the maximum", Dimension::Temperature));
    r.finish(cx);
    let (min, max) = (min?, max?);
    if min.value > max.value {
        cx.emit(
            Diagnostic::new(codes::E0109, "the window's minimum is above its maximum")
                .label(min.span, "minimum")
                .label(max.span, "maximum")
                .help("swap them"),
        );
        return None;
    }
    Some((Celsius(min.value), Celsius(max.value)))
}

/// A rack's floor footprint: the area its weight stands on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    pub width: Meters,
    pub depth: Meters,
}

impl Footprint {
    /// Floor area in m².
    pub fn area_m2(&self) -> f64 {
        self.width.0 * self.depth.0
    }
}

/// `footprint width=(mm)600 depth=(mm)1200`.
pub(crate) fn footprint(cx: &mut Cx, f: &Fields) -> Option<Footprint> {
    let mut r = f.props("footprint")?;
    let example = "footprint width=(mm)600 depth=(mm)1200";
    let side = |cx: &mut Cx, r: &mut NodeReader, key: &'static str| {
        req_prop(cx, r, key, example, |cx, e| read::quantity(cx, e, "the footprint", Dimension::Length))
    };
    let width = side(cx, &mut r, "width");
    let depth = side(cx, &mut r, "depth");
    r.finish(cx);
    let (width, depth) = (width?, depth?);
    for q in [&width, &depth] {
        if q.value <= 0.0 {
            cx.emit(
                Diagnostic::new(codes::E0109, "a footprint side must be larger than zero")
                    .label(q.span, "not a length")
                    .help(example),
            );
            return None;
        }
    }
    Some(Footprint { width: Meters(width.value), depth: Meters(depth.value) })
}

pub(crate) fn liquid_fraction(cx: &mut Cx, f: &Fields) -> Option<f64> {
    let mut r = f.props("cooling")?;
    let q = req_prop(cx, &mut r, "liquid", "cooling liquid=0.85", |cx, e| {
        read::number_in(cx, e, "the liquid fraction", 0.0, 1.0)
    });
    r.finish(cx);
    q.map(|q| q.value)
}
