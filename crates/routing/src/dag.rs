//! The shortest-path DAG of one (src, dst) pair, collected from a
//! [`DistTable`], and its walks: spray, weighted and hash routes, and the
//! seeded hash that picks a hash route's links.

use super::adjacency::Adjacency;
use super::dest::{DistTable, attains};
use super::{NONE, Route, UNREACHED};
use fabricsim_base::rng::mix64;
use fabricsim_topology::{LinkId, NodeId, Topology};

/// Reusable buffers, so routing a flow allocates only its result (and, on a
/// cache miss, its DAG).
#[derive(Default)]
pub(super) struct Scratch {
    /// `local[u]`: position of `u` in the DAG being collected, else [`NONE`]
    /// (reset after each use).
    local: Vec<u32>,
    /// Unnormalized path count to the destination (sum of successors' `norm`).
    raw: Vec<f64>,
    /// Path count to the destination divided by the maximum of its layer.
    norm: Vec<f64>,
    /// Fraction of the flow through each node.
    flow: Vec<f64>,
    /// Reachable capacity `R` of each DAG node (weighted and split hash
    /// routes) \[bytes/s\].
    reach: Vec<f64>,
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

/// The shortest-path DAG of one (src, dst) pair: the nodes reachable from
/// `src` over DAG links, in BFS order (= layer order: `src` first, `dst`
/// last), each with its DAG out-links in link-id order.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PairDag {
    /// DAG nodes in BFS order.
    pub(super) order: Vec<NodeId>,
    /// Hop count of each node of `order` to the destination.
    pub(super) hops: Vec<u32>,
    /// DAG out-links of `order[i]` are `edges[edge_start[i]..edge_start[i + 1]]`.
    pub(super) edge_start: Vec<u32>,
    /// `(local index of head, link)`.
    pub(super) edges: Vec<(u32, LinkId)>,
    /// Minimum latency from `src` to the destination \[s\].
    pub(super) latency_s: f64,
}

impl PairDag {
    /// Heap bytes held (for the cache budget), plus the struct itself.
    pub(super) fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.order.capacity() * 4
            + self.hops.capacity() * 4
            + self.edge_start.capacity() * 4
            + self.edges.capacity() * 8
    }

    fn out(&self, i: usize) -> &[(u32, LinkId)] {
        &self.edges[self.edge_start[i] as usize..self.edge_start[i + 1] as usize]
    }

    /// Hop count from `src` to the destination.
    pub(super) fn src_hops(&self) -> u32 {
        self.hops[0]
    }
}

/// Read-only view used to collect one DAG.
pub(super) struct Ctx<'a, T: DistTable> {
    pub(super) adj: &'a Adjacency<'a>,
    pub(super) disabled: &'a [bool],
    pub(super) table: &'a T,
}

impl<T: DistTable> Ctx<'_, T> {
    /// Whether `l` (an out-link of `u`, which reaches the destination) is in
    /// the shortest-path DAG.
    fn in_dag(&self, u: NodeId, l: LinkId, v: NodeId) -> bool {
        if self.disabled[l.idx()] {
            return false;
        }
        let dst = self.table.dst();
        let (hu, hv) = (self.table.hops(u), self.table.hops(v));
        if hv == UNREACHED || hv + 1 != hu || !self.adj.enterable(v, dst) {
            return false;
        }
        let step = self.adj.step_cost(l, v, dst);
        attains(step + self.table.lat_s(v), self.table.lat_s(u))
    }

    /// Collects the DAG nodes reachable from `src` (which reaches the
    /// destination) by BFS with their DAG out-links.
    pub(super) fn collect_dag(&self, src: NodeId, s: &mut Scratch) -> PairDag {
        let mut dag = PairDag {
            order: vec![src],
            hops: vec![self.table.hops(src)],
            edge_start: Vec::new(),
            edges: Vec::new(),
            latency_s: self.table.lat_s(src),
        };
        debug_assert_ne!(dag.hops[0], UNREACHED);
        s.local[src.idx()] = 0;
        let mut i = 0;
        while i < dag.order.len() {
            let u = dag.order[i];
            dag.edge_start.push(dag.edges.len() as u32);
            let mut visit = |l: LinkId, v: NodeId| {
                if s.local[v.idx()] == NONE {
                    s.local[v.idx()] = dag.order.len() as u32;
                    dag.order.push(v);
                    dag.hops.push(self.table.hops(v));
                }
                dag.edges.push((s.local[v.idx()], l));
            };
            match self.table.dag_links(u) {
                Some(links) => links.iter().for_each(|&(l, v)| visit(l, v)),
                None => {
                    for &(l, v) in self.adj.out_links(u) {
                        if self.in_dag(u, l, v) {
                            visit(l, v);
                        }
                    }
                }
            }
            i += 1;
        }
        dag.edge_start.push(dag.edges.len() as u32);
        for &u in &dag.order {
            s.local[u.idx()] = NONE;
        }
        debug_assert_eq!(
            dag.order.last(),
            Some(&self.table.dst()),
            "the last DAG layer is the destination"
        );
        dag
    }
}

/// The DAG of a pair joined by an enabled direct link `src → dst`, built
/// without the search: one hop is the fewest possible, so the DAG is every
/// enabled direct link that attains the minimum latency
/// `L(src) = min_l step_cost(l)` (within [`LATENCY_REL_TOL`](super::LATENCY_REL_TOL)); it equals
/// what [`Ctx::collect_dag`] collects from the search's table. `None` when no
/// enabled direct link exists.
pub(super) fn direct_dag(
    adj: &Adjacency,
    disabled: &[bool],
    src: NodeId,
    dst: NodeId,
) -> Option<PairDag> {
    let direct = || {
        adj.out_links(src)
            .iter()
            .filter(move |&&(l, v)| v == dst && !disabled[l.idx()])
            .map(move |&(l, v)| (l, adj.step_cost(l, v, dst)))
    };
    let min = direct().map(|(_, c)| c).reduce(f64::min)?;
    let edges: Vec<(u32, LinkId)> = direct()
        .filter(|&(_, c)| attains(c, min))
        .map(|(l, _)| (1, l))
        .collect();
    let k = edges.len() as u32;
    Some(PairDag {
        order: vec![src, dst],
        hops: vec![1, 0],
        edge_start: vec![0, k, k],
        edges,
        latency_s: min,
    })
}

/// Per-path even split over all equal-cost paths of `dag` (see [`Router`]).
///
/// [`Router`]: super::Router
pub(super) fn spray_route(dag: &PairDag, s: &mut Scratch) -> Route {
    let n = dag.order.len();

    // Backward pass: path counts to `dst`, rescaled per layer.
    s.raw.clear();
    s.raw.resize(n, 0.0);
    s.norm.clear();
    s.norm.resize(n, 0.0);
    let mut end = n;
    while end > 0 {
        let h = dag.hops[end - 1];
        let mut begin = end - 1;
        while begin > 0 && dag.hops[begin - 1] == h {
            begin -= 1;
        }
        let mut max = 0.0f64;
        for j in begin..end {
            let r = if j == n - 1 {
                1.0 // The destination.
            } else {
                dag.out(j).iter().map(|&(v, _)| s.norm[v as usize]).sum()
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
    // Zero `raw` only if path counts underflowed across a layer (beyond 1e300
    // paths); such branches carry no flow.
    let (norm, raw) = (&s.norm, &s.raw);
    push_flow(dag, &mut s.flow, raw, |fu, ru, v, _| fu * norm[v] / ru)
}

/// The forward pass shared by spray and weighted routes: flow 1 starts at
/// `src` (DAG node 0); in BFS (= topological) order each node `u` with flow
/// `fu` and a nonzero `total[u]` sends `share(fu, total[u], v, l)` over each
/// DAG out-link `u → v`. Returns the links with their fractions, by link id.
fn push_flow(
    dag: &PairDag,
    flow: &mut Vec<f64>,
    total: &[f64],
    share: impl Fn(f64, f64, usize, LinkId) -> f64,
) -> Route {
    let n = dag.order.len();
    flow.clear();
    flow.resize(n, 0.0);
    flow[0] = 1.0;
    let mut links = Vec::with_capacity(dag.edges.len());
    for u in 0..n {
        let (fu, tu) = (flow[u], total[u]);
        if fu == 0.0 || tu <= 0.0 {
            continue;
        }
        for &(v, l) in dag.out(u) {
            let f = share(fu, tu, v as usize, l);
            flow[v as usize] += f;
            if f > 0.0 {
                links.push((l, f.min(1.0)));
            }
        }
    }
    links.sort_unstable_by_key(|&(l, _)| l);
    Route {
        links,
        latency_s: dag.latency_s,
    }
}

/// Reachable capacity of every DAG node (see [`RoutingMode::Weighted`]),
/// into `reach` (indexed like `dag.order`): backward over the BFS order,
/// `R(dst) = ∞` and `R(u) = Σ_{DAG links u → v} min(cap(u → v), R(v))`.
///
/// BFS order is a topological order of the DAG (every link goes from layer
/// `h` to layer `h − 1`), so `R(v)` is final before any `u → v` is read.
///
/// [`RoutingMode::Weighted`]: super::RoutingMode::Weighted
fn reachable_capacity(topo: &Topology, dag: &PairDag, reach: &mut Vec<f64>) {
    let n = dag.order.len();
    reach.clear();
    reach.resize(n, 0.0);
    reach[n - 1] = f64::INFINITY; // The destination.
    for u in (0..n - 1).rev() {
        reach[u] = dag
            .out(u)
            .iter()
            .map(|&(v, l)| topo.links[l.idx()].capacity_bps.min(reach[v as usize]))
            .sum();
    }
    // Capacities are positive and finite (a `Topology` invariant) and every
    // DAG node but the destination has a DAG out-link, so each `R(u)` is
    // positive, and finite unless the sum overflowed.
    debug_assert!(
        reach[..n - 1].iter().all(|r| r.is_finite() && *r > 0.0),
        "reachable capacity of a DAG node is not positive and finite"
    );
}

/// Weight of DAG link `l` (head at DAG index `v`) in a capacity split:
/// `w(u → v) = min(cap(u → v), R(v))`.
fn link_weight(topo: &Topology, reach: &[f64], v: usize, l: LinkId) -> f64 {
    topo.links[l.idx()].capacity_bps.min(reach[v])
}

/// Split in proportion to the capacity reachable downstream over `dag` (see
/// [`RoutingMode::Weighted`]): with `R` from [`reachable_capacity`] and
/// `frac(src) = 1`, each node `u` in BFS (= topological) order gives each
/// DAG out-link `u → v` `frac(u) · w(u → v) / R(u)`, with
/// `w(u → v) = min(cap(u → v), R(v))` and `R(u) = Σ_w w(u → w)`, and adds it
/// to `frac(v)`.
///
/// [`RoutingMode::Weighted`]: super::RoutingMode::Weighted
pub(super) fn weighted_route(topo: &Topology, dag: &PairDag, s: &mut Scratch) -> Route {
    reachable_capacity(topo, dag, &mut s.reach);
    let reach = &s.reach;
    push_flow(dag, &mut s.flow, reach, |fu, total, v, l| {
        fu * (link_weight(topo, reach, v, l) / total)
    })
}

/// The route of one flow in [`RoutingMode::Hash`] over `dag`: at each node
/// the flow is split over its *interleaved* DAG out-links (`interleaved[l]`,
/// scale-up links) as in [`weighted_route`], and its share for the other
/// (hashed, scale-out) out-links goes on one of them, picked in link-id
/// order among those alone by hash of (`key`, node). Precisely, at DAG node
/// `u` with interleaved out-links `I` and hashed out-links `H`:
///
/// - `H` empty: `frac(u → v) = frac(u) · w(u → v) / R(u)` for `v ∈ I`
///   (the weighted split);
/// - `H` non-empty: `frac(u → v)` as above for `v ∈ I`, and the picked
///   `h ∈ H` carries `frac(u) · Σ_{x ∈ H} w(u → x) / R(u)`; the other links of
///   `H` carry nothing. With `I` empty this is all of `frac(u)` on one link:
///   plain ECMP hashing.
///
/// When no node on the walk has two or more out-links of which one is
/// interleaved, the route is one path, found in O(hops) without computing
/// `R`, and its latency is that path's; otherwise the split needs `R` and
/// one forward pass over the DAG, and the latency is the DAG's shortest-path
/// latency (the paths agree within [`LATENCY_REL_TOL`](super::LATENCY_REL_TOL) per hop).
///
/// [`RoutingMode::Hash`]: super::RoutingMode::Hash
/// [`LATENCY_REL_TOL`](super::LATENCY_REL_TOL): super::LATENCY_REL_TOL
pub(super) fn hash_route(
    topo: &Topology,
    adj: &Adjacency,
    interleaved: &[bool],
    dag: &PairDag,
    key: u64,
    s: &mut Scratch,
) -> Route {
    let splits = |i: usize| {
        let choices = dag.out(i);
        choices.len() > 1 && choices.iter().any(|&(_, l)| interleaved[l.idx()])
    };
    let last = dag.order.len() - 1;
    let dst = dag.order[last];
    let mut links = Vec::with_capacity(dag.src_hops() as usize);
    let mut latency_s = 0.0;
    let mut i = 0;
    while i != last {
        if splits(i) {
            return split_hash_route(topo, interleaved, dag, key, s);
        }
        let choices = dag.out(i);
        debug_assert!(!choices.is_empty(), "DAG node without next hop");
        let (v, l) = choices[pick_index(node_hash(key, dag, i), choices.len())];
        links.push((l, 1.0));
        latency_s += adj.step_cost(l, dag.order[v as usize], dst);
        i = v as usize;
    }
    links.sort_unstable_by_key(|&(l, _)| l);
    Route { links, latency_s }
}

/// [`hash_route`] when some node splits over interleaved links: one forward
/// pass over the DAG in BFS (= topological) order, as [`push_flow`].
fn split_hash_route(
    topo: &Topology,
    interleaved: &[bool],
    dag: &PairDag,
    key: u64,
    s: &mut Scratch,
) -> Route {
    reachable_capacity(topo, dag, &mut s.reach);
    let (reach, flow) = (&s.reach, &mut s.flow);
    let n = dag.order.len();
    flow.clear();
    flow.resize(n, 0.0);
    flow[0] = 1.0;
    let mut links = Vec::with_capacity(dag.edges.len());
    let mut give = |v: u32, l: LinkId, f: f64, flow: &mut Vec<f64>| {
        flow[v as usize] += f;
        if f > 0.0 {
            links.push((l, f.min(1.0)));
        }
    };
    for u in 0..n - 1 {
        let (fu, ru) = (flow[u], reach[u]);
        if fu == 0.0 {
            continue;
        }
        let choices = dag.out(u);
        let hashed = choices.iter().filter(|&&(_, l)| !interleaved[l.idx()]);
        let count = hashed.clone().count();
        let mut group = 0.0;
        for &(v, l) in choices {
            let w = link_weight(topo, reach, v as usize, l);
            if interleaved[l.idx()] {
                give(v, l, fu * (w / ru), flow);
            } else {
                group += w;
            }
        }
        if count > 0 {
            let pick = pick_index(node_hash(key, dag, u), count);
            let (v, l) = *hashed.clone().nth(pick).expect("pick < count");
            give(v, l, fu * (group / ru), flow);
        }
    }
    links.sort_unstable_by_key(|&(l, _)| l);
    Route {
        links,
        latency_s: dag.latency_s,
    }
}

/// The hash that picks among the hashed out-links of DAG node `i`:
/// splitmix64 of (flow key ⊕ node id).
fn node_hash(key: u64, dag: &PairDag, i: usize) -> u64 {
    mix64(key ^ u64::from(dag.order[i].0))
}

/// Per-flow hash key: chained splitmix64 of (seed, src, dst, flow id).
pub(super) fn hash_key(seed: u64, src: NodeId, dst: NodeId, flow_id: u64) -> u64 {
    let h = mix64(seed);
    let h = mix64(h ^ u64::from(src.0));
    let h = mix64(h ^ u64::from(dst.0));
    mix64(h ^ flow_id)
}

/// Maps a uniform 64-bit hash onto `0..n` by multiply-high (Lemire), which
/// avoids the bias of `%` towards small indices beyond 2^-64 · n.
fn pick_index(h: u64, n: usize) -> usize {
    ((u128::from(h) * n as u128) >> 64) as usize
}
