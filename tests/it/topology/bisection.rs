//! `info`'s switch bisection reflects oversubscription (issue 19).

use crate::common::{fabricsim, root, stderr, stdout};

fn switch_bisection(path: &str) -> f64 {
    let o = fabricsim(&["info", path, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    j["switch_bisection_bps"]
        .as_f64()
        .expect("a leaf-spine fabric has one")
}

/// The 16-node leaf-spine file at 1:1 has 4 leaves of 32 NICs and 32
/// uplinks of 50 GB/s each (its header): the first two leaves reach the
/// other two only through their 2 × 32 uplinks, 3,200 GB/s. At 2:1 the
/// same leaves keep half as many uplinks: 1,600 GB/s. (The accelerator
/// bisection stays 3,200 GB/s: NVLink relays traffic between rails and
/// rank-order halves share leaves.)
#[test]
fn switch_bisection_halves_at_two_to_one() {
    let one = switch_bisection("topologies/h100-2tier-16node.toml");
    assert_eq!(one, 2.0 * 32.0 * 50e9);
    let text = std::fs::read_to_string(root().join("topologies/h100-2tier-16node.toml")).unwrap();
    assert!(
        text.contains("oversubscription = \"1:1\""),
        "the shipped file changed"
    );
    let dir = std::env::temp_dir().join(format!("fabricsim-bisect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let two = dir.join("two-to-one.toml");
    std::fs::write(
        &two,
        text.replace("oversubscription = \"1:1\"", "oversubscription = \"2:1\""),
    )
    .unwrap();
    assert_eq!(switch_bisection(two.to_str().unwrap()), one / 2.0);
    let _ = std::fs::remove_dir_all(&dir);
}
