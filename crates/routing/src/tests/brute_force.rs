//! Property test: on random small fabrics, spray, weighted and hash routes
//! against all shortest paths enumerated by brute force (hop counts,
//! latencies, per-path and per-hop fractions, flow conservation, hashed
//! walks).

use super::*;

/// Reference: all shortest paths by brute-force enumeration of simple
/// paths whose intermediate nodes all forward. Returns (hops, latency,
/// paths) or `None` if `dst` is unreachable.
fn brute_force(
    topo: &Topology,
    failed: &[LinkId],
    src: NodeId,
    dst: NodeId,
) -> Option<(usize, f64, Vec<Vec<LinkId>>)> {
    fn dfs(
        topo: &Topology,
        failed: &[LinkId],
        u: NodeId,
        dst: NodeId,
        seen: &mut Vec<bool>,
        path: &mut Vec<LinkId>,
        out: &mut Vec<Vec<LinkId>>,
    ) {
        if u == dst {
            out.push(path.clone());
            return;
        }
        for (i, l) in topo.links.iter().enumerate() {
            let id = LinkId(i as u32);
            let enter = l.dst == dst || topo.nodes[l.dst.idx()].forwards;
            if l.src == u && enter && !seen[l.dst.idx()] && !failed.contains(&id) {
                seen[l.dst.idx()] = true;
                path.push(id);
                dfs(topo, failed, l.dst, dst, seen, path, out);
                path.pop();
                seen[l.dst.idx()] = false;
            }
        }
    }
    let mut all = Vec::new();
    let mut seen = vec![false; topo.nodes.len()];
    seen[src.idx()] = true;
    dfs(topo, failed, src, dst, &mut seen, &mut Vec::new(), &mut all);
    let cost = |p: &[LinkId]| (p.len(), path_latency(topo, p));
    let best = all
        .iter()
        .map(|p| cost(p))
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))?;
    let paths = all.into_iter().filter(|p| cost(p) == best).collect();
    Some((best.0, best.1, paths))
}

/// Summed latency of a path given as links in order: links plus intermediate nodes.
fn path_latency(topo: &Topology, path: &[LinkId]) -> f64 {
    let mut lat = 0.0;
    for (k, l) in path.iter().enumerate() {
        let link = &topo.links[l.idx()];
        lat += link.latency_s;
        if k + 1 < path.len() {
            lat += topo.nodes[link.dst.idx()].latency_s;
        }
    }
    lat
}

/// Orders the unordered link set of a simple path into a src → dst walk.
fn as_walk(topo: &Topology, route: &Route, src: NodeId, dst: NodeId) -> Option<Vec<LinkId>> {
    let mut walk = Vec::new();
    let mut u = src;
    while u != dst {
        let &(l, _) = route
            .links
            .iter()
            .find(|&&(l, _)| topo.links[l.idx()].src == u)?;
        walk.push(l);
        u = topo.links[l.idx()].dst;
        if walk.len() > route.links.len() {
            return None;
        }
    }
    (walk.len() == route.links.len()).then_some(walk)
}

/// Reference for [`RoutingMode::Weighted`] from the enumerated shortest
/// paths. The DAG links are those on some path; the reachable capacity of a
/// node is computed by memoized recursion over them,
/// `R(dst) = ∞`, `R(u) = Σ_{DAG links l leaving u} min(cap(l), R(head(l)))`;
/// a path's share is the product over its links `l` of
/// `min(cap(l), R(head(l))) / R(tail(l))` (the per-hop split, unrolled); a
/// link's fraction is the sum of the shares of the paths using it. Sorted by
/// link id.
fn weighted_reference(topo: &Topology, paths: &[Vec<LinkId>]) -> Vec<(LinkId, f64)> {
    let dag = dag_links(paths);
    let reach = reach_reference(topo, &dag);
    let head = |l: LinkId| topo.links[l.idx()].dst;
    let tail = |l: LinkId| topo.links[l.idx()].src;
    let w = |l: LinkId| topo.links[l.idx()].capacity_bps.min(reach[head(l).idx()]);
    let mut frac: Vec<(LinkId, f64)> = dag.iter().map(|&l| (l, 0.0)).collect();
    for p in paths {
        let share: f64 = p.iter().map(|&l| w(l) / reach[tail(l).idx()]).product();
        for &l in p {
            frac.iter_mut().find(|(x, _)| *x == l).unwrap().1 += share;
        }
    }
    frac
}

/// The links on some path, sorted by id.
fn dag_links(paths: &[Vec<LinkId>]) -> Vec<LinkId> {
    let mut dag: Vec<LinkId> = paths.iter().flatten().copied().collect();
    dag.sort();
    dag.dedup();
    dag
}

/// `R(u)` of every node over the DAG links `dag` (0 off the DAG), by
/// memoized recursion from the definition.
fn reach_reference(topo: &Topology, dag: &[LinkId]) -> Vec<f64> {
    fn r(topo: &Topology, dag: &[LinkId], u: NodeId, memo: &mut Vec<Option<f64>>) -> f64 {
        if let Some(x) = memo[u.idx()] {
            return x;
        }
        let out: Vec<LinkId> = dag
            .iter()
            .copied()
            .filter(|l| topo.links[l.idx()].src == u)
            .collect();
        let x = if out.is_empty() {
            f64::INFINITY // The destination: the only DAG node without out-links.
        } else {
            out.iter()
                .map(|&l| {
                    let link = &topo.links[l.idx()];
                    link.capacity_bps.min(r(topo, dag, link.dst, memo))
                })
                .sum()
        };
        memo[u.idx()] = Some(x);
        x
    }
    let mut memo = vec![None; topo.nodes.len()];
    for &l in dag {
        r(topo, dag, topo.links[l.idx()].src, &mut memo);
    }
    memo.into_iter().map(|x| x.unwrap_or(0.0)).collect()
}

/// Asserts 1 leaves `s`, 1 enters `d` and every other node balances.
fn conserves(topo: &Topology, r: &Route, s: usize, d: usize) -> Result<(), TestCaseError> {
    let mut net = vec![0.0f64; topo.nodes.len()];
    for &(l, f) in &r.links {
        net[topo.links[l.idx()].src.idx()] -= f;
        net[topo.links[l.idx()].dst.idx()] += f;
    }
    for (x, &v) in net.iter().enumerate() {
        let want = if x == s {
            -1.0
        } else if x == d {
            1.0
        } else {
            0.0
        };
        prop_assert!((v - want).abs() < 1e-9, "node {} net {}", x, v);
    }
    Ok(())
}

proptest! {
    #[test]
    fn routes_match_brute_force(fab in arb_fab(), seed in any::<u64>()) {
        let (topo, failed) = fab.build();
        let mut spray = Router::new(&topo, RoutingMode::Spray, seed);
        let mut hash = Router::new(&topo, RoutingMode::Hash, seed);
        let mut weighted = Router::new(&topo, RoutingMode::Weighted, seed);
        spray.disable_links(&failed).unwrap();
        hash.disable_links(&failed).unwrap();
        weighted.disable_links(&failed).unwrap();
        for s in 0..topo.nodes.len() {
            for d in 0..topo.nodes.len() {
                let (src, dst) = (NodeId(s as u32), NodeId(d as u32));
                if src == dst {
                    continue;
                }
                let Some((hops, lat, paths)) = brute_force(&topo, &failed, src, dst) else {
                    let unreachable = |e| matches!(e, RoutingError::Unreachable { .. });
                    prop_assert!(unreachable(spray.route(src, dst, 0).unwrap_err()));
                    prop_assert!(unreachable(hash.route(src, dst, 0).unwrap_err()));
                    prop_assert!(unreachable(weighted.route(src, dst, 0).unwrap_err()));
                    continue;
                };
                prop_assert_eq!(spray.hops(src, dst).unwrap() as usize, hops);

                // Spray: per-path even split (differential); weighted:
                // per-hop capacity split (differential); both conserve flow.
                let route = spray.route(src, dst, 0).unwrap();
                let wroute = weighted.route(src, dst, 0).unwrap();
                prop_assert_eq!(route.latency_s, lat);
                prop_assert_eq!(wroute.latency_s, lat);
                let mut expect: Vec<(LinkId, f64)> = Vec::new();
                for p in &paths {
                    for &l in p {
                        match expect.iter_mut().find(|(x, _)| *x == l) {
                            Some((_, f)) => *f += 1.0 / paths.len() as f64,
                            None => expect.push((l, 1.0 / paths.len() as f64)),
                        }
                    }
                }
                expect.sort_by_key(|&(l, _)| l);
                prop_assert_eq!(route.links.len(), expect.len());
                for (&(l, f), &(le, fe)) in route.links.iter().zip(&expect) {
                    prop_assert_eq!(l, le);
                    prop_assert!((f - fe).abs() < 1e-9 && f > 0.0 && f <= 1.0);
                }
                let wexpect = weighted_reference(&topo, &paths);
                prop_assert_eq!(wroute.links.len(), wexpect.len());
                for (&(l, f), &(le, fe)) in wroute.links.iter().zip(&wexpect) {
                    prop_assert_eq!(l, le);
                    prop_assert!((f - fe).abs() < 1e-9 && f > 0.0 && f <= 1.0);
                }
                conserves(&topo, &route, s, d)?;
                conserves(&topo, &wroute, s, d)?;

                // Hash. Without a node that has two or more DAG out-links of
                // which one is scale-up: a valid shortest walk with its own
                // latency, one of the paths. Otherwise: links on the DAG,
                // conserving flow, at most one non-scale-up out-link used per
                // node, and each scale-up out-link of a node carrying the
                // weighted route's fraction scaled by the node's inflow over
                // its weighted inflow (the same split of what arrives); so
                // exactly the weighted route when all DAG links are scale-up.
                let dag = dag_links(&paths);
                let up = |l: LinkId| topo.links[l.idx()].tier == "scale-up";
                let tail = |l: LinkId| topo.links[l.idx()].src;
                let splits = dag
                    .iter()
                    .any(|&l| up(l) && dag.iter().filter(|&&x| tail(x) == tail(l)).count() > 1);
                let frac = |r: &Route, l: LinkId| {
                    r.links.iter().find(|&&(x, _)| x == l).map_or(0.0, |&(_, f)| f)
                };
                let inflow = |r: &Route, u: NodeId| -> f64 {
                    if u == src {
                        return 1.0;
                    }
                    r.links
                        .iter()
                        .filter(|&&(l, _)| topo.links[l.idx()].dst == u)
                        .map(|&(_, f)| f)
                        .sum()
                };
                for flow in 0..4 {
                    let route = hash.route(src, dst, flow).unwrap();
                    if !splits {
                        prop_assert!(route.links.iter().all(|&(_, f)| f == 1.0));
                        let walk = as_walk(&topo, &route, src, dst);
                        prop_assert!(walk.is_some(), "not a walk: {:?}", route);
                        let walk = walk.unwrap();
                        prop_assert_eq!(walk.len(), hops);
                        prop_assert_eq!(route.latency_s, path_latency(&topo, &walk));
                        prop_assert!(paths.contains(&walk));
                        continue;
                    }
                    prop_assert_eq!(route.latency_s, lat);
                    conserves(&topo, &route, s, d)?;
                    for &(l, f) in &route.links {
                        prop_assert!(dag.contains(&l) && f > 0.0 && f <= 1.0, "{:?}", route);
                    }
                    for u in (0..topo.nodes.len() as u32).map(NodeId) {
                        let hashed = route
                            .links
                            .iter()
                            .filter(|&&(l, _)| tail(l) == u && !up(l))
                            .count();
                        prop_assert!(hashed <= 1, "{} hashed links leave {:?}", hashed, u);
                        let (fh, fw) = (inflow(&route, u), inflow(&wroute, u));
                        for &l in dag.iter().filter(|&&l| tail(l) == u && up(l)) {
                            let want = if fw > 0.0 { frac(&wroute, l) * fh / fw } else { 0.0 };
                            let got = frac(&route, l);
                            prop_assert!((got - want).abs() < 1e-9, "{:?}: {} != {}", l, got, want);
                        }
                    }
                    if dag.iter().all(|&l| up(l)) {
                        prop_assert_eq!(route.links.len(), wroute.links.len());
                        for (&(l, f), &(lw, fw)) in route.links.iter().zip(&wroute.links) {
                            prop_assert_eq!(l, lw);
                            prop_assert!((f - fw).abs() < 1e-12);
                        }
                    }
                }
            }
        }
    }
}
