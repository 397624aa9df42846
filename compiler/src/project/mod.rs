//! Projections: what a factory draws, rejects as heat, needs in switches and produces, computed
//! from the resolved factory. The checks read these numbers and `plan` prints them, so every
//! number a user sees comes from one place.

pub mod bom;
pub mod circuits;
pub mod layout;
pub mod network;
pub mod network_racks;
pub mod physical;
pub mod placement;
pub mod power;
pub mod pricing;
pub mod quote;
mod tally;
pub mod throughput;
pub mod traffic;
pub mod workloads;

use crate::catalog::Catalog;
use crate::model::Factory;

/// Everything the projections computed for one factory.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub sites: Vec<power::SitePlan>,
    pub fabrics: Vec<network::FabricPlan>,
    /// The fabrics' switches in network racks, per site (parallel to `sites`).
    pub network_racks: Vec<network_racks::NetworkRacks>,
    /// Link lengths and media per fabric (parallel to `fabrics`).
    pub links: Vec<layout::FabricLinks>,
    /// What each fabric carries (parallel to `fabrics`).
    pub traffic: Vec<traffic::FabricTraffic>,
    pub workloads: Vec<workloads::WorkloadPlan>,
    /// The bill of materials and the quote, priced from the numbers above.
    pub quote: quote::Quote,
    /// Every name the build targets emit (see `names`), for the checks and the build view.
    pub names: crate::names::Names,
}

/// Computes the plan. Network first: switches are IT load in the sites they serve; traffic after the
/// workloads it reads; the quote last, from everything else.
pub fn plan(factory: &Factory, catalog: &Catalog) -> Plan {
    let fabrics = network::plan(factory, catalog);
    let sites = factory.sites.iter().enumerate().map(|(i, s)| power::site_plan(i, s, &fabrics)).collect();
    let workloads = workloads::plan(factory);
    let names = crate::names::derive(factory);
    let network_racks = network_racks::plan(factory, &fabrics);
    let links = layout::plan(factory, &fabrics, &network_racks);
    let mut plan = Plan {
        sites,
        fabrics,
        network_racks,
        links,
        traffic: Vec::new(),
        workloads,
        quote: quote::Quote::default(),
        names,
    };
    plan.traffic = traffic::plan(factory, &plan);
    plan.quote = quote::compute(factory, &plan, catalog);
    for (t, f) in plan.traffic.iter_mut().zip(&plan.fabrics) {
        t.capex = plan.quote.bom.fabric_capex(&f.name);
    }
    plan
}

/// The factory's totals: what `plan` prints under "totals" and the quote's headline reads, summed
/// once here so both report the same numbers to the last bit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Headline {
    pub racks: u64,
    pub gpus: u64,
    pub it_power_kw: f64,
    pub facility_power_kw: f64,
    /// Output tokens/s of every workload's best configuration (0 for an infeasible one).
    pub tokens_per_second: f64,
    /// Output tokens/s over every GPU of the factory (idle ones included).
    pub tokens_per_second_per_gpu: f64,
    /// Output tokens/s per MW of facility power at peak PUE.
    pub tokens_per_second_per_mw: f64,
    /// The p10 and p90 ends of `tokens_per_second`: each workload's band, summed (the errors of
    /// one model's projections move together, so their ends add).
    pub tokens_per_second_low: f64,
    pub tokens_per_second_high: f64,
}

pub fn headline(plan: &Plan) -> Headline {
    let gpus: u64 = plan.sites.iter().map(|s| s.gpus).sum();
    let facility_power_kw: f64 = plan.sites.iter().map(|s| s.facility_power.kw()).sum();
    let tokens: f64 =
        plan.workloads.iter().map(|w| w.estimate.as_ref().map(|e| e.tokens_per_second).unwrap_or(0.0)).sum();
    let ends = |pick: fn(&workloads::WorkloadPlan, f64) -> f64| -> f64 {
        plan.workloads.iter().map(|w| w.estimate.as_ref().map(|e| pick(w, e.tokens_per_second)).unwrap_or(0.0)).sum()
    };
    Headline {
        tokens_per_second_low: ends(|w, t| w.band.ends(t).0),
        tokens_per_second_high: ends(|w, t| w.band.ends(t).1),
        racks: plan.sites.iter().map(|s| s.racks).sum(),
        gpus,
        it_power_kw: plan.sites.iter().map(|s| s.it_power.kw()).sum(),
        facility_power_kw,
        tokens_per_second: tokens,
        tokens_per_second_per_gpu: if gpus > 0 { tokens / gpus as f64 } else { 0.0 },
        tokens_per_second_per_mw: if facility_power_kw > 0.0 { tokens / (facility_power_kw / 1e3) } else { 0.0 },
    }
}
