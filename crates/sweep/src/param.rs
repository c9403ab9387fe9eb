//! Sweep parameters: what an axis key names, checked against the schema of
//! the file it edits, and how a value is written into a parsed base file.
//!
//! Axis keys start with their target (docs/sweep-format.md, "Axes"):
//! `topology.KEY.PATH` edits the base topology file, `job.KEY.PATH` the base
//! job file, `collective.{op,size,algo,ranks,channels,collnet,nccl}` the collective and
//! `failures.{random,seed,tiers,fail}` the failures added to the fabric. A
//! key path is checked against the keys the topology and job readers accept
//! (their own lists, so the two never drift apart); numeric segments index
//! arrays of tables (`topology.links.0.bandwidth`).

use fabricsim_topology::keys as tspec;
use fabricsim_workload::spec as wspec;

/// One segment of a key path into a TOML document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A key of a table.
    Key(String),
    /// An index into an array of tables.
    Index(usize),
}

/// A collective parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CollectiveKey {
    /// `collective.op`: the operation.
    Op,
    /// `collective.size`: the nccl-tests size S \[bytes\].
    Size,
    /// `collective.algo`: the algorithm.
    Algo,
    /// `collective.ranks`: the first k accelerators are the ranks.
    Ranks,
    /// `collective.channels`: ring channels.
    Channels,
    /// `collective.collnet`: CollNet (SHARP) on or off, as `--collnet`.
    CollNet,
    /// `collective.nccl`: the NCCL release whose cost model `auto`
    /// follows, as `--nccl`.
    Nccl,
}

/// A failure parameter (a `random` entry's fields, or a whole `--fail` spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailKey {
    /// `failures.random`: share (`"1%"`) or number of lanes failed at random.
    Random,
    /// `failures.seed`: seed of the random failure.
    Seed,
    /// `failures.tiers`: tiers the random failure samples from.
    Tiers,
    /// `failures.fail`: one more failure as a `--fail` spec (`"none"`: intact).
    Fail,
}

/// What an axis varies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// The base topology file (top-level `topology = [...]`).
    TopologyFile,
    /// The base job file (top-level `job = [...]`).
    JobFile,
    /// A key path into the base topology.
    Topology(Vec<Seg>),
    /// A key path into the base job.
    Job(Vec<Seg>),
    /// A field of the collective (`collective.KEY`).
    Collective(CollectiveKey),
    /// A failure parameter (`failures.KEY`).
    Failure(FailKey),
}

/// Indexed by [`CollectiveKey`] (same order).
pub(crate) const COLLECTIVE_KEYS: &[&str] =
    &["op", "size", "algo", "ranks", "channels", "collnet", "nccl"];
pub(crate) const FAILURE_KEYS: &[&str] = &["random", "seed", "tiers", "fail"];
const PREFIXES: &[&str] = &["topology", "job", "collective", "failures"];

impl CollectiveKey {
    pub(crate) fn of(s: &str) -> Option<CollectiveKey> {
        Some(match s {
            "op" => CollectiveKey::Op,
            "size" => CollectiveKey::Size,
            "algo" => CollectiveKey::Algo,
            "ranks" => CollectiveKey::Ranks,
            "channels" => CollectiveKey::Channels,
            "collnet" => CollectiveKey::CollNet,
            "nccl" => CollectiveKey::Nccl,
            _ => return None,
        })
    }
}

impl FailKey {
    pub(crate) fn of(s: &str) -> Option<FailKey> {
        Some(match s {
            "random" => FailKey::Random,
            "seed" => FailKey::Seed,
            "tiers" => FailKey::Tiers,
            "fail" => FailKey::Fail,
            _ => return None,
        })
    }
}

/// Why an axis key names no parameter: the message and a hint.
pub(crate) type KeyError = (String, String);

fn hint(input: &str, allowed: &[&str], what: &str) -> String {
    match fabricsim_base::suggest::did_you_mean(input, allowed.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => format!("the keys of {what} are: {}", allowed.join(", ")),
    }
}

/// Parses an axis key (`topology.scale_out.oversubscription`).
pub(crate) fn parse_key(key: &str) -> Result<Param, KeyError> {
    let (prefix, rest) = key.split_once('.').unwrap_or((key, ""));
    match prefix {
        "topology" | "job" if rest.is_empty() => Err((
            format!("axis \"{key}\" names a whole file"),
            format!("vary the {prefix} file with a top-level array: {prefix} = [\"a.toml\", \"b.toml\"]"),
        )),
        "topology" => Ok(Param::Topology(check_path(rest, &topology_schema)?)),
        "job" => Ok(Param::Job(check_path(rest, &job_schema)?)),
        "collective" => CollectiveKey::of(rest)
            .map(Param::Collective)
            .ok_or_else(|| {
                (
                    format!("unknown collective parameter \"{rest}\" in axis \"{key}\""),
                    hint(rest, COLLECTIVE_KEYS, "collective"),
                )
            }),
        "failures" => FailKey::of(rest).map(Param::Failure).ok_or_else(|| {
            (
                format!("unknown failure parameter \"{rest}\" in axis \"{key}\""),
                hint(rest, FAILURE_KEYS, "failures"),
            )
        }),
        _ => Err((
            format!("unknown axis \"{key}\": an axis key starts with topology., job., collective. or failures."),
            match fabricsim_base::suggest::did_you_mean(prefix, PREFIXES.iter().copied()) {
                Some(s) => format!("did you mean \"{s}.{rest}\"?"),
                None => "e.g. \"topology.scale_out.oversubscription\", \"job.parallelism.dp\", \"collective.size\", \"failures.random\"".into(),
            },
        )),
    }
}

/// What the schema says about the table at a path.
enum Node {
    /// A table with these keys.
    Table(Vec<&'static str>),
    /// An array of tables whose elements have these keys.
    Array(Vec<&'static str>),
}

/// The keys of the topology table at `path` (keys only, indices removed).
fn topology_schema(path: &[&str]) -> Option<Node> {
    let join = |parts: &[&[&'static str]]| parts.concat();
    Some(match path {
        [] => Node::Table(tspec::TOP_KEYS.to_vec()),
        ["scale_up"] => Node::Table(join(&[
            tspec::SCALE_UP_COMMON,
            tspec::SCALE_UP_SWITCHED,
            tspec::SCALE_UP_MESH,
            tspec::SCALE_UP_TORUS,
        ])),
        ["scale_out"] => Node::Table(join(&[
            tspec::SCALE_OUT_COMMON,
            tspec::SCALE_OUT_CLOS,
            tspec::SCALE_OUT_DRAGONFLY,
        ])),
        ["dci"] => Node::Table(tspec::DCI_KEYS.to_vec()),
        ["power"] => Node::Table(tspec::POWER_KEYS.to_vec()),
        ["nodes"] => Node::Array(tspec::NODE_KEYS.to_vec()),
        ["links"] => Node::Array(tspec::LINK_KEYS.to_vec()),
        ["failures"] => Node::Array(tspec::FAILURE_KEYS.to_vec()),
        ["failures", "random"] => Node::Table(tspec::FAILURE_RANDOM_KEYS.to_vec()),
        _ => return None,
    })
}

fn job_schema(path: &[&str]) -> Option<Node> {
    Some(match path {
        [] => Node::Table(wspec::TOP_KEYS.to_vec()),
        ["model"] => Node::Table(wspec::MODEL_KEYS.to_vec()),
        ["parallelism"] => Node::Table(wspec::PARALLELISM_KEYS.to_vec()),
        ["compute"] => Node::Table(wspec::COMPUTE_KEYS.to_vec()),
        ["compute", "overlap"] => Node::Table(wspec::OVERLAP_KEYS.to_vec()),
        ["training"] => Node::Table(wspec::TRAINING_KEYS.to_vec()),
        _ => return None,
    })
}

/// Checks a dotted key path against `schema` and splits it into segments.
fn check_path(path: &str, schema: &dyn Fn(&[&str]) -> Option<Node>) -> Result<Vec<Seg>, KeyError> {
    let mut segs = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut parts = path.split('.').peekable();
    let mut node = schema(&[]);
    while let Some(p) = parts.next() {
        let shown = if keys.is_empty() {
            "the top level".to_string()
        } else {
            format!("[{}]", keys.join("."))
        };
        match node {
            None => {
                return Err((
                    format!(
                        "\"{}\" is a value, not a table: nothing inside it to vary",
                        keys.join(".")
                    ),
                    format!("vary \"{}\" itself", keys.join(".")),
                ));
            }
            Some(Node::Array(_)) => {
                let i: usize = p.parse().map_err(|_| {
                    (
                        format!(
                            "[[{}]] is an array of tables: \"{p}\" is not an index",
                            keys.join(".")
                        ),
                        format!(
                            "name an entry by its position from 0, e.g. {}.0.{p}",
                            keys.join(".")
                        ),
                    )
                })?;
                segs.push(Seg::Index(i));
                node = match schema(&keys) {
                    Some(Node::Array(k)) => Some(Node::Table(k)),
                    other => other,
                };
                continue;
            }
            Some(Node::Table(allowed)) => {
                if !allowed.contains(&p) {
                    return Err((
                        format!("unknown key \"{p}\" in {shown}"),
                        hint(p, &allowed, &shown),
                    ));
                }
                keys.push(p);
                segs.push(Seg::Key(p.to_string()));
                node = schema(&keys);
                if parts.peek().is_none() {
                    break;
                }
            }
        }
    }
    Ok(segs)
}

/// Writes `value` at `path` in `doc`, creating missing tables; refuses to
/// step through a value or past the end of an array.
pub(crate) fn set_path(
    doc: &mut toml::Table,
    path: &[Seg],
    value: toml::Value,
) -> Result<(), String> {
    let mut root = toml::Value::Table(std::mem::take(doc));
    let res = set_in(&mut root, path, 0, value);
    if let toml::Value::Table(t) = root {
        *doc = t;
    }
    res
}

fn shown(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn set_in(
    cur: &mut toml::Value,
    path: &[Seg],
    at: usize,
    value: toml::Value,
) -> Result<(), String> {
    let last = at + 1 == path.len();
    match (&path[at], cur) {
        (Seg::Key(k), toml::Value::Table(t)) => {
            if last {
                t.insert(k.clone(), value);
                return Ok(());
            }
            let next = t
                .entry(k.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            set_in(next, path, at + 1, value)
        }
        (Seg::Index(n), toml::Value::Array(a)) => {
            let len = a.len();
            let Some(next) = a.get_mut(*n) else {
                return Err(format!(
                    "{} has {len} entries in the base file: there is no entry {n}",
                    shown(&path[..at])
                ));
            };
            if last {
                *next = value;
                return Ok(());
            }
            set_in(next, path, at + 1, value)
        }
        (Seg::Index(_), other) => Err(format!(
            "{} is {} in the base file, not an array of tables",
            shown(&path[..at]),
            other.type_str()
        )),
        (Seg::Key(_), other) => Err(format!(
            "{} is {} in the base file, not a table",
            shown(&path[..at]),
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_against_the_readers_schemas() {
        assert_eq!(
            parse_key("topology.scale_out.oversubscription").unwrap(),
            Param::Topology(vec![
                Seg::Key("scale_out".into()),
                Seg::Key("oversubscription".into())
            ])
        );
        assert_eq!(
            parse_key("topology.links.2.bandwidth").unwrap(),
            Param::Topology(vec![
                Seg::Key("links".into()),
                Seg::Index(2),
                Seg::Key("bandwidth".into())
            ])
        );
        assert_eq!(
            parse_key("job.compute.overlap.dp").unwrap(),
            Param::Job(vec![
                Seg::Key("compute".into()),
                Seg::Key("overlap".into()),
                Seg::Key("dp".into())
            ])
        );
        let (m, h) = parse_key("job.parallelism.dq").unwrap_err();
        assert!(m.contains("unknown key \"dq\" in [parallelism]"), "{m}");
        assert!(h.contains("did you mean"), "{h}");
        assert!(
            parse_key("topology.links.x")
                .unwrap_err()
                .0
                .contains("not an index")
        );
        assert!(
            parse_key("topology.routing.x")
                .unwrap_err()
                .0
                .contains("is a value")
        );
        assert!(parse_key("topology").is_err());
        assert!(
            parse_key("collective.sise")
                .unwrap_err()
                .1
                .contains("\"size\"")
        );
        assert!(
            parse_key("failure.seed")
                .unwrap_err()
                .1
                .contains("failures.seed")
        );
    }

    #[test]
    fn set_path_creates_tables_and_refuses_missing_entries() {
        let mut doc: toml::Table = "[scale_out]\ntiers = 2\n[[links]]\nkind = \"x\"\n"
            .parse()
            .unwrap();
        let p = |s: &str| match parse_key(s).unwrap() {
            Param::Topology(p) => p,
            _ => unreachable!(),
        };
        set_path(
            &mut doc,
            &p("topology.scale_out.tiers"),
            toml::Value::Integer(3),
        )
        .unwrap();
        assert_eq!(doc["scale_out"]["tiers"].as_integer(), Some(3));
        set_path(&mut doc, &p("topology.dci.sites"), toml::Value::Integer(2)).unwrap();
        assert_eq!(doc["dci"]["sites"].as_integer(), Some(2));
        set_path(
            &mut doc,
            &p("topology.links.0.count"),
            toml::Value::Integer(4),
        )
        .unwrap();
        assert_eq!(doc["links"][0]["count"].as_integer(), Some(4));
        let e = set_path(
            &mut doc,
            &p("topology.links.1.count"),
            toml::Value::Integer(4),
        );
        assert!(e.unwrap_err().contains("there is no entry 1"));
        // The document survives a refused write.
        assert_eq!(doc["scale_out"]["tiers"].as_integer(), Some(3));
    }
}
