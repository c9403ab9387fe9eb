//! The design-review page (issue 19): how it was made (command, version,
//! commit, input hashes), what limits each system, a real table with
//! units, failures, assumptions and plots, laid out to fit 1,280 px.

use crate::common::{fabricsim, root, stderr};

fn page(args: &[&str], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("fabricsim-review-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("review.html");
    let mut argv = args.to_vec();
    argv.extend(["--report", file.to_str().unwrap()]);
    let o = fabricsim(&argv);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    html
}

/// SHA-256 of a shipped file as `sha256sum` prints it (None without it).
fn sha256sum(rel: &str) -> Option<String> {
    let o = std::process::Command::new("sha256sum")
        .arg(root().join(rel))
        .output()
        .ok()?;
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    out.split_whitespace().next().map(str::to_string)
}

#[test]
fn compare_report_tells_the_whole_story() {
    let html = page(
        &[
            "compare",
            "topologies/h100-superpod.toml",
            "topologies/h100-2tier-16node.toml",
            "--op",
            "all-reduce",
            "--size",
            "1GiB",
            "--collnet",
            "--fail",
            "random:5%",
        ],
        "compare",
    );
    // How it was made.
    assert!(
        html.contains("<th>command</th><td><code>fabricsim compare topologies/h100-superpod.toml")
    );
    assert!(
        html.contains("--fail random:5% --report"),
        "the exact command"
    );
    assert!(html.contains(&format!("<td>{} (commit ", env!("CARGO_PKG_VERSION"))));
    for f in [
        "topologies/h100-superpod.toml",
        "topologies/h100-2tier-16node.toml",
    ] {
        let bytes = std::fs::read(root().join(f)).unwrap().len();
        assert!(
            html.contains(&format!("<tr><td>{f}</td><td>{bytes}</td>")),
            "{f} size"
        );
        if let Some(h) = sha256sum(f) {
            assert!(html.contains(&h), "{f}: sha256 {h}");
        }
    }
    // A real table, with units in the headers.
    assert!(html.contains("<th>time (us)</th><th>delta</th>"));
    assert!(html.contains("<th>busbw (GB/s)</th>"));
    // What limits each design, failures and the capability lost.
    assert!(html.contains("<h2>What limits each design</h2>"));
    // (SHARP counts only because --collnet lets the collectives use it.)
    assert!(html.contains("SHARP lost to the failures"));
    assert!(html.contains("random:5%:0 (--fail)"));
    assert!(html.contains("intact fabric: "));
    // Assumptions: every link kind with its efficiency and basis.
    assert!(html.contains("link kind infiniband-ndr: efficiency"));
    assert!(html.contains("link kind nvlink4: efficiency"));
    // And which NCCL release's cost model chose the algorithm (Hopper:
    // 2.20.3 without --nccl).
    assert!(
        html.contains("NCCL 2.20.3's choice from its cost model"),
        "the cost model's release"
    );
    // Plots inline; no script; wide content scrolls inside its box, so
    // the page itself fits 1,280 px (body max-width 1,200 px).
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"));
    assert!(html.contains("max-width: 1200px"));
    assert!(html.contains(".scroll { overflow-x: auto; max-width: 100%; }"));
    assert!(html.contains("<div class=\"scroll\"><table>"));
    assert!(html.contains("figure svg { max-width: 100%; height: auto; }"));
}

#[test]
fn job_report_names_its_limits_and_compute_assumptions() {
    let html = page(
        &[
            "job",
            "topologies/h100-2tier-16node.toml",
            "workloads/llama3-8b.toml",
        ],
        "job",
    );
    assert!(html.contains("on one system"));
    assert!(html.contains("<th>iteration (ms)</th>"));
    assert!(html.contains("compute ") && html.contains("exposed communication"));
    assert!(html.contains("kernel efficiency 0.435 (from the job file)"));
    assert!(html.contains("<p>None: every system is intact.</p>"));
    assert!(html.contains("workloads/llama3-8b.toml"));
}
