//! workload: accelerators, jobs and job files.

mod accelerators;
mod jobs;
mod memory;
mod workload_files;
