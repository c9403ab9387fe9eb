//! Maximum flow between two node sets over the topology's links: the
//! bisection bandwidth `info` reports and the bound the collective model
//! checks a plan against.

use std::collections::VecDeque;

use crate::{NodeId, Topology};

/// Max flow \[bytes/s\] from the nodes `from` to the nodes `to` with link
/// capacities `capacity_bps` (Dinic).
///
/// A non-forwarding node `v` is split in two: its out-links leave `v` (where
/// the source feeds a `from` node) and its in-links enter a separate node
/// `v_in` (which feeds the sink for a `to` node) with no edge `v_in → v`, so
/// no flow passes through `v`. A forwarding node is one flow node.
pub fn max_flow_between(t: &Topology, capacity_bps: &[f64], from: &[NodeId], to: &[NodeId]) -> f64 {
    max_flow_between_until(t, capacity_bps, from, to, &|| false).unwrap_or(0.0)
}

/// [`max_flow_between`], giving up (`None`) once `stop` returns true; it is
/// asked at every phase and every 65,536 (`STOP_EVERY`) steps of the search.
pub fn max_flow_between_until(
    t: &Topology,
    capacity_bps: &[f64],
    from: &[NodeId],
    to: &[NodeId],
    stop: &dyn Fn() -> bool,
) -> Option<f64> {
    let n = t.nodes.len();
    let (s, sink) = (n, n + 1);
    let mut in_node: Vec<usize> = (0..n).collect();
    let mut next = n + 2;
    for (v, node) in t.nodes.iter().enumerate() {
        if !node.forwards {
            in_node[v] = next;
            next += 1;
        }
    }
    let mut g = FlowGraph::new(next);
    for (l, link) in t.links.iter().enumerate() {
        g.add_edge(link.src.idx(), in_node[link.dst.idx()], capacity_bps[l]);
    }
    for a in from {
        g.add_edge(s, a.idx(), f64::INFINITY);
    }
    for a in to {
        g.add_edge(in_node[a.idx()], sink, f64::INFINITY);
    }
    let max_cap = capacity_bps.iter().copied().fold(0.0, f64::max);
    g.max_flow(s, sink, max_cap * 1e-12, stop)
}

/// Steps of the max-flow search between two questions to `stop`.
const STOP_EVERY: u64 = 1 << 16;

/// Residual graph for Dinic's algorithm; edge `e ^ 1` is the reverse of `e`.
struct FlowGraph {
    head: Vec<usize>,
    next: Vec<usize>,
    to: Vec<usize>,
    cap: Vec<f64>,
}

const NONE: usize = usize::MAX;

impl FlowGraph {
    fn new(n: usize) -> FlowGraph {
        FlowGraph {
            head: vec![NONE; n],
            next: Vec::new(),
            to: Vec::new(),
            cap: Vec::new(),
        }
    }

    fn add_edge(&mut self, u: usize, v: usize, c: f64) {
        for (a, b, c) in [(u, v, c), (v, u, 0.0)] {
            self.to.push(b);
            self.cap.push(c);
            self.next.push(self.head[a]);
            self.head[a] = self.to.len() - 1;
        }
    }

    /// Dinic: BFS levels, then blocking flows by iterative DFS. Residual
    /// capacities at or below `eps` count as saturated.
    fn max_flow(&mut self, s: usize, t: usize, eps: f64, stop: &dyn Fn() -> bool) -> Option<f64> {
        let n = self.head.len();
        let mut total = 0.0;
        let mut level = vec![u32::MAX; n];
        let mut it = vec![NONE; n];
        let mut queue = VecDeque::new();
        let mut steps: u64 = 0;
        let mut step = || {
            steps += 1;
            steps.is_multiple_of(STOP_EVERY) && stop()
        };
        loop {
            if stop() {
                return None;
            }
            level.iter_mut().for_each(|l| *l = u32::MAX);
            level[s] = 0;
            queue.push_back(s);
            while let Some(u) = queue.pop_front() {
                if step() {
                    return None;
                }
                let mut e = self.head[u];
                while e != NONE {
                    let v = self.to[e];
                    if self.cap[e] > eps && level[v] == u32::MAX {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                    e = self.next[e];
                }
            }
            if level[t] == u32::MAX {
                return Some(total);
            }
            it.copy_from_slice(&self.head);
            // Blocking flow: walk s → t along level edges, augment, repeat.
            let mut path: Vec<usize> = Vec::new();
            let mut u = s;
            loop {
                if step() {
                    return None;
                }
                if u == t {
                    let f = path
                        .iter()
                        .map(|&e| self.cap[e])
                        .fold(f64::INFINITY, f64::min);
                    for &e in &path {
                        self.cap[e] -= f;
                        self.cap[e ^ 1] += f;
                    }
                    total += f;
                    path.clear();
                    u = s;
                    continue;
                }
                let mut advanced = false;
                while it[u] != NONE {
                    let e = it[u];
                    let v = self.to[e];
                    if self.cap[e] > eps && level[v] == level[u] + 1 {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    it[u] = self.next[e];
                }
                if !advanced {
                    // Dead end: retreat and skip the edge that led here.
                    level[u] = u32::MAX;
                    match path.pop() {
                        Some(e) => {
                            u = self.to[e ^ 1];
                            it[u] = self.next[it[u]];
                        }
                        None => break,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dinic_textbook() {
        // CLRS figure 26.1: max flow 23.
        let mut g = FlowGraph::new(6);
        for (u, v, c) in [
            (0, 1, 16.0),
            (0, 2, 13.0),
            (2, 1, 4.0),
            (1, 3, 12.0),
            (3, 2, 9.0),
            (2, 4, 14.0),
            (4, 3, 7.0),
            (3, 5, 20.0),
            (4, 5, 4.0),
        ] {
            g.add_edge(u, v, c);
        }
        assert_eq!(g.max_flow(0, 5, 1e-12, &|| false), Some(23.0));
        assert_eq!(g.max_flow(0, 5, 1e-12, &|| true), None);
    }
}
