//! The comparison view: both designs' plans side by side and what had to change, as
//! `millwright compare` prints it (and `--format json` serialises it).

use super::plan::PlanView;
use serde::Serialize;

/// The result of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub old: String,
    pub new: String,
    pub before: PlanView,
    pub after: PlanView,
    /// What had to change besides the swap, in words.
    pub changes: Vec<String>,
    /// Errors the adapted design still has (empty when it checks clean).
    pub remaining_errors: Vec<String>,
}
