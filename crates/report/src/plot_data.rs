//! Plot data from simulation results: [`Outcome`]s, [`RunReport`]s and
//! [`JobReport`]s.

use fabricsim_collective::run::Outcome;
use fabricsim_collective::sim::RunReport;
use fabricsim_plot::{GanttBar, Heatmap, LinkBar, Series, Stack, Timeline};
use fabricsim_topology::{LinkId, Topology};
use fabricsim_workload::iteration::JobReport;
use fabricsim_workload::traffic::Kind;

/// The busbw curve of `outcomes` (one per size) named `name`, and its
/// lower-bound curve (dashed, same colour): `busbw / efficiency_vs_bound`.
pub fn busbw_series(name: &str, outcomes: &[Outcome], color: usize) -> [Series; 2] {
    let curve = outcomes.iter().map(|o| (o.bytes, o.busbw_gbps)).collect();
    let bound = outcomes
        .iter()
        .filter(|o| o.efficiency_vs_bound > 0.0)
        .map(|o| (o.bytes, o.busbw_gbps / o.efficiency_vs_bound))
        .collect();
    [
        Series {
            name: name.to_string(),
            points: curve,
            dashed: false,
            color,
        },
        Series {
            name: format!("{name} (bound)"),
            points: bound,
            dashed: true,
            color,
        },
    ]
}

/// The `n` links of `report` with the highest busy fraction (bytes over
/// line-rate capacity × run time), busiest first, ties by link id.
pub fn top_links(topo: &Topology, report: &RunReport, n: usize) -> Vec<LinkBar> {
    if report.time_s <= 0.0 {
        return Vec::new();
    }
    let mut busy: Vec<(usize, f64)> = report
        .link_bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b > 0.0)
        .map(|(l, &b)| (l, b / (topo.links[l].capacity_bps * report.time_s)))
        .collect();
    busy.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    busy.truncate(n);
    busy.into_iter()
        .map(|(l, u)| LinkBar {
            label: topo.link_label(LinkId(l as u32)),
            tier: topo.links[l].tier.to_string(),
            busy: u,
            bytes: Some(report.link_bytes[l]),
        })
        .collect()
}

/// Each collective kind's bottleneck link in a job (no byte counts: a job
/// report keeps only the bottleneck of each kind), busiest first.
pub fn job_bottlenecks(job: &JobReport) -> Vec<LinkBar> {
    let mut bars: Vec<LinkBar> = job
        .by_kind
        .iter()
        .filter_map(|k| {
            k.bottleneck.as_ref().map(|b| LinkBar {
                label: format!("{}: {}", k.kind.name(), b.link),
                tier: b.tier.clone(),
                busy: b.utilization,
                bytes: None,
            })
        })
        .collect();
    bars.sort_by(|a, b| b.busy.total_cmp(&a.busy));
    bars
}

/// The busiest tier of a step (by its busiest link), `idle` if none.
fn busiest_tier(step: &fabricsim_collective::StepReport) -> String {
    step.tier_busy
        .iter()
        .filter(|t| t.max > 0.0)
        .max_by(|a, b| a.max.total_cmp(&b.max))
        .map_or_else(|| "idle".to_string(), |t| t.tier.clone())
}

/// Most lanes a step timeline shows; beyond, all steps share one lane.
pub const MAX_STEP_LANES: usize = 24;

/// A Gantt chart of a collective by phase: one lane per named phase
/// (`reduce-scatter`, `pipeline fill`, `in-domain all-gather`, ...; see
/// [`fabricsim_collective::Phase`]) labelled with its step count, each
/// run of repetitions a bar of `count × step time`, coloured by the tier
/// of the step's busiest link. Unnamed steps get a lane each
/// (`step k (×r)`). The protocol's base latency, paid once per call
/// (`RunReport::time_s` minus the steps), is a first `launch` bar, so the
/// bars tile `[0, time_s]`.
pub fn step_timeline(title: &str, report: &RunReport) -> Timeline {
    // (lane key, repetitions, step index) in time order.
    let mut runs: Vec<(String, u32, usize)> = Vec::new();
    for (i, s) in report.steps.iter().enumerate() {
        if s.phases.is_empty() {
            runs.push((format!("step {} (×{})", i + 1, s.repeat), s.repeat, i));
        } else {
            runs.extend(s.phases.iter().map(|p| (p.name.to_string(), p.repeat, i)));
        }
    }
    // Steps per lane, in order of first appearance.
    let mut lanes: Vec<(String, u64)> = Vec::new();
    for (key, r, i) in &runs {
        match lanes.iter_mut().find(|l| &l.0 == key) {
            Some(l) => l.1 += *r as u64,
            // An unnamed step's lane already says its count.
            None if report.steps[*i].phases.is_empty() => lanes.push((key.clone(), 0)),
            None => lanes.push((key.clone(), *r as u64)),
        }
    }
    let total: u64 = report.steps.iter().map(|s| s.repeat as u64).sum();
    let one_lane = lanes.len() > MAX_STEP_LANES;
    let label = |key: &str| -> String {
        if one_lane {
            return format!("all {total} steps");
        }
        let (key, n) = lanes
            .iter()
            .find(|l| l.0 == key)
            .expect("every run has a lane");
        match n {
            0 => key.clone(),
            1 => format!("{key} (1 step)"),
            n => format!("{key} ({n} steps)"),
        }
    };
    // The protocol's base latency (once per call, before the first step).
    let steps_s: f64 = report
        .steps
        .iter()
        .map(|s| s.repeat as f64 * s.time_s)
        .sum();
    let launch = report.time_s - steps_s;
    let mut t = 0.0;
    let mut bars = Vec::with_capacity(runs.len() + 1);
    if launch > 1e-9 * report.time_s {
        bars.push(GanttBar {
            lane: "launch (base latency)".into(),
            start_s: 0.0,
            end_s: launch,
            kind: "latency".into(),
        });
        t = launch;
    }
    bars.extend(runs.iter().map(|(key, r, i)| {
        let s = &report.steps[*i];
        let d = *r as f64 * s.time_s;
        let bar = GanttBar {
            lane: label(key),
            start_s: t,
            end_s: t + d,
            kind: busiest_tier(s),
        };
        t += d;
        bar
    }));
    Timeline {
        title: title.to_string(),
        kind_desc: "busiest link tier".into(),
        bars,
    }
}

/// Tier × time utilization of a collective: one column per distinct step
/// (all its repetitions), the value the busiest link of the tier.
pub fn tier_heatmap(title: &str, report: &RunReport) -> Heatmap {
    let rows: Vec<String> = report
        .steps
        .first()
        .map(|s| s.tier_busy.iter().map(|t| t.tier.clone()).collect())
        .unwrap_or_default();
    let mut spans = Vec::with_capacity(report.steps.len());
    let mut t = 0.0;
    for s in &report.steps {
        let d = s.repeat as f64 * s.time_s;
        spans.push((t, t + d));
        t += d;
    }
    let values = (0..rows.len())
        .map(|r| report.steps.iter().map(|s| s.tier_busy[r].max).collect())
        .collect();
    Heatmap {
        title: title.to_string(),
        rows,
        spans,
        values,
        value_desc: "busiest link of the tier".into(),
    }
}

const KINDS: [Kind; 5] = [Kind::Tp, Kind::Cp, Kind::Ep, Kind::Pp, Kind::Dp];

fn exposed(job: &JobReport, kind: Kind) -> f64 {
    job.by_kind
        .iter()
        .filter(|k| k.kind == kind)
        .map(|k| k.exposed_s)
        .sum()
}

/// A job's iteration as a stacked bar: compute, exposed communication per
/// kind (`exposed tp`, ...), bubble. The segments add up to the iteration time.
pub fn job_stack(job: &JobReport) -> Stack {
    let it = &job.iteration;
    let mut segments = vec![("compute".to_string(), it.compute_time_s)];
    for k in KINDS {
        let t = exposed(job, k);
        if t > 0.0 {
            segments.push((format!("exposed {}", k.name()), t));
        }
    }
    segments.push(("bubble".into(), it.bubble_s));
    Stack {
        name: job.topology.clone(),
        segments,
    }
}

/// One bar of an energy breakdown: the parts of `by_part` that are not
/// zero, in the order of `ByPart::named`, named `name`.
pub fn energy_stack(name: &str, by_part: &fabricsim_energy::ByPart) -> Stack {
    Stack {
        name: name.to_string(),
        segments: by_part
            .named()
            .iter()
            .filter(|(_, j)| *j > 0.0)
            .map(|(n, j)| (n.to_string(), *j))
            .collect(),
    }
}

/// Most micro-batch groups a job timeline draws.
pub const MAX_TIMELINE_GROUPS: u32 = 32;

/// A job's iteration as a Gantt chart of its phases on one rank's critical
/// path: pipeline fill, then micro-batch after micro-batch its compute and
/// the exposed communication of each kind (grouped into at most
/// [`MAX_TIMELINE_GROUPS`] bars per lane), pipeline drain, then the exposed
/// data-parallel tail. Lengths are exact; 1F1B's forward/backward order
/// inside a micro-batch is not drawn.
pub fn job_timeline(title: &str, job: &JobReport) -> Timeline {
    let it = &job.iteration;
    let mut bars = Vec::new();
    let mut t = 0.0;
    let mut push = |lane: &str, kind: &str, d: f64| {
        if d > 0.0 {
            bars.push(GanttBar {
                lane: lane.to_string(),
                start_s: t,
                end_s: t + d,
                kind: kind.to_string(),
            });
            t += d;
        }
    };
    // Micro-batch by micro-batch (at most MAX_TIMELINE_GROUPS bars per
    // lane: consecutive micro-batches are grouped), each one's compute
    // then its exposed TP, CP, EP and PP communication, between the two
    // halves of the bubble; DP after the last.
    let groups = job.micro_batches.clamp(1, MAX_TIMELINE_GROUPS);
    // Each group's share of the per-micro-batch terms.
    let share = 1.0 / f64::from(groups);
    push("pipeline bubble", "bubble", it.bubble_s / 2.0);
    for _ in 0..groups {
        push("compute", "compute", it.compute_time_s * share);
        for k in [Kind::Tp, Kind::Cp, Kind::Ep, Kind::Pp] {
            push(
                &format!("exposed {}", k.name()),
                k.name(),
                exposed(job, k) * share,
            );
        }
    }
    push("pipeline bubble", "bubble", it.bubble_s / 2.0);
    push("exposed dp", "dp", exposed(job, Kind::Dp));
    Timeline {
        title: title.to_string(),
        kind_desc: "phase".into(),
        bars,
    }
}
