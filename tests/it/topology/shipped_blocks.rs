//! The shipped topology files built from the parametric blocks: a 16-rack Helios cluster over Ultra Ethernet, 128 MI300X servers
//! over RoCE (full-mesh scale-up), a rail-only H100 cluster, a 4,096-chip
//! TPU-style torus and a two-site H100 cluster joined by DCI links.
//!
//! Every expected count, hop distance, bandwidth and latency is derived by
//! hand in the comment above its assertion, from the figures in the file's
//! header and the formulas of docs/topology-format.md (`[scale_up]`,
//! `[scale_out]`, `[dci]`), never copied from the program's output. Counts
//! are taken from the raw `Topology` (nodes and directed links).

use fabricsim::info::Info;
use fabricsim::routing::{Route, Router};
use fabricsim::topology::RoutingMode;
use fabricsim::topology::max_flow_between;
use fabricsim::topology::{NodeId, NodeRole, Topology};

use crate::common::root;
use crate::topology::shipped::Census;

const G: f64 = 1e9;
const NS: f64 = 1e-9;

fn load(name: &str) -> Topology {
    let path = root().join("topologies").join(name);
    Topology::load(&path, &Default::default())
        .unwrap_or_else(|d| panic!("{}:\n{d}", path.display()))
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1e-9),
        "{what}: got {got:e}, want {want:e}"
    );
}

fn id(t: &Topology, name: &str) -> NodeId {
    t.node_id(name)
        .unwrap_or_else(|| panic!("no node named {name}"))
}

fn name(t: &Topology, n: NodeId) -> &str {
    &t.nodes[n.idx()].name
}

/// Lanes leaving node `n` on links of `tier`.
fn lanes_out(t: &Topology, n: NodeId, tier: &str) -> u64 {
    t.links
        .iter()
        .filter(|l| l.src == n && l.tier == tier)
        .map(|l| u64::from(l.count))
        .sum()
}

/// Full-duplex links of `tier`.
fn tier_links(t: &Topology, tier: &str) -> usize {
    t.links.iter().filter(|l| l.tier == tier).count() / 2
}

/// Capacity [bytes/s] leaving accelerator `a` on links of `tier`; for tier
/// `leaf`, the links from its NICs to their leaves (scale-out injection).
fn injection(t: &Topology, a: NodeId, tier: &str) -> f64 {
    let nics: Vec<NodeId> = t
        .links
        .iter()
        .filter(|l| l.src == a && l.tier == "nic")
        .map(|l| l.dst)
        .collect();
    t.links
        .iter()
        .filter(|l| l.tier == tier && (l.src == a || (tier == "leaf" && nics.contains(&l.src))))
        .map(|l| l.capacity_bps)
        .sum()
}

/// Every accelerator injects `want` [bytes/s] into `tier`.
#[track_caller]
fn assert_injection(t: &Topology, tier: &str, want: f64) {
    for &a in &t.accelerators {
        assert_close(
            injection(t, a, tier),
            want,
            &format!("{tier} injection of {}", name(t, a)),
        );
    }
}

/// Whether NIC `nic` of `gpu` is cabled to `leaf`.
fn nic_on_leaf(t: &Topology, gpu: &str, nic: u32, leaf: &str) -> bool {
    let (nic, leaf) = (id(t, &format!("{gpu}.nic{nic}")), id(t, leaf));
    t.links
        .iter()
        .any(|l| l.src == nic && l.dst == leaf && l.tier == "leaf")
}

/// The switches named `prefix0, prefix1, …`.
fn named(t: &Topology, prefix: &str) -> Vec<NodeId> {
    (0..)
        .map(|i| t.node_id(&format!("{prefix}{i}")))
        .take_while(Option::is_some)
        .map(Option::unwrap)
        .collect()
}

fn route(t: &Topology, mode: RoutingMode, a: &str, b: &str) -> Route {
    Router::new(t, mode, 0)
        .route(id(t, a), id(t, b), 0)
        .unwrap()
}

fn hops(t: &Topology, a: &str, b: &str) -> u32 {
    Router::new(t, RoutingMode::Spray, 0)
        .hops(id(t, a), id(t, b))
        .unwrap()
}

/// Fraction of route `r` on the directed link `a → b` (summed over lanes
/// bundles, 0 when the route does not use it).
fn share(t: &Topology, r: &Route, a: NodeId, b: NodeId) -> f64 {
    r.links
        .iter()
        .filter(|&&(l, _)| t.links[l.idx()].src == a && t.links[l.idx()].dst == b)
        .map(|&(_, f)| f)
        .sum()
}

/// Accelerators a route passes *through* (neither its source nor its
/// destination).
fn relays(t: &Topology, r: &Route, src: NodeId, dst: NodeId) -> Vec<String> {
    let mut v: Vec<String> = r
        .links
        .iter()
        .flat_map(|&(l, _)| [t.links[l.idx()].src, t.links[l.idx()].dst])
        .filter(|&n| n != src && n != dst && t.nodes[n.idx()].role == NodeRole::Accelerator)
        .map(|n| name(t, n).to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

// ---------------------------------------------------------------- Helios

/// 16 Helios racks: per rack 72 GPUs on 18 UALink switches (4 lanes of
/// 25 GB/s each), 3 × 800G NICs per GPU on a rail-optimized 2-tier fabric of
/// 128-port (800G) Tomahawk 6. G = 72·3 = 216 rails of E = 16; d = 64,
/// q = ⌊64/16⌋ = 4 rails per leaf → L = 216/4 = 54 leaves with e = 64 NICs,
/// u = 64 uplinks; c = largest divisor of 64 with 54·c ≤ 128 = 2 → S = 32.
#[test]
fn shipped_helios_16rack_uec_by_hand() {
    let t = load("helios-mi450-16rack-uec.toml");
    let c = Census::of(&t);
    // 16 × 72 = 1,152 GPUs, 3 NICs each.
    assert_eq!((c.accelerators, c.nics), (1152, 3456));
    // 54 + 32 Tomahawk 6; 16 × 18 = 288 UALink switches (plain switches).
    assert_eq!(c.switches_of("tomahawk6"), 86);
    assert_eq!(c.switches(), 86 + 288);
    let (leaves, spines) = (named(&t, "leaf"), named(&t, "spine"));
    assert_eq!((leaves.len(), spines.len()), (54, 32));
    assert!(named(&t, "core").is_empty());
    // UALink: 16 × 72 × 18 = 20,736 links of 4 lanes = 82,944 lanes.
    assert_eq!(c.links("ualink-200g"), (20736, 82944));
    // UEC: 3,456 GPU–NIC + 3,456 NIC–leaf (one lane) + 54 × 32 = 1,728
    // leaf–spine bundles of 2 lanes.
    assert_eq!(
        c.links("ultra-ethernet-800g"),
        (3456 + 3456 + 1728, 3456 + 3456 + 2 * 1728)
    );
    assert_eq!(c.directed, 2 * (20736 + 8640));
    // Every leaf: 64 NIC ports down and 64 lanes up (32 spines × 2), 128 in
    // all = the radix; every spine: 54 × 2 = 108 of its 128 ports.
    for &l in &leaves {
        assert_eq!(lanes_out(&t, l, "leaf"), 64);
        assert_eq!(lanes_out(&t, l, "spine"), 64);
    }
    for &s in &spines {
        assert_eq!(lanes_out(&t, s, "spine"), 108);
        assert_close(
            t.nodes[s.idx()].latency_s,
            250.0 * NS,
            "tomahawk6 (ASSUMED)",
        );
    }
    // UALink switches: 72 GPUs × 4 lanes, 200 ns (ASSUMED), no reduction.
    let sw = id(&t, "d15.sw17");
    assert_eq!(lanes_out(&t, sw, "scale-up"), 288);
    assert_close(t.nodes[sw.idx()].latency_s, 200.0 * NS, "UALink switch");
    assert!(!t.nodes[sw.idx()].in_switch_reduction);
    // Rail r = 72n + i holds NIC n of GPU i; leaf ⌊r/4⌋ (L_g = 1):
    // NIC 0 of GPUs 0–3 (rails 0–3) share leaf 0, GPU 0's NICs 1 and 2
    // are rails 72 and 144 → leaves 18 and 36; GPU 5 NIC 1 is rail 77 →
    // leaf 19; GPU 71 NIC 2 is rail 215 → leaf 53.
    for (n, leaf) in [(0, "leaf0"), (1, "leaf18"), (2, "leaf36")] {
        assert!(nic_on_leaf(&t, "d9.gpu0", n, leaf));
    }
    assert!(nic_on_leaf(&t, "d9.gpu1", 0, "leaf0"));
    assert!(nic_on_leaf(&t, "d3.gpu5", 1, "leaf19"));
    assert!(nic_on_leaf(&t, "d15.gpu71", 2, "leaf53"));
    // Published per-GPU figures: scale-out 300 GB/s = 3 × 100 GB/s; scale-up
    // 3.6 TB/s bidirectional = 18 × 4 × 25 GB/s = 1.8 TB/s per direction.
    assert_injection(&t, "leaf", 300.0 * G);
    assert_injection(&t, "scale-up", 1800.0 * G);
    // Within a rack: GPU → UALink switch → GPU. Across racks on one leaf
    // (d0.gpu0.nic0 and d15.gpu1.nic0 are both on leaf 0): 4 hops; on
    // different leaves (leaf 0 → leaf 53) through a spine: 6 hops.
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu71"), 2);
    assert_eq!(hops(&t, "d0.gpu0", "d15.gpu1"), 4);
    assert_eq!(hops(&t, "d0.gpu0", "d15.gpu71"), 6);
    // Spray d0.gpu0 → d15.gpu71: every path is NIC n → its leaf (0, 18, 36)
    // → spine s → a leaf of the destination's NICs (17, 35, 53) → NIC m
    // (3 × 32 × 3 equal paths), so each source NIC carries 1/3 and each
    // spine 1/32 of that: 1/96 from leaf 0. Latency: NIC attachments 0 ns,
    // 4 UEC links of 50 ns, 3 Tomahawk 6 of 250 ns: 950 ns.
    let r = route(&t, RoutingMode::Spray, "d0.gpu0", "d15.gpu71");
    let src = id(&t, "d0.gpu0");
    for n in 0..3 {
        let nic = id(&t, &format!("d0.gpu0.nic{n}"));
        assert_close(share(&t, &r, src, nic), 1.0 / 3.0, "per NIC");
    }
    for &s in &spines {
        assert_close(share(&t, &r, leaves[0], s), 1.0 / 96.0, "per spine");
    }
    assert_close(r.latency_s, 4.0 * 50.0 * NS + 3.0 * 250.0 * NS, "latency");
    // Non-blocking: the first 8 racks' 576 GPUs send 576 × 300 GB/s.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        576.0 * 300.0 * G,
        "bisection",
    );
}

// ---------------------------------------------------------------- MI300X

/// 128 MI300X servers: an xGMI full mesh of 8 per server (28 links, 7 per
/// GPU at 64 GB/s), one 400G NIC per GPU, 8 rails of E = 128 on 128-port
/// (400G) Tomahawk 5 at 1:1: d = 64 → L_g = 2 leaves per rail of e_g = 64,
/// L = 16, u = 64; c = largest divisor of 64 with 16·c ≤ 128 = 8 → S = 8.
#[test]
fn shipped_mi300x_128node_roce_by_hand() {
    let t = load("mi300x-128node-roce.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (1024, 1024));
    // No scale-up switch: only the 16 + 8 Tomahawk 5.
    assert_eq!((c.switches_of("tomahawk5"), c.switches()), (24, 24));
    let (leaves, spines) = (named(&t, "leaf"), named(&t, "spine"));
    assert_eq!((leaves.len(), spines.len()), (16, 8));
    // 128 × 28 = 3,584 single-lane xGMI links.
    assert_eq!(c.links("xgmi3"), (3584, 3584));
    // 1,024 GPU–NIC + 1,024 NIC–leaf + 16 × 8 = 128 leaf–spine bundles of 8.
    assert_eq!(
        c.links("ethernet-400g"),
        (1024 + 1024 + 128, 1024 + 1024 + 1024)
    );
    assert_eq!(c.directed, 2 * (3584 + 2176));
    for &l in &leaves {
        assert_eq!(
            (lanes_out(&t, l, "leaf"), lanes_out(&t, l, "spine")),
            (64, 64)
        );
    }
    for &s in &spines {
        assert_eq!(lanes_out(&t, s, "spine"), 16 * 8);
    }
    // Rail i = GPU i of every server; server d is endpoint d, on leaf
    // 2i + ⌊d/64⌋: d100.gpu5 → leaf 11, d63.gpu0 → leaf 0, d64.gpu0 → leaf 1.
    assert!(nic_on_leaf(&t, "d100.gpu5", 0, "leaf11"));
    assert!(nic_on_leaf(&t, "d63.gpu0", 0, "leaf0"));
    assert!(nic_on_leaf(&t, "d64.gpu0", 0, "leaf1"));
    // Every GPU: 7 xGMI peers, one link each (the full mesh), and stays an
    // endpoint.
    for &a in &t.accelerators {
        let mut peers: Vec<NodeId> = t
            .links
            .iter()
            .filter(|l| l.src == a && l.tier == "scale-up")
            .map(|l| l.dst)
            .collect();
        peers.sort();
        peers.dedup();
        assert_eq!(peers.len(), 7);
        assert!(!t.nodes[a.idx()].forwards);
    }
    // Per-GPU xGMI bandwidth: 7 links × 64 GB/s = 448 GB/s per direction
    // (AMD ROCm blog); usable 7 × 48 = 336 GB/s is 75% of it; the fitted
    // efficiency, fitted on the 8 GiB rccl-tests busbw (a fit, not checked
    // here: tests/it/validation/fit_checks.rs guards it), applies to these links.
    assert_injection(&t, "scale-up", 7.0 * 64.0 * G);
    assert_injection(&t, "leaf", 50.0 * G);
    // One hop inside a server; 4 hops on one leaf (servers 0 and 63 of rail
    // 0); 6 through a spine, including across rails (d0.gpu0 → d1.gpu1:
    // GPUs do not forward, so no xGMI relay).
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu7"), 1);
    assert_eq!(hops(&t, "d0.gpu0", "d63.gpu0"), 4);
    assert_eq!(hops(&t, "d0.gpu0", "d64.gpu0"), 6);
    assert_eq!(hops(&t, "d0.gpu0", "d1.gpu1"), 6);
    // Non-blocking: the first 64 servers' 512 NICs × 50 GB/s.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        512.0 * 50.0 * G,
        "bisection",
    );
}

// ---------------------------------------------------------------- rail-only

/// 64 HGX H100 servers, rail-only (Wang et al., arXiv:2307.12169): each of
/// the 8 rails one 64-port Quantum-2 leaf holding NIC 0 of GPU r of all 64
/// servers (E = 64 ≤ k = 64), no spine.
#[test]
fn shipped_h100_rail_only_by_hand() {
    let t = load("h100-rail-only.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (512, 512));
    // 64 × 4 NVSwitches + 8 rail leaves.
    assert_eq!(c.switches_of("nvswitch-gen3"), 256);
    assert_eq!(c.switches_of("quantum-2"), 8);
    assert_eq!(c.switches(), 264);
    assert!(t.node_id("rail7.leaf0").is_some() && t.node_id("rail8.leaf0").is_none());
    assert!(t.node_id("rail0.leaf1").is_none() && t.node_id("rail0.spine0").is_none());
    // 64 × 8 × 4 NVLink4 links bundling 64 × 8 × 18 lanes; 512 GPU–NIC +
    // 512 NIC–leaf; nothing above the leaves.
    assert_eq!(c.links("nvlink4"), (2048, 9216));
    assert_eq!(c.links("infiniband-ndr"), (1024, 1024));
    assert_eq!(tier_links(&t, "spine"), 0);
    assert_eq!(c.directed, 2 * 3072);
    // Rail r's leaf: all 64 ports, each to NIC 0 of GPU r of a server.
    for r in 0..8 {
        let leaf = id(&t, &format!("rail{r}.leaf0"));
        assert_eq!(lanes_out(&t, leaf, "leaf"), 64);
        for d in [0, 31, 63] {
            assert!(nic_on_leaf(
                &t,
                &format!("d{d}.gpu{r}"),
                0,
                &format!("rail{r}.leaf0")
            ));
        }
    }
    assert_injection(&t, "scale-up", 18.0 * 25.0 * G);
    assert_injection(&t, "leaf", 50.0 * G);
    // Rails meet only in the servers, so the GPUs forward. Same rail: gpu →
    // nic → leaf → nic → gpu, 4 hops and no relay; different rails of
    // different servers: 6 hops through a GPU.
    assert!(t.accelerators.iter().all(|&a| t.nodes[a.idx()].forwards));
    assert_eq!(hops(&t, "d0.gpu3", "d40.gpu3"), 4);
    let (src, dst) = (id(&t, "d0.gpu3"), id(&t, "d40.gpu3"));
    assert!(
        relays(
            &t,
            &route(&t, RoutingMode::Weighted, "d0.gpu3", "d40.gpu3"),
            src,
            dst
        )
        .is_empty()
    );
    assert_eq!(hops(&t, "d0.gpu0", "d1.gpu1"), 6);
    // d0.gpu0 → d1.gpu1 (the file's weighted mode): the two 6-hop ways are
    // d0.gpu0 → NVSwitch → d0.gpu1 → rail 1 → d1.gpu1 and d0.gpu0 → rail 0
    // → d1.gpu0 → NVSwitch → d1.gpu1. At d0.gpu0 the weighted rule splits by
    // reachable capacity (GB/s): on the NVLink way R(d0.gpu1) = 50 (its one
    // NIC link onward), so each switch k weighs min(25·lanes_k, min(25·lanes_k,
    // 50)) = 50, 200 over the four; on the NIC way R(d1.gpu0) = 450 (its 18
    // lanes to d1.gpu1), R(leaf) = R(nic) = 50, so d0.gpu0's own NIC weighs
    // min(50, 50) = 50. Of R(d0.gpu0) = 250, 0.8 relays in d0.gpu1 and 0.2
    // leaves by the own NIC to relay in d1.gpu0. (The four NVLink branches
    // meet again in d0.gpu1, so R counts its 50 GB/s NIC four times: an
    // upper bound, the max flow splits 1/2 : 1/2; the per-hop capacity split
    // gave 0.9 : 0.1.) Both ways: 4 links of 50 ns + NVSwitch 150 ns +
    // Quantum-2 150 ns (attachments 0 ns, GPUs forward at 0 ns) = 500 ns.
    let (src, dst) = (id(&t, "d0.gpu0"), id(&t, "d1.gpu1"));
    let r = route(&t, RoutingMode::Weighted, "d0.gpu0", "d1.gpu1");
    assert_eq!(relays(&t, &r, src, dst), ["d0.gpu1", "d1.gpu0"]);
    assert_close(share(&t, &r, src, id(&t, "d0.gpu0.nic0")), 0.2, "own NIC");
    let into_relay: f64 = (0..4)
        .map(|s| share(&t, &r, id(&t, &format!("d0.sw{s}")), id(&t, "d0.gpu1")))
        .sum();
    assert_close(into_relay, 0.8, "NVLink relay in d0.gpu1");
    assert_close(r.latency_s, 4.0 * 50.0 * NS + 2.0 * 150.0 * NS, "latency");
    // Bisection: everything leaving the first 32 servers crosses their 256
    // NIC links of 50 GB/s (each rail leaf is non-blocking).
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        256.0 * 50.0 * G,
        "bisection",
    );
}

// ---------------------------------------------------------------- torus

/// Chip index of (x, y, z) in the 16³ torus: i = 256x + 16y + z.
fn chip(x: usize, y: usize, z: usize) -> String {
    format!("d0.gpu{}", 256 * x + 16 * y + z)
}

/// The TPU v4-style pod: 16 × 16 × 16 = 4,096 chips, 6 neighbours each,
/// 3 · 4,096 = 12,288 links of 400 Gb/s = 50 GB/s, no switch.
#[test]
fn shipped_tpu_4096_torus_by_hand() {
    let t = load("tpu-4096-torus.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics, c.switches()), (4096, 0, 0));
    assert_eq!(c.links("custom"), (12288, 12288));
    assert_eq!(c.directed, 2 * 12288);
    for l in &t.links {
        assert_close(l.capacity_bps, 50.0 * G, "ICI link");
        assert_close(l.latency_s, 100.0 * NS, "ICI link latency (ASSUMED)");
    }
    for &a in &t.accelerators {
        let mut peers: Vec<NodeId> = t
            .links
            .iter()
            .filter(|l| l.src == a)
            .map(|l| l.dst)
            .collect();
        peers.sort();
        peers.dedup();
        assert_eq!(peers.len(), 6);
        assert!(t.nodes[a.idx()].forwards, "torus chips route");
    }
    // 6 × 50 = 300 GB/s of ICI per chip per direction.
    assert_injection(&t, "scale-up", 300.0 * G);
    // Cubes of 4 × 4 × 4: along each dimension a ring of 16 crosses 4 cube
    // boundaries (wraparound included), 256 rings per dimension, so
    // 3 × 256 × 4 = 3,072 links cross cubes; through the OCS each is two
    // optical cube–OCS links, 6,144 — the published figure.
    let cube = |n: NodeId| {
        let i = t.nodes[n.idx()].name["d0.gpu".len()..]
            .parse::<usize>()
            .unwrap();
        (i / 256 / 4, (i / 16) % 16 / 4, i % 16 / 4)
    };
    let crossing = t
        .links
        .iter()
        .filter(|l| cube(l.src) != cube(l.dst))
        .count()
        / 2;
    assert_eq!(crossing, 3072);
    assert_eq!(2 * crossing, 6144);
    // Hop diameter 8 + 8 + 8 = 24: (0,0,0) → (8,8,8); one wraparound hop per
    // dimension to (15,15,15).
    assert_eq!(hops(&t, &chip(0, 0, 0), &chip(8, 8, 8)), 24);
    assert_eq!(hops(&t, &chip(0, 0, 0), &chip(15, 15, 15)), 3);
    assert_eq!(hops(&t, &chip(3, 9, 14), &chip(11, 1, 6)), 24);
    // Spray to the antipode: a third of the 24 steps per dimension, both
    // directions shortest, so each of the 6 first hops carries 1/6; 24 links
    // of 100 ns and 23 transit chips of 100 ns = 4.7 µs.
    let r = route(&t, RoutingMode::Spray, &chip(0, 0, 0), &chip(8, 8, 8));
    let src = id(&t, &chip(0, 0, 0));
    for first in [
        chip(1, 0, 0),
        chip(15, 0, 0),
        chip(0, 1, 0),
        chip(0, 15, 0),
        chip(0, 0, 1),
        chip(0, 0, 15),
    ] {
        assert_close(share(&t, &r, src, id(&t, &first)), 1.0 / 6.0, "first hop");
    }
    assert_close(
        r.latency_s,
        24.0 * 100.0 * NS + 23.0 * 100.0 * NS,
        "latency",
    );
    // info: sampled diameter 24; bisection: ranks 0..2048 are x < 8, the cuts
    // x = 7|8 and 15|0 cross 2 × 256 links × 50 GB/s = 25.6 TB/s, within 7%
    // of Google's published 24 TB/s.
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 24);
    let bisection = i.bisection_bps.unwrap();
    assert_close(bisection, 512.0 * 50.0 * G, "bisection");
    assert!((bisection / 24e12 - 1.0).abs() < 0.07);
}

// ---------------------------------------------------------------- two sites

/// Two sites of 64 HGX H100 servers. Per site 8 rails of E = 64 on 64-port
/// Quantum-2 at 1:1: d = 32 → L_g = 2, L = 16 leaves, u = 32, c = 4
/// (16·4 ≤ 64), S = 8 spines. DCI: spine j of site 0 to spine j of site 1,
/// 12.8 Tb/s / 8 = 200 GB/s each, 50 km × 5 µs/km = 250 µs.
#[test]
fn shipped_h100_2site_dci_by_hand() {
    let t = load("h100-2site-dci.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (1024, 1024));
    // 2 × 64 × 4 NVSwitches; 2 × (16 + 8) Quantum-2.
    assert_eq!(c.switches_of("nvswitch-gen3"), 512);
    assert_eq!(c.switches_of("quantum-2"), 48);
    assert_eq!(c.switches(), 560);
    for s in 0..2 {
        assert_eq!(named(&t, &format!("s{s}.leaf")).len(), 16);
        assert_eq!(named(&t, &format!("s{s}.spine")).len(), 8);
    }
    assert!(t.node_id("s2.d0.gpu0").is_none() && t.node_id("s1.d63.gpu7").is_some());
    // Per site 2,048 NVLink4 links (9,216 lanes); 512 + 512 + 16 × 8 = 1,152
    // IB links with 512 + 512 + 128 × 4 = 1,536 lanes; 8 DCI links.
    assert_eq!(c.links("nvlink4"), (4096, 18432));
    assert_eq!(c.links("infiniband-ndr"), (2304, 3072));
    assert_eq!(c.links("dci"), (8, 8));
    assert_eq!(c.directed, 2 * (4096 + 2304 + 8));
    // Every DCI link joins spine j of the two sites, 200 GB/s, 250 µs.
    let dci: Vec<_> = t.links.iter().filter(|l| l.tier == "dci").collect();
    assert_eq!(dci.len(), 16);
    for l in &dci {
        let (a, b) = (name(&t, l.src), name(&t, l.dst));
        assert_eq!(a[2..], b[2..], "spine j to spine j");
        assert!(a.starts_with("s0.spine") != b.starts_with("s0.spine"));
        assert_close(l.capacity_bps, 12.8e12 / 8.0 / 8.0, "1.6 Tb/s");
        assert_close(l.latency_s, 50.0 * 5e-6, "50 km of fibre");
    }
    // Across sites: gpu → nic → leaf → spine ⇒ spine → leaf → nic → gpu, 7
    // hops. The fractions on DCI links sum to 1: every path crosses exactly
    // one (at least one separates the sites). Latency: the 250 µs DCI link +
    // 4 IB links of 50 ns + 4 Quantum-2 of 150 ns (attachments 0 ns).
    assert_eq!(hops(&t, "s0.d0.gpu0", "s1.d5.gpu3"), 7);
    let r = route(&t, RoutingMode::Weighted, "s0.d0.gpu0", "s1.d5.gpu3");
    let on_dci: f64 = r
        .links
        .iter()
        .filter(|&&(l, _)| t.links[l.idx()].tier == "dci")
        .map(|&(_, f)| f)
        .sum();
    assert_close(on_dci, 1.0, "one DCI crossing per path");
    let used: Vec<_> = r
        .links
        .iter()
        .filter(|&&(l, _)| t.links[l.idx()].tier == "dci")
        .collect();
    // Spread evenly over the 8 spine pairs (every leaf reaches every spine).
    assert_eq!(used.len(), 8);
    assert!(r.latency_s >= 250e-6);
    assert_close(
        r.latency_s,
        250e-6 + 4.0 * 50.0 * NS + 4.0 * 150.0 * NS,
        "latency",
    );
    // Within a site no DCI link is used.
    let r = route(&t, RoutingMode::Weighted, "s1.d0.gpu0", "s1.d63.gpu7");
    assert!(r.links.iter().all(|&(l, _)| t.links[l.idx()].tier != "dci"));
    // Site to site: at most the DCI, 8 × 200 GB/s = 1.6 TB/s (12.8 Tb/s),
    // against 512 × 50 GB/s = 25.6 TB/s of NICs per site (16:1).
    let caps: Vec<f64> = t.links.iter().map(|l| l.capacity_bps).collect();
    let flow = max_flow_between(&t, &caps, &t.accelerators[..512], &t.accelerators[512..]);
    assert_close(flow, 1.6e12, "site-to-site max flow");
    assert_close(flow * 16.0, 512.0 * 50.0 * G, "16:1 taper");
}
