//! The human-readable form of the plan view: the table `millwright plan` prints, made from the
//! same values as its JSON.

use super::*;
use crate::format::{count, decimals, money, num, power_kw, trim, whole_pct};
use crate::units::{Money, Rounding};
use std::fmt::Write;

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
        let _ = writeln!(o, "  rack units      {} used", count(s.rack_units_used as f64));
        for h in &s.halls {
            if let (Some(load), Some(part)) = (h.max_floor_load_kn_m2, &h.heaviest_rack) {
                let rating = h
                    .floor_load_rating_kn_m2
                    .map(|r| format!(" (floor rated {} kN/m²)", trim(r)))
                    .unwrap_or_else(|| " (no floor rating stated)".to_string());
                let _ = writeln!(o, "  hall {:<10} heaviest rack {} kN/m² ({part}){rating}", h.name, trim(load));
            }
        }
        for g in &s.rack_groups {
            let Some(c) = &g.circuits else { continue };
            let chosen = if c.declared { "" } else { ", picked by the plan: the smallest catalog pair" };
            let _ = writeln!(
                o,
                "  racks {}/{} × {} {}: {}U of {}U; {} × {} {} ({}{chosen}), {} V {}-phase {} A breakers; {} A per phase at maximum draw after a failure (limit {} A)",
                g.hall,
                g.row,
                count(g.racks as f64),
                g.part,
                g.rack_units_used,
                g.rack_units,
                c.count,
                c.part,
                c.kind,
                c.redundancy,
                trim(c.voltage_v),
                c.phases,
                trim(c.breaker_a),
                trim(c.amps_per_phase),
                trim(c.amps_limit)
            );
        }
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
        let n = &s.network_racks;
        if n.switches > 0 {
            let placed = if n.declared > 0 {
                format!("{} declared", count(n.declared as f64))
            } else {
                "none declared, not in the floor plan".to_string()
            };
            let _ = writeln!(
                o,
                "  network racks   {} switches ({} U, {}) in {} racks of {} ({placed})",
                count(n.switches as f64),
                count(n.rack_units as f64),
                power_kw(n.power_kw),
                count(n.racks_needed as f64),
                n.enclosure.as_deref().unwrap_or("?")
            );
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
            for c in &f.links {
                let reach = match (&c.part, c.reach_m) {
                    (Some(p), Some(r)) => format!(" ({p}, reach {} m)", trim(r)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    o,
                    "               {:<10} {} links up to {} m: {}{reach}",
                    c.class,
                    count(c.links as f64),
                    decimals(c.max_length_m, 1),
                    c.medium.unwrap_or("no medium reaches")
                );
            }
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
                        "  {:<12} {} {} on {} GPUs of {}: {} replicas of TP{}×PP{}×EP{}, batch {}; {} tokens/s (p10–p90: {}–{}{}; {} per GPU), TTFT {} ms, TPOT {} ms, {}-bound, limited by {}",
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
                        count(w.tokens_per_second_low),
                        count(w.tokens_per_second_high),
                        if w.band == "calibrated" { String::new() } else { format!(", {}", w.band) },
                        count(w.tokens_per_second_per_gpu),
                        decimals(w.ttft_ms.unwrap_or(0.0), 0),
                        decimals(w.tpot_ms.unwrap_or(0.0), 1),
                        w.bound.unwrap_or("?"),
                        w.binding.unwrap_or("?")
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
                        "  {:<12} {} {} on {} GPUs of {}: infeasible: {}",
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
        "  {} output tokens/s (p10–p90: {}–{})   {} per GPU   {} per MW of facility power",
        count(t.tokens_per_second),
        count(t.tokens_per_second_low),
        count(t.tokens_per_second_high),
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
