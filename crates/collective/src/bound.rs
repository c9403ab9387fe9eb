//! Lower bounds: times no algorithm can beat on a fabric.
//!
//! `B_out(r)`, `B_in(r)` are rank `r`'s effective injection and ejection
//! bandwidth (sum of its links' capacities × efficiency). Per-rank volumes
//! (each element of a rank's input must leave it in some form, each element
//! of its output must arrive) give `t ≥ V_out / B_out(r)` and
//! `t ≥ V_in / B_in(r)` for every rank:
//! - all-reduce: `V_out = V_in = S` per rank (every input element must leave
//!   the rank in some form, every output element must arrive); without in-network
//!   reduction moreover the ranks together must send and receive
//!   `2(n−1) · S` (Patarasuk & Yuan, JPDC 2009), so
//!   `t ≥ 2(n−1)·S / min(Σ_r B_out(r), Σ_r B_in(r))` — on a uniform fabric the
//!   textbook `2(n−1)/n · S / B`;
//! - all-gather: out `S/n`, in `(n−1)/n · S`; reduce-scatter: out
//!   `(n−1)/n · S`, in `S/n`; all-to-all: both `(n−1)/n · S`;
//! - broadcast: the root sends `S`, every other rank receives `S`; reduce:
//!   the reverse; send-recv: every rank sends and receives `S`;
//! - all-to-all across a cut: the first `a = ⌊n/2⌋` ranks send `S/n` to each
//!   of the other `n − a`, so `t ≥ a·(n−a)·S/n / B_cut`, with `B_cut` the max
//!   flow from the first group to the second (`n·S/4 / B_cut` for even n).
//!
//! A per-rank `2(n−1)/n · S` all-reduce bound would be wrong on uneven
//! fabrics: a tree can spare a slow leaf, which then moves only `S` each way.

use super::Op;
use fabricsim_topology::NodeId;

/// Injection and ejection bandwidth \[bytes/s\] of every rank (one pass over
/// the links), in communicator order.
pub fn rank_bandwidths(
    topo: &fabricsim_topology::Topology,
    capacity_bps: &[f64],
    ranks: &[NodeId],
) -> Vec<(f64, f64)> {
    let mut out = vec![0.0; topo.nodes.len()];
    let mut inn = vec![0.0; topo.nodes.len()];
    for (l, link) in topo.links.iter().enumerate() {
        out[link.src.idx()] += capacity_bps[l];
        inn[link.dst.idx()] += capacity_bps[l];
    }
    ranks.iter().map(|r| (out[r.idx()], inn[r.idx()])).collect()
}

/// The volume lower bound \[s\] (module docs) for `op` of `size` bytes over
/// ranks with bandwidths `bw` (`(out, in)` per rank, rank 0 the root).
pub fn injection_bound_s(op: Op, size: f64, bw: &[(f64, f64)], in_switch_reduction: bool) -> f64 {
    let n = bw.len() as f64;
    let share = (n - 1.0) / n * size;
    let per_rank = |i: usize| -> (f64, f64) {
        match op {
            Op::AllReduce => (size, size),
            Op::AllToAll => (share, share),
            Op::AllGather => (size / n, share),
            Op::ReduceScatter => (share, size / n),
            Op::Broadcast if i == 0 => (size, 0.0),
            Op::Broadcast => (0.0, size),
            Op::Reduce if i == 0 => (0.0, size),
            Op::Reduce => (size, 0.0),
            Op::SendRecv => (size, size),
        }
    };
    let mut t: f64 = 0.0;
    for (i, &(b_out, b_in)) in bw.iter().enumerate() {
        let (v_out, v_in) = per_rank(i);
        t = t.max(v_out / b_out).max(v_in / b_in);
    }
    if op == Op::AllReduce && !in_switch_reduction {
        let sum_out: f64 = bw.iter().map(|b| b.0).sum();
        let sum_in: f64 = bw.iter().map(|b| b.1).sum();
        t = t.max(2.0 * (n - 1.0) * size / sum_out.min(sum_in));
    }
    t
}

/// The cut bound \[s\] of an all-to-all of `size` bytes per rank over `n`
/// ranks split into groups of `a` and `n − a` ranks: the first group sends
/// `a · (n − a) · S/n` bytes to the second across a cut of `cut_bps`
/// (max flow from the first group to the second).
pub fn bisection_bound_s(n: usize, a: usize, size: f64, cut_bps: f64) -> f64 {
    let (nf, af) = (n as f64, a as f64);
    af * (nf - af) * size / nf / cut_bps
}
