//! Millwright: a compiler for AI-factory blueprints.
//!
//! The pipeline, in the order data flows: `syntax` (KDL text to a checked tree) → `lower` (tree to
//! typed blueprint) → `resolve` (names and catalog parts) → `graph` → `checks` → `project` → `render`.
//! The library does no I/O: the `millwright` binary reads files and hands their text in.

pub mod ast;
pub mod catalog;
pub mod checks;
pub mod compile;
pub mod diag;
pub mod docs;
pub mod fmt;
pub mod lower;
pub mod model;
pub mod names;
pub mod project;
pub mod resolve;
pub mod source;
pub mod syntax;
pub mod units;

pub use compile::{Analysis, Session};
pub mod compare;
pub mod graph;
pub mod render;
