//! Numerical guarantees on generated valid inputs: block
//! fabrics (switched domains with or without a rail-optimized Clos, full
//! meshes, tori) with random parameters, every collective and algorithm,
//! and small training jobs. For any valid input:
//! - times are finite and positive, and never below the lower bound
//!   (`collective::bound`);
//! - bytes are conserved: a ring or direct schedule moves exactly the op's
//!   per-rank volume (ring all-reduce 2(n−1)/n·S, all-gather and
//!   reduce-scatter (n−1)/n·S, direct all-to-all (n−1)/n·S, from
//!   docs/semantics.md), and every schedule's bytes sent equal bytes received;
//! - results are identical across runs and across thread counts (a rayon
//!   pool of 1 and of 2 threads, as `compare` runs topologies; and the
//!   binary under `RAYON_NUM_THREADS=1` and `=2`).
//!
//! `collective_props.rs` covers random switch trees; `flow_props.rs` the
//! flow engine (capacity, max-min optimality, byte integrals).

use crate::common::knobs;
use fabricsim::collective::algorithms::schedule;
use fabricsim::collective::run::{Outcome, Request, run};
use fabricsim::collective::{Algo, CollectiveError, CollectiveSim, Op, Params};
use fabricsim::topology::Topology;
use fabricsim::workload::iteration;
use proptest::prelude::*;
use rayon::prelude::*;

/// A generated fabric: (description, TOML).
fn fabric_strategy() -> impl Strategy<Value = (String, String)> {
    let switched = (
        prop::sample::select(vec![2u32, 4, 8]),
        prop::sample::select(vec![1u32, 2, 4]),
        1u32..=4,
        any::<bool>(),
        prop::sample::select(vec![8u32, 16, 32]),
    )
        .prop_map(|(a, k, d, clos, radix)| {
            let mut t = format!(
                "[scale_up]\nkind = \"nvlink4\"\naccelerators = {a}\nswitches = {k}\ndomains = {d}\n"
            );
            if d > 1 || clos {
                t += &format!(
                    "[scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"rail-optimized\"\n\
                     switch_radix = {radix}\ntiers = 2\n"
                );
            }
            (format!("switched {a}x{d}, {k} switches, radix {radix}"), t)
        });
    let mesh = (2u32..=8, 1u32..=3).prop_map(|(a, d)| {
        let mut t = format!(
            "[scale_up]\ntopology = \"full-mesh\"\nkind = \"xgmi3\"\naccelerators = {a}\ndomains = {d}\n"
        );
        if d > 1 {
            t += "[scale_out]\nkind = \"ethernet-400g\"\ntopology = \"fat-tree\"\nswitch_radix = 32\ntiers = 2\n";
        }
        (format!("full mesh {a}x{d}"), t)
    });
    let torus = (
        prop::collection::vec(2u32..=4, 1..=3),
        1u32..=400,
        0u32..=500,
    )
        .prop_map(|(dims, bw, lat)| {
            let d: Vec<String> = dims.iter().map(u32::to_string).collect();
            let t = format!(
                "[scale_up]\ntopology = \"torus\"\nkind = \"custom\"\nbandwidth = \"{bw} GB/s\"\n\
                 latency = \"{lat} ns\"\ndims = [{}]\n",
                d.join(", ")
            );
            (format!("torus {}", d.join("x")), t)
        });
    prop_oneof![switched, mesh, torus]
}

/// Runs `op` with `algo`; `None` when the fabric does not support it.
fn outcome(topo: &Topology, op: Op, algo: Algo, size: f64) -> Option<Outcome> {
    let mut sim = CollectiveSim::new(topo, Params::default());
    let req = Request {
        op,
        algo,
        size,
        channels: None,
        chunk_bytes: 1048576.0,
        protocol: None,
    };
    match run(&mut sim, &topo.accelerators, &req) {
        Ok(o) => Some(o),
        Err(CollectiveError::Unsupported { .. }) => None,
        Err(e) => panic!("{op} {algo}: {e}"),
    }
}

/// The exact per-rank volume of `op` under `algo` with one channel, where
/// the textbook form fixes it: (bytes sent, bytes received) per rank.
fn exact_volume(op: Op, algo: Algo, n: f64, size: f64) -> Option<f64> {
    let share = (n - 1.0) / n * size;
    match (op, algo) {
        (Op::AllReduce, Algo::Ring) => Some(2.0 * share),
        (Op::AllGather | Op::ReduceScatter, Algo::Ring) => Some(share),
        (Op::AllToAll, Algo::Direct) => Some(share),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn collectives_on_generated_fabrics(
        (what, toml) in fabric_strategy(),
        size in prop::sample::select(vec![1.0, 4096.0, 1048576.0, 3.0 * 1048576.0, 1073741824.0]),
    ) {
        let topo = Topology::parse(&toml, "gen.toml", &Default::default())
            .unwrap_or_else(|d| panic!("{what}: generated fabric is invalid:\n{d}\n{toml}"));
        let n = topo.accelerators.len();
        for op in Op::ALL {
            for algo in Algo::ALL {
                let Some(o) = outcome(&topo, op, algo, size) else { continue };
                prop_assert!(o.time_s.is_finite() && o.time_s > 0.0, "{what} {op} {algo}: time {}", o.time_s);
                prop_assert!(o.bound_s.is_finite() && o.bound_s > 0.0, "{what} {op} {algo}: bound {}", o.bound_s);
                prop_assert!(
                    o.time_s >= o.bound_s * (1.0 - 1e-9),
                    "{what} {op} {algo}: time {} below bound {}", o.time_s, o.bound_s
                );
                prop_assert!(o.algbw_gbps.is_finite() && o.busbw_gbps.is_finite());
                // Same inputs, same outputs, to the bit.
                let again = outcome(&topo, op, algo, size).unwrap();
                prop_assert_eq!(
                    serde_json::to_string(&o).unwrap(),
                    serde_json::to_string(&again).unwrap()
                );
                if matches!(algo, Algo::Auto | Algo::Best) || n < 2 {
                    continue;
                }
                let sched = schedule(&topo, op, algo, &topo.accelerators, size, knobs(1, 1048576.0)).unwrap();
                let sent: f64 = topo.nodes.iter().enumerate()
                    .map(|(i, _)| sched.bytes_sent(fabricsim::topology::NodeId(i as u32))).sum();
                let recv: f64 = topo.nodes.iter().enumerate()
                    .map(|(i, _)| sched.bytes_received(fabricsim::topology::NodeId(i as u32))).sum();
                prop_assert!((sent - recv).abs() <= 1e-9 * sent.max(1.0), "{what} {op} {algo}: sent {sent} received {recv}");
                if let Some(v) = exact_volume(op, algo, n as f64, size) {
                    for &r in &topo.accelerators {
                        let (s, rv) = (sched.bytes_sent(r), sched.bytes_received(r));
                        prop_assert!((s - v).abs() <= 1e-9 * v, "{what} {op} {algo}: rank sends {s}, formula {v}");
                        prop_assert!((rv - v).abs() <= 1e-9 * v, "{what} {op} {algo}: rank receives {rv}, formula {v}");
                    }
                }
            }
        }
    }

    #[test]
    fn jobs_on_generated_fabrics(
        domains in 1u32..=4,
        tp in prop::sample::select(vec![1u32, 2, 4, 8]),
        pp in prop::sample::select(vec![1u32, 2]),
        mb_per_replica in 1u32..=8,
        layer_ms in 1u32..=50,
        zero in 0u32..=3,
    ) {
        // 8 GPUs per domain: world = 8·domains; dp = world / (tp·pp).
        let world = 8 * domains;
        prop_assume!(world % (tp * pp) == 0);
        let dp = world / (tp * pp);
        let topo_src = format!(
            "[scale_up]\nkind = \"nvlink4\"\naccelerators = 8\nswitches = 4\ndomains = {domains}\n\
             [scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"rail-optimized\"\nswitch_radix = 32\ntiers = 2\n"
        );
        let job_src = format!(
            "[model]\nparameters = 1.2e9\nlayers = 8\nhidden = 2048\nffn_hidden = 8192\nheads = 16\n\
             kv_heads = 8\nseq_len = 2048\nvocab = 32000\ndtype = \"bf16\"\n\
             [parallelism]\ntp = {tp}\npp = {pp}\ndp = {dp}\nzero = {zero}\nmicro_batch = 1\n\
             global_batch = {}\n[compute]\nlayer_time = \"{layer_ms} ms\"\n",
            dp * mb_per_replica
        );
        let topo = Topology::parse(&topo_src, "gen.toml", &Default::default()).unwrap();
        let job = fabricsim::workload::Job::parse(&job_src, "gen-job.toml", &Default::default())
            .unwrap_or_else(|d| panic!("{d}\n{job_src}"));
        let r = iteration::run(&topo, &job, Params::default()).unwrap();
        let it = &r.iteration;
        for (name, v) in [
            ("comm", it.comm_time_s),
            ("exposed", it.exposed_comm_time_s),
            ("compute", it.compute_time_s),
            ("bubble", it.bubble_s),
            ("total", it.total_time_s),
            ("tokens/s", it.tokens_per_s),
        ] {
            prop_assert!(v.is_finite() && v >= 0.0, "{name} = {v}\n{job_src}");
        }
        prop_assert!(it.total_time_s > 0.0 && it.compute_time_s > 0.0);
        prop_assert!(it.exposed_comm_time_s <= it.comm_time_s * (1.0 + 1e-12));
        prop_assert!(it.total_time_s >= it.compute_time_s * (1.0 - 1e-12));
        for k in &r.by_kind {
            prop_assert!(k.time_s.is_finite() && k.time_s >= 0.0, "{:?}", k.kind);
            prop_assert!(k.call_time_s.is_finite() && k.call_time_s >= 0.0);
        }
        let again = iteration::run(&topo, &job, Params::default()).unwrap();
        prop_assert_eq!(serde_json::to_string(&r).unwrap(), serde_json::to_string(&again).unwrap());
    }
}

/// The same collectives on a pool of 1 and of 2 threads (one fabric per
/// task, as `compare` runs topologies) give byte-identical results.
#[test]
fn results_do_not_depend_on_thread_count() {
    let fabrics: Vec<Topology> = [
        "topologies/hgx-h100.toml",
        "topologies/mi300x-8.toml",
        "topologies/h100-2tier-16node.toml",
        "topologies/mi355x-8.toml",
    ]
    .iter()
    .map(|f| {
        fabricsim::topology::Topology::load(crate::common::root().join(f), &Default::default())
            .unwrap()
    })
    .collect();
    let all = |threads: usize| -> Vec<String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            fabrics
                .par_iter()
                .flat_map_iter(|t| {
                    [Op::AllReduce, Op::AllToAll, Op::AllGather].map(|op| {
                        serde_json::to_string(&outcome(t, op, Algo::Auto, 1073741824.0)).unwrap()
                    })
                })
                .collect()
        })
    };
    let one = all(1);
    assert_eq!(one.len(), 12);
    assert_eq!(one, all(2));
}

/// `compare` (rayon over topologies) prints the same bytes with 1 and 2
/// threads.
#[test]
fn compare_output_does_not_depend_on_thread_count() {
    let out = |threads: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_fabricsim"))
            .args([
                "compare",
                "topologies/hgx-h100.toml",
                "topologies/mi300x-8.toml",
                "topologies/h100-2tier-16node.toml",
                "--op",
                "all-to-all",
                "--size",
                "1GiB",
                "--json",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(crate::common::root())
            .output()
            .unwrap();
        (o.status.code(), o.stdout, o.stderr)
    };
    let (one, two) = (out("1"), out("2"));
    assert_eq!(one.0, Some(0), "{}", String::from_utf8_lossy(&one.2));
    assert_eq!(one, two);
}

/// Link-disjoint components of a step that are not copies of each other run
/// on rayon's pool: a collective whose random failures break the domains'
/// symmetry (so its steps hold many distinct components) and a job print
/// the same bytes with 1, 2 and 8 threads.
#[test]
fn parallel_components_do_not_change_outputs() {
    let run = |args: &[&str], threads: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_fabricsim"))
            .args(args)
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(crate::common::root())
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    let cases: [&[&str]; 2] = [
        &[
            "collective",
            "topologies/h100-2tier-16node.toml",
            "--op",
            "all-reduce",
            "--size",
            "64MiB,1GiB",
            "--algo",
            "hierarchical",
            "--fail",
            "random:20%:1:scale-up",
            "--json",
        ],
        &[
            "job",
            "topologies/h100-2tier-16node.toml",
            "workloads/mixtral-8x7b.toml",
            "--fail",
            "random:20%:1:scale-up",
            "--json",
        ],
    ];
    for args in cases {
        let one = run(args, "1");
        assert_eq!(one, run(args, "2"), "{args:?}");
        assert_eq!(one, run(args, "8"), "{args:?}");
    }
}
