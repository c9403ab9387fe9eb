//! Sizing of the Clos networks (rail-optimized, fat-tree, rail-only; 1 to 4
//! tiers) built by a `[scale_out]` block.
//!
//! [`ClosPlan::new`] turns the block's parameters into switch counts with
//! closed-form formulas, in O(radix) time and without allocating, so that a
//! fabric too large for the limits is refused before anything is built.
//!
//! # Construction
//!
//! Notation: `k` = `switch_radix` (ports per switch, all at the NIC speed),
//! `a:b` = `oversubscription` (leaf down-ports : leaf up-ports), `G` = number
//! of endpoint groups (rails), `E` = endpoints (NIC ports) per group.
//!
//! **Rails.** With a `[scale_up]` block of `N` accelerators per domain and
//! `R = nics_per_accelerator`, rail `r = n·N + i` holds NIC `n` of local
//! accelerator `i` of every domain, so `G = N·R` rails of `E = D` endpoints
//! (`D` = domains): GPU `i` of every server shares a leaf group, as in NVIDIA's
//! rail-optimized SuperPODs. Without a `[scale_up]` block each accelerator is
//! its own domain: `G = R`, `E` = number of accelerators. With
//! `topology = "fat-tree"` there is one group of all NICs in rank order:
//! `G = 1`, `E = A·R`. With `topology = "rail-only"` every rail is a
//! separate Clos of its own (`G = 1`, `E = D`, built `N·R` times), so rails
//! share no switch. With `planes = P` the whole network (every rail's, for
//! rail-only) is built `P` times, once per plane, at `1/P` of the NIC rate;
//! the plan below is the same for every plane.
//!
//! **Leaves.** A leaf reserves `g = ⌊k/(a+b)⌋` port pairs: at most `d = a·g`
//! down-ports, so the ratio is exact and `(a+b)·g ≤ k` ports are used.
//! - A group larger than a leaf (`E > d`) gets `L_g = ⌈E/d⌉` leaves of its
//!   own, `e_g = ⌈E/L_g⌉` endpoints each (spread evenly; the last leaf may hold
//!   fewer), and `q = 1`.
//! - Smaller groups share leaves: `q = ⌊d/E⌋` whole groups per leaf, `L_g = 1`,
//!   `e_g = E`. Every rail still sits on a single leaf, so traffic within a
//!   rail never leaves it.
//!
//! Endpoint `j` of group `r` goes to leaf `⌊r/q⌋·L_g + ⌊j/e_g⌋`. Total leaves
//! `L = ⌈G/q⌉·L_g`; the fullest leaf has `e = min(q, G)·e_g` endpoints and
//! `u = ⌈e·b/a⌉` uplinks, so `e:u` is the requested ratio (rounded up in
//! favour of bandwidth).
//!
//! **One tier.** A single switch layer without uplinks: a leaf uses all `k`
//! ports down (`d = k`, `u = 0`), and every group must fit on one leaf
//! together (`L = 1`), or, for `rail-only`, each rail on its own single
//! leaf. Oversubscription does not apply.
//!
//! **Upper tiers** (`t` = `tiers`, 2 to 4), built recursively; tier 1 is the
//! leaves, and a *tier-1 block* is one leaf. A tier-`i` block joins
//! `P_i` consecutive tier-`(i−1)` blocks. Every tier-`(i−1)` block has
//! `m_{i−1}` switches at its top (`m_1 = 1`), each with `v_{i−1}` uplinks
//! (`v_1 = u`). Switch `j` of every sub-block belongs to *plane* `j` of the
//! block; each plane gets `w_i = v_{i−1}/c_{i−1}` tier-`i` switches, each
//! joined to switch `j` of every sub-block with `c_{i−1}` lanes, `c_{i−1}` =
//! the largest divisor of `v_{i−1}` with `P_i·c_{i−1} ≤ k_i`. So a tier-`i`
//! block has `m_i = m_{i−1}·w_i` tier-`i` switches.
//!
//! - Below the top (`i < t`) switches are non-blocking: `k_i = ⌊k/2⌋` ports
//!   down and as many up, `P_i = min(n_{i−1}, ⌊k/2⌋)`, `n_i = ⌈n_{i−1}/P_i⌉`
//!   blocks (`n_1 = L`), and `v_i = P_i·c_{i−1}` uplinks (equal to the
//!   down-ports in use).
//! - At the top (`i = t`) all `k` ports point down: one block of
//!   `P_t = n_{t−1}` sub-blocks, which requires `n_{t−1} ≤ k`.
//!
//! Tier-`i` switches total `n_i·m_i`; tier-`i` links (bundles) total
//! `n_{i−1}·m_{i−1}·w_i` (every switch of the tier below has one bundle to
//! each of the `w_i` switches of its plane). Switch `x` of tier `i` in
//! block `b`, plane `j` is numbered `b·m_i + j·w_i + x`.
//!
//! With two tiers this is a leaf–spine: every leaf joins every one of
//! `S = u/c` spines with `c` lanes, `c` = the largest divisor of `u` with
//! `L·c ≤ k`; at most `k` leaves, i.e. `k·d` endpoints for one group
//! (`k²/2` at 1:1, the classic bound). With three tiers, pods of
//! `P = min(L, ⌊k/2⌋)` leaves, `S_p` spines per pod, spine `j` of every pod
//! in plane `j` with `C` cores: at most `k` pods, `k·⌊k/2⌋·d` endpoints
//! (`k³/4` at 1:1). Four tiers hold `k·⌊k/2⌋²·d` (`k⁴/8` at 1:1). At 1:1
//! with one group, `k` even and the group a full `2(k/2)^t` endpoints, this
//! is the classic k-ary fat tree with `(2t−1)·(k/2)^(t−1)` switches.
//!
//! Oversubscription applies at the leaf tier only; upper tiers are
//! non-blocking.

use thiserror::Error;

/// Most tiers a Clos may have.
pub const MAX_TIERS: u32 = 4;

/// Names of the switch tiers, leaf first: switch nodes are called
/// `leaf0`, `spine0`, `core0`, `supercore0`, and the links from the tier
/// below up to tier `i` carry the tier label `TIER_NAMES[i − 1]` (NIC–leaf
/// links are `leaf`, leaf–spine links `spine`, and so on).
pub const TIER_NAMES: [&str; MAX_TIERS as usize] = ["leaf", "spine", "core", "supercore"];

/// The inputs of [`ClosPlan::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosParams {
    /// `G`: endpoint groups (rails).
    pub groups: u64,
    /// `E`: endpoints (NIC ports) per group, at least 1.
    pub endpoints_per_group: u64,
    /// `k`: ports per switch.
    pub radix: u64,
    /// `t`: 1 to [`MAX_TIERS`].
    pub tiers: u32,
    /// `(a, b)`: leaf down-ports : up-ports, both at least 1 (ignored with
    /// one tier).
    pub oversubscription: (u64, u64),
}

/// One tier above the leaves (tier `i`, 2 ≤ `i` ≤ `t`); see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpperTier {
    /// `P_i`: tier-`(i−1)` blocks joined by one tier-`i` block (the last
    /// block may join fewer).
    pub fan_in: u64,
    /// `n_i`: tier-`i` blocks (1 at the top).
    pub blocks: u64,
    /// `m_{i−1}`: planes per block = switches at the top of each sub-block.
    pub planes: u64,
    /// `c_{i−1}`: lanes from a tier-`(i−1)` switch to each tier-`i` switch
    /// of its plane.
    pub lanes: u64,
    /// `w_i`: tier-`i` switches per plane per block.
    pub per_plane: u64,
    /// `m_i = m_{i−1}·w_i`: tier-`i` switches per block.
    pub per_block: u64,
    /// `v_i = P_i·c_{i−1}`: uplinks of a tier-`i` switch (0 at the top).
    pub uplinks: u64,
}

impl UpperTier {
    /// Tier-`i` switches: `n_i·m_i`.
    pub fn switches(&self) -> u64 {
        self.blocks * self.per_block
    }
}

/// Switch counts and wiring of a Clos (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosPlan {
    /// The inputs.
    pub params: ClosParams,
    /// `d = a·⌊k/(a+b)⌋` (`k` with one tier): most down-ports a leaf may use.
    pub leaf_down_max: u64,
    /// `q`: groups sharing one leaf (1 when a group needs its own leaves).
    pub groups_per_leaf: u64,
    /// `L_g`: leaves per group (1 when groups share leaves).
    pub leaves_per_group: u64,
    /// `e_g`: endpoints of one group on one leaf (at most).
    pub group_endpoints_per_leaf: u64,
    /// `e = min(q, G)·e_g`: endpoints on the fullest leaf.
    pub endpoints_per_leaf: u64,
    /// `u = ⌈e·b/a⌉`: uplinks (lanes) per leaf (0 with one tier).
    pub leaf_uplinks: u64,
    /// `L = ⌈G/q⌉·L_g`: total leaves.
    pub leaves: u64,
    /// Tiers 2 to `t` (`upper[i − 2]` is tier `i`); unused entries are zero.
    pub upper: [UpperTier; MAX_TIERS as usize - 1],
}

/// Why a Clos cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ClosError {
    /// `k < a + b`: a leaf cannot have even one down/up port pair.
    #[error(
        "switch_radix {radix} is too small for oversubscription {a}:{b} (a leaf needs at least {need} ports)"
    )]
    RadixTooSmall {
        /// `k`: ports per switch.
        radix: u64,
        /// `a`: the down side of the oversubscription `a:b`.
        a: u64,
        /// `b`: the up side of the oversubscription `a:b`.
        b: u64,
        /// `a + b`: the fewest ports a leaf needs.
        need: u64,
    },
    /// One tier is a single leaf per network.
    #[error(
        "a 1-tier Clos is a single switch of radix {radix}, but {leaves} leaves are needed ({groups} rail(s), up to {radix} endpoints per leaf)"
    )]
    SingleSwitch {
        /// `k`: ports per switch.
        radix: u64,
        /// `L`: leaves needed.
        leaves: u64,
        /// `G`: endpoint groups (rails).
        groups: u64,
    },
    /// Two tiers hold at most `k` leaves.
    #[error(
        "a 2-tier Clos of radix {radix} connects at most {radix} leaves, but {leaves} are needed ({groups} rail(s), up to {down} endpoints per leaf)"
    )]
    TooManyLeaves {
        /// `k`: ports per switch.
        radix: u64,
        /// `L`: leaves needed.
        leaves: u64,
        /// `G`: endpoint groups (rails).
        groups: u64,
        /// `d = a·⌊k/(a+b)⌋`: most endpoints per leaf.
        down: u64,
    },
    /// Three or more tiers hold at most `k` blocks below the top.
    #[error(
        "a {tiers}-tier Clos of radix {radix} connects at most {radix} pods of {per_pod} leaves, but {pods} pods are needed"
    )]
    TooManyPods {
        /// `t`: tiers.
        tiers: u32,
        /// `k`: ports per switch.
        radix: u64,
        /// `n_{t−1}`: tier-`(t−1)` blocks needed below the top.
        pods: u64,
        /// Leaves per tier-`(t−1)` block.
        per_pod: u64,
    },
    /// Only 1 to [`MAX_TIERS`] tiers are supported.
    #[error("tiers must be from 1 to {MAX_TIERS}, got {0}")]
    Tiers(u32),
}

/// The largest divisor of `n` that is at most `m` (at least 1).
fn largest_divisor_at_most(n: u64, m: u64) -> u64 {
    (1..=n.min(m).max(1))
        .rev()
        .find(|&c| n.is_multiple_of(c))
        .unwrap_or(1)
}

impl ClosPlan {
    /// Sizes the Clos with the formulas of the module docs.
    ///
    /// # Complexity
    /// O(t·k) time for the divisor searches, O(1) memory.
    ///
    /// # Example
    /// ```
    /// use fabricsim_topology::clos::{ClosParams, ClosPlan};
    /// // 16 servers × 8 rails, radix 64, 1:1: d = 32, so two 16-endpoint
    /// // rails share a leaf (4 leaves, 32 down + 32 up); 4 leaves × 16
    /// // lanes fill 2 spines of 64 ports.
    /// let p = ClosPlan::new(ClosParams {
    ///     groups: 8, endpoints_per_group: 16, radix: 64, tiers: 2, oversubscription: (1, 1),
    /// }).unwrap();
    /// assert_eq!((p.groups_per_leaf, p.leaves, p.leaf_uplinks), (2, 4, 32));
    /// assert_eq!((p.switches_at(2), p.upper[0].lanes), (2, 16));
    /// ```
    pub fn new(params: ClosParams) -> Result<ClosPlan, ClosError> {
        let ClosParams {
            groups,
            endpoints_per_group: e_total,
            radix: k,
            tiers,
            oversubscription: (a, b),
        } = params;
        if !(1..=MAX_TIERS).contains(&tiers) {
            return Err(ClosError::Tiers(tiers));
        }
        let d = if tiers == 1 {
            k
        } else {
            let g = k / (a + b);
            if g == 0 {
                return Err(ClosError::RadixTooSmall {
                    radix: k,
                    a,
                    b,
                    need: a + b,
                });
            }
            a * g
        };
        let e_total = e_total.max(1);
        let (q, per_group, e_g) = if e_total > d {
            let lg = e_total.div_ceil(d);
            (1, lg, e_total.div_ceil(lg))
        } else {
            (d / e_total, 1, e_total)
        };
        let e = q.min(groups.max(1)) * e_g;
        let u = if tiers == 1 { 0 } else { (e * b).div_ceil(a) };
        let leaves = groups.div_ceil(q).saturating_mul(per_group);
        let mut plan = ClosPlan {
            params,
            leaf_down_max: d,
            groups_per_leaf: q,
            leaves_per_group: per_group,
            group_endpoints_per_leaf: e_g,
            endpoints_per_leaf: e,
            leaf_uplinks: u,
            leaves,
            upper: [UpperTier::default(); MAX_TIERS as usize - 1],
        };
        match tiers {
            1 if leaves > 1 => {
                return Err(ClosError::SingleSwitch {
                    radix: k,
                    leaves,
                    groups,
                });
            }
            2 if leaves > k => {
                return Err(ClosError::TooManyLeaves {
                    radix: k,
                    leaves,
                    groups,
                    down: d,
                });
            }
            _ => {}
        }
        // (n_{i−1}, m_{i−1}, v_{i−1}) of the tier below.
        let (mut n, mut m, mut v) = (leaves, 1u64, u);
        // Leaves per tier-(i−1) block: P_2·…·P_{i−1}.
        let mut leaves_per_block = 1u64;
        for i in 2..=tiers {
            let top = i == tiers;
            let (fan_in, k_down) = if top {
                if n > k {
                    return Err(ClosError::TooManyPods {
                        tiers,
                        radix: k,
                        pods: n,
                        per_pod: leaves_per_block,
                    });
                }
                (n, k)
            } else {
                (n.min(k / 2).max(1), k / 2)
            };
            let lanes = largest_divisor_at_most(v, k_down / fan_in);
            let per_plane = v / lanes;
            let blocks = n.div_ceil(fan_in);
            let t = UpperTier {
                fan_in,
                blocks,
                planes: m,
                lanes,
                per_plane,
                per_block: m * per_plane,
                uplinks: if top { 0 } else { fan_in * lanes },
            };
            plan.upper[i as usize - 2] = t;
            (n, m, v) = (blocks, t.per_block, t.uplinks);
            leaves_per_block = leaves_per_block.saturating_mul(fan_in);
        }
        Ok(plan)
    }

    /// Switches of tier `i` (1 = leaves), 0 above the top tier.
    pub fn switches_at(&self, tier: u32) -> u64 {
        match tier {
            1 => self.leaves,
            2..=MAX_TIERS => self.upper[tier as usize - 2].switches(),
            _ => 0,
        }
    }

    /// Switches of the top tier.
    pub fn top_switches(&self) -> u64 {
        self.switches_at(self.params.tiers)
    }

    /// Switches of all tiers.
    pub fn switches(&self) -> u64 {
        (1..=self.params.tiers).map(|i| self.switches_at(i)).sum()
    }

    /// Full-duplex switch-to-switch links (each a bundle of lanes) into tier
    /// `i ≥ 2`: `n_{i−1}·m_{i−1}·w_i`.
    pub fn links_at(&self, tier: u32) -> u64 {
        if !(2..=self.params.tiers).contains(&tier) {
            return 0;
        }
        let below = self.switches_at(tier - 1);
        below * self.upper[tier as usize - 2].per_plane
    }

    /// Full-duplex switch-to-switch links of all tiers.
    pub fn switch_links(&self) -> u64 {
        (2..=self.params.tiers).map(|i| self.links_at(i)).sum()
    }

    /// Global index of the leaf that endpoint `j` of group `r` attaches to:
    /// `⌊r/q⌋·L_g + ⌊j/e_g⌋`.
    pub fn leaf_of(&self, group: u64, j: u64) -> u64 {
        (group / self.groups_per_leaf) * self.leaves_per_group + j / self.group_endpoints_per_leaf
    }

    /// Calls `f(lower, upper, lanes)` for every link bundle into tier `i ≥ 2`,
    /// with switch indices within their tiers (module docs: switch `x` of
    /// block `b`, plane `j` is `b·m_i + j·w_i + x`).
    ///
    /// Order: into tier 2, by lower switch (leaf), then upper; above, by
    /// upper switch, then lower (the order fabricsim has always used for
    /// leaf–spine and spine–core links, so link ids are stable).
    pub fn for_each_link(&self, tier: u32, mut f: impl FnMut(u64, u64, u64)) {
        if !(2..=self.params.tiers).contains(&tier) {
            return;
        }
        let t = &self.upper[tier as usize - 2];
        if tier == 2 {
            for leaf in 0..self.leaves {
                let b = leaf / t.fan_in;
                for x in 0..t.per_plane {
                    f(leaf, b * t.per_block + x, t.lanes);
                }
            }
            return;
        }
        let below_blocks = self.upper[tier as usize - 3].blocks;
        for b in 0..t.blocks {
            let subs = b * t.fan_in..((b + 1) * t.fan_in).min(below_blocks);
            for j in 0..t.planes {
                for x in 0..t.per_plane {
                    let upper = b * t.per_block + j * t.per_plane + x;
                    for sub in subs.clone() {
                        f(sub * t.planes + j, upper, t.lanes);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(groups: u64, e: u64, k: u64, tiers: u32, o: (u64, u64)) -> Result<ClosPlan, ClosError> {
        ClosPlan::new(ClosParams {
            groups,
            endpoints_per_group: e,
            radix: k,
            tiers,
            oversubscription: o,
        })
    }

    #[test]
    fn classic_two_tier_bound() {
        // One group, k = 4, 1:1: d = 2, at most 4 leaves → 8 endpoints (k²/2).
        let p = plan(1, 8, 4, 2, (1, 1)).unwrap();
        assert_eq!(
            (p.leaves, p.leaf_uplinks, p.switches_at(2), p.upper[0].lanes),
            (4, 2, 2, 1)
        );
        assert!(matches!(
            plan(1, 9, 4, 2, (1, 1)),
            Err(ClosError::TooManyLeaves { .. })
        ));
    }

    #[test]
    fn classic_three_tier_fat_tree() {
        // k = 4 fat tree: 16 hosts, 8 edge, 8 aggregation, 4 core (k³/4, 5k²/4 switches).
        let p = plan(1, 16, 4, 3, (1, 1)).unwrap();
        assert_eq!(p.leaves, 8);
        assert_eq!(p.upper[0].blocks, 4);
        assert_eq!(p.switches_at(2), 8);
        assert_eq!(p.switches_at(3), 4);
        assert_eq!(p.switches(), 20);
        // Every edge switch to both aggregation switches of its pod, every
        // aggregation switch to the 2 cores of its plane: 16 + 16 links.
        assert_eq!((p.links_at(2), p.links_at(3)), (16, 16));
        let mut seen = Vec::new();
        p.for_each_link(3, |lo, up, lanes| seen.push((lo, up, lanes)));
        // Aggregation switch 2 = pod 1, plane 0 → cores 0 and 1.
        assert!(seen.contains(&(2, 0, 1)) && seen.contains(&(2, 1, 1)));
        assert!(!seen.iter().any(|&(lo, up, _)| lo == 2 && up >= 2));
    }

    #[test]
    fn small_rails_share_leaves() {
        // 72 rails of 16 endpoints, k = 64, 1:1: q = 2 rails per leaf → 36 leaves;
        // u = 32, c = largest divisor of 32 with 36c ≤ 64 = 1 → 32 spines.
        let p = plan(72, 16, 64, 2, (1, 1)).unwrap();
        assert_eq!(
            (
                p.groups_per_leaf,
                p.leaves,
                p.leaf_uplinks,
                p.switches_at(2)
            ),
            (2, 36, 32, 32)
        );
        assert_eq!(p.leaf_of(3, 15), 1);
        // 5 rails of 10 endpoints, d = 32: q = 3, leaves 2, e = min(3, 5)·10 = 30.
        let p = plan(5, 10, 64, 2, (1, 1)).unwrap();
        assert_eq!(
            (p.groups_per_leaf, p.leaves, p.endpoints_per_leaf),
            (3, 2, 30)
        );
    }

    #[test]
    fn oversubscription_halves_uplinks() {
        // k = 64, 2:1: g = 21, d = 42; 128 endpoints → 4 leaves of 32, 16 uplinks each.
        let p = plan(8, 128, 64, 2, (2, 1)).unwrap();
        assert_eq!(
            (p.leaf_down_max, p.leaves_per_group, p.endpoints_per_leaf),
            (42, 4, 32)
        );
        assert_eq!(p.leaf_uplinks, 16);
        assert_eq!(p.leaves, 32);
        // c = largest divisor of 16 with 32c ≤ 64 → 2; S = 8.
        assert_eq!((p.upper[0].lanes, p.switches_at(2)), (2, 8));
    }

    #[test]
    fn classic_k_ary_fat_trees_of_every_tier_count() {
        // k = 4, 1:1, one group of 2·(k/2)^t hosts: (2t − 1)·(k/2)^(t − 1)
        // switches; t = 1 is one switch of 4 ports.
        for (t, hosts, switches) in [(1, 4, 1), (2, 8, 6), (3, 16, 20), (4, 32, 56)] {
            let p = plan(1, hosts, 4, t, (1, 1)).unwrap();
            assert_eq!(p.switches(), switches, "tiers {t}");
            assert_eq!(p.top_switches(), if t == 1 { 1 } else { 2u64.pow(t - 1) });
            // One more host does not fit.
            assert!(plan(1, hosts + 1, 4, t, (1, 1)).is_err(), "tiers {t}");
        }
        // k = 8, 4 tiers: 2·4⁴ = 512 hosts, 7·4³ = 448 switches.
        let p = plan(1, 512, 8, 4, (1, 1)).unwrap();
        assert_eq!(p.switches(), 448);
        // Every tier has 2·(k/2)^t = 512 link bundles of one lane (one per
        // down-port pair), as many as hosts.
        for i in 2..=4 {
            assert_eq!(p.links_at(i), 512, "tier {i}");
            assert_eq!(p.upper[i as usize - 2].lanes, 1);
        }
    }

    #[test]
    fn tier_errors() {
        assert_eq!(plan(1, 4, 4, 0, (1, 1)), Err(ClosError::Tiers(0)));
        assert_eq!(plan(1, 4, 4, 5, (1, 1)), Err(ClosError::Tiers(5)));
        assert!(matches!(
            plan(1, 5, 4, 1, (1, 1)),
            Err(ClosError::SingleSwitch { leaves: 2, .. })
        ));
        // 4 tiers, k = 4: 33 hosts need 17 leaves → 9 → 5 blocks of 4 leaves > 4.
        assert!(matches!(
            plan(1, 33, 4, 4, (1, 1)),
            Err(ClosError::TooManyPods {
                tiers: 4,
                pods: 5,
                per_pod: 4,
                ..
            })
        ));
    }
}
