//! E0802, W0801: the workload's precision is the weight format. BF16 runs everywhere; FP8 needs
//! native FP8 (Hopper, CDNA3 or newer); FP4 runs natively on Blackwell and CDNA4, and elsewhere as
//! weight-only 4-bit (dequantised to the fastest native format), which is a warning unless the
//! model is published with 4-bit weights (GPT-OSS ships MXFP4).

use super::CheckCtx;
use crate::ast::Precision;
use crate::diag::{codes, Diagnostic, Diagnostics};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for w in &cx.factory.workloads {
        let Some(gpu) = w.gpu else { continue };
        let p = w.precision.value;
        if gpu.supports_natively(p) {
            continue;
        }
        match p {
            Precision::Fp4 => {
                if w.model.weights == Precision::Fp4 {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        codes::W0801,
                        format!("{} has no native FP4: workload \"{}\" runs 4-bit weights dequantised, at its {} compute rate", gpu.id, w.name.value, if gpu.supports_natively(Precision::Fp8) { "FP8" } else { "BF16" }),
                    )
                    .label(w.precision.span, "weight-only FP4 here")
                    .help("this saves memory but not compute; use \"fp8\" for native speed, or Blackwell / MI355X GPUs for native FP4"),
                );
            }
            Precision::Bf16 | Precision::Fp8 => diags.push(
                Diagnostic::new(
                    codes::E0802,
                    format!("{} GPUs ({}) cannot run {} natively", gpu.id, gpu.architecture.as_str(), p.as_str()),
                )
                .label(w.precision.span, format!("{} weights", p.as_str()))
                .help("use \"bf16\", or GPUs with native FP8 (Hopper, MI300 or newer)"),
            ),
        }
    }
}
