//! Emitted names: two different user names never become one emitted name unless `check` reports
//! it (E0301 or E0306), long names are shortened without losing what tells them apart, and every
//! name a build writes stays inside its format (YAML, DOT) and its target's grammar. The cases of
//! the issues are regression tests here; a property test generates name pairs that collide after
//! slugging or shortening.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use millwright::names;
use millwright::render::{target, view};
use millwright::Session;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// One site of one hall holding `rows` (each `(hall, row)`), with a compute fabric.
fn blueprint(factory: &str, description: &str, halls: &[(&str, &[&str])], workloads: &[&str]) -> String {
    let mut s = format!(
        "factory {factory:?} {{\n    currency \"USD\"\n    description {description:?}\n}}\n\nsite \"dc-1\" {{\n    power {{\n        feed \"ups-a\" capacity=(kW)4000\n    }}\n    cooling {{\n        air capacity=(kW)3000\n    }}\n"
    );
    for (hall, rows) in halls {
        s.push_str(&format!("    hall {hall:?} {{\n"));
        for row in *rows {
            s.push_str(&format!(
                "        row {row:?} {{\n            rack \"rack-air-contained-48u\" {{\n                system \"hgx-h100-8\" count=2\n            }}\n        }}\n"
            ));
        }
        s.push_str("    }\n");
    }
    s.push_str("}\n\nfabric \"compute\" kind=\"infiniband\" {\n    switch \"quantum-2-qm9700\"\n}\n");
    if !workloads.is_empty() {
        s.push_str("\nsoftware {\n    serving \"vllm\" version=\"0.11.0\"\n}\n");
    }
    for w in workloads {
        s.push_str(&format!(
            "\nworkload {w:?} {{\n    model \"llama-3.1-8b\"\n    precision \"bf16\"\n    tokens input=1000 output=200\n    gpus 8\n}}\n"
        ));
    }
    s
}

/// The codes `check` reports for `text`.
/// The codes of a check, without W1103: the helper's blueprints declare no network racks for
/// their fabric's switches, which is beside the point of the names.
fn codes(session: &mut Session, text: &str) -> BTreeSet<String> {
    let (_, diags) = session.check("names.kdl", text.as_bytes());
    diags.sorted().iter().map(|d| d.code.code.to_string()).filter(|c| c != "W1103").collect()
}

/// Analyses `text` and renders the chosen targets, whatever the diagnostics (the view is built
/// from the analysis as `build` builds it).
fn build(text: &str, targets: &[&str]) -> (BTreeSet<String>, view::BuildView, Vec<(String, String)>) {
    let mut session = Session::new();
    let (bp, mut diags) = session.read("names.kdl", text.as_bytes());
    let analysis = session.analyze(bp.as_ref().unwrap(), &mut diags).unwrap();
    let v = view::build(&analysis.factory, &analysis.plan, &session.catalog);
    let mut manifest_diags = millwright::diag::Diagnostics::new();
    let chosen: Vec<_> = target::targets(&mut session.sources, &mut manifest_diags)
        .into_iter()
        .filter(|t| targets.contains(&t.name.as_str()))
        .collect();
    assert!(manifest_diags.is_empty(), "the shipped targets' manifests read cleanly");
    let files =
        target::render(&v, &chosen).unwrap().into_iter().map(|(p, b)| (p, String::from_utf8(b).unwrap())).collect();
    (diags.sorted().iter().map(|d| d.code.code.to_string()).filter(|c| c != "W1103").collect(), v, files)
}

fn file<'f>(files: &'f [(String, String)], suffix: &str) -> &'f str {
    &files.iter().find(|(p, _)| p.ends_with(suffix)).unwrap_or_else(|| panic!("no {suffix}")).1
}

#[test]
fn workloads_differing_after_the_40th_character_stay_two_objects() {
    let a = "assistant-for-the-customer-support-team-europe";
    let b = "assistant-for-the-customer-support-team-americas";
    let (codes, v, files) = build(&blueprint("pod-one", "", &[("main", &["P"])], &[a, b]), &["kubernetes"]);
    assert!(!codes.iter().any(|c| c.starts_with("E")), "{codes:?}");
    let kube: BTreeSet<&str> = v.sites[0].workloads.iter().map(|w| w.kube_name.as_str()).collect();
    assert_eq!(kube.len(), 2, "{kube:?}");
    let queues = file(&files, "40-queues.yaml");
    for name in &kube {
        assert!(name.len() <= names::KUBE_OBJECT_MAX && names::is_dns1123_label(name), "{name}");
        assert_eq!(queues.matches(&format!("kind: ClusterQueue\nmetadata:\n  name: \"{name}\"")).count(), 1, "{name}");
    }
}

#[test]
fn a_sixty_character_hall_keeps_every_rack_label_distinct() {
    let hall = "h".repeat(60);
    let (codes, v, files) = build(&blueprint("pod-one", "", &[(&hall, &["A", "B"])], &[]), &["kubernetes"]);
    // NetBox device names are too long for this hall (E0307), but the rack labels are not cut.
    assert!(codes.contains("E0307") && !codes.contains("E0306"), "{codes:?}");
    let labels: Vec<&str> = v.sites[0].racks.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(labels.iter().collect::<BTreeSet<_>>().len(), labels.len(), "{labels:?}");
    for l in &labels {
        assert!(names::is_label_value(l) && names::is_dns1123_label(l), "{l}");
    }
    let topology = file(&files, "30-topology.yaml");
    for l in &labels {
        assert_eq!(topology.matches(&format!("  \"{l}\": ")).count(), 1, "{l} in\n{topology}");
    }
}

#[test]
fn the_issue_cases_are_reported() {
    let mut s = Session::new();
    let cases: [(String, &str); 6] = [
        (blueprint("pod-one", "", &[("A", &["B-C"]), ("A-B", &["C"])], &[]), "E0306"),
        (blueprint("pod-one", "", &[("main", &["A", "a"])], &[]), "E0306"),
        (blueprint("pod-one", "", &[("main", &["P"])], &["1chat", "w-1chat"]), "E0306"),
        (blueprint("GPU Operator", "", &[("main", &["P"])], &[]), "E0308"),
        (blueprint("default", "", &[("main", &["P"])], &[]), "E0308"),
        (blueprint("pod-one", &"d".repeat(201), &[("main", &["P"])], &[]), "E0307"),
    ];
    for (text, code) in cases {
        // The helper's compute fabric carries nothing for these small workloads (W0602), which is
        // beside the point here.
        let got: BTreeSet<String> = codes(&mut s, &text).into_iter().filter(|c| c != "W0602").collect();
        assert_eq!(got, BTreeSet::from([code.to_string()]), "{text}");
    }
    for ns in names::RESERVED_NAMESPACES {
        let got = codes(&mut s, &blueprint(ns, "", &[("main", &["P"])], &[]));
        assert!(got.contains("E0308"), "{ns}: {got:?}");
    }
}

#[test]
fn yaml_gets_no_raw_noncharacters() {
    let description = "before\u{fffe}\u{ffff}\u{fdd0}\u{10fffe}after";
    let (codes, _, files) = build(&blueprint("pod-one", description, &[("main", &["P"])], &[]), &["kubernetes"]);
    assert!(codes.is_empty(), "{codes:?}");
    let ns = file(&files, "00-namespaces.yaml");
    assert!(ns.contains("\"before\\ufffe\\uffff\\ufdd0\\U0010fffeafter\""), "{ns}");
    for (path, text) in &files {
        assert!(
            !text.chars().any(|c| (c as u32) & 0xfffe == 0xfffe || (0xfdd0..=0xfdef).contains(&(c as u32))),
            "{path}"
        );
    }
}

/// Splits the label strings out of a DOT file as Graphviz reads a quoted string (a backslash
/// escapes the next character); fails when a quote is left open or a label is followed by
/// anything but the end of its attribute list.
fn dot_labels(dot: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for line in dot.lines() {
        let Some(start) = line.find("[label=\"") else { continue };
        let rest = &line[start + 8..];
        let mut label = String::new();
        let mut chars = rest.chars();
        let mut closed = None;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    label.push(c);
                    label.push(chars.next().expect("a backslash escapes something"));
                }
                '"' => {
                    closed = Some(chars.as_str().to_string());
                    break;
                }
                c => label.push(c),
            }
        }
        let after = closed.unwrap_or_else(|| panic!("unterminated label: {line}"));
        assert!(after == "];" || after.starts_with(']') || after.starts_with(','), "a label left its string: {line}");
        labels.push(label);
    }
    labels
}

#[test]
fn dot_labels_hold_hostile_names() {
    let hostile = ["hq-lab\\", "x\"] [URL=\"javascript:alert(1)\"] [label=\"", "\\N\\G", "a\\\"b"];
    for name in hostile {
        let text =
            blueprint("pod-one", "", &[("main", &["P"])], &[]).replace("site \"dc-1\"", &format!("site {name:?}"));
        let mut session = Session::new();
        let (bp, mut diags) = session.read("names.kdl", text.as_bytes());
        let a = session.analyze(bp.as_ref().unwrap(), &mut diags).unwrap();
        let dot = millwright::graph::dot(&millwright::graph::build(&a.factory, &a.plan, false));
        let labels = dot_labels(&dot);
        let site = labels.iter().find(|l| l.starts_with("site ")).unwrap();
        // Unescaping the label gives the name back.
        let mut unescaped = String::new();
        let mut chars = site.chars();
        while let Some(c) = chars.next() {
            unescaped.push(if c == '\\' { chars.next().unwrap() } else { c });
        }
        assert_eq!(unescaped, format!("site {name}"));
        // Every node line is exactly one label attribute: nothing a name holds became an attribute.
        assert_eq!(labels.len(), dot.lines().filter(|l| l.contains(" [label=")).count());
    }
}

/// A name and a variant with the same slug: case changed, separators swapped or doubled,
/// punctuation added where the slug drops it.
fn same_slug_pair() -> impl Strategy<Value = (String, String)> {
    let word = "[a-z0-9]{1,6}";
    (prop::collection::vec(word, 1..4), prop::collection::vec(0usize..5, 4), any::<bool>()).prop_map(
        |(words, seps, upper)| {
            let plain = words.join("-");
            let mut variant = String::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    variant.push_str(["-", " ", "_", "--", " . "][seps[i % seps.len()]]);
                }
                variant.push_str(&if upper { w.to_uppercase() } else { w.clone() });
            }
            if variant == plain {
                variant.push('!');
            }
            (plain, variant)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Two workloads with one slug, or one Kubernetes name, are always reported.
    #[test]
    fn colliding_workload_names_are_reported((a, b) in same_slug_pair(), digit in any::<bool>()) {
        let (a, b) = if digit { (format!("1{a}"), format!("w-1{a}")) } else { (a, b) };
        prop_assume!(a != b);
        let mut s = Session::new();
        let got = codes(&mut s, &blueprint("pod-one", "", &[("main", &["P"])], &[&a, &b]));
        prop_assert!(got.contains("E0301") || got.contains("E0306"), "{a:?} {b:?}: {got:?}");
    }

    /// Hall and row pairs that spell one rack prefix (split at another dash, or cased otherwise)
    /// are always reported.
    #[test]
    fn colliding_rack_prefixes_are_reported(words in prop::collection::vec("[a-z]{1,5}", 3..6), cut in 1usize..4, upper in any::<bool>()) {
        let cut = cut.min(words.len() - 2);
        let hall_a = words[..cut].join("-");
        let row_a = words[cut..].join("-");
        let hall_b = words[..=cut].join("-");
        let row_b = words[cut + 1..].join("-");
        let row_b = if upper { row_b.to_uppercase() } else { row_b };
        let mut s = Session::new();
        let got = codes(&mut s, &blueprint("pod-one", "", &[(&hall_a, &[&row_a]), (&hall_b, &[&row_b])], &[]));
        prop_assert!(got.contains("E0306"), "{hall_a}/{row_a} {hall_b}/{row_b}: {got:?}");
    }

    /// Names that differ only past a limit are shortened to different names that fit, and
    /// names whose slugs differ keep different emitted names.
    #[test]
    fn shortening_keeps_names_apart(stem in "[a-z][a-z0-9-]{40,80}", a in "[a-z0-9]{1,8}", b in "[a-z0-9]{1,8}") {
        prop_assume!(a != b);
        let (x, y) = (format!("{stem}-{a}"), format!("{stem}-{b}"));
        let (kx, ky) = (names::kube_name(&x), names::kube_name(&y));
        prop_assert_ne!(&kx, &ky);
        prop_assert!(kx.len() <= names::KUBE_OBJECT_MAX && names::is_dns1123_label(&kx), "{kx}");
        let (sx, sy) = (names::slug(&x), names::slug(&y));
        prop_assert_ne!(&sx, &sy);
        prop_assert!(names::is_label_value(&sx) && names::is_dns1123_label(&sx), "{sx}");
        prop_assert_eq!(names::slug(&x), sx, "shortening is deterministic");
    }
}

/// With Graphviz installed, `dot` reads the drawing of a hostile site name and the SVG holds the
/// name as text, never as a link.
#[test]
fn graphviz_reads_hostile_labels_as_text() {
    if std::process::Command::new("dot").arg("-V").output().is_err() {
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    }
    let name = "hq-lab\\\" URL=\"javascript:alert(1)\" x=\"\\";
    let text = blueprint("pod-one", "", &[("main", &["P"])], &[]).replace("site \"dc-1\"", &format!("site {name:?}"));
    let mut session = Session::new();
    let (bp, mut diags) = session.read("names.kdl", text.as_bytes());
    let a = session.analyze(bp.as_ref().unwrap(), &mut diags).unwrap();
    let dot = millwright::graph::dot(&millwright::graph::build(&a.factory, &a.plan, false));
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), dot.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "dot rejected:\n{dot}");
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(!svg.contains("<a ") && !svg.contains("href"), "{svg}");
    assert!(svg.contains("javascript:alert(1)"), "the name is kept as text");
}

/// Two lines of one system in a rack number their servers on: NetBox device names stay unique.
#[test]
fn servers_of_two_lines_of_one_system_keep_distinct_names() {
    let text = blueprint("pod-one", "", &[("main", &["P"])], &[]).replace(
        "                system \"hgx-h100-8\" count=2\n",
        "                system \"hgx-h100-8\" count=1\n                system \"hgx-h100-8\" count=2\n",
    );
    let (codes, v, _) = build(&text, &["terraform"]);
    assert!(!codes.iter().any(|c| c.starts_with('E')), "{codes:?}");
    let devices: Vec<&str> = v.sites[0].racks[0].devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(devices, ["main-P-01-hgx-h100-8-01", "main-P-01-hgx-h100-8-02", "main-P-01-hgx-h100-8-03"]);
}

/// Every `kube-` namespace is Kubernetes'; the suggested new name is not reserved itself.
#[test]
fn kube_prefixed_namespaces_are_reserved_and_the_suggestion_is_not() {
    let mut session = Session::new();
    let (_, diags) = session.check("names.kdl", blueprint("Kube Lab", "", &[("main", &["P"])], &[]).as_bytes());
    let d = diags.sorted().into_iter().find(|d| d.code.code == "E0308").expect("E0308");
    let help = d.help.unwrap();
    assert!(help.contains("\"factory Kube Lab\" (namespace `factory-kube-lab`)"), "{help}");
}

/// Every object name and label value the `kubernetes` target writes for the examples, and for a
/// blueprint of hostile names, keeps to Kubernetes' grammar: `metadata.name` a DNS-1123 subdomain
/// (workload objects and namespaces a DNS-1123 label), label values at most 63 characters.
#[test]
fn every_emitted_kubernetes_name_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("examples");
    let mut blueprints: Vec<(String, String)> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("factory.kdl"))
        .filter(|p| p.exists())
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    blueprints.sort();
    let hostile = blueprint(
        "Ünïcode Fäctory: ${x} \"quoted\" and a name well past sixty-three characters long",
        "",
        &[(&"Hall ".repeat(12), &["Row 1", "Row 2"])],
        &["9 lives", "Chat: the assistant whose name is much longer than forty characters"],
    );
    blueprints.push(("hostile".to_string(), hostile));
    for (name, text) in blueprints {
        let (_, _, files) = build(&text, &["kubernetes"]);
        assert!(!files.is_empty(), "{name}");
        for (path, yaml) in &files {
            for line in yaml.lines() {
                let t = line.trim_start();
                let value = |prefix: &str| t.strip_prefix(prefix).map(|v| v.trim_matches('"').to_string());
                if let Some(v) = value("name: ") {
                    assert!(names::is_dns1123_subdomain(&v), "{name} {path}: name {v:?}");
                }
                for key in ["app.kubernetes.io/name: ", "app.kubernetes.io/part-of: ", "millwright.dev/system: "] {
                    if let Some(v) = value(key) {
                        assert!(names::is_label_value(&v), "{name} {path}: {key}{v:?}");
                    }
                }
                if let Some(v) = value("namespace: ").or_else(|| value("kubernetes.io/metadata.name: ")) {
                    assert!(names::is_dns1123_label(&v), "{name} {path}: namespace {v:?}");
                }
            }
        }
    }
}
