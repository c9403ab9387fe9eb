//! PXN: point-to-point sends between scale-up domains relay through the
//! sender domain's accelerator on the destination's rail
//! (`collective::pxn`). Checked on the shipped 16-node rail-optimized H100
//! fabric (8 rails, one 400G NIC per GPU) by where the bytes go and by the
//! closed form `t = latency(leg 1) + latency(leg 2) + S / 50 GB/s`.

use fabricsim::collective::{CollectiveSim, Params, RunReport, Schedule, Transfer};
use fabricsim::routing::Router;
use fabricsim::topology::{NodeId, Topology};

const S: f64 = 64.0 * 1024.0 * 1024.0;

fn fabric() -> Topology {
    Topology::load(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/topologies/h100-2tier-16node.toml"
        ),
        &Default::default(),
    )
    .unwrap()
}

fn id(t: &Topology, name: &str) -> NodeId {
    t.node_id(name).unwrap()
}

/// One send of `S` bytes, relayed (PXN) or not; zero α, line rate.
fn send(t: &Topology, src: &str, dst: &str, pxn: bool) -> RunReport {
    let tr = vec![Transfer {
        src: id(t, src),
        dst: id(t, dst),
        bytes: S,
    }];
    let mut s = Schedule::default();
    if pxn {
        s.push_pxn(tr, 1);
    } else {
        s.push(tr, 1);
    }
    let params = Params {
        alpha_s: Some(0.0),
        raw_capacity: true,
        ..Params::default()
    };
    CollectiveSim::new(t, params).run(&s).unwrap()
}

/// Bytes over the directed link `a → b`.
fn bytes(t: &Topology, r: &RunReport, a: &str, b: &str) -> f64 {
    let (a, b) = (id(t, a), id(t, b));
    t.links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.src == a && l.dst == b)
        .map(|(i, _)| r.link_bytes[i])
        .sum()
}

fn latency(t: &Topology, a: &str, b: &str) -> f64 {
    let mut r = Router::new(t, t.routing, 0);
    r.route(id(t, a), id(t, b), 0).unwrap().latency_s
}

#[test]
fn cross_rail_send_relays_through_the_rail_aligned_gpu() {
    let t = fabric();
    let r = send(&t, "d0.gpu3", "d1.gpu5", true);
    // The network leg leaves from GPU 5's NIC (rail 5), not GPU 3's.
    assert_eq!(bytes(&t, &r, "d0.gpu5", "d0.gpu5.nic0"), S);
    assert_eq!(bytes(&t, &r, "d0.gpu3", "d0.gpu3.nic0"), 0.0);
    assert_eq!(bytes(&t, &r, "d1.gpu5.nic0", "d1.gpu5"), S);
    // The NVLink leg: all of S leaves GPU 3 over its NVSwitch links.
    let nvlink_out: f64 = (0..4)
        .map(|k| bytes(&t, &r, "d0.gpu3", &format!("d0.sw{k}")))
        .sum();
    assert!((nvlink_out - S).abs() < 1e-6 * S, "{nvlink_out}");
    // The 400 Gb/s = 50 GB/s NIC links are the slowest on the path.
    let want = latency(&t, "d0.gpu3", "d0.gpu5") + latency(&t, "d0.gpu5", "d1.gpu5") + S / 50e9;
    assert!(
        ((r.time_s - want) / want).abs() < 1e-12,
        "{} vs {want}",
        r.time_s
    );
    // Without PXN the send crosses the spines from GPU 3's own NIC.
    let direct = send(&t, "d0.gpu3", "d1.gpu5", false);
    assert_eq!(bytes(&t, &direct, "d0.gpu3", "d0.gpu3.nic0"), S);
    assert_eq!(bytes(&t, &direct, "d0.gpu5", "d0.gpu5.nic0"), 0.0);
}

#[test]
fn rail_aligned_and_intra_domain_sends_do_not_relay() {
    let t = fabric();
    for (a, b) in [("d0.gpu5", "d1.gpu5"), ("d0.gpu3", "d0.gpu5")] {
        let relayed = send(&t, a, b, true);
        let direct = send(&t, a, b, false);
        assert_eq!(relayed, direct, "{a} → {b}");
    }
}
