//! `fabricsim job` (one training iteration on a topology) and
//! `fabricsim compare` (one job or collective on several topologies, in
//! parallel).

use crate::failures::Failures;
use fabricsim_base::limits::Limits;
use fabricsim_collective::run::{Outcome, Request, Selection, run, run_with_report};
use fabricsim_collective::{CollectiveSim, Op};
use fabricsim_energy::{CollectiveEnergy, JobEnergy, collective_energy, job_energy};
use fabricsim_plot::{Breakdown, Busbw, EnergyBreakdown, TopLinks};
use fabricsim_report::plot_data as from;
use fabricsim_topology::Topology;
use fabricsim_workload::iteration::{self, JobReport};
use fabricsim_workload::memory;
use fabricsim_workload::placement::place;
use fabricsim_workload::{self as workload, Dim, Job};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub(crate) struct JobArgs {
    /// Topology file (TOML).
    topology: PathBuf,
    /// Job file (TOML, see docs/workload-format.md).
    job: PathBuf,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// List every TP, CP, EP, DP and PP group (accelerator names) first.
    #[arg(long)]
    show_groups: bool,
    /// Write plots (PNG and SVG) into DIR: the iteration breakdown, its
    /// phases and each kind's bottleneck link.
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Run a layout whose weights, gradients, optimizer states and
    /// activations exceed the accelerator's HBM (refused otherwise).
    #[arg(long)]
    allow_oversubscribed_memory: bool,
    /// Write a design-review report: one self-contained HTML page with the
    /// iteration, what limits it, failures, assumptions, the plots and the
    /// input files.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    #[command(flatten)]
    failures: super::FailArgs,
    #[command(flatten)]
    set: super::set::SetArgs,
    #[command(flatten)]
    budget: super::budget::BudgetArgs,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct CompareArgs {
    /// Topology files (TOML), compared against the first.
    #[arg(required = true)]
    topologies: Vec<PathBuf>,
    /// Job file: compare one training iteration.
    #[arg(long, conflicts_with_all = ["op", "size"], required_unless_present = "op")]
    job: Option<PathBuf>,
    /// Operation: compare one collective (with --size) over all accelerators.
    #[arg(long, requires = "size")]
    op: Option<String>,
    /// Size of the collective: one (`1GiB`), a list or a doubling range
    /// (`1MiB..1GiB`: one comparison per size).
    #[arg(long)]
    size: Option<String>,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the comparison plot (PNG and SVG) into DIR: the iteration
    /// breakdowns, or busbw over the 8 doubling sizes up to --size.
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Write a design-review report: one self-contained HTML page with the
    /// comparison table, the plots (inline SVG) and the input files.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// With --job: run a layout that exceeds an accelerator's HBM (refused
    /// otherwise).
    #[arg(long, requires = "job")]
    allow_oversubscribed_memory: bool,
    #[command(flatten)]
    failures: super::FailArgs,
    #[command(flatten)]
    set: super::set::SetArgs,
    #[command(flatten)]
    budget: super::budget::BudgetArgs,
}

/// Sizes of the busbw curves of `compare --op --plots`: `size / 2^k`, k = 7..0.
const COMPARE_CURVE_POINTS: i32 = 8;

/// The smaller sizes of a `compare` busbw curve ending at `size`, in
/// increasing order (`size` itself is the run's own result).
fn curve_sizes(size: f64) -> impl Iterator<Item = f64> {
    (1..COMPARE_CURVE_POINTS)
        .rev()
        .map(move |k| size / 2f64.powi(k))
}

/// GB (1e9 bytes) with two decimals.
fn gb(bytes: f64) -> String {
    format!("{:.2}", bytes / 1e9)
}

/// Refuses a job whose memory per accelerator exceeds the HBM of the
/// topology's accelerator (none named: not checked), naming the largest
/// term and a layout that fits (`fabricsim_workload::memory`).
fn check_memory(topo: &Topology, job: &Job, job_path: &Path, edited: bool) -> Result<(), String> {
    let Some(part) = topo.accelerator else {
        return Ok(());
    };
    let cap = part.hbm_bytes();
    let r = memory::report(job, Some(cap));
    if r.fits != Some(false) {
        return Ok(());
    }
    // A job that cannot be placed, or whose call counts overflow, is
    // refused for that first (by the simulation's own errors).
    if place(topo, job).is_err() {
        return Ok(());
    }
    let m = u64::from(job.parallelism.micro_batches());
    if workload::traffic::collectives(job).iter().any(|c| {
        c.per_micro_batch
            && c.count
                .checked_mul(m)
                .is_none_or(|n| n > iteration::MAX_CALLS)
    }) {
        return Ok(());
    }
    let t = &r.terms;
    let (name, big) = t.largest();
    let message = format!(
        "the layout needs {} GB of memory per accelerator, more than the {} GB of HBM of one {} (weights {} + gradients {} + optimizer states {} + activations {} GB); the largest term is {name} ({} GB)",
        gb(r.total_bytes),
        gb(cap),
        part.title,
        gb(t.weights_bytes),
        gb(t.gradients_bytes),
        gb(t.optimizer_bytes),
        gb(t.activations_bytes),
        gb(big),
    );
    let max_tp = if job.parallelism.allow_tp_across_domains {
        u32::MAX
    } else {
        topo.domains_of(&topo.accelerators)
            .iter()
            .map(|d| d.len() as u32)
            .min()
            .unwrap_or(1)
    };
    let help = match memory::suggest(job, cap, max_tp) {
        Some(s) => format!(
            "a layout that fits: {} ({} GB per accelerator); or run it anyway with --allow-oversubscribed-memory (GB = 1e9 bytes; formulas: docs/training-jobs.md, \"Memory\")",
            s.changes.join(", "),
            gb(s.total_bytes)
        ),
        None => "no layout near this one fits (tried sequence_parallel, zero up to 3, micro_batch 1, full recomputation, tp or pp doubled); use more accelerators, or run it anyway with --allow-oversubscribed-memory".to_string(),
    };
    if !edited
        && let Ok(src) = fabricsim_base::limits::read_text(
            job_path,
            fabricsim_base::limits::DEFAULT_MAX_INPUT_BYTES,
        )
    {
        return Err(workload::spec::located(
            &src,
            &job_path.display().to_string(),
            "parallelism",
            None,
            message,
            help,
        )
        .render());
    }
    Err(format!(
        "{}: error: {message}\n  help: {help}",
        job_path.display()
    ))
}

fn simulate(
    topo: &Topology,
    job: &Job,
    job_path: &Path,
    edited: bool,
    allow_oversubscribed: bool,
    budget: &super::budget::BudgetArgs,
) -> Result<JobReport, String> {
    if !allow_oversubscribed {
        check_memory(topo, job, job_path, edited)?;
    }
    iteration::run(topo, job, budget.params()).map_err(|e| {
        if let iteration::JobError::Placement(pe) = &e
            && !edited
            && let Ok(src) = fabricsim_base::limits::read_text(job_path, fabricsim_base::limits::DEFAULT_MAX_INPUT_BYTES)
        {
            return workload::spec::placement_diagnostic(&src, &job_path.display().to_string(), pe)
                .render();
        }
        let hint = match &e {
            iteration::JobError::Collective {
                source: fabricsim_collective::CollectiveError::Flow(
                    fabricsim_flow::FlowError::Budget(b),
                ),
                ..
            } => format!("\n{}", super::budget::raise(b)),
            iteration::JobError::TooManyCalls { .. } => "\n  help: fewer layers or micro-batches \
                (global_batch / (micro_batch · dp)), or a larger dp_bucket"
                .to_string(),
            _ => String::new(),
        };
        format!("{}: error: {e}{hint}", job_path.display())
    })
}

pub(crate) fn job(a: &JobArgs, limits: &Limits) -> Result<String, String> {
    let sets = a.set.parse(true)?;
    let topo = super::set::load_topology(&a.topology, &a.failures.fail, limits, &sets)?;
    let job = super::set::load_job(&a.job, limits, &sets)?;
    let mut out = String::new();
    if a.show_groups {
        out += &groups(&topo, &job, &a.job)?;
    }
    let edited = sets
        .iter()
        .any(|s| s.target == fabricsim_sweep::set::SetTarget::Job);
    let report = simulate(
        &topo,
        &job,
        &a.job,
        edited,
        a.allow_oversubscribed_memory,
        &a.budget,
    )?;
    let (failures, intact) = job_failures(a, limits, &sets, &topo, &job, edited, &report)?.unzip();
    let energy = job_energy(&topo, &job, &report);
    if a.plots.is_some() || a.report.is_some() {
        let (t, j) = (
            &super::plots::file_stem(&a.topology),
            &super::plots::file_stem(&a.job),
        );
        // Titles name the failures; file names stay the stems.
        let tt = &format!("{t}{}", crate::failures::title_suffix(&topo));
        let mut b = super::plots::Batch::new();
        b.add(
            &[t, j, "breakdown"],
            &Breakdown {
                title: format!("Iteration of {j} on {tt}"),
                bars: before_after(intact.as_ref(), &report, from::job_stack, |s, n| {
                    s.name = n.into()
                }),
            },
        )?;
        b.add(
            &[t, j, "timeline"],
            &from::job_timeline(
                &format!("Phases of one iteration of {j} on {tt}, micro-batch by micro-batch"),
                &report,
            ),
        )?;
        b.add(
            &[t, j, "energy"],
            &EnergyBreakdown {
                title: format!("Energy of one iteration of {j} on {tt}"),
                per: "iteration".into(),
                bars: before_after(
                    intact.as_ref(),
                    &report,
                    |r| from::energy_stack(t, &job_energy(&topo, &job, r).by_part),
                    |s, n| s.name = n.into(),
                ),
            },
        )?;
        b.add(
            &[t, j, "top-links"],
            &TopLinks {
                title: format!("Bottleneck link of each collective kind: {j} on {tt}"),
                bars: from::job_bottlenecks(&report),
            },
        )?;
        if let Some(file) = &a.report {
            let row = Row {
                topology: topo.name.clone(),
                stem: t.clone(),
                file: a.topology.display().to_string(),
                time_s: report.iteration.total_time_s,
                delta: 0.0,
                job: Some(report.clone()),
                collective: None,
                curve: Vec::new(),
                energy: RowEnergy::Job(energy.clone()),
                notes: crate::review::Notes {
                    limits: crate::review::job_limits(&report, failures.as_ref()),
                    assumptions: crate::review::job_assumptions(&report)
                        .into_iter()
                        .chain(crate::review::assumptions(&topo))
                        .collect(),
                },
                failures: failures.clone(),
                intact_job: intact.clone(),
                intact_curve: Vec::new(),
            };
            let table = table(&job, &report);
            let inputs = [a.topology.as_path(), a.job.as_path()];
            let page = super::report::Page {
                what: format!("One training iteration of {}", job.name),
                columns: &JOB_COLUMNS,
                systems: vec![review_system(&row)],
                table: &table,
                plots: &b,
                inputs: &inputs,
            };
            super::report::write(file, &page, limits)?;
        }
        if let Some(dir) = &a.plots {
            b.write(dir)?;
        }
    }
    if a.json {
        let doc = JobOut {
            report: &report,
            energy: &energy,
            failures: failures.as_ref(),
        };
        let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
        s.push('\n');
        return Ok(out + &s);
    }
    let mut t = table(&job, &report);
    if let Some(f) = &failures {
        // After the first header line, as `collective` does.
        let at = t.find('\n').map_or(t.len(), |i| i + 1);
        t.insert_str(at, &f.lines("ms"));
    }
    Ok(out + &t + &super::energy::job_lines(&energy))
}

/// `fabricsim job --json`: the report, its `"energy"` and, with
/// failures, what they did.
#[derive(Serialize)]
struct JobOut<'a> {
    #[serde(flatten)]
    report: &'a JobReport,
    energy: &'a JobEnergy,
    #[serde(skip_serializing_if = "Option::is_none")]
    failures: Option<&'a Failures>,
}

/// With failures: the same job on the intact fabric, for comparison (the
/// report, and the intact run's iteration for the before/after plots).
fn job_failures(
    a: &JobArgs,
    limits: &Limits,
    sets: &[fabricsim_sweep::set::Set],
    topo: &Topology,
    job: &Job,
    edited: bool,
    report: &JobReport,
) -> Result<Option<(Failures, JobReport)>, String> {
    if topo.failures.is_empty() {
        return Ok(None);
    }
    let intact = super::set::load_intact_topology(&a.topology, limits, sets)?;
    let base = simulate(
        &intact,
        job,
        &a.job,
        edited,
        a.allow_oversubscribed_memory,
        &a.budget,
    )
    .map_err(|e| format!("(intact fabric, without the failures) {e}"))?;
    let ranks = place(topo, job)
        .map(|p| p.ranks)
        .unwrap_or_else(|_| topo.accelerators.clone());
    Ok(Failures::new(
        &intact,
        topo,
        &ranks,
        &[report.iteration.total_time_s],
        vec![base.iteration.total_time_s],
        a.budget.collnet,
    )
    .map(|f| (f, base)))
}

/// Before and after: with an intact run, its bar first (named `intact
/// fabric`), then the run's (`with failures`); else the run's alone.
fn before_after<T>(
    intact: Option<&JobReport>,
    report: &JobReport,
    bar: impl Fn(&JobReport) -> T,
    rename: impl Fn(&mut T, &str),
) -> Vec<T> {
    match intact {
        Some(base) => {
            let (mut b, mut r) = (bar(base), bar(report));
            rename(&mut b, "intact fabric");
            rename(&mut r, "with failures");
            vec![b, r]
        }
        None => vec![bar(report)],
    }
}

/// Every group of every parallel dimension, one line each.
fn groups(topo: &Topology, job: &Job, job_path: &Path) -> Result<String, String> {
    let p = place(topo, job).map_err(|e| format!("{}: error: {e}", job_path.display()))?;
    let mut s = String::new();
    let kinds: [(&str, &[Dim]); 6] = [
        ("tp", &[Dim::Tp]),
        ("cp", &[Dim::Cp]),
        ("ep", &[Dim::Ep]),
        ("dp", &[Dim::Ep, Dim::Dp]),
        ("expert-dp", &[Dim::Dp]),
        ("pp", &[Dim::Pp]),
    ];
    for (name, dims) in kinds {
        let gs = p.node_groups(dims);
        if gs[0].len() < 2 {
            continue;
        }
        s += &format!("# {name}: {} groups of {}\n", gs.len(), gs[0].len());
        for (i, g) in gs.iter().enumerate() {
            let names: Vec<&str> = g
                .iter()
                .map(|&n| topo.nodes[n.idx()].name.as_str())
                .collect();
            s += &format!("{name} {i}: {}\n", names.join(" "));
        }
    }
    Ok(s)
}

fn table(job: &Job, r: &JobReport) -> String {
    let p = &job.parallelism;
    let mut s = format!(
        "# {} on {}: TP {} · CP {} · PP {} · DP {} · EP {}, {} micro-batches of {} (times per iteration; count = calls per iteration on one rank's path; GB/s = 1e9 bytes/s)\n",
        r.job,
        r.topology,
        p.tp,
        p.cp,
        p.pp,
        p.dp,
        p.ep,
        p.micro_batches(),
        p.micro_batch
    );
    s += &compute_line(&r.compute);
    s += &choice_line(r);
    if p.pp > 1 {
        s += &format!(
            "# pipeline: {}{}\n",
            r.schedule,
            if p.virtual_stages > 1 {
                format!(", {} virtual stages per rank", p.virtual_stages)
            } else {
                String::new()
            }
        );
    }
    s += &memory_line(&r.memory, r.compute.accelerator);
    let a = &r.accelerators;
    if a.unused > 0 {
        s += &format!(
            "# on {} of the topology's {} accelerators ({}; {} unused)\n",
            a.used,
            a.used + a.unused,
            a.policy,
            a.unused
        );
    }
    s += &format!(
        "#{:>4} {:>14} {:>19} {:>6} {:>7} {:>7} {:>13} {:>11} {:>11}  {}\n",
        "kind",
        "collective",
        "algorithm",
        "group",
        "groups",
        "count",
        "bytes/call",
        "call(us)",
        "total(ms)",
        "bottleneck (tier, utilization)"
    );
    for k in &r.by_kind {
        let b = k
            .bottleneck
            .as_ref()
            .map(|b| format!("{} ({}, {:.0}%)", b.link, b.tier, 100.0 * b.utilization))
            .unwrap_or_default();
        s += &format!(
            " {:>4} {:>14} {:>19} {:>6} {:>7} {:>7} {:>13.0} {:>11.2} {:>11.3}  {}\n",
            k.kind.name(),
            match k.direction {
                Some("forward") => format!("{} fwd", k.collective),
                Some(_) => format!("{} bwd", k.collective),
                None => k.collective.to_string(),
            },
            format!("{}/{}", k.algorithm.name(), k.protocol.name()),
            k.group_size,
            k.groups,
            k.count,
            k.bytes,
            k.call_time_s * 1e6,
            k.time_s * 1e3,
            b
        );
    }
    let it = &r.iteration;
    s += &format!(
        "# iteration {:.3} ms: compute {:.3} ms, bubble {:.3} ms, communication {:.3} ms of which exposed {:.3} ms; {:.0} tokens/s{}\n",
        it.total_time_s * 1e3,
        it.compute_time_s * 1e3,
        it.bubble_s * 1e3,
        it.comm_time_s * 1e3,
        it.exposed_comm_time_s * 1e3,
        it.tokens_per_s,
        it.mfu
            .map(|m| format!(", MFU {:.1}%", 100.0 * m))
            .unwrap_or_default()
    );
    s
}

/// The energy of a `compare` row: of the iteration, or of the call.
#[derive(Serialize)]
#[serde(untagged)]
enum RowEnergy {
    Job(JobEnergy),
    Collective(CollectiveEnergy),
}

impl RowEnergy {
    /// Joules of the iteration or call.
    fn joules(&self) -> f64 {
        match self {
            RowEnergy::Job(e) => e.joules_per_iteration,
            RowEnergy::Collective(e) => e.joules_per_call,
        }
    }
}

/// One row of `compare`.
#[derive(Serialize)]
struct Row {
    topology: String,
    /// The file's name without `.toml`: plot labels.
    #[serde(skip)]
    stem: String,
    file: String,
    /// Iteration or collective time \[s\].
    time_s: f64,
    /// `time / first topology's time − 1`.
    delta: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<JobReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collective: Option<Outcome>,
    /// Energy of the iteration or of the call (docs/energy.md).
    energy: RowEnergy,
    /// busbw curve for `--plots` (smaller sizes, then `collective`).
    #[serde(skip)]
    curve: Vec<Outcome>,
    /// What failed on this topology and what it did to the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    failures: Option<Failures>,
    /// With failures, the same run on the intact fabric for the
    /// before/after plots: the iteration, or the busbw curve at `curve`'s
    /// sizes.
    #[serde(skip)]
    intact_job: Option<JobReport>,
    #[serde(skip)]
    intact_curve: Vec<Outcome>,
    /// What limits this system and what it assumes (`--report`).
    #[serde(skip)]
    notes: crate::review::Notes,
}

pub(crate) fn compare(a: &CompareArgs, limits: &Limits) -> Result<String, String> {
    let sets = a.set.parse(a.job.is_some())?;
    let job = a
        .job
        .as_deref()
        .map(|p| super::set::load_job(p, limits, &sets))
        .transpose()?;
    // One comparison per size of `--size` (a job: one).
    let ops: Vec<Option<(Op, f64)>> = match (&a.op, &a.size) {
        (Some(op), Some(size)) => {
            let op: Op = op.parse().map_err(|e| format!("--op: {e}"))?;
            super::collective::parse_sizes(size, limits)?
                .into_iter()
                .map(|s| Some((op, s)))
                .collect()
        }
        _ => vec![None],
    };
    let last = ops.len() - 1;
    // One row of `path` (loaded as `topo`, and `intact` without its
    // failures) for `op`; `curve`: the smaller sizes for the plots too.
    let row_of = |path: &PathBuf,
                  topo: &Topology,
                  intact: Option<&Topology>,
                  op: Option<(Op, f64)>,
                  curve_wanted: bool|
     -> Result<Row, String> {
        let mut curve = Vec::new();
        let (time_s, job_report, coll, energy) = match (&job, op) {
            (Some(job), _) => {
                let job_path = a.job.as_deref().unwrap_or(Path::new("job"));
                let edited = sets
                    .iter()
                    .any(|s| s.target == fabricsim_sweep::set::SetTarget::Job);
                let r = simulate(
                    topo,
                    job,
                    job_path,
                    edited,
                    a.allow_oversubscribed_memory,
                    &a.budget,
                )?;
                let e = RowEnergy::Job(job_energy(topo, job, &r));
                (r.iteration.total_time_s, Some(r), None, e)
            }
            (None, Some((op, size))) => {
                let mut sim = CollectiveSim::new(topo, a.budget.params());
                let req = Request::new(op, size);
                let (o, report) =
                    run_with_report(&mut sim, &topo.accelerators, &req).map_err(|e| {
                        format!("{}: error: {}", path.display(), super::budget::explain(&e))
                    })?;
                let e = RowEnergy::Collective(collective_energy(
                    topo,
                    &topo.accelerators,
                    o.time_s,
                    &report.link_bytes,
                ));
                if curve_wanted && (a.plots.is_some() || a.report.is_some()) {
                    for size in curve_sizes(size) {
                        let r = Request {
                            size,
                            ..req.clone()
                        };
                        curve.push(
                            run(&mut sim, &topo.accelerators, &r)
                                .map_err(|e| format!("{}: error: {e}", path.display()))?,
                        );
                    }
                    curve.push(o.clone());
                }
                (o.time_s, None, Some(o), e)
            }
            (None, None) => unreachable!("clap requires --job or --op"),
        };
        // With failures: the same run on the intact fabric, beside.
        let (mut intact_job, mut intact_curve) = (None, Vec::new());
        let failures = if let Some(intact) = intact {
            let t = match (&job, op) {
                (Some(job), _) => {
                    let job_path = a.job.as_deref().unwrap_or(Path::new("job"));
                    let r = simulate(
                        intact,
                        job,
                        job_path,
                        false,
                        a.allow_oversubscribed_memory,
                        &a.budget,
                    )?;
                    let t = r.iteration.total_time_s;
                    intact_job = Some(r);
                    t
                }
                (None, Some((op, size))) => {
                    let mut sim = CollectiveSim::new(intact, a.budget.params());
                    let mut at = |size: f64| {
                        run(&mut sim, &intact.accelerators, &Request::new(op, size)).map_err(|e| {
                            format!(
                                "{} (intact, without the failures): error: {}",
                                path.display(),
                                super::budget::explain(&e)
                            )
                        })
                    };
                    // The curve's smaller sizes too, when it is drawn.
                    if !curve.is_empty() {
                        for size in curve_sizes(size) {
                            intact_curve.push(at(size)?);
                        }
                    }
                    let o = at(size)?;
                    let t = o.time_s;
                    if !curve.is_empty() {
                        intact_curve.push(o);
                    }
                    t
                }
                (None, None) => unreachable!("clap requires --job or --op"),
            };
            let ranks = match &job {
                Some(job) => place(topo, job)
                    .map(|p| p.ranks)
                    .unwrap_or_else(|_| topo.accelerators.clone()),
                None => topo.accelerators.clone(),
            };
            Failures::new(intact, topo, &ranks, &[time_s], vec![t], a.budget.collnet)
        } else {
            None
        };
        let notes = crate::review::Notes {
            limits: match (&job_report, &coll) {
                (Some(r), _) => crate::review::job_limits(r, failures.as_ref()),
                (None, Some(o)) => crate::review::collective_limits(o, failures.as_ref()),
                (None, None) => Vec::new(),
            },
            assumptions: job_report
                .as_ref()
                .map(crate::review::job_assumptions)
                .unwrap_or_default()
                .into_iter()
                .chain(coll.as_ref().and_then(crate::review::collective_choice))
                .chain(crate::review::assumptions(topo))
                .collect(),
        };
        Ok(Row {
            notes,
            topology: topo.name.clone(),
            stem: super::plots::file_stem(path),
            file: path.display().to_string(),
            time_s,
            delta: 0.0,
            job: job_report,
            collective: coll,
            energy,
            curve,
            failures,
            intact_job,
            intact_curve,
        })
    };
    // Every topology in parallel, loaded once for every size; results in
    // the order given.
    let per_topology: Vec<Result<Vec<Row>, String>> = a
        .topologies
        .par_iter()
        .map(|path| {
            let topo = super::set::load_topology(path, &a.failures.fail, limits, &sets)?;
            let intact = if topo.failures.is_empty() {
                None
            } else {
                Some(super::set::load_intact_topology(path, limits, &sets)?)
            };
            ops.iter()
                .enumerate()
                .map(|(i, &op)| row_of(path, &topo, intact.as_ref(), op, i == last))
                .collect()
        })
        .collect();
    let per_topology: Vec<Vec<Row>> = per_topology.into_iter().collect::<Result<_, _>>()?;
    // Size-major: the rows of each size, deltas against its first topology.
    let mut by_size: Vec<Vec<Row>> = (0..ops.len()).map(|_| Vec::new()).collect();
    for rows in per_topology {
        for (k, row) in rows.into_iter().enumerate() {
            by_size[k].push(row);
        }
    }
    for rows in &mut by_size {
        let base = rows[0].time_s;
        for r in rows.iter_mut() {
            r.delta = r.time_s / base - 1.0;
        }
    }
    let op = ops[last];
    let rows = &by_size[last];
    if a.plots.is_some() || a.report.is_some() {
        let batch = compare_plots(
            rows,
            op.map(|o| o.0),
            a.job.as_deref().map(super::plots::file_stem),
        )?;
        if let Some(file) = &a.report {
            let inputs: Vec<&Path> = a
                .topologies
                .iter()
                .map(PathBuf::as_path)
                .chain(a.job.as_deref())
                .collect();
            let table = compare_table(rows);
            let what = match (&job, op) {
                (Some(j), _) => format!("One training iteration of {}", j.name),
                (None, Some((op, size))) => format!(
                    "{} of {} ({size} bytes) on all accelerators",
                    op.name(),
                    fabricsim_plot::fmt_bytes(size)
                ),
                (None, None) => String::new(),
            };
            let page = super::report::Page {
                what,
                columns: if job.is_some() {
                    &JOB_COLUMNS
                } else {
                    &COLLECTIVE_COLUMNS
                },
                systems: rows.iter().map(review_system).collect(),
                table: &table,
                plots: &batch,
                inputs: &inputs,
            };
            super::report::write(file, &page, limits)?;
        }
        if let Some(dir) = &a.plots {
            batch.write(dir)?;
        }
    }
    if a.json {
        // Every row, size-major; each collective row names its size.
        let all: Vec<&Row> = by_size.iter().flatten().collect();
        let mut s = serde_json::to_string_pretty(&all).expect("rows serialize");
        s.push('\n');
        return Ok(s);
    }
    if by_size.len() == 1 {
        return Ok(compare_table(rows));
    }
    Ok(ops
        .iter()
        .zip(&by_size)
        .map(|(op, rows)| {
            let size = op.map_or(0.0, |o| o.1);
            format!(
                "## size {} ({size} bytes)\n{}",
                fabricsim_plot::fmt_bytes(size),
                compare_table(rows)
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The report's columns for a job comparison.
const JOB_COLUMNS: [&str; 11] = [
    "iteration (ms)",
    "delta",
    "tokens/s",
    "exposed comm (ms)",
    "bubble (ms)",
    "MFU",
    "peak (TFLOP/s)",
    "efficiency",
    "energy (MJ)",
    "avg power (kW)",
    "tokens/J",
];

/// The report's columns for a collective comparison.
const COLLECTIVE_COLUMNS: [&str; 8] = [
    "time (us)",
    "delta",
    "algorithm",
    "busbw (GB/s)",
    "bound (us)",
    "eff",
    "bound by",
    "energy (J)",
];

/// A row as the report shows it.
fn review_system(r: &Row) -> super::report::System {
    let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or_else(|| "-".to_string(), f);
    let cells = match (&r.job, &r.collective) {
        (Some(j), _) => {
            let it = &j.iteration;
            vec![
                format!("{:.1}", it.total_time_s * 1e3),
                format!("{:+.1}%", 100.0 * r.delta),
                format!("{:.0}", it.tokens_per_s),
                format!("{:.1}", it.exposed_comm_time_s * 1e3),
                format!("{:.1}", it.bubble_s * 1e3),
                opt(it.mfu, &|m| format!("{:.1}%", 100.0 * m)),
                opt(j.compute.peak_tflops, &|p| format!("{p:.0}")),
                opt(j.compute.efficiency, &|e| format!("{e:.3}")),
            ]
            .into_iter()
            .chain(match &r.energy {
                RowEnergy::Job(e) => vec![
                    format!("{:.3}", e.joules_per_iteration / 1e6),
                    format!("{:.1}", e.average_power_w / 1e3),
                    format!("{:.3}", e.tokens_per_joule),
                ],
                RowEnergy::Collective(_) => Vec::new(),
            })
            .collect()
        }
        (None, Some(o)) => vec![
            format!("{:.2}", o.time_s * 1e6),
            format!("{:+.1}%", 100.0 * r.delta),
            format!("{}/{}", o.algorithm.name(), o.protocol.name()),
            format!("{:.2}", o.busbw_gbps),
            format!("{:.2}", o.bound_s * 1e6),
            format!("{:.1}%", 100.0 * o.efficiency_vs_bound),
            o.bound_by.name().to_string(),
            format!("{:.3}", r.energy.joules()),
        ],
        (None, None) => Vec::new(),
    };
    super::report::System {
        name: r.topology.clone(),
        file: r.file.clone(),
        cells,
        notes: r.notes.clone(),
        failures: r
            .failures
            .as_ref()
            .map(|f| f.lines(if r.job.is_some() { "ms" } else { "us" })),
    }
}

/// Series names: the topology file's stem, or its path when two rows share it.
fn row_names(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            if rows.iter().filter(|o| o.stem == r.stem).count() > 1 {
                r.file.clone()
            } else {
                r.stem.clone()
            }
        })
        .collect()
}

fn compare_plots(
    rows: &[Row],
    op: Option<Op>,
    job_stem: Option<String>,
) -> Result<super::plots::Batch, String> {
    let names = row_names(rows);
    // Plot titles say when any system ran with failures.
    let failed = if rows.iter().any(|r| r.failures.is_some()) {
        let specs: Vec<String> = rows
            .iter()
            .filter_map(|r| r.failures.as_ref())
            .flat_map(|f| f.failed.entries.iter().map(|e| e.spec.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        format!(" (failed: {})", specs.join(", "))
    } else {
        String::new()
    };
    let mut b = super::plots::Batch::new();
    if let Some(j) = &rows[0].job {
        let bars = rows
            .iter()
            .zip(&names)
            .flat_map(|(r, n)| {
                r.job
                    .as_ref()
                    .map(|j| {
                        // Before and after: the intact run's bar first.
                        let mut bars = Vec::with_capacity(2);
                        if let Some(base) = &r.intact_job {
                            let mut s = from::job_stack(base);
                            s.name = format!("{n} (intact)");
                            bars.push(s);
                        }
                        let mut s = from::job_stack(j);
                        s.name = n.clone();
                        bars.push(s);
                        bars
                    })
                    .unwrap_or_default()
            })
            .collect();
        b.add(
            &["compare", job_stem.as_deref().unwrap_or("job"), "breakdown"],
            &Breakdown {
                title: format!("Iteration of {} per topology{failed}", j.job),
                bars,
            },
        )?;
        b.add(
            &["compare", job_stem.as_deref().unwrap_or("job"), "energy"],
            &EnergyBreakdown {
                title: format!("Energy of one iteration of {} per topology{failed}", j.job),
                per: "iteration".into(),
                bars: rows
                    .iter()
                    .zip(&names)
                    .filter_map(|(r, n)| match &r.energy {
                        RowEnergy::Job(e) => Some(from::energy_stack(n, &e.by_part)),
                        RowEnergy::Collective(_) => None,
                    })
                    .collect(),
            },
        )?;
    } else if let Some(op) = op {
        let series = rows
            .iter()
            .zip(&names)
            .enumerate()
            .flat_map(|(i, (r, n))| {
                let mut v = from::busbw_series(n, &r.curve, i).to_vec();
                // Before and after: the intact fabric's curve, in the
                // palette's next free colour.
                if !r.intact_curve.is_empty() {
                    v.push(
                        from::busbw_series(
                            &format!("{n} (intact)"),
                            &r.intact_curve,
                            rows.len() + i,
                        )[0]
                        .clone(),
                    );
                }
                v
            })
            .collect();
        b.add(
            &["compare", op.name(), "busbw"],
            &Busbw {
                title: format!("{} busbw per topology, all accelerators{failed}", op.name()),
                series,
            },
        )?;
    }
    Ok(b)
}

fn compare_table(rows: &[Row]) -> String {
    let job = rows[0].job.is_some();
    let mut s = if job {
        format!(
            "# {} per iteration (delta vs the first topology; peak = dense TFLOP/s per accelerator, eff = fraction of it achieved)\n#{:>13} {:>8} {:>14} {:>12} {:>12} {:>8} {:>8} {:>5}  {}\n",
            rows[0].job.as_ref().map_or("", |j| j.job.as_str()),
            "time(ms)",
            "delta",
            "tokens/s",
            "exposed(ms)",
            "bubble(ms)",
            "MFU",
            "peak",
            "eff",
            "topology"
        )
    } else {
        format!(
            "# collective time (delta vs the first topology; GB/s = 1e9 bytes/s)\n#{:>13} {:>8} {:>17} {:>9}  {}\n",
            "time(us)", "delta", "algorithm", "busbw", "topology"
        )
    };
    for r in rows {
        if let Some(j) = &r.job {
            let it = &j.iteration;
            let c = &j.compute;
            s += &format!(
                " {:>13.3} {:>+7.1}% {:>14.0} {:>12.3} {:>12.3} {:>8} {:>8} {:>5}  {} ({})\n",
                it.total_time_s * 1e3,
                100.0 * r.delta,
                it.tokens_per_s,
                it.exposed_comm_time_s * 1e3,
                it.bubble_s * 1e3,
                it.mfu
                    .map(|m| format!("{:.1}%", 100.0 * m))
                    .unwrap_or_else(|| "-".into()),
                c.peak_tflops
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_else(|| "-".into()),
                c.efficiency
                    .map(|e| format!("{e:.3}"))
                    .unwrap_or_else(|| "-".into()),
                r.topology,
                r.file
            );
        } else if let Some(o) = &r.collective {
            s += &format!(
                " {:>13.2} {:>+7.1}% {:>17} {:>9.2}  {} ({})\n",
                o.time_s * 1e6,
                100.0 * r.delta,
                format!("{}/{}", o.algorithm.name(), o.protocol.name()),
                o.busbw_gbps,
                r.topology,
                r.file
            );
        }
    }
    for r in rows {
        if let Some(f) = &r.failures {
            s += &format!("# on {} ({}):\n", r.topology, r.file);
            s += &f.lines(if job { "ms" } else { "us" });
        }
    }
    s += &compare_energy(rows);
    if let Some(j) = rows.first().and_then(|r| r.job.as_ref())
        && j.compute.peak_from != "accelerator"
    {
        s += "# compute is the same on every system: the job file sets it (tflops_per_accelerator or layer_time), so this compares fabrics, not systems; give [compute] efficiency to take each topology's accelerator peak\n";
    }
    s
}

/// The energy block of `compare`: joules, power and tokens per joule per
/// topology, with deltas against the first (docs/energy.md).
fn compare_energy(rows: &[Row]) -> String {
    let base_j = rows[0].energy.joules();
    let mut s = String::new();
    match &rows[0].energy {
        RowEnergy::Job(b) => {
            s += &format!(
                "# energy per iteration (delta vs the first topology; IT power unless [power] pue is set; kW/domain = the busiest scale-up domain, IT)\n#{:>13} {:>8} {:>12} {:>12} {:>10} {:>8} {:>10} {:>12}  {}\n",
                "energy(MJ)",
                "delta",
                "avg(kW)",
                "peak(kW)",
                "tokens/J",
                "delta",
                "kW/domain",
                "W/acc all-in",
                "topology"
            );
            for r in rows {
                if let RowEnergy::Job(e) = &r.energy {
                    s += &format!(
                        " {:>13.3} {:>+7.1}% {:>12.1} {:>12.1} {:>10.4} {:>+7.1}% {:>10.1} {:>12.0}  {}\n",
                        e.joules_per_iteration / 1e6,
                        100.0 * (e.joules_per_iteration / base_j - 1.0),
                        e.average_power_w / 1e3,
                        e.peak_power_w / 1e3,
                        e.tokens_per_joule,
                        100.0 * (e.tokens_per_joule / b.tokens_per_joule - 1.0),
                        e.per_domain.peak_kw,
                        e.all_in_w_per_accelerator,
                        r.topology
                    );
                }
            }
        }
        RowEnergy::Collective(_) => {
            s += &format!(
                "# energy per call, whole system (delta vs the first topology)\n#{:>13} {:>8} {:>12}  {}\n",
                "energy(J)", "delta", "avg(kW)", "topology"
            );
            for r in rows {
                if let RowEnergy::Collective(e) = &r.energy {
                    s += &format!(
                        " {:>13.4e} {:>+7.1}% {:>12.1}  {}\n",
                        e.joules_per_call,
                        100.0 * (e.joules_per_call / base_j - 1.0),
                        e.average_power_w / 1e3,
                        r.topology
                    );
                }
            }
        }
    }
    s
}

/// The memory per accelerator by term, and the headroom.
fn memory_line(m: &memory::MemoryReport, part: Option<&str>) -> String {
    let t = &m.terms;
    let terms = format!(
        "# memory per accelerator (GB = 1e9 bytes): weights {} + gradients {} + optimizer states {} + activations {} ({} layers × {:.2} micro-batches in flight, recompute {}) = {} GB",
        gb(t.weights_bytes),
        gb(t.gradients_bytes),
        gb(t.optimizer_bytes),
        gb(t.activations_bytes),
        m.layers_per_stage,
        m.micro_batches_in_flight,
        m.recompute,
        gb(m.total_bytes)
    );
    match (m.capacity_bytes, m.headroom_bytes) {
        (Some(c), Some(h)) if h >= 0.0 => format!(
            "{terms} of {} GB HBM ({}): headroom {} GB\n",
            gb(c),
            part.unwrap_or("?"),
            gb(h)
        ),
        (Some(c), Some(h)) => format!(
            "{terms} of {} GB HBM ({}): OVERSUBSCRIBED by {} GB (run with --allow-oversubscribed-memory)\n",
            gb(c),
            part.unwrap_or("?"),
            gb(-h)
        ),
        _ => {
            format!("{terms}; not checked: the topology names no accelerator, so no HBM capacity\n")
        }
    }
}

/// One line saying how the compute time was obtained.
fn compute_line(c: &fabricsim_workload::iteration::ComputeUsed) -> String {
    let part = c.accelerator.unwrap_or("no accelerator named");
    match (c.peak_from, c.peak_tflops, c.efficiency) {
        ("accelerator", Some(p), Some(e)) => format!(
            "# compute: {part} peak {p:.1} TFLOP/s dense {} (from the topology) × efficiency {e}\n",
            c.dtype.unwrap_or("bf16")
        ),
        ("job", Some(p), Some(e)) => format!(
            "# compute: peak {p:.1} TFLOP/s × mfu {e} from the job file (an override; the topology's accelerator: {part})\n"
        ),
        _ => "# compute: a per-layer time from the job file\n".to_string(),
    }
}

/// The line that says how the collectives' algorithms and protocols were
/// chosen: by RCCL's cost model (on AMD Instinct GPUs it covers), else by
/// NCCL's, else, where neither library's model covers any communicator,
/// as the fastest simulated; all-to-all (`point-to-point`) is so in every
/// case.
fn choice_line(r: &JobReport) -> String {
    let chose = |s: Selection| r.by_kind.iter().any(|k| k.selection == s);
    let p2p = if chose(Selection::PointToPoint) {
        "; all-to-all point-to-point, as both libraries run it"
    } else {
        ""
    };
    if let Some(rccl) = r.rccl_release {
        format!(
            "# algorithm/protocol: RCCL {rccl}'s choice where its cost model covers the collective, else the fastest simulated (docs/collectives.md){p2p}\n"
        )
    } else if chose(Selection::NcclModel) || !chose(Selection::FastestSimulated) {
        format!(
            "# algorithm/protocol: NCCL {}'s choice where its cost model covers the collective, else the fastest simulated (--nccl; docs/collectives.md){p2p}\n",
            r.nccl_release
        )
    } else {
        format!(
            "# algorithm/protocol: the fastest simulated: neither NCCL's nor RCCL's cost model covers these communicators (docs/collectives.md){p2p}\n"
        )
    }
}
