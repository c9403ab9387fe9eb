//! Rails that are images of rail 0, known before routing.
//!
//! In a rail-optimized cluster, rail `r` is accelerator `r` of every
//! scale-up domain with its NICs, leaves and spines. Where rails share no
//! link, a collective between nodes sends rail `r`'s share over rail `r`'s
//! links only, and each rail carries the image of rail 0's traffic.
//! `planes.rs` finds such copies after routing; routing 393 K pairs of a
//! 32,768-rank halving-doubling is most of its run, so this module finds
//! them from the topology, and a staged run (`sim_staged.rs`) routes only
//! rail 0's transfers. Rails may share nodes (the core switches of
//! `h100-32k-3tier.toml` join every rail's spines), not links.
//!
//! 1. **Owners.** A breadth-first search from all accelerators at once,
//!    over links in either direction, labels each node with the rail
//!    (position of an accelerator in its domain) of its nearest
//!    accelerators, or none when the nearest are of two rails or more (an
//!    NVSwitch, a core switch). A node's nearest rails are the union of
//!    those of its neighbours one layer closer, so one pass suffices.
//! 2. **Images.** For rail `r`, `σ_r` swaps the `i`-th node (by id) owned
//!    by rail 0 with the `i`-th owned by rail `r` and fixes every other
//!    node. It is accepted when it maps `M_0`, the links with an end owned
//!    by rail 0 listed by id, position by position onto `M_r`, ends onto
//!    ends, with equal capacity, latency, kind, lane count and tier, and
//!    the nodes with equal role, kind, forwarding latency, forwarding and
//!    in-switch reduction; no link may join nodes of two rails. Then `σ_r`
//!    is an automorphism of the fabric (links of other rails and between
//!    unowned nodes are fixed), increasing on `M_0`'s ids. The check is
//!    made on first use, for a rail whose transfers could be a copy (on
//!    the 100,800-GPU fabric, checking all 71 rails costs 0.2 s).
//! 3. **Routes.** Routes depend only on the fabric (hops, latencies,
//!    capacities of the shortest-path DAG): minima over next hops, then
//!    sums and fractions in breadth-first order over each node's DAG
//!    out-links sorted by link id, and the route lists its links by id.
//!    Every DAG link carries a positive fraction (unless a fraction
//!    underflows, which needs capacity or path-count ratios near 1e-300),
//!    so a route of rail 0 whose links are all in `M_0` is its whole DAG,
//!    on which `σ_r` keeps link order; it therefore maps entry by entry:
//!    `route(σa, σb) = σ(route(a, b))` with the same fractions and
//!    latency, and the same α and wire bytes (functions of the links'
//!    kinds and the endpoints' roles). The staged run checks
//!    that each of rail 0's routes lies in `M_0` and that no other flow of
//!    the run crosses one of rail 0's links or their images; a rail whose
//!    transfers are, stage by stage, the images of rail 0's (positions and
//!    bytes) is then a copy exactly as a plane copy is (`planes.rs`).
//!    Hash routing depends on node ids and is excluded by the caller.

use crate::symmetry::{Domains, alike_links, alike_nodes};
use fabricsim_topology::{LinkId, NodeId, Topology};
use std::sync::OnceLock;

const NONE: u32 = u32::MAX;
/// A node whose nearest accelerators are of two rails or more.
const SHARED: u32 = u32::MAX - 1;

/// Rail owners of a topology's nodes and links, and which rails are images
/// of rail 0.
pub(crate) struct Rails {
    /// Per node: the rail owning it, or [`NONE`].
    owner: Vec<u32>,
    /// Per node: its position among its rail's nodes (by id).
    pos: Vec<u32>,
    /// Per rail: its nodes by id.
    owned: Vec<Vec<NodeId>>,
    /// Per rail: its links (`M_r`, by id).
    links: Vec<Vec<LinkId>>,
    /// Per link: the rail whose `M_r` holds it and its position there.
    link_rail: Vec<u32>,
    link_pos: Vec<u32>,
    /// Per position of `M_0`: whether both ends of the link are in one
    /// scale-up domain.
    in_domain: Vec<bool>,
    /// Whether a link joins nodes of two rails (then none is an image).
    crossed: bool,
    /// Per rail: whether `σ_r` is accepted (false for rail 0), checked on
    /// first use.
    image: Vec<OnceLock<bool>>,
}

impl Rails {
    /// Owners and images (module docs, items 1 and 2): O(nodes + links).
    pub fn new(topo: &Topology, domains: &Domains) -> Rails {
        let n = topo.nodes.len();
        let adj = topo.adjacency();
        let mut label = vec![NONE; n];
        let mut dist = vec![NONE; n];
        let mut frontier: Vec<NodeId> = Vec::new();
        let mut rails = 0u32;
        for &a in &topo.accelerators {
            if let Some(k) = domains.accel_position(a) {
                label[a.idx()] = k;
                dist[a.idx()] = 0;
                frontier.push(a);
                rails = rails.max(k + 1);
            }
        }
        // Layer by layer: a node first reached in layer `d` takes the label
        // of the node reaching it, and is shared when reached in the same
        // layer with another label (or from a shared node).
        let mut next: Vec<NodeId> = Vec::new();
        let mut d = 0;
        while !frontier.is_empty() {
            for &u in &frontier {
                let lu = label[u.idx()];
                for &(_, v) in adj.out_links(u).iter().chain(adj.in_links(u)) {
                    if dist[v.idx()] == NONE {
                        dist[v.idx()] = d + 1;
                        label[v.idx()] = lu;
                        next.push(v);
                    } else if dist[v.idx()] == d + 1 && label[v.idx()] != lu {
                        label[v.idx()] = SHARED;
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
            d += 1;
        }
        let owner: Vec<u32> = label
            .into_iter()
            .map(|l| if l == SHARED { NONE } else { l })
            .collect();
        let nr = rails as usize;
        let mut owned: Vec<Vec<NodeId>> = vec![Vec::new(); nr];
        let mut pos = vec![NONE; n];
        for (u, &r) in owner.iter().enumerate() {
            if r != NONE {
                pos[u] = owned[r as usize].len() as u32;
                owned[r as usize].push(NodeId(u as u32));
            }
        }
        let mut links: Vec<Vec<LinkId>> = vec![Vec::new(); nr];
        let mut link_rail = vec![NONE; topo.links.len()];
        let mut link_pos = vec![NONE; topo.links.len()];
        let mut crossed = false;
        for (i, l) in topo.links.iter().enumerate() {
            let r = match (owner[l.src.idx()], owner[l.dst.idx()]) {
                (NONE, NONE) => continue,
                (a, b) if a != NONE && b != NONE && a != b => {
                    crossed = true;
                    continue;
                }
                (NONE, r) | (r, _) => r,
            };
            link_rail[i] = r;
            link_pos[i] = links[r as usize].len() as u32;
            links[r as usize].push(LinkId(i as u32));
        }
        let mut rails = Rails {
            owner,
            pos,
            owned,
            links,
            link_rail,
            link_pos,
            in_domain: Vec::new(),
            crossed,
            image: (0..nr).map(|_| OnceLock::new()).collect(),
        };
        if let Some(m0) = rails.links.first() {
            rails.in_domain = m0
                .iter()
                .map(|l| domains.link_domain(l.0).is_some())
                .collect();
        }
        rails
    }

    /// Whether any rail may be an image of rail 0.
    pub fn possible(&self) -> bool {
        !self.crossed && self.image.len() > 1
    }

    /// Whether `σ_r` maps rail 0 onto rail `r` (item 2; false for rail 0),
    /// checked on first use.
    pub fn is_image(&self, topo: &Topology, r: usize) -> bool {
        r > 0 && self.possible() && *self.image[r].get_or_init(|| self.maps_onto(topo, r))
    }

    /// Item 2 for rail `r`.
    fn maps_onto(&self, topo: &Topology, r: usize) -> bool {
        let (n0, nr) = (&self.owned[0], &self.owned[r]);
        let (m0, mr) = (&self.links[0], &self.links[r]);
        if n0.len() != nr.len() || m0.len() != mr.len() {
            return false;
        }
        // σ_r of a node of rail 0 or an unowned node.
        let sigma = |u: NodeId| match self.owner[u.idx()] {
            0 => nr[self.pos[u.idx()] as usize],
            _ => u,
        };
        let same_node = |x: &NodeId, y: &NodeId| alike_nodes(topo, *x, *y);
        let same_link = |x: &LinkId, y: &LinkId| {
            let (p, q) = (&topo.links[x.idx()], &topo.links[y.idx()]);
            sigma(p.src) == q.src && sigma(p.dst) == q.dst && alike_links(topo, *x, *y)
        };
        n0.iter().zip(nr).all(|(x, y)| same_node(x, y))
            && m0.iter().zip(mr).all(|(x, y)| same_link(x, y))
    }

    /// The rail both ends of a transfer are owned by.
    pub fn of_transfer(&self, src: NodeId, dst: NodeId) -> Option<u32> {
        let r = *self.owner.get(src.idx())?;
        (r != NONE && self.owner.get(dst.idx()) == Some(&r)).then_some(r)
    }

    /// Position of a node among its rail's nodes.
    pub fn position(&self, u: NodeId) -> u32 {
        self.pos[u.idx()]
    }

    /// The position of link `l` in `M_0`, if it is there and not inside a
    /// scale-up domain (whose copies `symmetry.rs` may skip, so a rail
    /// copy could not tell whether they use its image).
    pub fn rail0_position(&self, l: u32) -> Option<u32> {
        let (r, i) = self.link_owner(l)?;
        (r == 0 && !self.in_domain[i as usize]).then_some(i)
    }

    /// The rail whose `M_r` holds link `l` and its position there.
    pub fn link_owner(&self, l: u32) -> Option<(u32, u32)> {
        let r = self.link_rail[l as usize];
        (r != NONE).then(|| (r, self.link_pos[l as usize]))
    }

    /// `σ_r` of the link at position `i` of `M_0`.
    pub fn image_link(&self, r: u32, i: u32) -> LinkId {
        self.links[r as usize][i as usize]
    }

    /// Number of rails.
    pub fn count(&self) -> usize {
        self.image.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fabricsim_routing::Router;
    use fabricsim_topology::RoutingMode;

    /// `tests/it/data/rails-sharing-cores.toml`: 32 HGX-like domains of 4
    /// accelerators, each with its own NIC on a rail-optimized 3-tier Clos
    /// of radix-8 switches; the four rails have their own leaves and
    /// spines and share the core switches.
    fn shared_cores() -> Topology {
        let path = format!(
            "{}/../../tests/it/data/rails-sharing-cores.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        Topology::load(path, &Default::default()).unwrap()
    }

    fn shipped(name: &str) -> Topology {
        let path = format!("{}/../../topologies/{name}", env!("CARGO_MANIFEST_DIR"));
        Topology::load(path, &Default::default()).unwrap()
    }

    fn node(topo: &Topology, name: &str) -> NodeId {
        NodeId(topo.nodes.iter().position(|n| n.name == name).unwrap() as u32)
    }

    /// Item 1 by hand: an accelerator, its NIC and its leaf are nearest to
    /// their own rail; an NVSwitch is one hop from every accelerator of its
    /// domain and a core four hops from every rail's accelerators, so
    /// neither is owned. Every rail maps onto rail 0 (item 2).
    #[test]
    fn rails_sharing_only_their_cores_are_images_of_rail_0() {
        let topo = shared_cores();
        let rails = Rails::new(&topo, &Domains::new(&topo));
        let owner = |name: &str| rails.owner[node(&topo, name).idx()];
        assert_eq!(owner("d0.gpu0"), 0);
        assert_eq!(owner("d5.gpu2"), 2);
        assert_eq!(owner("d5.gpu2.nic0"), 2);
        assert_eq!(owner("leaf0"), 0);
        assert_eq!(owner("core0"), NONE);
        assert_eq!(owner("d0.sw0"), NONE);
        let images: Vec<bool> = (0..4).map(|r| rails.is_image(&topo, r)).collect();
        assert_eq!(images, vec![false, true, true, true]);
    }

    /// On `h100-2tier-16node.toml` rails 0 and 1 share their leaves, as do
    /// rails 2 and 3, and so on: swapping rails 0 and 1 keeps every link
    /// (the shared leaf stays), swapping rails 0 and 2 would move rail 0's
    /// NICs onto rail 2's leaf, which `σ` fixes: only rail 1 is an image.
    #[test]
    fn a_rail_on_other_leaves_is_not_an_image() {
        let topo = shipped("h100-2tier-16node.toml");
        let rails = Rails::new(&topo, &Domains::new(&topo));
        let images: Vec<bool> = (0..8).map(|r| rails.is_image(&topo, r)).collect();
        let expected: Vec<bool> = (0..8).map(|r| r == 1).collect();
        assert_eq!(images, expected);
    }

    /// Item 3, checked on the router itself: for every pair of rail 0's
    /// accelerators in different domains, the route lies in `M_0`, and the
    /// route of the images under each accepted `σ_r` is the image of the
    /// route entry by entry, fractions and latency bit for bit.
    #[test]
    fn the_route_of_the_images_is_the_image_of_the_route() {
        for topo in [shared_cores(), shipped("h100-2tier-16node.toml")] {
            let domains = Domains::new(&topo);
            let rails = Rails::new(&topo, &domains);
            for mode in [RoutingMode::Weighted, RoutingMode::Spray] {
                let mut router = Router::new(&topo, mode, 0);
                let sigma = |r: usize, u: NodeId| rails.owned[r][rails.pos[u.idx()] as usize];
                let rail0: Vec<NodeId> = topo
                    .accelerators
                    .iter()
                    .copied()
                    .filter(|&a| rails.owner[a.idx()] == 0)
                    .collect();
                let mut compared = 0;
                for &a in &rail0 {
                    for &b in &rail0 {
                        if domains.domain_of(a) == domains.domain_of(b) {
                            continue;
                        }
                        let route = router.route(a, b, 0).unwrap();
                        let at: Vec<u32> = route
                            .links
                            .iter()
                            .map(|&(l, _)| rails.rail0_position(l.0).expect("in M_0"))
                            .collect();
                        for r in (1..rails.count()).filter(|&r| rails.is_image(&topo, r)) {
                            let image = router.route(sigma(r, a), sigma(r, b), 0).unwrap();
                            assert_eq!(image.latency_s.to_bits(), route.latency_s.to_bits());
                            assert_eq!(image.links.len(), route.links.len());
                            for ((l, phi), (&i, &(_, psi))) in
                                image.links.iter().zip(at.iter().zip(&route.links))
                            {
                                assert_eq!(*l, rails.image_link(r as u32, i));
                                assert_eq!(phi.to_bits(), psi.to_bits());
                            }
                            compared += 1;
                        }
                    }
                }
                // 32·31 pairs × 3 images; 16·15 pairs × 1 image.
                assert!(compared == 32 * 31 * 3 || compared == 16 * 15, "{compared}");
            }
        }
    }
}
