//! The crate graph is the architecture: each crate of the workspace may
//! depend only on the crates below it and on the external crates its layer
//! needs. This test reads every `crates/*/Cargo.toml` and fails, naming the
//! crate and the dependency, when one gains a dependency its layer must not
//! have (ARCHITECTURE.md lists the same table), and inside each crate no two
//! top-level modules use each other, directly or around a circle.

use std::collections::BTreeSet;
use std::path::Path;

/// (crate directory, workspace crates it may use, external crates it may use).
const LAYERS: &[(&str, &[&str], &[&str])] = &[
    // The one input reader owns files: rustix (safe fcntl) opens FIFOs
    // without waiting for a writer.
    ("base", &[], &["rustix", "serde", "thiserror", "toml"]),
    // The solver knows nothing of topologies, files or terminals; smallvec
    // keeps short class lists inline.
    ("flow", &[], &["serde", "smallvec", "thiserror"]),
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
        // hashbrown: looking component keys up without allocating them.
        &["hashbrown", "rayon", "serde", "thiserror"],
    ),
    (
        "workload",
        &["base", "topology", "routing", "collective"],
        &["serde", "thiserror", "toml"],
    ),
    // Energy and power from result types (a job report, link bytes) and
    // the topology's power presets: no simulator, no terminal.
    ("energy", &["topology", "workload"], &["serde"]),
    // The only nalgebra user.
    (
        "calibrate",
        &["base", "topology", "collective"],
        &["nalgebra", "serde", "thiserror"],
    ),
    // Charts from plain result types: no topology, no simulator.
    (
        "plot",
        &[],
        &[
            "ab_glyph",
            "plotters",
            "plotters_backend",
            "png",
            "thiserror",
        ],
    ),
    (
        "report",
        &[
            "base",
            "topology",
            "routing",
            "collective",
            "workload",
            "energy",
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
            "energy",
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
            "energy",
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
            "sha2",
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

/// The top-level modules of the crate whose sources are in `src`, and the
/// top-level modules each refers to (`crate::m`, or `super::m` from a file
/// directly under `src/`, `super::super::m` one folder down). Comment lines
/// (doc links included) are not dependencies.
fn module_graph(src: &Path) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    files(src, &mut all);
    let module_of = |p: &Path| -> Option<String> {
        let rel = p.strip_prefix(src).unwrap();
        let first = rel.components().next()?.as_os_str().to_string_lossy();
        let m = first.trim_end_matches(".rs").to_string();
        (m != "lib" && m != "main").then_some(m)
    };
    let mods: BTreeSet<String> = all.iter().filter_map(|p| module_of(p)).collect();
    let mut graph: std::collections::BTreeMap<String, BTreeSet<String>> =
        mods.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for p in &all {
        let Some(m) = module_of(p) else { continue };
        // Depth below src/: 0 for src/m.rs, 1 for src/m/x.rs (and src/m/mod.rs
        // names the module itself: `super::` is then the crate root).
        let rel = p.strip_prefix(src).unwrap();
        let depth = rel.components().count() - 1;
        let is_mod_rs = p.file_name().is_some_and(|f| f == "mod.rs");
        let up = if depth == 0 || (depth == 1 && is_mod_rs) {
            "super::".to_string()
        } else {
            "super::".repeat(depth + usize::from(!is_mod_rs))
        };
        let text = std::fs::read_to_string(p).unwrap();
        for line in text.lines() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for prefix in ["crate::", up.as_str()] {
                let mut rest = line;
                while let Some(i) = rest.find(prefix) {
                    // `super::super::x` must not also match as `super::x`.
                    let before = &rest[..i];
                    rest = &rest[i + prefix.len()..];
                    if prefix.starts_with("super") && before.ends_with("super::") {
                        continue;
                    }
                    // `prefix{a, b::c}` names a and b.
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(list) => list.split(['}', ',']).map(str::trim_start).collect(),
                        None => vec![rest],
                    };
                    for n in names {
                        let name: String = n
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if name != m && mods.contains(&name) {
                            graph.get_mut(&m).unwrap().insert(name);
                        }
                    }
                }
            }
        }
    }
    graph
}

/// Module circles in `graph`: each strongly connected component of more
/// than one module, as `a -> b -> ... ` names.
fn circles(graph: &std::collections::BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut g = petgraph::graph::DiGraph::<&str, ()>::new();
    let idx: std::collections::BTreeMap<&str, _> = graph
        .keys()
        .map(|m| (m.as_str(), g.add_node(m.as_str())))
        .collect();
    for (a, bs) in graph {
        for b in bs {
            g.add_edge(idx[a.as_str()], idx[b.as_str()], ());
        }
    }
    let mut out: Vec<String> = petgraph::algo::tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<&str> = c.iter().map(|&n| g[n]).collect();
            names.sort_unstable();
            names.join(", ")
        })
        .collect();
    out.sort();
    out
}

/// Inside every crate, the top-level modules form no circle: each module
/// uses only modules below it (the crate root, which declares them all, is
/// not counted).
#[test]
fn no_crate_has_a_module_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (c, _, _) in LAYERS {
        for circle in circles(&module_graph(&root.join("crates").join(c).join("src"))) {
            found.push(format!("crates/{c}: {circle}"));
        }
    }
    assert!(found.is_empty(), "module circles:\n{}", found.join("\n"));
}

/// The circle check can fail: two modules that name each other.
#[test]
fn a_module_circle_is_reported() {
    let tmp = std::env::temp_dir().join(format!("fabricsim-modcircle-{}", std::process::id()));
    std::fs::create_dir_all(tmp.join("c")).unwrap();
    std::fs::write(tmp.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(tmp.join("a.rs"), "use super::b::B;\n").unwrap();
    std::fs::write(tmp.join("c/mod.rs"), "mod x;\nuse super::{a, lib};\n").unwrap();
    std::fs::write(
        tmp.join("c/x.rs"),
        "// crate::b in a comment is not a use\nfn f() { super::super::b::g() }\n",
    )
    .unwrap();
    std::fs::write(
        tmp.join("b.rs"),
        "pub struct B;\nfn g() { crate::a::h() }\n",
    )
    .unwrap();
    let graph = module_graph(&tmp);
    let got = circles(&graph);
    std::fs::remove_dir_all(&tmp).unwrap();
    assert_eq!(got, ["a, b"]);
    assert_eq!(
        graph["c"].iter().map(String::as_str).collect::<Vec<_>>(),
        ["a", "b"]
    );
}
