//! Every number the docs quote from an example is checked against what the compiler prints for it.
//!
//! A quoted number carries a marker naming where it comes from, written just before it:
//! `<!-- plan: rhine workloads.reasoning.replicas -->80` (from `plan --format json`) or
//! `<!-- view: gb300-multisite sites.lyon-1.workloads.agents.site_replicas -->16` (from
//! `build --view`). The example is the folder under `examples/`; the path walks the JSON, where a
//! segment indexes an array by position or by the `name` of its element. An optional divisor
//! after the path (`/1000`) converts units (`sites.0.facility_power_kw /1000` quotes megawatts).
//! The written number matches when the value, rounded to the decimals written, equals it
//! (thousands separators ignored). A doc that goes stale fails here; `MILLWRIGHT_UPDATE_DOCS=1`
//! rewrites the quoted numbers from the current output, to be read before committing.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a quoted number comes from.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Source {
    Plan,
    View,
}

struct Marker {
    source: Source,
    example: String,
    path: String,
    divisor: f64,
    /// Byte range of the quoted number in the file.
    number: std::ops::Range<usize>,
    line: usize,
}

fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let root = common::root();
    let mut out = vec![root.join("README.md")];
    for dir in ["docs", "examples", "targets"] {
        walk(&root.join(dir), &mut out);
    }
    out.retain(|p| p.exists());
    out.sort();
    out
}

/// The markers of one file; a malformed marker is an error naming its line.
fn markers(text: &str) -> Result<Vec<Marker>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("<!-- ") {
        let start = from + found;
        from = start + 5;
        let rest = &text[from..];
        let source = if rest.starts_with("plan: ") {
            Source::Plan
        } else if rest.starts_with("view: ") {
            Source::View
        } else {
            continue;
        };
        let line = text[..start].matches('\n').count() + 1;
        let Some(end) = rest.find("-->") else {
            return Err(format!("line {line}: marker without `-->`"));
        };
        let words: Vec<&str> = rest[6..end].split_whitespace().collect();
        let (example, path, divisor) = match words.as_slice() {
            [example, path] => (*example, *path, 1.0),
            [example, path, divisor] => {
                let d = divisor
                    .strip_prefix('/')
                    .and_then(|d| d.parse::<f64>().ok())
                    .filter(|d| *d > 0.0)
                    .ok_or_else(|| format!("line {line}: divisor `{divisor}` is not `/<number>`"))?;
                (*example, *path, d)
            }
            _ => return Err(format!("line {line}: a marker is `<!-- plan: <example> <path> [/<divisor>] -->`")),
        };
        let number_start = from + end + 3;
        let bytes = text.as_bytes();
        let mut number_end = number_start;
        while number_end < bytes.len() && (bytes[number_end].is_ascii_digit() || b",.-".contains(&bytes[number_end])) {
            number_end += 1;
        }
        // Sentence punctuation after a number is not part of it.
        while number_end > number_start && b",.".contains(&bytes[number_end - 1]) {
            number_end -= 1;
        }
        if number_end == number_start {
            return Err(format!("line {line}: no number right after the marker"));
        }
        out.push(Marker {
            source,
            example: example.to_string(),
            path: path.to_string(),
            divisor,
            number: number_start..number_end,
            line,
        });
        from = number_end;
    }
    Ok(out)
}

fn output(source: Source, example: &str) -> Result<Value, String> {
    let file = format!("examples/{example}/factory.kdl");
    if !common::root().join(&file).exists() {
        return Err(format!("no example `{example}` ({file})"));
    }
    let args: &[&str] = match source {
        Source::Plan => &["plan", "--format", "json", &file],
        Source::View => &["build", "--view", &file],
    };
    let o = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run millwright");
    serde_json::from_slice(&o.stdout).map_err(|e| format!("`millwright {}` printed no JSON: {e}", args.join(" ")))
}

fn lookup<'a>(value: &'a Value, path: &str) -> Result<&'a Value, String> {
    let mut at = value;
    for segment in path.split('.') {
        at = match at {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => match segment.parse::<usize>() {
                Ok(i) => items.get(i),
                Err(_) => items.iter().find(|v| v.get("name").and_then(Value::as_str) == Some(segment)),
            },
            _ => None,
        }
        .ok_or_else(|| format!("`{path}` has no `{segment}`"))?;
    }
    Ok(at)
}

/// The value as the docs write it: `decimals` places, thousands grouped when the docs group them.
fn written(value: f64, decimals: usize, grouped: bool) -> String {
    let plain = format!("{value:.decimals$}");
    if !grouped {
        return plain;
    }
    let (whole, fraction) = plain.split_once('.').map_or((plain.as_str(), None), |(w, f)| (w, Some(f)));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[test]
fn docs_quote_the_numbers_plan_prints() {
    let update = std::env::var_os("MILLWRIGHT_UPDATE_DOCS").is_some();
    let mut outputs: BTreeMap<(Source, String), Result<Value, String>> = BTreeMap::new();
    let mut stale = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = common::rel(&file);
        let found = match markers(&text) {
            Ok(found) => found,
            Err(e) => {
                stale.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut updated = text.clone();
        // Replaced from the end so earlier ranges stay valid.
        for m in found.iter().rev() {
            let out = outputs.entry((m.source, m.example.clone())).or_insert_with(|| output(m.source, &m.example));
            let value = match out.as_ref().map_err(Clone::clone).and_then(|v| lookup(v, &m.path)) {
                Ok(v) => v,
                Err(e) => {
                    stale.push(format!("{name}:{}: {e}", m.line));
                    continue;
                }
            };
            let Some(value) = value.as_f64() else {
                stale.push(format!("{name}:{}: `{}` is {value}, not a number", m.line, m.path));
                continue;
            };
            let quoted = &text[m.number.clone()];
            let decimals = quoted.split_once('.').map_or(0, |(_, f)| f.len());
            let grouped = quoted.contains(',');
            let expected = written(value / m.divisor, decimals, grouped);
            checked += 1;
            if quoted.replace(',', "") != expected.replace(',', "") {
                let note = format!(
                    "{name}:{}: quotes {quoted} for {} `{}` of {}, which is now {expected}",
                    m.line,
                    if m.source == Source::Plan { "plan" } else { "view" },
                    m.path,
                    m.example
                );
                if update {
                    eprintln!("updated {note}");
                } else {
                    stale.push(note);
                }
                updated.replace_range(m.number.clone(), &expected);
            }
        }
        if update && updated != text {
            std::fs::write(&file, updated).unwrap();
        }
    }
    assert!(checked >= 10, "expected the docs to quote at least ten numbers with markers, found {checked}");
    assert!(
        stale.is_empty(),
        "{} stale number(s) in the docs (MILLWRIGHT_UPDATE_DOCS=1 rewrites them):\n{}",
        stale.len(),
        stale.join("\n")
    );
}

#[test]
fn markers_read_as_documented() {
    let text = "x <!-- plan: rhine workloads.reasoning.replicas -->80, and <!-- view: nordlys a.0 /1000 -->1,234.5.";
    let found = markers(text).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(&text[found[0].number.clone()], "80");
    assert_eq!(found[0].path, "workloads.reasoning.replicas");
    assert_eq!(&text[found[1].number.clone()], "1,234.5");
    assert_eq!(found[1].divisor, 1000.0);
    assert_eq!(found[1].source, Source::View);
    assert!(markers("<!-- plan: rhine -->1").is_err());
    assert!(markers("<!-- plan: rhine a.b --> none").is_err());
    assert_eq!(written(23569.75 / 1000.0, 2, false), "23.57");
    assert_eq!(written(10368.0, 0, true), "10,368");
    let json: Value = serde_json::json!({"w": [{"name": "a", "n": 1}, {"name": "b", "n": 2}]});
    assert_eq!(lookup(&json, "w.b.n").unwrap(), &serde_json::json!(2));
    assert_eq!(lookup(&json, "w.0.n").unwrap(), &serde_json::json!(1));
    assert!(lookup(&json, "w.c.n").is_err());
}
