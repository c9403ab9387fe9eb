//! Reports over the simulator's result types: [`info`] (what a topology is:
//! counts, injection bandwidth per tier, bisection, diameter) and
//! [`plot_data`] (the chart inputs of `fabricsim_plot` built from collective
//! and job reports).

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod info;
pub mod plot_data;
