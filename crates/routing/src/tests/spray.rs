//! Spray routing: the flow splits evenly over the equal-cost paths (per
//! path, not per hop), parallel cables included, and moves off disabled
//! links.

use super::*;

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
