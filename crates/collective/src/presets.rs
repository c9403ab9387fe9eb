//! Per-step latency α and in-switch-reduction efficiency of collectives.
//!
//! α is the fixed cost of one bulk-synchronous step on top of the route's
//! link and switch latencies: kernel launch/synchronisation, protocol
//! handshakes, the pipeline fill of the real library's chunking. It depends on
//! the link technology a step crosses (NCCL's model has the same split:
//! `hwLat` per NVLink / PCI / NET). A transfer's α is the largest α of the
//! link families on its route; transfers to or from a switch that reduces in
//! the network (NVLS, SHARP) use the in-switch-reduction α instead.
//!
//! These are the calibration knobs of the collective model, kept few; each
//! value says whether it is cited or fitted, and to what. Fitted values may
//! use only the `fit` systems of `validation/measurements.toml`;
//! `tests/it/fit_checks.rs` guards the fits, and `fabricsim validate-model`
//! (docs/validation.md) measures prediction on the held-out systems.

/// α for NVLink (and, assumed, UALink) steps \[s\]: **fitted**, 11 µs.
/// Least-squares-free minimax fit of the 8×A100 ring all-reduce ramp
/// (16 MiB..8 GiB busbw 109.22 / 213.87 / 228.10 / 231.58 GB/s, Azure
/// ND_A100_v4, NCCL 2.18.5): max error 3.9 %. NCCL's own model uses 3.4 µs
/// per NVLink ring step (Simple protocol) plus 8.4 µs once (`tuning.cc`
/// hwLat/baseLat), which overestimates mid-size busbw by ~50 % on that ramp.
pub const NVLINK_STEP_S: f64 = 11e-6;

/// α for xGMI steps \[s\]: **fitted**, 31.5 µs, to the 8×MI300X rccl-tests
/// all-reduce ramp (16 MiB..8 GiB: 187.83 / 303.10 / 313.36 / 315.91 GB/s,
/// hisohara/ai-scripts) with the direct algorithm: max error 0.3 %.
pub const XGMI_STEP_S: f64 = 31.5e-6;

/// α for network steps (InfiniBand, Ethernet, DCI) \[s\]: **cited**, 14 µs,
/// NCCL's `hwLat[NET][Ring][Simple]` (NVIDIA/nccl `src/graph/tuning.cc`
/// @5067397). A model constant, not a measurement; no small-message
/// multi-node ramp is available to fit it.
pub const NET_STEP_S: f64 = 14e-6;

/// α for PCIe steps \[s\]: **cited**, 5.7 µs, NCCL's `hwLat[PCI][Ring][Simple]`.
pub const PCI_STEP_S: f64 = 5.7e-6;

/// α of an in-switch-reduction (NVLS) step \[s\]: **fitted**, see
/// [`NVLS_EFFICIENCY`].
pub const NVLS_STEP_S: f64 = 60e-6;

/// α of an in-network reduction step on scale-out switches (SHARP) \[s\]:
/// **cited**, 31 µs, NCCL's `hwLat[NET][CollNetDirect][Simple]` (NVIDIA/nccl
/// `src/graph/tuning.cc` @5067397). No efficiency below the links' own is
/// applied: no published SHARP throughput figure was found.
pub const SHARP_STEP_S: f64 = 31e-6;

/// Achievable fraction of the NVLink line rate (after the link efficiency)
/// that NVLS reduce/multicast sustains: **fitted**, 0.74 = 480 / 649, the
/// published 8×H100 NVLS all-reduce busbw (≈ 480 GB/s, nccl issues 1455 and
/// 2140; 479.98 at 8 GiB on 8×H200, Azure ND_H200_v5) over what per-rank
/// traffic of S out and S in at 18 × 25 GB/s × 0.824 would give
/// (busbw = 2(n−1)/n · 370.8 = 649 GB/s). It equals NCCL's own
/// `nvlsEfficiency` for Blackwell (0.74) and is below its Hopper value (0.85).
/// Applied by stretching NVLS transfers' bytes by `1 / NVLS_EFFICIENCY`.
pub const NVLS_EFFICIENCY: f64 = 0.74;

/// α of one step over a link of technology `family` \[s\] (0 for unknown or
/// `custom` families).
pub fn family_step_s(family: &str) -> f64 {
    match family {
        "nvlink" | "ualink" => NVLINK_STEP_S,
        "xgmi" => XGMI_STEP_S,
        f if is_network(f) => NET_STEP_S,
        "pcie" => PCI_STEP_S,
        _ => 0.0,
    }
}

/// Whether `family` is a scale-out network technology (its in-network
/// reduction is SHARP-like, its α is [`NET_STEP_S`]).
pub fn is_network(family: &str) -> bool {
    matches!(family, "infiniband" | "ethernet" | "dci")
}

/// The technology family of a link kind name (`nvlink4` → `nvlink`); a
/// generic kind is its own family; `custom` for anything else.
pub fn family_of(kind: &str) -> &'static str {
    fabricsim_topology::presets::link_kind(kind).map_or("custom", |k| k.family)
}
