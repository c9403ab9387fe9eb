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
use fabricsim_base::diag::{Diagnostics, Sink};
use fabricsim_base::spanned::{check_keys, fraction, get, parse_document, quantity, wrong_type};
use fabricsim_base::units::Quantity;
use std::collections::BTreeMap;
use toml::de::DeValue;

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

/// Top-level keys of an override file.
const KEYS: [&str; 3] = ["nvls_efficiency", "link_efficiency", "step_latency"];

impl Overrides {
    /// Parses an override file (format in `docs/calibration.md`) that has
    /// no path: [`Overrides::parse_at`] with an empty one.
    pub fn parse(text: &str) -> Result<Overrides, Diagnostics> {
        Overrides::parse_at(text, "")
    }

    /// Parses an override file shown as `path`: every problem at its key's
    /// `line:col`, with a hint. Efficiencies are in (0, 1] (a fraction of
    /// line rate: more than 1 would be faster than the wire), step latencies
    /// durations from 0 to the largest accepted
    /// ([`fabricsim_base::units::Quantity::max`]).
    pub fn parse_at(text: &str, path: &str) -> Result<Overrides, Diagnostics> {
        let mut sink = Sink::new(text, path);
        let mut o = Overrides::default();
        if let Some(root) = parse_document(&mut sink, text) {
            let root = root.get_ref();
            check_keys(&mut sink, root, &KEYS, "a calibration file");
            if let Some(v) = get(root, "nvls_efficiency") {
                o.nvls_efficiency = fraction(&mut sink, v, "nvls_efficiency").map(|x| x.v);
            }
            if let Some(v) = get(root, "link_efficiency") {
                match v.get_ref() {
                    DeValue::Table(t) => {
                        for (k, v) in t.iter() {
                            let key = format!("link_efficiency.{}", k.get_ref());
                            if let Some(x) = fraction(&mut sink, v, &key) {
                                o.link_efficiency.insert(k.get_ref().to_string(), x.v);
                            }
                        }
                    }
                    _ => wrong_type(
                        &mut sink,
                        v,
                        "link_efficiency",
                        "a table of link kind = efficiency",
                        None,
                    ),
                }
            }
            if let Some(v) = get(root, "step_latency") {
                match v.get_ref() {
                    DeValue::Table(t) => {
                        check_keys(&mut sink, t, &ALPHA_KEYS, "[step_latency]");
                        for (k, v) in t.iter() {
                            let fam: &str = k.get_ref();
                            if !ALPHA_KEYS.contains(&fam) {
                                continue;
                            }
                            let key = format!("step_latency.{fam}");
                            if let Some(x) = quantity(&mut sink, v, &key, Quantity::Duration) {
                                o.step_latency_s.insert(fam.to_string(), x.v);
                            }
                        }
                    }
                    _ => wrong_type(
                        &mut sink,
                        v,
                        "step_latency",
                        "a table of family = \"duration\"",
                        None,
                    ),
                }
            }
        }
        match sink.finish() {
            Some(d) => Err(d),
            None => Ok(o),
        }
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

/// A calibration names a link kind the topology has no link of (it was made
/// for another fabric).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "the calibration sets link kind \"{kind}\", which \"{topology}\" has no link of (it has: {})",
    kinds.join(", ")
)]
pub struct UnknownLinkKind {
    /// The kind the calibration names.
    pub kind: String,
    /// The topology's name.
    pub topology: String,
    /// The kinds the topology has, sorted.
    pub kinds: Vec<String>,
}

/// Replaces the efficiency of every link kind named in `o` in `topo`. A kind
/// the topology has no link of is an error (the calibration was made for
/// another fabric); nothing is changed then.
pub fn apply_overrides(topo: &mut Topology, o: &Overrides) -> Result<(), UnknownLinkKind> {
    for kind in o.link_efficiency.keys() {
        if !topo.links.iter().any(|l| &l.kind == kind) {
            let mut kinds: Vec<&str> = topo.links.iter().map(|l| l.kind.as_str()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            return Err(UnknownLinkKind {
                kind: kind.clone(),
                topology: topo.name.clone(),
                kinds: kinds.into_iter().map(String::from).collect(),
            });
        }
    }
    for (kind, &e) in &o.link_efficiency {
        topo.link_efficiency.insert(kind.clone(), e);
    }
    Ok(())
}
