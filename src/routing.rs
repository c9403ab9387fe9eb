//! Shortest-path ECMP routing: which directed links a flow crosses, and what
//! fraction of its rate crosses each.
//!
//! This module owns the Routing section of `docs/semantics.md`:
//!
//! - Flows follow shortest paths: fewest hops first, then lowest latency. The
//!   latency of a path is the sum of its link latencies plus the forwarding
//!   latency ([`Node::latency_s`]) of every *intermediate* node (not of the
//!   source or the destination).
//! - Only forwarding nodes ([`Node::forwards`]: switches and NICs by default)
//!   may be intermediate nodes. Accelerators and hosts are endpoints only: a
//!   flow may start or end at one but never passes through it, unless the
//!   topology sets `forwards = true` on it (chips that route, e.g. a torus).
//!   Shortest paths are shortest among the paths that obey this rule.
//! - Two paths are *equal-cost* when they have the same hop count and their
//!   latencies agree within [`LATENCY_REL_TOL`] (relative).
//! - [`RoutingMode::Spray`] splits a flow evenly across *all* equal-cost paths
//!   (even per path, not per hop); [`RoutingMode::Weighted`] splits it hop by
//!   hop over the equal-cost next-hop links in proportion to their capacity;
//!   [`RoutingMode::Hash`] puts each flow on one equal-cost path chosen by a
//!   seeded hash of (src, dst, flow id).
//! - Failed links are removed before routing ([`Router::disable_links`]); an
//!   unreachable destination is an error naming both endpoints.
//!
//! Guarantees:
//!
//! - INVARIANT: every link of a [`Route`] lies on an equal-cost shortest path
//!   from the source to the destination, and no disabled link is used.
//! - INVARIANT: no link of a [`Route`] leaves a non-forwarding node other than
//!   the source, and none enters one other than the destination.
//! - INVARIANT: spray and weighted fractions conserve flow: 1 leaves the
//!   source, 1 enters the destination, and inflow equals outflow at every
//!   other node (up to floating-point rounding).
//! - INVARIANT: results depend only on the topology, the disabled links, the
//!   mode, the seed and the flow id: never on cache state, call order, thread
//!   or machine. No `RandomState`, global RNG or global counter is involved.
//!
//! Paths are never enumerated. A per-destination table (hop count and latency
//! from every node to the destination) defines the shortest-path DAG; spray
//! fractions come from path counts by dynamic programming on that DAG, weighted
//! fractions from one forward pass over it, and a hash walk picks one outgoing
//! DAG link per node.
//!
//! [`Node::latency_s`]: crate::topology::Node::latency_s
//! [`Node::forwards`]: crate::topology::Node::forwards

use std::collections::HashMap;

use crate::topology::{Link, LinkId, NodeId, Topology};

/// A routed path set for one flow: each directed link it crosses with the
/// fraction of the flow's rate that crosses it, and the latency before its
/// first byte arrives.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// `(link, fraction)` pairs, sorted by link id, fractions in (0, 1].
    pub links: Vec<(crate::topology::LinkId, f64)>,
    /// Sum of link latencies and intermediate switch forwarding latencies along
    /// one of the equal-cost paths (all have equal latency by construction) \[s\].
    pub latency_s: f64,
}

/// How a flow is spread over equal-cost paths.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RoutingMode {
    /// Split evenly across all equal-cost paths (fluid packet spraying).
    #[default]
    Spray,
    /// One path per flow, chosen by a deterministic seeded hash of (src, dst, flow id).
    Hash,
    /// Split hop by hop over the equal-cost shortest-path DAG in proportion to
    /// link capacity (NVLink port interleaving, adaptive routing). With
    /// `frac(src) = 1`, every DAG node `u` divides its inflow among its
    /// equal-cost next-hop links `u → v` as
    /// `frac(u → v) = frac(u) · cap(u → v) / Σ_{next hops u → w} cap(u → w)`,
    /// and `frac(v) = Σ frac(u → v)` over its DAG in-links; `cap` is
    /// `capacity_bps`, which includes the lane `count`. Equals [`Self::Spray`]
    /// on a symmetric Clos; on an HGX H100 board (5/4/4/5 NVLink lanes per GPU
    /// to 4 NVSwitches) a GPU → GPU flow goes 5/18, 4/18, 4/18, 5/18 via the four
    /// switches instead of 1/4 each.
    Weighted,
}

/// Relative tolerance under which two path latencies with the same hop count
/// are equal-cost: a link `u → v` is on a shortest path when
/// `latency(u → v) + latency_to_dst(v) <= latency_to_dst(u) × (1 + LATENCY_REL_TOL)`.
///
/// It absorbs floating-point rounding (e.g. `0.1 + 0.2` vs `0.3`), not real
/// latency differences: 1e-9 of a 1 µs path is 1 fs. Because the test is made
/// per hop, the paths of one route may differ in latency by up to
/// `hops × LATENCY_REL_TOL` (relative).
pub const LATENCY_REL_TOL: f64 = 1e-9;

/// Default memory budget for cached per-destination tables \[bytes\]. Each
/// table costs 12 bytes per node (a `u32` hop count and an `f64` latency), so
/// a 100K-node fabric keeps about 220 destinations by default.
pub const DEFAULT_DEST_CACHE_BYTES: usize = 256 << 20;

/// Default bound on the total number of `(link, fraction)` entries held by the
/// spray-route cache, which also holds weighted routes (16 bytes each, so
/// about 256 MiB).
pub const DEFAULT_SPRAY_CACHE_LINKS: usize = 16 << 20;

/// Hop count of a node that cannot reach the destination.
const UNREACHED: u32 = u32::MAX;
/// Empty slot marker in index vectors.
const NONE: u32 = u32::MAX;

/// Errors from routing a flow. Input errors only: a broken internal invariant
/// is a bug and panics in debug builds.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum RoutingError {
    /// The flow's source and destination are the same node.
    #[error("flow source and destination are the same node {name}")]
    SameNode { node: NodeId, name: String },
    /// No path from `src` to `dst` (disconnected fabric or failed links).
    #[error("no route from {src_name} to {dst_name}: destination unreachable")]
    Unreachable {
        src: NodeId,
        dst: NodeId,
        src_name: String,
        dst_name: String,
    },
    /// A node id outside the topology.
    #[error("node id {} does not exist (topology has {count} nodes)", node.0)]
    UnknownNode { node: NodeId, count: usize },
    /// A link id outside the topology.
    #[error("link id {} does not exist (topology has {count} links)", link.0)]
    UnknownLink { link: LinkId, count: usize },
}

/// Cache counters, for tests and performance reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouterStats {
    /// Lookups answered by a cached per-destination table.
    pub dest_hits: u64,
    /// Per-destination tables computed (each one O(V + E)).
    pub dest_misses: u64,
    /// Per-destination tables evicted to respect the cache capacity.
    pub dest_evictions: u64,
    /// Spray or weighted routes answered from the (src, dst) cache.
    pub spray_hits: u64,
    /// Spray or weighted routes computed.
    pub spray_misses: u64,
}

/// Shortest-path ECMP router over one [`Topology`], with a route cache.
///
/// Algorithm:
///
/// 1. *Per destination* `d` (cached): a reverse BFS from `d` over enabled links
///    gives every node's hop count `h(u)` to `d`. The BFS expands (looks at
///    the in-links of) only `d` and forwarding nodes: a non-forwarding node
///    gets a hop count, as a possible source, but nothing is routed through
///    it. Because hops dominate the cost, the BFS layers are exact; within
///    them, the minimum latency
///    `L(u) = min over links u→v with h(v) = h(u) − 1 and v enterable of lat(u→v) + fwd(v) + L(v)`
///    (`fwd(v)` = 0 when `v = d`; `v` is *enterable* when `v = d` or `v`
///    forwards) is a DP in BFS order. A link `u → v` is in the
///    shortest-path DAG when `v` is enterable, `h(v) = h(u) − 1` and it
///    attains `L(u)` within [`LATENCY_REL_TOL`]; the spray, weighted and hash
///    walks all use this one test, so they never pass through a
///    non-forwarding node either. Next-hop lists are not stored: they are re-derived
///    from the out-links of `u` in O(out-degree), which keeps a table at
///    12 bytes per node.
/// 2. *Spray* (cached per (src, dst)): the DAG nodes reachable from `src` are
///    found by BFS, which visits them layer by layer (`h` decreases by exactly
///    one per link). A backward pass counts paths to `d`, `P(u) = Σ P(v)`; a
///    forward pass pushes flow 1 from `src`, splitting at each `u` in
///    proportion `P(v) / P(u)`. The fraction on `u → v` is then
///    `paths(src→u) × paths(v→d) / paths(src→d)`, the per-path even split.
///    Path counts grow exponentially with depth, so each layer's counts are
///    rescaled by the layer's maximum (only ratios within a layer are used):
///    the computation is in `f64` and can neither overflow nor lose relative
///    precision beyond rounding, whatever the number of paths.
/// 3. *Weighted* (cached per (src, dst) like spray): the same reachable DAG,
///    then one forward pass in BFS order: `frac(src) = 1`, and each node `u`
///    splits `frac(u)` over its DAG out-links in proportion to `capacity_bps`,
///    `frac(u → v) = frac(u) · cap(u → v) / Σ_w cap(u → w)`, adding the result
///    to `frac(v)`. BFS order is a topological order of the DAG (every link
///    goes from layer `h` to layer `h − 1`), so `frac(u)` is final when `u` is
///    split.
/// 4. *Hash*: walk the DAG from `src`; at each node pick one of its DAG
///    out-links (in link-id order) with a splitmix64 hash of
///    (seed, src, dst, flow id, node). Each switch thus splits uniformly per
///    hop, like hardware ECMP; on a DAG whose branches hold different numbers
///    of paths this is not the per-path split of spray.
///
/// # Complexity
///
/// With `V` nodes and `E` links:
///
/// - construction: O(V + E) time and memory (CSR adjacency sorted by link id);
/// - a per-destination table: O(V + E) time, 12·V bytes; at most
///   `max_destinations` tables are kept (least recently used is evicted);
/// - a spray or weighted route: O(Σ out-degree over the DAG nodes reachable
///   from `src` + k log k) for `k` links in the route, then O(k) per cache hit;
/// - a hash route: O(Σ out-degree along the chosen path).
///
/// For a 100K-node fabric, route flows grouped by destination (or raise the
/// capacity with [`Router::with_cache_limits`]) so each table is built once.
///
/// A `Router` holds no `Rc` or interior mutability; it is `Send + Sync`, so a
/// later version can share read-only tables across rayon threads.
///
/// # Example
///
/// ```
/// // gpu0 ──1 µs──▶ sw ──1 µs──▶ gpu1     (and back; sw forwards in 0.1 µs)
/// use fabricsim::routing::{Router, RoutingMode};
/// use fabricsim::topology::{Link, LinkId, Node, NodeId, NodeRole, Topology};
///
/// let node = |name: &str, role: NodeRole, latency_s: f64| Node {
///     name: name.into(),
///     role,
///     kind: String::new(),
///     latency_s,
///     in_switch_reduction: false,
///     forwards: role.forwards_by_default(),
/// };
/// let link = |src: u32, dst: u32| Link {
///     src: NodeId(src),
///     dst: NodeId(dst),
///     capacity_bps: 50e9,
///     latency_s: 1e-6,
///     kind: "nvlink4".into(),
///     count: 1,
///     tier: "scale-up".into(),
/// };
/// let nodes = vec![
///     node("gpu0", NodeRole::Accelerator, 0.0),
///     node("sw", NodeRole::Switch, 1e-7),
///     node("gpu1", NodeRole::Accelerator, 0.0),
/// ];
/// let links = vec![link(0, 1), link(1, 0), link(1, 2), link(2, 1)];
/// let topo = Topology::from_parts("line".into(), nodes, links);
///
/// let mut router = Router::new(&topo, RoutingMode::Spray, 0);
/// let route = router.route(NodeId(0), NodeId(2), 0)?;
/// assert_eq!(route.links, vec![(LinkId(0), 1.0), (LinkId(2), 1.0)]);
/// assert!((route.latency_s - 2.1e-6).abs() < 1e-18);
/// assert_eq!(router.hops(NodeId(0), NodeId(2))?, 2);
/// # Ok::<(), fabricsim::routing::RoutingError>(())
/// ```
pub struct Router<'t> {
    topo: &'t Topology,
    mode: RoutingMode,
    seed: u64,
    adj: Adjacency,
    /// `disabled[l]`: link `l` has failed and is ignored.
    disabled: Vec<bool>,
    dests: DestCache,
    spray: SprayCache,
    scratch: Scratch,
    stats: RouterStats,
}

impl<'t> Router<'t> {
    /// A router over `topo` with default cache limits ([`DEFAULT_DEST_CACHE_BYTES`],
    /// [`DEFAULT_SPRAY_CACHE_LINKS`]). `seed` only affects [`RoutingMode::Hash`].
    ///
    /// # Complexity
    ///
    /// O(V + E) time and memory.
    pub fn new(topo: &'t Topology, mode: RoutingMode, seed: u64) -> Self {
        let n = topo.nodes.len();
        let per_table = 12 * n.max(1);
        let max_destinations = (DEFAULT_DEST_CACHE_BYTES / per_table).clamp(1, n.max(1));
        Router {
            topo,
            mode,
            seed,
            adj: Adjacency::new(topo),
            disabled: vec![false; topo.links.len()],
            dests: DestCache {
                slot_of: vec![NONE; n],
                tables: Vec::new(),
                capacity: max_destinations,
                tick: 0,
            },
            spray: SprayCache {
                routes: HashMap::new(),
                links: 0,
                capacity_links: DEFAULT_SPRAY_CACHE_LINKS,
            },
            scratch: Scratch {
                local: vec![NONE; n],
                ..Scratch::default()
            },
            stats: RouterStats::default(),
        }
    }

    /// Sets the cache bounds: at most `max_destinations` per-destination tables
    /// (12·V bytes each; at least 1 is kept) and at most `max_spray_links`
    /// `(link, fraction)` entries over all cached spray or weighted routes.
    /// When that cache would exceed its bound it is emptied (a cheap
    /// generational policy). Clears both caches.
    pub fn with_cache_limits(mut self, max_destinations: usize, max_spray_links: usize) -> Self {
        self.dests.capacity = max_destinations.max(1);
        self.spray.capacity_links = max_spray_links;
        self.clear_caches();
        self
    }

    /// The mode this router spreads flows with.
    pub fn mode(&self) -> RoutingMode {
        self.mode
    }

    /// Cache counters since construction.
    pub fn stats(&self) -> RouterStats {
        self.stats
    }

    /// Removes failed links from routing (idempotent) and clears the caches.
    /// A failed switch is modelled by disabling all of its links. Either every
    /// id is valid and all are disabled, or nothing changes.
    ///
    /// # Complexity
    ///
    /// O(len(links) + cached tables).
    pub fn disable_links(&mut self, links: &[LinkId]) -> Result<(), RoutingError> {
        let count = self.topo.links.len();
        if let Some(&link) = links.iter().find(|l| l.idx() >= count) {
            return Err(RoutingError::UnknownLink { link, count });
        }
        for l in links {
            self.disabled[l.idx()] = true;
        }
        self.clear_caches();
        Ok(())
    }

    /// The route of flow `flow_id` from `src` to `dst` in this router's mode.
    ///
    /// Spray: every link of every equal-cost shortest path with its per-path
    /// even fraction (cached per (src, dst); `flow_id` is ignored). Weighted:
    /// the same links, with the hop-by-hop capacity-proportional fractions of
    /// [`RoutingMode::Weighted`] (cached likewise). Hash: the links of one
    /// equal-cost shortest path, each with fraction 1.0. `latency_s` is the
    /// shortest-path latency for spray and weighted and the chosen path's
    /// summed latency for hash (equal within [`LATENCY_REL_TOL`] per hop).
    ///
    /// # Errors
    ///
    /// [`RoutingError::SameNode`] if `src == dst`, [`RoutingError::Unreachable`]
    /// if no enabled path exists, [`RoutingError::UnknownNode`] for an id
    /// outside the topology.
    ///
    /// # Complexity
    ///
    /// See [`Router`]: O(V + E) on a destination-table miss, then
    /// O(DAG out-degrees reachable from `src`) for a new spray or weighted
    /// route, O(k) for a cached one, O(out-degrees along the path) for hash.
    pub fn route(&mut self, src: NodeId, dst: NodeId, flow_id: u64) -> Result<Route, RoutingError> {
        self.check_node(src)?;
        self.check_node(dst)?;
        if src == dst {
            return Err(RoutingError::SameNode {
                node: src,
                name: self.topo.nodes[src.idx()].name.clone(),
            });
        }
        if matches!(self.mode, RoutingMode::Spray | RoutingMode::Weighted)
            && let Some(r) = self.spray.routes.get(&(src, dst))
        {
            self.stats.spray_hits += 1;
            return Ok(r.clone());
        }
        let slot = self.dest_slot(dst);
        let table = &self.dests.tables[slot];
        if table.hops[src.idx()] == UNREACHED {
            return Err(self.unreachable(src, dst));
        }
        let ctx = Ctx {
            topo: self.topo,
            adj: &self.adj,
            disabled: &self.disabled,
            table,
        };
        match self.mode {
            RoutingMode::Spray => {
                self.stats.spray_misses += 1;
                let route = ctx.spray_route(src, &mut self.scratch);
                self.spray.insert(src, dst, &route);
                Ok(route)
            }
            RoutingMode::Weighted => {
                self.stats.spray_misses += 1;
                let route = ctx.weighted_route(src, &mut self.scratch);
                self.spray.insert(src, dst, &route);
                Ok(route)
            }
            RoutingMode::Hash => {
                let key = hash_key(self.seed, src, dst, flow_id);
                Ok(ctx.hash_route(src, key, &mut self.scratch))
            }
        }
    }

    /// Hop count of the shortest paths from `src` to `dst` (0 when `src == dst`).
    ///
    /// # Errors
    ///
    /// [`RoutingError::Unreachable`] if no enabled path exists,
    /// [`RoutingError::UnknownNode`] for an id outside the topology.
    ///
    /// # Complexity
    ///
    /// O(1) with a cached table for `dst`, else O(V + E).
    pub fn hops(&mut self, src: NodeId, dst: NodeId) -> Result<u32, RoutingError> {
        self.check_node(src)?;
        self.check_node(dst)?;
        let slot = self.dest_slot(dst);
        match self.dests.tables[slot].hops[src.idx()] {
            UNREACHED => Err(self.unreachable(src, dst)),
            h => Ok(h),
        }
    }

    fn check_node(&self, node: NodeId) -> Result<(), RoutingError> {
        let count = self.topo.nodes.len();
        if node.idx() < count {
            Ok(())
        } else {
            Err(RoutingError::UnknownNode { node, count })
        }
    }

    fn unreachable(&self, src: NodeId, dst: NodeId) -> RoutingError {
        RoutingError::Unreachable {
            src,
            dst,
            src_name: self.topo.nodes[src.idx()].name.clone(),
            dst_name: self.topo.nodes[dst.idx()].name.clone(),
        }
    }

    fn clear_caches(&mut self) {
        for t in &self.dests.tables {
            self.dests.slot_of[t.dst.idx()] = NONE;
        }
        self.dests.tables.clear();
        self.spray.routes.clear();
        self.spray.links = 0;
    }

    /// The cache slot holding `dst`'s table, computing it (and evicting the
    /// least recently used table if the cache is full) on a miss.
    fn dest_slot(&mut self, dst: NodeId) -> usize {
        let cache = &mut self.dests;
        cache.tick += 1;
        let slot = cache.slot_of[dst.idx()];
        if slot != NONE {
            self.stats.dest_hits += 1;
            cache.tables[slot as usize].last_used = cache.tick;
            return slot as usize;
        }
        self.stats.dest_misses += 1;
        let slot = if cache.tables.len() < cache.capacity {
            cache.tables.push(DestTable {
                dst,
                last_used: 0,
                hops: Vec::new(),
                lat_s: Vec::new(),
            });
            cache.tables.len() - 1
        } else {
            // Ticks are unique, so the minimum is unique: eviction is deterministic.
            let (slot, victim) = cache
                .tables
                .iter()
                .enumerate()
                .min_by_key(|(_, t)| t.last_used)
                .expect("cache capacity is at least 1");
            cache.slot_of[victim.dst.idx()] = NONE;
            self.stats.dest_evictions += 1;
            slot
        };
        let table = &mut cache.tables[slot];
        fill_dest_table(
            self.topo,
            &self.adj,
            &self.disabled,
            dst,
            table,
            &mut self.scratch.queue,
        );
        table.last_used = cache.tick;
        cache.slot_of[dst.idx()] = slot as u32;
        slot
    }
}

/// Outgoing and incoming links of every node in CSR form, each list sorted by
/// link id (petgraph's adjacency lists are in reverse insertion order; ours
/// fix the order that hash choices index into).
struct Adjacency {
    out_start: Vec<u32>,
    out: Vec<LinkId>,
    in_start: Vec<u32>,
    inc: Vec<LinkId>,
    /// `forwards[u]`: flows may pass through `u` ([`Node::forwards`]).
    ///
    /// [`Node::forwards`]: crate::topology::Node::forwards
    forwards: Vec<bool>,
}

impl Adjacency {
    fn new(topo: &Topology) -> Self {
        let (out_start, out) = csr(topo, |l| l.src);
        let (in_start, inc) = csr(topo, |l| l.dst);
        Adjacency {
            out_start,
            out,
            in_start,
            inc,
            forwards: topo.nodes.iter().map(|n| n.forwards).collect(),
        }
    }

    /// Whether a path towards `dst` may enter `v`: it is the destination or
    /// forwards traffic.
    fn enterable(&self, v: NodeId, dst: NodeId) -> bool {
        v == dst || self.forwards[v.idx()]
    }

    fn out_links(&self, u: NodeId) -> &[LinkId] {
        &self.out[self.out_start[u.idx()] as usize..self.out_start[u.idx() + 1] as usize]
    }

    fn in_links(&self, u: NodeId) -> &[LinkId] {
        &self.inc[self.in_start[u.idx()] as usize..self.in_start[u.idx() + 1] as usize]
    }
}

/// Counting sort of link ids by `key(link)`; stable, so each list is sorted by id.
fn csr(topo: &Topology, key: impl Fn(&Link) -> NodeId) -> (Vec<u32>, Vec<LinkId>) {
    let n = topo.nodes.len();
    let mut start = vec![0u32; n + 1];
    for l in &topo.links {
        start[key(l).idx() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![LinkId(0); topo.links.len()];
    for (i, l) in topo.links.iter().enumerate() {
        let k = key(l).idx();
        items[fill[k] as usize] = LinkId(i as u32);
        fill[k] += 1;
    }
    (start, items)
}

/// Shortest-path data towards one destination.
struct DestTable {
    dst: NodeId,
    /// Logical time of the last use, for LRU eviction.
    last_used: u64,
    /// Hop count from each node to `dst` ([`UNREACHED`] if none).
    hops: Vec<u32>,
    /// Minimum latency from each node to `dst` over min-hop paths \[s\].
    lat_s: Vec<f64>,
}

/// At most `capacity` destination tables, with an index from node to slot.
struct DestCache {
    /// `slot_of[d]`: slot of `d`'s table in `tables`, or [`NONE`].
    slot_of: Vec<u32>,
    tables: Vec<DestTable>,
    capacity: usize,
    tick: u64,
}

/// Spray or weighted routes (a router has one mode) by (src, dst), bounded by
/// the total number of link entries.
struct SprayCache {
    routes: HashMap<(NodeId, NodeId), Route>,
    links: usize,
    capacity_links: usize,
}

impl SprayCache {
    fn insert(&mut self, src: NodeId, dst: NodeId, route: &Route) {
        let k = route.links.len();
        if k > self.capacity_links {
            return;
        }
        if self.links + k > self.capacity_links {
            self.routes.clear();
            self.links = 0;
        }
        self.links += k;
        self.routes.insert((src, dst), route.clone());
    }
}

/// Reusable buffers, so routing a flow allocates only its result.
#[derive(Default)]
struct Scratch {
    /// BFS queue for destination tables.
    queue: Vec<NodeId>,
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

/// Latency added by crossing `link` towards `dst`: the link's own latency plus
/// the forwarding latency of its head, unless the head is the destination.
fn step_cost(topo: &Topology, link: &Link, dst: NodeId) -> f64 {
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
fn fill_dest_table(
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

/// Read-only view used to compute one route.
struct Ctx<'a> {
    topo: &'a Topology,
    adj: &'a Adjacency,
    disabled: &'a [bool],
    table: &'a DestTable,
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
    fn spray_route(&self, src: NodeId, s: &mut Scratch) -> Route {
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
    fn weighted_route(&self, src: NodeId, s: &mut Scratch) -> Route {
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
    fn hash_route(&self, src: NodeId, key: u64, s: &mut Scratch) -> Route {
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
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Per-flow hash key: chained splitmix64 of (seed, src, dst, flow id).
fn hash_key(seed: u64, src: NodeId, dst: NodeId, flow_id: u64) -> u64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{Node, NodeRole};
    use proptest::prelude::*;

    /// Builds small fabrics for tests.
    #[derive(Default)]
    struct Fab {
        nodes: Vec<Node>,
        links: Vec<Link>,
    }

    impl Fab {
        fn node(&mut self, name: &str, role: NodeRole, fwd_s: f64) -> NodeId {
            self.nodes.push(Node {
                name: name.into(),
                role,
                kind: String::new(),
                latency_s: fwd_s,
                in_switch_reduction: false,
                forwards: role.forwards_by_default(),
            });
            NodeId(self.nodes.len() as u32 - 1)
        }
        fn host(&mut self, name: &str) -> NodeId {
            self.node(name, NodeRole::Accelerator, 0.0)
        }
        fn switch(&mut self, name: &str, fwd_s: f64) -> NodeId {
            self.node(name, NodeRole::Switch, fwd_s)
        }
        /// Overrides whether `n` forwards traffic.
        fn set_forwards(&mut self, n: NodeId, forwards: bool) {
            self.nodes[n.idx()].forwards = forwards;
        }
        /// One directed link `a → b`.
        fn simplex(&mut self, a: NodeId, b: NodeId, lat_s: f64) -> LinkId {
            self.links.push(Link {
                src: a,
                dst: b,
                capacity_bps: 1e9,
                latency_s: lat_s,
                kind: "test".into(),
                count: 1,
                tier: "test".into(),
            });
            LinkId(self.links.len() as u32 - 1)
        }
        /// A full-duplex cable: `(a → b, b → a)`.
        fn duplex(&mut self, a: NodeId, b: NodeId, lat_s: f64) -> (LinkId, LinkId) {
            (self.simplex(a, b, lat_s), self.simplex(b, a, lat_s))
        }
        /// A full-duplex bundle of `lanes` 25 GB/s lanes (capacity includes
        /// the lane count, as the topology builder does).
        fn bundle(&mut self, a: NodeId, b: NodeId, lanes: u32) -> (LinkId, LinkId) {
            let (x, y) = self.duplex(a, b, 1.0);
            for l in [x, y] {
                let link = &mut self.links[l.idx()];
                link.count = lanes;
                link.capacity_bps = f64::from(lanes) * 25e9;
            }
            (x, y)
        }
        fn build(self) -> Topology {
            Topology::from_parts("test".into(), self.nodes, self.links)
        }
    }

    /// Asserts `route.links` equals `expected` (any order) within 1e-12.
    fn assert_links(route: &Route, expected: &[(LinkId, f64)]) {
        let mut exp = expected.to_vec();
        exp.sort_by_key(|&(l, _)| l);
        assert_eq!(
            route.links.iter().map(|&(l, _)| l).collect::<Vec<_>>(),
            exp.iter().map(|&(l, _)| l).collect::<Vec<_>>(),
            "route {route:?}"
        );
        for (&(l, got), &(_, want)) in route.links.iter().zip(&exp) {
            assert!((got - want).abs() < 1e-12, "{l:?}: {got} != {want}");
        }
    }

    fn uses(route: &Route, l: LinkId) -> bool {
        route.links.iter().any(|&(x, _)| x == l)
    }

    #[test]
    fn router_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Router<'static>>();
    }

    // h0 ──1──▶ sw(fwd 0.5) ──2──▶ h1     (and back)
    #[test]
    fn line_has_single_path() {
        let mut f = Fab::default();
        let (h0, sw, h1) = (f.host("h0"), f.switch("sw", 0.5), f.host("h1"));
        let (a, _) = f.duplex(h0, sw, 1.0);
        let (b, _) = f.duplex(sw, h1, 2.0);
        let topo = f.build();
        for mode in [RoutingMode::Spray, RoutingMode::Hash, RoutingMode::Weighted] {
            let mut r = Router::new(&topo, mode, 7);
            let route = r.route(h0, h1, 3).unwrap();
            assert_links(&route, &[(a, 1.0), (b, 1.0)]);
            assert_eq!(route.latency_s, 3.5);
            assert_eq!(r.hops(h0, h1).unwrap(), 2);
            assert_eq!(r.hops(h0, h0).unwrap(), 0);
        }
    }

    /// 2-leaf/2-spine Clos with one host per leaf, all links latency 1.
    ///
    /// ```text
    ///    s0     s1
    ///    │ ╲   ╱ │
    ///    │   ╳   │
    ///    │ ╱   ╲ │
    ///    l0     l1
    ///    │       │
    ///    h0     h1
    /// ```
    struct Clos {
        topo: Topology,
        h0: NodeId,
        h1: NodeId,
        h0_l0: LinkId,
        l0_s0: LinkId,
        l0_s1: LinkId,
        s0_l1: LinkId,
        s1_l1: LinkId,
        l1_h1: LinkId,
    }

    fn clos() -> Clos {
        let mut f = Fab::default();
        let (h0, h1) = (f.host("h0"), f.host("h1"));
        let (l0, l1) = (f.switch("l0", 0.0), f.switch("l1", 0.0));
        let (s0, s1) = (f.switch("s0", 0.0), f.switch("s1", 0.0));
        let (h0_l0, _) = f.duplex(h0, l0, 1.0);
        let (l1_h1, _) = f.duplex(l1, h1, 1.0);
        let (l0_s0, _) = f.duplex(l0, s0, 1.0);
        let (l0_s1, _) = f.duplex(l0, s1, 1.0);
        let (_, s0_l1) = f.duplex(l1, s0, 1.0);
        let (_, s1_l1) = f.duplex(l1, s1, 1.0);
        Clos {
            topo: f.build(),
            h0,
            h1,
            h0_l0,
            l0_s0,
            l0_s1,
            s0_l1,
            s1_l1,
            l1_h1,
        }
    }

    #[test]
    fn clos_spray_splits_over_both_spines() {
        let c = clos();
        let mut r = Router::new(&c.topo, RoutingMode::Spray, 0);
        let route = r.route(c.h0, c.h1, 0).unwrap();
        assert_links(
            &route,
            &[
                (c.h0_l0, 1.0),
                (c.l0_s0, 0.5),
                (c.l0_s1, 0.5),
                (c.s0_l1, 0.5),
                (c.s1_l1, 0.5),
                (c.l1_h1, 1.0),
            ],
        );
        assert_eq!(route.latency_s, 4.0);
        assert_eq!(r.hops(c.h0, c.h1).unwrap(), 4);
        // Second call is a cache hit with the same answer.
        assert_eq!(r.route(c.h0, c.h1, 99).unwrap(), route);
        assert_eq!(r.stats().spray_hits, 1);
    }

    #[test]
    fn disabled_spine_link_moves_all_flow_to_other_spine() {
        let c = clos();
        let mut r = Router::new(&c.topo, RoutingMode::Spray, 0);
        r.route(c.h0, c.h1, 0).unwrap();
        r.disable_links(&[c.l0_s0]).unwrap();
        let route = r.route(c.h0, c.h1, 0).unwrap();
        assert_links(
            &route,
            &[
                (c.h0_l0, 1.0),
                (c.l0_s1, 1.0),
                (c.s1_l1, 1.0),
                (c.l1_h1, 1.0),
            ],
        );
        assert_eq!(
            r.disable_links(&[LinkId(999)]).unwrap_err(),
            RoutingError::UnknownLink {
                link: LinkId(999),
                count: c.topo.links.len()
            }
        );
    }

    //        ┌──1──▶ b (fwd 0) ──1──┐
    //  src ──┤                      ├──▶ dst       b path: 2, c path: 3
    //        └──1──▶ c (fwd 0) ──2──┘
    #[test]
    fn diamond_takes_only_lower_latency_path() {
        let mut f = Fab::default();
        let (src, b, c, dst) = (
            f.host("src"),
            f.switch("b", 0.0),
            f.switch("c", 0.0),
            f.host("dst"),
        );
        let (sb, _) = f.duplex(src, b, 1.0);
        let (bd, _) = f.duplex(b, dst, 1.0);
        f.duplex(src, c, 1.0);
        f.duplex(c, dst, 2.0);
        let topo = f.build();
        for mode in [RoutingMode::Spray, RoutingMode::Hash, RoutingMode::Weighted] {
            let route = Router::new(&topo, mode, 1).route(src, dst, 5).unwrap();
            assert_links(&route, &[(sb, 1.0), (bd, 1.0)]);
            assert_eq!(route.latency_s, 2.0);
        }
    }

    //        ┌──1──▶ b (fwd 5) ──1──┐
    //  src ──┤                      ├──▶ dst       b path: 7, c path: 3
    //        └──1──▶ c (fwd 0) ──2──┘
    #[test]
    fn forwarding_latency_of_intermediate_nodes_counts() {
        let mut f = Fab::default();
        let (src, b, c, dst) = (
            f.host("src"),
            f.switch("b", 5.0),
            f.switch("c", 0.0),
            f.host("dst"),
        );
        f.duplex(src, b, 1.0);
        f.duplex(b, dst, 1.0);
        let (sc, _) = f.duplex(src, c, 1.0);
        let (cd, _) = f.duplex(c, dst, 2.0);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Spray, 0)
            .route(src, dst, 0)
            .unwrap();
        assert_links(&route, &[(sc, 1.0), (cd, 1.0)]);
        assert_eq!(route.latency_s, 3.0);
    }

    //  src ────────100────────▶ dst     1 hop beats 2 hops of latency 2
    //    └──1──▶ m ──1──────────┘
    #[test]
    fn fewer_hops_beat_lower_latency() {
        let mut f = Fab::default();
        let (src, m, dst) = (f.host("src"), f.switch("m", 0.0), f.host("dst"));
        let (direct, _) = f.duplex(src, dst, 100.0);
        f.duplex(src, m, 1.0);
        f.duplex(m, dst, 1.0);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Spray, 0)
            .route(src, dst, 0)
            .unwrap();
        assert_links(&route, &[(direct, 1.0)]);
        assert_eq!(route.latency_s, 100.0);
    }

    //        ┌─0.1─▶ b ─0.2─┐
    //  src ──┤              ├──▶ dst   0.1 + 0.2 = 0.30000000000000004 vs 0.3 + 0.0
    //        └─0.3─▶ c ─0.0─┘
    #[test]
    fn latencies_equal_within_tolerance_are_equal_cost() {
        let mut f = Fab::default();
        let (src, b, c, dst) = (
            f.host("src"),
            f.switch("b", 0.0),
            f.switch("c", 0.0),
            f.host("dst"),
        );
        let (sb, _) = f.duplex(src, b, 0.1);
        let (bd, _) = f.duplex(b, dst, 0.2);
        let (sc, _) = f.duplex(src, c, 0.3);
        let (cd, _) = f.duplex(c, dst, 0.0);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Spray, 0)
            .route(src, dst, 0)
            .unwrap();
        assert_links(&route, &[(sb, 0.5), (bd, 0.5), (sc, 0.5), (cd, 0.5)]);
    }

    //  Three equal-cost paths (all links latency 1):
    //
    //        ┌──▶ a ──┬──▶ c ──┐
    //  src ──┤        └──▶ d ──┼──▶ dst      src-a-c-dst, src-a-d-dst, src-b-c-dst
    //        └──▶ b ─────▶ c ──┘
    //
    //  Per path: src→a 2/3, src→b 1/3, a→c = a→d = b→c = 1/3, c→dst 2/3, d→dst 1/3.
    //  (Per hop it would be 1/2, 1/2, 1/4, 1/4, 1/2, 3/4, 1/4.)
    #[test]
    fn spray_is_even_per_path_not_per_hop() {
        let mut f = Fab::default();
        let src = f.host("src");
        let (a, b, c, d) = (
            f.switch("a", 0.0),
            f.switch("b", 0.0),
            f.switch("c", 0.0),
            f.switch("d", 0.0),
        );
        let dst = f.host("dst");
        let (sa, _) = f.duplex(src, a, 1.0);
        let (sb, _) = f.duplex(src, b, 1.0);
        let (ac, _) = f.duplex(a, c, 1.0);
        let (ad, _) = f.duplex(a, d, 1.0);
        let (bc, _) = f.duplex(b, c, 1.0);
        let (cd, _) = f.duplex(c, dst, 1.0);
        let (dd, _) = f.duplex(d, dst, 1.0);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Spray, 0)
            .route(src, dst, 0)
            .unwrap();
        let third = 1.0 / 3.0;
        assert_links(
            &route,
            &[
                (sa, 2.0 * third),
                (sb, third),
                (ac, third),
                (ad, third),
                (bc, third),
                (cd, 2.0 * third),
                (dd, third),
            ],
        );
        assert_eq!(route.latency_s, 3.0);
    }

    /// HGX-like board: two GPUs, four switches, GPU–switch bundles of 5/4/4/5
    /// lanes (25 GB/s each), all latencies 1.
    ///
    /// ```text
    ///          sw0    sw1    sw2    sw3
    ///         5│ ╲5  4│ ╲4  4│ ╲4  5│ ╲5      (lanes per bundle)
    ///          g0 ─── to all four ─── g1
    /// ```
    ///
    /// Returns the topology, the GPUs and the links `g0 → swk`, `swk → g1`.
    fn hgx_star() -> (Topology, NodeId, NodeId, Vec<LinkId>, Vec<LinkId>) {
        let mut f = Fab::default();
        let (g0, g1) = (f.host("g0"), f.host("g1"));
        let (mut up, mut down) = (Vec::new(), Vec::new());
        for (k, lanes) in [5, 4, 4, 5].into_iter().enumerate() {
            let sw = f.switch(&format!("sw{k}"), 0.0);
            up.push(f.bundle(g0, sw, lanes).0);
            down.push(f.bundle(sw, g1, lanes).0);
        }
        (f.build(), g0, g1, up, down)
    }

    //  Hand computation: g0's four next hops carry 5 + 4 + 4 + 5 = 18 lanes,
    //  so frac(swk) = lanes_k / 18 = 5/18, 4/18, 4/18, 5/18; each switch has one
    //  next hop (swk → g1), which carries all of frac(swk). Spray: 1/4 each.
    #[test]
    fn weighted_splits_hgx_board_by_lanes() {
        let (topo, g0, g1, up, down) = hgx_star();
        let mut r = Router::new(&topo, RoutingMode::Weighted, 0);
        let route = r.route(g0, g1, 0).unwrap();
        let share = [5.0 / 18.0, 4.0 / 18.0, 4.0 / 18.0, 5.0 / 18.0];
        let expect: Vec<(LinkId, f64)> = (up.iter().zip(share))
            .chain(down.iter().zip(share))
            .map(|(&l, f)| (l, f))
            .collect();
        assert_links(&route, &expect);
        assert_eq!(route.latency_s, 2.0);
        // Cached like spray: a second call (any flow id) is a hit.
        assert_eq!(r.route(g0, g1, 7).unwrap(), route);
        assert_eq!((r.stats().spray_hits, r.stats().spray_misses), (1, 1));
        let sprayed = Router::new(&topo, RoutingMode::Spray, 0)
            .route(g0, g1, 0)
            .unwrap();
        assert!(sprayed.links.iter().all(|&(_, f)| f == 0.25));
    }

    //  The board of `weighted_splits_hgx_board_by_lanes` with g0 → sw0 failed:
    //  the remaining next hops carry 4 + 4 + 5 = 13 lanes, so sw1, sw2, sw3 get
    //  4/13, 4/13, 5/13 and sw0 nothing (g0 → sw0 → g1 no longer exists; the
    //  sw0 → g1 link is unused).
    #[test]
    fn weighted_excludes_disabled_links() {
        let (topo, g0, g1, up, down) = hgx_star();
        let mut r = Router::new(&topo, RoutingMode::Weighted, 0);
        r.route(g0, g1, 0).unwrap();
        r.disable_links(&[up[0]]).unwrap();
        let route = r.route(g0, g1, 0).unwrap();
        let share = [4.0 / 13.0, 4.0 / 13.0, 5.0 / 13.0];
        let expect: Vec<(LinkId, f64)> = (up[1..].iter().zip(share))
            .chain(down[1..].iter().zip(share))
            .map(|(&l, f)| (l, f))
            .collect();
        assert_links(&route, &expect);
        assert!(!uses(&route, up[0]) && !uses(&route, down[0]));
    }

    //  Symmetric Clos (see `clos`): every node's next hops have equal capacity,
    //  so weighted = per-hop even = per-path even (l0 → s0, s1: 1/2 each).
    #[test]
    fn weighted_equals_spray_on_symmetric_clos() {
        let c = clos();
        let mut weighted = Router::new(&c.topo, RoutingMode::Weighted, 0);
        let mut spray = Router::new(&c.topo, RoutingMode::Spray, 0);
        let n = c.topo.nodes.len() as u32;
        for s in (0..n).map(NodeId) {
            for d in (0..n).map(NodeId).filter(|&d| d != s) {
                let (w, sp) = (
                    weighted.route(s, d, 0).unwrap(),
                    spray.route(s, d, 0).unwrap(),
                );
                assert_links(&w, &sp.links);
                assert_eq!(w.latency_s, sp.latency_s);
            }
        }
        let route = weighted.route(c.h0, c.h1, 0).unwrap();
        assert!(uses(&route, c.l0_s0) && uses(&route, c.s1_l1));
    }

    //  The DAG of `spray_is_even_per_path_not_per_hop` with capacities (lanes
    //  of 25 GB/s) and a second, 3-lane cable from c to dst (all latencies 1):
    //
    //        ┌─3─▶ a ──┬─1─▶ c ══1,3══╗
    //  src ──┤         └─2─▶ d ──1────╫──▶ dst
    //        └─1─▶ b ────5─▶ c        ║
    //
    //  Hand computation, in BFS order:
    //  src: caps 3 + 1 = 4  → src→a 3/4, src→b 1/4;  frac(a) = 3/4, frac(b) = 1/4
    //  a:   caps 1 + 2 = 3  → a→c 3/4·1/3 = 1/4, a→d 3/4·2/3 = 1/2
    //  b:   one next hop    → b→c 1/4;   frac(c) = 1/4 + 1/4 = 1/2, frac(d) = 1/2
    //  c:   caps 1 + 3 = 4  → c→dst(1 lane) 1/2·1/4 = 1/8, c→dst(3 lanes) 3/8
    //  d:   one next hop    → d→dst 1/2
    //  (Spray: 5 paths, a–c ×2 cables, a–d, b–c ×2 cables → src→a 3/5, …)
    #[test]
    fn weighted_follows_capacity_hop_by_hop() {
        let mut f = Fab::default();
        let src = f.host("src");
        let (a, b, c, d) = (
            f.switch("a", 0.0),
            f.switch("b", 0.0),
            f.switch("c", 0.0),
            f.switch("d", 0.0),
        );
        let dst = f.host("dst");
        let (sa, _) = f.bundle(src, a, 3);
        let (sb, _) = f.bundle(src, b, 1);
        let (ac, _) = f.bundle(a, c, 1);
        let (ad, _) = f.bundle(a, d, 2);
        let (bc, _) = f.bundle(b, c, 5);
        let (cd1, _) = f.bundle(c, dst, 1);
        let (cd3, _) = f.bundle(c, dst, 3);
        let (dd, _) = f.bundle(d, dst, 1);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Weighted, 0)
            .route(src, dst, 0)
            .unwrap();
        assert_links(
            &route,
            &[
                (sa, 0.75),
                (sb, 0.25),
                (ac, 0.25),
                (ad, 0.5),
                (bc, 0.25),
                (cd1, 0.125),
                (cd3, 0.375),
                (dd, 0.5),
            ],
        );
        assert_eq!(route.latency_s, 3.0);
    }

    /// A k-ary fat tree (3-tier Clos, all latencies 1): k pods of k/2 edge and
    /// k/2 aggregation switches, (k/2)² cores, k/2 hosts per edge switch.
    ///
    /// ```text
    ///   core  c0 … c(k²/4−1)        agg j of every pod connects to cores
    ///          ╱        ╲            j·k/2 … j·k/2 + k/2 − 1
    ///   agg   a ·· a    a ·· a
    ///          ╳          ╳          full bipartite inside a pod
    ///   edge  e ·· e    e ·· e
    ///         │         │
    ///   host  h         h            k/2 per edge switch
    /// ```
    ///
    /// Returns the topology and the hosts in pod order.
    fn fat_tree(k: usize) -> (Topology, Vec<NodeId>) {
        let half = k / 2;
        let mut f = Fab::default();
        let cores: Vec<NodeId> = (0..half * half)
            .map(|c| f.switch(&format!("c{c}"), 0.0))
            .collect();
        let mut hosts = Vec::new();
        for p in 0..k {
            let aggs: Vec<NodeId> = (0..half)
                .map(|j| f.switch(&format!("a{p}.{j}"), 0.0))
                .collect();
            for (j, &a) in aggs.iter().enumerate() {
                for &c in &cores[j * half..(j + 1) * half] {
                    f.duplex(a, c, 1.0);
                }
            }
            for e in 0..half {
                let edge = f.switch(&format!("e{p}.{e}"), 0.0);
                for &a in &aggs {
                    f.duplex(edge, a, 1.0);
                }
                for h in 0..half {
                    let host = f.host(&format!("h{p}.{e}.{h}"));
                    f.duplex(host, edge, 1.0);
                    hosts.push(host);
                }
            }
        }
        (f.build(), hosts)
    }

    #[test]
    fn fat_tree_spray_fractions_per_tier() {
        // k = 8: 16 equal-cost paths between pods, one per core switch.
        let (topo, hosts) = fat_tree(8);
        let mut r = Router::new(&topo, RoutingMode::Spray, 0);
        let (src, dst) = (hosts[0], hosts[hosts.len() - 1]);
        let route = r.route(src, dst, 0).unwrap();
        assert_eq!(r.hops(src, dst).unwrap(), 6);
        assert_eq!(route.latency_s, 6.0);
        let tier = |l: LinkId| {
            let link = &topo.links[l.idx()];
            let name = |n: NodeId| topo.nodes[n.idx()].name.chars().next().unwrap();
            format!("{}{}", name(link.src), name(link.dst))
        };
        let mut by_tier: Vec<(String, usize, f64)> = Vec::new();
        for &(l, f) in &route.links {
            let t = tier(l);
            match by_tier.iter_mut().find(|(x, _, _)| *x == t) {
                Some(e) => {
                    e.1 += 1;
                    assert!((e.2 - f).abs() < 1e-12, "uneven split on tier {t}");
                }
                None => by_tier.push((t, 1, f)),
            }
        }
        by_tier.sort_by(|a, b| a.0.cmp(&b.0));
        let expect = [
            ("ac", 16, 1.0 / 16.0),
            ("ae", 4, 0.25),
            ("ca", 16, 1.0 / 16.0),
            ("ea", 4, 0.25),
            ("eh", 1, 1.0),
            ("he", 1, 1.0),
        ];
        assert_eq!(by_tier.len(), expect.len());
        for ((t, n, f), (te, ne, fe)) in by_tier.iter().zip(expect) {
            assert_eq!((t.as_str(), *n), (te, ne));
            assert!((f - fe).abs() < 1e-12);
        }
    }

    //  src ══▶ dst   two parallel cables: two equal-cost paths of one link each
    #[test]
    fn parallel_links_are_separate_paths() {
        let mut f = Fab::default();
        let (src, dst) = (f.host("src"), f.host("dst"));
        let (x, _) = f.duplex(src, dst, 1.0);
        let (y, _) = f.duplex(src, dst, 1.0);
        let topo = f.build();
        let route = Router::new(&topo, RoutingMode::Spray, 0)
            .route(src, dst, 0)
            .unwrap();
        assert_links(&route, &[(x, 0.5), (y, 0.5)]);
    }

    //  g0 ──1── g1 ──1── g2        accelerators (g1 forwards only if told)
    //   └──1── s0 ──1── s1 ──1──┘   switches
    #[test]
    fn accelerators_are_not_transit_nodes_unless_they_forward() {
        let build = |g1_forwards: bool| {
            let mut f = Fab::default();
            let (g0, g1, g2) = (f.host("g0"), f.host("g1"), f.host("g2"));
            let (s0, s1) = (f.switch("s0", 0.0), f.switch("s1", 0.0));
            let (a, _) = f.duplex(g0, g1, 1.0);
            let (b, _) = f.duplex(g1, g2, 1.0);
            let (c, _) = f.duplex(g0, s0, 1.0);
            let (d, _) = f.duplex(s0, s1, 1.0);
            let (e, _) = f.duplex(s1, g2, 1.0);
            f.set_forwards(g1, g1_forwards);
            (f.build(), [g0, g1, g2], [a, b], [c, d, e])
        };
        for mode in [RoutingMode::Spray, RoutingMode::Hash, RoutingMode::Weighted] {
            // Default: g1 is an endpoint, so the 3-hop switch path is the only one.
            let (topo, [g0, g1, g2], [a, b], [c, d, e]) = build(false);
            let mut r = Router::new(&topo, mode, 0);
            let route = r.route(g0, g2, 0).unwrap();
            assert_links(&route, &[(c, 1.0), (d, 1.0), (e, 1.0)]);
            assert_eq!(r.hops(g0, g2).unwrap(), 3);
            // g1 is still a source and a destination.
            assert_links(&r.route(g0, g1, 0).unwrap(), &[(a, 1.0)]);
            assert_links(&r.route(g1, g2, 0).unwrap(), &[(b, 1.0)]);
            // forwards = true: the 2-hop path through g1 wins.
            let (topo, [g0, _, g2], [a, b], _) = build(true);
            let mut r = Router::new(&topo, mode, 0);
            assert_links(&r.route(g0, g2, 0).unwrap(), &[(a, 1.0), (b, 1.0)]);
            assert_eq!(r.hops(g0, g2).unwrap(), 2);
        }
    }

    //  g0 ── g1 ── g2   (accelerators only): g0 → g2 needs transit through g1.
    #[test]
    fn only_path_through_an_accelerator_is_unreachable() {
        let mut f = Fab::default();
        let (g0, g1, g2) = (f.host("g0"), f.host("g1"), f.host("g2"));
        f.duplex(g0, g1, 1.0);
        f.duplex(g1, g2, 1.0);
        let topo = f.build();
        for mode in [RoutingMode::Spray, RoutingMode::Hash, RoutingMode::Weighted] {
            let mut r = Router::new(&topo, mode, 0);
            assert!(r.route(g0, g1, 0).is_ok() && r.route(g2, g1, 0).is_ok());
            assert_eq!(
                r.route(g0, g2, 0).unwrap_err().to_string(),
                "no route from g0 to g2: destination unreachable"
            );
            assert!(matches!(
                r.hops(g2, g0),
                Err(RoutingError::Unreachable { .. })
            ));
        }
    }

    //  a ──▶ b   (no b → a link)      c (isolated)
    #[test]
    fn unreachable_and_invalid_endpoints_are_errors() {
        let mut f = Fab::default();
        let (a, b, c) = (f.host("a"), f.host("b"), f.host("c"));
        f.simplex(a, b, 1.0);
        let topo = f.build();
        for mode in [RoutingMode::Spray, RoutingMode::Hash, RoutingMode::Weighted] {
            let mut r = Router::new(&topo, mode, 0);
            assert!(r.route(a, b, 0).is_ok());
            let err = r.route(b, a, 0).unwrap_err();
            assert_eq!(
                err.to_string(),
                "no route from b to a: destination unreachable"
            );
            assert!(matches!(
                r.hops(a, c),
                Err(RoutingError::Unreachable { .. })
            ));
            assert_eq!(
                r.route(a, a, 0).unwrap_err().to_string(),
                "flow source and destination are the same node a"
            );
            assert_eq!(
                r.route(a, NodeId(9), 0).unwrap_err().to_string(),
                "node id 9 does not exist (topology has 3 nodes)"
            );
        }
    }

    #[test]
    fn hash_is_deterministic_and_spreads_over_spines() {
        let c = clos();
        let mut r = Router::new(&c.topo, RoutingMode::Hash, 42);
        let mut again = Router::new(&c.topo, RoutingMode::Hash, 42);
        let mut via_s0 = 0;
        for flow in 0..1000 {
            let route = r.route(c.h0, c.h1, flow).unwrap();
            assert_eq!(route, again.route(c.h0, c.h1, flow).unwrap());
            assert_eq!(route, r.route(c.h0, c.h1, flow).unwrap());
            assert!(route.links.iter().all(|&(_, f)| f == 1.0));
            assert_eq!(route.links.len(), 4);
            assert_eq!(route.latency_s, 4.0);
            assert!(uses(&route, c.l0_s0) != uses(&route, c.l0_s1));
            // The spine chosen going up is the spine used coming down.
            assert_eq!(uses(&route, c.l0_s0), uses(&route, c.s0_l1));
            via_s0 += usize::from(uses(&route, c.l0_s0));
        }
        // Binomial(1000, 1/2): sd ≈ 15.8, so [400, 600] is a ±6.3 sd bound.
        assert!(
            (400..=600).contains(&via_s0),
            "{via_s0} of 1000 flows via s0"
        );
    }

    #[test]
    fn hash_choice_is_pinned_across_machines() {
        // Pins the hash so a platform or refactoring change cannot silently
        // move flows: these values are fixed by splitmix64 alone.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        let c = clos();
        let mut r = Router::new(&c.topo, RoutingMode::Hash, 42);
        let picks: String = (0..16)
            .map(|flow| {
                let route = r.route(c.h0, c.h1, flow).unwrap();
                if uses(&route, c.l0_s0) { '0' } else { '1' }
            })
            .collect();
        assert_eq!(picks, "0001010011010100");
    }

    //  h0 ── sw ── h1 (line) and the unequal diamond of
    //  `diamond_takes_only_lower_latency_path`: one shortest path each, or
    //  none (b → c would cross the endpoint src or dst).
    #[test]
    fn hash_and_spray_agree_on_single_path_fabrics() {
        let mut f = Fab::default();
        let (h0, sw, h1) = (f.host("h0"), f.switch("sw", 0.5), f.host("h1"));
        f.duplex(h0, sw, 1.0);
        f.duplex(sw, h1, 2.0);
        let line = f.build();
        let mut f = Fab::default();
        let (src, b, c, dst) = (
            f.host("src"),
            f.switch("b", 0.0),
            f.switch("c", 0.0),
            f.host("dst"),
        );
        f.duplex(src, b, 1.0);
        f.duplex(b, dst, 1.0);
        f.duplex(src, c, 1.0);
        f.duplex(c, dst, 2.0);
        let diamond = f.build();
        for topo in [&line, &diamond] {
            let mut spray = Router::new(topo, RoutingMode::Spray, 3);
            let mut hash = Router::new(topo, RoutingMode::Hash, 3);
            for s in 0..topo.nodes.len() as u32 {
                for d in (0..topo.nodes.len() as u32).filter(|&d| d != s) {
                    let (s, d) = (NodeId(s), NodeId(d));
                    // Switch to switch in the diamond crosses a host: unreachable.
                    let sprayed = match spray.route(s, d, 0) {
                        Ok(r) => r,
                        Err(e) => {
                            assert_eq!(hash.route(s, d, 0).unwrap_err(), e);
                            continue;
                        }
                    };
                    if sprayed.links.iter().all(|&(_, f)| f == 1.0) {
                        for flow in 0..8 {
                            assert_eq!(hash.route(s, d, flow).unwrap(), sprayed);
                        }
                    }
                }
            }
        }
    }

    //  Cache of one destination, alternating between two destinations
    //  on the Clos: every lookup evicts, answers stay identical.
    #[test]
    fn evicting_destination_tables_does_not_change_routes() {
        let c = clos();
        let mut fresh = Router::new(&c.topo, RoutingMode::Spray, 0);
        let mut tiny = Router::new(&c.topo, RoutingMode::Spray, 0).with_cache_limits(1, 0);
        for _ in 0..3 {
            for (s, d) in [(c.h0, c.h1), (c.h1, c.h0)] {
                assert_eq!(tiny.route(s, d, 0).unwrap(), fresh.route(s, d, 0).unwrap());
            }
        }
        let st = tiny.stats();
        assert_eq!(
            (st.dest_misses, st.dest_evictions, st.spray_hits),
            (6, 5, 0)
        );
    }

    // --- Property tests ------------------------------------------------------

    /// A random small fabric: a random spanning tree of full-duplex cables
    /// (latencies may differ per direction) plus random one-way links, small
    /// integer latencies (so ties are exact), capacities of 1 to 4 lanes and a
    /// few failed links.
    #[derive(Clone, Debug)]
    struct RandFab {
        n: usize,
        parents: Vec<u32>,
        tree_lat: Vec<(u8, u8)>,
        extras: Vec<(u32, u32, u8)>,
        fwd: Vec<u8>,
        /// `endpoint[i]`: node `i` does not forward (an accelerator).
        endpoint: Vec<bool>,
        failed: Vec<bool>,
        lanes: Vec<u8>,
    }

    fn arb_fab() -> impl Strategy<Value = RandFab> {
        (
            2usize..=7,
            prop::collection::vec(any::<u32>(), 6),
            prop::collection::vec((0u8..3, 0u8..3), 6),
            prop::collection::vec((any::<u32>(), any::<u32>(), 0u8..3), 0..10),
            prop::collection::vec(0u8..2, 7),
            prop::collection::vec(prop::bool::weighted(0.3), 7),
            prop::collection::vec(prop::bool::weighted(0.1), 22),
            prop::collection::vec(1u8..=4, 22),
        )
            .prop_map(
                |(n, parents, tree_lat, extras, fwd, endpoint, failed, lanes)| RandFab {
                    n,
                    parents,
                    tree_lat,
                    extras,
                    fwd,
                    endpoint,
                    failed,
                    lanes,
                },
            )
    }

    impl RandFab {
        fn build(&self) -> (Topology, Vec<LinkId>) {
            let mut f = Fab::default();
            let ids: Vec<NodeId> = (0..self.n)
                .map(|i| {
                    if self.endpoint[i] {
                        f.host(&format!("n{i}"))
                    } else {
                        f.switch(&format!("n{i}"), f64::from(self.fwd[i]))
                    }
                })
                .collect();
            for i in 1..self.n {
                let p = ids[self.parents[i - 1] as usize % i];
                let (up, down) = self.tree_lat[i - 1];
                f.simplex(ids[i], p, f64::from(up));
                f.simplex(p, ids[i], f64::from(down));
            }
            for &(a, b, lat) in &self.extras {
                let (a, b) = (a as usize % self.n, b as usize % self.n);
                if a != b {
                    f.simplex(ids[a], ids[b], f64::from(lat));
                }
            }
            for (link, &lanes) in f.links.iter_mut().zip(&self.lanes) {
                link.count = u32::from(lanes);
                link.capacity_bps = f64::from(lanes) * 1e9;
            }
            let failed = (0..f.links.len())
                .filter(|&l| self.failed[l])
                .map(|l| LinkId(l as u32))
                .collect();
            (f.build(), failed)
        }
    }

    /// Reference: all shortest paths by brute-force enumeration of simple
    /// paths whose intermediate nodes all forward. Returns (hops, latency,
    /// paths) or `None` if `dst` is unreachable.
    fn brute_force(
        topo: &Topology,
        failed: &[LinkId],
        src: NodeId,
        dst: NodeId,
    ) -> Option<(usize, f64, Vec<Vec<LinkId>>)> {
        fn dfs(
            topo: &Topology,
            failed: &[LinkId],
            u: NodeId,
            dst: NodeId,
            seen: &mut Vec<bool>,
            path: &mut Vec<LinkId>,
            out: &mut Vec<Vec<LinkId>>,
        ) {
            if u == dst {
                out.push(path.clone());
                return;
            }
            for (i, l) in topo.links.iter().enumerate() {
                let id = LinkId(i as u32);
                let enter = l.dst == dst || topo.nodes[l.dst.idx()].forwards;
                if l.src == u && enter && !seen[l.dst.idx()] && !failed.contains(&id) {
                    seen[l.dst.idx()] = true;
                    path.push(id);
                    dfs(topo, failed, l.dst, dst, seen, path, out);
                    path.pop();
                    seen[l.dst.idx()] = false;
                }
            }
        }
        let mut all = Vec::new();
        let mut seen = vec![false; topo.nodes.len()];
        seen[src.idx()] = true;
        dfs(topo, failed, src, dst, &mut seen, &mut Vec::new(), &mut all);
        let cost = |p: &[LinkId]| (p.len(), path_latency(topo, p));
        let best = all
            .iter()
            .map(|p| cost(p))
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))?;
        let paths = all.into_iter().filter(|p| cost(p) == best).collect();
        Some((best.0, best.1, paths))
    }

    /// Summed latency of a path given as links in order: links plus intermediate nodes.
    fn path_latency(topo: &Topology, path: &[LinkId]) -> f64 {
        let mut lat = 0.0;
        for (k, l) in path.iter().enumerate() {
            let link = &topo.links[l.idx()];
            lat += link.latency_s;
            if k + 1 < path.len() {
                lat += topo.nodes[link.dst.idx()].latency_s;
            }
        }
        lat
    }

    /// Orders the unordered link set of a simple path into a src → dst walk.
    fn as_walk(topo: &Topology, route: &Route, src: NodeId, dst: NodeId) -> Option<Vec<LinkId>> {
        let mut walk = Vec::new();
        let mut u = src;
        while u != dst {
            let &(l, _) = route
                .links
                .iter()
                .find(|&&(l, _)| topo.links[l.idx()].src == u)?;
            walk.push(l);
            u = topo.links[l.idx()].dst;
            if walk.len() > route.links.len() {
                return None;
            }
        }
        (walk.len() == route.links.len()).then_some(walk)
    }

    /// Reference for [`RoutingMode::Weighted`] from the enumerated shortest
    /// paths. The DAG next hops of a node are the links that leave it on some
    /// path; a path's share is the product over its links `l` of
    /// `cap(l) / Σ cap(next hops of tail(l))` (the per-hop split, unrolled);
    /// a link's fraction is the sum of the shares of the paths using it.
    /// Sorted by link id.
    fn weighted_reference(topo: &Topology, paths: &[Vec<LinkId>]) -> Vec<(LinkId, f64)> {
        let tail = |l: LinkId| topo.links[l.idx()].src;
        let cap = |l: LinkId| topo.links[l.idx()].capacity_bps;
        let mut dag: Vec<LinkId> = paths.iter().flatten().copied().collect();
        dag.sort();
        dag.dedup();
        let out_cap =
            |u: NodeId| -> f64 { dag.iter().filter(|&&l| tail(l) == u).map(|&l| cap(l)).sum() };
        let mut frac: Vec<(LinkId, f64)> = dag.iter().map(|&l| (l, 0.0)).collect();
        for p in paths {
            let share: f64 = p.iter().map(|&l| cap(l) / out_cap(tail(l))).product();
            for &l in p {
                frac.iter_mut().find(|(x, _)| *x == l).unwrap().1 += share;
            }
        }
        frac
    }

    proptest! {
        #[test]
        fn routes_match_brute_force(fab in arb_fab(), seed in any::<u64>()) {
            let (topo, failed) = fab.build();
            let mut spray = Router::new(&topo, RoutingMode::Spray, seed);
            let mut hash = Router::new(&topo, RoutingMode::Hash, seed);
            let mut weighted = Router::new(&topo, RoutingMode::Weighted, seed);
            spray.disable_links(&failed).unwrap();
            hash.disable_links(&failed).unwrap();
            weighted.disable_links(&failed).unwrap();
            for s in 0..topo.nodes.len() {
                for d in 0..topo.nodes.len() {
                    let (src, dst) = (NodeId(s as u32), NodeId(d as u32));
                    if src == dst {
                        continue;
                    }
                    let Some((hops, lat, paths)) = brute_force(&topo, &failed, src, dst) else {
                        let unreachable = |e| matches!(e, RoutingError::Unreachable { .. });
                        prop_assert!(unreachable(spray.route(src, dst, 0).unwrap_err()));
                        prop_assert!(unreachable(hash.route(src, dst, 0).unwrap_err()));
                        prop_assert!(unreachable(weighted.route(src, dst, 0).unwrap_err()));
                        continue;
                    };
                    prop_assert_eq!(spray.hops(src, dst).unwrap() as usize, hops);

                    // Spray: per-path even split (differential); weighted:
                    // per-hop capacity split (differential); both conserve flow.
                    let route = spray.route(src, dst, 0).unwrap();
                    let wroute = weighted.route(src, dst, 0).unwrap();
                    prop_assert_eq!(route.latency_s, lat);
                    prop_assert_eq!(wroute.latency_s, lat);
                    let mut expect: Vec<(LinkId, f64)> = Vec::new();
                    for p in &paths {
                        for &l in p {
                            match expect.iter_mut().find(|(x, _)| *x == l) {
                                Some((_, f)) => *f += 1.0 / paths.len() as f64,
                                None => expect.push((l, 1.0 / paths.len() as f64)),
                            }
                        }
                    }
                    expect.sort_by_key(|&(l, _)| l);
                    prop_assert_eq!(route.links.len(), expect.len());
                    for (&(l, f), &(le, fe)) in route.links.iter().zip(&expect) {
                        prop_assert_eq!(l, le);
                        prop_assert!((f - fe).abs() < 1e-9 && f > 0.0 && f <= 1.0);
                    }
                    let wexpect = weighted_reference(&topo, &paths);
                    prop_assert_eq!(wroute.links.len(), wexpect.len());
                    for (&(l, f), &(le, fe)) in wroute.links.iter().zip(&wexpect) {
                        prop_assert_eq!(l, le);
                        prop_assert!((f - fe).abs() < 1e-9 && f > 0.0 && f <= 1.0);
                    }
                    for r in [&route, &wroute] {
                        let mut net = vec![0.0f64; topo.nodes.len()];
                        for &(l, f) in &r.links {
                            net[topo.links[l.idx()].src.idx()] -= f;
                            net[topo.links[l.idx()].dst.idx()] += f;
                        }
                        for (x, &v) in net.iter().enumerate() {
                            let want = if x == s { -1.0 } else if x == d { 1.0 } else { 0.0 };
                            prop_assert!((v - want).abs() < 1e-9, "node {} net {}", x, v);
                        }
                    }

                    // Hash: a valid shortest walk with its own latency, one of the paths.
                    for flow in 0..4 {
                        let route = hash.route(src, dst, flow).unwrap();
                        prop_assert!(route.links.iter().all(|&(_, f)| f == 1.0));
                        let walk = as_walk(&topo, &route, src, dst);
                        prop_assert!(walk.is_some(), "not a walk: {:?}", route);
                        let walk = walk.unwrap();
                        prop_assert_eq!(walk.len(), hops);
                        prop_assert_eq!(route.latency_s, path_latency(&topo, &walk));
                        prop_assert!(paths.contains(&walk));
                    }
                }
            }
        }
    }
}
