//! The model-error charts of `fabricsim validate-model`: predicted against
//! measured busbw (log–log, with the identity line and a ±band), and the
//! relative error against message size.

use super::charts::{DESC_PT, LABEL_PT, Mark, e, keyed, layout, legend};
use super::{FONT, Plot, fmt_bytes, series_color};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// One coloured group of points (e.g. the fit or the held-out split).
#[derive(Clone, Debug, PartialEq)]
pub struct PointGroup {
    /// Legend label.
    pub name: String,
    /// Index into the Okabe–Ito palette.
    pub color: usize,
    /// `(x, y)` pairs; non-finite or non-positive values (on log axes) are skipped.
    pub points: Vec<(f64, f64)>,
}

/// Predicted (y) against measured (x) busbw in GB/s on log10 axes, with the
/// line y = x and dashed lines y = (1 ± band)·x.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictedVsMeasured {
    /// Chart title.
    pub title: String,
    /// Points `(measured, predicted)` \[GB/s\] per group.
    pub groups: Vec<PointGroup>,
    /// Half-width of the band around y = x, as a fraction (0.15 = ±15%).
    pub band: f64,
}

/// Relative error `predicted / measured − 1` \[%\] (y) against message size
/// (x, bytes, log2 axis), with dashed lines at ±band.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorVsSize {
    /// Chart title.
    pub title: String,
    /// Points `(size bytes, error as a fraction)` per group.
    pub groups: Vec<PointGroup>,
    /// The band drawn at ±band (a fraction).
    pub band: f64,
}

/// Ticks of a log10 axis from `lo` to `hi` (exponents), at most 12.
fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1.0);
    let step = (span / 12.0).ceil().max(1.0);
    (0..=(span / step) as usize)
        .map(|i| lo + i as f64 * step)
        .collect()
}

type Legend = Vec<(String, RGBColor, Mark)>;

/// Draws every group's points, mapped to chart coordinates by `at` (`None`
/// skips a point), as dots in the group's colour; returns their legend
/// entries (name and point count).
fn dots<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<super::charts::Keyed, plotters::coord::types::RangedCoordf64>,
    >,
    groups: &[PointGroup],
    at: impl Fn(f64, f64) -> Option<(f64, f64)>,
) -> Result<Legend, String> {
    let mut entries = Vec::new();
    for g in groups {
        let color = series_color(g.color);
        let pts: Vec<(f64, f64)> = g.points.iter().filter_map(|&(x, y)| at(x, y)).collect();
        chart
            .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled())))
            .map_err(e)?;
        entries.push((format!("{} ({})", g.name, g.points.len()), color, Mark::Box));
    }
    Ok(entries)
}

impl Plot for PredictedVsMeasured {
    fn kind(&self) -> &'static str {
        "predicted-vs-measured"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let logs: Vec<f64> = self
            .groups
            .iter()
            .flat_map(|g| g.points.iter())
            .flat_map(|&(x, y)| [x, y])
            .filter(|v| v.is_finite() && *v > 0.0)
            .map(f64::log10)
            .collect();
        let (mut lo, mut hi) = logs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if !lo.is_finite() {
            (lo, hi) = (-2.0, 3.0);
        }
        let (lo, hi) = (lo.floor(), hi.ceil().max(lo.floor() + 1.0));
        let keys = decades(lo, hi);
        let label = |v: &f64| {
            let x = 10f64.powf(*v);
            if x >= 1.0 {
                format!("{x:.0}")
            } else {
                format!("{x}")
            }
        };
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(keyed(lo..hi, keys), lo..hi)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("measured busbw (GB/s, log scale)")
            .y_desc("simulated busbw (GB/s, log scale)")
            .x_label_formatter(&label)
            .y_label_formatter(&label)
            .label_style((FONT, LABEL_PT))
            .axis_desc_style((FONT, DESC_PT))
            .draw()
            .map_err(e)?;
        let grey = RGBColor(0x66, 0x66, 0x66);
        chart
            .draw_series(LineSeries::new(
                vec![(lo, lo), (hi, hi)],
                grey.stroke_width(2),
            ))
            .map_err(e)?;
        for f in [1.0 + self.band, 1.0 - self.band] {
            let d = f.log10();
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(lo, lo + d), (hi, hi + d)],
                    7,
                    4,
                    grey.stroke_width(1),
                )))
                .map_err(e)?;
        }
        let mut entries = dots(&mut chart, &self.groups, |x, y| {
            (x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0).then(|| (x.log10(), y.log10()))
        })?;
        entries.push(("simulated = measured".into(), grey, Mark::Plain));
        entries.push((format!("±{:.0}%", self.band * 100.0), grey, Mark::Dashed));
        legend(&side, "points", &entries)
    }
}

/// Largest |error| drawn \[fraction\]; points beyond it sit on the edge.
const ERROR_CLIP: f64 = 3.0;

impl Plot for ErrorVsSize {
    fn kind(&self) -> &'static str {
        "error-vs-size"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let pts = || self.groups.iter().flat_map(|g| g.points.iter());
        let xs = pts().filter(|p| p.0 > 0.0).map(|p| p.0.log2());
        let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        if !x0.is_finite() {
            (x0, x1) = (10.0, 30.0);
        }
        let (lo, hi) = (x0.floor(), x1.ceil().max(x0.floor() + 1.0));
        let span = hi - lo;
        let step = (span / 12.0).ceil().max(1.0);
        let keys: Vec<f64> = (0..=(span / step) as usize)
            .map(|i| lo + i as f64 * step)
            .collect();
        let clip = |y: f64| y.clamp(-1.0, ERROR_CLIP) * 100.0;
        let ys = pts().map(|p| clip(p.1));
        let (ylo, yhi) = ys.fold((-50.0f64, 50.0f64), |(a, b), y| (a.min(y), b.max(y)));
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(keyed(lo - 0.3..hi + 0.3, keys), ylo * 1.05..yhi * 1.05)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("message size S (log2 scale)")
            .y_desc(format!(
                "simulated / measured busbw − 1 (%, clipped at +{:.0}%)",
                ERROR_CLIP * 100.0
            ))
            .x_label_formatter(&|x| fmt_bytes(2f64.powf(*x)))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, LABEL_PT))
            .axis_desc_style((FONT, DESC_PT))
            .draw()
            .map_err(e)?;
        let grey = RGBColor(0x66, 0x66, 0x66);
        chart
            .draw_series(LineSeries::new(
                vec![(lo - 0.3, 0.0), (hi + 0.3, 0.0)],
                grey.stroke_width(2),
            ))
            .map_err(e)?;
        for b in [self.band, -self.band] {
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(lo - 0.3, b * 100.0), (hi + 0.3, b * 100.0)],
                    7,
                    4,
                    grey.stroke_width(1),
                )))
                .map_err(e)?;
        }
        let mut entries = dots(&mut chart, &self.groups, |x, y| {
            (x > 0.0 && y.is_finite()).then(|| (x.log2(), clip(y)))
        })?;
        entries.push((format!("±{:.0}%", self.band * 100.0), grey, Mark::Dashed));
        legend(&side, "points", &entries)
    }
}
