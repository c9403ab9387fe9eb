//! `[model]`: the model's shape and data types (rule 6), with the attention
//! rule 8 (`kv_heads` divides `heads`) and the expert rules 9 (`top_k`,
//! `moe_layers`, `shared_experts`).

use super::fields::{Field, MAX_PARAMETERS, Tab, count, divisors_hint, number};
use crate::job::Model;
use fabricsim_base::diag::{Sink, suggestion};
use fabricsim_base::spanned::{Val, check_keys, string};

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

/// Data types and their size \[bytes per element\].
const DTYPES: &[(&str, u32)] = &[("bf16", 2), ("fp16", 2), ("fp8", 1), ("fp32", 4)];

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

/// The `[model]` values read so far; `None` where invalid or missing.
pub(super) struct ModelIn {
    parameters: Option<f64>,
    pub(super) layers: Option<u64>,
    hidden: Option<u64>,
    ffn_hidden: Option<u64>,
    pub(super) heads: Option<u64>,
    kv_heads: Option<u64>,
    pub(super) seq_len: Option<u64>,
    vocab: Option<u64>,
    pub(super) experts: Option<u64>,
    top_k: Option<u64>,
    shared_experts: Option<u64>,
    moe_ffn_hidden: Option<u64>,
    moe_layers: Option<u64>,
    dtype_bytes: Option<u32>,
    grad_dtype_bytes: Option<u32>,
}

impl ModelIn {
    pub(super) fn none() -> ModelIn {
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

    pub(super) fn build(&self) -> Option<Model> {
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

pub(super) fn read_model(sink: &mut Sink<'_>, tab: &Tab<'_, '_>) -> ModelIn {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let parameters = Field::read(t, "parameters", |v| {
        number(sink, v, "parameters", "70.6e9", MAX_PARAMETERS)
    });
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
