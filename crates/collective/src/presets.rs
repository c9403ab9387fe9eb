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
//! `tests/it/validation/fit_checks.rs` guards the fits, and `fabricsim validate-model`
//! (docs/validation.md) measures prediction on the held-out systems.

/// α for NVLink (and, assumed, UALink) steps \[s\]: **fitted**, 11 µs.
/// Least-squares-free minimax fit of the 8×A100 ring all-reduce ramp
/// (16 MiB..8 GiB busbw 109.22 / 213.87 / 228.10 / 231.58 GB/s, Azure
/// ND_A100_v4, NCCL 2.18.5): max error 3.9 %. NCCL's own model uses 3.4 µs
/// per NVLink ring step (Simple protocol) plus 8.4 µs once (`tuning.cc`
/// hwLat/baseLat), which overestimates mid-size busbw by ~50 % on that ramp.
pub const NVLINK_STEP_S: f64 = 11e-6;

/// α for xGMI steps \[s\]: **fitted**, 4.5 µs, to the 8×MI300X rccl-tests
/// all-reduce ramp (16 MiB..8 GiB: 187.83 / 303.10 / 313.36 / 315.91 GB/s,
/// hisohara/ai-scripts) with ring/Simple, what RCCL's cost model runs there
/// from 1 MiB up ([`crate::tuning::rccl`]): max error 0.25 % (4 µs: 4.5 %,
/// 5 µs: 4.5 %). RCCL's own model puts 17 + 14 × 2.1 = 46.4 µs of latency
/// on that ring, fabricsim 14 × 4.5 = 63 µs. Until `auto` followed RCCL it
/// ran the fastest simulated algorithm, `direct`, and this α was 31.5 µs,
/// fitted to the same ramp with `direct`'s few steps. Provenance caveat:
/// the ramp was measured with an rccl-tests build of RCCL before 2.26
/// (tuning tables from 2.26 decide the algorithm here), and on one MI300X
/// node RCCL's MSCCL kernels, not modelled, may take some sizes.
pub const XGMI_STEP_S: f64 = 4.5e-6;

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

/// NCCL's `nvlsEfficiency` per GPU generation, **cited** (NVIDIA/nccl
/// `src/tuning/nvls.cc`; the same table was in `tuning.cc` of the 2.2x
/// series): Hopper 0.85, Blackwell 0.74. fabricsim's [`NVLS_EFFICIENCY`] is
/// fitted on Hopper (8×H100); other generations scale it by NCCL's ratio,
/// so NVLink5 (Blackwell: B200, B300, GB200, GB300) NVLS runs at
/// `0.74 · 0.74 / 0.85 = 0.644`. The generation is read from the NVLink
/// kind the NVLS transfer crosses (`nvlink4` Hopper, `nvlink5` Blackwell);
/// any other kind keeps the Hopper fit (factor 1).
pub fn nvls_generation_factor(kind: &str) -> f64 {
    const HOPPER: f64 = 0.85;
    const BLACKWELL: f64 = 0.74;
    match kind {
        "nvlink5" => BLACKWELL / HOPPER,
        _ => 1.0,
    }
}

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

/// The NCCL hardware class whose latency table a link family uses: NCCL's
/// `hwLat` has rows for NVLink, PCI and the network. xGMI and UALink are
/// read as NVLink (RCCL types xGMI links as NVLink in its topology graph, an
/// assumption for UALink); unknown families have no protocol latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HwClass {
    NvLink,
    Pci,
    Net,
}

fn hw_class(family: &str) -> Option<HwClass> {
    match family {
        "nvlink" | "ualink" | "xgmi" => Some(HwClass::NvLink),
        "pcie" => Some(HwClass::Pci),
        f if is_network(f) => Some(HwClass::Net),
        _ => None,
    }
}

/// NCCL 2.20.3 `hwLat[hw][Ring][proto]` in µs (NVIDIA/nccl
/// `src/graph/tuning.cc` @b647562), **cited**: per ring step, for `LL`,
/// `LL128` and `Simple`.
fn nccl_ring_hw_lat_us(hw: HwClass) -> [f64; 3] {
    match hw {
        HwClass::NvLink => [0.6, 1.9, 3.4],
        HwClass::Pci => [1.0, 2.5, 5.7],
        HwClass::Net => [2.7, 4.0, 14.0],
    }
}

/// α of one step of protocol `proto` over links of `family` \[s\], given
/// that family's Simple α `simple_s` ([`Params::family_step_s`](crate::Params::family_step_s):
/// a fitted or cited preset, or a calibration's value).
///
/// `α(proto) = simple_s · hwLat[proto] / hwLat[Simple]`: NCCL's ratios
/// between its protocols' per-step latencies (NCCL 2.20.3 `hwLat[hw][Ring]`:
/// NVLink 0.6 / 1.9 / 3.4 µs, PCI 1.0 / 2.5 / 5.7, network 2.7 / 4.0 / 14.0
/// for LL / LL128 / Simple), applied to fabricsim's Simple α. Where that α
/// was fitted above NCCL's figure (NVLink 11 µs against 3.4, xGMI 4.5 against RCCL's 2.1),
/// the protocols inherit the same factor: the fit measured how much slower
/// a real step is than NCCL's table, and nothing says the LL steps are
/// exempt. 0 for unknown families.
pub fn protocol_step_s(family: &str, proto: super::Protocol, simple_s: f64) -> f64 {
    match hw_class(family) {
        None => 0.0,
        Some(hw) => {
            let t = nccl_ring_hw_lat_us(hw);
            simple_s * t[proto as usize] / t[super::Protocol::Simple as usize]
        }
    }
}

/// Latency paid once per collective by a protocol \[s\]: **cited**, NCCL
/// 2.20.3 `baseLat[Ring]`: `LL` 6.6 µs, `LL128` 14.0 µs. `Simple` pays 0
/// here: its fitted per-step α ([`NVLINK_STEP_S`]) already absorbs NCCL's
/// 8.4 µs. No launch overhead is added: on the `fit` systems' points below
/// 16 MiB (8×A100, 8×H100, 8×H200, 8×MI300X) a fixed extra of 0, 5, 10,
/// 15, 20 or 30 µs gave a median |error| of 33.5, 42.3, 48.2, 49.4, 51.5
/// and 53.4 %, so the cited values stand.
pub fn protocol_base_s(proto: super::Protocol) -> f64 {
    match proto {
        super::Protocol::Ll => 6.6e-6,
        super::Protocol::Ll128 => 14.0e-6,
        super::Protocol::Simple => 0.0,
    }
}

/// Fraction of the Simple protocol's bandwidth a protocol sustains in the
/// simulation: **cited**, [`protocol_share`] of the NCCL release the run
/// follows (`release`), so that what `auto` chooses is simulated as that
/// release models it; a tree (`algo` [`Algo::Tree`](super::Algo::Tree))
/// takes the tree's shares, every other algorithm the ring's. NCCL's
/// further caps on LL/LL128 bandwidth (`llMaxBws`, `perChMaxRingLL128Bws`,
/// `perChMaxTreeLL128Bws`) are not applied: they bind only at sizes where
/// the protocol is not chosen (docs/collectives.md).
pub fn protocol_bandwidth_fraction(
    proto: super::Protocol,
    algo: super::Algo,
    op: super::Op,
    nodes: usize,
    ranks_per_node: f64,
    release: crate::release::NcclVersion,
) -> f64 {
    let tree = algo == super::Algo::Tree;
    protocol_share(release, tree, proto, op, nodes, ranks_per_node)
}

/// NCCL's tree LL refinement divides the tree's bus bandwidth by this
/// (`busBw / 3.8`, both releases).
pub(crate) const TREE_LL_DIVISOR: f64 = 3.8;

/// NCCL's tree LL128 refinement: `7/9` of the tree's bus bandwidth on one
/// node, `120/128` on several (both releases).
pub(crate) fn tree_ll128_share(nodes: usize) -> f64 {
    if nodes <= 1 { 7.0 / 9.0 } else { 120.0 / 128.0 }
}

/// The share of the Simple protocol's bus bandwidth that protocol `p`
/// keeps on a tree (`tree`) or a ring in release `v`'s cost model, before
/// NCCL's per-channel caps: **cited**, NCCL's refinements in
/// `ncclTopoTuneModel` (2.20.3: [S-nccl-tuning-cc]; 2.28.3:
/// [S-nccl-tuning-228]). The one table of these factors, read by both
/// cost models (`tuning`) and by the simulation
/// ([`protocol_bandwidth_fraction`]).
///
/// * Tree, both releases: LL `1/3.8`; LL128 `7/9` on one node, `120/128`
///   on several (relative to the tree's Simple bandwidth, which NCCL caps
///   further).
/// * Ring, 2.20.3: LL `1/4` on several nodes or for all-reduce and reduce,
///   else `1/3` (8-byte stores carry 4 data bytes, and the receiver polls
///   flags); LL128 `0.92` (120 of 128 bytes are data), `0.7` below 2 ranks
///   per node (the GPU sends and receives through its NIC).
/// * Ring, 2.28.3: LL `1/2` for every operation and node count; LL128
///   `0.92` at any ranks per node.
/// * Simple: 1.
pub fn protocol_share(
    v: crate::release::NcclVersion,
    tree: bool,
    p: super::Protocol,
    op: super::Op,
    nodes: usize,
    ppn: f64,
) -> f64 {
    use super::{Op, Protocol};
    use crate::release::NcclVersion;
    match (p, tree, v) {
        (Protocol::Simple, _, _) => 1.0,
        (Protocol::Ll, true, _) => 1.0 / TREE_LL_DIVISOR,
        (Protocol::Ll128, true, _) => tree_ll128_share(nodes),
        (Protocol::Ll, _, NcclVersion::V2_20_3) => {
            if nodes > 1 || matches!(op, Op::AllReduce | Op::Reduce) {
                0.25
            } else {
                1.0 / 3.0
            }
        }
        (Protocol::Ll, _, NcclVersion::V2_28_3) => 0.5,
        (Protocol::Ll128, _, NcclVersion::V2_20_3) if ppn < 2.0 => 0.7,
        (Protocol::Ll128, _, _) => 0.92,
    }
}
