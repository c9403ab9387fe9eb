//! What a design-review page says about each system beyond its numbers:
//! what limits it, what it assumes, and what failed. Built from the run's
//! results and its topology; [`super::report`] renders it.

use crate::failures::Failures;
use fabricsim_collective::run::{BoundBy, Outcome};
use fabricsim_topology::Topology;
use fabricsim_topology::presets::{self, EfficiencyBasis};
use fabricsim_workload::iteration::JobReport;

/// The review notes of one system.
#[derive(Clone, Debug, Default)]
pub(crate) struct Notes {
    /// "What limits this design": one sentence per finding.
    pub(crate) limits: Vec<String>,
    /// Constants the results rest on, each with its basis (assumed,
    /// fitted, published, overridden).
    pub(crate) assumptions: Vec<String>,
}

/// The efficiency in use and the basis of every link kind of `topo`, the
/// calibration file, and the accelerator preset.
pub(crate) fn assumptions(topo: &Topology) -> Vec<String> {
    let mut out = Vec::new();
    let mut kinds: Vec<&str> = topo.links.iter().map(|l| l.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for k in kinds {
        let used = topo.link_efficiency.get(k).copied();
        let preset = presets::link_kind(k);
        let basis = match (preset, used) {
            (Some(p), Some(u)) if p.efficiency == Some(u) => match p.efficiency_basis {
                EfficiencyBasis::Achieved => "published achieved figure",
                EfficiencyBasis::Fitted => "fitted to a published measurement",
                EfficiencyBasis::Assumed => "ASSUMED (no published figure)",
                EfficiencyBasis::Unknown => "unknown",
            },
            (_, Some(_)) => "set by the topology file or its calibration",
            (_, None) => "unknown: links run at line rate",
        };
        let rate = preset
            .and_then(|p| p.bandwidth_bps)
            .map(|b| format!(", preset line rate {:.1} GB/s per lane", b / 1e9))
            .unwrap_or_default();
        out.push(format!(
            "link kind {k}: efficiency {}{rate} ({basis})",
            used.map_or_else(|| "1".to_string(), |u| format!("{u:.3}"))
        ));
    }
    if topo.calibration.is_some() {
        out.push(
            "a calibration file overrides presets (calibration = \"FILE\" in the topology)".into(),
        );
    }
    match topo.accelerator {
        Some(a) => out.push(format!("accelerator preset: {}", a.name)),
        None => out.push("no accelerator preset named in the topology".into()),
    }
    out
}

/// How the collective's algorithm was chosen, when the library's cost
/// model (NCCL's, or RCCL's on AMD) chose it: which release's model (the
/// `auto` note of `collective`).
pub(crate) fn collective_choice(o: &Outcome) -> Option<String> {
    let (algo, proto) = (o.algorithm.name(), o.protocol.name());
    match (o.nccl_release, o.rccl_release) {
        (Some(v), _) => Some(format!(
            "algorithm {algo}/{proto}: NCCL {v}'s choice from its cost model (--nccl), simulated"
        )),
        (None, Some(v)) => Some(format!(
            "algorithm {algo}/{proto}: RCCL {v}'s choice from its cost model and protocol rules, simulated"
        )),
        (None, None) => None,
    }
}

/// What limits a collective on this system.
pub(crate) fn collective_limits(o: &Outcome, failures: Option<&Failures>) -> Vec<String> {
    let mut out = Vec::new();
    match (o.bound_by, &o.bottleneck) {
        (BoundBy::Latency, _) => out.push(format!(
            "latency-bound: {:.1} of {:.1} us are per-step latency over {} steps ({}/{}); more bandwidth would not help",
            o.latency_s * 1e6,
            o.time_s * 1e6,
            o.steps,
            o.algorithm.name(),
            o.protocol.name()
        )),
        (BoundBy::Bandwidth, Some(b)) => out.push(format!(
            "bandwidth-bound on the {} tier: {} at {:.0}% of line rate ({}/{})",
            b.tier,
            b.link,
            100.0 * b.utilization,
            o.algorithm.name(),
            o.protocol.name()
        )),
        (BoundBy::Bandwidth, None) => {}
    }
    out.push(format!(
        "{:.0}% of the fabric's lower bound ({:.1} us)",
        100.0 * o.efficiency_vs_bound,
        o.bound_s * 1e6
    ));
    out.extend(failure_limits(failures));
    out
}

/// What limits a training iteration on this system.
pub(crate) fn job_limits(r: &JobReport, failures: Option<&Failures>) -> Vec<String> {
    let it = &r.iteration;
    let mut out = Vec::new();
    let total = it.total_time_s;
    let share = |x: f64| 100.0 * x / total;
    out.push(format!(
        "compute {:.0}%, pipeline bubble {:.0}%, exposed communication {:.0}% of the iteration",
        share(it.compute_time_s),
        share(it.bubble_s),
        share(it.exposed_comm_time_s)
    ));
    if let Some(k) = r
        .by_kind
        .iter()
        .filter(|k| k.exposed_s > 0.0)
        .max_by(|a, b| a.exposed_s.total_cmp(&b.exposed_s))
    {
        let at = k
            .bottleneck
            .as_ref()
            .map(|b| format!(", bottleneck on the {} tier ({})", b.tier, b.link))
            .unwrap_or_default();
        out.push(format!(
            "most exposed communication: {} {} ({:.1} ms exposed){at}",
            k.kind.name(),
            k.collective,
            k.exposed_s * 1e3
        ));
    }
    if let Some(h) = r.memory.headroom_bytes {
        out.push(format!(
            "memory: {:.1} GB per accelerator, headroom {:.1} GB",
            r.memory.total_bytes / 1e9,
            h / 1e9
        ));
    }
    out.extend(failure_limits(failures));
    out
}

fn failure_limits(failures: Option<&Failures>) -> Vec<String> {
    let Some(f) = failures else {
        return Vec::new();
    };
    let mut out: Vec<String> = f
        .lost
        .iter()
        .map(|l| format!("{} lost to the failures: {}", l.capability.name(), l.why))
        .collect();
    if !f.changed_result {
        out.push("the failures did not change the result".into());
    }
    out
}

/// The compute constants of a job: the peak and where it comes from, and
/// the kernel efficiency the job file gives.
pub(crate) fn job_assumptions(r: &JobReport) -> Vec<String> {
    let c = &r.compute;
    let peak = c
        .peak_tflops
        .map_or_else(|| "-".to_string(), |p| format!("{p:.1} TFLOP/s"));
    vec![format!(
        "compute: peak {peak} {} (from {}), kernel efficiency {} (from the job file)",
        c.dtype.unwrap_or(""),
        c.peak_from,
        c.efficiency
            .map_or_else(|| "-".to_string(), |e| format!("{e:.3}"))
    )]
}
