//! From a topology file to a validated [`Topology`], reporting every problem.
//!
//! The rules, each with a negative test in `tests/it/topology.rs`:
//!
//! 1. The file is valid TOML (all syntax errors are reported, one per line).
//! 2. Every key is known (unknown keys get a "did you mean").
//! 3. Every value has the right type; counts are integers in their stated range.
//! 4. Quantities are strings with units (see [`crate::units`]); bandwidths are
//!    positive and finite, latencies non-negative and finite (zero latency is
//!    allowed: an ideal link or switch).
//! 5. Link and node kinds are known presets or families ("did you mean").
//! 6. A generic link kind (`ethernet`, `custom`, ...) gives its own
//!    `bandwidth` and `latency`.
//! 7. Node ids are well-formed patterns and unique.
//! 8. Links name declared nodes and never join a node to itself.
//! 9. Links of one kind share one `efficiency` (it is stored per kind).
//! 10. Block parameters are consistent (`links_per_switch` has one entry per
//!     switch; the Clos fits its radix and tiers; `routing` agrees).
//! 11. Sizes are within [`MAX_NODES`] and [`MAX_DIRECTED_LINKS`], computed
//!     from the block parameters and id ranges *before* anything is allocated.
//! 12. There is at least one accelerator, and every accelerator can reach
//!     every other one through forwarding nodes only (accelerators and hosts
//!     forward only with `forwards = true`, as in routing); checked only when
//!     everything else is valid, so an earlier error never causes a spurious
//!     connectivity error.
//!
//! Reference checks (rule 8) are skipped when a node declaration was itself
//! invalid, for the same reason.
//!
//! `[[failures]]` (and `--fail` flags) are applied last, to a valid fabric,
//! with their own rules F1–F5 (see `failures.rs`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use toml::de::DeTable;

use super::clos::{ClosParams, ClosPlan};
use super::diag::{Diagnostics, Sink, did_you_mean};
use super::failures::{self, FailureSpec, Groups};
use super::spec::{
    self, FileSpec, LinkParams, NodeKind, ScaleOutShape, ScaleOutSpec, ScaleUpSpec, Span,
};
use super::{Link, Node, NodeId, NodeRole, Topology};
use crate::routing::RoutingMode;

/// Most nodes a topology may have: 4 Mi = 4,194,304.
///
/// About 100 bytes per node (name, kind, graph entry), so at most ~0.4 GB.
pub const MAX_NODES: u64 = 4 * 1024 * 1024;

/// Most directed links a topology may have: 16 Mi = 16,777,216 (8 Mi
/// full-duplex links).
///
/// About 150 bytes per directed link (the [`Link`] with its kind and tier
/// strings, and the petgraph edge), so at most ~2.5 GB, well inside a 24 GB
/// machine. 16 Mi directed links is enough for ~200K accelerators with 18
/// scale-up lanes each plus a Clos.
pub const MAX_DIRECTED_LINKS: u64 = 16 * 1024 * 1024;

/// Reads and validates a topology file.
///
/// I/O errors are returned as a single diagnostic without position.
pub fn load_file(path: impl AsRef<Path>) -> Result<Topology, Diagnostics> {
    load_file_with_failures(path, &[])
}

/// [`load_file`], then fails `extra` as if appended to the file's
/// `[[failures]]` (the CLI's `--fail`; see [`super::failures`]).
pub fn load_file_with_failures(
    path: impl AsRef<Path>,
    extra: &[FailureSpec],
) -> Result<Topology, Diagnostics> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let src = std::fs::read_to_string(path)
        .map_err(|e| Diagnostics::without_position(&shown, format!("cannot read file: {e}")))?;
    parse_str_with_failures(&src, &shown, extra)
}

/// Parses and validates topology text; `path` is used in messages and, when
/// the file has no `name`, as the topology's name (its file stem).
pub fn parse_str(src: &str, path: &str) -> Result<Topology, Diagnostics> {
    parse_str_with_failures(src, path, &[])
}

/// [`parse_str`], then fails `extra` as if appended to the file's
/// `[[failures]]` (see [`super::failures`]).
pub fn parse_str_with_failures(
    src: &str,
    path: &str,
    extra: &[FailureSpec],
) -> Result<Topology, Diagnostics> {
    let mut sink = Sink::new(src, path);
    let (root, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        // One error per line: later errors on a line are usually cascades.
        let mut seen_lines = Vec::new();
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let line = sink.line_col(span.start).0;
            if !seen_lines.contains(&line) {
                seen_lines.push(line);
                sink.error(span, format!("invalid TOML: {}", e.message().trim()), None);
            }
        }
        return Err(sink
            .finish()
            .unwrap_or_else(|| Diagnostics { items: Vec::new() }));
    }
    let spec = spec::read_file(&mut sink, root.get_ref());
    let name = spec.name.clone().unwrap_or_else(|| {
        Path::new(path)
            .file_stem()
            .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
    });
    let mut b = Builder {
        sink,
        nodes: Vec::new(),
        decl: Vec::new(),
        index: HashMap::new(),
        links: Vec::new(),
        efficiency: BTreeMap::new(),
        groups: Groups::default(),
        unreachable_help: match (&spec.scale_up, &spec.scale_out) {
            (Some(su), None) if su.domains > 1 => {
                "scale-up domains are joined only by a [scale_out] block or explicit [[links]]"
            }
            _ => "add links that connect them to the rest of the fabric",
        },
    };
    let routing = b.routing(&spec);
    let plan = b.plan_scale_out(&spec);
    if b.check_sizes(&spec, plan.as_ref()) {
        b.build(&spec, plan.as_ref());
    }
    let Builder {
        mut sink,
        nodes,
        mut links,
        efficiency,
        index,
        groups,
        ..
    } = b;
    let failed = failures::apply(
        &mut sink,
        &spec.failures,
        extra,
        &nodes,
        &index,
        &groups,
        &mut links,
    );
    if let Some(d) = sink.finish() {
        return Err(d);
    }
    let mut topo = Topology::from_parts(name, nodes, links);
    topo.failures = failed;
    topo.routing = routing;
    topo.link_efficiency = efficiency.into_iter().map(|(k, (e, _))| (k, e)).collect();
    Ok(topo)
}

/// Accelerators attached by `[scale_out]`, and how they map to Clos groups.
struct Attach {
    /// Number of attached accelerators `A`.
    accelerators: u64,
    params: ClosParams,
}

struct Builder<'s> {
    sink: Sink<'s>,
    nodes: Vec<Node>,
    /// Declaration span of each node, for messages about it.
    decl: Vec<Span>,
    index: HashMap<String, NodeId>,
    links: Vec<Link>,
    /// Efficiency per link kind and where it was set.
    efficiency: BTreeMap<String, (f64, Span)>,
    /// Help line for the connectivity error.
    unreachable_help: &'static str,
    /// The nodes of each rail (and plane), for `[[failures]]`.
    groups: Groups,
}

fn explicit_accelerators(spec: &FileSpec) -> u128 {
    spec.nodes
        .iter()
        .filter(|n| matches!(n.kind, Some(NodeKind::Role(NodeRole::Accelerator))))
        .flat_map(|n| n.ids.iter())
        .map(|p| p.v.count())
        .fold(0u128, u128::saturating_add)
}

fn attach(spec: &FileSpec, so: &ScaleOutSpec) -> Attach {
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
    let (groups, endpoints_per_group) = match so.shape {
        ScaleOutShape::RailOptimized => (per_domain.saturating_mul(r), domains),
        ScaleOutShape::FatTree => (1, accelerators.saturating_mul(r)),
    };
    Attach {
        accelerators,
        params: ClosParams {
            groups,
            endpoints_per_group,
            radix: so.radix,
            tiers: so.tiers,
            oversubscription: so.oversubscription,
        },
    }
}

impl Builder<'_> {
    /// The default routing mode: top-level `routing`, else `[scale_out]`'s,
    /// else spray. Both given and different is an error.
    fn routing(&mut self, spec: &FileSpec) -> RoutingMode {
        let so = spec.scale_out.as_ref().and_then(|s| s.routing.as_ref());
        match (&spec.routing, so) {
            (Some(top), Some(so)) if top.v != so.v => {
                self.sink.error(
                    so.span.clone(),
                    format!(
                        "[scale_out] routing = \"{}\" conflicts with the top-level routing = \"{}\"",
                        mode_name(so.v),
                        mode_name(top.v)
                    ),
                    Some("give the routing mode once".to_string()),
                );
                top.v
            }
            (Some(top), _) => top.v,
            (None, Some(so)) => so.v,
            (None, None) => RoutingMode::default(),
        }
    }

    fn plan_scale_out(&mut self, spec: &FileSpec) -> Option<(Attach, ClosPlan)> {
        let so = spec.scale_out.as_ref()?;
        let at = attach(spec, so);
        if at.accelerators == 0 {
            if !spec.nodes_incomplete {
                self.sink.error(
                    so.span.clone(),
                    "[scale_out] has no accelerators to attach".to_string(),
                    Some("it attaches the accelerators of [scale_up], or else every [[nodes]] accelerator".to_string()),
                );
            }
            return None;
        }
        match ClosPlan::new(at.params) {
            Ok(p) => Some((at, p)),
            Err(e) => {
                let help = match e {
                    super::clos::ClosError::TooManyLeaves { .. } => {
                        "use tiers = 3, a larger switch_radix, or a higher oversubscription"
                    }
                    super::clos::ClosError::TooManyPods { .. } => "use a larger switch_radix",
                    _ => "see docs/topology-format.md, \"[scale_out]\"",
                };
                self.sink.error(
                    so.sizing_span.clone(),
                    e.to_string(),
                    Some(help.to_string()),
                );
                None
            }
        }
    }

    /// Rule 11: counts nodes and directed links from the parameters, before
    /// allocating anything. Returns whether building may proceed.
    fn check_sizes(&mut self, spec: &FileSpec, plan: Option<&(Attach, ClosPlan)>) -> bool {
        // (span, what, nodes, directed links)
        let mut parts: Vec<(Span, String, u128, u128)> = Vec::new();
        for n in &spec.nodes {
            let c = n
                .ids
                .iter()
                .map(|p| p.v.count())
                .fold(0u128, u128::saturating_add);
            parts.push((n.span.clone(), "this [[nodes]] entry".to_string(), c, 0));
        }
        for l in &spec.links {
            let a =
                l.a.iter()
                    .map(|p| p.v.count())
                    .fold(0u128, u128::saturating_add);
            let b =
                l.b.iter()
                    .map(|p| p.v.count())
                    .fold(0u128, u128::saturating_add);
            let d = a.saturating_mul(b).saturating_mul(2);
            parts.push((
                l.span.clone(),
                format!("this [[links]] entry ({a} × {b} pairs)"),
                0,
                d,
            ));
        }
        if let Some(su) = &spec.scale_up {
            let (n, s, dm) = (
                u128::from(su.accelerators),
                u128::from(su.switches),
                u128::from(su.domains),
            );
            let connected = u128::from(su.links_per_switch.connected(su.switches));
            parts.push((
                su.span.clone(),
                format!("[scale_up]: domains × (accelerators + switches) = {dm} × ({n} + {s})"),
                dm.saturating_mul(n + s),
                dm.saturating_mul(n)
                    .saturating_mul(connected)
                    .saturating_mul(2),
            ));
        }
        if let Some((at, p)) = plan
            && let Some(so) = &spec.scale_out
        {
            let nics =
                u128::from(at.accelerators).saturating_mul(u128::from(so.nics_per_accelerator));
            parts.push((
                so.span.clone(),
                format!(
                    "[scale_out]: {nics} NICs + {} leaves + {} spines + {} cores",
                    p.leaves, p.spines, p.cores
                ),
                nics.saturating_add(u128::from(p.switches())),
                nics.saturating_mul(4)
                    .saturating_add(u128::from(p.switch_links()).saturating_mul(2)),
            ));
        }
        let nodes: u128 = parts.iter().map(|p| p.2).fold(0, u128::saturating_add);
        let links: u128 = parts.iter().map(|p| p.3).fold(0, u128::saturating_add);
        let mut ok = true;
        if nodes > u128::from(MAX_NODES) {
            let big = parts
                .iter()
                .max_by_key(|p| p.2)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!("the topology would have {nodes} nodes, more than the limit of {MAX_NODES} (4 Mi)"),
                    Some(format!("most of them come from {what}")),
                );
            }
            ok = false;
        }
        // Report the link limit only when the node limit holds: one cause, one message.
        if ok && links > u128::from(MAX_DIRECTED_LINKS) {
            let big = parts
                .iter()
                .max_by_key(|p| p.3)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!(
                        "the topology would have {links} directed links, more than the limit of {MAX_DIRECTED_LINKS} (16 Mi)"
                    ),
                    Some(format!(
                        "each full-duplex link is two directed links; most of them come from {what}"
                    )),
                );
            }
            ok = false;
        }
        ok
    }

    fn add_node(&mut self, node: Node, span: &Span) -> Result<NodeId, NodeId> {
        if let Some(&id) = self.index.get(&node.name) {
            return Err(id);
        }
        let id = NodeId(self.nodes.len() as u32);
        self.index.insert(node.name.clone(), id);
        self.nodes.push(node);
        self.decl.push(span.clone());
        Ok(id)
    }

    /// Adds nodes named `names`, reporting duplicates once per call at `span`.
    fn add_nodes(&mut self, names: Vec<String>, proto: &Node, span: &Span) -> Vec<NodeId> {
        let mut ids = Vec::with_capacity(names.len());
        let mut dups: Vec<(String, NodeId)> = Vec::new();
        for name in names {
            let node = Node {
                name: name.clone(),
                ..proto.clone()
            };
            match self.add_node(node, span) {
                Ok(id) => ids.push(id),
                Err(prev) => dups.push((name, prev)),
            }
        }
        if let Some((first, prev)) = dups.first() {
            let (line, col) = self.sink.line_col(self.decl[prev.idx()].start);
            let more = match dups.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            self.sink.error(
                span.clone(),
                format!("duplicate node id \"{first}\"{more}"),
                Some(format!(
                    "\"{first}\" is first declared at line {line}, column {col}"
                )),
            );
        }
        ids
    }

    fn note_efficiency(&mut self, p: &LinkParams) {
        match self.efficiency.get(p.kind) {
            Some((e, first)) if (e - p.efficiency).abs() > 1e-12 => {
                let (line, col) = self.sink.line_col(first.start);
                let e = *e;
                self.sink.error(
                    p.efficiency_span.clone(),
                    format!(
                        "links of kind \"{}\" have efficiency {} here but {} at line {line}, column {col}",
                        p.kind,
                        short(p.efficiency),
                        short(e)
                    ),
                    Some("efficiency is stored per link kind; use a generic kind such as \"custom\" for the different links".to_string()),
                );
            }
            Some(_) => {}
            None => {
                self.efficiency.insert(
                    p.kind.to_string(),
                    (p.efficiency, p.efficiency_span.clone()),
                );
            }
        }
    }

    /// Adds a full-duplex link as two directed links (`a → b` first).
    fn add_duplex(&mut self, a: NodeId, b: NodeId, lanes: u64, p: &LinkParams, tier: &str) {
        for (src, dst) in [(a, b), (b, a)] {
            self.links.push(Link {
                src,
                dst,
                capacity_bps: lanes as f64 * p.bandwidth_bps,
                latency_s: p.latency_s,
                kind: p.kind.to_string(),
                count: lanes as u32,
                tier: tier.to_string(),
            });
        }
    }

    fn build(&mut self, spec: &FileSpec, plan: Option<&(Attach, ClosPlan)>) {
        // Nodes in file order: [[nodes]] entries and [scale_up] by position.
        enum Item<'a> {
            Nodes(&'a spec::NodeSpec),
            ScaleUp(&'a ScaleUpSpec),
        }
        let mut items: Vec<(usize, Item<'_>)> = spec
            .nodes
            .iter()
            .map(|n| (n.span.start, Item::Nodes(n)))
            .collect();
        if let Some(su) = &spec.scale_up {
            items.push((su.span.start, Item::ScaleUp(su)));
        }
        items.sort_by_key(|(pos, _)| *pos);
        let mut scale_up_ids: Vec<Vec<(NodeId, Vec<NodeId>)>> = Vec::new();
        for (_, item) in &items {
            match item {
                Item::Nodes(n) => {
                    let proto = explicit_node(n);
                    for p in &n.ids {
                        self.add_nodes(p.v.expand(), &proto, &p.span);
                    }
                }
                Item::ScaleUp(su) => scale_up_ids = self.scale_up_nodes(su),
            }
        }

        for l in &spec.links {
            self.explicit_link(l, spec.nodes_incomplete);
        }
        if let Some(su) = &spec.scale_up {
            self.note_efficiency(&su.link);
            for domain in &scale_up_ids {
                for (gpu, switches) in domain {
                    for (s, &sw) in switches.iter().enumerate() {
                        let lanes = su.links_per_switch.to_switch(s);
                        if lanes > 0 {
                            self.add_duplex(*gpu, sw, lanes, &su.link, "scale-up");
                        }
                    }
                }
            }
        }
        if let (Some(so), Some((at, p))) = (&spec.scale_out, plan) {
            self.scale_out(spec, so, at, p, &scale_up_ids);
        }
        if !self.sink.has_errors() {
            self.check_connectivity();
        }
    }

    /// Generates `d{d}.gpu{i}` and `d{d}.sw{s}` for every domain; returns,
    /// per domain, each accelerator with the domain's switches.
    fn scale_up_nodes(&mut self, su: &ScaleUpSpec) -> Vec<Vec<(NodeId, Vec<NodeId>)>> {
        let acc = Node {
            name: String::new(),
            role: NodeRole::Accelerator,
            kind: String::new(),
            latency_s: 0.0,
            in_switch_reduction: false,
            forwards: NodeRole::Accelerator.forwards_by_default(),
        };
        let sw = Node {
            name: String::new(),
            role: NodeRole::Switch,
            kind: su.switch.kind.map_or(String::new(), |k| k.name.to_string()),
            latency_s: su.switch.latency_s,
            in_switch_reduction: su.switch.in_switch_reduction,
            forwards: NodeRole::Switch.forwards_by_default(),
        };
        let mut out = Vec::with_capacity(su.domains as usize);
        for d in 0..su.domains {
            let gpus = self.add_nodes(
                (0..su.accelerators)
                    .map(|i| format!("d{d}.gpu{i}"))
                    .collect(),
                &acc,
                &su.span,
            );
            let sws = self.add_nodes(
                (0..su.switches).map(|s| format!("d{d}.sw{s}")).collect(),
                &sw,
                &su.span,
            );
            if gpus.len() as u64 == su.accelerators && sws.len() as u64 == su.switches {
                out.push(gpus.into_iter().map(|g| (g, sws.clone())).collect());
            }
        }
        out
    }

    fn resolve(&mut self, pats: &[spec::Sp<super::pattern::Pattern>]) -> Option<Vec<NodeId>> {
        let mut ids = Vec::new();
        let mut ok = true;
        for p in pats {
            let names = p.v.expand();
            let mut unknown: Vec<String> = Vec::new();
            for n in &names {
                match self.index.get(n) {
                    Some(&id) => ids.push(id),
                    None => unknown.push(n.clone()),
                }
            }
            if unknown.is_empty() {
                continue;
            }
            ok = false;
            let (msg, help) = if names.len() == 1 {
                let u = &unknown[0];
                let sugg = if self.index.len() <= 100_000 {
                    numbered_range(u, self.index.keys()).or_else(|| {
                        let mut cands: Vec<&str> = self.index.keys().map(String::as_str).collect();
                        cands.sort_unstable();
                        did_you_mean(u, cands.into_iter()).map(|c| format!("did you mean \"{c}\"?"))
                    })
                } else {
                    None
                };
                (
                    format!("link endpoint \"{u}\" is not a declared node"),
                    sugg.unwrap_or_else(|| "declare it in [[nodes]] or check the names generated by [scale_up]/[scale_out]".to_string()),
                )
            } else {
                let shown: Vec<&str> = unknown.iter().take(3).map(String::as_str).collect();
                (
                    format!(
                        "{} of the {} nodes named by this endpoint {} not declared: {}{}",
                        unknown.len(),
                        names.len(),
                        if unknown.len() == 1 { "is" } else { "are" },
                        shown.join(", "),
                        if unknown.len() > 3 { ", ..." } else { "" }
                    ),
                    "ranges are half-open: \"gpu[0..8]\" is gpu0 to gpu7".to_string(),
                )
            };
            self.sink.error(p.span.clone(), msg, Some(help));
        }
        ok.then_some(ids)
    }

    fn explicit_link(&mut self, l: &spec::LinkSpec, nodes_incomplete: bool) {
        if nodes_incomplete {
            return;
        }
        let a = self.resolve(&l.a);
        let b = self.resolve(&l.b);
        let (Some(a), Some(b), Some(p)) = (a, b, &l.params) else {
            return;
        };
        if !(f64::from(l.count) * p.bandwidth_bps).is_finite() {
            self.sink.error(
                l.span.clone(),
                "link capacity count × bandwidth is not a finite number".to_string(),
                None,
            );
            return;
        }
        self.note_efficiency(p);
        let tier = l.tier.clone().unwrap_or_else(|| p.default_tier.to_string());
        let mut self_link = None;
        for &x in &a {
            for &y in &b {
                if x == y {
                    self_link.get_or_insert(x);
                } else {
                    self.add_duplex(x, y, u64::from(l.count), p, &tier);
                }
            }
        }
        if let Some(x) = self_link {
            self.sink.error(
                l.between_span.clone(),
                format!("link joins node \"{}\" to itself", self.nodes[x.idx()].name),
                Some("the two endpoint groups of \"between\" must not share a node".to_string()),
            );
        }
    }

    fn scale_out(
        &mut self,
        spec: &FileSpec,
        so: &ScaleOutSpec,
        at: &Attach,
        p: &ClosPlan,
        scale_up_ids: &[Vec<(NodeId, Vec<NodeId>)>],
    ) {
        let r = so.nics_per_accelerator;
        // (accelerator, rank among attached, domain index, local index).
        let attached: Vec<(NodeId, u64, u64, u64)> = if spec.scale_up.is_some() {
            scale_up_ids
                .iter()
                .enumerate()
                .flat_map(|(d, dom)| {
                    dom.iter()
                        .enumerate()
                        .map(move |(i, (g, _))| (*g, d as u64, i as u64))
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
        if attached.len() as u64 != at.accelerators {
            return; // An earlier error (duplicates) changed the node set.
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
        // NICs first, in rank order: `<accelerator>.nic<n>`.
        let mut nics = Vec::with_capacity(attached.len() * r as usize);
        for &(acc, a, d, i) in &attached {
            let names: Vec<String> = (0..r)
                .map(|n| format!("{}.nic{n}", self.nodes[acc.idx()].name))
                .collect();
            let ids = self.add_nodes(names, &nic_proto, &span);
            if ids.len() as u64 != r {
                return;
            }
            for (n, nic) in ids.into_iter().enumerate() {
                let n = n as u64;
                let (group, j) = match (so.shape, spec.scale_up.is_some()) {
                    (ScaleOutShape::FatTree, _) => (0, a * r + n),
                    (ScaleOutShape::RailOptimized, true) => (i * r + n, d),
                    (ScaleOutShape::RailOptimized, false) => (n, a),
                };
                if so.shape == ScaleOutShape::RailOptimized {
                    Groups::add(&mut self.groups.rails, group, nic);
                }
                nics.push((acc, nic, p.leaf_of(group, j)));
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
        let leaves = self.add_nodes(
            (0..p.leaves).map(|l| format!("leaf{l}")).collect(),
            &sw,
            &span,
        );
        let spines = self.add_nodes(
            (0..p.spines).map(|s| format!("spine{s}")).collect(),
            &sw,
            &span,
        );
        let cores = self.add_nodes(
            (0..p.cores).map(|c| format!("core{c}")).collect(),
            &sw,
            &span,
        );
        if leaves.len() as u64 != p.leaves
            || spines.len() as u64 != p.spines
            || cores.len() as u64 != p.cores
        {
            return;
        }
        let attach_link = so.nic_link.clone().unwrap_or_else(|| LinkParams {
            latency_s: 0.0,
            ..so.link.clone()
        });
        self.note_efficiency(&so.link);
        self.note_efficiency(&attach_link);
        for (acc, nic, leaf) in nics {
            self.add_duplex(acc, nic, 1, &attach_link, "nic");
            self.add_duplex(nic, leaves[leaf as usize], 1, &so.link, "leaf");
        }
        for (l, &leaf) in leaves.iter().enumerate() {
            let pod = p.pod_of_leaf(l as u64);
            for j in 0..p.spines_per_pod {
                let spine = spines[(pod * p.spines_per_pod + j) as usize];
                self.add_duplex(leaf, spine, p.leaf_spine_lanes, &so.link, "spine");
            }
        }
        for (c, &core) in cores.iter().enumerate() {
            let plane = c as u64 / p.cores_per_plane.max(1);
            for pod in 0..p.pods {
                let spine = spines[(pod * p.spines_per_pod + plane) as usize];
                self.add_duplex(spine, core, p.spine_core_lanes, &so.link, "core");
            }
        }
    }

    /// Rule 12: at least one accelerator, and every accelerator reaches every
    /// other along a path whose intermediate nodes all forward
    /// ([`Node::forwards`]), as routing requires.
    ///
    /// Reachability is symmetric (links are full duplex, and a reversed path
    /// has the same intermediates) but not transitive: `a – g – b` with a
    /// non-forwarding `g` joins `a` and `g`, `g` and `b`, not `a` and `b`. So:
    /// the forwarding nodes are grouped into connected components; two
    /// accelerators reach each other iff they are directly linked or both
    /// touch (are in, or are linked to) a common component. If one component
    /// touches every accelerator (any switched fabric) that settles it in
    /// O(V + E); otherwise every accelerator's reach is counted, in
    /// O(V + E + Σ_C touching(C)²).
    fn check_connectivity(&mut self) {
        let accs: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].role == NodeRole::Accelerator)
            .collect();
        if accs.is_empty() {
            self.sink.error(
                0..0,
                "the topology has no accelerators".to_string(),
                Some(
                    "declare [[nodes]] with kind = \"accelerator\", or add a [scale_up] block"
                        .to_string(),
                ),
            );
            return;
        }
        let n = self.nodes.len();
        let mut start = vec![0u32; n + 1];
        for l in &self.links {
            start[l.src.idx() + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; self.links.len()];
        for l in &self.links {
            adj[fill[l.src.idx()] as usize] = l.dst.0;
            fill[l.src.idx()] += 1;
        }
        let out = |u: usize| {
            adj[start[u] as usize..start[u + 1] as usize]
                .iter()
                .map(|&v| v as usize)
        };
        let fwd: Vec<bool> = self.nodes.iter().map(|x| x.forwards).collect();

        // Connected components of the forwarding nodes.
        const NO: u32 = u32::MAX;
        let mut comp = vec![NO; n];
        let mut comps = 0u32;
        let mut stack = Vec::new();
        for s in (0..n).filter(|&s| fwd[s]) {
            if comp[s] != NO {
                continue;
            }
            comp[s] = comps;
            stack.push(s);
            while let Some(u) = stack.pop() {
                for v in out(u) {
                    if fwd[v] && comp[v] == NO {
                        comp[v] = comps;
                        stack.push(v);
                    }
                }
            }
            comps += 1;
        }
        // Components each accelerator touches (sorted, deduplicated), and the
        // number of accelerators each component touches.
        let touches: Vec<Vec<u32>> = accs
            .iter()
            .map(|&a| {
                let mut cs: Vec<u32> = if fwd[a] {
                    vec![comp[a]]
                } else {
                    out(a).filter(|&v| fwd[v]).map(|v| comp[v]).collect()
                };
                cs.sort_unstable();
                cs.dedup();
                cs
            })
            .collect();
        let mut touched_by = vec![0usize; comps as usize];
        for cs in &touches {
            for &c in cs {
                touched_by[c as usize] += 1;
            }
        }
        if touched_by.contains(&accs.len()) {
            return;
        }
        // No hub: count what each accelerator reaches, stop at the first gap.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); comps as usize];
        for (r, cs) in touches.iter().enumerate() {
            for &c in cs {
                members[c as usize].push(r);
            }
        }
        let mut rank = vec![usize::MAX; n];
        for (r, &a) in accs.iter().enumerate() {
            rank[a] = r;
        }
        let mut seen = vec![usize::MAX; accs.len()];
        for (x, cs) in touches.iter().enumerate() {
            seen[x] = x;
            for &c in cs {
                for &y in &members[c as usize] {
                    seen[y] = x;
                }
            }
            for v in out(accs[x]) {
                if rank[v] != usize::MAX {
                    seen[rank[v]] = x;
                }
            }
            let unreachable: Vec<usize> = (0..accs.len())
                .filter(|&y| seen[y] != x)
                .map(|y| accs[y])
                .collect();
            if !unreachable.is_empty() {
                self.report_unreachable(accs[x], &unreachable, accs.len(), &adj, &start);
                return;
            }
        }
    }

    /// Reports that the accelerators `unreachable` (sorted) cannot reach
    /// `from`. If the first of them could when every node forwarded, the help
    /// names a non-forwarding node on such a path and `forwards = true`.
    fn report_unreachable(
        &mut self,
        from: usize,
        unreachable: &[usize],
        total: usize,
        adj: &[u32],
        start: &[u32],
    ) {
        let u = unreachable[0];
        let names: Vec<&str> = unreachable
            .iter()
            .take(5)
            .map(|&i| self.nodes[i].name.as_str())
            .collect();
        let more = if unreachable.len() > 5 { ", ..." } else { "" };
        let message = format!(
            "accelerator \"{}\" cannot reach \"{}\": {} of {} accelerators are unreachable ({}{more})",
            self.nodes[u].name,
            self.nodes[from].name,
            unreachable.len(),
            total,
            names.join(", ")
        );
        // BFS from `from` through every node; walk back from `u` to the
        // non-forwarding node nearest `from`.
        let mut parent = vec![u32::MAX; self.nodes.len()];
        parent[from] = from as u32;
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[start[x] as usize..start[x + 1] as usize] {
                if parent[y as usize] == u32::MAX {
                    parent[y as usize] = x as u32;
                    queue.push_back(y as usize);
                }
            }
        }
        let help = if parent[u] == u32::MAX {
            self.unreachable_help.to_string()
        } else {
            let mut blocker = None;
            let mut x = parent[u] as usize;
            while x != from {
                if !self.nodes[x].forwards {
                    blocker = Some(x);
                }
                x = parent[x] as usize;
            }
            let b = blocker.expect("an all-forwarding path would have been found");
            let what = match self.nodes[b].role {
                NodeRole::Accelerator => "accelerators",
                NodeRole::Host => "hosts",
                NodeRole::Switch | NodeRole::Nic => "nodes with forwards = false",
            };
            format!(
                "a path from \"{}\" to \"{}\" passes through \"{}\", but {what} do not forward traffic unless `forwards = true`: \
                 set forwards = true on the [[nodes]] that relay traffic (e.g. a torus of chips), or connect them through a switch",
                self.nodes[from].name, self.nodes[u].name, self.nodes[b].name
            )
        };
        self.sink.error(self.decl[u].clone(), message, Some(help));
    }
}

/// The node an explicit `[[nodes]]` entry declares (name filled in later).
fn explicit_node(n: &spec::NodeSpec) -> Node {
    let (role, kind, latency, isr) = match n.kind {
        Some(NodeKind::Switch(k)) => (NodeRole::Switch, k.name, k.latency_s, k.in_switch_reduction),
        Some(NodeKind::Role(r)) => (r, "", 0.0, false),
        None => (NodeRole::Host, "", 0.0, false),
    };
    Node {
        name: String::new(),
        role,
        kind: kind.to_string(),
        latency_s: n.latency_s.unwrap_or(latency),
        in_switch_reduction: n.in_switch_reduction.unwrap_or(isr),
        forwards: n.forwards.unwrap_or(role.forwards_by_default()),
    }
}

/// For an unknown id `prefixN`, the range of declared `prefix<number>` ids,
/// e.g. `declared are gpu0 to gpu7`, which explains off-by-one mistakes.
pub(super) fn numbered_range<'a>(
    unknown: &str,
    names: impl Iterator<Item = &'a String>,
) -> Option<String> {
    let prefix = unknown.trim_end_matches(|c: char| c.is_ascii_digit());
    if prefix.len() == unknown.len() {
        return None;
    }
    let mut nums: Vec<u64> = names
        .filter_map(|n| n.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|rest| rest.parse().ok())
        .collect();
    nums.sort_unstable();
    let (lo, hi) = (*nums.first()?, *nums.last()?);
    Some(if hi - lo + 1 == nums.len() as u64 {
        format!("declared are {prefix}{lo} to {prefix}{hi}")
    } else {
        format!(
            "{} ids named {prefix}<number> are declared, from {prefix}{lo} to {prefix}{hi}",
            nums.len()
        )
    })
}

/// A fraction with at most 6 decimals, trailing zeros removed (`0.824`).
fn short(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn mode_name(m: RoutingMode) -> &'static str {
    match m {
        RoutingMode::Spray => "spray",
        RoutingMode::Hash => "hash",
        RoutingMode::Weighted => "weighted",
    }
}
