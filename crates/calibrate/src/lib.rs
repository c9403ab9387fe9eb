//! Calibration of the collective model against measured nccl-tests and
//! rccl-tests logs: [`log`] reads the logs, [`fit`] fits the per-step latency
//! α and the achieved-bandwidth efficiency of the link technology a
//! collective is bound by, by least squares on the measured ramp. The result
//! is a `fabricsim_topology::overrides::Overrides`, written as a separate
//! file and applied in memory after a topology is loaded (a calibration never
//! edits a topology file). Method: `docs/calibration.md`.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod fit;
pub mod log;
