//! Simulating every corpus point on the topology of its system.
//!
//! A point of world size n runs on the first n accelerators of the file (in
//! the file's order), with the algorithm the source names when it forced one
//! (`Ring` → ring, `NVLS` → nvls, `NVLSTree` → nvls-tree, `Tree` → tree,
//! `CollNet*` → hierarchical with CollNet) and `auto` otherwise: what
//! fabricsim would predict for that system. CollNet (SHARP) is on for a
//! point whose source enabled it (`collnet = true`, or a CollNet label) or
//! when `validate-model --collnet` asks for it everywhere.

use std::path::Path;

use fabricsim_collective::run::{Request, run};
use fabricsim_collective::sim::{CollectiveSim, Params};
use fabricsim_collective::tuning::NcclVersion;
use fabricsim_collective::{Algo, Op};
use fabricsim_topology::{LoadOptions, Topology};
use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{Corpus, Point, Split, topology_path};

/// One point: published and simulated busbw and the error.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    /// The system's id.
    pub system: String,
    /// Its split.
    pub split: Split,
    /// World size.
    pub gpus: usize,
    /// Operation.
    pub op: String,
    /// nccl-tests size S \[bytes\].
    pub size_bytes: u64,
    /// The algorithm asked of the simulator (`auto` unless the source forced one).
    pub algo: String,
    /// Published busbw \[GB/s\] (from the published time when there is one).
    pub published_busbw_gbps: f64,
    /// Simulated busbw \[GB/s\], when the point could be simulated.
    pub simulated_busbw_gbps: Option<f64>,
    /// The algorithm the simulator ran.
    pub simulated_algorithm: Option<String>,
    /// `simulated / published − 1`.
    pub error: Option<f64>,
    /// Why the point was not simulated (no topology file, too few
    /// accelerators, an algorithm that cannot run, a budget).
    pub problem: Option<String>,
}

/// The simulator's algorithm for a source's algorithm label.
pub fn algo_of(label: &str) -> Algo {
    match label.to_ascii_lowercase().as_str() {
        "ring" => Algo::Ring,
        "tree" => Algo::Tree,
        "nvls" => Algo::Nvls,
        "nvlstree" => Algo::NvlsTree,
        "collnet" | "collnetdirect" | "collnetchain" => Algo::Hierarchical,
        _ => Algo::Auto,
    }
}

/// The NCCL cost model for `p` ([`NcclVersion::for_release`]): from the
/// NCCL version its source printed (`library = "NCCL 2.27.3"`), else from
/// its date when the source names NCCL without a version (2025 or later:
/// NCCL 2.23, the first with PAT, came out in late 2024); `None` when
/// neither says (unknown, RCCL, a date before 2025: the run's default).
fn nccl_of(p: &Point) -> Option<NcclVersion> {
    let lib = p.library.trim();
    if let Some(v) = lib.strip_prefix("NCCL ").and_then(NcclVersion::of_version) {
        return Some(v);
    }
    let year: Option<u32> = p.source_date.get(..4).and_then(|y| y.parse().ok());
    (lib.starts_with("NCCL") && year.is_some_and(|y| y >= 2025)).then_some(NcclVersion::V2_28_3)
}

/// Whether the source of `p` ran with CollNet enabled: its `collnet`
/// field, or an algorithm label that names CollNet.
fn collnet_of(p: &Point) -> bool {
    p.collnet || p.algo.to_ascii_lowercase().starts_with("collnet")
}

fn op_of(name: &str) -> Result<Op, String> {
    match name {
        "sendrecv" => Ok(Op::SendRecv),
        other => other.parse(),
    }
}

/// The published busbw of `p` \[GB/s\]: from its time when published.
pub fn published_busbw(p: &Point, op: Op) -> f64 {
    match p.time_us {
        Some(t) => p.size_bytes as f64 / (t * 1e-6) / 1e9 * op.bus_factor(p.gpus),
        None => p.busbw_gbps,
    }
}

/// Simulates every point of `corpus` (in file order) on
/// `<topologies>/<system>.toml`, points of one (system, world size, op, CollNet switch,
/// algorithm) sharing one simulator; groups run in parallel on the current
/// rayon pool, and the result does not depend on the thread count.
pub fn predict(
    corpus: &Corpus,
    topologies: &Path,
    load: &LoadOptions,
    params: &Params,
) -> Vec<Prediction> {
    // Groups of point indices, in order of first appearance.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, p) in corpus.point.iter().enumerate() {
        let same = |q: &Point| {
            q.system == p.system
                && q.gpus == p.gpus
                && q.op == p.op
                && algo_of(&q.algo) == algo_of(&p.algo)
                && collnet_of(q) == collnet_of(p)
                && nccl_of(q) == nccl_of(p)
        };
        match groups.iter_mut().find(|g| same(&corpus.point[g[0]])) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut systems: Vec<&str> = corpus.system.iter().map(|s| s.id.as_str()).collect();
    systems.retain(|id| corpus.point.iter().any(|p| p.system == *id));
    let topos: Vec<Result<Topology, String>> = systems
        .par_iter()
        .map(|id| {
            let path = topology_path(topologies, id);
            Topology::load(&path, load).map_err(|d| {
                let first = d.render();
                let first = first.lines().next().unwrap_or("").to_string();
                format!("no usable topology: {first}")
            })
        })
        .collect();
    let results: Vec<Vec<(usize, Prediction)>> = groups
        .par_iter()
        .map(|g| {
            let first = &corpus.point[g[0]];
            let t = systems
                .iter()
                .position(|s| *s == first.system)
                .map(|k| &topos[k]);
            simulate_group(corpus, g, t, params)
        })
        .collect();
    let mut out: Vec<Option<Prediction>> = vec![None; corpus.point.len()];
    for (i, p) in results.into_iter().flatten() {
        out[i] = Some(p);
    }
    out.into_iter().flatten().collect()
}

fn simulate_group(
    corpus: &Corpus,
    group: &[usize],
    topo: Option<&Result<Topology, String>>,
    params: &Params,
) -> Vec<(usize, Prediction)> {
    let first = &corpus.point[group[0]];
    let split = corpus
        .system(&first.system)
        .map_or(Split::HeldOut, |s| s.split);
    let algo = algo_of(&first.algo);
    let op = op_of(&first.op);
    let setup: Result<(&Topology, Op), String> = (|| {
        let op = op.clone()?;
        let topo = match topo {
            Some(Ok(t)) => t,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("no topology".into()),
        };
        if topo.accelerators.len() < first.gpus {
            return Err(format!(
                "the topology has {} accelerators, the point {}",
                topo.accelerators.len(),
                first.gpus
            ));
        }
        Ok((topo, op))
    })();
    let mut sim = setup.as_ref().ok().map(|(t, _)| {
        let params = Params {
            collnet: params.collnet || collnet_of(first),
            nccl: nccl_of(first).or(params.nccl),
            ..params.clone()
        };
        CollectiveSim::new(t, params)
    });
    group
        .iter()
        .map(|&i| {
            let p = &corpus.point[i];
            let published = match &op {
                Ok(o) => published_busbw(p, *o),
                Err(_) => p.busbw_gbps,
            };
            let mut pred = Prediction {
                system: p.system.clone(),
                split,
                gpus: p.gpus,
                op: p.op.clone(),
                size_bytes: p.size_bytes,
                algo: algo.name().to_string(),
                published_busbw_gbps: published,
                simulated_busbw_gbps: None,
                simulated_algorithm: None,
                error: None,
                problem: None,
            };
            match (&setup, sim.as_mut()) {
                (Ok((topo, op)), Some(sim)) => {
                    let ranks = &topo.accelerators[..p.gpus];
                    let req = Request::new(*op, p.size_bytes as f64).algo(algo);
                    match run(sim, ranks, &req) {
                        Ok(o) if o.busbw_gbps.is_finite() && o.busbw_gbps > 0.0 => {
                            pred.simulated_busbw_gbps = Some(o.busbw_gbps);
                            pred.simulated_algorithm = Some(o.algorithm.name().to_string());
                            pred.error = Some(o.busbw_gbps / published - 1.0);
                        }
                        Ok(o) => pred.problem = Some(format!("busbw {}", o.busbw_gbps)),
                        Err(e) => pred.problem = Some(e.to_string()),
                    }
                }
                (Err(e), _) => pred.problem = Some(e.clone()),
                (Ok(_), None) => pred.problem = Some("not simulated".into()),
            }
            (i, pred)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(library: &str, date: &str) -> Point {
        let text = format!(
            "system = \"s\"\ngpus = 8\nop = \"all-reduce\"\nsize_bytes = 1024\n\
             busbw_gbps = 1.0\nsource = \"u\"\nlibrary = \"{library}\"\n\
             source_date = \"{date}\"\n"
        );
        toml::from_str(&text).expect("a valid point")
    }

    /// The printed NCCL version decides; without one, a source dated 2025
    /// or later that names NCCL gets 2.28.3; anything else the default.
    #[test]
    fn nccl_model_of_a_point() {
        let v = |lib, date| nccl_of(&point(lib, date));
        assert_eq!(v("NCCL 2.18.5", "2024-10"), Some(NcclVersion::V2_20_3));
        assert_eq!(v("NCCL 2.22.3", "2026"), Some(NcclVersion::V2_20_3));
        assert_eq!(v("NCCL 2.23.4", "2024"), Some(NcclVersion::V2_28_3));
        assert_eq!(
            v("NCCL 2.28.9 + gIB plugin", "2026"),
            Some(NcclVersion::V2_28_3)
        );
        assert_eq!(v("NCCL 2.9.9", "2022"), Some(NcclVersion::V2_20_3));
        assert_eq!(
            v("NCCL + gIB plugin (version not printed)", "2026-01"),
            Some(NcclVersion::V2_28_3)
        );
        assert_eq!(
            v("NCCL + gIB plugin (version not printed)", "2024-05"),
            None
        );
        assert_eq!(v("unknown (NCCL with TCPXO plugin)", "2025"), None);
        assert_eq!(v("RCCL 2.22.3", "2025"), None);
    }
}
