//! Accelerator presets: what a topology's `accelerator = "NAME"` names.
//!
//! Peak **dense** tensor throughput per data type (vendors often quote 2:4
//! sparse figures, twice these), HBM capacity and bandwidth and the
//! board power. Each preset cites its sources by anchor in
//! docs/sources.md; a value marked *preliminary* comes from an announcement,
//! not a datasheet. Units: FLOP/s as TFLOP/s (1e12), bytes as GB (1e9),
//! bandwidth as TB/s (1e12 bytes/s), power in W.

/// Data types a job can compute in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComputeDtype {
    /// BF16 (or FP16) tensor operations.
    Bf16,
    /// FP8 tensor operations.
    Fp8,
    /// FP4 tensor operations.
    Fp4,
}

impl ComputeDtype {
    /// Every data type, in order of name.
    pub const ALL: [ComputeDtype; 3] = [ComputeDtype::Bf16, ComputeDtype::Fp8, ComputeDtype::Fp4];

    /// The name in files: `bf16`, `fp8`, `fp4`.
    pub fn name(self) -> &'static str {
        match self {
            ComputeDtype::Bf16 => "bf16",
            ComputeDtype::Fp8 => "fp8",
            ComputeDtype::Fp4 => "fp4",
        }
    }

    /// The data type named `s` (`bf16`, `fp8`, `fp4`; `fp16` reads as `bf16`).
    pub fn of(s: &str) -> Option<ComputeDtype> {
        match s {
            "bf16" | "fp16" => Some(ComputeDtype::Bf16),
            "fp8" => Some(ComputeDtype::Fp8),
            "fp4" => Some(ComputeDtype::Fp4),
            _ => None,
        }
    }
}

/// One accelerator part.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Accelerator {
    /// The name in topology files, e.g. `h100-sxm`.
    pub name: &'static str,
    /// The vendor's name, e.g. `NVIDIA H100 SXM`.
    pub title: &'static str,
    /// Dense BF16 peak \[TFLOP/s\].
    pub bf16_tflops: f64,
    /// Dense FP8 peak \[TFLOP/s\], if the part has FP8 tensor cores.
    pub fp8_tflops: Option<f64>,
    /// Dense FP4 peak \[TFLOP/s\], if the part has FP4 tensor cores.
    pub fp4_tflops: Option<f64>,
    /// HBM capacity \[GiB\] (2^30 bytes). Vendors' "GB" of HBM count whole
    /// DRAM stacks, whose dies are binary-sized: H100's 80 GB are five
    /// 16 GiB HBM3 stacks (eight 16 Gbit dies each), MI300X's 192 GB eight
    /// 24 GiB stacks, so the vendor figure is read as GiB.
    pub hbm_gib: f64,
    /// HBM bandwidth \[TB/s\].
    pub hbm_tbps: f64,
    /// Board power (TDP) \[W\].
    pub tdp_w: f64,
    /// Anchors in docs/sources.md the values come from.
    pub sources: &'static str,
}

impl Accelerator {
    /// HBM capacity \[bytes\]: [`Accelerator::hbm_gib`] · 2^30.
    pub fn hbm_bytes(&self) -> f64 {
        self.hbm_gib * (1u64 << 30) as f64
    }

    /// Dense peak for `dtype` \[FLOP/s\], if the part supports it.
    pub fn peak_flops(&self, dtype: ComputeDtype) -> Option<f64> {
        match dtype {
            ComputeDtype::Bf16 => Some(self.bf16_tflops),
            ComputeDtype::Fp8 => self.fp8_tflops,
            ComputeDtype::Fp4 => self.fp4_tflops,
        }
        .map(|t| t * 1e12)
    }
}

/// The presets (values and sources: docs/sources.md, "Accelerators").
pub const ACCELERATORS: &[Accelerator] = &[
    Accelerator {
        name: "h100-sxm",
        title: "NVIDIA H100 SXM",
        bf16_tflops: 989.4,
        fp8_tflops: Some(1979.0),
        fp4_tflops: None,
        hbm_gib: 80.0,
        hbm_tbps: 3.35,
        tdp_w: 700.0,
        sources: "[S-nvidia-h100-datasheet]",
    },
    Accelerator {
        name: "h200-sxm",
        title: "NVIDIA H200 SXM",
        bf16_tflops: 989.4,
        fp8_tflops: Some(1979.0),
        fp4_tflops: None,
        hbm_gib: 141.0,
        hbm_tbps: 4.8,
        tdp_w: 700.0,
        sources: "[S-nvidia-h200-page]",
    },
    Accelerator {
        name: "a100-sxm",
        title: "NVIDIA A100 SXM 80GB",
        bf16_tflops: 312.0,
        fp8_tflops: None,
        fp4_tflops: None,
        hbm_gib: 80.0,
        hbm_tbps: 2.039,
        tdp_w: 400.0,
        sources: "[S-nvidia-a100-datasheet] (not re-checked this session)",
    },
    Accelerator {
        name: "b200",
        title: "NVIDIA B200 (HGX B200)",
        bf16_tflops: 2250.0,
        fp8_tflops: Some(4500.0),
        fp4_tflops: Some(9000.0),
        hbm_gib: 180.0,
        hbm_tbps: 7.7,
        tdp_w: 1000.0,
        sources: "[S-nvidia-hgx-page], [S-nvidia-blackwell-datasheet]",
    },
    Accelerator {
        name: "b300",
        title: "NVIDIA B300 (HGX B300, Blackwell Ultra)",
        bf16_tflops: 2250.0,
        fp8_tflops: Some(4500.0),
        fp4_tflops: Some(13500.0),
        hbm_gib: 270.0,
        hbm_tbps: 7.7,
        tdp_w: 1100.0,
        sources: "[S-nvidia-hgx-page], [S-nvidia-blackwell-ultra-datasheet]",
    },
    Accelerator {
        name: "gb200",
        title: "NVIDIA GB200 (B200 GPU of a GB200 NVL72)",
        bf16_tflops: 2500.0,
        fp8_tflops: Some(5000.0),
        fp4_tflops: Some(10000.0),
        hbm_gib: 186.0,
        hbm_tbps: 8.0,
        tdp_w: 1200.0,
        sources: "[S-nvidia-gb200-nvl72-page], [S-nvidia-blackwell-datasheet]",
    },
    Accelerator {
        name: "gb300",
        title: "NVIDIA GB300 (Blackwell Ultra GPU of a GB300 NVL72)",
        bf16_tflops: 2500.0,
        fp8_tflops: Some(5000.0),
        fp4_tflops: Some(15000.0),
        hbm_gib: 279.0,
        hbm_tbps: 8.0,
        tdp_w: 1400.0,
        sources: "[S-nvidia-gb300-nvl72-page], [S-nvidia-blackwell-ultra-datasheet]",
    },
    Accelerator {
        name: "mi300x",
        title: "AMD Instinct MI300X",
        bf16_tflops: 1307.4,
        fp8_tflops: Some(2614.9),
        fp4_tflops: None,
        hbm_gib: 192.0,
        hbm_tbps: 5.3,
        tdp_w: 750.0,
        sources: "[S-amd-mi300x-page]",
    },
    Accelerator {
        name: "mi325x",
        title: "AMD Instinct MI325X",
        bf16_tflops: 1307.4,
        fp8_tflops: Some(2614.9),
        fp4_tflops: None,
        hbm_gib: 256.0,
        hbm_tbps: 6.0,
        tdp_w: 1000.0,
        sources: "[S-amd-mi325x-page]",
    },
    Accelerator {
        name: "mi355x",
        title: "AMD Instinct MI355X",
        bf16_tflops: 2516.6,
        fp8_tflops: Some(5033.2),
        fp4_tflops: Some(10066.3),
        hbm_gib: 288.0,
        hbm_tbps: 8.0,
        tdp_w: 1400.0,
        sources: "[S-amd-mi355x-page], [S-register-mi355x]",
    },
    Accelerator {
        name: "mi450",
        title: "AMD Instinct MI450-series (MI455X, Helios; preliminary)",
        // AMD projections, "subject to change": FP8/FP4 dense 20.1/40.3
        // PF, HBM4 432 GB at 23.3 TB/s (launch figure; 19.6 in 2025);
        // BF16 5.0 PF quoted by two secondary notes. No per-GPU power is
        // published: 2,500 W is an ASSUMPTION (an unconfirmed "max" figure).
        bf16_tflops: 5000.0,
        fp8_tflops: Some(20100.0),
        fp4_tflops: Some(40300.0),
        hbm_gib: 432.0,
        hbm_tbps: 23.3,
        tdp_w: 2500.0,
        sources: "[S-amd-mi455x-page]",
    },
    Accelerator {
        name: "tpu-v4",
        title: "Google TPU v4 (one chip)",
        bf16_tflops: 275.0,
        fp8_tflops: None,
        fp4_tflops: None,
        hbm_gib: 32.0,
        hbm_tbps: 1.2,
        tdp_w: 192.0,
        sources: "[S-gcloud-tpu-v4], [S-jouppi-tpuv4]",
    },
];

/// The preset named `name`.
pub fn accelerator(name: &str) -> Option<&'static Accelerator> {
    ACCELERATORS.iter().find(|a| a.name == name)
}
