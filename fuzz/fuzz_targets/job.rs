//! Fuzz target: job TOML → parse and validate; a job whose layout needs 8
//! accelerators is then placed and simulated for one iteration on an HGX
//! H100 box (8 GPUs, 4 NVSwitches), exercising placement, traffic volumes
//! and the iteration composition with arbitrary model parameters.
#![no_main]

use std::sync::OnceLock;

use fabricsim::collective::Params;
use fabricsim::limits::{Limits, text};
use fabricsim::topology::Topology;
use fabricsim::workload::{Job, iteration};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_nodes: 2_000,
    max_directed_links: 20_000,
    max_input_bytes: 1 << 20,
    max_sizes: 64,
};

fn hgx() -> &'static Topology {
    static T: OnceLock<Topology> = OnceLock::new();
    T.get_or_init(|| {
        fabricsim::topology::Topology::parse(
            include_str!("../../topologies/hgx-h100.toml"),
            "hgx-h100.toml",
            &Default::default(),
        )
        .expect("shipped topology is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let Ok(job) = Job::parse(&src, "fuzz.toml", &LIMITS) else {
        return;
    };
    if job.parallelism.world() == 8 {
        if let Ok(r) = iteration::run(hgx(), &job, Params::default()) {
            let t = r.iteration.total_time_s;
            assert!(t.is_finite() && t >= 0.0, "iteration time {t}");
        }
    }
});
