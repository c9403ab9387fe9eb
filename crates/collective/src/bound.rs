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
//! - **across scale-up domains**: a domain `d` holding `g` of the `n` ranks
//!   (`D ≥ 2` domains) talks to the rest only over the links that leave it
//!   (`B_out(d)`, `B_in(d)`: NIC attachments and the like, leaving out
//!   those of accelerators outside the communicator, which a collective
//!   library cannot relay through; bytes between its own ranks never need
//!   them), so the same volume argument holds
//!   per domain with its cross-domain volumes: all-reduce `S` each way (and
//!   without in-network reduction `2(D−1)·S` over `min(Σ_d B_out(d),
//!   Σ_d B_in(d))`); all-gather out `g/n · S`, in `(n−g)/n · S`;
//!   reduce-scatter the reverse; all-to-all `g(n−g)/n · S` each way;
//!   broadcast the root's domain sends `S`, every other receives `S`;
//!   reduce the reverse. This keeps the bound to bandwidth the traffic can
//!   reach: a ring over one GPU per node is bounded by its NICs, not by
//!   NVLink it cannot use.
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

/// The cross-domain volume bound \[s\] (module docs) for `op` of `size`
/// bytes run at once by every group of `groups` (disjoint communicators
/// of one size; groups that share a domain add their volumes there, as
/// they share its links); 0 when no group spans two domains. Capacities
/// are `capacity_bps` per link (effective). The all-reduce sum term is
/// dropped when a switch outside every accelerator's domain can reduce
/// (SHARP-class in-network reduction between domains).
pub fn domain_bound_s(
    topo: &fabricsim_topology::Topology,
    capacity_bps: &[f64],
    groups: &[Vec<NodeId>],
    op: Op,
    size: f64,
) -> f64 {
    use std::collections::BTreeMap;
    // (volume out, volume in) per domain, and the all-reduce sum term's
    // volume Σ_groups 2(D−1)·S with the domains it spans.
    let mut volume: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    let mut sum_volume = 0.0;
    for ranks in groups {
        let doms = topo.domains_of(ranks);
        if doms.len() < 2 {
            continue;
        }
        let nf = ranks.len() as f64;
        for d in &doms {
            let g = d.len() as f64;
            let root = d.contains(&ranks[0]);
            let (v_out, v_in) = match op {
                Op::AllReduce => (size, size),
                Op::AllGather => (g / nf * size, (nf - g) / nf * size),
                Op::ReduceScatter => ((nf - g) / nf * size, g / nf * size),
                Op::AllToAll => {
                    let v = g * (nf - g) / nf * size;
                    (v, v)
                }
                Op::Broadcast if root => (size, 0.0),
                Op::Broadcast => (0.0, size),
                Op::Reduce if root => (0.0, size),
                Op::Reduce => (size, 0.0),
                // The pairs are the algorithm's: no volume is implied.
                Op::SendRecv => (0.0, 0.0),
            };
            let e = volume.entry(topo.scale_up_domain(d[0])).or_default();
            e.0 += v_out;
            e.1 += v_in;
        }
        sum_volume += 2.0 * (doms.len() as f64 - 1.0) * size;
    }
    if volume.is_empty() {
        return 0.0;
    }
    // Σ capacity of the links leaving and entering each such domain, but
    // not through an accelerator outside the communicators: a collective
    // library relays only through its own ranks (NCCL's PXN proxies on a
    // peer rank of the same node).
    let mut member = vec![false; topo.nodes.len()];
    for &r in groups.iter().flatten() {
        member[r.idx()] = true;
    }
    let relays = |x: NodeId| {
        member[x.idx()] || topo.nodes[x.idx()].role != fabricsim_topology::NodeRole::Accelerator
    };
    let mut cap: BTreeMap<u32, (f64, f64)> = volume.keys().map(|&k| (k, (0.0, 0.0))).collect();
    for (l, link) in topo.links.iter().enumerate() {
        let (a, b) = (
            topo.scale_up_domain(link.src),
            topo.scale_up_domain(link.dst),
        );
        if a == b || !relays(link.src) || !relays(link.dst) {
            continue;
        }
        if let Some(c) = cap.get_mut(&a) {
            c.0 += capacity_bps[l];
        }
        if let Some(c) = cap.get_mut(&b) {
            c.1 += capacity_bps[l];
        }
    }
    let mut t: f64 = 0.0;
    for (k, &(v_out, v_in)) in &volume {
        let (b_out, b_in) = cap[k];
        t = t.max(v_out / b_out).max(v_in / b_in);
    }
    let accel_domains: std::collections::BTreeSet<u32> = topo
        .accelerators
        .iter()
        .map(|&a| topo.scale_up_domain(a))
        .collect();
    let reduces_between = topo.nodes.iter().enumerate().any(|(i, x)| {
        x.in_switch_reduction
            && !accel_domains.contains(&topo.scale_up_domain(fabricsim_topology::NodeId(i as u32)))
    });
    if op == Op::AllReduce && !reduces_between {
        let sum_out: f64 = cap.values().map(|c| c.0).sum();
        let sum_in: f64 = cap.values().map(|c| c.1).sum();
        t = t.max(sum_volume / sum_out.min(sum_in));
    }
    t
}
