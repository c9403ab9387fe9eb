//! Training jobs: a model and its parallel layout become one iteration's
//! communication on a topology.
//!
//! - [`job`]: the validated job (model shape, parallelism, compute, overlap);
//! - [`placement`]: ranks → TP/CP/EP/DP/PP groups (Megatron order);
//! - [`traffic`]: the collectives of one iteration and their sizes (formulas);
//! - [`memory`]: bytes per accelerator (weights, gradients, optimizer, activations) against HBM;
//! - [`iteration`]: simulating them, all groups of a kind at once, and composing
//!   compute, bubble and exposed communication;
//! - [`spec`]: job files (`workloads/*.toml`) → [`Job`], every problem located.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod iteration;
pub mod job;
pub mod memory;
pub mod placement;
pub mod spec;
pub mod traffic;

pub use job::{
    Compute, Dim, Job, Model, Overlap, Parallelism, PipelineSchedule, Recompute, Training,
};
