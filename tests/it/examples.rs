//! The example binaries run as a user runs them (cargo test builds them).

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_fabricsim"));
    bin.parent().unwrap().join("examples").join(name)
}

/// 15 senders into one 400 Gb/s NIC link take 15× as long as a permutation
/// in which every flow has its own NIC links (closed form: k·S/B vs S/B).
#[test]
fn incast_is_fifteen_times_a_permutation() {
    let out = Command::new(example("incast"))
        .output()
        .expect("example built by cargo test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // 1 GiB at 50e9 B/s = 21.475 ms for the permutation.
    assert!(
        text.contains("permutation   16 flows  makespan    21.475 ms"),
        "{text}"
    );
    assert!(text.contains("incast / permutation = 15.00"), "{text}");
}
