//! Command-line parsing and dispatch. The only place that touches the
//! terminal, files and exit codes; everything else lives in the library.
//!
//! Exit codes (docs/cli.md): 0 success, 1 invalid input (message names the file and
//! the place) or a failed write, 2 usage error (clap's default for bad
//! arguments), 141 standard output closed by its reader.
//!
//! Nothing here prints with `println!`/`eprintln!` (they panic when the
//! stream fails): standard output and error go through `output`.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod budget;
mod calibrate;
mod collective;
mod energy;
mod failures;
mod job;
mod output;
mod plots;
mod report;
mod review;
mod set;
mod sweep;
mod validate;

use clap::{Parser, Subcommand};
use fabricsim_base::limits::Limits;
use fabricsim_base::units::Seconds;
use fabricsim_report::info::Info;
use fabricsim_routing::Router;
use fabricsim_scenario::{FlowsReport, Scenario};
use fabricsim_topology::RoutingMode;
use fabricsim_topology::{self as topology, FailureSpec, Topology};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "fabricsim",
    version,
    about = "Flow-level interconnect fabric simulator"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    limits: LimitArgs,
    /// Treat plausibility warnings (a value far from its preset, e.g. a NIC
    /// at 8x its kind's line rate) as errors: exit 1 before running.
    #[arg(long, global = true)]
    deny_warnings: bool,
}

/// Resource limits (see `fabricsim_base::limits`), accepted by every command.
#[derive(clap::Args, Debug, Clone)]
struct LimitArgs {
    /// Most nodes a topology (or a job's layout) may have.
    #[arg(long, global = true, value_name = "N", default_value_t = fabricsim_base::limits::MAX_NODES,
          value_parser = clap::value_parser!(u64).range(1..=fabricsim_base::limits::HARD_MAX_IDS))]
    max_nodes: u64,
    /// Most directed links a topology may have (a cable is two).
    #[arg(long, global = true, value_name = "N", default_value_t = fabricsim_base::limits::MAX_DIRECTED_LINKS,
          value_parser = clap::value_parser!(u64).range(1..=fabricsim_base::limits::HARD_MAX_IDS))]
    max_links: u64,
    /// Largest input file read, in bytes.
    #[arg(long, global = true, value_name = "BYTES",
          default_value_t = fabricsim_base::limits::DEFAULT_MAX_INPUT_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_input_bytes: u64,
    /// Most sizes a `--size` list or doubling range may produce.
    #[arg(long, global = true, value_name = "N",
          default_value_t = fabricsim_base::limits::DEFAULT_MAX_SIZES,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_sizes: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_nodes: self.max_nodes,
            max_directed_links: self.max_links,
            max_input_bytes: self.max_input_bytes,
            max_sizes: self.max_sizes,
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check topology, job and sweep files: every problem, with file:line:col
    /// and a hint (a file with a `[model]` or `[parallelism]` table is a job,
    /// one with an `[axes]` table a sweep).
    Validate {
        /// Topology files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print one JSON document (on stdout, also when files are invalid).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        failures: FailArgs,
        #[command(flatten)]
        set: set::SetArgs,
    },
    /// Summarise a topology: counts, injection and bisection bandwidth, diameter.
    #[command(
        after_help = "bisection = max flow between the two halves of the accelerators in \
rank order over every link at line rate (NVLink relays included); switch bisection = max flow \
between the two halves of the leaf switches over switch-to-switch links only (halves at 2:1 \
oversubscription)."
    )]
    Info {
        /// Topology file (TOML).
        topology: PathBuf,
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        failures: FailArgs,
        /// Stop with an error after this many seconds of wall-clock time
        /// in the diameter and bisection searches [default: no limit].
        #[arg(long, value_name = "SECONDS", value_parser = budget::seconds)]
        max_time: Option<f64>,
    },
    /// Show the equal-cost route between two nodes of a topology.
    Route {
        /// Topology file (TOML).
        topology: PathBuf,
        /// Source node name, e.g. `d0.gpu0`.
        src: String,
        /// Destination node name.
        dst: String,
        /// ECMP mode; defaults to the topology's `routing`.
        #[arg(long, value_enum)]
        mode: Option<Mode>,
        /// Flow id hashed by `--mode hash` to pick a path.
        #[arg(long, default_value_t = 0)]
        flow_id: u64,
        /// Seed of the ECMP hash.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        failures: FailArgs,
    },
    /// Time a collective on a topology, in nccl-tests' terms (docs/sources.md
    /// [S-nccl-tests-perf]).
    #[command(
        after_help = "Columns: size = nccl-tests size S [bytes]; count = float32 elements per call; \
time(us) = one call; algbw = S/time, busbw = algbw x bus factor (GB/s = 1e9 bytes/s); \
bound(us) = a lower bound no algorithm beats on this fabric (each rank's bytes over its \
injection/ejection capacity; across scale-up domains each domain's bytes over the links \
leaving it, only its own ranks' NICs); eff = bound/time; bound by = the busiest link \
(bytes over line rate x time), or `latency: N steps` when per-step latency is more than \
half the time (JSON bound_by, latency_s). README \"Reading the tables\", docs/semantics.md."
    )]
    Collective(collective::Args),
    /// One training iteration of a job on a topology: per-kind collectives,
    /// compute, bubble, exposed communication, tokens/s.
    Job(job::JobArgs),
    /// Run one job (or one collective) on several topologies in parallel and
    /// print one row each, with the delta against the first.
    Compare(job::CompareArgs),
    /// Fit per-step latency α and link efficiency to nccl-tests logs; print
    /// the fit, optionally write a preset override file.
    Calibrate(calibrate::Args),
    /// Run a grid of points (a base topology and job or collective, varied
    /// over axes) in parallel; write results.csv, results.json and plots.
    Sweep(sweep::Args),
    /// Simulate every published measurement of the validation corpus on the
    /// topology of its system; report the error per point, system and
    /// fit/held-out split, and the held-out targets.
    ValidateModel(validate::Args),
    /// Join the output folders of the shards (`sweep --shard I/N`) of one
    /// sweep into the results of the whole sweep.
    Merge(sweep::MergeArgs),
    /// Run the raw flow-level model on an explicit JSON scenario.
    Flows {
        /// Scenario file (see docs/cli.md); `-` reads standard input.
        scenario: PathBuf,
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        budget: budget::BudgetArgs,
    },
}

/// `--fail`, shared by every command that loads a topology.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct FailArgs {
    /// Fail part of the fabric before running, as a `[[failures]]` entry
    /// would (repeatable): `link:A,B` (every link between A and B, both
    /// directions, all lanes), `switch:PATTERN` (e.g. `switch:spine[0..2]`),
    /// `rail:N`, `plane:N`, `random:PERCENT%[:SEED[:TIERS]]` or
    /// `random:LANES[:SEED[:TIERS]]` (a seeded sample of the lanes of the
    /// switch-to-switch links, or of the links of tiers `TIER+TIER`; seed 0
    /// by default). Routing, bisection and collectives then use the degraded
    /// fabric; see docs/topology-format.md, "Failures".
    #[arg(long = "fail", value_name = "SPEC")]
    pub(crate) fail: Vec<FailureSpec>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Mode {
    Spray,
    Hash,
    Weighted,
}

/// An error that has already been rendered for the user, with its exit code.
struct Failure {
    message: String,
    code: u8,
    /// A document for standard output despite the failure (`validate --json`).
    stdout: Option<String>,
}

impl Failure {
    fn input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
            stdout: None,
        }
    }
}

pub fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // Help and version go to standard output, usage errors to
            // standard error; a failed write is exit 1, never a panic.
            // Usage errors quote what the user typed: they are written
            // plain, control characters escaped, as every other message.
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            if e.use_stderr() {
                let text = e.render().to_string();
                output::note(text.trim_end());
                return ExitCode::from(if output::stderr_failed() { 1 } else { code });
            }
            return match e.print() {
                Ok(()) => ExitCode::from(code),
                Err(_) if e.use_stderr() => ExitCode::from(1),
                Err(w) => ExitCode::from(output::stdout_failed(&w)),
            };
        }
    };
    let limits = &args.limits.limits();
    output::deny_warnings(args.deny_warnings);
    let result = match args.command {
        Command::Validate {
            files,
            json,
            failures,
            set,
        } => set
            .parse(true)
            .map_err(Failure::input)
            .and_then(|sets| validate(&files, json, &failures.fail, limits, &sets)),
        Command::Info {
            topology,
            json,
            failures,
            max_time,
        } => info(&topology, json, &failures.fail, max_time, limits),
        Command::Route {
            topology,
            src,
            dst,
            mode,
            flow_id,
            seed,
            json,
            failures,
        } => route(
            &topology,
            &src,
            &dst,
            (mode, flow_id, seed),
            json,
            &failures.fail,
            limits,
        ),
        Command::Flows {
            scenario,
            json,
            budget,
        } => flows(&scenario, json, &budget, limits),
        Command::Collective(args) => collective::command(&args, limits).map_err(Failure::input),
        Command::Job(args) => job::job(&args, limits).map_err(Failure::input),
        Command::Compare(args) => job::compare(&args, limits).map_err(Failure::input),
        Command::Calibrate(args) => calibrate::command(&args, limits).map_err(Failure::input),
        Command::Sweep(args) => sweep::command(&args, limits),
        Command::Merge(args) => sweep::merge(&args, limits),
        Command::ValidateModel(args) => validate::command(&args, limits).map_err(Failure::input),
    };
    output::flush_warnings();
    let (stdout, code) = match result {
        Ok(out) => (Some(out), 0),
        Err(f) => {
            let code = f.code;
            if let Some(doc) = &f.stdout
                && let Err(e) = output::out(doc)
            {
                return ExitCode::from(output::stdout_failed(&e));
            }
            output::note(f.message.trim_end());
            (None, code)
        }
    };
    if let Some(text) = stdout
        && let Err(e) = output::out(&text)
    {
        return ExitCode::from(output::stdout_failed(&e));
    }
    if code == 0 && output::stderr_failed() {
        // Progress or notes were lost: the run did not say what it did.
        return ExitCode::from(1);
    }
    ExitCode::from(code)
}

/// Reads an input file (`-`: standard input) as text within the input
/// size limit; the error names the file (and the place of a bad byte).
pub(crate) fn read_input(path: &Path, limits: &Limits) -> Result<String, String> {
    output::input(path);
    read_raw(path, limits).map_err(|e| {
        let shown = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        e.render(&shown)
    })
}

/// The command line alone reads standard input (`-`); every other input
/// goes through the library's limited file reader.
#[allow(clippy::disallowed_methods)] // the command line owns standard input
fn read_raw(path: &Path, limits: &Limits) -> Result<String, fabricsim_base::limits::ReadError> {
    use fabricsim_base::limits::{read_stream, read_text};
    if path.as_os_str() == "-" {
        read_stream(std::io::stdin().lock(), limits.max_input_bytes)
    } else {
        read_text(path, limits.max_input_bytes)
    }
}

fn flows(
    path: &Path,
    json: bool,
    budget: &budget::BudgetArgs,
    limits: &Limits,
) -> Result<String, Failure> {
    if budget.collnet || budget.nccl.is_some() {
        let flag = if budget.collnet {
            "--collnet"
        } else {
            "--nccl"
        };
        return Err(Failure::input(format!(
            "error: {flag} applies to collectives (collective, job, compare, sweep, \
             validate-model); a flows scenario gives every flow its route already\n\
             hint: drop {flag}"
        )));
    }
    let text = read_input(path, limits).map_err(Failure::input)?;
    let scenario = Scenario::parse(&text).map_err(|e| {
        let place = match e.location() {
            Some((line, col)) => format!("{}:{line}:{col}", path.display()),
            None => path.display().to_string(),
        };
        Failure::input(format!("{place}: error: {e}"))
    })?;
    let outcome = scenario.run_within(&mut budget.budget()).map_err(|b| {
        Failure::input(format!(
            "{}: error: {b}\n{}",
            path.display(),
            budget::raise(&b)
        ))
    })?;
    let report = FlowsReport::new(&scenario, &outcome);
    if json {
        let mut s = serde_json::to_string_pretty(&report).expect("report serializes");
        s.push('\n');
        return Ok(s);
    }
    let width = scenario
        .flow_ids
        .iter()
        .map(|s| s.len())
        .max()
        .unwrap_or(2)
        .max(4);
    let mut s = format!(
        "{:<width$}  {:>16}  {:>16}\n",
        "flow", "release (s)", "finish (s)"
    );
    for (i, id) in scenario.flow_ids.iter().enumerate() {
        s += &format!(
            "{:<width$}  {:>16.9e}  {:>16.9e}\n",
            id, outcome.release_s[i], outcome.finish_s[i]
        );
    }
    s += &format!(
        "{} flows, makespan {:.9e} s ({} event batches, {} route classes)\n",
        scenario.flows.len(),
        outcome.makespan_s(),
        outcome.stats.events,
        outcome.stats.route_classes
    );
    Ok(s)
}

/// Loads and validates a topology file and fails `fail` in it; diagnostics
/// become an input error.
fn load_topology(path: &Path, fail: &[FailureSpec], limits: &Limits) -> Result<Topology, Failure> {
    output::input(path);
    let t = Topology::load(path, &load_options(fail, limits))
        .map_err(|d| Failure::input(d.render()))?;
    output::topology_inputs(&t);
    output::warnings(&t.warnings).map_err(Failure::input)?;
    Ok(t)
}

/// How every command loads a topology: within the limit flags, with `--fail`.
pub(crate) fn load_options(fail: &[FailureSpec], limits: &Limits) -> topology::LoadOptions {
    topology::LoadOptions::default()
        .with_limits(*limits)
        .with_failures(fail.to_vec())
}

/// One file's verdict in `validate --json`.
#[derive(serde::Serialize)]
struct FileVerdict {
    path: String,
    /// `topology`, `job` or `sweep`.
    kind: &'static str,
    ok: bool,
    /// Points of a sweep's grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<usize>,
    accelerators: Option<usize>,
    switches: Option<usize>,
    links: Option<usize>,
    errors: Vec<fabricsim_topology::Diagnostic>,
    /// Plausibility warnings (valid values far from their presets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<fabricsim_topology::Diagnostic>,
}

impl FileVerdict {
    /// A valid file of `kind`, counts to be filled in.
    fn passed(path: String, kind: &'static str) -> FileVerdict {
        FileVerdict {
            path,
            kind,
            ok: true,
            points: None,
            accelerators: None,
            switches: None,
            links: None,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// An invalid file of `kind` and its problems.
    fn failed(
        path: String,
        kind: &'static str,
        errors: Vec<fabricsim_topology::Diagnostic>,
    ) -> FileVerdict {
        FileVerdict {
            ok: false,
            errors,
            ..FileVerdict::passed(path, kind)
        }
    }
}

/// Whether `text` has one of `keys` at the top level. Read with spans
/// (integers kept as text), so a file whose integers overflow is still
/// told apart, and its reader reports the integer.
fn has_top_key(text: &str, keys: &[&str]) -> bool {
    toml::de::DeTable::parse(text).is_ok_and(|t| keys.iter().any(|k| t.get_ref().contains_key(*k)))
}

/// Whether `text` is a job file (a top-level `[model]` or `[parallelism]`
/// table) rather than a topology.
fn is_job(text: &str) -> bool {
    has_top_key(text, &["model", "parallelism"])
}

/// Whether `text` is a sweep file (a top-level `[axes]` table).
fn is_sweep(text: &str) -> bool {
    has_top_key(text, &["axes"])
}

/// `text` with the `--set` edits of `target` applied, or the verdict of a
/// failed edit. Diagnostics of an edited text keep no position (it is not
/// the file on disk) and name the edits instead.
fn edit_for_validate(
    text: String,
    shown: &str,
    kind: &'static str,
    target: fabricsim_sweep::set::SetTarget,
    sets: &[fabricsim_sweep::set::Set],
) -> Result<(String, bool), Box<FileVerdict>> {
    match fabricsim_sweep::set::apply_sets(&text, shown, target, sets) {
        Ok(None) => Ok((text, false)),
        Ok(Some(t)) => Ok((t, true)),
        Err(e) => Err(Box::new(FileVerdict::failed(
            shown.to_string(),
            kind,
            topology::Diagnostics::without_position(shown, e.to_string()).items,
        ))),
    }
}

/// Diagnostics of an edited text, without positions, naming the edits.
fn unlocate(
    mut items: Vec<fabricsim_topology::Diagnostic>,
    target: fabricsim_sweep::set::SetTarget,
    sets: &[fabricsim_sweep::set::Set],
) -> Vec<fabricsim_topology::Diagnostic> {
    let args: Vec<String> = sets
        .iter()
        .filter(|s| s.target == target)
        .map(|s| format!("--set {}", s.arg))
        .collect();
    for d in &mut items {
        d.line = 0;
        d.col = 0;
        d.message = format!("(after {}) {}", args.join(", "), d.message);
    }
    items
}

fn validate(
    files: &[PathBuf],
    json: bool,
    fail: &[FailureSpec],
    limits: &Limits,
    sets: &[fabricsim_sweep::set::Set],
) -> Result<String, Failure> {
    use fabricsim_sweep::set::SetTarget;
    let verdicts: Vec<FileVerdict> = files
        .iter()
        .map(|path| {
            let shown = path.display().to_string();
            // Read once: the file may be a pipe (`<(...)`) or standard input.
            let text = match read_raw(path, limits) {
                Ok(t) => t,
                Err(e) => {
                    let errors = topology::Diagnostics::from_read(&shown, &e).items;
                    return FileVerdict::failed(shown, "topology", errors);
                }
            };
            if is_sweep(&text) {
                let dir = path.parent().unwrap_or(Path::new("."));
                return match fabricsim_sweep::Sweep::parse(&text, &shown, dir, limits) {
                    Ok(s) => FileVerdict {
                        points: Some(s.points()),
                        ..FileVerdict::passed(shown, "sweep")
                    },
                    Err(d) => FileVerdict::failed(shown, "sweep", d.items),
                };
            }
            if is_job(&text) {
                let (text, edited) =
                    match edit_for_validate(text, &shown, "job", SetTarget::Job, sets) {
                        Ok(x) => x,
                        Err(v) => return *v,
                    };
                return match fabricsim_workload::Job::parse(&text, &shown, limits) {
                    Ok(j) => FileVerdict {
                        accelerators: Some(j.parallelism.world() as usize),
                        ..FileVerdict::passed(shown, "job")
                    },
                    Err(d) if edited => {
                        FileVerdict::failed(shown, "job", unlocate(d.items, SetTarget::Job, sets))
                    }
                    Err(d) => FileVerdict::failed(shown, "job", d.items),
                };
            }
            let (text, edited) =
                match edit_for_validate(text, &shown, "topology", SetTarget::Topology, sets) {
                    Ok(x) => x,
                    Err(v) => return *v,
                };
            match Topology::parse(&text, &shown, &load_options(fail, limits)) {
                Ok(t) if output::warnings(&t.warnings).is_err() => {
                    // --deny-warnings: the warnings are this file's errors.
                    FileVerdict::failed(shown, "topology", output::as_errors(&t.warnings))
                }
                Ok(t) => FileVerdict {
                    warnings: t.warnings.clone(),
                    accelerators: Some(t.accelerators.len()),
                    switches: Some(
                        t.nodes
                            .iter()
                            .filter(|n| n.role == topology::NodeRole::Switch)
                            .count(),
                    ),
                    links: Some(t.links.len() / 2),
                    ..FileVerdict::passed(shown, "topology")
                },
                Err(d) if edited => FileVerdict::failed(
                    shown,
                    "topology",
                    unlocate(d.items, SetTarget::Topology, sets),
                ),
                Err(d) => FileVerdict::failed(shown, "topology", d.items),
            }
        })
        .collect();
    let all_ok = verdicts.iter().all(|v| v.ok);
    if json {
        let mut s = serde_json::to_string_pretty(&serde_json::json!({ "files": verdicts }))
            .expect("verdicts serialize");
        s.push('\n');
        // The document goes to stdout either way; the exit code says 1 on errors.
        return if all_ok {
            Ok(s)
        } else {
            Err(Failure {
                stdout: Some(s),
                ..Failure::input(format!(
                    "{} of {} files are invalid",
                    verdicts.iter().filter(|v| !v.ok).count(),
                    verdicts.len()
                ))
            })
        };
    }
    let mut out = String::new();
    for v in &verdicts {
        if v.ok && v.kind == "sweep" {
            out += &format!(
                "{}: ok (sweep of {} points)\n",
                v.path,
                v.points.unwrap_or(0)
            );
        } else if v.ok && v.kind == "job" {
            out += &format!(
                "{}: ok (job for {} accelerators)\n",
                v.path,
                v.accelerators.unwrap_or(0)
            );
        } else if v.ok {
            out += &format!(
                "{}: ok ({} accelerators, {} switches, {} links)\n",
                v.path,
                v.accelerators.unwrap_or(0),
                v.switches.unwrap_or(0),
                v.links.unwrap_or(0)
            );
        } else {
            for d in &v.errors {
                out += &format!("{d}\n");
            }
        }
    }
    if all_ok {
        Ok(out)
    } else {
        // Valid files are still confirmed, on stderr with the errors.
        Err(Failure::input(out))
    }
}

fn info(
    path: &Path,
    json: bool,
    fail: &[FailureSpec],
    max_time: Option<f64>,
    limits: &Limits,
) -> Result<String, Failure> {
    let t = load_topology(path, fail, limits)?;
    let deadline = max_time
        .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        .and_then(|d| std::time::Instant::now().checked_add(d));
    let stop = || deadline.is_some_and(|d| std::time::Instant::now() > d);
    let info = Info::until(&t, &stop).ok_or_else(|| {
        Failure::input(format!(
            "{}: error: the diameter and bisection searches did not finish within --max-time {} s\n  \
             help: raise the limit with --max-time SECONDS",
            path.display(),
            max_time.unwrap_or(0.0)
        ))
    })?;
    if json {
        let mut s = serde_json::to_string_pretty(&info).expect("info serializes");
        s.push('\n');
        Ok(s)
    } else {
        Ok(info.render_table())
    }
}

fn node(t: &Topology, path: &Path, name: &str) -> Result<topology::NodeId, Failure> {
    t.node_id(name).ok_or_else(|| {
        let hint =
            fabricsim_base::suggest::did_you_mean(name, t.nodes.iter().map(|n| n.name.as_str()))
                .map(|s| format!("; did you mean \"{s}\"?"))
                .unwrap_or_default();
        Failure::input(format!(
            "{}: error: no node named \"{name}\"{hint}",
            path.display()
        ))
    })
}

#[derive(serde::Serialize)]
struct RouteHop {
    link: String,
    kind: String,
    fraction: f64,
}

#[derive(serde::Serialize)]
struct RouteReport {
    src: String,
    dst: String,
    mode: RoutingMode,
    latency_s: f64,
    links: Vec<RouteHop>,
}

fn route(
    path: &Path,
    src: &str,
    dst: &str,
    (mode, flow_id, seed): (Option<Mode>, u64, u64),
    json: bool,
    fail: &[FailureSpec],
    limits: &Limits,
) -> Result<String, Failure> {
    let t = load_topology(path, fail, limits)?;
    let (s, d) = (node(&t, path, src)?, node(&t, path, dst)?);
    let mode = match mode {
        Some(Mode::Spray) => RoutingMode::Spray,
        Some(Mode::Hash) => RoutingMode::Hash,
        Some(Mode::Weighted) => RoutingMode::Weighted,
        None => t.routing,
    };
    let r = Router::new(&t, mode, seed)
        .route(s, d, flow_id)
        .map_err(|e| Failure::input(format!("{}: error: {e}", path.display())))?;
    let report = RouteReport {
        src: src.to_string(),
        dst: dst.to_string(),
        mode,
        latency_s: r.latency_s,
        links: r
            .links
            .iter()
            .map(|&(l, fraction)| RouteHop {
                link: t.link_label(l),
                kind: t.links[l.idx()].kind.clone(),
                fraction,
            })
            .collect(),
    };
    if json {
        let mut s = serde_json::to_string_pretty(&report).expect("route serializes");
        s.push('\n');
        return Ok(s);
    }
    let mut out = format!(
        "{src} → {dst}: {} links, latency {}, mode {mode:?}\n",
        report.links.len(),
        Seconds(r.latency_s)
    );
    for h in &report.links {
        out += &format!("  {:>8.4}  {}\n", h.fraction, h.link);
    }
    Ok(out)
}
