//! Random failures (rule F4): a seeded uniform sample of the lanes of the
//! eligible links (switch-to-switch by default, else the listed tiers),
//! drawn with [`SplitMix64`] by selection sampling in link order.

use super::apply::Pass;
use super::{Amount, Entry};
use crate::{NodeId, NodeRole};
use fabricsim_base::diag::did_you_mean;
use fabricsim_base::rng::SplitMix64;

impl Pass<'_, '_> {
    /// Selection sampling (Knuth, TAOCP vol. 2, Algorithm 3.4.2 S): lane `t`
    /// of `L` is taken with probability (k − taken) / (L − t), which yields a
    /// uniform k-subset in one pass in lane order, O(L) time, O(k) memory.
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
        let mut taken = 0u64;
        let mut seen = 0u64;
        let mut cables = 0usize;
        'cables: for &c in &eligible {
            let count = self.links[2 * c as usize].count;
            let mut hit = false;
            for lane in 0..count {
                if taken == k {
                    break 'cables;
                }
                let left = (total - seen) as f64;
                if left * rng.unit() < (k - taken) as f64 {
                    self.random.push((c, lane, i as u32));
                    taken += 1;
                    hit = true;
                }
                seen += 1;
            }
            cables += usize::from(hit);
        }
        debug_assert_eq!(taken, k, "selection sampling takes exactly k");
        Some((0, cables, k, Some(total)))
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
