//! Weighted routing: at every node the flow splits over the next hops of
//! the shortest-path DAG in proportion to `min(cap(u → v), R(v))`, the
//! capacity each can still deliver (`R` the reachable capacity), without
//! disabled links; on a symmetric fabric it equals spray, on an intact HGX
//! board it is the split by lanes.

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

//  Hand computation: R(g1) = ∞, R(swk) = min(lanes_k, ∞) = lanes_k (in
//  units of 25 GB/s), so g0's four next hops weigh min(lanes_k, lanes_k) =
//  5, 4, 4, 5 of R(g0) = 18 lanes, and frac(swk) = lanes_k / 18 = 5/18, 4/18, 4/18, 5/18; each switch has one
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
//  the remaining next hops weigh min(lanes_k, R(swk) = lanes_k), 4 + 4 + 5 =
//  13 lanes, so sw1, sw2, sw3 get
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
//  of 25 GB/s) and a second, 3-lane cable from c to dst (all latencies 1);
//  d's only way on (d → dst, 1 lane) is narrower than its way in (a → d, 2):
//
//        ┌─3─▶ a ──┬─1─▶ c ══1,3══╗
//  src ──┤         └─2─▶ d ──1────╫──▶ dst
//        └─1─▶ b ────5─▶ c        ║
//
//  Hand computation in lanes, backward: R(dst) = ∞;
//  R(c) = min(1, ∞) + min(3, ∞) = 4;   R(d) = min(1, ∞) = 1;
//  R(a) = min(1, R(c)) + min(2, R(d)) = 1 + 1 = 2;   R(b) = min(5, 4) = 4;
//  R(src) = min(3, R(a)) + min(1, R(b)) = 2 + 1 = 3.
//  Forward:
//  src: src→a 2/3, src→b 1/3
//  a:   weights 1, 1 of 2 → a→c 2/3·1/2 = 1/3, a→d 1/3
//  b:   one next hop      → b→c 1/3;  frac(c) = 2/3, frac(d) = 1/3
//  c:   weights 1, 3 of 4 → c→dst(1 lane) 2/3·1/4 = 1/6, c→dst(3 lanes) 1/2
//  d:   one next hop      → d→dst 1/3
//  At rate r (lanes) the tightest links are a→c and d→dst, r/3 ≤ 1: r = 3,
//  the DAG's max flow (cut {a→c, d→dst, src→b} = 1 + 1 + 1). The per-hop
//  capacity split (src→a 3/4, a→d 1/2) would overload d→dst at r = 2.
#[test]
fn weighted_follows_reachable_capacity_hop_by_hop() {
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
            (sa, 2.0 / 3.0),
            (sb, 1.0 / 3.0),
            (ac, 1.0 / 3.0),
            (ad, 1.0 / 3.0),
            (bc, 1.0 / 3.0),
            (cd1, 1.0 / 6.0),
            (cd3, 0.5),
            (dd, 1.0 / 3.0),
        ],
    );
    assert_eq!(route.latency_s, 3.0);
    let rate = route_rate(&topo, &route);
    assert!((rate - 3.0 * 25e9).abs() < 1e-3, "{rate}");
}

//  HGX-like board of `hgx_star` with one of the 5 lanes between g0 and sw0
//  failed (bundle g0 ⇄ sw0 of 4 lanes, both directions). Hand computation,
//  in lanes:
//  g0 → g1: R(swk) = cap(swk → g1) = 5, 4, 4, 5; weights min(cap(g0 → swk),
//           R(swk)) = 4, 4, 4, 5 of 17.
//  g1 → g0: R(swk) = cap(swk → g0) = 4, 4, 4, 5; weights min(cap(g1 → swk),
//           R(swk)) = min(5, 4), 4, 4, 5 = 4, 4, 4, 5 of 17 — the per-hop
//           capacity split would send 5/18 towards sw0 and overload
//           sw0 → g0 (4 lanes) at a rate of 4 · 18 / 5 = 14.4 lanes.
//  Either way the flow reaches 17 lanes: every link carries lanes/17 of it.
#[test]
fn weighted_routes_around_a_failed_lane_by_what_each_switch_delivers() {
    let mut f = Fab::default();
    let (g0, g1) = (f.host("g0"), f.host("g1"));
    let (mut up0, mut down0, mut up1, mut down1) = (vec![], vec![], vec![], vec![]);
    for (k, (lanes0, lanes1)) in [(4, 5), (4, 4), (4, 4), (5, 5)].into_iter().enumerate() {
        let sw = f.switch(&format!("sw{k}"), 0.0);
        let (a, b) = f.bundle(g0, sw, lanes0);
        let (c, d) = f.bundle(g1, sw, lanes1);
        up0.push(a);
        down0.push(b);
        up1.push(c);
        down1.push(d);
    }
    let topo = f.build();
    let mut r = Router::new(&topo, RoutingMode::Weighted, 0);
    let share = [4.0 / 17.0, 4.0 / 17.0, 4.0 / 17.0, 5.0 / 17.0];
    for (src, dst, up, down) in [(g0, g1, &up0, &down1), (g1, g0, &up1, &down0)] {
        let route = r.route(src, dst, 0).unwrap();
        let expect: Vec<(LinkId, f64)> = (up.iter().zip(share))
            .chain(down.iter().zip(share))
            .map(|(&l, f)| (l, f))
            .collect();
        assert_links(&route, &expect);
        let rate = route_rate(&topo, &route);
        assert!((rate - 17.0 * 25e9).abs() < 1e-3, "{rate}");
    }
}

//  R is an upper bound on the max flow where branches meet again before
//  the destination, even on this series-parallel DAG (all links 1 lane):
//
//        ┌─▶ a ─┐
//  src ──┤      ├─▶ c ──▶ dst
//        └─▶ b ─┘
//
//  R(c) = 1, R(a) = R(b) = min(1, 1) = 1, R(src) = 2 although the max flow is
//  1 (c → dst). The split is still the even one, 1/2 via a and b (their
//  weights are equal), and c → dst carries the whole flow.
#[test]
fn weighted_split_where_branches_merge_before_the_destination() {
    let mut f = Fab::default();
    let src = f.host("src");
    let (a, b, c) = (f.switch("a", 0.0), f.switch("b", 0.0), f.switch("c", 0.0));
    let dst = f.host("dst");
    let (sa, _) = f.bundle(src, a, 1);
    let (sb, _) = f.bundle(src, b, 1);
    let (ac, _) = f.bundle(a, c, 1);
    let (bc, _) = f.bundle(b, c, 1);
    let (cd, _) = f.bundle(c, dst, 1);
    let topo = f.build();
    let route = Router::new(&topo, RoutingMode::Weighted, 0)
        .route(src, dst, 0)
        .unwrap();
    assert_links(
        &route,
        &[(sa, 0.5), (sb, 0.5), (ac, 0.5), (bc, 0.5), (cd, 1.0)],
    );
}

// `route_once` returns the route `route` does and adds it to the route
// cache only as `route` would not: a later `route` of the pair walks the
// (cached) DAG again instead of hitting the route cache, and once `route`
// has cached the route `route_once` reads it.
#[test]
fn route_once_reads_but_never_fills_the_route_cache() {
    let (topo, g0, g1, _, _) = hgx_star();
    let mut r = Router::new(&topo, RoutingMode::Weighted, 0);
    let once = r.route_once(g0, g1, 0).unwrap();
    let st = r.stats();
    assert_eq!((st.dest_misses, st.spray_misses, st.spray_hits), (1, 1, 0));
    let kept = r.route(g0, g1, 0).unwrap();
    assert_eq!(once, kept);
    let st = r.stats();
    // The DAG was cached (a hit), the route was not (a second miss).
    assert_eq!((st.dest_hits, st.dest_misses), (1, 1));
    assert_eq!((st.spray_misses, st.spray_hits), (2, 0));
    assert_eq!(r.route_once(g0, g1, 3).unwrap(), kept);
    assert_eq!(r.stats().spray_hits, 1);
}
