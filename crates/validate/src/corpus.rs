//! The corpus file (`validation/measurements.toml`, schema 1): published
//! systems with their fit/held-out split and their measured points.

use std::path::{Path, PathBuf};

use fabricsim_base::limits::{Limits, read_text};
use serde::{Deserialize, Serialize};

/// Whether a system's points may be used to fit a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// The model's constants were fitted on this system: its error is a fit
    /// residual, reported but not counted against the targets.
    Fit,
    /// Never used to fit anything: its error measures prediction.
    HeldOut,
}

impl Split {
    /// `fit` or `held_out`, as in the file.
    pub fn name(self) -> &'static str {
        match self {
            Split::Fit => "fit",
            Split::HeldOut => "held_out",
        }
    }
}

/// One published system.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct System {
    /// Identifier; the topology that models it is `<id>.toml`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Fit or held-out.
    pub split: Split,
    /// The accelerator part.
    pub accelerator: String,
    /// Accelerators per server.
    pub gpus_per_node: u32,
    /// Scale-up fabric as published.
    pub scale_up: String,
    /// Scale-out fabric as published.
    pub scale_out: String,
    /// What a topology file for it must model.
    #[serde(default)]
    pub topology_hint: String,
    /// Why the system is in its split.
    #[serde(default)]
    pub why_split: String,
}

/// One published measurement.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Point {
    /// The system's id.
    pub system: String,
    /// World size (ranks, one per accelerator).
    pub gpus: usize,
    /// Operation (`all-reduce`, `all-gather`, ...; `sendrecv` = `send-recv`).
    pub op: String,
    /// nccl-tests size S \[bytes\].
    pub size_bytes: u64,
    /// Published bus bandwidth \[GB/s = 1e9 bytes/s\].
    pub busbw_gbps: f64,
    /// Published time \[µs\], when the source printed it.
    #[serde(default)]
    pub time_us: Option<f64>,
    /// The algorithm the source names (`default`, `Ring`, `NVLS`, ...).
    #[serde(default)]
    pub algo: String,
    /// The source ran with in-network reduction enabled
    /// (`NCCL_COLLNET_ENABLE=1`, SHARP); default off, as NCCL's default.
    #[serde(default)]
    pub collnet: bool,
    /// NCCL/RCCL version as published.
    #[serde(default)]
    pub library: String,
    /// Publication or revision date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    #[serde(default)]
    pub source_date: String,
    /// Where the number comes from (URL).
    pub source: String,
}

/// The whole corpus.
#[derive(Clone, Debug, Deserialize)]
pub struct Corpus {
    /// Schema version (1).
    pub schema: u32,
    /// Systems.
    pub system: Vec<System>,
    /// Measurements.
    pub point: Vec<Point>,
}

/// Why a corpus cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file could not be read.
    #[error("{0}")]
    Read(String),
    /// The TOML does not match the schema.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong (toml's message names line and column).
        message: String,
    },
}

impl Corpus {
    /// Reads and checks a corpus file: schema 1, every point's system
    /// declared, system ids unique, every point with a positive size, GPU
    /// count and busbw.
    pub fn load(path: &Path, limits: &Limits) -> Result<Corpus, CorpusError> {
        let shown = path.display().to_string();
        let text = read_text(path, limits.max_input_bytes)
            .map_err(|e| CorpusError::Read(e.render(&shown)))?;
        Corpus::parse(&text, &shown)
    }

    /// [`Corpus::load`] on text; `path` names it in messages.
    pub fn parse(text: &str, path: &str) -> Result<Corpus, CorpusError> {
        let invalid = |message: String| CorpusError::Invalid {
            path: path.to_string(),
            message,
        };
        let c: Corpus = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if c.schema != 1 {
            return Err(invalid(format!(
                "schema = {}: this fabricsim reads schema 1",
                c.schema
            )));
        }
        for (i, s) in c.system.iter().enumerate() {
            if c.system[..i].iter().any(|t| t.id == s.id) {
                return Err(invalid(format!("system \"{}\" is declared twice", s.id)));
            }
        }
        for (i, p) in c.point.iter().enumerate() {
            if !c.system.iter().any(|s| s.id == p.system) {
                return Err(invalid(format!(
                    "point {i} names system \"{}\", which no [[system]] declares",
                    p.system
                )));
            }
            // nccl-tests prints busbw with two decimals: 0.00 at tiny sizes,
            // where the time carries the measurement.
            let time_ok = p.time_us.is_none_or(|t| t.is_finite() && t > 0.0);
            let busbw_ok = p.busbw_gbps.is_finite()
                && (p.busbw_gbps > 0.0 || (p.busbw_gbps == 0.0 && p.time_us.is_some()));
            if !(p.gpus >= 2 && p.size_bytes > 0 && time_ok && busbw_ok) {
                return Err(invalid(format!(
                    "point {i} ({}, {} GPUs, {} bytes): gpus must be ≥ 2, size and time positive, busbw positive (or 0.00 with a time)",
                    p.system, p.gpus, p.size_bytes
                )));
            }
        }
        Ok(c)
    }

    /// The system with `id`.
    pub fn system(&self, id: &str) -> Option<&System> {
        self.system.iter().find(|s| s.id == id)
    }
}

/// The topology file that models system `id`: `<dir>/<id>.toml`.
pub fn topology_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.toml"))
}
