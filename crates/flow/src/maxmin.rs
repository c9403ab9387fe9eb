//! Max-min fair rate allocation by progressive filling.
//!
//! Flows are grouped into *route classes*: flows whose routes are identical
//! always receive the same rate, so the solver works on classes with a
//! multiplicity `n_c` instead of on single flows.
//!
//! # Model
//! Class `c` crosses link `l` with fraction `φ(c,l)` of each flow's rate
//! (1 for a single path; `paths through l / paths` for a sprayed flow). A link
//! of capacity `C_l` [bytes/s] is feasible when `Σ_c n_c · φ(c,l) · r_c ≤ C_l`.
//!
//! Progressive filling raises the rate `λ` of all unfrozen classes together.
//! With `R_l` the capacity left on `l` after frozen classes and
//! `W_l = Σ_{unfrozen c ∋ l} n_c·φ(c,l)`, link `l` saturates at the absolute
//! level `λ_l = R_l / W_l`. The link with the smallest `λ_l` saturates next;
//! every unfrozen class on it freezes at rate `λ_l`, which lowers `R` and `W`
//! on the class's other links. The result is the unique max-min fair
//! allocation: every class crosses a saturated link on which no class has a
//! higher rate (Bertsekas & Gallager, *Data Networks*, §6.5.2).
//!
//! Freezing a class of `n·φ = a` at level `λ ≤ λ_l` never lowers another
//! link's level: `(R_l − aλ)/(W_l − a) − R_l/W_l = a(R_l − λW_l)/(W_l(W_l − a)) ≥ 0`.
//! So heap keys are lower bounds and a link is re-keyed only when it reaches
//! the top of the heap with a stale key.
//!
//! # Complexity
//! `O(Σ_c |route_c| · log L)` per solve, with `L` the links touched.
//!
//! # Example
//! ```
//! // Two links of 10 B/s. Flow a crosses both, b only link 0, c only link 1.
//! //   a: ──l0──l1──     b: ──l0──     c: ──l1──
//! let rates = fabricsim_flow::max_min_rates(
//!     &[10.0, 10.0],
//!     &[vec![(0, 1.0), (1, 1.0)], vec![(0, 1.0)], vec![(1, 1.0)]],
//! );
//! assert_eq!(rates, vec![5.0, 5.0, 5.0]);
//! ```

use super::heap::IndexedHeap;
use super::routes::{Members, Routes, intern_routes};

/// Max-min fair rates [bytes/s] of a set of flows that are all active at once.
///
/// `capacity_bps[l]` is link `l`'s capacity; `routes[f]` lists
/// `(link, fraction)` pairs of flow `f` (fraction 1 for a single path).
/// Links must be in range, fractions in (0, 1] and every route non-empty
/// (checked by [`crate::validate`]; violated preconditions panic).
///
/// # Complexity
/// `O(Σ_f |route_f| + Σ_c |route_c| · log L)`: flows with identical routes
/// share one class.
pub fn max_min_rates(capacity_bps: &[f64], routes: &[Vec<(u32, f64)>]) -> Vec<f64> {
    let (class_of, class_routes) = intern_routes(routes.iter().map(|r| r.as_slice()));
    let nc = class_routes.len();
    let mut n = vec![0u32; nc];
    for &c in &class_of {
        n[c as usize] += 1;
    }
    let members = Members::build(capacity_bps.len(), &class_routes);
    let rate = progressive_filling(capacity_bps, &class_routes, &n, &members);
    class_of.iter().map(|&c| rate[c as usize]).collect()
}

/// Per-flow rate of every class by progressive filling (module docs).
fn progressive_filling(
    capacity_bps: &[f64],
    routes: &Routes,
    n: &[u32],
    members: &Members,
) -> Vec<f64> {
    let nl = capacity_bps.len();
    // Remaining capacity, unfrozen weight Σ n·φ and unfrozen class count.
    let mut rem = capacity_bps.to_vec();
    let mut w = vec![0.0f64; nl];
    let mut cnt = vec![0u32; nl];
    for (c, r) in routes.iter().enumerate() {
        for &(l, phi) in r {
            w[l as usize] += n[c] as f64 * phi;
            cnt[l as usize] += 1;
        }
    }
    let mut heap = IndexedHeap::default();
    for l in 0..nl {
        if cnt[l] > 0 {
            heap.set(l as u32, rem[l] / w[l]);
        }
    }
    let mut rate = vec![f64::NAN; routes.len()];
    let mut level = 0.0f64;
    while let Some((l, key)) = heap.peek() {
        let li = l as usize;
        if cnt[li] == 0 {
            heap.remove(l);
            continue;
        }
        // Keys are lower bounds: freezing a class at the current level never
        // lowers another link's level (module docs), so links are re-keyed
        // lazily, only when they reach the top.
        let lvl = rem[li].max(0.0) / w[li];
        if lvl > key {
            heap.set(l, lvl);
            continue;
        }
        heap.remove(l);
        // Rounding may put a level a hair below the previous one; rates are
        // frozen in non-decreasing order by construction.
        level = level.max(lvl);
        for &c in members.of(li) {
            let ci = c as usize;
            if !rate[ci].is_nan() {
                continue;
            }
            rate[ci] = level;
            let nc = n[ci] as f64;
            for &(l2, phi) in &routes[ci] {
                let l2i = l2 as usize;
                rem[l2i] -= nc * phi * level;
                w[l2i] -= nc * phi;
                cnt[l2i] -= 1;
            }
        }
        debug_assert_eq!(cnt[li], 0, "link {l} still has unfrozen classes");
    }
    rate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(links: &[u32]) -> Vec<(u32, f64)> {
        links.iter().map(|&l| (l, 1.0)).collect()
    }

    /// Parking lot: links l0, l1, l2 of capacity 1 in a line. Flow A crosses
    /// all three, flows B, C, D one link each.
    ///
    /// ```text
    ///   A: ──l0──l1──l2──
    ///   B: ──l0──   C: ──l1──   D: ──l2──
    /// ```
    /// Every link carries two flows, so all get 1/2.
    #[test]
    fn parking_lot() {
        let r = max_min_rates(
            &[1.0, 1.0, 1.0],
            &[single(&[0, 1, 2]), single(&[0]), single(&[1]), single(&[2])],
        );
        assert_eq!(r, vec![0.5, 0.5, 0.5, 0.5]);
    }

    /// Parking lot with a thin first link (capacity 0.3): A and B are held
    /// to 0.15 by l0, then C and D take the rest of l1, l2: 1 − 0.15 = 0.85.
    #[test]
    fn parking_lot_unequal() {
        let r = max_min_rates(
            &[0.3, 1.0, 1.0],
            &[single(&[0, 1, 2]), single(&[0]), single(&[1]), single(&[2])],
        );
        let want = [0.15, 0.15, 0.85, 0.85];
        for (g, w) in r.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{r:?}");
        }
    }

    /// Identical routes share a class; three flows on one 9 B/s link get 3 each.
    #[test]
    fn identical_routes_share() {
        let r = max_min_rates(&[9.0], &[single(&[0]), single(&[0]), single(&[0])]);
        assert_eq!(r, vec![3.0, 3.0, 3.0]);
    }

    /// A sprayed flow puts half its rate on each of two parallel 1 B/s links
    /// (l1, l2) after a 10 B/s link l0; a competing flow uses l1 only.
    ///
    /// ```text
    ///          ┌─l1─┐            S (spray): ½ on l1, ½ on l2
    ///   ──l0───┤    ├──          P: l1 only
    ///          └─l2─┘
    /// ```
    /// l1: ½·r_S + r_P ≤ 1 saturates first at level λ with ½λ + λ = 1 →
    /// λ = 2/3 for both.
    #[test]
    fn spray_fractions() {
        let r = max_min_rates(
            &[10.0, 1.0, 1.0],
            &[vec![(0, 1.0), (1, 0.5), (2, 0.5)], single(&[1])],
        );
        assert!((r[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((r[1] - 2.0 / 3.0).abs() < 1e-12);
    }
}
