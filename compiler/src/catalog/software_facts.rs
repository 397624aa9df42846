//! How a software product is deployed: the container images it publishes and, for a serving layer
//! over several backends, the backend it runs when the blueprint names none; for the serving
//! engine a blueprint gets when its software block names none, the `default-engine` mark. These
//! are catalog facts (with sources in each `stdlib/software/*.kdl`) so that the build view makes
//! no product decisions of its own.
//!
//! ```kdl
//! image "vllm/vllm-openai:v{version}" gpus="nvidia"
//! image "lmsysorg/sglang:v{version}-rocm700-mi35x" gpus="amd" architecture="cdna4"
//! image "nvcr.io/nvidia/ai-dynamo/vllm-runtime:{version}" backend="vllm" amd64-through="0.6.0"
//! default-backend "trtllm" gpus="nvidia"
//! default-engine #true
//! ```

use super::fields::{opt_prop, Fields};
use crate::diag::{codes, Diagnostic};
use crate::lower::read::{self, Cx, NodeReader};

/// One published image: the reference with `{version}` where the release goes, and the
/// conditions it is for (absent: any).
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub reference: String,
    /// The GPU vendor (`nvidia`, `amd`).
    pub gpus: Option<String>,
    /// The GPU architecture (`cdna4`, `hopper`, …).
    pub architecture: Option<String>,
    /// The backend a serving layer runs (`vllm`, `sglang`, `trtllm`).
    pub backend: Option<String>,
    /// The last release published for amd64 only (`amd64-through="0.6.0"`): those releases have no
    /// arm64 image and cannot start on Grace hosts. Absent: no amd64-only release is known.
    pub amd64_through: Option<String>,
}

/// The backend a serving layer runs on a GPU vendor's systems when the blueprint names none.
#[derive(Clone, Debug, Default)]
pub struct DefaultBackend {
    pub backend: String,
    pub gpus: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Deployment {
    /// In file order: the first image whose conditions hold is the one used.
    pub images: Vec<Image>,
    /// In file order, like `images`.
    pub default_backends: Vec<DefaultBackend>,
    /// The engine a blueprint without a `serving` line is served with.
    pub default_engine: bool,
    /// The serving layer deploys separate prefill and decode workers with KV-cache transfer
    /// (`disaggregated-serving #true`), which the kubernetes target then writes.
    pub disaggregated_serving: bool,
}

/// The nodes this module reads, for the software decoder's list of known fields.
pub const SINGLE: &[&str] = &["default-engine", "disaggregated-serving"];
pub const MULTI: &[&str] = &["image", "default-backend"];

pub fn decode(cx: &mut Cx, f: &Fields) -> Deployment {
    let mut out = Deployment {
        default_engine: f.boolean(cx, "default-engine").map(|b| b.value).unwrap_or(false),
        disaggregated_serving: f.boolean(cx, "disaggregated-serving").map(|b| b.value).unwrap_or(false),
        ..Deployment::default()
    };
    for n in f.all("image") {
        let mut r = NodeReader::new(n);
        let example = "image \"vllm/vllm-openai:v{version}\" gpus=\"nvidia\"";
        let reference =
            r.required_arg(cx, 0, "an image reference", example).and_then(|e| read::string(cx, e, "the image"));
        let gpus = opt_prop(cx, &mut r, "gpus", |cx, e| read::string(cx, e, "the GPU vendor"));
        let architecture = opt_prop(cx, &mut r, "architecture", |cx, e| read::string(cx, e, "the architecture"));
        let backend = opt_prop(cx, &mut r, "backend", |cx, e| read::string(cx, e, "the backend"));
        let amd64_through =
            opt_prop(cx, &mut r, "amd64-through", |cx, e| read::string(cx, e, "the last amd64-only release"));
        r.finish(cx);
        let Some(reference) = reference else { continue };
        if !reference.value.contains("{version}") {
            cx.emit(
                Diagnostic::new(codes::E0111, format!("image `{}` has no `{{version}}`", reference.value))
                    .label(reference.span, "the release version goes here")
                    .help("write where the release goes, like `vllm/vllm-openai:v{version}`"),
            );
            continue;
        }
        out.images.push(Image {
            reference: reference.value,
            gpus: gpus.map(|s| s.value),
            architecture: architecture.map(|s| s.value),
            backend: backend.map(|s| s.value),
            amd64_through: amd64_through.map(|s| s.value),
        });
    }
    for n in f.all("default-backend") {
        let mut r = NodeReader::new(n);
        let backend = r
            .required_arg(cx, 0, "a backend", "default-backend \"vllm\"")
            .and_then(|e| read::string(cx, e, "the backend"));
        let gpus = opt_prop(cx, &mut r, "gpus", |cx, e| read::string(cx, e, "the GPU vendor"));
        r.finish(cx);
        if let Some(b) = backend {
            out.default_backends.push(DefaultBackend { backend: b.value, gpus: gpus.map(|s| s.value) });
        }
    }
    out
}

impl Deployment {
    /// The image for `version` on `vendor`'s GPUs of `architecture`, running `backend`.
    pub fn image(&self, version: &str, vendor: &str, architecture: &str, backend: &str) -> Option<String> {
        self.image_entry(vendor, architecture, backend).map(|i| i.reference.replace("{version}", version))
    }

    /// The catalog's image line for `vendor`'s GPUs of `architecture`, running `backend`.
    pub fn image_entry(&self, vendor: &str, architecture: &str, backend: &str) -> Option<&Image> {
        let holds = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        self.images
            .iter()
            .find(|i| holds(&i.gpus, vendor) && holds(&i.architecture, architecture) && holds(&i.backend, backend))
    }

    /// The backend a serving line runs: the one it names, else the product's default on `vendor`'s
    /// GPUs, else the engine itself (an engine is its own backend).
    pub fn backend(&self, named: Option<&str>, vendor: &str, engine: &str) -> String {
        named.or_else(|| self.default_backend(vendor)).unwrap_or(engine).to_string()
    }

    /// The backend run on `vendor`'s GPUs when the blueprint names none.
    pub fn default_backend(&self, vendor: &str) -> Option<&str> {
        self.default_backends.iter().find(|b| b.gpus.as_deref().is_none_or(|g| g == vendor)).map(|b| b.backend.as_str())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_catalog_names_each_engines_images() {
        let session = crate::Session::new();
        let image = |engine: &str, vendor: &str, arch: &str, backend: &str| {
            session.catalog.software(engine).and_then(|s| s.deployment.image("1.0", vendor, arch, backend))
        };
        assert_eq!(image("sglang", "amd", "cdna4", "sglang").as_deref(), Some("lmsysorg/sglang:v1.0-rocm700-mi35x"));
        assert_eq!(image("sglang", "amd", "cdna3", "sglang").as_deref(), Some("lmsysorg/sglang:v1.0-rocm700-mi30x"));
        assert_eq!(image("vllm", "nvidia", "hopper", "vllm").as_deref(), Some("vllm/vllm-openai:v1.0"));
        assert_eq!(
            image("dynamo", "nvidia", "blackwell", "trtllm").as_deref(),
            Some("nvcr.io/nvidia/ai-dynamo/tensorrtllm-runtime:1.0")
        );
        let dynamo = session.catalog.software("dynamo").map(|s| &s.deployment);
        assert_eq!(dynamo.and_then(|d| d.default_backend("nvidia")), Some("trtllm"));
        assert_eq!(dynamo.and_then(|d| d.default_backend("amd")), Some("vllm"));
        let defaults: Vec<&str> = session
            .catalog
            .ids_of_kind("software")
            .filter(|id| session.catalog.software(id).is_some_and(|s| s.deployment.default_engine))
            .collect();
        assert_eq!(defaults, ["vllm"], "exactly one default engine");
    }
}
