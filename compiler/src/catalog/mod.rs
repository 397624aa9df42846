//! The parts catalog: every GPU, system, enclosure, switch, CDU, optic, PDU, model and software
//! product a blueprint can name, and the services and finance figures the quote prices with. Parts
//! are KDL files under `stdlib/<kind>/<id>.kdl`, embedded in the binary; they are decoded with the
//! same toolkit as blueprints, so a broken part gets the same diagnostics as a broken blueprint.

mod fields;
pub mod parts;
pub mod software_facts;

pub use fields::Price;
pub use parts::*;

use crate::diag::{codes, Diagnostic, Diagnostics};
use crate::lower::read::Cx;
use crate::source::{SourceMap, Span};
use crate::syntax::{self, Limits};
use std::collections::BTreeMap;

/// The catalog as shipped: `stdlib/` embedded at build time.
pub static STDLIB: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../stdlib");

/// The kinds of part, named as their folders.
pub const KINDS: &[&str] = &[
    "gpu",
    "system",
    "rack",
    "switch",
    "cdu",
    "transceiver",
    "cable",
    "pdu",
    "model",
    "software",
    "service",
    "finance",
];

#[derive(Clone, Debug)]
pub enum Part {
    Gpu(Gpu),
    System(System),
    Rack(Enclosure),
    Switch(Switch),
    Cdu(Cdu),
    Transceiver(Transceiver),
    Pdu(Pdu),
    Model(Model),
    Software(Software),
    Service(Service),
    Finance(Finance),
}

impl Part {
    pub fn kind(&self) -> &'static str {
        match self {
            Part::Gpu(_) => "gpu",
            Part::System(_) => "system",
            Part::Rack(_) => "rack",
            Part::Switch(_) => "switch",
            Part::Cdu(_) => "cdu",
            Part::Transceiver(t) if t.is_cable => "cable",
            Part::Transceiver(_) => "transceiver",
            Part::Pdu(_) => "pdu",
            Part::Model(_) => "model",
            Part::Software(_) => "software",
            Part::Service(_) => "service",
            Part::Finance(_) => "finance",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Part::Gpu(p) => &p.name,
            Part::System(p) => &p.name,
            Part::Rack(p) => &p.name,
            Part::Switch(p) => &p.name,
            Part::Cdu(p) => &p.name,
            Part::Transceiver(p) => &p.name,
            Part::Pdu(p) => &p.name,
            Part::Model(p) => &p.name,
            Part::Software(p) => &p.name,
            Part::Service(p) => &p.name,
            Part::Finance(p) => &p.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Part::Gpu(p) => p.span,
            Part::System(p) => p.span,
            Part::Rack(p) => p.span,
            Part::Switch(p) => p.span,
            Part::Cdu(p) => p.span,
            Part::Transceiver(p) => p.span,
            Part::Pdu(p) => p.span,
            Part::Model(p) => p.span,
            Part::Software(p) => p.span,
            Part::Service(p) => p.span,
            Part::Finance(p) => p.span,
        }
    }

    pub fn price(&self) -> Option<&Price> {
        match self {
            Part::System(p) => p.price.as_ref(),
            Part::Rack(p) => p.price.as_ref(),
            Part::Switch(p) => p.price.as_ref(),
            Part::Cdu(p) => p.price.as_ref(),
            Part::Transceiver(p) => p.price.as_ref(),
            Part::Pdu(p) => p.price.as_ref(),
            Part::Service(p) => p.price.as_ref(),
            Part::Finance(p) => p.price.as_ref(),
            _ => None,
        }
    }
}

/// The decoded catalog, by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    parts: BTreeMap<String, Part>,
}

/// The embedded catalog's files as `(path inside stdlib, text)`, sorted by path.
pub fn embedded_files() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    collect(&STDLIB, &mut out);
    out.sort();
    out
}

fn collect(dir: &'static include_dir::Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for f in dir.files() {
        if f.path().extension().and_then(|e| e.to_str()) == Some("kdl") {
            if let Some(text) = f.contents_utf8() {
                out.push((f.path().to_string_lossy().replace('\\', "/"), text));
            }
        }
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

impl Catalog {
    /// Loads the embedded catalog into `sources` (so diagnostics can point into it).
    pub fn embedded(sources: &mut SourceMap, diags: &mut Diagnostics) -> Catalog {
        Catalog::load(embedded_files(), sources, diags)
    }

    /// Loads catalog files given as `(path relative to stdlib, text)`.
    pub fn load<S: AsRef<str>>(
        files: impl IntoIterator<Item = (String, S)>,
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> Catalog {
        let mut catalog = Catalog::default();
        for (path, text) in files {
            let text = text.as_ref();
            let file = sources.add(format!("<stdlib>/{path}"), text);
            let Some(doc) = syntax::parse(file, text, &Limits::default(), diags) else { continue };
            let mut cx = Cx { file, text, diags, currency: None, currency_is_default: false };
            let (folder, stem) = split_path(&path);
            for node in doc.nodes() {
                let kind = node.name().value();
                let Some(id_entry) = node.entries().iter().find(|e| e.name().is_none()) else {
                    cx.emit(
                        Diagnostic::new(codes::E0105, format!("`{kind}` needs its part id"))
                            .label(cx.node_head_span(node), "no id")
                            .help(format!("write `{kind} \"{stem}\" {{ … }}`")),
                    );
                    continue;
                };
                let Some(id) = crate::lower::read::name(&mut cx, id_entry, "the part id") else { continue };
                if kind != folder || id.value != stem {
                    cx.emit(
                        Diagnostic::new(
                            codes::E0203,
                            format!(
                                "part `{kind} \"{}\"` is in `{path}`; it belongs in `{kind}/{}.kdl`",
                                id.value, id.value
                            ),
                        )
                        .label(id.span, "id and kind must match the file's folder and name")
                        .help(format!("move the file, or rename the part to `{folder} \"{stem}\"`")),
                    );
                    continue;
                }
                let part = match kind {
                    "gpu" => parts::gpu(&mut cx, node, &id.value).map(Part::Gpu),
                    "system" => parts::system(&mut cx, node, &id.value).map(Part::System),
                    "rack" => parts::enclosure(&mut cx, node, &id.value).map(Part::Rack),
                    "switch" => parts::switch(&mut cx, node, &id.value).map(Part::Switch),
                    "cdu" => parts::cdu(&mut cx, node, &id.value).map(Part::Cdu),
                    "transceiver" => parts::transceiver(&mut cx, node, &id.value, false).map(Part::Transceiver),
                    "cable" => parts::transceiver(&mut cx, node, &id.value, true).map(Part::Transceiver),
                    "pdu" => parts::pdu(&mut cx, node, &id.value).map(Part::Pdu),
                    "model" => parts::model(&mut cx, node, &id.value).map(Part::Model),
                    "software" => parts::software(&mut cx, node, &id.value).map(Part::Software),
                    "service" => parts::service(&mut cx, node, &id.value).map(Part::Service),
                    "finance" => parts::finance(&mut cx, node, &id.value).map(Part::Finance),
                    _ => {
                        crate::lower::read::unknown_child(&mut cx, "the catalog", node, KINDS);
                        None
                    }
                };
                if let Some(part) = part {
                    if let Some(prev) = catalog.parts.get(&id.value) {
                        cx.emit(
                            Diagnostic::new(codes::E0301, format!("part id `{}` is defined twice", id.value))
                                .label(id.span, "defined again here")
                                .label(prev.span(), "first defined here")
                                .help("part ids are unique across the whole catalog"),
                        );
                        continue;
                    }
                    catalog.parts.insert(id.value.clone(), part);
                }
            }
        }
        catalog.check_references(diags);
        catalog
    }

    /// Cross-part references inside the catalog (a system's GPU) must resolve.
    fn check_references(&self, diags: &mut Diagnostics) {
        for part in self.parts.values() {
            if let Part::System(s) = part {
                if self.gpu(&s.gpu.value).is_none() {
                    let mut d = Diagnostic::new(
                        codes::E0201,
                        format!("system `{}` names GPU `{}`, which the catalog does not have", s.id, s.gpu.value),
                    )
                    .label(s.gpu.span, "unknown GPU");
                    if let Some(h) = crate::diag::did_you_mean(&s.gpu.value, self.ids_of_kind("gpu")) {
                        d = d.help(h);
                    } else {
                        d = d.help("add the GPU as `stdlib/gpu/<id>.kdl`");
                    }
                    diags.push(d);
                }
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Part> {
        self.parts.get(id)
    }

    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        self.parts.values()
    }

    pub fn ids_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.parts.iter().filter(move |(_, p)| p.kind() == kind).map(|(id, _)| id.as_str())
    }

    pub fn gpu(&self, id: &str) -> Option<&Gpu> {
        match self.parts.get(id) {
            Some(Part::Gpu(g)) => Some(g),
            _ => None,
        }
    }

    pub fn system(&self, id: &str) -> Option<&System> {
        match self.parts.get(id) {
            Some(Part::System(s)) => Some(s),
            _ => None,
        }
    }

    pub fn enclosure(&self, id: &str) -> Option<&Enclosure> {
        match self.parts.get(id) {
            Some(Part::Rack(r)) => Some(r),
            _ => None,
        }
    }

    pub fn switch(&self, id: &str) -> Option<&Switch> {
        match self.parts.get(id) {
            Some(Part::Switch(s)) => Some(s),
            _ => None,
        }
    }

    pub fn cdu(&self, id: &str) -> Option<&Cdu> {
        match self.parts.get(id) {
            Some(Part::Cdu(c)) => Some(c),
            _ => None,
        }
    }

    pub fn model(&self, id: &str) -> Option<&Model> {
        match self.parts.get(id) {
            Some(Part::Model(m)) => Some(m),
            _ => None,
        }
    }

    pub fn software(&self, id: &str) -> Option<&Software> {
        match self.parts.get(id) {
            Some(Part::Software(s)) => Some(s),
            _ => None,
        }
    }

    pub fn pdus(&self) -> impl Iterator<Item = &Pdu> {
        self.parts.values().filter_map(|p| match p {
            Part::Pdu(x) => Some(x),
            _ => None,
        })
    }

    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.parts.values().filter_map(|p| match p {
            Part::Service(x) => Some(x),
            _ => None,
        })
    }

    pub fn finances(&self) -> impl Iterator<Item = &Finance> {
        self.parts.values().filter_map(|p| match p {
            Part::Finance(x) => Some(x),
            _ => None,
        })
    }

    pub fn switches(&self) -> impl Iterator<Item = &Switch> {
        self.parts.values().filter_map(|p| match p {
            Part::Switch(x) => Some(x),
            _ => None,
        })
    }

    pub fn transceivers(&self) -> impl Iterator<Item = &Transceiver> {
        self.parts.values().filter_map(|p| match p {
            Part::Transceiver(t) => Some(t),
            _ => None,
        })
    }
}

fn split_path(path: &str) -> (&str, &str) {
    let (folder, file) = path.rsplit_once('/').unwrap_or(("", path));
    let folder = folder.rsplit('/').next().unwrap_or(folder);
    (folder, file.strip_suffix(".kdl").unwrap_or(file))
}

/// Dotted numeric components of a version (`"580.95.05"` → `[580, 95, 5]`); non-numeric parts stop it.
pub fn version_parts(v: &str) -> Vec<u64> {
    v.trim_start_matches(['v', 'r', 'R']).split(['.', '-']).map_while(|p| p.parse::<u64>().ok()).collect()
}

/// Compares versions by their given prefix: `580.95` ≥ `580.95.05` is unknown, so `a` is taken as the
/// lowest version it could be (`580.95.0`).
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (version_parts(a), version_parts(b));
    let n = a.len().max(b.len());
    for i in 0..n {
        let (x, y) = (a.get(i).copied().unwrap_or(0), b.get(i).copied().unwrap_or(0));
        match x.cmp(&y) {
            std::cmp::Ordering::Equal => continue,
            o => return o,
        }
    }
    std::cmp::Ordering::Equal
}

impl Software {
    /// The release a written version falls under: the longest release version that is a prefix of
    /// it (`580.95` is in release `580`; `25.10.0` in `25.10`), or a release it is a prefix of.
    pub fn release_for(&self, version: &str) -> Option<&SoftwareRelease> {
        let v = version_parts(version);
        if v.is_empty() {
            return self.releases.iter().find(|r| r.version.value == version);
        }
        let prefix_of = |r: &SoftwareRelease| {
            let rv = version_parts(&r.version.value);
            !rv.is_empty() && rv.len() <= v.len() && v.get(..rv.len()) == Some(rv.as_slice())
        };
        if let Some(best) =
            self.releases.iter().filter(|r| prefix_of(r)).max_by_key(|r| version_parts(&r.version.value).len())
        {
            return Some(best);
        }
        self.releases.iter().find(|r| {
            let rv = version_parts(&r.version.value);
            rv.len() > v.len() && rv.get(..v.len()) == Some(v.as_slice())
        })
    }
}
