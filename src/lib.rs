//! fabricsim: a flow-level interconnect fabric simulator.
//!
//! Pipeline: a topology file is parsed and validated into a [`topology::Topology`];
//! [`routing`] maps (source, destination) pairs onto equal-cost paths; the
//! [`flow`] engine shares link bandwidth max-min fairly, event by event, and
//! returns each flow's finish time; [`collective`] decomposes NCCL/RCCL
//! collectives into flows and [`workload`] a training iteration into
//! collectives and compute.
//!
//! This crate is a facade over the workspace's crates (one per layer; see
//! `ARCHITECTURE.md`): each module below is one of them.

pub use fabricsim_base::{diag, limits, rng, suggest, units};
pub use fabricsim_calibrate as calibrate;
pub use fabricsim_collective as collective;
pub use fabricsim_collective::select;
pub use fabricsim_flow as flow;
pub use fabricsim_plot as plot;
pub use fabricsim_report::{info, plot_data};
pub use fabricsim_routing as routing;
pub use fabricsim_scenario as scenario;
pub use fabricsim_scenario::synthetic;
pub use fabricsim_sweep as sweep;
pub use fabricsim_topology as topology;
pub use fabricsim_workload as workload;
