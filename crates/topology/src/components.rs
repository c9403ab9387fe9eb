//! Connected components of the forwarding part of a fabric: what rule
//! checks (every accelerator reaches every other) and the failure pass
//! (what a failure cuts off) both ask.

/// Connected components of the forwarding nodes (`fwd[u]`) over the
/// adjacency `out`: the component of each node (`u32::MAX` for nodes that do
/// not forward) and the number of components. Components are numbered in
/// order of their smallest node.
pub(crate) fn forwarding_components<I: Iterator<Item = usize>>(
    fwd: &[bool],
    out: impl Fn(usize) -> I,
) -> (Vec<u32>, u32) {
    let n = fwd.len();
    let mut comp = vec![u32::MAX; n];
    let mut comps = 0u32;
    let mut stack = Vec::new();
    for s in (0..n).filter(|&s| fwd[s]) {
        if comp[s] != u32::MAX {
            continue;
        }
        comp[s] = comps;
        stack.push(s);
        while let Some(u) = stack.pop() {
            for v in out(u) {
                if fwd[v] && comp[v] == u32::MAX {
                    comp[v] = comps;
                    stack.push(v);
                }
            }
        }
        comps += 1;
    }
    (comp, comps)
}

/// For each node of `accs`, the forwarding components it touches (its own
/// if it forwards, else its forwarding neighbours'), sorted, deduplicated.
pub(crate) fn touched_components<I: Iterator<Item = usize>>(
    accs: &[usize],
    fwd: &[bool],
    comp: &[u32],
    out: impl Fn(usize) -> I,
) -> Vec<Vec<u32>> {
    accs.iter()
        .map(|&a| {
            let mut cs: Vec<u32> = if fwd[a] {
                vec![comp[a]]
            } else {
                out(a).filter(|&v| fwd[v]).map(|v| comp[v]).collect()
            };
            cs.sort_unstable();
            cs.dedup();
            cs
        })
        .collect()
}
