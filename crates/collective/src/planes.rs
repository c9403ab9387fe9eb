//! Copies among the link-disjoint parts ("planes") of a staged run.
//!
//! Where the eight rails of an HGX cluster share no link (a rail-only
//! fabric, or a rail-optimized Clos whose pods each serve one rail, as
//! `h100-32k-3tier.toml`), they are eight copies of one network: a tree, a
//! halving-doubling exchange or a ring between nodes sends rail `r`'s share
//! over rail `r`'s NICs, leaves, spines and core links only, and every rail
//! carries the image of rail 0's traffic. Such parts are found from the routed flows themselves, not from
//! the topology's construction:
//!
//! 1. **Planes.** Links joined by a flow (over all stages of the run) form
//!    one plane; two planes share no link, so no flow of one ever shares a
//!    link with a flow of the other in any step (max-min sharing decomposes
//!    over them, `components.rs`).
//! 2. **Copies.** Plane `Q` is a copy of plane `P` when `Q`'s flows, listed
//!    stage by stage in transfer order, match `P`'s one to one: the same
//!    stage, the same wire and payload bytes, route latency and α (bit
//!    patterns), and routes that map entry by entry through one bijection
//!    `σ` of `P`'s links onto `Q`'s, with the same fractions, and `σ`
//!    preserving each link's capacity, line rate and tier. This is checked
//!    exactly, link by link (a fingerprint only picks the candidates).
//!
//! Then in every slot (a window of stages) `Q`'s flows are `σ`'s image of
//! `P`'s, in the same relative order, so each of `Q`'s components has the
//! canonical form of the matching component of `P` (`components.rs`: links
//! renumbered by first appearance, which `σ` preserves) and the same
//! makespan; each link `σ(l)` receives the additions `l` receives, in the
//! same order, so its byte count is `l`'s; per-step maxima are over equal
//! values; and per-tier sums, which count every transfer, count a copy's
//! bytes and tiers as its match's, which are the same. So only
//! representatives are simulated and counted, and a copy's link bytes are
//! copied: the report is bit for bit the one without copies.

use crate::components::Fast;
use std::collections::HashMap;
use std::hash::Hasher;

const NONE: u32 = u32::MAX;

/// A flow as plane detection reads it.
pub(crate) struct PlaneFlow<'a> {
    /// The stage the flow belongs to.
    pub stage: u32,
    /// Everything else the run reads from the flow, as bit patterns (wire
    /// bytes, payload bytes, route latency, α).
    pub attrs: [u64; 4],
    /// Its route's links, and the fraction of the flow each carries.
    pub links: &'a [u32],
    pub fractions: &'a [f64],
}

/// The copies found by [`plane_copies`].
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PlaneCopies {
    /// Per flow of the input: the input index of the representative's flow
    /// it is the image of, or `u32::MAX` for a flow that is simulated.
    pub copy_of: Vec<u32>,
    /// `(l, σ(l))` for every link `l` of a representative plane and each of
    /// its copies.
    pub links: Vec<(u32, u32)>,
    /// Number of planes that are copies.
    pub planes_copied: usize,
}

/// Planes of `flows` (listed stage by stage, in transfer order) and the
/// copies among them (module docs). `link_key(l)` is what a copy's link
/// must share with its original (capacity, line rate and tier bits);
/// `n_links` bounds the link ids.
pub(crate) fn plane_copies(
    n_links: usize,
    flows: &[PlaneFlow<'_>],
    link_key: impl Fn(u32) -> [u64; 3],
) -> PlaneCopies {
    let mut out = PlaneCopies {
        copy_of: vec![NONE; flows.len()],
        ..PlaneCopies::default()
    };
    // 1. Planes: union-find over the links of every route.
    let mut parent = vec![NONE; n_links];
    let find = |parent: &mut Vec<u32>, mut x: u32| -> u32 {
        if parent[x as usize] == NONE {
            parent[x as usize] = x;
            return x;
        }
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    };
    for f in flows {
        let Some(&first) = f.links.first() else {
            continue;
        };
        let a = find(&mut parent, first);
        for &l in &f.links[1..] {
            let b = find(&mut parent, l);
            if a != b {
                parent[b as usize] = a;
            }
        }
    }
    // Flows by plane (planes in order of their first flow, flows in input
    // order within a plane).
    let mut plane_of_root = vec![NONE; n_links];
    let mut plane_of: Vec<u32> = Vec::with_capacity(flows.len());
    let mut sizes: Vec<u32> = Vec::new();
    for f in flows {
        let p = match f.links.first() {
            Some(&l) => {
                let r = find(&mut parent, l) as usize;
                if plane_of_root[r] == NONE {
                    plane_of_root[r] = sizes.len() as u32;
                    sizes.push(0);
                }
                sizes[plane_of_root[r] as usize] += 1;
                plane_of_root[r]
            }
            None => NONE,
        };
        plane_of.push(p);
    }
    if sizes.len() < 2 {
        return out;
    }
    let mut start = Vec::with_capacity(sizes.len() + 1);
    let mut at = 0u32;
    for &n in &sizes {
        start.push(at);
        at += n;
    }
    start.push(at);
    let mut members = vec![0u32; at as usize];
    let mut next = start.clone();
    for (i, &p) in plane_of.iter().enumerate() {
        if p != NONE {
            members[next[p as usize] as usize] = i as u32;
            next[p as usize] += 1;
        }
    }
    drop((plane_of, next, parent, plane_of_root));
    let plane = |p: usize| &members[start[p] as usize..start[p + 1] as usize];
    // 2. Candidates by fingerprint (the plane in canonical form, hashed
    // without being built), then an exact check against each candidate.
    let mut local = vec![NONE; n_links];
    let mut reps: HashMap<(u64, usize, u32), Vec<usize>, Fast> = HashMap::default();
    let mut img = vec![NONE; n_links];
    let mut pre = vec![NONE; n_links];
    let mut mapped: Vec<u32> = Vec::new();
    for p in 0..sizes.len() {
        let mut h = crate::components::WordHasher::default();
        let mut links = 0u32;
        for &i in plane(p) {
            let f = &flows[i as usize];
            h.write_u64(u64::from(f.stage));
            for a in f.attrs {
                h.write_u64(a);
            }
            h.write_usize(f.links.len());
            for (&l, &phi) in f.links.iter().zip(f.fractions) {
                if local[l as usize] == NONE {
                    local[l as usize] = links;
                    links += 1;
                    for k in link_key(l) {
                        h.write_u64(k);
                    }
                }
                h.write_u32(local[l as usize]);
                h.write_u64(phi.to_bits());
            }
        }
        let bucket = reps.entry((h.finish(), plane(p).len(), links)).or_default();
        let rep = bucket.iter().copied().find(|&r| {
            let same = matches(
                flows,
                plane(r),
                plane(p),
                &link_key,
                &mut img,
                &mut pre,
                &mut mapped,
            );
            if !same {
                for &l in &mapped {
                    pre[img[l as usize] as usize] = NONE;
                    img[l as usize] = NONE;
                }
            }
            same
        });
        match rep {
            None => bucket.push(p),
            Some(r) => {
                for (&a, &b) in plane(r).iter().zip(plane(p)) {
                    out.copy_of[b as usize] = a;
                }
                for &l in &mapped {
                    let m = img[l as usize];
                    out.links.push((l, m));
                    pre[m as usize] = NONE;
                    img[l as usize] = NONE;
                }
                out.planes_copied += 1;
            }
        }
        mapped.clear();
    }
    out
}

/// Whether the flows `b` are the image of the flows `a` under one link
/// bijection (module docs, item 2); the bijection is left in `img` / `pre`
/// for the links listed in `mapped`, to be reset by the caller.
fn matches(
    flows: &[PlaneFlow<'_>],
    a: &[u32],
    b: &[u32],
    link_key: &impl Fn(u32) -> [u64; 3],
    img: &mut [u32],
    pre: &mut [u32],
    mapped: &mut Vec<u32>,
) -> bool {
    mapped.clear();
    if a.len() != b.len() {
        return false;
    }
    for (&i, &j) in a.iter().zip(b) {
        let (f, g) = (&flows[i as usize], &flows[j as usize]);
        if f.stage != g.stage || f.attrs != g.attrs || f.links.len() != g.links.len() {
            return false;
        }
        let (f_route, g_route) = (
            f.links.iter().zip(f.fractions),
            g.links.iter().zip(g.fractions),
        );
        for ((&l, &phi), (&m, &psi)) in f_route.zip(g_route) {
            if phi.to_bits() != psi.to_bits() {
                return false;
            }
            match img[l as usize] {
                NONE => {
                    if pre[m as usize] != NONE || link_key(l) != link_key(m) {
                        return false;
                    }
                    img[l as usize] = m;
                    pre[m as usize] = l;
                    mapped.push(l);
                }
                x if x != m => return false,
                _ => {}
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A route as links and fractions.
    type Route = (Vec<u32>, Vec<f64>);

    fn r(entries: &[(u32, f64)]) -> Route {
        entries.iter().copied().unzip()
    }

    fn flow(stage: u32, route: &Route) -> PlaneFlow<'_> {
        PlaneFlow {
            stage,
            attrs: [1, 2, 3, 4],
            links: &route.0,
            fractions: &route.1,
        }
    }

    #[test]
    fn mirrored_planes_are_copies_and_others_are_not() {
        // Links 0..3 and 4..7: two planes, the second the first shifted by 4.
        let (r0, r1) = (r(&[(0, 1.0), (1, 1.0)]), r(&[(1, 1.0), (2, 0.5), (3, 0.5)]));
        let (s0, s1) = (r(&[(4, 1.0), (5, 1.0)]), r(&[(5, 1.0), (6, 0.5), (7, 0.5)]));
        // Links 8..11: same shape, but its second flow is in another stage.
        let (t0, t1) = (
            r(&[(8, 1.0), (9, 1.0)]),
            r(&[(9, 1.0), (10, 0.5), (11, 0.5)]),
        );
        let flows = [
            flow(0, &r0),
            flow(0, &s0),
            flow(0, &t0),
            flow(1, &r1),
            flow(1, &s1),
            flow(2, &t1),
        ];
        let c = plane_copies(12, &flows, |_| [7, 7, 0]);
        assert_eq!(c.planes_copied, 1);
        assert_eq!(c.copy_of, vec![NONE, 0, NONE, NONE, 3, NONE]);
        let mut links = c.links.clone();
        links.sort_unstable();
        assert_eq!(links, vec![(0, 4), (1, 5), (2, 6), (3, 7)]);
    }

    /// The exact check itself, on flows the fingerprint would not tell
    /// apart: a consistent one-to-one link map passes; a link mapped to
    /// two images, two links mapped to one, another link key, stage or
    /// attribute fails.
    #[test]
    fn the_link_map_must_be_one_to_one_and_consistent() {
        let (mut img, mut pre, mut mapped) = (vec![NONE; 10], vec![NONE; 10], Vec::new());
        // The original: flows (0, 1) and (1, 2) in stage 0; the candidate:
        // flows (5, 6) then `second`, in `stage`, link 9 keyed `key9`.
        let mut check = |second: &[(u32, f64)], first_phi: f64, stage: u32, key9: u64| {
            let (a0, a1) = (r(&[(0, 1.0), (1, 1.0)]), r(&[(1, 1.0), (2, 1.0)]));
            let (b0, b1) = (r(&[(5, 1.0), (6, first_phi)]), r(second));
            let flows = [
                flow(0, &a0),
                flow(0, &a1),
                flow(stage, &b0),
                flow(stage, &b1),
            ];
            img.fill(NONE);
            pre.fill(NONE);
            let key = |l: u32| [if l == 9 { key9 } else { 7 }, 7, 0];
            matches(
                &flows,
                &[0, 1],
                &[2, 3],
                &key,
                &mut img,
                &mut pre,
                &mut mapped,
            )
        };
        assert!(check(&[(6, 1.0), (7, 1.0)], 1.0, 0, 7));
        // Link 1 would map to 6 and to 8.
        assert!(!check(&[(8, 1.0), (7, 1.0)], 1.0, 0, 7));
        // Links 0 and 2 would both map to 5.
        assert!(!check(&[(6, 1.0), (5, 1.0)], 1.0, 0, 7));
        // Link 9 has another capacity than link 2; with the same, it maps.
        assert!(!check(&[(6, 1.0), (9, 1.0)], 1.0, 0, 5));
        assert!(check(&[(6, 1.0), (9, 1.0)], 1.0, 0, 7));
        // Another stage, or another fraction.
        assert!(!check(&[(6, 1.0), (7, 1.0)], 1.0, 1, 7));
        assert!(!check(&[(6, 1.0), (7, 1.0)], 0.5, 0, 7));
    }

    #[test]
    fn links_of_other_capacity_or_shared_links_break_a_copy() {
        let (r0, s0) = (r(&[(0, 1.0), (1, 1.0)]), r(&[(2, 1.0), (3, 1.0)]));
        let flows = [flow(0, &r0), flow(0, &s0)];
        // Link 3 is slower than its would-be original, link 1.
        let c = plane_copies(4, &flows, |l| [if l == 3 { 5 } else { 7 }, 7, 0]);
        assert_eq!(c.planes_copied, 0);
        assert_eq!(c.copy_of, vec![NONE, NONE]);
        // A flow joining both planes makes them one.
        let j = r(&[(1, 1.0), (2, 1.0)]);
        let flows = [flow(0, &r0), flow(0, &s0), flow(1, &j)];
        assert_eq!(plane_copies(4, &flows, |_| [7, 7, 0]).planes_copied, 0);
        // Within a plane, a route revisiting a link must map consistently:
        // (0, 1, 0) is not the image of (2, 3, 4) under any bijection.
        let (a, b) = (
            r(&[(0, 1.0), (1, 1.0), (0, 1.0)]),
            r(&[(2, 1.0), (3, 1.0), (4, 1.0)]),
        );
        let flows = [flow(0, &a), flow(0, &b)];
        assert_eq!(plane_copies(5, &flows, |_| [7, 7, 0]).planes_copied, 0);
    }
}
