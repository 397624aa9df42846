//! Lowers a `fabric`: its kind, role, switch, sites and topology.

use super::*;

/// The children a `fabric` node may have.
pub(super) const FABRIC_CHILDREN: &[&str] = &["switch", "topology", "medium"];

pub(super) fn lower_fabric(cx: &mut Cx, node: &Node) -> Option<Fabric> {
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
    let mut medium = None;
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !FABRIC_CHILDREN.contains(&key) {
            read::unknown_child(cx, "fabric", child, FABRIC_CHILDREN);
            continue;
        }
        if !once.first(cx, "fabric", child) {
            continue;
        }
        if key == "switch" {
            if let Some(e) = read::single_arg(cx, child, "switch \"quantum-2-qm9700\"") {
                switch = read::name(cx, e, "the switch part");
            }
        } else if key == "medium" {
            if let Some(e) = read::single_arg(cx, child, "medium \"multimode\"") {
                medium = read::choice(cx, e, "the fabric's medium", Medium::CHOICES)
                    .and_then(|c| Medium::parse(c.value).map(|m| Spanned::new(m, c.span)));
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
    Some(Fabric { name: name?, kind: kind?, role, site, switch, topology, medium, span: cx.node_head_span(node) })
}

pub(super) fn lower_topology(cx: &mut Cx, node: &Node) -> Option<Topology> {
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
    let min_spines = r.prop(cx, "min-spines").and_then(|e| read::count(cx, e, "the minimum number of spines"));
    r.finish(cx);
    read::no_children(cx, node);
    Some(Topology {
        kind: kind?,
        tiers: tiers.filter(|t| t.value <= 3),
        oversubscription,
        min_spines,
        span: cx.node_head_span(node),
    })
}
