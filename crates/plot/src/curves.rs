//! Telling curves apart: every solid curve gets its own marker shape, and
//! a curve that lies on an earlier one (every point within half a percent
//! of the y axis) says so in the legend, so no series disappears unnoticed
//! behind another.

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;

/// A point marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Dot,
    Triangle,
    Cross,
    Ring,
}

/// The marker of the `k`-th solid curve of a chart.
pub(super) fn shape(k: usize) -> Shape {
    [Shape::Dot, Shape::Triangle, Shape::Cross, Shape::Ring][k % 4]
}

/// Draws `shape` at every point of `pts` on `chart`.
pub(super) fn draw_markers<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    pts: &[(f64, f64)],
    shape: Shape,
    color: RGBColor,
) -> Result<(), String>
where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let it = pts.iter().copied();
    match shape {
        Shape::Dot => chart
            .draw_series(it.map(|q| Circle::new(q, 4, color.filled())))
            .map(drop),
        Shape::Triangle => chart
            .draw_series(it.map(|q| TriangleMarker::new(q, 6, color.filled())))
            .map(drop),
        Shape::Cross => chart
            .draw_series(it.map(|q| Cross::new(q, 5, color.stroke_width(2))))
            .map(drop),
        Shape::Ring => chart
            .draw_series(it.map(|q| Circle::new(q, 6, color.stroke_width(2))))
            .map(drop),
    }
    .map_err(|e| e.to_string())
}

/// Draws `shape` at pixel `at` of `area` (a legend's sample).
pub(super) fn draw_marker_at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: Shape,
    color: RGBColor,
) -> Result<(), String> {
    match shape {
        Shape::Dot => area.draw(&Circle::new(at, 4, color.filled())),
        Shape::Triangle => area.draw(&TriangleMarker::new(at, 6, color.filled())),
        Shape::Cross => area.draw(&Cross::new(at, 5, color.stroke_width(2))),
        Shape::Ring => area.draw(&Circle::new(at, 6, color.stroke_width(2))),
    }
    .map_err(|e| e.to_string())
}

/// Whether two curves are the same to the eye: the same x positions, and
/// every y within `tol` (an absolute distance in y units).
pub(super) fn coincide(a: &[(f64, f64)], b: &[(f64, f64)], tol: f64) -> bool {
    !a.is_empty()
        && a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(p, q)| p.0 == q.0 && (p.1 - q.1).abs() <= tol)
}

/// For each curve, the index of the first earlier curve it coincides with
/// (`coincide` at half a percent of `ymax`).
pub(super) fn coincident(curves: &[&[(f64, f64)]], ymax: f64) -> Vec<Option<usize>> {
    let tol = 0.005 * ymax.abs();
    (0..curves.len())
        .map(|i| (0..i).find(|&j| coincide(curves[i], curves[j], tol)))
        .collect()
}

/// `text` broken at spaces into lines of at most `width` characters; a
/// word longer than `width` gets a line of its own (and is ellipsized
/// there), and past `max_lines` the last line is ellipsized.
pub(super) fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if line.is_empty() || !fits {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = word.to_string();
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(rest);
    }
    lines
        .into_iter()
        .map(|l| super::ellipsize(&l, width))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_caps_lines() {
        assert_eq!(wrap("a b", 26, 3), ["a b"]);
        assert_eq!(
            wrap("h100-2tier-16node (intact) coincides with x", 26, 3),
            ["h100-2tier-16node (intact)", "coincides with x"]
        );
        let w = wrap("aaaa bbbb cccc dddd", 4, 2);
        assert_eq!(w, ["aaaa", "bbb…"]);
        assert!(wrap(&"x".repeat(40), 10, 3)[0].ends_with('…'));
    }

    #[test]
    fn coincidence_within_tolerance_only() {
        let a = [(1.0, 10.0), (2.0, 20.0)];
        let b = [(1.0, 10.4), (2.0, 20.0)];
        let c = [(1.0, 11.0), (2.0, 20.0)];
        // ymax 100: tolerance 0.5.
        assert_eq!(coincident(&[&a, &b, &c], 100.0), [None, Some(0), None]);
        // Different x positions never coincide.
        assert!(!coincide(&a, &[(1.0, 10.0), (3.0, 20.0)], 1.0));
    }
}
