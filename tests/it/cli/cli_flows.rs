//! `fabricsim flows FILE [--json]` (docs/cli.md): output shape, the human table,
//! determinism, and one test per kind of bad input (exit code exactly 1, a
//! message that names the file and the problem, never a panic).
//!
//! Fixtures live in `tests/it/data/scenarios/` (bad ones in the corpus `tests/it/invalid/flows/`); expected numbers are derived
//! by hand in the comments.

use crate::common::assert_rel;
use crate::flow::flow_props::{fat_tree, naive_simulate};
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/data/scenarios/");

/// The bad scenarios: the flows part of the bad-input corpus.
const INVALID: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/invalid/flows/");

fn fixture(name: &str) -> String {
    format!("{SCENARIOS}{name}")
}

/// Time limit for one CLI run [s]; real runs take well under a second.
const CLI_TIMEOUT_S: u64 = 60;

/// Runs `fabricsim ARGS` with `input` on standard input; fails (and kills the
/// process) if it does not exit within [`CLI_TIMEOUT_S`].
fn run_cli(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fabricsim runs");
    // Feed and drain the pipes on other threads so that no pipe fills up.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        // The process may exit without reading (e.g. on a missing file).
        let _ = stdin.write_all(input.as_bytes());
    });
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            pipe.read_to_end(&mut buf).expect("pipe readable");
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(CLI_TIMEOUT_S);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for fabricsim") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("fabricsim {args:?} did not exit within {CLI_TIMEOUT_S} s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    writer.join().unwrap();
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn fabricsim(args: &[&str]) -> Output {
    run_cli(args, "")
}

/// Runs `fabricsim flows - [--json]` with `input` on standard input.
fn flows_stdin(input: &str, json: bool) -> Output {
    let mut args = vec!["flows", "-"];
    if json {
        args.push("--json");
    }
    run_cli(&args, input)
}

#[track_caller]
fn success(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn json_of(path: &str) -> serde_json::Value {
    let text = success(&fabricsim(&["flows", path, "--json"]));
    serde_json::from_str(&text).expect("--json prints one JSON document")
}

/// `(id, finish_s)` of every row of a `--json` document.
fn finishes(doc: &serde_json::Value) -> Vec<(String, f64)> {
    doc["flows"]
        .as_array()
        .expect("\"flows\" is an array")
        .iter()
        .map(|row| {
            (
                row["id"].as_str().expect("id is a string").to_owned(),
                row["finish_s"].as_f64().expect("finish_s is a number"),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Output.

/// parking_lot.json is the parking lot of flows.rs (capacities 4, 6, 10 GB/s;
/// A crosses all three links; sizes A 12, B 4, C 20, D 16 GB):
/// finishes A 14/3, B 2, C 16/3, D 2 s; makespan 16/3 s.
#[test]
fn json_output_shape_and_values() {
    let doc = json_of(&fixture("parking_lot.json"));
    let rows = finishes(&doc);
    let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "D"], "rows in input order");
    for ((id, got), want) in rows.iter().zip([14.0 / 3.0, 2.0, 16.0 / 3.0, 2.0]) {
        assert_rel(*got, want, 1e-12, id);
    }
    for row in doc["flows"].as_array().unwrap() {
        assert!(
            row.get("id").is_some() && row.get("finish_s").is_some(),
            "{row}"
        );
    }
    let makespan = doc["makespan_s"].as_f64().expect("makespan_s is a number");
    assert_rel(makespan, 16.0 / 3.0, 1e-12, "makespan_s");
}

/// chain.json, listed with the dependent first:
/// - a: 1 MB over two 1 GB/s links with 1 us latency each:
///   finish 2e-6 + 1e-3 = 1.002 ms;
/// - b: after a plus 5 us (released 1.007 ms), 0.5 MB on one link with 1 us
///   latency: 1.007e-3 + 1e-6 + 5e-4 = 1.508 ms;
/// - empty: 0 bytes from 0.5 s over one 1 us link: 0.500001 s.
#[test]
fn json_output_with_dependencies_latency_and_empty_flow() {
    let doc = json_of(&fixture("chain.json"));
    let rows = finishes(&doc);
    let want = [("b", 1.508e-3), ("a", 1.002e-3), ("empty", 0.500001)];
    assert_eq!(rows.len(), want.len());
    for ((id, got), (wid, w)) in rows.iter().zip(want) {
        assert_eq!(id, wid);
        assert_rel(*got, w, 1e-12, id);
    }
    assert_rel(
        doc["makespan_s"].as_f64().unwrap(),
        0.500001,
        1e-12,
        "makespan_s",
    );
}

/// The default output is a human table: a header, one row per flow in input
/// order with its finish time, and a summary line with the makespan.
#[test]
fn human_table() {
    let text = success(&fabricsim(&["flows", &fixture("parking_lot.json")]));
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0].to_lowercase();
    assert!(
        header.contains("flow") && header.contains("finish"),
        "{text}"
    );
    let want = [("A", 14.0 / 3.0), ("B", 2.0), ("C", 16.0 / 3.0), ("D", 2.0)];
    for (line, (id, finish)) in lines[1..].iter().zip(want) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[0], id, "{text}");
        let printed: f64 = cols.last().unwrap().parse().expect("finish is a number");
        // The table rounds for display: 10 significant digits.
        assert_rel(printed, finish, 1e-9, id);
    }
    let summary = lines.last().unwrap();
    assert!(summary.contains("makespan"), "{text}");
    assert!(
        summary.contains("5.333333333"),
        "makespan 16/3 in: {summary}"
    );
}

/// Standard input works as a file named `-`.
#[test]
fn reads_standard_input() {
    let text = std::fs::read_to_string(fixture("parking_lot.json")).unwrap();
    let out = flows_stdin(&text, true);
    let doc: serde_json::Value = serde_json::from_str(&success(&out)).unwrap();
    assert_eq!(finishes(&doc).len(), 4);
}

// ---------------------------------------------------------------------------
// Determinism.

/// Byte-identical `--json` output across runs, on a fixture.
#[test]
fn json_output_is_deterministic() {
    let path = fixture("parking_lot.json");
    let a = fabricsim(&["flows", &path, "--json"]);
    let b = fabricsim(&["flows", &path, "--json"]);
    assert_eq!(success(&a), success(&b));
}

/// A ~2000-flow fat-tree scenario through the CLI: two runs give
/// byte-identical output, rows come in input order, and every finish time
/// agrees with the naive reference simulator within 1e-9.
#[test]
fn fat_tree_through_cli_is_deterministic_and_correct() {
    let s = fat_tree(0xFAB, 2000, false);
    let input = s.to_json();
    let a = success(&flows_stdin(&input, true));
    let b = success(&flows_stdin(&input, true));
    assert!(a == b, "two runs of the same scenario differ");
    let doc: serde_json::Value = serde_json::from_str(&a).unwrap();
    let rows = finishes(&doc);
    assert_eq!(rows.len(), s.flows.len());
    let want = naive_simulate(&s.cap, &s.flows);
    for (i, (id, got)) in rows.iter().enumerate() {
        assert_eq!(id, &s.flow_ids[i], "rows in input order");
        // Route latencies come from the links in the JSON; the reference
        // uses the generator's per-flow sums of the same numbers.
        assert_rel(*got, want.finish[i], 1e-9, id);
    }
    let makespan = want.finish.iter().copied().fold(0.0, f64::max);
    assert_rel(
        doc["makespan_s"].as_f64().unwrap(),
        makespan,
        1e-9,
        "makespan_s",
    );
}

// ---------------------------------------------------------------------------
// Bad input: exit code exactly 1, no panic, the file named, key phrases.

/// Runs `flows` on a bad fixture and returns stderr after the common checks.
#[track_caller]
fn rejects(name: &str) -> String {
    let path = format!("{INVALID}{name}");
    for json in [false, true] {
        let mut args = vec!["flows", path.as_str()];
        if json {
            args.push("--json");
        }
        let out = fabricsim(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{name}: stderr: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout on error");
        assert!(
            stderr.contains(name),
            "{name}: message names the file: {stderr}"
        );
        if !json {
            continue;
        }
        return stderr;
    }
    unreachable!()
}

/// Asserts that `stderr` locates the error at `line` and a column in `cols`
/// (written `line:col`).
#[track_caller]
fn assert_located(stderr: &str, line: usize, cols: std::ops::RangeInclusive<usize>) {
    // The form docs/cli.md gives: `path:line:col: error: ...`.
    let found = stderr.split(|c: char| c.is_whitespace()).any(|word| {
        let word = word.trim_end_matches(':');
        let parts: Vec<&str> = word.rsplitn(3, ':').collect();
        match parts.as_slice() {
            [c, l, path] if !path.is_empty() => {
                l.parse::<usize>() == Ok(line)
                    && c.parse::<usize>().is_ok_and(|c| cols.contains(&c))
            }
            _ => false,
        }
    });
    assert!(found, "expected a location {line}:{cols:?} in: {stderr}");
}

#[track_caller]
fn assert_mentions(stderr: &str, phrases: &[&str]) {
    let lower = stderr.to_lowercase();
    for p in phrases {
        assert!(
            lower.contains(&p.to_lowercase()),
            "expected {p:?} in: {stderr}"
        );
    }
}

/// Line 2 is `  {"id": "l0" "bandwidth": 1e9}`: the comma is missing before
/// the `"` at column 15.
#[test]
fn malformed_json_is_located() {
    let e = rejects("syntax.json");
    assert_located(&e, 2, 15..=15);
    assert_mentions(&e, &["json"]);
}

/// JSON has no NaN literal: `NaN` (line 2, columns 51–53) is a syntax error.
#[test]
fn nan_text_is_a_located_json_error() {
    let e = rejects("nan.json");
    assert_located(&e, 2, 51..=53);
}

/// `1e999` (line 2, columns 51–55) overflows f64.
#[test]
fn huge_number_is_rejected() {
    let e = rejects("huge.json");
    assert_located(&e, 2, 51..=55);
    assert_mentions(&e, &["out of range"]);
}

#[test]
fn negative_bytes_are_rejected() {
    let e = rejects("negative_bytes.json");
    assert_mentions(&e, &["f0", "bytes", "non-negative", "-1"]);
}

#[test]
fn negative_start_is_rejected() {
    let e = rejects("negative_start.json");
    assert_mentions(&e, &["f0", "start", "-0.5"]);
}

#[test]
fn zero_bandwidth_is_rejected() {
    let e = rejects("zero_bandwidth.json");
    assert_mentions(&e, &["l0", "bandwidth", "positive"]);
}

#[test]
fn negative_latency_is_rejected() {
    let e = rejects("negative_latency.json");
    assert_mentions(&e, &["l0", "latency"]);
}

/// `leaf0>spine2` is one edit away from the only link, `leaf0>spine1`.
#[test]
fn unknown_link_suggests_a_near_miss() {
    let e = rejects("unknown_link.json");
    assert_mentions(
        &e,
        &[
            "f0",
            "unknown link",
            "leaf0>spine2",
            "did you mean",
            "leaf0>spine1",
        ],
    );
}

/// Nothing close to `nowhere`: no suggestion.
#[test]
fn unknown_link_without_a_near_miss() {
    let e = rejects("unknown_link_far.json");
    assert_mentions(&e, &["f0", "unknown link", "nowhere"]);
    assert!(!e.to_lowercase().contains("did you mean"), "{e}");
}

#[test]
fn empty_route_is_rejected() {
    let e = rejects("empty_route.json");
    assert_mentions(&e, &["f0", "route", "empty"]);
}

#[test]
fn repeated_link_is_rejected() {
    let e = rejects("repeated_link.json");
    assert_mentions(&e, &["f0", "twice"]);
}

#[test]
fn duplicate_flow_id_is_rejected() {
    let e = rejects("duplicate_flow.json");
    assert_mentions(&e, &["f0", "twice"]);
}

#[test]
fn duplicate_link_id_is_rejected() {
    let e = rejects("duplicate_link.json");
    assert_mentions(&e, &["l0", "twice"]);
}

#[test]
fn unknown_dependency_is_rejected() {
    let e = rejects("unknown_dep.json");
    assert_mentions(&e, &["f0", "f9", "unknown"]);
}

#[test]
fn dependency_cycle_is_rejected() {
    let e = rejects("cycle.json");
    assert_mentions(&e, &["cycle"]);
    assert!(
        e.contains("\"x\"") || e.contains("\"y\""),
        "names a flow: {e}"
    );
}

/// `"strat"` (a typo of `start`) on line 2, columns 54–60.
#[test]
fn unknown_field_is_rejected() {
    let e = rejects("unknown_field.json");
    assert_mentions(&e, &["unknown field", "strat"]);
    assert_located(&e, 2, 54..=60);
}

#[test]
fn missing_file_is_rejected() {
    let path = fixture("does_not_exist.json");
    let out = fabricsim(&["flows", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("does_not_exist.json"), "{stderr}");
}

/// Bad input on standard input is reported the same way.
#[test]
fn bad_standard_input_is_rejected() {
    let out = flows_stdin("{\"links\": [}", true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_located(&stderr, 1, 12..=12);
}

/// Input whose finish time would overflow f64 — 1e308 bytes over a
/// 1e-300 bytes/s link, i.e. 1e608 s — must not print `"finish_s": null`
/// (serde_json writes inf as null) with exit 0: it is refused up front.
#[test]
fn overflowing_finish_time_is_not_printed_as_null() {
    let input = r#"{"links": [{"id": "l0", "bandwidth": 1e-300}],
                    "flows": [{"id": "f0", "route": ["l0"], "bytes": 1e308}]}"#;
    let out = flows_stdin(input, true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // 1e308 bytes at 1e-300 B/s is 1e608 s: refused before simulating.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("range of a 64-bit float"), "{stderr}");
    assert!(out.stdout.is_empty());
}
