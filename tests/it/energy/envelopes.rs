//! The shipped systems against published power figures (docs/sources.md,
//! section 12): every accelerator computing, nothing else assumed.

use crate::common::topology;
use fabricsim::energy::power::PowerModel;
use fabricsim::energy::{Account, Activity, account};
use fabricsim::topology::Topology;

/// One second with every accelerator of `t` computing, no link traffic.
fn all_computing(t: &Topology) -> Account {
    account(
        t,
        &PowerModel::of(t),
        &Activity {
            duration_s: 1.0,
            used: &t.accelerators,
            compute_s: 1.0,
            communication_s: 0.0,
            idle_s: 0.0,
            link_bytes: &vec![0.0; t.links.len()],
        },
    )
}

/// A GB200/GB300 NVL72 rack draws ~120 kW ([S-nvl72-rack-power]), its
/// power shelves deliver 132 kW ([S-introl-gb300]): every shipped NVL72
/// file's racks lie in 100–132 kW of IT power with every GPU computing.
#[test]
fn nvl72_racks_lie_in_the_published_rack_envelope() {
    for name in [
        "gb200-nvl72.toml",
        "gb300-nvl72.toml",
        "gb300-nvl72-16rack.toml",
        "gb200-nvl72-20rack-ib-xdr.toml",
    ] {
        let t = topology(name);
        let a = all_computing(&t);
        let d = &a.per_domain;
        assert_eq!(
            d.domains * 72,
            t.accelerators.len(),
            "{name}: 72 GPUs per rack"
        );
        assert!(
            (100.0..=132.0).contains(&d.peak_kw),
            "{name}: {:.1} kW per rack",
            d.peak_kw
        );
        // With every rack computing, every rack draws the same.
        assert!(
            (d.average_kw - d.peak_kw).abs() < 1e-9 * d.peak_kw,
            "{name}"
        );
    }
}

/// An HGX/DGX H100 server is rated 10.2 kW for 8 GPUs and typically draws
/// 6.5–8.5 kW ([S-nvidia-dgx-h100-power]); the most measured in training
/// is 8.4 kW ([S-latif-h100-node]). Every shipped H100 cluster's all-in
/// power per GPU, network included, lies in 6.5/8–10.2/8 kW.
#[test]
fn h100_clusters_all_in_power_per_gpu_lies_in_the_hgx_range() {
    for name in [
        "hgx-h100.toml",
        "h100-2tier-16node.toml",
        "h100-2to1-oversubscribed.toml",
        "h100-rail-only.toml",
        "h100-superpod.toml",
        "h100-2site-dci.toml",
        "h100-1024node-3tier.toml",
        "h100-32k-3tier.toml",
    ] {
        let t = topology(name);
        let w = all_computing(&t).all_in_w_per_accelerator;
        assert!(
            (6500.0 / 8.0..=10200.0 / 8.0).contains(&w),
            "{name}: {w:.0} W per GPU"
        );
    }
}

/// Fit check, not validation: an HGX H100 server alone (the 8-GPU board, no
/// scale-out): with every GPU computing it draws the measured 8.4 kW the
/// host overhead was derived from
/// ([S-latif-h100-node]) less the 8 × 25 W of NICs the board file does not
/// have: 8 × 700 + 4 NVSwitch × 100 + 2,200 W.
#[test]
fn hgx_h100_server_draws_the_measured_peak() {
    let t = topology("hgx-h100.toml");
    let a = all_computing(&t);
    assert_eq!(a.per_domain.domains, 1);
    let want = 8.0 * 700.0 + 4.0 * 100.0 + 2200.0;
    assert!(
        (a.per_domain.peak_kw * 1e3 - want).abs() < 1e-9 * want,
        "{a:?}"
    );
    assert!(want <= 10200.0);
}
