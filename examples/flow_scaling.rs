//! Example: how the flow engine scales with the number of flows.
//!
//! This example demonstrates the engine's speed on the reference leaf/spine
//! scenario (128 hosts, 320 directed links, random single-path routes,
//! log-uniform sizes, all flows released at t = 0 so every completion is an
//! event), built in-process by `fabricsim::synthetic::leaf_spine`, and one
//! max-min solve of 10^4, 10^5 and 10^6 flows on a 3-tier k = 32 fat-tree.
//!
//! Run: `cargo run --release --example flow_scaling [N ...]`
//! (default N = 10000 30000 100000; figures go to BENCHMARKS.md).

use fabricsim::flow::{max_min_rates, simulate};
use fabricsim::synthetic::{fat_tree_3tier, leaf_spine};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("flow counts are integers"))
        .collect();
    let sizes = if args.is_empty() {
        vec![10_000, 30_000, 100_000]
    } else {
        args
    };
    println!(
        "{:>9}  {:>9}  {:>9}  {:>12}  {:>14}",
        "flows", "sim (s)", "events", "links frozen", "classes moved"
    );
    for n in sizes {
        let w = leaf_spine(n, 1);
        let t0 = Instant::now();
        let out = simulate(&w.capacity_bps, &w.flows).expect("valid workload");
        let dt = t0.elapsed().as_secs_f64();
        println!(
            "{n:>9}  {dt:>9.3}  {:>9}  {:>12}  {:>14}",
            out.stats.events, out.stats.links_frozen, out.stats.classes_moved
        );
    }
    for n in [10_000, 100_000, 1_000_000] {
        let w = fat_tree_3tier(32, n, 7);
        let routes: Vec<Vec<(u32, f64)>> = w.flows.iter().map(|f| f.route.clone()).collect();
        let t0 = Instant::now();
        let rates = max_min_rates(&w.capacity_bps, &routes);
        let dt = t0.elapsed().as_secs_f64();
        let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "one max-min solve of {n} flows on a k=32 fat-tree: {dt:.3} s (min rate {:.3e} B/s)",
            min
        );
    }
}
