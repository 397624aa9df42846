//! E0708: every software version the build targets write is a version an image tag can carry:
//! `[A-Za-z0-9_][A-Za-z0-9_.-]*`, at most 100 characters. Serving versions become container image
//! tags (`vllm/vllm-openai:v<version>`), the driver and ROCm versions select the operators' driver
//! images, and all of them reach YAML; a version with a space, a slash, a colon or a quote would
//! name another image or break the reference (the OCI distribution specification allows
//! `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` in a tag, and the targets add up to 28 characters around
//! the version).

use super::CheckCtx;
use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::model::VersionRef;
use crate::source::Span;
use std::collections::BTreeSet;

/// The longest version accepted: 128 characters of tag, less the longest prefix and suffix a
/// target puts around it (`v` and `-rocm700-mi35x`, with room to spare).
pub const MAX_VERSION_LEN: usize = 100;

pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    // A version of the top-level software block is every site's; report it once.
    let mut seen: BTreeSet<Span> = BTreeSet::new();
    for site in &cx.factory.sites {
        let sw = &site.software;
        let named = [
            ("driver", sw.driver.as_ref()),
            ("cuda", sw.cuda.as_ref()),
            ("rocm", sw.rocm.as_ref()),
            ("kubernetes", sw.kubernetes.as_ref()),
            ("gpu-operator", sw.gpu_operator.as_ref()),
            ("dra-driver", sw.dra_driver.as_ref()),
        ];
        let serving = sw.serving.iter().map(|s| (s.engine.value.as_str(), Some(&s.version)));
        for (what, version) in named.into_iter().chain(serving) {
            let Some(v) = version else { continue };
            if seen.insert(v.version.span) {
                check(what, v, diags);
            }
        }
    }
}

/// Why `v` is not a valid version, if it is not.
pub fn problem(v: &str) -> Option<String> {
    let Some(first) = v.chars().next() else { return Some("it is empty".to_string()) };
    if !(first.is_ascii_alphanumeric() || first == '_') {
        return Some(format!("it starts with `{}`", first.escape_debug()));
    }
    if let Some(bad) = v.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))) {
        return Some(if bad == ' ' {
            "it holds a space".to_string()
        } else {
            format!("it holds `{}`", bad.escape_debug())
        });
    }
    let len = v.chars().count();
    (len > MAX_VERSION_LEN).then(|| format!("it is {len} characters long"))
}

fn check(what: &str, v: &VersionRef, diags: &mut Diagnostics) {
    let Some(problem) = problem(&v.version.value) else { return };
    let cleaned: String =
        v.version.value.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')).collect();
    let help = if cleaned.is_empty() {
        format!("write the {what} release number, such as \"0.11.0\"")
    } else {
        format!("write only the release number, such as \"{cleaned}\"")
    };
    diags.push(
        Diagnostic::new(
            codes::E0708,
            format!("the {what} version \"{}\" is not a version: {problem}", v.version.value.escape_debug()),
        )
        .label(v.version.span, format!("{problem}; image tags take letters, digits, `.`, `_` and `-`"))
        .help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn versions_are_image_tags() {
        for ok in ["0.11.0", "570.133.20", "1.34", "25.10.0", "0.5.0rc1", "v1_2-b"] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        assert!(problem("0.11.0 evil/\"image:tag").is_some());
        assert!(problem("").is_some());
        assert!(problem("-1").is_some());
        assert!(problem("1.0:latest").is_some());
        assert!(problem(&"1".repeat(101)).is_some());
    }
}
