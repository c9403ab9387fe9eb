//! The sweep plots of a results table: a metric against one axis, one line
//! per value of another, one chart per combination of the other axes.
//!
//! Defaults (no `[plot]`): busbw (collectives) or tokens/s (jobs) against
//! the first axis, one line per value of the second. With `[plot]`, unset
//! `lines` means one line per chart.

use super::{Cell, Table};
use fabricsim_plot::{SweepLines, fmt_bytes};

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
    let x = spec
        .as_ref()
        .and_then(|p| p.x.as_deref())
        .and_then(pos)
        .unwrap_or(0);
    let lines = match &spec {
        Some(p) => p.lines.as_deref().and_then(pos),
        None => (0..names.len()).find(|&i| i != x),
    }
    .filter(|&l| l != x);
    let Some(mcol) = t.column(&metric) else {
        return (Vec::new(), 0);
    };
    let facets: Vec<usize> = (0..names.len())
        .filter(|&i| i != x && Some(i) != lines)
        .collect();
    let lens: Vec<usize> = h.axes.iter().map(|a| a.values.len()).collect();
    let n_facets: usize = facets.iter().map(|&i| lens[i]).product();
    let coords = |p: usize| {
        let mut rest = p;
        let mut c = vec![0; lens.len()];
        for i in (0..lens.len()).rev() {
            c[i] = rest % lens[i];
            rest /= lens[i];
        }
        c
    };
    let label = |axis: usize, v: &Cell| match (names[axis], v) {
        ("collective.size", Cell::Int(b)) => fmt_bytes(*b as f64),
        _ => v.text(),
    };
    let n_lines = lines.map_or(1, |l| lens[l]);
    // grid[facet][line][x] = metric
    let mut grid = vec![vec![vec![None; lens[x]]; n_lines]; n_facets];
    for r in &t.rows {
        let c = coords(Table::point_of(r));
        let f = facets.iter().fold(0, |acc, &i| acc * lens[i] + c[i]);
        let l = lines.map_or(0, |l| c[l]);
        grid[f][l][c[x]] = r.get(mcol).and_then(Cell::as_f64);
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
        let series = lines_data
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let name = lines.map_or_else(|| metric.clone(), |l| label(l, &h.axes[l].values[i]));
                (name, v)
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
            },
        ));
    }
    (out, n_facets.saturating_sub(MAX_CHARTS))
}
