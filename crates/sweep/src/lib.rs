//! Parameter sweeps: a base topology and a job or collective, varied over a
//! grid of axes, run point by point into a results table.
//!
//! ```text
//! sweep file ──Sweep::load──► Sweep (base files, axes) ──point i──► edited base TOML
//!     ──Topology::parse / Job::parse──► Topology, Job
//!     ──collective::run / workload::iteration::run──► one Row ──► Table (CSV, JSON, plots)
//! ```
//!
//! A point's parameters are written into the parsed base files
//! (`toml::Table`) at their key paths and the result is built with the
//! ordinary readers, so every validation rule applies to every point; a
//! point that does not build or run becomes a row with its `error`, never a
//! panic. The format is in `docs/sweep-format.md`.
//!
//! Invariants:
//! - Point `i` is the `i`-th element of the cartesian product of the axes in
//!   file order, the last axis fastest; its values never depend on which
//!   shard or thread runs it.
//! - A row depends only on its point: the same sweep gives byte-identical
//!   `results.csv` and `results.json` on 1 thread or many, and shards merged
//!   ([`table::merge`]) give the unsharded files byte for byte.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod param;
pub mod plots;
mod point;
mod run;
pub mod set;
mod spec;
pub mod table;

pub use param::{CollectiveKey, FailKey, Param, Seg};
pub use run::run;
pub use spec::MAX_POINTS;
pub use table::{Cell, Header, Shard, Table};

use serde::{Deserialize, Serialize};

/// A checked sweep file.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// `name`, or the file's stem.
    pub name: String,
    /// What each point runs.
    pub target: Target,
    /// The base topologies (one unless `topology` is an array: an axis).
    pub topologies: Vec<BaseFile>,
    /// The base jobs of a job sweep (one unless `job` is an array).
    pub jobs: Vec<BaseFile>,
    /// The calibration files the points may read (a base topology's
    /// `calibration` key, a `topology.calibration` axis), resolved and read
    /// once: part of the fingerprint. `doc` is empty.
    pub calibrations: Vec<BaseFile>,
    /// The axes in grid order (file arrays first, then `[axes]` in file order).
    pub axes: Vec<Axis>,
    /// Values of the `collective` and `[failures]` tables (axes override them).
    pub base: Vec<(Param, toml::Value)>,
    /// The `[plot]` table, if given.
    pub plot: Option<PlotSpec>,
    /// The limits the sweep was read within; every point's topology and job
    /// are checked against them too.
    pub limits: fabricsim_base::limits::Limits,
}

/// What each point runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One collective (`collective = { ... }`).
    Collective,
    /// One training iteration of a job (`job = "..."`).
    Job,
}

impl Target {
    /// `collective` or `job`, as in the results header's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Collective => "collective",
            Target::Job => "job",
        }
    }
}

/// One axis: a parameter and the values it takes, as the user wrote them
/// (a size range is expanded into integer byte counts).
#[derive(Clone, Debug)]
pub struct Axis {
    /// The key as written in the file (the column name).
    pub name: String,
    /// What the axis varies.
    pub param: Param,
    /// The values, in file order (never empty).
    pub values: Vec<toml::Value>,
}

/// A base file, read once.
#[derive(Clone, Debug)]
pub struct BaseFile {
    /// The path as written in the sweep file (the `topology`/`job` column).
    pub label: String,
    /// The path resolved against the sweep file's folder (messages, and
    /// the folder a topology's `calibration` file is relative to).
    pub shown: String,
    /// The file's text, as read.
    pub text: String,
    /// The file parsed as TOML, which points edit.
    pub doc: toml::Table,
}

/// `[plot]`: which metric against which axis, one line per value of another.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlotSpec {
    /// The numeric metric column to plot.
    pub metric: Option<String>,
    /// The axis along the x axis.
    pub x: Option<String>,
    /// The axis with one line per value.
    pub lines: Option<String>,
}

/// The metric columns of a target, in row order (units in the names: bytes,
/// seconds, GB/s = 1e9 bytes/s).
pub fn metric_columns(target: Target) -> &'static [&'static str] {
    match target {
        Target::Collective => &[
            "bytes",
            "algorithm",
            "time_s",
            "algbw_gbps",
            "busbw_gbps",
            "bound_s",
            "efficiency_vs_bound",
            "bottleneck_link",
            "bottleneck_kind",
            "bottleneck_utilization",
        ],
        Target::Job => &[
            "total_time_s",
            "compute_time_s",
            "comm_time_s",
            "exposed_comm_time_s",
            "bubble_s",
            "tokens_per_s",
            "mfu",
            "tp_time_s",
            "cp_time_s",
            "ep_time_s",
            "pp_time_s",
            "dp_time_s",
            "joules_per_iteration",
            "average_power_w",
            "tokens_per_joule",
        ],
    }
}

impl Sweep {
    /// Number of points of the whole grid (the product of the axis lengths).
    pub fn points(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// The value index on each axis of point `index` (last axis fastest).
    pub fn coords(&self, index: usize) -> Vec<usize> {
        let lens: Vec<usize> = self.axes.iter().map(|a| a.values.len()).collect();
        grid_coords(index, &lens)
    }

    /// Every column: `point`, the axes, the metrics, `error`.
    pub fn columns(&self) -> Vec<String> {
        std::iter::once("point".to_string())
            .chain(self.axes.iter().map(|a| a.name.clone()))
            .chain(metric_columns(self.target).iter().map(|s| s.to_string()))
            .chain(std::iter::once("error".to_string()))
            .collect()
    }

    /// A fingerprint of everything that decides the results: the name, the
    /// text of every file a point reads (base topologies, jobs and their
    /// calibration files), the base values, the axes and the plot (FNV-1a,
    /// 64 bits, hex), with the default simulation knobs. Shards of one sweep
    /// share it; `merge` checks it.
    pub fn fingerprint(&self) -> String {
        self.fingerprint_with(&fabricsim_collective::Params::default())
    }

    /// [`Self::fingerprint`] of a run with `params`: the knobs that change
    /// results and are not in the files (`--collnet`, `--nccl`) are part of
    /// it, so shards run with different flags do not merge; default knobs
    /// give [`Self::fingerprint`].
    pub fn fingerprint_with(&self, params: &fabricsim_collective::Params) -> String {
        let mut s = format!(
            "fabricsim-sweep-2\n{}\n{}\n{}\n",
            env!("CARGO_PKG_VERSION"),
            self.name,
            self.target.name()
        );
        for f in self.topologies.iter().chain(&self.jobs) {
            s += &format!("file {}\n{}\n", f.label, f.text);
        }
        for f in &self.calibrations {
            s += &format!("calibration {}\n{}\n", f.label, f.text);
        }
        for (p, v) in &self.base {
            s += &format!("base {p:?} = {v}\n");
        }
        for a in &self.axes {
            s += &format!("axis {} {:?}:", a.name, a.param);
            for v in &a.values {
                s += &format!(" {v}");
            }
            s += "\n";
        }
        s += &format!("plot {:?}\n", self.plot);
        if params.collnet {
            s += "collnet\n";
        }
        if let Some(v) = params.nccl {
            s += &format!("nccl {v}\n");
        }
        format!("{:016x}", fnv1a(s.as_bytes()))
    }

    /// The header of this sweep's results table, run with the default knobs.
    pub fn header(&self, shard: Option<Shard>) -> Header {
        self.header_with(shard, &fabricsim_collective::Params::default())
    }

    /// The header of this sweep's results table, run with `params`.
    pub fn header_with(
        &self,
        shard: Option<Shard>,
        params: &fabricsim_collective::Params,
    ) -> Header {
        Header {
            sweep: self.name.clone(),
            kind: self.target.name().to_string(),
            fingerprint: self.fingerprint_with(params),
            points: self.points(),
            shard,
            complete: true,
            errors: 0,
            axes: self
                .axes
                .iter()
                .map(|a| table::AxisHeader {
                    name: a.name.clone(),
                    values: a.values.iter().map(Cell::from_toml).collect(),
                })
                .collect(),
            plot: self.plot.clone(),
            columns: self.columns(),
        }
    }
}

/// FNV-1a 64-bit: a fixed hash, the same on every machine and release.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The coordinates of grid point `index` over axes of `lens` values, the
/// last axis varying fastest (the order of points in every table).
pub fn grid_coords(index: usize, lens: &[usize]) -> Vec<usize> {
    let mut rest = index;
    let mut c = vec![0; lens.len()];
    for i in (0..lens.len()).rev() {
        c[i] = rest % lens[i];
        rest /= lens[i];
    }
    c
}
