//! The plot kinds of runs (busbw, top links, time and energy breakdowns,
//! timelines, heatmaps): their data and how each draws itself.
//!
//! Every chart puts its title on top and its legend in a panel to the right
//! of the plotting area, so a legend never covers data.

use super::{
    FONT, OKABE_ITO, Plot, ellipsize, fmt_bytes, fmt_bytes_si, kind_color, series_color,
    tier_color, time_unit, viridis,
};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) use super::curves::{Shape, coincident, draw_marker_at, draw_markers, shape};

/// Width of the legend panel \[pixels\].
const LEGEND_W: u32 = 270;
/// Characters of a legend line that fit beside the marker at [`LABEL_PT`].
const LEGEND_CHARS: usize = 26;
const TITLE_PT: u32 = 22;
/// Longest title that fits [`super::SIZE`] at [`TITLE_PT`] \[characters\].
const TITLE_CHARS: usize = 95;
pub(super) const LABEL_PT: u32 = 15;
pub(super) const DESC_PT: u32 = 18;

/// A linear f64 axis with ticks exactly at `keys` (plotters' own
/// `WithKeyPoints` over f64 has no label formatter).
pub(super) struct Keyed {
    inner: RangedCoordf64,
    keys: Vec<f64>,
}

pub(super) fn keyed(range: std::ops::Range<f64>, keys: Vec<f64>) -> Keyed {
    Keyed {
        inner: range.into(),
        keys,
    }
}

impl Ranged for Keyed {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }
}

/// A chart of named rows (top to bottom, one unit high each) against time
/// `0..xmax` in `unit`, with its mesh drawn (the x grid only when `x_grid`).
fn rows_over_time<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    xmax: f64,
    unit: &str,
    names: &[String],
    y_area: u32,
    y_desc: &str,
    x_grid: bool,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Keyed>>, String> {
    let n = names.len().max(1);
    let centers: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0.0..xmax, keyed(0.0..n as f64, centers))
        .map_err(e)?;
    let name_of = |y: &f64| {
        let row = n as i64 - 1 - y.floor() as i64;
        names.get(row.max(0) as usize).cloned().unwrap_or_default()
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_y_mesh();
    if !x_grid {
        mesh.disable_x_mesh();
    }
    mesh.x_desc(format!("time ({unit})"))
        .y_desc(y_desc)
        .y_label_formatter(&name_of)
        .label_style((FONT, LABEL_PT))
        .axis_desc_style((FONT, DESC_PT))
        .draw()
        .map_err(e)?;
    Ok(chart)
}

pub(super) fn e<E: std::fmt::Display>(err: E) -> String {
    err.to_string()
}

/// How a legend entry is marked.
#[derive(Clone, Copy)]
pub(super) enum Mark {
    /// A solid line with the curve's point marker on it.
    Line(Shape),
    /// A line without markers (the reference lines of validation plots).
    Plain,
    Dashed,
    Box,
}

/// Title on top, then (plot area, legend panel).
pub(super) type Areas<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

pub(super) fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<Areas<DB>, String> {
    // A long title wraps onto a second line rather than being cut.
    let lines = super::curves::wrap(title, TITLE_CHARS, 2);
    let (w, _) = root.dim_in_pixel();
    let style =
        TextStyle::from((FONT, TITLE_PT).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let line_h = TITLE_PT as i32 + 8;
    for (k, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (w as i32 / 2, 8 + k as i32 * line_h),
            style.clone(),
        ))
        .map_err(e)?;
    }
    let body = root.margin(12 + lines.len() as i32 * line_h, 0, 0, 0);
    let w = body.dim_in_pixel().0;
    Ok(body.split_horizontally(w.saturating_sub(LEGEND_W)))
}

pub(super) fn legend<DB: DrawingBackend>(
    side: &DrawingArea<DB, Shift>,
    heading: &str,
    entries: &[(String, RGBColor, Mark)],
) -> Result<(), String> {
    let x0 = 10;
    let mut y = 40;
    side.draw(&Text::new(
        heading.to_string(),
        (x0, y),
        (FONT, LABEL_PT + 1),
    ))
    .map_err(e)?;
    y += 28;
    for (label, color, mark) in entries {
        let cy = y + 8;
        match mark {
            Mark::Line(_) | Mark::Plain => side
                .draw(&PathElement::new(
                    vec![(x0, cy), (x0 + 34, cy)],
                    color.stroke_width(3),
                ))
                .map_err(e)?,
            Mark::Dashed => side
                .draw(&DashedPathElement::new(
                    vec![(x0, cy), (x0 + 34, cy)],
                    7,
                    4,
                    color.stroke_width(3),
                ))
                .map_err(e)?,
            Mark::Box => side
                .draw(&Rectangle::new(
                    [(x0 + 6, y), (x0 + 28, y + 16)],
                    color.filled(),
                ))
                .map_err(e)?,
        }
        if let Mark::Line(s) = mark {
            draw_marker_at(side, (x0 + 17, cy), *s, *color)?;
        }
        // Long labels wrap (at most three lines) rather than being cut.
        for line in super::curves::wrap(label, LEGEND_CHARS, 3) {
            side.draw(&Text::new(line, (x0 + 44, y), (FONT, LABEL_PT)))
                .map_err(e)?;
            y += 19;
        }
        y += 7;
    }
    Ok(())
}

/// One curve of a [`Busbw`] plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text (a topology or an algorithm; bounds say so).
    pub name: String,
    /// (size S \[bytes\], busbw \[GB/s\]) in increasing size.
    pub points: Vec<(f64, f64)>,
    /// Dashed without markers (lower-bound curves).
    pub dashed: bool,
    /// Index into the Okabe–Ito palette: a curve and its bound share one.
    pub color: usize,
}

/// busbw against message size, log2 size axis: the nccl-tests picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Busbw {
    /// Heading drawn above the chart.
    pub title: String,
    /// The curves, drawn in order.
    pub series: Vec<Series>,
}

impl Plot for Busbw {
    fn kind(&self) -> &'static str {
        "busbw"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let pts = || self.series.iter().flat_map(|s| s.points.iter());
        let xs = pts().map(|p| p.0.max(1.0).log2());
        let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        if !x0.is_finite() {
            (x0, x1) = (20.0, 30.0);
        }
        let (lo, hi) = (x0.floor(), x1.ceil());
        let span = (hi - lo).max(1.0);
        let step = (span / 12.0).ceil().max(1.0);
        let keys: Vec<f64> = (0..=(span / step) as usize)
            .map(|i| lo + i as f64 * step)
            .collect();
        let ymax = pts()
            .map(|p| p.1)
            .filter(|y| y.is_finite())
            .fold(0.0, f64::max);
        let ymax = if ymax > 0.0 { ymax * 1.1 } else { 1.0 };
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d(keyed(lo - 0.3 * step..hi + 0.3 * step, keys), 0.0..ymax)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc("message size S (log2 scale)")
            .y_desc("bus bandwidth busbw (GB/s, 1 GB = 1e9 bytes)")
            .x_label_formatter(&|x| fmt_bytes(2f64.powf(*x)))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, LABEL_PT))
            .axis_desc_style((FONT, DESC_PT))
            .draw()
            .map_err(e)?;
        let mut entries = Vec::new();
        // Solid curves lying on an earlier one say so; each has its marker.
        let solid: Vec<&Series> = self.series.iter().filter(|s| !s.dashed).collect();
        let points: Vec<&[(f64, f64)]> = solid.iter().map(|s| s.points.as_slice()).collect();
        let same = coincident(&points, ymax / 1.1);
        let mut k = 0;
        for s in &self.series {
            let color = series_color(s.color);
            let style = color.stroke_width(3);
            let p: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|&(x, y)| (x.max(1.0).log2(), y))
                .collect();
            if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(p, 9, 6, style))
                    .map_err(e)?;
                entries.push((s.name.clone(), color, Mark::Dashed));
            } else {
                chart
                    .draw_series(LineSeries::new(p.clone(), style))
                    .map_err(e)?;
                let m = shape(k);
                draw_markers(&mut chart, &p, m, color)?;
                let name = match same[k] {
                    Some(j) => format!("{} (coincides with {})", s.name, solid[j].name),
                    None => s.name.clone(),
                };
                entries.push((name, color, Mark::Line(m)));
                k += 1;
            }
        }
        legend(&side, "curves", &entries)
    }
}

/// One link of a [`TopLinks`] plot.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkBar {
    /// `leaf3 → spine12 (ethernet-800g)`.
    pub label: String,
    /// The link's tier (colours the bar).
    pub tier: String,
    /// Bytes carried / (line-rate capacity × run time), 0..1.
    pub busy: f64,
    /// Bytes carried, when known.
    pub bytes: Option<f64>,
}

/// The most utilized links, busiest on top, as horizontal bars.
#[derive(Clone, Debug, PartialEq)]
pub struct TopLinks {
    /// Heading drawn above the chart.
    pub title: String,
    /// The links, busiest first.
    pub bars: Vec<LinkBar>,
}

impl Plot for TopLinks {
    fn kind(&self) -> &'static str {
        "top-links"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let n = self.bars.len().max(1);
        let centers: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
        let labels: Vec<String> = self.bars.iter().map(|b| ellipsize(&b.label, 46)).collect();
        // The axis ends at 100% (or the busiest bar); the space to its right
        // holds the bars' labels and has no ticks.
        let top = self
            .bars
            .iter()
            .map(|b| b.busy * 100.0)
            .fold(100.0, f64::max);
        let xmax = top * 1.22;
        let mut chart = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(400)
            .build_cartesian_2d(0.0..xmax, keyed(0.0..n as f64, centers))
            .map_err(e)?;
        let label_of = |y: &f64| {
            // Row i (from the top) is drawn at y = n − 1 − i.
            let row = n as i64 - 1 - y.floor() as i64;
            labels.get(row.max(0) as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("busy fraction (% of line-rate capacity × run time)")
            .y_desc("link")
            .x_label_formatter(&|x| {
                if *x > top + 1e-9 {
                    String::new()
                } else {
                    format!("{x:.0}%")
                }
            })
            .y_label_formatter(&label_of)
            .label_style((FONT, LABEL_PT))
            .axis_desc_style((FONT, DESC_PT))
            .draw()
            .map_err(e)?;
        let mut tiers: Vec<&str> = Vec::new();
        for (i, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let color = tier_color(&b.tier);
            if !tiers.contains(&b.tier.as_str()) {
                tiers.push(&b.tier);
            }
            let x = b.busy * 100.0;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.15), (x, y + 0.85)],
                    color.filled(),
                )))
                .map_err(e)?;
            let text = match b.bytes {
                Some(bytes) => format!("{x:.0}% · {}", fmt_bytes_si(bytes)),
                None => format!("{x:.0}%"),
            };
            let style = TextStyle::from((FONT, LABEL_PT).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x + xmax * 0.01, y + 0.5),
                    style,
                )))
                .map_err(e)?;
        }
        let entries: Vec<_> = tiers
            .iter()
            .map(|t| (t.to_string(), tier_color(t), Mark::Box))
            .collect();
        legend(&side, "tier", &entries)
    }
}

/// One bar of a [`Breakdown`]: a topology's iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// The topology (x axis label).
    pub name: String,
    /// (category, seconds) bottom to top: `compute`, `exposed tp`, ...,
    /// `bubble`.
    pub segments: Vec<(String, f64)>,
}

/// Stacked bars: where an iteration's time goes, per topology.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    /// Heading drawn above the chart.
    pub title: String,
    /// One stacked bar per topology, left to right.
    pub bars: Vec<Stack>,
}

impl Plot for Breakdown {
    fn kind(&self) -> &'static str {
        "breakdown"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let tmax = self.bars.iter().map(stack_total).fold(0.0, f64::max);
        let (div, unit) = time_unit(tmax);
        stacked(
            root,
            &self.title,
            &self.bars,
            Axis {
                div,
                unit,
                y_desc: format!("time per iteration ({unit})"),
                legend: "time spent in",
                color: kind_color,
            },
        )
    }
}

/// The sum of a stack's segments.
fn stack_total(s: &Stack) -> f64 {
    s.segments.iter().map(|x| x.1).sum()
}

/// How a stacked chart scales and labels its values.
struct Axis {
    /// Values are divided by this for the axis.
    div: f64,
    /// The unit after dividing.
    unit: &'static str,
    /// The y axis description.
    y_desc: String,
    /// The legend heading.
    legend: &'static str,
    /// Colour of a category.
    color: fn(&str) -> RGBColor,
}

/// Stacked bars, one per entry of `bars`, the total printed above each.
fn stacked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    bars: &[Stack],
    axis: Axis,
) -> Result<(), String> {
    let (main, side) = layout(root, title)?;
    let n = bars.len().max(1);
    let tmax = bars.iter().map(stack_total).fold(0.0, f64::max);
    let (div, unit) = (axis.div, axis.unit);
    let ymax = if tmax > 0.0 { tmax / div * 1.12 } else { 1.0 };
    let centers: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    // Bar names wrap onto two lines under their bar (drawn below, not as
    // axis labels, which are one line).
    let max_chars = (110 / n).clamp(8, 40);
    let names: Vec<Vec<String>> = bars
        .iter()
        .map(|b| super::curves::wrap(&b.name, max_chars, 2))
        .collect();
    let mut chart = ChartBuilder::on(&main)
        .margin(20)
        .x_label_area_size(80)
        .y_label_area_size(80)
        .build_cartesian_2d(keyed(0.0..n as f64, centers), 0.0..ymax)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("topology")
        .y_desc(axis.y_desc.clone())
        .x_label_formatter(&|_| String::new())
        .label_style((FONT, LABEL_PT))
        .axis_desc_style((FONT, DESC_PT))
        .draw()
        .map_err(e)?;
    let under =
        TextStyle::from((FONT, LABEL_PT).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, lines) in names.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        for (k, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (x, y + 8 + 18 * k as i32),
                under.clone(),
            ))
            .map_err(e)?;
        }
    }
    let mut cats: Vec<&str> = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        let mut y = 0.0;
        for (cat, t) in &b.segments {
            if !cats.contains(&cat.as_str()) {
                cats.push(cat);
            }
            let h = t / div;
            if h > 0.0 {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x + 0.2, y), (x + 0.8, y + h)],
                        (axis.color)(cat).filled(),
                    )))
                    .map_err(e)?;
            }
            y += h;
        }
        let style =
            TextStyle::from((FONT, LABEL_PT).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{y:.3} {unit}"),
                (x + 0.5, y + ymax * 0.01),
                style,
            )))
            .map_err(e)?;
    }
    let entries: Vec<_> = cats
        .iter()
        .rev()
        .map(|c| (c.to_string(), (axis.color)(c), Mark::Box))
        .collect();
    legend(&side, axis.legend, &entries)
}

/// Stacked bars: where a system's energy goes, per topology (one training
/// iteration or one collective call); segments in joules.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyBreakdown {
    /// Heading drawn above the chart.
    pub title: String,
    /// What one bar is the energy of, for the y axis, e.g. `iteration`.
    pub per: String,
    /// One stacked bar per topology, left to right: (part, joules).
    pub bars: Vec<Stack>,
}

/// Joules scaled to J, kJ, MJ or GJ for an axis whose largest value is `max_j`.
pub fn energy_unit(max_j: f64) -> (f64, &'static str) {
    if max_j >= 1e9 {
        (1e9, "GJ")
    } else if max_j >= 1e6 {
        (1e6, "MJ")
    } else if max_j >= 1e3 {
        (1e3, "kJ")
    } else {
        (1.0, "J")
    }
}

/// Colour of an energy part (`fabricsim_energy::ByPart::named`).
pub fn part_color(part: &str) -> RGBColor {
    match part {
        "accel. compute" => OKABE_ITO[3],
        "accel. communication" => OKABE_ITO[1],
        "accel. idle" => RGBColor(0x99, 0x99, 0x99),
        "hosts" => OKABE_ITO[5],
        "NICs" => OKABE_ITO[6],
        "switches" => OKABE_ITO[4],
        "links and optics" => OKABE_ITO[2],
        "facility" => RGBColor(0x40, 0x40, 0x40),
        _ => OKABE_ITO[0],
    }
}

impl Plot for EnergyBreakdown {
    fn kind(&self) -> &'static str {
        "energy"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let jmax = self.bars.iter().map(stack_total).fold(0.0, f64::max);
        let (div, unit) = energy_unit(jmax);
        stacked(
            root,
            &self.title,
            &self.bars,
            Axis {
                div,
                unit,
                y_desc: format!("energy per {} ({unit})", self.per),
                legend: "energy drawn by",
                color: part_color,
            },
        )
    }
}

/// One bar of a [`Timeline`].
#[derive(Clone, Debug, PartialEq)]
pub struct GanttBar {
    /// The row (lanes top to bottom in order of first appearance).
    pub lane: String,
    /// Start of the bar \[s\].
    pub start_s: f64,
    /// End of the bar \[s\].
    pub end_s: f64,
    /// Colours the bar: a phase (`compute`, `tp`, `bubble`, ...) or a tier.
    pub kind: String,
}

/// A Gantt chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// Heading drawn above the chart.
    pub title: String,
    /// Legend heading: what `kind` means.
    pub kind_desc: String,
    /// The bars; lanes are listed in order of their first bar.
    pub bars: Vec<GanttBar>,
}

impl Plot for Timeline {
    fn kind(&self) -> &'static str {
        "timeline"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let mut lanes: Vec<&str> = Vec::new();
        let mut kinds: Vec<&str> = Vec::new();
        for b in &self.bars {
            if !lanes.contains(&b.lane.as_str()) {
                lanes.push(&b.lane);
            }
            if !kinds.contains(&b.kind.as_str()) {
                kinds.push(&b.kind);
            }
        }
        let n = lanes.len().max(1);
        let tmax = self.bars.iter().map(|b| b.end_s).fold(0.0, f64::max);
        let (div, unit) = time_unit(tmax);
        let xmax = if tmax > 0.0 { tmax / div * 1.02 } else { 1.0 };
        let names: Vec<String> = lanes.iter().map(|l| ellipsize(l, 44)).collect();
        // Room for the longest lane name (≈ 7 px a character at the label size).
        let widest = names.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
        let area = (widest * 7 + 30).clamp(120, 340);
        let mut chart = rows_over_time(&main, xmax, unit, &names, area, "", true)?;
        for b in &self.bars {
            let row = lanes.iter().position(|l| *l == b.lane).unwrap_or(0);
            let y = (n - 1 - row) as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(b.start_s / div, y + 0.2), (b.end_s / div, y + 0.8)],
                    kind_color(&b.kind).filled(),
                )))
                .map_err(e)?;
        }
        let entries: Vec<_> = kinds
            .iter()
            .map(|k| (k.to_string(), kind_color(k), Mark::Box))
            .collect();
        legend(&side, &self.kind_desc, &entries)
    }
}

/// Utilization of groups of links (rows) over time (columns).
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// Heading drawn above the chart.
    pub title: String,
    /// Row names, top to bottom (tiers).
    pub rows: Vec<String>,
    /// Column time spans \[s\], contiguous and increasing.
    pub spans: Vec<(f64, f64)>,
    /// `values[row][column]`, 0..1.
    pub values: Vec<Vec<f64>>,
    /// What a value is (colour-bar heading).
    pub value_desc: String,
}

impl Plot for Heatmap {
    fn kind(&self) -> &'static str {
        "heatmap"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (main, side) = layout(root, &self.title)?;
        let n = self.rows.len().max(1);
        let tmax = self.spans.iter().map(|s| s.1).fold(0.0, f64::max);
        let (div, unit) = time_unit(tmax);
        let xmax = if tmax > 0.0 { tmax / div } else { 1.0 };
        let names: Vec<String> = self.rows.iter().map(|l| ellipsize(l, 20)).collect();
        let mut chart = rows_over_time(&main, xmax, unit, &names, 140, "link tier", false)?;
        for (r, vals) in self.values.iter().enumerate() {
            let y = (n - 1 - r) as f64;
            chart
                .draw_series(self.spans.iter().zip(vals).map(|(&(a, b), &v)| {
                    Rectangle::new([(a / div, y), (b / div, y + 1.0)], viridis(v).filled())
                }))
                .map_err(e)?;
        }
        // Colour bar.
        let (x0, y0, h) = (20, 70, 300);
        side.draw(&Text::new(
            ellipsize(&self.value_desc, 30),
            (10, 40),
            (FONT, LABEL_PT + 1),
        ))
        .map_err(e)?;
        for i in 0..h {
            let v = 1.0 - i as f64 / (h - 1) as f64;
            side.draw(&Rectangle::new(
                [(x0, y0 + i), (x0 + 30, y0 + i + 1)],
                viridis(v).filled(),
            ))
            .map_err(e)?;
        }
        for k in 0..=4 {
            let y = y0 + (h - 1) * (4 - k) / 4;
            side.draw(&Text::new(
                format!("{}%", 25 * k),
                (x0 + 40, y - 8),
                (FONT, LABEL_PT),
            ))
            .map_err(e)?;
        }
        Ok(())
    }
}
