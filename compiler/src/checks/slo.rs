//! E0805: with an SLO, some serving configuration must meet both latency targets (p99 time to
//! first token and time per output token); otherwise the error names the binding limit and the
//! best value any configuration reaches.

use super::CheckCtx;
use crate::ast::Precision;
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
        // "2,022 % over" reads worse than "21.2 times": past double, say the factor.
        let over = if by >= 100.0 {
            format!("{} times the {} ms limit", decimals(inf.best / inf.target, 1), decimals(inf.target * 1e3, 1))
        } else {
            format!("{} % over the {} ms limit", decimals(by, 0), decimals(inf.target * 1e3, 1))
        };
        // A lower precision is worth naming only when there is one the GPU runs natively.
        let lower = match w.precision.value {
            Precision::Bf16 => Some(Precision::Fp8),
            Precision::Fp8 => Some(Precision::Fp4),
            Precision::Fp4 => None,
        }
        .filter(|p| w.gpu.is_some_and(|g| g.supports_natively(*p)));
        let faster = match lower {
            Some(p) => format!("use faster GPUs, or precision \"{}\"", p.as_str()),
            None => "use faster GPUs".to_string(),
        };
        diags.push(
            Diagnostic::new(
                codes::E0805,
                format!(
                    "workload \"{}\" cannot meet its {what} target: the best p99 any configuration of {} GPUs of `{}` reaches is {} ms, {over}",
                    w.name.value,
                    crate::format::group_thousands(w.gpus.value as f64),
                    p.system,
                    decimals(inf.best * 1e3, 1),
                ),
            )
            .label(span, format!("{} ms at best", decimals(inf.best * 1e3, 1)))
            .label(w.model_span, format!("{} at {}", w.model.id, w.precision.value.as_str()))
            .help(match inf.limit {
                Limit::Tpot => format!("relax `tpot` to at least {} ms, or {faster}", decimals((inf.best * 1e3).ceil(), 0)),
                Limit::Ttft | Limit::Memory => format!("relax `ttft` to at least {} ms, shorten the input, or use faster GPUs", decimals((inf.best * 1e3).ceil(), 0)),
            }),
        );
    }
}
