//! The flags every simulating command shares: `--max-events` and
//! `--max-time`, the simulation budget (`fabricsim_flow::budget`), with the
//! hint added to a budget error; `--collnet`, the NCCL setting that lets
//! collectives reduce in the network; and `--nccl`, the NCCL release whose
//! cost model `auto` follows.

use fabricsim_collective::tuning::NcclVersion;
use fabricsim_collective::{CollectiveError, Params};
use fabricsim_flow::budget::DEFAULT_MAX_EVENTS;
use fabricsim_flow::{Budget, BudgetExceeded, FlowError};

/// The budget and library flags, shared by every command that simulates.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct BudgetArgs {
    /// Stop with an error once the flow engine has processed this many
    /// events (flow starts and finishes) [default: 100000000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_events: Option<u64>,
    /// Stop with an error after this many seconds of wall-clock time
    /// [default: no limit].
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub(crate) max_time: Option<f64>,
    /// Let collectives reduce across scale-up domains in the network
    /// (SHARP: NCCL's CollNet, and NVLS across nodes) where the topology's
    /// scale-out switches can, as NCCL_COLLNET_ENABLE=1 does [default: off,
    /// as in NCCL].
    #[arg(long)]
    pub(crate) collnet: bool,
    /// NCCL release whose cost model `--algo auto` reproduces, and whose
    /// LL/LL128 bandwidth shares the simulation uses: 2.20.3 or 2.28.3
    /// (Blackwell tables, NVLS efficiency, PAT) [default: 2.20.3].
    #[arg(long, value_name = "VERSION")]
    pub(crate) nccl: Option<NcclVersion>,
}

pub(crate) fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "expected a positive number of seconds, e.g. 60, got \"{s}\""
        )),
    }
}

impl BudgetArgs {
    /// Sets the budget and the library switches of `params`.
    pub(crate) fn apply(&self, params: &mut Params) {
        params.max_events = self.max_events;
        params.max_time_s = self.max_time;
        params.collnet = self.collnet;
        params.nccl = self.nccl;
    }

    /// Simulation knobs with these flags and every other default.
    pub(crate) fn params(&self) -> Params {
        let mut p = Params::default();
        self.apply(&mut p);
        p
    }

    /// A budget for the raw flow engine.
    pub(crate) fn budget(&self) -> Budget {
        Budget::new(
            Some(self.max_events.unwrap_or(DEFAULT_MAX_EVENTS)),
            self.max_time,
        )
    }
}

/// How to raise the limit that `b` names.
pub(crate) fn raise(b: &BudgetExceeded) -> &'static str {
    match b {
        BudgetExceeded::Events { .. } => {
            "hint: raise the limit with --max-events N (or simplify the run: fewer ranks, sizes or steps)"
        }
        BudgetExceeded::Time { .. } => "hint: raise the limit with --max-time SECONDS",
    }
}

/// `e` for the user: a budget error gets the hint that raises its limit.
pub(crate) fn explain(e: &CollectiveError) -> String {
    match e {
        CollectiveError::Flow(FlowError::Budget(b)) => format!("{b}\n{}", raise(b)),
        other => other.to_string(),
    }
}
