//! Routing fidelity of the `hash` and `weighted` modes on shipped fabrics
//! (docs/semantics.md §3): hash interleaves over NVLink ports and hashes
//! only scale-out choices; weighted splits by the capacity each next hop can
//! still deliver, so one failed NVLink lane costs about its share.
//!
//! Ring all-reduces run on raw capacities with α = 0, so the time is
//! `L + 2(n−1)/n · S / r` with `r` the rate of the slowest ring flow and `L`
//! the path latencies; `r` is measured as the slope between two sizes
//! (`ring_rate`), which large-size busbw tends to. Expected rates are derived by hand from the lane counts of
//! `topologies/hgx-h100.toml` (5/4/4/5 NVLink4 lanes of 25 GB/s per GPU to
//! its four NVSwitches, 18 in all).

use std::path::Path;

use fabricsim::collective::run::{DEFAULT_CHUNK_BYTES, Outcome, Request, run};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};
use fabricsim::routing::Router;
use fabricsim::topology::{FailureSpec, LinkId, LoadOptions, NodeId, RoutingMode, Topology};

const G: f64 = 1e9;
const LANE: f64 = 25.0 * G;

fn shipped(name: &str, fail: &[&str]) -> Topology {
    let flags: Vec<FailureSpec> = fail.iter().map(|f| f.parse().unwrap()).collect();
    Topology::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join(name),
        &LoadOptions::default().with_failures(flags),
    )
    .unwrap()
}

/// Ring all-reduce of `size` bytes over `ranks` in `mode` (raw
/// capacities, α = 0).
fn ring_at(t: &Topology, ranks: &[NodeId], mode: RoutingMode, size: f64) -> Outcome {
    let params = Params {
        alpha_s: Some(0.0),
        raw_capacity: true,
        routing: Some(mode),
        ..Params::default()
    };
    let mut sim = CollectiveSim::new(t, params);
    let req = Request {
        op: Op::AllReduce,
        algo: Algo::Ring,
        size,
        channels: None,
        chunk_bytes: DEFAULT_CHUNK_BYTES,
        protocol: None,
    };
    run(&mut sim, ranks, &req).unwrap()
}

/// The ring's bandwidth term over all accelerators of `t`, in GB/s: with
/// `t(S) = L + 2(n−1)/n · S / r` (`L` the link and switch latencies, which
/// α = 0 does not remove), `r = 2(n−1)/n · S / (t(2S) − t(S))`; the busbw
/// of a large ring tends to it.
fn ring_rate(t: &Topology, mode: RoutingMode) -> f64 {
    let s = 1024.0 * 1024.0 * 1024.0;
    let n = t.accelerators.len() as f64;
    let ranks = t.accelerators.clone();
    let (t1, t2) = (
        ring_at(t, &ranks, mode, s).time_s,
        ring_at(t, &ranks, mode, 2.0 * s).time_s,
    );
    2.0 * (n - 1.0) / n * s / (t2 - t1) / G
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs(),
        "{what}: got {got}, want {want}"
    );
}

/// HGX H100, ring over the 8 GPUs: every GPU sends one flow to its
/// successor and receives one from its predecessor, and no two flows share
/// a link (g → swk carries only g's send, swk → g only g's receive).
/// Weighted: each flow goes lanes_k/18 via switch k, so each link runs at
/// the same load r · lanes_k/18 ≤ lanes_k · 25 GB/s: r = 18 · 25 = 450 GB/s.
/// Hash: every choice on the board is an NVLink port, so it is the same
/// split: 450 GB/s (before this change it pinned each flow to one switch of
/// 4 or 5 lanes). Spray: 1/4 per switch, bound by the 4-lane links,
/// r/4 ≤ 100 GB/s: 400 GB/s.
#[test]
fn hash_equals_weighted_on_the_hgx_h100_board() {
    let t = shipped("hgx-h100.toml", &[]);
    let ranks = t.accelerators.clone();
    assert_close(
        ring_rate(&t, RoutingMode::Weighted),
        18.0 * LANE / G,
        "weighted",
    );
    assert_close(ring_rate(&t, RoutingMode::Spray), 16.0 * LANE / G, "spray");
    let size = 1024.0 * 1024.0 * 1024.0;
    let weighted = ring_at(&t, &ranks, RoutingMode::Weighted, size);
    let hash = ring_at(&t, &ranks, RoutingMode::Hash, size);
    assert_eq!(hash.busbw_gbps, weighted.busbw_gbps, "hash busbw");
    assert_eq!(hash.time_s, weighted.time_s, "hash time");
    // Route by route, for several flow ids and seeds.
    let mut w = Router::new(&t, RoutingMode::Weighted, 0);
    for seed in 0..3 {
        let mut h = Router::new(&t, RoutingMode::Hash, seed);
        for &a in &ranks {
            for &b in ranks.iter().filter(|&&b| b != a) {
                for flow in 0..3 {
                    assert_eq!(h.route(a, b, flow).unwrap(), w.route(a, b, 0).unwrap());
                }
            }
        }
    }
}

/// HGX H100 with one NVLink lane failed (`random:1:S:scale-up`; the seeds
/// hit a 4-lane and a 5-lane bundle, both directions). Let GPU a have lost a
/// lane to switch k. Weighted, by reachable capacity: a flow into a weighs
/// switch k by min(its lanes from the sender, lanes_k − 1 into a) =
/// lanes_k − 1, a flow out of a by min(lanes_k − 1, lanes_k) = lanes_k − 1,
/// so both split over 17 lanes and reach r = 17 · 25 = 425 GB/s; the other
/// flows keep 450. busbw = 425 GB/s, a loss of 1/18 (one lane of 18). The
/// per-hop split by link capacity alone sent the flow into a lanes_k/18
/// via switch k, whose link into a has lanes_k − 1 lanes: r ≤ 25 ·
/// (lanes_k − 1) · 18 / lanes_k, i.e. 337.5 GB/s for a 4-lane bundle (−25%)
/// and 360 GB/s for a 5-lane one (−20%).
#[test]
fn one_failed_nvlink_lane_costs_its_share_of_the_ring() {
    let base = ring_rate(&shipped("hgx-h100.toml", &[]), RoutingMode::Weighted);
    assert_close(base, 18.0 * LANE / G, "intact");
    let mut bundles = Vec::new();
    for seed in ["1", "3"] {
        let t = shipped("hgx-h100.toml", &[&format!("random:1:{seed}:scale-up")]);
        assert_eq!(t.failures.lanes, 1);
        let f = &t.failures.links[0];
        assert_eq!(f.failed_lanes, 1);
        bundles.push(f.lanes);
        for mode in [RoutingMode::Weighted, RoutingMode::Hash] {
            let r = ring_rate(&t, mode);
            assert_close(r, 17.0 * LANE / G, "one lane down");
            assert_close(r / base, 17.0 / 18.0, "loss = 1/18");
        }
    }
    bundles.sort();
    assert_eq!(bundles, [4, 5], "the seeds cover both bundle sizes");
}

/// 16× HGX H100 on a rail-optimized 2-tier InfiniBand Clos
/// (`h100-2tier-16node.toml`: one NIC per GPU, rails 0–1 on leaf 0 and
/// rails 2–3 on leaf 1, each leaf one 16-lane bundle to each of 2 spines).
/// Within a server, hash = weighted (NVLink choices only). From rail 0 to
/// rail 2 of the next server the only choice is leaf 0's spine, hashed: each
/// flow crosses exactly one leaf → spine link, with its whole rate, where
/// spray and weighted put 1/2 on each. The 16 flows d_i.gpu0 → d_{i+1}.gpu2
/// thus pile onto the two uplinks as a Binomial(16, 1/2) draw per seed
/// rather than 8 + 8; an even 8/8 draw has probability C(16, 8)/2^16 ≈ 0.196,
/// so over 8 seeds some uplink carries more than 8 of them (a hash
/// collision spray does not have) unless an event of probability
/// 0.196^8 ≈ 2e-6 occurred.
#[test]
fn hash_still_collides_on_the_scale_out_of_a_multi_node_fabric() {
    let t = shipped("h100-2tier-16node.toml", &[]);
    let id = |n: &str| t.node_id(n).unwrap();
    let name = |n: NodeId| t.nodes[n.idx()].name.as_str();
    let uplink = |l: LinkId| {
        let link = &t.links[l.idx()];
        name(link.src).starts_with("leaf") && name(link.dst).starts_with("spine")
    };
    let mut w = Router::new(&t, RoutingMode::Weighted, 0);
    let mut worst = 0;
    for seed in 0..8 {
        let mut h = Router::new(&t, RoutingMode::Hash, seed);
        assert_eq!(
            h.route(id("d3.gpu0"), id("d3.gpu5"), seed).unwrap(),
            w.route(id("d3.gpu0"), id("d3.gpu5"), 0).unwrap()
        );
        let mut per_uplink: Vec<(LinkId, usize)> = Vec::new();
        for i in 0..16 {
            let (a, b) = (
                id(&format!("d{i}.gpu0")),
                id(&format!("d{}.gpu2", (i + 1) % 16)),
            );
            let r = h.route(a, b, 0).unwrap();
            assert!(r.links.iter().all(|&(_, f)| f == 1.0), "{r:?}");
            let ups: Vec<LinkId> = r.links.iter().map(|x| x.0).filter(|&l| uplink(l)).collect();
            assert_eq!(ups.len(), 1, "one uplink: {r:?}");
            match per_uplink.iter_mut().find(|(l, _)| *l == ups[0]) {
                Some((_, n)) => *n += 1,
                None => per_uplink.push((ups[0], 1)),
            }
            let wr = w.route(a, b, 0).unwrap();
            for &(l, f) in wr.links.iter().filter(|&&(l, _)| uplink(l)) {
                assert_eq!(f, 0.5, "{}", t.link_label(l));
            }
        }
        assert_eq!(per_uplink.iter().map(|x| x.1).sum::<usize>(), 16);
        worst = worst.max(per_uplink.iter().map(|x| x.1).max().unwrap());
    }
    assert!(worst > 8, "hash never collided: {worst}");
}
