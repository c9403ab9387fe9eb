//! Fuzz target: nccl-tests / rccl-tests log bytes → text check → `log::parse`
//! (every accepted row has a size of at least one byte and a finite, positive
//! time); logs of 2 to 6 usable rows are then fitted on the 8 GPUs of an HGX
//! A100 (ring all-reduce). A fit that succeeds is physical (efficiency in
//! (0, 1], α finite and ≥ 0) and its override file reads back: `calibrate`
//! never writes a file its own reader refuses.
#![no_main]

use fabricsim::calibrate::fit::{self, Point};
use fabricsim::calibrate::log;
use fabricsim::collective::{Algo, Op};
use fabricsim::limits::text;
use fabricsim::topology::Topology;
use fabricsim::topology::overrides::Overrides;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn a100() -> &'static Topology {
    static T: OnceLock<Topology> = OnceLock::new();
    T.get_or_init(|| {
        Topology::load(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../topologies/hgx-a100.toml"),
            &Default::default(),
        )
        .expect("the shipped HGX A100 loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let Ok(l) = log::parse(&src, "fuzz.log") else {
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
    let t = a100();
    if let Ok(f) = fit::fit(t, &t.accelerators, Op::AllReduce, Algo::Ring, &points) {
        assert!(
            f.efficiency > 0.0 && f.efficiency <= 1.0,
            "{}",
            f.efficiency
        );
        assert!(f.alpha_s.is_finite() && f.alpha_s >= 0.0, "{}", f.alpha_s);
        Overrides::parse(&f.overrides().to_toml()).expect("a fit reads back");
    }
});
