//! Failures (`[[failures]]` entries and `--fail` flags): degraded bisection,
//! routing and collectives, seeded random failures, and one negative test
//! per rule F1–F5 of `crates/topology/src/failures/` (the messages of
//! `tests/it/invalid/failures/` are snapshot-tested by `corpus.rs`).
//!
//! Expected numbers are derived by hand in the comment above each assertion,
//! from the fixture headers in `tests/it/data/failures/` and the Clos
//! formulas of docs/topology-format.md, never copied from the code's output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fabricsim::collective::run::{DEFAULT_CHUNK_BYTES, Request, run};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};
use fabricsim::info::Info;
use fabricsim::routing::Router;
use fabricsim::topology::RoutingMode;
use fabricsim::topology::{Diagnostics, FailureSpec, NodeRole, Topology};

const G: f64 = 1e9;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/data/failures")
        .join(name)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap()
}

/// The fixture with `failures` (TOML) appended.
fn with(name: &str, failures: &str) -> String {
    format!("{}\n{failures}", fixture(name))
}

#[track_caller]
fn load(src: &str) -> Topology {
    Topology::parse(src, "t.toml", &Default::default())
        .unwrap_or_else(|d| panic!("unexpected errors:\n{d}"))
}

#[track_caller]
fn load_flags(src: &str, flags: &[&str]) -> Topology {
    let flags: Vec<FailureSpec> = flags.iter().map(|f| f.parse().unwrap()).collect();
    Topology::parse(
        src,
        "t.toml",
        &fabricsim::topology::LoadOptions::default().with_failures(flags.to_vec()),
    )
    .unwrap_or_else(|d| panic!("unexpected errors:\n{d}"))
}

#[track_caller]
fn errors(src: &str) -> Diagnostics {
    match Topology::parse(src, "t.toml", &Default::default()) {
        Ok(_) => panic!("expected errors, the file was accepted"),
        Err(d) => d,
    }
}

/// Line (1-based) of the first line of `src` that starts with `prefix`.
fn line_of(src: &str, prefix: &str) -> usize {
    src.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line present")
        + 1
}

/// Asserts exactly one diagnostic, on the line starting with `at` at column
/// `col`, whose message contains `msg` and whose help contains `help`.
#[track_caller]
fn one_error(src: &str, at: &str, col: usize, msg: &str, help: &str) {
    let d = errors(src);
    assert_eq!(d.len(), 1, "expected one error, got:\n{d}");
    let e = &d.items[0];
    assert_eq!(
        (e.line, e.col),
        (line_of(src, at), col),
        "position of:\n{d}"
    );
    assert!(
        e.message.contains(msg),
        "message {:?} lacks {msg:?}",
        e.message
    );
    let h = e.help.as_deref().unwrap_or("");
    assert!(h.contains(help), "help {h:?} lacks {help:?}");
}

#[track_caller]
fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

fn bisection(t: &Topology) -> f64 {
    Info::of(t).bisection_bps.unwrap()
}

// ---------------------------------------------------------------- bisection and routing

/// fat-tree-32: the first 16 hosts sit on leaves 0–3, each with 4 uplinks of
/// one 50 GB/s lane, one to each of the 4 spines. Intact, the cut around
/// leaves 0–3 is 4 × 4 × 50 = 800 GB/s (equal to the 16 NICs' 800 GB/s).
/// Each spine carries 1/4 of it: 4 source leaves × 1 lane × 50 = 200 GB/s.
/// Without spine0 the cut is 4 × 3 × 50 = 600 GB/s (sink side alike); one
/// more failed leaf0–spine1 cable takes 50 GB/s more: 550 GB/s.
#[test]
fn a_failed_spine_removes_exactly_its_share_of_the_bisection() {
    let intact = load(&fixture("fat-tree-32.toml"));
    assert_close(bisection(&intact), 800.0 * G, "intact");
    let spine_share = 4.0 * 1.0 * 50.0 * G;

    let t = load(&with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine0\"\n",
    ));
    assert_close(bisection(&t), 800.0 * G - spine_share, "without spine0");
    // The switch keeps its node (ids are stable) but has no link left: its
    // 8 leaf cables (16 directed links) are gone, nothing else.
    let spine0 = t.node_id("spine0").unwrap();
    assert_eq!(intact.node_id("spine0"), Some(spine0));
    assert_eq!(t.nodes, intact.nodes);
    assert!(t.links.iter().all(|l| l.src != spine0 && l.dst != spine0));
    assert_eq!(t.links.len(), intact.links.len() - 16);
    assert_eq!(t.failures.nodes, ["spine0"]);
    assert_eq!(t.failures.links.len(), 8);

    let t = load(&with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine0\"\n[[failures]]\nlink = [\"leaf0\", \"spine1\"]\n",
    ));
    assert_close(bisection(&t), 550.0 * G, "without spine0 and leaf0–spine1");
}

/// Routing reconverges: h0 (leaf0) → h31 (leaf7) has 4 equal-cost paths
/// through the 4 spines intact; without spine0 it sprays 1/3 over each of
/// spines 1–3 (one leaf0 → spine link each), and no link touches spine0.
#[test]
fn routes_avoid_the_failed_switch() {
    let t = load(&with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine0\"\n",
    ));
    let (h0, h31, leaf0) = (
        t.node_id("h0").unwrap(),
        t.node_id("h31").unwrap(),
        t.node_id("leaf0").unwrap(),
    );
    let r = Router::new(&t, RoutingMode::Spray, 0)
        .route(h0, h31, 0)
        .unwrap();
    let mut up: Vec<(String, f64)> = Vec::new();
    for &(l, f) in &r.links {
        let link = &t.links[l.idx()];
        assert_ne!(t.nodes[link.dst.idx()].name, "spine0");
        if link.src == leaf0 {
            up.push((t.nodes[link.dst.idx()].name.clone(), f));
        }
    }
    up.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = up.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(names, ["spine1", "spine2", "spine3"]);
    for (_, f) in up {
        assert_close(f, 1.0 / 3.0, "spray share");
    }
}

// ---------------------------------------------------------------- rails and collectives

/// Ring all-reduce time on `t` (ideal: α = 0, links at line rate).
fn ring_all_reduce(t: &Topology, size: f64) -> fabricsim::collective::run::Outcome {
    let params = Params {
        alpha_s: Some(0.0),
        raw_capacity: true,
        ..Params::default()
    };
    let mut sim = CollectiveSim::new(t, params);
    let req = Request {
        op: Op::AllReduce,
        algo: Algo::Ring,
        size,
        channels: None,
        chunk_bytes: DEFAULT_CHUNK_BYTES,
        protocol: None,
    };
    run(&mut sim, &t.accelerators.clone(), &req).unwrap()
}

/// two-rail-16: in a ring step every accelerator sends one flow to its
/// successor and receives one. Intact, the flow sprays over the 4 paths
/// nic{0,1} → leaf0 → nic'{0,1}: each of the sender's two 50 GB/s NIC links
/// and the receiver's two carries half of it, and no other flow, so max-min
/// gives 100 GB/s. With rail 1 failed (every `.nic1` down) one path is left:
/// 50 GB/s. All traffic crosses the scale-out, so the time
/// t = 2(n−1)/n · S/B doubles and busbw = B halves: 100 → 50 GB/s.
#[test]
fn a_failed_rail_halves_the_all_reduce_busbw() {
    let s = 1024.0 * 1024.0 * 1024.0;
    let n = 16.0;
    let intact = load(&fixture("two-rail-16.toml"));
    let failed = load(&with("two-rail-16.toml", "[[failures]]\nrail = 1\n"));
    // Rail 1 is the 16 NICs gpu<i>.nic1.
    assert_eq!(failed.failures.nodes.len(), 16);
    assert!(failed.failures.nodes.iter().all(|x| x.ends_with(".nic1")));
    for (t, b) in [(&intact, 100.0 * G), (&failed, 50.0 * G)] {
        let o = ring_all_reduce(t, s);
        assert_close(o.time_s, 2.0 * (n - 1.0) / n * s / b, "ring time");
        assert_close(o.busbw_gbps, b / G, "busbw");
    }
}

/// two-plane-4node: each 400G NIC has one 200G port on each of 2 planes.
/// A ring all-reduce over the 4 nodes (rail channels, raw capacities, α = 0)
/// is bound by the NIC: each channel's inter-node hop crosses one NIC at
/// 2 × 25 GB/s intact and 25 GB/s with plane 1 failed (NVLink hops are
/// 18× faster). So the transfer time doubles and large-size busbw halves.
#[test]
fn a_failed_plane_halves_a_two_plane_all_reduce() {
    let s = 8.0 * 1024.0 * 1024.0 * 1024.0;
    let intact = load(&fixture("two-plane-4node.toml"));
    let failed = load(&with("two-plane-4node.toml", "[[failures]]\nplane = 1\n"));
    assert!(failed.failures.nodes.iter().all(|x| x.starts_with("p1.")));
    assert_eq!(
        failed.failures.nodes.len(),
        2,
        "{:?}",
        failed.failures.nodes
    );
    // t(S) = L + S/β with L the (size-independent) latencies: compare the
    // slopes, which exclude L.
    let slope =
        |t: &Topology| (ring_all_reduce(t, 2.0 * s).time_s - ring_all_reduce(t, s).time_s) / s;
    let (a, b) = (slope(&intact), slope(&failed));
    assert!(((b - 2.0 * a) / (2.0 * a)).abs() < 1e-9, "{b} vs 2 × {a}");
}

// ---------------------------------------------------------------- random

/// (a, b, failed lanes) of every failed link, in link order.
fn failed_set(t: &Topology) -> Vec<(String, String, u32)> {
    t.failures
        .links
        .iter()
        .map(|l| (l.a.clone(), l.b.clone(), l.failed_lanes))
        .collect()
}

/// fat-tree-32 has 8 leaves × 4 spines = 32 switch-to-switch cables of one
/// lane: the eligible set. A fraction f fails round(32 f) of them.
#[test]
fn random_failures_are_seeded_and_honour_the_fraction() {
    let random = |links: &str, seed: u64| {
        load(&with(
            "fat-tree-32.toml",
            &format!("[[failures]]\nrandom = {{ links = {links}, seed = {seed} }}\n"),
        ))
    };
    // 25% of 32 = 8; 10% = 3.2 → 3; 5% = 1.6 → 2; 0% = 0; a count of 5 is 5.
    for (links, want) in [
        ("\"25%\"", 8),
        ("\"10%\"", 3),
        ("\"5%\"", 2),
        ("\"0%\"", 0),
        ("5", 5),
    ] {
        let t = random(links, 7);
        let e = &t.failures.entries[0];
        assert_eq!((e.lanes, e.eligible_lanes), (want, Some(32)), "{links}");
        assert_eq!(t.failures.lanes, want, "{links}");
        let set = failed_set(&t);
        assert_eq!(set.len() as u64, want, "{links}: one lane per cable");
        // Only switch-to-switch (leaf–spine) cables are picked.
        assert!(
            set.iter()
                .all(|(a, b, _)| a.starts_with("leaf") && b.starts_with("spine"))
        );
        assert_eq!(t.links.len(), 192 - 2 * want as usize, "{links}");
    }
    // Same seed, same set; another seed, another set (C(32, 8) ≈ 1e7 sets).
    let a = failed_set(&random("\"25%\"", 7));
    assert_eq!(a, failed_set(&random("\"25%\"", 7)));
    for seed in [0, 1, 8, 1234] {
        assert_ne!(a, failed_set(&random("\"25%\"", seed)), "seed {seed}");
    }
    // The flag is the same draw as the entry.
    assert_eq!(
        a,
        failed_set(&load_flags(&fixture("fat-tree-32.toml"), &["random:25%:7"]))
    );
}

/// Failed sets are nested (issue 19): for one seed, the lanes failed at a
/// smaller fraction are a subset of those failed at a larger one, so more
/// failures never fail less. Checked for 5 seeds over 0% ⊆ 5% ⊆ … ⊆ 25%
/// on fat-tree-32 (each lane is a whole cable there).
#[test]
fn random_failures_are_nested_across_fractions() {
    let base = fixture("fat-tree-32.toml");
    for seed in [0u64, 1, 2, 3, 4] {
        let mut before: Vec<(String, String, u32)> = Vec::new();
        for pct in [0, 5, 10, 15, 20, 25] {
            let set = failed_set(&load_flags(&base, &[&format!("random:{pct}%:{seed}")]));
            assert_eq!(set.len(), (32.0 * pct as f64 / 100.0).round() as usize);
            for l in &before {
                assert!(
                    set.contains(l),
                    "seed {seed}: {l:?} failed below {pct}% but not at it"
                );
            }
            before = set;
        }
    }
}

/// Entries are resolved against the intact fabric: the random draw does not
/// depend on the other entries or their order.
#[test]
fn random_draws_ignore_other_entries_and_order() {
    let r = "[[failures]]\nrandom = { links = \"10%\", seed = 3 }\n";
    let s = "[[failures]]\nlink = [\"leaf7\", \"spine3\"]\n";
    let alone = failed_set(&load(&with("fat-tree-32.toml", r)));
    let a = load(&with("fat-tree-32.toml", &format!("{r}{s}")));
    let b = load(&with("fat-tree-32.toml", &format!("{s}{r}")));
    assert_eq!(failed_set(&a), failed_set(&b));
    assert_eq!(a.links, b.links);
    let mut union = alone.clone();
    if !union.iter().any(|(x, y, _)| x == "leaf7" && y == "spine3") {
        union.push(("leaf7".into(), "spine3".into(), 1));
    }
    union.sort();
    let mut got = failed_set(&a);
    got.sort();
    assert_eq!(got, union);
}

/// Over 400 seeds, 3 of the 32 eligible cables fail each time: each cable
/// fails 400 × 3/32 = 37.5 times on average, binomial σ = √(400 · 3/32 ·
/// 29/32) ≈ 5.8. Every count lies within 5σ of the mean, and all 32 cables
/// are picked (a biased sampler, e.g. one always taking the first cables,
/// fails this).
#[test]
fn random_failures_are_spread_uniformly() {
    let base = fixture("fat-tree-32.toml");
    let mut hits: std::collections::BTreeMap<(String, String), u32> = Default::default();
    for seed in 0..400 {
        let t = load_flags(&base, &[&format!("random:3:{seed}")]);
        for (a, b, _) in failed_set(&t) {
            *hits.entry((a, b)).or_default() += 1;
        }
    }
    assert_eq!(hits.len(), 32);
    for (cable, n) in hits {
        assert!((8..=67).contains(&n), "{cable:?} failed {n} times");
    }
}

/// A random lane of a bundle leaves the rest of it: on the 16-node H100
/// fabric the leaf–spine bundles have 16 lanes of 50 GB/s (docs worked
/// example: c = 16), so a bundle that loses m lanes keeps (16 − m) × 50 GB/s
/// in each direction.
#[test]
fn random_lanes_shrink_bundles() {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies/h100-2tier-16node.toml"),
    )
    .unwrap();
    let t = load_flags(&src, &["random:6:5"]);
    // 4 leaves × 2 spines × 16 lanes = 128 eligible lanes.
    assert_eq!(t.failures.entries[0].eligible_lanes, Some(128));
    assert_eq!(t.failures.lanes, 6);
    for f in &t.failures.links {
        assert_eq!(f.lanes, 16);
        let (a, b) = (t.node_id(&f.a).unwrap(), t.node_id(&f.b).unwrap());
        let dirs: Vec<_> = t
            .links
            .iter()
            .filter(|l| (l.src, l.dst) == (a, b) || (l.src, l.dst) == (b, a))
            .collect();
        assert_eq!(dirs.len(), 2, "both directions survive");
        for l in dirs {
            assert_eq!(l.count, 16 - f.failed_lanes);
            assert_close(
                l.capacity_bps,
                f64::from(16 - f.failed_lanes) * 50.0 * G,
                "bundle",
            );
        }
    }
}

// ---------------------------------------------------------------- rules (one negative test each)

#[test]
fn rule_f1_one_kind_per_entry() {
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine0\"\nrail = 1\n",
    );
    one_error(
        &src,
        "rail = 1",
        8,
        "gives both \"switch\" and \"rail\"",
        "one [[failures]] entry",
    );
    let src = with("fat-tree-32.toml", "[[failures]]\n");
    one_error(
        &src,
        "[[failures]]",
        1,
        "names nothing to fail",
        "link = [\"leaf3\", \"spine12\"]",
    );
    // Unknown keys get a "did you mean", and no second message.
    let src = with("fat-tree-32.toml", "[[failures]]\nswich = \"spine0\"\n");
    one_error(
        &src,
        "swich",
        1,
        "unknown key \"swich\"",
        "did you mean \"switch\"?",
    );
    let src = with("fat-tree-32.toml", "[[failures]]\nrail = \"1\"\n");
    one_error(
        &src,
        "rail =",
        8,
        "\"rail\" must be an integer",
        "remove the quotes",
    );
    let src = with("fat-tree-32.toml", "[[failures]]\nlink = \"leaf0\"\n");
    one_error(
        &src,
        "link =",
        8,
        "array of two endpoints",
        "link = [\"leaf3\", \"spine12\"]",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nrandom = { link = \"1%\" }\n",
    );
    let d = errors(&src);
    assert!(
        d.to_string().contains("unknown key \"link\" in random"),
        "{d}"
    );
}

#[test]
fn rule_f2_names_exist_and_are_linked() {
    // spine12 does not exist: located at the value, with the declared range.
    let src = with("fat-tree-32.toml", "[[failures]]\nswitch = \"spine12\"\n");
    one_error(
        &src,
        "switch =",
        10,
        "no node named \"spine12\"",
        "declared are spine0 to spine3",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine[2..6]\"\n",
    );
    one_error(
        &src,
        "switch =",
        10,
        "2 of the 4 nodes named by \"spine[2..6]\" do not exist: spine4, spine5",
        "half-open",
    );
    let src = with("fat-tree-32.toml", "[[failures]]\nswitch = \"h3\"\n");
    one_error(
        &src,
        "switch =",
        10,
        "\"h3\" is an accelerator, not a switch",
        "link = ",
    );
    // leaf0 joins h0–h3's NICs and the 4 spines; h9.nic0 is on leaf2.
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nlink = [\"leaf0\", \"h9.nic0\"]\n",
    );
    one_error(
        &src,
        "link =",
        8,
        "\"leaf0\" and \"h9.nic0\" are not linked",
        "\"leaf0\" is linked to 8 node(s): h0.nic0, h1.nic0, h2.nic0, h3.nic0, spine0",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nlink = [\"leaf[0..2]\", \"h[0..8].nic0\"]\n",
    );
    one_error(
        &src,
        "link =",
        8,
        "8 of the 16 pairs named by this entry are not linked: leaf0 – h4.nic0",
        "every pair",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nlink = [\"leaf0\", \"spnie1\"]\n",
    );
    one_error(
        &src,
        "link =",
        8,
        "no node named \"spnie1\"",
        "did you mean \"spine1\"?",
    );
}

#[test]
fn rule_f3_rails_and_planes_exist() {
    let src = with("two-rail-16.toml", "[[failures]]\nrail = 2\n");
    one_error(
        &src,
        "rail =",
        8,
        "rail 2 does not exist",
        "rail 0 to rail 1",
    );
    // A fat tree has one group of all NICs: no rails.
    let src = with("fat-tree-32.toml", "[[failures]]\nrail = 0\n");
    one_error(
        &src,
        "rail =",
        8,
        "the topology has no rails",
        "rail-optimized",
    );
    let src = with("two-rail-16.toml", "[[failures]]\nplane = 0\n");
    one_error(
        &src,
        "plane =",
        9,
        "the topology has no planes",
        "multi-plane",
    );
}

#[test]
fn rule_f4_random_amount_in_range() {
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nrandom = { links = \"150%\", seed = 7 }\n",
    );
    one_error(
        &src,
        "random =",
        20,
        "outside 0% to 100%",
        "from \"0%\" to \"100%\"",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nrandom = { links = 0.01 }\n",
    );
    one_error(
        &src,
        "random =",
        20,
        "must be a percentage such as \"1%\" or a number of lanes",
        "",
    );
    // 33 lanes, but fat-tree-32 has 32 eligible ones.
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nrandom = { links = 33 }\n",
    );
    one_error(
        &src,
        "random =",
        10,
        "random failure of 33 lanes, but only 32 lanes are eligible",
        "switch-to-switch",
    );
    let src = with(
        "fat-tree-32.toml",
        "[[failures]]\nrandom = { links = \"1%\", tiers = [\"spin\"] }\n",
    );
    one_error(
        &src,
        "random =",
        10,
        "no links have tier \"spin\"; did you mean \"spine\"?",
        "leaf, nic, spine",
    );
}

/// leaf1 holds h4–h7's NICs (⌊j/4⌋ = 1), their only way out: failing it cuts
/// off ranks 4–7, and the error says so at the entry.
#[test]
fn rule_f5_unreachable_ranks_are_named() {
    let src = with("fat-tree-32.toml", "[[failures]]\nswitch = \"leaf1\"\n");
    one_error(
        &src,
        "switch =",
        10,
        "the failures leave 4 of 32 accelerators unreachable: h4 (rank 4), h5 (rank 5), h6 (rank 6), h7 (rank 7); h4 (rank 4) cannot reach h0 (rank 0)",
        &format!(
            "cut off by switch:leaf1 (line {})",
            line_of(&src, "switch =")
        ),
    );
    // From a flag: the same message, without a position, naming the flag.
    let d = Topology::parse(
        &fixture("fat-tree-32.toml"),
        "t.toml",
        &fabricsim::topology::LoadOptions::default()
            .with_failures(["switch:leaf1".parse().unwrap()].to_vec()),
    )
    .unwrap_err();
    assert_eq!(d.len(), 1);
    let e = &d.items[0];
    assert_eq!((e.line, e.col), (0, 0));
    assert!(
        e.message
            .contains("h4 (rank 4), h5 (rank 5), h6 (rank 6), h7 (rank 7)"),
        "{d}"
    );
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("cut off by --fail switch:leaf1"),
        "{d}"
    );
    // With one NIC per rank, a rail is a rank's only way out.
    let src = with(
        "two-rail-16.toml",
        "[[failures]]\nrail = 0\n[[failures]]\nlink = [\"gpu5\", \"gpu5.nic1\"]\n",
    );
    let d = errors(&src);
    assert!(
        d.to_string()
            .contains("1 of 16 accelerators unreachable: gpu5 (rank 5)"),
        "{d}"
    );
    assert!(d.to_string().contains("cut off by rail:0 (line"), "{d}");
}

#[test]
fn flag_errors_name_the_flag() {
    let d = Topology::parse(
        &fixture("fat-tree-32.toml"),
        "t.toml",
        &fabricsim::topology::LoadOptions::default()
            .with_failures(["switch:spine7".parse().unwrap()].to_vec()),
    )
    .unwrap_err();
    assert_eq!(
        d.to_string(),
        "t.toml: error: --fail switch:spine7: no node named \"spine7\"\n  help: declared are spine0 to spine3"
    );
}

// ---------------------------------------------------------------- info and the CLI

#[test]
fn info_lists_what_failed() {
    let t = load(&with(
        "fat-tree-32.toml",
        "[[failures]]\nswitch = \"spine0\"\n[[failures]]\nrandom = { links = 2, seed = 1 }\n",
    ));
    let i = Info::of(&t);
    assert_eq!(i.switches, 12, "the failed switch is still a node");
    let table = i.render_table();
    assert!(table.contains("switch:spine0 (line "), "{table}");
    assert!(table.contains("random:2:1 (line "), "{table}");
    assert!(table.contains("failed nodes: spine0"), "{table}");
    assert!(
        table.contains("leaf0 – spine0 (ethernet-400g, spine): down"),
        "{table}"
    );
    let j = serde_json::to_value(&i).unwrap();
    assert_eq!(j["failures"]["nodes"][0], "spine0");
    // Intact fabrics keep their JSON unchanged.
    let intact = serde_json::to_value(Info::of(&load(&fixture("fat-tree-32.toml")))).unwrap();
    assert!(intact.get("failures").is_none());
    assert_eq!(
        NodeRole::Switch,
        t.nodes[t.node_id("spine0").unwrap().idx()].role
    );
}

fn fabricsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("fabricsim runs")
}

/// A fixture with failures appended, written where the binary can read it.
fn temp_file(fixture_name: &str, failures: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fabricsim-failures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{fixture_name}", failures.len()));
    std::fs::write(&path, with(fixture_name, failures)).unwrap();
    path
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `--fail` gives what the same `[[failures]]` entry gives: the same
/// degraded info and collective results; only the recorded origin differs.
#[test]
fn cli_flag_equals_file_entry() {
    let base = data("fat-tree-32.toml");
    let entry = temp_file("fat-tree-32.toml", "[[failures]]\nswitch = \"spine0\"\n");
    let mut by_flag = json(&fabricsim(&[
        "info",
        base.to_str().unwrap(),
        "--fail",
        "switch:spine0",
        "--json",
    ]));
    let mut by_file = json(&fabricsim(&["info", entry.to_str().unwrap(), "--json"]));
    assert_eq!(by_flag["bisection_bps"], 600.0 * G);
    assert_eq!(by_flag["failures"]["entries"][0]["origin"], "--fail");
    for v in [&mut by_flag, &mut by_file] {
        v["failures"]["entries"][0]["origin"] = serde_json::Value::Null;
    }
    assert_eq!(by_flag, by_file);
    let _ = std::fs::remove_file(&entry);

    let base = data("two-rail-16.toml");
    let entry = temp_file("two-rail-16.toml", "[[failures]]\nrail = 1\n");
    let run = |path: &Path, extra: &[&str]| {
        let mut args = vec![
            "collective",
            path.to_str().unwrap(),
            "--op",
            "all-reduce",
            "--size",
            "1GiB",
            "--algo",
            "ring",
            "--alpha",
            "0 us",
            "--json",
        ];
        args.extend_from_slice(extra);
        json(&fabricsim(&args))["results"][0].clone()
    };
    let by_flag = run(&base, &["--fail", "rail:1"]);
    assert_eq!(by_flag, run(&entry, &[]));
    let _ = std::fs::remove_file(&entry);
    // As derived in a_failed_rail_halves_the_all_reduce_busbw: 50 vs 100 GB/s.
    let busbw = |v: &serde_json::Value| v["busbw_gbps"].as_f64().unwrap();
    assert_close(busbw(&by_flag), 50.0, "failed busbw");
    assert_close(busbw(&run(&base, &[])), 100.0, "intact busbw");
}

#[test]
fn cli_unreachable_rank_and_bad_flags() {
    let base = data("fat-tree-32.toml");
    let o = fabricsim(&[
        "route",
        base.to_str().unwrap(),
        "h0",
        "h1",
        "--fail",
        "switch:leaf1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unreachable: h4 (rank 4), h5 (rank 5), h6 (rank 6), h7 (rank 7)"),
        "{err}"
    );
    assert!(err.contains("cut off by --fail switch:leaf1"), "{err}");
    // A malformed flag is a usage error (exit 2), before anything is read.
    let o = fabricsim(&["info", base.to_str().unwrap(), "--fail", "random:101%"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("outside 0% to 100%"));
    // validate checks a fabric under failures too.
    let o = fabricsim(&[
        "validate",
        base.to_str().unwrap(),
        "--fail",
        "link:leaf0,spine0",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// With 3 NICs per GPU (the 16-rack Helios file), a GPU's NICs are on
/// rails 72 apart and land on 3 different leaves, so failing one leaf
/// leaves every GPU on the scale-out (it used to put all three on one
/// leaf: `--fail switch:leaf0` cut 16 GPUs off).
#[test]
fn a_multi_nic_gpu_spans_leaves() {
    let topo = crate::common::topology("helios-mi450-16rack-uec.toml");
    let leaf_of = |nic: &str| -> String {
        let id = topo.name_index[nic];
        topo.links
            .iter()
            .find(|l| l.src == id && topo.nodes[l.dst.idx()].name.starts_with("leaf"))
            .map(|l| topo.nodes[l.dst.idx()].name.clone())
            .unwrap()
    };
    for g in ["d0.gpu0", "d3.gpu17", "d15.gpu71"] {
        let mut leaves: Vec<String> = (0..3).map(|n| leaf_of(&format!("{g}.nic{n}"))).collect();
        leaves.sort();
        leaves.dedup();
        assert_eq!(leaves.len(), 3, "{g}: {leaves:?}");
    }
    let t = load_flags(
        &std::fs::read_to_string(
            crate::common::root().join("topologies/helios-mi450-16rack-uec.toml"),
        )
        .unwrap(),
        &["switch:leaf0"],
    );
    assert_eq!(t.failures.nodes, vec!["leaf0".to_string()]);
}

/// `--fail rail:0` on the 16-node HGX fabric (one NIC per GPU): each
/// `gpu0` relays through `gpu1` (PXN), the run is accepted, every rank
/// still reaches every other, and a ring all-reduce is slower than intact
/// but no more than twice as slow (gpu1's NIC now carries two GPUs'
/// traffic: at most double the bytes on the busiest NIC).
#[test]
fn a_failed_rail_is_relayed_through_a_peer() {
    let src =
        std::fs::read_to_string(crate::common::root().join("topologies/h100-2tier-16node.toml"))
            .unwrap();
    let t = load_flags(&src, &["rail:0"]);
    assert_eq!(t.failures.relays.len(), 16);
    assert_eq!(t.failures.relays[0], "d0.gpu0 via d0.gpu1");
    assert!(t.nodes[t.name_index["d0.gpu1"].idx()].forwards);
    assert!(!t.nodes[t.name_index["d0.gpu2"].idx()].forwards);
    let intact = load(&src);
    let ring = |t: &Topology| {
        let mut sim = fabricsim::collective::CollectiveSim::new(t, Default::default());
        let req = fabricsim::collective::run::Request {
            op: fabricsim::collective::Op::AllReduce,
            algo: fabricsim::collective::Algo::Ring,
            size: 1073741824.0,
            channels: None,
            chunk_bytes: 524288.0,
            protocol: Some(fabricsim::collective::Protocol::Simple),
        };
        fabricsim::collective::run::run(&mut sim, &t.accelerators, &req)
            .unwrap()
            .time_s
    };
    let (a, b) = (ring(&intact), ring(&t));
    assert!(
        b > a && b <= 2.0 * a * (1.0 + 1e-9),
        "intact {a}, rail 0 failed {b}"
    );
}
