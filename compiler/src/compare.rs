//! `compare`: the same building with the next generation. One system is swapped for another
//! (`gb200-nvl72=gb300-nvl72`, `hgx-h100-8=hgx-b200-8`); the sites' power and cooling envelopes
//! and floor space stay as they are. The design is adapted the way an integrator would (software
//! raised to the new GPUs' minimums, loop supply lowered to the new systems' window, fewer servers
//! per enclosure where its rating demands, automatic fabric tiers) and then as many of the new
//! racks are kept as every power and cooling check allows. Both designs are planned with the same
//! model, and every change is listed.

use crate::ast::{self, Blueprint};
use crate::catalog::{version_cmp, Catalog, Form, Part, System};
use crate::compile::Session;
use crate::diag::Diagnostics;
use crate::lower::read::Spanned;
pub use crate::render::compare::Comparison;
use crate::render::plan::{view, PlanView};
use std::cmp::Ordering;

/// Why a comparison cannot be made.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareError {
    UnknownSystem(String),
    Incompatible(String),
    NotInBlueprint(String),
    BlueprintHasNoPlan,
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::UnknownSystem(s) => write!(f, "no system `{s}` in the catalog"),
            CompareError::Incompatible(s) => f.write_str(s),
            CompareError::NotInBlueprint(s) => write!(f, "the blueprint has no `{s}` to swap"),
            CompareError::BlueprintHasNoPlan => f.write_str("the blueprint cannot be read far enough to plan it"),
        }
    }
}

fn system<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c System, CompareError> {
    match catalog.get(id) {
        Some(Part::System(s)) => Ok(s),
        _ => Err(CompareError::UnknownSystem(id.to_string())),
    }
}

fn error_codes(session: &Session, bp: &Blueprint) -> (Vec<String>, Option<PlanView>) {
    let mut diags = Diagnostics::new();
    let view = session.analyze(bp, &mut diags).map(|a| view(&a.factory, &a.plan));
    let errors = diags
        .sorted()
        .into_iter()
        .filter(|d| d.severity() == crate::diag::Severity::Error)
        .map(|d| format!("{}: {}", d.code.code, d.message))
        .collect();
    (errors, view)
}

fn has(errors: &[String], prefix: &str) -> bool {
    errors.iter().any(|e| e.starts_with(prefix))
}

/// A copy of `bp` whose swapped rack groups (those with an original count in `originals`, in
/// blueprint order; `None` for the others) keep `f` of their racks; groups scaled to zero go.
fn scaled(bp: &Blueprint, originals: &[Option<u64>], f: f64) -> Blueprint {
    let mut out = bp.clone();
    let mut i = 0;
    for row in out.sites.iter_mut().flat_map(|s| s.halls.iter_mut()).flat_map(|h| h.rows.iter_mut()) {
        for rack in &mut row.racks {
            if let Some(orig) = originals.get(i).copied().flatten() {
                let n = ((orig as f64) * f).floor() as u64;
                rack.count = Some(Spanned::new(n, rack.part.span));
            }
            i += 1;
        }
        row.racks.retain(|r| r.count.as_ref().is_none_or(|c| c.value > 0));
    }
    out
}

/// Compares `bp` with a copy where `old` is replaced by `new`.
pub fn compare(session: &Session, bp: &Blueprint, old: &str, new: &str) -> Result<Comparison, CompareError> {
    let catalog = &session.catalog;
    let (old_sys, new_sys) = (system(catalog, old)?, system(catalog, new)?);
    if old_sys.form != new_sys.form {
        return Err(CompareError::Incompatible(format!(
            "`{old}` is a {} and `{new}` a {}: swap servers for servers, rack-scale systems for rack-scale systems",
            if old_sys.form == Form::Server { "server" } else { "rack-scale system" },
            if new_sys.form == Form::Server { "server" } else { "rack-scale system" }
        )));
    }
    let (_, before) = error_codes(session, bp);
    let before = before.ok_or(CompareError::BlueprintHasNoPlan)?;
    let mut changes = Vec::new();
    let mut next = bp.clone();
    let mut originals: Vec<Option<u64>> = Vec::new();
    let mut found = false;
    let new_gpu = Some(&catalog[new_sys.gpu]);
    for site in &mut next.sites {
        for hall in &mut site.halls {
            for row in &mut hall.rows {
                for rack in &mut row.racks {
                    let mut swapped = false;
                    if rack.part.value == old {
                        rack.part.value = new.to_string();
                        swapped = true;
                    }
                    for sg in &mut rack.systems {
                        if sg.part.value == old {
                            sg.part.value = new.to_string();
                            swapped = true;
                            // Keep the enclosure within its ratings: fewer servers per rack if needed.
                            if let Some(Part::Rack(enc)) = catalog.get(&rack.part.value) {
                                let per_power = (enc.max_power.0 / new_sys.power_nominal.0.max(1.0)).floor() as u64;
                                let air_each = new_sys.power_nominal.0 * (1.0 - new_sys.liquid_fraction);
                                let air_rating = match enc.cooling {
                                    crate::catalog::EnclosureCooling::Rdhx => {
                                        enc.air_heat.0 + enc.liquid_heat.map(|w| w.0).unwrap_or(0.0)
                                    }
                                    crate::catalog::EnclosureCooling::Air | crate::catalog::EnclosureCooling::Dlc => {
                                        enc.air_heat.0
                                    }
                                };
                                let per_air =
                                    if air_each > 0.0 { (air_rating / air_each).floor() as u64 } else { u64::MAX };
                                let fit = per_power.min(per_air).max(1);
                                let had = sg.count.as_ref().map(|c| c.value).unwrap_or(1);
                                if fit < had {
                                    changes.push(format!(
                                        "{} per `{}` rack instead of {had}: the enclosure is rated {} and {} of air heat; each `{new}` draws {}",
                                        fit, enc.id, enc.max_power, crate::units::Watts(air_rating), new_sys.power_nominal
                                    ));
                                    sg.count = Some(Spanned::new(fit, sg.part.span));
                                }
                            }
                        }
                    }
                    found |= swapped;
                    originals.push(swapped.then(|| rack.count.as_ref().map(|c| c.value).unwrap_or(1)));
                }
            }
        }
    }
    if !found {
        return Err(CompareError::NotInBlueprint(old.to_string()));
    }
    changes.dedup();
    // Software: raise the driver and CUDA to what the new GPUs need.
    if let Some(gpu) = new_gpu {
        // The newest branch that supports the architecture, from its first supporting version.
        let driver_min = catalog
            .software("nvidia-driver")
            .and_then(|p| p.releases.iter().rev().find_map(|r| r.min_for(gpu.architecture).map(str::to_string)));
        let mut blocks: Vec<&mut ast::Software> = next.software.iter_mut().collect();
        for site in &mut next.sites {
            if let Some(sw) = site.software.as_mut() {
                blocks.push(sw);
            }
        }
        for sw in blocks {
            if let (Some(d), Some(min)) = (sw.driver.as_mut(), driver_min.as_ref()) {
                let release_ok = catalog
                    .software("nvidia-driver")
                    .and_then(|p| p.release_for(&d.value))
                    .and_then(|r| r.min_for(gpu.architecture).map(str::to_string))
                    .is_some_and(|m| version_cmp(&d.value, &m) != Ordering::Less);
                if !release_ok {
                    changes.push(format!(
                        "driver {} → {min}: the first driver of the newest branch that supports {}",
                        d.value,
                        gpu.architecture.as_str()
                    ));
                    d.value = min.clone();
                }
            }
            if let (Some(c), Some(min)) = (sw.cuda.as_mut(), gpu.min_cuda.as_ref()) {
                if version_cmp(&c.value, min) == Ordering::Less {
                    changes.push(format!(
                        "CUDA {} → {min}: the first CUDA that knows {}",
                        c.value,
                        gpu.architecture.as_str()
                    ));
                    c.value = min.clone();
                }
            }
            // The CUDA toolkit's own driver floor may now be above the driver: raise the driver.
            let floor = sw
                .cuda
                .as_ref()
                .and_then(|c| catalog.software("cuda").and_then(|p| p.release_for(&c.value)))
                .and_then(|r| r.min_driver.as_deref());
            if let (Some(d), Some(floor)) = (sw.driver.as_mut(), floor) {
                if version_cmp(&d.value, floor) == Ordering::Less {
                    changes.push(format!("driver {} → {floor}: the floor of the new CUDA version", d.value));
                    d.value = floor.to_string();
                }
            }
        }
    }
    // Water: lower each loop's supply into the new systems' window.
    if let Some((min, max)) = new_sys.supply_temperature {
        for site in &mut next.sites {
            if let Some(cooling) = site.cooling.as_mut() {
                for l in &mut cooling.loops {
                    let t = l.supply.value.0;
                    if t > max.0 || t < min.0 {
                        let to = t.clamp(min.0, max.0);
                        changes.push(format!(
                            "loop \"{}\" supply {} °C → {} °C: the window of `{new}` is {}–{} °C",
                            l.name.value, t, to, min.0, max.0
                        ));
                        l.supply.value = crate::units::Celsius(to);
                    }
                }
            }
        }
    }
    // Fabrics: a switch that runs at the new systems' port speed, and tiers chosen for the new
    // endpoint count.
    for f in &mut next.fabrics {
        let role = crate::model::nic_role(crate::resolve::fabric_role(f, bp.fabrics.len()));
        let (Some(nic), Some(sw)) = (new_sys.nic(role), f.switch.as_mut()) else { continue };
        let Some(Part::Switch(current)) = catalog.get(&sw.value) else { continue };
        if current.radix_at(nic.speed).is_some() {
            continue;
        }
        let better = catalog
            .parts()
            .filter_map(|p| match p {
                Part::Switch(s)
                    if s.protocol == current.protocol && !s.management && s.radix_at(nic.speed).is_some() =>
                {
                    Some(s)
                }
                _ => None,
            })
            .max_by_key(|s| s.radix_at(nic.speed).map(|m| m.count).unwrap_or(0));
        if let Some(better) = better {
            changes.push(format!(
                "fabric \"{}\": `{}` → `{}`: `{new}` has {} ports, which `{}` cannot run",
                f.name.value, current.id, better.id, nic.speed, current.id
            ));
            sw.value = better.id.clone();
        }
    }
    for f in &mut next.fabrics {
        if let Some(t) = f.topology.as_mut() {
            if t.tiers.take().is_some() {
                changes.push(format!("fabric \"{}\": tiers chosen for the new endpoints", f.name.value));
            }
        }
    }
    // Find the most racks that pass the power and cooling checks.
    let passes = |f: f64| -> (bool, Blueprint) {
        let candidate = scaled(&next, &originals, f);
        let candidate = fit_workloads(&candidate, session);
        let (errors, _) = error_codes(session, &candidate);
        (!(has(&errors, "E04") || has(&errors, "E05")), candidate)
    };
    let (ok_full, full) = passes(1.0);
    // Power and cooling errors of the adapted design at full size are what the search removes.
    let chosen = if ok_full {
        full
    } else {
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        let mut best = scaled(&next, &originals, 0.0);
        for _ in 0..24 {
            let mid = (lo + hi) / 2.0;
            let (ok, bp) = passes(mid);
            if ok {
                lo = mid;
                best = bp;
            } else {
                hi = mid;
            }
        }
        let kept: u64 = count_racks(&best, new);
        let all: u64 = originals.iter().flatten().sum();
        changes.push(format!("{kept} racks with `{new}` where the design had {} per-row rack slots of `{old}` (about {}): more would exceed the power or cooling envelope", all, crate::format::whole_pct(lo)));
        best
    };

    let (remaining_errors, after) = error_codes(session, &chosen);
    let after = after.ok_or(CompareError::BlueprintHasNoPlan)?;
    if after.totals.gpus < before.totals.gpus && !bp.workloads.is_empty() {
        changes.push(format!(
            "workloads scaled to the {} GPUs of the new design (from {})",
            after.totals.gpus, before.totals.gpus
        ));
    }
    Ok(Comparison { old: old.to_string(), new: new.to_string(), before, after, changes, remaining_errors })
}

fn count_racks(bp: &Blueprint, part: &str) -> u64 {
    bp.sites
        .iter()
        .flat_map(|s| &s.halls)
        .flat_map(|h| &h.rows)
        .map(|r| {
            r.count()
                * r.racks
                    .iter()
                    .filter(|k| k.part.value == part || k.systems.iter().any(|s| s.part.value == part))
                    .map(|k| k.count())
                    .sum::<u64>()
        })
        .sum()
}

/// Scales the workloads' GPU counts so they fit the design's GPUs, keeping their shares.
fn fit_workloads(bp: &Blueprint, session: &Session) -> Blueprint {
    let mut out = bp.clone();
    let mut diags = Diagnostics::new();
    let Some(a) = session.analyze(bp, &mut diags) else { return out };
    let have = a.factory.total_gpus();
    let claimed: u64 = out.workloads.iter().filter_map(|w| w.gpus.as_ref()).map(|g| g.value).sum();
    if claimed <= have || claimed == 0 {
        return out;
    }
    let f = have as f64 / claimed as f64;
    for w in &mut out.workloads {
        if let Some(g) = w.gpus.as_mut() {
            g.value = (((g.value as f64) * f).floor() as u64).max(1);
        }
    }
    out
}
