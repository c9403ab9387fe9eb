//! From a topology file to a validated [`Topology`], reporting every problem.
//!
//! The rules, each with a negative test in `tests/it/topology.rs`:
//!
//! 1. The file is valid TOML (all syntax errors are reported, one per line).
//! 2. Every key is known (unknown keys get a "did you mean").
//! 3. Every value has the right type; counts are integers in their stated range.
//! 4. Quantities are strings with units (see [`fabricsim_base::units`]); bandwidths are
//!    positive and finite, latencies non-negative and finite (zero latency is
//!    allowed: an ideal link or switch).
//! 5. Link and node kinds are known presets or families ("did you mean").
//! 6. A generic link kind (`ethernet`, `custom`, ...) gives its own
//!    `bandwidth` and `latency`.
//! 7. Node ids are well-formed patterns and unique.
//! 8. Links name declared nodes and never join a node to itself.
//! 9. Links of one kind share one `efficiency` (it is stored per kind).
//! 10. Block parameters are consistent (a block's keys belong to its
//!     `topology`; `links_per_switch` has one entry per switch; torus `dims`
//!     are 1 to 3 sizes ≥ 2; the Clos fits its radix and 1 to 4 tiers, with
//!     oversubscription only above one tier; the dragonfly fits its groups,
//!     terminals and radix; `rail-only` and `[dci]` have the blocks they
//!     replicate or relay through; `[dci]` has one latency; `routing` agrees).
//! 11. Sizes are within [`MAX_NODES`] and [`MAX_DIRECTED_LINKS`], computed
//!     from the block parameters (sites × (domains + planes × network) + DCI
//!     links) and id ranges *before* anything is allocated.
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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::blocks::{self, DragonflyError, DragonflyParams, DragonflyPlan};
use super::clos::{ClosError, ClosParams, ClosPlan, MAX_TIERS, TIER_NAMES};
use super::failures::{self, FailureSpec, Groups};
use super::spec::{
    self, DciSpec, FileSpec, LinkParams, NodeKind, ScaleOutShape, ScaleOutSpec, ScaleUpShape,
    ScaleUpSpec, Span,
};
use super::{Link, Node, NodeId, NodeRole, Topology};
use crate::RoutingMode;
use fabricsim_base::diag::{Diagnostics, Sink, did_you_mean};
use fabricsim_base::limits::{HARD_MAX_IDS, Limits, MAX_DIRECTED_LINKS, MAX_NODES};

/// How to load a topology: the resource limits its size is checked against
/// and the failures applied after reading it (the CLI's `--fail`), as if
/// appended to the file's `[[failures]]` (see [`crate::failures`]).
///
/// ```
/// use fabricsim_topology::{FailureSpec, LoadOptions};
/// let opts = LoadOptions::default().with_failures(vec!["rail:0".parse::<FailureSpec>().unwrap()]);
/// assert_eq!(opts.failures.len(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Limits on the file's size and the fabric's nodes and directed links (rule 11).
    pub limits: Limits,
    /// Failures applied after the file's own.
    pub failures: Vec<FailureSpec>,
}

impl LoadOptions {
    /// These options with `limits`.
    pub fn with_limits(mut self, limits: Limits) -> LoadOptions {
        self.limits = limits;
        self
    }

    /// These options with `failures`.
    pub fn with_failures(mut self, failures: Vec<FailureSpec>) -> LoadOptions {
        self.failures = failures;
        self
    }
}

impl Topology {
    /// Reads and validates a topology file within `opts`; every problem is a
    /// located diagnostic (I/O errors are one diagnostic without position).
    pub fn load(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Topology, Diagnostics> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let src = fabricsim_base::limits::read_text(path, opts.limits.max_input_bytes)
            .map_err(|e| Diagnostics::from_read(&shown, &e))?;
        parse_str_limited(&src, &shown, &opts.failures, &opts.limits)
    }

    /// Parses and validates topology text; `path` is used in messages and,
    /// when the text has no `name`, as the topology's name (its file stem).
    pub fn parse(src: &str, path: &str, opts: &LoadOptions) -> Result<Topology, Diagnostics> {
        parse_str_limited(src, path, &opts.failures, &opts.limits)
    }
}

/// [`Topology::parse`] with its options spelled out.
fn parse_str_limited(
    src: &str,
    path: &str,
    extra: &[FailureSpec],
    limits: &Limits,
) -> Result<Topology, Diagnostics> {
    let mut sink = Sink::new(src, path);
    let Some(root) = spec::parse_document(&mut sink, src) else {
        return Err(sink
            .finish()
            .unwrap_or_else(|| Diagnostics { items: Vec::new() }));
    };
    let spec = spec::read_file(&mut sink, root.get_ref());
    let name = spec.name.clone().unwrap_or_else(|| {
        Path::new(path)
            .file_stem()
            .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
    });
    let mut b = Builder {
        sink,
        limits: *limits,
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
    if let Some((nodes, links)) = b.check_sizes(&spec, plan.as_ref()) {
        // Exact (or, for explicit links, upper-bound) sizes: no reallocation
        // doubles the peak memory of a large fabric.
        b.nodes.reserve_exact(nodes);
        b.decl.reserve_exact(nodes);
        b.index.reserve(nodes);
        b.links.reserve_exact(links);
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
    let calibration = spec.calibration.as_ref().and_then(|c| {
        let file = Path::new(path).parent().unwrap_or(Path::new("")).join(&c.v);
        let text = match fabricsim_base::limits::read_text(&file, limits.max_input_bytes) {
            Ok(t) => t,
            Err(e) => {
                sink.error(
                    c.span.clone(),
                    format!("cannot read calibration file {}: {e}", file.display()),
                    Some(
                        "the path is relative to this topology file's folder; \
                         `fabricsim calibrate LOG --topology TOPO --out FILE` writes one"
                            .to_string(),
                    ),
                );
                return None;
            }
        };
        match crate::overrides::Overrides::parse(&text) {
            Ok(o) => Some(o),
            Err(e) => {
                sink.error(
                    c.span.clone(),
                    format!("invalid calibration file {}: {e}", file.display()),
                    Some("format: docs/calibration.md".to_string()),
                );
                None
            }
        }
    });
    if let Some(d) = sink.finish() {
        return Err(d);
    }
    let mut topo = Topology::from_parts(name, nodes, links);
    topo.failures = failed;
    topo.routing = routing;
    topo.link_efficiency = efficiency.into_iter().map(|(k, (e, _))| (k, e)).collect();
    if let Some(o) = calibration {
        // A kind the fabric lacks is harmless here: the file may serve
        // several fabrics.
        topo.link_efficiency.extend(o.link_efficiency.clone());
        topo.calibration = Some(o);
    }
    Ok(topo)
}

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
struct ScaleOutPlan {
    /// Attached accelerators per site, `A`.
    accelerators: u64,
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
    fn switches_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.switches()),
            Net::Dragonfly(d) => d.routers(),
        }
    }

    /// Full-duplex switch-to-switch links of one plane.
    fn switch_links_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.switch_links()),
            Net::Dragonfly(d) => d.local_links().saturating_add(d.global_links()),
        }
    }

    /// Top-tier switches of one plane, which `[dci]` joins across sites
    /// (every router of a dragonfly).
    fn top_per_plane(&self) -> u64 {
        match &self.net {
            Net::Clos { plan, copies } => copies.saturating_mul(plan.top_switches()),
            Net::Dragonfly(d) => d.routers(),
        }
    }

    /// One line of switch counts for messages.
    fn describe(&self, planes: u64) -> String {
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

struct Builder<'s> {
    sink: Sink<'s>,
    limits: Limits,
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

/// The accelerators and switches of one generated scale-up domain.
struct Domain {
    accelerators: Vec<NodeId>,
    switches: Vec<NodeId>,
}

fn explicit_accelerators(spec: &FileSpec) -> u128 {
    spec.nodes
        .iter()
        .filter(|n| matches!(n.kind, Some(NodeKind::Role(NodeRole::Accelerator))))
        .flat_map(|n| n.ids.iter())
        .map(|p| p.v.count())
        .fold(0u128, u128::saturating_add)
}

/// Number of sites: `[dci] sites`, else 1.
fn sites(spec: &FileSpec) -> u64 {
    spec.dci.as_ref().map_or(1, |d| d.sites)
}

/// Name prefix of site `s` (`s3.`), empty without `[dci]`.
fn site_prefix(spec: &FileSpec, s: u64) -> String {
    if spec.dci.is_some() {
        format!("s{s}.")
    } else {
        String::new()
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

    fn plan_scale_out(&mut self, spec: &FileSpec) -> Option<ScaleOutPlan> {
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

    /// Rule 11: counts nodes and directed links from the parameters, before
    /// allocating anything. Returns the counts (directed links of explicit
    /// `[[links]]` are an upper bound) if building may proceed.
    fn check_sizes(
        &mut self,
        spec: &FileSpec,
        plan: Option<&ScaleOutPlan>,
    ) -> Option<(usize, usize)> {
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
        let s = u128::from(sites(spec));
        let per_sites = if s > 1 {
            format!("{s} sites × ")
        } else {
            String::new()
        };
        if let Some(su) = &spec.scale_up {
            let dm = u128::from(su.domains);
            let what = match &su.shape {
                ScaleUpShape::Switched { switches, .. } => format!(
                    "[scale_up]: {per_sites}domains × (accelerators + switches) = {per_sites}{dm} × ({} + {switches})",
                    su.accelerators
                ),
                _ => format!(
                    "[scale_up]: {per_sites}domains × accelerators = {per_sites}{dm} × {}",
                    su.accelerators
                ),
            };
            parts.push((
                su.span.clone(),
                what,
                s.saturating_mul(dm)
                    .saturating_mul(u128::from(su.nodes_per_domain())),
                s.saturating_mul(dm)
                    .saturating_mul(u128::from(su.links_per_domain()))
                    .saturating_mul(2),
            ));
        }
        if let Some(p) = plan
            && let Some(so) = &spec.scale_out
        {
            let nics =
                u128::from(p.accelerators).saturating_mul(u128::from(so.nics_per_accelerator));
            let planes = u128::from(so.planes);
            // Per site: NICs, P planes of switches; attachment links, one
            // port per NIC per plane, and the planes' switch links.
            let nodes =
                nics.saturating_add(planes.saturating_mul(u128::from(p.switches_per_plane())));
            let links = nics
                .saturating_mul(planes + 1)
                .saturating_add(planes.saturating_mul(u128::from(p.switch_links_per_plane())));
            parts.push((
                so.span.clone(),
                if s > 1 {
                    format!(
                        "[scale_out]: {per_sites}({nics} NICs + {})",
                        p.describe(so.planes)
                    )
                } else {
                    format!("[scale_out]: {nics} NICs + {}", p.describe(so.planes))
                },
                s.saturating_mul(nodes),
                s.saturating_mul(links).saturating_mul(2),
            ));
            if let Some(dci) = &spec.dci {
                let top = planes.saturating_mul(u128::from(p.top_per_plane()));
                let pairs = s * (s - 1) / 2;
                parts.push((
                    dci.span.clone(),
                    format!("[dci]: {pairs} site pairs × {top} top-tier switches"),
                    0,
                    pairs.saturating_mul(top).saturating_mul(2),
                ));
            }
        }
        let nodes: u128 = parts.iter().map(|p| p.2).fold(0, u128::saturating_add);
        let links: u128 = parts.iter().map(|p| p.3).fold(0, u128::saturating_add);
        let mut ok = true;
        let (max_nodes, max_links) = (self.limits.max_nodes, self.limits.max_directed_links);
        if nodes > u128::from(max_nodes) {
            let big = parts
                .iter()
                .max_by_key(|p| p.2)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!(
                        "the topology would have {nodes} nodes, more than the limit of {max_nodes}{}",
                        raised_by("--max-nodes", max_nodes, MAX_NODES)
                    ),
                    Some(format!(
                        "most of them come from {what}; nothing was built. A larger fabric needs \
                         --max-nodes N (at most {HARD_MAX_IDS}) and about 100 bytes of memory per node"
                    )),
                );
            }
            ok = false;
        }
        // Report the link limit only when the node limit holds: one cause, one message.
        if ok && links > u128::from(max_links) {
            let big = parts
                .iter()
                .max_by_key(|p| p.3)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!(
                        "the topology would have {links} directed links, more than the limit of {max_links}{}",
                        raised_by("--max-links", max_links, MAX_DIRECTED_LINKS)
                    ),
                    Some(format!(
                        "each full-duplex link is two directed links; most of them come from {what}; \
                         nothing was built. A larger fabric needs --max-links N (at most {HARD_MAX_IDS}) \
                         and about 150 bytes of memory per directed link"
                    )),
                );
            }
            ok = false;
        }
        ok.then_some((nodes as usize, links as usize))
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
    fn add_duplex(
        &mut self,
        a: NodeId,
        b: NodeId,
        lanes: u64,
        p: &LinkParams,
        tier: impl Into<Cow<'static, str>>,
    ) {
        let tier = tier.into();
        for (src, dst) in [(a, b), (b, a)] {
            self.links.push(Link {
                src,
                dst,
                capacity_bps: lanes as f64 * p.bandwidth_bps,
                latency_s: p.latency_s,
                kind: p.kind.to_string(),
                count: lanes as u32,
                tier: tier.clone(),
            });
        }
    }

    fn build(&mut self, spec: &FileSpec, plan: Option<&ScaleOutPlan>) {
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
        // Rail-only: rails meet only inside a domain, so its accelerators relay.
        let relay = spec
            .scale_out
            .as_ref()
            .is_some_and(|so| so.shape == ScaleOutShape::RailOnly);
        // Per site, the domains generated by [scale_up].
        let mut sites_domains: Vec<Vec<Domain>> = Vec::new();
        for (_, item) in &items {
            match item {
                Item::Nodes(n) => {
                    let proto = explicit_node(n);
                    for p in &n.ids {
                        self.add_nodes(p.v.expand(), &proto, &p.span);
                    }
                }
                Item::ScaleUp(su) => {
                    for s in 0..sites(spec) {
                        let d = self.scale_up_nodes(su, &site_prefix(spec, s), relay);
                        sites_domains.push(d);
                    }
                }
            }
        }

        for l in &spec.links {
            self.explicit_link(l, spec.nodes_incomplete);
        }
        if let Some(su) = &spec.scale_up {
            self.note_efficiency(&su.link);
            for domain in sites_domains.iter().flatten() {
                self.scale_up_links(su, domain);
            }
        }
        if let (Some(so), Some(p)) = (&spec.scale_out, plan) {
            let no_domains = Vec::new();
            let mut tops: Vec<Vec<NodeId>> = Vec::new();
            for s in 0..sites(spec) {
                let domains = sites_domains.get(s as usize).unwrap_or(&no_domains);
                match self.scale_out(spec, so, p, domains, &site_prefix(spec, s)) {
                    Some(top) => tops.push(top),
                    None => break,
                }
            }
            if let Some(dci) = &spec.dci
                && tops.len() as u64 == dci.sites
            {
                self.dci_links(dci, &tops);
            }
        }
        if !self.sink.has_errors() {
            self.check_connectivity();
        }
    }

    /// Generates `{site}d{d}.gpu{i}` and, for switched domains,
    /// `{site}d{d}.sw{s}` for every domain. Accelerators forward in a torus,
    /// or when `relay` (rail-only scale-out) is set.
    fn scale_up_nodes(&mut self, su: &ScaleUpSpec, site: &str, relay: bool) -> Vec<Domain> {
        let forwards = su.forwards() || relay;
        let latency_s = match &su.shape {
            ScaleUpShape::Torus {
                forwarding_latency_s,
                ..
            } => *forwarding_latency_s,
            _ => 0.0,
        };
        let acc = Node {
            name: String::new(),
            role: NodeRole::Accelerator,
            kind: String::new(),
            latency_s,
            in_switch_reduction: false,
            forwards,
        };
        let (n_sw, sw) = match &su.shape {
            ScaleUpShape::Switched {
                switches, switch, ..
            } => (
                *switches,
                Node {
                    name: String::new(),
                    role: NodeRole::Switch,
                    kind: switch.kind.map_or(String::new(), |k| k.name.to_string()),
                    latency_s: switch.latency_s,
                    in_switch_reduction: switch.in_switch_reduction,
                    forwards: NodeRole::Switch.forwards_by_default(),
                },
            ),
            _ => (0, acc.clone()),
        };
        let mut out = Vec::with_capacity(su.domains as usize);
        for d in 0..su.domains {
            let accelerators = self.add_nodes(
                (0..su.accelerators)
                    .map(|i| format!("{site}d{d}.gpu{i}"))
                    .collect(),
                &acc,
                &su.span,
            );
            let switches = self.add_nodes(
                (0..n_sw).map(|s| format!("{site}d{d}.sw{s}")).collect(),
                &sw,
                &su.span,
            );
            if accelerators.len() as u64 == su.accelerators && switches.len() as u64 == n_sw {
                out.push(Domain {
                    accelerators,
                    switches,
                });
            }
        }
        out
    }

    /// The links of one scale-up domain, tier `scale-up`.
    fn scale_up_links(&mut self, su: &ScaleUpSpec, dom: &Domain) {
        let accs = &dom.accelerators;
        match &su.shape {
            ScaleUpShape::Switched {
                links_per_switch, ..
            } => {
                for &gpu in accs {
                    for (s, &sw) in dom.switches.iter().enumerate() {
                        let lanes = links_per_switch.to_switch(s);
                        if lanes > 0 {
                            self.add_duplex(gpu, sw, lanes, &su.link, "scale-up");
                        }
                    }
                }
            }
            ScaleUpShape::FullMesh { links_per_peer } => {
                for (i, &a) in accs.iter().enumerate() {
                    for &b in &accs[i + 1..] {
                        self.add_duplex(a, b, *links_per_peer, &su.link, "scale-up");
                    }
                }
            }
            ScaleUpShape::Torus {
                dims,
                links_per_neighbor,
                ..
            } => {
                let mut pairs = Vec::with_capacity(blocks::torus_links(dims) as usize);
                blocks::for_each_torus_link(dims, |i, j, _| pairs.push((i as usize, j as usize)));
                for (i, j) in pairs {
                    self.add_duplex(accs[i], accs[j], *links_per_neighbor, &su.link, "scale-up");
                }
            }
        }
    }

    /// Long-haul links: top-tier switch `j` of every site joined to top-tier
    /// switch `j` of every other site, tier `dci`. Each of the `T` links
    /// between a pair of sites carries `bandwidth / T` (one lane of the kind
    /// without `bandwidth`).
    fn dci_links(&mut self, dci: &DciSpec, tops: &[Vec<NodeId>]) {
        let t = tops.first().map_or(0, Vec::len);
        if t == 0 || tops.iter().any(|x| x.len() != t) {
            return;
        }
        let mut p = dci.link.clone();
        if let Some(b) = dci.pair_bandwidth_bps {
            p.bandwidth_bps = b / t as f64;
        }
        self.note_efficiency(&p);
        for (s1, a) in tops.iter().enumerate() {
            for b in &tops[s1 + 1..] {
                for (&x, &y) in a.iter().zip(b) {
                    self.add_duplex(x, y, 1, &p, "dci");
                }
            }
        }
    }

    fn resolve(&mut self, pats: &[spec::Sp<super::pattern::Pattern>]) -> Option<Vec<NodeId>> {
        let mut ids = Vec::new();
        let mut ok = true;
        for p in pats {
            let names = p.v.expand();
            let unknown = lookup_names(&self.index, &names, &mut ids);
            if unknown.is_empty() {
                continue;
            }
            ok = false;
            let (msg, help) = if names.len() == 1 {
                let u = &unknown[0];
                let sugg = name_hint(&self.index, u);
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
        let tier: Cow<'static, str> = l
            .tier
            .clone()
            .map_or(Cow::Borrowed(p.default_tier), Cow::Owned);
        let mut self_link = None;
        for &x in &a {
            for &y in &b {
                if x == y {
                    self_link.get_or_insert(x);
                } else {
                    self.add_duplex(x, y, u64::from(l.count), p, tier.clone());
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

    /// Builds the scale-out network of one site (NICs, then every plane's
    /// switches, then links) and returns its top-tier switches, plane by
    /// plane; `None` if an earlier error changed the node set.
    fn scale_out(
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
            for (n, nic) in ids.into_iter().enumerate() {
                let n = n as u64;
                let at = match (&p.net, so.shape, spec.scale_up.is_some()) {
                    (Net::Dragonfly(df), _, _) => (0, df.router_of(a * r + n)),
                    (Net::Clos { plan, .. }, ScaleOutShape::FatTree, _) => {
                        (0, plan.leaf_of(0, a * r + n))
                    }
                    (Net::Clos { plan, .. }, ScaleOutShape::RailOnly, _) => {
                        (i * r + n, plan.leaf_of(0, d))
                    }
                    (Net::Clos { plan, .. }, _, true) => (0, plan.leaf_of(i * r + n, d)),
                    (Net::Clos { plan, .. }, _, false) => (0, plan.leaf_of(n, a)),
                };
                if matches!(
                    so.shape,
                    ScaleOutShape::RailOptimized | ScaleOutShape::RailOnly
                ) {
                    let rail = if spec.scale_up.is_some() {
                        i * r + n
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
        let (comp, comps) = forwarding_components(&fwd, out);
        // Components each accelerator touches (sorted, deduplicated), and the
        // number of accelerators each component touches.
        let touches = touched_components(&accs, &fwd, &comp, out);
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

/// How a limit in a message was set: ` (the default of --flag)` or
/// ` (set by --flag)`.
fn raised_by(flag: &str, value: u64, default: u64) -> String {
    if value == default {
        format!(" (the default of {flag})")
    } else {
        format!(" (set by {flag})")
    }
}

fn mode_name(m: RoutingMode) -> &'static str {
    match m {
        RoutingMode::Spray => "spray",
        RoutingMode::Hash => "hash",
        RoutingMode::Weighted => "weighted",
    }
}

/// Connected components of the forwarding nodes (`fwd[u]`) over the
/// adjacency `out`: the component of each node (`u32::MAX` for nodes that do
/// not forward) and the number of components. Components are numbered in
/// order of their smallest node.
pub(super) fn forwarding_components<I: Iterator<Item = usize>>(
    fwd: &[bool],
    out: impl Fn(usize) -> I,
) -> (Vec<u32>, u32) {
    let n = fwd.len();
    let mut comp = vec![u32::MAX; n];
    let mut comps = 0u32;
    let mut stack = Vec::new();
    for s in (0..n).filter(|&s| fwd[s]) {
        if comp[s] != u32::MAX {
            continue;
        }
        comp[s] = comps;
        stack.push(s);
        while let Some(u) = stack.pop() {
            for v in out(u) {
                if fwd[v] && comp[v] == u32::MAX {
                    comp[v] = comps;
                    stack.push(v);
                }
            }
        }
        comps += 1;
    }
    (comp, comps)
}

/// Looks `names` up in `index`, pushing the ids found onto `ids`; returns
/// the names not found, in order.
pub(super) fn lookup_names(
    index: &HashMap<String, NodeId>,
    names: &[String],
    ids: &mut Vec<NodeId>,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for n in names {
        match index.get(n) {
            Some(&id) => ids.push(id),
            None => unknown.push(n.clone()),
        }
    }
    unknown
}

/// A hint for an unknown node name: the numbered range it falls outside of,
/// or the closest declared name (skipped above 100,000 names, where the
/// search would cost more than the error is worth).
pub(super) fn name_hint(index: &HashMap<String, NodeId>, unknown: &str) -> Option<String> {
    if index.len() > 100_000 {
        return None;
    }
    numbered_range(unknown, index.keys()).or_else(|| {
        let mut cands: Vec<&str> = index.keys().map(String::as_str).collect();
        cands.sort_unstable();
        did_you_mean(unknown, cands.into_iter()).map(|c| format!("did you mean \"{c}\"?"))
    })
}

/// For each node of `accs`, the forwarding components it touches (its own
/// if it forwards, else its forwarding neighbours'), sorted, deduplicated.
pub(super) fn touched_components<I: Iterator<Item = usize>>(
    accs: &[usize],
    fwd: &[bool],
    comp: &[u32],
    out: impl Fn(usize) -> I,
) -> Vec<Vec<u32>> {
    accs.iter()
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
        .collect()
}
