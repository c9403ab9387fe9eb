//! Rule 12: at least one accelerator, and every accelerator reaches every
//! other through forwarding nodes only; with the forwarding components
//! and the nodes they touch, which `failures` reuses for its own
//! reachability check.

use super::Builder;
use crate::NodeRole;
use crate::components::{forwarding_components, touched_components};

impl Builder<'_> {
    /// Rule 12: at least one accelerator, and every accelerator reaches every
    /// other along a path whose intermediate nodes all forward
    /// ([`Node::forwards`](crate::Node::forwards)), as routing requires.
    ///
    /// Reachability is symmetric (links are full duplex, and a reversed path
    /// has the same intermediates) but not transitive: `a – g – b` with a
    /// non-forwarding `g` joins `a` and `g`, `g` and `b`, not `a` and `b`. So:
    /// the forwarding nodes are grouped into connected components; two
    /// accelerators reach each other iff they are directly linked or both
    /// touch (are in, or are linked to) a common component. If one component
    /// touches every accelerator (any switched fabric) that settles it in
    /// O(V + E); otherwise every accelerator's reach is counted, in
    /// O(V + E + Σ_C touching(C)²).
    pub(super) fn check_connectivity(&mut self) {
        let accs: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].role == NodeRole::Accelerator)
            .collect();
        if accs.is_empty() {
            self.sink.error(
                0..0,
                "the topology has no accelerators".to_string(),
                Some(
                    "declare [[nodes]] with kind = \"accelerator\", or add a [scale_up] block"
                        .to_string(),
                ),
            );
            return;
        }
        let n = self.nodes.len();
        let mut start = vec![0u32; n + 1];
        for l in &self.links {
            start[l.src.idx() + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; self.links.len()];
        for l in &self.links {
            adj[fill[l.src.idx()] as usize] = l.dst.0;
            fill[l.src.idx()] += 1;
        }
        let out = |u: usize| {
            adj[start[u] as usize..start[u + 1] as usize]
                .iter()
                .map(|&v| v as usize)
        };
        let fwd: Vec<bool> = self.nodes.iter().map(|x| x.forwards).collect();

        // Connected components of the forwarding nodes.
        let (comp, comps) = forwarding_components(&fwd, out);
        // Components each accelerator touches (sorted, deduplicated), and the
        // number of accelerators each component touches.
        let touches = touched_components(&accs, &fwd, &comp, out);
        let mut touched_by = vec![0usize; comps as usize];
        for cs in &touches {
            for &c in cs {
                touched_by[c as usize] += 1;
            }
        }
        if touched_by.contains(&accs.len()) {
            return;
        }
        // No hub: count what each accelerator reaches, stop at the first gap.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); comps as usize];
        for (r, cs) in touches.iter().enumerate() {
            for &c in cs {
                members[c as usize].push(r);
            }
        }
        let mut rank = vec![usize::MAX; n];
        for (r, &a) in accs.iter().enumerate() {
            rank[a] = r;
        }
        let mut seen = vec![usize::MAX; accs.len()];
        for (x, cs) in touches.iter().enumerate() {
            seen[x] = x;
            for &c in cs {
                for &y in &members[c as usize] {
                    seen[y] = x;
                }
            }
            for v in out(accs[x]) {
                if rank[v] != usize::MAX {
                    seen[rank[v]] = x;
                }
            }
            let unreachable: Vec<usize> = (0..accs.len())
                .filter(|&y| seen[y] != x)
                .map(|y| accs[y])
                .collect();
            if !unreachable.is_empty() {
                self.report_unreachable(accs[x], &unreachable, accs.len(), &adj, &start);
                return;
            }
        }
    }

    /// Reports that the accelerators `unreachable` (sorted) cannot reach
    /// `from`. If the first of them could when every node forwarded, the help
    /// names a non-forwarding node on such a path and `forwards = true`.
    fn report_unreachable(
        &mut self,
        from: usize,
        unreachable: &[usize],
        total: usize,
        adj: &[u32],
        start: &[u32],
    ) {
        let u = unreachable[0];
        let names: Vec<&str> = unreachable
            .iter()
            .take(5)
            .map(|&i| self.nodes[i].name.as_str())
            .collect();
        let more = if unreachable.len() > 5 { ", ..." } else { "" };
        let message = format!(
            "accelerator \"{}\" cannot reach \"{}\": {} of {} accelerators are unreachable ({}{more})",
            self.nodes[u].name,
            self.nodes[from].name,
            unreachable.len(),
            total,
            names.join(", ")
        );
        // BFS from `from` through every node; walk back from `u` to the
        // non-forwarding node nearest `from`.
        let mut parent = vec![u32::MAX; self.nodes.len()];
        parent[from] = from as u32;
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(x) = queue.pop_front() {
            for &y in &adj[start[x] as usize..start[x + 1] as usize] {
                if parent[y as usize] == u32::MAX {
                    parent[y as usize] = x as u32;
                    queue.push_back(y as usize);
                }
            }
        }
        let help = if parent[u] == u32::MAX {
            self.unreachable_help.to_string()
        } else {
            let mut blocker = None;
            let mut x = parent[u] as usize;
            while x != from {
                if !self.nodes[x].forwards {
                    blocker = Some(x);
                }
                x = parent[x] as usize;
            }
            let b = blocker.expect("an all-forwarding path would have been found");
            let what = match self.nodes[b].role {
                NodeRole::Accelerator => "accelerators",
                NodeRole::Host => "hosts",
                NodeRole::Switch | NodeRole::Nic => "nodes with forwards = false",
            };
            format!(
                "a path from \"{}\" to \"{}\" passes through \"{}\", but {what} do not forward traffic unless `forwards = true`: \
                 set forwards = true on the [[nodes]] that relay traffic (e.g. a torus of chips), or connect them through a switch",
                self.nodes[from].name, self.nodes[u].name, self.nodes[b].name
            )
        };
        self.sink.error(self.decl[u].clone(), message, Some(help));
    }
}
