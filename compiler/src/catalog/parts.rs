//! The part kinds of the catalog and how each is decoded from its KDL file.

use super::fields::{opt_prop, req_prop, Fields, Price};
use crate::ast::Precision;
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader, Spanned};
use crate::source::Span;
use crate::units::*;
use kdl::KdlNode;
use std::collections::BTreeMap;

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

/// GPU architectures, oldest first within a vendor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Architecture {
    Ampere,
    Hopper,
    Blackwell,
    BlackwellUltra,
    Rubin,
    Cdna3,
    Cdna4,
}

impl Architecture {
    pub const CHOICES: &'static [&'static str] =
        &["ampere", "hopper", "blackwell", "blackwell-ultra", "rubin", "cdna3", "cdna4"];

    fn parse(s: &str) -> Option<Architecture> {
        Some(match s {
            "ampere" => Architecture::Ampere,
            "hopper" => Architecture::Hopper,
            "blackwell" => Architecture::Blackwell,
            "blackwell-ultra" => Architecture::BlackwellUltra,
            "rubin" => Architecture::Rubin,
            "cdna3" => Architecture::Cdna3,
            "cdna4" => Architecture::Cdna4,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::Ampere => "ampere",
            Architecture::Hopper => "hopper",
            Architecture::Blackwell => "blackwell",
            Architecture::BlackwellUltra => "blackwell-ultra",
            Architecture::Rubin => "rubin",
            Architecture::Cdna3 => "cdna3",
            Architecture::Cdna4 => "cdna4",
        }
    }

    pub fn vendor(self) -> Vendor {
        match self {
            Architecture::Cdna3 | Architecture::Cdna4 => Vendor::Amd,
            _ => Vendor::Nvidia,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Gpu {
    pub id: String,
    pub name: String,
    pub vendor: Vendor,
    pub architecture: Architecture,
    pub memory: Bytes,
    pub memory_bandwidth: BytesPerSecond,
    /// Dense peak throughput per natively supported precision.
    pub compute: BTreeMap<Precision, FlopsPerSecond>,
    pub power: Watts,
    pub scale_up_bandwidth: BytesPerSecond,
    pub min_cuda: Option<String>,
    pub min_rocm: Option<String>,
    pub preview: bool,
    pub span: Span,
}

impl Gpu {
    pub fn supports_natively(&self, p: Precision) -> bool {
        self.compute.contains_key(&p)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Server,
    RackScale,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NicRole {
    Compute,
    Frontend,
    Bmc,
}

impl NicRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NicRole::Compute => "compute",
            NicRole::Frontend => "frontend",
            NicRole::Bmc => "bmc",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Nic {
    pub role: NicRole,
    pub count: u64,
    pub speed: BitsPerSecond,
}

#[derive(Clone, Debug)]
pub struct PowerInput {
    pub count: u64,
    pub voltage: Volts,
    pub phase: u64,
    pub current: Amperes,
}

#[derive(Clone, Debug)]
pub struct PowerShelves {
    pub count: u64,
    pub capacity: Watts,
    pub redundancy: String,
}

#[derive(Clone, Debug)]
pub struct System {
    pub id: String,
    pub name: String,
    pub vendor: Vendor,
    pub form: Form,
    pub gpu: Spanned<String>,
    pub gpu_count: u64,
    pub host_gpus: u64,
    pub host_arch: String,
    pub nvlink_domain: u64,
    pub nics: Vec<Nic>,
    pub power_nominal: Watts,
    pub power_peak: Watts,
    pub power_idle: Watts,
    /// Fraction of the heat that goes to liquid; the rest goes to air.
    pub liquid_fraction: f64,
    pub supply_temperature: Option<(Celsius, Celsius)>,
    pub power_input: Option<PowerInput>,
    pub power_shelves: Option<PowerShelves>,
    pub weight: Kilograms,
    pub max_weight: Option<Kilograms>,
    pub rack_units: u64,
    pub price: Option<Price>,
    pub preview: bool,
    pub span: Span,
}

impl System {
    pub fn is_liquid_cooled(&self) -> bool {
        self.liquid_fraction > 0.0
    }

    pub fn hosts(&self) -> u64 {
        self.gpu_count.div_ceil(self.host_gpus.max(1))
    }

    /// Ports and their speed for one NIC role (count is for the whole system).
    pub fn nic(&self, role: NicRole) -> Option<&Nic> {
        self.nics.iter().find(|n| n.role == role)
    }
}

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
    pub price: Option<Price>,
    pub span: Span,
}

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

#[derive(Clone, Debug)]
pub struct Cdu {
    pub id: String,
    pub name: String,
    pub placement: String,
    pub capacity: Watts,
    pub rating: Option<String>,
    pub supply_temperature: Option<(Celsius, Celsius)>,
    pub pump_power: Option<Watts>,
    pub price: Option<Price>,
    pub span: Span,
}

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
    pub price: Option<Price>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkEnd {
    Switch,
    Host,
}

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

/// What a yearly service is counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceUnit {
    Gpu,
    Node,
}

impl ServiceUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceUnit::Gpu => "gpu",
            ServiceUnit::Node => "node",
        }
    }
}

/// A software subscription or support service priced per GPU or per node and year.
#[derive(Clone, Debug)]
pub struct Service {
    pub id: String,
    pub name: String,
    /// `software` or `services`: the bill-of-materials category.
    pub category: &'static str,
    pub per: ServiceUnit,
    /// Applies to GPUs of this vendor only.
    pub gpu_vendor: Option<Vendor>,
    /// Applies to sites whose `os` starts with this.
    pub os: Option<String>,
    pub price: Option<Price>,
    pub span: Span,
}

/// What a finance entry is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinanceUse {
    /// The default price of energy where a site gives none (per kWh).
    EnergyPrice,
    /// One unit of a currency in another.
    ExchangeRate,
    /// Building a data center, per MW of critical IT load.
    FacilityBuild,
    /// Colocation, per kW of critical IT load and month.
    Colocation,
    /// Hardware maintenance and support, a fraction of the hardware price per year.
    Maintenance,
}

impl FinanceUse {
    pub const CHOICES: &'static [&'static str] =
        &["energy-price", "exchange-rate", "facility-build", "colocation", "maintenance"];

    fn parse(s: &str) -> Option<FinanceUse> {
        Some(match s {
            "energy-price" => FinanceUse::EnergyPrice,
            "exchange-rate" => FinanceUse::ExchangeRate,
            "facility-build" => FinanceUse::FacilityBuild,
            "colocation" => FinanceUse::Colocation,
            "maintenance" => FinanceUse::Maintenance,
            _ => return None,
        })
    }

    /// The unit a `price` of this use is given per.
    fn per(self) -> &'static [&'static str] {
        match self {
            FinanceUse::EnergyPrice => &["kWh", "MWh"],
            FinanceUse::FacilityBuild => &["MW"],
            FinanceUse::Colocation => &["kW-month"],
            FinanceUse::ExchangeRate | FinanceUse::Maintenance => &[],
        }
    }
}

/// A dated figure the quote needs that is not a part: an energy price, an exchange rate, the cost
/// of a building or of colocation, a maintenance rate. Prices are per the unit in `per` (energy is
/// normalised to kWh).
#[derive(Clone, Debug)]
pub struct Finance {
    pub id: String,
    pub name: String,
    pub use_: FinanceUse,
    pub price: Option<Price>,
    pub per: Option<&'static str>,
    /// `rate 0.05 per="year"`: a fraction (maintenance).
    pub rate: Option<f64>,
    /// `exchange (EUR)0.86 per="USD"`: one unit of `per` is worth this amount.
    pub exchange: Option<(Money, String)>,
    pub date: String,
    /// Years over which a building is written off.
    pub life_years: Option<u64>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SoftwareRelease {
    pub version: Spanned<String>,
    /// The release's facts as written (`status`, `min-driver`, `gpus`, …).
    pub facts: BTreeMap<String, Spanned<String>>,
    /// `supports ARCH min=VERSION` lines: the first version supporting each architecture.
    pub supports: Vec<(String, String)>,
}

impl SoftwareRelease {
    pub fn fact(&self, key: &str) -> Option<&str> {
        self.facts.get(key).map(|s| s.value.as_str())
    }

    /// A space-separated list fact, like `gpus="mi300x mi355x"`.
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.fact(key).map(|s| s.split_whitespace().collect()).unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct Software {
    pub id: String,
    pub name: String,
    pub engine: Option<String>,
    pub releases: Vec<SoftwareRelease>,
    /// Images, default backends and the default-engine mark (`catalog::software_facts`).
    pub deployment: super::software_facts::Deployment,
    pub span: Span,
}

/// Architecture fields of a language model, as its published configuration gives them.
#[derive(Clone, Debug)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub parameters: f64,
    pub active_parameters: f64,
    pub layers: u64,
    pub hidden_size: u64,
    pub context_length: u64,
    pub weights: Precision,
    /// Every other field of the file, kept by name for the performance model.
    pub fields: BTreeMap<String, BTreeMap<String, f64>>,
    pub checkpoints: Vec<(Precision, Bytes)>,
    pub span: Span,
}

/// Decodes a `gpu` part.
pub fn gpu(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Gpu> {
    let f = Fields::new(
        cx,
        node,
        "gpu",
        &[
            "name",
            "vendor",
            "architecture",
            "memory",
            "memory-bandwidth",
            "compute",
            "power",
            "scale-up",
            "min-cuda",
            "min-rocm",
            "preview",
        ],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"NVIDIA H100 SXM5 80GB\"");
    let vendor = f.req_choice(cx, "vendor", &["nvidia", "amd"], "vendor \"nvidia\"");
    let arch = f.req_choice(cx, "architecture", Architecture::CHOICES, "architecture \"hopper\"");
    let memory = f.req_quantity(cx, "memory", Dimension::Memory, "memory (GB)80");
    let bw = f.req_quantity(cx, "memory-bandwidth", Dimension::Bandwidth, "memory-bandwidth (TBps)3.35");
    let power = f.req_quantity(cx, "power", Dimension::Power, "power (W)700");
    let mut compute = BTreeMap::new();
    match f.props("compute") {
        Some(mut r) => {
            for (key, p) in [("bf16", Precision::Bf16), ("fp8", Precision::Fp8), ("fp4", Precision::Fp4)] {
                if let Some(q) = opt_prop(cx, &mut r, key, |cx, e| {
                    read::quantity(cx, e, &format!("{key} compute"), Dimension::Compute)
                }) {
                    compute.insert(p, FlopsPerSecond(q.value));
                }
            }
            r.finish(cx);
        }
        None => {
            cx.emit(
                Diagnostic::new(codes::E0105, "`gpu` needs `compute`")
                    .label(cx.node_head_span(node), "`compute` missing")
                    .help("add `compute bf16=(TFLOPS)989 fp8=(TFLOPS)1979`"),
            );
        }
    }
    let scale_up = f.props("scale-up").and_then(|mut r| {
        let q = req_prop(cx, &mut r, "bandwidth", "scale-up bandwidth=(GBps)900", |cx, e| {
            read::quantity(cx, e, "scale-up bandwidth", Dimension::Bandwidth)
        });
        r.finish(cx);
        q
    });
    let min_cuda = f.string(cx, "min-cuda", "min-cuda \"12.8\"").map(|s| s.value);
    let min_rocm = f.string(cx, "min-rocm", "min-rocm \"7.0\"").map(|s| s.value);
    let preview = f.boolean(cx, "preview").map(|b| b.value).unwrap_or(false);
    let _ = vendor;
    Some(Gpu {
        id: id.to_string(),
        name: name?.value,
        vendor: Vendor::parse(vendor?.value),
        architecture: Architecture::parse(arch?.value)?,
        memory: Bytes(memory?.value),
        memory_bandwidth: BytesPerSecond(bw?.value),
        compute,
        power: Watts(power?.value),
        scale_up_bandwidth: BytesPerSecond(scale_up.map(|q| q.value).unwrap_or(0.0)),
        min_cuda,
        min_rocm,
        preview,
        span: cx.node_head_span(node),
    })
}

fn temperature_window(cx: &mut Cx, f: &Fields, field: &str) -> Option<(Celsius, Celsius)> {
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

fn liquid_fraction(cx: &mut Cx, f: &Fields) -> Option<f64> {
    let mut r = f.props("cooling")?;
    let q = req_prop(cx, &mut r, "liquid", "cooling liquid=0.85", |cx, e| {
        read::number_in(cx, e, "the liquid fraction", 0.0, 1.0)
    });
    r.finish(cx);
    q.map(|q| q.value)
}

/// Decodes a `system` part.
pub fn system(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<System> {
    let f = Fields::new(
        cx,
        node,
        "system",
        &[
            "name",
            "vendor",
            "form",
            "gpu",
            "host-gpus",
            "host-arch",
            "nvlink-domain",
            "power",
            "cooling",
            "supply-temperature",
            "power-input",
            "power-shelves",
            "weight",
            "max-weight",
            "rack-units",
            "price",
            "preview",
        ],
        &["nic"],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let vendor =
        f.req_choice(cx, "vendor", &["nvidia", "amd", "supermicro", "dell", "hpe", "other"], "vendor \"nvidia\"");
    let form = f.req_choice(cx, "form", &["server", "rack-scale"], "form \"server\"");
    let gpu = f.node("gpu").and_then(|n| {
        let mut r = NodeReader::new(n);
        let id = r
            .required_arg(cx, 0, "a GPU part id", "gpu \"h100-sxm\" count=8")
            .and_then(|e| read::name(cx, e, "the GPU"));
        let count =
            req_prop(cx, &mut r, "count", "gpu \"h100-sxm\" count=8", |cx, e| read::count(cx, e, "the GPU count"));
        r.finish(cx);
        Some((id?, count?))
    });
    if f.node("gpu").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`system` needs `gpu`")
                .label(cx.node_head_span(node), "`gpu` missing")
                .help("add `gpu \"h100-sxm\" count=8`"),
        );
    }
    let host_gpus = f.req_count(cx, "host-gpus", "host-gpus 8");
    let host_arch = f.req_choice(cx, "host-arch", &["x86_64", "aarch64"], "host-arch \"x86_64\"");
    let nvlink = f.req_count(cx, "nvlink-domain", "nvlink-domain 8");
    let mut nics = Vec::new();
    for n in f.all("nic") {
        let mut r = NodeReader::new(n);
        let example = "nic role=\"compute\" count=8 speed=(Gbps)400";
        let role = req_prop(cx, &mut r, "role", example, |cx, e| {
            read::choice(cx, e, "the NIC role", &["compute", "frontend", "bmc"])
        });
        let count = req_prop(cx, &mut r, "count", example, |cx, e| read::count(cx, e, "the NIC count"));
        let speed = req_prop(cx, &mut r, "speed", example, |cx, e| {
            read::quantity(cx, e, "the NIC speed", Dimension::LinkSpeed)
        });
        r.finish(cx);
        if let (Some(role), Some(count), Some(speed)) = (role, count, speed) {
            let role = match role.value {
                "compute" => NicRole::Compute,
                "frontend" => NicRole::Frontend,
                _ => NicRole::Bmc,
            };
            nics.push(Nic { role, count: count.value, speed: BitsPerSecond(speed.value) });
        }
    }
    let power = f.props("power").and_then(|mut r| {
        let example = "power nominal=(kW)10.2 peak=(kW)11.3 idle=(kW)2.9";
        let nominal =
            req_prop(cx, &mut r, "nominal", example, |cx, e| read::quantity(cx, e, "nominal power", Dimension::Power));
        let peak = req_prop(cx, &mut r, "peak", example, |cx, e| read::quantity(cx, e, "peak power", Dimension::Power));
        let idle = req_prop(cx, &mut r, "idle", example, |cx, e| read::quantity(cx, e, "idle power", Dimension::Power));
        r.finish(cx);
        Some((nominal?.value, peak?.value, idle?.value))
    });
    if f.node("power").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`system` needs `power`")
                .label(cx.node_head_span(node), "`power` missing")
                .help("add `power nominal=(kW)10.2 peak=(kW)11.3 idle=(kW)2.9`"),
        );
    }
    let liquid = liquid_fraction(cx, &f);
    if f.node("cooling").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`system` needs `cooling`")
                .label(cx.node_head_span(node), "`cooling` missing")
                .help("add `cooling liquid=0.0` for air-cooled systems"),
        );
    }
    let supply = temperature_window(cx, &f, "supply-temperature");
    let power_input = f.props("power-input").and_then(|mut r| {
        let example = "power-input count=6 voltage=(V)240 phase=1 current=(A)16";
        let count = req_prop(cx, &mut r, "count", example, |cx, e| read::count(cx, e, "the input count"));
        let voltage =
            req_prop(cx, &mut r, "voltage", example, |cx, e| read::quantity(cx, e, "the voltage", Dimension::Voltage));
        let phase = req_prop(cx, &mut r, "phase", example, |cx, e| read::count(cx, e, "the phase count"));
        let current =
            req_prop(cx, &mut r, "current", example, |cx, e| read::quantity(cx, e, "the current", Dimension::Current));
        r.finish(cx);
        Some(PowerInput {
            count: count?.value,
            voltage: Volts(voltage?.value),
            phase: phase?.value,
            current: Amperes(current?.value),
        })
    });
    let power_shelves = f.props("power-shelves").and_then(|mut r| {
        let example = "power-shelves count=8 capacity=(kW)33 redundancy=\"N+N\"";
        let count = req_prop(cx, &mut r, "count", example, |cx, e| read::count(cx, e, "the shelf count"));
        let capacity = req_prop(cx, &mut r, "capacity", example, |cx, e| {
            read::quantity(cx, e, "the shelf capacity", Dimension::Power)
        });
        let redundancy = opt_prop(cx, &mut r, "redundancy", |cx, e| read::string(cx, e, "the shelf redundancy"));
        r.finish(cx);
        Some(PowerShelves {
            count: count?.value,
            capacity: Watts(capacity?.value),
            redundancy: redundancy.map(|s| s.value).unwrap_or_else(|| "N".to_string()),
        })
    });
    let weight = f.req_quantity(cx, "weight", Dimension::Mass, "weight (kg)130");
    let max_weight = f.quantity(cx, "max-weight", Dimension::Mass, "max-weight (kg)1500");
    let rack_units = f.req_count(cx, "rack-units", "rack-units 8");
    let price = f.price(cx);
    let preview = f.boolean(cx, "preview").map(|b| b.value).unwrap_or(false);
    let (gpu_id, gpu_count) = gpu?;
    let (nominal, peak, idle) = power?;
    let liquid = liquid?;
    if liquid > 0.0 && supply.is_none() && f.node("supply-temperature").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "a liquid-cooled system needs `supply-temperature`")
                .label(cx.node_head_span(node), "no supply-water window")
                .help("add `supply-temperature min=(C)17 max=(C)45` from the vendor's documentation"),
        );
    }
    Some(System {
        id: id.to_string(),
        name: name?.value,
        vendor: Vendor::parse(vendor?.value),
        form: if form?.value == "server" { Form::Server } else { Form::RackScale },
        gpu: gpu_id,
        gpu_count: gpu_count.value,
        host_gpus: host_gpus?.value,
        host_arch: host_arch?.value.to_string(),
        nvlink_domain: nvlink?.value,
        nics,
        power_nominal: Watts(nominal),
        power_peak: Watts(peak),
        power_idle: Watts(idle),
        liquid_fraction: liquid,
        supply_temperature: supply,
        power_input,
        power_shelves,
        weight: Kilograms(weight?.value),
        max_weight: max_weight.map(|m| Kilograms(m.value)),
        rack_units: rack_units?.value,
        price,
        preview,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `rack` (enclosure) part.
pub fn enclosure(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Enclosure> {
    let f = Fields::new(
        cx,
        node,
        "rack",
        &["name", "rack-units", "cooling", "air-heat", "liquid-heat", "max-power", "max-weight", "weight", "price"],
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
        price,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `switch` part.
pub fn switch(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Switch> {
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

/// Decodes a `cdu` part.
pub fn cdu(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Cdu> {
    let f = Fields::new(
        cx,
        node,
        "cdu",
        &["name", "vendor", "placement", "capacity", "rating", "supply-temperature", "pump-power", "price"],
        &[],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let placement = f.req_choice(cx, "placement", &["in-rack", "in-row", "facility"], "placement \"in-row\"");
    let capacity = f.req_quantity(cx, "capacity", Dimension::Power, "capacity (kW)2000");
    let rating = f.string(cx, "rating", "rating \"…\"").map(|s| s.value);
    let supply = temperature_window(cx, &f, "supply-temperature");
    let pump = f.quantity(cx, "pump-power", Dimension::Power, "pump-power (kW)30");
    let price = f.price(cx);
    Some(Cdu {
        id: id.to_string(),
        name: name?.value,
        placement: placement?.value.to_string(),
        capacity: Watts(capacity?.value),
        rating,
        supply_temperature: supply,
        pump_power: pump.map(|q| Watts(q.value)),
        price,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `transceiver` or `cable` part.
pub fn transceiver(cx: &mut Cx, node: &KdlNode, id: &str, is_cable: bool) -> Option<Transceiver> {
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
    let _ = f.string(cx, "reach", "reach \"50 m\"");
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
        price,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `pdu` part.
pub fn pdu(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Pdu> {
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

/// Decodes a `service` part: a yearly subscription or support contract.
pub fn service(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Service> {
    let f = Fields::new(cx, node, "service", &["name", "vendor", "category", "per", "applies", "price"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let _ = f.string(cx, "vendor", "vendor \"…\"");
    let category = f.req_choice(cx, "category", &["software", "services"], "category \"software\"");
    let per = f.req_choice(cx, "per", &["gpu", "node"], "per \"gpu\"");
    let (mut gpu_vendor, mut os) = (None, None);
    if let Some(mut r) = f.props("applies") {
        gpu_vendor =
            opt_prop(cx, &mut r, "gpu-vendor", |cx, e| read::choice(cx, e, "`gpu-vendor`", &["nvidia", "amd"]))
                .map(|c| Vendor::parse(c.value));
        os = opt_prop(cx, &mut r, "os", |cx, e| read::string(cx, e, "`os`")).map(|s| s.value);
        r.finish(cx);
    }
    let price = f.price(cx);
    if price.is_none() && f.node("price").is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`service` needs `price`")
                .label(cx.node_head_span(node), "`price` missing")
                .help("add `price (USD)4500 date=\"2025-06\"`: the price per unit and year"),
        );
    }
    Some(Service {
        id: id.to_string(),
        name: name?.value,
        category: category?.value,
        per: if per?.value == "gpu" { ServiceUnit::Gpu } else { ServiceUnit::Node },
        gpu_vendor,
        os,
        price,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `finance` entry: `use` says what it is for, and with it which of `price … per=`,
/// `rate … per="year"` or `exchange … per=` it needs.
pub fn finance(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Finance> {
    let f = Fields::new(cx, node, "finance", &["name", "use", "price", "rate", "exchange", "life"], &[]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let use_ =
        f.req_choice(cx, "use", FinanceUse::CHOICES, "use \"energy-price\"").and_then(|c| FinanceUse::parse(c.value));
    let mut date = None;
    let mut price = None;
    let mut per = None;
    if let (Some(node), Some(u)) = (f.node("price"), use_) {
        let mut r = NodeReader::new(node);
        let example = "price (USD)0.081 per=\"kWh\" date=\"2025-03\"";
        let amount = r.required_arg(cx, 0, "an amount", example).and_then(|e| read::money(cx, e, "the price"));
        per = r.required_prop(cx, "per", example).and_then(|e| read::choice(cx, e, "`per`", u.per()));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the price date"));
        r.finish(cx);
        read::no_children(cx, node);
        if let (Some(amount), Some(d)) = (amount, d) {
            let mut money = amount.value;
            if per.as_ref().map(|p| p.value) == Some("MWh") {
                money.amount /= 1000.0;
            }
            date = Some(d.value.clone());
            price = Some(Price { amount: money, date: d.value, span: cx.node_head_span(node) });
        }
    }
    let mut rate = None;
    if let Some(node) = f.node("rate") {
        let mut r = NodeReader::new(node);
        let example = "rate 0.05 per=\"year\" date=\"2025-06\"";
        rate = r.required_arg(cx, 0, "a fraction", example).and_then(|e| read::number_in(cx, e, "the rate", 0.0, 1.0));
        let _ = r.required_prop(cx, "per", example).and_then(|e| read::choice(cx, e, "`per`", &["year"]));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the date"));
        r.finish(cx);
        date = date.or(d.map(|d| d.value));
    }
    let mut exchange = None;
    if let Some(node) = f.node("exchange") {
        let mut r = NodeReader::new(node);
        let example = "exchange (EUR)0.86 per=\"USD\" date=\"2025-10\"";
        let to = r.required_arg(cx, 0, "a rate", example).and_then(|e| read::money(cx, e, "the exchange rate"));
        let from = r.required_prop(cx, "per", example).and_then(|e| read::string(cx, e, "the currency"));
        let d = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the date"));
        r.finish(cx);
        if let Some(from) = &from {
            if !crate::units::is_currency(&from.value) {
                cx.emit(
                    Diagnostic::new(codes::E0108, format!("`{}` is not a currency code", from.value))
                        .label(from.span, "not a currency")
                        .help("write an ISO 4217 currency code in capitals, like `per=\"USD\"`"),
                );
            }
        }
        date = date.or(d.map(|d| d.value));
        if let (Some(to), Some(from)) = (to, from) {
            exchange = Some((to.value, from.value));
        }
    }
    let life_years = f.props("life").and_then(|mut r| {
        let y = req_prop(cx, &mut r, "years", "life years=20", |cx, e| read::count(cx, e, "the life in years"));
        r.finish(cx);
        y.map(|y| y.value)
    });
    let u = use_?;
    let (needed, example) = match u {
        FinanceUse::EnergyPrice | FinanceUse::FacilityBuild | FinanceUse::Colocation => {
            (f.node("price").is_some(), "price (USD)0.081 per=\"kWh\" date=\"2025-03\"")
        }
        FinanceUse::Maintenance => (f.node("rate").is_some(), "rate 0.05 per=\"year\" date=\"2025-06\""),
        FinanceUse::ExchangeRate => (f.node("exchange").is_some(), "exchange (EUR)0.86 per=\"USD\" date=\"2025-10\""),
    };
    if !needed {
        cx.emit(
            Diagnostic::new(
                codes::E0105,
                format!("this `finance` entry needs `{}`", example.split(' ').next().unwrap_or("")),
            )
            .label(cx.node_head_span(node), "value missing")
            .help(format!("add `{example}`")),
        );
        return None;
    }
    Some(Finance {
        id: id.to_string(),
        name: name?.value,
        use_: u,
        price,
        per: per.map(|p| if p.value == "MWh" { "kWh" } else { p.value }),
        rate: rate.map(|r| r.value),
        exchange,
        date: date?,
        life_years,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `software` part: a product and its releases.
pub fn software(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Software> {
    use super::software_facts as deployment;
    let single = [&["name", "engine", "vendor"], deployment::SINGLE].concat();
    let multi = [&["release"], deployment::MULTI].concat();
    let f = Fields::new(cx, node, "software", &single, &multi);
    let deployment = deployment::decode(cx, &f);
    let name = f.req_string(cx, "name", "name \"…\"");
    let engine = f.string(cx, "engine", "engine \"vllm\"").map(|s| s.value);
    let _ = f.string(cx, "vendor", "vendor \"nvidia\"");
    let mut releases = Vec::new();
    for n in f.all("release") {
        let Some(version) =
            n.entries().iter().find(|e| e.name().is_none()).and_then(|e| read::name(cx, e, "the release version"))
        else {
            cx.emit(
                Diagnostic::new(codes::E0105, "`release` needs a version")
                    .label(cx.node_head_span(n), "no version")
                    .help("write `release \"1.0\" …`"),
            );
            continue;
        };
        let mut facts = BTreeMap::new();
        let mut positional = 0;
        for e in n.entries() {
            match e.name() {
                None => {
                    positional += 1;
                    if positional > 1 {
                        cx.emit(
                            Diagnostic::new(codes::E0104, "`release` takes one argument, the version")
                                .label(cx.span(e.span()), "unexpected argument")
                                .help("write other facts as properties, like `status=\"supported\"`"),
                        );
                    }
                }
                Some(k) => {
                    if let Some(v) = read::string(cx, e, &format!("`{}`", k.value())) {
                        facts.insert(k.value().to_string(), v);
                    }
                }
            }
        }
        let mut supports = Vec::new();
        for c in n.children().map(|d| d.nodes()).unwrap_or(&[]) {
            if c.name().value() != "supports" {
                read::unknown_child(cx, "release", c, &["supports"]);
                continue;
            }
            let mut r = NodeReader::new(c);
            let example = "supports \"blackwell\" min=\"570.133.20\"";
            let arch =
                r.required_arg(cx, 0, "an architecture", example).and_then(|e| read::string(cx, e, "the architecture"));
            let min = req_prop(cx, &mut r, "min", example, |cx, e| read::string(cx, e, "the minimum version"));
            r.finish(cx);
            if let (Some(a), Some(m)) = (arch, min) {
                supports.push((a.value, m.value));
            }
        }
        releases.push(SoftwareRelease { version, facts, supports });
    }
    Some(Software {
        id: id.to_string(),
        name: name?.value,
        engine,
        releases,
        deployment,
        span: cx.node_head_span(node),
    })
}

/// Decodes a `model` part. The fields every check needs are typed; the rest are kept by name for
/// the performance model.
pub fn model(cx: &mut Cx, node: &KdlNode, id: &str) -> Option<Model> {
    let mut fields: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut checkpoints = Vec::new();
    let mut name = None;
    let mut weights = None;
    let mut seen: Vec<(String, Span)> = Vec::new();
    for c in node.children().map(|d| d.nodes()).unwrap_or(&[]) {
        let key = c.name().value();
        if key != "checkpoint" {
            if let Some((_, first)) = seen.iter().find(|(n, _)| n == key) {
                read::duplicate_child(cx, codes::E0112, "model", *first, c);
                continue;
            }
            seen.push((key.to_string(), cx.node_name_span(c)));
        }
        match key {
            "name" => name = read::single_arg(cx, c, "name \"…\"").and_then(|e| read::string(cx, e, "the name")),
            "weights" => {
                weights = read::single_arg(cx, c, "weights \"bf16\"")
                    .and_then(|e| read::choice(cx, e, "the weight format", Precision::CHOICES))
                    .and_then(|c| Precision::parse(c.value))
            }
            "checkpoint" => {
                let mut r = NodeReader::new(c);
                let example = "checkpoint \"fp4\" size=(GB)415";
                let p = r
                    .required_arg(cx, 0, "a precision", example)
                    .and_then(|e| read::choice(cx, e, "the checkpoint precision", Precision::CHOICES));
                let size = req_prop(cx, &mut r, "size", example, |cx, e| {
                    read::quantity(cx, e, "the checkpoint size", Dimension::Memory)
                });
                r.finish(cx);
                if let (Some(p), Some(size)) = (p, size) {
                    if let Some(p) = Precision::parse(p.value) {
                        checkpoints.push((p, Bytes(size.value)));
                    }
                }
            }
            _ => {
                // Numeric fields: `layers 80` (argument under key "") or `attention heads=64 …`.
                let mut values = BTreeMap::new();
                for e in c.entries() {
                    let k = e.name().map(|n| n.value().to_string()).unwrap_or_default();
                    let v = match e.value() {
                        kdl::KdlValue::String(s) => {
                            values.insert(format!("{k}={s}"), 1.0);
                            continue;
                        }
                        _ => match e.ty() {
                            Some(_) => read::quantity(cx, e, &format!("`{key}`"), Dimension::Memory).map(|q| q.value),
                            None => read::number(cx, e, &format!("`{key}`")).map(|q| q.value),
                        },
                    };
                    if let Some(v) = v {
                        values.insert(k, v);
                    }
                }
                fields.insert(key.to_string(), values);
            }
        }
    }
    let mut get = |field: &str, example: &str| -> Option<f64> {
        let v = fields.get(field).and_then(|m| m.get("")).copied();
        if v.is_none() {
            cx.emit(
                Diagnostic::new(codes::E0105, format!("`model` needs `{field}`"))
                    .label(cx.node_head_span(node), format!("`{field}` missing"))
                    .help(format!("add `{example}`")),
            );
        }
        v
    };
    let parameters = get("parameters", "parameters 70.6e9");
    let active = get("active-parameters", "active-parameters 70.6e9");
    let layers = get("layers", "layers 80");
    let hidden = get("hidden-size", "hidden-size 8192");
    let context = get("context-length", "context-length 131072");
    if name.is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`model` needs `name`")
                .label(cx.node_head_span(node), "`name` missing")
                .help("add `name \"…\"`"),
        );
    }
    Some(Model {
        id: id.to_string(),
        name: name?.value,
        parameters: parameters?,
        active_parameters: active?,
        layers: layers? as u64,
        hidden_size: hidden? as u64,
        context_length: context? as u64,
        weights: weights.unwrap_or(Precision::Bf16),
        fields,
        checkpoints,
        span: cx.node_head_span(node),
    })
}
