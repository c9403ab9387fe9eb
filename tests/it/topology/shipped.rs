//! The shipped topology files (`topologies/`): every file loads, and each
//! file's structure matches counts derived by hand from its header.
//!
//! Expected numbers are worked out in the comment above each assertion from
//! the figures in the file's header (sources in docs/sources.md)
//! and the Clos formulas of `src/topology/clos.rs` / docs/topology-format.md,
//! never copied from program output. The counts are taken from the raw
//! `Topology` (nodes and directed links), not from `fabricsim info`, so the
//! 32,768-GPU file is checked without running the bisection max-flow.

use std::collections::BTreeMap;

use crate::common::topology as load;
use fabricsim::info::Info;
use fabricsim::topology::{NodeRole, Topology};

const G: f64 = 1e9;

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

/// What a fabric is made of, counted from its nodes and directed links.
#[derive(Debug, Default)]
pub(crate) struct Census {
    pub(crate) accelerators: usize,
    pub(crate) nics: usize,
    /// Switches per switch kind (node `kind`).
    pub(crate) switches: BTreeMap<String, usize>,
    /// Full-duplex links and lanes per link kind (directed links / 2).
    pub(crate) links: BTreeMap<String, (usize, u64)>,
    pub(crate) directed: usize,
}

impl Census {
    pub(crate) fn of(t: &Topology) -> Census {
        let mut c = Census {
            directed: t.links.len(),
            ..Census::default()
        };
        for n in &t.nodes {
            match n.role {
                NodeRole::Accelerator => c.accelerators += 1,
                NodeRole::Nic => c.nics += 1,
                NodeRole::Switch => *c.switches.entry(n.kind.clone()).or_default() += 1,
                NodeRole::Host => {}
            }
        }
        for l in &t.links {
            let e = c.links.entry(l.kind.clone()).or_default();
            e.0 += 1;
            e.1 += u64::from(l.count);
        }
        for (links, lanes) in c.links.values_mut() {
            assert!(links.is_multiple_of(2) && lanes.is_multiple_of(2));
            *links /= 2;
            *lanes /= 2;
        }
        c
    }

    pub(crate) fn switches(&self) -> usize {
        self.switches.values().sum()
    }

    pub(crate) fn switches_of(&self, kind: &str) -> usize {
        self.switches.get(kind).copied().unwrap_or_default()
    }

    pub(crate) fn links(&self, kind: &str) -> (usize, u64) {
        self.links.get(kind).copied().unwrap_or_default()
    }
}

/// Lanes leaving each node, per link tier (`out[node][tier]`).
fn lanes_out(t: &Topology) -> Vec<BTreeMap<String, u64>> {
    let mut out = vec![BTreeMap::new(); t.nodes.len()];
    for l in &t.links {
        *out[l.src.idx()].entry(l.tier.to_string()).or_default() += u64::from(l.count);
    }
    out
}

/// Smallest and largest capacity [bytes/s] leaving one accelerator on links of
/// `tier`, over all accelerators. Tier `leaf` is the scale-out injection: the
/// links from the accelerator's NICs (joined to it by `nic` links) to leaves.
fn per_accelerator_bps(t: &Topology, tier: &str) -> (f64, f64) {
    let mut owner: Vec<usize> = (0..t.nodes.len()).collect();
    if tier == "leaf" {
        for l in t.links.iter().filter(|l| l.tier == "nic") {
            if t.nodes[l.src.idx()].role == NodeRole::Accelerator {
                owner[l.dst.idx()] = l.src.idx();
            }
        }
    }
    let mut sum = vec![0.0; t.nodes.len()];
    for l in t.links.iter().filter(|l| l.tier == tier) {
        sum[owner[l.src.idx()]] += l.capacity_bps;
    }
    t.accelerators
        .iter()
        .map(|a| sum[a.idx()])
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
}

/// Checks the injection bandwidth of every accelerator into `tier`.
#[track_caller]
fn assert_injection(t: &Topology, tier: &str, want_bps: f64) {
    let (lo, hi) = per_accelerator_bps(t, tier);
    assert_close(lo, want_bps, &format!("{tier} injection (min)"));
    assert_close(hi, want_bps, &format!("{tier} injection (max)"));
}

/// The scale-out switches named `prefix0, prefix1, …`.
fn named(t: &Topology, prefix: &str) -> Vec<usize> {
    (0..)
        .map(|i| t.node_id(&format!("{prefix}{i}")))
        .take_while(Option::is_some)
        .map(|id| id.unwrap().idx())
        .collect()
}

/// Whether the NIC of `gpu` is cabled to `leaf`.
fn nic_on_leaf(t: &Topology, gpu: &str, leaf: &str) -> bool {
    let nic = t.node_id(&format!("{gpu}.nic0")).unwrap();
    let leaf = t.node_id(leaf).unwrap();
    t.links
        .iter()
        .any(|l| l.src == nic && l.dst == leaf && l.tier == "leaf")
}

// ---------------------------------------------------------------- every file

/// Every file in topologies/ (present and future) loads without error, opens
/// with a header comment and cites the hardware reference.
#[test]
fn shipped_every_file_loads_and_cites_its_sources() {
    let files = crate::common::files("topologies", "toml");
    assert!(files.len() >= 16, "{} files", files.len());
    for f in files {
        let t = Topology::load(&f, &Default::default())
            .unwrap_or_else(|d| panic!("{}:\n{d}", f.display()));
        assert!(!t.accelerators.is_empty(), "{}", f.display());
        let text = std::fs::read_to_string(&f).unwrap();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with('#') || l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.starts_with('#'),
            "{} must open with a header comment",
            f.display()
        );
        assert!(
            header.contains("docs/sources.md"),
            "{}: the header must cite docs/sources.md",
            f.display()
        );
    }
}

// ---------------------------------------------------------------- single systems

/// HGX B300: 8 GPUs, 2 NVLink5 switch chips (ASSUMED: 8 × 18 = 144 GPU ports
/// over 72-port chips), 9 lanes from every GPU to each chip.
#[test]
fn shipped_hgx_b300_by_hand() {
    let t = load("hgx-b300.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics, c.switches()), (8, 0, 2));
    assert_eq!(c.switches.get("nvswitch-gen4"), Some(&2));
    // 8 × 2 GPU–switch links bundling 8 × 18 = 144 lanes; 32 directed.
    assert_eq!(c.links("nvlink5"), (16, 144));
    assert_eq!(c.directed, 32);
    // Each chip uses 8 × 9 = 72 ports, all of a 72-port chip.
    let out = lanes_out(&t);
    for s in ["d0.sw0", "d0.sw1"] {
        let id = t.node_id(s).unwrap();
        assert_eq!(out[id.idx()].get("scale-up"), Some(&72), "{s}");
        assert!(t.nodes[id.idx()].in_switch_reduction, "{s}: NVLS");
    }
    // Published: 18 links × 100 GB/s bidirectional = 1.8 TB/s per GPU, i.e.
    // 900 GB/s per direction = 2 chips × 9 lanes × 50 GB/s.
    assert_injection(&t, "scale-up", 900.0 * G);
    assert_close(t.efficiency("nvlink5"), 40.1 / 50.0, "nvlink5 efficiency");
}

/// GB200 NVL72: 72 GPUs, 18 switch chips, one NVLink5 link from every GPU to
/// every chip: 72 × 18 = 1,296 duplex links = 2,592 directed.
#[test]
fn shipped_gb200_nvl72_by_hand() {
    let t = load("gb200-nvl72.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics, c.switches()), (72, 0, 18));
    assert_eq!(c.switches.get("nvswitch-gen4"), Some(&18));
    assert_eq!(c.links("nvlink5"), (1296, 1296));
    assert_eq!(c.directed, 2592);
    // Every chip has 72 ports in use (one per GPU), as docs/sources.md derives.
    let out = lanes_out(&t);
    for s in 0..18 {
        let id = t.node_id(&format!("d0.sw{s}")).unwrap();
        assert_eq!(out[id.idx()].get("scale-up"), Some(&72));
        assert!(t.nodes[id.idx()].in_switch_reduction, "NVLS");
    }
    // Published: 1.8 TB/s bidirectional per GPU = 18 × 50 GB/s per direction.
    assert_injection(&t, "scale-up", 900.0 * G);
    // Published "130 TB/s" aggregate: 72 × 900 GB/s × 2 directions = 129.6 TB/s.
    let (per_gpu, _) = per_accelerator_bps(&t, "scale-up");
    let aggregate = 72.0 * per_gpu * 2.0;
    assert!(
        (aggregate / 130e12 - 1.0).abs() < 0.005,
        "aggregate {aggregate:e}"
    );
    // Every GPU pair is one chip apart.
    assert_eq!(Info::of(&t).diameter_hops, 2);
}

/// GB300 NVL72: the same NVLink fabric as GB200 NVL72 (docs/sources.md: same 9
/// switch trays, 130 TB/s).
#[test]
fn shipped_gb300_nvl72_has_the_gb200_nvlink_fabric() {
    let (a, b) = (load("gb200-nvl72.toml"), load("gb300-nvl72.toml"));
    let (ca, cb) = (Census::of(&a), Census::of(&b));
    assert_eq!((cb.accelerators, cb.nics, cb.switches()), (72, 0, 18));
    assert_eq!(cb.links("nvlink5"), (1296, 1296));
    assert_eq!(ca.switches, cb.switches);
    assert_eq!(ca.links, cb.links);
    assert_injection(&b, "scale-up", 900.0 * G);
    // Same wiring, link by link.
    let wiring = |t: &Topology| -> Vec<(String, String, u32, u64)> {
        t.links
            .iter()
            .map(|l| {
                (
                    t.nodes[l.src.idx()].name.clone(),
                    t.nodes[l.dst.idx()].name.clone(),
                    l.count,
                    l.capacity_bps as u64,
                )
            })
            .collect()
    };
    assert_eq!(wiring(&a), wiring(&b));
}

/// MI355X 8-GPU platform: a full mesh of 8 (8 · 7 / 2 = 28 links, 56
/// directed), no switch; 153.6 GB/s per link read as bidirectional, so
/// 76.8 GB/s per direction and 7 × 76.8 = 537.6 GB/s per GPU.
#[test]
fn shipped_mi355x_8_by_hand() {
    let t = load("mi355x-8.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics, c.switches()), (8, 0, 0));
    assert_eq!(c.links("xgmi"), (28, 28));
    assert_eq!(c.directed, 56);
    // Every ordered pair of distinct GPUs has exactly one link, and the two
    // directions of a pair add up to the published 153.6 GB/s.
    for i in 0..8 {
        for j in 0..8 {
            if i == j {
                continue;
            }
            let (a, b) = (
                t.node_id(&format!("gpu{i}")).unwrap(),
                t.node_id(&format!("gpu{j}")).unwrap(),
            );
            let one_way: Vec<f64> = t
                .links
                .iter()
                .filter(|l| l.src == a && l.dst == b)
                .map(|l| l.capacity_bps)
                .collect();
            assert_eq!(one_way.len(), 1, "gpu{i} → gpu{j}");
            assert_close(one_way[0] * 2.0, 153.6 * G, "bidirectional link");
        }
    }
    assert_injection(&t, "scale-up", 7.0 * 76.8 * G);
    // ASSUMED efficiency: the xgmi3 value fitted to MI300X (315.91 / 448).
    assert_close(t.efficiency("xgmi"), 0.705, "xgmi efficiency");
    let xgmi3 = fabricsim::topology::presets::XGMI3.efficiency.unwrap();
    assert!((t.efficiency("xgmi") - xgmi3).abs() < 1e-3, "as xgmi3");
    // Direct links: diameter 1; 4 × 4 pairs × 76.8 GB/s cross the half cut.
    let i = Info::of(&t);
    assert_eq!(i.diameter_hops, 1);
    assert_close(i.bisection_bps.unwrap(), 16.0 * 76.8 * G, "bisection");
}

/// Helios with native UALink: 72 GPUs, 18 switches (ASSUMED), one x4 port (4
/// lanes of 200G) from every GPU to every switch.
#[test]
fn shipped_helios_mi450_by_hand() {
    let t = load("helios-mi450.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics, c.switches()), (72, 0, 18));
    // 72 × 18 = 1,296 links of 4 lanes = 5,184 lanes (72 per GPU).
    assert_eq!(c.links("ualink-200g"), (1296, 5184));
    assert_eq!(c.directed, 2592);
    // Each switch: 72 ports × 4 lanes = 288 lanes = 57.6 Tb/s.
    let out = lanes_out(&t);
    for s in 0..18 {
        let id = t.node_id(&format!("d0.sw{s}")).unwrap();
        assert_eq!(out[id.idx()].get("scale-up"), Some(&288));
        let n = &t.nodes[id.idx()];
        assert_close(n.latency_s, 200e-9, "ASSUMED UALink switch latency");
        assert!(!n.in_switch_reduction);
    }
    // Published 3.6 TB/s per GPU, bidirectional → 1.8 TB/s per direction
    // = 18 switches × 4 lanes × 25 GB/s.
    assert_injection(&t, "scale-up", 1800.0 * G);
    let (per_gpu, _) = per_accelerator_bps(&t, "scale-up");
    assert_close(per_gpu * 2.0, 3.6e12, "3.6 TB/s per GPU");
    // Published "260 TB/s" aggregate: 72 × 3.6 = 259.2 TB/s.
    assert!((72.0 * per_gpu * 2.0 / 260e12 - 1.0).abs() < 0.005);
    // No achieved UALink figure is published: NVLink's achieved 20/25 is
    // assumed (the spec's 93% is a link-layer figure on another basis).
    assert_close(t.efficiency("ualink-200g"), 20.0 / 25.0, "UALink as NVLink");
}

/// Helios over Ethernet: the same rack and the same bandwidth as the UALink
/// file; only the switch (Tomahawk 6, 250 ns) and the link kind (800GbE,
/// efficiency ASSUMED as UALink's) differ.
#[test]
fn shipped_helios_uale_differs_only_in_switch_and_link_technology() {
    let (ua, eth) = (load("helios-mi450.toml"), load("helios-mi450-uale.toml"));
    let c = Census::of(&eth);
    assert_eq!((c.accelerators, c.nics), (72, 0));
    assert_eq!(c.switches.get("tomahawk6"), Some(&18));
    assert_eq!(c.switches(), 18);
    // 1,296 one-port links of 800G (100 GB/s) each.
    assert_eq!(c.links("ethernet-800g"), (1296, 1296));
    assert_eq!(c.directed, 2592);
    // Each Tomahawk 6 uses 72 of its 128 × 800G (512 × 200G SerDes) ports.
    let out = lanes_out(&eth);
    for s in 0..18 {
        let id = eth.node_id(&format!("d0.sw{s}")).unwrap();
        let ports = out[id.idx()]["scale-up"];
        assert_eq!(ports, 72);
        assert!(ports <= 512 / 4, "more 800G ports than 512 SerDes / 4");
        assert_close(eth.nodes[id.idx()].latency_s, 250e-9, "tomahawk6");
        assert!(!eth.nodes[id.idx()].in_switch_reduction);
    }
    assert_injection(&eth, "scale-up", 1800.0 * G);
    // Same GPU–switch capacities, pair by pair.
    let caps = |t: &Topology| -> Vec<(String, String, u64)> {
        t.links
            .iter()
            .map(|l| {
                (
                    t.nodes[l.src.idx()].name.clone(),
                    t.nodes[l.dst.idx()].name.clone(),
                    l.capacity_bps as u64,
                )
            })
            .collect()
    };
    assert_eq!(caps(&ua), caps(&eth));
    assert_close(
        eth.efficiency("ethernet-800g"),
        ua.efficiency("ualink-200g"),
        "ASSUMED UALoE = UALink",
    );
}

// ---------------------------------------------------------------- clusters

/// H100 SuperPOD: 128 servers × 8 GPUs, 8 rails of 128 NICs at 400G,
/// 64-port Quantum-2 at 1:1, 2 tiers (clos.rs): d = 32, L_g = ⌈128/32⌉ = 4,
/// e_g = 32, q = 1; L = 8 × 4 = 32 leaves, u = 32 uplinks; c = largest
/// divisor of 32 with 32·c ≤ 64 = 2, S = 32/2 = 16 spines.
#[test]
fn shipped_h100_superpod_by_hand() {
    let t = load("h100-superpod.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (1024, 1024));
    // 128 × 4 NVSwitches; 32 + 16 Quantum-2.
    assert_eq!(c.switches.get("nvswitch-gen3"), Some(&512));
    assert_eq!(c.switches.get("quantum-2"), Some(&48));
    let (leaves, spines) = (named(&t, "leaf"), named(&t, "spine"));
    assert_eq!((leaves.len(), spines.len()), (32, 16));
    assert!(named(&t, "core").is_empty());
    // nvlink4: 128 × 8 × 4 links bundling 128 × 8 × 18 lanes.
    assert_eq!(c.links("nvlink4"), (4096, 18432));
    // IB: 1,024 GPU–NIC + 1,024 NIC–leaf + 32 × 16 leaf–spine bundles of 2.
    assert_eq!(
        c.links("infiniband-ndr"),
        (1024 + 1024 + 512, 1024 + 1024 + 1024)
    );
    assert_eq!(c.directed, 2 * (4096 + 2560));
    // Every leaf: 32 NIC ports down, 32 lanes up; every spine: 32 × 2 = 64.
    let out = lanes_out(&t);
    for &l in &leaves {
        assert_eq!(out[l].get("leaf"), Some(&32));
        assert_eq!(out[l].get("spine"), Some(&32));
    }
    for &s in &spines {
        assert_eq!(out[s].get("spine"), Some(&64));
    }
    // SHARP on every leaf and spine (in_switch_reduction = true).
    assert!(
        leaves
            .iter()
            .chain(&spines)
            .all(|&n| t.nodes[n].in_switch_reduction)
    );
    // Rail i = GPU i of every server; server d is endpoint d of its rail, on
    // leaf ⌊i/q⌋·L_g + ⌊d/e_g⌋ = 4i + ⌊d/32⌋: d100.gpu5 → leaf 23.
    assert!(nic_on_leaf(&t, "d100.gpu5", "leaf23"));
    assert!(nic_on_leaf(&t, "d0.gpu0", "leaf0"));
    // 450 GB/s NVLink4 and one 400 Gb/s = 50 GB/s NIC per GPU.
    assert_injection(&t, "scale-up", 450.0 * G);
    assert_injection(&t, "leaf", 50.0 * G);
    // Non-blocking: the first 512 GPUs send 512 × 50 GB/s across the cut.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        512.0 * 50.0 * G,
        "bisection",
    );
}

/// The 2:1 variant of the SuperPOD: a leaf reserves g = ⌊64/3⌋ = 21 port
/// pairs, d = 42 down-ports; a 128-NIC rail gets L_g = ⌈128/42⌉ = 4 leaves of
/// e_g = 32; L = 32 leaves with u = ⌈32/2⌉ = 16 uplinks; c = 2 (32·2 ≤ 64),
/// S = 16/2 = 8 spines.
#[test]
fn shipped_h100_2to1_by_hand() {
    let t = load("h100-2to1-oversubscribed.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (1024, 1024));
    assert_eq!(c.switches.get("quantum-2"), Some(&(32 + 8)));
    let (leaves, spines) = (named(&t, "leaf"), named(&t, "spine"));
    assert_eq!((leaves.len(), spines.len()), (32, 8));
    // IB: 1,024 + 1,024 + 32 × 8 leaf–spine bundles of 2 lanes.
    assert_eq!(
        c.links("infiniband-ndr"),
        (1024 + 1024 + 256, 1024 + 1024 + 512)
    );
    // Down : up = 32 : 16 = 2 : 1 on every leaf.
    let out = lanes_out(&t);
    for &l in &leaves {
        assert_eq!(
            (out[l].get("leaf"), out[l].get("spine")),
            (Some(&32), Some(&16))
        );
    }
    // Half the SuperPOD's cut: 16 leaves hold the first 512 GPUs (servers
    // 0..63 of every rail), each with 16 × 50 GB/s up: 12.8 TB/s.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        16.0 * 16.0 * 50.0 * G,
        "bisection",
    );
    // Otherwise identical to the SuperPOD file.
    let s = Census::of(&load("h100-superpod.toml"));
    assert_eq!(c.links("nvlink4"), s.links("nvlink4"));
    assert_eq!(
        c.switches.get("nvswitch-gen3"),
        s.switches.get("nvswitch-gen3")
    );
}

/// 20 GB200 NVL72 racks over XDR: 72 rails of 20 NICs; a 144-port leaf at 1:1
/// has d = 72, so q = ⌊72/20⌋ = 3 rails per leaf, L = 72/3 = 24 leaves of
/// e = 60 NICs and u = 60 uplinks; c = largest divisor of 60 with 24·c ≤ 144
/// = 6, S = 60/6 = 10 spines.
#[test]
fn shipped_gb200_nvl72_20rack_ib_xdr_by_hand() {
    let t = load("gb200-nvl72-20rack-ib-xdr.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (1440, 1440));
    assert_eq!(c.switches.get("nvswitch-gen4"), Some(&(20 * 18)));
    assert_eq!(c.switches.get("quantum-x800"), Some(&(24 + 10)));
    let (leaves, spines) = (named(&t, "leaf"), named(&t, "spine"));
    assert_eq!((leaves.len(), spines.len()), (24, 10));
    assert_eq!(c.links("nvlink5"), (20 * 72 * 18, 20 * 72 * 18));
    // 1,440 + 1,440 + 24 × 10 bundles of 6 lanes.
    assert_eq!(
        c.links("infiniband-xdr"),
        (1440 + 1440 + 240, 1440 + 1440 + 1440)
    );
    let out = lanes_out(&t);
    for &l in &leaves {
        assert_eq!(
            (out[l].get("leaf"), out[l].get("spine")),
            (Some(&60), Some(&60))
        );
    }
    // Spines: 24 leaves × 6 lanes = all 144 ports.
    for &s in &spines {
        assert_eq!(out[s].get("spine"), Some(&144));
    }
    // SHARP gen4 (quantum-x800 default, set explicitly).
    assert!(
        leaves
            .iter()
            .chain(&spines)
            .all(|&n| t.nodes[n].in_switch_reduction)
    );
    // GPU i of every rack is rail i, on leaf ⌊i/3⌋: d7.gpu70 → leaf23.
    assert!(nic_on_leaf(&t, "d7.gpu70", "leaf23"));
    assert!(nic_on_leaf(&t, "d19.gpu2", "leaf0"));
    // NVLink5 900 GB/s and one 800 Gb/s = 100 GB/s NIC per GPU.
    assert_injection(&t, "scale-up", 900.0 * G);
    assert_injection(&t, "leaf", 100.0 * G);
    // The first 10 racks: 720 GPUs × 100 GB/s.
    assert_close(
        Info::of(&t).bisection_bps.unwrap(),
        720.0 * 100.0 * G,
        "bisection",
    );
}

/// 32,768 GPUs, 3 tiers of 64-port Quantum-2 at 1:1 (clos.rs): 8 rails of
/// E = 4,096; d = 32, L_g = 128, L = 1,024 leaves with u = 32; k_s = 32,
/// P = 32 leaves per pod, 32 pods; c₁ = 1, S_p = 32 spines per pod, 1,024
/// spines; v = 32, c₂ = largest divisor of 32 with 32·c₂ ≤ 64 = 2,
/// C = 16 cores per plane, 32 × 16 = 512 cores.
#[test]
fn shipped_h100_32k_3tier_by_hand() {
    let t = load("h100-32k-3tier.toml");
    let c = Census::of(&t);
    assert_eq!((c.accelerators, c.nics), (32_768, 32_768));
    assert_eq!(c.switches.get("nvswitch-gen3"), Some(&(4096 * 4)));
    assert_eq!(c.switches.get("quantum-2"), Some(&(1024 + 1024 + 512)));
    let (leaves, spines, cores) = (named(&t, "leaf"), named(&t, "spine"), named(&t, "core"));
    assert_eq!((leaves.len(), spines.len(), cores.len()), (1024, 1024, 512));
    assert_eq!(c.links("nvlink4"), (4096 * 32, 4096 * 8 * 18));
    // IB: 32,768 GPU–NIC + 32,768 NIC–leaf + 1,024 × 32 leaf–spine (1 lane)
    // + 512 cores × 32 pods spine–core (2 lanes).
    assert_eq!(
        c.links("infiniband-ndr"),
        (32_768 * 3 + 512 * 32, 32_768 * 3 + 512 * 32 * 2)
    );
    assert_eq!(c.directed, 2 * (131_072 + 114_688));
    // Non-blocking at every tier: leaf 32 down / 32 up, spine 32 down / 32
    // up, core 32 pods × 2 = 64 ports.
    let out = lanes_out(&t);
    for &l in &leaves {
        assert_eq!(
            (out[l].get("leaf"), out[l].get("spine")),
            (Some(&32), Some(&32))
        );
    }
    for &s in &spines {
        assert_eq!(
            (out[s].get("spine"), out[s].get("core")),
            (Some(&32), Some(&32))
        );
    }
    for &k in &cores {
        assert_eq!(out[k].get("core"), Some(&64));
    }
    // No SHARP (the header leaves it off).
    assert!(!t.nodes[leaves[0]].in_switch_reduction);
    // Rail i has leaves 128i .. 128i + 127; server d on leaf 128i + ⌊d/32⌋:
    // d4095.gpu7 → leaf 1023, d1000.gpu3 → leaf 384 + 31 = 415.
    assert!(nic_on_leaf(&t, "d4095.gpu7", "leaf1023"));
    assert!(nic_on_leaf(&t, "d1000.gpu3", "leaf415"));
    assert_injection(&t, "scale-up", 450.0 * G);
    assert_injection(&t, "leaf", 50.0 * G);
}
