//! NCCL 2.28.3's cost model (`src/graph/tuning.cc` of the 2.28.3-1
//! release, `ncclTopoTuneModel`, its tuner constants and
//! `ncclTopoGetAlgoTime`; `src/enqueue.cc` `updateCollCostTable` for which
//! pairs are tried; [S-nccl-tuning-228]). Constants are NCCL's, cited; the
//! formulas restated (`B` as in the parent module, `c` channels, `n`
//! ranks on `N` nodes, `ppn = n/N`):
//!
//! * Bus bandwidth `B` = the graph's intra bandwidth when `N ≤ 2` (and
//!   for CollNet), else its inter bandwidth; then
//!   * ring LL `min(llMaxBw, B/2)`, LL128 `min(0.92·B, c·perChMaxRingLL128)`;
//!   * tree `min(0.92·B, c·perChMaxTree)`, LL then `min(B/3.8, llMaxBw)`,
//!     LL128 `min(B·(7/9 on one node, 120/128 on several),
//!     c·perChMaxTreeLL128)`; `×0.85` at one rank per node (the plain
//!     tree pattern, which NCCL's search forces on a node of one GPU);
//!   * NVLS and NVLSTree (Simple, `c ≥ 2`): `min(I, J, K)` with
//!     `I = intra · nvlsEfficiency · (c−1)/c`, doubled for all-reduce (two
//!     operations pipelined) and `× (ppn−1)/ppn` otherwise;
//!     `J = inter`, doubled for NVLSTree on at most 2 nodes;
//!     `K = c · perChMaxNVLSTree` for NVLSTree (none for NVLS);
//!   * PAT `0.75·B`; CollNet Direct all-reduce `B / f`,
//!     `f = r − (r−1)/2` (`r` GPUs per NIC), `×0.85` from Hopper on.
//! * Algorithm bandwidth: ring, NVLS and NVLSTree `B · n/nsteps`; tree and
//!   CollNet `B/2`; all-gather and reduce-scatter by NVLS or PAT are not
//!   converted (`B` is read against the whole output, as the size is).
//! * Latency: `baseLat` plus, with `intraLat = hwLat[NVLink]` and
//!   `interLat = hwLat[NET]` (the network's tree row when `ppn = 1`; the
//!   graph's own network latency, which fabricsim does not know, taken
//!   as 0): ring `(nsteps − k)·max(intraLat, o) + k·interLat` with
//!   `k = 2(N−1)` for all-reduce, `N−1` otherwise (0 on one node) and
//!   `o` the network post overhead (1 µs, ×3 for Simple, x86 Intel hosts
//!   assumed; 0 on one node); broadcast and reduce one `hwLat`; tree
//!   `2((⌊n/N⌋−1)·intraLat + ⌊log2 N⌋·interLat)`; CollNet Direct
//!   `2(min(1, ppn−1)·intraLat + 0.4(ppn−1)) + interLat`, Chain
//!   `2(ppn−1)·intraLat + interLat`; NVLS `intraLat` (+ `interLat` on
//!   several nodes, no base); NVLSTree `intraLat + 2⌊log2 N⌋·interLat`;
//!   PAT `⌊log2 N⌋·interLat/3.5 + 2.8·n`.
//! * Enabled: as 2.20.3, plus PAT for all-gather and reduce-scatter at one
//!   rank per node (`PAT_ENABLE` default); NVLS for an operation other
//!   than all-reduce only up to 32 ranks per node (`NCCL_MAX_NVLS_ARITY`)
//!   and on one node (across nodes it needs a CollNet plugin with
//!   all-gather, not assumed); CollNet only up to 8 ranks per node.
//!
//! Where this differs from NCCL, deliberately: the tree pattern's extra
//! `×0.85` (`NCCL_TOPO_PATTERN_TREE`) is applied only at one rank per
//! node, where NCCL's search forces that pattern (elsewhere it is the
//! search's outcome, and fabricsim does not rerun the search); broadcast and reduce assume
//! rings on the same channels (`sameChannels`); the arity limits read the
//! mean ranks per node (NCCL reads the largest node); CollNet Direct's
//! GPU/NIC ratio is the topology's GPUs per NIC, at least 1 (NCCL divides
//! ranks per node by the CollNet graph's channels, unclamped), and CollNet
//! Direct is not tied to an NVSwitch (every NVLink domain a shipped file
//! gives CollNet has one).

use super::shared::{Caps, Lat, latency, refine_tree_collnet};
use super::{Arch, CommShape, NcclAlgo, NcclVersion, graph_gbps, log2i, nsteps};
use crate::presets::protocol_share;
use crate::{Op, Protocol};

/// `hwLatencies[hw][algo][proto]` \[µs\] for LL, LL128, Simple, on NVLink
/// (`net` false) or the network.
fn hw_lat(net: bool, a: NcclAlgo) -> [f64; 3] {
    use NcclAlgo::*;
    match (net, a) {
        (false, Tree) => [0.6, 1.25, 4.0],
        (false, Ring) => [0.6, 1.9, 3.4],
        (false, CollNetDirect) => [0.0, 0.0, 3.7],
        (false, CollNetChain) => [0.0, 0.0, 2.8],
        (false, Nvls | NvlsTree) => [0.0, 0.0, 25.0],
        (false, Pat) => [0.0, 0.0, 4.0],
        (true, Tree) => [5.0, 8.5, 14.0],
        (true, Ring) => [2.7, 4.0, 14.0],
        (true, CollNetDirect) => [0.0, 0.0, 31.0],
        (true, CollNetChain) => [0.0, 0.0, 30.0],
        (true, Nvls) => [0.0, 0.0, 18.0],
        (true, NvlsTree | Pat) => [0.0, 0.0, 14.0],
    }
}

/// `baseLatencies[algo][proto]` \[µs\].
fn base_lat(a: NcclAlgo) -> [f64; 3] {
    match a {
        NcclAlgo::Tree => [6.8, 14.0, 8.4],
        NcclAlgo::Ring => [6.6, 14.0, 8.4],
        NcclAlgo::Pat => [8.0, 8.0, 8.0],
        _ => [0.0; 3],
    }
}

/// Per-architecture caps \[GB/s\] for a node-count class (1, 2, more):
/// `llMaxBws` (by GPU on one node, by host CPU on several: x86 Intel
/// assumed, the first row), `perChMaxRingLL128Bws`,
/// `perChMaxTreeLL128Bws`, `perChMaxTreeBws`; and NVLS's
/// `perChMaxNVLSTreeBws` and `nvlsEfficiency`.
fn caps(arch: Arch, nodes: usize) -> (Caps, NvlsCaps) {
    let i = nodes.clamp(1, 3) - 1;
    let row = match arch {
        Arch::Volta => 0,
        Arch::Ampere => 1,
        Arch::Hopper => 2,
        Arch::Blackwell => 3,
    };
    const LL_MAX: [[f64; 3]; 4] = [
        [39.0, 39.0, 20.4],
        [87.7, 22.5, 19.0],
        [141.0, 45.0, 35.0],
        [282.0, 90.0, 70.0],
    ];
    const RING_LL128: [f64; 4] = [20.0, 20.0, 36.7, 73.4];
    const TREE_LL128: [[f64; 3]; 4] = [
        [20.0; 3],
        [20.0; 3],
        [36.7, 36.7, 29.0],
        [55.6, 31.67, 20.0],
    ];
    const TREE: [[f64; 3]; 4] = [
        [26.5, 18.5, 10.0],
        [24.0, 23.6, 17.8],
        [38.7, 41.4, 36.0],
        [70.0, 42.8, 24.0],
    ];
    const NVLS_TREE: [[f64; 3]; 4] = [
        [26.5, 18.5, 10.0],
        [24.0, 23.6, 17.8],
        [0.0, 57.7, 45.5],
        [0.0, 96.0, 43.1],
    ];
    const NVLS_EFFICIENCY: [f64; 4] = [0.0, 0.0, 0.85, 0.74];
    let caps = Caps {
        ll_max: LL_MAX[if nodes == 1 { row } else { 0 }][i],
        ring_ll128_per_ch: RING_LL128[row],
        tree_ll128_per_ch: TREE_LL128[row][i],
        tree_per_ch: TREE[row][i],
    };
    let nvls = NvlsCaps {
        tree_per_ch: NVLS_TREE[row][i],
        efficiency: NVLS_EFFICIENCY[row],
    };
    (caps, nvls)
}

/// `perChMaxNVLSTreeBws` \[GB/s\] and `nvlsEfficiency` of one row.
struct NvlsCaps {
    tree_per_ch: f64,
    efficiency: f64,
}

/// NCCL's `NCCL_MAX_NVLS_ARITY` from 2.21 on: ranks per node NVLS serves
/// for operations other than all-reduce.
const MAX_NVLS_ARITY: f64 = 32.0;

/// Ranks per node CollNet serves (`NCCL_MAX_DIRECT_ARITY + 1`).
const MAX_COLLNET_PPN: f64 = 8.0;

pub(super) fn model(shape: &CommShape, op: Op, a: NcclAlgo, p: Protocol) -> Option<(f64, f64)> {
    use NcclAlgo::*;
    let n = shape.ranks as f64;
    let nodes = shape.nodes.max(1);
    let nn = nodes as f64;
    let ppn = n / nn;
    let simple = p == Protocol::Simple;
    let collnet_algo = matches!(a, CollNetDirect | CollNetChain);
    let gather = matches!(op, Op::AllGather | Op::ReduceScatter);
    let c = shape.channels();
    let serves = match op {
        Op::AllReduce => a != Pat,
        Op::AllGather | Op::ReduceScatter => matches!(a, Ring | Nvls | Pat),
        Op::Broadcast | Op::Reduce => a == Ring,
        Op::AllToAll | Op::SendRecv => false,
    };
    let enabled = serves
        && (simple || !(collnet_algo || matches!(a, Nvls | NvlsTree | Pat)))
        && (p != Protocol::Ll128 || shape.ll128)
        && (!collnet_algo || (shape.collnet && ppn <= MAX_COLLNET_PPN))
        && (a != Nvls || (shape.nvls && (nodes == 1 || (shape.collnet && !gather))))
        && (a != NvlsTree || (shape.nvls && nodes > 1))
        && (!matches!(a, Nvls | NvlsTree) || (c >= 2.0 && (!gather || ppn <= MAX_NVLS_ARITY)))
        && (a != Pat || shape.ranks == nodes);
    if !enabled {
        return None;
    }
    let (caps, nvls) = caps(shape.arch, nodes);
    let (intra, inter) = graph_gbps(shape, a);
    let bus = match a {
        Nvls | NvlsTree => {
            let per = nvls.efficiency * (c - 1.0) / c;
            let i = intra
                * per
                * if op == Op::AllReduce {
                    2.0
                } else {
                    (ppn - 1.0) / ppn
                };
            let j = inter
                * if a == NvlsTree && nodes <= 2 {
                    2.0
                } else {
                    1.0
                };
            let k = if a == NvlsTree {
                c * nvls.tree_per_ch
            } else {
                f64::INFINITY
            };
            i.min(j).min(k)
        }
        _ if nodes <= 2 || collnet_algo => intra,
        _ => inter,
    };
    let share = || protocol_share(NcclVersion::V2_28_3, a == Tree, p, op, nodes, ppn);
    let bus = match (a, p) {
        (Ring, Protocol::Ll) => caps.ll_max.min(bus * share()),
        (Ring, Protocol::Ll128) => (bus * share()).min(c * caps.ring_ll128_per_ch),
        (Pat, _) => bus * 0.75,
        _ => refine_tree_collnet(bus, shape, a, p, &caps),
    };
    let bw = match a {
        Nvls | Pat if gather => bus,
        Ring | Nvls | NvlsTree => bus * n / nsteps(op, n),
        _ => bus * 0.5,
    };
    let pi = p as usize;
    // With one rank per node the network latency is the tree's.
    let inter_lat = hw_lat(true, if ppn == 1.0 { Tree } else { a })[pi];
    let l = Lat {
        base: base_lat(a)[pi],
        intra: hw_lat(false, a)[pi],
        inter: inter_lat,
        ring_hw: hw_lat(nodes > 1, Ring)[pi],
        inter_steps: match op {
            _ if nodes == 1 => 0.0,
            Op::AllReduce => 2.0 * (nn - 1.0),
            _ => nn - 1.0,
        },
    };
    let lat = match a {
        Pat => l.base + (log2i(nn) * (inter_lat / 3.5) + n * 2.8),
        _ => latency(shape, op, a, p, &l)?,
    };
    (bw > 0.0).then_some((lat, bw))
}
