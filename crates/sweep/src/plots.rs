//! The sweep plots of a results table: a metric against one axis, one line
//! per value of another, one chart per combination of the other axes.
//!
//! Defaults (no `[plot]`): busbw (collectives) or tokens/s (jobs) against
//! the first axis, one line per value of the second. With `[plot]`, unset
//! `lines` means one line per chart.

use super::{Cell, Table};
use fabricsim_plot::{SweepLines, fmt_bytes};

/// The axis whose values are failure seeds: summarized, not plotted.
pub const SEED_AXIS: &str = "failures.seed";

/// Mean, min and max of a metric over the seeds of one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// The summary of `v`, `None` when empty (every seed failed).
    pub fn of(v: &[f64]) -> Option<Summary> {
        if v.is_empty() {
            return None;
        }
        let sum: f64 = v.iter().sum();
        Some(Summary {
            mean: sum / v.len() as f64,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }
}

/// Most charts one table yields (one per combination of the other axes).
pub const MAX_CHARTS: usize = 24;

/// A column or axis key in words with its unit (`None` when unknown).
/// Axis keys may carry their file's prefix (`topology.`, `job.`).
pub fn words(key: &str) -> Option<&'static str> {
    let bare = key
        .strip_prefix("topology.")
        .or_else(|| key.strip_prefix("job."))
        .unwrap_or(key);
    Some(match bare {
        "time_s" => "time per call (s)",
        "algbw_gbps" => "algorithm bandwidth (GB/s = 1e9 bytes/s)",
        "busbw_gbps" => "bus bandwidth (GB/s = 1e9 bytes/s)",
        "bound_s" => "lower bound (s)",
        "efficiency_vs_bound" => "bound / time",
        "bottleneck_utilization" => "bottleneck utilization (fraction of line rate)",
        "total_time_s" => "iteration time (s)",
        "compute_time_s" => "compute time (s)",
        "comm_time_s" => "communication time (s)",
        "exposed_comm_time_s" => "exposed communication (s)",
        "bubble_s" => "pipeline bubble (s)",
        "tokens_per_s" => "tokens per second",
        "mfu" => "MFU (fraction of peak)",
        "joules_per_iteration" => "energy per iteration (J)",
        "average_power_w" => "average power (W)",
        "tokens_per_joule" => "tokens per joule",
        "collective.size" => "message size S",
        "scale_out.nic_bandwidth" => "NIC bandwidth per port",
        "scale_out.oversubscription" => "leaf oversubscription (down:up)",
        "parallelism.zero" => "ZeRO stage",
        "parallelism.dp" => "data-parallel degree",
        "parallelism.tp" => "tensor-parallel degree",
        "parallelism.pp" => "pipeline stages",
        "power.accelerator_cap_w" => "accelerator power cap (W)",
        "power.optics" => "optics",
        "failures.seed" => "failure seed",
        "failures.random" => "randomly failed share of lanes",
        _ => return None,
    })
}

/// [`words`] with the key in brackets (so a reader finds the column), or
/// the key alone.
pub fn in_words(key: &str) -> String {
    words(key).map_or_else(|| key.to_string(), |w| format!("{w} [{key}]"))
}

/// The charts of `t`, each with its file stem, and how many were left out
/// beyond [`MAX_CHARTS`].
pub fn charts(t: &Table) -> (Vec<(String, SweepLines)>, usize) {
    let h = &t.header;
    if h.axes.is_empty() {
        return (Vec::new(), 0);
    }
    let spec = h.plot.clone();
    let default_metric = if h.kind == "job" {
        "tokens_per_s"
    } else {
        "busbw_gbps"
    };
    let metric = spec
        .as_ref()
        .and_then(|p| p.metric.clone())
        .unwrap_or_else(|| default_metric.to_string());
    let names: Vec<&str> = h.axes.iter().map(|a| a.name.as_str()).collect();
    let pos = |n: &str| names.iter().position(|x| *x == n);
    // A failure-seed axis is summarized, not drawn: lines are the mean over
    // seeds with a min–max band.
    let seed = pos(SEED_AXIS);
    let x = spec
        .as_ref()
        .and_then(|p| p.x.as_deref())
        .and_then(pos)
        .filter(|&i| Some(i) != seed)
        .or_else(|| (0..names.len()).find(|&i| Some(i) != seed));
    let Some(x) = x else {
        return (Vec::new(), 0); // the seed is the only axis
    };
    let lines = match &spec {
        Some(p) => p.lines.as_deref().and_then(pos),
        None => (0..names.len()).find(|&i| i != x && Some(i) != seed),
    }
    .filter(|&l| l != x && Some(l) != seed);
    let Some(mcol) = t.column(&metric) else {
        return (Vec::new(), 0);
    };
    let facets: Vec<usize> = (0..names.len())
        .filter(|&i| i != x && Some(i) != lines && Some(i) != seed)
        .collect();
    let lens: Vec<usize> = h.axes.iter().map(|a| a.values.len()).collect();
    let n_facets: usize = facets.iter().map(|&i| lens[i]).product();
    let coords = |p: usize| super::grid_coords(p, &lens);
    let label = |axis: usize, v: &Cell| match (names[axis], v) {
        ("collective.size", Cell::Int(b)) => fmt_bytes(*b as f64),
        _ => v.text(),
    };
    let n_lines = lines.map_or(1, |l| lens[l]);
    // grid[facet][line][x] = the metric over seeds (one value without a
    // seed axis); a failed point leaves its seed out.
    let mut grid: Vec<Vec<Vec<Vec<f64>>>> =
        vec![vec![vec![Vec::new(); lens[x]]; n_lines]; n_facets];
    for r in &t.rows {
        let c = coords(Table::point_of(r));
        let f = facets.iter().fold(0, |acc, &i| acc * lens[i] + c[i]);
        let l = lines.map_or(0, |l| c[l]);
        if let Some(v) = r.get(mcol).and_then(Cell::as_f64) {
            grid[f][l][c[x]].push(v);
        }
    }
    let mut out = Vec::new();
    for (f, lines_data) in grid.into_iter().enumerate().take(MAX_CHARTS) {
        let mut rest = f;
        let mut fixed = Vec::new();
        for &i in facets.iter().rev() {
            fixed.push(format!(
                "{} = {}",
                names[i],
                label(i, &h.axes[i].values[rest % lens[i]])
            ));
            rest /= lens[i];
        }
        fixed.reverse();
        // The axes say what is plotted against what: the title is the
        // sweep's name (and the fixed axes), so it fits.
        let mut title = h.sweep.clone();
        if !fixed.is_empty() {
            title += &format!(" ({})", fixed.join(", "));
        }
        if let Some(sd) = seed {
            title = format!("mean of {} failure seeds, band min-max: {title}", lens[sd]);
        }
        let mut bands = Vec::new();
        let series = lines_data
            .into_iter()
            .enumerate()
            .map(|(i, per_x)| {
                let name = lines.map_or_else(|| metric.clone(), |l| label(l, &h.axes[l].values[i]));
                let summary: Vec<Option<Summary>> = per_x.iter().map(|v| Summary::of(v)).collect();
                if seed.is_some() {
                    bands.push(summary.iter().map(|s| s.map(|s| (s.min, s.max))).collect());
                }
                (name, summary.iter().map(|s| s.map(|s| s.mean)).collect())
            })
            .collect();
        let mut stem = format!("sweep-{metric}-vs-{}", names[x]);
        if n_facets > 1 {
            stem += &format!("-{f}");
        }
        out.push((
            stem,
            SweepLines {
                title,
                x_desc: in_words(names[x]),
                y_desc: in_words(&metric),
                x_labels: h.axes[x].values.iter().map(|v| label(x, v)).collect(),
                legend: lines.map_or_else(
                    || "metric".to_string(),
                    |l| words(names[l]).map_or_else(|| names[l].to_string(), str::to_string),
                ),
                series,
                bands,
            },
        ));
    }
    (out, n_facets.saturating_sub(MAX_CHARTS))
}

/// `seeds.csv` of a sweep with a [`SEED_AXIS`]: one line per combination of
/// the other axes (in grid order), the number of seeds whose point ran,
/// then `_mean`, `_min` and `_max` of every numeric metric over them.
/// `None` without a seed axis.
pub fn seed_summary_csv(t: &Table) -> Option<String> {
    let h = &t.header;
    let names: Vec<&str> = h.axes.iter().map(|a| a.name.as_str()).collect();
    let sd = names.iter().position(|n| *n == SEED_AXIS)?;
    let lens: Vec<usize> = h.axes.iter().map(|a| a.values.len()).collect();
    let axis_col = |i: usize| t.column(names[i]);
    // Numeric metrics: the columns after the axes, except `error`, that
    // hold a number in some row.
    let first_metric = 1 + names.len();
    let metrics: Vec<usize> = (first_metric..h.columns.len())
        .filter(|&c| h.columns[c] != "error")
        .filter(|&c| {
            t.rows
                .iter()
                .any(|r| r.get(c).and_then(Cell::as_f64).is_some())
        })
        .collect();
    let others: Vec<usize> = (0..names.len()).filter(|&i| i != sd).collect();
    let groups: usize = others.iter().map(|&i| lens[i]).product();
    // values[group][metric] over seeds.
    let mut values = vec![vec![Vec::new(); metrics.len()]; groups];
    let mut coords_of = vec![None; groups];
    for r in &t.rows {
        let c = super::grid_coords(Table::point_of(r), &lens);
        let g = others.iter().fold(0, |acc, &i| acc * lens[i] + c[i]);
        if coords_of[g].is_none() {
            coords_of[g] = Some(
                others
                    .iter()
                    .map(|&i| {
                        axis_col(i)
                            .and_then(|col| r.get(col))
                            .map_or_else(String::new, Cell::text)
                    })
                    .collect::<Vec<_>>(),
            );
        }
        for (m, &col) in metrics.iter().enumerate() {
            if let Some(v) = r.get(col).and_then(Cell::as_f64) {
                values[g][m].push(v);
            }
        }
    }
    let mut out: Vec<String> = others.iter().map(|&i| names[i].to_string()).collect();
    out.push("seeds".to_string());
    for &c in &metrics {
        for s in ["mean", "min", "max"] {
            out.push(format!("{}_{s}", h.columns[c]));
        }
    }
    let mut text = out.join(",") + "\n";
    for (g, coords) in coords_of.iter().enumerate() {
        let Some(coords) = coords else { continue };
        let mut line: Vec<String> = coords.iter().map(|c| super::table::csv_field(c)).collect();
        let n = values[g].iter().map(Vec::len).max().unwrap_or(0);
        line.push(n.to_string());
        for v in &values[g] {
            match Summary::of(v) {
                Some(s) => line.extend([s.mean, s.min, s.max].map(|x| x.to_string())),
                None => line.extend([String::new(), String::new(), String::new()]),
            }
        }
        text += &(line.join(",") + "\n");
    }
    Some(text)
}
