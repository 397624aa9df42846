//! E0804: one replica of the model (the published checkpoint's weights, the KV cache of one request
//! at its full length, and a runtime reserve) fits in the memory of the workload's GPUs, using
//! tensor/expert parallelism inside an NVLink domain and pipeline (or expert) parallelism across.
//! The memory model is the first part of the throughput model, so the two never disagree.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::units::Bytes;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let m = &p.memory;
        if m.fits {
            continue;
        }
        let per_gpu = w.gpu.map(|g| g.memory).unwrap_or_default();
        let breakdown = format!(
            "weights {} + KV cache of one {}-token request {} + reserve {}",
            Bytes(m.weight_bytes),
            w.input_tokens.value + w.output_tokens.value,
            Bytes(m.kv_bytes_per_request),
            Bytes(m.reserve_bytes)
        );
        let fix = match p.gpus_to_fit {
            Some(g) => format!("give the workload at least {g} GPUs, or use a smaller precision (fp8 or fp4 halve or quarter the weights)"),
            None => "use a smaller precision (fp8 or fp4 halve or quarter the weights), a shorter request, or GPUs with more memory".to_string(),
        };
        let layout =
            p.gpus_to_fit.map(|g| format!("; the smallest layout that holds it takes {g} GPUs")).unwrap_or_default();
        diags.push(
            Diagnostic::new(
                codes::E0804,
                format!(
                    "one replica of {} at {} does not fit in the {} GPUs of workload \"{}\" ({} each){layout}",
                    w.model.id,
                    w.precision.value.as_str(),
                    w.gpus.value,
                    w.name.value,
                    per_gpu,
                ),
            )
            .label(w.gpus.span, format!("{} GPUs", w.gpus.value))
            .label(w.model_span, breakdown)
            .help(fix),
        );
    }
}
