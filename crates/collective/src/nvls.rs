//! In-switch reduction: NVLink SHARP (NVLS) on NVSwitch, SHARP on
//! InfiniBand switches.
//!
//! The ranks write their data into switches that reduce it and multicast the
//! result (docs/sources.md [S-nvidia-nvswitch3-blog] on NVLink SHARP; NCCL's `NCCL_ALGO_NVLS` kernels in `all_reduce.h`, docs/sources.md [S-nccl-nvls-kernels]).
//! docs/semantics.md: per-rank traffic ≈ `S` out and `S` in for all-reduce.
//!
//! # Which switches
//! The reducing switches of a communicator are the switches with
//! `in_switch_reduction = true` that have a direct link to *and* from every
//! rank. Switch `k` reduces the same share `w_k` of every rank's buffer
//! (a switch can only reduce an element once it has every rank's copy), with
//! `w_k = C_k / Σ_j C_j` and `C_k = min over ranks r of min(cap(r→k),
//! cap(k→r))` — on a uniform board this is each rank's capacity split, e.g.
//! 5/18, 4/18, 4/18, 5/18 on HGX H100 (5/4/4/5 NVLink4 lanes to the four
//! NVSwitches). A communicator spanning several scale-up domains has no such
//! common switch: use the hierarchical algorithm.
//!
//! # Schedules (one step each; `n` ranks, `S` the nccl-tests size, docs/sources.md [S-nccl-tests-perf])
//! Every rank `r` sends `up·w_k` to each reducing switch `k` and receives
//! `down·w_k` from it, all at once (the switch streams: reduction and
//! multicast overlap the writes):
//! - all-reduce: `up = S`, `down = S` (every element goes in once and the
//!   reduced element comes back once); on a non-blocking star of per-rank
//!   bandwidth `B`: `t = α + S/B`, busbw `= 2(n−1)/n · B`;
//! - reduce-scatter: `up = S` (every element of the input must reach the
//!   switch, which reduces the `n` copies), `down = S/n` (the rank's reduced
//!   share): `t = α + S/B`;
//! - all-gather (multicast): `up = S/n` (a rank's share, written once),
//!   `down = (n−1)/n · S` (everyone else's shares): `t = α + (n−1)/n · S/B`.
//!
//! Broadcast, reduce, all-to-all and send-recv are unsupported (NCCL's NVLS
//! serves all-reduce, all-gather and reduce-scatter only).

use super::schedule::{Schedule, Transfer};
use super::{Algo, CollectiveError, Op};
use fabricsim_topology::{NodeId, Topology};
use std::collections::BTreeMap;

/// The reducing switches of a communicator and the share `w_k` of the
/// buffer each reduces (shares sum to 1). See the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct NvlsPlan {
    /// `(switch k, w_k)`: each reducing switch with its share of the buffer.
    pub switches: Vec<(NodeId, f64)>,
}

/// Why no NVLS plan exists for a set of ranks.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NoNvlsSwitch {
    /// This rank has no reducing switch directly linked to it.
    #[error("no switch with in_switch_reduction = true is directly linked to {rank}")]
    Rank {
        /// The rank's node name.
        rank: String,
    },
    /// The ranks span several scale-up domains and no reducing switch links
    /// to all of them.
    #[error(
        "the ranks span {domains} scale-up domains and no switch with \
         in_switch_reduction = true is directly linked to all of them \
         (in-switch reduction works inside one domain; use hierarchical)"
    )]
    Domains {
        /// Scale-up domains the ranks span.
        domains: usize,
    },
    /// No reducing switch is linked to every rank (one domain).
    #[error("no switch with in_switch_reduction = true is directly linked to every rank")]
    Common,
}

/// Finds the reducing switches of `ranks`, or says what is missing.
pub fn plan(topo: &Topology, ranks: &[NodeId]) -> Result<NvlsPlan, NoNvlsSwitch> {
    let reduces = |x: NodeId| topo.nodes[x.idx()].in_switch_reduction;
    let mut common: Option<BTreeMap<NodeId, f64>> = None;
    for &r in ranks {
        let mut out: BTreeMap<NodeId, f64> = BTreeMap::new();
        let mut inn: BTreeMap<NodeId, f64> = BTreeMap::new();
        for &(e, _) in topo.adjacency().out_links(r) {
            let l = &topo.links[e.idx()];
            if reduces(l.dst) {
                *out.entry(l.dst).or_default() += l.capacity_bps;
            }
        }
        for &(e, _) in topo.adjacency().in_links(r) {
            let l = &topo.links[e.idx()];
            if reduces(l.src) {
                *inn.entry(l.src).or_default() += l.capacity_bps;
            }
        }
        let mine: BTreeMap<NodeId, f64> = out
            .into_iter()
            .filter_map(|(k, o)| inn.get(&k).map(|&i| (k, o.min(i))))
            .collect();
        if mine.is_empty() {
            return Err(NoNvlsSwitch::Rank {
                rank: topo.nodes[r.idx()].name.clone(),
            });
        }
        common = Some(match common {
            None => mine,
            Some(c) => c
                .into_iter()
                .filter_map(|(k, cap)| mine.get(&k).map(|&m| (k, cap.min(m))))
                .collect(),
        });
    }
    let common = common.unwrap_or_default();
    let total: f64 = common.values().sum();
    if common.is_empty() || total <= 0.0 {
        let doms = topo.domains_of(ranks);
        return Err(if doms.len() > 1 {
            NoNvlsSwitch::Domains {
                domains: doms.len(),
            }
        } else {
            NoNvlsSwitch::Common
        });
    }
    Ok(NvlsPlan {
        switches: common.into_iter().map(|(k, c)| (k, c / total)).collect(),
    })
}

/// Bytes a rank sends to and receives from the switches for `op` (see the
/// module docs), or `None` when NVLS does not serve `op`.
pub fn rank_bytes(op: Op, n: usize, size: f64) -> Option<(f64, f64)> {
    let nf = n as f64;
    match op {
        Op::AllReduce => Some((size, size)),
        Op::ReduceScatter => Some((size, size / nf)),
        Op::AllGather => Some((size / nf, (nf - 1.0) / nf * size)),
        _ => None,
    }
}

/// The transfers of one NVLS step of `op` on `ranks` with `plan` (empty for
/// an unsupported `op`).
pub fn transfers(op: Op, plan: &NvlsPlan, ranks: &[NodeId], size: f64) -> Vec<Transfer> {
    let Some((up, down)) = rank_bytes(op, ranks.len(), size) else {
        return Vec::new();
    };
    let mut v = Vec::with_capacity(2 * ranks.len() * plan.switches.len());
    for &r in ranks {
        push_rank(&mut v, plan, r, (up, down), true);
    }
    v
}

/// Rank `r`'s transfers to and from every switch of `plan`, `up` and
/// `down` bytes split by the switches' shares: both always when `both`,
/// else only those of more than 0 bytes.
fn push_rank(
    v: &mut Vec<Transfer>,
    plan: &NvlsPlan,
    r: NodeId,
    (up, down): (f64, f64),
    both: bool,
) {
    for &(k, w) in &plan.switches {
        if both || up > 0.0 {
            v.push(Transfer {
                src: r,
                dst: k,
                bytes: up * w,
            });
        }
        if both || down > 0.0 {
            v.push(Transfer {
                src: k,
                dst: r,
                bytes: down * w,
            });
        }
    }
}

/// Most NVLS heads one domain has: NCCL's `NCCL_MAX_NVLS_ARITY`, 32
/// (`src/include/device.h`, NCCL 2.26.2 @f44ac759 and 2.29.3 @e5d9a7ae),
/// which caps the NVLS graph's channels at `min(32, GPUs in the node)`
/// (`src/graph/search.cc`); under MNNVL the node is the whole NVLink
/// domain (`ncclTopoFuseXml`, `src/graph/topo.cc`). Each channel's head is
/// one GPU, and its NIC carries the channel across domains
/// (docs/sources.md [S-nccl-nvls-arity]).
pub const MAX_HEADS: usize = 32;

/// NVLS heads of a domain of `g` ranks: `h = min(g, MAX_HEADS)`.
pub fn head_count(g: usize) -> usize {
    g.min(MAX_HEADS)
}

/// One chunk's in-domain phase of an NVLS algorithm across domains
/// (NVLSTree, NVLS with SHARP), whose first `heads` ranks are the heads
/// (`h = heads`, `S = size`; each amount split over the switches by `w_k`):
/// - `ReduceScatter`, reduce onto the heads: every rank sends `S`, head `i`
///   receives the reduced share `S/h`, other ranks receive nothing;
/// - `AllGather`, multicast from the heads: head `i` sends its share `S/h`,
///   every rank receives the heads' shares but its own: `(h−1)/h · S` on a
///   head, `S` elsewhere.
///
/// With `h` = the domain's size this is [`transfers`] of the same phase.
/// Other ops have no such phase (empty).
pub fn head_transfers(
    phase: Op,
    plan: &NvlsPlan,
    ranks: &[NodeId],
    heads: usize,
    size: f64,
) -> Vec<Transfer> {
    let h = heads as f64;
    let mut v = Vec::with_capacity(2 * ranks.len() * plan.switches.len());
    for (i, &r) in ranks.iter().enumerate() {
        let head = i < heads;
        let (up, down) = match (phase, head) {
            (Op::ReduceScatter, true) => (size, size / h),
            (Op::ReduceScatter, false) => (size, 0.0),
            (Op::AllGather, true) => (size / h, (h - 1.0) / h * size),
            (Op::AllGather, false) => (0.0, size),
            _ => return Vec::new(),
        };
        // A head's two transfers are always listed, as `transfers` lists
        // every rank's (even of 0 bytes); a non-head has one.
        push_rank(&mut v, plan, r, (up, down), head);
    }
    v
}

/// NVLS schedule of `op` on `ranks` (one step; see the module docs).
pub fn nvls(
    topo: &Topology,
    op: Op,
    ranks: &[NodeId],
    size: f64,
) -> Result<Schedule, CollectiveError> {
    let unsupported = |why: String| CollectiveError::Unsupported {
        algo: Algo::Nvls,
        op,
        why,
    };
    if ranks.len() < 2 {
        return Err(CollectiveError::TooFewRanks(ranks.len()));
    }
    if rank_bytes(op, ranks.len(), size).is_none() {
        return Err(unsupported(
            "in-switch reduction serves all-reduce, reduce-scatter and all-gather".into(),
        ));
    }
    let p = plan(topo, ranks).map_err(|e| unsupported(e.to_string()))?;
    let mut s = Schedule::default();
    s.push(transfers(op, &p, ranks, size), 1);
    Ok(s)
}
