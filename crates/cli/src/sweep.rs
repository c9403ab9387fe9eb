//! `fabricsim sweep` (a grid of points in parallel, into results.csv,
//! results.json and plots) and `fabricsim merge` (shards into one result).
//!
//! Exit codes: 0 when every point ran (error rows included: they are
//! results), 1 on an invalid sweep file or refused output, 128 + the signal
//! when SIGINT (Ctrl-C, 130), SIGTERM (a scheduler's cancel or preemption,
//! 143) or SIGHUP (129) stopped the sweep: the finished rows are written,
//! `complete: false`. A second signal ends the process at once, with the
//! same code.

use super::Failure;
use super::plots::write_whole;
use fabricsim_base::limits::Limits;
use fabricsim_sweep::{self as sweep, Shard, Table};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Sweep file (TOML, see docs/sweep-format.md).
    file: PathBuf,
    /// Output folder (default: `sweep-NAME` in the current folder, NAME the
    /// sweep file's stem; a shard's default is `sweep-NAME/shard-I-of-N`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only the points p with p % N == I (a job array's task I of N);
    /// join the shards with `fabricsim merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Worker threads, 1 to 1024 (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Replace existing results files in the output folder.
    #[arg(long)]
    force: bool,
    /// Print results.json on stdout instead of the summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    budget: super::budget::BudgetArgs,
}

#[derive(clap::Args, Debug)]
pub(crate) struct MergeArgs {
    /// Output folders of the shards of one sweep (each holds results.json).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Folder for the merged results.csv, results.json and plots.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace existing results files in the output folder.
    #[arg(long)]
    force: bool,
    /// Print the merged results.json on stdout instead of the summary.
    #[arg(long)]
    json: bool,
}

/// Most worker threads of `--threads` (100,000 took minutes and gigabytes
/// of address space just to start).
const MAX_THREADS: usize = 1024;

/// The signals that stop a sweep, keeping its finished rows.
const STOP_SIGNALS: [(i32, &str); 3] = [
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGTERM, "SIGTERM"),
    (signal_hook::consts::SIGHUP, "SIGHUP"),
];

/// Installs the handlers of [`STOP_SIGNALS`]: the first signal sets `stop`
/// (workers then start no new point) and records its number in `which`; a
/// second one ends the process at once with 128 + its number.
fn on_stop_signals(stop: &Arc<AtomicBool>, which: &Arc<AtomicUsize>) -> Result<(), Failure> {
    use signal_hook::flag;
    for (sig, name) in STOP_SIGNALS {
        // Handlers run in the order registered: exit if already stopping,
        // else record the signal, then stop.
        flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(stop))
            .and_then(|_| flag::register_usize(sig, Arc::clone(which), sig as usize))
            .and_then(|_| flag::register(sig, Arc::clone(stop)))
            .map_err(|e| input(format!("error: cannot handle {name}: {e}")))?;
    }
    Ok(())
}

fn input(message: String) -> Failure {
    Failure::input(message)
}

/// Refuses to replace a non-empty results file unless `force`, an `--out`
/// that is not a folder, and results files that are not regular files or
/// are inputs of the run (`output::check_target`).
fn check_out(dir: &Path, force: bool) -> Result<(), Failure> {
    super::output::check_dir("--out", dir).map_err(input)?;
    for name in ["results.csv", "results.json"] {
        let p = dir.join(name);
        super::output::check_target("--out", &p).map_err(input)?;
        if !force && std::fs::metadata(&p).is_ok_and(|m| m.len() > 0) {
            return Err(input(format!(
                "error: {} exists; pass --force to replace it, or choose another --out",
                p.display()
            )));
        }
    }
    Ok(())
}

/// Writes results.csv, results.json and (for a whole sweep) the plots, each
/// file whole (a temporary file, then a rename). Returns the files written.
fn write_outputs(dir: &Path, t: &Table, plots: bool, quiet: bool) -> Result<Vec<PathBuf>, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| input(format!("error: cannot create {}: {e}", dir.display())))?;
    let mut written = Vec::new();
    for (name, text) in [("results.csv", t.to_csv()), ("results.json", t.to_json())] {
        write_whole(dir, name, text.as_bytes()).map_err(input)?;
        written.push(dir.join(name));
    }
    // Over failure seeds: mean, min and max per combination of the rest.
    if let Some(text) = sweep::plots::seed_summary_csv(t) {
        write_whole(dir, "seeds.csv", text.as_bytes()).map_err(input)?;
        written.push(dir.join("seeds.csv"));
    }
    if plots {
        let (charts, left_out) = sweep::plots::charts(t);
        for (stem, chart) in charts {
            let r = fabricsim_plot::render(&chart).map_err(|e| input(format!("error: {e}")))?;
            let stem = fabricsim_plot::sanitize(&stem);
            for (ext, bytes) in [("png", r.png.as_slice()), ("svg", r.svg.as_bytes())] {
                let name = format!("{stem}.{ext}");
                write_whole(dir, &name, bytes).map_err(input)?;
                written.push(dir.join(name));
            }
        }
        if left_out > 0 && !quiet {
            super::output::note(&format!(
                "note: {left_out} more charts (one per combination of the other axes) were not drawn; set [plot] x and lines"
            ));
        }
    }
    Ok(written)
}

/// Progress on stderr: a bar with ETA on a terminal, a plain line every
/// few seconds otherwise, nothing when quiet.
enum Progress {
    Quiet,
    Bar(indicatif::ProgressBar),
    Lines {
        total: usize,
        done: Mutex<(usize, Instant)>,
        start: Instant,
    },
}

/// Seconds between two plain progress lines.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
        if quiet {
            return Progress::Quiet;
        }
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "sweep [{bar:40}] {pos}/{len} points ({percent}%), {elapsed} elapsed, ETA {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            return Progress::Bar(bar);
        }
        let now = Instant::now();
        Progress::Lines {
            total,
            done: Mutex::new((0, now)),
            start: now,
        }
    }

    fn tick(&self) {
        match self {
            Progress::Quiet => {}
            Progress::Bar(b) => b.inc(1),
            Progress::Lines { total, done, start } => {
                let Ok(mut d) = done.lock() else { return };
                d.0 += 1;
                if d.1.elapsed() >= LINE_EVERY {
                    d.1 = Instant::now();
                    super::output::note(&format!(
                        "sweep: {}/{total} points ({:.0}%), {:.1} s elapsed",
                        d.0,
                        100.0 * d.0 as f64 / (*total).max(1) as f64,
                        start.elapsed().as_secs_f64()
                    ));
                }
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish_and_clear();
        }
    }
}

pub(crate) fn command(a: &Args, limits: &Limits) -> Result<String, Failure> {
    super::output::input(&a.file);
    let sw = sweep::Sweep::load(&a.file, limits).map_err(|d| input(d.render()))?;
    for f in sw.topologies.iter().chain(&sw.jobs).chain(&sw.calibrations) {
        super::output::input(Path::new(&f.shown));
    }
    let params = a.budget.params();
    let stem = super::plots::file_stem(&a.file);
    let out = a.out.clone().unwrap_or_else(|| {
        let base = PathBuf::from(format!("sweep-{stem}"));
        match a.shard {
            Some(s) => base.join(format!("shard-{}-of-{}", s.index, s.count)),
            None => base,
        }
    });
    check_out(&out, a.force)?;
    let pool = match a.threads {
        Some(0) => return Err(input("error: --threads must be at least 1".into())),
        Some(n) if n > MAX_THREADS => {
            return Err(input(format!(
                "error: --threads {n}: at most {MAX_THREADS}\n  \
                 help: a sweep runs one point per thread; more threads than cores only add memory"
            )));
        }
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| input(format!("error: cannot start {n} threads: {e}")))?,
        ),
        None => None,
    };
    let total = sw.points();
    if let Some(s) = a.shard
        && s.count > total
    {
        return Err(input(format!(
            "error: --shard {}/{}: a sweep of {total} point(s) has at most {total} shard(s)\n  \
             help: use N ≤ {total}; every shard must hold at least one point",
            s.index, s.count
        )));
    }
    let mine = a
        .shard
        .map_or(total, |s| total.saturating_sub(s.index).div_ceil(s.count));
    // Installed once nothing but the run is left: a signal before this ends
    // the process as usual.
    let stop = Arc::new(AtomicBool::new(false));
    let which = Arc::new(AtomicUsize::new(0));
    on_stop_signals(&stop, &which)?;
    let threads = pool
        .as_ref()
        .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    if !a.quiet {
        let shard = a.shard.map_or(String::new(), |s| {
            format!(" (shard {}/{}: {mine})", s.index, s.count)
        });
        super::output::note(&format!(
            "sweep \"{}\": {total} points{shard} on {threads} thread(s), into {}",
            sw.name,
            out.display()
        ));
    }
    let progress = Progress::new(mine, a.quiet);
    let start = Instant::now();
    let tick = || progress.tick();
    let table = match &pool {
        Some(p) => p.install(|| sweep::run(&sw, &params, a.shard, &stop, &tick)),
        None => sweep::run(&sw, &params, a.shard, &stop, &tick),
    };
    progress.finish();
    let secs = start.elapsed().as_secs_f64();
    let written = write_outputs(&out, &table, a.shard.is_none(), a.quiet)?;
    let h = &table.header;
    let summary = format!(
        "sweep \"{}\": {} of {} points in {secs:.1} s ({:.1} points/s, {threads} thread(s)), {} with an error; wrote {}\n",
        h.sweep,
        table.rows.len(),
        mine,
        table.rows.len() as f64 / secs.max(1e-9),
        h.errors,
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !h.complete {
        let sig = match which.load(Ordering::SeqCst) {
            0 => signal_hook::consts::SIGINT as usize,
            s => s,
        };
        let name = STOP_SIGNALS
            .iter()
            .find(|(s, _)| *s as usize == sig)
            .map_or("a signal", |(_, n)| n);
        return Err(Failure {
            message: format!(
                "interrupted: {name} stopped the {summary}(results.json has \"complete\": false)"
            ),
            code: u8::try_from(128 + sig).unwrap_or(130),
            stdout: None,
        });
    }
    Ok(if a.json { table.to_json() } else { summary })
}

pub(crate) fn merge(a: &MergeArgs, limits: &Limits) -> Result<String, Failure> {
    let mut tables = Vec::new();
    for d in &a.dirs {
        let p = d.join("results.json");
        let text = super::read_input(&p, limits).map_err(input)?;
        let t =
            Table::from_json(&text).map_err(|e| input(format!("{}: error: {e}", p.display())))?;
        tables.push((p.display().to_string(), t));
    }
    let n = tables.len();
    let merged = sweep::table::merge(tables).map_err(|e| input(format!("error: {e}")))?;
    check_out(&a.out, a.force)?;
    let written = write_outputs(&a.out, &merged, true, false)?;
    if a.json {
        return Ok(merged.to_json());
    }
    Ok(format!(
        "merged {n} shards of sweep \"{}\": {} points, {} with an error; wrote {}\n",
        merged.header.sweep,
        merged.rows.len(),
        merged.header.errors,
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
