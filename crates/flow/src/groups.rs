//! Bottleneck groups: route classes grouped by the link that limits them.
//!
//! Every active class `c` is assigned to one *group*, named by a link `g(c)`
//! on its route. After a solve, `g(c)` is the link at which progressive
//! filling froze `c`, so every class of group `b` runs at the group's level
//! `λ_b`. For each group the structure keeps one *column*: for every link `l`
//! crossed by the group's classes, the entry `(l, Σ n_c·φ(c,l), #classes,
//! class list)`. For each link it keeps the *row*: which groups have a column
//! entry on it. Freezing a group then costs one pass over its column, not over
//! its flows (the pass reads 16-byte `(weight, link, #classes)` entries; the
//! class lists sit in a parallel array), and the classes that must change group when the saturation
//! order changes are found directly from the row of the saturating link.

use super::routes::{MulHasher, Routes};
use smallvec::SmallVec;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// One column entry: the part of a group's classes that crosses `link`,
/// as a freeze reads it (16 bytes, so a column streams through the cache).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// `Σ n_c · φ(c, link)` over the group's classes crossing `link`.
    pub(crate) weight: f64,
    pub(crate) link: u32,
    /// Number of those classes.
    pub(crate) count: u32,
}

/// Classes kept inline in a column entry before its list moves to the
/// heap: most entries hold a few classes, and one allocation per entry was
/// the engine's largest source of allocations on the many small runs of a
/// large collective (BENCHMARKS.md, 2026-12-07).
const INLINE_CLASSES: usize = 4;

/// The rest of a column entry, kept beside it at the same index.
#[derive(Debug, Clone, Default)]
struct EntryMembers {
    /// The classes, in no particular order (a `Vec`'s order: pushed at the
    /// end, removed by swapping the last one in).
    classes: SmallVec<[u32; INLINE_CLASSES]>,
    /// Position of this entry's `(group, index)` item in `row[link]`.
    row_pos: u32,
}

/// Columns and rows of the group/link incidence. See the module docs.
#[derive(Default)]
pub(crate) struct Groups {
    pub(crate) col: Vec<Vec<Entry>>,
    members: Vec<Vec<EntryMembers>>,
    pub(crate) row: Vec<Vec<(u32, u32)>>,
    index: HashMap<u64, u32, BuildHasherDefault<MulHasher>>,
    /// Per class and route position (indexed like the route arena): index of
    /// the class in its entry's list.
    cpos: Vec<u32>,
    /// Number of classes in each group.
    pub(crate) size: Vec<u32>,
}

fn key(g: u32, l: u32) -> u64 {
    ((g as u64) << 32) | l as u64
}

impl Groups {
    pub(crate) fn new(n_links: usize, routes: &Routes) -> Groups {
        Groups {
            col: vec![Vec::new(); n_links],
            members: vec![Vec::new(); n_links],
            row: vec![Vec::new(); n_links],
            index: HashMap::default(),
            cpos: vec![0; routes.total_hops()],
            size: vec![0; n_links],
        }
    }

    /// Adds class `c` (route `route`, `n` flows) to group `g`.
    pub(crate) fn insert(&mut self, g: u32, c: u32, routes: &Routes, n: f64) {
        self.size[g as usize] += 1;
        let off = routes.offset(c as usize);
        for (k, &(l, phi)) in routes[c as usize].iter().enumerate() {
            let idx = match self.index.get(&key(g, l)) {
                Some(&i) => i as usize,
                None => {
                    let i = self.col[g as usize].len();
                    let row_pos = self.row[l as usize].len() as u32;
                    self.row[l as usize].push((g, i as u32));
                    self.col[g as usize].push(Entry {
                        weight: 0.0,
                        link: l,
                        count: 0,
                    });
                    self.members[g as usize].push(EntryMembers {
                        classes: SmallVec::new(),
                        row_pos,
                    });
                    self.index.insert(key(g, l), i as u32);
                    i
                }
            };
            let e = &mut self.col[g as usize][idx];
            e.weight += n * phi;
            e.count += 1;
            let m = &mut self.members[g as usize][idx];
            self.cpos[off + k] = m.classes.len() as u32;
            m.classes.push(c);
        }
    }

    /// Removes class `c` from group `g`. `routes` gives every class's route
    /// (to repair the position of the class moved into its slot).
    pub(crate) fn remove(&mut self, g: u32, c: u32, routes: &Routes, n: f64) {
        self.size[g as usize] -= 1;
        let off = routes.offset(c as usize);
        for (k, &(l, phi)) in routes[c as usize].iter().enumerate() {
            let idx = self.index[&key(g, l)] as usize;
            let m = &mut self.members[g as usize][idx];
            let p = self.cpos[off + k] as usize;
            debug_assert_eq!(m.classes[p], c);
            m.classes.swap_remove(p);
            if p < m.classes.len() {
                let moved = m.classes[p] as usize;
                let kk = routes[moved]
                    .iter()
                    .position(|&(l2, _)| l2 == l)
                    .expect("class in entry crosses its link");
                self.cpos[routes.offset(moved) + kk] = p as u32;
            }
            if m.classes.is_empty() {
                self.remove_entry(g, idx);
            } else {
                let e = &mut self.col[g as usize][idx];
                e.weight -= n * phi;
                e.count -= 1;
            }
        }
    }

    /// Changes the flow count of class `c` in group `g` by `dn`.
    pub(crate) fn add_weight(&mut self, g: u32, route: &[(u32, f64)], dn: f64) {
        for &(l, phi) in route {
            let idx = self.index[&key(g, l)] as usize;
            self.col[g as usize][idx].weight += dn * phi;
        }
    }

    fn remove_entry(&mut self, g: u32, idx: usize) {
        let col = &mut self.col[g as usize];
        let members = &mut self.members[g as usize];
        let e = col.swap_remove(idx);
        let em = members.swap_remove(idx);
        self.index.remove(&key(g, e.link));
        if idx < col.len() {
            let link = col[idx].link;
            self.index.insert(key(g, link), idx as u32);
            self.row[link as usize][members[idx].row_pos as usize].1 = idx as u32;
        }
        let row = &mut self.row[e.link as usize];
        let rp = em.row_pos as usize;
        row.swap_remove(rp);
        if rp < row.len() {
            let (g2, i2) = row[rp];
            self.members[g2 as usize][i2 as usize].row_pos = rp as u32;
        }
    }

    /// The classes of group `g` that cross link `l`.
    pub(crate) fn classes_on(&self, g: u32, l: u32) -> &[u32] {
        match self.index.get(&key(g, l)) {
            Some(&i) => &self.members[g as usize][i as usize].classes,
            None => &[],
        }
    }
}
