//! Hand-checked cases of the flow-level model (docs/semantics.md, "Flow-level
//! model"), through the public API only: `flow::max_min_rates`,
//! `flow::simulate`, `flow::validate`.
//!
//! Every expected number is derived by hand in the comment above its test,
//! never copied from the engine's output. Capacities are written as multiples
//! of `G` = 1e9 bytes/s so that the numbers look like real links.

use fabricsim::flow::{Completion, Flow, FlowError, max_min_rates, simulate, validate};

const G: f64 = 1e9;
use crate::common::assert_rel;

const REL: f64 = 1e-12;

#[track_caller]
fn assert_all(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_rel(g, w, REL, &format!("{what}[{i}]"));
    }
}

fn path(links: &[u32]) -> Vec<(u32, f64)> {
    links.iter().map(|&l| (l, 1.0)).collect()
}

fn flow(links: &[u32], bytes: f64) -> Flow {
    Flow::on_path(links, 0.0, bytes, 0.0)
}

fn after(mut f: Flow, deps: &[u32], delay_s: f64) -> Flow {
    f.deps = deps.to_vec();
    f.delay_s = delay_s;
    f
}

/// `simulate`, with a time limit so that a non-terminating engine fails.
fn run(cap: &[f64], flows: &[Flow]) -> Completion {
    crate::flow::flow_props::sim(cap, flows)
}

// ---------------------------------------------------------------------------
// One flow, two flows.

/// One flow over two links in series.
///
/// ```text
///   f: ──l0 (1 GB/s, 1 us)──l1 (0.4 GB/s, 0.5 us)──
/// ```
/// Released at 0.25 s, it waits its route latency 1.5 us, then moves 1 MB at
/// the slower link's 0.4 GB/s: 2.5 ms. Finish = 0.25 + 1.5e-6 + 2.5e-3.
#[test]
fn one_flow_is_latency_plus_bytes_over_capacity() {
    let f = Flow::on_path(&[0, 1], 1.5e-6, 1e6, 0.25);
    let out = run(&[1.0 * G, 0.4 * G], &[f]);
    assert_all(&out.release_s, &[0.25], "release");
    assert_all(&out.finish_s, &[0.25 + 1.5e-6 + 2.5e-3], "finish");
    assert_rel(out.makespan_s(), 0.25 + 1.5e-6 + 2.5e-3, REL, "makespan");
}

/// Two flows on one 1 GB/s link, both from t = 0.
///
/// ```text
///   a (1 MB): ──l0──
///   b (3 MB): ──l0──
/// ```
/// Both get 0.5 GB/s until a's 1 MB is through at 2 ms; b has sent 1 MB and
/// sends its last 2 MB alone at 1 GB/s: finish 4 ms (= 4 MB / 1 GB/s).
#[test]
fn two_flows_share_a_link() {
    let rates = max_min_rates(&[G], &[path(&[0]), path(&[0])]);
    assert_all(&rates, &[0.5 * G, 0.5 * G], "rates");
    let out = run(&[G], &[flow(&[0], 1e6), flow(&[0], 3e6)]);
    assert_all(&out.finish_s, &[2e-3, 4e-3], "finish");
}

/// Two flows that share l1, where one is held back elsewhere.
///
/// ```text
///   a: ──l0 (3)──l1 (10)──
///   b:           l1 (10)──l2 (10)──
/// ```
/// Filling: l0 saturates first at level 3 (a alone), so a = 3; b takes the
/// rest of l1: 10 − 3 = 7 (l2 would allow 10).
#[test]
fn bottleneck_elsewhere_leaves_the_rest_to_the_other_flow() {
    let rates = max_min_rates(
        &[3.0 * G, 10.0 * G, 10.0 * G],
        &[path(&[0, 1]), path(&[1, 2])],
    );
    assert_all(&rates, &[3.0 * G, 7.0 * G], "rates");
}

// ---------------------------------------------------------------------------
// Parking lot.

/// Parking lot with three links of different capacity (GB/s):
///
/// ```text
///   A: ──l0 (4)──l1 (6)──l2 (10)──
///   B: ──l0──    C: ──l1──    D: ──l2──
/// ```
/// Every link carries two flows. Levels at which each link saturates:
/// l0: 4/2 = 2, l1: 6/2 = 3, l2: 10/2 = 5. l0 goes first: A = B = 2.
/// Then l1 has 6 − 2 = 4 left for C alone: C = 4; l2 has 10 − 2 = 8: D = 8.
#[test]
fn parking_lot_rates() {
    let rates = max_min_rates(
        &[4.0 * G, 6.0 * G, 10.0 * G],
        &[path(&[0, 1, 2]), path(&[0]), path(&[1]), path(&[2])],
    );
    assert_all(&rates, &[2.0 * G, 2.0 * G, 4.0 * G, 8.0 * G], "rates");
}

/// The same parking lot simulated, sizes A = 12, B = 4, C = 20, D = 16 GB.
///
/// Phase 1, rates A, B, C, D = 2, 2, 4, 8: B and D both finish at t = 2.
/// A has 12 − 4 = 8 left, C has 20 − 8 = 12 left.
/// Phase 2, A and C: l0 alone would give A 4, l2 10, but l1 (6) is shared:
/// A = C = 3. A finishes at 2 + 8/3 = 14/3; C has 12 − 8 = 4 left.
/// Phase 3, C alone on l1 at 6: 4/6 more, finish 14/3 + 2/3 = 16/3.
/// Check: l1 is saturated throughout and carries A + C = 32 GB: 32/6 = 16/3.
#[test]
fn parking_lot_simulation() {
    let flows = [
        flow(&[0, 1, 2], 12.0 * G),
        flow(&[0], 4.0 * G),
        flow(&[1], 20.0 * G),
        flow(&[2], 16.0 * G),
    ];
    let out = run(&[4.0 * G, 6.0 * G, 10.0 * G], &flows);
    assert_all(&out.finish_s, &[14.0 / 3.0, 2.0, 16.0 / 3.0, 2.0], "finish");
    assert_rel(out.makespan_s(), 16.0 / 3.0, REL, "makespan");
}

// ---------------------------------------------------------------------------
// Time-varying sharing.

/// Staggered releases on one 1 GB/s link.
///
/// ```text
///   a (2 MB, t=0):   ──l0──
///   b (1.5 MB, t=1ms): ──l0──
/// ```
/// a alone for 1 ms: 1 MB sent, 1 MB left. Then 0.5 GB/s each: a's last MB
/// takes 2 ms → a finishes at 3 ms, b has sent 1 MB of 1.5 by then and sends
/// the last 0.5 MB alone: 0.5 ms → 3.5 ms (= 3.5 MB / 1 GB/s, link busy
/// throughout).
#[test]
fn staggered_release() {
    let flows = [
        Flow::on_path(&[0], 0.0, 2e6, 0.0),
        Flow::on_path(&[0], 0.0, 1.5e6, 1e-3),
    ];
    let out = run(&[G], &flows);
    assert_all(&out.release_s, &[0.0, 1e-3], "release");
    assert_all(&out.finish_s, &[3e-3, 3.5e-3], "finish");
}

/// A finishing flow hands its bandwidth to the others: sizes 7, 1, 2.5 MB on
/// one 2 GB/s link, all from t = 0 (input order deliberately unsorted).
///
/// With sizes s1 < s2 < s3 and capacity C:
/// - three flows at C/3 until the 1 MB one is done: t1 = 3·s1/C = 1.5 ms;
/// - two flows at C/2 for the 2.5 MB one's remaining 1.5 MB:
///   t2 = t1 + 2·(s2 − s1)/C = 1.5 + 1.5 = 3 ms;
/// - the 7 MB one alone for its remaining 4.5 MB: t3 = t2 + (s3 − s2)/C =
///   3 + 2.25 = 5.25 ms (= 10.5 MB / 2 GB/s).
#[test]
fn finishing_flow_hands_bandwidth_to_others() {
    let flows = [flow(&[0], 7e6), flow(&[0], 1e6), flow(&[0], 2.5e6)];
    let out = run(&[2.0 * G], &flows);
    assert_all(&out.finish_s, &[5.25e-3, 1.5e-3, 3e-3], "finish");
}

/// Latency first: a flow consumes no bandwidth while waiting its latency.
///
/// ```text
///   a (1 MB, latency 0):      ──l0 (1 GB/s)──
///   b (1 MB, latency 0.5 ms): ──l0──
/// ```
/// Both released at 0. a runs alone at 1 GB/s for 0.5 ms (0.5 MB), then both
/// share at 0.5 GB/s: a's last 0.5 MB takes 1 ms → 1.5 ms. b has sent 0.5 MB
/// by then; its last 0.5 MB alone takes 0.5 ms → 2 ms. (Had b taken its share
/// during its latency, a would finish at 2 ms.)
#[test]
fn latency_phase_consumes_no_bandwidth() {
    let flows = [
        Flow::on_path(&[0], 0.0, 1e6, 0.0),
        Flow::on_path(&[0], 0.5e-3, 1e6, 0.0),
    ];
    let out = run(&[G], &flows);
    assert_all(&out.release_s, &[0.0, 0.0], "release");
    assert_all(&out.finish_s, &[1.5e-3, 2e-3], "finish");
}

/// Latency is per flow, not per link: two flows with the same route but
/// different latencies simply activate at different times.
///
/// ```text
///   a (3 MB, latency 1 ms): ──l0 (1 GB/s)──
///   b (1 MB, latency 2 ms): ──l0──
/// ```
/// a alone 1..2 ms (1 MB, 2 MB left); both at 0.5 GB/s: b's 1 MB takes 2 ms
/// → b at 4 ms, a has 1 MB left → alone 1 ms → 5 ms.
#[test]
fn latencies_offset_activation() {
    let flows = [
        Flow::on_path(&[0], 1e-3, 3e6, 0.0),
        Flow::on_path(&[0], 2e-3, 1e6, 0.0),
    ];
    let out = run(&[G], &flows);
    assert_all(&out.finish_s, &[5e-3, 4e-3], "finish");
}

// ---------------------------------------------------------------------------
// Dependencies.

/// Chain a → b with a delay.
///
/// ```text
///   a (1 MB, latency 1 us):  ──l0 (1 GB/s)──
///   b (2 MB, latency 2 us):  ──l1 (1 GB/s)──   deps [a], delay 5 us
/// ```
/// a finishes at 1e-6 + 1e-3. b is released 5 us later and finishes
/// after its latency and 2 ms of transfer.
#[test]
fn dependency_chain_with_delay() {
    let a = Flow::on_path(&[0], 1e-6, 1e6, 0.0);
    let b = after(Flow::on_path(&[1], 2e-6, 2e6, 0.0), &[0], 5e-6);
    let out = run(&[G, G], &[a, b]);
    let fa = 1e-6 + 1e-3;
    let rb = fa + 5e-6;
    assert_all(&out.release_s, &[0.0, rb], "release");
    assert_all(&out.finish_s, &[fa, rb + 2e-6 + 2e-3], "finish");
}

/// Fan-in: c depends on a and b and is released at max(finish) + delay.
///
/// ```text
///   a (1 MB): ──l0 (1 GB/s)──┐
///   b (3 MB): ──l1 (1 GB/s)──┴→ c (1 MB on l0), delay 0.1 ms
/// ```
/// a finishes at 1 ms, b at 3 ms; c released at 3.1 ms, finishes at 4.1 ms.
/// (c is listed first, so a dependency may come later in the input.)
#[test]
fn fan_in_waits_for_the_last_dependency() {
    let c = after(flow(&[0], 1e6), &[1, 2], 1e-4);
    let out = run(&[G, G], &[c, flow(&[0], 1e6), flow(&[1], 3e6)]);
    assert_all(&out.release_s, &[3.1e-3, 0.0, 0.0], "release");
    assert_all(&out.finish_s, &[4.1e-3, 1e-3, 3e-3], "finish");
}

/// A dependency with a later `start`: release = max(start, last dep + delay).
///
/// a (1 MB on a 1 GB/s link) finishes at 1 ms.
/// - late: start 0.5 s, delay 0.1 ms → released at max(0.5, 1.1e-3) = 0.5 s,
///   finishes 1 ms later.
/// - early: start 0.5 ms, delay 0.1 ms → released at max(5e-4, 1.1e-3) =
///   1.1 ms, on its own link, finishes at 2.1 ms.
#[test]
fn dependency_respects_a_later_start() {
    let a = flow(&[0], 1e6);
    let late = after(Flow::on_path(&[1], 0.0, 1e6, 0.5), &[0], 1e-4);
    let early = after(Flow::on_path(&[2], 0.0, 1e6, 5e-4), &[0], 1e-4);
    let out = run(&[G, G, G], &[a, late, early]);
    assert_all(&out.release_s, &[0.0, 0.5, 1.1e-3], "release");
    assert_all(&out.finish_s, &[1e-3, 0.5 + 1e-3, 2.1e-3], "finish");
}

/// A released dependent competes like any other flow.
///
/// ```text
///   a (1 MB): ──l0 (1 GB/s)──          x (3 MB, t=0): ──l0──
///   b (1 MB): deps [a], no delay, on l0
/// ```
/// a and x share 0.5 GB/s each: a done at 2 ms (x has 2 MB left). b is
/// released at 2 ms and shares with x: b's 1 MB at 0.5 GB/s → 4 ms; x has
/// 1 MB left, alone → 5 ms (= 5 MB / 1 GB/s).
#[test]
fn released_dependent_shares_bandwidth() {
    let a = flow(&[0], 1e6);
    let b = after(flow(&[0], 1e6), &[0], 0.0);
    let x = flow(&[0], 3e6);
    let out = run(&[G], &[a, b, x]);
    assert_all(&out.release_s, &[0.0, 2e-3, 0.0], "release");
    assert_all(&out.finish_s, &[2e-3, 4e-3, 5e-3], "finish");
}

// ---------------------------------------------------------------------------
// Zero-byte flows.

/// A zero-byte flow finishes at release + latency and takes no bandwidth.
///
/// z: 0 bytes, latency 3 us, start 1 ms → finish 1.003 ms.
/// y: 1 MB on the same 1 GB/s link from 0 → finishes at 1 ms as if alone.
/// w: 0 bytes, no latency, at t = 0 → finishes at 0.
#[test]
fn zero_byte_flow_finishes_after_its_latency() {
    let z = Flow::on_path(&[0], 3e-6, 0.0, 1e-3);
    let y = flow(&[0], 1e6);
    let w = flow(&[0], 0.0);
    let out = run(&[G], &[z, y, w]);
    assert_all(&out.release_s, &[1e-3, 0.0, 0.0], "release");
    assert_all(&out.finish_s, &[1e-3 + 3e-6, 1e-3, 0.0], "finish");
}

/// Zero-byte flows as dependencies: a chain z1 → z2 → z3 (each 0 bytes,
/// latency 1 s, delay 0.5 s after its dependency) then a 1 GB flow f on a
/// 1 GB/s link with no latency.
///
/// z1: 0 → 1; z2: released 1.5 → 2.5; z3: released 3 → 4; f: released 4.5,
/// finishes 5.5.
#[test]
fn zero_byte_flows_as_dependencies() {
    let z1 = Flow::on_path(&[0], 1.0, 0.0, 0.0);
    let z2 = after(Flow::on_path(&[0], 1.0, 0.0, 0.0), &[0], 0.5);
    let z3 = after(Flow::on_path(&[0], 1.0, 0.0, 0.0), &[1], 0.5);
    let f = after(flow(&[0], G), &[2], 0.5);
    let out = run(&[G], &[z1, z2, z3, f]);
    assert_all(&out.release_s, &[0.0, 1.5, 3.0, 4.5], "release");
    assert_all(&out.finish_s, &[1.0, 2.5, 4.0, 5.5], "finish");
}

/// Zero-latency, zero-delay chain of zero-byte flows: all finish at their
/// start instant, and the flow behind them starts right away.
#[test]
fn instant_zero_byte_chain() {
    let z1 = Flow::on_path(&[0], 0.0, 0.0, 2.0);
    let z2 = after(flow(&[0], 0.0), &[0], 0.0);
    let f = after(flow(&[0], 4.0 * G), &[1], 0.0);
    let out = run(&[2.0 * G], &[z1, z2, f]);
    assert_all(&out.release_s, &[2.0, 2.0, 2.0], "release");
    assert_all(&out.finish_s, &[2.0, 2.0, 4.0], "finish");
}

// ---------------------------------------------------------------------------
// Sprayed routes.

/// A sprayed flow: half its rate on each of two parallel 4 GB/s links.
///
/// ```text
///                ┌─l1 (4)─┐
///   S: ──l0 (10)─┤        ├─l3 (10)──      S: 1 on l0, l3; ½ on l1, l2
///                └─l2 (4)─┘                P: l1 only
/// ```
/// Levels: l0 10/1 = 10, l1 4/(½ + 1) = 8/3, l2 4/½ = 8, l3 10. l1 goes
/// first: S = P = 8/3.
/// Simulation with S = 16 GB, P = 8 GB: P done at 8/(8/3) = 3 s, S has
/// sent 8 GB. S alone: l1 and l2 allow 4/½ = 8, l0 and l3 10 → 8 GB/s for
/// the last 8 GB: finish 4 s.
#[test]
fn sprayed_route_over_parallel_links() {
    let cap = [10.0 * G, 4.0 * G, 4.0 * G, 10.0 * G];
    let s_route = vec![(0, 1.0), (1, 0.5), (2, 0.5), (3, 1.0)];
    let rates = max_min_rates(&cap, &[s_route.clone(), path(&[1])]);
    assert_all(&rates, &[8.0 / 3.0 * G, 8.0 / 3.0 * G], "rates");

    let s = Flow {
        route: s_route,
        latency_s: 0.0,
        bytes: 16.0 * G,
        start_s: 0.0,
        deps: vec![],
        delay_s: 0.0,
    };
    let out = run(&cap, &[s, flow(&[1], 8.0 * G)]);
    assert_all(&out.finish_s, &[4.0, 3.0], "finish");
}

/// Two flows sprayed over the same two links in opposite proportions:
/// a puts ¾ on l0 and ¼ on l1, b ¼ on l0 and ¾ on l1; both links 1 GB/s.
/// By symmetry both get the same rate r with ¾r + ¼r = 1 → r = 1 GB/s.
/// With 3 GB each, both finish at 3 s.
#[test]
fn sprayed_routes_with_unequal_fractions() {
    let a = vec![(0, 0.75), (1, 0.25)];
    let b = vec![(0, 0.25), (1, 0.75)];
    let rates = max_min_rates(&[G, G], &[a.clone(), b.clone()]);
    assert_all(&rates, &[G, G], "rates");
    let mk = |route| Flow {
        route,
        latency_s: 0.0,
        bytes: 3.0 * G,
        start_s: 0.0,
        deps: vec![],
        delay_s: 0.0,
    };
    let out = run(&[G, G], &[mk(a), mk(b)]);
    assert_all(&out.finish_s, &[3.0, 3.0], "finish");
}

/// Flows with identical routes split evenly: 3 flows on one 9 GB/s link get
/// 3 GB/s each; a fourth on a disjoint link gets all of its link.
#[test]
fn identical_routes_and_disjoint_links() {
    let rates = max_min_rates(
        &[9.0 * G, 5.0 * G],
        &[path(&[0]), path(&[0]), path(&[1]), path(&[0])],
    );
    assert_all(&rates, &[3.0 * G, 3.0 * G, 5.0 * G, 3.0 * G], "rates");
}

/// Nothing to simulate: no flows, makespan 0.
#[test]
fn no_flows() {
    let out = run(&[G], &[]);
    assert!(out.finish_s.is_empty() && out.release_s.is_empty());
    assert_eq!(out.makespan_s(), 0.0);
    assert!(max_min_rates(&[G], &[]).is_empty());
}

// ---------------------------------------------------------------------------
// Invalid input: one case per rule of `flow::validate`. Each must come back
// as the matching `FlowError` from `validate`, `simulate` and
// `simulate_traced` alike, never as a panic.

/// Runs all three entry points and checks they agree on the error.
#[track_caller]
fn rejects(cap: &[f64], flows: &[Flow]) -> FlowError {
    let e = validate(cap, flows).expect_err("input must be rejected");
    let e_sim = simulate(cap, flows).expect_err("simulate must reject");
    let e_tr =
        fabricsim::flow::engine::simulate_traced(cap, flows).expect_err("traced must reject");
    // NaN payloads make `==` false, so compare the rendered messages.
    assert_eq!(e.to_string(), e_sim.to_string());
    assert_eq!(e.to_string(), e_tr.to_string());
    e
}

fn ok_flow() -> Flow {
    flow(&[0], 1.0)
}

#[test]
fn rejects_empty_route() {
    let e = rejects(&[G], &[ok_flow(), flow(&[], 1.0)]);
    assert_eq!(e, FlowError::EmptyRoute { flow: 1 });
}

#[test]
fn rejects_unknown_link() {
    let e = rejects(&[G, G], &[ok_flow(), flow(&[1, 5], 1.0)]);
    assert_eq!(
        e,
        FlowError::UnknownLink {
            flow: 1,
            link: 5,
            n_links: 2
        }
    );
    // No links at all.
    let e = rejects(&[], &[ok_flow()]);
    assert_eq!(
        e,
        FlowError::UnknownLink {
            flow: 0,
            link: 0,
            n_links: 0
        }
    );
}

#[test]
fn rejects_repeated_link() {
    let e = rejects(&[G, G, G], &[flow(&[0, 2, 1, 2], 1.0)]);
    assert_eq!(e, FlowError::RepeatedLink { flow: 0, link: 2 });
    // Also when the repeats carry fractions that sum to at most 1.
    let mut f = ok_flow();
    f.route = vec![(1, 0.5), (1, 0.5)];
    let e = rejects(&[G, G], &[ok_flow(), f]);
    assert_eq!(e, FlowError::RepeatedLink { flow: 1, link: 1 });
}

#[test]
fn rejects_bad_fraction() {
    for value in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        let mut f = ok_flow();
        f.route = vec![(0, 1.0), (1, value)];
        let e = rejects(&[G, G], &[f]);
        match e {
            FlowError::BadFraction {
                flow: 0,
                link: 1,
                value: v,
            } => {
                assert!(v.to_bits() == value.to_bits(), "{v} vs {value}")
            }
            other => panic!("fraction {value}: got {other:?}"),
        }
    }
    // Exactly 1 and tiny positive fractions are fine.
    let mut f = ok_flow();
    f.route = vec![(0, 1.0), (1, 1e-300)];
    validate(&[G, G], &[f]).expect("fractions in (0, 1] are valid");
}

#[test]
fn rejects_bad_values() {
    type Set = fn(&mut Flow, f64);
    let fields: [(&str, Set); 4] = [
        ("latency", |f, v| f.latency_s = v),
        ("bytes", |f, v| f.bytes = v),
        ("start", |f, v| f.start_s = v),
        ("delay", |f, v| f.delay_s = v),
    ];
    for (name, set) in fields {
        for value in [f64::NAN, -1.0, -1e-300, f64::INFINITY, f64::NEG_INFINITY] {
            let mut f = ok_flow();
            set(&mut f, value);
            let e = rejects(&[G], &[ok_flow(), f]);
            match e {
                FlowError::BadValue {
                    flow: 1,
                    field,
                    value: v,
                } => {
                    assert_eq!(field, name);
                    assert!(v.to_bits() == value.to_bits(), "{name}: {v} vs {value}");
                }
                other => panic!("{name} = {value}: got {other:?}"),
            }
        }
    }
}

#[test]
fn rejects_non_positive_capacity() {
    for value in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = rejects(&[G, value], &[ok_flow()]);
        match e {
            FlowError::BadCapacity { link: 1, value: v } => {
                assert!(v.to_bits() == value.to_bits(), "{v} vs {value}")
            }
            other => panic!("capacity {value}: got {other:?}"),
        }
    }
}

#[test]
fn rejects_unknown_dependency() {
    let f = after(ok_flow(), &[0, 7], 0.0);
    let e = rejects(&[G], &[ok_flow(), f]);
    assert_eq!(e, FlowError::UnknownDep { flow: 1, dep: 7 });
}

#[test]
fn rejects_dependency_cycles() {
    // Self-loop.
    let e = rejects(&[G], &[after(ok_flow(), &[0], 0.0)]);
    assert_eq!(e, FlowError::Cycle { flow: 0 });

    // 0 is fine; 1 → 2 → 3 → 1 is a cycle; 4 depends on the cycle; 5 on 0.
    // Any of 1..=4 is a correct culprit (none of them is ever released).
    let flows = [
        ok_flow(),
        after(ok_flow(), &[3], 0.0),
        after(ok_flow(), &[1], 0.0),
        after(ok_flow(), &[2], 0.0),
        after(ok_flow(), &[2, 0], 0.0),
        after(ok_flow(), &[0], 0.0),
    ];
    match rejects(&[G], &flows) {
        FlowError::Cycle { flow } => assert!((1..=4).contains(&flow), "culprit {flow}"),
        other => panic!("got {other:?}"),
    }
}

/// Valid edge values are accepted: zero bytes, start, latency, delay, and a
/// flow depending twice on the same flow.
#[test]
fn accepts_edge_values() {
    let z = Flow::on_path(&[0], 0.0, 0.0, 0.0);
    let twice = after(flow(&[0], 2.0 * G), &[0, 0], 0.0);
    let out = run(&[G], &[z, twice]);
    assert_all(&out.finish_s, &[0.0, 2.0], "finish");
}

/// Rule: times must stay within f64. One flow of 1e300 bytes on a 1 B/s link
/// needs 1e300 s, beyond the documented bound (1e280 s);
/// a thousandth of that (1e277 s) is accepted.
#[test]
fn rejects_inputs_whose_times_could_overflow() {
    let too_big = vec![flow(&[0], 1e300)];
    assert!(matches!(
        validate(&[1.0], &too_big),
        Err(FlowError::TooLarge { .. })
    ));
    assert!(matches!(
        simulate(&[1.0], &too_big),
        Err(FlowError::TooLarge { .. })
    ));
    let fine = vec![flow(&[0], 1e277)];
    let out = simulate(&[1.0], &fine).unwrap();
    assert_rel(out.finish_s[0], 1e277, 1e-12, "1e277 bytes at 1 B/s");
}

/// Long history, then many flows: a 1 GB/s link carries one 1 GB flow in
/// [0, 1] s, idles, and at T0 = 1e5 s N = 300 flows of sizes b_k = 1e6 + k
/// bytes start together. With k−1 flows gone, N−k+1 share the link, so
/// `finish_k = T0 + Σ_{j≤k} (b_j − b_{j−1})·(N−j+1)/C` (b_0 = 0).
/// Events within 1e-12·t ≈ 1e-7 s may be batched (the model's tolerance), so
/// each finish must be within 2e-7 s of the formula. A completion tolerance
/// that grew with the link's byte history (1e14 bytes here, so ±100 bytes)
/// used to merge flows whose finishes are up to 3e-5 s apart (review finding).
#[test]
fn long_history_does_not_merge_completions() {
    let c = 1e9;
    let t0 = 1e5;
    let n = 300usize;
    let mut flows = vec![flow(&[0], 1e9)];
    for k in 0..n {
        let mut f = flow(&[0], 1e6 + k as f64);
        f.start_s = t0;
        flows.push(f);
    }
    let out = run(&[c], &flows);
    assert_rel(out.finish_s[0], 1.0, 1e-12, "first flow");
    let mut t = t0;
    let mut prev = 0.0;
    for k in 0..n {
        let b = 1e6 + k as f64;
        t += (b - prev) * (n - k) as f64 / c;
        prev = b;
        let err = (out.finish_s[k + 1] - t).abs();
        assert!(
            err <= 2e-7,
            "flow {k}: finish {} vs {t} (error {err:e} s)",
            out.finish_s[k + 1]
        );
    }
}

/// A cycle is reported at a flow on it: a ↔ b form the cycle, c only waits
/// on a, so the error must name a or b, never c.
#[test]
fn cycle_error_names_a_flow_on_the_cycle() {
    let a = after(flow(&[0], 1.0), &[1], 0.0);
    let b = after(flow(&[0], 1.0), &[0], 0.0);
    let c = after(flow(&[0], 1.0), &[0], 0.0);
    // Put c first so a naive "first blocked flow" answer would be wrong.
    let flows = vec![c, a, b];
    let flows: Vec<Flow> = flows
        .into_iter()
        .map(|mut f| {
            f.deps = f.deps.iter().map(|&d| d + 1).collect();
            f
        })
        .collect();
    match validate(&[1.0], &flows) {
        Err(FlowError::Cycle { flow }) => assert!(flow == 1 || flow == 2, "named flow {flow}"),
        other => panic!("expected a cycle error, got {other:?}"),
    }
}
