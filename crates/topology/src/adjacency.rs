//! Outgoing and incoming links of every node in compressed (CSR) form: the
//! one adjacency structure of a [`Topology`], built on first use by
//! [`Topology::adjacency`] and shared by routing, the collective planners and
//! reports.

use crate::{Link, LinkId, NodeId};

/// Per node, its out-links `(link, head)` and in-links `(link, tail)`, each
/// list sorted by link id (so an index into a list, e.g. a hash choice,
/// names the same link on every run).
///
/// Memory: `2·(V + 1)` `u32` offsets and `2·E` `(LinkId, NodeId)` pairs.
#[derive(Clone, Debug)]
pub struct Adjacency {
    out_start: Vec<u32>,
    out: Vec<(LinkId, NodeId)>,
    in_start: Vec<u32>,
    inc: Vec<(LinkId, NodeId)>,
}

impl Adjacency {
    /// The adjacency of `nodes` nodes joined by `links`.
    pub fn new(nodes: usize, links: &[Link]) -> Adjacency {
        let (out_start, out) = csr(nodes, links, |l| l.src, |l| l.dst);
        let (in_start, inc) = csr(nodes, links, |l| l.dst, |l| l.src);
        Adjacency {
            out_start,
            out,
            in_start,
            inc,
        }
    }

    /// Out-links of `u` as `(link, head)`, by link id.
    pub fn out_links(&self, u: NodeId) -> &[(LinkId, NodeId)] {
        &self.out[self.out_start[u.idx()] as usize..self.out_start[u.idx() + 1] as usize]
    }

    /// In-links of `v` as `(link, tail)`, by link id.
    pub fn in_links(&self, v: NodeId) -> &[(LinkId, NodeId)] {
        &self.inc[self.in_start[v.idx()] as usize..self.in_start[v.idx() + 1] as usize]
    }
}

/// Counting sort of link ids by `key(link)`, each with `far(link)`; stable,
/// so each list is sorted by id.
fn csr(
    n: usize,
    links: &[Link],
    key: impl Fn(&Link) -> NodeId,
    far: impl Fn(&Link) -> NodeId,
) -> (Vec<u32>, Vec<(LinkId, NodeId)>) {
    let mut start = vec![0u32; n + 1];
    for l in links {
        start[key(l).idx() + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut items = vec![(LinkId(0), NodeId(0)); links.len()];
    for (i, l) in links.iter().enumerate() {
        let k = key(l).idx();
        items[fill[k] as usize] = (LinkId(i as u32), far(l));
        fill[k] += 1;
    }
    (start, items)
}
