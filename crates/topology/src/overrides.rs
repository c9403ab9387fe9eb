//! Preset overrides: the result of a calibration as a file (`fabricsim
//! calibrate --out`, read by a topology's `calibration = "FILE"` or
//! `--calibration FILE`).
//!
//! [`Overrides`] holds link efficiencies per link kind, per-step latencies α
//! per link family and the NVLS efficiency. [`apply_overrides`] applies the
//! efficiencies to a topology; the collective model's `Params` takes the α
//! and NVLS values (`fabricsim_collective::Params::apply_overrides`). Format
//! and method: `docs/calibration.md`.
//!
//! Invariant: calibration never edits a topology file; an override is a
//! separate file applied in memory after loading.

use crate::Topology;
use fabricsim_base::units::Seconds;
use std::collections::BTreeMap;

/// The families and in-network reductions that have a per-step α
/// (`collective::presets`).
pub const ALPHA_KEYS: [&str; 9] = [
    "nvlink",
    "ualink",
    "xgmi",
    "infiniband",
    "ethernet",
    "dci",
    "pcie",
    "nvls",
    "sharp",
];

/// Preset overrides from a calibration: link efficiency per link kind, α
/// per link family, NVLS efficiency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Achievable fraction of line rate per link kind (`nvlink3`, ...).
    pub link_efficiency: BTreeMap<String, f64>,
    /// Per-step latency \[s\] per family ([`ALPHA_KEYS`]).
    pub step_latency_s: BTreeMap<String, f64>,
    /// NVLS reduce/multicast efficiency.
    pub nvls_efficiency: Option<f64>,
}

/// The file form of [`Overrides`].
#[derive(serde::Deserialize, serde::Serialize, Default)]
#[serde(deny_unknown_fields)]
struct OverridesFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nvls_efficiency: Option<f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    link_efficiency: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    step_latency: BTreeMap<String, String>,
}

fn check_efficiency(what: &str, e: f64) -> Result<(), String> {
    if e.is_finite() && e > 0.0 && e <= 2.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} = {e}: an efficiency must be in (0, 2] (a fraction of line rate)"
        ))
    }
}

impl Overrides {
    /// Parses an override file (format in `docs/calibration.md`).
    pub fn parse(text: &str) -> Result<Overrides, String> {
        let f: OverridesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(e) = f.nvls_efficiency {
            check_efficiency("nvls_efficiency", e)?;
        }
        for (k, &e) in &f.link_efficiency {
            check_efficiency(&format!("link_efficiency.{k}"), e)?;
        }
        let mut step_latency_s = BTreeMap::new();
        for (k, v) in &f.step_latency {
            if !ALPHA_KEYS.contains(&k.as_str()) {
                return Err(format!(
                    "step_latency.{k}: unknown family{} (known: {})",
                    fabricsim_base::diag::suggestion(k, ALPHA_KEYS),
                    ALPHA_KEYS.join(", ")
                ));
            }
            let s: Seconds = v
                .parse()
                .map_err(|e| format!("step_latency.{k} = \"{v}\": {e}"))?;
            if !(s.get().is_finite() && s.get() >= 0.0) {
                return Err(format!("step_latency.{k} = \"{v}\": must be ≥ 0"));
            }
            step_latency_s.insert(k.clone(), s.get());
        }
        Ok(Overrides {
            link_efficiency: f.link_efficiency,
            step_latency_s,
            nvls_efficiency: f.nvls_efficiency,
        })
    }

    /// The TOML body (no header comments), parseable by [`Overrides::parse`].
    pub fn to_toml(&self) -> String {
        let f = OverridesFile {
            nvls_efficiency: self.nvls_efficiency,
            link_efficiency: self.link_efficiency.clone(),
            step_latency: self
                .step_latency_s
                .iter()
                .map(|(k, &v)| (k.clone(), format!("{:.6} us", v * 1e6)))
                .collect(),
        };
        let mut s = toml::to_string(&f).expect("overrides serialize");
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s
    }
}

/// Replaces the efficiency of every link kind named in `o` in `topo`. A kind
/// the topology has no link of is an error (the calibration was made for
/// another fabric); nothing is changed then.
pub fn apply_overrides(topo: &mut Topology, o: &Overrides) -> Result<(), String> {
    for kind in o.link_efficiency.keys() {
        if !topo.links.iter().any(|l| &l.kind == kind) {
            let mut kinds: Vec<&str> = topo.links.iter().map(|l| l.kind.as_str()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            return Err(format!(
                "the calibration sets link kind \"{kind}\", which \"{}\" has no link of (it has: {})",
                topo.name,
                kinds.join(", ")
            ));
        }
    }
    for (kind, &e) in &o.link_efficiency {
        topo.link_efficiency.insert(kind.clone(), e);
    }
    Ok(())
}
