//! The flow-level network model: exact, event-driven, max-min fair.
//!
//! This module knows nothing about files, TOML, JSON or topologies: it takes
//! link capacities and flows with routes, and returns finish times. Input is
//! checked once by [`validate`]; after that the simulation cannot fail.
//!
//! # Model (the contract in `docs/flow-model.md`)
//! - Flow `f` is *released* at `t_rel(f) = max(start_f, max_{d ∈ deps_f} finish_d + delay_f)`
//!   (just `start_f` without dependencies).
//! - It first waits its route latency `L_f`, then its bytes enter the network
//!   at `a_f = t_rel(f) + L_f`.
//! - From `a_f` on, its rate is its max-min fair share ([`max_min_rates`]),
//!   recomputed at every activation and completion and constant in between.
//! - It finishes at the instant its `B_f`-th byte is delivered:
//!   `∫_{a_f}^{finish_f} r_f(t) dt = B_f`. A zero-byte flow finishes at `a_f`.
//!
//! See [`engine`] for how the event loop stays incremental.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod budget;
pub mod engine;
mod groups;
mod heap;
mod key;
pub mod maxmin;
mod routes;

pub use budget::{Budget, BudgetExceeded};
pub use engine::{Completion, EngineStats, simulate, simulate_within};
pub use maxmin::max_min_rates;

/// One flow of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Directed links crossed, as `(link index, fraction of the flow's rate)`.
    /// A single path has fraction 1 on each link; a sprayed flow has
    /// fractions below 1 on its parallel links.
    pub route: Vec<(u32, f64)>,
    /// Latency between release and the first byte moving \[s\].
    pub latency_s: f64,
    /// Bytes to deliver \[bytes\].
    pub bytes: f64,
    /// Earliest release time \[s\].
    pub start_s: f64,
    /// Flows (indices) that must finish before this one is released.
    pub deps: Vec<u32>,
    /// Delay after the last dependency finishes \[s\].
    pub delay_s: f64,
}

impl Flow {
    /// A flow on a single path with no dependencies.
    pub fn on_path(links: &[u32], latency_s: f64, bytes: f64, start_s: f64) -> Flow {
        Flow {
            route: links.iter().map(|&l| (l, 1.0)).collect(),
            latency_s,
            bytes,
            start_s,
            deps: Vec::new(),
            delay_s: 0.0,
        }
    }
}

/// Invalid input to the flow model.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FlowError {
    /// A link capacity is zero, negative, NaN or infinite.
    #[error("link {link}: capacity must be a positive finite number of bytes/s, got {value}")]
    BadCapacity {
        /// Index of the link in `capacity_bps`.
        link: usize,
        /// The capacity given \[bytes/s\].
        value: f64,
    },
    /// A flow crosses no link.
    #[error("flow {flow}: route is empty")]
    EmptyRoute {
        /// Index of the flow.
        flow: usize,
    },
    /// A route names a link index past the end of `capacity_bps`.
    #[error("flow {flow}: route names link {link}, but there are only {n_links} links")]
    UnknownLink {
        /// Index of the flow.
        flow: usize,
        /// The link index named.
        link: u32,
        /// Number of links in `capacity_bps`.
        n_links: usize,
    },
    /// A route lists the same link more than once.
    #[error("flow {flow}: route crosses link {link} twice")]
    RepeatedLink {
        /// Index of the flow.
        flow: usize,
        /// The repeated link index.
        link: u32,
    },
    /// A route fraction lies outside (0, 1].
    #[error("flow {flow}: fraction on link {link} must be in (0, 1], got {value}")]
    BadFraction {
        /// Index of the flow.
        flow: usize,
        /// The link the fraction applies to.
        link: u32,
        /// The fraction given.
        value: f64,
    },
    /// A latency, size, start or delay is negative, NaN or infinite.
    #[error("flow {flow}: {field} must be a non-negative finite number, got {value}")]
    BadValue {
        /// Index of the flow.
        flow: usize,
        /// Which value: `"latency"`, `"bytes"`, `"start"` or `"delay"`.
        field: &'static str,
        /// The value given (seconds or bytes, per `field`).
        value: f64,
    },
    /// A dependency names a flow index past the end of the flows.
    #[error("flow {flow}: depends on flow {dep}, which does not exist")]
    UnknownDep {
        /// Index of the flow.
        flow: usize,
        /// The dependency index named.
        dep: u32,
    },
    /// Dependencies form a cycle, so some flows would never be released.
    #[error("flow {flow}: dependencies form a cycle, so it can never start")]
    Cycle {
        /// A flow that lies on the cycle.
        flow: usize,
    },
    /// The makespan bound exceeds [`MAX_TIME_BOUND_S`] (or is NaN).
    #[error(
        "times could exceed the range of a 64-bit float (bound {bound_s:e} s); \
         use smaller sizes, delays or starts, or larger capacities"
    )]
    TooLarge {
        /// Upper bound on the makespan \[s\]:
        /// `max_f start_f + Σ_f (latency_f + delay_f + B_f · N / C_min)`.
        bound_s: f64,
    },
    /// Not an input error: the simulation was stopped by its [`Budget`].
    #[error(transparent)]
    Budget(#[from] BudgetExceeded),
}

/// Largest makespan bound accepted by [`validate`] \[s\]: far beyond any real
/// scenario, far below `f64::MAX`, so no time can overflow.
pub const MAX_TIME_BOUND_S: f64 = 1e280;

/// Checks every precondition of [`simulate`]; returns the first problem found.
pub fn validate(capacity_bps: &[f64], flows: &[Flow]) -> Result<(), FlowError> {
    for (link, &value) in capacity_bps.iter().enumerate() {
        if !(value.is_finite() && value > 0.0) {
            return Err(FlowError::BadCapacity { link, value });
        }
    }
    let n_links = capacity_bps.len();
    let mut seen = vec![u32::MAX; n_links];
    for (flow, f) in flows.iter().enumerate() {
        if f.route.is_empty() {
            return Err(FlowError::EmptyRoute { flow });
        }
        for &(link, frac) in &f.route {
            if link as usize >= n_links {
                return Err(FlowError::UnknownLink {
                    flow,
                    link,
                    n_links,
                });
            }
            if seen[link as usize] == flow as u32 {
                return Err(FlowError::RepeatedLink { flow, link });
            }
            seen[link as usize] = flow as u32;
            if !(frac > 0.0 && frac <= 1.0) {
                return Err(FlowError::BadFraction {
                    flow,
                    link,
                    value: frac,
                });
            }
        }
        for (field, value) in [
            ("latency", f.latency_s),
            ("bytes", f.bytes),
            ("start", f.start_s),
            ("delay", f.delay_s),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(FlowError::BadValue { flow, field, value });
            }
        }
        for &dep in &f.deps {
            if dep as usize >= flows.len() {
                return Err(FlowError::UnknownDep { flow, dep });
            }
        }
    }
    if let Some(flow) = find_cycle(flows) {
        return Err(FlowError::Cycle { flow });
    }
    let bound_s = makespan_bound_s(capacity_bps, flows);
    if bound_s.is_nan() || bound_s > MAX_TIME_BOUND_S {
        return Err(FlowError::TooLarge { bound_s });
    }
    Ok(())
}

/// An upper bound on the makespan \[s\], so that inputs that could overflow are
/// refused up front.
///
/// While a flow moves, its rate is at least `min_l C_l / W_l ≥ C_min / N`
/// (no link saturates below that level, and `W_l ≤ N` since fractions are at
/// most 1). The longest chain of dependencies is at most all flows, so
/// `makespan ≤ max_f start_f + Σ_f (latency_f + delay_f + B_f · N / C_min)`.
fn makespan_bound_s(capacity_bps: &[f64], flows: &[Flow]) -> f64 {
    let c_min = capacity_bps.iter().copied().fold(f64::INFINITY, f64::min);
    let n = flows.len() as f64;
    let start = flows.iter().map(|f| f.start_s).fold(0.0, f64::max);
    flows.iter().fold(start, |acc, f| {
        acc + f.latency_s + f.delay_s + f.bytes / c_min * n
    })
}

/// Kahn's algorithm; if some flows are never released, returns one that lies
/// on a dependency cycle (not merely downstream of one).
fn find_cycle(flows: &[Flow]) -> Option<usize> {
    let mut pending: Vec<usize> = flows.iter().map(|f| f.deps.len()).collect();
    let dependents = dependents(flows);
    let mut ready: Vec<usize> = (0..flows.len()).filter(|&i| pending[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for &d in dependents.of(i) {
            pending[d as usize] -= 1;
            if pending[d as usize] == 0 {
                ready.push(d as usize);
            }
        }
    }
    if done == flows.len() {
        return None;
    }
    // Every blocked flow has a blocked dependency; walking blocked
    // dependencies must revisit a flow, and that flow is on a cycle.
    let mut seen = vec![false; flows.len()];
    let mut f = pending.iter().position(|&p| p > 0)?;
    while !seen[f] {
        seen[f] = true;
        f = flows[f]
            .deps
            .iter()
            .map(|&d| d as usize)
            .find(|&d| pending[d] > 0)?;
    }
    Some(f)
}

/// Reverse dependency lists in compressed form.
pub(crate) struct Dependents {
    start: Vec<u32>,
    list: Vec<u32>,
}

impl Dependents {
    pub(crate) fn of(&self, f: usize) -> &[u32] {
        &self.list[self.start[f] as usize..self.start[f + 1] as usize]
    }
}

pub(crate) fn dependents(flows: &[Flow]) -> Dependents {
    let mut start = vec![0u32; flows.len() + 1];
    for f in flows {
        for &d in &f.deps {
            start[d as usize + 1] += 1;
        }
    }
    for i in 0..flows.len() {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut list = vec![0u32; start[flows.len()] as usize];
    for (i, f) in flows.iter().enumerate() {
        for &d in &f.deps {
            list[fill[d as usize] as usize] = i as u32;
            fill[d as usize] += 1;
        }
    }
    Dependents { start, list }
}
