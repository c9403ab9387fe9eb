//! How well fabricsim predicts published collective measurements.
//!
//! [`corpus`] reads `validation/measurements.toml` (systems split into
//! `fit` and `held_out`, each with measured points); [`predict()`] simulates
//! every point on the topology file that models its system; [`stats`] sums
//! the errors up per system and per split and checks the targets; [`render`]
//! prints the report as a terminal table or as Markdown (`docs/validation.md`).
//!
//! The error of a point is `simulated busbw / published busbw − 1`. When the
//! source printed a time, the published busbw is recomputed from it
//! (`busbw = S / t · factor(op, n)`), because nccl-tests rounds busbw to two
//! decimals (0.04 GB/s at 1 KiB is ±12%).

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod corpus;
pub mod predict;
pub mod render;
pub mod runs;
pub mod stats;

pub use corpus::{Corpus, CorpusError, Point, Split, System};
pub use predict::{Prediction, predict};
pub use stats::{Report, SizeClass, Summary, Target};
