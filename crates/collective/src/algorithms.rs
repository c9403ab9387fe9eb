//! Algorithms: (operation, size, communicator) → [`Schedule`].
//!
//! Textbook costs on an ideal fabric (n ranks, per-rank bandwidth B, per-step
//! latency α; docs/semantics.md), which the tests check against the simulation:
//! - ring all-reduce: `2(n−1)·α + 2(n−1)/n · S/B`; all-gather and
//!   reduce-scatter: `(n−1)·α + (n−1)/n · S/B` (Patarasuk & Yuan, JPDC 2009);
//! - recursive halving-doubling all-reduce (n a power of two):
//!   `2·log2(n)·α + 2(n−1)/n · S/B` (Rabenseifner, ICCS 2004; Thakur et al.,
//!   IJHPCA 2005);
//! - direct all-to-all: `α + (n−1)/n · S/B` on a non-blocking switch.

use super::schedule::{Schedule, StepLatency, Transfer};
use super::{Algo, CollectiveError, Op};
use fabricsim_topology::{NodeId, Topology};

/// Ring orders for `channels` NCCL-style channels.
///
/// Ranks are grouped by scale-up domain (see [`domains`]); channel `c`
/// visits the domains in communicator order and, inside domain `k` (of size
/// `g`), its local ranks starting at `e = (c − k) mod g`: `[e, e+1, …, e−1]`.
/// It leaves domain `k` from local rank `e − 1`, which is where it enters
/// domain `k + 1`, so every inter-domain hop stays on one rail (local rank
/// `i` of one domain to local rank `i` of the next: NIC to NIC through the
/// rail's leaf, as NCCL's rings do on rail-optimized fabrics). Only the hop
/// from the last domain back to the first changes rail (by the number of
/// domains, mod g). With `channels = g` each local rank is the exit of
/// exactly one channel, so every NIC carries one channel each way.
pub fn ring_orders(topo: &Topology, ranks: &[NodeId], channels: usize) -> Vec<Vec<NodeId>> {
    let doms = domains(topo, ranks);
    (0..channels.max(1))
        .map(|c| {
            doms.iter()
                .enumerate()
                .flat_map(|(k, d)| {
                    let g = d.len();
                    let e = (c + g - k % g) % g;
                    (0..g).map(move |i| d[(e + i) % g])
                })
                .collect()
        })
        .collect()
}

/// The communicator's ranks grouped by scale-up domain, in order of first
/// appearance: two ranks share a domain when they are connected through
/// links whose tier is `scale-up` (switches included). Without scale-up
/// links every rank is its own domain.
pub fn domains(topo: &Topology, ranks: &[NodeId]) -> Vec<Vec<NodeId>> {
    let mut index: std::collections::HashMap<u32, usize> = Default::default();
    let mut groups: Vec<Vec<NodeId>> = Vec::new();
    for &r in ranks {
        let g = *index.entry(topo.scale_up_domain(r)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(r);
    }
    groups
}

/// Default channel count: the smallest domain size when the communicator
/// spans several domains (one channel per rail), else 1 (in one domain every
/// rotation of the ring crosses the same links).
pub fn default_channels(topo: &Topology, ranks: &[NodeId]) -> usize {
    let doms = domains(topo, ranks);
    if doms.len() > 1 {
        doms.iter().map(|d| d.len()).min().unwrap_or(1)
    } else {
        1
    }
}

/// Most point-to-point transfers a quadratic schedule (direct exchanges, ring
/// all-to-all) may hold: 16 Mi, about 1 GB of schedule and flows. A direct
/// all-to-all on 4,096 ranks fits; 8,192 ranks (67 M transfers) is refused.
pub const MAX_SCHEDULE_TRANSFERS: usize = 16 << 20;

/// Builds the schedule of `algo` (not `Auto`) for `op` on `ranks`.
///
/// `chunk_bytes` is the pipelining unit of broadcast and reduce chains.
pub fn schedule(
    topo: &Topology,
    op: Op,
    algo: Algo,
    ranks: &[NodeId],
    size: f64,
    channels: usize,
    chunk_bytes: f64,
) -> Result<Schedule, CollectiveError> {
    let n = ranks.len();
    if n < 2 {
        return Err(CollectiveError::TooFewRanks(n));
    }
    // Refuse quadratic schedules that would not fit in memory, before building them.
    let quadratic = match (algo, op) {
        (Algo::Direct, Op::AllToAll | Op::AllGather | Op::ReduceScatter | Op::AllReduce) => {
            Some(n as u128 * (n as u128 - 1))
        }
        (Algo::Ring, Op::AllToAll) => Some(n as u128 * (n as u128 - 1) * channels.max(1) as u128),
        _ => None,
    };
    if let Some(transfers) = quadratic
        && transfers > MAX_SCHEDULE_TRANSFERS as u128
    {
        return Err(CollectiveError::TooLarge {
            algo,
            op,
            transfers,
            limit: MAX_SCHEDULE_TRANSFERS,
        });
    }
    match algo {
        Algo::Ring => Ok(ring(topo, op, ranks, size, channels, chunk_bytes)),
        Algo::Direct => Ok(direct(op, ranks, size)),
        Algo::HalvingDoubling => halving_doubling(op, ranks, size),
        Algo::Tree => super::tree::tree(op, ranks, size, chunk_bytes),
        Algo::Nvls => super::nvls::nvls(topo, op, ranks, size),
        Algo::Hierarchical => super::hierarchical::hierarchical(topo, op, ranks, size, chunk_bytes),
        Algo::Auto => Err(CollectiveError::Unsupported {
            algo: Algo::Auto,
            op,
            why: "auto picks an algorithm in run::run; a schedule needs a concrete one".into(),
        }),
    }
}

/// Ring algorithms over NCCL-style channels; each channel carries `1/C` of
/// the data. All-reduce: `2(n−1)` identical steps of `S/(n·C)` per channel
/// edge; all-gather and reduce-scatter: `n−1` steps; broadcast and reduce: a
/// pipelined chain from/to rank 0 along each channel's ring; send-recv: every
/// rank sends `S` to its successor; all-to-all: `n−1` shift steps, step `k`
/// sending `S/n` from each rank to the rank `k` places ahead.
pub fn ring(
    topo: &Topology,
    op: Op,
    ranks: &[NodeId],
    size: f64,
    channels: usize,
    chunk_bytes: f64,
) -> Schedule {
    let n = ranks.len();
    let rings = ring_orders(topo, ranks, channels);
    let c = rings.len() as f64;
    let shift = |k: usize, bytes: f64| -> Vec<Transfer> {
        rings
            .iter()
            .flat_map(|r| {
                (0..n).map(move |i| Transfer {
                    src: r[i],
                    dst: r[(i + k) % n],
                    bytes,
                })
            })
            .collect()
    };
    let mut s = Schedule::default();
    match op {
        Op::AllReduce => s.push_step(
            shift(1, size / (n as f64 * c)),
            2 * (n as u32 - 1),
            StepLatency::RingMean,
        ),
        Op::AllGather | Op::ReduceScatter => s.push_step(
            shift(1, size / (n as f64 * c)),
            n as u32 - 1,
            StepLatency::RingMean,
        ),
        Op::SendRecv => s.push(shift(1, size / c), 1),
        Op::AllToAll => {
            for k in 1..n {
                s.push(shift(k, size / (n as f64 * c)), 1);
            }
        }
        Op::Broadcast | Op::Reduce => {
            // A chain rooted at rank 0 along each ring (reversed for reduce).
            let chains: Vec<Vec<NodeId>> = rings
                .iter()
                .map(|r| {
                    let at = r.iter().position(|&x| x == ranks[0]).unwrap_or(0);
                    let mut ch: Vec<NodeId> = (0..n).map(|i| r[(at + i) % n]).collect();
                    if op == Op::Reduce {
                        ch.reverse();
                    }
                    ch
                })
                .collect();
            s.extend(pipeline(&chains, size / c, chunk_bytes));
        }
    }
    s
}

/// A pipelined chain: `m = ⌈bytes/chunk⌉` chunks flow through the `d = len−1`
/// hops of every chain at once ([`super::tree::staged_pipeline`]).
pub fn pipeline(chains: &[Vec<NodeId>], bytes: f64, chunk_bytes: f64) -> Schedule {
    let d = chains.first().map_or(0, |c| c.len().saturating_sub(1));
    let hops: Vec<Vec<(NodeId, NodeId)>> = (0..d)
        .map(|j| chains.iter().map(|ch| (ch[j], ch[j + 1])).collect())
        .collect();
    let m = super::tree::chunk_count(bytes, chunk_bytes);
    super::tree::staged_pipeline(&hops, m, bytes / m as f64)
}

/// Direct algorithms: every rank exchanges with every other at once.
/// All-to-all: one step, `S/n` from each rank to each other rank.
/// Reduce-scatter and all-gather: the same pattern (each rank's `S/n` share
/// goes to, or comes from, every other rank). All-reduce: reduce-scatter then
/// all-gather, two such steps. Broadcast: the root sends `S` to every rank;
/// reduce: every rank sends `S` to the root; send-recv: rank i → i+1.
pub fn direct(op: Op, ranks: &[NodeId], size: f64) -> Schedule {
    let n = ranks.len();
    let all_pairs = |bytes: f64| -> Vec<Transfer> {
        (0..n)
            .flat_map(|i| {
                (0..n).filter(move |&j| j != i).map(move |j| Transfer {
                    src: ranks[i],
                    dst: ranks[j],
                    bytes,
                })
            })
            .collect()
    };
    let mut s = Schedule::default();
    match op {
        Op::AllToAll | Op::AllGather | Op::ReduceScatter => s.push(all_pairs(size / n as f64), 1),
        Op::AllReduce => s.push(all_pairs(size / n as f64), 2),
        Op::Broadcast => s.push(
            (1..n)
                .map(|j| Transfer {
                    src: ranks[0],
                    dst: ranks[j],
                    bytes: size,
                })
                .collect(),
            1,
        ),
        Op::Reduce => s.push(
            (1..n)
                .map(|j| Transfer {
                    src: ranks[j],
                    dst: ranks[0],
                    bytes: size,
                })
                .collect(),
            1,
        ),
        Op::SendRecv => s.push(
            (0..n)
                .map(|i| Transfer {
                    src: ranks[i],
                    dst: ranks[(i + 1) % n],
                    bytes: size,
                })
                .collect(),
            1,
        ),
    }
    s
}

/// Recursive halving (reduce-scatter) and doubling (all-gather), n a power
/// of two. Step `k` of the halving pairs rank `i` with `i XOR n/2^(k+1)` and
/// exchanges `S/2^(k+1)`; doubling mirrors it. All-reduce = halving then
/// doubling: `2·log2 n` steps, `2(n−1)/n · S` bytes per rank.
pub fn halving_doubling(op: Op, ranks: &[NodeId], size: f64) -> Result<Schedule, CollectiveError> {
    let n = ranks.len();
    if !n.is_power_of_two() {
        return Err(CollectiveError::Unsupported {
            algo: Algo::HalvingDoubling,
            op,
            why: format!("needs a power-of-two number of ranks, got {n}"),
        });
    }
    let log = n.trailing_zeros();
    let exchange = |dist: usize, bytes: f64| -> Vec<Transfer> {
        (0..n)
            .map(|i| Transfer {
                src: ranks[i],
                dst: ranks[i ^ dist],
                bytes,
            })
            .collect()
    };
    let halving = |s: &mut Schedule| {
        for k in 0..log {
            s.push(exchange(n >> (k + 1), size / (2usize << k) as f64), 1);
        }
    };
    let doubling = |s: &mut Schedule| {
        for k in (0..log).rev() {
            s.push(exchange(n >> (k + 1), size / (2usize << k) as f64), 1);
        }
    };
    let mut s = Schedule::default();
    match op {
        Op::AllReduce => {
            halving(&mut s);
            doubling(&mut s);
        }
        Op::ReduceScatter => halving(&mut s),
        Op::AllGather => doubling(&mut s),
        other => {
            return Err(CollectiveError::Unsupported {
                algo: Algo::HalvingDoubling,
                op: other,
                why: "halving-doubling serves all-reduce, reduce-scatter and all-gather".into(),
            });
        }
    }
    Ok(s)
}
