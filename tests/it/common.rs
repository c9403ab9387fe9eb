//! Helpers every layer's tests share: running the binary as a user does,
//! and finding and loading the shipped files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fabricsim::topology::Topology;

/// Runs `fabricsim ARGS` in the repository root.
pub(crate) fn fabricsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("fabricsim runs")
}

/// Standard output, lossily decoded.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, lossily decoded.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository root.
pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped topology `topologies/NAME`, which must load.
#[track_caller]
pub(crate) fn topology(name: &str) -> Topology {
    let path = root().join("topologies").join(name);
    Topology::load(&path, &Default::default())
        .unwrap_or_else(|d| panic!("{}:\n{d}", path.display()))
}

/// The files of `DIR` (relative to the root) ending in `.EXT`, sorted.
pub(crate) fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// Asserts `|got − want| ≤ rel·max(|got|, |want|)` (exact match for 0).
#[track_caller]
pub(crate) fn assert_rel(got: f64, want: f64, rel: f64, what: &str) {
    let scale = got.abs().max(want.abs());
    assert!(
        (got - want).abs() <= rel * scale,
        "{what}: got {got:e}, want {want:e} (rel. error {:e})",
        (got - want).abs() / scale
    );
}

/// Schedule knobs: `channels` ring channels, `chunk` bytes per pipeline
/// chunk, and in-network reduction allowed wherever the fabric has it
/// (the schedule builders' full capability, not NCCL's default).
pub fn knobs(channels: usize, chunk: f64) -> fabricsim::collective::algorithms::Knobs {
    fabricsim::collective::algorithms::Knobs {
        channels,
        chunk_bytes: chunk,
        collnet: true,
    }
}

/// Points of the sweeps the signal tests interrupt, run on one thread
/// (`--threads 1`, so the time does not fall with the core count): a 256
/// MiB all-to-all on 128 GPUs takes ~40 ms in a release build, so 40 points
/// on 2 threads could finish before the signal arrived (a flaky failure
/// under `cargo test --release`); 200 take ~8 s, over five times the
/// longest wait before a signal (1.5 s).
pub(crate) const SLOW_SWEEP_POINTS: usize = 200;
