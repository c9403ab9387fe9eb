//! `auto` is NCCL's own choice: NCCL 2.20.3's cost model (`tuning.cc`)
//! evaluated by hand from its tables for a Hopper node and a 16-node
//! Hopper cluster, the choice it makes, and `best` / the reported
//! alternative on shipped fabrics.

use fabricsim::collective::run::{Request, Selection, run, run_groups, with_alternative};
use fabricsim::collective::tuning::{
    Arch, CommShape, NcclAlgo, NcclVersion, model, predicted_s, ranking,
};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params, Protocol};

use crate::collective::collective_algos::rel;
use crate::common::topology as shipped;
use crate::common::{fabricsim as fabricsim_cli, stdout};

/// One HGX H100 node as NCCL sees it: 8 ranks, 18 NVLink4 links of
/// 20.6 GB/s each (370.8 GB/s), NVLS, no SHARP; 16 channels
/// (⌈370.8 / 24⌉).
fn hopper_node() -> CommShape {
    CommShape {
        ranks: 8,
        nodes: 1,
        arch: Arch::Hopper,
        up_gbps: 370.8,
        out_gbps: 370.8,
        gpus_per_nic: 1.0,
        nvls: true,
        collnet: false,
        ll128: true,
        version: NcclVersion::V2_20_3,
    }
}

/// 16 such nodes with 350 GB/s of scale-out each and no SHARP.
fn hopper_cluster() -> CommShape {
    CommShape {
        ranks: 128,
        nodes: 16,
        out_gbps: 350.0,
        ..hopper_node()
    }
}

fn assert_entry(shape: &CommShape, a: NcclAlgo, p: Protocol, lat_us: f64, bw_gbps: f64) {
    assert_op_entry(shape, Op::AllReduce, a, p, lat_us, bw_gbps);
}

/// The model's entry for `op`, `a`, `p` on `shape` is `lat_us` µs and
/// `bw_gbps` GB/s to 1e-12 (both derived by hand in the caller).
pub(crate) fn assert_op_entry(
    shape: &CommShape,
    op: Op,
    a: NcclAlgo,
    p: Protocol,
    lat_us: f64,
    bw_gbps: f64,
) {
    let (lat, bw) =
        model(shape, op, a, p).unwrap_or_else(|| panic!("{a:?}/{p} should be enabled for {op:?}"));
    assert!(
        rel(lat, lat_us) < 1e-12,
        "{a:?}/{p} latency {lat} µs, hand {lat_us}"
    );
    assert!(
        rel(bw, bw_gbps) < 1e-12,
        "{a:?}/{p} bandwidth {bw} GB/s, hand {bw_gbps}"
    );
}

/// NCCL 2.20.3 on one Hopper node, all-reduce, n = 8, 2(n−1) = 14 steps,
/// B = 370.8 GB/s, 16 channels:
/// * ring LL: 6.6 + 14·0.6 µs; min(llMaxBw 87.7, B/4) · 8/14;
/// * ring LL128: 14 + 14·1.9; min(0.92·B, 16·36.7) · 8/14;
/// * ring Simple: 8.4 + 14·3.4; B · 8/14;
/// * tree LL: 6.8 + 2·7·0.6; min(0.92·B/3.8, 87.7) / 2;
/// * tree LL128: 14 + 2·7·1.25; min(0.92·B·7/9, 16·36.7) / 2;
/// * tree Simple: 2·7·28; min(0.92·B, 16·38.7) / 2;
/// * NVLS: 23; B · 5/6.
#[test]
fn one_hopper_node_table_is_nccls() {
    let s = hopper_node();
    let b = 370.8;
    assert_entry(&s, NcclAlgo::Ring, Protocol::Ll, 15.0, 87.7 * 8.0 / 14.0);
    assert_entry(
        &s,
        NcclAlgo::Ring,
        Protocol::Ll128,
        40.6,
        0.92 * b * 8.0 / 14.0,
    );
    assert_entry(&s, NcclAlgo::Ring, Protocol::Simple, 56.0, b * 8.0 / 14.0);
    assert_entry(
        &s,
        NcclAlgo::Tree,
        Protocol::Ll,
        15.2,
        (0.92 * b / 3.8).min(87.7) / 2.0,
    );
    assert_entry(
        &s,
        NcclAlgo::Tree,
        Protocol::Ll128,
        31.5,
        0.92 * b * 7.0 / 9.0 / 2.0,
    );
    assert_entry(&s, NcclAlgo::Tree, Protocol::Simple, 392.0, 0.92 * b / 2.0);
    assert_entry(&s, NcclAlgo::Nvls, Protocol::Simple, 23.0, b * 5.0 / 6.0);
    // NVLS is Simple only; NVLSTree needs several nodes; CollNet needs SHARP.
    assert_eq!(model(&s, Op::AllReduce, NcclAlgo::Nvls, Protocol::Ll), None);
    assert_eq!(
        model(&s, Op::AllReduce, NcclAlgo::NvlsTree, Protocol::Simple),
        None
    );
    assert_eq!(
        model(&s, Op::AllReduce, NcclAlgo::CollNetDirect, Protocol::Simple),
        None
    );
    // Broadcast is ring only.
    assert_eq!(
        model(&s, Op::Broadcast, NcclAlgo::Tree, Protocol::Simple),
        None
    );
    // Without NVLink, no LL128.
    let no_ll128 = CommShape { ll128: false, ..s };
    assert_eq!(
        model(&no_ll128, Op::AllReduce, NcclAlgo::Ring, Protocol::Ll128),
        None
    );
}

/// On one Hopper node NCCL runs ring/LL at 64 KiB
/// (15 + 65536/(1000·50.11) = 16.31 µs, against tree/LL at
/// 15.2 + 65536/(1000·43.85·0.6) = 17.69 µs, corrected by
/// treeCorrectionFactor[LL][10] = 0.6) and NVLS at 1 MiB
/// (23 + 1048576/(1000·309) = 26.39 µs against ring/LL's 35.92 µs).
#[test]
fn one_hopper_node_picks_ring_ll_then_nvls() {
    let s = hopper_node();
    let first = |size: f64| ranking(&s, Op::AllReduce, size)[0];
    let (a, p, t) = first(65536.0);
    assert_eq!((a, p), (NcclAlgo::Ring, Protocol::Ll));
    assert!(rel(t, (15.0 + 65536.0 / (1000.0 * 87.7 * 8.0 / 14.0)) * 1e-6) < 1e-12);
    let tree_ll = predicted_s(&s, Op::AllReduce, NcclAlgo::Tree, Protocol::Ll, 65536.0).unwrap();
    assert!(
        rel(
            tree_ll,
            (15.2 + 65536.0 / (1000.0 * 87.7 / 2.0 * 0.6)) * 1e-6
        ) < 1e-12
    );
    let (a, p, t) = first(1048576.0);
    assert_eq!((a, p), (NcclAlgo::Nvls, Protocol::Simple));
    assert!(rel(t, (23.0 + 1048576.0 / (1000.0 * 309.0)) * 1e-6) < 1e-12);
}

/// 16 Hopper nodes, no SHARP, 1 GiB all-reduce (n = 128, N = 16):
/// * ring Simple: 8.4 + (254 − 32)·3.4 + 32·14 = 1211.2 µs, ×1.4 (the
///   plateau), + S/(1000 · 350·128/254);
/// * ring LL128: 14 + 222·1.9 + 32·4 = 563.8 µs,
///   + S/(1000 · 0.92·350·128/254);
/// * tree Simple: 2(7·28 + 4·28) = 616 µs, + S/(1000 · 0.92·350/2);
/// * tree LL128: 14 + 2(7·1.25 + 4·8.5) = 99.5 µs,
///   + S/(1000 · min(0.92·350·120/128, 16·29)/2);
/// * NVLSTree: 23 + 2·4·14 = 135 µs, + S/(1000 · (350/2)·5/6);
///
/// so ring/LL128 (7180.8 µs) beats tree/LL128 (7213.4), tree/Simple
/// (7285.2), NVLSTree (7497.8) and ring/Simple (7783.4); NVLS and CollNet
/// are off without SHARP.
#[test]
fn sixteen_hopper_nodes_without_sharp() {
    let s = hopper_cluster();
    let gib = 1073741824.0;
    let t = |a, p| predicted_s(&s, Op::AllReduce, a, p, gib).unwrap() * 1e6;
    let ring_bw = 350.0 * 128.0 / 254.0;
    assert!(
        rel(
            t(NcclAlgo::Ring, Protocol::Simple),
            1211.2 * 1.4 + gib / (1000.0 * ring_bw)
        ) < 1e-9
    );
    assert!(
        rel(
            t(NcclAlgo::Ring, Protocol::Ll128),
            563.8 + gib / (1000.0 * 0.92 * ring_bw)
        ) < 1e-9
    );
    assert!(
        rel(
            t(NcclAlgo::Tree, Protocol::Simple),
            616.0 + gib / (1000.0 * 0.92 * 350.0 / 2.0)
        ) < 1e-9
    );
    assert!(
        rel(
            t(NcclAlgo::NvlsTree, Protocol::Simple),
            135.0 + gib / (1000.0 * 175.0 * 5.0 / 6.0)
        ) < 1e-9
    );
    assert_eq!(
        model(&s, Op::AllReduce, NcclAlgo::Nvls, Protocol::Simple),
        None
    );
    assert_eq!(
        model(&s, Op::AllReduce, NcclAlgo::CollNetChain, Protocol::Simple),
        None
    );
    assert!(
        rel(
            t(NcclAlgo::Tree, Protocol::Ll128),
            99.5 + gib / (1000.0 * 322.0 * 120.0 / 128.0 / 2.0)
        ) < 1e-9
    );
    let order: Vec<(NcclAlgo, Protocol)> = ranking(&s, Op::AllReduce, gib)
        .iter()
        .map(|r| (r.0, r.1))
        .take(4)
        .collect();
    assert_eq!(
        order,
        [
            (NcclAlgo::Ring, Protocol::Ll128),
            (NcclAlgo::Tree, Protocol::Ll128),
            (NcclAlgo::Tree, Protocol::Simple),
            (NcclAlgo::NvlsTree, Protocol::Simple),
        ]
    );
    // With SHARP, NVLS across nodes and CollNet are enabled, and NVLS maps to
    // fabricsim's hierarchical (NVLS inside, SHARP across).
    let sharp = CommShape { collnet: true, ..s };
    assert!(model(&sharp, Op::AllReduce, NcclAlgo::Nvls, Protocol::Simple).is_some());
    assert_eq!(NcclAlgo::Nvls.simulated_as(16), Algo::Hierarchical);
    assert_eq!(NcclAlgo::Nvls.simulated_as(1), Algo::Nvls);
}

/// One GPU per node (16 Hopper nodes, one 50 GB/s NIC each, 16 channels
/// from the rank's NVLink): NCCL's search gives such a node the plain tree
/// pattern (`search.cc`: one GPU forces `NCCL_TOPO_PATTERN_TREE`), so the
/// tree's bus bandwidth carries `tuning.cc`'s extra ×0.85, and the ring
/// graph has no NVLink inside a node (`typeIntra` = `PATH_LOC`), so its
/// intra-node latency is read from the PCI row (1.0, 2.5, 5.7 µs), with
/// NCCL 2.20.3's weight `nsteps − 2N` = 30 − 32 = −2. With N = 16 > 2
/// nodes the bus bandwidth is the inter speed X = min(370.8, 50) = 50:
/// * tree Simple: 2(0·intra + 4·28) = 224 µs; min(0.92·50, 16·36) · 0.85 / 2;
/// * tree LL: 6.8 + 2·4·5 = 46.8; min(0.92·50/3.8, llMaxBw 20.4) · 0.85 / 2;
/// * tree LL128: 14 + 2·4·8.5 = 82; min(0.92·50·120/128, 16·29) · 0.85 / 2;
/// * ring Simple: 8.4 − 2·max(5.7, 3) + 32·14 = 445 µs; 50 · 16/30;
/// * ring LL128: 14 − 2·max(2.5, 1) + 32·4 = 137; min(0.7·50, 16·36.7) · 16/30;
/// * ring LL: 6.6 − 2·max(1.0, 1) + 32·2.7 = 91; min(20.4, 50/4) · 16/30.
///
/// The tree's factor is the only difference from two ranks per node with
/// the same speeds (Simple: `min(0.92·B, c·perChMaxTree)` reads neither
/// the ranks nor the ranks per node), in both releases.
#[test]
fn one_rank_per_node_tree_pattern_and_pci_ring_latency() {
    let s = CommShape {
        ranks: 16,
        nodes: 16,
        out_gbps: 50.0,
        ..hopper_node()
    };
    let tree = 0.92 * 50.0;
    assert_entry(
        &s,
        NcclAlgo::Tree,
        Protocol::Simple,
        224.0,
        tree * 0.85 / 2.0,
    );
    assert_entry(
        &s,
        NcclAlgo::Tree,
        Protocol::Ll,
        46.8,
        tree / 3.8 * 0.85 / 2.0,
    );
    assert_entry(
        &s,
        NcclAlgo::Tree,
        Protocol::Ll128,
        82.0,
        tree * 120.0 / 128.0 * 0.85 / 2.0,
    );
    assert_entry(
        &s,
        NcclAlgo::Ring,
        Protocol::Simple,
        445.0,
        50.0 * 16.0 / 30.0,
    );
    assert_entry(
        &s,
        NcclAlgo::Ring,
        Protocol::Ll128,
        137.0,
        0.7 * 50.0 * 16.0 / 30.0,
    );
    assert_entry(&s, NcclAlgo::Ring, Protocol::Ll, 91.0, 12.5 * 16.0 / 30.0);
    for version in [NcclVersion::V2_20_3, NcclVersion::V2_28_3] {
        let one = CommShape { version, ..s };
        let two = CommShape { ranks: 32, ..one };
        let bw = |c: &CommShape| {
            model(c, Op::AllReduce, NcclAlgo::Tree, Protocol::Simple)
                .unwrap()
                .1
        };
        assert!(rel(bw(&one), 0.85 * bw(&two)) < 1e-12, "{version}");
    }
}

/// Two Hopper nodes whose NICs give 190 GB/s per node, below NVLink's
/// 370.8: NCCL's search gives a multi-node graph one speed per channel for
/// NVLink and network, so the ring runs at X = min(370.8, 190) = 190 on
/// both, a tree may raise its intra speed to min(370.8, 2X) = 370.8, and
/// NVLSTree's 2-node bandwidth is min(intra X, inter min(190, 2X)) = 190.
/// With 2 nodes NCCL reads the intra bandwidth:
/// * ring: 190 · 16/30; tree: min(0.92 · 370.8, 16 · 41.4)/2; NVLSTree 190 · 5/6;
///
/// so at 8 GiB the tree (448 µs + S/(1000 · 170.57)) beats NVLSTree
/// (51 µs + S/(1000 · 158.33)) and the ring, which the old reading (ring at
/// NVLink speed across the NICs) had chosen.
#[test]
fn two_nodes_read_the_nics_into_every_graph() {
    let s = CommShape {
        ranks: 16,
        nodes: 2,
        out_gbps: 190.0,
        ..hopper_node()
    };
    let (_, ring) = model(&s, Op::AllReduce, NcclAlgo::Ring, Protocol::Simple).unwrap();
    assert!(rel(ring, 190.0 * 16.0 / 30.0) < 1e-12, "ring {ring}");
    let (tree_lat, tree) = model(&s, Op::AllReduce, NcclAlgo::Tree, Protocol::Simple).unwrap();
    assert!(rel(tree, 0.92 * 370.8 / 2.0) < 1e-12, "tree {tree}");
    assert!(rel(tree_lat, 2.0 * (7.0 * 28.0 + 28.0)) < 1e-12);
    let (nt_lat, nt) = model(&s, Op::AllReduce, NcclAlgo::NvlsTree, Protocol::Simple).unwrap();
    assert!(rel(nt, 190.0 * 5.0 / 6.0) < 1e-12, "nvls-tree {nt}");
    assert!(rel(nt_lat, 23.0 + 2.0 * 14.0) < 1e-12);
    let best = ranking(&s, Op::AllReduce, 8.0 * 1073741824.0)[0];
    assert_eq!((best.0, best.1), (NcclAlgo::Tree, Protocol::Simple));
}

/// The command line says who chose: NCCL's model on an NVLink node (ring/LL
/// at 64 KiB, NVLS at 1 MiB, as derived above for the node NCCL sees),
/// RCCL's on an MI300X node, and the fastest simulated candidate on MI450
/// over UALink, which neither model covers.
#[test]
fn cli_reports_the_selection() {
    let json = |topo: &str, size: &str| -> serde_json::Value {
        let out = fabricsim_cli(&[
            "collective",
            &format!("topologies/{topo}"),
            "--op",
            "all-reduce",
            "--size",
            size,
            "--json",
        ]);
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let h = json("hgx-h100.toml", "64KiB,1MiB");
    let r = &h["results"];
    assert_eq!(r[0]["selection"], "nccl-model");
    assert_eq!(
        (r[0]["algorithm"].as_str(), r[0]["protocol"].as_str()),
        (Some("ring"), Some("LL"))
    );
    assert_eq!(
        (r[1]["algorithm"].as_str(), r[1]["protocol"].as_str()),
        (Some("nvls"), Some("Simple"))
    );
    assert!(r[1]["nccl_model_s"].as_f64().unwrap() > 0.0);
    // On AMD Instinct, RCCL's model chooses: ring/Simple at 1 MiB on one
    // MI300X node, predicted 17 + 14 · 2.1 µs + 1 MiB / (336 · 8/14 GB/s)
    // = 51.861 µs (tuning::rccl's docs, by hand).
    let m = &json("mi300x-8.toml", "1MiB")["results"][0];
    assert_eq!(m["selection"], "rccl-model");
    assert_eq!(
        (m["algorithm"].as_str(), m["protocol"].as_str()),
        (Some("ring"), Some("Simple"))
    );
    assert_eq!(m["rccl_release"], "2.26");
    assert!(m["nccl_release"].is_null());
    let want = (46.4 + 1048576.0 / 192_000.0) * 1e-6;
    assert!((m["nccl_model_s"].as_f64().unwrap() - want).abs() < 1e-9 * want);
    // MI450 over UALink: neither library's model, the fastest simulated.
    let u = &json("helios-mi450.toml", "1MiB")["results"][0];
    assert_eq!(u["selection"], "fastest-simulated");
    assert!(u["nccl_model_s"].is_null() && u["rccl_release"].is_null());
}

/// `best` is at least as fast as every algorithm it may run (the fastest of
/// them), and `auto` reports it as an alternative exactly when it is more
/// than 5 % faster.
#[test]
fn best_is_the_fastest_and_the_alternative_is_reported_past_five_percent() {
    for (file, size) in [
        ("hgx-h100.toml", 524288.0),
        ("hgx-h100.toml", 1e9),
        ("h100-2tier-16node.toml", 16e6),
    ] {
        let topo = shipped(file);
        let mut sim = CollectiveSim::new(&topo, Params::default());
        let ranks = topo.accelerators.clone();
        let req = Request::new(Op::AllReduce, size);
        let best = run(&mut sim, &ranks, &req.clone().algo(Algo::Best)).unwrap();
        assert_eq!(best.selection, Selection::FastestSimulated);
        for a in [
            Algo::Ring,
            Algo::Tree,
            Algo::Nvls,
            Algo::Hierarchical,
            Algo::NvlsTree,
            Algo::HalvingDoubling,
        ] {
            if let Ok(o) = run(&mut sim, &ranks, &req.clone().algo(a)) {
                assert!(
                    best.time_s <= o.time_s,
                    "{file} {size}: best {} > {a} {}",
                    best.time_s,
                    o.time_s
                );
            }
        }
        let auto = run_groups(&mut sim, std::slice::from_ref(&ranks), &req).unwrap();
        assert_eq!(auto.selection, Selection::NcclModel);
        let with =
            with_alternative(&mut sim, std::slice::from_ref(&ranks), &req, auto.clone()).unwrap();
        assert_eq!(
            with.alternative.is_some(),
            best.time_s * 1.05 < auto.time_s,
            "{file} {size}"
        );
        if let Some(alt) = with.alternative {
            assert_eq!(
                (alt.algorithm, alt.protocol, alt.time_s),
                (best.algorithm, best.protocol, best.time_s)
            );
        }
    }
}
