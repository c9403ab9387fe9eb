//! Topology files: parsing, generation, validation rules, shipped files, info.
//!
//! Expected numbers are derived by hand in the comment above each assertion
//! (from the file and the formulas in docs/topology-format.md), never copied
//! from the code's output. `load`/`errors` are the only calls into the parser,
//! so API changes touch two functions.
//!
//! One negative test per validation rule (`rule_*`), mirroring the rule list
//! in `crates/topology/src/build/` and docs/topology-format.md; the rendered
//! diagnostics of every file in `tests/it/invalid/` are snapshot-tested by
//! `corpus.rs`, through the binary. The
//! parametric blocks (full mesh, torus, k-ary fat-trees, rail-only,
//! multi-plane, dragonfly, sites) are tested in `topology_blocks.rs`, which
//! shares the helpers below.

use std::time::Instant;

use fabricsim::info::Info;
use fabricsim::routing::Router;
use fabricsim::topology::RoutingMode;
use fabricsim::topology::{Diagnostics, NodeRole, Topology};

const G: f64 = 1e9;

#[track_caller]
pub(crate) fn load(src: &str) -> Topology {
    Topology::parse(src, "t.toml", &Default::default())
        .unwrap_or_else(|d| panic!("unexpected errors:\n{d}"))
}

#[track_caller]
pub(crate) fn errors(src: &str) -> Diagnostics {
    match Topology::parse(src, "t.toml", &Default::default()) {
        Ok(_) => panic!("expected errors, the file was accepted"),
        Err(d) => d,
    }
}

/// Asserts exactly one diagnostic, at `line:col`, whose message contains `msg`
/// and whose help contains `help`.
#[track_caller]
pub(crate) fn one_error(src: &str, line: usize, col: usize, msg: &str, help: &str) {
    let d = errors(src);
    assert_eq!(d.len(), 1, "expected one error, got:\n{d}");
    let e = &d.items[0];
    assert_eq!((e.line, e.col), (line, col), "position of:\n{d}");
    assert!(
        e.message.contains(msg),
        "message {:?} lacks {msg:?}",
        e.message
    );
    let h = e.help.as_deref().unwrap_or("");
    assert!(h.contains(help), "help {h:?} lacks {help:?}");
}

#[track_caller]
pub(crate) fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

pub(crate) use crate::common::root;

const GPUS_AND_SWITCH: &str = r#"
[[nodes]]
id = "gpu[0..4]"
kind = "accelerator"

[[nodes]]
id = "sw"
kind = "switch"
"#;

// ---------------------------------------------------------------- building

#[test]
fn ranges_expand_in_rank_order() {
    // gpu[0..4] is gpu0..gpu3 (half-open); nodes and ranks follow file order.
    let t = load(&format!(
        "{GPUS_AND_SWITCH}\n[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\n"
    ));
    let names: Vec<&str> = t
        .accelerators
        .iter()
        .map(|a| t.nodes[a.idx()].name.as_str())
        .collect();
    assert_eq!(names, ["gpu0", "gpu1", "gpu2", "gpu3"]);
    assert_eq!(
        t.node_id("sw").map(|i| t.nodes[i.idx()].role),
        Some(NodeRole::Switch)
    );
    // Inclusive ranges and several ranges in one id.
    let t = load(
        "[[nodes]]\nid = \"r[0..=1].g[1..3]\"\nkind = \"accelerator\"\n[[nodes]]\nid = \"s\"\nkind = \"switch\"\n\
         [[links]]\nbetween = [\"r[0..2].g[1..=2]\", \"s\"]\nkind = \"nvlink4\"\n",
    );
    let names: Vec<&str> = t
        .accelerators
        .iter()
        .map(|a| t.nodes[a.idx()].name.as_str())
        .collect();
    assert_eq!(names, ["r0.g1", "r0.g2", "r1.g1", "r1.g2"]);
}

#[test]
fn groups_link_every_pair_full_duplex_with_lane_count() {
    // 4 GPUs × 1 switch = 4 declared links = 8 directed; count 2 × 25 GB/s = 50 GB/s each way.
    let t = load(&format!(
        "{GPUS_AND_SWITCH}\n[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\ncount = 2\n"
    ));
    assert_eq!(t.links.len(), 8);
    for l in &t.links {
        assert_eq!(l.count, 2);
        assert_close(l.capacity_bps, 50.0 * G, "capacity");
        assert_eq!(l.kind, "nvlink4");
        assert_eq!(l.tier, "scale-up");
    }
    // Every directed link has its reverse.
    for l in &t.links {
        assert!(t.links.iter().any(|r| r.src == l.dst && r.dst == l.src));
    }
    // Arrays of ids are groups too: 2 × 2 pairs.
    let t = load(&format!(
        "{GPUS_AND_SWITCH}\n[[nodes]]\nid = \"sw2\"\nkind = \"switch\"\n[[links]]\nbetween = [[\"gpu0\", \"gpu1\"], [\"sw\", \"sw2\"]]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu[2..4]\", \"sw\"]\nkind = \"nvlink4\"\n"
    ));
    assert_eq!(t.links.len(), 2 * (4 + 2));
}

#[test]
fn preset_values_and_overrides() {
    // infiniband-ndr preset: 400 Gb/s = 50 GB/s; overrides replace each value.
    let t = load(&format!(
        "{GPUS_AND_SWITCH}\n[[links]]\nbetween = [\"gpu[0..2]\", \"sw\"]\nkind = \"infiniband-ndr\"\n\
         [[links]]\nbetween = [\"gpu[2..4]\", \"sw\"]\nkind = \"custom\"\nbandwidth = \"800 Gb/s\"\nlatency = \"1.5 us\"\ntier = \"dci\"\nefficiency = 0.5\n"
    ));
    let ndr: Vec<_> = t
        .links
        .iter()
        .filter(|l| l.kind == "infiniband-ndr")
        .collect();
    assert_eq!(ndr.len(), 4);
    assert_close(ndr[0].capacity_bps, 50.0 * G, "ndr");
    assert_close(ndr[0].latency_s, 50e-9, "assumed link latency");
    let c: Vec<_> = t.links.iter().filter(|l| l.kind == "custom").collect();
    assert_close(c[0].capacity_bps, 100.0 * G, "custom 800 Gb/s");
    assert_close(c[0].latency_s, 1.5e-6, "custom latency");
    assert_eq!(c[0].tier, "dci");
    assert_eq!(t.efficiency("custom"), 0.5);
    // NDR: 47.5 of 50 GB/s through NCCL.
    assert_close(t.efficiency("infiniband-ndr"), 0.95, "ndr efficiency");
}

#[test]
fn switch_presets_set_latency_and_reduction() {
    // quantum-2: 150 ns, no SHARP by default; nvswitch-gen3: NVLS.
    let t = load(
        "[[nodes]]\nid = \"g[0..2]\"\nkind = \"accelerator\"\n[[nodes]]\nid = \"q\"\nkind = \"quantum-2\"\n\
         [[nodes]]\nid = \"nv\"\nkind = \"nvswitch-gen3\"\n[[nodes]]\nid = \"s\"\nkind = \"switch\"\nlatency = \"1 us\"\nin_switch_reduction = true\n\
         [[links]]\nbetween = [\"g[0..2]\", [\"q\", \"nv\", \"s\"]]\nkind = \"nvlink4\"\n",
    );
    let node = |n: &str| &t.nodes[t.node_id(n).unwrap().idx()];
    assert_close(node("q").latency_s, 150e-9, "quantum-2");
    assert!(!node("q").in_switch_reduction);
    assert_eq!(node("q").kind, "quantum-2");
    assert!(node("nv").in_switch_reduction);
    assert_close(node("s").latency_s, 1e-6, "override");
    assert!(node("s").in_switch_reduction);
}

#[test]
fn scale_up_block_names_and_lanes() {
    // 2 domains × (4 GPUs + 2 switches); lanes [3, 1] per GPU per switch.
    // Two domains are disconnected without a scale-out network.
    let su = "[scale_up]\nkind = \"nvlink5\"\naccelerators = 4\nswitches = 2\nlinks_per_switch = [3, 1]\ndomains = 2\n";
    let d = errors(su);
    assert!(
        d.to_string().contains("joined only by a [scale_out] block"),
        "{d}"
    );
    let t = load(&format!(
        "{su}[scale_out]\nkind = \"ethernet-400g\"\nswitch_radix = 16\n"
    ));
    assert_eq!(
        t.nodes
            .iter()
            .filter(|n| n.role == NodeRole::Accelerator)
            .count(),
        8
    );
    assert_eq!(t.accelerators.len(), 8);
    assert_eq!(t.nodes[t.accelerators[5].idx()].name, "d1.gpu1");
    let sw1 = t.node_id("d1.sw1").unwrap();
    assert_eq!(t.nodes[sw1.idx()].kind, "nvswitch-gen4");
    // 2 × 4 × 2 declared scale-up links; d0.gpu2 → d0.sw0 carries 3 × 50 GB/s.
    assert_eq!(
        t.links.iter().filter(|l| l.tier == "scale-up").count(),
        2 * 16
    );
    let (g, s) = (t.node_id("d0.gpu2").unwrap(), t.node_id("d0.sw0").unwrap());
    let l = t.links.iter().find(|l| l.src == g && l.dst == s).unwrap();
    assert_eq!((l.count, &*l.tier), (3, "scale-up"));
    assert_close(l.capacity_bps, 150.0 * G, "3 lanes");
    assert_eq!(t.routing, RoutingMode::Spray);
}

#[test]
fn scale_out_fat_tree_three_tiers_matches_the_classic_k4() {
    // k = 4 fat tree over 16 accelerators with one NIC each: 8 edge (leaf),
    // 8 aggregation (spine), 4 core switches; 16 + 16 + 16 + 16 links.
    let t = load(
        "routing = \"hash\"\n[[nodes]]\nid = \"h[0..16]\"\nkind = \"accelerator\"\n\
         [scale_out]\nkind = \"ethernet-400g\"\ntopology = \"fat-tree\"\nswitch_radix = 4\ntiers = 3\n",
    );
    let switches = t
        .nodes
        .iter()
        .filter(|n| n.role == NodeRole::Switch)
        .count();
    assert_eq!(switches, 20);
    assert!(t.node_id("core3").is_some() && t.node_id("core4").is_none());
    assert!(t.node_id("spine7").is_some() && t.node_id("leaf7").is_some());
    let tiers = |tier: &str| t.links.iter().filter(|l| l.tier == tier).count() / 2;
    assert_eq!(
        (tiers("nic"), tiers("leaf"), tiers("spine"), tiers("core")),
        (16, 16, 16, 16)
    );
    // h5.nic0 → leaf ⌊5/2⌋ = leaf2.
    let (nic, leaf) = (t.node_id("h5.nic0").unwrap(), t.node_id("leaf2").unwrap());
    assert!(t.links.iter().any(|l| l.src == nic && l.dst == leaf));
    assert_eq!(t.routing, RoutingMode::Hash);
    let info = Info::of(&t);
    // h0 → nic → leaf → spine → core → spine → leaf → nic → h15: 8 hops.
    assert_eq!(info.diameter_hops, 8);
    // Full bisection: 8 hosts × 50 GB/s.
    assert_close(info.bisection_bps.unwrap(), 8.0 * 50.0 * G, "k=4 bisection");
}

#[test]
fn oversubscription_halves_the_bisection() {
    // 128 HGX-like servers (8 GPUs, 4 switches), 8 rails of 128 endpoints,
    // k = 64. At 1:1 a leaf holds 32 NICs with 32 uplinks; the first 64
    // servers sit on leaves 0–1 of each rail, so the rank-half cut is
    // min(512 NICs, 16 leaves × 32 uplinks) × 50 GB/s = 25.6 TB/s.
    // At 2:1 a leaf still holds 32 NICs (d = 42 → ⌈128/42⌉ = 4 leaves per
    // rail) but has ⌈32/2⌉ = 16 uplinks: 16 × 16 × 50 GB/s = 12.8 TB/s.
    let file = |o: &str| {
        format!(
            "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\nlinks_per_switch = [5, 4, 4, 5]\ndomains = 128\n\
             [scale_out]\nkind = \"infiniband-ndr\"\nswitch_radix = 64\noversubscription = \"{o}\"\n"
        )
    };
    let full = Info::of(&load(&file("1:1")));
    let half = Info::of(&load(&file("2:1")));
    assert_close(full.bisection_bps.unwrap(), 25.6e12, "1:1");
    assert_close(half.bisection_bps.unwrap(), 12.8e12, "2:1");
    // 1:1: 32 leaves, c = 2 lanes to each of 32/2 = 16 spines; 2:1: 16 uplinks → 8 spines.
    assert_eq!(full.switches, 128 * 4 + 32 + 16);
    assert_eq!(half.switches, 128 * 4 + 32 + 8);
}

#[test]
fn explicit_nodes_mix_with_blocks() {
    // A host joined to d0.gpu0 over PCIe, declared before the block: the host
    // comes first in node order but is not a rank.
    let t = load(
        "[[nodes]]\nid = \"cpu0\"\nkind = \"host\"\n[[links]]\nbetween = [\"cpu0\", \"d0.gpu[0..2]\"]\nkind = \"pcie5-x16\"\n\
         [scale_up]\nkind = \"nvlink4\"\naccelerators = 2\nswitches = 1\n",
    );
    assert_eq!(t.nodes[0].name, "cpu0");
    assert_eq!(t.accelerators.len(), 2);
    let pcie: Vec<_> = t.links.iter().filter(|l| l.kind == "pcie5-x16").collect();
    assert_eq!(pcie.len(), 4);
    // 32 GT/s × 16 × 128/130 / 8 bytes.
    assert_close(
        pcie[0].capacity_bps,
        32e9 * 16.0 * 128.0 / 130.0 / 8.0,
        "pcie5 x16",
    );
    assert_eq!(pcie[0].tier, "pcie");
}

#[test]
fn name_defaults_to_file_stem() {
    let t = Topology::parse(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 2\nswitches = 1\n",
        "some/dir/my-fabric.toml",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(t.name, "my-fabric");
}

// ---------------------------------------------------------------- shipped files

fn shipped() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("topologies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_topology_validates() {
    let files = shipped();
    assert!(files.len() >= 2);
    for f in files {
        let t = Topology::load(&f, &Default::default())
            .unwrap_or_else(|d| panic!("{}:\n{d}", f.display()));
        assert!(!t.accelerators.is_empty());
        let head = std::fs::read_to_string(&f).unwrap();
        assert!(
            head.starts_with('#'),
            "{} must open with a header comment",
            f.display()
        );
    }
}

#[test]
fn hgx_h100_by_hand() {
    let t = Topology::load(root().join("topologies/hgx-h100.toml"), &Default::default()).unwrap();
    let i = Info::of(&t);
    // 8 GPUs + 4 NVSwitches; 8 × 4 GPU–switch links bundling 8 × 18 = 144 lanes.
    assert_eq!((i.accelerators, i.switches, i.nics, i.nodes), (8, 4, 0, 12));
    assert_eq!((i.links, i.directed_links), (32, 64));
    assert_eq!(i.links_by_kind.get("nvlink4"), Some(&32));
    assert_eq!(i.lanes_by_kind.get("nvlink4"), Some(&144));
    // Lanes per switch 5, 4, 4, 5 (sw0 and sw3 get 5 from every GPU).
    let sw0 = t.node_id("d0.sw0").unwrap();
    let sw1 = t.node_id("d0.sw1").unwrap();
    assert!(
        t.links
            .iter()
            .filter(|l| l.dst == sw0)
            .all(|l| l.count == 5)
    );
    assert!(
        t.links
            .iter()
            .filter(|l| l.dst == sw1)
            .all(|l| l.count == 4)
    );
    // GPU → NVSwitch → GPU.
    assert_eq!(i.diameter_hops, 2);
    assert!(i.diameter_exact);
    // 18 × 25 GB/s = 450 GB/s per GPU per direction.
    assert_eq!(i.injection.len(), 1);
    assert_eq!(
        (i.injection[0].tier.as_str(), i.injection[0].kind.as_str()),
        ("scale-up", "nvlink4")
    );
    assert_close(i.injection[0].min_bps, 450.0 * G, "injection min");
    assert_close(i.injection[0].max_bps, 450.0 * G, "injection max");
    // 4 GPUs × 450 GB/s leave the first half.
    assert_close(i.bisection_bps.unwrap(), 1800.0 * G, "bisection");
    assert!(t.nodes[sw0.idx()].in_switch_reduction);
    assert_close(t.efficiency("nvlink4"), 20.6 / 25.0, "nvlink4 efficiency");
}

#[test]
fn h100_2tier_16node_by_hand() {
    let t = Topology::load(
        root().join("topologies/h100-2tier-16node.toml"),
        &Default::default(),
    )
    .unwrap();
    let i = Info::of(&t);
    // 16 × 8 GPUs; 16 × 4 NVSwitches + 4 leaves + 2 spines (two 16-GPU rails
    // share a 32-down-port leaf; 4 leaves × 32 uplinks / 64 ports = 2 spines).
    assert_eq!((i.accelerators, i.nics, i.switches), (128, 128, 64 + 6));
    assert_eq!(i.nodes, 128 + 128 + 70);
    // nvlink4: 16 × 8 × 4; infiniband-ndr: 128 GPU–NIC + 128 NIC–leaf + 4 × 2 leaf–spine.
    assert_eq!(i.links_by_kind.get("nvlink4"), Some(&512));
    assert_eq!(i.links_by_kind.get("infiniband-ndr"), Some(&264));
    // Lanes: 128 + 128 + 8 bundles of 32/2 = 16.
    assert_eq!(
        i.lanes_by_kind.get("infiniband-ndr"),
        Some(&(128 + 128 + 8 * 16))
    );
    // d3.gpu5 is on rail 5, whose leaf is ⌊5/2⌋ = leaf2.
    let (nic, leaf2) = (
        t.node_id("d3.gpu5.nic0").unwrap(),
        t.node_id("leaf2").unwrap(),
    );
    assert!(
        t.links
            .iter()
            .any(|l| l.src == nic && l.dst == leaf2 && l.tier == "leaf")
    );
    // Accelerators do not forward, so paths between GPUs cross only switches
    // and NICs: same server gpu → nvsw → gpu (2 hops); other server, rails on
    // one leaf (rails 2k and 2k + 1 share leaf k) gpu → nic → leaf → nic →
    // gpu (4); rails on different leaves gpu → nic → leaf → spine → leaf →
    // nic → gpu (6). The worst is 6. (The old rule let gpu → nvsw → gpu' →
    // nic → leaf → nic → gpu reach every leaf, also 6 hops, via another GPU.)
    assert_eq!(i.diameter_hops, 6);
    // Injection: NVLink 450 GB/s, and one 400G NIC = 50 GB/s into the leaves.
    let inj = |tier: &str| i.injection.iter().find(|x| x.tier == tier).unwrap().min_bps;
    assert_close(inj("scale-up"), 450.0 * G, "nvlink");
    assert_close(inj("leaf"), 50.0 * G, "nic");
    // 64 GPUs × 50 GB/s leave the first 8 servers.
    assert_close(i.bisection_bps.unwrap(), 3200.0 * G, "bisection");
    assert_eq!(t.nodes[leaf2.idx()].kind, "quantum-2");
    assert_close(t.nodes[leaf2.idx()].latency_s, 150e-9, "quantum-2 latency");
}

// ---------------------------------------------------------------- forwarding

/// Cross-rail on the rail-optimized 16-node fabric: d0.gpu0 is on rail 0
/// (leaf ⌊0/2⌋ = leaf0), d1.gpu5 on rail 5 (leaf ⌊5/2⌋ = leaf2). GPUs do not
/// forward, so the only shortest paths are gpu → nic → leaf0 → spine{0,1} →
/// leaf2 → nic → gpu (6 hops), never NVLink to d0.gpu5 and out its NIC: 8
/// links, the two spines carrying 1/2 each up and down (spray and weighted:
/// leaf0's two 16-lane uplinks are equal). Latency: 4 × 50 ns of links (the
/// NIC attachments have none) and 3 × 150 ns of forwarding (leaf, spine,
/// leaf; NICs forward in 0 ns): 650 ns.
#[test]
fn cross_rail_route_uses_a_spine_and_no_transit_accelerator() {
    let t = Topology::load(
        root().join("topologies/h100-2tier-16node.toml"),
        &Default::default(),
    )
    .unwrap();
    let (src, dst) = (t.node_id("d0.gpu0").unwrap(), t.node_id("d1.gpu5").unwrap());
    for mode in [RoutingMode::Spray, RoutingMode::Weighted, RoutingMode::Hash] {
        let route = Router::new(&t, mode, 1).route(src, dst, 0).unwrap();
        assert_close(route.latency_s, 650e-9, "latency");
        let mut tiers: Vec<(&str, f64)> = Vec::new();
        for &(l, f) in &route.links {
            let link = &t.links[l.idx()];
            assert_ne!(link.tier, "scale-up", "{}", t.link_label(l));
            for end in [link.src, link.dst] {
                let n = &t.nodes[end.idx()];
                assert!(
                    n.role != NodeRole::Accelerator || end == src || end == dst,
                    "{mode:?}: transit through {}",
                    n.name
                );
            }
            match tiers.iter_mut().find(|(x, _)| *x == link.tier) {
                Some((_, sum)) => *sum += f,
                None => tiers.push((&*link.tier, f)),
            }
        }
        // Per tier, the fractions sum to the number of crossings: nic 2 (out
        // and in), leaf 2, spine 2 (up and down).
        tiers.sort_by(|a, b| a.0.cmp(b.0));
        let names: Vec<&str> = tiers.iter().map(|x| x.0).collect();
        assert_eq!(names, ["leaf", "nic", "spine"], "{mode:?}");
        for (tier, sum) in tiers {
            assert_close(sum, 2.0, tier);
        }
        let expect_links = if mode == RoutingMode::Hash { 6 } else { 8 };
        assert_eq!(route.links.len(), expect_links, "{mode:?}");
    }
}

/// A 4-chip ring `gpu0 – gpu1 – gpu2 – gpu3 – gpu0` (one NVLink4 lane, 25
/// GB/s, per hop) with `forwards = true`.
fn ring(forwards: &str) -> String {
    format!(
        "[[nodes]]\nid = \"gpu[0..4]\"\nkind = \"accelerator\"\n{forwards}\
         [[links]]\nbetween = [\"gpu0\", \"gpu1\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu1\", \"gpu2\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu2\", \"gpu3\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu3\", \"gpu0\"]\nkind = \"nvlink4\"\n"
    )
}

#[test]
fn forwarding_accelerators_route_through_each_other() {
    // A forwarding chip may have a forwarding latency too.
    let t = load(&ring("forwards = true\nlatency = \"100 ns\"\n"));
    assert!(t.nodes.iter().all(|n| n.forwards));
    let id = |n: &str| t.node_id(n).unwrap();
    let (g0, g2) = (id("gpu0"), id("gpu2"));
    // gpu0 → gpu2: two 2-hop paths, via gpu1 and via gpu3, 1/2 each; latency
    // 50 + 100 (gpu1 forwards) + 50 ns.
    let route = Router::new(&t, RoutingMode::Spray, 0)
        .route(g0, g2, 0)
        .unwrap();
    let mut hops: Vec<String> = route
        .links
        .iter()
        .map(|&(l, f)| {
            assert_close(f, 0.5, "half per side");
            let link = &t.links[l.idx()];
            format!(
                "{}>{}",
                t.nodes[link.src.idx()].name,
                t.nodes[link.dst.idx()].name
            )
        })
        .collect();
    hops.sort();
    assert_eq!(hops, ["gpu0>gpu1", "gpu0>gpu3", "gpu1>gpu2", "gpu3>gpu2"]);
    assert_close(route.latency_s, 200e-9, "latency");
    // The ring's links are NVLink4, which hash mode interleaves over instead
    // of hashing (docs/semantics.md §3): both ways carry min(25, R = 25)
    // GB/s of weight, so 1/2 each, as spray.
    let hashed = Router::new(&t, RoutingMode::Hash, 0)
        .route(g0, g2, 0)
        .unwrap();
    assert_eq!(hashed, route);
    // Diameter 2 (opposite corners); the cut {gpu0, gpu1} | {gpu2, gpu3}
    // is crossed by gpu1 → gpu2 and gpu0 → gpu3: 2 × 25 GB/s.
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 2);
    assert_close(i.bisection_bps.unwrap(), 50.0 * G, "ring bisection");
}

#[test]
fn rule_12_accelerators_do_not_forward_by_default() {
    // The same ring without forwards: gpu0 reaches gpu1 and gpu3 directly,
    // but gpu2 only through gpu1 or gpu3. The BFS for the hint meets gpu1
    // first (gpu0's first link).
    one_error(
        &ring(""),
        2,
        6,
        "accelerator \"gpu2\" cannot reach \"gpu0\": 1 of 4 accelerators are unreachable (gpu2)",
        "passes through \"gpu1\", but accelerators do not forward traffic unless `forwards = true`",
    );
    // A star gpu0 – {gpu1, gpu2, gpu3}: gpu0 reaches everyone, gpu1 neither
    // gpu2 nor gpu3 (reachability is not transitive through endpoints).
    let star = "[[nodes]]\nid = \"gpu[0..4]\"\nkind = \"accelerator\"\n\
                [[links]]\nbetween = [\"gpu0\", \"gpu[1..4]\"]\nkind = \"nvlink4\"\n";
    one_error(
        star,
        2,
        6,
        "accelerator \"gpu2\" cannot reach \"gpu1\": 2 of 4 accelerators are unreachable (gpu2, gpu3)",
        "passes through \"gpu0\"",
    );
    // A full mesh needs no forwarding: every pair is one hop.
    let mesh = load(
        "[[nodes]]\nid = \"gpu[0..4]\"\nkind = \"accelerator\"\n\
         [[links]]\nbetween = [\"gpu0\", \"gpu[1..4]\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu1\", \"gpu[2..4]\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu2\", \"gpu3\"]\nkind = \"nvlink4\"\n",
    );
    assert_eq!(Info::of(&mesh).diameter_hops, 1);
}

#[test]
fn hosts_do_not_forward_unless_told() {
    // gpu0, gpu1 on sw0; gpu2, gpu3 on sw1; sw0 – sw1 one NVLink4 lane; a
    // host cpu0 on PCIe to all four GPUs.
    let file = |host: &str| {
        format!(
            "[[nodes]]\nid = \"gpu[0..4]\"\nkind = \"accelerator\"\n\
             [[nodes]]\nid = \"sw[0..2]\"\nkind = \"switch\"\n\
             [[nodes]]\nid = \"cpu0\"\nkind = \"host\"\n{host}\
             [[links]]\nbetween = [\"gpu[0..2]\", \"sw0\"]\nkind = \"nvlink4\"\n\
             [[links]]\nbetween = [\"gpu[2..4]\", \"sw1\"]\nkind = \"nvlink4\"\n\
             [[links]]\nbetween = [\"sw0\", \"sw1\"]\nkind = \"nvlink4\"\n\
             [[links]]\nbetween = [\"cpu0\", \"gpu[0..4]\"]\nkind = \"pcie5-x16\"\n"
        )
    };
    let pcie = 32e9 * 16.0 * 128.0 / 130.0 / 8.0;
    // Default: cpu0 is an endpoint. gpu0 → gpu2 is gpu0 → sw0 → sw1 → gpu2
    // (3 hops, not 2 via cpu0), and the cut {gpu0, gpu1} | {gpu2, gpu3} is
    // the sw0 → sw1 lane alone: 25 GB/s.
    let t = load(&file(""));
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 3);
    assert_close(i.bisection_bps.unwrap(), 25.0 * G, "host does not forward");
    let (g0, g2) = (t.node_id("gpu0").unwrap(), t.node_id("gpu2").unwrap());
    assert_eq!(
        Router::new(&t, RoutingMode::Spray, 0).hops(g0, g2).unwrap(),
        3
    );
    // forwards = true: gpu0 → cpu0 → gpu2 in 2 hops, and cpu0 adds
    // min(2 × pcie in, 2 × pcie out) = 2 × pcie to the cut.
    let t = load(&file("forwards = true\n"));
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 2);
    assert_close(
        i.bisection_bps.unwrap(),
        25.0 * G + 2.0 * pcie,
        "host forwards",
    );
    assert_eq!(
        Router::new(&t, RoutingMode::Spray, 0).hops(g0, g2).unwrap(),
        2
    );
}

// ---------------------------------------------------------------- info

#[test]
fn info_table_and_json_are_deterministic() {
    let t = Topology::load(root().join("topologies/hgx-h100.toml"), &Default::default()).unwrap();
    let (a, b) = (Info::of(&t), Info::of(&t));
    assert_eq!(a.render_table(), b.render_table());
    let j = serde_json::to_value(&a).unwrap();
    for key in [
        "name",
        "accelerators",
        "switches",
        "links",
        "links_by_kind",
        "diameter_hops",
    ] {
        assert!(j.get(key).is_some(), "{key}");
    }
    assert!(a.render_table().contains("450.0 GB/s"));
    assert!(a.render_table().contains("1800.0 GB/s"));
}

#[test]
fn info_is_fast_on_a_10k_node_fabric() {
    // 512 servers × (8 GPUs + 4 switches) + 4096 NICs + 3-tier Clos = ~10.5K
    // nodes. 8 rails of 512: 16 leaves per rail, 128 leaves; pods of 32
    // leaves; a core path is gpu → nic → leaf → spine → core → spine → leaf →
    // nic → gpu = 8 hops, and NVLink cannot shorten it across pods.
    let t = load(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\nlinks_per_switch = [5, 4, 4, 5]\ndomains = 512\n\
         [scale_out]\nkind = \"infiniband-ndr\"\nswitch_radix = 64\ntiers = 3\n",
    );
    assert!(t.nodes.len() > 10_000);
    let start = Instant::now();
    let i = Info::of(&t);
    let took = start.elapsed();
    assert_eq!(i.accelerators, 4096);
    assert!(!i.diameter_exact);
    assert_eq!(i.diameter_hops, 8);
    // Non-blocking: the first 256 servers inject 2048 × 50 GB/s.
    assert_close(i.bisection_bps.unwrap(), 2048.0 * 50.0 * G, "bisection");
    assert!(took.as_secs_f64() < 60.0, "info took {took:?}");
}

// ---------------------------------------------------------------- rules (one negative test each)

#[test]
fn rule_1_toml_syntax() {
    // The header `[[nodes]` lacks its second `]`, expected at column 9.
    one_error(
        "name = \"x\"\n[[nodes]\nid = \"a\"\n",
        2,
        9,
        "invalid TOML",
        "",
    );
}

#[test]
fn rule_2_unknown_key_did_you_mean() {
    let src = format!("{GPUS_AND_SWITCH}latncy = \"1 us\"\n");
    one_error(
        &src,
        9,
        1,
        "unknown key \"latncy\" in a [[nodes]] entry",
        "did you mean \"latency\"?",
    );
    one_error(
        "nme = \"x\"\n[scale_up]\nkind = \"nvlink4\"\naccelerators = 2\nswitches = 1\n",
        1,
        1,
        "unknown key \"nme\"",
        "did you mean \"name\"?",
    );
    // `forwards` is a [[nodes]] key: a near miss is suggested, a non-boolean refused.
    one_error(
        "[[nodes]]\nid = \"g\"\nkind = \"accelerator\"\nforward = true\n",
        4,
        1,
        "unknown key \"forward\" in a [[nodes]] entry",
        "did you mean \"forwards\"?",
    );
    one_error(
        "[[nodes]]\nid = \"g\"\nkind = \"accelerator\"\nforwards = \"yes\"\n",
        4,
        12,
        "\"forwards\" must be true or false",
        "",
    );
}

#[test]
fn rule_3_wrong_type() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\ncount = \"2\"\n"
    );
    one_error(
        &src,
        12,
        9,
        "\"count\" must be an integer from 1 to 65536, found string",
        "",
    );
}

#[test]
fn rule_3_missing_key() {
    one_error(
        "[[nodes]]\nid = \"gpu0\"\n",
        1,
        1,
        "missing key \"kind\" in a [[nodes]] entry",
        "kind = \"accelerator\"",
    );
}

#[test]
fn rule_4_quantity_needs_unit_of_right_dimension() {
    let link = |bw: &str| {
        format!(
            "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"custom\"\nlatency = \"1 us\"\nbandwidth = {bw}\n"
        )
    };
    one_error(
        &link("\"5 GB\""),
        13,
        13,
        "\"GB\" is a data size unit, not a bandwidth unit",
        "\"800 Gb/s\"",
    );
    one_error(&link("50e9"), 13, 13, "found a bare number", "\"50 GB/s\"");
}

#[test]
fn rule_4_bandwidth_positive() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\nbandwidth = \"0 GB/s\"\n"
    );
    one_error(&src, 12, 13, "\"bandwidth\" must be positive", "");
}

#[test]
fn rule_4_latency_non_negative_and_finite() {
    let link = |lat: &str| {
        format!(
            "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\nlatency = \"{lat}\"\n"
        )
    };
    one_error(
        &link("-5 ns"),
        12,
        11,
        "negative values are not allowed",
        "\"300 ns\"",
    );
    one_error(&link("inf ns"), 12, 11, "finite", "");
    // Zero is an ideal link, and allowed.
    load(&link("0 ns"));
}

#[test]
fn rule_5_unknown_link_kind_did_you_mean() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlnk5\"\n"
    );
    one_error(
        &src,
        11,
        8,
        "unknown link kind \"nvlnk5\"; did you mean \"nvlink5\"?",
        "known link kinds",
    );
}

#[test]
fn rule_5_unknown_node_kind_did_you_mean() {
    one_error(
        "[[nodes]]\nid = \"g\"\nkind = \"acclerator\"\n",
        3,
        8,
        "unknown node kind \"acclerator\"; did you mean \"accelerator\"?",
        "node kinds",
    );
}

#[test]
fn rule_6_generic_kind_gives_bandwidth_and_latency() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"ethernet\"\nlatency = \"1 us\"\n"
    );
    one_error(&src, 11, 8, "has no preset bandwidth", "\"ethernet-400g\"");
}

#[test]
fn rule_7_id_pattern() {
    one_error(
        "[[nodes]]\nid = \"gpu[0..]\"\nkind = \"accelerator\"\n",
        2,
        6,
        "invalid range bound",
        "gpu0 to gpu7",
    );
}

#[test]
fn rule_7_duplicate_id() {
    let src = format!("{GPUS_AND_SWITCH}[[nodes]]\nid = \"gpu[2..6]\"\nkind = \"accelerator\"\n");
    one_error(
        &src,
        10,
        6,
        "duplicate node id \"gpu2\" (and 1 more)",
        "first declared at line 3, column 6",
    );
}

#[test]
fn rule_8_link_to_undeclared_node() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"swx\"]\nkind = \"nvlink4\"\n"
    );
    one_error(
        &src,
        10,
        25,
        "link endpoint \"swx\" is not a declared node",
        "did you mean \"sw\"?",
    );
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..8]\", \"sw\"]\nkind = \"nvlink4\"\n"
    );
    one_error(
        &src,
        10,
        12,
        "4 of the 8 nodes named by this endpoint are not declared: gpu4, gpu5, gpu6, ...",
        "half-open",
    );
}

#[test]
fn rule_8_self_link() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"gpu3\"]\nkind = \"nvlink4\"\n"
    );
    one_error(&src, 10, 11, "link joins node \"gpu3\" to itself", "");
}

#[test]
fn rule_9_one_efficiency_per_kind() {
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..2]\", \"sw\"]\nkind = \"nvlink4\"\n\
         [[links]]\nbetween = [\"gpu[2..4]\", \"sw\"]\nkind = \"nvlink4\"\nefficiency = 0.5\n"
    );
    one_error(&src, 15, 14, "have efficiency 0.5 here but", "\"custom\"");
    let src = format!(
        "{GPUS_AND_SWITCH}[[links]]\nbetween = [\"gpu[0..4]\", \"sw\"]\nkind = \"nvlink4\"\nefficiency = 1.5\n"
    );
    one_error(&src, 12, 14, "greater than 0 and at most 1", "");
}

#[test]
fn rule_10_links_per_switch_matches_switches() {
    one_error(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\nlinks_per_switch = [5, 4, 4]\n",
        5,
        20,
        "lists 3 switches, but switches = 4",
        "one lane count per switch",
    );
}

#[test]
fn rule_10_clos_fits_radix_and_tiers() {
    // 8 rails × 128 endpoints at radix 64: 32 leaves fit 2 tiers; 256 servers
    // need 8 × 8 = 64 leaves (fits), 512 need 128 (does not).
    let f = |d: u32| {
        format!(
            "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = {d}\n\
             [scale_out]\nkind = \"infiniband-ndr\"\nswitch_radix = 64\ntiers = 2\n"
        )
    };
    load(&f(256));
    one_error(
        &f(512),
        9,
        9,
        "connects at most 64 leaves, but 128 are needed",
        "tiers = 3",
    );
}

#[test]
fn rule_10_routing_known_and_consistent() {
    one_error(
        "routing = \"sprey\"\n[scale_up]\nkind = \"nvlink4\"\naccelerators = 2\nswitches = 1\n",
        1,
        11,
        "unknown routing mode \"sprey\"; did you mean \"spray\"?",
        "",
    );
    one_error(
        "routing = \"hash\"\n[[nodes]]\nid = \"g[0..2]\"\nkind = \"accelerator\"\n[scale_out]\nkind = \"ethernet-400g\"\nswitch_radix = 8\nrouting = \"spray\"\n",
        8,
        11,
        "conflicts with the top-level routing = \"hash\"",
        "once",
    );
}

#[test]
fn rule_10_scale_out_needs_accelerators() {
    one_error(
        "[[nodes]]\nid = \"h\"\nkind = \"host\"\n[scale_out]\nkind = \"ethernet-400g\"\nswitch_radix = 8\n",
        4,
        1,
        "[scale_out] has no accelerators to attach",
        "",
    );
}

#[test]
fn rule_10_only_switches_reduce_and_accelerators_do_not_forward() {
    one_error(
        "[[nodes]]\nid = \"g\"\nkind = \"accelerator\"\nin_switch_reduction = true\n",
        4,
        23,
        "only switches can reduce",
        "",
    );
    one_error(
        "[[nodes]]\nid = \"g\"\nkind = \"accelerator\"\nlatency = \"1 ns\"\n",
        4,
        11,
        "no forwarding latency",
        "",
    );
}

#[test]
fn rule_11_node_limit_fails_fast() {
    // 4e9 domains × 12 nodes: refused from the parameters, without allocating.
    let start = Instant::now();
    let src =
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = 4000000000\n";
    one_error(
        src,
        1,
        1,
        "the topology would have 48000000000 nodes, more than the limit of 4194304",
        "[scale_up]",
    );
    // A value beyond u32 is refused as out of range; a float as the wrong type.
    let src =
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = 1000000000000\n";
    one_error(
        src,
        5,
        11,
        "\"domains\" must be an integer from 1 to 4294967295",
        "",
    );
    let src = "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = 1e12\n";
    one_error(src, 5, 11, "found float", "");
    // Huge id ranges too.
    one_error(
        "[[nodes]]\nid = \"g[0..4000000000]\"\nkind = \"accelerator\"\n",
        1,
        1,
        "more than the limit of 4194304",
        "",
    );
    assert!(start.elapsed().as_secs_f64() < 2.0);
}

#[test]
fn rule_11_link_limit_fails_fast() {
    // 5000 × 5000 pairs = 25e6 links = 50e6 directed > 16 Mi, with only 10K nodes.
    let start = Instant::now();
    let src = "[[nodes]]\nid = \"a[0..5000]\"\nkind = \"accelerator\"\n[[nodes]]\nid = \"b[0..5000]\"\nkind = \"switch\"\n\
               [[links]]\nbetween = [\"a[0..5000]\", \"b[0..5000]\"]\nkind = \"nvlink4\"\n";
    one_error(
        src,
        7,
        1,
        "50000000 directed links, more than the limit of 16777216",
        "5000 × 5000 pairs",
    );
    assert!(start.elapsed().as_secs_f64() < 2.0);
}

#[test]
fn rule_12_at_least_one_accelerator() {
    one_error(
        "[[nodes]]\nid = \"s\"\nkind = \"switch\"\n",
        1,
        1,
        "no accelerators",
        "kind = \"accelerator\"",
    );
}

#[test]
fn rule_12_accelerators_reachable() {
    // gpu2, gpu3 hang off a second switch that nothing joins to the first.
    let src = "[[nodes]]\nid = \"gpu[0..4]\"\nkind = \"accelerator\"\n[[nodes]]\nid = \"sw[0..2]\"\nkind = \"switch\"\n\
               [[links]]\nbetween = [\"gpu[0..2]\", \"sw0\"]\nkind = \"nvlink4\"\n\
               [[links]]\nbetween = [\"gpu[2..4]\", \"sw1\"]\nkind = \"nvlink4\"\n";
    one_error(
        src,
        2,
        6,
        "accelerator \"gpu2\" cannot reach \"gpu0\": 2 of 4 accelerators are unreachable (gpu2, gpu3)",
        "add links",
    );
}

#[test]
fn all_problems_at_once_in_file_order() {
    // Three independent problems on lines 3, 7 and 11.
    let src = "[[nodes]]\nid = \"g[0..2]\"\nkind = \"acclerator\"\n[[nodes]]\nid = \"s\"\nkind = \"switch\"\nlatncy = \"1 us\"\n\
               [[links]]\nbetween = [\"g[0..2]\", \"s\"]\nkind = \"nvlink4\"\nbandwidth = \"5 GB\"\n";
    let d = errors(src);
    let lines: Vec<usize> = d.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 7, 11], "{d}");
    let r = d.to_string();
    assert!(r.starts_with("t.toml:3:8: error: unknown node kind"), "{r}");
    assert!(r.contains("\n  help: "), "{r}");
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    let d = Topology::load(
        root().join("topologies/does-not-exist.toml"),
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(d.len(), 1);
    assert!(d.to_string().contains("error: cannot read file"));
}

// ---------------------------------------------------------------- snapshots and robustness

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// No input panics: random edits of a valid file either load or give diagnostics.
    #[test]
    fn no_panics_on_mutated_files(pos in 0usize..2000, cut in 0usize..8, insert in "[a-z0-9\\[\\]\\.\"=, \n:-]{0,6}") {
        let base = std::fs::read_to_string(root().join("topologies/h100-2tier-16node.toml")).unwrap();
        let mut chars: Vec<char> = base.chars().collect();
        let p = pos % (chars.len() + 1);
        let end = (p + cut).min(chars.len());
        chars.splice(p..end, insert.chars());
        let src: String = chars.into_iter().collect();
        match Topology::parse(&src, "fuzz.toml", &Default::default()) {
            Ok(t) => proptest::prop_assert!(!t.accelerators.is_empty()),
            Err(d) => proptest::prop_assert!(!d.is_empty()),
        }
    }
}

#[test]
fn gb300_nvl72_16rack_by_hand() {
    let t = Topology::load(
        root().join("topologies/gb300-nvl72-16rack.toml"),
        &Default::default(),
    )
    .unwrap();
    let i = Info::of(&t);
    // 16 × (72 GPUs + 18 NVLink switches); 1152 NICs; 72 rails of 16 → two
    // per 32-port leaf = 36 leaves with 32 uplinks; c = 1 (36·2 > 64) → 32 spines.
    assert_eq!((i.accelerators, i.nics), (1152, 1152));
    assert_eq!(i.switches, 16 * 18 + 36 + 32);
    // nvlink5: 16 × 72 × 18 links of one lane; ethernet: 1152 + 1152 + 36 × 32.
    assert_eq!(i.links_by_kind.get("nvlink5"), Some(&(16 * 72 * 18)));
    assert_eq!(
        i.links_by_kind.get("ethernet-800g"),
        Some(&(1152 * 2 + 36 * 32))
    );
    // 18 × 50 GB/s NVLink5 and one 800 Gb/s = 100 GB/s NIC per GPU.
    let inj = |tier: &str| i.injection.iter().find(|x| x.tier == tier).unwrap().min_bps;
    assert_close(inj("scale-up"), 900.0 * G, "nvlink5");
    assert_close(inj("leaf"), 100.0 * G, "cx8");
    // First 8 racks: 576 GPUs × 100 GB/s.
    assert_close(i.bisection_bps.unwrap(), 576.0 * 100.0 * G, "bisection");
    assert_eq!(t.routing, RoutingMode::Spray);
}

#[test]
fn huge_switch_counts_fail_fast_without_allocating() {
    // 4e9 switches with one lane each: refused by the size check, not by OOM.
    let start = Instant::now();
    let d = errors("[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4000000000\n");
    assert!(
        d.to_string().contains("more than the limit of 4194304"),
        "{d}"
    );
    // A single lane count applies to every switch, however many: 1 GPU ×
    // 100000 switches × 2 lanes = 100000 links = 200000 directed.
    let t = load(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 1\nswitches = 100000\nlinks_per_switch = 2\n",
    );
    assert_eq!(t.links.len(), 200_000);
    assert!(t.links.iter().all(|l| l.count == 2));
    assert!(start.elapsed().as_secs_f64() < 5.0);
}
