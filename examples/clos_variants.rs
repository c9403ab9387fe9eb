//! Example: rail-optimized vs fat-tree vs rail-only at equal GPU count.
//!
//! Starts from `topologies/h100-2tier-16node.toml` (16 HGX H100, 128 GPUs,
//! one 400G NDR NIC per GPU, non-blocking 2-tier rail-optimized Clos) and
//! edits its text in memory into two variants of the same 128 GPUs:
//! - fat-tree: the same 2-tier Clos, but a leaf serves whole servers instead
//!   of rails, so GPU i of server a and GPU j of server b may share a leaf;
//! - rail-only (Wang et al., "How to build low-cost networks for large
//!   language models", 2023): one leaf per rail and no spine; traffic between
//!   rails crosses NVLink first.
//!
//! All-reduce (NCCL-style auto) and all-to-all (direct) busbw over all 128
//! GPUs at a few sizes; prints a table and writes
//! `plots/clos-variants-all-reduce-busbw` and `-all-to-all-busbw`.
//!
//! Run: `cargo run --release --example clos_variants`

mod common;

use common::{GIB, MIB, edit, parse, save, sweep, text};
use fabricsim::collective::{Op, Params};
use fabricsim::plot::{Busbw, fmt_bytes};
use fabricsim::plot_data as from;

fn main() {
    let base = text("topologies/h100-2tier-16node.toml");
    let shape = "topology = \"rail-optimized\"";
    let variants = [
        ("rail-optimized", base.clone()),
        ("fat-tree", edit(&base, shape, "topology = \"fat-tree\"")),
        (
            "rail-only",
            // One tier: a 64-port leaf per rail holds all 16 NICs of the rail.
            edit(
                &edit(&base, shape, "topology = \"rail-only\""),
                "tiers = 2\noversubscription = \"1:1\"",
                "tiers = 1",
            ),
        ),
    ];
    let sizes = [16.0 * MIB, 128.0 * MIB, GIB];
    let params = Params::default();
    for op in [Op::AllReduce, Op::AllToAll] {
        let curves: Vec<_> = variants
            .iter()
            .map(|(name, src)| {
                let topo = parse(src, &format!("h100-16node-{name}.toml"), &[]);
                assert_eq!(topo.accelerators.len(), 128, "equal GPU count");
                (name.to_string(), sweep(&topo, &params, op, &sizes))
            })
            .collect();
        println!("# {} busbw (GB/s) over all 128 GPUs", op.name());
        print!("{:>9}", "size");
        for (name, _) in &curves {
            print!("  {name:>29}");
        }
        println!();
        for (i, &s) in sizes.iter().enumerate() {
            print!("{:>9}", fmt_bytes(s));
            for (_, c) in &curves {
                print!("  {:>14.1} {:>14}", c[i].busbw_gbps, c[i].algorithm.name());
            }
            println!();
        }
        println!();
        let series = curves
            .iter()
            .enumerate()
            .flat_map(|(i, (name, c))| from::busbw_series(name, c, i))
            .collect();
        save(
            &format!("clos-variants-{}-busbw", op.name()),
            &Busbw {
                title: format!(
                    "{} busbw, 16× HGX H100 (128 GPUs), three scale-out shapes (equal curves overlap)",
                    op.name()
                ),
                series,
            },
        );
    }
}
