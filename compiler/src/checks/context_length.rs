//! E0803: a request (input plus output tokens) must fit the model's context length.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for w in &cx.factory.workloads {
        let total = w.input_tokens.value.saturating_add(w.output_tokens.value);
        let ctx = w.model.context_length;
        if total > ctx {
            diags.push(
                Diagnostic::new(
                    codes::E0803,
                    format!(
                        "workload \"{}\" asks for {} tokens per request ({} in + {} out); {} has a context of {}",
                        w.name.value,
                        group_thousands(total as f64),
                        group_thousands(w.input_tokens.value as f64),
                        group_thousands(w.output_tokens.value as f64),
                        w.model.id,
                        group_thousands(ctx as f64)
                    ),
                )
                .label(w.tokens_span, format!("{} tokens", group_thousands(total as f64)))
                .help(format!("keep input + output within {} tokens", group_thousands(ctx as f64))),
            );
        }
    }
}
