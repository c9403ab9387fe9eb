//! `CollectiveSim::run` simulates a pipeline's shared stages once and skips
//! copies of a scale-up domain, of a rail and of a plane
//! (`collective/src/sim_staged.rs`): its report
//! (time, per-step times and tier utilization, per-link bytes, bottleneck)
//! must equal the general step-by-step run's bit for bit, on every kind of
//! schedule and protocol.

use crate::common::knobs;
use fabricsim::collective::algorithms::{default_channels, schedule};
use fabricsim::collective::run::DEFAULT_CHUNK_BYTES;
use fabricsim::collective::{Algo, CollectiveSim, Op, Params, Protocol, Schedule};
use fabricsim::topology::{NodeId, Topology};

pub(crate) fn shipped(name: &str) -> Topology {
    Topology::load(
        format!("{}/topologies/{name}", env!("CARGO_MANIFEST_DIR")),
        &Default::default(),
    )
    .unwrap()
}

/// The first `n` ranks of `topo` (its accelerators in rank order).
pub(crate) fn accelerators(topo: &Topology, n: usize) -> Vec<NodeId> {
    topo.accelerators[..n].to_vec()
}

/// The staged and the general run of `s` agree exactly.
fn same(topo: &Topology, s: &Schedule, what: &str) {
    let staged = CollectiveSim::new(topo, Params::default()).run(s).unwrap();
    let general = CollectiveSim::new(topo, Params::default())
        .run_general(s)
        .unwrap();
    assert_eq!(staged.time_s.to_bits(), general.time_s.to_bits(), "{what}");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&staged.link_bytes),
        bits(&general.link_bytes),
        "{what}"
    );
    assert_eq!(staged.steps.len(), general.steps.len(), "{what}");
    for (a, b) in staged.steps.iter().zip(&general.steps) {
        assert_eq!(a.time_s.to_bits(), b.time_s.to_bits(), "{what}");
        assert_eq!((a.repeat, a.transfers), (b.repeat, b.transfers), "{what}");
        for (x, y) in a.tier_busy.iter().zip(&b.tier_busy) {
            assert_eq!(x.tier, y.tier, "{what}");
            assert_eq!(x.mean.to_bits(), y.mean.to_bits(), "{what}: {x:?} {y:?}");
            assert_eq!(x.max.to_bits(), y.max.to_bits(), "{what}: {x:?} {y:?}");
        }
    }
    assert_eq!(staged, general, "{what}");
}

fn check(topo: &Topology, ranks: &[NodeId], op: Op, algo: Algo, size: f64) {
    let channels = default_channels(topo, ranks);
    let Ok(mut s) = schedule(
        topo,
        op,
        algo,
        ranks,
        size,
        knobs(channels, DEFAULT_CHUNK_BYTES),
    ) else {
        return; // not supported here
    };
    for (p, fraction) in [
        (Protocol::Simple, 1.0),
        (Protocol::Ll128, 0.9),
        (Protocol::Ll, 0.5),
    ] {
        s.set_protocol(p, fraction);
        same(
            topo,
            &s,
            &format!("{op} {algo} {p} {size} on {}", topo.name),
        );
    }
}

#[test]
fn staged_runs_equal_general_runs() {
    let algos = [
        Algo::Ring,
        Algo::Tree,
        Algo::NvlsTree,
        Algo::Hierarchical,
        Algo::HalvingDoubling,
        Algo::Nvls,
        Algo::Direct,
        Algo::Pat,
    ];
    for (name, n) in [
        ("h100-2tier-16node.toml", 128),
        ("h100-2tier-16node.toml", 40),
        ("gb200-nvl72.toml", 72),
        ("mi300x-8.toml", 8),
        ("h100-rail-only.toml", 64),
        ("hgx-h100.toml", 8),
        ("rails-sharing-cores", 128),
        ("rails-sharing-cores", 54),
    ] {
        let topo = match name {
            // Rails whose switches share only the cores: copies of rail 0
            // found before routing (`collective/src/rails.rs`); 54 ranks
            // are 13 domains of 4 and half of a fourteenth.
            "rails-sharing-cores" => Topology::load(
                format!(
                    "{}/tests/it/data/rails-sharing-cores.toml",
                    env!("CARGO_MANIFEST_DIR")
                ),
                &Default::default(),
            )
            .unwrap(),
            _ => shipped(name),
        };
        let ranks = accelerators(&topo, n);
        for algo in algos {
            for (op, size) in [(Op::AllReduce, 64.0 * 1048576.0), (Op::AllGather, 4096.0)] {
                check(&topo, &ranks, op, algo, size);
            }
        }
        check(&topo, &ranks, Op::AllToAll, Algo::Direct, 1048576.0);
        check(&topo, &ranks, Op::Broadcast, Algo::Ring, 1048576.0);
    }
}

/// A pipeline whose steps were edited after it was built: the edited steps
/// hold copies of their transfers and must not be run from the shared
/// stages, which the other steps still window.
#[test]
fn edited_pipelines_are_not_run_from_stale_stages() {
    let topo = shipped("h100-2tier-16node.toml");
    let ranks = accelerators(&topo, 128);
    let mut s = schedule(
        &topo,
        Op::AllReduce,
        Algo::Tree,
        &ranks,
        1e8,
        knobs(16, 1e6),
    )
    .unwrap();
    let k = s.steps.len() / 2;
    s.steps[k].transfers.make_mut()[0].bytes *= 3.0;
    let t0 = s.steps[k].transfers[0];
    s.steps[k + 1].transfers.make_mut().push(t0);
    same(&topo, &s, "edited tree");
}

/// One pair's route is kept once per run and shared by the pair's flows
/// (`sim_staged.rs`, item 1): a pair sending twice in one step with
/// different bytes, again in a later step with another protocol and
/// bandwidth share, and in reverse, gives the general run's report bit for
/// bit (each flow keeps its own bytes, α and wire bytes).
#[test]
fn flows_of_one_pair_share_a_route_but_not_their_bytes() {
    use fabricsim::collective::{StepLatency, Transfer};
    let topo = shipped("h100-2tier-16node.toml");
    let ranks = accelerators(&topo, 128);
    let (a, b, c) = (ranks[0], ranks[77], ranks[3]);
    let t = |src, dst, bytes| Transfer { src, dst, bytes };
    let mut s = Schedule::default();
    s.push_step(
        vec![t(a, b, 3e6), t(a, b, 5e6), t(c, b, 1e6)],
        1,
        StepLatency::EachTransfer,
    );
    s.push_step(vec![t(a, b, 7e6), t(b, a, 2e6)], 2, StepLatency::RingMean);
    s.set_protocol(Protocol::Simple, 1.0);
    s.steps[1].protocol = Protocol::Ll128;
    s.steps[1].bandwidth_fraction = 0.9;
    same(&topo, &s, "one pair, several flows");
}

/// Routes kept across runs (`CollectiveSim::keep_routes`, as `run` keeps
/// them across one request's protocols) give every run the report a fresh
/// simulator gives it, bit for bit: the same schedule under each protocol,
/// then another algorithm's schedule whose pairs are partly new.
#[test]
fn kept_routes_change_no_report() {
    let topo = shipped("h100-2tier-16node.toml");
    let ranks = accelerators(&topo, 128);
    let size = 64.0 * 1048576.0;
    let mut kept = CollectiveSim::new(&topo, Params::default());
    kept.keep_routes(true);
    for algo in [Algo::HalvingDoubling, Algo::Tree] {
        let knobs = knobs(default_channels(&topo, &ranks), DEFAULT_CHUNK_BYTES);
        let base = schedule(&topo, Op::AllReduce, algo, &ranks, size, knobs).unwrap();
        for (p, f) in [
            (Protocol::Simple, 1.0),
            (Protocol::Ll128, 0.92),
            (Protocol::Ll, 0.25),
        ] {
            let mut s = base.clone();
            s.set_protocol(p, f);
            let a = kept.run(&s).unwrap();
            let b = CollectiveSim::new(&topo, Params::default())
                .run(&s)
                .unwrap();
            let what = format!("{algo:?} {p}");
            assert_eq!(a.time_s.to_bits(), b.time_s.to_bits(), "{what}");
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.link_bytes), bits(&b.link_bytes), "{what}");
        }
    }
}

/// A pipeline with empty stages (a phase with nothing to send, e.g. no
/// transfers between domains): its windows hold the empty stages, and
/// the slots that hold nothing but them are left out; the staged run still
/// equals the general one.
#[test]
fn pipelines_with_empty_stages_equal_general_runs() {
    use fabricsim::collective::Transfer;
    use fabricsim::collective::tree::pipeline_stages;
    let topo = shipped("h100-2tier-16node.toml");
    let ranks = accelerators(&topo, 32);
    let hop = |k: usize| -> Vec<Transfer> {
        (0..16)
            .map(|i| Transfer {
                src: ranks[i],
                dst: ranks[(i + 8 * k + 1) % 32],
                bytes: 3e5 + k as f64,
            })
            .collect()
    };
    let stages = vec![hop(0), Vec::new(), Vec::new(), hop(1), Vec::new(), hop(2)];
    let mut s = pipeline_stages(stages, 4);
    s.set_protocol(Protocol::Simple, 1.0);
    // 6 stages, 4 chunks: 9 slots, windows (0,0) (0,1) (0,2) (0,3) (1,4)
    // (2,5) (3,5) (4,5) (5,5); each holds stage 0, 3 or 5, so all are kept.
    assert_eq!(s.steps.len(), 9);
    same(&topo, &s, "empty middle stages");
    let mut s = pipeline_stages(vec![Vec::new(), hop(0), Vec::new()], 2);
    s.set_protocol(Protocol::Simple, 1.0);
    // Slots (0,0) and (2,2) hold only empty stages and are left out.
    assert_eq!(s.steps.len(), 2);
    same(&topo, &s, "empty first and last stages");
}

/// With one NVLink lane failed, one scale-up domain is no longer a copy of
/// the others (its links' capacities differ, so neither `symmetry.rs` nor
/// `planes.rs` may treat it as one): staged runs still equal general runs,
/// for a tree, a ring and halving-doubling.
#[test]
fn staged_runs_on_a_degraded_fabric_equal_general_runs() {
    use fabricsim::topology::{FailureSpec, LoadOptions};
    let flags: Vec<FailureSpec> = ["random:1:7:scale-up".parse().unwrap()].into();
    let topo = Topology::load(
        format!(
            "{}/topologies/h100-2tier-16node.toml",
            env!("CARGO_MANIFEST_DIR")
        ),
        &LoadOptions::default().with_failures(flags),
    )
    .unwrap();
    assert_eq!(topo.failures.lanes, 1);
    let ranks = accelerators(&topo, 128);
    for algo in [Algo::Tree, Algo::Ring, Algo::HalvingDoubling] {
        check(&topo, &ranks, Op::AllReduce, algo, 64.0 * 1048576.0);
    }
}
