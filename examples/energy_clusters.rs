//! Example: the energy of one Llama 3 70B pre-training iteration
//! (`workloads/llama3-70b.toml`: TP 8 · PP 4, 1,152 sequences of 8,192
//! tokens) on three clusters of about a thousand GPUs:
//! - 16 GB300 NVL72 racks on 800G rail-optimized Ethernet
//!   (`topologies/gb300-nvl72-16rack.toml`, 1,152 GPUs, DP 36);
//! - 16 AMD Helios racks on 3 × 800G Ultra Ethernet
//!   (`topologies/helios-mi450-16rack-uec.toml`, 1,152 GPUs, DP 36);
//! - a 1,024-GPU H100 SuperPOD on 400G NDR InfiniBand
//!   (`topologies/h100-superpod.toml`, DP 32: the same 1,152 sequences as
//!   36 micro-batches per pipeline);
//!
//! and three what-ifs on the GB300 cluster, each a `[power]` table: its
//! Ethernet transceivers drawing their full power all the time
//! (`optics_always_on = true`; by default a link costs energy per bit
//! carried), the same with co-packaged optics (`optics = "co-packaged"`),
//! and its GPUs capped at 1,100 W (`accelerator_cap_w = 1100`, slower
//! compute).
//!
//! Prints time, energy, power and tokens per joule per system and writes
//! `plots/energy-clusters-breakdown` (energy per iteration by part, stacked).
//! Every number comes from the presets and formulas of docs/energy.md; the
//! assumptions marked there (host overhead, NIC and switch power, the
//! communication-only power, MI450's 2,500 W) apply.
//!
//! Run: `cargo run --release --example energy_clusters`

mod common;

use common::{die, parse, save, shipped, text};
use fabricsim::collective::Params;
use fabricsim::energy::job_energy;
use fabricsim::plot::EnergyBreakdown;
use fabricsim::plot_data as from;
use fabricsim::workload::{self, iteration};

fn main() {
    let job = workload::Job::load(shipped("workloads/llama3-70b.toml"), &Default::default())
        .unwrap_or_else(|d| die(&d.render()));
    // 1,024 H100s: DP 32 with the same global batch (36 micro-batches).
    let mut job_h100 = job.clone();
    job_h100.parallelism.dp = 32;
    let gb300 = text("topologies/gb300-nvl72-16rack.toml");
    let with_power = |src: &str, table: &str| format!("{src}\n[power]\n{table}\n");
    let systems = [
        ("GB300 NVL72", gb300.clone(), &job),
        (
            "Helios MI450",
            text("topologies/helios-mi450-16rack-uec.toml"),
            &job,
        ),
        (
            "H100 SuperPOD",
            text("topologies/h100-superpod.toml"),
            &job_h100,
        ),
        (
            "GB300 optics on",
            with_power(&gb300, "optics_always_on = true"),
            &job,
        ),
        (
            "GB300 CPO on",
            with_power(&gb300, "optics = \"co-packaged\"\noptics_always_on = true"),
            &job,
        ),
        (
            "GB300 1.1 kW cap",
            with_power(&gb300, "accelerator_cap_w = 1100"),
            &job,
        ),
    ];
    println!(
        "# {} (per iteration; IT energy, PUE 1; kW/rack = the busiest scale-up domain)\n{:>18} {:>6} {:>9} {:>9} {:>10} {:>10} {:>9} {:>9} {:>10}",
        job.name,
        "system",
        "GPUs",
        "time(s)",
        "MJ",
        "avg(MW)",
        "peak(MW)",
        "tokens/J",
        "kW/rack",
        "W/GPU all-in"
    );
    let mut bars = Vec::new();
    for (name, src, job) in &systems {
        let topo = parse(src, name, &[]);
        let r = iteration::run(&topo, job, Params::default())
            .unwrap_or_else(|e| die(&format!("{name}: {e}")));
        let e = job_energy(&topo, job, &r);
        println!(
            "{name:>18} {:>6} {:>9.3} {:>9.2} {:>10.3} {:>10.3} {:>9.3} {:>9.1} {:>10.0}",
            r.accelerators.used,
            r.iteration.total_time_s,
            e.joules_per_iteration / 1e6,
            e.average_power_w / 1e6,
            e.peak_power_w / 1e6,
            e.tokens_per_joule,
            e.per_domain.peak_kw,
            e.all_in_w_per_accelerator
        );
        bars.push(from::energy_stack(name, &e.by_part));
    }
    save(
        "energy-clusters-breakdown",
        &EnergyBreakdown {
            title: "Energy of one Llama 3 70B iteration (9.4M tokens) by part".into(),
            per: "iteration".into(),
            bars,
        },
    );
}
