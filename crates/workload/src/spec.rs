//! Reading a job file (`workloads/*.toml`) into a validated [`Job`].
//!
//! The file is walked by hand over toml's spanned tree, with the readers of
//! the topology loader (`fabricsim_topology::spec`), so that *every* problem is
//! reported with its file, line and column, what was expected and a hint.
//! The format is documented in `docs/workload-format.md`.
//!
//! The rules, each with a negative test in `tests/it/workload_files.rs`
//! (`rule_*`):
//!
//! 1. The file is valid TOML.
//! 2. Every key is known (unknown keys get a "did you mean").
//! 3. The tables `[model]`, `[parallelism]`, `[compute]` and their required
//!    keys are present; every value has the right type.
//! 4. Counts are integers of at least 1 (`shared_experts`, `moe_layers` and
//!    `zero` may be 0) and at most 2³² − 1; `zero` is a ZeRO stage 0–3.
//! 5. Plain numbers (`parameters`, `tflops_per_accelerator`, `mfu`) are
//!    finite and positive; `mfu` is at most 1. Sizes and times (`dp_bucket`,
//!    `layer_time`) are positive strings with units.
//! 6. `dtype` and `grad_dtype` are known data types.
//! 7. `placement` names each of `tp`, `cp`, `ep`, `dp`, `pp` exactly once.
//! 8. Attention: `kv_heads` divides `heads`, and `tp` divides `heads`.
//! 9. Experts: `top_k` is given when `experts` > 1 and is at most `experts`;
//!    `moe_layers` is at most `layers`, positive exactly when `experts` > 1;
//!    `shared_experts` only with `experts` > 1.
//! 10. Expert parallelism: `ep` divides `dp` and `experts`.
//! 11. Pipeline: every virtual stage holds at least one layer
//!     (`layers` ≥ `pp` × `virtual_stages`); `virtual_stages` > 1 needs
//!     `pp` > 1. Layers need not divide evenly: the fullest stage holds
//!     ⌈`layers` / (`pp` × `virtual_stages`)⌉ (Llama 3 405B: 126 layers on 16
//!     stages).
//! 12. Batch: `global_batch` is a multiple of `micro_batch` × `dp`.
//! 13. Context parallelism: `cp` divides `seq_len`.
//! 14. Compute: exactly one of the two forms, `tflops_per_accelerator` with
//!     `mfu`, or `layer_time`.
//! 15. The layout needs at most [`Limits::max_nodes`] accelerators
//!     (`tp` × `cp` × `pp` × `dp`; default [`MAX_NODES`], `--max-nodes`).
//!
//! Cross-field rules are checked only when the values involved are valid, so
//! one mistake is reported once. Whether the layout fits a topology (its size
//! equals the accelerator count, TP inside a scale-up domain) is checked when
//! the job is placed, not here.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::job::{Compute, DEFAULT_DP_BUCKET_BYTES, Dim, Job, Model, Overlap, Parallelism};
use fabricsim_base::diag::{Diagnostics, Sink, suggestion};
use fabricsim_base::limits::Limits;
use fabricsim_base::limits::MAX_NODES;
use fabricsim_base::spanned::{
    Sp, Val, boolean, check_keys, get, missing_among, parse_document, quantity, string, uint,
    wrong_type,
};
use fabricsim_base::suggest::did_you_mean;
use fabricsim_base::units::Quantity;

type Span = Range<usize>;

/// Largest count accepted (the `Job` fields are `u32`).
const MAX_COUNT: u64 = u32::MAX as u64;

/// Top-level keys of a job file.
pub const TOP_KEYS: &[&str] = &["name", "description", "model", "parallelism", "compute"];
/// Keys of the `[model]` table.
pub const MODEL_KEYS: &[&str] = &[
    "parameters",
    "layers",
    "hidden",
    "ffn_hidden",
    "heads",
    "kv_heads",
    "seq_len",
    "vocab",
    "experts",
    "top_k",
    "shared_experts",
    "moe_ffn_hidden",
    "moe_layers",
    "dtype",
    "grad_dtype",
];
/// Keys of the `[parallelism]` table.
pub const PARALLELISM_KEYS: &[&str] = &[
    "tp",
    "pp",
    "dp",
    "ep",
    "cp",
    "zero",
    "sequence_parallel",
    "micro_batch",
    "global_batch",
    "virtual_stages",
    "placement",
    "allow_tp_across_domains",
    "dp_bucket",
];
/// Keys of the `[compute]` table.
pub const COMPUTE_KEYS: &[&str] = &["tflops_per_accelerator", "mfu", "layer_time", "overlap"];
/// Keys of the `overlap` table of `[compute]`.
pub const OVERLAP_KEYS: &[&str] = &["tp", "pp", "dp", "ep", "cp"];

/// Data types and their size \[bytes per element\].
const DTYPES: &[(&str, u32)] = &[("bf16", 2), ("fp16", 2), ("fp8", 1), ("fp32", 4)];

impl Job {
    /// Reads and validates a job file within `limits` (the file's size and
    /// the world size, rule 15); I/O errors are one diagnostic without position.
    pub fn load(path: impl AsRef<Path>, limits: &Limits) -> Result<Job, Diagnostics> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let src = fabricsim_base::limits::read_text(path, limits.max_input_bytes)
            .map_err(|e| Diagnostics::from_read(&shown, &e))?;
        parse_str_limited(&src, &shown, limits)
    }

    /// Parses and validates job text; `path` is used in messages and, when
    /// the text has no `name`, as the job's name (its file stem).
    pub fn parse(src: &str, path: &str, limits: &Limits) -> Result<Job, Diagnostics> {
        parse_str_limited(src, path, limits)
    }
}

/// [`Job::parse`].
fn parse_str_limited(src: &str, path: &str, limits: &Limits) -> Result<Job, Diagnostics> {
    let mut sink = Sink::new(src, path);
    let Some(root) = parse_document(&mut sink, src) else {
        return Err(sink
            .finish()
            .unwrap_or_else(|| Diagnostics { items: Vec::new() }));
    };
    let job = read_job(&mut sink, root.get_ref(), path, limits.max_nodes);
    match (sink.finish(), job) {
        (Some(d), _) => Err(d),
        (None, Some(job)) => Ok(job),
        (None, None) => {
            debug_assert!(false, "{path}: no job, but no problem was reported");
            Err(Diagnostics::without_position(
                path,
                "the job could not be read, but no problem was found (a bug in fabricsim)"
                    .to_string(),
            ))
        }
    }
}

/// `e`, from placing the job parsed from `src` (named `path`), as a
/// diagnostic at the `[parallelism]` key it is about (`dp` for a layout of
/// the wrong size, `tp` for a TP group across domains; the table itself if
/// the key is absent), with a hint.
pub fn placement_diagnostic(
    src: &str,
    path: &str,
    e: &super::placement::PlacementError,
) -> Diagnostics {
    use super::placement::PlacementError as E;
    let (key, help) = match e {
        E::WorldSize {
            tp,
            cp,
            pp,
            have,
            ..
        } => {
            let rest = u64::from(*tp) * u64::from(*cp) * u64::from(*pp);
            let help = if rest > 0 && (*have as u64).is_multiple_of(rest) {
                format!(
                    "set dp = {} to use all {have} accelerators, or pick a topology with the job's size",
                    *have as u64 / rest
                )
            } else {
                format!(
                    "tp·cp·pp = {rest} does not divide the topology's {have} accelerators; change them or the topology"
                )
            };
            ("dp", help)
        }
        E::TpAcrossDomains { .. } => (
            "tp",
            "make tp at most the scale-up domain's size, or put \"tp\" first in `placement` so TP groups fill a domain"
                .to_string(),
        ),
    };
    let mut sink = Sink::new(src, path);
    let span = parse_document(&mut Sink::new(src, path), src).and_then(|root| {
        let par = get(root.get_ref(), "parallelism")?;
        match par.get_ref() {
            DeValue::Table(t) => Some(get(t, key).map_or(par.span(), |v| v.span())),
            _ => Some(par.span()),
        }
    });
    match span {
        Some(span) => sink.error(span, e.to_string(), Some(help)),
        None => sink.error_unlocated(e.to_string(), Some(help)),
    }
    sink.finish()
        .unwrap_or_else(|| Diagnostics { items: Vec::new() })
}

/// A key's value: absent, present but invalid (already reported), or read.
enum Field<T> {
    Absent,
    Bad,
    Val(T),
}

impl<T> Field<T> {
    fn read(t: &DeTable<'_>, key: &str, f: impl FnOnce(&Val<'_>) -> Option<T>) -> Field<T> {
        match get(t, key) {
            None => Field::Absent,
            Some(v) => f(v).map_or(Field::Bad, Field::Val),
        }
    }

    /// The value, or `default` when absent; `None` when invalid.
    fn or(self, default: T) -> Option<T> {
        match self {
            Field::Absent => Some(default),
            Field::Bad => None,
            Field::Val(v) => Some(v),
        }
    }

    fn present(&self) -> bool {
        !matches!(self, Field::Absent)
    }
}

/// One table of the file, for `missing` reports.
struct Tab<'a, 'i> {
    t: &'a DeTable<'i>,
    span: Span,
    what: &'static str,
    keys: &'static [&'static str],
}

impl Tab<'_, '_> {
    /// Reports `key` missing (unless a misspelling of it was reported).
    fn missing(&self, sink: &mut Sink<'_>, key: &str, example: &str) {
        missing_among(sink, self.t, &self.span, key, self.what, example, self.keys);
    }

    /// A required key: reports it missing when absent.
    fn required<T>(&self, sink: &mut Sink<'_>, key: &str, example: &str, f: Field<T>) -> Option<T> {
        match f {
            Field::Absent => {
                self.missing(sink, key, example);
                None
            }
            Field::Bad => None,
            Field::Val(v) => Some(v),
        }
    }
}

/// A count in `min..=MAX_COUNT`, with its span.
fn count(sink: &mut Sink<'_>, t: &DeTable<'_>, key: &str, min: u64) -> Field<Sp<u64>> {
    Field::read(t, key, |v| {
        uint(sink, v, key, min, MAX_COUNT).map(|n| Sp {
            v: n,
            span: v.span(),
        })
    })
}

/// A finite, positive plain number (integer or float).
fn number(sink: &mut Sink<'_>, v: &Val<'_>, key: &str, example: &str) -> Option<Sp<f64>> {
    let (x, text) = match v.get_ref() {
        DeValue::Float(f) => (f.as_str().parse::<f64>().ok(), f.to_string()),
        DeValue::Integer(i) => (
            i128::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            i.to_string(),
        ),
        DeValue::String(s) => {
            let help = if s.trim().parse::<f64>().is_ok() {
                format!("remove the quotes: {key} = {}", s.trim())
            } else {
                format!("write a plain number, e.g. {key} = {example}")
            };
            wrong_type(sink, v, key, "a number", Some(help));
            return None;
        }
        _ => {
            wrong_type(sink, v, key, "a number", None);
            return None;
        }
    };
    match x {
        Some(x) if x.is_finite() && x > 0.0 => Some(Sp {
            v: x,
            span: v.span(),
        }),
        Some(x) if x.is_finite() => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be positive, found {text}"),
                Some(format!("e.g. {key} = {example}")),
            );
            None
        }
        _ => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be a finite number, found {text}"),
                Some(format!("e.g. {key} = {example}")),
            );
            None
        }
    }
}

/// A quantity string that must be positive.
fn positive_quantity(sink: &mut Sink<'_>, v: &Val<'_>, key: &str, q: Quantity) -> Option<f64> {
    let x = quantity(sink, v, key, q)?;
    if x.v > 0.0 {
        return Some(x.v);
    }
    sink.error(
        x.span,
        format!("\"{key}\" must be positive, found zero"),
        None,
    );
    None
}

fn dtype(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<u32> {
    let s = string(sink, v, key, "a data type such as \"bf16\"")?;
    if let Some((_, b)) = DTYPES.iter().find(|(n, _)| *n == s.v) {
        return Some(*b);
    }
    sink.error(
        s.span,
        format!(
            "unknown data type \"{}\"{}",
            s.v,
            suggestion(s.v, DTYPES.iter().map(|(n, _)| *n))
        ),
        Some(
            "data types: \"bf16\" (2 bytes), \"fp16\" (2 bytes), \"fp8\" (1 byte), \"fp32\" (4 bytes)"
                .to_string(),
        ),
    );
    None
}

fn placement(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Vec<Dim>> {
    const HELP: &str = "name each of \"tp\", \"cp\", \"ep\", \"dp\", \"pp\" exactly once, innermost (filling consecutive ranks) first, e.g. [\"tp\", \"cp\", \"ep\", \"dp\", \"pp\"]";
    let DeValue::Array(items) = v.get_ref() else {
        wrong_type(
            sink,
            v,
            "placement",
            "an array of the five dimension names",
            Some(HELP.to_string()),
        );
        return None;
    };
    let names = || Dim::ALL.iter().map(|d| d.name());
    let mut dims = Vec::new();
    let mut ok = true;
    for it in items.iter() {
        let Some(s) = string(sink, it, "placement", "a dimension name such as \"tp\"") else {
            ok = false;
            continue;
        };
        match Dim::ALL.iter().find(|d| d.name() == s.v) {
            Some(d) if dims.contains(d) => {
                sink.error(
                    s.span,
                    format!("\"{}\" appears twice in \"placement\"", s.v),
                    Some(HELP.to_string()),
                );
                ok = false;
            }
            Some(d) => dims.push(*d),
            None => {
                sink.error(
                    s.span,
                    format!(
                        "unknown dimension \"{}\" in \"placement\"{}",
                        s.v,
                        suggestion(s.v, names())
                    ),
                    Some(HELP.to_string()),
                );
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    let absent: Vec<String> = Dim::ALL
        .iter()
        .filter(|d| !dims.contains(d))
        .map(|d| format!("\"{}\"", d.name()))
        .collect();
    if !absent.is_empty() {
        sink.error(
            v.span(),
            format!("\"placement\" lacks {}", absent.join(", ")),
            Some(HELP.to_string()),
        );
        return None;
    }
    Some(dims)
}

fn overlap(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Overlap> {
    let DeValue::Table(t) = v.get_ref() else {
        wrong_type(
            sink,
            v,
            "overlap",
            "a table such as { dp = true, tp = false }",
            None,
        );
        return None;
    };
    check_keys(sink, t, OVERLAP_KEYS, "overlap");
    // Every flag is read (and reported) before any is given up on.
    let [tp, pp, dp, ep, cp] = [
        ("tp", false),
        ("pp", false),
        ("dp", true),
        ("ep", false),
        ("cp", false),
    ]
    .map(|(key, default)| Field::read(t, key, |v| boolean(sink, v, key)).or(default));
    Some(Overlap {
        tp: tp?,
        pp: pp?,
        dp: dp?,
        ep: ep?,
        cp: cp?,
    })
}

/// A top-level table, reported when missing or not a table.
fn table<'a, 'i>(
    sink: &mut Sink<'_>,
    root: &'a DeTable<'i>,
    key: &str,
    (what, keys): (&'static str, &'static [&'static str]),
    needs: &str,
) -> Option<Tab<'a, 'i>> {
    match get(root, key) {
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => Some(Tab {
                t,
                span: v.span(),
                what,
                keys,
            }),
            _ => {
                wrong_type(sink, v, key, &format!("a table ({what})"), None);
                None
            }
        },
        None => {
            // A misspelt table name was already reported as an unknown key.
            let misspelt = root.iter().any(|(k, _)| {
                let k: &str = k.get_ref();
                !TOP_KEYS.contains(&k) && did_you_mean(k, std::iter::once(key)).is_some()
            });
            if !misspelt {
                sink.error(
                    0..0,
                    format!("missing table {what}"),
                    Some(format!("add {what} with {needs} (docs/workload-format.md)")),
                );
            }
            None
        }
    }
}

/// The divisors of `n` as a hint, when there are few enough to list.
fn divisors_hint(n: u64) -> String {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut d = 1;
    while d * d <= n {
        if n.is_multiple_of(d) {
            small.push(d);
            if d * d != n {
                large.push(n / d);
            }
        }
        if small.len() + large.len() > 16 {
            return String::new();
        }
        d += 1;
    }
    small.extend(large.into_iter().rev());
    let list: Vec<String> = small.iter().map(u64::to_string).collect();
    format!(" (the divisors of {n}: {})", list.join(", "))
}

/// The `[model]` values read so far; `None` where invalid or missing.
struct ModelIn {
    parameters: Option<f64>,
    layers: Option<u64>,
    hidden: Option<u64>,
    ffn_hidden: Option<u64>,
    heads: Option<u64>,
    kv_heads: Option<u64>,
    seq_len: Option<u64>,
    vocab: Option<u64>,
    experts: Option<u64>,
    top_k: Option<u64>,
    shared_experts: Option<u64>,
    moe_ffn_hidden: Option<u64>,
    moe_layers: Option<u64>,
    dtype_bytes: Option<u32>,
    grad_dtype_bytes: Option<u32>,
}

impl ModelIn {
    fn none() -> ModelIn {
        ModelIn {
            parameters: None,
            layers: None,
            hidden: None,
            ffn_hidden: None,
            heads: None,
            kv_heads: None,
            seq_len: None,
            vocab: None,
            experts: None,
            top_k: None,
            shared_experts: None,
            moe_ffn_hidden: None,
            moe_layers: None,
            dtype_bytes: None,
            grad_dtype_bytes: None,
        }
    }

    fn build(&self) -> Option<Model> {
        Some(Model {
            parameters: self.parameters?,
            layers: self.layers? as u32,
            hidden: self.hidden?,
            ffn_hidden: self.ffn_hidden?,
            heads: self.heads? as u32,
            kv_heads: self.kv_heads? as u32,
            seq_len: self.seq_len?,
            vocab: self.vocab?,
            experts: self.experts? as u32,
            top_k: self.top_k? as u32,
            shared_experts: self.shared_experts? as u32,
            moe_ffn_hidden: self.moe_ffn_hidden?,
            moe_layers: self.moe_layers? as u32,
            dtype_bytes: self.dtype_bytes?,
            grad_dtype_bytes: self.grad_dtype_bytes?,
        })
    }
}

fn read_model(sink: &mut Sink<'_>, tab: &Tab<'_, '_>) -> ModelIn {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let parameters = Field::read(t, "parameters", |v| number(sink, v, "parameters", "70.6e9"));
    let parameters = tab.required(sink, "parameters", "70.6e9", parameters);
    let req = |sink: &mut Sink<'_>, key: &str, example: &str| {
        let f = count(sink, t, key, 1);
        tab.required(sink, key, example, f)
    };
    let layers = req(sink, "layers", "80");
    let hidden = req(sink, "hidden", "8192");
    let ffn_hidden = req(sink, "ffn_hidden", "28672");
    let heads = req(sink, "heads", "64");
    let seq_len = req(sink, "seq_len", "8192");
    let vocab = req(sink, "vocab", "128256");
    let kv_heads = count(sink, t, "kv_heads", 1);
    let experts = count(sink, t, "experts", 1);
    let top_k = count(sink, t, "top_k", 1);
    let shared = count(sink, t, "shared_experts", 0);
    let moe_ffn_hidden = count(sink, t, "moe_ffn_hidden", 1);
    let moe_layers = count(sink, t, "moe_layers", 0);
    let dtype_bytes = Field::read(t, "dtype", |v| dtype(sink, v, "dtype"));
    let dtype_bytes = tab.required(sink, "dtype", "\"bf16\"", dtype_bytes);
    let grad_dtype_bytes = Field::read(t, "grad_dtype", |v| dtype(sink, v, "grad_dtype")).or(4);

    // INVARIANT: kv_heads divides heads (grouped-query attention).
    let kv_heads = match (kv_heads, &heads) {
        (Field::Absent, h) => h.as_ref().map(|h| h.v),
        (Field::Bad, _) => None,
        (Field::Val(kv), None) => Some(kv.v),
        (Field::Val(kv), Some(h)) => {
            if h.v % kv.v == 0 {
                Some(kv.v)
            } else {
                sink.error(
                    kv.span,
                    format!("kv_heads = {} does not divide heads = {}", kv.v, h.v),
                    Some(format!(
                        "grouped-query attention shares each key/value head among heads / kv_heads query heads; choose a divisor of heads{}",
                        divisors_hint(h.v)
                    )),
                );
                None
            }
        }
    };

    let experts_v = match &experts {
        Field::Absent => Some(1),
        Field::Bad => None,
        Field::Val(e) => Some(e.v),
    };
    // INVARIANT: top_k is given for an MoE model and is at most experts.
    let top_k = match (top_k, experts_v) {
        (Field::Bad, _) => None,
        (Field::Absent, Some(1)) => Some(1),
        (Field::Absent, Some(_)) => {
            tab.missing(sink, "top_k", "2");
            None
        }
        (Field::Absent, None) => None,
        (Field::Val(k), Some(e)) if k.v > e => {
            sink.error(
                k.span,
                format!("top_k = {} exceeds experts = {e}", k.v),
                Some(format!(
                    "each token is routed to top_k of the {e} routed experts"
                )),
            );
            None
        }
        (Field::Val(k), _) => Some(k.v),
    };
    // INVARIANT: moe_layers ≤ layers, and moe_layers > 0 exactly for MoE models.
    let moe_layers = match (moe_layers, experts_v) {
        (Field::Bad, _) | (_, None) => None,
        (Field::Absent, Some(e)) => {
            if e > 1 {
                layers.as_ref().map(|l| l.v)
            } else {
                Some(0)
            }
        }
        (Field::Val(m), Some(e)) => {
            let too_many = layers.as_ref().is_some_and(|l| m.v > l.v);
            if too_many {
                let l = layers.as_ref().map_or(0, |l| l.v);
                sink.error(
                    m.span,
                    format!("moe_layers = {} exceeds layers = {l}", m.v),
                    Some("moe_layers counts the layers whose FFN is a mixture of experts; the rest are dense".to_string()),
                );
                None
            } else if e == 1 && m.v > 0 {
                sink.error(
                    m.span,
                    format!("moe_layers = {} but experts = 1 (a dense model)", m.v),
                    Some("for a mixture-of-experts model set experts (> 1) and top_k; otherwise remove moe_layers".to_string()),
                );
                None
            } else if e > 1 && m.v == 0 {
                sink.error(
                    m.span,
                    format!("moe_layers = 0 but experts = {e}"),
                    Some("a mixture-of-experts model has at least one MoE layer; for a dense model set experts = 1".to_string()),
                );
                None
            } else {
                Some(m.v)
            }
        }
    };
    let shared_experts = match (shared, experts_v) {
        (Field::Absent, _) => Some(0),
        (Field::Bad, _) => None,
        (Field::Val(s), Some(1)) if s.v > 0 => {
            sink.error(
                s.span,
                format!("shared_experts = {} but experts = 1 (a dense model)", s.v),
                Some("shared experts run beside the routed experts of MoE layers; set experts (> 1) and top_k, or remove shared_experts".to_string()),
            );
            None
        }
        (Field::Val(s), _) => Some(s.v),
    };
    let ffn = ffn_hidden.as_ref().map(|f| f.v);
    ModelIn {
        parameters: parameters.map(|p| p.v),
        layers: layers.map(|l| l.v),
        hidden: hidden.map(|h| h.v),
        ffn_hidden: ffn,
        heads: heads.map(|h| h.v),
        kv_heads,
        seq_len: seq_len.map(|s| s.v),
        vocab: vocab.map(|v| v.v),
        experts: experts_v,
        top_k,
        shared_experts,
        moe_ffn_hidden: match moe_ffn_hidden {
            Field::Absent => ffn,
            Field::Bad => None,
            Field::Val(m) => Some(m.v),
        },
        moe_layers,
        dtype_bytes,
        grad_dtype_bytes,
    }
}

/// `max_world` is the node limit (`--max-nodes`), at most `u32::MAX`.
fn read_parallelism(
    sink: &mut Sink<'_>,
    tab: &Tab<'_, '_>,
    m: &ModelIn,
    max_world: u64,
) -> Option<Parallelism> {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let before = sink.error_count();
    let req = |sink: &mut Sink<'_>, key: &str, example: &str| {
        let f = count(sink, t, key, 1);
        tab.required(sink, key, example, f)
    };
    let tp = req(sink, "tp", "8");
    let pp = req(sink, "pp", "4");
    let dp = req(sink, "dp", "32");
    let micro_batch = req(sink, "micro_batch", "1");
    let global_batch = req(sink, "global_batch", "1024");
    let ep = count(sink, t, "ep", 1);
    let cp = count(sink, t, "cp", 1);
    let virtual_stages = count(sink, t, "virtual_stages", 1);
    let zero = Field::read(t, "zero", |v| {
        let z = uint(sink, v, "zero", 0, MAX_COUNT)?;
        if z <= 3 {
            return Some(z as u8);
        }
        sink.error(
            v.span(),
            format!("\"zero\" must be a ZeRO stage from 0 to 3, found {z}"),
            Some("0: plain data parallelism; 1: optimizer states sharded; 2: and gradients; 3: and parameters".to_string()),
        );
        None
    })
    .or(0);
    let sequence_parallel = Field::read(t, "sequence_parallel", |v| {
        boolean(sink, v, "sequence_parallel")
    })
    .or(false);
    let allow_tp = Field::read(t, "allow_tp_across_domains", |v| {
        boolean(sink, v, "allow_tp_across_domains")
    })
    .or(false);
    let placement = Field::read(t, "placement", |v| placement(sink, v)).or(Dim::ALL.to_vec());
    let dp_bucket = Field::read(t, "dp_bucket", |v| {
        positive_quantity(sink, v, "dp_bucket", Quantity::DataSize)
    })
    .or(DEFAULT_DP_BUCKET_BYTES);

    // Values with the span to blame; a defaulted value blames `fallback`.
    let val = |f: &Field<Sp<u64>>, fallback: Option<&Span>| -> Option<Sp<u64>> {
        match f {
            Field::Absent => fallback.map(|s| Sp {
                v: 1,
                span: s.clone(),
            }),
            Field::Bad => None,
            Field::Val(x) => Some(x.clone()),
        }
    };
    let ep_v = val(&ep, Some(&tab.span));
    let cp_v = val(&cp, Some(&tab.span));
    let vs_v = val(&virtual_stages, Some(&tab.span));

    // INVARIANT: tp divides heads.
    if let (Some(tp), Some(h)) = (&tp, m.heads)
        && h % tp.v != 0
    {
        sink.error(
            tp.span.clone(),
            format!("tp = {} does not divide heads = {h}", tp.v),
            Some(format!(
                "tensor parallelism splits the attention heads evenly; choose a divisor of heads{}",
                divisors_hint(h)
            )),
        );
    }
    // INVARIANT: ep divides dp and experts.
    if let Some(ep) = &ep_v {
        if let Some(dp) = &dp
            && dp.v % ep.v != 0
        {
            sink.error(
                ep.span.clone(),
                format!("ep = {} does not divide dp = {}", ep.v, dp.v),
                Some(format!(
                    "expert parallelism is carved out of data parallelism (dp counts all replicas); choose a divisor of dp{}",
                    divisors_hint(dp.v)
                )),
            );
        }
        if let Some(e) = m.experts
            && e % ep.v != 0
        {
            sink.error(
                ep.span.clone(),
                format!("experts = {e} are not divisible by ep = {}", ep.v),
                Some(format!(
                    "each expert-parallel rank holds experts / ep whole experts; choose a divisor of experts{}",
                    divisors_hint(e)
                )),
            );
        }
    }
    // INVARIANT: every virtual pipeline stage holds at least one layer.
    if let (Some(pp), Some(vs)) = (&pp, &vs_v) {
        let blame = if virtual_stages.present() {
            vs.span.clone()
        } else {
            pp.span.clone()
        };
        if vs.v > 1 && pp.v == 1 {
            sink.error(
                vs.span.clone(),
                format!("virtual_stages = {} needs pipeline parallelism (pp > 1)", vs.v),
                Some("interleaved 1F1B splits the layers of each pipeline rank into virtual stages; with pp = 1 set virtual_stages = 1".to_string()),
            );
        } else if let Some(l) = m.layers {
            let stages = pp.v * vs.v;
            if l < stages {
                sink.error(
                    blame,
                    format!(
                        "pp × virtual_stages = {} × {} = {stages} pipeline stages, but the model has only {l} layers",
                        pp.v, vs.v
                    ),
                    Some("every (virtual) pipeline stage holds at least one layer; lower pp or virtual_stages".to_string()),
                );
            }
        }
    }
    // INVARIANT: global_batch is a whole number of micro-batches per replica.
    if let (Some(g), Some(mb), Some(dp)) = (&global_batch, &micro_batch, &dp) {
        let unit = mb.v * dp.v;
        if g.v % unit != 0 {
            let below = g.v / unit * unit;
            let above = below + unit;
            let nearest = if below > 0 {
                format!("{below} or {above}")
            } else {
                above.to_string()
            };
            sink.error(
                g.span.clone(),
                format!(
                    "global_batch = {} is not a multiple of micro_batch × dp = {} × {} = {unit}",
                    g.v, mb.v, dp.v
                ),
                Some(format!(
                    "each data-parallel replica runs global_batch / (micro_batch × dp) whole micro-batches; e.g. global_batch = {nearest}"
                )),
            );
        }
    }
    // INVARIANT: cp divides seq_len.
    if let (Some(cp), Some(s)) = (&cp_v, m.seq_len)
        && s % cp.v != 0
    {
        sink.error(
            cp.span.clone(),
            format!("cp = {} does not divide seq_len = {s}", cp.v),
            Some(format!(
                "context parallelism splits each sequence into cp equal chunks; choose a divisor of seq_len{}",
                divisors_hint(s)
            )),
        );
    }
    // INVARIANT: the layout needs at most `max_world` ≤ u32::MAX accelerators,
    // so `Parallelism::world` cannot overflow.
    let max_world = max_world.min(fabricsim_base::limits::HARD_MAX_IDS);
    if let (Some(tp), Some(pp), Some(dp), Some(cp)) = (&tp, &pp, &dp, &cp_v) {
        let world = u128::from(tp.v) * u128::from(pp.v) * u128::from(dp.v) * u128::from(cp.v);
        if world > u128::from(max_world) {
            let by = if max_world == MAX_NODES {
                "the default of --max-nodes"
            } else {
                "set by --max-nodes"
            };
            sink.error(
                tab.span.clone(),
                format!(
                    "the layout needs tp × cp × pp × dp = {world} accelerators, more than a topology may have ({max_world}, {by})"
                ),
                Some("the degrees multiply: lower tp, cp, pp or dp (or raise --max-nodes)".to_string()),
            );
        }
    }
    if sink.error_count() > before {
        return None;
    }
    Some(Parallelism {
        tp: tp?.v as u32,
        pp: pp?.v as u32,
        dp: dp?.v as u32,
        ep: ep_v?.v as u32,
        cp: cp_v?.v as u32,
        zero: zero?,
        sequence_parallel: sequence_parallel?,
        micro_batch: micro_batch?.v as u32,
        global_batch: global_batch?.v as u32,
        virtual_stages: vs_v?.v as u32,
        placement: placement?,
        allow_tp_across_domains: allow_tp?,
        dp_bucket_bytes: dp_bucket?,
    })
}

fn read_compute(sink: &mut Sink<'_>, tab: &Tab<'_, '_>) -> Option<(Compute, Overlap)> {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let tflops = Field::read(t, "tflops_per_accelerator", |v| {
        number(sink, v, "tflops_per_accelerator", "989")
    });
    let mfu = Field::read(t, "mfu", |v| {
        let x = number(sink, v, "mfu", "0.4")?;
        if x.v <= 1.0 {
            return Some(x.v);
        }
        let help = if x.v <= 100.0 {
            format!(
                "mfu is a fraction, not a percentage: write mfu = {}",
                x.v / 100.0
            )
        } else {
            "mfu is the fraction of the dense peak achieved, e.g. 0.4".to_string()
        };
        sink.error(
            x.span,
            format!(
                "\"mfu\" must be greater than 0 and at most 1, found {}",
                x.v
            ),
            Some(help),
        );
        None
    });
    let layer_time = Field::read(t, "layer_time", |v| {
        positive_quantity(sink, v, "layer_time", Quantity::Duration)
    });
    let overlap = Field::read(t, "overlap", |v| overlap(sink, v)).or(Overlap {
        dp: true,
        ..Overlap::default()
    });
    let peak_form = tflops.present() || mfu.present();
    // INVARIANT: exactly one compute form.
    let compute = match (peak_form, layer_time.present()) {
        (true, true) => {
            let span = get(t, "layer_time").map_or(tab.span.clone(), |v| v.span());
            sink.error(
                span,
                "[compute] gives both tflops_per_accelerator/mfu and layer_time".to_string(),
                Some("give either tflops_per_accelerator and mfu (time from the model's FLOPs) or layer_time (forward + backward per layer per micro-batch), not both".to_string()),
            );
            None
        }
        (false, false) => {
            sink.error(
                tab.span.clone(),
                "[compute] gives no compute time".to_string(),
                Some("add tflops_per_accelerator (dense peak, TFLOP/s) and mfu, e.g. tflops_per_accelerator = 989 and mfu = 0.4, or layer_time = \"12 ms\"".to_string()),
            );
            None
        }
        (true, false) => {
            let tflops = tab.required(sink, "tflops_per_accelerator", "989", tflops);
            let mfu = tab.required(sink, "mfu", "0.4", mfu);
            tflops.zip(mfu).map(|(p, mfu)| Compute::Peak {
                flops_per_s: p.v * 1e12,
                mfu,
            })
        }
        (false, true) => layer_time
            .or(0.0)
            .map(|seconds| Compute::PerLayer { seconds }),
    };
    Some((compute?, overlap?))
}

fn read_job(sink: &mut Sink<'_>, root: &DeTable<'_>, path: &str, max_world: u64) -> Option<Job> {
    check_keys(sink, root, TOP_KEYS, "the top level");
    let name = Field::read(root, "name", |v| {
        string(sink, v, "name", "a string").map(|s| s.v.to_string())
    });
    if let Some(v) = get(root, "description") {
        string(sink, v, "description", "a string");
    }
    let model_tab = table(
        sink,
        root,
        "model",
        ("[model]", MODEL_KEYS),
        "parameters, layers, hidden, ffn_hidden, heads, seq_len, vocab and dtype",
    );
    let par_tab = table(
        sink,
        root,
        "parallelism",
        ("[parallelism]", PARALLELISM_KEYS),
        "tp, pp, dp, micro_batch and global_batch",
    );
    let compute_tab = table(
        sink,
        root,
        "compute",
        ("[compute]", COMPUTE_KEYS),
        "tflops_per_accelerator and mfu, or layer_time",
    );
    let model = match &model_tab {
        Some(tab) => read_model(sink, tab),
        None => ModelIn::none(),
    };
    let parallelism = par_tab.and_then(|tab| read_parallelism(sink, &tab, &model, max_world));
    let compute = compute_tab.and_then(|tab| read_compute(sink, &tab));
    let name = name.or_else_stem(path)?;
    let (compute, overlap) = compute?;
    Some(Job {
        name,
        model: model.build()?,
        parallelism: parallelism?,
        compute,
        overlap,
    })
}

impl Field<String> {
    /// The name, or the file stem of `path` when absent.
    fn or_else_stem(self, path: &str) -> Option<String> {
        let stem = Path::new(path)
            .file_stem()
            .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
        self.or(stem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_hints() {
        assert_eq!(
            divisors_hint(12),
            " (the divisors of 12: 1, 2, 3, 4, 6, 12)"
        );
        assert_eq!(
            divisors_hint(64),
            " (the divisors of 64: 1, 2, 4, 8, 16, 32, 64)"
        );
        assert_eq!(divisors_hint(1), " (the divisors of 1: 1)");
        // 720720 has 240 divisors: too many to list.
        assert_eq!(divisors_hint(720_720), "");
    }
}
