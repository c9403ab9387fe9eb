//! The ground floor of fabricsim: quantities with units, resource limits and
//! the one reader of input files, located diagnostics, name suggestions and
//! deterministic random numbers.
//!
//! Every other crate of the workspace may depend on this one; it depends on
//! none of them. No file is read anywhere else in the library: topology, job,
//! sweep and calibration files all go through [`limits::read_text`], which
//! refuses an input larger than its limit before reading it.

// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]
#![warn(missing_docs)]

pub mod diag;
pub mod exact_sum;
pub mod limits;
pub mod rng;
pub mod spanned;
pub mod suggest;
pub mod units;
