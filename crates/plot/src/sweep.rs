//! The sweep chart: a metric against the values of one axis (evenly spaced,
//! labelled as written), one line per value of another axis.

use super::charts::{
    DESC_PT, LABEL_PT, Mark, coincident, draw_markers, e, keyed, layout, legend, shape,
};
use super::{FONT, Plot, series_color};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A metric against an axis's values, one line per value of another axis.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepLines {
    /// Heading drawn above the chart.
    pub title: String,
    /// The x axis's description (the axis name).
    pub x_desc: String,
    /// The y axis's description (the metric, with its unit).
    pub y_desc: String,
    /// One label per x position, in axis order.
    pub x_labels: Vec<String>,
    /// Heading of the legend (the lines axis).
    pub legend: String,
    /// (name, one value per x position; `None` where the point failed).
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// Per series (same order), per x position, a `(low, high)` band drawn
    /// shaded behind the line (the min and max over failure seeds); empty
    /// for no bands.
    pub bands: Vec<Vec<Option<(f64, f64)>>>,
}

impl Plot for SweepLines {
    fn kind(&self) -> &'static str {
        "sweep"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let k = self.x_labels.len().max(1);
        let step = k.div_ceil(12);
        let keys: Vec<f64> = (0..k).step_by(step).map(|i| i as f64).collect();
        let ys = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
            .chain(
                self.bands
                    .iter()
                    .flat_map(|b| b.iter().flatten().flat_map(|&(l, h)| [l, h])),
            );
        let (lo, hi) = ys.fold((0.0f64, 0.0f64), |(a, b), y| (a.min(y), b.max(y)));
        let (lo, hi) = if hi > lo {
            (lo * 1.1, hi * 1.1)
        } else {
            (lo - 1.0, hi + 1.0)
        };
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(110)
            .build_cartesian_2d(keyed(-0.5..k as f64 - 0.5, keys), lo..hi)
            .map_err(e)?;
        let label = |x: &f64| {
            let i = x.round();
            if i >= 0.0 {
                self.x_labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| tick(*y, lo.abs().max(hi.abs())))
            .label_style((FONT, LABEL_PT))
            .axis_desc_style((FONT, DESC_PT))
            .draw()
            .map_err(e)?;
        // Bands first, under every line: one shaded polygon per run of
        // consecutive x positions that have a band.
        for (i, band) in self.bands.iter().enumerate() {
            let color = series_color(i);
            let mut run: Vec<(f64, f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (x, b) in band.iter().enumerate() {
                match b {
                    Some((lo, hi)) => run.push((x as f64, *lo, *hi)),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            for r in runs.into_iter().filter(|r| r.len() > 1) {
                let outline: Vec<(f64, f64)> = r
                    .iter()
                    .map(|&(x, lo, _)| (x, lo))
                    .chain(r.iter().rev().map(|&(x, _, hi)| (x, hi)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        color.mix(0.2).filled(),
                    )))
                    .map_err(e)?;
            }
        }
        let mut entries = Vec::new();
        // Lines lying on an earlier one say so (failed points break the
        // comparison: such lines never coincide); each has its marker.
        let pts: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|(_, v)| {
                v.iter()
                    .enumerate()
                    .map(|(x, y)| (x as f64, y.unwrap_or(f64::NAN)))
                    .collect()
            })
            .collect();
        let refs: Vec<&[(f64, f64)]> = pts.iter().map(Vec::as_slice).collect();
        let same = coincident(&refs, lo.abs().max(hi.abs()));
        for (i, (name, values)) in self.series.iter().enumerate() {
            let color = series_color(i);
            let m = shape(i);
            // A failed point breaks the line.
            let mut segment: Vec<(f64, f64)> = Vec::new();
            let mut segments = Vec::new();
            for (x, y) in values.iter().enumerate() {
                match y {
                    Some(y) => segment.push((x as f64, *y)),
                    None => segments.push(std::mem::take(&mut segment)),
                }
            }
            segments.push(segment);
            for s in segments.into_iter().filter(|s| !s.is_empty()) {
                chart
                    .draw_series(LineSeries::new(s.clone(), color.stroke_width(3)))
                    .map_err(e)?;
                draw_markers(&mut chart, &s, m, color)?;
            }
            let name = match same[i] {
                Some(j) => format!("{name} (coincides with {})", self.series[j].0),
                None => name.clone(),
            };
            entries.push((name, color, Mark::Line(m)));
        }
        legend(&side, &self.legend, &entries)
    }
}

/// A y tick label in one format for the whole axis (`span` = the largest
/// |y| shown): scientific beyond 1e6 or below 1e-3, else as many decimals
/// as the span needs (0 from 100, 1 from 10, 2 from 1, else 4).
fn tick(y: f64, span: f64) -> String {
    if span >= 1e6 || (span > 0.0 && span < 1e-3) {
        return format!("{y:.2e}");
    }
    let decimals = if span >= 100.0 {
        0
    } else if span >= 10.0 {
        1
    } else if span >= 1.0 {
        2
    } else {
        4
    };
    format!("{y:.decimals$}")
}
