//! Quantities with units: [`Bytes`], [`Seconds`] and [`BytesPerSec`].
//!
//! Every quantity is an `f64` in SI base units (bytes, seconds, bytes per
//! second). The newtypes implement only the operations that make physical
//! sense: `Bytes / BytesPerSec = Seconds`, `BytesPerSec * Seconds = Bytes`,
//! `Bytes / Seconds = BytesPerSec`, same-unit `+`, `-`, `Sum`, scaling by an
//! `f64`, and the dimensionless ratio of two like quantities. Use
//! [`Bytes::get`] (and friends) to leave the typed world.
//!
//! # Parsing
//!
//! [`FromStr`] reads human strings: a number, optional whitespace, a unit.
//!
//! | Quantity      | Units                                                                 |
//! |---------------|-----------------------------------------------------------------------|
//! | [`Bytes`]     | `B` (bytes) or `b` (bits) with an optional prefix: `64 MB`, `1 GiB`, `8 Gb` |
//! | [`BytesPerSec`] | a data unit followed by `/s` (`50 GB/s`, `800 Gb/s`), or `bps`/`Bps` with a prefix (`400 Gbps`) |
//! | [`Seconds`]   | `s`, `ms`, `us` (also `µs`, `μs`), `ns`                              |
//!
//! Prefixes: `k`/`K`, `M`, `G`, `T`, `P` are powers of 1000; `Ki`, `Mi`, `Gi`,
//! `Ti`, `Pi` are powers of 1024. `B` is a byte and `b` a bit (1/8 byte), so
//! `"800 Gb/s"` is 100e9 bytes/s.
//!
//! Decisions, so that no string is read two ways:
//! - **Lowercase `k` is accepted** and equals `K` (1000): SI writes kilo as `k`,
//!   networking often writes `K`, and neither can mean anything else. Every
//!   other prefix must be uppercase, because lowercase `m` is milli and
//!   `g`/`t`/`p` are not prefixes at all: `"1 mb"`, `"1 gb"` and `"1 g"` are
//!   rejected.
//! - **Bare numbers** are accepted only for [`Bytes`] (a byte count, as in
//!   nccl-tests' `-b 8`). A bare number is rejected for [`BytesPerSec`] and
//!   [`Seconds`]: in practice it is as often Gb/s or µs as it is the base unit,
//!   and a silent factor of 1e9 is the worst kind of error.
//! - A unit of the wrong dimension is named in the error (`"5 GB"` where a
//!   bandwidth is expected: "a data size, not a bandwidth").
//! - Negative values, NaN, infinities, values that overflow `f64` after
//!   scaling, and empty strings are rejected. Zero is accepted here; callers
//!   that need a positive value (link bandwidth) check it themselves.
//!
//! # Example
//! ```
//! use fabricsim_base::units::{Bytes, BytesPerSec, Seconds};
//! let size: Bytes = "1 GiB".parse().unwrap();
//! let bw: BytesPerSec = "800 Gb/s".parse().unwrap();
//! assert_eq!(bw.get(), 100e9);
//! let t: Seconds = size / bw;
//! assert!((t.get() - 1073741824.0 / 100e9).abs() < 1e-15);
//! assert!("5 GB".parse::<BytesPerSec>().is_err());
//! ```

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Sub, SubAssign};
use std::str::FromStr;

use thiserror::Error;

/// A data size \[bytes\].
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Bytes(pub f64);

/// A duration \[s\].
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Seconds(pub f64);

/// A bandwidth \[bytes/s\].
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct BytesPerSec(pub f64);

/// Which kind of quantity a string was expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// A [`Bytes`] value.
    DataSize,
    /// A [`BytesPerSec`] value.
    Bandwidth,
    /// A [`Seconds`] value.
    Duration,
}

impl Quantity {
    /// Human name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Quantity::DataSize => "data size",
            Quantity::Bandwidth => "bandwidth",
            Quantity::Duration => "duration",
        }
    }

    /// The largest value an input file or flag may give, in base units
    /// (bytes, bytes/s, seconds), and how it reads. Far above any real
    /// fabric or model, low enough that sums and products of a run stay
    /// finite: a data size of 1 EiB (2⁶⁰ B), a bandwidth of 1 EB/s
    /// (10¹⁸ B/s), a duration of 10⁶ s (11.6 days).
    pub fn max(self) -> (f64, &'static str) {
        match self {
            Quantity::DataSize => (1_152_921_504_606_846_976.0, "1 EiB"),
            Quantity::Bandwidth => (1e18, "1 EB/s"),
            Quantity::Duration => (1e6, "1000000 s"),
        }
    }

    /// The accepted forms, as shown in every error message.
    pub fn accepted_forms(self) -> &'static str {
        match self {
            Quantity::DataSize => {
                "a number and a unit such as \"64 MB\", \"1 GiB\" or \"8 Gb\", or a bare number of bytes; \
                 B = bytes, b = bits, k/K M G T P = powers of 1000, Ki Mi Gi Ti Pi = powers of 1024"
            }
            Quantity::Bandwidth => {
                "a number and a unit such as \"50 GB/s\", \"800 Gb/s\" or \"400 Gbps\"; \
                 B = bytes, b = bits, k/K M G T P = powers of 1000, Ki Mi Gi Ti Pi = powers of 1024"
            }
            Quantity::Duration => {
                "a number and a unit such as \"300 ns\", \"1.5 us\", \"2 ms\" or \"1 s\"; \
                 units: s, ms, us (or µs), ns"
            }
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a quantity string was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invalid {quantity} {input:?}: {reason}; expected {}", quantity.accepted_forms())]
pub struct UnitError {
    /// What was expected.
    pub quantity: Quantity,
    /// The rejected input, verbatim.
    pub input: String,
    /// What is wrong with it, e.g. `a data size, not a bandwidth`.
    pub reason: String,
}

impl UnitError {
    fn new(quantity: Quantity, input: &str, reason: impl Into<String>) -> UnitError {
        UnitError {
            quantity,
            input: input.to_string(),
            reason: reason.into(),
        }
    }

    /// A one-line hint listing the accepted forms.
    pub fn help(&self) -> String {
        format!("write {}", self.quantity.accepted_forms())
    }
}

/// Multiplier of a decimal or binary prefix, or `None` if `p` is not one.
///
/// `k` and `K` are both 1000; all other prefixes are uppercase.
fn prefix_factor(p: &str) -> Option<f64> {
    Some(match p {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "Pi" => 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

/// How a parsed value is scaled to base units: `value × mul / div`.
///
/// Kept as a fraction so that `"300 ns"` is computed as `300 / 1e9`, which is
/// correctly rounded, instead of `300 × 1e-9`, which is not.
#[derive(Clone, Copy, Debug)]
struct Scale {
    mul: f64,
    div: f64,
}

/// Reads a data unit (`B`, `GiB`, `Mb`, ...) as bytes.
fn data_unit(u: &str) -> Option<Scale> {
    if let Some(p) = u.strip_suffix('B') {
        prefix_factor(p).map(|m| Scale { mul: m, div: 1.0 })
    } else if let Some(p) = u.strip_suffix('b') {
        prefix_factor(p).map(|m| Scale { mul: m, div: 8.0 })
    } else {
        None
    }
}

/// Reads a bandwidth unit (`GB/s`, `Gb/s`, `Gbps`, `GBps`) as bytes/s.
fn bandwidth_unit(u: &str) -> Option<Scale> {
    if let Some(d) = u.strip_suffix("/s") {
        data_unit(d)
    } else if let Some(p) = u.strip_suffix("bps") {
        prefix_factor(p).map(|m| Scale { mul: m, div: 8.0 })
    } else if let Some(p) = u.strip_suffix("Bps") {
        prefix_factor(p).map(|m| Scale { mul: m, div: 1.0 })
    } else {
        None
    }
}

/// Reads a time unit as seconds.
fn duration_unit(u: &str) -> Option<Scale> {
    let div = match u {
        "s" => 1.0,
        "ms" => 1e3,
        "us" | "µs" | "μs" => 1e6,
        "ns" => 1e9,
        _ => return None,
    };
    Some(Scale { mul: 1.0, div })
}

fn unit_for(q: Quantity, u: &str) -> Option<Scale> {
    match q {
        Quantity::DataSize => data_unit(u),
        Quantity::Bandwidth => bandwidth_unit(u),
        Quantity::Duration => duration_unit(u),
    }
}

/// Splits `s` (already trimmed) into its leading decimal number and the rest.
///
/// Grammar: `digits [. digits] [(e|E) [+|-] digits]`, at least one digit in
/// the mantissa. Returns `None` if there is no number.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > start {
            i = j;
        }
    }
    Some((&s[..i], &s[i..]))
}

/// Explains why `unit` is not valid for `q`, naming the right dimension when
/// the unit belongs to another quantity.
fn unit_reason(q: Quantity, unit: &str) -> String {
    for other in [Quantity::DataSize, Quantity::Bandwidth, Quantity::Duration] {
        if other != q && unit_for(other, unit).is_some() {
            let mut r = format!(
                "\"{unit}\" is a {} unit, not a {} unit",
                other.name(),
                q.name()
            );
            if q == Quantity::Bandwidth && other == Quantity::DataSize {
                r.push_str(&format!(" (did you mean \"{unit}/s\"?)"));
            }
            return r;
        }
    }
    // A lowercase prefix other than k: say why it is refused.
    let mut chars = unit.chars();
    if let Some(c) = chars.next()
        && matches!(c, 'm' | 'g' | 't' | 'p')
    {
        let upper: String = c.to_ascii_uppercase().to_string() + chars.as_str();
        if unit_for(q, &upper).is_some() {
            let milli = if c == 'm' {
                " (lowercase m is milli)"
            } else {
                ""
            };
            return format!(
                "unknown unit \"{unit}\": prefixes other than k are uppercase{milli}; \
                 did you mean \"{upper}\"?"
            );
        }
    }
    format!("unknown unit \"{unit}\"")
}

/// Parses `input` as quantity `q` in base units.
fn parse_quantity(q: Quantity, input: &str) -> Result<f64, UnitError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(UnitError::new(q, input, "empty string"));
    }
    if s.starts_with('-') {
        return Err(UnitError::new(q, input, "negative values are not allowed"));
    }
    let lower = s.trim_start_matches('+').to_ascii_lowercase();
    if lower.starts_with("nan") || lower.starts_with("inf") {
        return Err(UnitError::new(
            q,
            input,
            "the value must be a finite number",
        ));
    }
    let Some((num, rest)) = split_number(s) else {
        return Err(UnitError::new(q, input, "missing number"));
    };
    let value: f64 = num
        .parse()
        .map_err(|_| UnitError::new(q, input, format!("\"{num}\" is not a number")))?;
    let unit = rest.trim_start();
    let scaled = if unit.is_empty() {
        match q {
            Quantity::DataSize => value,
            Quantity::Bandwidth => {
                return Err(UnitError::new(
                    q,
                    input,
                    "missing unit (a bare number is ambiguous for a bandwidth: bytes/s? Gb/s?)",
                ));
            }
            Quantity::Duration => {
                return Err(UnitError::new(
                    q,
                    input,
                    "missing unit (a bare number is ambiguous for a duration: s? us? ns?)",
                ));
            }
        }
    } else {
        match unit_for(q, unit) {
            Some(sc) => value * sc.mul / sc.div,
            None => return Err(UnitError::new(q, input, unit_reason(q, unit))),
        }
    };
    if !scaled.is_finite() {
        return Err(UnitError::new(q, input, "the value is too large"));
    }
    // A nonzero value below these floors is almost surely a unit mistake, and
    // would underflow to 0 or overflow times later in the simulation.
    let (floor, what) = match q {
        Quantity::DataSize => (0.0, ""),
        Quantity::Bandwidth => (MIN_BANDWIDTH_BPS, "1 B/s"),
        Quantity::Duration => (MIN_DURATION_S, "1 fs"),
    };
    let mantissa = num.split(['e', 'E']).next().unwrap_or("");
    let written_nonzero = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if scaled == 0.0 && written_nonzero {
        return Err(UnitError::new(
            q,
            input,
            "the value is too small (it rounds to 0); is the unit right?",
        ));
    }
    if scaled != 0.0 && scaled < floor {
        return Err(UnitError::new(
            q,
            input,
            format!("the value is below {what}; is the unit right?"),
        ));
    }
    Ok(scaled)
}

/// Smallest nonzero bandwidth accepted \[bytes/s\]: 1 B/s.
pub const MIN_BANDWIDTH_BPS: f64 = 1.0;

/// Smallest nonzero duration accepted \[s\]: 1 fs.
pub const MIN_DURATION_S: f64 = 1e-15;

/// Formats `x` with at most 6 significant digits, trailing zeros removed.
fn fmt_sig(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let mag = x.abs().log10().floor() as i32;
    let decimals = (5 - mag).clamp(0, 17) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Picks the largest decimal prefix `p` with `|x| >= 1000^p` (at most P).
fn si_prefix(x: f64) -> (f64, &'static str) {
    const P: [(f64, &str); 5] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (f, p) in P {
        if x.abs() >= f {
            return (x / f, p);
        }
    }
    (x, "")
}

macro_rules! quantity_impls {
    ($t:ident, $q:expr) => {
        impl $t {
            /// The value in SI base units.
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl FromStr for $t {
            type Err = UnitError;
            fn from_str(s: &str) -> Result<Self, UnitError> {
                parse_quantity($q, s).map($t)
            }
        }

        impl TryFrom<String> for $t {
            type Error = UnitError;
            fn try_from(s: String) -> Result<Self, UnitError> {
                s.parse()
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            /// Deserializes from a string with a unit (see the module docs).
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t(self.0 + o.0)
            }
        }

        impl Sub for $t {
            type Output = $t;
            fn sub(self, o: $t) -> $t {
                $t(self.0 - o.0)
            }
        }

        impl AddAssign for $t {
            fn add_assign(&mut self, o: $t) {
                self.0 += o.0;
            }
        }

        impl SubAssign for $t {
            fn sub_assign(&mut self, o: $t) {
                self.0 -= o.0;
            }
        }

        impl Sum for $t {
            fn sum<I: Iterator<Item = $t>>(it: I) -> $t {
                $t(it.map(|x| x.0).sum())
            }
        }

        impl<'a> Sum<&'a $t> for $t {
            fn sum<I: Iterator<Item = &'a $t>>(it: I) -> $t {
                $t(it.map(|x| x.0).sum())
            }
        }

        impl Mul<f64> for $t {
            type Output = $t;
            fn mul(self, k: f64) -> $t {
                $t(self.0 * k)
            }
        }

        impl Mul<$t> for f64 {
            type Output = $t;
            fn mul(self, x: $t) -> $t {
                $t(self * x.0)
            }
        }

        impl Div<f64> for $t {
            type Output = $t;
            fn div(self, k: f64) -> $t {
                $t(self.0 / k)
            }
        }

        /// The dimensionless ratio of two like quantities.
        impl Div<$t> for $t {
            type Output = f64;
            fn div(self, o: $t) -> f64 {
                self.0 / o.0
            }
        }
    };
}

quantity_impls!(Bytes, Quantity::DataSize);
quantity_impls!(Seconds, Quantity::Duration);
quantity_impls!(BytesPerSec, Quantity::Bandwidth);

/// `Bytes / BytesPerSec = Seconds`.
impl Div<BytesPerSec> for Bytes {
    type Output = Seconds;
    fn div(self, bw: BytesPerSec) -> Seconds {
        Seconds(self.0 / bw.0)
    }
}

/// `Bytes / Seconds = BytesPerSec`.
impl Div<Seconds> for Bytes {
    type Output = BytesPerSec;
    fn div(self, t: Seconds) -> BytesPerSec {
        BytesPerSec(self.0 / t.0)
    }
}

/// `BytesPerSec * Seconds = Bytes`.
impl Mul<Seconds> for BytesPerSec {
    type Output = Bytes;
    fn mul(self, t: Seconds) -> Bytes {
        Bytes(self.0 * t.0)
    }
}

/// `Seconds * BytesPerSec = Bytes`.
impl Mul<BytesPerSec> for Seconds {
    type Output = Bytes;
    fn mul(self, bw: BytesPerSec) -> Bytes {
        Bytes(self.0 * bw.0)
    }
}

/// Prints with a decimal prefix and at most six significant digits (`64 MB`,
/// `1.5 kB`), or with a binary prefix when the value is a whole number of
/// KiB, MiB, GiB, TiB or PiB and that is shorter (`1 GiB`, `4 KiB`).
impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let (x, p) = si_prefix(v);
        let si = format!("{} {p}B", fmt_sig(x));
        const BIN: [&str; 5] = ["Pi", "Ti", "Gi", "Mi", "Ki"];
        for (i, p) in BIN.iter().enumerate() {
            let unit = 1024f64.powi(5 - i as i32);
            if v.abs() >= unit && (v / unit).fract() == 0.0 {
                let bin = format!("{} {p}B", v / unit);
                if bin.len() < si.len() {
                    return f.write_str(&bin);
                }
                break;
            }
        }
        f.write_str(&si)
    }
}

/// Prints in bytes per second with a decimal prefix (`50 GB/s`), as
/// nccl-tests reports bandwidth (GB/s = 1e9 bytes/s).
impl fmt::Display for BytesPerSec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (x, p) = si_prefix(self.0);
        write!(f, "{} {p}B/s", fmt_sig(x))
    }
}

/// Prints in the largest of s, ms, us, ns that keeps the number at least 1
/// (`300 ns`, `1.5 us`).
impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = v.abs();
        let (x, u) = if a == 0.0 || a >= 1.0 {
            (v, "s")
        } else if a >= 1e-3 {
            (v * 1e3, "ms")
        } else if a >= 1e-6 {
            (v * 1e6, "us")
        } else {
            (v * 1e9, "ns")
        };
        write!(f, "{} {u}", fmt_sig(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_number_cases() {
        assert_eq!(split_number("1.5us"), Some(("1.5", "us")));
        assert_eq!(split_number("1e9 B"), Some(("1e9", " B")));
        assert_eq!(split_number("2 EB"), Some(("2", " EB")));
        assert_eq!(split_number(".5 s"), Some((".5", " s")));
        assert_eq!(split_number("GB"), None);
    }

    #[test]
    fn fmt_sig_trims() {
        assert_eq!(fmt_sig(300.00000000000006), "300");
        assert_eq!(fmt_sig(1.5), "1.5");
        assert_eq!(fmt_sig(123456789.0), "123456789");
        assert_eq!(fmt_sig(0.000123), "0.000123");
    }
}
