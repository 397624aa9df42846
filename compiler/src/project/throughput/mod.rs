//! Token throughput and memory model (being written).
