//! `millwright estimate --system ID --model ID --precision P [...]`: the throughput model on its
//! own, for one system and model.

use super::output::{self, Format};
use millwright::catalog::Part;
use millwright::diag::{codes, did_you_mean, Diagnostic};
use millwright::project::throughput::disaggregated::{self, Mode};
use millwright::project::throughput::{self, Efficiency, Limit, Request, Slo};
use millwright::project::workloads;
use millwright::Session;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PrecisionArg {
    Bf16,
    Fp8,
    Fp4,
}

/// What `estimate` and `frontier` are asked about: a model on a system, its precision, the GPUs
/// and the request shape.
#[derive(clap::Args)]
pub(super) struct WorkloadArgs {
    /// System id, like gb200-nvl72 or hgx-h100-8
    #[arg(long)]
    pub(super) system: String,
    /// Model id, like llama-3.3-70b
    #[arg(long)]
    pub(super) model: String,
    /// Weight precision
    #[arg(long, value_enum)]
    pub(super) precision: PrecisionArg,
    /// GPUs (default: one system)
    #[arg(long)]
    pub(super) gpus: Option<u32>,
    /// Mean input tokens per request
    #[arg(long, default_value_t = 1024)]
    pub(super) input_tokens: u32,
    /// Mean output tokens per request
    #[arg(long, default_value_t = 1024)]
    pub(super) output_tokens: u32,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    workload: WorkloadArgs,
    /// p99 time-to-first-token target, ms
    #[arg(long)]
    ttft_ms: Option<f64>,
    /// p99 time-per-output-token target, ms
    #[arg(long)]
    tpot_ms: Option<f64>,
    /// Serving mode (default: the better of the two)
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    Aggregated,
    Disaggregated,
}

pub(super) fn precision_of(p: PrecisionArg) -> millwright::ast::Precision {
    match p {
        PrecisionArg::Bf16 => millwright::ast::Precision::Bf16,
        PrecisionArg::Fp8 => millwright::ast::Precision::Fp8,
        PrecisionArg::Fp4 => millwright::ast::Precision::Fp4,
    }
}

pub(super) fn unknown(kind: &str, id: &str, session: &Session) -> i32 {
    let ids: Vec<&str> = session.catalog.ids_of_kind(kind).collect();
    let hint = did_you_mean(id, ids.iter().copied()).unwrap_or_else(|| format!("known: {}", ids.join(", ")));
    output::usage_error(&format!("no {kind} `{id}` in the catalog; {hint}"));
    super::USAGE
}

/// E0802 (a precision the GPU cannot run natively), W0801 (4-bit weights run weight-only) and
/// E0803 (a request longer than the model's context), worded as `check` words them. Errors end
/// the run with exit 1; the warning is printed and the estimate goes on.
fn workload_rules(
    session: &Session,
    gpu: &millwright::catalog::Gpu,
    model: &millwright::catalog::Model,
    precision: millwright::ast::Precision,
    args: &Args,
) -> Option<i32> {
    use millwright::ast::Precision;
    let mut found = Vec::new();
    if !gpu.supports_natively(precision) {
        match precision {
            Precision::Fp4 if model.weights == Precision::Fp4 => {}
            Precision::Fp4 => {
                let rate = if gpu.supports_natively(Precision::Fp8) { "FP8" } else { "BF16" };
                found.push(
                    Diagnostic::new(
                        codes::W0801,
                        format!("{} has no native FP4: {} runs 4-bit weights dequantised, at its {rate} compute rate", gpu.id, model.id),
                    )
                    .help("this saves memory but not compute; use `--precision fp8` for native speed, or Blackwell / MI355X GPUs for native FP4"),
                );
            }
            Precision::Bf16 | Precision::Fp8 => found.push(
                Diagnostic::new(
                    codes::E0802,
                    format!(
                        "{} GPUs ({}) cannot run {} natively",
                        gpu.id,
                        gpu.architecture.as_str(),
                        precision.as_str()
                    ),
                )
                .help("use `--precision bf16`, or a system with native FP8 (Hopper, MI300 or newer)"),
            ),
        }
    }
    let tokens = u64::from(args.workload.input_tokens) + u64::from(args.workload.output_tokens);
    if tokens > model.context_length {
        let fmt = millwright::format::group_thousands;
        found.push(
            Diagnostic::new(
                codes::E0803,
                format!(
                    "a request of {} tokens ({} in + {} out) is longer than {}'s context of {}",
                    fmt(tokens as f64),
                    fmt(f64::from(args.workload.input_tokens)),
                    fmt(f64::from(args.workload.output_tokens)),
                    model.id,
                    fmt(model.context_length as f64)
                ),
            )
            .help(format!(
                "shorten `--input-tokens` or `--output-tokens` to {} tokens in all",
                fmt(model.context_length as f64)
            )),
        );
    }
    if found.is_empty() {
        return None;
    }
    err!("{}", millwright::diag::render::human(&found, &session.sources, output::style()));
    found.iter().any(|d| d.severity() == millwright::diag::Severity::Error).then_some(super::FAILED)
}

pub fn run(args: Args) -> i32 {
    let session = Session::new();
    let Some(Part::System(system)) = session.catalog.get(&args.workload.system) else {
        return unknown("system", &args.workload.system, &session);
    };
    let gpu = &session.catalog[system.gpu];
    let Some(Part::Model(model)) = session.catalog.get(&args.workload.model) else {
        return unknown("model", &args.workload.model, &session);
    };
    for (name, v) in [("--ttft-ms", args.ttft_ms), ("--tpot-ms", args.tpot_ms)] {
        if v.is_some_and(|x| !(x.is_finite() && x > 0.0)) {
            output::usage_error(&format!("{name} must be a positive number of milliseconds"));
            return super::USAGE;
        }
    }
    if args.workload.gpus == Some(0) || args.workload.input_tokens == 0 || args.workload.output_tokens == 0 {
        output::usage_error("--gpus, --input-tokens and --output-tokens must be at least 1");
        return super::USAGE;
    }
    let precision = precision_of(args.workload.precision);
    // The workload rules `check` applies to a blueprint's workload apply here too (E0802, W0801,
    // E0803): an estimate is never printed for a design `check` would refuse.
    if let Some(code) = workload_rules(&session, gpu, model, precision, &args) {
        return code;
    }
    let gpus = args.workload.gpus.unwrap_or(u32::try_from(system.gpu_count).unwrap_or(8));
    let slo = match (args.ttft_ms, args.tpot_ms) {
        (None, None) => None,
        (a, b) => Some(Slo {
            ttft_s: a.map(|x| x / 1e3).unwrap_or(f64::INFINITY),
            tpot_s: b.map(|x| x / 1e3).unwrap_or(f64::INFINITY),
        }),
    };
    let request = Request {
        input_tokens: f64::from(args.workload.input_tokens),
        output_tokens: f64::from(args.workload.output_tokens),
        output_length_cv: 1.0,
        slo,
    };
    let sys = workloads::system_spec(system, gpu);
    let m = workloads::model_spec(model);
    let band = throughput::band(&gpu.id, &m);
    let pinned = args.mode.map(|m| match m {
        ModeArg::Aggregated => Mode::Aggregated,
        ModeArg::Disaggregated => Mode::Disaggregated,
    });
    let served =
        workloads::serve(&sys, &m, workloads::precision(precision), &request, gpus, &Efficiency::fitted(), pinned);
    let chosen = served.disaggregated.as_ref();
    match served.estimate {
        Ok(e) => {
            let (low, high) = band.ends(e.tokens_per_second);
            match args.format {
                Format::Json => {
                    let v = serde_json::json!({
                        "system": e.system, "model": e.model, "precision": precision.as_str(), "gpus": e.gpus,
                        "tokens_per_second": e.tokens_per_second, "tokens_per_second_low": low, "tokens_per_second_high": high,
                        "band": band.coverage.name(), "tokens_per_second_per_gpu": e.tokens_per_second_per_gpu,
                        "replicas": e.replicas,
                        "parallelism": {"tensor": e.parallelism.tensor, "pipeline": e.parallelism.pipeline, "expert": e.parallelism.expert, "data": e.parallelism.data},
                        "batch": e.batch, "ttft_ms": e.ttft_ms, "tpot_ms": e.tpot_ms, "bound": e.bound.name(), "binding": e.binding.name(), "speculative": e.speculative,
                        "mode": served.mode.name(),
                        "other_mode": served.other_mode.map(|(m, t)| serde_json::json!({"mode": m.name(), "tokens_per_second": t})),
                        "pools": chosen.map(|d| {
                            let pool = |p: &throughput::disaggregated::Pool| serde_json::json!({
                                "gpus": p.gpus, "replicas": p.parallelism.data,
                                "parallelism": {"tensor": p.parallelism.tensor, "pipeline": p.parallelism.pipeline, "expert": p.parallelism.expert, "data": p.parallelism.data},
                                "batch": p.batch, "utilization": p.utilisation,
                            });
                            serde_json::json!({
                                "prefill": pool(&d.prefill), "decode": pool(&d.decode), "ratio": d.ratio(),
                                "kv_link": d.kv_link.name(), "kv_gb_per_request": d.kv_bytes_per_request / 1e9,
                                "kv_gb_per_second": d.kv_bytes_per_second / 1e9, "binding": d.binding.name(),
                            })
                        }),
                    });
                    outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                }
                Format::Human => {
                    outln!(
                        "{} on {} GPUs of {} ({}, {} in / {} out)",
                        e.model,
                        e.gpus,
                        e.system,
                        precision.as_str(),
                        args.workload.input_tokens,
                        args.workload.output_tokens
                    );
                    let n = |x: f64| millwright::format::group_thousands(x.round());
                    outln!(
                        "  {} output tokens/s (p10–p90: {}–{}, {}; {} per GPU)",
                        n(e.tokens_per_second),
                        n(low),
                        n(high),
                        band.coverage.name(),
                        n(e.tokens_per_second_per_gpu)
                    );
                    outln!(
                        "  {} replicas of TP{} × PP{} × EP{}, batch {:.0} per replica{}",
                        e.replicas,
                        e.parallelism.tensor,
                        e.parallelism.pipeline,
                        e.parallelism.expert,
                        e.batch,
                        if e.speculative { ", MTP speculative decoding" } else { "" }
                    );
                    outln!(
                        "  TTFT {:.0} ms, TPOT {:.1} ms (means); {}-bound, limited by {}",
                        e.ttft_ms,
                        e.tpot_ms,
                        e.bound.name(),
                        e.binding.name()
                    );
                    let other = served
                        .other_mode
                        .map(|(m, t)| format!("; {}: {:.0} tokens/s", m.name(), t))
                        .unwrap_or_default();
                    let how = if pinned.is_some() { "as asked" } else { "chosen" };
                    outln!("  serving: {} ({how}{other})", served.mode.name());
                    if let Some(d) = chosen {
                        for (name, p) in [("prefill", &d.prefill), ("decode", &d.decode)] {
                            outln!(
                                "  {name} pool: {} GPUs, {} × TP{} × PP{} × EP{}, batch {:.0}, {:.0} % busy",
                                p.gpus,
                                p.parallelism.data,
                                p.parallelism.tensor,
                                p.parallelism.pipeline,
                                p.parallelism.expert,
                                p.batch,
                                p.utilisation * 100.0
                            );
                        }
                        outln!(
                            "  prefill:decode 1:{:.2}; KV {:.2} GB per request, {:.1} GB/s over {}; bound by the {}",
                            1.0 / d.ratio().max(1e-9),
                            d.kv_bytes_per_request / 1e9,
                            d.kv_bytes_per_second / 1e9,
                            d.kv_link.name(),
                            d.binding.name()
                        );
                    }
                }
            }
            super::OK
        }
        Err(inf) => {
            let code = if inf.limit == Limit::Memory { codes::E0804 } else { codes::E0805 };
            let d = if let Some(why) = &served.disaggregated_error {
                Diagnostic::new(
                    codes::E0808,
                    format!("{} on {} GPUs of {} cannot be served disaggregated: {why}", model.id, gpus, system.id),
                )
                .help(disaggregated_help(why))
            } else {
                Diagnostic::new(code, format!("{} on {} GPUs of {}: {inf}", model.id, gpus, system.id)).help(match inf
                    .limit
                {
                    Limit::Memory => "use more GPUs or a lower precision".to_string(),
                    Limit::Ttft => format!(
                        "the lowest reachable p99 TTFT is {:.0} ms: relax --ttft-ms or shorten the input",
                        inf.best * 1e3
                    ),
                    Limit::Tpot => {
                        format!("the lowest reachable p99 TPOT is {:.1} ms: relax --tpot-ms", inf.best * 1e3)
                    }
                })
            };
            match args.format {
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&millwright::diag::render::json(&[d], &session.sources))
                        .unwrap_or_default()
                ),
                Format::Human => {
                    err!("{}", millwright::diag::render::human(&[d], &session.sources, output::style()))
                }
            }
            super::FAILED
        }
    }
}

/// What to change when disaggregated serving cannot work.
fn disaggregated_help(why: &disaggregated::Infeasible) -> String {
    match why {
        disaggregated::Infeasible::TooFewGpus { needed, .. } => {
            format!("use --gpus {needed} or more, or --mode aggregated")
        }
        disaggregated::Infeasible::PoolMemory { .. } => "use a lower precision or --mode aggregated".to_string(),
        disaggregated::Infeasible::KvLink { .. } => {
            "keep both pools inside one NVLink domain, give the systems a compute fabric, or use --mode aggregated"
                .to_string()
        }
        disaggregated::Infeasible::Engine => "serve the workload through Dynamo, or use --mode aggregated".to_string(),
        disaggregated::Infeasible::Ttft { .. } | disaggregated::Infeasible::Tpot { .. } => {
            "relax the latency limits or use --mode aggregated".to_string()
        }
    }
}
