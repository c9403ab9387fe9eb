//! Applying failures to a built, valid fabric: every entry's names resolved
//! against the intact fabric (rule F2), rails and planes looked up (rule
//! F3), the failed cables and lanes marked, the reachability of rule F5
//! checked, and the surviving links (with degraded bundles) kept in order.

use std::collections::HashMap;

use super::reach::{cut_off, pxn_relays, report_cut};
use super::{Entry, FailedEntry, FailedLink, FailureReport, FailureSpec, Groups, What};
use crate::pattern::Pattern;
use crate::{Link, Node, NodeId, NodeRole};
use fabricsim_base::diag::{Sink, did_you_mean};

pub(super) const NONE: u32 = u32::MAX;

/// The failure pass over one built fabric.
pub(super) struct Pass<'a, 's> {
    pub(super) sink: &'a mut Sink<'s>,
    pub(super) nodes: &'a [Node],
    /// The intact links; cable `c` is links `2c` (a → b) and `2c + 1` (b → a).
    pub(super) links: &'a [Link],
    index: &'a HashMap<String, NodeId>,
    groups: &'a Groups,
    /// Cables incident to each node (CSR).
    inc_start: Vec<usize>,
    inc: Vec<u32>,
    /// First entry failing each node, or `NONE`.
    node_by: Vec<u32>,
    /// First entry failing each cable as a whole (by name), or `NONE`.
    cable_by: Vec<u32>,
    /// Randomly failed lanes: (cable, lane within the cable, entry).
    pub(super) random: Vec<(u32, u32, u32)>,
    /// Per-node stamp for set membership (entry index + 1).
    stamp: Vec<u32>,
    report: Vec<FailedEntry>,
}

impl Pass<'_, '_> {
    pub(super) fn cables(&self) -> usize {
        self.links.len() / 2
    }

    pub(super) fn ends(&self, c: usize) -> (NodeId, NodeId) {
        let l = &self.links[2 * c];
        (l.src, l.dst)
    }

    pub(super) fn incident(&self, v: NodeId) -> &[u32] {
        &self.inc[self.inc_start[v.idx()]..self.inc_start[v.idx() + 1]]
    }

    pub(super) fn name(&self, v: NodeId) -> &str {
        &self.nodes[v.idx()].name
    }

    /// Reports a problem with entry `e`: at its value in the file, or for a
    /// flag without a position.
    pub(super) fn error(&mut self, e: &Entry, message: String, help: Option<String>) {
        match &e.span {
            Some(sp) => self.sink.error(sp.clone(), message, help),
            None => self
                .sink
                .error_unlocated(format!("--fail {}: {message}", e.spec), help),
        }
    }

    pub(super) fn origin(&self, e: &Entry) -> String {
        match &e.span {
            Some(sp) => format!("line {}", self.sink.line_col(sp.start).0),
            None => "--fail".to_string(),
        }
    }

    /// The nodes named by `pats`, sorted and deduplicated (rule F2).
    fn resolve(&mut self, e: &Entry, pats: &[Pattern]) -> Option<Vec<NodeId>> {
        let mut ids = Vec::new();
        let mut ok = true;
        for p in pats {
            let count = p.count();
            if count > self.nodes.len() as u128 {
                self.error(
                    e,
                    format!(
                        "\"{p}\" names {count} nodes, more than the {} of the topology",
                        self.nodes.len()
                    ),
                    None,
                );
                ok = false;
                continue;
            }
            let names = p.expand();
            let unknown = crate::names::lookup_names(self.index, &names, &mut ids);
            if unknown.is_empty() {
                continue;
            }
            ok = false;
            let (msg, help) = if names.len() == 1 {
                let u = &unknown[0];
                let hint = crate::names::name_hint(self.index, u);
                (format!("no node named \"{u}\""), hint)
            } else {
                let shown: Vec<&str> = unknown.iter().take(3).map(String::as_str).collect();
                (
                    format!(
                        "{} of the {} nodes named by \"{p}\" do not exist: {}{}",
                        unknown.len(),
                        names.len(),
                        shown.join(", "),
                        if unknown.len() > 3 { ", ..." } else { "" }
                    ),
                    Some("ranges are half-open: \"spine[0..4]\" is spine0 to spine3".to_string()),
                )
            };
            self.error(e, msg, help);
        }
        ids.sort_unstable();
        ids.dedup();
        ok.then_some(ids)
    }

    fn mark(&mut self, i: usize, e: &Entry) {
        let stats = match &e.spec.0 {
            What::Link(a, b) => self.fail_link(i, e, a, b),
            What::Switch(ps) => self.resolve(e, ps).and_then(|ids| {
                let bad = ids
                    .iter()
                    .copied()
                    .find(|v| self.nodes[v.idx()].role != NodeRole::Switch);
                if let Some(v) = bad {
                    let role = match self.nodes[v.idx()].role {
                        NodeRole::Accelerator => "an accelerator",
                        NodeRole::Nic => "a NIC",
                        NodeRole::Host => "a host",
                        NodeRole::Switch => "a switch",
                    };
                    let msg = format!("\"{}\" is {role}, not a switch", self.name(v));
                    self.error(
                        e,
                        msg,
                        Some("switch = ... fails switches only; fail the links of other nodes with link = [\"a\", \"b\"]".to_string()),
                    );
                    return None;
                }
                Some(self.fail_nodes(i, &ids))
            }),
            What::Rail(r) => self.fail_group(i, e, *r, "rail"),
            What::Plane(p) => self.fail_group(i, e, *p, "plane"),
            What::Random {
                amount,
                seed,
                tiers,
            } => self.fail_random(i, e, *amount, *seed, tiers),
        };
        if let Some((nodes, links, lanes, eligible_lanes)) = stats {
            let origin = self.origin(e);
            self.report.push(FailedEntry {
                spec: e.spec.to_string(),
                origin,
                nodes,
                links,
                lanes,
                eligible_lanes,
            });
        }
    }

    /// (nodes, links, lanes, eligible lanes) of an entry.
    fn fail_nodes(&mut self, i: usize, ids: &[NodeId]) -> (usize, usize, u64, Option<u64>) {
        let mut cables: Vec<u32> = Vec::new();
        for &v in ids {
            if self.node_by[v.idx()] == NONE {
                self.node_by[v.idx()] = i as u32;
            }
            cables.extend_from_slice(self.incident(v));
        }
        cables.sort_unstable();
        cables.dedup();
        let lanes = cables
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        (ids.len(), cables.len(), lanes, None)
    }

    fn fail_group(
        &mut self,
        i: usize,
        e: &Entry,
        g: u64,
        kind: &str,
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let groups = self.groups;
        let list = if kind == "rail" {
            &groups.rails
        } else {
            &groups.planes
        };
        match list.get(g as usize) {
            Some(ids) if !ids.is_empty() => {
                let ids = ids.clone();
                Some(self.fail_nodes(i, &ids))
            }
            _ => {
                let n = list.len();
                let (msg, help) = match (n, kind) {
                    (0, "rail") => (
                        "the topology has no rails".to_string(),
                        "rails are the NIC groups of a rail-optimized [scale_out] (topology = \"rail-optimized\", the default): rail n·N + i holds NIC n of local accelerator i (of N) of every domain".to_string(),
                    ),
                    (0, _) => (
                        "the topology has no planes".to_string(),
                        "planes are the independent scale-out networks of a multi-plane fabric; a single Clos has none (fail its switches with switch = ...)".to_string(),
                    ),
                    _ => (
                        format!("{kind} {g} does not exist"),
                        format!("the {kind}s are {kind} 0 to {kind} {}", n - 1),
                    ),
                };
                self.error(e, msg, Some(help));
                None
            }
        }
    }

    fn fail_link(
        &mut self,
        i: usize,
        e: &Entry,
        a: &[Pattern],
        b: &[Pattern],
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let (a, b) = (self.resolve(e, a), self.resolve(e, b));
        let (a, b) = (a?, b?);
        let token = i as u32 + 1;
        for &y in &b {
            self.stamp[y.idx()] = token;
        }
        let mut cables: Vec<u32> = Vec::new();
        let mut pairs: Vec<(NodeId, NodeId)> = Vec::new();
        for &x in &a {
            for k in self.inc_start[x.idx()]..self.inc_start[x.idx() + 1] {
                let c = self.inc[k];
                let (p, q) = self.ends(c as usize);
                let y = if p == x { q } else { p };
                if self.stamp[y.idx()] == token {
                    cables.push(c);
                    pairs.push((x, y));
                }
            }
        }
        cables.sort_unstable();
        cables.dedup();
        pairs.sort_unstable();
        pairs.dedup();
        // Ordered pairs (x in a, y in b, x ≠ y) the entry names.
        let both = a.iter().filter(|x| self.stamp[x.idx()] == token).count() as u128;
        let named = a.len() as u128 * b.len() as u128 - both;
        if named == 0 {
            self.error(
                e,
                "a link joins two different nodes".to_string(),
                Some("name the two endpoints: link = [\"leaf3\", \"spine12\"]".to_string()),
            );
            return None;
        }
        if (pairs.len() as u128) < named {
            let mut missing: Vec<(NodeId, NodeId)> = Vec::new();
            'outer: for &x in &a {
                for &y in &b {
                    if x != y && pairs.binary_search(&(x, y)).is_err() {
                        missing.push((x, y));
                        if missing.len() == 3 {
                            break 'outer;
                        }
                    }
                }
            }
            let (x, y) = missing[0];
            let (msg, help) = if named == 1 {
                let mut nb: Vec<&str> = self
                    .incident(x)
                    .iter()
                    .map(|&c| {
                        let (p, q) = self.ends(c as usize);
                        self.name(if p == x { q } else { p })
                    })
                    .collect();
                nb.sort_unstable();
                nb.dedup();
                let hint = did_you_mean(self.name(y), nb.iter().copied())
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                let shown = nb.iter().take(8).copied().collect::<Vec<_>>().join(", ");
                (
                    format!(
                        "\"{}\" and \"{}\" are not linked",
                        self.name(x),
                        self.name(y)
                    ),
                    Some(format!(
                        "{hint}\"{}\" is linked to {} node(s): {shown}{}",
                        self.name(x),
                        nb.len(),
                        if nb.len() > 8 { ", ..." } else { "" }
                    )),
                )
            } else {
                let shown: Vec<String> = missing
                    .iter()
                    .map(|&(x, y)| format!("{} – {}", self.name(x), self.name(y)))
                    .collect();
                (
                    format!(
                        "{} of the {named} pairs named by this entry are not linked: {}{}",
                        named - pairs.len() as u128,
                        shown.join(", "),
                        if named - (pairs.len() as u128) > 3 { ", ..." } else { "" }
                    ),
                    Some("every pair of the two groups must be linked; name only the links that exist".to_string()),
                )
            };
            self.error(e, msg, help);
            return None;
        }
        for &c in &cables {
            if self.cable_by[c as usize] == NONE {
                self.cable_by[c as usize] = i as u32;
            }
        }
        let lanes = cables
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        Some((0, cables.len(), lanes, None))
    }
}

/// Applies the file's `entries` and the `flags` (as if appended to the file)
/// to a built, valid fabric: removes failed links from `links` and returns
/// the report. Reports problems (rules F2–F5) to `sink` and leaves `links`
/// unchanged when there are any. Does nothing when `sink` already holds
/// errors.
///
/// # Complexity
/// O(V + E) plus, per link entry, the degrees of its first group; per random
/// entry, O(eligible lanes).
pub(crate) fn apply(
    sink: &mut Sink<'_>,
    entries: &[Entry],
    flags: &[FailureSpec],
    nodes: &[Node],
    index: &HashMap<String, NodeId>,
    groups: &Groups,
    links: &mut Vec<Link>,
) -> FailureReport {
    if (entries.is_empty() && flags.is_empty()) || sink.has_errors() {
        return FailureReport::default();
    }
    debug_assert!(
        links.len().is_multiple_of(2)
            && links
                .chunks(2)
                .all(|p| p[0].src == p[1].dst && p[0].dst == p[1].src && p[0].count == p[1].count),
        "each cable is two consecutive directed links"
    );
    let all: Vec<Entry> = entries
        .iter()
        .cloned()
        .chain(flags.iter().map(|f| Entry {
            spec: f.clone(),
            span: None,
        }))
        .collect();
    let n = nodes.len();
    let cables = links.len() / 2;
    let mut inc_start = vec![0usize; n + 1];
    for l in links.iter().step_by(2) {
        inc_start[l.src.idx() + 1] += 1;
        inc_start[l.dst.idx() + 1] += 1;
    }
    for v in 0..n {
        inc_start[v + 1] += inc_start[v];
    }
    let mut fill = inc_start.clone();
    let mut inc = vec![0u32; 2 * cables];
    for (c, l) in links.iter().step_by(2).enumerate() {
        for v in [l.src, l.dst] {
            inc[fill[v.idx()]] = c as u32;
            fill[v.idx()] += 1;
        }
    }
    let mut pass = Pass {
        sink,
        nodes,
        links: links.as_slice(),
        index,
        groups,
        inc_start,
        inc,
        node_by: vec![NONE; n],
        cable_by: vec![NONE; cables],
        random: Vec::new(),
        stamp: vec![0; n],
        report: Vec::new(),
    };
    for (i, e) in all.iter().enumerate() {
        pass.mark(i, e);
    }
    if pass.sink.has_errors() {
        return FailureReport::default();
    }
    // Failed lanes per cable and the first entry that failed it.
    let mut dead = vec![0u32; cables];
    let mut cause = vec![NONE; cables];
    for c in 0..cables {
        let (a, b) = pass.ends(c);
        let by = pass.cable_by[c]
            .min(pass.node_by[a.idx()])
            .min(pass.node_by[b.idx()]);
        if by != NONE {
            dead[c] = links[2 * c].count;
            cause[c] = by;
        }
    }
    let mut random = std::mem::take(&mut pass.random);
    random.sort_unstable();
    random.dedup_by_key(|r| (r.0, r.1));
    for &(c, _, by) in &random {
        let c = c as usize;
        if dead[c] < links[2 * c].count {
            dead[c] += 1;
        }
        cause[c] = cause[c].min(by);
    }
    let alive = |c: usize| dead[c] < links[2 * c].count;
    let relays = pxn_relays(nodes, links, &alive);
    if let Some(cut) = cut_off(nodes, links, &alive, &relays) {
        report_cut(&mut pass, &all, &cut, &dead, &cause);
        return FailureReport::default();
    }
    let report = FailureReport {
        entries: std::mem::take(&mut pass.report),
        nodes: (0..n)
            .filter(|&v| pass.node_by[v] != NONE)
            .map(|v| nodes[v].name.clone())
            .collect(),
        links: (0..cables)
            .filter(|&c| dead[c] > 0)
            .map(|c| {
                let l = &links[2 * c];
                FailedLink {
                    a: nodes[l.src.idx()].name.clone(),
                    b: nodes[l.dst.idx()].name.clone(),
                    kind: l.kind.clone(),
                    tier: l.tier.to_string(),
                    failed_lanes: dead[c],
                    lanes: l.count,
                }
            })
            .collect(),
        lanes: dead.iter().map(|&d| u64::from(d)).sum(),
        relays: relays
            .iter()
            .map(|&(a, r)| format!("{} via {}", nodes[a].name, nodes[r].name))
            .collect(),
        relay_ids: {
            let mut r: Vec<NodeId> = relays.iter().map(|&(_, r)| NodeId(r as u32)).collect();
            r.sort_unstable();
            r.dedup();
            r
        },
    };
    let old = std::mem::take(links);
    for (c, pair) in old.chunks(2).enumerate() {
        if dead[c] == pair[0].count {
            continue;
        }
        for l in pair {
            let mut l = l.clone();
            if dead[c] > 0 {
                let keep = l.count - dead[c];
                l.capacity_bps = l.capacity_bps / f64::from(l.count) * f64::from(keep);
                l.count = keep;
            }
            links.push(l);
        }
    }
    report
}
