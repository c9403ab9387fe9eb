//! Golden `fabricsim info` tables of the shipped topologies: every file in `topologies/` (sorted) is loaded and its
//! `Info::of(&topo).render_table()` pinned by an insta snapshot named after
//! the file (`snapshots/it__topology__info_golden__<stem>.snap`).
//!
//! Next to each snapshot, the node and directed-link counts (and the
//! accelerators, switches and NICs) are asserted against formulas evaluated
//! on the numbers in the file itself, read with the `toml` crate: the
//! `[scale_up]`, `[scale_out]` and `[dci]` parameters for block-built files
//! (formulas of docs/topology-format.md, re-derived here independently of
//! `src/topology/clos.rs` and `blocks.rs`), and the expanded id patterns of
//! `[[nodes]]` and `[[links]]` for explicit files. A change that moves a
//! count therefore fails twice: against the formula and against the golden.
//!
//! Skipped: files whose formula gives more than [`MAX_DIRECTED_LINKS`]
//! directed links, too slow to load and summarize in a debug build (the
//! bisection max-flow and the sampled diameter). Today that is
//! `gb300-nvl72-1400rack-2plane.toml` (4,741,504 directed links, 100,800
//! GPUs) and `h100-32k-3tier.toml` (491,520 directed links, 32,768 GPUs);
//! [`info_golden_every_shipped_topology`] asserts that exactly these are
//! skipped, with the directed links the formula gives them, so this comment
//! cannot go stale. Their counts are checked by hand in tests/it/topology/shipped.rs
//! (32K) and tests/it/topology/topology_blocks.rs (100K).

use std::collections::BTreeSet;

use fabricsim::info::Info;
use toml::{Table, Value};

use crate::common::root;

/// Largest fabric (directed links, from the formula) summarized here.
const MAX_DIRECTED_LINKS: u64 = 300_000;

/// The files skipped by [`MAX_DIRECTED_LINKS`] (see the module docs), with
/// their directed links by the formula.
const SKIPPED: [(&str, u64); 2] = [
    ("gb300-nvl72-1400rack-2plane.toml", 4_741_504),
    ("h100-32k-3tier.toml", 491_520),
];

/// Counts of a fabric, as `Info` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    accelerators: u64,
    switches: u64,
    nics: u64,
    nodes: u64,
    directed_links: u64,
}

// ------------------------------------------------------------- TOML access

fn int(t: &Table, key: &str) -> Option<u64> {
    t.get(key).map(|v| {
        let i = v
            .as_integer()
            .unwrap_or_else(|| panic!("{key} is not an integer: {v}"));
        u64::try_from(i).unwrap()
    })
}

fn string<'a>(t: &'a Table, key: &str) -> Option<&'a str> {
    t.get(key).map(|v| v.as_str().unwrap())
}

fn ints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| u64::try_from(x.as_integer().unwrap()).unwrap())
        .collect()
}

/// A value that is one id pattern or an array of them, as strings.
fn patterns(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        _ => panic!("not an id pattern: {v}"),
    }
}

/// Number of ids a pattern such as `"d[0..2].g[1..=4]"` expands to: the
/// product of its range sizes (docs/topology-format.md, "Id patterns").
fn pattern_len(p: &str) -> u64 {
    let mut n = 1;
    let mut rest = p;
    while let Some(open) = rest.find('[') {
        let close = open + rest[open..].find(']').unwrap();
        let range = &rest[open + 1..close];
        let (lo, hi) = match range.split_once("..=") {
            Some((lo, hi)) => (lo, hi.parse::<u64>().unwrap() + 1),
            None => {
                let (lo, hi) = range.split_once("..").unwrap();
                (lo, hi.parse::<u64>().unwrap())
            }
        };
        n *= hi - lo.parse::<u64>().unwrap();
        rest = &rest[close + 1..];
    }
    n
}

fn patterns_len(v: &Value) -> u64 {
    patterns(v).iter().map(|p| pattern_len(p)).sum()
}

// ------------------------------------------------------------- formulas

/// Ports of the switch presets (docs/topology-format.md, "Presets").
fn preset_radix(kind: &str) -> u64 {
    match kind {
        "nvswitch-gen3" | "quantum-2" | "tomahawk5" | "tomahawk6" | "ualink-switch-25t" => 64,
        "nvswitch-gen4" => 72,
        "quantum-x800" => 144,
        "ualink-switch-50t" => 128,
        "ualink-switch-100t" => 256,
        _ => panic!("switch kind {kind}: give switch_radix in the file or its ports here"),
    }
}

/// The largest divisor `c` of `v` with `fan_in · c ≤ ports`.
fn largest_divisor(v: u64, fan_in: u64, ports: u64) -> u64 {
    (1..=v)
        .rev()
        .find(|c| v.is_multiple_of(*c) && fan_in * c <= ports)
        .unwrap_or_else(|| panic!("no divisor of {v} fits {fan_in} blocks in {ports} ports"))
}

/// One Clos (docs/topology-format.md, "Leaves" and "Tiers"): `G` groups of
/// `E` endpoints, radix `k`, `t` tiers, leaf ratio `a:b`. Returns (switches,
/// full-duplex switch-to-switch links, top-tier switches).
fn clos(groups: u64, e_per_group: u64, k: u64, t: u64, (a, b): (u64, u64)) -> (u64, u64, u64) {
    let d = if t == 1 { k } else { a * (k / (a + b)) };
    let (q, l_g, e_g) = if e_per_group > d {
        let l_g = e_per_group.div_ceil(d);
        (1, l_g, e_per_group.div_ceil(l_g))
    } else {
        (d / e_per_group, 1, e_per_group)
    };
    let leaves = groups.div_ceil(q) * l_g;
    if t == 1 {
        assert_eq!(leaves, 1, "one tier: every group on one leaf");
        return (1, 0, 1);
    }
    let e = q.min(groups) * e_g;
    let u = (e * b).div_ceil(a);
    // Tier i = 2..=t: n = blocks, m = switches at the top of a block, v = their uplinks.
    let (mut n, mut m, mut v) = (leaves, 1, u);
    let (mut switches, mut links, mut top) = (leaves, 0, leaves);
    for i in 2..=t {
        let (fan_in, ports) = if i < t {
            (n.min(k / 2), k / 2)
        } else {
            assert!(n <= k, "the top tier joins at most k blocks");
            (n, k)
        };
        let c = largest_divisor(v, fan_in, ports);
        let w = v / c;
        links += n * m * w;
        n = n.div_ceil(fan_in);
        m *= w;
        v = fan_in * c;
        top = n * m;
        switches += top;
    }
    (switches, links, top)
}

/// Expected counts from the file's own numbers.
fn expected(doc: &Table) -> Counts {
    let mut c = Counts::default();
    // Explicit [[nodes]] and [[links]].
    for n in doc
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let n = n.as_table().unwrap();
        let count = patterns_len(&n["id"]);
        c.nodes += count;
        match string(n, "kind").unwrap() {
            "accelerator" => c.accelerators += count,
            "nic" => c.nics += count,
            "host" => {}
            _ => c.switches += count, // "switch" or a switch preset
        }
    }
    for l in doc
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let between = l["between"].as_array().unwrap();
        c.directed_links += 2 * patterns_len(&between[0]) * patterns_len(&between[1]);
    }
    let sites = doc
        .get("dci")
        .and_then(Value::as_table)
        .map_or(1, |d| int(d, "sites").unwrap());
    // [scale_up], per site: D domains of N accelerators and S switches.
    let (mut domains, mut per_domain) = (0, 0);
    if let Some(su) = doc.get("scale_up").and_then(Value::as_table) {
        domains = int(su, "domains").unwrap_or(1);
        let (n, s, links) = match string(su, "topology").unwrap_or("switched") {
            "switched" => {
                let n = int(su, "accelerators").unwrap();
                let s = int(su, "switches").unwrap();
                // One link per (accelerator, switch with a nonzero lane count).
                let used = match &su["links_per_switch"] {
                    Value::Integer(_) => s,
                    v => ints(v).iter().filter(|&&x| x > 0).count() as u64,
                };
                (n, s, n * used)
            }
            "full-mesh" => {
                let n = int(su, "accelerators").unwrap();
                (n, 0, n * (n - 1) / 2)
            }
            "torus" => {
                let dims = ints(&su["dims"]);
                let n: u64 = dims.iter().product();
                // Σ_k (n/d_k)·ℓ_k, ℓ_k = d_k, or 1 for a dimension of 2.
                let links = dims
                    .iter()
                    .map(|&d| n / d * if d == 2 { 1 } else { d })
                    .sum();
                (n, 0, links)
            }
            other => panic!("[scale_up] topology {other}"),
        };
        per_domain = n;
        c.accelerators += sites * domains * n;
        c.switches += sites * domains * s;
        c.nodes += sites * domains * (n + s);
        c.directed_links += 2 * sites * domains * links;
    }
    // [scale_out], per site: A·R NICs, P planes.
    if let Some(so) = doc.get("scale_out").and_then(Value::as_table) {
        let attached = if doc.contains_key("scale_up") {
            domains * per_domain
        } else {
            c.accelerators
        };
        let r = int(so, "nics_per_accelerator").unwrap_or(1);
        let planes = int(so, "planes").unwrap_or(1);
        let shape = string(so, "topology").unwrap_or("rail-optimized");
        let (switches, switch_links, top) = if shape == "dragonfly" {
            let a = int(so, "routers_per_group").unwrap();
            let p = int(so, "terminals_per_router").unwrap();
            let h = int(so, "global_links_per_router").unwrap();
            let g = int(so, "groups").unwrap_or((attached * r).div_ceil(a * p));
            let m = if g > 1 { a * h / (g - 1) } else { 0 };
            let routers = g * a;
            (routers, g * a * (a - 1) / 2 + m * g * (g - 1) / 2, routers)
        } else {
            let k = int(so, "switch_radix")
                .unwrap_or_else(|| preset_radix(string(so, "switch_kind").unwrap()));
            let tiers = int(so, "tiers").unwrap_or(if shape == "rail-only" { 1 } else { 2 });
            let ratio = string(so, "oversubscription").map_or((1, 1), |s| {
                let (a, b) = s.split_once(':').unwrap();
                (a.trim().parse().unwrap(), b.trim().parse().unwrap())
            });
            let with_su = doc.contains_key("scale_up");
            // (copies, G, E).
            let (copies, g, e) = match (shape, with_su) {
                ("rail-optimized", true) => (1, per_domain * r, domains),
                ("rail-optimized", false) => (1, r, attached),
                ("fat-tree", _) => (1, 1, attached * r),
                ("rail-only", true) => (per_domain * r, 1, domains),
                other => panic!("[scale_out] {other:?}"),
            };
            let (s, l, t) = clos(g, e, k, tiers, ratio);
            (copies * s, copies * l, copies * t)
        };
        let nics = attached * r;
        c.nics += sites * nics;
        c.switches += sites * planes * switches;
        c.nodes += sites * (nics + planes * switches);
        // Attachments, one port per plane per NIC, the planes' own links.
        c.directed_links += 2 * sites * (nics + planes * nics + planes * switch_links);
        // [dci]: the top switches of every plane, pairwise across sites.
        c.directed_links += 2 * sites * (sites - 1) / 2 * planes * top;
    }
    c
}

// ------------------------------------------------------------- the test

fn stem(p: &std::path::Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn info_golden_every_shipped_topology() {
    let mut skipped = Vec::new();
    let mut pinned = BTreeSet::new();
    for f in crate::common::files("topologies", "toml") {
        let file = f.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Table = std::fs::read_to_string(&f).unwrap().parse().unwrap();
        let want = expected(&doc);
        if want.directed_links > MAX_DIRECTED_LINKS {
            skipped.push((file, want.directed_links));
            continue;
        }
        let t = fabricsim::topology::Topology::load(&f, &Default::default())
            .unwrap_or_else(|d| panic!("{}:\n{d}", f.display()));
        let info = Info::of(&t);
        let got = Counts {
            accelerators: info.accelerators as u64,
            switches: info.switches as u64,
            nics: info.nics as u64,
            nodes: info.nodes as u64,
            directed_links: info.directed_links as u64,
        };
        assert_eq!(got, want, "{file}: counts against the formula");
        assert_eq!(info.links * 2, info.directed_links, "{file}");
        insta::assert_snapshot!(stem(&f), info.render_table());
        pinned.insert(stem(&f));
    }
    let skipped: Vec<(&str, u64)> = skipped.iter().map(|(f, n)| (f.as_str(), *n)).collect();
    assert_eq!(skipped, SKIPPED, "update SKIPPED and the module docs");
    // No golden outlives its file.
    let snaps: BTreeSet<String> = std::fs::read_dir(root().join("tests/it/topology/snapshots"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            Some(
                name.strip_prefix("it__topology__info_golden__")?
                    .strip_suffix(".snap")?
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        snaps, pinned,
        "stale or missing snapshots in tests/it/topology/snapshots"
    );
}

/// The formulas on fabrics whose counts are known independently: the
/// worked examples of docs/topology-format.md and the classic k-ary fat
/// trees (`(2t−1)·(k/2)^(t−1)` switches for `2(k/2)^t` hosts).
#[test]
fn info_golden_formulas_match_the_documented_examples() {
    // h100-2tier-16node: G = 8, E = 16, k = 64 → L = 4, S = 2, 8 bundles.
    assert_eq!(clos(8, 16, 64, 2, (1, 1)), (6, 8, 2));
    // k = 4 fat trees of 4, 8, 16 and 32 hosts: 1, 6, 20 and 56 switches.
    assert_eq!(clos(1, 4, 4, 1, (1, 1)).0, 1);
    assert_eq!(clos(1, 8, 4, 2, (1, 1)).0, 6);
    assert_eq!(clos(1, 16, 4, 3, (1, 1)).0, 20);
    assert_eq!(clos(1, 32, 4, 4, (1, 1)).0, 56);
    assert_eq!(pattern_len("d[0..2].g[1..=4]"), 8);
    assert_eq!(pattern_len("gpu3"), 1);
}
