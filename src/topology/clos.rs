//! Sizing of the rail-optimized Clos built by a `[scale_out]` block.
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
//! `R = nics_per_accelerator`, rail `r = i·R + n` holds NIC `n` of local
//! accelerator `i` of every domain, so `G = N·R` rails of `E = D` endpoints
//! (`D` = domains): GPU `i` of every server shares a leaf group, as in NVIDIA's
//! rail-optimized SuperPODs. Without a `[scale_up]` block each accelerator is
//! its own domain: `G = R`, `E` = number of accelerators. With
//! `topology = "fat-tree"` there is one group of all NICs in rank order:
//! `G = 1`, `E = A·R`.
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
//! **Two tiers.** Every leaf connects to every spine with `c` parallel lanes:
//! `c` = the largest divisor of `u` with `L·c ≤ k`, and `S = u/c` spines
//! (each uses `L·c ≤ k` ports). This needs `L ≤ k`: at most `k` leaves, i.e.
//! `k·d` endpoints for one group (`k²/2` at 1:1, the classic bound).
//!
//! **Three tiers.** Spines are non-blocking: `k_s = ⌊k/2⌋` ports down, as many
//! up. Leaves are packed into pods of `P = min(L, k_s)` consecutive leaves,
//! `pods = ⌈L/P⌉`. Inside a pod every leaf connects to every one of the pod's
//! `S_p = u/c₁` spines with `c₁` lanes, `c₁` = the largest divisor of `u`
//! with `P·c₁ ≤ k_s`. Spine `j` of every pod belongs to plane `j`; a spine has
//! `v = P·c₁` uplinks (equal to its down-ports in use), and plane `j` has
//! `C = v/c₂` core switches, each joined to spine `j` of every pod with `c₂`
//! lanes, `c₂` = the largest divisor of `v` with `pods·c₂ ≤ k`. Cores total
//! `S_p·C`. This needs `pods ≤ k`: at most `k·⌊k/2⌋·d` endpoints
//! (`k³/4` at 1:1, the classic bound).
//!
//! Oversubscription applies at the leaf tier only; spine and core tiers are
//! non-blocking.

use thiserror::Error;

/// The inputs of [`ClosPlan::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosParams {
    /// `G`: endpoint groups (rails).
    pub groups: u64,
    /// `E`: endpoints (NIC ports) per group, at least 1.
    pub endpoints_per_group: u64,
    /// `k`: ports per switch.
    pub radix: u64,
    /// 2 (leaf–spine) or 3 (leaf–spine–core).
    pub tiers: u32,
    /// `(a, b)`: leaf down-ports : up-ports, both at least 1.
    pub oversubscription: (u64, u64),
}

/// Switch counts and wiring of a rail-optimized Clos (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosPlan {
    /// The inputs.
    pub params: ClosParams,
    /// `d = a·⌊k/(a+b)⌋`: most down-ports a leaf may use.
    pub leaf_down_max: u64,
    /// `q`: groups sharing one leaf (1 when a group needs its own leaves).
    pub groups_per_leaf: u64,
    /// `L_g`: leaves per group (1 when groups share leaves).
    pub leaves_per_group: u64,
    /// `e_g`: endpoints of one group on one leaf (at most).
    pub group_endpoints_per_leaf: u64,
    /// `e = min(q, G)·e_g`: endpoints on the fullest leaf.
    pub endpoints_per_leaf: u64,
    /// `u = ⌈e·b/a⌉`: uplinks (lanes) per leaf.
    pub leaf_uplinks: u64,
    /// `L = G·L_g`: total leaves.
    pub leaves: u64,
    /// `P`: leaves per pod (`L` with two tiers).
    pub leaves_per_pod: u64,
    /// Number of pods (1 with two tiers).
    pub pods: u64,
    /// `S` (two tiers) or `S_p` (three tiers): spines per pod.
    pub spines_per_pod: u64,
    /// `c` or `c₁`: parallel lanes between a leaf and each spine of its pod.
    pub leaf_spine_lanes: u64,
    /// Total spines = `pods · spines_per_pod`.
    pub spines: u64,
    /// `C`: cores per plane (0 with two tiers).
    pub cores_per_plane: u64,
    /// `c₂`: parallel lanes between a core and each spine of its plane.
    pub spine_core_lanes: u64,
    /// Total cores = `spines_per_pod · cores_per_plane`.
    pub cores: u64,
}

/// Why a Clos cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ClosError {
    /// `k < a + b`: a leaf cannot have even one down/up port pair.
    #[error(
        "switch_radix {radix} is too small for oversubscription {a}:{b} (a leaf needs at least {need} ports)"
    )]
    RadixTooSmall {
        radix: u64,
        a: u64,
        b: u64,
        need: u64,
    },
    /// Two tiers hold at most `k` leaves.
    #[error(
        "a 2-tier Clos of radix {radix} connects at most {radix} leaves, but {leaves} are needed ({groups} rail(s), up to {down} endpoints per leaf)"
    )]
    TooManyLeaves {
        radix: u64,
        leaves: u64,
        groups: u64,
        down: u64,
    },
    /// Three tiers hold at most `k` pods.
    #[error(
        "a 3-tier Clos of radix {radix} connects at most {radix} pods of {per_pod} leaves, but {pods} pods are needed"
    )]
    TooManyPods { radix: u64, pods: u64, per_pod: u64 },
    /// Only 2 and 3 tiers are supported.
    #[error("tiers must be 2 or 3, got {0}")]
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
    /// O(k) time for the divisor searches, O(1) memory.
    ///
    /// # Example
    /// ```
    /// use fabricsim::topology::clos::{ClosParams, ClosPlan};
    /// // 16 servers × 8 rails, radix 64, 1:1: d = 32, so two 16-endpoint
    /// // rails share a leaf (4 leaves, 32 down + 32 up); 4 leaves × 16
    /// // lanes fill 2 spines of 64 ports.
    /// let p = ClosPlan::new(ClosParams {
    ///     groups: 8, endpoints_per_group: 16, radix: 64, tiers: 2, oversubscription: (1, 1),
    /// }).unwrap();
    /// assert_eq!((p.groups_per_leaf, p.leaves, p.leaf_uplinks), (2, 4, 32));
    /// assert_eq!((p.spines, p.leaf_spine_lanes), (2, 16));
    /// ```
    pub fn new(params: ClosParams) -> Result<ClosPlan, ClosError> {
        let ClosParams {
            groups,
            endpoints_per_group: e_total,
            radix: k,
            tiers,
            oversubscription: (a, b),
        } = params;
        if tiers != 2 && tiers != 3 {
            return Err(ClosError::Tiers(tiers));
        }
        let g = k / (a + b);
        if g == 0 {
            return Err(ClosError::RadixTooSmall {
                radix: k,
                a,
                b,
                need: a + b,
            });
        }
        let d = a * g;
        let e_total = e_total.max(1);
        let (q, per_group, e_g) = if e_total > d {
            let lg = e_total.div_ceil(d);
            (1, lg, e_total.div_ceil(lg))
        } else {
            (d / e_total, 1, e_total)
        };
        let e = q.min(groups.max(1)) * e_g;
        let u = (e * b).div_ceil(a);
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
            leaves_per_pod: leaves,
            pods: 1,
            spines_per_pod: 0,
            leaf_spine_lanes: 0,
            spines: 0,
            cores_per_plane: 0,
            spine_core_lanes: 0,
            cores: 0,
        };
        if tiers == 2 {
            if leaves > k {
                return Err(ClosError::TooManyLeaves {
                    radix: k,
                    leaves,
                    groups,
                    down: d,
                });
            }
            let c = largest_divisor_at_most(u, k / leaves);
            plan.leaf_spine_lanes = c;
            plan.spines_per_pod = u / c;
            plan.spines = u / c;
        } else {
            let ks = k / 2;
            let p = leaves.min(ks).max(1);
            let pods = leaves.div_ceil(p);
            if pods > k {
                return Err(ClosError::TooManyPods {
                    radix: k,
                    pods,
                    per_pod: p,
                });
            }
            let c1 = largest_divisor_at_most(u, ks / p);
            let sp = u / c1;
            let v = p * c1;
            let c2 = largest_divisor_at_most(v, k / pods);
            plan.leaves_per_pod = p;
            plan.pods = pods;
            plan.spines_per_pod = sp;
            plan.leaf_spine_lanes = c1;
            plan.spines = pods * sp;
            plan.cores_per_plane = v / c2;
            plan.spine_core_lanes = c2;
            plan.cores = sp * (v / c2);
        }
        Ok(plan)
    }

    /// Leaves + spines + cores.
    pub fn switches(&self) -> u64 {
        self.leaves + self.spines + self.cores
    }

    /// Full-duplex switch-to-switch links (each a bundle of lanes): leaf–spine
    /// `L·S_p`, plus spine–core `cores · pods` with three tiers.
    pub fn switch_links(&self) -> u64 {
        self.leaves * self.spines_per_pod + self.cores * self.pods
    }

    /// Global index of the leaf that endpoint `j` of group `r` attaches to:
    /// `⌊r/q⌋·L_g + ⌊j/e_g⌋`.
    pub fn leaf_of(&self, group: u64, j: u64) -> u64 {
        (group / self.groups_per_leaf) * self.leaves_per_group + j / self.group_endpoints_per_leaf
    }

    /// Pod of global leaf `l`: `⌊l/P⌋`.
    pub fn pod_of_leaf(&self, leaf: u64) -> u64 {
        leaf / self.leaves_per_pod
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
            (p.leaves, p.leaf_uplinks, p.spines, p.leaf_spine_lanes),
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
        assert_eq!(p.pods, 4);
        assert_eq!(p.spines, 8);
        assert_eq!(p.cores, 4);
        assert_eq!(p.switches(), 20);
    }

    #[test]
    fn small_rails_share_leaves() {
        // 72 rails of 16 endpoints, k = 64, 1:1: q = 2 rails per leaf → 36 leaves;
        // u = 32, c = largest divisor of 32 with 36c ≤ 64 = 1 → 32 spines.
        let p = plan(72, 16, 64, 2, (1, 1)).unwrap();
        assert_eq!(
            (p.groups_per_leaf, p.leaves, p.leaf_uplinks, p.spines),
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
        assert_eq!((p.leaf_spine_lanes, p.spines), (2, 8));
    }
}
