//! Seeded synthetic flow workloads for benchmarks and tests.
//!
//! These mirror the reference scenarios used to measure the flow engine
//! (BENCHMARKS.md): a two-tier leaf/spine fabric with random single-path ECMP
//! routes, and a three-tier k-ary fat-tree. They build the flow model's input
//! directly (capacities and routes), without a topology file.

use fabricsim_base::rng::SplitMix64;
use fabricsim_flow::Flow;

/// Link capacities [bytes/s] and flows of a synthetic scenario.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Capacity per directed link [bytes/s].
    pub capacity_bps: Vec<f64>,
    /// The flows, routed over those links.
    pub flows: Vec<Flow>,
}

/// Two-tier leaf/spine scenario, the structure of the reference scenario
/// written out in BENCHMARKS.md: 8 leaves × 16 hosts, 4 spines; host links
/// 1.25e9 B/s (10 Gb/s), leaf↔spine 5e9 B/s (40 Gb/s), 1 µs per link
/// (320 directed links). Each flow: random source ≠ destination host, random
/// spine when the hosts are on different leaves, size log-uniform in
/// [1e4, 1e7] bytes, start 0.
pub fn leaf_spine(n_flows: usize, seed: u64) -> Workload {
    let (leaves, per_leaf, spines) = (8u64, 16u64, 4u64);
    let hosts = leaves * per_leaf;
    let mut capacity_bps = vec![1.25e9; 2 * hosts as usize];
    capacity_bps.extend(std::iter::repeat_n(5e9, 2 * (leaves * spines) as usize));
    let up = |h: u64| h as u32;
    let down = |h: u64| (hosts + h) as u32;
    let l2s = |a: u64, s: u64| (2 * hosts + a * spines + s) as u32;
    let s2l = |s: u64, a: u64| (2 * hosts + leaves * spines + s * leaves + a) as u32;
    let mut rng = SplitMix64::new(seed);
    let flows = (0..n_flows)
        .map(|_| {
            let (src, dst) = rng.distinct_pair(hosts);
            let (a, b) = (src / per_leaf, dst / per_leaf);
            let links = if a == b {
                vec![up(src), down(dst)]
            } else {
                let s = rng.below(spines);
                vec![up(src), l2s(a, s), s2l(s, b), down(dst)]
            };
            let bytes = 10f64.powf(4.0 + 3.0 * rng.unit()).round();
            Flow::on_path(&links, links.len() as f64 * 1e-6, bytes, 0.0)
        })
        .collect();
    Workload {
        capacity_bps,
        flows,
    }
}

/// Three-tier k-ary fat-tree (Al-Fares et al., SIGCOMM 2008): k pods of k/2
/// edge and k/2 aggregation switches, (k/2)² core switches, k³/4 hosts; every
/// link 12.5e9 B/s (100 Gb/s) per direction. Each flow takes one random
/// shortest path (random aggregation and core switch) between random hosts.
pub fn fat_tree_3tier(k: u64, n_flows: usize, seed: u64) -> Workload {
    assert!(k >= 2 && k.is_multiple_of(2), "k must be even");
    let h = k / 2;
    let hosts = k * h * h;
    let edges = k * h;
    // Link numbering: host up/down, edge→agg / agg→edge (per pod: h×h each),
    // agg→core / core→agg (per agg switch: h each).
    let host_up = |x: u64| x;
    let host_down = |x: u64| hosts + x;
    let e2a = |e: u64, a: u64| 2 * hosts + e * h + a; // e global edge id, a index in pod
    let a2e = |ag: u64, e: u64| 2 * hosts + edges * h + ag * h + e; // ag global agg id, e index in pod
    let base_core = 2 * hosts + 2 * edges * h;
    let a2c = |ag: u64, c: u64| base_core + ag * h + c;
    let c2a = |ag: u64, c: u64| base_core + edges * h + ag * h + c;
    let n_links = base_core + 2 * edges * h;
    let capacity_bps = vec![12.5e9; n_links as usize];
    let mut rng = SplitMix64::new(seed);
    let flows = (0..n_flows)
        .map(|_| {
            let (src, dst) = rng.distinct_pair(hosts);
            let (es, ed) = (src / h, dst / h);
            let (ps, pd) = (es / h, ed / h);
            let mut links = vec![host_up(src)];
            if es != ed {
                let a = rng.below(h);
                links.push(e2a(es, a));
                if ps != pd {
                    let c = rng.below(h);
                    links.push(a2c(ps * h + a, c));
                    links.push(c2a(pd * h + a, c));
                }
                links.push(a2e(pd * h + a, ed % h));
            }
            links.push(host_down(dst));
            let links: Vec<u32> = links.into_iter().map(|l| l as u32).collect();
            Flow::on_path(&links, 0.0, 1e6, 0.0)
        })
        .collect();
    Workload {
        capacity_bps,
        flows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fat_tree_routes_are_valid_and_sized() {
        let k = 4;
        let w = fat_tree_3tier(k, 500, 1);
        // k³/4 hosts × 2 + 2 × k²/2 edges × k/2 + 2 × k²/2 aggs × k/2 links.
        let hosts = k * k * k / 4;
        let n_links = 2 * hosts + 2 * (k * k / 2) * (k / 2) * 2;
        assert_eq!(w.capacity_bps.len() as u64, n_links);
        for f in &w.flows {
            assert!(matches!(f.route.len(), 2 | 4 | 6));
            assert!(f.route.iter().all(|&(l, _)| (l as u64) < n_links));
        }
        fabricsim_flow::validate(&w.capacity_bps, &w.flows).unwrap();
    }

    #[test]
    fn leaf_spine_has_320_links() {
        let w = leaf_spine(100, 3);
        assert_eq!(w.capacity_bps.len(), 320);
        fabricsim_flow::validate(&w.capacity_bps, &w.flows).unwrap();
    }
}
