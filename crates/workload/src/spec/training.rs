//! `[training]` (optional): activation recomputation and the optimizer's
//! bytes per parameter, which the memory model (`crate::memory`) and the
//! compute time (full recomputation reruns the forward pass) depend on.

use super::fields::{Field, Tab, number};
use crate::job::{DEFAULT_OPTIMIZER_BYTES, Recompute, Training};
use fabricsim_base::diag::{Sink, suggestion};
use fabricsim_base::spanned::{Val, check_keys, string};

/// Keys of the `[training]` table.
pub const TRAINING_KEYS: &[&str] = &["recompute", "optimizer_bytes"];

/// Most optimizer bytes per parameter accepted (an fp64 Adam keeps 24).
const MAX_OPTIMIZER_BYTES: f64 = 64.0;

fn recompute(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Recompute> {
    let s = string(
        sink,
        v,
        "recompute",
        "a string: \"none\", \"selective\" or \"full\"",
    )?;
    if let Some(&r) = Recompute::ALL.iter().find(|r| r.name() == s.v) {
        return Some(r);
    }
    sink.error(
        s.span,
        format!(
            "unknown recompute setting \"{}\"{}",
            s.v,
            suggestion(s.v, Recompute::ALL.iter().map(|r| r.name()))
        ),
        Some("\"none\" keeps every activation, \"selective\" recomputes the attention core (as FlashAttention does; the default), \"full\" keeps only each layer's input (Korthikanti et al. 2022)".to_string()),
    );
    None
}

pub(super) fn read_training(sink: &mut Sink<'_>, tab: &Tab<'_, '_>) -> Option<Training> {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let rc = Field::read(t, "recompute", |v| recompute(sink, v)).or(Recompute::Selective);
    let opt = Field::read(t, "optimizer_bytes", |v| {
        number(sink, v, "optimizer_bytes", "12", MAX_OPTIMIZER_BYTES).map(|x| x.v)
    })
    .or(DEFAULT_OPTIMIZER_BYTES);
    Some(Training {
        recompute: rc?,
        optimizer_bytes: opt?,
    })
}
