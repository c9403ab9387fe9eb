//! Plausibility warnings (issue 19): valid values far from their presets
//! are located warnings (exit 0); `--deny-warnings` makes them errors.

use crate::common::{fabricsim, root, stderr, stdout};
use std::path::PathBuf;

/// The shipped 16-node file with one line replaced, in a scratch folder.
fn edited(name: &str, from: &str, to: &str) -> (PathBuf, usize, usize) {
    let text = std::fs::read_to_string(root().join("topologies/h100-2tier-16node.toml")).unwrap();
    assert!(text.contains(from), "the shipped file changed");
    let text = text.replacen(from, to, 1);
    // Line and column (1-based) of the value, found in the text itself.
    let at = text.find(to).unwrap() + to.find('"').unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    let dir = std::env::temp_dir().join(format!("fabricsim-plaus-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    (p, line, col)
}

/// "400 GB/s" written for "400 Gb/s" on an NDR NIC (50 GB/s line rate):
/// 8x, a unit slip. `validate`, `info` and `collective` warn at the value
/// and run; with `--deny-warnings` they stop with exit 1.
#[test]
fn nic_eight_times_its_line_rate_warns_at_the_value() {
    let (p, line, col) = edited(
        "slip",
        "nic_bandwidth = \"400 Gb/s\"",
        "nic_bandwidth = \"400 GB/s\"",
    );
    let path = p.to_str().unwrap();
    let place = format!(
        "{path}:{line}:{col}: warning: nic_bandwidth 400 GB/s is 8x the line rate of infiniband-ndr"
    );
    for args in [
        vec!["validate", path],
        vec!["info", path],
        vec!["collective", path, "--op", "all-reduce", "--size", "1MiB"],
    ] {
        let o = fabricsim(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&place), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o).matches("warning:").count(),
            1,
            "once: {}",
            stderr(&o)
        );
        let mut deny = args.clone();
        deny.push("--deny-warnings");
        let o = fabricsim(&deny);
        assert_eq!(o.status.code(), Some(1), "{deny:?}");
        assert!(
            stderr(&o).contains(&format!("{path}:{line}:{col}: error: nic_bandwidth")),
            "{}",
            stderr(&o)
        );
    }
    let o = fabricsim(&["validate", path, "--json"]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let w = &j["files"][0]["warnings"][0];
    assert_eq!(
        (w["line"].as_u64(), w["col"].as_u64()),
        (Some(line as u64), Some(col as u64))
    );
    assert_eq!(w["severity"], "warning");
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
}

/// One second on an NVLink hop (the preset is of the order of 100 ns) is
/// at least 1000x the preset: a warning at the value.
#[test]
fn seconds_of_latency_on_a_scale_up_link_warn() {
    let (p, line, col) = edited(
        "latency",
        "kind = \"nvlink4\"\n",
        "kind = \"nvlink4\"\nlatency = \"1 s\"\n",
    );
    let path = p.to_str().unwrap();
    let o = fabricsim(&["validate", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = format!("{path}:{}:11: warning: latency 1 s is ", line + 1);
    let _ = col;
    assert!(stderr(&o).contains(&want), "{want}\n{}", stderr(&o));
    assert!(
        stderr(&o).contains("the preset of nvlink4"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(p.parent().unwrap());
}

/// No shipped topology warns.
#[test]
fn shipped_topologies_are_plausible() {
    for f in crate::common::files("topologies", "toml") {
        let o = fabricsim(&["validate", f.to_str().unwrap(), "--deny-warnings"]);
        assert_eq!(o.status.code(), Some(0), "{}: {}", f.display(), stderr(&o));
    }
}
