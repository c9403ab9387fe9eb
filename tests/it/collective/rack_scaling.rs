//! Multi-rack all-reduce with NCCL's default settings: per-GPU bus
//! bandwidth cannot grow with the number of racks, and in-network reduction
//! (SHARP) is used only when asked for (`--collnet`, NCCL_COLLNET_ENABLE=1).

use crate::common::{fabricsim, root, stderr, stdout};

const RACKS20: &str = "topologies/gb200-nvl72-20rack-ib-xdr.toml";

/// Standard output of `collective TOPOLOGY --op all-reduce --size SIZES
/// --ranks RANKS EXTRA…`, which must succeed.
fn all_reduce_output(topology: &str, sizes: &str, ranks: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "collective",
        topology,
        "--op",
        "all-reduce",
        "--size",
        sizes,
        "--ranks",
        ranks,
    ];
    args.extend_from_slice(extra);
    let o = fabricsim(&args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// 64 MiB, 1 GiB and 16 GiB all-reduce results as JSON: (algorithm,
/// time_s, busbw_gbps) per size.
fn all_reduce(topology: &str, ranks: &str, extra: &[&str]) -> Vec<(String, f64, f64)> {
    let mut flags = vec!["--json"];
    flags.extend_from_slice(extra);
    let out = all_reduce_output(topology, "64MiB,1GiB,16GiB", ranks, &flags);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    j["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["algorithm"].as_str().unwrap().to_string(),
                r["time_s"].as_f64().unwrap(),
                r["busbw_gbps"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// The acceptance: on one fabric and size, busbw on 20 NVL72 racks
/// is not above that on 2 racks, and 2 racks are not above 1 rack by more
/// than 2% (the bus factor 2(n−1)/n alone grows by 0.7% from 72 to 144
/// ranks; a rack's GPUs cannot get faster by adding racks).
#[test]
fn busbw_does_not_grow_with_the_rack_count() {
    let one = all_reduce(RACKS20, "72", &[]);
    let two = all_reduce(RACKS20, "144", &[]);
    let twenty = all_reduce(RACKS20, "1440", &[]);
    for ((a, b), c) in one.iter().zip(&two).zip(&twenty) {
        assert!(b.2 <= 1.02 * a.2, "2 racks {b:?} vs 1 rack {a:?}");
        assert!(c.2 <= b.2, "20 racks {c:?} vs 2 racks {b:?}");
    }
}

/// Without `--collnet`, a fabric whose scale-out switches can reduce gives
/// exactly the results of the same fabric with that ability removed (NCCL
/// does not use SHARP unless NCCL_COLLNET_ENABLE=1); with `--collnet` the
/// all-reduce uses it and the 2-rack time falls (each GPU's NIC then
/// carries S/72 up and down once instead of the tree's share).
#[test]
fn sharp_is_used_only_with_collnet() {
    let text = std::fs::read_to_string(root().join(RACKS20)).unwrap();
    let sharp_line = "in_switch_reduction = true       # SHARP gen4";
    assert!(
        text.contains(sharp_line),
        "the file marks its SHARP switches"
    );
    let dir = std::env::temp_dir().join(format!("fabricsim-collnet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = dir.join("no-sharp.toml");
    std::fs::write(
        &plain,
        text.replace(sharp_line, "in_switch_reduction = false"),
    )
    .unwrap();
    let plain = plain.to_str().unwrap();
    let default = all_reduce(RACKS20, "144", &[]);
    let without = all_reduce(plain, "144", &[]);
    let with = all_reduce(RACKS20, "144", &["--collnet"]);
    let with_plain = all_reduce(plain, "144", &["--collnet"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(default, without, "SHARP switches unused without --collnet");
    assert_eq!(without, with_plain, "--collnet needs reducing switches");
    assert!(
        with.iter().all(|r| r.0 == "hierarchical"),
        "NCCL's model picks CollNet/NVLS across racks with SHARP: {with:?}"
    );
    assert!(with[2].1 < default[2].1, "{with:?} vs {default:?}");
}

/// The table says when the fabric could reduce in the network but NCCL's
/// default leaves it unused, and names the flag; not with `--collnet`, and
/// not on a fabric without reducing scale-out switches.
#[test]
fn the_table_names_collnet_when_sharp_is_unused() {
    let table = |t: &str, extra: &[&str]| all_reduce_output(t, "1GiB", "144", extra);
    let hint = "NCCL uses them only with NCCL_COLLNET_ENABLE=1";
    assert!(table(RACKS20, &[]).contains(hint));
    assert!(!table(RACKS20, &["--collnet"]).contains(hint));
    assert!(!table("topologies/gb300-nvl72-16rack.toml", &[]).contains(hint));
}
