//! W0602: a fabric that carries no traffic of any workload adds switches, optics and their price
//! for nothing. Replicas that all fit inside one NVLink domain send nothing over a compute fabric
//! (NVIDIA's Enterprise RA marks the east-west fabric optional for pure inference); the traffic
//! that counts is what `project::traffic` finds.

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::format::{count, money};
use crate::units::{Money, Rounding};

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for ((fabric, fp), traffic) in cx.factory.fabrics.iter().zip(&cx.plan.fabrics).zip(&cx.plan.traffic) {
        if !traffic.idle() || fp.switch_count() == 0 {
            continue;
        }
        // Why the workloads send nothing: each replica against the NVLink domain it fits in.
        let fits: Vec<String> = cx
            .factory
            .workloads
            .iter()
            .zip(&cx.plan.workloads)
            .filter_map(|(w, p)| {
                let system = w.system?;
                Some(format!("\"{}\" {} of {} GPUs", w.name.value, p.replica_gpus(), system.nvlink_domain))
            })
            .collect();
        let price = match traffic.capex {
            Some(amount) => {
                let m = Money { amount, currency: cx.plan.quote.currency.clone(), rounding: Rounding::Whole };
                format!(" and {}", money(&m))
            }
            None => String::new(),
        };
        diags.push(
            Diagnostic::new(
                codes::W0602,
                format!(
                    "{} fabric \"{}\" carries no workload traffic, yet adds {} switch{}, {} transceivers{price}",
                    fabric.role.as_str(),
                    fabric.name.value,
                    count(fp.switch_count() as f64),
                    if fp.switch_count() == 1 { "" } else { "es" },
                    count(fp.transceivers as f64),
                ),
            )
            .label(fabric.name.span, "no workload sends over this fabric")
            .note(format!("every replica fits inside one NVLink domain: {}", fits.join(", ")))
            .help("remove the fabric, or keep it for traffic the blueprint does not state (training, storage); disaggregated serving whose pools sit in different NVLink domains would send its KV cache over it"),
        );
    }
}
