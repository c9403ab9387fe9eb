//! Per-destination tables: hop count and latency from every node to one
//! destination, which define the shortest-path DAG.

use super::UNREACHED;
use super::adjacency::Adjacency;
use crate::topology::{Link, NodeId, Topology};

/// Shortest-path data towards one destination.
pub(super) struct DestTable {
    pub(super) dst: NodeId,
    /// Logical time of the last use, for LRU eviction.
    pub(super) last_used: u64,
    /// Hop count from each node to `dst` ([`UNREACHED`] if none).
    pub(super) hops: Vec<u32>,
    /// Minimum latency from each node to `dst` over min-hop paths \[s\].
    pub(super) lat_s: Vec<f64>,
}

/// Latency added by crossing `link` towards `dst`: the link's own latency plus
/// the forwarding latency of its head, unless the head is the destination.
pub(super) fn step_cost(topo: &Topology, link: &Link, dst: NodeId) -> f64 {
    let fwd = if link.dst == dst {
        0.0
    } else {
        topo.nodes[link.dst.idx()].latency_s
    };
    link.latency_s + fwd
}

/// Fills `table` for `dst`: reverse BFS for hop counts (expanding only `dst`
/// and forwarding nodes), then the latency DP in BFS order over enterable
/// next hops (every candidate sits in the previous layer, so its latency is
/// final). O(V + E).
pub(super) fn fill_dest_table(
    topo: &Topology,
    adj: &Adjacency,
    disabled: &[bool],
    dst: NodeId,
    table: &mut DestTable,
    queue: &mut Vec<NodeId>,
) {
    let n = topo.nodes.len();
    table.dst = dst;
    table.hops.clear();
    table.hops.resize(n, UNREACHED);
    table.lat_s.clear();
    table.lat_s.resize(n, f64::INFINITY);
    table.hops[dst.idx()] = 0;
    table.lat_s[dst.idx()] = 0.0;
    queue.clear();
    queue.push(dst);
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        if !adj.enterable(v, dst) {
            continue; // A source only: nothing passes through it.
        }
        let hv = table.hops[v.idx()];
        for &l in adj.in_links(v) {
            let u = topo.links[l.idx()].src;
            if !disabled[l.idx()] && table.hops[u.idx()] == UNREACHED {
                table.hops[u.idx()] = hv + 1;
                queue.push(u);
            }
        }
    }
    for &u in &queue[1..] {
        let hu = table.hops[u.idx()];
        let mut best = f64::INFINITY;
        for &l in adj.out_links(u) {
            let link = &topo.links[l.idx()];
            if !disabled[l.idx()]
                && table.hops[link.dst.idx()] == hu - 1
                && adj.enterable(link.dst, dst)
            {
                // Same expression as in `Ctx::dag_step`, so the minimum is
                // reproduced bit for bit there.
                best = best.min(step_cost(topo, link, dst) + table.lat_s[link.dst.idx()]);
            }
        }
        debug_assert!(best.is_finite(), "BFS layer {hu} node has no next hop");
        table.lat_s[u.idx()] = best;
    }
}
