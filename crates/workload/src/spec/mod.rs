//! Reading a job file (`workloads/*.toml`) into a validated [`Job`].
//!
//! The file is walked by hand over toml's spanned tree, with the readers of
//! the topology loader (`fabricsim_topology::spec`), so that *every* problem is
//! reported with its file, line and column, what was expected and a hint.
//! The format is documented in `docs/workload-format.md`.
//!
//! The rules, each with a negative test in `tests/it/workload/workload_files.rs`
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
//!     (`tp` × `cp` × `pp` × `dp`; default
//!     [`MAX_NODES`](fabricsim_base::limits::MAX_NODES), `--max-nodes`).
//! 16. `[training]` (optional): `recompute` is `none`, `selective` or
//!     `full`; `optimizer_bytes` is a positive number of at most 64; a
//!     `schedule` in `[parallelism]` is `1f1b`, `interleaved` (with
//!     `virtual_stages` ≥ 2) or `zero-bubble` (with `virtual_stages` = 1),
//!     and other than `1f1b` needs `pp` > 1.
//!
//! Cross-field rules are checked only when the values involved are valid, so
//! one mistake is reported once. Whether the layout fits a topology (its size
//! equals the accelerator count, TP inside a scale-up domain) is checked when
//! the job is placed, not here.
//!
//! Submodules: `fields` (the shared readers: a key's `Field`, a table's
//! `Tab`, counts, numbers, quantities, top-level tables), `model` (rules 6,
//! 8 and 9), `parallelism` (rules 7, 10 to 13 and 15) and `compute` (rule
//! 14), each with its table's keys. This file holds the entry points and
//! the top-level walk.

mod compute;
mod fields;
mod model;
mod parallelism;
mod training;

use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::job::Job;
use compute::read_compute;
pub use compute::{COMPUTE_KEYS, OVERLAP_KEYS};
use fabricsim_base::diag::{Diagnostics, Sink};
use fabricsim_base::limits::Limits;
use fabricsim_base::spanned::{check_keys, get, parse_document, string};
use fields::{Field, table};
pub use model::MODEL_KEYS;
use model::{ModelIn, read_model};
pub use parallelism::PARALLELISM_KEYS;
use parallelism::read_parallelism;
pub use training::TRAINING_KEYS;
use training::read_training;

/// Top-level keys of a job file.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "parallelism",
    "compute",
    "training",
];

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
            let fits = (*have as u64).checked_div(rest).unwrap_or(0);
            let help = if fits > 0 {
                format!(
                    "set dp to at most {fits} (dp = {fits} uses {} of the {have} accelerators), or pick a larger topology",
                    fits * rest
                )
            } else {
                format!(
                    "tp·cp·pp = {rest} alone needs more than the topology's {have} accelerators; lower them or pick a larger topology"
                )
            };
            ("dp", help)
        }
        E::Selection { .. } => (
            "accelerators",
            "\"packed\" fills scale-up domains in order; \"spread\" takes the same number from every domain; rank indices must select exactly tp·cp·pp·dp accelerators".to_string(),
        ),
        E::TpAcrossDomains { .. } => (
            "tp",
            "make tp at most the scale-up domain's size, or put \"tp\" first in `placement` so TP groups fill a domain"
                .to_string(),
        ),
    };
    located(src, path, "parallelism", Some(key), e.to_string(), help)
}

/// A diagnostic at `key` of `[table]` in the job text `src` (the table
/// itself when `key` is `None` or absent; unlocated without the table).
pub fn located(
    src: &str,
    path: &str,
    table: &str,
    key: Option<&str>,
    message: String,
    help: String,
) -> Diagnostics {
    let mut sink = Sink::new(src, path);
    let span = parse_document(&mut Sink::new(src, path), src).and_then(|root| {
        let par = get(root.get_ref(), table)?;
        match (par.get_ref(), key) {
            (DeValue::Table(t), Some(key)) => Some(get(t, key).map_or(par.span(), |v| v.span())),
            _ => Some(par.span()),
        }
    });
    match span {
        Some(span) => sink.error(span, message, Some(help)),
        None => sink.error_unlocated(message, Some(help)),
    }
    sink.finish()
        .unwrap_or_else(|| Diagnostics { items: Vec::new() })
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
    // `[training]` is optional: absent, every default applies.
    let training = match get(root, "training") {
        None => Some(crate::job::Training::default()),
        Some(_) => table(
            sink,
            root,
            "training",
            ("[training]", TRAINING_KEYS),
            "recompute or optimizer_bytes",
        )
        .and_then(|tab| read_training(sink, &tab)),
    };
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
        training: training?,
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
