//! The bill of materials and the quote of every example: `bom.csv`, `bom.json` and `bom.md` list
//! the same lines; quantity × unit price = extended price; the totals are the sums of the lines;
//! the GPU count is the blueprint's; the blueprint's price overrides are used; `plan --format json`
//! and `bom.json` report the same tokens/s; each quote section adds up.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .output()
        .expect("run millwright");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn examples() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(common::root().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("factory.kdl"))
        .filter(|p| p.exists())
        .collect();
    out.sort();
    assert!(out.len() >= 3);
    out
}

struct Built {
    name: String,
    json: Value,
    csv: String,
    md: String,
    view: Value,
}

fn build(file: &Path) -> Built {
    let name = file.parent().unwrap().file_name().unwrap().to_string_lossy().to_string();
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!("millwright-bom-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let f = file.to_str().unwrap();
    let (code, _, err) = run(&["build", f, "--target", "bom", "--target", "quote", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{name}: {err}");
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{name}: {p}: {e}"));
    let json: Value = serde_json::from_str(&read("bom/bom.json")).expect("bom.json is JSON");
    let (csv, md) = (read("bom/bom.csv"), read("bom/bom.md"));
    assert!(out.join("quote/quote.md").exists() && out.join("quote/quote.html").exists(), "{name}: quote files");
    let _ = std::fs::remove_dir_all(&out);
    let (code, view, err) = run(&["build", f, "--view"]);
    assert_eq!(code, 0, "{name}: {err}");
    Built { name, json, csv, md, view: serde_json::from_str(&view).expect("view is JSON") }
}

/// RFC 4180 records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The rows of the first Markdown table: cells without the outer pipes.
fn md_table(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .skip_while(|l| !l.starts_with("| Part |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

/// `€3,200,000` → 3200000; `unpriced` → None.
fn amount(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    digits.parse().ok()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn csv_json_and_markdown_list_the_same_lines() {
    for file in examples() {
        let b = build(&file);
        let lines = b.json["lines"].as_array().unwrap();
        assert!(!lines.is_empty(), "{}: no lines", b.name);
        let csv = parse_csv(&b.csv);
        assert_eq!(
            csv[0],
            [
                "part",
                "description",
                "category",
                "period",
                "quantity",
                "unit_price",
                "extended_price",
                "currency",
                "basis",
                "source"
            ]
        );
        let md = md_table(&b.md);
        assert_eq!(csv.len() - 1, lines.len(), "{}: csv rows", b.name);
        assert_eq!(md.len(), lines.len(), "{}: markdown rows", b.name);
        for ((line, row), cells) in lines.iter().zip(&csv[1..]).zip(&md) {
            let who = format!("{}: {}", b.name, line["part"]);
            assert_eq!(row[0], line["part"].as_str().unwrap(), "{who}");
            assert_eq!(row[1], line["description"].as_str().unwrap(), "{who}");
            assert_eq!(row[2], line["category"].as_str().unwrap(), "{who}");
            assert_eq!(row[3], line["period"].as_str().unwrap(), "{who}");
            assert_eq!(row[4].parse::<u64>().unwrap(), line["quantity"].as_u64().unwrap(), "{who}");
            assert_eq!(row[5].parse::<f64>().ok(), line["unit_price"].as_f64(), "{who}");
            assert_eq!(row[6].parse::<f64>().ok(), line["extended_price"].as_f64(), "{who}");
            assert_eq!(row[7], b.json["currency"].as_str().unwrap(), "{who}");
            assert_eq!(row[8], line["basis"].as_str().unwrap(), "{who}");
            assert_eq!(row[9], line["source"].as_str().unwrap(), "{who}");
            assert_eq!(cells[0], line["part"].as_str().unwrap(), "{who}");
            assert_eq!(cells[2], line["category"].as_str().unwrap(), "{who}");
            assert_eq!(amount(&cells[4]), line["quantity"].as_f64(), "{who}");
            assert_eq!(amount(&cells[5]), line["unit_price"].as_f64(), "{who}");
            assert_eq!(amount(&cells[6]), line["extended_price"].as_f64(), "{who}");
            let category = line["category"].as_str().unwrap();
            assert!(["compute", "network", "cooling", "power", "software", "services"].contains(&category), "{who}");
            assert!(["once", "year"].contains(&line["period"].as_str().unwrap()), "{who}");
            assert!(!line["source"].as_str().unwrap().is_empty(), "{who}: no source");
            assert!(!line["basis"].as_str().unwrap().is_empty(), "{who}: no basis");
        }
    }
}

#[test]
fn quantities_prices_and_totals_add_up() {
    for file in examples() {
        let b = build(&file);
        let lines = b.json["lines"].as_array().unwrap();
        let (mut once, mut year) = (0.0, 0.0);
        for line in lines {
            let (q, unit, ext) = (num(&line["quantity"]), num(&line["unit_price"]), num(&line["extended_price"]));
            assert_eq!(q * unit, ext, "{}: {}", b.name, line["part"]);
            assert_eq!(unit.fract(), 0.0, "{}: unit prices are whole units", b.name);
            match line["period"].as_str().unwrap() {
                "once" => once += ext,
                _ => year += ext,
            }
        }
        let t = &b.json["totals"];
        assert_eq!(num(&t["capex"]), once, "{}: capex is the sum of the once lines", b.name);
        assert_eq!(num(&t["opex_per_year"]), year, "{}: opex is the sum of the yearly lines", b.name);
        assert_eq!(t["unpriced_lines"].as_u64(), Some(0), "{}: every example is priced", b.name);
        // The quote: each section is the sum of its lines; capex = hardware + margin + facility.
        let sections = b.view["cost"]["quote"].as_array().unwrap();
        assert_eq!(sections.len(), 3);
        for s in sections {
            let sum: f64 = s["lines"].as_array().unwrap().iter().map(|l| num(&l["amount"])).sum();
            assert_eq!(sum, num(&s["total"]), "{}: quote section {}", b.name, s["key"]);
            let key = s["bom_key"].as_str().unwrap().strip_prefix("totals.").unwrap();
            assert_eq!(num(&t[key]), num(&s["total"]), "{}: {key} in bom.json", b.name);
        }
        let hardware = &sections[0]["lines"][0];
        assert_eq!(hardware["key"], "hardware");
        assert_eq!(num(&hardware["amount"]), once, "{}: the quote's hardware is the bill's capex", b.name);
        let p = &b.json["projection"];
        let per_million = num(&t["annual_cost"]) / (num(&p["tokens_per_year"]) / 1e6);
        // Derived ratios, recomputed from the printed numbers: equal to the last bits JSON keeps.
        let close = |a: f64, b: f64| (a - b).abs() <= a.abs().max(b.abs()) * 1e-12;
        assert!(close(num(&p["cost_per_million_tokens"]), per_million), "{}", b.name);
        let tokens_per_year = num(&p["tokens_per_second"]) * num(&p["utilization"]) * (8760.0 * 3600.0);
        assert!(close(num(&p["tokens_per_year"]), tokens_per_year), "{}", b.name);
    }
}

#[test]
fn the_gpu_count_is_the_blueprints() {
    for file in examples() {
        let b = build(&file);
        let mut session = millwright::Session::new();
        let lowered = session.lower("factory.kdl", &std::fs::read(&file).unwrap());
        let mut diags = millwright::diag::Diagnostics::new();
        let analysis = session.analyze(lowered.blueprint.as_ref().unwrap(), &mut diags).unwrap();
        let gpus = analysis.factory.total_gpus();
        assert_eq!(b.json["totals"]["gpus"].as_u64(), Some(gpus), "{}", b.name);
        // Counted again from the compute lines: systems × GPUs per system.
        let from_lines: u64 = b.json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["category"] == "compute")
            .filter_map(|l| {
                session
                    .catalog
                    .system(l["part"].as_str().unwrap())
                    .map(|s| s.gpu_count * l["quantity"].as_u64().unwrap())
            })
            .sum();
        assert_eq!(from_lines, gpus, "{}", b.name);
        if let Some(nvaie) = b.json["lines"].as_array().unwrap().iter().find(|l| l["part"] == "nvidia-ai-enterprise") {
            assert_eq!(nvaie["quantity"].as_u64(), Some(gpus), "{}: one subscription per GPU", b.name);
        }
    }
}

#[test]
fn price_overrides_are_used() {
    let mut seen = 0;
    for file in examples() {
        let text = std::fs::read_to_string(&file).unwrap();
        let overrides: Vec<(String, f64)> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("price \""))
            .map(|rest| {
                let (part, value) = rest.split_once('"').unwrap();
                let amount = value.trim().split(')').nth(1).unwrap().trim().parse::<f64>().unwrap();
                (part.to_string(), amount)
            })
            .collect();
        if overrides.is_empty() {
            continue;
        }
        let b = build(&file);
        for (part, amount) in overrides {
            let lines: Vec<&Value> =
                b.json["lines"].as_array().unwrap().iter().filter(|l| l["part"] == part.as_str()).collect();
            assert!(!lines.is_empty(), "{}: no line for {part}", b.name);
            for l in lines {
                assert_eq!(num(&l["unit_price"]), amount, "{}: {part}", b.name);
                assert!(
                    l["source"].as_str().unwrap().starts_with("blueprint: quote price"),
                    "{}: {}",
                    b.name,
                    l["source"]
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 2, "the examples override at least two prices");
}

#[test]
fn plan_and_bom_report_the_same_tokens() {
    for file in examples() {
        let b = build(&file);
        let (code, out, err) = run(&["plan", "--format", "json", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let plan: Value = serde_json::from_str(&out).expect("plan JSON");
        let (t, p) = (&plan["totals"], &b.json["projection"]);
        assert_eq!(t["tokens_per_second"], p["tokens_per_second"], "{}", b.name);
        assert_eq!(t["tokens_per_second_per_mw"], p["tokens_per_second_per_mw"], "{}", b.name);
        assert_eq!(t["gpus"], b.json["totals"]["gpus"], "{}", b.name);
        assert_eq!(t["facility_power_kw"], b.json["totals"]["facility_power_kw"], "{}", b.name);
        assert!(num(&p["tokens_per_second"]) > 0.0, "{}: the examples produce tokens", b.name);
    }
}

/// A factory without a `quote` block is still quoted, on the language's defaults, and says so.
#[test]
fn defaults_are_listed_as_assumptions() {
    let dir = std::env::temp_dir().join(format!("millwright-bom-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("factory.kdl");
    let text = std::fs::read_to_string(common::root().join("examples/lab/factory.kdl")).unwrap();
    let text = text.split("quote {").next().unwrap().replace("        energy-price (USD)0.16 per=\"kWh\"\n", "");
    std::fs::write(&file, text).unwrap();
    let (code, view, err) = run(&["build", file.to_str().unwrap(), "--view"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("W1001"), "no quote block, no W1001: {err}");
    let view: Value = serde_json::from_str(&view).unwrap();
    let assumptions = view["cost"]["assumptions"].as_array().unwrap();
    for item in ["Utilization", "Amortisation of hardware", "Integrator margin", "Energy price, hq-lab"] {
        let a = assumptions.iter().find(|a| a["item"] == item).unwrap_or_else(|| panic!("{item} missing"));
        assert_eq!(a["default"], true, "{item}");
    }
    let energy = assumptions.iter().find(|a| a["item"] == "Energy price, hq-lab").unwrap();
    assert!(energy["source"].as_str().unwrap().contains("energy-usd"), "{energy}");
    assert_eq!(view["cost"]["bom"]["projection"]["utilization"], 0.7);
    assert_eq!(view["cost"]["bom"]["projection"]["amortize_years"], 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Names and descriptions come out quoted for each format: the CSV parses back to the JSON's
/// strings (a formula-like cell gets a leading `'`), the page has no live markup, and the Markdown
/// table keeps its columns.
#[test]
fn hostile_names_are_escaped_in_every_format() {
    let dir = std::env::temp_dir().join(format!("millwright-bom-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("factory.kdl");
    let text = std::fs::read_to_string(common::root().join("examples/lab/factory.kdl"))
        .unwrap()
        .replace("\"Single-server inference lab\"", r#""<script>alert(1)</script> | *x*, \"q\"""#)
        .replace("site \"hq-lab\"", "site \"=HYPERLINK(1)|<b>\"");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let (code, _, err) =
        run(&["build", file.to_str().unwrap(), "--target", "bom", "--target", "quote", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out.join("bom/bom.json")).unwrap()).unwrap();
    let csv = parse_csv(&std::fs::read_to_string(out.join("bom/bom.csv")).unwrap());
    for (line, row) in json["lines"].as_array().unwrap().iter().zip(&csv[1..]) {
        let basis = line["basis"].as_str().unwrap();
        assert!(basis.contains("=HYPERLINK(1)|<b>"), "{basis}");
        let shown = if basis.starts_with('=') { format!("'{basis}") } else { basis.to_string() };
        assert_eq!(row[8], shown);
    }
    let html = std::fs::read_to_string(out.join("quote/quote.html")).unwrap();
    assert!(!html.contains("<script") && !html.contains("<b>"), "markup reached the page");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let md = std::fs::read_to_string(out.join("bom/bom.md")).unwrap();
    assert!(md.contains(r"&lt;script&gt;alert(1)&lt;/script&gt; \| \*x\*"), "{md}");
    let quote = std::fs::read_to_string(out.join("quote/quote.md")).unwrap();
    assert!(!quote.contains("<script") && quote.contains(r"=HYPERLINK(1)\|&lt;b&gt;"), "{quote}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn services_bundled_in_a_system_price_are_not_charged_again() {
    let b = build(&common::root().join("tests/ui/quote/sound-bundled-service.kdl"));
    let lines = b.json["lines"].as_array().unwrap();
    let nvaie: Vec<&Value> = lines.iter().filter(|l| l["part"] == "nvidia-ai-enterprise").collect();
    assert_eq!(nvaie.len(), 1, "one subscription line");
    // The HGX server's 8 GPUs are charged; the DGX's 8 are in its price and the basis says so.
    assert_eq!(num(&nvaie[0]["quantity"]), 8.0);
    let basis = nvaie[0]["basis"].as_str().unwrap();
    assert!(basis.contains("bundled in the system's price: 8 GPUs of dgx-b200"), "{basis}");
}
