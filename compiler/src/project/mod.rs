//! Projections: what a factory draws, rejects as heat, needs in switches and produces, computed
//! from the resolved factory. The checks read these numbers and `plan` prints them, so every
//! number a user sees comes from one place.

pub mod network;
pub mod power;
pub mod throughput;
pub mod workloads;

use crate::catalog::Catalog;
use crate::model::Factory;

/// Everything the projections computed for one factory.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub sites: Vec<power::SitePlan>,
    pub fabrics: Vec<network::FabricPlan>,
    pub workloads: Vec<workloads::WorkloadPlan>,
}

/// Computes the plan. Network first: switches are IT load in the sites they serve.
pub fn plan(factory: &Factory, catalog: &Catalog) -> Plan {
    let fabrics = network::plan(factory, catalog);
    let sites = factory.sites.iter().enumerate().map(|(i, s)| power::site_plan(i, s, &fabrics)).collect();
    let workloads = workloads::plan(factory);
    Plan { sites, fabrics, workloads }
}
