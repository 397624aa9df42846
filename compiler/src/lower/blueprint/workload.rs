//! Lowers a `workload`: the model, precision, token shape, GPUs and service-level objectives.

use super::*;

/// The children a `workload` node may have.
pub(super) const WORKLOAD_CHILDREN: &[&str] = &["model", "precision", "tokens", "slo", "gpus", "serving"];

pub(super) fn lower_workload(cx: &mut Cx, node: &Node) -> Option<Workload> {
    let mut r = NodeReader::new(node);
    let name = node_name(cx, &mut r, "a workload name", "workload \"assistant\"");
    r.finish(cx);
    let span = cx.node_head_span(node);
    let mut w = Workload {
        name: name.clone().unwrap_or_else(|| Spanned::new(String::new(), span)),
        model: None,
        precision: None,
        tokens: None,
        slo: None,
        gpus: None,
        serving: None,
        span,
    };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if !WORKLOAD_CHILDREN.contains(&key) {
            read::unknown_child(cx, "workload", child, WORKLOAD_CHILDREN);
            continue;
        }
        if !once.first(cx, "workload", child) {
            continue;
        }
        match key {
            "model" => {
                if let Some(e) = read::single_arg(cx, child, "model \"llama-3.3-70b\"") {
                    w.model = read::name(cx, e, "the model");
                }
            }
            "precision" => {
                if let Some(e) = read::single_arg(cx, child, "precision \"fp8\"") {
                    w.precision = read::choice(cx, e, "the precision", Precision::CHOICES)
                        .and_then(|c| Precision::parse(c.value).map(|p| Spanned::new(p, c.span)));
                }
            }
            "tokens" => {
                let mut r = NodeReader::new(child);
                let example = "tokens input=2048 output=512";
                let input = r.required_prop(cx, "input", example).and_then(|e| read::count(cx, e, "the input tokens"));
                let output =
                    r.required_prop(cx, "output", example).and_then(|e| read::count(cx, e, "the output tokens"));
                r.finish(cx);
                read::no_children(cx, child);
                if let (Some(input), Some(output)) = (input, output) {
                    w.tokens = Some(Tokens { input, output, span: cx.node_head_span(child) });
                }
            }
            "slo" => {
                let mut r = NodeReader::new(child);
                let ttft = r.prop(cx, "ttft").and_then(|e| read::quantity(cx, e, "the TTFT target", Dimension::Time));
                let tpot = r.prop(cx, "tpot").and_then(|e| read::quantity(cx, e, "the TPOT target", Dimension::Time));
                let any_written =
                    child.entries().iter().any(|e| matches!(e.name().map(|n| n.value()), Some("ttft") | Some("tpot")));
                r.finish(cx);
                read::no_children(cx, child);
                if !any_written {
                    cx.emit(
                        Diagnostic::new(codes::E0105, "`slo` needs `ttft=` or `tpot=` (or both)")
                            .label(cx.node_head_span(child), "no target given")
                            .help("write it like `slo ttft=(ms)800 tpot=(ms)25`, or remove it for offline throughput"),
                    );
                }
                let to_s = |q: Spanned<f64>| Spanned::new(Seconds(q.value), q.span);
                for q in [&ttft, &tpot].into_iter().flatten() {
                    if q.value <= 0.0 {
                        cx.emit(
                            Diagnostic::new(codes::E0109, "a latency target must be above zero")
                                .label(q.span, "zero")
                                .help("write a positive time, like `(ms)25`"),
                        );
                    }
                }
                w.slo = Some(Slo {
                    ttft: ttft.filter(|q| q.value > 0.0).map(to_s),
                    tpot: tpot.filter(|q| q.value > 0.0).map(to_s),
                    span: cx.node_head_span(child),
                });
            }
            "serving" => {
                let mut r = NodeReader::new(child);
                let example = "serving mode=\"disaggregated\"";
                w.serving = r.required_prop(cx, "mode", example).and_then(|e| {
                    read::choice(cx, e, "the serving mode", ServingMode::CHOICES)
                        .and_then(|c| ServingMode::parse(c.value).map(|m| Spanned::new(m, c.span)))
                });
                r.finish(cx);
                read::no_children(cx, child);
            }
            _ => {
                if let Some(e) = read::single_arg(cx, child, "gpus 64") {
                    w.gpus = read::count(cx, e, "the GPU count");
                }
            }
        }
    }
    if name.is_some() {
        let missing: Vec<&str> = [
            ("model", w.model.is_none() && !has_child(node, "model")),
            ("precision", w.precision.is_none() && !has_child(node, "precision")),
            ("tokens", w.tokens.is_none() && !has_child(node, "tokens")),
            ("gpus", w.gpus.is_none() && !has_child(node, "gpus")),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            cx.emit(
                Diagnostic::new(
                    codes::E0105,
                    format!(
                        "workload \"{}\" is missing {}",
                        w.name.value,
                        missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .label(span, "incomplete workload")
                .help("a workload needs `model`, `precision`, `tokens input=… output=…` and `gpus`"),
            );
        }
    }
    name.map(|_| w)
}
