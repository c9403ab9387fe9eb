//! Command-line selections: message sizes (`--size`) and ranks (`--ranks`).
//!
//! Both are parsed into vectors whose length is checked *before* they are
//! allocated: a size list or doubling range yields at most
//! [`fabricsim_base::limits::Limits::max_sizes`] sizes (`--max-sizes`), and a rank
//! selection names each existing rank at most once, so it is never longer
//! than the topology's accelerator list.

use fabricsim_base::limits::DEFAULT_MAX_SIZES;
use fabricsim_base::units::{Bytes, UnitError};
use fabricsim_topology::NodeId;

/// Why a size selection (`--size`, a sweep's sizes) was refused. `what`
/// names the value in messages (`--size`, a sweep axis).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SizeError {
    /// One size is not a byte quantity.
    #[error("{what} \"{text}\": {source}")]
    Unit {
        /// The value's name.
        what: String,
        /// The size as written.
        text: String,
        /// What the unit parser said.
        source: UnitError,
    },
    /// A size is not a whole number of bytes (`1b` is one bit).
    #[error("{what} \"{text}\": {bytes} bytes is not a whole number of bytes{}",
        match text.strip_suffix('b') {
            Some(stem) => format!(" (b is a bit, B a byte: did you mean \"{stem}B\"?)"),
            None => String::new(),
        })]
    Fraction {
        /// The value's name.
        what: String,
        /// The size as written (trimmed).
        text: String,
        /// Its value \[bytes\].
        bytes: f64,
    },
    /// A range `begin..end` with `begin ≤ 0` or `begin > end`.
    #[error("{what} \"{text}\": a range needs 0 < begin ≤ end (it doubles from begin to end)")]
    Range {
        /// The value's name.
        what: String,
        /// The whole selection.
        text: String,
    },
    /// More sizes than `--max-sizes` allows.
    #[error("{what} \"{text}\": {count} sizes, more than the limit of {limit}{}",
        if *limit == DEFAULT_MAX_SIZES {
            " (the default of --max-sizes); raise it with --max-sizes N"
        } else {
            " (set by --max-sizes)"
        })]
    TooMany {
        /// The value's name.
        what: String,
        /// The whole selection.
        text: String,
        /// How many sizes it names.
        count: u64,
        /// The limit.
        limit: u64,
    },
}

/// Why a `--ranks` selection was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "--ranks \"{selection}\": {reason} (accepted: a count like 64, or indices like 0..8,16,17)"
)]
pub struct RanksError {
    /// The selection as written.
    pub selection: String,
    /// What is wrong with it.
    pub reason: RanksProblem,
}

/// What is wrong with a `--ranks` selection.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RanksProblem {
    /// A bare count that is not a number.
    #[error("not a number")]
    NotANumber,
    /// A count above the number of accelerators.
    #[error("the topology has only {accelerators} accelerators")]
    TooMany {
        /// Accelerators in the topology.
        accelerators: usize,
    },
    /// A list item that is not an index.
    #[error("\"{0}\" is not a rank index")]
    NotAnIndex(String),
    /// A range that is empty or runs past the last rank.
    #[error("range {start}..{end} is empty or past the last rank, {}", accelerators.saturating_sub(1))]
    EmptyRange {
        /// First index.
        start: usize,
        /// One past the last index.
        end: usize,
        /// Accelerators in the topology.
        accelerators: usize,
    },
    /// An index past the last rank.
    #[error(
        "rank {index} does not exist (the topology has {accelerators} accelerators, ranks 0..{accelerators})"
    )]
    NoSuchRank {
        /// The index.
        index: usize,
        /// Accelerators in the topology.
        accelerators: usize,
    },
    /// A rank named twice.
    #[error("rank {0} is selected twice")]
    Twice(usize),
}

/// Sizes \[bytes\] from one size (`1GiB`), a comma list (`1MiB,4MiB`) or a
/// doubling range `1MiB..8GiB` (like nccl-tests `-b 1M -e 8G -f 2`: begin,
/// 2×begin, ... up to end).
///
/// Every size is a whole number of bytes (so `1b`, one bit, is refused), and
/// there are at most `max_sizes` of them, counted before allocating.
pub fn sizes(s: &str, max_sizes: u64) -> Result<Vec<f64>, SizeError> {
    sizes_of("--size", s, max_sizes)
}

/// [`sizes`] for a value named `what` in messages (e.g. a sweep axis).
pub fn sizes_of(what: &str, s: &str, max_sizes: u64) -> Result<Vec<f64>, SizeError> {
    let one = |t: &str| -> Result<f64, SizeError> {
        let b = t
            .trim()
            .parse::<Bytes>()
            .map_err(|source| SizeError::Unit {
                what: what.into(),
                text: t.into(),
                source,
            })?
            .get();
        if b.fract() != 0.0 {
            return Err(SizeError::Fraction {
                what: what.into(),
                text: t.trim().into(),
                bytes: b,
            });
        }
        Ok(b)
    };
    let too_many = |count: u64| SizeError::TooMany {
        what: what.into(),
        text: s.into(),
        count,
        limit: max_sizes,
    };
    if let Some((a, b)) = s.split_once("..") {
        let (lo, hi) = (one(a)?, one(b)?);
        if !(lo > 0.0 && lo <= hi) {
            return Err(SizeError::Range {
                what: what.into(),
                text: s.into(),
            });
        }
        // Count the points first: begin·2^k ≤ end for k = 0..n.
        let mut n: u64 = 0;
        let mut x = lo;
        while x <= hi * (1.0 + 1e-12) {
            n += 1;
            if n > max_sizes {
                let total = ((hi / lo).log2().floor() as u64).saturating_add(1);
                return Err(too_many(total));
            }
            x *= 2.0;
        }
        return Ok((0..n).map(|k| lo * 2f64.powi(k as i32)).collect());
    }
    let n = s.split(',').count() as u64;
    if n > max_sizes {
        return Err(too_many(n));
    }
    s.split(',').map(one).collect()
}

/// Rank selection: `None` (every accelerator), a count (`64`: the first 64
/// accelerators) or a comma list of rank indices and half-open ranges
/// (`0..8,16,17`). Indices are 0-based and each rank may appear once.
pub fn ranks(sel: Option<&str>, accelerators: &[NodeId]) -> Result<Vec<NodeId>, RanksError> {
    let n = accelerators.len();
    let Some(sel) = sel else {
        return Ok(accelerators.to_vec());
    };
    let bad = |reason: RanksProblem| RanksError {
        selection: sel.into(),
        reason,
    };
    if !sel.contains(',') && !sel.contains("..") {
        let k: usize = sel
            .trim()
            .parse()
            .map_err(|_| bad(RanksProblem::NotANumber))?;
        if k > n {
            return Err(bad(RanksProblem::TooMany { accelerators: n }));
        }
        return Ok(accelerators[..k].to_vec());
    }
    let idx = |t: &str| -> Result<usize, RanksError> {
        t.trim()
            .parse()
            .map_err(|_| bad(RanksProblem::NotAnIndex(t.into())))
    };
    // Each rank at most once, so the list never outgrows the topology.
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for part in sel.split(',') {
        let (a, b) = match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (idx(a)?, idx(b)?);
                if b > n || a >= b {
                    return Err(bad(RanksProblem::EmptyRange {
                        start: a,
                        end: b,
                        accelerators: n,
                    }));
                }
                (a, b)
            }
            None => {
                let i = idx(part)?;
                if i >= n {
                    return Err(bad(RanksProblem::NoSuchRank {
                        index: i,
                        accelerators: n,
                    }));
                }
                (i, i + 1)
            }
        };
        for i in a..b {
            if std::mem::replace(&mut seen[i], true) {
                return Err(bad(RanksProblem::Twice(i)));
            }
            out.push(accelerators[i]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_ranges_double_and_are_bounded() {
        // 1 MiB..8 MiB: 1, 2, 4, 8 MiB.
        let m = 1024.0 * 1024.0;
        assert_eq!(
            sizes("1MiB..8MiB", 64).unwrap(),
            [m, 2.0 * m, 4.0 * m, 8.0 * m]
        );
        // 1 B..1 PiB is 2^0..2^50: 51 sizes, over a limit of 50.
        assert_eq!(sizes("1B..1PiB", 51).unwrap().len(), 51);
        let e = sizes("1B..1PiB", 50).unwrap_err();
        assert_eq!(
            e,
            SizeError::TooMany {
                what: "--size".into(),
                text: "1B..1PiB".into(),
                count: 51,
                limit: 50
            }
        );
        let e = e.to_string();
        assert!(e.contains("51 sizes, more than the limit of 50"), "{e}");
        assert!(e.contains("--max-sizes"), "{e}");
        assert!(matches!(
            sizes("1,2,3", 2).unwrap_err(),
            SizeError::TooMany { count: 3, .. }
        ));
        assert!(
            sizes("1b", 64)
                .unwrap_err()
                .to_string()
                .contains("did you mean \"1B\"")
        );
    }

    #[test]
    fn ranks_are_distinct_and_exist() {
        let acc: Vec<NodeId> = (0..8).map(NodeId).collect();
        assert_eq!(ranks(Some("3"), &acc).unwrap().len(), 3);
        assert_eq!(
            ranks(Some("0..2,5"), &acc).unwrap(),
            [NodeId(0), NodeId(1), NodeId(5)]
        );
        let e = ranks(Some("0..2,1"), &acc).unwrap_err();
        assert_eq!(e.reason, RanksProblem::Twice(1));
        assert!(e.to_string().contains("rank 1 is selected twice"));
        assert!(ranks(Some("9"), &acc).is_err());
        assert!(ranks(Some("0..9"), &acc).is_err());
        assert_eq!(
            ranks(Some("8,0"), &acc).unwrap_err().reason,
            RanksProblem::NoSuchRank {
                index: 8,
                accelerators: 8
            }
        );
    }
}
