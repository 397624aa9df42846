//! E0501: every liquid-cooled system sits in a rack attached to a loop of its site, and every
//! enclosure that moves heat to liquid (rear door, direct liquid cooling) is attached to one. A
//! liquid-cooled server in an air-only enclosure has nowhere to send its heat either.

use super::CheckCtx;
use crate::catalog::EnclosureCooling;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::graph::{Edge, Node};
use crate::model::RackContents;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    // Containment: a liquid-cooled server in an air-only enclosure.
    for site in &cx.factory.sites {
        for (_, rack) in site.rack_groups() {
            if let RackContents::Enclosure { enclosure, systems } = &rack.contents {
                if enclosure.cooling == EnclosureCooling::Air {
                    for g in systems.iter().filter(|g| g.system.is_liquid_cooled()) {
                        diags.push(
                            Diagnostic::new(
                                codes::E0501,
                                format!(
                                    "`{}` is liquid-cooled ({} of its heat to liquid), but enclosure `{}` is air-only",
                                    g.system.id,
                                    crate::format::whole_pct(g.system.liquid_fraction),
                                    enclosure.id
                                ),
                            )
                            .label(g.span, "needs liquid cooling")
                            .label(rack.part_span, "air-only enclosure")
                            .help("use a direct-liquid-cooling enclosure such as `rack-dlc-48u` attached to a loop"),
                        );
                    }
                }
            }
        }
    }
    // Attachment is a question for the graph: a rack that sends heat to liquid needs a `cools`
    // edge from a loop.
    for idx in cx.graph.node_indices() {
        let (part, cooling) = match cx.graph.node_weight(idx) {
            Some(Node::Racks { part, cooling, .. }) | Some(Node::Rack { part, cooling, .. }) => (part, cooling),
            _ => continue,
        };
        if !cooling.needs_loop || cooling.loop_written {
            continue;
        }
        let cooled = cx.graph.edges_directed(idx, Direction::Incoming).any(|e| *e.weight() == Edge::Cools);
        if cooled {
            continue;
        }
        let Some(site) = site_of(cx, idx) else { continue };
        let what = match cooling.enclosure {
            Some(enclosure) => format!("enclosure `{part}` ({}) moves heat to liquid", enclosure.as_str()),
            None => format!("`{part}` sends {} per rack to liquid", crate::units::Watts(cooling.liquid_kw_each * 1e3)),
        };
        let loops: Vec<&str> = site.loops.iter().map(|l| l.name.value.as_str()).collect();
        let help = match loops.first() {
            Some(l) => format!("attach it to a loop: `rack \"{part}\" loop=\"{l}\"`"),
            None => format!(
                "add a loop to site \"{}\" (`cooling {{ loop \"tcs-1\" supply=(C)35 {{ cdu … }} }}`) and write `loop=\"tcs-1\"` on the rack",
                site.name.value
            ),
        };
        diags.push(
            Diagnostic::new(codes::E0501, format!("{what}, but the rack is not attached to a cooling loop"))
                .label(cooling.span, "no `loop=`")
                .help(help),
        );
    }
}

/// The site a graph node belongs to: the site reached by walking `contains` edges upwards.
fn site_of<'a, 'c>(
    cx: &'a CheckCtx<'a, 'c>,
    mut idx: petgraph::stable_graph::NodeIndex,
) -> Option<&'a crate::model::Site<'c>> {
    for _ in 0..16 {
        if let Some(Node::Site { name }) = cx.graph.node_weight(idx) {
            return cx.factory.sites.iter().find(|s| &s.name.value == name);
        }
        idx = cx.graph.edges_directed(idx, Direction::Incoming).find(|e| *e.weight() == Edge::Contains)?.source();
    }
    None
}
