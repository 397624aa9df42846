//! Every example must check with no errors; warnings are allowed only where the example's README
//! lists them (as `W0xxx` codes).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

#[test]
fn examples_check_clean() {
    let dir = common::root().join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("examples folder") {
        let path = entry.expect("entry").path().join("factory.kdl");
        if !path.exists() {
            continue;
        }
        seen += 1;
        let checked = common::check_file(&path);
        let errors: Vec<_> =
            checked.diagnostics.iter().filter(|d| d.severity() == millwright::diag::Severity::Error).collect();
        assert!(errors.is_empty(), "{} has errors:\n{}", path.display(), checked.rendered);
        let readme = std::fs::read_to_string(path.with_file_name("README.md")).unwrap_or_default();
        for d in &checked.diagnostics {
            assert!(
                readme.contains(d.code.code),
                "{} warns {} but its README does not list it:\n{}",
                path.display(),
                d.code.code,
                checked.rendered
            );
        }
    }
    assert!(seen >= 3, "expected at least three examples, found {seen}");
}
