//! Completion candidates at a cursor, decided from the text of the line and the blocks around it
//! (the text may not parse while it is being typed): part ids of the kinds a position takes, names
//! of loops and sites where a reference is expected, software versions the catalog knows, and the
//! child nodes a block accepts.

use super::index::{Names, PartPosition};
use crate::catalog::{Catalog, Form, Part};

/// What a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandidateKind {
    Part,
    Name,
    Node,
    Version,
}

/// One completion: the text to insert and a short description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub detail: String,
    pub kind: CandidateKind,
}

/// Candidates at byte offset `offset` of `text`.
pub fn candidates(catalog: &Catalog, names: &Names, text: &str, offset: usize) -> Vec<Candidate> {
    let offset = offset.min(text.len());
    let Some(before) = text.get(..offset) else { return Vec::new() };
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.get(line_start..).unwrap_or("");
    let trimmed = line.trim_start();
    // Inside a string: `node "prefix` or `prop="prefix`.
    if line.matches('"').count() % 2 == 1 {
        let open = line.rfind('"').unwrap_or(0);
        let head = line.get(..open).unwrap_or("").trim_end();
        let prefix = line.get(open + 1..).unwrap_or("");
        if let Some(prop) = head.strip_suffix('=') {
            let prop = prop.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
            // `serving "dynamo" version="…`: the engine's releases.
            let mut words = head.split_whitespace();
            if let (Some("serving"), Some(engine), "version") = (words.next(), words.next(), prop) {
                return versions(catalog, &[engine.trim_matches('"')], prefix);
            }
            let site = enclosing_site(before);
            return reference_names(names, prop, site.as_deref(), prefix);
        }
        if let Some(node) = head.split_whitespace().next().filter(|_| head.split_whitespace().count() == 1) {
            if let Some(position) = PartPosition::from_node(node) {
                return part_ids(catalog, position, prefix);
            }
            return versions(catalog, crate::resolve::software_products(node), prefix);
        }
        return Vec::new();
    }
    // A node name being typed at the start of a line.
    if trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        let parent = enclosing_nodes(before.get(..line_start).unwrap_or("")).pop();
        return crate::lower::blueprint::child_names(parent.as_deref())
            .iter()
            .filter(|c| c.starts_with(trimmed))
            .map(|c| Candidate { label: (*c).to_string(), detail: "node".into(), kind: CandidateKind::Node })
            .collect();
    }
    Vec::new()
}

fn part_ids(catalog: &Catalog, position: PartPosition, prefix: &str) -> Vec<Candidate> {
    catalog
        .parts()
        .filter(|p| fits(position, p) && p.id().starts_with(prefix))
        .map(|p| Candidate { label: p.id().to_string(), detail: p.name().to_string(), kind: CandidateKind::Part })
        .collect()
}

/// Whether a part may be written at a position: a `rack` is an enclosure or a rack-scale system,
/// a `system` inside an enclosure is a server.
fn fits(position: PartPosition, part: &Part) -> bool {
    match (position, part) {
        (PartPosition::Rack, Part::Rack(_)) => true,
        (PartPosition::Rack, Part::System(s)) => match s.form {
            Form::RackScale => true,
            Form::Server => false,
        },
        (PartPosition::System, Part::System(s)) => match s.form {
            Form::RackScale => false,
            Form::Server => true,
        },
        (PartPosition::Switch, Part::Switch(_)) | (PartPosition::Cdu, Part::Cdu(_)) => true,
        (PartPosition::Model, Part::Model(_)) => true,
        (PartPosition::Price, p) => p.is_priced(),
        _ => false,
    }
}

/// The releases the catalog knows of some software products, newest first.
fn versions(catalog: &Catalog, products: &[&str], prefix: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for product in products.iter().filter_map(|p| catalog.software(p)) {
        let mut releases: Vec<_> = product.releases.iter().filter(|r| r.version.value.starts_with(prefix)).collect();
        releases.sort_by(|a, b| crate::catalog::version_cmp(&b.version.value, &a.version.value));
        for r in releases {
            let detail = match &r.date {
                Some(date) => format!("{}, {date}", product.name),
                None => product.name.clone(),
            };
            out.push(Candidate { label: r.version.value.clone(), detail, kind: CandidateKind::Version });
        }
    }
    out
}

fn reference_names(names: &Names, prop: &str, site: Option<&str>, prefix: &str) -> Vec<Candidate> {
    let found: Vec<&str> = match prop {
        "loop" => {
            names.loops.iter().filter(|(s, _)| site.is_none_or(|site| site == s)).map(|(_, l)| l.as_str()).collect()
        }
        "site" => names.sites.iter().map(String::as_str).collect(),
        "fabric" => names.fabrics.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    found
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(|n| Candidate { label: n.to_string(), detail: prop.to_string(), kind: CandidateKind::Name })
        .collect()
}

/// The names of the nodes whose blocks are open at the end of `text`, outermost first. Strings and
/// line comments are skipped; a block comment or raw string is not, which only costs a candidate.
fn enclosing_nodes(text: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut node_start = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                node_start = i + 1;
            }
            continue;
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
            '/' if text.get(i + 1..).is_some_and(|r| r.starts_with('/')) => in_comment = true,
            '{' => {
                let head = text.get(node_start..i).unwrap_or("");
                stack.push(head.split_whitespace().next().unwrap_or("").to_string());
                node_start = i + 1;
            }
            '}' => {
                stack.pop();
                node_start = i + 1;
            }
            '\n' | ';' => node_start = i + 1,
            _ => {}
        }
    }
    stack
}

/// The name of the `site` block the end of `text` is in.
fn enclosing_site(text: &str) -> Option<String> {
    let stack = enclosing_nodes(text);
    if stack.first().map(String::as_str) != Some("site") {
        return None;
    }
    let at = text.rfind("\nsite ").map_or(0, |i| i + 1);
    let rest = text.get(at..)?.strip_prefix("site ")?.trim_start().strip_prefix('"')?;
    rest.split('"').next().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_open_blocks() {
        let text = "site \"a\" {\n  // { not a block\n  cooling {\n    loop \"x{\" supply=(C)35 {\n    }\n  }\n  hall \"A\" {\n    ";
        assert_eq!(enclosing_nodes(text), vec!["site".to_string(), "hall".to_string()]);
        assert_eq!(enclosing_site(text).as_deref(), Some("a"));
    }
}
