//! Accelerators are part of a topology: a job's compute time follows the
//! topology's part (dense peak × efficiency), an explicit peak in the job
//! file overrides it and says so, and unknown parts are refused.

use crate::common::{fabricsim, stderr, stdout};
use serde_json::Value;

fn job_json(topo: &str, job: &str, extra: &[&str]) -> Value {
    let mut args = vec!["job", topo, job, "--json"];
    args.extend(extra);
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// One job on 1,152 GB300 and on 1,152 MI450-series GPUs: compute times are
/// in the inverse ratio of the dense BF16 peaks at the same efficiency,
/// GB300 2,500 TFLOP/s (NVIDIA's "Dense is ½ sparse" figure) and MI455X
/// 5,000 (AMD's preliminary figure), and both peaks are reported.
#[test]
fn compute_follows_the_topologys_accelerator() {
    let job = "workloads/llama3-70b.toml";
    let g = job_json("topologies/gb300-nvl72-16rack.toml", job, &[]);
    let h = job_json("topologies/helios-mi450-16rack-uec.toml", job, &[]);
    assert_eq!(g["compute"]["peak_tflops"], 2500.0);
    assert_eq!(h["compute"]["peak_tflops"], 5000.0);
    assert_eq!(g["compute"]["peak_from"], "accelerator");
    let (tg, th) = (
        g["iteration"]["compute_time_s"].as_f64().unwrap(),
        h["iteration"]["compute_time_s"].as_f64().unwrap(),
    );
    assert!((tg / th - 5000.0 / 2500.0).abs() < 1e-9, "{tg} {th}");
    let o = fabricsim(&[
        "compare",
        "topologies/gb300-nvl72-16rack.toml",
        "topologies/helios-mi450-16rack-uec.toml",
        "--job",
        job,
    ]);
    let t = stdout(&o);
    assert!(t.contains(" 2500.0 ") && t.contains(" 5000.0 "), "{t}");
    assert!(!t.contains("compute is the same on every system"), "{t}");
}

/// `tflops_per_accelerator` pins the peak: the same compute on every
/// system, and the outputs say it is an override.
#[test]
fn an_explicit_peak_is_an_override_and_says_so() {
    // The shipped file gives efficiency; replace it by an explicit peak.
    let text = std::fs::read_to_string("workloads/llama3-8b.toml")
        .unwrap()
        .replace(
            "efficiency = 0.435",
            "tflops_per_accelerator = 989.4\nmfu = 0.4",
        )
        .replace("dtype = \"bf16\"\n# To pin", "# To pin");
    let dir = std::env::temp_dir().join(format!("fabricsim-acc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("pinned.toml");
    std::fs::write(&p, text).unwrap();
    let v = job_json(
        "topologies/h100-2tier-16node.toml",
        p.to_str().unwrap(),
        &[],
    );
    assert_eq!(v["compute"]["peak_from"], "job");
    let o = fabricsim(&[
        "job",
        "topologies/h100-2tier-16node.toml",
        p.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains("from the job file (an override"),
        "{}",
        stdout(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_parts_and_missing_peaks_are_refused() {
    let o = fabricsim(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB",
        "--set",
        "accelerator=h100-sxn",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown accelerator \"h100-sxn\"")
            && stderr(&o).contains("did you mean \"h100-sxm\""),
        "{}",
        stderr(&o)
    );
    let o = fabricsim(&[
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
        "--set",
        "compute.dtype=fp4",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("has no fp4 tensor peak"),
        "{}",
        stderr(&o)
    );
}
