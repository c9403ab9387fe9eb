//! A staged run that would stop at the route-entry limit stops before
//! routing.
//!
//! A staged run keeps every distinct pair's route ([`crate::sim_staged`]),
//! and stops with [`CollectiveError::RoutesTooLarge`] once they would hold
//! more than [`crate::sim::MAX_ROUTE_ENTRIES`] link entries. On the shipped
//! 4,096-chip torus a direct all-to-all reached that limit after 120 s and
//! 6.6 GB. So before routing `D ≥` [`ESTIMATE_FROM_PAIRS`] new pairs, a run
//! routes a stratified sample of [`SAMPLE`] of them (the sorted pairs cut
//! into `SAMPLE` equal strata, one pair from each at a fixed pseudo-random
//! offset) and estimates the entries as
//!
//! `E = E_0 + T̂`, `T̂ = Σ_h N_h·y_h`
//!
//! with `E_0` the entries already kept, `N_h` the pairs of stratum `h` and
//! `y_h` the length of its sampled route: the stratified estimator of the
//! total. Its variance, with one unit per stratum, is estimated by
//! collapsing strata in adjacent pairs (`a`, `b`):
//! `V̂ = Σ (N_a·y_a − N_b·y_b)²` (Cochran, *Sampling Techniques*, 3rd ed.,
//! 1977, §5A.12, docs/sources.md [S-cochran-sampling]; it overstates the
//! variance when neighbouring strata differ, so it errs safe). The run is
//! refused when `E − Z·√V̂ >` limit with `Z =` [`Z`]: the limit is below
//! the estimate by more than four standard errors. Where route lengths
//! are very uneven (a few sampled routes far longer than their
//! neighbours) `√V̂` grows with them and the run is routed and checked as
//! before. The offset in each stratum is SplitMix64's finalizer of its
//! index (`fabricsim_base::rng::mix64`, [S-splitmix64]). Routes the run does
//! not route itself (copies of a domain or rail, `sim_staged.rs`) are not
//! counted, so that part errs low.

use crate::CollectiveError;
use fabricsim_base::rng::mix64;
use fabricsim_flow::{Budget, FlowError};
use fabricsim_routing::Router;
use fabricsim_topology::NodeId;

/// New pairs from which a run estimates its routes before routing them: a
/// smaller run is routed and checked as it goes (its sample would cost more
/// than a few percent of its routing).
pub const ESTIMATE_FROM_PAIRS: usize = 1 << 17;

/// Routes sampled for the estimate.
pub const SAMPLE: usize = 1024;

/// Standard errors by which the estimate must exceed the limit for the
/// run to be refused before routing.
pub const Z: f64 = 4.0;

/// The key of the pair `(src, dst)` in a run's route memo and here.
pub(crate) fn pair_key(src: NodeId, dst: NodeId) -> u64 {
    u64::from(src.0) << 32 | u64::from(dst.0)
}

/// `Err(RoutesTooLarge)` when the routes of `pairs` ([`pair_key`]s of
/// pairs not routed yet, in any order, repeats allowed) would, by the
/// estimate of the module docs, hold more than `limit` entries (with
/// `kept` ones) by over [`Z`] standard errors. A pair the router cannot
/// route ends the estimate (the run then reports it; an unroutable pair
/// outside the sample is reported only if the run is not refused).
/// `budget`'s deadline is checked every 64 routes.
pub(crate) fn check(
    router: &mut Router<'_>,
    budget: &Budget,
    mut pairs: Vec<u64>,
    kept: usize,
    limit: usize,
) -> Result<(), CollectiveError> {
    if pairs.len() < ESTIMATE_FROM_PAIRS {
        return Ok(());
    }
    pairs.sort_unstable();
    pairs.dedup();
    let d = pairs.len();
    if d < ESTIMATE_FROM_PAIRS {
        return Ok(());
    }
    // Per stratum: its pairs times its sampled route's length.
    let mut terms = Vec::with_capacity(SAMPLE);
    for k in 0..SAMPLE {
        if k % 64 == 0 {
            budget.check_time().map_err(FlowError::from)?;
        }
        let (lo, hi) = (k * d / SAMPLE, (k + 1) * d / SAMPLE);
        // A fixed pseudo-random offset in each stratum.
        let p = pairs[lo + (mix64(k as u64) % (hi - lo) as u64) as usize];
        let (src, dst) = (NodeId((p >> 32) as u32), NodeId(p as u32));
        match router.route_once(src, dst, 0) {
            Ok(r) => terms.push((hi - lo) as f64 * r.links.len() as f64),
            Err(_) => return Ok(()),
        }
    }
    let total: f64 = terms.iter().sum();
    let variance: f64 = terms.chunks(2).map(|w| (w[0] - w[1]).powi(2)).sum();
    let (entries, std_error) = (kept as f64 + total, variance.sqrt());
    if entries - Z * std_error > limit as f64 {
        return Err(CollectiveError::RoutesTooLarge {
            limit,
            estimate: Some(Estimate {
                entries: entries as u64,
                std_error: std_error as u64,
                pairs: d as u64,
            }),
        });
    }
    Ok(())
}

/// What a refused run's sample showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Link entries the routes would hold, estimated.
    pub entries: u64,
    /// The estimate's standard error, estimated.
    pub std_error: u64,
    /// Distinct pairs the run would route.
    pub pairs: u64,
}

/// The error's text, for routes counted while routing or estimated.
pub(crate) fn message(limit: usize, estimate: Option<Estimate>) -> String {
    let gib = (limit as u64 * 4) >> 30;
    match estimate {
        None => format!(
            "the routes of this collective hold more than {limit} link entries ({gib} GiB), \
             more than fabricsim keeps in memory; use fewer ranks, another algorithm than \
             an all-to-all over every pair, or hash routing (one path per flow: the \
             topology's `routing = \"hash\"`, or `--set routing=hash`)"
        ),
        Some(e) => format!(
            "the routes of this collective's {} pairs would hold about {} GiB ({} ± {} link \
             entries, estimated from {SAMPLE} of them before routing), more than the {gib} \
             GiB ({limit} entries) fabricsim keeps in memory; use fewer ranks (`--ranks`) or \
             another algorithm than an all-to-all over every pair (hash routing has no such \
             limit but still makes each of the {} pairs a flow, and can run out of memory)",
            e.pairs,
            (e.entries * 4) >> 30,
            e.entries,
            e.std_error,
            e.pairs
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fabricsim_topology::{RoutingMode, Topology};

    /// The 16 × 16 × 16 torus of the test data: chip `i` at
    /// `(i / 256, i / 16 % 16, i % 16)` (`blocks.rs`), spray routing.
    fn torus() -> Topology {
        let path = format!(
            "{}/../../tests/it/data/torus-16x16x16.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        Topology::load(path, &Default::default()).unwrap()
    }

    /// Links of the minimal-path DAG between chips `(a, b, c)` apart on a
    /// torus whose dimensions exceed `2·max(a, b, c)` (one minimal
    /// direction per axis): the box of `(a+1)(b+1)(c+1)` chips and its
    /// links along each axis in the travel direction.
    fn dag_links(a: u64, b: u64, c: u64) -> u64 {
        a * (b + 1) * (c + 1) + (a + 1) * b * (c + 1) + (a + 1) * (b + 1) * c
    }

    /// Every chip to its 63 partners at offsets in {−1, 0, 1, 2}³ \ 0:
    /// 258,048 pairs, and their route entries by hand.
    fn pairs(topo: &Topology) -> (Vec<u64>, u64) {
        let id = |x: i64, y: i64, z: i64| {
            let w = |v: i64| v.rem_euclid(16) as usize;
            topo.accelerators[w(x) * 256 + w(y) * 16 + w(z)].0 as u64
        };
        let mut pairs = Vec::new();
        let mut total = 0;
        for i in 0..4096i64 {
            let (x, y, z) = (i / 256, i / 16 % 16, i % 16);
            for dx in -1..=2i64 {
                for dy in -1..=2i64 {
                    for dz in -1..=2i64 {
                        if (dx, dy, dz) == (0, 0, 0) {
                            continue;
                        }
                        pairs.push(id(x, y, z) << 32 | id(x + dx, y + dy, z + dz));
                        total += dag_links(dx.unsigned_abs(), dy.unsigned_abs(), dz.unsigned_abs());
                    }
                }
            }
        }
        (pairs, total)
    }

    /// A sampled route is its hand-counted DAG; with `T` the pairs'
    /// entries counted by hand, the estimate is within four of its
    /// standard errors of `T` (and within 10%), a limit of `T/4` is
    /// refused and one of `T` is not (unless `3T` entries are kept
    /// already), and repeated pairs count once.
    #[test]
    fn the_estimate_refuses_only_runs_far_past_the_limit() {
        let topo = torus();
        let mut router = Router::new(&topo, RoutingMode::Spray, 0);
        let budget = Budget::unlimited();
        let acc = |i: usize| topo.accelerators[i];
        let r = router.route_once(acc(0), acc(2 * 256 + 16 + 2), 0).unwrap();
        assert_eq!(r.links.len() as u64, dag_links(2, 1, 2));
        let (pairs, total) = pairs(&topo);
        assert_eq!(pairs.len(), 4096 * 63);
        let t = total as usize;
        let refused = check(&mut router, &budget, pairs.clone(), 0, t / 4).unwrap_err();
        let CollectiveError::RoutesTooLarge {
            limit,
            estimate: Some(est),
        } = refused
        else {
            panic!("{refused:?}")
        };
        assert_eq!((limit, est.pairs), (t / 4, 4096 * 63));
        let (e, se) = (est.entries, est.std_error);
        // A stratified sample of 1,024 of 63 route lengths from 1 to 54.
        let err = (e as f64 - total as f64).abs();
        assert!(err < 0.1 * total as f64, "estimate {e}, by hand {total}");
        assert!(err <= Z * se as f64, "estimate {e} ± {se}, by hand {total}");
        assert!(check(&mut router, &budget, pairs.clone(), 0, t).is_ok());
        assert!(check(&mut router, &budget, pairs.clone(), 3 * t, t).is_err());
        // Repeated pairs are routed once: the same estimate.
        let twice = [pairs.as_slice(), pairs.as_slice()].concat();
        assert_eq!(
            check(&mut router, &budget, twice, 0, t / 4).unwrap_err(),
            CollectiveError::RoutesTooLarge {
                limit,
                estimate: Some(est)
            }
        );
        // Too few pairs to estimate: nothing is routed, nothing refused.
        assert!(check(&mut router, &budget, pairs[..1000].to_vec(), 0, 1).is_ok());
    }
}
