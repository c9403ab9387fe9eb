//! `--set KEY=VALUE` on `job`, `compare`, `collective` and `validate`: edits of the
//! topology and job text before they are read ([`fabricsim_sweep::set`]).

use fabricsim_base::diag::Diagnostics;
use fabricsim_base::limits::Limits;
use fabricsim_sweep::set::{Set, SetTarget, apply_sets, parse_set};
use fabricsim_topology::{FailureSpec, Topology};
use fabricsim_workload::Job;
use std::path::Path;

#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct SetArgs {
    /// Change a topology or job key before running, with a sweep axis's key
    /// path: `--set parallelism.dp=256`, `--set 'scale_out.nic_bandwidth=800 Gb/s'`
    /// (repeatable; the files on disk are not changed).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
}

impl SetArgs {
    /// The parsed edits; `has_job` when the command reads a job file.
    pub(crate) fn parse(&self, has_job: bool) -> Result<Vec<Set>, String> {
        self.set
            .iter()
            .map(|a| parse_set(a, has_job).map_err(|e| e.to_string()))
            .collect()
    }
}

/// Diagnostics of an edited file: positions refer to the edited text, so
/// they are left out and the edits are named instead.
fn edited_error(d: &Diagnostics, sets: &[&Set]) -> String {
    let args: Vec<String> = sets.iter().map(|s| format!("--set {}", s.arg)).collect();
    d.items
        .iter()
        .map(|x| {
            let help = x
                .help
                .as_ref()
                .map(|h| format!("\n  help: {h}"))
                .unwrap_or_default();
            format!(
                "{} (after {}): error: {}{help}",
                x.path,
                args.join(", "),
                x.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of `path` with the edits of `target` applied (`None`: none).
fn edited<'s>(
    path: &Path,
    limits: &Limits,
    target: SetTarget,
    sets: &'s [Set],
) -> Result<Option<(String, Vec<&'s Set>)>, String> {
    if !sets.iter().any(|s| s.target == target) {
        return Ok(None);
    }
    let text = super::read_input(path, limits)?;
    let shown = path.display().to_string();
    let out = apply_sets(&text, &shown, target, sets)
        .map_err(|e| e.to_string())?
        .expect("an edit applies");
    Ok(Some((
        out,
        sets.iter().filter(|s| s.target == target).collect(),
    )))
}

/// Loads a topology with `--fail` and the topology edits of `sets`.
pub(crate) fn load_topology(
    path: &Path,
    fail: &[FailureSpec],
    limits: &Limits,
    sets: &[Set],
) -> Result<Topology, String> {
    let t = load_with(path, super::load_options(fail, limits), limits, sets)?;
    super::output::warnings(&t.warnings)?;
    Ok(t)
}

/// The same topology without any failure (the file's `[[failures]]` and
/// `--fail` left out): the baseline of a run with failures.
pub(crate) fn load_intact_topology(
    path: &Path,
    limits: &Limits,
    sets: &[Set],
) -> Result<Topology, String> {
    load_with(
        path,
        super::load_options(&[], limits).intact(),
        limits,
        sets,
    )
}

fn load_with(
    path: &Path,
    opts: fabricsim_topology::LoadOptions,
    limits: &Limits,
    sets: &[Set],
) -> Result<Topology, String> {
    super::output::input(path);
    let t = match edited(path, limits, SetTarget::Topology, sets)? {
        None => Topology::load(path, &opts).map_err(|d| d.render()),
        Some((text, mine)) => Topology::parse(&text, &path.display().to_string(), &opts)
            .map_err(|d| edited_error(&d, &mine)),
    }?;
    super::output::topology_inputs(&t);
    Ok(t)
}

/// Loads a job with the job edits of `sets`.
pub(crate) fn load_job(path: &Path, limits: &Limits, sets: &[Set]) -> Result<Job, String> {
    super::output::input(path);
    match edited(path, limits, SetTarget::Job, sets)? {
        None => Job::load(path, limits).map_err(|d| d.render()),
        Some((text, mine)) => Job::parse(&text, &path.display().to_string(), limits)
            .map_err(|d| edited_error(&d, &mine)),
    }
}
