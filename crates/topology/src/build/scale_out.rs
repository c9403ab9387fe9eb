//! The scale-out network: its plan, sized from the `[scale_out]` parameters
//! before anything is built (the Clos and dragonfly checks of rule 10, the
//! rail-only and `[dci]` block checks), and its generation per site (NICs,
//! every plane's switches, then the attachment, NIC-port and switch links).

use super::{Builder, Domain};
use crate::blocks::{DragonflyError, DragonflyParams, DragonflyPlan};
use crate::clos::{ClosError, ClosParams, ClosPlan, MAX_TIERS, TIER_NAMES};
use crate::failures::Groups;
use crate::spec::{FileSpec, LinkParams, NodeKind, ScaleOutShape, ScaleOutSpec};
use crate::{Node, NodeId, NodeRole};

/// The scale-out network of one site, sized before anything is built.
///
/// Counts per site, with `A` attached accelerators, `R` NICs each and `P`
/// planes: `A·R` NICs and `P` × [`ScaleOutPlan::switches_per_plane`]
/// switches; `A·R` accelerator–NIC links, `P·A·R` NIC ports (one per plane,
/// at `1/P` of the NIC rate) and `P` × [`ScaleOutPlan::switch_links_per_plane`]
/// switch links. A plane is one Clos ([`ClosPlan`]), or `N·R` of them for
/// rail-only (one per rail), or a dragonfly ([`DragonflyPlan`]). With `[dci]`
/// every site has the same plan, and `S(S−1)/2 · P ·`
/// [`ScaleOutPlan::top_per_plane`] long-haul links join them.
pub(super) struct ScaleOutPlan {
    /// Attached accelerators per site, `A`.
    pub(super) accelerators: u64,
    net: Net,
}

/// One plane of the scale-out network.
enum Net {
    /// `copies` identical Clos networks (the `N·R` rails of rail-only, else 1).
    Clos {
        plan: ClosPlan,
        copies: u64,
    },
    Dragonfly(DragonflyPlan),
}

impl ScaleOutPlan {
    /// Switches (or routers) of one plane.
    pub(super) fn switches_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.switches()),
            Net::Dragonfly(d) => d.routers(),
        }
    }

    /// Full-duplex switch-to-switch links of one plane.
    pub(super) fn switch_links_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.switch_links()),
            Net::Dragonfly(d) => d.local_links().saturating_add(d.global_links()),
        }
    }

    /// Top-tier switches of one plane, which `[dci]` joins across sites
    /// (every router of a dragonfly).
    pub(super) fn top_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.top_switches()),
            Net::Dragonfly(d) => d.routers(),
        }
    }

    /// One line of switch counts for messages.
    pub(super) fn describe(&self, planes: u64) -> String {
        let per = match &self.net {
            Net::Clos { plan, copies } => {
                let tiers: Vec<String> = (1..=plan.params.tiers)
                    .map(|i| {
                        let name = TIER_NAMES[i as usize - 1];
                        let plural = if name == "leaf" { "leaves" } else { "" };
                        let n = copies.saturating_mul(plan.switches_at(i));
                        if plural.is_empty() {
                            format!("{n} {name}s")
                        } else {
                            format!("{n} {plural}")
                        }
                    })
                    .collect();
                tiers.join(" + ")
            }
            Net::Dragonfly(d) => format!("{} routers", d.routers()),
        };
        if planes > 1 {
            format!("{planes} planes × ({per})")
        } else {
            per
        }
    }
}

fn explicit_accelerators(spec: &FileSpec) -> u128 {
    spec.nodes
        .iter()
        .filter(|n| matches!(n.kind, Some(NodeKind::Role(NodeRole::Accelerator))))
        .flat_map(|n| n.ids.iter())
        .map(|p| p.v.count())
        .fold(0u128, u128::saturating_add)
}

impl Builder<'_> {
    pub(super) fn plan_scale_out(&mut self, spec: &FileSpec) -> Option<ScaleOutPlan> {
        if let Some(dci) = &spec.dci
            && (spec.scale_up.is_none() || spec.scale_out.is_none())
            && !spec.nodes_incomplete
        {
            // INVARIANT: a site is the [scale_up] domains and the [scale_out] network.
            self.sink.error(
                dci.span.clone(),
                "[dci] replicates the cluster of [scale_up] and [scale_out] per site, but the file lacks one of them".to_string(),
                Some("add [scale_up] and [scale_out] blocks; explicit [[nodes]] are not replicated per site".to_string()),
            );
        }
        let so = spec.scale_out.as_ref()?;
        if so.shape == ScaleOutShape::RailOnly && spec.scale_up.is_none() {
            // INVARIANT: rail-only rails meet only inside scale-up domains.
            if !spec.nodes_incomplete {
                self.sink.error(
                    so.shape_span.clone(),
                    "topology = \"rail-only\" needs a [scale_up] block: rails are joined only through the scale-up domains".to_string(),
                    Some("add a [scale_up] block, or use topology = \"rail-optimized\" or \"fat-tree\"".to_string()),
                );
            }
            return None;
        }
        let r = so.nics_per_accelerator;
        let (accelerators, per_domain, domains) = match &spec.scale_up {
            Some(su) => (
                su.accelerators.saturating_mul(su.domains),
                su.accelerators,
                su.domains,
            ),
            None => {
                let a = u64::try_from(explicit_accelerators(spec)).unwrap_or(u64::MAX);
                (a, 1, a)
            }
        };
        if accelerators == 0 {
            if !spec.nodes_incomplete {
                self.sink.error(
                    so.span.clone(),
                    "[scale_out] has no accelerators to attach".to_string(),
                    Some("it attaches the accelerators of [scale_up], or else every [[nodes]] accelerator".to_string()),
                );
            }
            return None;
        }
        let nic_ports = accelerators.saturating_mul(r);
        let clos = |groups: u64, endpoints: u64| {
            ClosPlan::new(ClosParams {
                groups,
                endpoints_per_group: endpoints,
                radix: so.radix.unwrap_or(0),
                tiers: so.tiers,
                oversubscription: so.oversubscription,
            })
        };
        let net = match so.shape {
            ScaleOutShape::RailOptimized => clos(per_domain.saturating_mul(r), domains)
                .map(|plan| Net::Clos { plan, copies: 1 }),
            ScaleOutShape::FatTree => clos(1, nic_ports).map(|plan| Net::Clos { plan, copies: 1 }),
            ScaleOutShape::RailOnly => clos(1, domains).map(|plan| Net::Clos {
                plan,
                copies: per_domain.saturating_mul(r),
            }),
            ScaleOutShape::Dragonfly => {
                let df = so.dragonfly?;
                let params = DragonflyParams {
                    routers_per_group: df.routers_per_group,
                    terminals_per_router: df.terminals_per_router,
                    global_links_per_router: df.global_links_per_router,
                    groups: df.groups,
                    terminals: nic_ports,
                    radix: so.radix,
                };
                return match DragonflyPlan::new(params) {
                    Ok(d) => Some(ScaleOutPlan {
                        accelerators,
                        net: Net::Dragonfly(d),
                    }),
                    Err(e) => {
                        let help = match e {
                            DragonflyError::TooManyGroups { .. } => {
                                "raise global_links_per_router (h), routers_per_group (a) or terminals_per_router (p); Kim et al. balance a = 2p = 2h"
                            }
                            DragonflyError::TooFewTerminals { .. } => {
                                "raise groups, or leave it out to get as many as the NIC ports need"
                            }
                            DragonflyError::Radix { .. } => {
                                "use a larger switch_radix, or fewer terminals, routers per group or global links"
                            }
                        };
                        self.sink.error(
                            so.sizing_span.clone(),
                            e.to_string(),
                            Some(help.to_string()),
                        );
                        None
                    }
                };
            }
        };
        match net {
            Ok(net) => Some(ScaleOutPlan { accelerators, net }),
            Err(e) => {
                let help = match e {
                    ClosError::SingleSwitch { .. } => {
                        "use tiers = 2 or more, or a larger switch_radix".to_string()
                    }
                    ClosError::TooManyLeaves { .. } => {
                        "use tiers = 3, a larger switch_radix, or a higher oversubscription"
                            .to_string()
                    }
                    ClosError::TooManyPods { tiers, .. } if tiers < MAX_TIERS => {
                        format!("use tiers = {} or a larger switch_radix", tiers + 1)
                    }
                    ClosError::TooManyPods { .. } => "use a larger switch_radix".to_string(),
                    _ => "see docs/topology-format.md, \"[scale_out]\"".to_string(),
                };
                self.sink
                    .error(so.sizing_span.clone(), e.to_string(), Some(help));
                None
            }
        }
    }

    /// Builds the scale-out network of one site (NICs, then every plane's
    /// switches, then links) and returns its top-tier switches, plane by
    /// plane; `None` if an earlier error changed the node set.
    pub(super) fn scale_out(
        &mut self,
        spec: &FileSpec,
        so: &ScaleOutSpec,
        p: &ScaleOutPlan,
        domains: &[Domain],
        site: &str,
    ) -> Option<Vec<NodeId>> {
        let r = so.nics_per_accelerator;
        // (accelerator, rank among attached, domain index, local index).
        let attached: Vec<(NodeId, u64, u64, u64)> = if spec.scale_up.is_some() {
            domains
                .iter()
                .enumerate()
                .flat_map(|(d, dom)| {
                    dom.accelerators
                        .iter()
                        .enumerate()
                        .map(move |(i, g)| (*g, d as u64, i as u64))
                })
                .enumerate()
                .map(|(a, (g, d, i))| (g, a as u64, d, i))
                .collect()
        } else {
            self.nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.role == NodeRole::Accelerator)
                .enumerate()
                .map(|(a, (id, _))| (NodeId(id as u32), a as u64, a as u64, 0))
                .collect()
        };
        if attached.len() as u64 != p.accelerators {
            return None; // An earlier error (duplicates) changed the node set.
        }
        let span = so.span.clone();
        let nic_proto = Node {
            name: String::new(),
            role: NodeRole::Nic,
            kind: so.link.kind.to_string(),
            latency_s: 0.0,
            in_switch_reduction: false,
            forwards: NodeRole::Nic.forwards_by_default(),
        };
        // NICs first, in rank order: `<accelerator>.nic<n>`. For each: the
        // accelerator, the NIC, its copy (rail-only rail) and index in the copy.
        let mut nics = Vec::with_capacity(attached.len() * r as usize);
        for &(acc, a, d, i) in &attached {
            let names: Vec<String> = (0..r)
                .map(|n| format!("{}.nic{n}", self.nodes[acc.idx()].name))
                .collect();
            let ids = self.add_nodes(names, &nic_proto, &span);
            if ids.len() as u64 != r {
                return None;
            }
            // Rail of NIC `n` of local accelerator `i`: `n·N + i` (N per
            // domain), so the R NICs of one accelerator sit on R different
            // rails, N apart, and never share a leaf unless a leaf holds
            // more than N rails.
            let per_domain = domains
                .get(d as usize)
                .map_or(1, |dom| dom.accelerators.len() as u64);
            let rail_of = |n: u64| n * per_domain + i;
            for (n, nic) in ids.into_iter().enumerate() {
                let n = n as u64;
                let at = match (&p.net, so.shape, spec.scale_up.is_some()) {
                    (Net::Dragonfly(df), _, _) => (0, df.router_of(a * r + n)),
                    (Net::Clos { plan, .. }, ScaleOutShape::FatTree, _) => {
                        (0, plan.leaf_of(0, a * r + n))
                    }
                    (Net::Clos { plan, .. }, ScaleOutShape::RailOnly, _) => {
                        (rail_of(n), plan.leaf_of(0, d))
                    }
                    (Net::Clos { plan, .. }, _, true) => (0, plan.leaf_of(rail_of(n), d)),
                    (Net::Clos { plan, .. }, _, false) => (0, plan.leaf_of(n, a)),
                };
                if matches!(
                    so.shape,
                    ScaleOutShape::RailOptimized | ScaleOutShape::RailOnly
                ) {
                    let rail = if spec.scale_up.is_some() {
                        rail_of(n)
                    } else {
                        n
                    };
                    Groups::add(&mut self.groups.rails, rail, nic);
                }
                nics.push((acc, nic, at));
            }
        }
        let sw = Node {
            name: String::new(),
            role: NodeRole::Switch,
            kind: so.switch.kind.map_or(String::new(), |k| k.name.to_string()),
            latency_s: so.switch.latency_s,
            in_switch_reduction: so.switch.in_switch_reduction,
            forwards: NodeRole::Switch.forwards_by_default(),
        };
        // Per plane: per copy, the switches of each tier (tier 1 = leaves or
        // dragonfly routers).
        let mut planes: Vec<Vec<Vec<Vec<NodeId>>>> = Vec::with_capacity(so.planes as usize);
        for pl in 0..so.planes {
            let pp = if so.planes > 1 {
                format!("{site}p{pl}.")
            } else {
                site.to_string()
            };
            let mut copies = Vec::new();
            match &p.net {
                Net::Clos { plan, copies: c } => {
                    for copy in 0..*c {
                        let cp = if so.shape == ScaleOutShape::RailOnly {
                            format!("{pp}rail{copy}.")
                        } else {
                            pp.clone()
                        };
                        let mut tiers = Vec::new();
                        for i in 1..=plan.params.tiers {
                            let name = TIER_NAMES[i as usize - 1];
                            let want = plan.switches_at(i);
                            let ids = self.add_nodes(
                                (0..want).map(|x| format!("{cp}{name}{x}")).collect(),
                                &sw,
                                &span,
                            );
                            if ids.len() as u64 != want {
                                return None;
                            }
                            tiers.push(ids);
                        }
                        copies.push(tiers);
                    }
                }
                Net::Dragonfly(df) => {
                    let names = (0..df.routers())
                        .map(|x| format!("{pp}group{}.router{}", x / df.a, x % df.a))
                        .collect();
                    let ids = self.add_nodes(names, &sw, &span);
                    if ids.len() as u64 != df.routers() {
                        return None;
                    }
                    copies.push(vec![ids]);
                }
            }
            if so.planes > 1 {
                for &id in copies.iter().flatten().flatten() {
                    Groups::add(&mut self.groups.planes, pl, id);
                }
            }
            planes.push(copies);
        }
        let attach_link = so.nic_link.clone().unwrap_or_else(|| LinkParams {
            latency_s: 0.0,
            ..so.link.clone()
        });
        // Each NIC port runs at 1/P of the NIC's rate.
        let port = LinkParams {
            bandwidth_bps: so.link.bandwidth_bps / so.planes as f64,
            ..so.link.clone()
        };
        self.note_efficiency(&so.link);
        self.note_efficiency(&attach_link);
        for (acc, nic, (copy, first)) in nics {
            self.add_duplex(acc, nic, 1, &attach_link, "nic");
            for copies in &planes {
                let to = copies[copy as usize][0][first as usize];
                self.add_duplex(nic, to, 1, &port, TIER_NAMES[0]);
            }
        }
        let mut top = Vec::new();
        for copies in &planes {
            for tiers in copies {
                match &p.net {
                    Net::Clos { plan, .. } => {
                        for i in 2..=plan.params.tiers {
                            let (lo, up) = (&tiers[i as usize - 2], &tiers[i as usize - 1]);
                            let mut pairs = Vec::with_capacity(plan.links_at(i) as usize);
                            plan.for_each_link(i, |a, b, lanes| pairs.push((a, b, lanes)));
                            for (a, b, lanes) in pairs {
                                self.add_duplex(
                                    lo[a as usize],
                                    up[b as usize],
                                    lanes,
                                    &port,
                                    TIER_NAMES[i as usize - 1],
                                );
                            }
                        }
                    }
                    Net::Dragonfly(df) => {
                        let routers = &tiers[0];
                        for g in 0..df.g {
                            for x in 0..df.a {
                                for y in x + 1..df.a {
                                    let (rx, ry) = (g * df.a + x, g * df.a + y);
                                    self.add_duplex(
                                        routers[rx as usize],
                                        routers[ry as usize],
                                        1,
                                        &port,
                                        "local",
                                    );
                                }
                            }
                        }
                        let mut pairs = Vec::with_capacity(df.global_links() as usize);
                        df.for_each_global(|a, b| pairs.push((a, b)));
                        for (a, b) in pairs {
                            self.add_duplex(
                                routers[a as usize],
                                routers[b as usize],
                                1,
                                &port,
                                "global",
                            );
                        }
                    }
                }
                if let Some(t) = tiers.last() {
                    top.extend_from_slice(t);
                }
            }
        }
        Some(top)
    }
}
