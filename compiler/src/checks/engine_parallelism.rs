//! W0706: the serving engine's arguments can express the planned parallelism. The throughput
//! plan runs a replica's expert ranks with attention data-parallel (TP t × EP e: e attention
//! groups of t ranks, the experts over all t·e). TensorRT-LLM's world is its tensor-parallel size,
//! and its attention data parallelism makes every rank its own attention group ("When enabled,
//! attention_dp_size equals tensor_parallel_size": Dynamo's TensorRT-LLM worker arguments;
//! TensorRT-LLM, "Parallelism in TensorRT LLM"), so it serves t = 1 with attention data-parallel
//! and e = 1 with attention tensor-parallel, but not both t > 1 and e > 1. `trtllm-serve` takes
//! attention data parallelism only from an `--extra_llm_api_options` file, which the Kubernetes
//! target does not write, so there any e > 1 runs attention split over all t·e ranks.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for (w, p) in cx.factory.workloads.iter().zip(&cx.plan.workloads) {
        let Ok(est) = &p.estimate else { continue };
        let (t, e) = (est.parallelism.tensor, est.parallelism.expert);
        if e <= 1 {
            continue;
        }
        let Some(system) = w.system else { continue };
        for site in &cx.factory.sites {
            if !site.gpu_systems().any(|(s, _)| s.id == system.id) {
                continue;
            }
            // The build serves every workload of a site with its first serving line.
            let Some(sv) = site.software.serving.first() else { continue };
            let Some(product) = sv.version.product else { continue };
            let vendor = cx.catalog[system.gpu].vendor.as_str();
            let backend = product.deployment.backend(sv.backend.as_ref().map(|b| b.value), vendor, &sv.engine.value);
            if backend != "trtllm" {
                continue;
            }
            let world = u64::from(t).saturating_mul(u64::from(e));
            let (message, help) = if sv.engine.value == "trtllm" {
                (
                    format!(
                        "workload \"{}\" plans TP{t}×EP{e} with attention data-parallel, but trtllm-serve takes that only from an options file the target does not write: its {world} ranks would split attention {world} ways",
                        w.name.value
                    ),
                    "serve it through Dynamo (`serving \"dynamo\" backend=\"trtllm\"`), which takes `enable_attention_dp` on its command line, or add `enable_attention_dp: true` in an `--extra_llm_api_options` file",
                )
            } else if t > 1 {
                (
                    format!(
                        "workload \"{}\" plans TP{t}×EP{e}, which TensorRT-LLM cannot run: its attention is data-parallel on all {world} ranks or tensor-parallel over all of them, never {e} groups of {t}",
                        w.name.value
                    ),
                    "serve it with SGLang or vLLM (`backend=\"sglang\"`), which run attention groups of any size, or give the workload GPUs for which the plan picks TP1 or EP1",
                )
            } else {
                continue;
            };
            diags.push(
                Diagnostic::new(codes::W0706, message)
                    .label(sv.engine.span, format!("{} serves it", sv.engine.value))
                    .label(w.name.span, format!("TP{t}×EP{e} in the plan"))
                    .help(help),
            );
        }
    }
}
