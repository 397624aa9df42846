//! Hostile input: files no designer writes on purpose (binary, huge, deeply nested, full of
//! mistakes) must end in coded diagnostics, within bounded time, never a panic or a hang. The
//! large inputs are generated here; `tests/hostile/*.kdl` are small hand-written ones whose first
//! line names the codes they must produce at least (`// expect: E0106`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

#[path = "../benches/generate.rs"]
mod generate;

use millwright::diag::{codes, render, Severity};
use millwright::Session;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous: the point is to catch hangs and blow-ups, not to benchmark a loaded machine.
const BUDGET: Duration = Duration::from_secs(60);

struct Outcome {
    codes: BTreeSet<String>,
    errors: usize,
}

/// Checks `bytes` on a thread of its own and renders the result in every format; fails the test
/// instead of hanging when it takes longer than [`BUDGET`].
fn compile(name: &str, bytes: Vec<u8>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let label = name.to_string();
    std::thread::Builder::new()
        .name(label.clone())
        .spawn(move || {
            let mut session = Session::new();
            let (file, diags) = session.check(&label, &bytes);
            let sorted = diags.sorted();
            let len = session.sources.get(file).map(|f| f.text.len()).unwrap_or(0);
            for d in &sorted {
                assert!(codes::lookup(d.code.code).is_some(), "{label}: unregistered code {}", d.code.code);
                for l in &d.labels {
                    assert!(l.span.end as usize <= len || l.span.file != file, "{label}: label out of range: {d:?}");
                }
            }
            let _ = render::human(&sorted, &session.sources, render::Style::plain());
            let _ = render::json(&sorted, &session.sources).to_string();
            let _ = render::sarif(&sorted, &session.sources).to_string();
            let errors = sorted.iter().filter(|d| d.severity() == Severity::Error).count();
            let codes = sorted.iter().map(|d| d.code.code.to_string()).collect();
            let _ = tx.send(Outcome { codes, errors });
        })
        .unwrap();
    match rx.recv_timeout(BUDGET) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result within {BUDGET:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the compiler panicked"),
    }
}

fn lab() -> String {
    std::fs::read_to_string(common::root().join("examples/lab/factory.kdl")).unwrap()
}

/// The generated corpus: a name, the bytes, and a code the result must contain (or `None` when
/// the input is valid and must check clean of errors).
fn generated() -> Vec<(&'static str, Vec<u8>, Option<&'static str>)> {
    let base = lab();
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "the lab example no longer contains {from:?}");
        base.replacen(from, to, 1).into_bytes()
    };
    let mut binary = Vec::new();
    for i in 0..25_600u32 {
        binary.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
    }
    let mut unknown = base.clone();
    for i in 0..100_000 {
        unknown.push_str(&format!("unknown{i} \"x\"\n"));
    }
    let mut sites = base.clone();
    for i in 0..20_000 {
        sites.push_str(&format!("site \"s{i}\" {{ power {{ feed \"a\" capacity=40 }} }}\n"));
    }
    let mut many_props = String::from("factory \"x\"\nsite \"s\" ");
    for i in 0..100_000 {
        many_props.push_str(&format!("p{i}={i} "));
    }
    many_props.push('\n');
    vec![
        ("empty", Vec::new(), Some("E0105")),
        ("binary", binary, Some("E0114")),
        ("invalid-utf8", b"factory \"x\xff\xfe\"\n".to_vec(), Some("E0114")),
        ("byte-order-mark", format!("\u{feff}{base}").into_bytes(), None),
        ("crlf", base.replace('\n', "\r\n").into_bytes(), None),
        ("nested-5000-braces", "a {".repeat(5000).into_bytes(), Some("E0113")),
        ("nested-5000-closed", format!("{}{}", "a {".repeat(5000), "}".repeat(5000)).into_bytes(), Some("E0113")),
        ("nested-block-comments", format!("{base}{}", "/*".repeat(5000)).into_bytes(), Some("E0113")),
        (
            "closed-nested-comments",
            format!("{base}{}{}", "/*".repeat(5000), "*/".repeat(5000)).into_bytes(),
            Some("E0113"),
        ),
        ("unterminated-raw-string", format!("{base}#\"{}", "{".repeat(5000)).into_bytes(), Some("E0101")),
        ("slashdash-chain", format!("a {}", "/-".repeat(5000)).into_bytes(), Some("E0101")),
        ("slashdash-run", format!("a {}", "/- ".repeat(80_000)).into_bytes(), Some("E0101")),
        ("long-comment", format!("{base}/*{}*/\n", "*/".replace('/', "*").repeat(100_000)).into_bytes(), None),
        ("unknown-100k-nodes", unknown.into_bytes(), Some("E0102")),
        ("sites-20k-broken", sites.into_bytes(), Some("E0107")),
        ("properties-100k", many_props.into_bytes(), Some("E0103")),
        ("semicolons", ";".repeat(100_000).into_bytes(), Some("E0101")),
        // Exponential in the `kdl` crate's error recovery (120 bytes kept `check` busy for 5 s).
        ("slashdash-open-blocks-120-bytes", "a /-{".repeat(24).into_bytes(), Some("E0101")),
        ("count-10^12", with("row \"L\" {", "row \"L\" count=1000000000000 {"), Some("E0110")),
        ("count-negative", with("row \"L\" {", "row \"L\" count=-5 {"), Some("E0110")),
        ("count-fractional", with("row \"L\" {", "row \"L\" count=2.5 {"), Some("E0110")),
        ("count-giant", with("row \"L\" {", &format!("row \"L\" count={} {{", "9".repeat(5000))), Some("E0101")),
        ("gpus-10^7", with("gpus 4\n", "gpus 10000000\n"), Some("E0801")),
        ("counts-multiplied", with("hall \"lab\" {", "hall \"lab\" count=10000000 {"), Some("E0103")),
        (
            "expansion-beyond-limit",
            base.replacen("row \"L\" {", "row \"L\" count=10000000 {", 1)
                .replacen("rack \"rack-air-48u\" {", "rack \"rack-air-48u\" count=10000000 {", 1)
                .into_bytes(),
            Some("E0303"),
        ),
        ("infinity", with("pue 1.5", "pue #inf"), Some("E0109")),
        ("nan", with("capacity=(kW)40", "capacity=(kW)#nan"), Some("E0109")),
        ("float-overflow", with("capacity=(kW)40", "capacity=(kW)1e400"), Some("E0109")),
        ("integer-beyond-i128", with("capacity=(kW)40", &format!("capacity=(kW){}", "9".repeat(400))), Some("E0101")),
        ("name-200k", with("\"hq-lab\"", &format!("\"{}\"", "x".repeat(200_000))), Some("E0111")),
        ("node-name-200k", format!("{base}{}\n", "y".repeat(200_000)).into_bytes(), Some("E0102")),
        ("unit-200k", with("(kW)40", &format!("({})40", "k".repeat(200_000))), Some("E0108")),
        ("control-escape-in-name", with("\"hq-lab\"", "\"hq\\u{7}lab\""), Some("E0111")),
        ("newline-escape-in-name", with("\"hq-lab\"", "\"hq\\nlab\""), Some("E0111")),
        ("literal-control-character", with("\"hq-lab\"", "\"hq\u{7}lab\""), Some("E0101")),
        ("literal-nul", with("hq-lab", "hq\u{0}lab"), Some("E0101")),
        ("bidi-override", with("hq-lab", "hq\u{202e}lab"), Some("E0101")),
        ("null-for-value", with("pue 1.5", "pue #null"), Some("E0106")),
        ("null-for-name", with("\"lab-panel\"", "#null"), Some("E0106")),
        ("tier-three", with("    power {", "    tier \"three\"\n    power {"), Some("E0106")),
        ("two-factories", format!("{base}\nfactory \"other\" {{}}\n").into_bytes(), Some("E0112")),
        ("no-factory", base.split_once("site ").map(|(_, r)| format!("site {r}")).unwrap().into_bytes(), Some("E0105")),
        ("only-comments", b"// nothing\n/* more */\n".to_vec(), Some("E0105")),
        ("newlines-1m", "\n".repeat(1_000_000).into_bytes(), Some("E0105")),
        ("multi-line-string-name", with("\"hq-lab\"", "\"\"\"\n    hq\n    lab\n    \"\"\""), Some("E0111")),
        ("million-gpus", generate::counted_factory(10).into_bytes(), None),
        ("written-out-10k-racks", generate::written_out_factory(10_000).into_bytes(), None),
    ]
}

#[test]
fn the_generated_corpus_ends_in_coded_diagnostics() {
    let mut failures = Vec::new();
    for (name, bytes, expect) in generated() {
        let out = compile(name, bytes);
        match expect {
            Some(code) if !out.codes.contains(code) => {
                failures.push(format!("{name}: expected {code}, got {:?}", out.codes));
            }
            Some(_) if out.errors == 0 => failures.push(format!("{name}: expected errors, got none")),
            None if out.errors > 0 => failures.push(format!("{name}: expected no errors, got {:?}", out.codes)),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_hand_written_corpus_produces_its_codes() {
    let dir = common::root().join("tests/hostile");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let expect: BTreeSet<String> = text
            .lines()
            .next()
            .and_then(|l| l.trim_start_matches('\u{feff}').strip_prefix("// expect:"))
            .map(|r| r.split_whitespace().map(str::to_string).collect())
            .unwrap_or_else(|| panic!("{} has no `// expect:` first line", path.display()));
        let out = compile(&common::rel(&path), bytes);
        assert!(out.errors > 0, "{}: no errors", path.display());
        for code in &expect {
            assert!(out.codes.contains(code), "{}: expected {code}, got {:?}", path.display(), out.codes);
        }
    }
}

/// Inputs under 1 MB built to make a parser backtrack, recurse or recover badly: the ones that
/// were slow in the `kdl` crate (nested and chained slashdashes, semicolons) and ones aimed at
/// this parser's error recovery (a broken node in every line, strings left open, blocks left open).
fn pathological() -> Vec<(&'static str, String)> {
    const SIZE: usize = 1_000_000 - 512;
    let fill = |unit: &str| unit.repeat(SIZE / unit.len());
    vec![
        ("slashdash-open-blocks", fill("a /-{")),
        ("slashdash-closed-blocks", fill("a /-{ b } c\n")),
        ("slashdash-chain", fill("/-")),
        ("slashdash-spaced", fill("/- ")),
        ("slashdashed-nodes", fill("/-a /-b=1 /-{ c }\n")),
        ("semicolons", fill(";")),
        ("open-strings", fill("a \"x\n")),
        ("open-strings-before-blocks", fill("a \"x {\n")),
        ("open-raw-strings", fill("a #\"x\n")),
        ("broken-numbers", fill("a 2N\n")),
        ("stray-closing-braces", fill("}\n")),
        ("open-blocks-at-the-limit", format!("{}{}", "a {\n".repeat(63), fill("b 2N {\n"))),
        ("unmatched-comment-closers", fill("a */\n")),
        ("open-comment", format!("a /*{}", fill("/"))),
        ("open-block-of-one-line", format!("a {{ {}", fill("b {} "))),
        ("open-block-of-misindented-lines", format!("a {{\n{}", fill("    b {\n}\n"))),
        ("equals", fill("a =")),
        ("annotations", fill("(")),
        ("backslashes", fill("a \\ ")),
    ]
}

/// The parser reads each byte a bounded number of times, whatever the input: error recovery
/// rereads at most the broken node, so the bytes read stay within a small multiple of the text.
/// (Its speed is measured in `benches/pipeline.rs`; this is the structure that makes it linear.)
#[test]
fn the_parser_reads_pathological_inputs_in_linear_work() {
    use millwright::syntax::parser::{parse_measured, ParseLimits};
    for (name, text) in pathological() {
        assert!(text.len() < 1_000_000, "{name} is {} bytes", text.len());
        let (_, work) = parse_measured(&text, ParseLimits::default());
        assert!(work <= 3 * text.len(), "{name}: read {work} bytes of a {}-byte text", text.len());
    }
}

/// Every pathological input ends a whole `check` in errors (all but one are syntax errors, and
/// those are capped per file; the slashdashed nodes leave an empty, valid file). The time bound
/// is only a hang guard.
#[test]
fn pathological_inputs_under_1_mb_are_rejected() {
    for (name, text) in pathological() {
        let out = compile(name, text.into_bytes());
        assert!(out.errors > 0, "{name}: no errors");
        let syntax = out.codes.iter().all(|c| c == "E0101" || c == "E0113");
        let empty = name == "slashdashed-nodes" && out.codes.iter().all(|c| c == "E0105");
        assert!(syntax || empty, "{name}: expected syntax or limit errors, got {:?}", out.codes);
        assert!(out.errors <= millwright::syntax::MAX_SYNTAX_ERRORS, "{name}: {} errors", out.errors);
    }
}

#[test]
fn too_many_diagnostics_are_counted_not_kept() {
    let mut text = lab();
    for i in 0..30_000 {
        text.push_str(&format!("stray{i}\n"));
    }
    let mut session = Session::new();
    let (_, diags) = session.check("flood.kdl", text.as_bytes());
    let sorted = diags.sorted();
    assert!(sorted.len() <= millwright::diag::MAX_KEPT + 1, "{} kept", sorted.len());
    assert!(diags.errors() >= 30_000);
    let last = sorted.last().unwrap();
    assert_eq!(last.code.code, "E0113");
    assert!(last.message.contains("more diagnostics"), "{}", last.message);
    let shown = render::human(&sorted, &session.sources, render::Style::plain());
    assert!(shown.contains("more diagnostics not shown"), "{}", &shown[shown.len().saturating_sub(500)..]);
}

#[test]
fn limits_are_diagnostics() {
    let mut session = Session::new();
    session.limits.max_file_bytes = 1000;
    let (_, diags) = session.check("big.kdl", lab().repeat(2).as_bytes());
    assert!(diags.sorted().iter().any(|d| d.code.code == "E0113" && d.message.contains("bytes")));
    let mut session = Session::new();
    session.limits.max_items = 100;
    let (_, diags) = session.check("items.kdl", "a 1 2 3\n".repeat(100).as_bytes());
    assert!(diags.sorted().iter().any(|d| d.code.code == "E0113" && d.message.contains("nodes and values")));
}

/// Runs the binary with a time limit; returns the exit code and stderr.
fn run_binary(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let mut stderr = stderr;
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), reader.join().unwrap());
        }
        if start.elapsed() > BUDGET {
            let _ = child.kill();
            panic!("millwright {args:?} did not finish within {BUDGET:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_binary_exits_0_1_or_2_on_hostile_files() {
    let dir = std::env::temp_dir().join(format!("millwright-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let picks = [
        "empty",
        "binary",
        "nested-5000-braces",
        "nested-block-comments",
        "slashdash-chain",
        "unknown-100k-nodes",
        "count-10^12",
        "name-200k",
        "bidi-override",
        "million-gpus",
        "long-comment",
        "closed-nested-comments",
    ];
    for (name, bytes, expect) in generated().into_iter().filter(|(n, _, _)| picks.contains(n)) {
        let path = dir.join(format!("{}.kdl", name.replace('^', "")));
        std::fs::write(&path, &bytes).unwrap();
        let p = path.to_str().unwrap();
        for format in ["human", "json", "sarif"] {
            let (code, err) = run_binary(&["check", "--format", format, p]);
            let want = if expect.is_some() { 1 } else { 0 };
            assert_eq!(code, want, "{name} ({format}): exit {code}\n{}", &err[..err.len().min(2000)]);
            assert!(!err.contains("panicked"), "{name} ({format}) panicked:\n{err}");
        }
        for cmd in [&["plan", p][..], &["graph", p][..], &["fmt", "--check", p][..]] {
            let (code, err) = run_binary(cmd);
            assert!((0..=2).contains(&code), "{name} {cmd:?}: exit {code}\n{}", &err[..err.len().min(2000)]);
            assert!(!err.contains("panicked"), "{name} {cmd:?} panicked:\n{err}");
        }
    }
    let (code, _) = run_binary(&["check", dir.join("no-such.kdl").to_str().unwrap()]);
    assert_eq!(code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `check --format sarif` writes a SARIF 2.1.0 log that code scanning accepts: every code a
/// rule with help, every result a `ruleId` and `ruleIndex` that agree, a level, a message and a
/// located region (1-based, end after start), labels beyond the first as related locations.
#[test]
fn sarif_has_the_2_1_0_structure() {
    let dir = std::env::temp_dir().join(format!("millwright-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("two factories.kdl");
    std::fs::write(&bad, format!("{}\nfactory \"again\" {{}}\nsite \"s\" {{ tier \"three\" }}\n", lab())).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args(["check", "--format", "sarif", "--docs-url", "https://example.com/docs/codes"])
        .arg(&bad)
        .arg(common::root().join("tests/hostile/units-swapped.kdl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "millwright");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), codes::ALL.len());
    for (rule, code) in rules.iter().zip(codes::ALL) {
        assert_eq!(rule["id"], code.code);
        assert!(rule["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(rule["helpUri"], format!("https://example.com/docs/codes/{}.md", code.code));
        assert!(matches!(rule["defaultConfiguration"]["level"].as_str(), Some("error" | "warning")));
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{results:?}");
    let mut seen = BTreeSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        seen.insert(id.to_string());
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let locations = r["locations"].as_array().unwrap();
        let related = r["relatedLocations"].as_array().cloned().unwrap_or_default();
        for l in locations.iter().chain(related.iter()) {
            let phys = &l["physicalLocation"];
            let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.contains(' ') && !uri.contains('\\'), "{uri}");
            let region = &phys["region"];
            let (sl, sc) = (region["startLine"].as_u64().unwrap(), region["startColumn"].as_u64().unwrap());
            let (el, ec) = (region["endLine"].as_u64().unwrap(), region["endColumn"].as_u64().unwrap());
            assert!(sl >= 1 && sc >= 1 && (el, ec) >= (sl, sc), "{region}");
        }
        for l in &related {
            assert!(l["id"].as_u64().is_some());
        }
    }
    for code in ["E0112", "E0106", "E0108"] {
        assert!(seen.contains(code), "no {code} in {seen:?}");
    }
    assert!(results.iter().any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .is_some_and(|u| u.ends_with("two%20factories.kdl"))));
    let _ = std::fs::remove_dir_all(&dir);
}
