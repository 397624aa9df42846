//! Lowers a `site`: its power (feeds, PUE, energy price), cooling (loops and their CDUs, room air),
//! and its halls, rows and racks.

use super::*;

/// The children a `cooling` node may have.
pub(super) const COOLING_CHILDREN: &[&str] = &["loop", "air"];

/// The children a `loop` node may have.
pub(super) const LOOP_CHILDREN: &[&str] = &["cdu"];

/// The children a `hall` node may have.
pub(super) const HALL_CHILDREN: &[&str] = &["row"];

/// The children a `row` node may have.
pub(super) const ROW_CHILDREN: &[&str] = &["rack"];

/// The children a `rack` node may have.
pub(super) const RACK_CHILDREN: &[&str] = &["system", "pdu"];

/// The children a `site` node may have.
pub(super) const SITE_CHILDREN: &[&str] = &["region", "tier", "power", "cooling", "hall", "software"];

/// The children a `power` node may have.
pub(super) const POWER_CHILDREN: &[&str] = &["feed", "redundancy", "pue", "peak-pue", "energy-price"];

pub(super) fn lower_site(cx: &mut Cx, node: &Node) -> Option<Site> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a site name", "site \"frankfurt-1\"");
    r.finish(cx);
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
        if key != "hall" && SITE_CHILDREN.contains(&key) && !once.first(cx, "site", child) {
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
            _ => read::unknown_child(cx, "site", child, SITE_CHILDREN),
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

pub(super) fn lower_power(cx: &mut Cx, node: &Node) -> Option<Power> {
    NodeReader::new(node).finish(cx);
    let span = cx.node_name_span(node);
    let mut power = Power {
        feeds: Vec::new(),
        redundancy: Spanned::new(Redundancy::N, span),
        pue: None,
        peak_pue: None,
        energy_price: None,
        energy_price_rejected: false,
        incomplete: false,
        span,
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if key != "feed" && POWER_CHILDREN.contains(&key) && !once.first(cx, "power", child) {
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
            "energy-price" => {
                power.energy_price = lower_energy_price(cx, child);
                power.energy_price_rejected = power.energy_price.is_none();
            }
            _ => read::unknown_child(cx, "power", child, POWER_CHILDREN),
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

pub(super) fn lower_feed(cx: &mut Cx, node: &Node) -> Option<Feed> {
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

pub(super) fn lower_energy_price(cx: &mut Cx, node: &Node) -> Option<EnergyPrice> {
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

pub(super) fn lower_cooling(cx: &mut Cx, node: &Node) -> Cooling {
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
            _ => read::unknown_child(cx, "cooling", child, COOLING_CHILDREN),
        }
    }
    cooling
}

pub(super) fn redundancy_prop(cx: &mut Cx, r: &mut NodeReader, default_span: Span) -> Spanned<Redundancy> {
    r.prop(cx, "redundancy")
        .and_then(|e| read::choice(cx, e, "redundancy", Redundancy::CHOICES))
        .and_then(|c| Redundancy::parse(c.value).map(|red| Spanned::new(red, c.span)))
        .unwrap_or(Spanned::new(Redundancy::N, default_span))
}

pub(super) fn lower_loop(cx: &mut Cx, node: &Node) -> Option<Loop> {
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
            read::unknown_child(cx, "loop", child, LOOP_CHILDREN);
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

pub(super) fn lower_hall(cx: &mut Cx, node: &Node) -> Option<Hall> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a hall name", "hall \"A\"");
    let rack_width = hall_length(cx, &mut r, "rack-width", "the rack width");
    let row_pitch = hall_length(cx, &mut r, "row-pitch", "the row pitch");
    let floor_load =
        r.prop(cx, "floor-load").and_then(|e| read::quantity(cx, e, "the floor load", Dimension::AreaLoad));
    r.finish(cx);
    let mut rows = Vec::new();
    for child in children(node) {
        if child.name().value() != "row" {
            read::unknown_child(cx, "hall", child, HALL_CHILDREN);
            continue;
        }
        rows.extend(lower_row(cx, child));
    }
    Some(Hall { name: name?, rack_width, row_pitch, floor_load, rows, span: cx.node_head_span(node) })
}

/// A hall's layout length (`rack-width=(mm)600`, `row-pitch=(m)2.4`), in metres: positive and at
/// most 100 m, the size of the largest halls.
fn hall_length(cx: &mut Cx, r: &mut NodeReader, key: &'static str, what: &str) -> Option<Spanned<f64>> {
    let q = r.prop(cx, key).and_then(|e| read::quantity(cx, e, what, Dimension::Length))?;
    if !(q.value > 0.0 && q.value <= 100.0) {
        cx.emit(
            Diagnostic::new(codes::E0109, format!("{what} must be above 0 and at most 100 m, found {} m", q.value))
                .label(q.span, "out of range")
                .help(format!(
                    "write it with its unit, like `{key}={}`",
                    if key == "rack-width" { "(mm)600" } else { "(m)2.4" }
                )),
        );
        return None;
    }
    Some(Spanned::new(q.value, q.span))
}

pub(super) fn lower_row(cx: &mut Cx, node: &Node) -> Option<Row> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a row name", "row \"A\" count=9");
    let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the row count"));
    r.finish(cx);
    let mut racks = Vec::new();
    for child in children(node) {
        if child.name().value() != "rack" {
            read::unknown_child(cx, "row", child, ROW_CHILDREN);
            continue;
        }
        racks.extend(lower_rack(cx, child));
    }
    Some(Row { name: name?, count, racks, span: cx.node_head_span(node) })
}

pub(super) fn lower_rack(cx: &mut Cx, node: &Node) -> Option<RackGroup> {
    let mut r = NodeReader::new(node);
    let part = r
        .required_arg(cx, 0, "a part id", "rack \"gb200-nvl72\" count=8")
        .and_then(|e| read::name(cx, e, "the rack part"));
    let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the rack count"));
    let loop_ref = r.prop(cx, "loop").and_then(|e| read::name(cx, e, "the loop"));
    let role = r
        .prop(cx, "role")
        .and_then(|e| read::choice(cx, e, "the rack role", RackRole::CHOICES))
        .and_then(|c| RackRole::parse(c.value).map(|role| Spanned::new(role, c.span)));
    r.finish(cx);
    let mut systems = Vec::new();
    let mut pdu: Option<PduGroup> = None;
    for child in children(node) {
        if child.name().value() == "pdu" {
            match &pdu {
                Some(first) => read::duplicate_child(cx, codes::E0112, "rack", first.span, child),
                None => pdu = lower_pdu(cx, child),
            }
            continue;
        }
        if child.name().value() != "system" {
            read::unknown_child(cx, "rack", child, RACK_CHILDREN);
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
    Some(RackGroup { part: part?, count, loop_ref, role, systems, pdu, span: cx.node_head_span(node) })
}

/// `pdu "pdu-3ph-415v-60a" count=2 redundancy="2N"` in an enclosure rack.
fn lower_pdu(cx: &mut Cx, node: &Node) -> Option<PduGroup> {
    let mut r = NodeReader::new(node);
    let example = "pdu \"pdu-3ph-415v-60a\" count=2 redundancy=\"2N\"";
    let part = r.required_arg(cx, 0, "a PDU part id", example).and_then(|e| read::name(cx, e, "the PDU part"));
    let count = r.prop(cx, "count").and_then(|e| read::count(cx, e, "the PDU count"));
    let redundancy = r
        .prop(cx, "redundancy")
        .and_then(|e| read::choice(cx, e, "the PDU redundancy", Redundancy::CHOICES))
        .and_then(|c| Redundancy::parse(c.value).map(|red| Spanned::new(red, c.span)));
    r.finish(cx);
    read::no_children(cx, node);
    Some(PduGroup { part: part?, count, redundancy, span: cx.node_head_span(node) })
}
