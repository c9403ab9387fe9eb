//! `[[failures]]` entries of a topology file (rule F1: one kind of element
//! per entry, keys and types as documented), read into the same form as
//! the `--fail` flags.

use toml::de::DeValue;

use super::{self as spec, Val};
use crate::failures::flag::{MAX_INDEX, parse_percent};
use crate::failures::{Amount, Entry, FailureSpec, What};
use crate::pattern::Pattern;
use fabricsim_base::diag::Sink;

/// Keys a `[[failures]]` entry may use.
pub const KEYS: &[&str] = &["link", "switch", "rail", "plane", "random"];
/// Keys of the `random = { ... }` table of a `[[failures]]` entry.
pub const RANDOM_KEYS: &[&str] = &["links", "seed", "tiers"];
const WHAT: &str = "a [[failures]] entry";
const EXAMPLES: &str = "e.g. link = [\"leaf3\", \"spine12\"], switch = \"spine[0..4]\", rail = 3, plane = 1, or random = { links = \"1%\", seed = 7 }";

/// Reads the `[[failures]]` array (rule F1). Problems go to `sink`.
pub(crate) fn read(sink: &mut Sink<'_>, v: &Val<'_>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (t, span) in spec::tables(sink, v, "failures") {
        spec::check_keys(sink, t, KEYS, WHAT);
        let mut given: Vec<(&str, &Val<'_>)> = Vec::new();
        let mut unknown = false;
        for (k, val) in t.iter() {
            let key: &str = k.get_ref();
            match KEYS.iter().find(|x| **x == key) {
                Some(x) => given.push((*x, val)),
                None => unknown = true,
            }
        }
        given.sort_by_key(|(_, v)| v.span().start);
        let (key, val) = match given.as_slice() {
            [one] => *one,
            [] => {
                if !unknown {
                    sink.error(
                        span,
                        "a [[failures]] entry names nothing to fail".to_string(),
                        Some(format!(
                            "give one of link, switch, rail, plane or random, {EXAMPLES}"
                        )),
                    );
                }
                continue;
            }
            [first, second, ..] => {
                sink.error(
                    second.1.span(),
                    format!(
                        "a [[failures]] entry fails one kind of element, but this one gives both \"{}\" and \"{}\"",
                        first.0, second.0
                    ),
                    Some("write one [[failures]] entry per kind of element".to_string()),
                );
                continue;
            }
        };
        let what = match key {
            "link" => read_link(sink, val),
            "switch" => spec::patterns(sink, val, "switch")
                .map(|ps| What::Switch(ps.into_iter().map(|p| p.v).collect())),
            "rail" => spec::uint(sink, val, "rail", 0, MAX_INDEX).map(What::Rail),
            "plane" => spec::uint(sink, val, "plane", 0, MAX_INDEX).map(What::Plane),
            _ => read_random(sink, val),
        };
        if let Some(w) = what {
            out.push(Entry {
                spec: FailureSpec(w),
                span: Some(val.span()),
            });
        }
    }
    out
}

fn read_link(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<What> {
    match v.get_ref() {
        DeValue::Array(items) if items.len() == 2 => {
            let a = spec::patterns(sink, &items[0], "link");
            let b = spec::patterns(sink, &items[1], "link");
            let strip = |ps: Vec<spec::Sp<Pattern>>| ps.into_iter().map(|p| p.v).collect();
            Some(What::Link(strip(a?), strip(b?)))
        }
        _ => {
            sink.error(
                v.span(),
                "\"link\" must be an array of two endpoints".to_string(),
                Some("write link = [\"leaf3\", \"spine12\"]; each side may be a range such as \"leaf[0..4]\" or an array of ids, and the links of every pair fail".to_string()),
            );
            None
        }
    }
}

fn read_random(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<What> {
    let DeValue::Table(t) = v.get_ref() else {
        spec::wrong_type(
            sink,
            v,
            "random",
            "a table such as { links = \"1%\", seed = 7 }",
            None,
        );
        return None;
    };
    spec::check_keys(sink, t, RANDOM_KEYS, "random");
    let amount = match t.get("links") {
        None => {
            spec::missing(sink, t, &v.span(), "links", "random", "\"1%\"");
            None
        }
        Some(l) => match l.get_ref() {
            DeValue::String(s) => match parse_percent(s) {
                Ok(p) => Some(Amount::Percent(p)),
                Err(msg) => {
                    sink.error(
                        l.span(),
                        msg,
                        Some("links is a percentage of the eligible lanes, from \"0%\" to \"100%\", or a number of lanes such as 4".to_string()),
                    );
                    None
                }
            },
            DeValue::Integer(_) => spec::uint(sink, l, "links", 0, u64::MAX).map(Amount::Lanes),
            _ => {
                spec::wrong_type(
                    sink,
                    l,
                    "links",
                    "a percentage such as \"1%\" or a number of lanes such as 4",
                    None,
                );
                None
            }
        },
    };
    let seed = match t.get("seed") {
        None => Some(0),
        Some(s) => spec::uint(sink, s, "seed", 0, u64::MAX),
    };
    let tiers = match t.get("tiers") {
        None => Some(Vec::new()),
        Some(tv) => match tv.get_ref() {
            DeValue::Array(items) if !items.is_empty() => items
                .iter()
                .map(|it| match it.get_ref() {
                    DeValue::String(x) => Some(x.to_string()),
                    _ => {
                        spec::wrong_type(sink, it, "tiers", "a tier name such as \"spine\"", None);
                        None
                    }
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<_>>>(),
            _ => {
                spec::wrong_type(
                    sink,
                    tv,
                    "tiers",
                    "a non-empty array of tier names such as [\"leaf\", \"spine\"]",
                    None,
                );
                None
            }
        },
    };
    Some(What::Random {
        amount: amount?,
        seed: seed?,
        tiers: tiers?,
    })
}
