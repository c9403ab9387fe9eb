//! Which paths are shortest, in every mode: fewest hops first, then lowest
//! latency (links plus forwarding latency of intermediate nodes, equal
//! within the tolerance), only through forwarding nodes; and the errors
//! for unreachable or invalid endpoints.

use super::*;

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
