//! Link and switch technology presets, each value with its source.
//!
//! Sources are the entries of the project's hardware reference table
//! (`docs/sources.md`), quoted here so the code stands alone.
//! `\[2nd\]` marks a figure from a secondary source (press or blog), `\[U\]` an
//! uncertain one, and **assumed** a value for which no source was found: the
//! assumption and its reasoning are stated next to it. Every preset value can
//! be overridden in a topology file.
//!
//! Conventions:
//! - `bandwidth_bps` is the *line rate of one lane or port in one direction*
//!   \[bytes/s\] (GB/s = 1e9 bytes/s). A link's capacity per direction is
//!   `count × bandwidth_bps`.
//! - `latency_s` is the latency of one traversal of the link \[s\]:
//!   propagation plus serialization of a header. No source gives a per-link
//!   figure for any technology, so every preset uses
//!   [`ASSUMED_LINK_LATENCY_S`].
//! - `efficiency` is the **achievable fraction of the line rate, used by
//!   collectives later** (protocol headers, NCCL protocol overheads). The flow
//!   model itself always runs links at their full capacity.

/// Assumed latency of one link traversal when no source gives one \[s\]: 50 ns.
///
/// **Assumed**: about 10 m of cable at 5 ns/m (light in fibre or copper
/// travels at roughly 2/3 c); PHY and FEC delays are not modelled. With a
/// 150 ns Quantum-2 switch this gives NIC → switch → NIC = 250 ns, inside the
/// 100–300 ns "NIC-to-NIC through one switch ASIC" range quoted by WWT
/// ("The basics of high-performance networking" \[2nd\]).
pub const ASSUMED_LINK_LATENCY_S: f64 = 50e-9;

/// Propagation delay of optical fibre \[s/km\]: 5 µs per km.
///
/// Physics, not a product figure: light in silica fibre travels at `c/n`
/// with a group index `n ≈ 1.47` (**assumed**, typical single-mode fibre),
/// i.e. about 2.04e5 km/s or 4.9 µs/km, rounded to 5 µs/km (the 5 ns/m of
/// [`ASSUMED_LINK_LATENCY_S`]). `[dci] distance_km` uses it; real DCI routes
/// are longer than the straight line between sites, so give the fibre route
/// length.
pub const FIBRE_LATENCY_S_PER_KM: f64 = 5e-6;

/// Assumed DCI distance for the `dci` preset's latency: 100 km (a metro
/// data-centre interconnect), so 100 × [`FIBRE_LATENCY_S_PER_KM`] = 0.5 ms.
/// **Assumed**: the reference table has no DCI figure; set `distance_km` or
/// `latency` in `[dci]`.
pub const ASSUMED_DCI_DISTANCE_KM: f64 = 100.0;

/// The basis of a link efficiency. Every efficiency is meant as an
/// *achieved* collective figure (busbw a library reaches over the link
/// divided by its line rate, as NCCL's per-link constants are); a value on
/// another basis (a link-layer specification figure) would not compare with
/// the others and is replaced by an assumption on the achieved basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EfficiencyBasis {
    /// A published achieved figure (NCCL's constants, nccl-tests results).
    Achieved,
    /// Fitted to a published measurement of a `fit` system.
    Fitted,
    /// No achieved figure is published: an assumption, with its reasoning
    /// in the preset's documentation.
    Assumed,
    /// No value (generic kinds; the file must give one).
    Unknown,
}

/// A link technology: line rate, latency and efficiency of one lane/port.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkKind {
    /// Name used in files, e.g. `nvlink4`.
    pub name: &'static str,
    /// Technology family, e.g. `nvlink`, `infiniband`.
    pub family: &'static str,
    /// Line rate of one lane/port per direction \[bytes/s\]; `None` for the
    /// generic family kinds, which must give `bandwidth` in the file.
    pub bandwidth_bps: Option<f64>,
    /// Latency of one traversal \[s\]; `None` for generic kinds.
    pub latency_s: Option<f64>,
    /// Achievable fraction of the line rate, used by collectives later;
    /// `None` means unknown (treated as 1.0 unless the file gives one).
    pub efficiency: Option<f64>,
    /// Where [`LinkKind::efficiency`] comes from.
    pub efficiency_basis: EfficiencyBasis,
    /// Tier label given to links of this kind when the file gives none.
    pub default_tier: &'static str,
    /// Switch preset used by parametric blocks when the file names none.
    pub default_switch: Option<&'static str>,
}

const GB: f64 = 1e9;

/// NVLink 3 (A100): 25 GB/s per link per direction.
///
/// Source: "NVLink3 (A100): 12 links × 25 GB/s/dir = 300 GB/s/dir"
/// (sjeaugey in NVIDIA/nccl-tests#149). Efficiency 0.80 = NCCL's per-link
/// NVLink bandwidth constant for SM80, 20.0 GB/s, over the 25 GB/s line rate
/// (NVIDIA/nccl `src/graph/topo.h` @5067397); the same ~20 GB/s effective is
/// reported in nccl-tests#149. Latency: no figure found,
/// [`ASSUMED_LINK_LATENCY_S`].
pub const NVLINK3: LinkKind = LinkKind {
    name: "nvlink3",
    family: "nvlink",
    bandwidth_bps: Some(25.0 * GB),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(20.0 / 25.0),
    efficiency_basis: EfficiencyBasis::Achieved,
    default_tier: "scale-up",
    default_switch: Some("nvswitch-gen2"),
};

/// NVLink 4 (H100/H200): 25 GB/s per link per direction.
///
/// Source: "18 links (NV18), 450 GB/s/dir line rate" (nccl-tests#212,
/// topology output in nccl#1357), so 450 / 18 = 25 GB/s per link.
/// Efficiency 0.824 = NCCL's SM90 per-link constant 20.6 GB/s over 25 GB/s
/// (`topo.h` @5067397); consistent with "NCCL achieves ~370 effective"
/// of 450 (0.82, nccl-tests#212). Latency: no figure found,
/// [`ASSUMED_LINK_LATENCY_S`].
pub const NVLINK4: LinkKind = LinkKind {
    name: "nvlink4",
    family: "nvlink",
    bandwidth_bps: Some(25.0 * GB),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(20.6 / 25.0),
    efficiency_basis: EfficiencyBasis::Achieved,
    default_tier: "scale-up",
    default_switch: Some("nvswitch-gen3"),
};

/// NVLink 5 (B200/GB200/B300): 50 GB/s per link per direction.
///
/// Source: "18 links × 100 GB/s bidir = 1.8 TB/s per GPU (900 GB/s/dir)"
/// (rillor.com, slicast.com \[2nd\]), so 100 / 2 = 50 GB/s per link per
/// direction. Efficiency 0.802 = NCCL's SM100 per-link constant 40.1 GB/s over
/// 50 GB/s (`topo.h` @5067397; nccl#1807 shows 18 × 40.1 = 721.8 in B200
/// logs). Latency: no figure found, [`ASSUMED_LINK_LATENCY_S`].
pub const NVLINK5: LinkKind = LinkKind {
    name: "nvlink5",
    family: "nvlink",
    bandwidth_bps: Some(50.0 * GB),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(40.1 / 50.0),
    efficiency_basis: EfficiencyBasis::Achieved,
    default_tier: "scale-up",
    default_switch: Some("nvswitch-gen4"),
};

/// UALink 200G 1.0: 200 Gb/s = 25 GB/s per lane per direction.
///
/// Source: UALink 200G 1.0 specification overview and webinar Q&A
/// (ualinkconsortium.org): "200G per lane; x1/x2/x4 ports (a x4 port =
/// 800G)" (port widths \[U\]); use `count` for the port width. Latency: no
/// per-link figure, [`ASSUMED_LINK_LATENCY_S`].
///
/// Efficiency **assumed** 0.80, NVLink's achieved fraction (NCCL's per-lane
/// NVLink constant, 20 of 25 GB/s): no achieved UALink collective figure is
/// published. The specification's "93% effective peak bandwidth" is a
/// link-layer figure (protocol overhead only), not an achieved collective
/// busbw; set beside NVLink's achieved 0.80 it would favour UALink by 16% in
/// every comparison. A file may override it (`efficiency = 0.93` for the
/// link-layer bound).
pub const UALINK_200G: LinkKind = LinkKind {
    name: "ualink-200g",
    family: "ualink",
    bandwidth_bps: Some(200e9 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(0.80),
    efficiency_basis: EfficiencyBasis::Assumed,
    default_tier: "scale-up",
    default_switch: None,
};

/// A UALink 200G port of `lanes` lanes (see [`UALINK_200G_X1`]).
const fn ualink_port(name: &'static str, lanes: f64) -> LinkKind {
    LinkKind {
        name,
        bandwidth_bps: Some(lanes * 200e9 / 8.0),
        ..UALINK_200G
    }
}

/// UALink 200G ports of 1, 2 and 4 lanes (x1, x2, x4): 25, 50 and 100 GB/s
/// per port per direction.
///
/// Source: "200G per lane (212.5G PHY). x1/x2/x4 ports (a x4 port = 800G)"
/// (UALink 200G 1.0 overview and webinar Q&A, ualinkconsortium.org); the
/// port widths are marked \[U\] there (inferred from a webinar slide, not read
/// in the specification). Efficiency **assumed** 0.80, as [`UALINK_200G`].
/// Latency: no per-link figure, [`ASSUMED_LINK_LATENCY_S`]. A link of `count`
/// ports of these kinds carries `count` × the port rate.
///
/// This one: x1, 25 GB/s per direction.
pub const UALINK_200G_X1: LinkKind = ualink_port("ualink-200g-x1", 1.0);
/// UALink 200G x2 port: 50 GB/s per direction (see [`UALINK_200G_X1`]).
pub const UALINK_200G_X2: LinkKind = ualink_port("ualink-200g-x2", 2.0);
/// UALink 200G x4 port: 100 GB/s (800 Gb/s) per direction (see [`UALINK_200G_X1`]).
pub const UALINK_200G_X4: LinkKind = ualink_port("ualink-200g-x4", 4.0);

/// AMD Infinity Fabric / xGMI 3 (MI300X): 64 GB/s per link per direction.
///
/// Source: "7 links/GPU, full mesh of 8. 64 GB/s raw per link, ~48 GB/s usable
/// per direction (75%)" (AMD ROCm blog "mi300x-rccl-xgmi"; ROCm/rccl#1210).
/// Efficiency **fitted**: 0.705 = 315.91 / (7 × 64), the 8 GiB rccl-tests
/// all-reduce busbw of an 8×MI300X platform (hisohara/ai-scripts,
/// docs/calibration.md) over its 7-link line rate; at 8 GiB
/// per-step latency is negligible, so this is the achievable fraction. It is
/// close to AMD's own "~48 of 64 usable" (0.75). Latency: no figure found,
/// [`ASSUMED_LINK_LATENCY_S`].
pub const XGMI3: LinkKind = LinkKind {
    name: "xgmi3",
    family: "xgmi",
    bandwidth_bps: Some(64.0 * GB),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(315.91 / 448.0),
    efficiency_basis: EfficiencyBasis::Fitted,
    default_tier: "scale-up",
    default_switch: None,
};

/// `xgmi`: alias of [`XGMI3`] for MI300X-class Infinity Fabric links (same
/// values and sources). Efficiency is stored per kind name, so a file may
/// use `xgmi` and `xgmi3` with different `efficiency` overrides.
pub const XGMI: LinkKind = LinkKind {
    name: "xgmi",
    ..XGMI3
};

/// InfiniBand NDR: 400 Gb/s = 50 GB/s per port per direction.
///
/// Source: NDR is 400 Gb/s ("Quantum-2: 64×400G", router-switch.com \[2nd\];
/// "ConnectX-7: 400G NDR/400GbE"). Efficiency 0.95 = 47.5 / 50, the middle of
/// "46–49 GB/s per NIC through NCCL" (nccl-tests#290, nccl-tests#267).
/// Latency: no per-link figure, [`ASSUMED_LINK_LATENCY_S`].
pub const INFINIBAND_NDR: LinkKind = LinkKind {
    name: "infiniband-ndr",
    family: "infiniband",
    bandwidth_bps: Some(400e9 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(47.5 / 50.0),
    efficiency_basis: EfficiencyBasis::Achieved,
    default_tier: "scale-out",
    default_switch: Some("quantum-2"),
};

/// InfiniBand XDR: 800 Gb/s = 100 GB/s per port per direction.
///
/// Source: "ConnectX-8 SuperNIC: 800 Gb/s (IB XDR or 2×400GbE)"
/// (wccftech.com \[2nd\]); "Quantum-X800: 144×800G" \[2nd\]. Efficiency: no
/// figure found; **assumed** 0.95, the same as NDR. Latency: no figure,
/// [`ASSUMED_LINK_LATENCY_S`].
pub const INFINIBAND_XDR: LinkKind = LinkKind {
    name: "infiniband-xdr",
    family: "infiniband",
    bandwidth_bps: Some(800e9 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(0.95),
    efficiency_basis: EfficiencyBasis::Assumed,
    default_tier: "scale-out",
    default_switch: Some("quantum-x800"),
};

/// 400G Ethernet: 400 Gb/s = 50 GB/s per port per direction.
///
/// Source: the line rate is the name ("ConnectX-7: 400G NDR/400GbE";
/// "AMD Pollara 400: 400G AI NIC"). Efficiency: **assumed** 0.95, the
/// ConnectX-7 NCCL figure of 46–49 GB/s (nccl-tests#290, #267), which is not
/// stated to be Ethernet. Latency: no figure, [`ASSUMED_LINK_LATENCY_S`].
pub const ETHERNET_400G: LinkKind = LinkKind {
    name: "ethernet-400g",
    family: "ethernet",
    bandwidth_bps: Some(400e9 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(0.95),
    efficiency_basis: EfficiencyBasis::Assumed,
    default_tier: "scale-out",
    default_switch: None,
};

/// 800G Ethernet: 800 Gb/s = 100 GB/s per port per direction.
///
/// Source: "ConnectX-8 SuperNIC: 800 Gb/s"; "GB300 NVL72: 4 ConnectX-8 per
/// compute tray (1 per GPU, 800 Gb/s)" (NVIDIA NVL72 reference architecture);
/// "Tomahawk 5: 51.2 Tb/s (64×800G \[U\])". Efficiency: **assumed** 0.95, as
/// for 400G. Latency: no figure, [`ASSUMED_LINK_LATENCY_S`].
pub const ETHERNET_800G: LinkKind = LinkKind {
    name: "ethernet-800g",
    family: "ethernet",
    bandwidth_bps: Some(800e9 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(0.95),
    efficiency_basis: EfficiencyBasis::Assumed,
    default_tier: "scale-out",
    default_switch: None,
};

/// Ultra Ethernet 800G: 800 Gb/s = 100 GB/s per port per direction.
///
/// Source: "Ultra Ethernet 1.0: released June 2025 ... UET transport
/// (multipath packet spraying, selective retransmit), Link Layer Retry,
/// Credit-Based Flow Control and packet trimming. Aimed at back-end networks
/// above 400G" (arXiv 2508.08906); an 800G UEC NIC: "Pensando Vulcano 800G
/// UEC" in AMD Helios (theregister.com). Packet spraying is what
/// `routing = "spray"` (the default) models. Efficiency: no figure;
/// **assumed** 0.95, as for `ethernet-800g`. Latency: no figure,
/// [`ASSUMED_LINK_LATENCY_S`]. No default switch (none is named UEC-compliant
/// in the sources): give `switch_kind` or `switch_radix`.
pub const ULTRA_ETHERNET_800G: LinkKind = LinkKind {
    name: "ultra-ethernet-800g",
    ..ETHERNET_800G
};

/// Long-haul data-centre interconnect (DCI) link: 400 Gb/s = 50 GB/s per lane
/// per direction, 0.5 ms.
///
/// No source in the reference table: every value is **assumed**. Bandwidth:
/// one 400G coherent wavelength per lane. Latency: [`ASSUMED_DCI_DISTANCE_KM`]
/// of fibre at [`FIBRE_LATENCY_S_PER_KM`] = 0.5 ms (override with `[dci]
/// distance_km` or `latency`). Efficiency 0.95, as for Ethernet. Its links get
/// the tier `dci`.
pub const DCI: LinkKind = LinkKind {
    name: "dci",
    family: "dci",
    bandwidth_bps: Some(400e9 / 8.0),
    latency_s: Some(ASSUMED_DCI_DISTANCE_KM * FIBRE_LATENCY_S_PER_KM),
    efficiency: Some(0.95),
    efficiency_basis: EfficiencyBasis::Assumed,
    default_tier: "dci",
    default_switch: None,
};

/// PCIe Gen5 x16: 32 GT/s × 16 lanes × 128/130 / 8 = 63.0 GB/s per direction.
///
/// Source: "PCIe Gen5 x16: 32 GT/s × 16 ≈ 63 GB/s per direction (spec
/// arithmetic, 128b/130b)"; "Measured host↔device 52 GB/s (Azure H200
/// nvbandwidth)". Efficiency 0.825 = 52 / 63.0. Latency: no figure,
/// [`ASSUMED_LINK_LATENCY_S`].
pub const PCIE5_X16: LinkKind = LinkKind {
    name: "pcie5-x16",
    family: "pcie",
    bandwidth_bps: Some(32e9 * 16.0 * 128.0 / 130.0 / 8.0),
    latency_s: Some(ASSUMED_LINK_LATENCY_S),
    efficiency: Some(52.0 / (32.0 * 16.0 * 128.0 / 130.0 / 8.0)),
    efficiency_basis: EfficiencyBasis::Achieved,
    default_tier: "pcie",
    default_switch: None,
};

/// A generic family kind: no preset values, so a file using it must give
/// `bandwidth` and `latency` (efficiency defaults to unknown).
const fn generic(name: &'static str, tier: &'static str) -> LinkKind {
    LinkKind {
        name,
        family: name,
        bandwidth_bps: None,
        latency_s: None,
        efficiency: None,
        efficiency_basis: EfficiencyBasis::Unknown,
        default_tier: tier,
        default_switch: None,
    }
}

/// Every link kind a file may name: the presets above, then the generic
/// family kinds (`nvlink`, `ualink`, `ethernet`, `infiniband`, `pcie`,
/// `custom`), which carry no values. (`xgmi` and `dci` are presets.)
pub const LINK_KINDS: &[LinkKind] = &[
    NVLINK3,
    NVLINK4,
    NVLINK5,
    UALINK_200G,
    UALINK_200G_X1,
    UALINK_200G_X2,
    UALINK_200G_X4,
    XGMI3,
    XGMI,
    INFINIBAND_NDR,
    INFINIBAND_XDR,
    ETHERNET_400G,
    ETHERNET_800G,
    ULTRA_ETHERNET_800G,
    PCIE5_X16,
    DCI,
    generic("nvlink", "scale-up"),
    generic("ualink", "scale-up"),
    generic("ethernet", "scale-out"),
    generic("infiniband", "scale-out"),
    generic("pcie", "pcie"),
    generic("custom", "custom"),
];

/// Looks up a link kind by its file name.
pub fn link_kind(name: &str) -> Option<&'static LinkKind> {
    LINK_KINDS.iter().find(|k| k.name == name)
}

/// A switch technology: port count and forwarding latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SwitchKind {
    /// Name used in files, e.g. `quantum-2`.
    pub name: &'static str,
    /// Number of ports at the technology's nominal speed, if a source gives
    /// it; parametric blocks use it as the default `switch_radix`.
    pub ports: Option<u32>,
    /// Forwarding latency per traversal (port to port) \[s\].
    pub latency_s: f64,
    /// Whether the switch can reduce in the network (NVLS, SHARP); the
    /// default for `in_switch_reduction`.
    pub in_switch_reduction: bool,
}

/// Third-generation NVSwitch (HGX/DGX H100): 64 NVLink4 ports.
///
/// Source: "NVSwitch gen3: 64 NVLink4 ports, 3.2 TB/s" (fridayswithfaraday.com
/// \[2nd\]). In-switch reduction: NVLink SHARP (NVLS) on third-generation
/// NVSwitch (NVIDIA technical blog "Upgrading multi-GPU interconnectivity
/// with the third-generation NVIDIA NVSwitch"); NCCL models it with
/// nvlsEfficiency 0.85 on Hopper (`tuning.cc`). Latency: no figure found;
/// **assumed** 150 ns, the UALink 200G 1.0 port-to-port target for a 25.6 Tb/s
/// scale-up switch ("≤150 ns", ualinkconsortium.org).
pub const NVSWITCH_GEN3: SwitchKind = SwitchKind {
    name: "nvswitch-gen3",
    ports: Some(64),
    latency_s: 150e-9,
    in_switch_reduction: true,
};

/// Second-generation NVSwitch (DGX A100, 6 per board; mila-docs PR 176).
/// No port count or latency found; latency **assumed** 150 ns as for gen3.
/// No in-switch reduction (NVLS arrived with gen3).
pub const NVSWITCH_GEN2: SwitchKind = SwitchKind {
    name: "nvswitch-gen2",
    ports: None,
    latency_s: 150e-9,
    in_switch_reduction: false,
};

/// NVLink 5 switch chip (GB200/GB300 NVL72; 18 per rack).
///
/// Source: "9 NVLink switch trays × 2 NVSwitch chips = 18 chips. Each chip
/// then has 72×18/18 = 72 NVLink5 ports (derived \[U\])" (setloop.io \[2nd\]).
/// In-switch reduction: NCCL models NVLS on Blackwell with nvlsEfficiency 0.74
/// (`tuning.cc`). Latency **assumed** 150 ns as for gen3.
pub const NVSWITCH_GEN4: SwitchKind = SwitchKind {
    name: "nvswitch-gen4",
    ports: Some(72),
    latency_s: 150e-9,
    in_switch_reduction: true,
};

/// NVIDIA Quantum-2 (QM9700), NDR InfiniBand: 64 × 400G, <150 ns port to port.
///
/// Source: router-switch.com "Quantum-2 QM9700 vs Spectrum-4 SN5400" \[2nd\].
/// Latency 150 ns, the stated upper bound. In-switch reduction: not given in
/// the reference table, so off by default (set `in_switch_reduction`).
pub const QUANTUM_2: SwitchKind = SwitchKind {
    name: "quantum-2",
    ports: Some(64),
    latency_s: 150e-9,
    in_switch_reduction: false,
};

/// NVIDIA Quantum-X800 (Q3400), XDR InfiniBand: 144 × 800G, SHARP gen4.
///
/// Source: ziash.github.io NCA-AIIO study guide \[2nd\]. Latency: no figure;
/// **assumed** 150 ns, as Quantum-2.
pub const QUANTUM_X800: SwitchKind = SwitchKind {
    name: "quantum-x800",
    ports: Some(144),
    latency_s: 150e-9,
    in_switch_reduction: true,
};

/// NVIDIA Spectrum-4 (SN5400), 51.2 Tb/s Ethernet.
///
/// Source: router-switch.com \[2nd\]; the port split is not given, so no default
/// radix. Latency: no figure; **assumed** 250 ns, the Tomahawk Ultra figure
/// (a low-latency part, so optimistic for a general Ethernet switch).
pub const SPECTRUM_4: SwitchKind = SwitchKind {
    name: "spectrum-4",
    ports: None,
    latency_s: 250e-9,
    in_switch_reduction: false,
};

/// Broadcom Tomahawk 5, 51.2 Tb/s, 64 × 800G \[U\].
///
/// Source: gazettabyte.com (TH6 article) — the 64×800G split is marked
/// uncertain. Latency **assumed** 250 ns as for Spectrum-4.
pub const TOMAHAWK_5: SwitchKind = SwitchKind {
    name: "tomahawk5",
    ports: Some(64),
    latency_s: 250e-9,
    in_switch_reduction: false,
};

/// Broadcom Tomahawk 6, 102.4 Tb/s, 64 × 1.6 TbE.
///
/// Source: servethehome.com TH6 launch; gazettabyte.com. Latency **assumed**
/// 250 ns as for Spectrum-4.
pub const TOMAHAWK_6: SwitchKind = SwitchKind {
    name: "tomahawk6",
    ports: Some(64),
    latency_s: 250e-9,
    in_switch_reduction: false,
};

/// Broadcom Tomahawk Ultra, 51.2 Tb/s, 250 ns, in-network collectives.
///
/// Source: storagereview.com and techzine.eu ("250 ns switch latency ...
/// LLR, CBFC, in-network collectives"). The port split is not given.
pub const TOMAHAWK_ULTRA: SwitchKind = SwitchKind {
    name: "tomahawk-ultra",
    ports: None,
    latency_s: 250e-9,
    in_switch_reduction: true,
};

/// UALink switch chips, named by their aggregate bandwidth: 25.6, 51.2 and
/// 102.4 Tb/s, i.e. 64, 128 and 256 ports of 400G (x2).
///
/// Source: UALink 200G 1.0 "switch port-to-port latency target (400G ports):
/// 25T ≤150 ns, 50T <200 ns, 100T <250 ns" (UALink webinar Q&A,
/// ualinkconsortium.org); the latencies are those targets (upper bounds).
/// The port counts are derived, **assuming** "25T/50T/100T" mean 25.6, 51.2
/// and 102.4 Tb/s (the usual switch-ASIC sizes): 25.6 Tb/s / 400 Gb/s = 64.
/// `switch_radix` counts 400G ports: with x4 (800G) ports, halve it. No
/// in-switch reduction (the sources name none). Up to 1,024 accelerators per
/// UALink pod (same source).
pub const UALINK_SWITCH_25T: SwitchKind = SwitchKind {
    name: "ualink-switch-25t",
    ports: Some(64),
    latency_s: 150e-9,
    in_switch_reduction: false,
};

/// 51.2 Tb/s UALink switch: 128 × 400G, <200 ns (see [`UALINK_SWITCH_25T`]).
pub const UALINK_SWITCH_50T: SwitchKind = SwitchKind {
    name: "ualink-switch-50t",
    ports: Some(128),
    latency_s: 200e-9,
    in_switch_reduction: false,
};

/// 102.4 Tb/s UALink switch: 256 × 400G, <250 ns (see [`UALINK_SWITCH_25T`]).
pub const UALINK_SWITCH_100T: SwitchKind = SwitchKind {
    name: "ualink-switch-100t",
    ports: Some(256),
    latency_s: 250e-9,
    in_switch_reduction: false,
};

/// Every switch preset a file may name as a node `kind` or `switch_kind`.
pub const SWITCH_KINDS: &[SwitchKind] = &[
    NVSWITCH_GEN2,
    NVSWITCH_GEN3,
    NVSWITCH_GEN4,
    QUANTUM_2,
    QUANTUM_X800,
    SPECTRUM_4,
    TOMAHAWK_5,
    TOMAHAWK_6,
    TOMAHAWK_ULTRA,
    UALINK_SWITCH_25T,
    UALINK_SWITCH_50T,
    UALINK_SWITCH_100T,
];

/// Looks up a switch preset by its file name.
pub fn switch_kind(name: &str) -> Option<&'static SwitchKind> {
    SWITCH_KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = LINK_KINDS.iter().map(|k| k.name).collect();
        names.extend(SWITCH_KINDS.iter().map(|k| k.name));
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn default_switches_exist() {
        for k in LINK_KINDS {
            if let Some(s) = k.default_switch {
                assert!(switch_kind(s).is_some(), "{s}");
            }
        }
    }
}
