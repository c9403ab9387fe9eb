//! `fabricsim validate-model`, run as a user runs it on small corpora whose
//! numbers are checked by hand, and on the shipped corpus: the report is
//! current in docs/validation.md, and the held-out targets.

use crate::common::{fabricsim, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A folder with `corpus.toml` (the given points on one system, "board")
/// and `topologies/board.toml` = the shipped HGX H100 board.
fn corpus(name: &str, points: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fabricsim-vm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("topologies")).unwrap();
    std::fs::copy(
        Path::new(ROOT).join("topologies/hgx-h100.toml"),
        d.join("topologies/board.toml"),
    )
    .unwrap();
    let system = r#"schema = 1
[[system]]
id = "board"
name = "an 8-GPU board"
split = "held_out"
accelerator = "H100"
gpus_per_node = 8
scale_up = "NVLink4"
scale_out = "none"
"#;
    std::fs::write(d.join("corpus.toml"), format!("{system}{points}")).unwrap();
    d
}

/// `fabricsim collective` of a 1 MiB all-reduce on the corpus folder's
/// board, with `extra` flags, as JSON.
fn board_all_reduce_1mib(d: &Path, extra: &[&str]) -> Value {
    let board = d.join("topologies/board.toml");
    let mut args = vec!["collective", board.to_str().unwrap()];
    args.extend(["--op", "all-reduce", "--size", "1MiB", "--json"]);
    args.extend_from_slice(extra);
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn run_json(d: &Path) -> Value {
    let o = fabricsim(&[
        "validate-model",
        d.join("corpus.toml").to_str().unwrap(),
        "--topologies",
        d.join("topologies").to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn the_published_busbw_comes_from_the_time_and_the_error_from_the_collective_command() {
    // 1 MiB all-reduce on 8 GPUs in 100 µs: algbw = 1048576 B / 100 µs =
    // 10.48576 GB/s, busbw = algbw · 2·7/8 = 18.35008 GB/s (the printed
    // busbw, 18.35, is rounded and ignored).
    let d = corpus(
        "time",
        r#"
[[point]]
system = "board"
gpus = 8
op = "all-reduce"
size_bytes = 1048576
busbw_gbps = 18.35
time_us = 100.0
algo = "Ring"
source = "by hand"
"#,
    );
    let j = run_json(&d);
    let p = &j["points"][0];
    let published = p["published_busbw_gbps"].as_f64().unwrap();
    assert!((published - 18.35008).abs() < 1e-9, "{published}");
    assert_eq!(p["algo"], "ring", "the source forced Ring");
    // The same point through `fabricsim collective`.
    let c = board_all_reduce_1mib(&d, &["--algo", "ring"]);
    let busbw = c["results"][0]["busbw_gbps"].as_f64().unwrap();
    assert_eq!(p["simulated_busbw_gbps"].as_f64().unwrap(), busbw);
    let error = p["error"].as_f64().unwrap();
    assert!((error - (busbw / 18.35008 - 1.0)).abs() < 1e-12);
    // One held-out point below 16 MiB: its |error| is the split's median and p90.
    let held = &j["splits"][0];
    assert_eq!(held["name"], "held_out");
    assert_eq!(held["small"]["n"], 1);
    assert_eq!(held["small"]["median"].as_f64().unwrap(), error.abs());
    assert!(held["large"].is_null());
    assert_eq!(
        j["targets"][2]["met"].as_bool().unwrap(),
        error.abs() <= 0.30
    );
}

#[test]
fn a_system_without_topology_is_reported_not_fatal() {
    let d = corpus(
        "missing",
        r#"
[[system]]
id = "elsewhere"
name = "a system with no file"
split = "held_out"
accelerator = "H100"
gpus_per_node = 8
scale_up = "NVLink4"
scale_out = "none"

[[point]]
system = "elsewhere"
gpus = 8
op = "all-gather"
size_bytes = 1073741824
busbw_gbps = 300.0
algo = "default"
source = "by hand"

[[point]]
system = "board"
gpus = 16
op = "all-gather"
size_bytes = 1073741824
busbw_gbps = 300.0
algo = "default"
source = "by hand"
"#,
    );
    let j = run_json(&d);
    let problem = |i: usize| j["points"][i]["problem"].as_str().unwrap().to_string();
    assert!(problem(0).contains("no usable topology"), "{}", problem(0));
    assert!(problem(0).contains("elsewhere.toml"), "{}", problem(0));
    assert!(
        problem(1).contains("8 accelerators") && problem(1).contains("16"),
        "{}",
        problem(1)
    );
    assert_eq!(j["splits"][0]["unsimulated"], 2);
    assert!(
        j["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["met"] == false),
        "no points: no target is met"
    );
}

#[test]
fn bad_corpora_are_refused_with_the_reason() {
    for (points, expected) in [
        (
            "[[point]]\nsystem = \"nope\"\ngpus = 8\nop = \"all-reduce\"\nsize_bytes = 1\nbusbw_gbps = 1.0\nsource = \"x\"\n",
            "no [[system]] declares",
        ),
        (
            "[[point]]\nsystem = \"board\"\ngpus = 8\nop = \"all-reduce\"\nsize_bytes = 1\nbusbw_gbps = -1.0\nsource = \"x\"\n",
            "busbw positive",
        ),
        ("[[point]]\nsystem = \"board\"\n", "missing field"),
    ] {
        let d = corpus("bad", points);
        let o = fabricsim(&["validate-model", d.join("corpus.toml").to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    }
}

/// The shipped corpus, simulated once for the tests below (in the
/// repository root, as a user runs it).
fn shipped(args: &[&str]) -> String {
    let mut a = vec!["validate-model"];
    a.extend_from_slice(args);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(&a)
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn docs_validation_md_is_the_current_report() {
    let now = shipped(&["--markdown"]);
    let file = std::fs::read_to_string(Path::new(ROOT).join("docs/validation.md")).unwrap();
    assert!(
        now == file,
        "docs/validation.md is not current: run `cargo run --release -- validate-model --markdown > docs/validation.md`"
    );
}

/// The accuracy targets on the held-out split (median |error| ≤ 10% and
/// p90 ≤ 20% from 16 MiB, median ≤ 30% below). Missed today: the report in
/// docs/validation.md says where and why (validation/notes.md); the
/// collective-model work closes the gap. Run with `cargo test -- --ignored`.
#[test]
#[ignore = "held-out targets missed: docs/validation.md says where and why"]
fn held_out_targets_are_met() {
    let j: Value = serde_json::from_str(&shipped(&["--json"])).unwrap();
    let missed: Vec<String> = j["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["met"] != true)
        .map(|t| format!("{}: {} > {}", t["what"], t["value"], t["limit"]))
        .collect();
    assert!(missed.is_empty(), "targets missed:\n{}", missed.join("\n"));
}

/// Points of one system that ran different NCCL releases are predicted
/// with each one's cost model, as `collective --nccl` would: on an 8×H100
/// board NCCL 2.20.3's model picks NVLS for a 1 MiB all-reduce and 2.28.3's
/// ring/LL (`collective --nccl` on the same board shows both), so the two
/// points, alike but for the library they name, get different algorithms.
#[test]
fn points_are_predicted_with_the_release_their_source_ran() {
    let point = |library: &str| {
        format!(
            r#"
[[point]]
system = "board"
gpus = 8
op = "all-reduce"
size_bytes = 1048576
busbw_gbps = 100.0
library = "{library}"
source = "by hand"
"#
        )
    };
    let d = corpus(
        "releases",
        &(point("NCCL 2.18.5") + &point("NCCL 2.28.7+cuda13.0")),
    );
    let j = run_json(&d);
    for (k, release, algo) in [(0, "2.20.3", "nvls"), (1, "2.28.3", "ring")] {
        let p = &j["points"][k];
        assert_eq!(p["simulated_algorithm"], algo, "point {k}");
        let c = board_all_reduce_1mib(&d, &["--nccl", release, "--no-alternative"]);
        assert_eq!(c["results"][0]["algorithm"], algo, "{release}");
        assert_eq!(p["simulated_busbw_gbps"], c["results"][0]["busbw_gbps"]);
    }
}
