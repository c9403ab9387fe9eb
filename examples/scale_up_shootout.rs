//! Example: scale-up shoot-out. All-reduce busbw from 1 MiB to 8 GiB over
//! every accelerator of four single scale-up domains: GB300 NVL72 (NVLink 5
//! with NVLS), AMD Helios MI450 (UALink-style), MI355X (8-GPU xGMI full
//! mesh) and HGX B300 (8-GPU NVLink 5). The `auto` algorithm picks the
//! fastest of ring, tree, NVLS, hierarchical (and direct on full meshes) per
//! size, as NCCL's tuner would.
//!
//! Prints one table (busbw in GB/s = 1e9 bytes/s, the algorithm chosen) and
//! writes `plots/scale-up-shootout-busbw.{png,svg}`: one curve per domain,
//! its lower bound dashed.
//!
//! Run: `cargo run --release --example scale_up_shootout`

mod common;

use common::{GIB, MIB, doubling, load, save, sweep};
use fabricsim::collective::{Op, Params};
use fabricsim::plot::{Busbw, fmt_bytes};
use fabricsim::plot_data as from;

const FABRICS: [(&str, &str); 4] = [
    ("GB300 NVL72", "topologies/gb300-nvl72.toml"),
    ("Helios MI450", "topologies/helios-mi450.toml"),
    ("MI355X x8", "topologies/mi355x-8.toml"),
    ("HGX B300", "topologies/hgx-b300.toml"),
];

fn main() {
    let sizes = doubling(MIB, 8.0 * GIB);
    let params = Params::default();
    // One busbw curve per scale-up domain (all its accelerators).
    let curves: Vec<_> = FABRICS
        .iter()
        .map(|(name, file)| {
            let topo = load(file, &[]);
            let n = topo.accelerators.len();
            // Short names keep "NAME (bound)" whole in the legend.
            (
                name.to_string(),
                n,
                sweep(&topo, &params, Op::AllReduce, &sizes),
            )
        })
        .collect();

    println!("# all-reduce busbw (GB/s) over all GPUs of one scale-up domain, auto algorithm");
    print!("{:>9}", "size");
    for (name, n, _) in &curves {
        print!("  {:>26}", format!("{name} ({n} GPUs)"));
    }
    println!();
    for (i, &s) in sizes.iter().enumerate() {
        print!("{:>9}", fmt_bytes(s));
        for (_, _, c) in &curves {
            let o = &c[i];
            print!("  {:>13.1} {:>12}", o.busbw_gbps, o.algorithm.name());
        }
        println!();
    }

    let series = curves
        .iter()
        .enumerate()
        .flat_map(|(i, (name, _, c))| from::busbw_series(name, c, i))
        .collect();
    save(
        "scale-up-shootout-busbw",
        &Busbw {
            title: "All-reduce busbw over one scale-up domain (72, 72, 8, 8 GPUs; auto algorithm)"
                .into(),
            series,
        },
    );
}
