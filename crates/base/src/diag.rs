//! Diagnostics: every problem found in an input file, with its position.
//!
//! A [`Diagnostic`] is one error with a 1-based line and column (taken from
//! the TOML spans), a message saying what was expected, and an optional hint.
//! [`Diagnostics`] is the error type of the loaders: it holds *all* problems
//! of a file, sorted by position, and renders them as
//!
//! ```text
//! path:line:col: error: message
//!   help: hint
//! ```

use std::fmt;
use std::ops::Range;

use thiserror::Error;

/// One problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, as given to the loader.
    pub path: String,
    /// 1-based line, or 0 when the problem has no position (e.g. unreadable file).
    pub line: usize,
    /// 1-based column in characters, or 0 when there is no position.
    pub col: usize,
    /// Byte offset into the file, used for ordering.
    #[serde(skip)]
    pub offset: usize,
    /// What is wrong and what was expected, lowercase, no trailing period.
    pub message: String,
    /// How to fix it, if there is something useful to say.
    pub help: Option<String>,
    /// An error stops the run; a warning (a plausibility check) is printed
    /// and the run goes on, unless warnings are denied.
    pub severity: Severity,
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong: nothing runs.
    #[default]
    Error,
    /// The input is valid but far from anything real (a unit slip?).
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {sev}: {}",
                self.path, self.line, self.col, self.message
            )?;
        } else {
            write!(f, "{}: {sev}: {}", self.path, self.message)?;
        }
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// All problems found in one file, sorted by position (then message).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{}", self.render())]
pub struct Diagnostics {
    /// The problems, in file order.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Renders every diagnostic, one per paragraph, in file order.
    pub fn render(&self) -> String {
        self.items
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no problems (never true for a returned error).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterates over the problems in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// The problem of a file that could not be read as text: located when
    /// it is a bad byte, else without position.
    pub fn from_read(path: &str, e: &crate::limits::ReadError) -> Diagnostics {
        let (line, col) = e.location().unwrap_or((0, 0));
        Diagnostics {
            items: vec![Diagnostic {
                path: path.to_string(),
                line,
                col,
                offset: 0,
                message: e.to_string(),
                help: e.help(),
                severity: Severity::Error,
            }],
        }
    }

    /// A single problem without a position, e.g. an I/O error.
    pub fn without_position(path: &str, message: String) -> Diagnostics {
        Diagnostics {
            items: vec![Diagnostic {
                path: path.to_string(),
                line: 0,
                col: 0,
                offset: 0,
                message,
                help: None,
                severity: Severity::Error,
            }],
        }
    }
}

/// Collects diagnostics for one source text and converts spans to lines.
pub struct Sink<'s> {
    src: &'s str,
    path: &'s str,
    line_starts: Vec<usize>,
    items: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'s> Sink<'s> {
    /// A sink for the text `src` of the file shown as `path`.
    pub fn new(src: &'s str, path: &'s str) -> Sink<'s> {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Sink {
            src,
            path,
            line_starts,
            items: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// 1-based (line, column in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .src
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Records an error at the start of `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let (line, col) = self.line_col(span.start);
        self.items.push(Diagnostic {
            path: self.path.to_string(),
            line,
            col,
            offset: span.start,
            message: message.into(),
            help,
            severity: Severity::Error,
        });
    }

    /// Records a warning at the start of `span`: the value is valid but
    /// implausible; the run goes on (see [`Severity::Warning`]).
    pub fn warn(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let (line, col) = self.line_col(span.start);
        self.warnings.push(Diagnostic {
            path: self.path.to_string(),
            line,
            col,
            offset: span.start,
            message: message.into(),
            help,
            severity: Severity::Warning,
        });
    }

    /// The warnings recorded so far, in file order (taken out of the sink).
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let mut w = std::mem::take(&mut self.warnings);
        w.sort_by(|a, b| {
            a.offset
                .cmp(&b.offset)
                .then_with(|| a.message.cmp(&b.message))
        });
        w.dedup();
        w
    }

    /// Records an error about the file as a whole, without a position (e.g.
    /// one caused by a command-line `--fail` flag rather than by the text).
    pub fn error_unlocated(&mut self, message: impl Into<String>, help: Option<String>) {
        self.items.push(Diagnostic {
            path: self.path.to_string(),
            line: 0,
            col: 0,
            offset: 0,
            message: message.into(),
            help,
            severity: Severity::Error,
        });
    }

    /// Records a diagnostic of another file this one depends on (a
    /// topology's calibration file), kept with its own path and place.
    pub fn push_other(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        !self.items.is_empty()
    }

    /// How many errors were reported.
    pub fn error_count(&self) -> usize {
        self.items.len()
    }

    /// The sorted diagnostics, or `None` if there are none.
    pub fn finish(mut self) -> Option<Diagnostics> {
        if self.items.is_empty() {
            return None;
        }
        self.items.sort_by(|a, b| {
            a.offset
                .cmp(&b.offset)
                .then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
        Some(Diagnostics { items: self.items })
    }
}

pub use crate::suggest::did_you_mean;

/// `; did you mean "x"?` or the empty string.
pub fn suggestion<'c, I>(input: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'c str>,
{
    match did_you_mean(input, candidates.into_iter()) {
        Some(c) => format!("; did you mean \"{c}\"?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        let s = Sink::new("ab\nµx = 1\n", "f");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        // 'µ' is two bytes: byte 5 is the 'x', column 2.
        assert_eq!(s.line_col(5), (2, 2));
    }
}
