//! A training job: model shape, parallel layout, compute and overlap
//! assumptions. Read from `workloads/*.toml` by [`Job::load`]
//! (format in `docs/workload-format.md`); every field is validated there, so
//! a `Job` is known to be consistent except for its fit to a topology
//! (checked by [`super::placement::place`]).

use serde::Serialize;

/// One parallel dimension of the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    /// Tensor parallelism (Megatron-LM).
    Tp,
    /// Context parallelism (ring attention over the sequence).
    Cp,
    /// Expert parallelism; carved out of the data-parallel dimension.
    Ep,
    /// Data parallelism (the replicas of the dense weights are `ep × dp/ep`).
    Dp,
    /// Pipeline parallelism.
    Pp,
}

impl Dim {
    /// Every dimension, in the order of [`super::placement::Placement`]'s
    /// coordinate and degree arrays.
    pub const ALL: [Dim; 5] = [Dim::Tp, Dim::Cp, Dim::Ep, Dim::Dp, Dim::Pp];

    /// The name used in files and reports, e.g. `tp`.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Tp => "tp",
            Dim::Cp => "cp",
            Dim::Ep => "ep",
            Dim::Dp => "dp",
            Dim::Pp => "pp",
        }
    }
}

/// The model's shape. Counts are plain numbers; sizes in bytes are derived.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Model {
    /// Total parameters (all experts included).
    pub parameters: f64,
    /// Transformer layers.
    pub layers: u32,
    /// Hidden size `h`.
    pub hidden: u64,
    /// Dense FFN hidden size.
    pub ffn_hidden: u64,
    /// Attention heads.
    pub heads: u32,
    /// Key/value heads (grouped-query attention; = heads without GQA).
    pub kv_heads: u32,
    /// Sequence length `s` \[tokens\].
    pub seq_len: u64,
    /// Vocabulary size.
    pub vocab: u64,
    /// Routed experts per MoE layer (1 = dense model).
    pub experts: u32,
    /// Routed experts each token is sent to.
    pub top_k: u32,
    /// Shared (always-active) experts per MoE layer.
    pub shared_experts: u32,
    /// FFN hidden size of one expert (defaults to `ffn_hidden`).
    pub moe_ffn_hidden: u64,
    /// Number of MoE layers (the rest are dense); `layers` when all are MoE,
    /// 0 for a dense model.
    pub moe_layers: u32,
    /// Bytes per activation and parameter element (bf16: 2).
    pub dtype_bytes: u32,
    /// Bytes per gradient element in the data-parallel reduction (fp32: 4).
    pub grad_dtype_bytes: u32,
}

/// The parallel layout and batch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parallelism {
    /// Tensor-parallel degree.
    pub tp: u32,
    /// Pipeline-parallel degree (stages).
    pub pp: u32,
    /// Data-parallel degree (includes the expert-parallel dimension).
    pub dp: u32,
    /// Expert-parallel degree; divides `dp`.
    pub ep: u32,
    /// Context-parallel degree.
    pub cp: u32,
    /// ZeRO stage 0–3 (0: plain data parallelism).
    pub zero: u8,
    /// Megatron sequence parallelism (TP all-reduce → all-gather + reduce-scatter).
    pub sequence_parallel: bool,
    /// Sequences per micro-batch.
    pub micro_batch: u32,
    /// Sequences per iteration, all replicas together.
    pub global_batch: u32,
    /// Virtual pipeline stages per rank (interleaved 1F1B; 1 = plain 1F1B).
    pub virtual_stages: u32,
    /// Placement order, innermost first: the first dimension fills
    /// consecutive ranks (and so the scale-up domain) first. All five dims.
    pub placement: Vec<Dim>,
    /// Let a TP group span scale-up domains (refused otherwise).
    pub allow_tp_across_domains: bool,
    /// Which of the topology's accelerators the job runs on when it needs
    /// fewer than the topology has (`accelerators` key).
    pub accelerators: Accelerators,
    /// Data-parallel gradient bucket \[bytes\].
    pub dp_bucket_bytes: f64,
    /// The pipeline schedule (`schedule` key; `interleaved` when
    /// `virtual_stages` > 1, else `1f1b`).
    pub schedule: PipelineSchedule,
}

/// How the micro-batches of a pipeline are ordered (`docs/training-jobs.md`,
/// "Pipeline schedules"; the bubble of each in [`super::iteration`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PipelineSchedule {
    /// One forward, one backward (Narayanan et al. 2021, §2.2).
    #[serde(rename = "1f1b")]
    OneFOneB,
    /// Interleaved 1F1B over `virtual_stages` model chunks per rank
    /// (Narayanan et al. 2021, §2.2.2).
    #[serde(rename = "interleaved")]
    Interleaved,
    /// ZB-H1 of Qi et al. 2023 ("Zero Bubble Pipeline Parallelism", §3):
    /// the backward pass split into input and weight gradients.
    #[serde(rename = "zero-bubble")]
    ZeroBubble,
}

impl PipelineSchedule {
    /// Every schedule, in the order of the file's names.
    pub const ALL: [PipelineSchedule; 3] = [
        PipelineSchedule::OneFOneB,
        PipelineSchedule::Interleaved,
        PipelineSchedule::ZeroBubble,
    ];

    /// The name in files and reports: `1f1b`, `interleaved`, `zero-bubble`.
    pub fn name(self) -> &'static str {
        match self {
            PipelineSchedule::OneFOneB => "1f1b",
            PipelineSchedule::Interleaved => "interleaved",
            PipelineSchedule::ZeroBubble => "zero-bubble",
        }
    }
}

/// Which activations are recomputed in the backward pass instead of kept
/// (Korthikanti et al. 2022, §4 and §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Recompute {
    /// Every activation kept, the `s × s` attention scores included.
    None,
    /// The attention core (scores, softmax, dropout) recomputed: what
    /// FlashAttention does as a matter of course (the default).
    Selective,
    /// Only each layer's input kept; the whole forward pass rerun.
    Full,
}

impl Recompute {
    /// Every setting, in the order of the file's names.
    pub const ALL: [Recompute; 3] = [Recompute::None, Recompute::Selective, Recompute::Full];

    /// The name in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Recompute::None => "none",
            Recompute::Selective => "selective",
            Recompute::Full => "full",
        }
    }
}

/// Training-state settings (`[training]`): what the memory model
/// ([`super::memory`]) and the compute time depend on beyond the layout.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Training {
    /// Activation recomputation.
    pub recompute: Recompute,
    /// Optimizer-state bytes per parameter (Adam with mixed precision: fp32
    /// master weights, momentum and variance, 4 + 4 + 4 = 12; Rajbhandari
    /// et al. 2020, §3.1).
    pub optimizer_bytes: f64,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            recompute: Recompute::Selective,
            optimizer_bytes: DEFAULT_OPTIMIZER_BYTES,
        }
    }
}

/// Adam's optimizer state with mixed precision \[bytes per parameter\]:
/// fp32 master weights, momentum and variance (ZeRO, Rajbhandari et al.
/// 2020, §3.1: `K = 12`).
pub const DEFAULT_OPTIMIZER_BYTES: f64 = 12.0;

/// Which accelerators a job smaller than its topology runs on
/// ([`super::placement::place`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Accelerators {
    /// Fill scale-up domains in order: the first `need` accelerators, domain
    /// by domain (the default).
    Packed,
    /// The same number from every scale-up domain (the first of each).
    Spread,
    /// Explicit global ranks of the topology, as `--ranks` takes them
    /// (`"0..4096,8192..12288"`), in that order.
    Ranks(String),
}

impl Accelerators {
    /// The name shown in reports: `packed`, `spread` or `ranks`.
    pub fn name(&self) -> &'static str {
        match self {
            Accelerators::Packed => "packed",
            Accelerators::Spread => "spread",
            Accelerators::Ranks(_) => "ranks",
        }
    }
}

/// How long the computation takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compute {
    /// From FLOPs: peak dense throughput per accelerator \[FLOP/s\] × MFU.
    Peak {
        /// Peak dense throughput of one accelerator \[FLOP/s\]
        /// (`tflops_per_accelerator` × 1e12).
        flops_per_s: f64,
        /// Fraction of the peak the computation itself achieves, in (0, 1].
        mfu: f64,
    },
    /// From FLOPs at the peak of the topology's accelerator (its
    /// `accelerator` preset) for `dtype`, × `efficiency`.
    Efficiency {
        /// Fraction of the accelerator's dense peak the computation itself
        /// achieves, in (0, 1].
        efficiency: f64,
        /// The data type of the tensor operations, whose peak applies.
        dtype: fabricsim_topology::accelerators::ComputeDtype,
    },
    /// A fixed forward + backward time per layer per micro-batch \[s\].
    PerLayer {
        /// Forward + backward time of one layer for one micro-batch \[s\].
        seconds: f64,
    },
}

/// Which communication kinds overlap with computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Overlap {
    /// TP collectives hide behind the micro-batch's compute.
    pub tp: bool,
    /// PP sends hide behind the micro-batch's compute.
    pub pp: bool,
    /// DP collectives hide behind the last micro-batch's backward pass.
    pub dp: bool,
    /// EP all-to-alls hide behind the micro-batch's compute.
    pub ep: bool,
    /// CP collectives hide behind the micro-batch's compute.
    pub cp: bool,
}

/// A validated training job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Job {
    /// The file's `name`, else the file name without extension.
    pub name: String,
    /// The model's shape.
    pub model: Model,
    /// The parallel layout and batch.
    pub parallelism: Parallelism,
    /// How long the computation takes.
    pub compute: Compute,
    /// Which communication kinds overlap with computation.
    pub overlap: Overlap,
    /// Recomputation and optimizer state (`[training]`).
    pub training: Training,
}

impl Parallelism {
    /// Accelerators the layout needs: `tp · cp · pp · dp`.
    pub fn world(&self) -> u64 {
        self.tp as u64 * self.cp as u64 * self.pp as u64 * self.dp as u64
    }

    /// Micro-batches per iteration per pipeline: `global / (micro · dp)`.
    pub fn micro_batches(&self) -> u32 {
        self.global_batch / (self.micro_batch * self.dp)
    }

    /// Degree of a dimension.
    pub fn degree(&self, d: Dim) -> u32 {
        match d {
            Dim::Tp => self.tp,
            Dim::Cp => self.cp,
            Dim::Ep => self.ep,
            Dim::Dp => self.dp / self.ep,
            Dim::Pp => self.pp,
        }
    }
}

/// Default DP gradient bucket: 25 MiB, PyTorch DDP's `bucket_cap_mb`
/// default (torch.nn.parallel.DistributedDataParallel documentation).
pub const DEFAULT_DP_BUCKET_BYTES: f64 = 25.0 * 1024.0 * 1024.0;
