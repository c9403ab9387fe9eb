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
//! # Bookkeeping without touching every flow
//! Flows with identical routes form a *class* and always share one rate. A
//! class keeps its cumulative per-flow service `S_c(t) = ∫ r_c dt` [bytes];
//! a flow joining at time `t_j` gets the key `S_c(t_j) + B_f` and finishes
//! when `S_c` reaches its key (the virtual-time idea of fair queueing). A
//! rate change therefore touches one class, not its flows, and the next
//! completion of class `c` is `t + (min key − S_c(t)) / r_c`.
//!
//! # Incremental re-solve
//! Let `θ` be the smallest rate of a flow that finished in this batch, and for
//! each arriving flow `g` the lower bound `min_{l∈g} C_l / W_l` on its new rate,
//! where `W_l` is the total `n·φ` on `l` after the arrival (no link can
//! saturate below that level). Progressive filling is identical below `θ`
//! with and without those flows, so **every class whose rate is below `θ`
//! keeps its rate** and only the classes at or above `θ` are re-solved, on
//! the capacity the others leave. Classes are kept sorted by rate, so that set
//! is a suffix of the order found by the previous solve. A 1e-9 relative
//! margin on `θ` absorbs rounding.

use super::heap::IndexedHeap;
use super::maxmin::{Filler, RouteSlice, intern_routes};
use super::{Dependents, Flow, FlowError, dependents, validate};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Events whose times differ by at most this fraction of the time are
/// processed together (the same tolerance the reference oracle uses).
pub const TIME_REL_EPS: f64 = 1e-12;

/// Relative margin below `θ` when selecting the classes to re-solve.
const THETA_MARGIN: f64 = 1e-9;

/// Counters that make the engine's work visible without a profiler.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EngineStats {
    /// Event batches processed.
    pub events: u64,
    /// Max-min solves (one per batch that changed the active set).
    pub solves: u64,
    /// Sum over solves of the number of classes re-solved.
    pub classes_solved: u64,
    /// Distinct routes (classes) among all flows.
    pub route_classes: u64,
}

/// Result of [`simulate`], indexed like the input flows.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// When each flow was released (before its latency) [s].
    pub release_s: Vec<f64>,
    /// When each flow's last byte was delivered [s].
    pub finish_s: Vec<f64>,
    pub stats: EngineStats,
}

impl Outcome {
    /// Time the last flow finishes [s] (0 for no flows).
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
/// use fabricsim::flow::{simulate, Flow};
/// // One 1 GB/s link, two 1 MB flows from t=0: each gets 0.5 GB/s → 2 ms.
/// let flows = vec![Flow::on_path(&[0], 0.0, 1e6, 0.0); 2];
/// let out = simulate(&[1e9], &flows).unwrap();
/// assert!((out.finish_s[0] - 2e-3).abs() < 1e-15);
/// ```
pub fn simulate(capacity_bps: &[f64], flows: &[Flow]) -> Result<Outcome, FlowError> {
    validate(capacity_bps, flows)?;
    Ok(Engine::new(capacity_bps, flows, false).run().0)
}

/// One interval between events with the rates in force during it.
#[derive(Clone, Debug, PartialEq)]
pub struct RateInterval {
    /// Interval start [s].
    pub t0_s: f64,
    /// Interval end [s].
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
) -> Result<(Outcome, Vec<RateInterval>), FlowError> {
    validate(capacity_bps, flows)?;
    Ok(Engine::new(capacity_bps, flows, true).run())
}

/// Total order on `f64` for heaps.
#[derive(Clone, Copy, PartialEq)]
struct Key(f64, u32);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0).then(self.1.cmp(&o.1))
    }
}

struct Engine<'a> {
    cap: &'a [f64],
    flows: &'a [Flow],
    deps: Dependents,
    class_of: Vec<u32>,
    routes: Vec<Box<RouteSlice>>,
    // Per class.
    /// Flows currently in their bandwidth phase.
    n: Vec<u32>,
    /// `n` as of the last solve (what `load` accounts for).
    n_solved: Vec<u32>,
    /// Per-flow rate since `t_upd` [bytes/s].
    rate: Vec<f64>,
    /// Cumulative per-flow service at `t_upd` [bytes].
    service: Vec<f64>,
    t_upd: Vec<f64>,
    /// Member flows keyed by the service at which they finish.
    keys: Vec<BinaryHeap<Reverse<Key>>>,
    /// Position of the class in `members[l]` for each link of its route.
    slot: Vec<Box<[u32]>>,
    in_order: Vec<bool>,
    dirty_flag: Vec<bool>,
    // Per link.
    /// Active classes crossing the link.
    members: Vec<Vec<u32>>,
    /// `Σ n·φ` of active classes [flows].
    weight: Vec<f64>,
    /// `Σ n_solved·φ·rate` [bytes/s].
    load: Vec<f64>,
    // Global.
    order: Vec<u32>,
    dirty: Vec<u32>,
    theta: f64,
    completions: IndexedHeap,
    activations: BinaryHeap<Reverse<Key>>,
    pending: Vec<u32>,
    last_dep: Vec<f64>,
    release: Vec<f64>,
    finish: Vec<f64>,
    filler: Filler,
    new_rate: Vec<f64>,
    new_order: Vec<u32>,
    set: Vec<u32>,
    stats: EngineStats,
    /// Rate trace, when requested: the open interval's start and rates.
    trace: Option<(Vec<RateInterval>, f64, Vec<(u32, f64)>)>,
}

impl<'a> Engine<'a> {
    fn new(cap: &'a [f64], flows: &'a [Flow], traced: bool) -> Engine<'a> {
        let (class_of, routes) = intern_routes(flows.iter().map(|f| f.route.as_slice()));
        let nc = routes.len();
        let slot = routes
            .iter()
            .map(|r| vec![0u32; r.len()].into_boxed_slice())
            .collect();
        let mut e = Engine {
            cap,
            flows,
            deps: dependents(flows),
            class_of,
            n: vec![0; nc],
            n_solved: vec![0; nc],
            rate: vec![0.0; nc],
            service: vec![0.0; nc],
            t_upd: vec![0.0; nc],
            keys: (0..nc).map(|_| BinaryHeap::new()).collect(),
            slot,
            in_order: vec![false; nc],
            dirty_flag: vec![false; nc],
            routes,
            members: vec![Vec::new(); cap.len()],
            weight: vec![0.0; cap.len()],
            load: vec![0.0; cap.len()],
            order: Vec::new(),
            dirty: Vec::new(),
            theta: f64::INFINITY,
            completions: IndexedHeap::default(),
            activations: BinaryHeap::new(),
            pending: flows.iter().map(|f| f.deps.len() as u32).collect(),
            last_dep: vec![0.0; flows.len()],
            release: vec![f64::NAN; flows.len()],
            finish: vec![f64::NAN; flows.len()],
            filler: Filler::new(cap.len()),
            new_rate: vec![0.0; nc],
            new_order: Vec::new(),
            set: Vec::new(),
            stats: EngineStats {
                route_classes: nc as u64,
                ..EngineStats::default()
            },
            trace: traced.then(|| (Vec::new(), 0.0, Vec::new())),
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
        self.activations.push(Reverse(Key(t_act, f as u32)));
    }

    fn run(mut self) -> (Outcome, Vec<RateInterval>) {
        loop {
            let ta = self.activations.peek().map(|Reverse(k)| k.0);
            let tc = self.completions.peek().map(|(_, t)| t);
            let t = match (ta, tc) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some(c)) => c,
                (Some(a), Some(c)) => a.min(c),
            };
            let lim = t + t.abs() * TIME_REL_EPS;
            self.stats.events += 1;
            if let Some((done, t0, rates)) = &mut self.trace {
                if !rates.is_empty() && t > *t0 {
                    done.push(RateInterval {
                        t0_s: *t0,
                        t1_s: t,
                        rates: std::mem::take(rates),
                    });
                }
            }
            self.theta = f64::INFINITY;
            while let Some((c, tc)) = self.completions.peek() {
                if tc > lim {
                    break;
                }
                self.complete_class(c, t);
            }
            let mut joined = Vec::new();
            while let Some(&Reverse(Key(ta, f))) = self.activations.peek() {
                if ta > lim {
                    break;
                }
                self.activations.pop();
                self.activate(f as usize, t, ta, &mut joined);
            }
            for c in joined {
                let bound = self.routes[c as usize]
                    .iter()
                    .map(|&(l, _)| self.cap[l as usize] / self.weight[l as usize])
                    .fold(f64::INFINITY, f64::min);
                self.theta = self.theta.min(bound);
                if self.in_order[c as usize] {
                    self.theta = self.theta.min(self.rate[c as usize]);
                }
            }
            if !self.dirty.is_empty() {
                self.solve(t);
            }
            self.snapshot_rates(t);
        }
        let trace = self
            .trace
            .take()
            .map(|(done, _, _)| done)
            .unwrap_or_default();
        let out = Outcome {
            release_s: self.release,
            finish_s: self.finish,
            stats: self.stats,
        };
        (out, trace)
    }

    /// Records the rates in force from `t` on, if tracing.
    fn snapshot_rates(&mut self, t: f64) {
        let Some((_, t0, rates)) = &mut self.trace else {
            return;
        };
        *t0 = t;
        rates.clear();
        for &c in &self.order {
            for Reverse(Key(_, f)) in self.keys[c as usize].iter() {
                rates.push((*f, self.rate[c as usize]));
            }
        }
        rates.sort_unstable_by_key(|&(f, _)| f);
    }

    /// Brings class `c`'s service up to time `t` at its current rate.
    fn advance(&mut self, c: usize, t: f64) {
        self.service[c] += self.rate[c] * (t - self.t_upd[c]);
        self.t_upd[c] = t;
    }

    fn mark_dirty(&mut self, c: u32) {
        if !self.dirty_flag[c as usize] {
            self.dirty_flag[c as usize] = true;
            self.dirty.push(c);
        }
    }

    /// Finishes every flow of class `c` whose key has been reached at `t`.
    fn complete_class(&mut self, c: u32, t: f64) {
        let ci = c as usize;
        self.completions.remove(c);
        self.advance(ci, t);
        if let Some(Reverse(Key(k, _))) = self.keys[ci].peek() {
            // The event fired because the smallest key is due: snap to it.
            self.service[ci] = self.service[ci].max(*k);
        }
        self.theta = self.theta.min(self.rate[ci]);
        let lim = self.service[ci] + self.service[ci].abs() * TIME_REL_EPS;
        while let Some(&Reverse(Key(k, f))) = self.keys[ci].peek() {
            if k > lim {
                break;
            }
            self.keys[ci].pop();
            self.n[ci] -= 1;
            for &(l, phi) in self.routes[ci].iter() {
                self.weight[l as usize] -= phi;
            }
            self.finish_flow(f as usize, t);
        }
        if self.n[ci] == 0 {
            self.leave_links(c);
            self.service[ci] = 0.0;
        }
        self.mark_dirty(c);
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
    fn activate(&mut self, f: usize, t: f64, t_act: f64, joined: &mut Vec<u32>) {
        let fl = &self.flows[f];
        if fl.bytes == 0.0 {
            self.finish_flow(f, t_act);
            return;
        }
        let c = self.class_of[f];
        let ci = c as usize;
        if self.n[ci] == 0 {
            self.join_links(c);
            self.service[ci] = 0.0;
            self.t_upd[ci] = t;
        } else {
            self.advance(ci, t);
        }
        self.n[ci] += 1;
        for &(l, phi) in self.routes[ci].iter() {
            self.weight[l as usize] += phi;
        }
        let key = self.service[ci] + fl.bytes;
        self.keys[ci].push(Reverse(Key(key, f as u32)));
        joined.push(c);
        self.mark_dirty(c);
    }

    fn join_links(&mut self, c: u32) {
        let ci = c as usize;
        for (k, &(l, _)) in self.routes[ci].iter().enumerate() {
            let m = &mut self.members[l as usize];
            self.slot[ci][k] = m.len() as u32;
            m.push(c);
        }
    }

    fn leave_links(&mut self, c: u32) {
        let ci = c as usize;
        for k in 0..self.routes[ci].len() {
            let l = self.routes[ci][k].0 as usize;
            let pos = self.slot[ci][k] as usize;
            let m = &mut self.members[l];
            m.swap_remove(pos);
            if pos < m.len() {
                let moved = m[pos] as usize;
                let kk = self.routes[moved]
                    .iter()
                    .position(|&(l2, _)| l2 as usize == l)
                    .expect("moved class crosses the link");
                self.slot[moved][kk] = pos as u32;
            }
        }
    }

    /// Re-solves the classes whose rate is at or above `θ` (see module docs).
    fn solve(&mut self, t: f64) {
        self.stats.solves += 1;
        let theta = self.theta * (1.0 - THETA_MARGIN);
        let rate = &self.rate;
        let p = self.order.partition_point(|&c| rate[c as usize] < theta);
        self.set.clear();
        self.set.extend_from_slice(&self.order[p..]);
        for &c in &self.dirty {
            if !self.in_order[c as usize] {
                self.set.push(c);
            }
        }
        for &c in &self.dirty {
            self.dirty_flag[c as usize] = false;
        }
        self.dirty.clear();
        self.stats.classes_solved += self.set.len() as u64;

        // Take the re-solved classes' load off their links.
        for &c in &self.set {
            let ci = c as usize;
            let ns = self.n_solved[ci] as f64;
            if ns > 0.0 {
                for &(l, phi) in self.routes[ci].iter() {
                    self.load[l as usize] -= ns * phi * self.rate[ci];
                }
            }
        }
        self.filler.begin(self.routes.len(), &self.set);
        let whole = p == 0;
        for &c in &self.set {
            for &(l, _) in self.routes[c as usize].iter() {
                if self.filler.touch(l) {
                    let li = l as usize;
                    if whole || self.members[li].is_empty() {
                        // Nothing else loads the link: reset rounding drift.
                        self.load[li] = 0.0;
                    }
                    self.filler.rem[li] = (self.cap[li] - self.load[li]).max(0.0);
                }
            }
        }
        self.new_order.clear();
        let new_rate = &mut self.new_rate;
        let new_order = &mut self.new_order;
        self.filler
            .fill(&self.set, &self.routes, &self.n, &self.members, |c, r| {
                new_rate[c as usize] = r;
                new_order.push(c);
            });

        for k in 0..self.set.len() {
            let c = self.set[k];
            let ci = c as usize;
            self.in_order[ci] = false;
            if self.n[ci] == 0 {
                self.n_solved[ci] = 0;
                self.rate[ci] = 0.0;
                self.completions.remove(c);
                continue;
            }
            self.advance(ci, t);
            let r = self.new_rate[ci];
            self.rate[ci] = r;
            self.n_solved[ci] = self.n[ci];
            let nr = self.n[ci] as f64 * r;
            for &(l, phi) in self.routes[ci].iter() {
                self.load[l as usize] += nr * phi;
            }
            let Reverse(Key(kmin, _)) = *self.keys[ci].peek().expect("active class has flows");
            let t_done = t + (kmin - self.service[ci]).max(0.0) / r;
            self.completions.set(c, t_done);
        }
        self.order.truncate(p);
        for &c in &self.new_order {
            self.in_order[c as usize] = true;
        }
        self.order.extend_from_slice(&self.new_order);
    }
}
