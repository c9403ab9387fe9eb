//! Readers shared by the tables: link and switch kinds (rule 5, with "did
//! you mean"), link parameters after presets and overrides (rule 6: a
//! generic kind gives its own bandwidth and latency), switch parameters,
//! the routing mode, id patterns (rule 7), and a block's `topology` with
//! the keys that belong to another one (rule 10).

use toml::de::{DeTable, DeValue};

use super::{LinkParams, SwitchParams};
use crate::RoutingMode;
use crate::pattern::Pattern;
use crate::presets::{self, LINK_KINDS, LinkKind, SWITCH_KINDS, SwitchKind};
use fabricsim_base::diag::{Sink, suggestion};
use fabricsim_base::spanned::*;
use fabricsim_base::units::Quantity;

pub(super) fn link_kind(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
) -> Option<(&'static LinkKind, Span)> {
    let s = string(sink, v, key, "a link kind such as \"nvlink4\"")?;
    if let Some(k) = presets::link_kind(s.v) {
        return Some((k, s.span));
    }
    let names = LINK_KINDS.iter().map(|k| k.name);
    let mut help = format!(
        "known link kinds: {}",
        LINK_KINDS
            .iter()
            .map(|k| k.name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    if presets::switch_kind(s.v).is_some() {
        help = format!("\"{}\" is a switch kind; {help}", s.v);
    }
    sink.error(
        s.span,
        format!("unknown link kind \"{}\"{}", s.v, suggestion(s.v, names)),
        Some(help),
    );
    None
}

pub(super) fn switch_kind(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
) -> Option<&'static SwitchKind> {
    let s = string(sink, v, key, "a switch kind such as \"quantum-2\"")?;
    if let Some(k) = presets::switch_kind(s.v) {
        return Some(k);
    }
    let names: Vec<&str> = SWITCH_KINDS.iter().map(|k| k.name).collect();
    sink.error(
        s.span,
        format!(
            "unknown switch kind \"{}\"{}",
            s.v,
            suggestion(s.v, names.iter().copied())
        ),
        Some(format!("known switch kinds: {}", names.join(", "))),
    );
    None
}

pub(super) fn routing(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Sp<RoutingMode>> {
    let s = string(sink, v, key, "\"spray\", \"hash\" or \"weighted\"")?;
    let mode = match s.v {
        "spray" => RoutingMode::Spray,
        "hash" => RoutingMode::Hash,
        "weighted" => RoutingMode::Weighted,
        other => {
            sink.error(
                s.span,
                format!(
                    "unknown routing mode \"{other}\"{}",
                    suggestion(other, ["spray", "hash", "weighted"])
                ),
                Some("routing is \"spray\" (split over all equal-cost paths), \"hash\" (one hashed path per flow over scale-out links, split by capacity over scale-up links) or \"weighted\" (split per hop in proportion to the capacity reachable downstream)".to_string()),
            );
            return None;
        }
    };
    Some(Sp {
        v: mode,
        span: s.span,
    })
}

/// One id pattern or an array of them.
pub(crate) fn patterns(sink: &mut Sink<'_>, v: &Val<'_>, key: &str) -> Option<Vec<Sp<Pattern>>> {
    let one = |sink: &mut Sink<'_>, v: &Val<'_>| -> Option<Sp<Pattern>> {
        let s = string(
            sink,
            v,
            key,
            "a node id like \"gpu3\" or \"gpu[0..8]\", or an array of them",
        )?;
        match Pattern::parse(s.v) {
            Ok(p) => Some(Sp { v: p, span: s.span }),
            Err(msg) => {
                sink.error(
                    s.span,
                    msg,
                    Some("ids are like \"gpu3\"; \"gpu[0..8]\" is gpu0 to gpu7, \"gpu[1..=8]\" is gpu1 to gpu8".to_string()),
                );
                None
            }
        }
    };
    match v.get_ref() {
        DeValue::Array(items) => {
            if items.is_empty() {
                sink.error(v.span(), format!("\"{key}\" must not be empty"), None);
                return None;
            }
            let mut out = Vec::new();
            let mut ok = true;
            for it in items.iter() {
                match one(sink, it) {
                    Some(p) => out.push(p),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        }
        _ => one(sink, v).map(|p| vec![p]),
    }
}

/// Reads `kind`, `bandwidth` (or `bw_key`), `latency` and `efficiency` of a
/// link-producing table and applies the preset.
pub(super) fn link_params(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: &Span,
    what: &str,
    kind_key: &str,
    bw_key: &str,
) -> Option<LinkParams> {
    let kind = match get(t, kind_key) {
        Some(v) => link_kind(sink, v, kind_key),
        None => {
            missing(sink, t, span, kind_key, what, "\"nvlink4\"");
            None
        }
    };
    // `Some(None)`: present but invalid (already reported).
    let bw = get(t, bw_key).map(|v| bandwidth(sink, v, bw_key));
    let lat = get(t, "latency").map(|v| quantity(sink, v, "latency", Quantity::Duration));
    let eff = get(t, "efficiency").map(|v| fraction(sink, v, "efficiency"));
    let ok = !matches!(bw, Some(None)) && !matches!(lat, Some(None)) && !matches!(eff, Some(None));
    let (bw, lat, eff) = (bw.flatten(), lat.flatten(), eff.flatten());
    let (kind, kind_span) = kind?;
    if !ok {
        return None;
    }
    plausible(sink, kind, bw.as_ref(), lat.as_ref(), bw_key);
    let bandwidth_bps = match (bw, kind.bandwidth_bps) {
        (Some(b), _) => b.v,
        (None, Some(b)) => b,
        (None, None) => {
            sink.error(
                kind_span,
                format!("link kind \"{}\" has no preset bandwidth, and \"{bw_key}\" is not given", kind.name),
                Some(format!(
                    "set {bw_key} = \"400 Gb/s\" (per lane, per direction), or use a preset kind such as \"{}\"",
                    preset_of_family(kind.family)
                )),
            );
            return None;
        }
    };
    let latency_s = match (lat, kind.latency_s) {
        (Some(l), _) => l.v,
        (None, Some(l)) => l,
        (None, None) => {
            sink.error(
                kind_span,
                format!(
                    "link kind \"{}\" has no preset latency, and \"latency\" is not given",
                    kind.name
                ),
                Some(format!(
                    "set latency = \"100 ns\" (one traversal), or use a preset kind such as \"{}\"",
                    preset_of_family(kind.family)
                )),
            );
            return None;
        }
    };
    let (efficiency, efficiency_span) = match (eff, kind.efficiency) {
        (Some(e), _) => (e.v, e.span),
        (None, Some(e)) => (e, kind_span),
        (None, None) => (1.0, kind_span),
    };
    Some(LinkParams {
        kind: kind.name,
        bandwidth_bps,
        latency_s,
        efficiency,
        efficiency_span,
        default_tier: kind.default_tier,
        default_switch: kind.default_switch,
    })
}

/// A given bandwidth this many times above or below its kind's preset is
/// implausible (a bits/bytes slip is exactly 8×).
const BANDWIDTH_FACTOR_WARN: f64 = 4.0;

/// A given latency this many times its kind's preset is implausible.
const LATENCY_FACTOR_WARN: f64 = 1000.0;

/// Plausibility warnings for a link's given values against its kind's
/// preset: a bandwidth ≥ 4× or ≤ 1/4 of the preset line rate (an 8× slip
/// is "GB/s" written for "Gb/s"), a latency ≥ 1000× the preset (seconds
/// on a scale-up link). The values stay valid: the run goes on.
fn plausible(
    sink: &mut Sink<'_>,
    kind: &LinkKind,
    bw: Option<&Sp<f64>>,
    lat: Option<&Sp<f64>>,
    bw_key: &str,
) {
    use fabricsim_base::units::{BytesPerSec, Seconds};
    if let (Some(b), Some(p)) = (bw, kind.bandwidth_bps) {
        let r = b.v / p;
        if r >= BANDWIDTH_FACTOR_WARN || r <= 1.0 / BANDWIDTH_FACTOR_WARN {
            let slip = if (r - 8.0).abs() < 1e-9 {
                format!(
                    "; \"{} Gb/s\" (bits) would be {}",
                    b.v / 1e9,
                    BytesPerSec(b.v / 8.0)
                )
            } else {
                String::new()
            };
            let times = format!("{r:.3}");
            let times = times.trim_end_matches('0').trim_end_matches('.');
            sink.warn(
                b.span.clone(),
                format!(
                    "{bw_key} {} is {times}x the line rate of {} ({} per lane per direction){slip}",
                    BytesPerSec(b.v),
                    kind.name,
                    BytesPerSec(p)
                ),
                Some(
                    "check the unit: Gb/s is 1e9 bits/s, GB/s 1e9 bytes/s (a valid value; \
                     --deny-warnings makes this an error)"
                        .to_string(),
                ),
            );
        }
    }
    if let (Some(l), Some(p)) = (lat, kind.latency_s)
        && p > 0.0
        && l.v / p >= LATENCY_FACTOR_WARN
    {
        sink.warn(
            l.span.clone(),
            format!(
                "latency {} is {:.0}x the preset of {} ({})",
                Seconds(l.v),
                l.v / p,
                kind.name,
                Seconds(p)
            ),
            Some(
                "latency is one traversal of the link; check the unit (ns, us, ms) \
                 (--deny-warnings makes this an error)"
                    .to_string(),
            ),
        );
    }
}

/// A preset of the same family, for hints.
fn preset_of_family(family: &str) -> &'static str {
    LINK_KINDS
        .iter()
        .find(|k| k.family == family && k.bandwidth_bps.is_some())
        .map_or("nvlink4", |k| k.name)
}

/// Reads `switch_kind`, `switch_latency` (or `latency_key`) and
/// `in_switch_reduction`, defaulting the kind from the link kind.
pub(super) fn switch_params(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    kind_key: &str,
    latency_key: &str,
    default_kind: Option<&'static str>,
) -> Option<SwitchParams> {
    let mut ok = true;
    let kind = match get(t, kind_key) {
        Some(v) => {
            let k = switch_kind(sink, v, kind_key);
            ok &= k.is_some();
            k
        }
        None => default_kind.and_then(presets::switch_kind),
    };
    let latency = match get(t, latency_key) {
        Some(v) => {
            let l = quantity(sink, v, latency_key, Quantity::Duration);
            ok &= l.is_some();
            l.map(|l| l.v)
        }
        None => None,
    };
    let isr = match get(t, "in_switch_reduction") {
        Some(v) => {
            let b = boolean(sink, v, "in_switch_reduction");
            ok &= b.is_some();
            b
        }
        None => None,
    };
    ok.then(|| SwitchParams {
        kind,
        latency_s: latency.unwrap_or_else(|| kind.map_or(0.0, |k| k.latency_s)),
        in_switch_reduction: isr.unwrap_or_else(|| kind.is_some_and(|k| k.in_switch_reduction)),
    })
}

/// Reports keys of `t` that belong to another `topology` than `chosen`
/// (`shapes` lists each topology's own keys; `common` keys always apply).
pub(super) fn shape_keys(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    common: &[&str],
    shapes: &[(&str, &[&str])],
    chosen: &str,
    what: &str,
) {
    let own: Vec<&str> = shapes
        .iter()
        .filter(|(n, _)| *n == chosen)
        .flat_map(|(_, ks)| ks.iter().copied())
        .collect();
    for (k, _) in t.iter() {
        let key: &str = k.get_ref();
        if common.contains(&key) || own.contains(&key) {
            continue;
        }
        let users: Vec<&str> = shapes
            .iter()
            .filter(|(_, ks)| ks.contains(&key))
            .map(|(n, _)| *n)
            .collect();
        if users.is_empty() {
            continue; // Unknown key, reported by check_keys.
        }
        let keys: Vec<&str> = common.iter().chain(own.iter()).copied().collect();
        sink.error(
            k.span(),
            format!("\"{key}\" does not apply to {what} with topology = \"{chosen}\""),
            Some(format!(
                "\"{key}\" is a key of topology = {}; the keys of this block are: {}",
                users
                    .iter()
                    .map(|u| format!("\"{u}\""))
                    .collect::<Vec<_>>()
                    .join(" or "),
                keys.join(", ")
            )),
        );
    }
}

/// Reads a `topology` key: one of `names`, or `default` when absent.
pub(super) fn topology_name(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    names: &[&'static str],
    default: &'static str,
    what: &str,
) -> Option<&'static str> {
    let Some(v) = get(t, "topology") else {
        return Some(default);
    };
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let s = string(sink, v, "topology", &quoted.join(", "))?;
    if let Some(n) = names.iter().find(|n| **n == s.v) {
        return Some(n);
    }
    sink.error(
        s.span,
        format!(
            "unknown {what} topology \"{}\"{}",
            s.v,
            suggestion(s.v, names.iter().copied())
        ),
        Some(format!(
            "supported: {} (default \"{default}\")",
            quoted.join(", ")
        )),
    );
    None
}
