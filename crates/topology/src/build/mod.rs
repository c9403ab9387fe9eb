//! From a topology file to a validated [`Topology`], reporting every problem.
//!
//! The rules, each with a negative test in `tests/it/topology/rules.rs`:
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
//! 11. Sizes are within [`MAX_NODES`](fabricsim_base::limits::MAX_NODES) and
//!     [`MAX_DIRECTED_LINKS`](fabricsim_base::limits::MAX_DIRECTED_LINKS), computed
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
//! with their own rules F1–F5 (see `failures/`).
//!
//! Submodules, in the order a build runs: `scale_out` (the scale-out plan
//! of rule 10 and its generation), `sizes` (rule 11), `explicit`
//! (`[[nodes]]` and `[[links]]`, rule 8), `scale_up` (generated
//! domains), `dci` (sites and long-haul links) and `connectivity` (rule
//! 12). This file holds the entry points, the `Builder` they share and
//! its node and link primitives.

mod connectivity;
mod dci;
mod explicit;
mod scale_out;
mod scale_up;
mod sizes;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::failures::{self, FailureSpec, Groups};
use super::spec::{self, FileSpec, LinkParams, ScaleOutShape, ScaleUpSpec, Span};
use super::{Link, Node, NodeId, Topology};
use crate::RoutingMode;
use fabricsim_base::diag::{Diagnostics, Sink};
use fabricsim_base::limits::Limits;

use dci::{site_prefix, sites};
use explicit::explicit_node;
use scale_out::ScaleOutPlan;

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
    /// Build the intact fabric: the file's `[[failures]]` are checked but
    /// not applied, and `failures` is ignored (the baseline a run with
    /// failures is compared with).
    pub intact: bool,
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

    /// These options building the intact fabric (no failure applied).
    pub fn intact(mut self) -> LoadOptions {
        self.intact = true;
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
        parse_str_limited(&src, &shown, opts)
    }

    /// Parses and validates topology text; `path` is used in messages and,
    /// when the text has no `name`, as the topology's name (its file stem).
    pub fn parse(src: &str, path: &str, opts: &LoadOptions) -> Result<Topology, Diagnostics> {
        parse_str_limited(src, path, opts)
    }
}

/// [`Topology::parse`] with its options spelled out.
/// Largest fabric (nodes + directed links) still built when its file has
/// errors already, so that small files get every error at once.
const BUILD_INVALID_MAX: usize = 100_000;

fn parse_str_limited(src: &str, path: &str, opts: &LoadOptions) -> Result<Topology, Diagnostics> {
    let (extra, limits) = (&opts.failures[..], &opts.limits);
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
    if let Some((nodes, links)) = b.check_sizes(&spec, plan.as_ref())
        // A file already known to be invalid is not built when building it
        // costs more than a moment (a fabric within the limits can take a
        // gigabyte): its errors are reported now, and the build's own
        // checks (connectivity, links) once they are fixed.
        && !(b.sink.has_errors() && nodes.saturating_add(links) > BUILD_INVALID_MAX)
    {
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
        mut nodes,
        mut links,
        efficiency,
        index,
        groups,
        ..
    } = b;
    let mut intact_links = opts.intact.then(|| links.clone());
    let failed = failures::apply(
        &mut sink,
        &spec.failures,
        extra,
        &nodes,
        &index,
        &groups,
        &mut links,
    );
    // Intact: the failures were checked (their errors stand) but the
    // fabric is the one before them.
    let failed = match intact_links.take() {
        Some(l) => {
            links = l;
            Default::default()
        }
        None => failed,
    };
    // PXN relays forward for the peers whose scale-out links failed.
    for r in &failed.relay_ids {
        nodes[r.idx()].forwards = true;
    }
    let calibration_path = spec
        .calibration
        .as_ref()
        .map(|c| Path::new(path).parent().unwrap_or(Path::new("")).join(&c.v));
    let calibration = spec
        .calibration
        .as_ref()
        .zip(calibration_path.as_ref())
        .and_then(|(c, file)| {
            let text = match fabricsim_base::limits::read_text(file, limits.max_input_bytes) {
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
            let shown = file.display().to_string();
            match crate::overrides::Overrides::parse_at(&text, &shown) {
                Ok(o) => Some(o),
                Err(d) => {
                    sink.error(
                    c.span.clone(),
                    format!(
                        "invalid calibration file {shown} ({} problem(s), reported at their place)",
                        d.len()
                    ),
                    Some("format: docs/calibration.md".to_string()),
                );
                    for item in d.items {
                        sink.push_other(item);
                    }
                    None
                }
            }
        });
    let warnings = sink.take_warnings();
    if let Some(d) = sink.finish() {
        return Err(d);
    }
    let mut topo = Topology::from_parts(name, nodes, links);
    topo.warnings = warnings;
    topo.failures = failed;
    topo.routing = routing;
    topo.accelerator = spec.accelerator;
    topo.power = spec.power.clone();
    topo.link_efficiency = efficiency.into_iter().map(|(k, (e, _))| (k, e)).collect();
    if let Some(o) = calibration {
        // A kind the fabric lacks is harmless here: the file may serve
        // several fabrics.
        topo.link_efficiency.extend(o.link_efficiency.clone());
        topo.calibration = Some(o);
    }
    topo.calibration_path = calibration_path;
    Ok(topo)
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
