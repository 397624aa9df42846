//! Projections: what a factory produces, computed from resolved parts.

pub mod throughput;
