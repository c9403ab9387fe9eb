//! `fabricsim collective`: an nccl-tests-shaped table (or JSON) of one
//! collective over a range of sizes.

use crate::failures::Failures;
use fabricsim_base::limits::Limits;
use fabricsim_base::units::{Bytes, Quantity, Seconds};
use fabricsim_collective::run::{BoundBy, Selection};
use fabricsim_collective::run::{
    DEFAULT_CHUNK_BYTES, Outcome, Request, run, run_with_report, with_alternative,
};
use fabricsim_collective::{Algo, CollectiveSim, Op, Params, Protocol, capability};
use fabricsim_plot::{Busbw, TopLinks};
use fabricsim_report::plot_data as from;
use fabricsim_topology::NodeId;
use serde::Serialize;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Topology file (TOML).
    pub(crate) topology: PathBuf,
    /// Operation: all-reduce, all-gather, reduce-scatter, all-to-all, broadcast, reduce, send-recv.
    #[arg(long)]
    pub(crate) op: String,
    /// Size S: one size (`1GiB`), a comma list, or a doubling range `1MiB..8GiB`.
    #[arg(long)]
    pub(crate) size: String,
    /// Ranks: a count (`64`: the first 64 accelerators) or rank indices (`0..8,16..24`).
    #[arg(long)]
    pub(crate) ranks: Option<String>,
    /// Algorithm: auto (what NCCL's cost model picks, simulated; --nccl
    /// sets the release), best
    /// (the fastest fabricsim can simulate, a what-if), ring, tree,
    /// halving-doubling, direct, nvls, hierarchical, pat, nvls-tree.
    #[arg(long, default_value = "auto")]
    pub(crate) algo: String,
    /// With `--algo auto`, do not also run every algorithm to report a
    /// faster alternative (saves time on large communicators).
    #[arg(long)]
    pub(crate) no_alternative: bool,
    /// Protocol: auto (NCCL's choice with `--algo auto`, else the fastest
    /// that NCCL enables by default), LL, LL128 or Simple.
    #[arg(long, default_value = "auto")]
    pub(crate) proto: String,
    /// Ring channels, 1 to 256 (default: one per rail when the ranks span
    /// several domains).
    #[arg(long, value_parser = parse_channels)]
    pub(crate) channels: Option<usize>,
    /// Per-step latency α for every transfer, e.g. `5 us` (default: the presets per link technology).
    #[arg(long)]
    pub(crate) alpha: Option<String>,
    /// Preset overrides written by `fabricsim calibrate --out` (link
    /// efficiency per kind, α per family), applied before running.
    #[arg(long)]
    pub(crate) calibration: Option<PathBuf>,
    /// Pipelining chunk of trees and broadcast/reduce chains (default 512 KiB, NCCL's step).
    #[arg(long)]
    pub(crate) chunk: Option<String>,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Write plots (PNG and SVG) into DIR: busbw against size, and for the
    /// largest size the busiest links, the steps and the tier heatmap.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) failures: super::FailArgs,
    #[command(flatten)]
    pub(crate) set: super::set::SetArgs,
    #[command(flatten)]
    pub(crate) budget: super::budget::BudgetArgs,
}

#[derive(Serialize)]
struct Report<'a> {
    topology: &'a str,
    op: Op,
    ranks: usize,
    results: &'a [Outcome],
    #[serde(skip_serializing_if = "Option::is_none")]
    failures: Option<&'a Failures>,
    /// Energy of one call of each result, in the same order.
    energy: &'a [CollectiveEnergy],
}

use fabricsim_collective::run::MAX_CHANNELS;
use fabricsim_energy::{CollectiveEnergy, collective_energy};

/// `--channels N`: 1 to [`MAX_CHANNELS`].
fn parse_channels(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CHANNELS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of channels from 1 to {MAX_CHANNELS}"
        )),
    }
}

/// Sizes from `1GiB`, `1MiB,4MiB` or the doubling range `1MiB..8GiB`
/// (like nccl-tests `-b 1M -e 8G -f 2`), at most `limits.max_sizes`.
pub(crate) fn parse_sizes(s: &str, limits: &Limits) -> Result<Vec<f64>, String> {
    let sizes =
        fabricsim_collective::select::sizes(s, limits.max_sizes).map_err(|e| e.to_string())?;
    below_max(
        "--size",
        s,
        Quantity::DataSize,
        sizes.iter().copied().fold(0.0, f64::max),
    )?;
    Ok(sizes)
}

/// Refuses a flag's value above the largest a file may give
/// ([`Quantity::max`]), so that every result stays finite.
pub(crate) fn below_max(flag: &str, text: &str, q: Quantity, v: f64) -> Result<(), String> {
    let (max, shown) = q.max();
    if v > max {
        return Err(format!(
            "error: {flag} \"{text}\": above the largest accepted {}, {shown}\n  \
             help: values above {shown} are refused so that every result stays finite; check the unit",
            q.name()
        ));
    }
    Ok(())
}

/// Rank selection: a count (`64`: the first 64 accelerators) or a comma list
/// of rank indices and half-open ranges (`0..8,16..24`).
pub(crate) fn parse_ranks(
    sel: Option<&str>,
    accelerators: &[NodeId],
) -> Result<Vec<NodeId>, String> {
    fabricsim_collective::select::ranks(sel, accelerators).map_err(|e| e.to_string())
}

pub(crate) fn command(a: &Args, limits: &Limits) -> Result<String, String> {
    let op: Op = a.op.parse().map_err(|e| format!("--op: {e}"))?;
    let algo: Algo = a.algo.parse().map_err(|e| format!("--algo: {e}"))?;
    let protocol: Option<Protocol> = match a.proto.as_str() {
        "auto" => None,
        p => Some(p.parse().map_err(|e| format!("--proto: {e}; or auto"))?),
    };
    let sizes = parse_sizes(&a.size, limits)?;
    let sets = a.set.parse(false)?;
    let mut topo = super::set::load_topology(&a.topology, &a.failures.fail, limits, &sets)?;
    let overrides = match &a.calibration {
        Some(p) => {
            let text = super::read_input(p, limits)?;
            let o =
                fabricsim_topology::overrides::Overrides::parse_at(&text, &p.display().to_string())
                    .map_err(|d| d.render())?;
            fabricsim_topology::overrides::apply_overrides(&mut topo, &o)
                .map_err(|e| format!("{}: error: {e}", p.display()))?;
            Some(o)
        }
        None => None,
    };
    let ranks = parse_ranks(a.ranks.as_deref(), &topo.accelerators)?;
    let alpha_s = match &a.alpha {
        Some(t) => {
            let v = t
                .parse::<Seconds>()
                .map_err(|e| format!("--alpha \"{t}\": {e}; {}", e.help()))?
                .get();
            below_max("--alpha", t, Quantity::Duration, v)?;
            Some(v)
        }
        None => None,
    };
    let chunk_bytes = match &a.chunk {
        Some(t) => {
            let c = t
                .parse::<Bytes>()
                .map_err(|e| format!("--chunk \"{t}\": {e}"))?
                .get();
            if !(c >= 1.0 && c.fract() == 0.0) {
                return Err(format!(
                    "--chunk \"{t}\": a pipelining chunk is a whole number of bytes, at least 1"
                ));
            }
            c
        }
        None => DEFAULT_CHUNK_BYTES,
    };
    let mut params = Params {
        alpha_s,
        ..a.budget.params()
    };
    if let Some(o) = &overrides {
        params.apply_overrides(o);
    }
    let request = |size: f64| Request {
        op,
        algo,
        size,
        channels: a.channels,
        chunk_bytes,
        protocol,
    };
    let mut sim = CollectiveSim::new(&topo, params.clone());
    let mut results = Vec::with_capacity(sizes.len());
    let mut energy = Vec::with_capacity(sizes.len());
    for &size in &sizes {
        let req = request(size);
        let fail = |e| {
            format!(
                "{}: error: {}",
                a.topology.display(),
                super::budget::explain(&e)
            )
        };
        let (mut out, report) = run_with_report(&mut sim, &ranks, &req).map_err(fail)?;
        energy.push(collective_energy(
            &topo,
            &ranks,
            out.time_s,
            &report.link_bytes,
        ));
        if algo == Algo::Auto && !a.no_alternative {
            out = with_alternative(&mut sim, std::slice::from_ref(&ranks), &req, out)
                .map_err(fail)?;
        }
        results.push(out);
    }
    // With failures: the same requests on the intact fabric, beside.
    let failures = if topo.failures.is_empty() {
        None
    } else {
        let mut intact = super::set::load_intact_topology(&a.topology, limits, &sets)?;
        if let Some(o) = &overrides {
            fabricsim_topology::overrides::apply_overrides(&mut intact, o)
                .map_err(|e| format!("error: {e}"))?;
        }
        let mut isim = CollectiveSim::new(&intact, params);
        let mut intact_times = Vec::with_capacity(sizes.len());
        for &size in &sizes {
            let req = request(size);
            let o = run(&mut isim, &ranks, &req).map_err(|e| {
                format!(
                    "{} (intact, without the failures): error: {}",
                    a.topology.display(),
                    super::budget::explain(&e)
                )
            })?;
            intact_times.push(o.time_s);
        }
        let times: Vec<f64> = results.iter().map(|o| o.time_s).collect();
        Failures::new(
            &intact,
            &topo,
            &ranks,
            &times,
            intact_times,
            a.budget.collnet,
        )
    };
    if let Some(dir) = &a.plots {
        let last = request(results.last().map_or(0.0, |o| o.bytes));
        let stem = super::plots::file_stem(&a.topology);
        plots(&mut sim, &stem, &ranks, &last, &results, failures.as_ref())?.write(dir)?;
    }
    if a.json {
        let report = Report {
            topology: &topo.name,
            op,
            ranks: ranks.len(),
            results: &results,
            failures: failures.as_ref(),
            energy: &energy,
        };
        let mut s = serde_json::to_string_pretty(&report).expect("report serializes");
        s.push('\n');
        return Ok(s);
    }
    let mut out = table(&topo.name, op, ranks.len(), &results, failures.as_ref());
    if op == Op::AllReduce
        && !a.budget.collnet
        && capability::unavailable(&topo, &ranks, capability::Capability::Sharp).is_none()
    {
        out += "# SHARP: the scale-out switches can reduce across the domains, but NCCL uses \
                them only with NCCL_COLLNET_ENABLE=1 (off by default): add --collnet to \
                simulate that\n";
    }
    Ok(out + &super::energy::collective_line(&results, &energy))
}

/// The plots of `--plots`: busbw against size (with the lower bound), and for
/// the largest size (`last`) its busiest links, steps and tier heatmap.
fn plots(
    sim: &mut CollectiveSim<'_>,
    name: &str,
    ranks: &[NodeId],
    last: &Request,
    results: &[Outcome],
    failures: Option<&Failures>,
) -> Result<super::plots::Batch, String> {
    let topo = sim.topology();
    let op = last.op.name();
    let n = ranks.len();
    let failed = crate::failures::title_suffix(topo);
    let mut series = from::busbw_series(name, results, 0).to_vec();
    // Before and after: with failures, the intact fabric's curve beside
    // (busbw ∝ 1/time at a fixed size).
    if let Some(f) = failures {
        series[0].name = "with failures".into();
        series[1].name = "lower bound".into();
        series.push(fabricsim_plot::Series {
            name: "intact fabric".into(),
            points: results
                .iter()
                .zip(&f.intact_time_s)
                .map(|(o, &t)| (o.bytes, o.busbw_gbps * o.time_s / t))
                .collect(),
            dashed: false,
            color: 1,
        });
    }
    let mut b = super::plots::Batch::new();
    b.add(
        &[name, op, "busbw"],
        &Busbw {
            title: format!("{op} busbw on {name}, {n} ranks{failed}"),
            series,
        },
    )?;
    let (o, report) = run_with_report(sim, ranks, last)
        .map_err(|e| format!("error: {}", super::budget::explain(&e)))?;
    let what = format!(
        "{op} of {} on {name}{failed} ({}/{})",
        fabricsim_plot::fmt_bytes(o.bytes),
        o.algorithm.name(),
        o.protocol.name()
    );
    b.add(
        &[name, op, "top-links"],
        &TopLinks {
            title: format!("Busiest links: {what}"),
            bars: from::top_links(topo, &report, 12),
        },
    )?;
    b.add(
        &[name, op, "timeline"],
        &from::step_timeline(&format!("Steps: {what}"), &report),
    )?;
    b.add(
        &[name, op, "heatmap"],
        &from::tier_heatmap(&format!("Link utilization by tier: {what}"), &report),
    )?;
    Ok(b)
}

/// nccl-tests' `count` column: the operation's per-call element count
/// (`paramcount`) for float32 — `S/4` for all-reduce, broadcast, reduce and
/// send-recv; `S/(4n)` (per rank, rounded down to a multiple of 4 elements as
/// nccl-tests aligns it) for all-gather, reduce-scatter and all-to-all.
fn count(op: Op, n: usize, bytes: f64) -> f64 {
    let elems = (bytes / 4.0).floor();
    match op {
        Op::AllGather | Op::ReduceScatter | Op::AllToAll => {
            (elems / (4.0 * n as f64)).floor() * 4.0
        }
        _ => elems,
    }
}

fn table(name: &str, op: Op, n: usize, rows: &[Outcome], failures: Option<&Failures>) -> String {
    let mut s = format!(
        "# {op} on {name}, {n} ranks (GB/s = 1e9 bytes/s; count = float32 elements per call, as nccl-tests; algorithm/protocol as NCCL names them)\n"
    );
    if let Some(f) = failures {
        s += &f.lines("us");
    }
    s += &format!(
        "#{:>14} {:>13} {:>6} {:>23} {:>11} {:>9} {:>9} {:>11} {:>7}  {}\n",
        "size",
        "count",
        "type",
        "algorithm",
        "time(us)",
        "algbw",
        "busbw",
        "bound(us)",
        "eff",
        "bound by: bottleneck link (utilization), or latency"
    );
    for r in rows {
        let bottleneck = match (r.bound_by, &r.bottleneck) {
            (BoundBy::Latency, _) => format!(
                "latency: {} step{}, {:.2} us of the time",
                r.steps,
                if r.steps == 1 { "" } else { "s" },
                r.latency_s * 1e6
            ),
            (BoundBy::Bandwidth, Some(b)) => {
                format!("{} ({:.0}%)", b.link, 100.0 * b.utilization)
            }
            (BoundBy::Bandwidth, None) => String::new(),
        };
        s += &format!(
            " {:>14} {:>13} {:>6} {:>23} {:>11.2} {:>9.2} {:>9.2} {:>11.2} {:>6.1}%  {}\n",
            r.bytes,
            count(op, n, r.bytes),
            "float",
            format!("{}/{}", r.algorithm.name(), r.protocol.name()),
            r.time_s * 1e6,
            r.algbw_gbps,
            r.busbw_gbps,
            r.bound_s * 1e6,
            100.0 * r.efficiency_vs_bound,
            bottleneck
        );
    }
    for r in rows {
        if let Some(alt) = &r.alternative {
            s += &format!(
                "# {}: {}/{} is faster than {}/{} ({:.2} us, busbw {:.2} GB/s: {:.2}x), \
                 a what-if: {}\n",
                r.bytes,
                alt.algorithm.name(),
                alt.protocol.name(),
                r.algorithm.name(),
                r.protocol.name(),
                alt.time_s * 1e6,
                alt.busbw_gbps,
                r.time_s / alt.time_s,
                match r.selection {
                    Selection::RcclModel => "RCCL's model would not pick it",
                    Selection::PointToPoint => "NCCL and RCCL run all-to-all point-to-point",
                    _ => "NCCL's model would not pick it",
                }
            );
        }
    }
    if let Some(r) = rows.first() {
        s += &match r.selection {
            Selection::NcclModel => format!(
                "# algorithm/protocol: NCCL {}'s choice from its cost model, simulated on this fabric (--algo best: the fastest fabricsim can simulate)\n",
                r.nccl_release.map_or_else(|| "?".to_string(), |v| v.to_string())
            ),
            Selection::RcclModel => format!(
                "# algorithm/protocol: RCCL {}'s choice from its cost model and protocol rules for this AMD GPU, simulated on this fabric (--algo best: the fastest fabricsim can simulate)\n",
                r.rccl_release.unwrap_or("?")
            ),
            Selection::FastestSimulated => {
                "# algorithm/protocol: the fastest simulated candidate (NCCL's cost model does not cover this operation or fabric)\n".to_string()
            }
            Selection::PointToPoint => {
                "# algorithm/protocol: all-to-all as NCCL and RCCL run it, a send to and a receive from every peer (direct), simulated on this fabric (--algo best: the fastest fabricsim can simulate)\n".to_string()
            }
            Selection::Requested => String::new(),
        };
    }
    s
}
