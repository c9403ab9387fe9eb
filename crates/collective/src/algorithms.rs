//! Algorithms: (operation, size, communicator) → [`Schedule`].
//!
//! Textbook costs on an ideal fabric (n ranks, per-rank bandwidth B, per-step
//! latency α; docs/semantics.md), which the tests check against the simulation:
//! - ring all-reduce: `2(n−1)·α + 2(n−1)/n · S/B`; all-gather and
//!   reduce-scatter: `(n−1)·α + (n−1)/n · S/B` (Patarasuk & Yuan, JPDC 2009, docs/sources.md [S-patarasuk-yuan]);
//! - recursive halving-doubling all-reduce (n a power of two):
//!   `2·log2(n)·α + 2(n−1)/n · S/B` (Rabenseifner, ICCS 2004; Thakur et al.,
//!   IJHPCA 2005; docs/sources.md [S-thakur-rabenseifner]);
//! - direct all-to-all: `α + (n−1)/n · S/B` on a non-blocking switch.

use super::mesh::is_full_mesh;
pub use super::mesh::{disjoint_cycles, zigzag_path};
use super::schedule::{Schedule, StepLatency, Transfer};
use super::{Algo, CollectiveError, Op};
use fabricsim_topology::{NodeId, Topology};

/// Ring orders for `channels` NCCL-style channels.
///
/// Ranks are grouped by scale-up domain (see
/// [`Topology::domains_of`](fabricsim_topology::Topology::domains_of)). On a switched
/// domain (NVSwitch, UALink switches) every GPU reaches every other through
/// its own switch ports, so the order inside a domain only decides the
/// rails: channel `c` visits the domains in communicator order and, inside
/// domain `k` (of size `g`), its local ranks starting at `e = (c − k) mod g`:
/// `[e, e+1, …, e−1]`. It leaves domain `k` from local rank `e − 1`, which
/// is where it enters domain `k + 1`, so every inter-domain hop stays on one
/// rail (local rank `i` of one domain to local rank `i` of the next: NIC to
/// NIC through the rail's leaf, as NCCL's rings do on rail-optimized
/// fabrics). Only the hop from the last domain back to the first changes
/// rail. With `channels = g` each local rank is the exit of exactly one
/// channel, so every NIC carries one channel each way.
///
/// On a full-mesh domain (xGMI: one direct link per GPU pair) the order
/// decides which links carry the ring, and rotations of one cycle would all
/// share the same `g` of the `g(g−1)` directed links. RCCL builds rings over
/// the whole mesh; here (see [`mesh_ring_orders`]) a ring across several
/// even-sized mesh domains follows the zig-zag Hamiltonian paths, which use
/// every directed link of a domain exactly once over `g` channels, and a
/// ring inside one mesh domain follows link-disjoint Hamiltonian cycles.
pub fn ring_orders(topo: &Topology, ranks: &[NodeId], channels: usize) -> Vec<Vec<NodeId>> {
    let doms = topo.domains_of(ranks);
    if let Some(orders) = mesh_ring_orders(topo, &doms, channels) {
        return orders;
    }
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

/// Ring orders when every domain is a full mesh (each ordered pair of its
/// ranks joined by a direct link), else `None`.
///
/// - One domain: channel `c` follows cycle `c mod m` of [`disjoint_cycles`]
///   (`m` link-disjoint Hamiltonian cycles; 7 on 8 GPUs, covering all 56
///   links), so no two of the first `m` channels share a link.
/// - Several domains, all of one even size `g`: channel `c` enters domain 0
///   at local rank `c mod g`; inside a domain entered at local rank `a` it
///   follows the zig-zag path `a, a+1, a−1, a+2, a−2, …, a+g/2` (mod `g`),
///   whose hops have the differences `+1, −2, +3, …, +(g−1)`: every nonzero
///   difference once, so the `g` paths starting at the `g` local ranks use
///   each of the `g(g−1)` directed links exactly once. It leaves at
///   `a + g/2` and enters the next domain at the same local rank (one rail).
///   Domain `k` is entered at `c + k·g/2`, so with `channels = g` every
///   domain sees every start once: each directed link carries one channel.
pub fn mesh_ring_orders(
    topo: &Topology,
    doms: &[Vec<NodeId>],
    channels: usize,
) -> Option<Vec<Vec<NodeId>>> {
    if !doms.iter().all(|d| is_full_mesh(topo, d)) {
        return None;
    }
    let channels = channels.max(1);
    if let [d] = doms {
        let cycles = disjoint_cycles(d.len());
        return Some(
            (0..channels)
                .map(|c| cycles[c % cycles.len()].iter().map(|&i| d[i]).collect())
                .collect(),
        );
    }
    let g = doms[0].len();
    if g % 2 == 1 || doms.iter().any(|d| d.len() != g) {
        return None;
    }
    Some(
        (0..channels)
            .map(|c| {
                let mut order = Vec::with_capacity(g * doms.len());
                let mut entry = c % g;
                for d in doms {
                    order.extend(zigzag_path(g, entry).map(|i| d[i]));
                    entry = (entry + g / 2) % g;
                }
                order
            })
            .collect(),
    )
}

/// Default channel count: the smallest domain size when the communicator
/// spans several domains (one channel per rail); in one full-mesh domain the
/// number of link-disjoint Hamiltonian cycles ([`disjoint_cycles`]); else 1
/// (in one switched domain every rotation of the ring crosses the same
/// links).
pub fn default_channels(topo: &Topology, ranks: &[NodeId]) -> usize {
    let doms = topo.domains_of(ranks);
    if let [d] = doms.as_slice()
        && is_full_mesh(topo, d)
    {
        // One ring per link-disjoint Hamiltonian cycle of the mesh.
        return disjoint_cycles(d.len()).len();
    }
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

/// How a schedule is cut, and what the library may use beyond the links.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knobs {
    /// Ring channels.
    pub channels: usize,
    /// Pipelining unit of chains, trees and pipelined phases \[bytes\].
    pub chunk_bytes: f64,
    /// In-network reduction across scale-up domains (SHARP) may be used
    /// where the scale-out switches reduce: NCCL's `NCCL_COLLNET_ENABLE=1`
    /// (docs/sources.md [S-nccl-collnet-enable]; [`crate::sim::Params::collnet`]).
    pub collnet: bool,
}

/// Builds the schedule of `algo` (not `Auto`) for `op` on `ranks`.
pub fn schedule(
    topo: &Topology,
    op: Op,
    algo: Algo,
    ranks: &[NodeId],
    size: f64,
    knobs: Knobs,
) -> Result<Schedule, CollectiveError> {
    let Knobs {
        channels,
        chunk_bytes,
        collnet,
    } = knobs;
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
    let mut s = match algo {
        Algo::Ring => Ok(ring(topo, op, ranks, size, channels, chunk_bytes)),
        Algo::Direct => Ok(direct(op, ranks, size)),
        Algo::HalvingDoubling => halving_doubling(op, ranks, size),
        Algo::Tree => {
            let doms = topo.domains_of(ranks);
            if op == Op::AllReduce && doms.len() > 1 {
                let mesh = doms
                    .iter()
                    .all(|d| d.len() % 2 == 0 && is_full_mesh(topo, d));
                Ok(super::tree::nccl_tree_all_reduce(
                    &doms,
                    size,
                    chunk_bytes,
                    mesh,
                ))
            } else {
                super::tree::tree(op, ranks, size, chunk_bytes)
            }
        }
        Algo::Nvls => super::nvls::nvls(topo, op, ranks, size),
        Algo::Hierarchical => {
            super::hierarchical::hierarchical(topo, op, ranks, size, chunk_bytes, collnet)
        }
        Algo::Pat => super::pat::pat(op, ranks, size),
        Algo::NvlsTree if op == Op::AllReduce => {
            super::hierarchical::nvls_tree(topo, ranks, size, chunk_bytes)
        }
        Algo::NvlsTree => Err(CollectiveError::Unsupported {
            algo,
            op,
            why: "NVLSTree serves all-reduce only".into(),
        }),
        Algo::Auto | Algo::Best => Err(CollectiveError::Unsupported {
            algo,
            op,
            why: format!("{algo} picks an algorithm in run::run; a schedule needs a concrete one"),
        }),
    }?;
    // Steps no builder named are the operation itself.
    s.name_from(0, op.name());
    Ok(s)
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
        Op::AllReduce => {
            let k = n as u32 - 1;
            s.push_step(
                shift(1, size / (n as f64 * c)),
                2 * k,
                StepLatency::RingMean,
            );
            s.name_last(&[("reduce-scatter", k), ("all-gather", k)]);
        }
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
        Op::AllReduce => {
            s.push(all_pairs(size / n as f64), 2);
            s.name_last(&[("reduce-scatter", 1), ("all-gather", 1)]);
        }
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
            s.name_from(0, "reduce-scatter (halving)");
            doubling(&mut s);
            s.name_from(0, "all-gather (doubling)");
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
