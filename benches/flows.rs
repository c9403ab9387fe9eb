//! Flow-engine benchmarks (criterion).
//!
//! Groups:
//! - `simulate/leaf_spine/N`: a whole event-driven simulation of N flows on
//!   the 128-host, 320-link leaf/spine reference scenario (all released at 0,
//!   so every completion is an event).
//! - `max_min/fat_tree_k32/N`: one max-min solve of N simultaneous flows on a
//!   3-tier k=32 fat-tree (8,192 hosts).
//!
//! Run: `cargo bench --bench flows` (add `-- simulate` or `-- max_min` to pick a group).
//! Results and the machine are recorded in BENCHMARKS.md.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fabricsim::flow::{max_min_rates, simulate};
use fabricsim::synthetic::{fat_tree_3tier, leaf_spine};
use std::hint::black_box;

fn bench_simulate(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate/leaf_spine");
    g.sample_size(10);
    for n in [1_000usize, 10_000] {
        let w = leaf_spine(n, 1);
        g.bench_with_input(BenchmarkId::from_parameter(n), &w, |b, w| {
            b.iter(|| simulate(black_box(&w.capacity_bps), black_box(&w.flows)).unwrap())
        });
    }
    g.finish();
}

fn bench_max_min(c: &mut Criterion) {
    let mut g = c.benchmark_group("max_min/fat_tree_k32");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let w = fat_tree_3tier(32, n, 7);
        let routes: Vec<Vec<(u32, f64)>> = w.flows.iter().map(|f| f.route.clone()).collect();
        g.bench_with_input(BenchmarkId::from_parameter(n), &routes, |b, r| {
            b.iter(|| max_min_rates(black_box(&w.capacity_bps), black_box(r)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_simulate, bench_max_min);
criterion_main!(benches);
