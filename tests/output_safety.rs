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
