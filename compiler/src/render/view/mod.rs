//! The build view: one serialisable model of the factory that every target's templates read.
//! Templates do no arithmetic, so every number a target prints is computed here (or in `project`).
//! Adding a field is an API change for template authors: `millwright build --view` prints it, and
//! the view of each example is snapshotted.

use crate::ast::FabricRole;
use crate::catalog::{Catalog, EnclosureCooling, Form, NicRole, NicVendor, Vendor};
use crate::model::{Factory, RackContents};
use crate::names;
use crate::project::placement::ReplicaShape;
use crate::project::Plan;
use serde::Serialize;
use std::collections::BTreeMap;

mod build;
pub use build::build;

/// Bumped when a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct BuildView {
    pub schema_version: u32,
    pub generator: &'static str,
    pub factory: FactoryView,
    pub sites: Vec<SiteView>,
    pub parts: Parts,
    pub plan: super::plan::PlanView,
    /// The bill of materials and the quote (`project::quote`), with their drawings.
    pub cost: super::quote::QuoteView,
}

#[derive(Clone, Debug, Serialize)]
pub struct FactoryView {
    pub name: String,
    pub slug: String,
    /// As written (may hold any characters; targets escape it).
    pub description: String,
    pub region: Option<String>,
    pub currency: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    pub name: String,
    pub slug: String,
    pub region: Option<String>,
    pub tier: Option<u8>,
    pub facts: SiteFacts,
    pub halls: Vec<HallView>,
    pub racks: Vec<RackView>,
    pub power_panels: Vec<PowerPanelView>,
    pub software: SoftwareView,
    pub kubernetes: KubernetesView,
    pub gpu_vendor: Option<&'static str>,
    pub gpu_products: Vec<GpuProduct>,
    pub fabrics: Vec<SiteFabric>,
    pub workloads: Vec<WorkloadView>,
    /// Nodes (hosts) of the site: GPU servers and NVL72 compute trays.
    pub nodes: u64,
    /// A fabric of the site carries RDMA (InfiniBand, or RoCE on a compute fabric) over NVIDIA
    /// NICs, which the NVIDIA Network Operator serves; other makers' NICs are W0604's warning.
    pub rdma: bool,
    /// A workload placed in the site spans NVLink trays, so the site runs DRA ComputeDomains.
    pub compute_domains: bool,
}

/// Capacity and cooling facts of a site, for custom fields and the quote.
#[derive(Clone, Debug, Serialize)]
pub struct SiteFacts {
    pub feed_capacity_kw: f64,
    pub feed_total_kw: f64,
    pub redundancy: &'static str,
    pub pue: f64,
    pub peak_pue: f64,
    pub it_power_kw: f64,
    pub facility_power_kw: f64,
    pub liquid_heat_kw: f64,
    pub air_heat_kw: f64,
    pub air_capacity_kw: f64,
    pub cooling_loops: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HallView {
    pub name: String,
    pub slug: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RackView {
    /// Unique within the site: `<hall>-<row>-<nn>`.
    pub name: String,
    pub hall: String,
    pub hall_slug: String,
    pub row: String,
    pub part: String,
    pub rack_scale: bool,
    pub u_height: u64,
    pub weight_kg: f64,
    pub max_weight_kg: Option<f64>,
    pub power_kw: f64,
    pub cooling: &'static str,
    pub cooling_loop: Option<String>,
    pub panel: String,
    /// Servers in an enclosure, one by one with their rack position.
    pub devices: Vec<DeviceView>,
    /// Compute trays of a rack-scale system: `trays` devices of `tray_type`, named `<rack>-trayNN`,
    /// without a position (the vendor's tray layout is not in the catalog). Written as a count so a
    /// million-GPU factory stays small; targets expand it.
    pub trays: u64,
    pub tray_type: Option<String>,
    pub tray_gpus: u64,
    /// The rack's panel-to-rack circuits, `count` alike.
    pub circuits: Option<CircuitsView>,
    /// `name` as a slug: a Kubernetes label value for the rack.
    pub slug: String,
    /// The rack's row (`<hall>-<row>` as a slug): the block of racks a scheduler keeps a group of
    /// hosts in when it cannot have one rack.
    pub block: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceView {
    pub name: String,
    pub device_type: String,
    pub role: &'static str,
    /// Lowest rack unit, where the layout is known.
    pub position: Option<u64>,
    pub gpus: u64,
}

/// A rack's panel-to-rack circuits, one per PDU or whip, as NetBox models power feeds (named
/// `<rack>-pduNN`).
#[derive(Clone, Debug, Serialize)]
pub struct CircuitsView {
    pub count: u64,
    /// The first `primary` feeds are side A (`primary`), the rest side B (`redundant`).
    pub primary: u64,
    pub voltage: u64,
    pub amperage: u64,
    pub phase: &'static str,
    pub supply: &'static str,
    pub max_utilization: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PowerPanelView {
    pub name: String,
    pub hall: String,
    pub hall_slug: String,
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct SoftwareView {
    pub os: Option<String>,
    /// The driver's full version: the blueprint's prefix completed to the catalog's newest build.
    pub driver: Option<String>,
    pub cuda: Option<String>,
    pub rocm: Option<String>,
    pub kubernetes: Option<String>,
    pub gpu_operator: Option<String>,
    /// The NVIDIA DRA driver release that serves the site's ComputeDomains.
    pub dra_driver: Option<String>,
    pub serving: Vec<ServingView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServingView {
    pub engine: String,
    pub version: String,
    pub backend: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KubernetesView {
    pub version: String,
    pub minor: u64,
    /// `resource.k8s.io` API version for this Kubernetes: v1beta1 (1.32), v1beta2 (1.33), v1 (1.34+).
    pub dra_api_version: String,
    pub dra_enabled_by_default: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct GpuProduct {
    pub system: String,
    pub gpu: String,
    pub vendor: &'static str,
    pub architecture: &'static str,
    /// What GPU Feature Discovery / the AMD device plugin puts in node labels.
    pub product_label: String,
    pub gpus: u64,
    pub host_gpus: u64,
    pub host_arch: String,
    pub nvlink_domain: u64,
    pub rack_scale: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteFabric {
    pub name: String,
    pub slug: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub switch: Option<String>,
    /// The fabric carries RDMA (InfiniBand, or RoCE on a compute fabric).
    pub rdma: bool,
    /// Makers of the site's NICs on this fabric (`nvidia`, `amd`, `broadcom`, `oem`).
    pub nic_vendors: Vec<&'static str>,
    /// RDMA over NVIDIA NICs only: the NVIDIA Network Operator's device plugin serves them.
    pub nvidia_rdma: bool,
    pub endpoints: u64,
    pub leaf: u64,
    pub spine: u64,
    pub core: u64,
    /// Switches of each tier placed in the site's network racks (named first: `<fabric>-leaf01` …);
    /// the rest have no rack yet.
    pub leaf_racked: u64,
    pub spine_racked: u64,
    pub core_racked: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkloadView {
    pub name: String,
    pub slug: String,
    pub model: String,
    pub model_name: String,
    pub precision: &'static str,
    pub gpus: u64,
    pub system: String,
    pub replicas: u64,
    pub tensor: u32,
    pub pipeline: u32,
    pub expert: u32,
    pub replica_gpus: u64,
    pub gpus_per_node: u64,
    /// Nodes one replica spans (1 for single-node replicas).
    pub nodes_per_replica: u64,
    pub multi_node: bool,
    /// A replica spans NVL72 trays: it needs a DRA ComputeDomain.
    pub multi_node_nvlink: bool,
    /// A replica spans hosts over an RDMA fabric of NVIDIA NICs: its pods request the NVIDIA
    /// Network Operator's RDMA devices.
    pub rdma: bool,
    /// A replica spans hosts over an RDMA fabric, whoever makes its NICs: the pods lock memory
    /// for RDMA registration (`IPC_LOCK`).
    pub over_rdma_fabric: bool,
    pub engine: String,
    pub engine_version: String,
    pub backend: String,
    pub arch: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub tokens_per_second: f64,
    /// Replicas placed in this site. Workloads draw on the factory's GPUs as one pool; in a
    /// multi-site factory [`crate::project::placement::place_replicas`] splits them, so `replicas` is the factory total.
    pub site_replicas: u64,
    /// GPUs those replicas request in this site (`site_replicas × nodes_per_replica × gpus_per_node`;
    /// for a disaggregated workload, the same sum over its pools' workers).
    pub site_gpus: u64,
    /// Tensor × expert ranks of a replica: the world of engines that run expert parallelism
    /// inside their tensor-parallel group (SGLang, TensorRT-LLM), with attention data-parallel.
    pub tensor_expert: u64,
    /// A Kubernetes object name for the workload: the slug, starting with a letter (`w-` is put in
    /// front of a leading digit) and at most 40 characters, leaving room for the suffixes that
    /// controllers add to pod and service names.
    pub kube_name: String,
    /// Where the serving pods read the weights: `/models/<model>/<precision>`.
    pub weights: String,
    /// The serving engine's public container image with the engine version as tag, for the
    /// workload's GPU vendor (see `docs/kubernetes.md` for the architectures each is published for).
    pub image: String,
    /// Disaggregated serving: the prefill and decode workers the Dynamo graph deploys (empty when
    /// aggregated). Each repeats the workload fields the pod templates read, so a template renders
    /// a pool with the same partials as an aggregated worker.
    pub pools: Vec<PoolWorker>,
}

/// One pool of a disaggregated workload, as the Kubernetes target deploys it.
#[derive(Clone, Debug, Serialize)]
pub struct PoolWorker {
    /// `prefill` or `decode`: the Dynamo service name and its `subComponentType`.
    pub role: &'static str,
    /// Replicas of this pool placed in the site.
    pub site_replicas: u64,
    pub replicas: u64,
    pub tensor: u32,
    pub pipeline: u32,
    pub expert: u32,
    pub tensor_expert: u64,
    pub replica_gpus: u64,
    pub gpus_per_node: u64,
    pub nodes_per_replica: u64,
    pub multi_node: bool,
    pub multi_node_nvlink: bool,
    pub rdma: bool,
    pub over_rdma_fabric: bool,
    pub engine: String,
    pub backend: String,
    pub model: String,
    pub weights: String,
    pub kube_name: String,
    pub system: String,
    pub arch: String,
    pub image: String,
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct Parts {
    pub manufacturers: Vec<Manufacturer>,
    pub device_types: Vec<DeviceType>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Manufacturer {
    pub name: String,
    pub slug: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DeviceType {
    pub id: String,
    /// `id` as a slug (NetBox device-type slugs allow only `[-a-zA-Z0-9_]`).
    pub slug: String,
    pub model: String,
    pub manufacturer_slug: String,
    pub u_height: u64,
    pub role: &'static str,
    /// The power inputs of a server type (its PSUs), which NetBox creates on every device of the
    /// type as power ports; `None` for types fed otherwise (a tray from its rack's busbar).
    pub power_ports: Option<PowerPortsView>,
}

/// A device type's power inputs, as NetBox power-port templates `psu1`…`psuN`: each port's
/// maximum and allocated draw in watts, the system's maximum and nominal draw shared evenly by its
/// inputs (the catalog's `power-input count=`).
#[derive(Clone, Debug, Serialize)]
pub struct PowerPortsView {
    pub count: u64,
    pub maximum_draw_w: u64,
    pub allocated_draw_w: u64,
}
