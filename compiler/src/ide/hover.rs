//! Hover text: for a part id, the catalog entry's key figures, the lines it is written in and the
//! sources its comments give; for a site, loop, fabric or workload, what the plan computed for it.

use crate::catalog::{Catalog, Form, Part};
use crate::format::{count, money, power_kw, trim, whole_pct};
use crate::render::plan::PlanView;
use crate::source::SourceMap;

/// At most this many lines of a catalog entry (and of its leading comments) are shown.
const MAX_LINES: usize = 24;

/// Markdown for a part id, or `None` when the catalog has no such part.
pub fn part(catalog: &Catalog, sources: &SourceMap, id: &str) -> Option<String> {
    let part = catalog.get(id)?;
    let mut out = format!("**{}** — {} `{}`\n\n", part.name(), part.kind(), part.id());
    for line in key_figures(catalog, part) {
        out.push_str(&format!("- {line}\n"));
    }
    if let Some(price) = part.price() {
        out.push_str(&format!("- price: {} (estimate, {})\n", money(&price.amount), price.date));
    }
    let span = part.span();
    if let Some(file) = sources.get(span.file) {
        let text: &str = &file.text;
        let head_line = file.line_index(span.start);
        let lines: Vec<&str> = text.lines().collect();
        // The comment block above the part's node: where its figures come from.
        let above = lines.get(..head_line).unwrap_or(&[]);
        let first_comment = above.iter().rposition(|l| !l.trim_start().starts_with("//")).map_or(0, |i| i + 1);
        let sources: Vec<&str> = above.get(first_comment..).unwrap_or(&[]).iter().map(|l| l.trim()).collect();
        // The node itself, down to its closing brace at the start of a line; comment lines left out.
        let mut body = Vec::new();
        for (i, l) in lines.get(head_line..).unwrap_or(&[]).iter().enumerate() {
            if !l.trim_start().starts_with("//") {
                body.push(*l);
            }
            if *l == "}" || (i == 0 && !l.trim_end().ends_with('{')) {
                break;
            }
        }
        if !body.is_empty() {
            out.push_str("\n```kdl\n");
            for l in body.iter().take(MAX_LINES) {
                out.push_str(l);
                out.push('\n');
            }
            if body.len() > MAX_LINES {
                out.push_str(&format!("// … {} more lines\n", body.len() - MAX_LINES));
            }
            out.push_str("```\n");
        }
        if !sources.is_empty() {
            out.push_str("\nSources (from the catalog file):\n\n");
            for l in sources.iter().take(MAX_LINES) {
                out.push_str(&format!("> {}\n", l.trim_start_matches('/').trim()));
            }
        }
        out.push_str(&format!("\n`{}`\n", file.name));
    }
    Some(out)
}

/// The figures an integrator looks at first, per kind.
fn key_figures(catalog: &Catalog, part: &Part) -> Vec<String> {
    match part {
        Part::System(s) => {
            let gpu = &catalog[s.gpu];
            let form = match s.form {
                Form::RackScale => "rack-scale system",
                Form::Server => "server",
            };
            vec![
                format!("{form}: {} × {} ({} GPUs per host)", s.gpu_count, gpu.name, s.host_gpus),
                format!("NVLink / scale-up domain: {} GPUs", s.nvlink_domain),
                format!(
                    "power: nominal {}, maximum {}, idle {}",
                    power_kw(s.power_nominal.0 / 1e3),
                    power_kw(s.power_peak.0 / 1e3),
                    power_kw(s.power_idle.0 / 1e3)
                ),
                format!(
                    "cooling: {} to liquid, {} to air",
                    whole_pct(s.liquid_fraction),
                    whole_pct(1.0 - s.liquid_fraction)
                ),
                format!("weight: {} kg, {} U", count(s.weight.0), s.rack_units),
            ]
        }
        Part::Gpu(g) => vec![
            format!("memory: {} GB, {} TB/s", trim(g.memory.0 / 1e9), trim(g.memory_bandwidth.0 / 1e12)),
            format!("power: {}", power_kw(g.power.0 / 1e3)),
        ],
        Part::Whip(w) => vec![format!("circuit: {} V, {}-phase, {} A", trim(w.voltage.0), w.phases, trim(w.current.0))],
        Part::Rack(_)
        | Part::Switch(_)
        | Part::Cdu(_)
        | Part::Transceiver(_)
        | Part::Cable(_)
        | Part::Pdu(_)
        | Part::Model(_)
        | Part::Software(_)
        | Part::Service(_)
        | Part::Finance(_) => Vec::new(),
    }
}

/// Markdown for a site of the plan.
pub fn site(plan: &PlanView, name: &str) -> Option<String> {
    let s = plan.sites.iter().find(|s| s.name == name)?;
    let mut out = format!("**site `{}`**\n\n", s.name);
    out.push_str(&format!(
        "- {} racks, {} systems, {} GPUs\n",
        count(s.racks as f64),
        count(s.systems as f64),
        count(s.gpus as f64)
    ));
    out.push_str(&format!(
        "- IT power: {} nominal, {} maximum; facility {} (PUE {}), {} at peak PUE {}\n",
        power_kw(s.it_power_kw),
        power_kw(s.it_power_peak_kw),
        power_kw(s.facility_power_kw),
        trim(s.pue),
        power_kw(s.facility_power_peak_kw),
        trim(s.peak_pue)
    ));
    out.push_str(&format!(
        "- feeds: {} usable after {} redundancy (of {} installed), {} used at peak\n",
        power_kw(s.feed_capacity_kw),
        s.redundancy,
        power_kw(s.feed_total_kw),
        whole_pct(s.feed_utilization)
    ));
    out.push_str(&format!(
        "- heat: {} to liquid, {} to air (air capacity {})\n",
        power_kw(s.liquid_heat_kw),
        power_kw(s.air_heat_kw),
        power_kw(s.air_capacity_kw)
    ));
    Some(out)
}

/// Markdown for a loop of a site of the plan.
pub fn cooling_loop(plan: &PlanView, site: &str, name: &str) -> Option<String> {
    let s = plan.sites.iter().find(|s| s.name == site)?;
    let l = s.loops.iter().find(|l| l.name == name)?;
    let mut out = format!("**loop `{}`** in site `{}`\n\n", l.name, s.name);
    out.push_str(&format!("- supply {} °C, {} racks\n", trim(l.supply_c), count(l.racks as f64)));
    out.push_str(&format!("- heat: {} nominal, {} at maximum draw\n", power_kw(l.heat_kw), power_kw(l.heat_max_kw)));
    out.push_str(&format!(
        "- CDUs: {}, {} after redundancy (of {} installed)\n",
        l.cdus,
        power_kw(l.cdu_capacity_kw),
        power_kw(l.cdu_capacity_total_kw)
    ));
    if let (Some(w), Some(class)) = (l.warmest_facility_water_c, l.water_class) {
        out.push_str(&format!("- warmest usable facility water: {} °C ({class})\n", trim(w)));
    }
    Some(out)
}

/// Markdown for a fabric of the plan.
pub fn fabric(plan: &PlanView, name: &str) -> Option<String> {
    let f = plan.fabrics.iter().find(|f| f.name == name)?;
    let mut out = format!("**fabric `{}`** ({})\n\n", f.name, f.role);
    if let Some(switch) = &f.switch {
        out.push_str(&format!("- switch `{switch}`\n"));
    }
    out.push_str(&format!(
        "- {} endpoints at {} Gb/s, {} tiers, oversubscription {}:1\n",
        count(f.endpoints as f64),
        trim(f.endpoint_speed_gbps),
        f.tiers,
        trim(f.oversubscription)
    ));
    out.push_str(&format!(
        "- switches: {} leaf, {} spine, {} core; {} cables, {} transceivers\n",
        count(f.switches.leaf as f64),
        count(f.switches.spine as f64),
        count(f.switches.core as f64),
        count(f.cables as f64),
        count(f.transceivers as f64)
    ));
    if !f.carries.is_empty() {
        out.push_str(&format!("- carries: {}\n", f.carries.join(", ")));
    }
    Some(out)
}

/// Markdown for a workload of the plan.
pub fn workload(plan: &PlanView, name: &str) -> Option<String> {
    let w = plan.workloads.iter().find(|w| w.name == name)?;
    let mut out = format!("**workload `{}`**: `{}` at {} on `{}`\n\n", w.name, w.model, w.precision, w.system);
    out.push_str(&format!(
        "- {} output tokens/s ({} per GPU) on {} GPUs in {} replicas\n",
        count(w.tokens_per_second),
        trim(w.tokens_per_second_per_gpu),
        count(w.gpus as f64),
        w.replicas
    ));
    if let Some(p) = &w.parallelism {
        out.push_str(&format!(
            "- parallelism: TP {} × PP {} × EP {} × DP {}\n",
            p.tensor, p.pipeline, p.expert, p.data
        ));
    }
    if let (Some(ttft), Some(tpot)) = (w.ttft_ms, w.tpot_ms) {
        out.push_str(&format!("- TTFT {} ms, TPOT {} ms\n", trim(ttft), trim(tpot)));
    }
    if let Some(bound) = w.bound {
        out.push_str(&format!("- binding limit: {bound}\n"));
    }
    out.push_str(&format!(
        "- memory: {} GB needed per replica of {} GPUs ({})\n",
        trim(w.memory.needed_gb),
        w.memory.gpus_per_replica,
        if w.memory.fits { "fits" } else { "does not fit" }
    ));
    if let Some(i) = &w.infeasible {
        out.push_str(&format!("- infeasible: {}\n", i.message));
    }
    Some(out)
}
