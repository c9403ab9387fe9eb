//! One iteration's communication: which collective each parallel dimension
//! runs, on which groups, with what size, how often.
//!
//! Notation: `b` micro-batch (sequences), `s` sequence length, `h` hidden,
//! `B` bytes per activation/parameter element, `B_g` per gradient element,
//! `L` layers, `L_moe` MoE layers, `t, c, p, d, e` the TP, CP, PP, DP, EP
//! degrees, `m` micro-batches per iteration, `k` experts per token, `S` the
//! nccl-tests size of one collective. Per micro-batch, on the fullest
//! pipeline stage (`⌈L/p⌉` layers, written `L/p` below):
//!
//! - **TP** (Megatron-LM, Shoeybi et al. 2019, §3): 2 all-reduces per layer
//!   forward (after attention and after the MLP) and 2 backward, each of the
//!   layer's activations `S = b·(s/c)·h·B`: `4·L/p` all-reduces. With
//!   sequence parallelism (Korthikanti et al. 2022, §4.2.2) each becomes an
//!   all-gather plus a reduce-scatter of the same `S`: `4·L/p` of each.
//! - **CP** (ring attention; Liu et al. 2023, Megatron-Core context
//!   parallelism): every layer all-gathers K and V over the CP group
//!   forward, `S = 2·b·s·(h·kv/heads)/t·B` (the TP rank's KV heads), and
//!   backward all-gathers them again and reduce-scatters their gradients:
//!   `2·L/p` all-gathers and `L/p` reduce-scatters.
//! - **EP** (GShard, Lepikhin et al. 2020; Megatron-Core MoE): per MoE layer
//!   a dispatch and a combine all-to-all forward and the same backward, each
//!   rank sending its `T = b·(s/c)` tokens (`/t` with sequence parallelism)
//!   to `k` experts: `S = T·k·h·B`, `4·L_moe/p` all-to-alls (uniform
//!   routing assumed).
//! - **PP** (1F1B, Narayanan et al. 2021): per micro-batch every stage
//!   boundary carries the activations forward and their gradients backward,
//!   `S = b·(s/c)·h·B/t` from each of the stage's `t·c` ranks to its peer
//!   (Megatron's scatter/gather optimisation sends `1/t` per TP rank):
//!   one send-recv each way, `v` each way with interleaved 1F1B (`v`
//!   virtual stages: a micro-batch crosses every rank `v` times, Narayanan
//!   et al. 2021 §2.2.2: "the amount of communication also increases by
//!   v"). All boundaries send at once.
//!
//! Once per iteration:
//! - **DP** gradients: each rank holds `P_d/(t·p)` dense and `P_x/(e·t·p)`
//!   routed-expert parameters (`P_x = L_moe·E·3·h·f_moe`, SwiGLU experts;
//!   `P_d = P − P_x`). ZeRO 0: all-reduce of `P_d/(t·p)·B_g` over the DP
//!   group (size `d`) and of `P_x/(e·t·p)·B_g` over the expert-DP group
//!   (size `d/e`). ZeRO 1 and 2: a reduce-scatter of the gradients and an
//!   all-gather of the updated parameters (`·B`); ZeRO 3 adds an all-gather
//!   of the parameters in the forward and one in the backward pass
//!   (Rajbhandari et al. 2020, §7). Each is split into equal buckets of at
//!   most `dp_bucket` bytes, run one after the other.

use super::job::{Dim, Job};
use fabricsim_collective::Op;
use serde::Serialize;

/// A parallel dimension's communication kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Tensor parallelism: all-reduces (or all-gather + reduce-scatter).
    Tp,
    /// Context parallelism: K/V all-gathers and gradient reduce-scatters.
    Cp,
    /// Expert parallelism: dispatch and combine all-to-alls.
    Ep,
    /// Pipeline parallelism: activation and gradient sends between stages.
    Pp,
    /// Data parallelism: gradient (and ZeRO parameter) collectives.
    Dp,
}

impl Kind {
    /// The name used in reports, e.g. `tp`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tp => "tp",
            Kind::Cp => "cp",
            Kind::Ep => "ep",
            Kind::Pp => "pp",
            Kind::Dp => "dp",
        }
    }
}

/// Who a collective runs between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Groups {
    /// The groups varying these coordinates (see `placement`).
    Of(&'static [Dim]),
    /// Pipeline neighbours, forward: every rank of stage `i` to the same
    /// position in stage `i+1`.
    PipelineForward,
    /// Pipeline neighbours, backward: every rank of stage `i` to the same
    /// position in stage `i−1`.
    PipelineBackward,
}

/// One collective of an iteration, `count` times on the critical path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Collective {
    /// The parallel dimension it serves.
    pub kind: Kind,
    /// The collective operation.
    pub op: Op,
    /// Who it runs between.
    pub groups: Groups,
    /// nccl-tests size `S` of one call \[bytes\].
    pub bytes: f64,
    /// Calls per micro-batch (`per_micro_batch`) or per iteration.
    pub count: u64,
    /// Whether `count` is per micro-batch (TP, CP, EP, PP) or per iteration (DP).
    pub per_micro_batch: bool,
    /// Formula of `bytes` and `count`, for reports.
    pub why: String,
}

const TP: &[Dim] = &[Dim::Tp];
const CP: &[Dim] = &[Dim::Cp];
const EP: &[Dim] = &[Dim::Ep];
const DP: &[Dim] = &[Dim::Ep, Dim::Dp];
const EXPERT_DP: &[Dim] = &[Dim::Dp];

/// Routed-expert parameters `P_x = L_moe·E·3·h·f_moe` (0 for dense models).
pub fn expert_parameters(job: &Job) -> f64 {
    let m = &job.model;
    if m.experts <= 1 {
        return 0.0;
    }
    m.moe_layers as f64 * m.experts as f64 * 3.0 * m.hidden as f64 * m.moe_ffn_hidden as f64
}

/// Parameters active per token: dense ones plus `k` routed experts per MoE
/// layer.
pub fn active_parameters(job: &Job) -> f64 {
    let m = &job.model;
    let dense = m.parameters - expert_parameters(job);
    if m.experts <= 1 {
        return m.parameters;
    }
    dense + m.moe_layers as f64 * m.top_k as f64 * 3.0 * m.hidden as f64 * m.moe_ffn_hidden as f64
}

/// The collectives of one iteration (see the module docs), in the order
/// TP, CP, EP, PP, DP; kinds whose degree is 1 are absent.
pub fn collectives(job: &Job) -> Vec<Collective> {
    let m = &job.model;
    let par = &job.parallelism;
    let (t, c, p, d, e) = (
        par.tp as f64,
        par.cp as f64,
        par.pp as f64,
        par.dp as f64,
        par.ep as f64,
    );
    let b = par.micro_batch as f64;
    let (s, h) = (m.seq_len as f64, m.hidden as f64);
    let bytes = m.dtype_bytes as f64;
    let gbytes = m.grad_dtype_bytes as f64;
    // The fullest stage sets the pipeline's pace: ⌈L/p⌉ layers.
    let layers_per_stage = m.layers.div_ceil(par.pp) as u64;
    let moe_per_stage = m.moe_layers.div_ceil(par.pp) as u64;
    let act = b * (s / c) * h * bytes;
    let mut out = Vec::new();
    let mut push = |kind, op, groups, bytes, count, per_mb, why: String| {
        if count > 0 && bytes > 0.0 {
            out.push(Collective {
                kind,
                op,
                groups,
                bytes,
                count,
                per_micro_batch: per_mb,
                why,
            });
        }
    };
    if par.tp > 1 {
        let why = "S = b·(s/c)·h·B";
        if par.sequence_parallel {
            push(
                Kind::Tp,
                Op::AllGather,
                Groups::Of(TP),
                act,
                4 * layers_per_stage,
                true,
                format!("{why}; 4·L/p all-gathers per micro-batch (sequence parallel)"),
            );
            push(
                Kind::Tp,
                Op::ReduceScatter,
                Groups::Of(TP),
                act,
                4 * layers_per_stage,
                true,
                format!("{why}; 4·L/p reduce-scatters per micro-batch (sequence parallel)"),
            );
        } else {
            push(
                Kind::Tp,
                Op::AllReduce,
                Groups::Of(TP),
                act,
                4 * layers_per_stage,
                true,
                format!("{why}; 4·L/p all-reduces per micro-batch"),
            );
        }
    }
    if par.cp > 1 {
        let kv = 2.0 * b * s * (h * m.kv_heads as f64 / m.heads as f64) / t * bytes;
        let why = "S = 2·b·s·(h·kv/heads)/t·B";
        push(
            Kind::Cp,
            Op::AllGather,
            Groups::Of(CP),
            kv,
            2 * layers_per_stage,
            true,
            format!("{why}; 2·L/p all-gathers per micro-batch"),
        );
        push(
            Kind::Cp,
            Op::ReduceScatter,
            Groups::Of(CP),
            kv,
            layers_per_stage,
            true,
            format!("{why}; L/p reduce-scatters per micro-batch"),
        );
    }
    if par.ep > 1 && m.experts > 1 {
        let tokens = b * (s / c) / if par.sequence_parallel { t } else { 1.0 };
        let a2a = tokens * m.top_k as f64 * h * bytes;
        push(
            Kind::Ep,
            Op::AllToAll,
            Groups::Of(EP),
            a2a,
            4 * moe_per_stage,
            true,
            "S = b·(s/c)[/t]·k·h·B; 4·L_moe/p all-to-alls per micro-batch".to_string(),
        );
    }
    if par.pp > 1 {
        let send = act / t;
        // Interleaved 1F1B: a micro-batch crosses each rank v times.
        let v = u64::from(par.virtual_stages.max(1));
        push(
            Kind::Pp,
            Op::SendRecv,
            Groups::PipelineForward,
            send,
            v,
            true,
            "S = b·(s/c)·h·B/t; v forward sends per micro-batch per boundary".to_string(),
        );
        push(
            Kind::Pp,
            Op::SendRecv,
            Groups::PipelineBackward,
            send,
            v,
            true,
            "S = b·(s/c)·h·B/t; v backward sends per micro-batch per boundary".to_string(),
        );
    }
    // Data parallelism, dense and expert parameters.
    let px = expert_parameters(job);
    let dense_per_rank = (m.parameters - px) / (t * p);
    let expert_per_rank = px / (e * t * p);
    let bucket = par.dp_bucket_bytes;
    let mut dp = |groups: &'static [Dim], degree: f64, params: f64, label: &str| {
        if degree <= 1.0 || params <= 0.0 {
            return;
        }
        let mut phase = |op, total: f64, times: u64, what: &str| {
            let n = (total / bucket).ceil().max(1.0);
            push(
                Kind::Dp,
                op,
                Groups::Of(groups),
                total / n,
                // Saturates (n ≥ 2⁶⁴); the iteration refuses counts above
                // its MAX_CALLS, so a saturated count is an error, never a result.
                (n as u64).saturating_mul(times),
                false,
                format!("{label}: {what} in {n} buckets"),
            );
        };
        match par.zero {
            0 => phase(
                Op::AllReduce,
                params * gbytes,
                1,
                "all-reduce of P/(t·p)·B_g",
            ),
            z => {
                phase(
                    Op::ReduceScatter,
                    params * gbytes,
                    1,
                    "reduce-scatter of P/(t·p)·B_g",
                );
                phase(
                    Op::AllGather,
                    params * bytes,
                    if z >= 3 { 3 } else { 1 },
                    if z >= 3 {
                        "all-gather of P/(t·p)·B, after the step and in forward and backward (ZeRO-3)"
                    } else {
                        "all-gather of P/(t·p)·B after the step"
                    },
                );
            }
        }
    };
    dp(DP, d, dense_per_rank, "dense");
    dp(EXPERT_DP, d / e, expert_per_rank, "experts");
    out
}
