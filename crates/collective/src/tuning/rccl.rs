//! RCCL's own choice on AMD Instinct GPUs: its cost model and the rules it
//! applies after it.
//!
//! RCCL keeps NCCL's form, `t = lat + S / (1000 · bw)` µs (`S` bytes, `bw`
//! algorithm bandwidth in GB/s), with tables of its own per *tuning model*
//! (ROCm/rccl `src/graph/tuning.cc` @9e22c79, the RCCL 2.26 / ROCm 7.0
//! line; docs/sources.md [S-rccl-tuning-cc]). The model is picked from the
//! GPU architecture: 5 for gfx942 (MI300X, MI325X), 6 for gfx950 (MI350X,
//! MI355X) (`rcclGetTuningIndexForArch`; the platform models of
//! `rome_models.cc` set the same indices). fabricsim restates, for `n`
//! ranks on `N` nodes (`ppn = n/N`):
//!
//! * **Bandwidth.** Bus bandwidth `B` = the GPU's xGMI links × 48 GB/s
//!   (RCCL's per-link xGMI speed for gfx942 and gfx950, `topo.h`; a
//!   platform model's graph has `nChannels · bwIntra` equal to it), times
//!   `bwRatio[N ≤ 2 ? 0 : 1][algo][proto]`: tree LL 0.06, LL128 0.06,
//!   Simple 0.11 (0.59 above 2 nodes); ring LL 0.08, LL128 0.08, Simple 1.
//!   Ring LL broadcast and reduce on one node ×1.65. Algorithm bandwidth:
//!   ring `B · n / nsteps` (`nsteps` = `2(n−1)` all-reduce, `n−1`
//!   all-gather / reduce-scatter, `n` otherwise), tree `B / 2`.
//! * **Latency.** `baseLat` 12 / 12 / 17 µs (LL / LL128 / Simple) for both
//!   algorithms; per xGMI hop (`hwLat[NVLINK]`, xGMI's row) tree 0.9 / 0.9 /
//!   2.3, ring 0.8 / 0.8 / 2.1; per network hop (`hwLat[NET]`) tree 10.5 /
//!   10.5 / 25, ring 9.5 / 9.5 / 320 (the tree's row at one rank per node).
//!   Ring: `base + (nsteps − k)·max(intra, o) + k·inter`, `k` = `2(N−1)`
//!   (all-reduce) or `N−1` (all-gather, reduce-scatter), `o` the network
//!   post overhead on several nodes, 2 µs on an AMD host CPU, ×3 for
//!   Simple; broadcast and reduce `base + one hop`. Tree (all-reduce only):
//!   `base + 2((⌊ppn⌋ − 1)·intra + ⌊log2 N⌋·inter)`.
//! * **Size corrections.** `bw` is multiplied by a per-size factor indexed
//!   by `⌊log2(S/64)⌋` (27 buckets, the last for anything larger): the
//!   tree's table always, the ring's only on several nodes.
//! * **Enabled.** Tree for all-reduce only, and tree/Simple not when every
//!   rank is on one node; ring for all five collectives. LL128 only where
//!   the platform model enables it: several nodes of 8 GPUs with one NIC
//!   per GPU (`rome_models.cc` @cb829d6; [`comm_shape`]), not on one node.
//! * **Choice.** The cheapest entry, ties to the earlier in RCCL's order
//!   (tree before ring; LL, LL128, Simple). Then on two or more nodes
//!   (`rcclUpdateCollectiveProtocol`, `src/rccl_wrap.cc` @ee075f8), for
//!   all-reduce, all-gather, reduce-scatter and broadcast whose tuning
//!   model defines protocol windows, the protocol is overwritten (the
//!   algorithm kept): Simple, LL when the size per rank is in the LL window,
//!   then LL128 when it is in the LL128 window (its upper end ×3.8 for
//!   all-reduce above 2 nodes). The size per rank is `S` for all-reduce and
//!   `S/n` otherwise.
//!
//! Where fabricsim differs, deliberately (docs/collectives.md): RCCL's
//! MSCCL / MSCCL++ kernels, which take over some sizes on one MI300X node,
//! are not modelled (their size limits are not in the tuning model); the
//! host CPU is taken to be AMD; below 64 bytes the first size bucket
//! applies (RCCL indexes the table at −1 there).

use super::{NcclAlgo, log2i, nsteps};
use crate::{Op, Protocol};
use fabricsim_topology::NodeId;

/// The AMD GPU architecture, which selects RCCL's tuning model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gfx {
    /// gfx942 (MI300X, MI300A, MI325X): tuning model 5.
    Gfx942,
    /// gfx950 (MI350X, MI355X): tuning model 6.
    Gfx950,
}

impl Gfx {
    /// The architecture of an accelerator preset (`mi300x` …), or `None`
    /// for one RCCL's tuning models 5 and 6 do not cover.
    pub fn of_accelerator(name: &str) -> Option<Gfx> {
        match name {
            "mi300x" | "mi300a" | "mi325x" => Some(Gfx::Gfx942),
            "mi350x" | "mi355x" => Some(Gfx::Gfx950),
            _ => None,
        }
    }

    /// RCCL's tuning model index.
    pub fn tuning_model(self) -> u8 {
        match self {
            Gfx::Gfx942 => 5,
            Gfx::Gfx950 => 6,
        }
    }

    /// The name RCCL reports (`gcnArchName` prefix).
    pub fn name(self) -> &'static str {
        match self {
            Gfx::Gfx942 => "gfx942",
            Gfx::Gfx950 => "gfx950",
        }
    }
}

/// The RCCL release whose tables are modelled.
pub const RCCL_RELEASE: &str = "2.26";

/// What RCCL's tuner knows about a communicator.
#[derive(Clone, Debug, PartialEq)]
pub struct RcclShape {
    /// Ranks `n`.
    pub ranks: usize,
    /// Nodes `N` (scale-up domains: one 8-GPU server each).
    pub nodes: usize,
    /// GPU architecture.
    pub gfx: Gfx,
    /// Bus bandwidth `B` \[GB/s\]: 48 GB/s per xGMI link of a rank (the
    /// fewest over ranks).
    pub bus_gbps: f64,
    /// LL128 is enabled (several nodes).
    pub ll128: bool,
}

/// RCCL's per-link xGMI speed for gfx942 and gfx950 \[GB/s\] (`topo.h`).
pub const XGMI_LINK_GBPS: f64 = 48.0;

/// Network post overhead per ring step on an AMD host CPU \[µs\]
/// (`getNetOverhead`), ×3 for Simple.
const NET_OVERHEAD_US: f64 = 2.0;

/// `baseLat` \[µs\], LL / LL128 / Simple, tree and ring alike.
const BASE_LAT: [f64; 3] = [12.0, 12.0, 17.0];

/// Models 5 and 6 `hwLat` \[µs\]: (xGMI, network) rows of the tree and the
/// ring, LL / LL128 / Simple.
const TREE_XGMI: [f64; 3] = [0.9, 0.9, 2.3];
const RING_XGMI: [f64; 3] = [0.8, 0.8, 2.1];
const TREE_NET: [f64; 3] = [10.5, 10.5, 25.0];
const RING_NET: [f64; 3] = [9.5, 9.5, 320.0];

/// Models 5 and 6 `bwRatio`: `[N ≤ 2, N > 2]` of the tree and the ring.
const TREE_RATIO: [[f64; 3]; 2] = [[0.06, 0.06, 0.11], [0.06, 0.06, 0.59]];
const RING_RATIO: [[f64; 3]; 2] = [[0.08, 0.08, 1.0], [0.08, 0.08, 1.0]];

/// Size-correction rows of one tuning model: tree then ring, LL / LL128 /
/// Simple, 27 buckets of `⌊log2(S/64)⌋`.
struct Corrections {
    tree: [[f64; 27]; 3],
    ring: [[f64; 27]; 3],
}

#[rustfmt::skip]
const MODEL_5: Corrections = Corrections {
    tree: [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 1.0, 0.9, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 1.0, 0.9, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 0.7, 0.7, 0.5, 0.6, 0.6, 0.6],
    ],
    ring: [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.2, 1.0, 0.4, 0.4, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.2, 1.0, 0.4, 0.4, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.8, 1.0, 1.0, 1.0],
    ],
};

#[rustfmt::skip]
const MODEL_6: Corrections = Corrections {
    tree: [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 1.0, 0.9, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 1.0, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.7, 1.0, 0.1, 0.1, 0.1, 0.9, 0.9, 0.7, 0.8, 0.6, 0.6, 0.6],
    ],
    ring: [
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.2, 1.0, 0.4, 0.4, 0.1, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.2, 1.0, 0.4, 0.4, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1.0, 0.8, 0.8, 1.0, 1.0],
    ],
};

/// A tuning model's protocol windows for one collective: sizes per rank
/// `(min, max]` in bytes for LL and LL128 (`llProtoRanges`).
#[derive(Clone, Copy)]
struct Windows {
    ll: (u64, u64),
    ll128: (u64, u64),
}

impl Gfx {
    fn corrections(self) -> &'static Corrections {
        match self {
            Gfx::Gfx942 => &MODEL_5,
            Gfx::Gfx950 => &MODEL_6,
        }
    }

    /// The protocol windows of `op`, when the tuning model defines them.
    fn windows(self, op: Op) -> Option<Windows> {
        let w = |ll, ll128| Some(Windows { ll, ll128 });
        match (self, op) {
            (Gfx::Gfx942, Op::ReduceScatter) => w((0, 655_360), (131_072, 3_211_264)),
            (Gfx::Gfx942, Op::AllGather) => w((0, 98_304), (98_304, 5_046_272)),
            (Gfx::Gfx942, Op::AllReduce) => w((0, 1_048_576), (1_048_576, 9_437_184)),
            (Gfx::Gfx950, Op::ReduceScatter) => w((0, 131_071), (131_071, 4_194_304)),
            (Gfx::Gfx950, Op::AllGather) => w((0, 7), (7, 8_388_608)),
            (Gfx::Gfx950, Op::AllReduce) => w((0, 131_071), (131_071, 17_660_227)),
            (Gfx::Gfx950, Op::Reduce) => w((0, 16_383), (16_383, 16_777_216)),
            (Gfx::Gfx950, Op::Broadcast) => w((0, 2_048), (2_048, 16_777_216)),
            _ => None,
        }
    }
}

/// The collectives RCCL's cost model covers.
fn covered(op: Op) -> bool {
    matches!(
        op,
        Op::AllReduce | Op::AllGather | Op::ReduceScatter | Op::Broadcast | Op::Reduce
    )
}

/// One entry of RCCL's table: latency \[µs\] and algorithm bandwidth
/// \[GB/s\] before the size correction, or `None` when RCCL disables the
/// pair (module docs).
pub fn model(shape: &RcclShape, op: Op, a: NcclAlgo, p: Protocol) -> Option<(f64, f64)> {
    let nodes = shape.nodes.max(1);
    let (n, nn) = (shape.ranks as f64, nodes as f64);
    let pi = p as usize;
    let tree = match a {
        NcclAlgo::Tree => true,
        NcclAlgo::Ring => false,
        _ => return None,
    };
    if !covered(op)
        || (tree && (op != Op::AllReduce || (p == Protocol::Simple && nodes == 1)))
        || (p == Protocol::Ll128 && !shape.ll128)
    {
        return None;
    }
    let ratio = if tree { &TREE_RATIO } else { &RING_RATIO }[usize::from(nodes > 2)][pi];
    let mut bus = shape.bus_gbps * ratio;
    if !tree && p == Protocol::Ll && matches!(op, Op::Broadcast | Op::Reduce) && nodes == 1 {
        bus *= 1.65;
    }
    let intra = if tree { TREE_XGMI } else { RING_XGMI }[pi];
    // At one rank per node the network hop is read from the tree's row.
    let inter = if tree || shape.ranks == nodes {
        TREE_NET
    } else {
        RING_NET
    }[pi];
    let base = BASE_LAT[pi];
    let steps = nsteps(op, n);
    if tree {
        let lat = base + 2.0 * (((n / nn).floor() - 1.0) * intra + log2i(nn) * inter);
        return Some((lat, bus * 0.5));
    }
    let algbw = bus * n / steps;
    let lat = if matches!(op, Op::Broadcast | Op::Reduce) {
        // One hop of the ring's own row: xGMI on one node, else network.
        base + if nodes == 1 { RING_XGMI } else { RING_NET }[pi]
    } else {
        let overhead = match (nodes > 1, p == Protocol::Simple) {
            (false, _) => 0.0,
            (true, true) => 3.0 * NET_OVERHEAD_US,
            (true, false) => NET_OVERHEAD_US,
        };
        let k = match (nodes, op) {
            (1, _) => 0.0,
            (_, Op::AllReduce) => 2.0 * (nn - 1.0),
            _ => nn - 1.0,
        };
        base + ((steps - k) * intra.max(overhead) + k * inter)
    };
    Some((lat, algbw))
}

/// RCCL's predicted time of `a`/`p` for `size` bytes \[s\], or `None` when
/// disabled.
pub fn predicted_s(shape: &RcclShape, op: Op, a: NcclAlgo, p: Protocol, size: f64) -> Option<f64> {
    let (lat, mut bw) = model(shape, op, a, p)?;
    let bucket = (log2i((size / 64.0).floor()) as usize).min(26);
    let c = shape.gfx.corrections();
    match a {
        NcclAlgo::Tree => bw *= c.tree[p as usize][bucket],
        _ if shape.nodes > 1 => bw *= c.ring[p as usize][bucket],
        _ => {}
    }
    Some((lat + size / (1000.0 * bw)) * 1e-6)
}

/// Every enabled (algorithm, protocol) pair with its predicted time \[s\],
/// fastest first, ties in RCCL's table order (tree, ring; LL, LL128,
/// Simple).
pub fn ranking(shape: &RcclShape, op: Op, size: f64) -> Vec<(NcclAlgo, Protocol, f64)> {
    super::rank(&[NcclAlgo::Tree, NcclAlgo::Ring], |a, p| {
        predicted_s(shape, op, a, p, size)
    })
}

/// The protocol RCCL runs `a` with after its cost model chose `p`
/// (`rcclUpdateCollectiveProtocol`, module docs): unchanged on one node,
/// and for collectives without windows.
pub fn protocol_after_rules(shape: &RcclShape, op: Op, size: f64, p: Protocol) -> Protocol {
    if shape.nodes < 2
        || !matches!(
            op,
            Op::AllReduce | Op::AllGather | Op::ReduceScatter | Op::Broadcast
        )
    {
        return p;
    }
    let Some(w) = shape.gfx.windows(op) else {
        return p;
    };
    let per_rank = if op == Op::AllReduce {
        size
    } else {
        (size / shape.ranks as f64).floor()
    };
    let inside =
        |(lo, hi): (u64, u64), scale: f64| per_rank > lo as f64 && per_rank <= hi as f64 * scale;
    let mut out = Protocol::Simple;
    if inside(w.ll, 1.0) {
        out = Protocol::Ll;
    }
    let scale = if op == Op::AllReduce && shape.nodes > 2 {
        3.8
    } else {
        1.0
    };
    if shape.ll128 && inside(w.ll128, scale) {
        out = Protocol::Ll128;
    }
    out
}

/// RCCL's choice for `op` of `size` bytes, first, then the rest of its
/// ranking (what a caller falls back to when the choice cannot be
/// simulated; the protocol rules are not applied to those), each with
/// RCCL's predicted time \[s\]. When the rules overwrite the protocol the
/// time is RCCL's model's for the pair that runs, which the model itself
/// may rank far below its own pick. Empty for collectives RCCL's model
/// does not cover. With a protocol forced (`NCCL_PROTO`) RCCL skips the
/// rules: use [`ranking`].
pub fn choices(shape: &RcclShape, op: Op, size: f64) -> Vec<(NcclAlgo, Protocol, f64)> {
    let mut all = ranking(shape, op, size);
    let Some(&(a, p, _)) = all.first() else {
        return all;
    };
    let q = protocol_after_rules(shape, op, size, p);
    if q != p {
        all.retain(|&(b, r, _)| (b, r) != (a, q));
        let t = predicted_s(shape, op, a, q, size).unwrap_or(f64::NAN);
        all.insert(0, (a, q, t));
    }
    all
}

/// The shape RCCL's tuner would see for `ranks` of `sim`'s topology, or
/// `None` where its tuning models 5 and 6 do not apply: the topology names
/// no gfx942 / gfx950 accelerator ([`Gfx::of_accelerator`]), a scale-up
/// link is not xGMI, or some rank has no xGMI link to another rank of the
/// communicator (one GPU per node: RCCL's graph is then NIC-bound, which
/// this model does not restate).
///
/// RCCL builds its graph over the communicator's own GPUs, so a rank's bus
/// bandwidth counts only its xGMI links to other ranks (the fewest over
/// ranks). LL128 is enabled as RCCL's platform model for 8×MI300X with
/// one NIC per GPU enables it (`ll128Enabled=1`, `rome_models.cc`): on
/// several nodes of 8 ranks, each rank with exactly one NIC; every other
/// layout matches no model that enables it.
pub fn comm_shape(sim: &crate::sim::CollectiveSim<'_>, ranks: &[NodeId]) -> Option<RcclShape> {
    use fabricsim_topology::NodeRole;
    let topo = sim.topology();
    let gfx = Gfx::of_accelerator(topo.accelerator?.name)?;
    if ranks.len() < 2 {
        return None;
    }
    let mut member = vec![false; topo.nodes.len()];
    for &r in ranks {
        member[r.idx()] = true;
    }
    let mut links = vec![0usize; topo.nodes.len()];
    let mut nics = vec![0usize; topo.nodes.len()];
    for l in &topo.links {
        if l.tier == "scale-up" {
            if crate::presets::family_of(&l.kind) != "xgmi" {
                return None;
            }
            if member[l.src.idx()] && member[l.dst.idx()] {
                links[l.src.idx()] += 1;
            }
        } else if topo.nodes[l.dst.idx()].role == NodeRole::Nic {
            nics[l.src.idx()] += 1;
        }
    }
    let fewest = ranks.iter().map(|r| links[r.idx()]).min()?;
    if fewest == 0 {
        return None;
    }
    let doms = topo.domains_of(ranks);
    let nodes = doms.len();
    let platform_81 = doms.iter().all(|d| d.len() == 8) && ranks.iter().all(|r| nics[r.idx()] == 1);
    Some(RcclShape {
        ranks: ranks.len(),
        nodes,
        gfx,
        bus_gbps: fewest as f64 * XGMI_LINK_GBPS,
        ll128: nodes > 1 && platform_81,
    })
}

#[cfg(test)]
mod tests;
