//! The `software` part: a product and the compatibility facts of its releases.

use super::{opt_prop, req_prop};
use super::{Architecture, Catalog, Fields, Vendor};
use crate::catalog::{GpuId, Id, ModelId, Referable};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader, Spanned};
use crate::source::Span;
use crate::syntax::tree::Node;

/// Where a release stands in its vendor's support life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseStatus {
    Supported,
    Maintenance,
    Eol,
}

impl ReleaseStatus {
    pub const CHOICES: &'static [&'static str] = &["supported", "maintenance", "eol"];

    fn parse(s: &str) -> Option<ReleaseStatus> {
        Some(match s {
            "supported" => ReleaseStatus::Supported,
            "maintenance" => ReleaseStatus::Maintenance,
            "eol" => ReleaseStatus::Eol,
            _ => return None,
        })
    }
}

/// The `resource.k8s.io` API version a Kubernetes release serves by default for DRA objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraApi {
    V1beta1,
    V1beta2,
    V1,
}

impl DraApi {
    pub const CHOICES: &'static [&'static str] = &["v1beta1", "v1beta2", "v1"];

    fn parse(s: &str) -> Option<DraApi> {
        Some(match s {
            "v1beta1" => DraApi::V1beta1,
            "v1beta2" => DraApi::V1beta2,
            "v1" => DraApi::V1,
            _ => return None,
        })
    }

    /// The `resource.k8s.io` version, as the API server serves it.
    pub fn as_str(self) -> &'static str {
        match self {
            DraApi::V1beta1 => "v1beta1",
            DraApi::V1beta2 => "v1beta2",
            DraApi::V1 => "v1",
        }
    }
}

/// Dynamic Resource Allocation in a Kubernetes release: absent (or alpha only), a beta that is off
/// by default, or generally available and on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraState {
    Off,
    Beta,
    Ga,
}

impl DraState {
    pub const CHOICES: &'static [&'static str] = &["off", "beta", "ga"];

    fn parse(s: &str) -> Option<DraState> {
        Some(match s {
            "off" => DraState::Off,
            "beta" => DraState::Beta,
            "ga" => DraState::Ga,
            _ => return None,
        })
    }
}

/// One release of a software product and its compatibility facts; a fact the release does not
/// state is `None` or empty, and the rule that needs it stays quiet.
#[derive(Clone, Debug)]
pub struct SoftwareRelease {
    pub version: Spanned<String>,
    pub date: Option<String>,
    pub status: Option<ReleaseStatus>,
    /// The driver a CUDA toolkit needs for its full feature set.
    pub min_driver: Option<String>,
    /// The oldest driver that runs the toolkit under minor-version compatibility.
    pub compat_driver: Option<String>,
    /// The first build of a driver branch whose IMEX service (shipped with the driver, same
    /// version) serves DRA ComputeDomains; `None` when the branch serves none.
    pub compute_domains: Option<String>,
    /// The Kubernetes range a GPU operator release is validated for (a DRA driver's floor).
    pub kubernetes_min: Option<String>,
    pub kubernetes_max: Option<String>,
    /// The NCCL a serving engine release runs with (the version its PyTorch pins, or its image
    /// installs), where a source gives one.
    pub nccl: Option<String>,
    /// DRA in a Kubernetes release.
    pub dra: Option<DraState>,
    /// The `resource.k8s.io` version a Kubernetes release serves by default.
    pub dra_api: Option<DraApi>,
    /// The GPU vendors a serving engine runs on.
    pub vendors: Vec<Vendor>,
    /// The GPUs a platform release supports (ROCm), bound to the catalog's parts.
    pub gpus: Vec<GpuId>,
    /// The catalog models a serving engine release serves, bound to the catalog's parts.
    pub models: Vec<ModelId>,
    /// `supports ARCH min=VERSION` lines: the first version supporting each architecture.
    pub supports: Vec<(Architecture, String)>,
    /// `build VERSION` lines: the full versions of a release the catalog knows (a driver branch's
    /// `580.95.05`), so that a prefix a blueprint writes can be completed to one that exists.
    pub builds: Vec<String>,
}

impl SoftwareRelease {
    /// The first version of this release that supports `arch`, if it supports it.
    pub fn min_for(&self, arch: Architecture) -> Option<&str> {
        self.supports.iter().find(|(a, _)| *a == arch).map(|(_, m)| m.as_str())
    }

    /// The newest build of this release that `version` is a prefix of (`580.95` → `580.95.05`,
    /// `580` → the branch's newest); `None` when no build starts with it.
    pub fn build_for(&self, version: &str) -> Option<&str> {
        let v = crate::catalog::version_parts(version);
        if v.is_empty() {
            return None;
        }
        self.builds
            .iter()
            .filter(|b| {
                let parts = crate::catalog::version_parts(b);
                parts.len() >= v.len() && parts.get(..v.len()) == Some(v.as_slice())
            })
            .max_by(|a, b| crate::catalog::version_cmp(a, b))
            .map(String::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct Software {
    pub id: String,
    pub name: String,
    pub engine: Option<String>,
    pub releases: Vec<SoftwareRelease>,
    /// Images, default backends and the default-engine mark (`catalog::software_facts`).
    pub deployment: crate::catalog::software_facts::Deployment,
    pub span: Span,
}

/// Decodes a `software` part: a product and its releases.
pub(super) fn decode(cx: &mut Cx, node: &Node, id: &str, catalog: &Catalog) -> Option<Software> {
    use crate::catalog::software_facts as deployment;
    let single = [&["name", "engine", "vendor"], deployment::SINGLE].concat();
    let multi = [&["release"], deployment::MULTI].concat();
    let f = Fields::new(cx, node, "software", &single, &multi);
    let deployment = deployment::decode(cx, &f);
    let name = f.req_string(cx, "name", "name \"…\"");
    let engine = f.string(cx, "engine", "engine \"vllm\"").map(|s| s.value);
    let _ = f.string(cx, "vendor", "vendor \"nvidia\"");
    let mut releases = Vec::new();
    for n in f.all("release") {
        if let Some(release) = release(cx, n, catalog) {
            releases.push(release);
        }
    }
    Some(Software {
        id: id.to_string(),
        name: name?.value,
        engine,
        releases,
        deployment,
        span: cx.node_head_span(node),
    })
}

/// Decodes one `release "VERSION" key=value … { supports … }` line of a software part.
fn release(cx: &mut Cx, n: &Node, catalog: &Catalog) -> Option<SoftwareRelease> {
    let mut r = NodeReader::new(n);
    let example = "release \"1.0\" date=\"2025-06\"";
    let version = r.required_arg(cx, 0, "a version", example).and_then(|e| read::name(cx, e, "the release version"));
    let text = |cx: &mut Cx, r: &mut NodeReader, key: &'static str| {
        opt_prop(cx, r, key, |cx, e| read::string(cx, e, &format!("`{key}`")))
    };
    let date = text(cx, &mut r, "date").map(|s| s.value);
    let min_driver = text(cx, &mut r, "min-driver").map(|s| s.value);
    let compat_driver = text(cx, &mut r, "compat-driver").map(|s| s.value);
    let compute_domains = text(cx, &mut r, "compute-domains").map(|s| s.value);
    let kubernetes_min = text(cx, &mut r, "kubernetes-min").map(|s| s.value);
    let kubernetes_max = text(cx, &mut r, "kubernetes-max").map(|s| s.value);
    let nccl = text(cx, &mut r, "nccl").map(|s| s.value);
    let status =
        opt_prop(cx, &mut r, "status", |cx, e| read::choice(cx, e, "the support status", ReleaseStatus::CHOICES))
            .and_then(|c| ReleaseStatus::parse(c.value));
    let dra = opt_prop(cx, &mut r, "dra", |cx, e| read::choice(cx, e, "the DRA state", DraState::CHOICES))
        .and_then(|c| DraState::parse(c.value));
    let dra_api = opt_prop(cx, &mut r, "dra-api", |cx, e| read::choice(cx, e, "the DRA API version", DraApi::CHOICES))
        .and_then(|c| DraApi::parse(c.value));
    let vendors = words(cx, &mut r, "vendors")
        .into_iter()
        .filter_map(|(w, span)| match w.as_str() {
            "nvidia" => Some(Vendor::Nvidia),
            "amd" => Some(Vendor::Amd),
            _ => {
                let help = match crate::diag::did_you_mean(&w, ["nvidia", "amd"]) {
                    Some(h) => format!("{h} vendors are \"nvidia\" and \"amd\""),
                    None => "vendors are \"nvidia\" and \"amd\"".to_string(),
                };
                cx.emit(
                    Diagnostic::new(codes::E0111, format!("GPU vendor \"{w}\" is not one of \"nvidia\", \"amd\""))
                        .label(span, "not an allowed value")
                        .help(help),
                );
                None
            }
        })
        .collect();
    let gpus =
        words(cx, &mut r, "gpus").into_iter().filter_map(|(w, span)| bind(cx, catalog, "GPU", &w, span)).collect();
    let models =
        words(cx, &mut r, "models").into_iter().filter_map(|(w, span)| bind(cx, catalog, "model", &w, span)).collect();
    r.finish(cx);
    let mut supports = Vec::new();
    let mut builds = Vec::new();
    for c in n.children().map(|d| d.nodes()).unwrap_or(&[]) {
        if c.name().value() == "build" {
            let mut r = NodeReader::new(c);
            let build = r
                .required_arg(cx, 0, "a full version", "build \"580.95.05\"")
                .and_then(|e| read::name(cx, e, "the build version"));
            let _ = text(cx, &mut r, "date");
            r.finish(cx);
            if let Some(b) = build {
                builds.push(b.value);
            }
            continue;
        }
        if c.name().value() != "supports" {
            read::unknown_child(cx, "release", c, &["supports", "build"]);
            continue;
        }
        let mut r = NodeReader::new(c);
        let example = "supports \"blackwell\" min=\"570.133.20\"";
        let arch = r
            .required_arg(cx, 0, "an architecture", example)
            .and_then(|e| read::choice(cx, e, "the architecture", Architecture::CHOICES))
            .and_then(|c| Architecture::parse(c.value));
        let min = req_prop(cx, &mut r, "min", example, |cx, e| read::string(cx, e, "the minimum version"));
        r.finish(cx);
        if let (Some(a), Some(m)) = (arch, min) {
            supports.push((a, m.value));
        }
    }
    Some(SoftwareRelease {
        version: version?,
        date,
        status,
        min_driver,
        compat_driver,
        compute_domains,
        kubernetes_min,
        kubernetes_max,
        nccl,
        dra,
        dra_api,
        vendors,
        gpus,
        models,
        supports,
        builds,
    })
}

/// A space-separated list property (`models="llama-3.1-8b llama-3.1-70b"`): its words, each with
/// the span of the whole value.
fn words(cx: &mut Cx, r: &mut NodeReader, key: &'static str) -> Vec<(String, Span)> {
    let Some(list) = opt_prop(cx, r, key, |cx, e| read::string(cx, e, &format!("`{key}`"))) else { return Vec::new() };
    list.value.split_whitespace().map(|w| (w.to_string(), list.span)).collect()
}

/// Binds a part id a release names; E0201 when the catalog has no such part of that kind.
fn bind<T: Referable>(cx: &mut Cx, catalog: &Catalog, what: &str, id: &str, span: Span) -> Option<Id<T>> {
    let bound = catalog.bind::<T>(id);
    if bound.is_none() {
        let mut d =
            Diagnostic::new(codes::E0201, format!("this release names {what} `{id}`, which the catalog does not have"))
                .label(span, format!("unknown {what}"));
        d = match crate::diag::did_you_mean(id, catalog.ids_of_kind(T::KIND)) {
            Some(h) => d.help(h),
            None => d.help(format!("add it as `stdlib/{}/{id}.kdl`, or remove it from the list", T::KIND)),
        };
        cx.emit(d);
    }
    bound
}
