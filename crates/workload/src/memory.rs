//! Memory per accelerator: weights, gradients, optimizer states and
//! activations of the fullest pipeline stage, against the accelerator's HBM.
//!
//! Notation as in [`super::traffic`]: `P` parameters, `P_x` routed-expert
//! parameters ([`super::traffic::expert_parameters`]), `P_d = P − P_x`,
//! `t, c, p, d, e` the TP, CP, PP, DP, EP degrees, `v` virtual stages, `b`
//! micro-batch, `s` sequence length, `h` hidden, `a` attention heads, `m`
//! micro-batches per iteration. All sizes in bytes.
//!
//! # Model states (Rajbhandari et al. 2020, ZeRO, §3.1 and §5)
//! A rank holds `P_d/(t·p)` dense and `P_x/(e·t·p)` expert parameters (the
//! average stage; embeddings are not placed on a particular stage). Per
//! parameter: weights `B` (the model's `dtype`), gradients `B_g`
//! (`grad_dtype`; fp32 gradient buffers as in Megatron-LM's distributed
//! optimizer), optimizer `K` (`[training] optimizer_bytes`, Adam with
//! mixed precision 12: fp32 master, momentum, variance). ZeRO stage 1
//! divides the optimizer states by the data-parallel group, stage 2 the
//! gradients as well, stage 3 the weights as well: dense by `d`, experts by
//! their data-parallel group `d/e`. With `B = 2`, `B_g = 4`, `K = 12` this is
//! Megatron-LM's "18 bytes per parameter, 6 + 12/d with the distributed
//! optimizer" (docs/distrib_optimizer.md of NVIDIA/Megatron-LM).
//!
//! # Activations (Korthikanti et al. 2022, §4, Table 2)
//! Per transformer layer and micro-batch, with `s' = s/c` (context
//! parallelism splits the sequence):
//!
//! | recompute | no TP or TP + sequence parallel | TP without sequence parallel |
//! |---|---|---|
//! | none | `s'·b·h/t·(34 + 5·a·s'/h)` | `s'·b·h·(10 + 24/t + 5·a·s'/(h·t))` |
//! | selective | `34·s'·b·h/t` | `s'·b·h·(10 + 24/t)` |
//! | full | `2·s'·b·h/t` | `2·s'·b·h` |
//!
//! (the paper's constants assume 2-byte activations and 1-byte dropout
//! masks; they are used as published, for any `dtype`). Of the 34, 19 are
//! the MLP's (3 replicated under TP without SP: its input and dropout
//! mask; 16 split). An MoE layer's MLP term is scaled by the FFN columns a
//! token passes through relative to the dense `4h`:
//! `r = (k + shared)·f_moe/(4h)`, so `34 → 15 + 19·r` and
//! `10 + 24/t → 7 + 3·r + (8 + 16·r)/t` (an approximation of this crate:
//! uniform routing, each expert the paper's MLP).
//!
//! # Micro-batches in flight (Korthikanti et al. 2022, §4.2.3)
//! The first stage of a pipeline holds its `n = ⌈L/(p·v)⌉·v` layers'
//! activations for `N` micro-batches: 1F1B and ZB-H1 (Qi et al. 2023, §3:
//! the same peak memory as 1F1B) `N = min(p, m)`; interleaved 1F1B
//! `N = min(p·(1 + (p−1)/(p·v)), m)`; no pipeline `N = 1`. The MoE share
//! of the stage's layers is `L_moe/L`. Not modelled: the embedding and
//! output layers' activations, temporary buffers, the allocator's
//! fragmentation and the framework's own memory.
//!
//! The capacity is the accelerator preset's HBM (GB = 1e9 bytes,
//! `fabricsim_topology::accelerators`).

use super::job::{Job, PipelineSchedule, Recompute};
use super::traffic::expert_parameters;
use serde::Serialize;

/// Bytes per accelerator, by term.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Terms {
    /// Weights \[bytes\].
    pub weights_bytes: f64,
    /// Gradients \[bytes\].
    pub gradients_bytes: f64,
    /// Optimizer states \[bytes\].
    pub optimizer_bytes: f64,
    /// Activations of the micro-batches in flight \[bytes\].
    pub activations_bytes: f64,
}

impl Terms {
    /// The sum \[bytes\].
    pub fn total(&self) -> f64 {
        self.weights_bytes + self.gradients_bytes + self.optimizer_bytes + self.activations_bytes
    }

    /// The largest term: its name and size \[bytes\].
    pub fn largest(&self) -> (&'static str, f64) {
        [
            ("weights", self.weights_bytes),
            ("gradients", self.gradients_bytes),
            ("optimizer states", self.optimizer_bytes),
            ("activations", self.activations_bytes),
        ]
        .into_iter()
        .fold(("weights", f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
    }
}

/// The memory of one accelerator of a job (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryReport {
    /// Bytes by term.
    #[serde(flatten)]
    pub terms: Terms,
    /// The sum of the terms \[bytes\].
    pub total_bytes: f64,
    /// Activations of one layer for one micro-batch \[bytes\] (a dense layer).
    pub activation_per_layer_bytes: f64,
    /// Layers on the fullest stage, `⌈L/(p·v)⌉·v`.
    pub layers_per_stage: u32,
    /// Micro-batches whose activations the first stage holds, `N`.
    pub micro_batches_in_flight: f64,
    /// The recomputation setting.
    pub recompute: &'static str,
    /// HBM of the topology's accelerator \[bytes\]; `None`: no preset, not checked.
    pub capacity_bytes: Option<f64>,
    /// `capacity − total` \[bytes\] (negative when it does not fit).
    pub headroom_bytes: Option<f64>,
    /// Whether the total fits the capacity (`None`: not checked).
    pub fits: Option<bool>,
}

/// `(N, n)`: micro-batches in flight on the first stage and layers on the
/// fullest stage (module docs).
pub fn in_flight(job: &Job) -> (f64, u32) {
    let par = &job.parallelism;
    let (p, v) = (par.pp, par.virtual_stages.max(1));
    let m = par.micro_batches() as f64;
    let layers = job.model.layers.div_ceil(p * v) * v;
    let pf = p as f64;
    let n = if p == 1 {
        1.0
    } else {
        match par.schedule {
            PipelineSchedule::OneFOneB | PipelineSchedule::ZeroBubble => pf.min(m),
            PipelineSchedule::Interleaved => {
                (pf * (1.0 + (pf - 1.0) / (pf * v as f64))).min(m.max(1.0))
            }
        }
    };
    (n, layers)
}

/// Activations of one layer for one micro-batch \[bytes\]; `moe` for an MoE
/// layer (module docs, Korthikanti et al. 2022 Table 2).
pub fn layer_activations(job: &Job, moe: bool) -> f64 {
    let m = &job.model;
    let par = &job.parallelism;
    let t = par.tp as f64;
    let s = m.seq_len as f64 / par.cp as f64;
    let sbh = s * par.micro_batch as f64 * m.hidden as f64;
    let scores = 5.0 * m.heads as f64 * s / m.hidden as f64;
    let r = if moe {
        (m.top_k + m.shared_experts) as f64 * m.moe_ffn_hidden as f64 / (4.0 * m.hidden as f64)
    } else {
        1.0
    };
    let sp = par.sequence_parallel || par.tp == 1;
    match (job.training.recompute, sp) {
        (Recompute::Full, true) => 2.0 * sbh / t,
        (Recompute::Full, false) => 2.0 * sbh,
        (Recompute::Selective, true) => sbh / t * (15.0 + 19.0 * r),
        (Recompute::Selective, false) => sbh * (7.0 + 3.0 * r + (8.0 + 16.0 * r) / t),
        (Recompute::None, true) => sbh / t * (15.0 + 19.0 * r + scores),
        (Recompute::None, false) => sbh * (7.0 + 3.0 * r + (8.0 + 16.0 * r + scores) / t),
    }
}

/// Bytes per accelerator by term (module docs).
pub fn terms(job: &Job) -> Terms {
    let m = &job.model;
    let par = &job.parallelism;
    let (t, p, d, e) = (
        par.tp as f64,
        par.pp as f64,
        par.dp as f64,
        par.ep.max(1) as f64,
    );
    let px = expert_parameters(job);
    let dense = (m.parameters - px) / (t * p);
    let expert = px / (e * t * p);
    let z = par.zero;
    // Parameters of a term after ZeRO sharding from `stage` on.
    let sharded = |stage: u8| {
        if z >= stage {
            dense / d + expert / (d / e)
        } else {
            dense + expert
        }
    };
    let (n, layers) = in_flight(job);
    let moe_share = if m.layers > 0 {
        m.moe_layers as f64 / m.layers as f64
    } else {
        0.0
    };
    let per_layer = (1.0 - moe_share) * layer_activations(job, false)
        + moe_share * layer_activations(job, true);
    Terms {
        weights_bytes: m.dtype_bytes as f64 * sharded(3),
        gradients_bytes: m.grad_dtype_bytes as f64 * sharded(2),
        optimizer_bytes: job.training.optimizer_bytes * sharded(1),
        activations_bytes: per_layer * layers as f64 * n,
    }
}

/// The memory report of `job` against `capacity_bytes` (`None`: not checked).
pub fn report(job: &Job, capacity_bytes: Option<f64>) -> MemoryReport {
    let terms = terms(job);
    let total = terms.total();
    let (n, layers) = in_flight(job);
    MemoryReport {
        terms,
        total_bytes: total,
        activation_per_layer_bytes: layer_activations(job, false),
        layers_per_stage: layers,
        micro_batches_in_flight: n,
        recompute: job.training.recompute.name(),
        capacity_bytes,
        headroom_bytes: capacity_bytes.map(|c| c - total),
        fits: capacity_bytes.map(|c| total <= c),
    }
}

/// A layout that fits, found by [`suggest`]: the changes (`key = value`,
/// as in the job file) and its total \[bytes\].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// The changed keys, e.g. `["zero = 3", "recompute = \"full\""]`.
    pub changes: Vec<String>,
    /// The layout's memory per accelerator \[bytes\].
    pub total_bytes: f64,
}

/// The layout closest to `job` that fits `capacity_bytes`, from a small
/// space: sequence parallelism on, a higher ZeRO stage, micro-batch 1,
/// full recomputation, and `tp` or `pp` doubled (`dp` halved, so the
/// accelerator count stays; `tp` at most `max_tp` and a divisor of the
/// heads). Candidates are ranked by the number of changed keys, then by
/// cost in that order (sequence parallelism and ZeRO change communication
/// only; full recomputation adds a forward pass; a new `tp`/`pp` changes
/// the layout). `None` when nothing in the space fits.
pub fn suggest(job: &Job, capacity_bytes: f64, max_tp: u32) -> Option<Suggestion> {
    let par = &job.parallelism;
    let sps: Vec<bool> = if par.sequence_parallel {
        vec![true]
    } else {
        vec![false, true]
    };
    let zeros: Vec<u8> = (par.zero..=3).collect();
    let mbs: Vec<u32> = if par.micro_batch > 1 {
        vec![par.micro_batch, 1]
    } else {
        vec![par.micro_batch]
    };
    let rcs: Vec<Recompute> = if job.training.recompute == Recompute::Full {
        vec![Recompute::Full]
    } else {
        vec![job.training.recompute, Recompute::Full]
    };
    // (tp factor, pp factor)
    let shapes = [(1u32, 1u32), (2, 1), (1, 2), (2, 2)];
    let mut best: Option<((usize, u32), Suggestion)> = None;
    for &(ft, fp) in &shapes {
        let (tp, pp) = (par.tp * ft, par.pp * fp);
        let f = ft * fp;
        if f > 1 {
            let dp_ok = par.dp.is_multiple_of(f) && (par.dp / f).is_multiple_of(par.ep);
            let tp_ok = ft == 1 || (tp <= max_tp && job.model.heads.is_multiple_of(tp));
            let pp_ok = fp == 1 || job.model.layers >= pp * par.virtual_stages;
            if !(dp_ok && tp_ok && pp_ok) {
                continue;
            }
        }
        for &sp in &sps {
            if sp && !par.sequence_parallel && tp == 1 {
                continue;
            }
            for &z in &zeros {
                for &mb in &mbs {
                    for &rc in &rcs {
                        let mut j = job.clone();
                        let q = &mut j.parallelism;
                        q.tp = tp;
                        q.pp = pp;
                        q.dp = par.dp / f;
                        q.sequence_parallel = sp;
                        q.zero = z;
                        q.micro_batch = mb;
                        j.training.recompute = rc;
                        let total = terms(&j).total();
                        if total > capacity_bytes {
                            continue;
                        }
                        let mut changes = Vec::new();
                        let mut cost = 0;
                        if tp != par.tp {
                            changes.push(format!("tp = {tp}"));
                            cost += 16;
                        }
                        if pp != par.pp {
                            changes.push(format!("pp = {pp}"));
                            cost += 16;
                        }
                        if f > 1 {
                            changes.push(format!("dp = {}", par.dp / f));
                        }
                        if j.parallelism.sequence_parallel != par.sequence_parallel {
                            changes.push("sequence_parallel = true".to_string());
                            cost += 1;
                        }
                        if z != par.zero {
                            changes.push(format!("zero = {z}"));
                            cost += 2 + u32::from(z);
                        }
                        if mb != par.micro_batch {
                            changes.push(format!("micro_batch = {mb}"));
                            cost += 6;
                        }
                        if rc != job.training.recompute {
                            changes.push(format!("[training] recompute = \"{}\"", rc.name()));
                            cost += 8;
                        }
                        let key = (changes.len() - usize::from(f > 1), cost);
                        if best.as_ref().is_none_or(|(k, _)| key < *k) {
                            best = Some((
                                key,
                                Suggestion {
                                    changes,
                                    total_bytes: total,
                                },
                            ));
                        }
                    }
                }
            }
        }
    }
    best.map(|(_, s)| s)
}
