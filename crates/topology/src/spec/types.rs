//! The spanned specification of a topology file: what the readers produce
//! and the builder consumes (`None` fields and dropped entries are problems
//! already reported).

use crate::NodeRole;
use crate::RoutingMode;
use crate::pattern::Pattern;
use crate::presets::SwitchKind;
use fabricsim_base::spanned::*;

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
    /// `[[failures]]` entries (`failures/`), applied after building.
    pub failures: Vec<crate::failures::Entry>,
    /// `calibration = "FILE"`: a preset override file (`fabricsim calibrate
    /// --out`), relative to the topology file's folder.
    pub calibration: Option<Sp<String>>,
    /// `accelerator = "NAME"`: the accelerator preset, if named and known.
    pub accelerator: Option<&'static crate::accelerators::Accelerator>,
    /// `[power]`: overrides of the power presets.
    pub power: crate::power::PowerSettings,
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
            ScaleUpShape::FullMesh { .. } => crate::blocks::mesh_links(self.accelerators),
            ScaleUpShape::Torus { dims, .. } => crate::blocks::torus_links(dims),
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
