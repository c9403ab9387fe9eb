//! Bulk-synchronous schedules of point-to-point transfers.
//!
//! # Semantics
//! A [`Schedule`] is a sequence of [`Step`]s. All transfers of a step start
//! together; the next step starts when every transfer of the previous one has
//! finished (a barrier per step, as in the textbook step counts of
//! semantics.md). A step with `repeat = r` is the same transfers `r` times in
//! a row. Because every repetition starts on an idle fabric, its duration is
//! the same each time, so the schedule's time is exactly
//! `Σ_steps repeat · T_step` — which lets an algorithm with thousands of
//! identical steps (ring) be simulated with one flow-engine run per distinct
//! step. `CollectiveSim::run_expanded` runs the same schedule as one flow
//! graph with explicit barrier dependencies, and the tests check both agree.

use crate::topology::NodeId;

/// One point-to-point transfer of `bytes` from `src` to `dst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transfer {
    pub src: NodeId,
    pub dst: NodeId,
    /// \[bytes\]
    pub bytes: f64,
}

/// Transfers that run concurrently, `repeat` times in a row.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Step {
    pub transfers: Vec<Transfer>,
    pub repeat: u32,
    /// The step's per-step latency α is hidden behind the previous step's
    /// transfers (steady state of a pipeline), so its transfers do not pay it.
    pub overlapped: bool,
}

/// A collective as bulk-synchronous steps (see the module docs).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schedule {
    pub steps: Vec<Step>,
}

impl Schedule {
    /// Appends a step (ignored when empty or repeated 0 times).
    pub fn push(&mut self, transfers: Vec<Transfer>, repeat: u32) {
        self.push_step(transfers, repeat, false);
    }

    /// Appends a step whose α may be `overlapped` (see [`Step::overlapped`]).
    pub fn push_step(&mut self, transfers: Vec<Transfer>, repeat: u32, overlapped: bool) {
        if !transfers.is_empty() && repeat > 0 {
            self.steps.push(Step {
                transfers,
                repeat,
                overlapped,
            });
        }
    }

    /// Appends every step of `other`.
    pub fn extend(&mut self, other: Schedule) {
        self.steps.extend(other.steps);
    }

    /// Bytes sent by each node over the whole schedule.
    pub fn bytes_sent(&self, node: NodeId) -> f64 {
        self.steps
            .iter()
            .map(|s| {
                s.repeat as f64
                    * s.transfers
                        .iter()
                        .filter(|t| t.src == node)
                        .map(|t| t.bytes)
                        .sum::<f64>()
            })
            .sum()
    }

    /// Bytes received by each node over the whole schedule.
    pub fn bytes_received(&self, node: NodeId) -> f64 {
        self.steps
            .iter()
            .map(|s| {
                s.repeat as f64
                    * s.transfers
                        .iter()
                        .filter(|t| t.dst == node)
                        .map(|t| t.bytes)
                        .sum::<f64>()
            })
            .sum()
    }

    /// Number of steps, counting repetitions.
    pub fn step_count(&self) -> u64 {
        self.steps.iter().map(|s| s.repeat as u64).sum()
    }
}
