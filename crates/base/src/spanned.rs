//! Reading TOML with source spans: every value keeps the byte range it came
//! from, so a problem is reported at `file:line:col` with what was expected
//! and a hint. The topology, job and sweep readers share these helpers; no
//! reader deserializes without spans.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::Sink;
use crate::units::{Quantity, UnitError};

/// A byte range of the source text.
pub type Span = Range<usize>;
/// A TOML value with its span.
pub type Val<'i> = Spanned<DeValue<'i>>;

/// A value with the span of its source text.
#[derive(Clone, Debug)]
pub struct Sp<T> {
    /// The value.
    pub v: T,
    /// Where it was written.
    pub span: Span,
}

/// Largest integer accepted for any count field (ids are `u32`).
pub const MAX_INT: u64 = u32::MAX as u64;

/// Reports every key of `t` that is not in `allowed`.
pub fn check_keys(sink: &mut Sink<'_>, t: &DeTable<'_>, allowed: &[&str], what: &str) {
    for (k, _) in t.iter() {
        let key: &str = k.get_ref();
        if !allowed.contains(&key) {
            let help = match crate::diag::did_you_mean(key, allowed.iter().copied()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("the keys of {what} are: {}", allowed.join(", ")),
            };
            sink.error(
                k.span(),
                format!("unknown key \"{key}\" in {what}"),
                Some(help),
            );
        }
    }
}

/// The value of `key` in `t`, if present.
pub fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Val<'i>> {
    t.get(key)
}

/// Reports a missing required key at the table's header, unless a misspelt
/// key of the table (already reported as unknown) looks like it.
pub fn missing(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: &Span,
    key: &str,
    what: &str,
    example: &str,
) {
    missing_among(sink, t, span, key, what, example, &[]);
}

/// [`missing`] for a table whose valid keys are `known`: those are never
/// taken for misspellings of `key` (short keys such as `tp` and `pp` are one
/// edit apart).
pub fn missing_among(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: &Span,
    key: &str,
    what: &str,
    example: &str,
    known: &[&str],
) {
    let misspelt = t.iter().any(|(k, _)| {
        let k: &str = k.get_ref();
        k != key
            && !known.contains(&k)
            && crate::diag::did_you_mean(k, std::iter::once(key)).is_some()
    });
    if misspelt {
        return;
    }
    sink.error(
        span.clone(),
        format!("missing key \"{key}\" in {what}"),
        Some(format!("add e.g. {key} = {example}")),
    );
}

/// Reports that `key` holds a value of the wrong type (`expected` says what it must be).
pub fn wrong_type(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    expected: &str,
    help: Option<String>,
) {
    sink.error(
        v.span(),
        format!(
            "\"{key}\" must be {expected}, found {}",
            v.get_ref().type_str()
        ),
        help,
    );
}

/// A string value, or a wrong-type error.
pub fn string<'a>(
    sink: &mut Sink<'_>,
    v: &'a Val<'_>,
    key: &str,
    expected: &str,
) -> Option<Sp<&'a str>> {
    match v.get_ref() {
        DeValue::String(s) => Some(Sp {
            v: s.as_ref(),
            span: v.span(),
        }),
        _ => {
            wrong_type(sink, v, key, expected, None);
            None
        }
    }
}

/// An integer in `min..=max`.
pub fn uint(sink: &mut Sink<'_>, v: &Val<'_>, key: &str, min: u64, max: u64) -> Option<u64> {
    let range = format!("an integer from {min} to {max}");
    match v.get_ref() {
        DeValue::Integer(i) => {
            let n = i128::from_str_radix(i.as_str(), i.radix()).ok();
            match n {
                Some(n) if n >= i128::from(min) && n <= i128::from(max) => Some(n as u64),
                _ => {
                    sink.error(
                        v.span(),
                        format!("\"{key}\" must be {range}, found {i}"),
                        None,
                    );
                    None
                }
            }
        }
        DeValue::String(s) if s.trim().parse::<u64>().is_ok() => {
            let help = format!("remove the quotes: {key} = {}", s.trim());
            wrong_type(sink, v, key, &range, Some(help));
            None
        }
        _ => {
            wrong_type(sink, v, key, &range, None);
            None
        }
    }
}

/// A boolean value, or a wrong-type error.
pub fn boolean(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<bool> {
    match v.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        _ => {
            wrong_type(sink, v, key, "true or false", None);
            None
        }
    }
}

/// A quantity string with a unit; numbers are refused with a hint.
pub fn quantity(sink: &mut Sink<'_>, v: &Val<'_>, key: &str, q: Quantity) -> Option<Sp<f64>> {
    let example = match q {
        Quantity::Bandwidth => "\"50 GB/s\"",
        Quantity::Duration => "\"300 ns\"",
        Quantity::DataSize => "\"64 MiB\"",
    };
    match v.get_ref() {
        DeValue::String(s) => match parse_q(q, s) {
            Ok(x) if x > q.max().0 => {
                let (_, max) = q.max();
                sink.error(
                    v.span(),
                    format!(
                        "\"{key}\" = \"{s}\" is above the largest accepted {}, {max}",
                        q.name()
                    ),
                    Some(format!(
                        "values above {max} are refused so that every result stays finite; \
                         check the unit"
                    )),
                );
                None
            }
            Ok(x) => Some(Sp {
                v: x,
                span: v.span(),
            }),
            Err(e) => {
                sink.error(
                    v.span(),
                    format!("invalid {} for \"{key}\": {}", q.name(), e.reason),
                    Some(e.help()),
                );
                None
            }
        },
        DeValue::Integer(_) | DeValue::Float(_) => {
            sink.error(
                v.span(),
                format!(
                    "\"{key}\" must be a string with a unit, e.g. {example}, found a bare number"
                ),
                Some(format!("write {}", q.accepted_forms())),
            );
            None
        }
        _ => {
            wrong_type(
                sink,
                v,
                key,
                &format!("a string with a unit, e.g. {example}"),
                None,
            );
            None
        }
    }
}

/// Parses `s` as a quantity of kind `q` into base units (bytes, bytes/s, seconds).
pub fn parse_q(q: Quantity, s: &str) -> Result<f64, UnitError> {
    use crate::units::{Bytes, BytesPerSec, Seconds};
    match q {
        Quantity::DataSize => s.parse::<Bytes>().map(Bytes::get),
        Quantity::Bandwidth => s.parse::<BytesPerSec>().map(BytesPerSec::get),
        Quantity::Duration => s.parse::<Seconds>().map(Seconds::get),
    }
}

/// A bandwidth that must also be positive.
pub fn bandwidth(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Sp<f64>> {
    let b = quantity(sink, v, key, Quantity::Bandwidth)?;
    if b.v > 0.0 {
        Some(b)
    } else {
        sink.error(
            b.span.clone(),
            format!("\"{key}\" must be positive, found zero"),
            Some("a link that carries nothing should be removed instead".to_string()),
        );
        None
    }
}

/// `efficiency`: a number in (0, 1].
pub fn fraction(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Sp<f64>> {
    let x = match v.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        _ => {
            wrong_type(sink, v, key, "a number in (0, 1]", None);
            return None;
        }
    };
    match x {
        Some(x) if x > 0.0 && x <= 1.0 => Some(Sp {
            v: x,
            span: v.span(),
        }),
        _ => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be a number greater than 0 and at most 1"),
                Some(
                    "efficiency is the achievable fraction of the line rate, e.g. 0.8".to_string(),
                ),
            );
            None
        }
    }
}

/// Iterates the tables of an array-of-tables key (`[[nodes]]` or `nodes = [{..}]`).
pub fn tables<'a, 'i>(
    sink: &mut Sink<'_>,
    v: &'a Val<'i>,
    key: &str,
) -> Vec<(&'a DeTable<'i>, Span)> {
    match v.get_ref() {
        DeValue::Array(items) => {
            let mut out = Vec::new();
            for it in items.iter() {
                match it.get_ref() {
                    DeValue::Table(t) => out.push((t, it.span())),
                    _ => wrong_type(sink, it, key, &format!("a table ([[{key}]])"), None),
                }
            }
            out
        }
        _ => {
            wrong_type(
                sink,
                v,
                key,
                &format!("an array of tables ([[{key}]])"),
                None,
            );
            Vec::new()
        }
    }
}

/// Parses TOML text into its spanned tree, or reports every syntax error
/// (one per line: later errors on a line are usually cascades) and returns
/// `None`. Shared by the topology and job readers.
pub fn parse_document<'i>(sink: &mut Sink<'_>, src: &'i str) -> Option<Spanned<DeTable<'i>>> {
    let (root, errors) = DeTable::parse_recoverable(src);
    if errors.is_empty() {
        return Some(root);
    }
    let mut seen_lines = Vec::new();
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let line = sink.line_col(span.start).0;
        if !seen_lines.contains(&line) {
            seen_lines.push(line);
            let msg = e.message().trim();
            let key = src
                .get(span.clone())
                .filter(|k| !k.is_empty() && k.len() <= 80);
            match (msg, key) {
                ("duplicate key", Some(k)) => sink.error(
                    span,
                    format!("invalid TOML: duplicate key `{k}`"),
                    Some(
                        "a key or [table] may appear once; [[table]] starts a list of tables"
                            .to_string(),
                    ),
                ),
                _ => sink.error(span, format!("invalid TOML: {msg}"), None),
            }
        }
    }
    None
}
