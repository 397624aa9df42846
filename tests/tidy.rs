//! Tidy tests: repository-wide consistency that no compiler can check. Every registered code has a
//! docs page with the fixed headings and a UI test that expects it; every page belongs to a code;
//! every check file is in the registry; every source file starts with a `//!` line; no test is
//! ignored or expected to panic; the shipped catalog decodes without a single diagnostic.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use millwright::diag::codes;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p, ext));
        } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_code_has_a_docs_page_with_the_fixed_headings() {
    let dir = common::root().join("docs/codes");
    for code in codes::ALL {
        let path = dir.join(format!("{}.md", code.code));
        let page = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no page {}", code.code, common::rel(&path)));
        assert!(
            page.starts_with(&format!("# {}", code.code)),
            "{} must start with `# {}`",
            common::rel(&path),
            code.code
        );
        for heading in ["## What it means", "## Why it matters", "## Example", "## How to fix"] {
            assert!(page.contains(heading), "{} lacks `{heading}`", common::rel(&path));
        }
        assert_eq!(
            millwright::docs::code_page(code.code),
            Some(page.as_str()),
            "the embedded page of {} is stale",
            code.code
        );
    }
    for page in files_under(&dir, "md") {
        let stem = page.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        assert!(codes::lookup(stem).is_some(), "{} documents a code that is not registered", common::rel(&page));
    }
}

/// Each docs page's example is a complete blueprint that produces its code.
#[test]
fn every_docs_example_triggers_its_code() {
    // E0114 (not UTF-8) cannot be written in a UTF-8 page and E0203 is about catalog files: both
    // are exercised by their own tests (tests/ui/syntax/not-text-*.kdl, `catalog_layout_errors`).
    // W0403 needs a rack-scale system over one side of its power shelves, and every catalog part
    // fits one side: its page's example needs a changed catalog, which the unit test in
    // compiler/src/checks/rack_power.rs builds.
    for code in codes::ALL
        .iter()
        .filter(|c| !c.retired && !["E0114", "E0203", "W0403"].contains(&c.code) && !is_build_code(c.code))
    {
        let Some(page) = millwright::docs::code_page(code.code) else { continue };
        let Some(example) = page
            .split("## Example")
            .nth(1)
            .and_then(|s| s.split("```kdl\n").nth(1))
            .and_then(|s| s.split("```").next())
        else {
            panic!("the page of {} has no ```kdl example under `## Example`", code.code);
        };
        let checked = common::check_bytes(&format!("docs/codes/{}.md", code.code), example.as_bytes());
        assert!(
            checked.codes.iter().any(|c| c == code.code),
            "the example of {} does not produce it; it produces {:?}\n{}",
            code.code,
            checked.codes,
            checked.rendered
        );
    }
}

/// E10 codes belong to `millwright build`, not to `check`: `tests/targets.rs` and `tests/cli.rs`
/// exercise them (E1002, a template bug, has no trigger by design).
fn is_build_code(code: &str) -> bool {
    code.starts_with("E10") || code.starts_with("W10")
}

#[test]
fn every_code_has_a_ui_test() {
    let mut expected = BTreeSet::new();
    for path in files_under(&common::root().join("tests/ui"), "kdl") {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).to_string();
        for line in text.lines().take_while(|l| l.starts_with("//")) {
            if let Some(rest) = line.strip_prefix("// expect:") {
                expected.extend(rest.split_whitespace().map(str::to_string));
            }
        }
    }
    // W0403: no catalog part exceeds one side of its shelves, so no blueprint can fire it; the
    // unit test in compiler/src/checks/rack_power.rs proves its emission on a changed catalog.
    for code in
        codes::ALL.iter().filter(|c| !c.retired && !["E0203", "W0403"].contains(&c.code) && !is_build_code(c.code))
    {
        assert!(expected.contains(code.code), "{} has no UI test under tests/ui expecting it", code.code);
    }
}

/// Every registered code is emitted somewhere in the compiler (no dead registry entries).
#[test]
fn every_code_is_emitted() {
    let mut source = String::new();
    for path in files_under(&common::root().join("compiler/src"), "rs") {
        if path.ends_with("diag/codes.rs") {
            continue;
        }
        source.push_str(&std::fs::read_to_string(&path).expect("read"));
    }
    for code in codes::ALL {
        let emitted = source.contains(&format!("codes::{}", code.code));
        if code.retired {
            // A retired code keeps its number and page, and nothing emits it any more.
            assert!(!emitted, "{} is retired but still emitted", code.code);
            let page = std::fs::read_to_string(common::root().join(format!("docs/codes/{}.md", code.code)))
                .unwrap_or_default();
            assert!(
                page.contains("no longer emitted"),
                "the page of retired {} must say it is no longer emitted",
                code.code
            );
        } else {
            assert!(emitted, "{} is registered but never emitted", code.code);
        }
    }
}

#[test]
fn every_check_file_is_registered() {
    let dir = common::root().join("compiler/src/checks");
    let registered: BTreeSet<&str> = millwright::checks::CHECKS.iter().map(|c| c.name).collect();
    for path in files_under(&dir, "rs") {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if stem == "mod" {
            continue;
        }
        assert!(registered.contains(stem), "checks/{stem}.rs is not in checks::CHECKS");
    }
    for name in &registered {
        assert!(dir.join(format!("{name}.rs")).exists(), "checks::CHECKS names `{name}`, which has no file");
    }
    for check in millwright::checks::CHECKS {
        for code in check.codes {
            assert!(codes::lookup(code).is_some(), "check {} declares unregistered code {code}", check.name);
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    for dir in ["compiler/src", "tests"] {
        for path in files_under(&common::root().join(dir), "rs") {
            let text = std::fs::read_to_string(&path).expect("read");
            assert!(text.starts_with("//!"), "{} must start with a `//!` line saying what it is", common::rel(&path));
        }
    }
}

#[test]
fn no_ignored_or_panicking_tests() {
    for dir in ["compiler/src", "tests"] {
        for path in files_under(&common::root().join(dir), "rs") {
            let text = std::fs::read_to_string(&path).expect("read");
            // Spelt in pieces so that this file does not match itself.
            for bad in [
                concat!("#[", "ignore"),
                concat!("#[", "should_", "panic"),
                concat!("todo", "!("),
                concat!("unimplemented", "!("),
            ] {
                assert!(!text.contains(bad), "{} contains `{bad}`", common::rel(&path));
            }
        }
    }
}

#[test]
fn the_shipped_catalog_is_clean() {
    let session = millwright::Session::new();
    let diags = session.catalog_diagnostics.sorted();
    let rendered = millwright::diag::render::human(&diags, &session.sources, millwright::diag::render::Style::plain());
    assert!(diags.is_empty(), "the catalog has {} problems:\n{rendered}", diags.len());
}

/// The catalog's references between parts resolve: a NIC's `module=` is a host-side transceiver at
/// least as fast as the ports, and a system's `bundles` names a service part.
#[test]
fn catalog_references_resolve() {
    let session = millwright::Session::new();
    let c = &session.catalog;
    let ids: Vec<&str> = c.ids_of_kind("system").collect();
    assert!(!ids.is_empty());
    for id in ids {
        let s = c.system(id).expect("system");
        for nic in &s.nics {
            if let Some(m) = &nic.module {
                let t = c.transceivers().find(|t| &t.id == m && !t.is_cable);
                let t = t.unwrap_or_else(|| panic!("system {id}: NIC module `{m}` is not a transceiver part"));
                assert_ne!(
                    t.end,
                    Some(millwright::catalog::LinkEnd::Switch),
                    "system {id}: `{m}` is a switch-side module"
                );
                let per_cage = nic.count.div_ceil(nic.modules().max(1));
                assert!(
                    t.speed.0 >= nic.speed.0 * per_cage as f64 * 0.999,
                    "system {id}: `{m}` is too slow for its cages"
                );
            }
        }
        for svc in &s.bundles {
            assert!(c.services().any(|x| &x.id == svc), "system {id} bundles `{svc}`, which is not a service part");
        }
    }
}

/// The SN5600 runs 200G endpoints at its 256-port radix (SN5000 hardware manual), and a DGX
/// B200's eight compute ports take four twin-port host modules (DGX B200 user guide).
#[test]
fn catalog_radix_and_host_cages() {
    let session = millwright::Session::new();
    let c = &session.catalog;
    let speed = millwright::units::BitsPerSecond(200e9);
    let sn5600 = c.switch("spectrum-sn5600").map(|s| s.radix_at(speed).map(|m| m.count));
    assert_eq!(sn5600, Some(Some(256)));
    let dgx = c.system("dgx-b200").and_then(|s| s.nic(millwright::catalog::NicRole::Compute)).map(|n| n.modules());
    assert_eq!(dgx, Some(4));
}

/// Every catalog file names its sources, and every price is labelled an estimate with a date.
#[test]
fn catalog_values_carry_sources() {
    for path in files_under(&common::root().join("stdlib"), "kdl") {
        let text = std::fs::read_to_string(&path).expect("read");
        let lower = text.to_ascii_lowercase();
        assert!(lower.contains("source"), "{} names no source", common::rel(&path));
        if text.lines().any(|l| l.trim_start().starts_with("price ")) {
            assert!(lower.contains("estimate"), "{} has a price not labelled as an estimate", common::rel(&path));
        }
    }
}

/// E0203: a catalog part whose id or kind does not match its file is reported on the id.
#[test]
fn catalog_layout_errors() {
    let files =
        vec![("system/not-this-id.kdl".to_string(), "// Source: test fixture.\ngpu \"h100-sxm\" {\n}\n".to_string())];
    let session = millwright::Session::with_catalog_files(files);
    let codes: Vec<&str> = session.catalog_diagnostics.iter().map(|d| d.code.code).collect();
    assert_eq!(codes, vec!["E0203"], "{codes:?}");
}

/// Every node that a code block of docs/language.md writes with two or more properties (its
/// synopses and examples) keeps their order through `fmt`: the formatter's order is the reference's.
#[test]
fn fmt_keeps_the_property_order_of_the_language_reference() {
    let doc = std::fs::read_to_string(common::root().join("docs/language.md")).expect("docs");
    let mut in_code = false;
    let mut checked = 0;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        let code = line.split("//").next().unwrap_or("").trim().trim_start_matches('[');
        let Some(node) =
            code.split_whitespace().next().filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        else {
            continue;
        };
        // The keys in the order written: words just before a `=` that follow a space or a `[`.
        let keys: Vec<&str> = code
            .match_indices('=')
            .filter_map(|(at, _)| {
                let before = code.get(..at)?;
                let start = before.rfind([' ', '['])? + 1;
                before.get(start..).filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            })
            .collect();
        if keys.len() < 2 {
            continue;
        }
        let text: String = format!("{node} {}\n", keys.iter().map(|k| format!("{k}=1")).collect::<Vec<_>>().join(" "));
        let mut sources = millwright::source::SourceMap::new();
        let file = sources.add("synopsis.kdl", text.as_str());
        let formatted = millwright::fmt::format(file, &text, &mut millwright::diag::Diagnostics::new());
        assert_eq!(formatted.as_deref(), Some(text.as_str()), "`fmt` reorders the properties of `{line}`");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} lines with two or more properties found");
}
