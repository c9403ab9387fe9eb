//! Collective operations on a fabric.
//!
//! A collective runs on a *communicator* (an ordered list of accelerators).
//! An algorithm turns `(operation, size S, communicator)` into a
//! [`Schedule`]: bulk-synchronous steps of point-to-point transfers, which
//! [`CollectiveSim`] runs on the flow engine so that concurrent transfers share
//! links max-min fairly.
//!
//! Sizes follow nccl-tests (docs/semantics.md): `S` is the buffer size for
//! all-reduce, broadcast and reduce; the total output for all-gather; the
//! total input for reduce-scatter; the send buffer per rank for all-to-all;
//! the message per rank for send-recv. Reported bandwidths follow nccl-tests'
//! PERFORMANCE.md: `algbw = S / t`, `busbw = algbw · factor` ([`Op::bus_factor`]).

// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod algorithms;
pub mod bound;
pub mod components;
pub mod hierarchical;
pub mod nvls;
pub mod presets;
pub mod pxn;
pub mod run;
pub mod schedule;
pub mod select;
pub mod sharp;
pub mod sim;
pub mod symmetry;
pub mod tree;

pub use schedule::{Schedule, Step, StepLatency, Transfer};
pub use sim::{CollectiveSim, Params, RunReport, StepReport, TierBusy};

use serde::Serialize;

/// A collective operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    AllReduce,
    AllGather,
    ReduceScatter,
    AllToAll,
    Broadcast,
    Reduce,
    SendRecv,
}

impl Op {
    pub const ALL: [Op; 7] = [
        Op::AllReduce,
        Op::AllGather,
        Op::ReduceScatter,
        Op::AllToAll,
        Op::Broadcast,
        Op::Reduce,
        Op::SendRecv,
    ];

    /// The name used on the command line and in JSON, e.g. `all-reduce`.
    pub fn name(self) -> &'static str {
        match self {
            Op::AllReduce => "all-reduce",
            Op::AllGather => "all-gather",
            Op::ReduceScatter => "reduce-scatter",
            Op::AllToAll => "all-to-all",
            Op::Broadcast => "broadcast",
            Op::Reduce => "reduce",
            Op::SendRecv => "send-recv",
        }
    }

    /// nccl-tests' bus-bandwidth factor for `n` ranks: `2(n−1)/n` for
    /// all-reduce; `(n−1)/n` for all-gather, reduce-scatter and all-to-all;
    /// 1 for broadcast, reduce and send-recv (nccl-tests doc/PERFORMANCE.md).
    pub fn bus_factor(self, n: usize) -> f64 {
        let n = n as f64;
        match self {
            Op::AllReduce => 2.0 * (n - 1.0) / n,
            Op::AllGather | Op::ReduceScatter | Op::AllToAll => (n - 1.0) / n,
            Op::Broadcast | Op::Reduce | Op::SendRecv => 1.0,
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Op {
    type Err = String;
    fn from_str(s: &str) -> Result<Op, String> {
        let names = Op::ALL.map(Op::name);
        Op::ALL
            .into_iter()
            .find(|o| o.name() == s)
            .ok_or_else(|| unknown("operation", s, &names))
    }
}

/// A collective algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algo {
    /// The fastest algorithm the fabric supports for this size.
    Auto,
    Ring,
    Tree,
    HalvingDoubling,
    Direct,
    Nvls,
    Hierarchical,
}

impl Algo {
    pub const ALL: [Algo; 7] = [
        Algo::Auto,
        Algo::Ring,
        Algo::Tree,
        Algo::HalvingDoubling,
        Algo::Direct,
        Algo::Nvls,
        Algo::Hierarchical,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Algo::Auto => "auto",
            Algo::Ring => "ring",
            Algo::Tree => "tree",
            Algo::HalvingDoubling => "halving-doubling",
            Algo::Direct => "direct",
            Algo::Nvls => "nvls",
            Algo::Hierarchical => "hierarchical",
        }
    }
}

impl std::fmt::Display for Algo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Algo {
    type Err = String;
    fn from_str(s: &str) -> Result<Algo, String> {
        let names = Algo::ALL.map(Algo::name);
        Algo::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| unknown("algorithm", s, &names))
    }
}

fn unknown(what: &str, s: &str, names: &[&str]) -> String {
    let hint = fabricsim_base::suggest::did_you_mean(s, names.iter().copied())
        .map(|m| format!("; did you mean \"{m}\"?"))
        .unwrap_or_default();
    format!(
        "unknown {what} \"{s}\"{hint} (expected one of: {})",
        names.join(", ")
    )
}

/// Why a collective cannot run as asked.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CollectiveError {
    #[error("a communicator needs at least 2 ranks, got {0}")]
    TooFewRanks(usize),
    #[error("{algo} cannot run {op}: {why}")]
    Unsupported { algo: Algo, op: Op, why: String },
    #[error("rank {rank} ({name}) appears twice in the communicator")]
    DuplicateRank { rank: usize, name: String },
    #[error(
        "{algo} {op} would need {transfers} point-to-point transfers, above the limit of {limit}; \
         use fewer ranks or another algorithm (ring, tree, hierarchical)"
    )]
    TooLarge {
        algo: Algo,
        op: Op,
        transfers: u128,
        limit: usize,
    },
    #[error("{0}")]
    Routing(#[from] fabricsim_routing::RoutingError),
    #[error("{0}")]
    Flow(#[from] fabricsim_flow::FlowError),
}
