//! RCCL's cost model against values computed by hand from its tables
//! (module docs of `rccl.rs`), on the two platforms it was written for: one
//! 8×MI300X server (7 xGMI links per GPU, `B` = 7 × 48 = 336 GB/s) and two
//! of them with one NIC per GPU.

use super::*;

fn mi300x(nodes: usize) -> RcclShape {
    RcclShape {
        ranks: 8 * nodes,
        nodes,
        gfx: Gfx::Gfx942,
        bus_gbps: 7.0 * 48.0,
        ll128: nodes > 1,
    }
}

fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{got} vs {want}"
    );
}

fn entry(s: &RcclShape, op: Op, a: NcclAlgo, p: Protocol) -> (f64, f64) {
    model(s, op, a, p).unwrap_or_else(|| panic!("{a:?}/{p:?} disabled"))
}

/// One node, all-reduce. Ring/Simple: 336 · 8/14 = 192 GB/s, 17 + 14 · 2.1
/// = 46.4 µs; ring/LL: 336 · 0.08 · 8/14 = 15.36 GB/s, 12 + 14 · 0.8 = 23.2
/// µs; tree/LL: 336 · 0.06 / 2 = 10.08 GB/s, 12 + 2 · 7 · 0.9 = 24.6 µs.
/// Tree/Simple (all ranks on one node) and LL128 (no NICs) are off.
#[test]
fn one_mi300x_node_all_reduce_entries() {
    let s = mi300x(1);
    let ar = Op::AllReduce;
    let (lat, bw) = entry(&s, ar, NcclAlgo::Ring, Protocol::Simple);
    close(lat, 46.4);
    close(bw, 192.0);
    let (lat, bw) = entry(&s, ar, NcclAlgo::Ring, Protocol::Ll);
    close(lat, 23.2);
    close(bw, 15.36);
    let (lat, bw) = entry(&s, ar, NcclAlgo::Tree, Protocol::Ll);
    close(lat, 24.6);
    close(bw, 10.08);
    assert!(model(&s, ar, NcclAlgo::Tree, Protocol::Simple).is_none());
    assert!(model(&s, ar, NcclAlgo::Ring, Protocol::Ll128).is_none());
    // Trees only reduce all of a buffer; NVLS and CollNet are NVIDIA's.
    assert!(model(&s, Op::AllGather, NcclAlgo::Tree, Protocol::Ll).is_none());
    assert!(model(&s, ar, NcclAlgo::Nvls, Protocol::Simple).is_none());
}

/// 1 KiB (bucket 4; the ring is not corrected on one node): ring/LL 23.2 +
/// 1024/15 360 = 23.267 µs beats tree/LL 24.6 + 1024/(10 080 · 0.1) =
/// 25.616 µs and ring/Simple 46.405 µs. 1 MiB (bucket 14): ring/Simple
/// 46.4 + 1 048 576/192 000 = 51.861 µs beats ring/LL 91.47 µs and tree/LL
/// 128.6 µs.
#[test]
fn one_mi300x_node_picks_ring_ll_then_simple() {
    let s = mi300x(1);
    let c = choices(&s, Op::AllReduce, 1024.0);
    assert_eq!((c[0].0, c[0].1), (NcclAlgo::Ring, Protocol::Ll));
    close(c[0].2, (23.2 + 1024.0 / 15_360.0) * 1e-6);
    let tree = c.iter().find(|x| x.0 == NcclAlgo::Tree).unwrap();
    close(tree.2, (24.6 + 1024.0 / 1008.0) * 1e-6);
    let c = choices(&s, Op::AllReduce, 1_048_576.0);
    assert_eq!((c[0].0, c[0].1), (NcclAlgo::Ring, Protocol::Simple));
    close(c[0].2, (46.4 + 1_048_576.0 / 192_000.0) * 1e-6);
}

/// Two nodes, all-reduce, AMD host (network overhead 2 µs, ×3 Simple).
/// Ring/Simple: 336 · 16/30 = 179.2 GB/s, 17 + 28 · 6 + 2 · 320 = 825 µs;
/// ring/LL: 14.336 GB/s, 12 + 28 · 2 + 2 · 9.5 = 87 µs; tree/LL 10.08 GB/s,
/// 12 + 2(7 · 0.9 + 10.5) = 45.6 µs; tree/Simple 336 · 0.11 / 2 = 18.48
/// GB/s, 17 + 2(7 · 2.3 + 25) = 99.2 µs.
#[test]
fn two_mi300x_nodes_all_reduce_entries() {
    let s = mi300x(2);
    let ar = Op::AllReduce;
    let (lat, bw) = entry(&s, ar, NcclAlgo::Ring, Protocol::Simple);
    close(lat, 825.0);
    close(bw, 179.2);
    let (lat, bw) = entry(&s, ar, NcclAlgo::Ring, Protocol::Ll);
    close(lat, 87.0);
    close(bw, 14.336);
    let (lat, bw) = entry(&s, ar, NcclAlgo::Tree, Protocol::Ll);
    close(lat, 45.6);
    close(bw, 10.08);
    let (lat, bw) = entry(&s, ar, NcclAlgo::Tree, Protocol::Simple);
    close(lat, 99.2);
    close(bw, 18.48);
    assert!(model(&s, ar, NcclAlgo::Tree, Protocol::Ll128).is_some());
}

/// Two nodes: 1 KiB tree/LL (ties with tree/LL128, LL first; in the LL
/// window (0, 1 MiB]); 4 MiB the model's tree/Simple (99.2 + 4 194 304 /
/// 18 480 = 326.2 µs against ring/Simple 825 + 4 194 304/17 920 = 1059 µs)
/// becomes tree/LL128 by the LL128 window (1 MiB, 9 MiB]; 16 MiB tree/Simple
/// (99.2 + 16 777 216/18 480 = 1007.1 µs; ring/Simple, corrected ×0.1, 1761
/// µs); 256 MiB ring/Simple (825 + 268 435 456/179 200 = 2323 µs; tree/Simple
/// ×0.7, 20 850 µs); the tree/Simple → ring/Simple switch between 64 and
/// 128 MiB.
#[test]
fn two_mi300x_nodes_pick_tree_then_ring() {
    let s = mi300x(2);
    let pick = |size: f64| {
        let c = choices(&s, Op::AllReduce, size);
        (c[0].0, c[0].1, c[0].2)
    };
    let (a, p, _) = pick(1024.0);
    assert_eq!((a, p), (NcclAlgo::Tree, Protocol::Ll));
    let before = ranking(&s, Op::AllReduce, 4_194_304.0)[0];
    assert_eq!((before.0, before.1), (NcclAlgo::Tree, Protocol::Simple));
    close(before.2, (99.2 + 4_194_304.0 / 18_480.0) * 1e-6);
    let (a, p, t) = pick(4_194_304.0);
    assert_eq!((a, p), (NcclAlgo::Tree, Protocol::Ll128));
    close(t, (45.6 + 4_194_304.0 / 1008.0) * 1e-6);
    let (a, p, t) = pick(16_777_216.0);
    assert_eq!((a, p), (NcclAlgo::Tree, Protocol::Simple));
    close(t, (99.2 + 16_777_216.0 / 18_480.0) * 1e-6);
    let (a, p, t) = pick(268_435_456.0);
    assert_eq!((a, p), (NcclAlgo::Ring, Protocol::Simple));
    close(t, (825.0 + 268_435_456.0 / 179_200.0) * 1e-6);
    // The switch to the ring: 64 MiB (bucket 20) tree/Simple 99.2 +
    // 67 108 864/18 480 = 3730.6 µs against ring/Simple (×0.1) 4569.9 µs;
    // 128 MiB (bucket 21) ring/Simple 825 + 134 217 728/17 920 = 8314.8 µs
    // against tree/Simple (×0.7) 10 474.7 µs.
    let (a, p, t) = pick(67_108_864.0);
    assert_eq!((a, p), (NcclAlgo::Tree, Protocol::Simple));
    close(t, (99.2 + 67_108_864.0 / 18_480.0) * 1e-6);
    let (a, p, t) = pick(134_217_728.0);
    assert_eq!((a, p), (NcclAlgo::Ring, Protocol::Simple));
    close(t, (825.0 + 134_217_728.0 / 17_920.0) * 1e-6);
}

/// The protocol windows: sizes per rank `(min, max]`, the LL128 window
/// after the LL one, its upper end ×3.8 for all-reduce above 2 nodes, no
/// change on one node or for a collective without windows.
#[test]
fn protocol_windows() {
    let s = mi300x(2);
    let rule = |s: &RcclShape, op, size| protocol_after_rules(s, op, size, Protocol::Simple);
    assert_eq!(rule(&s, Op::AllReduce, 1_048_576.0), Protocol::Ll);
    assert_eq!(rule(&s, Op::AllReduce, 1_048_577.0), Protocol::Ll128);
    assert_eq!(rule(&s, Op::AllReduce, 9_437_184.0), Protocol::Ll128);
    assert_eq!(rule(&s, Op::AllReduce, 9_437_185.0), Protocol::Simple);
    // All-gather: per rank S/16; 98 304 is the end of LL, 5 046 272 of LL128.
    assert_eq!(rule(&s, Op::AllGather, 16.0 * 98_304.0), Protocol::Ll);
    assert_eq!(rule(&s, Op::AllGather, 16.0 * 98_305.0), Protocol::Ll128);
    assert_eq!(
        rule(&s, Op::AllGather, 16.0 * 5_046_273.0),
        Protocol::Simple
    );
    // gfx942 has no broadcast window: the model's protocol stays.
    assert_eq!(
        protocol_after_rules(&s, Op::Broadcast, 1024.0, Protocol::Ll128),
        Protocol::Ll128
    );
    let one = mi300x(1);
    assert_eq!(rule(&one, Op::AllReduce, 1024.0), Protocol::Simple);
    let four = RcclShape {
        ranks: 32,
        nodes: 4,
        gfx: Gfx::Gfx950,
        ..mi300x(4)
    };
    // gfx950 all-reduce LL128 up to 17 660 227 B, ×3.8 above two nodes.
    assert_eq!(rule(&four, Op::AllReduce, 60_000_000.0), Protocol::Ll128);
    let two = RcclShape {
        ranks: 16,
        nodes: 2,
        ..four.clone()
    };
    assert_eq!(rule(&two, Op::AllReduce, 60_000_000.0), Protocol::Simple);
    assert_eq!(rule(&two, Op::AllReduce, 131_071.0), Protocol::Ll);
    // Without LL128 (one NIC per GPU not given), the LL128 window is skipped.
    let no128 = RcclShape { ll128: false, ..s };
    assert_eq!(rule(&no128, Op::AllReduce, 4_194_304.0), Protocol::Simple);
}

/// Architectures by accelerator preset, and their tuning models.
#[test]
fn gfx_of_accelerators() {
    assert_eq!(Gfx::of_accelerator("mi300x"), Some(Gfx::Gfx942));
    assert_eq!(Gfx::of_accelerator("mi325x"), Some(Gfx::Gfx942));
    assert_eq!(Gfx::of_accelerator("mi355x"), Some(Gfx::Gfx950));
    assert_eq!(Gfx::of_accelerator("mi450"), None);
    assert_eq!(Gfx::of_accelerator("h100"), None);
    assert_eq!(
        (Gfx::Gfx942.tuning_model(), Gfx::Gfx950.tuning_model()),
        (5, 6)
    );
}
