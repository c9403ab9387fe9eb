//! The event loop of the flow model.
//!
//! # Events
//! Two kinds: *activations* (a flow's latency has elapsed and its bytes start
//! to move) and *completions* (a flow's last byte is delivered). Events closer
//! than [`TIME_REL_EPS`] (relative) are processed as one batch: completions
//! first, then the dependents they release, then activations. Rates are
//! recomputed once per batch and are constant until the next one, so finish
//! times are exact up to rounding (no time step).
//!
//! # Classes and groups
//! Flows with identical routes form a *class* and always share one rate.
//! Max-min fairness gives every class the level `λ_b` of the first link `b`
//! on its route to saturate during progressive filling, so there are at most
//! as many distinct rates as links. Classes are therefore kept in *bottleneck
//! groups* (see `groups.rs`), one per link, and a solve is progressive filling
//! over **links**: when link `b` saturates, the unfrozen classes of other
//! groups that cross `b` move into group `b` (only they need per-class work),
//! then the whole group freezes at `λ_b` through one pass over its column of
//! aggregated weights. Per event the work is proportional to the nonzeros of
//! the group/link incidence plus the classes whose bottleneck changed, not to
//! the number of flows. The part of the filling below the first freeze an
//! event can change is replayed from the last solve's record without the
//! queue (`solve.rs`).
//!
//! # Time without touching every flow
//! Each group keeps a clock `S_b(t) = ∫ λ_b dt` [bytes per flow]. A class
//! stores an offset so that its per-flow service is `S_c = S_{g(c)} + base_c`;
//! a flow joining class `c` at `t_j` gets the key `S_c(t_j) + B_f` and finishes
//! when `S_c` reaches it (the virtual-time idea of fair queueing). A rate
//! change therefore touches one group, and the group's next completion is
//! `t + (min_c (minkey_c − base_c) − S_b(t)) / λ_b`. A class that changes group
//! at `t` re-bases: `base_c ← S_old(t) + base_c − S_new(t)`.

use super::groups::Groups;
use super::heap::IndexedHeap;
use super::key::{Key, Key2};
use super::routes::{Routes, intern_routes};
use super::{Budget, BudgetExceeded, Dependents, Flow, FlowError, dependents, validate};
use solve::Scratch;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

mod solve;
#[cfg(test)]
mod tests;

/// Events whose times differ by at most this fraction of the time are
/// processed together (the tolerance of an independent max-min implementation used to cross-check the engine, docs/flow-model.md).
pub const TIME_REL_EPS: f64 = 1e-12;

/// Counters that make the engine's work visible without a profiler.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EngineStats {
    /// Event batches processed.
    pub events: u64,
    /// Max-min solves (one per batch that changed the active set).
    pub solves: u64,
    /// Links frozen over all solves (the solver's main loop count).
    pub links_frozen: u64,
    /// Times a class changed bottleneck group.
    pub classes_moved: u64,
    /// Link-heap pops over all solves (including refreshed stale keys).
    pub heap_pops: u64,
    /// Distinct routes (classes) among all flows.
    pub route_classes: u64,
}

/// When each flow was released and completed: the result of [`simulate`],
/// indexed like the input flows.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// When each flow was released (before its latency) \[s\].
    pub release_s: Vec<f64>,
    /// When each flow's last byte was delivered \[s\].
    pub finish_s: Vec<f64>,
    /// Counters of the work the engine did.
    pub stats: EngineStats,
}

impl Completion {
    /// Time the last flow finishes \[s\] (0 for no flows).
    pub fn makespan_s(&self) -> f64 {
        self.finish_s.iter().copied().fold(0.0, f64::max)
    }
}

/// Runs the flow model to completion.
///
/// `capacity_bps[l]` is directed link `l`'s capacity [bytes/s]. See the
/// [module docs](super) for the model and [`super::validate`] for the input
/// rules; invalid input is returned as an error, never a panic.
///
/// # Complexity
/// Per batch `O(Σ_{c re-solved} |route_c| · log L)` plus `O(log C)` per
/// completion; memory `O(Σ_f |route_f|)`.
///
/// # Example
/// ```
/// use fabricsim_flow::{simulate, Flow};
/// // One 1 GB/s link, two 1 MB flows from t=0: each gets 0.5 GB/s → 2 ms.
/// let flows = vec![Flow::on_path(&[0], 0.0, 1e6, 0.0); 2];
/// let out = simulate(&[1e9], &flows).unwrap();
/// assert!((out.finish_s[0] - 2e-3).abs() < 1e-15);
/// ```
pub fn simulate(capacity_bps: &[f64], flows: &[Flow]) -> Result<Completion, FlowError> {
    simulate_within(capacity_bps, flows, &mut Budget::unlimited())
}

/// Like [`simulate`], spending one unit of `budget` per event; stops with
/// [`FlowError::Budget`] when the budget runs out ([`super::budget`]).
pub fn simulate_within(
    capacity_bps: &[f64],
    flows: &[Flow],
    budget: &mut Budget,
) -> Result<Completion, FlowError> {
    validate(capacity_bps, flows)?;
    Ok(Engine::new(capacity_bps, flows, false).run(budget)?.0)
}

/// One interval between events with the rates in force during it.
#[derive(Clone, Debug, PartialEq)]
pub struct RateInterval {
    /// Interval start \[s\].
    pub t0_s: f64,
    /// Interval end \[s\].
    pub t1_s: f64,
    /// `(flow index, rate [bytes/s])` of every flow moving bytes in
    /// `[t0_s, t1_s)`, sorted by flow index.
    pub rates: Vec<(u32, f64)>,
}

/// Like [`simulate`], and also returns the rate of every moving flow in every
/// interval between events (for tests, plots and utilization reports).
///
/// The trace costs `O(active flows)` per event on top of the simulation.
pub fn simulate_traced(
    capacity_bps: &[f64],
    flows: &[Flow],
) -> Result<(Completion, Vec<RateInterval>), FlowError> {
    validate(capacity_bps, flows)?;
    Ok(Engine::new(capacity_bps, flows, true).run(&mut Budget::unlimited())?)
}

/// Per-group heap entry: (group-relative finish service, class, class version).
type GroupEntry = Reverse<Key2>;

struct Engine<'a> {
    cap: &'a [f64],
    flows: &'a [Flow],
    deps: Dependents,
    class_of: Vec<u32>,
    routes: Routes,
    // Per class.
    /// Flows currently moving bytes.
    n: Vec<u32>,
    /// Bottleneck group (a link id), `NONE` while inactive.
    group: Vec<u32>,
    /// `S_c = S_{group} + base_c` \[bytes\].
    base: Vec<f64>,
    /// Member flows keyed by the class service at which they finish.
    keys: Vec<BinaryHeap<Reverse<Key>>>,
    /// Version of the class's live entry in its group heap.
    cver: Vec<u32>,
    // Per group (indexed by link).
    groups: Groups,
    /// Current level (per-flow rate) of the group [bytes/s].
    lambda: Vec<f64>,
    /// Group clock `S_b` at `gt` \[bytes\].
    clock: Vec<f64>,
    gt: Vec<f64>,
    gheap: Vec<BinaryHeap<GroupEntry>>,
    // Per link.
    /// `Σ n·φ` of active classes crossing the link.
    weight: Vec<f64>,
    /// Active classes crossing the link.
    nclass: Vec<u32>,
    /// Links with `nclass > 0`, and each link's position in it.
    active_links: Vec<u32>,
    active_pos: Vec<u32>,
    /// The solve's scratch and its record of the last solve.
    sv: Scratch,
    // Global.
    dirty: bool,
    completions: IndexedHeap,
    activations: BinaryHeap<Reverse<Key>>,
    pending: Vec<u32>,
    last_dep: Vec<f64>,
    release: Vec<f64>,
    finish: Vec<f64>,
    stats: EngineStats,
    /// Rate trace, when requested: finished intervals, open interval start.
    trace: Option<(Vec<RateInterval>, f64)>,
}

const NONE: u32 = u32::MAX;

impl<'a> Engine<'a> {
    fn new(cap: &'a [f64], flows: &'a [Flow], traced: bool) -> Engine<'a> {
        let (class_of, routes) = intern_routes(flows.iter().map(|f| f.route.as_slice()));
        let nc = routes.len();
        let nl = cap.len();
        let groups = Groups::new(nl, &routes);
        let mut e = Engine {
            cap,
            flows,
            deps: dependents(flows),
            class_of,
            n: vec![0; nc],
            group: vec![NONE; nc],
            base: vec![0.0; nc],
            keys: (0..nc).map(|_| BinaryHeap::new()).collect(),
            cver: vec![0; nc],
            routes,
            groups,
            lambda: vec![0.0; nl],
            clock: vec![0.0; nl],
            gt: vec![0.0; nl],
            gheap: (0..nl).map(|_| BinaryHeap::new()).collect(),
            weight: vec![0.0; nl],
            nclass: vec![0; nl],
            active_links: Vec::new(),
            active_pos: vec![NONE; nl],
            sv: Scratch::new(nl),
            dirty: false,
            completions: IndexedHeap::default(),
            activations: BinaryHeap::new(),
            pending: flows.iter().map(|f| f.deps.len() as u32).collect(),
            last_dep: vec![0.0; flows.len()],
            release: vec![f64::NAN; flows.len()],
            finish: vec![f64::NAN; flows.len()],
            stats: EngineStats {
                route_classes: nc as u64,
                ..EngineStats::default()
            },
            trace: traced.then(|| (Vec::new(), 0.0)),
        };
        for (i, f) in flows.iter().enumerate() {
            if f.deps.is_empty() {
                e.schedule(i, f.start_s);
            }
        }
        e
    }

    /// Releases flow `f` at `t_rel`; its bytes start after its latency.
    fn schedule(&mut self, f: usize, t_rel: f64) {
        self.release[f] = t_rel;
        let t_act = t_rel + self.flows[f].latency_s;
        self.activations.push(Reverse(Key::new(t_act, f as u32)));
    }

    fn run(
        mut self,
        budget: &mut Budget,
    ) -> Result<(Completion, Vec<RateInterval>), BudgetExceeded> {
        loop {
            let ta = self.activations.peek().map(|Reverse(k)| k.value());
            let tc = self.completions.peek().map(|(_, t)| t);
            let t = match (ta, tc) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some(c)) => c,
                (Some(a), Some(c)) => a.min(c),
            };
            let lim = t + t.abs() * TIME_REL_EPS;
            budget.spend_event()?;
            self.stats.events += 1;
            self.close_trace_interval(t);
            while let Some((g, tc)) = self.completions.peek() {
                if tc > lim {
                    break;
                }
                self.complete_group(g, t);
            }
            while let Some(&Reverse(k)) = self.activations.peek() {
                let (ta, f) = (k.value(), k.id());
                if ta > lim {
                    break;
                }
                self.activations.pop();
                self.activate(f as usize, t, ta);
            }
            if self.dirty {
                self.solve(t, budget)?;
            }
            if let Some((_, t0)) = &mut self.trace {
                *t0 = t;
            }
        }
        let trace = self.trace.take().map(|(done, _)| done).unwrap_or_default();
        let out = Completion {
            release_s: self.release,
            finish_s: self.finish,
            stats: self.stats,
        };
        Ok((out, trace))
    }

    /// Closes the trace interval that ends at `t`, if tracing.
    fn close_trace_interval(&mut self, t: f64) {
        let t0 = match &self.trace {
            Some((_, t0)) if t > *t0 => *t0,
            _ => return,
        };
        let mut rates = Vec::new();
        for c in 0..self.routes.len() {
            if self.n[c] > 0 {
                let r = self.lambda[self.group[c] as usize];
                rates.extend(self.keys[c].iter().map(|Reverse(k)| (k.id(), r)));
            }
        }
        if rates.is_empty() {
            return;
        }
        rates.sort_unstable_by_key(|&(f, _)| f);
        if let Some((done, _)) = &mut self.trace {
            done.push(RateInterval {
                t0_s: t0,
                t1_s: t,
                rates,
            });
        }
    }

    /// Brings group `g`'s clock up to `t` at its current level.
    fn advance(&mut self, g: usize, t: f64) {
        self.clock[g] += self.lambda[g] * (t - self.gt[g]);
        self.gt[g] = t;
    }

    /// Pushes class `c`'s current earliest finish into its group's heap.
    fn push_class(&mut self, c: u32) {
        let ci = c as usize;
        self.cver[ci] = self.cver[ci].wrapping_add(1);
        if let Some(&Reverse(k)) = self.keys[ci].peek() {
            let g = self.group[ci] as usize;
            let rel = k.value() - self.base[ci];
            self.gheap[g].push(Reverse(Key2::new(rel, c, self.cver[ci])));
            // Drop stale entries once they outnumber live ones.
            if self.gheap[g].len() > 2 * self.groups.size[g] as usize + 16 {
                let cver = &self.cver;
                let group = &self.group;
                self.gheap[g].retain(|Reverse(e)| {
                    cver[e.id() as usize] == e.tag() && group[e.id() as usize] == g as u32
                });
            }
        }
    }

    /// The group's smallest live relative key, discarding stale entries.
    fn group_min(&mut self, g: usize) -> Option<(f64, u32)> {
        while let Some(&Reverse(e)) = self.gheap[g].peek() {
            let c = e.id();
            if self.cver[c as usize] == e.tag() && self.group[c as usize] == g as u32 {
                return Some((e.value(), c));
            }
            self.gheap[g].pop();
        }
        None
    }

    /// Finishes every flow of group `g` that is due at `t`.
    fn complete_group(&mut self, g: u32, t: f64) {
        let gi = g as usize;
        self.completions.remove(g);
        self.advance(gi, t);
        if let Some((k, _)) = self.group_min(gi) {
            // The event fired because this key is due: snap to it.
            self.clock[gi] = self.clock[gi].max(k);
        }
        // Flows due within the time tolerance finish now. The tolerance is in
        // time (`t · TIME_REL_EPS`, converted to bytes at the group's rate), not
        // relative to the clock, which grows with the group's history.
        let tol = self.lambda[gi] * t.abs() * TIME_REL_EPS;
        let lim = self.clock[gi] + tol;
        while let Some((k, c)) = self.group_min(gi) {
            if k > lim {
                break;
            }
            self.gheap[gi].pop();
            let ci = c as usize;
            let service = self.clock[gi] + self.base[ci];
            let slim = service + tol;
            let mut gone = 0u32;
            while let Some(&Reverse(k)) = self.keys[ci].peek() {
                let (fk, f) = (k.value(), k.id());
                // The first key is due by construction; rounding in `base`
                // must not leave it behind.
                if fk > slim && gone > 0 {
                    break;
                }
                self.keys[ci].pop();
                gone += 1;
                self.finish_flow(f as usize, t);
            }
            self.change_count(c, -(gone as i64));
        }
        self.dirty = true;
    }

    /// Adds `dn` flows to active class `c`; a class that drops to zero flows
    /// leaves its group and links.
    fn change_count(&mut self, c: u32, dn: i64) {
        let ci = c as usize;
        let old = self.n[ci];
        let new = (old as i64 + dn) as u32;
        let g = self.group[ci];
        self.n[ci] = new;
        for &(l, phi) in self.routes[ci].iter() {
            self.weight[l as usize] += dn as f64 * phi;
        }
        self.touch_route(ci);
        if new == 0 {
            self.groups.remove(g, c, &self.routes, old as f64);
            self.group_left(g);
            self.group[ci] = NONE;
            self.cver[ci] = self.cver[ci].wrapping_add(1);
            for k in 0..self.routes[ci].len() {
                let l = self.routes[ci][k].0;
                self.nclass[l as usize] -= 1;
                if self.nclass[l as usize] == 0 {
                    // Nothing crosses the link: reset rounding drift.
                    self.weight[l as usize] = 0.0;
                    self.deactivate_link(l);
                }
            }
        } else {
            self.groups.add_weight(g, &self.routes[ci], dn as f64);
            self.push_class(c);
        }
    }

    /// Marks class `ci`'s links as changed since the last solve.
    fn touch_route(&mut self, ci: usize) {
        for &(l, _) in self.routes[ci].iter() {
            if !self.sv.touched[l as usize] {
                self.sv.touched[l as usize] = true;
                self.sv.touched_list.push(l);
            }
        }
    }

    fn deactivate_link(&mut self, l: u32) {
        let p = self.active_pos[l as usize] as usize;
        self.active_links.swap_remove(p);
        if p < self.active_links.len() {
            self.active_pos[self.active_links[p] as usize] = p as u32;
        }
        self.active_pos[l as usize] = NONE;
    }

    /// Records `f`'s finish and releases dependents whose last dependency it was.
    fn finish_flow(&mut self, f: usize, t: f64) {
        self.finish[f] = t;
        for k in 0..self.deps.of(f).len() {
            let d = self.deps.of(f)[k] as usize;
            self.pending[d] -= 1;
            self.last_dep[d] = self.last_dep[d].max(t);
            if self.pending[d] == 0 {
                let fl = &self.flows[d];
                let t_rel = fl.start_s.max(self.last_dep[d] + fl.delay_s);
                self.schedule(d, t_rel);
            }
        }
    }

    /// Flow `f`'s bytes start moving at `t_act` (processed in the batch at `t`).
    fn activate(&mut self, f: usize, t: f64, t_act: f64) {
        let fl = &self.flows[f];
        if fl.bytes == 0.0 {
            self.finish_flow(f, t_act);
            return;
        }
        let c = self.class_of[f];
        let ci = c as usize;
        if self.n[ci] == 0 {
            // Start in the group of the route's tightest link by the bound
            // C_l / (W_l + φ); any link of the route is correct, a good
            // guess only saves moves in the next solve.
            let mut best = (f64::INFINITY, self.routes[ci][0].0);
            for &(l, phi) in self.routes[ci].iter() {
                let li = l as usize;
                let b = self.cap[li] / (self.weight[li] + phi);
                if b < best.0 {
                    best = (b, l);
                }
                if self.nclass[li] == 0 {
                    self.active_pos[li] = self.active_links.len() as u32;
                    self.active_links.push(l);
                }
                self.nclass[li] += 1;
                self.weight[li] += phi;
            }
            self.touch_route(ci);
            let g = best.1;
            self.advance(g as usize, t);
            self.group[ci] = g;
            self.base[ci] = -self.clock[g as usize];
            self.n[ci] = 1;
            self.groups.insert(g, c, &self.routes, 1.0);
            self.keys[ci].push(Reverse(Key::new(fl.bytes, f as u32)));
            self.push_class(c);
        } else {
            let g = self.group[ci] as usize;
            self.advance(g, t);
            let service = self.clock[g] + self.base[ci];
            self.keys[ci].push(Reverse(Key::new(service + fl.bytes, f as u32)));
            self.change_count(c, 1);
        }
        self.dirty = true;
    }

    /// After a class left group `g`: an empty group stops its clock (level 0)
    /// and restarts it from 0, so idle time never accumulates service and
    /// clocks stay small.
    fn group_left(&mut self, g: u32) {
        let gi = g as usize;
        if self.groups.size[gi] == 0 {
            self.lambda[gi] = 0.0;
            self.clock[gi] = 0.0;
            self.completions.remove(g);
        }
    }

    /// Moves class `c` into group `to` at time `t`, keeping its service.
    fn move_class(&mut self, c: u32, to: u32, t: f64) {
        let ci = c as usize;
        let from = self.group[ci];
        self.advance(from as usize, t);
        self.advance(to as usize, t);
        let n = self.n[ci] as f64;
        self.groups.remove(from, c, &self.routes, n);
        self.base[ci] += self.clock[from as usize] - self.clock[to as usize];
        self.group_left(from);
        self.group[ci] = to;
        self.groups.insert(to, c, &self.routes, n);
        self.push_class(c);
        self.stats.classes_moved += 1;
    }
}
