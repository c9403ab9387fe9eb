//! NCCL's protocols (LL, LL128, Simple): closed forms of a ring on ideal
//! fabrics, derived by hand from NCCL 2.20.3's tables (`tuning.cc`), the
//! protocols `auto` may pick, and the command line's `--proto`.

use crate::common::knobs;
use fabricsim::collective::algorithms::schedule;
use fabricsim::collective::release::NcclVersion;
use fabricsim::collective::run::{Request, run};
use fabricsim::collective::{Algo, CollectiveError, CollectiveSim, Op, Params, Protocol};
use fabricsim::topology::Topology;

use crate::collective::collective_algos::rel;
use crate::common::{fabricsim as fabricsim_cli, stderr, stdout};

/// `n` GPUs, each joined to one switch by a `kind` link (tier `scale-up`)
/// of 100 GB/s per direction and zero latency (`raw_capacity` runs it at
/// that rate); the switch reduces in the network when `reduce`.
pub(crate) fn kind_star(n: usize, kind: &str, reduce: bool) -> Topology {
    crate::collective::collective_algos::star_of(n, kind, 100.0, reduce, Some("scale-up"))
}

fn star(n: usize, kind: &str) -> Topology {
    kind_star(n, kind, false)
}

fn raw(topo: &Topology) -> CollectiveSim<'_> {
    CollectiveSim::new(
        topo,
        Params {
            raw_capacity: true,
            ..Params::default()
        },
    )
}

const B: f64 = 100e9;

/// Ring all-reduce of S on n ranks of one NVLink star, one channel: 2(n−1)
/// steps, in each every rank sends S/n to the next over its own up- and
/// downlink, so a step takes α + (S/n)/(B·f), and the protocol adds its
/// base latency once:
/// `t = base + 2(n−1)·(α + S/(n·B·f))`.
/// NCCL 2.20.3 ring tables: base 6.6 µs (LL) and 14 µs (LL128); per-step
/// NVLink latency 0.6 / 1.9 / 3.4 µs for LL / LL128 / Simple, applied as
/// ratios to fabricsim's fitted NVLink Simple α of 11 µs; f = 1/4 (LL,
/// all-reduce) and 0.92 (LL128, 8 ranks per node).
#[test]
fn ring_all_reduce_matches_the_closed_form_per_protocol() {
    check_ring_all_reduce(
        Params::default(),
        &[
            (Protocol::Ll, 6.6e-6, 11e-6 * 0.6 / 3.4, 0.25),
            (Protocol::Ll128, 14e-6, 11e-6 * 1.9 / 3.4, 0.92),
        ],
    );
}

/// The closed form above on 8 ranks of an NVLink star at raw capacity, for
/// each `(protocol, base latency, per-step α, bandwidth share f)`, with
/// `params` otherwise.
fn check_ring_all_reduce(params: Params, cases: &[(Protocol, f64, f64, f64)]) {
    let n = 8;
    let topo = star(n, "nvlink4");
    let ranks = topo.accelerators.clone();
    let s = 64.0 * 1024.0 * 1024.0;
    let steps = 2.0 * (n - 1) as f64;
    for &(proto, base, alpha, f) in cases {
        let mut sim = CollectiveSim::new(
            &topo,
            Params {
                raw_capacity: true,
                ..params.clone()
            },
        );
        let req = Request::new(Op::AllReduce, s)
            .algo(Algo::Ring)
            .channels(1)
            .protocol(proto);
        let o = run(&mut sim, &ranks, &req).unwrap();
        let want = base + steps * (alpha + s / (n as f64 * B * f));
        assert!(
            rel(o.time_s, want) < 1e-9,
            "{proto}: {} s, want {want} s",
            o.time_s
        );
        assert_eq!(o.protocol, proto);
    }
}

/// LL's bandwidth share depends on the operation and the node count
/// (NCCL 2.20.3): 1/3 for an all-gather inside one node, 1/4 once the ring
/// leaves the node. Ring all-gather of S on n ranks: n−1 steps of S/n.
#[test]
fn ll_bandwidth_share_follows_the_operation_and_node_count() {
    let n = 4;
    let topo = star(n, "nvlink4");
    let ranks = topo.accelerators.clone();
    let s = 1e9;
    let mut sim = raw(&topo);
    let req = Request::new(Op::AllGather, s)
        .algo(Algo::Ring)
        .channels(1)
        .protocol(Protocol::Ll);
    let o = run(&mut sim, &ranks, &req).unwrap();
    let want = 6.6e-6 + 3.0 * (11e-6 * 0.6 / 3.4 + s / (4.0 * B / 3.0));
    assert!(rel(o.time_s, want) < 1e-9, "{} s, want {want} s", o.time_s);

    // One rank per node on two nodes: LL at 1/4 and LL128 at 0.7 (ppn < 2).
    let two = crate::collective::collective_algos::two_domains(1, 100.0, 100.0, false);
    let ranks = two.accelerators.clone();
    let sched = schedule(&two, Op::AllGather, Algo::Ring, &ranks, s, knobs(1, 4e6)).unwrap();
    assert_eq!(sched.step_count(), 1);
    for (proto, base, f) in [(Protocol::Ll, 6.6e-6, 0.25), (Protocol::Ll128, 14e-6, 0.7)] {
        let mut sim = raw(&two);
        let req = Request::new(Op::AllGather, s)
            .algo(Algo::Ring)
            .channels(1)
            .protocol(proto);
        let o = run(&mut sim, &ranks, &req).unwrap();
        // `custom` links carry no protocol α: one step of S/2 at B·f.
        let want = base + s / (2.0 * B * f);
        assert!(
            rel(o.time_s, want) < 1e-9,
            "{proto}: {} s, want {want} s",
            o.time_s
        );
    }
}

/// Under NCCL 2.28.3 the simulation runs LL and LL128 at that release's
/// ring refinements: LL at 1/2 of the bus bandwidth for every operation and
/// node count, LL128 at 0.92 also at one rank per node (2.28.3's
/// `tuning.cc`; 2.20.3 gives 1/4 or 1/3 and 0.7 there). The per-step and
/// base latencies are the same in both releases (ring `hwLat` NVLink
/// 0.6 / 1.9 / 3.4 µs, `baseLat` 6.6 / 14 µs), so the closed forms are
/// those of the tests above with the new fractions.
#[test]
fn nccl_2_28_runs_ll_and_ll128_at_its_own_bandwidth_shares() {
    let v228 = Params {
        nccl: Some(NcclVersion::V2_28_3),
        ..Params::default()
    };
    // 8-rank NVLink star, ring all-reduce: 2(n−1) steps of S/n at B·f.
    check_ring_all_reduce(
        v228.clone(),
        &[
            (Protocol::Ll, 6.6e-6, 11e-6 * 0.6 / 3.4, 0.5),
            (Protocol::Ll128, 14e-6, 11e-6 * 1.9 / 3.4, 0.92),
        ],
    );
    // One rank per node on two nodes, all-gather: one step of S/2 over
    // `custom` links (no protocol α), LL at 1/2 and LL128 at 0.92.
    let two = crate::collective::collective_algos::two_domains(1, 100.0, 100.0, false);
    let s = 1e9;
    let cases = [(Protocol::Ll, 6.6e-6, 0.5), (Protocol::Ll128, 14e-6, 0.92)];
    let want = cases.map(|(p, base, f)| (p, base + s / (2.0 * B * f)));
    let ring = |p| {
        Request::new(Op::AllGather, s)
            .algo(Algo::Ring)
            .channels(1)
            .protocol(p)
    };
    check_times(&two, &v228, ring, &want);
}

/// Trees run LL and LL128 at NCCL's tree refinements, not the ring's (both
/// releases' `tuning.cc`): LL at 1/3.8 of Simple, LL128 at 7/9 on one node.
/// On 2 ranks of one star with `custom` links (no per-step α) the tree
/// all-reduce is bandwidth only: each rank sends its half of S up and
/// receives the other half, over its own link, so Simple takes
/// `S / B` (the two-rank case of `tree_all_reduce_matches_closed_form`),
/// and a protocol `base + S / (B·f)`.
#[test]
fn trees_run_ll_and_ll128_at_the_tree_refinements() {
    let topo = star(2, "custom");
    let s = 64.0 * 1024.0 * 1024.0;
    let cases = [
        (Protocol::Simple, 0.0, 1.0),
        (Protocol::Ll, 6.6e-6, 1.0 / 3.8),
        (Protocol::Ll128, 14e-6, 7.0 / 9.0),
    ];
    let want = cases.map(|(p, base, f)| (p, base + s / (B * f)));
    let tree = |p| Request::new(Op::AllReduce, s).algo(Algo::Tree).protocol(p);
    check_times(&topo, &Params::default(), tree, &want);
}

/// Runs `req(p)` on all of `topo`'s accelerators at raw capacity (with
/// `params` otherwise) for each `(p, time)` of `want` and checks the time.
fn check_times(
    topo: &Topology,
    params: &Params,
    req: impl Fn(Protocol) -> Request,
    want: &[(Protocol, f64)],
) {
    for &(proto, t) in want {
        let mut sim = CollectiveSim::new(
            topo,
            Params {
                raw_capacity: true,
                ..params.clone()
            },
        );
        let o = run(&mut sim, &topo.accelerators, &req(proto)).unwrap();
        assert!(
            rel(o.time_s, t) < 1e-9,
            "{proto}: {} s, want {t} s",
            o.time_s
        );
    }
}

/// `auto` takes the fastest protocol: LL for a tiny message (its latency is
/// lowest), Simple for a large one (full bandwidth). On 8 ranks and 1 KiB,
/// LL costs 6.6 + 14·1.94 = 34 µs plus 1.75 KiB at 25 GB/s, LL128
/// 14 + 14·6.1 = 100 µs, Simple 14·11 = 154 µs.
#[test]
fn auto_picks_the_fastest_protocol() {
    let topo = star(8, "nvlink4");
    let ranks = topo.accelerators.clone();
    let mut sim = raw(&topo);
    let at = |sim: &mut CollectiveSim<'_>, s: f64| {
        run(
            sim,
            &ranks,
            &Request::new(Op::AllReduce, s).algo(Algo::Ring),
        )
        .unwrap()
    };
    assert_eq!(at(&mut sim, 1024.0).protocol, Protocol::Ll);
    assert_eq!(at(&mut sim, 4e9).protocol, Protocol::Simple);
}

/// NCCL enables LL128 by default only over NVLink; RCCL keeps it off on
/// xGMI. NVLS runs Simple only.
#[test]
fn default_protocols_follow_the_link_technology() {
    let nv = star(4, "nvlink4");
    let sim = raw(&nv);
    let ranks = nv.accelerators.clone();
    assert_eq!(
        fabricsim::collective::default_protocols(&sim, &ranks, Algo::Ring, Op::AllReduce, 1e6),
        [Protocol::Simple, Protocol::Ll128, Protocol::Ll]
    );
    assert_eq!(
        fabricsim::collective::default_protocols(&sim, &ranks, Algo::Nvls, Op::AllReduce, 1e6),
        [Protocol::Simple]
    );
    let amd = star(4, "xgmi3");
    let sim = raw(&amd);
    assert_eq!(
        fabricsim::collective::default_protocols(
            &sim,
            &amd.accelerators,
            Algo::Ring,
            Op::AllReduce,
            1e6
        ),
        [Protocol::Simple, Protocol::Ll]
    );
    // Point-to-point (all-to-all, send-recv): LL up to 16 KiB per peer
    // (NCCL_P2P_LL_THRESHOLD), Simple above, never LL128.
    let p2p = |op, size| {
        fabricsim::collective::default_protocols(&sim, &amd.accelerators, Algo::Direct, op, size)
    };
    assert_eq!(
        p2p(Op::AllToAll, 4.0 * 16384.0),
        [Protocol::Simple, Protocol::Ll]
    );
    assert_eq!(p2p(Op::AllToAll, 4.0 * 16385.0), [Protocol::Simple]);
    assert_eq!(p2p(Op::SendRecv, 16384.0), [Protocol::Simple, Protocol::Ll]);
}

#[test]
fn nvls_refuses_the_ll_protocols() {
    let topo = kind_star(4, "nvlink4", true);
    let mut sim = raw(&topo);
    let req = Request::new(Op::AllReduce, 1e6)
        .algo(Algo::Nvls)
        .protocol(Protocol::Ll);
    let e = run(&mut sim, &topo.accelerators, &req).unwrap_err();
    assert!(
        matches!(&e, CollectiveError::Unsupported { why, .. } if why.contains("Simple")),
        "{e}"
    );
}

#[test]
fn cli_proto_flag_names_the_protocol_and_rejects_typos() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "collective",
            "topologies/hgx-h100.toml",
            "--op",
            "all-reduce",
            "--size",
            "4KiB",
        ];
        args.extend_from_slice(extra);
        fabricsim_cli(&args)
    };
    let o = run(&["--algo", "ring", "--proto", "ll"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ring/LL "), "{}", stdout(&o));
    let o = run(&["--proto", "LL129"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("did you mean \"LL128\""),
        "{}",
        stderr(&o)
    );
}

/// The floor's premise: a pipeline slot whose transfers pay no latency is
/// the same max-min problem under every protocol with every size scaled by
/// the ratio of the bandwidth shares, so its time scales by that ratio
/// (up to rounding); a slot that pays latency takes at least its busiest
/// link's scaled bytes over capacity.
#[test]
fn hidden_latency_slots_scale_with_the_bandwidth_share() {
    use crate::collective::staged::{accelerators, shipped};
    use fabricsim::collective::StepLatency;
    let topo = shipped("h100-2tier-16node.toml");
    let ranks = accelerators(&topo, 128);
    let knobs = knobs(16, fabricsim::collective::run::DEFAULT_CHUNK_BYTES);
    let mut s = schedule(
        &topo,
        Op::AllReduce,
        Algo::Tree,
        &ranks,
        64.0 * 1048576.0,
        knobs,
    )
    .unwrap();
    s.set_protocol(Protocol::Simple, 1.0);
    let simple = CollectiveSim::new(&topo, Params::default())
        .run(&s)
        .unwrap();
    s.set_protocol(Protocol::Ll128, 0.8);
    let ll128 = CollectiveSim::new(&topo, Params::default())
        .run(&s)
        .unwrap();
    let mut hidden = 0;
    for ((step, a), b) in s.steps.iter().zip(&simple.steps).zip(&ll128.steps) {
        if step.latency == StepLatency::Hidden {
            hidden += 1;
            assert!(
                rel(b.time_s, a.time_s / 0.8) < 1e-12,
                "{} {}",
                a.time_s,
                b.time_s
            );
        } else {
            assert!(b.time_s >= a.busiest * a.time_s / 0.8 * (1.0 - 1e-12));
        }
    }
    assert!(hidden > 0, "the pipeline has steady slots");
}
