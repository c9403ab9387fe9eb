//! Reading a sweep file into a checked [`Sweep`], every problem located.
//!
//! The file is walked over toml's spanned tree with the readers of the
//! topology loader, so errors read like the topology and job parsers':
//! `path:line:col: error: message` plus a hint. The rules (each with a test
//! in `tests/it/cli/sweep.rs` or below):
//!
//! 1. The file is valid TOML; every key is known ("did you mean").
//! 2. `topology` is a path or a non-empty array of paths (an axis); exactly
//!    one of `job` (a path or an array) and `collective` (a table) is given.
//! 3. Base files are readable TOML (their own errors located in them);
//!    whether a point builds is checked when it runs (an error row).
//! 4. `[axes]` exists; every axis key names a parameter (param.rs) that can
//!    be written into every base file; no parameter is varied twice; every
//!    axis has at least one value; `collective.op`, `algo`, `size`, `ranks`
//!    and the failure values are checked here.
//! 5. The collective has an `op` and a `size` (base or axis); a failure
//!    `seed` or `tiers` has a `random` amount to go with.
//! 6. `[plot]` names a metric column and axes of this sweep.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::param::{self, CollectiveKey, FailKey, Param, Seg};
use super::{Axis, BaseFile, PlotSpec, Sweep, Target, metric_columns};
use fabricsim_base::diag::{Diagnostics, Sink};
use fabricsim_base::limits::{Limits, read_text};
use fabricsim_base::spanned::{Val, check_keys, get, parse_document, string, wrong_type};
use fabricsim_base::units::Bytes;
use fabricsim_collective::{Algo, Op};

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "topology",
    "job",
    "collective",
    "failures",
    "axes",
    "plot",
];
const PLOT_KEYS: &[&str] = &["metric", "x", "lines"];
/// Most points a sweep may have (a typo in a range should not plan 10⁹ runs).
pub const MAX_POINTS: usize = 1_000_000;

impl Sweep {
    /// Reads and checks a sweep file within `limits`; paths inside it are
    /// relative to its folder. The sweep file and every base file it names
    /// are read within `limits.max_input_bytes`; each point's topology and
    /// job are checked against the node and link limits when it runs.
    pub fn load(path: impl AsRef<Path>, limits: &Limits) -> Result<Sweep, Diagnostics> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let src = read_text(path, limits.max_input_bytes)
            .map_err(|e| Diagnostics::from_read(&shown, &e))?;
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Sweep::parse(&src, &shown, &dir, limits)
    }

    /// Parses sweep text; `path` names it in messages and gives the default
    /// name (its stem); base file paths are resolved against `dir`.
    pub fn parse(src: &str, path: &str, dir: &Path, limits: &Limits) -> Result<Sweep, Diagnostics> {
        let mut sink = Sink::new(src, path);
        let Some(root) = parse_document(&mut sink, src) else {
            return Err(sink.finish().unwrap_or(Diagnostics { items: Vec::new() }));
        };
        let mut extra = Vec::new();
        let sweep = read(
            &mut sink,
            root.get_ref(),
            src,
            path,
            dir,
            limits,
            &mut extra,
        );
        match sink.finish() {
            Some(mut d) => {
                d.items.extend(extra);
                Err(d)
            }
            None if !extra.is_empty() => Err(Diagnostics { items: extra }),
            None => sweep.ok_or_else(|| {
                Diagnostics::without_position(path, "the sweep could not be read (a bug)".into())
            }),
        }
    }
}

struct Files {
    files: Vec<BaseFile>,
    /// The array's values when the key was an array (an axis).
    axis: Option<Vec<toml::Value>>,
}

/// `topology = "a.toml"` or `topology = ["a.toml", "b.toml"]`.
fn read_files(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    dir: &Path,
    limits: &Limits,
    extra: &mut Vec<fabricsim_topology::Diagnostic>,
) -> Option<Files> {
    let expected = "a path or an array of paths";
    let (items, axis): (Vec<(String, std::ops::Range<usize>)>, bool) = match v.get_ref() {
        DeValue::String(s) => (vec![(s.to_string(), v.span())], false),
        DeValue::Array(a) => {
            let mut out = Vec::new();
            for x in a.iter() {
                out.push((string(sink, x, key, expected)?.v.to_string(), x.span()));
            }
            if out.is_empty() {
                sink.error(
                    v.span(),
                    format!("\"{key}\" is an empty array"),
                    Some("give at least one path".into()),
                );
                return None;
            }
            (out, true)
        }
        _ => {
            wrong_type(sink, v, key, expected, None);
            return None;
        }
    };
    let mut files = Vec::new();
    for (label, span) in &items {
        let p: PathBuf = dir.join(label);
        let shown = p.display().to_string();
        let text = match read_text(&p, limits.max_input_bytes) {
            Ok(t) => t,
            Err(e) => {
                sink.error(
                    span.clone(),
                    format!("cannot read {key} file {}", e.render(&shown)),
                    Some("paths are relative to the sweep file's folder".into()),
                );
                continue;
            }
        };
        // The base file's own syntax errors (and integers beyond 64 bits),
        // located in it.
        let mut s = Sink::new(&text, &shown);
        let doc = parse_document(&mut s, &text).and_then(|_| plain_doc(&mut s, &text));
        match (doc, s.finish()) {
            (Some(doc), None) => files.push(BaseFile {
                label: label.clone(),
                shown,
                text,
                doc,
            }),
            (_, Some(d)) => extra.extend(d.items),
            (None, None) => sink.error(span.clone(), format!("{shown} is not valid TOML"), None),
        }
    }
    (files.len() == items.len()).then(|| Files {
        files,
        axis: axis.then(|| {
            items
                .into_iter()
                .map(|(l, _)| toml::Value::String(l))
                .collect()
        }),
    })
}

/// `text` (already parsed with spans) as plain TOML values. The spanned
/// parse keeps integers as text; an integer beyond 64 bits fails only here,
/// and is reported at its place with its value.
pub(crate) fn plain_doc(sink: &mut Sink<'_>, text: &str) -> Option<toml::Table> {
    match text.parse::<toml::Table>() {
        Ok(doc) => Some(doc),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let tok = text.get(span.clone()).unwrap_or("").trim();
            let digits = tok.chars().filter(char::is_ascii_digit).count();
            if digits > 0 && tok.chars().all(|c| c.is_ascii_digit() || "+-_".contains(c)) {
                sink.error(
                    span,
                    format!("integer {tok} does not fit in 64 bits"),
                    Some(format!(
                        "TOML integers are at most {}; every count has a smaller stated maximum",
                        i64::MAX
                    )),
                );
            } else {
                sink.error(span, e.message().to_string(), None);
            }
            None
        }
    }
}

/// Converts a spanned value to a plain TOML value (via its source text's
/// own parse, so numbers keep TOML's exact reading).
fn plain(src_doc: &toml::Table, path: &[&str]) -> Option<toml::Value> {
    let (last, init) = path.split_last()?;
    let mut t = src_doc;
    for k in init {
        t = t.get(*k)?.as_table()?;
    }
    t.get(*last).cloned()
}

fn read(
    sink: &mut Sink<'_>,
    root: &DeTable<'_>,
    src: &str,
    path: &str,
    dir: &Path,
    limits: &Limits,
    extra: &mut Vec<fabricsim_topology::Diagnostic>,
) -> Option<Sweep> {
    check_keys(sink, root, TOP_KEYS, "a sweep file");
    // The same text as plain values (the spanned parse above keeps integers
    // as text; one beyond 64 bits fails only here, and is reported here).
    let doc = plain_doc(sink, src)?;
    let name = match get(root, "name") {
        Some(v) => Some(string(sink, v, "name", "a string")?.v.to_string()),
        None => None,
    }
    .unwrap_or_else(|| {
        Path::new(path)
            .file_stem()
            .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
    });
    if let Some(v) = get(root, "description") {
        string(sink, v, "description", "a string");
    }
    let topo = match get(root, "topology") {
        Some(v) => read_files(sink, v, "topology", dir, limits, extra),
        None => {
            sink.error(
                0..0,
                "missing key \"topology\"",
                Some(
                    "add e.g. topology = \"../topologies/hgx-h100.toml\" (relative to this file)"
                        .into(),
                ),
            );
            None
        }
    };
    let job = get(root, "job").and_then(|v| read_files(sink, v, "job", dir, limits, extra));
    let coll = get(root, "collective");
    match (get(root, "job"), coll) {
        (Some(j), Some(_)) => sink.error(
            j.span(),
            "a sweep runs a job or a collective, not both",
            Some("remove \"job\" or \"collective\"".into()),
        ),
        (None, None) => sink.error(
            0..0,
            "missing key \"job\" or \"collective\"",
            Some("add e.g. collective = { op = \"all-reduce\", size = \"1GiB\" } or job = \"../workloads/llama3-8b.toml\"".into()),
        ),
        _ => {}
    }
    let mut axes: Vec<Axis> = Vec::new();
    if let Some(t) = &topo
        && let Some(values) = &t.axis
    {
        axes.push(Axis {
            name: "topology".into(),
            param: Param::TopologyFile,
            values: values.clone(),
        });
    }
    if let Some(j) = &job
        && let Some(values) = &j.axis
    {
        axes.push(Axis {
            name: "job".into(),
            param: Param::JobFile,
            values: values.clone(),
        });
    }
    let mut base: Vec<(Param, toml::Value)> = Vec::new();
    if let Some(c) = coll {
        read_table_params(sink, c, &doc, "collective", &mut base);
    }
    if let Some(f) = get(root, "failures") {
        read_table_params(sink, f, &doc, "failures", &mut base);
    }
    match get(root, "axes") {
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => read_axes(sink, t, &doc, limits, &mut Vec::new(), &mut axes),
            _ => wrong_type(sink, v, "axes", "a table of axes", None),
        },
        None => sink.error(
            0..0,
            "missing table [axes]",
            Some("add [axes] with at least one axis, e.g. \"topology.scale_out.oversubscription\" = [\"1:1\", \"2:1\"]".into()),
        ),
    }
    // Every axis names its parameter once, and can be written into every base file.
    for i in 0..axes.len() {
        if axes[..i].iter().any(|a| a.param == axes[i].param) {
            let n = axes[i].name.clone();
            sink.error(
                axis_span(root, &n),
                format!("axis \"{n}\" is given twice"),
                Some("merge the two lists into one axis".into()),
            );
        }
    }
    let target = if coll.is_some() {
        Target::Collective
    } else {
        Target::Job
    };
    let is = |p: &Param| axes.iter().any(|a| &a.param == p) || base.iter().any(|(b, _)| b == p);
    let span_of = |k: &str| get(root, k).map_or(0..0, |v| v.span());
    if target == Target::Collective {
        for (k, what) in [(CollectiveKey::Op, "op"), (CollectiveKey::Size, "size")] {
            if !is(&Param::Collective(k)) {
                sink.error(
                    span_of("collective"),
                    format!("the collective has no \"{what}\" (in collective = {{...}} or as an axis \"collective.{what}\")"),
                    Some(if what == "op" { "add op = \"all-reduce\"".into() } else { "add size = \"1GiB\"".into() }),
                );
            }
        }
    } else if let Some(a) = axes
        .iter()
        .find(|a| matches!(a.param, Param::Collective(_)))
    {
        sink.error(
            axis_span(root, &a.name),
            format!(
                "axis \"{}\": collective.* axes need a collective = {{...}} base (this sweep runs a job)",
                a.name
            ),
            Some("a sweep runs either a collective (collective = {...}) or a job (job = ...); `--collnet` applies to a job sweep as a whole".into()),
        );
    }
    for k in [FailKey::Seed, FailKey::Tiers] {
        if is(&Param::Failure(k)) && !is(&Param::Failure(FailKey::Random)) {
            sink.error(
                span_of("axes"),
                "a failure seed or tiers without a random amount fails nothing",
                Some(
                    "add \"failures.random\" = [\"1%\"] to [axes] or random = \"1%\" to [failures]"
                        .into(),
                ),
            );
        }
    }
    if let (Some(t), Some(j)) = (&topo, &job) {
        check_writable(sink, root, &axes, &t.files, &j.files);
    } else if let Some(t) = &topo {
        check_writable(sink, root, &axes, &t.files, &[]);
    }
    let columns: Vec<&str> = metric_columns(target)
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "algorithm" | "bottleneck_link" | "bottleneck_kind"))
        .collect();
    let plot = match get(root, "plot") {
        Some(v) => read_plot(sink, v, &axes, &columns),
        None => None,
    };
    let points = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
    if points.is_none_or(|p| p > MAX_POINTS) {
        sink.error(
            span_of("axes"),
            format!("the grid has more than {MAX_POINTS} points"),
            Some("split the sweep, or use fewer values per axis".into()),
        );
    }
    if sink.has_errors() || !extra.is_empty() {
        return None;
    }
    let topologies = topo?.files;
    let calibrations = calibrations(&topologies, &axes, limits);
    Some(Sweep {
        limits: *limits,
        name,
        target,
        calibrations,
        topologies,
        jobs: job.map(|j| j.files).unwrap_or_default(),
        axes,
        base,
        plot,
    })
}

/// Every calibration file a point may read: the base topologies'
/// `calibration` keys and the values of a `topology.calibration` axis, each
/// resolved against each base topology's folder (as the topology reader
/// does), read within the input limit. An unreadable file is kept with its
/// error as its text: the points that use it fail, and the fingerprint still
/// tells it apart.
fn calibrations(topologies: &[BaseFile], axes: &[Axis], limits: &Limits) -> Vec<BaseFile> {
    let key = Param::Topology(vec![Seg::Key("calibration".into())]);
    let mut names: Vec<String> = Vec::new();
    for a in axes.iter().filter(|a| a.param == key) {
        names.extend(a.values.iter().filter_map(|v| v.as_str().map(String::from)));
    }
    let mut out: Vec<BaseFile> = Vec::new();
    for t in topologies {
        let dir = Path::new(&t.shown).parent().unwrap_or(Path::new(""));
        let own = t.doc.get("calibration").and_then(|v| v.as_str());
        for name in own.into_iter().chain(names.iter().map(String::as_str)) {
            let path = dir.join(name);
            let shown = path.display().to_string();
            if out.iter().any(|f| f.shown == shown) {
                continue;
            }
            let text = read_text(&path, limits.max_input_bytes)
                .unwrap_or_else(|e| format!("(unreadable: {e})"));
            out.push(BaseFile {
                label: name.to_string(),
                shown,
                text,
                doc: toml::Table::new(),
            });
        }
    }
    out
}

/// `collective = { ... }` or `[failures]`: base values of parameters.
fn read_table_params(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    doc: &toml::Table,
    key: &str,
    base: &mut Vec<(Param, toml::Value)>,
) {
    let DeValue::Table(t) = v.get_ref() else {
        wrong_type(sink, v, key, "a table", None);
        return;
    };
    let allowed = if key == "collective" {
        param::COLLECTIVE_KEYS
    } else {
        param::FAILURE_KEYS
    };
    check_keys(sink, t, allowed, key);
    for (k, val) in t.iter() {
        let name = format!("{key}.{}", k.get_ref());
        let Ok(p) = param::parse_key(&name) else {
            continue;
        };
        let Some(value) = plain(doc, &[key, k.get_ref()]) else {
            continue;
        };
        if p == Param::Collective(CollectiveKey::Size)
            && let toml::Value::String(s) = &value
            && s.contains("..")
        {
            sink.error(
                val.span(),
                "a size range is an axis, not a base value",
                Some(format!("move it to [axes]: \"collective.size\" = \"{s}\"")),
            );
            continue;
        }
        if check_value(sink, &p, &value, val) {
            base.push((p, value));
        }
    }
}

/// Reads `[axes]`, flattening dotted keys (`a.b = [...]` is `"a.b" = [...]`).
fn read_axes(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    doc: &toml::Table,
    limits: &Limits,
    prefix: &mut Vec<String>,
    axes: &mut Vec<Axis>,
) {
    // The file's order is the grid's axis order.
    let mut keys: Vec<_> = t.iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in keys {
        prefix.push(k.get_ref().to_string());
        let name = prefix.join(".");
        if let DeValue::Table(inner) = v.get_ref() {
            read_axes(sink, inner, doc, limits, prefix, axes);
            prefix.pop();
            continue;
        }
        let mut path: Vec<&str> = vec!["axes"];
        path.extend(prefix.iter().map(String::as_str));
        let value = plain(doc, &path);
        prefix.pop();
        let p = match param::parse_key(&name) {
            Ok(p) => p,
            Err((msg, help)) => {
                sink.error(k.span(), msg, Some(help));
                continue;
            }
        };
        let values: Vec<toml::Value> = match (&p, value) {
            (Param::Collective(CollectiveKey::Size), Some(toml::Value::String(s)))
                if s.contains("..") =>
            {
                match fabricsim_collective::select::sizes_of(
                    &format!("axis \"{name}\""),
                    &s,
                    limits.max_sizes,
                ) {
                    Ok(v) => v
                        .into_iter()
                        .map(|b| toml::Value::Integer(b as i64))
                        .collect(),
                    Err(e) => {
                        sink.error(
                            v.span(),
                            e.to_string(),
                            Some(
                                "write BEGIN..END, e.g. \"1MiB..1GiB\" (doubling, as nccl-tests -f 2)"
                                    .into(),
                            ),
                        );
                        continue;
                    }
                }
            }
            (_, Some(toml::Value::Array(a))) => a,
            _ => {
                let range = if p == Param::Collective(CollectiveKey::Size) {
                    " or a size range \"1MiB..1GiB\""
                } else {
                    ""
                };
                wrong_type(
                    sink,
                    v,
                    &name,
                    &format!("an array of values{range}"),
                    Some(format!("e.g. \"{name}\" = [a, b, c]")),
                );
                continue;
            }
        };
        if values.is_empty() {
            sink.error(
                v.span(),
                format!("axis \"{name}\" has no values"),
                Some("give at least one value, or remove the axis".into()),
            );
            continue;
        }
        let ok = match v.get_ref() {
            DeValue::Array(items) => values
                .iter()
                .zip(items.iter())
                .fold(true, |ok, (x, item)| check_value(sink, &p, x, item) && ok),
            _ => true,
        };
        if ok {
            axes.push(Axis {
                name,
                param: p,
                values,
            });
        }
    }
}

/// Checks a collective or failure value that can be checked without a
/// fabric; reports at `at`. File and key-path values are checked per point.
fn check_value(sink: &mut Sink<'_>, p: &Param, v: &toml::Value, at: &Val<'_>) -> bool {
    let err = |sink: &mut Sink<'_>, m: String, h: Option<String>| {
        sink.error(at.span(), m, h);
        false
    };
    match (p, v) {
        (Param::Collective(CollectiveKey::Op), toml::Value::String(s)) => match s.parse::<Op>() {
            Ok(_) => true,
            Err(e) => err(sink, e, None),
        },
        (Param::Collective(CollectiveKey::Algo), toml::Value::String(s)) => match s.parse::<Algo>()
        {
            Ok(_) => true,
            Err(e) => err(sink, e, None),
        },
        (Param::Collective(CollectiveKey::Size), toml::Value::String(s)) => {
            match s.parse::<Bytes>() {
                Ok(b) if b.get() > 0.0 => true,
                Ok(_) => err(sink, format!("size \"{s}\" must be positive"), None),
                Err(e) => err(
                    sink,
                    format!("invalid size \"{s}\": {}", e.reason),
                    Some(e.help()),
                ),
            }
        }
        (
            Param::Collective(CollectiveKey::Size | CollectiveKey::Ranks | CollectiveKey::Channels),
            toml::Value::Integer(i),
        ) => {
            if *i >= 1 {
                true
            } else {
                err(sink, format!("must be at least 1, found {i}"), None)
            }
        }
        (Param::Collective(CollectiveKey::CollNet), toml::Value::Boolean(_)) => true,
        (Param::Collective(CollectiveKey::Nccl), toml::Value::String(s)) => {
            match s.parse::<fabricsim_collective::tuning::NcclVersion>() {
                Ok(_) => true,
                Err(e) => err(
                    sink,
                    e,
                    Some("the releases fabricsim models, as --nccl takes them".into()),
                ),
            }
        }
        (Param::Collective(CollectiveKey::Size), _) => err(
            sink,
            format!(
                "a size must be a string with a unit (\"1GiB\") or an integer number of bytes, found {}",
                v.type_str()
            ),
            None,
        ),
        (Param::Collective(k), _) => err(
            sink,
            format!(
                "collective {} must be {}, found {}",
                param::COLLECTIVE_KEYS[*k as usize],
                match k {
                    CollectiveKey::Ranks | CollectiveKey::Channels => "an integer (a count)",
                    CollectiveKey::CollNet => "true or false",
                    _ => "a string",
                },
                v.type_str()
            ),
            match k {
                CollectiveKey::CollNet => Some(
                    "true lets NCCL use CollNet (SHARP) as --collnet does; false is NCCL's default"
                        .into(),
                ),
                CollectiveKey::Nccl => Some("a release, \"2.20.3\" or \"2.28.3\"".into()),
                _ => None,
            },
        ),
        (Param::Failure(FailKey::Random), toml::Value::String(_) | toml::Value::Integer(_))
        | (Param::Failure(FailKey::Seed), toml::Value::Integer(_))
        | (Param::Failure(FailKey::Tiers), toml::Value::Array(_))
        | (Param::Failure(FailKey::Fail), toml::Value::String(_)) => {
            match super::point::failure_specs(&[(p.clone(), v.clone())]) {
                Ok(_) => true,
                Err(e) => err(sink, e, None),
            }
        }
        (Param::Failure(k), _) => err(
            sink,
            format!(
                "failures {} must be {}, found {}",
                param::FAILURE_KEYS[*k as usize],
                match k {
                    FailKey::Random => "a percentage \"1%\" or a number of lanes",
                    FailKey::Seed => "an integer",
                    FailKey::Tiers => "an array of tier names",
                    FailKey::Fail => "a --fail spec string (\"switch:spine0\") or \"none\"",
                },
                v.type_str()
            ),
            None,
        ),
        _ => true,
    }
}

/// Each key-path axis, written with its first value into every base file.
fn check_writable(
    sink: &mut Sink<'_>,
    root: &DeTable<'_>,
    axes: &[Axis],
    topologies: &[BaseFile],
    jobs: &[BaseFile],
) {
    for a in axes {
        let (files, path): (&[BaseFile], &[Seg]) = match &a.param {
            Param::Topology(p) => (topologies, p),
            Param::Job(p) => (jobs, p),
            _ => continue,
        };
        for f in files {
            let mut doc = f.doc.clone();
            if let Err(e) = param::set_path(&mut doc, path, a.values[0].clone()) {
                let span = axis_span(root, &a.name);
                sink.error(
                    span,
                    format!(
                        "axis \"{}\" cannot be written into {}: {e}",
                        a.name, f.shown
                    ),
                    None,
                );
            }
        }
    }
}

/// The span of an axis key in `[axes]` (quoted or dotted), or of `[axes]`.
fn axis_span(root: &DeTable<'_>, name: &str) -> std::ops::Range<usize> {
    let Some(axes) = get(root, "axes") else {
        return 0..0;
    };
    let DeValue::Table(t) = axes.get_ref() else {
        return axes.span();
    };
    if let Some((k, _)) = t.iter().find(|(k, _)| k.get_ref() == name) {
        return k.span();
    }
    let first = name.split('.').next().unwrap_or(name);
    t.iter()
        .find(|(k, _)| k.get_ref() == first)
        .map_or(axes.span(), |(k, _)| k.span())
}

fn read_plot(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    axes: &[Axis],
    metrics: &[&str],
) -> Option<PlotSpec> {
    let DeValue::Table(t) = v.get_ref() else {
        wrong_type(sink, v, "plot", "a table", None);
        return None;
    };
    check_keys(sink, t, PLOT_KEYS, "[plot]");
    let names: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
    let mut pick = |key: &str, allowed: &[&str], what: &str| -> Option<Option<String>> {
        let Some(v) = get(t, key) else {
            return Some(None);
        };
        let s = string(sink, v, key, "a string")?.v;
        if allowed.contains(&s) {
            return Some(Some(s.to_string()));
        }
        let help = match fabricsim_base::suggest::did_you_mean(s, allowed.iter().copied()) {
            Some(m) => format!("did you mean \"{m}\"?"),
            None => format!("the {what}s of this sweep are: {}", allowed.join(", ")),
        };
        sink.error(
            v.span(),
            format!("\"{s}\" is not a {what} of this sweep"),
            Some(help),
        );
        None
    };
    let metric = pick("metric", metrics, "metric")?;
    let x = pick("x", &names, "axis")?;
    let lines = pick("lines", &names, "axis")?;
    Some(PlotSpec { metric, x, lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_range_axis_doubles_and_refuses_empty() {
        let sweep = |size: &str| {
            let src = format!(
                "topology = \"hgx-h100.toml\"\ncollective = {{ op = \"all-reduce\" }}\n[axes]\n\"collective.size\" = \"{size}\"\n"
            );
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../topologies");
            Sweep::parse(&src, "s.toml", &dir, &Limits::default())
        };
        let s = sweep("1KiB..4KiB").map_err(|d| d.render()).unwrap();
        let want: Vec<toml::Value> = [1024, 2048, 4096].map(toml::Value::Integer).to_vec();
        assert_eq!(s.axes[0].values, want);
        for bad in ["4KiB..1KiB", "x..1KiB", "1b..1KiB"] {
            let Err(d) = sweep(bad) else {
                panic!("{bad} was accepted")
            };
            let e = d.render();
            assert!(e.contains("axis \"collective.size\""), "{e}");
        }
    }
}
