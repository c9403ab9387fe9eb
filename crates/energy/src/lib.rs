//! Energy and power of a simulated run: a training iteration
//! ([`job_energy`]) or one collective call ([`collective_energy`]).
//!
//! The inputs are result types only: a [`JobReport`] (its phases and the
//! bytes every link carried) or a call's time and link bytes, and the
//! power of every part of the topology ([`PowerModel`], presets and the
//! file's `[power]` table). Every formula is in docs/energy.md; in short,
//! over a run of `T` seconds:
//!
//! - each used accelerator draws its busy power while computing, its
//!   communication power during exposed communication and its idle power
//!   in the bubble (`t_c + t_x + t_b = T`); unused accelerators idle;
//! - NICs and switches draw constant power for `T`;
//! - each server draws its host overhead for `T`;
//! - each link costs its energy per bit × the bits it carried;
//! - the facility adds `(pue − 1)` × all of the above.
//!
//! The parts sum to the total exactly as computed (the total *is* their
//! sum), the average power is total / `T`.

#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

use fabricsim_topology::power::PowerModel;
use fabricsim_topology::{NodeId, NodeRole, Topology};
use fabricsim_workload::Job;
use fabricsim_workload::iteration::JobReport;
use fabricsim_workload::placement::place;
use serde::Serialize;

pub use fabricsim_topology::power;

/// Energy by part \[J\]. The fields sum to the total.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ByPart {
    /// Accelerators computing (busy power × compute time).
    pub accelerators_compute_j: f64,
    /// Accelerators communicating with nothing to compute (exposed
    /// communication; overlapped communication is inside compute).
    pub accelerators_communication_j: f64,
    /// Accelerators idle: the pipeline bubble, and every accelerator of the
    /// topology the run does not use.
    pub accelerators_idle_j: f64,
    /// Network interface cards.
    pub nics_j: f64,
    /// Switches (scale-up and scale-out).
    pub switches_j: f64,
    /// Links and optics: energy per bit × bits carried (or, with
    /// `optics_always_on`, the optical links' power × the run's length).
    pub links_j: f64,
    /// Host overhead of every server (CPUs, memory, fans, conversion).
    pub hosts_j: f64,
    /// Facility overhead: `(pue − 1)` × the parts above.
    pub facility_j: f64,
}

impl ByPart {
    /// The parts with their names, in a fixed order (plots, tables).
    pub fn named(&self) -> [(&'static str, f64); 8] {
        [
            ("accel. compute", self.accelerators_compute_j),
            ("accel. communication", self.accelerators_communication_j),
            ("accel. idle", self.accelerators_idle_j),
            ("hosts", self.hosts_j),
            ("NICs", self.nics_j),
            ("switches", self.switches_j),
            ("links and optics", self.links_j),
            ("facility", self.facility_j),
        ]
    }

    /// The sum of the parts \[J\], in the order of [`ByPart::named`].
    pub fn total(&self) -> f64 {
        self.named().iter().map(|(_, j)| j).sum()
    }
}

/// Power of the scale-up domains (racks of an NVL72 or Helios cluster, the
/// 8-GPU servers of an HGX cluster): IT power, without the facility.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DomainPower {
    /// Number of scale-up domains.
    pub domains: usize,
    /// The largest domain's power with every used accelerator computing \[kW\].
    pub peak_kw: f64,
    /// Mean over domains of the average power over the run \[kW\].
    pub average_kw: f64,
}

/// The energy of one training iteration (`fabricsim job`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobEnergy {
    /// Energy of one iteration, facility included \[J\].
    pub joules_per_iteration: f64,
    /// `joules_per_iteration / iteration time` \[W\].
    pub average_power_w: f64,
    /// Power with every used accelerator computing at once (links at their
    /// average), facility included \[W\].
    pub peak_power_w: f64,
    /// `tokens per iteration / joules_per_iteration` \[tokens/J\].
    pub tokens_per_joule: f64,
    /// IT power of the whole system with every accelerator of the topology
    /// computing, per accelerator, everything included (hosts, NICs,
    /// switches, links at the run's average) \[W\]: the all-in power per
    /// accelerator a facility provisions.
    pub all_in_w_per_accelerator: f64,
    /// Energy by part \[J\].
    pub by_part: ByPart,
    /// Power per scale-up domain.
    pub per_domain: DomainPower,
    /// The power of each accelerator state \[W\] and the facility PUE.
    pub assumptions: Assumptions,
}

/// The energy of one collective call (`fabricsim collective`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollectiveEnergy {
    /// Energy of one call, facility included \[J\].
    pub joules_per_call: f64,
    /// `joules_per_call / call time` \[W\].
    pub average_power_w: f64,
    /// Energy by part \[J\].
    pub by_part: ByPart,
}

/// The per-state powers the accounting used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assumptions {
    /// Accelerator TDP \[W\].
    pub tdp_w: f64,
    /// Computing \[W\] (the TDP, or the power cap).
    pub busy_w: f64,
    /// Communicating only \[W\].
    pub communication_w: f64,
    /// Idle \[W\].
    pub idle_w: f64,
    /// Compute speed under the power cap (1 without one).
    pub compute_speed: f64,
    /// Accelerators per server.
    pub accelerators_per_server: u32,
    /// Host overhead per server \[W\].
    pub host_w: f64,
    /// Optics of the optical links (`pluggable`, `co-packaged`).
    pub optics: &'static str,
    /// Whether optical links draw their full power for the whole run
    /// (`optics_always_on`) rather than per bit carried.
    pub optics_always_on: bool,
    /// Facility power usage effectiveness.
    pub pue: f64,
}

/// What a run did, for [`account`].
#[derive(Clone, Copy, Debug)]
pub struct Activity<'a> {
    /// Length of the run \[s\].
    pub duration_s: f64,
    /// The accelerators the run uses (the others idle).
    pub used: &'a [NodeId],
    /// Time each used accelerator computes \[s\].
    pub compute_s: f64,
    /// Time each used accelerator communicates with nothing to compute \[s\].
    pub communication_s: f64,
    /// Time each used accelerator idles (pipeline bubble) \[s\].
    pub idle_s: f64,
    /// Bytes each directed link carried over the run, by `LinkId`.
    pub link_bytes: &'a [f64],
}

/// The result of [`account`].
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// Energy by part \[J\].
    pub by_part: ByPart,
    /// Total energy, facility included \[J\] (= `by_part.total()`).
    pub joules: f64,
    /// Average power \[W\] (0 for a run of no time).
    pub average_power_w: f64,
    /// Power with every used accelerator computing, facility included \[W\].
    pub peak_power_w: f64,
    /// IT power per accelerator with every accelerator computing \[W\].
    pub all_in_w_per_accelerator: f64,
    /// Power per scale-up domain.
    pub per_domain: DomainPower,
}

/// The energy of `activity` on `topo` with the power of `model`
/// (docs/energy.md, "Accounting").
pub fn account(topo: &Topology, model: &PowerModel, a: &Activity<'_>) -> Account {
    let t = a.duration_s;
    let n_acc = topo.accelerators.len();
    let n_used = a.used.len().min(n_acc);
    let n_unused = (n_acc - n_used) as f64;
    let used_f = n_used as f64;
    let mut p = ByPart {
        accelerators_compute_j: used_f * model.busy_w * a.compute_s,
        accelerators_communication_j: used_f * model.communication_w * a.communication_s,
        accelerators_idle_j: used_f * model.idle_w * a.idle_s + n_unused * model.idle_w * t,
        ..ByPart::default()
    };
    let (mut nic_w, mut switch_w) = (0.0, 0.0);
    for (node, w) in topo.nodes.iter().zip(&model.node_w) {
        match node.role {
            NodeRole::Nic => nic_w += w,
            NodeRole::Switch => switch_w += w,
            NodeRole::Accelerator | NodeRole::Host => {}
        }
    }
    p.nics_j = nic_w * t;
    p.switches_j = switch_w * t;
    let servers = n_acc.div_ceil(model.per_server as usize) as f64;
    p.hosts_j = servers * model.host_w * t;
    let links_always_w: f64 = model.link_w.iter().sum();
    p.links_j = a
        .link_bytes
        .iter()
        .zip(&model.link_j_per_bit)
        .map(|(b, j)| 8.0 * b * j)
        .sum::<f64>()
        + links_always_w * t;
    let it = p.total();
    p.facility_j = (model.pue - 1.0) * it;
    let joules = p.total();
    let link_w = if t > 0.0 { p.links_j / t } else { 0.0 };
    let peak_it = used_f * model.busy_w
        + n_unused * model.idle_w
        + nic_w
        + switch_w
        + servers * model.host_w
        + link_w;
    Account {
        joules,
        average_power_w: if t > 0.0 { joules / t } else { 0.0 },
        peak_power_w: model.pue * peak_it,
        all_in_w_per_accelerator: if n_acc > 0 {
            (peak_it + n_unused * (model.busy_w - model.idle_w)) / n_acc as f64
        } else {
            0.0
        },
        per_domain: domains(topo, model, a),
        by_part: p,
    }
}

/// Power of every scale-up domain (docs/energy.md, "Power per domain"):
/// its accelerators, the switches and links inside it, the NICs attached to
/// its accelerators and its servers' hosts.
fn domains(topo: &Topology, model: &PowerModel, a: &Activity<'_>) -> DomainPower {
    let groups = topo.domains_of(&topo.accelerators);
    if groups.is_empty() {
        return DomainPower::default();
    }
    let t = a.duration_s;
    // Domain index of every node: accelerators and scale-up switches by
    // their domain root; NICs by the accelerator they attach to.
    let mut of_root = std::collections::HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        of_root.insert(topo.scale_up_domain(g[0]), i);
    }
    let mut dom: Vec<Option<usize>> = (0..topo.nodes.len() as u32)
        .map(|n| of_root.get(&topo.scale_up_domain(NodeId(n))).copied())
        .collect();
    for l in &topo.links {
        let (s, d) = (l.src.idx(), l.dst.idx());
        if topo.nodes[s].role == NodeRole::Accelerator && topo.nodes[d].role == NodeRole::Nic {
            dom[d] = dom[s];
        }
    }
    let mut used = vec![false; topo.nodes.len()];
    for r in a.used {
        used[r.idx()] = true;
    }
    let k = groups.len();
    let (mut peak, mut avg) = (vec![0.0; k], vec![0.0; k]);
    let per_used_avg = if t > 0.0 {
        (model.busy_w * a.compute_s
            + model.communication_w * a.communication_s
            + model.idle_w * a.idle_s)
            / t
    } else {
        model.busy_w
    };
    for (i, node) in topo.nodes.iter().enumerate() {
        let Some(d) = dom[i] else { continue };
        match node.role {
            NodeRole::Accelerator if used[i] => {
                peak[d] += model.busy_w;
                avg[d] += per_used_avg;
            }
            NodeRole::Accelerator => {
                peak[d] += model.idle_w;
                avg[d] += model.idle_w;
            }
            // A switch belongs to a domain through scale-up links only; a
            // NIC through the accelerator it serves.
            NodeRole::Nic | NodeRole::Switch => {
                peak[d] += model.node_w[i];
                avg[d] += model.node_w[i];
            }
            NodeRole::Host => {}
        }
    }
    for (i, g) in groups.iter().enumerate() {
        // The domain's share of the hosts: whole servers for a rack of
        // trays or an 8-GPU board, a fraction where a server spans domains.
        let host = g.len() as f64 / model.per_server as f64 * model.host_w;
        peak[i] += host;
        avg[i] += host;
    }
    if t > 0.0 {
        for (i, (l, (b, j))) in topo
            .links
            .iter()
            .zip(a.link_bytes.iter().zip(&model.link_j_per_bit))
            .enumerate()
        {
            if let (Some(x), Some(y)) = (dom[l.src.idx()], dom[l.dst.idx()])
                && x == y
            {
                let w = 8.0 * b * j / t + model.link_w[i];
                peak[x] += w;
                avg[x] += w;
            }
        }
    }
    DomainPower {
        domains: k,
        peak_kw: peak.iter().fold(0.0, |m: f64, &x| m.max(x)) / 1e3,
        average_kw: avg.iter().sum::<f64>() / k as f64 / 1e3,
    }
}

/// The energy of one iteration of `job` on `topo`, simulated as `r`
/// (docs/energy.md, "A training iteration").
pub fn job_energy(topo: &Topology, job: &Job, r: &JobReport) -> JobEnergy {
    let model = PowerModel::of(topo);
    let it = &r.iteration;
    // The ranks the job runs on (the placement the simulation used); were
    // it to fail here, the first `used` accelerators stand in (the totals
    // depend on the count only).
    let ranks = place(topo, job).map(|p| p.ranks).unwrap_or_else(|_| {
        topo.accelerators[..r.accelerators.used.min(topo.accelerators.len())].to_vec()
    });
    let a = account(
        topo,
        &model,
        &Activity {
            duration_s: it.total_time_s,
            used: &ranks,
            compute_s: it.compute_time_s,
            communication_s: it.exposed_comm_time_s,
            idle_s: it.bubble_s,
            link_bytes: &r.link_bytes,
        },
    );
    let tokens = it.tokens_per_s * it.total_time_s;
    JobEnergy {
        joules_per_iteration: a.joules,
        average_power_w: a.average_power_w,
        peak_power_w: a.peak_power_w,
        tokens_per_joule: if a.joules > 0.0 {
            tokens / a.joules
        } else {
            0.0
        },
        all_in_w_per_accelerator: a.all_in_w_per_accelerator,
        by_part: a.by_part,
        per_domain: a.per_domain,
        assumptions: assumptions(&model),
    }
}

/// The energy of one collective call of `time_s` seconds on the ranks
/// `ranks`, whose links carried `link_bytes` (docs/energy.md, "A
/// collective"): the ranks communicate for the whole call, the rest of the
/// topology idles.
pub fn collective_energy(
    topo: &Topology,
    ranks: &[NodeId],
    time_s: f64,
    link_bytes: &[f64],
) -> CollectiveEnergy {
    let model = PowerModel::of(topo);
    let a = account(
        topo,
        &model,
        &Activity {
            duration_s: time_s,
            used: ranks,
            compute_s: 0.0,
            communication_s: time_s,
            idle_s: 0.0,
            link_bytes,
        },
    );
    CollectiveEnergy {
        joules_per_call: a.joules,
        average_power_w: a.average_power_w,
        by_part: a.by_part,
    }
}

/// The per-state powers of `m`.
pub fn assumptions(m: &PowerModel) -> Assumptions {
    Assumptions {
        tdp_w: m.tdp_w,
        busy_w: m.busy_w,
        communication_w: m.communication_w,
        idle_w: m.idle_w,
        compute_speed: m.compute_speed,
        accelerators_per_server: m.per_server,
        host_w: m.host_w,
        optics: m.optics.name(),
        optics_always_on: m.link_w.iter().any(|&w| w > 0.0),
        pue: m.pue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fabricsim_topology::{Link, Node};

    fn node(name: &str, role: NodeRole) -> Node {
        Node {
            name: name.into(),
            role,
            kind: String::new(),
            latency_s: 0.0,
            in_switch_reduction: false,
            forwards: role.forwards_by_default(),
        }
    }

    fn link(src: u32, dst: u32, kind: &str) -> Link {
        Link {
            src: NodeId(src),
            dst: NodeId(dst),
            capacity_bps: 50e9,
            latency_s: 0.0,
            kind: kind.into(),
            count: 1,
            tier: "leaf".into(),
        }
    }

    /// Two accelerators on one switch over one optical link each way
    /// (a0 ⇄ s ⇄ a1), every power given: 1,000 W computing, 400 W
    /// communicating, 100 W idle, one 2-accelerator server with a 500 W
    /// host, a 300 W switch, 10 pJ/bit, PUE 1.2.
    fn hand_topology() -> Topology {
        let nodes = vec![
            node("a0", NodeRole::Accelerator),
            node("a1", NodeRole::Accelerator),
            node("s", NodeRole::Switch),
        ];
        let links = vec![
            link(0, 2, "ethernet-400g"),
            link(2, 0, "ethernet-400g"),
            link(1, 2, "ethernet-400g"),
            link(2, 1, "ethernet-400g"),
        ];
        let mut t = Topology::from_parts("hand".into(), nodes, links);
        t.power = power::PowerSettings {
            accelerator_tdp_w: Some(1000.0),
            accelerator_idle_w: Some(100.0),
            accelerator_communication_w: Some(400.0),
            accelerators_per_server: Some(2),
            host_w: Some(500.0),
            scale_out_switch_w: Some(300.0),
            optical_pj_per_bit: Some(10.0),
            pue: Some(1.2),
            ..Default::default()
        };
        t
    }

    fn run(t: &Topology, bytes: &[f64], used: &[NodeId]) -> Account {
        account(
            t,
            &PowerModel::of(t),
            &Activity {
                duration_s: 2.0,
                used,
                compute_s: 1.2,
                communication_s: 0.5,
                idle_s: 0.3,
                link_bytes: bytes,
            },
        )
    }

    #[track_caller]
    fn close(got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn hand_computed_case() {
        let t = hand_topology();
        let a = run(&t, &[1e9, 0.0, 2e9, 0.0], &t.accelerators.clone());
        let p = &a.by_part;
        // By hand: 2 × 1000 W × 1.2 s; 2 × 400 W × 0.5 s; 2 × 100 W × 0.3 s;
        // 300 W × 2 s; one server × 500 W × 2 s; 8 × 3e9 bytes × 10 pJ.
        close(p.accelerators_compute_j, 2400.0);
        close(p.accelerators_communication_j, 400.0);
        close(p.accelerators_idle_j, 60.0);
        close(p.switches_j, 600.0);
        close(p.nics_j, 0.0);
        close(p.hosts_j, 1000.0);
        close(p.links_j, 0.24);
        // IT 4,460.24 J; facility 0.2 × that = 892.048 J.
        close(p.facility_j, 892.048);
        close(a.joules, 5352.288);
        close(a.average_power_w, 2676.144);
        // Peak: 2 × 1000 + 300 + 500 + 0.24 J / 2 s, × 1.2.
        close(a.peak_power_w, 3360.144);
        close(a.all_in_w_per_accelerator, 2800.12 / 2.0);
        // No scale-up links: each accelerator is its own domain, with half
        // of the 2-accelerator server's host: 1,000 + 500 / 2 W.
        assert_eq!(a.per_domain.domains, 2);
        close(a.per_domain.peak_kw, 1.25);
    }

    #[test]
    fn parts_sum_to_the_total_and_power_is_energy_over_time() {
        let t = hand_topology();
        let a = run(&t, &[3e9, 1e9, 5e8, 0.0], &t.accelerators.clone());
        let sum: f64 = a.by_part.named().iter().map(|(_, j)| j).sum();
        close(sum, a.joules);
        close(a.average_power_w * 2.0, a.joules);
    }

    #[test]
    fn doubling_a_links_bytes_doubles_its_energy() {
        let t = hand_topology();
        let used = t.accelerators.clone();
        let one = run(&t, &[0.0, 0.0, 7e9, 0.0], &used).by_part.links_j;
        let two = run(&t, &[0.0, 0.0, 14e9, 0.0], &used).by_part.links_j;
        close(two, 2.0 * one);
        assert!(one > 0.0);
    }

    #[test]
    fn always_on_optics_cost_their_line_rate_for_the_whole_run() {
        let mut t = hand_topology();
        t.power.optics_always_on = Some(true);
        let used = t.accelerators.clone();
        // 4 directed optical links × 10 pJ/bit × 8 × 50e9 B/s × 2 s = 32 J,
        // whatever they carry.
        for bytes in [[0.0; 4], [1e9, 2e9, 3e9, 4e9]] {
            close(run(&t, &bytes, &used).by_part.links_j, 32.0);
        }
    }

    #[test]
    fn an_idle_fabric_draws_its_idle_power() {
        let t = hand_topology();
        // Nothing used, nothing carried: 2 idle accelerators (100 W each),
        // the switch (300 W) and the host (500 W), × PUE 1.2.
        let a = run(&t, &[0.0; 4], &[]);
        close(a.average_power_w, 1.2 * (2.0 * 100.0 + 300.0 + 500.0));
        close(a.by_part.links_j, 0.0);
        close(a.by_part.accelerators_compute_j, 0.0);
    }
}
