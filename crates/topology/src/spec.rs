//! Reading a topology file's TOML tree into a spanned specification.
//!
//! The file is parsed with toml's spanned document API
//! ([`toml::de::DeTable`]) and walked by hand, so that *every* problem is
//! reported (serde stops at the first) with the position of the offending key
//! or value. Each reader returns `None` after reporting a problem; the
//! builder (`build.rs`) skips what is missing and never reports a problem
//! twice. The file format is documented in `docs/topology-format.md`.

use toml::de::{DeTable, DeValue};

use super::NodeRole;
use super::clos::MAX_TIERS;
use super::pattern::Pattern;
use super::presets::{self, LINK_KINDS, LinkKind, SWITCH_KINDS, SwitchKind};
use crate::RoutingMode;
use fabricsim_base::diag::{Sink, suggestion};
pub(crate) use fabricsim_base::spanned::*;
use fabricsim_base::units::Quantity;

/// The whole file.
#[derive(Debug, Default)]
pub(crate) struct FileSpec {
    pub name: Option<String>,
    pub routing: Option<Sp<RoutingMode>>,
    pub nodes: Vec<NodeSpec>,
    pub links: Vec<LinkSpec>,
    pub scale_up: Option<ScaleUpSpec>,
    pub scale_out: Option<ScaleOutSpec>,
    pub dci: Option<DciSpec>,
    /// A node-producing entry (node table or `[scale_up]`) was dropped, so
    /// the set of declared ids is unknown: reference checks are skipped.
    pub nodes_incomplete: bool,
    /// `[[failures]]` entries (`failures.rs`), applied after building.
    pub failures: Vec<super::failures::Entry>,
    /// `calibration = "FILE"`: a preset override file (`fabricsim calibrate
    /// --out`), relative to the topology file's folder.
    pub calibration: Option<Sp<String>>,
}

/// What a `[[nodes]]` entry's `kind` says.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NodeKind {
    Role(NodeRole),
    Switch(&'static SwitchKind),
}

/// One `[[nodes]]` entry.
#[derive(Debug)]
pub(crate) struct NodeSpec {
    pub span: Span,
    pub ids: Vec<Sp<Pattern>>,
    /// `None` after a reported error; the ids are still declared.
    pub kind: Option<NodeKind>,
    pub latency_s: Option<f64>,
    pub in_switch_reduction: Option<bool>,
    /// `forwards`; `None` = the role's default ([`NodeRole::forwards_by_default`]).
    pub forwards: Option<bool>,
}

/// Link values after presets and overrides.
#[derive(Clone, Debug)]
pub(crate) struct LinkParams {
    pub kind: &'static str,
    /// Per lane, per direction \[bytes/s\].
    pub bandwidth_bps: f64,
    pub latency_s: f64,
    pub efficiency: f64,
    /// Where the efficiency came from (for conflict messages).
    pub efficiency_span: Span,
    pub default_tier: &'static str,
    pub default_switch: Option<&'static str>,
}

/// One `[[links]]` entry.
#[derive(Debug)]
pub(crate) struct LinkSpec {
    pub span: Span,
    pub between_span: Span,
    pub a: Vec<Sp<Pattern>>,
    pub b: Vec<Sp<Pattern>>,
    /// `None` after a reported error; endpoints are still checked.
    pub params: Option<LinkParams>,
    pub count: u32,
    pub tier: Option<String>,
}

/// Switch technology of a parametric block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SwitchParams {
    pub kind: Option<&'static SwitchKind>,
    pub latency_s: f64,
    pub in_switch_reduction: bool,
}

/// `[scale_up]`.
#[derive(Debug)]
pub(crate) struct ScaleUpSpec {
    pub span: Span,
    pub link: LinkParams,
    /// Accelerators per domain (for a torus, the product of `dims`).
    pub accelerators: u64,
    pub shape: ScaleUpShape,
    pub domains: u64,
}

/// `topology` of `[scale_up]` with its shape-specific keys.
#[derive(Debug)]
pub(crate) enum ScaleUpShape {
    /// Accelerators joined through switches (the default).
    Switched {
        switches: u64,
        /// Lanes from each accelerator to each switch.
        links_per_switch: Lanes,
        switch: SwitchParams,
    },
    /// Every pair of accelerators joined directly.
    FullMesh { links_per_peer: u64 },
    /// A torus with wraparound; the accelerators forward.
    Torus {
        dims: Vec<u64>,
        links_per_neighbor: u64,
        forwarding_latency_s: f64,
    },
}

impl ScaleUpSpec {
    /// Nodes of one domain.
    pub(crate) fn nodes_per_domain(&self) -> u64 {
        match &self.shape {
            ScaleUpShape::Switched { switches, .. } => self.accelerators + switches,
            _ => self.accelerators,
        }
    }

    /// Full-duplex links of one domain.
    pub(crate) fn links_per_domain(&self) -> u64 {
        match &self.shape {
            ScaleUpShape::Switched {
                switches,
                links_per_switch,
                ..
            } => self
                .accelerators
                .saturating_mul(links_per_switch.connected(*switches)),
            ScaleUpShape::FullMesh { .. } => super::blocks::mesh_links(self.accelerators),
            ScaleUpShape::Torus { dims, .. } => super::blocks::torus_links(dims),
        }
    }

    /// Whether the accelerators forward traffic (a torus routes through its chips).
    pub(crate) fn forwards(&self) -> bool {
        matches!(self.shape, ScaleUpShape::Torus { .. })
    }
}

/// `links_per_switch`: one count for all switches, or one per switch (the
/// list's length equals `switches`). Never expanded, so a huge `switches`
/// cannot allocate before the size check.
#[derive(Clone, Debug)]
pub(crate) enum Lanes {
    Uniform(u64),
    PerSwitch(Vec<u64>),
}

impl Lanes {
    /// Lanes from an accelerator to switch `s`.
    pub(crate) fn to_switch(&self, s: usize) -> u64 {
        match self {
            Lanes::Uniform(l) => *l,
            Lanes::PerSwitch(v) => v.get(s).copied().unwrap_or(0),
        }
    }

    /// Number of switches with at least one lane, out of `switches`.
    pub(crate) fn connected(&self, switches: u64) -> u64 {
        match self {
            Lanes::Uniform(_) => switches,
            Lanes::PerSwitch(v) => v.iter().filter(|&&l| l > 0).count() as u64,
        }
    }
}

/// `topology` of `[scale_out]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScaleOutShape {
    RailOptimized,
    FatTree,
    RailOnly,
    Dragonfly,
}

/// The dragonfly keys of `[scale_out]` (`topology = "dragonfly"`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DragonflySpec {
    pub routers_per_group: u64,
    pub terminals_per_router: u64,
    pub global_links_per_router: u64,
    pub groups: Option<u64>,
}

/// `[scale_out]`.
#[derive(Debug)]
pub(crate) struct ScaleOutSpec {
    pub span: Span,
    /// Span to blame for sizing errors (`tiers`, else `switch_radix`, else
    /// the header; for a dragonfly `groups`, else `routers_per_group`).
    pub sizing_span: Span,
    /// The NIC's link: `bandwidth_bps` is the whole NIC's rate.
    pub link: LinkParams,
    /// Accelerator-to-NIC attachment; `None` = same kind and rate as the NIC, zero latency.
    pub nic_link: Option<LinkParams>,
    pub shape: ScaleOutShape,
    /// Span of the `topology` value, else the header.
    pub shape_span: Span,
    pub nics_per_accelerator: u64,
    /// Ports per switch; `None` only for a dragonfly without a radix.
    pub radix: Option<u64>,
    pub tiers: u32,
    pub oversubscription: (u64, u64),
    /// Independent copies of the network, one per NIC port.
    pub planes: u64,
    pub dragonfly: Option<DragonflySpec>,
    pub routing: Option<Sp<RoutingMode>>,
    pub switch: SwitchParams,
}

/// `[dci]`: the cluster replicated over `sites`, joined by long-haul links.
#[derive(Debug)]
pub(crate) struct DciSpec {
    pub span: Span,
    pub sites: u64,
    /// Kind, latency and efficiency of the long-haul links; `bandwidth_bps`
    /// is the kind's lane rate.
    pub link: LinkParams,
    /// `bandwidth`: per site pair, per direction; `None` = one lane per
    /// top-tier switch.
    pub pair_bandwidth_bps: Option<f64>,
}

/// Top-level keys of a topology file.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "routing",
    "nodes",
    "links",
    "scale_up",
    "scale_out",
    "failures",
    "dci",
    "calibration",
];
/// Keys of a `[[nodes]]` entry.
pub const NODE_KEYS: &[&str] = &["id", "kind", "latency", "in_switch_reduction", "forwards"];
/// Keys of a `[[links]]` entry.
pub const LINK_KEYS: &[&str] = &[
    "between",
    "kind",
    "count",
    "bandwidth",
    "latency",
    "efficiency",
    "tier",
];
/// Keys of `[scale_up]` whatever its topology.
pub const SCALE_UP_COMMON: &[&str] = &[
    "topology",
    "kind",
    "domains",
    "bandwidth",
    "latency",
    "efficiency",
];
/// Keys of `[scale_up]` with `topology = "switched"`.
pub const SCALE_UP_SWITCHED: &[&str] = &[
    "accelerators",
    "switches",
    "links_per_switch",
    "switch_kind",
    "switch_latency",
    "in_switch_reduction",
];
/// Keys of `[scale_up]` with `topology = "full-mesh"`.
pub const SCALE_UP_MESH: &[&str] = &["accelerators", "links_per_peer"];
/// Keys of `[scale_up]` with `topology = "torus"`.
pub const SCALE_UP_TORUS: &[&str] = &["dims", "links_per_neighbor", "forwarding_latency"];
const SCALE_UP_TOPOLOGIES: &[&str] = &["switched", "full-mesh", "torus"];

/// Keys of `[scale_out]` whatever its topology.
pub const SCALE_OUT_COMMON: &[&str] = &[
    "kind",
    "topology",
    "nics_per_accelerator",
    "nic_bandwidth",
    "nic_link",
    "switch_radix",
    "planes",
    "routing",
    "switch_kind",
    "switch_latency",
    "in_switch_reduction",
    "latency",
    "efficiency",
];
/// Keys of `[scale_out]` with a Clos topology (rail-optimized, fat-tree, rail-only).
pub const SCALE_OUT_CLOS: &[&str] = &["tiers", "oversubscription"];
/// Keys of `[scale_out]` with `topology = "dragonfly"`.
pub const SCALE_OUT_DRAGONFLY: &[&str] = &[
    "routers_per_group",
    "terminals_per_router",
    "global_links_per_router",
    "groups",
];
const SCALE_OUT_TOPOLOGIES: &[&str] = &["rail-optimized", "fat-tree", "rail-only", "dragonfly"];

/// Keys of the `[dci]` table.
pub const DCI_KEYS: &[&str] = &[
    "sites",
    "kind",
    "bandwidth",
    "latency",
    "distance_km",
    "efficiency",
];

/// Most planes of a multi-plane scale-out.
pub(crate) const MAX_PLANES: u64 = 64;
/// Most sites joined by `[dci]`.
pub(crate) const MAX_SITES: u64 = 1024;
/// Most torus dimensions.
pub(crate) const MAX_TORUS_DIMS: usize = 3;

fn link_kind(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<(&'static LinkKind, Span)> {
    let s = string(sink, v, key, "a link kind such as \"nvlink4\"")?;
    if let Some(k) = presets::link_kind(s.v) {
        return Some((k, s.span));
    }
    let names = LINK_KINDS.iter().map(|k| k.name);
    let mut help = format!(
        "known link kinds: {}",
        LINK_KINDS
            .iter()
            .map(|k| k.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if presets::switch_kind(s.v).is_some() {
        help = format!("\"{}\" is a switch kind; {help}", s.v);
    }
    sink.error(
        s.span,
        format!("unknown link kind \"{}\"{}", s.v, suggestion(s.v, names)),
        Some(help),
    );
    None
}

fn switch_kind(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<&'static SwitchKind> {
    let s = string(sink, v, key, "a switch kind such as \"quantum-2\"")?;
    if let Some(k) = presets::switch_kind(s.v) {
        return Some(k);
    }
    let names: Vec<&str> = SWITCH_KINDS.iter().map(|k| k.name).collect();
    sink.error(
        s.span,
        format!(
            "unknown switch kind \"{}\"{}",
            s.v,
            suggestion(s.v, names.iter().copied())
        ),
        Some(format!("known switch kinds: {}", names.join(", "))),
    );
    None
}

fn routing(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Sp<RoutingMode>> {
    let s = string(sink, v, key, "\"spray\", \"hash\" or \"weighted\"")?;
    let mode = match s.v {
        "spray" => RoutingMode::Spray,
        "hash" => RoutingMode::Hash,
        "weighted" => RoutingMode::Weighted,
        other => {
            sink.error(
                s.span,
                format!(
                    "unknown routing mode \"{other}\"{}",
                    suggestion(other, ["spray", "hash", "weighted"])
                ),
                Some("routing is \"spray\" (split over all equal-cost paths), \"hash\" (one path per flow) or \"weighted\" (split per hop in proportion to link capacity)".to_string()),
            );
            return None;
        }
    };
    Some(Sp {
        v: mode,
        span: s.span,
    })
}

/// One id pattern or an array of them.
pub(super) fn patterns(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Vec<Sp<Pattern>>> {
    let one = |sink: &mut Sink<'_>, v: &Val<'_>| -> Option<Sp<Pattern>> {
        let s = string(
            sink,
            v,
            key,
            "a node id like \"gpu3\" or \"gpu[0..8]\", or an array of them",
        )?;
        match Pattern::parse(s.v) {
            Ok(p) => Some(Sp { v: p, span: s.span }),
            Err(msg) => {
                sink.error(
                    s.span,
                    msg,
                    Some("ids are like \"gpu3\"; \"gpu[0..8]\" is gpu0 to gpu7, \"gpu[1..=8]\" is gpu1 to gpu8".to_string()),
                );
                None
            }
        }
    };
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                sink.error(v.span(), format!("\"{key}\" must not be empty"), None);
                return None;
            }
            let mut out = Vec::new();
            let mut ok = true;
            for it in items.iter() {
                match one(sink, it) {
                    Some(p) => out.push(p),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        _ => one(sink, v).map(|p| vec![p]),
    }
}

/// Reads `kind`, `bandwidth` (or `bw_key`), `latency` and `efficiency` of a
/// link-producing table and applies the preset.
fn link_params(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: &Span,
    what: &str,
    kind_key: &str,
    bw_key: &str,
) -> Option<LinkParams> {
    let kind = match get(t, kind_key) {
        Some(v) => link_kind(sink, v, kind_key),
        None => {
            missing(sink, t, span, kind_key, what, "\"nvlink4\"");
            None
        }
    };
    // `Some(None)`: present but invalid (already reported).
    let bw = get(t, bw_key).map(|v| bandwidth(sink, v, bw_key));
    let lat = get(t, "latency").map(|v| quantity(sink, v, "latency", Quantity::Duration));
    let eff = get(t, "efficiency").map(|v| fraction(sink, v, "efficiency"));
    let ok = !matches!(bw, Some(None)) && !matches!(lat, Some(None)) && !matches!(eff, Some(None));
    let (bw, lat, eff) = (bw.flatten(), lat.flatten(), eff.flatten());
    let (kind, kind_span) = kind?;
    if !ok {
        return None;
    }
    let bandwidth_bps = match (bw, kind.bandwidth_bps) {
        (Some(b), _) => b.v,
        (None, Some(b)) => b,
        (None, None) => {
            sink.error(
                kind_span,
                format!("link kind \"{}\" has no preset bandwidth, and \"{bw_key}\" is not given", kind.name),
                Some(format!(
                    "set {bw_key} = \"400 Gb/s\" (per lane, per direction), or use a preset kind such as \"{}\"",
                    preset_of_family(kind.family)
                )),
            );
            return None;
        }
    };
    let latency_s = match (lat, kind.latency_s) {
        (Some(l), _) => l.v,
        (None, Some(l)) => l,
        (None, None) => {
            sink.error(
                kind_span,
                format!(
                    "link kind \"{}\" has no preset latency, and \"latency\" is not given",
                    kind.name
                ),
                Some(format!(
                    "set latency = \"100 ns\" (one traversal), or use a preset kind such as \"{}\"",
                    preset_of_family(kind.family)
                )),
            );
            return None;
        }
    };
    let (efficiency, efficiency_span) = match (eff, kind.efficiency) {
        (Some(e), _) => (e.v, e.span),
        (None, Some(e)) => (e, kind_span),
        (None, None) => (1.0, kind_span),
    };
    Some(LinkParams {
        kind: kind.name,
        bandwidth_bps,
        latency_s,
        efficiency,
        efficiency_span,
        default_tier: kind.default_tier,
        default_switch: kind.default_switch,
    })
}

/// A preset of the same family, for hints.
fn preset_of_family(family: &str) -> &'static str {
    LINK_KINDS
        .iter()
        .find(|k| k.family == family && k.bandwidth_bps.is_some())
        .map_or("nvlink4", |k| k.name)
}

/// Reads `switch_kind`, `switch_latency` (or `latency_key`) and
/// `in_switch_reduction`, defaulting the kind from the link kind.
fn switch_params(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    kind_key: &str,
    latency_key: &str,
    default_kind: Option<&'static str>,
) -> Option<SwitchParams> {
    let mut ok = true;
    let kind = match get(t, kind_key) {
        Some(v) => {
            let k = switch_kind(sink, v, kind_key);
            ok &= k.is_some();
            k
        }
        None => default_kind.and_then(presets::switch_kind),
    };
    let latency = match get(t, latency_key) {
        Some(v) => {
            let l = quantity(sink, v, latency_key, Quantity::Duration);
            ok &= l.is_some();
            l.map(|l| l.v)
        }
        None => None,
    };
    let isr = match get(t, "in_switch_reduction") {
        Some(v) => {
            let b = boolean(sink, v, "in_switch_reduction");
            ok &= b.is_some();
            b
        }
        None => None,
    };
    ok.then(|| SwitchParams {
        kind,
        latency_s: latency.unwrap_or_else(|| kind.map_or(0.0, |k| k.latency_s)),
        in_switch_reduction: isr.unwrap_or_else(|| kind.is_some_and(|k| k.in_switch_reduction)),
    })
}

/// Reads the whole document. Problems go to `sink`.
pub(crate) fn read_file(sink: &mut Sink<'_>, root: &DeTable<'_>) -> FileSpec {
    check_keys(sink, root, TOP_KEYS, "the top level");
    let mut spec = FileSpec::default();
    if let Some(v) = get(root, "name") {
        spec.name = string(sink, v, "name", "a string").map(|s| s.v.to_string());
    }
    if let Some(v) = get(root, "description") {
        string(sink, v, "description", "a string");
    }
    if let Some(v) = get(root, "calibration") {
        spec.calibration = string(sink, v, "calibration", "a file name (string)").map(|s| Sp {
            v: s.v.to_string(),
            span: s.span,
        });
    }
    if let Some(v) = get(root, "routing") {
        spec.routing = routing(sink, v, "routing");
    }
    if let Some(v) = get(root, "nodes") {
        for (t, span) in tables(sink, v, "nodes") {
            match read_node(sink, t, span) {
                Some(n) => spec.nodes.push(n),
                None => spec.nodes_incomplete = true,
            }
        }
    }
    if let Some(v) = get(root, "links") {
        for (t, span) in tables(sink, v, "links") {
            if let Some(l) = read_link(sink, t, span) {
                spec.links.push(l);
            }
        }
    }
    let mut incomplete = false;
    spec.scale_up = block(sink, root, "scale_up", &mut incomplete, read_scale_up);
    spec.dci = block(sink, root, "dci", &mut incomplete, read_dci);
    spec.scale_out = block(sink, root, "scale_out", &mut incomplete, read_scale_out);
    spec.nodes_incomplete |= incomplete;
    if let Some(v) = get(root, "failures") {
        spec.failures = super::failures::read(sink, v);
    }
    spec
}

/// Reads the block table `[key]` with `read`; a block that is present but
/// unreadable (wrong type or errors inside) sets `incomplete`, since the
/// nodes it would have generated are missing.
fn block<T>(
    sink: &mut Sink<'_>,
    root: &DeTable<'_>,
    key: &str,
    incomplete: &mut bool,
    read: impl FnOnce(&mut Sink<'_>, &DeTable<'_>, Span) -> Option<T>,
) -> Option<T> {
    let v = get(root, key)?;
    let out = match v.get_ref() {
        DeValue::Table(t) => read(sink, t, v.span()),
        _ => {
            wrong_type(sink, v, key, &format!("a table ([{key}])"), None);
            None
        }
    };
    *incomplete |= out.is_none();
    out
}

const NODE_ROLES: &[(&str, NodeRole)] = &[
    ("accelerator", NodeRole::Accelerator),
    ("switch", NodeRole::Switch),
    ("nic", NodeRole::Nic),
    ("host", NodeRole::Host),
];

fn read_node(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<NodeSpec> {
    const WHAT: &str = "a [[nodes]] entry";
    check_keys(sink, t, NODE_KEYS, WHAT);
    let ids = match get(t, "id") {
        Some(v) => patterns(sink, v, "id"),
        None => {
            missing(sink, t, &span, "id", WHAT, "\"gpu[0..8]\"");
            None
        }
    };
    let kind = match get(t, "kind") {
        Some(v) => string(sink, v, "kind", "a node kind such as \"accelerator\"").and_then(|s| {
            if let Some((_, r)) = NODE_ROLES.iter().find(|(n, _)| *n == s.v) {
                return Some(NodeKind::Role(*r));
            }
            if let Some(k) = presets::switch_kind(s.v) {
                return Some(NodeKind::Switch(k));
            }
            let names: Vec<&str> = NODE_ROLES
                .iter()
                .map(|(n, _)| *n)
                .chain(SWITCH_KINDS.iter().map(|k| k.name))
                .collect();
            let mut help = format!("node kinds: {}", names.join(", "));
            if presets::link_kind(s.v).is_some() {
                help = format!("\"{}\" is a link kind; {help}", s.v);
            }
            sink.error(
                s.span,
                format!(
                    "unknown node kind \"{}\"{}",
                    s.v,
                    suggestion(s.v, names.iter().copied())
                ),
                Some(help),
            );
            None
        }),
        None => {
            missing(sink, t, &span, "kind", WHAT, "\"accelerator\"");
            None
        }
    };
    let is_acc = matches!(kind, Some(NodeKind::Role(NodeRole::Accelerator)));
    let is_switch = matches!(
        kind,
        Some(NodeKind::Switch(_)) | Some(NodeKind::Role(NodeRole::Switch))
    );
    let forwards = get(t, "forwards").and_then(|v| boolean(sink, v, "forwards"));
    let latency_s = get(t, "latency").and_then(|v| {
        let l = quantity(sink, v, "latency", Quantity::Duration)?;
        if is_acc && forwards != Some(true) {
            sink.error(
                l.span,
                "an accelerator has no forwarding latency unless it forwards traffic".to_string(),
                Some("latency on a node is the forwarding latency of a switch, NIC or host, or of an accelerator with forwards = true; put link latency on [[links]]".to_string()),
            );
            return None;
        }
        Some(l.v)
    });
    let in_switch_reduction = get(t, "in_switch_reduction").and_then(|v| {
        let b = boolean(sink, v, "in_switch_reduction")?;
        if b && kind.is_some() && !is_switch {
            sink.error(
                v.span(),
                "only switches can reduce in the network".to_string(),
                Some("remove in_switch_reduction or make this node kind = \"switch\"".to_string()),
            );
            return None;
        }
        Some(b)
    });
    // The ids are kept even when the kind is wrong, so links to them resolve.
    Some(NodeSpec {
        span,
        ids: ids?,
        kind,
        latency_s,
        in_switch_reduction,
        forwards,
    })
}

fn read_link(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<LinkSpec> {
    const WHAT: &str = "a [[links]] entry";
    check_keys(sink, t, LINK_KEYS, WHAT);
    let ends = match get(t, "between") {
        Some(v) => match v.get_ref() {
            DeValue::Array(items) if items.len() == 2 => {
                let a = patterns(sink, &items[0], "between");
                let b = patterns(sink, &items[1], "between");
                a.zip(b).map(|(a, b)| (a, b, v.span()))
            }
            _ => {
                sink.error(
                    v.span(),
                    "\"between\" must be an array of two endpoints".to_string(),
                    Some("write between = [\"gpu0\", \"sw0\"]; each endpoint may be a range such as \"gpu[0..8]\" or an array of ids, and every pair of the two groups is linked".to_string()),
                );
                None
            }
        },
        None => {
            missing(sink, t, &span, "between", WHAT, "[\"gpu0\", \"sw0\"]");
            None
        }
    };
    let params = link_params(sink, t, &span, WHAT, "kind", "bandwidth");
    let count = get(t, "count").map(|v| uint(sink, v, "count", 1, 65536));
    let tier = get(t, "tier")
        .map(|v| string(sink, v, "tier", "a string such as \"leaf\"").map(|s| s.v.to_string()));
    let (a, b, between_span) = ends?;
    Some(LinkSpec {
        span,
        between_span,
        a,
        b,
        params: params.filter(|_| !matches!(count, Some(None)) && !matches!(tier, Some(None))),
        count: count.flatten().unwrap_or(1) as u32,
        tier: tier.flatten(),
    })
}

/// Reports keys of `t` that belong to another `topology` than `chosen`
/// (`shapes` lists each topology's own keys; `common` keys always apply).
fn shape_keys(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    common: &[&str],
    shapes: &[(&str, &[&str])],
    chosen: &str,
    what: &str,
) {
    let own: Vec<&str> = shapes
        .iter()
        .filter(|(n, _)| *n == chosen)
        .flat_map(|(_, ks)| ks.iter().copied())
        .collect();
    for (k, _) in t.iter() {
        let key: &str = k.get_ref();
        if common.contains(&key) || own.contains(&key) {
            continue;
        }
        let users: Vec<&str> = shapes
            .iter()
            .filter(|(_, ks)| ks.contains(&key))
            .map(|(n, _)| *n)
            .collect();
        if users.is_empty() {
            continue; // Unknown key, reported by check_keys.
        }
        let keys: Vec<&str> = common.iter().chain(own.iter()).copied().collect();
        sink.error(
            k.span(),
            format!("\"{key}\" does not apply to {what} with topology = \"{chosen}\""),
            Some(format!(
                "\"{key}\" is a key of topology = {}; the keys of this block are: {}",
                users
                    .iter()
                    .map(|u| format!("\"{u}\""))
                    .collect::<Vec<_>>()
                    .join(" or "),
                keys.join(", ")
            )),
        );
    }
}

/// Reads a `topology` key: one of `names`, or `default` when absent.
fn topology_name(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    names: &[&'static str],
    default: &'static str,
    what: &str,
) -> Option<&'static str> {
    let Some(v) = get(t, "topology") else {
        return Some(default);
    };
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let s = string(sink, v, "topology", &quoted.join(", "))?;
    if let Some(n) = names.iter().find(|n| **n == s.v) {
        return Some(n);
    }
    sink.error(
        s.span,
        format!(
            "unknown {what} topology \"{}\"{}",
            s.v,
            suggestion(s.v, names.iter().copied())
        ),
        Some(format!(
            "supported: {} (default \"{default}\")",
            quoted.join(", ")
        )),
    );
    None
}

fn read_scale_up(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<ScaleUpSpec> {
    const WHAT: &str = "[scale_up]";
    let all: Vec<&str> = [
        SCALE_UP_COMMON,
        SCALE_UP_SWITCHED,
        SCALE_UP_MESH,
        SCALE_UP_TORUS,
    ]
    .concat()
    .into_iter()
    .fold(Vec::new(), |mut v, k| {
        if !v.contains(&k) {
            v.push(k);
        }
        v
    });
    check_keys(sink, t, &all, WHAT);
    let before = sink.error_count();
    let topology = topology_name(sink, t, SCALE_UP_TOPOLOGIES, "switched", "scale-up");
    if let Some(name) = topology {
        shape_keys(
            sink,
            t,
            SCALE_UP_COMMON,
            &[
                ("switched", SCALE_UP_SWITCHED),
                ("full-mesh", SCALE_UP_MESH),
                ("torus", SCALE_UP_TORUS),
            ],
            name,
            WHAT,
        );
    }
    let link = link_params(sink, t, &span, WHAT, "kind", "bandwidth");
    let req = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, ex: &str| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => {
            missing(sink, t, &span, key, WHAT, ex);
            None
        }
    };
    let opt = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, default: u64| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => Some(default),
    };
    let domains = opt(sink, "domains", 1, MAX_INT, 1);
    let (accelerators, shape) = match topology {
        None => (None, None),
        Some("full-mesh") => {
            let n = req(sink, "accelerators", 1, MAX_INT, "8");
            let lanes = opt(sink, "links_per_peer", 1, 65536, 1);
            (
                n,
                lanes.map(|l| ScaleUpShape::FullMesh { links_per_peer: l }),
            )
        }
        Some("torus") => {
            let dims = match get(t, "dims") {
                Some(v) => torus_dims(sink, v),
                None => {
                    missing(sink, t, &span, "dims", WHAT, "[16, 16, 16]");
                    None
                }
            };
            let lanes = opt(sink, "links_per_neighbor", 1, 65536, 1);
            let fwd = match get(t, "forwarding_latency") {
                Some(v) => quantity(sink, v, "forwarding_latency", Quantity::Duration).map(|q| q.v),
                None => Some(0.0),
            };
            let n = dims.as_ref().map(|d| d.iter().product::<u64>());
            let shape = match (dims, lanes, fwd) {
                (Some(dims), Some(l), Some(f)) => Some(ScaleUpShape::Torus {
                    dims,
                    links_per_neighbor: l,
                    forwarding_latency_s: f,
                }),
                _ => None,
            };
            (n, shape)
        }
        Some(_) => {
            let n = req(sink, "accelerators", 1, MAX_INT, "8");
            let switches = req(sink, "switches", 1, MAX_INT, "4");
            let lanes = links_per_switch(sink, t, switches);
            let default_switch = link.as_ref().and_then(|l| l.default_switch);
            let switch = switch_params(sink, t, "switch_kind", "switch_latency", default_switch);
            let shape = match (switches, lanes, switch) {
                (Some(switches), Some(links_per_switch), Some(switch)) => {
                    Some(ScaleUpShape::Switched {
                        switches,
                        links_per_switch,
                        switch,
                    })
                }
                _ => None,
            };
            (n, shape)
        }
    };
    if sink.error_count() > before {
        return None;
    }
    Some(ScaleUpSpec {
        span,
        link: link?,
        accelerators: accelerators?,
        shape: shape?,
        domains: domains?,
    })
}

/// `dims` of a torus: 1 to 3 integers, each at least 2, with a product
/// that fits a `u32`.
fn torus_dims(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Vec<u64>> {
    let help = "e.g. dims = [16, 16, 16] (a 3D torus of 4,096 chips) or [8, 8] (2D)".to_string();
    let DeValue::Array(items) = v.get_ref() else {
        wrong_type(sink, v, "dims", "an array of 1 to 3 integers", Some(help));
        return None;
    };
    if items.is_empty() || items.len() > MAX_TORUS_DIMS {
        sink.error(
            v.span(),
            format!(
                "\"dims\" must list 1 to {MAX_TORUS_DIMS} dimensions, found {}",
                items.len()
            ),
            Some(help),
        );
        return None;
    }
    let mut dims = Vec::with_capacity(items.len());
    let mut ok = true;
    for it in items.iter() {
        match it.get_ref() {
            DeValue::Integer(i)
                if i128::from_str_radix(i.as_str(), i.radix()).is_ok_and(|n| n == 1) =>
            {
                sink.error(
                    it.span(),
                    "a torus dimension of size 1 has no neighbours".to_string(),
                    Some("remove the dimension: [16, 1, 16] is the 2D torus [16, 16]".to_string()),
                );
                ok = false;
            }
            _ => match uint(sink, it, "dims", 2, 65536) {
                Some(d) => dims.push(d),
                None => ok = false,
            },
        }
    }
    if !ok {
        return None;
    }
    let n = dims.iter().fold(1u128, |p, &d| p * u128::from(d));
    if n > u128::from(MAX_INT) {
        sink.error(
            v.span(),
            format!("the torus would have {n} accelerators per domain, more than {MAX_INT}"),
            Some(format!(
                "the dims multiply; a topology has at most --max-nodes nodes ({} by default)",
                fabricsim_base::limits::MAX_NODES
            )),
        );
        return None;
    }
    Some(dims)
}

/// `links_per_switch` of a switched `[scale_up]` (default 1).
fn links_per_switch(sink: &mut Sink<'_>, t: &DeTable<'_>, switches: Option<u64>) -> Option<Lanes> {
    let Some(v) = get(t, "links_per_switch") else {
        return Some(Lanes::Uniform(1));
    };
    match v.get_ref() {
        DeValue::Array(items) => {
            let xs: Vec<Option<u64>> = items
                .iter()
                .map(|it| uint(sink, it, "links_per_switch", 0, 65536))
                .collect();
            let xs: Option<Vec<u64>> = xs.into_iter().collect();
            match (xs, switches) {
                (Some(xs), Some(s)) if xs.len() as u64 != s => {
                    sink.error(
                        v.span(),
                        format!(
                            "\"links_per_switch\" lists {} switches, but switches = {s}",
                            xs.len()
                        ),
                        Some(
                            "give one lane count per switch, or a single integer for all"
                                .to_string(),
                        ),
                    );
                    None
                }
                (Some(xs), _) if xs.iter().all(|&x| x == 0) => {
                    sink.error(
                        v.span(),
                        "\"links_per_switch\" connects nothing".to_string(),
                        None,
                    );
                    None
                }
                (xs, _) => xs.map(Lanes::PerSwitch),
            }
        }
        _ => uint(sink, v, "links_per_switch", 1, 65536).map(Lanes::Uniform),
    }
}

fn read_scale_out(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<ScaleOutSpec> {
    const WHAT: &str = "[scale_out]";
    let all = [SCALE_OUT_COMMON, SCALE_OUT_CLOS, SCALE_OUT_DRAGONFLY].concat();
    check_keys(sink, t, &all, WHAT);
    let before = sink.error_count();
    let topology = topology_name(sink, t, SCALE_OUT_TOPOLOGIES, "rail-optimized", "scale-out");
    if let Some(name) = topology {
        shape_keys(
            sink,
            t,
            SCALE_OUT_COMMON,
            &[
                ("rail-optimized", SCALE_OUT_CLOS),
                ("fat-tree", SCALE_OUT_CLOS),
                ("rail-only", SCALE_OUT_CLOS),
                ("dragonfly", SCALE_OUT_DRAGONFLY),
            ],
            name,
            WHAT,
        );
    }
    let shape = topology.map(|n| match n {
        "fat-tree" => ScaleOutShape::FatTree,
        "rail-only" => ScaleOutShape::RailOnly,
        "dragonfly" => ScaleOutShape::Dragonfly,
        _ => ScaleOutShape::RailOptimized,
    });
    let link = link_params(sink, t, &span, WHAT, "kind", "nic_bandwidth");
    let nic_link = match get(t, "nic_link") {
        Some(v) => link_kind(sink, v, "nic_link").and_then(|(k, ks)| match (k.bandwidth_bps, k.latency_s) {
            (Some(b), Some(l)) => Some(LinkParams {
                kind: k.name,
                bandwidth_bps: b,
                latency_s: l,
                efficiency: k.efficiency.unwrap_or(1.0),
                efficiency_span: ks,
                default_tier: "nic",
                default_switch: None,
            }),
            _ => {
                sink.error(
                    ks,
                    format!("\"nic_link\" must be a preset link kind with values, \"{}\" is generic", k.name),
                    Some("use e.g. nic_link = \"pcie5-x16\"".to_string()),
                );
                None
            }
        }),
        None => None,
    };
    let opt = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, default: u64| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => Some(default),
    };
    let nics = opt(sink, "nics_per_accelerator", 1, 64, 1);
    let planes = opt(sink, "planes", 1, MAX_PLANES, 1);
    let default_switch = link.as_ref().and_then(|l| l.default_switch);
    let switch = switch_params(sink, t, "switch_kind", "switch_latency", default_switch);
    let radix_v = get(t, "switch_radix");
    let radix = match radix_v {
        Some(v) => uint(sink, v, "switch_radix", 2, 65536).map(Some),
        None => match switch.and_then(|s| s.kind).and_then(|k| k.ports) {
            Some(p) => Some(Some(u64::from(p))),
            None if shape == Some(ScaleOutShape::Dragonfly) => Some(None),
            None => {
                if switch.is_some() && shape.is_some() {
                    missing(sink, t, &span, "switch_radix", WHAT, "64");
                }
                None
            }
        },
    };
    let tiers_v = get(t, "tiers");
    let default_tiers = if shape == Some(ScaleOutShape::RailOnly) {
        1
    } else {
        2
    };
    let tiers = match tiers_v {
        Some(v) => uint(sink, v, "tiers", 1, u64::from(MAX_TIERS)).map(|x| x as u32),
        None => Some(default_tiers),
    };
    let over_v = get(t, "oversubscription");
    let oversubscription = match over_v {
        None => Some((1, 1)),
        Some(v) => string(sink, v, "oversubscription", "a ratio such as \"2:1\"").and_then(|s| {
            let parsed = s.v.split_once(':').and_then(|(a, b)| {
                let a: u64 = a.trim().parse().ok()?;
                let b: u64 = b.trim().parse().ok()?;
                (1..=1000).contains(&a).then_some(())?;
                (1..=1000).contains(&b).then_some((a, b))
            });
            if parsed.is_none() {
                sink.error(
                    s.span,
                    format!("invalid oversubscription \"{}\": expected \"down:up\" with integers from 1 to 1000", s.v),
                    Some("e.g. \"1:1\" (non-blocking) or \"2:1\" (leaf down-ports : up-ports)".to_string()),
                );
            }
            parsed
        }),
    };
    // INVARIANT: a 1-tier Clos has no uplinks, so no oversubscription.
    if let (Some(v), Some(1), Some(o)) = (over_v, tiers, oversubscription)
        && o.0 != o.1
    {
        sink.error(
            v.span(),
            format!(
                "oversubscription {}:{} needs an uplink tier, but tiers = 1 has none",
                o.0, o.1
            ),
            Some("remove oversubscription, or use tiers = 2 or more".to_string()),
        );
    }
    let dragonfly = if shape == Some(ScaleOutShape::Dragonfly) {
        let req = |sink: &mut Sink<'_>, key: &str, min: u64, ex: &str| match get(t, key) {
            Some(v) => uint(sink, v, key, min, 65536),
            None => {
                missing(sink, t, &span, key, WHAT, ex);
                None
            }
        };
        let a = req(sink, "routers_per_group", 1, "8");
        let p = req(sink, "terminals_per_router", 1, "4");
        let h = req(sink, "global_links_per_router", 1, "4");
        let g = get(t, "groups").map(|v| uint(sink, v, "groups", 1, MAX_INT));
        match (a, p, h, g) {
            (Some(a), Some(p), Some(h), None | Some(Some(_))) => Some(Some(DragonflySpec {
                routers_per_group: a,
                terminals_per_router: p,
                global_links_per_router: h,
                groups: g.flatten(),
            })),
            _ => None,
        }
    } else {
        Some(None)
    };
    let routing = get(t, "routing").map(|v| routing(sink, v, "routing"));
    if sink.error_count() > before {
        return None;
    }
    let shape_span = get(t, "topology").map_or(span.clone(), |v| v.span());
    let sizing_span = if shape == Some(ScaleOutShape::Dragonfly) {
        get(t, "groups").or(get(t, "routers_per_group"))
    } else {
        tiers_v.or(radix_v)
    }
    .map_or(span.clone(), |v| v.span());
    Some(ScaleOutSpec {
        span,
        sizing_span,
        link: link?,
        nic_link,
        shape: shape?,
        shape_span,
        nics_per_accelerator: nics?,
        radix: radix?,
        tiers: tiers?,
        oversubscription: oversubscription?,
        planes: planes?,
        dragonfly: dragonfly?,
        routing: routing.flatten(),
        switch: switch?,
    })
}

fn read_dci(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<DciSpec> {
    const WHAT: &str = "[dci]";
    check_keys(sink, t, DCI_KEYS, WHAT);
    let before = sink.error_count();
    let sites = match get(t, "sites") {
        Some(v) => uint(sink, v, "sites", 2, MAX_SITES),
        None => {
            missing(sink, t, &span, "sites", WHAT, "2");
            None
        }
    };
    let kind = match get(t, "kind") {
        Some(v) => link_kind(sink, v, "kind"),
        None => presets::link_kind("dci").map(|k| (k, span.clone())),
    };
    let pair_bw = get(t, "bandwidth").map(|v| bandwidth(sink, v, "bandwidth"));
    let lat = get(t, "latency").map(|v| quantity(sink, v, "latency", Quantity::Duration));
    let dist = get(t, "distance_km").map(|v| distance_km(sink, v));
    if let (Some(Some(l)), Some(Some(_))) = (&lat, &dist) {
        sink.error(
            l.span.clone(),
            "give either \"latency\" or \"distance_km\", not both".to_string(),
            Some(format!(
                "distance_km sets latency = {} µs/km × distance",
                presets::FIBRE_LATENCY_S_PER_KM * 1e6
            )),
        );
    }
    let eff = get(t, "efficiency").map(|v| fraction(sink, v, "efficiency"));
    let (kind, kind_span) = kind?;
    let latency_s = match (lat, dist, kind.latency_s) {
        (Some(l), _, _) => l.map(|l| l.v),
        (None, Some(d), _) => d.map(|km| km * presets::FIBRE_LATENCY_S_PER_KM),
        (None, None, Some(l)) => Some(l),
        (None, None, None) => {
            sink.error(
                kind_span.clone(),
                format!(
                    "link kind \"{}\" has no preset latency, and neither \"latency\" nor \"distance_km\" is given",
                    kind.name
                ),
                Some("set distance_km = 100 (5 µs per km of fibre) or latency = \"0.5 ms\"".to_string()),
            );
            None
        }
    };
    let pair_bandwidth_bps = match pair_bw {
        Some(b) => Some(b?.v),
        None => None,
    };
    if pair_bandwidth_bps.is_none() && kind.bandwidth_bps.is_none() {
        sink.error(
            kind_span.clone(),
            format!(
                "link kind \"{}\" has no preset bandwidth, and \"bandwidth\" (per site pair) is not given",
                kind.name
            ),
            Some("set bandwidth = \"12.8 Tb/s\" (per site pair, per direction), or use kind = \"dci\"".to_string()),
        );
    }
    if sink.error_count() > before {
        return None;
    }
    let (efficiency, efficiency_span) = match (eff.flatten(), kind.efficiency) {
        (Some(e), _) => (e.v, e.span),
        (None, Some(e)) => (e, kind_span),
        (None, None) => (1.0, kind_span),
    };
    Some(DciSpec {
        span,
        sites: sites?,
        link: LinkParams {
            kind: kind.name,
            bandwidth_bps: kind.bandwidth_bps.unwrap_or(0.0),
            latency_s: latency_s?,
            efficiency,
            efficiency_span,
            default_tier: "dci",
            default_switch: None,
        },
        pair_bandwidth_bps,
    })
}

/// `distance_km`: a positive, finite number of kilometres.
fn distance_km(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<f64> {
    let x = match v.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        _ => {
            wrong_type(sink, v, "distance_km", "a number of kilometres", None);
            return None;
        }
    };
    match x {
        Some(x) if x > 0.0 && x.is_finite() => Some(x),
        _ => {
            sink.error(
                v.span(),
                "\"distance_km\" must be a positive, finite number of kilometres".to_string(),
                Some("e.g. distance_km = 80".to_string()),
            );
            None
        }
    }
}
