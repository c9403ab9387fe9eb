//! Rule 11: the node and directed-link counts of a fabric, computed from the
//! block parameters (sites × (domains + planes × network) + DCI links) and
//! id ranges, and checked against the limits *before* anything is
//! allocated.

use super::Builder;
use super::dci::sites;
use super::scale_out::ScaleOutPlan;
use crate::spec::{FileSpec, ScaleUpShape, Span};
use fabricsim_base::limits::{HARD_MAX_IDS, MAX_DIRECTED_LINKS, MAX_NODES};

impl Builder<'_> {
    /// Rule 11: counts nodes and directed links from the parameters, before
    /// allocating anything. Returns the counts (directed links of explicit
    /// `[[links]]` are an upper bound) if building may proceed.
    pub(super) fn check_sizes(
        &mut self,
        spec: &FileSpec,
        plan: Option<&ScaleOutPlan>,
    ) -> Option<(usize, usize)> {
        // (span, what, nodes, directed links)
        let mut parts: Vec<(Span, String, u128, u128)> = Vec::new();
        for n in &spec.nodes {
            let c = n
                .ids
                .iter()
                .map(|p| p.v.count())
                .fold(0u128, u128::saturating_add);
            parts.push((n.span.clone(), "this [[nodes]] entry".to_string(), c, 0));
        }
        for l in &spec.links {
            let a =
                l.a.iter()
                    .map(|p| p.v.count())
                    .fold(0u128, u128::saturating_add);
            let b =
                l.b.iter()
                    .map(|p| p.v.count())
                    .fold(0u128, u128::saturating_add);
            let d = a.saturating_mul(b).saturating_mul(2);
            parts.push((
                l.span.clone(),
                format!("this [[links]] entry ({a} × {b} pairs)"),
                0,
                d,
            ));
        }
        let s = u128::from(sites(spec));
        let per_sites = if s > 1 {
            format!("{s} sites × ")
        } else {
            String::new()
        };
        if let Some(su) = &spec.scale_up {
            let dm = u128::from(su.domains);
            let what = match &su.shape {
                ScaleUpShape::Switched { switches, .. } => format!(
                    "[scale_up]: {per_sites}domains × (accelerators + switches) = {per_sites}{dm} × ({} + {switches})",
                    su.accelerators
                ),
                _ => format!(
                    "[scale_up]: {per_sites}domains × accelerators = {per_sites}{dm} × {}",
                    su.accelerators
                ),
            };
            parts.push((
                su.span.clone(),
                what,
                s.saturating_mul(dm)
                    .saturating_mul(u128::from(su.nodes_per_domain())),
                s.saturating_mul(dm)
                    .saturating_mul(u128::from(su.links_per_domain()))
                    .saturating_mul(2),
            ));
        }
        if let Some(p) = plan
            && let Some(so) = &spec.scale_out
        {
            let nics =
                u128::from(p.accelerators).saturating_mul(u128::from(so.nics_per_accelerator));
            let planes = u128::from(so.planes);
            // Per site: NICs, P planes of switches; attachment links, one
            // port per NIC per plane, and the planes' switch links.
            let nodes =
                nics.saturating_add(planes.saturating_mul(u128::from(p.switches_per_plane())));
            let links = nics
                .saturating_mul(planes + 1)
                .saturating_add(planes.saturating_mul(u128::from(p.switch_links_per_plane())));
            parts.push((
                so.span.clone(),
                if s > 1 {
                    format!(
                        "[scale_out]: {per_sites}({nics} NICs + {})",
                        p.describe(so.planes)
                    )
                } else {
                    format!("[scale_out]: {nics} NICs + {}", p.describe(so.planes))
                },
                s.saturating_mul(nodes),
                s.saturating_mul(links).saturating_mul(2),
            ));
            if let Some(dci) = &spec.dci {
                let top = planes.saturating_mul(u128::from(p.top_per_plane()));
                let pairs = s * (s - 1) / 2;
                parts.push((
                    dci.span.clone(),
                    format!("[dci]: {pairs} site pairs × {top} top-tier switches"),
                    0,
                    pairs.saturating_mul(top).saturating_mul(2),
                ));
            }
        }
        let nodes: u128 = parts.iter().map(|p| p.2).fold(0, u128::saturating_add);
        let links: u128 = parts.iter().map(|p| p.3).fold(0, u128::saturating_add);
        let mut ok = true;
        let (max_nodes, max_links) = (self.limits.max_nodes, self.limits.max_directed_links);
        if nodes > u128::from(max_nodes) {
            let big = parts
                .iter()
                .max_by_key(|p| p.2)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!(
                        "the topology would have {nodes} nodes, more than the limit of {max_nodes}{}",
                        raised_by("--max-nodes", max_nodes, MAX_NODES)
                    ),
                    Some(format!(
                        "most of them come from {what}; nothing was built. A larger fabric needs \
                         --max-nodes N (at most {HARD_MAX_IDS}) and about 100 bytes of memory per node"
                    )),
                );
            }
            ok = false;
        }
        // Report the link limit only when the node limit holds: one cause, one message.
        if ok && links > u128::from(max_links) {
            let big = parts
                .iter()
                .max_by_key(|p| p.3)
                .map(|p| (p.0.clone(), p.1.clone()));
            if let Some((span, what)) = big {
                self.sink.error(
                    span,
                    format!(
                        "the topology would have {links} directed links, more than the limit of {max_links}{}",
                        raised_by("--max-links", max_links, MAX_DIRECTED_LINKS)
                    ),
                    Some(format!(
                        "each full-duplex link is two directed links; most of them come from {what}; \
                         nothing was built. A larger fabric needs --max-links N (at most {HARD_MAX_IDS}) \
                         and about 150 bytes of memory per directed link"
                    )),
                );
            }
            ok = false;
        }
        ok.then_some((nodes as usize, links as usize))
    }
}

/// How a limit in a message was set: ` (the default of --flag)` or
/// ` (set by --flag)`.
fn raised_by(flag: &str, value: u64, default: u64) -> String {
    if value == default {
        format!(" (the default of {flag})")
    } else {
        format!(" (set by {flag})")
    }
}
