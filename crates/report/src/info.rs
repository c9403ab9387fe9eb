//! Summary figures of a fabric: counts, diameter, injection and bisection
//! bandwidth (`fabricsim info`).
//!
//! [`Info::of`] computes everything from a [`Topology`]; [`Info`] serializes
//! to the JSON of `fabricsim info --json` and [`Info::render_table`] prints
//! it for humans (GB/s = 1e9 bytes/s, as nccl-tests). All maps are
//! `BTreeMap`s and all lists sorted, so output is deterministic.
//!
//! Conventions (each documented on its field):
//! - `links` counts *declared full-duplex links*: every file link (a bundle of
//!   `count` lanes) is two directed [`fabricsim_topology::Link`]s, so
//!   `links = directed_links / 2`.
//! - Paths pass only through forwarding nodes
//!   ([`fabricsim_topology::Node::forwards`]: switches and NICs, and accelerators
//!   or hosts only with `forwards = true`), as routing's shortest paths do:
//!   both the diameter's hop counts and the bisection's max flow obey this.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use serde::Serialize;

use fabricsim_topology::RoutingMode;
use fabricsim_topology::max_flow_between_until;
use fabricsim_topology::{FailureReport, NodeRole, Topology};

/// Up to this many accelerators, the diameter is exact (a BFS from each).
pub const EXACT_DIAMETER_MAX_ACCELERATORS: usize = 1024;

/// Above [`EXACT_DIAMETER_MAX_ACCELERATORS`], BFS runs from this many
/// accelerators spread evenly over the rank order (source `k` is rank
/// `⌊k·n/256⌋`) and the result is a lower bound, flagged `diameter_exact =
/// false`. On the symmetric fabrics the generators build (every domain and
/// rail alike) the sample contains an accelerator of every kind of position,
/// so the bound is the diameter.
pub const DIAMETER_SAMPLE: usize = 256;

/// Above this many directed links the bisection max-flow is skipped
/// (`bisection_bps = null`): 4 Mi.
pub const BISECTION_MAX_LINKS: usize = 4 * 1024 * 1024;

/// Injection bandwidth of one accelerator into one tier/kind of link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Injection {
    /// Tier label of the links, e.g. `scale-up`, `leaf`.
    pub tier: String,
    /// Link kind, e.g. `nvlink4`.
    pub kind: String,
    /// Smallest per-accelerator injection over all accelerators \[bytes/s\]
    /// (0 if some accelerator has none of these links).
    pub min_bps: f64,
    /// Largest per-accelerator injection \[bytes/s\].
    pub max_bps: f64,
}

/// Summary of a fabric. Field names are the JSON contract of `fabricsim info`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Info {
    /// Topology name.
    pub name: String,
    /// Default routing mode.
    pub routing: RoutingMode,
    /// Number of accelerators.
    pub accelerators: usize,
    /// Number of switches (scale-up and scale-out).
    pub switches: usize,
    /// Number of NICs.
    pub nics: usize,
    /// Number of hosts.
    pub hosts: usize,
    /// All nodes.
    pub nodes: usize,
    /// Declared full-duplex links (a bundle of lanes counts once) =
    /// `directed_links / 2`.
    pub links: usize,
    /// Directed links, as the flow model sees them.
    pub directed_links: usize,
    /// Full-duplex links per link kind.
    pub links_by_kind: BTreeMap<String, usize>,
    /// Lanes (the `count` of each link, summed) per link kind.
    pub lanes_by_kind: BTreeMap<String, u64>,
    /// Largest number of links on a shortest path between two accelerators
    /// (e.g. 2 for GPU → switch → GPU), through forwarding nodes only.
    pub diameter_hops: u32,
    /// Whether `diameter_hops` is exact or a lower bound from a sample (see
    /// [`DIAMETER_SAMPLE`]).
    pub diameter_exact: bool,
    /// Per-accelerator injection bandwidth per tier and kind, sorted.
    pub injection: Vec<Injection>,
    /// Bisection bandwidth estimate, one direction \[bytes/s\]: the maximum flow
    /// from the first half of the accelerators (rank order, `⌊n/2⌋`) to the
    /// rest, through every link at its full capacity, never through a
    /// non-forwarding node (a flow starts or ends there). `None` for fewer than
    /// two accelerators or more than [`BISECTION_MAX_LINKS`] links.
    pub bisection_bps: Option<f64>,
    /// How `bisection_bps` was computed, in words.
    pub bisection_method: String,
    /// Bisection of the switch fabric itself, one direction \[bytes/s\]:
    /// the maximum flow from the first half of the leaf switches (those
    /// cabled to a NIC, accelerator or host outside a scale-up domain, in
    /// node order) to the rest over switch-to-switch links only. Unlike
    /// `bisection_bps`, where ranks sharing a leaf or relaying over NVLink
    /// can hide the spine, it halves with 2:1 oversubscription. `None`
    /// without two leaves or above [`BISECTION_MAX_LINKS`] links.
    pub switch_bisection_bps: Option<f64>,
    /// Leaf switches `switch_bisection_bps` splits.
    pub leaves: usize,
    /// What failed (`[[failures]]`, `--fail`); every figure above is of the
    /// degraded fabric. Omitted from the JSON when nothing failed.
    #[serde(skip_serializing_if = "FailureReport::is_empty")]
    pub failures: FailureReport,
}

impl Info {
    /// Computes the summary.
    ///
    /// # Complexity
    /// Counts and injection: O(V + E). Diameter: O(s·(V + E)) with
    /// `s = min(accelerators, 1024)` sources (256 above). Bisection: Dinic's
    /// max-flow, O(V²E) worst case, fast on layered Clos graphs.
    ///
    /// # Example
    /// ```
    /// // gpu0 ─ sw ─ gpu1, one 25 GB/s lane each way.
    /// let t = fabricsim_topology::Topology::parse(r#"
    /// [[nodes]]
    /// id = "gpu[0..2]"
    /// kind = "accelerator"
    /// [[nodes]]
    /// id = "sw"
    /// kind = "switch"
    /// [[links]]
    /// between = ["gpu[0..2]", "sw"]
    /// kind = "nvlink4"
    /// "#, "tiny.toml", &Default::default()).unwrap();
    /// let info = fabricsim_report::info::Info::of(&t);
    /// assert_eq!((info.accelerators, info.links, info.diameter_hops), (2, 2, 2));
    /// assert_eq!(info.bisection_bps, Some(25e9));
    /// ```
    pub fn of(t: &Topology) -> Info {
        Info::until(t, &|| false).unwrap_or_else(|| unreachable!("never stopped"))
    }

    /// [`Info::of`], giving up (`None`) once `stop` returns true: the
    /// diameter and bisection searches ask it at every source and every
    /// 65,536 steps (`info --max-time`).
    pub fn until(t: &Topology, stop: &dyn Fn() -> bool) -> Option<Info> {
        let count = |r: NodeRole| t.nodes.iter().filter(|n| n.role == r).count();
        let mut links_by_kind: BTreeMap<String, usize> = BTreeMap::new();
        let mut lanes_by_kind: BTreeMap<String, u64> = BTreeMap::new();
        for l in &t.links {
            *links_by_kind.entry(l.kind.clone()).or_default() += 1;
            *lanes_by_kind.entry(l.kind.clone()).or_default() += u64::from(l.count);
        }
        // Each full-duplex link appears twice.
        links_by_kind.values_mut().for_each(|v| *v /= 2);
        lanes_by_kind.values_mut().for_each(|v| *v /= 2);
        let adj = Csr::new(t);
        let (diameter_hops, diameter_exact) = diameter(t, &adj, stop)?;
        let n = t.accelerators.len();
        let bisection_bps = if n >= 2 && t.links.len() <= BISECTION_MAX_LINKS {
            Some(bisection(t, stop)?)
        } else {
            None
        };
        let leaves = leaf_switches(t);
        let switch_bisection_bps = if leaves.len() >= 2 && t.links.len() <= BISECTION_MAX_LINKS {
            Some(switch_bisection(t, &leaves, stop)?)
        } else {
            None
        };
        Some(Info {
            name: t.name.clone(),
            routing: t.routing,
            accelerators: n,
            switches: count(NodeRole::Switch),
            nics: count(NodeRole::Nic),
            hosts: count(NodeRole::Host),
            nodes: t.nodes.len(),
            links: t.links.len() / 2,
            directed_links: t.links.len(),
            links_by_kind,
            lanes_by_kind,
            diameter_hops,
            diameter_exact,
            injection: injection(t),
            bisection_bps,
            bisection_method: format!(
                "max flow from the first {} to the last {} accelerators in rank order, links at full capacity",
                n / 2,
                n - n / 2
            ),
            switch_bisection_bps,
            leaves: leaves.len(),
            failures: t.failures.clone(),
        })
    }

    /// A human table; bandwidths in GB/s (1e9 bytes/s).
    pub fn render_table(&self) -> String {
        let gb = |x: f64| format!("{:.1} GB/s", x / 1e9);
        let mut s = String::new();
        let mode = match self.routing {
            RoutingMode::Spray => "spray",
            RoutingMode::Hash => "hash",
            RoutingMode::Weighted => "weighted",
        };
        let _ = writeln!(s, "{:<32}{}", "topology", self.name);
        let _ = writeln!(s, "{:<32}{}", "routing", mode);
        let _ = writeln!(s, "{:<32}{}", "accelerators", self.accelerators);
        let _ = writeln!(s, "{:<32}{}", "switches", self.switches);
        let _ = writeln!(s, "{:<32}{}", "nics", self.nics);
        if self.hosts > 0 {
            let _ = writeln!(s, "{:<32}{}", "hosts", self.hosts);
        }
        let _ = writeln!(
            s,
            "{:<32}{} full-duplex ({} directed)",
            "links", self.links, self.directed_links
        );
        for (k, n) in &self.links_by_kind {
            let lanes = self.lanes_by_kind.get(k).copied().unwrap_or(0);
            let _ = writeln!(s, "  {:<30}{n} links, {lanes} lanes", k);
        }
        let _ = writeln!(
            s,
            "{:<32}{} hops{}",
            "diameter",
            self.diameter_hops,
            if self.diameter_exact {
                ""
            } else {
                " (sampled lower bound)"
            }
        );
        let _ = writeln!(s, "injection per accelerator");
        for i in &self.injection {
            let label = format!("{} ({})", i.tier, i.kind);
            if i.min_bps == i.max_bps {
                let _ = writeln!(s, "  {:<30}{}", label, gb(i.min_bps));
            } else {
                let _ = writeln!(s, "  {:<30}{} to {}", label, gb(i.min_bps), gb(i.max_bps));
            }
        }
        match self.bisection_bps {
            Some(b) => {
                let _ = writeln!(s, "{:<32}{}", "bisection", gb(b));
                let _ = writeln!(s, "  ({})", self.bisection_method);
            }
            None => {
                let _ = writeln!(s, "{:<32}n/a", "bisection");
            }
        }
        if let Some(b) = self.switch_bisection_bps {
            let _ = writeln!(s, "{:<32}{}", "switch bisection", gb(b));
            if b == 0.0 {
                let _ = writeln!(
                    s,
                    "  (no switch path between the two halves of the leaves: their traffic must cross a scale-up domain)"
                );
            }
            let _ = writeln!(
                s,
                "  (max flow from the first {} to the last {} leaf switches over switch-to-switch links; halves with 2:1 oversubscription)",
                self.leaves / 2,
                self.leaves - self.leaves / 2
            );
        }
        render_failures(&mut s, &self.failures);
        s
    }
}

/// Most failed links listed by name in the table (all are in the JSON).
const FAILED_LINKS_SHOWN: usize = 16;

/// The failures section of the table: each entry, then the failed nodes and links.
fn render_failures(s: &mut String, f: &FailureReport) {
    if f.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "{:<32}{} nodes, {} links ({} lanes) failed; figures above are degraded",
        "failures",
        f.nodes.len(),
        f.links.len(),
        f.lanes
    );
    for e in &f.entries {
        let label = format!("{} ({})", e.spec, e.origin);
        let eligible = e
            .eligible_lanes
            .map(|n| format!(" of {n} eligible"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:<30}{} nodes, {} links, {} lanes{eligible}",
            label, e.nodes, e.links, e.lanes
        );
    }
    if !f.nodes.is_empty() {
        let _ = writeln!(s, "  failed nodes: {}", f.nodes.join(", "));
    }
    if !f.relays.is_empty() {
        let _ = writeln!(s, "  PXN relays: {}", f.relays.join(", "));
    }
    for l in f.links.iter().take(FAILED_LINKS_SHOWN) {
        let lanes = if l.failed_lanes == l.lanes {
            "down".to_string()
        } else {
            format!("{} of {} lanes down", l.failed_lanes, l.lanes)
        };
        let _ = writeln!(s, "  {} – {} ({}, {}): {lanes}", l.a, l.b, l.kind, l.tier);
    }
    if f.links.len() > FAILED_LINKS_SHOWN {
        let _ = writeln!(
            s,
            "  ... and {} more links (see --json)",
            f.links.len() - FAILED_LINKS_SHOWN
        );
    }
}

/// Out-neighbours in compressed sparse row form.
struct Csr {
    start: Vec<usize>,
    to: Vec<u32>,
}

impl Csr {
    fn new(t: &Topology) -> Csr {
        let n = t.nodes.len();
        let mut start = vec![0usize; n + 1];
        for l in &t.links {
            start[l.src.idx() + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut to = vec![0u32; t.links.len()];
        for l in &t.links {
            to[fill[l.src.idx()]] = l.dst.0;
            fill[l.src.idx()] += 1;
        }
        Csr { start, to }
    }

    fn out(&self, u: usize) -> &[u32] {
        &self.to[self.start[u]..self.start[u + 1]]
    }
}

/// Largest BFS distance between accelerators, and whether it is exact. The
/// BFS expands only the source and forwarding nodes (others are reached but
/// never passed through), as routing does.
fn diameter(t: &Topology, adj: &Csr, stop: &dyn Fn() -> bool) -> Option<(u32, bool)> {
    let n = t.accelerators.len();
    let exact = n <= EXACT_DIAMETER_MAX_ACCELERATORS;
    let sources: Vec<usize> = if exact {
        (0..n).collect()
    } else {
        (0..DIAMETER_SAMPLE)
            .map(|k| k * n / DIAMETER_SAMPLE)
            .collect()
    };
    let mut dist = vec![u32::MAX; t.nodes.len()];
    let mut queue = VecDeque::new();
    let mut best = 0;
    let mut pops: u64 = 0;
    for s in sources {
        if stop() {
            return None;
        }
        dist.iter_mut().for_each(|d| *d = u32::MAX);
        let src = t.accelerators[s].idx();
        dist[src] = 0;
        queue.push_back(src);
        while let Some(u) = queue.pop_front() {
            pops += 1;
            if pops.is_multiple_of(STOP_EVERY) && stop() {
                return None;
            }
            if u != src && !t.nodes[u].forwards {
                continue;
            }
            for &v in adj.out(u) {
                let v = v as usize;
                if dist[v] == u32::MAX {
                    dist[v] = dist[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        for a in &t.accelerators {
            let d = dist[a.idx()];
            if d != u32::MAX {
                best = best.max(d);
            }
        }
    }
    Some((best, exact))
}

/// Per-accelerator injection per (tier, kind).
///
/// A link from an accelerator to a switch, host or another accelerator counts
/// at its capacity under its own tier and kind. A link to a NIC counts under
/// the NIC's uplinks (its links to anything but an accelerator) at
/// `min(attachment capacity, NIC uplink capacity)`, split over the uplinks in
/// proportion to their capacity: the NIC's network port is what the
/// accelerator injects into.
fn injection(t: &Topology) -> Vec<Injection> {
    let mut out_links: Vec<Vec<usize>> = vec![Vec::new(); t.nodes.len()];
    for (i, l) in t.links.iter().enumerate() {
        out_links[l.src.idx()].push(i);
    }
    let mut per_acc: Vec<BTreeMap<(String, String), f64>> =
        Vec::with_capacity(t.accelerators.len());
    for a in &t.accelerators {
        let mut m: BTreeMap<(String, String), f64> = BTreeMap::new();
        for &li in &out_links[a.idx()] {
            let l = &t.links[li];
            let dst = &t.nodes[l.dst.idx()];
            let ups: Vec<usize> = if dst.role == NodeRole::Nic {
                out_links[l.dst.idx()]
                    .iter()
                    .copied()
                    .filter(|&u| t.nodes[t.links[u].dst.idx()].role != NodeRole::Accelerator)
                    .collect()
            } else {
                Vec::new()
            };
            let total: f64 = ups.iter().map(|&u| t.links[u].capacity_bps).sum();
            if ups.is_empty() || total <= 0.0 {
                *m.entry((l.tier.to_string(), l.kind.clone())).or_default() += l.capacity_bps;
            } else {
                let share = l.capacity_bps.min(total);
                for u in ups {
                    let ul = &t.links[u];
                    *m.entry((ul.tier.to_string(), ul.kind.clone())).or_default() +=
                        share * ul.capacity_bps / total;
                }
            }
        }
        per_acc.push(m);
    }
    let mut keys: Vec<(String, String)> = per_acc.iter().flat_map(|m| m.keys().cloned()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let vals = per_acc.iter().map(|m| m.get(&k).copied().unwrap_or(0.0));
            let min_bps = vals.clone().fold(f64::INFINITY, f64::min);
            let max_bps = vals.fold(0.0, f64::max);
            Injection {
                tier: k.0,
                kind: k.1,
                min_bps,
                max_bps,
            }
        })
        .collect()
}

/// Breadth-first steps between two questions to `stop`.
const STOP_EVERY: u64 = 1 << 16;

/// Leaf switches in node order: switches with a link, not of the
/// scale-up tier, to a node that is not a switch.
fn leaf_switches(t: &Topology) -> Vec<fabricsim_topology::NodeId> {
    let mut leaf = vec![false; t.nodes.len()];
    for l in &t.links {
        let (a, b) = (&t.nodes[l.src.idx()], &t.nodes[l.dst.idx()]);
        if l.tier != "scale-up" && a.role == NodeRole::Switch && b.role != NodeRole::Switch {
            leaf[l.src.idx()] = true;
        }
    }
    (0..t.nodes.len() as u32)
        .map(fabricsim_topology::NodeId)
        .filter(|v| leaf[v.idx()])
        .collect()
}

/// Max flow from the first half of `leaves` to the rest over
/// switch-to-switch links at full capacity (every other link closed).
fn switch_bisection(
    t: &Topology,
    leaves: &[fabricsim_topology::NodeId],
    stop: &dyn Fn() -> bool,
) -> Option<f64> {
    let sw = |v: fabricsim_topology::NodeId| t.nodes[v.idx()].role == NodeRole::Switch;
    let caps: Vec<f64> = t
        .links
        .iter()
        .map(|l| {
            if sw(l.src) && sw(l.dst) {
                l.capacity_bps
            } else {
                0.0
            }
        })
        .collect();
    let half = leaves.len() / 2;
    max_flow_between_until(t, &caps, &leaves[..half], &leaves[half..], stop)
}

/// Max flow from the first ⌊n/2⌋ accelerators to the rest (Dinic), links
/// at full capacity.
fn bisection(t: &Topology, stop: &dyn Fn() -> bool) -> Option<f64> {
    let caps: Vec<f64> = t.links.iter().map(|l| l.capacity_bps).collect();
    let half = t.accelerators.len() / 2;
    max_flow_between_until(
        t,
        &caps,
        &t.accelerators[..half],
        &t.accelerators[half..],
        stop,
    )
}
