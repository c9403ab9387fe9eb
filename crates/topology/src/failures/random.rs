//! Random failures (rule F4): a seeded uniform sample of the lanes of the
//! eligible links (switch-to-switch by default, else the listed tiers),
//! drawn with [`SplitMix64`] as a prefix of one seeded permutation, so that
//! failure sets are nested across percentages.

use super::apply::Pass;
use super::{Amount, Entry};
use crate::{NodeId, NodeRole};
use fabricsim_base::diag::did_you_mean;
use fabricsim_base::rng::SplitMix64;

impl Pass<'_, '_> {
    /// A prefix of one seeded permutation: lane `j` (in link order, `0 ≤ j <
    /// L`) draws the key `x_j`, the `j`-th output of [`SplitMix64`] from
    /// `seed`, and the `k` lanes with the smallest `(x_j, j)` fail. The order
    /// does not depend on `k`, so with one seed and one set of eligible
    /// links the lanes failed at `p%` are a subset of those failed at any
    /// `q% > p%`: more failures never fail less (a uniform k-subset for each
    /// k, as every ordering of the keys is equally likely). O(L) memory and
    /// O(L) expected time (selection, then the k chosen sorted).
    pub(super) fn fail_random(
        &mut self,
        i: usize,
        e: &Entry,
        amount: Amount,
        seed: u64,
        tiers: &[String],
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let eligible = self.eligible(e, tiers)?;
        let total: u64 = eligible
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        let k = match amount {
            Amount::Percent(p) => (p / 100.0 * total as f64).round() as u64,
            Amount::Lanes(k) if k > total => {
                self.error(
                    e,
                    format!("random failure of {k} lanes, but only {total} lanes are eligible"),
                    Some("eligible are the lanes of the switch-to-switch links, or of the links of the listed tiers".to_string()),
                );
                return None;
            }
            Amount::Lanes(k) => k,
        };
        let mut rng = SplitMix64::new(seed);
        let mut keyed: Vec<(u64, u64)> = (0..total).map(|j| (rng.next_u64(), j)).collect();
        let k = k.min(total) as usize;
        if k < keyed.len() {
            keyed.select_nth_unstable(k);
        }
        let mut chosen: Vec<u64> = keyed[..k].iter().map(|&(_, j)| j).collect();
        chosen.sort_unstable();
        // Lane number j back to (cable, lane): walk the cables in order.
        let mut next = chosen.iter().peekable();
        let mut first = 0u64;
        let mut cables = 0usize;
        for &c in &eligible {
            let count = u64::from(self.links[2 * c as usize].count);
            let mut hit = false;
            while let Some(&&j) = next.peek() {
                if j >= first + count {
                    break;
                }
                self.random.push((c, (j - first) as u32, i as u32));
                hit = true;
                next.next();
            }
            cables += usize::from(hit);
            first += count;
        }
        Some((0, cables, k as u64, Some(total)))
    }

    /// The cables a random entry samples from, in link order: with no
    /// `tiers`, those whose two ends are switches; else those of the tiers
    /// (each tier must have links).
    fn eligible(&mut self, e: &Entry, tiers: &[String]) -> Option<Vec<u32>> {
        if tiers.is_empty() {
            let sw = |v: NodeId| self.nodes[v.idx()].role == NodeRole::Switch;
            return Some(
                (0..self.cables())
                    .filter(|&c| {
                        let (a, b) = self.ends(c);
                        sw(a) && sw(b)
                    })
                    .map(|c| c as u32)
                    .collect(),
            );
        }
        let mut known: Vec<&str> = self.links.iter().map(|l| &*l.tier).collect();
        known.sort_unstable();
        known.dedup();
        let unknown: Vec<&String> = tiers
            .iter()
            .filter(|t| known.binary_search(&t.as_str()).is_err())
            .collect();
        if let Some(u) = unknown.first() {
            let hint = did_you_mean(u, known.iter().copied())
                .map(|c| format!("; did you mean \"{c}\"?"))
                .unwrap_or_default();
            let msg = format!("no links have tier \"{u}\"{hint}");
            let help = format!("the tiers of this fabric are: {}", known.join(", "));
            self.error(e, msg, Some(help));
            return None;
        }
        Some(
            (0..self.cables())
                .filter(|&c| tiers.iter().any(|t| *t == self.links[2 * c].tier))
                .map(|c| c as u32)
                .collect(),
        )
    }
}
