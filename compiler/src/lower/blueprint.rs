//! Lowers a blueprint's KDL tree to `ast::Blueprint`, reporting every shape and unit error and
//! carrying on: one bad node does not hide the errors of the others.

use super::read::{self, Cx, NodeReader, Spanned};
use crate::ast::*;
use crate::diag::{codes, Diagnostic};
use crate::source::Span;
use crate::syntax::tree::{Document, Node};
use crate::units::{Celsius, Dimension, Money, Seconds, Watts};

const TOP: &[&str] = &["factory", "site", "fabric", "software", "workload", "quote"];

/// Tracks nodes that may appear once in a parent, to report repeats with both spans.
#[derive(Default)]
struct Once {
    seen: Vec<(String, Span)>,
}

impl Once {
    /// True the first time `node`'s name is seen; a repeat reports E0112 and returns false.
    fn first(&mut self, cx: &mut Cx, parent: &str, node: &Node) -> bool {
        let name = node.name().value();
        if let Some((_, first)) = self.seen.iter().find(|(n, _)| n == name) {
            read::duplicate_child(cx, codes::E0112, parent, *first, node);
            return false;
        }
        self.seen.push((name.to_string(), cx.node_name_span(node)));
        true
    }
}

fn children(node: &Node) -> &[Node] {
    node.children().map(Document::nodes).unwrap_or(&[])
}

/// Lowers a parsed blueprint.
pub fn lower(cx: &mut Cx, doc: &Document) -> Blueprint {
    let mut bp = Blueprint::default();
    // The factory is read first: its currency governs every amount of money in the file.
    let mut once = Once::default();
    for node in doc.nodes().iter().filter(|n| n.name().value() == "factory") {
        if once.first(cx, "the blueprint", node) {
            bp.factory = lower_factory(cx, node);
        }
    }
    // An unreadable currency checks no amounts (its own error says why) rather than all of them.
    if let Some(f) = bp.factory.as_ref().filter(|f| f.currency_source != CurrencySource::Invalid) {
        cx.currency = Some(f.currency.clone());
        cx.currency_is_default = f.currency_source == CurrencySource::Default;
    }
    for node in doc.nodes() {
        match node.name().value() {
            "factory" => {}
            "site" => bp.sites.extend(lower_site(cx, node)),
            "fabric" => bp.fabrics.extend(lower_fabric(cx, node)),
            "software" => {
                if once.first(cx, "the blueprint", node) {
                    bp.software = Some(lower_software(cx, node));
                }
            }
            "workload" => bp.workloads.extend(lower_workload(cx, node)),
            "quote" => {
                if once.first(cx, "the blueprint", node) {
                    bp.quote = Some(lower_quote(cx, node));
                }
            }
            _ => read::unknown_child(cx, "the blueprint", node, TOP),
        }
    }
    let start = Span::new(cx.file, 0, 0);
    if doc.nodes().iter().all(|n| n.name().value() != "factory") {
        let empty = doc.nodes().is_empty();
        cx.emit(
            Diagnostic::new(
                codes::E0105,
                if empty {
                    "the blueprint is empty: it has no `factory` node".to_string()
                } else {
                    "the blueprint has no `factory` node".to_string()
                },
            )
            .label(start, "expected `factory \"NAME\" { … }` in this file")
            .help("start the file with `factory \"my-factory\" { currency \"EUR\" }`; see docs/language.md"),
        );
    }
    if bp.sites.is_empty() && doc.nodes().iter().all(|n| n.name().value() != "site") && !doc.nodes().is_empty() {
        cx.emit(
            Diagnostic::new(codes::E0105, "the blueprint has no `site` node")
                .label(bp.factory.as_ref().map(|f| f.span).unwrap_or(start), "this factory has no site")
                .help("add a `site \"NAME\" { power { … } cooling { … } hall \"A\" { … } }`"),
        );
    }
    bp
}

fn node_name(cx: &mut Cx, r: &mut NodeReader, what: &str, example: &str) -> Option<Name> {
    let entry = r.required_arg(cx, 0, what, example)?;
    read::name(cx, entry, what)
}

fn lower_factory(cx: &mut Cx, node: &Node) -> Option<Factory> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a factory name", "factory \"rhine-one\"");
    r.finish(cx);
    let mut description = None;
    let mut region = None;
    let mut currency = None;
    let mut currency_invalid = false;
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !["description", "region", "currency"].contains(&key) {
            read::unknown_child(cx, "factory", child, &["description", "region", "currency"]);
            continue;
        }
        if !once.first(cx, "factory", child) {
            continue;
        }
        match key {
            "description" => {
                if let Some(e) = read::single_arg(cx, child, "description \"…\"") {
                    description = read::string(cx, e, "the description");
                }
            }
            "region" => {
                if let Some(e) = read::single_arg(cx, child, "region \"eu\"") {
                    region = read::name(cx, e, "the region");
                }
            }
            _ => {
                if let Some(e) = read::single_arg(cx, child, "currency \"EUR\"") {
                    if let Some(c) = read::string(cx, e, "the currency") {
                        if crate::units::is_currency(&c.value) {
                            currency = Some(c);
                        } else {
                            currency_invalid = true;
                            cx.emit(
                                Diagnostic::new(
                                    codes::E0111,
                                    format!("currency \"{}\" is not an ISO 4217 code", c.value),
                                )
                                .label(c.span, "not a currency code")
                                .help(format!(
                                    "write three capital letters, like \"EUR\" or \"USD\"{}",
                                    if c.value.len() == 3 {
                                        format!(" (\"{}\")", c.value.to_ascii_uppercase())
                                    } else {
                                        String::new()
                                    }
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
    // A factory whose name cannot be read still governs the file (its currency, its region), so
    // the rest of the blueprint is checked; the name's own error is reported.
    let name = name.unwrap_or_else(|| Spanned::new(String::new(), cx.node_name_span(node)));
    let currency_source = match (&currency, currency_invalid) {
        (Some(_), _) => CurrencySource::Written,
        (None, true) => CurrencySource::Invalid,
        (None, false) => CurrencySource::Default,
    };
    let currency = currency.unwrap_or_else(|| Spanned::new("USD".to_string(), name.span));
    Some(Factory { name, description, region, currency, currency_source, span: cx.node_head_span(node) })
}

fn lower_site(cx: &mut Cx, node: &Node) -> Option<Site> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a site name", "site \"frankfurt-1\"");
    r.finish(cx);
    const KNOWN: &[&str] = &["region", "tier", "power", "cooling", "hall", "software"];
    let mut site = Site {
        name: name.clone().unwrap_or_else(|| Spanned::new(String::new(), cx.node_name_span(node))),
        region: None,
        tier: None,
        power: None,
        cooling: None,
        halls: Vec::new(),
        software: None,
        has_rack_nodes: has_descendant(node, "rack"),
        span: cx.node_head_span(node),
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if key != "hall" && KNOWN.contains(&key) && !once.first(cx, "site", child) {
            continue;
        }
        match key {
            "region" => {
                if let Some(e) = read::single_arg(cx, child, "region \"eu\"") {
                    site.region = read::name(cx, e, "the region");
                }
            }
            "tier" => {
                if let Some(e) = read::single_arg(cx, child, "tier 3") {
                    if let Some(t) = read::integer_at_least(cx, e, "the tier", 0) {
                        if t.value == 0 || t.value > 4 {
                            cx.emit(
                                Diagnostic::new(
                                    codes::E0109,
                                    format!("tier must be 1 to 4 (Uptime tiers), found {}", t.value),
                                )
                                .label(t.span, "no such tier")
                                .help("write the Uptime Institute tier of the site: 1, 2, 3 or 4"),
                            );
                        } else {
                            site.tier = Some(Spanned::new(t.value as u8, t.span));
                        }
                    }
                }
            }
            "power" => site.power = lower_power(cx, child),
            "cooling" => site.cooling = Some(lower_cooling(cx, child)),
            "hall" => site.halls.extend(lower_hall(cx, child)),
            "software" => site.software = Some(lower_software(cx, child)),
            _ => read::unknown_child(cx, "site", child, KNOWN),
        }
    }
    if name.is_some() && !has_child(node, "hall") && !misspelt_child(node, "hall") {
        cx.emit(
            Diagnostic::new(codes::E0105, format!("site \"{}\" has no `hall`", site.name.value))
                .label(site.span, "no halls, so no racks")
                .help("add `hall \"A\" { row \"A\" count=4 { rack \"gb200-nvl72\" count=8 loop=\"tcs-1\" } }`"),
        );
    }
    if site.cooling.is_none() && name.is_some() && !has_child(node, "cooling") && !misspelt_child(node, "cooling") {
        cx.emit(
            Diagnostic::new(codes::E0105, format!("site \"{}\" has no `cooling` block", site.name.value))
                .label(site.span, "no cooling described")
                .help("add `cooling { air capacity=(kW)500 }` (and `loop …` for liquid-cooled racks): the checks need to know where the heat goes"),
        );
    }
    if site.power.is_none() && name.is_some() && !has_child(node, "power") && !misspelt_child(node, "power") {
        cx.emit(
            Diagnostic::new(codes::E0105, format!("site \"{}\" has no `power` block", site.name.value))
                .label(site.span, "no power described")
                .help(
                    "add `power { feed \"grid-a\" capacity=(MW)10 }`: the checks need to know what the site can supply",
                ),
        );
    }
    name.map(|_| site)
}

fn lower_power(cx: &mut Cx, node: &Node) -> Option<Power> {
    NodeReader::new(node).finish(cx);
    const KNOWN: &[&str] = &["feed", "redundancy", "pue", "peak-pue", "energy-price"];
    let span = cx.node_name_span(node);
    let mut power = Power {
        feeds: Vec::new(),
        redundancy: Spanned::new(Redundancy::N, span),
        pue: None,
        peak_pue: None,
        energy_price: None,
        incomplete: false,
        span,
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if key != "feed" && KNOWN.contains(&key) && !once.first(cx, "power", child) {
            continue;
        }
        match key {
            "feed" => match lower_feed(cx, child) {
                Some(f) => power.feeds.push(f),
                None => power.incomplete = true,
            },
            "redundancy" => {
                if let Some(e) = read::single_arg(cx, child, "redundancy \"2N\"") {
                    match read::choice(cx, e, "redundancy", Redundancy::CHOICES)
                        .and_then(|c| Redundancy::parse(c.value).map(|r| (r, c.span)))
                    {
                        Some((red, span)) => power.redundancy = Spanned::new(red, span),
                        None => power.incomplete = true,
                    }
                }
            }
            "pue" | "peak-pue" => {
                if let Some(e) = read::single_arg(cx, child, "pue 1.25") {
                    let what = if key == "pue" { "the annual PUE" } else { "the peak PUE" };
                    if let Some(p) = read::number_in(cx, e, what, 1.0, 5.0) {
                        if key == "pue" {
                            power.pue = Some(p);
                        } else {
                            power.peak_pue = Some(p);
                        }
                    }
                }
            }
            "energy-price" => power.energy_price = lower_energy_price(cx, child),
            _ => read::unknown_child(cx, "power", child, KNOWN),
        }
    }
    if power.feeds.is_empty() && children(node).iter().all(|c| c.name().value() != "feed") {
        cx.emit(
            Diagnostic::new(codes::E0105, "`power` has no `feed`")
                .label(span, "no feed here")
                .help("add at least one `feed \"grid-a\" capacity=(MW)10`"),
        );
    }
    Some(power)
}

fn lower_feed(cx: &mut Cx, node: &Node) -> Option<Feed> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a feed name", "feed \"grid-a\" capacity=(MW)40");
    let capacity = r
        .required_prop(cx, "capacity", "feed \"grid-a\" capacity=(MW)40")
        .and_then(|e| read::quantity(cx, e, "the feed capacity", Dimension::Power));
    let side_entry = r.prop(cx, "side");
    let side = side_entry.and_then(|e| read::choice(cx, e, "the feed side", &["A", "B"]));
    r.finish(cx);
    read::no_children(cx, node);
    if side_entry.is_some() && side.is_none() {
        return None;
    }
    Some(Feed {
        name: name?,
        capacity: capacity.map(|c| Spanned::new(Watts(c.value), c.span))?,
        side,
        span: cx.node_head_span(node),
    })
}

fn lower_energy_price(cx: &mut Cx, node: &Node) -> Option<EnergyPrice> {
    let mut r = NodeReader::new(node);
    let price = r
        .required_arg(cx, 0, "a price", "energy-price (EUR)0.11 per=\"kWh\"")
        .and_then(|e| read::money(cx, e, "the energy price"));
    let per = r.prop(cx, "per").and_then(|e| read::choice(cx, e, "`per`", &["kWh", "MWh"]));
    r.finish(cx);
    read::no_children(cx, node);
    let price = price?;
    let per_kwh = match per.as_ref().map(|p| p.value) {
        Some("MWh") => price.value.amount / 1000.0,
        _ => price.value.amount,
    };
    Some(EnergyPrice { per_kwh: Money::new(per_kwh, price.value.currency), span: price.span })
}

fn lower_cooling(cx: &mut Cx, node: &Node) -> Cooling {
    NodeReader::new(node).finish(cx);
    let mut cooling = Cooling { loops: Vec::new(), air: None, air_unreadable: false, span: cx.node_name_span(node) };
    let mut once = Once::default();
    for child in children(node) {
        match child.name().value() {
            "loop" => cooling.loops.extend(lower_loop(cx, child)),
            "air" => {
                if !once.first(cx, "cooling", child) {
                    continue;
                }
                let mut r = NodeReader::new(child);
                let cap = r
                    .required_prop(cx, "capacity", "air capacity=(MW)6")
                    .and_then(|e| read::quantity(cx, e, "the air capacity", Dimension::Power));
                r.finish(cx);
                read::no_children(cx, child);
                cooling.air_unreadable = cap.is_none();
                cooling.air = cap.map(|c| Spanned::new(Watts(c.value), c.span));
            }
            _ => read::unknown_child(cx, "cooling", child, &["loop", "air"]),
        }
    }
    cooling
}

fn redundancy_prop(cx: &mut Cx, r: &mut NodeReader, default_span: Span) -> Spanned<Redundancy> {
    r.prop(cx, "redundancy")
        .and_then(|e| read::choice(cx, e, "redundancy", Redundancy::CHOICES))
        .and_then(|c| Redundancy::parse(c.value).map(|red| Spanned::new(red, c.span)))
        .unwrap_or(Spanned::new(Redundancy::N, default_span))
}

fn lower_loop(cx: &mut Cx, node: &Node) -> Option<Loop> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a loop name", "loop \"tcs-1\" supply=(C)35");
    let supply = r
        .required_prop(cx, "supply", "loop \"tcs-1\" supply=(C)35")
        .and_then(|e| read::quantity(cx, e, "the supply temperature", Dimension::Temperature));
    let ret =
        r.prop(cx, "return").and_then(|e| read::quantity(cx, e, "the return temperature", Dimension::Temperature));
    let facility = r
        .prop(cx, "facility-water")
        .and_then(|e| read::quantity(cx, e, "the facility-water temperature", Dimension::Temperature));
    r.finish(cx);
    let mut cdus = Vec::new();
    for child in children(node) {
        if child.name().value() != "cdu" {
            read::unknown_child(cx, "loop", child, &["cdu"]);
            continue;
        }
        let mut r = NodeReader::new(child);
        let part = r
            .required_arg(cx, 0, "a CDU part id", "cdu \"cdu-2000kw\" count=4")
            .and_then(|e| read::name(cx, e, "the CDU part"));
        let count = r
            .required_prop(cx, "count", "cdu \"cdu-2000kw\" count=4")
            .and_then(|e| read::count(cx, e, "the CDU count"));
        let span = cx.node_head_span(child);
        let redundancy = redundancy_prop(cx, &mut r, span);
        r.finish(cx);
        read::no_children(cx, child);
        if let (Some(part), Some(count)) = (part, count) {
            cdus.push(CduGroup { part, count, redundancy, span });
        }
    }
    if let (Some(s), Some(rt)) = (&supply, &ret) {
        if rt.value <= s.value {
            cx.emit(
                Diagnostic::new(
                    codes::E0109,
                    format!("return temperature {} °C is not above the supply temperature {} °C", rt.value, s.value),
                )
                .label(rt.span, "return")
                .label(s.span, "supply")
                .help("the loop carries heat away, so its return is warmer than its supply"),
            );
        }
    }
    Some(Loop {
        name: name?,
        supply: supply.map(|s| Spanned::new(Celsius(s.value), s.span))?,
        return_temp: ret.map(|s| Spanned::new(Celsius(s.value), s.span)),
        facility_water: facility.map(|s| Spanned::new(Celsius(s.value), s.span)),
        cdus,
        span: cx.node_head_span(node),
    })
}

fn lower_hall(cx: &mut Cx, node: &Node) -> Option<Hall> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a hall name", "hall \"A\"");
    r.finish(cx);
    let mut rows = Vec::new();
    for child in children(node) {
        if child.name().value() != "row" {
            read::unknown_child(cx, "hall", child, &["row"]);
            continue;
        }
        rows.extend(lower_row(cx, child));
    }
    Some(Hall { name: name?, rows, span: cx.node_head_span(node) })
}

fn lower_row(cx: &mut Cx, node: &Node) -> Option<Row> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a row name", "row \"A\" count=9");
    let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the row count"));
    r.finish(cx);
    let mut racks = Vec::new();
    for child in children(node) {
        if child.name().value() != "rack" {
            read::unknown_child(cx, "row", child, &["rack"]);
            continue;
        }
        racks.extend(lower_rack(cx, child));
    }
    Some(Row { name: name?, count, racks, span: cx.node_head_span(node) })
}

fn lower_rack(cx: &mut Cx, node: &Node) -> Option<RackGroup> {
    let mut r = NodeReader::new(node);
    let part = r
        .required_arg(cx, 0, "a part id", "rack \"gb200-nvl72\" count=8")
        .and_then(|e| read::name(cx, e, "the rack part"));
    let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the rack count"));
    let loop_ref = r.prop(cx, "loop").and_then(|e| read::name(cx, e, "the loop"));
    r.finish(cx);
    let mut systems = Vec::new();
    for child in children(node) {
        if child.name().value() != "system" {
            read::unknown_child(cx, "rack", child, &["system"]);
            continue;
        }
        let mut r = NodeReader::new(child);
        let part = r
            .required_arg(cx, 0, "a system part id", "system \"hgx-h100-8\" count=2")
            .and_then(|e| read::name(cx, e, "the system part"));
        let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the system count"));
        r.finish(cx);
        read::no_children(cx, child);
        if let Some(part) = part {
            systems.push(SystemGroup { part, count, span: cx.node_head_span(child) });
        }
    }
    Some(RackGroup { part: part?, count, loop_ref, systems, span: cx.node_head_span(node) })
}

fn lower_fabric(cx: &mut Cx, node: &Node) -> Option<Fabric> {
    let mut r = NodeReader::new(node);
    let example = "fabric \"compute\" kind=\"infiniband\"";
    let name = node_name(cx, &mut r, "a fabric name", example);
    let kind = r
        .required_prop(cx, "kind", example)
        .and_then(|e| read::choice(cx, e, "the fabric kind", &["infiniband", "ethernet"]))
        .map(|c| {
            Spanned::new(if c.value == "infiniband" { FabricKind::Infiniband } else { FabricKind::Ethernet }, c.span)
        });
    let role = r
        .prop(cx, "role")
        .and_then(|e| read::choice(cx, e, "the fabric role", &["compute", "frontend", "storage"]))
        .map(|c| {
            let role = match c.value {
                "compute" => FabricRole::Compute,
                "frontend" => FabricRole::Frontend,
                _ => FabricRole::Storage,
            };
            Spanned::new(role, c.span)
        });
    let site = r.prop(cx, "site").and_then(|e| read::name(cx, e, "the fabric's site"));
    r.finish(cx);
    let mut switch = None;
    let mut topology = None;
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !["switch", "topology"].contains(&key) {
            read::unknown_child(cx, "fabric", child, &["switch", "topology"]);
            continue;
        }
        if !once.first(cx, "fabric", child) {
            continue;
        }
        if key == "switch" {
            if let Some(e) = read::single_arg(cx, child, "switch \"quantum-2-qm9700\"") {
                switch = read::name(cx, e, "the switch part");
            }
        } else {
            topology = lower_topology(cx, child);
        }
    }
    if switch.is_none() && children(node).iter().all(|c| c.name().value() != "switch") {
        cx.emit(
            Diagnostic::new(codes::E0105, "`fabric` needs a `switch`")
                .label(cx.node_head_span(node), "no switch named")
                .help("name the switch the fabric is built of, like `switch \"quantum-2-qm9700\"`"),
        );
    }
    Some(Fabric { name: name?, kind: kind?, role, site, switch, topology, span: cx.node_head_span(node) })
}

fn lower_topology(cx: &mut Cx, node: &Node) -> Option<Topology> {
    let mut r = NodeReader::new(node);
    let kind = r
        .required_arg(cx, 0, "a topology", "topology \"fat-tree\" oversubscription=1")
        .and_then(|e| read::choice(cx, e, "the topology", &["fat-tree", "leaf-spine"]))
        .map(|c| {
            Spanned::new(if c.value == "fat-tree" { TopologyKind::FatTree } else { TopologyKind::LeafSpine }, c.span)
        });
    let tiers = r.prop(cx, "tiers").and_then(|e| read::count(cx, e, "the number of tiers"));
    if let Some(t) = &tiers {
        if t.value > 3 {
            cx.emit(
                Diagnostic::new(
                    codes::E0109,
                    format!("Millwright sizes fat trees of 1 to 3 tiers; {} tiers were asked for", t.value),
                )
                .label(t.span, "too many tiers")
                .help("real fabrics have 1 to 3 tiers (leaf, spine, core); leave `tiers` out to let Millwright choose"),
            );
        }
    }
    let oversubscription =
        r.prop(cx, "oversubscription").and_then(|e| read::number_in(cx, e, "the oversubscription ratio", 1.0, 64.0));
    r.finish(cx);
    read::no_children(cx, node);
    Some(Topology {
        kind: kind?,
        tiers: tiers.filter(|t| t.value <= 3),
        oversubscription,
        span: cx.node_head_span(node),
    })
}

fn lower_software(cx: &mut Cx, node: &Node) -> Software {
    NodeReader::new(node).finish(cx);
    const KNOWN: &[&str] = &["os", "driver", "cuda", "rocm", "kubernetes", "gpu-operator", "serving"];
    let mut sw = Software { span: Some(cx.node_name_span(node)), ..Software::default() };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if key == "serving" {
            // One serving engine per block: the workloads of a site are served by it.
            if !once.first(cx, "software", child) {
                continue;
            }
            let mut r = NodeReader::new(child);
            let example = "serving \"vllm\" version=\"0.10.1\"";
            let engine = r
                .required_arg(cx, 0, "an engine name", example)
                .and_then(|e| read::choice(cx, e, "the serving engine", &["vllm", "sglang", "trtllm", "dynamo"]))
                .map(|c| Spanned::new(c.value.to_string(), c.span));
            let version = r.required_prop(cx, "version", example).and_then(|e| read::name(cx, e, "the version"));
            let backend =
                r.prop(cx, "backend").and_then(|e| read::choice(cx, e, "the backend", &["vllm", "sglang", "trtllm"]));
            r.finish(cx);
            read::no_children(cx, child);
            if let (Some(engine), Some(version)) = (engine, version) {
                if let Some(b) = &backend {
                    if engine.value != "dynamo" {
                        cx.emit(
                            Diagnostic::new(
                                codes::E0103,
                                format!("`backend` applies to Dynamo only, not to {}", engine.value),
                            )
                            .label(b.span, "not used by this engine")
                            .help("remove `backend=`; it says which engine Dynamo runs"),
                        );
                    }
                }
                sw.serving.push(Serving { engine, version, backend, span: cx.node_head_span(child) });
            }
            continue;
        }
        if !KNOWN.contains(&key) {
            read::unknown_child(cx, "software", child, KNOWN);
            continue;
        }
        if !once.first(cx, "software", child) {
            continue;
        }
        let example = format!("{key} \"1.0\"");
        let value = read::single_arg(cx, child, &example).and_then(|e| version_string(cx, e, key));
        match key {
            "os" => sw.os = value,
            "driver" => sw.driver = value,
            "cuda" => sw.cuda = value,
            "rocm" => sw.rocm = value,
            "kubernetes" => sw.kubernetes = value,
            _ => sw.gpu_operator = value,
        }
    }
    sw
}

/// A version string; a bare number (`cuda 13.0`) is accepted in quotes only, since KDL would read
/// it as a float and lose trailing zeros.
fn version_string(cx: &mut Cx, entry: &crate::syntax::tree::Entry, key: &str) -> Option<Spanned<String>> {
    if matches!(entry.value(), crate::syntax::tree::Value::Integer(_) | crate::syntax::tree::Value::Float(_)) {
        let span = cx.value_span(entry);
        let written = cx.text.get(span.start as usize..span.end as usize).unwrap_or("").to_string();
        cx.emit(
            Diagnostic::new(codes::E0106, format!("the {key} version must be a string, found a number"))
                .label(span, "a number, not a version")
                .help(format!("quote it: `{key} \"{written}\"` (a number would lose trailing zeros)")),
        );
        return None;
    }
    read::name(cx, entry, &format!("the {key} version"))
}

fn lower_workload(cx: &mut Cx, node: &Node) -> Option<Workload> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a workload name", "workload \"assistant\"");
    r.finish(cx);
    const KNOWN: &[&str] = &["model", "precision", "tokens", "slo", "gpus"];
    let span = cx.node_head_span(node);
    let mut w = Workload {
        name: name.clone().unwrap_or_else(|| Spanned::new(String::new(), span)),
        model: None,
        precision: None,
        tokens: None,
        slo: None,
        gpus: None,
        span,
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !KNOWN.contains(&key) {
            read::unknown_child(cx, "workload", child, KNOWN);
            continue;
        }
        if !once.first(cx, "workload", child) {
            continue;
        }
        match key {
            "model" => {
                if let Some(e) = read::single_arg(cx, child, "model \"llama-3.3-70b\"") {
                    w.model = read::name(cx, e, "the model");
                }
            }
            "precision" => {
                if let Some(e) = read::single_arg(cx, child, "precision \"fp8\"") {
                    w.precision = read::choice(cx, e, "the precision", Precision::CHOICES)
                        .and_then(|c| Precision::parse(c.value).map(|p| Spanned::new(p, c.span)));
                }
            }
            "tokens" => {
                let mut r = NodeReader::new(child);
                let example = "tokens input=2048 output=512";
                let input = r.required_prop(cx, "input", example).and_then(|e| read::count(cx, e, "the input tokens"));
                let output =
                    r.required_prop(cx, "output", example).and_then(|e| read::count(cx, e, "the output tokens"));
                r.finish(cx);
                read::no_children(cx, child);
                if let (Some(input), Some(output)) = (input, output) {
                    w.tokens = Some(Tokens { input, output, span: cx.node_head_span(child) });
                }
            }
            "slo" => {
                let mut r = NodeReader::new(child);
                let ttft = r.prop(cx, "ttft").and_then(|e| read::quantity(cx, e, "the TTFT target", Dimension::Time));
                let tpot = r.prop(cx, "tpot").and_then(|e| read::quantity(cx, e, "the TPOT target", Dimension::Time));
                let any_written =
                    child.entries().iter().any(|e| matches!(e.name().map(|n| n.value()), Some("ttft") | Some("tpot")));
                r.finish(cx);
                read::no_children(cx, child);
                if !any_written {
                    cx.emit(
                        Diagnostic::new(codes::E0105, "`slo` needs `ttft=` or `tpot=` (or both)")
                            .label(cx.node_head_span(child), "no target given")
                            .help("write it like `slo ttft=(ms)800 tpot=(ms)25`, or remove it for offline throughput"),
                    );
                }
                let to_s = |q: Spanned<f64>| Spanned::new(Seconds(q.value), q.span);
                for q in [&ttft, &tpot].into_iter().flatten() {
                    if q.value <= 0.0 {
                        cx.emit(
                            Diagnostic::new(codes::E0109, "a latency target must be above zero")
                                .label(q.span, "zero")
                                .help("write a positive time, like `(ms)25`"),
                        );
                    }
                }
                w.slo = Some(Slo {
                    ttft: ttft.filter(|q| q.value > 0.0).map(to_s),
                    tpot: tpot.filter(|q| q.value > 0.0).map(to_s),
                    span: cx.node_head_span(child),
                });
            }
            _ => {
                if let Some(e) = read::single_arg(cx, child, "gpus 64") {
                    w.gpus = read::count(cx, e, "the GPU count");
                }
            }
        }
    }
    if name.is_some() {
        let missing: Vec<&str> = [
            ("model", w.model.is_none() && !has_child(node, "model")),
            ("precision", w.precision.is_none() && !has_child(node, "precision")),
            ("tokens", w.tokens.is_none() && !has_child(node, "tokens")),
            ("gpus", w.gpus.is_none() && !has_child(node, "gpus")),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            cx.emit(
                Diagnostic::new(
                    codes::E0105,
                    format!(
                        "workload \"{}\" is missing {}",
                        w.name.value,
                        missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label(span, "incomplete workload")
                .help("a workload needs `model`, `precision`, `tokens input=… output=…` and `gpus`"),
            );
        }
    }
    name.map(|_| w)
}

/// A child whose name is a misspelling of `name` (its E0102 already suggests the fix).
fn misspelt_child(node: &Node, name: &str) -> bool {
    children(node)
        .iter()
        .any(|c| c.name().value() != name && !crate::diag::suggest(c.name().value(), [name]).is_empty())
}

fn has_descendant(node: &Node, name: &str) -> bool {
    children(node).iter().any(|c| c.name().value() == name || has_descendant(c, name))
}

fn has_child(node: &Node, name: &str) -> bool {
    children(node).iter().any(|c| c.name().value() == name)
}

/// `exchange-rate (EUR)0.86 per="USD"`: the rate is money in the factory currency (E0115
/// otherwise), `per` another currency, each currency at most once.
fn lower_exchange_rate(cx: &mut Cx, node: &Node, seen: &[ExchangeRate]) -> Option<ExchangeRate> {
    let mut r = NodeReader::new(node);
    let example = "exchange-rate (EUR)0.86 per=\"USD\"";
    let rate = r.required_arg(cx, 0, "a rate", example).and_then(|e| read::money(cx, e, "the exchange rate"));
    let from = r.required_prop(cx, "per", example).and_then(|e| read::string(cx, e, "`per`"));
    r.finish(cx);
    read::no_children(cx, node);
    let (rate, from) = (rate?, from?);
    if !crate::units::is_currency(&from.value) {
        cx.emit(
            Diagnostic::new(codes::E0108, format!("`per` must be a currency code, not `{}`", from.value))
                .label(from.span, "not a currency")
                .help("write an ISO 4217 code in capitals, like `per=\"USD\"`"),
        );
        return None;
    }
    if from.value == rate.value.currency {
        cx.emit(
            Diagnostic::new(codes::E0111, format!("an exchange rate from {} to itself", from.value))
                .label(from.span, "the factory's own currency")
                .help("name the currency the catalog prices are in, like `per=\"USD\"`"),
        );
        return None;
    }
    if rate.value.amount <= 0.0 {
        cx.emit(
            Diagnostic::new(codes::E0109, "an exchange rate must be above zero")
                .label(rate.span, "zero")
                .help("write what one unit of the other currency is worth"),
        );
        return None;
    }
    if let Some(first) = seen.iter().find(|x| x.from.value == from.value) {
        cx.emit(
            Diagnostic::new(codes::E0112, format!("a second exchange rate for {}", from.value))
                .label(from.span, "given again here")
                .label(first.from.span, "first given here")
                .help("keep one `exchange-rate` per currency"),
        );
        return None;
    }
    Some(ExchangeRate { from, rate, span: cx.node_head_span(node) })
}

fn lower_quote(cx: &mut Cx, node: &Node) -> Quote {
    NodeReader::new(node).finish(cx);
    const KNOWN: &[&str] = &["margin", "amortize", "utilization", "price", "exchange-rate", "facility"];
    let mut q = Quote {
        margin: None,
        amortize_years: None,
        utilization: None,
        prices: Vec::new(),
        exchange_rates: Vec::new(),
        facility: None,
        span: cx.node_name_span(node),
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !KNOWN.contains(&key) {
            read::unknown_child(cx, "quote", child, KNOWN);
            continue;
        }
        if key != "price" && key != "exchange-rate" && !once.first(cx, "quote", child) {
            continue;
        }
        match key {
            "facility" => {
                if let Some(e) = read::single_arg(cx, child, "facility \"colocation\"") {
                    q.facility = read::choice(cx, e, "the facility", FacilityModel::CHOICES).map(|c| {
                        Spanned::new(
                            if c.value == "build" { FacilityModel::Build } else { FacilityModel::Colocation },
                            c.span,
                        )
                    });
                }
            }
            "exchange-rate" => {
                if let Some(x) = lower_exchange_rate(cx, child, &q.exchange_rates) {
                    q.exchange_rates.push(x);
                }
            }
            "margin" => {
                if let Some(e) = read::single_arg(cx, child, "margin 0.18") {
                    q.margin = read::number_in(cx, e, "the margin", 0.0, 0.95);
                }
            }
            "utilization" => {
                if let Some(e) = read::single_arg(cx, child, "utilization 0.7") {
                    q.utilization = read::number_in(cx, e, "the utilization", 0.0, 1.0);
                }
            }
            "amortize" => {
                let mut r = NodeReader::new(child);
                q.amortize_years = r
                    .required_prop(cx, "years", "amortize years=5")
                    .and_then(|e| read::count(cx, e, "the amortization period in years"));
                if let Some(y) = &q.amortize_years {
                    if y.value > 50 {
                        cx.emit(
                            Diagnostic::new(
                                codes::E0109,
                                format!("an amortization period of {} years is not plausible", y.value),
                            )
                            .label(y.span, "too long")
                            .help("GPU systems are amortized over 3 to 6 years; buildings over 15 to 30"),
                        );
                        q.amortize_years = None;
                    }
                }
                r.finish(cx);
                read::no_children(cx, child);
            }
            _ => {
                let mut r = NodeReader::new(child);
                let example = "price \"gb200-nvl72\" (EUR)3200000";
                let part = r.required_arg(cx, 0, "a part id", example).and_then(|e| read::name(cx, e, "the part"));
                let price = r.required_arg(cx, 1, "a price", example).and_then(|e| read::money(cx, e, "the price"));
                r.finish(cx);
                read::no_children(cx, child);
                if let (Some(part), Some(price)) = (part, price) {
                    if let Some(first) = q.prices.iter().find(|p| p.part.value == part.value) {
                        cx.emit(
                            Diagnostic::new(codes::E0112, format!("`{}` is priced twice in `quote`", part.value))
                                .label(part.span, "priced again here")
                                .label(first.part.span, "first priced here")
                                .help("keep one `price` line per part"),
                        );
                    } else {
                        q.prices.push(PriceOverride { part, price, span: cx.node_head_span(child) });
                    }
                }
            }
        }
    }
    q
}
