//! The pipeline driver: text in, diagnostics and analysis out. A `Session` owns the source map and
//! the catalog; `Session::analyze` runs parse → lower → resolve → checks for one blueprint.

use crate::ast;
use crate::catalog::Catalog;
use crate::diag::Diagnostics;
use crate::lower::read::Cx;
use crate::model::Factory;
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, Limits};

/// Everything one run of the compiler shares: sources (user files and catalog files) and the catalog.
pub struct Session {
    pub sources: SourceMap,
    pub catalog: Catalog,
    /// Problems in the catalog itself (a shipped catalog has none; a test keeps it so).
    pub catalog_diagnostics: Diagnostics,
    pub limits: Limits,
}

/// A blueprint after lowering: its file and its AST (absent when the file could not be parsed).
pub struct Lowered {
    pub file: FileId,
    pub blueprint: Option<ast::Blueprint>,
    pub diagnostics: Diagnostics,
}

impl Session {
    /// A session with the embedded catalog.
    pub fn new() -> Session {
        Session::with_catalog_files(crate::catalog::embedded_files())
    }

    /// A session with a catalog given as `(path inside stdlib, text)` files.
    pub fn with_catalog_files<S: AsRef<str>>(files: impl IntoIterator<Item = (String, S)>) -> Session {
        let mut sources = SourceMap::new();
        let mut catalog_diagnostics = Diagnostics::new();
        let catalog = Catalog::load(files, &mut sources, &mut catalog_diagnostics);
        Session { sources, catalog, catalog_diagnostics, limits: Limits::default() }
    }

    /// Adds a blueprint file (raw bytes, as read) and lowers it.
    pub fn lower(&mut self, name: &str, bytes: &[u8]) -> Lowered {
        let mut diagnostics = Diagnostics::new();
        let text = match syntax::decode(bytes) {
            Ok(text) => text,
            Err((lossy, offset)) => {
                let file = self.sources.add(name, lossy.as_str());
                diagnostics.push(syntax::not_text(file, &lossy, offset));
                return Lowered { file, blueprint: None, diagnostics };
            }
        };
        let file = self.sources.add(name, text.as_str());
        let Some(doc) = syntax::parse(file, &text, &self.limits, &mut diagnostics) else {
            return Lowered { file, blueprint: None, diagnostics };
        };
        let mut cx = Cx {
            file,
            text: &text,
            diags: &mut diagnostics,
            currency: None,
            currency_is_default: false,
            counts_rejected: 0,
        };
        let blueprint = crate::lower::blueprint::lower(&mut cx, &doc);
        Lowered { file, blueprint: Some(blueprint), diagnostics }
    }

    /// Lowers a blueprint file and starts its diagnostics with the catalog's own (none for the
    /// shipped catalog): what `plan`, `graph` and `build` analyse next.
    pub fn read(&mut self, name: &str, bytes: &[u8]) -> (Option<ast::Blueprint>, Diagnostics) {
        let lowered = self.lower(name, bytes);
        let mut diags = self.catalog_diagnostics.clone();
        diags.extend(lowered.diagnostics);
        (lowered.blueprint, diags)
    }

    /// Resolves and checks a lowered blueprint. Diagnostics are appended to `diags`.
    pub fn analyze<'a>(&'a self, blueprint: &ast::Blueprint, diags: &mut Diagnostics) -> Option<Analysis<'a>> {
        let factory = crate::resolve::resolve(blueprint, &self.catalog, diags)?;
        if factory.too_large {
            // Projections of an absurd factory would only produce absurd follow-on errors.
            return None;
        }
        let plan = crate::project::plan(&factory, &self.catalog);
        let graph = crate::graph::build(&factory, &plan, false);
        crate::checks::run(
            &crate::checks::CheckCtx { factory: &factory, plan: &plan, catalog: &self.catalog, graph: &graph },
            diags,
        );
        Some(Analysis { factory, plan })
    }

    /// Lowers, resolves and checks one file: all its diagnostics (catalog problems included).
    pub fn check(&mut self, name: &str, bytes: &[u8]) -> (FileId, Diagnostics) {
        let checked = self.check_keeping(name, bytes);
        (checked.file, checked.diagnostics)
    }

    /// As [`Session::check`], keeping the blueprint as written and the plan's figures (an editor
    /// answers hover and navigation from them).
    pub fn check_keeping(&mut self, name: &str, bytes: &[u8]) -> Checked {
        let lowered = self.lower(name, bytes);
        let mut diags = self.catalog_diagnostics.clone();
        diags.extend(lowered.diagnostics);
        let mut plan_view = None;
        if let Some(a) = lowered.blueprint.as_ref().and_then(|bp| self.analyze(bp, &mut diags)) {
            // What `plan` and `build` print must be finite (E1007); both views are aggregated.
            let plan = crate::render::plan::view(&a.factory, &a.plan);
            let cost = crate::render::quote::figures(&a.factory, &a.plan);
            let name = a.factory.name.span;
            if let Some(d) = crate::render::finite::check_plan_and_cost(&plan, &cost, &self.sources, name) {
                diags.push(d);
            }
            plan_view = Some(plan);
        }
        Checked { file: lowered.file, diagnostics: diags, blueprint: lowered.blueprint, plan: plan_view }
    }
}

/// One checked file with what was read and computed from it.
pub struct Checked {
    pub file: FileId,
    pub diagnostics: Diagnostics,
    /// The blueprint as written, when the file could be parsed.
    pub blueprint: Option<ast::Blueprint>,
    /// The plan's figures, when the blueprint resolved.
    pub plan: Option<crate::render::plan::PlanView>,
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

/// A resolved, checked factory with what the projections computed.
pub struct Analysis<'a> {
    pub factory: Factory<'a>,
    pub plan: crate::project::Plan,
}
