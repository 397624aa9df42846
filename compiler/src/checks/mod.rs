//! The design rules. Each check is one file with one job: a read-only pass over the resolved
//! factory and the plan that reports diagnostics of its own codes. This list is the registry; the
//! tidy tests keep it in step with the files of this folder and with `diag::codes`.

mod air_capacity;
mod cable_reach;
mod cdu_capacity;
mod compute_fabric;
mod context_length;
mod cooling_utilization;
mod cuda;
mod cuda_architecture;
mod disaggregated_serving;
mod driver;
mod driver_build;
mod emitted_names;
mod engine_parallelism;
mod fabric_nic_vendor;
mod facility_water;
mod floor_load;
mod fabric_capacity;
mod fabric_sites;
mod dra_driver;
mod gpu_operator;
mod idle_fabric;
mod image_architecture;
mod kubernetes_dra;
mod liquid_loop;
mod network_racks;
mod memory_fit;
mod nccl;
mod pdu_outlets;
mod precision;
mod quote;
mod rack_air_heat;
mod rack_circuits;
mod rack_power;
mod rack_power_margin;
mod rack_space;
mod rack_weight;
mod region;
mod replica_fabric;
mod serving;
mod single_spine;
mod site_power;
mod site_tier;
mod slo;
mod supply_temperature;
mod switch_protocol;
mod switch_speed;
mod unused_gpus;
mod vendor_stack;
mod version_syntax;
mod workload_gpus;

use crate::catalog::{Architecture, Catalog, Gpu, GpuId, Vendor};
use crate::diag::Diagnostics;
use crate::model::Factory;
use crate::model::Site;
use crate::project::Plan;
use crate::source::Span;

/// What a check may read.
pub struct CheckCtx<'a, 'c> {
    pub factory: &'a Factory<'c>,
    pub plan: &'a Plan,
    pub catalog: &'c Catalog,
    /// The constraint graph (aggregated): containment, power, cooling, network and demand edges.
    pub graph: &'a crate::graph::Graph,
}

/// A check: its module name (the file), the codes it emits, and its pass.
pub struct Check {
    pub name: &'static str,
    pub codes: &'static [&'static str],
    pub run: fn(&CheckCtx, &mut Diagnostics),
}

/// Every check, in the order they run (the output is sorted afterwards).
pub const CHECKS: &[Check] = &[
    Check { name: "rack_power", codes: &["E0401", "W0403"], run: rack_power::run },
    Check { name: "rack_power_margin", codes: &["W0405"], run: rack_power_margin::run },
    Check { name: "rack_circuits", codes: &["E0403", "E0405", "W0404"], run: rack_circuits::run },
    Check { name: "pdu_outlets", codes: &["E0404"], run: pdu_outlets::run },
    Check { name: "site_power", codes: &["E0402", "W0401", "W0402"], run: site_power::run },
    Check { name: "liquid_loop", codes: &["E0501"], run: liquid_loop::run },
    Check { name: "cdu_capacity", codes: &["E0502"], run: cdu_capacity::run },
    Check { name: "supply_temperature", codes: &["E0503"], run: supply_temperature::run },
    Check { name: "facility_water", codes: &["E0506"], run: facility_water::run },
    Check { name: "air_capacity", codes: &["E0504"], run: air_capacity::run },
    Check { name: "cooling_utilization", codes: &["W0501"], run: cooling_utilization::run },
    Check { name: "rack_air_heat", codes: &["E0505"], run: rack_air_heat::run },
    Check { name: "switch_protocol", codes: &["E0601"], run: switch_protocol::run },
    Check { name: "fabric_capacity", codes: &["E0602"], run: fabric_capacity::run },
    Check { name: "switch_speed", codes: &["E0603"], run: switch_speed::run },
    Check { name: "cable_reach", codes: &["E0606", "E0607"], run: cable_reach::run },
    Check { name: "network_racks", codes: &["E1105", "W1103"], run: network_racks::run },
    Check { name: "fabric_sites", codes: &["E0604"], run: fabric_sites::run },
    Check { name: "compute_fabric", codes: &["W0601"], run: compute_fabric::run },
    Check { name: "idle_fabric", codes: &["W0602"], run: idle_fabric::run },
    Check { name: "single_spine", codes: &["W0607"], run: single_spine::run },
    Check { name: "driver", codes: &["E0701"], run: driver::run },
    Check { name: "driver_build", codes: &["W0705"], run: driver_build::run },
    Check { name: "cuda", codes: &["E0702", "W0702"], run: cuda::run },
    Check { name: "vendor_stack", codes: &["E0704"], run: vendor_stack::run },
    Check { name: "gpu_operator", codes: &["E0705", "W0704"], run: gpu_operator::run },
    Check { name: "cuda_architecture", codes: &["E0706"], run: cuda_architecture::run },
    Check { name: "serving", codes: &["E0707"], run: serving::run },
    Check { name: "image_architecture", codes: &["E0709"], run: image_architecture::run },
    Check { name: "engine_parallelism", codes: &["W0706"], run: engine_parallelism::run },
    Check { name: "replica_fabric", codes: &["E0605"], run: replica_fabric::run },
    Check { name: "fabric_nic_vendor", codes: &["W0604"], run: fabric_nic_vendor::run },
    Check { name: "kubernetes_dra", codes: &["E0703", "W0703"], run: kubernetes_dra::run },
    Check { name: "dra_driver", codes: &["E0711"], run: dra_driver::run },
    Check { name: "nccl", codes: &["E0712"], run: nccl::run },
    Check { name: "memory_fit", codes: &["E0804"], run: memory_fit::run },
    Check { name: "slo", codes: &["E0805"], run: slo::run },
    Check { name: "disaggregated_serving", codes: &["E0808"], run: disaggregated_serving::run },
    Check { name: "workload_gpus", codes: &["E0801"], run: workload_gpus::run },
    Check { name: "unused_gpus", codes: &["W0806"], run: unused_gpus::run },
    Check { name: "precision", codes: &["E0802", "W0801"], run: precision::run },
    Check { name: "context_length", codes: &["E0803"], run: context_length::run },
    Check { name: "region", codes: &["E0901"], run: region::run },
    Check { name: "site_tier", codes: &["W0901", "W0902"], run: site_tier::run },
    Check { name: "rack_space", codes: &["E1101"], run: rack_space::run },
    Check { name: "rack_weight", codes: &["E1102"], run: rack_weight::run },
    Check { name: "floor_load", codes: &["E1103"], run: floor_load::run },
    Check { name: "quote", codes: &["W1001", "W1002"], run: quote::run },
    Check { name: "version_syntax", codes: &["E0708"], run: version_syntax::run },
    Check { name: "emitted_names", codes: &["E0306", "E0307", "E0308"], run: emitted_names::run },
];

/// Runs every check.
pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for check in CHECKS {
        (check.run)(cx, diags);
    }
}

/// How far a projected load may sit above its rating and still count as within it: sums of
/// floating-point watts land a few parts in 10¹⁶ off the exact figure, and a load exactly at its
/// rating is sound.
pub const TOLERANCE: f64 = 1e-6;

/// True when `load` is above `rating` by more than rounding.
pub fn exceeds(load: f64, rating: f64) -> bool {
    load > rating * (1.0 + TOLERANCE)
}

/// A GPU part a site holds, and the first rack that holds it.
pub struct SiteGpu<'c> {
    pub id: GpuId,
    pub gpu: &'c Gpu,
    pub span: Span,
}

/// The distinct GPUs of a site with the span of the first rack that holds each.
pub fn site_gpus<'c>(site: &Site<'c>, catalog: &'c Catalog) -> Vec<SiteGpu<'c>> {
    let mut out: Vec<SiteGpu> = Vec::new();
    for (_, rack) in site.rack_groups() {
        for (system, _) in rack.systems() {
            if !out.iter().any(|g| g.id == system.gpu) {
                out.push(SiteGpu { id: system.gpu, gpu: &catalog[system.gpu], span: rack.part_span });
            }
        }
    }
    out
}

pub fn has_vendor(gpus: &[SiteGpu], vendor: Vendor) -> bool {
    gpus.iter().any(|g| g.gpu.vendor == vendor)
}

pub fn architectures(gpus: &[SiteGpu]) -> Vec<(Architecture, Span)> {
    let mut out: Vec<(Architecture, Span)> = Vec::new();
    for SiteGpu { gpu: g, span, .. } in gpus {
        if !out.iter().any(|(a, _)| *a == g.architecture) {
            out.push((g.architecture, *span));
        }
    }
    out
}

/// The diagnostics of the one-GB200-rack UI blueprint (on feeds large enough not to bind) with
/// one line of the catalog's `gb200-nvl72` part replaced: how the rack rules judge a system no
/// shipped part is.
#[cfg(test)]
pub(crate) fn one_gb200_rack_with_catalog_line(line: &str, replacement: &str) -> Diagnostics {
    let files: Vec<(String, String)> = crate::catalog::embedded_files()
        .into_iter()
        .map(|(path, text)| {
            let text = if path == "system/gb200-nvl72.kdl" {
                assert!(text.contains(line), "gb200-nvl72 no longer has the line `{line}`");
                text.replace(line, replacement)
            } else {
                text.to_string()
            };
            (path, text)
        })
        .collect();
    let mut session = crate::Session::with_catalog_files(files);
    assert!(session.catalog_diagnostics.is_empty(), "the changed catalog must load clean");
    let blueprint = include_str!("../../../tests/ui/power/site-power-one-gb200-rack-fits.kdl")
        .replace("capacity=(kW)142", "capacity=(kW)400");
    session.check("one-rack.kdl", blueprint.as_bytes()).1
}
