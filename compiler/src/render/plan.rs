//! The `plan` view: every number the checks and projections computed, per site, fabric and
//! workload, with totals. `millwright plan --format json` prints it; the human table is built
//! from the same values.

use crate::format::{count, decimals, money, num, power_kw, trim, whole_pct};
use crate::model::Factory;
use crate::project::Plan;
use crate::units::{Money, Rounding};
use serde::Serialize;
use std::fmt::Write;

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
    pub tokens_per_second_per_gpu: f64,
    pub ttft_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub bound: Option<&'static str>,
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
    /// Output tokens/s over every GPU of the factory (idle ones included).
    pub tokens_per_second_per_gpu: f64,
    /// Output tokens/s per MW of facility power at peak PUE.
    pub tokens_per_second_per_mw: f64,
}

fn kw(w: crate::units::Watts) -> f64 {
    w.0 / 1e3
}

pub fn view(factory: &Factory, plan: &Plan) -> PlanView {
    let sites: Vec<SiteView> = factory
        .sites
        .iter()
        .zip(&plan.sites)
        .map(|(s, p)| SiteView {
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
        })
        .collect();
    let fabrics = plan
        .fabrics
        .iter()
        .zip(&plan.traffic)
        .map(|(f, t)| FabricView {
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
                tokens_per_second_per_gpu: e.map(|e| e.tokens_per_second_per_gpu).unwrap_or(0.0),
                ttft_ms: e.map(|e| e.ttft_ms),
                tpot_ms: e.map(|e| e.tpot_ms),
                bound: e.map(|e| e.bound.name()),
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

/// The human-readable plan.
pub fn human(v: &PlanView) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "factory {}", v.factory);
    for s in &v.sites {
        let _ = writeln!(o, "\nsite {}{}", s.name, s.tier.map(|t| format!(" (tier {t})")).unwrap_or_default());
        let _ = writeln!(
            o,
            "  racks {}   systems {}   GPUs {}   weight {} t",
            count(s.racks as f64),
            count(s.systems as f64),
            count(s.gpus as f64),
            trim(s.weight_kg / 1e3)
        );
        let _ = writeln!(
            o,
            "  IT power        {} at maximum draw, {} nominal, {} idle{} (switches {})",
            power_kw(s.it_power_peak_kw),
            power_kw(s.it_power_kw),
            power_kw(s.it_power_idle_kw),
            s.it_power_transient_kw.map(|t| format!(", {} in a transient", power_kw(t))).unwrap_or_default(),
            power_kw(s.switch_power_kw)
        );
        let _ = writeln!(
            o,
            "  facility power  {} at maximum draw, {} nominal, at peak PUE {}; annual PUE {}",
            power_kw(s.facility_power_peak_kw),
            power_kw(s.facility_power_kw),
            s.peak_pue,
            s.pue
        );
        let _ = writeln!(
            o,
            "  feeds           {} installed, {} after failure ({}); load {} at maximum draw",
            power_kw(s.feed_total_kw),
            power_kw(s.feed_capacity_kw),
            s.redundancy,
            whole_pct(s.feed_utilization)
        );
        let _ = writeln!(
            o,
            "  heat            {} to liquid, {} to air (air capacity {})",
            power_kw(s.liquid_heat_kw),
            power_kw(s.air_heat_kw),
            power_kw(s.air_capacity_kw)
        );
        for l in &s.loops {
            let _ = writeln!(
                o,
                "  loop {:<10} {} °C, {} racks, {} heat at maximum draw ({} nominal); {} CDUs: {} after redundancy ({} used)",
                l.name,
                l.supply_c,
                l.racks,
                power_kw(l.heat_max_kw),
                power_kw(l.heat_kw),
                l.cdus,
                power_kw(l.cdu_capacity_kw),
                whole_pct(if l.cdu_capacity_kw > 0.0 { l.heat_max_kw / l.cdu_capacity_kw } else { 0.0 })
            );
            if let (Some(approach), Some(warmest)) = (l.approach_k, l.warmest_facility_water_c) {
                let class =
                    l.water_class.map(|c| format!("ASHRAE {c}")).unwrap_or_else(|| "colder than ASHRAE W17".into());
                let stated =
                    l.facility_water_c.map(|f| format!("; facility water stated {} °C", trim(f))).unwrap_or_default();
                let _ = writeln!(
                    o,
                    "       {:<10} facility water at most {} °C ({class}) at the CDUs' {} K approach{stated}",
                    "",
                    trim(warmest),
                    trim(approach)
                );
            }
        }
    }
    if !v.fabrics.is_empty() {
        let _ = writeln!(o, "\nfabrics");
        for f in &v.fabrics {
            let _ = writeln!(
                o,
                "  {:<12} {:<8} {} endpoints at {}G on {}: {} tier(s), {} leaf / {} spine / {} core, {} cables, {} transceivers",
                f.name,
                f.role,
                count(f.endpoints as f64),
                f.endpoint_speed_gbps,
                f.switch.as_deref().unwrap_or("?"),
                f.tiers,
                f.switches.leaf,
                f.switches.spine,
                f.switches.core,
                count(f.cables as f64),
                count(f.transceivers as f64)
            );
            if f.idle {
                let price = f
                    .capex
                    .map(|a| format!(", {}", money(&Money::rounded(a, v.currency.as_str(), Rounding::Whole))))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "               idle: no workload sends over it (adds {} switches{price})",
                    f.switches.leaf + f.switches.spine + f.switches.core
                );
            }
        }
    }
    if !v.workloads.is_empty() {
        let _ = writeln!(o, "\nworkloads");
        for w in &v.workloads {
            match (&w.parallelism, &w.infeasible) {
                (Some(p), _) => {
                    let _ = writeln!(
                        o,
                        "  {:<12} {} {} on {} × {}: {} replicas of TP{}×PP{}×EP{}, batch {}; {} tokens/s ({} per GPU), TTFT {} ms, TPOT {} ms, {}-bound",
                        w.name,
                        w.model,
                        w.precision,
                        count(w.gpus as f64),
                        w.system,
                        count(p.data as f64),
                        p.tensor,
                        p.pipeline,
                        p.expert,
                        decimals(w.batch.unwrap_or(0.0), 0),
                        count(w.tokens_per_second),
                        count(w.tokens_per_second_per_gpu),
                        decimals(w.ttft_ms.unwrap_or(0.0), 0),
                        decimals(w.tpot_ms.unwrap_or(0.0), 1),
                        w.bound.unwrap_or("?")
                    );
                    let _ = writeln!(o, "{}", serving_line(&w.serving));
                    if let Some(op) = &w.operating_point {
                        let frontier = op
                            .frontier_tokens_per_second_per_gpu
                            .map(|f| format!("; frontier at that interactivity: {}", count(f)))
                            .unwrap_or_default();
                        let _ = writeln!(
                            o,
                            "               operating point: {} tok/s/user, {} tok/s/GPU{frontier}",
                            decimals(op.tokens_per_second_per_user, 0),
                            count(op.tokens_per_second_per_gpu)
                        );
                    }
                }
                (None, Some(i)) => {
                    let _ = writeln!(
                        o,
                        "  {:<12} {} {} on {} × {}: infeasible: {}",
                        w.name,
                        w.model,
                        w.precision,
                        count(w.gpus as f64),
                        w.system,
                        i.message
                    );
                }
                _ => {}
            }
        }
    }
    let t = &v.totals;
    let _ = writeln!(o, "\ntotals");
    let _ = writeln!(
        o,
        "  racks {}   GPUs {}   IT {}   facility {}",
        count(t.racks as f64),
        count(t.gpus as f64),
        power_kw(t.it_power_kw),
        power_kw(t.facility_power_kw)
    );
    let _ = writeln!(
        o,
        "  {} output tokens/s   {} per GPU   {} per MW of facility power",
        count(t.tokens_per_second),
        count(t.tokens_per_second_per_gpu),
        count(t.tokens_per_second_per_mw)
    );
    o
}

/// `serving: disaggregated (chosen; aggregated: 2,708,290 tokens/s): prefill 1,152 GPUs …`.
fn serving_line(s: &ServingView) -> String {
    let how = if s.pinned { "written".to_string() } else { "chosen".to_string() };
    let other = s
        .other_mode
        .as_ref()
        .map(|m| format!("; {}: {} tokens/s", m.mode, count(m.tokens_per_second)))
        .unwrap_or_default();
    let mut line = format!("               serving: {} ({how}{other})", s.mode);
    if let (Some(p), Some(d)) = (&s.prefill, &s.decode) {
        let pool = |name: &str, v: &PoolView| {
            format!(
                "{name} {} GPUs ({} × TP{}×PP{}×EP{}, {} busy)",
                count(f64::from(v.gpus)),
                count(f64::from(v.replicas)),
                v.parallelism.tensor,
                v.parallelism.pipeline,
                v.parallelism.expert,
                whole_pct(v.utilization)
            )
        };
        line.push_str(&format!(
            "\n               {}, {}; prefill:decode 1:{}; KV {} GB/s over {}; bound by the {}",
            pool("prefill", p),
            pool("decode", d),
            decimals(1.0 / s.ratio.unwrap_or(1.0).max(1e-9), 2),
            num(s.kv_gb_per_second.unwrap_or(0.0)),
            s.kv_link.unwrap_or("?"),
            s.binding.unwrap_or("?")
        ));
    }
    line
}
