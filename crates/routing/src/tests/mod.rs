//! Unit tests and property tests of shortest-path ECMP routing, by concern:
//! `paths` (which paths are shortest: hops before latency, the tolerance,
//! forwarding nodes, errors), `spray` (even split per path), `weighted`
//! (split per hop by reachable capacity), `hash` (one pinned path per flow
//! over scale-out choices, the weighted split over scale-up ones),
//! `brute_force` (all modes against enumerated paths on random fabrics)
//! and `search` (the per-pair search and the destination cache against
//! the whole-fabric reference). This file holds the fabrics they share.

mod brute_force;
mod hash;
mod paths;
mod search;
mod spray;
mod weighted;

use super::*;
use fabricsim_topology::{Link, Node, NodeRole};
use proptest::prelude::*;

/// Builds small fabrics for tests.
#[derive(Default)]
struct Fab {
    nodes: Vec<Node>,
    links: Vec<Link>,
}

impl Fab {
    fn node(&mut self, name: &str, role: NodeRole, fwd_s: f64) -> NodeId {
        self.nodes.push(Node {
            name: name.into(),
            role,
            kind: String::new(),
            latency_s: fwd_s,
            in_switch_reduction: false,
            forwards: role.forwards_by_default(),
        });
        NodeId(self.nodes.len() as u32 - 1)
    }
    fn host(&mut self, name: &str) -> NodeId {
        self.node(name, NodeRole::Accelerator, 0.0)
    }
    fn switch(&mut self, name: &str, fwd_s: f64) -> NodeId {
        self.node(name, NodeRole::Switch, fwd_s)
    }
    /// Overrides whether `n` forwards traffic.
    fn set_forwards(&mut self, n: NodeId, forwards: bool) {
        self.nodes[n.idx()].forwards = forwards;
    }
    /// One directed link `a → b`.
    fn simplex(&mut self, a: NodeId, b: NodeId, lat_s: f64) -> LinkId {
        self.links.push(Link {
            src: a,
            dst: b,
            capacity_bps: 1e9,
            latency_s: lat_s,
            kind: "test".into(),
            count: 1,
            tier: "test".into(),
        });
        LinkId(self.links.len() as u32 - 1)
    }
    /// A full-duplex cable: `(a → b, b → a)`.
    fn duplex(&mut self, a: NodeId, b: NodeId, lat_s: f64) -> (LinkId, LinkId) {
        (self.simplex(a, b, lat_s), self.simplex(b, a, lat_s))
    }
    /// A full-duplex bundle of `lanes` 25 GB/s lanes (capacity includes
    /// the lane count, as the topology builder does).
    fn bundle(&mut self, a: NodeId, b: NodeId, lanes: u32) -> (LinkId, LinkId) {
        let (x, y) = self.duplex(a, b, 1.0);
        for l in [x, y] {
            let link = &mut self.links[l.idx()];
            link.count = lanes;
            link.capacity_bps = f64::from(lanes) * 25e9;
        }
        (x, y)
    }
    /// A full-duplex bundle of `lanes` 25 GB/s lanes of link kind `kind` and
    /// tier `tier`, latency `lat_s`.
    fn cable(
        &mut self,
        a: NodeId,
        b: NodeId,
        lanes: u32,
        (kind, tier): (&str, &'static str),
        lat_s: f64,
    ) -> (LinkId, LinkId) {
        let (x, y) = self.bundle(a, b, lanes);
        for l in [x, y] {
            let link = &mut self.links[l.idx()];
            link.kind = kind.into();
            link.tier = tier.into();
            link.latency_s = lat_s;
        }
        (x, y)
    }
    fn build(self) -> Topology {
        Topology::from_parts("test".into(), self.nodes, self.links)
    }
}

/// Asserts `route.links` equals `expected` (any order) within 1e-12.
fn assert_links(route: &Route, expected: &[(LinkId, f64)]) {
    let mut exp = expected.to_vec();
    exp.sort_by_key(|&(l, _)| l);
    assert_eq!(
        route.links.iter().map(|&(l, _)| l).collect::<Vec<_>>(),
        exp.iter().map(|&(l, _)| l).collect::<Vec<_>>(),
        "route {route:?}"
    );
    for (&(l, got), &(_, want)) in route.links.iter().zip(&exp) {
        assert!((got - want).abs() < 1e-12, "{l:?}: {got} != {want}");
    }
}

/// The largest rate \[bytes/s\] at which `route` can run alone: no link may
/// carry more than its capacity, so `min over links of capacity / fraction`.
fn route_rate(topo: &Topology, route: &Route) -> f64 {
    route
        .links
        .iter()
        .map(|&(l, f)| topo.links[l.idx()].capacity_bps / f)
        .fold(f64::INFINITY, f64::min)
}

fn uses(route: &Route, l: LinkId) -> bool {
    route.links.iter().any(|&(x, _)| x == l)
}

/// 2-leaf/2-spine Clos with one host per leaf, all links latency 1.
///
/// ```text
///    s0     s1
///    │ ╲   ╱ │
///    │   ╳   │
///    │ ╱   ╲ │
///    l0     l1
///    │       │
///    h0     h1
/// ```
struct Clos {
    topo: Topology,
    h0: NodeId,
    h1: NodeId,
    h0_l0: LinkId,
    l0_s0: LinkId,
    l0_s1: LinkId,
    s0_l1: LinkId,
    s1_l1: LinkId,
    l1_h1: LinkId,
}

fn clos() -> Clos {
    let mut f = Fab::default();
    let (h0, h1) = (f.host("h0"), f.host("h1"));
    let (l0, l1) = (f.switch("l0", 0.0), f.switch("l1", 0.0));
    let (s0, s1) = (f.switch("s0", 0.0), f.switch("s1", 0.0));
    let (h0_l0, _) = f.duplex(h0, l0, 1.0);
    let (l1_h1, _) = f.duplex(l1, h1, 1.0);
    let (l0_s0, _) = f.duplex(l0, s0, 1.0);
    let (l0_s1, _) = f.duplex(l0, s1, 1.0);
    let (_, s0_l1) = f.duplex(l1, s0, 1.0);
    let (_, s1_l1) = f.duplex(l1, s1, 1.0);
    Clos {
        topo: f.build(),
        h0,
        h1,
        h0_l0,
        l0_s0,
        l0_s1,
        s0_l1,
        s1_l1,
        l1_h1,
    }
}

/// A k-ary fat tree (3-tier Clos, all latencies 1): k pods of k/2 edge and
/// k/2 aggregation switches, (k/2)² cores, k/2 hosts per edge switch.
///
/// ```text
///   core  c0 … c(k²/4−1)        agg j of every pod connects to cores
///          ╱        ╲            j·k/2 … j·k/2 + k/2 − 1
///   agg   a ·· a    a ·· a
///          ╳          ╳          full bipartite inside a pod
///   edge  e ·· e    e ·· e
///         │         │
///   host  h         h            k/2 per edge switch
/// ```
///
/// Returns the topology and the hosts in pod order.
fn fat_tree(k: usize) -> (Topology, Vec<NodeId>) {
    let half = k / 2;
    let mut f = Fab::default();
    let cores: Vec<NodeId> = (0..half * half)
        .map(|c| f.switch(&format!("c{c}"), 0.0))
        .collect();
    let mut hosts = Vec::new();
    for p in 0..k {
        let aggs: Vec<NodeId> = (0..half)
            .map(|j| f.switch(&format!("a{p}.{j}"), 0.0))
            .collect();
        for (j, &a) in aggs.iter().enumerate() {
            for &c in &cores[j * half..(j + 1) * half] {
                f.duplex(a, c, 1.0);
            }
        }
        for e in 0..half {
            let edge = f.switch(&format!("e{p}.{e}"), 0.0);
            for &a in &aggs {
                f.duplex(edge, a, 1.0);
            }
            for h in 0..half {
                let host = f.host(&format!("h{p}.{e}.{h}"));
                f.duplex(host, edge, 1.0);
                hosts.push(host);
            }
        }
    }
    (f.build(), hosts)
}

/// A random small fabric: a random spanning tree of full-duplex cables
/// (latencies may differ per direction) plus random one-way links, small
/// integer latencies (so ties are exact), capacities of 1 to 4 lanes, a
/// few failed links and about 30 % scale-up links (tier `scale-up`, which
/// hash mode interleaves over instead of hashing).
#[derive(Clone, Debug)]
struct RandFab {
    n: usize,
    parents: Vec<u32>,
    tree_lat: Vec<(u8, u8)>,
    extras: Vec<(u32, u32, u8)>,
    fwd: Vec<u8>,
    /// `endpoint[i]`: node `i` does not forward (an accelerator).
    endpoint: Vec<bool>,
    failed: Vec<bool>,
    lanes: Vec<u8>,
    /// `scale_up[l]`: link `l` has tier `scale-up`.
    scale_up: Vec<bool>,
}

fn arb_fab() -> impl Strategy<Value = RandFab> {
    (
        2usize..=7,
        prop::collection::vec(any::<u32>(), 6),
        prop::collection::vec((0u8..3, 0u8..3), 6),
        prop::collection::vec((any::<u32>(), any::<u32>(), 0u8..3), 0..10),
        prop::collection::vec(0u8..2, 7),
        prop::collection::vec(prop::bool::weighted(0.3), 7),
        prop::collection::vec(prop::bool::weighted(0.1), 22),
        prop::collection::vec(1u8..=4, 22),
        prop::collection::vec(prop::bool::weighted(0.3), 22),
    )
        .prop_map(
            |(n, parents, tree_lat, extras, fwd, endpoint, failed, lanes, scale_up)| RandFab {
                n,
                parents,
                tree_lat,
                extras,
                fwd,
                endpoint,
                failed,
                lanes,
                scale_up,
            },
        )
}

impl RandFab {
    fn build(&self) -> (Topology, Vec<LinkId>) {
        let mut f = Fab::default();
        let ids: Vec<NodeId> = (0..self.n)
            .map(|i| {
                if self.endpoint[i] {
                    f.host(&format!("n{i}"))
                } else {
                    f.switch(&format!("n{i}"), f64::from(self.fwd[i]))
                }
            })
            .collect();
        for i in 1..self.n {
            let p = ids[self.parents[i - 1] as usize % i];
            let (up, down) = self.tree_lat[i - 1];
            f.simplex(ids[i], p, f64::from(up));
            f.simplex(p, ids[i], f64::from(down));
        }
        for &(a, b, lat) in &self.extras {
            let (a, b) = (a as usize % self.n, b as usize % self.n);
            if a != b {
                f.simplex(ids[a], ids[b], f64::from(lat));
            }
        }
        for ((link, &lanes), &up) in f.links.iter_mut().zip(&self.lanes).zip(&self.scale_up) {
            link.count = u32::from(lanes);
            link.capacity_bps = f64::from(lanes) * 1e9;
            if up {
                link.tier = "scale-up".into();
            }
        }
        let failed = (0..f.links.len())
            .filter(|&l| self.failed[l])
            .map(|l| LinkId(l as u32))
            .collect();
        (f.build(), failed)
    }
}
