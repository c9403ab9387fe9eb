//! Failed links, switches, rails and planes: `[[failures]]` entries of a
//! topology file and the `--fail` flags of the CLI.
//!
//! A failure removes capacity from the fabric *before* any model stage sees
//! it, so routing (ECMP shortest paths recomputed on the degraded graph, as a
//! real fabric reconverges), `info` (diameter, injection, bisection max-flow),
//! collective lower bounds and simulations all use one degraded
//! [`Topology`](super::Topology):
//!
//! - A failed **link** (cable) loses both directions and all its parallel
//!   lanes: its two directed [`Link`]s are removed.
//! - A failed **switch** keeps its node, so node ids and names stay valid, but
//!   loses every link.
//! - A failed **rail** is the failure of every NIC of the rail (each loses all
//!   its links, including the accelerator attachment). Rails exist in a
//!   rail-optimized `[scale_out]`: rail `r = i·R + n` holds NIC `n` of local
//!   accelerator `i` of every domain (see [`super::clos`]).
//! - A failed **plane** is the failure of every switch of the plane. Planes
//!   are the independent scale-out networks of a multi-plane fabric; the
//!   generator that builds them registers each plane's switches with
//!   `Groups::add` on `Groups::planes`, exactly as the Clos generator
//!   registers each rail's NICs on `Groups::rails`. Nothing else changes.
//! - A **random** failure fails a seeded uniform sample of the *lanes* of the
//!   eligible links: `round(f × L)` lanes for a fraction `f` of the `L`
//!   eligible lanes, or a given number. A bundle of `count` lanes is `count`
//!   cables: a bundle that loses some lanes keeps the others, at
//!   `count − failed` times the lane bandwidth. Eligible by default are the
//!   links whose two ends are switches (leaf–spine, spine–core, trunks, DCI
//!   between switches): the fabric's own cables, whose loss it routes around.
//!   Links of accelerators, NICs and hosts are left out by default because,
//!   with one NIC per accelerator, losing one cuts that rank off (rule F5);
//!   `tiers = [...]` samples the links of the listed tiers instead (e.g.
//!   `"leaf"` for the NIC–leaf cables, `"scale-up"` for NVLink lanes).
//!
//! Entries combine as a union, all resolved against the intact fabric: a
//! random entry samples among all eligible lanes whatever other entries
//! fail, so the order of entries and flags never matters. Flags are applied
//! with the file's entries, as if appended to the file.
//!
//! Rules, each with a negative test in `tests/it/failures.rs`:
//!
//! - F1. A `[[failures]]` entry fails exactly one kind of element (`link`,
//!   `switch`, `rail`, `plane` or `random`); keys and types as documented.
//! - F2. Names exist ("did you mean"); `switch` names switches; the two sides
//!   of `link` are linked (every pair, when they are groups).
//! - F3. `rail` and `plane` exist in the fabric.
//! - F4. A random fraction is within 0% to 100%; a random count is at most
//!   the number of eligible lanes.
//! - F5. Every accelerator still reaches every other one: otherwise the error
//!   names the unreachable ranks and the entries that cut them off.
//!
//! Failures are applied only to a fabric that is otherwise valid (rules 1–12
//! of `build.rs`), so an earlier error never causes a spurious one here.
//!
//! INVARIANT: the failed set depends only on the fabric, the entries and
//! their seeds: random draws use [`SplitMix64`] in a fixed order (no
//! `RandomState`, no threads).
//! INVARIANT: node ids are unchanged; the surviving links keep their order,
//! and each cable is still two consecutive directed links.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use toml::de::DeValue;

use super::pattern::Pattern;
use super::spec::{self, Span, Val};
use super::{Link, Node, NodeId, NodeRole};
use fabricsim_base::diag::{Sink, did_you_mean};
use fabricsim_base::rng::SplitMix64;

/// How many lanes a random failure takes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Amount {
    /// Percent of the eligible lanes, in `[0, 100]`.
    Percent(f64),
    /// A number of lanes.
    Lanes(u64),
}

/// What an entry fails.
#[derive(Clone, Debug, PartialEq)]
enum What {
    /// Every link between a node of the first group and one of the second.
    Link(Vec<Pattern>, Vec<Pattern>),
    Switch(Vec<Pattern>),
    Rail(u64),
    Plane(u64),
    /// `tiers` empty: the switch-to-switch links.
    Random {
        amount: Amount,
        seed: u64,
        tiers: Vec<String>,
    },
}

/// One failure, as a `--fail` flag spells it (`FromStr`, and `Display` in
/// the same canonical form):
///
/// | flag | `[[failures]]` entry |
/// |------|----------------------|
/// | `link:leaf3,spine12` (or `link:leaf3-spine12` when the names hold no `-`) | `link = ["leaf3", "spine12"]` |
/// | `link:leaf[0..4],spine0+spine1` | `link = ["leaf[0..4]", ["spine0", "spine1"]]` |
/// | `switch:spine[0..2]`, `switch:spine0+spine5` | `switch = "spine[0..2]"`, `switch = ["spine0", "spine5"]` |
/// | `rail:3` | `rail = 3` |
/// | `plane:1` | `plane = 1` |
/// | `random:1%:7`, `random:0.5%` (seed 0), `random:4:7` (4 lanes) | `random = { links = "1%", seed = 7 }`, `random = { links = 4 }` |
///
/// # Example
/// ```
/// use fabricsim_topology::FailureSpec;
/// let f: FailureSpec = "switch:spine[0..=1]".parse().unwrap();
/// assert_eq!(f.to_string(), "switch:spine[0..2]");
/// assert!("random:150%:7".parse::<FailureSpec>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FailureSpec(What);

/// The kinds and forms of `--fail`, for messages.
const FLAG_FORMS: &str = "link:A,B, switch:PATTERN, rail:N, plane:N, random:PERCENT%[:SEED[:TIERS]] or random:LANES[:SEED[:TIERS]]";

/// Largest rail or plane index accepted.
const MAX_INDEX: u64 = u32::MAX as u64;

fn parse_ids(text: &str) -> Result<Vec<Pattern>, String> {
    text.split('+').map(|t| Pattern::parse(t.trim())).collect()
}

fn parse_index(text: &str, kind: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&i| i <= MAX_INDEX)
        .ok_or_else(|| format!("{kind} \"{text}\" is not an index such as {kind}:3"))
}

/// `"1%"` or `"0.5 %"` → percent in `[0, 100]`.
fn parse_percent(text: &str) -> Result<f64, String> {
    let num = text
        .trim()
        .strip_suffix('%')
        .ok_or_else(|| format!("\"{text}\" is not a percentage: write e.g. \"1%\" or \"0.5%\""))?;
    let x: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a percentage: write e.g. \"1%\" or \"0.5%\""))?;
    if (0.0..=100.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "random failure fraction \"{text}\" is outside 0% to 100%"
        ))
    }
}

impl FromStr for FailureSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<FailureSpec, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("\"{s}\": expected KIND:WHAT, one of {FLAG_FORMS}"))?;
        let what = match kind.trim() {
            "link" => {
                let (a, b) = match (rest.split_once(','), rest.matches('-').count()) {
                    (Some((a, b)), _) if !b.contains(',') => (a, b),
                    (None, 1) => rest.split_once('-').expect("one '-'"),
                    _ => {
                        return Err(format!(
                            "\"{s}\": write link:A,B with the two endpoints, e.g. link:leaf3,spine12"
                        ));
                    }
                };
                What::Link(parse_ids(a)?, parse_ids(b)?)
            }
            "switch" => What::Switch(parse_ids(rest)?),
            "rail" => What::Rail(parse_index(rest, "rail")?),
            "plane" => What::Plane(parse_index(rest, "plane")?),
            "random" => {
                let mut parts = rest.splitn(3, ':');
                let amount = parts.next().unwrap_or_default();
                let seed = match parts.next() {
                    Some(seed) => seed.trim().parse::<u64>().map_err(|_| {
                        format!("\"{s}\": seed \"{seed}\" is not a non-negative integer")
                    })?,
                    None => 0,
                };
                let tiers: Vec<String> = match parts.next() {
                    Some(t) => t.split('+').map(|x| x.trim().to_string()).collect(),
                    None => Vec::new(),
                };
                if tiers.iter().any(String::is_empty) {
                    return Err(format!(
                        "\"{s}\": write the tiers as TIER+TIER, e.g. random:1%:7:leaf+spine"
                    ));
                }
                let amount = if amount.trim().ends_with('%') {
                    Amount::Percent(parse_percent(amount)?)
                } else {
                    Amount::Lanes(amount.trim().parse::<u64>().map_err(|_| {
                        format!("\"{s}\": write random:1%:7 (a percentage and a seed) or random:4:7 (a number of lanes)")
                    })?)
                };
                What::Random {
                    amount,
                    seed,
                    tiers,
                }
            }
            other => {
                let hint = did_you_mean(
                    other,
                    ["link", "switch", "rail", "plane", "random"].into_iter(),
                )
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
                return Err(format!(
                    "unknown failure kind \"{other}\"{hint}; the forms are {FLAG_FORMS}"
                ));
            }
        };
        Ok(FailureSpec(what))
    }
}

fn join(ps: &[Pattern]) -> String {
    ps.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("+")
}

impl fmt::Display for FailureSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            What::Link(a, b) => write!(f, "link:{},{}", join(a), join(b)),
            What::Switch(s) => write!(f, "switch:{}", join(s)),
            What::Rail(r) => write!(f, "rail:{r}"),
            What::Plane(p) => write!(f, "plane:{p}"),
            What::Random {
                amount,
                seed,
                tiers,
            } => {
                match amount {
                    Amount::Percent(p) => write!(f, "random:{p}%:{seed}")?,
                    Amount::Lanes(n) => write!(f, "random:{n}:{seed}")?,
                }
                if !tiers.is_empty() {
                    write!(f, ":{}", tiers.join("+"))?;
                }
                Ok(())
            }
        }
    }
}

/// One failure with where it came from.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    spec: FailureSpec,
    /// The entry's value in the file; `None` for a `--fail` flag.
    span: Option<Span>,
}

/// Failure domains known to the generators: the nodes that fail with a
/// rail or a plane.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    /// `rails[r]`: the NICs of rail `r` (rail-optimized `[scale_out]`).
    pub(crate) rails: Vec<Vec<NodeId>>,
    /// `planes[p]`: the switches of plane `p` (multi-plane scale-out).
    pub(crate) planes: Vec<Vec<NodeId>>,
}

impl Groups {
    /// Adds `node` to group `i` of `list` (`rails` or `planes`).
    pub(crate) fn add(list: &mut Vec<Vec<NodeId>>, i: u64, node: NodeId) {
        let i = i as usize;
        if list.len() <= i {
            list.resize_with(i + 1, Vec::new);
        }
        list[i].push(node);
    }
}

/// What one entry failed (entries may overlap; each counts what it names).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedEntry {
    /// The entry in `--fail` syntax, e.g. `switch:spine[0..2]`.
    pub spec: String,
    /// `line N` of the topology file, or `--fail`.
    pub origin: String,
    /// Nodes that lost all their links (switches, the NICs of a rail).
    pub nodes: usize,
    /// Full-duplex links (cables or bundles) that lost lanes.
    pub links: usize,
    /// Lanes failed (a whole bundle of `count` lanes counts `count`).
    pub lanes: u64,
    /// For a random entry: the number of eligible lanes it sampled from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligible_lanes: Option<u64>,
}

/// A full-duplex link that lost lanes (both directions alike).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedLink {
    /// Name of one end node (the source of the link as stored).
    pub a: String,
    /// Name of the other end node.
    pub b: String,
    /// Link technology kind, e.g. `nvlink4`.
    pub kind: String,
    /// Tier label, e.g. `leaf`, `spine`.
    pub tier: String,
    /// Lanes failed, at most `lanes`; equal means the link is gone.
    pub failed_lanes: u32,
    /// Lanes of the intact bundle.
    pub lanes: u32,
}

/// Everything a topology's failures removed (`Topology::failures`); empty
/// for an intact fabric.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FailureReport {
    /// The entries: the file's in file order, then the `--fail` flags.
    pub entries: Vec<FailedEntry>,
    /// Nodes that lost all their links, in node order.
    pub nodes: Vec<String>,
    /// Links that lost lanes, in link order.
    pub links: Vec<FailedLink>,
    /// Lanes failed over all links (each counted once).
    pub lanes: u64,
}

impl FailureReport {
    /// Whether nothing was failed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Keys a `[[failures]]` entry may use.
pub const KEYS: &[&str] = &["link", "switch", "rail", "plane", "random"];
/// Keys of the `random = { ... }` table of a `[[failures]]` entry.
pub const RANDOM_KEYS: &[&str] = &["links", "seed", "tiers"];
const WHAT: &str = "a [[failures]] entry";
const EXAMPLES: &str = "e.g. link = [\"leaf3\", \"spine12\"], switch = \"spine[0..4]\", rail = 3, plane = 1, or random = { links = \"1%\", seed = 7 }";

/// Reads the `[[failures]]` array (rule F1). Problems go to `sink`.
pub(crate) fn read(sink: &mut Sink<'_>, v: &Val<'_>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (t, span) in spec::tables(sink, v, "failures") {
        spec::check_keys(sink, t, KEYS, WHAT);
        let mut given: Vec<(&str, &Val<'_>)> = Vec::new();
        let mut unknown = false;
        for (k, val) in t.iter() {
            let key: &str = k.get_ref();
            match KEYS.iter().find(|x| **x == key) {
                Some(x) => given.push((*x, val)),
                None => unknown = true,
            }
        }
        given.sort_by_key(|(_, v)| v.span().start);
        let (key, val) = match given.as_slice() {
            [one] => *one,
            [] => {
                if !unknown {
                    sink.error(
                        span,
                        "a [[failures]] entry names nothing to fail".to_string(),
                        Some(format!(
                            "give one of link, switch, rail, plane or random, {EXAMPLES}"
                        )),
                    );
                }
                continue;
            }
            [first, second, ..] => {
                sink.error(
                    second.1.span(),
                    format!(
                        "a [[failures]] entry fails one kind of element, but this one gives both \"{}\" and \"{}\"",
                        first.0, second.0
                    ),
                    Some("write one [[failures]] entry per kind of element".to_string()),
                );
                continue;
            }
        };
        let what = match key {
            "link" => read_link(sink, val),
            "switch" => spec::patterns(sink, val, "switch")
                .map(|ps| What::Switch(ps.into_iter().map(|p| p.v).collect())),
            "rail" => spec::uint(sink, val, "rail", 0, MAX_INDEX).map(What::Rail),
            "plane" => spec::uint(sink, val, "plane", 0, MAX_INDEX).map(What::Plane),
            _ => read_random(sink, val),
        };
        if let Some(w) = what {
            out.push(Entry {
                spec: FailureSpec(w),
                span: Some(val.span()),
            });
        }
    }
    out
}

fn read_link(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<What> {
    match v.get_ref() {
        DeValue::Array(items) if items.len() == 2 => {
            let a = spec::patterns(sink, &items[0], "link");
            let b = spec::patterns(sink, &items[1], "link");
            let strip = |ps: Vec<spec::Sp<Pattern>>| ps.into_iter().map(|p| p.v).collect();
            Some(What::Link(strip(a?), strip(b?)))
        }
        _ => {
            sink.error(
                v.span(),
                "\"link\" must be an array of two endpoints".to_string(),
                Some("write link = [\"leaf3\", \"spine12\"]; each side may be a range such as \"leaf[0..4]\" or an array of ids, and the links of every pair fail".to_string()),
            );
            None
        }
    }
}

fn read_random(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<What> {
    let DeValue::Table(t) = v.get_ref() else {
        spec::wrong_type(
            sink,
            v,
            "random",
            "a table such as { links = \"1%\", seed = 7 }",
            None,
        );
        return None;
    };
    spec::check_keys(sink, t, RANDOM_KEYS, "random");
    let amount = match t.get("links") {
        None => {
            spec::missing(sink, t, &v.span(), "links", "random", "\"1%\"");
            None
        }
        Some(l) => match l.get_ref() {
            DeValue::String(s) => match parse_percent(s) {
                Ok(p) => Some(Amount::Percent(p)),
                Err(msg) => {
                    sink.error(
                        l.span(),
                        msg,
                        Some("links is a percentage of the eligible lanes, from \"0%\" to \"100%\", or a number of lanes such as 4".to_string()),
                    );
                    None
                }
            },
            DeValue::Integer(_) => spec::uint(sink, l, "links", 0, u64::MAX).map(Amount::Lanes),
            _ => {
                spec::wrong_type(
                    sink,
                    l,
                    "links",
                    "a percentage such as \"1%\" or a number of lanes such as 4",
                    None,
                );
                None
            }
        },
    };
    let seed = match t.get("seed") {
        None => Some(0),
        Some(s) => spec::uint(sink, s, "seed", 0, u64::MAX),
    };
    let tiers = match t.get("tiers") {
        None => Some(Vec::new()),
        Some(tv) => match tv.get_ref() {
            DeValue::Array(items) if !items.is_empty() => items
                .iter()
                .map(|it| match it.get_ref() {
                    DeValue::String(x) => Some(x.to_string()),
                    _ => {
                        spec::wrong_type(sink, it, "tiers", "a tier name such as \"spine\"", None);
                        None
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<_>>>(),
            _ => {
                spec::wrong_type(
                    sink,
                    tv,
                    "tiers",
                    "a non-empty array of tier names such as [\"leaf\", \"spine\"]",
                    None,
                );
                None
            }
        },
    };
    Some(What::Random {
        amount: amount?,
        seed: seed?,
        tiers: tiers?,
    })
}

const NONE: u32 = u32::MAX;

/// The failure pass over one built fabric.
struct Pass<'a, 's> {
    sink: &'a mut Sink<'s>,
    nodes: &'a [Node],
    /// The intact links; cable `c` is links `2c` (a → b) and `2c + 1` (b → a).
    links: &'a [Link],
    index: &'a HashMap<String, NodeId>,
    groups: &'a Groups,
    /// Cables incident to each node (CSR).
    inc_start: Vec<usize>,
    inc: Vec<u32>,
    /// First entry failing each node, or `NONE`.
    node_by: Vec<u32>,
    /// First entry failing each cable as a whole (by name), or `NONE`.
    cable_by: Vec<u32>,
    /// Randomly failed lanes: (cable, lane within the cable, entry).
    random: Vec<(u32, u32, u32)>,
    /// Per-node stamp for set membership (entry index + 1).
    stamp: Vec<u32>,
    report: Vec<FailedEntry>,
}

impl Pass<'_, '_> {
    fn cables(&self) -> usize {
        self.links.len() / 2
    }

    fn ends(&self, c: usize) -> (NodeId, NodeId) {
        let l = &self.links[2 * c];
        (l.src, l.dst)
    }

    fn incident(&self, v: NodeId) -> &[u32] {
        &self.inc[self.inc_start[v.idx()]..self.inc_start[v.idx() + 1]]
    }

    fn name(&self, v: NodeId) -> &str {
        &self.nodes[v.idx()].name
    }

    /// Reports a problem with entry `e`: at its value in the file, or for a
    /// flag without a position.
    fn error(&mut self, e: &Entry, message: String, help: Option<String>) {
        match &e.span {
            Some(sp) => self.sink.error(sp.clone(), message, help),
            None => self
                .sink
                .error_unlocated(format!("--fail {}: {message}", e.spec), help),
        }
    }

    fn origin(&self, e: &Entry) -> String {
        match &e.span {
            Some(sp) => format!("line {}", self.sink.line_col(sp.start).0),
            None => "--fail".to_string(),
        }
    }

    /// The nodes named by `pats`, sorted and deduplicated (rule F2).
    fn resolve(&mut self, e: &Entry, pats: &[Pattern]) -> Option<Vec<NodeId>> {
        let mut ids = Vec::new();
        let mut ok = true;
        for p in pats {
            let count = p.count();
            if count > self.nodes.len() as u128 {
                self.error(
                    e,
                    format!(
                        "\"{p}\" names {count} nodes, more than the {} of the topology",
                        self.nodes.len()
                    ),
                    None,
                );
                ok = false;
                continue;
            }
            let names = p.expand();
            let unknown = super::build::lookup_names(self.index, &names, &mut ids);
            if unknown.is_empty() {
                continue;
            }
            ok = false;
            let (msg, help) = if names.len() == 1 {
                let u = &unknown[0];
                let hint = super::build::name_hint(self.index, u);
                (format!("no node named \"{u}\""), hint)
            } else {
                let shown: Vec<&str> = unknown.iter().take(3).map(String::as_str).collect();
                (
                    format!(
                        "{} of the {} nodes named by \"{p}\" do not exist: {}{}",
                        unknown.len(),
                        names.len(),
                        shown.join(", "),
                        if unknown.len() > 3 { ", ..." } else { "" }
                    ),
                    Some("ranges are half-open: \"spine[0..4]\" is spine0 to spine3".to_string()),
                )
            };
            self.error(e, msg, help);
        }
        ids.sort_unstable();
        ids.dedup();
        ok.then_some(ids)
    }

    fn mark(&mut self, i: usize, e: &Entry) {
        let stats = match &e.spec.0 {
            What::Link(a, b) => self.fail_link(i, e, a, b),
            What::Switch(ps) => self.resolve(e, ps).and_then(|ids| {
                let bad = ids
                    .iter()
                    .copied()
                    .find(|v| self.nodes[v.idx()].role != NodeRole::Switch);
                if let Some(v) = bad {
                    let role = match self.nodes[v.idx()].role {
                        NodeRole::Accelerator => "an accelerator",
                        NodeRole::Nic => "a NIC",
                        NodeRole::Host => "a host",
                        NodeRole::Switch => "a switch",
                    };
                    let msg = format!("\"{}\" is {role}, not a switch", self.name(v));
                    self.error(
                        e,
                        msg,
                        Some("switch = ... fails switches only; fail the links of other nodes with link = [\"a\", \"b\"]".to_string()),
                    );
                    return None;
                }
                Some(self.fail_nodes(i, &ids))
            }),
            What::Rail(r) => self.fail_group(i, e, *r, "rail"),
            What::Plane(p) => self.fail_group(i, e, *p, "plane"),
            What::Random {
                amount,
                seed,
                tiers,
            } => self.fail_random(i, e, *amount, *seed, tiers),
        };
        if let Some((nodes, links, lanes, eligible_lanes)) = stats {
            let origin = self.origin(e);
            self.report.push(FailedEntry {
                spec: e.spec.to_string(),
                origin,
                nodes,
                links,
                lanes,
                eligible_lanes,
            });
        }
    }

    /// (nodes, links, lanes, eligible lanes) of an entry.
    fn fail_nodes(&mut self, i: usize, ids: &[NodeId]) -> (usize, usize, u64, Option<u64>) {
        let mut cables: Vec<u32> = Vec::new();
        for &v in ids {
            if self.node_by[v.idx()] == NONE {
                self.node_by[v.idx()] = i as u32;
            }
            cables.extend_from_slice(self.incident(v));
        }
        cables.sort_unstable();
        cables.dedup();
        let lanes = cables
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        (ids.len(), cables.len(), lanes, None)
    }

    fn fail_group(
        &mut self,
        i: usize,
        e: &Entry,
        g: u64,
        kind: &str,
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let groups = self.groups;
        let list = if kind == "rail" {
            &groups.rails
        } else {
            &groups.planes
        };
        match list.get(g as usize) {
            Some(ids) if !ids.is_empty() => {
                let ids = ids.clone();
                Some(self.fail_nodes(i, &ids))
            }
            _ => {
                let n = list.len();
                let (msg, help) = match (n, kind) {
                    (0, "rail") => (
                        "the topology has no rails".to_string(),
                        "rails are the NIC groups of a rail-optimized [scale_out] (topology = \"rail-optimized\", the default): rail i·R + n holds NIC n of local accelerator i of every domain".to_string(),
                    ),
                    (0, _) => (
                        "the topology has no planes".to_string(),
                        "planes are the independent scale-out networks of a multi-plane fabric; a single Clos has none (fail its switches with switch = ...)".to_string(),
                    ),
                    _ => (
                        format!("{kind} {g} does not exist"),
                        format!("the {kind}s are {kind} 0 to {kind} {}", n - 1),
                    ),
                };
                self.error(e, msg, Some(help));
                None
            }
        }
    }

    fn fail_link(
        &mut self,
        i: usize,
        e: &Entry,
        a: &[Pattern],
        b: &[Pattern],
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let (a, b) = (self.resolve(e, a), self.resolve(e, b));
        let (a, b) = (a?, b?);
        let token = i as u32 + 1;
        for &y in &b {
            self.stamp[y.idx()] = token;
        }
        let mut cables: Vec<u32> = Vec::new();
        let mut pairs: Vec<(NodeId, NodeId)> = Vec::new();
        for &x in &a {
            for k in self.inc_start[x.idx()]..self.inc_start[x.idx() + 1] {
                let c = self.inc[k];
                let (p, q) = self.ends(c as usize);
                let y = if p == x { q } else { p };
                if self.stamp[y.idx()] == token {
                    cables.push(c);
                    pairs.push((x, y));
                }
            }
        }
        cables.sort_unstable();
        cables.dedup();
        pairs.sort_unstable();
        pairs.dedup();
        // Ordered pairs (x in a, y in b, x ≠ y) the entry names.
        let both = a.iter().filter(|x| self.stamp[x.idx()] == token).count() as u128;
        let named = a.len() as u128 * b.len() as u128 - both;
        if named == 0 {
            self.error(
                e,
                "a link joins two different nodes".to_string(),
                Some("name the two endpoints: link = [\"leaf3\", \"spine12\"]".to_string()),
            );
            return None;
        }
        if (pairs.len() as u128) < named {
            let mut missing: Vec<(NodeId, NodeId)> = Vec::new();
            'outer: for &x in &a {
                for &y in &b {
                    if x != y && pairs.binary_search(&(x, y)).is_err() {
                        missing.push((x, y));
                        if missing.len() == 3 {
                            break 'outer;
                        }
                    }
                }
            }
            let (x, y) = missing[0];
            let (msg, help) = if named == 1 {
                let mut nb: Vec<&str> = self
                    .incident(x)
                    .iter()
                    .map(|&c| {
                        let (p, q) = self.ends(c as usize);
                        self.name(if p == x { q } else { p })
                    })
                    .collect();
                nb.sort_unstable();
                nb.dedup();
                let hint = did_you_mean(self.name(y), nb.iter().copied())
                    .map(|c| format!("did you mean \"{c}\"? "))
                    .unwrap_or_default();
                let shown = nb.iter().take(8).copied().collect::<Vec<_>>().join(", ");
                (
                    format!(
                        "\"{}\" and \"{}\" are not linked",
                        self.name(x),
                        self.name(y)
                    ),
                    Some(format!(
                        "{hint}\"{}\" is linked to {} node(s): {shown}{}",
                        self.name(x),
                        nb.len(),
                        if nb.len() > 8 { ", ..." } else { "" }
                    )),
                )
            } else {
                let shown: Vec<String> = missing
                    .iter()
                    .map(|&(x, y)| format!("{} – {}", self.name(x), self.name(y)))
                    .collect();
                (
                    format!(
                        "{} of the {named} pairs named by this entry are not linked: {}{}",
                        named - pairs.len() as u128,
                        shown.join(", "),
                        if named - (pairs.len() as u128) > 3 { ", ..." } else { "" }
                    ),
                    Some("every pair of the two groups must be linked; name only the links that exist".to_string()),
                )
            };
            self.error(e, msg, help);
            return None;
        }
        for &c in &cables {
            if self.cable_by[c as usize] == NONE {
                self.cable_by[c as usize] = i as u32;
            }
        }
        let lanes = cables
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        Some((0, cables.len(), lanes, None))
    }

    /// Selection sampling (Knuth, TAOCP vol. 2, Algorithm 3.4.2 S): lane `t`
    /// of `L` is taken with probability (k − taken) / (L − t), which yields a
    /// uniform k-subset in one pass in lane order, O(L) time, O(k) memory.
    fn fail_random(
        &mut self,
        i: usize,
        e: &Entry,
        amount: Amount,
        seed: u64,
        tiers: &[String],
    ) -> Option<(usize, usize, u64, Option<u64>)> {
        let eligible = self.eligible(e, tiers)?;
        let total: u64 = eligible
            .iter()
            .map(|&c| u64::from(self.links[2 * c as usize].count))
            .sum();
        let k = match amount {
            Amount::Percent(p) => (p / 100.0 * total as f64).round() as u64,
            Amount::Lanes(k) if k > total => {
                self.error(
                    e,
                    format!("random failure of {k} lanes, but only {total} lanes are eligible"),
                    Some("eligible are the lanes of the switch-to-switch links, or of the links of the listed tiers".to_string()),
                );
                return None;
            }
            Amount::Lanes(k) => k,
        };
        let mut rng = SplitMix64::new(seed);
        let mut taken = 0u64;
        let mut seen = 0u64;
        let mut cables = 0usize;
        'cables: for &c in &eligible {
            let count = self.links[2 * c as usize].count;
            let mut hit = false;
            for lane in 0..count {
                if taken == k {
                    break 'cables;
                }
                let left = (total - seen) as f64;
                if left * rng.unit() < (k - taken) as f64 {
                    self.random.push((c, lane, i as u32));
                    taken += 1;
                    hit = true;
                }
                seen += 1;
            }
            cables += usize::from(hit);
        }
        debug_assert_eq!(taken, k, "selection sampling takes exactly k");
        Some((0, cables, k, Some(total)))
    }

    /// The cables a random entry samples from, in link order: with no
    /// `tiers`, those whose two ends are switches; else those of the tiers
    /// (each tier must have links).
    fn eligible(&mut self, e: &Entry, tiers: &[String]) -> Option<Vec<u32>> {
        if tiers.is_empty() {
            let sw = |v: NodeId| self.nodes[v.idx()].role == NodeRole::Switch;
            return Some(
                (0..self.cables())
                    .filter(|&c| {
                        let (a, b) = self.ends(c);
                        sw(a) && sw(b)
                    })
                    .map(|c| c as u32)
                    .collect(),
            );
        }
        let mut known: Vec<&str> = self.links.iter().map(|l| &*l.tier).collect();
        known.sort_unstable();
        known.dedup();
        let unknown: Vec<&String> = tiers
            .iter()
            .filter(|t| known.binary_search(&t.as_str()).is_err())
            .collect();
        if let Some(u) = unknown.first() {
            let hint = did_you_mean(u, known.iter().copied())
                .map(|c| format!("; did you mean \"{c}\"?"))
                .unwrap_or_default();
            let msg = format!("no links have tier \"{u}\"{hint}");
            let help = format!("the tiers of this fabric are: {}", known.join(", "));
            self.error(e, msg, Some(help));
            return None;
        }
        Some(
            (0..self.cables())
                .filter(|&c| tiers.iter().any(|t| *t == self.links[2 * c].tier))
                .map(|c| c as u32)
                .collect(),
        )
    }
}

/// Applies the file's `entries` and the `flags` (as if appended to the file)
/// to a built, valid fabric: removes failed links from `links` and returns
/// the report. Reports problems (rules F2–F5) to `sink` and leaves `links`
/// unchanged when there are any. Does nothing when `sink` already holds
/// errors.
///
/// # Complexity
/// O(V + E) plus, per link entry, the degrees of its first group; per random
/// entry, O(eligible lanes).
pub(crate) fn apply(
    sink: &mut Sink<'_>,
    entries: &[Entry],
    flags: &[FailureSpec],
    nodes: &[Node],
    index: &HashMap<String, NodeId>,
    groups: &Groups,
    links: &mut Vec<Link>,
) -> FailureReport {
    if (entries.is_empty() && flags.is_empty()) || sink.has_errors() {
        return FailureReport::default();
    }
    debug_assert!(
        links.len().is_multiple_of(2)
            && links
                .chunks(2)
                .all(|p| p[0].src == p[1].dst && p[0].dst == p[1].src && p[0].count == p[1].count),
        "each cable is two consecutive directed links"
    );
    let all: Vec<Entry> = entries
        .iter()
        .cloned()
        .chain(flags.iter().map(|f| Entry {
            spec: f.clone(),
            span: None,
        }))
        .collect();
    let n = nodes.len();
    let cables = links.len() / 2;
    let mut inc_start = vec![0usize; n + 1];
    for l in links.iter().step_by(2) {
        inc_start[l.src.idx() + 1] += 1;
        inc_start[l.dst.idx() + 1] += 1;
    }
    for v in 0..n {
        inc_start[v + 1] += inc_start[v];
    }
    let mut fill = inc_start.clone();
    let mut inc = vec![0u32; 2 * cables];
    for (c, l) in links.iter().step_by(2).enumerate() {
        for v in [l.src, l.dst] {
            inc[fill[v.idx()]] = c as u32;
            fill[v.idx()] += 1;
        }
    }
    let mut pass = Pass {
        sink,
        nodes,
        links: links.as_slice(),
        index,
        groups,
        inc_start,
        inc,
        node_by: vec![NONE; n],
        cable_by: vec![NONE; cables],
        random: Vec::new(),
        stamp: vec![0; n],
        report: Vec::new(),
    };
    for (i, e) in all.iter().enumerate() {
        pass.mark(i, e);
    }
    if pass.sink.has_errors() {
        return FailureReport::default();
    }
    // Failed lanes per cable and the first entry that failed it.
    let mut dead = vec![0u32; cables];
    let mut cause = vec![NONE; cables];
    for c in 0..cables {
        let (a, b) = pass.ends(c);
        let by = pass.cable_by[c]
            .min(pass.node_by[a.idx()])
            .min(pass.node_by[b.idx()]);
        if by != NONE {
            dead[c] = links[2 * c].count;
            cause[c] = by;
        }
    }
    let mut random = std::mem::take(&mut pass.random);
    random.sort_unstable();
    random.dedup_by_key(|r| (r.0, r.1));
    for &(c, _, by) in &random {
        let c = c as usize;
        if dead[c] < links[2 * c].count {
            dead[c] += 1;
        }
        cause[c] = cause[c].min(by);
    }
    let alive = |c: usize| dead[c] < links[2 * c].count;
    if let Some(cut) = cut_off(nodes, links, &alive) {
        report_cut(&mut pass, &all, &cut, &dead, &cause);
        return FailureReport::default();
    }
    let report = FailureReport {
        entries: std::mem::take(&mut pass.report),
        nodes: (0..n)
            .filter(|&v| pass.node_by[v] != NONE)
            .map(|v| nodes[v].name.clone())
            .collect(),
        links: (0..cables)
            .filter(|&c| dead[c] > 0)
            .map(|c| {
                let l = &links[2 * c];
                FailedLink {
                    a: nodes[l.src.idx()].name.clone(),
                    b: nodes[l.dst.idx()].name.clone(),
                    kind: l.kind.clone(),
                    tier: l.tier.to_string(),
                    failed_lanes: dead[c],
                    lanes: l.count,
                }
            })
            .collect(),
        lanes: dead.iter().map(|&d| u64::from(d)).sum(),
    };
    let old = std::mem::take(links);
    for (c, pair) in old.chunks(2).enumerate() {
        if dead[c] == pair[0].count {
            continue;
        }
        for l in pair {
            let mut l = l.clone();
            if dead[c] > 0 {
                let keep = l.count - dead[c];
                l.capacity_bps = l.capacity_bps / f64::from(l.count) * f64::from(keep);
                l.count = keep;
            }
            links.push(l);
        }
    }
    report
}

/// Accelerators that cannot reach every other one after the failures.
struct Cut {
    /// The cut-off accelerators, in rank order, with their ranks.
    ranks: Vec<(usize, NodeId)>,
    /// An accelerator that the first of them cannot reach, with its rank.
    other: (usize, NodeId),
    /// The nodes the first cut-off accelerator still reaches (itself included).
    island: Vec<NodeId>,
}

/// Rule F5: whether every accelerator reaches every other through forwarding
/// nodes over the `alive` cables (the reachability of `build.rs` rule 12).
///
/// Forwarding nodes are grouped into connected components; two accelerators
/// reach each other iff they are directly linked or touch (are in, or are
/// linked to) a common component. If a component touches every accelerator
/// the fabric is whole. Otherwise the accelerators that do not touch the
/// *main* component (the one touching the most) are cut off, once one of them
/// is confirmed to miss some accelerator; without any component (a mesh of
/// directly linked, non-forwarding chips) the first accelerator that misses
/// some is the reference and those it misses are cut off.
fn cut_off(nodes: &[Node], links: &[Link], alive: &dyn Fn(usize) -> bool) -> Option<Cut> {
    let n = nodes.len();
    let mut start = vec![0usize; n + 1];
    let live: Vec<usize> = (0..links.len() / 2).filter(|&c| alive(c)).collect();
    for &c in &live {
        start[links[2 * c].src.idx() + 1] += 1;
        start[links[2 * c].dst.idx() + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut adj = vec![0u32; 2 * live.len()];
    for &c in &live {
        let (a, b) = (links[2 * c].src.idx(), links[2 * c].dst.idx());
        adj[fill[a]] = b as u32;
        fill[a] += 1;
        adj[fill[b]] = a as u32;
        fill[b] += 1;
    }
    let out = |u: usize| adj[start[u]..start[u + 1]].iter().map(|&v| v as usize);
    let fwd: Vec<bool> = nodes.iter().map(|x| x.forwards).collect();
    let (comp, comps) = super::build::forwarding_components(&fwd, out);
    let accs: Vec<usize> = (0..n)
        .filter(|&v| nodes[v].role == NodeRole::Accelerator)
        .collect();
    let mut rank = vec![usize::MAX; n];
    for (r, &a) in accs.iter().enumerate() {
        rank[a] = r;
    }
    let touches = super::build::touched_components(&accs, &fwd, &comp, out);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); comps as usize];
    for (r, cs) in touches.iter().enumerate() {
        for &c in cs {
            members[c as usize].push(r);
        }
    }
    if members.iter().any(|m| m.len() == accs.len()) {
        return None;
    }
    // The ranks `x` reaches.
    let reach = |x: usize| -> Vec<bool> {
        let mut seen = vec![false; accs.len()];
        seen[x] = true;
        for &c in &touches[x] {
            for &y in &members[c as usize] {
                seen[y] = true;
            }
        }
        for v in out(accs[x]) {
            if rank[v] != usize::MAX {
                seen[rank[v]] = true;
            }
        }
        seen
    };
    let island = |x: usize| -> Vec<NodeId> {
        let mut v: Vec<NodeId> = (0..n)
            .filter(|&u| comp[u] != NONE && touches[x].binary_search(&comp[u]).is_ok())
            .map(|u| NodeId(u as u32))
            .collect();
        v.push(NodeId(accs[x] as u32));
        v
    };
    let main = (0..comps as usize).max_by_key(|&c| (members[c].len(), std::cmp::Reverse(c)));
    match main {
        Some(m) if !members[m].is_empty() => {
            let cut: Vec<usize> = (0..accs.len())
                .filter(|r| touches[*r].binary_search(&(m as u32)).is_err())
                .collect();
            for &y in &cut {
                let seen = reach(y);
                if let Some(z) = seen.iter().position(|s| !s) {
                    return Some(Cut {
                        ranks: cut.iter().map(|&r| (r, NodeId(accs[r] as u32))).collect(),
                        other: (z, NodeId(accs[z] as u32)),
                        island: island(y),
                    });
                }
            }
            None
        }
        _ => {
            for x in 0..accs.len() {
                let seen = reach(x);
                let missed: Vec<usize> = (0..accs.len()).filter(|&y| !seen[y]).collect();
                if let Some(&first) = missed.first() {
                    return Some(Cut {
                        ranks: missed
                            .iter()
                            .map(|&r| (r, NodeId(accs[r] as u32)))
                            .collect(),
                        other: (x, NodeId(accs[x] as u32)),
                        island: island(first),
                    });
                }
            }
            None
        }
    }
}

/// Reports rule F5: names the cut-off ranks and the entries whose failed
/// links touch what the first of them still reaches.
fn report_cut(pass: &mut Pass<'_, '_>, all: &[Entry], cut: &Cut, dead: &[u32], cause: &[u32]) {
    let total = pass
        .nodes
        .iter()
        .filter(|x| x.role == NodeRole::Accelerator)
        .count();
    let shown: Vec<String> = cut
        .ranks
        .iter()
        .take(8)
        .map(|&(r, v)| format!("{} (rank {r})", pass.name(v)))
        .collect();
    let (first_rank, first) = cut.ranks[0];
    let (other_rank, other) = cut.other;
    let message = format!(
        "the failures leave {} of {total} accelerators unreachable: {}{}; {} (rank {first_rank}) cannot reach {} (rank {other_rank})",
        cut.ranks.len(),
        shown.join(", "),
        if cut.ranks.len() > 8 { ", ..." } else { "" },
        pass.name(first),
        pass.name(other),
    );
    let mut culprits: Vec<u32> = Vec::new();
    for &v in &cut.island {
        for &c in pass.incident(v) {
            let c = c as usize;
            if dead[c] == pass.links[2 * c].count && cause[c] != NONE {
                culprits.push(cause[c]);
            }
        }
    }
    culprits.sort_unstable();
    culprits.dedup();
    let named: Vec<String> = culprits
        .iter()
        .map(|&i| {
            let e = &all[i as usize];
            match &e.span {
                Some(_) => format!("{} ({})", e.spec, pass.origin(e)),
                None => format!("--fail {}", e.spec),
            }
        })
        .collect();
    let cut_by = if named.is_empty() {
        String::new()
    } else {
        format!("cut off by {}; ", named.join(", "))
    };
    let help = Some(format!(
        "{cut_by}a collective needs every rank reachable: fail fewer elements, or remove the cut-off accelerators from the topology"
    ));
    let at = culprits
        .iter()
        .find_map(|&i| all[i as usize].span.clone())
        .or_else(|| all.iter().find_map(|e| e.span.clone()));
    match at {
        Some(sp) => pass.sink.error(sp, message, help),
        None => pass.sink.error_unlocated(message, help),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_print_canonically() {
        for (flag, shown) in [
            ("link:leaf3,spine12", "link:leaf3,spine12"),
            ("link:leaf3-spine12", "link:leaf3,spine12"),
            (
                "link: leaf[0..=1] , spine0+spine1",
                "link:leaf[0..2],spine0+spine1",
            ),
            ("switch:spine[0..2]", "switch:spine[0..2]"),
            ("rail:3", "rail:3"),
            ("plane:1", "plane:1"),
            ("random:1%:7", "random:1%:7"),
            ("random:0.5%", "random:0.5%:0"),
            ("random:4:9", "random:4:9"),
            ("random:1%:7:leaf+spine", "random:1%:7:leaf+spine"),
        ] {
            let f: FailureSpec = flag.parse().unwrap_or_else(|e| panic!("{flag}: {e}"));
            assert_eq!(f.to_string(), shown, "{flag}");
            assert_eq!(
                shown.parse::<FailureSpec>().unwrap(),
                f,
                "{shown} round trip"
            );
        }
    }

    #[test]
    fn bad_flags_say_what_is_wrong() {
        for (flag, says) in [
            ("spine0", "expected KIND:WHAT"),
            ("swtich:spine0", "did you mean \"switch\"?"),
            ("link:a-b-c", "write link:A,B"),
            ("link:a,b,c", "write link:A,B"),
            ("switch:spine[0..", "unclosed"),
            ("rail:x", "not an index"),
            ("random:150%:7", "outside 0% to 100%"),
            ("random:-1%", "outside 0% to 100%"),
            ("random:1%:x", "seed"),
            ("random:lots", "random:1%:7"),
            ("random:1%:7:leaf+", "TIER+TIER"),
        ] {
            let e = flag.parse::<FailureSpec>().unwrap_err();
            assert!(e.contains(says), "{flag}: {e}");
        }
    }

    #[test]
    fn percent_bounds() {
        assert_eq!(parse_percent("0%"), Ok(0.0));
        assert_eq!(parse_percent(" 100 %"), Ok(100.0));
        assert!(parse_percent("100.01%").is_err());
        assert!(parse_percent("NaN%").is_err());
        assert!(parse_percent("1").is_err());
    }
}
