//! The router's caches: shortest-path DAGs and spray or weighted routes, both
//! by (src, dst).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use super::Route;
use super::dag::PairDag;
use fabricsim_topology::NodeId;

/// Shortest-path DAGs by (src, dst), bounded by an entry count and a byte
/// budget. When an insertion would exceed either bound the cache is emptied
/// first (the generational policy of [`SprayCache`]: O(1) per insertion, and
/// the answers never depend on it). Keyed with [`FixedState`]; lookups only.
pub(super) struct DagCache {
    pub(super) dags: HashMap<(NodeId, NodeId), PairDag, FixedState>,
    pub(super) bytes: usize,
    pub(super) capacity: usize,
    pub(super) capacity_bytes: usize,
}

impl DagCache {
    /// Caches `dag` for (src, dst), unless it alone exceeds the byte budget.
    /// Returns the number of DAGs evicted to make room.
    pub(super) fn insert(&mut self, src: NodeId, dst: NodeId, dag: PairDag) -> usize {
        let b = dag.bytes();
        if b > self.capacity_bytes {
            return 0;
        }
        let mut evicted = 0;
        if self.dags.len() >= self.capacity || self.bytes + b > self.capacity_bytes {
            evicted = self.dags.len();
            self.clear();
        }
        self.bytes += b;
        self.dags.insert((src, dst), dag);
        evicted
    }

    pub(super) fn clear(&mut self) {
        self.dags.clear();
        self.bytes = 0;
    }
}

/// Spray or weighted routes (a router has one mode) by (src, dst), bounded by
/// the total number of link entries. Keyed with the fixed [`FixedState`]
/// hasher, not `RandomState`; it only serves lookups, never iteration.
pub(super) struct SprayCache {
    pub(super) routes: HashMap<(NodeId, NodeId), Route, FixedState>,
    pub(super) links: usize,
    pub(super) capacity_links: usize,
}

impl SprayCache {
    pub(super) fn insert(&mut self, src: NodeId, dst: NodeId, route: &Route) {
        let k = route.links.len();
        if k > self.capacity_links {
            return;
        }
        if self.links + k > self.capacity_links {
            self.routes.clear();
            self.links = 0;
        }
        self.links += k;
        self.routes.insert((src, dst), route.clone());
    }
}

/// A fixed, unseeded [`BuildHasher`] for the spray-route cache, so no
/// `RandomState` (and no per-process seed) is involved in routing.
///
/// Each word is mixed in as `h = (h + word) · K` with the odd constant `K` of
/// rustc's FxHash v2; `finish` rotates the well-mixed high bits down to the low
/// bits that `HashMap` uses for the bucket index. Keys are router-internal node
/// ids, not attacker-controlled, so no HashDoS resistance is needed.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct FixedState;

impl BuildHasher for FixedState {
    type Hasher = FixedHasher;

    fn build_hasher(&self) -> FixedHasher {
        FixedHasher(0)
    }
}

/// The [`Hasher`] built by [`FixedState`].
#[derive(Clone, Copy, Debug)]
pub(super) struct FixedHasher(u64);

impl FixedHasher {
    /// Multiplier of rustc-hash's FxHasher (v2).
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = self.0.wrapping_add(word).wrapping_mul(Self::K);
    }
}

impl Hasher for FixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}
