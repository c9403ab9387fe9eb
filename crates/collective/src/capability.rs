//! In-network capabilities a communicator can use, and why not:
//!
//! - **SHARP**: in-network reduction across scale-up domains on the
//!   scale-out switches (every rail needs an aggregation tree of reducing
//!   switches, [`crate::sharp`]); hierarchical all-reduce uses it.
//! - **NVLS**: in-switch reduction inside each scale-up domain (every
//!   domain of two or more ranks needs a reducing switch linked to all its
//!   ranks, [`crate::nvls`]).
//!
//! A run with failures compares them with the intact fabric's to say what
//! the failures took away, and why.

use crate::Op;
use crate::hierarchical::{hierarchy, rail_trees, rails};
use fabricsim_topology::{NodeId, Topology};

/// A capability that algorithms rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Capability {
    /// In-network reduction across domains on the scale-out switches.
    #[serde(rename = "SHARP")]
    Sharp,
    /// In-switch reduction inside every scale-up domain.
    #[serde(rename = "NVLS")]
    Nvls,
}

impl Capability {
    /// Every capability, in a fixed order.
    pub const ALL: [Capability; 2] = [Capability::Sharp, Capability::Nvls];

    /// The name users know it by.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Sharp => "SHARP",
            Capability::Nvls => "NVLS",
        }
    }
}

/// Why `ranks` cannot use `cap` on `topo`; `None` when they can.
pub fn unavailable(topo: &Topology, ranks: &[NodeId], cap: Capability) -> Option<String> {
    match cap {
        Capability::Sharp => match hierarchy(topo, Op::AllReduce, ranks) {
            Err(e) => Some(e.to_string()),
            Ok(doms) => rail_trees(topo, &rails(&doms)).err(),
        },
        Capability::Nvls => {
            let doms = topo.domains_of(ranks);
            if doms.iter().all(|d| d.len() < 2) {
                return Some("no scale-up domain holds two ranks".to_string());
            }
            doms.iter()
                .filter(|d| d.len() > 1)
                .find_map(|d| crate::nvls::plan(topo, d).err())
                .map(|e| e.to_string())
        }
    }
}

/// The capabilities `ranks` have on `intact` and lost on `failed` (the same
/// fabric with failures: node ids agree), each with the reason on `failed`.
pub fn lost(intact: &Topology, failed: &Topology, ranks: &[NodeId]) -> Vec<(Capability, String)> {
    Capability::ALL
        .into_iter()
        .filter(|&c| unavailable(intact, ranks, c).is_none())
        .filter_map(|c| unavailable(failed, ranks, c).map(|why| (c, why)))
        .collect()
}
