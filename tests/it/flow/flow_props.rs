//! Property and differential tests of the flow-level engine, through its
//! public API only (`flow::simulate`, `flow::engine::simulate_traced`,
//! `flow::max_min_rates`).
//!
//! - Invariants of every traced interval: capacity, max-min optimality,
//!   bytes conservation, flows move only between activation and finish.
//! - Input-order independence (flows permuted, links relabelled).
//! - A differential test against [`naive_simulate`], a deliberately simple
//!   reference written from docs/semantics.md: it recomputes every rate from
//!   scratch by progressive filling at every event, with no route classes,
//!   no incremental solving and no event coalescing.
//! - A seeded ~2000-flow scenario on a small two-tier fat-tree
//!   ([`fat_tree`]), also used by the CLI determinism test.
//!
//! Three generators feed them: general scenarios (≤ 8 links, ≤ 12 flows),
//! tie-heavy ones (few routes, equal sizes and starts) and wide-range ones
//! (sizes, capacities and times over many decades). Every engine run has a
//! time limit ([`within`]), so a non-terminating engine fails instead of
//! hanging the suite. Proptest runs from a fixed seed (see [`config`]).

use crate::common::assert_rel;
use fabricsim::flow::engine::{RateInterval, simulate_traced};
use fabricsim::flow::{Completion, Flow, max_min_rates, simulate};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::RngSeed;

// ---------------------------------------------------------------------------
// Naive reference.

/// Max-min fair rates by plain progressive filling, per flow.
///
/// All unfrozen flows share one rate `λ`. With `rem[l]` the capacity of `l`
/// minus the load of frozen flows and `w[l]` the sum of the fractions of the
/// unfrozen flows crossing `l`, link `l` fills up at `λ = rem[l] / w[l]`.
/// Repeatedly take the link that fills up first and freeze its unfrozen
/// flows at that level.
pub(crate) fn naive_rates(cap: &[f64], routes: &[&[(u32, f64)]]) -> Vec<f64> {
    let nl = cap.len();
    let mut rem = cap.to_vec();
    let mut w = vec![0.0; nl];
    let mut cnt = vec![0usize; nl];
    let mut users = vec![Vec::new(); nl];
    for (i, r) in routes.iter().enumerate() {
        for &(l, phi) in r.iter() {
            w[l as usize] += phi;
            cnt[l as usize] += 1;
            users[l as usize].push(i);
        }
    }
    let mut rate = vec![f64::NAN; routes.len()];
    let mut frozen = vec![false; routes.len()];
    let mut left = routes.len();
    let mut level = 0.0f64;
    while left > 0 {
        let mut best: Option<(usize, f64)> = None;
        for l in 0..nl {
            if cnt[l] > 0 {
                let lv = rem[l].max(0.0) / w[l];
                if best.is_none_or(|(_, b)| lv < b) {
                    best = Some((l, lv));
                }
            }
        }
        let (l, lv) = best.expect("every unfrozen flow crosses a link");
        level = level.max(lv);
        for &i in &users[l] {
            if frozen[i] {
                continue;
            }
            frozen[i] = true;
            left -= 1;
            rate[i] = level;
            for &(l2, phi) in routes[i].iter() {
                rem[l2 as usize] -= phi * level;
                w[l2 as usize] -= phi;
                cnt[l2 as usize] -= 1;
            }
        }
    }
    rate
}

/// Release and finish times from the naive reference.
pub(crate) struct NaiveOut {
    pub(crate) release: Vec<f64>,
    pub(crate) finish: Vec<f64>,
}

/// The flow model, simulated naively: at every event, recompute all rates of
/// all moving flows with [`naive_rates`], then advance to the earliest next
/// activation or completion.
pub(crate) fn naive_simulate(cap: &[f64], flows: &[Flow]) -> NaiveOut {
    let n = flows.len();
    let mut dependents = vec![Vec::new(); n];
    for (i, f) in flows.iter().enumerate() {
        for &d in &f.deps {
            dependents[d as usize].push(i);
        }
    }
    let mut pending: Vec<usize> = flows.iter().map(|f| f.deps.len()).collect();
    let mut release = vec![f64::NAN; n];
    let mut finish = vec![f64::NAN; n];
    // Time at which the flow's bytes start to move, once released.
    let mut act = vec![f64::INFINITY; n];
    let mut started = vec![false; n];
    let mut left: Vec<f64> = flows.iter().map(|f| f.bytes).collect();
    for (i, f) in flows.iter().enumerate() {
        if f.deps.is_empty() {
            release[i] = f.start_s;
            act[i] = f.start_s + f.latency_s;
        }
    }
    // Records a finish and releases the dependents it completes.
    let on_finish = |i: usize,
                     t: f64,
                     finish: &mut Vec<f64>,
                     pending: &mut Vec<usize>,
                     release: &mut Vec<f64>,
                     act: &mut Vec<f64>| {
        finish[i] = t;
        for &d in &dependents[i] {
            pending[d] -= 1;
            if pending[d] == 0 {
                let f = &flows[d];
                let last = f
                    .deps
                    .iter()
                    .map(|&x| finish[x as usize])
                    .fold(f64::NEG_INFINITY, f64::max);
                release[d] = f.start_s.max(last + f.delay_s);
                act[d] = release[d] + f.latency_s;
            }
        }
    };
    let mut active: Vec<usize> = Vec::new();
    let mut t = act.iter().copied().fold(f64::INFINITY, f64::min);
    while t.is_finite() {
        // Start everything due at t; zero-byte flows finish on the spot and
        // may release more flows due at t.
        loop {
            let due: Vec<usize> = (0..n).filter(|&i| !started[i] && act[i] <= t).collect();
            if due.is_empty() {
                break;
            }
            for i in due {
                started[i] = true;
                if flows[i].bytes == 0.0 {
                    on_finish(i, act[i], &mut finish, &mut pending, &mut release, &mut act);
                } else {
                    active.push(i);
                }
            }
        }
        let next_act = (0..n)
            .filter(|&i| !started[i])
            .map(|i| act[i])
            .fold(f64::INFINITY, f64::min);
        if active.is_empty() {
            t = next_act;
            continue;
        }
        let routes: Vec<&[(u32, f64)]> = active.iter().map(|&i| &flows[i].route[..]).collect();
        let rates = naive_rates(cap, &routes);
        let own: Vec<f64> = active
            .iter()
            .zip(&rates)
            .map(|(&i, &r)| t + left[i] / r)
            .collect();
        let t_next = own.iter().copied().fold(next_act, f64::min);
        let mut still = Vec::new();
        let mut done = Vec::new();
        for (k, &i) in active.iter().enumerate() {
            if own[k] <= t_next {
                done.push(i);
            } else {
                left[i] = (left[i] - rates[k] * (t_next - t)).max(0.0);
                still.push(i);
            }
        }
        for i in done {
            on_finish(i, t_next, &mut finish, &mut pending, &mut release, &mut act);
        }
        active = still;
        t = t_next;
    }
    NaiveOut { release, finish }
}

/// Runs `f` on another thread and fails if it takes longer than `secs`, so an
/// engine that loops forever fails the test instead of hanging the suite.
pub(crate) fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The closure panicked: re-raise its panic here.
            std::panic::resume_unwind(handle.join().expect_err("no value, so it panicked"))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("no result after {secs} s: the engine does not terminate")
        }
    }
}

/// Time limit for one engine run [s]; real runs take milliseconds.
const ENGINE_TIMEOUT_S: u64 = 60;

/// `simulate` under [`within`].
pub(crate) fn sim(cap: &[f64], flows: &[Flow]) -> Completion {
    let (cap, flows) = (cap.to_vec(), flows.to_vec());
    within(ENGINE_TIMEOUT_S, move || {
        simulate(&cap, &flows).expect("valid scenario")
    })
}

/// `simulate_traced` under [`within`].
fn sim_traced(cap: &[f64], flows: &[Flow]) -> (Completion, Vec<RateInterval>) {
    let (cap, flows) = (cap.to_vec(), flows.to_vec());
    within(ENGINE_TIMEOUT_S, move || {
        simulate_traced(&cap, &flows).expect("valid scenario")
    })
}

/// Compares the engine with the naive reference on one scenario.
#[track_caller]
pub(crate) fn check_against_naive(cap: &[f64], flows: &[Flow], rel: f64) {
    let out = sim(cap, flows);
    let want = naive_simulate(cap, flows);
    for i in 0..flows.len() {
        assert!(
            want.finish[i].is_finite(),
            "reference left flow {i} unfinished"
        );
        assert_rel(
            out.release_s[i],
            want.release[i],
            rel,
            &format!("release[{i}]"),
        );
        assert_rel(
            out.finish_s[i],
            want.finish[i],
            rel,
            &format!("finish[{i}]"),
        );
    }
}

/// The naive reference against hand values, so that it is trusted on its own.
#[test]
fn naive_reference_matches_hand_cases() {
    // Parking lot (see flows.rs): rates 2, 2, 4, 8; finishes 14/3, 2, 16/3, 2.
    let cap = [4.0, 6.0, 10.0];
    let flows = [
        Flow::on_path(&[0, 1, 2], 0.0, 12.0, 0.0),
        Flow::on_path(&[0], 0.0, 4.0, 0.0),
        Flow::on_path(&[1], 0.0, 20.0, 0.0),
        Flow::on_path(&[2], 0.0, 16.0, 0.0),
    ];
    let routes: Vec<&[(u32, f64)]> = flows.iter().map(|f| &f.route[..]).collect();
    assert_eq!(naive_rates(&cap, &routes), vec![2.0, 2.0, 4.0, 8.0]);
    let out = naive_simulate(&cap, &flows);
    for (g, w) in out.finish.iter().zip([14.0 / 3.0, 2.0, 16.0 / 3.0, 2.0]) {
        assert_rel(*g, w, 1e-12, "naive parking lot");
    }
    // Latency first, then a dependent with a delay: a (1 B, latency 0),
    // b (1 B, latency 0.5) on a 1 B/s link: a 1.5, b 2; c depends on both
    // with delay 1, start 0, 2 B alone: released 3, finishes 5.
    let mut c = Flow::on_path(&[0], 0.0, 2.0, 0.0);
    c.deps = vec![0, 1];
    c.delay_s = 1.0;
    let flows = [
        Flow::on_path(&[0], 0.0, 1.0, 0.0),
        Flow::on_path(&[0], 0.5, 1.0, 0.0),
        c,
    ];
    let out = naive_simulate(&[1.0], &flows);
    assert_eq!(out.finish, vec![1.5, 2.0, 5.0]);
    assert_eq!(out.release, vec![0.0, 0.0, 3.0]);
}

// ---------------------------------------------------------------------------
// Generators.

/// Largest number of flows the random scenarios use.
const MAX_FLOWS: usize = 12;
/// Largest number of links.
const MAX_LINKS: usize = 8;

/// A route over `nl` links: 1 to 4 distinct links in random order; a quarter
/// are sprayed with equal fractions, a quarter have arbitrary fractions.
fn route_strategy(nl: usize) -> impl Strategy<Value = Vec<(u32, f64)>> {
    let links = Just((0..nl as u32).collect::<Vec<_>>()).prop_shuffle();
    (links, 1..=nl.min(4), 0..4u8, vec(0.05f64..=1.0, 4)).prop_map(|(ls, k, kind, fr)| {
        let chosen = &ls[..k];
        match kind {
            // Sprayed: the first link carries the whole flow (when there
            // are 3 or more links), the rest split it evenly, like ECMP
            // over parallel links.
            0 if k >= 2 => {
                let serial = usize::from(k >= 3);
                let split = 1.0 / (k - serial) as f64;
                chosen
                    .iter()
                    .enumerate()
                    .map(|(j, &l)| (l, if j < serial { 1.0 } else { split }))
                    .collect()
            }
            1 => chosen.iter().zip(&fr).map(|(&l, &f)| (l, f)).collect(),
            _ => chosen.iter().map(|&l| (l, 1.0)).collect(),
        }
    })
}

fn cap_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![select(vec![1e9, 2e9, 1e10]), 5e8..2e10f64]
}

fn bytes_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(0.0),
        3 => select(vec![1e6, 2e6, 4e6]),
        4 => 1e3..1e7f64,
    ]
}

fn start_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => Just(0.0),
        2 => select(vec![1e-3, 2e-3]),
        4 => 0.0..1e-2f64,
    ]
}

fn latency_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![3 => Just(0.0), 1 => Just(1e-6), 3 => 0.0..1e-3f64]
}

fn delay_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![3 => Just(0.0), 2 => 0.0..1e-3f64]
}

fn deps_strategy(max_flows: usize) -> impl Strategy<Value = Vec<u32>> {
    prop_oneof![2 => Just(vec![]), 1 => vec(0..max_flows as u32, 1..=2)]
}

/// A random flow scenario.
#[derive(Clone, Debug)]
pub(crate) struct Scn {
    pub(crate) cap: Vec<f64>,
    pub(crate) flows: Vec<Flow>,
}

/// Keeps only dependencies that respect a random topological order (`rank`,
/// ties broken by index), so the graph is acyclic but not index-ordered.
fn acyclic(mut flows: Vec<Flow>, rank: &[u32]) -> Vec<Flow> {
    let n = flows.len();
    let before = |d: usize, i: usize| (rank[d], d) < (rank[i], i);
    for (i, f) in flows.iter_mut().enumerate() {
        f.deps
            .retain(|&d| (d as usize) < n && before(d as usize, i));
    }
    flows
}

/// General scenarios: ≤ 8 links, ≤ 12 flows, ties, zero bytes, sprays, deps.
fn scenario() -> impl Strategy<Value = Scn> {
    (1..=MAX_LINKS).prop_flat_map(|nl| {
        let flow = (
            route_strategy(nl),
            latency_strategy(),
            bytes_strategy(),
            start_strategy(),
            deps_strategy(MAX_FLOWS),
            delay_strategy(),
        )
            .prop_map(|(route, latency_s, bytes, start_s, deps, delay_s)| Flow {
                route,
                latency_s,
                bytes,
                start_s,
                deps,
                delay_s,
            });
        (
            vec(cap_strategy(), nl),
            vec(flow, 1..=MAX_FLOWS),
            vec(any::<u32>(), MAX_FLOWS),
        )
            .prop_map(|(cap, flows, rank)| Scn {
                cap,
                flows: acyclic(flows, &rank),
            })
    })
}

/// Tie-heavy scenarios: up to 24 flows on 1 to 3 distinct routes, with equal
/// sizes, equal starts, equal latencies and dependencies.
fn tie_scenario() -> impl Strategy<Value = Scn> {
    (1..=5usize).prop_flat_map(|nl| {
        let flow = (
            0..3usize,
            select(vec![0.0, 1e6, 1e6, 2e6]),
            select(vec![0.0, 0.0, 1e-3]),
            select(vec![0.0, 1e-6]),
            deps_strategy(24),
            select(vec![0.0, 0.0, 1e-4]),
        );
        (
            vec(select(vec![1e9, 2e9]), nl),
            vec(route_strategy(nl), 3),
            vec(flow, 2..=24),
            vec(any::<u32>(), 24),
        )
            .prop_map(|(cap, templates, specs, rank)| {
                let flows = specs
                    .into_iter()
                    .map(|(r, bytes, start_s, latency_s, deps, delay_s)| Flow {
                        route: templates[r].clone(),
                        latency_s,
                        bytes,
                        start_s,
                        deps,
                        delay_s,
                    })
                    .collect();
                Scn {
                    cap,
                    flows: acyclic(flows, &rank),
                }
            })
    })
}

/// `10^e` for `e` uniform in `[lo, hi]`: log-uniform magnitudes.
fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(|e| 10f64.powf(e))
}

/// Wide dynamic range: capacities 1 MB/s..1 TB/s, sizes 1 B..10 GB, starts
/// and latencies over many decades, so that long-lived flows share links
/// with tiny ones (stress for any cumulative-service bookkeeping).
fn wide_scenario() -> impl Strategy<Value = Scn> {
    (1..=MAX_LINKS).prop_flat_map(|nl| {
        let flow = (
            route_strategy(nl),
            prop_oneof![2 => Just(0.0), 1 => log_uniform(-9.0, -3.0)],
            prop_oneof![1 => Just(0.0), 6 => log_uniform(0.0, 10.0)],
            prop_oneof![2 => Just(0.0), 3 => log_uniform(-6.0, 1.0)],
            deps_strategy(MAX_FLOWS),
            prop_oneof![2 => Just(0.0), 1 => log_uniform(-9.0, -2.0)],
        )
            .prop_map(|(route, latency_s, bytes, start_s, deps, delay_s)| Flow {
                route,
                latency_s,
                bytes,
                start_s,
                deps,
                delay_s,
            });
        (
            vec(log_uniform(6.0, 12.0), nl),
            vec(flow, 1..=MAX_FLOWS),
            vec(any::<u32>(), MAX_FLOWS),
        )
            .prop_map(|(cap, flows, rank)| Scn {
                cap,
                flows: acyclic(flows, &rank),
            })
    })
}

/// Relative resolution of event times: the engine may treat events this close
/// (relative to the current time) as simultaneous (docs/semantics.md asks for
/// 1e-9 relative accuracy of finish times; this is far inside it).
const TIME_RESOLUTION: f64 = 1e-12;

/// Proptest settings: `cases` cases from a fixed seed, so CI is
/// reproducible. To explore, set `PROPTEST_RNG_SEED` (a number, or `random`)
/// and `PROPTEST_CASES`, e.g.
/// `PROPTEST_RNG_SEED=random PROPTEST_CASES=5000 cargo test --release --test it flow_props`.
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0xFAB5_1300);
    }
    // Keep the tree clean: a failure prints its minimal case instead.
    c.failure_persistence = None;
    c
}

// ---------------------------------------------------------------------------
// Invariants of a rate allocation.

/// Capacity and max-min optimality of one allocation.
/// `moving` lists `(flow, rate)`; `routes[flow]` its route.
fn check_allocation(
    cap: &[f64],
    routes: &[&[(u32, f64)]],
    moving: &[(usize, f64)],
    what: &str,
) -> Result<(), TestCaseError> {
    let mut load = vec![0.0; cap.len()];
    let mut max_rate = vec![0.0f64; cap.len()];
    for &(f, r) in moving {
        prop_assert!(r.is_finite() && r > 0.0, "{what}: flow {f} has rate {r}");
        for &(l, phi) in routes[f] {
            load[l as usize] += phi * r;
            max_rate[l as usize] = max_rate[l as usize].max(r);
        }
    }
    for (l, (&ld, &c)) in load.iter().zip(cap).enumerate() {
        prop_assert!(
            ld <= c * (1.0 + 1e-9),
            "{what}: link {l} carries {ld:e} > capacity {c:e}"
        );
    }
    for &(f, r) in moving {
        let bottleneck = routes[f].iter().any(|&(l, _)| {
            let l = l as usize;
            load[l] >= cap[l] * (1.0 - 1e-9) && max_rate[l] <= r * (1.0 + 1e-9)
        });
        prop_assert!(
            bottleneck,
            "{what}: flow {f} (rate {r:e}) has no saturated link on which its rate is maximal; \
             loads {load:?}, capacities {cap:?}"
        );
    }
    Ok(())
}

/// Every invariant of a traced simulation.
fn check_trace(scn: &Scn) -> Result<(), TestCaseError> {
    let (out, trace) = sim_traced(&scn.cap, &scn.flows);
    let flows = &scn.flows;
    let n = flows.len();
    let routes: Vec<&[(u32, f64)]> = flows.iter().map(|f| &f.route[..]).collect();
    prop_assert_eq!(out.finish_s.len(), n);
    prop_assert_eq!(out.release_s.len(), n);

    // Tracing observes the run without changing it.
    let plain = sim(&scn.cap, &scn.flows);
    for i in 0..n {
        prop_assert!(
            plain.finish_s[i].to_bits() == out.finish_s[i].to_bits(),
            "flow {i}: {} traced, {} untraced",
            out.finish_s[i],
            plain.finish_s[i]
        );
    }

    // Release times follow from the finish times of the dependencies.
    for (i, f) in flows.iter().enumerate() {
        let last = f
            .deps
            .iter()
            .map(|&d| out.finish_s[d as usize] + f.delay_s)
            .fold(f.start_s, f64::max);
        prop_assert!(
            (out.release_s[i] - last).abs() <= 1e-12 * last.abs(),
            "flow {i}: released at {}, expected {last}",
            out.release_s[i]
        );
        // No flow beats its route latency plus the time it would take alone.
        let alone = f
            .route
            .iter()
            .map(|&(l, phi)| scn.cap[l as usize] / phi)
            .fold(f64::INFINITY, f64::min);
        let lower = out.release_s[i] + f.latency_s + f.bytes / alone;
        prop_assert!(
            out.finish_s[i] >= lower * (1.0 - 1e-9),
            "flow {i}: finishes at {} before its lower bound {lower}",
            out.finish_s[i]
        );
        if f.bytes == 0.0 {
            let want = out.release_s[i] + f.latency_s;
            prop_assert!((out.finish_s[i] - want).abs() <= 1e-12 * want);
        }
    }

    let mut sent = vec![0.0; n];
    // Bytes a flow may gain or lose because interval ends are absolute times,
    // resolved to TIME_RESOLUTION: matters only for flows whose duration is
    // tiny next to the time at which they run (1 B at 100 GB/s at t = 1 s).
    let mut slack = vec![0.0; n];
    let mut prev_t1 = f64::NEG_INFINITY;
    for (k, RateInterval { t0_s, t1_s, rates }) in trace.iter().enumerate() {
        let (t0, t1) = (*t0_s, *t1_s);
        prop_assert!(t0 < t1, "interval {k}: [{t0}, {t1}) is empty");
        prop_assert!(t0 >= prev_t1, "interval {k} overlaps the previous one");
        prev_t1 = t1;
        prop_assert!(
            rates.windows(2).all(|w| w[0].0 < w[1].0),
            "interval {k}: rates not sorted by flow"
        );
        let moving: Vec<(usize, f64)> = rates.iter().map(|&(f, r)| (f as usize, r)).collect();
        check_allocation(
            &scn.cap,
            &routes,
            &moving,
            &format!("interval {k} [{t0}, {t1})"),
        )?;
        for &(f, r) in &moving {
            let a = out.release_s[f] + flows[f].latency_s;
            prop_assert!(
                t0 >= a - 2.0 * TIME_RESOLUTION * a
                    && t1 <= out.finish_s[f] * (1.0 + 2.0 * TIME_RESOLUTION),
                "flow {f} moves in [{t0}, {t1}) outside [{a}, {}]",
                out.finish_s[f]
            );
            sent[f] += r * (t1 - t0);
            slack[f] += r * TIME_RESOLUTION * t1.abs();
        }
    }
    for (i, f) in flows.iter().enumerate() {
        prop_assert!(
            (sent[i] - f.bytes).abs() <= 1e-9 * f.bytes + slack[i],
            "flow {i}: {} bytes moved, {} expected",
            sent[i],
            f.bytes
        );
    }
    Ok(())
}

/// Relabels links with `perm` (old → new) and reverses each route's order.
fn relabel_links(scn: &Scn, perm: &[usize]) -> Scn {
    let mut cap = vec![0.0; scn.cap.len()];
    for (old, &new) in perm.iter().enumerate() {
        cap[new] = scn.cap[old];
    }
    let flows = scn
        .flows
        .iter()
        .map(|f| {
            let mut g = f.clone();
            g.route = f
                .route
                .iter()
                .rev()
                .map(|&(l, phi)| (perm[l as usize] as u32, phi))
                .collect();
            g
        })
        .collect();
    Scn { cap, flows }
}

proptest! {
    #![proptest_config(config(64))]

    /// Capacity, optimality, conservation and timing in every interval.
    #[test]
    fn trace_invariants(scn in scenario()) {
        check_trace(&scn)?;
    }

    /// The same on tie-heavy scenarios (many identical routes and events).
    #[test]
    fn trace_invariants_with_ties(scn in tie_scenario()) {
        check_trace(&scn)?;
    }

    /// The same over a wide dynamic range of sizes, capacities and times.
    #[test]
    fn trace_invariants_wide_range(scn in wide_scenario()) {
        check_trace(&scn)?;
    }

    /// Finish times do not depend on the order of the flows.
    #[test]
    fn flow_order_does_not_matter(
        scn in scenario(),
        keys in vec(any::<u32>(), MAX_FLOWS),
    ) {
        let n = scn.flows.len();
        // perm[new] = old.
        let mut perm: Vec<usize> = (0..n).collect();
        perm.sort_by_key(|&i| (keys[i], i));
        let mut inv = vec![0; n];
        for (new, &old) in perm.iter().enumerate() {
            inv[old] = new;
        }
        let flows: Vec<Flow> = perm
            .iter()
            .map(|&old| {
                let mut f = scn.flows[old].clone();
                f.deps = f.deps.iter().map(|&d| inv[d as usize] as u32).collect();
                f
            })
            .collect();
        let a = sim(&scn.cap, &scn.flows);
        let b = sim(&scn.cap, &flows);
        for (new, &old) in perm.iter().enumerate() {
            let (x, y) = (a.finish_s[old], b.finish_s[new]);
            prop_assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "flow {old}: {x} in input order, {y} when permuted"
            );
        }
    }

    /// Finish times do not depend on link numbering or on the order in which
    /// a route lists its links.
    #[test]
    fn link_order_does_not_matter(
        scn in scenario(),
        keys in vec(any::<u32>(), MAX_LINKS),
    ) {
        let nl = scn.cap.len();
        let mut order: Vec<usize> = (0..nl).collect();
        order.sort_by_key(|&l| (keys[l], l));
        let mut perm = vec![0; nl];
        for (new, &old) in order.iter().enumerate() {
            perm[old] = new;
        }
        let other = relabel_links(&scn, &perm);
        let a = sim(&scn.cap, &scn.flows);
        let b = sim(&other.cap, &other.flows);
        for i in 0..scn.flows.len() {
            let (x, y) = (a.finish_s[i], b.finish_s[i]);
            prop_assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                "flow {i}: {x} vs {y} after relabelling links"
            );
        }
    }

    /// `max_min_rates` on random routes: capacity, optimality, and agreement
    /// with the naive filling.
    #[test]
    fn max_min_rates_is_max_min_fair(
        (cap, routes) in (1..=MAX_LINKS).prop_flat_map(|nl| (
            vec(cap_strategy(), nl),
            vec(route_strategy(nl), 0..=16),
        )),
    ) {
        let rates = max_min_rates(&cap, &routes);
        prop_assert_eq!(rates.len(), routes.len());
        let refs: Vec<&[(u32, f64)]> = routes.iter().map(|r| &r[..]).collect();
        let moving: Vec<(usize, f64)> = rates.iter().copied().enumerate().collect();
        check_allocation(&cap, &refs, &moving, "max_min_rates")?;
        let want = naive_rates(&cap, &refs);
        for (i, (&g, &w)) in rates.iter().zip(&want).enumerate() {
            prop_assert!((g - w).abs() <= 1e-9 * w, "flow {}: {} vs naive {}", i, g, w);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Differential: engine vs naive reference, general scenarios.
    #[test]
    fn matches_naive_reference(scn in scenario()) {
        check_against_naive(&scn.cap, &scn.flows, 1e-9);
    }

    /// Differential: engine vs naive reference, tie-heavy scenarios.
    #[test]
    fn matches_naive_reference_with_ties(scn in tie_scenario()) {
        check_against_naive(&scn.cap, &scn.flows, 1e-9);
    }

    /// Differential: engine vs naive reference, wide dynamic range.
    #[test]
    fn matches_naive_reference_wide_range(scn in wide_scenario()) {
        check_against_naive(&scn.cap, &scn.flows, 1e-9);
    }
}

// ---------------------------------------------------------------------------
// A seeded fat-tree scenario.

/// SplitMix64: a tiny seeded generator, so the scenario never changes.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// A flow scenario with named links and flows (for the CLI).
pub(crate) struct Named {
    pub(crate) link_ids: Vec<String>,
    pub(crate) cap: Vec<f64>,
    pub(crate) latency: Vec<f64>,
    pub(crate) flow_ids: Vec<String>,
    pub(crate) flows: Vec<Flow>,
}

impl Named {
    /// The scenario in the `fabricsim flows` JSON format (single paths only).
    pub(crate) fn to_json(&self) -> String {
        let links: Vec<serde_json::Value> = (0..self.cap.len())
            .map(|l| {
                serde_json::json!({
                    "id": self.link_ids[l], "bandwidth": self.cap[l], "latency": self.latency[l]
                })
            })
            .collect();
        let flows: Vec<serde_json::Value> = self
            .flows
            .iter()
            .zip(&self.flow_ids)
            .map(|(f, id)| {
                assert!(
                    f.route.iter().all(|&(_, phi)| phi == 1.0),
                    "JSON has no sprays"
                );
                let route: Vec<&str> = f
                    .route
                    .iter()
                    .map(|&(l, _)| self.link_ids[l as usize].as_str())
                    .collect();
                let deps: Vec<&str> = f
                    .deps
                    .iter()
                    .map(|&d| self.flow_ids[d as usize].as_str())
                    .collect();
                serde_json::json!({
                    "id": id, "route": route, "bytes": f.bytes, "start": f.start_s,
                    "deps": deps, "delay": f.delay_s,
                })
            })
            .collect();
        serde_json::json!({ "links": links, "flows": flows }).to_string()
    }
}

/// `n_flows` random flows on a two-tier fat-tree: 32 hosts, 4 leaves of 8
/// hosts, 2 spines. Host links 12.5 GB/s, leaf–spine links 25 GB/s (2:1
/// oversubscribed), every direction its own link. Cross-leaf flows pick a
/// spine at random, or (with `spray`) split evenly over both.
/// About 2% of flows are empty, 20% start at a shared round time, 10% depend
/// on one or two earlier flows.
pub(crate) fn fat_tree(seed: u64, n_flows: usize, spray: bool) -> Named {
    const HOSTS: usize = 32;
    const LEAVES: usize = 4;
    const SPINES: usize = 2;
    let per_leaf = HOSTS / LEAVES;
    let mut rng = Rng(seed);
    let mut s = Named {
        link_ids: vec![],
        cap: vec![],
        latency: vec![],
        flow_ids: vec![],
        flows: vec![],
    };
    let add = |s: &mut Named, id: String, cap: f64, lat: f64| {
        s.link_ids.push(id);
        s.cap.push(cap);
        s.latency.push(lat);
        (s.cap.len() - 1) as u32
    };
    let up: Vec<u32> = (0..HOSTS)
        .map(|h| add(&mut s, format!("h{h}>leaf{}", h / per_leaf), 12.5e9, 5e-7))
        .collect();
    let down: Vec<u32> = (0..HOSTS)
        .map(|h| add(&mut s, format!("leaf{}>h{h}", h / per_leaf), 12.5e9, 5e-7))
        .collect();
    let mut to_spine = [[0u32; SPINES]; LEAVES];
    let mut from_spine = [[0u32; SPINES]; LEAVES];
    for leaf in 0..LEAVES {
        for sp in 0..SPINES {
            to_spine[leaf][sp] = add(&mut s, format!("leaf{leaf}>spine{sp}"), 25e9, 1e-6);
            from_spine[leaf][sp] = add(&mut s, format!("spine{sp}>leaf{leaf}"), 25e9, 1e-6);
        }
    }
    for i in 0..n_flows {
        let src = rng.below(HOSTS);
        let dst = (src + 1 + rng.below(HOSTS - 1)) % HOSTS;
        let (a, b) = (src / per_leaf, dst / per_leaf);
        let route: Vec<(u32, f64)> = if a == b {
            vec![(up[src], 1.0), (down[dst], 1.0)]
        } else if spray && rng.below(2) == 0 {
            let mut r = vec![(up[src], 1.0)];
            for sp in 0..SPINES {
                r.push((to_spine[a][sp], 0.5));
                r.push((from_spine[b][sp], 0.5));
            }
            r.push((down[dst], 1.0));
            r
        } else {
            let sp = rng.below(SPINES);
            vec![
                (up[src], 1.0),
                (to_spine[a][sp], 1.0),
                (from_spine[b][sp], 1.0),
                (down[dst], 1.0),
            ]
        };
        // Route latency: a sprayed flow's paths have equal latency.
        let latency_s = if a == b { 1e-6 } else { 3e-6 };
        let bytes = match rng.below(50) {
            0 => 0.0,
            1..=15 => 65536.0,
            16..=30 => 1048576.0,
            _ => 1e3 + rng.unit() * 1e7,
        };
        let start_s = if rng.below(5) == 0 {
            1e-3 * rng.below(20) as f64
        } else {
            rng.unit() * 20e-3
        };
        let mut deps = vec![];
        let mut delay_s = 0.0;
        if i > 0 && rng.below(10) == 0 {
            deps.push(rng.below(i) as u32);
            if rng.below(2) == 0 {
                deps.push(rng.below(i) as u32);
            }
            delay_s = if rng.below(2) == 0 { 0.0 } else { 2e-6 };
        }
        s.flow_ids.push(format!("f{i}"));
        s.flows.push(Flow {
            route,
            latency_s,
            bytes,
            start_s,
            deps,
            delay_s,
        });
    }
    s
}

/// ~2000 flows with sprays on the fat-tree: engine vs naive reference.
#[test]
fn fat_tree_matches_naive_reference() {
    let s = fat_tree(0x5EED, 2000, true);
    check_against_naive(&s.cap, &s.flows, 1e-9);
}

/// Two runs of the same scenario give bit-identical results (no dependence
/// on hash seeds or addresses).
#[test]
fn simulation_is_deterministic() {
    let s = fat_tree(7, 2000, true);
    let a = sim(&s.cap, &s.flows);
    let b = sim(&s.cap, &s.flows);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.finish_s), bits(&b.finish_s));
    assert_eq!(bits(&a.release_s), bits(&b.release_s));
}

/// The traced run of the fat-tree satisfies the interval invariants too.
#[test]
fn fat_tree_trace_invariants() {
    let s = fat_tree(11, 600, true);
    let scn = Scn {
        cap: s.cap,
        flows: s.flows,
    };
    check_trace(&scn).unwrap();
}
