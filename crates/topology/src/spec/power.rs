//! `[power]`: overrides of the power presets (`crate::power`), a power cap
//! and the optics choice. Every value is a plain number in the unit its key
//! names (`_w`: watts, `_pj_per_bit`: picojoules per bit); each is checked
//! against a plausible range, so a value in the wrong unit is caught where
//! it stands.

use toml::de::{DeTable, DeValue};

use crate::power::{Optics, PowerSettings};
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::*;

/// Keys of the `[power]` table.
pub const POWER_KEYS: &[&str] = &[
    "accelerator_tdp_w",
    "accelerator_idle_w",
    "accelerator_communication_w",
    "accelerator_cap_w",
    "accelerators_per_server",
    "host_w",
    "nic_w",
    "scale_up_switch_w",
    "scale_out_switch_w",
    "optics",
    "optics_always_on",
    "optical_pj_per_bit",
    "copper_pj_per_bit",
    "dci_pj_per_bit",
    "pue",
];

/// Largest power of one part a file may give \[W\]: 100 kW (a whole rack
/// is ~120 kW; one part above 100 kW is a unit mistake).
const MAX_PART_W: f64 = 100e3;

/// Largest energy per bit \[pJ/bit\]: 1,000 (long-haul optics are ~100).
const MAX_PJ_PER_BIT: f64 = 1000.0;

/// A number in `[min, max]`, with `unit` and `why` in the message.
fn number(
    sink: &mut Sink<'_>,
    v: &Val<'_>,
    key: &str,
    (min, max): (f64, f64),
    hint: &str,
) -> Option<Sp<f64>> {
    let x = match v.get_ref() {
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::String(s) => {
            let bare = s.trim().trim_end_matches(['W', 'w']).trim();
            let help = match bare.parse::<f64>() {
                Ok(n) => format!("write a plain number: {key} = {n}"),
                Err(_) => hint.to_string(),
            };
            wrong_type(sink, v, key, "a number", Some(help));
            return None;
        }
        _ => {
            wrong_type(sink, v, key, "a number", Some(hint.to_string()));
            return None;
        }
    };
    match x {
        Some(x) if x.is_finite() && x >= min && x <= max => Some(Sp {
            v: x,
            span: v.span(),
        }),
        _ => {
            sink.error(
                v.span(),
                format!("\"{key}\" must be a number from {min} to {max}"),
                Some(hint.to_string()),
            );
            None
        }
    }
}

/// Reads `[power]`; `part` is the topology's accelerator preset (its TDP
/// bounds a cap given without `accelerator_tdp_w`).
pub(super) fn read_power(
    sink: &mut Sink<'_>,
    t: &DeTable<'_>,
    part: Option<&crate::accelerators::Accelerator>,
) -> Option<PowerSettings> {
    check_keys(sink, t, POWER_KEYS, "[power]");
    let before = sink.error_count();
    let watts = |sink: &mut Sink<'_>, key: &str| {
        get(t, key).and_then(|v| {
            number(
                sink,
                v,
                key,
                (0.0, MAX_PART_W),
                &format!("{key} is in watts, e.g. {key} = 700"),
            )
        })
    };
    let pj = |sink: &mut Sink<'_>, key: &str| {
        get(t, key)
            .and_then(|v| {
                number(
                    sink,
                    v,
                    key,
                    (0.0, MAX_PJ_PER_BIT),
                    &format!(
                        "{key} is in picojoules per bit (both ends of a link), e.g. {key} = 18.75"
                    ),
                )
            })
            .map(|x| x.v)
    };
    let tdp = watts(sink, "accelerator_tdp_w");
    let idle = watts(sink, "accelerator_idle_w");
    let comm = watts(sink, "accelerator_communication_w");
    let cap = watts(sink, "accelerator_cap_w");
    let mut s = PowerSettings {
        accelerator_tdp_w: tdp.as_ref().map(|x| x.v),
        accelerator_idle_w: idle.as_ref().map(|x| x.v),
        accelerator_communication_w: comm.as_ref().map(|x| x.v),
        accelerator_cap_w: cap.as_ref().map(|x| x.v),
        accelerators_per_server: get(t, "accelerators_per_server")
            .and_then(|v| uint(sink, v, "accelerators_per_server", 1, 1024))
            .map(|n| n as u32),
        host_w: watts(sink, "host_w").map(|x| x.v),
        nic_w: watts(sink, "nic_w").map(|x| x.v),
        scale_up_switch_w: watts(sink, "scale_up_switch_w").map(|x| x.v),
        scale_out_switch_w: watts(sink, "scale_out_switch_w").map(|x| x.v),
        optics: None,
        optics_always_on: get(t, "optics_always_on")
            .and_then(|v| boolean(sink, v, "optics_always_on")),
        optical_pj_per_bit: pj(sink, "optical_pj_per_bit"),
        copper_pj_per_bit: pj(sink, "copper_pj_per_bit"),
        dci_pj_per_bit: pj(sink, "dci_pj_per_bit"),
        pue: get(t, "pue")
            .and_then(|v| {
                number(
                    sink,
                    v,
                    "pue",
                    (1.0, 5.0),
                    "pue is facility power / IT power, e.g. pue = 1.2 (1.0 reports IT energy)",
                )
            })
            .map(|x| x.v),
    };
    if let Some(v) = get(t, "optics")
        && let Some(o) = string(sink, v, "optics", "\"pluggable\" or \"co-packaged\"")
    {
        s.optics = match o.v {
            "pluggable" => Some(Optics::Pluggable),
            "co-packaged" | "cpo" => Some(Optics::CoPackaged),
            other => {
                sink.error(
                    o.span.clone(),
                    format!("unknown optics \"{other}\""),
                    Some("optics = \"pluggable\" or \"co-packaged\"".to_string()),
                );
                None
            }
        };
    }
    // Plausibility: the states must be ordered idle ≤ communication ≤ TDP,
    // and a cap must lie above the idle power (the part cannot run below it).
    let tdp_w = tdp.as_ref().map(|x| x.v).or(part.map(|a| a.tdp_w));
    let idle_w = idle
        .as_ref()
        .map(|x| x.v)
        .or(tdp_w.map(|t| crate::power::IDLE_FRACTION * t));
    if let (Some(c), Some(t)) = (&cap, tdp_w)
        && c.v > t
    {
        sink.error(
            c.span.clone(),
            format!(
                "\"accelerator_cap_w\" = {} is above the TDP ({t} W): a cap lowers power",
                c.v
            ),
            Some("give a cap below the TDP, or remove it".to_string()),
        );
    }
    if let (Some(c), Some(i)) = (&cap, idle_w)
        && c.v <= i
    {
        sink.error(
            c.span.clone(),
            format!(
                "\"accelerator_cap_w\" = {} is not above the idle power ({i} W): the part could not compute",
                c.v
            ),
            Some("caps are typically 50-100 % of the TDP".to_string()),
        );
    }
    if let (Some(c), Some(i)) = (&comm, idle_w)
        && i > c.v
    {
        sink.error(
            c.span.clone(),
            format!(
                "\"accelerator_communication_w\" = {} is below the idle power ({i} W)",
                c.v
            ),
            Some("a communicating accelerator draws at least what an idle one draws".to_string()),
        );
    }
    if let (Some(c), Some(t)) = (&comm, tdp_w)
        && c.v > t
    {
        sink.error(
            c.span.clone(),
            format!(
                "\"accelerator_communication_w\" = {} is above the TDP ({t} W)",
                c.v
            ),
            None,
        );
    }
    if let (Some(i), Some(t)) = (&idle, tdp_w)
        && i.v > t
    {
        sink.error(
            i.span.clone(),
            format!("\"accelerator_idle_w\" = {} is above the TDP ({t} W)", i.v),
            None,
        );
    }
    (sink.error_count() == before).then_some(s)
}
