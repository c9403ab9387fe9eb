//! Hash routing: one shortest path per flow where every choice is
//! scale-out, deterministic for a seed, pinned across machines by
//! splitmix64, spread over equal-cost paths, and equal to spray where there
//! is one path; over scale-up (NVLink) next hops the weighted split instead,
//! with one hashed link for the scale-out share of a node that has both.

use super::*;
use fabricsim_base::rng::mix64 as splitmix64;

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

/// Two 2-GPU servers on a 2-leaf/2-spine Ethernet Clos. In server `x`,
/// GPUs `gx0`, `gx1` reach NVSwitches `nx0` (2 NVLink4 lanes) and `nx1`
/// (1 lane), tier `scale-up`, latency `nvl_s`; each GPU has `nics` 1-lane
/// Ethernet cables (tier `leaf`, latency 1) to leaf `lx`, and each leaf one
/// cable to each spine (tier `spine`, latency 1). Switches forward in 0.
///
/// ```text
///             s0        s1
///             │ ╲      ╱ │
///             lA   ╳    lB
///            ╱  ╲     ╱   ╲
///         gA0   gA1  gB0   gB1
///           ╲  ╱  (nA0 ×2 lanes, nA1 ×1 lane per GPU; same in B)
///         nA0, nA1
/// ```
struct Servers {
    topo: Topology,
    /// `g[x][i]`: GPU i of server x.
    g: [[NodeId; 2]; 2],
    /// `up[x][i][k]`: gxi → nxk; `down[x][i][k]`: nxk → gxi.
    up: [[[LinkId; 2]; 2]; 2],
    down: [[[LinkId; 2]; 2]; 2],
    /// `gpu_leaf[x][i]`: the cables gxi → lx; `leaf_gpu[x][i]`: lx → gxi.
    gpu_leaf: [[Vec<LinkId>; 2]; 2],
    leaf_gpu: [[Vec<LinkId>; 2]; 2],
    /// `leaf_spine[x][j]`: lx → sj.
    leaf_spine: [[LinkId; 2]; 2],
}

fn servers(nvl_s: f64, nics: usize) -> Servers {
    const NVL: (&str, &str) = ("nvlink4", "scale-up");
    let mut f = Fab::default();
    let g = [
        [f.host("gA0"), f.host("gA1")],
        [f.host("gB0"), f.host("gB1")],
    ];
    let nv = [
        [f.switch("nA0", 0.0), f.switch("nA1", 0.0)],
        [f.switch("nB0", 0.0), f.switch("nB1", 0.0)],
    ];
    let leaf = [f.switch("lA", 0.0), f.switch("lB", 0.0)];
    let spine = [f.switch("s0", 0.0), f.switch("s1", 0.0)];
    let mut up = [[[LinkId(0); 2]; 2]; 2];
    let mut down = up;
    let mut gpu_leaf: [[Vec<LinkId>; 2]; 2] = Default::default();
    let mut leaf_gpu: [[Vec<LinkId>; 2]; 2] = Default::default();
    let mut leaf_spine = [[LinkId(0); 2]; 2];
    for x in 0..2 {
        for i in 0..2 {
            for (k, lanes) in [2, 1].into_iter().enumerate() {
                (up[x][i][k], down[x][i][k]) = f.cable(g[x][i], nv[x][k], lanes, NVL, nvl_s);
            }
            for _ in 0..nics {
                let (a, b) = f.cable(g[x][i], leaf[x], 1, ("ethernet-400g", "leaf"), 1.0);
                gpu_leaf[x][i].push(a);
                leaf_gpu[x][i].push(b);
            }
        }
        for j in 0..2 {
            leaf_spine[x][j] = f
                .cable(leaf[x], spine[j], 1, ("ethernet-400g", "spine"), 1.0)
                .0;
        }
    }
    Servers {
        topo: f.build(),
        g,
        up,
        down,
        gpu_leaf,
        leaf_gpu,
        leaf_spine,
    }
}

//  NVLink latency 0.5 < Ethernet 1: GPUs of one server talk over NVLink only
//  (2 hops, 1.0 vs 2.0 via the leaf). Hand computation, gA0 → gA1, in
//  lanes: R(nA0) = cap(nA0 → gA1) = 2, R(nA1) = 1, so gA0 splits 2/3 via
//  nA0 and 1/3 via nA1 for every flow, exactly as weighted (spray: 1/2
//  each). Across servers (gA0 → gB0) every hop is Ethernet: one path per
//  flow, via one spine, both directions of the spine consistent; over 1000
//  flows the spines split as Binomial(1000, 1/2).
#[test]
fn hash_interleaves_nvlink_and_hashes_the_scale_out() {
    let sv = servers(0.5, 1);
    let [[ga0, ga1], [gb0, _]] = sv.g;
    let mut hash = Router::new(&sv.topo, RoutingMode::Hash, 42);
    let weighted = Router::new(&sv.topo, RoutingMode::Weighted, 42)
        .route(ga0, ga1, 0)
        .unwrap();
    let expect = [
        (sv.up[0][0][0], 2.0 / 3.0),
        (sv.down[0][1][0], 2.0 / 3.0),
        (sv.up[0][0][1], 1.0 / 3.0),
        (sv.down[0][1][1], 1.0 / 3.0),
    ];
    assert_links(&weighted, &expect);
    for flow in 0..64 {
        let route = hash.route(ga0, ga1, flow).unwrap();
        assert_eq!(route, weighted, "flow {flow}");
        assert_eq!(route.latency_s, 1.0);
    }
    let mut via_s0 = 0;
    for flow in 0..1000 {
        let route = hash.route(ga0, gb0, flow).unwrap();
        assert!(route.links.iter().all(|&(_, f)| f == 1.0), "{route:?}");
        assert_eq!(route.links.len(), 4);
        assert_eq!(route.latency_s, 4.0);
        assert!(uses(&route, sv.gpu_leaf[0][0][0]) && uses(&route, sv.leaf_gpu[1][0][0]));
        let (s0, s1) = (
            uses(&route, sv.leaf_spine[0][0]),
            uses(&route, sv.leaf_spine[0][1]),
        );
        assert!(s0 != s1);
        via_s0 += usize::from(s0);
    }
    // Binomial(1000, 1/2): sd ≈ 15.8, so [400, 600] is a ±6.3 sd bound.
    assert!((400..=600).contains(&via_s0), "{via_s0} of 1000 via s0");
}

//  NVLink latency 1 = Ethernet: gA0 → gA1 also has the 2-hop paths over
//  its two 1-lane cables to lA and lA's two cables to gA1, so gA0 has both
//  kinds of next hop. Hand computation, in lanes: R(nA0) = 2, R(nA1) = 1,
//  R(lA) = 1 + 1 = 2; gA0 weighs nA0 min(2, 2) = 2, nA1 min(1, 1) = 1 and
//  the hashed group min(1, 2) + min(1, 2) = 2, of R(gA0) = 5. So nA0 carries
//  2/5, nA1 1/5, and one hashed gA0 → lA cable 2/5, which lA puts whole on
//  one of its two cables to gA1 (hashed again): 6 links. Over flows, each
//  cable of each pair is picked.
#[test]
fn hash_splits_a_mixed_node_between_interleaved_ports_and_one_hashed_link() {
    let sv = servers(1.0, 2);
    let [[ga0, ga1], _] = sv.g;
    let mut hash = Router::new(&sv.topo, RoutingMode::Hash, 7);
    let mut picked = [[0; 2]; 2];
    for flow in 0..200 {
        let route = hash.route(ga0, ga1, flow).unwrap();
        assert_eq!(route.links.len(), 6, "{route:?}");
        assert_eq!(route.latency_s, 2.0);
        let out =
            |ls: &[LinkId]| -> Vec<usize> { (0..2).filter(|&c| uses(&route, ls[c])).collect() };
        let (a, b) = (out(&sv.gpu_leaf[0][0]), out(&sv.leaf_gpu[0][1]));
        assert_eq!((a.len(), b.len()), (1, 1));
        picked[0][a[0]] += 1;
        picked[1][b[0]] += 1;
        assert_links(
            &route,
            &[
                (sv.up[0][0][0], 0.4),
                (sv.down[0][1][0], 0.4),
                (sv.up[0][0][1], 0.2),
                (sv.down[0][1][1], 0.2),
                (sv.gpu_leaf[0][0][a[0]], 0.4),
                (sv.leaf_gpu[0][1][b[0]], 0.4),
            ],
        );
        assert_eq!(route, hash.route(ga0, ga1, flow).unwrap());
    }
    assert!(picked.iter().flatten().all(|&n| n > 0), "{picked:?}");
}
