//! The routing view of a topology: its adjacency ([`Topology::adjacency`])
//! plus the per-node and per-link numbers the searches read, copied out so
//! the searches never touch the (large) `Link` and `Node` records.

use fabricsim_topology::{LinkId, NodeId, Topology};

/// Out- and in-links of every node (sorted by link id, so hash choices index
/// the same link on every run), with forwarding flags and latencies.
pub(super) struct Adjacency<'t> {
    links: &'t fabricsim_topology::Adjacency,
    /// `forwards[u]`: flows may pass through `u` ([`Node::forwards`]).
    ///
    /// [`Node::forwards`]: fabricsim_topology::Node::forwards
    forwards: Vec<bool>,
    /// [`Link::latency_s`] of every link \[s\].
    ///
    /// [`Link::latency_s`]: fabricsim_topology::Link::latency_s
    link_lat: Vec<f64>,
    /// [`Node::latency_s`] (forwarding latency) of every node \[s\].
    ///
    /// [`Node::latency_s`]: fabricsim_topology::Node::latency_s
    node_lat: Vec<f64>,
}

impl<'t> Adjacency<'t> {
    pub(super) fn new(topo: &'t Topology) -> Self {
        Adjacency {
            links: topo.adjacency(),
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
    pub(super) fn out_links(&self, u: NodeId) -> &'t [(LinkId, NodeId)] {
        self.links.out_links(u)
    }

    /// In-links of `v` as `(link, tail)`, by link id.
    pub(super) fn in_links(&self, v: NodeId) -> &'t [(LinkId, NodeId)] {
        self.links.in_links(v)
    }
}
