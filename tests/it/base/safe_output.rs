//! Safe output: `--plots DIR` writes only inside DIR,
//! whatever the names in the inputs; `--report` and `calibrate --out`
//! refuse to replace an input; inputs are never modified; no temporary
//! file is left behind.

use crate::common::root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fabricsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("fabricsim runs")
}

/// Every file under `dir`, with its contents.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fabricsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The HGX H100 fabric under a hostile `name`.
fn evil_topology() -> String {
    let src = std::fs::read_to_string(root().join("topologies/hgx-h100.toml")).unwrap();
    let start = src.find("\nname = ").unwrap() + 1;
    let end = start + src[start..].find('\n').unwrap();
    format!(
        "{}name = \"../../evil/\\u0000/etc/x\"{}",
        &src[..start],
        &src[end..]
    )
}

#[test]
fn plots_stay_inside_their_directory() {
    let t = temp("safe-plots");
    // Inputs in t/in, among them two files whose stems are path-like.
    let input = t.join("in");
    std::fs::create_dir_all(input.join("a")).unwrap();
    std::fs::create_dir_all(input.join("b")).unwrap();
    let evil = evil_topology();
    for f in ["a/same.toml", "b/same.toml", "..evil...toml"] {
        std::fs::write(input.join(f), &evil).unwrap();
    }
    let before = tree(&t);
    let work = t.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "collective",
            "../in/..evil...toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--plots",
            "plots",
        ],
        // Two topologies of one stem: the plot legend (and file names) use
        // their paths, `../in/a/same.toml`.
        vec![
            "compare",
            "../in/a/same.toml",
            "../in/b/same.toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--plots",
            "plots",
            "--report",
            "plots/review.html",
        ],
        vec![
            "job",
            "../in/a/same.toml",
            "../../../../../../..",
            "--plots",
            "plots",
        ],
    ];
    for args in &runs {
        let out = run(&work, args);
        let code = out.status.code();
        // The last run names a directory as its job file: refused, exit 1.
        let want = if args[0] == "job" { 1 } else { 0 };
        assert_eq!(
            code,
            Some(want),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let after = tree(&t);
    // Inputs unchanged, and every new file is inside work/plots.
    for (p, bytes) in &before {
        assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
    }
    let plots = work.join("plots");
    let new: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(new.len() >= 8, "{new:?}");
    for p in &new {
        assert_eq!(
            p.parent(),
            Some(plots.as_path()),
            "written outside: {}",
            p.display()
        );
        let name = p.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with('.'),
            "temporary or hidden file left: {name}"
        );
        assert!(!name.contains("evil") || name.starts_with("-"), "{name}");
    }
    std::fs::remove_dir_all(&t).unwrap();
}

/// Runs each of `cases` in `t`: each is refused (exit 1) for replacing
/// the input `what` ("" for any), and no file of `t` changes.
fn assert_refused_as_inputs(t: &Path, cases: &[&[&str]], what: &str) {
    let before = tree(t);
    for args in cases {
        let out = run(t, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("that is an input file"), "{args:?}: {err}");
        assert!(err.contains(what), "{args:?}: {err}");
    }
    assert_eq!(tree(t), before, "an input changed or a file was left");
}

#[test]
fn outputs_never_replace_inputs() {
    let t = temp("safe-inputs");
    let topo = t.join("hgx.toml");
    std::fs::copy(root().join("topologies/hgx-a100.toml"), &topo).unwrap();
    let log = t.join("a100.log");
    std::fs::copy(root().join("tests/data/nccl/a100-allreduce.log"), &log).unwrap();
    std::fs::create_dir_all(t.join("sub")).unwrap();
    let cases: [&[&str]; 3] = [
        &[
            "compare",
            "hgx.toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--report",
            "hgx.toml",
        ],
        // Through another spelling of the same file.
        &[
            "compare",
            "hgx.toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--report",
            "./sub/../hgx.toml",
        ],
        &[
            "calibrate",
            "a100.log",
            "--topology",
            "hgx.toml",
            "--out",
            "a100.log",
            "--force",
        ],
    ];
    assert_refused_as_inputs(&t, &cases, "");
    std::fs::remove_dir_all(&t).unwrap();
}

/// A file a topology reads (its `calibration = "FILE"`) is an input too:
/// `--report` and `calibrate --out --force` refuse to replace it, whether
/// the topology is loaded by `job`, `compare` or `calibrate`.
#[test]
fn a_topologys_calibration_file_is_an_input() {
    let t = temp("safe-calibration");
    std::fs::write(t.join("cal.toml"), "[link_efficiency]\nnvlink4 = 0.8\n").unwrap();
    let topo = std::fs::read_to_string(root().join("topologies/hgx-h100.toml")).unwrap();
    std::fs::write(
        t.join("hgx.toml"),
        format!("calibration = \"cal.toml\"\n{topo}"),
    )
    .unwrap();
    std::fs::copy(root().join("workloads/llama3-8b.toml"), t.join("job.toml")).unwrap();
    let log = t.join("a100.log");
    std::fs::copy(root().join("tests/data/nccl/a100-allreduce.log"), &log).unwrap();
    let cases: [&[&str]; 3] = [
        &[
            "job",
            "hgx.toml",
            "job.toml",
            "--set",
            "parallelism.dp=8",
            "--report",
            "cal.toml",
        ],
        &[
            "compare",
            "hgx.toml",
            "--op",
            "all-reduce",
            "--size",
            "1MiB",
            "--report",
            "cal.toml",
        ],
        &[
            "calibrate",
            "a100.log",
            "--topology",
            "hgx.toml",
            "--out",
            "cal.toml",
            "--force",
        ],
    ];
    assert_refused_as_inputs(&t, &cases, "(cal.toml)");
    std::fs::remove_dir_all(&t).unwrap();
}
