//! Outgoing and incoming links of every node in CSR form.

use crate::topology::{Link, LinkId, NodeId, Topology};

/// Outgoing and incoming links of every node in CSR form, each list sorted by
/// link id (petgraph's adjacency lists are in reverse insertion order; ours
/// fix the order that hash choices index into).
pub(super) struct Adjacency {
    out_start: Vec<u32>,
    out: Vec<LinkId>,
    in_start: Vec<u32>,
    inc: Vec<LinkId>,
    /// `forwards[u]`: flows may pass through `u` ([`Node::forwards`]).
    ///
    /// [`Node::forwards`]: crate::topology::Node::forwards
    forwards: Vec<bool>,
}

impl Adjacency {
    pub(super) fn new(topo: &Topology) -> Self {
        let (out_start, out) = csr(topo, |l| l.src);
        let (in_start, inc) = csr(topo, |l| l.dst);
        Adjacency {
            out_start,
            out,
            in_start,
            inc,
            forwards: topo.nodes.iter().map(|n| n.forwards).collect(),
        }
    }

    /// Whether a path towards `dst` may enter `v`: it is the destination or
    /// forwards traffic.
    pub(super) fn enterable(&self, v: NodeId, dst: NodeId) -> bool {
        v == dst || self.forwards[v.idx()]
    }

    pub(super) fn out_links(&self, u: NodeId) -> &[LinkId] {
        &self.out[self.out_start[u.idx()] as usize..self.out_start[u.idx() + 1] as usize]
    }

    pub(super) fn in_links(&self, u: NodeId) -> &[LinkId] {
        &self.inc[self.in_start[u.idx()] as usize..self.in_start[u.idx() + 1] as usize]
    }
}

/// Counting sort of link ids by `key(link)`; stable, so each list is sorted by id.
fn csr(topo: &Topology, key: impl Fn(&Link) -> NodeId) -> (Vec<u32>, Vec<LinkId>) {
    let n = topo.nodes.len();
    let mut start = vec![0u32; n + 1];
    for l in &topo.links {
        start[key(l).idx() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![LinkId(0); topo.links.len()];
    for (i, l) in topo.links.iter().enumerate() {
        let k = key(l).idx();
        items[fill[k] as usize] = LinkId(i as u32);
        fill[k] += 1;
    }
    (start, items)
}
