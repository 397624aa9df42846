//! Property tests on mutated blueprints. Every mutation of the examples and the UI inputs must
//! end in coded diagnostics with locations inside the file, never a panic; and the compiler's KDL
//! parser must agree with the `kdl` crate on what is valid, and its own tree with the crate's
//! document on every name, value, type annotation and span.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use kdl::{KdlDocument, KdlEntry, KdlNode};
use millwright::diag::{codes, render};
use millwright::syntax::parser::{self, Failure, ParseLimits};
use millwright::syntax::tree::{Entry, Node, TextRange};
use millwright::Session;
use proptest::prelude::*;
use std::path::Path;

/// The seeds: every example and every UI input.
fn seeds() -> Vec<Vec<u8>> {
    let root = common::root();
    let mut out = Vec::new();
    let mut stack = vec![root.join("examples"), root.join("tests/ui")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()) == Some("kdl") {
                out.push(std::fs::read(&p).unwrap());
            }
        }
    }
    out.sort();
    out
}

/// Fragments that matter to a KDL parser or to the checks.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "\"",
    "#",
    "##",
    "#\"",
    "\"#",
    "/*",
    "*/",
    "//",
    "/-",
    "\\",
    "\n",
    "\r\n",
    "\r",
    ";",
    "=",
    "(",
    ")",
    " ",
    "\t",
    "(kW)",
    "(MW)",
    "(C)",
    "(EUR)",
    "#inf",
    "#-inf",
    "#nan",
    "#null",
    "#true",
    "-",
    "+",
    ".",
    "0",
    "1e999",
    "-5",
    "2.5",
    "0x",
    "0xff",
    "1_000",
    "99999999999999999999999999999999999999999",
    "count=1000000000000",
    "count=0",
    "gpus 10000000",
    "\"\"\"\n",
    "\n\"\"\"",
    "\u{202e}",
    "\u{feff}",
    "\u{0}",
    "\u{7}",
    "\u{85}",
    "\u{2028}",
    "\u{a0}",
    "é",
    "true",
    "null",
    "factory \"x\"",
    "site \"s\" {",
    "row \"R\" count=9 {",
    "rack \"gb200-nvl72\"",
    "tier \"three\"",
    "capacity=(kW)#nan",
    "/- ",
    "a=1",
    "\\u{41}",
    "\\u{d800}",
    "\\n",
    "\\ \n",
];

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize, usize),
    Byte(usize, u8),
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for m in mutations {
        let len = v.len().max(1);
        match *m {
            Mutation::Insert(at, tok) => {
                let at = at % (v.len() + 1);
                let t = TOKENS[tok % TOKENS.len()].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n % 16).min(v.len());
                if at < end {
                    v.drain(at..end);
                }
            }
            Mutation::Duplicate(at, n, to) => {
                let at = at % len;
                let end = (at + n % 200).min(v.len());
                let chunk: Vec<u8> = v.get(at..end).unwrap_or(&[]).to_vec();
                let to = to % (v.len() + 1);
                v.splice(to..to, chunk);
            }
            Mutation::Byte(at, b) => {
                if !v.is_empty() {
                    let at = at % v.len();
                    v[at] = b;
                }
            }
        }
    }
    v
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, n)| Mutation::Delete(a, n)),
        1 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(a, n, t)| Mutation::Duplicate(a, n, t)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Byte(a, b)),
    ]
}

/// Checks one input end to end: no panic, and every diagnostic registered, located in bounds
/// and rendered in every format.
fn check_input(bytes: &[u8]) {
    let mut session = Session::new();
    let (file, diags) = session.check("mutant.kdl", bytes);
    let len = session.sources.get(file).map(|f| f.text.len()).unwrap_or(0);
    let sorted = diags.sorted();
    for d in &sorted {
        assert!(codes::lookup(d.code.code).is_some(), "unregistered code {}", d.code.code);
        assert!(!d.message.is_empty());
        for l in &d.labels {
            if l.span.file == file {
                assert!(l.span.start as usize <= len && l.span.end as usize <= len, "label out of bounds: {d:?}");
            }
        }
    }
    let _ = render::human(&sorted, &session.sources, render::Style::plain());
    let _ = render::json(&sorted, &session.sources);
    let _ = render::sarif(&sorted, &session.sources);
    if let Some(bp) = session.lower("mutant.kdl", bytes).blueprint {
        let mut d = millwright::diag::Diagnostics::new();
        if let Some(a) = session.analyze(&bp, &mut d) {
            let view = millwright::render::plan::view(&a.factory, &a.plan);
            let _ = millwright::render::plan::human(&view);
        }
    }
}

fn limits() -> ParseLimits {
    ParseLimits { max_depth: 64, max_items: 1_000_000, max_errors: 50 }
}

/// The `kdl` crate's verdict, on a thread with room for its recursion.
fn reference(text: &str) -> Result<KdlDocument, kdl::KdlError> {
    let text = text.to_string();
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            KdlDocument::parse_v2(text.strip_prefix('\u{feff}').map(|r| format!("   {r}")).as_deref().unwrap_or(&text))
        })
        .unwrap()
        .join()
        .unwrap()
}

fn span(s: miette::SourceSpan) -> (usize, usize) {
    (s.offset(), s.len())
}

fn range(r: TextRange) -> (usize, usize) {
    (r.offset(), r.len())
}

/// An entry of ours and one of the crate's: the same value, key, annotation and spans.
fn same_entry(a: &Entry, b: &KdlEntry, path: &str) -> Result<(), String> {
    // Our `Value` has the crate's variant names, so the debug forms compare.
    let ours = (
        format!("{:?}", a.value()),
        a.name().map(|n| (n.value().to_string(), range(n.span()))),
        a.ty().map(|t| (t.value().to_string(), range(t.span()))),
        range(a.span()),
    );
    let theirs = (
        format!("{:?}", b.value()),
        b.name().map(|n| (n.value().to_string(), span(n.span()))),
        b.ty().map(|t| (t.value().to_string(), span(t.span()))),
        span(b.span()),
    );
    if ours != theirs {
        return Err(format!("{path}: entry differs: ours {ours:?}, kdl {theirs:?}"));
    }
    Ok(())
}

fn same_nodes(a: &[Node], b: &[KdlNode], path: &str) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!("{path}: {} nodes, kdl has {}", a.len(), b.len()));
    }
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let here = format!("{path}/{i}:{}", x.name().value());
        let ours = (
            x.name().value().to_string(),
            range(x.name().span()),
            x.ty().map(|t| (t.value().to_string(), range(t.span()))),
            x.entries().len(),
            x.children().is_some(),
        );
        let theirs = (
            y.name().value().to_string(),
            span(y.name().span()),
            y.ty().map(|t| (t.value().to_string(), span(t.span()))),
            y.entries().len(),
            y.children().is_some(),
        );
        if ours != theirs {
            return Err(format!("{here}: node differs: ours {ours:?}, kdl {theirs:?}"));
        }
        if range(x.span()) != span(y.span()) {
            return Err(format!("{here}: node span ours {:?}, kdl {:?}", range(x.span()), span(y.span())));
        }
        for (e, f) in x.entries().iter().zip(y.entries()) {
            same_entry(e, f, &here)?;
        }
        if let (Some(c), Some(d)) = (x.children(), y.children()) {
            if range(c.span()) != span(d.span()) {
                return Err(format!("{here}: block span ours {:?}, kdl {:?}", range(c.span()), span(d.span())));
            }
            same_nodes(c.nodes(), d.nodes(), &here)?;
        }
    }
    Ok(())
}

/// Our parser and the `kdl` crate agree: both reject, or both accept with the same tree.
fn agree(text: &str) -> Result<(), String> {
    let ours = parser::parse(text, limits());
    if matches!(ours, Err(Failure::Limit(_))) {
        return Ok(());
    }
    match (ours, reference(text)) {
        (Err(_), Err(_)) => Ok(()),
        (Ok(a), Ok(b)) if range(a.span()) != span(b.span()) => {
            Err(format!("document span ours {:?}, kdl {:?}", range(a.span()), span(b.span())))
        }
        (Ok(a), Ok(b)) => same_nodes(a.nodes(), b.nodes(), ""),
        (Ok(_), Err(e)) => Err(format!("we accept, kdl rejects: {:?}", e.diagnostics.first().map(|d| &d.message))),
        (Err(e), Ok(_)) => Err(format!("we reject, kdl accepts: {e:?}")),
    }
}

/// `fmt` of a text: `None` when it does not parse or formatting would change its meaning.
fn fmt(text: &str) -> Option<String> {
    let mut sources = millwright::source::SourceMap::new();
    let file = sources.add("fmt.kdl".to_string(), text);
    millwright::fmt::format(file, text, &mut millwright::diag::Diagnostics::new())
}

/// Formatting a formatted text changes nothing, and a text that parses always formats.
fn fmt_is_idempotent(bytes: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(()) };
    if parser::parse(text, ParseLimits::default()).is_err() {
        return Ok(());
    }
    let once = fmt(text).ok_or_else(|| format!("{text:?} parses but does not format"))?;
    let twice = fmt(&once).ok_or_else(|| format!("the formatted {once:?} does not format"))?;
    if twice != once {
        return Err(format!("not idempotent:\n{text:?}\nonce:  {once:?}\ntwice: {twice:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_blueprints_end_in_coded_diagnostics(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..8)) {
        let seeds = seeds();
        let input = apply(&seeds[seed.index(seeds.len())], &ms);
        check_input(&input);
    }

    #[test]
    fn fmt_is_idempotent_on_mutated_blueprints(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let input = apply(&seeds[seed.index(seeds.len())], &ms);
        prop_assert_eq!(fmt_is_idempotent(&input), Ok(()));
    }

    #[test]
    fn parser_agrees_with_the_kdl_crate(seed in any::<prop::sample::Index>(), ms in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let input = apply(&seeds[seed.index(seeds.len())], &ms);
        if let Ok(text) = std::str::from_utf8(&input) {
            if let Err(why) = agree(text) {
                prop_assert!(false, "{why}\n--- input ---\n{text}");
            }
        }
    }
}

#[test]
fn fmt_is_idempotent_on_every_seed() {
    for seed in seeds() {
        assert_eq!(fmt_is_idempotent(&seed), Ok(()));
    }
}

#[test]
fn parser_agrees_on_every_seed_and_catalog_file() {
    let mut inputs = seeds();
    let mut stack = vec![common::root().join("stdlib")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()) == Some("kdl") {
                inputs.push(std::fs::read(&p).unwrap());
            }
        }
    }
    for input in inputs {
        if let Ok(text) = std::str::from_utf8(&input) {
            agree(text).unwrap_or_else(|why| panic!("{why}\n--- input ---\n{text}"));
        }
    }
}

/// Small hand-written cases at the edges of the grammar.
#[test]
fn parser_agrees_on_grammar_edges() {
    let cases = [
        "",
        "a",
        "a;b",
        "a\r\nb",
        "a 1 2 3",
        "a key=1",
        "a key = 1",
        "(t)a (u)1 k=(v)\"x\"",
        "a { b; c }",
        "a { b }\n",
        "a {\n}\n",
        "a /- 1 2",
        "a /- k=1",
        "a /-{ b } { c }",
        "a { b } /- { c }",
        "/- a\nb",
        "/-a;b",
        "a \\\n  1",
        "a \\ // c\n 1",
        "a /* c */ 1",
        "a /* /* n */ */ 1",
        "a // c",
        "a \"\\u{41}\\n\\t\"",
        "a #\"raw\\\"#",
        "a ##\"r\"#\"##",
        "a \"\"\"\n  x\n   y\n  \"\"\"",
        "a #\"\"\"\n  x\n  \"\"\"#",
        "a \"\"\"\n\"\"\"",
        "a 0x1F 0o7 0b1_0",
        "a 1_000 -5 +5 1.5 1e3 1.5E-3 -0.0",
        "a #true #false #null #inf #-inf #nan",
        "a -foo +bar .baz -.x",
        "a - + .",
        "\u{feff}a 1",
        "a\u{85}b",
        "a\u{2028}b",
        "a\u{c}b",
        "a\u{b}b",
        "a\u{a0}1",
        "a 1 {b 2}",
        "a{}",
        "a 1{}",
        "a\"x\"",
        "a 1x",
        "a .5",
        "a 1.",
        "a 1.e3",
        "a true",
        "a #tru",
        "a \"\\q\"",
        "a \"\n\"",
        "a #\"\"\"#",
        "{ a }",
        "a }",
        "a {",
        "a (t) 1",
        "a ( t )1",
        "(t) a",
        "a k=",
        "a =1",
        "a;;b",
        ";",
        "a #\"\n\"#",
        "a \"x\" y=#null",
        "a \\",
        "a 1 \\",
        "a \"\\   \n  x\"",
        "a \"\"\"\n  x \\\n  y\n  \"\"\"",
        "a\t1",
        "a\u{3000}1",
        "a /-\n 1 2",
        "a 1 /- { b } /- { c }",
        "a { b } { c }",
        "a { b } 1",
        "a 0x",
        "a 0xg",
        "a 1__2",
        "a 00",
        "a -0x10",
        "a 99999999999999999999999999999999999999999",
        "a 1e999",
        "a /*/**/*/ 1",
        "a \"\u{7}\"",
        "a \"\u{202e}\"",
        "// c",
        "/* c */",
        "a\n/* x\n */ b",
        "node/-1",
        "a -inf +nan .true -true",
        "/-a { }+",
        "/-a { } b",
        "/-a {}b\nc",
        "/-a { } /-b { }\nc",
        "a { } b",
        "a { }b",
        "-inf 1",
        "a inf",
        "a null",
    ];
    let mut failures = Vec::new();
    for case in cases {
        if let Err(why) = agree(case) {
            failures.push(format!("{case:?}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn seeds_exist() {
    assert!(seeds().len() > 10);
    assert!(Path::new(&common::root().join("examples/rhine/factory.kdl")).exists());
}

/// The KDL v2 conformance suite, when `KDL_TEST_CASES` names its `input/` folder (the `kdl`
/// crate's source ships it as `tests/test_cases/input`; see docs/fuzzing.md). Inputs without an
/// expected output must be rejected; the others must parse as the `kdl` crate parses them.
#[test]
fn parser_passes_the_kdl_suite_when_given() {
    let Some(dir) = std::env::var_os("KDL_TEST_CASES") else { return };
    let dir = std::path::PathBuf::from(dir);
    let expected = dir.parent().unwrap().join("expected_kdl");
    let mut failures = Vec::new();
    let mut count = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = e.path();
        let text = std::fs::read_to_string(&path).unwrap().replace("\r\n", "\n");
        count += 1;
        let must_fail = !expected.join(path.file_name().unwrap()).exists();
        let ours = parser::parse(&text, limits());
        if must_fail {
            // Where the `kdl` crate accepts an input the suite rejects, we follow the crate.
            if ours.is_ok() && reference(&text).is_err() {
                failures.push(format!("{}: accepted, must fail", path.display()));
            }
        } else if let Err(why) = agree(&text) {
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(count > 0);
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}
