//! The crate graph is the architecture: each crate of the workspace may
//! depend only on the crates below it and on the external crates its layer
//! needs. This test reads every `crates/*/Cargo.toml` and fails, naming the
//! crate and the dependency, when one gains a dependency its layer must not
//! have (ARCHITECTURE.md lists the same table).

use std::collections::BTreeSet;
use std::path::Path;

/// (crate directory, workspace crates it may use, external crates it may use).
const LAYERS: &[(&str, &[&str], &[&str])] = &[
    ("base", &[], &["serde", "thiserror", "toml"]),
    // The solver knows nothing of topologies, files or terminals.
    ("flow", &[], &["serde", "thiserror"]),
    (
        "scenario",
        &["base", "flow"],
        &["serde", "serde_json", "thiserror"],
    ),
    (
        "topology",
        &["base"],
        &["petgraph", "serde", "thiserror", "toml"],
    ),
    ("routing", &["base", "topology"], &["serde", "thiserror"]),
    (
        "collective",
        &["base", "flow", "topology", "routing"],
        &["serde", "thiserror"],
    ),
    (
        "workload",
        &["base", "topology", "routing", "collective"],
        &["serde", "thiserror", "toml"],
    ),
    // The only nalgebra user.
    (
        "calibrate",
        &["base", "topology", "collective"],
        &["nalgebra", "serde", "thiserror"],
    ),
    // Charts from plain result types: no topology, no simulator.
    ("plot", &[], &["plotters", "png", "thiserror"]),
    (
        "report",
        &[
            "base",
            "topology",
            "routing",
            "collective",
            "workload",
            "plot",
        ],
        &["serde"],
    ),
    (
        "sweep",
        &[
            "base",
            "topology",
            "collective",
            "workload",
            "plot",
            "report",
        ],
        &["rayon", "serde", "serde_json", "thiserror", "toml"],
    ),
    // Model error against published measurements.
    (
        "validate",
        &["base", "topology", "collective", "workload", "plot"],
        &["rayon", "serde", "thiserror", "toml"],
    ),
    // The only crate with the terminal, signals and exit codes.
    (
        "cli",
        &[
            "base",
            "flow",
            "scenario",
            "topology",
            "routing",
            "collective",
            "workload",
            "calibrate",
            "plot",
            "report",
            "sweep",
            "validate",
        ],
        &[
            "clap",
            "signal_hook",
            "indicatif",
            "rayon",
            "serde",
            "serde_json",
            "toml",
        ],
    ),
];

/// The normal (non-dev) dependencies named in a crate's manifest.
fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let mut deps = BTreeSet::new();
    for table in ["dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(table).and_then(|v| v.as_table()) {
            deps.extend(t.keys().map(|k| k.replace('-', "_")));
        }
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for t in targets.values() {
            if let Some(d) = t.get("dependencies").and_then(|v| v.as_table()) {
                deps.extend(d.keys().map(|k| k.replace('-', "_")));
            }
        }
    }
    deps
}

/// The violations of the layer table in the workspace rooted at `root`.
fn violations(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("Cargo.toml").is_file() {
            continue; // crates/clippy.toml
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        seen.insert(name.clone());
        let Some(&(_, ours, external)) = LAYERS.iter().find(|(c, _, _)| *c == name) else {
            out.push(format!(
                "crates/{name} is not in the layer table: add it to LAYERS and ARCHITECTURE.md"
            ));
            continue;
        };
        for dep in dependencies(&dir.join("Cargo.toml")) {
            let allowed = match dep.strip_prefix("fabricsim_") {
                Some(c) => ours.contains(&c),
                None => external.contains(&dep.as_str()),
            };
            if !allowed {
                out.push(format!(
                    "crates/{name} depends on {dep}, which its layer must not use"
                ));
            }
        }
    }
    for (c, _, _) in LAYERS {
        if !seen.contains(*c) {
            out.push(format!(
                "the layer table names crates/{c}, which does not exist"
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn every_crate_depends_only_on_its_layer() {
    let v = violations(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(v.is_empty(), "layering broken:\n{}", v.join("\n"));
}

/// The check itself can fail: a copy of the workspace manifests where the
/// flow solver depends on the topology crate and on clap.
#[test]
fn a_forbidden_dependency_is_reported() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("fabricsim-arch-{}", std::process::id()));
    for (c, _, _) in LAYERS {
        let dir = tmp.join("crates").join(c);
        std::fs::create_dir_all(&dir).unwrap();
        let mut text =
            std::fs::read_to_string(root.join("crates").join(c).join("Cargo.toml")).unwrap();
        if *c == "flow" {
            text = text.replace(
                "[dependencies]\n",
                "[dependencies]\nfabricsim-topology.workspace = true\nclap.workspace = true\n",
            );
        }
        std::fs::write(dir.join("Cargo.toml"), text).unwrap();
    }
    let v = violations(&tmp);
    std::fs::remove_dir_all(&tmp).unwrap();
    assert_eq!(
        v,
        [
            "crates/flow depends on clap, which its layer must not use",
            "crates/flow depends on fabricsim_topology, which its layer must not use",
        ]
    );
}
