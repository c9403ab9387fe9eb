//! A step's makespan from its independent, de-duplicated parts.
//!
//! Max-min fair sharing decomposes over *components*: two groups of flows
//! that share no link never affect each other's rates, so each group can be
//! simulated alone and the step's makespan is the largest of theirs. Many
//! steps are made of identical components (every scale-up domain running the
//! same intra-domain phase on its own links, every channel of a ring inside
//! its own domain), and a component's makespan depends only on its flows'
//! bytes, latencies and routes and on its links' capacities, not on which
//! links those are. So each component is put in a *canonical form* (links
//! renumbered in order of first appearance) and components with the same
//! canonical form are simulated once: the flow engine is given literally the
//! same input, so the shortcut is bit-for-bit the same as simulating each
//! copy. The test `identical_components_are_simulated_once` checks the
//! result against one simulation of the whole step.

use crate::flow::{Flow, FlowError, simulate};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, deterministic hasher for the canonical forms (Fx-style
/// rotate-xor-multiply over the written words): the default SipHash made
/// hashing millions of route entries the largest cost of big steps.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type Fast = BuildHasherDefault<WordHasher>;

/// One flow of a canonical component: bytes, latency and route of
/// (local link, fraction), as bit patterns.
type CanonicalFlow = (u64, u64, Vec<(u32, u64)>);

/// A component's engine input, exactly: its flows and the local links'
/// capacities (bit patterns).
#[derive(PartialEq, Eq, Hash)]
struct Canonical {
    flows: Vec<CanonicalFlow>,
    capacity: Vec<u64>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Makespan \[s\] of `flows` (all released at 0, no dependencies) on links of
/// capacities `capacity_bps`, simulating each distinct component once.
pub fn step_makespan(capacity_bps: &[f64], flows: &[Flow]) -> Result<f64, FlowError> {
    // Union links that share a flow.
    let mut parent: Vec<u32> = (0..capacity_bps.len() as u32).collect();
    for f in flows {
        if let Some(&(first, _)) = f.route.first() {
            let a = find(&mut parent, first);
            for &(l, _) in &f.route[1..] {
                let b = find(&mut parent, l);
                if a != b {
                    // Keep the first link's root so `a` stays a root.
                    parent[b as usize] = a;
                }
            }
        }
    }
    // Group flows by component, components in order of their first flow.
    let mut index: HashMap<u32, usize, Fast> = HashMap::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut unrouted = Vec::new();
    for (i, f) in flows.iter().enumerate() {
        match f.route.first() {
            Some(&(l, _)) => {
                let root = find(&mut parent, l);
                let g = *index.entry(root).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(i);
            }
            None => unrouted.push(i),
        }
    }
    if groups.len() <= 1 {
        return Ok(simulate(capacity_bps, flows)?.makespan_s());
    }
    // A flow without links (source = destination) takes its latency only.
    let mut makespan = unrouted
        .iter()
        .map(|&i| flows[i].latency_s + flows[i].start_s)
        .fold(0.0, f64::max);
    let mut memo: HashMap<Canonical, f64, Fast> = HashMap::default();
    let mut local: Vec<u32> = vec![u32::MAX; capacity_bps.len()];
    for g in &groups {
        let mut links: Vec<u32> = Vec::new();
        let mut canon = Canonical {
            flows: Vec::with_capacity(g.len()),
            capacity: Vec::new(),
        };
        for &i in g {
            let f = &flows[i];
            let route = f
                .route
                .iter()
                .map(|&(l, phi)| {
                    if local[l as usize] == u32::MAX {
                        local[l as usize] = links.len() as u32;
                        links.push(l);
                    }
                    (local[l as usize], phi.to_bits())
                })
                .collect();
            canon
                .flows
                .push((f.bytes.to_bits(), f.latency_s.to_bits(), route));
        }
        canon.capacity = links
            .iter()
            .map(|&l| capacity_bps[l as usize].to_bits())
            .collect();
        for &l in &links {
            local[l as usize] = u32::MAX;
        }
        let t = match memo.get(&canon) {
            Some(&t) => t,
            None => {
                let cap: Vec<f64> = canon.capacity.iter().map(|&c| f64::from_bits(c)).collect();
                let local_flows: Vec<Flow> = canon
                    .flows
                    .iter()
                    .map(|(bytes, lat, route)| Flow {
                        route: route.iter().map(|&(l, p)| (l, f64::from_bits(p))).collect(),
                        latency_s: f64::from_bits(*lat),
                        bytes: f64::from_bits(*bytes),
                        start_s: 0.0,
                        deps: Vec::new(),
                        delay_s: 0.0,
                    })
                    .collect();
                let t = simulate(&cap, &local_flows)?.makespan_s();
                memo.insert(canon, t);
                t
            }
        };
        makespan = f64::max(makespan, t);
    }
    Ok(makespan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(route: &[u32], bytes: f64) -> Flow {
        Flow::on_path(route, 1e-6, bytes, 0.0)
    }

    #[test]
    fn identical_components_are_simulated_once() {
        // Four copies of a 3-flow incast on links {4k, 4k+1, 4k+2, 4k+3}
        // (two flows share link 4k+2), plus one different component; the
        // makespan must equal one simulation of the whole step.
        let mut cap = Vec::new();
        let mut flows = Vec::new();
        for k in 0..4u32 {
            cap.extend([10.0, 20.0, 15.0, 5.0]);
            flows.push(flow(&[4 * k, 4 * k + 2], 30.0));
            flows.push(flow(&[4 * k + 1, 4 * k + 2], 10.0));
            flows.push(flow(&[4 * k + 3], 7.0));
        }
        cap.push(1.0);
        flows.push(flow(&[16], 0.5));
        let whole = simulate(&cap, &flows).unwrap().makespan_s();
        let parts = step_makespan(&cap, &flows).unwrap();
        assert!(
            ((parts - whole) / whole).abs() < 1e-12,
            "{parts} vs {whole}"
        );
        // Make the lone component the slowest: the maximum must follow it.
        flows.last_mut().unwrap().bytes = 50.0;
        let whole = simulate(&cap, &flows).unwrap().makespan_s();
        let parts = step_makespan(&cap, &flows).unwrap();
        assert!(
            ((parts - whole) / whole).abs() < 1e-12,
            "{parts} vs {whole}"
        );
        assert!((whole - (1e-6 + 50.0)).abs() < 1e-9);
    }
}
