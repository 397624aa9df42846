//! Resolution: binds every name (sites, loops, fabrics, workloads) and every part id against the
//! catalog, applies the language's defaults and produces `model::Factory`. It reports E02 (catalog)
//! and E03 (structure) diagnostics and the W0701 unknown-version warning.

use crate::ast::{self, FabricKind, FabricRole, Redundancy, TopologyKind};
use crate::catalog::{Catalog, Form, Part};
use crate::diag::{codes, did_you_mean, Diagnostic, Diagnostics};
use crate::lower::read::Spanned;
use crate::model::*;
use crate::source::Span;
use std::collections::BTreeMap;

mod quote;
mod software;

/// The most racks a blueprint may expand to; larger is an E0303 error rather than a slow build.
pub const MAX_RACKS: u64 = 2_000_000;
/// The most GPUs a blueprint may expand to.
pub const MAX_GPUS: u64 = 50_000_000;

struct Resolver<'a, 'd> {
    catalog: &'a Catalog,
    diags: &'d mut Diagnostics,
    unresolved: bool,
}

/// The catalog's software products the version nodes of a `software` block name, by node.
const SOFTWARE_PRODUCTS: &[(&str, &[&str])] = &[
    ("driver", &["nvidia-driver"]),
    ("cuda", &["cuda"]),
    ("rocm", &["rocm"]),
    ("kubernetes", &["kubernetes"]),
    // NVIDIA's operator, or AMD's where the site's GPUs are AMD's.
    ("gpu-operator", &["gpu-operator", "amd-gpu-operator"]),
    ("dra-driver", &["nvidia-dra-driver"]),
];

/// The catalog product a version node names: the first of its row, or the second (AMD's
/// operator) when `amd`.
fn software_product(node: &str, amd: bool) -> &'static str {
    let products = software_products(node);
    let pick = if amd { products.get(1) } else { None };
    pick.or(products.first()).copied().unwrap_or("")
}

/// Every catalog product a version node of a `software` block can name (an editor offers their
/// releases).
pub fn software_products(node: &str) -> &'static [&'static str] {
    SOFTWARE_PRODUCTS.iter().find(|(n, _)| *n == node).map_or(&[], |(_, p)| p)
}

/// Resolves a lowered blueprint. Returns `None` only when there is no factory to speak of.
pub fn resolve<'a>(bp: &ast::Blueprint, catalog: &'a Catalog, diags: &mut Diagnostics) -> Option<Factory<'a>> {
    let mut r = Resolver { catalog, diags, unresolved: false };
    // Without a factory node (reported by lowering) the rest is still resolved and checked, so one
    // missing line does not hide every other error.
    let placeholder;
    let factory = match bp.factory.as_ref() {
        Some(f) => f,
        None => {
            let span = bp.sites.first().map(|s| Span { file: s.span.file, start: 0, end: 0 })?;
            placeholder = ast::Factory {
                name: Spanned::new(String::new(), span),
                description: None,
                region: None,
                currency: Spanned::new("USD".to_string(), span),
                currency_source: ast::CurrencySource::Default,
                span,
            };
            &placeholder
        }
    };
    let top_software = bp.software.clone().unwrap_or_default();
    r.check_unique("site", bp.sites.iter().map(|s| &s.name), "the factory");
    r.check_unique("fabric", bp.fabrics.iter().map(|f| &f.name), "the factory");
    r.check_unique("workload", bp.workloads.iter().map(|w| &w.name), "the factory");
    let sites: Vec<Site> = bp.sites.iter().map(|s| r.site(s, &top_software)).collect();
    let too_large = r.check_expansion(&sites);
    let fabrics = bp.fabrics.iter().map(|f| r.fabric(f, &bp.sites, bp.fabrics.len())).collect();
    let main_system = most_numerous_system(&sites);
    let workloads = bp.workloads.iter().filter_map(|w| r.workload(w, main_system)).collect();
    let quote = r.quote(bp.quote.as_ref());
    Some(Factory {
        catalog,
        name: factory.name.clone(),
        description: factory.description.as_ref().map(|d| d.value.clone()),
        region: factory.region.clone(),
        currency: factory.currency.value.clone(),
        sites,
        fabrics,
        workloads,
        quote,
        too_large,
        parts_unresolved: r.unresolved || bp.site_counts_rejected,
        span: factory.span,
    })
}

/// A fabric's role as written, or the default: an InfiniBand fabric, or the only fabric, is the
/// compute fabric; any other is a frontend fabric.
pub fn fabric_role(f: &ast::Fabric, fabric_count: usize) -> FabricRole {
    f.role.as_ref().map(|r| r.value).unwrap_or(if f.kind.value == FabricKind::Infiniband || fabric_count == 1 {
        FabricRole::Compute
    } else {
        FabricRole::Frontend
    })
}

/// The GPU system with the most GPUs in the factory: what workloads run on.
fn most_numerous_system<'a>(sites: &[Site<'a>]) -> Option<&'a crate::catalog::System> {
    let mut gpus: BTreeMap<&str, (u64, &'a crate::catalog::System)> = BTreeMap::new();
    for site in sites {
        for hall in &site.halls {
            for row in &hall.rows {
                for rack in &row.racks {
                    for (system, n) in rack.systems() {
                        let total =
                            n.saturating_mul(rack.per_row).saturating_mul(row.count).saturating_mul(system.gpu_count);
                        let e = gpus.entry(system.id.as_str()).or_insert((0, system));
                        e.0 = e.0.saturating_add(total);
                    }
                }
            }
        }
    }
    gpus.into_values()
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, s)| (*n, std::cmp::Reverse(s.id.clone())))
        .map(|(_, s)| s)
}

impl<'a> Resolver<'a, '_> {
    fn check_unique<'n>(&mut self, what: &str, names: impl Iterator<Item = &'n Spanned<String>>, scope: &str) {
        // Names must also differ after slugging (NetBox slugs, Kubernetes names): `Hall A` and
        // `hall-a` would collide in every target.
        let mut seen: BTreeMap<String, (Span, String)> = BTreeMap::new();
        for n in names {
            let key = crate::names::rules::slug(&n.value);
            if let Some((first, first_name)) = seen.get(&key).filter(|(_, f)| *f != n.value) {
                self.diags.push(
                    Diagnostic::new(
                        codes::E0301,
                        format!("{what} names \"{}\" and \"{}\" differ only in case or punctuation", first_name, n.value),
                    )
                    .label(n.span, "this one")
                    .label(*first, "and this one")
                    .help(format!("NetBox slugs and Kubernetes names would both be `{key}`; make the names differ in letters or digits")),
                );
                continue;
            }
            if let Some((first, _)) = seen.get(&key) {
                self.diags.push(
                    Diagnostic::new(codes::E0301, format!("{what} \"{}\" is defined twice in {scope}", n.value))
                        .label(n.span, "defined again here")
                        .label(*first, "first defined here")
                        .help(format!("{what} names are unique within {scope}; rename one of them")),
                );
            } else {
                seen.insert(key, (n.span, n.value.clone()));
            }
        }
    }

    fn unknown_part(&mut self, what: &str, id: &Spanned<String>, kinds: &[&str]) {
        self.unresolved = true;
        let candidates: Vec<&str> = kinds.iter().flat_map(|k| self.catalog.ids_of_kind(k)).collect();
        let mut help = did_you_mean(&id.value, candidates.iter().copied());
        if help.is_none() {
            let mut some: Vec<&str> = candidates.clone();
            some.truncate(8);
            help = Some(format!(
                "the catalog's {} parts are: {}; `millwright catalog list` shows them all",
                kinds.join("/"),
                some.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let mut d = Diagnostic::new(codes::E0201, format!("unknown {what} `{}`", id.value))
            .label(id.span, "not in the catalog");
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    fn wrong_kind(&mut self, what: &str, id: &Spanned<String>, part: &Part, help: String) {
        self.unresolved = true;
        self.diags.push(
            Diagnostic::new(codes::E0202, format!("`{}` is a {} part, not {what}", id.value, part.kind()))
                .label(id.span, format!("a {}", part.kind()))
                .help(help),
        );
    }

    fn site(&mut self, s: &ast::Site, top: &ast::Software) -> Site<'a> {
        let power = self.power(s);
        let mut loops = Vec::new();
        let mut air = None;
        if let Some(c) = &s.cooling {
            self.check_unique("loop", c.loops.iter().map(|l| &l.name), &format!("site \"{}\"", s.name.value));
            for l in &c.loops {
                loops.push(self.cooling_loop(l));
            }
            air = c.air.clone();
        }
        self.check_unique("hall", s.halls.iter().map(|h| &h.name), &format!("site \"{}\"", s.name.value));
        let halls: Vec<Hall> = s.halls.iter().map(|h| self.hall(h, s, &loops)).collect();
        if !s.has_rack_nodes && !s.halls.is_empty() {
            self.diags.push(
                Diagnostic::new(codes::W0302, format!("site \"{}\" has no racks", s.name.value))
                    .label(s.name.span, "no `hall { row { rack … } }` here")
                    .help("add halls with rows of racks, or remove the site"),
            );
        }
        let software = self.software(top, s.software.as_ref(), &halls);
        Site {
            name: s.name.clone(),
            region: s.region.clone(),
            tier: s.tier.clone(),
            power,
            loops,
            air_capacity: air,
            air_unknown: s.cooling.as_ref().is_none_or(|c| c.air_unreadable),
            cooling_span: s.cooling.as_ref().map(|c| c.span),
            halls,
            software,
            span: s.span,
        }
    }

    fn power(&mut self, s: &ast::Site) -> Power {
        let Some(p) = &s.power else {
            return Power {
                feeds: Vec::new(),
                redundancy: Spanned::new(Redundancy::N, s.span),
                pue: ast::DEFAULT_PUE,
                peak_pue: ast::DEFAULT_PUE,
                energy_price_per_kwh: None,
                energy_price_rejected: false,
                incomplete: true,
                span: s.span,
            };
        };
        self.check_unique("feed", p.feeds.iter().map(|f| &f.name), &format!("site \"{}\"", s.name.value));
        let mut sides_invalid = false;
        let mut feeds: Vec<Feed> = p
            .feeds
            .iter()
            .map(|f| Feed {
                name: f.name.clone(),
                capacity: f.capacity.clone(),
                side: f.side.as_ref().and_then(|s| FeedSide::parse(s.value)),
                span: f.span,
            })
            .collect();
        if p.redundancy.value == Redundancy::TwoN && !p.incomplete {
            let with_side = feeds.iter().filter(|f| f.side.is_some()).count();
            if with_side == 0 && feeds.len() == 2 {
                if let Some(f) = feeds.get_mut(0) {
                    f.side = Some(FeedSide::A);
                }
                if let Some(f) = feeds.get_mut(1) {
                    f.side = Some(FeedSide::B);
                }
            } else if with_side == 0 {
                let mut d = Diagnostic::new(
                    codes::E0305,
                    format!(
                        "2N redundancy needs two sides, but the {} feeds of site \"{}\" say no `side=`",
                        feeds.len(),
                        s.name.value
                    ),
                )
                .label(p.redundancy.span, "2N here");
                for f in &feeds {
                    d = d.label(f.name.span, "which side?");
                }
                self.diags.push(
                    d.help("give every feed `side=\"A\"` or `side=\"B\"`, or give exactly two feeds (one per side)"),
                );
                sides_invalid = true;
            } else if with_side < feeds.len() {
                let mut d = Diagnostic::new(
                    codes::E0305,
                    format!("under 2N every feed needs a side; {} of {} have one", with_side, feeds.len()),
                )
                .label(p.redundancy.span, "2N here");
                for f in feeds.iter().filter(|f| f.side.is_none()) {
                    d = d.label(f.name.span, "no side");
                }
                self.diags.push(d.help("add `side=\"A\"` or `side=\"B\"` to each feed"));
                sides_invalid = true;
            } else {
                for side in FeedSide::BOTH {
                    if !feeds.iter().any(|f| f.side == Some(side)) {
                        sides_invalid = true;
                        self.diags.push(
                            Diagnostic::new(
                                codes::E0305,
                                format!("2N redundancy, but no feed is on side {}", side.as_str()),
                            )
                            .label(p.redundancy.span, "2N here")
                            .help(format!(
                                "2N means two independent sides; put at least one feed on side {}",
                                side.as_str()
                            )),
                        );
                    }
                }
            }
        }
        Power {
            feeds,
            redundancy: p.redundancy.clone(),
            pue: p.pue(),
            peak_pue: p.peak_pue(),
            energy_price_per_kwh: p.energy_price.as_ref().map(|e| e.per_kwh.clone()),
            energy_price_rejected: p.energy_price_rejected,
            incomplete: p.incomplete || sides_invalid,
            span: p.span,
        }
    }

    fn cooling_loop(&mut self, l: &ast::Loop) -> Loop<'a> {
        let mut cdus = Vec::new();
        for g in &l.cdus {
            match self.catalog.get(&g.part.value) {
                Some(Part::Cdu(cdu)) => {
                    cdus.push(CduGroup { cdu, count: g.count.value, redundancy: g.redundancy.clone(), span: g.span })
                }
                Some(other) => {
                    let other = other.clone();
                    self.wrong_kind("a CDU", &g.part, &other, self.list_help("cdu"));
                }
                None => self.unknown_part("CDU", &g.part, &["cdu"]),
            }
        }
        let incomplete = cdus.len() < l.cdus.len();
        Loop {
            name: l.name.clone(),
            supply: l.supply.clone(),
            return_temp: l.return_temp.clone(),
            facility_water: l.facility_water.clone(),
            cdus,
            incomplete,
            span: l.span,
        }
    }

    fn list_help(&self, kind: &str) -> String {
        let ids: Vec<String> = self.catalog.ids_of_kind(kind).take(6).map(|i| format!("`{i}`")).collect();
        format!("use a {kind} part such as {}", ids.join(", "))
    }

    fn hall(&mut self, h: &ast::Hall, site: &ast::Site, loops: &[Loop<'a>]) -> Hall<'a> {
        // Row names are unique within the hall after expansion (`row "A" count=9` is A01…A09).
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut expanded: u64 = 0;
        // One row node cannot collide with itself (its names differ in their number), so a hall
        // of one row group skips the expansion, which is the cost of a hall of a million rows.
        let single = h.rows.len() == 1;
        for row in h.rows.iter().filter(|_| !single) {
            expanded = expanded.saturating_add(row.count());
            if expanded > MAX_RACKS {
                break;
            }
            let group = RowGroup { name: row.name.clone(), count: row.count(), racks: Vec::new(), span: row.span };
            for i in 0..group.count {
                let name = group.row_name(i);
                if let Some(first) = seen.get(&name) {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E0301,
                            format!("row \"{name}\" is defined twice in hall \"{}\"", h.name.value),
                        )
                        .label(
                            row.name.span,
                            if group.count > 1 {
                                format!("expands to \"{name}\" here")
                            } else {
                                "defined again here".to_string()
                            },
                        )
                        .label(*first, "first defined here")
                        .help("row names are unique within a hall; `row \"A\" count=9` makes rows A01 to A09"),
                    );
                    break;
                }
                seen.insert(name, row.name.span);
            }
        }
        let rows = h
            .rows
            .iter()
            .map(|row| {
                let racks = row.racks.iter().filter_map(|rg| self.rack_group(rg, site, loops)).collect();
                RowGroup { name: row.name.clone(), count: row.count(), racks, span: row.span }
            })
            .collect();
        let floor_load = h.floor_load.as_ref().map(|f| Spanned::new(crate::units::Pascals(f.value), f.span));
        Hall {
            name: h.name.clone(),
            rack_width: h.rack_width.as_ref().map(|w| w.value).unwrap_or(crate::ast::DEFAULT_RACK_WIDTH_M),
            row_pitch: h.row_pitch.as_ref().map(|p| p.value).unwrap_or(crate::ast::DEFAULT_ROW_PITCH_M),
            floor_load,
            rows,
            span: h.span,
        }
    }

    fn rack_group(&mut self, rg: &ast::RackGroup, site: &ast::Site, loops: &[Loop<'a>]) -> Option<RackGroup<'a>> {
        let loop_index = rg.loop_ref.as_ref().and_then(|name| {
            let found = loops.iter().position(|l| l.name.value == name.value);
            if found.is_none() {
                let known: Vec<&str> = loops.iter().map(|l| l.name.value.as_str()).collect();
                let mut d = Diagnostic::new(
                    codes::E0302,
                    format!("no loop \"{}\" in site \"{}\"", name.value, site.name.value),
                )
                .label(name.span, "unknown loop");
                d = match did_you_mean(&name.value, known.iter().copied()) {
                    Some(h) => d.help(h),
                    None if known.is_empty() => d.help(format!(
                        "site \"{}\" defines no loops; add `cooling {{ loop \"{}\" supply=(C)35 {{ … }} }}`",
                        site.name.value, name.value
                    )),
                    None => d.help(format!(
                        "the loops of site \"{}\" are {}",
                        site.name.value,
                        known.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
                    )),
                };
                self.diags.push(d);
            }
            found
        });
        let contents = match self.catalog.get(&rg.part.value) {
            Some(Part::System(s)) if s.form == Form::RackScale => {
                if let Some(role) = rg.role.as_ref().filter(|r| r.value == crate::ast::RackRole::Network) {
                    self.diags.push(
                        Diagnostic::new(
                            codes::E1106,
                            format!("`{}` is a rack-scale system: it cannot be a network rack for switches", s.id),
                        )
                        .label(role.span, "network role")
                        .label(rg.part.span, "a complete system, with no room for fabric switches")
                        .help(format!(
                            "put the switches in an enclosure: `rack \"{}\" count=2 role=\"network\"`",
                            self.catalog.ids_of_kind("rack").next().unwrap_or("rack-air-48u")
                        )),
                    );
                }
                if let Some(first) = rg.systems.first() {
                    self.unresolved = true;
                    self.diags.push(
                        Diagnostic::new(codes::E0304, format!("`{}` is a rack-scale system: it is its own rack and holds no other systems", s.id))
                            .label(first.part.span, "cannot go inside it")
                            .label(rg.part.span, "a complete rack")
                            .help("put servers in an enclosure such as `rack \"rack-air-48u\" { system … }`, in a rack of their own"),
                    );
                }
                RackContents::RackScale(s)
            }
            Some(Part::System(s)) => {
                let encl: Vec<String> = self.catalog.ids_of_kind("rack").take(4).map(|i| format!("\"{i}\"")).collect();
                self.unresolved = true;
                self.diags.push(
                    Diagnostic::new(
                        codes::E0202,
                        format!("`{}` is a server, not a rack: it goes inside a rack enclosure", s.id),
                    )
                    .label(rg.part.span, "a server")
                    .help(format!(
                        "write `rack \"{}\" {{ system \"{}\" count=2 }}` (enclosures: {})",
                        self.catalog.ids_of_kind("rack").next().unwrap_or("rack-air-48u"),
                        s.id,
                        encl.join(", ")
                    )),
                );
                return None;
            }
            Some(Part::Rack(enclosure)) => {
                let mut systems = Vec::new();
                for sg in &rg.systems {
                    match self.catalog.get(&sg.part.value) {
                        Some(Part::System(s)) if s.form == Form::Server => {
                            systems.push(SystemGroup { system: s, count: sg.count(), span: sg.span })
                        }
                        Some(Part::System(s)) => {
                            self.unresolved = true;
                            self.diags.push(
                                Diagnostic::new(
                                    codes::E0304,
                                    format!("`{}` is a rack-scale system and cannot go inside an enclosure", s.id),
                                )
                                .label(sg.part.span, "rack-scale")
                                .help(format!("write it as a rack of its own: `rack \"{}\"`", s.id)),
                            )
                        }
                        Some(other) => {
                            let other = other.clone();
                            self.wrong_kind("a system", &sg.part, &other, self.list_help("system"));
                        }
                        None => self.unknown_part("system", &sg.part, &["system"]),
                    }
                }
                let network = rg.role.as_ref().is_some_and(|r| r.value == crate::ast::RackRole::Network);
                if rg.systems.is_empty() && !network {
                    self.diags.push(
                        Diagnostic::new(codes::W0301, format!("rack enclosure `{}` holds no systems", enclosure.id))
                            .label(rg.part.span, "empty rack")
                            .help(format!(
                                "add servers: `rack \"{}\" {{ system \"hgx-h100-8\" count=2 }}`",
                                enclosure.id
                            )),
                    );
                }
                RackContents::Enclosure { enclosure, systems }
            }
            Some(other) => {
                let other = other.clone();
                self.wrong_kind(
                    "a rack",
                    &rg.part,
                    &other,
                    "a rack is a rack-scale system (like `gb200-nvl72`) or an enclosure (like `rack-air-48u`)"
                        .to_string(),
                );
                return None;
            }
            None => {
                self.unknown_part("rack", &rg.part, &["system", "rack"]);
                return None;
            }
        };
        let pdu = rg.pdu.as_ref().and_then(|p| self.pdu_group(p, &contents));
        Some(RackGroup {
            contents,
            per_row: rg.count(),
            role: rg.role.as_ref().map(|r| r.value).unwrap_or_default(),
            role_span: rg.role.as_ref().map(|r| r.span),
            pdu,
            loop_index,
            loop_span: rg.loop_ref.as_ref().map(|l| l.span),
            part_span: rg.part.span,
            span: rg.span,
        })
    }

    /// Binds a rack's `pdu` line: a PDU part, in an enclosure (a rack-scale system brings its own
    /// power shelves and whips).
    fn pdu_group(&mut self, p: &ast::PduGroup, contents: &RackContents<'a>) -> Option<PduGroup<'a>> {
        let pdu = match self.catalog.get(&p.part.value) {
            Some(Part::Pdu(pdu)) => pdu,
            Some(other) => {
                let other = other.clone();
                self.wrong_kind("a PDU", &p.part, &other, self.list_help("pdu"));
                return None;
            }
            None => {
                self.unknown_part("pdu", &p.part, &["pdu"]);
                return None;
            }
        };
        if let RackContents::RackScale(s) = contents {
            self.unresolved = true;
            self.diags.push(
                Diagnostic::new(
                    codes::E0304,
                    format!("`{}` is a rack-scale system: its power shelves take whips, not rack PDUs", s.id),
                )
                .label(p.part.span, "a rack PDU")
                .help("remove the `pdu` line; the plan sizes the system's whips from its catalog power inputs"),
            );
            return None;
        }
        Some(PduGroup {
            pdu,
            count: p.count.as_ref().map(|c| c.value).unwrap_or(2),
            redundancy: p.redundancy.clone().unwrap_or(Spanned::new(Redundancy::TwoN, p.span)),
            part_span: p.part.span,
            span: p.span,
        })
    }

    /// Reports E0303 and returns true when the factory is beyond the expansion limits.
    fn check_expansion(&mut self, sites: &[Site<'a>]) -> bool {
        let mut racks: u64 = 0;
        let mut gpus: u64 = 0;
        let mut biggest: Option<(u64, Span)> = None;
        for site in sites {
            for hall in &site.halls {
                for row in &hall.rows {
                    for rack in &row.racks {
                        let n = row.count.saturating_mul(rack.per_row);
                        racks = racks.saturating_add(n);
                        gpus = gpus.saturating_add(n.saturating_mul(rack.gpus()));
                        if biggest.is_none_or(|(b, _)| n > b) {
                            biggest = Some((n, rack.span));
                        }
                    }
                }
            }
        }
        let Some((_, span)) = biggest else { return false };
        let too_large = racks > MAX_RACKS || gpus > MAX_GPUS;
        if too_large {
            self.diags.push(
                Diagnostic::new(
                    codes::E0303,
                    format!(
                        "the blueprint expands to {} racks and {} GPUs; the limits are {} racks and {} GPUs",
                        crate::format::group_thousands(racks as f64),
                        crate::format::group_thousands(gpus as f64),
                        crate::format::group_thousands(MAX_RACKS as f64),
                        crate::format::group_thousands(MAX_GPUS as f64)
                    ),
                )
                .label(span, "the largest rack group")
                .help(
                    "check the `count=` values for a typo; the largest AI factories planned hold about a million GPUs",
                ),
            );
        }
        too_large
    }

    fn fabric(&mut self, f: &ast::Fabric, sites: &[ast::Site], fabric_count: usize) -> Fabric<'a> {
        let switch = f.switch.as_ref().and_then(|id| match self.catalog.get(&id.value) {
            Some(Part::Switch(s)) => Some((s, id.span)),
            Some(other) => {
                let other = other.clone();
                self.wrong_kind("a switch", id, &other, self.list_help("switch"));
                None
            }
            None => {
                self.unknown_part("switch", id, &["switch"]);
                None
            }
        });
        let site = f.site.as_ref().and_then(|name| {
            let found = sites.iter().position(|s| s.name.value == name.value);
            if found.is_none() {
                let mut d = Diagnostic::new(
                    codes::E0302,
                    format!("fabric \"{}\" names site \"{}\", which does not exist", f.name.value, name.value),
                )
                .label(name.span, "unknown site");
                if let Some(h) = did_you_mean(&name.value, sites.iter().map(|s| s.name.value.as_str())) {
                    d = d.help(h);
                } else {
                    d = d.help("name one of the blueprint's sites, or leave `site=` out to serve every site");
                }
                self.diags.push(d);
            }
            found
        });
        let role = fabric_role(f, fabric_count);
        let topology = f.topology.as_ref();
        Fabric {
            name: f.name.clone(),
            kind: f.kind.clone(),
            role,
            role_span: f.role.as_ref().map(|r| r.span),
            site,
            site_span: f.site.as_ref().map(|s| s.span),
            switch,
            topology: topology.map(|t| t.kind.value).unwrap_or(TopologyKind::FatTree),
            tiers: topology.and_then(|t| t.tiers.clone()),
            oversubscription: topology.and_then(|t| t.oversubscription.as_ref()).map(|o| o.value).unwrap_or(1.0),
            oversubscription_span: topology.and_then(|t| t.oversubscription.as_ref()).map(|o| o.span),
            min_spines: topology.and_then(|t| t.min_spines.as_ref()).map_or(1, |m| m.value),
            medium: f.medium.clone(),
            span: f.span,
        }
    }

    fn workload(&mut self, w: &ast::Workload, system: Option<&'a crate::catalog::System>) -> Option<Workload<'a>> {
        let model_name = w.model.as_ref()?;
        let model = match self.catalog.get(&model_name.value) {
            Some(Part::Model(_)) => self.catalog.bind::<crate::catalog::Model>(&model_name.value),
            Some(other) => {
                let other = other.clone();
                self.wrong_kind("a model", model_name, &other, self.list_help("model"));
                None
            }
            None => {
                self.unknown_part("model", model_name, &["model"]);
                None
            }
        };
        let (model, precision, tokens, gpus) = (model?, w.precision.clone()?, w.tokens.as_ref()?, w.gpus.clone()?);
        let gpu = system.map(|s| &self.catalog[s.gpu]);
        Some(Workload {
            name: w.name.clone(),
            model: &self.catalog[model],
            model_id: model,
            model_span: model_name.span,
            precision,
            input_tokens: tokens.input.clone(),
            output_tokens: tokens.output.clone(),
            tokens_span: tokens.span,
            ttft: w.slo.as_ref().and_then(|s| s.ttft.clone()),
            tpot: w.slo.as_ref().and_then(|s| s.tpot.clone()),
            slo_span: w.slo.as_ref().map(|s| s.span),
            gpus,
            serving_mode: w.serving.clone(),
            system,
            gpu,
            span: w.span,
        })
    }
}
