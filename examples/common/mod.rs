//! Helpers shared by the example binaries (not an example itself): load
//! shipped inputs, sweep sizes, print, and write plots into `plots/`.
#![allow(dead_code)]

use fabricsim::collective::run::{Outcome, Request, run};
use fabricsim::collective::{CollectiveSim, Op, Params};
use fabricsim::plot::{self, Plot};
use fabricsim::topology::{self, FailureSpec, Topology};
use std::path::{Path, PathBuf};

/// `CARGO_MANIFEST_DIR/REL`: shipped inputs wherever the example runs from.
pub fn shipped(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The text of a shipped file (to edit into variants).
pub fn text(rel: &str) -> String {
    std::fs::read_to_string(shipped(rel)).unwrap_or_else(|e| die(&format!("{rel}: {e}")))
}

/// Prints `msg` on stderr and exits with status 1.
pub fn die(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(1)
}

/// Loads a shipped topology, failing `fail` (`--fail` syntax) in it.
pub fn load(rel: &str, fail: &[&str]) -> Topology {
    parse(&text(rel), rel, fail)
}

/// Parses topology text (a shipped file, possibly edited) named `path`.
pub fn parse(src: &str, path: &str, fail: &[&str]) -> Topology {
    let fail: Vec<FailureSpec> = fail
        .iter()
        .map(|f| f.parse().unwrap_or_else(|e: String| die(&e)))
        .collect();
    let opts = topology::LoadOptions::default().with_failures(fail);
    Topology::parse(src, path, &opts).unwrap_or_else(|d| die(&d.render()))
}

/// `text` with `from` replaced by `to`, which must occur exactly once (so a
/// change to the shipped file fails loudly instead of silently not editing).
pub fn edit(text: &str, from: &str, to: &str) -> String {
    if text.matches(from).count() != 1 {
        die(&format!(
            "expected exactly one {from:?} in the topology text"
        ));
    }
    text.replacen(from, to, 1)
}

/// `1 MiB · 2^k` up to `max` bytes.
pub fn doubling(min: f64, max: f64) -> Vec<f64> {
    let mut v = Vec::new();
    let mut s = min;
    while s <= max * (1.0 + 1e-12) {
        v.push(s);
        s *= 2.0;
    }
    v
}

pub const MIB: f64 = 1024.0 * 1024.0;
pub const GIB: f64 = 1024.0 * MIB;

/// A request for `op` of `size` bytes with the `auto` algorithm.
pub fn request(op: Op, size: f64) -> Request {
    Request::new(op, size)
}

/// `op` over all accelerators of `topo` at each size (auto algorithm).
pub fn sweep(topo: &Topology, params: &Params, op: Op, sizes: &[f64]) -> Vec<Outcome> {
    let mut sim = CollectiveSim::new(topo, params.clone());
    sizes
        .iter()
        .map(|&s| {
            run(&mut sim, &topo.accelerators, &request(op, s))
                .unwrap_or_else(|e| die(&format!("{}: {e}", topo.name)))
        })
        .collect()
}

/// Where plots go: `$FABRICSIM_PLOTS_DIR` if set (tests use a temporary
/// directory), else the repository's `plots/`.
pub fn plots_dir() -> PathBuf {
    std::env::var_os("FABRICSIM_PLOTS_DIR").map_or_else(|| shipped("plots"), PathBuf::from)
}

/// Renders `p` and writes `plots/STEM.png` and `plots/STEM.svg`, each whole
/// (a temporary file in the directory, then a rename), as the CLI does.
pub fn save(stem: &str, p: &impl Plot) {
    let dir = plots_dir();
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| die(&format!("cannot create {}: {e}", dir.display())));
    let r = plot::render(p).unwrap_or_else(|e| die(&e.to_string()));
    let stem = plot::sanitize(stem);
    for (ext, bytes) in [("png", r.png.as_slice()), ("svg", r.svg.as_bytes())] {
        let name = format!("{stem}.{ext}");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let path = dir.join(&name);
        if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path)) {
            let _ = std::fs::remove_file(&tmp);
            die(&format!("cannot write {}: {e}", path.display()));
        }
        println!("wrote {}", path.display());
    }
}
