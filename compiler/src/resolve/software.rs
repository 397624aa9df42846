//! Resolution of the software blocks: each version bound to its catalog release (W0701 when the
//! catalog has no facts about it), and the top-level block merged with a site's own.

use super::*;

impl<'a> Resolver<'a, '_> {
    pub(super) fn version(&mut self, product_id: &str, v: &Spanned<String>, what: &str) -> VersionRef<'a> {
        let product = self.catalog.software(product_id);
        let release = product.and_then(|p| p.release_for(&v.value));
        if release.is_none() {
            let known: Vec<String> =
                product.map(|p| p.releases.iter().map(|r| r.version.value.clone()).collect()).unwrap_or_default();
            let mut d = Diagnostic::new(codes::W0701, format!("the catalog has no facts about {what} {}", v.value))
                .label(v.span, "unknown version; its compatibility is not checked");
            d = if known.is_empty() {
                d.help(format!("add it to `stdlib/software/{product_id}.kdl` with its compatibility facts"))
            } else {
                d.help(format!(
                    "known releases: {}; add it to `stdlib/software/{product_id}.kdl` if it is new",
                    known.join(", ")
                ))
            };
            self.diags.push(d);
        }
        VersionRef { version: v.clone(), product, release }
    }

    pub(super) fn software(
        &mut self,
        top: &ast::Software,
        site: Option<&ast::Software>,
        halls: &[Hall<'a>],
    ) -> EffectiveSoftware<'a> {
        let pick = |f: fn(&ast::Software) -> &Option<Spanned<String>>| {
            site.and_then(|s| f(s).clone()).or_else(|| f(top).clone())
        };
        let amd = halls
            .iter()
            .flat_map(|h| &h.rows)
            .flat_map(|r| &r.racks)
            .flat_map(|r| r.systems())
            .any(|(s, _)| self.catalog[s.gpu].vendor == crate::catalog::Vendor::Amd);
        let product = |node| software_product(node, amd);
        let driver = pick(|s| &s.driver).map(|v| self.version(product("driver"), &v, "NVIDIA driver"));
        let cuda = pick(|s| &s.cuda).map(|v| self.version(product("cuda"), &v, "CUDA"));
        let rocm = pick(|s| &s.rocm).map(|v| self.version(product("rocm"), &v, "ROCm"));
        let kubernetes = pick(|s| &s.kubernetes).map(|v| self.version(product("kubernetes"), &v, "Kubernetes"));
        let gpu_operator = pick(|s| &s.gpu_operator).map(|v| self.version(product("gpu-operator"), &v, "GPU Operator"));
        let dra_driver = pick(|s| &s.dra_driver).map(|v| self.version(product("dra-driver"), &v, "NVIDIA DRA driver"));
        let serving_src = match site {
            Some(s) if !s.serving.is_empty() => &s.serving,
            _ => &top.serving,
        };
        let serving = serving_src
            .iter()
            .map(|sv| ServingRef {
                engine: sv.engine.clone(),
                version: self.version(&sv.engine.value, &sv.version, &sv.engine.value),
                backend: sv.backend.clone(),
                span: sv.span,
            })
            .collect();
        EffectiveSoftware {
            os: pick(|s| &s.os),
            driver,
            cuda,
            rocm,
            kubernetes,
            gpu_operator,
            dra_driver,
            serving,
            span: site.and_then(|s| s.span).or(top.span),
        }
    }
}
