//! W0604: a workload whose replicas span hosts over a compute (RDMA) fabric, or whose
//! disaggregated prefill and decode pools move the KV cache over it (NIXL over RDMA), needs its
//! pods to get the hosts' RDMA devices. The Kubernetes target serves NVIDIA (Mellanox) NICs with the NVIDIA
//! Network Operator's RDMA shared device plugin, which selects PCI vendor 15b3; any other maker's
//! NICs (AMD's Pollara AI NICs on MI355X platforms, a server builder's choice on others) get no
//! NicClusterPolicy and no `rdma/` requests, so say what the platform team must deploy instead.
//! AMD's NICs are served by AMD's Network Operator (`NetworkConfig`, resource `amd.com/nic`;
//! instinct.docs.amd.com, network-operator), which Millwright does not emit.

use super::CheckCtx;
use crate::ast::FabricRole;
use crate::catalog::{NicRole, NicVendor};
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::project::placement::ReplicaShape;
use crate::project::throughput::disaggregated::KvLink;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Some(system) = w.system else { continue };
        let Some(vendor) = system.nic(NicRole::Compute).and_then(|n| n.vendor) else { continue };
        let shape = ReplicaShape::of(w, p);
        let kv_over_fabric = p.disaggregated.as_ref().is_some_and(|d| match d.kv_link {
            KvLink::ComputeFabric => true,
            KvLink::NvLink => false,
        });
        if vendor == NicVendor::Nvidia || !(shape.over_fabric(Some(system)) || kv_over_fabric) {
            continue;
        }
        for (i, site) in cx.factory.sites.iter().enumerate() {
            if !site.holds(system) {
                continue;
            }
            // Without a compute fabric the replicas cannot span hosts at all: E0605's error.
            let Some(fabric) =
                cx.factory.fabrics.iter().find(|f| f.role == FabricRole::Compute && f.site.is_none_or(|s| s == i))
            else {
                continue;
            };
            let (what, help) = match vendor {
                NicVendor::Amd => (
                    "AMD's",
                    "deploy AMD's Network Operator (a `NetworkConfig` for the AMD AI NICs) and add an `amd.com/nic` request to the serving pods; Millwright does not emit them",
                ),
                NicVendor::Broadcom => (
                    "Broadcom's",
                    "deploy the RDMA device plugin of the Broadcom NICs and add its resource to the serving pods; Millwright does not emit it",
                ),
                // Filtered out above; named so a new maker is a compile error here.
                NicVendor::Nvidia | NicVendor::Oem => (
                    "not NVIDIA's (the server builder chooses them)",
                    "deploy the RDMA device plugin of the NICs the servers ship with and add its resource to the serving pods; Millwright does not emit it",
                ),
            };
            if kv_over_fabric && !shape.over_fabric(Some(system)) {
                diags.push(
                    Diagnostic::new(
                        codes::W0604,
                        format!(
                            "workload \"{}\" moves its KV cache between prefill and decode servers of `{}` over fabric \"{}\", whose NICs are {}: the kubernetes target emits no NicClusterPolicy and no `rdma/` requests for site {}",
                            w.name.value, system.id, fabric.name.value, what, site.name.value
                        ),
                    )
                    .label(w.span, "disaggregated: prefill and decode pools on different servers")
                    .label(fabric.name.span, format!("RDMA over {} NICs", vendor.as_str()))
                    .help(help),
                );
                continue;
            }
            diags.push(
                Diagnostic::new(
                    codes::W0604,
                    format!(
                        "workload \"{}\" runs replicas of {} GPUs across {} `{}` hosts over fabric \"{}\", whose NICs are {}: the kubernetes target emits no NicClusterPolicy and no `rdma/` requests for site {}",
                        w.name.value,
                        shape.replica,
                        shape.nodes,
                        system.id,
                        fabric.name.value,
                        what,
                        site.name.value
                    ),
                )
                .label(w.span, format!("{} GPUs per replica on {} hosts", shape.replica, shape.nodes))
                .label(fabric.name.span, format!("RDMA over {} NICs", vendor.as_str()))
                .help(help),
            );
        }
    }
}
