//! Staged runs: a schedule simulated from its distinct stages, each
//! (source, destination) pair routed once per run, copies of a scale-up
//! domain not simulated at all.
//!
//! [`CollectiveSim::run_uncached`] builds every flow of every step and
//! simulates every component. For a pipeline ([`crate::tree::pipeline_stages`])
//! most of that is repeated: its `2H + m − 1` slots are windows of `H`
//! stages, and a 32,768-rank tree re-routes, re-groups and re-encodes each
//! stage in ~40 slots. And in a step over many identical scale-up domains
//! (a tree's chains, a ring's hops inside every NVL72 rack) most
//! components are copies of a few. This path gives the same [`RunReport`],
//! bit for bit, by doing each of those once:
//!
//! 1. **Stages.** The steps of a schedule built by `pipeline_stages` are
//!    windows of stages they share ([`crate::transfers::Transfers`]): the
//!    steps that window the same stages with one protocol and bandwidth
//!    fraction use one copy of them; any other step (one edited after it
//!    was built holds its own copy) is a stage of its own. A transfer's
//!    route does not depend on the step it is in (spray and weighted
//!    routes depend only on source and destination; hash routing, whose
//!    route depends on the transfer's index, and PXN relaying take the
//!    general path), and its α and wire
//!    bytes depend only on it, its route and the protocol, so one routing
//!    per stage gives every slot's flows: the latency a slot gives a flow
//!    (α and route latency, a ring mean, or none) is applied per slot, with
//!    the same arithmetic as [`CollectiveSim::flows`]. For the same reason
//!    a pair's route is kept once in the run's route arena and shared by
//!    every flow of the pair (a halving-doubling all-reduce sends over each
//!    pair twice; each flow keeps its own bytes, α and wire bytes). The
//!    arena holds links; each distinct list of fractions is kept once
//!    ([`Fractions`]: a 32,768-rank halving-doubling routes 393 K pairs
//!    with four distinct lists); the flows' views borrow both
//!    ([`RouteRef`]), and only the engine's input copies them.
//! 2. **Domain copies** ([`crate::symmetry`]). Transfers between two nodes
//!    of one scale-up domain are grouped by domain; two domains of one
//!    copy class whose transfers are the same (stage by stage, in order,
//!    by position in the domain, with the same bytes) are copies, and only
//!    the first of them (the representative) is routed and simulated.
//!    This is exact under the conditions of `symmetry.rs`, checked here:
//!    the domains are isolated (condition 2), routing is not hash, every
//!    transfer of a representative with copies is at most
//!    [`crate::symmetry::MAX_CONFINED_HOPS`] hops (condition 3), so a
//!    copy's routes are the images of the representative's, with the same
//!    fractions, latencies, α and wire bytes; and no other flow crosses a
//!    link inside a reduced domain (every other route is checked). Then in
//!    every step a copy's components are images of the representative's,
//!    with equal canonical forms (`components.rs`), so the step's makespan
//!    (a maximum) is unchanged; each of a copy's links receives the same
//!    additions, in the same order, as the representative's link it is the
//!    image of, so its byte count is copied; the per-tier busiest link is a
//!    maximum over equal values; the per-tier byte sums count every
//!    transfer, a copy as its representative's bytes on links of the same
//!    tiers and fractions (exact sums, so each simulated flow's bytes are
//!    added times the transfers it stands for and each stage's sum once);
//!    and ring α counts count every transfer's α, a copy's being its
//!    representative's.
//!
//! 3. **Plane copies** ([`crate::planes`]). After routing, the flows left
//!    (representatives' and whole domains') are split into planes, sets of
//!    links no two of which are joined by any flow of the run, and a plane
//!    whose flows are, stage by stage, the image of another's under a
//!    capacity-, rate- and tier-preserving map of links (checked link by
//!    link) is a copy: its flows point at the original's, as a domain
//!    copy's do, and its links take the original's bytes. Rails that share
//!    no link are such copies (unless item 4 found them first); rails
//!    that share leaves or spines are not.
//! 4. **Rail copies** ([`crate::rails`]), before routing. A rail whose
//!    swap with rail 0 is an automorphism of the fabric, and whose
//!    transfers are, stage by stage, the images of rail 0's, is not
//!    routed at all: only rail 0's transfers are (pass 3 of
//!    `route_stages`), and the rail is a copy as in item 3 once rail 0's
//!    routes are seen to stay on rail 0's links and no other flow to cross
//!    them or their images. The eight rails of `h100-32k-3tier.toml` are
//!    such copies (they share core switches, not links), so a
//!    halving-doubling all-reduce over its 32,768 ranks routes 49 K pairs
//!    instead of 393 K.
//!
//! Since a copy's components are never built, a step holding a copy is
//! known to have several components, and is simulated per component
//! ([`Whole::Split`]) as the whole step would be. Makespans of canonical
//! components are remembered across the steps of the run
//! ([`Components`]); this saves flow-engine events, so a run near its
//! `--max-events` budget may now finish where it failed before.

use super::{CollectiveSim, RunReport, StepReport};
use crate::components::{Components, Fast, FlowView, RouteRef, Whole, WordHasher};
use crate::planes::{PlaneFlow, plane_copies};
use crate::rails::Rails;
use crate::route_estimate;
use crate::schedule::{Schedule, StepLatency, Transfer};
use crate::symmetry::MAX_CONFINED_HOPS;
use crate::{CollectiveError, Protocol};
use fabricsim_base::exact_sum::ExactSum;
use fabricsim_flow::FlowError;
use fabricsim_topology::{LinkId, RoutingMode, Topology};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;

/// A reference to a flow standing for a copy's transfer (the flow is the
/// representative's).
const COPY: u32 = 1 << 31;

/// A routed transfer.
struct Routed {
    /// Its route: links `links[start..start + len]` of the [`RouteMemo`],
    /// fractions `fractions.values[fractions..fractions + len]`.
    start: usize,
    len: usize,
    fractions: usize,
    /// The route's latency, the transfer's α \[s\].
    route_latency_s: f64,
    alpha_s: f64,
    /// Bytes on the wire and payload bytes.
    wire_bytes: f64,
    bytes: f64,
}

/// A stage: transfers that every step holding it holds, contiguously.
struct Stage<'s> {
    transfers: &'s [Transfer],
    protocol: Protocol,
    fraction: f64,
    /// Per transfer: its flow, or `COPY |` the representative's flow.
    refs: Vec<u32>,
    /// The flows of `refs` that are not copies, in order (set once copies
    /// are known, [`CollectiveSim::copy_planes`]).
    simulated: Vec<u32>,
    /// Transfers per distinct α (bit pattern), for ring means.
    alpha_counts: Vec<(u64, f64)>,
}

/// Per (source, destination) pair routed (`src << 32 | dst`): its route
/// (start and length of its links, start of its fractions) and the route's
/// latency, shared by every flow of the pair.
type PairRoutes = HashMap<u64, (usize, usize, usize, f64), Fast>;

/// Routed pairs, their links and fractions, kept across staged runs while
/// [`CollectiveSim::keep_routes`] is on.
#[derive(Default)]
pub(crate) struct RouteMemo {
    pairs: PairRoutes,
    links: Vec<u32>,
    fractions: Fractions,
}

impl RouteMemo {
    /// The route of routed flow `f`, borrowed from the arena.
    fn route(&self, f: &Routed) -> RouteRef<'_> {
        RouteRef::Split {
            links: &self.links[f.start..f.start + f.len],
            fractions: &self.fractions.values[f.fractions..f.fractions + f.len],
        }
    }
}

/// Routes' fraction lists, each distinct list (bit for bit) kept once.
#[derive(Default)]
struct Fractions {
    values: Vec<f64>,
    /// By a hash of the list: where the first list with that hash starts.
    first: HashMap<u64, (usize, usize), Fast>,
}

impl Fractions {
    /// Where the fractions of `route` start in `values` (added if new).
    fn intern(&mut self, route: &[(LinkId, f64)]) -> usize {
        let mut hasher = WordHasher::default();
        hasher.write_usize(route.len());
        for &(_, phi) in route {
            hasher.write_u64(phi.to_bits());
        }
        let h = hasher.finish();
        if let Some(&(start, len)) = self.first.get(&h) {
            let same = len == route.len()
                && self.values[start..start + len]
                    .iter()
                    .zip(route)
                    .all(|(a, &(_, b))| a.to_bits() == b.to_bits());
            if same {
                return start;
            }
        }
        let start = self.values.len();
        self.values.extend(route.iter().map(|&(_, phi)| phi));
        self.first.entry(h).or_insert((start, route.len()));
        start
    }
}

/// The routed flows of a staged run, their routes, each domain's
/// representative (itself when it is simulated), and the rails that are
/// copies of rail 0: their number and the `(link, image)` pairs of rail 0's
/// routes.
type RoutedStages = (Vec<Routed>, RouteMemo, Vec<u32>, (usize, Vec<(u32, u32)>));

/// A domain's copy class and its transfers (stage, positions, bytes),
/// hashed word by word.
#[derive(PartialEq, Eq)]
struct Signature(u32, Vec<u64>);

impl std::hash::Hash for Signature {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u32(self.0);
        state.write_usize(self.1.len());
        for &w in &self.1 {
            state.write_u64(w);
        }
    }
}

/// Why a staged run gave up: take the general path, or retry without
/// domain copies.
enum Fallback {
    General,
    NoCopies,
}

impl<'t> CollectiveSim<'t> {
    /// Runs `schedule` by stages (module docs), or `None` where this path
    /// does not apply (hash routing, PXN steps, a routing error: the
    /// general path then reports it as it always has).
    pub(super) fn run_staged(
        &mut self,
        schedule: &Schedule,
    ) -> Result<Option<RunReport>, CollectiveError> {
        if self.router.mode() == RoutingMode::Hash || schedule.steps.iter().any(|s| s.pxn) {
            return Ok(None);
        }
        let out = match self.run_staged_with(schedule, true)? {
            Ok(r) => Some(r),
            Err(Fallback::General) => None,
            Err(Fallback::NoCopies) => self.run_staged_with(schedule, false)?.ok(),
        };
        match self.stop.take() {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn run_staged_with(
        &mut self,
        schedule: &Schedule,
        copies: bool,
    ) -> Result<Result<RunReport, Fallback>, CollectiveError> {
        let (mut stages, slots) = split_stages(schedule);
        let topo = self.topo;
        if self.domains.is_none() {
            self.domains = Some(crate::symmetry::Domains::new(topo));
        }
        let domains = self.domains.take().expect("built above");
        // Rails are sought (and their owners found, once per simulator)
        // only when accelerators of two positions or more send to their
        // peers in other domains: otherwise no rail can be a copy.
        let rail_copies = copies && self.seek_rails && two_rails(topo, &stages, &domains);
        if rail_copies && self.rails.is_none() {
            self.rails = Some(Rails::new(topo, &domains));
        }
        let rails = self.rails.take();
        let ring_mean = schedule
            .steps
            .iter()
            .any(|s| s.latency == StepLatency::RingMean);
        let some_rails = rails.as_ref().filter(|r| rail_copies && r.possible());
        let result = self.route_stages(&mut stages, &domains, some_rails, copies, ring_mean);
        let out = match result {
            Ok(Ok((flows, routes, rep_of, (rails_copied, rail_pairs)))) => {
                self.rails_copied += rails_copied;
                let planes = self.copy_planes(&mut stages, &flows, &routes);
                let r = self.simulate_stages(schedule, &stages, &slots, &flows, &routes);
                if self.keep_routes {
                    self.route_memo = routes;
                }
                r.map(|mut report| {
                    // Copies' links carry what their representative's do:
                    // planes' first, as a domain's representative or rail
                    // 0's flows may lie in a plane that is a copy; then
                    // rails' (no domain link is in rail 0's routes,
                    // `rails.rs`); then domains'.
                    for &(a, b) in planes.iter().chain(&rail_pairs) {
                        report.link_bytes[b as usize] = report.link_bytes[a as usize];
                    }
                    for (d, &rep) in rep_of.iter().enumerate() {
                        if rep != d as u32 {
                            let (a, b) = (domains.links_of(rep), domains.links_of(d as u32));
                            for (x, y) in a.iter().zip(b) {
                                report.link_bytes[y.idx()] = report.link_bytes[x.idx()];
                            }
                        }
                    }
                    report.bottleneck = self.bottleneck(&report.link_bytes, report.time_s);
                    Ok(report)
                })
            }
            Ok(Err(f)) => Ok(Err(f)),
            Err(e) => Err(e),
        };
        self.domains = Some(domains);
        self.rails = rails;
        out
    }

    /// Routes every transfer of `stages` that is not a copy's (filling
    /// each stage's `refs` and `alpha_counts`); returns the flows, their
    /// routes, each domain's representative (itself if it is simulated),
    /// and the number of rails that are copies of rail 0 (`rails.rs`,
    /// sought when `rails` is given) with the `(link, image)` pairs whose
    /// bytes their links take.
    fn route_stages(
        &mut self,
        stages: &mut [Stage<'_>],
        domains: &crate::symmetry::Domains,
        rails: Option<&Rails>,
        copies: bool,
        ring_mean: bool,
    ) -> Result<Result<RoutedStages, Fallback>, CollectiveError> {
        let nd = domains.count();
        let copies = copies && domains.isolated() && nd > 1;
        // The domain both ends of a transfer are in, when copies are sought.
        let same_domain = |t: &Transfer| -> Option<u32> {
            if !copies {
                return None;
            }
            let d = domains.domain_of(t.src)?;
            (domains.domain_of(t.dst) == Some(d)).then_some(d)
        };
        // The rail a transfer is signed to (both ends owned by rail 0 or
        // an image of it, not inside one domain), when rails are sought.
        let rail_of = |t: &Transfer| -> Option<u32> {
            let r = rails?.of_transfer(t.src, t.dst)?;
            same_domain(t).is_none().then_some(r)
        };
        let nr = rails.map_or(0, |r| r.count());
        let mut flows: Vec<Routed> = Vec::new();
        // A pair's route is kept once and shared by its flows (module
        // docs, item 1), and across runs while routes are kept.
        let mut memo = std::mem::take(&mut self.route_memo);
        // A run whose routes would surely pass the entry limit stops now
        // (`route_estimate.rs`): the pairs pass 1 routes are estimated.
        let pairs: Vec<u64> = stages
            .iter()
            .flat_map(|st| st.transfers.iter())
            .filter(|t| t.src != t.dst && same_domain(t).is_none() && rail_of(t).is_none())
            .map(|t| route_estimate::pair_key(t.src, t.dst))
            .collect();
        if pairs.len() >= route_estimate::ESTIMATE_FROM_PAIRS {
            let pairs = pairs
                .into_iter()
                .filter(|p| !memo.pairs.contains_key(p))
                .collect();
            let (kept, limit) = (memo.links.len(), self.max_route_entries);
            route_estimate::check(&mut self.router, &self.budget, pairs, kept, limit)?;
        }
        // Pass 1: transfers that may belong to a copy are signed per
        // domain or rail (stage, positions, bytes); the others are routed,
        // and every domain whose links they cross is kept whole.
        let mut signature: Vec<Vec<u64>> = vec![Vec::new(); if copies { nd } else { 0 }];
        let mut tainted = vec![false; if copies { nd } else { 0 }];
        let mut rail_signature: Vec<Vec<u64>> = vec![Vec::new(); nr];
        for (s, st) in stages.iter_mut().enumerate() {
            st.refs = vec![u32::MAX; st.transfers.len()];
            for (i, t) in st.transfers.iter().enumerate() {
                if let Some(d) = same_domain(t) {
                    let (a, b) = (domains.position(t.src), domains.position(t.dst));
                    if s >= 1 << 31 || a >= 1 << 16 || b >= 1 << 16 {
                        return Ok(Err(Fallback::NoCopies));
                    }
                    signature[d as usize].extend([
                        (s as u64) << 32 | u64::from(a) << 16 | u64::from(b),
                        t.bytes.to_bits(),
                    ]);
                } else if let Some(r) = rail_of(t) {
                    let rails = rails.expect("a rail owns it");
                    let (a, b) = (rails.position(t.src), rails.position(t.dst));
                    rail_signature[r as usize].extend([
                        s as u64,
                        u64::from(a) << 32 | u64::from(b),
                        t.bytes.to_bits(),
                    ]);
                } else {
                    let Some(f) = self.route_into(&mut flows, &mut memo, t, i, st) else {
                        return Ok(Err(Fallback::General));
                    };
                    st.refs[i] = f;
                    if copies {
                        let r = &flows[f as usize];
                        for &l in &memo.links[r.start..r.start + r.len] {
                            if let Some(d) = domains.link_domain(l) {
                                tainted[d as usize] = true;
                            }
                        }
                    }
                }
            }
        }
        // Representatives: the first untainted domain of each (copy class,
        // signature); a tainted domain is its own.
        let mut rep_of: Vec<u32> = (0..nd as u32).collect();
        let mut has_copies = vec![false; nd];
        if copies {
            let mut kinds: HashMap<Signature, u32, Fast> = HashMap::default();
            for d in 0..nd {
                if tainted[d] || signature[d].is_empty() {
                    continue;
                }
                let key = Signature(
                    domains.class_of(d as u32),
                    std::mem::take(&mut signature[d]),
                );
                let rep = *kinds.entry(key).or_insert(d as u32);
                rep_of[d] = rep;
                if rep != d as u32 {
                    has_copies[rep as usize] = true;
                }
            }
        }
        drop(signature);
        // Pass 2: route the representatives' (and whole domains')
        // transfers, then point each copy's at its representative's.
        let mut of_rep: Vec<Vec<u32>> = vec![Vec::new(); if copies { nd } else { 0 }];
        let mut cursor: Vec<usize> = vec![0; if copies { nd } else { 0 }];
        for st in stages.iter_mut().filter(|_| copies) {
            for (i, t) in st.transfers.iter().enumerate() {
                let Some(d) = same_domain(t) else { continue };
                if rep_of[d as usize] != d {
                    continue;
                }
                if has_copies[d as usize] {
                    // Condition 3, and the route stays in the domain.
                    match self.router.hop_count(t.src, t.dst) {
                        Ok(h) if h <= MAX_CONFINED_HOPS => {}
                        _ => return Ok(Err(Fallback::NoCopies)),
                    }
                }
                let Some(f) = self.route_into(&mut flows, &mut memo, t, i, st) else {
                    return Ok(Err(Fallback::General));
                };
                if has_copies[d as usize] {
                    let r = &flows[f as usize];
                    let inside = memo.links[r.start..r.start + r.len]
                        .iter()
                        .all(|&l| domains.link_domain(l) == Some(d));
                    if !inside {
                        return Ok(Err(Fallback::NoCopies));
                    }
                    of_rep[d as usize].push(f);
                }
                st.refs[i] = f;
            }
            point_copies(st, &same_domain, &rep_of, &mut of_rep, &mut cursor);
        }
        // Pass 3: rails (`rails.rs`).
        let mut rail_copies = (0, Vec::new());
        if let Some(rails) = rails.filter(|_| rail_signature.iter().any(|s| !s.is_empty())) {
            // Links of domains simulated once for several: a rail's route
            // may not cross them (pass 1 checked the flows it routed).
            let reduced = |l: u32| {
                domains
                    .link_domain(l)
                    .is_some_and(|d| rep_of[d as usize] != d || has_copies[d as usize])
            };
            let signed = &rail_signature;
            let (f, m) = (&mut flows, &mut memo);
            match self.route_rails(stages, (rails, signed), &rail_of, &reduced, f, m) {
                Ok(copied) => rail_copies = copied,
                Err(f) => return Ok(Err(f)),
            }
        }
        drop(rail_signature);
        // Ring means: transfers per distinct α.
        for st in stages.iter_mut().filter(|_| ring_mean) {
            // Few distinct α values: a short list, the last one hit first.
            let counts = &mut st.alpha_counts;
            let mut last = 0;
            for &r in &st.refs {
                debug_assert!(r != u32::MAX, "every transfer has a flow");
                let a = flows[(r & !COPY) as usize].alpha_s.to_bits();
                if counts.get(last).is_none_or(|&(x, _)| x != a) {
                    last = match counts.iter().position(|&(x, _)| x == a) {
                        Some(k) => k,
                        None => {
                            counts.push((a, 0.0));
                            counts.len() - 1
                        }
                    };
                }
                counts[last].1 += 1.0;
            }
            counts.sort_unstable_by_key(|&(a, _)| a);
        }
        if flows.len() >= COPY as usize {
            return Ok(Err(Fallback::General));
        }
        Ok(Ok((flows, memo, rep_of, rail_copies)))
    }

    /// Pass 3 of [`Self::route_stages`]: routes rail 0's signed transfers
    /// and every rail's that is not a copy of rail 0, and points a copy's
    /// at rail 0's flows; returns the number of rails that are copies and
    /// the `(link, image)` pairs of rail 0's links in their routes. Gives
    /// up on a routing error (the general path reports it), and retries
    /// without copies when a rail's route crosses a link of a domain that
    /// is simulated for others (`reduced`). A rail is a copy when its
    /// signature (`signed`, per rail) is rail 0's, rail 0's routes lie in
    /// `M_0`, and no flow that is not rail 0's crosses a link of rail 0's
    /// routes or its image (`rails.rs`, item 3).
    fn route_rails(
        &mut self,
        stages: &mut [Stage<'_>],
        (rails, signature): (&Rails, &[Vec<u64>]),
        rail_of: &impl Fn(&Transfer) -> Option<u32>,
        reduced: &impl Fn(u32) -> bool,
        flows: &mut Vec<Routed>,
        memo: &mut RouteMemo,
    ) -> Result<(usize, Vec<(u32, u32)>), Fallback> {
        let nr = rails.count();
        let others = flows.len();
        // Candidates: rails signed like rail 0 (whether they are images
        // of it is checked once rail 0's routes are seen to allow copies).
        let mut copy = vec![false; nr];
        for r in 1..nr {
            copy[r] = !signature[r].is_empty() && signature[r] == signature[0];
        }
        // Rail 0's flows, and the positions in `M_0` of their links.
        let mut used: Vec<bool> = Vec::new();
        let mut routed = vec![false; nr];
        let mut route_rail = |sim: &mut Self,
                              flows: &mut Vec<Routed>,
                              memo: &mut RouteMemo,
                              which: &[bool]|
         -> Option<()> {
            for st in stages.iter_mut() {
                for (i, t) in st.transfers.iter().enumerate() {
                    match rail_of(t) {
                        Some(r) if which[r as usize] => {
                            st.refs[i] = sim.route_into(flows, memo, t, i, st)?;
                        }
                        _ => {}
                    }
                }
            }
            Some(())
        };
        let mut zero = vec![false; nr];
        zero[0] = true;
        route_rail(self, flows, memo, &zero).ok_or(Fallback::General)?;
        routed[0] = true;
        let rail0 = others..flows.len();
        for f in &flows[rail0.clone()] {
            for &l in &memo.links[f.start..f.start + f.len] {
                match rails.rail0_position(l) {
                    Some(i) => {
                        if used.len() <= i as usize {
                            used.resize(i as usize + 1, false);
                        }
                        used[i as usize] = true;
                    }
                    None => copy.fill(false), // a route leaves M_0
                }
            }
        }
        for (r, c) in copy.iter_mut().enumerate() {
            *c = *c && rails.is_image(self.topo, r);
        }
        // Rails routed whole, until no candidate is crossed by another flow.
        let mut checked = 0..others;
        loop {
            let whole: Vec<bool> = (0..nr).map(|r| !routed[r] && !copy[r]).collect();
            if whole.iter().any(|&w| w) {
                route_rail(self, flows, memo, &whole).ok_or(Fallback::General)?;
                for (r, w) in whole.iter().enumerate() {
                    routed[r] |= w;
                }
            }
            let mut dropped = false;
            let ranges = [checked.clone(), rail0.end..flows.len()];
            for range in ranges {
                for f in &flows[range] {
                    for &l in &memo.links[f.start..f.start + f.len] {
                        let Some((r, i)) = rails.link_owner(l) else {
                            continue;
                        };
                        if !used.get(i as usize).copied().unwrap_or(false) {
                            continue;
                        }
                        if r == 0 {
                            dropped |= copy.iter().any(|&c| c);
                            copy.fill(false);
                        } else if copy[r as usize] {
                            copy[r as usize] = false;
                            dropped = true;
                        }
                    }
                }
            }
            checked = 0..0;
            if !dropped {
                break;
            }
        }
        let crosses = |f: &Routed| {
            memo.links[f.start..f.start + f.len]
                .iter()
                .any(|&l| reduced(l))
        };
        if flows[others..].iter().any(crosses) {
            return Err(Fallback::NoCopies);
        }
        // Point the copies' transfers at rail 0's flows.
        let rep_of: Vec<u32> = (0..nr as u32)
            .map(|r| if copy[r as usize] { 0 } else { r })
            .collect();
        let mut of_rep: Vec<Vec<u32>> = vec![Vec::new(); nr];
        let mut cursor = vec![0usize; nr];
        for st in stages.iter_mut() {
            for (i, t) in st.transfers.iter().enumerate() {
                if rail_of(t) == Some(0) {
                    of_rep[0].push(st.refs[i]);
                }
            }
            point_copies(st, rail_of, &rep_of, &mut of_rep, &mut cursor);
        }
        let mut pairs = Vec::new();
        for r in (1..nr as u32).filter(|&r| copy[r as usize]) {
            for (i, _) in used.iter().enumerate().filter(|&(_, &u)| u) {
                let l0 = rails.image_link(0, i as u32);
                pairs.push((l0.0, rails.image_link(r, i as u32).0));
            }
        }
        Ok((copy.iter().filter(|&&c| c).count(), pairs))
    }

    /// Marks the flows of planes that are copies of others as copies
    /// (`planes.rs`) and returns the `(original, copy)` link pairs whose
    /// bytes the copies take.
    fn copy_planes(
        &mut self,
        stages: &mut [Stage<'_>],
        flows: &[Routed],
        memo: &RouteMemo,
    ) -> Vec<(u32, u32)> {
        let mut seq: Vec<PlaneFlow<'_>> = Vec::new();
        let mut at: Vec<(u32, u32)> = Vec::new();
        for (s, st) in stages.iter().enumerate() {
            for (i, &r) in st.refs.iter().enumerate() {
                if r & COPY == 0 {
                    let f = &flows[r as usize];
                    seq.push(PlaneFlow {
                        stage: s as u32,
                        attrs: [
                            f.wire_bytes.to_bits(),
                            f.bytes.to_bits(),
                            f.route_latency_s.to_bits(),
                            f.alpha_s.to_bits(),
                        ],
                        links: &memo.links[f.start..f.start + f.len],
                        fractions: &memo.fractions.values[f.fractions..f.fractions + f.len],
                    });
                    at.push((s as u32, i as u32));
                }
            }
        }
        let found = plane_copies(self.topo.links.len(), &seq, |l| {
            let l = l as usize;
            [
                self.capacity_bps[l].to_bits(),
                self.line_rate_bps[l].to_bits(),
                u64::from(self.tier_of[l]),
            ]
        });
        // Each flow's original, where it became a copy. A domain copy's
        // transfers point at its representative's flows, which may now be
        // copies themselves: they then point at their original too (the
        // same stage, fractions, tiers and bytes), so that every copy
        // points at a simulated flow.
        let mut original: Vec<u32> = (0..flows.len() as u32).collect();
        for (k, &orig) in found.copy_of.iter().enumerate() {
            if orig != u32::MAX {
                let (s, i) = at[k];
                let (so, io) = at[orig as usize];
                let flow = stages[so as usize].refs[io as usize];
                let r = &mut stages[s as usize].refs[i as usize];
                original[*r as usize] = flow;
                *r = COPY | flow;
            }
        }
        for st in stages.iter_mut() {
            for r in st.refs.iter_mut().filter(|r| **r & COPY != 0) {
                *r = COPY | original[(*r & !COPY) as usize];
            }
            st.simulated = st.refs.iter().copied().filter(|r| r & COPY == 0).collect();
        }
        self.planes_copied += found.planes_copied;
        found.links
    }

    /// Routes transfer `t` (index `i` of stage `st`) into a new flow of
    /// `flows`: its route added to `memo`, or the pair's route when the
    /// pair was routed before in this run or in a run whose routes were
    /// kept; `None` on a routing error.
    fn route_into(
        &mut self,
        flows: &mut Vec<Routed>,
        memo: &mut RouteMemo,
        t: &Transfer,
        i: usize,
        st: &Stage<'_>,
    ) -> Option<u32> {
        let pair = route_estimate::pair_key(t.src, t.dst);
        let (start, len, fractions, latency_s) = match memo.pairs.get(&pair) {
            Some(&route) => route,
            None => {
                // The caller falls back; `run_staged` reports `stop`.
                if let Err(e) = self.count_route() {
                    self.stop = Some(FlowError::from(e).into());
                    return None;
                }
                // The memo keeps the route: the router need not.
                let r = self.router.route_once(t.src, t.dst, i as u64).ok()?;
                if memo.links.len() + r.links.len() > self.max_route_entries {
                    self.stop = Some(CollectiveError::RoutesTooLarge {
                        limit: self.max_route_entries,
                        estimate: None,
                    });
                    return None;
                }
                let fractions = memo.fractions.intern(&r.links);
                let route = (memo.links.len(), r.links.len(), fractions, r.latency_s);
                memo.links.extend(r.links.iter().map(|&(l, _)| l.0));
                memo.pairs.insert(pair, route);
                route
            }
        };
        let links = memo.links[start..start + len].iter().map(|&l| l as usize);
        let (alpha_s, wire_bytes) = self.alpha_and_wire_bytes(t, links, st.protocol, st.fraction);
        flows.push(Routed {
            start,
            len,
            fractions,
            route_latency_s: latency_s,
            alpha_s,
            wire_bytes,
            bytes: t.bytes,
        });
        Some((flows.len() - 1) as u32)
    }

    /// The report of `schedule` from its routed stages (the copies' link
    /// bytes are still to be copied).
    fn simulate_stages(
        &mut self,
        schedule: &Schedule,
        stages: &[Stage<'_>],
        slots: &[(usize, usize)],
        flows: &[Routed],
        memo: &RouteMemo,
    ) -> Result<RunReport, CollectiveError> {
        let nl = self.topo.links.len();
        let mut link_bytes = vec![0.0; nl];
        let mut time_s = 0.0;
        let mut steps = Vec::with_capacity(schedule.steps.len());
        let mut step_bytes = vec![0.0; nl];
        let mut touched: Vec<u32> = Vec::new();
        let nt = self.tiers.len();
        let mut tier_bytes = vec![0.0; nt];
        let mut tier_sums = vec![ExactSum::new(); nt];
        // The bytes a route entry puts on its link's tier are
        // `fraction · payload`, as `run_steps` computes them.
        let tier_of = &self.tier_of;
        // Adds the bytes every transfer of `st` puts on each tier: a copy's
        // are its original's (same fractions and tiers, planes.rs and
        // symmetry.rs), so each simulated flow's are added times the number
        // of transfers it stands for (`count`: scratch per flow, left zero).
        let mut count = vec![0.0f64; flows.len()];
        let mut add_stage = |sums: &mut [ExactSum], st: &Stage<'_>| {
            for &r in &st.refs {
                count[(r & !COPY) as usize] += 1.0;
            }
            for &r in &st.simulated {
                let f = &flows[r as usize];
                let m = std::mem::take(&mut count[r as usize]);
                for (l, phi) in memo.route(f).iter() {
                    sums[tier_of[l as usize] as usize].add_product(m, phi * f.bytes);
                }
            }
        };
        // Per stage in more than one slot: its exact per-tier sums, which
        // each slot holding it adds (exact sums: any grouping gives the
        // same correctly rounded value, `fabricsim_base::exact_sum`).
        let mut uses = vec![0u32; stages.len()];
        for &(lo, hi) in slots {
            for u in &mut uses[lo..=hi] {
                *u += 1;
            }
        }
        let stage_sums: Vec<Vec<ExactSum>> = stages
            .iter()
            .zip(&uses)
            .map(|(st, &u)| {
                if u < 2 {
                    return Vec::new();
                }
                let mut sums = vec![ExactSum::new(); nt];
                add_stage(&mut sums, st);
                sums
            })
            .collect();
        let mut components = Components::new(nl);
        let mut views: Vec<FlowView<'_>> = Vec::new();
        let mut view_ids: Vec<u32> = Vec::new();
        let route = |r: u32| memo.route(&flows[r as usize]);
        for (step, &(lo, hi)) in schedule.steps.iter().zip(slots) {
            self.budget.check_time().map_err(FlowError::from)?;
            let window = &stages[lo..=hi];
            // The ring mean as `flows` computes it: Σ_k n_k·α_k / Σ_k n_k
            // in α order, the counts whole numbers (exact in any order).
            let mean = if step.latency == StepLatency::RingMean {
                let mut counts: BTreeMap<u64, f64> = BTreeMap::new();
                for st in window {
                    for &(a, c) in &st.alpha_counts {
                        *counts.entry(a).or_default() += c;
                    }
                }
                let n: f64 = counts.values().sum();
                let sum: f64 = counts.iter().map(|(&a, &c)| c * f64::from_bits(a)).sum();
                if n > 0.0 { sum / n } else { 0.0 }
            } else {
                0.0
            };
            views.clear();
            view_ids.clear();
            let mut split = false;
            for (s, st) in (lo..=hi).zip(window) {
                split |= st.simulated.len() < st.refs.len();
                for &r in &st.simulated {
                    let f = &flows[r as usize];
                    view_ids.push(r);
                    views.push(FlowView {
                        bytes: f.wire_bytes,
                        latency_s: match step.latency {
                            StepLatency::EachTransfer => f.route_latency_s + f.alpha_s,
                            StepLatency::RingMean => f.route_latency_s + mean,
                            StepLatency::Front if s == hi => f.route_latency_s + f.alpha_s,
                            StepLatency::Hidden | StepLatency::Front => 0.0,
                        },
                        route: route(r),
                    });
                }
            }
            let whole = if split { Whole::Split } else { Whole::Views };
            // A flow's view is its routed flow and the latency the step
            // gives it: the latency rule and ring mean are the salt (for a
            // fill slot, which stage pays: a flow's index is its stage's).
            let salt = match step.latency {
                StepLatency::EachTransfer => [0, 0],
                StepLatency::Hidden => [1, 0],
                StepLatency::RingMean => [2, mean.to_bits()],
                StepLatency::Front => [3, hi as u64],
            };
            let t = components.makespan_keyed(
                &self.capacity_bps,
                &views,
                Some((salt, &view_ids)),
                whole,
                &mut self.budget,
            )?;
            time_s += step.repeat as f64 * t;
            let repeat = step.repeat as f64;
            for st in window {
                for &r in &st.simulated {
                    let f = &flows[r as usize];
                    for (l, phi) in route(r).iter() {
                        let b = phi * f.bytes;
                        link_bytes[l as usize] += repeat * b;
                        if step_bytes[l as usize] == 0.0 {
                            touched.push(l);
                        }
                        step_bytes[l as usize] += b;
                    }
                }
            }
            // Bytes per tier: every transfer's, copies included.
            tier_sums.iter_mut().for_each(ExactSum::clear);
            for (s, st) in stages.iter().enumerate().take(hi + 1).skip(lo) {
                match stage_sums[s].as_slice() {
                    [] => add_stage(&mut tier_sums, st),
                    sums => {
                        for (acc, x) in tier_sums.iter_mut().zip(sums) {
                            acc.add_sum(x);
                        }
                    }
                }
            }
            for (b, x) in tier_bytes.iter_mut().zip(&tier_sums) {
                *b = x.value();
            }
            steps.push(StepReport {
                time_s: t,
                repeat: step.repeat,
                transfers: step.transfers.len(),
                tier_busy: self.tier_busy(&step_bytes, &touched, &tier_bytes, t),
                busiest: self.busiest(&step_bytes, &touched, t),
                phases: step.phases.clone(),
            });
            for l in touched.drain(..) {
                step_bytes[l as usize] = 0.0;
            }
        }
        Ok(RunReport {
            time_s,
            steps,
            link_bytes,
            bottleneck: None,
        })
    }
}

/// Whether transfers of `stages` join accelerators at one position of two
/// domains (peers on one rail) for two positions or more.
fn two_rails(topo: &Topology, stages: &[Stage<'_>], domains: &crate::symmetry::Domains) -> bool {
    let mut first = None;
    let n = topo.nodes.len();
    let stages = || stages.iter().flat_map(|st| st.transfers);
    if stages().any(|t| t.src.idx() >= n || t.dst.idx() >= n) {
        return false; // the router reports the unknown node
    }
    for t in stages() {
        let (Some(p), Some(q)) = (domains.accel_position(t.src), domains.accel_position(t.dst))
        else {
            continue;
        };
        if p != q || domains.domain_of(t.src) == domains.domain_of(t.dst) {
            continue;
        }
        match first {
            None => first = Some(p),
            Some(f) if f != p => return true,
            _ => {}
        }
    }
    false
}

/// Points the transfers of `st` that `group` puts in a copy (a group whose
/// representative `rep_of` gives is another) at the representative's flows
/// of the stage (`of_rep`): equal signatures, so the copy's `k`-th
/// transfer of the stage is the image of the representative's `k`-th.
/// Empties `of_rep` for the next stage.
fn point_copies(
    st: &mut Stage<'_>,
    group: &impl Fn(&Transfer) -> Option<u32>,
    rep_of: &[u32],
    of_rep: &mut [Vec<u32>],
    cursor: &mut [usize],
) {
    for t in st.transfers {
        if let Some(d) = group(t) {
            cursor[d as usize] = 0;
        }
    }
    for (i, t) in st.transfers.iter().enumerate() {
        let Some(d) = group(t) else { continue };
        let rep = rep_of[d as usize];
        if rep == d {
            continue;
        }
        let k = cursor[d as usize];
        cursor[d as usize] += 1;
        st.refs[i] = COPY | of_rep[rep as usize][k];
    }
    for t in st.transfers {
        if let Some(d) = group(t) {
            of_rep[d as usize].clear();
        }
    }
}

/// The stages of `schedule` and each step's range of them. A step that is
/// a window of a pipeline's shared stages ([`crate::transfers`]) is that
/// range of them, and the steps that window the same stages under one
/// protocol and bandwidth share use one copy of them (routed and
/// simulated stage by stage); any other step is one stage.
fn split_stages(schedule: &Schedule) -> (Vec<Stage<'_>>, Vec<(usize, usize)>) {
    use crate::transfers::SharedStages;
    use std::sync::Arc;
    let stage = |transfers, step: &crate::schedule::Step| Stage {
        transfers,
        protocol: step.protocol,
        fraction: step.bandwidth_fraction,
        refs: Vec::new(),
        simulated: Vec::new(),
        alpha_counts: Vec::new(),
    };
    let mut stages: Vec<Stage<'_>> = Vec::new();
    let mut slots = Vec::with_capacity(schedule.steps.len());
    // Shared stages already listed: (stages, protocol, share bits, index
    // of their first stage).
    let mut listed: Vec<(&SharedStages, Protocol, u64, usize)> = Vec::new();
    for step in &schedule.steps {
        let Some((shared, lo, hi)) = step.transfers.as_window() else {
            // A list of the step's own: one run, one stage, or two in a
            // fill slot whose last stage starts inside the list (a window
            // copied out to be edited), so that only that stage pays.
            let own: &[Transfer] = &step.transfers.parts()[0];
            let front = step.transfers.last_stage_start();
            if step.latency == StepLatency::Front && front > 0 {
                slots.push((stages.len(), stages.len() + 1));
                stages.push(stage(&own[..front], step));
                stages.push(stage(&own[front..], step));
            } else {
                slots.push((stages.len(), stages.len()));
                stages.push(stage(own, step));
            }
            continue;
        };
        let fraction = step.bandwidth_fraction.to_bits();
        let base = match listed
            .iter()
            .find(|&&(s, p, f, _)| Arc::ptr_eq(s, shared) && p == step.protocol && f == fraction)
        {
            Some(&(.., base)) => base,
            None => {
                let base = stages.len();
                stages.extend(shared.iter().map(|t| stage(t, step)));
                listed.push((shared, step.protocol, fraction, base));
                base
            }
        };
        slots.push((base + lo, base + hi));
    }
    (stages, slots)
}
