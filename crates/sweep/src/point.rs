//! Running one point: write its values into the base files, build them with
//! the ordinary readers, run the collective or the job, and turn the outcome
//! (or the error) into cells.

use super::param::{self, CollectiveKey, FailKey, Param};
use super::{Cell, Sweep, Target};
use fabricsim_base::units::Bytes;
use fabricsim_collective::run::{DEFAULT_CHUNK_BYTES, Outcome, Request, run};
use fabricsim_collective::{Algo, CollectiveSim, Op, Params};
use fabricsim_topology::{self as topology, Diagnostics, FailureSpec};
use fabricsim_workload::iteration::{self, JobReport};
use fabricsim_workload::traffic::Kind;

/// What a point produced.
pub(crate) enum Metrics {
    Collective(Outcome),
    /// A job's report and its energy (boxed: far larger than an outcome).
    Job(Box<(JobReport, fabricsim_energy::JobEnergy)>),
}

/// The `--fail` specs of a point's failure parameters: one seeded `random`
/// entry from `random`, `seed` and `tiers`, plus a `fail` spec unless it is
/// `"none"` (or empty).
pub(crate) fn failure_specs(params: &[(Param, toml::Value)]) -> Result<Vec<FailureSpec>, String> {
    let get = |k: FailKey| {
        params
            .iter()
            .find(|(p, _)| *p == Param::Failure(k))
            .map(|(_, v)| v)
    };
    let mut specs = Vec::new();
    if let Some(amount) = get(FailKey::Random) {
        let amount = match amount {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let seed = get(FailKey::Seed).map_or("0".to_string(), |v| v.to_string());
        let mut spec = format!("random:{amount}:{seed}");
        if let Some(toml::Value::Array(tiers)) = get(FailKey::Tiers) {
            let names: Vec<&str> = tiers.iter().filter_map(|t| t.as_str()).collect();
            if names.len() != tiers.len() || names.is_empty() {
                return Err("failures tiers must be a non-empty array of tier names".into());
            }
            spec += &format!(":{}", names.join("+"));
        }
        specs.push(spec.parse::<FailureSpec>()?);
    }
    if let Some(toml::Value::String(s)) = get(FailKey::Fail)
        && !matches!(s.trim(), "" | "none")
    {
        specs.push(s.parse::<FailureSpec>()?);
    }
    Ok(specs)
}

/// Diagnostics of `base` as one line, the file named as the sweep file
/// names it (so a row never depends on the folder the sweep ran from).
/// Positions are kept only for an unedited file (in an edited one they
/// would point into text the user never wrote).
fn one_line(d: &Diagnostics, base: &super::BaseFile, edited: bool) -> String {
    d.items
        .iter()
        .map(|x| {
            let path = if x.path == base.shown {
                &base.label
            } else {
                &x.path
            };
            let place = if edited || x.line == 0 {
                path.clone()
            } else {
                format!("{path}:{}:{}", x.line, x.col)
            };
            let help = x
                .help
                .as_ref()
                .map(|h| format!(" (help: {h})"))
                .unwrap_or_default();
            format!("{place}: {}{help}", x.message)
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Writes the key-path parameters into `base`; returns the text to build
/// and whether it was edited.
fn edited_text(
    base: &super::BaseFile,
    edits: &[(&[param::Seg], &toml::Value)],
) -> Result<(String, bool), String> {
    if edits.is_empty() {
        return Ok((base.text.clone(), false));
    }
    let mut doc = base.doc.clone();
    for (path, v) in edits {
        param::set_path(&mut doc, path, (*v).clone())
            .map_err(|e| format!("{}: {e}", base.label))?;
    }
    let text = toml::to_string(&doc)
        .map_err(|e| format!("{}: cannot write the edited file: {e}", base.label))?;
    Ok((text, true))
}

/// Runs point `index` of `sw`.
pub(crate) fn run_point(sw: &Sweep, params: &Params, index: usize) -> Result<Metrics, String> {
    let coords = sw.coords(index);
    // The point's value of every parameter: its axis value, else the base value.
    let mut values: Vec<(Param, toml::Value)> = sw
        .axes
        .iter()
        .zip(&coords)
        .map(|(a, &c)| (a.param.clone(), a.values[c].clone()))
        .collect();
    for (p, v) in &sw.base {
        if !values.iter().any(|(q, _)| q == p) {
            values.push((p.clone(), v.clone()));
        }
    }
    let file_index = |p: Param| {
        sw.axes
            .iter()
            .zip(&coords)
            .find(|(a, _)| a.param == p)
            .map_or(0, |(_, &c)| c)
    };
    let topo_file = &sw.topologies[file_index(Param::TopologyFile)];
    let topo_edits: Vec<(&[param::Seg], &toml::Value)> = values
        .iter()
        .filter_map(|(p, v)| match p {
            Param::Topology(path) => Some((path.as_slice(), v)),
            _ => None,
        })
        .collect();
    let (text, edited) = edited_text(topo_file, &topo_edits)?;
    let fails = failure_specs(&values)?;
    let opts = topology::LoadOptions::default()
        .with_limits(sw.limits)
        .with_failures(fails);
    let topo = topology::Topology::parse(&text, &topo_file.shown, &opts)
        .map_err(|d| one_line(&d, topo_file, edited))?;
    let get = |k: CollectiveKey| {
        values
            .iter()
            .find(|(p, _)| *p == Param::Collective(k))
            .map(|(_, v)| v)
    };
    match sw.target {
        Target::Collective => {
            let op: Op = get(CollectiveKey::Op)
                .and_then(|v| v.as_str())
                .ok_or("no collective op")?
                .parse()?;
            let algo: Algo = match get(CollectiveKey::Algo) {
                Some(v) => v.as_str().ok_or("algo must be a string")?.parse()?,
                None => Algo::Auto,
            };
            let size = match get(CollectiveKey::Size) {
                Some(toml::Value::String(s)) => s
                    .parse::<Bytes>()
                    .map_err(|e| format!("size \"{s}\": {e}"))?
                    .get(),
                Some(toml::Value::Integer(i)) => *i as f64,
                _ => return Err("no collective size".into()),
            };
            let n = topo.accelerators.len();
            let ranks = match get(CollectiveKey::Ranks) {
                Some(toml::Value::Integer(k)) if (*k as usize) <= n && *k >= 0 => {
                    topo.accelerators[..*k as usize].to_vec()
                }
                Some(v) => {
                    return Err(format!(
                        "ranks = {v}: the topology has {n} accelerators (ranks is a count, the first k accelerators)"
                    ));
                }
                None => topo.accelerators.clone(),
            };
            let channels = get(CollectiveKey::Channels)
                .and_then(|v| v.as_integer())
                .map(|c| c as usize);
            let req = Request {
                op,
                algo,
                size,
                channels,
                chunk_bytes: DEFAULT_CHUNK_BYTES,
                protocol: None,
            };
            // The axis, where there is one, decides CollNet for its points.
            let mut params = params.clone();
            if let Some(on) = get(CollectiveKey::CollNet).and_then(|v| v.as_bool()) {
                params.collnet = on;
            }
            // Likewise the NCCL release (checked when the file was read).
            if let Some(v) = get(CollectiveKey::Nccl)
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok())
            {
                params.nccl = Some(v);
            }
            let mut sim = CollectiveSim::new(&topo, params);
            let o = run(&mut sim, &ranks, &req).map_err(|e| format!("{}: {e}", topo_file.label))?;
            Ok(Metrics::Collective(o))
        }
        Target::Job => {
            let job_file = &sw.jobs[file_index(Param::JobFile)];
            let job_edits: Vec<(&[param::Seg], &toml::Value)> = values
                .iter()
                .filter_map(|(p, v)| match p {
                    Param::Job(path) => Some((path.as_slice(), v)),
                    _ => None,
                })
                .collect();
            let (text, edited) = edited_text(job_file, &job_edits)?;
            let job = fabricsim_workload::Job::parse(&text, &job_file.shown, &sw.limits)
                .map_err(|d| one_line(&d, job_file, edited))?;
            let r = iteration::run(&topo, &job, params.clone())
                .map_err(|e| format!("{}: {e}", job_file.label))?;
            let e = fabricsim_energy::job_energy(&topo, &job, &r);
            Ok(Metrics::Job(Box::new((r, e))))
        }
    }
}

/// A float cell, `null` when not finite.
fn num(x: f64) -> Cell {
    if x.is_finite() {
        Cell::Float(x)
    } else {
        Cell::Null
    }
}

/// The metric cells of a point, in [`super::metric_columns`] order.
pub(crate) fn metric_cells(m: &Metrics) -> Vec<Cell> {
    match m {
        Metrics::Collective(o) => {
            let b = o.bottleneck.as_ref();
            vec![
                num(o.bytes),
                Cell::Str(o.algorithm.name().to_string()),
                num(o.time_s),
                num(o.algbw_gbps),
                num(o.busbw_gbps),
                num(o.bound_s),
                num(o.efficiency_vs_bound),
                b.map_or(Cell::Null, |b| Cell::Str(b.link.clone())),
                b.map_or(Cell::Null, |b| Cell::Str(b.kind.clone())),
                b.map_or(Cell::Null, |b| num(b.utilization)),
            ]
        }
        Metrics::Job(b) => {
            let (r, e) = &**b;
            let it = &r.iteration;
            let kind = |k: Kind| {
                num(r
                    .by_kind
                    .iter()
                    .filter(|x| x.kind == k)
                    .fold(0.0, |a, x| a + x.time_s))
            };
            vec![
                num(it.total_time_s),
                num(it.compute_time_s),
                num(it.comm_time_s),
                num(it.exposed_comm_time_s),
                num(it.bubble_s),
                num(it.tokens_per_s),
                it.mfu.map_or(Cell::Null, num),
                kind(Kind::Tp),
                kind(Kind::Cp),
                kind(Kind::Ep),
                kind(Kind::Pp),
                kind(Kind::Dp),
                num(e.joules_per_iteration),
                num(e.average_power_w),
                num(e.tokens_per_joule),
            ]
        }
    }
}
