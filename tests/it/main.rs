//! The integration tests: one binary, grouped by the layer they exercise.
//! Shared helpers: `cli` (run the binary: `fabricsim`, `stdout`, `stderr`).

// Architecture: the crate graph.
mod architecture;

// base: units, limits, bad inputs, safe output.
mod corpus;
mod fuzz_regressions;
mod hardening;
mod safe_output;
mod units;

// flow: the max-min engine and its budgets.
mod budget;
mod flow_props;
mod flows;

// topology: files, blocks, failures, shipped fabrics.
mod block_equivalence;
mod failures;
mod info_golden;
mod shipped;
mod shipped_blocks;
mod topology;
mod topology_blocks;

// collective: algorithms, closed forms, properties.
mod collective_algos;
mod collective_props;
mod collectives;
mod mesh_rings;
mod nccl_tuning;
mod numeric_props;
mod protocols;
mod pxn;
mod routing_fidelity;
mod staged;
mod symmetry;

// workload: jobs and job files.
mod accelerators;
mod jobs;
mod memory;
mod workload_files;

// calibrate and validate: fits, fit checks, the model-error report.
mod calibrate;
mod fit_checks;
mod validate_model;

// plot, sweep, cli and examples, run as a user runs them.
mod cli;
mod cli_flows;
mod cli_jobs;
mod examples;
mod plots;
mod set_flag;
mod sweep;
