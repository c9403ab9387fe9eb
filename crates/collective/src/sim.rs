//! Running schedules on a topology with the flow engine.
//!
//! Each transfer becomes a flow on its ECMP route. Link capacities are scaled
//! by their technology's achievable efficiency (`Topology::efficiency`, cited
//! in the presets) unless [`Params::raw_capacity`] is set, and every transfer
//! carries a per-step latency `α` on top of its route's latency: the largest
//! preset α of the link families on its route, or for transfers to or from a
//! reducing switch the in-switch-reduction α (`presets.rs`), unless
//! [`Params::alpha_s`] fixes one α for all; a ring step charges every
//! transfer the mean of those (dataflow ring, [`StepLatency::RingMean`]), a
//! pipeline's fill slot charges only the stage its first chunk reaches
//! ([`StepLatency::Front`]) and its steady-state and drain steps charge none
//! ([`StepLatency::Hidden`]).
//! Transfers to or from a reducing switch also move
//! `bytes / NVLS_EFFICIENCY` (reduce/multicast throughput below line rate);
//! link byte counts report the real bytes. A step's time is the makespan of its flows started
//! together on an idle fabric; a schedule's time is `Σ repeat · T_step`
//! (exact for bulk-synchronous steps, see `schedule.rs`).

use super::schedule::{Schedule, Step, StepLatency};

#[path = "sim_staged.rs"]
mod staged;
use super::{CollectiveError, Protocol, presets};
use fabricsim_base::exact_sum::ExactSum;
use fabricsim_flow::budget::DEFAULT_MAX_EVENTS;
use fabricsim_flow::{Budget, Flow, FlowError, simulate_within};
use fabricsim_routing::Router;
use fabricsim_topology::RoutingMode;
use fabricsim_topology::{LinkId, NodeId, Topology};
use serde::Serialize;
use std::collections::BTreeMap;

/// Knobs of a collective simulation.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Params {
    /// One per-step latency for every transfer \[s\]; `None` takes α from the
    /// presets by link technology (`presets.rs`).
    pub alpha_s: Option<f64>,
    /// Ignore link efficiencies and run links at full line rate.
    pub raw_capacity: bool,
    /// ECMP mode; `None` uses the topology's.
    pub routing: Option<RoutingMode>,
    /// Seed of hash-mode ECMP.
    pub seed: u64,
    /// Per-step latency \[s\] per link family (`nvlink`, `xgmi`,
    /// `infiniband`, ...) or in-network reduction (`nvls`, `sharp`),
    /// replacing the preset of that family (`presets.rs`); from a
    /// calibration file (`fabricsim_topology::overrides::Overrides`). [`Params::alpha_s`]
    /// still wins over it.
    pub family_alpha_s: BTreeMap<String, f64>,
    /// NVLS reduce/multicast efficiency replacing
    /// [`presets::NVLS_EFFICIENCY`] (from a calibration file).
    pub nvls_efficiency: Option<f64>,
    /// Flow-engine events the simulator may spend over its lifetime
    /// (`None`: [`fabricsim_flow::budget::DEFAULT_MAX_EVENTS`]).
    pub max_events: Option<u64>,
    /// Wall-clock seconds the simulator may run from its creation (`None`:
    /// no limit). Past it, runs fail with [`fabricsim_flow::BudgetExceeded`].
    pub max_time_s: Option<f64>,
    /// NCCL's `NCCL_COLLNET_ENABLE=1`: the library may reduce across
    /// scale-up domains in the network (SHARP, NCCL's CollNet, and NVLS
    /// across nodes, which needs it) where the scale-out switches can
    /// (`in_switch_reduction`). Off by default, as in NCCL
    /// (`NCCL_PARAM(CollNetEnable, "COLLNET_ENABLE", 0)` in `src/init.cc`,
    /// 2.20.3; the SHARP plugin must also be loaded): a switch that can
    /// reduce is not used for it unless the job asks (docs/sources.md
    /// [S-nccl-collnet-enable]).
    pub collnet: bool,
    /// The NCCL release whose cost model `auto` reproduces; `None`: the
    /// default ([`crate::release::NcclVersion::default`], 2.20.3).
    pub nccl: Option<crate::release::NcclVersion>,
}

impl Params {
    /// Adds the α and NVLS values of a calibration's overrides.
    pub fn apply_overrides(&mut self, o: &fabricsim_topology::overrides::Overrides) {
        for (k, &v) in &o.step_latency_s {
            self.family_alpha_s.insert(k.clone(), v);
        }
        if let Some(e) = o.nvls_efficiency {
            self.nvls_efficiency = Some(e);
        }
    }

    /// α of one step over links of `family` \[s\]: the override if any,
    /// else the preset ([`presets::family_step_s`]).
    pub fn family_step_s(&self, family: &str) -> f64 {
        self.family_alpha_s
            .get(family)
            .copied()
            .unwrap_or_else(|| presets::family_step_s(family))
    }

    /// α of an in-switch reduction step \[s\] (`sharp` over network links,
    /// else `nvls`): the override if any, else the preset.
    fn in_switch_step_s(&self, sharp: bool) -> f64 {
        let (key, preset) = if sharp {
            ("sharp", presets::SHARP_STEP_S)
        } else {
            ("nvls", presets::NVLS_STEP_S)
        };
        self.family_alpha_s.get(key).copied().unwrap_or(preset)
    }
}

/// Time of one distinct step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// Duration of one execution of the step \[s\].
    pub time_s: f64,
    /// Times the step runs in a row ([`Step::repeat`](super::Step::repeat)).
    pub repeat: u32,
    /// Transfers in one execution, counting every copy a symmetry-reduced
    /// transfer stands for.
    pub transfers: usize,
    /// Utilization of each tier of links during one execution of the step,
    /// every tier of the topology in [`tier_order`], so `O(steps × tiers)`
    /// memory for a whole run.
    pub tier_busy: Vec<TierBusy>,
    /// The busiest link's bytes of one execution over its effective
    /// capacity (line rate × efficiency) × `time_s`: the fraction of the
    /// step spent moving bytes on its bottleneck (≤ 1 up to rounding).
    #[serde(skip)]
    pub busiest: f64,
    /// What the repetitions do ([`Step::phases`](super::Step::phases)).
    #[serde(skip)]
    pub phases: Vec<super::Phase>,
}

/// How busy the links of one tier are during a step: bytes carried over
/// line-rate capacity × step time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierBusy {
    /// `scale-up`, `leaf`, `spine`, `core`, `dci`, ...
    pub tier: String,
    /// Σ bytes / (Σ capacity × time) over every link of the tier.
    pub mean: f64,
    /// The busiest link of the tier.
    pub max: f64,
}

/// Rank of a tier name for display, from the accelerators outwards:
/// `scale-up`, `nic`, `leaf`, `spine`, `core`, `dci`, then others by name.
pub fn tier_order(tier: &str) -> (u8, &str) {
    let rank = match tier {
        "scale-up" => 0,
        "nic" => 1,
        "leaf" => 2,
        "spine" => 3,
        "core" => 4,
        "dci" => 5,
        _ => 6,
    };
    (rank, tier)
}

/// The most utilized link of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    /// `src → dst (kind)`.
    pub link: String,
    /// The link's technology kind, e.g. `nvlink4`.
    pub kind: String,
    /// The link's tier (`scale-up`, `leaf`, `spine`, `core`, `dci`, ...).
    pub tier: String,
    /// Bytes carried / (line-rate capacity × collective time).
    pub utilization: f64,
}

/// Result of running a schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    /// Total time \[s\].
    pub time_s: f64,
    /// One report per distinct step, in schedule order.
    pub steps: Vec<StepReport>,
    /// Bytes carried by each directed link over the whole schedule \[bytes\].
    #[serde(skip)]
    pub link_bytes: Vec<f64>,
    /// The most utilized link; `None` when no link carried bytes or the run took no time.
    pub bottleneck: Option<Bottleneck>,
}

/// Runs schedules on one topology (routes are cached across runs).
pub struct CollectiveSim<'t> {
    topo: &'t Topology,
    router: Router<'t>,
    capacity_bps: Vec<f64>,
    params: Params,
    /// Max flow across the halves of the last communicator asked for
    /// (`cut_bps`): it does not depend on the size or the algorithm.
    last_cut: Option<(Vec<fabricsim_topology::NodeId>, f64)>,
    /// The last schedules run and their reports: a job runs schedules that
    /// are identical (e.g. ring reduce-scatter and all-gather of one size),
    /// which are simulated once.
    memo: Vec<(u64, Schedule, Option<Weights>, RunReport)>,
    /// Tier names in [`tier_order`], each link's index into them, and each
    /// tier's summed line-rate capacity \[bytes/s\].
    tiers: Vec<String>,
    tier_of: Vec<u16>,
    tier_capacity_bps: Vec<f64>,
    /// Per link: its line rate \[bytes/s\] (`Link::capacity_bps`, lanes
    /// included), the denominator of every utilization (read per touched
    /// link of every step).
    line_rate_bps: Vec<f64>,
    /// Per link: the per-step α of its family under each protocol, indexed
    /// by [`Protocol`] order (`LL`, `LL128`, `Simple`; Simple from
    /// [`Params::family_step_s`], the others from
    /// [`presets::protocol_step_s`]) \[s\], and whether the family is a
    /// network one ([`presets::is_network`]).
    link_alpha_s: Vec<[f64; 3]>,
    link_network: Vec<bool>,
    /// Per link: NVLS efficiency factor of its generation
    /// ([`presets::nvls_generation_factor`]).
    link_nvls_factor: Vec<f64>,
    /// Per node: whether all its scale-up links, at least one, are NVLink
    /// (where NCCL enables LL128, [`super::run::default_protocols`]).
    nvlink_scale_up: Vec<bool>,
    /// Scale-up domains, their copy classes and accelerators, built on
    /// first use (a PXN step, [`CollectiveSim::reduce_groups`]).
    domains: Option<super::symmetry::Domains>,
    /// Rail owners and the rails that are images of rail 0, built on a
    /// staged run's first use (`rails.rs`).
    rails: Option<super::rails::Rails>,
    /// Whether staged runs keep their routes for the next ones
    /// ([`CollectiveSim::keep_routes`]), and the pairs routed so far with
    /// their links and fractions (empty when off).
    keep_routes: bool,
    /// Planes found to be copies over the staged runs so far (`planes.rs`).
    pub(crate) planes_copied: usize,
    /// Rails found to be copies of rail 0 over the staged runs so far
    /// (`rails.rs`).
    pub(crate) rails_copied: usize,
    /// Whether staged runs look for rail copies (`rails.rs`); tests turn
    /// it off to exercise plane copies alone.
    pub(crate) seek_rails: bool,
    route_memo: staged::RouteMemo,
    /// What the simulations may still spend ([`Params::max_events`],
    /// [`Params::max_time_s`]).
    budget: Budget,
    /// Routes computed since the wall-clock deadline was last checked:
    /// routing a large step takes long before any flow is simulated, so it
    /// checks the deadline every [`ROUTES_PER_TIME_CHECK`] routes.
    pub(crate) routes_since_check: u32,
    /// Why a staged run's routing gave up with a fallback when the run
    /// must fail instead (the deadline passed, or the routes grew past
    /// `max_route_entries`); `run_staged` reports it.
    pub(crate) stop: Option<CollectiveError>,
    /// Link entries a staged run's routes may hold ([`MAX_ROUTE_ENTRIES`];
    /// lowered only in tests).
    pub(crate) max_route_entries: usize,
}

/// Link entries (4 bytes each, 4 GiB in all) a staged run's routes may
/// hold. An all-to-all over 4,096 ranks of a 3-D torus routes 16.8 M pairs
/// whose spray routes spread over ~390 links each: ~6.6 G entries (estimated
/// from a sample of 1,024 routes), more memory than the machine; the run stops with
/// [`CollectiveError::RoutesTooLarge`] instead of failing an allocation
/// (before routing, when a sample shows it: [`crate::route_estimate`]).
/// The largest shipped cases hold far fewer (the 32,768-rank
/// halving-doubling ~10 M after rail copies).
pub const MAX_ROUTE_ENTRIES: usize = 1 << 30;

/// Routes between two checks of the wall-clock deadline (a route costs
/// microseconds, reading the clock ~20 ns).
pub(crate) const ROUTES_PER_TIME_CHECK: u32 = 1024;

/// Per step of a schedule, per transfer: how many identical copies of the
/// transfer it stands for ([`super::symmetry`]).
pub type Weights = Vec<Vec<f64>>;

/// Schedules remembered by [`CollectiveSim::run`].
const MEMO_SCHEDULES: usize = 8;

/// Largest schedule (transfers over all steps) [`CollectiveSim::run`]
/// remembers: 2^20 transfers are 24 MiB per copy.
const MEMO_MAX_TRANSFERS: usize = 1 << 20;

/// A hash of everything [`Schedule`] and [`Weights`] equality compares
/// (float fields by bit pattern, so equal values hash equal except ±0 and
/// NaN, which only cost a memo miss).
fn fingerprint(schedule: &Schedule, weights: Option<&Weights>) -> u64 {
    let mut h: u64 = 0;
    let mut mix = |v: u64| {
        h = (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    };
    for s in &schedule.steps {
        mix(s.transfers.len() as u64);
        mix(s.transfers.last_stage_start() as u64);
        mix(u64::from(s.repeat));
        mix(s.latency as u64);
        mix(u64::from(s.pxn));
        mix(s.protocol as u64);
        mix(s.bandwidth_fraction.to_bits());
        for t in &s.transfers {
            mix(u64::from(t.src.0) << 32 | u64::from(t.dst.0));
            mix(t.bytes.to_bits());
        }
    }
    if let Some(w) = weights {
        for step in w {
            mix(step.len() as u64);
            for &x in step {
                mix(x.to_bits());
            }
        }
    }
    h
}

impl<'t> CollectiveSim<'t> {
    /// The router's cache counters (`Router::stats`).
    #[cfg(test)]
    pub(crate) fn router_stats(&self) -> fabricsim_routing::RouterStats {
        self.router.stats()
    }

    /// A simulator of `topo` with `params`; the topology's calibration
    /// file supplies α and NVLS efficiency defaults that `params` leaves unset.
    pub fn new(topo: &'t Topology, mut params: Params) -> CollectiveSim<'t> {
        // The topology's calibration file gives defaults; explicit
        // parameters win.
        if let Some(o) = &topo.calibration {
            for (k, &v) in &o.step_latency_s {
                params.family_alpha_s.entry(k.clone()).or_insert(v);
            }
            if params.nvls_efficiency.is_none() {
                params.nvls_efficiency = o.nvls_efficiency;
            }
        }
        let mode = params.routing.unwrap_or(topo.routing);
        let capacity_bps = topo
            .links
            .iter()
            .map(|l| {
                if params.raw_capacity {
                    l.capacity_bps
                } else {
                    l.capacity_bps * topo.efficiency(&l.kind)
                }
            })
            .collect();
        // The distinct tier names (a few) in `tier_order`, which orders
        // distinct names totally, so this is the order of sorting every
        // link's name and removing repeats.
        let mut tiers: Vec<String> = Vec::new();
        for l in &topo.links {
            if !tiers.iter().any(|t| *t == l.tier) {
                tiers.push(l.tier.to_string());
            }
        }
        tiers.sort_by(|a, b| tier_order(a).cmp(&tier_order(b)));
        let tier_of: Vec<u16> = topo
            .links
            .iter()
            .map(|l| tiers.iter().position(|t| *t == l.tier).unwrap_or(0) as u16)
            .collect();
        let mut tier_capacity_bps = vec![0.0; tiers.len()];
        for (l, &t) in topo.links.iter().zip(&tier_of) {
            tier_capacity_bps[t as usize] += l.capacity_bps;
        }
        let families: Vec<&str> = topo
            .links
            .iter()
            .map(|l| presets::family_of(&l.kind))
            .collect();
        let link_alpha_s = families
            .iter()
            .map(|f| {
                let simple = params.family_step_s(f);
                Protocol::ALL.map(|p| match p {
                    Protocol::Simple => simple,
                    p => presets::protocol_step_s(f, p, simple),
                })
            })
            .collect();
        let link_network = families.iter().map(|f| presets::is_network(f)).collect();
        let link_nvls_factor = topo
            .links
            .iter()
            .map(|l| presets::nvls_generation_factor(&l.kind))
            .collect();
        let mut nvlink = vec![false; topo.nodes.len()];
        let mut other = vec![false; topo.nodes.len()];
        for (l, f) in topo.links.iter().zip(&families) {
            if l.tier.as_ref() == "scale-up" {
                if *f == "nvlink" {
                    nvlink[l.src.idx()] = true;
                } else {
                    other[l.src.idx()] = true;
                }
            }
        }
        let nvlink_scale_up = nvlink.iter().zip(&other).map(|(&n, &o)| n && !o).collect();
        CollectiveSim {
            topo,
            router: Router::new(topo, mode, params.seed),
            link_alpha_s,
            link_network,
            link_nvls_factor,
            nvlink_scale_up,
            domains: None,
            rails: None,
            keep_routes: false,
            planes_copied: 0,
            rails_copied: 0,
            seek_rails: true,
            route_memo: Default::default(),
            budget: Budget::new(
                Some(params.max_events.unwrap_or(DEFAULT_MAX_EVENTS)),
                params.max_time_s,
            ),
            routes_since_check: 0,
            stop: None,
            max_route_entries: MAX_ROUTE_ENTRIES,
            capacity_bps,
            params,
            last_cut: None,
            memo: Vec::new(),
            tiers,
            tier_of,
            tier_capacity_bps,
            line_rate_bps: topo.links.iter().map(|l| l.capacity_bps).collect(),
        }
    }

    /// Max flow \[bytes/s\] from the first ⌊n/2⌋ of `ranks` to the rest over
    /// effective capacities, remembered for the last communicator.
    pub fn cut_bps(&mut self, ranks: &[fabricsim_topology::NodeId]) -> f64 {
        if let Some((r, c)) = &self.last_cut
            && r.as_slice() == ranks
        {
            return *c;
        }
        let half = ranks.len() / 2;
        let c = fabricsim_topology::max_flow_between(
            self.topo,
            &self.capacity_bps,
            &ranks[..half],
            &ranks[half..],
        );
        self.last_cut = Some((ranks.to_vec(), c));
        c
    }

    /// Whether every scale-up link of `node`, and at least one, is NVLink.
    pub fn nvlink_scale_up(&self, node: NodeId) -> bool {
        self.nvlink_scale_up[node.idx()]
    }

    /// The topology simulated.
    pub fn topology(&self) -> &'t Topology {
        self.topo
    }

    /// Keeps the routes of staged runs for the following runs (`true`), or
    /// drops them and stops (`false`). A caller that runs one schedule
    /// under several protocols turns it on around them: the transfers, so
    /// the routed pairs, are the same, and each pair is routed once instead
    /// of once per protocol. Results do not change (a pair's route depends
    /// only on its source and destination on the staged path); memory
    /// holds the routes of the runs since it was turned on, which for
    /// runs of one schedule are those of one run.
    pub fn keep_routes(&mut self, on: bool) {
        self.keep_routes = on;
        self.route_memo = Default::default();
    }

    /// Whether in-network reduction across domains may be used
    /// ([`Params::collnet`]).
    pub fn collnet(&self) -> bool {
        self.params.collnet
    }

    /// The NCCL release asked for ([`Params::nccl`]).
    pub fn nccl_version(&self) -> Option<crate::release::NcclVersion> {
        self.params.nccl
    }

    /// Effective capacity of every directed link \[bytes/s\].
    pub fn capacity_bps(&self) -> &[f64] {
        &self.capacity_bps
    }

    /// `groups` reduced to one representative scale-up domain of each kind,
    /// when they are confined to identical domains ([`super::symmetry`]).
    pub fn reduce_groups(&mut self, groups: &[Vec<NodeId>]) -> Option<super::symmetry::Reduction> {
        let topo = self.topo;
        let d = self
            .domains
            .get_or_insert_with(|| super::symmetry::Domains::new(topo));
        d.reduce(groups, self.router.mode())
    }

    /// Whether every transfer of `schedule` joins two nodes of one scale-up
    /// domain at most [`super::symmetry::MAX_CONFINED_HOPS`] apart.
    pub fn transfers_are_confined(&mut self, schedule: &Schedule) -> Result<bool, CollectiveError> {
        let pairs = schedule
            .steps
            .iter()
            .flat_map(|s| s.transfers.iter().map(|t| (t.src, t.dst)));
        let topo = self.topo;
        let d = self
            .domains
            .get_or_insert_with(|| super::symmetry::Domains::new(topo));
        d.confined(&mut self.router, pairs)
    }

    /// Counts one route; every [`ROUTES_PER_TIME_CHECK`] routes, fails
    /// once the wall-clock deadline has passed.
    pub(crate) fn count_route(&mut self) -> Result<(), fabricsim_flow::BudgetExceeded> {
        self.routes_since_check += 1;
        if self.routes_since_check >= ROUTES_PER_TIME_CHECK {
            self.routes_since_check = 0;
            self.budget.check_time()?;
        }
        Ok(())
    }

    /// The per-step α of transfer `t` routed over `links` under
    /// `protocol`, and the bytes it puts on the wire (stretched by the
    /// protocol's `bandwidth_fraction`, or by the NVLS efficiency to or from
    /// a reducing switch). The one place both [`Self::flows`] and the staged
    /// runs (`sim_staged.rs`) compute them, so both give the same bits.
    fn alpha_and_wire_bytes<I: Iterator<Item = usize> + Clone>(
        &self,
        t: &super::schedule::Transfer,
        links: I,
        protocol: Protocol,
        bandwidth_fraction: f64,
    ) -> (f64, f64) {
        let topo = self.topo;
        let reducing = |n: fabricsim_topology::NodeId| {
            let node = &topo.nodes[n.idx()];
            node.role == fabricsim_topology::NodeRole::Switch && node.in_switch_reduction
        };
        let in_switch = reducing(t.src) || reducing(t.dst);
        let params = &self.params;
        let family_alpha = links
            .clone()
            .map(|l| self.link_alpha_s[l][protocol as usize])
            .fold(0.0, f64::max);
        // In-network reduction over network links is SHARP, else NVLS.
        let sharp = in_switch && links.clone().any(|l| self.link_network[l]);
        let alpha_s = params.alpha_s.unwrap_or(if in_switch {
            params.in_switch_step_s(sharp)
        } else {
            family_alpha
        });
        let stretch = if in_switch {
            if !sharp && !params.raw_capacity {
                // A calibrated efficiency is the system's own; the
                // preset is Hopper's, scaled by generation.
                let e = params.nvls_efficiency.unwrap_or_else(|| {
                    let g = links.map(|l| self.link_nvls_factor[l]).fold(1.0, f64::min);
                    presets::NVLS_EFFICIENCY * g
                });
                1.0 / e
            } else {
                1.0
            }
        } else {
            1.0 / bandwidth_fraction
        };
        (alpha_s, t.bytes * stretch)
    }

    /// The flows of one execution of `step`, all released at 0; a ring
    /// step's mean α is weighted by `weights` (copies per transfer).
    fn flows(
        &mut self,
        step: &Step,
        weights: Option<&[f64]>,
    ) -> Result<Vec<Flow>, CollectiveError> {
        let topo = self.topo;
        let mut flows = Vec::with_capacity(step.transfers.len());
        let mut alphas = Vec::with_capacity(step.transfers.len());
        if step.pxn && self.domains.is_none() {
            self.domains = Some(super::symmetry::Domains::new(topo));
        }
        for (i, t) in step.transfers.iter().enumerate() {
            self.count_route().map_err(FlowError::from)?;
            let r = match &self.domains {
                Some(d) if step.pxn => {
                    super::pxn::route(&mut self.router, d, t.src, t.dst, i as u64)?
                }
                _ => self.router.route(t.src, t.dst, i as u64)?,
            };
            let (alpha_s, bytes) = self.alpha_and_wire_bytes(
                t,
                r.links.iter().map(|&(l, _)| l.idx()),
                step.protocol,
                step.bandwidth_fraction,
            );
            alphas.push(alpha_s);
            flows.push(Flow {
                // Same layout: the route's buffer is reused in place.
                route: r.links.into_iter().map(|(l, f)| (l.0, f)).collect(),
                latency_s: r.latency_s,
                bytes,
                start_s: 0.0,
                deps: Vec::new(),
                delay_s: 0.0,
            });
        }
        // Mean α as Σ_k n_k·α_k / Σ_k n_k over the distinct values α_k (n_k
        // transfers, copies counted; whole numbers, exact in f64) in a fixed
        // order, so a reduced run (`symmetry.rs`) rounds exactly like the
        // full one.
        let mean = if step.latency == StepLatency::RingMean {
            let mut counts: BTreeMap<u64, f64> = BTreeMap::new();
            for (i, a) in alphas.iter().enumerate() {
                *counts.entry(a.to_bits()).or_default() += weights.map_or(1.0, |w| w[i]);
            }
            let n: f64 = counts.values().sum();
            let sum: f64 = counts.iter().map(|(&a, &c)| c * f64::from_bits(a)).sum();
            if n > 0.0 { sum / n } else { 0.0 }
        } else {
            0.0 // unused
        };
        let front = step.transfers.last_stage_start();
        for (i, (f, a)) in flows.iter_mut().zip(alphas).enumerate() {
            match step.latency {
                StepLatency::EachTransfer => f.latency_s += a,
                StepLatency::RingMean => f.latency_s += mean,
                StepLatency::Front if i >= front => f.latency_s += a,
                // In a pipeline's steady state the route's propagation
                // latency overlaps the chunks in flight just as α does.
                StepLatency::Hidden | StepLatency::Front => f.latency_s = 0.0,
            }
        }
        Ok(flows)
    }

    /// Runs `schedule`, simulating each distinct step once (and a schedule
    /// equal to one of the last few run not at all: the result is the same).
    pub fn run(&mut self, schedule: &Schedule) -> Result<RunReport, CollectiveError> {
        self.run_weighted(schedule, None)
    }

    /// Runs `schedule` like [`Self::run`], each transfer standing for
    /// `weights[step][transfer]` identical copies elsewhere on the fabric
    /// (links disjoint from the schedule's): times are the schedule's own,
    /// and per-tier bytes, ring α means and transfer counts count every
    /// copy. Per-link bytes are the schedule's own
    /// ([`super::symmetry::Reduction::expand_link_bytes`] copies them).
    pub fn run_weighted(
        &mut self,
        schedule: &Schedule,
        weights: Option<&Weights>,
    ) -> Result<RunReport, CollectiveError> {
        // Huge schedules (a pipelined tree over 32K ranks holds ~40M
        // transfers) are neither compared nor copied: the copy alone would
        // double the run's memory.
        let transfers: usize = schedule.steps.iter().map(|s| s.transfers.len()).sum();
        if transfers > MEMO_MAX_TRANSFERS {
            return self.run_uncached(schedule, weights);
        }
        // A fingerprint rejects most non-matches without walking both
        // schedules; a match is still confirmed by full equality.
        let key = fingerprint(schedule, weights);
        if let Some((_, _, _, r)) = self
            .memo
            .iter()
            .find(|(k, s, w, _)| *k == key && s == schedule && w.as_ref() == weights)
        {
            return Ok(r.clone());
        }
        let report = self.run_uncached(schedule, weights)?;
        if self.memo.len() == MEMO_SCHEDULES {
            self.memo.remove(0);
        }
        self.memo
            .push((key, schedule.clone(), weights.cloned(), report.clone()));
        Ok(report)
    }

    fn run_uncached(
        &mut self,
        schedule: &Schedule,
        weights: Option<&Weights>,
    ) -> Result<RunReport, CollectiveError> {
        // The same report from each stage and domain kind once (see
        // `sim_staged.rs`), where that applies.
        if weights.is_none()
            && let Some(report) = self.run_staged(schedule)?
        {
            return Ok(report);
        }
        self.run_steps(schedule, weights)
    }

    /// [`Self::run_uncached`] step by step, every flow of every step built.
    fn run_steps(
        &mut self,
        schedule: &Schedule,
        weights: Option<&Weights>,
    ) -> Result<RunReport, CollectiveError> {
        let mut link_bytes = vec![0.0; self.topo.links.len()];
        let mut time_s = 0.0;
        let mut steps = Vec::with_capacity(schedule.steps.len());
        // Bytes of one execution of the current step per link, and the links
        // it touched (reset after each step).
        let mut step_bytes = vec![0.0; self.topo.links.len()];
        let mut touched: Vec<u32> = Vec::new();
        // Bytes per tier of one execution of the step, copies included: an
        // exact sum, so the staged run may add the same terms grouped by
        // stage (`fabricsim_base::exact_sum`).
        let mut tier_bytes = vec![0.0; self.tiers.len()];
        let mut tier_sums = vec![ExactSum::new(); self.tiers.len()];
        for (k, step) in schedule.steps.iter().enumerate() {
            let w = weights.map(|w| w[k].as_slice());
            self.budget.check_time().map_err(FlowError::from)?;
            let flows = self.flows(step, w)?;
            let t = super::components::step_makespan(&self.capacity_bps, &flows, &mut self.budget)?;
            time_s += step.repeat as f64 * t;
            tier_sums.iter_mut().for_each(ExactSum::clear);
            for (i, (f, tr)) in flows.iter().zip(&step.transfers).enumerate() {
                let copies = w.map_or(1.0, |w| w[i]);
                for &(l, phi) in &f.route {
                    let b = phi * tr.bytes;
                    link_bytes[l as usize] += step.repeat as f64 * b;
                    if step_bytes[l as usize] == 0.0 {
                        touched.push(l);
                    }
                    step_bytes[l as usize] += b;
                    tier_sums[self.tier_of[l as usize] as usize].add_product(copies, b);
                }
            }
            for (b, x) in tier_bytes.iter_mut().zip(&tier_sums) {
                *b = x.value();
            }
            steps.push(StepReport {
                time_s: t,
                repeat: step.repeat,
                transfers: w.map_or(step.transfers.len(), |w| w.iter().sum::<f64>() as usize),
                tier_busy: self.tier_busy(&step_bytes, &touched, &tier_bytes, t),
                busiest: self.busiest(&step_bytes, &touched, t),
                phases: step.phases.clone(),
            });
            for l in touched.drain(..) {
                step_bytes[l as usize] = 0.0;
            }
        }
        let bottleneck = self.bottleneck(&link_bytes, time_s);
        Ok(RunReport {
            time_s,
            steps,
            link_bytes,
            bottleneck,
        })
    }

    /// Runs `schedule` the general way: every step's flows built, routed
    /// and grouped on their own, no stage shared and no domain copy skipped
    /// (`sim_staged.rs`), nothing remembered. For checking that
    /// [`Self::run`] gives the same report, bit for bit.
    pub fn run_general(&mut self, schedule: &Schedule) -> Result<RunReport, CollectiveError> {
        self.run_steps(schedule, None)
    }

    /// Runs `schedule` as one flow graph, every repetition expanded and each
    /// step's flows depending on all flows of the step before (the barrier).
    /// Slow (`O(steps · transfers²)` dependencies); for checking [`Self::run`].
    pub fn run_expanded(&mut self, schedule: &Schedule) -> Result<f64, CollectiveError> {
        let mut all: Vec<Flow> = Vec::new();
        let mut prev: Vec<u32> = Vec::new();
        for step in &schedule.steps {
            let flows = self.flows(step, None)?;
            for _ in 0..step.repeat {
                let first = all.len() as u32;
                for f in &flows {
                    let mut f = f.clone();
                    f.deps = prev.clone();
                    all.push(f);
                }
                prev = (first..all.len() as u32).collect();
            }
        }
        Ok(simulate_within(&self.capacity_bps, &all, &mut self.budget)?.makespan_s())
    }

    /// Per-tier utilization of one step from its per-link bytes (for the
    /// busiest link) and its per-tier bytes (for the mean).
    /// The busiest touched link's `bytes / (effective capacity × time)`.
    pub(crate) fn busiest(&self, step_bytes: &[f64], touched: &[u32], time_s: f64) -> f64 {
        if time_s <= 0.0 {
            return 0.0;
        }
        touched
            .iter()
            .map(|&l| step_bytes[l as usize] / (self.capacity_bps[l as usize] * time_s))
            .fold(0.0, f64::max)
    }

    fn tier_busy(
        &self,
        step_bytes: &[f64],
        touched: &[u32],
        bytes: &[f64],
        time_s: f64,
    ) -> Vec<TierBusy> {
        let mut max: Vec<f64> = vec![0.0; self.tiers.len()];
        for &l in touched {
            let l = l as usize;
            let t = self.tier_of[l] as usize;
            if time_s > 0.0 {
                max[t] = max[t].max(step_bytes[l] / (self.line_rate_bps[l] * time_s));
            }
        }
        self.tiers
            .iter()
            .enumerate()
            .map(|(t, name)| TierBusy {
                tier: name.clone(),
                mean: if time_s > 0.0 {
                    bytes[t] / (self.tier_capacity_bps[t] * time_s)
                } else {
                    0.0
                },
                max: max[t],
            })
            .collect()
    }

    /// A lower bound on the α [`Self::alpha_and_wire_bytes`] gives any
    /// transfer with a route under `protocol` \[s\]: the override if set,
    /// else the least of every link's α and of the in-switch steps' α.
    pub(crate) fn min_alpha_s(&self, protocol: Protocol) -> f64 {
        if let Some(a) = self.params.alpha_s {
            return a;
        }
        let links = self
            .link_alpha_s
            .iter()
            .map(|a| a[protocol as usize])
            .fold(f64::INFINITY, f64::min);
        let switch = self
            .params
            .in_switch_step_s(true)
            .min(self.params.in_switch_step_s(false));
        links.min(switch).max(0.0)
    }

    /// The most utilized link given bytes per link over a run of `time_s`.
    pub fn bottleneck(&self, link_bytes: &[f64], time_s: f64) -> Option<Bottleneck> {
        if time_s <= 0.0 {
            return None;
        }
        let (l, util) = link_bytes
            .iter()
            .enumerate()
            .map(|(l, &b)| (l, b / (self.line_rate_bps[l] * time_s)))
            .filter(|&(_, u)| u > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
        let id = LinkId(l as u32);
        Some(Bottleneck {
            link: self.topo.link_label(id),
            kind: self.topo.links[l].kind.clone(),
            tier: self.topo.links[l].tier.to_string(),
            utilization: util,
        })
    }
}
