//! workload: accelerators, jobs and job files.

mod accelerators;
mod jobs;
mod workload_files;
