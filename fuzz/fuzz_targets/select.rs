//! Fuzz target: the command-line selections `--size` (sizes, lists,
//! doubling ranges) and `--ranks` (counts, indices, ranges) on 16 ranks.
//! Accepted sizes are finite whole byte counts within the limit; accepted
//! ranks are distinct existing ranks.
#![no_main]

use fabricsim::select::{ranks, sizes};
use fabricsim::topology::NodeId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(v) = sizes(s, 64) {
        assert!(!v.is_empty() && v.len() <= 64, "{s:?}: {} sizes", v.len());
        for x in v {
            assert!(x.is_finite() && x >= 0.0 && x.fract() == 0.0, "{s:?}: {x}");
        }
    }
    let acc: Vec<NodeId> = (0..16).map(NodeId).collect();
    if let Ok(r) = ranks(Some(s), &acc) {
        let mut seen = [false; 16];
        for n in r {
            assert!(
                !std::mem::replace(&mut seen[n.0 as usize], true),
                "{s:?}: rank twice"
            );
        }
    }
});
