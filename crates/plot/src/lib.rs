//! Plots of simulation results, as PNG and SVG, with plotters.
//!
//! Five kinds: busbw against message size ([`Busbw`]), the most utilized
//! links ([`TopLinks`]), the iteration breakdown of jobs ([`Breakdown`]), a
//! Gantt chart of a collective's steps or an iteration's phases
//! ([`Timeline`]) and a tier × time utilization heatmap ([`Heatmap`]). Each is
//! plain data (build it by hand or with the adapters in `fabricsim_report::plot_data`) and
//! [`render`]s to bytes in memory: the library never writes files; the CLI and
//! the examples do.
//!
//! Text uses the DejaVu Sans font shipped in `crates/plot/assets/fonts/` (Bitstream Vera
//! licence, `crates/plot/assets/fonts/LICENSE-DejaVu.txt`) through plotters' `ab_glyph`
//! path for SVG and laid out by `text.rs` for PNG, so rendering needs no
//! system font or image library. Colours are
//! the Okabe–Ito palette (safe for colour-blind readers) and viridis for the
//! heatmap.
//!
//! Invariant: same data → byte-identical PNG and SVG.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod charts;
mod curves;
mod sweep;
mod text;
mod validation;

pub use charts::{
    Breakdown, Busbw, EnergyBreakdown, GanttBar, Heatmap, LinkBar, Series, Stack, Timeline,
    TopLinks, energy_unit, part_color,
};
pub use sweep::SweepLines;
pub use validation::{ErrorVsSize, PointGroup, PredictedVsMeasured};

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of every plot \[pixels\].
pub const SIZE: (u32, u32) = (1200, 700);

/// The font family every text of a plot uses (registered once).
pub(crate) const FONT: &str = "sans-serif";

pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let ok = plotters::style::register_font(FONT, style, FONT_BYTES).is_ok();
            debug_assert!(ok, "the shipped DejaVu Sans font parses");
        }
    });
}

/// Why a plot could not be drawn (a bug or degenerate data, never input).
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// plotters failed while drawing.
    #[error("drawing {plot}: {message}")]
    Draw {
        /// The plot's [`Plot::kind`].
        plot: &'static str,
        /// plotters' error.
        message: String,
    },
    /// The drawn pixels could not be encoded as PNG.
    #[error("encoding {plot} as png: {message}")]
    Png {
        /// The plot's [`Plot::kind`].
        plot: &'static str,
        /// The encoder's error.
        message: String,
    },
}

/// One plot rendered both ways.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// A PNG file's bytes, [`SIZE`] pixels, 8-bit RGB.
    pub png: Vec<u8>,
    /// An SVG document.
    pub svg: String,
}

/// A plot that can draw itself on any plotters backend.
pub trait Plot {
    /// Short name for errors (`busbw`, `top-links`, ...).
    fn kind(&self) -> &'static str;
    /// Draws on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Renders `plot` as PNG and SVG of [`SIZE`].
pub fn render(plot: &impl Plot) -> Result<Rendered, PlotError> {
    register_font();
    let (w, h) = SIZE;
    let err = |message: String| PlotError::Draw {
        plot: plot.kind(),
        message,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        plot.draw(&root).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = text::Text(BitMapBackend::with_buffer(&mut rgb, SIZE)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        plot.draw(&root).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let png = encode_png(&rgb, w, h).map_err(|message| PlotError::Png {
        plot: plot.kind(),
        message,
    })?;
    Ok(Rendered { png, svg })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008)
/// without black: orange, sky blue, bluish green, blue, vermillion, reddish
/// purple, yellow.
pub const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// The `i`-th series colour (cycling).
pub fn series_color(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// Colour of an iteration phase or collective kind, fixed so that every plot
/// agrees: compute blue, tp orange, cp sky blue, ep reddish purple, pp bluish
/// green, dp vermillion, bubble grey; anything else yellow.
pub fn kind_color(kind: &str) -> RGBColor {
    let k = kind.trim_start_matches("exposed ").to_ascii_lowercase();
    match k.as_str() {
        "compute" => OKABE_ITO[3],
        "tp" => OKABE_ITO[0],
        "cp" => OKABE_ITO[1],
        "ep" => OKABE_ITO[5],
        "pp" => OKABE_ITO[2],
        "dp" => OKABE_ITO[4],
        "bubble" | "latency" => RGBColor(0x99, 0x99, 0x99),
        _ => tier_color(&k),
    }
}

/// Colour of a link tier.
pub fn tier_color(tier: &str) -> RGBColor {
    match tier {
        "scale-up" => OKABE_ITO[0],
        "leaf" => OKABE_ITO[1],
        "spine" => OKABE_ITO[2],
        "core" => OKABE_ITO[5],
        "dci" => OKABE_ITO[4],
        _ => OKABE_ITO[6],
    }
}

/// Viridis at `x` ∈ \[0, 1\] (perceptually uniform, colour-blind safe),
/// interpolated between nine anchors of matplotlib's table.
pub fn viridis(x: f64) -> RGBColor {
    const A: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let x = if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let p = x * (A.len() - 1) as f64;
    let i = (p.floor() as usize).min(A.len() - 2);
    let f = p - i as f64;
    let lerp = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    RGBColor(
        lerp(A[i].0, A[i + 1].0),
        lerp(A[i].1, A[i + 1].1),
        lerp(A[i].2, A[i + 1].2),
    )
}

/// `1 MiB`, `512 KiB`, `1.5 GiB`: powers of 1024.
pub fn fmt_bytes(b: f64) -> String {
    const U: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < U.len() {
        v /= 1024.0;
        u += 1;
    }
    if (v - v.round()).abs() < 1e-9 {
        format!("{} {}", v.round(), U[u])
    } else {
        format!("{v:.1} {}", U[u])
    }
}

/// `12.3 GB`: powers of 1000, as byte counts of links are printed.
pub fn fmt_bytes_si(b: f64) -> String {
    const U: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = b;
    let mut u = 0;
    while v.abs() >= 1000.0 && u + 1 < U.len() {
        v /= 1000.0;
        u += 1;
    }
    format!("{v:.1} {}", U[u])
}

/// A time unit for an axis whose largest value is `max_s`: (divisor, name).
pub fn time_unit(max_s: f64) -> (f64, &'static str) {
    if max_s >= 1.0 {
        (1.0, "s")
    } else if max_s >= 1e-3 {
        (1e-3, "ms")
    } else {
        (1e-6, "µs")
    }
}

/// A file-name stem from free text (topology or job names): ASCII letters,
/// digits, `-` and `_` only, everything else `-`, never empty, at most 80
/// characters, so it cannot name a directory or leave one.
pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if s.trim_matches('-').is_empty() {
        s = "plot".into();
    }
    s
}

/// Cuts `s` to `max` characters with an ellipsis.
pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_names_inside_the_directory() {
        assert_eq!(sanitize("../../etc/passwd"), "------etc-passwd");
        assert_eq!(sanitize("gb300 nvl72/16"), "gb300-nvl72-16");
        assert_eq!(sanitize(".."), "plot");
        assert_eq!(sanitize(""), "plot");
    }

    #[test]
    fn byte_labels() {
        assert_eq!(fmt_bytes(1024.0 * 1024.0), "1 MiB");
        assert_eq!(fmt_bytes(8.0 * 1024.0 * 1024.0 * 1024.0), "8 GiB");
        assert_eq!(fmt_bytes(1536.0), "1.5 KiB");
        assert_eq!(fmt_bytes_si(12.34e9), "12.3 GB");
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }
}
