//! The command line, sweeps, plots and examples, run as a user runs them.

mod cli_flows;
mod cli_jobs;
mod commands;
mod examples;
mod failure_outputs;
mod plots;
mod report;
mod set_flag;
mod sweep;
