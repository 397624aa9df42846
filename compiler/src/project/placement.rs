//! Replica placement: how each workload's replicas sit on hosts, and how many of them each site
//! of a multi-site factory runs. The build view reads these numbers (a ClusterQueue's quota is
//! the GPUs of the replicas placed in its site).

use crate::catalog::Form;
use crate::model::Factory;
use crate::project::Plan;
use std::collections::BTreeMap;

/// How a workload's replicas sit on hosts.
#[derive(Clone, Copy)]
pub struct ReplicaShape {
    /// Replicas in the whole factory (NVLink domains for a disaggregated workload).
    pub replicas: u64,
    /// GPUs of one replica (tensor × pipeline × expert), or of one NVLink domain for a
    /// disaggregated workload.
    pub replica: u64,
    pub gpus_per_node: u64,
    /// Hosts one replica spans.
    pub nodes: u64,
    pub host_gpus: u64,
}

impl ReplicaShape {
    pub fn of(w: &crate::model::Workload, p: &crate::project::workloads::WorkloadPlan) -> Self {
        let host_gpus = w.system.map(|s| s.host_gpus).unwrap_or(8).max(1);
        // A disaggregated workload is placed in whole NVLink domains, the unit both of its pool
        // layouts are laid out in; a site's share of the domains is its share of each pool.
        let (replica, replicas) = match &p.disaggregated {
            Some(d) => (u64::from(d.domain_gpus).max(1), u64::from(d.domains)),
            None => {
                let replica = u64::from(p.replica_gpus()).max(1);
                (
                    replica,
                    p.estimate.as_ref().ok().map(|e| u64::from(e.replicas)).unwrap_or_else(|| w.gpus.value / replica),
                )
            }
        };
        ReplicaShape {
            replicas,
            replica,
            gpus_per_node: replica.min(host_gpus),
            nodes: replica.div_ceil(host_gpus),
            host_gpus,
        }
    }

    /// One replica spans NVLink trays of one rack-scale domain: the hosts talk over NVLink.
    pub fn multi_node_nvlink(&self, system: Option<&crate::catalog::System>) -> bool {
        self.nodes > 1 && system.is_some_and(|s| s.form == Form::RackScale && self.replica <= s.nvlink_domain)
    }

    /// One replica spans hosts that only a compute fabric joins, so its pods need that fabric's
    /// RDMA devices.
    pub fn over_fabric(&self, system: Option<&crate::catalog::System>) -> bool {
        self.nodes > 1 && !self.multi_node_nvlink(system)
    }
}

/// Replicas of each workload per site, `[workload][site]`. Workloads draw on the factory's GPUs as
/// one pool (the language does not pin a workload to a site), so a multi-site factory splits them:
/// in blueprint order, each workload fills the sites in order, counting whole hosts. A replica that
/// spans NVLink trays needs one NVLink domain, which holds `⌊domain hosts / replica hosts⌋` of them;
/// a single-host replica shares its host with `⌊host GPUs / replica GPUs⌋ − 1` others. Replicas that
/// fit nowhere stay with the first site that has the workload's system, where the scheduler keeps
/// them pending: the quota then shows the shortfall instead of hiding it.
pub fn place_replicas(factory: &Factory, plan: &Plan) -> Vec<Vec<u64>> {
    let mut free: Vec<BTreeMap<&str, u64>> = factory
        .sites
        .iter()
        .map(|site| {
            let mut hosts = BTreeMap::new();
            for (system, n) in site.gpu_systems() {
                *hosts.entry(system.id.as_str()).or_insert(0u64) += n.saturating_mul(system.hosts());
            }
            hosts
        })
        .collect();
    let mut placement = Vec::new();
    for (w, p) in factory.workloads.iter().zip(&plan.workloads) {
        let mut per_site = vec![0u64; factory.sites.len()];
        if let Some(system) = w.system {
            let shape = ReplicaShape::of(w, p);
            let nvlink = shape.nodes > 1 && system.form == Form::RackScale && shape.replica <= system.nvlink_domain;
            // Hosts a placement unit takes, and the replicas one unit holds.
            let (unit_hosts, per_unit) = if nvlink {
                let domain_hosts = system.nvlink_domain.div_ceil(shape.host_gpus).max(1);
                (domain_hosts, (domain_hosts / shape.nodes).max(1))
            } else if shape.nodes == 1 {
                (1, (shape.host_gpus / shape.gpus_per_node).max(1))
            } else {
                (shape.nodes, 1)
            };
            let mut left = shape.replicas;
            for (si, hosts) in free.iter_mut().enumerate() {
                let Some(h) = hosts.get_mut(system.id.as_str()) else { continue };
                let n = left.min((*h / unit_hosts).saturating_mul(per_unit));
                *h -= n.div_ceil(per_unit).saturating_mul(unit_hosts);
                if let Some(slot) = per_site.get_mut(si) {
                    *slot = n;
                }
                left -= n;
            }
            if left > 0 {
                if let Some(slot) =
                    free.iter().position(|h| h.contains_key(system.id.as_str())).and_then(|si| per_site.get_mut(si))
                {
                    *slot += left;
                }
            }
        }
        placement.push(per_site);
    }
    placement
}
