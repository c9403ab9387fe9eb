//! The what-ifs of `[power]`: a power cap slows compute by its curve, the
//! optics choice scales the optical links' energy, and bad values are
//! located errors.

use crate::common::{fabricsim, stderr, stdout, topology};
use fabricsim::energy::power::{Optics, PowerModel};
use fabricsim::energy::{Activity, account};
use serde_json::Value;

fn job_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// H100 capped at 600 W: compute runs at ((600 − 105)/(700 − 105))^0.7 of
/// its speed (idle = 0.15 × 700 W; docs/energy.md), so the compute time
/// grows by its inverse, and the GPUs compute at 600 W.
#[test]
fn a_power_cap_slows_compute_by_its_curve() {
    let free = job_json(&[]);
    let capped = job_json(&["--set", "power.accelerator_cap_w=600"]);
    let speed = (495.0f64 / 595.0).powf(0.7);
    let (c0, c1) = (
        free["iteration"]["compute_time_s"].as_f64().unwrap(),
        capped["iteration"]["compute_time_s"].as_f64().unwrap(),
    );
    assert!(
        (c1 - c0 / speed).abs() <= 1e-9 * c1,
        "{c1} vs {}",
        c0 / speed
    );
    assert!((capped["compute"]["power_cap_speed"].as_f64().unwrap() - speed).abs() < 1e-12);
    assert!(free["compute"].get("power_cap_speed").is_none());
    let e = &capped["energy"];
    assert_eq!(e["assumptions"]["busy_w"].as_f64().unwrap(), 600.0);
    // Compute energy: 128 GPUs × 600 W × the compute time.
    let used = capped["accelerators"]["used"].as_f64().unwrap();
    let want = used * 600.0 * c1;
    let got = e["by_part"]["accelerators_compute_j"].as_f64().unwrap();
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
}

/// Always-on optics: every optical link costs its line rate × energy per
/// bit for the run; co-packaged optics cost 5.625 / 18.75 = 0.3 of
/// pluggable ones (docs/energy.md).
#[test]
fn co_packaged_optics_cost_three_tenths_of_pluggable() {
    let mut t = topology("h100-2tier-16node.toml");
    let run = |t: &fabricsim::topology::Topology| {
        account(
            t,
            &PowerModel::of(t),
            &Activity {
                duration_s: 2.0,
                used: &t.accelerators,
                compute_s: 2.0,
                communication_s: 0.0,
                idle_s: 0.0,
                link_bytes: &vec![0.0; t.links.len()],
            },
        )
        .by_part
        .links_j
    };
    t.power.optics_always_on = Some(true);
    let pluggable = run(&t);
    t.power.optics = Some(Optics::CoPackaged);
    let cpo = run(&t);
    assert!(pluggable > 0.0);
    assert!((cpo - 0.3 * pluggable).abs() <= 1e-12 * pluggable);
}

/// Bad `[power]` values are refused where they stand, every one at once.
#[test]
fn bad_power_values_are_located_errors() {
    let dir = std::env::temp_dir().join(format!("fabricsim-power-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad-power.toml");
    let src = std::fs::read_to_string(crate::common::root().join("topologies/hgx-h100.toml"))
        .unwrap()
        + "\n[power]\naccelerator_cap_w = 900\npue = 0.9\noptics = \"laser\"\nnic_w = \"25 W\"\n";
    std::fs::write(&path, &src).unwrap();
    let o = fabricsim(&["validate", path.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o) + &stdout(&o);
    let line = |key: &str| src.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    for (key, what) in [
        ("accelerator_cap_w", "above the TDP (700 W)"),
        ("pue", "from 1 to 5"),
        ("optics", "unknown optics \"laser\""),
        ("nic_w", "nic_w = 25"),
    ] {
        let at = format!("bad-power.toml:{}:", line(key));
        assert!(err.contains(&at), "{key}: no {at} in\n{err}");
        assert!(err.contains(what), "{key}: no {what} in\n{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
