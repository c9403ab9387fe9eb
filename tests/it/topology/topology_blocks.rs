//! Parametric building blocks: full-mesh and torus scale-up, k-ary fat-trees
//! of 1 to 4 tiers, rail-only, multi-plane, dragonfly, sites joined by DCI
//! links, and the presets they use.
//!
//! Every expected count, hop distance and bandwidth is derived by hand or in
//! closed form in the comment above its assertion (from the formulas in
//! docs/topology-format.md and `src/topology/{clos,blocks}.rs`), never copied
//! from the program's output. One negative test per new validation rule
//! (`rule_*`); the bad files of `tests/it/invalid/` cover them too.

use std::time::Instant;

use fabricsim::info::Info;
use fabricsim::routing::Router;
use fabricsim::topology::RoutingMode;
use fabricsim::topology::max_flow_between;
use fabricsim::topology::presets::{self, link_kind, switch_kind};
use fabricsim::topology::{NodeId, NodeRole, Topology};

use crate::common::root;
use crate::topology::rules::{assert_close, errors, load, one_error};

const G: f64 = 1e9;

fn id(t: &Topology, name: &str) -> NodeId {
    t.node_id(name)
        .unwrap_or_else(|| panic!("no node named {name}"))
}

/// Full-duplex links whose tier is `tier`.
fn tier_links(t: &Topology, tier: &str) -> usize {
    t.links.iter().filter(|l| l.tier == tier).count() / 2
}

fn count(t: &Topology, role: NodeRole) -> usize {
    t.nodes.iter().filter(|n| n.role == role).count()
}

/// Distinct nodes joined to `n` by a link.
fn neighbours(t: &Topology, n: NodeId) -> Vec<NodeId> {
    let mut v: Vec<NodeId> = t
        .links
        .iter()
        .filter(|l| l.src == n)
        .map(|l| l.dst)
        .collect();
    v.sort();
    v.dedup();
    v
}

fn hops(t: &Topology, a: &str, b: &str) -> u32 {
    Router::new(t, RoutingMode::Spray, 0)
        .hops(id(t, a), id(t, b))
        .unwrap()
}

// ---------------------------------------------------------------- full mesh

const MESH: &str = "[scale_up]\ntopology = \"full-mesh\"\nkind = \"xgmi\"\naccelerators = 8\nlinks_per_peer = 2\ndomains = 2\n\
                    [scale_out]\nkind = \"ethernet-400g\"\nswitch_radix = 64\n";

#[test]
fn full_mesh_links_every_pair_once_without_forwarding() {
    let t = load(MESH);
    // 2 domains × 8 accelerators; N(N−1)/2 = 28 links per domain.
    assert_eq!(t.accelerators.len(), 16);
    assert_eq!(tier_links(&t, "scale-up"), 2 * 28);
    // No scale-up switch: the only switches are the Clos's. 8 rails of 2
    // NICs, d = 32 at 1:1: q = 16 rails per leaf → 1 leaf with 16 NICs and
    // u = 16 uplinks, one spine with c = 16 lanes.
    assert_eq!(count(&t, NodeRole::Switch), 2);
    // Every pair of a domain is one link of 2 lanes × 64 GB/s (xgmi = xgmi3).
    for l in t.links.iter().filter(|l| l.tier == "scale-up") {
        assert_eq!((l.count, l.kind.as_str()), (2, "xgmi"));
        assert_close(l.capacity_bps, 128.0 * G, "2 xGMI lanes");
    }
    let g = id(&t, "d1.gpu3");
    let peers: Vec<String> = neighbours(&t, g)
        .into_iter()
        .map(|n| t.nodes[n.idx()].name.clone())
        .filter(|n| n.starts_with("d1.gpu") && !n.contains(".nic"))
        .collect();
    // 7 peers (plus its own NIC).
    assert_eq!(peers.len(), 7, "{peers:?}");
    // The accelerators stay endpoints: within a domain every pair is one
    // hop; across domains gpu → nic → leaf → nic → gpu.
    assert!(t.accelerators.iter().all(|a| !t.nodes[a.idx()].forwards));
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu7"), 1);
    assert_eq!(hops(&t, "d0.gpu0", "d1.gpu5"), 4);
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 4);
    // Injection: 7 peers × 128 GB/s; xgmi keeps xgmi3's fitted efficiency
    // 315.91 / (7 × 64) (presets.rs).
    let inj = i.injection.iter().find(|x| x.tier == "scale-up").unwrap();
    assert_close(inj.min_bps, 7.0 * 128.0 * G, "mesh injection");
    assert_close(t.efficiency("xgmi"), 315.91 / 448.0, "xgmi efficiency");
}

// ---------------------------------------------------------------- torus

fn torus(dims: &str, extra: &str) -> String {
    format!("[scale_up]\ntopology = \"torus\"\nkind = \"ualink-200g-x4\"\ndims = {dims}\n{extra}")
}

#[test]
fn torus_3d_counts_neighbours_and_diameter() {
    let t = load(&torus("[4, 6, 8]", ""));
    // n = 4·6·8 = 192 chips; every dimension ≥ 3, so r·n = 3·192 = 576
    // links (1152 directed), 6 distinct neighbours each; 100 GB/s per x4 port.
    assert_eq!(t.accelerators.len(), 192);
    assert_eq!(t.links.len(), 2 * 576);
    assert_eq!(count(&t, NodeRole::Switch), 0);
    for &a in &t.accelerators {
        assert_eq!(neighbours(&t, a).len(), 6);
        assert!(t.nodes[a.idx()].forwards, "torus chips forward");
    }
    assert!(t.links.iter().all(|l| l.tier == "scale-up"));
    assert_close(t.links[0].capacity_bps, 100.0 * G, "x4 port");
    // Chip i = x0·48 + x1·8 + x2. (0,0,0) → (2,3,4) = 124: 2 + 3 + 4 hops,
    // the diameter Σ⌊d_i/2⌋ = 2 + 3 + 4 = 9. (3,5,7) = 191 is one wraparound
    // hop per dimension away: 3.
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu124"), 9);
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu191"), 3);
    let i = Info::of(&t);
    assert_eq!((i.diameter_hops, i.diameter_exact), (9, true));
    // Bisection: ranks 0..96 are x0 ∈ {0, 1}; the cut x0 = 1|2 and 3|0
    // crosses 2 × 6·8 = 96 links of 100 GB/s.
    assert_close(
        i.bisection_bps.unwrap(),
        96.0 * 100.0 * G,
        "torus bisection",
    );
}

#[test]
fn torus_spray_splits_by_dimension_and_pays_forwarding_latency() {
    let t = load(&torus("[4, 6, 8]", "forwarding_latency = \"100 ns\"\n"));
    let (src, dst) = (id(&t, "d0.gpu0"), id(&t, "d0.gpu124"));
    let r = Router::new(&t, RoutingMode::Spray, 0)
        .route(src, dst, 0)
        .unwrap();
    // 9 links of 50 ns (preset) and 8 transit chips of 100 ns.
    assert_close(r.latency_s, 9.0 * 50e-9 + 8.0 * 100e-9, "latency");
    // Shortest paths are the orderings of 2 + 3 + 4 steps, each distance
    // antipodal (d/2), so both directions of every dimension are shortest.
    // The share of paths whose first step is along dimension k is n_k/9,
    // split evenly between the two directions: 1/9 (x0 = ±1), 1/6 (x1 = ±1,
    // chips 8 and 40), 2/9 (x2 = ±1, chips 1 and 7).
    let first = |name: &str| {
        let n = id(&t, name);
        r.links
            .iter()
            .filter(|&&(l, _)| t.links[l.idx()].src == src && t.links[l.idx()].dst == n)
            .map(|&(_, f)| f)
            .sum::<f64>()
    };
    for (chip, share) in [
        ("d0.gpu48", 1.0 / 9.0),
        ("d0.gpu144", 1.0 / 9.0),
        ("d0.gpu8", 1.0 / 6.0),
        ("d0.gpu40", 1.0 / 6.0),
        ("d0.gpu1", 2.0 / 9.0),
        ("d0.gpu7", 2.0 / 9.0),
    ] {
        assert_close(first(chip), share, chip);
    }
}

#[test]
fn torus_small_dimensions_and_rings() {
    // A dimension of 2 has one neighbour: the 2×2×2 cube has 12 edges,
    // 3 neighbours per chip, diameter 1 + 1 + 1.
    let t = load(&torus("[2, 2, 2]", "links_per_neighbor = 3\n"));
    assert_eq!(t.links.len(), 2 * 12);
    assert!(t.links.iter().all(|l| l.count == 3));
    assert_eq!(Info::of(&t).diameter_hops, 3);
    // A 1D torus is a ring: gpu0 – gpu7 wraps around in one hop; diameter 4.
    let t = load(&torus("[8]", ""));
    assert_eq!(t.links.len(), 2 * 8);
    assert_eq!(hops(&t, "d0.gpu0", "d0.gpu7"), 1);
    assert_eq!(Info::of(&t).diameter_hops, 4);
}

#[test]
fn torus_of_4096_chips_builds_fast() {
    // tests/it/data/torus-16x16x16.toml: 16³ = 4096 chips, 3 · 4096 =
    // 12288 links, 50 GB/s each.
    let start = Instant::now();
    let t = Topology::load(
        root().join("tests/it/data/torus-16x16x16.toml"),
        &Default::default(),
    )
    .unwrap();
    let built = start.elapsed().as_secs_f64();
    assert_eq!(t.accelerators.len(), 4096);
    assert_eq!(t.links.len(), 2 * 12288);
    assert!(built < 2.0, "built in {built} s");
    let i = Info::of(&t);
    // Above 1024 accelerators the diameter is sampled; a torus is
    // vertex-transitive, so every sample sees 8 + 8 + 8 = 24.
    assert_eq!((i.diameter_hops, i.diameter_exact), (24, false));
    // Ranks 0..2048 are x0 < 8: the cuts x0 = 7|8 and 15|0 cross 2 × 256
    // links of 50 GB/s.
    assert_close(i.bisection_bps.unwrap(), 512.0 * 50.0 * G, "bisection");
}

// ---------------------------------------------------------------- k-ary fat-trees

fn fat_tree(hosts: u64, k: u64, tiers: u32) -> String {
    format!(
        "[[nodes]]\nid = \"h[0..{hosts}]\"\nkind = \"accelerator\"\n\
         [scale_out]\nkind = \"ethernet-400g\"\ntopology = \"fat-tree\"\nswitch_radix = {k}\ntiers = {tiers}\n"
    )
}

#[test]
fn k_ary_fat_trees_of_one_to_four_tiers() {
    // k = 4, 1:1: a t-tier fat tree holds 2·(k/2)^t hosts with
    // (2t − 1)·(k/2)^(t−1) switches; with one lane per link, every tier has as
    // many links as hosts; the longest path is host → nic → t switches up,
    // t − 1 down → nic → host = 2t + 2 hops; full bisection.
    let names = ["leaf", "spine", "core", "supercore"];
    for t_ in 1..=4u32 {
        let hosts = 2 * 2u64.pow(t_);
        let t = load(&fat_tree(hosts, 4, t_));
        let switches = (2 * t_ as usize - 1) * 2usize.pow(t_ - 1);
        assert_eq!(count(&t, NodeRole::Switch), switches, "tiers {t_}");
        for name in &names[..t_ as usize] {
            assert_eq!(
                tier_links(&t, name),
                hosts as usize,
                "{name} links, tiers {t_}"
            );
        }
        for name in &names[t_ as usize..] {
            assert_eq!(tier_links(&t, name), 0, "{name} links, tiers {t_}");
        }
        let i = Info::of(&t);
        assert_eq!(i.diameter_hops, 2 * t_ + 2, "tiers {t_}");
        assert_close(
            i.bisection_bps.unwrap(),
            hosts as f64 / 2.0 * 50.0 * G,
            "full bisection",
        );
    }
    // Top tier of 4 tiers: (k/2)^3 = 8 supercores.
    let t = load(&fat_tree(32, 4, 4));
    assert!(t.node_id("supercore7").is_some() && t.node_id("supercore8").is_none());
    // k = 8, 4 tiers: 2·4⁴ = 512 hosts, 7·4³ = 448 switches.
    let t = load(&fat_tree(512, 8, 4));
    assert_eq!(count(&t, NodeRole::Switch), 448);
}

// ---------------------------------------------------------------- rail-only

fn rail_only(extra: &str) -> String {
    format!(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\nlinks_per_switch = [5, 4, 4, 5]\ndomains = 16\n\
         [scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"rail-only\"\n{extra}"
    )
}

#[test]
fn rail_only_has_no_spine_and_relays_through_the_domain() {
    let t = load(&rail_only("switch_radix = 64\n"));
    // 8 rails of 16 NICs, each rail one 1-tier leaf: 16 × 4 NVSwitches + 8.
    assert_eq!(count(&t, NodeRole::Switch), 64 + 8);
    assert_eq!(tier_links(&t, "spine"), 0);
    assert_eq!(tier_links(&t, "leaf"), 128);
    // rail3.leaf0 holds exactly NIC 0 of GPU 3 of every domain.
    let leaf = id(&t, "rail3.leaf0");
    let nics: Vec<String> = neighbours(&t, leaf)
        .into_iter()
        .map(|n| t.nodes[n.idx()].name.clone())
        .collect();
    assert_eq!(nics.len(), 16);
    assert!(nics.iter().all(|n| n.ends_with(".gpu3.nic0")), "{nics:?}");
    // Same rail: gpu → nic → leaf → nic → gpu. Across rails the only way is
    // through a GPU of either domain (rails meet only in the scale-up
    // domain), so accelerators forward: 6 hops.
    assert!(t.accelerators.iter().all(|a| t.nodes[a.idx()].forwards));
    assert_eq!(hops(&t, "d0.gpu2", "d9.gpu2"), 4);
    assert_eq!(hops(&t, "d0.gpu0", "d1.gpu1"), 6);
    // Spray: 4 paths relay in d0.gpu1 (one per NVSwitch), 4 in d1.gpu0;
    // every link has the same latency class, so half the flow leaves by
    // d0.gpu0's NIC, and only those two GPUs relay.
    let (src, dst) = (id(&t, "d0.gpu0"), id(&t, "d1.gpu1"));
    let r = Router::new(&t, RoutingMode::Spray, 0)
        .route(src, dst, 0)
        .unwrap();
    let nic = id(&t, "d0.gpu0.nic0");
    let out_nic: f64 = r
        .links
        .iter()
        .filter(|&&(l, _)| t.links[l.idx()].src == src && t.links[l.idx()].dst == nic)
        .map(|&(_, f)| f)
        .sum();
    assert_close(out_nic, 0.5, "half through the source NIC");
    let mut relays: Vec<&str> = r
        .links
        .iter()
        .flat_map(|&(l, _)| [t.links[l.idx()].src, t.links[l.idx()].dst])
        .filter(|&n| n != src && n != dst && t.nodes[n.idx()].role == NodeRole::Accelerator)
        .map(|n| t.nodes[n.idx()].name.as_str())
        .collect();
    relays.sort_unstable();
    relays.dedup();
    assert_eq!(relays, ["d0.gpu1", "d1.gpu0"]);
    // Bisection: the first 8 domains' 64 NICs of 50 GB/s, each rail leaf
    // non-blocking.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        64.0 * 50.0 * G,
        "rail-only bisection",
    );
}

#[test]
fn rail_only_with_two_tiers_per_rail() {
    // k = 8, 1:1: d = 4; a rail of 16 NICs needs 4 leaves with u = 4; c =
    // largest divisor of 4 with 4c ≤ 8 = 2, so 2 spines per rail.
    let t = load(&rail_only("switch_radix = 8\ntiers = 2\n"));
    assert_eq!(count(&t, NodeRole::Switch), 64 + 8 * (4 + 2));
    assert!(t.node_id("rail7.spine1").is_some() && t.node_id("rail7.spine2").is_none());
    // Per rail 4 leaves × 2 spines, 2 lanes each.
    assert_eq!(tier_links(&t, "spine"), 8 * 8);
    assert!(
        t.links
            .iter()
            .filter(|l| l.tier == "spine")
            .all(|l| l.count == 2)
    );
    // No switch joins two rails.
    for l in t.links.iter().filter(|l| l.tier == "spine") {
        let (a, b) = (&t.nodes[l.src.idx()].name, &t.nodes[l.dst.idx()].name);
        assert_eq!(a.split('.').next(), b.split('.').next(), "{a} – {b}");
    }
}

// ---------------------------------------------------------------- multi-plane

const MULTI_PLANE: &str = "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = 16\n\
                           [scale_out]\nkind = \"ethernet-800g\"\nswitch_radix = 64\nplanes = 4\n";

#[test]
fn multi_plane_splits_each_nic_over_independent_planes() {
    let t = load(MULTI_PLANE);
    // Per plane: 8 rails × 16 NICs, d = 32 → q = 2, 4 leaves with u = 32;
    // c = largest divisor of 32 with 4c ≤ 64 = 16 → 2 spines. 4 planes ×
    // 6 + 16 × 4 NVSwitches.
    assert_eq!(count(&t, NodeRole::Switch), 4 * 6 + 64);
    assert!(t.node_id("p3.spine1").is_some() && t.node_id("leaf0").is_none());
    // Each 800 Gb/s NIC has 4 ports of 200 Gb/s = 25 GB/s, one per plane.
    let nic = id(&t, "d5.gpu2.nic0");
    let ports: Vec<_> = t
        .links
        .iter()
        .filter(|l| l.src == nic && l.tier == "leaf")
        .collect();
    assert_eq!(ports.len(), 4);
    let mut planes: Vec<&str> = ports
        .iter()
        .map(|l| t.nodes[l.dst.idx()].name.split('.').next().unwrap())
        .collect();
    planes.sort_unstable();
    assert_eq!(planes, ["p0", "p1", "p2", "p3"]);
    for l in &ports {
        assert_close(l.capacity_bps, 25.0 * G, "plane port");
    }
    // The attachment carries the whole NIC: 100 GB/s.
    let attach = t
        .links
        .iter()
        .find(|l| l.dst == nic && l.tier == "nic")
        .unwrap();
    assert_close(attach.capacity_bps, 100.0 * G, "attachment");
    // No link joins two planes.
    for l in t.links.iter().filter(|l| l.tier == "spine") {
        let (a, b) = (&t.nodes[l.src.idx()].name, &t.nodes[l.dst.idx()].name);
        assert_eq!(a[..2], b[..2], "{a} – {b}");
    }
    // 800G-class links: 128 attachments + 128 × 4 ports + 4 × (4 leaves ×
    // 2 spines).
    assert_eq!(
        Info::of(&t).links_by_kind.get("ethernet-800g"),
        Some(&(128 + 512 + 32))
    );
    let i = Info::of(&t);
    // Injection: the 4 ports add up to the NIC's 100 GB/s; the first 8
    // domains' 64 NICs bound the bisection.
    let inj = i.injection.iter().find(|x| x.tier == "leaf").unwrap();
    assert_close(inj.min_bps, 100.0 * G, "injection");
    assert_close(i.bisection_bps.unwrap(), 64.0 * 100.0 * G, "bisection");
    // Same rail, other domain: one leaf hop in each plane (rail 0 is on
    // leaf 0 of every plane); spray gives each plane 1/4, hash one plane.
    let (src, dst) = (id(&t, "d0.gpu0"), id(&t, "d1.gpu0"));
    let r = Router::new(&t, RoutingMode::Spray, 0)
        .route(src, dst, 0)
        .unwrap();
    let nic0 = id(&t, "d0.gpu0.nic0");
    for l in r
        .links
        .iter()
        .filter(|&&(l, _)| t.links[l.idx()].src == nic0)
    {
        assert_close(l.1, 0.25, "one plane");
    }
    let h = Router::new(&t, RoutingMode::Hash, 0)
        .route(src, dst, 0)
        .unwrap();
    assert_eq!(h.links.len(), 4);
}

#[test]
fn gb300_100k_two_plane_by_hand() {
    let t = Topology::load(
        root().join("topologies/gb300-nvl72-1400rack-2plane.toml"),
        &Default::default(),
    )
    .unwrap();
    // 1400 racks × 72 GPUs; per plane 72 rails × 1400 NIC ports at k = 128,
    // d = 64: 22 leaves per rail, 1584 leaves; pods of 64 leaves → 25 pods ×
    // 64 spines = 1600; c₂ = largest divisor of 64 with 25c ≤ 128 = 4 → 16
    // cores per spine plane × 64 = 1024. Two planes plus 1400 × 18 NVSwitches.
    assert_eq!(t.accelerators.len(), 100_800);
    assert_eq!(count(&t, NodeRole::Nic), 100_800);
    assert_eq!(
        count(&t, NodeRole::Switch),
        2 * (1584 + 1600 + 1024) + 1400 * 18
    );
    let kind = |k: &str| t.links.iter().filter(|l| l.kind == k).count() / 2;
    assert_eq!(kind("nvlink5"), 1400 * 72 * 18);
    // GPU–NIC + 2 ports per NIC + per plane 1584 × 64 leaf–spine and 25 ×
    // 64 × 16 spine–core bundles.
    assert_eq!(
        kind("ethernet-800g"),
        100_800 + 2 * 100_800 + 2 * (1584 * 64 + 25 * 64 * 16)
    );
    // Plane ports: 400 Gb/s = 50 GB/s; spine–core bundles 4 lanes.
    let port = t
        .links
        .iter()
        .find(|l| l.tier == "leaf")
        .map(|l| l.capacity_bps)
        .unwrap();
    assert_close(port, 50.0 * G, "plane port");
    assert!(
        t.links
            .iter()
            .filter(|l| l.tier == "core")
            .all(|l| l.count == 4)
    );
}

// ---------------------------------------------------------------- dragonfly

fn dragonfly(hosts: u64, extra: &str) -> String {
    format!(
        "[[nodes]]\nid = \"h[0..{hosts}]\"\nkind = \"accelerator\"\n\
         [scale_out]\nkind = \"ethernet-400g\"\ntopology = \"dragonfly\"\n\
         routers_per_group = 4\nterminals_per_router = 2\nglobal_links_per_router = 2\n{extra}"
    )
}

#[test]
fn dragonfly_balanced_kim_example() {
    // Kim et al. 2008's balanced a = 2p = 2h with p = 2: 72 terminals fill
    // g = 72/(4·2) = 9 = a·h + 1 groups; 36 routers of p + a − 1 + h = 7
    // ports; 9 · C(4, 2) = 54 local and C(9, 2) = 36 global links (one per
    // pair of groups).
    let t = load(&dragonfly(72, "switch_radix = 7\n"));
    assert_eq!(count(&t, NodeRole::Switch), 36);
    assert!(t.node_id("group8.router3").is_some() && t.node_id("group9.router0").is_none());
    assert_eq!(
        (
            tier_links(&t, "leaf"),
            tier_links(&t, "local"),
            tier_links(&t, "global")
        ),
        (72, 54, 36)
    );
    // Every router: 2 terminals, 3 local and 2 global neighbours.
    for n in (0..t.nodes.len()).filter(|&n| t.nodes[n].role == NodeRole::Switch) {
        let n = NodeId(n as u32);
        let of = |tier: &str| {
            t.links
                .iter()
                .filter(|l| l.src == n && l.tier == tier)
                .count()
        };
        assert_eq!((of("leaf"), of("local"), of("global")), (2, 3, 2));
    }
    // Terminal e = 5 → router ⌊5/2⌋ = 2 of group 0.
    let r2 = id(&t, "group0.router2");
    assert!(neighbours(&t, r2).contains(&id(&t, "h5.nic0")));
    // Same router: h → nic → r → nic → h; same group: one local hop more;
    // the diameter is local–global–local: 3 router hops + 4 = 7.
    assert_eq!(hops(&t, "h0", "h1"), 4);
    assert_eq!(hops(&t, "h0", "h2"), 5);
    assert_eq!(Info::of(&t).diameter_hops, 7);
}

#[test]
fn dragonfly_with_fewer_groups_doubles_global_links() {
    // g = 5 groups of a·p = 8 terminals hold 40 NICs; m = ⌊a·h/(g−1)⌋ =
    // ⌊8/4⌋ = 2 global links per pair, 2 · C(5, 2) = 20; still 2 per router.
    let t = load(&dragonfly(40, "groups = 5\n"));
    assert_eq!(tier_links(&t, "global"), 20);
    assert_eq!(count(&t, NodeRole::Switch), 20);
    assert_eq!(Info::of(&t).diameter_hops, 7);
}

// ---------------------------------------------------------------- sites and DCI

const SITES: &str = "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = 4\n\
                     [scale_out]\nkind = \"ethernet-400g\"\nswitch_radix = 16\n\
                     [dci]\nsites = 3\ndistance_km = 50\nbandwidth = \"1.6 Tb/s\"\n";

#[test]
fn sites_replicate_the_cluster_and_join_top_switches() {
    let t = load(SITES);
    // Per site: 4 domains × 8 GPUs; 8 rails of 4 NICs, k = 16, d = 8 → q = 2,
    // 4 leaves with u = 8, c = largest divisor of 8 with 4c ≤ 16 = 4 → 2
    // spines. 3 sites × (16 NVSwitches + 4 + 2).
    assert_eq!(t.accelerators.len(), 96);
    assert_eq!(count(&t, NodeRole::Switch), 3 * 22);
    assert_eq!(t.nodes[t.accelerators[95].idx()].name, "s2.d3.gpu7");
    // Spine j of each site joins spine j of every other: 3 pairs × 2. Each
    // carries 1.6 Tb/s / 2 = 100 GB/s with 50 km × 5 µs/km = 250 µs.
    assert_eq!(tier_links(&t, "dci"), 6);
    let s0 = id(&t, "s0.spine1");
    let dci: Vec<_> = t
        .links
        .iter()
        .filter(|l| l.src == s0 && l.tier == "dci")
        .collect();
    let mut far: Vec<&str> = dci
        .iter()
        .map(|l| t.nodes[l.dst.idx()].name.as_str())
        .collect();
    far.sort_unstable();
    assert_eq!(far, ["s1.spine1", "s2.spine1"]);
    for l in &dci {
        assert_close(l.capacity_bps, 100.0 * G, "dci link");
        assert_close(l.latency_s, 250e-6, "50 km");
        assert_eq!(l.kind, "dci");
    }
    // Across sites: gpu → nic → leaf → spine → spine → leaf → nic → gpu, 7
    // hops; 4 Ethernet links of 50 ns (attachments 0, generic switches 0 ns)
    // plus the DCI link.
    assert_eq!(hops(&t, "s0.d0.gpu0", "s1.d2.gpu3"), 7);
    let r = Router::new(&t, RoutingMode::Spray, 0)
        .route(id(&t, "s0.d0.gpu0"), id(&t, "s1.d2.gpu3"), 0)
        .unwrap();
    assert_close(r.latency_s, 250e-6 + 4.0 * 50e-9, "cross-site latency");
    // Max flow site 0 → site 1: the direct pair (200 GB/s) plus the relay
    // through site 2's spines (another 200 GB/s): (S − 1) × 200 GB/s.
    let caps: Vec<f64> = t.links.iter().map(|l| l.capacity_bps).collect();
    let flow = max_flow_between(&t, &caps, &t.accelerators[..32], &t.accelerators[32..64]);
    assert_close(flow, 2.0 * 200.0 * G, "site-to-site max flow");
    // Domains stay per site: no scale-up link leaves a site.
    for l in t.links.iter().filter(|l| l.tier == "scale-up") {
        let (a, b) = (&t.nodes[l.src.idx()].name, &t.nodes[l.dst.idx()].name);
        assert_eq!(a[..3], b[..3]);
    }
}

#[test]
fn dci_preset_defaults() {
    // Without bandwidth or distance: one 400 Gb/s = 50 GB/s lane per top
    // switch, 100 km × 5 µs/km = 0.5 ms (presets.rs, assumed).
    let src = SITES.replace("distance_km = 50\nbandwidth = \"1.6 Tb/s\"\n", "");
    let t = load(&src);
    let l = t.links.iter().find(|l| l.tier == "dci").unwrap();
    assert_close(l.capacity_bps, 50.0 * G, "dci lane");
    assert_close(l.latency_s, 0.5e-3, "dci latency");
    assert_eq!(l.count, 1);
    // An explicit latency replaces the distance.
    let t = load(&SITES.replace("distance_km = 50\n", "latency = \"2 ms\"\n"));
    let l = t.links.iter().find(|l| l.tier == "dci").unwrap();
    assert_close(l.latency_s, 2e-3, "dci latency override");
}

// ---------------------------------------------------------------- presets

#[test]
fn block_presets_match_the_reference_table() {
    // Ultra Ethernet 800G: 800 Gb/s = 100 GB/s, an Ethernet family kind.
    let ue = link_kind("ultra-ethernet-800g").unwrap();
    assert_close(ue.bandwidth_bps.unwrap(), 100.0 * G, "ue 800g");
    assert_eq!(ue.family, "ethernet");
    // UALink 200G: 200 Gb/s = 25 GB/s per lane; x1/x2/x4 ports; 93 %.
    for (name, lanes) in [
        ("ualink-200g-x1", 1.0),
        ("ualink-200g-x2", 2.0),
        ("ualink-200g-x4", 4.0),
    ] {
        let k = link_kind(name).unwrap();
        assert_close(k.bandwidth_bps.unwrap(), lanes * 25.0 * G, name);
        assert_eq!((k.family, k.efficiency), ("ualink", Some(0.80)));
    }
    // xgmi: MI300X's 64 GB/s per link.
    assert_close(
        link_kind("xgmi").unwrap().bandwidth_bps.unwrap(),
        64.0 * G,
        "xgmi",
    );
    // DCI: long-haul kind, latency from distance at 5 µs/km.
    let dci = link_kind("dci").unwrap();
    assert_eq!((dci.family, dci.default_tier), ("dci", "dci"));
    assert_close(presets::FIBRE_LATENCY_S_PER_KM, 5e-6, "fibre");
    // UALink switches: 25.6/51.2/102.4 Tb/s ÷ 400 Gb/s = 64/128/256 ports;
    // port-to-port targets 150/200/250 ns.
    for (name, ports, lat) in [
        ("ualink-switch-25t", 64, 150e-9),
        ("ualink-switch-50t", 128, 200e-9),
        ("ualink-switch-100t", 256, 250e-9),
    ] {
        let s = switch_kind(name).unwrap();
        assert_eq!(s.ports, Some(ports), "{name}");
        assert_close(s.latency_s, lat, name);
    }
    // The switches the blocks need exist: NVSwitch gen3/gen4 (NVLS),
    // Tomahawk 5/6/Ultra, Quantum-2 and Quantum-X800 (SHARP gen4, 144 ports).
    for name in [
        "nvswitch-gen3",
        "nvswitch-gen4",
        "tomahawk5",
        "tomahawk6",
        "tomahawk-ultra",
        "quantum-2",
        "quantum-x800",
    ] {
        assert!(switch_kind(name).is_some(), "{name}");
    }
    let x800 = switch_kind("quantum-x800").unwrap();
    assert_eq!((x800.ports, x800.in_switch_reduction), (Some(144), true));
}

// ---------------------------------------------------------------- rules (one negative test each)

#[test]
fn rule_2_key_of_another_topology() {
    one_error(
        "[scale_up]\ntopology = \"torus\"\nkind = \"nvlink4\"\ndims = [4, 4]\nswitches = 4\n",
        5,
        1,
        "\"switches\" does not apply to [scale_up] with topology = \"torus\"",
        "is a key of topology = \"switched\"",
    );
    one_error(
        &dragonfly(8, "tiers = 2\n"),
        10,
        1,
        "\"tiers\" does not apply to [scale_out] with topology = \"dragonfly\"",
        "routers_per_group",
    );
}

#[test]
fn rule_3_block_counts_in_range() {
    one_error(
        &MULTI_PLANE.replace("planes = 4", "planes = 0"),
        9,
        10,
        "\"planes\" must be an integer from 1 to 64, found 0",
        "",
    );
    one_error(
        &SITES.replace("sites = 3", "sites = 1"),
        10,
        9,
        "\"sites\" must be an integer from 2 to 1024, found 1",
        "",
    );
    one_error(
        &torus("\"4x4\"", ""),
        4,
        8,
        "\"dims\" must be an array of 1 to 3 integers, found string",
        "dims = [16, 16, 16]",
    );
}

#[test]
fn rule_5_unknown_topology_did_you_mean() {
    one_error(
        "[scale_up]\ntopology = \"ful-mesh\"\nkind = \"xgmi\"\naccelerators = 8\n",
        2,
        12,
        "unknown scale-up topology \"ful-mesh\"; did you mean \"full-mesh\"?",
        "\"switched\", \"full-mesh\", \"torus\"",
    );
    one_error(
        &dragonfly(8, "").replace("\"dragonfly\"", "\"dragonfy\""),
        6,
        12,
        "unknown scale-out topology \"dragonfy\"; did you mean \"dragonfly\"?",
        "\"rail-only\"",
    );
}

#[test]
fn rule_10_torus_dims() {
    // `dims = [16, 1, 16]`: the 1 is at column 13.
    one_error(
        &torus("[16, 1, 16]", ""),
        4,
        13,
        "a torus dimension of size 1 has no neighbours",
        "[16, 16]",
    );
    one_error(
        &torus("[2, 2, 2, 2]", ""),
        4,
        8,
        "\"dims\" must list 1 to 3 dimensions, found 4",
        "",
    );
    one_error(
        "[scale_up]\ntopology = \"torus\"\nkind = \"nvlink4\"\n",
        1,
        1,
        "missing key \"dims\" in [scale_up]",
        "[16, 16, 16]",
    );
}

#[test]
fn rule_10_one_tier_has_no_oversubscription_and_one_switch() {
    one_error(
        &format!("{}oversubscription = \"2:1\"\n", fat_tree(4, 8, 1)),
        9,
        20,
        "oversubscription 2:1 needs an uplink tier, but tiers = 1 has none",
        "tiers = 2",
    );
    // 9 hosts on 8-port switches need 2 leaves.
    one_error(
        &fat_tree(9, 8, 1),
        8,
        9,
        "a 1-tier Clos is a single switch of radix 8, but 2 leaves are needed",
        "tiers = 2",
    );
}

#[test]
fn rule_10_four_tiers_fit_the_radix() {
    // k = 4: 33 hosts → 17 leaves → 9 pods of 2 → 5 blocks of 2 pods (4
    // leaves each) > 4.
    one_error(
        &fat_tree(33, 4, 4),
        8,
        9,
        "a 4-tier Clos of radix 4 connects at most 4 pods of 4 leaves, but 5 pods are needed",
        "larger switch_radix",
    );
    // Three tiers suggest a fourth.
    one_error(
        &fat_tree(17, 4, 3),
        8,
        9,
        "a 3-tier Clos of radix 4 connects at most 4 pods",
        "tiers = 4",
    );
}

#[test]
fn rule_10_rail_only_needs_scale_up() {
    one_error(
        "[[nodes]]\nid = \"h[0..4]\"\nkind = \"accelerator\"\n[scale_out]\nkind = \"ethernet-400g\"\ntopology = \"rail-only\"\nswitch_radix = 8\n",
        6,
        12,
        "topology = \"rail-only\" needs a [scale_up] block",
        "rail-optimized",
    );
}

#[test]
fn rule_10_dragonfly_sizes() {
    // 73 NICs need ⌈73/8⌉ = 10 groups > a·h + 1 = 9; reported at
    // routers_per_group (line 7, column 21).
    one_error(
        &dragonfly(73, ""),
        7,
        21,
        "joins at most a·h + 1 = 9 groups, but 10 are needed",
        "global_links_per_router",
    );
    one_error(
        &dragonfly(72, "groups = 2\n"),
        10,
        10,
        "2 groups × 4 routers × 2 terminals = 16 terminals, fewer than the 72 NIC ports",
        "raise groups",
    );
    // p + a − 1 + h = 2 + 3 + 2 = 7 ports.
    one_error(
        &dragonfly(8, "switch_radix = 6\n"),
        7,
        21,
        "needs p + a − 1 + h = 7 ports, more than switch_radix 6",
        "larger switch_radix",
    );
    one_error(
        &dragonfly(8, "").replace("routers_per_group = 4\n", ""),
        4,
        1,
        "missing key \"routers_per_group\" in [scale_out]",
        "",
    );
}

#[test]
fn rule_10_dci_needs_the_cluster_and_one_latency() {
    one_error(
        "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\n[dci]\nsites = 2\n",
        5,
        1,
        "[dci] replicates the cluster of [scale_up] and [scale_out] per site",
        "add [scale_up] and [scale_out]",
    );
    one_error(
        &SITES.replace(
            "distance_km = 50\n",
            "distance_km = 50\nlatency = \"1 ms\"\n",
        ),
        12,
        11,
        "give either \"latency\" or \"distance_km\", not both",
        "5 µs/km",
    );
    one_error(
        &SITES.replace("distance_km = 50", "distance_km = -5"),
        11,
        15,
        "\"distance_km\" must be a positive, finite number of kilometres",
        "",
    );
    // A generic kind has no lane rate: the pair bandwidth must be given.
    one_error(
        &SITES.replace("bandwidth = \"1.6 Tb/s\"\n", "kind = \"ethernet\"\n"),
        12,
        8,
        "link kind \"ethernet\" has no preset bandwidth, and \"bandwidth\" (per site pair) is not given",
        "12.8 Tb/s",
    );
}

#[test]
fn rule_11_block_sizes_fail_fast() {
    let start = Instant::now();
    // 4096 × 4096 = 16,777,216 chips > 4 Mi nodes.
    one_error(
        &torus("[4096, 4096]", ""),
        1,
        1,
        "the topology would have 16777216 nodes, more than the limit of 4194304",
        "domains × accelerators = 1 × 16777216",
    );
    // 1024 sites × 64 NVL72 racks × (72 + 18) = 5,898,240 scale-up nodes
    // alone.
    let d = errors(
        "[scale_up]\nkind = \"nvlink5\"\naccelerators = 72\nswitches = 18\ndomains = 64\n\
         [scale_out]\nkind = \"ethernet-800g\"\nswitch_radix = 128\n[dci]\nsites = 1024\n",
    );
    assert_eq!(d.len(), 1, "{d}");
    assert!(
        d.items[0]
            .message
            .contains("more than the limit of 4194304"),
        "{d}"
    );
    assert!(
        d.items[0]
            .help
            .as_deref()
            .unwrap()
            .contains("1024 sites × domains × (accelerators + switches)"),
        "{d}"
    );
    assert!(start.elapsed().as_secs_f64() < 2.0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// No input panics: random edits of a file using the new blocks either
    /// load or give diagnostics.
    #[test]
    fn no_panics_on_mutated_block_files(pos in 0usize..400, cut in 0usize..8, insert in "[a-z0-9\\[\\]\\.\"=, \n:-]{0,6}") {
        let base = "[scale_up]\ntopology = \"torus\"\nkind = \"ualink-200g-x4\"\ndims = [2, 3]\ndomains = 2\n\
                    [scale_out]\nkind = \"ethernet-400g\"\ntopology = \"dragonfly\"\nplanes = 2\n\
                    routers_per_group = 2\nterminals_per_router = 2\nglobal_links_per_router = 2\n\
                    [dci]\nsites = 2\ndistance_km = 10\n";
        let mut chars: Vec<char> = base.chars().collect();
        let p = pos % (chars.len() + 1);
        let end = (p + cut).min(chars.len());
        chars.splice(p..end, insert.chars());
        let src: String = chars.into_iter().collect();
        match fabricsim::topology::Topology::parse(&src, "fuzz.toml", &Default::default()) {
            Ok(t) => proptest::prop_assert!(!t.accelerators.is_empty()),
            Err(d) => proptest::prop_assert!(!d.is_empty()),
        }
    }
}
