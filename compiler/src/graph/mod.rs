//! The constraint graph: the whole factory as one petgraph graph. Containment (site → hall → row
//! group → rack group → system group → GPUs), power (feed → site), cooling (loop → rack group,
//! CDU group → loop), network (fabric → switch tiers, fabric → the sites it serves) and demand
//! (workload → the GPU groups it claims). Repeated racks stay one node with a count; `expand`
//! unrolls row and rack groups into one node per rack, for drawing small factories.

mod draw;

pub use draw::{dot, mermaid};

use crate::model::{Factory, RackContents};
use crate::project::Plan;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Factory { name: String },
    Site { name: String },
    Feed { name: String, capacity_kw: f64 },
    Loop { name: String, supply_c: f64 },
    Cdus { part: String, count: u64 },
    Hall { name: String },
    Rows { name: String, count: u64 },
    Racks { part: String, count: u64, kw_each: f64, cooling: RackCooling },
    Rack { name: String, part: String, kw: f64, cooling: RackCooling },
    Systems { part: String, count: u64 },
    Gpus { part: String, count: u64 },
    Fabric { name: String, role: &'static str },
    Switches { tier: &'static str, part: String, count: u64 },
    Workload { name: String, model: String, gpus: u64 },
}

impl Node {
    /// A label for drawings; `\n` separates its lines (the drawings escape everything else).
    pub fn label(&self) -> String {
        match self {
            Node::Factory { name } => format!("factory {name}"),
            Node::Site { name } => format!("site {name}"),
            Node::Feed { name, capacity_kw } => format!("feed {name}\n{} kW", crate::format::trim(*capacity_kw)),
            Node::Loop { name, supply_c } => format!("loop {name}\n{} °C", crate::format::trim(*supply_c)),
            Node::Cdus { part, count } => format!("{count} × {part}"),
            Node::Hall { name } => format!("hall {name}"),
            Node::Rows { name, count } if *count > 1 => format!("{count} rows {name}"),
            Node::Rows { name, .. } => format!("row {name}"),
            Node::Racks { part, count, kw_each, .. } => {
                format!("{count} × {part}\n{} kW each", crate::format::trim(*kw_each))
            }
            Node::Rack { name, part, kw, .. } => format!("{name}: {part}\n{} kW", crate::format::trim(*kw)),
            Node::Systems { part, count } => format!("{count} × {part}"),
            Node::Gpus { part, count } => format!("{count} × GPU {part}"),
            Node::Fabric { name, role } => format!("fabric {name} ({role})"),
            Node::Switches { tier, part, count } => format!("{count} × {part} ({tier})"),
            Node::Workload { name, model, gpus } => format!("workload {name}\n{model} on {gpus} GPUs"),
        }
    }
}

/// What a rack needs from cooling, and where it is written (for diagnostics).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RackCooling {
    /// Its systems or its enclosure send heat to liquid.
    pub needs_loop: bool,
    /// `loop=` was written (it may not resolve; E0302 says so).
    pub loop_written: bool,
    pub liquid_kw_each: f64,
    /// The enclosure's cooling, when the rack is an enclosure (not a rack-scale system).
    pub enclosure: Option<crate::catalog::EnclosureCooling>,
    pub span: crate::source::Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Contains,
    Powers,
    Cools,
    Links,
    Claims,
}

impl Edge {
    pub fn as_str(self) -> &'static str {
        match self {
            Edge::Contains => "contains",
            Edge::Powers => "powers",
            Edge::Cools => "cools",
            Edge::Links => "links",
            Edge::Claims => "claims",
        }
    }
}

pub type Graph = StableDiGraph<Node, Edge>;

/// The most racks `expand` draws one by one; larger factories stay aggregated.
pub const MAX_EXPANDED_RACKS: u64 = 5_000;

/// Builds the graph of a factory. With `expand`, row and rack groups become one node per rack
/// (when the factory has at most [`MAX_EXPANDED_RACKS`] racks).
pub fn build(factory: &Factory, plan: &Plan, expand: bool) -> Graph {
    let mut g = Graph::new();
    let total_racks: u64 = plan.sites.iter().map(|s| s.racks).sum();
    let expand = expand && total_racks <= MAX_EXPANDED_RACKS;
    let root = g.add_node(Node::Factory { name: factory.name.value.clone() });
    let mut gpu_nodes: Vec<(usize, NodeIndex)> = Vec::new();
    let mut site_nodes = Vec::new();
    for (si, site) in factory.sites.iter().enumerate() {
        let s = g.add_node(Node::Site { name: site.name.value.clone() });
        site_nodes.push(s);
        g.add_edge(root, s, Edge::Contains);
        for f in &site.power.feeds {
            let n = g.add_node(Node::Feed { name: f.name.value.clone(), capacity_kw: f.capacity.value.kw() });
            g.add_edge(n, s, Edge::Powers);
        }
        let loops: Vec<NodeIndex> = site
            .loops
            .iter()
            .map(|l| {
                let n = g.add_node(Node::Loop { name: l.name.value.clone(), supply_c: l.supply.value.0 });
                g.add_edge(s, n, Edge::Contains);
                for c in &l.cdus {
                    let cn = g.add_node(Node::Cdus { part: c.cdu.id.clone(), count: c.count });
                    g.add_edge(cn, n, Edge::Cools);
                }
                n
            })
            .collect();
        for hall in &site.halls {
            let h = g.add_node(Node::Hall { name: hall.name.value.clone() });
            g.add_edge(s, h, Edge::Contains);
            for row in &hall.rows {
                let row_nodes: Vec<NodeIndex> = if expand {
                    (0..row.count).map(|i| g.add_node(Node::Rows { name: row.row_name(i), count: 1 })).collect()
                } else {
                    vec![g.add_node(Node::Rows { name: row.name.value.clone(), count: row.count })]
                };
                for rn in &row_nodes {
                    g.add_edge(h, *rn, Edge::Contains);
                }
                for rack in &row.racks {
                    let kw = rack.power_nominal().kw();
                    let cooling = RackCooling {
                        needs_loop: match &rack.contents {
                            RackContents::RackScale(s) => s.is_liquid_cooled(),
                            RackContents::Enclosure { enclosure, .. } => enclosure.cooling.needs_loop(),
                        },
                        loop_written: rack.loop_span.is_some(),
                        liquid_kw_each: rack.liquid_heat().kw(),
                        enclosure: match &rack.contents {
                            RackContents::RackScale(_) => None,
                            RackContents::Enclosure { enclosure, .. } => Some(enclosure.cooling),
                        },
                        span: rack.part_span,
                    };
                    let mut rack_nodes = Vec::new();
                    for (ri, rn) in row_nodes.iter().enumerate() {
                        if expand {
                            for k in 0..rack.per_row {
                                let name = format!("{}-{:02}", row.row_name(ri as u64), k + 1);
                                let n = g.add_node(Node::Rack { name, part: rack.part_id().to_string(), kw, cooling });
                                g.add_edge(*rn, n, Edge::Contains);
                                rack_nodes.push(n);
                            }
                        } else {
                            let n = g.add_node(Node::Racks {
                                part: rack.part_id().to_string(),
                                count: row.count * rack.per_row,
                                kw_each: kw,
                                cooling,
                            });
                            g.add_edge(*rn, n, Edge::Contains);
                            rack_nodes.push(n);
                        }
                    }
                    let copies = if expand { 1 } else { row.count * rack.per_row };
                    for rn in rack_nodes {
                        if let Some(l) = rack.loop_index.and_then(|i| loops.get(i)) {
                            g.add_edge(*l, rn, Edge::Cools);
                        }
                        for (system, n) in rack.systems() {
                            let parent = if matches!(rack.contents, RackContents::Enclosure { .. }) {
                                let sn = g.add_node(Node::Systems { part: system.id.clone(), count: n * copies });
                                g.add_edge(rn, sn, Edge::Contains);
                                sn
                            } else {
                                rn
                            };
                            let gn = g.add_node(Node::Gpus {
                                part: factory.gpu(system).id.clone(),
                                count: system.gpu_count * n * copies,
                            });
                            g.add_edge(parent, gn, Edge::Contains);
                            gpu_nodes.push((si, gn));
                        }
                    }
                }
            }
        }
    }
    for (f, fp) in factory.fabrics.iter().zip(&plan.fabrics) {
        let n = g.add_node(Node::Fabric { name: f.name.value.clone(), role: f.role.as_str() });
        g.add_edge(root, n, Edge::Contains);
        let part = fp.switch_id.clone().unwrap_or_default();
        for (tier, count) in [("leaf", fp.switches.leaf), ("spine", fp.switches.spine), ("core", fp.switches.core)] {
            if count > 0 {
                let t = g.add_node(Node::Switches { tier, part: part.clone(), count });
                g.add_edge(n, t, Edge::Contains);
            }
        }
        for share in fp.sites.iter().filter(|s| s.endpoints > 0) {
            if let Some(s) = site_nodes.get(share.site) {
                g.add_edge(n, *s, Edge::Links);
            }
        }
    }
    for w in &factory.workloads {
        let n =
            g.add_node(Node::Workload { name: w.name.value.clone(), model: w.model.id.clone(), gpus: w.gpus.value });
        g.add_edge(root, n, Edge::Contains);
        if let Some(system) = w.system {
            let claimed: Vec<NodeIndex> = gpu_nodes
                .iter()
                .filter(
                    |(_, gn)| matches!(g.node_weight(*gn), Some(Node::Gpus { part, .. }) if *part == factory.gpu(system).id),
                )
                .map(|(_, gn)| *gn)
                .collect();
            for gn in claimed {
                g.add_edge(n, gn, Edge::Claims);
            }
        }
    }
    g
}
