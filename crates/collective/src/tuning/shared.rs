//! What NCCL 2.20.3's and 2.28.3's cost models compute alike or from one
//! table: the protocols' bandwidth shares, the tree and CollNet Direct
//! bandwidth refinements and the latency of a step sequence per algorithm
//! (the parent module's docs give the formulas).

use super::{Arch, CommShape, NcclAlgo, log2i};
use crate::presets::{TREE_LL_DIVISOR, tree_ll128_share};
use crate::{Op, Protocol};

/// A release's per-architecture caps \[GB/s\] for one node-count class.
pub(super) struct Caps {
    /// `llMaxBws`.
    pub ll_max: f64,
    /// `perChMaxRingLL128Bws`.
    pub ring_ll128_per_ch: f64,
    /// `perChMaxTreeLL128Bws`.
    pub tree_ll128_per_ch: f64,
    /// `perChMaxTreeBws`.
    pub tree_per_ch: f64,
}

/// NCCL's bandwidth factor for a tree graph of the plain tree pattern,
/// **cited** (docs/sources.md [S-nccl-tuning-cc], [S-nccl-search-cc]).
const TREE_PATTERN_FACTOR: f64 = 0.85;

/// The tree's and CollNet Direct's refinements of bus bandwidth `bus`
/// \[GB/s\] (others unchanged): tree `min(0.92·B, c·perChMaxTree)`, then LL
/// `min(B/3.8, llMaxBw)` or LL128 `min(B·(7/9 | 120/128), c·perChMaxTreeLL128)`,
/// then `×0.85` at one rank per node; CollNet Direct `B/(r − (r−1)/2)`,
/// `×0.85` from Hopper on.
///
/// NCCL takes the tree's `×0.85` when its tree graph has the plain tree
/// pattern (`NCCL_TOPO_PATTERN_TREE`, `tuning.cc` of 2.20.3 and 2.28.3).
/// Its search forces that pattern on a node of one GPU (`search.cc`,
/// `ncclTopoCompute`); elsewhere the pattern is the search's outcome,
/// which fabricsim does not rerun, so the factor is applied only there.
pub(super) fn refine_tree_collnet(
    bus: f64,
    shape: &CommShape,
    a: NcclAlgo,
    p: Protocol,
    caps: &Caps,
) -> f64 {
    let c = shape.channels();
    match a {
        NcclAlgo::Tree => {
            let bus = (bus * 0.92).min(c * caps.tree_per_ch);
            let bus = match p {
                // As NCCL writes it, a division (the share is its inverse).
                Protocol::Ll => (bus / TREE_LL_DIVISOR).min(caps.ll_max),
                Protocol::Ll128 => {
                    (bus * tree_ll128_share(shape.nodes)).min(c * caps.tree_ll128_per_ch)
                }
                Protocol::Simple => bus,
            };
            if shape.ranks <= shape.nodes {
                bus * TREE_PATTERN_FACTOR
            } else {
                bus
            }
        }
        NcclAlgo::CollNetDirect => {
            let r = shape.gpus_per_nic.max(1.0);
            let bus = bus / (r - (r - 1.0) / 2.0);
            if matches!(shape.arch, Arch::Hopper | Arch::Blackwell) {
                bus * 0.85
            } else {
                bus
            }
        }
        _ => bus,
    }
}

/// Per-step latencies of one algorithm and protocol \[µs\]: `base` once,
/// `intra` per NVLink hop, `inter` per network hop, `ring_hw` the one
/// hop of a ring broadcast or reduce, and `inter_steps` a ring's network
/// steps.
pub(super) struct Lat {
    pub base: f64,
    pub intra: f64,
    pub inter: f64,
    pub ring_hw: f64,
    pub inter_steps: f64,
}

/// The latency of `a` for `op` \[µs\] (parent module docs): ring
/// `base + (nsteps − k)·max(intra, o) + k·inter` (`o` the network post
/// overhead, 1 µs, ×3 for Simple, on several nodes), broadcast and reduce
/// `base + ring_hw`; tree `base + 2((⌊ppn⌋−1)·intra + ⌊log2 N⌋·inter)`;
/// CollNet Direct `base + 2(min(1, k)·intra + 0.4k) + inter`
/// (`k = ⌊ppn⌋ − 1`), Chain `base + 2k·intra + inter`; NVLS `intra`
/// (+ `inter` on several nodes); NVLSTree `base + intra + 2⌊log2 N⌋·inter`.
/// PAT's latency is its release's own (`None`).
pub(super) fn latency(shape: &CommShape, op: Op, a: NcclAlgo, p: Protocol, l: &Lat) -> Option<f64> {
    let nodes = shape.nodes.max(1);
    let nn = nodes as f64;
    let n = shape.ranks as f64;
    let k = (n / nn).floor() - 1.0;
    Some(match a {
        NcclAlgo::Ring if matches!(op, Op::Broadcast | Op::Reduce) => l.base + l.ring_hw,
        NcclAlgo::Ring => {
            let overhead = match (nodes > 1, p == Protocol::Simple) {
                (false, _) => 0.0,
                (true, true) => 3.0,
                (true, false) => 1.0,
            };
            // Added to the base as one term, as NCCL (`+=`) does.
            l.base
                + ((super::nsteps(op, n) - l.inter_steps) * l.intra.max(overhead)
                    + l.inter_steps * l.inter)
        }
        NcclAlgo::Tree => l.base + 2.0 * (k * l.intra + log2i(nn) * l.inter),
        NcclAlgo::CollNetDirect => l.base + (2.0 * (k.min(1.0) * l.intra + 0.4 * k) + l.inter),
        NcclAlgo::CollNetChain => l.base + (2.0 * k * l.intra + l.inter),
        NcclAlgo::Nvls => l.intra + if nodes > 1 { l.inter } else { 0.0 },
        NcclAlgo::NvlsTree => l.base + (l.intra + 2.0 * log2i(nn) * l.inter),
        NcclAlgo::Pat => return None,
    })
}
