//! `[parallelism]`: the degrees, batch and ZeRO stage, `placement` (rule 7)
//! and the layout rules against the model: `tp` divides `heads` (8), `ep`
//! divides `dp` and `experts` (10), every virtual pipeline stage holds a
//! layer (11), the batch divides into micro-batches per replica (12), `cp`
//! divides `seq_len` (13), and the world size is within the node limit
//! (15).

use toml::de::DeValue;

use super::fields::{Field, MAX_COUNT, Span, Tab, count, divisors_hint, positive_quantity};
use super::model::ModelIn;
use crate::job::{Accelerators, DEFAULT_DP_BUCKET_BYTES, Dim, Parallelism, PipelineSchedule};
use fabricsim_base::diag::{Sink, suggestion};
use fabricsim_base::limits::MAX_NODES;
use fabricsim_base::spanned::{Sp, Val, boolean, check_keys, string, uint, wrong_type};
use fabricsim_base::units::Quantity;

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
    "accelerators",
    "schedule",
];

fn schedule(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Sp<PipelineSchedule>> {
    let s = string(
        sink,
        v,
        "schedule",
        "a string: \"1f1b\", \"interleaved\" or \"zero-bubble\"",
    )?;
    match PipelineSchedule::ALL.iter().find(|x| x.name() == s.v) {
        Some(&x) => Some(Sp { v: x, span: s.span }),
        None => {
            sink.error(
                s.span,
                format!(
                    "unknown pipeline schedule \"{}\"{}",
                    s.v,
                    suggestion(s.v, PipelineSchedule::ALL.iter().map(|x| x.name()))
                ),
                Some("schedules: \"1f1b\" (Narayanan et al. 2021), \"interleaved\" (with virtual_stages ≥ 2), \"zero-bubble\" (ZB-H1, Qi et al. 2023); docs/training-jobs.md".to_string()),
            );
            None
        }
    }
}

fn accelerators(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Accelerators> {
    const HELP: &str = "write \"packed\" (fill scale-up domains in order), \"spread\" (as many from every domain) or rank indices such as \"0..4096,8192..12288\"";
    let s = string(
        sink,
        v,
        "accelerators",
        "a string: \"packed\", \"spread\" or rank indices",
    )?;
    match s.v.trim() {
        "packed" => Some(Accelerators::Packed),
        "spread" => Some(Accelerators::Spread),
        t if !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == ' ') =>
        {
            Some(Accelerators::Ranks(t.to_string()))
        }
        t => {
            sink.error(
                s.span.clone(),
                format!("\"accelerators\" must be packed, spread or rank indices, found \"{t}\""),
                Some(HELP.to_string()),
            );
            None
        }
    }
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

/// `max_world` is the node limit (`--max-nodes`), at most `u32::MAX`.
pub(super) fn read_parallelism(
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
    let accelerators =
        Field::read(t, "accelerators", |v| accelerators(sink, v)).or(Accelerators::Packed);
    let dp_bucket = Field::read(t, "dp_bucket", |v| {
        positive_quantity(sink, v, "dp_bucket", Quantity::DataSize)
    })
    .or(DEFAULT_DP_BUCKET_BYTES);
    let sched = Field::read(t, "schedule", |v| schedule(sink, v));

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
    // INVARIANT: the schedule agrees with virtual_stages: interleaved needs
    // at least 2, the others exactly 1.
    if let (Field::Val(sc), Some(vs)) = (&sched, &vs_v) {
        match sc.v {
            PipelineSchedule::Interleaved if vs.v < 2 => sink.error(
                sc.span.clone(),
                "schedule = \"interleaved\" needs virtual_stages ≥ 2".to_string(),
                Some("interleaved 1F1B runs v ≥ 2 model chunks per pipeline rank: add virtual_stages = 2 (say), or use schedule = \"1f1b\"".to_string()),
            ),
            PipelineSchedule::OneFOneB | PipelineSchedule::ZeroBubble if vs.v > 1 => sink.error(
                sc.span.clone(),
                format!(
                    "schedule = \"{}\" runs one model chunk per rank, but virtual_stages = {}",
                    sc.v.name(),
                    vs.v
                ),
                Some("virtual stages belong to the interleaved schedule: set schedule = \"interleaved\" or virtual_stages = 1".to_string()),
            ),
            _ => {}
        }
        if sc.v != PipelineSchedule::OneFOneB
            && let Some(pp) = &pp
            && pp.v == 1
        {
            sink.error(
                sc.span.clone(),
                format!(
                    "schedule = \"{}\" needs pipeline parallelism (pp > 1)",
                    sc.v.name()
                ),
                Some("with pp = 1 there is no pipeline: remove schedule or set pp > 1".to_string()),
            );
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
        virtual_stages: vs_v.as_ref()?.v as u32,
        placement: placement?,
        allow_tp_across_domains: allow_tp?,
        accelerators: accelerators?,
        dp_bucket_bytes: dp_bucket?,
        schedule: match sched {
            Field::Val(s) => s.v,
            Field::Bad => return None,
            Field::Absent if vs_v.as_ref()?.v > 1 => PipelineSchedule::Interleaved,
            Field::Absent => PipelineSchedule::OneFOneB,
        },
    })
}
