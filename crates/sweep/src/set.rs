//! `--set KEY=VALUE`: one edit of a topology or job file on the command
//! line, with the key paths of sweep axes (docs/sweep-format.md, "Axes").
//!
//! `KEY` is `topology.PATH`, `job.PATH`, or a bare `PATH` that names a key
//! of exactly one of the two files (`parallelism.dp` is the job's,
//! `scale_out.nic_bandwidth` the topology's). `VALUE` is a TOML value
//! (`256`, `true`, `"800 Gb/s"`); anything that is not one is read as a
//! string, so `scale_out.nic_bandwidth=800 Gb/s` needs no inner quotes. The
//! files on disk are never written: the edit applies to the text read.

use super::param::{self, Param, Seg};

/// Which file an edit applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTarget {
    /// The topology file.
    Topology,
    /// The job file.
    Job,
}

/// One parsed `--set`.
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    /// The argument as given, for messages.
    pub arg: String,
    /// The file it edits.
    pub target: SetTarget,
    path: Vec<Seg>,
    value: toml::Value,
}

/// Why a `--set` argument was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("--set \"{arg}\": {why}\n  help: {help}")]
pub struct SetError {
    /// The argument as given.
    pub arg: String,
    /// What is wrong.
    pub why: String,
    /// What to write instead.
    pub help: String,
}

/// Why edits could not be applied to a file's text.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// The file is not TOML, so it has no key paths.
    #[error("{file}: error: not valid TOML, so --set cannot edit it: {why}")]
    NotToml {
        /// The file as shown.
        file: String,
        /// The TOML parser's message.
        why: String,
    },
    /// A key path that the file's structure cannot take.
    #[error("--set \"{arg}\": {file}: {why}")]
    Path {
        /// The `--set` argument.
        arg: String,
        /// The file as shown.
        file: String,
        /// What is wrong.
        why: String,
    },
    /// The edited document could not be written.
    #[error("{file}: error: cannot write the edited file: {why}")]
    Write {
        /// The file as shown.
        file: String,
        /// The serializer's message.
        why: String,
    },
}

/// Parses `arg` (`KEY=VALUE`); `has_job` says whether the command reads a
/// job file (a bare key may then name one of its keys).
pub fn parse_set(arg: &str, has_job: bool) -> Result<Set, SetError> {
    let fail = |why: String, help: String| SetError {
        arg: arg.into(),
        why,
        help,
    };
    let Some((key, raw)) = arg.split_once('=') else {
        return Err(fail(
            "expected KEY=VALUE".into(),
            "e.g. --set parallelism.dp=256 or --set 'scale_out.nic_bandwidth=\"800 Gb/s\"'".into(),
        ));
    };
    let key = key.trim();
    let value = value_of(raw.trim());
    let as_target = |p: Param| match p {
        Param::Topology(path) => Some((SetTarget::Topology, path)),
        Param::Job(path) => Some((SetTarget::Job, path)),
        _ => None,
    };
    let explicit = key.starts_with("topology.") || key.starts_with("job.");
    let (target, path) = if explicit {
        let p = param::parse_key(key).map_err(|(why, help)| fail(why, help))?;
        let (t, path) = as_target(p).expect("a topology. or job. key");
        if t == SetTarget::Job && !has_job {
            return Err(fail(
                "this command reads no job file".into(),
                "set topology keys only (topology.PATH or a topology key)".into(),
            ));
        }
        (t, path)
    } else {
        let topo = param::parse_key(&format!("topology.{key}"));
        let job = has_job.then(|| param::parse_key(&format!("job.{key}")));
        match (topo, job) {
            (Ok(_), Some(Ok(_))) => {
                return Err(fail(
                    format!("\"{key}\" is a key of both the topology and the job"),
                    format!("write topology.{key} or job.{key}"),
                ));
            }
            (Ok(p), _) | (Err(_), Some(Ok(p))) => as_target(p).expect("a file key"),
            (Err((why, help)), None) => return Err(fail(why, help)),
            (Err((twhy, thelp)), Some(Err((jwhy, jhelp)))) => {
                // A first segment that is a table of one file names that file.
                let first = key.split('.').next().unwrap_or("");
                let in_topo = fabricsim_topology::keys::TOP_KEYS.contains(&first);
                let in_job = fabricsim_workload::spec::TOP_KEYS.contains(&first);
                if in_job && !in_topo {
                    return Err(fail(jwhy, jhelp));
                }
                if in_topo && !in_job {
                    return Err(fail(twhy, thelp));
                }
                return Err(fail(
                    format!("neither a topology key ({twhy}) nor a job key ({jwhy})"),
                    format!("topology: {thelp}; job: {jhelp}"),
                ));
            }
        }
    };
    Ok(Set {
        arg: arg.to_string(),
        target,
        path,
        value,
    })
}

/// `raw` as a TOML value, else as a string.
fn value_of(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// `text` (a TOML file named `shown`) with every edit of `sets` for
/// `target` applied, or `None` when none applies. The text must parse as
/// TOML; the result is the edited document written anew.
pub fn apply_sets(
    text: &str,
    shown: &str,
    target: SetTarget,
    sets: &[Set],
) -> Result<Option<String>, ApplyError> {
    let mine: Vec<&Set> = sets.iter().filter(|s| s.target == target).collect();
    if mine.is_empty() {
        return Ok(None);
    }
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ApplyError::NotToml {
            file: shown.into(),
            why: e.to_string(),
        })?;
    for s in mine {
        param::set_path(&mut doc, &s.path, s.value.clone()).map_err(|e| ApplyError::Path {
            arg: s.arg.clone(),
            file: shown.into(),
            why: e.to_string(),
        })?;
    }
    toml::to_string(&doc)
        .map(Some)
        .map_err(|e| ApplyError::Write {
            file: shown.into(),
            why: e.to_string(),
        })
}
