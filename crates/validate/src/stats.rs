//! Error statistics per system and per split, and the targets.
//!
//! Over the absolute errors |e| of a set of points: the median (the middle
//! value, the mean of the two middle values for an even count) and the 90th
//! percentile by nearest rank (the ⌈0.9·n⌉-th smallest). Sizes are split at
//! 16 MiB: bandwidth-bound points (S ≥ 16 MiB) and latency-bound ones.

use serde::Serialize;

use crate::corpus::{Corpus, Split};
use crate::predict::Prediction;

/// The size that separates the two classes: 16 MiB.
pub const LARGE_BYTES: u64 = 16 << 20;

/// Bandwidth-bound (S ≥ 16 MiB) or latency-bound points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    /// S ≥ 16 MiB.
    Large,
    /// S < 16 MiB.
    Small,
}

impl SizeClass {
    /// The class of a size \[bytes\].
    pub fn of(size_bytes: u64) -> SizeClass {
        if size_bytes >= LARGE_BYTES {
            SizeClass::Large
        } else {
            SizeClass::Small
        }
    }

    /// `≥ 16 MiB` or `< 16 MiB`.
    pub fn label(self) -> &'static str {
        match self {
            SizeClass::Large => "≥ 16 MiB",
            SizeClass::Small => "< 16 MiB",
        }
    }
}

/// |error| statistics of a set of points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Points simulated.
    pub n: usize,
    /// Median |error| (a fraction).
    pub median: f64,
    /// 90th percentile of |error| by nearest rank (a fraction).
    pub p90: f64,
}

impl Summary {
    /// The statistics of `errors` (signed fractions); `None` when empty.
    pub fn of(errors: impl IntoIterator<Item = f64>) -> Option<Summary> {
        let mut a: Vec<f64> = errors.into_iter().map(f64::abs).collect();
        if a.is_empty() {
            return None;
        }
        a.sort_by(f64::total_cmp);
        let n = a.len();
        let median = if n % 2 == 1 {
            a[n / 2]
        } else {
            (a[n / 2 - 1] + a[n / 2]) / 2.0
        };
        let rank = (0.9 * n as f64).ceil() as usize;
        Some(Summary {
            n,
            median,
            p90: a[rank.max(1) - 1],
        })
    }
}

/// One row of the per-system or per-split table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// System id, or the split's name.
    pub name: String,
    /// The split.
    pub split: Split,
    /// Points in the corpus.
    pub points: usize,
    /// Points that could not be simulated.
    pub unsimulated: usize,
    /// Statistics of the points ≥ 16 MiB.
    pub large: Option<Summary>,
    /// Statistics of the points < 16 MiB.
    pub small: Option<Summary>,
}

/// One accuracy target on the held-out split.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    /// What is measured.
    pub what: String,
    /// The limit (a fraction).
    pub limit: f64,
    /// The measured value, when there are points.
    pub value: Option<f64>,
    /// Whether the value is within the limit.
    pub met: bool,
}

/// The whole model-error report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Every point in corpus order.
    pub points: Vec<Prediction>,
    /// Per split (held-out first).
    pub splits: Vec<Row>,
    /// Per system, in corpus order.
    pub systems: Vec<Row>,
    /// The held-out targets.
    pub targets: Vec<Target>,
    /// Published training runs through `fabricsim job`.
    pub runs: Vec<crate::runs::RunResult>,
    /// Scaling ratios of runs published at several scales.
    pub scaling: Vec<crate::runs::Scaling>,
}

fn row<'a>(name: &str, split: Split, pts: impl Iterator<Item = &'a Prediction> + Clone) -> Row {
    let errs = |c: SizeClass| {
        Summary::of(
            pts.clone()
                .filter(move |p| SizeClass::of(p.size_bytes) == c)
                .filter_map(|p| p.error),
        )
    };
    Row {
        name: name.to_string(),
        split,
        points: pts.clone().count(),
        unsimulated: pts.clone().filter(|p| p.error.is_none()).count(),
        large: errs(SizeClass::Large),
        small: errs(SizeClass::Small),
    }
}

impl Report {
    /// Sums `points` (from [`crate::predict()`]) up against `corpus`.
    pub fn new(corpus: &Corpus, points: Vec<Prediction>) -> Report {
        let splits: Vec<Row> = [Split::HeldOut, Split::Fit]
            .into_iter()
            .map(|s| row(s.name(), s, points.iter().filter(move |p| p.split == s)))
            .collect();
        let systems = corpus
            .system
            .iter()
            .map(|s| row(&s.id, s.split, points.iter().filter(|p| p.system == s.id)))
            .collect();
        let held = &splits[0];
        let target = |what: &str, limit: f64, value: Option<f64>| Target {
            what: what.to_string(),
            limit,
            value,
            met: value.is_some_and(|v| v <= limit),
        };
        let targets = vec![
            target(
                "held-out median |error|, S ≥ 16 MiB",
                0.10,
                held.large.map(|s| s.median),
            ),
            target(
                "held-out p90 |error|, S ≥ 16 MiB",
                0.20,
                held.large.map(|s| s.p90),
            ),
            target(
                "held-out median |error|, S < 16 MiB",
                0.30,
                held.small.map(|s| s.median),
            ),
        ];
        Report {
            points,
            splits,
            systems,
            targets,
            runs: Vec::new(),
            scaling: Vec::new(),
        }
    }

    /// This report with the job-level results of `runs`.
    pub fn with_runs(mut self, runs: Vec<crate::runs::RunResult>) -> Report {
        self.scaling = crate::runs::scaling(&runs);
        self.runs = runs;
        self
    }

    /// Whether every target is met.
    pub fn targets_met(&self) -> bool {
        self.targets.iter().all(|t| t.met)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_nearest_rank_p90_by_hand() {
        // |e| sorted: 0.01 0.02 0.03 0.04 0.05 0.06 0.07 0.08 0.09 0.50
        let e = [0.05, -0.01, 0.5, 0.02, -0.03, 0.04, 0.06, -0.07, 0.08, 0.09];
        let s = Summary::of(e).unwrap();
        assert_eq!(s.n, 10);
        assert!((s.median - 0.055).abs() < 1e-12);
        // ⌈0.9 · 10⌉ = 9th smallest.
        assert_eq!(s.p90, 0.09);
        let s = Summary::of([0.3, -0.1, 0.2]).unwrap();
        assert_eq!((s.median, s.p90), (0.2, 0.3));
        assert!(Summary::of([]).is_none());
    }

    #[test]
    fn sixteen_mebibytes_is_large() {
        assert_eq!(SizeClass::of(16 << 20), SizeClass::Large);
        assert_eq!(SizeClass::of((16 << 20) - 1), SizeClass::Small);
    }
}
