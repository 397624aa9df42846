//! Drawing the constraint graph as Graphviz DOT or Mermaid. Labels are escaped for each format.

use super::{Edge, Graph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::fmt::Write;

fn dot_escape(s: &str) -> String {
    // `\n` in labels is a DOT line break and is kept; quotes and other backslashes are escaped.
    s.replace('\\', "\u{1}").replace('"', "\\\"").replace('\u{1}', "\\")
}

/// Graphviz DOT, with edges styled by kind.
pub fn dot(g: &Graph) -> String {
    let mut out = String::from("digraph factory {\n    rankdir=LR;\n    node [shape=box, fontname=\"Helvetica\"];\n");
    for i in g.node_indices() {
        if let Some(n) = g.node_weight(i) {
            let _ = writeln!(out, "    n{} [label=\"{}\"];", i.index(), dot_escape(&n.label()));
        }
    }
    for e in g.edge_references() {
        let style = match e.weight() {
            Edge::Contains => "",
            Edge::Powers => " [color=\"red\", label=\"powers\"]",
            Edge::Cools => " [color=\"blue\", label=\"cools\"]",
            Edge::Links => " [color=\"darkgreen\", label=\"links\"]",
            Edge::Claims => " [style=dashed, label=\"claims\"]",
        };
        let _ = writeln!(out, "    n{} -> n{}{style};", e.source().index(), e.target().index());
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace("\\n", "<br/>")
}

/// A Mermaid flowchart.
pub fn mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for i in g.node_indices() {
        if let Some(n) = g.node_weight(i) {
            let _ = writeln!(out, "    n{}[\"{}\"]", i.index(), mermaid_escape(&n.label()));
        }
    }
    for e in g.edge_references() {
        let arrow = match e.weight() {
            Edge::Contains => "-->".to_string(),
            Edge::Claims => "-. claims .->".to_string(),
            other => format!("-- {} -->", other.as_str()),
        };
        let _ = writeln!(out, "    n{} {arrow} n{}", e.source().index(), e.target().index());
    }
    out
}
