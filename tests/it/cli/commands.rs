//! The `validate`, `info` and `route` commands run as a user runs them.

use crate::common::{fabricsim, stderr, stdout};

#[test]
fn validate_accepts_every_shipped_topology() {
    let mut files: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/topologies"))
            .unwrap()
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.ends_with(".toml"))
            .collect();
    files.sort();
    let args: Vec<&str> = std::iter::once("validate")
        .chain(files.iter().map(|s| s.as_str()))
        .collect();
    let o = fabricsim(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).lines().filter(|l| l.contains(": ok (")).count(),
        files.len()
    );
}

#[test]
fn validate_reports_every_problem_and_exits_1() {
    let o = fabricsim(&[
        "validate",
        "topologies/hgx-h100.toml",
        "tests/it/invalid/13-many-problems.toml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // The valid file is still confirmed; every error line is located.
    assert!(err.contains("hgx-h100.toml: ok"), "{err}");
    let located = err
        .lines()
        .filter(|l| {
            l.starts_with("tests/it/invalid/13-many-problems.toml:") && l.contains(": error: ")
        })
        .count();
    assert!(located >= 2, "expected several located errors:\n{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn info_json_counts_the_hgx_board() {
    let o = fabricsim(&["info", "topologies/hgx-h100.toml", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // One HGX H100 board: 8 GPUs, 4 NVSwitch chips, 8 × 4 GPU–switch links.
    assert_eq!(v["accelerators"], 8);
    assert_eq!(v["switches"], 4);
    assert_eq!(v["links"], 32);
    assert_eq!(v["links_by_kind"]["nvlink4"], 32);
    // GPU → switch → GPU.
    assert_eq!(v["diameter_hops"], 2);
}

/// On the HGX board every GPU pair has 4 equal-cost paths, one per NVSwitch:
/// spraying puts 1/4 of the flow on each of the 4 up-links and 4 down-links.
#[test]
fn route_sprays_over_the_four_nvswitches() {
    let o = fabricsim(&[
        "route",
        "topologies/hgx-h100.toml",
        "d0.gpu0",
        "d0.gpu5",
        "--mode",
        "spray",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 8);
    for l in links {
        assert_eq!(l["fraction"], 0.25);
    }
    // Hash mode does not hash over NVLink ports (they interleave in
    // hardware): the weighted split, 5/18, 4/18, 4/18, 5/18 of the flow via
    // the four switches (lanes 5/4/4/5 of 18), on the same 8 links.
    let o = fabricsim(&[
        "route",
        "topologies/hgx-h100.toml",
        "d0.gpu0",
        "d0.gpu5",
        "--mode",
        "hash",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 8);
    let mut fractions: Vec<f64> = links
        .iter()
        .map(|l| l["fraction"].as_f64().unwrap())
        .collect();
    fractions.sort_by(f64::total_cmp);
    let want = [4.0, 4.0, 4.0, 4.0, 5.0, 5.0, 5.0, 5.0].map(|x| x / 18.0);
    for (got, want) in fractions.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{fractions:?}");
    }
}

#[test]
fn unknown_node_is_an_input_error_with_a_suggestion() {
    let o = fabricsim(&["route", "topologies/hgx-h100.toml", "d0.gpu0", "d0.gpu55"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("no node named \"d0.gpu55\""), "{err}");
    assert!(err.contains("did you mean"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let o = fabricsim(&["info"]);
    assert_eq!(o.status.code(), Some(2));
    let o = fabricsim(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn missing_file_is_an_input_error() {
    let o = fabricsim(&["info", "topologies/no-such-file.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no-such-file.toml"));
}

/// Weighted ECMP splits per hop in proportion to link capacity: d0.gpu0 has
/// 5/4/4/5 NVLink lanes to d0.sw0..sw3 (18 in all), so 5/18, 4/18, 4/18, 5/18
/// of the flow go via the four switches, up and down (spray: 1/4 each).
#[test]
fn route_weighted_splits_by_nvlink_lanes() {
    let o = fabricsim(&[
        "route",
        "topologies/hgx-h100.toml",
        "d0.gpu0",
        "d0.gpu5",
        "--mode",
        "weighted",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["mode"], "weighted");
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 8);
    for l in links {
        let name = l["link"].as_str().unwrap();
        let lanes = if name.contains("d0.sw0") || name.contains("d0.sw3") {
            5.0
        } else {
            4.0
        };
        let f = l["fraction"].as_f64().unwrap();
        assert!((f - lanes / 18.0).abs() < 1e-12, "{name}: {f}");
    }
}

/// Accelerators do not forward: a cross-rail flow on the rail-optimized
/// 16-server fabric (d0.gpu0 on rail 0 → leaf0, d1.gpu5 on rail 5 → leaf2)
/// goes gpu → nic → leaf0 → spine0/spine1 → leaf2 → nic → gpu: 8 links, no
/// NVLink, no GPU but the two endpoints. Latency: 4 × 50 ns of links (the
/// NIC attachments have none) + 3 × 150 ns of Quantum-2 forwarding = 650 ns.
#[test]
fn cross_rail_route_takes_a_spine_not_a_transit_gpu() {
    let o = fabricsim(&[
        "route",
        "topologies/h100-2tier-16node.toml",
        "d0.gpu0",
        "d1.gpu5",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!((v["latency_s"].as_f64().unwrap() - 650e-9).abs() < 1e-15);
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 8, "{links:?}");
    let mut spines = 0;
    for l in links {
        assert_ne!(l["kind"], "nvlink4", "{l}");
        let label = l["link"].as_str().unwrap();
        // "a → b (kind)": every GPU named is an endpoint of the flow.
        let ends = label.split(" (").next().unwrap().split(" → ");
        for end in ends {
            let gpu = end.strip_suffix(".nic0").unwrap_or(end);
            assert!(
                !gpu.contains(".gpu") || gpu == "d0.gpu0" || gpu == "d1.gpu5",
                "transit through {end}: {label}"
            );
        }
        spines += usize::from(label.contains("spine"));
    }
    // leaf0 → spine0, leaf0 → spine1, spine0 → leaf2, spine1 → leaf2.
    assert_eq!(spines, 4);
}

/// `validate --json` prints one document on stdout, also when a file is
/// invalid (exit 1), with each error's line, column, message and help.
#[test]
fn validate_json_reports_located_errors() {
    let o = fabricsim(&[
        "validate",
        "--json",
        "topologies/hgx-h100.toml",
        "tests/it/invalid/02-unknown-key.toml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files[0]["ok"], true);
    assert_eq!(files[0]["accelerators"], 8);
    assert_eq!(files[1]["ok"], false);
    // tests/it/invalid/02-unknown-key.toml line 5 is `switchs = 4`.
    let e = &files[1]["errors"][0];
    assert_eq!(e["line"], 5);
    assert_eq!(e["col"], 1);
    assert!(e["message"].as_str().unwrap().contains("switchs"));
    assert!(e["help"].as_str().unwrap().contains("switches"));
}

/// `collective --op all-to-all` runs NCCL's point-to-point all-to-all and
/// says so: `selection` `point-to-point` in JSON, the `# algorithm/protocol:` line in
/// the table.
#[test]
fn all_to_all_says_it_runs_point_to_point() {
    let args = [
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-to-all",
        "--size",
        "64MiB",
        "--no-alternative",
    ];
    let o = fabricsim(&[&args[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r = &v["results"][0];
    assert_eq!(
        (r["algorithm"].as_str(), r["selection"].as_str()),
        (Some("direct"), Some("point-to-point"))
    );
    let t = fabricsim(&args);
    assert!(t.status.success(), "{}", stderr(&t));
    assert!(
        stdout(&t).contains("# algorithm/protocol: all-to-all as NCCL and RCCL run it"),
        "{}",
        stdout(&t)
    );
}

/// The shipped 4,096-chip torus's all-to-all (16.8 M pairs, spray routes of
/// hundreds of links) would pass the route-entry limit: it is refused from a
/// sample of its routes before they are routed, with the estimate (it
/// stopped after ~120 s and 6.6 GB at the limit). `best`, where every
/// candidate fails, reports that size error too, not the last candidate's
/// (PAT's "serves all-gather and reduce-scatter").
#[test]
fn an_all_to_all_too_large_to_route_is_refused_before_routing() {
    // Exit 1 with the estimate's error, which contains `what`.
    let refused = |topology: &str, extra: &[&str], what: &str| {
        let args = [
            &[
                "collective",
                topology,
                "--op",
                "all-to-all",
                "--size",
                "16MiB",
            ],
            extra,
        ]
        .concat();
        let o = fabricsim(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        let e = stderr(&o);
        assert!(
            e.contains(what) && e.contains("estimated from 1024 of them"),
            "{args:?}: {e}"
        );
    };
    for algo in ["auto", "best"] {
        refused(
            "topologies/tpu-4096-torus.toml",
            &["--algo", algo],
            "16773120 pairs would hold about",
        );
    }
    // A 2,048-rank all-to-all on a 3-tier fat tree: 1.18 G entries, 10%
    // over the limit, where it stopped after 106 s (BENCHMARKS.md).
    refused(
        "topologies/h100-1024node-3tier.toml",
        &["--ranks", "2048", "--no-alternative"],
        "pairs would hold about",
    );
}
