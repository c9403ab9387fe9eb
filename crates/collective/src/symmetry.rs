//! Identical scale-up domains are simulated once.
//!
//! A job's TP groups (and any groups confined to scale-up domains) repeat
//! the same collective in every domain: 12,600 TP groups on 1,400 NVL72
//! racks. When the groups' traffic cannot leave their domains, domains never
//! share a link, so each step's makespan is the largest of the domains'
//! (max-min sharing decomposes over link-disjoint parts, as in
//! `components.rs`), and two domains that are copies of each other with
//! copies of the same groups have the same makespans. Then only one domain
//! of each kind needs routing and simulating; the others' link bytes are
//! copies of it. The shortcut is exact, under three conditions checked here:
//!
//! 1. **Isomorphic domains.** Domain `B` is a copy of domain `A` when the
//!    map `φ` taking `A`'s `i`-th node (by id) to `B`'s `i`-th node maps
//!    `A`'s intra-domain links, listed by (source position, link id), one to
//!    one onto `B`'s with equal capacity, latency, kind, lane count and tier,
//!    and equal node attributes (role, kind, forwarding latency, forwarding,
//!    in-switch reduction), and lists them in the same order of link ids (a
//!    route lists its links by id, so the two domains' routes then match
//!    entry by entry and the engine sums in the same order). Then every shortest path inside `A` maps to one
//!    inside `B` with the same hops and latency, and spray and weighted
//!    fractions (functions of the DAG's shape and capacities) map too. Hash
//!    routing depends on node ids, so it is excluded.
//! 2. **No shortcut outside.** Every node outside a domain is linked with at
//!    most one node of that domain, so a path between two nodes of the
//!    domain that leaves it crosses at least two outside links and an
//!    outside link between distinct outside nodes: 3 hops or more.
//! 3. **Short routes inside.** Every transfer of the representative domains
//!    joins two nodes of one domain (switches included) at most 2 hops
//!    apart, so by 2 its shortest paths stay inside the domain, in every
//!    copy alike.
//!
//! The groups of a domain are compared through `φ` as lists of positions, so
//! domains match only when their groups are the same ranks in the same
//! order.

use super::CollectiveError;
use fabricsim_routing::Router;
use fabricsim_topology::RoutingMode;
use fabricsim_topology::{LinkId, NodeId, NodeRole, Topology};
use std::collections::HashMap;

/// Hops within which a domain's routes provably stay inside it (condition 3).
pub const MAX_CONFINED_HOPS: u32 = 2;

const NONE: u32 = u32::MAX;

/// The scale-up domains of a topology (those of two nodes or more), their
/// copy classes, and whether condition 2 holds for all of them; also each
/// domain's accelerators, for PXN's rail-aligned peers (`pxn.rs`).
pub struct Domains {
    /// Per node: index of its domain, or [`NONE`].
    dom_of: Vec<u32>,
    /// Per node: position in its domain (by node id).
    local: Vec<u32>,
    /// Per domain: its nodes by id.
    nodes: Vec<Vec<NodeId>>,
    /// Per node: position among its domain's accelerators (by node id), or
    /// [`NONE`] for other nodes.
    accel_pos: Vec<u32>,
    /// Per domain: its accelerators by id.
    accels: Vec<Vec<NodeId>>,
    /// Per domain: its intra-domain links by (source position, link id).
    links: Vec<Vec<LinkId>>,
    /// Per domain: the indices into `links` in order of link id (copies
    /// must list their links in the same global order, so that routes,
    /// which list links by id, map entry by entry).
    id_order: Vec<Vec<u32>>,
    /// Per domain: the first domain it is a copy of (itself if none before).
    class: Vec<u32>,
    /// Condition 2 of the module docs, for every domain.
    isolated: bool,
    /// Per link: the domain both its ends are in, or [`NONE`].
    link_dom: Vec<u32>,
}

impl Domains {
    /// Finds the domains and their classes: O(nodes + links).
    pub fn new(topo: &Topology) -> Domains {
        let n = topo.nodes.len();
        let mut index: HashMap<u32, u32> = HashMap::new();
        let mut members: Vec<Vec<NodeId>> = Vec::new();
        let mut size: HashMap<u32, u32> = HashMap::new();
        for i in 0..n {
            *size
                .entry(topo.scale_up_domain(NodeId(i as u32)))
                .or_default() += 1;
        }
        let (mut dom_of, mut local) = (vec![NONE; n], vec![NONE; n]);
        for (i, (d, l)) in dom_of.iter_mut().zip(&mut local).enumerate() {
            let root = topo.scale_up_domain(NodeId(i as u32));
            if size[&root] < 2 {
                continue;
            }
            let k = *index.entry(root).or_insert_with(|| {
                members.push(Vec::new());
                (members.len() - 1) as u32
            });
            *d = k;
            *l = members[k as usize].len() as u32;
            members[k as usize].push(NodeId(i as u32));
        }
        let mut accel_pos = vec![NONE; n];
        let mut accels: Vec<Vec<NodeId>> = vec![Vec::new(); members.len()];
        for (d, m) in members.iter().enumerate() {
            for &x in m {
                if topo.nodes[x.idx()].role == NodeRole::Accelerator {
                    accel_pos[x.idx()] = accels[d].len() as u32;
                    accels[d].push(x);
                }
            }
        }
        let mut links: Vec<Vec<(u32, LinkId)>> = vec![Vec::new(); members.len()];
        // Condition 2: (outside node, domain) → the one domain node it touches.
        let mut touch: HashMap<(u32, u32), u32> = HashMap::new();
        let mut isolated = true;
        let mut link_dom = vec![NONE; topo.links.len()];
        for (i, l) in topo.links.iter().enumerate() {
            let (a, b) = (dom_of[l.src.idx()], dom_of[l.dst.idx()]);
            if a == b && a != NONE {
                links[a as usize].push((local[l.src.idx()], LinkId(i as u32)));
                link_dom[i] = a;
                continue;
            }
            for (inside, d, outside) in [(l.src, a, l.dst), (l.dst, b, l.src)] {
                if d != NONE && *touch.entry((outside.0, d)).or_insert(inside.0) != inside.0 {
                    isolated = false;
                }
            }
        }
        let links: Vec<Vec<LinkId>> = links
            .into_iter()
            .map(|mut v| {
                v.sort_unstable();
                v.into_iter().map(|(_, l)| l).collect()
            })
            .collect();
        let id_order = links
            .iter()
            .map(|v| {
                let mut idx: Vec<u32> = (0..v.len() as u32).collect();
                idx.sort_unstable_by_key(|&i| v[i as usize]);
                idx
            })
            .collect();
        let mut domains = Domains {
            dom_of,
            local,
            nodes: members,
            accel_pos,
            accels,
            links,
            id_order,
            class: Vec::new(),
            isolated,
            link_dom,
        };
        let mut reps: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
        for d in 0..domains.nodes.len() {
            let key = (domains.nodes[d].len(), domains.links[d].len());
            let bucket = reps.entry(key).or_default();
            let class = match bucket
                .iter()
                .find(|&&r| domains.copies(topo, r as usize, d))
            {
                Some(&r) => r,
                None => {
                    bucket.push(d as u32);
                    d as u32
                }
            };
            domains.class.push(class);
        }
        domains
    }

    /// The accelerator of `src`'s domain at `dst`'s position among its own
    /// domain's accelerators (the rail-aligned peer of PXN, `pxn.rs`), if
    /// `src` and `dst` are accelerators of different domains and that peer
    /// exists and is not `src`.
    pub fn rail_peer(&self, src: NodeId, dst: NodeId) -> Option<NodeId> {
        let (ds, dd) = (self.dom_of[src.idx()], self.dom_of[dst.idx()]);
        let k = self.accel_pos[dst.idx()];
        if ds == NONE || dd == NONE || ds == dd || k == NONE {
            return None;
        }
        let via = *self.accels[ds as usize].get(k as usize)?;
        (via != src && self.accel_pos[src.idx()] != NONE).then_some(via)
    }

    /// Whether domain `b` is a copy of domain `a` (condition 1).
    fn copies(&self, topo: &Topology, a: usize, b: usize) -> bool {
        let same_node = |x: NodeId, y: NodeId| alike_nodes(topo, x, y);
        let same_link = |x: LinkId, y: LinkId| {
            let (p, q) = (&topo.links[x.idx()], &topo.links[y.idx()]);
            self.local[p.src.idx()] == self.local[q.src.idx()]
                && self.local[p.dst.idx()] == self.local[q.dst.idx()]
                && alike_links(topo, x, y)
        };
        self.nodes[a].len() == self.nodes[b].len()
            && self.links[a].len() == self.links[b].len()
            && self.nodes[a]
                .iter()
                .zip(&self.nodes[b])
                .all(|(&x, &y)| same_node(x, y))
            && self.links[a]
                .iter()
                .zip(&self.links[b])
                .all(|(&x, &y)| same_link(x, y))
            && self.id_order[a] == self.id_order[b]
    }

    /// Splits `groups` into the groups of one representative domain per
    /// kind of (domain class, groups through `φ`), or `None` when a group is
    /// not inside one domain, condition 2 fails or `mode` is hash.
    pub fn reduce(&self, groups: &[Vec<NodeId>], mode: RoutingMode) -> Option<Reduction> {
        if !self.isolated || mode == RoutingMode::Hash {
            return None;
        }
        // Groups by domain, domains in order of first appearance.
        let mut order: Vec<u32> = Vec::new();
        let mut of_domain: HashMap<u32, Vec<usize>> = HashMap::new();
        for (g, ranks) in groups.iter().enumerate() {
            let d = self.dom_of[ranks.first()?.idx()];
            if d == NONE || ranks.iter().any(|r| self.dom_of[r.idx()] != d) {
                return None;
            }
            of_domain
                .entry(d)
                .or_insert_with(|| {
                    order.push(d);
                    Vec::new()
                })
                .push(g);
        }
        type Signature = (u32, Vec<Vec<u32>>);
        let mut kinds: HashMap<Signature, usize> = HashMap::new();
        let mut r = Reduction {
            groups: Vec::new(),
            group_kind: Vec::new(),
            reps: Vec::new(),
            copies: Vec::new(),
        };
        for d in order {
            let gs = &of_domain[&d];
            let positions = gs
                .iter()
                .map(|&g| groups[g].iter().map(|x| self.local[x.idx()]).collect())
                .collect();
            let sig = (self.class[d as usize], positions);
            let next = r.reps.len();
            let k = *kinds.entry(sig).or_insert(next);
            if k == next {
                r.reps.push(self.links[d as usize].clone());
                r.copies.push(Vec::new());
                for &g in gs {
                    r.groups.push(groups[g].clone());
                    r.group_kind.push(k);
                }
            } else {
                r.copies[k].push(self.links[d as usize].clone());
            }
        }
        Some(r)
    }
}

/// The groups to simulate and how to expand their result (see
/// [`Domains::reduce`]).
pub struct Reduction {
    /// The groups of the representative domains.
    pub groups: Vec<Vec<NodeId>>,
    /// Per group of `groups`: the index of its domain kind.
    pub group_kind: Vec<usize>,
    /// Per kind: the representative domain's intra-domain links (canonical
    /// order).
    reps: Vec<Vec<LinkId>>,
    /// Per kind: the other domains of that kind, their links in the same
    /// canonical order.
    copies: Vec<Vec<Vec<LinkId>>>,
}

impl Reduction {
    /// How many domains each kind stands for.
    pub fn multiplicity(&self, kind: usize) -> f64 {
        (1 + self.copies[kind].len()) as f64
    }

    /// Whether nothing was reduced (every domain is its own kind).
    pub fn is_trivial(&self) -> bool {
        self.copies.iter().all(|c| c.is_empty())
    }

    /// Copies the representatives' per-link bytes onto their copies.
    pub fn expand_link_bytes(&self, link_bytes: &mut [f64]) {
        for (rep, copies) in self.reps.iter().zip(&self.copies) {
            for copy in copies {
                for (a, b) in rep.iter().zip(copy) {
                    link_bytes[b.idx()] = link_bytes[a.idx()];
                }
            }
        }
    }
}

impl Domains {
    /// The domain of `n`, if it is in one (of two nodes or more).
    pub(crate) fn domain_of(&self, n: NodeId) -> Option<u32> {
        Some(self.dom_of[n.idx()]).filter(|&d| d != NONE)
    }

    /// Position of accelerator `n` among its domain's accelerators (by
    /// node id), if it is in a domain.
    pub(crate) fn accel_position(&self, n: NodeId) -> Option<u32> {
        Some(self.accel_pos[n.idx()]).filter(|&k| k != NONE)
    }

    /// Position of `n` in its domain (by node id); meaningful when `n` is
    /// in a domain.
    pub(crate) fn position(&self, n: NodeId) -> u32 {
        self.local[n.idx()]
    }

    /// Number of domains.
    pub(crate) fn count(&self) -> usize {
        self.nodes.len()
    }

    /// The first domain `d` is a copy of (condition 1; `d` itself if none
    /// before it).
    pub(crate) fn class_of(&self, d: u32) -> u32 {
        self.class[d as usize]
    }

    /// Condition 2 of the module docs, for every domain.
    pub(crate) fn isolated(&self) -> bool {
        self.isolated
    }

    /// The domain both ends of link `l` are in, if any.
    pub(crate) fn link_domain(&self, l: u32) -> Option<u32> {
        Some(self.link_dom[l as usize]).filter(|&d| d != NONE)
    }

    /// Domain `d`'s intra-domain links in canonical order (by source
    /// position, then link id): a copy's `i`-th link is the image of its
    /// class representative's `i`-th.
    pub(crate) fn links_of(&self, d: u32) -> &[LinkId] {
        &self.links[d as usize]
    }

    /// Whether every transfer of `transfers` joins two nodes of one domain
    /// at most [`MAX_CONFINED_HOPS`] apart (condition 3).
    pub fn confined(
        &self,
        router: &mut Router<'_>,
        transfers: impl Iterator<Item = (NodeId, NodeId)>,
    ) -> Result<bool, CollectiveError> {
        for (a, b) in transfers {
            let d = self.dom_of[a.idx()];
            if d == NONE || self.dom_of[b.idx()] != d || router.hop_count(a, b)? > MAX_CONFINED_HOPS
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Whether two nodes have the same attributes (role, kind, forwarding
/// latency, forwarding, in-switch reduction): what a copy's node must
/// share with its original's.
pub(crate) fn alike_nodes(topo: &Topology, x: NodeId, y: NodeId) -> bool {
    let (x, y) = (&topo.nodes[x.idx()], &topo.nodes[y.idx()]);
    x.role == y.role
        && x.kind == y.kind
        && x.latency_s.to_bits() == y.latency_s.to_bits()
        && x.forwards == y.forwards
        && x.in_switch_reduction == y.in_switch_reduction
}

/// Whether two links have the same attributes (capacity, latency, kind,
/// lane count, tier), whatever their ends.
pub(crate) fn alike_links(topo: &Topology, x: LinkId, y: LinkId) -> bool {
    let (x, y) = (&topo.links[x.idx()], &topo.links[y.idx()]);
    x.capacity_bps.to_bits() == y.capacity_bps.to_bits()
        && x.latency_s.to_bits() == y.latency_s.to_bits()
        && x.kind == y.kind
        && x.count == y.count
        && x.tier == y.tier
}

#[cfg(test)]
mod tests {
    use super::*;
    fn parse_str(src: &str, path: &str) -> Result<Topology, fabricsim_topology::Diagnostics> {
        Topology::parse(src, path, &Default::default())
    }

    /// Three stars of two GPUs (`{d}g0`, `{d}g1` around switch `{d}s`,
    /// scale-up links of `bw[d]` GB/s), each GPU with its own NIC on one
    /// leaf; `extra` is appended.
    fn fabric(bw: [u32; 3], extra: &str) -> Topology {
        let mut toml = String::from("[[nodes]]\nid = \"leaf\"\nkind = \"switch\"\n");
        for (d, bw) in bw.iter().enumerate() {
            toml += &format!(
                r#"
[[nodes]]
id = "d{d}g[0..2]"
kind = "accelerator"
[[nodes]]
id = "d{d}s"
kind = "switch"
[[nodes]]
id = "d{d}n[0..2]"
kind = "nic"
[[links]]
between = ["d{d}g[0..2]", "d{d}s"]
kind = "custom"
tier = "scale-up"
bandwidth = "{bw} GB/s"
latency = "1 ns"
[[links]]
between = ["d{d}g0", "d{d}n0"]
kind = "custom"
bandwidth = "50 GB/s"
latency = "1 ns"
[[links]]
between = ["d{d}g1", "d{d}n1"]
kind = "custom"
bandwidth = "50 GB/s"
latency = "1 ns"
[[links]]
between = ["d{d}n[0..2]", "leaf"]
kind = "custom"
bandwidth = "50 GB/s"
latency = "1 ns"
"#
            );
        }
        toml += extra;
        parse_str(&toml, "domains.toml").unwrap()
    }

    fn groups(t: &Topology) -> Vec<Vec<NodeId>> {
        (0..3)
            .map(|d| {
                (0..2)
                    .map(|g| t.node_id(&format!("d{d}g{g}")).unwrap())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn copies_are_one_kind_and_a_different_domain_its_own() {
        let t = fabric([100, 100, 100], "");
        let r = Domains::new(&t)
            .reduce(&groups(&t), RoutingMode::Spray)
            .unwrap();
        assert_eq!((r.groups.len(), r.multiplicity(0)), (1, 3.0));
        let t = fabric([100, 100, 200], "");
        let r = Domains::new(&t)
            .reduce(&groups(&t), RoutingMode::Spray)
            .unwrap();
        assert_eq!(r.groups.len(), 2);
        assert_eq!((r.multiplicity(0), r.multiplicity(1)), (2.0, 1.0));
        // Hash routing depends on node ids: never reduced.
        assert!(
            Domains::new(&t)
                .reduce(&groups(&t), RoutingMode::Hash)
                .is_none()
        );
    }

    /// A node outside domain 0 linked to both of its GPUs would give a
    /// 2-hop path around the domain's switch: nothing is reduced.
    #[test]
    fn an_outside_node_touching_two_domain_nodes_disables_the_shortcut() {
        let bridge = "[[nodes]]\nid = \"x\"\nkind = \"switch\"\n[[links]]\nbetween = [\"d0g[0..2]\", \"x\"]\nkind = \"custom\"\nbandwidth = \"1 GB/s\"\nlatency = \"1 ns\"\n";
        let t = fabric([100, 100, 100], bridge);
        assert!(
            Domains::new(&t)
                .reduce(&groups(&t), RoutingMode::Spray)
                .is_none()
        );
    }

    /// Two domains of 2 GPUs fully linked to 2 switches, equal link by link
    /// from each node, but declared in another order: their links' global
    /// id order differs, so routes would list links in another order, and
    /// they are not copies.
    #[test]
    fn domains_with_links_in_another_order_are_not_copies() {
        let link = |a: &str, b: &str, tier: &str| {
            format!(
                "[[links]]\nbetween = [\"{a}\", \"{b}\"]\nkind = \"custom\"\ntier = \"{tier}\"\nbandwidth = \"100 GB/s\"\nlatency = \"1 ns\"\n"
            )
        };
        let mut toml = String::new();
        for d in ["a", "b"] {
            toml += &format!(
                "[[nodes]]\nid = \"{d}g[0..2]\"\nkind = \"accelerator\"\n[[nodes]]\nid = \"{d}s[0..2]\"\nkind = \"switch\"\n"
            );
        }
        let order = |d: &str, pairs: [(u32, u32); 4]| -> String {
            pairs
                .iter()
                .map(|(g, s)| link(&format!("{d}g{g}"), &format!("{d}s{s}"), "scale-up"))
                .collect()
        };
        toml += &order("a", [(0, 0), (1, 1), (0, 1), (1, 0)]);
        toml += &order("b", [(1, 1), (0, 0), (0, 1), (1, 0)]);
        toml += &link("as0", "bs0", "spine");
        let t = parse_str(&toml, "order.toml").unwrap();
        let g = |d: &str| {
            vec![
                t.node_id(&format!("{d}g0")).unwrap(),
                t.node_id(&format!("{d}g1")).unwrap(),
            ]
        };
        let r = Domains::new(&t)
            .reduce(&[g("a"), g("b")], RoutingMode::Spray)
            .unwrap();
        assert!(r.is_trivial());
        // Declared in the same order, they are copies.
        let same = toml.replace(
            &order("b", [(1, 1), (0, 0), (0, 1), (1, 0)]),
            &order("b", [(0, 0), (1, 1), (0, 1), (1, 0)]),
        );
        let t = parse_str(&same, "order.toml").unwrap();
        let g = |d: &str| {
            vec![
                t.node_id(&format!("{d}g0")).unwrap(),
                t.node_id(&format!("{d}g1")).unwrap(),
            ]
        };
        let r = Domains::new(&t)
            .reduce(&[g("a"), g("b")], RoutingMode::Spray)
            .unwrap();
        assert!(!r.is_trivial());
    }

    /// A group spanning two domains is not reduced.
    #[test]
    fn groups_across_domains_are_not_reduced() {
        let t = fabric([100, 100, 100], "");
        let g = groups(&t);
        let across = vec![vec![g[0][0], g[1][0]], vec![g[0][1], g[1][1]]];
        assert!(
            Domains::new(&t)
                .reduce(&across, RoutingMode::Spray)
                .is_none()
        );
    }
}
