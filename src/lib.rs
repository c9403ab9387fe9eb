//! fabricsim: a flow-level interconnect fabric simulator.
//!
//! Pipeline: a topology file is parsed and validated into a [`topology::Topology`];
//! [`routing`] maps (source, destination) pairs onto equal-cost paths; the
//! [`flow`] engine shares link bandwidth max-min fairly, event by event, and
//! returns each flow's finish time.

pub mod calibrate;
pub mod collective;
pub mod flow;
pub mod info;
pub mod limits;
pub mod plot;
pub mod routing;
pub mod scenario;
pub mod select;
pub mod suggest;
pub mod sweep;
pub mod synthetic;
pub mod topology;
pub mod units;
pub mod workload;
