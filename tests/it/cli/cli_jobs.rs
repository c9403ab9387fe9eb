//! `fabricsim job` and `fabricsim compare`, run as a user would.

use crate::common::{fabricsim, stderr, stdout};
use serde_json::Value;

const TOPO: &str = "topologies/h100-2tier-16node.toml";
const JOB: &str = "workloads/llama3-8b.toml";

#[test]
fn job_json_has_the_cli_md_fields() {
    let o = fabricsim(&["job", TOPO, JOB, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    for k in ["topology", "job", "iteration", "by_kind"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let it = &v["iteration"];
    for k in [
        "comm_time_s",
        "exposed_comm_time_s",
        "compute_time_s",
        "total_time_s",
    ] {
        assert!(it[k].as_f64().unwrap() >= 0.0, "{k}");
    }
    let total = it["total_time_s"].as_f64().unwrap();
    let parts = it["compute_time_s"].as_f64().unwrap()
        + it["exposed_comm_time_s"].as_f64().unwrap()
        + it["bubble_s"].as_f64().unwrap();
    assert!((parts - total).abs() < 1e-9 * total);
    let rows = v["by_kind"].as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        for k in [
            "kind",
            "collective",
            "group_size",
            "count",
            "bytes",
            "time_s",
            "bottleneck",
        ] {
            assert!(r.get(k).is_some(), "by_kind row without {k}: {r}");
        }
    }
    // Llama 3 8B is DP 128 over all 128 GPUs: one DP group of 128.
    assert!(
        rows.iter()
            .all(|r| r["kind"] == "dp" && r["group_size"] == 128)
    );
}

/// The job names the NCCL release whose cost model chose its collectives:
/// 2.20.3 by default, the `--nccl` one otherwise, in the table and the
/// JSON.
#[test]
fn job_names_the_nccl_release() {
    for (args, release) in [(&[][..], "2.20.3"), (&["--nccl", "2.28.3"][..], "2.28.3")] {
        let mut table = vec!["job", TOPO, JOB];
        table.extend_from_slice(args);
        let o = fabricsim(&table);
        assert!(o.status.success(), "{}", stderr(&o));
        let line = format!("# algorithm/protocol: NCCL {release}'s choice where");
        assert!(stdout(&o).contains(&line), "{}", stdout(&o));
        table.push("--json");
        let o = fabricsim(&table);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["nccl_release"], release);
    }
}

/// On AMD Instinct (MI300X: gfx942, RCCL's tuning model 5) the job's
/// collectives are RCCL's choice, and the table and JSON say so. The
/// data-parallel reduce-scatter of 26.2 MB per call over 128 ranks on 16
/// nodes has 26 199 021 / 128 = 204 679 bytes per rank, inside model 5's
/// reduce-scatter LL128 window (131 072, 3 211 264] (`rccl_wrap.cc`'s
/// rule on two or more nodes), so it runs ring/LL128.
#[test]
fn job_on_amd_names_rccl_and_runs_its_protocol_windows() {
    let args = ["job", "topologies/mi300x-128node-roce.toml", JOB];
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("# algorithm/protocol: RCCL 2.26's choice where"),
        "{out}"
    );
    let o = fabricsim(&[args[0], args[1], args[2], "--json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rccl_release"], "2.26");
    let rs = v["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["collective"] == "reduce-scatter")
        .expect("a data-parallel reduce-scatter");
    let per_rank = rs["bytes"].as_f64().unwrap() / 128.0;
    assert!(
        per_rank > 131_072.0 && per_rank <= 3_211_264.0,
        "{per_rank}"
    );
    assert_eq!(
        (rs["algorithm"].as_str(), rs["protocol"].as_str()),
        (Some("ring"), Some("LL128"))
    );
    assert_eq!(rs["selection"], "rccl-model");
}

/// On AMD Instinct GPUs whose communicators have one GPU per node, RCCL's
/// cost model as fabricsim reproduces it does not apply (no xGMI link
/// among the ranks: `tuning::rccl::comm_shape`), so the job must not name
/// RCCL's choice: its data-parallel group is the same 16 ranks that
/// `collective --ranks` labels `fastest-simulated`, and the job says so.
#[test]
fn job_on_amd_without_xgmi_groups_names_no_library_choice() {
    let dir = std::env::temp_dir().join(format!("fabricsim-amd-1pn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ranks = "0,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120";
    let text = std::fs::read_to_string(JOB)
        .unwrap()
        .replace("dp = 128", &format!("dp = 16\naccelerators = \"{ranks}\""))
        .replace("global_batch = 512", "global_batch = 64");
    let job = dir.join("one-per-node.toml");
    std::fs::write(&job, text).unwrap();
    let topo = "topologies/mi300x-128node-roce.toml";
    let o = fabricsim(&["job", topo, job.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rccl_release"], Value::Null);
    let kinds = v["by_kind"].as_array().unwrap();
    assert!(!kinds.is_empty());
    for k in kinds {
        assert_eq!(k["selection"], "fastest-simulated", "{k}");
    }
    let op = kinds[0]["collective"].as_str().unwrap();
    let c = fabricsim(&[
        "collective",
        topo,
        "--op",
        op,
        "--size",
        "64MiB",
        "--ranks",
        ranks,
        "--json",
    ]);
    assert!(c.status.success(), "{}", stderr(&c));
    let cv: Value = serde_json::from_str(&stdout(&c)).unwrap();
    assert_eq!(cv["results"][0]["selection"], "fastest-simulated");
    let o = fabricsim(&["job", topo, job.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(
        out.contains("# algorithm/protocol: the fastest simulated: neither"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn job_is_deterministic_and_shows_groups() {
    let a = fabricsim(&["job", TOPO, JOB, "--show-groups"]);
    let b = fabricsim(&["job", TOPO, JOB, "--show-groups"]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let out = stdout(&a);
    assert!(out.contains("# dp: 1 groups of 128\n"), "{out}");
    assert!(out.contains("dp 0: d0.gpu0 d0.gpu1"), "{out}");
}

#[test]
fn job_that_does_not_fit_is_an_input_error_naming_the_job() {
    let o = fabricsim(&["job", "topologies/hgx-h100.toml", JOB]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("llama3-8b.toml") && e.contains("128"), "{e}");
}

#[test]
fn bad_job_file_is_located() {
    let dir = std::env::temp_dir().join(format!("fabricsim-cli-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    let text = std::fs::read_to_string(JOB)
        .unwrap_or_else(|_| {
            std::fs::read_to_string(format!("{}/{JOB}", env!("CARGO_MANIFEST_DIR"))).unwrap()
        })
        .replace("tp = 1", "tq = 1");
    std::fs::write(&bad, text).unwrap();
    let o = fabricsim(&["job", TOPO, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.toml:") && e.contains("tq"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// compare: rows in the order given, the first with delta 0, the 2:1
/// oversubscribed copy of the superpod never faster than the full one.
#[test]
fn compare_runs_every_topology_and_reports_deltas() {
    let args = [
        "compare",
        "topologies/h100-superpod.toml",
        "topologies/h100-2to1-oversubscribed.toml",
        "--op",
        "all-reduce",
        "--size",
        "64MiB",
        "--json",
    ];
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["delta"].as_f64().unwrap(), 0.0);
    assert!(
        rows[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("h100-superpod.toml")
    );
    let (t0, t1) = (
        rows[0]["time_s"].as_f64().unwrap(),
        rows[1]["time_s"].as_f64().unwrap(),
    );
    assert!(t1 >= t0, "{t1} < {t0}");
    assert!((rows[1]["delta"].as_f64().unwrap() - (t1 / t0 - 1.0)).abs() < 1e-12);
    // Same output again (parallel runs, deterministic order).
    assert_eq!(fabricsim(&args).stdout, o.stdout);
}

#[test]
fn compare_jobs_prints_a_row_per_topology() {
    let o = fabricsim(&["compare", TOPO, TOPO, "--job", JOB]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // One row per topology in the time table, one in the energy table.
    assert_eq!(
        out.lines().filter(|l| !l.starts_with('#')).count(),
        4,
        "{out}"
    );
    assert!(out.contains("# energy per iteration"), "{out}");
    assert!(out.contains("+0.0%"), "{out}");
}

/// `compare --report`: one self-contained page with the table, the plots as
/// inline SVG and the inputs; no external assets; written whole.
#[test]
fn compare_report_is_one_self_contained_page() {
    let dir = std::env::temp_dir().join(format!("fabricsim-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("review.html");
    let o = fabricsim(&[
        "compare",
        "topologies/hgx-h100.toml",
        "topologies/hgx-a100.toml",
        "--op",
        "all-reduce",
        "--size",
        "256MiB",
        "--report",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<svg"), "no inline plot");
    // The comparison table's rows and both inputs' text (escaped).
    assert!(html.contains("topologies/hgx-h100.toml") && html.contains("topologies/hgx-a100.toml"));
    assert!(html.contains("kind = &quot;nvlink4&quot;") || html.contains("nvlink4"));
    assert!(html.contains("+0.0%"));
    for external in ["src=\"http", "href=\"http", "<script", "<link", "<img"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    // Nothing else was written beside it (the temporary file was renamed).
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The report opens in headless Chromium without errors: the DOM loads with
/// the inline plots and no resource fails or script error is logged, and
/// at a 1,280 px wide window it does not scroll sideways. Skipped (with a message) where Chromium is not installed; `.ci/run`
/// installs it when it can.
#[test]
fn compare_report_opens_in_headless_chromium() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("skipped: Chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("fabricsim-chromium-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("review.html");
    let o = fabricsim(&[
        "compare",
        "topologies/hgx-h100.toml",
        "topologies/hgx-a100.toml",
        "--op",
        "all-reduce",
        "--size",
        "64MiB",
        "--report",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let profile = dir.join("profile");
    // Headless Chromium dumping the DOM of `page`, with `extra` options.
    let dump = |page: &std::path::Path, extra: &[&str]| {
        std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--user-data-dir={}", profile.display()),
            ])
            .args(extra)
            .args(["--dump-dom", &format!("file://{}", page.display())])
            .output()
            .expect("chromium runs")
    };
    let out = dump(&file, &["--enable-logging=stderr"]);
    assert!(out.status.success(), "chromium failed: {:?}", out.status);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<svg") && dom.contains("fabricsim design review"),
        "{dom:.300}"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    for bad in [":CONSOLE", "Uncaught", "net::ERR_"] {
        assert!(!log.contains(bad), "chromium reported `{bad}`:\n{log}");
    }
    // No horizontal scrolling at 1,280 px: in a copy of the page (the
    // report itself has no script), a script records the document's
    // scroll width against the viewport's width.
    let html = std::fs::read_to_string(&file).unwrap();
    let probe = dir.join("probe.html");
    std::fs::write(
        &probe,
        html.replace(
            "</body>",
            "<script>document.body.setAttribute('data-widths', \
             document.documentElement.scrollWidth + ' ' + \
             document.documentElement.clientWidth)</script></body>",
        ),
    )
    .unwrap();
    let out = dump(&probe, &["--hide-scrollbars", "--window-size=1280,900"]);
    let dom = String::from_utf8_lossy(&out.stdout);
    let widths: Vec<u32> = dom
        .split("data-widths=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the probe ran")
        .split(' ')
        .map(|w| w.parse().unwrap())
        .collect();
    assert_eq!(widths[1], 1280, "viewport width");
    assert!(
        widths[0] <= widths[1],
        "the page is {} px wide at a 1,280 px viewport: it scrolls sideways",
        widths[0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `validate` takes job files too (docs/cli.md): every shipped workload is valid,
/// and a broken one is a located error with exit 1.
#[test]
fn validate_checks_job_files() {
    let mut args = vec!["validate".to_string()];
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/workloads")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            args.push(p.display().to_string());
        }
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = fabricsim(&argv);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("llama3-8b.toml: ok (job for 128 accelerators)"));

    let dir = std::env::temp_dir().join(format!("fabricsim-validate-job-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad-job.toml");
    let text = std::fs::read_to_string(format!("{}/{JOB}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .replace("dp = 128", "dp = 0");
    std::fs::write(&bad, text).unwrap();
    let o = fabricsim(&["validate", "--json", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = &v["files"][0];
    assert_eq!(f["kind"], "job");
    assert_eq!(f["ok"], false);
    assert!(f["errors"][0]["line"].as_u64().unwrap() > 0, "{f}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `compare --size` over a range: one comparison per size; the JSON rows of
/// each size are those of a `compare` of that size alone.
#[test]
fn compare_over_a_size_range() {
    let base = [
        "compare",
        "topologies/hgx-h100.toml",
        "topologies/hgx-a100.toml",
        "--op",
        "all-reduce",
        "--json",
        "--size",
    ];
    let run = |size: &str| -> Vec<Value> {
        let mut args = base.to_vec();
        args.push(size);
        let o = fabricsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let range = run("1MiB..4MiB");
    assert_eq!(range.len(), 6, "3 sizes x 2 topologies");
    for (k, size) in ["1MiB", "2MiB", "4MiB"].into_iter().enumerate() {
        let alone = run(size);
        assert_eq!(&range[2 * k..2 * k + 2], alone.as_slice(), "{size}");
    }
    let o = fabricsim(&[
        "compare",
        "topologies/hgx-h100.toml",
        "topologies/hgx-a100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB,4MiB",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("## size 1 MiB (1048576 bytes)")
            && out.contains("## size 4 MiB (4194304 bytes)"),
        "{out}"
    );
}
