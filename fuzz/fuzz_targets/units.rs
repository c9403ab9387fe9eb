//! Fuzz target: unit strings (`"800 Gb/s"`, `"1.5 us"`, `"64 MiB"`) as each
//! quantity; an accepted value is finite and non-negative, and prints.
#![no_main]

use fabricsim::units::{Bytes, BytesPerSec, Seconds};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(b) = s.parse::<Bytes>() {
        assert!(b.get().is_finite() && b.get() >= 0.0, "{s:?} → {}", b.get());
        let _ = b.to_string();
    }
    if let Ok(b) = s.parse::<BytesPerSec>() {
        assert!(b.get().is_finite() && b.get() >= 0.0, "{s:?} → {}", b.get());
        let _ = b.to_string();
    }
    if let Ok(t) = s.parse::<Seconds>() {
        assert!(t.get().is_finite() && t.get() >= 0.0, "{s:?} → {}", t.get());
        let _ = t.to_string();
    }
});
