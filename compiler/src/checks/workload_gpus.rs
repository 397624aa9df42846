//! E0801: the workloads together claim no more GPUs than the factory has (and a factory with
//! workloads has GPUs at all).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::group_thousands;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let have = cx.factory.total_gpus();
    let claimed: u64 = cx.factory.workloads.iter().map(|w| w.gpus.value).fold(0u64, u64::saturating_add);
    if cx.factory.workloads.is_empty() || claimed <= have || cx.factory.parts_unresolved {
        return;
    }
    let mut d = Diagnostic::new(
        codes::E0801,
        format!(
            "the workloads claim {} GPUs; the factory has {}",
            group_thousands(claimed as f64),
            group_thousands(have as f64)
        ),
    );
    for w in &cx.factory.workloads {
        d = d.label(w.gpus.span, format!("{} GPUs", group_thousands(w.gpus.value as f64)));
    }
    diags.push(d.help(format!(
        "reduce the workloads' `gpus` by {} in total, or add racks",
        group_thousands(claimed.saturating_sub(have) as f64)
    )));
}
