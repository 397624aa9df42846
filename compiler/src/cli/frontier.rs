//! `millwright frontier --system ID --model ID --precision P [...]`: the throughput–interactivity
//! frontier of a model on a system, over parallelism, batch and serving mode.

use super::estimate::{precision_of, unknown, WorkloadArgs};
use super::output;
use millwright::catalog::Part;
use millwright::diag::{codes, Diagnostic};
use millwright::project::throughput::disaggregated::Mode;
use millwright::project::throughput::frontier::{self, Inputs};
use millwright::project::throughput::{self, Efficiency, Request};
use millwright::project::workloads;
use millwright::render::frontier::{chart, svg, FrontierView};
use millwright::Session;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FrontierFormat {
    Human,
    Json,
    Csv,
    Svg,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Facility power over IT power, for tokens/s per MW (1.0: per MW of the systems' nominal power)
    #[arg(long, default_value_t = 1.0)]
    pue: f64,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: FrontierFormat,
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
    if args.workload.gpus == Some(0) || args.workload.input_tokens == 0 || args.workload.output_tokens == 0 {
        output::usage_error("--gpus, --input-tokens and --output-tokens must be at least 1");
        return super::USAGE;
    }
    if !(args.pue.is_finite() && (1.0..=3.0).contains(&args.pue)) {
        output::usage_error("--pue must be between 1.0 and 3.0");
        return super::USAGE;
    }
    let precision = precision_of(args.workload.precision);
    let gpus = args.workload.gpus.unwrap_or(u32::try_from(system.gpu_count).unwrap_or(8));
    let request = Request {
        input_tokens: f64::from(args.workload.input_tokens),
        output_tokens: f64::from(args.workload.output_tokens),
        output_length_cv: 1.0,
        slo: None,
    };
    let sys = workloads::system_spec(system, gpu);
    let m = workloads::model_spec(model);
    let p = workloads::precision(precision);
    let watts_per_gpu = system.power_nominal.0 / system.gpu_count.max(1) as f64 * args.pue;
    let inputs = Inputs { system: &sys, model: &m, precision: p, request: &request, gpus, watts_per_gpu };
    let eff = Efficiency::fitted();
    let points = frontier::frontier(&inputs, &[Mode::Aggregated, Mode::Disaggregated], &eff);
    if points.is_empty() {
        let fit = throughput::memory_fit(&sys, &m, p, &request, gpus);
        let limit = gpus.saturating_mul(8).max(4096);
        let fewest = (gpus.saturating_add(1)..=limit).find(|g| throughput::memory_fit(&sys, &m, p, &request, *g).fits);
        let help = match fewest {
            Some(g) => {
                format!("one replica needs {g} GPUs of {}: pass --gpus {g} or more, or a lower precision", system.id)
            }
            None => "use a lower precision or a system with more memory per GPU".to_string(),
        };
        let d = Diagnostic::new(
            codes::E0804,
            format!(
                "{} at {} does not fit {} GPUs of {}: one replica needs {:.0} GB, the GPUs have {:.0} GB",
                model.id,
                precision.as_str(),
                gpus,
                system.id,
                fit.needed_bytes / 1e9,
                fit.available_bytes / 1e9
            ),
        )
        .help(help);
        match args.format {
            FrontierFormat::Json => outln!(
                "{}",
                serde_json::to_string_pretty(&millwright::diag::render::json(&[d], &session.sources))
                    .unwrap_or_default()
            ),
            FrontierFormat::Human | FrontierFormat::Csv | FrontierFormat::Svg => {
                err!("{}", millwright::diag::render::human(&[d], &session.sources, output::style()))
            }
        }
        return super::FAILED;
    }
    let view = FrontierView::new(&system.id, &model.id, precision.as_str(), &points);
    match args.format {
        FrontierFormat::Json => outln!("{}", serde_json::to_string_pretty(&view).unwrap_or_default()),
        FrontierFormat::Csv => out!("{}", view.csv()),
        FrontierFormat::Svg => out!(
            "{}",
            svg(&chart(
                &format!("{} on {} GPUs of {} ({})", model.id, gpus, system.id, precision.as_str()),
                &points,
                None,
                None
            ))
        ),
        FrontierFormat::Human => out!("{}", view.human(gpus, args.workload.input_tokens, args.workload.output_tokens)),
    }
    super::OK
}
