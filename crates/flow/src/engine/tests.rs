//! The resumed solve against full solves: the same finish times bit for
//! bit and the same counters, on scenarios built to exercise it (staggered
//! arrivals, dependencies, sprayed routes, many exact ties).

use super::Engine;
use crate::{Budget, Completion, Flow};
use std::cell::Cell;

thread_local! {
    /// Queue pops taken from the record instead of the queue (this thread).
    pub(super) static REPLAYED: Cell<u64> = const { Cell::new(0) };
}

fn run(cap: &[f64], flows: &[Flow], resume: bool) -> Completion {
    crate::validate(cap, flows).expect("valid scenario");
    let mut e = Engine::new(cap, flows, false);
    e.sv.resume = resume;
    e.run(&mut Budget::unlimited()).expect("no budget").0
}

/// Runs both ways; returns the pops replayed by the resumed run.
fn same_both_ways(cap: &[f64], flows: &[Flow]) -> u64 {
    let full = run(cap, flows, false);
    REPLAYED.with(|r| r.set(0));
    let resumed = run(cap, flows, true);
    let replayed = REPLAYED.with(|r| r.get());
    assert_eq!(full.stats, resumed.stats);
    for (f, (a, b)) in full.finish_s.iter().zip(&resumed.finish_s).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "flow {f}: {a} vs {b}");
    }
    for (f, (a, b)) in full.release_s.iter().zip(&resumed.release_s).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "flow {f} release: {a} vs {b}");
    }
    replayed
}

/// SplitMix64: a fixed, dependency-free generator for the scenarios.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Leaf/spine: `hosts` hosts under `leaves` leaves, `spines` spines. Links:
/// host up, host down, leaf→spine, spine→leaf. Returns capacities and a
/// route maker (spray over all spines when `spray`).
fn leaf_spine(hosts: usize, leaves: usize, spines: usize) -> (Vec<f64>, usize) {
    let mut cap = vec![1.25e9; 2 * hosts];
    cap.extend(std::iter::repeat_n(5e9, 2 * leaves * spines));
    (cap, hosts)
}

fn route(
    src: usize,
    dst: usize,
    spine: Option<usize>,
    hosts: usize,
    per_leaf: usize,
    spines: usize,
) -> Vec<(u32, f64)> {
    let leaves = hosts / per_leaf;
    let (a, b) = (src / per_leaf, dst / per_leaf);
    let up = src as u32;
    let down = (hosts + dst) as u32;
    if a == b {
        return vec![(up, 1.0), (down, 1.0)];
    }
    let ls = |leaf: usize, s: usize| (2 * hosts + leaf * spines + s) as u32;
    let sl = |s: usize, leaf: usize| (2 * hosts + leaves * spines + s * leaves + leaf) as u32;
    let mut r = vec![(up, 1.0)];
    match spine {
        Some(s) => r.extend([(ls(a, s), 1.0), (sl(s, b), 1.0)]),
        None => {
            let phi = 1.0 / spines as f64;
            r.extend((0..spines).map(|s| (ls(a, s), phi)));
            r.extend((0..spines).map(|s| (sl(s, b), phi)));
        }
    }
    r.push((down, 1.0));
    r
}

/// Random flows with staggered starts, some sprayed, some depending on
/// earlier ones.
#[test]
fn random_arrivals_and_dependencies() {
    let mut replayed = 0;
    for seed in 0..40 {
        let mut rng = Rng(seed);
        let (hosts, per_leaf, spines) = (32, 8, 4);
        let (cap, _) = leaf_spine(hosts, hosts / per_leaf, spines);
        let n = 60 + rng.below(200);
        let mut flows = Vec::with_capacity(n);
        for i in 0..n {
            let src = rng.below(hosts);
            let dst = (src + 1 + rng.below(hosts - 1)) % hosts;
            let spine = (rng.below(4) != 0).then(|| rng.below(spines));
            let mut f = Flow::on_path(&[], 1e-6, 1e4 * 1e3f64.powf(rng.unit()).round(), 0.0);
            f.route = route(src, dst, spine, hosts, per_leaf, spines);
            f.start_s = if rng.below(2) == 0 {
                0.0
            } else {
                1e-3 * rng.unit()
            };
            if i > 0 && rng.below(5) == 0 {
                f.deps = vec![rng.below(i) as u32];
                f.delay_s = 1e-6;
            }
            flows.push(f);
        }
        replayed += same_both_ways(&cap, &flows);
    }
    assert!(replayed > 0, "no solve resumed: the test exercises nothing");
}

/// Tie-heavy: ring steps and an all-to-all round whose sizes take two or
/// three values on equal links, so many links saturate at exactly the same
/// level, completions coincide within `TIME_REL_EPS`, and each wave of
/// completions changes only part of the links.
#[test]
fn exact_ties_of_collective_steps() {
    let mut replayed = 0;
    for (hosts, per_leaf, spines) in [(16, 4, 2), (32, 8, 4), (24, 8, 3)] {
        let (cap, _) = leaf_spine(hosts, hosts / per_leaf, spines);
        let mut flows: Vec<Flow> = Vec::new();
        // Three ring steps (each after the previous one's flow into the
        // same rank), then one all-to-all round of equal flows, sprayed.
        for step in 0..3 {
            for r in 0..hosts {
                let dst = (r + 1) % hosts;
                let mut f = Flow::on_path(&[], 1e-6, 4e6 * (1 + r % 3) as f64, 0.0);
                f.route = route(r, dst, Some(r % spines), hosts, per_leaf, spines);
                if step > 0 {
                    f.deps = vec![((step - 1) * hosts + (r + hosts - 1) % hosts) as u32];
                }
                flows.push(f);
            }
        }
        let base = flows.len();
        for r in 0..hosts {
            for k in 1..hosts {
                let mut f = Flow::on_path(&[], 1e-6, 1e6 * (1 + (r + k) % 2) as f64, 0.0);
                f.route = route(r, (r + k) % hosts, None, hosts, per_leaf, spines);
                f.deps = vec![(base - hosts + r) as u32];
                flows.push(f);
            }
        }
        replayed += same_both_ways(&cap, &flows);
    }
    assert!(replayed > 0, "no solve resumed: the test exercises nothing");
}
