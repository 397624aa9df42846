//! E0805: with an SLO, some serving configuration must meet both latency targets (p99 time to
//! first token and time per output token); otherwise the error names the binding limit and the
//! best value any configuration reaches.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::decimals;
use crate::project::throughput::Limit;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Err(inf) = &p.estimate else { continue };
        let (span, what) = match inf.limit {
            Limit::Ttft => (w.ttft.as_ref().map(|t| t.span), "time to first token"),
            Limit::Tpot => (w.tpot.as_ref().map(|t| t.span), "time per output token"),
            // A replica that does not fit is E0804's to report.
            Limit::Memory => continue,
        };
        let Some(span) = span.or(w.slo_span) else { continue };
        let by = if inf.target > 0.0 { (inf.best / inf.target - 1.0) * 100.0 } else { 0.0 };
        diags.push(
            Diagnostic::new(
                codes::E0805,
                format!(
                    "workload \"{}\" cannot meet its {what} target: the best p99 any configuration of {} GPUs of `{}` reaches is {} ms, {} % over the {} ms limit",
                    w.name.value,
                    w.gpus.value,
                    p.system,
                    decimals(inf.best * 1e3, 1),
                    decimals(by, 0),
                    decimals(inf.target * 1e3, 1)
                ),
            )
            .label(span, format!("{} ms at best", decimals(inf.best * 1e3, 1)))
            .label(w.model_span, format!("{} at {}", w.model.id, w.precision.value.as_str()))
            .help(match inf.limit {
                Limit::Tpot => format!("relax `tpot` to at least {} ms, or use faster GPUs or a lower precision", decimals((inf.best * 1e3).ceil(), 0)),
                Limit::Ttft | Limit::Memory => format!("relax `ttft` to at least {} ms, shorten the input, or use faster GPUs", decimals((inf.best * 1e3).ceil(), 0)),
            }),
        );
    }
}
