//! E0306, E0307, E0308: the names the build targets emit (`crate::names`) are unique per target
//! and kind, within the targets' limits, and not reserved. Names of one kind that share a slug
//! (`Hall A` and `hall-a`) are E0301 in `resolve`; this check covers the names joined from several
//! user names or changed on the way out: racks (`<hall>-<row>-<nn>`), Kubernetes workload names,
//! the serving namespace, and the NetBox name lengths (NetBox rejects a longer name, and
//! Terraform and `kubectl` reject or silently merge two objects of one name).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::{Factory, RackContents, RowGroup, Site};
use crate::names;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    workloads(cx, diags);
    for site in &cx.factory.sites {
        racks(site, diags);
        lengths(site, diags);
    }
    fabric_lengths(cx, diags);
    namespace(cx, diags);
    factory_lengths(cx.factory, diags);
}

/// Workloads whose Kubernetes names are equal although their slugs differ (`1chat` and
/// `w-1chat`): one Deployment, Service and queue would silently replace the other.
fn workloads(cx: &CheckCtx, diags: &mut Diagnostics) {
    let emitted = &cx.plan.names.workloads;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (w, n)) in cx.factory.workloads.iter().zip(emitted).enumerate() {
        let Some(&first) = seen.get(n.kube_name.as_str()) else {
            seen.insert(&n.kube_name, i);
            continue;
        };
        let (Some(fw), Some(fname)) = (cx.factory.workloads.get(first), emitted.get(first)) else { continue };
        if fname.slug == n.slug {
            // Equal slugs are E0301, reported by `resolve`.
            continue;
        }
        let suggestion = (2u32..)
            .map(|k| format!("{}-{k}", w.name.value))
            .find(|c| !seen.contains_key(names::kube_name(c).as_str()))
            .unwrap_or_default();
        diags.push(
            Diagnostic::new(
                codes::E0306,
                format!(
                    "workloads \"{}\" and \"{}\" would both be the Kubernetes objects named `{}`",
                    fw.name.value, w.name.value, n.kube_name
                ),
            )
            .label(w.name.span, format!("named `{}` in Kubernetes", n.kube_name))
            .label(fw.name.span, format!("also named `{}`", fname.kube_name))
            .help(format!(
                "a workload's Kubernetes name is its slug, with `w-` before a leading digit and at most {} \
                 characters; rename one of them, for example to \"{suggestion}\"",
                names::KUBE_OBJECT_MAX
            )),
        );
    }
}

/// One row of a site, for comparing rack names: its hall, its row group and its index there.
#[derive(Clone, Copy)]
struct RowRef {
    hall: usize,
    group: usize,
    index: u64,
}

fn row_of<'s, 'a>(site: &'s Site<'a>, r: RowRef) -> Option<(&'s crate::model::Hall<'a>, &'s RowGroup<'a>)> {
    let hall = site.halls.get(r.hall)?;
    Some((hall, hall.rows.get(r.group)?))
}

/// The key two rows' racks collide on: every rack label is the slug of `<hall>-<row>-<nn>`, whose
/// last part is the rack number, so two rows share rack labels exactly when their prefixes share
/// a slug (the slug of a prefix with no letter or digit is empty, and its racks are labelled by
/// number alone).
fn rack_key(hall: &str, row: &str) -> String {
    names::slug_unshortened(&names::rack_prefix(hall, row))
}

/// Racks of different rows with one name (`A` + `B-C` and `A-B` + `C` both give `A-B-C-01`) or
/// one Kubernetes label (`A` and `a`). Only the hash of each row's key is kept for the whole site,
/// so a site of a million rows costs a few tens of megabytes, not its expansion into racks.
fn racks(site: &Site, diags: &mut Diagnostics) {
    // The rows of one row group differ in their number, so they never collide with each other: a
    // site of one row group (however large its count) has nothing to compare.
    if site.halls.iter().map(|h| h.rows.len()).sum::<usize>() < 2 {
        return;
    }
    let mut rows: Vec<(u64, RowRef)> = Vec::new();
    for (hi, hall) in site.halls.iter().enumerate() {
        for (gi, group) in hall.rows.iter().enumerate() {
            if group.racks.iter().all(|g| g.per_row == 0) {
                continue;
            }
            for i in 0..group.count {
                let key = rack_key(&hall.name.value, &group.row_name(i));
                rows.push((names::stable_hash(&key), RowRef { hall: hi, group: gi, index: i }));
            }
        }
    }
    rows.sort_by_key(|(h, r)| (*h, r.hall, r.group, r.index));
    // Each row is compared with the first row of its hash: linear, however many rows collide.
    let mut reported: BTreeSet<(usize, usize, usize, usize)> = BTreeSet::new();
    let mut first: Option<(u64, RowRef)> = None;
    for &(hash, b) in &rows {
        let a = match first {
            Some((h, a)) if h == hash => a,
            _ => {
                first = Some((hash, b));
                continue;
            }
        };
        if reported.contains(&(a.hall, a.group, b.hall, b.group)) {
            continue;
        }
        if let Some(d) = rack_collision(site, a, b, &rows) {
            reported.insert((a.hall, a.group, b.hall, b.group));
            diags.push(d);
        }
    }
}

fn rack_collision(site: &Site, a: RowRef, b: RowRef, rows: &[(u64, RowRef)]) -> Option<Diagnostic> {
    let (ha, ga) = row_of(site, a)?;
    let (hb, gb) = row_of(site, b)?;
    let (ra, rb) = (ga.row_name(a.index), gb.row_name(b.index));
    if rack_key(&ha.name.value, &ra) != rack_key(&hb.name.value, &rb) {
        return None;
    }
    if a.hall == b.hall && ra == rb {
        // The same row twice in one hall is E0301, reported by `resolve`.
        return None;
    }
    let (na, nb) = (names::rack_name(&ha.name.value, &ra, 1), names::rack_name(&hb.name.value, &rb, 1));
    let (what, shared) = if na == nb {
        ("the NetBox rack name (and Terraform key)", na.clone())
    } else {
        ("the Kubernetes rack label", names::rack_label(&na))
    };
    // A new name for the second row group that no row of the site spells yet.
    let taken = |key: &str| {
        let h = names::stable_hash(key);
        rows.binary_search_by_key(&h, |(x, _)| *x).is_ok()
    };
    let suggestion = (2u32..)
        .map(|k| format!("{}{k}", gb.name.value))
        .find(|c| {
            // The renamed group's rows, named as `RowGroup::row_name` names them (the first few
            // suffice: a clash would show in its first row).
            let probe = RowGroup {
                name: crate::lower::read::Spanned { value: c.clone(), span: gb.name.span },
                count: gb.count,
                racks: Vec::new(),
                span: gb.span,
            };
            (0..gb.count.min(64)).all(|i| !taken(&rack_key(&hb.name.value, &probe.row_name(i))))
        })
        .unwrap_or_default();
    Some(
        Diagnostic::new(
            codes::E0306,
            format!(
                "hall \"{}\" row \"{ra}\" and hall \"{}\" row \"{rb}\" give their racks the same names: \
                 both have {what} `{shared}`",
                ha.name.value, hb.name.value
            ),
        )
        .label(gb.name.span, format!("rack `{nb}` of hall \"{}\"", hb.name.value))
        .label(ga.name.span, format!("rack `{na}` of hall \"{}\"", ha.name.value))
        .help(format!(
            "racks are named `<hall>-<row>-<nn>` and labelled with its lower-case slug; rename row \"{}\" of hall \
             \"{}\", for example to \"{suggestion}\"",
            gb.name.value, hb.name.value
        )),
    )
}

/// The serving namespace (the factory's slug) must not be one Kubernetes or the target's operators
/// own: applying the target would relabel and later delete their objects with the factory's.
fn namespace(cx: &CheckCtx, diags: &mut Diagnostics) {
    let ns = cx.plan.names.factory.as_str();
    if !names::is_reserved_namespace(ns) {
        return;
    }
    let name = &cx.factory.name.value;
    let suggestion = [format!("{name} factory"), format!("factory {name}")]
        .into_iter()
        .find(|c| !names::is_reserved_namespace(&names::slug(c)))
        .unwrap_or_default();
    diags.push(
        Diagnostic::new(
            codes::E0308,
            format!(
                "the factory \"{}\" would serve from the reserved Kubernetes namespace `{ns}`",
                cx.factory.name.value
            ),
        )
        .label(cx.factory.name.span, format!("its slug `{ns}` is the serving namespace"))
        .help(format!(
            "`{}` and every `kube-` name are Kubernetes' own namespaces or those of the operators the target \
             installs; rename the factory, for example to \"{suggestion}\" (namespace `{}`)",
            names::RESERVED_NAMESPACES.join("`, `"),
            names::slug(&suggestion)
        )),
    );
}

/// A NetBox name longer than NetBox stores.
struct TooLong {
    kind: &'static str,
    example: String,
    limit: usize,
}

impl TooLong {
    fn check(kind: &'static str, example: String, limit: usize) -> Option<TooLong> {
        (example.chars().count() > limit).then_some(TooLong { kind, example, limit })
    }

    fn excess(&self) -> usize {
        self.example.chars().count().saturating_sub(self.limit)
    }

    /// `what` is the user's name the emitted one starts with; `None` when the emitted name is the
    /// user's name itself.
    fn diagnostic(self, what: Option<&str>, span: Span, also: Option<(Span, String)>) -> Diagnostic {
        let len = self.example.chars().count();
        let message = match what {
            Some(what) => format!(
                "{what} gives the NetBox {} `{}`, {len} characters; NetBox allows {}",
                self.kind, self.example, self.limit
            ),
            None => format!(
                "the NetBox {} \"{}\" is {len} characters; NetBox allows {}",
                self.kind, self.example, self.limit
            ),
        };
        let label = if what.is_some() {
            format!("{len} characters with what is joined to it")
        } else {
            format!("{len} characters")
        };
        let mut d = Diagnostic::new(codes::E0307, message).label(span, label);
        if let Some((s, m)) = also {
            d = d.label(s, m);
        }
        d.help(format!(
            "shorten the {} by at least {} characters (NetBox stores a {} in at most {} characters)",
            if what.is_some() { "names" } else { "name" },
            self.excess(),
            self.kind,
            self.limit
        ))
    }
}

fn factory_lengths(factory: &Factory, diags: &mut Diagnostics) {
    if let Some(t) = TooLong::check("tenant name", factory.name.value.clone(), names::NETBOX_NAME_MAX) {
        diags.push(t.diagnostic(None, factory.name.span, None));
    }
    if let Some(desc) = &factory.description {
        let len = desc.chars().count();
        if len > names::NETBOX_DESCRIPTION_MAX {
            diags.push(
                Diagnostic::new(
                    codes::E0307,
                    format!(
                        "the factory's description is {len} characters; NetBox allows {} in the tenant's description",
                        names::NETBOX_DESCRIPTION_MAX
                    ),
                )
                .label(factory.name.span, "the factory whose description is too long")
                .help(format!(
                    "shorten the description by at least {} characters; longer notes belong in comments",
                    len - names::NETBOX_DESCRIPTION_MAX
                )),
            );
        }
    }
}

/// NetBox name lengths of a site: the site, its halls and power panels, and for each row group
/// the longest name among its racks, their devices and circuits (one diagnostic per row group,
/// for the name furthest over its limit).
fn lengths(site: &Site, diags: &mut Diagnostics) {
    if let Some(t) = TooLong::check("site name", site.name.value.clone(), names::NETBOX_NAME_MAX) {
        diags.push(t.diagnostic(None, site.name.span, None));
    }
    for hall in &site.halls {
        let worst = [
            TooLong::check("location name", hall.name.value.clone(), names::NETBOX_NAME_MAX),
            TooLong::check("power panel name", names::panel_name(&hall.name.value), names::NETBOX_NAME_MAX),
        ];
        if let Some(t) = worst.into_iter().flatten().max_by_key(TooLong::excess) {
            let what = format!("hall \"{}\"", hall.name.value);
            let verbatim = t.example == hall.name.value;
            diags.push(t.diagnostic((!verbatim).then_some(what.as_str()), hall.name.span, None));
            // Every rack of the hall would repeat the same report.
            continue;
        }
        for row in &hall.rows {
            let Some(last) = row.count.checked_sub(1) else { continue };
            // The widest row number and rack number give the longest names.
            let row_name = row.row_name(last);
            let per_row: u64 = row.racks.iter().map(|g| g.per_row).sum();
            if per_row == 0 {
                continue;
            }
            let rack = names::rack_name(&hall.name.value, &row_name, per_row);
            let mut worst = vec![TooLong::check("rack name", rack.clone(), names::NETBOX_NAME_MAX)];
            for group in &row.racks {
                match &group.contents {
                    RackContents::RackScale(s) => {
                        worst.push(TooLong::check(
                            "device name",
                            names::tray_name(&rack, s.hosts()),
                            names::NETBOX_DEVICE_NAME_MAX,
                        ));
                    }
                    RackContents::Enclosure { systems, .. } => {
                        let mut per_system: BTreeMap<&str, u64> = BTreeMap::new();
                        for g in systems {
                            *per_system.entry(g.system.id.as_str()).or_insert(0) += g.count;
                        }
                        for (id, n) in per_system {
                            worst.push(TooLong::check(
                                "device name",
                                names::server_name(&rack, id, n),
                                names::NETBOX_DEVICE_NAME_MAX,
                            ));
                        }
                    }
                }
                let circuits: u64 = group
                    .systems()
                    .filter_map(|(s, n)| {
                        let pi = s.power_input.as_ref()?;
                        Some(if matches!(group.contents, RackContents::RackScale(_)) {
                            pi.count
                        } else {
                            pi.count.saturating_mul(n)
                        })
                    })
                    .sum();
                if circuits > 0 {
                    worst.push(TooLong::check(
                        "power feed name",
                        names::circuit_name(&rack, circuits),
                        names::NETBOX_NAME_MAX,
                    ));
                }
            }
            if let Some(t) = worst.into_iter().flatten().max_by_key(TooLong::excess) {
                diags.push(t.diagnostic(
                    Some(&format!("row \"{}\" of hall \"{}\"", row.name.value, hall.name.value)),
                    row.name.span,
                    Some((hall.name.span, "the hall's name is the start of every rack's name".to_string())),
                ));
            }
        }
    }
}

/// Fabric switches are NetBox devices named `<fabric>-<tier><nn>` in each site the fabric serves;
/// the longest name over every site is reported once per fabric.
fn fabric_lengths(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (f, fp) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics) {
        if f.switch.is_none() {
            continue;
        }
        let worst = fp
            .sites
            .iter()
            .flat_map(|share| {
                let s = &share.clos.switches;
                [("leaf", s.leaf), ("spine", s.spine), ("core", s.core)]
            })
            .filter(|(_, n)| *n > 0)
            .filter_map(|(tier, n)| {
                TooLong::check("device name", names::switch_name(&f.name.value, tier, n), names::NETBOX_DEVICE_NAME_MAX)
            })
            .max_by_key(TooLong::excess);
        if let Some(t) = worst {
            diags.push(t.diagnostic(Some(&format!("fabric \"{}\"", f.name.value)), f.name.span, None));
        }
    }
}
