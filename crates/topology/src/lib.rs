//! The validated, immutable fabric graph.
//!
//! A [`Topology`] is what every model stage consumes. It is built from a
//! topology file (see `spec`/`build`) or programmatically, and once it exists
//! it is known to be well formed:
//!
//! - INVARIANT: every link joins two declared nodes and has a positive, finite
//!   capacity (bytes/s) and a non-negative, finite latency (s).
//! - INVARIANT: links are *directed*. A full-duplex cable declared in a file
//!   becomes two directed links, one per direction, which never share capacity.
//! - INVARIANT: every accelerator can reach every other accelerator along a
//!   path whose intermediate nodes all forward ([`Node::forwards`]), the only
//!   paths routing uses.
//! - INVARIANT: nodes and links are fixed once built: [`Topology::adjacency`]
//!   and [`Topology::scale_up_domain`] are derived from them on first use.
//!
//! Files are read by [`Topology::load`] / [`Topology::parse`] (format in
//! `docs/topology-format.md`), which report every problem as [`Diagnostics`].
//! Submodules: `spec` (TOML walk), `build` (validation and generation),
//! [`clos`] (Clos sizing formulas, 1 to 4 tiers), [`blocks`] (full mesh,
//! torus and dragonfly sizing), [`presets`] (cited link and switch
//! values), `pattern` (id ranges), [`overrides`] (calibration files), [`failures`]
//! (failed links, switches, rails and planes, removed before anything else
//! sees the fabric).

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use petgraph::unionfind::UnionFind;
use serde::Serialize;

pub mod accelerators;
mod adjacency;
pub mod blocks;
mod build;
pub mod clos;
mod components;
pub mod failures;
mod maxflow;
mod names;
pub mod overrides;
mod pattern;
pub mod power;
pub mod presets;
mod routing_mode;
pub(crate) mod spec;

pub use adjacency::Adjacency;
pub use build::LoadOptions;
pub use fabricsim_base::diag::{Diagnostic, Diagnostics};
pub use failures::{FailureReport, FailureSpec};
pub use maxflow::{max_flow_between, max_flow_between_until};
pub use routing_mode::RoutingMode;

/// The keys a topology file may use, per table (for tools that edit files,
/// such as sweeps, to check a key path before they set it).
pub mod keys {
    pub use crate::spec::POWER_KEYS;
    pub use crate::spec::{
        DCI_KEYS, LINK_KEYS, NODE_KEYS, SCALE_OUT_CLOS, SCALE_OUT_COMMON, SCALE_OUT_DRAGONFLY,
        SCALE_UP_COMMON, SCALE_UP_MESH, SCALE_UP_SWITCHED, SCALE_UP_TORUS, TOP_KEYS,
    };
    pub use crate::spec::{FAILURE_KEYS, FAILURE_RANDOM_KEYS};
}

/// Index of a node in [`Topology::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NodeId(pub u32);

/// Index of a directed link in [`Topology::links`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LinkId(pub u32);

impl NodeId {
    /// The index as `usize`, for indexing `Vec`s.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl LinkId {
    /// The index as `usize`, for indexing `Vec`s.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// What a node is. Accelerators are the endpoints of collectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// A GPU or other accelerator: a rank of collectives.
    Accelerator,
    /// A switch; forwards by default.
    Switch,
    /// A network interface card; forwards by default.
    Nic,
    /// Any other endpoint (the role of a `[[nodes]]` entry without `kind`).
    Host,
}

impl NodeRole {
    /// Whether nodes of this role forward traffic unless told otherwise
    /// ([`Node::forwards`]): switches and NICs do; accelerators and hosts are
    /// endpoints only.
    pub fn forwards_by_default(self) -> bool {
        matches!(self, NodeRole::Switch | NodeRole::Nic)
    }
}

/// A node of the fabric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Unique name, e.g. `gpu3` or `leaf0`.
    pub name: String,
    /// What the node is.
    pub role: NodeRole,
    /// Technology kind for switches/NICs (e.g. `nvswitch-gen3`), empty if none.
    pub kind: String,
    /// Forwarding latency added per traversal of this node \[s\] (0 for endpoints).
    pub latency_s: f64,
    /// Whether this switch can reduce in the network (NVLS, SHARP).
    pub in_switch_reduction: bool,
    /// Whether flows may pass *through* this node (be forwarded by it). Any
    /// node may be a flow's source or destination; only forwarding nodes may
    /// be intermediate nodes of a path. Default ([`NodeRole::forwards_by_default`]):
    /// true for switches and NICs, false for accelerators and hosts; chips that
    /// route traffic themselves (TPU-style tori) opt in with `forwards = true`.
    pub forwards: bool,
}

/// A directed link. Capacity already includes the lane `count`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    /// Node the link leaves.
    pub src: NodeId,
    /// Node the link enters.
    pub dst: NodeId,
    /// Capacity in this direction = `count × per-lane bandwidth` [bytes/s].
    pub capacity_bps: f64,
    /// Latency of one traversal (propagation + header serialization) \[s\].
    pub latency_s: f64,
    /// Link technology kind, e.g. `nvlink4`, `ethernet-800g`.
    pub kind: String,
    /// Number of bundled identical lanes/ports.
    pub count: u32,
    /// Tier label for reporting, e.g. `scale-up`, `leaf`, `spine`, `dci`.
    /// Generated tiers are static strings (no allocation per link on
    /// million-link fabrics); a file's `tier = "..."` is owned.
    pub tier: Cow<'static, str>,
}

/// A validated fabric. See the module docs for its invariants.
#[derive(Clone, Debug)]
pub struct Topology {
    /// Fabric name: the file's `name`, else the file name without extension.
    pub name: String,
    /// All nodes, indexed by [`NodeId`].
    pub nodes: Vec<Node>,
    /// All directed links, indexed by [`LinkId`].
    pub links: Vec<Link>,
    /// Accelerators in global rank order (file order).
    pub accelerators: Vec<NodeId>,
    /// Default ECMP mode for flows on this fabric (file: top-level `routing`
    /// or `[scale_out] routing`; default spray).
    pub routing: RoutingMode,
    /// Achievable fraction of line rate per link kind, used by collectives
    /// later (from the presets or the file's `efficiency`; 1.0 if unknown).
    /// The flow model itself runs links at full capacity.
    pub link_efficiency: BTreeMap<String, f64>,
    /// Node name → id, built by [`Topology::from_parts`].
    pub name_index: HashMap<String, NodeId>,
    /// What `[[failures]]` and `--fail` removed (already absent from
    /// `links`); empty for an intact fabric. See [`failures`].
    pub failures: FailureReport,
    /// The preset overrides of the file's `calibration = "FILE"` (their link
    /// efficiencies are already in `link_efficiency`; their per-step α and
    /// NVLS efficiency are defaults of `collective::CollectiveSim`).
    pub calibration: Option<crate::overrides::Overrides>,
    /// The file `calibration = "FILE"` was read from (relative to the
    /// topology file's folder), so that callers writing outputs can refuse
    /// to replace it like any other input.
    pub calibration_path: Option<std::path::PathBuf>,
    /// The accelerator part of every rank (`accelerator = "NAME"`), when
    /// the file names one ([`accelerators`]).
    pub accelerator: Option<&'static accelerators::Accelerator>,
    /// Plausibility warnings of the file (valid values far from their
    /// presets, e.g. a NIC at 8× its kind's line rate), in file order.
    pub warnings: Vec<fabricsim_base::diag::Diagnostic>,
    /// The file's `[power]` overrides of the power presets ([`power`];
    /// resolved by [`power::PowerModel::of`]).
    pub power: power::PowerSettings,
    /// Per node, the smallest node id of its scale-up domain (computed on
    /// first use by [`Topology::scale_up_domain`]).
    domain_roots: std::sync::OnceLock<Vec<u32>>,
    /// Out- and in-links of every node (computed on first use by
    /// [`Topology::adjacency`]).
    adjacency: std::sync::OnceLock<Adjacency>,
}

impl Topology {
    /// The scale-up domain of `n`, named by the smallest node id in it: two
    /// nodes share a domain when links of tier `scale-up` connect them
    /// (switches included). A node without scale-up links is its own domain.
    pub fn scale_up_domain(&self, n: NodeId) -> u32 {
        let roots = self.domain_roots.get_or_init(|| {
            let n = self.nodes.len();
            let mut sets = UnionFind::<u32>::new(n);
            for l in &self.links {
                if l.tier == "scale-up" {
                    sets.union(l.src.0, l.dst.0);
                }
            }
            // Name each set by its smallest member (the representative
            // petgraph picks depends on union order).
            let mut smallest = vec![u32::MAX; n];
            for x in 0..n as u32 {
                let r = sets.find_mut(x) as usize;
                smallest[r] = smallest[r].min(x);
            }
            (0..n as u32)
                .map(|x| smallest[sets.find_mut(x) as usize])
                .collect()
        });
        roots[n.idx()]
    }

    /// `ranks` grouped by scale-up domain ([`Topology::scale_up_domain`]),
    /// domains in order of their first rank, ranks in the given order
    /// within each. Without scale-up links every rank is its own domain.
    pub fn domains_of(&self, ranks: &[NodeId]) -> Vec<Vec<NodeId>> {
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut groups: Vec<Vec<NodeId>> = Vec::new();
        for &r in ranks {
            let g = *index.entry(self.scale_up_domain(r)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(r);
        }
        groups
    }

    /// Out- and in-links of every node, sorted by link id (built on first
    /// use, then shared).
    pub fn adjacency(&self) -> &Adjacency {
        self.adjacency
            .get_or_init(|| Adjacency::new(self.nodes.len(), &self.links))
    }

    /// Builds the derived fields (`accelerators`, `name_index`) from nodes and links.
    ///
    /// This does not validate; callers construct through the validating builder
    /// or generators, which uphold the invariants above. `routing` is the
    /// default (spray) and `link_efficiency` is empty; set them with
    /// [`Topology::with_routing`] / the public fields.
    pub fn from_parts(name: String, nodes: Vec<Node>, links: Vec<Link>) -> Topology {
        let accelerators = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == NodeRole::Accelerator)
            .map(|(i, _)| NodeId(i as u32))
            .collect();
        let name_index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), NodeId(i as u32)))
            .collect();
        Topology {
            name,
            nodes,
            links,
            accelerators,
            routing: RoutingMode::default(),
            link_efficiency: BTreeMap::new(),
            name_index,
            failures: FailureReport::default(),
            warnings: Vec::new(),
            calibration: None,
            calibration_path: None,
            accelerator: None,
            power: power::PowerSettings::default(),
            domain_roots: std::sync::OnceLock::new(),
            adjacency: std::sync::OnceLock::new(),
        }
    }

    /// Sets the default routing mode.
    pub fn with_routing(mut self, routing: RoutingMode) -> Topology {
        self.routing = routing;
        self
    }

    /// The id of the node called `name`.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.name_index.get(name).copied()
    }

    /// Achievable fraction of line rate for links of `kind` (1.0 if unknown).
    pub fn efficiency(&self, kind: &str) -> f64 {
        self.link_efficiency.get(kind).copied().unwrap_or(1.0)
    }

    /// Human name of a directed link, e.g. `leaf3 → spine12 (ethernet-800g)`.
    pub fn link_label(&self, l: LinkId) -> String {
        let link = &self.links[l.idx()];
        format!(
            "{} → {} ({})",
            self.nodes[link.src.idx()].name,
            self.nodes[link.dst.idx()].name,
            link.kind
        )
    }
}
