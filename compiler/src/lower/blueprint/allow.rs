//! `allow "W0602" "W0703" reason="…"`: warnings the blueprint accepts, like rustc's `allow` lints.
//! The codes must be warnings the registry has; errors are never allowed. The reason is required,
//! so every silenced warning says why in the blueprint, in JSON and in SARIF.

use super::super::read::{self, Cx, NodeReader};
use crate::diag::{codes, Allow, Diagnostic, Severity};

const EXAMPLE: &str = "allow \"W0602\" reason=\"the compute fabric is kept for training next year\"";

/// Reads one `allow` node into the diagnostics' allow list.
pub(super) fn lower_allow(cx: &mut Cx, node: &crate::syntax::tree::Node) {
    let mut r = NodeReader::new(node);
    let reason = r.required_prop(cx, "reason", EXAMPLE).and_then(|e| read::string(cx, e, "the reason"));
    let reason = reason.filter(|s| !s.value.trim().is_empty());
    let mut found = Vec::new();
    let mut idx = 0;
    while let Some(entry) = if idx == 0 { r.required_arg(cx, 0, "a warning code", EXAMPLE) } else { r.arg(idx) } {
        idx += 1;
        let Some(code) = read::string(cx, entry, "the warning code") else { continue };
        let span = code.span;
        let wanted = code.value.trim().to_ascii_uppercase();
        match codes::ALL.iter().copied().find(|c| c.code == wanted) {
            Some(info) if info.severity() == Severity::Error => cx.emit(
                Diagnostic::new(codes::E0111, format!("{} is an error; `allow` silences warnings only", info.code))
                    .label(span, "an error code")
                    .help("fix what the error reports; errors cannot be allowed"),
            ),
            Some(info) if info.retired => cx.emit(
                Diagnostic::new(codes::E0111, format!("{} is retired and no longer reported", info.code))
                    .label(span, "a retired code")
                    .help("remove it from `allow`"),
            ),
            Some(info) => found.push(info),
            None => {
                let warnings = codes::ALL.iter().filter(|c| c.severity() == Severity::Warning && !c.retired);
                let help = crate::diag::did_you_mean(&wanted, warnings.map(|c| c.code))
                    .unwrap_or_else(|| "`millwright explain` lists every code; warnings start with W".to_string());
                cx.emit(
                    Diagnostic::new(codes::E0111, format!("`{}` is not a warning code", code.value))
                        .label(span, "not a registered warning")
                        .help(help),
                );
            }
        }
    }
    r.finish(cx);
    let Some(reason) = reason else {
        if let Some(e) = node.entries().iter().find(|e| e.name().is_some_and(|n| n.value() == "reason")) {
            cx.emit(
                Diagnostic::new(codes::E0105, "`allow` needs a reason that is not empty")
                    .label(cx.span(e.span()), "empty reason")
                    .help(format!("say why the warning is accepted: `{EXAMPLE}`")),
            );
        }
        return;
    };
    for code in found {
        cx.diags.allow(Allow { code, reason: reason.value.clone() });
    }
}
