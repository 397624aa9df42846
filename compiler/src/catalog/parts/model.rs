//! The `model` part: a language model's published architecture.

use super::req_prop;
use super::Catalog;
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::Precision;
use crate::units::*;
use std::collections::BTreeMap;

/// Architecture fields of a language model, as its published configuration gives them.
#[derive(Clone, Debug)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub parameters: f64,
    pub active_parameters: f64,
    pub layers: u64,
    pub hidden_size: u64,
    pub context_length: u64,
    pub weights: Precision,
    /// Every other field of the file, kept by name for the performance model.
    pub fields: BTreeMap<String, BTreeMap<String, f64>>,
    pub checkpoints: Vec<(Precision, Bytes)>,
    pub span: Span,
}

/// Decodes a `model` part. The fields every check needs are typed; the rest are kept by name for
/// the performance model.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Model> {
    let mut fields: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let mut checkpoints = Vec::new();
    let mut name = None;
    let mut weights = None;
    let mut seen: Vec<(String, Span)> = Vec::new();
    for c in node.children().map(|d| d.nodes()).unwrap_or(&[]) {
        let key = c.name().value();
        if key != "checkpoint" {
            if let Some((_, first)) = seen.iter().find(|(n, _)| n == key) {
                read::duplicate_child(cx, codes::E0112, "model", *first, c);
                continue;
            }
            seen.push((key.to_string(), cx.node_name_span(c)));
        }
        match key {
            "name" => name = read::single_arg(cx, c, "name \"…\"").and_then(|e| read::string(cx, e, "the name")),
            "weights" => {
                weights = read::single_arg(cx, c, "weights \"bf16\"")
                    .and_then(|e| read::choice(cx, e, "the weight format", Precision::CHOICES))
                    .and_then(|c| Precision::parse(c.value))
            }
            "checkpoint" => {
                let mut r = NodeReader::new(c);
                let example = "checkpoint \"fp4\" size=(GB)415";
                let p = r
                    .required_arg(cx, 0, "a precision", example)
                    .and_then(|e| read::choice(cx, e, "the checkpoint precision", Precision::CHOICES));
                let size = req_prop(cx, &mut r, "size", example, |cx, e| {
                    read::quantity(cx, e, "the checkpoint size", Dimension::Memory)
                });
                r.finish(cx);
                if let (Some(p), Some(size)) = (p, size) {
                    if let Some(p) = Precision::parse(p.value) {
                        checkpoints.push((p, Bytes(size.value)));
                    }
                }
            }
            _ => {
                // Numeric fields: `layers 80` (argument under key "") or `attention heads=64 …`.
                let mut values = BTreeMap::new();
                for e in c.entries() {
                    let k = e.name().map(|n| n.value().to_string()).unwrap_or_default();
                    let v = match e.value() {
                        crate::syntax::tree::Value::String(s) => {
                            values.insert(format!("{k}={s}"), 1.0);
                            continue;
                        }
                        _ => match e.ty() {
                            Some(_) => read::quantity(cx, e, &format!("`{key}`"), Dimension::Memory).map(|q| q.value),
                            None => read::number(cx, e, &format!("`{key}`")).map(|q| q.value),
                        },
                    };
                    if let Some(v) = v {
                        values.insert(k, v);
                    }
                }
                fields.insert(key.to_string(), values);
            }
        }
    }
    let mut get = |field: &str, example: &str| -> Option<f64> {
        let v = fields.get(field).and_then(|m| m.get("")).copied();
        if v.is_none() {
            cx.emit(
                Diagnostic::new(codes::E0105, format!("`model` needs `{field}`"))
                    .label(cx.node_head_span(node), format!("`{field}` missing"))
                    .help(format!("add `{example}`")),
            );
        }
        v
    };
    let parameters = get("parameters", "parameters 70.6e9");
    let active = get("active-parameters", "active-parameters 70.6e9");
    let layers = get("layers", "layers 80");
    let hidden = get("hidden-size", "hidden-size 8192");
    let context = get("context-length", "context-length 131072");
    if name.is_none() {
        cx.emit(
            Diagnostic::new(codes::E0105, "`model` needs `name`")
                .label(cx.node_head_span(node), "`name` missing")
                .help("add `name \"…\"`"),
        );
    }
    Some(Model {
        id: id.to_string(),
        name: name?.value,
        parameters: parameters?,
        active_parameters: active?,
        layers: layers? as u64,
        hidden_size: hidden? as u64,
        context_length: context? as u64,
        weights: weights.unwrap_or(Precision::Bf16),
        fields,
        checkpoints,
        span: cx.node_head_span(node),
    })
}
