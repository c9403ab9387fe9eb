//! `[compute]`: the compute time in exactly one of its two forms (rule
//! 14), `tflops_per_accelerator` with `mfu` (at most 1) or `layer_time`,
//! and the `overlap` flags.

use toml::de::DeValue;

use super::fields::{Field, MAX_TFLOPS, Tab, number, positive_quantity};
use crate::job::{Compute, Overlap};
use fabricsim_base::diag::Sink;
use fabricsim_base::spanned::{Val, boolean, check_keys, get, string, wrong_type};
use fabricsim_base::units::Quantity;

/// Keys of the `[compute]` table.
pub const COMPUTE_KEYS: &[&str] = &[
    "efficiency",
    "dtype",
    "tflops_per_accelerator",
    "mfu",
    "layer_time",
    "overlap",
];
/// Keys of the `overlap` table of `[compute]`.
pub const OVERLAP_KEYS: &[&str] = &["tp", "pp", "dp", "ep", "cp"];

fn overlap(sink: &mut Sink<'_>, v: &Val<'_>) -> Option<Overlap> {
    let DeValue::Table(t) = v.get_ref() else {
        wrong_type(
            sink,
            v,
            "overlap",
            "a table such as { dp = true, tp = false }",
            None,
        );
        return None;
    };
    check_keys(sink, t, OVERLAP_KEYS, "overlap");
    // Every flag is read (and reported) before any is given up on.
    let [tp, pp, dp, ep, cp] = [
        ("tp", false),
        ("pp", false),
        ("dp", true),
        ("ep", false),
        ("cp", false),
    ]
    .map(|(key, default)| Field::read(t, key, |v| boolean(sink, v, key)).or(default));
    Some(Overlap {
        tp: tp?,
        pp: pp?,
        dp: dp?,
        ep: ep?,
        cp: cp?,
    })
}

pub(super) fn read_compute(sink: &mut Sink<'_>, tab: &Tab<'_, '_>) -> Option<(Compute, Overlap)> {
    let t = tab.t;
    check_keys(sink, t, tab.keys, tab.what);
    let tflops = Field::read(t, "tflops_per_accelerator", |v| {
        number(sink, v, "tflops_per_accelerator", "989", MAX_TFLOPS)
    });
    let mfu = Field::read(t, "mfu", |v| {
        let x = number(sink, v, "mfu", "0.4", f64::MAX)?;
        if x.v <= 1.0 {
            return Some(x.v);
        }
        let help = if x.v <= 100.0 {
            format!(
                "mfu is a fraction, not a percentage: write mfu = {}",
                x.v / 100.0
            )
        } else {
            "mfu is the fraction of the dense peak achieved, e.g. 0.4".to_string()
        };
        sink.error(
            x.span,
            format!(
                "\"mfu\" must be greater than 0 and at most 1, found {}",
                x.v
            ),
            Some(help),
        );
        None
    });
    let efficiency = Field::read(t, "efficiency", |v| {
        let x = number(sink, v, "efficiency", "0.4", f64::MAX)?;
        if x.v > 0.0 && x.v <= 1.0 {
            return Some(x.v);
        }
        sink.error(
            x.span,
            format!(
                "\"efficiency\" must be greater than 0 and at most 1, found {}",
                x.v
            ),
            Some(if x.v > 1.0 && x.v <= 100.0 {
                format!(
                    "efficiency is a fraction, not a percentage: write efficiency = {}",
                    x.v / 100.0
                )
            } else {
                "efficiency is the fraction of the accelerator's dense peak achieved, e.g. 0.4"
                    .to_string()
            }),
        );
        None
    });
    let dtype = Field::read(t, "dtype", |v| {
        use fabricsim_topology::accelerators::ComputeDtype;
        let s = string(sink, v, "dtype", "\"bf16\", \"fp8\" or \"fp4\"")?;
        let d = ComputeDtype::of(s.v);
        if d.is_none() {
            sink.error(
                s.span,
                format!("unknown compute dtype \"{}\"", s.v),
                Some(
                    "the tensor-core data types with a peak: \"bf16\", \"fp8\", \"fp4\""
                        .to_string(),
                ),
            );
        }
        d
    });
    let layer_time = Field::read(t, "layer_time", |v| {
        positive_quantity(sink, v, "layer_time", Quantity::Duration)
    });
    let overlap = Field::read(t, "overlap", |v| overlap(sink, v)).or(Overlap {
        dp: true,
        ..Overlap::default()
    });
    let peak_form = tflops.present() || mfu.present();
    if efficiency.present() && peak_form {
        let span = get(t, "efficiency").map_or(tab.span.clone(), |v| v.span());
        sink.error(
            span,
            "[compute] gives both efficiency and tflops_per_accelerator/mfu".to_string(),
            Some("give efficiency (the peak comes from the topology's accelerator) or tflops_per_accelerator with mfu (an explicit peak that overrides it), not both".to_string()),
        );
        return None;
    }
    if dtype.present() && !efficiency.present() {
        let span = get(t, "dtype").map_or(tab.span.clone(), |v| v.span());
        sink.error(
            span,
            "\"dtype\" selects the accelerator's peak and needs \"efficiency\"".to_string(),
            Some("add efficiency = 0.4 (say), or drop dtype when tflops_per_accelerator gives the peak".to_string()),
        );
        return None;
    }
    if efficiency.present() && !layer_time.present() {
        use fabricsim_topology::accelerators::ComputeDtype;
        let e = efficiency.or(0.0)?;
        let d = dtype.or(ComputeDtype::Bf16)?;
        return Some((
            Compute::Efficiency {
                efficiency: e,
                dtype: d,
            },
            overlap?,
        ));
    }
    // INVARIANT: exactly one compute form.
    let compute = match (peak_form || efficiency.present(), layer_time.present()) {
        (true, true) => {
            let span = get(t, "layer_time").map_or(tab.span.clone(), |v| v.span());
            sink.error(
                span,
                "[compute] gives both a peak form (efficiency, or tflops_per_accelerator/mfu) and layer_time".to_string(),
                Some("give either tflops_per_accelerator and mfu (time from the model's FLOPs) or layer_time (forward + backward per layer per micro-batch), not both".to_string()),
            );
            None
        }
        (false, false) => {
            sink.error(
                tab.span.clone(),
                "[compute] gives no compute time".to_string(),
                Some("add efficiency = 0.4 (the fraction of the topology's accelerator peak achieved), tflops_per_accelerator and mfu (an explicit peak), or layer_time = \"12 ms\"".to_string()),
            );
            None
        }
        (true, false) => {
            let tflops = tab.required(sink, "tflops_per_accelerator", "989", tflops);
            let mfu = tab.required(sink, "mfu", "0.4", mfu);
            tflops.zip(mfu).map(|(p, mfu)| Compute::Peak {
                flops_per_s: p.v * 1e12,
                mfu,
            })
        }
        (false, true) => layer_time
            .or(0.0)
            .map(|seconds| Compute::PerLayer { seconds }),
    };
    Some((compute?, overlap?))
}
