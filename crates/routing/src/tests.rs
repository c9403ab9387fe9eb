//! Unit tests and property tests of shortest-path ECMP routing.

use super::*;
use fabricsim_base::rng::mix64 as splitmix64;
use fabricsim_topology::{Link, Node, NodeRole};
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

// --- Per-pair search against the whole-fabric reference ------------------

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
            let hashed = dag::hash_route(&adj, &want, key);
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
