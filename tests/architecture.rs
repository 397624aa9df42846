//! Architecture tests: the invariants of ARCHITECTURE.md checked on the source itself, the way
//! rust-analyzer's tidy does. Each test names the invariant it keeps. The stage table below is the
//! one list of the pipeline's layers; a new top-level module must be placed in it.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// The pipeline's layers in the order data flows. A module may use its own layer and earlier ones,
/// never a later one. Two submodules have a layer of their own: `lower::read` (the reading
/// toolkit), because the catalog, which comes before the blueprint is lowered, decodes its parts
/// with it; and `names::rules` (pure text rules for emitted names), because `resolve` compares
/// names as they will be emitted.
const LAYERS: &[(&str, &[&str])] = &[
    ("foundation", &["source", "diag", "docs", "units", "format", "names::rules"]),
    ("syntax", &["syntax"]),
    ("reading toolkit", &["lower::read"]),
    ("catalog", &["catalog"]),
    ("lowering", &["ast", "lower"]),
    ("resolution", &["resolve", "model"]),
    ("projection", &["project", "names"]),
    ("graph", &["graph"]),
    ("checks", &["checks"]),
    ("render", &["render"]),
    ("formatter", &["fmt"]),
    ("driver", &["compile"]),
    // `compare` runs the whole pipeline twice, so it sits above the driver.
    ("what-if", &["compare"]),
    // Editor support runs the driver on every edit and answers from its results.
    ("editor", &["ide"]),
    ("shell", &["lib", "main", "cli"]),
];

/// The stages that analyse a blueprint: they read Millwright's own tree and typed values, never the
/// `kdl` crate's document model (that is for rewriting a blueprint, in `fmt`).
const ANALYSIS: &[&str] = &[
    "lower",
    "lower::read",
    "ast",
    "catalog",
    "resolve",
    "model",
    "project",
    "names",
    "graph",
    "checks",
    "compare",
    "render",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().and_then(|x| x.to_str()) == Some("rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The module a source file belongs to, as the layer table names it.
/// Submodules that sit in another layer than their parent.
const SUBMODULES: &[(&str, &str)] = &[("lower", "read"), ("names", "rules")];

fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
    for (parent, child) in SUBMODULES {
        if rel == format!("{parent}/{child}.rs") || rel.starts_with(&format!("{parent}/{child}/")) {
            return format!("{parent}::{child}");
        }
    }
    let first = rel.split('/').next().unwrap_or_default();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// The module a `crate::…` path names.
fn target_of(segments: &[String]) -> Option<String> {
    let (first, rest) = segments.split_first()?;
    if first != "crate" {
        return None;
    }
    let top = rest.first()?;
    let next = rest.get(1).map(String::as_str);
    if SUBMODULES.iter().any(|(parent, child)| top == parent && next == Some(child)) {
        return Some(format!("{top}::{}", next.unwrap_or_default()));
    }
    Some(top.clone())
}

/// Everything one file says that the invariants care about.
#[derive(Default)]
struct Facts {
    /// `crate::…` paths used, with the line they are on.
    crate_paths: Vec<(Vec<String>, usize)>,
    /// Lines that use the `kdl` crate.
    kdl_uses: Vec<usize>,
    /// Lines that derive or implement `Serialize`.
    serialize: Vec<usize>,
    /// Enums defined here.
    enums: Vec<String>,
    /// `match` expressions: the domain-enum-looking paths in their arms and whether one arm is `_`.
    matches: Vec<MatchFacts>,
    /// Lines that look a catalog part up by a computed id (`catalog.system(&id)`).
    lookups: Vec<(usize, String)>,
    /// Lines that do I/O: `std::fs`, `std::env`, `std::process`, the standard streams, printing.
    io: Vec<(usize, String)>,
}

struct MatchFacts {
    line: usize,
    enum_names: BTreeSet<String>,
    has_wildcard: bool,
}

#[derive(Default)]
struct Collector {
    facts: Facts,
    in_test: usize,
}

fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

fn use_tree_paths(prefix: &mut Vec<String>, tree: &syn::UseTree, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_tree_paths(prefix, &p.tree, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_tree_paths(prefix, t, out);
            }
        }
    }
}

/// The enum named in a pattern like `Enum::Variant`, `Enum::Variant(..)` or `Enum::Variant { .. }`.
fn pattern_enums(pat: &syn::Pat, out: &mut BTreeSet<String>) {
    let path = match pat {
        syn::Pat::Path(p) => Some(&p.path),
        syn::Pat::TupleStruct(p) => Some(&p.path),
        syn::Pat::Struct(p) => Some(&p.path),
        syn::Pat::Or(o) => {
            for case in &o.cases {
                pattern_enums(case, out);
            }
            None
        }
        syn::Pat::Ident(i) => {
            if let Some((_, sub)) = &i.subpat {
                pattern_enums(sub, out);
            }
            None
        }
        syn::Pat::Reference(r) => {
            pattern_enums(&r.pat, out);
            None
        }
        _ => None,
    };
    if let Some(path) = path {
        let n = path.segments.len();
        if n >= 2 {
            out.insert(path.segments[n - 2].ident.to_string());
        }
    }
}

/// A path into the parts of `std` that touch the world outside the process's memory.
fn is_io(segments: &[String]) -> bool {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    matches!(s.as_slice(), ["std", "fs", ..] | ["std", "env", ..] | ["std", "process", ..] | ["std", "net", ..])
        || matches!(s.as_slice(), ["std", "io", "stdin" | "stdout" | "stderr", ..])
}

/// An attribute's tokens as text (`derive(Clone, Serialize)`, `cfg(test)`).
fn meta_text(meta: &syn::Meta) -> String {
    quote::ToTokens::to_token_stream(meta).to_string()
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| // Exactly `#[cfg(test)]`: `cfg(not(test))` is code the library ships.
        meta_text(&a.meta).replace(' ', "") == "cfg(test)" || a.path().is_ident("test"))
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = is_test_attr(&m.attrs);
        self.in_test += usize::from(test);
        syn::visit::visit_item_mod(self, m);
        self.in_test -= usize::from(test);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let test = is_test_attr(&f.attrs);
        self.in_test += usize::from(test);
        syn::visit::visit_item_fn(self, f);
        self.in_test -= usize::from(test);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_tree_paths(&mut Vec::new(), &u.tree, &mut paths);
        let line = line_of(u.use_token.span);
        for p in paths {
            if self.in_test == 0 && is_io(&p) {
                self.facts.io.push((line, p.join("::")));
            }
            if p.first().map(String::as_str) == Some("kdl") {
                self.facts.kdl_uses.push(line);
            }
            self.facts.crate_paths.push((p, line));
        }
        syn::visit::visit_item_use(self, u);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        if self.in_test == 0 && ["print", "println", "eprint", "eprintln", "dbg"].contains(&name.as_str()) {
            self.facts.io.push((line_of(m.bang_token.span), format!("{name}!")));
        }
        syn::visit::visit_macro(self, m);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path.segments.first().map(|s| line_of(s.ident.span())).unwrap_or(0);
        if self.in_test == 0 && is_io(&segments) {
            self.facts.io.push((line, segments.join("::")));
        }
        if segments.len() > 1 && segments.first().map(String::as_str) == Some("kdl") {
            self.facts.kdl_uses.push(line);
        }
        self.facts.crate_paths.push((segments, line));
        syn::visit::visit_path(self, path);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if a.path().is_ident("derive") && meta_text(&a.meta).contains("Serialize") {
            self.facts.serialize.push(line_of(a.pound_token.span));
        }
        syn::visit::visit_attribute(self, a);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some((_, path, _)) = &i.trait_ {
            if path.segments.last().map(|s| s.ident == "Serialize").unwrap_or(false) {
                self.facts.serialize.push(line_of(i.impl_token.span));
            }
        }
        syn::visit::visit_item_impl(self, i);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        if self.in_test == 0 {
            self.facts.enums.push(e.ident.to_string());
        }
        syn::visit::visit_item_enum(self, e);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        let receiver = quote::ToTokens::to_token_stream(&call.receiver).to_string();
        let literal = matches!(call.args.first(), Some(syn::Expr::Lit(_)));
        if self.in_test == 0 && LOOKUPS.contains(&method.as_str()) && receiver.ends_with("catalog") && !literal {
            self.facts.lookups.push((line_of(call.method.span()), method));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        if self.in_test == 0 {
            let mut enum_names = BTreeSet::new();
            let mut has_wildcard = false;
            for arm in &m.arms {
                pattern_enums(&arm.pat, &mut enum_names);
                if matches!(arm.pat, syn::Pat::Wild(_)) && arm.guard.is_none() {
                    has_wildcard = true;
                }
            }
            self.facts.matches.push(MatchFacts { line: line_of(m.match_token.span), enum_names, has_wildcard });
        }
        syn::visit::visit_expr_match(self, m);
    }
}

struct SourceFile {
    rel: String,
    module: String,
    facts: Facts,
}

fn sources() -> Vec<SourceFile> {
    let src = common::root().join("compiler/src");
    rust_files(&src)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", common::rel(&path)));
            let mut c = Collector::default();
            c.visit_file(&file);
            SourceFile { rel: common::rel(&path), module: module_of(&src, &path), facts: c.facts }
        })
        .collect()
}

/// ARCHITECTURE.md: data flows one way; a stage never imports a later one.
#[test]
fn no_stage_uses_a_later_stage() {
    let mut problems = BTreeSet::new();
    for f in sources() {
        let Some(own) = layer_of(&f.module) else {
            problems.insert(format!(
                "{}: module `{}` is in no layer of tests/architecture.rs (add it where it belongs in the pipeline)",
                f.rel, f.module
            ));
            continue;
        };
        for (path, line) in &f.facts.crate_paths {
            let Some(target) = target_of(path) else { continue };
            let Some(theirs) = layer_of(&target) else { continue };
            if theirs > own {
                problems.insert(format!(
                    "{}:{line}: `{}` ({}) uses `crate::{target}` ({}), a later stage",
                    f.rel, f.module, LAYERS[own].0, LAYERS[theirs].0
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} layering violations:\n{}", problems.len(), join(&problems));
}

/// ARCHITECTURE.md: only `render` types implement `Serialize`.
#[test]
fn only_render_serialises() {
    let mut problems = BTreeSet::new();
    for f in sources() {
        if f.module == "render" {
            continue;
        }
        for line in &f.facts.serialize {
            problems.insert(format!("{}:{line}: `Serialize` outside render (make a view type in render)", f.rel));
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// ARCHITECTURE.md: the analysis stages read Millwright's own tree; the `kdl` crate is only for
/// rewriting blueprints.
#[test]
fn analysis_stages_do_not_use_the_kdl_crate() {
    let mut problems = BTreeSet::new();
    for f in sources() {
        if !ANALYSIS.contains(&f.module.as_str()) {
            continue;
        }
        for line in &f.facts.kdl_uses {
            problems.insert(format!("{}:{line}: `{}` uses the kdl crate", f.rel, f.module));
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// Enums that hold one of several kinds of thing rather than a choice: an accessor that picks one
/// kind (`Part::Gpu(g) => Some(g), _ => None`) is the point of them.
const CONTAINERS: &[&str] = &["Part"];

/// A domain enum (one defined in the blueprint, model, catalog, units or projections) is matched
/// exhaustively, so that a new variant makes every rule decide what it means.
#[test]
fn domain_enums_are_matched_without_wildcards() {
    let files = sources();
    let domain_modules = ["ast", "model", "catalog", "units", "project", "names"];
    let domain: BTreeSet<String> = files
        .iter()
        .filter(|f| domain_modules.contains(&f.module.as_str()))
        .flat_map(|f| f.facts.enums.iter().cloned())
        .collect();
    let mut problems = BTreeSet::new();
    for f in &files {
        if !ANALYSIS.contains(&f.module.as_str()) {
            continue;
        }
        for m in &f.facts.matches {
            let named: Vec<&String> =
                m.enum_names.iter().filter(|e| domain.contains(*e) && !CONTAINERS.contains(&e.as_str())).collect();
            if m.has_wildcard && !named.is_empty() {
                problems.insert(format!(
                    "{}:{}: a match on {} has a `_` arm; name every variant",
                    f.rel,
                    m.line,
                    named.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} wildcard arms on domain enums:\n{}", problems.len(), join(&problems));
}

/// The catalog's look-ups by id. Only `resolve` (and the catalog itself, and `compare`, which
/// edits the blueprint as written) may call them with a computed id: after resolution a part is a
/// reference or a typed id. A literal id names a well-known product (`catalog.software("kubernetes")`).
const LOOKUPS: &[&str] =
    &["get", "gpu", "system", "enclosure", "switch", "cdu", "model", "software", "part", "pdu", "service", "finance"];

/// ARCHITECTURE.md: after `resolve`, nothing looks a part up by string.
#[test]
fn nothing_after_resolve_looks_parts_up_by_string() {
    let after_resolve = ["project", "names", "graph", "checks", "render"];
    let mut problems = BTreeSet::new();
    for f in sources() {
        if !after_resolve.contains(&f.module.as_str()) {
            continue;
        }
        for (line, method) in &f.facts.lookups {
            problems.insert(format!(
                "{}:{line}: `catalog.{method}(…)` looks a part up by id after resolve; bind it in resolve and use the reference",
                f.rel
            ));
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// ARCHITECTURE.md: the library does no I/O; only the shell (`cli/`, `main.rs`) reads files, the
/// environment or the terminal, and writes anything.
#[test]
fn the_library_does_no_io() {
    let mut problems = BTreeSet::new();
    for f in sources() {
        if ["cli", "main"].contains(&f.module.as_str()) {
            continue;
        }
        for (line, what) in &f.facts.io {
            problems.insert(format!("{}:{line}: `{what}` in the library; I/O belongs to cli/", f.rel));
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// ARCHITECTURE.md: only the readers (`lower`, the catalog, the target manifests in
/// `render::target`) and the formatter read the KDL tree; every later stage reads typed values.
#[test]
fn only_the_readers_read_kdl_nodes() {
    let readers = ["syntax", "lower", "lower::read", "catalog", "fmt", "compile"];
    let mut problems = BTreeSet::new();
    for f in sources() {
        if readers.contains(&f.module.as_str()) || f.rel.ends_with("render/target.rs") {
            continue;
        }
        for (path, line) in &f.facts.crate_paths {
            if path.len() >= 2 && path[0] == "crate" && path[1] == "syntax" {
                problems.insert(format!(
                    "{}:{line}: `{}` reads the KDL tree; decode it in lower or the catalog",
                    f.rel, f.module
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// ARCHITECTURE.md: checks are independent; no check calls another (they share only `checks/mod.rs`).
#[test]
fn checks_never_call_each_other() {
    let root = common::root().join("compiler/src/checks");
    let files = rust_files(&root);
    let rules: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .filter(|s| s != "mod")
        .collect();
    let mut problems = BTreeSet::new();
    for f in sources() {
        if f.module != "checks" || f.rel.ends_with("checks/mod.rs") {
            continue;
        }
        let own = Path::new(&f.rel).file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        for (path, line) in &f.facts.crate_paths {
            let names_rule = |p: &[String]| p.iter().any(|seg| rules.contains(seg) && *seg != own);
            let via_crate = path.len() >= 3 && path[0] == "crate" && path[1] == "checks" && names_rule(&path[2..3]);
            let via_super = path.len() >= 2 && path[0] == "super" && names_rule(&path[1..2]);
            if via_crate || via_super {
                problems.insert(format!("{}:{line}: check `{own}` uses another check (`{}`)", f.rel, path.join("::")));
            }
        }
    }
    assert!(problems.is_empty(), "{}", join(&problems));
}

/// ARCHITECTURE.md: no stage panics on user input; the crate denies the lints that find the
/// usual panics, and CI runs clippy with warnings denied.
#[test]
fn the_panic_lints_stay_denied() {
    let manifest = std::fs::read_to_string(common::root().join("Cargo.toml")).unwrap();
    for lint in ["unwrap_used = \"deny\"", "indexing_slicing = \"deny\""] {
        assert!(manifest.contains(lint), "Cargo.toml's [workspace.lints.clippy] must keep `{lint}`");
    }
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).unwrap();
    assert!(ci.contains("-D warnings"), ".ci/run must run clippy with warnings denied");
}

/// Every module the layer table names exists, and ARCHITECTURE.md's code map names it.
#[test]
fn the_code_map_names_every_module() {
    let files = sources();
    let modules: BTreeSet<&str> = files.iter().map(|f| f.module.as_str()).collect();
    let map = std::fs::read_to_string(common::root().join("ARCHITECTURE.md")).unwrap();
    let mut problems = Vec::new();
    for m in &modules {
        if ["lib", "main"].contains(m) {
            continue;
        }
        if !map.contains(&format!("`{m}`")) && !map.contains(&format!("`{m}/`")) {
            problems.push(format!("ARCHITECTURE.md's code map does not name `{m}`"));
        }
    }
    for (_, layer) in LAYERS {
        for m in *layer {
            if !modules.contains(m) {
                problems.push(format!("tests/architecture.rs names a module `{m}` that does not exist"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every snapshot belongs to a test that still produces it: UI snapshots to a file under
/// `tests/ui/`, other snapshots to a test file that names them (`tests/targets.rs` checks its own
/// folder against what the examples build).
#[test]
fn every_snapshot_is_referenced() {
    let root = common::root();
    let dir = root.join("tests/snapshots");
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut names: Vec<String> =
        entries.flatten().filter(|e| e.path().is_file()).map(|e| e.file_name().to_string_lossy().to_string()).collect();
    names.sort();
    for name in names {
        let Some(stem) = name.strip_suffix(".snap") else {
            problems.push(format!("tests/snapshots/{name} is not a snapshot (a leftover `.snap.new`?)"));
            continue;
        };
        let Some((test, rest)) = stem.split_once("__") else {
            problems.push(format!("tests/snapshots/{name} does not name its test"));
            continue;
        };
        if let Some(case) = rest.strip_prefix(&format!("{test}@")) {
            // insta's glob snapshots: `<test>__<test>@<path with / as __>`.
            let input = root.join("tests/ui").join(case.replace("__", "/"));
            if !input.exists() {
                problems.push(format!("tests/snapshots/{name}: no {} produces it", common::rel(&input)));
            }
            continue;
        }
        let source = std::fs::read_to_string(root.join(format!("tests/{test}.rs"))).unwrap_or_default();
        if !source.contains(rest) {
            problems.push(format!("tests/snapshots/{name}: tests/{test}.rs does not name `{rest}`"));
        }
    }
    assert!(problems.is_empty(), "{} unreferenced snapshots:\n{}", problems.len(), problems.join("\n"));
}

/// docs/design-rules.md lists every registered code that is emitted.
#[test]
fn design_rules_list_every_code() {
    let page = std::fs::read_to_string(common::root().join("docs/design-rules.md")).unwrap();
    let listed: BTreeSet<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .flat_map(|cell| cell.split([',', ' ', '–']))
        .collect();
    let missing: Vec<&str> = millwright::diag::codes::ALL
        .iter()
        .filter(|c| !c.retired)
        .map(|c| c.code)
        .filter(|c| !listed.contains(c))
        .collect();
    assert!(missing.is_empty(), "docs/design-rules.md has no row for {}", missing.join(", "));
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("\n")
}
