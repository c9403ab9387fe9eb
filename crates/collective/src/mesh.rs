//! Hamiltonian paths and cycles of full-mesh domains (xGMI: one direct
//! link per GPU pair), which rings and trees follow so that their channels
//! spread over the whole mesh instead of sharing one cycle's links.

use fabricsim_topology::{NodeId, Topology};
use std::collections::HashMap;

/// Whether every ordered pair of `d` is joined by a direct link (a full
/// mesh of at least 3 ranks; 2 ranks are a trivial ring either way).
pub(crate) fn is_full_mesh(topo: &Topology, d: &[NodeId]) -> bool {
    if d.len() < 3 || d.len() > 64 {
        return false;
    }
    d.iter().all(|&a| {
        let out: std::collections::HashSet<NodeId> = topo
            .adjacency()
            .out_links(a)
            .iter()
            .map(|&(_, b)| b)
            .collect();
        d.iter().all(|&b| a == b || out.contains(&b))
    })
}

/// The zig-zag Hamiltonian path of `Z_g` (g even) from `a`:
/// `a, a+1, a−1, a+2, a−2, …, a+g/2`.
pub fn zigzag_path(g: usize, a: usize) -> impl Iterator<Item = usize> {
    (0..g).map(move |k| {
        let off = if k % 2 == 1 { k.div_ceil(2) } else { g - k / 2 };
        (a + off) % g
    })
}

/// Link-disjoint directed Hamiltonian cycles of the complete directed graph
/// on `g` vertices, each starting at vertex 0. Ideally `g − 1` of them,
/// which use every one of its `g(g−1)` directed links exactly once: such a
/// decomposition exists for every `g ≥ 3` except 4 and 6 (Tillson 1980
/// for even `g`; Walecki's for odd `g`; docs/sources.md
/// [S-hamiltonian-decomposition]). So on an 8-GPU xGMI mesh 7
/// rings cover all 56 links, as RCCL's rings use the whole mesh, and a ring
/// all-reduce moves the same bytes over every link as the direct algorithm.
///
/// - Odd `g = 2m + 1`: Walecki's construction, directly. With vertex `2m`
///   as the hub, the zig-zag paths [`zigzag_path`]`(2m, i)` for
///   `i = 0..m` are edge-disjoint and cover every pair of the other `2m`
///   vertices; closing each through the hub gives `m` undirected
///   Hamiltonian cycles, and taking each in both directions the `2m`
///   directed ones.
/// - Even `g`: by search. Cycles are found one after the other by
///   depth-first search, each over the links no earlier cycle used; the
///   first attempt tries vertices lowest first, the later ones in an order
///   shuffled by SplitMix64 seeded with the attempt number, each within
///   [`CYCLE_ATTEMPT_STEPS`] search steps and all within
///   [`CYCLE_SEARCH_STEPS`]. The first attempt that finds all `g − 1`
///   wins; else the one with the most cycles (the earliest among equals).
///   The tests check that every even `g` from 8 to 16 is decomposed in
///   full; 4 and 6 have no decomposition.
///
/// The result depends only on `g` and is computed once per process and
/// size (it is asked for by every ring inside a mesh).
pub fn disjoint_cycles(g: usize) -> Vec<Vec<usize>> {
    static DONE: std::sync::OnceLock<std::sync::Mutex<HashMap<usize, Vec<Vec<usize>>>>> =
        std::sync::OnceLock::new();
    let done = DONE.get_or_init(Default::default);
    if let Some(c) = done.lock().ok().and_then(|m| m.get(&g).cloned()) {
        return c;
    }
    let cycles = if g % 2 == 1 && g >= 3 {
        walecki_cycles(g)
    } else {
        searched_cycles(g)
    };
    if let Ok(mut m) = done.lock() {
        m.insert(g, cycles.clone());
    }
    cycles
}

/// The `g − 1` directed Hamiltonian cycles of Walecki's decomposition of
/// the complete graph on odd `g` vertices (see [`disjoint_cycles`]).
fn walecki_cycles(g: usize) -> Vec<Vec<usize>> {
    let m = (g - 1) / 2;
    let hub = 2 * m;
    let mut cycles = Vec::with_capacity(2 * m);
    for i in 0..m {
        let mut c: Vec<usize> = std::iter::once(hub).chain(zigzag_path(2 * m, i)).collect();
        let mut back = c.clone();
        back.reverse();
        for cycle in [&mut c, &mut back] {
            let at = cycle
                .iter()
                .position(|&v| v == 0)
                .expect("0 is on every cycle");
            cycle.rotate_left(at);
        }
        cycles.push(c);
        cycles.push(back);
    }
    cycles
}

/// Even `g` (and `g < 3`): the search of [`disjoint_cycles`]; at least the
/// cycle `0, 1, …, g−1`.
fn searched_cycles(g: usize) -> Vec<Vec<usize>> {
    let (mut best, mut spent) = cycle_attempt(g, None, CYCLE_ATTEMPT_STEPS);
    let mut attempt = 1u64;
    while best.len() + 1 < g && !matches!(g, 4 | 6) && spent < CYCLE_SEARCH_STEPS {
        let budget = CYCLE_ATTEMPT_STEPS.min(CYCLE_SEARCH_STEPS - spent);
        let (cycles, steps) = cycle_attempt(g, Some(attempt), budget);
        spent += steps;
        if cycles.len() > best.len() {
            best = cycles;
        }
        attempt += 1;
    }
    if best.is_empty() {
        best.push((0..g).collect());
    }
    best
}

/// Search steps (depth-first search calls) one attempt of the search in
/// [`disjoint_cycles`] may spend.
pub const CYCLE_ATTEMPT_STEPS: usize = 100_000;

/// Search steps all attempts for one `g` may spend together. An 8-vertex
/// decomposition takes a few thousand; an unsuccessful search (large even
/// `g`) about 0.1 s.
pub const CYCLE_SEARCH_STEPS: usize = 2_000_000;

/// One attempt of [`disjoint_cycles`]: the cycles found in turn (stopping at
/// the first that cannot be found within `budget` steps) and the steps
/// spent. `seed = None` tries vertices lowest first.
fn cycle_attempt(g: usize, seed: Option<u64>, budget: usize) -> (Vec<Vec<usize>>, usize) {
    let mut rng = seed.map(fabricsim_base::rng::SplitMix64::new);
    let mut used = vec![false; g * g];
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    let mut steps = 0;
    while cycles.len() + 1 < g {
        // Each cycle's vertex order: identity, or a fresh shuffle.
        let mut order: Vec<usize> = (0..g).collect();
        if let Some(r) = rng.as_mut() {
            for i in (1..g).rev() {
                order.swap(i, r.below(i as u64 + 1) as usize);
            }
        }
        let mut path = vec![0usize];
        let mut seen = vec![false; g];
        seen[0] = true;
        let search = Search {
            g,
            used: &used,
            order: &order,
            budget,
        };
        if !search.hamiltonian(&mut path, &mut seen, &mut steps) {
            break;
        }
        for i in 0..g {
            used[path[i] * g + path[(i + 1) % g]] = true;
        }
        cycles.push(path);
    }
    (cycles, steps)
}

/// A depth-first search for a Hamiltonian cycle through 0 over the links
/// not `used`, trying next vertices in `order`.
struct Search<'a> {
    g: usize,
    used: &'a [bool],
    order: &'a [usize],
    budget: usize,
}

impl Search<'_> {
    fn hamiltonian(&self, path: &mut Vec<usize>, seen: &mut [bool], steps: &mut usize) -> bool {
        *steps += 1;
        if *steps > self.budget {
            return false;
        }
        let g = self.g;
        let u = path[path.len() - 1];
        if path.len() == g {
            return !self.used[u * g + path[0]];
        }
        for &v in self.order {
            if seen[v] || self.used[u * g + v] {
                continue;
            }
            path.push(v);
            seen[v] = true;
            if self.hamiltonian(path, seen, steps) {
                return true;
            }
            path.pop();
            seen[v] = false;
        }
        false
    }
}

#[cfg(test)]
mod mesh_tests {
    use super::*;

    /// The `g` zig-zag paths use each of the `g(g−1)` directed links of the
    /// complete graph exactly once, and the path from `a` ends at `a + g/2`.
    #[test]
    fn zigzag_paths_decompose_the_complete_directed_graph() {
        for g in [4, 6, 8, 16] {
            let mut count = vec![0u32; g * g];
            for a in 0..g {
                let p: Vec<usize> = zigzag_path(g, a).collect();
                let mut sorted = p.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..g).collect::<Vec<_>>(), "Hamiltonian");
                assert_eq!(p[g - 1], (a + g / 2) % g);
                for w in p.windows(2) {
                    count[w[0] * g + w[1]] += 1;
                }
            }
            for u in 0..g {
                for v in 0..g {
                    assert_eq!(count[u * g + v], u32::from(u != v), "g={g} {u}->{v}");
                }
            }
        }
    }

    /// Every directed link of the complete graph is on exactly one cycle
    /// when a Hamiltonian decomposition exists (`g − 1` cycles: Tillson for
    /// even `g ≥ 8`, found by the search up to 16; Walecki for odd `g`,
    /// constructed); for 4 and 6, where none exists, and for larger even
    /// sizes, the cycles found still share no link. Every cycle starts at 0.
    #[test]
    fn disjoint_cycles_are_hamiltonian_and_share_no_link() {
        for g in [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 19, 20, 33, 63, 64] {
            let cycles = disjoint_cycles(g);
            let mut used = std::collections::HashSet::new();
            for c in &cycles {
                let mut sorted = c.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..g).collect::<Vec<_>>(), "g={g}: Hamiltonian");
                for i in 0..g {
                    assert!(used.insert((c[i], c[(i + 1) % g])), "g={g}: link reused");
                }
            }
            assert!(cycles.iter().all(|c| c[0] == 0), "g={g}: starts at 0");
            if matches!(g, 4 | 6) || (g % 2 == 0 && g > 16) {
                assert!(!cycles.is_empty() && cycles.len() < g, "g={g}");
            } else {
                assert_eq!(cycles.len(), g - 1, "g={g}: a full decomposition");
                assert_eq!(used.len(), g * (g - 1), "g={g}: every link once");
            }
        }
    }
}
