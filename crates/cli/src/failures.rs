//! What every output of a run with failures says about them: the entries
//! and what they failed, the intact fabric's time beside the degraded one,
//! whether the failures changed the result at all, and the capabilities
//! (SHARP, NVLS) they took away, with the reason. Table outputs get
//! `# failures:` lines ([`Failures::lines`]); JSON gets a `"failures"`
//! object (absent for an intact fabric).

use fabricsim_collective::capability::{self, Capability};
use fabricsim_topology::{FailureReport, NodeId, Topology};
use serde::Serialize;

/// Two times are the same result when they agree to this relative
/// tolerance (the engine is exact; this absorbs summation order only).
const SAME_TIME_REL: f64 = 1e-12;

/// A capability the failures took away.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Lost {
    /// `SHARP` or `NVLS`.
    pub(crate) capability: Capability,
    /// Why it is unavailable on the degraded fabric.
    pub(crate) why: String,
}

/// What failed and what it did to the run.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Failures {
    /// The entries, failed nodes, links and lanes.
    #[serde(flatten)]
    pub(crate) failed: FailureReport,
    /// The same run on the intact fabric \[s\]: one time per size of a
    /// collective, the iteration time of a job.
    pub(crate) intact_time_s: Vec<f64>,
    /// Whether any time differs from the intact fabric's.
    pub(crate) changed_result: bool,
    /// The degraded run's times, as `intact_time_s` (in the results).
    #[serde(skip)]
    times: Vec<f64>,
    /// Capabilities the ranks had on the intact fabric and lost.
    pub(crate) lost: Vec<Lost>,
}

impl Failures {
    /// `None` for an intact fabric; else the report comparing the run's
    /// `times` with `intact_times` (same order) over `ranks`. SHARP counts
    /// as lost only when the run may use it (`collnet`, `--collnet`).
    pub(crate) fn new(
        intact: &Topology,
        failed: &Topology,
        ranks: &[NodeId],
        times: &[f64],
        intact_times: Vec<f64>,
        collnet: bool,
    ) -> Option<Failures> {
        if failed.failures.is_empty() {
            return None;
        }
        let changed_result = times
            .iter()
            .zip(&intact_times)
            .any(|(t, i)| (t - i).abs() > SAME_TIME_REL * i.abs());
        let lost = capability::lost(intact, failed, ranks)
            .into_iter()
            .filter(|(c, _)| collnet || *c != capability::Capability::Sharp)
            .map(|(capability, why)| Lost { capability, why })
            .collect();
        Some(Failures {
            failed: failed.failures.clone(),
            intact_time_s: intact_times,
            changed_result,
            times: times.to_vec(),
            lost,
        })
    }

    /// `# failures:` lines for a table: each entry and what it failed, the
    /// lost capabilities, the intact times in `unit` (`us`: µs, `ms`), and
    /// a note when nothing changed.
    pub(crate) fn lines(&self, unit: &str) -> String {
        let scale = if unit == "ms" { 1e3 } else { 1e6 };
        let f = &self.failed;
        let mut s = format!(
            "# failures: {} nodes, {} links ({} lanes) failed; results are for the degraded fabric\n",
            f.nodes.len(),
            f.links.len(),
            f.lanes
        );
        for e in &f.entries {
            let eligible = e
                .eligible_lanes
                .map(|n| format!(" of {n} eligible"))
                .unwrap_or_default();
            s += &format!(
                "#   {} ({}): {} nodes, {} links, {} lanes{eligible}\n",
                e.spec, e.origin, e.nodes, e.links, e.lanes
            );
        }
        if !f.relays.is_empty() {
            let shown: Vec<&str> = f.relays.iter().take(4).map(String::as_str).collect();
            let more = f.relays.len().saturating_sub(4);
            s += &format!(
                "#   PXN relays for {} accelerators whose scale-out links failed: {}{}\n",
                f.relays.len(),
                shown.join(", "),
                if more > 0 {
                    format!(", ... ({more} more)")
                } else {
                    String::new()
                }
            );
        }
        for l in &self.lost {
            s += &format!("#   {} lost: {}\n", l.capability.name(), l.why);
        }
        let intact: Vec<String> = self
            .intact_time_s
            .iter()
            .zip(&self.times)
            .map(|(i, t)| {
                format!(
                    "{:.2} {unit} (with the failures {:+.1}%)",
                    i * scale,
                    100.0 * (t / i - 1.0)
                )
            })
            .collect();
        s += &format!("#   intact fabric: {}\n", intact.join(", "));
        if !self.changed_result {
            s += "#   the failures did not change the result: the failed elements carried \
                  no traffic of this run, or were not on its bottleneck\n";
        }
        s
    }
}

/// `", failed: SPEC, SPEC"` for plot titles of a fabric with failures;
/// empty for an intact one.
pub(crate) fn title_suffix(t: &Topology) -> String {
    if t.failures.is_empty() {
        return String::new();
    }
    let specs: Vec<&str> = t.failures.entries.iter().map(|e| e.spec.as_str()).collect();
    format!(", failed: {}", specs.join(", "))
}
