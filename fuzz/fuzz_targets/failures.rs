//! Fuzz target: `--fail` specs (`link:A,B`, `switch:PATTERN`, `rail:N`,
//! `plane:N`, `random:...`), parsed and applied to a small two-tier
//! rail-optimized fabric (2 domains of 4 GPUs, 4 NICs per domain).
#![no_main]

use fabricsim::topology::FailureSpec;
use libfuzzer_sys::fuzz_target;

const FABRIC: &str = r#"
[scale_up]
kind = "nvlink4"
accelerators = 4
switches = 2
domains = 2

[scale_out]
topology = "rail-optimized"
kind = "infiniband-ndr"
switch_radix = 8
tiers = 2
"#;

fuzz_target!(|s: &str| {
    let specs: Vec<FailureSpec> = s.split('\n').filter_map(|l| l.parse().ok()).collect();
    if specs.is_empty() {
        return;
    }
    let _ = fabricsim::topology::Topology::parse(
        FABRIC,
        "fuzz.toml",
        &fabricsim::topology::LoadOptions::default().with_failures(specs.to_vec()),
    );
});
