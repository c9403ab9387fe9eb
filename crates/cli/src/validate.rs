//! `fabricsim validate-model [CORPUS]`: simulate every published point of
//! the validation corpus on the topology of its system and report the model
//! error per point, per system and per fit/held-out split.

use std::path::{Path, PathBuf};

use fabricsim_base::limits::Limits;
use fabricsim_plot::{ErrorVsSize, PointGroup, PredictedVsMeasured};
use fabricsim_validate::runs::{load_runs, run_all};
use fabricsim_validate::{Corpus, Report, Split, predict, render};

use super::budget::BudgetArgs;
use super::plots::Batch;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The corpus of published measurements.
    #[arg(default_value = "validation/measurements.toml")]
    corpus: PathBuf,
    /// Folder of the topology files, one `<system id>.toml` per corpus
    /// system [default: ../topologies/corpus beside the corpus folder].
    #[arg(long, value_name = "DIR")]
    topologies: Option<PathBuf>,
    /// Write the predicted-vs-measured and error-vs-size plots into DIR.
    #[arg(long, value_name = "DIR")]
    plots: Option<PathBuf>,
    /// Print the report as JSON (every point, per system, per split, targets).
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print the report as Markdown (docs/validation.md), with the corpus
    /// folder's notes.md appended.
    #[arg(long)]
    markdown: bool,
    /// Published training runs to run through `job` [default:
    /// training_runs.toml beside the corpus, when it exists].
    #[arg(long, value_name = "FILE")]
    runs: Option<PathBuf>,
    /// Also print every point (published, simulated, error).
    #[arg(long)]
    points: bool,
    #[command(flatten)]
    budget: BudgetArgs,
}

/// The topology folder of a corpus file: `<corpus dir>/../topologies/corpus`.
fn default_topologies(corpus: &Path) -> PathBuf {
    let dir = corpus.parent().filter(|d| !d.as_os_str().is_empty());
    dir.unwrap_or(Path::new("."))
        .join("..")
        .join("topologies")
        .join("corpus")
}

pub(crate) fn command(a: &Args, limits: &Limits) -> Result<String, String> {
    let corpus = Corpus::load(&a.corpus, limits).map_err(|e| format!("error: {e}"))?;
    let dir = a
        .topologies
        .clone()
        .unwrap_or_else(|| default_topologies(&a.corpus));
    let runs = a.runs.clone().or_else(|| {
        let p = a
            .corpus
            .parent()
            .unwrap_or(Path::new("."))
            .join("training_runs.toml");
        p.is_file().then_some(p)
    });
    // Every input is read before any simulation, so a bad runs file fails
    // at once rather than after the whole corpus has run.
    let runs = match runs {
        Some(path) => Some((
            load_runs(&path, limits).map_err(|e| format!("error: {e}"))?,
            path,
        )),
        None => None,
    };
    let load = super::load_options(&[], limits);
    let points = predict(&corpus, &dir, &load, &a.budget.params());
    let mut report = Report::new(&corpus, points);
    if let Some((list, path)) = runs {
        let dir = path.parent().unwrap_or(Path::new("."));
        report = report.with_runs(run_all(&list, dir, limits, &a.budget.params()));
    }
    if let Some(d) = &a.plots {
        plots(&report)?.write(d)?;
    }
    if a.json {
        let mut s = serde_json::to_string_pretty(&report).map_err(|e| format!("error: {e}"))?;
        s.push('\n');
        return Ok(s);
    }
    if a.markdown {
        let notes_path = a.corpus.parent().unwrap_or(Path::new(".")).join("notes.md");
        let notes = if notes_path.is_file() {
            super::read_input(&notes_path, limits)?
        } else {
            String::new()
        };
        let shown = a.corpus.display().to_string().replace('\\', "/");
        return Ok(render::markdown(&report, &shown, &notes));
    }
    Ok(render::text(&report, a.points))
}

fn plots(r: &Report) -> Result<Batch, String> {
    let group =
        |split: Split,
         color: usize,
         f: &dyn Fn(&fabricsim_validate::Prediction) -> Option<(f64, f64)>| PointGroup {
            name: split.name().replace('_', "-"),
            color,
            points: r
                .points
                .iter()
                .filter(|p| p.split == split)
                .filter_map(f)
                .collect(),
        };
    let measured = |p: &fabricsim_validate::Prediction| {
        p.simulated_busbw_gbps.map(|s| (p.published_busbw_gbps, s))
    };
    let by_size = |p: &fabricsim_validate::Prediction| p.error.map(|e| (p.size_bytes as f64, e));
    let mut batch = Batch::new();
    batch.add(
        &["validation", "predicted-vs-measured"],
        &PredictedVsMeasured {
            title: "fabricsim vs published busbw (all corpus points)".into(),
            groups: vec![
                group(Split::HeldOut, 4, &measured),
                group(Split::Fit, 1, &measured),
            ],
            band: 0.15,
        },
    )?;
    batch.add(
        &["validation", "error-vs-size"],
        &ErrorVsSize {
            title: "fabricsim busbw error against message size".into(),
            groups: vec![
                group(Split::HeldOut, 4, &by_size),
                group(Split::Fit, 1, &by_size),
            ],
            band: 0.15,
        },
    )?;
    Ok(batch)
}
