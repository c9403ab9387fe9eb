//! Example: what if part of the fabric fails? Failures are applied while
//! loading (`topology::parse_str_with_failures` with [`FailureSpec`]s in the
//! `--fail` syntax), so routing, bounds and collectives all see the degraded
//! graph.
//!
//! - `topologies/h100-2tier-16node.toml` (128 GPUs, 2 spines): lose spine0;
//! - the same fabric edited to 2 planes (each 400G NIC as 2 × 200G ports,
//!   one per plane): lose plane 1;
//! - `topologies/h100-2site-dci.toml` (2 sites × 512 GPUs, 12.8 Tb/s DCI):
//!   lose one of its 8 DCI links (the first, looked up in the loaded
//!   topology), with 64 GPUs on each site.
//!
//! All-reduce and all-to-all busbw before and after (all 128 GPUs of the
//! single-site fabric); writes
//! `plots/failure-whatif-TOPO-top-links` for the all-to-all after each
//! failure (the links that now carry the load).
//!
//! Run: `cargo run --release --example failure_whatif`

mod common;

use common::{GIB, MIB, die, edit, parse, request, save, text};
use fabricsim::collective::run::run_with_report;
use fabricsim::collective::{CollectiveSim, Op, Params};
use fabricsim::plot::TopLinks;
use fabricsim::plot_data as from;
use fabricsim::topology::{NodeId, Topology};

/// The ranks: every accelerator of a single-site fabric; on the two-site
/// fabric the first 64 GPUs of each site (8 servers each), so that half the
/// traffic crosses the DCI and the example stays fast.
fn ranks(topo: &Topology) -> Vec<NodeId> {
    let n = topo.accelerators.len();
    if topo.links.iter().any(|l| l.tier == "dci") {
        let half = n / 2;
        [
            &topo.accelerators[..64],
            &topo.accelerators[half..half + 64],
        ]
        .concat()
    } else {
        topo.accelerators.clone()
    }
}

/// busbw of `op` of `size` over [`ranks`]; plus the top-links plot.
fn busbw(topo: &Topology, op: Op, size: f64) -> (f64, TopLinks) {
    let mut sim = CollectiveSim::new(topo, Params::default());
    let (o, report) = run_with_report(&mut sim, &ranks(topo), &request(op, size))
        .unwrap_or_else(|e| die(&format!("{}: {e}", topo.name)));
    let bars = from::top_links(topo, &report, 12);
    (
        o.busbw_gbps,
        TopLinks {
            title: String::new(),
            bars,
        },
    )
}

fn main() {
    let two_tier = text("topologies/h100-2tier-16node.toml");
    let two_plane = edit(
        &two_tier,
        "nics_per_accelerator = 1",
        "nics_per_accelerator = 1\nplanes = 2",
    );
    let dci = text("topologies/h100-2site-dci.toml");
    let dci_link = dci_link_spec(&parse(&dci, "h100-2site-dci.toml", &[]));
    let cases: [(&str, &str, &str, String); 3] = [
        (
            "spine",
            "h100-2tier-16node",
            &two_tier,
            "switch:spine0".into(),
        ),
        (
            "plane",
            "h100-2tier-16node-2plane",
            &two_plane,
            "plane:1".into(),
        ),
        ("dci", "h100-2site-dci", &dci, dci_link),
    ];
    let ops = [(Op::AllReduce, GIB), (Op::AllToAll, 256.0 * MIB)];
    println!(
        "# busbw (GB/s), auto algorithm; 128 GPUs (2 sites: 64 + 64)\n{:>26} {:>28} {:>10} {:>10} {:>10} {:>10}",
        "topology", "failure", "AR 1GiB", "AR failed", "A2A 256M", "A2A fail"
    );
    for (short, name, src, fail) in &cases {
        let intact = parse(src, &format!("{name}.toml"), &[]);
        let failed = parse(src, &format!("{name}.toml"), &[fail.as_str()]);
        let mut row = Vec::new();
        let mut plot = None;
        for &(op, size) in &ops {
            let (a, _) = busbw(&intact, op, size);
            let (b, p) = busbw(&failed, op, size);
            row.extend([a, b]);
            if op == Op::AllToAll {
                plot = Some(p);
            }
        }
        println!(
            "{name:>26} {fail:>28} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            row[0], row[1], row[2], row[3]
        );
        let mut p = plot.expect("all-to-all ran");
        p.title = format!("Busiest links, all-to-all of 256 MiB on {name} after --fail {fail}");
        save(&format!("failure-whatif-{short}-top-links"), &p);
    }
}

/// `link:A,B` for the first DCI link of `topo` (tier `dci`).
fn dci_link_spec(topo: &Topology) -> String {
    let l = topo
        .links
        .iter()
        .find(|l| l.tier == "dci")
        .unwrap_or_else(|| die("no dci link"));
    let name = |n: fabricsim::topology::NodeId| topo.nodes[n.idx()].name.clone();
    format!("link:{},{}", name(l.src), name(l.dst))
}
