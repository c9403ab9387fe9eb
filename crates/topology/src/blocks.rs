//! Sizing and wiring of the switchless scale-up blocks (full mesh, torus) and
//! of the dragonfly scale-out, with closed-form counts.
//!
//! Like [`super::clos`], every count here is computed from the block's
//! parameters in O(1) (or O(dims)) without allocating, so the size limits are
//! checked before anything is built; the `for_each_*` walks then generate the
//! links in a fixed order (deterministic output).
//!
//! # Full mesh (`[scale_up] topology = "full-mesh"`)
//! `N` accelerators per domain, every pair joined by one link of
//! `links_per_peer` lanes (xGMI-style: MI300X has 7 links per GPU in a full
//! mesh of 8, AMD ROCm blog "mi300x-rccl-xgmi"). Per domain: `N` nodes,
//! `N(N−1)/2` links, `N(N−1)` directed links. No switch; every pair is one
//! hop, so the accelerators need not forward.
//!
//! # Torus (`[scale_up] topology = "torus"`)
//! Dimensions `d_0 × … × d_{r−1}` (1 to 3 of them, each at least 2),
//! `n = Π d_i` accelerators per domain. Accelerator `i` has coordinates
//! `x` with `i = Σ_k x_k·Π_{l>k} d_l` (the first dimension varies slowest,
//! the last fastest). Along every dimension `k` each accelerator is joined
//! to its neighbours `x_k ± 1 (mod d_k)` by links of `links_per_neighbor`
//! lanes, wrapping around (TPU-style). A dimension of size 2 has one
//! neighbour, hence one link per pair (the wraparound would be the same
//! pair). Per domain: `n` nodes and `Σ_k (n/d_k)·ℓ_k` links with `ℓ_k = d_k`
//! for `d_k ≥ 3` and `ℓ_k = 1` for `d_k = 2`; with every `d_k ≥ 3` that is
//! `r·n` links (`2r` neighbours per chip, `2r·n` directed links). Chips route
//! traffic themselves, so the accelerators forward (`forwards = true`). The
//! hop diameter is `Σ_k ⌊d_k/2⌋`.
//!
//! # Dragonfly (`[scale_out] topology = "dragonfly"`)
//! Kim, Dally, Scott and Abts, "Technology-Driven, Highly-Scalable Dragonfly
//! Topology", ISCA 2008: `g` groups of `a` routers; each router has `p`
//! terminals (NIC ports), `a − 1` local links (the routers of a group are
//! all-to-all) and `h` global links, so `p + a − 1 + h` ports. Each group has
//! `a·h` global ports, so at most `g = a·h + 1` groups can all be joined
//! directly; with fewer, each pair of groups gets `m = ⌊a·h/(g−1)⌋` parallel
//! global links (ports beyond `m·(g−1)` per group stay unused).
//!
//! Wiring ("consecutive" arrangement): global port `j < m·(g−1)` of group
//! `x` sits on router `⌊j/h⌋` of the group and leads to group
//! `(x + 1 + (j mod (g−1))) mod g`, arriving at that group's port
//! `⌊j/(g−1)⌋·(g−1) + (g − 2 − (j mod (g−1)))`. Terminal `e` (NIC ports in
//! rank order) attaches to router `⌊e/p⌋` (router `r` of group `⌊r/a⌋`).
//! `g` defaults to `⌈E/(a·p)⌉` for `E` terminals.
//!
//! Counts: `g·a` routers, `E` terminal links, `g·a(a−1)/2` local links,
//! `m·g(g−1)/2` global links. With `m ≥ 1` a minimal route between routers
//! takes at most local–global–local: router diameter 3.

use thiserror::Error;

/// Undirected links of one torus domain (module docs).
pub fn torus_links(dims: &[u64]) -> u64 {
    let n: u64 = dims.iter().product();
    dims.iter()
        .map(|&d| if d >= 3 { n } else { n / d.max(1) })
        .sum()
}

/// Calls `f(i, j, dim)` for every undirected link of a torus domain, chips
/// numbered as in the module docs, in increasing `i`, then dimension.
pub fn for_each_torus_link(dims: &[u64], mut f: impl FnMut(u64, u64, usize)) {
    let n: u64 = dims.iter().product();
    // Stride of dimension k: product of the later dimensions.
    let strides: Vec<u64> = (0..dims.len())
        .map(|k| dims[k + 1..].iter().product())
        .collect();
    for i in 0..n {
        for (k, (&d, &s)) in dims.iter().zip(&strides).enumerate() {
            let x = (i / s) % d;
            if d >= 3 || (d == 2 && x == 0) {
                let next = (x + 1) % d;
                f(i, i - x * s + next * s, k);
            }
        }
    }
}

/// Undirected links of one full-mesh domain of `n` accelerators: `n(n−1)/2`.
pub fn mesh_links(n: u64) -> u64 {
    n.saturating_mul(n.saturating_sub(1)) / 2
}

/// The inputs of [`DragonflyPlan::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DragonflyParams {
    /// `a`: routers per group.
    pub routers_per_group: u64,
    /// `p`: terminals per router.
    pub terminals_per_router: u64,
    /// `h`: global links per router.
    pub global_links_per_router: u64,
    /// `g`: groups; `None` = as few as hold the terminals, `⌈E/(a·p)⌉`.
    pub groups: Option<u64>,
    /// `E`: terminals to attach (NIC ports of one plane).
    pub terminals: u64,
    /// Ports per router, if known: `p + a − 1 + h` must fit.
    pub radix: Option<u64>,
}

/// Router counts and wiring of a dragonfly (module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DragonflyPlan {
    /// The inputs the plan was sized from.
    pub params: DragonflyParams,
    /// `a`.
    pub a: u64,
    /// `p`.
    pub p: u64,
    /// `h`.
    pub h: u64,
    /// `g`.
    pub g: u64,
    /// `m = ⌊a·h/(g−1)⌋`: global links between each pair of groups (0 with
    /// one group).
    pub global_per_pair: u64,
}

/// Why a dragonfly cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DragonflyError {
    /// More groups than `a·h + 1`.
    #[error(
        "a dragonfly with a = {a} routers per group and h = {h} global links per router joins at most a·h + 1 = {max} groups, but {groups} are needed"
    )]
    TooManyGroups {
        /// `a`: routers per group.
        a: u64,
        /// `h`: global links per router.
        h: u64,
        /// `a·h + 1`: the most groups that can all be joined.
        max: u64,
        /// `g`: groups given or needed.
        groups: u64,
    },
    /// `g·a·p < E`.
    #[error(
        "{groups} groups × {a} routers × {p} terminals = {have} terminals, fewer than the {need} NIC ports to attach"
    )]
    TooFewTerminals {
        /// `g`: groups.
        groups: u64,
        /// `a`: routers per group.
        a: u64,
        /// `p`: terminals per router.
        p: u64,
        /// `g·a·p`: terminals available.
        have: u64,
        /// `E`: NIC ports to attach.
        need: u64,
    },
    /// `p + a − 1 + h > k`.
    #[error(
        "a dragonfly router needs p + a − 1 + h = {ports} ports, more than switch_radix {radix}"
    )]
    Radix {
        /// `p + a − 1 + h`: ports a router needs.
        ports: u64,
        /// `k`: the switch radix given.
        radix: u64,
    },
}

impl DragonflyPlan {
    /// Checks and sizes the dragonfly.
    ///
    /// # Complexity
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use fabricsim_topology::blocks::{DragonflyParams, DragonflyPlan};
    /// // Kim et al.'s balanced example: p = h = 2, a = 4: 9 groups, 72 terminals.
    /// let d = DragonflyPlan::new(DragonflyParams {
    ///     routers_per_group: 4, terminals_per_router: 2, global_links_per_router: 2,
    ///     groups: None, terminals: 72, radix: Some(7),
    /// }).unwrap();
    /// assert_eq!((d.g, d.routers(), d.global_per_pair, d.global_links()), (9, 36, 1, 36));
    /// ```
    pub fn new(params: DragonflyParams) -> Result<DragonflyPlan, DragonflyError> {
        let (a, p, h) = (
            params.routers_per_group.max(1),
            params.terminals_per_router.max(1),
            params.global_links_per_router,
        );
        let ports = p.saturating_add(a - 1).saturating_add(h);
        if let Some(k) = params.radix
            && ports > k
        {
            return Err(DragonflyError::Radix { ports, radix: k });
        }
        let per_group = a.saturating_mul(p);
        let g = params
            .groups
            .unwrap_or_else(|| params.terminals.div_ceil(per_group).max(1));
        let max = a.saturating_mul(h).saturating_add(1);
        if g > max {
            return Err(DragonflyError::TooManyGroups {
                a,
                h,
                max,
                groups: g,
            });
        }
        let have = g.saturating_mul(per_group);
        if have < params.terminals {
            return Err(DragonflyError::TooFewTerminals {
                groups: g,
                a,
                p,
                have,
                need: params.terminals,
            });
        }
        let global_per_pair = if g > 1 {
            a.saturating_mul(h) / (g - 1)
        } else {
            0
        };
        Ok(DragonflyPlan {
            params,
            a,
            p,
            h,
            g,
            global_per_pair,
        })
    }

    /// Routers: `g·a`.
    pub fn routers(&self) -> u64 {
        self.g.saturating_mul(self.a)
    }

    /// Local links: `g·a(a−1)/2`.
    pub fn local_links(&self) -> u64 {
        self.g.saturating_mul(self.a * (self.a - 1) / 2)
    }

    /// Global links: `m·g(g−1)/2`.
    pub fn global_links(&self) -> u64 {
        let pairs = u128::from(self.g) * u128::from(self.g - 1) / 2;
        u64::try_from(u128::from(self.global_per_pair) * pairs).unwrap_or(u64::MAX)
    }

    /// Router (global index) of terminal `e`: `⌊e/p⌋`.
    pub fn router_of(&self, terminal: u64) -> u64 {
        terminal / self.p
    }

    /// Calls `f(r1, r2)` (global router indices) for every global link, in
    /// increasing group, then port.
    pub fn for_each_global(&self, mut f: impl FnMut(u64, u64)) {
        if self.g < 2 {
            return;
        }
        let s = self.g - 1;
        for x in 0..self.g {
            for j in 0..self.global_per_pair * s {
                let o = j % s;
                let y = (x + 1 + o) % self.g;
                if x < y {
                    let back = (j / s) * s + (s - 1 - o);
                    f(x * self.a + j / self.h, y * self.a + back / self.h);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torus_counts_and_wraparound() {
        // 3 × 4 ring of rings: 12 chips, 12 + 12 links, every chip degree 4.
        let mut deg = [0u32; 12];
        let mut links = 0;
        for_each_torus_link(&[3, 4], |i, j, _| {
            assert_ne!(i, j);
            deg[i as usize] += 1;
            deg[j as usize] += 1;
            links += 1;
        });
        assert_eq!((links, torus_links(&[3, 4])), (24, 24));
        assert!(deg.iter().all(|&d| d == 4));
        // Chip 3 = (0, 3) wraps to (0, 0) along the last dimension; chip 8 =
        // (2, 0) wraps to (0, 0) along the first.
        let mut pairs = Vec::new();
        for_each_torus_link(&[3, 4], |i, j, k| pairs.push((i, j, k)));
        assert!(pairs.contains(&(3, 0, 1)) && pairs.contains(&(8, 0, 0)));
        // A dimension of 2: one link per pair; 2 × 2 × 2 cube = 12 edges.
        assert_eq!(torus_links(&[2, 2, 2]), 12);
        assert_eq!(torus_links(&[16, 16, 16]), 3 * 4096);
    }

    #[test]
    fn dragonfly_global_links_pair_every_group_once() {
        // a = 4, h = 2, g = 9 = a·h + 1: each pair of groups exactly once,
        // each router with exactly h = 2 global links.
        let d = DragonflyPlan::new(DragonflyParams {
            routers_per_group: 4,
            terminals_per_router: 2,
            global_links_per_router: 2,
            groups: Some(9),
            terminals: 72,
            radix: None,
        })
        .unwrap();
        let mut pairs = Vec::new();
        let mut deg = [0; 36];
        d.for_each_global(|r1, r2| {
            pairs.push((r1 / 4, r2 / 4));
            deg[r1 as usize] += 1;
            deg[r2 as usize] += 1;
        });
        pairs.sort();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!((before, pairs.len()), (36, 36));
        assert!(deg.iter().all(|&x| x == 2));
        // 5 groups: m = ⌊8/4⌋ = 2 links per pair, 20 in all, 2 per router.
        let d = DragonflyPlan::new(DragonflyParams {
            groups: Some(5),
            terminals: 10,
            ..d.params
        })
        .unwrap();
        assert_eq!((d.global_per_pair, d.global_links()), (2, 20));
        let mut deg = [0; 20];
        d.for_each_global(|r1, r2| {
            deg[r1 as usize] += 1;
            deg[r2 as usize] += 1;
        });
        assert!(deg.iter().all(|&x| x == 2));
    }

    #[test]
    fn dragonfly_errors() {
        let base = DragonflyParams {
            routers_per_group: 4,
            terminals_per_router: 2,
            global_links_per_router: 2,
            groups: None,
            terminals: 73,
            radix: None,
        };
        assert!(matches!(
            DragonflyPlan::new(base),
            Err(DragonflyError::TooManyGroups {
                max: 9,
                groups: 10,
                ..
            })
        ));
        assert!(matches!(
            DragonflyPlan::new(DragonflyParams {
                groups: Some(2),
                ..base
            }),
            Err(DragonflyError::TooFewTerminals { have: 16, .. })
        ));
        assert!(matches!(
            DragonflyPlan::new(DragonflyParams {
                radix: Some(6),
                terminals: 8,
                ..base
            }),
            Err(DragonflyError::Radix { ports: 7, radix: 6 })
        ));
    }
}
