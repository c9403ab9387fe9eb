//! Hierarchical collectives for communicators spanning several scale-up
//! domains (NCCL-style multi-node: NVLink inside a server, one NIC per GPU
//! "rail" across servers).
//!
//! The communicator must span `D ≥ 2` scale-up domains
//! ([`Topology::domains_of`](fabricsim_topology::Topology::domains_of)) holding
//! `g` ranks each; local index `i` of a rank = its position among its
//! domain's ranks in communicator order, and *rail* `i` = the `D` ranks of
//! local index `i`. All-reduce of `S` (the reduce-scatter / all-gather
//! decomposition of Rabenseifner, ICCS 2004, applied per hierarchy level as
//! in Cho et al., "BlueConnect: Decomposing all-reduce for deep learning on
//! heterogeneous network hierarchy", SysML 2019, and NCCL's multi-node NVLS):
//! 1. reduce-scatter of `S` inside every domain (each rank ends with `S/g`);
//! 2. all-reduce of `S/g` across domains on every rail: a ring of `D` ranks,
//!    `2(D−1)` steps of `S/(gD)`, all `g` rails in the same steps;
//! 3. all-gather of `S` inside every domain.
//!
//! Reduce-scatter is phase 1 then a rail reduce-scatter of `S/g`
//! (`D−1` steps of `S/(gD)`); all-gather is a rail all-gather (`D−1` steps of
//! `S/(gD)`) then phase 3. Concurrent sub-collectives of one phase share
//! steps (step `k` of every domain's ring is one [`Step`](super::Step)), so
//! they contend for the fabric; phases follow each other (barrier).
//!
//! Across domains the all-reduce of phase 2 runs, when the scale-out
//! switches reduce in the network (SHARP; [`super::sharp`]), as one step on
//! every rail's aggregation tree: `S/g` up and down each tree edge, instead
//! of the rail ring's `2(D−1)/D · S/g` each way in `2(D−1)` steps.
//! `Algo::Hierarchical` picks it whenever CollNet is enabled
//! ([`crate::sim::Params::collnet`], NCCL's default is off) and every rail
//! has such a tree.
//! With NVLS inside the domains too, all three phases are single streaming
//! steps, and they are pipelined in chunks of `chunk_bytes` (NVLS
//! reduce-scatter of chunk `k+2`, SHARP of chunk `k+1` and NVLS all-gather of
//! chunk `k` at once, [`super::tree::pipeline_stages`]), as NCCL streams its
//! NVLS+SHARP (CollNet) all-reduce; phases that are rings keep the barrier
//! between phases.
//!
//! Inside a domain the phases use a ring (`g−1` steps of `S/g`) or, with
//! [`Intra::Nvls`], in-switch reduction (one step; see [`super::nvls`]).
//! `Algo::Hierarchical` picks NVLS when every domain supports it (as NCCL's
//! NVLS algorithm does on multi-node), else the ring. Per-rank scale-up
//! bytes: ring `2(g−1)/g · S` out and in; NVLS `(g+1)/g · S` out, `S` in, in
//! 2 steps instead of `2(g−1)`: NVLS saves latency, not bytes.
//!
//! All-reduce on `D = 2` domains of `g` ranks, each rank with scale-up
//! bandwidth `B_u` to a non-blocking domain switch, the `g` rails sharing one
//! inter-domain link of `B_x ≤ g·B_u` per direction (each rail step puts `g`
//! flows of `S/(2g)` on it, `B_x/g` each; checked in the tests):
//! ring: `t = 2(g−1)·(α + S/(g·B_u)) + 2·(α + S/(2·B_x))`;
//! NVLS: `t = (α + S/B_u) + 2·(α + S/(2·B_x)) + (α + (g−1)/g · S/B_u)`.

use super::schedule::{Schedule, StepLatency, Transfer};
use super::{Algo, CollectiveError, Op};
use super::{nvls, sharp};
use fabricsim_topology::{NodeId, Topology};

/// How the phases inside a scale-up domain run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intra {
    /// A ring of the domain's `g` ranks, `g−1` steps of `S/g` per phase.
    Ring,
    /// In-switch reduction, one step per phase ([`super::nvls`]).
    Nvls,
}

/// How the all-reduce across domains runs on every rail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inter {
    /// A ring of the `D` rail members, `2(D−1)` steps of `S/(gD)`.
    Ring,
    /// In-network reduction on the scale-out switches (SHARP): one step, `S/g`
    /// up and down every edge of the rail's aggregation tree ([`super::sharp`]).
    Sharp,
}

fn unsupported(op: Op, why: String) -> CollectiveError {
    CollectiveError::Unsupported {
        algo: Algo::Hierarchical,
        op,
        why,
    }
}

/// The communicator's domains if they suit the hierarchical algorithm
/// (at least 2, all of equal size).
pub fn hierarchy(
    topo: &Topology,
    op: Op,
    ranks: &[NodeId],
) -> Result<Vec<Vec<NodeId>>, CollectiveError> {
    if ranks.len() < 2 {
        return Err(CollectiveError::TooFewRanks(ranks.len()));
    }
    let doms = topo.domains_of(ranks);
    if doms.len() < 2 {
        return Err(unsupported(
            op,
            "all ranks are in one scale-up domain; hierarchical needs at least 2 \
             (use ring, tree or nvls)"
                .into(),
        ));
    }
    let g = doms[0].len();
    if g == 1 && doms.iter().all(|d| d.len() == 1) {
        return Err(unsupported(
            op,
            "every scale-up domain holds one rank of the communicator, so there is \
             nothing to do inside the domains (use ring)"
                .into(),
        ));
    }
    if doms.iter().any(|d| d.len() != g) {
        let sizes: Vec<String> = doms.iter().map(|d| d.len().to_string()).collect();
        return Err(unsupported(
            op,
            format!(
                "the communicator's scale-up domains hold unequal numbers of ranks ({}); \
                 hierarchical needs equal domains",
                sizes.join(", ")
            ),
        ));
    }
    Ok(doms)
}

/// Hierarchical schedule of `op`, with NVLS inside the domains when every
/// domain supports it, else rings, and with SHARP across them when
/// `collnet` allows it and every rail has a tree, else rail rings (see the
/// module docs).
pub fn hierarchical(
    topo: &Topology,
    op: Op,
    ranks: &[NodeId],
    size: f64,
    chunk_bytes: f64,
    collnet: bool,
) -> Result<Schedule, CollectiveError> {
    let doms = hierarchy(topo, op, ranks)?;
    // NVLS inside when every domain supports it, SHARP across when every
    // rail has a tree; each plan is found once and handed to `build`.
    let plans = (doms[0].len() > 1)
        .then(|| {
            doms.iter()
                .map(|d| nvls::plan(topo, d))
                .collect::<Result<Vec<_>, _>>()
                .ok()
        })
        .flatten();
    let trees = (collnet && op == Op::AllReduce)
        .then(|| rail_trees(topo, &rails(&doms)).ok())
        .flatten();
    build(op, doms, size, plans, trees, chunk_bytes)
}

/// Whether every rail of `ranks` has an in-network reduction tree on the
/// scale-out switches (SHARP), as [`hierarchical`] all-reduce uses.
pub fn sharp_across(topo: &Topology, ranks: &[NodeId]) -> bool {
    hierarchy(topo, Op::AllReduce, ranks).is_ok_and(|doms| rail_trees(topo, &rails(&doms)).is_ok())
}

/// Rail `i`: local rank `i` of every domain.
pub(crate) fn rails(doms: &[Vec<NodeId>]) -> Vec<Vec<NodeId>> {
    (0..doms[0].len())
        .map(|i| doms.iter().map(|d| d[i]).collect())
        .collect()
}

/// The SHARP aggregation tree of every rail (tree `i` for rail `i`).
pub(crate) fn rail_trees(
    topo: &Topology,
    rails: &[Vec<NodeId>],
) -> Result<Vec<Vec<(NodeId, NodeId)>>, String> {
    let level = sharp::levels(topo);
    rails
        .iter()
        .enumerate()
        .map(|(i, r)| sharp::tree(topo, &level, r, i))
        .collect()
}

/// Hierarchical schedule of `op` with the given intra-domain and
/// inter-domain methods (`Inter::Sharp` serves all-reduce only).
pub fn hierarchical_with(
    topo: &Topology,
    op: Op,
    ranks: &[NodeId],
    size: f64,
    intra: Intra,
    inter: Inter,
    chunk_bytes: f64,
) -> Result<Schedule, CollectiveError> {
    let doms = hierarchy(topo, op, ranks)?;
    let trees = match inter {
        Inter::Sharp if op == Op::AllReduce => Some(
            rail_trees(topo, &rails(&doms))
                .map_err(|why| unsupported(op, format!("SHARP across domains: {why}")))?,
        ),
        Inter::Sharp => {
            return Err(unsupported(
                op,
                "in-network reduction across domains serves all-reduce only".into(),
            ));
        }
        Inter::Ring => None,
    };
    let plans = match intra {
        Intra::Nvls if doms[0].len() > 1 => Some(
            doms.iter()
                .map(|d| nvls::plan(topo, d))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| unsupported(op, format!("NVLS inside a domain: {why}")))?,
        ),
        _ => None,
    };
    build(op, doms, size, plans, trees, chunk_bytes)
}

/// The schedule on `doms`, with NVLS `plans` inside the domains (else
/// rings) and SHARP `trees` across them (else rail rings).
fn build(
    op: Op,
    doms: Vec<Vec<NodeId>>,
    size: f64,
    plans: Option<Vec<nvls::NvlsPlan>>,
    trees: Option<Vec<Vec<(NodeId, NodeId)>>>,
    chunk_bytes: f64,
) -> Result<Schedule, CollectiveError> {
    let g = doms[0].len();
    let nd = doms.len();
    let rails = rails(&doms);
    // Rail ring steps of S/(gD).
    let rail_bytes = size / (g * nd) as f64;
    // One phase inside every domain: `phase` is reduce-scatter or all-gather of S.
    let intra_phase = |s: &mut Schedule, phase: Op| match &plans {
        Some(plans) => s.push(
            doms.iter()
                .zip(plans)
                .flat_map(|(d, p)| nvls::transfers(phase, p, d, size))
                .collect(),
            1,
        ),
        None => s.push_step(
            shift(&doms, size / g as f64),
            g as u32 - 1,
            StepLatency::RingMean,
        ),
    };
    let rail_ring = |s: &mut Schedule, steps: usize| {
        s.push_step(
            shift(&rails, rail_bytes),
            steps as u32,
            StepLatency::RingMean,
        )
    };
    let mut s = Schedule::default();
    match op {
        Op::AllReduce if plans.is_some() && trees.is_some() => {
            // Every phase is one streaming step: pipeline them in chunks.
            let (plans, trees) = (plans.as_ref().unwrap(), trees.as_ref().unwrap());
            let m = super::tree::chunk_count(size, chunk_bytes);
            let chunk = size / m as f64;
            // Only the NVLS heads' rails cross the domains.
            let h = nvls::head_count(g);
            let intra = |phase: Op| heads_phase(&doms, plans, phase, h, chunk);
            let across: Vec<Transfer> = trees
                .iter()
                .take(h)
                .flat_map(|t| sharp::all_reduce_transfers(t, chunk / h as f64))
                .collect();
            let stages = vec![intra(Op::ReduceScatter), across, intra(Op::AllGather)];
            s = super::tree::pipeline_stages(stages, m);
        }
        Op::AllReduce => {
            intra_phase(&mut s, Op::ReduceScatter);
            s.name_from(0, "in-domain reduce-scatter");
            match &trees {
                Some(trees) => s.push(
                    trees
                        .iter()
                        .flat_map(|t| sharp::all_reduce_transfers(t, size / g as f64))
                        .collect(),
                    1,
                ),
                None => rail_ring(&mut s, 2 * (nd - 1)),
            }
            s.name_from(0, "cross-domain all-reduce");
            intra_phase(&mut s, Op::AllGather);
            s.name_from(0, "in-domain all-gather");
        }
        Op::ReduceScatter => {
            intra_phase(&mut s, Op::ReduceScatter);
            s.name_from(0, "in-domain reduce-scatter");
            rail_ring(&mut s, nd - 1);
            s.name_from(0, "cross-domain reduce-scatter");
        }
        Op::AllGather => {
            rail_ring(&mut s, nd - 1);
            s.name_from(0, "cross-domain all-gather");
            intra_phase(&mut s, Op::AllGather);
            s.name_from(0, "in-domain all-gather");
        }
        _ => {
            return Err(unsupported(
                op,
                "hierarchical serves all-reduce, reduce-scatter and all-gather".into(),
            ));
        }
    }
    Ok(s)
}

/// One ring step in every group at once: member `i` sends `bytes` to member
/// `i+1 mod len`.
fn shift(groups: &[Vec<NodeId>], bytes: f64) -> Vec<Transfer> {
    groups
        .iter()
        .filter(|grp| grp.len() > 1)
        .flat_map(|grp| {
            (0..grp.len()).map(move |i| Transfer {
                src: grp[i],
                dst: grp[(i + 1) % grp.len()],
                bytes,
            })
        })
        .collect()
}

/// One chunk's NVLS `phase` onto (reduce-scatter) or from (all-gather)
/// the first `h` ranks of every domain ([`nvls::head_transfers`]).
fn heads_phase(
    doms: &[Vec<NodeId>],
    plans: &[nvls::NvlsPlan],
    phase: Op,
    h: usize,
    chunk: f64,
) -> Vec<Transfer> {
    doms.iter()
        .zip(plans)
        .flat_map(|(d, p)| nvls::head_transfers(phase, p, d, h, chunk))
        .collect()
}

/// NCCL's NVLSTree all-reduce: NVLS reduce-scatter inside every domain, a
/// double binary tree across the domains on every rail, NVLS all-gather
/// inside every domain, the three pipelined in chunks of `chunk_bytes`
/// (NVIDIA/nccl `NCCL_ALGO_NVLS_TREE`, used across nodes when NVLS works
/// inside them and no CollNet/SHARP is set up).
///
/// With `g` ranks per domain and `D` domains, each domain has
/// `h = min(g, 32)` NVLS heads, its first `h` ranks
/// ([`nvls::head_count`]: NCCL's `NCCL_MAX_NVLS_ARITY`). The domain's NVLS
/// reduces each chunk onto the heads, `c/h` each
/// ([`nvls::head_transfers`]); rail `i < h` (local rank `i` of every domain)
/// all-reduces that share over the domain trees of
/// [`super::tree::double_binary_tree`]`(D)`, half on each tree, pipelined
/// over `2·depth` hops as [`super::tree::tree`]; the heads multicast the
/// result back. A chunk of `c` bytes passes `1 + 2·depth + 1` stages;
/// `m = ⌈S/chunk⌉` chunks take `2·depth + m + 1` slots
/// ([`super::tree::pipeline_stages`]). Per steady slot an interior head
/// sends three `c/(2h)` pieces over the network and one as a leaf of the
/// other tree. On a domain of at most 32 ranks every rank is a head.
pub fn nvls_tree(
    topo: &Topology,
    ranks: &[NodeId],
    size: f64,
    chunk_bytes: f64,
) -> Result<Schedule, CollectiveError> {
    let op = Op::AllReduce;
    let doms = hierarchy(topo, op, ranks)?;
    let plans = doms
        .iter()
        .map(|d| nvls::plan(topo, d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|why| CollectiveError::Unsupported {
            algo: Algo::NvlsTree,
            op,
            why: format!("NVLS inside a domain: {why}"),
        })?;
    let g = doms[0].len();
    let nd = doms.len();
    let m = super::tree::chunk_count(size, chunk_bytes);
    let chunk = size / m as f64;
    let h = nvls::head_count(g);
    let intra = |phase: Op| heads_phase(&doms, &plans, phase, h, chunk);
    let trees = super::tree::double_binary_tree(nd);
    let piece = chunk / (2 * h) as f64;
    let mut hops: Vec<Vec<Transfer>> = Vec::new();
    for rail in rails(&doms).into_iter().take(h) {
        let rail_hops = super::tree::up_down_hops(&trees, &rail);
        hops.resize(rail_hops.len(), Vec::new());
        for (h, pairs) in hops.iter_mut().zip(rail_hops) {
            h.extend(pairs.into_iter().map(|(src, dst)| Transfer {
                src,
                dst,
                bytes: piece,
            }));
        }
    }
    let mut stages = vec![intra(Op::ReduceScatter)];
    stages.extend(hops);
    stages.push(intra(Op::AllGather));
    Ok(super::tree::pipeline_stages(stages, m))
}
