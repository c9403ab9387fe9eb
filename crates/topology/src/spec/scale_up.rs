//! `[scale_up]`: the keys of each `topology` (switched, full-mesh, torus),
//! torus `dims` (1 to 3 sizes ≥ 2) and `links_per_switch` (one entry per
//! switch), the block checks of rule 10.

use toml::de::{DeTable, DeValue};

use super::values::{link_params, shape_keys, switch_params, topology_name};
use super::{Lanes, ScaleUpShape, ScaleUpSpec};
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::*;
use fabricsim_base::units::Quantity;

/// Keys of `[scale_up]` whatever its topology.
pub const SCALE_UP_COMMON: &[&str] = &[
    "topology",
    "kind",
    "domains",
    "bandwidth",
    "latency",
    "efficiency",
];
/// Keys of `[scale_up]` with `topology = "switched"`.
pub const SCALE_UP_SWITCHED: &[&str] = &[
    "accelerators",
    "switches",
    "links_per_switch",
    "switch_kind",
    "switch_latency",
    "in_switch_reduction",
];
/// Keys of `[scale_up]` with `topology = "full-mesh"`.
pub const SCALE_UP_MESH: &[&str] = &["accelerators", "links_per_peer"];
/// Keys of `[scale_up]` with `topology = "torus"`.
pub const SCALE_UP_TORUS: &[&str] = &["dims", "links_per_neighbor", "forwarding_latency"];
const SCALE_UP_TOPOLOGIES: &[&str] = &["switched", "full-mesh", "torus"];

/// Most torus dimensions.
pub(crate) const MAX_TORUS_DIMS: usize = 3;

pub(super) fn read_scale_up(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    span: Span,
) -> Option<ScaleUpSpec> {
    const WHAT: &str = "[scale_up]";
    let all: Vec<&str> = [
        SCALE_UP_COMMON,
        SCALE_UP_SWITCHED,
        SCALE_UP_MESH,
        SCALE_UP_TORUS,
    ]
    .concat()
    .into_iter()
    .fold(Vec::new(), |mut v, k| {
        if !v.contains(&k) {
            v.push(k);
        }
        v
    });
    check_keys(sink, t, &all, WHAT);
    let before = sink.error_count();
    let topology = topology_name(sink, t, SCALE_UP_TOPOLOGIES, "switched", "scale-up");
    if let Some(name) = topology {
        shape_keys(
            sink,
            t,
            SCALE_UP_COMMON,
            &[
                ("switched", SCALE_UP_SWITCHED),
                ("full-mesh", SCALE_UP_MESH),
                ("torus", SCALE_UP_TORUS),
            ],
            name,
            WHAT,
        );
    }
    let link = link_params(sink, t, &span, WHAT, "kind", "bandwidth");
    let req = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, ex: &str| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => {
            missing(sink, t, &span, key, WHAT, ex);
            None
        }
    };
    let opt = |sink: &mut Sink<'_>, key: &str, min: u64, max: u64, default: u64| match get(t, key) {
        Some(v) => uint(sink, v, key, min, max),
        None => Some(default),
    };
    let domains = opt(sink, "domains", 1, MAX_INT, 1);
    let (accelerators, shape) = match topology {
        None => (None, None),
        Some("full-mesh") => {
            let n = req(sink, "accelerators", 1, MAX_INT, "8");
            let lanes = opt(sink, "links_per_peer", 1, 65536, 1);
            (
                n,
                lanes.map(|l| ScaleUpShape::FullMesh { links_per_peer: l }),
            )
        }
        Some("torus") => {
            let dims = match get(t, "dims") {
                Some(v) => torus_dims(sink, v),
                None => {
                    missing(sink, t, &span, "dims", WHAT, "[16, 16, 16]");
                    None
                }
            };
            let lanes = opt(sink, "links_per_neighbor", 1, 65536, 1);
            let fwd = match get(t, "forwarding_latency") {
                Some(v) => quantity(sink, v, "forwarding_latency", Quantity::Duration).map(|q| q.v),
                None => Some(0.0),
            };
            let n = dims.as_ref().map(|d| d.iter().product::<u64>());
            let shape = match (dims, lanes, fwd) {
                (Some(dims), Some(l), Some(f)) => Some(ScaleUpShape::Torus {
                    dims,
                    links_per_neighbor: l,
                    forwarding_latency_s: f,
                }),
                _ => None,
            };
            (n, shape)
        }
        Some(_) => {
            let n = req(sink, "accelerators", 1, MAX_INT, "8");
            let switches = req(sink, "switches", 1, MAX_INT, "4");
            let lanes = links_per_switch(sink, t, switches);
            let default_switch = link.as_ref().and_then(|l| l.default_switch);
            let switch = switch_params(sink, t, "switch_kind", "switch_latency", default_switch);
            let shape = match (switches, lanes, switch) {
                (Some(switches), Some(links_per_switch), Some(switch)) => {
                    Some(ScaleUpShape::Switched {
                        switches,
                        links_per_switch,
                        switch,
                    })
                }
                _ => None,
            };
            (n, shape)
        }
    };
    if sink.error_count() > before {
        return None;
    }
    Some(ScaleUpSpec {
        span,
        link: link?,
        accelerators: accelerators?,
        shape: shape?,
        domains: domains?,
    })
}

/// `dims` of a torus: 1 to 3 integers, each at least 2, with a product
/// that fits a `u32`.
fn torus_dims(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Vec<u64>> {
    let help = "e.g. dims = [16, 16, 16] (a 3D torus of 4,096 chips) or [8, 8] (2D)".to_string();
    let DeValue::Array(items) = v.get_ref() else {
        wrong_type(sink, v, "dims", "an array of 1 to 3 integers", Some(help));
        return None;
    };
    if items.is_empty() || items.len() > MAX_TORUS_DIMS {
        sink.error(
            v.span(),
            format!(
                "\"dims\" must list 1 to {MAX_TORUS_DIMS} dimensions, found {}",
                items.len()
            ),
            Some(help),
        );
        return None;
    }
    let mut dims = Vec::with_capacity(items.len());
    let mut ok = true;
    for it in items.iter() {
        match it.get_ref() {
            DeValue::Integer(i)
                if i128::from_str_radix(i.as_str(), i.radix()).is_ok_and(|n| n == 1) =>
            {
                sink.error(
                    it.span(),
                    "a torus dimension of size 1 has no neighbours".to_string(),
                    Some("remove the dimension: [16, 1, 16] is the 2D torus [16, 16]".to_string()),
                );
                ok = false;
            }
            _ => match uint(sink, it, "dims", 2, 65536) {
                Some(d) => dims.push(d),
                None => ok = false,
            },
        }
    }
    if !ok {
        return None;
    }
    let n = dims.iter().fold(1u128, |p, &d| p * u128::from(d));
    if n > u128::from(MAX_INT) {
        sink.error(
            v.span(),
            format!("the torus would have {n} accelerators per domain, more than {MAX_INT}"),
            Some(format!(
                "the dims multiply; a topology has at most --max-nodes nodes ({} by default)",
                fabricsim_base::limits::MAX_NODES
            )),
        );
        return None;
    }
    Some(dims)
}

/// `links_per_switch` of a switched `[scale_up]` (default 1).
fn links_per_switch(sink: &mut Sink<'_>, t: &DeTable<'_>, switches: Option<u64>) -> Option<Lanes> {
    let Some(v) = get(t, "links_per_switch") else {
        return Some(Lanes::Uniform(1));
    };
    match v.get_ref() {
        DeValue::Array(items) => {
            let xs: Vec<Option<u64>> = items
                .iter()
                .map(|it| uint(sink, it, "links_per_switch", 0, 65536))
                .collect();
            let xs: Option<Vec<u64>> = xs.into_iter().collect();
            match (xs, switches) {
                (Some(xs), Some(s)) if xs.len() as u64 != s => {
                    sink.error(
                        v.span(),
                        format!(
                            "\"links_per_switch\" lists {} switches, but switches = {s}",
                            xs.len()
                        ),
                        Some(
                            "give one lane count per switch, or a single integer for all"
                                .to_string(),
                        ),
                    );
                    None
                }
                (Some(xs), _) if xs.iter().all(|&x| x == 0) => {
                    sink.error(
                        v.span(),
                        "\"links_per_switch\" connects nothing".to_string(),
                        None,
                    );
                    None
                }
                (xs, _) => xs.map(Lanes::PerSwitch),
            }
        }
        _ => uint(sink, v, "links_per_switch", 1, 65536).map(Lanes::Uniform),
    }
}
