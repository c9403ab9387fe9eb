//! NCCL 2.20.3's cost model (`src/graph/tuning.cc` @b647562,
//! [S-nccl-tuning-cc]); the formulas are in the parent module's docs.

use super::shared::{Caps, Lat, latency, refine_tree_collnet};
use super::{Arch, CommShape, NcclAlgo, NcclVersion, graph_gbps, nsteps};
use crate::presets::protocol_share;
use crate::{Op, Protocol};

/// NCCL 2.20.3 per-step hardware latency `hwLat[hw][algo][proto]` \[µs\],
/// for LL, LL128, Simple.
fn hw_lat(net: bool, a: NcclAlgo) -> [f64; 3] {
    match (net, a) {
        (false, NcclAlgo::Tree) => [0.6, 1.25, 28.0],
        (false, NcclAlgo::Ring) => [0.6, 1.9, 3.4],
        (false, NcclAlgo::CollNetDirect) => [0.0, 0.0, 3.7],
        (false, NcclAlgo::CollNetChain) => [0.0, 0.0, 2.8],
        (false, NcclAlgo::Nvls | NcclAlgo::NvlsTree) => [0.0, 0.0, 23.0],
        (true, NcclAlgo::Tree) => [5.0, 8.5, 28.0],
        (true, NcclAlgo::Ring) => [2.7, 4.0, 14.0],
        (true, NcclAlgo::CollNetDirect) => [0.0, 0.0, 31.0],
        (true, NcclAlgo::CollNetChain) => [0.0, 0.0, 30.0],
        (true, NcclAlgo::Nvls) => [0.0, 0.0, 18.0],
        (true, NcclAlgo::NvlsTree) => [0.0, 0.0, 14.0],
        // PAT came with 2.23: never enabled here.
        (_, NcclAlgo::Pat) => [0.0; 3],
    }
}

/// NCCL 2.20.3 `hwLat[PCI][Ring]` \[µs\] (LL, LL128, Simple): the ring's
/// per-step intra-node latency when its graph has no NVLink inside a node.
/// With one GPU per node NCCL's search leaves the graph's `typeIntra` at
/// `PATH_LOC` (`search.cc`, `ncclTopoCompute`) and `tuning.cc` reads the
/// PCI row for anything but NVLink. Other algorithms weigh their intra
/// latency by `ppn − 1` (0 there), so only the ring's row matters.
/// **Cited**: docs/sources.md [S-nccl-tuning-cc], [S-nccl-search-cc].
const RING_PCI_LAT: [f64; 3] = [1.0, 2.5, 5.7];

/// NCCL 2.20.3 `baseLat[algo][proto]` \[µs\].
fn base_lat(a: NcclAlgo) -> [f64; 3] {
    match a {
        NcclAlgo::Tree => [6.8, 14.0, 0.0],
        NcclAlgo::Ring => [6.6, 14.0, 8.4],
        _ => [0.0; 3],
    }
}

/// NCCL 2.20.3 per-architecture caps \[GB/s\], indexed by node count class
/// (1, 2, more): `llMaxBws`, `perChMaxRingLL128Bws`, `perChMaxTreeLL128Bws`,
/// `perChMaxTreeBws`. `llMaxBws` is read by GPU generation on one node and
/// by host CPU on several (x86 Intel assumed: its row is Volta's).
fn caps(arch: Arch, nodes: usize) -> Caps {
    let i = nodes.clamp(1, 3) - 1;
    let row = |a: Arch| match a {
        Arch::Volta => 0,
        Arch::Ampere => 1,
        Arch::Hopper | Arch::Blackwell => 2,
    };
    const LL_MAX: [[f64; 3]; 3] = [[39.0, 39.0, 20.4], [87.7, 22.5, 19.0], [87.7, 22.5, 19.0]];
    const RING_LL128: [[f64; 3]; 3] = [[20.0; 3], [20.0; 3], [36.7; 3]];
    const TREE_LL128: [[f64; 3]; 3] = [[20.0; 3], [20.0; 3], [36.7, 36.7, 29.0]];
    const TREE: [[f64; 3]; 3] = [[26.5, 18.5, 10.0], [24.0, 23.6, 17.8], [38.7, 41.4, 36.0]];
    let ll_row = if nodes == 1 { row(arch) } else { 0 };
    Caps {
        ll_max: LL_MAX[ll_row][i],
        ring_ll128_per_ch: RING_LL128[row(arch)][i],
        tree_ll128_per_ch: TREE_LL128[row(arch)][i],
        tree_per_ch: TREE[row(arch)][i],
    }
}

/// One entry of NCCL's table: latency \[µs\] and algorithm bandwidth
/// \[GB/s\], or `None` when NCCL disables the pair.
pub(super) fn model(shape: &CommShape, op: Op, a: NcclAlgo, p: Protocol) -> Option<(f64, f64)> {
    use NcclAlgo::*;
    let n = shape.ranks as f64;
    let nodes = shape.nodes.max(1);
    let nn = nodes as f64;
    let ppn = n / nn;
    let simple = p == Protocol::Simple;
    let collnet_algo = matches!(a, CollNetDirect | CollNetChain);
    // Which algorithms serve which operation, and which are enabled.
    let serves = match op {
        Op::AllReduce => a != Pat,
        Op::AllGather | Op::ReduceScatter => matches!(a, Ring | Nvls),
        Op::Broadcast | Op::Reduce => a == Ring,
        Op::AllToAll | Op::SendRecv => false,
    };
    let enabled = serves
        && (simple || !(collnet_algo || matches!(a, Nvls | NvlsTree)))
        && (p != Protocol::Ll128 || shape.ll128)
        && (!collnet_algo || shape.collnet)
        && (a != Nvls || (shape.nvls && (nodes == 1 || shape.collnet)))
        && (a != NvlsTree || (shape.nvls && nodes > 1));
    if !enabled {
        return None;
    }
    let c = shape.channels();
    let caps = caps(shape.arch, nodes);
    let (intra, inter) = graph_gbps(shape, a);
    let mut bus = match a {
        Nvls => intra.min(inter),
        NvlsTree => intra.min(if nodes <= 2 { inter } else { inter / 2.0 }),
        _ if nodes <= 2 || collnet_algo => intra,
        _ => inter,
    };
    let share = || protocol_share(NcclVersion::V2_20_3, a == Tree, p, op, nodes, ppn);
    bus = match (a, p) {
        (Ring, Protocol::Ll) => caps.ll_max.min(bus * share()),
        (Ring, Protocol::Ll128) => (bus * share()).min(c * caps.ring_ll128_per_ch),
        _ => refine_tree_collnet(bus, shape, a, p, &caps),
    };
    let bw = bus
        * match a {
            Ring => n / nsteps(op, n),
            Nvls | NvlsTree => 5.0 / 6.0,
            _ => 0.5,
        };
    let pi = p as usize;
    let lat = Lat {
        base: base_lat(a)[pi],
        intra: if a == Ring && ppn <= 1.0 {
            RING_PCI_LAT[pi]
        } else {
            hw_lat(false, a)[pi]
        },
        inter: hw_lat(true, a)[pi],
        ring_hw: hw_lat(nodes > 1, Ring)[pi],
        inter_steps: match op {
            Op::AllReduce if nodes > 1 => 2.0 * nn,
            Op::AllReduce => 0.0,
            _ => nn - 1.0,
        },
    };
    let lat = latency(shape, op, a, p, &lat)?;
    (bw > 0.0).then_some((lat, bw))
}
