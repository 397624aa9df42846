//! The design rules. Each check is one file with one job: a read-only pass over the resolved
//! factory and the plan that reports diagnostics of its own codes. This list is the registry; the
//! tidy tests keep it in step with the files of this folder and with `diag::codes`.

use crate::catalog::Catalog;
use crate::diag::Diagnostics;
use crate::model::Factory;
use crate::project::Plan;

/// What a check may read.
pub struct CheckCtx<'a, 'c> {
    pub factory: &'a Factory<'c>,
    pub plan: &'a Plan,
    pub catalog: &'c Catalog,
}

/// A check: its module name (the file), the codes it emits, and its pass.
pub struct Check {
    pub name: &'static str,
    pub codes: &'static [&'static str],
    pub run: fn(&CheckCtx, &mut Diagnostics),
}

/// Every check, in the order they run (the output is sorted afterwards).
pub const CHECKS: &[Check] = &[];

/// Runs every check.
pub fn run(cx: &CheckCtx, diags: &mut Diagnostics) {
    for check in CHECKS {
        (check.run)(cx, diags);
    }
}
