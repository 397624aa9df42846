//! Rendering: serialisable views of what the compiler computed. These are the only types that
//! implement `Serialize`; the model and plan stay internal and free to change.

pub mod charts;
pub mod compare;
pub mod finite;
pub mod floor_plan;
pub mod frontier;
pub mod limits;
pub mod plan;
pub mod quote;
pub mod quote_text;
pub mod target;
pub mod view;
