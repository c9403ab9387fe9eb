//! Tree, NVLS and hierarchical collectives: closed forms on ideal fabrics
//! (derived by hand under max-min sharing), bytes moved per rank, the
//! repetition shortcut, `Unsupported` cases and the lower bound.

use crate::common::knobs;
use crate::common::topology as shipped;
use fabricsim::collective::algorithms::schedule;
use fabricsim::collective::hierarchical::{Inter, Intra, hierarchical_with};
use fabricsim::collective::nvls::{self, nvls};
use fabricsim::collective::run::{Request, run};
use fabricsim::collective::tree::{depths, double_binary_tree, tree};
use fabricsim::collective::{Algo, CollectiveError, CollectiveSim, Op, Params, Schedule};
use fabricsim::topology::{NodeId, Topology};

pub(crate) fn rel(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

/// n GPUs on one non-blocking switch `sw`, every link `bw` GB/s per
/// direction, zero latency; `sw` reduces in the network when `reduce`.
pub(crate) fn star(n: usize, bw_gbps: f64, reduce: bool) -> Topology {
    star_of(n, "custom", bw_gbps, reduce, None)
}

/// [`star`] with links of `kind` and, when given, tier `tier`.
pub(crate) fn star_of(
    n: usize,
    kind: &str,
    bw_gbps: f64,
    reduce: bool,
    tier: Option<&str>,
) -> Topology {
    let tier = tier
        .map(|t| format!("tier = \"{t}\"\n"))
        .unwrap_or_default();
    let toml = format!(
        r#"
[[nodes]]
id = "gpu[0..{n}]"
kind = "accelerator"
[[nodes]]
id = "sw"
kind = "switch"
in_switch_reduction = {reduce}
[[links]]
between = ["gpu[0..{n}]", "sw"]
kind = "{kind}"
bandwidth = "{bw_gbps} GB/s"
latency = "0 ns"
{tier}"#
    );
    Topology::parse(&toml, "star.toml", &Default::default()).unwrap()
}

/// `[[links]]` tables of custom kind and zero latency: `(a, b, GB/s, tier)`.
fn custom_links(links: &[(&str, &str, f64, &str)]) -> String {
    links
        .iter()
        .map(|(a, b, bw, tier)| {
            format!(
                "[[links]]\nbetween = [\"{a}\", \"{b}\"]\nkind = \"custom\"\n\
                 bandwidth = \"{bw} GB/s\"\nlatency = \"0 ns\"\ntier = \"{tier}\"\n"
            )
        })
        .collect()
}

/// Two scale-up domains of `g` GPUs, each a star around its switch
/// (`bu` GB/s per GPU link, tier `scale-up`), joined by one `bx` GB/s link
/// between the two switches (tier `spine`), zero latency:
///
/// ```text
///   a0..a{g-1} ── swa ════ swb ── b0..b{g-1}
/// ```
pub(crate) fn two_domains(g: usize, bu: f64, bx: f64, reduce: bool) -> Topology {
    let toml = format!(
        r#"
[[nodes]]
id = ["a[0..{g}]", "b[0..{g}]"]
kind = "accelerator"
[[nodes]]
id = ["swa", "swb"]
kind = "switch"
in_switch_reduction = {reduce}
{}"#,
        custom_links(&[
            (&format!("a[0..{g}]"), "swa", bu, "scale-up"),
            (&format!("b[0..{g}]"), "swb", bu, "scale-up"),
            ("swa", "swb", bx, "spine"),
        ])
    );
    Topology::parse(&toml, "two-domains.toml", &Default::default()).unwrap()
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

fn time(topo: &Topology, alpha_s: f64, s: &Schedule) -> f64 {
    sim(topo, alpha_s).run(s).unwrap().time_s
}

const ALPHA: f64 = 5e-6;

/// NCCL's double binary tree: both trees are trees of depth ⌈log2 n⌉ with
/// at most 2 children per node, and for even n every rank is interior in at
/// most one of them.
#[test]
fn double_binary_tree_shape() {
    for n in 2..=70usize {
        let trees = double_binary_tree(n);
        let want_depth = (n as f64).log2().ceil() as usize;
        let mut interior = vec![0; n];
        for t in &trees {
            assert_eq!(t.iter().filter(|p| p.is_none()).count(), 1, "n={n}");
            assert_eq!(depths(t).into_iter().max(), Some(want_depth), "n={n}");
            let mut children = vec![0; n];
            for p in t.iter().flatten() {
                children[*p] += 1;
            }
            for r in 0..n {
                assert!(children[r] <= 2, "n={n} rank {r}");
                if children[r] > 0 {
                    interior[r] += 1;
                }
            }
        }
        if n % 2 == 0 {
            assert!(interior.iter().all(|&k| k <= 1), "n={n}: {interior:?}");
        }
    }
    // The n = 8 trees of the derivations below.
    let [t1, t2] = double_binary_tree(8);
    let p = |t: &[Option<usize>]| {
        t.iter()
            .map(|p| p.map_or(-1, |x| x as i64))
            .collect::<Vec<_>>()
    };
    assert_eq!(p(&t1), vec![-1, 2, 4, 2, 0, 6, 4, 6]);
    assert_eq!(p(&t2), vec![1, 3, 1, 7, 5, 3, 5, -1]);
}

/// Pipelined double-binary-tree all-reduce on a non-blocking star (per-rank
/// bandwidth B, per-slot latency α), m chunks of c = S/(2m) per tree.
///
/// Latency (`pipeline_stages`, `StepLatency::Front`): in the slots in which
/// the first chunk is still travelling (the fill, one per hop), only that
/// chunk's hop starts after α; the later chunks in those slots start at
/// once (each follows a chunk that crossed its hop one slot before), and
/// no transfer of a later slot pays α. On a star a flow crosses its
/// source's uplink and its destination's downlink, so a link with k chunks
/// gives each B/k when that is the tightest constraint.
///
/// Hops, n = 4 (D = 2; tree 1: 0→2→{1,3}; tree 2 (mirror): 3→1→{2,0}):
/// h0 = {1→2, 3→2, 2→1, 0→1}, h1 = {2→0, 1→3}, h2 = {0→2, 3→1},
/// h3 = {2→1, 2→3, 1→2, 1→0}. n = 8 (D = 3; tree 1: 0→4→{2,6}, 2→{1,3},
/// 6→{5,7}; tree 2 mirrored: 7→3→{5,1}, 5→{6,4}, 1→{2,0}): h0 = {1→2,
/// 3→2, 5→6, 7→6, 6→5, 4→5, 2→1, 0→1}, h1 = {2→4, 6→4, 5→3, 1→3},
/// h2 = {4→0, 3→7}, h3 = {0→4, 7→3}, h4 = {4→2, 4→6, 3→5, 3→1},
/// h5 = {2→1, 2→3, 6→5, 6→7, 5→6, 5→4, 1→2, 1→0}.
///
/// Slots with every hop's α hidden (after the fill), m ≥ 2D:
/// - n = 2: steady {h0,h1} ×(m−2): 2c/B; drain {h1}: c/B;
/// - n = 4: steady ×(m−4): 4c/B (ranks 1, 2 send and receive 4 chunks,
///   every flow has 1 or 2 as an end); drain {h1,h2,h3}: uplinks of 1, 2
///   carry 3: 3c/B; {h2,h3}, {h3}: 2c/B;
/// - n = 8: steady ×(m−6): 4c/B; drain {h1..h5}: downlinks of 4 and 3
///   carry 4: 4c/B; {h2..h5}: uplinks of 4 and 3 carry 3: 3c/B;
///   {h3..h5}, {h4,h5}, {h5}: at most 2 per link, every flow meets a 2:
///   2c/B each.
///
/// Fill slot t (front hop h_t) when α is at least the makespan of the
/// slot's later chunks (≤ 4c/B here, α = 1 ms against c/B = 10 µs): those
/// finish before the first chunk starts, which then crosses h_t alone:
/// α + (most chunks on one link of h_t)·c/B. Per hop alone: n = 2: 1, 1;
/// n = 4: 2, 1, 1, 2; n = 8: 2, 2, 1, 1, 2, 2. So
/// - n = 2: t = 2α + (2 + 2(m−2) + 1)·c/B = 2α + (2m−1)·c/B;
/// - n = 4: t = 4α + (6 + 4(m−4) + 7)·c/B = 4α + (4m−3)·c/B;
/// - n = 8: t = 6α + (10 + 4(m−6) + 13)·c/B = 6α + (4m−1)·c/B.
///
/// With α ≤ c/B (5 µs), n = 2: the fill's second slot {h0,h1} has chunk 1
/// from 0 and chunk 0 from α on every link, which never idles: 2c/B. So
/// t = (α + c/B) + 2c/B + 2(m−2)·c/B + c/B = α + 2m·c/B = α + S/B, the
/// all-reduce optimum for n = 2 plus one α.
/// With m = 1 there is one chunk and nothing overlaps: t = 2α + 2c/B.
#[test]
fn tree_all_reduce_matches_closed_form() {
    let b = 100e9;
    let chunk = 1e6;
    let c = chunk / b;
    let long = 1e-3;
    let long_alpha = |n: usize, m: usize| (n, m, long);
    for (n, m, alpha) in [
        (2usize, 1usize, ALPHA),
        (2, 2, ALPHA),
        (2, 37, ALPHA),
        long_alpha(2, 2),
        long_alpha(2, 37),
        long_alpha(4, 4),
        long_alpha(4, 25),
        long_alpha(8, 6),
        long_alpha(8, 7),
        long_alpha(8, 64),
    ] {
        let topo = star(n, 100.0, false);
        let s = 2.0 * m as f64 * chunk;
        let sched = tree(Op::AllReduce, &topo.accelerators, s, chunk).unwrap();
        let slots = m + 2 * (n as f64).log2() as usize - 1;
        assert_eq!(sched.step_count(), slots as u64, "n={n} m={m}");
        let mf = m as f64;
        let want = match (n, m, alpha == long) {
            (2, 1, _) => 2.0 * alpha + 2.0 * c,
            (2, _, false) => alpha + 2.0 * mf * c,
            (2, _, true) => 2.0 * alpha + (2.0 * mf - 1.0) * c,
            (4, _, true) => 4.0 * alpha + (4.0 * mf - 3.0) * c,
            (8, _, true) => 6.0 * alpha + (4.0 * mf - 1.0) * c,
            _ => unreachable!(),
        };
        let t = time(&topo, alpha, &sched);
        assert!(rel(t, want) < 1e-9, "n={n} m={m} α={alpha}: {t} vs {want}");
    }
}

/// Two groups' pipelines merged into one schedule (`Schedule::merge`, as
/// concurrent groups run) keep the pipeline's latency rule: on a star the
/// groups {0..3} and {4..7} share no link, so with α = 1 ms the merged
/// tree all-reduce takes exactly one group's time, the n = 4 closed form of
/// `tree_all_reduce_matches_closed_form`: 4α + (4m−3)·c/B. (Had the merge
/// made every fill transfer pay α, the later chunks would start after it
/// too: 4α + (4m+2)·c/B, five chunk times more.)
#[test]
fn merged_pipelines_pay_the_first_chunks_latency_only() {
    let topo = star(8, 100.0, false);
    let (chunk, m, alpha) = (1e6, 9usize, 1e-3);
    let s = 2.0 * m as f64 * chunk;
    let accs = &topo.accelerators;
    let parts = [&accs[..4], &accs[4..]]
        .iter()
        .map(|g| tree(Op::AllReduce, g, s, chunk).unwrap())
        .collect();
    let merged = Schedule::merge(parts).unwrap();
    let want = 4.0 * alpha + (4.0 * m as f64 - 3.0) * chunk / 100e9;
    let t = time(&topo, alpha, &merged);
    assert!(rel(t, want) < 1e-9, "{t} vs {want}");
}

/// Pipelined single-tree broadcast and reduce, n = 8 (tree 1: 0→4→{2,6},
/// 2→{1,3}, 6→{5,7}; D = 3), m ≥ 3 chunks of c = S/m, α ≤ c/B (5 µs
/// against 40 µs). Latency as in `tree_all_reduce_matches_closed_form`.
///
/// Broadcast hops: h0 = {0→4}, h1 = {4→2, 4→6}, h2 = {2→1, 2→3, 6→5, 6→7}.
/// Fill: {h0}: α + c/B; {h0,h1}: the first chunk's 4→2 and 4→6 share 4's
/// uplink from α: α + 2c/B (chunk 1's 0→4 shares no link with them);
/// {h0,h1,h2}: the first chunk's h2 flows share the uplinks of 2 and 6
/// from α: α + 2c/B, no link shared with the later chunks' (2c/B). Then
/// steady ×(m−3): uplinks of 2, 4, 6 carry 2: 2c/B; drain {h1,h2}, {h2}:
/// 2c/B. t = 3α + (1 + 2 + 2 + 2(m−3) + 4)·c/B = 3α + (2m+3)·c/B.
///
/// Reduce is the mirror image: h0 = {1→2, 3→2, 5→6, 7→6}, h1 = {2→4,
/// 6→4}, h2 = {4→0}. Fill: {h0}: downlinks of 2, 6 carry 2: α + 2c/B;
/// {h0,h1}: the first chunk's h1 shares 4's downlink from α, no link with
/// chunk 1's h0: α + 2c/B; {h0,h1,h2}: the first chunk's 4→0 alone on its
/// links ends at α + c/B, before the later chunks' 2c/B: 2c/B. Then steady
/// ×(m−3): 2c/B; drain {h1,h2}: 2c/B, {h2}: c/B.
/// t = 2α + (2 + 2 + 2 + 2(m−3) + 3)·c/B = 2α + (2m+3)·c/B.
#[test]
fn tree_broadcast_and_reduce_match_closed_form() {
    let topo = star(8, 50.0, false);
    for (op, alphas) in [(Op::Broadcast, 3.0), (Op::Reduce, 2.0)] {
        for m in [3usize, 10] {
            let chunk = 2e6;
            let s = m as f64 * chunk;
            let sched = tree(op, &topo.accelerators, s, chunk).unwrap();
            let want = alphas * ALPHA + (2 * m + 3) as f64 * chunk / 50e9;
            let t = time(&topo, ALPHA, &sched);
            assert!(rel(t, want) < 1e-9, "{op} m={m}: {t} vs {want}");
        }
    }
}

/// NVLS on a star whose switch reduces: every rank sends S to the switch
/// and receives S back in one step, uplink and downlink each carrying S:
/// t = α + S/B; busbw = S/t · 2(n−1)/n = 2(n−1)/n · B when α = 0.
/// Reduce-scatter: S up, S/n down: t = α + S/B. All-gather: S/n up,
/// (n−1)/n · S down: t = α + (n−1)/n · S/B.
#[test]
fn nvls_matches_closed_form() {
    for n in [2usize, 4, 8] {
        let topo = star(n, 100.0, true);
        let ranks = &topo.accelerators;
        let (s, b, nf) = (1e9, 100e9, n as f64);
        for (op, want) in [
            (Op::AllReduce, ALPHA + s / b),
            (Op::ReduceScatter, ALPHA + s / b),
            (Op::AllGather, ALPHA + (nf - 1.0) / nf * s / b),
        ] {
            let t = time(&topo, ALPHA, &nvls(&topo, op, ranks, s).unwrap());
            assert!(rel(t, want) < 1e-9, "{op} n={n}: {t} vs {want}");
        }
        let mut sm = sim(&topo, 0.0);
        let req = Request {
            op: Op::AllReduce,
            algo: Algo::Nvls,
            size: s,
            channels: None,
            chunk_bytes: 4e6,
            protocol: None,
        };
        let o = run(&mut sm, ranks, &req).unwrap();
        assert!(rel(o.busbw_gbps, 2.0 * (nf - 1.0) / nf * 100.0) < 1e-9);
        // Auto prefers NVLS here: S/B beats ring's 2(n−1)/n · S/B (n > 2).
        if n > 2 {
            let auto = run(
                &mut sm,
                ranks,
                &Request {
                    algo: Algo::Auto,
                    ..req
                },
            )
            .unwrap();
            assert_eq!(auto.algorithm, Algo::Nvls);
        }
    }
}

/// NVLS splits each rank's traffic over the reducing switches in proportion
/// to its links: 5/18, 4/18, 4/18, 5/18 on HGX H100.
#[test]
fn nvls_shares_follow_link_capacity_on_hgx() {
    let topo = shipped("hgx-h100.toml");
    let plan = nvls::plan(&topo, &topo.accelerators).unwrap();
    let shares: Vec<f64> = plan.switches.iter().map(|&(_, w)| w).collect();
    let want = [5.0 / 18.0, 4.0 / 18.0, 4.0 / 18.0, 5.0 / 18.0];
    assert_eq!(shares.len(), 4);
    for (got, want) in shares.iter().zip(want) {
        assert!(rel(*got, want) < 1e-12, "{shares:?}");
    }
}

fn unsupported_why(r: Result<Schedule, CollectiveError>) -> String {
    match r {
        Err(CollectiveError::Unsupported { why, .. }) => why,
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

/// Unsupported cases say what is missing, and `auto` skips them.
#[test]
fn unsupported_cases_are_explained() {
    // NVLS on a switch without reduction.
    let plain = star(4, 100.0, false);
    let why = unsupported_why(nvls(&plain, Op::AllReduce, &plain.accelerators, 1e6));
    assert!(
        why.contains("in_switch_reduction = true") && why.contains("gpu0"),
        "{why}"
    );
    // NVLS across domains.
    let two = two_domains(4, 100.0, 50.0, true);
    let why = unsupported_why(nvls(&two, Op::AllReduce, &two.accelerators, 1e6));
    assert!(
        why.contains("2 scale-up domains") && why.contains("hierarchical"),
        "{why}"
    );
    // NVLS for an operation it does not serve.
    let red = star(4, 100.0, true);
    unsupported_why(nvls(&red, Op::Broadcast, &red.accelerators, 1e6));
    // Tree for all-to-all.
    unsupported_why(tree(Op::AllToAll, &red.accelerators, 1e6, 1e5));
    // Hierarchical inside one domain, and with unequal domains.
    let hgx = shipped("hgx-h100.toml");
    let why = unsupported_why(schedule(
        &hgx,
        Op::AllReduce,
        Algo::Hierarchical,
        &hgx.accelerators,
        1e6,
        knobs(1, 1e6),
    ));
    assert!(why.contains("one scale-up domain"), "{why}");
    let uneven: Vec<NodeId> = two.accelerators[..7].to_vec();
    let why = unsupported_why(schedule(
        &two,
        Op::AllReduce,
        Algo::Hierarchical,
        &uneven,
        1e6,
        knobs(1, 1e6),
    ));
    assert!(why.contains("unequal") && why.contains("4, 3"), "{why}");
    // Auto skips what does not apply.
    let mut s = sim(&plain, 0.0);
    let o = run(
        &mut s,
        &plain.accelerators,
        &Request {
            op: Op::AllReduce,
            algo: Algo::Auto,
            size: 1e8,
            channels: None,
            chunk_bytes: 4e6,
            protocol: None,
        },
    )
    .unwrap();
    assert_ne!(o.algorithm, Algo::Nvls);
}

/// Hierarchical all-reduce on 2 domains × 4 GPUs (B_u = 100 GB/s per GPU
/// link, one B_x = 40 GB/s link between the domain switches), S = 800 MB.
///
/// Ring inside the domains:
/// 1. reduce-scatter: 3 steps; in each, every GPU sends S/4 to its ring
///    successor through its own switch (one flow per up- and downlink):
///    α + S/(4·B_u) each;
/// 2. rail all-reduce of S/4 across the 2 domains: 2 steps; in each, the 4
///    rails send S/8 each way over swa→swb (and swb→swa): 4 flows share
///    B_x, B_x/4 each (< B_u): α + (S/8)/(B_x/4) = α + S/(2·B_x) each;
/// 3. all-gather: as 1.
///
/// t = 8·α + 6·S/(4·B_u) + S/B_x.
///
/// NVLS inside the domains (both switches reduce):
/// 1. reduce-scatter: one step, S up, S/4 down per GPU: α + S/B_u;
/// 2. as above: 2·(α + S/(2·B_x));
/// 3. all-gather: one step, S/4 up, 3S/4 down: α + 3S/(4·B_u).
///
/// t = 4·α + S/B_u + S/B_x + 3S/(4·B_u).
#[test]
fn hierarchical_all_reduce_phases_add_up() {
    let (s, bu, bx) = (800e6, 100e9, 40e9);
    for reduce in [false, true] {
        let topo = two_domains(4, 100.0, 40.0, reduce);
        let ranks = &topo.accelerators;
        let intra = if reduce { Intra::Nvls } else { Intra::Ring };
        let sched =
            hierarchical_with(&topo, Op::AllReduce, ranks, s, intra, Inter::Ring, 1e6).unwrap();
        // `Algo::Hierarchical` picks NVLS exactly when the switches reduce.
        assert_eq!(hierarchical_all_reduce(&topo, ranks, s, true), sched);
        let report = sim(&topo, ALPHA).run(&sched).unwrap();
        let phases: Vec<(u32, f64)> = report
            .steps
            .iter()
            .map(|st| (st.repeat, st.time_s))
            .collect();
        let rail = (2, ALPHA + s / (2.0 * bx));
        let want: Vec<(u32, f64)> = if reduce {
            vec![(1, ALPHA + s / bu), rail, (1, ALPHA + 0.75 * s / bu)]
        } else {
            let ring = (3, ALPHA + s / (4.0 * bu));
            vec![ring, rail, ring]
        };
        assert_eq!(phases.len(), want.len());
        for (got, want) in phases.iter().zip(&want) {
            assert_eq!(got.0, want.0);
            assert!(rel(got.1, want.1) < 1e-9, "{got:?} vs {want:?}");
        }
        let total = if reduce {
            4.0 * ALPHA + s / bu + s / bx + 0.75 * s / bu
        } else {
            8.0 * ALPHA + 6.0 * s / (4.0 * bu) + s / bx
        };
        assert!(
            rel(report.time_s, total) < 1e-9,
            "{} vs {total}",
            report.time_s
        );
    }
}

/// Bytes each rank sends and receives.
/// - tree all-reduce (n = 8): an interior rank carries 3 half-buffer
///   streams each way in its interior tree and 1 as a leaf of the other:
///   2S; the roots 0 and 7 (one child) carry 1 + 1: S;
/// - tree broadcast: the root sends S, leaves receive S, the interior ranks
///   2, 4, 6 receive S and send 2S;
/// - NVLS: all-reduce S / S; reduce-scatter S / S/n; all-gather S/n / (n−1)/n·S;
/// - hierarchical with rings (g = 4, D = 2): 2(g−1)/g·S + 2(D−1)/D·S/g
///   = 2(n−1)/n·S each way for all-reduce, (n−1)/n·S for reduce-scatter
///   and all-gather (optimal); with NVLS the rail all-reduce still moves
///   2(D−1)/D·S/g = S/4 each way, so out S + S/g + S/4 = 3S/2 and in
///   S/g + (g−1)/g·S + S/4 = 5S/4.
#[test]
fn algorithms_move_the_expected_bytes() {
    let s = 8e6;
    let check = |sched: &Schedule, r: NodeId, out: f64, inn: f64| {
        assert!(
            rel(sched.bytes_sent(r), out) < 1e-12,
            "{} vs {out}",
            sched.bytes_sent(r)
        );
        assert!(
            rel(sched.bytes_received(r), inn) < 1e-12,
            "{} vs {inn}",
            sched.bytes_received(r)
        );
    };
    let topo = star(8, 100.0, true);
    let ranks = &topo.accelerators;
    let ar = tree(Op::AllReduce, ranks, s, 1e6).unwrap();
    let bc = tree(Op::Broadcast, ranks, s, 1e6).unwrap();
    for (i, &r) in ranks.iter().enumerate() {
        let x = if i == 0 || i == 7 { s } else { 2.0 * s };
        check(&ar, r, x, x);
        let (out, inn) = match i {
            0 => (s, 0.0),
            2 | 4 | 6 => (2.0 * s, s),
            _ => (0.0, s),
        };
        assert!(rel(bc.bytes_sent(r) + 1.0, out + 1.0) < 1e-12);
        assert!(rel(bc.bytes_received(r) + 1.0, inn + 1.0) < 1e-12);
        for (op, out, inn) in [
            (Op::AllReduce, s, s),
            (Op::ReduceScatter, s, s / 8.0),
            (Op::AllGather, s / 8.0, 7.0 / 8.0 * s),
        ] {
            check(&nvls(&topo, op, ranks, s).unwrap(), r, out, inn);
        }
    }
    let two = two_domains(4, 100.0, 40.0, true);
    for &r in &two.accelerators {
        let h = |op, intra| {
            hierarchical_with(&two, op, &two.accelerators, s, intra, Inter::Ring, 1e6).unwrap()
        };
        check(&h(Op::AllReduce, Intra::Ring), r, 1.75 * s, 1.75 * s);
        check(&h(Op::ReduceScatter, Intra::Ring), r, 0.875 * s, 0.875 * s);
        check(&h(Op::AllGather, Intra::Ring), r, 0.875 * s, 0.875 * s);
        check(&h(Op::AllReduce, Intra::Nvls), r, 1.5 * s, 1.25 * s);
    }
}

/// The repetition shortcut equals the fully expanded flow graph for every
/// new algorithm, on fabrics with contention and unequal links.
#[test]
fn repetition_shortcut_is_exact_for_new_algorithms() {
    let hgx = shipped("hgx-h100.toml");
    let cluster = shipped("h100-2tier-16node.toml");
    let star6 = star(6, 100.0, true);
    let two = two_domains(4, 100.0, 40.0, true);
    let cases: Vec<(&Topology, usize, Op, Algo)> = vec![
        (&star6, 6, Op::AllReduce, Algo::Tree),
        (&star6, 5, Op::Reduce, Algo::Tree),
        (&hgx, 8, Op::AllReduce, Algo::Tree),
        (&hgx, 8, Op::Broadcast, Algo::Tree),
        (&cluster, 16, Op::AllReduce, Algo::Tree),
        (&hgx, 8, Op::AllReduce, Algo::Nvls),
        (&hgx, 8, Op::AllGather, Algo::Nvls),
        (&two, 8, Op::AllReduce, Algo::Hierarchical),
        (&cluster, 16, Op::AllReduce, Algo::Hierarchical),
        (&cluster, 16, Op::ReduceScatter, Algo::Hierarchical),
    ];
    for (topo, n, op, algo) in cases {
        let ranks: Vec<NodeId> = topo.accelerators[..n].to_vec();
        let sched = schedule(topo, op, algo, &ranks, 8e6, knobs(1, 1e6)).unwrap();
        let mut s = CollectiveSim::new(
            topo,
            Params {
                alpha_s: Some(2e-6),
                ..Params::default()
            },
        );
        let short = s.run(&sched).unwrap().time_s;
        let full = s.run_expanded(&sched).unwrap();
        assert!(
            rel(short, full) < 1e-9,
            "{op} {algo} n={n}: {short} vs {full}"
        );
    }
}

/// No new algorithm beats the lower bound of `run()`, on ideal stars and on
/// the shipped fabrics (16 ranks = 2 servers on the cluster).
#[test]
fn new_algorithms_never_beat_the_bound() {
    let topos = [
        star(8, 100.0, true),
        star(5, 100.0, false),
        two_domains(4, 100.0, 40.0, true),
        shipped("hgx-h100.toml"),
        shipped("h100-2tier-16node.toml"),
    ];
    for topo in &topos {
        let ranks: Vec<NodeId> = topo.accelerators.iter().copied().take(16).collect();
        for raw in [false, true] {
            let mut s = CollectiveSim::new(
                topo,
                Params {
                    raw_capacity: raw,
                    alpha_s: Some(0.0),
                    ..Params::default()
                },
            );
            crate::collective::collectives::assert_never_beats_bound(
                &mut s,
                &ranks,
                &[Algo::Tree, Algo::Nvls, Algo::Hierarchical, Algo::Auto],
                1e6,
            );
        }
    }
}

/// A ring is a dataflow pipeline: every ring step charges the mean preset α
/// of the ring's hops (`StepLatency::RingMean`), not its slowest hop's. Two
/// NVLink4 domains of g GPUs joined by one InfiniBand link, one channel: the
/// ring has 2g hops, 2 of them cross the IB link (α = NCCL's 14 µs NET α, the
/// largest on their route) and 2g − 2 stay on NVLink (11 µs). The preset-α
/// run minus the α = 0 run is exactly 2(n−1) · mean.
#[test]
fn ring_steps_pay_the_mean_hop_alpha() {
    use fabricsim::collective::presets::{NET_STEP_S, NVLINK_STEP_S};
    let g = 4;
    let toml = format!(
        r#"
[[nodes]]
id = ["a[0..{g}]", "b[0..{g}]"]
kind = "accelerator"
[[nodes]]
id = ["swa", "swb"]
kind = "switch"
[[links]]
between = ["a[0..{g}]", "swa"]
kind = "nvlink4"
latency = "0 ns"
[[links]]
between = ["b[0..{g}]", "swb"]
kind = "nvlink4"
latency = "0 ns"
[[links]]
between = ["swa", "swb"]
kind = "infiniband-ndr"
latency = "0 ns"
"#
    );
    let topo = Topology::parse(&toml, "ring-mean.toml", &Default::default()).unwrap();
    let ranks: Vec<NodeId> = topo.accelerators.clone();
    let n = ranks.len();
    let s = schedule(
        &topo,
        Op::AllReduce,
        Algo::Ring,
        &ranks,
        64e6,
        knobs(1, 4e6),
    )
    .unwrap();
    let with = |alpha_s: Option<f64>| {
        CollectiveSim::new(
            &topo,
            Params {
                alpha_s,
                ..Params::default()
            },
        )
        .run(&s)
        .unwrap()
        .time_s
    };
    let mean = (2.0 * NET_STEP_S + (2 * g - 2) as f64 * NVLINK_STEP_S) / (2 * g) as f64;
    let got = with(None) - with(Some(0.0));
    let want = 2.0 * (n - 1) as f64 * mean;
    assert!(rel(got, want) < 1e-9, "α total {got} s, want {want} s");
    // A bulk-synchronous ring would pay the slowest hop (14 µs) every step.
    assert!(got < 2.0 * (n - 1) as f64 * NET_STEP_S * 0.9);
}

/// Two domains of two GPUs (NVLink-style stars, tier `scale-up`), every GPU
/// also behind its own NIC (1 TB/s attachment) with a 40 GB/s InfiniBand
/// link to one leaf `leaf` (tier `leaf`) that reduces in the network when
/// `reduce`.
fn sharp_fabric(reduce: bool) -> Topology {
    sharp_nvls_fabric(reduce, false)
}

/// [`sharp_fabric`], with the domain switches reducing too when `nvls`.
fn sharp_nvls_fabric(reduce: bool, nvls: bool) -> Topology {
    let mut toml = format!(
        r#"
[[nodes]]
id = ["a[0..2]", "b[0..2]"]
kind = "accelerator"
[[nodes]]
id = ["na[0..2]", "nb[0..2]"]
kind = "nic"
[[nodes]]
id = ["swa", "swb"]
kind = "switch"
in_switch_reduction = {nvls}
[[nodes]]
id = "leaf"
kind = "switch"
in_switch_reduction = {reduce}
[[links]]
between = ["a[0..2]", "swa"]
kind = "custom"
bandwidth = "100 GB/s"
latency = "0 ns"
tier = "scale-up"
[[links]]
between = ["b[0..2]", "swb"]
kind = "custom"
bandwidth = "100 GB/s"
latency = "0 ns"
tier = "scale-up"
[[links]]
between = [["na[0..2]", "nb[0..2]"], "leaf"]
kind = "infiniband-ndr"
bandwidth = "40 GB/s"
latency = "0 ns"
tier = "leaf"
"#
    );
    for x in ["a0", "a1", "b0", "b1"] {
        toml += &format!(
            "[[links]]\nbetween = [\"{x}\", \"n{x}\"]\nkind = \"custom\"\nbandwidth = \"1000 GB/s\"\nlatency = \"0 ns\"\ntier = \"nic\"\n"
        );
    }
    Topology::parse(&toml, "sharp.toml", &Default::default()).unwrap()
}

/// `Algo::Hierarchical`'s all-reduce schedule of `s` bytes on `ranks`, one
/// channel, 1 MB chunks, with CollNet (`--collnet`) on or off.
fn hierarchical_all_reduce(topo: &Topology, ranks: &[NodeId], s: f64, collnet: bool) -> Schedule {
    let k = fabricsim::collective::algorithms::Knobs {
        collnet,
        ..knobs(1, 1e6)
    };
    schedule(topo, Op::AllReduce, Algo::Hierarchical, ranks, s, k).unwrap()
}

/// SHARP across domains (g = 2, D = 2, per-GPU bandwidth B_u = 100 GB/s in
/// the domain, B_x = 40 GB/s to the reducing leaf), one α for every step:
/// ring reduce-scatter in the domain `α + S/(2B_u)`, one SHARP step (each GPU
/// sends its S/2 shard up to the leaf and gets the reduced shard back,
/// concurrently) `α + S/(2B_x)`, ring all-gather `α + S/(2B_u)`.
/// `Algo::Hierarchical` picks SHARP when the leaf reduces, and refuses it
/// with a message naming the switch when it does not.
#[test]
fn sharp_all_reduce_on_a_reducing_leaf() {
    let (s, bu, bx) = (800e6, 100e9, 40e9);
    let topo = sharp_fabric(true);
    let ranks = &topo.accelerators;
    let sched = hierarchical_with(
        &topo,
        Op::AllReduce,
        ranks,
        s,
        Intra::Ring,
        Inter::Sharp,
        1e6,
    )
    .unwrap();
    assert_eq!(hierarchical_all_reduce(&topo, ranks, s, true), sched);
    let got = time(&topo, ALPHA, &sched);
    let want = 3.0 * ALPHA + s / (2.0 * bu) + s / (2.0 * bx) + s / (2.0 * bu);
    assert!(rel(got, want) < 1e-9, "{got} vs {want}");
    // Twice the ring's inter-domain bytes would cost more: SHARP halves them.
    let ring = hierarchical_with(
        &topo,
        Op::AllReduce,
        ranks,
        s,
        Intra::Ring,
        Inter::Ring,
        1e6,
    )
    .unwrap();
    assert!(time(&topo, ALPHA, &ring) > got);
    // Without CollNet (NCCL's default) the reducing switches are not used:
    // `hierarchical` runs the rail ring across domains.
    assert_eq!(hierarchical_all_reduce(&topo, ranks, s, false), ring);

    let plain = sharp_fabric(false);
    let err = hierarchical_with(
        &plain,
        Op::AllReduce,
        &plain.accelerators,
        s,
        Intra::Ring,
        Inter::Sharp,
        1e6,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("leaf") && err.contains("cannot reduce"),
        "{err}"
    );
}

/// NVLS in the domains and SHARP across them: all three phases are single
/// streaming steps, pipelined in m = 4 chunks of S_c = S/4 (g = 2,
/// B_u = 100 GB/s, B_x = 40 GB/s, α = 0). Per slot, by hand:
/// - slot 0, NVLS reduce-scatter of chunk 0 (S_c up, S_c/2 down): S_c/B_u;
/// - slot 1, + SHARP of chunk 0 (S_c/2 up and down the NIC): S_c/(2B_x);
/// - slots 2, 3, all three: the GPU→switch link carries S_c (reduce-scatter)
///   + S_c/2 (all-gather up), work-conserving: 1.5·S_c/B_u > S_c/(2B_x);
/// - slot 4, SHARP + all-gather (S_c/2 up, S_c/2 down): max(S_c/(2B_x), S_c/(2B_u));
/// - slot 5, all-gather of the last chunk: S_c/(2B_u).
#[test]
fn nvls_sharp_phases_are_pipelined() {
    let (s, bu, bx) = (800e6, 100e9, 40e9);
    let topo = sharp_nvls_fabric(true, true);
    let ranks = &topo.accelerators;
    let sched = schedule(
        &topo,
        Op::AllReduce,
        Algo::Hierarchical,
        ranks,
        s,
        knobs(1, s / 4.0),
    )
    .unwrap();
    assert_eq!(
        sched,
        hierarchical_with(
            &topo,
            Op::AllReduce,
            ranks,
            s,
            Intra::Nvls,
            Inter::Sharp,
            s / 4.0
        )
        .unwrap()
    );
    let c = s / 4.0;
    let want = c / bu
        + f64::max(c / bu, c / (2.0 * bx))
        + 2.0 * 1.5 * c / bu
        + f64::max(c / (2.0 * bx), c / (2.0 * bu))
        + c / (2.0 * bu);
    let got = time(&topo, 0.0, &sched);
    assert!(rel(got, want) < 1e-9, "{got} vs {want}");
}

/// NVLS efficiency by GPU generation: NCCL's `nvlsEfficiency` is 0.85 on
/// Hopper and 0.74 on Blackwell, so on the same star an NVLink5 NVLS
/// all-reduce (`t = S / (B·e)` with α = 0) takes 0.85/0.74 times as long
/// as an NVLink4 one, once each kind's link efficiency is divided out.
#[test]
fn nvls_efficiency_scales_with_the_nvlink_generation() {
    let time_and_link_eff = |kind: &str| {
        let topo = crate::collective::protocols::kind_star(4, kind, true);
        let mut sim = CollectiveSim::new(
            &topo,
            Params {
                alpha_s: Some(0.0),
                ..Params::default()
            },
        );
        let req = Request::new(Op::AllReduce, 1e9).algo(Algo::Nvls);
        let t = run(&mut sim, &topo.accelerators, &req).unwrap().time_s;
        (t, topo.efficiency(kind))
    };
    let (t4, e4) = time_and_link_eff("nvlink4");
    let (t5, e5) = time_and_link_eff("nvlink5");
    // t = S / (B · link_eff · nvls_eff): t5·e5 / (t4·e4) = nvls4 / nvls5.
    let got = (t5 * e5) / (t4 * e4);
    assert!(rel(got, 0.85 / 0.74) < 1e-9, "{got}");
}

/// NCCL's multi-node tree on two domains of two GPUs (`two_domains(2, ..)`):
/// 2 rails, so C = 4 channels of S/4, two on each domain tree. Every
/// channel's tree spans the n = 4 ranks with n − 1 = 3 edges, each crossed
/// once up and once down by S/4: 2(n−1)·S = 6S sent in all. Each channel has
/// exactly one edge between the domains, so the swa–swb link carries
/// 4 · S/4 = S in each direction. Depth H = (g−1) + ⌈log2 D⌉ = 2, so m
/// chunks take 2H + m − 1 = m + 3 pipeline slots.
#[test]
fn nccl_tree_moves_the_hand_counted_bytes() {
    let topo = two_domains(2, 100.0, 100.0, false);
    let ranks = topo.accelerators.clone();
    let s = 64e6;
    let chunk = s / 4.0 / 3.0; // m = 3 chunks per channel
    let sched = schedule(&topo, Op::AllReduce, Algo::Tree, &ranks, s, knobs(1, chunk)).unwrap();
    assert_eq!(sched.step_count(), 3 + 3);
    let sent: f64 = ranks.iter().map(|&r| sched.bytes_sent(r)).sum();
    assert!(rel(sent, 6.0 * s) < 1e-12, "{sent}");
    assert_spine_bytes(&topo, &sched, s);
}

/// Asserts that each direction of the swa–swb link of `two_domains`
/// carries `want` bytes over `sched`.
fn assert_spine_bytes(topo: &Topology, sched: &Schedule, want: f64) {
    let report = sim(topo, 0.0).run(sched).unwrap();
    let mut seen = 0;
    for (i, l) in topo.links.iter().enumerate() {
        let names = (
            topo.nodes[l.src.idx()].name.as_str(),
            topo.nodes[l.dst.idx()].name.as_str(),
        );
        if matches!(names, ("swa", "swb") | ("swb", "swa")) {
            assert!(rel(report.link_bytes[i], want) < 1e-12, "{names:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}

/// Two NVLS domains of `g` GPUs (`a*`, `b*`), each GPU with its own NIC
/// link to one scale-out switch (`nic` GB/s), the domains' NVLink switches
/// `nva`, `nvb` reducing (`up` GB/s per GPU).
fn two_nvls_domains_with_nics(g: usize, up: f64, nic: f64) -> Topology {
    let (a, b) = (format!("a[0..{g}]"), format!("b[0..{g}]"));
    let toml = format!(
        r#"
[[nodes]]
id = ["{a}", "{b}"]
kind = "accelerator"
[[nodes]]
id = ["nva", "nvb"]
kind = "switch"
in_switch_reduction = true
[[nodes]]
id = "net"
kind = "switch"
{}"#,
        custom_links(&[
            (&a, "nva", up, "scale-up"),
            (&b, "nvb", up, "scale-up"),
            (&a, "net", nic, "scale-out"),
            (&b, "net", nic, "scale-out"),
        ])
    );
    Topology::parse(&toml, "two-nvls-domains.toml", &Default::default()).unwrap()
}

/// NVLSTree on two domains of 40 GPUs: NCCL caps a domain's NVLS heads at
/// `NCCL_MAX_NVLS_ARITY` = 32, so only the first 32 GPUs of each domain
/// cross the network. By hand, for S bytes: head `i` all-reduces the
/// share S/32 over the two opposite one-edge trees, S/64 on each, so its
/// NIC carries S/64 + S/64 = S/32 each way and the other 8 NICs nothing;
/// a head sends S to its NVLink switch (reduce) plus S/32 (multicast) and
/// receives S/32 + 31/32·S = S; any other GPU sends S and receives S.
/// With 8 GPUs per domain every GPU is a head (S/8 per NIC each way).
#[test]
fn nvls_tree_crosses_domains_through_at_most_32_heads() {
    let s = 64e6;
    for (g, heads) in [(40usize, 32usize), (8, 8)] {
        let topo = two_nvls_domains_with_nics(g, 100.0, 50.0);
        let sched = schedule(
            &topo,
            Op::AllReduce,
            Algo::NvlsTree,
            &topo.accelerators,
            s,
            knobs(1, s / 4.0),
        )
        .unwrap();
        let report = sim(&topo, 0.0).run(&sched).unwrap();
        let h = heads as f64;
        let mut checked = 0;
        for (e, l) in topo.links.iter().enumerate() {
            let (src, dst) = (&topo.nodes[l.src.idx()].name, &topo.nodes[l.dst.idx()].name);
            let from_gpu = src.starts_with(['a', 'b']);
            let (gpu, other) = if from_gpu { (src, dst) } else { (dst, src) };
            let head = gpu[1..].parse::<usize>().unwrap() < heads;
            let want = match (other == "net", head, from_gpu) {
                (true, true, _) => s / h,
                (true, false, _) => 0.0,
                (false, true, true) => s + s / h,
                _ => s,
            };
            let got = report.link_bytes[e];
            assert!(
                (got - want).abs() <= 1e-9 * s,
                "g={g} {src}->{dst}: {got} B, want {want} B"
            );
            checked += 1;
        }
        assert_eq!(checked, 8 * g, "g={g}");
    }
}

/// Rack scaling on `gb200-nvl72-20rack-ib-xdr` (NVL72 racks, InfiniBand
/// XDR with SHARP), 1 GiB all-reduce with CollNet enabled (`--collnet`):
/// more racks never make one call faster, and 2 racks are not more than 2%
/// above 1 rack in busbw. With SHARP every GPU's NIC carries S/72 up and
/// down whatever the rack count (NCCL's CollNet latency does not grow with
/// nodes either), so 20 racks take exactly the time of 2 and their busbw
/// differs only by nccl-tests' factor 2(n−1)/n: (1439/1440)/(143/144).
/// (NCCL's default, CollNet off, is `rack_scaling.rs`.)
#[test]
fn more_nvl72_racks_are_never_faster_with_collnet() {
    let topo = shipped("gb200-nvl72-20rack-ib-xdr.toml");
    let params = Params {
        collnet: true,
        ..Params::default()
    };
    let mut sim = CollectiveSim::new(&topo, params);
    let req = Request::new(Op::AllReduce, 1073741824.0);
    let mut at = |n: usize| run(&mut sim, &topo.accelerators[..n], &req).unwrap();
    let (one, two, twenty) = (at(72), at(144), at(1440));
    assert_eq!(two.algorithm, Algo::Hierarchical, "CollNet across racks");
    assert!(two.time_s >= one.time_s, "{} < {}", two.time_s, one.time_s);
    assert_eq!(twenty.time_s, two.time_s);
    assert!(two.busbw_gbps <= 1.02 * one.busbw_gbps);
    let factor = (1439.0 / 1440.0) / (143.0 / 144.0);
    assert!(twenty.busbw_gbps <= two.busbw_gbps * factor * (1.0 + 1e-9));
}

/// PAT (Bruck steps) on n = 5 ranks of a 100 GB/s star, α = 3 µs: steps of
/// distance 1, 2, 4 move min(d, n−d) = 1, 2, 1 blocks of S/5 from every
/// rank to one other, so `t = 3·α + (4/5)·S/B` for all-gather and
/// reduce-scatter alike, and every rank sends exactly (n−1)/n · S.
#[test]
fn pat_matches_the_closed_form() {
    use fabricsim::collective::pat::pat;
    let n = 5;
    let topo = star(n, 100.0, false);
    let ranks = topo.accelerators.clone();
    let s = 1e9;
    for op in [Op::AllGather, Op::ReduceScatter] {
        let sched = pat(op, &ranks, s).unwrap();
        assert_eq!(sched.step_count(), 3);
        for &r in &ranks {
            assert!(rel(sched.bytes_sent(r), 0.8 * s) < 1e-12);
            assert!(rel(sched.bytes_received(r), 0.8 * s) < 1e-12);
        }
        let want = 3.0 * 3e-6 + 0.8 * s / 100e9;
        let got = time(&topo, 3e-6, &sched);
        assert!(rel(got, want) < 1e-9, "{op}: {got} s, want {want} s");
    }
    assert!(matches!(
        pat(Op::AllReduce, &ranks, s),
        Err(CollectiveError::Unsupported { .. })
    ));
}

/// NCCL and RCCL run all-to-all as a send to and a receive from every
/// peer, at any rank count, so `auto` runs `direct` there and says so
/// (`point-to-point`), also above the 256 ranks where `direct` stops being
/// a candidate for other operations.
/// On a non-blocking star of 300 ranks at B = 100 GB/s every rank sends
/// and receives `(n−1)/n · S` at once: `t = α + (n−1)/n · S/B` (by hand;
/// `S/n` = 3.3 MB per peer, above NCCL's 16 KiB LL threshold, so Simple).
/// A ring would take `n−1` steps of α.
#[test]
fn auto_all_to_all_is_point_to_point_at_any_rank_count() {
    use fabricsim::collective::run::Selection;
    let n = 300;
    let topo = star(n, 100.0, false);
    let mut sim = sim(&topo, ALPHA);
    let s = 1e9;
    let o = run(&mut sim, &topo.accelerators, &Request::new(Op::AllToAll, s)).unwrap();
    assert_eq!(o.algorithm, Algo::Direct);
    assert_eq!(o.selection, Selection::PointToPoint);
    let nf = n as f64;
    let want = ALPHA + (nf - 1.0) / nf * s / 100e9;
    assert!(rel(o.time_s, want) < 1e-9, "{} s, want {want} s", o.time_s);
    // `best` tries it too at this rank count, and nothing beats it here.
    let best = run(
        &mut sim,
        &topo.accelerators,
        &Request::new(Op::AllToAll, s).algo(Algo::Best),
    )
    .unwrap();
    assert_eq!((best.algorithm, best.time_s), (Algo::Direct, o.time_s));
}

/// Ranks whose domain leaves only through a rank outside the communicator
/// (r0 and r2 of a forwarding chain r0–r1–r2) have an infinite fabric
/// bound; a forced protocol other than Simple must still run (a search
/// with nothing to beat yet skips nothing), for `auto` and a named
/// algorithm alike, with the same result.
#[test]
fn a_forced_protocol_runs_where_the_fabric_bound_is_infinite() {
    let toml = format!(
        "[[nodes]]\nid = [\"r0\", \"r1\", \"r2\"]\nkind = \"accelerator\"\nforwards = true\n{}",
        custom_links(&[
            ("r0", "r1", 100.0, "scale-out"),
            ("r1", "r2", 100.0, "scale-out")
        ])
    );
    let topo = Topology::parse(&toml, "chain.toml", &Default::default()).unwrap();
    let ranks = [topo.accelerators[0], topo.accelerators[2]];
    let mut sim = CollectiveSim::new(&topo, Params::default());
    let req = Request::new(Op::AllReduce, 1048576.0).protocol(fabricsim::collective::Protocol::Ll);
    let auto = run(&mut sim, &ranks, &req).unwrap();
    let ring = run(&mut sim, &ranks, &req.clone().algo(Algo::Ring)).unwrap();
    assert_eq!(auto.protocol, fabricsim::collective::Protocol::Ll);
    assert_eq!((auto.algorithm, auto.time_s), (Algo::Ring, ring.time_s));
}

/// `auto` does not try PAT (see `run.rs`: its simulation cost at 100K
/// GPUs); `--algo pat` runs it.
#[test]
fn auto_does_not_pick_pat_yet() {
    let one_per = two_domains(1, 100.0, 100.0, false);
    let mut sim = CollectiveSim::new(&one_per, Params::default());
    for size in [1024.0, 1e9] {
        let o = run(
            &mut sim,
            &one_per.accelerators,
            &Request::new(Op::AllGather, size),
        )
        .unwrap();
        assert_ne!(o.algorithm, Algo::Pat);
        let p = run(
            &mut sim,
            &one_per.accelerators,
            &Request::new(Op::AllGather, size).algo(Algo::Pat),
        )
        .unwrap();
        assert_eq!(p.algorithm, Algo::Pat);
    }
}

/// NVLSTree on two NVLS domains of two GPUs (`two_domains(2, .., true)`):
/// each rail all-reduces its S/g over the two domain trees, half on each;
/// over D = 2 domains each tree has one edge, crossed up and down by S/(2g),
/// and the two trees point opposite ways, so each direction of the swa–swb
/// link carries 2 · S/(2g) per rail, S over the g = 2 rails. The pipeline
/// has 1 + 2·1 + 1 = 4 stages: m chunks take m + 3 slots.
#[test]
fn nvls_tree_moves_the_hand_counted_bytes() {
    let topo = two_domains(2, 100.0, 100.0, true);
    let ranks = topo.accelerators.clone();
    let s = 64e6;
    let sched = schedule(
        &topo,
        Op::AllReduce,
        Algo::NvlsTree,
        &ranks,
        s,
        knobs(1, s / 5.0),
    )
    .unwrap();
    assert_eq!(sched.step_count(), 5 + 3);
    assert_spine_bytes(&topo, &sched, s);
    // Without NVLS inside the domains it is refused, with the reason.
    let plain = two_domains(2, 100.0, 100.0, false);
    let e = schedule(
        &plain,
        Op::AllReduce,
        Algo::NvlsTree,
        &plain.accelerators,
        s,
        knobs(1, 1e6),
    )
    .unwrap_err();
    assert!(e.to_string().contains("NVLS"), "{e}");
}
