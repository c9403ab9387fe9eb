//! Training jobs: a model and its parallel layout become one iteration's
//! communication on a topology.
//!
//! - [`job`]: the validated job (model shape, parallelism, compute, overlap);
//! - [`placement`]: ranks → TP/CP/EP/DP/PP groups (Megatron order);

pub mod job;
pub mod placement;

pub use job::{Compute, Dim, Job, Model, Overlap, Parallelism};
