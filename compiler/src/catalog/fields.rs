//! Reading a part's child nodes as named fields: each known field at most once, unknown ones
//! reported with suggestions, required ones reported when missing.

use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader, Spanned};
use crate::syntax::tree::{Entry, Node};
use crate::units::{Dimension, Money};

/// The child nodes of a part, by name.
pub struct Fields<'n> {
    pub part: &'n Node,
    singles: Vec<(&'n str, &'n Node)>,
    repeated: Vec<(&'n str, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// Sorts `part`'s children into fields; `single` may appear once, `multi` any number of times.
    pub fn new(cx: &mut Cx, part: &'n Node, kind: &str, single: &[&str], multi: &[&str]) -> Fields<'n> {
        let mut f = Fields { part, singles: Vec::new(), repeated: Vec::new() };
        let known: Vec<&str> = single.iter().chain(multi.iter()).copied().collect();
        for child in part.children().map(|d| d.nodes()).unwrap_or(&[]) {
            let name = child.name().value();
            if multi.contains(&name) {
                f.repeated.push((name, child));
            } else if single.contains(&name) {
                if let Some((_, first)) = f.singles.iter().find(|(n, _)| *n == name) {
                    let first = cx.node_name_span(first);
                    read::duplicate_child(cx, codes::E0112, kind, first, child);
                } else {
                    f.singles.push((name, child));
                }
            } else {
                read::unknown_child(cx, kind, child, &known);
            }
        }
        f
    }

    pub fn node(&self, name: &str) -> Option<&'n Node> {
        self.singles.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &'n Node> + '_ {
        let name = name.to_string();
        self.repeated.iter().filter(move |(n, _)| *n == name).map(|(_, c)| *c)
    }

    pub(crate) fn missing(&self, cx: &mut Cx, name: &str, example: &str) {
        cx.emit(
            Diagnostic::new(codes::E0105, format!("`{}` needs `{name}`", self.part.name().value()))
                .label(cx.node_head_span(self.part), format!("`{name}` missing"))
                .help(format!("add `{example}`")),
        );
    }

    /// The single argument of field `name`, if present.
    pub fn arg(&self, cx: &mut Cx, name: &str, example: &str) -> Option<&'n Entry> {
        let node = self.node(name)?;
        read::single_arg(cx, node, example)
    }

    pub fn string(&self, cx: &mut Cx, name: &str, example: &str) -> Option<Spanned<String>> {
        let e = self.arg(cx, name, example)?;
        read::string(cx, e, &format!("`{name}`"))
    }

    pub fn req_string(&self, cx: &mut Cx, name: &str, example: &str) -> Option<Spanned<String>> {
        if self.node(name).is_none() {
            self.missing(cx, name, example);
            return None;
        }
        self.string(cx, name, example)
    }

    pub fn req_choice(
        &self,
        cx: &mut Cx,
        name: &str,
        choices: &[&'static str],
        example: &str,
    ) -> Option<Spanned<&'static str>> {
        if self.node(name).is_none() {
            self.missing(cx, name, example);
            return None;
        }
        let e = self.arg(cx, name, example)?;
        read::choice(cx, e, &format!("`{name}`"), choices)
    }

    pub fn quantity(&self, cx: &mut Cx, name: &str, dim: Dimension, example: &str) -> Option<Spanned<f64>> {
        let e = self.arg(cx, name, example)?;
        read::quantity(cx, e, &format!("`{name}`"), dim)
    }

    pub fn req_quantity(&self, cx: &mut Cx, name: &str, dim: Dimension, example: &str) -> Option<Spanned<f64>> {
        if self.node(name).is_none() {
            self.missing(cx, name, example);
            return None;
        }
        self.quantity(cx, name, dim, example)
    }

    pub fn count(&self, cx: &mut Cx, name: &str, example: &str) -> Option<Spanned<u64>> {
        let e = self.arg(cx, name, example)?;
        read::count(cx, e, &format!("`{name}`"))
    }

    pub fn req_count(&self, cx: &mut Cx, name: &str, example: &str) -> Option<Spanned<u64>> {
        if self.node(name).is_none() {
            self.missing(cx, name, example);
            return None;
        }
        self.count(cx, name, example)
    }

    pub fn boolean(&self, cx: &mut Cx, name: &str) -> Option<Spanned<bool>> {
        let e = self.arg(cx, name, &format!("{name} #true"))?;
        read::boolean(cx, e, &format!("`{name}`"))
    }

    /// A field written with properties only (`power nominal=(kW)10 peak=(kW)11`): a reader for it.
    pub fn props(&self, name: &str) -> Option<NodeReader<'n>> {
        self.node(name).map(NodeReader::new)
    }

    /// `price (USD)250000 date="2025-06"`: an estimate with its date.
    pub fn price(&self, cx: &mut Cx) -> Option<Price> {
        let node = self.node("price")?;
        let mut r = NodeReader::new(node);
        let example = "price (USD)250000 date=\"2025-06\"";
        let amount = r.required_arg(cx, 0, "an amount", example).and_then(|e| read::money(cx, e, "the price"));
        let date = r.required_prop(cx, "date", example).and_then(|e| read::string(cx, e, "the price date"));
        r.finish(cx);
        read::no_children(cx, node);
        Some(Price { amount: amount?.value, date: date?.value, span: cx.node_head_span(node) })
    }
}

/// A catalog price: always an estimate, always dated.
#[derive(Clone, Debug)]
pub struct Price {
    pub amount: Money,
    pub date: String,
    pub span: crate::source::Span,
}

/// A required property of a property-style field, converted with `f`.
pub fn req_prop<T>(
    cx: &mut Cx,
    r: &mut NodeReader,
    key: &'static str,
    example: &str,
    f: impl FnOnce(&mut Cx, &Entry) -> Option<T>,
) -> Option<T> {
    let e = r.required_prop(cx, key, example)?;
    f(cx, e)
}

/// An optional property of a property-style field, converted with `f`.
pub fn opt_prop<T>(
    cx: &mut Cx,
    r: &mut NodeReader,
    key: &'static str,
    f: impl FnOnce(&mut Cx, &Entry) -> Option<T>,
) -> Option<T> {
    let e = r.prop(cx, key)?;
    f(cx, e)
}
