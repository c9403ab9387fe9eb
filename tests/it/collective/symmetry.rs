//! Groups confined to identical scale-up domains are simulated one domain
//! per kind (`collective::symmetry`): the outcome and the per-link bytes
//! must equal one simulation of every group's transfers merged, which runs
//! through `CollectiveSim::run` (no reduction there).

use crate::common::knobs;
use fabricsim::collective::algorithms::{default_channels, schedule};
use fabricsim::collective::run::{DEFAULT_CHUNK_BYTES, Request, run_groups_with_report};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params, Schedule};
use fabricsim::topology::{NodeId, Topology};

fn shipped(name: &str) -> Topology {
    Topology::load(
        format!("{}/topologies/{name}", env!("CARGO_MANIFEST_DIR")),
        &Default::default(),
    )
    .unwrap()
}

/// `groups` on `topo` reduced (via `run_groups_with_report`) and in full;
/// `reps`: how many groups the reduction keeps (`None`: not reduced).
fn check(
    topo: &Topology,
    groups: &[Vec<NodeId>],
    reps: Option<usize>,
    op: Op,
    algo: Algo,
    size: f64,
) {
    let req = Request {
        op,
        algo,
        size,
        channels: None,
        chunk_bytes: DEFAULT_CHUNK_BYTES,
        // The full simulation below builds Simple schedules.
        protocol: Some(fabricsim::collective::Protocol::Simple),
    };
    let mut sim = CollectiveSim::new(topo, Params::default());
    let kept = sim
        .reduce_groups(groups)
        .filter(|r| !r.is_trivial())
        .map(|r| r.groups.len());
    assert_eq!(kept, reps);
    let (o, report) = run_groups_with_report(&mut sim, groups, &req).unwrap();
    let channels = default_channels(topo, &groups[0]);
    let parts = groups
        .iter()
        .map(|g| {
            schedule(
                topo,
                op,
                o.algorithm,
                g,
                size,
                fabricsim::collective::algorithms::Knobs {
                    collnet: sim.collnet(),
                    ..knobs(channels, DEFAULT_CHUNK_BYTES)
                },
            )
            .unwrap()
        })
        .collect();
    let full = CollectiveSim::new(topo, Params::default())
        .run(&Schedule::merge(parts).unwrap())
        .unwrap();
    let what = format!("{} {op:?} {:?} on {}", groups.len(), o.algorithm, topo.name);
    assert_eq!(o.time_s, full.time_s, "{what}");
    assert_eq!(report.time_s, full.time_s, "{what}");
    assert_eq!(report.link_bytes, full.link_bytes, "{what}");
    assert_eq!(report.bottleneck, full.bottleneck, "{what}");
    for (a, b) in report.steps.iter().zip(&full.steps) {
        assert_eq!((a.time_s, a.transfers), (b.time_s, b.transfers), "{what}");
        for (x, y) in a.tier_busy.iter().zip(&b.tier_busy) {
            assert_eq!(x.tier, y.tier);
            assert!(
                (x.mean - y.mean).abs() <= 1e-12 * y.mean.max(1e-300),
                "{what}: {x:?} vs {y:?}"
            );
            assert_eq!(x.max, y.max, "{what}");
        }
    }
}

/// Consecutive accelerators in groups of `size`.
fn blocks(t: &Topology, size: usize) -> Vec<Vec<NodeId>> {
    t.accelerators.chunks(size).map(|c| c.to_vec()).collect()
}

#[test]
fn tp_groups_on_identical_domains_equal_the_full_simulation() {
    let t = shipped("h100-2tier-16node.toml"); // 16 HGX domains of 8 GPUs
    for algo in [Algo::Ring, Algo::Tree, Algo::Nvls, Algo::Auto] {
        check(&t, &blocks(&t, 8), Some(1), Op::AllReduce, algo, 64e6);
        check(&t, &blocks(&t, 4), Some(2), Op::AllReduce, algo, 64e6);
    }
    for op in [Op::AllGather, Op::ReduceScatter, Op::AllToAll] {
        check(&t, &blocks(&t, 8), Some(1), op, Algo::Auto, 16e6);
    }
    let nvl = shipped("gb300-nvl72-16rack.toml"); // 16 NVL72 racks
    check(
        &nvl,
        &blocks(&nvl, 8),
        Some(9),
        Op::AllReduce,
        Algo::Auto,
        256e6,
    );
}

/// Two kinds of domains: in even domains the groups are halves, in odd ones
/// interleaved; both kinds are simulated, each once.
#[test]
fn domains_with_different_groups_are_simulated_apart() {
    let t = shipped("h100-2tier-16node.toml");
    let mut groups = Vec::new();
    for (d, dom) in t.accelerators.chunks(8).enumerate() {
        if d % 2 == 0 {
            groups.push(dom[..4].to_vec());
            groups.push(dom[4..].to_vec());
        } else {
            groups.push(dom.iter().step_by(2).copied().collect());
            groups.push(dom.iter().skip(1).step_by(2).copied().collect());
        }
    }
    for algo in [Algo::Ring, Algo::Nvls] {
        check(&t, &groups, Some(4), Op::AllReduce, algo, 64e6);
    }
}

/// Pipelines of groups whose domain kinds have different multiplicities:
/// four torus rings of four chips, one group in an interleaved order (its
/// own kind, one copy), three in ring order (one kind, three copies). The
/// merged tree lists its transfers stage by stage, so each transfer's copy
/// count must follow that order (per-tier means compared in `check`).
#[test]
fn pipelines_of_unequal_domain_kinds_weigh_each_transfer_by_its_group() {
    let toml = r#"
name = "4 torus rings of 4"
accelerator = "h100-sxm"
routing = "spray"

[scale_up]
topology = "torus"
kind = "custom"
bandwidth = "400 Gb/s"
latency = "100 ns"
dims = [4]
domains = 4

[scale_out]
kind = "infiniband-ndr"
topology = "rail-optimized"
nics_per_accelerator = 1
nic_bandwidth = "400 Gb/s"
switch_kind = "quantum-2"
switch_radix = 64
tiers = 1
"#;
    let t = Topology::parse(toml, "torus.toml", &Default::default()).unwrap();
    let groups: Vec<Vec<NodeId>> = t
        .accelerators
        .chunks(4)
        .enumerate()
        .map(|(d, dom)| match d {
            0 => vec![dom[0], dom[2], dom[1], dom[3]],
            _ => dom.to_vec(),
        })
        .collect();
    for size in [4e6, 64e6] {
        check(&t, &groups, Some(2), Op::AllReduce, Algo::Tree, size);
    }
}

/// Groups that leave part of each domain idle, on 2 to 16 domains: the
/// ring's mean α over many copies must round exactly as over one.
#[test]
fn partial_domains_round_like_the_full_simulation() {
    let t = shipped("h100-2tier-16node.toml");
    for size in [3, 5, 6, 7] {
        for domains in [2, 7, 16] {
            let groups: Vec<Vec<NodeId>> = t
                .accelerators
                .chunks(8)
                .take(domains)
                .map(|d| d[..size].to_vec())
                .collect();
            check(&t, &groups, Some(1), Op::AllReduce, Algo::Ring, 64e6);
        }
    }
}

/// Groups spanning domains (DP-like) are not reduced and still agree.
#[test]
fn groups_across_domains_are_simulated_in_full() {
    let t = shipped("h100-2tier-16node.toml");
    let groups: Vec<Vec<NodeId>> = (0..8)
        .map(|i| t.accelerators.iter().skip(i).step_by(8).copied().collect())
        .collect();
    check(&t, &groups, None, Op::AllReduce, Algo::Ring, 64e6);
}
