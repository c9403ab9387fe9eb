//! Command-line selections: message sizes (`--size`) and ranks (`--ranks`).
//!
//! Both are parsed into vectors whose length is checked *before* they are
//! allocated: a size list or doubling range yields at most
//! [`fabricsim_base::limits::Limits::max_sizes`] sizes (`--max-sizes`), and a rank
//! selection names each existing rank at most once, so it is never longer
//! than the topology's accelerator list.

use fabricsim_base::units::Bytes;
use fabricsim_topology::NodeId;

/// Sizes \[bytes\] from one size (`1GiB`), a comma list (`1MiB,4MiB`) or a
/// doubling range `1MiB..8GiB` (like nccl-tests `-b 1M -e 8G -f 2`: begin,
/// 2×begin, ... up to end).
///
/// Every size is a whole number of bytes (so `1b`, one bit, is refused), and
/// there are at most `max_sizes` of them, counted before allocating.
pub fn sizes(s: &str, max_sizes: u64) -> Result<Vec<f64>, String> {
    sizes_of("--size", s, max_sizes)
}

/// [`sizes`] for a value named `what` in messages (e.g. a sweep axis).
pub fn sizes_of(what: &str, s: &str, max_sizes: u64) -> Result<Vec<f64>, String> {
    let one = |t: &str| -> Result<f64, String> {
        let b = t
            .trim()
            .parse::<Bytes>()
            .map_err(|e| format!("{what} \"{t}\": {e}"))?
            .get();
        if b.fract() != 0.0 {
            let t = t.trim();
            let hint = match t.strip_suffix('b') {
                Some(stem) => format!(" (b is a bit, B a byte: did you mean \"{stem}B\"?)"),
                None => String::new(),
            };
            return Err(format!(
                "{what} \"{t}\": {b} bytes is not a whole number of bytes{hint}"
            ));
        }
        Ok(b)
    };
    let too_many = |n: String| {
        format!(
            "{what} \"{s}\": {n} sizes, more than the limit of {max_sizes}{}",
            if max_sizes == fabricsim_base::limits::DEFAULT_MAX_SIZES {
                " (the default of --max-sizes); raise it with --max-sizes N"
            } else {
                " (set by --max-sizes)"
            }
        )
    };
    if let Some((a, b)) = s.split_once("..") {
        let (lo, hi) = (one(a)?, one(b)?);
        if !(lo > 0.0 && lo <= hi) {
            return Err(format!(
                "{what} \"{s}\": a range needs 0 < begin ≤ end (it doubles from begin to end)"
            ));
        }
        // Count the points first: begin·2^k ≤ end for k = 0..n.
        let mut n: u64 = 0;
        let mut x = lo;
        while x <= hi * (1.0 + 1e-12) {
            n += 1;
            if n > max_sizes {
                let total = ((hi / lo).log2().floor() as u64).saturating_add(1);
                return Err(too_many(total.to_string()));
            }
            x *= 2.0;
        }
        return Ok((0..n).map(|k| lo * 2f64.powi(k as i32)).collect());
    }
    let n = s.split(',').count() as u64;
    if n > max_sizes {
        return Err(too_many(n.to_string()));
    }
    s.split(',').map(one).collect()
}

/// Rank selection: `None` (every accelerator), a count (`64`: the first 64
/// accelerators) or a comma list of rank indices and half-open ranges
/// (`0..8,16,17`). Indices are 0-based and each rank may appear once.
pub fn ranks(sel: Option<&str>, accelerators: &[NodeId]) -> Result<Vec<NodeId>, String> {
    let n = accelerators.len();
    let Some(sel) = sel else {
        return Ok(accelerators.to_vec());
    };
    let bad = |why: String| {
        format!("--ranks \"{sel}\": {why} (accepted: a count like 64, or indices like 0..8,16,17)")
    };
    if !sel.contains(',') && !sel.contains("..") {
        let k: usize = sel.trim().parse().map_err(|_| bad("not a number".into()))?;
        if k > n {
            return Err(bad(format!("the topology has only {n} accelerators")));
        }
        return Ok(accelerators[..k].to_vec());
    }
    let idx = |t: &str| -> Result<usize, String> {
        t.trim()
            .parse()
            .map_err(|_| bad(format!("\"{t}\" is not a rank index")))
    };
    // Each rank at most once, so the list never outgrows the topology.
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for part in sel.split(',') {
        let (a, b) = match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (idx(a)?, idx(b)?);
                if b > n || a >= b {
                    return Err(bad(format!(
                        "range {a}..{b} is empty or past the last rank, {}",
                        n.saturating_sub(1)
                    )));
                }
                (a, b)
            }
            None => {
                let i = idx(part)?;
                if i >= n {
                    return Err(bad(format!(
                        "rank {i} does not exist (the topology has {n} accelerators, ranks 0..{n})"
                    )));
                }
                (i, i + 1)
            }
        };
        for i in a..b {
            if std::mem::replace(&mut seen[i], true) {
                return Err(bad(format!("rank {i} is selected twice")));
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
        assert!(e.contains("51 sizes, more than the limit of 50"), "{e}");
        assert!(e.contains("--max-sizes"), "{e}");
        assert!(sizes("1,2,3", 2).unwrap_err().contains("3 sizes"));
        assert!(sizes("1b", 64).unwrap_err().contains("did you mean \"1B\""));
    }

    #[test]
    fn ranks_are_distinct_and_exist() {
        let acc: Vec<NodeId> = (0..8).map(NodeId).collect();
        assert_eq!(ranks(Some("3"), &acc).unwrap().len(), 3);
        assert_eq!(
            ranks(Some("0..2,5"), &acc).unwrap(),
            [NodeId(0), NodeId(1), NodeId(5)]
        );
        assert!(
            ranks(Some("0..2,1"), &acc)
                .unwrap_err()
                .contains("rank 1 is selected twice")
        );
        assert!(ranks(Some("9"), &acc).is_err());
        assert!(ranks(Some("0..9"), &acc).is_err());
        assert!(
            ranks(Some("8,0"), &acc)
                .unwrap_err()
                .contains("rank 8 does not exist")
        );
    }
}
