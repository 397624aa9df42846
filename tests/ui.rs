//! UI tests: every `tests/ui/**/*.kdl` is one broken (or deliberately warned) blueprint. Its header
//! names the codes it must produce (`// expect: E0201 W0701`); the harness asserts exactly that set
//! before snapshotting the rendered diagnostics, so accepting a snapshot cannot bless a different
//! error.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;

fn expected_codes(text: &str) -> Option<BTreeSet<String>> {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .find_map(|l| l.strip_prefix("// expect:").map(|rest| rest.split_whitespace().map(str::to_string).collect()))
}

#[test]
fn ui() {
    insta::glob!("ui/**/*.kdl", |path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("read")).to_string();
        let expected = expected_codes(&text).unwrap_or_else(|| panic!("{} has no `// expect:` header", path.display()));
        let checked = common::check_file(path);
        let got: BTreeSet<String> = checked.codes.iter().cloned().collect();
        assert_eq!(got, expected, "{}: codes differ\n{}", path.display(), checked.rendered);
        let snapshot = format!("# input\n{text}\n# diagnostics\n{}", checked.rendered);
        insta::assert_snapshot!(snapshot);
    });
}
