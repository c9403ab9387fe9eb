//! Example: one Llama 3 405B training iteration (`workloads/llama3-405b-8k.toml`:
//! TP 8 · PP 16 · DP 64 on 8,192 H100s) on three candidate fabrics of 8,192
//! GPUs, each built by editing the text of
//! `topologies/h100-1024node-3tier.toml` (non-blocking 3-tier rail-optimized
//! 400G NDR InfiniBand) in memory:
//! - as shipped (adaptive routing modelled as `weighted`);
//! - 2:1 oversubscribed leaves (half the leaf uplinks, fewer spines/cores);
//! - ECMP hash routing instead of adaptive routing.
//!
//! Prints the iteration table and writes `plots/llama405b-clusters-breakdown`
//! (compute, exposed communication per kind, pipeline bubble per fabric).
//!
//! Run: `cargo run --release --example llama405b_clusters`

mod common;

use common::{die, edit, parse, save, shipped, text};
use fabricsim::collective::Params;
use fabricsim::plot::Breakdown;
use fabricsim::plot_data as from;
use fabricsim::workload::{self, iteration};

fn main() {
    let job = workload::Job::load(
        shipped("workloads/llama3-405b-8k.toml"),
        &Default::default(),
    )
    .unwrap_or_else(|d| die(&d.render()));
    let base = text("topologies/h100-1024node-3tier.toml");
    let candidates = [
        ("non-blocking, adaptive", base.clone()),
        (
            "2:1 oversubscribed",
            edit(
                &base,
                "oversubscription = \"1:1\"",
                "oversubscription = \"2:1\"",
            ),
        ),
        (
            "ECMP hash",
            edit(&base, "routing = \"weighted\"", "routing = \"hash\""),
        ),
    ];
    println!(
        "# {} (times per iteration)\n{:>24} {:>12} {:>12} {:>12} {:>12} {:>10} {:>7}",
        job.name,
        "fabric",
        "total(ms)",
        "compute(ms)",
        "exposed(ms)",
        "bubble(ms)",
        "tokens/s",
        "MFU"
    );
    let mut bars = Vec::new();
    for (name, src) in &candidates {
        let topo = parse(src, &format!("h100-1024node-3tier ({name})"), &[]);
        let r = iteration::run(&topo, &job, Params::default())
            .unwrap_or_else(|e| die(&format!("{name}: {e}")));
        let it = &r.iteration;
        println!(
            "{name:>24} {:>12.1} {:>12.1} {:>12.1} {:>12.1} {:>10.0} {:>6.1}%",
            it.total_time_s * 1e3,
            it.compute_time_s * 1e3,
            it.exposed_comm_time_s * 1e3,
            it.bubble_s * 1e3,
            it.tokens_per_s,
            100.0 * it.mfu.unwrap_or(0.0)
        );
        let mut stack = from::job_stack(&r);
        stack.name = name.to_string();
        bars.push(stack);
    }
    save(
        "llama405b-clusters-breakdown",
        &Breakdown {
            title: "Llama 3 405B iteration (TP8 PP16 DP64) on three 8,192-GPU H100 fabrics".into(),
            bars,
        },
    );
}
