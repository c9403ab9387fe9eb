//! The parametric generators against hand-built explicit equivalents: for a small instance of every block — switched,
//! full-mesh and torus scale-up; rail-optimized 2-tier Clos; rail-only;
//! two planes; dragonfly; sites joined by DCI — the same fabric is written
//! as an explicit `[[nodes]]`/`[[links]]` file, built in the test with the
//! names the generator uses (docs/topology-format.md) and with every switch
//! count, leaf placement and lane bundle derived by hand in the comments
//! (never from `src/topology/clos.rs` or `blocks.rs`). Both files are loaded
//! and compared:
//!
//! (a) the graph: the (name, role) sets of the nodes, then the nodes'
//!     forwarding, forwarding latency, in-switch reduction and kind; the rank
//!     order of the accelerators; the multiset of directed links as (src
//!     name, dst name, kind, lanes, tier, capacity, latency); the routing
//!     mode and the per-kind efficiencies;
//! (b) the routes: for every ordered pair of accelerators, the links (by
//!     endpoint names) and fractions of `Router::route` in spray mode, and in
//!     weighted mode as well, with the route latency;
//! (c) a 64 MiB ring all-reduce over all accelerators (preset α and
//!     efficiencies): same time, bound and bus bandwidth, to 1e-12 relative.
//!
//! What an explicit file cannot express, and is therefore not compared:
//! - the `kind` of a generated NIC, which is the scale-out link kind (e.g.
//!   `infiniband-ndr`); an explicit `kind = "nic"` node has an empty kind,
//!   and a link kind is not a node kind. Nothing but reports reads it.
//! - the rail and plane groups the generator registers for `[[failures]]`
//!   (`rail = N`, `plane = N`); explicit files have none.
//! - the link ids (declaration order): routes and links are compared by
//!   endpoint names, and `hash`-mode routes, which pick among equal-cost
//!   next hops by position, are left out for that reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use fabricsim::collective::run::{DEFAULT_CHUNK_BYTES, Request, run};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};
use fabricsim::routing::Router;
use fabricsim::topology::RoutingMode;
use fabricsim::topology::{NodeRole, Topology};

const REL: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= REL * a.abs().max(b.abs())
}

// ------------------------------------------------------------- explicit files

/// An explicit topology file, written node by node and cable by cable.
#[derive(Default)]
struct Explicit {
    /// Top-level keys, e.g. `routing = "weighted"`.
    header: String,
    nodes: String,
    links: String,
}

impl Explicit {
    /// One `[[nodes]]` entry; `extra` lines such as `forwards = true`.
    fn node(&mut self, id: &str, kind: &str, extra: &[&str]) {
        let _ = writeln!(self.nodes, "[[nodes]]\nid = \"{id}\"\nkind = \"{kind}\"");
        for e in extra {
            let _ = writeln!(self.nodes, "{e}");
        }
    }

    /// One full-duplex `[[links]]` entry of `count` lanes; `extra` lines such
    /// as `bandwidth = "400 Gb/s"`.
    fn link(&mut self, a: &str, b: &str, kind: &str, tier: &str, count: u32, extra: &[&str]) {
        let _ = writeln!(
            self.links,
            "[[links]]\nbetween = [\"{a}\", \"{b}\"]\nkind = \"{kind}\"\ntier = \"{tier}\"\ncount = {count}"
        );
        for e in extra {
            let _ = writeln!(self.links, "{e}");
        }
    }

    fn text(&self) -> String {
        format!("{}{}{}", self.header, self.nodes, self.links)
    }

    /// A switched scale-up domain `{site}d{d}`: accelerators `gpu0..n`, then
    /// switches `sw0..lanes.len()`, and `lanes[s]` lanes of `kind` from every
    /// accelerator to switch `s` (no link for 0 lanes).
    #[allow(clippy::too_many_arguments)]
    fn switched_domain(
        &mut self,
        site: &str,
        d: usize,
        n: usize,
        lanes: &[u32],
        kind: &str,
        switch_kind: &str,
        gpu_extra: &[&str],
        switch_extra: &[&str],
    ) {
        for i in 0..n {
            self.node(&format!("{site}d{d}.gpu{i}"), "accelerator", gpu_extra);
        }
        for s in 0..lanes.len() {
            self.node(&format!("{site}d{d}.sw{s}"), switch_kind, switch_extra);
        }
        for i in 0..n {
            for (s, &l) in lanes.iter().enumerate() {
                if l > 0 {
                    let (g, sw) = (format!("{site}d{d}.gpu{i}"), format!("{site}d{d}.sw{s}"));
                    self.link(&g, &sw, kind, "scale-up", l, &[]);
                }
            }
        }
    }
}

// ------------------------------------------------------------- comparison

/// What a node is, apart from its name and role.
#[derive(Debug, PartialEq)]
struct NodeProps {
    forwards: bool,
    latency_s: f64,
    in_switch_reduction: bool,
    /// `None` for NICs (not expressible, see the module docs).
    kind: Option<String>,
}

/// A directed link by endpoint names.
#[derive(Debug)]
struct NamedLink {
    src: String,
    dst: String,
    kind: String,
    count: u32,
    tier: String,
    capacity_bps: f64,
    latency_s: f64,
}

fn named_links(t: &Topology) -> Vec<NamedLink> {
    let name = |n: fabricsim::topology::NodeId| t.nodes[n.idx()].name.clone();
    let mut v: Vec<NamedLink> = t
        .links
        .iter()
        .map(|l| NamedLink {
            src: name(l.src),
            dst: name(l.dst),
            kind: l.kind.clone(),
            count: l.count,
            tier: l.tier.to_string(),
            capacity_bps: l.capacity_bps,
            latency_s: l.latency_s,
        })
        .collect();
    v.sort_by(|a, b| {
        (&a.src, &a.dst, &a.kind, &a.tier, a.count)
            .cmp(&(&b.src, &b.dst, &b.kind, &b.tier, b.count))
            .then(a.capacity_bps.total_cmp(&b.capacity_bps))
            .then(a.latency_s.total_cmp(&b.latency_s))
    });
    v
}

/// (a): the same nodes, ranks and directed links.
fn assert_same_graph(g: &Topology, e: &Topology, what: &str) {
    let roles = |t: &Topology| -> BTreeMap<String, NodeRole> {
        t.nodes.iter().map(|n| (n.name.clone(), n.role)).collect()
    };
    assert_eq!(g.nodes.len(), e.nodes.len(), "{what}: node count");
    assert_eq!(roles(g), roles(e), "{what}: (name, role) of the nodes");
    for n in &g.nodes {
        let m = &e.nodes[e.node_id(&n.name).unwrap().idx()];
        let props = |x: &fabricsim::topology::Node| NodeProps {
            forwards: x.forwards,
            latency_s: x.latency_s,
            in_switch_reduction: x.in_switch_reduction,
            kind: (x.role != NodeRole::Nic).then(|| x.kind.clone()),
        };
        let (pg, pe) = (props(n), props(m));
        assert!(
            pg.forwards == pe.forwards
                && close(pg.latency_s, pe.latency_s)
                && pg.in_switch_reduction == pe.in_switch_reduction
                && pg.kind == pe.kind,
            "{what}: node {}: generated {pg:?}, explicit {pe:?}",
            n.name
        );
    }
    let ranks = |t: &Topology| -> Vec<String> {
        t.accelerators
            .iter()
            .map(|a| t.nodes[a.idx()].name.clone())
            .collect()
    };
    assert_eq!(ranks(g), ranks(e), "{what}: accelerators in rank order");
    let (lg, le) = (named_links(g), named_links(e));
    assert_eq!(lg.len(), le.len(), "{what}: directed links");
    for (x, y) in lg.iter().zip(&le) {
        assert!(
            (&x.src, &x.dst, &x.kind, x.count, &x.tier)
                == (&y.src, &y.dst, &y.kind, y.count, &y.tier)
                && close(x.capacity_bps, y.capacity_bps)
                && close(x.latency_s, y.latency_s),
            "{what}: generated link {x:?}, explicit {y:?}"
        );
    }
    assert_eq!(g.routing, e.routing, "{what}: routing mode");
    assert_eq!(g.link_efficiency, e.link_efficiency, "{what}: efficiencies");
}

/// A route as (src name, dst name) → fraction, and its latency.
fn named_route(
    t: &Topology,
    r: &mut Router<'_>,
    a: &str,
    b: &str,
) -> (BTreeMap<(String, String), f64>, f64) {
    let route = r
        .route(t.node_id(a).unwrap(), t.node_id(b).unwrap(), 0)
        .unwrap_or_else(|e| panic!("{a} → {b}: {e}"));
    let mut m = BTreeMap::new();
    for (l, f) in route.links {
        let l = &t.links[l.idx()];
        let key = (
            t.nodes[l.src.idx()].name.clone(),
            t.nodes[l.dst.idx()].name.clone(),
        );
        // One link per ordered pair of nodes in these fabrics (checked in
        // assert_same_graph through the link multiset): no sum hides anything.
        assert!(m.insert(key, f).is_none());
    }
    (m, route.latency_s)
}

/// (b): every ordered pair of accelerators routes over the same named
/// links with the same fractions, in spray and weighted mode.
fn assert_same_routes(g: &Topology, e: &Topology, what: &str) {
    let names: Vec<String> = g
        .accelerators
        .iter()
        .map(|a| g.nodes[a.idx()].name.clone())
        .collect();
    for mode in [RoutingMode::Spray, RoutingMode::Weighted] {
        let (mut rg, mut re) = (Router::new(g, mode, 0), Router::new(e, mode, 0));
        for a in &names {
            for b in names.iter().filter(|b| *b != a) {
                let (mg, latg) = named_route(g, &mut rg, a, b);
                let (me, late) = named_route(e, &mut re, a, b);
                let same = mg.len() == me.len()
                    && mg
                        .iter()
                        .zip(&me)
                        .all(|((kg, fg), (ke, fe))| kg == ke && close(*fg, *fe));
                assert!(
                    same,
                    "{what}: {mode:?} route {a} → {b}:\n generated {mg:?}\n explicit  {me:?}"
                );
                assert!(
                    close(latg, late),
                    "{what}: {a} → {b} latency {latg:e} vs {late:e}"
                );
            }
        }
    }
}

/// (c): a 64 MiB ring all-reduce over all accelerators takes the same time.
fn assert_same_collective(g: &Topology, e: &Topology, what: &str) {
    let req = Request {
        op: Op::AllReduce,
        algo: Algo::Ring,
        size: 64.0 * 1024.0 * 1024.0,
        channels: None,
        chunk_bytes: DEFAULT_CHUNK_BYTES,
        protocol: None,
    };
    let time = |t: &Topology| {
        let mut sim = CollectiveSim::new(t, Params::default());
        run(&mut sim, &t.accelerators, &req).unwrap_or_else(|err| panic!("{what}: {err}"))
    };
    let (og, oe) = (time(g), time(e));
    assert!(og.time_s > 0.0);
    assert!(
        close(og.time_s, oe.time_s),
        "{what}: ring all-reduce {:e} s generated, {:e} s explicit",
        og.time_s,
        oe.time_s
    );
    assert!(close(og.bound_s, oe.bound_s), "{what}: bound");
    assert!(close(og.busbw_gbps, oe.busbw_gbps), "{what}: busbw");
    assert_eq!(og.steps, oe.steps, "{what}: steps");
}

/// Loads the block file and its explicit equivalent and compares (a)–(c).
fn assert_equivalent(blocks: &str, explicit: &Explicit, what: &str) {
    let g = Topology::parse(blocks, "blocks.toml", &Default::default())
        .unwrap_or_else(|d| panic!("{what} blocks:\n{d}"));
    let text = explicit.text();
    let e = Topology::parse(&text, "explicit.toml", &Default::default())
        .unwrap_or_else(|d| panic!("{what} explicit:\n{d}"));
    assert!(g.accelerators.len() >= 2);
    assert_same_graph(&g, &e, what);
    assert_same_routes(&g, &e, what);
    assert_same_collective(&g, &e, what);
}

// ------------------------------------------------------------- scale-up

/// One switched domain: 4 GPUs, 3 NVSwitches with 2, 0 and 1 NVLink4 lanes
/// per GPU. A switch with 0 lanes exists but has no link (docs: node count
/// `D·(N+S)`, switches with 0 lanes omitted from the links).
#[test]
fn equivalent_switched_scale_up() {
    let blocks = r#"
[scale_up]
kind = "nvlink4"
accelerators = 4
switches = 3
links_per_switch = [2, 0, 1]
switch_kind = "nvswitch-gen3"
in_switch_reduction = false
"#;
    let mut x = Explicit::default();
    x.switched_domain(
        "",
        0,
        4,
        &[2, 0, 1],
        "nvlink4",
        "nvswitch-gen3",
        &[],
        &["in_switch_reduction = false"],
    );
    assert_equivalent(blocks, &x, "switched");
}

/// A full mesh of 4 xGMI GPUs with 2 lanes per pair: 6 links, the GPUs stay
/// endpoints (every pair is one hop).
#[test]
fn equivalent_full_mesh() {
    let blocks = r#"
[scale_up]
topology = "full-mesh"
kind = "xgmi3"
accelerators = 4
links_per_peer = 2
"#;
    let mut x = Explicit::default();
    for i in 0..4 {
        x.node(&format!("d0.gpu{i}"), "accelerator", &[]);
    }
    for i in 0..4 {
        for j in i + 1..4 {
            let (a, b) = (format!("d0.gpu{i}"), format!("d0.gpu{j}"));
            x.link(&a, &b, "xgmi3", "scale-up", 2, &[]);
        }
    }
    assert_equivalent(blocks, &x, "full mesh");
}

/// The torus links by hand: chip `i = Σ x_k·Π_{l>k} d_l`, joined to
/// `x_k + 1 (mod d_k)` along every dimension (which also covers `x_k − 1`);
/// a dimension of 2 gives one link per pair, so pairs are deduplicated.
fn torus_explicit(dims: &[usize], lanes: u32) -> Explicit {
    let n: usize = dims.iter().product();
    let mut x = Explicit::default();
    for i in 0..n {
        x.node(
            &format!("d0.gpu{i}"),
            "accelerator",
            &["forwards = true", "latency = \"30 ns\""],
        );
    }
    let coords = |mut i: usize| -> Vec<usize> {
        let mut c = vec![0; dims.len()];
        for k in (0..dims.len()).rev() {
            c[k] = i % dims[k];
            i /= dims[k];
        }
        c
    };
    let index = |c: &[usize]| c.iter().zip(dims).fold(0, |acc, (x, d)| acc * d + x);
    let mut pairs = std::collections::BTreeSet::new();
    for i in 0..n {
        for k in 0..dims.len() {
            let mut c = coords(i);
            c[k] = (c[k] + 1) % dims[k];
            let j = index(&c);
            pairs.insert((i.min(j), i.max(j)));
        }
    }
    // Σ_k (n/d_k)·ℓ_k with ℓ_k = d_k, or 1 for d_k = 2.
    let want: usize = dims
        .iter()
        .map(|&d| n / d * if d == 2 { 1 } else { d })
        .sum();
    assert_eq!(pairs.len(), want);
    for (i, j) in pairs {
        x.link(
            &format!("d0.gpu{i}"),
            &format!("d0.gpu{j}"),
            "custom",
            "scale-up",
            lanes,
            &["bandwidth = \"50 GB/s\"", "latency = \"100 ns\""],
        );
    }
    x
}

/// A 3 × 4 torus (24 links, 4 neighbours each), a 2 × 2 × 3 one (a
/// dimension of 2 has a single neighbour) and a ring of 5: the chips
/// forward, with a forwarding latency.
#[test]
fn equivalent_torus() {
    for dims in [&[3usize, 4][..], &[2, 2, 3], &[5]] {
        let blocks = format!(
            r#"
[scale_up]
topology = "torus"
kind = "custom"
bandwidth = "50 GB/s"
latency = "100 ns"
dims = {dims:?}
links_per_neighbor = 2
forwarding_latency = "30 ns"
"#
        );
        assert_equivalent(
            &blocks,
            &torus_explicit(dims, 2),
            &format!("torus {dims:?}"),
        );
    }
}

// ------------------------------------------------------------- scale-out

/// Full-mesh domains under a scale-out: 2 domains of 3 xGMI GPUs, the
/// file's routing `weighted` given in `[scale_out]` (explicitly: top level).
/// Rails: G = 3, E = 2, k = 4: d = 2, q = 1 → L = 3 leaves (rail i on leaf
/// i), u = 2; c = largest divisor of 2 with 3·c ≤ 4 = 1 → S = 2 spines.
#[test]
fn equivalent_full_mesh_under_scale_out() {
    let blocks = r#"
[scale_up]
topology = "full-mesh"
kind = "xgmi3"
accelerators = 3
domains = 2
[scale_out]
kind = "ethernet-400g"
switch_kind = "tomahawk5"
switch_radix = 4
routing = "weighted"
"#;
    let mut x = Explicit {
        header: "routing = \"weighted\"\n".to_string(),
        ..Explicit::default()
    };
    for d in 0..2 {
        for i in 0..3 {
            x.node(&format!("d{d}.gpu{i}"), "accelerator", &[]);
        }
        for i in 0..3 {
            for j in i + 1..3 {
                let (a, b) = (format!("d{d}.gpu{i}"), format!("d{d}.gpu{j}"));
                x.link(&a, &b, "xgmi3", "scale-up", 1, &[]);
            }
        }
    }
    LeafSpine {
        site: "",
        domains: 2,
        gpus: 3,
        nics: 1,
        planes: 1,
        leaves: 3,
        spines: 2,
        lanes: 1,
        leaf: &|r, _| r,
        kind: "ethernet-400g",
        nic_bw: "400 Gb/s",
        port_bw: "400 Gb/s",
        switch_kind: "tomahawk5",
        nic_link: None,
    }
    .add(&mut x);
    assert_equivalent(blocks, &x, "full mesh under a scale-out");
}

/// `D` domains of `N` GPUs on one NVSwitch (2 NVLink4 lanes each), for the
/// scale-out cases; `gpu_extra` for the accelerators (rail-only forwards).
fn domains(x: &mut Explicit, site: &str, d: usize, n: usize, gpu_extra: &[&str]) {
    for dom in 0..d {
        x.switched_domain(
            site,
            dom,
            n,
            &[2],
            "nvlink4",
            "nvswitch-gen3",
            gpu_extra,
            &[],
        );
    }
}

const SCALE_UP: &str = r#"
[scale_up]
kind = "nvlink4"
switches = 1
links_per_switch = 2
switch_kind = "nvswitch-gen3"
"#;

/// A hand-wired leaf–spine scale-out of one site: for every accelerator
/// `{site}d{d}.gpu{i}` (rank order) its NICs `.nic{n}` (attachment: the
/// scale-out kind at `nic_bw`, 0 ns, tier `nic`), NIC `n` of GPU `i` on
/// leaf `leaf(n·N + i, d)` of every plane (N = `gpus` per domain) (`port_bw`, tier `leaf`), every
/// leaf to every spine with `lanes` lanes (tier `spine`). Returns the top
/// switches (the spines), plane by plane.
struct LeafSpine<'a> {
    site: &'a str,
    domains: usize,
    gpus: usize,
    nics: usize,
    planes: usize,
    leaves: usize,
    spines: usize,
    lanes: u32,
    leaf: &'a dyn Fn(usize, usize) -> usize,
    kind: &'a str,
    nic_bw: &'a str,
    port_bw: &'a str,
    switch_kind: &'a str,
    /// `nic_link`: the attachment's preset kind instead of the scale-out
    /// kind at `nic_bw` with 0 ns.
    nic_link: Option<&'a str>,
}

impl LeafSpine<'_> {
    fn add(&self, x: &mut Explicit) -> Vec<String> {
        let site = self.site;
        let plane = |p: usize| {
            if self.planes > 1 {
                format!("{site}p{p}.")
            } else {
                site.to_string()
            }
        };
        for d in 0..self.domains {
            for i in 0..self.gpus {
                for n in 0..self.nics {
                    x.node(&format!("{site}d{d}.gpu{i}.nic{n}"), "nic", &[]);
                }
            }
        }
        let mut top = Vec::new();
        for p in 0..self.planes {
            for l in 0..self.leaves {
                x.node(&format!("{}leaf{l}", plane(p)), self.switch_kind, &[]);
            }
            for s in 0..self.spines {
                x.node(&format!("{}spine{s}", plane(p)), self.switch_kind, &[]);
                top.push(format!("{}spine{s}", plane(p)));
            }
        }
        let nic_bw = format!("bandwidth = \"{}\"", self.nic_bw);
        let port_bw = format!("bandwidth = \"{}\"", self.port_bw);
        for d in 0..self.domains {
            for i in 0..self.gpus {
                let gpu = format!("{site}d{d}.gpu{i}");
                for n in 0..self.nics {
                    let nic = format!("{gpu}.nic{n}");
                    match self.nic_link {
                        Some(kind) => x.link(&gpu, &nic, kind, "nic", 1, &[]),
                        None => x.link(
                            &gpu,
                            &nic,
                            self.kind,
                            "nic",
                            1,
                            &[&nic_bw, "latency = \"0 ns\""],
                        ),
                    }
                    for p in 0..self.planes {
                        let leaf = format!("{}leaf{}", plane(p), (self.leaf)(n * self.gpus + i, d));
                        x.link(&nic, &leaf, self.kind, "leaf", 1, &[&port_bw]);
                    }
                }
            }
        }
        for p in 0..self.planes {
            for l in 0..self.leaves {
                for s in 0..self.spines {
                    let (a, b) = (
                        format!("{}leaf{l}", plane(p)),
                        format!("{}spine{s}", plane(p)),
                    );
                    x.link(&a, &b, self.kind, "spine", self.lanes, &[&port_bw]);
                }
            }
        }
        top
    }
}

/// The sizing of `[scale_out]` shared by several cases: InfiniBand NDR on
/// 4-port Quantum-2, 2 tiers, over 2 servers of 4 GPUs with one NIC each:
/// G = 4 rails of E = 2; g = ⌊4/2⌋ = 2, d = 2 ≥ E → q = ⌊2/2⌋ = 1 rail per
/// leaf, L = 4 leaves (rail r on leaf r), e = 2, u = 2; c = largest divisor
/// of 2 with 4·c ≤ 4 = 1 → S = 2 spines, single lanes.
fn ndr_k4(site: &str) -> LeafSpine<'_> {
    LeafSpine {
        site,
        domains: 2,
        gpus: 4,
        nics: 1,
        planes: 1,
        leaves: 4,
        spines: 2,
        lanes: 1,
        leaf: &|r, _| r,
        kind: "infiniband-ndr",
        nic_bw: "400 Gb/s",
        port_bw: "400 Gb/s",
        switch_kind: "quantum-2",
        nic_link: None,
    }
}

/// 2-tier rail-optimized Clos over 2 servers of 4 GPUs (G = N·R rails of
/// E = D = 2 endpoints), in three sizings:
///
/// 1. R = 1, k = 4, 1:1: [`ndr_k4`] (4 leaves, 2 spines, single lanes).
/// 2. R = 2, k = 8, 1:1: G = 8, d = 4, q = 2 rails per leaf → L = 4, rail
///    r = 4n + i on leaf ⌊r/2⌋ (NIC 0 of GPU i on leaf ⌊i/2⌋, NIC 1 on
///    leaf 2 + ⌊i/2⌋: a GPU's two NICs on two leaves); e = 4, u = 4;
///    c = largest divisor of 4 with 4·c ≤ 8 = 2 → S = 2 spines, 2 lanes.
/// 3. R = 1, k = 8, 3:1: g = ⌊8/4⌋ = 2, d = 6, q = 3 rails per leaf →
///    L = ⌈4/3⌉ = 2 leaves (rails 0–2 on leaf 0, rail 3 on leaf 1),
///    e = min(3, 4)·2 = 6, u = ⌈6/3⌉ = 2; c = largest divisor of 2 with
///    2·c ≤ 8 = 2 → S = 1 spine, 2 lanes.
#[test]
fn equivalent_rail_optimized_two_tier() {
    type Leaf = dyn Fn(usize, usize) -> usize;
    // (R, k, a:b, leaves, spines, lanes, leaf of (rail, server)).
    let cases: [(usize, u64, &str, usize, usize, u32, &Leaf); 3] = [
        (1, 4, "1:1", 4, 2, 1, &|r, _| r),
        (2, 8, "1:1", 4, 2, 2, &|r, _| r / 2),
        (1, 8, "3:1", 2, 1, 2, &|r, _| r / 3),
    ];
    for (r, k, ratio, leaves, spines, lanes, leaf) in cases {
        let what = format!("rail-optimized R = {r}, k = {k}, {ratio}");
        let blocks = format!(
            "{SCALE_UP}accelerators = 4\ndomains = 2\n\
             [scale_out]\nkind = \"infiniband-ndr\"\nnics_per_accelerator = {r}\n\
             switch_kind = \"quantum-2\"\nswitch_radix = {k}\ntiers = 2\noversubscription = \"{ratio}\"\n"
        );
        let mut x = Explicit::default();
        domains(&mut x, "", 2, 4, &[]);
        LeafSpine {
            nics: r,
            leaves,
            spines,
            lanes,
            leaf,
            ..ndr_k4("")
        }
        .add(&mut x);
        assert_equivalent(&blocks, &x, &what);
    }
    // Sizing 1 with the GPU–NIC attachment a PCIe preset (`nic_link`): the
    // preset's bandwidth, latency and efficiency, tier `nic`.
    let blocks = format!(
        "{SCALE_UP}accelerators = 4\ndomains = 2\n\
         [scale_out]\nkind = \"infiniband-ndr\"\nnic_link = \"pcie5-x16\"\n\
         switch_kind = \"quantum-2\"\nswitch_radix = 4\ntiers = 2\n"
    );
    let mut x = Explicit::default();
    domains(&mut x, "", 2, 4, &[]);
    LeafSpine {
        nic_link: Some("pcie5-x16"),
        ..ndr_k4("")
    }
    .add(&mut x);
    assert_equivalent(&blocks, &x, "rail-optimized with nic_link");
}

/// A classic k = 4 fat tree of three tiers over 16 explicit `[[nodes]]`
/// accelerators (no `[scale_up]`: each is its own domain, NICs
/// `gpu{i}.nic0`, endpoint e = rank on leaf ⌊e/2⌋). G = 1, E = 16 > d = 2
/// → L = 8 leaves of 2, u = 2. Tier 2: P = min(8, 2) = 2 leaves per pod,
/// c = largest divisor of 2 with 2·c ≤ 2 = 1, w = 2 → 4 pods of 2 spines,
/// leaf l to spines 2⌊l/2⌋ and 2⌊l/2⌋ + 1; v = 2. Tier 3: P = 4 pods ≤ k,
/// c = largest divisor of 2 with 4·c ≤ 4 = 1, w = 2 → 2 planes of 2 cores,
/// spine 2p + j (plane j of pod p) to cores 2j and 2j + 1. 8 + 8 + 4 = 20
/// switches, the classic (2t−1)(k/2)^(t−1).
#[test]
fn equivalent_fat_tree_three_tier() {
    let blocks = "[[nodes]]\nid = \"gpu[0..16]\"\nkind = \"accelerator\"\n\
                  [scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"fat-tree\"\n\
                  switch_kind = \"quantum-2\"\nswitch_radix = 4\ntiers = 3\n";
    let mut x = Explicit::default();
    for i in 0..16 {
        x.node(&format!("gpu{i}"), "accelerator", &[]);
    }
    for i in 0..16 {
        x.node(&format!("gpu{i}.nic0"), "nic", &[]);
    }
    for (name, n) in [("leaf", 8), ("spine", 8), ("core", 4)] {
        for s in 0..n {
            x.node(&format!("{name}{s}"), "quantum-2", &[]);
        }
    }
    let ib = "infiniband-ndr";
    for i in 0..16 {
        let (gpu, nic) = (format!("gpu{i}"), format!("gpu{i}.nic0"));
        x.link(&gpu, &nic, ib, "nic", 1, &["latency = \"0 ns\""]);
        x.link(&nic, &format!("leaf{}", i / 2), ib, "leaf", 1, &[]);
    }
    for l in 0..8 {
        for s in [2 * (l / 2), 2 * (l / 2) + 1] {
            x.link(
                &format!("leaf{l}"),
                &format!("spine{s}"),
                ib,
                "spine",
                1,
                &[],
            );
        }
    }
    for p in 0..4 {
        for j in 0..2 {
            for c in [2 * j, 2 * j + 1] {
                let spine = format!("spine{}", 2 * p + j);
                x.link(&spine, &format!("core{c}"), ib, "core", 1, &[]);
            }
        }
    }
    assert_equivalent(blocks, &x, "fat tree k = 4, 3 tiers");
}

/// Two planes: 2 servers of 2 GPUs, one 800G NIC per GPU (R NICs in the
/// second case) split into 2 ports of 400G (50 GB/s), each plane a copy of
/// the Clos at k = 4, switches `p{p}.leaf…`; the attachment keeps the NIC's
/// 100 GB/s.
///
/// 1. R = 1: G = 2, E = 2, d = 2, q = 1 → L = 2 leaves (rail i on leaf i),
///    u = 2, c = largest divisor of 2 with 2·c ≤ 4 = 2 → S = 1 spine with
///    2 lanes per leaf.
/// 2. R = 2: G = 4 rails (r = 2n + i) on L = 4 leaves (rail r on leaf r),
///    u = 2, c = largest divisor of 2 with 4·c ≤ 4 = 1 → S = 2 spines.
fn two_planes(site: &str, r: usize) -> LeafSpine<'_> {
    let (leaves, spines, lanes) = if r == 1 { (2, 1, 2) } else { (4, 2, 1) };
    LeafSpine {
        site,
        domains: 2,
        gpus: 2,
        nics: r,
        planes: 2,
        leaves,
        spines,
        lanes,
        leaf: &|r, _| r,
        kind: "ethernet-800g",
        nic_bw: "800 Gb/s",
        port_bw: "400 Gb/s",
        switch_kind: "tomahawk5",
        nic_link: None,
    }
}

const TWO_PLANES: &str = "[scale_out]\nkind = \"ethernet-800g\"\nnic_bandwidth = \"800 Gb/s\"\nplanes = 2\n\
                          switch_kind = \"tomahawk5\"\nswitch_radix = 4\ntiers = 2\n";

#[test]
fn equivalent_two_planes() {
    for r in [1, 2] {
        let blocks = format!(
            "{SCALE_UP}accelerators = 2\ndomains = 2\n{TWO_PLANES}nics_per_accelerator = {r}\n"
        );
        let mut x = Explicit::default();
        domains(&mut x, "", 2, 2, &[]);
        two_planes("", r).add(&mut x);
        assert_equivalent(&blocks, &x, &format!("two planes, R = {r}"));
    }
}

/// The scale-out of a rail-only site over `d` servers of 2 GPUs: 2 rails,
/// each its own Clos of E = D endpoints named `{site}rail{r}.…`; 1 tier: one
/// leaf per rail; 2 tiers at k = 4 with D = 4: per rail G = 1, E = 4 > d = 2
/// → L_g = 2 leaves of e_g = 2 (server d on leaf ⌊d/2⌋), u = 2, c = largest
/// divisor of 2 with 2·c ≤ 4 = 2 → 1 spine with 2 lanes per leaf. Returns
/// the top switches, rail by rail.
fn rail_only(x: &mut Explicit, site: &str, d: usize, tiers: u32) -> Vec<String> {
    for dom in 0..d {
        for i in 0..2 {
            x.node(&format!("{site}d{dom}.gpu{i}.nic0"), "nic", &[]);
        }
    }
    let (leaves, spines) = if tiers == 1 { (1, 0) } else { (2, 1) };
    let mut top = Vec::new();
    for rail in 0..2 {
        for l in 0..leaves {
            x.node(&format!("{site}rail{rail}.leaf{l}"), "quantum-2", &[]);
            if tiers == 1 {
                top.push(format!("{site}rail{rail}.leaf{l}"));
            }
        }
        for s in 0..spines {
            x.node(&format!("{site}rail{rail}.spine{s}"), "quantum-2", &[]);
            top.push(format!("{site}rail{rail}.spine{s}"));
        }
    }
    let ib = "infiniband-ndr";
    for dom in 0..d {
        for i in 0..2 {
            let gpu = format!("{site}d{dom}.gpu{i}");
            let nic = format!("{gpu}.nic0");
            x.link(&gpu, &nic, ib, "nic", 1, &["latency = \"0 ns\""]);
            let leaf = format!("{site}rail{i}.leaf{}", if tiers == 1 { 0 } else { dom / 2 });
            x.link(&nic, &leaf, ib, "leaf", 1, &[]);
        }
    }
    for rail in 0..2 {
        for l in 0..leaves {
            for s in 0..spines {
                let (a, b) = (
                    format!("{site}rail{rail}.leaf{l}"),
                    format!("{site}rail{rail}.spine{s}"),
                );
                x.link(&a, &b, ib, "spine", 2, &[]);
            }
        }
    }
    top
}

/// Rail-only (2 servers, 1 tier; 4 servers, 2 tiers; see [`rail_only`]): the
/// GPUs forward, since rails meet only in the servers.
#[test]
fn equivalent_rail_only() {
    for (d, tiers) in [(2usize, 1u32), (4, 2)] {
        let what = format!("rail-only D = {d}, {tiers} tiers");
        let blocks = format!(
            "{SCALE_UP}accelerators = 2\ndomains = {d}\n\
             [scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"rail-only\"\n\
             switch_kind = \"quantum-2\"\nswitch_radix = 4\ntiers = {tiers}\n"
        );
        let mut x = Explicit::default();
        domains(&mut x, "", d, 2, &["forwards = true"]);
        rail_only(&mut x, "", d, tiers);
        assert_equivalent(&blocks, &x, &what);
    }
}

/// Dragonfly over 3 servers of 2 GPUs (6 NIC ports; NIC port e = rank),
/// a = 2 routers per group, all-to-all inside a group (tier `local`), NIC
/// port e on router ⌊e/p⌋ (global index, `group{⌊r/a⌋}.router{r mod a}`).
/// Global port j of group x sits on router ⌊j/h⌋ and leads to group
/// (x + 1 + j mod (g−1)) mod g.
///
/// 1. p = 1, h = 1: GPU i of server x on `group{x}.router{i}`;
///    g = a·h + 1 = 3 groups, m = ⌊2/2⌋ = 1 link per group pair. Group 0:
///    port 0 (router 0) → group 1, port 1 (router 1) → group 2; group 1:
///    router 0 → group 2, router 1 → group 0; group 2: router 0 → group 0,
///    router 1 → group 1. Pairing the ports of each pair: g0.r0–g1.r1,
///    g0.r1–g2.r0, g1.r0–g2.r1.
/// 2. p = 1, h = 2, g = 3: m = ⌊4/2⌋ = 2 links per pair. Ports j = 0..4 of
///    every group: j even → group x+1 on router j/2, j odd → group x+2 on
///    router ⌊j/2⌋; so each group reaches each other group once from router
///    0 and once from router 1, and the k-th link of a pair joins the k-th
///    ports of both ends (the docs leave this pairing implicit for m > 1):
///    router k of x to router k of y, for every pair and k = 0, 1.
/// 3. p = 2, h = 1, g = 3 given (12 terminals for 6 ports): server x on
///    router x (both GPUs), i.e. g0.r0, g0.r1, g1.r0; g1.r1 and group 2
///    have no terminal. Global links as in 1.
#[test]
fn equivalent_dragonfly() {
    let m1: &[(usize, usize, usize, usize)] = &[(0, 0, 1, 1), (0, 1, 2, 0), (1, 0, 2, 1)];
    let m2: &[(usize, usize, usize, usize)] = &[
        (0, 0, 1, 0),
        (0, 1, 1, 1),
        (0, 0, 2, 0),
        (0, 1, 2, 1),
        (1, 0, 2, 0),
        (1, 1, 2, 1),
    ];
    for (p, h, global) in [(1usize, 1u32, m1), (1, 2, m2), (2, 1, m1)] {
        let what = format!("dragonfly p = {p}, h = {h}");
        let blocks = format!(
            "{SCALE_UP}accelerators = 2\ndomains = 3\n\
             [scale_out]\nkind = \"ethernet-400g\"\ntopology = \"dragonfly\"\n\
             routers_per_group = 2\nterminals_per_router = {p}\nglobal_links_per_router = {h}\n\
             groups = 3\nswitch_kind = \"tomahawk5\"\n"
        );
        let mut x = Explicit::default();
        domains(&mut x, "", 3, 2, &[]);
        for dom in 0..3 {
            for i in 0..2 {
                x.node(&format!("d{dom}.gpu{i}.nic0"), "nic", &[]);
            }
        }
        let router = |g: usize, r: usize| format!("group{g}.router{r}");
        for g in 0..3 {
            for r in 0..2 {
                x.node(&router(g, r), "tomahawk5", &[]);
            }
        }
        let eth = "ethernet-400g";
        for dom in 0..3 {
            for i in 0..2 {
                let (gpu, nic) = (format!("d{dom}.gpu{i}"), format!("d{dom}.gpu{i}.nic0"));
                x.link(&gpu, &nic, eth, "nic", 1, &["latency = \"0 ns\""]);
                let r = (2 * dom + i) / p;
                x.link(&nic, &router(r / 2, r % 2), eth, "leaf", 1, &[]);
            }
        }
        for g in 0..3 {
            x.link(&router(g, 0), &router(g, 1), eth, "local", 1, &[]);
        }
        for &(gx, rx, gy, ry) in global {
            x.link(&router(gx, rx), &router(gy, ry), eth, "global", 1, &[]);
        }
        assert_equivalent(&blocks, &x, &what);
    }
}

/// Sites joined by DCI: the cluster is replicated per site with every name
/// prefixed `s{s}.`, ranks site by site (the scale-up domains of every site
/// come first, then each site's scale-out). Top switch j of every site is
/// joined to top switch j of every other site with 800 Gb/s / T per link
/// (T top switches per site), 10 km × 5 µs/km = 50 µs, tier `dci`:
///
/// 1. and 2. 2 and 3 sites of [`ndr_k4`]: T = 2 spines, 400 Gb/s each.
/// 3. 2 rail-only sites of 2 servers of 2 GPUs, 1 tier: the tops are the
///    rail leaves `s{s}.rail{r}.leaf0`, T = 2 (rails stay separate).
/// 4. 2 sites of [`two_planes`] (R = 1): the tops are the spines of both
///    planes, `s{s}.p{p}.spine0`, T = 2 (planes stay separate).
#[test]
fn equivalent_dci_sites() {
    const DCI: &str = "bandwidth = \"800 Gb/s\"\ndistance_km = 10\n";
    let clos = "[scale_out]\nkind = \"infiniband-ndr\"\nswitch_kind = \"quantum-2\"\nswitch_radix = 4\ntiers = 2\n";
    let rail = "[scale_out]\nkind = \"infiniband-ndr\"\ntopology = \"rail-only\"\nswitch_kind = \"quantum-2\"\nswitch_radix = 4\n";
    // (what, sites, GPUs per server, [scale_out], GPUs forward, one site's scale-out).
    type Site = dyn Fn(&mut Explicit, &str) -> Vec<String>;
    let cases: [(&str, usize, usize, &str, bool, &Site); 4] = [
        ("rail-optimized", 2, 4, clos, false, &|x, s| {
            ndr_k4(s).add(x)
        }),
        ("rail-optimized", 3, 4, clos, false, &|x, s| {
            ndr_k4(s).add(x)
        }),
        ("rail-only", 2, 2, rail, true, &|x, s| rail_only(x, s, 2, 1)),
        ("two planes", 2, 2, TWO_PLANES, false, &|x, s| {
            two_planes(s, 1).add(x)
        }),
    ];
    for (name, sites, n, scale_out, forwards, site) in cases {
        let what = format!("{sites} DCI sites, {name}");
        let blocks = format!(
            "{SCALE_UP}accelerators = {n}\ndomains = 2\n{scale_out}[dci]\nsites = {sites}\n{DCI}"
        );
        let mut x = Explicit::default();
        let gpu_extra: &[&str] = if forwards { &["forwards = true"] } else { &[] };
        for s in 0..sites {
            domains(&mut x, &format!("s{s}."), 2, n, gpu_extra);
        }
        let tops: Vec<Vec<String>> = (0..sites)
            .map(|s| site(&mut x, &format!("s{s}.")))
            .collect();
        assert_eq!(tops[0].len(), 2, "{what}: T");
        for s1 in 0..sites {
            for s2 in s1 + 1..sites {
                for (a, b) in tops[s1].iter().zip(&tops[s2]) {
                    let extra = ["bandwidth = \"400 Gb/s\"", "latency = \"50 us\""];
                    x.link(a, b, "dci", "dci", 1, &extra);
                }
            }
        }
        assert_equivalent(&blocks, &x, &what);
    }
}
