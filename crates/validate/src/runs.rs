//! Job-level validation: published training runs (`validation/training_runs.toml`)
//! through `fabricsim job`, published against simulated throughput.
//!
//! A run names its topology and job file (relative to the runs file). The
//! compared metric is the first the source publishes of: step time (error =
//! published time / simulated time − 1, a throughput error), tokens/s per
//! GPU (`tokens_per_s / gpus`), model TFLOP/s per GPU (`MFU × peak`, with
//! the job's own FLOP count, which may count attention differently from the
//! source's). For a model published at several scales on one accelerator,
//! the scaling ratio (per-GPU throughput relative to the smallest scale) is
//! compared too.

use std::path::Path;

use fabricsim_base::limits::{Limits, read_text};
use fabricsim_collective::sim::Params;
use fabricsim_topology::{LoadOptions, Topology};
use fabricsim_workload::{Job, iteration};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::corpus::{CorpusError, Split};

/// What a source published about a run.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Metric {
    /// Model TFLOP/s per GPU as the source defines it \[1e12 FLOP/s\].
    pub tflops_per_gpu: Option<f64>,
    /// Tokens per second per GPU.
    pub tokens_per_s_per_gpu: Option<f64>,
    /// Seconds per optimizer step.
    pub step_time_s: Option<f64>,
}

/// The model of a run (only its name is read here).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RunModel {
    /// Model name.
    #[serde(default)]
    pub name: String,
}

/// One published training run.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Run {
    /// Identifier.
    pub id: String,
    /// GPUs used.
    pub gpus: usize,
    /// The accelerator part.
    pub accelerator: String,
    /// Where the numbers come from.
    pub source: String,
    /// Fit (a constant was fitted on it) or held-out; `None` until modelled.
    pub split: Option<Split>,
    /// Topology file, relative to the runs file.
    pub topology: Option<String>,
    /// Job file, relative to the runs file.
    pub job: Option<String>,
    /// Why the run is not modelled.
    pub skip: Option<String>,
    /// The model.
    #[serde(default)]
    pub model: RunModel,
    /// What was published.
    #[serde(default)]
    pub metric: Metric,
}

#[derive(Deserialize)]
struct RunsFile {
    schema: u32,
    run: Vec<Run>,
}

/// Reads a runs file.
pub fn load_runs(path: &Path, limits: &Limits) -> Result<Vec<Run>, CorpusError> {
    let shown = path.display().to_string();
    let text =
        read_text(path, limits.max_input_bytes).map_err(|e| CorpusError::Read(e.render(&shown)))?;
    let f: RunsFile = toml::from_str(&text).map_err(|e| CorpusError::Invalid {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if f.schema != 1 {
        return Err(CorpusError::Invalid {
            path: shown,
            message: format!("schema = {}: this fabricsim reads schema 1", f.schema),
        });
    }
    Ok(f.run)
}

/// One run: published against simulated.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// The run's id.
    pub id: String,
    /// Model name.
    pub model: String,
    /// Accelerator.
    pub accelerator: String,
    /// GPUs.
    pub gpus: usize,
    /// Its split (`None`: not modelled).
    pub split: Option<Split>,
    /// `step_time_s`, `tokens_per_s_per_gpu` or `tflops_per_gpu`.
    pub metric: String,
    /// The published value.
    pub published: f64,
    /// The simulated value.
    pub simulated: Option<f64>,
    /// Throughput error: simulated / published − 1 (for a time, published /
    /// simulated − 1).
    pub error: Option<f64>,
    /// Why it was not simulated.
    pub problem: Option<String>,
}

/// Runs every modelled run (in parallel; order kept).
pub fn run_all(runs: &[Run], dir: &Path, limits: &Limits, params: &Params) -> Vec<RunResult> {
    runs.par_iter()
        .map(|r| one(r, dir, limits, params))
        .collect()
}

fn one(r: &Run, dir: &Path, limits: &Limits, params: &Params) -> RunResult {
    let m = &r.metric;
    let (metric, published) = match (m.step_time_s, m.tokens_per_s_per_gpu, m.tflops_per_gpu) {
        (Some(t), _, _) => ("step_time_s", t),
        (None, Some(t), _) => ("tokens_per_s_per_gpu", t),
        (None, None, Some(t)) => ("tflops_per_gpu", t),
        _ => ("none", f64::NAN),
    };
    let mut out = RunResult {
        id: r.id.clone(),
        model: r.model.name.clone(),
        accelerator: r.accelerator.clone(),
        gpus: r.gpus,
        split: r.split,
        metric: metric.to_string(),
        published,
        simulated: None,
        error: None,
        problem: None,
    };
    let (Some(t), Some(j)) = (&r.topology, &r.job) else {
        out.problem = Some(
            r.skip
                .clone()
                .unwrap_or_else(|| "no topology or job file".into()),
        );
        return out;
    };
    let simulated = (|| -> Result<f64, String> {
        let opts = LoadOptions::default().with_limits(*limits);
        let topo = Topology::load(dir.join(t), &opts).map_err(|d| d.render())?;
        let job = Job::load(dir.join(j), limits).map_err(|d| d.render())?;
        let rep = iteration::run(&topo, &job, params.clone()).map_err(|e| e.to_string())?;
        let it = &rep.iteration;
        Ok(match metric {
            "step_time_s" => it.total_time_s,
            "tokens_per_s_per_gpu" => it.tokens_per_s / r.gpus as f64,
            "tflops_per_gpu" => match (rep.compute.peak_tflops, it.mfu) {
                (Some(peak), Some(mfu)) => mfu * peak,
                _ => return Err("the job gives no peak FLOP/s, so no TFLOP/s per GPU".into()),
            },
            _ => return Err("the run publishes no metric".into()),
        })
    })();
    match simulated {
        Ok(s) if s.is_finite() && s > 0.0 => {
            out.simulated = Some(s);
            out.error = Some(if metric == "step_time_s" {
                published / s - 1.0
            } else {
                s / published - 1.0
            });
        }
        Ok(s) => out.problem = Some(format!("simulated {metric} = {s}")),
        Err(e) => out.problem = Some(e.lines().next().unwrap_or("").to_string()),
    }
    out
}

/// A scaling comparison: per-GPU throughput at `gpus` relative to `base_gpus`.
#[derive(Clone, Debug, Serialize)]
pub struct Scaling {
    /// Model name.
    pub model: String,
    /// Accelerator.
    pub accelerator: String,
    /// The smaller scale.
    pub base_gpus: usize,
    /// The larger scale.
    pub gpus: usize,
    /// Published per-GPU throughput ratio (larger / smaller).
    pub published_ratio: f64,
    /// Simulated ratio.
    pub simulated_ratio: f64,
}

/// Scaling ratios for models run at several scales on one accelerator with
/// the same per-GPU throughput metric (tokens/s or TFLOP/s per GPU; step
/// times are left out: the global batch may differ between the scales).
pub fn scaling(results: &[RunResult]) -> Vec<Scaling> {
    let mut out = Vec::new();
    for (i, a) in results.iter().enumerate() {
        let Some(sa) = a.simulated else { continue };
        for b in &results[i + 1..] {
            let Some(sb) = b.simulated else { continue };
            if a.model != b.model
                || a.accelerator != b.accelerator
                || a.metric != b.metric
                || a.metric == "step_time_s"
                || a.gpus == b.gpus
            {
                continue;
            }
            let (small, large, s_small, s_large) = if a.gpus < b.gpus {
                (a, b, sa, sb)
            } else {
                (b, a, sb, sa)
            };
            let ratio = |x_small: f64, x_large: f64| x_large / x_small;
            out.push(Scaling {
                model: small.model.clone(),
                accelerator: small.accelerator.clone(),
                base_gpus: small.gpus,
                gpus: large.gpus,
                published_ratio: ratio(small.published, large.published),
                simulated_ratio: ratio(s_small, s_large),
            });
        }
    }
    out
}
