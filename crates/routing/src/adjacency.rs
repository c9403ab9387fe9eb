//! Outgoing and incoming links of every node in CSR form.

use fabricsim_topology::{Link, LinkId, NodeId, Topology};

/// Outgoing and incoming links of every node in CSR form, each list sorted by
/// link id (petgraph's adjacency lists are in reverse insertion order; ours
/// fix the order that hash choices index into). Each entry carries the far
/// end of its link and the latencies are copied out of the topology, so the
/// searches never touch the (large) `Link` and `Node` records.
pub(super) struct Adjacency {
    out_start: Vec<u32>,
    /// `(link, head)`.
    out: Vec<(LinkId, NodeId)>,
    in_start: Vec<u32>,
    /// `(link, tail)`.
    inc: Vec<(LinkId, NodeId)>,
    /// `forwards[u]`: flows may pass through `u` ([`Node::forwards`]).
    ///
    /// [`Node::forwards`]: fabricsim_topology::Node::forwards
    forwards: Vec<bool>,
    /// [`Link::latency_s`] of every link \[s\].
    link_lat: Vec<f64>,
    /// [`Node::latency_s`] (forwarding latency) of every node \[s\].
    ///
    /// [`Node::latency_s`]: fabricsim_topology::Node::latency_s
    node_lat: Vec<f64>,
}

impl Adjacency {
    pub(super) fn new(topo: &Topology) -> Self {
        let (out_start, out) = csr(topo, |l| l.src, |l| l.dst);
        let (in_start, inc) = csr(topo, |l| l.dst, |l| l.src);
        Adjacency {
            out_start,
            out,
            in_start,
            inc,
            forwards: topo.nodes.iter().map(|n| n.forwards).collect(),
            link_lat: topo.links.iter().map(|l| l.latency_s).collect(),
            node_lat: topo.nodes.iter().map(|n| n.latency_s).collect(),
        }
    }

    /// Whether flows may pass through `u` ([`Node::forwards`]).
    ///
    /// [`Node::forwards`]: fabricsim_topology::Node::forwards
    pub(super) fn forwards(&self, u: NodeId) -> bool {
        self.forwards[u.idx()]
    }

    /// Whether a path towards `dst` may enter `v`: it is the destination or
    /// forwards traffic.
    pub(super) fn enterable(&self, v: NodeId, dst: NodeId) -> bool {
        v == dst || self.forwards[v.idx()]
    }

    /// Latency added by crossing link `l` (whose head is `head`) towards
    /// `dst`: the link's own latency plus the forwarding latency of its head,
    /// unless the head is the destination.
    pub(super) fn step_cost(&self, l: LinkId, head: NodeId, dst: NodeId) -> f64 {
        let fwd = if head == dst {
            0.0
        } else {
            self.node_lat[head.idx()]
        };
        self.link_lat[l.idx()] + fwd
    }

    /// Out-links of `u` as `(link, head)`, by link id.
    pub(super) fn out_links(&self, u: NodeId) -> &[(LinkId, NodeId)] {
        &self.out[self.out_start[u.idx()] as usize..self.out_start[u.idx() + 1] as usize]
    }

    /// In-links of `v` as `(link, tail)`, by link id.
    pub(super) fn in_links(&self, v: NodeId) -> &[(LinkId, NodeId)] {
        &self.inc[self.in_start[v.idx()] as usize..self.in_start[v.idx() + 1] as usize]
    }
}

/// Counting sort of link ids by `key(link)`, each with `far(link)`; stable,
/// so each list is sorted by id.
fn csr(
    topo: &Topology,
    key: impl Fn(&Link) -> NodeId,
    far: impl Fn(&Link) -> NodeId,
) -> (Vec<u32>, Vec<(LinkId, NodeId)>) {
    let n = topo.nodes.len();
    let mut start = vec![0u32; n + 1];
    for l in &topo.links {
        start[key(l).idx() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![(LinkId(0), NodeId(0)); topo.links.len()];
    for (i, l) in topo.links.iter().enumerate() {
        let k = key(l).idx();
        items[fill[k] as usize] = (LinkId(i as u32), far(l));
        fill[k] += 1;
    }
    (start, items)
}
