//! Output safety and limits, run on the real binary: standard input, the file-size limit while
//! reading, full and closed output streams, long source lines in diagnostics, and `fmt` writing
//! through an exclusive temporary file.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_millwright"));
    c.args(args).current_dir(common::root()).env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut c = command(args);
    c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run millwright");
    if let Some(bytes) = stdin {
        let mut input = child.stdin.take().unwrap();
        // The binary may stop reading early (the size limit); a closed pipe is expected then.
        let _ = input.write_all(bytes);
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("millwright-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn lab() -> Vec<u8> {
    std::fs::read(common::root().join("examples/lab/factory.kdl")).unwrap()
}

#[test]
fn a_dash_reads_standard_input_for_check_plan_graph_and_build() {
    let r = run_with_stdin(&["check", "-"], Some(&lab()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("ok"), "{}", r.stderr);
    let r = run_with_stdin(&["plan", "--format", "json", "-"], Some(&lab()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["totals"]["gpus"].as_u64().unwrap() > 0, "{}", r.stdout);
    let r = run_with_stdin(&["graph", "-"], Some(&lab()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("digraph"), "{}", r.stdout);
    let r = run_with_stdin(&["build", "-", "--view"], Some(&lab()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\"racks\""), "{}", r.stdout);
    let r = run_with_stdin(&["check", "-"], Some(b"factory \"x\"\nsite \"s\" {\n    tier \"three\"\n}\n"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("<stdin>:3:"), "diagnostics name standard input: {}", r.stderr);
}

#[test]
fn fmt_of_a_dash_writes_the_formatted_text_to_stdout() {
    let messy = b"factory   \"x\"  {\n  currency \"EUR\"   // keep me\n}\n";
    let r = run_with_stdin(&["fmt", "-"], Some(messy));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("factory \"x\" {\n") && r.stdout.contains("// keep me"), "{}", r.stdout);
    let r = run_with_stdin(&["fmt", "--check", "-"], Some(messy));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("<stdin>: not formatted"), "{}", r.stderr);
}

#[test]
fn the_size_limit_holds_while_reading_files_and_standard_input() {
    // A sparse file of 100 MB: it is refused from its size, without being read.
    let dir = TempDir::new("size");
    let big = dir.path().join("big.kdl");
    std::fs::File::create(&big).unwrap().set_len(100_000_000).unwrap();
    let r = run(&["check", big.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E0113") && r.stderr.contains("100,000,000 bytes"), "{}", r.stderr);
    // An endless stream: reading stops one byte after the limit.
    if Path::new("/dev/zero").exists() {
        let r = run(&["check", "/dev/zero"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("E0113") && r.stderr.contains("more than 67,108,864 bytes"), "{}", r.stderr);
    }
    let r = run_with_stdin(&["plan", "-"], Some(&vec![b' '; 64 * 1024 * 1024 + 10]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E0113") && r.stderr.contains("<stdin>"), "{}", r.stderr);
}

#[test]
fn a_full_stdout_is_an_error_with_exit_2() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    for args in [
        &["plan", "--format", "json", "examples/lab/factory.kdl"][..],
        &["plan", "examples/lab/factory.kdl"][..],
        &["check", "--format", "json", "examples/lab/factory.kdl"][..],
        &["graph", "examples/lab/factory.kdl"][..],
        &["catalog", "list"][..],
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = command(args).stdout(full).stderr(Stdio::piped()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to standard output"), "{args:?}: {stderr}");
    }
    // A full stderr leaves nowhere to report: exit 2, never a panic.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = command(&["check", "no/such/file.kdl"]).stderr(full).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_closed_stdout_pipe_ends_the_output_quietly() {
    let mut child = command(&["catalog", "list"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_label_past_column_65535_is_rendered_not_a_panic() {
    let dir = TempDir::new("column");
    let file = dir.path().join("long.kdl");
    let text = format!("factory \"x\"\nsite \"s\" {{ tier 3 }}{}site \"t\" {{ bogus 1 }}\n", " ".repeat(70_000));
    std::fs::write(&file, text).unwrap();
    let r = run(&["check", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked") && r.stderr.contains("…"), "{}", r.stderr);
    assert!(r.stderr.lines().all(|l| l.len() < 2_000), "a line was not cut: {}", r.stderr.len());
}

#[cfg(unix)]
#[test]
fn fmt_keeps_the_mode_and_formats_the_target_of_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fmt");
    let real = dir.path().join("real.kdl");
    std::fs::write(&real, "factory   \"x\"  {\n  currency \"EUR\"\n}\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.kdl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = run(&["fmt", link.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "factory \"x\" {\n    currency \"EUR\"\n}\n");
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "a temporary file was left behind: {left:?}");
}

#[cfg(unix)]
#[test]
fn fmt_does_not_follow_a_planted_temporary_name() {
    // The name the old `fmt` wrote through, planted as a link to a file the user must not lose.
    let dir = TempDir::new("plant");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let file = dir.path().join("f.kdl");
    std::fs::write(&file, "factory   \"x\"\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join(".f.kdl.millwright-tmp")).unwrap();
    let r = run(&["fmt", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "factory \"x\"\n");
}

fn build(file: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["build", file.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn lab_file() -> PathBuf {
    common::root().join("examples/lab/factory.kdl")
}

#[test]
fn a_rebuild_keeps_files_beside_the_generated_ones_and_says_so() {
    let dir = TempDir::new("keep");
    let out = dir.path().join("out");
    let r = build(&lab_file(), &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let manifest = std::fs::read_to_string(out.join("terraform/.millwright-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l.ends_with("  main.tf")), "{manifest}");
    std::fs::write(out.join("terraform/backend.tf"), "terraform { backend \"local\" {} }\n").unwrap();
    std::fs::write(out.join("terraform/terraform.tfstate"), "{\"version\": 4}\n").unwrap();
    std::fs::create_dir_all(out.join("terraform/.terraform/providers")).unwrap();
    std::fs::write(out.join("terraform/.terraform/providers/p"), "x").unwrap();
    let blueprint = out.join("terraform/factory.kdl");
    std::fs::copy(lab_file(), &blueprint).unwrap();
    let r = build(&blueprint, &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("kept 4 files Millwright did not write")
            && r.stderr.contains(".terraform/, backend.tf, factory.kdl, terraform.tfstate"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(out.join("terraform/terraform.tfstate")).unwrap(), "{\"version\": 4}\n");
    assert!(out.join("terraform/backend.tf").exists() && out.join("terraform/.terraform/providers/p").exists());
    assert_eq!(std::fs::read(&blueprint).unwrap(), std::fs::read(lab_file()).unwrap());
    let staging: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".millwright-staging"))
        .collect();
    assert!(staging.is_empty(), "a staging folder was left behind");
}

#[test]
fn a_generated_path_over_a_user_file_is_refused_unless_forced() {
    let dir = TempDir::new("refuse");
    let out = dir.path().join("out");
    // A folder a user wrote: no manifest, a main.tf of their own.
    std::fs::create_dir_all(out.join("terraform")).unwrap();
    std::fs::write(out.join("terraform/main.tf"), "# mine\n").unwrap();
    let r = build(&lab_file(), &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("E1004") && r.stderr.contains("main.tf (not written by Millwright)"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(out.join("terraform/main.tf")).unwrap(), "# mine\n");
    assert!(!out.join("kubernetes").exists(), "a refused build wrote another target");
    let r = build(&lab_file(), &out, &["--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(std::fs::read_to_string(out.join("terraform/main.tf")).unwrap(), "# mine\n");
    // A generated file edited after the build is the user's now.
    let generated = out.join("quote/quote.md");
    std::fs::write(&generated, "# edited\n").unwrap();
    let r = build(&lab_file(), &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("(edited since the last build)"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&generated).unwrap(), "# edited\n");
    // A file where a target folder belongs is never replaced, even with --force.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("bom"), "my notes").unwrap();
    let r = build(&lab_file(), &other, &["--force"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("E1004") && r.stderr.contains("in the way"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(other.join("bom")).unwrap(), "my notes");
    assert!(!other.join("terraform").exists());
}

#[test]
fn a_second_build_into_a_locked_folder_fails_before_touching_anything() {
    let dir = TempDir::new("lock");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join(".millwright.lock"))
        .unwrap();
    lock.lock().unwrap();
    let r = build(&lab_file(), &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("E1005"), "{}", r.stderr);
    assert!(!out.join("terraform").exists());
    lock.unlock().unwrap();
    let r = build(&lab_file(), &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_stale_staging_folder_and_journal_are_cleaned_up_by_the_next_build() {
    let dir = TempDir::new("stale");
    let out = dir.path().join("out");
    assert_eq!(build(&lab_file(), &out, &[]).code, 0);
    let before = std::fs::read(out.join("terraform/main.tf")).unwrap();
    // A build killed after moving the old main.tf aside and the new one in.
    let staging = out.join(".millwright-staging-4000000");
    std::fs::create_dir_all(staging.join("old/terraform")).unwrap();
    std::fs::create_dir_all(staging.join("new")).unwrap();
    std::fs::rename(out.join("terraform/main.tf"), staging.join("old/terraform/main.tf")).unwrap();
    std::fs::write(out.join("terraform/main.tf"), "half-built").unwrap();
    std::fs::write(
        out.join(".millwright-journal"),
        "millwright build journal 1\nstaging\t.millwright-staging-4000000\nmove\ton\tterraform/main.tf\n",
    )
    .unwrap();
    std::fs::create_dir_all(out.join(".millwright-staging-12345/new")).unwrap();
    let r = build(&lab_file(), &out, &["--target", "kubernetes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(out.join("terraform/main.tf")).unwrap(), before, "the old output was not restored");
    assert!(!out.join(".millwright-journal").exists() && !staging.exists());
    assert!(!out.join(".millwright-staging-12345").exists());
}

#[cfg(unix)]
#[test]
fn a_build_into_a_link_to_another_folder_stages_inside_it() {
    let dir = TempDir::new("link");
    // /dev/shm is usually a tmpfs, another file system than the temporary folder: a rename
    // from beside the link would fail there.
    let shm = Path::new("/dev/shm");
    let real = if shm.is_dir() && std::fs::write(shm.join(".millwright-probe"), "").is_ok() {
        let _ = std::fs::remove_file(shm.join(".millwright-probe"));
        shm.join(format!("millwright-link-{}", std::process::id()))
    } else {
        eprintln!("no writable /dev/shm: the link points into the same file system");
        dir.path().join("real")
    };
    std::fs::create_dir_all(&real).unwrap();
    let link = dir.path().join("out");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let r = build(&lab_file(), &link, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(real.join("terraform/main.tf").exists());
    let beside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(beside.len(), 1, "something was written beside the output folder: {beside:?}");
    let _ = std::fs::remove_dir_all(&real);
}

#[test]
fn build_refuses_a_factory_larger_than_a_build_writes_that_check_accepts() {
    // 2,000,000 racks in about 300 bytes: racks stay aggregated in the analysis.
    let dir = TempDir::new("huge");
    let file = dir.path().join("huge.kdl");
    std::fs::write(
        &file,
        "factory \"huge\" {\n    currency \"USD\"\n}\n\nsite \"campus\" {\n    power {\n        feed \"grid\" capacity=(MW)40000\n    }\n\
         \x20   cooling {\n        air capacity=(MW)40000\n    }\n    hall \"h\" {\n        row \"R\" count=2000 {\n\
         \x20           rack \"rack-air-48u\" count=1000 {\n                system \"hgx-b200-8\"\n            }\n        }\n    }\n}\n",
    )
    .unwrap();
    let r = run(&["check", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = dir.path().join("out");
    let r = build(&file, &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E1006") && r.stderr.contains("2,000,000 racks"), "{}", r.stderr);
    assert!(!out.exists(), "a refused build created its output folder");
    let r = run(&["build", file.to_str().unwrap(), "--view"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "the view of a refused build was printed");
}

#[test]
fn a_non_finite_result_is_a_diagnostic_in_every_command_never_output() {
    let file = common::root().join("tests/hostile/overflowing-energy-price.kdl");
    let path = file.to_str().unwrap();
    let r = run(&["check", path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E1007") && r.stderr.contains("1e308 is far beyond any real factory"), "{}", r.stderr);
    let dir = TempDir::new("inf");
    let out = dir.path().join("out");
    let r = build(&file, &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E1007") && !out.exists(), "{}", r.stderr);
    let r = run(&["build", path, "--view"]);
    assert!(r.stdout.is_empty() && r.stderr.contains("E1007"), "{}", r.stdout);
    // The plan prints no cost, so it is printed, and every number in it is finite.
    let r = run(&["plan", "--format", "json", path]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    fn finite(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => n.as_f64().is_some_and(f64::is_finite),
            serde_json::Value::Array(a) => a.iter().all(finite),
            serde_json::Value::Object(o) => o.values().all(finite),
            _ => true,
        }
    }
    assert!(finite(&v) && !r.stdout.contains("$inf"), "{}", r.stdout);
    // The guard stays quiet on sound blueprints: every example's view is printed.
    for example in ["lab", "rhine", "mi355x", "hopper-air", "gb300-multisite"] {
        let f = common::root().join(format!("examples/{example}/factory.kdl"));
        let r = run(&["build", f.to_str().unwrap(), "--view"]);
        assert_eq!(r.code, 0, "{example}: {}", r.stderr);
        assert!(finite(&serde_json::from_str(&r.stdout).unwrap()), "{example}");
    }
}

/// The lab example with its site repeated `sites` times and `workloads` one-GPU workloads.
fn many_sites_and_workloads(sites: usize, workloads: usize) -> String {
    let lab = String::from_utf8(lab()).unwrap();
    let (head, rest) = lab.split_once("site \"hq-lab\" {").unwrap();
    let (site_body, tail) = rest.split_once("\nsoftware {").unwrap();
    let software = tail.split("workload \"gpt-oss\"").next().unwrap();
    let mut text = head.to_string();
    for i in 0..sites {
        text.push_str(&format!("site \"s{i}\" {{{site_body}\n"));
    }
    text.push_str(&format!("software {{{software}"));
    for j in 0..workloads {
        text.push_str(&format!(
            "workload \"w{j}\" {{\n    model \"llama-3.1-8b\"\n    precision \"bf16\"\n    tokens input=2048 output=256\n    gpus 1\n}}\n\n"
        ));
    }
    text
}

#[test]
fn build_refuses_more_site_workloads_than_a_build_writes() {
    let dir = TempDir::new("pairs");
    let file = dir.path().join("pairs.kdl");
    std::fs::write(&file, many_sites_and_workloads(150, 150)).unwrap();
    let r = run(&["check", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = dir.path().join("out");
    let r = build(&file, &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("E1006") && r.stderr.contains("22,500 site workloads"), "{}", r.stderr);
    assert!(!out.exists());
}
