//! Conservation: the parts sum to the total, joules = average power ×
//! time, tokens per joule = tokens / joules, link energy is proportional to
//! the bytes carried, and an idle fabric draws exactly its idle power.

use crate::common::{fabricsim, stderr, stdout, topology};
use fabricsim::energy::power::{Medium, PowerModel, medium};
use fabricsim::energy::{Activity, account};
use serde_json::Value;

const PARTS: [&str; 8] = [
    "accelerators_compute_j",
    "accelerators_communication_j",
    "accelerators_idle_j",
    "nics_j",
    "switches_j",
    "links_j",
    "hosts_j",
    "facility_j",
];

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got:e}, want {want:e}"
    );
}

/// `job --json` on a shipped cluster, with a PUE so every part is present.
#[test]
fn job_energy_is_conserved() {
    let o = fabricsim(&[
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
        "--set",
        "power.pue=1.3",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let e = &v["energy"];
    let j = e["joules_per_iteration"].as_f64().unwrap();
    let sum: f64 = PARTS
        .iter()
        .map(|p| e["by_part"][p].as_f64().unwrap_or_else(|| panic!("{p}")))
        .sum();
    close(sum, j, "parts");
    let t = v["iteration"]["total_time_s"].as_f64().unwrap();
    close(
        e["average_power_w"].as_f64().unwrap() * t,
        j,
        "average × time",
    );
    // Tokens from the job file itself: global_batch × seq_len.
    let job: toml::Table =
        std::fs::read_to_string(crate::common::root().join("workloads/llama3-8b.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let tokens = job["parallelism"]["global_batch"].as_integer().unwrap() as f64
        * job["model"]["seq_len"].as_integer().unwrap() as f64;
    close(
        e["tokens_per_joule"].as_f64().unwrap(),
        tokens / j,
        "tokens/J",
    );
    // The facility is (pue − 1) of the rest.
    close(
        e["by_part"]["facility_j"].as_f64().unwrap(),
        0.3 * (j - e["by_part"]["facility_j"].as_f64().unwrap()),
        "facility",
    );
    // Phases: compute + exposed communication + bubble = the iteration.
    let it = &v["iteration"];
    close(
        it["compute_time_s"].as_f64().unwrap()
            + it["exposed_comm_time_s"].as_f64().unwrap()
            + it["bubble_s"].as_f64().unwrap(),
        t,
        "phases",
    );
}

/// On a shipped cluster, doubling the bytes of one optical link doubles
/// the link energy; the other parts do not move.
#[test]
fn doubling_a_links_bytes_doubles_its_energy() {
    let t = topology("h100-2tier-16node.toml");
    let m = PowerModel::of(&t);
    let l = (0..t.links.len())
        .find(|&i| medium(&t.links[i]) == Medium::Optical)
        .expect("an optical link");
    let run = |b: f64| {
        let mut bytes = vec![0.0; t.links.len()];
        bytes[l] = b;
        account(
            &t,
            &m,
            &Activity {
                duration_s: 1.0,
                used: &t.accelerators,
                compute_s: 0.6,
                communication_s: 0.3,
                idle_s: 0.1,
                link_bytes: &bytes,
            },
        )
    };
    let (one, two) = (run(5e9), run(10e9));
    assert!(one.by_part.links_j > 0.0);
    close(two.by_part.links_j, 2.0 * one.by_part.links_j, "links");
    // 5e9 bytes × 8 × 18.75 pJ/bit (pluggable optics, docs/energy.md).
    close(one.by_part.links_j, 5e9 * 8.0 * 18.75e-12, "by hand");
    close(two.by_part.hosts_j, one.by_part.hosts_j, "hosts");
}

/// An HGX H100 board doing nothing draws its idle power: 8 GPUs at 0.15 ×
/// 700 W, 4 NVSwitches at 100 W and one host at 2,200 W (docs/energy.md).
#[test]
fn an_idle_fabric_draws_exactly_its_idle_power() {
    let t = topology("hgx-h100.toml");
    let a = account(
        &t,
        &PowerModel::of(&t),
        &Activity {
            duration_s: 3.0,
            used: &[],
            compute_s: 0.0,
            communication_s: 0.0,
            idle_s: 0.0,
            link_bytes: &vec![0.0; t.links.len()],
        },
    );
    let idle_w = 8.0 * 0.15 * 700.0 + 4.0 * 100.0 + 2200.0;
    close(a.average_power_w, idle_w, "idle power");
    close(a.joules, 3.0 * idle_w, "idle energy");
    close(a.by_part.links_j, 0.0, "links");
}

/// `collective --json`: one all-reduce on the HGX H100 board costs the
/// call's time × (8 GPUs communicating at 0.5 × 700 W + 4 NVSwitches ×
/// 100 W + the 2,200 W host); NVLink is copper (0 pJ/bit).
#[test]
fn collective_joules_per_call_by_hand() {
    let o = fabricsim(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1GiB",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let t = v["results"][0]["time_s"].as_f64().unwrap();
    let j = v["energy"][0]["joules_per_call"].as_f64().unwrap();
    close(j, t * (8.0 * 350.0 + 400.0 + 2200.0), "joules per call");
    let text = stdout(&fabricsim(&[
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1GiB",
    ]));
    assert!(text.contains("# energy per call"), "{text}");
}
