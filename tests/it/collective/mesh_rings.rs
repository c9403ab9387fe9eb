//! Rings over full-mesh scale-up domains (xGMI): every directed link of the
//! mesh carries the ring, and across nodes the NICs, not one xGMI link,
//! bound it. Expected bytes are the ring's closed form.

use crate::common::topology as load;
use fabricsim::collective::run::{Request, run_with_report};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};

#[test]
fn a_ring_over_two_mesh_nodes_uses_every_xgmi_link_once_and_is_nic_bound() {
    let t = load("mi300x-128node-roce.toml");
    let ranks = &t.accelerators[..16];
    let s = (1u64 << 30) as f64;
    let mut sim = CollectiveSim::new(&t, Params::default());
    let req = Request::new(Op::AllReduce, s).algo(Algo::Ring);
    let (o, rep) = run_with_report(&mut sim, ranks, &req).unwrap();
    // n = 16 ranks, C = 8 channels (one per rail): each ring hop carries
    // 2(n−1) chunks of S/(n·C); each directed xGMI link is one hop of one
    // channel, so it carries 2·15·S/(16·8) bytes.
    let per_hop = 2.0 * 15.0 * s / (16.0 * 8.0);
    let mut xgmi = 0;
    for (l, link) in t.links.iter().enumerate() {
        let inside = ranks.contains(&link.src) && ranks.contains(&link.dst);
        if inside && link.kind == "xgmi3" {
            xgmi += 1;
            let b = rep.link_bytes[l];
            assert!(
                (b - per_hop).abs() < 1e-6 * per_hop,
                "{}: {b} bytes, expected {per_hop}",
                t.link_label(fabricsim::topology::LinkId(l as u32))
            );
        }
    }
    assert_eq!(xgmi, 2 * 8 * 7, "56 directed xGMI links per node");
    let b = o.bottleneck.unwrap();
    assert!(b.kind.starts_with("ethernet"), "NIC-bound, got {}", b.link);
}

#[test]
fn a_ring_inside_one_mesh_uses_link_disjoint_cycles() {
    let t = load("mi300x-8.toml");
    let s = (1u64 << 30) as f64;
    let mut sim = CollectiveSim::new(&t, Params::default());
    let req = Request::new(Op::AllReduce, s).algo(Algo::Ring);
    let (_, rep) = run_with_report(&mut sim, &t.accelerators, &req).unwrap();
    // K8's 56 directed links split into 7 link-disjoint Hamiltonian
    // cycles (Tillson 1980), one channel each: every link carries
    // 2(n−1)·S/(n·C) = 2·7·S/(8·7) = S/4 bytes, as in the direct
    // algorithm, where each rank sends S/8 to each peer in the
    // reduce-scatter and again in the all-gather.
    let per_hop = 2.0 * 7.0 * s / (8.0 * 7.0);
    let mut used = 0;
    for (l, link) in t.links.iter().enumerate() {
        let b = rep.link_bytes[l];
        if b > 0.0 {
            used += 1;
            assert!((b - per_hop).abs() < 1e-6 * per_hop, "{}: {b}", link.kind);
        }
    }
    assert_eq!(used, 56);
}

/// With every link carrying the same bytes in both, a large ring all-reduce
/// on one 8-GPU mesh is as fast as the direct algorithm, up to its 14 step
/// latencies against 2 (below 1% of the time at 16 GiB): the ring is no
/// longer held back by links it leaves idle.
#[test]
fn a_large_ring_inside_one_mesh_matches_the_direct_algorithm() {
    let t = load("mi300x-8.toml");
    let s = (16u64 << 30) as f64;
    let mut sim = CollectiveSim::new(&t, Params::default());
    let mut time = |algo| {
        let req = Request::new(Op::AllReduce, s).algo(algo);
        run_with_report(&mut sim, &t.accelerators, &req)
            .unwrap()
            .0
            .time_s
    };
    let (ring, direct) = (time(Algo::Ring), time(Algo::Direct));
    assert!(ring >= direct, "ring {ring} s, direct {direct} s");
    assert!(ring < 1.01 * direct, "ring {ring} s, direct {direct} s");
}

/// NCCL's multi-node tree on two 8-GPU xGMI meshes (RCCL's choice there
/// from 1 KiB to 128 MiB): each rail's intra-node chain follows the
/// zig-zag Hamiltonian path from its head, so the 8 rails' chains use every
/// directed xGMI link once going down and once going up. C = 2 · 8 = 16
/// channels (two per rail, one per domain tree) each carry S/16 over every
/// chain hop in each direction, so every directed link carries
/// 2 · S/16 (down) + 2 · S/16 (up) = S/4. With rotations of one order, as
/// before, 8 of the 56 links of a node carried everything.
#[test]
fn a_tree_over_two_mesh_nodes_spreads_its_chains_over_every_xgmi_link() {
    let t = load("mi300x-128node-roce.toml");
    let ranks = &t.accelerators[..16];
    let s = (1u64 << 30) as f64;
    let mut sim = CollectiveSim::new(&t, Params::default());
    let req = Request::new(Op::AllReduce, s).algo(Algo::Tree);
    let (_, rep) = run_with_report(&mut sim, ranks, &req).unwrap();
    let per_link = s / 4.0;
    let mut xgmi = 0;
    for (l, link) in t.links.iter().enumerate() {
        if ranks.contains(&link.src) && ranks.contains(&link.dst) && link.kind == "xgmi3" {
            xgmi += 1;
            let b = rep.link_bytes[l];
            assert!(
                (b - per_link).abs() < 1e-6 * per_link,
                "{}: {b} bytes, expected {per_link}",
                t.link_label(fabricsim::topology::LinkId(l as u32))
            );
        }
    }
    assert_eq!(xgmi, 2 * 8 * 7);
}
