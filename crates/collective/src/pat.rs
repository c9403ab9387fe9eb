//! PAT ("Parallel Aggregated Trees"), NCCL's all-gather and reduce-scatter
//! for communicators with one rank per node, where a ring's `n − 1` network
//! steps cost more latency than `⌈log2 n⌉` ([S-nccl-pat] in
//! docs/sources.md: added in NCCL 2.23, for one GPU per node).
//!
//! # Schedule
//! fabricsim builds it as the Bruck all-gather (Bruck et al., "Efficient
//! algorithms for all-to-all communications in multiport message-passing
//! systems", IEEE TPDS 8(11), 1997), which has PAT's step count and volume
//! for any `n`: with `K = ⌈log2 n⌉` and blocks of `b = S/n` (`S` the
//! nccl-tests size: the all-gather output, the reduce-scatter input), step
//! `k = 0..K` sends `min(2^k, n − 2^k)` blocks from every rank `r` to rank
//! `(r − 2^k) mod n`; each rank sends `n − 1` blocks in all. Reduce-scatter
//! runs the same steps in reverse order (each rank forwards partial sums
//! of the blocks still to be reduced), with the same volumes. On ranks with
//! per-rank bandwidth `B` behind a non-blocking switch:
//! `t = K·α + (n − 1)/n · S/B`.
//!
//! Differences from NCCL's PAT: NCCL pipelines PAT's steps over a bounded
//! buffer and aggregates trees per channel; fabricsim runs each step as a
//! bulk-synchronous step. Other operations are unsupported.

use super::schedule::{Schedule, Transfer};
use super::{Algo, CollectiveError, Op};
use fabricsim_topology::NodeId;

/// The PAT schedule of `op` (all-gather or reduce-scatter) on `ranks`.
pub fn pat(op: Op, ranks: &[NodeId], size: f64) -> Result<Schedule, CollectiveError> {
    let n = ranks.len();
    if n < 2 {
        return Err(CollectiveError::TooFewRanks(n));
    }
    if !matches!(op, Op::AllGather | Op::ReduceScatter) {
        return Err(CollectiveError::Unsupported {
            algo: Algo::Pat,
            op,
            why: "PAT serves all-gather and reduce-scatter".into(),
        });
    }
    let block = size / n as f64;
    let mut steps: Vec<Vec<Transfer>> = Vec::new();
    let mut d = 1usize;
    while d < n {
        let blocks = d.min(n - d) as f64;
        steps.push(
            (0..n)
                .map(|r| Transfer {
                    src: ranks[r],
                    dst: ranks[(r + n - d) % n],
                    bytes: blocks * block,
                })
                .collect(),
        );
        d *= 2;
    }
    if op == Op::ReduceScatter {
        steps.reverse();
    }
    let mut s = Schedule::default();
    for t in steps {
        s.push(t, 1);
    }
    Ok(s)
}
