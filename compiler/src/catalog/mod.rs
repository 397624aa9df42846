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
use crate::source::SourceMap;
use crate::syntax::{self, Limits};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// The catalog as shipped: `stdlib/` embedded at build time.
pub static STDLIB: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/../stdlib");

/// The decoded catalog. Parts are kept in the order they were decoded (kind by kind, in the order
/// of `KINDS`), so a part's position is a stable index: `Id<T>` is that index, typed.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    parts: Vec<Part>,
    by_id: BTreeMap<String, u32>,
}

/// A part of kind `T` that another part or the blueprint names, bound when the catalog loads:
/// `catalog[id]` is the part, with no lookup by string. Ids are minted only by the catalog that
/// holds the part.
pub struct Id<T> {
    index: u32,
    kind: PhantomData<fn() -> T>,
}

pub type GpuId = Id<Gpu>;
pub type ModelId = Id<Model>;

// By hand: derived impls would demand `T: Clone`, `T: Eq`, … of the part type itself.
impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index.cmp(&other.index)
    }
}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.index.hash(state);
    }
}
impl<T> std::fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Id({})", self.index)
    }
}

/// A part type other parts can name by id.
pub trait Referable: Sized {
    /// The kind, as in `KINDS`.
    const KIND: &'static str;
    fn of(part: &Part) -> Option<&Self>;
}

impl Referable for Gpu {
    const KIND: &'static str = "gpu";
    fn of(part: &Part) -> Option<&Gpu> {
        match part {
            Part::Gpu(g) => Some(g),
            _ => None,
        }
    }
}

impl Referable for Model {
    const KIND: &'static str = "model";
    fn of(part: &Part) -> Option<&Model> {
        match part {
            Part::Model(m) => Some(m),
            _ => None,
        }
    }
}

impl<T: Referable> std::ops::Index<Id<T>> for Catalog {
    type Output = T;

    fn index(&self, id: Id<T>) -> &T {
        match self.parts.get(id.index as usize).and_then(T::of) {
            Some(part) => part,
            // Not reachable from any input: only this catalog mints its ids, after checking the
            // part's kind. An id used with another catalog is a bug in the compiler.
            None => panic!("{id:?} is not a {} of this catalog", T::KIND),
        }
    }
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

    /// Loads catalog files given as `(path relative to stdlib, text)`. Every file is parsed first;
    /// then the parts are decoded kind by kind in the order of `KINDS`, so the parts a part names
    /// are already there to bind.
    pub fn load<S: AsRef<str>>(
        files: impl IntoIterator<Item = (String, S)>,
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> Catalog {
        let files: Vec<(String, S)> = files.into_iter().collect();
        let mut docs = Vec::new();
        for (path, text) in &files {
            let text = text.as_ref();
            let file = sources.add(format!("<stdlib>/{path}"), text);
            if let Some(doc) = syntax::parse(file, text, &Limits::default(), diags) {
                docs.push((path.as_str(), file, text, doc));
            }
        }
        // (kind, file, node, id) of every part whose file is where its kind and id say.
        let mut found = Vec::new();
        for (path, file, text, doc) in &docs {
            let mut cx =
                Cx { file: *file, text, diags, currency: None, currency_is_default: false, counts_rejected: 0 };
            let (folder, stem) = split_path(path);
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
                let Some(k) = KINDS.iter().position(|k| k.name == kind) else {
                    let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
                    crate::lower::read::unknown_child(&mut cx, "the catalog", node, &names);
                    continue;
                };
                found.push((k, *file, *text, node, id));
            }
        }
        found.sort_by_key(|(k, ..)| *k);
        let mut catalog = Catalog::default();
        for (k, file, text, node, id) in found {
            let Some(kind) = KINDS.get(k) else { continue };
            let mut cx = Cx { file, text, diags, currency: None, currency_is_default: false, counts_rejected: 0 };
            let Some(part) = (kind.decode)(&mut cx, node, &id.value, &catalog) else { continue };
            if let Some(prev) = catalog.get(&id.value) {
                cx.emit(
                    Diagnostic::new(codes::E0301, format!("part id `{}` is defined twice", id.value))
                        .label(id.span, "defined again here")
                        .label(prev.span(), "first defined here")
                        .help("part ids are unique across the whole catalog"),
                );
                continue;
            }
            let Ok(index) = u32::try_from(catalog.parts.len()) else { continue };
            catalog.by_id.insert(id.value, index);
            catalog.parts.push(part);
        }
        catalog
    }

    /// Binds a written part id to a part of kind `T`; `None` when the catalog has no such part of
    /// that kind.
    pub fn bind<T: Referable>(&self, id: &str) -> Option<Id<T>> {
        let index = *self.by_id.get(id)?;
        self.parts.get(index as usize).and_then(T::of)?;
        Some(Id { index, kind: PhantomData })
    }

    pub fn get(&self, id: &str) -> Option<&Part> {
        self.by_id.get(id).and_then(|i| self.parts.get(*i as usize))
    }

    /// Every part, by id.
    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        self.by_id.values().filter_map(|i| self.parts.get(*i as usize))
    }

    /// The ids of one kind's parts, sorted.
    pub fn ids_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.parts().filter(move |p| p.kind() == kind).map(Part::id)
    }

    pub fn gpu(&self, id: &str) -> Option<&Gpu> {
        match self.get(id) {
            Some(Part::Gpu(g)) => Some(g),
            _ => None,
        }
    }

    pub fn system(&self, id: &str) -> Option<&System> {
        match self.get(id) {
            Some(Part::System(s)) => Some(s),
            _ => None,
        }
    }

    pub fn enclosure(&self, id: &str) -> Option<&Enclosure> {
        match self.get(id) {
            Some(Part::Rack(r)) => Some(r),
            _ => None,
        }
    }

    pub fn switch(&self, id: &str) -> Option<&Switch> {
        match self.get(id) {
            Some(Part::Switch(s)) => Some(s),
            _ => None,
        }
    }

    pub fn cdu(&self, id: &str) -> Option<&Cdu> {
        match self.get(id) {
            Some(Part::Cdu(c)) => Some(c),
            _ => None,
        }
    }

    pub fn model(&self, id: &str) -> Option<&Model> {
        match self.get(id) {
            Some(Part::Model(m)) => Some(m),
            _ => None,
        }
    }

    pub fn software(&self, id: &str) -> Option<&Software> {
        match self.get(id) {
            Some(Part::Software(s)) => Some(s),
            _ => None,
        }
    }

    pub fn pdus(&self) -> impl Iterator<Item = &Pdu> {
        self.parts().filter_map(|p| match p {
            Part::Pdu(x) => Some(x),
            _ => None,
        })
    }

    pub fn whips(&self) -> impl Iterator<Item = &Whip> {
        self.parts().filter_map(|p| match p {
            Part::Whip(x) => Some(x),
            _ => None,
        })
    }

    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.parts().filter_map(|p| match p {
            Part::Service(x) => Some(x),
            _ => None,
        })
    }

    pub fn finances(&self) -> impl Iterator<Item = &Finance> {
        self.parts().filter_map(|p| match p {
            Part::Finance(x) => Some(x),
            _ => None,
        })
    }

    pub fn software_products(&self) -> impl Iterator<Item = &Software> {
        self.parts().filter_map(|p| match p {
            Part::Software(x) => Some(x),
            _ => None,
        })
    }

    pub fn switches(&self) -> impl Iterator<Item = &Switch> {
        self.parts().filter_map(|p| match p {
            Part::Switch(x) => Some(x),
            _ => None,
        })
    }

    pub fn transceivers(&self) -> impl Iterator<Item = &Transceiver> {
        self.parts().filter_map(|p| match p {
            Part::Transceiver(t) | Part::Cable(t) => Some(t),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: Vec<(String, String)>) -> (Catalog, Diagnostics) {
        let mut sources = SourceMap::new();
        let mut diags = Diagnostics::new();
        let catalog = Catalog::load(files, &mut sources, &mut diags);
        (catalog, diags)
    }

    fn shipped() -> Vec<(String, String)> {
        embedded_files().into_iter().map(|(p, t)| (p, t.to_string())).collect()
    }

    #[test]
    fn a_system_binds_its_gpu_when_the_catalog_loads() {
        let (catalog, diags) = load(shipped());
        assert!(diags.is_empty());
        let Some(Part::System(system)) = catalog.get("hgx-h100-8") else { panic!("no hgx-h100-8") };
        assert_eq!(catalog[system.gpu].id, "h100-sxm");
        assert_eq!(catalog.bind::<Gpu>("h100-sxm"), Some(system.gpu));
        // A part of another kind does not bind as a GPU.
        assert_eq!(catalog.bind::<Gpu>("hgx-h100-8"), None);
    }

    #[test]
    fn a_dangling_gpu_is_reported_at_load_with_a_suggestion() {
        let files = shipped()
            .into_iter()
            .map(|(p, t)| {
                let t =
                    if p == "system/hgx-h100-8.kdl" { t.replace("gpu \"h100-sxm\"", "gpu \"h100-sxn\"") } else { t };
                (p, t)
            })
            .collect();
        let (catalog, diags) = load(files);
        let found: Vec<(&str, Option<&str>)> = diags.iter().map(|d| (d.code.code, d.help.as_deref())).collect();
        assert_eq!(found, vec![("E0201", Some("did you mean one of `h100-sxm`, `a100-sxm`, `h200-sxm`?"))]);
        assert!(catalog.get("hgx-h100-8").is_none(), "a system without its GPU is not in the catalog");
    }

    #[test]
    fn parts_decode_in_the_order_of_the_kinds_table() {
        let (catalog, _) = load(shipped());
        let kinds: Vec<usize> =
            catalog.parts.iter().filter_map(|p| KINDS.iter().position(|k| k.name == p.kind())).collect();
        assert!(kinds.windows(2).all(|w| w.first() <= w.get(1)), "{kinds:?}");
        assert!(KINDS.iter().all(|k| catalog.parts().any(|p| p.kind() == k.name)), "every kind is shipped");
    }

    fn shipped_with(path: &str, from: &str, to: &str) -> Vec<(String, String)> {
        shipped().into_iter().map(|(p, t)| if p == path { (p, t.replace(from, to)) } else { (p, t) }).collect()
    }

    #[test]
    fn fabric_nics_state_their_maker() {
        let (catalog, diags) = load(shipped());
        assert!(diags.is_empty());
        let vendor = |id: &str| match catalog.get(id) {
            Some(Part::System(s)) => s.nic(NicRole::Compute).and_then(|n| n.vendor),
            _ => None,
        };
        assert_eq!(vendor("hgx-h100-8"), Some(NicVendor::Nvidia));
        assert_eq!(vendor("mi355x-8"), Some(NicVendor::Amd));
        assert_eq!(vendor("mi300x-8"), Some(NicVendor::Oem));
        // A compute NIC without its maker is an error on the catalog; a BMC port needs none.
        let files =
            shipped_with("system/hgx-h100-8.kdl", "nic role=\"compute\" vendor=\"nvidia\"", "nic role=\"compute\"");
        let (_, diags) = load(files);
        let found: Vec<(&str, &str)> = diags.iter().map(|d| (d.code.code, d.message.as_str())).collect();
        assert_eq!(found, vec![("E0105", "a compute or frontend `nic` needs `vendor`")]);
    }

    #[test]
    fn power_shelf_redundancy_is_a_choice_not_free_text() {
        let (catalog, _) = load(shipped());
        let Some(Part::System(nvl72)) = catalog.get("gb200-nvl72") else { panic!("no gb200-nvl72") };
        let shelves = nvl72.power_shelves.as_ref().expect("shelves");
        assert_eq!((shelves.redundancy, shelves.count, shelves.usable()), (ShelfRedundancy::NPlusN, 8, 4));
        // A typo used to count every shelf as usable; now it is reported.
        let (_, diags) = load(shipped_with("system/gb200-nvl72.kdl", "redundancy=\"N+N\"", "redundancy=\"N+2\""));
        let codes: Vec<&str> = diags.iter().map(|d| d.code.code).collect();
        assert_eq!(codes, vec!["E0111"]);
    }

    fn codes_and_help(diags: &Diagnostics) -> Vec<(&str, Option<&str>)> {
        diags.iter().map(|d| (d.code.code, d.help.as_deref())).collect()
    }

    #[test]
    fn software_releases_have_a_typed_schema() {
        let (catalog, _) = load(shipped());
        let Some(Part::Software(vllm)) = catalog.get("vllm") else { panic!("no vllm") };
        let newest = vllm.releases.last().expect("a release");
        assert_eq!(newest.vendors, vec![Vendor::Nvidia, Vendor::Amd]);
        let llama = catalog.bind::<Model>("llama-3.1-70b").expect("llama");
        assert!(newest.models.contains(&llama));
        // A misspelt fact used to be kept under its own name and turn the CUDA driver rule off.
        let (_, diags) = load(shipped_with("software/cuda.kdl", "min-driver=\"570.26\"", "min-drver=\"570.26\""));
        assert_eq!(codes_and_help(&diags), vec![("E0103", Some("did you mean `min-driver`?"))]);
        // A model list naming a model the catalog lacks.
        let (_, diags) = load(shipped_with("software/vllm.kdl", "models=\"llama-2-70b ", "models=\"llama-2-7b "));
        assert_eq!(codes_and_help(&diags).first().map(|(c, _)| *c), Some("E0201"), "{:?}", codes_and_help(&diags));
        let (_, diags) = load(shipped_with("software/rocm.kdl", "gpus=\"mi300x\"", "gpus=\"mi300\""));
        assert!(diags.iter().all(|d| d.code.code == "E0201") && !diags.is_empty());
        let (_, diags) = load(shipped_with("software/sglang.kdl", "vendors=\"nvidia amd\"", "vendors=\"nvidia amdd\""));
        assert!(diags.iter().all(|d| d.code.code == "E0111") && !diags.is_empty());
        let (_, diags) = load(shipped_with("software/nvidia-driver.kdl", "supports \"hopper\"", "supports \"hoper\""));
        assert!(diags.iter().all(|d| d.code.code == "E0111") && !diags.is_empty());
    }

    #[test]
    fn models_have_a_typed_schema() {
        let (catalog, _) = load(shipped());
        let Some(Part::Model(r1)) = catalog.get("deepseek-r1") else { panic!("no deepseek-r1") };
        assert_eq!(
            r1.attention,
            Attention::Mla { heads: 128, kv_lora_rank: 512, rope_head_dim: 64, head_dim: 128, v_head_dim: Some(128) }
        );
        assert_eq!(r1.experts.map(|e| (e.total, e.active, e.shared)), Some((256, 8, 1)));
        assert_eq!(r1.mtp_layers, 1);
        assert!((r1.mtp_acceptance - 0.81).abs() < 1e-9);
        // A misspelt field used to be kept by name and read as 0 by the performance model.
        let (_, diags) = load(shipped_with("model/llama-3.1-8b.kdl", "vocab-size", "vocab-sise"));
        let found = codes_and_help(&diags);
        assert_eq!(found.first().map(|(c, _)| *c), Some("E0102"), "{found:?}");
        assert!(found.iter().any(|(c, _)| *c == "E0105"), "the real field is then missing: {found:?}");
        let (_, diags) = load(shipped_with("model/llama-3.1-8b.kdl", "kv-heads=8", "kv-head=8"));
        assert_eq!(codes_and_help(&diags), vec![("E0103", Some("did you mean `kv-heads`?"))]);
    }

    #[test]
    fn cables_are_their_own_kind_and_priced() {
        let (catalog, _) = load(shipped());
        let cable = catalog.get("mpo12-mmf-om4").expect("a cable");
        assert_eq!(cable.kind(), "cable");
        assert!(cable.is_priced(), "a blueprint may override a cable's price");
        assert!(catalog.transceivers().any(|t| t.id == "mpo12-mmf-om4" && t.is_cable));
        assert!(!catalog.get("h100-sxm").expect("a GPU").is_priced());
    }

    #[test]
    fn a_driver_prefix_completes_to_the_newest_build_it_matches() {
        let (catalog, _) = load(shipped());
        let driver = catalog.software("nvidia-driver").expect("the shipped catalog has the NVIDIA driver");
        let build = |v: &str| driver.release_for(v).and_then(|r| r.build_for(v));
        assert_eq!(build("580.95"), Some("580.95.05"));
        assert_eq!(build("580"), Some("580.105.08"));
        assert_eq!(build("580.105"), Some("580.105.08"));
        assert_eq!(build("580.95.05"), Some("580.95.05"));
        // 580.9 is not a prefix of 580.95.05: parts compare whole.
        assert_eq!(build("580.9"), None);
        assert_eq!(build("580.96"), None);
    }
}
