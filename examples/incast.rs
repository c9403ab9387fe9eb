//! Example: incast vs. permutation traffic on a shipped two-tier cluster.
//!
//! This example demonstrates the library pipeline end to end: load and
//! validate a topology file, route flows with ECMP, and run the exact
//! max-min flow engine.
//!
//! Sixteen GPUs on rail 0 (GPU 0 of each of the 16 HGX nodes) each send
//! 1 GiB. In the *incast* pattern they all send to node 0's GPU 0, whose
//! single 400 Gb/s NIC link is the bottleneck: 15 × 1 GiB / 50 GB/s. In the
//! *permutation* pattern node i sends to node i+1, and the non-blocking
//! fabric gives every flow its full NIC rate: 1 GiB / 50 GB/s.
//!
//! Run: `cargo run --release --example incast`

use fabricsim::flow::{Flow, simulate};
use fabricsim::routing::Router;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/h100-2tier-16node.toml"
    );
    let topo = match fabricsim::topology::Topology::load(path, &Default::default()) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("{}", d.render());
            std::process::exit(1);
        }
    };
    let capacity: Vec<f64> = topo.links.iter().map(|l| l.capacity_bps).collect();
    let gpu = |node: usize| topo.node_id(&format!("d{node}.gpu0")).expect("GPU exists");
    let bytes = (1u64 << 30) as f64;
    let mut router = Router::new(&topo, topo.routing, 0);

    let mut run = |name: &str, pairs: &[(usize, usize)]| {
        let flows: Vec<Flow> = pairs
            .iter()
            .enumerate()
            .map(|(i, &(s, d))| {
                let r = router.route(gpu(s), gpu(d), i as u64).expect("routable");
                Flow {
                    route: r.links.iter().map(|&(l, f)| (l.0, f)).collect(),
                    latency_s: r.latency_s,
                    bytes,
                    start_s: 0.0,
                    deps: Vec::new(),
                    delay_s: 0.0,
                }
            })
            .collect();
        let out = simulate(&capacity, &flows).expect("valid flows");
        println!(
            "{name:<12} {:>3} flows  makespan {:>9.3} ms",
            flows.len(),
            out.makespan_s() * 1e3
        );
        out.makespan_s()
    };

    let incast: Vec<(usize, usize)> = (1..16).map(|s| (s, 0)).collect();
    let permutation: Vec<(usize, usize)> = (0..16).map(|s| (s, (s + 1) % 16)).collect();
    let t_incast = run("incast", &incast);
    let t_perm = run("permutation", &permutation);
    println!(
        "incast / permutation = {:.2} (15 senders share one NIC link)",
        t_incast / t_perm
    );
}
