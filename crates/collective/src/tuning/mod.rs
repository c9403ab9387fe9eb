//! NCCL's own choice of algorithm and protocol: its cost model.
//!
//! `auto` asks what NCCL would run, not what would be fastest: NCCL ranks
//! every enabled (algorithm, protocol) pair by a closed-form time and runs
//! the cheapest. Two releases are modelled ([`NcclVersion`]): 2.20.3
//! (`src/graph/tuning.cc` @b647562, `ncclTopoTuneModel` and
//! `ncclTopoGetAlgoTime`; [S-nccl-tuning-cc]), below and in `v2_20.rs`, and
//! 2.28.3 ([S-nccl-tuning-228]), whose differences `v2_28.rs` states. The
//! constants are NCCL's, **cited**; the formulas are restated in
//! fabricsim's words (2.20.3):
//!
//! `t = lat + S / (1000 · bw)` µs, with `S` in bytes and `bw` the model's
//! algorithm bandwidth in GB/s, where for `n` ranks on `N` nodes
//! (`ppn = n/N`; a node is a scale-up domain, as NCCL treats an NVLink
//! rack, MNNVL), `B` = the per-rank bus bandwidth of the algorithm's graph
//! (`nChannels · bw` in NCCL). A graph has an intra-node and an inter-node
//! bandwidth; on one node both are the scale-up bandwidth `B_up`. On
//! several, NCCL's search (`search.cc`, `ncclTopoCompute`) gives every
//! channel one speed for both, limited by the NICs it crosses, then lets a
//! tree (or CollNet) graph raise its intra speed up to twice the inter one
//! and an NVLS graph its inter speed up to twice the intra one; so with
//! `X = min(B_up, B_out)`: ring intra = inter = `X`; tree and CollNet intra
//! `min(B_up, 2X)`, inter `X`; NVLS and NVLSTree intra `X`, inter
//! `min(B_out, 2X)`. NCCL then takes `B` = intra when `N ≤ 2` (and for
//! CollNet), else inter:
//! * Ring: `B` as above;
//!   LL `min(llMaxBw, B/4)` (or `B/3` on one node, except for all-reduce
//!   and reduce),
//!   LL128 `min(0.92·B (0.7 if ppn < 2), c · 36.7)` on Hopper; algorithm
//!   bandwidth `B · n / nsteps` (`nsteps` = `2(n−1)` for all-reduce, `n−1`
//!   for all-gather / reduce-scatter, `n` otherwise).
//!   Latency `baseLat + (nsteps − nInter)·intraLat + nInter·interLat`, with
//!   `nInter` = `2N` (all-reduce, `N > 1`), `N − 1` (all-gather /
//!   reduce-scatter); on several nodes `intraLat ≥` the network post
//!   overhead (1 µs, ×3 for Simple; x86 Intel hosts assumed). With one
//!   rank per node `intraLat` is the PCI row (1.0, 2.5, 5.7 µs): the
//!   graph has no NVLink inside a node (`typeIntra` = `PATH_LOC`), and
//!   `nsteps − nInter = −2` there, as NCCL computes it.
//! * Tree (all-reduce): `min(0.92·B, c·perChMaxTreeBw)`, LL `B/3.8` capped
//!   by `llMaxBw`, LL128 `7/9·B` on one node, `120/128·B` on several, capped
//!   by `c · perChMaxTreeLL128Bw`; `×0.85` at one rank per node (the plain
//!   tree pattern NCCL's search forces on a node of one GPU); algorithm
//!   bandwidth `B/2`, times NCCL's
//!   `treeCorrectionFactor` below 256 MiB.
//!   Latency `baseLat + 2((ppn−1)·intraLat + ⌊log2 N⌋·interLat)`.
//! * NVLS: `min(intra, inter)`, NVLSTree `min(intra, inter/2)` on more than
//!   2 nodes; algorithm bandwidth `5/6` of it. Latency NVLS `intraLat (+ interLat on several nodes)`, NVLSTree
//!   `intraLat + 2⌊log2 N⌋·interLat`.
//! * CollNet Direct (SHARP; all-reduce): `B / f`, `f = r − (r−1)/2`
//!   with `r` = GPUs per NIC, `×0.85` on Hopper;
//!   CollNet Chain `B_up`; algorithm bandwidth `B/2`.
//!   Latency Direct `2(min(1, ppn−1)·intraLat + 0.4·(ppn−1)) + interLat`,
//!   Chain `2(ppn−1)·intraLat + interLat`.
//! * Ring Simple all-reduce on several nodes: latency ×1.4 (Ampere and
//!   later; ×1.9 before) once `S/(c·n) ≥ 64` bytes, NCCL's "plateau".
//!
//! Enabled as NCCL enables them: broadcast and reduce ring only, all-gather
//! and reduce-scatter ring and NVLS (CollNet Direct needs a SHARP plugin
//! with all-gather, not assumed); NVLS and NVLSTree Simple only; CollNet
//! only when enabled (`NCCL_COLLNET_ENABLE`, [`crate::sim::Params::collnet`],
//! off by default as in NCCL) and with in-network reduction on every rail,
//! NVLS across nodes only with it too; NVLS and NVLSTree only with more
//! than 2 ranks in every node (`ncclNvlsInit`); NVLSTree only on several
//! nodes; LL128 only over NVLink.
//!
//! Where fabricsim differs, deliberately (docs/collectives.md):
//! * NCCL's topology search (`search.cc`) is not rerun: `B_up` is the
//!   rank's scale-up bandwidth and `B_out` its domain's scale-out
//!   bandwidth (both after link efficiency), the graph bandwidths follow
//!   from them as above (not from NCCL's discrete speed steps), and the
//!   channel count `c` is `⌈B_up / 24 GB/s⌉` capped at 32 (an assumption:
//!   24 GB/s is one of NCCL's Hopper per-channel search speeds).
//! * Under 2.20.3, Blackwell (NVLink5) uses the Hopper tables and enables
//!   LL128 (NCCL 2.20.3 predates Blackwell; later versions enable it).
//! * A multi-rack NVLink system has one node per rack, and NVLSTree is
//!   enabled across racks.
//! * Under 2.20.3, NVLS stays a candidate on an NVLink domain that spans
//!   several hosts (a GB200 NVL72 rack, a GH200 NVL32). NCCL 2.20.3 runs
//!   such a communicator as one multi-node NVLink clique (MNNVL, on by
//!   default when the clique is the whole communicator) and sets up
//!   neither NVLS nor NVLSTree there (`ncclNvlsInit`,
//!   `ncclTopoTuneModel`); on a communicator spanning several cliques it
//!   counts every host, not every rack, as a node. fabricsim's topologies
//!   do not say which GPUs share a host, and every shipped multi-host
//!   domain is Blackwell, which 2.20.3 predates (the corpus runs them
//!   under 2.28.3).
//! * CollNet Direct, CollNet Chain and multi-node NVLS all run as
//!   fabricsim's `hierarchical` (SHARP across domains, NVLS inside where
//!   the domain supports it).

use super::{Algo, Op, Protocol};
pub use crate::release::NcclVersion;

pub mod rccl;
mod shared;
mod v2_20;
mod v2_28;
use fabricsim_topology::{NodeId, NodeRole};

/// NCCL's algorithms, in the order of NCCL's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NcclAlgo {
    /// Double binary trees (with chains inside nodes).
    Tree,
    /// Rings.
    Ring,
    /// SHARP, every GPU talking to the NIC directly.
    CollNetDirect,
    /// SHARP, a chain inside each node.
    CollNetChain,
    /// NVLink SHARP.
    Nvls,
    /// NVLS inside nodes, trees across.
    NvlsTree,
    /// Parallel aggregated trees: all-gather and reduce-scatter at one
    /// rank per node (NCCL 2.23 and later).
    Pat,
}

impl NcclAlgo {
    const ALL: [NcclAlgo; 7] = [
        NcclAlgo::Tree,
        NcclAlgo::Ring,
        NcclAlgo::CollNetDirect,
        NcclAlgo::CollNetChain,
        NcclAlgo::Nvls,
        NcclAlgo::NvlsTree,
        NcclAlgo::Pat,
    ];

    /// The fabricsim algorithm that runs it on `nodes` nodes.
    pub fn simulated_as(self, nodes: usize) -> Algo {
        match self {
            NcclAlgo::Tree => Algo::Tree,
            NcclAlgo::Ring => Algo::Ring,
            NcclAlgo::Nvls if nodes == 1 => Algo::Nvls,
            NcclAlgo::Nvls | NcclAlgo::CollNetDirect | NcclAlgo::CollNetChain => Algo::Hierarchical,
            NcclAlgo::NvlsTree => Algo::NvlsTree,
            NcclAlgo::Pat => Algo::Pat,
        }
    }
}

/// GPU generation, which selects the row of NCCL's per-architecture tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// Compute capability 7.x.
    Volta,
    /// 8.x.
    Ampere,
    /// 9.x.
    Hopper,
    /// 10.x (NCCL 2.20.3 predates it and reads it as Hopper).
    Blackwell,
}

impl Arch {
    /// The generation of GPUs joined by NVLink kind `kind` (`nvlink3` is
    /// Ampere, `nvlink4` Hopper, `nvlink5` Blackwell; unknown kinds Hopper).
    pub fn of_nvlink(kind: &str) -> Arch {
        match kind {
            "nvlink1" | "nvlink2" => Arch::Volta,
            "nvlink3" => Arch::Ampere,
            "nvlink5" => Arch::Blackwell,
            _ => Arch::Hopper,
        }
    }
}

/// What NCCL's tuner knows about a communicator.
#[derive(Clone, Debug, PartialEq)]
pub struct CommShape {
    /// Ranks `n`.
    pub ranks: usize,
    /// Nodes `N` (scale-up domains).
    pub nodes: usize,
    /// GPU generation.
    pub arch: Arch,
    /// Per-rank scale-up bandwidth `B_up` \[GB/s\] (smallest over ranks).
    pub up_gbps: f64,
    /// Scale-out bandwidth of a domain `B_out` \[GB/s\] (smallest over
    /// domains; unused on one node).
    pub out_gbps: f64,
    /// GPUs per NIC (CollNet Direct's ratio).
    pub gpus_per_nic: f64,
    /// Every domain reduces in its NVLink switches and holds more than 2
    /// of the ranks (NCCL's `ncclNvlsInit` leaves NVLS off with 2 GPUs or
    /// fewer per node, so NVLS and NVLSTree are not candidates then).
    pub nvls: bool,
    /// CollNet is enabled ([`crate::sim::Params::collnet`]) and every rail has
    /// in-network reduction on the scale-out switches.
    pub collnet: bool,
    /// LL128 is enabled (every rank's scale-up is NVLink).
    pub ll128: bool,
    /// The NCCL release whose model applies.
    pub version: NcclVersion,
}

impl CommShape {
    /// NCCL's channel count `c` as fabricsim estimates it:
    /// `⌈B_up / 24 GB/s⌉`, at most 32 (module docs).
    pub fn channels(&self) -> f64 {
        (self.up_gbps / CHANNEL_GBPS)
            .ceil()
            .clamp(1.0, MAX_CHANNELS)
    }
}

/// NCCL's `treeCorrectionFactor[proto][log2(S/64)]`, 64 B to 256 MiB (the
/// same in 2.20.3 and 2.28.3).
const TREE_CORRECTION: [[f64; 23]; 3] = [
    [
        1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8,
        0.9, 1.0, 1.0, 1.0, 1.0,
    ],
    [
        1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.8, 0.9,
        0.9, 0.9, 0.9, 1.0, 1.0,
    ],
    [
        0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8,
        0.7, 0.7, 0.8, 0.9, 0.9,
    ],
];

/// Per-channel speed used to count NCCL channels \[GB/s\] (an assumption,
/// see the module docs).
const CHANNEL_GBPS: f64 = 24.0;

/// At most 32 channels (NCCL 2.20.3's `MAXCHANNELS`; kept for 2.28.3).
const MAX_CHANNELS: f64 = 32.0;

/// `⌊log2 x⌋` for `x ≥ 1` (0 below).
pub(super) fn log2i(x: f64) -> f64 {
    if x < 1.0 { 0.0 } else { x.log2().floor() }
}

/// The per-rank bandwidths of `a`'s graph \[GB/s\] (NCCL's
/// `nChannels · bwIntra` and `nChannels · bwInter`; module docs): on one
/// node both are `B_up`; on several, with `X = min(B_up, B_out)`, ring
/// `(X, X)`, tree, PAT (which runs on NCCL's tree graph) and CollNet
/// `(min(B_up, 2X), X)`, NVLS and NVLSTree `(X, min(B_out, 2X))`.
pub(super) fn graph_gbps(shape: &CommShape, a: NcclAlgo) -> (f64, f64) {
    let up = shape.up_gbps;
    if shape.nodes <= 1 {
        return (up, up);
    }
    let both = up.min(shape.out_gbps);
    match a {
        NcclAlgo::Ring => (both, both),
        NcclAlgo::Tree | NcclAlgo::Pat | NcclAlgo::CollNetDirect | NcclAlgo::CollNetChain => {
            (up.min(2.0 * both), both)
        }
        NcclAlgo::Nvls | NcclAlgo::NvlsTree => (both, shape.out_gbps.min(2.0 * both)),
    }
}

/// NCCL's step count of a ring for `op` on `n` ranks: `2(n−1)` for
/// all-reduce, `n−1` for all-gather and reduce-scatter, `n` otherwise.
pub(super) fn nsteps(op: Op, n: f64) -> f64 {
    match op {
        Op::AllReduce => 2.0 * (n - 1.0),
        Op::AllGather | Op::ReduceScatter => n - 1.0,
        _ => n,
    }
}

/// One entry of NCCL's table: latency \[µs\] and algorithm bandwidth
/// \[GB/s\], or `None` when NCCL disables the pair.
pub fn model(shape: &CommShape, op: Op, a: NcclAlgo, p: Protocol) -> Option<(f64, f64)> {
    match shape.version {
        NcclVersion::V2_20_3 => v2_20::model(shape, op, a, p),
        NcclVersion::V2_28_3 => v2_28::model(shape, op, a, p),
    }
}

/// NCCL's predicted time of `a`/`p` for `size` bytes \[s\], or `None` when
/// disabled (module docs).
pub fn predicted_s(shape: &CommShape, op: Op, a: NcclAlgo, p: Protocol, size: f64) -> Option<f64> {
    let (mut lat, mut bw) = model(shape, op, a, p)?;
    // NCCL's `log2i(nBytes >> 6)` is −1 below 64 bytes, where no
    // correction applies.
    let log_size = log2i((size / 64.0).floor());
    if a == NcclAlgo::Tree && size >= 64.0 && log_size < 23.0 {
        bw *= TREE_CORRECTION[p as usize][log_size as usize];
    }
    let c = shape.channels();
    if a == NcclAlgo::Ring
        && p == Protocol::Simple
        && shape.nodes > 1
        && op == Op::AllReduce
        && size / (c * shape.ranks as f64) >= 64.0
    {
        lat *= if shape.arch == Arch::Volta { 1.9 } else { 1.4 };
    }
    Some((lat + size / (1000.0 * bw)) * 1e-6)
}

/// Every enabled (algorithm, protocol) pair with its predicted time \[s\],
/// fastest first (ties keep NCCL's table order: algorithms, then LL,
/// LL128, Simple).
pub fn ranking(shape: &CommShape, op: Op, size: f64) -> Vec<(NcclAlgo, Protocol, f64)> {
    rank(&NcclAlgo::ALL, |a, p| predicted_s(shape, op, a, p, size))
}

/// The pairs of `algos` × (LL, LL128, Simple) that `time` \[s\] enables,
/// fastest first; ties keep that order (a stable sort), as the libraries'
/// strict `<` over their tables does.
fn rank(
    algos: &[NcclAlgo],
    time: impl Fn(NcclAlgo, Protocol) -> Option<f64>,
) -> Vec<(NcclAlgo, Protocol, f64)> {
    let mut all: Vec<(NcclAlgo, Protocol, f64)> = algos
        .iter()
        .flat_map(|&a| {
            [Protocol::Ll, Protocol::Ll128, Protocol::Simple]
                .into_iter()
                .filter_map(|p| time(a, p).map(|t| (a, p, t)))
                .collect::<Vec<_>>()
        })
        .collect();
    all.sort_by(|x, y| x.2.total_cmp(&y.2));
    all
}

/// The shape NCCL's tuner would see for `ranks` of `sim`'s topology, or
/// `None` where NCCL's model does not apply: a rank whose scale-up is not
/// NVLink (xGMI, UALink, no scale-up: RCCL's and other libraries' tuning is
/// not reproduced).
pub fn comm_shape(sim: &super::sim::CollectiveSim<'_>, ranks: &[NodeId]) -> Option<CommShape> {
    if ranks.len() < 2 || !ranks.iter().all(|&r| sim.nvlink_scale_up(r)) {
        return None;
    }
    let topo = sim.topology();
    let cap = sim.capacity_bps();
    let mut out_links: Vec<Vec<usize>> = vec![Vec::new(); topo.nodes.len()];
    for (i, l) in topo.links.iter().enumerate() {
        out_links[l.src.idx()].push(i);
    }
    let scale_up = |l: usize| topo.links[l].tier == "scale-up";
    let up_bps = |r: NodeId| -> f64 {
        out_links[r.idx()]
            .iter()
            .filter(|&&l| scale_up(l))
            .map(|&l| cap[l])
            .sum()
    };
    // A rank's scale-out bandwidth, through its NICs when it has them, and
    // the NICs it uses.
    let out_bps = |r: NodeId| -> (f64, usize) {
        let mut total = 0.0;
        let mut nics = 0;
        for &l in out_links[r.idx()].iter().filter(|&&l| !scale_up(l)) {
            let dst = topo.links[l].dst;
            if topo.nodes[dst.idx()].role == NodeRole::Nic {
                let beyond: f64 = out_links[dst.idx()]
                    .iter()
                    .filter(|&&u| topo.nodes[topo.links[u].dst.idx()].role != NodeRole::Accelerator)
                    .map(|&u| cap[u])
                    .sum();
                total += cap[l].min(beyond);
                nics += 1;
            } else {
                total += cap[l];
            }
        }
        (total, nics)
    };
    let doms = topo.domains_of(ranks);
    let up = ranks
        .iter()
        .map(|&r| up_bps(r))
        .fold(f64::INFINITY, f64::min)
        / 1e9;
    let mut out = f64::INFINITY;
    let mut nics = 0usize;
    for d in &doms {
        let per: Vec<(f64, usize)> = d.iter().map(|&r| out_bps(r)).collect();
        out = out.min(per.iter().map(|p| p.0).sum::<f64>() / 1e9);
        nics = nics.max(per.iter().map(|p| p.1.max(usize::from(p.0 > 0.0))).sum());
    }
    let kind = out_links[ranks[0].idx()]
        .iter()
        .find(|&&l| scale_up(l))
        .map_or("", |&l| topo.links[l].kind.as_str());
    let ppn = ranks.len() as f64 / doms.len() as f64;
    Some(CommShape {
        ranks: ranks.len(),
        nodes: doms.len(),
        arch: Arch::of_nvlink(kind),
        up_gbps: up,
        out_gbps: out,
        gpus_per_nic: ppn / nics.max(1) as f64,
        // NCCL sets up NVLS only with more than 2 GPUs in the node (the
        // clique under MNNVL): `ncclNvlsInit`, docs/sources.md
        // [S-nccl-nvls-cc].
        nvls: doms
            .iter()
            .all(|d| d.len() > 2 && super::nvls::plan(topo, d).is_ok()),
        collnet: sim.collnet() && doms.len() > 1 && super::hierarchical::sharp_across(topo, ranks),
        ll128: true,
        version: sim.nccl_version().unwrap_or_default(),
    })
}
