//! Weighted routing: at every node the flow splits over the next hops of
//! the shortest-path DAG in proportion to their capacity (lanes), without
//! disabled links; on a symmetric fabric it equals spray.

use super::*;

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
