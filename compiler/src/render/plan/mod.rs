//! The `plan` view: every number the checks and projections computed, per site, fabric and
//! workload, with totals. `millwright plan --format json` prints it; the human table is built
//! from the same values.

use crate::model::Factory;
use crate::project::Plan;
use serde::Serialize;

mod human;
pub use human::human;

#[derive(Clone, Debug, Serialize)]
pub struct PlanView {
    pub factory: String,
    pub currency: String,
    pub sites: Vec<SiteView>,
    pub fabrics: Vec<FabricView>,
    pub workloads: Vec<WorkloadView>,
    pub totals: Totals,
}

#[derive(Clone, Debug, Serialize)]
pub struct SiteView {
    pub name: String,
    pub region: Option<String>,
    pub tier: Option<u8>,
    pub racks: u64,
    pub systems: u64,
    pub gpus: u64,
    pub it_power_kw: f64,
    /// Every system at its maximum sustained draw.
    pub it_power_peak_kw: f64,
    pub it_power_idle_kw: f64,
    /// Only where the catalog gives transient figures.
    pub it_power_transient_kw: Option<f64>,
    pub switch_power_kw: f64,
    pub pue: f64,
    pub peak_pue: f64,
    pub facility_power_kw: f64,
    /// Maximum draw × peak PUE: what the feeds are checked against.
    pub facility_power_peak_kw: f64,
    pub facility_power_transient_kw: Option<f64>,
    pub redundancy: &'static str,
    pub feed_total_kw: f64,
    pub feed_capacity_kw: f64,
    pub feed_utilization: f64,
    pub liquid_heat_kw: f64,
    pub air_heat_kw: f64,
    pub air_capacity_kw: f64,
    pub loops: Vec<LoopView>,
    pub weight_kg: f64,
    /// The fabrics' switches in racks of their own.
    pub network_racks: NetworkRacksView,
    /// Rack units taken over the whole site (each rack's systems, switches and PDUs × its count).
    pub rack_units_used: u64,
    /// The heaviest rack's floor load over the site's halls, in kN/m².
    pub max_floor_load_kn_m2: Option<f64>,
    pub halls: Vec<HallFloorView>,
    /// One per `rack` line: its racks' space, weight, floor load and circuits.
    pub rack_groups: Vec<RackGroupView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkRacksView {
    pub switches: u64,
    pub rack_units: u64,
    pub power_kw: f64,
    pub air_heat_kw: f64,
    /// Network racks the blueprint declares (0: none; the plan counts `racks_needed`).
    pub declared: u64,
    pub racks_needed: u64,
    /// The enclosure the racks are counted in.
    pub enclosure: Option<String>,
    /// Switches the declared racks cannot hold.
    pub unplaced: u64,
    pub groups: Vec<SwitchRackView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SwitchRackView {
    pub fabric: String,
    pub tier: &'static str,
    pub switches: u64,
    pub racks: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LinkClassView {
    pub class: &'static str,
    pub links: u64,
    pub max_length_m: f64,
    pub medium: Option<&'static str>,
    pub pinned: bool,
    /// The part whose reach decides, and that reach.
    pub part: Option<String>,
    pub reach_m: Option<f64>,
    pub bins: Vec<LengthBin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LengthBin {
    pub length_m: f64,
    pub links: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct HallFloorView {
    pub name: String,
    /// The floor rating the blueprint states, in kN/m².
    pub floor_load_rating_kn_m2: Option<f64>,
    /// The heaviest rack's weight over its footprint, in kN/m².
    pub max_floor_load_kn_m2: Option<f64>,
    /// The part of the heaviest rack.
    pub heaviest_rack: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RackGroupView {
    pub hall: String,
    pub row: String,
    pub part: String,
    /// Racks of this line (per row × rows).
    pub racks: u64,
    pub rack_units: u64,
    pub rack_units_used: u64,
    pub weight_kg: f64,
    pub max_weight_kg: Option<f64>,
    pub floor_load_kn_m2: Option<f64>,
    pub circuits: Option<RackCircuitsView>,
}

/// The circuits of one rack: its PDUs or a rack-scale system's whips.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RackCircuitsView {
    /// `"pdu"` or `"whip"`.
    pub kind: &'static str,
    /// The PDU part, or the rack-scale system whose whips these are.
    pub part: String,
    /// `false`: the blueprint names no PDU and the plan picked the smallest catalog pair.
    pub declared: bool,
    /// Circuits per rack.
    pub count: u64,
    pub redundancy: &'static str,
    /// Circuits that carry the rack after the failure the redundancy allows.
    pub carrying: u64,
    pub voltage_v: f64,
    pub phases: u64,
    pub breaker_a: f64,
    pub derating: f64,
    pub usable_kw: f64,
    pub load_kw: f64,
    /// Per phase on each carrying circuit at maximum draw after the failure.
    pub amps_per_phase: f64,
    pub amps_limit: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoopView {
    pub name: String,
    pub supply_c: f64,
    pub racks: u64,
    pub heat_kw: f64,
    /// Heat at maximum draw: what the CDUs are checked against.
    pub heat_max_kw: f64,
    /// The largest approach of the loop's CDUs, in kelvin.
    pub approach_k: Option<f64>,
    /// The facility water the blueprint states.
    pub facility_water_c: Option<f64>,
    /// Supply − approach: the warmest facility water the loop can use, and its ASHRAE class.
    pub warmest_facility_water_c: Option<f64>,
    pub water_class: Option<&'static str>,
    pub cdus: u64,
    pub cdu_capacity_total_kw: f64,
    pub cdu_capacity_kw: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Switches {
    pub leaf: u64,
    pub spine: u64,
    pub core: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FabricView {
    pub name: String,
    pub role: &'static str,
    pub switch: Option<String>,
    pub endpoints: u64,
    pub endpoint_speed_gbps: f64,
    pub radix: Option<u64>,
    pub oversubscription: f64,
    pub tiers: u64,
    pub capacity: u64,
    pub switches: Switches,
    pub cables: u64,
    pub transceivers: u64,
    /// Workloads whose traffic the fabric carries, in blueprint order.
    pub carries: Vec<String>,
    /// Workloads run where the fabric is and none sends over it.
    pub idle: bool,
    /// What the fabric's switches, optics and cables add to the bill of materials.
    pub capex: Option<f64>,
    /// Per link class: its lengths and the medium chosen.
    pub links: Vec<LinkClassView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Parallelism {
    pub tensor: u32,
    pub pipeline: u32,
    pub expert: u32,
    pub data: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemoryView {
    pub fits: bool,
    pub gpus_per_replica: u32,
    pub weights_gb: f64,
    pub kv_per_request_gb: f64,
    pub reserve_gb: f64,
    pub needed_gb: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Infeasible {
    pub limit: &'static str,
    pub best: f64,
    pub target: f64,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct WorkloadView {
    pub name: String,
    pub system: String,
    pub model: String,
    pub precision: &'static str,
    pub gpus: u64,
    pub replicas: u32,
    pub parallelism: Option<Parallelism>,
    pub batch: Option<f64>,
    pub tokens_per_second: f64,
    /// p10 and p90 ends of `tokens_per_second`, from the model's held-out errors.
    pub tokens_per_second_low: f64,
    pub tokens_per_second_high: f64,
    /// Whether the band rests on calibration rows of this model and GPU, or extrapolates.
    pub band: &'static str,
    pub tokens_per_second_per_gpu: f64,
    pub ttft_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub bound: Option<&'static str>,
    /// The limit that stops the operating point: compute, memory, p99 TPOT or p99 TTFT.
    pub binding: Option<&'static str>,
    pub speculative: bool,
    pub memory: MemoryView,
    pub infeasible: Option<Infeasible>,
    pub serving: ServingView,
    /// Where the workload runs on its throughput–interactivity frontier.
    pub operating_point: Option<OperatingPoint>,
}

/// The serving mode and, when disaggregated, its pools.
#[derive(Clone, Debug, Serialize)]
pub struct ServingView {
    /// `aggregated` or `disaggregated`.
    pub mode: &'static str,
    /// The blueprint wrote the mode (`serving mode=`); otherwise the search chose it.
    pub pinned: bool,
    pub prefill: Option<PoolView>,
    pub decode: Option<PoolView>,
    /// Prefill GPUs per decode GPU.
    pub ratio: Option<f64>,
    /// `NVLink` or `compute fabric`: the link the KV cache crosses.
    pub kv_link: Option<&'static str>,
    pub kv_gb_per_request: Option<f64>,
    pub kv_gb_per_second: Option<f64>,
    /// What limits the request rate: `prefill pool`, `decode pool` or `KV-cache transfer`.
    pub binding: Option<&'static str>,
    /// The mode not chosen and its output tokens/s, when the search tried it and it was feasible.
    pub other_mode: Option<OtherMode>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PoolView {
    pub gpus: u32,
    pub replicas: u32,
    pub parallelism: Parallelism,
    pub batch: f64,
    pub utilization: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OtherMode {
    pub mode: &'static str,
    pub tokens_per_second: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OperatingPoint {
    /// 1000 / TPOT.
    pub tokens_per_second_per_user: f64,
    pub tokens_per_second_per_gpu: f64,
    /// The most tokens/s per GPU any configuration reaches at this interactivity, TTFT unbounded.
    pub frontier_tokens_per_second_per_gpu: Option<f64>,
}

fn pool_view(p: &crate::project::throughput::disaggregated::Pool) -> PoolView {
    PoolView {
        gpus: p.gpus,
        replicas: p.parallelism.data,
        parallelism: Parallelism {
            tensor: p.parallelism.tensor,
            pipeline: p.parallelism.pipeline,
            expert: p.parallelism.expert,
            data: p.parallelism.data,
        },
        batch: p.batch,
        utilization: p.utilisation,
    }
}

fn serving_view(w: &crate::project::workloads::WorkloadPlan) -> ServingView {
    let d = w.disaggregated.as_ref();
    ServingView {
        mode: w.mode.name(),
        pinned: w.mode_pinned,
        prefill: d.map(|d| pool_view(&d.prefill)),
        decode: d.map(|d| pool_view(&d.decode)),
        ratio: d.map(|d| d.ratio()),
        kv_link: d.map(|d| d.kv_link.name()),
        kv_gb_per_request: d.map(|d| d.kv_bytes_per_request / 1e9),
        kv_gb_per_second: d.map(|d| d.kv_bytes_per_second / 1e9),
        binding: d.map(|d| d.binding.name()),
        other_mode: w.other_mode.map(|(m, t)| OtherMode { mode: m.name(), tokens_per_second: t }),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    pub racks: u64,
    pub gpus: u64,
    pub it_power_kw: f64,
    pub facility_power_kw: f64,
    pub tokens_per_second: f64,
    pub tokens_per_second_low: f64,
    pub tokens_per_second_high: f64,
    /// Output tokens/s over every GPU of the factory (idle ones included).
    pub tokens_per_second_per_gpu: f64,
    /// Output tokens/s per MW of facility power at peak PUE.
    pub tokens_per_second_per_mw: f64,
}

fn kw(w: crate::units::Watts) -> f64 {
    w.0 / 1e3
}

/// To one decimal, as floor loads are quoted.
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// One entry per run of identical racks in a row: a row written rack by rack reads as one line.
fn rack_groups(phys: &crate::project::physical::SitePhysical) -> Vec<RackGroupView> {
    let mut out: Vec<RackGroupView> = Vec::new();
    for g in &phys.groups {
        let rack = &g.rack;
        let view = RackGroupView {
            hall: g.hall.name.value.clone(),
            row: g.row.name.value.clone(),
            part: g.group.part_id().to_string(),
            racks: g.row.count.saturating_mul(g.group.per_row),
            rack_units: rack.available,
            rack_units_used: rack.used,
            weight_kg: rack.weight.0,
            max_weight_kg: rack.max_weight.map(|w| w.0),
            floor_load_kn_m2: rack.floor_load.map(|l| round1(l.kn_m2())),
            circuits: rack.circuits.map(|c| RackCircuitsView {
                kind: match c.feeder {
                    crate::project::circuits::Feeder::Pdus { .. } => "pdu",
                    crate::project::circuits::Feeder::Whips { .. } => "whip",
                },
                part: c.part_id().to_string(),
                declared: !c.chosen(),
                count: c.count,
                redundancy: c.redundancy.as_str(),
                carrying: c.carrying,
                voltage_v: c.voltage.0,
                phases: c.phases,
                breaker_a: c.breaker.0,
                derating: c.derating,
                usable_kw: kw(c.usable()),
                load_kw: kw(c.load),
                amps_per_phase: round1(c.amps_needed().0),
                amps_limit: round1(c.amps_limit().0),
            }),
        };
        let mut view = view;
        let racks = view.racks;
        match out.last_mut() {
            Some(last) => {
                view.racks = last.racks;
                if view == *last {
                    last.racks = last.racks.saturating_add(racks);
                } else {
                    view.racks = racks;
                    out.push(view);
                }
            }
            None => out.push(view),
        }
    }
    out
}

pub fn view(factory: &Factory, plan: &Plan) -> PlanView {
    let sites: Vec<SiteView> = factory
        .sites
        .iter()
        .zip(&plan.sites)
        .enumerate()
        .map(|(i, (s, p))| {
            let phys = crate::project::physical::site(factory.catalog, s);
            SiteView {
                name: s.name.value.clone(),
                region: s.region.as_ref().map(|r| r.value.clone()),
                tier: s.tier.as_ref().map(|t| t.value),
                racks: p.racks,
                systems: p.systems,
                gpus: p.gpus,
                it_power_kw: kw(p.it_power),
                it_power_peak_kw: kw(p.it_power_peak),
                it_power_idle_kw: kw(p.it_power_idle),
                it_power_transient_kw: p.it_power_transient.map(kw),
                switch_power_kw: kw(p.switch_power),
                pue: s.power.pue,
                peak_pue: s.power.peak_pue,
                facility_power_kw: kw(p.facility_power),
                facility_power_peak_kw: kw(p.facility_power_max),
                facility_power_transient_kw: p.facility_power_transient.map(kw),
                redundancy: s.power.redundancy.value.as_str(),
                feed_total_kw: kw(p.feed_total),
                feed_capacity_kw: kw(p.feed_capacity),
                feed_utilization: if p.feed_capacity.0 > 0.0 { p.feed_utilization() } else { 0.0 },
                liquid_heat_kw: kw(p.liquid_heat),
                air_heat_kw: kw(p.air_heat),
                air_capacity_kw: kw(p.air_capacity),
                loops: s
                    .loops
                    .iter()
                    .zip(&p.loops)
                    .map(|(l, lp)| LoopView {
                        name: l.name.value.clone(),
                        supply_c: l.supply.value.0,
                        racks: lp.racks,
                        heat_kw: kw(lp.heat()),
                        heat_max_kw: kw(lp.heat_max()),
                        approach_k: lp.approach,
                        facility_water_c: lp.facility_water.map(|f| f.0),
                        warmest_facility_water_c: lp.warmest_facility_water().map(|w| w.0),
                        water_class: lp.water_class().map(|c| c.as_str()),
                        cdus: lp.cdu_count,
                        cdu_capacity_total_kw: kw(lp.cdu_capacity_total),
                        cdu_capacity_kw: kw(lp.cdu_capacity),
                    })
                    .collect(),
                weight_kg: p.weight.0,
                network_racks: network_racks_view(factory, plan.network_racks.get(i)),
                rack_units_used: phys.rack_units_used,
                halls: s
                    .halls
                    .iter()
                    .zip(&phys.heaviest)
                    .map(|(h, top)| HallFloorView {
                        name: h.name.value.clone(),
                        floor_load_rating_kn_m2: h.floor_load.as_ref().map(|f| round1(f.value.kn_m2())),
                        max_floor_load_kn_m2: top.map(|(l, _)| round1(l.kn_m2())),
                        heaviest_rack: top.and_then(|(_, i)| phys.groups.get(i)).map(|g| g.group.part_id().to_string()),
                    })
                    .collect(),
                max_floor_load_kn_m2: phys.max_floor_load().map(|l| round1(l.kn_m2())),
                rack_groups: rack_groups(&phys),
            }
        })
        .collect();
    let fabrics = plan
        .fabrics
        .iter()
        .zip(&plan.traffic)
        .enumerate()
        .map(|(fi, (f, t))| FabricView {
            name: f.name.clone(),
            role: f.role,
            switch: f.switch_id.clone(),
            endpoints: f.endpoints,
            endpoint_speed_gbps: f.endpoint_speed.0 / 1e9,
            radix: f.radix,
            oversubscription: f.oversubscription,
            tiers: f.tiers,
            capacity: f.capacity,
            switches: Switches { leaf: f.switches.leaf, spine: f.switches.spine, core: f.switches.core },
            cables: f.cables,
            transceivers: f.transceivers,
            carries: {
                let mut names: Vec<String> = Vec::new();
                for flow in &t.flows {
                    if let Some(w) = factory.workloads.get(flow.workload) {
                        if !names.contains(&w.name.value) {
                            names.push(w.name.value.clone());
                        }
                    }
                }
                names
            },
            idle: t.idle(),
            capex: t.capex,
            links: plan.links.get(fi).map(|l| l.classes.iter().map(link_class_view).collect()).unwrap_or_default(),
        })
        .collect();
    let workloads: Vec<WorkloadView> = plan
        .workloads
        .iter()
        .map(|w| {
            let e = w.estimate.as_ref().ok();
            let m = &w.memory;
            WorkloadView {
                name: w.name.clone(),
                system: w.system.clone(),
                model: w.model.clone(),
                precision: w.precision.as_str(),
                gpus: w.gpus,
                replicas: e.map(|e| e.replicas).unwrap_or(0),
                parallelism: e.map(|e| Parallelism {
                    tensor: e.parallelism.tensor,
                    pipeline: e.parallelism.pipeline,
                    expert: e.parallelism.expert,
                    data: e.parallelism.data,
                }),
                batch: e.map(|e| e.batch),
                tokens_per_second: e.map(|e| e.tokens_per_second).unwrap_or(0.0),
                tokens_per_second_low: e.map(|e| w.band.ends(e.tokens_per_second).0).unwrap_or(0.0),
                tokens_per_second_high: e.map(|e| w.band.ends(e.tokens_per_second).1).unwrap_or(0.0),
                band: w.band.coverage.name(),
                tokens_per_second_per_gpu: e.map(|e| e.tokens_per_second_per_gpu).unwrap_or(0.0),
                ttft_ms: e.map(|e| e.ttft_ms),
                tpot_ms: e.map(|e| e.tpot_ms),
                bound: e.map(|e| e.bound.name()),
                binding: e.map(|e| e.binding.name()),
                speculative: e.is_some_and(|e| e.speculative),
                memory: MemoryView {
                    fits: m.fits,
                    gpus_per_replica: m.gpus_per_replica,
                    weights_gb: m.weight_bytes / 1e9,
                    kv_per_request_gb: m.kv_bytes_per_request / 1e9,
                    reserve_gb: m.reserve_bytes / 1e9,
                    needed_gb: m.needed_bytes / 1e9,
                },
                infeasible: w.estimate.as_ref().err().map(|i| Infeasible {
                    limit: match i.limit {
                        crate::project::throughput::Limit::Ttft => "ttft",
                        crate::project::throughput::Limit::Tpot => "tpot",
                        crate::project::throughput::Limit::Memory => "memory",
                    },
                    best: i.best,
                    target: i.target,
                    // A written disaggregated mode that cannot work says why, not the memory fit.
                    message: match &w.disaggregated_error {
                        Some(why) => format!("disaggregated serving cannot work: {why}"),
                        None => i.to_string(),
                    },
                }),
                serving: serving_view(w),
                operating_point: e.filter(|e| e.tpot_ms > 0.0).map(|e| OperatingPoint {
                    tokens_per_second_per_user: 1e3 / e.tpot_ms,
                    tokens_per_second_per_gpu: e.tokens_per_second_per_gpu,
                    frontier_tokens_per_second_per_gpu: w.frontier_at_operating_point,
                }),
            }
        })
        .collect();
    // Summed in `project` so the quote reads the very same numbers.
    let h = crate::project::headline(plan);
    let totals = Totals {
        racks: h.racks,
        gpus: h.gpus,
        it_power_kw: h.it_power_kw,
        facility_power_kw: h.facility_power_kw,
        tokens_per_second: h.tokens_per_second,
        tokens_per_second_low: h.tokens_per_second_low,
        tokens_per_second_high: h.tokens_per_second_high,
        tokens_per_second_per_gpu: h.tokens_per_second_per_gpu,
        tokens_per_second_per_mw: h.tokens_per_second_per_mw,
    };
    PlanView {
        factory: factory.name.value.clone(),
        currency: factory.currency.clone(),
        sites,
        fabrics,
        workloads,
        totals,
    }
}

fn network_racks_view(factory: &Factory, n: Option<&crate::project::network_racks::NetworkRacks>) -> NetworkRacksView {
    let Some(n) = n else {
        return NetworkRacksView {
            switches: 0,
            rack_units: 0,
            power_kw: 0.0,
            air_heat_kw: 0.0,
            declared: 0,
            racks_needed: 0,
            enclosure: None,
            unplaced: 0,
            groups: Vec::new(),
        };
    };
    NetworkRacksView {
        switches: n.switches,
        rack_units: n.rack_units,
        power_kw: kw(n.power),
        air_heat_kw: kw(n.air_heat),
        declared: n.declared_racks,
        racks_needed: n.racks_needed,
        enclosure: n.enclosure.clone(),
        unplaced: n.unplaced,
        groups: n
            .groups
            .iter()
            .map(|g| SwitchRackView {
                fabric: factory.fabrics.get(g.fabric).map(|f| f.name.value.clone()).unwrap_or_default(),
                tier: g.tier.as_str(),
                switches: g.count,
                racks: g.racks,
            })
            .collect(),
    }
}

fn link_class_view(c: &crate::project::layout::LinkClass) -> LinkClassView {
    LinkClassView {
        class: c.kind.as_str(),
        links: c.links,
        max_length_m: c.max_m,
        medium: c.medium.map(|m| m.catalog_name()),
        pinned: c.pinned,
        part: c.part.clone(),
        reach_m: c.reach_m,
        bins: c.bins.iter().map(|(l, n)| LengthBin { length_m: *l, links: *n }).collect(),
    }
}
