//! The `model` part: a language model's published architecture.

use super::{opt_prop, req_prop};
use super::{Catalog, Fields};
use crate::lower::read::{self, Cx, NodeReader};
use crate::source::Span;
use crate::syntax::tree::Node;
use crate::units::Precision;
use crate::units::*;

/// Architecture fields of a language model, as its published configuration gives them.
#[derive(Clone, Debug)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub parameters: f64,
    pub active_parameters: f64,
    pub layers: u64,
    pub hidden_size: u64,
    /// The feed-forward width (of each expert, for mixtures of experts); documentation only.
    pub intermediate_size: Option<u64>,
    pub vocab_size: u64,
    pub context_length: u64,
    /// The format the model was published in (BF16 unless said).
    pub weights: Precision,
    pub attention: Attention,
    pub experts: Option<Experts>,
    pub sliding_window: Option<SlidingWindow>,
    /// Multi-token-prediction layers (0 without `mtp`).
    pub mtp_layers: u64,
    /// Share of MTP draft tokens the full model accepts, as measured for this model (0 without
    /// `mtp`).
    pub mtp_acceptance: f64,
    pub checkpoints: Vec<(Precision, Bytes)>,
    pub span: Span,
}

/// How a model's attention keeps its key-value cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attention {
    /// Grouped-query attention: `kv_heads` key-value heads (all heads when not said) of `head_dim`
    /// (hidden size over heads when not said).
    Gqa { heads: u64, kv_heads: Option<u64>, head_dim: Option<u64> },
    /// Multi-head latent attention (DeepSeek): a compressed latent of `kv_lora_rank` plus a
    /// decoupled rotary key of `rope_head_dim`; `head_dim` is the non-rotary query/key width and
    /// `v_head_dim` the value width (`head_dim` when not said).
    Mla { heads: u64, kv_lora_rank: u64, rope_head_dim: u64, head_dim: u64, v_head_dim: Option<u64> },
}

/// A mixture of experts: `total` routed experts of which `active` run per token, `shared` always
/// run, in `layers` of the model's layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Experts {
    pub total: u64,
    pub active: u64,
    pub shared: u64,
    pub layers: u64,
    pub intermediate_size: u64,
}

/// Attention limited to the last `tokens` tokens in `layers` of the layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlidingWindow {
    pub tokens: u64,
    pub layers: u64,
}

/// Decodes a `model` part.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, _catalog: &Catalog) -> Option<Model> {
    let f = Fields::new(
        cx,
        node,
        "model",
        &[
            "name",
            "parameters",
            "active-parameters",
            "layers",
            "hidden-size",
            "intermediate-size",
            "vocab-size",
            "attention",
            "experts",
            "sliding-window",
            "mtp",
            "context-length",
            "weights",
        ],
        &["checkpoint"],
    );
    let name = f.req_string(cx, "name", "name \"…\"");
    let parameters = req_number(cx, &f, "parameters", "parameters 70.6e9");
    let active = req_number(cx, &f, "active-parameters", "active-parameters 70.6e9");
    let layers = f.req_count(cx, "layers", "layers 80");
    let hidden = f.req_count(cx, "hidden-size", "hidden-size 8192");
    let intermediate = f.count(cx, "intermediate-size", "intermediate-size 28672").map(|c| c.value);
    let vocab = f.req_count(cx, "vocab-size", "vocab-size 128256");
    let context = f.req_count(cx, "context-length", "context-length 131072");
    let weights = f
        .arg(cx, "weights", "weights \"bf16\"")
        .and_then(|e| read::choice(cx, e, "the weight format", Precision::CHOICES))
        .and_then(|c| Precision::parse(c.value));
    let attention = attention(cx, &f);
    if f.node("attention").is_none() {
        f.missing(cx, "attention", "attention kind=\"gqa\" heads=64 kv-heads=8 head-dim=128");
    }
    let experts = f.props("experts").and_then(|mut r| {
        let example = "experts total=256 active=8 shared=1 layers=58 expert-intermediate-size=2048";
        let total = req_prop(cx, &mut r, "total", example, |cx, e| read::count(cx, e, "the expert count"));
        let active = req_prop(cx, &mut r, "active", example, |cx, e| read::count(cx, e, "the active experts"));
        let shared = opt_prop(cx, &mut r, "shared", |cx, e| read::integer_at_least(cx, e, "the shared experts", 0));
        let layers = req_prop(cx, &mut r, "layers", example, |cx, e| read::count(cx, e, "the expert layers"));
        let size = req_prop(cx, &mut r, "expert-intermediate-size", example, |cx, e| {
            read::count(cx, e, "the expert intermediate size")
        });
        r.finish(cx);
        Some(Experts {
            total: total?.value,
            active: active?.value,
            shared: shared.map(|s| s.value).unwrap_or(0),
            layers: layers?.value,
            intermediate_size: size?.value,
        })
    });
    let sliding_window = f.props("sliding-window").and_then(|mut r| {
        let example = "sliding-window tokens=128 layers=18";
        let tokens = req_prop(cx, &mut r, "tokens", example, |cx, e| read::count(cx, e, "the window"));
        let layers = req_prop(cx, &mut r, "layers", example, |cx, e| read::count(cx, e, "the windowed layers"));
        r.finish(cx);
        Some(SlidingWindow { tokens: tokens?.value, layers: layers?.value })
    });
    let mtp = f.props("mtp").and_then(|mut r| {
        let example = "mtp layers=1 acceptance=0.81";
        let layers = req_prop(cx, &mut r, "layers", example, |cx, e| read::count(cx, e, "the MTP layers"));
        let acceptance = req_prop(cx, &mut r, "acceptance", example, |cx, e| {
            read::number_in(cx, e, "the MTP draft acceptance", 0.0, 1.0)
        });
        r.finish(cx);
        Some((layers?.value, acceptance?.value))
    });
    let mut checkpoints = Vec::new();
    for c in f.all("checkpoint") {
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
    Some(Model {
        id: id.to_string(),
        name: name?.value,
        parameters: parameters?,
        active_parameters: active?,
        layers: layers?.value,
        hidden_size: hidden?.value,
        intermediate_size: intermediate,
        vocab_size: vocab?.value,
        context_length: context?.value,
        weights: weights.unwrap_or(Precision::Bf16),
        attention: attention?,
        experts,
        sliding_window,
        mtp_layers: mtp.map_or(0, |m| m.0),
        mtp_acceptance: mtp.map_or(0.0, |m| m.1),
        checkpoints,
        span: cx.node_head_span(node),
    })
}

/// A required unitless number field, like `parameters 70.6e9`.
fn req_number(cx: &mut Cx, f: &Fields, name: &str, example: &str) -> Option<f64> {
    if f.node(name).is_none() {
        f.missing(cx, name, example);
        return None;
    }
    let e = f.arg(cx, name, example)?;
    read::number(cx, e, &format!("`{name}`")).map(|n| n.value)
}

/// `attention kind="gqa" heads=… kv-heads=… head-dim=…` or `attention kind="mla" heads=…
/// kv-lora-rank=… rope-head-dim=… head-dim=… v-head-dim=…`.
fn attention(cx: &mut Cx, f: &Fields) -> Option<Attention> {
    let mut r = f.props("attention")?;
    let example = "attention kind=\"gqa\" heads=64 kv-heads=8 head-dim=128";
    let kind =
        req_prop(cx, &mut r, "kind", example, |cx, e| read::choice(cx, e, "the attention kind", &["gqa", "mla"]));
    let heads = req_prop(cx, &mut r, "heads", example, |cx, e| read::count(cx, e, "the attention heads"));
    let attention = match kind.map(|k| k.value) {
        Some("mla") => {
            let example = "attention kind=\"mla\" heads=128 kv-lora-rank=512 rope-head-dim=64 head-dim=128";
            let rank = req_prop(cx, &mut r, "kv-lora-rank", example, |cx, e| read::count(cx, e, "the latent rank"));
            let rope =
                req_prop(cx, &mut r, "rope-head-dim", example, |cx, e| read::count(cx, e, "the rotary head width"));
            let head_dim = req_prop(cx, &mut r, "head-dim", example, |cx, e| read::count(cx, e, "the head width"));
            let v_head_dim = opt_prop(cx, &mut r, "v-head-dim", |cx, e| read::count(cx, e, "the value head width"));
            Some(Attention::Mla {
                heads: heads?.value,
                kv_lora_rank: rank?.value,
                rope_head_dim: rope?.value,
                head_dim: head_dim?.value,
                v_head_dim: v_head_dim.map(|v| v.value),
            })
        }
        Some(_) => {
            let kv_heads = opt_prop(cx, &mut r, "kv-heads", |cx, e| read::count(cx, e, "the key-value heads"));
            let head_dim = opt_prop(cx, &mut r, "head-dim", |cx, e| read::count(cx, e, "the head width"));
            Some(Attention::Gqa {
                heads: heads?.value,
                kv_heads: kv_heads.map(|k| k.value),
                head_dim: head_dim.map(|h| h.value),
            })
        }
        None => None,
    };
    r.finish(cx);
    attention
}
