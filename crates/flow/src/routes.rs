//! Route classes: flows whose routes are identical always receive the same
//! rate, so routes are interned into classes (one flat arena, numbered in
//! order of first appearance) and the solver works on classes with a
//! multiplicity. Also the classes crossing each link ([`Members`]) and the
//! deterministic hasher the flow model's maps use ([`MulHasher`]).

use std::hash::Hasher;

/// A multiplicative hasher for `u64` keys (deterministic, no random state).
#[derive(Default)]
pub(crate) struct MulHasher(u64);
impl Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 ^= self.0 >> 32;
    }
}

/// Routes of all classes in one flat arena: class `c`'s route is
/// `routes[c]`, a slice of `(link index, fraction of the flow's rate)`
/// sorted by link.
#[derive(Debug, Default, Clone)]
pub(crate) struct Routes {
    start: Vec<u32>,
    hops: Vec<(u32, f64)>,
}

impl Routes {
    pub(crate) fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Offset of class `c`'s first hop in the arena (for parallel arrays).
    pub(crate) fn offset(&self, c: usize) -> usize {
        self.start[c] as usize
    }

    /// Total number of hops over all classes.
    pub(crate) fn total_hops(&self) -> usize {
        self.hops.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[(u32, f64)]> {
        (0..self.len()).map(|c| &self[c])
    }
}

impl std::ops::Index<usize> for Routes {
    type Output = [(u32, f64)];
    fn index(&self, c: usize) -> &[(u32, f64)] {
        &self.hops[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

/// Classes crossing each link, in compressed (CSR) form.
pub(crate) struct Members {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Members {
    pub(crate) fn build(n_links: usize, routes: &Routes) -> Members {
        let mut start = vec![0u32; n_links + 1];
        for r in routes.iter() {
            for &(l, _) in r {
                start[l as usize + 1] += 1;
            }
        }
        for i in 0..n_links {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; routes.total_hops()];
        for (c, r) in routes.iter().enumerate() {
            for &(l, _) in r {
                list[fill[l as usize] as usize] = c as u32;
                fill[l as usize] += 1;
            }
        }
        Members { start, list }
    }

    pub(crate) fn of(&self, l: usize) -> &[u32] {
        &self.list[self.start[l] as usize..self.start[l + 1] as usize]
    }
}

/// Interns routes into classes: returns `(class of each route, class routes)`.
///
/// Routes are canonicalised (sorted by link) before comparison; classes are
/// numbered in order of first appearance.
pub(crate) fn intern_routes<'a>(
    routes: impl Iterator<Item = &'a [(u32, f64)]>,
) -> (Vec<u32>, Routes) {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let hasher = BuildHasherDefault::<MulHasher>::default();
    // Hash of a canonical route → first class with that hash; `next` chains
    // classes whose routes share a hash.
    let mut first: std::collections::HashMap<u64, u32, BuildHasherDefault<MulHasher>> =
        Default::default();
    let mut next: Vec<u32> = Vec::new();
    let mut out = Routes {
        start: vec![0],
        hops: Vec::new(),
    };
    let mut class_of = Vec::new();
    let mut key: Vec<(u32, f64)> = Vec::new();
    for r in routes {
        key.clear();
        key.extend_from_slice(r);
        if !key.windows(2).all(|w| w[0].0 < w[1].0) {
            key.sort_unstable_by_key(|&(l, _)| l);
        }
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for &(l, f) in &key {
            h = hasher.hash_one(h ^ ((l as u64) << 32) ^ f.to_bits().rotate_left(17));
        }
        let same = |c: u32| {
            let rc = &out[c as usize];
            rc.len() == key.len()
                && rc
                    .iter()
                    .zip(&key)
                    .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
        };
        let new_id = out.len() as u32;
        let found = match first.get(&h) {
            None => {
                first.insert(h, new_id);
                None
            }
            Some(&c0) => {
                let mut c = c0;
                loop {
                    if same(c) {
                        break Some(c);
                    }
                    if next[c as usize] == u32::MAX {
                        next[c as usize] = new_id;
                        break None;
                    }
                    c = next[c as usize];
                }
            }
        };
        let c = match found {
            Some(c) => c,
            None => {
                out.hops.extend_from_slice(&key);
                out.start.push(out.hops.len() as u32);
                next.push(u32::MAX);
                new_id
            }
        };
        class_of.push(c);
    }
    (class_of, out)
}
