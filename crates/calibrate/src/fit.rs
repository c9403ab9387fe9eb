//! Fitting α and efficiency to a measured ramp.
//!
//! With one per-step latency α for every transfer ([`Params::alpha_s`]) the
//! simulated time of a collective is exactly affine in α: every step of
//! the schedule starts its flows α later, so `t(α, u) = K·α + T₀(u)` where
//! `K` is the number of steps that pay α (two simulations give it) and
//! `T₀(u)` is the simulated time with α = 0 when the fitted technology runs
//! at efficiency `1/u` (≈ `L + W·u`: transfers bound by those links take
//! `u` times their line-rate time). The fit minimises
//! `Σᵢ ((t(α, u; Sᵢ) − tᵢ)/tᵢ)²` (relative errors, so that latency-bound
//! small sizes count as much as bandwidth-bound large ones) by
//! Gauss-Newton on `(α, u)`, with the `u` column of the Jacobian from
//! central differences of `T₀` and step halving when a step does not
//! lower the sum. Confidence intervals (95 %, Student t) come from the
//! residual variance `s² = RSS/(m − 2)` and `s²·(JᵀJ)⁻¹`; for the
//! efficiency by the delta method (`se(1/u) = se(u)/u²`).
//!
//! What is fitted: the efficiency of the link kind that bounds the
//! collective at the largest size ([`Knob::Link`]), or for NVLS the
//! reduce/multicast efficiency ([`Knob::Nvls`]); α is written under the
//! family of that link kind (or `nvls` / `sharp`).
//!
//! A fit is refused when it is under-determined: fewer than two distinct
//! sizes, no size at which α is at least [`MIN_LATENCY_SHARE`] of the
//! simulated time, or none at which bandwidth is at least
//! [`MIN_BANDWIDTH_SHARE`] of it (shares at the preset values).

use fabricsim_base::units::{Bytes, Seconds};
use fabricsim_collective::run::{Request, run};
use fabricsim_collective::{Algo, CollectiveError, CollectiveSim, Op, Params, Protocol, presets};
use fabricsim_topology::{NodeId, Topology};
use nalgebra::{DMatrix, DVector, Matrix2, Vector2};
use serde::Serialize;

/// A size pins α when α is at least this share of its simulated time.
pub const MIN_LATENCY_SHARE: f64 = 0.1;
/// A size pins the bandwidth when bandwidth is at least this share.
pub const MIN_BANDWIDTH_SHARE: f64 = 0.5;

/// Why a fit cannot be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FitError {
    /// The points cannot separate α from the efficiency (the reason given).
    #[error("under-determined fit: {0}")]
    UnderDetermined(String),
    /// A point has a non-positive or non-finite size or time (which one).
    #[error("measurement {0}")]
    BadPoint(String),
    /// The collective could not be simulated.
    #[error("{0}")]
    Collective(#[from] CollectiveError),
    /// The fitted values are outside the physical range (why).
    #[error("the fit is outside the physical range: {0}")]
    OutOfRange(String),
}

/// What efficiency is fitted.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Knob {
    /// The efficiency of one link kind (`Topology::link_efficiency`).
    Link(String),
    /// NVLS reduce/multicast efficiency (`Params::nvls_efficiency`).
    Nvls,
}

/// One measured point: size S \[bytes\] and time \[s\].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// nccl-tests size S \[bytes\].
    pub size: f64,
    /// Measured time of one call \[s\].
    pub time_s: f64,
}

/// The fit at one size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Residual {
    /// nccl-tests size S \[bytes\].
    pub bytes: f64,
    /// Measured time \[s\].
    pub measured_s: f64,
    /// Simulated time with the fitted α and efficiency \[s\].
    pub simulated_s: f64,
    /// `S / measured_s · factor` \[GB/s\] ([`Op::bus_factor`]).
    pub measured_busbw_gbps: f64,
    /// `S / simulated_s · factor` \[GB/s\].
    pub simulated_busbw_gbps: f64,
    /// `(simulated − measured) / measured` of the time.
    pub rel_error: f64,
}

/// A fitted α and efficiency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fit {
    /// The operation measured.
    pub op: fabricsim_collective::Op,
    /// The algorithm simulated (the one `auto` picks at the largest size,
    /// if asked for `auto`).
    pub algorithm: Algo,
    /// Communicator size.
    pub ranks: usize,
    /// Which efficiency was fitted.
    pub knob: Knob,
    /// Family the α belongs to (`nvlink`, `xgmi`, ..., `nvls`, `sharp`).
    pub alpha_family: String,
    /// Per-step latency \[s\].
    pub alpha_s: f64,
    /// Half-width of the 95 % confidence interval of α \[s\]; `None` without
    /// residual degrees of freedom (two sizes).
    pub alpha_ci_s: Option<f64>,
    /// Fitted efficiency, `1/u` (fraction of line rate).
    pub efficiency: f64,
    /// Half-width of the 95 % confidence interval of the efficiency.
    pub efficiency_ci: Option<f64>,
    /// Starting (preset) α \[s\].
    pub preset_alpha_s: f64,
    /// Starting (preset) efficiency.
    pub preset_efficiency: f64,
    /// Root mean square of the relative time errors.
    pub rms_rel_error: f64,
    /// Gauss-Newton iterations run.
    pub iterations: usize,
    /// The fit at each point, by increasing size.
    pub residuals: Vec<Residual>,
}

impl Fit {
    /// The fit as preset overrides.
    pub fn overrides(&self) -> fabricsim_topology::overrides::Overrides {
        let mut o = fabricsim_topology::overrides::Overrides::default();
        match &self.knob {
            Knob::Link(k) => {
                o.link_efficiency.insert(k.clone(), self.efficiency);
            }
            Knob::Nvls => o.nvls_efficiency = Some(self.efficiency),
        }
        o.step_latency_s
            .insert(self.alpha_family.clone(), self.alpha_s);
        o
    }
}

/// Two-sided 95 % Student t quantile for `dof` degrees of freedom.
fn t95(dof: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match dof {
        0 => f64::INFINITY,
        d if d <= 30 => T[d - 1],
        _ => 1.96,
    }
}

/// The simulation of one ramp with the knob set to efficiency `1/u`.
struct Model<'a> {
    topo: Topology,
    ranks: &'a [NodeId],
    op: Op,
    algo: Algo,
    knob: Knob,
    base: Params,
    sizes: Vec<f64>,
}

impl Model<'_> {
    /// Simulated times \[s\] at per-step latency `alpha_s` and `u = 1/eff`.
    fn times(&mut self, alpha_s: f64, u: f64) -> Result<Vec<f64>, CollectiveError> {
        let mut params = Params {
            alpha_s: Some(alpha_s),
            ..self.base.clone()
        };
        match &self.knob {
            Knob::Link(k) => {
                self.topo.link_efficiency.insert(k.clone(), 1.0 / u);
            }
            Knob::Nvls => params.nvls_efficiency = Some(1.0 / u),
        }
        let mut sim = CollectiveSim::new(&self.topo, params);
        self.sizes
            .iter()
            .map(|&size| {
                // The fitted α is the Simple protocol's.
                let req = Request::new(self.op, size)
                    .algo(self.algo)
                    .protocol(Protocol::Simple);
                run(&mut sim, self.ranks, &req).map(|o| o.time_s)
            })
            .collect()
    }
}

/// Simulated times \[s\] of `op` at `sizes` with one α for every step and
/// the efficiency of `knob` set, `(alpha_s, efficiency)` = `values`: the
/// generator of synthetic logs.
pub fn simulate(
    topo: &Topology,
    ranks: &[NodeId],
    op: Op,
    algo: Algo,
    knob: &Knob,
    (alpha_s, efficiency): (f64, f64),
    sizes: &[f64],
) -> Result<Vec<f64>, CollectiveError> {
    Model {
        topo: topo.clone(),
        ranks,
        op,
        algo,
        knob: knob.clone(),
        base: Params::default(),
        sizes: sizes.to_vec(),
    }
    .times(alpha_s, 1.0 / efficiency)
}

/// The algorithm and knob a ramp on `ranks` is fitted with: `algo`, or
/// for `auto` the algorithm the presets pick at the largest size; the link
/// kind of the bottleneck at that size (NVLS: the NVLS efficiency).
pub fn resolve(
    topo: &Topology,
    ranks: &[NodeId],
    op: Op,
    algo: Algo,
    largest: f64,
) -> Result<(Algo, Knob, String), CollectiveError> {
    resolve_with(topo, ranks, op, algo, largest, &Params::default())
}

/// [`resolve`] with simulation knobs `base` (e.g. CollNet enabled).
pub fn resolve_with(
    topo: &Topology,
    ranks: &[NodeId],
    op: Op,
    algo: Algo,
    largest: f64,
    base: &Params,
) -> Result<(Algo, Knob, String), CollectiveError> {
    let mut sim = CollectiveSim::new(topo, base.clone());
    let req = Request::new(op, largest)
        .algo(algo)
        .protocol(Protocol::Simple);
    let out = run(&mut sim, ranks, &req)?;
    let kind = out.bottleneck.map(|b| b.kind).unwrap_or_default();
    let family = presets::family_of(&kind);
    Ok(
        if out.algorithm == Algo::Nvls && presets::is_network(family) {
            (out.algorithm, Knob::Link(kind), "sharp".into())
        } else if out.algorithm == Algo::Nvls {
            (out.algorithm, Knob::Nvls, "nvls".into())
        } else {
            (out.algorithm, Knob::Link(kind), family.to_string())
        },
    )
}

/// Fits α and the efficiency of the technology `op` is bound by on
/// `ranks` of `topo` to `points` (see the module docs).
pub fn fit(
    topo: &Topology,
    ranks: &[NodeId],
    op: Op,
    algo: Algo,
    points: &[Point],
) -> Result<Fit, FitError> {
    fit_with(topo, ranks, op, algo, points, &Params::default())
}

/// [`fit`] with simulation knobs `base` (e.g. CollNet enabled, for a log
/// measured with `NCCL_COLLNET_ENABLE=1`); the fitted α and efficiency
/// replace `base`'s.
pub fn fit_with(
    topo: &Topology,
    ranks: &[NodeId],
    op: Op,
    algo: Algo,
    points: &[Point],
    base: &Params,
) -> Result<Fit, FitError> {
    for p in points {
        if !(p.size > 0.0 && p.size.is_finite() && p.time_s > 0.0 && p.time_s.is_finite()) {
            return Err(FitError::BadPoint(format!(
                "at size {} has time {} s: both must be positive",
                p.size, p.time_s
            )));
        }
    }
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.size.total_cmp(&b.size));
    let mut distinct = pts.iter().map(|p| p.size).collect::<Vec<_>>();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(FitError::UnderDetermined(format!(
            "{} distinct size{}: α and efficiency need at least 2 (one latency-bound, one bandwidth-bound)",
            distinct.len(),
            if distinct.len() == 1 { "" } else { "s" }
        )));
    }
    let largest = distinct[distinct.len() - 1];
    let (algo, knob, alpha_family) = resolve_with(topo, ranks, op, algo, largest, base)?;
    let preset_efficiency = match &knob {
        Knob::Link(k) => topo.efficiency(k),
        Knob::Nvls => presets::NVLS_EFFICIENCY,
    };
    let preset_alpha_s = match alpha_family.as_str() {
        "nvls" => presets::NVLS_STEP_S,
        "sharp" => presets::SHARP_STEP_S,
        f => presets::family_step_s(f),
    };
    let mut model = Model {
        topo: topo.clone(),
        ranks,
        op,
        algo,
        knob: knob.clone(),
        base: base.clone(),
        sizes: pts.iter().map(|p| p.size).collect(),
    };
    let m: Vec<f64> = pts.iter().map(|p| p.time_s).collect();
    let n = m.len();

    // K: steps that pay α (exact: times are affine in α).
    let u0 = 1.0 / preset_efficiency;
    let t00 = model.times(0.0, u0)?;
    const A: f64 = 1e-5;
    let t0a = model.times(A, u0)?;
    let k: Vec<f64> = t0a.iter().zip(&t00).map(|(a, b)| (a - b) / A).collect();

    // Identifiability at the preset values.
    let alpha0 = preset_alpha_s.max(1e-6);
    let lat_share: Vec<f64> = (0..n)
        .map(|i| k[i] * alpha0 / (k[i] * alpha0 + t00[i]))
        .collect();
    let size_name = |s: f64| Bytes(s).to_string();
    if lat_share.iter().all(|&s| s < MIN_LATENCY_SHARE) {
        // Bandwidth time grows ~linearly with size: latency is half the time at
        // S ≈ S₀ · Kα / T₀ of the smallest size.
        let s = pts[0].size * k[0] * alpha0 / t00[0];
        return Err(FitError::UnderDetermined(format!(
            "no size is small enough to pin the per-step latency α (at the smallest, {}, α is {:.1} % of the simulated time; at least {:.0} % is needed): add sizes of about {} or less",
            size_name(pts[0].size),
            100.0 * lat_share[0],
            100.0 * MIN_LATENCY_SHARE,
            size_name(s.max(1.0))
        )));
    }
    if lat_share.iter().all(|&s| 1.0 - s < MIN_BANDWIDTH_SHARE) {
        let i = n - 1;
        let s = pts[i].size * 9.0 * k[i] * alpha0 / t00[i].max(1e-30);
        return Err(FitError::UnderDetermined(format!(
            "no size is large enough to pin the bandwidth (at the largest, {}, bandwidth is {:.1} % of the simulated time; at least {:.0} % is needed): add sizes of about {} or more",
            size_name(pts[i].size),
            100.0 * (1.0 - lat_share[i]),
            100.0 * MIN_BANDWIDTH_SHARE,
            size_name(s)
        )));
    }

    // Gauss-Newton on θ = (α, u), residuals r = (Kα + T₀(u) − m)/m.
    let resid = |alpha: f64, t0: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|i| (k[i] * alpha + t0[i] - m[i]) / m[i])
            .collect()
    };
    let rss = |r: &[f64]| r.iter().map(|x| x * x).sum::<f64>();
    let (mut alpha, mut u) = (preset_alpha_s, u0);
    let mut t0 = t00;
    let mut r = resid(alpha, &t0);
    let mut iterations = 0;
    let mut jac = vec![[0.0; 2]; n];
    for it in 0..60 {
        iterations = it + 1;
        let h = 1e-4 * u;
        let tp = model.times(0.0, u + h)?;
        let tm = model.times(0.0, u - h)?;
        for i in 0..n {
            jac[i] = [k[i] / m[i], (tp[i] - tm[i]) / (2.0 * h) / m[i]];
        }
        let (a, g) = normal(&jac, &r);
        let det = a.determinant();
        let step = (!(det.is_nan() || det.abs() <= 1e-14 * a[(0, 0)] * a[(1, 1)]))
            .then(|| a.try_inverse())
            .flatten()
            .map(|inv| -(inv * g))
            .ok_or_else(|| {
                FitError::UnderDetermined(
                    "the sizes do not separate latency from bandwidth (singular normal equations)"
                        .into(),
                )
            })?;
        let (da, du) = (step[0], step[1]);
        let old = rss(&r);
        let mut lambda = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let na = (alpha + lambda * da).max(0.0);
            let nu = u + lambda * du;
            if nu > 1e-3 {
                let nt0 = model.times(0.0, nu)?;
                let nr = resid(na, &nt0);
                if rss(&nr) <= old {
                    let small =
                        (na - alpha).abs() <= 1e-13 * na.max(1e-9) && (nu - u).abs() <= 1e-13 * nu;
                    alpha = na;
                    u = nu;
                    t0 = nt0;
                    r = nr;
                    accepted = !small;
                    break;
                }
            }
            lambda *= 0.5;
        }
        if !accepted || rss(&r) < 1e-28 {
            break;
        }
    }
    // Covariance at the solution.
    let h = 1e-4 * u;
    let tp = model.times(0.0, u + h)?;
    let tm = model.times(0.0, u - h)?;
    for i in 0..n {
        jac[i] = [k[i] / m[i], (tp[i] - tm[i]) / (2.0 * h) / m[i]];
    }
    let (a, _) = normal(&jac, &r);
    let dof = n.saturating_sub(2);
    let inverse = a.try_inverse().filter(|_| a.determinant() > 0.0);
    let (alpha_ci_s, efficiency_ci) = if let (true, Some(inv)) = (dof > 0, inverse) {
        // Covariance of (α, 1/eff): s² · (JᵀJ)⁻¹.
        let s2 = rss(&r) / dof as f64;
        let var_a = s2 * inv[(0, 0)];
        let var_u = s2 * inv[(1, 1)];
        let t = t95(dof);
        (
            Some(t * var_a.max(0.0).sqrt()),
            Some(t * var_u.max(0.0).sqrt() / (u * u)),
        )
    } else {
        (None, None)
    };
    // INVARIANT: a fit is physical, so its override file is one its reader
    // accepts: efficiency in (0, 1], α finite, ≥ 0 and at most 10⁶ s.
    let efficiency = 1.0 / u;
    if !(efficiency.is_finite() && efficiency > 0.0 && efficiency <= 1.0) {
        return Err(FitError::OutOfRange(format!(
            "efficiency {efficiency:.4} (a fraction of line rate must be in (0, 1]): the measured \
             times are faster than the links of the topology allow; check the log's sizes, the \
             ranks and --topology"
        )));
    }
    if !(alpha.is_finite() && (0.0..=1e6).contains(&alpha)) {
        return Err(FitError::OutOfRange(format!(
            "per-step latency α = {alpha:e} s (it must be from 0 to 1000000 s)"
        )));
    }
    let factor = op.bus_factor(ranks.len());
    let residuals = (0..n)
        .map(|i| {
            let sim = k[i] * alpha + t0[i];
            Residual {
                bytes: pts[i].size,
                measured_s: m[i],
                simulated_s: sim,
                measured_busbw_gbps: pts[i].size / m[i] / 1e9 * factor,
                simulated_busbw_gbps: pts[i].size / sim / 1e9 * factor,
                rel_error: r[i],
            }
        })
        .collect();
    Ok(Fit {
        op,
        algorithm: algo,
        ranks: ranks.len(),
        knob,
        alpha_family,
        alpha_s: alpha,
        alpha_ci_s,
        efficiency,
        efficiency_ci,
        preset_alpha_s,
        preset_efficiency,
        rms_rel_error: (rss(&r) / n as f64).sqrt(),
        iterations,
        residuals,
    })
}

/// The normal equations of a two-column Jacobian: `JᵀJ` and `Jᵀr`.
fn normal(jac: &[[f64; 2]], r: &[f64]) -> (Matrix2<f64>, Vector2<f64>) {
    let j = DMatrix::from_fn(jac.len(), 2, |i, c| jac[i][c]);
    let rv = DVector::from_column_slice(r);
    let jt = j.transpose();
    let a = &jt * &j;
    let g = &jt * rv;
    (
        Matrix2::new(a[(0, 0)], a[(0, 1)], a[(1, 0)], a[(1, 1)]),
        Vector2::new(g[0], g[1]),
    )
}

/// `10.9 us ± 1.2 us` style rendering of a fitted time.
pub fn show_time(v: f64, ci: Option<f64>) -> String {
    match ci {
        Some(c) => format!("{} ± {}", Seconds(v), Seconds(c)),
        None => format!("{} (no interval: 2 sizes)", Seconds(v)),
    }
}
