//! The `gpu` part: a GPU model and its architecture, memory, compute and power.

use super::{opt_prop, req_prop};
use super::{Catalog, Fields, Vendor};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::Precision;
use crate::units::*;
use std::collections::BTreeMap;

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

    pub(super) fn parse(s: &str) -> Option<Architecture> {
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
            Architecture::Ampere
            | Architecture::Hopper
            | Architecture::Blackwell
            | Architecture::BlackwellUltra
            | Architecture::Rubin => Vendor::Nvidia,
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

/// Decodes a `gpu` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Gpu> {
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
