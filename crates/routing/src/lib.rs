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
//!   hop over the equal-cost next-hop links in proportion to the capacity
//!   each can still deliver to the destination, `min(cap(u → v), R(v))` with
//!   `R` the reachable capacity (see [`Router`], step 3);
//!   [`RoutingMode::Hash`] hashes only among scale-out next hops: at each
//!   node, its share for them goes on one link chosen by a seeded hash of
//!   (src, dst, flow id, node), while next hops over scale-up links
//!   ([`interleaved_link`]: NVLink, UALink, xGMI, or tier `scale-up`) are
//!   split as in weighted mode, as their hardware interleaves a GPU's
//!   traffic over all its ports. On a fabric without scale-up choices a hash
//!   route is one equal-cost path.
//! - Failed links are removed before routing ([`Router::disable_links`]); an
//!   unreachable destination is an error naming both endpoints.
//!
//! Guarantees:
//!
//! - INVARIANT: every link of a [`Route`] lies on an equal-cost shortest path
//!   from the source to the destination, and no disabled link is used.
//! - INVARIANT: no link of a [`Route`] leaves a non-forwarding node other than
//!   the source, and none enters one other than the destination.
//! - INVARIANT: spray, weighted and hash fractions conserve flow: 1 leaves the
//!   source, 1 enters the destination, and inflow equals outflow at every
//!   other node (up to floating-point rounding).
//! - INVARIANT: results depend only on the topology, the disabled links, the
//!   mode, the seed and the flow id: never on cache state, call order, thread
//!   or machine. No `RandomState`, global RNG or global counter is involved.
//!
//! Paths are never enumerated. A bounded per-pair search (hop count and
//! latency to the destination for the nodes on the fewest-hop paths only)
//! defines the shortest-path DAG; spray fractions come from path counts by
//! dynamic programming on that DAG, weighted fractions from one backward
//! pass (reachable capacity) and one forward pass over it, and a hash walk
//! picks one outgoing scale-out DAG link per node (splitting over scale-up
//! ones as weighted does).
//!
//! [`Node::latency_s`]: fabricsim_topology::Node::latency_s
//! [`Node::forwards`]: fabricsim_topology::Node::forwards

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod adjacency;
mod cache;
mod dag;
mod dest;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use adjacency::Adjacency;
use cache::{DagCache, FixedState, SprayCache};
use dag::{Ctx, PairDag, Scratch, hash_key};
use dest::PairSearch;
use fabricsim_topology::{LinkId, NodeId, RoutingMode, Topology};

/// A routed path set for one flow: each directed link it crosses with the
/// fraction of the flow's rate that crosses it, and the latency before its
/// first byte arrives.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// `(link, fraction)` pairs, sorted by link id, fractions in (0, 1].
    pub links: Vec<(fabricsim_topology::LinkId, f64)>,
    /// Sum of link latencies and intermediate switch forwarding latencies along
    /// one of the equal-cost paths (all have equal latency by construction) \[s\].
    pub latency_s: f64,
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

/// Whether [`RoutingMode::Hash`] interleaves a flow over this link and its
/// equal-cost siblings (split by reachable capacity, as in weighted mode)
/// instead of hashing it onto one of them: the link is scale-up, i.e. its
/// `tier` is `scale-up` or its kind's technology family
/// ([`fabricsim_topology::presets::link_kind`]) is `nvlink`, `ualink` or
/// `xgmi`. NVLink/NVSwitch, UALink and xGMI ports spread a GPU's traffic over
/// all its ports in hardware; only scale-out (Ethernet, InfiniBand, DCI)
/// switches ECMP-hash, and links of any other tier or family (PCIe, NIC
/// attachments, `custom`) are hashed as before.
pub fn interleaved_link(link: &fabricsim_topology::Link) -> bool {
    link.tier == "scale-up"
        || fabricsim_topology::presets::link_kind(&link.kind)
            .is_some_and(|k| matches!(k.family, "nvlink" | "ualink" | "xgmi"))
}

/// Default memory budget for cached per-pair shortest-path DAGs \[bytes\].
/// A DAG costs 12 bytes per node and 8 per link on the pair's equal-cost
/// paths (plus about 100 bytes), so a few hundred bytes for a pair under
/// one switch and a few KiB across a 3-tier Clos.
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
    SameNode {
        /// The node.
        node: NodeId,
        /// Its name.
        name: String,
    },
    /// No path from `src` to `dst` (disconnected fabric or failed links).
    #[error("no route from {src_name} to {dst_name}: destination unreachable")]
    Unreachable {
        /// Source node.
        src: NodeId,
        /// Destination node.
        dst: NodeId,
        /// Name of the source node.
        src_name: String,
        /// Name of the destination node.
        dst_name: String,
    },
    /// A node id outside the topology.
    #[error("node id {} does not exist (topology has {count} nodes)", node.0)]
    UnknownNode {
        /// The id given.
        node: NodeId,
        /// Number of nodes in the topology.
        count: usize,
    },
    /// A link id outside the topology.
    #[error("link id {} does not exist (topology has {count} links)", link.0)]
    UnknownLink {
        /// The id given.
        link: LinkId,
        /// Number of directed links in the topology.
        count: usize,
    },
}

/// Cache counters, for tests and performance reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouterStats {
    /// Lookups answered by a cached per-pair shortest-path DAG (the name is
    /// historical: whole-fabric per-destination tables are gone).
    pub dest_hits: u64,
    /// Per-pair searches run, each building one shortest-path DAG.
    pub dest_misses: u64,
    /// Per-pair DAGs evicted to respect the cache bounds.
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
/// 1. *Per pair* `(s, d)` (cached as a DAG): let `h(u)` be the fewest hops
///    from `u` to `d` over enabled links whose head is *enterable* (`d`, or a
///    forwarding node): a non-forwarding node may be a source, but nothing is
///    routed through it. Because hops dominate the cost, within them the
///    minimum latency
///    `L(u) = min over links u→v with h(v) = h(u) − 1 and v enterable of lat(u→v) + fwd(v) + L(v)`
///    (`fwd(v)` = 0 when `v = d`) is a DP in order of increasing `h`. A link
///    `u → v` is in the shortest-path DAG when `v` is enterable,
///    `h(v) = h(u) − 1` and it attains `L(u)` within [`LATENCY_REL_TOL`]; the
///    spray, weighted and hash walks all use this one DAG, so they never pass
///    through a non-forwarding node either. `h` and `L` are needed only on
///    the nodes of fewest-hop `s → d` paths (all next hops of such a node
///    are such nodes), so they are computed only there, by a bidirectional
///    BFS from `s` and `d` that stops when the balls meet, trimmed to the
///    nodes with `dist(s, u) + h(u) = h(s)` (see `dest::PairSearch`). The DAG
///    nodes reachable from `s` are then collected by BFS, which visits them
///    layer by layer (`h` decreases by exactly one per link).
/// 2. *Spray* (cached per (src, dst)): on that DAG, a backward pass counts
///    paths to `d`, `P(u) = Σ P(v)`; a
///    forward pass pushes flow 1 from `src`, splitting at each `u` in
///    proportion `P(v) / P(u)`. The fraction on `u → v` is then
///    `paths(src→u) × paths(v→d) / paths(src→d)`, the per-path even split.
///    Path counts grow exponentially with depth, so each layer's counts are
///    rescaled by the layer's maximum (only ratios within a layer are used):
///    the computation is in `f64` and can neither overflow nor lose relative
///    precision beyond rounding, whatever the number of paths.
/// 3. *Weighted* (cached per (src, dst) like spray): a backward pass over
///    the DAG computes the *reachable capacity*
///    `R(d) = ∞`, `R(u) = Σ_{DAG links u → v} min(cap(u → v), R(v))`
///    (`cap` = `capacity_bps`, lanes included), then one forward pass in BFS
///    order pushes `frac(src) = 1`: each node `u` splits `frac(u)` over its
///    DAG out-links as
///    `frac(u → v) = frac(u) · min(cap(u → v), R(v)) / R(u)`, adding the
///    result to `frac(v)`. BFS order is a topological order of the DAG
///    (every link goes from layer `h` to layer `h − 1`), so `R(v)` is final
///    before `u` reads it going backward and `frac(u)` is final when `u` is
///    split going forward. `R(u)` is the max flow from `u` to `d` on the
///    DAG when the DAG below `u` is a tree whose branches meet only at `d`
///    (each node but `d` has one DAG in-link there); in general it is an
///    upper bound on that max flow, because branches that meet again before
///    `d` both count the capacity below the meeting node, even on a
///    series-parallel DAG (`u` → {`a`, `b`} → `c` → `d` with unit links has
///    `R(u) = 2`, max flow 1). The split at `u` is the plain per-hop
///    capacity split `cap(u → v) / Σ_w cap(u → w)` whenever
///    `min(1, R(v) / cap(u → v))` is the same for all next hops `v` of `u`:
///    e.g. when every downstream is at least its link (an intact HGX board),
///    or on a symmetric Clos (equal links, equal downstreams).
/// 4. *Hash*: walk the DAG from `src`. At each node `u` the DAG out-links
///    over [`interleaved_link`]s get `frac(u) · min(cap, R(v)) / R(u)` as in
///    weighted mode; the other (hashed) out-links' share,
///    `frac(u) · Σ_{hashed u → x} min(cap(u → x), R(x)) / R(u)`, goes on one
///    of them, picked in link-id order among the hashed ones by a
///    splitmix64 hash of (seed, src, dst, flow id, node). So each scale-out
///    switch splits uniformly per hop over flows, like hardware ECMP (on a
///    DAG whose branches hold different numbers of paths this is not the
///    per-path split of spray), and scale-up ports interleave. When no
///    visited node has two or more out-links of which one is interleaved,
///    the route is one path and `R` is not needed.
///
/// # Complexity
///
/// With `V` nodes and `E` links:
///
/// - construction: O(V + E) time and memory (CSR adjacency sorted by link id,
///   and the O(V) stamped arrays of the search, which never need clearing);
/// - a per-pair search and DAG: O(degrees of the two BFS balls + degrees of the
///   fewest-hop path nodes). Each ball is about half the pair's hop count
///   deep, and the smaller frontier (by degree) is expanded first, so on a
///   Clos this is microseconds for nearby pairs and bounded by the switches
///   of the tiers the paths cross, never the whole fabric (O(V + E) only
///   in the worst case, e.g. an unreachable destination). DAGs are cached per
///   pair within [`DEFAULT_DEST_CACHE_BYTES`];
/// - a spray or weighted route: O(DAG size + k log k) for `k` links in the
///   route, then O(k) per cache hit;
/// - a hash route: O(hops) on a cached DAG when it is one path, else
///   O(DAG size) (a scale-up split).
///
/// A `Router` holds no `Rc` or interior mutability; it is `Send + Sync`, so a
/// later version can share read-only DAGs across rayon threads.
///
/// # Example
///
/// ```
/// // gpu0 ──1 µs──▶ sw ──1 µs──▶ gpu1     (and back; sw forwards in 0.1 µs)
/// use fabricsim_routing::Router;
/// use fabricsim_topology::RoutingMode;
/// use fabricsim_topology::{Link, LinkId, Node, NodeId, NodeRole, Topology};
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
/// # Ok::<(), fabricsim_routing::RoutingError>(())
/// ```
pub struct Router<'t> {
    topo: &'t Topology,
    mode: RoutingMode,
    seed: u64,
    adj: Adjacency<'t>,
    /// `disabled[l]`: link `l` has failed and is ignored.
    disabled: Vec<bool>,
    /// `interleaved[l]`: [`interleaved_link`] of link `l`; hash mode only
    /// (empty in the other modes, which never read it).
    interleaved: Vec<bool>,
    /// Per-pair shortest-path DAGs.
    dags: DagCache,
    spray: SprayCache,
    search: PairSearch,
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
        Router {
            topo,
            mode,
            seed,
            adj: Adjacency::new(topo),
            disabled: vec![false; topo.links.len()],
            interleaved: if mode == RoutingMode::Hash {
                topo.links.iter().map(interleaved_link).collect()
            } else {
                Vec::new()
            },
            dags: DagCache {
                dags: HashMap::with_hasher(FixedState),
                bytes: 0,
                capacity: usize::MAX,
                capacity_bytes: DEFAULT_DEST_CACHE_BYTES,
            },
            spray: SprayCache {
                routes: HashMap::with_hasher(FixedState),
                links: 0,
                capacity_links: DEFAULT_SPRAY_CACHE_LINKS,
            },
            search: PairSearch::new(n),
            scratch: Scratch::new(n),
            stats: RouterStats::default(),
        }
    }

    /// Sets the cache bounds: at most `max_destinations` per-pair
    /// shortest-path DAGs (at least 1; by default only their total size is
    /// bounded, by [`DEFAULT_DEST_CACHE_BYTES`]) and at most `max_spray_links`
    /// `(link, fraction)` entries over all cached spray or weighted routes.
    /// When a cache would exceed a bound it is emptied (a cheap generational
    /// policy). Clears both caches.
    pub fn with_cache_limits(mut self, max_destinations: usize, max_spray_links: usize) -> Self {
        self.dags.capacity = max_destinations.max(1);
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
    /// O(len(links) + cached entries).
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
    /// the same links, with the hop-by-hop reachable-capacity fractions of
    /// [`RoutingMode::Weighted`] (cached likewise). Hash: one hashed link per
    /// visited node among its scale-out next hops, and the weighted split
    /// among its scale-up next hops ([`interleaved_link`]); without scale-up
    /// choices, the links of one equal-cost shortest path, each with fraction
    /// 1.0. `latency_s` is the shortest-path latency for spray, weighted and a
    /// split hash route, and the chosen path's summed latency for a one-path
    /// hash route (equal within [`LATENCY_REL_TOL`] per hop).
    ///
    /// # Errors
    ///
    /// [`RoutingError::SameNode`] if `src == dst`, [`RoutingError::Unreachable`]
    /// if no enabled path exists, [`RoutingError::UnknownNode`] for an id
    /// outside the topology.
    ///
    /// # Complexity
    ///
    /// See [`Router`]: a bounded per-pair search on a DAG-cache miss, then
    /// O(DAG size) for a new spray or weighted route, O(k) for a cached one,
    /// O(hops) for hash.
    pub fn route(&mut self, src: NodeId, dst: NodeId, flow_id: u64) -> Result<Route, RoutingError> {
        self.route_keeping(src, dst, flow_id, true)
    }

    /// [`Self::route`] for a caller that keeps the route itself: the route
    /// cache is read but the new route is not added to it (the pair's
    /// shortest-path DAG is cached as by [`Self::route`]). The route is the
    /// same, as routes never depend on cache state; this saves the cache's
    /// copy of every route when a large run keeps its own.
    ///
    /// # Errors
    ///
    /// As [`Self::route`].
    pub fn route_once(
        &mut self,
        src: NodeId,
        dst: NodeId,
        flow_id: u64,
    ) -> Result<Route, RoutingError> {
        self.route_keeping(src, dst, flow_id, false)
    }

    fn route_keeping(
        &mut self,
        src: NodeId,
        dst: NodeId,
        flow_id: u64,
        keep: bool,
    ) -> Result<Route, RoutingError> {
        self.check_node(src)?;
        self.check_node(dst)?;
        if src == dst {
            return Err(RoutingError::SameNode {
                node: src,
                name: self.topo.nodes[src.idx()].name.clone(),
            });
        }
        // Neighbours: the one-hop DAG needs no search, and is cheaper to
        // rebuild than to cache (millions of GPU ↔ switch transfers).
        if let Some(dag) = dag::direct_dag(&self.adj, &self.disabled, src, dst) {
            return Ok(self.walk(&dag, src, dst, flow_id));
        }
        if matches!(self.mode, RoutingMode::Spray | RoutingMode::Weighted)
            && let Some(r) = self.spray.routes.get(&(src, dst))
        {
            self.stats.spray_hits += 1;
            return Ok(r.clone());
        }
        let fresh = self.lookup_dag(src, dst)?;
        let dag = match &fresh {
            Some(d) => d,
            None => &self.dags.dags[&(src, dst)],
        };
        let route = match self.mode {
            RoutingMode::Spray | RoutingMode::Weighted => {
                self.stats.spray_misses += 1;
                let route = if self.mode == RoutingMode::Spray {
                    dag::spray_route(dag, &mut self.scratch)
                } else {
                    dag::weighted_route(self.topo, dag, &mut self.scratch)
                };
                if keep {
                    self.spray.insert(src, dst, &route);
                }
                route
            }
            RoutingMode::Hash => {
                let key = hash_key(self.seed, src, dst, flow_id);
                dag::hash_route(
                    self.topo,
                    &self.adj,
                    &self.interleaved,
                    dag,
                    key,
                    &mut self.scratch,
                )
            }
        };
        if let Some(d) = fresh {
            self.cache_dag(src, dst, d);
        }
        Ok(route)
    }

    /// The route of flow `flow_id` on `dag` (the DAG of `src → dst`) in this
    /// router's mode, uncached.
    fn walk(&mut self, dag: &PairDag, src: NodeId, dst: NodeId, flow_id: u64) -> Route {
        match self.mode {
            RoutingMode::Spray => dag::spray_route(dag, &mut self.scratch),
            RoutingMode::Weighted => dag::weighted_route(self.topo, dag, &mut self.scratch),
            RoutingMode::Hash => dag::hash_route(
                self.topo,
                &self.adj,
                &self.interleaved,
                dag,
                hash_key(self.seed, src, dst, flow_id),
                &mut self.scratch,
            ),
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
    /// O(1) with a cached DAG for the pair, else the per-pair search (whose
    /// DAG is then cached).
    pub fn hops(&mut self, src: NodeId, dst: NodeId) -> Result<u32, RoutingError> {
        self.check_node(src)?;
        self.check_node(dst)?;
        if src == dst {
            return Ok(0);
        }
        Ok(match self.lookup_dag(src, dst)? {
            None => self.dags.dags[&(src, dst)].src_hops(),
            Some(d) => {
                let h = d.src_hops();
                self.cache_dag(src, dst, d);
                h
            }
        })
    }

    /// Hop count of the shortest paths from `src` to `dst`, like
    /// [`Router::hops`], but from the search alone: no DAG is built or
    /// cached (a cached one answers in O(1)). For comparing distances of
    /// pairs whose routes are never needed.
    ///
    /// # Errors
    ///
    /// As [`Router::hops`].
    pub fn hop_count(&mut self, src: NodeId, dst: NodeId) -> Result<u32, RoutingError> {
        self.check_node(src)?;
        self.check_node(dst)?;
        if src == dst {
            return Ok(0);
        }
        if let Some(d) = self.dags.dags.get(&(src, dst)) {
            return Ok(d.src_hops());
        }
        self.search
            .hop_count(&self.adj, &self.disabled, src, dst)
            .ok_or_else(|| self.unreachable(src, dst))
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
        self.dags.clear();
        self.spray.routes.clear();
        self.spray.links = 0;
    }

    /// `None` if the DAG of (`src`, `dst`) (`src != dst`) is cached, else
    /// computes it by the per-pair search. The caller caches a computed DAG
    /// with [`Router::cache_dag`] once done with it.
    fn lookup_dag(&mut self, src: NodeId, dst: NodeId) -> Result<Option<PairDag>, RoutingError> {
        if self.dags.dags.contains_key(&(src, dst)) {
            self.stats.dest_hits += 1;
            return Ok(None);
        }
        self.stats.dest_misses += 1;
        if let Some(dag) = dag::direct_dag(&self.adj, &self.disabled, src, dst) {
            return Ok(Some(dag));
        }
        if self
            .search
            .run(&self.adj, &self.disabled, src, dst)
            .is_none()
        {
            return Err(self.unreachable(src, dst));
        }
        let ctx = Ctx {
            adj: &self.adj,
            disabled: &self.disabled,
            table: &self.search,
        };
        Ok(Some(ctx.collect_dag(src, &mut self.scratch)))
    }

    fn cache_dag(&mut self, src: NodeId, dst: NodeId, dag: PairDag) {
        self.stats.dest_evictions += self.dags.insert(src, dst, dag) as u64;
    }
}
