//! CLI tests: run the real `millwright` binary and check exit codes and output formats.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::process::Command;

fn millwright(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run millwright");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn check_accepts_the_main_example() {
    let (code, _, err) = millwright(&["check", "examples/rhine/factory.kdl"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ok"), "{err}");
}

#[test]
fn check_exits_1_on_errors_and_2_on_io_problems() {
    let dir = std::env::temp_dir().join(format!("millwright-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad = dir.join("bad.kdl");
    std::fs::write(&bad, "factory \"x\" {\n    currency \"EUR\"\n}\nsite \"s\" {\n    tier \"three\"\n}\n")
        .expect("write");
    let (code, _, err) = millwright(&["check", bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0106"), "{err}");
    let (code, _, err) = millwright(&["check", "no/such/file.kdl"]);
    assert_eq!(code, 2, "{err}");
    // A folder is checked as the blueprints in it.
    let (code, _, err) = millwright(&["check", dir.to_str().unwrap_or_default()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0106"), "{err}");
    let (code, _, _) = millwright(&["check"]);
    assert_eq!(code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_json_is_one_object_with_counts() {
    let dir = std::env::temp_dir().join(format!("millwright-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let bad = dir.join("bad.kdl");
    std::fs::write(&bad, "factory \"x\"\nsite \"s\" {\n    power { feed \"a\" capacity=40 }\n}\n").expect("write");
    let (code, out, _) = millwright(&["check", "--format", "json", bad.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v["errors"].as_u64().unwrap_or(0) >= 1);
    let d = &v["diagnostics"][0];
    for key in ["code", "severity", "message", "file", "line", "column", "labels", "help"] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert!(v["diagnostics"].as_array().is_some_and(|a| a.iter().any(|d| d["code"] == "E0107")), "{out}");
    let (code, out, _) = millwright(&["check", "--format", "json", "examples/rhine/factory.kdl"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["errors"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_prints_pages_and_rejects_unknown_codes() {
    let (code, out, _) = millwright(&["explain", "E0201"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# E0201"), "{out}");
    let (code, _, err) = millwright(&["explain", "E9999"]);
    assert_eq!(code, 2);
    assert!(err.contains("E9999"));
}

#[test]
fn examples_are_formatted_and_fmt_is_idempotent() {
    let mut examples: Vec<String> = std::fs::read_dir(common::root().join("examples"))
        .expect("examples")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("factory.kdl").exists())
        .map(|e| format!("examples/{}/factory.kdl", e.file_name().to_string_lossy()))
        .collect();
    examples.sort();
    assert!(examples.len() >= 5, "{examples:?}");
    let mut args = vec!["fmt", "--check"];
    args.extend(examples.iter().map(String::as_str));
    let (code, out, err) = millwright(&args);
    assert_eq!(code, 0, "{out}{err}");
    let dir = std::env::temp_dir().join(format!("millwright-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let f = dir.join("messy.kdl");
    std::fs::write(
        &f,
        "factory   \"x\"  {\n  currency \"EUR\"   // keep me\n}\n\n\n\nsite \"s\" {\n/* and me */ tier 3\n}\n",
    )
    .expect("write");
    let name = f.to_str().unwrap_or_default();
    let (code, out, _) = millwright(&["fmt", "--check", name]);
    assert_eq!(code, 1);
    // A unified diff: both labels, a hunk header and the changed lines with their context.
    assert!(out.starts_with(&format!("--- {name}\n+++ {name} (formatted)\n@@ -1,")), "{out}");
    assert!(out.contains("\n-factory   \"x\"  {\n-  currency \"EUR\"   // keep me\n+factory \"x\" {\n"), "{out}");
    assert!(out.contains("\n-/* and me */ tier 3\n+    /* and me */\n+    tier 3\n }\n"), "{out}");
    let (code, _, _) = millwright(&["fmt", f.to_str().unwrap_or_default()]);
    assert_eq!(code, 0);
    let once = std::fs::read_to_string(&f).expect("read");
    assert!(once.contains("// keep me") && once.contains("/* and me */"), "{once}");
    let (code, _, _) = millwright(&["fmt", "--check", f.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "fmt is not idempotent:\n{once}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn catalog_lists_and_shows_parts() {
    let (code, out, _) = millwright(&["catalog", "list", "--kind", "system"]);
    assert_eq!(code, 0);
    assert!(out.contains("gb200-nvl72") && out.contains("hgx-h100-8"), "{out}");
    let (code, out, _) = millwright(&["catalog", "show", "gb200-nvl72"]);
    assert_eq!(code, 0);
    assert!(out.contains("system \"gb200-nvl72\""), "{out}");
    let (code, _, err) = millwright(&["catalog", "show", "gb200-nvl73"]);
    assert_eq!(code, 2);
    assert!(err.contains("gb200-nvl72"), "{err}");
}

#[test]
fn plan_json_has_the_documented_keys_and_exits_like_check() {
    let (code, out, err) = millwright(&["plan", "--format", "json", "examples/rhine/factory.kdl"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for key in
        ["it_power_kw", "facility_power_kw", "feed_capacity_kw", "liquid_heat_kw", "air_heat_kw", "racks", "gpus"]
    {
        assert!(v["sites"][0].get(key).is_some(), "sites[0] lacks {key}");
    }
    for key in ["name", "endpoints", "switches", "cables", "transceivers"] {
        assert!(v["fabrics"][0].get(key).is_some(), "fabrics[0] lacks {key}");
    }
    for key in ["leaf", "spine", "core"] {
        assert!(v["fabrics"][0]["switches"][key].is_u64(), "switch count {key} is not an integer");
    }
    for key in ["name", "gpus", "replicas", "parallelism", "tokens_per_second", "ttft_ms", "tpot_ms", "bound"] {
        assert!(v["workloads"][0].get(key).is_some(), "workloads[0] lacks {key}");
    }
    let t = &v["totals"];
    assert_eq!(t["gpus"], 10_368);
    assert!(t["tokens_per_second"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(t["tokens_per_second_per_mw"].as_f64().unwrap_or(0.0) > 0.0);
}

/// `plan` marks a fabric no workload sends over, with what it adds, as W0602 does; a fabric that
/// carries a replica spanning servers names the workload instead.
#[test]
fn plan_marks_an_idle_fabric_with_its_price() {
    let (code, out, err) =
        millwright(&["plan", "--format", "json", "tests/ui/network/idle-fabric-replicas-fit-nvlink.kdl"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let f = &v["fabrics"][0];
    assert_eq!(f["idle"], true);
    assert!(f["capex"].as_f64().unwrap_or(0.0) > 0.0, "{f}");
    assert_eq!(f["carries"].as_array().map(|a| a.len()), Some(0));
    let (_, text, _) = millwright(&["plan", "tests/ui/network/idle-fabric-replicas-fit-nvlink.kdl"]);
    assert!(text.contains("idle: no workload sends over it"), "{text}");
    let (code, out, err) =
        millwright(&["plan", "--format", "json", "tests/ui/network/sound-fabric-carries-spanning-replica.kdl"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let f = &v["fabrics"][0];
    assert_eq!(f["idle"], false);
    assert_eq!(f["carries"][0], "frontier");
}

#[test]
fn estimate_reports_a_configuration_and_names_an_impossible_slo() {
    let (code, out, err) = millwright(&[
        "estimate",
        "--system",
        "hgx-h100-8",
        "--model",
        "llama-3.1-70b",
        "--precision",
        "fp8",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["gpus"], 8);
    let p = &v["parallelism"];
    let replica = p["tensor"].as_u64().unwrap() * p["pipeline"].as_u64().unwrap() * p["expert"].as_u64().unwrap();
    assert_eq!(replica * p["data"].as_u64().unwrap(), 8);
    let (code, _, err) = millwright(&[
        "estimate",
        "--system",
        "hgx-h100-8",
        "--model",
        "llama-3.1-405b",
        "--precision",
        "fp8",
        "--tpot-ms",
        "1",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E0805") && err.contains("time per output token"), "{err}");
}

#[test]
fn graph_draws_dot_and_mermaid() {
    let (code, out, _) = millwright(&["graph", "examples/lab/factory.kdl"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph factory {") && out.contains("->"), "{out}");
    let (code, out, _) = millwright(&["graph", "--format", "mermaid", "--expand", "examples/lab/factory.kdl"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("flowchart LR"), "{out}");
}

#[test]
fn compare_answers_the_next_generation_question() {
    let (code, out, err) = millwright(&["compare", "examples/rhine/factory.kdl", "--swap", "gb200-nvl72=gb300-nvl72"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tokens/s per MW") && out.contains("factor"), "{out}");
    let (code, _, err) = millwright(&["compare", "examples/rhine/factory.kdl", "--swap", "gb200-nvl72=hgx-b200-8"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn build_rejects_an_unknown_target() {
    let (code, _, err) =
        millwright(&["build", "examples/lab/factory.kdl", "--out", "unused-out", "--target", "terrafrom"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("E1001") && err.contains("terraform"), "{err}");
}

#[test]
fn allowed_warnings_are_listed_as_suppressed_and_deny_fails_on_the_rest() {
    let allowed = "tests/ui/allow/warning-allowed.kdl";
    // Shown to people as a count only, and not failing `--deny warnings`.
    let (code, _, err) = millwright(&["check", allowed, "--deny", "warnings"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("ok (0 errors, 0 warnings (2 allowed))") && !err.contains("W0602"), "{err}");
    // JSON keeps them with their reasons; SARIF as in-source suppressions (SARIF 2.1.0 §3.35).
    let (_, out, _) = millwright(&["check", allowed, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((json["warnings"].as_u64(), json["suppressed"].as_u64()), (Some(0), Some(2)), "{out}");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let d = diagnostics.iter().find(|d| d["code"] == "W0602").unwrap();
    assert_eq!(d["suppressed"]["justification"], "the fabric is sized now for a training phase next year");
    let (_, out, _) = millwright(&["check", allowed, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "W0602").unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    // The same warning without the allow: exit 0 by default, 1 under `--deny warnings`.
    let warned = "tests/ui/network/sound-two-tier-fat-tree.kdl";
    assert_eq!(millwright(&["check", warned]).0, 0);
    let (code, _, err) = millwright(&["check", warned, "--deny", "warnings"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("warnings are denied"), "{err}");
}

#[test]
fn check_takes_folders_and_prints_short_lines() {
    let (code, _, err) = millwright(&["check", "examples", "--format", "short"]);
    assert_eq!(code, 0, "{err}");
    let examples = std::fs::read_dir(common::root().join("examples")).unwrap().count();
    assert!(err.contains(&format!("checked {examples} files")), "{err}");
    // One line per diagnostic: `file:line:column: severity[CODE]: message`, in path order.
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("warning[")).collect();
    assert!(!lines.is_empty(), "{err}");
    for line in &lines {
        let mut parts = line.splitn(4, ':');
        let (file, row, col) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        assert!(file.starts_with("examples/") && file.ends_with(".kdl"), "{line}");
        assert!(row.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(), "{line}");
    }
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| l.split(':').next().unwrap_or_default().to_string());
    assert_eq!(lines, sorted);
    // An empty folder is a usage problem, like a missing file.
    let dir = std::env::temp_dir().join(format!("millwright-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(millwright(&["check", dir.to_str().unwrap()]).0, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn color_is_chosen_with_the_flag() {
    let warned = "tests/ui/network/sound-two-tier-fat-tree.kdl";
    let (_, _, always) = millwright(&["--color", "always", "check", warned]);
    assert!(always.contains('\u{1b}'), "{always}");
    let (_, _, never) = millwright(&["check", warned, "--color", "never"]);
    assert!(!never.contains('\u{1b}'), "{never}");
}

#[test]
fn compare_fails_when_the_adapted_design_still_has_errors() {
    // A100s cannot run the FP8 workloads of the Hopper example: the comparison is printed, and
    // the exit code says it is not a design to act on.
    let (code, out, err) =
        millwright(&["compare", "examples/hopper-air/factory.kdl", "--swap", "hgx-h100-8=hgx-a100-8"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("the adapted design still has errors") && out.contains("E0802"), "{out}");
}

#[test]
fn graph_expand_past_its_limit_fails_and_says_so() {
    let dir = std::env::temp_dir().join(format!("millwright-expand-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(common::root().join("examples/hopper-air/factory.kdl")).unwrap();
    let big = text.replace("row \"H\" count=8", "row \"H\" count=700");
    assert_ne!(big, text);
    let file = dir.join("big.kdl");
    std::fs::write(&file, big).unwrap();
    let (code, out, err) = millwright(&["graph", "--expand", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty() && err.contains("at most 5,000 racks") && err.contains("this factory has 5,6"), "{err}");
    // Without `--expand` the grouped graph is drawn.
    let (_, out, _) = millwright(&["graph", file.to_str().unwrap()]);
    assert!(out.starts_with("digraph factory {"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_takes_a_code_or_its_name() {
    let (code, by_name, _) = millwright(&["explain", "dra-beta"]);
    assert_eq!(code, 0);
    assert!(by_name.starts_with("# W0703"), "{by_name}");
    assert_eq!(millwright(&["explain", "w0703"]).1, by_name);
    let (code, _, err) = millwright(&["explain", "dra-bta"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `dra-beta`"), "{err}");
}

/// `frontier` prints the documented JSON keys, points sorted by interactivity and none beaten on
/// both axes; CSV and SVG are the same points; unknown ids and pairs that do not fit are errors
/// with suggestions and the exit codes of the other commands.
#[test]
fn frontier_prints_a_non_dominated_curve_in_every_format() {
    let base = ["frontier", "--system", "hgx-h100-8", "--model", "llama-3.3-70b", "--precision", "fp8"];
    let (code, out, err) = millwright(&[&base[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["model", "points", "precision", "system"]);
    assert_eq!(v["system"], "hgx-h100-8");
    assert_eq!(v["precision"], "fp8");
    let points = v["points"].as_array().unwrap();
    assert!(points.len() >= 5, "{out}");
    let mut point_keys: Vec<&str> = points[0].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    point_keys.sort_unstable();
    let mut want = [
        "tokens_per_second_per_gpu",
        "tokens_per_second_per_user",
        "tokens_per_second_per_mw",
        "ttft_ms",
        "tpot_ms",
        "mode",
        "tp",
        "pp",
        "ep",
        "batch",
    ];
    want.sort_unstable();
    assert_eq!(point_keys, want);
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p["tokens_per_second_per_user"].as_f64().unwrap(), p["tokens_per_second_per_gpu"].as_f64().unwrap()))
        .collect();
    for w in xy.windows(2) {
        assert!(w[0].0 < w[1].0 && w[0].1 > w[1].1, "{w:?}");
    }
    assert!(points.iter().all(|p| ["aggregated", "disaggregated"].contains(&p["mode"].as_str().unwrap())));
    let (code, csv, _) = millwright(&[&base[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), points.len() + 1, "{csv}");
    assert!(csv.starts_with("system,model,precision,tokens_per_second_per_gpu,"), "{csv}");
    let (code, svg, _) = millwright(&[&base[..], &["--format", "svg"]].concat());
    assert_eq!(code, 0);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(svg.contains("tokens/s per user") && svg.contains("output tokens/s per GPU"), "{svg}");
    assert_eq!(svg.matches("<circle").count(), points.len(), "{svg}");
    let (_, again, _) = millwright(&[&base[..], &["--format", "svg"]].concat());
    assert_eq!(svg, again, "deterministic");
    let (code, human, _) = millwright(&base);
    assert_eq!(code, 0);
    assert!(human.contains("tok/s/user") && human.contains("tok/s/GPU"), "{human}");

    let (code, _, err) =
        millwright(&["frontier", "--system", "hgx-h10-8", "--model", "llama-3.3-70b", "--precision", "fp8"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean") && err.contains("hgx-h100-8"), "{err}");
    let (code, _, err) =
        millwright(&["frontier", "--system", "hgx-h100-8", "--model", "llama-3.1-405b", "--precision", "bf16"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0804") && err.contains("--gpus 16"), "{err}");
}

/// `estimate` names the serving mode, and a written disaggregated mode that cannot form two pools
/// is E0808.
#[test]
fn estimate_reports_the_serving_mode_and_its_pools() {
    let (code, out, err) = millwright(&[
        "estimate",
        "--system",
        "gb200-nvl72",
        "--model",
        "deepseek-r1",
        "--precision",
        "fp4",
        "--gpus",
        "576",
        "--input-tokens",
        "1024",
        "--output-tokens",
        "8192",
        "--ttft-ms",
        "2000",
        "--tpot-ms",
        "20",
        "--mode",
        "disaggregated",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["mode"], "disaggregated");
    let pools = &v["pools"];
    let gpus = pools["prefill"]["gpus"].as_u64().unwrap() + pools["decode"]["gpus"].as_u64().unwrap();
    assert!(gpus <= 576 && gpus > 0, "{pools}");
    assert!(pools["ratio"].as_f64().unwrap() > 0.0);
    assert!(["prefill pool", "decode pool", "KV-cache transfer"].contains(&pools["binding"].as_str().unwrap()));
    let (code, _, err) = millwright(&[
        "estimate",
        "--system",
        "hgx-h100-8",
        "--model",
        "deepseek-r1",
        "--precision",
        "fp8",
        "--gpus",
        "16",
        "--mode",
        "disaggregated",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("E0808") && err.contains("--gpus 32"), "{err}");
}

#[test]
fn estimate_applies_the_workload_rules_of_check() {
    // FP8 on Ampere is E0802 and a request past the context E0803, as in a blueprint: exit 1, no
    // estimate printed.
    let (code, out, err) =
        millwright(&["estimate", "--system", "hgx-a100-8", "--model", "llama-3.1-70b", "--precision", "fp8"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty() && err.contains("E0802"), "{out}{err}");
    let (code, out, err) = millwright(&[
        "estimate",
        "--system",
        "hgx-h100-8",
        "--model",
        "llama-3.1-70b",
        "--precision",
        "fp8",
        "--input-tokens",
        "200000",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty() && err.contains("E0803") && err.contains("131,072"), "{out}{err}");
    // Weight-only FP4 on Hopper is W0801, which names the rate it runs at, and the estimate follows.
    let (code, out, err) =
        millwright(&["estimate", "--system", "hgx-h100-8", "--model", "llama-3.1-70b", "--precision", "fp4"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("W0801") && err.contains("FP8 compute rate"), "{err}");
    assert!(out.contains("on 8 GPUs of hgx-h100-8"), "{out}");
}
