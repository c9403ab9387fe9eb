//! One training iteration on a topology: simulate every collective with all
//! groups of its kind at once, then compose compute, pipeline bubble and
//! the communication that overlap does not hide.
//!
//! # Compute
//! FLOPs per token `F_tok = 6·N_act + 12·L·h·s` (Chowdhery et al., PaLM,
//! 2022, Appendix B: model FLOPs, no recomputation), `N_act` the parameters
//! a token uses ([`super::traffic::active_parameters`]). With a peak
//! `R` \[FLOP/s\] and kernel efficiency `mfu`, the forward + backward time of
//! one micro-batch on one pipeline stage is
//! `t_mb = F_tok · (global_batch·s) / (world · R · mfu · m)` (the work
//! spread evenly); with `layer_time`, `t_mb = layer_time · ⌈L/p⌉` (the
//! fullest stage). `mfu` is the efficiency of the
//! computation itself; the end-to-end MFU fabricsim reports,
//! `F_tok · tokens / (world · R · T_iter)`, includes the bubble and the
//! exposed communication.
//!
//! With full recomputation (`[training] recompute = "full"`) every
//! micro-batch reruns its forward pass in the backward pass, so `t_mb` is
//! multiplied by `1 + ⅓ = 4/3` (the forward is `2N` of the `6N` FLOPs per
//! token; Korthikanti et al. 2022, §5); the FLOPs of the MFU stay the model
//! FLOPs. Selective recomputation (the attention core, which FlashAttention
//! recomputes anyway) is not charged: `efficiency` is measured against
//! model FLOPs by runs that use it.
//!
//! # Composition
//! Per micro-batch, the TP, CP, EP and PP collectives are on the critical
//! path: those of kinds marked to overlap hide behind `t_mb` up to its
//! length, the others add. `t_step = t_mb + exposed_mb` with
//! `exposed_mb = Σ_no-overlap T_k + max(0, Σ_overlap T_k − t_mb)`. The
//! pipeline takes `(m + β) · t_step`, of which `β · t_step` is the bubble,
//! by schedule ([`bubble_steps`]):
//! - `1f1b` (Narayanan et al. 2021, §2.2): `β = p − 1`;
//! - `interleaved` with `v` virtual stages (ibid. §2.2.2): `β = (p−1)/v`;
//!   each micro-batch crosses every pipeline rank `v` times, so the PP
//!   sends per micro-batch are `v` each way ([`super::traffic`]);
//! - `zero-bubble`, ZB-H1 (Qi et al. 2023, §3.1): the backward pass is
//!   split into the input gradient `B` and the weight gradient `W`, and `W`
//!   passes fill the cool-down, leaving a bubble of
//!   `(p−1)·(T_F + T_B − T_W)`; with `T_B = T_W` (each half of the
//!   backward's `4N` FLOPs per token, the paper's own assumption) that is
//!   `(p−1)·T_F`, so `β = (p−1)/3` (a third of 1F1B's), at 1F1B's memory.
//!
//! Data-parallel communication follows the last micro-batch. With DP
//! overlap it runs as Megatron-Core's `overlap_grad_reduce` does (its
//! distributed-data-parallel buckets: a bucket's collective starts as soon
//! as the backward pass has produced its gradients): the `n` DP calls of
//! the iteration (buckets, all phases) are issued in order while the last
//! micro-batch's backward pass (`W = ⅔·t_mb`: backward is `4N` of the `6N`
//! FLOPs per token, Kaplan et al. 2020 §2.1; plus the rerun forward with
//! full recomputation) produces the gradients evenly, call `k` ready at
//! `k·W/n`; calls run one at a time, each `T_dp/n`. The last call ends
//! `max(T_dp/n, T_dp − W·(n−1)/n)` after the backward pass: only the last
//! bucket is exposed when communication keeps up, otherwise everything the
//! backward pass cannot hide. ZeRO's parameter all-gathers are counted in
//! the same stream (Megatron-Core overlaps them with the next forward,
//! `overlap_param_gather`, a window of the same order).
//! `T_iter = (m + β) · t_step + exposed_dp`, reported as compute
//! `m·t_mb` + exposed communication `m·exposed_mb + exposed_dp` + bubble
//! `β · t_step` (the bubble's own share of communication counted in the
//! bubble), so the three add up to the total.

use super::job::{Compute, Dim, Job, PipelineSchedule, Recompute};
use super::memory::{self, MemoryReport};
use super::placement::{Placement, PlacementError, place};
use super::traffic::{Collective, Groups, Kind, active_parameters, collectives};
use fabricsim_collective::run::{Request, Selection, run_groups_with_report};
use fabricsim_collective::sim::Bottleneck;
use fabricsim_collective::{
    Algo, CollectiveError, CollectiveSim, Params, Protocol, Schedule, Transfer,
};
use fabricsim_topology::{NodeId, Topology};
use serde::Serialize;

/// Fraction of a micro-batch's forward + backward time spent in the
/// backward pass: `4N / 6N` FLOPs per token (Kaplan et al. 2020, §2.1).
pub const BACKWARD_SHARE: f64 = 2.0 / 3.0;

/// Compute of a micro-batch with full recomputation relative to without:
/// the forward pass (`1 − BACKWARD_SHARE` of it) runs twice.
pub const FULL_RECOMPUTE_FACTOR: f64 = 2.0 - BACKWARD_SHARE;

/// The bubble `β` of the job's pipeline schedule, in steps of one
/// micro-batch (module docs): `p−1` (1F1B), `(p−1)/v` (interleaved),
/// `(p−1)·(1 − BACKWARD_SHARE) = (p−1)/3` (ZB-H1); 0 without a pipeline.
pub fn bubble_steps(job: &Job) -> f64 {
    let par = &job.parallelism;
    let p1 = par.pp as f64 - 1.0;
    match par.schedule {
        PipelineSchedule::OneFOneB => p1,
        PipelineSchedule::Interleaved => p1 / par.virtual_stages.max(1) as f64,
        PipelineSchedule::ZeroBubble => p1 * (1.0 - BACKWARD_SHARE),
    }
}

/// Exposed DP time after the last backward pass (module docs): `T_dp`
/// without overlap; with it, `n` calls in order behind a backward pass of
/// `window` seconds, `max(T_dp/n, T_dp − window·(n−1)/n)`.
pub fn exposed_dp(dp_time: f64, calls: u64, window: f64, overlap: bool) -> f64 {
    if !overlap || calls == 0 {
        return dp_time;
    }
    let n = calls as f64;
    (dp_time / n).max(dp_time - window * (n - 1.0) / n)
}

/// Why a job cannot be simulated on a topology.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The job does not fit the topology.
    #[error(transparent)]
    Placement(#[from] PlacementError),
    /// One of the iteration's collectives could not be simulated.
    #[error("{kind} {op}: {source}")]
    Collective {
        /// The communication kind, e.g. `tp` ([`Kind::name`]).
        kind: &'static str,
        /// The operation, e.g. `all-reduce` ([`fabricsim_collective::Op::name`]).
        op: &'static str,
        /// Why it failed.
        source: CollectiveError,
    },
    /// The job takes its peak from the topology's accelerator, which the
    /// topology does not name or which lacks the data type.
    #[error("{0}")]
    NoPeak(String),
    /// A kind's call count exceeds [`MAX_CALLS`] (counts multiply layers,
    /// micro-batches and buckets; they are never saturated silently).
    #[error(
        "{kind} {op}: the iteration would make {calls} calls, more than the {max} a count may hold exactly; \
         the job's layers, micro-batches or DP buckets are too many"
    )]
    TooManyCalls {
        /// The communication kind.
        kind: &'static str,
        /// The operation.
        op: &'static str,
        /// The count (a lower bound when it overflowed).
        calls: String,
        /// [`MAX_CALLS`].
        max: u64,
    },
    /// A result is not a finite number: never printed or written.
    #[error(
        "the iteration's {what} is not a finite number; the job's sizes are too large for a result"
    )]
    NotFinite {
        /// Which result.
        what: String,
    },
}

/// How the job's compute time was obtained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComputeUsed {
    /// Peak dense throughput per accelerator \[TFLOP/s\] (`None` for a
    /// per-layer time).
    pub peak_tflops: Option<f64>,
    /// The fraction of the peak achieved (`efficiency` or `mfu`).
    pub efficiency: Option<f64>,
    /// The data type whose peak applies (`None` when the job file gives the peak).
    pub dtype: Option<&'static str>,
    /// Where the peak comes from: `accelerator` (the topology's preset),
    /// `job` (the job file's `tflops_per_accelerator`, an override) or
    /// `layer_time` (no peak: the job file's per-layer time).
    pub peak_from: &'static str,
    /// The topology's accelerator part, if it names one.
    pub accelerator: Option<&'static str>,
    /// Compute speed under the topology's power cap relative to uncapped
    /// (`[power] accelerator_cap_w`; absent without a cap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power_cap_speed: Option<f64>,
}

/// The per-accelerator throughput a job computes at \[FLOP/s\] (peak ×
/// fraction achieved; `None` for a per-layer time), with its provenance.
pub fn compute_rate(job: &Job, topo: &Topology) -> Result<(Option<f64>, ComputeUsed), JobError> {
    let part = topo.accelerator;
    let power_cap_speed = topo
        .power
        .accelerator_cap_w
        .map(|_| fabricsim_topology::power::compute_speed(topo));
    let used = |peak: Option<f64>, eff: Option<f64>, dtype, from| ComputeUsed {
        peak_tflops: peak.map(|p| p / 1e12),
        efficiency: eff,
        dtype,
        peak_from: from,
        accelerator: part.map(|a| a.title),
        power_cap_speed,
    };
    match job.compute {
        Compute::Peak { flops_per_s, mfu } => Ok((
            Some(flops_per_s * mfu),
            used(Some(flops_per_s), Some(mfu), None, "job"),
        )),
        Compute::Efficiency { efficiency, dtype } => {
            let Some(a) = part else {
                return Err(JobError::NoPeak(format!(
                    "the job takes its peak from the topology's accelerator, and {} names none (add accelerator = \"h100-sxm\" or another preset to the topology, or give tflops_per_accelerator and mfu in the job)",
                    topo.name
                )));
            };
            let Some(peak) = a.peak_flops(dtype) else {
                return Err(JobError::NoPeak(format!(
                    "{} has no {} tensor peak (choose another [compute] dtype)",
                    a.title,
                    dtype.name()
                )));
            };
            Ok((
                Some(peak * efficiency),
                used(
                    Some(peak),
                    Some(efficiency),
                    Some(dtype.name()),
                    "accelerator",
                ),
            ))
        }
        Compute::PerLayer { .. } => Ok((None, used(None, None, None, "layer_time"))),
    }
}

/// Most calls of one kind in an iteration: 2⁵³, so that every count is
/// exact as an `f64` (times are `count × call time`).
pub const MAX_CALLS: u64 = 1 << 53;

/// One collective of the iteration, simulated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindReport {
    /// The communication kind.
    pub kind: Kind,
    /// Operation name (`all-reduce`, ...).
    pub collective: &'static str,
    /// For pipeline sends: `forward` (activations to the next stage) or
    /// `backward` (gradients to the previous one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    /// The algorithm that ran (`direct` for pipeline sends).
    pub algorithm: Algo,
    /// The protocol that ran (`Simple` for pipeline sends).
    pub protocol: Protocol,
    /// How they were chosen: `nccl-model` or `rccl-model` (the library's
    /// cost model), `fastest-simulated` (no library model covers the
    /// communicator), `point-to-point` (all-to-all, `direct`), `requested`
    /// (pipeline sends: always `direct`).
    pub selection: Selection,
    /// Ranks per group (2 for pipeline neighbour pairs).
    pub group_size: usize,
    /// Concurrent groups in the simulation.
    pub groups: usize,
    /// Calls per iteration on one rank's critical path.
    pub count: u64,
    /// nccl-tests size of one call \[bytes\].
    pub bytes: f64,
    /// One call, all groups together \[s\].
    pub call_time_s: f64,
    /// `count · call_time_s` \[s\].
    pub time_s: f64,
    /// The part of `time_s` that overlap does not hide, outside the bubble
    /// \[s\]; summed over kinds it is [`Totals::exposed_comm_time_s`].
    pub exposed_s: f64,
    /// The most utilized link of one call, if any link carried bytes.
    pub bottleneck: Option<Bottleneck>,
    /// The formula of `bytes` and `count`.
    pub formula: String,
}

/// Iteration totals \[s\].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    /// Every collective's time on one rank's critical path, summed.
    pub comm_time_s: f64,
    /// The part of it that overlap does not hide, outside the bubble.
    pub exposed_comm_time_s: f64,
    /// `m · t_mb`.
    pub compute_time_s: f64,
    /// Pipeline fill and drain.
    pub bubble_s: f64,
    /// `T_iter = (m + (p−1)/v) · t_step + exposed_dp`: compute + exposed
    /// communication + bubble.
    pub total_time_s: f64,
    /// `global_batch · seq_len / T_iter` \[tokens/s\].
    pub tokens_per_s: f64,
    /// End-to-end model FLOPs utilization (`None` with `layer_time`).
    pub mfu: Option<f64>,
}

/// The result of `fabricsim job`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobReport {
    /// Name of the topology.
    pub topology: String,
    /// Name of the job.
    pub job: String,
    /// How the compute time was obtained (peak, fraction, provenance).
    pub compute: ComputeUsed,
    /// The accelerators the job ran on.
    pub accelerators: AcceleratorUse,
    /// Iteration totals.
    pub iteration: Totals,
    /// The pipeline schedule (`1f1b`, `interleaved`, `zero-bubble`).
    pub schedule: &'static str,
    /// Micro-batches per pipeline per iteration.
    pub micro_batches: u32,
    /// Memory per accelerator against the accelerator's HBM.
    pub memory: MemoryReport,
    /// One report per collective of the iteration.
    pub by_kind: Vec<KindReport>,
    /// The NCCL release whose cost model chose each collective's algorithm
    /// and protocol (`--nccl`; 2.20.3 when not given).
    pub nccl_release: fabricsim_collective::release::NcclVersion,
    /// The RCCL release whose cost model chose instead, when it chose any
    /// of the collectives (AMD Instinct GPUs it covers, communicators on
    /// xGMI: [`fabricsim_collective::tuning::rccl`]).
    pub rccl_release: Option<&'static str>,
    /// Bytes each directed link carries in one iteration (every call of
    /// every kind, all groups) \[bytes\], indexed by `LinkId`: the energy
    /// model's link input. Not serialized (one number per link).
    #[serde(skip)]
    pub link_bytes: Vec<f64>,
}

/// Which of the topology's accelerators a job used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AcceleratorUse {
    /// The selection policy: `packed`, `spread` or `ranks`.
    pub policy: &'static str,
    /// Accelerators the job runs on (`tp·cp·pp·dp`).
    pub used: usize,
    /// Accelerators of the topology left idle.
    pub unused: usize,
}

/// Forward + backward time of one micro-batch on one stage \[s\] (with the
/// forward rerun under full recomputation), and the model FLOPs of one
/// iteration (see the module docs).
pub fn micro_batch_compute(job: &Job, rate: Option<f64>) -> (f64, f64) {
    let m = &job.model;
    let par = &job.parallelism;
    let tokens = par.global_batch as f64 * m.seq_len as f64;
    let flops_per_token =
        6.0 * active_parameters(job) + 12.0 * m.layers as f64 * m.hidden as f64 * m.seq_len as f64;
    let flops = flops_per_token * tokens;
    let mbs = par.micro_batches() as f64;
    let t_mb = match (rate, &job.compute) {
        (_, Compute::PerLayer { seconds }) => seconds * m.layers.div_ceil(par.pp) as f64,
        (Some(r), _) => flops / (par.world() as f64 * r * mbs),
        (None, _) => f64::NAN,
    };
    let rerun = match job.training.recompute {
        Recompute::Full => FULL_RECOMPUTE_FACTOR,
        Recompute::None | Recompute::Selective => 1.0,
    };
    (t_mb * rerun, flops)
}

/// Pipeline neighbour pairs: `(stage i, stage i+1)` at every position, or
/// reversed for the backward pass.
fn pipeline_pairs(p: &Placement, forward: bool) -> Vec<(NodeId, NodeId)> {
    p.node_groups(&[Dim::Pp])
        .iter()
        .flat_map(|g| {
            g.windows(2)
                .map(|w| if forward { (w[0], w[1]) } else { (w[1], w[0]) })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One collective kind simulated: what ran, on how many groups, one call's
/// time \[s\] and its busiest link.
struct Simulated {
    algorithm: Algo,
    protocol: Protocol,
    group_size: usize,
    groups: usize,
    call_s: f64,
    bottleneck: Option<Bottleneck>,
    /// Bytes each directed link carried in one call (all groups).
    link_bytes: Vec<f64>,
    /// How the algorithm and protocol were chosen.
    selection: Selection,
}

fn simulate(
    sim: &mut CollectiveSim<'_>,
    placement: &Placement,
    c: &Collective,
) -> Result<Simulated, CollectiveError> {
    match c.groups {
        Groups::Of(dims) => {
            let groups = placement.node_groups(dims);
            let req = Request::new(c.op, c.bytes);
            let (o, report) = run_groups_with_report(sim, &groups, &req)?;
            Ok(Simulated {
                algorithm: o.algorithm,
                protocol: o.protocol,
                group_size: groups[0].len(),
                groups: groups.len(),
                call_s: o.time_s,
                bottleneck: o.bottleneck,
                link_bytes: report.link_bytes,
                selection: o.selection,
            })
        }
        Groups::PipelineForward | Groups::PipelineBackward => {
            let pairs = pipeline_pairs(placement, c.groups == Groups::PipelineForward);
            let mut s = Schedule::default();
            s.push_pxn(
                pairs
                    .iter()
                    .map(|&(src, dst)| Transfer {
                        src,
                        dst,
                        bytes: c.bytes,
                    })
                    .collect(),
                1,
            );
            let r = sim.run(&s)?;
            Ok(Simulated {
                algorithm: Algo::Direct,
                protocol: Protocol::Simple,
                group_size: 2,
                groups: pairs.len(),
                call_s: r.time_s,
                bottleneck: r.bottleneck,
                link_bytes: r.link_bytes,
                selection: Selection::Requested,
            })
        }
    }
}

/// Simulates one iteration of `job` on `topo` (see the module docs).
pub fn run(topo: &Topology, job: &Job, params: Params) -> Result<JobReport, JobError> {
    let placement = place(topo, job)?;
    let nccl_release = params.nccl.unwrap_or_default();
    let mut sim = CollectiveSim::new(topo, params);
    let par = &job.parallelism;
    let m = par.micro_batches() as f64;
    let (rate, compute) = compute_rate(job, topo)?;
    let (t_mb, flops) = micro_batch_compute(job, rate);
    // A power cap (`[power] accelerator_cap_w`) slows compute by its curve
    // (fabricsim_topology::power::cap_speed).
    let t_mb = t_mb / compute.power_cap_speed.unwrap_or(1.0);
    let mut by_kind = Vec::new();
    let mut link_bytes = vec![0.0; topo.links.len()];
    for c in collectives(job) {
        let Simulated {
            algorithm,
            protocol,
            group_size,
            groups,
            call_s: call,
            bottleneck,
            link_bytes: call_bytes,
            selection,
        } = simulate(&mut sim, &placement, &c).map_err(|source| JobError::Collective {
            kind: c.kind.name(),
            op: c.op.name(),
            source,
        })?;
        let count = if c.per_micro_batch {
            c.count.checked_mul(u64::from(par.micro_batches()))
        } else {
            Some(c.count)
        }
        .filter(|&n| n <= MAX_CALLS)
        .ok_or_else(|| JobError::TooManyCalls {
            kind: c.kind.name(),
            op: c.op.name(),
            calls: if c.per_micro_batch {
                format!("{} × {}", c.count, par.micro_batches())
            } else {
                c.count.to_string()
            },
            max: MAX_CALLS,
        })?;
        for (total, b) in link_bytes.iter_mut().zip(&call_bytes) {
            *total += count as f64 * b;
        }
        by_kind.push(KindReport {
            kind: c.kind,
            collective: c.op.name(),
            direction: match c.groups {
                Groups::PipelineForward => Some("forward"),
                Groups::PipelineBackward => Some("backward"),
                _ => None,
            },
            algorithm,
            protocol,
            selection,
            group_size,
            groups,
            count,
            bytes: c.bytes,
            call_time_s: call,
            time_s: count as f64 * call,
            exposed_s: 0.0,
            bottleneck,
            formula: c.why.clone(),
        });
    }
    let ov = job.overlap;
    let overlaps = |k: Kind| match k {
        Kind::Tp => ov.tp,
        Kind::Cp => ov.cp,
        Kind::Ep => ov.ep,
        Kind::Pp => ov.pp,
        Kind::Dp => ov.dp,
    };
    // Per-micro-batch communication on the critical path.
    let per_mb = |overlapped: bool| -> f64 {
        by_kind
            .iter()
            .filter(|r| r.kind != Kind::Dp && overlaps(r.kind) == overlapped)
            .map(|r| r.time_s / m)
            .sum()
    };
    let exposed_mb = per_mb(false) + (per_mb(true) - t_mb).max(0.0);
    let t_step = t_mb + exposed_mb;
    let fill = bubble_steps(job);
    let dp_time: f64 = by_kind
        .iter()
        .filter(|r| r.kind == Kind::Dp)
        .map(|r| r.time_s)
        .sum();
    let dp_calls: u64 = by_kind
        .iter()
        .filter(|r| r.kind == Kind::Dp)
        .map(|r| r.count)
        .sum();
    // The last micro-batch's backward pass: t_mb less its forward (module docs).
    let rerun = match job.training.recompute {
        Recompute::Full => FULL_RECOMPUTE_FACTOR,
        Recompute::None | Recompute::Selective => 1.0,
    };
    let window = t_mb - (1.0 - BACKWARD_SHARE) * t_mb / rerun;
    let exposed_dp = exposed_dp(dp_time, dp_calls, window, ov.dp);
    // Each kind's share of the exposed time: non-overlapped kinds entirely,
    // overlapped ones pro rata of the excess over the compute they hide
    // behind (the composition in the module docs, split by kind).
    let (over_mb, excess) = (per_mb(true), (per_mb(true) - t_mb).max(0.0));
    for r in &mut by_kind {
        r.exposed_s = if r.kind == Kind::Dp {
            if dp_time > 0.0 {
                exposed_dp * r.time_s / dp_time
            } else {
                0.0
            }
        } else if !overlaps(r.kind) {
            r.time_s
        } else if over_mb > 0.0 {
            r.time_s / m * excess / over_mb * m
        } else {
            0.0
        };
    }
    let total = (m + fill) * t_step + exposed_dp;
    let tokens = par.global_batch as f64 * job.model.seq_len as f64;
    let mfu = compute
        .peak_tflops
        .map(|p| flops / (par.world() as f64 * p * 1e12 * total));
    let report = JobReport {
        topology: topo.name.clone(),
        job: job.name.clone(),
        compute,
        schedule: par.schedule.name(),
        micro_batches: par.micro_batches(),
        memory: memory::report(job, topo.accelerator.map(|a| a.hbm_bytes())),
        accelerators: AcceleratorUse {
            policy: par.accelerators.name(),
            used: placement.ranks.len(),
            unused: placement.unused,
        },
        iteration: Totals {
            comm_time_s: by_kind.iter().map(|r| r.time_s).sum(),
            exposed_comm_time_s: m * exposed_mb + exposed_dp,
            compute_time_s: m * t_mb,
            bubble_s: fill * t_step,
            total_time_s: total,
            tokens_per_s: tokens / total,
            mfu,
        },
        rccl_release: by_kind
            .iter()
            .any(|k| k.selection == Selection::RcclModel)
            .then_some(fabricsim_collective::tuning::rccl::RCCL_RELEASE),
        by_kind,
        nccl_release,
        link_bytes,
    };
    check_finite(&report)?;
    Ok(report)
}

/// Every number of `r` is finite: a result is never infinite or NaN.
fn check_finite(r: &JobReport) -> Result<(), JobError> {
    let it = &r.iteration;
    let mut named: Vec<(String, f64)> = vec![
        ("total time".into(), it.total_time_s),
        ("compute time".into(), it.compute_time_s),
        ("communication time".into(), it.comm_time_s),
        ("exposed communication time".into(), it.exposed_comm_time_s),
        ("bubble".into(), it.bubble_s),
        ("tokens per second".into(), it.tokens_per_s),
        ("MFU".into(), it.mfu.unwrap_or(0.0)),
    ];
    for k in &r.by_kind {
        let n = k.kind.name();
        named.push((format!("{n} bytes per call"), k.bytes));
        named.push((format!("{n} call time"), k.call_time_s));
        named.push((format!("{n} time"), k.time_s));
        named.push((format!("{n} exposed time"), k.exposed_s));
    }
    match named.into_iter().find(|(_, v)| !v.is_finite()) {
        Some((what, _)) => Err(JobError::NotFinite { what }),
        None => Ok(()),
    }
}
