//! The router's caches: per-destination tables (LRU) and spray or weighted
//! routes by (src, dst).


/// At most `capacity` destination tables, with an index from node to slot.
struct DestCache {
    /// `slot_of[d]`: slot of `d`'s table in `tables`, or [`NONE`].
    slot_of: Vec<u32>,
    tables: Vec<DestTable>,
    capacity: usize,
    tick: u64,
}

/// Spray or weighted routes (a router has one mode) by (src, dst), bounded by
/// the total number of link entries.
struct SprayCache {
    routes: HashMap<(NodeId, NodeId), Route>,
    links: usize,
    capacity_links: usize,
}

impl SprayCache {
    fn insert(&mut self, src: NodeId, dst: NodeId, route: &Route) {
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
