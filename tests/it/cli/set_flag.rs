//! `--set KEY=VALUE` on `job`, `compare` and `collective`: an edit gives
//! the output of the same edit made by hand in a copy of the file, the file
//! on disk is untouched, and bad keys and values are refused with a reason.

use crate::common::{fabricsim, stderr, stdout};

/// The shipped file `name` with `from` replaced by `to`, written to a
/// fresh temporary path.
fn edited_copy(name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(name).unwrap();
    assert!(text.contains(from), "{name} has no {from:?}");
    let dir =
        std::env::temp_dir().join(format!("fabricsim-set-{}-{}", std::process::id(), to.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(std::path::Path::new(name).file_name().unwrap());
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    p
}

/// A nested topology key: NVLink3 instead of NVLink4 on the HGX H100 box
/// gives exactly the run of a copy edited by hand (the topology's name
/// and every number), and the shipped file is unchanged.
#[test]
fn a_topology_edit_equals_the_same_edit_by_hand() {
    let before = std::fs::read("topologies/hgx-h100.toml").unwrap();
    let args = [
        "--op",
        "all-reduce",
        "--size",
        "64MiB",
        "--json",
        "--no-alternative",
    ];
    let mut with_set = vec![
        "collective",
        "topologies/hgx-h100.toml",
        "--set",
        "scale_up.kind=\"nvlink3\"",
    ];
    with_set.extend(args);
    let a = fabricsim(&with_set);
    assert!(a.status.success(), "{}", stderr(&a));
    let copy = edited_copy(
        "topologies/hgx-h100.toml",
        "kind = \"nvlink4\"",
        "kind = \"nvlink3\"",
    );
    let mut by_hand = vec!["collective", copy.to_str().unwrap()];
    by_hand.extend(args);
    let b = fabricsim(&by_hand);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout(&a), stdout(&b));
    assert_ne!(
        stdout(&a),
        stdout(&fabricsim(
            &[&["collective", "topologies/hgx-h100.toml"][..], &args[..]].concat()
        ))
    );
    assert_eq!(std::fs::read("topologies/hgx-h100.toml").unwrap(), before);
}

/// Job keys (bare and with `job.`), a bare string value without quotes:
/// dp = 128 puts the 8K layout on 16,384 GPUs of the 32K cluster, the
/// second half by rank indices.
#[test]
fn job_keys_and_bare_strings() {
    let o = fabricsim(&[
        "job",
        "topologies/h100-32k-3tier.toml",
        "workloads/llama3-405b-8k.toml",
        "--set",
        "parallelism.dp=128",
        "--set",
        "job.parallelism.accelerators=16384..32768",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("# on 16384 of the topology's 32768 accelerators (ranks; 16384 unused)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_sets_are_refused_with_a_reason() {
    let job = |set: &str| {
        fabricsim(&[
            "job",
            "topologies/hgx-h100.toml",
            "workloads/llama3-8b.toml",
            "--set",
            set,
        ])
    };
    let cases: [(&str, &str); 6] = [
        (
            "parallelism.dp=true",
            "(after --set parallelism.dp=true): error: \"dp\" must be an integer",
        ),
        ("parallelism.dpp=2", "unknown key \"dpp\" in [parallelism]"),
        (
            "name=x",
            "\"name\" is a key of both the topology and the job",
        ),
        ("nosuch=1", "neither a topology key"),
        ("parallelism.dp", "expected KEY=VALUE"),
        ("scale_out.nic_bandwidth=\"800 GB/s\"", "(after --set"),
    ];
    for (set, want) in cases {
        let o = job(set);
        assert_eq!(o.status.code(), Some(1), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{set}: {}", stderr(&o));
    }
    let o = fabricsim(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB",
        "--set",
        "job.parallelism.dp=2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("this command reads no job file"),
        "{}",
        stderr(&o)
    );
}
