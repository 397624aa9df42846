//! Drawing the constraint graph as Graphviz DOT or Mermaid. Labels are escaped for each format.

use super::{Edge, Graph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::fmt::Write;

/// A DOT quoted string's content: backslashes and quotes escaped, so no name can end the string
/// (and add attributes such as `URL`) or use DOT's escape sequences (`\N`, `\G`, `\l`); line
/// breaks become DOT's centred line break `\n`, other control characters spaces.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
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

/// A Mermaid quoted label: quotes as the `#quot;` entity, `#` (which starts entities) as `#35;`,
/// angle brackets as entities so a name cannot become markup, and line breaks as `<br/>`.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#60;"),
            '>' => out.push_str("#62;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::{dot_escape, mermaid_escape};

    /// Reads a DOT quoted string from the start of `s` as Graphviz does: a backslash escapes a
    /// quote, anything else ends at the first unescaped quote. Returns the rest after it.
    fn dot_string_end(s: &str) -> Option<&str> {
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => return s.get(i + 1..),
                _ => {}
            }
        }
        None
    }

    #[test]
    fn dot_labels_cannot_be_left() {
        for name in ["hq-lab\\", "a\\\"] [URL=\"javascript:alert(1)\"", "x\\\\\"", "\\N\\G\\l", "two\nlines\r"] {
            let quoted = format!("\"{}\"];", dot_escape(name));
            let rest = quoted.get(1..).and_then(dot_string_end);
            assert_eq!(rest, Some("];"), "{name:?} leaves its label: {quoted}");
            assert!(!quoted.contains('\r'));
        }
        assert_eq!(dot_escape("site hq-lab\\"), "site hq-lab\\\\");
        assert_eq!(dot_escape("feed a\n40 kW"), "feed a\\n40 kW");
    }

    #[test]
    fn mermaid_labels_stay_text() {
        assert_eq!(mermaid_escape("a\"b<i>#x\nc"), "a#quot;b#60;i#62;#35;x<br/>c");
    }
}
