//! Lowering: from the KDL tree to typed structures with spans. `read` is the toolkit;
//! `blueprint` lowers a user's factory to `ast::Blueprint`. The catalog uses the same toolkit.

pub mod blueprint;
pub mod read;
