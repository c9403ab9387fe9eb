//! `auto` under NCCL 2.28.3's cost model (`--nccl 2.28.3`): table entries
//! derived by hand from that release's `tuning.cc` constants, the choices
//! they imply where 2.20.3 chooses otherwise, and the command line.

use fabricsim::collective::tuning::{
    Arch, CommShape, NcclAlgo, NcclVersion, model, predicted_s, ranking,
};
use fabricsim::collective::{Op, Protocol};

use crate::collective::collective_algos::rel;
use crate::common::{fabricsim as fabricsim_cli, stdout};

/// One Blackwell NVLink node as 2.28.3 sees it: 8 ranks, 720 GB/s of
/// NVLink per rank (18 × 40 GB/s), NVLS, 30 channels (⌈720 / 24⌉).
fn blackwell_node() -> CommShape {
    CommShape {
        ranks: 8,
        nodes: 1,
        arch: Arch::Blackwell,
        up_gbps: 720.0,
        out_gbps: 720.0,
        gpus_per_nic: 1.0,
        nvls: true,
        collnet: false,
        ll128: true,
        version: NcclVersion::V2_28_3,
    }
}

use crate::collective::nccl_tuning::assert_op_entry as assert_entry;

/// All-reduce on the Blackwell node, n = 8, 14 steps, B = 720, c = 30:
/// * ring LL: 6.6 + 14·0.6; min(llMaxBw 282 (Blackwell, one node), B/2) · 8/14;
/// * ring LL128: 14 + 14·1.9; min(0.92·B, 30·73.4) · 8/14;
/// * ring Simple: 8.4 + 14·3.4; B · 8/14;
/// * tree Simple: 8.4 + 2·7·4.0; min(0.92·B, 30·70)/2;
/// * tree LL: 6.8 + 2·7·0.6; min(0.92·B/3.8, 282)/2;
/// * tree LL128: 14 + 2·7·1.25; min(0.92·B·7/9, 30·55.6)/2;
/// * NVLS: 25; min(B·0.74·29/30·2, B) · 8/14 (two operations pipelined, so
///   the NVLink side never binds on one node).
#[test]
fn blackwell_node_all_reduce_table() {
    let s = blackwell_node();
    let b = 720.0;
    let ar = Op::AllReduce;
    assert_entry(
        &s,
        ar,
        NcclAlgo::Ring,
        Protocol::Ll,
        15.0,
        282.0 * 8.0 / 14.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Ring,
        Protocol::Ll128,
        40.6,
        0.92 * b * 8.0 / 14.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Ring,
        Protocol::Simple,
        56.0,
        b * 8.0 / 14.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Tree,
        Protocol::Simple,
        64.4,
        0.92 * b / 2.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Tree,
        Protocol::Ll,
        15.2,
        0.92 * b / 3.8 / 2.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Tree,
        Protocol::Ll128,
        31.5,
        0.92 * b * 7.0 / 9.0 / 2.0,
    );
    assert_entry(
        &s,
        ar,
        NcclAlgo::Nvls,
        Protocol::Simple,
        25.0,
        b * 8.0 / 14.0,
    );
    // NVLSTree needs several nodes; NVLS runs Simple only.
    assert!(model(&s, ar, NcclAlgo::NvlsTree, Protocol::Simple).is_none());
    assert!(model(&s, ar, NcclAlgo::Nvls, Protocol::Ll).is_none());
    // NVLS has the Simple ring's bandwidth (411.43 GB/s) with less latency
    // and more bandwidth than LL128 (378.51 GB/s, 40.6 µs): it wins from
    // where it overtakes ring LL (161.14 GB/s, 15 µs), 10 µs ·
    // 1000/(1/161.14 − 1/411.43) ≈ 2.65 MB, on.
    let big = ranking(&s, ar, 1073741824.0)[0];
    assert_eq!((big.0, big.1), (NcclAlgo::Nvls, Protocol::Simple));
    let at_2mib = ranking(&s, ar, 2.0 * 1048576.0)[0];
    assert_eq!((at_2mib.0, at_2mib.1), (NcclAlgo::Ring, Protocol::Ll));
    let at_4mib = ranking(&s, ar, 4.0 * 1048576.0)[0];
    assert_eq!(at_4mib.0, NcclAlgo::Nvls);
}

/// All-gather on the Blackwell node: NVLS carries `(ppn−1)/ppn` of the
/// doubled-free NVLink rate and is not converted to an algorithm
/// bandwidth, `B·0.74·(29/30)·(7/8)` = 450.66 GB/s at 25 µs, while the
/// ring LL runs at `min(282, B/2)·8/7` = 322.29 GB/s from 10.8 µs
/// (6.6 + 7·0.6) and the ring Simple at `B·8/7` = 822.86 GB/s from 32.2 µs
/// (8.4 + 7·3.4), LL128 at `min(0.92·B, 30·73.4)·8/7` = 757.03 GB/s from
/// 27.3 µs (14 + 7·1.9). LL beats NVLS below (25 − 10.8) µs · 1000/(1/322.29
/// − 1/450.66) ≈ 16.1 MB and LL128 beats it above 2.3 µs · 1000/(1/450.66 −
/// 1/757.03) ≈ 2.56 MB: NVLS never wins. Under 2.20.3 (Blackwell read as
/// Hopper, NVLS at `B·5/6` = 600 GB/s from 23 µs, ring LL capped at
/// 87.7·8/7 = 100.23 GB/s from 10.8 µs, LL128 757.03 GB/s from 27.3 µs)
/// NVLS wins from ≈ 1.47 MB (over LL) to ≈ 12.4 MB (under LL128), e.g. at
/// 4 MiB.
#[test]
fn blackwell_all_gather_leaves_nvls_under_2_28() {
    let s = blackwell_node();
    let ag = Op::AllGather;
    let nvls = 720.0 * 0.74 * (29.0 / 30.0) * (7.0 / 8.0);
    assert_entry(&s, ag, NcclAlgo::Nvls, Protocol::Simple, 25.0, nvls);
    assert_entry(
        &s,
        ag,
        NcclAlgo::Ring,
        Protocol::Ll,
        10.8,
        282.0 * 8.0 / 7.0,
    );
    assert_entry(
        &s,
        ag,
        NcclAlgo::Ring,
        Protocol::Simple,
        32.2,
        720.0 * 8.0 / 7.0,
    );
    for mib in [1.0, 2.0, 4.0, 8.0, 16.0, 64.0] {
        let top = ranking(&s, ag, mib * 1048576.0)[0];
        assert_ne!(top.0, NcclAlgo::Nvls, "2.28.3 picked NVLS at {mib} MiB");
    }
    let at_4mib = ranking(&s, ag, 4.0 * 1048576.0)[0];
    assert_eq!((at_4mib.0, at_4mib.1), (NcclAlgo::Ring, Protocol::Ll));
    let old = CommShape {
        version: NcclVersion::V2_20_3,
        ..s
    };
    let old_4mib = ranking(&old, ag, 4.0 * 1048576.0)[0];
    assert_eq!((old_4mib.0, old_4mib.1), (NcclAlgo::Nvls, Protocol::Simple));
}

/// NVLS serves operations other than all-reduce on at most 32 ranks per
/// node (`NCCL_MAX_NVLS_ARITY`): not an NVL72 rack's all-gather, still
/// its all-reduce.
#[test]
fn nvls_all_gather_stops_at_32_ranks_per_node() {
    let rack = CommShape {
        ranks: 72,
        ..blackwell_node()
    };
    assert!(model(&rack, Op::AllGather, NcclAlgo::Nvls, Protocol::Simple).is_none());
    assert!(model(&rack, Op::AllReduce, NcclAlgo::Nvls, Protocol::Simple).is_some());
    let half = CommShape {
        ranks: 32,
        ..blackwell_node()
    };
    assert!(model(&half, Op::AllGather, NcclAlgo::Nvls, Protocol::Simple).is_some());
}

/// PAT at one rank per node: 16 Hopper nodes, 370.8 GB/s NVLink, 50 GB/s
/// of network per node. It runs on the tree's graph, `(min(370.8, 2X), X)`
/// with `X = min(370.8, 50)`, so `B` = 50 (inter, more than 2 nodes), ×0.75
/// and not converted: 37.5 GB/s; latency 8 + ⌊log2 16⌋·14/3.5 + 2.8·16 =
/// 68.8 µs (the network latency is the tree's, 14 µs, at one rank per
/// node). The ring all-gather Simple runs at 50·16/15 from 8.4 + 15·14 =
/// 218.4 µs, LL at min(20.4, 25)·16/15 from 6.6 + 15·5 = 81.6 µs and
/// LL128 at min(0.92·50, 16·36.7)·16/15 from 14 + 15·8.5 = 141.5 µs, so
/// PAT wins up to (141.5 − 68.8)/(1/37.5 − 1/49.07) ≈ 11.6 MB. 2.20.3 has
/// no PAT, and neither release runs it with two ranks per node.
#[test]
fn pat_at_one_rank_per_node() {
    let s = CommShape {
        ranks: 16,
        nodes: 16,
        arch: Arch::Hopper,
        up_gbps: 370.8,
        out_gbps: 50.0,
        ..blackwell_node()
    };
    let ag = Op::AllGather;
    assert_entry(&s, ag, NcclAlgo::Pat, Protocol::Simple, 68.8, 37.5);
    assert_entry(
        &s,
        ag,
        NcclAlgo::Ring,
        Protocol::Simple,
        218.4,
        50.0 * 16.0 / 15.0,
    );
    assert_entry(
        &s,
        ag,
        NcclAlgo::Ring,
        Protocol::Ll,
        81.6,
        20.4 * 16.0 / 15.0,
    );
    assert_entry(
        &s,
        ag,
        NcclAlgo::Ring,
        Protocol::Ll128,
        141.5,
        46.0 * 16.0 / 15.0,
    );
    let t = predicted_s(&s, ag, NcclAlgo::Pat, Protocol::Simple, 1048576.0).unwrap();
    assert!(rel(t, (68.8 + 1048576.0 / 37_500.0) * 1e-6) < 1e-12);
    for (mib, pat) in [(1.0, true), (8.0, true), (16.0, false)] {
        let top = ranking(&s, ag, mib * 1048576.0)[0].0;
        assert_eq!(top == NcclAlgo::Pat, pat, "{mib} MiB: {top:?}");
    }
    assert!(model(&s, Op::AllReduce, NcclAlgo::Pat, Protocol::Simple).is_none());
    let two_per_node = CommShape { nodes: 8, ..s };
    assert!(model(&two_per_node, ag, NcclAlgo::Pat, Protocol::Simple).is_none());
    let old = CommShape {
        version: NcclVersion::V2_20_3,
        ..s
    };
    assert!(model(&old, ag, NcclAlgo::Pat, Protocol::Simple).is_none());
}

/// NVLSTree across 16 Hopper nodes (350 GB/s out each): its graph is
/// `(X, min(350, 2X))` with `X = min(370.8, 350)` = 350, so `I` =
/// 350·0.85·(15/16)·2 = 557.81, `J` = inter = 350,
/// `K` = 16·45.5 = 728 (perChMaxNVLSTree, more than 2 nodes): 350, ×
/// 128/254; latency 25 + 2·4·14 = 137 µs.
#[test]
fn nvls_tree_across_hopper_nodes() {
    let s = CommShape {
        ranks: 128,
        nodes: 16,
        arch: Arch::Hopper,
        up_gbps: 370.8,
        out_gbps: 350.0,
        ..blackwell_node()
    };
    assert_entry(
        &s,
        Op::AllReduce,
        NcclAlgo::NvlsTree,
        Protocol::Simple,
        137.0,
        350.0 * 128.0 / 254.0,
    );
}

/// On the command line: `--nccl 2.28.3` picks PAT for a 1 MiB all-gather
/// over one GPU of each of 16 HGX H100 nodes and says which release chose;
/// the default (2.20.3) does not; an unknown release is refused with the
/// releases it knows.
#[test]
fn cli_nccl_flag() {
    let ranks: Vec<String> = (0..16).map(|i| (8 * i).to_string()).collect();
    let ranks = ranks.join(",");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "collective",
            "topologies/h100-2tier-16node.toml",
            "--op",
            "all-gather",
            "--size",
            "1MiB",
            "--ranks",
            &ranks,
            "--no-alternative",
        ];
        args.extend_from_slice(extra);
        fabricsim_cli(&args)
    };
    let new = stdout(&run(&["--nccl", "2.28.3"]));
    assert!(new.contains("pat/Simple"), "{new}");
    assert!(new.contains("NCCL 2.28.3's choice"), "{new}");
    let old = stdout(&run(&[]));
    assert!(!old.contains("pat/"), "{old}");
    assert!(old.contains("NCCL 2.20.3's choice"), "{old}");
    let bad = run(&["--nccl", "2.99"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("expected 2.20.3 or 2.28.3"), "{err}");
}

/// Without `--nccl`, `auto` follows 2.20.3 on every generation (Blackwell
/// included: `NcclVersion::default()`), and the JSON says which release
/// chose. On a GB200 NVL72 rack, 8 ranks, a 4 MiB all-gather: NVLS under
/// 2.20.3, not under 2.28.3 (the derivation of
/// `blackwell_all_gather_leaves_nvls_under_2_28`).
#[test]
fn the_release_is_asked_for_and_reported() {
    let json = |topo: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "collective",
            topo,
            "--op",
            "all-gather",
            "--size",
            "4MiB",
            "--ranks",
            "8",
            "--no-alternative",
            "--json",
        ];
        args.extend_from_slice(extra);
        let out = fabricsim_cli(&args);
        serde_json::from_str(&stdout(&out)).expect("JSON")
    };
    let gb200 = json("topologies/gb200-nvl72.toml", &[]);
    let r = &gb200["results"][0];
    assert_eq!(r["nccl_release"], "2.20.3", "{r}");
    assert_eq!(r["algorithm"], "nvls", "{r}");
    let asked = json("topologies/gb200-nvl72.toml", &["--nccl", "2.28.3"]);
    let r = &asked["results"][0];
    assert_eq!(r["nccl_release"], "2.28.3", "{r}");
    assert_ne!(r["algorithm"], "nvls", "{r}");
    let h100 = json("topologies/hgx-h100.toml", &[]);
    assert_eq!(h100["results"][0]["nccl_release"], "2.20.3");
    let forced = json("topologies/gb200-nvl72.toml", &["--algo", "ring"]);
    assert!(forced["results"][0]["nccl_release"].is_null());
}

/// NCCL applies no tree correction below 64 bytes (its `log2i(S >> 6)` is
/// −1 there): at 32 B the tree's predicted time is its latency plus
/// `S/(1000·bw)` with the table's bandwidth; at 64 B the first factor
/// (0.9 for Simple) applies. 2.20.3 tree Simple on one Hopper node of 8
/// ranks: latency 2·7·28 = 392 µs, bandwidth min(0.92·370.8, 16·38.7)/2.
#[test]
fn no_tree_correction_below_64_bytes() {
    let s = CommShape {
        version: NcclVersion::V2_20_3,
        arch: Arch::Hopper,
        up_gbps: 370.8,
        out_gbps: 370.8,
        ..blackwell_node()
    };
    let (lat, bw) = (392.0, 0.92 * 370.8 / 2.0);
    assert_entry(&s, Op::AllReduce, NcclAlgo::Tree, Protocol::Simple, lat, bw);
    let t32 = predicted_s(&s, Op::AllReduce, NcclAlgo::Tree, Protocol::Simple, 32.0).unwrap();
    assert!(rel(t32, (lat + 32.0 / (1000.0 * bw)) * 1e-6) < 1e-12);
    let t64 = predicted_s(&s, Op::AllReduce, NcclAlgo::Tree, Protocol::Simple, 64.0).unwrap();
    assert!(rel(t64, (lat + 64.0 / (1000.0 * bw * 0.9)) * 1e-6) < 1e-12);
}

/// NCCL sets up NVLS only with more than 2 GPUs per node (`ncclNvlsInit`
/// in `src/transport/nvls.cc` returns with NVLS unsupported when the
/// node's GPU count is 2 or less), so neither NVLS nor NVLSTree is a
/// candidate then. Over 8 HGX H100 nodes of `h100-2tier-16node.toml`,
/// 2.28.3 picks NVLSTree for a 1 GiB all-reduce with 3 ranks per node, and
/// with 2 ranks per node it must pick something else, under either release.
#[test]
fn nvls_needs_more_than_two_ranks_per_node() {
    let ranks = |per: usize| {
        (0..8)
            .map(|i| format!("{}..{}", 8 * i, 8 * i + per))
            .collect::<Vec<_>>()
            .join(",")
    };
    let run = |per: usize, nccl: &str| {
        stdout(&fabricsim_cli(&[
            "collective",
            "topologies/h100-2tier-16node.toml",
            "--op",
            "all-reduce",
            "--size",
            "64MiB,1GiB",
            "--ranks",
            &ranks(per),
            "--nccl",
            nccl,
            "--no-alternative",
        ]))
    };
    let three = run(3, "2.28.3");
    assert!(three.contains("nvls-tree/Simple"), "{three}");
    for nccl in ["2.20.3", "2.28.3"] {
        let two = run(2, nccl);
        assert!(!two.contains("nvls"), "{nccl}: {two}");
    }
}
