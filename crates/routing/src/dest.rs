//! Per-pair bounded search: hop count and latency to the destination for
//! exactly the nodes on the fewest-hop paths from one source to one
//! destination, which define the shortest-path DAG of that pair.

use super::adjacency::Adjacency;
use super::{LATENCY_REL_TOL, UNREACHED};
use fabricsim_topology::{LinkId, NodeId};

/// Hop count and minimum latency to one destination, for the nodes a
/// shortest-path DAG walk may look at.
pub(super) trait DistTable {
    /// The destination.
    fn dst(&self) -> NodeId;
    /// Hop count from `u` to the destination, [`UNREACHED`] if none (or if
    /// `u` is on no fewest-hop path of the pair the table was built for).
    fn hops(&self, u: NodeId) -> u32;
    /// Minimum latency from `u` to the destination over fewest-hop paths
    /// \[s\]; only meaningful when [`DistTable::hops`] is not [`UNREACHED`].
    fn lat_s(&self, u: NodeId) -> f64;
    /// The DAG out-links `(link, head)` of `u` (a node reachable from the
    /// source over DAG links) in link-id order, if the table has them;
    /// otherwise `dag::Ctx` derives them from the out-links of `u`.
    fn dag_links(&self, _u: NodeId) -> Option<&[(LinkId, NodeId)]> {
        None
    }
}

/// Reusable O(V) state of the per-pair search, and the partial destination
/// table it leaves behind (valid until the next search).
///
/// Each per-node value carries a stamp ([`Mark`]): it is valid only when its
/// stamp equals the current `epoch`, so a search starts in O(1) instead of
/// clearing O(V) memory.
///
/// Let `G` be the graph of enabled links `u → v` whose head is *enterable*
/// (`v` is the destination or forwards); every path in `G` obeys the
/// transit rule, and `h(u)` of the old whole-fabric table is the `G`-distance
/// from `u` to `dst`. With `ds(u)` the `G`-distance from `src` and `dt(u)`
/// the one to `dst`, `u` lies on a fewest-hop `src → dst` path iff
/// `ds(u) + dt(u) = d`, where `d = dt(src)`. The search:
///
/// 1. grows a forward BFS ball from `src` (expanding `src` and forwarding
///    nodes over out-links) and a backward one from `dst` (expanding `dst` and
///    forwarding nodes over in-links), a whole layer at a time, always the
///    side whose frontier has the smaller total degree. When layers
///    `ds ≤ a` and `dt ≤ b` are complete and share no node, no path of
///    `≤ a + b` hops exists; so the first layer that meets the other ball
///    gives `d = a + b`, and its nodes seen by both balls are exactly the
///    path nodes with `ds = a` (the *meeting layer*);
/// 2. trims both balls to the path nodes, layer by layer from the meeting
///    layer: towards `src`, the forward-ball nodes one `ds` lower with a link
///    into the path layer; towards `dst`, the backward-ball nodes one `dt`
///    lower with a link from it. Every path node is in one ball, and all of a
///    path node's `G`-neighbours one hop closer to `dst` are path nodes too.
///    Each step scans whichever is cheaper (by total degree): the links of
///    the path layer, or those of the ball layer (a 3-tier Clos meets at its
///    hundreds of core switches, whose links mostly lead elsewhere);
/// 3. computes `h = d − ds = dt` and the minimum latency `L` for exactly
///    those nodes, in order of increasing `h` (pulling over a layer's
///    out-links or pushing over the previous layer's in-links, whichever is
///    cheaper), with the same expression and over the same next hops as the
///    whole-fabric table did, so `h` and `L` agree with it bit for bit on
///    every node a DAG walk from `src` can see. The links scanned are then
///    filtered by the DAG test into each node's DAG out-links (in link-id
///    order), which `dag::Ctx::collect_dag` reads instead of re-testing every
///    out-link of every DAG node.
///
/// Cost: the links of the two balls (each about half the pair's hop count
/// deep) and of the smaller side of each path layer, not O(V + E).
pub(super) struct PairSearch {
    epoch: u32,
    /// Forward ball: `ds` of `u` when `fwd[u].stamp == epoch`.
    fwd: Vec<Mark>,
    /// Backward ball: `dt` of `u` when `bwd[u].stamp == epoch`.
    bwd: Vec<Mark>,
    /// Path nodes: `h` of `u` when `path[u].stamp == epoch`, with `lat[u]`.
    path: Vec<Mark>,
    lat: Vec<f64>,
    /// Forward-ball nodes in BFS order; layer `j` (`ds = j`) is
    /// `fq[fstart[j]..fstart[j + 1]]`, with total out-degree `fdeg[j]` over
    /// its nodes that may be left.
    fq: Vec<NodeId>,
    fstart: Vec<u32>,
    fdeg: Vec<usize>,
    /// Backward-ball nodes in BFS order, layers as for `fq` (`dt = t`), with
    /// total in-degree `bdeg[t]` over its nodes that may be entered.
    bq: Vec<NodeId>,
    bstart: Vec<u32>,
    bdeg: Vec<usize>,
    /// Path nodes with `ds ≤ a` by layer (see [`PairSearch::layer`]): layer
    /// `i` of `up` (`h = b + i`) is `up[upstart[i]..upstart[i + 1]]`, from the
    /// meeting layer (`i = 0`) to `src` (`i = a`).
    up: Vec<NodeId>,
    upstart: Vec<u32>,
    /// Layer `i` of `down` (`h = b − 1 − i`), from next to the meeting layer
    /// to `dst` (`i = b − 1`).
    down: Vec<NodeId>,
    downstart: Vec<u32>,
    /// Candidate DAG links of one layer: `(u, link, v, step + L(v))`.
    cand: Vec<(NodeId, LinkId, NodeId, f64)>,
    /// DAG out-links `(link, head)` of path node `u` (`h ≥ 1`) are
    /// `dag_out[s..s + len]` for `(s, len) = dag_range[u]`, in link-id order.
    dag_out: Vec<(LinkId, NodeId)>,
    dag_range: Vec<(u32, u32)>,
    /// `(a, b)`: ball depths at the meeting layer (`ds = a`, `dt = b`).
    depths: (u32, u32),
    /// Destination of the last successful search.
    dst: NodeId,
}

/// A value valid only in the search whose epoch is `stamp`.
#[derive(Clone, Copy, Default)]
struct Mark {
    stamp: u32,
    val: u32,
}

impl PairSearch {
    /// Empty state for a topology of `n` nodes.
    pub(super) fn new(n: usize) -> Self {
        PairSearch {
            epoch: 0,
            fwd: vec![Mark::default(); n],
            bwd: vec![Mark::default(); n],
            path: vec![Mark::default(); n],
            lat: vec![0.0; n],
            fq: Vec::new(),
            fstart: Vec::new(),
            fdeg: Vec::new(),
            bq: Vec::new(),
            bstart: Vec::new(),
            bdeg: Vec::new(),
            up: Vec::new(),
            upstart: Vec::new(),
            down: Vec::new(),
            downstart: Vec::new(),
            cand: Vec::new(),
            dag_out: Vec::new(),
            dag_range: vec![(0, 0); n],
            depths: (0, 0),
            dst: NodeId(0),
        }
    }

    /// Starts a new search: bumps the epoch, and on wrap-around clears the
    /// stamps (once every 2^32 − 1 searches).
    fn next_epoch(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            for marks in [&mut self.fwd, &mut self.bwd, &mut self.path] {
                marks.fill(Mark::default());
            }
            self.epoch = 1;
        }
    }

    fn ds(&self, u: NodeId) -> Option<u32> {
        let m = self.fwd[u.idx()];
        (m.stamp == self.epoch).then_some(m.val)
    }

    fn dt(&self, u: NodeId) -> Option<u32> {
        let m = self.bwd[u.idx()];
        (m.stamp == self.epoch).then_some(m.val)
    }

    fn h(&self, u: NodeId) -> Option<u32> {
        let m = self.path[u.idx()];
        (m.stamp == self.epoch).then_some(m.val)
    }

    /// The path nodes `h` hops from `dst` (`h ≤ a + b`).
    fn layer(&self, h: u32) -> &[NodeId] {
        let b = self.depths.1;
        let (nodes, start, i) = if h >= b {
            (&self.up, &self.upstart, (h - b) as usize)
        } else {
            (&self.down, &self.downstart, (b - 1 - h) as usize)
        };
        &nodes[start[i] as usize..start[i + 1] as usize]
    }

    /// Runs the search for `src → dst` (`src != dst`) and leaves the partial
    /// table of the pair in `self` (read it through [`DistTable`]). Returns
    /// the hop count `d`, or `None` if `dst` is unreachable from `src`.
    pub(super) fn run(
        &mut self,
        adj: &Adjacency,
        disabled: &[bool],
        src: NodeId,
        dst: NodeId,
    ) -> Option<u32> {
        let (a, b) = self.balls(adj, disabled, src, dst)?;
        self.depths = (a, b);
        self.trim(adj, disabled);
        self.latencies(adj, disabled);
        debug_assert_eq!(self.hops(src), a + b);
        Some(a + b)
    }

    /// The hop count of `src → dst` (`src != dst`) from the bidirectional
    /// BFS alone (no trimming, no latencies), or `None` if unreachable.
    pub(super) fn hop_count(
        &mut self,
        adj: &Adjacency,
        disabled: &[bool],
        src: NodeId,
        dst: NodeId,
    ) -> Option<u32> {
        self.balls(adj, disabled, src, dst).map(|(a, b)| a + b)
    }

    /// A fresh search for `src → dst` (`src != dst`) up to where the balls
    /// meet: their depths, or `None` if unreachable.
    fn balls(
        &mut self,
        adj: &Adjacency,
        disabled: &[bool],
        src: NodeId,
        dst: NodeId,
    ) -> Option<(u32, u32)> {
        debug_assert_ne!(src, dst);
        self.next_epoch();
        self.dst = dst;
        self.meet(adj, disabled, src, dst)
    }

    /// Step 1: the bidirectional BFS. Returns the depths `(a, b)` of the
    /// forward and backward balls when they meet, with the meeting layer in
    /// `up`, or `None` when a ball runs out of nodes first.
    fn meet(
        &mut self,
        adj: &Adjacency,
        disabled: &[bool],
        src: NodeId,
        dst: NodeId,
    ) -> Option<(u32, u32)> {
        let e = self.epoch;
        // `src` is left even when it does not forward; `dst` is entered from
        // any node; other nodes are passed through only when they forward.
        let leaves = |u: NodeId| u == src || adj.forwards(u);
        let out_cost = |u: NodeId| if leaves(u) { adj.out_links(u).len() } else { 0 };
        let in_cost = |v: NodeId| {
            if adj.enterable(v, dst) {
                adj.in_links(v).len()
            } else {
                0
            }
        };
        self.fq.clear();
        self.fq.push(src);
        self.fstart.clear();
        self.fstart.extend([0, 1]);
        self.fdeg.clear();
        self.fdeg.push(out_cost(src));
        self.fwd[src.idx()] = Mark { stamp: e, val: 0 };
        self.bq.clear();
        self.bq.push(dst);
        self.bstart.clear();
        self.bstart.extend([0, 1]);
        self.bdeg.clear();
        self.bdeg.push(in_cost(dst));
        self.bwd[dst.idx()] = Mark { stamp: e, val: 0 };
        self.up.clear();
        let (mut a, mut b) = (0u32, 0u32);
        loop {
            let (f0, b0) = (self.fstart[a as usize], self.bstart[b as usize]);
            if f0 as usize == self.fq.len() || b0 as usize == self.bq.len() {
                return None; // One ball is complete without meeting the other.
            }
            if self.fdeg[a as usize] <= self.bdeg[b as usize] {
                let mut cost = 0;
                for i in f0 as usize..self.fq.len() {
                    let u = self.fq[i];
                    if !leaves(u) {
                        continue;
                    }
                    for &(l, v) in adj.out_links(u) {
                        if disabled[l.idx()]
                            || self.fwd[v.idx()].stamp == e
                            || !adj.enterable(v, dst)
                        {
                            continue;
                        }
                        self.fwd[v.idx()] = Mark {
                            stamp: e,
                            val: a + 1,
                        };
                        self.fq.push(v);
                        if self.bwd[v.idx()].stamp == e {
                            self.up.push(v);
                        }
                        cost += out_cost(v);
                    }
                }
                self.fstart.push(self.fq.len() as u32);
                self.fdeg.push(cost);
                a += 1;
            } else {
                let mut cost = 0;
                for i in b0 as usize..self.bq.len() {
                    let v = self.bq[i];
                    if !adj.enterable(v, dst) {
                        continue; // A source only: nothing passes through it.
                    }
                    for &(l, u) in adj.in_links(v) {
                        if disabled[l.idx()] || self.bwd[u.idx()].stamp == e {
                            continue;
                        }
                        self.bwd[u.idx()] = Mark {
                            stamp: e,
                            val: b + 1,
                        };
                        self.bq.push(u);
                        if self.fwd[u.idx()].stamp == e {
                            self.up.push(u);
                        }
                        cost += in_cost(u);
                    }
                }
                self.bstart.push(self.bq.len() as u32);
                self.bdeg.push(cost);
                b += 1;
            }
            if !self.up.is_empty() {
                return Some((a, b));
            }
        }
    }

    /// Step 2: marks the path nodes with their `h` and lists them by layer in
    /// `up` (meeting layer, then towards `src`) and `down` (towards `dst`).
    fn trim(&mut self, adj: &Adjacency, disabled: &[bool]) {
        let (e, dst) = (self.epoch, self.dst);
        let (a, b) = self.depths;
        for &x in &self.up {
            debug_assert!(self.ds(x) == Some(a) && self.dt(x) == Some(b));
            self.path[x.idx()] = Mark { stamp: e, val: b };
        }
        self.upstart.clear();
        self.upstart.extend([0, self.up.len() as u32]);
        // Towards `src`: u → v with ds(u) = ds(v) − 1 = j − 1. Every `v` of
        // the path layer was entered (ds ≥ 1), so it is enterable and `u → v`
        // is a G-link; every such `u` is `src` or forwards (it was expanded),
        // as are all nodes that may be left in the ball layer.
        for j in (1..=a).rev() {
            let h = a + b - j + 1; // of the new layer
            let (lo, hi) = (self.upstart[(h - b - 1) as usize], self.up.len());
            let pull: usize = self.up[lo as usize..hi]
                .iter()
                .map(|&v| adj.in_links(v).len())
                .sum();
            if pull <= self.fdeg[(j - 1) as usize] {
                for i in lo as usize..hi {
                    let v = self.up[i];
                    for &(l, u) in adj.in_links(v) {
                        if !disabled[l.idx()] && self.ds(u) == Some(j - 1) && self.h(u).is_none() {
                            self.path[u.idx()] = Mark { stamp: e, val: h };
                            self.up.push(u);
                        }
                    }
                }
            } else {
                let (f0, f1) = (self.fstart[(j - 1) as usize], self.fstart[j as usize]);
                for i in f0 as usize..f1 as usize {
                    let u = self.fq[i];
                    if u == dst || !(j == 1 || adj.forwards(u)) {
                        continue;
                    }
                    let into_layer = adj
                        .out_links(u)
                        .iter()
                        .any(|&(l, v)| !disabled[l.idx()] && self.h(v) == Some(h - 1));
                    if into_layer {
                        self.path[u.idx()] = Mark { stamp: e, val: h };
                        self.up.push(u);
                    }
                }
            }
            self.upstart.push(self.up.len() as u32);
        }
        // Towards `dst`: u → w with w enterable and dt(w) = dt(u) − 1 = t − 1.
        // Every `u` of the path layer is `src` (when a = 0) or forwards (it
        // was entered and is not `dst`).
        self.down.clear();
        self.downstart.clear();
        self.downstart.push(0);
        for t in (1..=b).rev() {
            let layer = if t == b {
                0..self.upstart[1] as usize
            } else {
                let i = (b - 1 - t) as usize;
                self.downstart[i] as usize..self.downstart[i + 1] as usize
            };
            let from = |s: &Self, k: usize| if t == b { s.up[k] } else { s.down[k] };
            let push: usize = layer
                .clone()
                .map(|k| adj.out_links(from(self, k)).len())
                .sum();
            if push <= self.bdeg[(t - 1) as usize] {
                for k in layer {
                    let u = from(self, k);
                    for &(l, w) in adj.out_links(u) {
                        if !disabled[l.idx()]
                            && self.dt(w) == Some(t - 1)
                            && self.h(w).is_none()
                            && adj.enterable(w, dst)
                        {
                            self.path[w.idx()] = Mark {
                                stamp: e,
                                val: t - 1,
                            };
                            self.down.push(w);
                        }
                    }
                }
            } else {
                let (b0, b1) = (self.bstart[(t - 1) as usize], self.bstart[t as usize]);
                for i in b0 as usize..b1 as usize {
                    let w = self.bq[i];
                    if !adj.enterable(w, dst) {
                        continue;
                    }
                    let from_layer = adj
                        .in_links(w)
                        .iter()
                        .any(|&(l, u)| !disabled[l.idx()] && self.h(u) == Some(t));
                    if from_layer {
                        self.path[w.idx()] = Mark {
                            stamp: e,
                            val: t - 1,
                        };
                        self.down.push(w);
                    }
                }
            }
            self.downstart.push(self.down.len() as u32);
        }
    }

    /// Step 3: the minimum latency of every path node, layer by layer in
    /// order of increasing `h` (every next hop is one layer lower, so its
    /// latency is final), and then its DAG out-links.
    fn latencies(&mut self, adj: &Adjacency, disabled: &[bool]) {
        let dst = self.dst;
        let (a, b) = self.depths;
        self.lat[dst.idx()] = 0.0;
        self.dag_out.clear();
        self.dag_range[dst.idx()] = (0, 0);
        for h in 1..=a + b {
            let pull: usize = self.layer(h).iter().map(|&u| adj.out_links(u).len()).sum();
            let push: usize = self
                .layer(h - 1)
                .iter()
                .map(|&v| adj.in_links(v).len())
                .sum();
            // Both take the minimum of the same `step + L(v)` values (the
            // expression of `dag::Ctx::in_dag`, so it is reproduced bit for
            // bit) over the same next hops: the path nodes `v` one layer
            // lower, entered over an enabled link. Each candidate link is
            // kept as `(u, link, v, step + L(v))`.
            self.cand.clear();
            if pull <= push {
                for k in 0..self.layer(h).len() {
                    let u = self.layer(h)[k];
                    let mut best = f64::INFINITY;
                    for &(l, v) in adj.out_links(u) {
                        if !disabled[l.idx()] && self.h(v) == Some(h - 1) && adj.enterable(v, dst) {
                            let x = adj.step_cost(l, v, dst) + self.lat[v.idx()];
                            best = best.min(x);
                            self.cand.push((u, l, v, x));
                        }
                    }
                    self.lat[u.idx()] = best;
                }
            } else {
                for k in 0..self.layer(h).len() {
                    let u = self.layer(h)[k];
                    self.lat[u.idx()] = f64::INFINITY;
                }
                for k in 0..self.layer(h - 1).len() {
                    let v = self.layer(h - 1)[k];
                    // Path nodes below `src` were all entered: enterable.
                    let lv = self.lat[v.idx()];
                    for &(l, u) in adj.in_links(v) {
                        if !disabled[l.idx()] && self.h(u) == Some(h) {
                            let x = adj.step_cost(l, v, dst) + lv;
                            self.lat[u.idx()] = self.lat[u.idx()].min(x);
                            self.cand.push((u, l, v, x));
                        }
                    }
                }
                // Group by tail, each tail's links by id (as `out_links`).
                self.cand.sort_unstable_by_key(|&(u, l, _, _)| (u, l));
            }
            // The DAG out-links: candidates attaining L(u) within tolerance.
            // Every path node of the layer has candidates (one attains L(u)),
            // listed contiguously.
            let mut tail = None;
            for &(u, l, v, x) in &self.cand {
                if tail != Some(u) {
                    tail = Some(u);
                    self.dag_range[u.idx()] = (self.dag_out.len() as u32, 0);
                }
                if attains(x, self.lat[u.idx()]) {
                    self.dag_out.push((l, v));
                    self.dag_range[u.idx()].1 += 1;
                }
            }
            debug_assert!(
                self.layer(h).iter().all(|&u| self.lat[u.idx()].is_finite()),
                "a path node at {h} hops has no next hop"
            );
        }
    }
}

/// Whether a link whose `step + L(head)` is `x` attains `lu = L(tail)` within
/// [`LATENCY_REL_TOL`], i.e. is in the shortest-path DAG (given the hops).
pub(super) fn attains(x: f64, lu: f64) -> bool {
    x <= lu + LATENCY_REL_TOL * lu
}

#[cfg(test)]
impl PairSearch {
    /// Nodes labeled by the two balls of the last search.
    pub(super) fn ball_size(&self) -> usize {
        self.fq.len() + self.bq.len()
    }
}

impl DistTable for PairSearch {
    fn dst(&self) -> NodeId {
        self.dst
    }

    fn hops(&self, u: NodeId) -> u32 {
        self.h(u).unwrap_or(UNREACHED)
    }

    fn lat_s(&self, u: NodeId) -> f64 {
        self.lat[u.idx()]
    }

    fn dag_links(&self, u: NodeId) -> Option<&[(LinkId, NodeId)]> {
        debug_assert!(self.h(u).is_some());
        let (start, len) = self.dag_range[u.idx()];
        Some(&self.dag_out[start as usize..(start + len) as usize])
    }
}
