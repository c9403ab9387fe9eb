//! Fuzz target: topology TOML bytes → text check → parse, build, validate;
//! on success, a route between the first and last accelerators and, for
//! small fabrics, `info` (bisection, diameter). Limits are lowered so that
//! every input runs in milliseconds.
#![no_main]

use fabricsim::info::Info;
use fabricsim::limits::{Limits, text};
use fabricsim::routing::Router;
use fabricsim::topology::{LoadOptions, Topology};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_nodes: 2_000,
    max_directed_links: 20_000,
    max_input_bytes: 1 << 20,
    max_sizes: 64,
};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let Ok(t) = Topology::parse(
        &src,
        "fuzz.toml",
        &LoadOptions::default().with_limits(LIMITS),
    ) else {
        return;
    };
    if let (Some(&a), Some(&b)) = (t.accelerators.first(), t.accelerators.last()) {
        let _ = Router::new(&t, t.routing, 0).route(a, b, 0);
    }
    if t.nodes.len() <= 300 {
        let _ = Info::of(&t);
    }
});
