//! Node id patterns: `gpu3`, `gpu[0..8]`, `d[0..2].gpu[0..=7]`.
//!
//! A pattern is literal text with any number of bracketed integer ranges.
//! `[a..b]` is half-open (`a, a+1, ..., b-1`, as in Rust), `[a..=b]` is
//! inclusive. Several ranges expand as a cartesian product with the leftmost
//! range varying slowest: `d[0..2].gpu[0..2]` is `d0.gpu0, d0.gpu1, d1.gpu0,
//! d1.gpu1`. Literal text may use ASCII letters, digits and `_ - . : /`.

/// One piece of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Lit(String),
    /// Half-open integer range `start..end`, `start < end`.
    Range(u64, u64),
}

/// A parsed id pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    segs: Vec<Seg>,
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/')
}

fn parse_int(s: &str, whole: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "invalid range bound \"{s}\" in id \"{whole}\": expected a non-negative integer"
        ));
    }
    t.parse::<u64>()
        .ok()
        .filter(|&v| v <= u64::from(u32::MAX))
        .ok_or_else(|| {
            format!(
                "range bound \"{t}\" in id \"{whole}\" is too large: bounds are at most {} \
                 (and a topology has at most --max-nodes nodes, {} by default)",
                u32::MAX,
                fabricsim_base::limits::MAX_NODES
            )
        })
}

impl Pattern {
    /// Parses a pattern; the error says what is wrong in a sentence.
    pub(crate) fn parse(s: &str) -> Result<Pattern, String> {
        if s.is_empty() {
            return Err("empty node id".to_string());
        }
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if c == '[' {
                let Some(close) = rest.find(']') else {
                    return Err(format!("unclosed '[' in id \"{s}\""));
                };
                let inner = &rest[1..close];
                let (a, b, inclusive) = if let Some((a, b)) = inner.split_once("..=") {
                    (a, b, true)
                } else if let Some((a, b)) = inner.split_once("..") {
                    (a, b, false)
                } else {
                    return Err(format!(
                        "invalid range \"[{inner}]\" in id \"{s}\": expected [start..end] or [start..=end]"
                    ));
                };
                let start = parse_int(a, s)?;
                let mut end = parse_int(b, s)?;
                if inclusive {
                    end += 1;
                }
                if end <= start {
                    return Err(format!("empty range \"[{inner}]\" in id \"{s}\""));
                }
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(Seg::Range(start, end));
                rest = &rest[close + 1..];
            } else if c == ']' {
                return Err(format!("unmatched ']' in id \"{s}\""));
            } else if is_id_char(c) {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            } else {
                return Err(format!(
                    "invalid character {c:?} in id \"{s}\": ids use letters, digits and _ - . : /"
                ));
            }
        }
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit));
        }
        Ok(Pattern { segs })
    }

    /// Number of ids the pattern expands to (saturating).
    pub(crate) fn count(&self) -> u128 {
        self.segs.iter().fold(1u128, |n, s| match s {
            Seg::Lit(_) => n,
            Seg::Range(a, b) => n.saturating_mul(u128::from(b - a)),
        })
    }

    /// Expands to every id, leftmost range slowest. Callers bound
    /// [`Pattern::count`] first.
    pub(crate) fn expand(&self) -> Vec<String> {
        let mut out = vec![String::new()];
        for s in &self.segs {
            match s {
                Seg::Lit(t) => out.iter_mut().for_each(|o| o.push_str(t)),
                Seg::Range(a, b) => {
                    let mut next = Vec::with_capacity(out.len() * (b - a) as usize);
                    for o in &out {
                        for i in *a..*b {
                            next.push(format!("{o}{i}"));
                        }
                    }
                    out = next;
                }
            }
        }
        out
    }
}

/// The canonical text: literal parts as given, ranges half-open (`[1..=8]`
/// prints as `[1..9]`); parsing it gives the same pattern.
impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.segs {
            match s {
                Seg::Lit(t) => f.write_str(t)?,
                Seg::Range(a, b) => write!(f, "[{a}..{b}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_ranges() {
        let p = Pattern::parse("gpu[0..3]").unwrap();
        assert_eq!(p.count(), 3);
        assert_eq!(p.expand(), ["gpu0", "gpu1", "gpu2"]);
        let p = Pattern::parse("d[0..=1].g[5..7]x").unwrap();
        assert_eq!(p.expand(), ["d0.g5x", "d0.g6x", "d1.g5x", "d1.g6x"]);
        assert_eq!(Pattern::parse("leaf3").unwrap().expand(), ["leaf3"]);
    }

    #[test]
    fn displays_canonically() {
        for (text, shown) in [("leaf3", "leaf3"), ("d[0..2].g[1..=2]", "d[0..2].g[1..3]")] {
            let p = Pattern::parse(text).unwrap();
            assert_eq!(p.to_string(), shown);
            assert_eq!(Pattern::parse(shown).unwrap(), p);
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "gpu[0..",
            "gpu[3..3]",
            "gpu[a..2]",
            "gpu]",
            "g pu",
            "gpu[0-3]",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn count_saturates_without_allocating() {
        let p = Pattern::parse("a[0..4000000000]b[0..4000000000]c[0..4000000000]").unwrap();
        assert_eq!(p.count(), 64_000_000_000_000_000_000_000_000_000);
    }
}
