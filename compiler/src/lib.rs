//! Millwright: a compiler for AI-factory blueprints.
//!
//! The modules are listed in the order data flows (ARCHITECTURE.md; `tests/architecture.rs` keeps
//! every module from using a later one): the foundation every stage shares, then `syntax` (KDL text
//! to Millwright's own tree) → `lower` (tree to the typed blueprint, with the catalog decoded by the
//! same toolkit) → `resolve` (names and catalog parts bound to typed ids) → `project` and `names`
//! (the numbers and the emitted names) → `graph` → `checks` → `render` (views and targets), driven
//! by `compile`. The library does no I/O: the `millwright` binary reads files and hands their text in.

// Foundation: spans, diagnostics and their pages, unit newtypes and their text forms.
pub mod diag;
pub mod docs;
pub mod format;
pub mod source;
pub mod units;

// Front end.
pub mod syntax;
pub mod lower;
pub mod catalog;
pub mod ast;

// Resolution.
pub mod resolve;
pub mod model;

// Projections, emitted names, the constraint graph and the design rules.
pub mod project;
pub mod names;
pub mod graph;
pub mod checks;

// Output.
pub mod render;
pub mod fmt;

// Drivers.
pub mod compile;
pub mod compare;

// Editor support, above the driver.
pub mod ide;

pub use compile::{Analysis, Session};
