//! W0806: GPUs that no workload claims. The plan divides the factory's tokens/s by all its GPUs and
//! megawatts, so GPUs that serve nothing make "per GPU" and "per MW" read lower than what the
//! workloads' own GPUs produce, and they still cost capex and idle power. A reviewer asks whether
//! they are headroom (then say so with `allow`) or a sizing mistake.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::{decimals, group_thousands};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    let f = cx.factory;
    if f.workloads.is_empty() || f.parts_unresolved {
        return;
    }
    let have = f.total_gpus();
    let claimed: u64 = f.workloads.iter().map(|w| w.gpus.value).fold(0u64, u64::saturating_add);
    // More claimed than present is E0801's.
    if have == 0 || claimed >= have {
        return;
    }
    let idle = have - claimed;
    let share = idle as f64 / have as f64 * 100.0;
    let mut d = Diagnostic::new(
        codes::W0806,
        format!(
            "the workloads claim {} of the factory's {} GPUs: {} GPUs ({} %) serve no workload, yet count in its tokens/s per GPU and per MW",
            group_thousands(claimed as f64),
            group_thousands(have as f64),
            group_thousands(idle as f64),
            decimals(share, 1)
        ),
    )
    .label(f.name.span, format!("{} GPUs", group_thousands(have as f64)));
    for w in &f.workloads {
        d = d.label(w.gpus.span, format!("{} GPUs", group_thousands(w.gpus.value as f64)));
    }
    diags.push(d.help(format!(
        "give the {} GPUs to a workload, remove their racks, or `allow \"W0806\" reason=\"…\"` if they are headroom",
        group_thousands(idle as f64)
    )));
}
