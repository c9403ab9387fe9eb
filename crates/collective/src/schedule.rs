//! Bulk-synchronous schedules of point-to-point transfers.
//!
//! # Semantics
//! A [`Schedule`] is a sequence of [`Step`]s. All transfers of a step start
//! together; the next step starts when every transfer of the previous one has
//! finished (a barrier per step, as in the textbook step counts of
//! docs/semantics.md). A step with `repeat = r` is the same transfers `r` times in
//! a row. Because every repetition starts on an idle fabric, its duration is
//! the same each time, so the schedule's time is exactly
//! `Σ_steps repeat · T_step` — which lets an algorithm with thousands of
//! identical steps (ring) be simulated with one flow-engine run per distinct
//! step. `CollectiveSim::run_expanded` runs the same schedule as one flow
//! graph with explicit barrier dependencies, and the tests check both agree.

use crate::Protocol;
pub use crate::transfers::{Transfer, Transfers};
use fabricsim_topology::NodeId;

/// How a step's transfers pay the per-step latency α (`presets.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StepLatency {
    /// Every transfer pays the α of the link technologies on its own route.
    #[default]
    EachTransfer,
    /// A ring step of a pipelined (dataflow) ring: every transfer pays the
    /// *mean* α of the step's transfers. In a ring each rank forwards data as
    /// soon as it arrives (no barrier across ranks), so a piece of data pays
    /// the α of the hops it crosses, one hop per step; over the `k` steps of
    /// a ring algorithm on `n` ranks it crosses `k` consecutive ring hops,
    /// each hop ≈ `k/n` times, so its latency is `k · mean_hop α`. This is
    /// NCCL's ring latency `(nsteps − nInterSteps)·intraLat +
    /// nInterSteps·interLat` (`tuning.cc`, docs/sources.md [S-nccl-tuning-cc]), with `nInterSteps/nsteps` the
    /// fraction of the ring's hops that leave a node. A bulk-synchronous
    /// step would instead make every step pay its slowest hop's α.
    RingMean,
    /// α and the route's propagation latency are hidden behind the previous
    /// step's transfers (steady state of a pipeline: the next chunk is
    /// already in flight), so the transfers pay neither.
    Hidden,
    /// A pipeline fill slot (a window of stages `lo..=hi`,
    /// [`crate::tree::pipeline_stages`]): the transfers of the last stage
    /// `hi`, where the first chunk arrives, pay their α and route latency as
    /// [`Self::EachTransfer`]; those of the earlier stages carry later
    /// chunks, each behind the chunk that crossed the same stage one slot
    /// before, and pay neither, as in [`Self::Hidden`]. So the first chunk
    /// pays `Σ_h α_h` over its path and no chunk pays a stage's α twice. A
    /// step whose transfers are not a window pays as
    /// [`Self::EachTransfer`].
    Front,
}

/// Transfers that run concurrently, `repeat` times in a row.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The transfers, started together.
    pub transfers: Transfers,
    /// Times the step runs in a row (each after a barrier).
    pub repeat: u32,
    /// How the transfers pay the per-step latency α.
    pub latency: StepLatency,
    /// Whether transfers between scale-up domains relay through the
    /// rail-aligned accelerator of the source's domain, as NCCL's PXN does
    /// for point-to-point sends (`super::pxn`; docs/sources.md [S-nccl-env]).
    pub pxn: bool,
    /// The protocol the transfers use: it sets their α
    /// ([`crate::presets::protocol_step_s`]); transfers to or from a
    /// reducing switch always run NVLS/SHARP's own (Simple) protocol.
    pub protocol: Protocol,
    /// Fraction of the link bandwidth the protocol's payload gets
    /// ([`crate::presets::protocol_bandwidth_fraction`]): a transfer of `b`
    /// bytes is simulated as `b / fraction` bytes on the wire.
    pub bandwidth_fraction: f64,
    /// What the step's repetitions do, in order, for timelines: each
    /// [`Phase`] names `repeat` consecutive repetitions, and the counts add
    /// up to [`Step::repeat`] (a ring all-reduce's one step is `n−1`
    /// repetitions of reduce-scatter, then `n−1` of all-gather). Empty when
    /// unnamed. Labels only: the simulation never reads them.
    pub phases: Vec<Phase>,
}

/// A named run of consecutive repetitions of a [`Step`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phase {
    /// What the repetitions do: `reduce-scatter`, `pipeline fill`, ...
    pub name: &'static str,
    /// How many repetitions \[steps\].
    pub repeat: u32,
}

impl Default for Step {
    fn default() -> Step {
        Step {
            transfers: Transfers::default(),
            repeat: 0,
            latency: StepLatency::default(),
            pxn: false,
            protocol: Protocol::Simple,
            bandwidth_fraction: 1.0,
            phases: Vec::new(),
        }
    }
}

/// A collective as bulk-synchronous steps (see the module docs).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schedule {
    /// The steps, in order, separated by barriers.
    pub steps: Vec<Step>,
}

impl Schedule {
    /// Appends a step (ignored when empty or repeated 0 times).
    pub fn push(&mut self, transfers: Vec<Transfer>, repeat: u32) {
        self.push_step(transfers, repeat, StepLatency::EachTransfer);
    }

    /// Appends a step whose transfers pay α as `latency` says.
    pub fn push_step(
        &mut self,
        transfers: impl Into<Transfers>,
        repeat: u32,
        latency: StepLatency,
    ) {
        let transfers = transfers.into();
        if !transfers.is_empty() && repeat > 0 {
            self.steps.push(Step {
                transfers,
                repeat,
                latency,
                ..Step::default()
            });
        }
    }

    /// Names the repetitions of the last step: `phases` as `(name, count)`,
    /// the counts adding up to its `repeat` (otherwise the step stays
    /// unnamed, as it does when there is no step).
    pub fn name_last(&mut self, phases: &[(&'static str, u32)]) {
        if let Some(step) = self.steps.last_mut()
            && phases.iter().map(|p| p.1 as u64).sum::<u64>() == step.repeat as u64
        {
            step.phases = phases
                .iter()
                .map(|&(name, repeat)| Phase { name, repeat })
                .collect();
        }
    }

    /// Names every unnamed step from index `from` on: all its repetitions
    /// are `name`.
    pub fn name_from(&mut self, from: usize, name: &'static str) {
        for step in self.steps.iter_mut().skip(from) {
            if step.phases.is_empty() {
                step.phases = vec![Phase {
                    name,
                    repeat: step.repeat,
                }];
            }
        }
    }

    /// Appends a step of point-to-point sends that relay between domains as
    /// NCCL's PXN does ([`Step::pxn`]; docs/sources.md [S-nccl-env]); they
    /// pay α as `EachTransfer`.
    pub fn push_pxn(&mut self, transfers: Vec<Transfer>, repeat: u32) {
        let before = self.steps.len();
        self.push(transfers, repeat);
        if self.steps.len() > before {
            self.steps[before].pxn = true;
        }
    }

    /// The schedules of concurrent groups as one: step `k` of the result
    /// holds step `k` of every part, so the groups' transfers share the
    /// fabric. `None` unless every part has the same steps (count, repeat,
    /// latency rule, relaying), which holds for groups of the same size and shape
    /// running the same algorithm. Pipelines stay pipelines: where every
    /// part's step `k` is the same window of stages, the result's is that
    /// window of the parts' stages merged stage by stage
    /// ([`Transfers::concat`]: transfers in stage order, then part order),
    /// so a fill slot's last stage ([`StepLatency::Front`]) is every
    /// group's; also `None` when a fill slot's parts cannot be merged so.
    pub fn merge(parts: Vec<Schedule>) -> Option<Schedule> {
        if parts.len() == 1 {
            return parts.into_iter().next();
        }
        let first = parts.first()?;
        if parts.iter().any(|p| {
            p.steps.len() != first.steps.len()
                || p.steps.iter().zip(&first.steps).any(|(a, b)| {
                    a.repeat != b.repeat
                        || a.latency != b.latency
                        || a.pxn != b.pxn
                        || a.protocol != b.protocol
                        || a.bandwidth_fraction != b.bandwidth_fraction
                })
        }) {
            return None;
        }
        let mut merged = crate::transfers::MergedStages::default();
        let mut steps: Vec<std::vec::IntoIter<Step>> =
            parts.into_iter().map(|p| p.steps.into_iter()).collect();
        let mut out = Schedule::default();
        while let Some(mut step) = steps[0].next() {
            let rest: Vec<Step> = steps[1..].iter_mut().filter_map(Iterator::next).collect();
            let mut lists = vec![std::mem::take(&mut step.transfers)];
            lists.extend(rest.into_iter().map(|s| s.transfers));
            step.transfers = Transfers::concat(lists, &mut merged);
            // Merged into one plain list, a fill slot's transfers would
            // all pay latency, not only the last stage's.
            if step.latency == StepLatency::Front && step.transfers.as_window().is_none() {
                return None;
            }
            out.steps.push(step);
        }
        Some(out)
    }

    /// Runs every step with `protocol` at `bandwidth_fraction` of the link
    /// bandwidth ([`Step::protocol`]).
    pub fn set_protocol(&mut self, protocol: Protocol, bandwidth_fraction: f64) {
        for s in &mut self.steps {
            s.protocol = protocol;
            s.bandwidth_fraction = bandwidth_fraction;
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
