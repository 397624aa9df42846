//! The `system` part: a server or rack-scale system, the GPU it carries (bound when the catalog
//! loads), its NICs, power and cooling.

use super::{footprint, liquid_fraction, opt_prop, req_prop, temperature_window, Footprint};
use super::{Catalog, Fields, Gpu, Price, Vendor};
use crate::catalog::GpuId;
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader, Spanned};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Server,
    RackScale,
}

/// The CPU architecture of a system's hosts (Grace hosts are aarch64, so images must be arm64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostArch {
    X86_64,
    Aarch64,
}

impl HostArch {
    pub fn as_str(self) -> &'static str {
        match self {
            HostArch::X86_64 => "x86_64",
            HostArch::Aarch64 => "aarch64",
        }
    }

    /// The architecture as container images name it.
    pub fn image_arch(self) -> &'static str {
        match self {
            HostArch::X86_64 => "amd64",
            HostArch::Aarch64 => "arm64",
        }
    }
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

/// Who makes a NIC: it decides which Kubernetes operator and device plugin expose it to pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NicVendor {
    Nvidia,
    Amd,
    Broadcom,
    /// The server builder chooses the NIC; the platform does not fix it.
    Oem,
}

impl NicVendor {
    pub fn as_str(self) -> &'static str {
        match self {
            NicVendor::Nvidia => "nvidia",
            NicVendor::Amd => "amd",
            NicVendor::Broadcom => "broadcom",
            NicVendor::Oem => "oem",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Nic {
    pub role: NicRole,
    /// The NIC's maker; `None` only for BMC ports, which no operator serves.
    pub vendor: Option<NicVendor>,
    pub count: u64,
    pub speed: BitsPerSecond,
    /// Physical cages the ports sit in (a DGX's eight ConnectX-7 ports share four twin-port OSFP
    /// cages); `None`: one cage per port.
    pub cages: Option<u64>,
    /// The transceiver part its cages take, where the catalog states it.
    pub module: Option<String>,
}

impl Nic {
    /// Host-side modules one system needs for these ports: one per cage.
    pub fn modules(&self) -> u64 {
        self.cages.unwrap_or(self.count)
    }
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
    /// DC output of one shelf.
    pub capacity: Watts,
    pub redundancy: ShelfRedundancy,
    /// DC out over AC in at the shelves' full load: turns the system's AC draw into the DC load
    /// the shelves carry, so the two are compared like with like.
    pub efficiency: f64,
}

impl PowerShelves {
    /// The shelves that carry the load when the redundancy's failure happens: all under N, all but
    /// one under N+1, one side under N+N.
    pub fn usable(&self) -> u64 {
        match self.redundancy {
            ShelfRedundancy::N => self.count,
            ShelfRedundancy::NPlus1 => self.count.saturating_sub(1),
            ShelfRedundancy::NPlusN => self.count / 2,
        }
    }

    /// DC output of every shelf together.
    pub fn total(&self) -> Watts {
        self.capacity * self.count as f64
    }

    /// DC output left after the redundancy's failure (one side under N+N).
    pub fn after_failure(&self) -> Watts {
        self.capacity * self.usable() as f64
    }

    /// The DC load an AC input draw puts on the shelves.
    pub fn dc_load(&self, ac: Watts) -> Watts {
        ac * self.efficiency
    }
}

/// How a rack's power shelves are spared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShelfRedundancy {
    N,
    NPlus1,
    /// Two sides, each able to carry the rack (also written `2N`).
    NPlusN,
}

impl ShelfRedundancy {
    pub const CHOICES: &'static [&'static str] = &["N", "N+1", "N+N", "2N"];

    fn parse(s: &str) -> Option<ShelfRedundancy> {
        Some(match s {
            "N" => ShelfRedundancy::N,
            "N+1" => ShelfRedundancy::NPlus1,
            "N+N" | "2N" => ShelfRedundancy::NPlusN,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ShelfRedundancy::N => "N",
            ShelfRedundancy::NPlus1 => "N+1",
            ShelfRedundancy::NPlusN => "N+N",
        }
    }
}

#[derive(Clone, Debug)]
pub struct System {
    pub id: String,
    pub name: String,
    pub vendor: Vendor,
    pub form: Form,
    /// The GPU it carries.
    pub gpu: GpuId,
    pub gpu_count: u64,
    pub host_gpus: u64,
    pub host_arch: HostArch,
    pub nvlink_domain: u64,
    /// The oldest NCCL that runs collectives over multi-node NVLink across this system's trays
    /// (`mnnvl-nccl`), where a source gives one.
    pub mnnvl_nccl: Option<String>,
    pub nics: Vec<Nic>,
    /// Sustained draw under full load: the basis for energy, cost and heat in steady state.
    pub power_nominal: Watts,
    /// Maximum sustained draw (AC input): what feeds, PDUs and CDUs are sized for.
    pub power_peak: Watts,
    pub power_idle: Watts,
    /// A short excursion above the maximum, only where a source gives one.
    pub power_transient: Option<Watts>,
    /// Fraction of the heat that goes to liquid; the rest goes to air.
    pub liquid_fraction: f64,
    pub supply_temperature: Option<(Celsius, Celsius)>,
    pub power_input: Option<PowerInput>,
    pub power_shelves: Option<PowerShelves>,
    pub weight: Kilograms,
    pub max_weight: Option<Kilograms>,
    pub rack_units: u64,
    /// Width × depth on the floor: given for rack-scale systems, which are their own rack.
    pub footprint: Option<Footprint>,
    pub price: Option<Price>,
    /// Services whose cost is in the system's price (ids of `service` parts): the bill of
    /// materials does not charge them again for this system's GPUs or nodes.
    pub bundles: Vec<String>,
    pub preview: bool,
    pub span: Span,
}

impl System {
    /// True when the system's price already includes the service.
    pub fn bundles(&self, service: &str) -> bool {
        self.bundles.iter().any(|s| s == service)
    }

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

/// Decodes a `system` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, catalog: &Catalog) -> Option<System> {
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
            "mnnvl-nccl",
            "power",
            "cooling",
            "supply-temperature",
            "power-input",
            "power-shelves",
            "weight",
            "max-weight",
            "rack-units",
            "footprint",
            "price",
            "bundles",
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
        let (id, count) = (id?, count?);
        Some((bind_gpu(cx, catalog, &id)?, count))
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
    let mnnvl_nccl = f.string(cx, "mnnvl-nccl", "mnnvl-nccl \"2.25.2\"").map(|s| s.value);
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
        let cages = opt_prop(cx, &mut r, "cages", |cx, e| read::count(cx, e, "the NIC's cages")).map(|c| c.value);
        let module = opt_prop(cx, &mut r, "module", |cx, e| read::name(cx, e, "the NIC's module")).map(|m| m.value);
        let vendor = opt_prop(cx, &mut r, "vendor", |cx, e| {
            read::choice(cx, e, "the NIC vendor", &["nvidia", "amd", "broadcom", "oem"])
        })
        .map(|v| match v.value {
            "nvidia" => NicVendor::Nvidia,
            "amd" => NicVendor::Amd,
            "broadcom" => NicVendor::Broadcom,
            _ => NicVendor::Oem,
        });
        // Fabric NICs need their maker: the Kubernetes target serves only NVIDIA's with the NVIDIA
        // Network Operator.
        if vendor.is_none() && role.as_ref().is_some_and(|r| r.value != "bmc") {
            cx.emit(
                Diagnostic::new(codes::E0105, "a compute or frontend `nic` needs `vendor`")
                    .label(cx.node_head_span(n), "`vendor` missing")
                    .help(
                        "add `vendor=\"nvidia\"` (or \"amd\", \"broadcom\", \"oem\" when the server builder chooses)",
                    ),
            );
        }
        r.finish(cx);
        if let (Some(role), Some(count), Some(speed)) = (role, count, speed) {
            let role = match role.value {
                "compute" => NicRole::Compute,
                "frontend" => NicRole::Frontend,
                _ => NicRole::Bmc,
            };
            nics.push(Nic { role, vendor, count: count.value, speed: BitsPerSecond(speed.value), cages, module });
        }
    }
    let power = f.props("power").and_then(|mut r| {
        let example = "power nominal=(kW)10.2 peak=(kW)11.3 idle=(kW)2.9";
        let nominal =
            req_prop(cx, &mut r, "nominal", example, |cx, e| read::quantity(cx, e, "nominal power", Dimension::Power));
        let peak = req_prop(cx, &mut r, "peak", example, |cx, e| read::quantity(cx, e, "peak power", Dimension::Power));
        let idle = req_prop(cx, &mut r, "idle", example, |cx, e| read::quantity(cx, e, "idle power", Dimension::Power));
        let transient =
            opt_prop(cx, &mut r, "transient", |cx, e| read::quantity(cx, e, "transient power", Dimension::Power));
        r.finish(cx);
        Some((nominal?.value, peak?.value, idle?.value, transient.map(|t| Watts(t.value))))
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
        let example = "power-shelves count=8 capacity=(kW)33 redundancy=\"N+N\" efficiency=0.93";
        let count = req_prop(cx, &mut r, "count", example, |cx, e| read::count(cx, e, "the shelf count"));
        let capacity = req_prop(cx, &mut r, "capacity", example, |cx, e| {
            read::quantity(cx, e, "the shelf capacity", Dimension::Power)
        });
        let redundancy = opt_prop(cx, &mut r, "redundancy", |cx, e| {
            read::choice(cx, e, "the shelf redundancy", ShelfRedundancy::CHOICES)
        });
        let efficiency = req_prop(cx, &mut r, "efficiency", example, |cx, e| {
            read::number_in(cx, e, "the shelf efficiency", 0.5, 1.0)
        });
        r.finish(cx);
        Some(PowerShelves {
            count: count?.value,
            capacity: Watts(capacity?.value),
            redundancy: redundancy.and_then(|c| ShelfRedundancy::parse(c.value)).unwrap_or(ShelfRedundancy::N),
            efficiency: efficiency?.value,
        })
    });
    let weight = f.req_quantity(cx, "weight", Dimension::Mass, "weight (kg)130");
    let max_weight = f.quantity(cx, "max-weight", Dimension::Mass, "max-weight (kg)1500");
    let rack_units = f.req_count(cx, "rack-units", "rack-units 8");
    let fp = footprint(cx, &f);
    if f.node("footprint").is_none() && form.as_ref().is_some_and(|f| f.value == "rack-scale") {
        cx.emit(
            Diagnostic::new(codes::E0105, "a rack-scale system needs `footprint`")
                .label(cx.node_head_span(node), "`footprint` missing")
                .help("add `footprint width=(mm)600 depth=(mm)1068`: the rack's floor area"),
        );
    }
    let price = f.price(cx);
    let preview = f.boolean(cx, "preview").map(|b| b.value).unwrap_or(false);
    let bundles = f.node("bundles").map(|n| bundled_services(cx, n)).unwrap_or_default();
    let (gpu_id, gpu_count) = gpu?;
    let (nominal, peak, idle, transient) = power?;
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
        host_arch: if host_arch?.value == "aarch64" { HostArch::Aarch64 } else { HostArch::X86_64 },
        nvlink_domain: nvlink?.value,
        mnnvl_nccl,
        nics,
        power_nominal: Watts(nominal),
        power_peak: Watts(peak),
        power_idle: Watts(idle),
        power_transient: transient,
        liquid_fraction: liquid,
        supply_temperature: supply,
        power_input,
        power_shelves,
        weight: Kilograms(weight?.value),
        max_weight: max_weight.map(|m| Kilograms(m.value)),
        rack_units: rack_units?.value,
        footprint: fp,
        price,
        bundles,
        preview,
        span: cx.node_head_span(node),
    })
}

/// The service ids a `bundles "a" "b"` line names.
fn bundled_services(cx: &mut Cx, node: &Node) -> Vec<String> {
    let mut r = NodeReader::new(node);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(e) = r.arg(i) {
        if let Some(s) = read::name(cx, e, "a bundled service") {
            out.push(s.value);
        }
        i += 1;
    }
    if i == 0 {
        cx.emit(
            Diagnostic::new(codes::E0105, "`bundles` needs at least one service id")
                .label(cx.node_head_span(node), "no service named")
                .help("write `bundles \"nvidia-ai-enterprise\"`"),
        );
    }
    r.finish(cx);
    out
}

/// The GPU a system names, bound to the catalog's part; E0201 when there is none.
fn bind_gpu(cx: &mut Cx, catalog: &Catalog, id: &Spanned<String>) -> Option<GpuId> {
    let bound = catalog.bind::<Gpu>(&id.value);
    if bound.is_none() {
        let mut d = Diagnostic::new(
            codes::E0201,
            format!("this system names GPU `{}`, which the catalog does not have", id.value),
        )
        .label(id.span, "unknown GPU");
        d = match crate::diag::did_you_mean(&id.value, catalog.ids_of_kind("gpu")) {
            Some(h) => d.help(h),
            None => d.help("add the GPU as `stdlib/gpu/<id>.kdl`"),
        };
        cx.emit(d);
    }
    bound
}
