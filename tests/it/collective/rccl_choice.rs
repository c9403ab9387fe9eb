//! `auto` on AMD Instinct runs RCCL's choice; what RCCL's tuner sees is
//! derived from the communicator, as RCCL builds its graph over the
//! communicator's own GPUs. Expected values are computed by hand from
//! RCCL's tables (`crates/collective/src/tuning/rccl.rs`).

use crate::common::{fabricsim, stdout};
use serde_json::Value;

fn first(args: &[&str]) -> Value {
    let mut a = vec!["collective"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--op", "all-reduce", "--no-alternative", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&fabricsim(&a))).unwrap();
    v["results"][0].clone()
}

fn close(got: &Value, want: f64) {
    let g = got.as_f64().unwrap();
    assert!((g - want).abs() < 1e-9 * want, "{g} vs {want}");
}

/// Four of the 8 GPUs of one MI300X node: each has 3 xGMI links to the
/// others, so B = 3 · 48 = 144 GB/s (not the 7 links it has in all).
/// Ring/Simple at 1 MiB: 144 · 4/6 = 96 GB/s, 17 + 6 · 2.1 = 29.6 µs,
/// t = 29.6 + 1 048 576/96 000 = 40.523 µs (ring/LL: 7.68 GB/s, tree/LL
/// 4.32 GB/s, both far slower).
#[test]
fn a_subset_of_a_node_counts_only_its_own_links() {
    let r = first(&["topologies/mi300x-8.toml", "--size", "1MiB", "--ranks", "4"]);
    assert_eq!(r["selection"], "rccl-model");
    assert_eq!(
        (r["algorithm"].as_str(), r["protocol"].as_str()),
        (Some("ring"), Some("Simple"))
    );
    close(&r["nccl_model_s"], (29.6 + 1_048_576.0 / 96_000.0) * 1e-6);
}

/// One GPU per node has no xGMI link inside the communicator: RCCL's
/// graph is then NIC-bound, which fabricsim does not restate, so `auto`
/// is the fastest simulated.
#[test]
fn one_gpu_per_node_is_not_covered() {
    let r = first(&[
        "topologies/mi300x-128node-roce.toml",
        "--size",
        "1MiB",
        "--ranks",
        "0,8,16,24",
    ]);
    assert_eq!(r["selection"], "fastest-simulated");
    assert!(r["rccl_release"].is_null());
}

/// Two 8-GPU nodes with one NIC per GPU (RCCL's LL128 platform): at 4 MiB
/// RCCL's model ranks tree/Simple first (99.2 + 4 194 304/18 480 µs) and
/// its protocol rule moves it to LL128 (window (1 MiB, 9 MiB]): tree/LL128.
/// With the protocol forced (`--proto LL128`, NCCL_PROTO) the rule is
/// skipped and the model's best LL128 pair runs: ring/LL128, 87 +
/// 4 194 304/(14.336 · 0.1 · 1000) = 3012.7 µs against tree/LL128's 45.6 +
/// 4 194 304/1008 = 4206.6 µs.
#[test]
fn a_forced_protocol_skips_rccls_rules() {
    let topo = "topologies/mi300x-128node-roce.toml";
    let r = first(&[topo, "--size", "4MiB", "--ranks", "16"]);
    assert_eq!(
        (r["algorithm"].as_str(), r["protocol"].as_str()),
        (Some("tree"), Some("LL128"))
    );
    close(&r["nccl_model_s"], (45.6 + 4_194_304.0 / 1008.0) * 1e-6);
    let r = first(&[topo, "--size", "4MiB", "--ranks", "16", "--proto", "LL128"]);
    assert_eq!(r["selection"], "rccl-model");
    assert_eq!(
        (r["algorithm"].as_str(), r["protocol"].as_str()),
        (Some("ring"), Some("LL128"))
    );
    close(&r["nccl_model_s"], (87.0 + 4_194_304.0 / 1433.6) * 1e-6);
}

/// Without one NIC per GPU on every rank no platform model enables LL128:
/// 12 ranks (8 + 4) on two nodes get tree/Simple at 4 MiB, where 16 get
/// tree/LL128 (above).
#[test]
fn ll128_needs_rccls_eight_gpu_platform() {
    let r = first(&[
        "topologies/mi300x-128node-roce.toml",
        "--size",
        "4MiB",
        "--ranks",
        "12",
    ]);
    assert_eq!(r["selection"], "rccl-model");
    assert_eq!(r["protocol"], "Simple");
}
