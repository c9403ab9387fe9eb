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

/// Runs example `name` with its plots sent to a fresh directory and checks
/// that it succeeds, prints a table and writes every `STEM.png` + `.svg`.
fn runs_and_writes(name: &str, stems: &[&str], table: &str) {
    let dir = std::env::temp_dir().join(format!("fabricsim-example-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(example(name))
        .env("FABRICSIM_PLOTS_DIR", &dir)
        .output()
        .expect("example built by cargo test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(table), "{text}");
    for stem in stems {
        let png = std::fs::read(dir.join(format!("{stem}.png"))).expect("png written");
        assert!(png.starts_with(b"\x89PNG"), "{stem}.png");
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).expect("svg written");
        assert!(svg.contains("<svg"), "{stem}.svg");
        // The plots the repository ships (README, docs/plots.md) are what
        // the example draws now: rendering is deterministic (shipped font).
        for (ext, now) in [("png", png), ("svg", svg.into_bytes())] {
            let shipped = std::fs::read(crate::common::root().join(format!("plots/{stem}.{ext}")))
                .expect("plot shipped in plots/");
            assert!(
                shipped == now,
                "plots/{stem}.{ext} is stale: run `cargo run --release --example {name}` and commit plots/"
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scale_up_shootout_runs() {
    runs_and_writes(
        "scale_up_shootout",
        &["scale-up-shootout-busbw"],
        "GB300 NVL72 (72 GPUs)",
    );
}

#[test]
fn clos_variants_runs() {
    runs_and_writes(
        "clos_variants",
        &[
            "clos-variants-all-reduce-busbw",
            "clos-variants-all-to-all-busbw",
        ],
        "rail-only",
    );
}

#[test]
fn spray_vs_hash_runs() {
    runs_and_writes(
        "spray_vs_hash",
        &["spray-vs-hash-busbw", "spray-vs-hash-top-links"],
        "hash seed 0",
    );
}

#[test]
fn llama405b_clusters_runs() {
    runs_and_writes(
        "llama405b_clusters",
        &["llama405b-clusters-breakdown"],
        "2:1 oversubscribed",
    );
}

#[test]
fn failure_whatif_runs() {
    runs_and_writes(
        "failure_whatif",
        &[
            "failure-whatif-spine-top-links",
            "failure-whatif-plane-top-links",
            "failure-whatif-dci-top-links",
        ],
        "plane:1",
    );
}

#[test]
fn energy_clusters_runs() {
    runs_and_writes(
        "energy_clusters",
        &["energy-clusters-breakdown"],
        "H100 SuperPOD",
    );
}
