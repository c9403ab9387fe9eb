//! Power presets: what every part of a fabric draws, each value with its
//! source or marked **ASSUMED** with the reasoning, and the `[power]` table
//! of a topology file that overrides them.
//!
//! The energy model that uses these figures lives in the `energy` crate
//! (docs/energy.md has every formula). Units: W for power, pJ/bit for the
//! energy of a bit carried over a link (both ends together), fractions of
//! the accelerator's TDP for its idle and communication-only states.
//! Source anchors (`[S-...]`) are entries of docs/sources.md.

use crate::accelerators::Accelerator;
use crate::presets::SwitchKind;
use crate::{Link, NodeRole, Topology};

/// Idle power of an accelerator as a fraction of its TDP: 0.15.
///
/// \[2nd\] "an idle GPU still draws 15% of TDP", e.g. ~105 W for a 700 W
/// H100 (nemulai.com, GPU electricity cost note, [S-nemulai-idle]). No
/// vendor publishes an idle figure for these parts; the same fraction is
/// used for every preset (ASSUMED beyond the NVIDIA/AMD parts it lists).
pub const IDLE_FRACTION: f64 = 0.15;

/// Power of an accelerator that only communicates (collective kernels
/// running, tensor cores idle) as a fraction of its TDP: 0.5.
///
/// **ASSUMED**: no published figure. NCCL/RCCL kernels occupy a few SMs and
/// stream HBM at line rate; the NVLink/xGMI SerDes (inside the TDP) are
/// busy. Half of TDP sits between the idle floor (0.15) and the compute
/// draw (1.0) and is the order of memory-bound kernels' draw.
pub const COMMUNICATION_FRACTION: f64 = 0.5;

/// Exponent `α` of the power-cap curve: at a cap `C` below TDP `P`, with
/// idle power `I`, compute runs at `((C − I)/(P − I))^α` of its uncapped
/// speed (docs/energy.md, "Power cap").
///
/// **ASSUMED**, calibrated to one secondary figure: capping an H100 at
/// 600 W "typically loses 10 to 15 % step throughput" on transformer
/// pre-training (\[2nd\] factryze.ai, power capping, [S-factryze-cap]). With
/// `I = 105 W`, `α = ln(0.88)/ln(495/595) = 0.70` gives 12 %, the middle
/// of that range. DVFS theory brackets it: `α = 1/3` where voltage scales
/// with frequency (`P ∝ f³`), `α = 1` at the voltage floor (`P ∝ f`).
pub const CAP_EXPONENT: f64 = 0.7;

/// Power of one accelerator preset's platform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlatformPower {
    /// Accelerator preset name (`accelerators::ACCELERATORS`).
    pub accelerator: &'static str,
    /// Accelerators per server (compute tray or 8-GPU baseboard).
    pub per_server: u32,
    /// Host overhead per server \[W\]: CPUs, memory, storage, fans, DPUs,
    /// power conversion; everything but the accelerators, NICs and
    /// scale-up switches, which are counted on their own.
    pub host_w: f64,
    /// Where `host_w` comes from.
    pub note: &'static str,
}

/// Host overhead of an 8-GPU HGX/DGX-class x86 server \[W\]: 2,200 W.
///
/// Derived: the highest power measured on an 8-GPU H100 HGX node during
/// training is ~8.4 kW (Latif et al. 2025, IEEE Access 13, arXiv:2412.08602,
/// [S-latif-h100-node]); with the GPUs near full utilization (8 × 700 W =
/// 5.6 kW) the rest is 2.8 kW, of which 8 NICs × 25 W
/// ([`NIC_400G_W`]) and 4 NVSwitch chips × 100 W ([`NVSWITCH_GEN3_W`]) leave
/// 2.2 kW for the host. The rated maximum is 10.2 kW (DGX H100 user guide,
/// [S-nvidia-dgx-h100-power]). Used for every 8-GPU board (A100, H200,
/// B200, B300, MI300X, MI325X, MI355X): **ASSUMED** the same host for them.
pub const HGX_HOST_W: f64 = 2200.0;

/// Host overhead of a 4-GPU rack-scale compute tray (GB200/GB300 NVL72,
/// Helios) \[W\]: 1,000 W.
///
/// **ASSUMED**: two Grace CPUs with their LPDDR5X at ~300 W each, two
/// BlueField-3 DPUs, fans/pumps and conversion losses ~300 W. Check: a
/// GB300 tray then draws 4 × 1,400 + 1,000 + 4 × 40 = 6.76 kW, beside the
/// "~6.5 kW each" reported for GB300 NVL72 compute trays (\[2nd\] introl.com,
/// [S-introl-gb300]).
pub const TRAY_HOST_W: f64 = 1000.0;

/// Platform power per accelerator preset (the others: 8 per server,
/// [`HGX_HOST_W`]).
pub const PLATFORMS: &[PlatformPower] = &[
    PlatformPower {
        accelerator: "gb200",
        per_server: 4,
        host_w: TRAY_HOST_W,
        note: "NVL72 compute tray: 2 superchips = 4 GPUs (ASSUMED host)",
    },
    PlatformPower {
        accelerator: "gb300",
        per_server: 4,
        host_w: TRAY_HOST_W,
        note: "NVL72 compute tray: 4 GPUs (ASSUMED host)",
    },
    PlatformPower {
        accelerator: "mi450",
        per_server: 4,
        host_w: TRAY_HOST_W,
        note: "Helios compute tray: 4 GPUs (ASSUMED host, as an NVL72 tray)",
    },
    PlatformPower {
        accelerator: "tpu-v4",
        per_server: 4,
        host_w: 500.0,
        note: "TPU v4 host: 4 chips (ASSUMED 500 W host)",
    },
];

/// The platform of `part` (8 per server and [`HGX_HOST_W`] unless listed).
pub fn platform(part: Option<&Accelerator>) -> PlatformPower {
    let name = part.map_or("", |a| a.name);
    PLATFORMS
        .iter()
        .find(|p| p.accelerator == name)
        .copied()
        .unwrap_or(PlatformPower {
            accelerator: "",
            per_server: 8,
            host_w: HGX_HOST_W,
            note: "8-GPU server (host derived from a measured HGX H100 node)",
        })
}

/// NIC power up to 400 Gb/s \[W\]: 25 W.
///
/// **ASSUMED**: no datasheet figure for ConnectX-7 was found; a PCIe
/// Gen5 ×16 single-port 400G adapter is cooled as a ~25 W card. The
/// transceiver is counted with the link ([`PLUGGABLE_PJ_PER_BIT`]).
pub const NIC_400G_W: f64 = 25.0;

/// NIC power at 800 Gb/s \[W\]: 40 W. **ASSUMED**: twice the SerDes of a
/// 400G NIC and a PCIe Gen6 interface (ConnectX-8 class); not doubled,
/// since the packet engine and host interface do not double.
pub const NIC_800G_W: f64 = 40.0;

/// Power of one NIC whose port line rate is `gbps` \[Gb/s\]: [`NIC_400G_W`]
/// up to 400 Gb/s, [`NIC_800G_W`] up to 800 Gb/s, proportionally above.
pub fn nic_w(gbps: f64) -> f64 {
    if gbps <= 400.0 {
        NIC_400G_W
    } else if gbps <= 800.0 {
        NIC_800G_W
    } else {
        NIC_800G_W * gbps / 800.0
    }
}

/// NVSwitch gen4 (NVL72 switch tray chip) \[W\]: 200 W.
///
/// \[2nd\] "NVLink-5 switch trays: 9, 3.6 kW total" in a GB300 NVL72
/// (introl.com, [S-introl-gb300]): 400 W per tray of two chips, 200 W per
/// chip with its share of the tray.
pub const NVSWITCH_GEN4_W: f64 = 200.0;

/// NVSwitch gen3 (HGX H100) \[W\]: 100 W. **ASSUMED**: [`NVSWITCH_GEN4_W`]
/// scaled by bandwidth (3.2 / 7.2 TB/s ≈ 0.44, rounded up to half).
pub const NVSWITCH_GEN3_W: f64 = 100.0;

/// Scale-out switch system power per Tb/s of switching \[W per Tb/s\]:
/// 750 W / 51.2 Tb/s.
///
/// A 51.2 Tb/s ASIC draws ~500 W (Tomahawk 5: "we estimate power
/// consumption ... reaching 500W", TechInsights/Linley, [S-techinsights-th5];
/// "450W typical", \[2nd\] chipcraft.tech). **ASSUMED** ×1.5 for the switch
/// system (CPU, fans, power supplies; optics are counted with the links):
/// 750 W per 51.2 Tb/s.
pub const SCALE_OUT_W_PER_TBPS: f64 = 750.0 / 51.2;

/// Scale-up switch power per Tb/s \[W per Tb/s\]: an NVSwitch gen4 chip,
/// [`NVSWITCH_GEN4_W`] for 72 ports × 50 GB/s = 28.8 Tb/s per direction.
/// Used for scale-up switches without a figure of their own (UALink).
pub const SCALE_UP_W_PER_TBPS: f64 = NVSWITCH_GEN4_W / 28.8;

/// Power of a switch preset \[W\], where one is given per ASIC.
pub fn switch_preset_w(kind: &SwitchKind) -> Option<f64> {
    let per_tbps = |tbps: f64| Some(SCALE_OUT_W_PER_TBPS * tbps);
    match kind.name {
        "nvswitch-gen4" => Some(NVSWITCH_GEN4_W),
        "nvswitch-gen3" => Some(NVSWITCH_GEN3_W),
        // ASSUMED: half of gen3 (about half its bandwidth).
        "nvswitch-gen2" => Some(NVSWITCH_GEN3_W / 2.0),
        // Quantum-2 25.6 Tb/s, Spectrum-4 / Tomahawk 5 / Tomahawk Ultra
        // 51.2, Tomahawk 6 102.4, Quantum-X800 115.2 Tb/s (144 × 800G):
        // the per-Tb/s figure above (ASSUMED beyond Tomahawk 5).
        "quantum-2" => per_tbps(25.6),
        "spectrum-4" | "tomahawk5" | "tomahawk-ultra" => per_tbps(51.2),
        "tomahawk6" => per_tbps(102.4),
        "quantum-x800" => per_tbps(115.2),
        "ualink-switch-25t" => Some(SCALE_UP_W_PER_TBPS * 25.6),
        "ualink-switch-50t" => Some(SCALE_UP_W_PER_TBPS * 51.2),
        "ualink-switch-100t" => Some(SCALE_UP_W_PER_TBPS * 102.4),
        _ => None,
    }
}

/// Pluggable optics, energy per bit carried over one link in one
/// direction, both ends' modules included \[pJ/bit\]: 18.75.
///
/// "each port uses around 30 watts" for 1.6 Tb/s pluggable optics
/// (NVIDIA at the Spectrum-X Photonics launch, \[2nd\] notebookcheck.net and
/// TechInsights, [S-nvidia-cpo]). A link has a module at each end and each
/// module carries both directions: 2 × 30 W over 2 × 1.6 Tb/s = 18.75
/// pJ/bit. (NVIDIA's 400G OSFP transceiver draws 9 W: 2 × 9 W over 2 ×
/// 400 Gb/s = 22.5 pJ/bit, [S-nvidia-osfp-400g].)
pub const PLUGGABLE_PJ_PER_BIT: f64 = 18.75;

/// Co-packaged optics, both ends \[pJ/bit\]: 5.625.
///
/// "reduces power consumption per port to around nine watts" at 1.6 Tb/s
/// (same source, [S-nvidia-cpo]): 2 × 9 W over 2 × 1.6 Tb/s; Broadcom
/// quotes 5.5 pJ/bit for Tomahawk 5 CPO (\[2nd\] chipcraft.tech). Both ends
/// co-packaged is the what-if (NICs with CPO are not shipped).
pub const CO_PACKAGED_PJ_PER_BIT: f64 = 5.625;

/// Copper links (NVLink, UALink, xGMI, PCIe) \[pJ/bit\]: 0.
///
/// Passive copper cables are "near zero power consuming" (NVIDIA DAC
/// specification, [S-nvidia-dac]); the SerDes that drive them are inside
/// the accelerators' TDP and the switches' power, so a bit over copper
/// costs nothing beyond them.
pub const COPPER_PJ_PER_BIT: f64 = 0.0;

/// Long-haul DCI optics, both ends \[pJ/bit\]: 50.
///
/// **ASSUMED**: a 400G coherent (ZR-class) module at ~20 W at each end, 2 ×
/// 20 W over 2 × 400 Gb/s; amplifiers and line systems not counted.
pub const DCI_PJ_PER_BIT: f64 = 50.0;

/// Optics choice for the scale-out links (`[power] optics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optics {
    /// Pluggable transceivers at both ends (the default).
    #[default]
    Pluggable,
    /// Optics co-packaged with the switch and NIC ASICs.
    CoPackaged,
}

impl Optics {
    /// The name in files.
    pub fn name(self) -> &'static str {
        match self {
            Optics::Pluggable => "pluggable",
            Optics::CoPackaged => "co-packaged",
        }
    }
}

/// The medium of a link, which sets its energy per bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Medium {
    /// Electrical: scale-up (NVLink, UALink, xGMI), PCIe, custom.
    Copper,
    /// Optical scale-out (Ethernet, InfiniBand).
    Optical,
    /// Long-haul between sites.
    Dci,
}

/// The medium of a link: by its kind's family (Ethernet and InfiniBand
/// optical, `dci` long-haul, the rest copper), except that the links of
/// tier `nic` (accelerator to its NIC, on the board) are copper whatever
/// their kind. **ASSUMED**: every other scale-out link is optical (some
/// NIC–leaf links are copper DACs in practice; set `optical_pj_per_bit`
/// to blend them).
pub fn medium(link: &Link) -> Medium {
    if link.tier == "nic" {
        return Medium::Copper;
    }
    let kind = link.kind.as_str();
    let family = crate::presets::link_kind(kind).map_or(kind, |k| k.family);
    match family {
        "ethernet" | "infiniband" => Medium::Optical,
        "dci" => Medium::Dci,
        _ => Medium::Copper,
    }
}

/// The `[power]` table of a topology file: overrides of the presets, each
/// `None` when the file does not give it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct PowerSettings {
    /// `accelerator_tdp_w`: replaces the accelerator preset's TDP \[W\].
    pub accelerator_tdp_w: Option<f64>,
    /// `accelerator_idle_w` \[W\].
    pub accelerator_idle_w: Option<f64>,
    /// `accelerator_communication_w` \[W\].
    pub accelerator_communication_w: Option<f64>,
    /// `accelerator_cap_w`: a power cap below TDP \[W\] (slower compute).
    pub accelerator_cap_w: Option<f64>,
    /// `accelerators_per_server`.
    pub accelerators_per_server: Option<u32>,
    /// `host_w`: host overhead per server \[W\].
    pub host_w: Option<f64>,
    /// `nic_w`: power of every NIC \[W\].
    pub nic_w: Option<f64>,
    /// `scale_up_switch_w`: power of every scale-up switch \[W\].
    pub scale_up_switch_w: Option<f64>,
    /// `scale_out_switch_w`: power of every other switch \[W\].
    pub scale_out_switch_w: Option<f64>,
    /// `optics`: pluggable (default) or co-packaged.
    pub optics: Option<Optics>,
    /// `optics_always_on`: charge optical and DCI links their transceivers'
    /// full power for the whole run (energy per bit × line rate) instead of
    /// per bit carried (default false).
    pub optics_always_on: Option<bool>,
    /// `optical_pj_per_bit`: replaces the optics figure \[pJ/bit, both ends\].
    pub optical_pj_per_bit: Option<f64>,
    /// `copper_pj_per_bit` \[pJ/bit\].
    pub copper_pj_per_bit: Option<f64>,
    /// `dci_pj_per_bit` \[pJ/bit\].
    pub dci_pj_per_bit: Option<f64>,
    /// `pue`: facility power usage effectiveness (default 1.0).
    pub pue: Option<f64>,
}

/// The power of every part of a topology, presets and `[power]` resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerModel {
    /// Accelerator TDP \[W\] (0 when the topology names no accelerator and
    /// the file gives no `accelerator_tdp_w`).
    pub tdp_w: f64,
    /// Power while computing \[W\]: the TDP, or the cap below it.
    pub busy_w: f64,
    /// Power while only communicating \[W\].
    pub communication_w: f64,
    /// Power while idle \[W\].
    pub idle_w: f64,
    /// Compute speed under the cap relative to uncapped (1 without a cap).
    pub compute_speed: f64,
    /// Accelerators per server.
    pub per_server: u32,
    /// Host overhead per server \[W\].
    pub host_w: f64,
    /// Power of each node \[W\] that draws a constant power (NICs and
    /// switches; 0 for accelerators and hosts, which are counted apart).
    pub node_w: Vec<f64>,
    /// Energy per bit carried of each directed link \[J/bit\] (0 for a
    /// link charged as always on).
    pub link_j_per_bit: Vec<f64>,
    /// Constant power of each directed link \[W\]: with `optics_always_on`,
    /// an optical link's energy per bit × its line rate; else 0.
    pub link_w: Vec<f64>,
    /// Optics of the optical links.
    pub optics: Optics,
    /// Facility PUE (≥ 1).
    pub pue: f64,
}

/// Compute speed under a cap `cap_w` (module docs of [`CAP_EXPONENT`]):
/// `((cap − idle)/(tdp − idle))^α`, 1 at or above the TDP.
pub fn cap_speed(tdp_w: f64, idle_w: f64, cap_w: f64) -> f64 {
    if cap_w >= tdp_w || tdp_w <= idle_w {
        1.0
    } else {
        ((cap_w - idle_w).max(0.0) / (tdp_w - idle_w)).powf(CAP_EXPONENT)
    }
}

/// The accelerator's TDP and idle power \[W\] after `[power]`.
fn tdp_idle(topo: &Topology) -> (f64, f64) {
    let s = &topo.power;
    let tdp = s
        .accelerator_tdp_w
        .or(topo.accelerator.map(|a| a.tdp_w))
        .unwrap_or(0.0);
    (tdp, s.accelerator_idle_w.unwrap_or(IDLE_FRACTION * tdp))
}

/// Compute speed of `topo`'s accelerators under its power cap, relative to
/// uncapped ([`cap_speed`]; 1 without `accelerator_cap_w`).
pub fn compute_speed(topo: &Topology) -> f64 {
    let (tdp, idle) = tdp_idle(topo);
    topo.power
        .accelerator_cap_w
        .map_or(1.0, |c| cap_speed(tdp, idle, c))
}

impl PowerModel {
    /// Resolves the presets and the topology's `[power]` table.
    pub fn of(topo: &Topology) -> PowerModel {
        let s = &topo.power;
        let (tdp, idle) = tdp_idle(topo);
        let comm = s
            .accelerator_communication_w
            .unwrap_or(COMMUNICATION_FRACTION * tdp);
        let busy = s.accelerator_cap_w.map_or(tdp, |c| c.min(tdp));
        let compute_speed = compute_speed(topo);
        let plat = platform(topo.accelerator);
        let optics = s.optics.unwrap_or_default();
        let optical = s.optical_pj_per_bit.unwrap_or(match optics {
            Optics::Pluggable => PLUGGABLE_PJ_PER_BIT,
            Optics::CoPackaged => CO_PACKAGED_PJ_PER_BIT,
        });
        let copper = s.copper_pj_per_bit.unwrap_or(COPPER_PJ_PER_BIT);
        let dci = s.dci_pj_per_bit.unwrap_or(DCI_PJ_PER_BIT);
        let always_on = s.optics_always_on.unwrap_or(false);
        let (mut link_j_per_bit, mut link_w) = (Vec::new(), Vec::new());
        for l in &topo.links {
            let m = medium(l);
            let j = 1e-12
                * match m {
                    Medium::Copper => copper,
                    Medium::Optical => optical,
                    Medium::Dci => dci,
                };
            if always_on && m != Medium::Copper {
                link_j_per_bit.push(0.0);
                link_w.push(j * 8.0 * l.capacity_bps);
            } else {
                link_j_per_bit.push(j);
                link_w.push(0.0);
            }
        }
        // Line rate out of each node [bits/s] and whether it has a
        // scale-up link.
        let n = topo.nodes.len();
        let mut out_bits = vec![0.0; n];
        let mut scale_up = vec![false; n];
        let mut to_switch_bits = vec![0.0; n];
        for l in &topo.links {
            let Link { src, dst, .. } = l;
            out_bits[src.idx()] += 8.0 * l.capacity_bps;
            if topo.nodes[dst.idx()].role != NodeRole::Accelerator {
                to_switch_bits[src.idx()] += 8.0 * l.capacity_bps;
            }
            if l.tier == "scale-up" {
                scale_up[src.idx()] = true;
                scale_up[dst.idx()] = true;
            }
        }
        let node_w = topo
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| match node.role {
                NodeRole::Nic => s.nic_w.unwrap_or_else(|| nic_w(to_switch_bits[i] / 1e9)),
                NodeRole::Switch => {
                    let preset = crate::presets::switch_kind(&node.kind).and_then(switch_preset_w);
                    if scale_up[i] {
                        s.scale_up_switch_w.or(preset).unwrap_or(
                            // Unnamed scale-up switch: by its bandwidth.
                            SCALE_UP_W_PER_TBPS * out_bits[i] / 1e12,
                        )
                    } else {
                        s.scale_out_switch_w
                            .or(preset)
                            .unwrap_or(SCALE_OUT_W_PER_TBPS * out_bits[i] / 1e12)
                    }
                }
                NodeRole::Accelerator | NodeRole::Host => 0.0,
            })
            .collect();
        PowerModel {
            tdp_w: tdp,
            busy_w: busy,
            communication_w: comm.min(busy),
            idle_w: idle.min(busy),
            compute_speed,
            per_server: s.accelerators_per_server.unwrap_or(plat.per_server).max(1),
            host_w: s.host_w.unwrap_or(plat.host_w),
            node_w,
            link_j_per_bit,
            link_w,
            optics,
            pue: s.pue.unwrap_or(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_curve_matches_its_calibration_point() {
        // H100: 700 W TDP, idle 0.15 × 700 = 105 W, cap 600 W → 12 % slower
        // (the middle of the quoted 10–15 %), to the rounding of α.
        let s = cap_speed(700.0, 105.0, 600.0);
        assert!((s - 0.88).abs() < 0.005, "{s}");
        assert_eq!(cap_speed(700.0, 105.0, 700.0), 1.0);
        assert_eq!(cap_speed(700.0, 105.0, 800.0), 1.0);
    }

    #[test]
    fn nic_power_by_speed() {
        assert_eq!(nic_w(400.0), NIC_400G_W);
        assert_eq!(nic_w(800.0), NIC_800G_W);
        assert_eq!(nic_w(1600.0), 2.0 * NIC_800G_W);
    }

    #[test]
    fn every_switch_preset_has_a_power() {
        for k in crate::presets::SWITCH_KINDS {
            assert!(switch_preset_w(k).is_some(), "{}", k.name);
        }
    }
}
