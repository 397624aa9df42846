//! UI tests: every `tests/ui/**/*.kdl` is one broken (or deliberately warned) blueprint. Its header
//! names the codes it must produce (`// expect: E0201 W0701`); the harness asserts exactly that set
//! before snapshotting the rendered diagnostics, so accepting a snapshot cannot bless a different
//! error.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;

fn expected_codes(text: &str) -> Option<BTreeSet<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .find_map(|l| l.strip_prefix("// expect:").map(|rest| rest.split_whitespace().map(str::to_string).collect()))
}

#[test]
fn ui() {
    // Every case runs; mismatched codes are collected and reported together at the end.
    let failures = std::cell::RefCell::new(Vec::new());
    insta::glob!("ui/**/*.kdl", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("read")).to_string();
        let Some(expected) = expected_codes(&text) else {
            failures.borrow_mut().push(format!("{} has no `// expect:` header", path.display()));
            return;
        };
        let checked = common::check_file(path);
        let got: BTreeSet<String> = checked.codes.iter().cloned().collect();
        if got != expected {
            failures.borrow_mut().push(format!(
                "{}: expected {:?}, got {:?}\n{}",
                common::rel(path),
                expected,
                got,
                checked.rendered
            ));
            return;
        }
        let snapshot = format!("# input\n{text}\n# diagnostics\n{}", checked.rendered);
        insta::assert_snapshot!(snapshot);
    });
    let failures = failures.into_inner();
    assert!(
        failures.is_empty(),
        "{} UI cases produce other codes than they expect:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}
