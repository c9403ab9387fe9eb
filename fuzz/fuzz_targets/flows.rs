//! Fuzz target: a `fabricsim flows` JSON scenario → parse and check; a
//! valid scenario of at most 64 links and 64 flows is simulated, and every
//! finish time must be finite and no earlier than the flow's release.
#![no_main]

use fabricsim::limits::text;
use fabricsim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let Ok(s) = Scenario::parse(&src) else {
        return;
    };
    if s.flows.len() <= 64 && s.link_ids.len() <= 64 {
        let out = s.run();
        for (r, f) in out.release_s.iter().zip(&out.finish_s) {
            assert!(f.is_finite() && f >= r, "release {r}, finish {f}");
        }
    }
});
