//! The readers shared by the tables of a job file: a key's [`Field`]
//! (absent, invalid or read), a table's [`Tab`] (for "missing" reports),
//! counts within 1 (or 0) to 2³² − 1 (rule 4), positive finite numbers and
//! quantities (rule 5), top-level tables (rule 3), and divisor hints for
//! the divisibility rules.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::TOP_KEYS;
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::{Sp, Val, get, missing_among, quantity, uint, wrong_type};
use fabricsim_base::suggest::did_you_mean;
use fabricsim_base::units::Quantity;

pub(super) type Span = Range<usize>;

/// Largest count accepted (the `Job` fields are `u32`).
pub(super) const MAX_COUNT: u64 = u32::MAX as u64;

/// A key's value: absent, present but invalid (already reported), or read.
pub(super) enum Field<T> {
    Absent,
    Bad,
    Val(T),
}

impl<T> Field<T> {
    pub(super) fn read(
        t: &DeTable<'_>,
        key: &str,
        f: impl FnOnce(&Val<'_>) -> Option<T>,
    ) -> Field<T> {
        match get(t, key) {
            None => Field::Absent,
            Some(v) => f(v).map_or(Field::Bad, Field::Val),
        }
    }

    /// The value, or `default` when absent; `None` when invalid.
    pub(super) fn or(self, default: T) -> Option<T> {
        match self {
            Field::Absent => Some(default),
            Field::Bad => None,
            Field::Val(v) => Some(v),
        }
    }

    pub(super) fn present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// One table of the file, for `missing` reports.
pub(super) struct Tab<'a, 'i> {
    pub(super) t: &'a DeTable<'i>,
    pub(super) span: Span,
    pub(super) what: &'static str,
    pub(super) keys: &'static [&'static str],
}

impl Tab<'_, '_> {
    /// Reports `key` missing (unless a misspelling of it was reported).
    pub(super) fn missing(&self, sink: &mut Sink<'_>, key: &str, example: &str) {
        missing_among(sink, self.t, &self.span, key, self.what, example, self.keys);
    }

    /// A required key: reports it missing when absent.
    pub(super) fn required<T>(
        &self,
        sink: &mut Sink<'_>,
        key: &str,
        example: &str,
        f: Field<T>,
    ) -> Option<T> {
        match f {
            Field::Absent => {
                self.missing(sink, key, example);
                None
            }
            Field::Bad => None,
            Field::Val(v) => Some(v),
        }
    }
}

/// A count in `min..=MAX_COUNT`, with its span.
pub(super) fn count(sink: &mut Sink<'_>, t: &DeTable<'_>, key: &str, min: u64) -> Field<Sp<u64>> {
    Field::read(t, key, |v| {
        uint(sink, v, key, min, MAX_COUNT).map(|n| Sp {
            v: n,
            span: v.span(),
        })
    })
}

/// Most `parameters` a model may have: 10¹⁵, about 500 times the largest
/// published model, low enough that FLOPs and byte counts stay finite.
pub const MAX_PARAMETERS: f64 = 1e15;

/// Most `tflops_per_accelerator`: 10⁶ TFLOPS (an exaflop per accelerator).
pub const MAX_TFLOPS: f64 = 1e6;

/// A finite, positive plain number (integer or float) of at most `max`.
pub(super) fn number(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    example: &str,
    max: f64,
) -> Option<Sp<f64>> {
    let (x, text) = match v.get_ref() {
        DeValue::Float(f) => (f.as_str().parse::<f64>().ok(), f.to_string()),
        DeValue::Integer(i) => (
            i128::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            i.to_string(),
        ),
        DeValue::String(s) => {
            let help = if s.trim().parse::<f64>().is_ok() {
                format!("remove the quotes: {key} = {}", s.trim())
            } else {
                format!("write a plain number, e.g. {key} = {example}")
            };
            wrong_type(sink, v, key, "a number", Some(help));
            return None;
        }
        _ => {
            wrong_type(sink, v, key, "a number", None);
            return None;
        }
    };
    match x {
        Some(x) if x.is_finite() && x > max => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be at most {max:e}, found {text}"),
                Some(format!(
                    "values above {max:e} are refused so that every result stays finite; e.g. {key} = {example}"
                )),
            );
            None
        }
        Some(x) if x.is_finite() && x > 0.0 => Some(Sp {
            v: x,
            span: v.span(),
        }),
        Some(x) if x.is_finite() => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be positive, found {text}"),
                Some(format!("e.g. {key} = {example}")),
            );
            None
        }
        _ => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be a finite number, found {text}"),
                Some(format!("e.g. {key} = {example}")),
            );
            None
        }
    }
}

/// A quantity string that must be positive.
pub(super) fn positive_quantity(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    q: Quantity,
) -> Option<f64> {
    let x = quantity(sink, v, key, q)?;
    if x.v > 0.0 {
        return Some(x.v);
    }
    sink.error(
        x.span,
        format!("\"{key}\" must be positive, found zero"),
        None,
    );
    None
}

/// A top-level table, reported when missing or not a table.
pub(super) fn table<'a, 'i>(
    sink: &mut Sink<'_>,
    root: &'a DeTable<'i>,
    key: &str,
    (what, keys): (&'static str, &'static [&'static str]),
    needs: &str,
) -> Option<Tab<'a, 'i>> {
    match get(root, key) {
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => Some(Tab {
                t,
                span: v.span(),
                what,
                keys,
            }),
            _ => {
                wrong_type(sink, v, key, &format!("a table ({what})"), None);
                None
            }
        },
        None => {
            // A misspelt table name was already reported as an unknown key.
            let misspelt = root.iter().any(|(k, _)| {
                let k: &str = k.get_ref();
                !TOP_KEYS.contains(&k) && did_you_mean(k, std::iter::once(key)).is_some()
            });
            if !misspelt {
                sink.error(
                    0..0,
                    format!("missing table {what}"),
                    Some(format!("add {what} with {needs} (docs/workload-format.md)")),
                );
            }
            None
        }
    }
}

/// The divisors of `n` as a hint, when there are few enough to list.
pub(super) fn divisors_hint(n: u64) -> String {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1;
    while d * d <= n {
        if n.is_multiple_of(d) {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        if small.len() + large.len() > 16 {
            return String::new();
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    let list: Vec<String> = small.iter().map(u64::to_string).collect();
    format!(" (the divisors of {n}: {})", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_hints() {
        assert_eq!(
            divisors_hint(12),
            " (the divisors of 12: 1, 2, 3, 4, 6, 12)"
        );
        assert_eq!(
            divisors_hint(64),
            " (the divisors of 64: 1, 2, 4, 8, 16, 32, 64)"
        );
        assert_eq!(divisors_hint(1), " (the divisors of 1: 1)");
        // 720720 has 240 divisors: too many to list.
        assert_eq!(divisors_hint(720_720), "");
    }
}
