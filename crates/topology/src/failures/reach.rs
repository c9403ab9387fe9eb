//! Rule F5: every accelerator still reaches every other one through
//! forwarding nodes over the surviving cables; otherwise the error names
//! the cut-off ranks and the entries that cut them off.

use super::Entry;
use super::apply::{NONE, Pass};
use crate::{Link, Node, NodeId, NodeRole};

/// Accelerators that cannot reach every other one after the failures.
pub(super) struct Cut {
    /// The cut-off accelerators, in rank order, with their ranks.
    ranks: Vec<(usize, NodeId)>,
    /// An accelerator that the first of them cannot reach, with its rank.
    other: (usize, NodeId),
    /// The nodes the first cut-off accelerator still reaches (itself included).
    island: Vec<NodeId>,
}

/// Rule F5: whether every accelerator reaches every other through forwarding
/// nodes over the `alive` cables (the reachability of `build/` rule 12).
///
/// Forwarding nodes are grouped into connected components; two accelerators
/// reach each other iff they are directly linked or touch (are in, or are
/// linked to) a common component. If a component touches every accelerator
/// the fabric is whole. Otherwise the accelerators that do not touch the
/// *main* component (the one touching the most) are cut off, once one of them
/// is confirmed to miss some accelerator; without any component (a mesh of
/// directly linked, non-forwarding chips) the first accelerator that misses
/// some is the reference and those it misses are cut off.
pub(super) fn cut_off(
    nodes: &[Node],
    links: &[Link],
    alive: &dyn Fn(usize) -> bool,
    relays: &[(usize, usize)],
) -> Option<Cut> {
    let n = nodes.len();
    let mut start = vec![0usize; n + 1];
    let live: Vec<usize> = (0..links.len() / 2).filter(|&c| alive(c)).collect();
    for &c in &live {
        start[links[2 * c].src.idx() + 1] += 1;
        start[links[2 * c].dst.idx() + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut adj = vec![0u32; 2 * live.len()];
    for &c in &live {
        let (a, b) = (links[2 * c].src.idx(), links[2 * c].dst.idx());
        adj[fill[a]] = b as u32;
        fill[a] += 1;
        adj[fill[b]] = a as u32;
        fill[b] += 1;
    }
    let out = |u: usize| adj[start[u]..start[u + 1]].iter().map(|&v| v as usize);
    let mut fwd: Vec<bool> = nodes.iter().map(|x| x.forwards).collect();
    for &(_, r) in relays {
        fwd[r] = true;
    }
    let (comp, comps) = crate::components::forwarding_components(&fwd, out);
    let accs: Vec<usize> = (0..n)
        .filter(|&v| nodes[v].role == NodeRole::Accelerator)
        .collect();
    let mut rank = vec![usize::MAX; n];
    for (r, &a) in accs.iter().enumerate() {
        rank[a] = r;
    }
    let touches = crate::components::touched_components(&accs, &fwd, &comp, out);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); comps as usize];
    for (r, cs) in touches.iter().enumerate() {
        for &c in cs {
            members[c as usize].push(r);
        }
    }
    if members.iter().any(|m| m.len() == accs.len()) {
        return None;
    }
    // The ranks `x` reaches.
    let reach = |x: usize| -> Vec<bool> {
        let mut seen = vec![false; accs.len()];
        seen[x] = true;
        for &c in &touches[x] {
            for &y in &members[c as usize] {
                seen[y] = true;
            }
        }
        for v in out(accs[x]) {
            if rank[v] != usize::MAX {
                seen[rank[v]] = true;
            }
        }
        seen
    };
    let island = |x: usize| -> Vec<NodeId> {
        let mut v: Vec<NodeId> = (0..n)
            .filter(|&u| comp[u] != NONE && touches[x].binary_search(&comp[u]).is_ok())
            .map(|u| NodeId(u as u32))
            .collect();
        v.push(NodeId(accs[x] as u32));
        v
    };
    let main = (0..comps as usize).max_by_key(|&c| (members[c].len(), std::cmp::Reverse(c)));
    match main {
        Some(m) if !members[m].is_empty() => {
            let cut: Vec<usize> = (0..accs.len())
                .filter(|r| touches[*r].binary_search(&(m as u32)).is_err())
                .collect();
            for &y in &cut {
                let seen = reach(y);
                if let Some(z) = seen.iter().position(|s| !s) {
                    return Some(Cut {
                        ranks: cut.iter().map(|&r| (r, NodeId(accs[r] as u32))).collect(),
                        other: (z, NodeId(accs[z] as u32)),
                        island: island(y),
                    });
                }
            }
            None
        }
        _ => {
            for x in 0..accs.len() {
                let seen = reach(x);
                let missed: Vec<usize> = (0..accs.len()).filter(|&y| !seen[y]).collect();
                if let Some(&first) = missed.first() {
                    return Some(Cut {
                        ranks: missed
                            .iter()
                            .map(|&r| (r, NodeId(accs[r] as u32)))
                            .collect(),
                        other: (x, NodeId(accs[x] as u32)),
                        island: island(first),
                    });
                }
            }
            None
        }
    }
}

/// Reports rule F5: names the cut-off ranks and the entries whose failed
/// links touch what the first of them still reaches.
pub(super) fn report_cut(
    pass: &mut Pass<'_, '_>,
    all: &[Entry],
    cut: &Cut,
    dead: &[u32],
    cause: &[u32],
) {
    let total = pass
        .nodes
        .iter()
        .filter(|x| x.role == NodeRole::Accelerator)
        .count();
    let shown: Vec<String> = cut
        .ranks
        .iter()
        .take(8)
        .map(|&(r, v)| format!("{} (rank {r})", pass.name(v)))
        .collect();
    let (first_rank, first) = cut.ranks[0];
    let (other_rank, other) = cut.other;
    let message = format!(
        "the failures leave {} of {total} accelerators unreachable: {}{}; {} (rank {first_rank}) cannot reach {} (rank {other_rank})",
        cut.ranks.len(),
        shown.join(", "),
        if cut.ranks.len() > 8 { ", ..." } else { "" },
        pass.name(first),
        pass.name(other),
    );
    let mut culprits: Vec<u32> = Vec::new();
    for &v in &cut.island {
        for &c in pass.incident(v) {
            let c = c as usize;
            if dead[c] == pass.links[2 * c].count && cause[c] != NONE {
                culprits.push(cause[c]);
            }
        }
    }
    culprits.sort_unstable();
    culprits.dedup();
    let named: Vec<String> = culprits
        .iter()
        .map(|&i| {
            let e = &all[i as usize];
            match &e.span {
                Some(_) => format!("{} ({})", e.spec, pass.origin(e)),
                None => format!("--fail {}", e.spec),
            }
        })
        .collect();
    let cut_by = if named.is_empty() {
        String::new()
    } else {
        format!("cut off by {}; ", named.join(", "))
    };
    let help = Some(format!(
        "{cut_by}a collective needs every rank reachable: fail fewer elements, or remove the cut-off accelerators from the topology"
    ));
    let at = culprits
        .iter()
        .find_map(|&i| all[i as usize].span.clone())
        .or_else(|| all.iter().find_map(|e| e.span.clone()));
    match at {
        Some(sp) => pass.sink.error(sp, message, help),
        None => pass.sink.error_unlocated(message, help),
    }
}

/// PXN relays (NCCL's PXN: a rank's network traffic goes over the scale-up
/// fabric to a peer's NIC, whose proxy sends it): every accelerator whose
/// live links are all of tier `scale-up` (its NICs or their cables failed)
/// but which has at least one, is paired with one peer of its scale-up
/// domain (reached over live scale-up cables, through switches) that has a
/// live link of another tier: the first such peer after it in node order,
/// wrapping around. Returns `(cut-off accelerator, relay)` in node order.
pub(super) fn pxn_relays(
    nodes: &[Node],
    links: &[Link],
    alive: &dyn Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    let n = nodes.len();
    let mut out_side = vec![false; n];
    let mut up = vec![false; n];
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for c in (0..links.len() / 2).filter(|&c| alive(c)) {
        let l = &links[2 * c];
        let (a, b) = (l.src.idx(), l.dst.idx());
        if l.tier == "scale-up" {
            up[a] = true;
            up[b] = true;
            adj[a].push(b);
            adj[b].push(a);
        } else {
            out_side[a] = true;
            out_side[b] = true;
        }
    }
    let acc = |v: usize| nodes[v].role == NodeRole::Accelerator;
    let mut pairs = Vec::new();
    // Visited marks: the search from `a` stamps `a`, so no array is
    // cleared between searches (O(size of each domain), not O(nodes)).
    let mut seen = vec![usize::MAX; n];
    for a in (0..n).filter(|&v| acc(v) && up[v] && !out_side[v]) {
        // Accelerators of a's domain: through switches, not through other
        // accelerators (they do not forward).
        seen[a] = a;
        let mut stack = vec![a];
        let mut peers = Vec::new();
        while let Some(u) = stack.pop() {
            for &v in &adj[u] {
                if seen[v] == a {
                    continue;
                }
                seen[v] = a;
                if acc(v) {
                    peers.push(v);
                } else {
                    stack.push(v);
                }
            }
        }
        let with_nic: Vec<usize> = peers.into_iter().filter(|&p| out_side[p]).collect();
        let relay = with_nic
            .iter()
            .copied()
            .filter(|&p| p > a)
            .min()
            .or_else(|| with_nic.iter().copied().min());
        if let Some(r) = relay {
            pairs.push((a, r));
        }
    }
    pairs
}
