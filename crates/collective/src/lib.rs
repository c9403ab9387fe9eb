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
//! the message per rank for send-recv. Reported bandwidths follow nccl-tests
//! (docs/sources.md [S-nccl-tests-perf]): `algbw = S / t`, `busbw = algbw · factor` ([`Op::bus_factor`]).

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod algorithms;
pub mod bound;
pub mod capability;
pub mod components;
pub mod hierarchical;
pub mod mesh;
pub mod nvls;
pub mod pat;
mod planes;
pub mod presets;
pub mod pxn;
mod rails;
pub mod release;
pub mod route_estimate;
pub mod run;
pub mod schedule;
pub mod select;
pub mod sharp;
pub mod sim;
pub mod symmetry;
pub mod transfers;
pub mod tree;
pub mod tuning;

pub use run::default_protocols;
pub use schedule::{Phase, Schedule, Step, StepLatency, Transfer};
pub use sim::{CollectiveSim, Params, RunReport, StepReport, TierBusy};
pub use transfers::Transfers;

use serde::Serialize;

/// A collective operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Every rank ends with the reduction of all ranks' buffers of `S` bytes.
    AllReduce,
    /// Every rank ends with all ranks' shares; `S` is the total output.
    AllGather,
    /// Every rank ends with its reduced share; `S` is the total input.
    ReduceScatter,
    /// Every rank sends a distinct share to every rank; `S` per rank sent.
    AllToAll,
    /// The root's buffer of `S` bytes reaches every rank.
    Broadcast,
    /// The reduction of all ranks' buffers of `S` bytes reaches the root.
    Reduce,
    /// Point-to-point messages of `S` bytes per rank.
    SendRecv,
}

impl Op {
    /// Every operation, in command-line order.
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
    /// 1 for broadcast, reduce and send-recv (nccl-tests' definition, docs/sources.md [S-nccl-tests-perf]).
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
    /// What NCCL would run: the algorithm and protocol its cost model ranks
    /// first ([`tuning`]), simulated on the fabric; where NCCL's model does
    /// not apply (non-NVLink scale-up, point-to-point operations), the
    /// fastest of the library's usual candidates.
    Auto,
    /// The fastest algorithm fabricsim can simulate for this size: a
    /// what-if, not what a library would pick.
    Best,
    /// Ring over NCCL-style channels ([`algorithms::ring_orders`]).
    Ring,
    /// NCCL's pipelined double binary tree ([`tree`]).
    Tree,
    /// Recursive halving-doubling (Rabenseifner; docs/sources.md
    /// [S-thakur-rabenseifner]).
    HalvingDoubling,
    /// Every rank exchanges with every other at once.
    Direct,
    /// In-switch reduction, NVLink SHARP or SHARP ([`nvls`]).
    Nvls,
    /// Per-domain phases plus per-rail collectives across scale-up domains
    /// ([`hierarchical`]).
    Hierarchical,
    /// NCCL's PAT for all-gather and reduce-scatter: `⌈log2 n⌉` steps of
    /// doubling distance ([`pat`]).
    Pat,
    /// NCCL's NVLSTree all-reduce: NVLS inside domains, double binary trees
    /// across them, pipelined ([`hierarchical::nvls_tree`]).
    NvlsTree,
}

impl Algo {
    /// Every algorithm, in command-line order.
    pub const ALL: [Algo; 10] = [
        Algo::Auto,
        Algo::Best,
        Algo::Ring,
        Algo::Tree,
        Algo::HalvingDoubling,
        Algo::Direct,
        Algo::Nvls,
        Algo::Hierarchical,
        Algo::Pat,
        Algo::NvlsTree,
    ];

    /// The name used on the command line and in JSON, e.g. `halving-doubling`.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Auto => "auto",
            Algo::Best => "best",
            Algo::Ring => "ring",
            Algo::Tree => "tree",
            Algo::HalvingDoubling => "halving-doubling",
            Algo::Direct => "direct",
            Algo::Nvls => "nvls",
            Algo::Hierarchical => "hierarchical",
            Algo::Pat => "pat",
            Algo::NvlsTree => "nvls-tree",
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

/// How a collective's data moves between ranks: NCCL's three protocols.
///
/// * `Simple`: bulk copies with a flag per chunk; full link bandwidth, the
///   highest per-step latency.
/// * `LL` (low latency): 8-byte stores of 4 data bytes and a 4-byte flag,
///   polled by the receiver; the lowest latency, a quarter to a third of
///   the bandwidth.
/// * `LL128`: 128-byte lines with 120 data bytes and an 8-byte flag,
///   relying on NVLink's ordered 128-byte stores; near-Simple bandwidth at
///   near-LL latency, enabled by NCCL on NVLink systems only.
///
/// Their latencies and bandwidth fractions are in [`presets`] (NCCL 2.20.3
/// `src/graph/tuning.cc`, docs/sources.md [S-nccl-tuning-cc]); docs/collectives.md
/// explains the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub enum Protocol {
    /// NCCL's `LL`.
    #[serde(rename = "LL")]
    Ll,
    /// NCCL's `LL128`.
    #[serde(rename = "LL128")]
    Ll128,
    /// NCCL's `Simple`.
    #[default]
    Simple,
}

impl Protocol {
    /// Every protocol, in NCCL's order.
    pub const ALL: [Protocol; 3] = [Protocol::Ll, Protocol::Ll128, Protocol::Simple];

    /// NCCL's name: `LL`, `LL128` or `Simple`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ll => "LL",
            Protocol::Ll128 => "LL128",
            Protocol::Simple => "Simple",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Protocol {
    type Err = String;
    /// Case-insensitive, as NCCL's `NCCL_PROTO` (docs/sources.md [S-nccl-env]).
    fn from_str(s: &str) -> Result<Protocol, String> {
        let names = Protocol::ALL.map(Protocol::name);
        Protocol::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| unknown("protocol", s, &names))
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
    /// The communicator has fewer than 2 ranks (the count given).
    #[error("a communicator needs at least 2 ranks, got {0}")]
    TooFewRanks(usize),
    /// The algorithm does not support the operation on this communicator.
    #[error("{algo} cannot run {op}: {why}")]
    Unsupported {
        /// The algorithm asked for.
        algo: Algo,
        /// The operation asked for.
        op: Op,
        /// Why not.
        why: String,
    },
    /// The same node is listed twice among the ranks (of one communicator or
    /// of concurrent groups).
    #[error("rank {rank} ({name}) appears twice in the communicator")]
    DuplicateRank {
        /// Position of the repeated occurrence in its communicator.
        rank: usize,
        /// Name of its node.
        name: String,
    },
    /// A quadratic schedule would exceed [`algorithms::MAX_SCHEDULE_TRANSFERS`].
    #[error(
        "{algo} {op} would need {transfers} point-to-point transfers, above the limit of {limit}; \
         use fewer ranks or another algorithm (ring, tree, hierarchical)"
    )]
    TooLarge {
        /// The algorithm asked for.
        algo: Algo,
        /// The operation asked for.
        op: Op,
        /// Point-to-point transfers the schedule would hold.
        transfers: u128,
        /// The limit, [`algorithms::MAX_SCHEDULE_TRANSFERS`].
        limit: usize,
    },
    /// The routes a run keeps would hold more link entries than
    /// [`sim::MAX_ROUTE_ENTRIES`] (4 bytes each), found while routing or,
    /// for a large run, estimated before it ([`route_estimate`]).
    #[error("{}", route_estimate::message(*.limit, *.estimate))]
    RoutesTooLarge {
        /// The limit on link entries.
        limit: usize,
        /// The estimate from a sample of routes, when the run was refused
        /// before routing.
        estimate: Option<route_estimate::Estimate>,
    },
    /// A transfer could not be routed.
    #[error("{0}")]
    Routing(#[from] fabricsim_routing::RoutingError),
    /// The flow model rejected the flows (or ran out of budget).
    #[error("{0}")]
    Flow(#[from] fabricsim_flow::FlowError),
}
