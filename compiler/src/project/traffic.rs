//! Traffic: what each fabric carries for the factory's workloads. A fabric is worth its switches
//! and optics only if some workload sends over it; a replica that fits inside one NVLink domain
//! sends nothing over a compute fabric (NVIDIA's Enterprise RA marks the east-west fabric optional
//! for pure inference). Each kind of traffic names the fabric role that carries it, so later kinds
//! (training collectives, storage) add a variant and the rule that finds them, not a new check;
//! the KV-cache transfer between disaggregated prefill and decode pools in different NVLink
//! domains is one.

use crate::ast::FabricRole;
use crate::model::Factory;
use crate::project::placement::place_replicas;
use crate::project::throughput::disaggregated::KvLink;
use crate::project::Plan;

/// One kind of traffic a workload puts on a fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrafficKind {
    /// Replicas larger than one NVLink domain: their tensor, pipeline or expert exchanges cross
    /// the compute fabric every step.
    ReplicaAcrossDomains { replica_gpus: u64, domain_gpus: u64 },
    /// Requests in and tokens out of a served workload (north-south), on the frontend network.
    Serving,
    /// Disaggregated serving whose prefill and decode pools sit in different NVLink domains:
    /// every prompt's KV cache crosses the compute fabric, at this many bytes/s in all.
    KvTransfer { bytes_per_second: u64 },
}

impl TrafficKind {
    /// The fabric role that carries this traffic.
    pub fn role(self) -> FabricRole {
        match self {
            TrafficKind::ReplicaAcrossDomains { .. } | TrafficKind::KvTransfer { .. } => FabricRole::Compute,
            TrafficKind::Serving => FabricRole::Frontend,
        }
    }
}

/// A workload's traffic on one fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Index into `Factory::workloads`.
    pub workload: usize,
    pub kind: TrafficKind,
}

/// What one fabric carries (parallel to `Plan::fabrics`).
#[derive(Clone, Debug, Default)]
pub struct FabricTraffic {
    pub flows: Vec<Flow>,
    /// Workloads with replicas in the sites the fabric serves.
    pub workloads_served: u64,
    /// Some of those workloads have no feasible configuration, so their traffic is unknown.
    pub unknown: bool,
    /// What the fabric's lines of the bill of materials add (switches, optics, cables), in the
    /// factory currency; `None` when a line is unpriced or the fabric adds no line.
    pub capex: Option<f64>,
}

impl FabricTraffic {
    /// True when workloads run where the fabric is and none of them sends anything over it.
    pub fn idle(&self) -> bool {
        self.flows.is_empty() && self.workloads_served > 0 && !self.unknown
    }
}

/// The traffic of every fabric. Reads the workloads' best configurations and their placement, so
/// it runs after `workloads` and before the quote.
pub fn plan(factory: &Factory, plan: &Plan) -> Vec<FabricTraffic> {
    let placement = place_replicas(factory, plan);
    factory
        .fabrics
        .iter()
        .map(|fabric| {
            let serves = |site: usize| fabric.site.is_none_or(|s| s == site);
            let mut t = FabricTraffic::default();
            for (wi, (w, p)) in factory.workloads.iter().zip(&plan.workloads).enumerate() {
                let here = placement
                    .get(wi)
                    .is_some_and(|per_site| per_site.iter().enumerate().any(|(si, n)| *n > 0 && serves(si)));
                if !here {
                    continue;
                }
                t.workloads_served += 1;
                if p.estimate.is_err() {
                    t.unknown = true;
                    continue;
                }
                for kind in kinds(w, p) {
                    if kind.role() == fabric.role {
                        t.flows.push(Flow { workload: wi, kind });
                    }
                }
            }
            t
        })
        .collect()
}

/// The kinds of traffic a workload's best configuration makes.
fn kinds(w: &crate::model::Workload, p: &crate::project::workloads::WorkloadPlan) -> Vec<TrafficKind> {
    let mut out = vec![TrafficKind::Serving];
    if let Some(system) = w.system {
        let replica = u64::from(p.replica_gpus());
        let domain = system.nvlink_domain.max(1);
        if replica > domain {
            out.push(TrafficKind::ReplicaAcrossDomains { replica_gpus: replica, domain_gpus: domain });
        }
    }
    if let Some(d) = p.disaggregated.as_ref() {
        match d.kv_link {
            KvLink::ComputeFabric => {
                out.push(TrafficKind::KvTransfer { bytes_per_second: d.kv_bytes_per_second.max(0.0).round() as u64 })
            }
            KvLink::NvLink => {}
        }
    }
    out
}
