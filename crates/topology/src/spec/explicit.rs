//! `[[nodes]]` and `[[links]]` entries: node ids (rule 7), node kinds and
//! their latency, forwarding and in-switch reduction, link endpoints and
//! link parameters.

use toml::de::{DeTable, DeValue};

use super::values::{link_params, patterns};
use super::{LinkSpec, NodeKind, NodeSpec};
use crate::NodeRole;
use crate::presets::{self, SWITCH_KINDS};
use fabricsim_base::diag::{Sink, suggestion};
use fabricsim_base::spanned::*;
use fabricsim_base::units::Quantity;

/// Keys of a `[[nodes]]` entry.
pub const NODE_KEYS: &[&str] = &["id", "kind", "latency", "in_switch_reduction", "forwards"];
/// Keys of a `[[links]]` entry.
pub const LINK_KEYS: &[&str] = &[
    "between",
    "kind",
    "count",
    "bandwidth",
    "latency",
    "efficiency",
    "tier",
];

const NODE_ROLES: &[(&str, NodeRole)] = &[
    ("accelerator", NodeRole::Accelerator),
    ("switch", NodeRole::Switch),
    ("nic", NodeRole::Nic),
    ("host", NodeRole::Host),
];

pub(super) fn read_node(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<NodeSpec> {
    const WHAT: &str = "a [[nodes]] entry";
    check_keys(sink, t, NODE_KEYS, WHAT);
    let ids = match get(t, "id") {
        Some(v) => patterns(sink, v, "id"),
        None => {
            missing(sink, t, &span, "id", WHAT, "\"gpu[0..8]\"");
            None
        }
    };
    let kind = match get(t, "kind") {
        Some(v) => string(sink, v, "kind", "a node kind such as \"accelerator\"").and_then(|s| {
            if let Some((_, r)) = NODE_ROLES.iter().find(|(n, _)| *n == s.v) {
                return Some(NodeKind::Role(*r));
            }
            if let Some(k) = presets::switch_kind(s.v) {
                return Some(NodeKind::Switch(k));
            }
            let names: Vec<&str> = NODE_ROLES
                .iter()
                .map(|(n, _)| *n)
                .chain(SWITCH_KINDS.iter().map(|k| k.name))
                .collect();
            let mut help = format!("node kinds: {}", names.join(", "));
            if presets::link_kind(s.v).is_some() {
                help = format!("\"{}\" is a link kind; {help}", s.v);
            }
            sink.error(
                s.span,
                format!(
                    "unknown node kind \"{}\"{}",
                    s.v,
                    suggestion(s.v, names.iter().copied())
                ),
                Some(help),
            );
            None
        }),
        None => {
            missing(sink, t, &span, "kind", WHAT, "\"accelerator\"");
            None
        }
    };
    let is_acc = matches!(kind, Some(NodeKind::Role(NodeRole::Accelerator)));
    let is_switch = matches!(
        kind,
        Some(NodeKind::Switch(_)) | Some(NodeKind::Role(NodeRole::Switch))
    );
    let forwards = get(t, "forwards").and_then(|v| boolean(sink, v, "forwards"));
    let latency_s = get(t, "latency").and_then(|v| {
        let l = quantity(sink, v, "latency", Quantity::Duration)?;
        if is_acc && forwards != Some(true) {
            sink.error(
                l.span,
                "an accelerator has no forwarding latency unless it forwards traffic".to_string(),
                Some("latency on a node is the forwarding latency of a switch, NIC or host, or of an accelerator with forwards = true; put link latency on [[links]]".to_string()),
            );
            return None;
        }
        Some(l.v)
    });
    let in_switch_reduction = get(t, "in_switch_reduction").and_then(|v| {
        let b = boolean(sink, v, "in_switch_reduction")?;
        if b && kind.is_some() && !is_switch {
            sink.error(
                v.span(),
                "only switches can reduce in the network".to_string(),
                Some("remove in_switch_reduction or make this node kind = \"switch\"".to_string()),
            );
            return None;
        }
        Some(b)
    });
    // The ids are kept even when the kind is wrong, so links to them resolve.
    Some(NodeSpec {
        span,
        ids: ids?,
        kind,
        latency_s,
        in_switch_reduction,
        forwards,
    })
}

pub(super) fn read_link(sink: &mut Sink<'_>, t: &DeTable<'_>, span: Span) -> Option<LinkSpec> {
    const WHAT: &str = "a [[links]] entry";
    check_keys(sink, t, LINK_KEYS, WHAT);
    let ends = match get(t, "between") {
        Some(v) => match v.get_ref() {
            DeValue::Array(items) if items.len() == 2 => {
                let a = patterns(sink, &items[0], "between");
                let b = patterns(sink, &items[1], "between");
                a.zip(b).map(|(a, b)| (a, b, v.span()))
            }
            _ => {
                sink.error(
                    v.span(),
                    "\"between\" must be an array of two endpoints".to_string(),
                    Some("write between = [\"gpu0\", \"sw0\"]; each endpoint may be a range such as \"gpu[0..8]\" or an array of ids, and every pair of the two groups is linked".to_string()),
                );
                None
            }
        },
        None => {
            missing(sink, t, &span, "between", WHAT, "[\"gpu0\", \"sw0\"]");
            None
        }
    };
    let params = link_params(sink, t, &span, WHAT, "kind", "bandwidth");
    let count = get(t, "count").map(|v| uint(sink, v, "count", 1, 65536));
    let tier = get(t, "tier")
        .map(|v| string(sink, v, "tier", "a string such as \"leaf\"").map(|s| s.v.to_string()));
    let (a, b, between_span) = ends?;
    Some(LinkSpec {
        span,
        between_span,
        a,
        b,
        params: params.filter(|_| !matches!(count, Some(None)) && !matches!(tier, Some(None))),
        count: count.flatten().unwrap_or(1) as u32,
        tier: tier.flatten(),
    })
}
