//! The raw flow scenario format of `fabricsim flows` (JSON, see cli.md).
//!
//! ```json
//! {"links": [{"id": "l0", "bandwidth": 1e9, "latency": 1e-6}],
//!  "flows": [{"id": "f0", "route": ["l0"], "bytes": 1e6, "start": 0.0}]}
//! ```
//! Units are SI base units: `bandwidth` [bytes/s], `latency` \[s\] (default 0),
//! `bytes` \[bytes\], `start` \[s\] (default 0). Optional per flow: `deps` (ids of
//! flows that must finish first) and `delay` \[s\] after the last of them.
//! A flow's latency is the sum of its route's link latencies.

use crate::flow::{Flow, FlowError, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct LinkIn {
    id: String,
    bandwidth: f64,
    #[serde(default)]
    latency: f64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FlowIn {
    id: String,
    route: Vec<String>,
    bytes: f64,
    #[serde(default)]
    start: f64,
    #[serde(default)]
    deps: Vec<String>,
    #[serde(default)]
    delay: f64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ScenarioIn {
    links: Vec<LinkIn>,
    flows: Vec<FlowIn>,
}

/// A parsed scenario, ready for [`crate::flow::simulate`].
#[derive(Debug, Clone)]
pub struct Scenario {
    pub link_ids: Vec<String>,
    /// Capacity per link [bytes/s].
    pub capacity_bps: Vec<f64>,
    pub flow_ids: Vec<String>,
    pub flows: Vec<Flow>,
}

/// What is wrong with a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("invalid scenario JSON: {msg}")]
    Json {
        line: usize,
        column: usize,
        msg: String,
    },
    #[error("link \"{id}\" is declared twice (links[{first}] and links[{second}])")]
    DuplicateLink {
        id: String,
        first: usize,
        second: usize,
    },
    #[error("flow \"{id}\" is declared twice (flows[{first}] and flows[{second}])")]
    DuplicateFlow {
        id: String,
        first: usize,
        second: usize,
    },
    #[error("link \"{id}\": {field} must be {expected}, got {value}")]
    BadLink {
        id: String,
        field: &'static str,
        expected: &'static str,
        value: f64,
    },
    #[error("flow \"{id}\": {field} must be a non-negative finite number, got {value}")]
    BadFlow {
        id: String,
        field: &'static str,
        value: f64,
    },
    #[error("flow \"{flow}\": route names unknown link \"{link}\"{hint}")]
    UnknownLink {
        flow: String,
        link: String,
        hint: String,
    },
    #[error("flow \"{flow}\": depends on unknown flow \"{dep}\"")]
    UnknownDep { flow: String, dep: String },
    #[error("flow \"{flow}\": {msg}")]
    Model { flow: String, msg: String },
    #[error("{0}")]
    Scenario(String),
}

impl Scenario {
    /// Parses and checks a scenario. Every value is checked here, so
    /// simulating a parsed scenario cannot fail.
    pub fn parse(json: &str) -> Result<Scenario, ScenarioError> {
        let raw: ScenarioIn = serde_json::from_str(json).map_err(|e| ScenarioError::Json {
            line: e.line(),
            column: e.column(),
            msg: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        })?;
        let mut link_idx: HashMap<&str, usize> = HashMap::new();
        for (i, l) in raw.links.iter().enumerate() {
            if let Some(&first) = link_idx.get(l.id.as_str()) {
                return Err(ScenarioError::DuplicateLink {
                    id: l.id.clone(),
                    first,
                    second: i,
                });
            }
            link_idx.insert(&l.id, i);
            if !(l.bandwidth.is_finite() && l.bandwidth > 0.0) {
                return Err(ScenarioError::BadLink {
                    id: l.id.clone(),
                    field: "bandwidth",
                    expected: "a positive finite number of bytes/s",
                    value: l.bandwidth,
                });
            }
            if !(l.latency.is_finite() && l.latency >= 0.0) {
                return Err(ScenarioError::BadLink {
                    id: l.id.clone(),
                    field: "latency",
                    expected: "a non-negative finite number of seconds",
                    value: l.latency,
                });
            }
        }
        let mut flow_idx: HashMap<&str, usize> = HashMap::new();
        for (i, f) in raw.flows.iter().enumerate() {
            if let Some(&first) = flow_idx.get(f.id.as_str()) {
                return Err(ScenarioError::DuplicateFlow {
                    id: f.id.clone(),
                    first,
                    second: i,
                });
            }
            flow_idx.insert(&f.id, i);
        }
        let mut flows = Vec::with_capacity(raw.flows.len());
        for f in &raw.flows {
            for (field, value) in [("bytes", f.bytes), ("start", f.start), ("delay", f.delay)] {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(ScenarioError::BadFlow {
                        id: f.id.clone(),
                        field,
                        value,
                    });
                }
            }
            let mut route = Vec::with_capacity(f.route.len());
            let mut latency_s = 0.0;
            for name in &f.route {
                let Some(&l) = link_idx.get(name.as_str()) else {
                    let hint =
                        crate::suggest::did_you_mean(name, raw.links.iter().map(|l| l.id.as_str()))
                            .map(|s| format!("; did you mean \"{s}\"?"))
                            .unwrap_or_default();
                    return Err(ScenarioError::UnknownLink {
                        flow: f.id.clone(),
                        link: name.clone(),
                        hint,
                    });
                };
                route.push((l as u32, 1.0));
                latency_s += raw.links[l].latency;
            }
            let mut deps = Vec::with_capacity(f.deps.len());
            for d in &f.deps {
                let Some(&j) = flow_idx.get(d.as_str()) else {
                    return Err(ScenarioError::UnknownDep {
                        flow: f.id.clone(),
                        dep: d.clone(),
                    });
                };
                deps.push(j as u32);
            }
            flows.push(Flow {
                route,
                latency_s,
                bytes: f.bytes,
                start_s: f.start,
                deps,
                delay_s: f.delay,
            });
        }
        let capacity_bps: Vec<f64> = raw.links.iter().map(|l| l.bandwidth).collect();
        let flow_ids: Vec<String> = raw.flows.into_iter().map(|f| f.id).collect();
        let link_ids: Vec<String> = raw.links.into_iter().map(|l| l.id).collect();
        crate::flow::validate(&capacity_bps, &flows)
            .map_err(|e| model_error(e, &flow_ids, &link_ids))?;
        Ok(Scenario {
            link_ids,
            capacity_bps,
            flow_ids,
            flows,
        })
    }

    /// Runs the scenario.
    pub fn run(&self) -> Outcome {
        crate::flow::simulate(&self.capacity_bps, &self.flows)
            .expect("a parsed scenario has been validated")
    }

    /// Runs the scenario within `budget` ([`crate::flow::budget`]).
    pub fn run_within(
        &self,
        budget: &mut crate::flow::Budget,
    ) -> Result<Outcome, crate::flow::BudgetExceeded> {
        match crate::flow::simulate_within(&self.capacity_bps, &self.flows, budget) {
            Ok(o) => Ok(o),
            Err(FlowError::Budget(b)) => Err(b),
            Err(e) => unreachable!("a parsed scenario has been validated: {e}"),
        }
    }
}

impl ScenarioError {
    /// Line and column (1-based) of the problem in the file, when known.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            ScenarioError::Json { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }
}

fn model_error(e: FlowError, ids: &[String], link_ids: &[String]) -> ScenarioError {
    let flow = match &e {
        FlowError::EmptyRoute { flow }
        | FlowError::UnknownLink { flow, .. }
        | FlowError::RepeatedLink { flow, .. }
        | FlowError::BadFraction { flow, .. }
        | FlowError::BadValue { flow, .. }
        | FlowError::UnknownDep { flow, .. }
        | FlowError::Cycle { flow } => ids[*flow].clone(),
        FlowError::BadCapacity { .. } | FlowError::TooLarge { .. } | FlowError::Budget(_) => {
            String::new()
        }
    };
    if flow.is_empty() {
        return ScenarioError::Scenario(e.to_string());
    }
    let msg = match e {
        FlowError::EmptyRoute { .. } => "route is empty; list at least one link id".to_string(),
        FlowError::RepeatedLink { link, .. } => {
            format!("route crosses link \"{}\" twice", link_ids[link as usize])
        }
        FlowError::Cycle { .. } => {
            "dependencies form a cycle, so this flow can never start".to_string()
        }
        other => other.to_string(),
    };
    ScenarioError::Model { flow, msg }
}

/// One row of the `flows` JSON output.
#[derive(Serialize)]
pub struct FlowFinish<'a> {
    pub id: &'a str,
    pub finish_s: f64,
}

/// The `flows --json` document: `{"flows": [{"id", "finish_s"}], "makespan_s", "stats"}`.
#[derive(Serialize)]
pub struct FlowsReport<'a> {
    pub flows: Vec<FlowFinish<'a>>,
    pub makespan_s: f64,
    pub stats: &'a crate::flow::EngineStats,
}

impl<'a> FlowsReport<'a> {
    pub fn new(s: &'a Scenario, out: &'a Outcome) -> FlowsReport<'a> {
        FlowsReport {
            flows: s
                .flow_ids
                .iter()
                .zip(&out.finish_s)
                .map(|(id, &finish_s)| FlowFinish { id, finish_s })
                .collect(),
            makespan_s: out.makespan_s(),
            stats: &out.stats,
        }
    }
}
