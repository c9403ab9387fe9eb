//! Training jobs: a model and its parallel layout become one iteration's
//! communication on a topology.
//!
//! - [`job`]: the validated job (model shape, parallelism, compute, overlap).

pub mod job;

pub use job::{Compute, Dim, Job, Model, Overlap, Parallelism};
