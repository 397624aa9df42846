//! The throughput–interactivity frontier and disaggregated serving, over the shipped catalog: every
//! system × model pair that fits one system has a frontier of finite, sorted, non-dominated
//! points, and the disaggregated search keeps its pools within the GPUs and its latencies within
//! the limits it was given.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use millwright::catalog::Part;
use millwright::project::throughput::disaggregated::{self, KvLink, Mode};
use millwright::project::throughput::frontier::{self, Inputs};
use millwright::project::throughput::{self, Efficiency, Precision, Request, Slo};
use millwright::project::workloads;
use millwright::Session;

fn request(input: f64, output: f64, slo: Option<Slo>) -> Request {
    Request { input_tokens: input, output_tokens: output, output_length_cv: 1.0, slo }
}

/// The precision a pair runs at: FP8 where the GPU has it natively, else the model's own format.
fn precision_for(gpu: &throughput::GpuSpec, model: &throughput::ModelSpec) -> Precision {
    if gpu.has_native(Precision::Fp8) {
        Precision::Fp8
    } else {
        model.weights.max(Precision::Fp8)
    }
}

#[test]
fn every_pair_the_catalog_can_run_has_a_non_dominated_frontier() {
    let session = Session::new();
    let catalog = &session.catalog;
    let eff = Efficiency::fitted();
    let mut pairs = 0;
    for sid in catalog.ids_of_kind("system") {
        let Some(Part::System(system)) = catalog.get(sid) else { continue };
        let sys = workloads::system_spec(system, &catalog[system.gpu]);
        for mid in catalog.ids_of_kind("model") {
            let Some(Part::Model(model)) = catalog.get(mid) else { continue };
            let m = workloads::model_spec(model);
            let p = precision_for(&sys.gpu, &m);
            let req = request(1024.0, 1024.0, None);
            let gpus = sys.gpus_per_system;
            let inputs = Inputs { system: &sys, model: &m, precision: p, request: &req, gpus, watts_per_gpu: 1500.0 };
            let points = frontier::frontier(&inputs, &[Mode::Aggregated, Mode::Disaggregated], &eff);
            let fits = throughput::memory_fit(&sys, &m, p, &req, gpus).fits;
            assert_eq!(!points.is_empty(), fits, "{sid} × {mid}: a frontier exactly when one replica fits");
            if !fits {
                continue;
            }
            pairs += 1;
            for w in points.windows(2) {
                assert!(
                    w[0].tokens_per_second_per_user < w[1].tokens_per_second_per_user,
                    "{sid} × {mid}: sorted by interactivity"
                );
            }
            for a in &points {
                for x in [
                    a.tokens_per_second_per_gpu,
                    a.tokens_per_second_per_user,
                    a.tokens_per_second_per_mw,
                    a.ttft_ms,
                    a.tpot_ms,
                ] {
                    assert!(x.is_finite() && x > 0.0, "{sid} × {mid}: {a:?}");
                }
                assert!((a.tokens_per_second_per_user - 1e3 / a.tpot_ms).abs() < 1e-9 * a.tokens_per_second_per_user);
                for b in &points {
                    let dominates = b.tokens_per_second_per_gpu >= a.tokens_per_second_per_gpu
                        && b.tokens_per_second_per_user >= a.tokens_per_second_per_user
                        && (b.tokens_per_second_per_gpu > a.tokens_per_second_per_gpu
                            || b.tokens_per_second_per_user > a.tokens_per_second_per_user);
                    assert!(!dominates, "{sid} × {mid}: {b:?} dominates {a:?}");
                }
            }
            // The frontier's best throughput is the offline search's (within the sweep).
            let offline = throughput::estimate(&sys, &m, p, &req, gpus, &eff).unwrap();
            let top = points.iter().map(|x| x.tokens_per_second_per_gpu).fold(0.0, f64::max);
            assert!(top >= offline.tokens_per_second_per_gpu * (1.0 - 1e-9), "{sid} × {mid}");
        }
    }
    assert!(pairs >= 60, "only {pairs} pairs fit one system");
}

#[test]
fn disaggregated_pools_fit_the_gpus_and_meet_the_slo() {
    let session = Session::new();
    let catalog = &session.catalog;
    let eff = Efficiency::fitted();
    let Some(Part::System(system)) = catalog.get("gb200-nvl72") else { panic!("gb200-nvl72") };
    let Some(Part::Model(model)) = catalog.get("deepseek-r1") else { panic!("deepseek-r1") };
    let sys = workloads::system_spec(system, &catalog[system.gpu]);
    let m = workloads::model_spec(model);
    let slo = Slo { ttft_s: 2.0, tpot_s: 0.02 };
    let req = request(1024.0, 8192.0, Some(slo));
    let d = disaggregated::estimate(&sys, &m, Precision::Fp4, &req, 5760, &eff).unwrap();
    assert!(d.prefill.gpus > 0 && d.decode.gpus > 0);
    assert!(d.prefill.gpus + d.decode.gpus <= 5760);
    assert!(eff.latency_tail * d.estimate.tpot_ms / 1e3 <= slo.tpot_s * (1.0 + 1e-9));
    assert!(eff.latency_tail * d.estimate.ttft_ms / 1e3 <= slo.ttft_s * (1.0 + 1e-9));
    // The KV cache of one prompt: input tokens × (latent 512 + rope 64) × 1 byte × 61 layers.
    assert!((d.kv_bytes_per_request - 1024.0 * 576.0 * 61.0).abs() < 1.0, "{}", d.kv_bytes_per_request);
    assert!(d.kv_bytes_per_second <= d.kv_link_bytes_per_second * (1.0 + 1e-9));
    // Without a compute fabric the planner leaves a token link: both pools share each NVL72 rack.
    let mut islanded = sys.clone();
    islanded.scale_out_bits_per_s_per_gpu = 1.0;
    let d = disaggregated::estimate(&islanded, &m, Precision::Fp4, &req, 5760, &eff).unwrap();
    assert_eq!(d.kv_link, KvLink::NvLink);
}

#[test]
fn a_slower_link_never_helps_and_a_missing_one_is_named() {
    let session = Session::new();
    let catalog = &session.catalog;
    let eff = Efficiency::fitted();
    let Some(Part::System(system)) = catalog.get("hgx-h100-8") else { panic!("hgx-h100-8") };
    let Some(Part::Model(model)) = catalog.get("llama-3.1-405b") else { panic!("llama-3.1-405b") };
    let sys = workloads::system_spec(system, &catalog[system.gpu]);
    let m = workloads::model_spec(model);
    let req = request(8192.0, 256.0, None);
    let fast = disaggregated::estimate(&sys, &m, Precision::Fp8, &req, 64, &eff).unwrap();
    assert_eq!(fast.kv_link, KvLink::ComputeFabric, "a 405B replica fills a server: the pools are apart");
    // Halving the link again and again: throughput never rises, and the link ends up binding.
    let mut slow = sys.clone();
    let mut last = fast.estimate.tokens_per_second;
    let mut bound_by_link = false;
    for _ in 0..12 {
        slow.scale_out_bits_per_s_per_gpu /= 2.0;
        match disaggregated::estimate(&slow, &m, Precision::Fp8, &req, 64, &eff) {
            Ok(d) => {
                assert!(d.estimate.tokens_per_second <= last * (1.0 + 1e-9));
                last = d.estimate.tokens_per_second;
                bound_by_link |= d.binding == disaggregated::Binding::KvTransfer;
            }
            Err(e) => {
                assert!(matches!(e, disaggregated::Infeasible::KvLink { .. }), "{e:?}");
                bound_by_link = true;
                break;
            }
        }
    }
    assert!(bound_by_link);
    slow.scale_out_bits_per_s_per_gpu = 1.0;
    let none = disaggregated::estimate(&slow, &m, Precision::Fp8, &req, 64, &eff);
    assert!(matches!(none, Err(disaggregated::Infeasible::KvLink { .. })), "{none:?}");
}
