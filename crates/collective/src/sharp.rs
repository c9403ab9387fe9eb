//! In-network reduction on scale-out switches (InfiniBand SHARP, and any
//! switch a topology marks `in_switch_reduction = true`).
//!
//! SHARP reduces data on an *aggregation tree* of switches: every member
//! sends its data to its parent switch, each switch reduces what its
//! children send and forwards one reduced copy up, the root holds the
//! result and multicasts it back down the same tree (Graham et al., "Scalable
//! Hierarchical Aggregation Protocol (SHArP)", COMHPC 2016; NCCL runs it as
//! the CollNet algorithm). So every tree edge carries the data once up and
//! once down, whatever the number of members: per member `S` out and `S` in
//! for an all-reduce of `S`, instead of a ring's `2(n−1)/n · S` each way.
//!
//! # The tree
//! *Levels*: a multi-source breadth-first search from every accelerator over
//! scale-out links (tier ≠ `scale-up`) through forwarding nodes gives each
//! node its hop distance from the nearest accelerator (NIC 1, leaf 2, spine
//! 3, ...). Tree `t` (one per rail) climbs from each member: a node's parent
//! is its `(t mod k)`-th neighbour, in id order, among the `k` neighbours one
//! level up, which spreads the trees of different rails over the spines as
//! SHARP spreads its trees. The root is the lowest node on every member's
//! climb; the members' climbs up to it form the tree (a node's parent is a
//! function of the node, so they merge and never split). Members under one
//! leaf meet at that leaf. Every switch of the tree must reduce; NICs and
//! other non-switch forwarding nodes on the way are transit only.
//!
//! # Schedule (one step, the switches stream)
//! For every tree edge `child → parent` between tree vertices (members and
//! switches): `bytes` from child to parent (reduce) and `bytes` from parent
//! to child (multicast), all at once. On members each behind its own link of
//! bandwidth `B` to a reducing switch: `t = α + bytes/B`.
//! The per-step α is [`super::presets::SHARP_STEP_S`].

use crate::schedule::Transfer;
use fabricsim_topology::{NodeId, NodeRole, Topology};
use std::collections::{BTreeSet, VecDeque};

/// Hop distance of every node from the nearest accelerator over scale-out
/// links through forwarding nodes (`u32::MAX` if none).
pub fn levels(topo: &Topology) -> Vec<u32> {
    let mut level = vec![u32::MAX; topo.nodes.len()];
    let mut queue = VecDeque::new();
    for &a in &topo.accelerators {
        level[a.idx()] = 0;
        queue.push_back(a);
    }
    while let Some(x) = queue.pop_front() {
        if level[x.idx()] > 0 && !topo.nodes[x.idx()].forwards {
            continue;
        }
        for &(e, _) in topo.adjacency().out_links(x) {
            let l = &topo.links[e.idx()];
            if l.tier != "scale-up" && level[l.dst.idx()] == u32::MAX {
                level[l.dst.idx()] = level[x.idx()] + 1;
                queue.push_back(l.dst);
            }
        }
    }
    level
}

/// The parent of `x` in tree `t` (see the module docs), if any.
fn parent(topo: &Topology, level: &[u32], x: NodeId, t: usize) -> Option<NodeId> {
    let up: Vec<NodeId> = topo
        .adjacency()
        .out_links(x)
        .iter()
        .map(|&(e, _)| &topo.links[e.idx()])
        .filter(|l| {
            l.tier != "scale-up"
                && level[l.dst.idx()] == level[x.idx()].saturating_add(1)
                && topo.nodes[l.dst.idx()].forwards
        })
        .map(|l| l.dst)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    (!up.is_empty()).then(|| up[t % up.len()])
}

/// Tree `t` over `members`: its edges `(child, parent)` between tree
/// vertices (members and reducing switches), or why there is none.
pub fn tree(
    topo: &Topology,
    level: &[u32],
    members: &[NodeId],
    t: usize,
) -> Result<Vec<(NodeId, NodeId)>, String> {
    let climbs: Vec<Vec<NodeId>> = members
        .iter()
        .map(|&m| {
            let mut c = vec![m];
            let mut x = m;
            while let Some(p) = parent(topo, level, x, t) {
                c.push(p);
                x = p;
            }
            c
        })
        .collect();
    // The root: the lowest node on every climb (climbs are level-ordered).
    let first = &climbs[0];
    let root = first
        .iter()
        .skip(1)
        .copied()
        .find(|x| climbs[1..].iter().all(|c| c.contains(x)))
        .ok_or_else(|| {
            format!(
                "no switch above {} is common to all members; in-network reduction needs one",
                topo.nodes[members[0].idx()].name
            )
        })?;
    let mut edges = BTreeSet::new();
    for c in &climbs {
        let mut below = c[0];
        for &x in &c[1..] {
            let node = &topo.nodes[x.idx()];
            if node.role == NodeRole::Switch {
                if !node.in_switch_reduction {
                    return Err(format!(
                        "switch {} on the aggregation tree cannot reduce \
                         (set in_switch_reduction = true on the scale-out switches)",
                        node.name
                    ));
                }
                edges.insert((below, x));
                below = x;
            }
            if x == root {
                break;
            }
        }
    }
    if topo.nodes[root.idx()].role != NodeRole::Switch {
        return Err(format!(
            "the members' common node {} is not a switch",
            topo.nodes[root.idx()].name
        ));
    }
    Ok(edges.into_iter().collect())
}

/// The transfers of one all-reduce step on `edges`: `bytes` up and down
/// every edge.
pub fn all_reduce_transfers(edges: &[(NodeId, NodeId)], bytes: f64) -> Vec<Transfer> {
    edges
        .iter()
        .flat_map(|&(c, p)| {
            [
                Transfer {
                    src: c,
                    dst: p,
                    bytes,
                },
                Transfer {
                    src: p,
                    dst: c,
                    bytes,
                },
            ]
        })
        .collect()
}
