//! E0808: a workload that writes `serving mode="disaggregated"` needs a prefill and a decode pool
//! that each hold the model, and a link that carries every prompt's KV cache from one to the
//! other: NVLink when both pools fit one NVLink domain, else the compute fabric between systems
//! (NVIDIA Dynamo's disaggregated serving moves it with NIXL over either). A latency target the
//! pools cannot meet is E0805's, as for aggregated serving.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::{count, decimals};
use crate::project::throughput::disaggregated::Infeasible;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let (Some(why), Some(mode)) = (&p.disaggregated_error, &w.serving_mode) else { continue };
        let (label, help) = match why {
            Infeasible::TooFewGpus { needed, .. } => (
                format!("{} GPUs; two pools need {}", w.gpus.value, needed),
                format!("give the workload at least {needed} GPUs, or write `serving mode=\"aggregated\"`"),
            ),
            Infeasible::PoolMemory { needed, available } => (
                format!("{} GB per GPU needed, {} GB usable", decimals(needed / 1e9, 0), decimals(available / 1e9, 0)),
                "use a lower precision or GPUs with more memory, or write `serving mode=\"aggregated\"`".to_string(),
            ),
            Infeasible::KvLink { needed, available, .. } if *available < 1.0 => (
                format!("{} GB/s of KV cache per prefill replica; no compute fabric", decimals(needed / 1e9, 2)),
                "the pools cannot share one NVLink domain, so give the systems a compute fabric (`fabric … role=\"compute\"`), or write `serving mode=\"aggregated\"`".to_string(),
            ),
            Infeasible::KvLink { needed, available, .. } => (
                format!(
                    "{} GB/s of KV cache per prefill replica; the link carries {} GB/s",
                    decimals(needed / 1e9, 2),
                    decimals(available / 1e9, 2)
                ),
                "use a faster compute fabric or fewer, larger pools, or write `serving mode=\"aggregated\"`".to_string(),
            ),
            Infeasible::Engine => (
                "the serving engine runs no prefill and decode pools".to_string(),
                "serve the workload through Dynamo (`serving \"dynamo\" version=…` in `software`), or write `serving mode=\"aggregated\"`".to_string(),
            ),
            // SLO misses are reported by E0805 through the workload's estimate.
            Infeasible::Ttft { .. } | Infeasible::Tpot { .. } => continue,
        };
        diags.push(
            Diagnostic::new(
                codes::E0808,
                format!(
                    "workload \"{}\" cannot be served disaggregated on its {} GPUs of `{}`: {why}",
                    w.name.value,
                    count(w.gpus.value as f64),
                    p.system
                ),
            )
            .label(mode.span, label)
            .label(w.model_span, format!("{} at {}", w.model.id, w.precision.value.as_str()))
            .help(help),
        );
    }
}
