//! Fuzz target: sweep TOML bytes → text check → parse and check (axis keys
//! against the readers' schemas, values, base files resolved against the
//! shipped `topologies/` and `workloads/` folders); on success, the grid's
//! size, columns, fingerprint and the coordinates of its first and last
//! points. Points are not run (each would build a fabric).
#![no_main]

use fabricsim::limits::text;
use fabricsim::sweep::Sweep;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../sweeps"));
    let Ok(sw) = Sweep::parse(&src, "fuzz.toml", dir, &Default::default()) else {
        return;
    };
    let n = sw.points();
    assert!(n >= 1, "a valid sweep has a point");
    let _ = (
        sw.columns(),
        sw.fingerprint(),
        sw.coords(0),
        sw.coords(n - 1),
    );
});
