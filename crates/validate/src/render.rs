//! The report as a terminal table and as Markdown (`docs/validation.md`).

use std::fmt::Write as _;

use crate::stats::{Report, Row, Summary};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A target's measured value: one decimal, or three when one decimal would
/// print the limit itself (10.001% is not "10.0%" against "≤ 10.0%").
fn target_pct(value: f64, limit: f64) -> String {
    if pct(value) == pct(limit) && value != limit {
        format!("{:.3}%", value * 100.0)
    } else {
        pct(value)
    }
}

fn cells(s: Option<Summary>) -> [String; 3] {
    match s {
        Some(s) => [s.n.to_string(), pct(s.median), pct(s.p90)],
        None => ["0".into(), "–".into(), "–".into()],
    }
}

fn row_cells(r: &Row, with_split: bool) -> Vec<String> {
    let mut v = vec![r.name.clone()];
    if with_split {
        v.push(r.split.name().to_string());
    }
    v.push(r.points.to_string());
    v.extend(cells(r.large));
    v.extend(cells(r.small));
    v.push(r.unsimulated.to_string());
    v
}

const SPLIT_HEAD: [&str; 9] = [
    "split", "points", "n≥16M", "median", "p90", "n<16M", "median", "p90", "not run",
];

const HEAD: [&str; 10] = [
    "system", "split", "points", "n≥16M", "median", "p90", "n<16M", "median", "p90", "not run",
];

/// Fixed-width columns (first left-aligned, the rest right-aligned).
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            if i == 0 {
                s += c;
                s += &" ".repeat(pad);
            } else {
                s += "  ";
                s += &" ".repeat(pad);
                s += c;
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(head.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out += &line(r.clone());
    }
    out
}

fn targets_text(r: &Report) -> String {
    let mut s = String::new();
    for t in &r.targets {
        let v = t
            .value
            .map_or("no points".into(), |v| target_pct(v, t.limit));
        let _ = writeln!(
            s,
            "{} {}: {v} (target ≤ {})",
            if t.met { "MET   " } else { "MISSED" },
            t.what,
            pct(t.limit)
        );
    }
    s
}

/// The terminal report: per system, per split, the targets; with `points`,
/// every point first.
pub fn text(r: &Report, points: bool) -> String {
    let mut s = String::new();
    if points {
        let rows: Vec<Vec<String>> = r
            .points
            .iter()
            .map(|p| {
                vec![
                    p.system.clone(),
                    p.gpus.to_string(),
                    p.op.clone(),
                    p.size_bytes.to_string(),
                    format!("{:.2}", p.published_busbw_gbps),
                    p.simulated_busbw_gbps
                        .map_or("–".into(), |b| format!("{b:.2}")),
                    p.error.map_or_else(
                        || p.problem.clone().unwrap_or_default(),
                        |e| format!("{:+.1}%", e * 100.0),
                    ),
                ]
            })
            .collect();
        s += &table(
            &[
                "system",
                "gpus",
                "op",
                "bytes",
                "published",
                "simulated",
                "error",
            ],
            &rows,
        );
        s += "\n";
    }
    let rows: Vec<Vec<String>> = r.systems.iter().map(|x| row_cells(x, true)).collect();
    s += &table(&HEAD, &rows);
    s += "\n";
    let rows: Vec<Vec<String>> = r.splits.iter().map(|x| row_cells(x, false)).collect();
    s += &table(&SPLIT_HEAD, &rows);
    s += "\n";
    s += &targets_text(r);
    if !r.runs.is_empty() {
        s += "\n";
        s += &table(&RUN_HEAD, &run_rows(r));
        if !r.scaling.is_empty() {
            s += "\n";
            s += &table(&SCALING_HEAD, &scaling_rows(r));
        }
    }
    s
}

const RUN_HEAD: [&str; 7] = [
    "run",
    "split",
    "gpus",
    "metric",
    "published",
    "simulated",
    "error",
];
const SCALING_HEAD: [&str; 5] = ["model", "accelerator", "scale", "published", "simulated"];

fn run_rows(r: &Report) -> Vec<Vec<String>> {
    r.runs
        .iter()
        .map(|x| {
            vec![
                x.id.clone(),
                x.split.map_or("–".into(), |s| s.name().to_string()),
                x.gpus.to_string(),
                x.metric.clone(),
                format!("{:.4}", x.published),
                x.simulated.map_or("–".into(), |v| format!("{v:.4}")),
                x.error.map_or_else(
                    || x.problem.clone().unwrap_or_default(),
                    |e| format!("{:+.1}%", e * 100.0),
                ),
            ]
        })
        .collect()
}

fn scaling_rows(r: &Report) -> Vec<Vec<String>> {
    r.scaling
        .iter()
        .map(|x| {
            vec![
                x.model.clone(),
                x.accelerator.clone(),
                format!("{} → {} GPUs", x.base_gpus, x.gpus),
                format!("{:.3}", x.published_ratio),
                format!("{:.3}", x.simulated_ratio),
            ]
        })
        .collect()
}

/// A Markdown table; `|` inside a cell is escaped.
fn md_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |c: &str| c.replace('|', "\\|");
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut s = line(head.iter().map(|h| cell(h)).collect());
    s += &format!("|{}\n", "---|".repeat(head.len()));
    for r in rows {
        s += &line(r.iter().map(|c| cell(c)).collect());
    }
    s
}

/// `docs/validation.md`: method, targets, per split, per system, the
/// largest held-out errors, then `notes` (hand-written analysis) verbatim.
pub fn markdown(r: &Report, corpus_path: &str, notes: &str) -> String {
    let mut s = String::from("# Validation: simulated vs published collective measurements\n\n");
    let _ = writeln!(
        s,
        "Generated by `fabricsim validate-model {corpus_path} --markdown` from the corpus in \
         `{corpus_path}` (see `validation/README.md`); a test fails when this file is not \
         current. Do not edit it by hand: edit `validation/notes.md`, which is appended.\n"
    );
    s += "Each published point is simulated on `topologies/corpus/<system>.toml` with the \
          algorithm the source forced (else `auto`, with NCCL's cost model of the release the \
          source ran: 2.28.3 from NCCL 2.23 on or for a source dated 2025 or later that names \
          NCCL without a version, else 2.20.3; on AMD Instinct GPUs, RCCL 2.26's cost model \
          and protocol rules), on the first n accelerators of the file. \
          Error = simulated busbw / published busbw − 1 (the published busbw is recomputed from \
          the published time where there is one). Statistics are over |error|: the median and \
          the 90th percentile by nearest rank. Fit systems are those the model's constants were \
          fitted on: their errors are fit residuals, reported but not counted. Held-out systems \
          were never used to fit anything: their errors measure prediction.\n\n";
    s += "## Targets (held-out split)\n\n";
    let rows: Vec<Vec<String>> = r
        .targets
        .iter()
        .map(|t| {
            vec![
                t.what.clone(),
                format!("≤ {}", pct(t.limit)),
                t.value
                    .map_or("no points".into(), |v| target_pct(v, t.limit)),
                if t.met { "met" } else { "**missed**" }.to_string(),
            ]
        })
        .collect();
    s += &md_table(&["target", "limit", "measured", ""], &rows);
    s += "\n## Per split\n\n";
    let rows: Vec<Vec<String>> = r.splits.iter().map(|x| row_cells(x, false)).collect();
    s += &md_table(&SPLIT_HEAD, &rows);
    s += "\n## Per system\n\n";
    let rows: Vec<Vec<String>> = r.systems.iter().map(|x| row_cells(x, true)).collect();
    s += &md_table(&HEAD, &rows);
    s += "\n## Largest held-out errors\n\n";
    let mut worst: Vec<&crate::predict::Prediction> = r
        .points
        .iter()
        .filter(|p| p.split == crate::corpus::Split::HeldOut && p.error.is_some())
        .collect();
    worst.sort_by(|a, b| {
        b.error
            .unwrap_or(0.0)
            .abs()
            .total_cmp(&a.error.unwrap_or(0.0).abs())
    });
    let rows: Vec<Vec<String>> = worst
        .iter()
        .take(20)
        .map(|p| {
            vec![
                p.system.clone(),
                p.gpus.to_string(),
                p.op.clone(),
                p.size_bytes.to_string(),
                p.simulated_algorithm.clone().unwrap_or_default(),
                format!("{:.2}", p.published_busbw_gbps),
                p.simulated_busbw_gbps
                    .map_or("–".into(), |b| format!("{b:.2}")),
                p.error
                    .map_or("–".into(), |e| format!("{:+.1}%", e * 100.0)),
            ]
        })
        .collect();
    s += &md_table(
        &[
            "system",
            "gpus",
            "op",
            "bytes",
            "simulated algorithm",
            "published GB/s",
            "simulated GB/s",
            "error",
        ],
        &rows,
    );
    if !r.runs.is_empty() {
        s += "\n## Training runs (`validation/training_runs.toml` through `fabricsim job`)\n\n";
        s += "Throughput error: simulated / published − 1 (for a step time, published / \
              simulated − 1). The job files share one compute efficiency, fitted on the run \
              marked `fit` (see each job file's header).\n\n";
        s += &md_table(&RUN_HEAD, &run_rows(r));
        if !r.scaling.is_empty() {
            s += "\nScaling: per-GPU throughput at the larger scale over the smaller.\n\n";
            s += &md_table(&SCALING_HEAD, &scaling_rows(r));
        }
    }
    let problems: Vec<&crate::predict::Prediction> =
        r.points.iter().filter(|p| p.problem.is_some()).collect();
    if !problems.is_empty() {
        s += "\n## Points not simulated\n\n";
        let mut seen: Vec<(String, String)> = Vec::new();
        for p in problems {
            let key = (p.system.clone(), p.problem.clone().unwrap_or_default());
            if !seen.contains(&key) {
                seen.push(key);
            }
        }
        for (sys, why) in seen {
            let n = r
                .points
                .iter()
                .filter(|p| p.system == sys && p.problem.as_deref() == Some(why.as_str()))
                .count();
            let _ = writeln!(s, "- `{sys}` ({n} points): {why}");
        }
    }
    if !notes.trim().is_empty() {
        s += "\n";
        s += notes.trim_end();
        s += "\n";
    }
    s
}

#[cfg(test)]
mod tests {
    use super::target_pct;

    #[test]
    fn a_value_that_rounds_to_its_limit_shows_more_digits() {
        assert_eq!(target_pct(0.100_013, 0.10), "10.001%");
        assert_eq!(target_pct(0.099_96, 0.10), "9.996%");
        assert_eq!(target_pct(0.10, 0.10), "10.0%");
        assert_eq!(target_pct(0.096, 0.10), "9.6%");
        assert_eq!(target_pct(0.321, 0.30), "32.1%");
    }
}
