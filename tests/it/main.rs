//! The integration tests: one binary, one folder per layer they exercise
//! (each folder's `mod.rs` lists its files). Shared helpers are in `common`
//! (run the binary, load shipped files).

mod common;

// The crate graph and module circles.
mod architecture;

mod base;
mod cli;
mod collective;
mod energy;
mod flow;
mod topology;
mod validation;
mod workload;
