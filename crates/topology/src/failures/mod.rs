//! Failed links, switches, rails and planes: `[[failures]]` entries of a
//! topology file and the `--fail` flags of the CLI.
//!
//! A failure removes capacity from the fabric *before* any model stage sees
//! it, so routing (ECMP shortest paths recomputed on the degraded graph, as a
//! real fabric reconverges), `info` (diameter, injection, bisection max-flow),
//! collective lower bounds and simulations all use one degraded
//! [`Topology`](super::Topology):
//!
//! - A failed **link** (cable) loses both directions and all its parallel
//!   lanes: its two directed [`Link`](super::Link)s are removed.
//! - A failed **switch** keeps its node, so node ids and names stay valid, but
//!   loses every link.
//! - A failed **rail** is the failure of every NIC of the rail (each loses all
//!   its links, including the accelerator attachment). Rails exist in a
//!   rail-optimized `[scale_out]`: rail `r = n·N + i` holds NIC `n` of local
//!   accelerator `i` of every domain (see [`super::clos`]).
//! - A failed **plane** is the failure of every switch of the plane. Planes
//!   are the independent scale-out networks of a multi-plane fabric; the
//!   generator that builds them registers each plane's switches with
//!   `Groups::add` on `Groups::planes`, exactly as the Clos generator
//!   registers each rail's NICs on `Groups::rails`. Nothing else changes.
//! - A **random** failure fails a seeded uniform sample of the *lanes* of the
//!   eligible links: `round(f × L)` lanes for a fraction `f` of the `L`
//!   eligible lanes, or a given number. A bundle of `count` lanes is `count`
//!   cables: a bundle that loses some lanes keeps the others, at
//!   `count − failed` times the lane bandwidth. Eligible by default are the
//!   links whose two ends are switches (leaf–spine, spine–core, trunks, DCI
//!   between switches): the fabric's own cables, whose loss it routes around.
//!   Links of accelerators, NICs and hosts are left out by default because,
//!   with one NIC per accelerator, losing one cuts that rank off (rule F5);
//!   `tiers = [...]` samples the links of the listed tiers instead (e.g.
//!   `"leaf"` for the NIC–leaf cables, `"scale-up"` for NVLink lanes).
//!
//! Entries combine as a union, all resolved against the intact fabric: a
//! random entry samples among all eligible lanes whatever other entries
//! fail, so the order of entries and flags never matters. Flags are applied
//! with the file's entries, as if appended to the file.
//!
//! Rules, each with a negative test in `tests/it/topology/failures.rs`:
//!
//! - F1. A `[[failures]]` entry fails exactly one kind of element (`link`,
//!   `switch`, `rail`, `plane` or `random`); keys and types as documented.
//! - F2. Names exist ("did you mean"); `switch` names switches; the two sides
//!   of `link` are linked (every pair, when they are groups).
//! - F3. `rail` and `plane` exist in the fabric.
//! - F4. A random fraction is within 0% to 100%; a random count is at most
//!   the number of eligible lanes.
//! - F5. Every accelerator still reaches every other one: otherwise the error
//!   names the unreachable ranks and the entries that cut them off.
//!
//! Failures are applied only to a fabric that is otherwise valid (rules 1–12
//! of `build/`), so an earlier error never causes a spurious one here.
//!
//! INVARIANT: the failed set depends only on the fabric, the entries and
//! their seeds: random draws use [`SplitMix64`](fabricsim_base::rng::SplitMix64) in a fixed order (no
//! `RandomState`, no threads).
//! INVARIANT: node ids are unchanged; the surviving links keep their order,
//! and each cable is still two consecutive directed links.
//!
//! Submodules: `flag` (the `--fail` syntax, parsed and printed), `file`
//! (`[[failures]]` entries, rule F1), `apply` (names resolved and elements
//! failed, rules F2 and F3, and the degraded links), `random` (seeded lane
//! sampling, rule F4) and `reach` (rule F5). This file holds the failure
//! types and the report.

mod apply;
pub(crate) mod flag;
mod random;
mod reach;

use serde::Serialize;

use super::NodeId;
use super::pattern::Pattern;
use fabricsim_base::spanned::Span;

pub(crate) use apply::apply;

/// How many lanes a random failure takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Amount {
    /// Percent of the eligible lanes, in `[0, 100]`.
    Percent(f64),
    /// A number of lanes.
    Lanes(u64),
}

/// What an entry fails.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum What {
    /// Every link between a node of the first group and one of the second.
    Link(Vec<Pattern>, Vec<Pattern>),
    Switch(Vec<Pattern>),
    Rail(u64),
    Plane(u64),
    /// `tiers` empty: the switch-to-switch links.
    Random {
        amount: Amount,
        seed: u64,
        tiers: Vec<String>,
    },
}

/// One failure, as a `--fail` flag spells it (`FromStr`, and `Display` in
/// the same canonical form):
///
/// | flag | `[[failures]]` entry |
/// |------|----------------------|
/// | `link:leaf3,spine12` (or `link:leaf3-spine12` when the names hold no `-`) | `link = ["leaf3", "spine12"]` |
/// | `link:leaf[0..4],spine0+spine1` | `link = ["leaf[0..4]", ["spine0", "spine1"]]` |
/// | `switch:spine[0..2]`, `switch:spine0+spine5` | `switch = "spine[0..2]"`, `switch = ["spine0", "spine5"]` |
/// | `rail:3` | `rail = 3` |
/// | `plane:1` | `plane = 1` |
/// | `random:1%:7`, `random:0.5%` (seed 0), `random:4:7` (4 lanes) | `random = { links = "1%", seed = 7 }`, `random = { links = 4 }` |
///
/// # Example
/// ```
/// use fabricsim_topology::FailureSpec;
/// let f: FailureSpec = "switch:spine[0..=1]".parse().unwrap();
/// assert_eq!(f.to_string(), "switch:spine[0..2]");
/// assert!("random:150%:7".parse::<FailureSpec>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FailureSpec(pub(crate) What);

/// One failure with where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) spec: FailureSpec,
    /// The entry's value in the file; `None` for a `--fail` flag.
    pub(crate) span: Option<Span>,
}

/// Failure domains known to the generators: the nodes that fail with a
/// rail or a plane.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// `rails[r]`: the NICs of rail `r` (rail-optimized `[scale_out]`).
    pub(crate) rails: Vec<Vec<NodeId>>,
    /// `planes[p]`: the switches of plane `p` (multi-plane scale-out).
    pub(crate) planes: Vec<Vec<NodeId>>,
}

impl Groups {
    /// Adds `node` to group `i` of `list` (`rails` or `planes`).
    pub(crate) fn add(list: &mut Vec<Vec<NodeId>>, i: u64, node: NodeId) {
        let i = i as usize;
        if list.len() <= i {
            list.resize_with(i + 1, Vec::new);
        }
        list[i].push(node);
    }
}

/// What one entry failed (entries may overlap; each counts what it names).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedEntry {
    /// The entry in `--fail` syntax, e.g. `switch:spine[0..2]`.
    pub spec: String,
    /// `line N` of the topology file, or `--fail`.
    pub origin: String,
    /// Nodes that lost all their links (switches, the NICs of a rail).
    pub nodes: usize,
    /// Full-duplex links (cables or bundles) that lost lanes.
    pub links: usize,
    /// Lanes failed (a whole bundle of `count` lanes counts `count`).
    pub lanes: u64,
    /// For a random entry: the number of eligible lanes it sampled from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_lanes: Option<u64>,
}

/// A full-duplex link that lost lanes (both directions alike).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedLink {
    /// Name of one end node (the source of the link as stored).
    pub a: String,
    /// Name of the other end node.
    pub b: String,
    /// Link technology kind, e.g. `nvlink4`.
    pub kind: String,
    /// Tier label, e.g. `leaf`, `spine`.
    pub tier: String,
    /// Lanes failed, at most `lanes`; equal means the link is gone.
    pub failed_lanes: u32,
    /// Lanes of the intact bundle.
    pub lanes: u32,
}

/// Everything a topology's failures removed (`Topology::failures`); empty
/// for an intact fabric.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FailureReport {
    /// The entries: the file's in file order, then the `--fail` flags.
    pub entries: Vec<FailedEntry>,
    /// Nodes that lost all their links, in node order.
    pub nodes: Vec<String>,
    /// Links that lost lanes, in link order.
    pub links: Vec<FailedLink>,
    /// Lanes failed over all links (each counted once).
    pub lanes: u64,
    /// PXN relays: an accelerator whose own scale-out links all failed
    /// sends and receives through a peer of its scale-up domain, which
    /// forwards for it (`"d0.gpu0 via d0.gpu1"`, in node order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relays: Vec<String>,
    /// The relaying accelerators (node ids), set forwarding when built.
    #[serde(skip)]
    pub relay_ids: Vec<crate::NodeId>,
}

impl FailureReport {
    /// Whether nothing was failed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
