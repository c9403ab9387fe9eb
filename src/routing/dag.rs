//! Walks of the shortest-path DAG towards one destination: spray, weighted
//! and hash routes, and the seeded hash that picks a hash route's links.

use super::adjacency::Adjacency;
use super::dest::{DestTable, step_cost};
use super::{LATENCY_REL_TOL, NONE, Route, UNREACHED};
use crate::topology::{LinkId, NodeId, Topology};

/// Reusable buffers, so routing a flow allocates only its result.
#[derive(Default)]
pub(super) struct Scratch {
    /// BFS queue for destination tables.
    pub(super) queue: Vec<NodeId>,
    /// `local[u]`: position of `u` in `order` during a spray or weighted
    /// computation, else
    /// [`NONE`] (reset after each use).
    local: Vec<u32>,
    /// DAG nodes reachable from the source, in BFS order (= layer order).
    order: Vec<NodeId>,
    /// DAG out-links of `order[i]` are `edges[edge_start[i]..edge_start[i + 1]]`.
    edge_start: Vec<u32>,
    /// `(local index of head, link)`.
    edges: Vec<(u32, LinkId)>,
    /// Unnormalized path count to the destination (sum of successors' `norm`).
    raw: Vec<f64>,
    /// Path count to the destination divided by the maximum of its layer.
    norm: Vec<f64>,
    /// Fraction of the flow through each node.
    flow: Vec<f64>,
    /// Total capacity of each DAG node's out-links (weighted mode) \[bytes/s\].
    out_cap: Vec<f64>,
    /// Equal-cost next hops at one node: `(link, head, step latency)`.
    choices: Vec<(LinkId, NodeId, f64)>,
}

impl Scratch {
    /// Empty buffers for a topology of `n` nodes, with `local` all [`NONE`].
    pub(super) fn new(n: usize) -> Self {
        Scratch {
            local: vec![NONE; n],
            ..Scratch::default()
        }
    }
}

/// Read-only view used to compute one route.
pub(super) struct Ctx<'a> {
    pub(super) topo: &'a Topology,
    pub(super) adj: &'a Adjacency,
    pub(super) disabled: &'a [bool],
    pub(super) table: &'a DestTable,
}

impl Ctx<'_> {
    /// If `l` (an out-link of `u`, which reaches the destination) is in the
    /// shortest-path DAG, its head and step latency.
    fn dag_step(&self, u: NodeId, l: LinkId) -> Option<(NodeId, f64)> {
        if self.disabled[l.idx()] {
            return None;
        }
        let link = &self.topo.links[l.idx()];
        let v = link.dst;
        let (hu, hv) = (self.table.hops[u.idx()], self.table.hops[v.idx()]);
        if hv == UNREACHED || hv + 1 != hu || !self.adj.enterable(v, self.table.dst) {
            return None;
        }
        let step = step_cost(self.topo, link, self.table.dst);
        let lu = self.table.lat_s[u.idx()];
        (step + self.table.lat_s[v.idx()] <= lu + LATENCY_REL_TOL * lu).then_some((v, step))
    }

    /// Collects the DAG nodes reachable from `src` into `s.order` (BFS, hence
    /// layer order, `src` first and the destination last) with their DAG
    /// out-links in `s.edges`, and sets `s.local` for them. Returns the node
    /// count. The caller resets `s.local` with [`Ctx::release`].
    fn collect_dag(&self, src: NodeId, s: &mut Scratch) -> usize {
        s.order.clear();
        s.edges.clear();
        s.edge_start.clear();
        s.local[src.idx()] = 0;
        s.order.push(src);
        let mut i = 0;
        while i < s.order.len() {
            let u = s.order[i];
            s.edge_start.push(s.edges.len() as u32);
            for &l in self.adj.out_links(u) {
                if let Some((v, _)) = self.dag_step(u, l) {
                    if s.local[v.idx()] == NONE {
                        s.local[v.idx()] = s.order.len() as u32;
                        s.order.push(v);
                    }
                    s.edges.push((s.local[v.idx()], l));
                }
            }
            i += 1;
        }
        s.edge_start.push(s.edges.len() as u32);
        let n = s.order.len();
        debug_assert_eq!(
            s.order[n - 1],
            self.table.dst,
            "the last DAG layer is the destination"
        );
        n
    }

    /// Resets `s.local` for the nodes of `s.order`.
    fn release(s: &mut Scratch) {
        for &u in &s.order {
            s.local[u.idx()] = NONE;
        }
    }

    /// Per-path even split over all equal-cost paths from `src` (see [`Router`]).
    ///
    /// [`Router`]: super::Router
    pub(super) fn spray_route(&self, src: NodeId, s: &mut Scratch) -> Route {
        let dst = self.table.dst;
        let n = self.collect_dag(src, s);

        // Backward pass: path counts to `dst`, rescaled per layer.
        s.raw.clear();
        s.raw.resize(n, 0.0);
        s.norm.clear();
        s.norm.resize(n, 0.0);
        let mut end = n;
        while end > 0 {
            let h = self.table.hops[s.order[end - 1].idx()];
            let mut begin = end - 1;
            while begin > 0 && self.table.hops[s.order[begin - 1].idx()] == h {
                begin -= 1;
            }
            let mut max = 0.0f64;
            for j in begin..end {
                let r = if s.order[j] == dst {
                    1.0
                } else {
                    let es = &s.edges[s.edge_start[j] as usize..s.edge_start[j + 1] as usize];
                    es.iter().map(|&(v, _)| s.norm[v as usize]).sum()
                };
                s.raw[j] = r;
                max = max.max(r);
            }
            for j in begin..end {
                s.norm[j] = s.raw[j] / max;
            }
            end = begin;
        }

        // Forward pass: push flow 1 from `src`, split in proportion to path counts.
        s.flow.clear();
        s.flow.resize(n, 0.0);
        s.flow[0] = 1.0;
        let mut links = Vec::with_capacity(s.edges.len());
        for u in 0..n {
            let (fu, ru) = (s.flow[u], s.raw[u]);
            // Zero only if path counts underflowed across a layer (beyond 1e300
            // paths); such branches carry no flow.
            if fu == 0.0 || ru == 0.0 {
                continue;
            }
            for &(v, l) in &s.edges[s.edge_start[u] as usize..s.edge_start[u + 1] as usize] {
                let f = fu * s.norm[v as usize] / ru;
                s.flow[v as usize] += f;
                if f > 0.0 {
                    links.push((l, f.min(1.0)));
                }
            }
        }
        Self::release(s);
        links.sort_unstable_by_key(|&(l, _)| l);
        Route {
            links,
            latency_s: self.table.lat_s[src.idx()],
        }
    }

    /// Hop-by-hop split in proportion to link capacity over the equal-cost DAG
    /// from `src` (see [`RoutingMode::Weighted`]): with `frac(src) = 1`, each
    /// node `u` in BFS (= topological) order gives each DAG out-link `u → v`
    /// `frac(u) · cap(u → v) / Σ_w cap(u → w)` and adds it to `frac(v)`.
    ///
    /// [`RoutingMode::Weighted`]: super::RoutingMode::Weighted
    pub(super) fn weighted_route(&self, src: NodeId, s: &mut Scratch) -> Route {
        let n = self.collect_dag(src, s);
        let cap = |l: LinkId| self.topo.links[l.idx()].capacity_bps;
        s.out_cap.clear();
        s.out_cap.extend((0..n).map(|u| {
            let es = &s.edges[s.edge_start[u] as usize..s.edge_start[u + 1] as usize];
            es.iter().map(|&(_, l)| cap(l)).sum::<f64>()
        }));
        s.flow.clear();
        s.flow.resize(n, 0.0);
        s.flow[0] = 1.0;
        let mut links = Vec::with_capacity(s.edges.len());
        for u in 0..n {
            let (fu, total) = (s.flow[u], s.out_cap[u]);
            // Capacities are positive and finite (a `Topology` invariant), so
            // `total` is too unless it overflowed; the destination has no
            // out-links and `total` 0.
            debug_assert!(total.is_finite(), "out-capacity of a DAG node overflows");
            if fu == 0.0 || total <= 0.0 {
                continue;
            }
            for &(v, l) in &s.edges[s.edge_start[u] as usize..s.edge_start[u + 1] as usize] {
                let f = fu * (cap(l) / total);
                s.flow[v as usize] += f;
                if f > 0.0 {
                    links.push((l, f.min(1.0)));
                }
            }
        }
        Self::release(s);
        links.sort_unstable_by_key(|&(l, _)| l);
        Route {
            links,
            latency_s: self.table.lat_s[src.idx()],
        }
    }

    /// One equal-cost path from `src`, choosing per node by hash of (`key`, node).
    pub(super) fn hash_route(&self, src: NodeId, key: u64, s: &mut Scratch) -> Route {
        let dst = self.table.dst;
        let mut links = Vec::with_capacity(self.table.hops[src.idx()] as usize);
        let mut latency_s = 0.0;
        let mut u = src;
        while u != dst {
            s.choices.clear();
            for &l in self.adj.out_links(u) {
                if let Some((v, step)) = self.dag_step(u, l) {
                    s.choices.push((l, v, step));
                }
            }
            debug_assert!(!s.choices.is_empty(), "DAG node without next hop");
            let pick = pick_index(splitmix64(key ^ u64::from(u.0)), s.choices.len());
            let (l, v, step) = s.choices[pick];
            links.push((l, 1.0));
            latency_s += step;
            u = v;
        }
        links.sort_unstable_by_key(|&(l, _)| l);
        Route { links, latency_s }
    }
}

/// splitmix64 finalizer (Steele, Lea, Flood 2014): a bijective 64-bit mix with
/// full avalanche; identical on every platform.
pub(super) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Per-flow hash key: chained splitmix64 of (seed, src, dst, flow id).
pub(super) fn hash_key(seed: u64, src: NodeId, dst: NodeId, flow_id: u64) -> u64 {
    let h = splitmix64(seed);
    let h = splitmix64(h ^ u64::from(src.0));
    let h = splitmix64(h ^ u64::from(dst.0));
    splitmix64(h ^ flow_id)
}

/// Maps a uniform 64-bit hash onto `0..n` by multiply-high (Lemire), which
/// avoids the bias of `%` towards small indices beyond 2^-64 · n.
fn pick_index(h: u64, n: usize) -> usize {
    ((u128::from(h) * n as u128) >> 64) as usize
}
