//! Lowers the `software` block: the platform versions and serving engines, per factory or site.

use super::*;

/// The children a `software` node may have.
pub(super) const SOFTWARE_CHILDREN: &[&str] =
    &["os", "driver", "cuda", "rocm", "kubernetes", "gpu-operator", "dra-driver", "serving"];

pub(super) fn lower_software(cx: &mut Cx, node: &Node) -> Software {
    NodeReader::new(node).finish(cx);
    let mut sw = Software { span: Some(cx.node_name_span(node)), ..Software::default() };
    let mut once = Once::default();
    for child in children(node) {
        let key = child.name().value();
        if key == "serving" {
            // One serving engine per block: the workloads of a site are served by it.
            if !once.first(cx, "software", child) {
                continue;
            }
            let mut r = NodeReader::new(child);
            let example = "serving \"vllm\" version=\"0.10.1\"";
            let engine = r
                .required_arg(cx, 0, "an engine name", example)
                .and_then(|e| read::choice(cx, e, "the serving engine", &["vllm", "sglang", "trtllm", "dynamo"]))
                .map(|c| Spanned::new(c.value.to_string(), c.span));
            let version = r
                .required_prop(cx, "version", example)
                .and_then(|e| read::name(cx, e, "the version"))
                .and_then(|v| numbered(cx, v, "serving"));
            let backend =
                r.prop(cx, "backend").and_then(|e| read::choice(cx, e, "the backend", &["vllm", "sglang", "trtllm"]));
            r.finish(cx);
            read::no_children(cx, child);
            if let (Some(engine), Some(version)) = (engine, version) {
                if let Some(b) = &backend {
                    if engine.value != "dynamo" {
                        cx.emit(
                            Diagnostic::new(
                                codes::E0103,
                                format!("`backend` applies to Dynamo only, not to {}", engine.value),
                            )
                            .label(b.span, "not used by this engine")
                            .help("remove `backend=`; it says which engine Dynamo runs"),
                        );
                    }
                }
                sw.serving.push(Serving { engine, version, backend, span: cx.node_head_span(child) });
            }
            continue;
        }
        if !SOFTWARE_CHILDREN.contains(&key) {
            read::unknown_child(cx, "software", child, SOFTWARE_CHILDREN);
            continue;
        }
        if !once.first(cx, "software", child) {
            continue;
        }
        let example = format!("{key} \"1.0\"");
        let value = read::single_arg(cx, child, &example).and_then(|e| version_string(cx, e, key));
        match key {
            "os" => sw.os = value,
            "driver" => sw.driver = value,
            "cuda" => sw.cuda = value,
            "rocm" => sw.rocm = value,
            "kubernetes" => sw.kubernetes = value,
            "dra-driver" => sw.dra_driver = value,
            _ => sw.gpu_operator = value,
        }
    }
    sw
}

/// A version string; a bare number (`cuda 13.0`) is accepted in quotes only, since KDL would read
/// it as a float and lose trailing zeros.
pub(super) fn version_string(cx: &mut Cx, entry: &crate::syntax::tree::Entry, key: &str) -> Option<Spanned<String>> {
    if matches!(entry.value(), crate::syntax::tree::Value::Integer(_) | crate::syntax::tree::Value::Float(_)) {
        let span = cx.value_span(entry);
        let written = cx.text.get(span.start as usize..span.end as usize).unwrap_or("").to_string();
        cx.emit(
            Diagnostic::new(codes::E0106, format!("the {key} version must be a string, found a number"))
                .label(span, "a number, not a version")
                .help(format!("quote it: `{key} \"{written}\"` (a number would lose trailing zeros)")),
        );
        return None;
    }
    let version = read::name(cx, entry, &format!("the {key} version"))?;
    if key == "os" {
        return Some(version);
    }
    numbered(cx, version, key)
}

/// A version must be a release number (`580.95`, `1.34`, `0.11.0`): a word such as `latest` or
/// `stable` names no release the checks can judge or the targets can pin, and a leading `v`
/// would be doubled in image tags (`vllm-openai:vv0.11.0`). E0708, and the version is dropped so
/// that no rule compares it.
fn numbered(cx: &mut Cx, version: Spanned<String>, key: &str) -> Option<Spanned<String>> {
    if version.value.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(version);
    }
    let trimmed = version.value.trim_start_matches(['v', 'V']);
    let help = if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("write the number alone: `\"{trimmed}\"`")
    } else {
        let part = match key {
            "driver" => "nvidia-driver",
            "dra-driver" => "nvidia-dra-driver",
            "serving" => "ENGINE",
            other => other,
        };
        format!("pin a release number, like `\"580.95\"`; `millwright catalog show {part}` lists the releases the catalog knows")
    };
    cx.emit(
        Diagnostic::new(codes::E0708, format!("the {key} version `{}` is not a release number", version.value))
            .label(version.span, "not a release number")
            .help(help),
    );
    None
}
