//! Lowers a blueprint's KDL tree to `ast::Blueprint`, reporting every shape and unit error and
//! carrying on: one bad node does not hide the errors of the others.
//!
//! One file per top-level node: `factory`, `site`, `fabric`, `software`, `workload`, `quote`,
//! `allow`;
//! this module reads the document and the helpers they share.

mod allow;
mod fabric;
mod factory;
mod quote;
mod site;
mod software;
mod workload;

use super::read::{self, Cx, NodeReader, Spanned};
use crate::ast::*;
use crate::diag::{codes, Diagnostic};
use crate::source::Span;
use crate::syntax::tree::{Document, Node};
use crate::units::{Celsius, Dimension, Money, Seconds, Watts};
use fabric::lower_fabric;
use factory::lower_factory;
use quote::lower_quote;
use site::lower_site;
use software::lower_software;
use workload::lower_workload;

const TOP: &[&str] = &["factory", "site", "fabric", "software", "workload", "quote", "allow"];

/// The children a node of a blueprint may have, by the node's name (`None`: the top level), as
/// the readers accept them; an editor offers them. Nodes read as properties only have none.
pub fn child_names(parent: Option<&str>) -> &'static [&'static str] {
    match parent {
        None => TOP,
        Some("factory") => factory::FACTORY_CHILDREN,
        Some("site") => site::SITE_CHILDREN,
        Some("power") => site::POWER_CHILDREN,
        Some("cooling") => site::COOLING_CHILDREN,
        Some("loop") => site::LOOP_CHILDREN,
        Some("hall") => site::HALL_CHILDREN,
        Some("row") => site::ROW_CHILDREN,
        Some("rack") => site::RACK_CHILDREN,
        Some("fabric") => fabric::FABRIC_CHILDREN,
        Some("software") => software::SOFTWARE_CHILDREN,
        Some("workload") => workload::WORKLOAD_CHILDREN,
        Some("quote") => quote::QUOTE_CHILDREN,
        Some(_) => &[],
    }
}

/// Tracks nodes that may appear once in a parent, to report repeats with both spans.
#[derive(Default)]
pub(super) struct Once {
    seen: Vec<(String, Span)>,
}

impl Once {
    /// True the first time `node`'s name is seen; a repeat reports E0112 and returns false.
    pub(super) fn first(&mut self, cx: &mut Cx, parent: &str, node: &Node) -> bool {
        let name = node.name().value();
        if let Some((_, first)) = self.seen.iter().find(|(n, _)| n == name) {
            read::duplicate_child(cx, codes::E0112, parent, *first, node);
            return false;
        }
        self.seen.push((name.to_string(), cx.node_name_span(node)));
        true
    }
}

pub(super) fn children(node: &Node) -> &[Node] {
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
            "site" => {
                let rejected = cx.counts_rejected;
                bp.sites.extend(lower_site(cx, node));
                bp.site_counts_rejected |= cx.counts_rejected > rejected;
            }
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
            "allow" => allow::lower_allow(cx, node),
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

pub(super) fn node_name(cx: &mut Cx, r: &mut NodeReader, what: &str, example: &str) -> Option<Name> {
    let entry = r.required_arg(cx, 0, what, example)?;
    read::name(cx, entry, what)
}

/// A child whose name is a misspelling of `name` (its E0102 already suggests the fix).
pub(super) fn misspelt_child(node: &Node, name: &str) -> bool {
    children(node)
        .iter()
        .any(|c| c.name().value() != name && !crate::diag::suggest(c.name().value(), [name]).is_empty())
}

pub(super) fn has_descendant(node: &Node, name: &str) -> bool {
    children(node).iter().any(|c| c.name().value() == name || has_descendant(c, name))
}

pub(super) fn has_child(node: &Node, name: &str) -> bool {
    children(node).iter().any(|c| c.name().value() == name)
}
