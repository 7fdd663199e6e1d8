//! Benchmarks only: see `pipeline.rs` and `linking.rs`.
