//! Unit tests of the throughput model on hand-built parts (the calibration test covers accuracy).

use super::*;

const GB: f64 = 1e9;
const T: f64 = 1e12;

fn hopper(memory_gb: f64) -> SystemSpec {
    SystemSpec {
        id: "hgx-h100-8".into(),
        gpu: GpuSpec {
            architecture: Architecture::Hopper,
            memory_bytes: memory_gb * GB,
            memory_bandwidth_bytes_per_s: 3.35 * T,
            bf16_flops: 989.0 * T,
            fp8_flops: Some(1979.0 * T),
            fp4_flops: None,
            scale_up_bandwidth_bytes_per_s: 900.0 * GB,
        },
        gpus_per_system: 8,
        nvlink_domain: 8,
        host_gpus: 8,
        scale_out_bits_per_s_per_gpu: 400e9,
    }
}

fn blackwell() -> SystemSpec {
    let mut s = hopper(180.0);
    s.id = "hgx-b200-8".into();
    s.gpu.architecture = Architecture::Blackwell;
    s.gpu.memory_bandwidth_bytes_per_s = 8.0 * T;
    s.gpu.bf16_flops = 2250.0 * T;
    s.gpu.fp8_flops = Some(4500.0 * T);
    s.gpu.fp4_flops = Some(9000.0 * T);
    s.gpu.scale_up_bandwidth_bytes_per_s = 1800.0 * GB;
    s
}

fn llama_70b() -> ModelSpec {
    ModelSpec {
        id: "llama-3.1-70b".into(),
        parameters: 70.55e9,
        active_parameters: 70.55e9,
        layers: 80,
        hidden_size: 8192,
        vocab_size: 128_256,
        attention: Attention::Gqa { heads: 64, kv_heads: 8, head_dim: 128 },
        experts: None,
        sliding_window: None,
        mtp_layers: 0,
        mtp_acceptance: 0.0,
        weights: Precision::Bf16,
        checkpoints: vec![],
    }
}

fn deepseek() -> ModelSpec {
    ModelSpec {
        id: "deepseek-r1".into(),
        parameters: 671e9,
        active_parameters: 37e9,
        layers: 61,
        hidden_size: 7168,
        vocab_size: 129_280,
        attention: Attention::Mla {
            heads: 128,
            kv_lora_rank: 512,
            rope_head_dim: 64,
            nope_head_dim: 128,
            v_head_dim: 128,
        },
        experts: Some(Experts { total: 256, active: 8, shared: 1, layers: 58, intermediate_size: 2048 }),
        sliding_window: None,
        mtp_layers: 1,
        mtp_acceptance: 0.81,
        weights: Precision::Fp8,
        checkpoints: vec![],
    }
}

fn chat(slo: Option<Slo>) -> Request {
    Request { input_tokens: 1000.0, output_tokens: 1000.0, output_length_cv: 0.0, slo }
}

#[test]
fn deepseek_fp4_keeps_attention_in_fp8_and_weighs_about_0_4_tb() {
    let w = weight_bytes(&deepseek(), Precision::Fp4);
    assert!((0.37e12..0.45e12).contains(&w.total()), "{w:?}");
    // Non-expert layers stay at one byte per weight.
    assert!(w.dense > 14e9 && w.dense < 20e9, "{w:?}");
    let fp8 = weight_bytes(&deepseek(), Precision::Fp8);
    assert!((0.66e12..0.70e12).contains(&fp8.total()), "{fp8:?}");
}

#[test]
fn deepseek_fp8_needs_more_than_one_h100_node_but_fits_two() {
    let fit = memory_fit(&hopper(80.0), &deepseek(), Precision::Fp8, &chat(None), 8);
    assert!(!fit.fits, "{fit:?}");
    assert!(fit.needed_bytes > fit.available_bytes);
    let fit = memory_fit(&hopper(80.0), &deepseek(), Precision::Fp8, &chat(None), 16);
    assert!(fit.fits, "{fit:?}");
    assert_eq!(fit.gpus_per_replica, 16);
    let e = estimate(&hopper(80.0), &deepseek(), Precision::Fp8, &chat(None), 8, &Efficiency::fitted());
    assert_eq!(e.err().map(|i| i.limit), Some(Limit::Memory));
}

#[test]
fn a_70b_model_fits_one_b200_in_fp4_and_its_replicas_fill_the_node() {
    let fit = memory_fit(&blackwell(), &llama_70b(), Precision::Fp4, &chat(None), 8);
    assert_eq!(fit.gpus_per_replica, 1);
    let e =
        estimate(&blackwell(), &llama_70b(), Precision::Fp4, &chat(None), 8, &Efficiency::fitted()).expect("feasible");
    let p = e.parallelism;
    assert_eq!(p.tensor * p.pipeline * p.expert * p.data, 8);
    assert!((e.tokens_per_second - e.tokens_per_second_per_gpu * 8.0).abs() < 1e-6);
}

#[test]
fn weight_only_fp4_on_hopper_reads_four_bits_but_computes_at_bf16() {
    let h = hopper(80.0);
    assert_eq!(h.gpu.gemm_flops(Precision::Fp4), h.gpu.bf16_flops);
    assert_eq!(blackwell().gpu.gemm_flops(Precision::Fp4), 9000.0 * T);
    let fp4 = weight_bytes(&llama_70b(), Precision::Fp4).total();
    let fp8 = weight_bytes(&llama_70b(), Precision::Fp8).total();
    assert!(fp4 < 0.6 * fp8);
}

#[test]
fn an_slo_costs_throughput_and_is_met() {
    let eff = Efficiency::fitted();
    let sys = hopper(80.0);
    let offline = estimate(&sys, &llama_70b(), Precision::Fp8, &chat(None), 8, &eff).expect("offline");
    let slo = Slo { ttft_s: 2.0, tpot_s: 0.040 };
    let served = estimate(&sys, &llama_70b(), Precision::Fp8, &chat(Some(slo)), 8, &eff).expect("slo");
    assert!(served.tokens_per_second < offline.tokens_per_second);
    assert!(served.tpot_ms * eff.latency_tail <= 40.0 + 1e-9);
    assert!(served.ttft_ms * eff.latency_tail <= 2000.0 + 1e-9);
}

#[test]
fn an_impossible_tpot_names_the_limit_and_the_best_reachable() {
    let slo = Slo { ttft_s: 10.0, tpot_s: 0.001 };
    let err = estimate(&hopper(80.0), &llama_70b(), Precision::Fp8, &chat(Some(slo)), 8, &Efficiency::fitted())
        .expect_err("1 ms per token is below the per-layer floor");
    assert_eq!(err.limit, Limit::Tpot);
    assert!(err.best > err.target);
    assert!((err.target - 0.001).abs() < 1e-12);
    assert!(err.to_string().contains("time per output token"));
}

#[test]
fn an_impossible_ttft_names_ttft() {
    let slo = Slo { ttft_s: 0.001, tpot_s: 1.0 };
    let err = estimate(&hopper(80.0), &llama_70b(), Precision::Fp8, &chat(Some(slo)), 8, &Efficiency::fitted())
        .expect_err("a 1,000-token prompt takes longer than 1 ms");
    assert_eq!(err.limit, Limit::Ttft);
}

#[test]
fn mla_kv_cache_is_a_fraction_of_gqa_and_sliding_windows_cap_it() {
    let h = hopper(80.0);
    let mla = step_time::kv_bytes(&deepseek(), &h.gpu, Precision::Fp8, 1000.0);
    // 61 layers × (512 + 64) elements × 1 byte.
    assert!((mla - 61.0 * 576.0 * 1000.0).abs() < 1.0);
    let mut m = llama_70b();
    let full = step_time::kv_bytes(&m, &h.gpu, Precision::Fp8, 10_000.0);
    m.sliding_window = Some(SlidingWindow { tokens: 128, layers: 40 });
    let windowed = step_time::kv_bytes(&m, &h.gpu, Precision::Fp8, 10_000.0);
    assert!(windowed < 0.51 * full);
}

#[test]
fn wide_expert_parallelism_spans_nvl72_and_costs_per_gpu_throughput() {
    let mut rack = blackwell();
    rack.id = "gb200-nvl72".into();
    rack.nvlink_domain = 72;
    rack.host_gpus = 4;
    rack.gpus_per_system = 72;
    let eff = Efficiency::fitted();
    let req = chat(None);
    let node = estimate(&blackwell(), &deepseek(), Precision::Fp4, &req, 8, &eff).expect("node");
    let wide = estimate(&rack, &deepseek(), Precision::Fp4, &req, 72, &eff).expect("rack");
    // Per-GPU throughput of a rack is close to a node's: the imbalance of wide EP eats the
    // memory it frees.
    let ratio = wide.tokens_per_second_per_gpu / node.tokens_per_second_per_gpu;
    assert!((0.7..1.4).contains(&ratio), "ratio {ratio}");
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let eff = Efficiency::fitted();
    let mut m = llama_70b();
    m.layers = 0;
    m.parameters = 0.0;
    let req = Request { input_tokens: 0.0, output_tokens: 0.0, output_length_cv: 0.0, slo: None };
    let _ = estimate(&hopper(80.0), &m, Precision::Bf16, &req, 0, &eff);
    let _ = estimate(&hopper(0.0), &llama_70b(), Precision::Bf16, &req, 8, &eff);
    let _ = memory_fit(&hopper(80.0), &llama_70b(), Precision::Bf16, &req, 0);
}

#[test]
fn estimates_are_deterministic() {
    let eff = Efficiency::fitted();
    let a = estimate(&blackwell(), &deepseek(), Precision::Fp4, &chat(None), 8, &eff);
    let b = estimate(&blackwell(), &deepseek(), Precision::Fp4, &chat(None), 8, &eff);
    assert_eq!(a, b);
}

#[test]
fn a_latency_limit_never_lifts_throughput_above_offline_and_names_what_binds() {
    let eff = Efficiency::fitted();
    for (sys, model, precision) in
        [(hopper(80.0), llama_70b(), Precision::Fp8), (blackwell(), deepseek(), Precision::Fp4)]
    {
        let long = Request { input_tokens: 230.0, output_tokens: 3700.0, output_length_cv: 1.0, slo: None };
        let offline = estimate(&sys, &model, precision, &long, 8, &eff).expect("offline");
        for (ttft, tpot) in [(2.0, 0.2), (2.0, 0.08), (1.5, 0.04), (0.45, 0.02)] {
            let slo = Slo { ttft_s: ttft, tpot_s: tpot };
            let Ok(served) = estimate(&sys, &model, precision, &Request { slo: Some(slo), ..long.clone() }, 8, &eff)
            else {
                continue;
            };
            assert!(
                served.tokens_per_second <= offline.tokens_per_second * (1.0 + 1e-12),
                "{} at {tpot} s: {} > offline {}",
                model.id,
                served.tokens_per_second,
                offline.tokens_per_second
            );
            // The mean TPOT sits below the limit by at least the fitted tail.
            assert!(served.tpot_ms / 1e3 * eff.latency_tail <= tpot + 1e-9);
        }
    }
}

#[test]
fn a_tight_tpot_limit_binds_on_tpot() {
    let eff = Efficiency::fitted();
    let slo = Slo { ttft_s: 10.0, tpot_s: 0.025 };
    let served = estimate(&hopper(80.0), &llama_70b(), Precision::Fp8, &chat(Some(slo)), 8, &eff).expect("slo");
    assert_eq!(served.binding, super::Binding::Tpot);
    let offline = estimate(&hopper(80.0), &llama_70b(), Precision::Fp8, &chat(None), 8, &eff).expect("offline");
    assert!(matches!(offline.binding, super::Binding::Compute | super::Binding::Memory));
}

#[test]
fn mtp_acceptance_comes_from_the_model_and_zero_acceptance_never_helps() {
    let eff = Efficiency::fitted();
    let slo = Slo { ttft_s: 2.0, tpot_s: 0.03 };
    let req = Request { input_tokens: 1000.0, output_tokens: 2000.0, output_length_cv: 1.0, slo: Some(slo) };
    let with = estimate(&blackwell(), &deepseek(), Precision::Fp4, &req, 8, &eff).expect("with MTP");
    let never = ModelSpec { mtp_acceptance: 0.0, ..deepseek() };
    let without = estimate(&blackwell(), &never, Precision::Fp4, &req, 8, &eff).expect("without MTP");
    // Drafts that are never accepted cost a verification and gain nothing.
    assert!(!without.speculative);
    assert!(with.tokens_per_second >= without.tokens_per_second);
}

#[test]
fn bands_contain_the_estimate_and_widen_when_extrapolating() {
    let llama = ModelSpec { id: "llama-3.3-70b".into(), ..llama_70b() };
    let unknown = ModelSpec { id: "some-new-model".into(), layers: 7, ..llama_70b() };
    let known = super::band("b200", &llama);
    let new_gpu = super::band("mi355x", &llama);
    let new_both = super::band("mi355x", &unknown);
    assert_eq!(known.coverage, super::Coverage::Calibrated);
    assert_eq!(new_gpu.coverage, super::Coverage::NewGpu);
    for b in [known, new_gpu, new_both] {
        assert!(b.low <= 1.0 && b.high >= 1.0, "{b:?}");
    }
    assert!(new_both.high / new_both.low >= new_gpu.high / new_gpu.low);
}
