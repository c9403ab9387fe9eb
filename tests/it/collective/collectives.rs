//! Collectives: closed forms on ideal fabrics, the repetition shortcut
//! against the fully expanded flow graph, contention, bytes moved, lower
//! bounds, and the `collective` command.

use crate::common::knobs;
use fabricsim::collective::algorithms::{direct, halving_doubling, ring, schedule};
use fabricsim::collective::run::{Request, run};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params, Protocol};
use fabricsim::topology::{NodeId, Topology};

use crate::collective::collective_algos::rel;

/// n GPUs on one non-blocking switch, every link `bw` GB/s per direction,
/// zero latency everywhere:
///
/// ```text
///   gpu0 ──┐
///   gpu1 ──┼── sw      (each gpu: bw up, bw down)
///   ...  ──┘
/// ```
fn star(n: usize, bw_gbps: f64) -> Topology {
    crate::collective::collective_algos::star(n, bw_gbps, false)
}

/// n GPUs in a bidirectional ring of links: gpu_i ↔ gpu_{i+1 mod n}. The
/// GPUs forward (`forwards = true`), as a torus's chips do, so every pair is
/// connected.
fn ring_of_links(n: usize, bw_gbps: f64) -> Topology {
    let mut toml =
        format!("[[nodes]]\nid = \"gpu[0..{n}]\"\nkind = \"accelerator\"\nforwards = true\n");
    for i in 0..n {
        toml += &format!(
            "[[links]]\nbetween = [\"gpu{i}\", \"gpu{}\"]\nkind = \"custom\"\nbandwidth = \"{bw_gbps} GB/s\"\nlatency = \"0 ns\"\n",
            (i + 1) % n
        );
    }
    Topology::parse(&toml, "ring.toml", &Default::default()).unwrap()
}

fn sim(topo: &Topology, alpha_s: f64) -> CollectiveSim<'_> {
    CollectiveSim::new(
        topo,
        Params {
            alpha_s: Some(alpha_s),
            raw_capacity: true,
            ..Params::default()
        },
    )
}

const ALPHA: f64 = 5e-6;

/// Ring all-reduce: t = 2(n−1)·α + 2(n−1)/n · S/B (docs/semantics.md).
#[test]
fn ring_all_reduce_matches_closed_form() {
    for (n, s) in [(2usize, 1e6), (4, 64e6), (8, 1.073741824e9), (5, 3e7)] {
        let b = 100e9;
        // (A "ring" of 2 GPUs would be two parallel links: star only.)
        let topos = if n > 2 {
            vec![star(n, 100.0), ring_of_links(n, 100.0)]
        } else {
            vec![star(n, 100.0)]
        };
        for topo in topos {
            let ranks = topo.accelerators.clone();
            let sched = ring(&topo, Op::AllReduce, &ranks, s, 1, 4e6);
            let t = sim(&topo, ALPHA).run(&sched).unwrap().time_s;
            let nf = n as f64;
            let want = 2.0 * (nf - 1.0) * ALPHA + 2.0 * (nf - 1.0) / nf * s / b;
            assert!(rel(t, want) < 1e-9, "n={n} S={s}: {t} vs {want}");
        }
    }
}

/// Ring all-gather and reduce-scatter: t = (n−1)·α + (n−1)/n · S/B.
#[test]
fn ring_all_gather_and_reduce_scatter_match_closed_form() {
    for n in [3usize, 8] {
        let topo = star(n, 50.0);
        let ranks = topo.accelerators.clone();
        for op in [Op::AllGather, Op::ReduceScatter] {
            let s = 256e6;
            let t = sim(&topo, ALPHA)
                .run(&ring(&topo, op, &ranks, s, 1, 4e6))
                .unwrap()
                .time_s;
            let nf = n as f64;
            let want = (nf - 1.0) * ALPHA + (nf - 1.0) / nf * s / 50e9;
            assert!(rel(t, want) < 1e-9, "{op} n={n}: {t} vs {want}");
        }
    }
}

/// Halving-doubling all-reduce on a non-blocking switch:
/// t = 2·log2(n)·α + 2(n−1)/n · S/B.
#[test]
fn halving_doubling_matches_closed_form() {
    for n in [2usize, 4, 8, 16] {
        let topo = star(n, 200.0);
        let ranks = topo.accelerators.clone();
        let s = 512e6;
        let sched = halving_doubling(Op::AllReduce, &ranks, s).unwrap();
        let t = sim(&topo, ALPHA).run(&sched).unwrap().time_s;
        let nf = n as f64;
        let want = 2.0 * nf.log2() * ALPHA + 2.0 * (nf - 1.0) / nf * s / 200e9;
        assert!(rel(t, want) < 1e-9, "n={n}: {t} vs {want}");
    }
}

/// Direct all-to-all on a non-blocking switch: t = α + (n−1)/n · S/B.
#[test]
fn direct_all_to_all_matches_closed_form() {
    for n in [2usize, 6, 16] {
        let topo = star(n, 25.0);
        let ranks = topo.accelerators.clone();
        let s = 1e8;
        let t = sim(&topo, ALPHA)
            .run(&direct(Op::AllToAll, &ranks, s))
            .unwrap()
            .time_s;
        let nf = n as f64;
        let want = ALPHA + (nf - 1.0) / nf * s / 25e9;
        assert!(rel(t, want) < 1e-9, "n={n}: {t} vs {want}");
    }
}

/// The repetition shortcut (one simulation per distinct step) equals the
/// whole schedule run as one flow graph with barrier dependencies, on
/// fabrics with contention and unequal links (the shipped 2-tier cluster,
/// 16 ranks over 2 nodes, and the HGX board).
#[test]
fn repetition_shortcut_equals_expanded_flow_graph() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cluster = fabricsim::topology::Topology::load(
        format!("{root}/topologies/h100-2tier-16node.toml"),
        &Default::default(),
    )
    .unwrap();
    let hgx = fabricsim::topology::Topology::load(
        format!("{root}/topologies/hgx-h100.toml"),
        &Default::default(),
    )
    .unwrap();
    for (topo, n) in [(&cluster, 16usize), (&hgx, 8)] {
        let ranks: Vec<NodeId> = topo.accelerators[..n].to_vec();
        for (op, algo) in [
            (Op::AllReduce, Algo::Ring),
            (Op::AllGather, Algo::Ring),
            (Op::Broadcast, Algo::Ring),
            (Op::AllReduce, Algo::HalvingDoubling),
            (Op::AllToAll, Algo::Direct),
        ] {
            let sched = schedule(topo, op, algo, &ranks, 8e6, knobs(2, 1e6)).unwrap();
            let mut s = CollectiveSim::new(
                topo,
                Params {
                    alpha_s: Some(2e-6),
                    ..Params::default()
                },
            );
            let short = s.run(&sched).unwrap().time_s;
            let full = s.run_expanded(&sched).unwrap();
            assert!(rel(short, full) < 1e-9, "{op} {algo}: {short} vs {full}");
        }
    }
}

/// Two communicators whose rings share one link: alone each takes t1; when
/// both run at once the shared link carries both flows, each gets half its
/// capacity (max-min), so the shared transfers take twice as long.
///
/// ```text
///   a0 ─┐            ┌─ b0      a0→a1 and b0→b1 both cross s0→s1
///       s0 ══════ s1            (the only path), 100 GB/s each link
///   b1 ─┘            └─ a1
/// ```
#[test]
fn contention_between_communicators_is_max_min() {
    let toml = r#"
[[nodes]]
id = ["a0", "a1", "b0", "b1"]
kind = "accelerator"
[[nodes]]
id = "s[0..2]"
kind = "switch"
[[links]]
between = [["a0", "b1"], "s0"]
kind = "custom"
bandwidth = "100 GB/s"
latency = "0 ns"
[[links]]
between = [["a1", "b0"], "s1"]
kind = "custom"
bandwidth = "100 GB/s"
latency = "0 ns"
[[links]]
between = ["s0", "s1"]
kind = "custom"
bandwidth = "100 GB/s"
latency = "0 ns"
"#;
    let topo = Topology::parse(toml, "shared.toml", &Default::default()).unwrap();
    let id = |n: &str| topo.node_id(n).unwrap();
    let a = vec![id("a0"), id("a1")];
    let b = vec![id("b0"), id("b1")];
    let s = 1e9;
    let alone = sim(&topo, 0.0)
        .run(&ring(&topo, Op::AllReduce, &a, s, 1, 4e6))
        .unwrap()
        .time_s;
    // Ring all-reduce of 2 ranks: 2 steps of S/2 each way; a0→a1 crosses s0→s1
    // and a1→a0 crosses s1→s0, each alone at 100 GB/s: 2 · (S/2)/B.
    assert!(rel(alone, 2.0 * (s / 2.0) / 100e9) < 1e-12);
    // Together: b0→b1 uses s1→s0 and b1→b0 uses s0→s1, sharing with a.
    let mut both = ring(&topo, Op::AllReduce, &a, s, 1, 4e6);
    let other = ring(&topo, Op::AllReduce, &b, s, 1, 4e6);
    for (x, y) in both.steps.iter_mut().zip(other.steps) {
        x.transfers.extend(y.transfers);
    }
    let together = sim(&topo, 0.0).run(&both).unwrap().time_s;
    assert!(
        rel(together, 2.0 * alone) < 1e-12,
        "{together} vs {}",
        2.0 * alone
    );
}

/// Every algorithm makes each rank send and receive the bytes its operation
/// requires: ring and halving-doubling all-reduce 2(n−1)/n·S; direct
/// all-to-all (n−1)/n·S; ring all-gather (n−1)/n·S.
#[test]
fn algorithms_move_the_required_bytes() {
    let topo = star(8, 100.0);
    let ranks = topo.accelerators.clone();
    let s = 8e6;
    let n = 8.0;
    let cases = [
        (
            ring(&topo, Op::AllReduce, &ranks, s, 3, 1e6),
            2.0 * (n - 1.0) / n * s,
        ),
        (
            halving_doubling(Op::AllReduce, &ranks, s).unwrap(),
            2.0 * (n - 1.0) / n * s,
        ),
        (direct(Op::AllReduce, &ranks, s), 2.0 * (n - 1.0) / n * s),
        (direct(Op::AllToAll, &ranks, s), (n - 1.0) / n * s),
        (
            ring(&topo, Op::AllGather, &ranks, s, 2, 1e6),
            (n - 1.0) / n * s,
        ),
    ];
    for (sched, want) in cases {
        for &r in &ranks {
            assert!(rel(sched.bytes_sent(r), want) < 1e-12);
            assert!(rel(sched.bytes_received(r), want) < 1e-12);
        }
    }
}

/// Runs every operation with each of `algos` (64 MB) and asserts no result
/// beats its lower bound; `Unsupported` is the only acceptable error.
pub(crate) fn assert_never_beats_bound(
    s: &mut CollectiveSim<'_>,
    ranks: &[NodeId],
    algos: &[Algo],
    chunk_bytes: f64,
) {
    let name = s.topology().name.clone();
    let protocols = [None, Some(Protocol::Ll), Some(Protocol::Ll128)];
    for op in Op::ALL {
        for (&algo, protocol) in algos.iter().flat_map(|a| protocols.map(|p| (a, p))) {
            let req = Request {
                op,
                algo,
                size: 64e6,
                channels: None,
                chunk_bytes,
                protocol,
            };
            match run(s, ranks, &req) {
                Ok(o) => assert!(
                    o.time_s >= o.bound_s * (1.0 - 1e-9),
                    "{op} {algo} on {name}: {} < bound {}",
                    o.time_s,
                    o.bound_s
                ),
                Err(e) => assert!(
                    matches!(
                        e,
                        fabricsim::collective::CollectiveError::Unsupported { .. }
                    ),
                    "{op} {algo} on {name}: {e}"
                ),
            }
        }
    }
}

/// No algorithm beats the injection lower bound, on the ideal star (where
/// ring reaches it exactly when α = 0) and on the shipped fabrics.
#[test]
fn simulated_times_never_beat_the_bound() {
    let root = env!("CARGO_MANIFEST_DIR");
    let topos = [
        star(8, 100.0),
        fabricsim::topology::Topology::load(
            format!("{root}/topologies/hgx-h100.toml"),
            &Default::default(),
        )
        .unwrap(),
        fabricsim::topology::Topology::load(
            format!("{root}/topologies/h100-2tier-16node.toml"),
            &Default::default(),
        )
        .unwrap(),
    ];
    for topo in &topos {
        let ranks: Vec<NodeId> = topo.accelerators.iter().copied().take(16).collect();
        let mut s = CollectiveSim::new(topo, Params::default());
        assert_never_beats_bound(
            &mut s,
            &ranks,
            &[Algo::Ring, Algo::Direct, Algo::HalvingDoubling, Algo::Auto],
            4e6,
        );
    }
    // On the ideal star with α = 0, ring all-reduce is optimal: efficiency 1.
    let topo = star(8, 100.0);
    let mut s = CollectiveSim::new(
        &topo,
        Params {
            raw_capacity: true,
            ..Params::default()
        },
    );
    let req = Request {
        op: Op::AllReduce,
        algo: Algo::Ring,
        size: 1e9,
        channels: None,
        chunk_bytes: 4e6,
        protocol: None,
    };
    let o = run(&mut s, &topo.accelerators, &req).unwrap();
    assert!(rel(o.efficiency_vs_bound, 1.0) < 1e-9);
    // nccl-tests: busbw = S/t · 2(n−1)/n = B for an optimal all-reduce.
    assert!(rel(o.busbw_gbps, 100.0) < 1e-9);
}

use crate::common::fabricsim as fabricsim_cli;

#[test]
fn collective_json_has_the_contract_fields() {
    let o = fabricsim_cli(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB..4MiB",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["op"], "all-reduce");
    assert_eq!(v["ranks"], 8);
    let rows = v["results"].as_array().unwrap();
    // 1, 2, 4 MiB: the range doubles from begin to end.
    let bytes: Vec<f64> = rows.iter().map(|r| r["bytes"].as_f64().unwrap()).collect();
    assert_eq!(bytes, vec![1048576.0, 2097152.0, 4194304.0]);
    for r in rows {
        let t = r["time_s"].as_f64().unwrap();
        let algbw = r["algbw_gbps"].as_f64().unwrap();
        assert!(rel(algbw, r["bytes"].as_f64().unwrap() / t / 1e9) < 1e-12);
        assert!(rel(r["busbw_gbps"].as_f64().unwrap(), algbw * 2.0 * 7.0 / 8.0) < 1e-12);
        assert!(r["algorithm"].is_string());
        assert!(r["bottleneck"]["link"].is_string());
        assert!(r["bottleneck"]["kind"].is_string());
        assert!(r["bottleneck"]["utilization"].as_f64().unwrap() > 0.0);
    }
    // Deterministic: the same command prints the same bytes.
    let again = fabricsim_cli(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB..4MiB",
        "--json",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn collective_bad_input_is_a_clear_error() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--op", "all-reduse", "--size", "1GiB"],
            "did you mean \"all-reduce\"",
        ),
        (
            &["--op", "all-reduce", "--size", "1GiB", "--algo", "rign"],
            "did you mean \"ring\"",
        ),
        (&["--op", "all-reduce", "--size", "1 GB/s"], "--size"),
        (
            &["--op", "all-reduce", "--size", "1GiB", "--ranks", "0..99"],
            "--ranks",
        ),
        (
            &[
                "--op",
                "all-reduce",
                "--size",
                "1GiB",
                "--ranks",
                "6",
                "--algo",
                "halving-doubling",
            ],
            "power-of-two",
        ),
    ];
    for (args, phrase) in cases {
        let mut all = vec!["collective", "topologies/hgx-h100.toml"];
        all.extend_from_slice(args);
        let o = fabricsim_cli(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(phrase), "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    // NVLS needs a switch that reduces: NVSwitch gen2 (HGX A100) does not.
    let o = fabricsim_cli(&[
        "collective",
        "topologies/hgx-a100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1GiB",
        "--algo",
        "nvls",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("in_switch_reduction"), "{err}");
}

/// All-to-all across a thin cut: 4 GPUs on each of two switches (100 GB/s
/// links) joined by one 10 GB/s link. Half the ranks send n/2 · S/n each to
/// the other half, n·S/4 = 2S bytes per direction through the 10 GB/s link:
/// the bisection bound t ≥ 2S / 10 GB/s is what direct all-to-all takes
/// (the NIC-side links need only (n−1)/n · S / 100 GB/s).
///
/// ```text
///   a0..a3 ── swa ══10 GB/s══ swb ── b0..b3
/// ```
#[test]
fn all_to_all_meets_the_bisection_bound_on_a_thin_cut() {
    let topo = crate::collective::collective_algos::two_domains(4, 100.0, 10.0, false);
    let mut s = CollectiveSim::new(
        &topo,
        Params {
            alpha_s: Some(0.0),
            raw_capacity: true,
            ..Params::default()
        },
    );
    let size = 1e9;
    let req = Request {
        op: Op::AllToAll,
        algo: Algo::Direct,
        size,
        channels: None,
        chunk_bytes: 4e6,
        protocol: None,
    };
    let o = run(&mut s, &topo.accelerators, &req).unwrap();
    let want = 2.0 * size / 10e9;
    assert!(rel(o.bound_s, want) < 1e-9, "bound {} vs {want}", o.bound_s);
    assert!(rel(o.time_s, want) < 1e-9, "time {} vs {want}", o.time_s);
}

/// Quadratic schedules are refused before they are built: a direct
/// all-to-all on 5,000 ranks needs 5,000 · 4,999 ≈ 25 M transfers, above the
/// 16 Mi limit; 4,096 ranks (16.8 M − 4,096 < 16 Mi) would be accepted.
#[test]
fn quadratic_schedules_are_refused_before_allocating() {
    use fabricsim::collective::CollectiveError;
    use fabricsim::collective::algorithms::MAX_SCHEDULE_TRANSFERS;
    let topo = star(2, 100.0);
    let ranks: Vec<NodeId> = (0..5000).map(NodeId).collect();
    match schedule(
        &topo,
        Op::AllToAll,
        Algo::Direct,
        &ranks,
        1e6,
        knobs(1, 1e6),
    ) {
        Err(CollectiveError::TooLarge {
            transfers, limit, ..
        }) => {
            assert_eq!(transfers, 5000 * 4999);
            assert_eq!(limit, MAX_SCHEDULE_TRANSFERS);
        }
        other => panic!("expected TooLarge, got {:?}", other.map(|s| s.steps.len())),
    }
    const { assert!(4096 * 4095 <= MAX_SCHEDULE_TRANSFERS) };
}
