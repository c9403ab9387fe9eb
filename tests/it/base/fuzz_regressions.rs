//! The fuzz targets' checks in CI, without cargo-fuzz:
//! - every file in `fuzz/regressions/TARGET/` (inputs that once crashed,
//!   hung or used too much memory; see docs/robustness.md) is replayed
//!   through the same entry point as the target;
//! - byte-level mutations (bytes cut, replaced, inserted) of the shipped
//!   job files and scenarios, and random `--fail`, `--size`, `--ranks` and
//!   unit strings, must give a result or an error, never a panic.
//!
//! The long runs are `fuzz/run-all.sh` (docs/robustness.md).

use crate::common::root;
use fabricsim::limits::{Limits, text};
use fabricsim::topology::{FailureSpec, NodeId};
use proptest::prelude::*;

const LIMITS: Limits = Limits {
    max_nodes: 2_000,
    max_directed_links: 20_000,
    max_input_bytes: 1 << 20,
    max_sizes: 64,
};

/// The topology target: parse, build, validate; route and `info` on success.
fn topology_target(data: &[u8]) {
    let Ok(src) = text(data.to_vec()) else { return };
    let Ok(t) = fabricsim::topology::Topology::parse(
        &src,
        "fuzz.toml",
        &fabricsim::topology::LoadOptions::default().with_limits(LIMITS),
    ) else {
        return;
    };
    if let (Some(&a), Some(&b)) = (t.accelerators.first(), t.accelerators.last()) {
        let _ = fabricsim::routing::Router::new(&t, t.routing, 0).route(a, b, 0);
    }
    if t.nodes.len() <= 300 {
        let _ = fabricsim::info::Info::of(&t);
    }
}

/// The job target: parse and validate (running is covered by jobs tests).
fn job_target(data: &[u8]) {
    let Ok(src) = text(data.to_vec()) else { return };
    let _ = fabricsim::workload::Job::parse(&src, "fuzz.toml", &LIMITS);
}

/// The flows target: parse; run small scenarios and check their times.
fn flows_target(data: &[u8]) {
    let Ok(src) = text(data.to_vec()) else { return };
    let Ok(s) = fabricsim::scenario::Scenario::parse(&src) else {
        return;
    };
    if s.flows.len() <= 64 && s.link_ids.len() <= 64 {
        let out = s.run();
        for (r, f) in out.release_s.iter().zip(&out.finish_s) {
            assert!(f.is_finite() && f >= r, "release {r}, finish {f}");
        }
    }
}

/// The select target: `--size` and `--ranks` on 16 ranks.
fn select_target(s: &str) {
    if let Ok(v) = fabricsim::select::sizes(s, 64) {
        assert!(!v.is_empty() && v.len() <= 64, "{s:?}");
        assert!(
            v.iter()
                .all(|x| x.is_finite() && *x >= 0.0 && x.fract() == 0.0)
        );
    }
    let acc: Vec<NodeId> = (0..16).map(NodeId).collect();
    if let Ok(r) = fabricsim::select::ranks(Some(s), &acc) {
        let mut seen = [false; 16];
        for n in r {
            assert!(!std::mem::replace(&mut seen[n.0 as usize], true), "{s:?}");
        }
    }
}

/// The units target: accepted values are finite and non-negative.
fn units_target(s: &str) {
    use fabricsim::units::{Bytes, BytesPerSec, Seconds};
    for v in [
        s.parse::<Bytes>().map(|b| b.get()),
        s.parse::<BytesPerSec>().map(|b| b.get()),
        s.parse::<Seconds>().map(|b| b.get()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(v.is_finite() && v >= 0.0, "{s:?} → {v}");
    }
}

const FAIL_FABRIC: &str = "[scale_up]\nkind = \"nvlink4\"\naccelerators = 4\nswitches = 2\ndomains = 2\n\
    [scale_out]\ntopology = \"rail-optimized\"\nkind = \"infiniband-ndr\"\nswitch_radix = 8\ntiers = 2\n";

/// The failures target: specs applied to a small rail-optimized fabric.
fn failures_target(s: &str) {
    let specs: Vec<FailureSpec> = s.split('\n').filter_map(|l| l.parse().ok()).collect();
    if !specs.is_empty() {
        let _ = fabricsim::topology::Topology::parse(
            FAIL_FABRIC,
            "fuzz.toml",
            &fabricsim::topology::LoadOptions::default().with_failures(specs.to_vec()),
        );
    }
}

/// The `sweep` fuzz target: parse and check; on success, grid queries.
fn sweep_target(data: &[u8]) {
    let Ok(src) = fabricsim::limits::text(data.to_vec()) else {
        return;
    };
    if let Ok(sw) = fabricsim::sweep::Sweep::parse(
        &src,
        "fuzz.toml",
        &root().join("sweeps"),
        &Default::default(),
    ) {
        let n = sw.points();
        assert!(n >= 1);
        let _ = (
            sw.columns(),
            sw.fingerprint(),
            sw.coords(0),
            sw.coords(n - 1),
        );
    }
}

/// The merge target: `results.json` → table → merged alone and with a copy
/// of itself; a merged table has one row per point, in order, and reads back.
fn merge_target(data: &[u8]) {
    use fabricsim::sweep::{Table, table};
    let Ok(src) = text(data.to_vec()) else { return };
    let Ok(t) = Table::from_json(&src) else {
        return;
    };
    let _ = table::merge(vec![("a".into(), t.clone()), ("b".into(), t.clone())]);
    if let Ok(m) = table::merge(vec![("a".into(), t)]) {
        assert_eq!(m.rows.len(), m.header.points);
        for (i, r) in m.rows.iter().enumerate() {
            assert_eq!(Table::point_of(r), i);
        }
        let back = Table::from_json(&m.to_json()).expect("a merged table reads back");
        assert_eq!(back.rows.len(), m.rows.len());
    }
}

/// The calibrate_log target: parse; accepted rows have a size ≥ 1 B and a
/// finite positive time; 2 to 6 rows are fitted on an HGX A100 (ring
/// all-reduce), and a fit is physical and its override file reads back.
fn calibrate_log_target(data: &[u8]) {
    use fabricsim::calibrate::fit::{self, Point};
    use fabricsim::collective::{Algo, Op};
    use fabricsim::topology::overrides::Overrides;
    static A100: std::sync::OnceLock<fabricsim::topology::Topology> = std::sync::OnceLock::new();
    let Ok(src) = text(data.to_vec()) else { return };
    let Ok(l) = fabricsim::calibrate::log::parse(&src, "fuzz.log") else {
        return;
    };
    let points: Vec<Point> = l
        .rows
        .iter()
        .filter_map(|r| {
            r.measure().map(|m| Point {
                size: r.size as f64,
                time_s: m.time_us * 1e-6,
            })
        })
        .collect();
    for p in &points {
        assert!(
            p.size >= 1.0 && p.time_s.is_finite() && p.time_s > 0.0,
            "{p:?}"
        );
    }
    if !(2..=6).contains(&points.len()) {
        return;
    }
    let t = A100.get_or_init(|| {
        fabricsim::topology::Topology::load(
            root().join("topologies/hgx-a100.toml"),
            &Default::default(),
        )
        .unwrap()
    });
    if let Ok(f) = fit::fit(t, &t.accelerators, Op::AllReduce, Algo::Ring, &points) {
        assert!(
            f.efficiency > 0.0 && f.efficiency <= 1.0,
            "{}",
            f.efficiency
        );
        assert!(f.alpha_s.is_finite() && f.alpha_s >= 0.0, "{}", f.alpha_s);
        Overrides::parse(&f.overrides().to_toml()).expect("a fit reads back");
    }
}

#[test]
fn replay_fuzz_regressions() {
    let dir = root().join("fuzz/regressions");
    let mut n = 0;
    for target in [
        "topology",
        "job",
        "flows",
        "select",
        "units",
        "failures",
        "sweep",
        "merge",
        "calibrate_log",
    ] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let data = std::fs::read(&p).unwrap();
            let s = String::from_utf8_lossy(&data);
            match target {
                "topology" => topology_target(&data),
                "job" => job_target(&data),
                "flows" => flows_target(&data),
                "select" => select_target(&s),
                "units" => units_target(&s),
                "sweep" => sweep_target(&data),
                "merge" => merge_target(&data),
                "calibrate_log" => calibrate_log_target(&data),
                _ => failures_target(&s),
            }
            n += 1;
        }
    }
    // The failures fabric itself is valid, so the target exercises --fail.
    fabricsim::topology::Topology::parse(FAIL_FABRIC, "f.toml", &Default::default()).unwrap();
    eprintln!("replayed {n} fuzz regression inputs");
}

/// A byte-level mutation of `base`: cut `cut` bytes at `pos`, insert `ins`.
fn mutate(base: &[u8], pos: usize, cut: usize, ins: &[u8]) -> Vec<u8> {
    let pos = pos % (base.len() + 1);
    let end = (pos + cut).min(base.len());
    [&base[..pos], ins, &base[end..]].concat()
}

fn shipped(dir: &str, ext: &str) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn mutated_jobs_never_panic(
        which in 0usize..64, pos in 0usize..4000, cut in 0usize..12,
        ins in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let files = shipped("workloads", "toml");
        job_target(&mutate(&files[which % files.len()], pos, cut, &ins));
    }

    #[test]
    fn mutated_scenarios_never_panic(
        which in 0usize..64, pos in 0usize..2000, cut in 0usize..12,
        ins in "[0-9eE.+\\-\\[\\]{}\",: a-z]{0,8}",
    ) {
        let files = shipped("tests/it/data/scenarios", "json");
        flows_target(&mutate(&files[which % files.len()], pos, cut, ins.as_bytes()));
    }

    #[test]
    fn mutated_topologies_never_panic(
        which in 0usize..64, pos in 0usize..6000, cut in 0usize..12,
        ins in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let files = shipped("topologies", "toml");
        topology_target(&mutate(&files[which % files.len()], pos, cut, &ins));
    }

    #[test]
    fn mutated_sweeps_never_panic(
        which in 0usize..64, pos in 0usize..1500, cut in 0usize..12,
        ins in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let files = shipped("sweeps", "toml");
        sweep_target(&mutate(&files[which % files.len()], pos, cut, &ins));
    }

    #[test]
    fn mutated_results_never_panic(
        pos in 0usize..2000, cut in 0usize..12,
        ins in "[0-9eE.+\\-\\[\\]{}\",: a-z]{0,8}",
    ) {
        let base = std::fs::read(root().join("tests/it/data/results-two-points.json")).unwrap();
        merge_target(&mutate(&base, pos, cut, ins.as_bytes()));
    }

    #[test]
    fn mutated_nccl_logs_never_panic(
        which in 0usize..64, pos in 0usize..4000, cut in 0usize..12,
        ins in "[0-9eE.+\\- a-zN/A#]{0,8}",
    ) {
        let files = shipped("tests/data/nccl", "log");
        calibrate_log_target(&mutate(&files[which % files.len()], pos, cut, ins.as_bytes()));
    }

    #[test]
    fn selections_never_panic(s in "[0-9.,a-zA-Z ]{0,24}") {
        select_target(&s);
        units_target(&s);
    }

    #[test]
    fn failure_specs_never_panic(
        kind in prop::sample::select(vec!["link:", "switch:", "rail:", "plane:", "random:", "x:"]),
        rest in "[a-z0-9.,:%\\[\\]=+\\-]{0,20}",
    ) {
        failures_target(&format!("{kind}{rest}"));
    }
}
