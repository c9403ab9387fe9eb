//! Reading a topology file's TOML tree into a spanned specification.
//!
//! The file is parsed with toml's spanned document API
//! ([`toml::de::DeTable`]) and walked by hand, so that *every* problem is
//! reported (serde stops at the first) with the position of the offending key
//! or value. Each reader returns `None` after reporting a problem; the
//! builder (`build/`) skips what is missing and never reports a problem
//! twice. The file format is documented in `docs/topology-format.md`.
//!
//! Submodules: `types` (the spec types the builder consumes), `values`
//! (readers shared by the tables: kinds, link and switch parameters after
//! presets, routing, id patterns, a block's `topology`), `explicit`
//! (`[[nodes]]` and `[[links]]`), `scale_up`, `scale_out` and `dci` (one
//! block each, with its keys and limits). This file walks the top level.

mod dci;
mod explicit;
mod failures;
mod power;
mod scale_out;
mod scale_up;
mod types;
mod values;

use toml::de::{DeTable, DeValue};

pub use dci::DCI_KEYS;
use dci::read_dci;
pub use explicit::{LINK_KEYS, NODE_KEYS};
use explicit::{read_link, read_node};
use fabricsim_base::diag::Sink;
pub(crate) use fabricsim_base::spanned::*;
pub use failures::{KEYS as FAILURE_KEYS, RANDOM_KEYS as FAILURE_RANDOM_KEYS};
pub use power::POWER_KEYS;
use scale_out::read_scale_out;
pub use scale_out::{SCALE_OUT_CLOS, SCALE_OUT_COMMON, SCALE_OUT_DRAGONFLY};
use scale_up::read_scale_up;
pub use scale_up::{SCALE_UP_COMMON, SCALE_UP_MESH, SCALE_UP_SWITCHED, SCALE_UP_TORUS};
pub(crate) use types::{
    DciSpec, DragonflySpec, FileSpec, Lanes, LinkParams, LinkSpec, NodeKind, NodeSpec,
    ScaleOutShape, ScaleOutSpec, ScaleUpShape, ScaleUpSpec, SwitchParams,
};
pub(crate) use values::patterns;
use values::routing;

/// Top-level keys of a topology file.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "routing",
    "nodes",
    "links",
    "scale_up",
    "scale_out",
    "failures",
    "dci",
    "calibration",
    "accelerator",
    "power",
];

/// Reads the whole document. Problems go to `sink`.
pub(crate) fn read_file(sink: &mut Sink<'_>, root: &DeTable<'_>) -> FileSpec {
    check_keys(sink, root, TOP_KEYS, "the top level");
    let mut spec = FileSpec::default();
    if let Some(v) = get(root, "name") {
        spec.name = string(sink, v, "name", "a string").map(|s| s.v.to_string());
    }
    if let Some(v) = get(root, "description") {
        string(sink, v, "description", "a string");
    }
    if let Some(v) = get(root, "calibration") {
        spec.calibration = string(sink, v, "calibration", "a file name (string)").map(|s| Sp {
            v: s.v.to_string(),
            span: s.span,
        });
    }
    if let Some(v) = get(root, "accelerator")
        && let Some(s) = string(sink, v, "accelerator", "an accelerator name (string)")
    {
        use crate::accelerators::{ACCELERATORS, accelerator};
        spec.accelerator = accelerator(s.v);
        if spec.accelerator.is_none() {
            sink.error(
                s.span.clone(),
                format!("unknown accelerator \"{}\"", s.v),
                Some(
                    match fabricsim_base::diag::did_you_mean(
                        s.v,
                        ACCELERATORS.iter().map(|a| a.name),
                    ) {
                        Some(c) => format!("did you mean \"{c}\"?"),
                        None => format!(
                            "known accelerators: {}",
                            ACCELERATORS
                                .iter()
                                .map(|a| a.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                ),
            );
        }
    }
    if let Some(v) = get(root, "routing") {
        spec.routing = routing(sink, v, "routing");
    }
    if let Some(v) = get(root, "nodes") {
        for (t, span) in tables(sink, v, "nodes") {
            match read_node(sink, t, span) {
                Some(n) => spec.nodes.push(n),
                None => spec.nodes_incomplete = true,
            }
        }
    }
    if let Some(v) = get(root, "links") {
        for (t, span) in tables(sink, v, "links") {
            if let Some(l) = read_link(sink, t, span) {
                spec.links.push(l);
            }
        }
    }
    let mut incomplete = false;
    spec.scale_up = block(sink, root, "scale_up", &mut incomplete, read_scale_up);
    spec.dci = block(sink, root, "dci", &mut incomplete, read_dci);
    spec.scale_out = block(sink, root, "scale_out", &mut incomplete, read_scale_out);
    spec.nodes_incomplete |= incomplete;
    if let Some(v) = get(root, "failures") {
        spec.failures = failures::read(sink, v);
    }
    if let Some(v) = get(root, "power") {
        match v.get_ref() {
            DeValue::Table(t) => {
                spec.power = power::read_power(sink, t, spec.accelerator).unwrap_or_default()
            }
            _ => wrong_type(sink, v, "power", "a table ([power])", None),
        }
    }
    spec
}

/// Reads the block table `[key]` with `read`; a block that is present but
/// unreadable (wrong type or errors inside) sets `incomplete`, since the
/// nodes it would have generated are missing.
fn block<T>(
    sink: &mut Sink<'_>,
    root: &DeTable<'_>,
    key: &str,
    incomplete: &mut bool,
    read: impl FnOnce(&mut Sink<'_>, &DeTable<'_>, Span) -> Option<T>,
) -> Option<T> {
    let v = get(root, key)?;
    let out = match v.get_ref() {
        DeValue::Table(t) => read(sink, t, v.span()),
        _ => {
            wrong_type(sink, v, key, &format!("a table ([{key}])"), None);
            None
        }
    };
    *incomplete |= out.is_none();
    out
}
