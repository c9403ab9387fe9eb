//! Property tests of collectives on random small fabrics: every algorithm
//! moves at least the bytes its operation requires of every rank, and no
//! simulated time beats the lower bound.

use crate::common::knobs;
use fabricsim::collective::algorithms::schedule;
use fabricsim::collective::run::{Request, run};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};
use proptest::prelude::*;

/// A random connected fabric: `s` switches in a random tree plus one extra
/// switch-to-switch link, `n` GPUs each on a random switch, random
/// bandwidths (10–400 GB/s) and latencies (0–1 µs); switch 0 can reduce.
fn fabric(s: usize, n: usize, picks: &[u32]) -> String {
    let mut k = 0;
    let mut pick = |m: u32| {
        k += 1;
        picks[k % picks.len()] % m
    };
    let mut t = format!(
        "[[nodes]]\nid = \"gpu[0..{n}]\"\nkind = \"accelerator\"\n\
         [[nodes]]\nid = \"sw0\"\nkind = \"switch\"\nin_switch_reduction = true\n"
    );
    if s > 1 {
        t += &format!("[[nodes]]\nid = \"sw[1..{s}]\"\nkind = \"switch\"\n");
    }
    let link = |a: String, b: String, bw: u32, lat: u32| {
        format!(
            "[[links]]\nbetween = [\"{a}\", \"{b}\"]\nkind = \"custom\"\nbandwidth = \"{bw} GB/s\"\nlatency = \"{lat} ns\"\n"
        )
    };
    for i in 1..s {
        let parent = pick(i as u32);
        t += &link(
            format!("sw{i}"),
            format!("sw{parent}"),
            10 + pick(390),
            pick(1000),
        );
    }
    if s > 2 {
        t += &link(
            "sw1".into(),
            format!("sw{}", s - 1),
            10 + pick(390),
            pick(1000),
        );
    }
    for g in 0..n {
        let sw = pick(s as u32);
        t += &link(
            format!("gpu{g}"),
            format!("sw{sw}"),
            10 + pick(390),
            pick(1000),
        );
    }
    t
}

/// The least each rank must send and receive for `op` of size `size` over
/// `n` ranks, whatever the algorithm (each element of a rank's input must
/// leave it in some form; each element of its output must arrive), with
/// in-switch reduction allowed: `(sent_min, received_min)` per non-root rank
/// and for the root (rank 0).
fn required(op: Op, n: f64, size: f64) -> ((f64, f64), (f64, f64)) {
    let share = (n - 1.0) / n * size;
    match op {
        Op::AllReduce => ((size, size), (size, size)),
        Op::AllGather => ((size / n, share), (size / n, share)),
        Op::ReduceScatter => ((share, size / n), (share, size / n)),
        Op::AllToAll => ((share, share), (share, share)),
        Op::Broadcast => ((0.0, size), (size, 0.0)),
        Op::Reduce => ((size, 0.0), (0.0, size)),
        Op::SendRecv => ((size, size), (size, size)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bytes_and_bounds_hold_on_random_fabrics(
        s in 1usize..4,
        n in 2usize..9,
        picks in prop::collection::vec(0u32..10_000, 16..64),
        size_mib in 1u32..64,
    ) {
        let toml = fabric(s, n, &picks);
        let topo = fabricsim::topology::Topology::parse(&toml, "random.toml", &Default::default()).unwrap();
        let ranks = topo.accelerators.clone();
        let size = size_mib as f64 * 1048576.0;
        let mut sim = CollectiveSim::new(&topo, Params::default());
        for op in Op::ALL {
            for algo in [Algo::Ring, Algo::Tree, Algo::HalvingDoubling, Algo::Direct, Algo::Nvls, Algo::Auto, Algo::Best] {
                let req = Request { op, algo, size, channels: None, chunk_bytes: 1048576.0, protocol: None };
                let outcome = match run(&mut sim, &ranks, &req) {
                    Ok(o) => o,
                    Err(fabricsim::collective::CollectiveError::Unsupported { .. }) => continue,
                    Err(e) => panic!("{op} {algo}: {e}"),
                };
                prop_assert!(
                    outcome.time_s >= outcome.bound_s * (1.0 - 1e-9),
                    "{} {}: {} < bound {}\n{}", op, algo, outcome.time_s, outcome.bound_s, toml
                );
                if matches!(algo, Algo::Auto | Algo::Best) {
                    continue;
                }
                let sched = schedule(&topo, op, algo, &ranks, size, knobs(1, 1048576.0)).unwrap();
                let ((s_min, r_min), (s_root, r_root)) = required(op, n as f64, size);
                for (i, &r) in ranks.iter().enumerate() {
                    let (smin, rmin) = if i == 0 { (s_root, r_root) } else { (s_min, r_min) };
                    prop_assert!(sched.bytes_sent(r) >= smin * (1.0 - 1e-12), "{} {} rank {}: sent {} < {}", op, algo, i, sched.bytes_sent(r), smin);
                    prop_assert!(sched.bytes_received(r) >= rmin * (1.0 - 1e-12), "{} {} rank {}: received {} < {}", op, algo, i, sched.bytes_received(r), rmin);
                }
            }
        }
    }
}
