//! What the names of a blueprint refer to: every part id and every name it defines or uses, with
//! its byte range, and the outline of its nodes. Built from the blueprint as written, so it works
//! for a blueprint that does not resolve.

use crate::ast;
use crate::source::{FileId, Span};

/// What a name in the blueprint stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A catalog part, by the kind of position it is written in.
    Part {
        position: PartPosition,
        id: String,
    },
    Site(String),
    /// Loops are named per site.
    Loop {
        site: String,
        name: String,
    },
    Fabric(String),
    Workload(String),
}

/// Where a part id is written, which decides the kinds it may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartPosition {
    Rack,
    System,
    Switch,
    Cdu,
    Model,
    /// A quote's `price "…"`: any priced part.
    Price,
}

impl PartPosition {
    /// The node names a part id follows, as completion recognises them.
    pub fn from_node(name: &str) -> Option<PartPosition> {
        match name {
            "rack" => Some(PartPosition::Rack),
            "system" => Some(PartPosition::System),
            "switch" => Some(PartPosition::Switch),
            "cdu" => Some(PartPosition::Cdu),
            "model" => Some(PartPosition::Model),
            "price" => Some(PartPosition::Price),
            _ => None,
        }
    }
}

/// One written name: its byte range (quotes included) and what it stands for.
#[derive(Clone, Debug)]
pub struct Reference {
    pub start: usize,
    pub end: usize,
    pub target: Target,
    /// The place that defines the name (a `site "…"`, a `loop "…"`), not a use of it.
    pub definition: bool,
}

/// The names of a blueprint, in text order.
pub fn references(file: FileId, blueprint: &ast::Blueprint) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut push = |span: Span, target: Target, definition: bool| {
        if span.file == file {
            out.push(Reference { start: span.start as usize, end: span.end as usize, target, definition });
        }
    };
    let part = |position: PartPosition, name: &ast::Name| Target::Part { position, id: name.value.clone() };
    for site in &blueprint.sites {
        let site_name = site.name.value.clone();
        push(site.name.span, Target::Site(site_name.clone()), true);
        for l in site.cooling.iter().flat_map(|c| &c.loops) {
            push(l.name.span, Target::Loop { site: site_name.clone(), name: l.name.value.clone() }, true);
            for cdu in &l.cdus {
                push(cdu.part.span, part(PartPosition::Cdu, &cdu.part), false);
            }
        }
        for rack in site.halls.iter().flat_map(|h| &h.rows).flat_map(|r| &r.racks) {
            push(rack.part.span, part(PartPosition::Rack, &rack.part), false);
            if let Some(l) = &rack.loop_ref {
                push(l.span, Target::Loop { site: site_name.clone(), name: l.value.clone() }, false);
            }
            for system in &rack.systems {
                push(system.part.span, part(PartPosition::System, &system.part), false);
            }
        }
    }
    for fabric in &blueprint.fabrics {
        push(fabric.name.span, Target::Fabric(fabric.name.value.clone()), true);
        if let Some(site) = &fabric.site {
            push(site.span, Target::Site(site.value.clone()), false);
        }
        if let Some(switch) = &fabric.switch {
            push(switch.span, part(PartPosition::Switch, switch), false);
        }
    }
    for workload in &blueprint.workloads {
        push(workload.name.span, Target::Workload(workload.name.value.clone()), true);
        if let Some(model) = &workload.model {
            push(model.span, part(PartPosition::Model, model), false);
        }
    }
    for price in blueprint.quote.iter().flat_map(|q| &q.prices) {
        push(price.part.span, part(PartPosition::Price, &price.part), false);
    }
    out.sort_by_key(|r| (r.start, r.end));
    out
}

/// The name written at a byte offset (its range includes both ends, so a cursor just after the
/// closing quote still finds it).
pub fn at(references: &[Reference], offset: usize) -> Option<&Reference> {
    references.iter().find(|r| r.start <= offset && offset <= r.end)
}

/// The names the blueprint defines, for completion where a reference is expected.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub sites: Vec<String>,
    /// `(site, loop)`.
    pub loops: Vec<(String, String)>,
    pub fabrics: Vec<String>,
}

impl Names {
    pub fn of(blueprint: &ast::Blueprint) -> Names {
        let mut names = Names::default();
        for site in &blueprint.sites {
            names.sites.push(site.name.value.clone());
            for l in site.cooling.iter().flat_map(|c| &c.loops) {
                names.loops.push((site.name.value.clone(), l.name.value.clone()));
            }
        }
        names.fabrics = blueprint.fabrics.iter().map(|f| f.name.value.clone()).collect();
        names
    }
}

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Factory,
    Site,
    Loop,
    Hall,
    Row,
    RackGroup,
    Fabric,
    Software,
    Workload,
    Quote,
}

/// One entry of the outline: its name, a short description, its node's range and its name's.
#[derive(Clone, Debug)]
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

fn symbol(name: &ast::Name, detail: String, kind: SymbolKind, span: Span, children: Vec<Symbol>) -> Symbol {
    Symbol { name: name.value.clone(), detail, kind, span, name_span: name.span, children }
}

/// The outline: the factory; sites with their loops and halls → rows → rack groups; fabrics;
/// software; workloads; the quote.
pub fn symbols(blueprint: &ast::Blueprint) -> Vec<Symbol> {
    let mut out = Vec::new();
    if let Some(f) = &blueprint.factory {
        out.push(symbol(&f.name, "factory".into(), SymbolKind::Factory, f.span, Vec::new()));
    }
    for site in &blueprint.sites {
        let mut children = Vec::new();
        for l in site.cooling.iter().flat_map(|c| &c.loops) {
            let cdus: u64 = l.cdus.iter().map(|c| c.count.value).sum();
            children.push(symbol(&l.name, format!("loop, {cdus} CDUs"), SymbolKind::Loop, l.span, Vec::new()));
        }
        for hall in &site.halls {
            let rows = hall
                .rows
                .iter()
                .map(|row| {
                    let racks = row
                        .racks
                        .iter()
                        .map(|r| {
                            let detail = format!("× {}", r.count());
                            symbol(&r.part, detail, SymbolKind::RackGroup, r.span, Vec::new())
                        })
                        .collect();
                    symbol(&row.name, format!("row × {}", row.count()), SymbolKind::Row, row.span, racks)
                })
                .collect();
            children.push(symbol(&hall.name, "hall".into(), SymbolKind::Hall, hall.span, rows));
        }
        out.push(symbol(&site.name, "site".into(), SymbolKind::Site, site.span, children));
    }
    for fabric in &blueprint.fabrics {
        let role = fabric.role.as_ref().map_or("fabric", |r| r.value.as_str());
        out.push(symbol(&fabric.name, format!("{role} fabric"), SymbolKind::Fabric, fabric.span, Vec::new()));
    }
    if let Some(span) = blueprint.software.as_ref().and_then(|s| s.span) {
        let name = ast::Name { value: "software".into(), span };
        out.push(symbol(&name, String::new(), SymbolKind::Software, span, Vec::new()));
    }
    for w in &blueprint.workloads {
        let detail = w.model.as_ref().map_or_else(|| "workload".to_string(), |m| format!("workload, {}", m.value));
        out.push(symbol(&w.name, detail, SymbolKind::Workload, w.span, Vec::new()));
    }
    if let Some(q) = &blueprint.quote {
        let name = ast::Name { value: "quote".into(), span: q.span };
        out.push(symbol(&name, String::new(), SymbolKind::Quote, q.span, Vec::new()));
    }
    out
}

/// Where the node whose head ends at byte `head_end` ends: after the `}` that closes its block,
/// or at the end of its line when it has none (strings and line comments skipped), so an outline
/// entry's range holds its children.
pub fn node_end(text: &str, head_end: usize) -> usize {
    let Some(rest) = text.get(head_end..) else { return head_end };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    for (i, c) in rest.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            if in_comment || depth > 0 {
                continue;
            }
            return head_end + i;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                (false, _) => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if rest.get(i + 1..).is_some_and(|r| r.starts_with('/')) => in_comment = true,
            '{' => depth += 1,
            '}' if depth <= 1 => return head_end + i + 1,
            '}' => depth -= 1,
            '\n' | ';' if depth == 0 => return head_end + i,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::node_end;

    #[test]
    fn a_node_ends_after_its_block() {
        let text = "hall \"A\" {\n  row \"}\" { } // }\n}\nnext";
        let head = text.find('{').unwrap_or(0);
        assert_eq!(node_end(text, head), text.find("\nnext").unwrap_or(0));
        let flat = "rack \"x\" count=2 // { not a block\nrow";
        assert_eq!(node_end(flat, 8), flat.find('\n').unwrap_or(0));
    }
}
