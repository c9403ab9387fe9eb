//! fabricsim: a flow-level interconnect fabric simulator for AI clusters.
//!
//! Pipeline: a topology file is parsed and validated into a [`topology::Topology`];
//! [`routing`] maps (source, destination) pairs onto equal-cost paths; the
//! [`flow`] engine shares link bandwidth max-min fairly, event by event, and
//! returns each flow's finish time; [`collective`] decomposes NCCL/RCCL
//! collectives into flows and [`workload`] a training iteration into
//! collectives and compute.
//!
//! This crate is a facade over the workspace's crates, one per layer (see
//! `ARCHITECTURE.md`); each module below is one of them. Build with
//! `default-features = false` to leave out the command line (clap,
//! indicatif, signal-hook).
//!
//! # Example
//!
//! A 1 GiB ring all-reduce on the shipped HGX H100 board: busbw in GB/s (1e9
//! bytes/s, as nccl-tests prints it) and the most utilized link.
//!
//! ```
//! use fabricsim::collective::run::{Request, run};
//! use fabricsim::collective::sim::{CollectiveSim, Params};
//! use fabricsim::collective::{Algo, Op};
//! use fabricsim::topology::{LoadOptions, Topology};
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/hgx-h100.toml");
//! let topo = Topology::load(path, &LoadOptions::default()).map_err(|d| d.render())?;
//! let mut sim = CollectiveSim::new(&topo, Params::default());
//! let request = Request::new(Op::AllReduce, (1u64 << 30) as f64).algo(Algo::Ring);
//! let outcome = run(&mut sim, &topo.accelerators, &request)?;
//!
//! // A ring moves busbw through each GPU's 450 GB/s of NVLink: it cannot exceed that.
//! assert!(outcome.busbw_gbps > 100.0 && outcome.busbw_gbps <= 450.0);
//! assert!(outcome.time_s >= outcome.bound_s);
//! let bottleneck = outcome.bottleneck.expect("a 1 GiB run loads some link");
//! println!("{} {:.0} GB/s, bottleneck {}", outcome.algorithm, outcome.busbw_gbps, bottleneck.link);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use fabricsim_base::{diag, limits, rng, spanned, suggest, units};
pub use fabricsim_calibrate as calibrate;
pub use fabricsim_collective as collective;
pub use fabricsim_collective::select;
pub use fabricsim_energy as energy;
pub use fabricsim_flow as flow;
pub use fabricsim_plot as plot;
pub use fabricsim_report::{info, plot_data};
pub use fabricsim_routing as routing;
pub use fabricsim_scenario as scenario;
pub use fabricsim_scenario::synthetic;
pub use fabricsim_sweep as sweep;
pub use fabricsim_topology as topology;
pub use fabricsim_validate as validate;
pub use fabricsim_workload as workload;
