//! The bad-input corpus, run through the real binary.
//!
//! `tests/it/invalid/` is the one corpus (the issue's `tests/invalid/`):
//! - `*.toml` and `failures/*.toml`: topologies, run as `fabricsim validate FILE`;
//! - `jobs/*.toml`: jobs, run as `fabricsim job TOPO FILE`, where `TOPO` is
//!   named by a first line `# run-on: PATH` (placement mistakes) or is
//!   `topologies/hgx-h100.toml`;
//! - `flows/*.json`: scenarios, run as `fabricsim flows FILE`.
//!
//! Every file must exit with code 1 (invalid input; 101 would be a panic),
//! print nothing on stdout, and report each error as `FILE:LINE:COL: error:`
//! (a few whole-file problems, listed in [`UNLOCATED`], as `FILE: error:`).
//! All messages are snapshot-tested, so each is reviewed.
//!
//! Files that must not be committed (binary, non-UTF-8, 100 MB, a stream
//! without end) are generated into a temporary directory by
//! [`generated_bad_files`].

use crate::common::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

const TOPO_DEFAULT: &str = "topologies/hgx-h100.toml";

/// Files whose problem is about the whole input (or the pair of inputs), so
/// the message names the file without a line: (file, why).
const UNLOCATED: &[(&str, &str)] = &[
    (
        "flows/time-overflow.json",
        "the bound on all finish times is a property of the whole scenario",
    ),
    (
        "jobs/19-call-count-overflow.toml",
        "a call count is the product of several keys (layers, micro-batches, buckets): the message names them",
    ),
    (
        "nccl-logs/same-time-every-size.log",
        "a fit is a property of every row of the log together",
    ),
];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("fabricsim runs")
}

/// Every corpus file (relative to `tests/it/invalid/`), sorted.
fn corpus() -> Vec<String> {
    let base = root().join("tests/it/invalid");
    let mut out = Vec::new();
    for (sub, ext) in [
        ("", "toml"),
        ("failures", "toml"),
        ("jobs", "toml"),
        ("flows", "json"),
        ("calibration", "toml"),
        ("nccl-logs", "log"),
    ] {
        let dir = base.join(sub);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && p.extension().is_some_and(|x| x == ext) {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                out.push(if sub.is_empty() {
                    name
                } else {
                    format!("{sub}/{name}")
                });
            }
        }
    }
    out.sort();
    out
}

/// The command line that checks corpus file `rel`.
fn command_for(rel: &str) -> Vec<String> {
    let path = format!("tests/it/invalid/{rel}");
    if rel.starts_with("flows/") {
        return vec!["flows".into(), path];
    }
    if rel.starts_with("calibration/") {
        return [
            "collective",
            "topologies/hgx-a100.toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--calibration",
            &path,
        ]
        .map(String::from)
        .to_vec();
    }
    if rel.starts_with("nccl-logs/") {
        return [
            "calibrate",
            &path,
            "--topology",
            "topologies/hgx-a100.toml",
            "--algo",
            "ring",
        ]
        .map(String::from)
        .to_vec();
    }
    if rel.starts_with("jobs/") {
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let topo = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# run-on: "))
            .unwrap_or(TOPO_DEFAULT)
            .trim()
            .to_string();
        return vec!["job".into(), topo, path];
    }
    vec!["validate".into(), path]
}

/// Checks one refused run: exit code 1, nothing on stdout, every error line
/// names `shown` (with `LINE:COL` unless `located` is false).
#[track_caller]
fn check_refused(what: &str, out: &Output, shown: &str, located: bool) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: exit code {:?}, stderr:\n{err}",
        out.status.code()
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: stdout on error");
    let errors: Vec<&str> = err.lines().filter(|l| l.contains(": error: ")).collect();
    assert!(!errors.is_empty(), "{what}: no `error:` line in\n{err}");
    for l in errors {
        let rest = l
            .strip_prefix(shown)
            .unwrap_or_else(|| panic!("{what}: error does not name {shown}: {l}"));
        if located {
            let mut parts = rest.splitn(4, ':');
            let (_, line, col) = (parts.next(), parts.next(), parts.next());
            let ok = |s: Option<&str>| s.is_some_and(|s| s.parse::<usize>().is_ok_and(|n| n > 0));
            assert!(ok(line) && ok(col), "{what}: not located: {l}");
        }
    }
    err
}

#[test]
fn corpus_files_are_refused_with_located_messages() {
    let files = corpus();
    assert!(files.len() >= 50, "the corpus has {} files", files.len());
    for (f, _) in UNLOCATED {
        assert!(
            files.iter().any(|x| x == f),
            "UNLOCATED names {f}, not in the corpus"
        );
    }
    let mut snap = String::new();
    for rel in &files {
        let args = command_for(rel);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&argv);
        let shown = format!("tests/it/invalid/{rel}");
        let located = !UNLOCATED.iter().any(|(f, _)| f == rel);
        let err = check_refused(rel, &out, &shown, located);
        snap += &format!("=== fabricsim {}\n{}\n\n", args.join(" "), err.trim_end());
    }
    insta::assert_snapshot!("invalid_corpus", snap);
}

/// A fresh temporary directory for one test.
fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fabricsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn generated_bad_files() {
    let dir = temp("corpus-gen");
    let p = |n: &str| dir.join(n);
    // A binary file: every byte value, so a NUL comes first.
    let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    std::fs::write(p("binary.toml"), &all).unwrap();
    std::fs::write(p("binary.json"), &all).unwrap();
    // Latin-1 text: "é" as the single byte 0xE9 on line 2, after `# caf`.
    std::fs::write(p("latin1.toml"), b"[[nodes]]\n# caf\xE9\nid = \"gpu0\"\n").unwrap();
    // A NUL byte in otherwise valid text, line 3 column 5.
    std::fs::write(
        p("nul.toml"),
        b"[[nodes]]\nid = \"gpu0\"\nkind\0 = \"accelerator\"\n",
    )
    .unwrap();
    // 100 MB, sparse: refused from its size, never read.
    for n in ["huge.toml", "huge.json", "huge-job.toml"] {
        let f = std::fs::File::create(p(n)).unwrap();
        f.set_len(100_000_000).unwrap();
    }
    let d = dir.to_str().unwrap();
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "binary.toml",
            vec!["validate".into(), format!("{d}/binary.toml")],
        ),
        (
            "binary.json",
            vec!["flows".into(), format!("{d}/binary.json")],
        ),
        (
            "latin1.toml",
            vec!["validate".into(), format!("{d}/latin1.toml")],
        ),
        ("nul.toml", vec!["info".into(), format!("{d}/nul.toml")]),
        (
            "huge.toml",
            vec!["validate".into(), format!("{d}/huge.toml")],
        ),
        ("huge.json", vec!["flows".into(), format!("{d}/huge.json")]),
        (
            "huge-job.toml",
            vec![
                "job".into(),
                TOPO_DEFAULT.into(),
                format!("{d}/huge-job.toml"),
            ],
        ),
    ];
    let mut snap = String::new();
    for (name, args) in &cases {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let t = Instant::now();
        let out = run(&argv);
        let shown = format!("{d}/{name}");
        let located = !name.starts_with("huge");
        let err = check_refused(name, &out, &shown, located);
        if name.starts_with("huge") {
            // Refused from the file's size: no 100 MB read.
            assert!(
                t.elapsed().as_secs_f64() < 5.0,
                "{name} took {:?}",
                t.elapsed()
            );
            assert!(err.contains("--max-input-bytes"), "{name}: {err}");
        }
        snap += &format!("=== {name}\n{}\n\n", err.trim_end().replace(d, "TMP"));
    }
    // The limit is a flag: 100 MB of zeros passes the size check with a
    // larger limit, and is then refused as a binary file.
    let out = run(&[
        "validate",
        "--max-input-bytes",
        "200000000",
        &format!("{d}/huge.toml"),
    ]);
    let err = check_refused(
        "huge.toml with a raised limit",
        &out,
        &format!("{d}/huge.toml"),
        true,
    );
    assert!(err.contains("NUL"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    insta::assert_snapshot!("generated_bad_files", snap);
}

/// A stream has no size: it is read up to one byte past the limit.
#[test]
fn endless_streams_are_cut_at_the_limit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(["flows", "-", "--max-input-bytes", "1000"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        // Far more than the limit; the process stops reading and exits.
        let chunk = [b' '; 4096];
        for _ in 0..10_000 {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let err = check_refused("stdin", &out, "<stdin>", false);
    assert!(err.contains("input limit of 1000 bytes"), "{err}");
    if Path::new("/dev/zero").exists() {
        let out = run(&["info", "/dev/zero", "--max-input-bytes", "4096"]);
        let err = check_refused("/dev/zero", &out, "/dev/zero", false);
        assert!(err.contains("--max-input-bytes"), "{err}");
    }
}

/// Generators refuse beyond their bound from the parameters alone: the
/// 10^12-node files are refused in well under a millisecond of work (the
/// bound here is loose for slow debug builds on shared CI machines).
#[test]
fn trillion_node_generators_are_refused_at_once() {
    for f in [
        "14-1e12-node-generator.toml",
        "14-1e12-torus.toml",
        "14-full-mesh-too-many-links.toml",
        "11-node-limit.toml",
    ] {
        let src = std::fs::read_to_string(root().join("tests/it/invalid").join(f)).unwrap();
        let t = Instant::now();
        let d = fabricsim::topology::Topology::parse(&src, f, &Default::default()).unwrap_err();
        let took = t.elapsed();
        assert!(took.as_millis() < 50, "{f}: {took:?}");
        let msg = d.render();
        assert!(
            msg.contains("--max-nodes") || msg.contains("--max-links"),
            "{f}: the message names no flag:\n{msg}"
        );
    }
}

/// Each limit is a flag: below the fabric it refuses, naming the flag; at
/// the fabric's size it accepts (hgx-h100: 8 GPUs + 4 NVSwitches = 12
/// nodes; each GPU has one bundled link to each switch, 8 × 4 = 32 cables =
/// 64 directed links).
#[test]
fn limits_are_flags() {
    let hgx = "topologies/hgx-h100.toml";
    let out = run(&["validate", hgx, "--max-nodes", "11"]);
    let err = check_refused("--max-nodes 11", &out, hgx, true);
    assert!(
        err.contains("more than the limit of 11 (set by --max-nodes)"),
        "{err}"
    );
    assert_eq!(
        run(&["validate", hgx, "--max-nodes", "12"]).status.code(),
        Some(0)
    );
    let out = run(&["validate", hgx, "--max-links", "63"]);
    let err = check_refused("--max-links 63", &out, hgx, true);
    assert!(err.contains("64 directed links"), "{err}");
    assert_eq!(
        run(&["validate", hgx, "--max-links", "64"]).status.code(),
        Some(0)
    );
    // 1 B .. 1 PiB doubles 51 times.
    let coll = [
        "collective",
        hgx,
        "--op",
        "all-reduce",
        "--size",
        "1B..1PiB",
    ];
    let out = run(&coll);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[&coll[..], &["--max-sizes", "50"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("51 sizes, more than the limit of 50 (set by --max-sizes)"),
        "{err}"
    );
    // A job larger than --max-nodes is refused by the job reader.
    let out = run(&["job", hgx, "workloads/llama3-8b.toml", "--max-nodes", "100"]);
    let err = check_refused(
        "job --max-nodes 100",
        &out,
        "workloads/llama3-8b.toml",
        true,
    );
    assert!(err.contains("128 accelerators"), "{err}");
}

/// Flag values that used to run quietly (or not end): a zero chunk (ran as
/// one chunk, without pipelining), zero channels (ran as one channel), a
/// billion channels (did not finish in 20 s), a size in bits that is not a whole
/// byte, a rank selected twice. Bad values of `value_parser` flags are usage
/// errors (exit 2), the others invalid input (exit 1).
#[test]
fn bad_flag_values_are_refused() {
    let hgx = "topologies/hgx-h100.toml";
    let base = ["collective", hgx, "--op", "broadcast"];
    for (extra, code, msg) in [
        (&["--size", "1GiB", "--chunk", "0"][..], 1, "at least 1"),
        (
            &["--size", "1GiB", "--chunk", "12b"][..],
            1,
            "whole number of bytes",
        ),
        (
            &["--size", "1GiB", "--channels", "0"][..],
            2,
            "from 1 to 256",
        ),
        (
            &["--size", "1GiB", "--channels", "1000000000"][..],
            2,
            "from 1 to 256",
        ),
        (&["--size", "1b"][..], 1, "did you mean \"1B\""),
        (
            &["--size", "1GiB", "--ranks", "0..4,3"][..],
            1,
            "rank 3 is selected twice",
        ),
        (
            &["--size", "1GiB", "--max-nodes", "0"][..],
            2,
            "--max-nodes",
        ),
    ] {
        let out = run(&[&base[..], extra].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {err}");
        assert!(err.contains(msg), "{extra:?}: {err}");
    }
}
