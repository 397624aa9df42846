//! Builds the build view from the resolved factory and its plan: racks and devices one by one
//! (the only place the view expands counts), the switches placed in network racks, the software
//! each site deploys and the workloads' replicas per site.

use super::*;

/// The switches of a site waiting for network racks, tier by tier in the order
/// `project::network_racks` places them: each network rack takes one tier of one fabric, as many
/// as its rack units, power and air heat allow.
struct SwitchQueue<'c> {
    /// Fabric index, fabric name, tier, switch, how many, how many placed.
    groups: Vec<(usize, String, &'static str, &'c crate::catalog::Switch, u64, u64)>,
}

impl<'c> SwitchQueue<'c> {
    fn new(factory: &Factory<'c>, plan: &Plan, site: usize) -> Self {
        let groups = plan
            .network_racks
            .get(site)
            .map(|n| {
                n.groups
                    .iter()
                    .filter_map(|g| {
                        let f = factory.fabrics.get(g.fabric)?;
                        let (switch, _) = f.switch?;
                        Some((g.fabric, f.name.value.clone(), g.tier.as_str(), switch, g.count, 0))
                    })
                    .collect()
            })
            .unwrap_or_default();
        SwitchQueue { groups }
    }

    /// Switches for one network rack with `free` rack units from `first_unit`: their devices and power.
    fn fill(&mut self, enclosure: &crate::catalog::Enclosure, free: u64, first_unit: u64) -> (Vec<DeviceView>, f64) {
        let mut out = Vec::new();
        let mut watts = 0.0;
        for (_, fabric, tier, switch, count, placed) in self.groups.iter_mut() {
            if *placed >= *count {
                continue;
            }
            let n = crate::project::network_racks::per_rack(enclosure, free, switch).min(*count - *placed);
            if n == 0 {
                continue;
            }
            let mut u = first_unit;
            for _ in 0..n {
                *placed += 1;
                out.push(DeviceView {
                    name: format!("{fabric}-{tier}{:02}", *placed),
                    device_type: switch.id.clone(),
                    role: "switch",
                    position: Some(u),
                    gpus: 0,
                });
                u += switch.rack_units.max(1);
                watts += switch.power.0;
            }
            break;
        }
        (out, watts)
    }

    fn placed(&self, fabric: usize, tier: &str) -> u64 {
        self.groups.iter().filter(|g| g.0 == fabric && g.2 == tier).map(|g| g.5).sum()
    }
}

use crate::names::slug;

fn vendor_name(v: Vendor) -> &'static str {
    match v {
        Vendor::Nvidia => "NVIDIA",
        Vendor::Amd => "AMD",
        Vendor::Other => "Other",
    }
}

fn product_label(gpu: &crate::catalog::Gpu) -> String {
    // GPU Feature Discovery labels products like `NVIDIA-H100-80GB-HBM3`; the catalog name with
    // spaces as dashes is the closest stable form we have.
    gpu.name.replace(' ', "-")
}

/// The Kubernetes facts the target needs, from the catalog release of the site's Kubernetes
/// (the newest catalog release not newer than it, for a version the catalog does not list; the
/// oldest for one older than all). A site that names no Kubernetes gets 1.34, the first release
/// with DRA on by default.
fn kubernetes_view(written: Option<&crate::model::VersionRef>, catalog: &Catalog) -> KubernetesView {
    let version = written.map(|v| v.version.value.clone()).unwrap_or_else(|| "1.34".to_string());
    let minor = crate::catalog::version_parts(&version).get(1).copied().unwrap_or(34);
    let product = written.and_then(|v| v.product).or_else(|| catalog.software("kubernetes"));
    let release = written.and_then(|v| v.release).or_else(|| {
        let releases = &product?.releases;
        releases
            .iter()
            .filter(|r| crate::catalog::version_cmp(&r.version.value, &version).is_le())
            .max_by(|a, b| crate::catalog::version_cmp(&a.version.value, &b.version.value))
            .or_else(|| releases.iter().min_by(|a, b| crate::catalog::version_cmp(&a.version.value, &b.version.value)))
    });
    KubernetesView {
        version,
        minor,
        dra_api_version: release.and_then(|r| r.dra_api).map(|a| a.as_str()).unwrap_or("v1").to_string(),
        dra_enabled_by_default: release.and_then(|r| r.dra) == Some(crate::catalog::DraState::Ga),
    }
}

pub fn build(factory: &Factory, plan: &Plan, catalog: &Catalog) -> BuildView {
    let plan_view = crate::render::plan::view(factory, plan);
    let mut manufacturers: BTreeMap<String, Manufacturer> = BTreeMap::new();
    let mut device_types: BTreeMap<String, DeviceType> = BTreeMap::new();
    let mut add_type =
        |id: &str, name: &str, vendor: Vendor, u: u64, role: &'static str, power_ports: Option<PowerPortsView>| {
            let m = vendor_name(vendor).to_string();
            manufacturers.entry(m.clone()).or_insert_with(|| Manufacturer { slug: slug(&m), name: m.clone() });
            device_types.entry(id.to_string()).or_insert_with(|| DeviceType {
                id: id.to_string(),
                slug: slug(id),
                model: name.to_string(),
                manufacturer_slug: slug(&m),
                u_height: u,
                role,
                power_ports,
            });
        };
    let placement = crate::project::placement::place_replicas(factory, plan);
    let names = &plan.names;
    let mut sites = Vec::new();
    let pdus: Vec<&crate::catalog::Pdu> = catalog.pdus().collect();
    for (si, (site, sp)) in factory.sites.iter().zip(&plan.sites).enumerate() {
        let mut racks = Vec::new();
        let mut panels = Vec::new();
        let mut nodes = 0u64;
        let mut products: BTreeMap<String, GpuProduct> = BTreeMap::new();
        let site_names = names.sites.get(si);
        let mut queue = SwitchQueue::new(factory, plan, si);
        for (hi, hall) in site.halls.iter().enumerate() {
            let hall_slug = site_names.and_then(|n| n.halls.get(hi)).cloned().unwrap_or_else(|| slug(&hall.name.value));
            let panel = names::panel_name(&hall.name.value);
            panels.push(PowerPanelView {
                name: panel.clone(),
                hall: hall.name.value.clone(),
                hall_slug: hall_slug.clone(),
            });
            for row in &hall.rows {
                for ri in 0..row.count {
                    let row_name = row.row_name(ri);
                    let mut k = 0u64;
                    for group in &row.racks {
                        // One panel-to-rack circuit per PDU or whip (NetBox stores integers);
                        // under 2N the first half is side A (primary), the rest side B
                        // (redundant). Computed once per rack line, not per rack.
                        let group_circuits = crate::project::circuits::rack_with(&pdus, group).map(|c| CircuitsView {
                            count: c.count,
                            primary: match c.redundancy {
                                crate::project::circuits::CircuitRedundancy::TwoN => c.count - c.carrying,
                                crate::project::circuits::CircuitRedundancy::N
                                | crate::project::circuits::CircuitRedundancy::NPlus1 => c.count,
                            },
                            voltage: c.voltage.0.round().clamp(1.0, 32767.0) as u64,
                            amperage: c.breaker.0.round().clamp(1.0, 32767.0) as u64,
                            phase: if c.phases >= 3 { "three-phase" } else { "single-phase" },
                            supply: "ac",
                            max_utilization: (c.derating * 100.0).round().clamp(1.0, 100.0) as u64,
                        });
                        for _ in 0..group.per_row {
                            k += 1;
                            let name = names::rack_name(&hall.name.value, &row_name, k);
                            let mut devices = Vec::new();
                            let mut switch_watts = 0.0;
                            let mut trays = (0u64, None, 0u64);
                            let (u_height, max_weight, cooling) = match &group.contents {
                                RackContents::RackScale(s) => {
                                    add_type(
                                        &format!("{}-tray", s.id),
                                        &format!("{} compute tray", s.name),
                                        s.vendor,
                                        1,
                                        "gpu-node",
                                        None,
                                    );
                                    trays = (s.hosts(), Some(format!("{}-tray", s.id)), s.host_gpus);
                                    nodes += s.hosts();
                                    (
                                        s.rack_units,
                                        s.max_weight.map(|w| w.0),
                                        if s.is_liquid_cooled() { "liquid" } else { "air" },
                                    )
                                }
                                RackContents::Enclosure { enclosure, systems } => {
                                    let mut u = 1u64;
                                    // Servers are numbered per system across the rack's system
                                    // lines, so two lines of one system never share a name.
                                    let mut numbered: BTreeMap<&str, u64> = BTreeMap::new();
                                    for g in systems {
                                        add_type(
                                            &g.system.id,
                                            &g.system.name,
                                            g.system.vendor,
                                            g.system.rack_units,
                                            "gpu-node",
                                            g.system.power_input.as_ref().filter(|p| p.count > 0).map(|p| {
                                                let share = |w: f64| (w / p.count as f64).ceil().clamp(1.0, 1e9) as u64;
                                                PowerPortsView {
                                                    count: p.count,
                                                    maximum_draw_w: share(g.system.power_peak.0),
                                                    allocated_draw_w: share(g.system.power_nominal.0),
                                                }
                                            }),
                                        );
                                        for _ in 0..g.count {
                                            let n = numbered.entry(g.system.id.as_str()).or_insert(0);
                                            *n += 1;
                                            devices.push(DeviceView {
                                                name: names::server_name(&name, &g.system.id, *n),
                                                device_type: g.system.id.clone(),
                                                role: "gpu-node",
                                                position: (u + g.system.rack_units - 1 <= enclosure.rack_units)
                                                    .then_some(u),
                                                gpus: g.system.gpu_count,
                                            });
                                            u += g.system.rack_units;
                                            nodes += g.system.hosts();
                                        }
                                    }
                                    if group.role == crate::ast::RackRole::Network {
                                        let free = enclosure.rack_units.saturating_sub(u - 1);
                                        let (switches, watts) = queue.fill(enclosure, free, u);
                                        devices.extend(switches);
                                        switch_watts = watts;
                                    }
                                    let cooling = match enclosure.cooling {
                                        EnclosureCooling::Air => "air",
                                        EnclosureCooling::Rdhx => "rear-door",
                                        EnclosureCooling::Dlc => "liquid",
                                    };
                                    (enclosure.rack_units, enclosure.max_weight.map(|w| w.0), cooling)
                                }
                            };
                            let circuits = group_circuits.clone();
                            racks.push(RackView {
                                slug: names::rack_label(&name),
                                block: names::block_label(&hall.name.value, &row_name),
                                name,
                                hall: hall.name.value.clone(),
                                hall_slug: hall_slug.clone(),
                                row: row_name.clone(),
                                part: group.part_id().to_string(),
                                rack_scale: matches!(group.contents, RackContents::RackScale(_)),
                                u_height,
                                weight_kg: group.weight().0.round(),
                                max_weight_kg: max_weight.map(f64::round),
                                // `+ 0.0` keeps an empty rack at 0, not the -0 of an empty sum.
                                power_kw: group.power_nominal().kw() + switch_watts / 1e3 + 0.0,
                                cooling,
                                cooling_loop: group
                                    .loop_index
                                    .and_then(|i| site.loops.get(i))
                                    .map(|l| l.name.value.clone()),
                                panel: panel.clone(),
                                devices,
                                trays: trays.0,
                                tray_type: trays.1,
                                tray_gpus: trays.2,
                                circuits,
                            });
                        }
                    }
                }
            }
        }
        for (system, n) in site.gpu_systems() {
            let gpu = &catalog[system.gpu];
            let e = products.entry(system.id.clone()).or_insert_with(|| GpuProduct {
                system: system.id.clone(),
                gpu: gpu.id.clone(),
                vendor: gpu.vendor.as_str(),
                architecture: gpu.architecture.as_str(),
                product_label: product_label(gpu),
                gpus: 0,
                host_gpus: system.host_gpus,
                host_arch: system.host_arch.as_str().to_string(),
                nvlink_domain: system.nvlink_domain,
                rack_scale: system.form == Form::RackScale,
            });
            e.gpus += n * system.gpu_count;
        }
        let gpu_vendor = products.values().next().map(|p| p.vendor);
        let sw = &site.software;
        let software = SoftwareView {
            os: sw.os.as_ref().map(|v| v.value.clone()),
            driver: sw.driver.as_ref().map(|v| v.emitted().to_string()),
            cuda: sw.cuda.as_ref().map(|v| v.version.value.clone()),
            rocm: sw.rocm.as_ref().map(|v| v.version.value.clone()),
            kubernetes: sw.kubernetes.as_ref().map(|v| v.version.value.clone()),
            gpu_operator: sw.gpu_operator.as_ref().map(|v| v.version.value.clone()),
            dra_driver: sw.dra_driver.as_ref().map(|v| v.version.value.clone()),
            serving: sw
                .serving
                .iter()
                .map(|s| ServingView {
                    engine: s.engine.value.clone(),
                    version: s.version.version.value.clone(),
                    backend: s.backend.as_ref().map(|b| b.value.to_string()),
                })
                .collect(),
        };
        let fabrics: Vec<SiteFabric> = factory
            .fabrics
            .iter()
            .zip(&plan.fabrics)
            .enumerate()
            .filter_map(|(fi, (f, fp))| {
                let share = fp.sites.iter().find(|s| s.site == si)?;
                let rdma = f.kind.value == crate::ast::FabricKind::Infiniband || f.role == FabricRole::Compute;
                let vendors = crate::project::network::site_nic_vendors(site, crate::model::nic_role(f.role));
                Some(SiteFabric {
                    name: f.name.value.clone(),
                    slug: names.fabrics.get(fi).cloned().unwrap_or_else(|| slug(&f.name.value)),
                    kind: if f.kind.value == crate::ast::FabricKind::Infiniband { "infiniband" } else { "ethernet" },
                    role: f.role.as_str(),
                    switch: f.switch.map(|(s, _)| s.id.clone()),
                    rdma,
                    nvidia_rdma: rdma && !vendors.is_empty() && vendors.iter().all(|v| *v == NicVendor::Nvidia),
                    nic_vendors: vendors.iter().map(|v| v.as_str()).collect(),
                    endpoints: share.endpoints,
                    leaf: share.clos.switches.leaf,
                    spine: share.clos.switches.spine,
                    core: share.clos.switches.core,
                    leaf_racked: queue.placed(fi, "leaf"),
                    spine_racked: queue.placed(fi, "spine"),
                    core_racked: queue.placed(fi, "core"),
                })
            })
            .collect();
        for f in &factory.fabrics {
            if let Some((s, _)) = f.switch {
                add_type(&s.id, &s.name, s.vendor, s.rack_units, "switch", None);
            }
        }
        let serving = sw.serving.first();
        let vendor = gpu_vendor.unwrap_or("");
        // The engine of the site's first `serving` line, or the catalog's default engine.
        let engine_part = serving
            .and_then(|s| s.version.product)
            .or_else(|| catalog.software_products().find(|s| s.deployment.default_engine));
        let site_rdma = fabrics.iter().any(|f| f.nvidia_rdma);
        let any_rdma = fabrics.iter().any(|f| f.rdma);
        let workloads: Vec<WorkloadView> = factory
            .workloads
            .iter()
            .zip(&plan.workloads)
            .enumerate()
            .filter(|(_, (w, _))| w.system.is_some_and(|s| site.gpu_systems().any(|(x, _)| x.id == s.id)))
            .map(|(wi, (w, p))| {
                let system = w.system;
                let est = p.estimate.as_ref().ok();
                let shape = ReplicaShape::of(w, p);
                let ReplicaShape { replicas, replica, gpus_per_node, nodes, .. } = shape;
                let emitted = names.workloads.get(wi);
                let site_replicas = placement.get(wi).and_then(|v| v.get(si)).copied().unwrap_or(0);
                let tensor = est.map(|e| e.parallelism.tensor).unwrap_or(1);
                let expert = est.map(|e| e.parallelism.expert).unwrap_or(1);
                let engine = serving
                    .map(|s| s.engine.value.clone())
                    .or_else(|| engine_part.map(|e| e.engine.clone().unwrap_or_else(|| e.id.clone())))
                    .unwrap_or_default();
                let engine_version = serving.map(|s| s.version.version.value.clone()).unwrap_or_default();
                let named = serving.and_then(|s| s.backend.as_ref().map(|b| b.value));
                let backend = match engine_part {
                    Some(e) => e.deployment.backend(named, vendor, &engine),
                    None => named.unwrap_or(&engine).to_string(),
                };
                let architecture = system.map(|s| catalog[s.gpu].architecture.as_str()).unwrap_or("");
                let image = engine_part
                    .and_then(|e| e.deployment.image(&engine_version, vendor, architecture, &backend))
                    .unwrap_or_default();
                let kube_name = emitted.map(|n| n.kube_name.clone()).unwrap_or_else(|| names::kube_name(&w.name.value));
                let arch = system.map(|s| s.host_arch.image_arch().to_string()).unwrap_or_else(|| "amd64".into());
                let weights = format!("/models/{}/{}", w.model.id, w.precision.value.as_str());
                let host_gpus = system.map(|s| s.host_gpus).unwrap_or(8).max(1);
                let nvlink_domain = system.map(|s| s.nvlink_domain).unwrap_or(8);
                let rack_scale = system.is_some_and(|s| s.form == Form::RackScale);
                let nvidia_nics =
                    system.and_then(|s| s.nic(NicRole::Compute)).is_some_and(|n| n.vendor == Some(NicVendor::Nvidia));
                let pools: Vec<PoolWorker> = p
                    .disaggregated
                    .iter()
                    .flat_map(|d| [("prefill", &d.prefill), ("decode", &d.decode)])
                    .map(|(role, pool)| {
                        let par = pool.parallelism;
                        let replica_gpus =
                            u64::from(par.tensor.saturating_mul(par.pipeline).saturating_mul(par.expert)).max(1);
                        let nodes = replica_gpus.div_ceil(host_gpus);
                        let multi_node_nvlink = nodes > 1 && rack_scale && replica_gpus <= nvlink_domain;
                        let over_fabric = nodes > 1 && !multi_node_nvlink;
                        let pool_replicas = u64::from(par.data);
                        // The site's share of the workload's placement units is its share of each pool.
                        let site = if replicas > 0 && site_replicas >= replicas {
                            pool_replicas
                        } else {
                            (pool_replicas.saturating_mul(site_replicas) / replicas.max(1))
                                .max(u64::from(site_replicas > 0))
                        };
                        PoolWorker {
                            role,
                            site_replicas: site,
                            replicas: pool_replicas,
                            tensor: par.tensor,
                            pipeline: par.pipeline,
                            expert: par.expert,
                            tensor_expert: u64::from(par.tensor).saturating_mul(u64::from(par.expert)),
                            replica_gpus,
                            gpus_per_node: replica_gpus.min(host_gpus),
                            nodes_per_replica: nodes,
                            multi_node: nodes > 1,
                            multi_node_nvlink,
                            rdma: site_rdma && over_fabric && nvidia_nics,
                            over_rdma_fabric: any_rdma && over_fabric,
                            engine: engine.clone(),
                            backend: backend.clone(),
                            model: w.model.id.clone(),
                            weights: weights.clone(),
                            kube_name: kube_name.clone(),
                            system: system.map(|s| s.id.clone()).unwrap_or_default(),
                            arch: arch.clone(),
                            image: image.clone(),
                        }
                    })
                    .collect();
                let pool_nvlink = pools.iter().any(|x| x.multi_node_nvlink);
                WorkloadView {
                    name: w.name.value.clone(),
                    slug: emitted.map(|n| n.slug.clone()).unwrap_or_else(|| slug(&w.name.value)),
                    model: w.model.id.clone(),
                    model_name: w.model.name.clone(),
                    precision: w.precision.value.as_str(),
                    gpus: w.gpus.value,
                    system: system.map(|s| s.id.clone()).unwrap_or_default(),
                    replicas,
                    tensor,
                    pipeline: est.map(|e| e.parallelism.pipeline).unwrap_or(1),
                    expert,
                    replica_gpus: replica,
                    gpus_per_node,
                    nodes_per_replica: nodes,
                    multi_node: nodes > 1,
                    multi_node_nvlink: shape.multi_node_nvlink(system) || pool_nvlink,
                    over_rdma_fabric: any_rdma && shape.over_fabric(system),
                    rdma: site_rdma
                        && shape.over_fabric(system)
                        && system
                            .and_then(|s| s.nic(NicRole::Compute))
                            .is_some_and(|n| n.vendor == Some(NicVendor::Nvidia)),
                    arch,
                    input_tokens: w.input_tokens.value,
                    output_tokens: w.output_tokens.value,
                    tokens_per_second: est.map(|e| e.tokens_per_second).unwrap_or(0.0),
                    site_replicas,
                    // A disaggregated workload's pods request its pools' GPUs, not whole domains.
                    site_gpus: if pools.is_empty() {
                        site_replicas.saturating_mul(nodes).saturating_mul(gpus_per_node)
                    } else {
                        pools.iter().fold(0u64, |sum, x| {
                            sum.saturating_add(
                                x.site_replicas.saturating_mul(x.nodes_per_replica).saturating_mul(x.gpus_per_node),
                            )
                        })
                    },
                    tensor_expert: u64::from(tensor).saturating_mul(u64::from(expert)),
                    kube_name,
                    weights,
                    image,
                    pools,
                    engine,
                    engine_version,
                    backend,
                }
            })
            .collect();
        let compute_domains = workloads.iter().any(|w| w.multi_node_nvlink && w.site_replicas > 0);
        let loops = site
            .loops
            .iter()
            .map(|l| format!("{} ({} °C)", l.name.value, crate::format::trim(l.supply.value.0)))
            .collect::<Vec<_>>()
            .join(", ");
        sites.push(SiteView {
            name: site.name.value.clone(),
            slug: site_names.map(|n| n.slug.clone()).unwrap_or_else(|| slug(&site.name.value)),
            region: site.region.as_ref().map(|r| r.value.clone()),
            tier: site.tier.as_ref().map(|t| t.value),
            facts: SiteFacts {
                feed_capacity_kw: sp.feed_capacity.kw(),
                feed_total_kw: sp.feed_total.kw(),
                redundancy: site.power.redundancy.value.as_str(),
                pue: site.power.pue,
                peak_pue: site.power.peak_pue,
                it_power_kw: sp.it_power.kw(),
                facility_power_kw: sp.facility_power.kw(),
                liquid_heat_kw: sp.liquid_heat.kw(),
                air_heat_kw: sp.air_heat.kw(),
                air_capacity_kw: sp.air_capacity.kw(),
                cooling_loops: loops,
            },
            halls: site
                .halls
                .iter()
                .enumerate()
                .map(|(hi, h)| HallView {
                    name: h.name.value.clone(),
                    slug: site_names.and_then(|n| n.halls.get(hi)).cloned().unwrap_or_else(|| slug(&h.name.value)),
                })
                .collect(),
            racks,
            power_panels: panels,
            software,
            kubernetes: kubernetes_view(sw.kubernetes.as_ref(), catalog),
            gpu_vendor,
            gpu_products: products.into_values().collect(),
            fabrics,
            workloads,
            nodes,
            rdma: site_rdma,
            compute_domains,
        });
    }
    BuildView {
        schema_version: SCHEMA_VERSION,
        generator: concat!("millwright ", env!("CARGO_PKG_VERSION")),
        factory: FactoryView {
            name: factory.name.value.clone(),
            slug: names.factory.clone(),
            description: factory.description.clone().unwrap_or_default(),
            region: factory.region.as_ref().map(|r| r.value.clone()),
            currency: factory.currency.clone(),
        },
        sites,
        parts: Parts {
            manufacturers: manufacturers.into_values().collect(),
            device_types: device_types.into_values().collect(),
        },
        plan: plan_view,
        cost: crate::render::quote::view(factory, plan),
    }
}
