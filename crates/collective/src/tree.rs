//! Double binary tree (NCCL's "tree" algorithm).
//!
//! # Trees
//! Tree 1 is NCCL's in-order binary tree over communicator indices
//! (`ncclGetBtree`, NVIDIA/nccl `src/graph/trees.cc`): index 0 is the root
//! with a single child; for `r > 0` with lowest set bit `b`, the parent is
//! `(r XOR b) | 2b`, or `r XOR b` when that is `≥ n`. Odd indices are leaves,
//! even ones interior. Tree 2 (`ncclGetDtree`) is tree 1 *mirrored*
//! (`r ↦ n−1−r`) when `n` is even, so odd indices are interior in tree 2 and
//! every rank is interior in at most one tree; for odd `n` it is tree 1
//! *shifted* by one (`r ↦ r+1 mod n`), where rank 0 is interior in both.
//! This is the two-tree construction of Sanders, Speck & Träff, "Two-tree
//! algorithms for full bandwidth broadcast, reduction and scan", Parallel
//! Computing 35(12), 2009. Both trees have the same depth `D = ⌈log2 n⌉`
//! (edges from the root to the deepest leaf).
//!
//! # Pipelined all-reduce
//! Each tree carries half the buffer, cut into `m = ⌈(S/2)/chunk⌉` chunks of
//! `c = S/(2m)`. Hops are numbered `h = 0..2D−1`: the edge above a node of
//! depth `ℓ` is crossed upward (reduce) at hop `D−ℓ` and downward
//! (broadcast) at hop `D+ℓ−1`. Chunk `j` crosses hop `h` in slot `j+h`, so
//! there are `2D+m−1` bulk-synchronous slots; the `m−2D+1` steady-state slots
//! (every hop busy) are one repeated step. Per steady slot an interior rank
//! sends and receives 3 chunks in its interior tree and 1 as a leaf of the
//! other: `4c`, i.e. `2S` over the collective (vs. `2(n−1)/n·S` for ring).
//! On a non-blocking star of per-rank bandwidth `B` the steady slot takes
//! `α + 4c/B` (`α + 2c/B` for `n = 2`), so for `m ≫ D`:
//! `t ≈ (m + 2D − 1)·α + 2S/B` (`S/B` for `n = 2`). The ramp slots are
//! derived exactly in the tests: `t = (m+3)·α + (4m+2)·c/B` for `n = 4`,
//! `(m+5)·α + (4m+6)·c/B` for `n = 8` (`m ≥ 2D`).
//!
//! # Broadcast and reduce
//! One binary tree (tree 1, rooted at communicator index 0), pipelined the
//! same way over its `D` levels: `m = ⌈S/chunk⌉` chunks, `D+m−1` slots.
//! Other operations are unsupported.

use super::schedule::{Schedule, StepLatency, Transfer, Transfers};
use super::{Algo, CollectiveError, Op};
use fabricsim_topology::NodeId;

/// Parent of every index in NCCL's binary tree over `n` indices (`None` for
/// the root, index 0). See the module docs.
pub fn btree_parents(n: usize) -> Vec<Option<usize>> {
    (0..n)
        .map(|r| {
            if r == 0 {
                return None;
            }
            let bit = 1usize << r.trailing_zeros();
            let up = (r ^ bit) | (bit << 1);
            Some(if up >= n { r ^ bit } else { up })
        })
        .collect()
}

/// NCCL's double binary tree over `n` indices: tree 1 and tree 2 (mirrored
/// for even `n`, shifted by one for odd `n`), as parent arrays.
pub fn double_binary_tree(n: usize) -> [Vec<Option<usize>>; 2] {
    let t1 = btree_parents(n);
    let t2 = if n.is_multiple_of(2) {
        (0..n).map(|r| t1[n - 1 - r].map(|p| n - 1 - p)).collect()
    } else {
        (0..n)
            .map(|r| t1[(r + n - 1) % n].map(|p| (p + 1) % n))
            .collect()
    };
    [t1, t2]
}

/// Depth of every node (root 0) of a tree given as parent array.
pub fn depths(parents: &[Option<usize>]) -> Vec<usize> {
    fn depth(parents: &[Option<usize>], memo: &mut [Option<usize>], r: usize) -> usize {
        if let Some(d) = memo[r] {
            return d;
        }
        let d = match parents[r] {
            None => 0,
            Some(p) => depth(parents, memo, p) + 1,
        };
        memo[r] = Some(d);
        d
    }
    let mut memo = vec![None; parents.len()];
    (0..parents.len())
        .map(|r| depth(parents, &mut memo, r))
        .collect()
}

/// Number of pipeline chunks for `bytes` in chunks of at most `chunk_bytes`
/// (1 when `chunk_bytes` is not positive; at most `u32::MAX`).
pub fn chunk_count(bytes: f64, chunk_bytes: f64) -> usize {
    if chunk_bytes > 0.0 && chunk_bytes.is_finite() && bytes > 0.0 {
        (bytes / chunk_bytes).ceil().clamp(1.0, u32::MAX as f64) as usize
    } else {
        1
    }
}

/// The hops of a pipelined reduce-then-broadcast over `trees` (parent
/// arrays over indices of `nodes`), all trees in step: with `D` the
/// largest depth, the edge above a node of depth `ℓ` is crossed upward at
/// hop `D − ℓ` and downward at hop `D + ℓ − 1`, so there are `2D` hops.
pub fn up_down_hops(trees: &[Vec<Option<usize>>], nodes: &[NodeId]) -> Vec<Vec<(NodeId, NodeId)>> {
    let ds: Vec<Vec<usize>> = trees.iter().map(|t| depths(t)).collect();
    let d = ds.iter().flatten().copied().max().unwrap_or(0);
    let mut hops = vec![Vec::new(); 2 * d];
    for (t, dep) in trees.iter().zip(&ds) {
        for (r, p) in t.iter().enumerate() {
            if let Some(p) = *p {
                let l = dep[r];
                hops[d - l].push((nodes[r], nodes[p]));
                hops[d + l - 1].push((nodes[p], nodes[r]));
            }
        }
    }
    hops
}

/// A pipeline over hops: `hops[h]` are the (src, dst) pairs crossed at hop
/// `h` by every chunk of `chunk` bytes; see [`pipeline_stages`].
pub fn staged_pipeline(hops: &[Vec<(NodeId, NodeId)>], m: usize, chunk: f64) -> Schedule {
    let stages: Vec<Vec<Transfer>> = hops
        .iter()
        .map(|hop| {
            hop.iter()
                .map(|&(src, dst)| Transfer {
                    src,
                    dst,
                    bytes: chunk,
                })
                .collect()
        })
        .collect();
    pipeline_stages(stages, m)
}

/// A pipeline of `H` stages: `stages[h]` are the transfers of one chunk at
/// stage `h`; `m` chunks enter one per slot, and in slot `t` stage `h`
/// works on chunk `t − h` (when `0 ≤ t−h < m`), so there are `H + m − 1`
/// slots. Equal consecutive slots (the steady state, every stage busy) are
/// merged into one repeated step.
///
/// Latency: in the `H` slots in which the first chunk is still travelling,
/// only the stage it reaches pays its α and route latency
/// ([`StepLatency::Front`]); the later chunks in those slots, and every
/// transfer of the later slots, follow a chunk that crossed the same stage
/// one slot before and overlap α with it. The pipeline's latency is thus
/// the first chunk's path, `Σ_h α_h` (NCCL's model charges `hwLat` per hop
/// of pipeline depth, not per chunk). The later chunks of a fill slot move
/// while the first chunk's α runs, and a stage of a large α (an NVLS step)
/// is paid once, not in every slot it is busy.
///
/// Every slot's step is a window of the stages, which the steps share
/// ([`crate::transfers`]); the staged simulation reads the stages back from
/// the windows and simulates each stage's transfers once per slot.
pub fn pipeline_stages(stages: Vec<Vec<Transfer>>, m: usize) -> Schedule {
    let h = stages.len();
    let mut s = Schedule::default();
    if h == 0 || m == 0 {
        return s;
    }
    let stages: crate::transfers::SharedStages = stages.into();
    let slots = h + m - 1;
    let mut t = 0;
    while t < slots {
        let lo = (t + 1).saturating_sub(m);
        let hi = t.min(h - 1);
        // Slot t = h−1 is the first steady slot and the last fill slot: its
        // stage h−1 (the first chunk's last hop) pays α; the rest of the
        // steady state (m − h more slots) is one overlapped step.
        let run = if lo == 0 && hi == h - 1 && t >= h {
            m - t
        } else {
            1
        };
        let before = s.steps.len();
        s.push_step(
            Transfers::window(&stages, lo, hi),
            run as u32,
            if t >= h {
                StepLatency::Hidden
            } else {
                StepLatency::Front
            },
        );
        if s.steps.len() > before {
            s.name_from(
                before,
                if lo == 0 && hi == h - 1 {
                    "pipeline steady state"
                } else if lo == 0 {
                    "pipeline fill"
                } else {
                    "pipeline drain"
                },
            );
        }
        t += run;
    }
    s
}

fn unsupported(op: Op, why: &str) -> CollectiveError {
    CollectiveError::Unsupported {
        algo: Algo::Tree,
        op,
        why: why.into(),
    }
}

/// Tree schedules (see the module docs): double-binary-tree all-reduce, and
/// single-tree broadcast and reduce rooted at `ranks[0]`, all pipelined in
/// chunks of `chunk_bytes`.
pub fn tree(
    op: Op,
    ranks: &[NodeId],
    size: f64,
    chunk_bytes: f64,
) -> Result<Schedule, CollectiveError> {
    let n = ranks.len();
    if n < 2 {
        return Err(CollectiveError::TooFewRanks(n));
    }
    match op {
        Op::AllReduce => {
            let hops = up_down_hops(&double_binary_tree(n), ranks);
            let half = size / 2.0;
            let m = chunk_count(half, chunk_bytes);
            Ok(staged_pipeline(&hops, m, half / m as f64))
        }
        Op::Broadcast | Op::Reduce => {
            let t = btree_parents(n);
            let dep = depths(&t);
            let d = dep.iter().copied().max().unwrap_or(0);
            let mut hops = vec![Vec::new(); d];
            for (r, p) in t.iter().enumerate() {
                if let Some(p) = *p {
                    let l = dep[r];
                    if op == Op::Broadcast {
                        hops[l - 1].push((ranks[p], ranks[r]));
                    } else {
                        hops[d - l].push((ranks[r], ranks[p]));
                    }
                }
            }
            let m = chunk_count(size, chunk_bytes);
            Ok(staged_pipeline(&hops, m, size / m as f64))
        }
        _ => Err(unsupported(
            op,
            "tree serves all-reduce (double binary tree), broadcast and reduce",
        )),
    }
}

/// Most channels of [`nccl_tree_all_reduce`]: 32, NCCL's `MAXCHANNELS` in
/// a stored copy of an older `src/include/device.h` ([S-nccl-device-h] in
/// docs/sources.md; the newest stored copy has 64, and the value in 2.20.3
/// was not checked). On a 72-GPU NVLink domain the tree therefore uses 16
/// rails, not 72.
pub const MAX_TREE_CHANNELS: usize = 32;

/// NCCL's multi-node tree all-reduce: a chain through the ranks of every
/// scale-up domain, and a double binary tree over the domains joining the
/// chains' heads: NCCL's tree channels run an intra-node chain plus the
/// inter-node `ncclGetBtree`/`ncclGetDtree` pair ([S-nccl-tuning-cc]: the
/// tree latency `2·((nRanks/nNodes − 1)·intraLat + log2(nNodes)·interLat)`
/// is that of this shape; the split of channels between the two trees is
/// fabricsim's reading, not checked in NCCL's source).
///
/// # Structure
/// `D ≥ 2` domains, local ranks `L_j[0..g_j)` in communicator order.
/// `C = 2·min(min_j g_j, 16)` channels ([`MAX_TREE_CHANNELS`]), two per rail `k`, one on each domain tree of
/// [`double_binary_tree`]`(D)`, each carrying `S/C`: every rail's NIC is
/// interior in one tree and a leaf in the other, as the double binary tree
/// intends (each tree's interior nodes are the other's leaves). In domain `j` channel `k`'s
/// chain starts at the head `L_j[k mod g_j]` and visits the others in
/// rotated order (`L_j[k+1], L_j[k+2], …`); each chain rank's parent is the
/// one before it, and the head's parent is the head of domain `j`'s parent
/// in the domain tree. On full-mesh domains of even size (`mesh`: xGMI,
/// one link per GPU pair) rotations of one order would put every channel
/// on the same `g` of the `g(g−1)` directed links, so the chain from head
/// `h` follows instead the zig-zag Hamiltonian path
/// [`zigzag_path`](crate::mesh::zigzag_path)`(g, h)`: the `g` rails'
/// chains then use every directed link of the mesh once going down and once
/// going up, as the rings across mesh domains do
/// ([`mesh_ring_orders`](crate::algorithms::mesh_ring_orders)). Heads of all domains in a channel share a local
/// index, so on a rail-optimised fabric inter-domain edges stay on rail
/// `k`. Depth `H = (g − 1) + ⌈log2 D⌉` for equal domains.
///
/// # Schedule
/// Pipelined like [`tree`]: each channel's `S/C` is cut into `m` chunks;
/// the edge above a rank of depth `ℓ` is crossed upward (reduce) at hop
/// `H − ℓ` and downward (broadcast) at hop `H + ℓ − 1`, all channels'
/// edges of one hop in one stage, `2H + m − 1` slots
/// ([`pipeline_stages`]). Per steady slot a chain-interior rank sends one
/// chunk up and one down per channel; a domain-tree interior head sends
/// up to three over the scale-out fabric.
pub fn nccl_tree_all_reduce(
    domains: &[Vec<NodeId>],
    size: f64,
    chunk_bytes: f64,
    mesh: bool,
) -> Schedule {
    let all: Vec<NodeId> = domains.iter().flatten().copied().collect();
    let mut start = Vec::with_capacity(domains.len());
    let mut at = 0;
    for d in domains {
        start.push(at);
        at += d.len();
    }
    let rails = domains
        .iter()
        .map(Vec::len)
        .min()
        .unwrap_or(1)
        .clamp(1, MAX_TREE_CHANNELS / 2);
    let c = 2 * rails;
    let node_trees = double_binary_tree(domains.len());
    let channels: Vec<Vec<Option<usize>>> = (0..c)
        .map(|i| {
            let (k, tree) = (i / 2, &node_trees[i % 2]);
            let head = |j: usize| start[j] + k % domains[j].len();
            let mut parents = vec![None; all.len()];
            for (j, d) in domains.iter().enumerate() {
                let g = d.len();
                let h = k % g;
                // The chain's local indices from the head; each one's parent
                // is the one before it.
                let chain: Vec<usize> = if mesh {
                    crate::mesh::zigzag_path(g, h).collect()
                } else {
                    (0..g).map(|i| (h + i) % g).collect()
                };
                for w in chain.windows(2) {
                    parents[start[j] + w[1]] = Some(start[j] + w[0]);
                }
                parents[head(j)] = tree[j].map(head);
            }
            parents
        })
        .collect();
    let hops = up_down_hops(&channels, &all);
    let per_channel = size / c as f64;
    let m = chunk_count(per_channel, chunk_bytes);
    staged_pipeline(&hops, m, per_channel / m as f64)
}
