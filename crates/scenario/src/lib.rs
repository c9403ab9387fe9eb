//! The raw flow scenario format of `fabricsim flows` (JSON, see docs/cli.md).
//!
//! ```json
//! {"links": [{"id": "l0", "bandwidth": 1e9, "latency": 1e-6}],
//!  "flows": [{"id": "f0", "route": ["l0"], "bytes": 1e6, "start": 0.0}]}
//! ```
//! Units are SI base units: `bandwidth` [bytes/s], `latency` \[s\] (default 0),
//! `bytes` \[bytes\], `start` \[s\] (default 0). Optional per flow: `deps` (ids of
//! flows that must finish first) and `delay` \[s\] after the last of them.
//! A flow's latency is the sum of its route's link latencies.

#![warn(missing_docs)]
// Only the command line touches the terminal and the process: a library
// crate reports through its return values.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod synthetic;

use fabricsim_flow::{Completion, Flow, FlowError};
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

/// A parsed scenario, ready for [`fabricsim_flow::simulate`].
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Link ids, in file order; index `l` is link `l` of the flow model.
    pub link_ids: Vec<String>,
    /// Capacity per link [bytes/s].
    pub capacity_bps: Vec<f64>,
    /// Flow ids, in file order, parallel to `flows`.
    pub flow_ids: Vec<String>,
    /// The flows, with routes, dependencies and latencies resolved to indices
    /// and seconds (latency = sum of the route's link latencies).
    pub flows: Vec<Flow>,
}

/// What is wrong with a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not JSON, not an object, or does not match the schema.
    #[error("invalid scenario JSON: {msg}")]
    Json {
        /// 1-based line where the parser stopped.
        line: usize,
        /// 1-based column where the parser stopped.
        column: usize,
        /// What the parser expected or found.
        msg: String,
    },
    /// Two links share an id.
    #[error("link \"{id}\" is declared twice (links[{first}] and links[{second}])")]
    DuplicateLink {
        /// The shared id.
        id: String,
        /// Index in `links` of the first declaration.
        first: usize,
        /// Index in `links` of the second declaration.
        second: usize,
    },
    /// Two flows share an id.
    #[error("flow \"{id}\" is declared twice (flows[{first}] and flows[{second}])")]
    DuplicateFlow {
        /// The shared id.
        id: String,
        /// Index in `flows` of the first declaration.
        first: usize,
        /// Index in `flows` of the second declaration.
        second: usize,
    },
    /// A link's bandwidth or latency is out of range.
    #[error("link \"{id}\": {field} must be {expected}, got {value}")]
    BadLink {
        /// The link's id.
        id: String,
        /// `"bandwidth"` \[bytes/s\] or `"latency"` \[s\].
        field: &'static str,
        /// The allowed range, in words.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// A flow's bytes, start or delay is negative, NaN or infinite.
    #[error("flow \"{id}\": {field} must be a non-negative finite number, got {value}")]
    BadFlow {
        /// The flow's id.
        id: String,
        /// `"bytes"` \[bytes\], `"start"` \[s\] or `"delay"` \[s\].
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A route names a link id that is not declared.
    #[error("flow \"{flow}\": route names unknown link \"{link}\"{hint}")]
    UnknownLink {
        /// The flow's id.
        flow: String,
        /// The unknown link id.
        link: String,
        /// `; did you mean "…"?` with the closest declared id, or empty.
        hint: String,
    },
    /// A dependency names a flow id that is not declared.
    #[error("flow \"{flow}\": depends on unknown flow \"{dep}\"")]
    UnknownDep {
        /// The flow's id.
        flow: String,
        /// The unknown dependency id.
        dep: String,
    },
    /// The flow model rejected one flow ([`fabricsim_flow::validate`]).
    #[error("flow \"{flow}\": {msg}")]
    Model {
        /// The flow's id.
        flow: String,
        /// The model's complaint.
        msg: String,
    },
    /// The flow model rejected the scenario as a whole (e.g. times that
    /// could exceed `f64`).
    #[error("{0}")]
    Scenario(String),
    /// Any of the above, at a place in the file.
    #[error("{error}")]
    At {
        /// 1-based line of the value the error is about.
        line: usize,
        /// 1-based column (in characters) of that value.
        column: usize,
        /// The error itself.
        error: Box<ScenarioError>,
    },
}

impl Scenario {
    /// Parses and checks a scenario. Every value is checked here, so
    /// simulating a parsed scenario cannot fail.
    ///
    /// Errors carry a line and column ([`ScenarioError::location`]): JSON
    /// errors where serde_json stopped, the others at the value they are
    /// about (found by a small scanner of the JSON text); only problems of
    /// the whole scenario (finish times beyond `f64`) have none.
    pub fn parse(json: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse_unlocated(json).map_err(|(error, path)| {
            match path.and_then(|p| locate(json, &p)) {
                Some(offset) => {
                    let (line, column) = line_col(json, offset);
                    ScenarioError::At {
                        line,
                        column,
                        error: Box::new(error),
                    }
                }
                None => error,
            }
        })
    }

    /// [`Scenario::parse`], with the JSON path of the value an error is
    /// about instead of its position.
    fn parse_unlocated(json: &str) -> Result<Scenario, (ScenarioError, Option<Vec<Step>>)> {
        // serde reads a struct from an array too; a scenario is an object.
        let start = skip_ws(json.as_bytes(), 0);
        if json.as_bytes().get(start) != Some(&b'{') {
            let (line, column) = line_col(json, start);
            let what = if start == json.len() {
                "the file is empty"
            } else {
                "the document is not a JSON object"
            };
            return Err((
                ScenarioError::Json {
                    line,
                    column,
                    msg: format!("{what}; a scenario is {{\"links\": [...], \"flows\": [...]}}"),
                },
                None,
            ));
        }
        let raw: ScenarioIn = serde_json::from_str(json)
            .map_err(|e| {
                let mut msg = e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if msg.starts_with("invalid type: string") && msg.ends_with("expected f64") {
                    msg += " (scenario numbers are plain JSON numbers in bytes, bytes/s and \
                        seconds, without units: \"bytes\": 1e6, \"bandwidth\": 50e9)";
                }
                ScenarioError::Json {
                    line: e.line(),
                    // serde_json reports column 0 at the start of a line.
                    column: e.column().max(1),
                    msg,
                }
            })
            .map_err(|e| (e, None))?;
        let mut link_idx: HashMap<&str, usize> = HashMap::new();
        for (i, l) in raw.links.iter().enumerate() {
            if let Some(&first) = link_idx.get(l.id.as_str()) {
                return Err((
                    ScenarioError::DuplicateLink {
                        id: l.id.clone(),
                        first,
                        second: i,
                    },
                    at(&[K("links"), I(i), K("id")]),
                ));
            }
            link_idx.insert(&l.id, i);
            if !(l.bandwidth.is_finite() && l.bandwidth > 0.0) {
                return Err((
                    ScenarioError::BadLink {
                        id: l.id.clone(),
                        field: "bandwidth",
                        expected: "a positive finite number of bytes/s",
                        value: l.bandwidth,
                    },
                    at(&[K("links"), I(i), K("bandwidth")]),
                ));
            }
            if !(l.latency.is_finite() && l.latency >= 0.0) {
                return Err((
                    ScenarioError::BadLink {
                        id: l.id.clone(),
                        field: "latency",
                        expected: "a non-negative finite number of seconds",
                        value: l.latency,
                    },
                    at(&[K("links"), I(i), K("latency")]),
                ));
            }
        }
        let mut flow_idx: HashMap<&str, usize> = HashMap::new();
        for (i, f) in raw.flows.iter().enumerate() {
            if let Some(&first) = flow_idx.get(f.id.as_str()) {
                return Err((
                    ScenarioError::DuplicateFlow {
                        id: f.id.clone(),
                        first,
                        second: i,
                    },
                    at(&[K("flows"), I(i), K("id")]),
                ));
            }
            flow_idx.insert(&f.id, i);
        }
        let mut flows = Vec::with_capacity(raw.flows.len());
        for (i, f) in raw.flows.iter().enumerate() {
            for (field, value) in [("bytes", f.bytes), ("start", f.start), ("delay", f.delay)] {
                if !(value.is_finite() && value >= 0.0) {
                    return Err((
                        ScenarioError::BadFlow {
                            id: f.id.clone(),
                            field,
                            value,
                        },
                        at(&[K("flows"), I(i), K(field)]),
                    ));
                }
            }
            let mut route = Vec::with_capacity(f.route.len());
            let mut latency_s = 0.0;
            for (k, name) in f.route.iter().enumerate() {
                let Some(&l) = link_idx.get(name.as_str()) else {
                    let hint = fabricsim_base::suggest::did_you_mean(
                        name,
                        raw.links.iter().map(|l| l.id.as_str()),
                    )
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default();
                    return Err((
                        ScenarioError::UnknownLink {
                            flow: f.id.clone(),
                            link: name.clone(),
                            hint,
                        },
                        at(&[K("flows"), I(i), K("route"), I(k)]),
                    ));
                };
                route.push((l as u32, 1.0));
                latency_s += raw.links[l].latency;
            }
            let mut deps = Vec::with_capacity(f.deps.len());
            for (k, d) in f.deps.iter().enumerate() {
                let Some(&j) = flow_idx.get(d.as_str()) else {
                    return Err((
                        ScenarioError::UnknownDep {
                            flow: f.id.clone(),
                            dep: d.clone(),
                        },
                        at(&[K("flows"), I(i), K("deps"), I(k)]),
                    ));
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
        fabricsim_flow::validate(&capacity_bps, &flows).map_err(|e| {
            let path = model_error_path(&e);
            (model_error(e, &flow_ids, &link_ids), path)
        })?;
        Ok(Scenario {
            link_ids,
            capacity_bps,
            flow_ids,
            flows,
        })
    }

    /// Runs the scenario.
    pub fn run(&self) -> Completion {
        fabricsim_flow::simulate(&self.capacity_bps, &self.flows)
            .expect("a parsed scenario has been validated")
    }

    /// Runs the scenario within `budget` ([`fabricsim_flow::budget`]).
    pub fn run_within(
        &self,
        budget: &mut fabricsim_flow::Budget,
    ) -> Result<Completion, fabricsim_flow::BudgetExceeded> {
        match fabricsim_flow::simulate_within(&self.capacity_bps, &self.flows, budget) {
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
            ScenarioError::Json { line, column, .. } | ScenarioError::At { line, column, .. } => {
                Some((*line, *column))
            }
            _ => None,
        }
    }
}

/// The JSON path of the value a flow-model error is about.
fn model_error_path(e: &FlowError) -> Option<Vec<Step>> {
    let (flow, key) = match e {
        FlowError::EmptyRoute { flow } | FlowError::RepeatedLink { flow, .. } => (*flow, "route"),
        FlowError::Cycle { flow } | FlowError::UnknownDep { flow, .. } => (*flow, "deps"),
        FlowError::BadValue { flow, field, .. } => (*flow, *field),
        FlowError::UnknownLink { flow, .. } | FlowError::BadFraction { flow, .. } => {
            (*flow, "route")
        }
        FlowError::BadCapacity { .. } | FlowError::TooLarge { .. } | FlowError::Budget(_) => {
            return None;
        }
    };
    at(&[K("flows"), I(flow), K(key)])
}

/// One step of a JSON path: an object key or an array index.
#[derive(Clone, Copy, Debug)]
enum Step {
    Key(&'static str),
    Index(usize),
}
use Step::{Index as I, Key as K};

fn at(steps: &[Step]) -> Option<Vec<Step>> {
    Some(steps.to_vec())
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of the value at `path` in `json`, a document serde_json has
/// already accepted. Follows the path through objects (the last of equal
/// keys) and arrays; `None` if the path is absent (e.g. a defaulted field,
/// then the error is reported without a position).
fn locate(json: &str, path: &[Step]) -> Option<usize> {
    let b = json.as_bytes();
    let mut pos = skip_ws(b, 0);
    for step in path {
        match (step, b.get(pos)?) {
            (Step::Key(want), b'{') => {
                let mut found = None;
                let mut p = skip_ws(b, pos + 1);
                while b.get(p) == Some(&b'"') {
                    let end = skip_string(b, p)?;
                    let key: String = serde_json::from_str(json.get(p..end)?).ok()?;
                    p = skip_ws(b, end);
                    if b.get(p) != Some(&b':') {
                        return None;
                    }
                    let v = skip_ws(b, p + 1);
                    if key == *want {
                        found = Some(v);
                    }
                    p = skip_ws(b, skip_value(b, v)?);
                    if b.get(p) == Some(&b',') {
                        p = skip_ws(b, p + 1);
                    }
                }
                pos = found?;
            }
            (Step::Index(want), b'[') => {
                let mut p = skip_ws(b, pos + 1);
                for _ in 0..*want {
                    p = skip_ws(b, skip_value(b, p)?);
                    if b.get(p) != Some(&b',') {
                        return None;
                    }
                    p = skip_ws(b, p + 1);
                }
                if matches!(b.get(p), None | Some(b']')) {
                    return None;
                }
                pos = p;
            }
            _ => return None,
        }
    }
    Some(pos)
}

fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while matches!(b.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        p += 1;
    }
    p
}

/// The end of the string starting at `p` (a `"`), past its closing quote.
fn skip_string(b: &[u8], mut p: usize) -> Option<usize> {
    p += 1;
    loop {
        match b.get(p)? {
            b'\\' => p += 2,
            b'"' => return Some(p + 1),
            _ => p += 1,
        }
    }
}

/// The end of the value starting at `p`. Iterative, so deep nesting cannot
/// overflow the stack.
fn skip_value(b: &[u8], mut p: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match b.get(p)? {
            b'"' => p = skip_string(b, p)?,
            b'{' | b'[' => {
                depth += 1;
                p += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                p += 1;
            }
            _ => {
                // A number or literal: up to the next delimiter.
                while !matches!(
                    b.get(p),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    p += 1;
                }
                if depth == 0 {
                    return Some(p);
                }
            }
        }
        if depth == 0 {
            return Some(p);
        }
        // Inside a container: skip separators and whitespace.
        while matches!(b.get(p), Some(b',' | b':' | b' ' | b'\t' | b'\n' | b'\r')) {
            p += 1;
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
    /// The flow's id.
    pub id: &'a str,
    /// When its last byte was delivered \[s\].
    pub finish_s: f64,
}

/// The `flows --json` document: `{"flows": [{"id", "finish_s"}], "makespan_s", "stats"}`.
#[derive(Serialize)]
pub struct FlowsReport<'a> {
    /// Finish time of every flow, in file order.
    pub flows: Vec<FlowFinish<'a>>,
    /// Time the last flow finishes \[s\].
    pub makespan_s: f64,
    /// The engine's work counters.
    pub stats: &'a fabricsim_flow::EngineStats,
}

impl<'a> FlowsReport<'a> {
    /// The report of outcome `out` of scenario `s`.
    pub fn new(s: &'a Scenario, out: &'a Completion) -> FlowsReport<'a> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_follows_keys_and_indices() {
        // Escaped quotes, nested containers and repeated keys before the target.
        let j = "{\"a\": {\"x\": [1, {\"y\": \"q\\\"}\"}]},\n \"b\": [[], {}, {\"c\": [7, 8]}]}";
        let off = locate(j, &[K("b"), I(2), K("c"), I(1)]).unwrap();
        assert_eq!(&j[off..off + 1], "8");
        // Line 2 is ` "b": [[], {}, {"c": [7, 8]}]}`: the `8` is character 26.
        assert_eq!(line_col(j, off), (2, 26));
        let off = locate(j, &[K("a"), K("x"), I(1), K("y")]).unwrap();
        assert_eq!(&j[off..off + 5], "\"q\\\"}");
        assert_eq!(locate(j, &[K("b"), I(3)]), None);
        assert_eq!(locate(j, &[K("z")]), None);
    }

    #[test]
    fn value_errors_are_located() {
        let j = "{\"links\": [{\"id\": \"l0\", \"bandwidth\": 1e9}],\n \"flows\": [{\"id\": \"f\", \"route\": [\"l0\"], \"bytes\": -1}]}";
        let e = Scenario::parse(j).unwrap_err();
        // Line 2: 1 space, `"flows": [{"id": "f", ` (22), `"route": ["l0"], ` (17),
        // `"bytes": ` (9): the `-1` starts at column 1 + 22 + 17 + 9 + 1 = 50.
        assert_eq!(e.location(), Some((2, 50)), "{e}");
    }
}
