//! The energy lines of `job` and `collective` (docs/energy.md): joules and
//! watts in readable units.

use fabricsim_collective::run::Outcome;
use fabricsim_energy::{ByPart, CollectiveEnergy, JobEnergy};

/// Joules in the largest unit that keeps the number readable.
fn joules(j: f64) -> String {
    match j.abs() {
        x if x >= 1e9 => format!("{:.3} GJ", j / 1e9),
        x if x >= 1e6 => format!("{:.3} MJ", j / 1e6),
        x if x >= 1e3 => format!("{:.3} kJ", j / 1e3),
        x if x >= 1.0 || x == 0.0 => format!("{j:.3} J"),
        _ => format!("{:.3} mJ", j * 1e3),
    }
}

/// Watts in W, kW or MW.
fn watts(w: f64) -> String {
    match w.abs() {
        x if x >= 1e6 => format!("{:.3} MW", w / 1e6),
        x if x >= 1e3 => format!("{:.2} kW", w / 1e3),
        _ => format!("{w:.1} W"),
    }
}

/// The energy parts that are not zero, as shares of the total.
fn part_shares(p: &ByPart, total: f64) -> String {
    p.named()
        .iter()
        .filter(|(_, j)| *j > 0.0)
        .map(|(n, j)| format!("{n} {:.1}%", 100.0 * j / total.max(f64::MIN_POSITIVE)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Two lines: energy of the iteration and power per scale-up domain
/// (formulas and sources: docs/energy.md).
pub(crate) fn job_lines(e: &JobEnergy) -> String {
    let d = &e.per_domain;
    let cap = if e.assumptions.compute_speed < 1.0 {
        format!(
            ", power cap {} (compute at {:.1}% speed)",
            watts(e.assumptions.busy_w),
            100.0 * e.assumptions.compute_speed
        )
    } else {
        String::new()
    };
    let cap = if e.assumptions.tdp_w == 0.0 {
        cap + "; accelerators counted at 0 W: the topology names no accelerator and [power] gives no accelerator_tdp_w"
    } else {
        cap
    };
    format!(
        "# energy per iteration {} ({}); average {}, peak {}; {:.3} tokens/J; PUE {}{cap}\n\
         # power per scale-up domain (IT): peak {:.1} kW, average {:.1} kW over {} domains; all-in {} per accelerator with every one computing (docs/energy.md)\n",
        joules(e.joules_per_iteration),
        part_shares(&e.by_part, e.joules_per_iteration),
        watts(e.average_power_w),
        watts(e.peak_power_w),
        e.tokens_per_joule,
        e.assumptions.pue,
        d.peak_kw,
        d.average_kw,
        d.domains,
        watts(e.all_in_w_per_accelerator),
    )
}

/// One line: the energy of one call at each size (docs/energy.md).
pub(crate) fn collective_line(results: &[Outcome], energy: &[CollectiveEnergy]) -> String {
    let calls: Vec<String> = results
        .iter()
        .zip(energy)
        .map(|(r, e)| {
            format!(
                "{}: {} ({})",
                fabricsim_plot::fmt_bytes(r.bytes),
                joules(e.joules_per_call),
                watts(e.average_power_w)
            )
        })
        .collect();
    format!(
        "# energy per call, whole system (ranks communicating, the rest idle; docs/energy.md): {}\n",
        calls.join(", ")
    )
}
