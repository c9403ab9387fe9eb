//! Example: packet spraying vs ECMP hashing on an 800G Ethernet fabric.
//!
//! `topologies/gb300-nvl72-16rack.toml` (16 GB300 NVL72 racks, one 800G NIC
//! per GPU, non-blocking 2-tier rail-optimized Ethernet) sprays packets over
//! all equal-cost paths. `Params.routing = Some(Hash)` instead pins each flow
//! to one seeded path through the Ethernet tiers, as classic ECMP does
//! (NVLink hops are not hashed but interleaved over the ports, as weighted
//! routing does; none of the transfers below crosses NVLink).
//!
//! 16 GPUs take part, one per rack: rank i is GPU `2·(i mod 2)` of rack i,
//! so neighbouring ranks sit on the leaves of different rails (rails 0 and 1
//! share leaf 0, rails 2 and 3 leaf 1) and every transfer crosses the spines,
//! never NVLink. Eight flows per leaf meet 18 spines: with hashing some share
//! an uplink or downlink (birthday collisions) and run at a fraction of line
//! rate; spraying spreads each flow over all spines. An all-to-all (direct,
//! 16·15 flows) averages collisions out better.
//!
//! Prints busbw for spray and three hash seeds; writes
//! `plots/spray-vs-hash-busbw` (send-recv and all-reduce, spray vs hash seed
//! 0) and `plots/spray-vs-hash-top-links` (the busiest links of the hashed
//! send-recv: the collided uplinks).
//!
//! Run: `cargo run --release --example spray_vs_hash`

mod common;

use common::{GIB, MIB, die, load, request, save};
use fabricsim::collective::run::{Outcome, run, run_with_report};
use fabricsim::collective::{CollectiveSim, Op, Params};
use fabricsim::plot::{Busbw, Series, TopLinks, fmt_bytes};
use fabricsim::plot_data as from;
use fabricsim::topology::RoutingMode;
use fabricsim::topology::{NodeId, Topology};

fn ranks(topo: &Topology) -> Vec<NodeId> {
    (0..16)
        .map(|i| {
            let name = format!("d{i}.gpu{}", 2 * (i % 2));
            topo.node_id(&name)
                .unwrap_or_else(|| die(&format!("no node {name}")))
        })
        .collect()
}

fn params(routing: RoutingMode, seed: u64) -> Params {
    Params {
        routing: Some(routing),
        seed,
        ..Params::default()
    }
}

fn sweep(topo: &Topology, ranks: &[NodeId], p: &Params, op: Op, sizes: &[f64]) -> Vec<Outcome> {
    let mut sim = CollectiveSim::new(topo, p.clone());
    sizes
        .iter()
        .map(|&s| run(&mut sim, ranks, &request(op, s)).unwrap_or_else(|e| die(&e.to_string())))
        .collect()
}

fn main() {
    let topo = load("topologies/gb300-nvl72-16rack.toml", &[]);
    let ranks = ranks(&topo);
    let sizes = [16.0 * MIB, 128.0 * MIB, GIB];
    let modes = [
        ("spray", params(RoutingMode::Spray, 0)),
        ("hash seed 0", params(RoutingMode::Hash, 0)),
        ("hash seed 1", params(RoutingMode::Hash, 1)),
        ("hash seed 2", params(RoutingMode::Hash, 2)),
    ];
    let mut series = Vec::new();
    for (k, op) in [Op::SendRecv, Op::AllReduce, Op::AllToAll]
        .into_iter()
        .enumerate()
    {
        println!(
            "# {} busbw (GB/s), one GPU in each of 16 racks, auto algorithm",
            op.name()
        );
        print!("{:>9}", "size");
        for (name, _) in &modes {
            print!("  {name:>12}");
        }
        println!();
        let curves: Vec<_> = modes
            .iter()
            .map(|(_, p)| sweep(&topo, &ranks, p, op, &sizes))
            .collect();
        for (i, &s) in sizes.iter().enumerate() {
            print!("{:>9}", fmt_bytes(s));
            for c in &curves {
                print!("  {:>12.1}", c[i].busbw_gbps);
            }
            println!();
        }
        println!();
        // Plot spray and hash seed 0 of send-recv and all-reduce (all-to-all
        // is in the table: its two curves coincide).
        if op != Op::AllToAll {
            for (m, dashed) in [(0, false), (1, true)] {
                series.push(Series {
                    name: format!("{} {}", op.name(), modes[m].0),
                    points: curves[m].iter().map(|o| (o.bytes, o.busbw_gbps)).collect(),
                    dashed,
                    color: k,
                });
            }
        }
    }
    save(
        "spray-vs-hash-busbw",
        &Busbw {
            title: "Spray (solid) vs ECMP hash (dashed), 16× GB300 NVL72, 800G Ethernet".into(),
            series,
        },
    );
    // Where the hashed send-recv loses: its busiest links.
    let mut sim = CollectiveSim::new(&topo, modes[1].1.clone());
    let (o, report) = run_with_report(&mut sim, &ranks, &request(Op::SendRecv, GIB))
        .unwrap_or_else(|e| die(&e.to_string()));
    println!(
        "hashed send-recv of 1 GiB: {:.1} GB/s busbw, bottleneck {}",
        o.busbw_gbps,
        o.bottleneck.as_ref().map_or("-", |b| b.link.as_str())
    );
    save(
        "spray-vs-hash-top-links",
        &TopLinks {
            title: "Busiest links, send-recv of 1 GiB with ECMP hash (seed 0)".into(),
            bars: from::top_links(&topo, &report, 12),
        },
    );
}
