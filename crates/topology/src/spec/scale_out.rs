//! `[scale_out]`: the keys of each `topology` (rail-optimized, fat-tree,
//! rail-only, dragonfly), NICs and planes, switch radix, tiers and
//! oversubscription (none on one tier) and the dragonfly parameters, the
//! block checks of rule 10 (the Clos and dragonfly sizing itself is
//! checked by the builder).

use super::values::{link_kind, link_params, routing, shape_keys, switch_params, topology_name};
use super::{DragonflySpec, LinkParams, ScaleOutShape, ScaleOutSpec};
use crate::clos::MAX_TIERS;
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::*;
use toml::de::DeTable;

/// Keys of `[scale_out]` whatever its topology.
pub const SCALE_OUT_COMMON: &[&str] = &[
    "kind",
    "topology",
    "nics_per_accelerator",
    "nic_bandwidth",
    "nic_link",
    "switch_radix",
    "planes",
    "routing",
    "switch_kind",
    "switch_latency",
    "in_switch_reduction",
    "latency",
    "efficiency",
];
/// Keys of `[scale_out]` with a Clos topology (rail-optimized, fat-tree, rail-only).
pub const SCALE_OUT_CLOS: &[&str] = &["tiers", "oversubscription"];
/// Keys of `[scale_out]` with `topology = "dragonfly"`.
pub const SCALE_OUT_DRAGONFLY: &[&str] = &[
    "routers_per_group",
    "terminals_per_router",
    "global_links_per_router",
    "groups",
];
const SCALE_OUT_TOPOLOGIES: &[&str] = &["rail-optimized", "fat-tree", "rail-only", "dragonfly"];

/// Most planes of a multi-plane scale-out.
pub(crate) const MAX_PLANES: u64 = 64;

pub(super) fn read_scale_out(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: Span,
) -> Option<ScaleOutSpec> {
    const WHAT: &str = "[scale_out]";
    let all = [SCALE_OUT_COMMON, SCALE_OUT_CLOS, SCALE_OUT_DRAGONFLY].concat();
    check_keys(sink, t, &all, WHAT);
    let before = sink.error_count();
    let topology = topology_name(sink, t, SCALE_OUT_TOPOLOGIES, "rail-optimized", "scale-out");
    if let Some(name) = topology {
        shape_keys(
            sink,
            t,
            SCALE_OUT_COMMON,
            &[
                ("rail-optimized", SCALE_OUT_CLOS),
                ("fat-tree", SCALE_OUT_CLOS),
                ("rail-only", SCALE_OUT_CLOS),
                ("dragonfly", SCALE_OUT_DRAGONFLY),
            ],
            name,
            WHAT,
        );
    }
    let shape = topology.map(|n| match n {
        "fat-tree" => ScaleOutShape::FatTree,
        "rail-only" => ScaleOutShape::RailOnly,
        "dragonfly" => ScaleOutShape::Dragonfly,
        _ => ScaleOutShape::RailOptimized,
    });
    let link = link_params(sink, t, &span, WHAT, "kind", "nic_bandwidth");
    let nic_link = match get(t, "nic_link") {
        Some(v) => link_kind(sink, v, "nic_link").and_then(|(k, ks)| match (k.bandwidth_bps, k.latency_s) {
            (Some(b), Some(l)) => Some(LinkParams {
                kind: k.name,
                bandwidth_bps: b,
                latency_s: l,
                efficiency: k.efficiency.unwrap_or(1.0),
                efficiency_span: ks,
                default_tier: "nic",
                default_switch: None,
            }),
            _ => {
                sink.error(
                    ks,
                    format!("\"nic_link\" must be a preset link kind with values, \"{}\" is generic", k.name),
                    Some("use e.g. nic_link = \"pcie5-x16\"".to_string()),
                );
                None
            }
        }),
        None => None,
    };
    let opt = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, default: u64| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => Some(default),
    };
    let nics = opt(sink, "nics_per_accelerator", 1, 64, 1);
    let planes = opt(sink, "planes", 1, MAX_PLANES, 1);
    let default_switch = link.as_ref().and_then(|l| l.default_switch);
    let switch = switch_params(sink, t, "switch_kind", "switch_latency", default_switch);
    let radix_v = get(t, "switch_radix");
    let radix = match radix_v {
        Some(v) => uint(sink, v, "switch_radix", 2, 65536).map(Some),
        None => match switch.and_then(|s| s.kind).and_then(|k| k.ports) {
            Some(p) => Some(Some(u64::from(p))),
            None if shape == Some(ScaleOutShape::Dragonfly) => Some(None),
            None => {
                if switch.is_some() && shape.is_some() {
                    missing(sink, t, &span, "switch_radix", WHAT, "64");
                }
                None
            }
        },
    };
    let tiers_v = get(t, "tiers");
    let default_tiers = if shape == Some(ScaleOutShape::RailOnly) {
        1
    } else {
        2
    };
    let tiers = match tiers_v {
        Some(v) => uint(sink, v, "tiers", 1, u64::from(MAX_TIERS)).map(|x| x as u32),
        None => Some(default_tiers),
    };
    let over_v = get(t, "oversubscription");
    let oversubscription = match over_v {
        None => Some((1, 1)),
        Some(v) => string(sink, v, "oversubscription", "a ratio such as \"2:1\"").and_then(|s| {
            let parsed = s.v.split_once(':').and_then(|(a, b)| {
                let a: u64 = a.trim().parse().ok()?;
                let b: u64 = b.trim().parse().ok()?;
                (1..=1000).contains(&a).then_some(())?;
                (1..=1000).contains(&b).then_some((a, b))
            });
            if parsed.is_none() {
                sink.error(
                    s.span,
                    format!("invalid oversubscription \"{}\": expected \"down:up\" with integers from 1 to 1000", s.v),
                    Some("e.g. \"1:1\" (non-blocking) or \"2:1\" (leaf down-ports : up-ports)".to_string()),
                );
            }
            parsed
        }),
    };
    // INVARIANT: a 1-tier Clos has no uplinks, so no oversubscription.
    if let (Some(v), Some(1), Some(o)) = (over_v, tiers, oversubscription)
        && o.0 != o.1
    {
        sink.error(
            v.span(),
            format!(
                "oversubscription {}:{} needs an uplink tier, but tiers = 1 has none",
                o.0, o.1
            ),
            Some("remove oversubscription, or use tiers = 2 or more".to_string()),
        );
    }
    let dragonfly = if shape == Some(ScaleOutShape::Dragonfly) {
        let req = |sink: &mut Sink<'_>, key: &str, min: u64, ex: &str| match get(t, key) {
            Some(v) => uint(sink, v, key, min, 65536),
            None => {
                missing(sink, t, &span, key, WHAT, ex);
                None
            }
        };
        let a = req(sink, "routers_per_group", 1, "8");
        let p = req(sink, "terminals_per_router", 1, "4");
        let h = req(sink, "global_links_per_router", 1, "4");
        let g = get(t, "groups").map(|v| uint(sink, v, "groups", 1, MAX_INT));
        match (a, p, h, g) {
            (Some(a), Some(p), Some(h), None | Some(Some(_))) => Some(Some(DragonflySpec {
                routers_per_group: a,
                terminals_per_router: p,
                global_links_per_router: h,
                groups: g.flatten(),
            })),
            _ => None,
        }
    } else {
        Some(None)
    };
    let routing = get(t, "routing").map(|v| routing(sink, v, "routing"));
    if sink.error_count() > before {
        return None;
    }
    let shape_span = get(t, "topology").map_or(span.clone(), |v| v.span());
    let sizing_span = if shape == Some(ScaleOutShape::Dragonfly) {
        get(t, "groups").or(get(t, "routers_per_group"))
    } else {
        tiers_v.or(radix_v)
    }
    .map_or(span.clone(), |v| v.span());
    Some(ScaleOutSpec {
        span,
        sizing_span,
        link: link?,
        nic_link,
        shape: shape?,
        shape_span,
        nics_per_accelerator: nics?,
        radix: radix?,
        tiers: tiers?,
        oversubscription: oversubscription?,
        planes: planes?,
        dragonfly: dragonfly?,
        routing: routing.flatten(),
        switch: switch?,
    })
}
