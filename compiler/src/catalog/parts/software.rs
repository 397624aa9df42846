//! The `software` part: a product and the compatibility facts of its releases.

use super::req_prop;
use super::{Catalog, Fields};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader, Spanned};
use crate::source::Span;
use kdl::KdlNode;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct SoftwareRelease {
    pub version: Spanned<String>,
    /// The release's facts as written (`status`, `min-driver`, `gpus`, …).
    pub facts: BTreeMap<String, Spanned<String>>,
    /// `supports ARCH min=VERSION` lines: the first version supporting each architecture.
    pub supports: Vec<(String, String)>,
}

impl SoftwareRelease {
    pub fn fact(&self, key: &str) -> Option<&str> {
        self.facts.get(key).map(|s| s.value.as_str())
    }

    /// A space-separated list fact, like `gpus="mi300x mi355x"`.
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.fact(key).map(|s| s.split_whitespace().collect()).unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct Software {
    pub id: String,
    pub name: String,
    pub engine: Option<String>,
    pub releases: Vec<SoftwareRelease>,
    pub span: Span,
}

/// Decodes a `software` part: a product and its releases.
pub(super) fn decode(cx: &mut Cx, node: &KdlNode, id: &str, _catalog: &Catalog) -> Option<Software> {
    let f = Fields::new(cx, node, "software", &["name", "engine", "vendor"], &["release"]);
    let name = f.req_string(cx, "name", "name \"…\"");
    let engine = f.string(cx, "engine", "engine \"vllm\"").map(|s| s.value);
    let _ = f.string(cx, "vendor", "vendor \"nvidia\"");
    let mut releases = Vec::new();
    for n in f.all("release") {
        let Some(version) =
            n.entries().iter().find(|e| e.name().is_none()).and_then(|e| read::name(cx, e, "the release version"))
        else {
            cx.emit(
                Diagnostic::new(codes::E0105, "`release` needs a version")
                    .label(cx.node_head_span(n), "no version")
                    .help("write `release \"1.0\" …`"),
            );
            continue;
        };
        let mut facts = BTreeMap::new();
        let mut positional = 0;
        for e in n.entries() {
            match e.name() {
                None => {
                    positional += 1;
                    if positional > 1 {
                        cx.emit(
                            Diagnostic::new(codes::E0104, "`release` takes one argument, the version")
                                .label(cx.span(e.span()), "unexpected argument")
                                .help("write other facts as properties, like `status=\"supported\"`"),
                        );
                    }
                }
                Some(k) => {
                    if let Some(v) = read::string(cx, e, &format!("`{}`", k.value())) {
                        facts.insert(k.value().to_string(), v);
                    }
                }
            }
        }
        let mut supports = Vec::new();
        for c in n.children().map(|d| d.nodes()).unwrap_or(&[]) {
            if c.name().value() != "supports" {
                read::unknown_child(cx, "release", c, &["supports"]);
                continue;
            }
            let mut r = NodeReader::new(c);
            let example = "supports \"blackwell\" min=\"570.133.20\"";
            let arch =
                r.required_arg(cx, 0, "an architecture", example).and_then(|e| read::string(cx, e, "the architecture"));
            let min = req_prop(cx, &mut r, "min", example, |cx, e| read::string(cx, e, "the minimum version"));
            r.finish(cx);
            if let (Some(a), Some(m)) = (arch, min) {
                supports.push((a.value, m.value));
            }
        }
        releases.push(SoftwareRelease { version, facts, supports });
    }
    Some(Software { id: id.to_string(), name: name?.value, engine, releases, span: cx.node_head_span(node) })
}
