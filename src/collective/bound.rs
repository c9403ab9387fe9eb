//! Lower bounds: times no algorithm can beat on a fabric.
//!
//! With `B_out(r)`, `B_in(r)` the effective injection and ejection bandwidth
//! of rank `r` (sum of its links' capacities × efficiency) and
//! `B_min = min_r min(B_out(r), B_in(r))`:
//! - all-reduce without in-network reduction: every rank must send and
//!   receive at least `2(n−1)/n · S` (Patarasuk & Yuan, JPDC 2009), so
//!   `t ≥ 2(n−1)/n · S / B_min`;
//! - all-reduce with in-switch reduction (NVLS, SHARP): each rank must still
//!   send the `(n−1)/n · S` it does not reduce itself and receive the same
//!   share of results: `t ≥ (n−1)/n · S / B_min`;
//! - all-gather, reduce-scatter, all-to-all: `t ≥ (n−1)/n · S / B_min`;
//! - broadcast, reduce: the root sends (receives) `S`, every other rank
//!   receives (sends) `S`: `t ≥ S / B_min`;
//! - send-recv: `t ≥ S / B_min`;
//! - all-to-all across a bisection of capacity `B_bis` per direction: half the
//!   ranks send `n/2 · S/n` to the other half each, `t ≥ (n/2)·(S/2) / B_bis`.

use super::Op;
use crate::topology::NodeId;

/// Per-rank injection and ejection bandwidth \[bytes/s\] from effective link capacities.
pub fn rank_bandwidth(
    topo: &crate::topology::Topology,
    capacity_bps: &[f64],
    r: NodeId,
) -> (f64, f64) {
    let mut out = 0.0;
    let mut inn = 0.0;
    for (l, link) in topo.links.iter().enumerate() {
        if link.src == r {
            out += capacity_bps[l];
        }
        if link.dst == r {
            inn += capacity_bps[l];
        }
    }
    (out, inn)
}

/// The injection/ejection lower bound \[s\] for `op` of size `size` over `n`
/// ranks whose smallest injection/ejection bandwidth is `b_min`.
pub fn injection_bound_s(
    op: Op,
    n: usize,
    size: f64,
    b_min: f64,
    in_switch_reduction: bool,
) -> f64 {
    let nf = n as f64;
    let bytes = match op {
        Op::AllReduce if in_switch_reduction => (nf - 1.0) / nf * size,
        Op::AllReduce => 2.0 * (nf - 1.0) / nf * size,
        Op::AllGather | Op::ReduceScatter | Op::AllToAll => (nf - 1.0) / nf * size,
        Op::Broadcast | Op::Reduce | Op::SendRecv => size,
    };
    bytes / b_min
}

/// The bisection bound \[s\] of an all-to-all of `size` bytes per rank over
/// `n` ranks across a cut of `bisection_bps` per direction.
pub fn bisection_bound_s(n: usize, size: f64, bisection_bps: f64) -> f64 {
    (n as f64 / 2.0) * (size / 2.0) / bisection_bps
}
