//! `[dci]`: the number of sites, the long-haul link kind, its bandwidth per
//! site pair and one latency (`latency` or `distance_km`, not both).

use toml::de::{DeTable, DeValue};

use super::values::link_kind;
use super::{DciSpec, LinkParams};
use crate::presets;
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::*;
use fabricsim_base::units::Quantity;

/// Keys of the `[dci]` table.
pub const DCI_KEYS: &[&str] = &[
    "sites",
    "kind",
    "bandwidth",
    "latency",
    "distance_km",
    "efficiency",
];

/// Most sites joined by `[dci]`.
pub(crate) const MAX_SITES: u64 = 1024;

pub(super) fn read_dci(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<DciSpec> {
    const WHAT: &str = "[dci]";
    check_keys(sink, t, DCI_KEYS, WHAT);
    let before = sink.error_count();
    let sites = match get(t, "sites") {
        Some(v) => uint(sink, v, "sites", 2, MAX_SITES),
        None => {
            missing(sink, t, &span, "sites", WHAT, "2");
            None
        }
    };
    let kind = match get(t, "kind") {
        Some(v) => link_kind(sink, v, "kind"),
        None => presets::link_kind("dci").map(|k| (k, span.clone())),
    };
    let pair_bw = get(t, "bandwidth").map(|v| bandwidth(sink, v, "bandwidth"));
    let lat = get(t, "latency").map(|v| quantity(sink, v, "latency", Quantity::Duration));
    let dist = get(t, "distance_km").map(|v| distance_km(sink, v));
    if let (Some(Some(l)), Some(Some(_))) = (&lat, &dist) {
        sink.error(
            l.span.clone(),
            "give either \"latency\" or \"distance_km\", not both".to_string(),
            Some(format!(
                "distance_km sets latency = {} µs/km × distance",
                presets::FIBRE_LATENCY_S_PER_KM * 1e6
            )),
        );
    }
    let eff = get(t, "efficiency").map(|v| fraction(sink, v, "efficiency"));
    let (kind, kind_span) = kind?;
    let latency_s = match (lat, dist, kind.latency_s) {
        (Some(l), _, _) => l.map(|l| l.v),
        (None, Some(d), _) => d.map(|km| km * presets::FIBRE_LATENCY_S_PER_KM),
        (None, None, Some(l)) => Some(l),
        (None, None, None) => {
            sink.error(
                kind_span.clone(),
                format!(
                    "link kind \"{}\" has no preset latency, and neither \"latency\" nor \"distance_km\" is given",
                    kind.name
                ),
                Some("set distance_km = 100 (5 µs per km of fibre) or latency = \"0.5 ms\"".to_string()),
            );
            None
        }
    };
    let pair_bandwidth_bps = match pair_bw {
        Some(b) => Some(b?.v),
        None => None,
    };
    if pair_bandwidth_bps.is_none() && kind.bandwidth_bps.is_none() {
        sink.error(
            kind_span.clone(),
            format!(
                "link kind \"{}\" has no preset bandwidth, and \"bandwidth\" (per site pair) is not given",
                kind.name
            ),
            Some("set bandwidth = \"12.8 Tb/s\" (per site pair, per direction), or use kind = \"dci\"".to_string()),
        );
    }
    if sink.error_count() > before {
        return None;
    }
    let (efficiency, efficiency_span) = match (eff.flatten(), kind.efficiency) {
        (Some(e), _) => (e.v, e.span),
        (None, Some(e)) => (e, kind_span),
        (None, None) => (1.0, kind_span),
    };
    Some(DciSpec {
        span,
        sites: sites?,
        link: LinkParams {
            kind: kind.name,
            bandwidth_bps: kind.bandwidth_bps.unwrap_or(0.0),
            latency_s: latency_s?,
            efficiency,
            efficiency_span,
            default_tier: "dci",
            default_switch: None,
        },
        pair_bandwidth_bps,
    })
}

/// `distance_km`: a positive, finite number of kilometres.
fn distance_km(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<f64> {
    let x = match v.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        _ => {
            wrong_type(sink, v, "distance_km", "a number of kilometres", None);
            return None;
        }
    };
    match x {
        Some(x) if x > 0.0 && x.is_finite() => Some(x),
        _ => {
            sink.error(
                v.span(),
                "\"distance_km\" must be a positive, finite number of kilometres".to_string(),
                Some("e.g. distance_km = 80".to_string()),
            );
            None
        }
    }
}
