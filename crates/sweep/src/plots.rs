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
        let mut title = format!("{metric} vs {}: {}", names[x], h.sweep);
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
                x_desc: names[x].to_string(),
                y_desc: metric.clone(),
                x_labels: h.axes[x].values.iter().map(|v| label(x, v)).collect(),
                legend: lines.map_or_else(|| "metric".to_string(), |l| names[l].to_string()),
                series,
            },
        ));
    }
    (out, n_facets.saturating_sub(MAX_CHARTS))
}
