//! The per-pair search against the whole-fabric per-destination reference
//! (reachability, hop counts, DAGs and bit-identical routes on random
//! graphs, a fat tree with failures and a rail-optimized fabric), that it
//! stays local, and that evicting destination tables changes no route.

use super::*;

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

/// The whole-fabric per-destination table that routing used before the
/// per-pair search: hop count and latency to `dst` from every node. Kept as
/// the reference the search must reproduce bit for bit.
struct FullTable {
    dst: NodeId,
    hops: Vec<u32>,
    lat_s: Vec<f64>,
}

impl dest::DistTable for FullTable {
    fn dst(&self) -> NodeId {
        self.dst
    }
    fn hops(&self, u: NodeId) -> u32 {
        self.hops[u.idx()]
    }
    fn lat_s(&self, u: NodeId) -> f64 {
        self.lat_s[u.idx()]
    }
}

/// Reverse BFS from `dst` for hop counts (expanding only `dst` and
/// forwarding nodes), then the latency DP in BFS order. O(V + E). Reads the
/// topology directly, not the router's adjacency.
fn full_table(topo: &Topology, disabled: &[bool], dst: NodeId) -> FullTable {
    let n = topo.nodes.len();
    let enterable = |v: NodeId| v == dst || topo.nodes[v.idx()].forwards;
    let mut t = FullTable {
        dst,
        hops: vec![UNREACHED; n],
        lat_s: vec![f64::INFINITY; n],
    };
    t.hops[dst.idx()] = 0;
    t.lat_s[dst.idx()] = 0.0;
    let mut queue = vec![dst];
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        if !enterable(v) {
            continue;
        }
        for (l, link) in topo.links.iter().enumerate() {
            let u = link.src;
            if link.dst == v && !disabled[l] && t.hops[u.idx()] == UNREACHED {
                t.hops[u.idx()] = t.hops[v.idx()] + 1;
                queue.push(u);
            }
        }
    }
    for &u in &queue[1..] {
        let hu = t.hops[u.idx()];
        let mut best = f64::INFINITY;
        for (l, link) in topo.links.iter().enumerate() {
            let v = link.dst;
            if link.src == u && !disabled[l] && t.hops[v.idx()] == hu - 1 && enterable(v) {
                let fwd = if v == dst {
                    0.0
                } else {
                    topo.nodes[v.idx()].latency_s
                };
                best = best.min(link.latency_s + fwd + t.lat_s[v.idx()]);
            }
        }
        t.lat_s[u.idx()] = best;
    }
    t
}

/// Checks every (src, dst) pair of `pairs` against the whole-fabric
/// reference: same reachability, hop count, DAG (nodes, hops, links,
/// latency) and bit-identical spray, weighted and hash routes.
fn check_against_reference(
    topo: &Topology,
    failed: &[LinkId],
    seed: u64,
    pairs: impl Iterator<Item = (NodeId, NodeId)>,
) -> Result<(), TestCaseError> {
    let adj = Adjacency::new(topo);
    let mut disabled = vec![false; topo.links.len()];
    for l in failed {
        disabled[l.idx()] = true;
    }
    let modes = [RoutingMode::Spray, RoutingMode::Weighted, RoutingMode::Hash];
    let mut routers: Vec<Router> = modes
        .iter()
        .map(|&m| {
            let mut r = Router::new(topo, m, seed);
            r.disable_links(failed).unwrap();
            r
        })
        .collect();
    // Answers hop counts from the search alone (never routes, so nothing
    // is cached for it).
    let mut counter = Router::new(topo, RoutingMode::Spray, seed);
    counter.disable_links(failed).unwrap();
    let mut scratch = Scratch::new(topo.nodes.len());
    let interleaved: Vec<bool> = topo.links.iter().map(interleaved_link).collect();
    let mut table: Option<FullTable> = None;
    for (src, dst) in pairs {
        if src == dst {
            continue;
        }
        if table.as_ref().is_none_or(|t| t.dst != dst) {
            table = Some(full_table(topo, &disabled, dst));
        }
        let t = table.as_ref().unwrap();
        if t.hops[src.idx()] == UNREACHED {
            for r in &mut routers {
                let unreachable =
                    matches!(r.route(src, dst, 0), Err(RoutingError::Unreachable { .. }));
                prop_assert!(unreachable, "{:?} → {:?} should be unreachable", src, dst);
                prop_assert!(r.hops(src, dst).is_err());
            }
            prop_assert!(counter.hop_count(src, dst).is_err());
            continue;
        }
        let ctx = Ctx {
            adj: &adj,
            disabled: &disabled,
            table: t,
        };
        let want = ctx.collect_dag(src, &mut scratch);
        prop_assert_eq!(counter.hop_count(src, dst).unwrap(), t.hops[src.idx()]);
        for r in &mut routers {
            prop_assert_eq!(r.hops(src, dst).unwrap(), t.hops[src.idx()]);
            prop_assert_eq!(&r.dags.dags[&(src, dst)], &want);
        }
        let spray = dag::spray_route(&want, &mut scratch);
        let weighted = dag::weighted_route(topo, &want, &mut scratch);
        prop_assert_eq!(routers[0].route(src, dst, 0).unwrap(), spray);
        prop_assert_eq!(routers[1].route(src, dst, 0).unwrap(), weighted);
        for flow in 0..4 {
            let key = dag::hash_key(seed, src, dst, flow);
            let hashed = dag::hash_route(topo, &adj, &interleaved, &want, key, &mut scratch);
            prop_assert_eq!(routers[2].route(src, dst, flow).unwrap(), hashed);
        }
    }
    Ok(())
}

/// A random directed graph of up to 40 nodes: random one-way and
/// full-duplex links (latencies 0–2 or multiples of 0.1, so both exact ties
/// and ties within [`LATENCY_REL_TOL`] occur), about 30 % non-forwarding
/// nodes and 10 % failed links.
#[derive(Clone, Debug)]
struct RandGraph {
    n: usize,
    /// `(a, b, latency code, duplex)`.
    links: Vec<(u32, u32, u8, bool)>,
    endpoint: Vec<bool>,
    fwd: Vec<u8>,
    failed: Vec<bool>,
}

fn arb_graph() -> impl Strategy<Value = RandGraph> {
    (2usize..=40).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n as u32, 0..n as u32, 0u8..6, any::<bool>()), 0..4 * n),
            prop::collection::vec(prop::bool::weighted(0.3), n),
            prop::collection::vec(0u8..3, n),
            prop::collection::vec(prop::bool::weighted(0.1), 8 * n),
        )
            .prop_map(|(n, links, endpoint, fwd, failed)| RandGraph {
                n,
                links,
                endpoint,
                fwd,
                failed,
            })
    })
}

impl RandGraph {
    fn build(&self) -> (Topology, Vec<LinkId>) {
        let mut f = Fab::default();
        let ids: Vec<NodeId> = (0..self.n)
            .map(|i| {
                if self.endpoint[i] {
                    f.host(&format!("n{i}"))
                } else {
                    f.switch(&format!("n{i}"), f64::from(self.fwd[i]) * 0.5)
                }
            })
            .collect();
        let lat = |c: u8| {
            if c < 3 {
                f64::from(c)
            } else {
                f64::from(c - 2) * 0.1
            }
        };
        for &(a, b, c, duplex) in &self.links {
            if a != b {
                let (a, b) = (ids[a as usize], ids[b as usize]);
                if duplex {
                    f.duplex(a, b, lat(c));
                } else {
                    f.simplex(a, b, lat(c));
                }
            }
        }
        let failed = (0..f.links.len())
            .filter(|&l| self.failed[l])
            .map(|l| LinkId(l as u32))
            .collect();
        (f.build(), failed)
    }
}

proptest! {
    #[test]
    fn pair_search_matches_whole_fabric_reference(g in arb_graph(), seed in any::<u64>()) {
        let (topo, failed) = g.build();
        let n = topo.nodes.len() as u32;
        let pairs = (0..n).flat_map(|d| (0..n).map(move |s| (NodeId(s), NodeId(d))));
        check_against_reference(&topo, &failed, seed, pairs)?;
    }

    #[test]
    fn pair_search_matches_reference_on_small_fabrics(fab in arb_fab(), seed in any::<u64>()) {
        let (topo, failed) = fab.build();
        let n = topo.nodes.len() as u32;
        let pairs = (0..n).flat_map(|d| (0..n).map(move |s| (NodeId(s), NodeId(d))));
        check_against_reference(&topo, &failed, seed, pairs)?;
    }
}

#[test]
fn pair_search_matches_reference_on_fat_tree_with_failures() {
    let (topo, _) = fat_tree(8);
    let n = topo.nodes.len() as u32;
    // Every 7th link failed: asymmetric DAGs, some switches cut off.
    let failed: Vec<LinkId> = (0..topo.links.len() as u32)
        .step_by(7)
        .map(LinkId)
        .collect();
    for failed in [&[][..], &failed[..]] {
        let pairs = (0..n).flat_map(|d| (0..n).map(move |s| (NodeId(s), NodeId(d))));
        check_against_reference(&topo, failed, 11, pairs).unwrap();
    }
}

#[test]
fn pair_search_matches_reference_on_rail_optimized_fabric() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../topologies/h100-2tier-16node.toml"
    );
    let topo = fabricsim_topology::Topology::load(path, &Default::default()).unwrap();
    let n = topo.nodes.len() as u32;
    // All sources towards a spread of destinations (GPUs, NICs, switches).
    let pairs = (0..n)
        .step_by(13)
        .flat_map(|d| (0..n).map(move |s| (NodeId(s), NodeId(d))));
    check_against_reference(&topo, &[], 5, pairs).unwrap();
}

/// The search touches only the part of the fabric near the pair: a GPU → GPU
/// pair under one NVSwitch board, or two hosts under one edge switch, never
/// labels more than a few dozen of the fabric's nodes.
#[test]
fn pair_search_stays_local() {
    let (topo, hosts) = fat_tree(16); // 1,024 hosts, 320 switches
    let mut r = Router::new(&topo, RoutingMode::Spray, 0);
    r.route(hosts[0], hosts[1], 0).unwrap();
    assert!(r.search.ball_size() <= 4, "{}", r.search.ball_size());
    r.route(hosts[0], hosts[hosts.len() - 1], 0).unwrap();
    assert!(r.search.ball_size() < 300, "{}", r.search.ball_size());
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../topologies/h100-2tier-16node.toml"
    );
    let topo = fabricsim_topology::Topology::load(path, &Default::default()).unwrap();
    let g = |name: &str| topo.node_id(name).unwrap();
    let mut r = Router::new(&topo, RoutingMode::Weighted, 0);
    assert_eq!(r.hops(g("d0.gpu0"), g("d0.gpu1")).unwrap(), 2);
    assert!(r.search.ball_size() <= 12, "{}", r.search.ball_size());
}
