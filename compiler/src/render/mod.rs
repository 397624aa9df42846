//! Rendering: serialisable views of what the compiler computed. These are the only types that
//! implement `Serialize`; the model and plan stay internal and free to change.

pub mod cost;
pub mod finite;
pub mod limits;
pub mod plan;
pub mod target;
pub mod view;
