//! One collective on one topology: schedule, simulate, compare with the bound.

use super::algorithms::{Knobs, default_channels, schedule};
use super::bound::{bisection_bound_s, domain_bound_s, injection_bound_s, rank_bandwidths};
use super::schedule::Schedule;
use super::sim::{Bottleneck, CollectiveSim, RunReport};
use super::{Algo, CollectiveError, Op, Protocol, presets, tuning};
use fabricsim_topology::NodeId;
use serde::Serialize;

/// What to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The collective operation.
    pub op: Op,
    /// The algorithm; [`Algo::Auto`] picks the fastest the fabric supports.
    pub algo: Algo,
    /// nccl-tests size S \[bytes\].
    pub size: f64,
    /// Channels for ring algorithms; `None` = [`default_channels`].
    pub channels: Option<usize>,
    /// Pipelining chunk of chain algorithms \[bytes\].
    pub chunk_bytes: f64,
    /// The protocol; `None` picks the fastest of those NCCL enables by
    /// default ([`default_protocols`]).
    pub protocol: Option<Protocol>,
}

impl Request {
    /// `op` on a buffer of `size` bytes (nccl-tests' S), with the `auto`
    /// algorithm, the default channels and the default chunk.
    pub fn new(op: Op, size: f64) -> Request {
        Request {
            op,
            algo: Algo::Auto,
            size,
            channels: None,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            protocol: None,
        }
    }

    /// This request with protocol `protocol`.
    pub fn protocol(mut self, protocol: Protocol) -> Request {
        self.protocol = Some(protocol);
        self
    }

    /// This request with algorithm `algo`.
    pub fn algo(mut self, algo: Algo) -> Request {
        self.algo = algo;
        self
    }

    /// This request with `channels` ring channels.
    pub fn channels(mut self, channels: usize) -> Request {
        self.channels = Some(channels);
        self
    }
}

/// Most ring channels a request may ask for: each channel is one more ring
/// of flows per step, and real libraries use a few dozen at most.
pub const MAX_CHANNELS: usize = 256;

/// Default pipelining chunk of trees and chains: 512 KiB, the piece NCCL
/// pipelines in, `NCCL_BUFFSIZE / NCCL_STEPS` = 4 MiB / 8 ([S-nccl-env] for
/// the buffer size; `NCCL_STEPS` = 8 in `src/include/device.h`,
/// [S-nccl-device-h]).
/// Only the pipeline-fill slots pay α and route latency
/// ([`super::tree::pipeline_stages`]), so the finer unit costs no per-chunk
/// latency. It was 4 MiB (the whole buffer), which left the 1,984-GPU H200
/// tree at −51% (−16% with 512 KiB; −13% since pipelines pay only the
/// first chunk's latency); the held-out median from 16 MiB moved from
/// 10.0% to 10.5% (docs/validation.md).
pub const DEFAULT_CHUNK_BYTES: f64 = 512.0 * 1024.0;

/// The outcome of one collective, in nccl-tests terms.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// nccl-tests size S \[bytes\].
    pub bytes: f64,
    /// The algorithm that ran (the one `auto` chose, if asked for `auto`).
    pub algorithm: Algo,
    /// The protocol that ran (the fastest enabled one, unless asked for).
    pub protocol: Protocol,
    /// Simulated time until every group has finished \[s\].
    pub time_s: f64,
    /// `S / t` in GB/s (1e9 bytes/s).
    pub algbw_gbps: f64,
    /// `algbw · factor` in GB/s.
    pub busbw_gbps: f64,
    /// Injection/ejection lower bound \[s\] (with in-switch reduction when the
    /// algorithm uses it).
    pub bound_s: f64,
    /// `bound_s / time_s` (1 = as fast as physically possible).
    pub efficiency_vs_bound: f64,
    /// The most utilized link; `None` when no link carried bytes or the run took no time.
    pub bottleneck: Option<Bottleneck>,
    /// Simulated steps, counting repetitions.
    pub steps: u64,
    /// `latency` when the run spends more of its time in per-step latency
    /// than in moving bytes on each step's busiest link (`latency_s >
    /// time_s / 2`), else `bandwidth`.
    pub bound_by: BoundBy,
    /// The latency part of `time_s` \[s\]: `t − Σ_k r_k · t_k · u_k` over
    /// the distinct steps `k` (run `r_k` times, `t_k` each), `u_k` the
    /// busiest link's bytes over its effective capacity (line rate ×
    /// efficiency) × `t_k`; what is left when
    /// each step's transfer time on its bottleneck is taken out (α, route
    /// latency, protocol base, and waiting on other links).
    pub latency_s: f64,
    /// How the algorithm and protocol were chosen.
    pub selection: Selection,
    /// The collective library's own predicted time of the choice \[s\],
    /// when its cost model chose it: NCCL's ([`tuning`]), or RCCL's on AMD
    /// Instinct GPUs ([`tuning::rccl`]).
    pub nccl_model_s: Option<f64>,
    /// The NCCL release whose model chose, when one did.
    pub nccl_release: Option<crate::release::NcclVersion>,
    /// The RCCL release whose model chose, when one did
    /// ([`tuning::rccl::RCCL_RELEASE`]).
    pub rccl_release: Option<&'static str>,
    /// A faster algorithm fabricsim can simulate, when one is more than
    /// [`ALTERNATIVE_MARGIN`] faster (filled by [`with_alternative`]).
    pub alternative: Option<Alternative>,
}

/// What limits a collective's time ([`Outcome::bound_by`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundBy {
    /// Per-step latency dominates: more links or bandwidth would not help.
    Latency,
    /// Moving bytes on the bottleneck links dominates.
    Bandwidth,
}

impl BoundBy {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            BoundBy::Latency => "latency",
            BoundBy::Bandwidth => "bandwidth",
        }
    }
}

/// The latency part of a run's time \[s\] ([`Outcome::latency_s`]).
pub fn latency_part_s(report: &RunReport) -> f64 {
    let transfer: f64 = report
        .steps
        .iter()
        .map(|k| f64::from(k.repeat) * k.time_s * k.busiest.min(1.0))
        .sum();
    (report.time_s - transfer).max(0.0)
}

/// How an [`Outcome`]'s algorithm and protocol were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Asked for by name.
    Requested,
    /// NCCL's cost model ranked it first (`auto`).
    NcclModel,
    /// RCCL's cost model and rules chose it (`auto` on AMD Instinct GPUs).
    RcclModel,
    /// The fastest simulated candidate (`best`, or `auto` where NCCL's
    /// model does not apply).
    FastestSimulated,
    /// All-to-all as NCCL and RCCL run it, point-to-point sends to every
    /// peer: fabricsim's `direct` (`auto`, at any rank count).
    PointToPoint,
}

impl Selection {
    /// The name used in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Selection::Requested => "requested",
            Selection::NcclModel => "nccl-model",
            Selection::RcclModel => "rccl-model",
            Selection::FastestSimulated => "fastest-simulated",
            Selection::PointToPoint => "point-to-point",
        }
    }
}

/// A faster algorithm than the one chosen (see [`with_alternative`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alternative {
    /// Its algorithm.
    pub algorithm: Algo,
    /// Its protocol.
    pub protocol: Protocol,
    /// Its simulated time \[s\].
    pub time_s: f64,
    /// Its busbw in GB/s.
    pub busbw_gbps: f64,
}

/// The algorithms `auto` simulates where NCCL's cost model does not apply
/// ([`tuning::comm_shape`] is `None`: non-NVLink scale-up, send-recv; not
/// all-to-all, which `auto` runs as `direct`), keeping the fastest, in
/// order of preference on ties: ring,
/// tree, NVLS, and hierarchical for NVLS-tree/CollNet-style compositions,
/// plus `direct` only where a library would use it (see
/// [`direct_is_candidate`]). Halving-doubling is not an NCCL algorithm and
/// runs only when asked for.
///
/// PAT is not a candidate yet, though NCCL uses it at one GPU per node: its
/// doubling-distance partners cross the whole fabric, and with spray routing
/// on the 100,800-GPU job (144 concurrent DP groups of 700) that made one
/// iteration take 508 s instead of 8 s. `--algo pat` runs it.
const AUTO_CANDIDATES: [Algo; 6] = [
    Algo::Ring,
    Algo::Tree,
    Algo::Nvls,
    Algo::Hierarchical,
    Algo::Direct,
    Algo::NvlsTree,
];

/// The algorithms tried by `best`: every concrete algorithm, with the
/// same limits as `auto` on `direct` and `tree`, and PAT up to
/// [`BEST_PAT_MAX_RANKS`] (all grow too large to simulate past them); for
/// all-to-all `direct` first, so that its time bounds the others' (a
/// ring's `n−1` steps of α rarely beat it).
const BEST_CANDIDATES: [Algo; 8] = [
    Algo::Ring,
    Algo::Tree,
    Algo::Nvls,
    Algo::Hierarchical,
    Algo::Direct,
    Algo::NvlsTree,
    Algo::HalvingDoubling,
    Algo::Pat,
];

/// Runs `req` on the ranks `ranks` of `sim`'s topology.
pub fn run(
    sim: &mut CollectiveSim<'_>,
    ranks: &[NodeId],
    req: &Request,
) -> Result<Outcome, CollectiveError> {
    run_groups(sim, &[ranks.to_vec()], req)
}

/// Runs `req` in every group of `groups` at the same time, in one
/// simulation: step `k` of every group's schedule runs together
/// ([`Schedule::merge`]), so groups that share links slow each other down
/// as max-min sharing says. The groups must be disjoint and of one size and
/// shape (e.g. all TP groups of a job). `auto` picks the algorithm that is
/// fastest for all groups together. The result's time is the time until
/// every group has finished; its bound is the largest single-group bound.
pub fn run_groups(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
) -> Result<Outcome, CollectiveError> {
    run_groups_reported(sim, groups, req).map(|(o, _)| o)
}

/// [`run_groups`], with the report of the run it chose.
fn run_groups_reported(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
) -> Result<(Outcome, RunReport), CollectiveError> {
    let found = search(sim, groups, req, f64::INFINITY, None)?;
    Ok(found.expect("with nothing to beat, a candidate ran or its error was returned"))
}

/// Runs `req` as [`run_groups_reported`] does, keeping only a candidate
/// faster than `beat` seconds: a search (`auto` where no library model
/// applies, `best`) skips every candidate whose floors ([`ProtocolFloor`],
/// [`alpha_paying_runs`]) show it cannot be, and `None` says that none
/// was. With `beat` infinite the result is always `Some`. A search also
/// leaves out `skip`, an algorithm whose every default protocol has run
/// already (`auto`'s all-to-all, for the alternative beside it).
fn search(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
    beat: f64,
    skip: Option<Algo>,
) -> Result<Option<(Outcome, RunReport)>, CollectiveError> {
    check_groups(sim, groups)?;
    if let Some(c) = req.channels
        && !(1..=MAX_CHANNELS).contains(&c)
    {
        return Err(CollectiveError::Unsupported {
            algo: req.algo,
            op: req.op,
            why: format!("channels must be from 1 to {MAX_CHANNELS}, got {c}"),
        });
    }
    if !(req.chunk_bytes.is_finite() && req.chunk_bytes >= 1.0) {
        return Err(CollectiveError::Unsupported {
            algo: req.algo,
            op: req.op,
            why: format!(
                "the pipelining chunk must be at least 1 byte, got {} bytes",
                req.chunk_bytes
            ),
        });
    }
    let ranks = &groups[0];
    // A protocol cannot beat the best time so far when even its bandwidth
    // share of the fabric's bound, or the floor the algorithm's Simple run
    // puts on it (`ProtocolFloor`), plus its fixed latency, is slower.
    let bound_s = fabric_bound_s(sim, groups, req);
    let library = |candidates: &[Algo], sim: &CollectiveSim<'_>| -> Vec<Algo> {
        let mut v: Vec<Algo> = candidates
            .iter()
            .copied()
            .filter(|&a| a != Algo::Direct || direct_is_candidate(sim, ranks, req.op))
            .filter(|&a| a != Algo::Tree || tree_is_candidate(sim, ranks, req.op))
            .filter(|&a| a != Algo::Pat || ranks.len() <= BEST_PAT_MAX_RANKS)
            .filter(|&a| Some(a) != skip)
            .collect();
        if req.op == Op::AllToAll {
            v.sort_by_key(|&a| a != Algo::Direct);
        }
        v
    };
    let (algos, selection) = match req.algo {
        // NCCL and RCCL have one all-to-all: a send to and a receive from
        // every peer in one group (`ncclGroupStart`/`ncclSend`/`ncclRecv`,
        // as nccl-tests' alltoall issues it), which is `direct`; no rank
        // limit, as the libraries have none.
        Algo::Auto if req.op == Op::AllToAll => (vec![Algo::Direct], Selection::PointToPoint),
        Algo::Auto => {
            if let Some(chosen) = library_choice(sim, groups, req, bound_s)? {
                return Ok(Some(chosen));
            }
            (library(&AUTO_CANDIDATES, sim), Selection::FastestSimulated)
        }
        Algo::Best => (library(&BEST_CANDIDATES, sim), Selection::FastestSimulated),
        a => (vec![a], Selection::Requested),
    };
    let mut best: Option<Outcome> = None;
    let mut best_report: Option<RunReport> = None;
    let mut last_err = None;
    for a in algos {
        let protocols = match req.protocol {
            Some(p) => vec![p],
            None => default_protocols(sim, ranks, a, req.op, req.size),
        };
        // Steps of `a` that each pay at least the least α, counted once a
        // candidate has run ([`alpha_paying_runs`]).
        let mut alpha_runs: Option<f64> = None;
        // One schedule under each protocol: its pairs are routed once.
        sim.keep_routes(protocols.len() > 1);
        // What the Simple run of this algorithm bounds about the others.
        let mut simple: Option<(ProtocolFloor, f64)> = None;
        for p in protocols {
            let fraction = bandwidth_fraction(sim, ranks, a, req.op, p);
            let mut floor = bound_s / fraction;
            if let Some((f, simple_fraction)) = &simple {
                floor = floor.max(f.floor_s(*simple_fraction, fraction, sim.min_alpha_s(p)));
            }
            floor += presets::protocol_base_s(p);
            // The time a candidate must beat: the fastest so far, or `beat`.
            let to_beat = best.as_ref().map_or(beat, |b| b.time_s.min(beat));
            // (An infinite `to_beat` skips nothing: a fabric bound may be
            // infinite where no link bounds the ranks.)
            if p != Protocol::Simple && to_beat.is_finite() && floor >= to_beat {
                continue;
            }
            if to_beat.is_finite() && selection != Selection::Requested {
                let runs = *alpha_runs.get_or_insert_with(|| alpha_paying_runs(sim, ranks, req, a));
                let latency_floor = (runs * sim.min_alpha_s(p) + presets::protocol_base_s(p))
                    * (1.0 - FLOOR_MARGIN);
                if latency_floor >= to_beat {
                    continue;
                }
            }
            match run_one_full(sim, groups, req, a, p, bound_s) {
                Ok((o, report, f)) => {
                    if let Some(f) = f {
                        simple = Some((f, fraction));
                    }
                    if best.as_ref().is_none_or(|b| o.time_s < b.time_s) {
                        best = Some(o);
                        best_report = Some(report);
                    }
                }
                // A candidate a search cannot run here (not supported, or
                // too large to hold: a ring all-to-all has a transfer per
                // pair and channel) leaves the others to be tried. Should
                // none run, the first size error is reported, as it says
                // more than a later candidate's lack of support.
                Err(e) if skippable(&e, selection) => {
                    let size = too_large(&e);
                    if !last_err.as_ref().is_some_and(too_large) {
                        last_err = Some(e);
                    }
                    if size {
                        // The same pairs and transfers under every protocol.
                        break;
                    }
                }
                Err(e) => {
                    sim.keep_routes(false);
                    return Err(e);
                }
            }
        }
        sim.keep_routes(false);
    }
    let Some(mut best) = best else {
        return match last_err {
            Some(e) if beat.is_infinite() => Err(e),
            _ => Ok(None),
        };
    };
    best.selection = selection;
    let report = best_report.expect("kept with the best outcome");
    Ok(Some((best, report)))
}

/// Whether a search of `selection` goes on past candidate error `e`:
/// past an unsupported candidate unless the algorithm was asked for by
/// name, and past one too large to hold in a search for the fastest.
fn skippable(e: &CollectiveError, selection: Selection) -> bool {
    match e {
        CollectiveError::Unsupported { .. } => selection != Selection::Requested,
        _ => too_large(e) && selection == Selection::FastestSimulated,
    }
}

/// Whether `e` says a run is too large to hold (its transfers or its
/// routes), whatever its protocol.
fn too_large(e: &CollectiveError) -> bool {
    matches!(
        e,
        CollectiveError::TooLarge { .. } | CollectiveError::RoutesTooLarge { .. }
    )
}

/// The collective library's choice for `req`, simulated: NCCL's
/// ([`tuning::ranking`]) on NVLink, RCCL's ([`tuning::rccl::choices`]) on
/// AMD Instinct GPUs joined by xGMI. The first pair in the library's order
/// that fabricsim can run (a tree over domains larger than
/// [`AUTO_TREE_MAX_CHAIN`] and PAT over more than [`AUTO_PAT_MAX_RANKS`]
/// ranks are skipped), or `None` where neither model applies
/// ([`tuning::comm_shape`], [`tuning::rccl::comm_shape`]). With a protocol
/// in `req`, the first pair of that protocol.
fn library_choice(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
    bound_s: f64,
) -> Result<Option<(Outcome, RunReport)>, CollectiveError> {
    let ranks = &groups[0];
    let (choices, nodes, selection) = if let Some(shape) = tuning::comm_shape(sim, ranks) {
        let ranked = tuning::ranking(&shape, req.op, req.size);
        (ranked, shape.nodes, Selection::NcclModel)
    } else if let Some(shape) = tuning::rccl::comm_shape(sim, ranks) {
        // A forced protocol is NCCL_PROTO, under which RCCL skips its rules.
        let ranked = match req.protocol {
            None => tuning::rccl::choices(&shape, req.op, req.size),
            Some(_) => tuning::rccl::ranking(&shape, req.op, req.size),
        };
        (ranked, shape.nodes, Selection::RcclModel)
    } else {
        return Ok(None);
    };
    for (a, p, predicted) in choices {
        let algo = a.simulated_as(nodes);
        if req.protocol.is_some_and(|q| q != p)
            || (algo == Algo::Tree && !tree_is_candidate(sim, ranks, req.op))
            || (algo == Algo::Pat && ranks.len() > AUTO_PAT_MAX_RANKS)
        {
            continue;
        }
        match run_one_full(sim, groups, req, algo, p, bound_s) {
            Ok((mut o, report, _)) => {
                o.selection = selection;
                o.nccl_model_s = Some(predicted);
                if selection == Selection::NcclModel {
                    o.nccl_release = Some(sim.nccl_version().unwrap_or_default());
                } else {
                    o.rccl_release = Some(tuning::rccl::RCCL_RELEASE);
                }
                return Ok(Some((o, report)));
            }
            Err(CollectiveError::Unsupported { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// How much faster (time ratio − 1) the fastest simulated algorithm must be
/// than `auto`'s choice to be reported as an alternative: 5 %.
pub const ALTERNATIVE_MARGIN: f64 = 0.05;

/// `outcome`, the result of `req` on `groups`, with the fastest algorithm
/// fabricsim can simulate ([`Algo::Best`]) as its
/// [`alternative`](Outcome::alternative) when that is more than
/// [`ALTERNATIVE_MARGIN`] faster. Costs a run of every candidate whose floors do not show it
/// slower than that (`search`).
pub fn with_alternative(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
    mut outcome: Outcome,
) -> Result<Outcome, CollectiveError> {
    // Only a candidate faster than this can be reported: the search skips
    // those that cannot be (the alternative is the same as without).
    let beat = outcome.time_s / (1.0 + ALTERNATIVE_MARGIN);
    // `auto`'s all-to-all ran `direct` under each default protocol already:
    // it cannot beat itself.
    let skip = (outcome.selection == Selection::PointToPoint && req.protocol.is_none())
        .then_some(outcome.algorithm);
    let Some((best, _)) = search(sim, groups, &req.clone().algo(Algo::Best), beat, skip)? else {
        return Ok(outcome);
    };
    if best.time_s * (1.0 + ALTERNATIVE_MARGIN) < outcome.time_s {
        outcome.alternative = Some(Alternative {
            algorithm: best.algorithm,
            protocol: best.protocol,
            time_s: best.time_s,
            busbw_gbps: best.busbw_gbps,
        });
    }
    Ok(outcome)
}

/// The protocols NCCL enables by default for `algo` on `ranks`, Simple
/// first (NCCL 2.20.3 `ncclTopoTuneModel`): NVLS runs Simple only (and
/// PAT, in fabricsim, too); LL128
/// only where every rank reaches its scale-up domain over NVLink (NCCL
/// enables it by default only for NVLink-connected NVIDIA GPUs; RCCL keeps
/// it off on xGMI by default); LL everywhere.
///
/// All-to-all and send-recv are NCCL point-to-point operations: they run
/// Simple, or LL when the message to one peer is at most
/// [`P2P_LL_THRESHOLD_BYTES`], never LL128.
pub fn default_protocols(
    sim: &CollectiveSim<'_>,
    ranks: &[NodeId],
    algo: Algo,
    op: Op,
    size: f64,
) -> Vec<Protocol> {
    if matches!(algo, Algo::Nvls | Algo::NvlsTree | Algo::Pat) {
        return vec![Protocol::Simple];
    }
    let per_peer = match op {
        Op::AllToAll => Some(size / ranks.len() as f64),
        Op::SendRecv => Some(size),
        _ => None,
    };
    if let Some(b) = per_peer {
        return if b <= P2P_LL_THRESHOLD_BYTES {
            vec![Protocol::Simple, Protocol::Ll]
        } else {
            vec![Protocol::Simple]
        };
    }
    if ranks.iter().all(|&r| sim.nvlink_scale_up(r)) {
        vec![Protocol::Simple, Protocol::Ll128, Protocol::Ll]
    } else {
        vec![Protocol::Simple, Protocol::Ll]
    }
}

/// Largest point-to-point message NCCL sends with LL: 16 KiB,
/// `NCCL_P2P_LL_THRESHOLD`'s default ([S-nccl-env]). NCCL compares it with
/// a channel's share of the message; fabricsim compares the whole message
/// to one peer (a simplification: at most one LL choice differs per size).
pub const P2P_LL_THRESHOLD_BYTES: f64 = 16384.0;

/// [`presets::protocol_bandwidth_fraction`] for `ranks`: nodes are the
/// scale-up domains they span (an NVL72 rack is one node, as NCCL's MNNVL).
fn bandwidth_fraction(
    sim: &CollectiveSim<'_>,
    ranks: &[NodeId],
    algo: Algo,
    op: Op,
    p: Protocol,
) -> f64 {
    if p == Protocol::Simple {
        return 1.0;
    }
    let nodes = sim.topology().domains_of(ranks).len().max(1);
    let release = sim.nccl_version().unwrap_or_default();
    presets::protocol_bandwidth_fraction(
        p,
        algo,
        op,
        nodes,
        ranks.len() as f64 / nodes as f64,
        release,
    )
}

/// Runs `req` like [`run`] and also returns the simulation's [`RunReport`]
/// (per-step times, per-tier utilization, bytes per link) of the algorithm
/// chosen, for plots. Costs one more schedule build; the simulation itself
/// is remembered by [`CollectiveSim::run`].
pub fn run_with_report(
    sim: &mut CollectiveSim<'_>,
    ranks: &[NodeId],
    req: &Request,
) -> Result<(Outcome, RunReport), CollectiveError> {
    run_groups_with_report(sim, &[ranks.to_vec()], req)
}

/// Runs `req` on concurrent `groups` like [`run_groups`] and also returns
/// the simulation's [`RunReport`] for the algorithm chosen (per-link bytes
/// count every group).
pub fn run_groups_with_report(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
) -> Result<(Outcome, RunReport), CollectiveError> {
    run_groups_reported(sim, groups, req)
}

/// Largest fabric (directed links) on which the all-to-all bisection bound
/// is computed (a max-flow per size); larger ones use the injection bound only.
pub const BISECTION_BOUND_MAX_LINKS: usize = 1 << 20;

/// Largest communicator for which `auto` and `best` try the direct
/// algorithm for operations other than all-to-all: it has `n(n−1)`
/// transfers per step.
pub const AUTO_DIRECT_MAX_RANKS: usize = 256;

/// Whether `best`, and `auto` for operations other than all-to-all (which
/// it runs as `direct` only), consider `direct`, as collective libraries
/// do: always for all-to-all, at any rank count (it is the libraries'
/// all-to-all), and for other operations only on a full mesh (every rank
/// pair joined by a direct link, as xGMI on MI300X platforms, where RCCL's
/// direct/one-shot kernels use every link) of at most
/// [`AUTO_DIRECT_MAX_RANKS`] ranks. On switched fabrics NCCL offers ring,
/// tree and NVLS instead.
fn direct_is_candidate(sim: &CollectiveSim<'_>, ranks: &[NodeId], op: Op) -> bool {
    if op == Op::AllToAll {
        return true;
    }
    if ranks.len() > AUTO_DIRECT_MAX_RANKS {
        return false;
    }
    let topo = sim.topology();
    let mut linked = std::collections::HashSet::new();
    for l in &topo.links {
        linked.insert((l.src, l.dst));
    }
    ranks
        .iter()
        .all(|&a| ranks.iter().all(|&b| a == b || linked.contains(&(a, b))))
}

/// Whether `auto` considers `tree`: NCCL runs broadcast and reduce as rings
/// only, so `auto` uses the tree for all-reduce: inside one scale-up domain
/// the flat double binary tree, across domains NCCL's chains plus a double
/// binary tree over domains ([`super::tree::nccl_tree_all_reduce`]) when
/// every domain holds at most [`AUTO_TREE_MAX_CHAIN`] ranks.
fn tree_is_candidate(sim: &CollectiveSim<'_>, ranks: &[NodeId], op: Op) -> bool {
    op == Op::AllReduce
        && sim
            .topology()
            .domains_of(ranks)
            .iter()
            .all(|d| d.len() <= AUTO_TREE_MAX_CHAIN)
}

/// Longest intra-domain chain `auto` builds a multi-domain tree with: 16.
/// NCCL chains the GPUs of one host (8 on every HGX/MI300X board, 4 on a
/// GB200/GB300 tray); a 72-GPU NVLink rack is 18 hosts, whose GPUs NCCL
/// joins by NVLS (fabricsim's `hierarchical`), not by a 72-deep chain,
/// which would also cost ~300 distinct pipeline slots to simulate.
pub const AUTO_TREE_MAX_CHAIN: usize = 16;

/// Most ranks `auto` runs PAT on when NCCL's model picks it (2.28.3, one
/// rank per node): 64. fabricsim simulates PAT as Bruck steps whose
/// partners span the fabric; over the 700-rank data-parallel groups of the
/// 100,800-GPU job (`gb300-nvl72-1400rack-2plane.toml`,
/// `llama3-405b-100k.toml`) an iteration then took 9 min and 17.9 GB
/// instead of 8.6 s and 1.85 GB. Above it the next pair in NCCL's ranking
/// runs, as for a tree `auto` does not build.
pub const AUTO_PAT_MAX_RANKS: usize = 64;

/// Most ranks `best` tries PAT on: 4,096, where its `n·⌈log2 n⌉` pairs
/// (49 K) are about as many as `direct`'s `n(n−1)` at
/// [`AUTO_DIRECT_MAX_RANKS`] (65 K). On 32,768 ranks of
/// `h100-32k-3tier.toml` PAT took 15 s and 4.3 GB of the default
/// all-gather's 19 s (halving-doubling, 2 s, was faster), and on the
/// 100,800 of `gb300-nvl72-1400rack-2plane.toml` it routed for 70 s and
/// stopped at the route-entry limit.
pub const BEST_PAT_MAX_RANKS: usize = 4096;

fn check_groups(sim: &CollectiveSim<'_>, groups: &[Vec<NodeId>]) -> Result<(), CollectiveError> {
    let n = groups.first().map_or(0, |g| g.len());
    if n < 2 {
        return Err(CollectiveError::TooFewRanks(n));
    }
    if let Some(g) = groups.iter().find(|g| g.len() != n) {
        return Err(CollectiveError::Unsupported {
            algo: Algo::Auto,
            op: Op::AllReduce,
            why: format!(
                "concurrent groups must have one size, got {n} and {}",
                g.len()
            ),
        });
    }
    let mut seen = vec![false; sim.topology().nodes.len()];
    for g in groups {
        for (i, r) in g.iter().enumerate() {
            if std::mem::replace(&mut seen[r.idx()], true) {
                return Err(CollectiveError::DuplicateRank {
                    rank: i,
                    name: sim.topology().nodes[r.idx()].name.clone(),
                });
            }
        }
    }
    Ok(())
}

/// How many step executions of `algo`'s schedule for `req` on `ranks` each
/// take at least the least α any routed transfer gets
/// ([`CollectiveSim::min_alpha_s`]): the *latency floor* of a candidate is
/// that count times the least α under a protocol, plus the protocol's base
/// latency, and a candidate whose floor is not below the fastest time so
/// far cannot win (`auto` where no library model applies, and `best`).
///
/// Steps run one after another, each after a barrier, and a transfer of
/// some bytes over a route starts only once its α has passed, so an
/// execution of a step whose transfers each pay their own α
/// (`StepLatency::EachTransfer`) lasts at least α_min when one of them
/// moves bytes between two distinct nodes; a dataflow ring step
/// (`StepLatency::RingMean`) pays the mean α of its transfers, at least
/// α_min when every transfer is between distinct nodes (a route-less
/// transfer's α of 0 would lower the mean) and one moves bytes. Pipeline
/// steps (`Hidden`, `Front`) count 0. Multi-group runs merge the groups'
/// schedules step by step, so one group's count holds for all. Exact up
/// to the engine's rounding ([`FLOOR_MARGIN`]); an algorithm whose
/// schedule cannot be built counts 0 (its run reports why). As with
/// [`ProtocolFloor`], a skipped candidate is not run, so an error it would
/// have hit (such as `--max-events`) is not reported.
fn alpha_paying_runs(sim: &CollectiveSim<'_>, ranks: &[NodeId], req: &Request, algo: Algo) -> f64 {
    let topo = sim.topology();
    let Ok(sched) = schedule(topo, req.op, algo, ranks, req.size, knobs(sim, ranks, req)) else {
        return 0.0;
    };
    sched
        .steps
        .iter()
        .filter(|s| {
            let routed = |t: &super::schedule::Transfer| t.src != t.dst;
            let moves = |t: &super::schedule::Transfer| routed(t) && t.bytes > 0.0;
            match s.latency {
                crate::StepLatency::EachTransfer => s.transfers.iter().any(moves),
                crate::StepLatency::RingMean => {
                    s.transfers.iter().all(routed) && s.transfers.iter().any(moves)
                }
                crate::StepLatency::Hidden | crate::StepLatency::Front => false,
            }
        })
        .map(|s| f64::from(s.repeat))
        .sum()
}

/// The schedule knobs of `req` on `ranks`: its channels (by default one
/// per rail, [`default_channels`]), its pipeline chunk and `sim`'s CollNet.
fn knobs(sim: &CollectiveSim<'_>, ranks: &[NodeId], req: &Request) -> Knobs {
    Knobs {
        channels: req
            .channels
            .unwrap_or_else(|| default_channels(sim.topology(), ranks)),
        chunk_bytes: req.chunk_bytes,
        collnet: sim.collnet(),
    }
}

/// Relative margin of [`ProtocolFloor`] against the engine's rounding.
const FLOOR_MARGIN: f64 = 1e-4;

/// Lower bounds on the time of one algorithm's schedule under another
/// protocol, from its run under this one (without protocol base latency).
///
/// Per distinct step `k` (run `r_k` times, `t_k` each, busiest link at
/// `u_k`: its payload bytes over capacity × `t_k`), a protocol of bandwidth
/// fraction `f` puts `1/f` times the payload on every link when no transfer
/// reduces in a switch (the *uniform* case, `CollectiveSim`'s wire bytes),
/// so each execution takes at least `u_k·t_k / f` (the busiest link's bytes
/// over its capacity), after the earliest start of a transfer crossing
/// that link: at least `α_min`, the least α any transfer gets under the
/// protocol (`CollectiveSim::min_alpha_s`). A step whose transfers pay no latency
/// (`StepLatency::Hidden`) is, in the uniform case, the same max-min
/// problem with every size scaled by `f₀/f` (`f₀` this run's fraction): its
/// makespan scales exactly (every rate is unchanged, every completion comes
/// `f₀/f` times later), so it takes `t_k·f₀/f`. Where a transfer reduces
/// in a switch, its wire bytes do not depend on the protocol and only the
/// links' payload bound (`u_k·t_k`) is kept. The α term is taken only for
/// steps whose transfers each pay their own α (`StepLatency::EachTransfer`;
/// a ring mean may include a route-less transfer's α of 0; in a pipeline
/// fill slot, `StepLatency::Front`, the busiest link may carry only later
/// chunks, which pay none). The bound is
/// exact up to the engine's rounding (events within `TIME_REL_EPS` = 1e-12
/// relative are batched, so a chain of `N` events may end up to about
/// `N·1e-12` of its time early); a relative margin of `1e-4` covers chains
/// of up to 10⁸ events. A skipped protocol is not run at all, so an error
/// it would have hit (such as `--max-events`) is not reported, as with the
/// fabric-bound skip.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProtocolFloor {
    /// `Σ r_k·t_k` over hidden-latency steps \[s\].
    hidden_s: f64,
    /// `Σ r_k·u_k·t_k` over hidden-latency steps and over the others \[s\].
    hidden_load_s: f64,
    other_load_s: f64,
    /// `Σ r_k` over the other steps that load a link and whose transfers
    /// each pay their own α.
    other_runs: f64,
    /// No transfer reduces in a switch.
    uniform: bool,
}

impl ProtocolFloor {
    fn new(
        sched: &Schedule,
        report: &RunReport,
        topo: &fabricsim_topology::Topology,
    ) -> ProtocolFloor {
        let reduces = |n: NodeId| topo.nodes[n.idx()].in_switch_reduction;
        // Each list of transfers once: a pipeline's steps window shared
        // stages (`crate::transfers`).
        let mut seen = std::collections::HashSet::new();
        let uniform = !sched
            .steps
            .iter()
            .flat_map(|s| s.transfers.parts())
            .filter(|part| seen.insert(std::ptr::from_ref(*part)))
            .any(|part| part.iter().any(|t| reduces(t.src) || reduces(t.dst)));
        let mut f = ProtocolFloor {
            hidden_s: 0.0,
            hidden_load_s: 0.0,
            other_load_s: 0.0,
            other_runs: 0.0,
            uniform,
        };
        for (step, r) in sched.steps.iter().zip(&report.steps) {
            let (t, n) = (r.time_s, f64::from(r.repeat));
            let load = n * r.busiest.min(1.0) * t;
            if step.latency == crate::StepLatency::Hidden {
                f.hidden_s += n * t;
                f.hidden_load_s += load;
            } else if load > 0.0 {
                f.other_load_s += load;
                if step.latency == crate::StepLatency::EachTransfer {
                    f.other_runs += n;
                }
            }
        }
        f
    }

    /// The floor \[s\] for bandwidth fraction `to` and least α `alpha_min_s`,
    /// this run's fraction being `from`.
    fn floor_s(&self, from: f64, to: f64, alpha_min_s: f64) -> f64 {
        let s = if self.uniform {
            self.hidden_s * (from / to) + self.other_load_s / to
        } else {
            self.hidden_load_s + self.other_load_s
        };
        (s + self.other_runs * alpha_min_s) * (1.0 - FLOOR_MARGIN)
    }
}

fn run_one_full(
    sim: &mut CollectiveSim<'_>,
    groups: &[Vec<NodeId>],
    req: &Request,
    algo: Algo,
    protocol: Protocol,
    bound_s: f64,
) -> Result<(Outcome, RunReport, Option<ProtocolFloor>), CollectiveError> {
    let topo = sim.topology();
    let ranks = &groups[0];
    if matches!(algo, Algo::Nvls | Algo::NvlsTree) && protocol != Protocol::Simple {
        return Err(CollectiveError::Unsupported {
            algo,
            op: req.op,
            why: format!("NVLS runs the Simple protocol only, not {protocol}"),
        });
    }
    let fraction = bandwidth_fraction(sim, ranks, algo, req.op, protocol);
    let knobs = knobs(sim, ranks, req);
    // The groups' schedules merged, and each group's transfers per step and
    // per stage of the step (one count for a plain list).
    type Counts = Vec<Vec<Vec<usize>>>;
    let merged = |groups: &[Vec<NodeId>]| -> Result<(Schedule, Counts), CollectiveError> {
        let parts = groups
            .iter()
            .map(|g| {
                let mut s = schedule(topo, req.op, algo, g, req.size, knobs)?;
                s.set_protocol(protocol, fraction);
                Ok(s)
            })
            .collect::<Result<Vec<_>, CollectiveError>>()?;
        let counts = parts
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .map(|s| s.transfers.parts().iter().map(Vec::len).collect())
                    .collect()
            })
            .collect();
        let sched = Schedule::merge(parts).ok_or_else(|| CollectiveError::Unsupported {
            algo,
            op: req.op,
            why: "the concurrent groups' schedules differ in shape".into(),
        })?;
        Ok((sched, counts))
    };
    // Groups confined to identical scale-up domains: simulate one domain of
    // each kind (exact, see `symmetry.rs`), else every group.
    let mut reduced = None;
    if groups.len() > 1
        && let Some(r) = sim.reduce_groups(groups).filter(|r| !r.is_trivial())
    {
        let (sched, counts) = merged(&r.groups)?;
        if sim.transfers_are_confined(&sched)? {
            reduced = Some((sched, counts, r));
        }
    }
    let (sched, report) = match reduced {
        Some((sched, counts, r)) => {
            // Each transfer stands for its domain kind's copies. A merged
            // window lists the groups' transfers stage by stage
            // (`Schedule::merge`), a merged plain list group by group.
            let weights: Vec<Vec<f64>> = (0..sched.steps.len())
                .map(|k| {
                    let w = |g: usize| r.multiplicity(r.group_kind[g]);
                    let mut out = Vec::with_capacity(sched.steps[k].transfers.len());
                    if sched.steps[k].transfers.as_window().is_some() {
                        for st in 0..counts[0][k].len() {
                            for (g, c) in counts.iter().enumerate() {
                                out.extend(std::iter::repeat_n(w(g), c[k][st]));
                            }
                        }
                    } else {
                        for (g, c) in counts.iter().enumerate() {
                            out.extend(std::iter::repeat_n(w(g), c[k].iter().sum()));
                        }
                    }
                    out
                })
                .collect();
            let mut report = sim.run_weighted(&sched, Some(&weights))?;
            r.expand_link_bytes(&mut report.link_bytes);
            report.bottleneck = sim.bottleneck(&report.link_bytes, report.time_s);
            (sched, report)
        }
        None => {
            let (sched, _) = merged(groups)?;
            let report = sim.run(&sched)?;
            (sched, report)
        }
    };
    // Only a Simple run's floor is read (the protocol loop in `run_groups`).
    let floor = (protocol == Protocol::Simple).then(|| ProtocolFloor::new(&sched, &report, topo));
    let n = ranks.len();
    // The protocol's once-per-collective latency (0 for Simple).
    let mut report = report;
    report.time_s += presets::protocol_base_s(protocol);
    let t = report.time_s;
    let latency_s = latency_part_s(&report);
    let algbw = if t > 0.0 {
        req.size / t / 1e9
    } else {
        f64::INFINITY
    };
    let outcome = Outcome {
        bytes: req.size,
        algorithm: algo,
        protocol,
        time_s: t,
        algbw_gbps: algbw,
        busbw_gbps: algbw * req.op.bus_factor(n),
        bound_s,
        efficiency_vs_bound: if t > 0.0 { bound_s / t } else { 1.0 },
        bottleneck: report.bottleneck.clone(),
        steps: sched.step_count(),
        bound_by: if latency_s > t / 2.0 {
            BoundBy::Latency
        } else {
            BoundBy::Bandwidth
        },
        latency_s,
        selection: Selection::Requested,
        nccl_model_s: None,
        nccl_release: None,
        rccl_release: None,
        alternative: None,
    };
    Ok((outcome, report, floor))
}

/// Lower bound on the time of `req` on `groups` \[s\] (computed once per
/// request, shared by every candidate): the largest
/// single-group injection bound, and for all-to-all the bisection bound.
/// The bound is the fabric's, not the algorithm's: it allows in-network
/// reduction whenever the fabric has a switch that can reduce.
fn fabric_bound_s(sim: &mut CollectiveSim<'_>, groups: &[Vec<NodeId>], req: &Request) -> f64 {
    let topo = sim.topology();
    let ranks = &groups[0];
    let n = ranks.len();
    let in_switch = topo.nodes.iter().any(|n| n.in_switch_reduction);
    let bw = rank_bandwidths(topo, sim.capacity_bps(), &groups.concat());
    let mut bound_s = bw
        .chunks(n)
        .map(|b| injection_bound_s(req.op, req.size, b, in_switch))
        .fold(0.0, f64::max);
    // Across scale-up domains, only the links that leave a domain count.
    bound_s = bound_s.max(domain_bound_s(
        topo,
        sim.capacity_bps(),
        groups,
        req.op,
        req.size,
    ));
    if req.op == Op::AllToAll && topo.links.len() <= BISECTION_BOUND_MAX_LINKS {
        // The first ⌊n/2⌋ ranks send S/n to each of the others across the cut.
        let half = n / 2;
        let cut = sim.cut_bps(ranks);
        bound_s = bound_s.max(bisection_bound_s(n, half, req.size, cut));
    }
    bound_s
}

#[cfg(test)]
mod tests {
    use super::*;
    use fabricsim_topology::Topology;

    fn shipped(name: &str) -> Topology {
        let path = format!("{}/../../topologies/{name}", env!("CARGO_MANIFEST_DIR"));
        Topology::load(path, &Default::default()).unwrap()
    }

    /// The first `n` ranks of `topo` (its accelerators in rank order).
    fn accelerators(topo: &Topology, n: usize) -> Vec<NodeId> {
        topo.accelerators[..n].to_vec()
    }

    /// Calls `each` for every case both protocol-floor tests walk: shipped
    /// fabrics (multi-node, NVL72, rail-only, one HGX board) × ring, tree,
    /// halving-doubling and hierarchical × four (operation, size) pairs.
    fn for_each_case(mut each: impl FnMut(&str, &mut CollectiveSim<'_>, &[NodeId], Algo, Op, f64)) {
        for (name, n) in [
            ("h100-2tier-16node.toml", 128),
            ("gb200-nvl72.toml", 72),
            ("h100-rail-only.toml", 64),
            ("hgx-h100.toml", 8),
        ] {
            let topo = shipped(name);
            let ranks = accelerators(&topo, n);
            let mut sim = CollectiveSim::new(&topo, Default::default());
            for algo in [
                Algo::Ring,
                Algo::Tree,
                Algo::HalvingDoubling,
                Algo::Hierarchical,
            ] {
                for (op, size) in [
                    (Op::AllReduce, 4096.0),
                    (Op::AllReduce, 1048576.0),
                    (Op::AllReduce, 256.0 * 1048576.0),
                    (Op::AllGather, 64.0 * 1048576.0),
                ] {
                    each(name, &mut sim, &ranks, algo, op, size);
                }
            }
        }
    }

    /// The floor a Simple run puts on LL and LL128 is below their simulated
    /// times, run by run (some of these reduce in NVSwitches), and high
    /// enough to skip a protocol in some of these cases.
    #[test]
    fn floors_are_below_every_protocols_time() {
        let (mut checked, mut would_skip) = (0, 0);
        for_each_case(|name, sim, ranks, algo, op, size| {
            let groups = vec![ranks.to_vec()];
            let req = Request::new(op, size).algo(algo);
            let bound_s = fabric_bound_s(sim, &groups, &req);
            let Ok((simple, _, floor)) =
                run_one_full(sim, &groups, &req, algo, Protocol::Simple, bound_s)
            else {
                return;
            };
            let floor = floor.expect("a Simple run has a floor");
            let from = bandwidth_fraction(sim, ranks, algo, op, Protocol::Simple);
            for p in [Protocol::Ll128, Protocol::Ll] {
                let to = bandwidth_fraction(sim, ranks, algo, op, p);
                let f = floor.floor_s(from, to, sim.min_alpha_s(p)) + presets::protocol_base_s(p);
                let Ok((o, ..)) = run_one_full(sim, &groups, &req, algo, p, bound_s) else {
                    continue;
                };
                let what = format!("{op} {algo} {p} {size} on {name}");
                assert!(f <= o.time_s, "{what}: floor {f} above {}", o.time_s);
                checked += 1;
                if f >= simple.time_s && bound_s / to < simple.time_s {
                    would_skip += 1;
                }
            }
        });
        assert!(checked >= 60, "{checked} runs checked");
        assert!(would_skip > 0, "the floor skips nothing here");
    }

    /// The latency floor ([`alpha_paying_runs`] × the least α, plus the
    /// protocol's base) is below every simulated time, protocol by
    /// protocol, on the same shipped cases plus ring and direct
    /// all-to-all; and it is high enough to skip a ring all-to-all behind
    /// the direct one on 128 ranks (`n−1` = 127 steps of α against one).
    #[test]
    fn latency_floors_are_below_every_simulated_time() {
        let mut checked = 0;
        let mut check =
            |name: &str, sim: &mut CollectiveSim<'_>, ranks: &[NodeId], algo, op, size| {
                let groups = vec![ranks.to_vec()];
                let req = Request::new(op, size).algo(algo);
                let bound_s = fabric_bound_s(sim, &groups, &req);
                let runs = alpha_paying_runs(sim, ranks, &req, algo);
                for p in [Protocol::Simple, Protocol::Ll128, Protocol::Ll] {
                    let Ok((o, ..)) = run_one_full(sim, &groups, &req, algo, p, bound_s) else {
                        continue;
                    };
                    let f = runs * sim.min_alpha_s(p) + presets::protocol_base_s(p);
                    assert!(
                        f * (1.0 - FLOOR_MARGIN) <= o.time_s,
                        "{op} {algo} {p} {size} on {name}: floor {f} above {}",
                        o.time_s
                    );
                    checked += 1;
                }
                runs
            };
        for_each_case(|name, sim, ranks, algo, op, size| {
            check(name, sim, ranks, algo, op, size);
        });
        let topo = shipped("h100-2tier-16node.toml");
        let ranks = accelerators(&topo, 128);
        let mut sim = CollectiveSim::new(&topo, Default::default());
        let ring = check(
            "h100-2tier-16node.toml",
            &mut sim,
            &ranks,
            Algo::Ring,
            Op::AllToAll,
            64e6,
        );
        check(
            "h100-2tier-16node.toml",
            &mut sim,
            &ranks,
            Algo::Direct,
            Op::AllToAll,
            64e6,
        );
        assert!(checked >= 100, "{checked} runs checked");
        let req = Request::new(Op::AllToAll, 64e6);
        let direct = run(&mut sim, &ranks, &req).unwrap();
        assert_eq!(direct.algorithm, Algo::Direct);
        assert!(
            ring * sim.min_alpha_s(Protocol::Simple) > direct.time_s,
            "{ring} ring steps"
        );
    }

    /// A protocol `run` does not simulate because a lower bound on its time
    /// is no better than the best so far could not have won: every
    /// algorithm's choice among the default protocols equals the fastest of
    /// the protocols run one by one, bit for bit.
    #[test]
    fn protocols_skipped_by_their_floor_could_not_have_won() {
        let mut compared = 0;
        for_each_case(|name, sim, ranks, algo, op, size| {
            let req = Request::new(op, size).algo(algo);
            let Ok(chosen) = run(sim, ranks, &req) else {
                return;
            };
            let mut fastest: Option<(Protocol, f64)> = None;
            for p in default_protocols(sim, ranks, algo, op, size) {
                let t = run(sim, ranks, &req.clone().protocol(p)).unwrap().time_s;
                if fastest.is_none_or(|(_, b)| t < b) {
                    fastest = Some((p, t));
                }
            }
            let (p, t) = fastest.unwrap();
            let what = format!("{op} {algo} {size} on {name}");
            assert_eq!(chosen.protocol, p, "{what}");
            assert_eq!(chosen.time_s.to_bits(), t.to_bits(), "{what}");
            compared += 1;
        });
        // 48 cases; in 17 of them a protocol is skipped by the Simple run's
        // floor and not by the fabric's bound alone (counted when written).
        assert_eq!(compared, 48);
    }

    /// The eight rails of a rail-only fabric (one switch per rail) share no
    /// link, so in a multi-node tree they are plane copies (`planes.rs`)
    /// when rail copies are not sought, and rails 1 to 7 are copies of
    /// rail 0 found before routing (`rails.rs`) when they are; the
    /// integration test `staged_runs_equal_general_runs` compares the run
    /// with the general one bit for bit. On `h100-2tier-16node.toml` two
    /// rails share a leaf and all share the spines, so there only scale-up
    /// domains (and rail 1, `rails.rs` tests) are copies.
    #[test]
    fn rails_of_a_rail_only_fabric_are_plane_copies() {
        let topo = shipped("h100-rail-only.toml");
        let ranks = accelerators(&topo, 512);
        let req = Request::new(Op::AllReduce, 64.0 * 1048576.0)
            .algo(Algo::Tree)
            .protocol(Protocol::Simple);
        let mut sim = CollectiveSim::new(&topo, Default::default());
        sim.seek_rails = false;
        run(&mut sim, &ranks, &req).unwrap();
        assert!(
            sim.planes_copied >= 7,
            "{} planes copied",
            sim.planes_copied
        );
        assert_eq!(sim.rails_copied, 0);
        let mut sim = CollectiveSim::new(&topo, Default::default());
        run(&mut sim, &ranks, &req).unwrap();
        assert_eq!(sim.rails_copied, 7);
    }

    /// A staged run whose routes would hold more link entries than its
    /// limit stops with `RoutesTooLarge` (not an allocation failure): a
    /// ring all-reduce over 2 nodes of `h100-2tier-16node.toml` routes
    /// more than 10 links in all, and runs with the default limit.
    #[test]
    fn routes_past_the_entry_limit_stop_with_an_error() {
        let topo = shipped("h100-2tier-16node.toml");
        let ranks = accelerators(&topo, 16);
        let req = Request::new(Op::AllReduce, 1048576.0)
            .algo(Algo::Ring)
            .protocol(Protocol::Simple);
        let mut sim = CollectiveSim::new(&topo, Default::default());
        sim.max_route_entries = 10;
        assert_eq!(
            run(&mut sim, &ranks, &req).unwrap_err(),
            CollectiveError::RoutesTooLarge {
                limit: 10,
                estimate: None
            }
        );
        let mut sim = CollectiveSim::new(&topo, Default::default());
        assert!(run(&mut sim, &ranks, &req).is_ok());
    }

    /// A search skips a candidate too large to hold rather than failing:
    /// with a route-entry limit that `direct`'s 1 GiB all-to-all on 16
    /// ranks of `h100-2tier-16node.toml` fits (one route per pair) and the
    /// ring's does not (a route per pair and channel), `best` returns
    /// `direct`'s run (at 1 GiB the ring's latency floor does not rule it
    /// out, so it is tried). It stopped with the ring's `RoutesTooLarge`, and `auto`'s
    /// alternative on 1,440 NVL72 ranks stopped with the ring's `TooLarge`
    /// after `auto` itself had run.
    #[test]
    fn a_search_skips_candidates_too_large_to_hold() {
        let topo = shipped("h100-2tier-16node.toml");
        let ranks = accelerators(&topo, 16);
        let limit = 1600;
        let with_limit = |algo| {
            let mut sim = CollectiveSim::new(&topo, Default::default());
            sim.max_route_entries = limit;
            run(
                &mut sim,
                &ranks,
                &Request::new(Op::AllToAll, 1073741824.0).algo(algo),
            )
        };
        assert_eq!(
            with_limit(Algo::Ring).unwrap_err(),
            CollectiveError::RoutesTooLarge {
                limit,
                estimate: None
            }
        );
        let direct = with_limit(Algo::Direct).unwrap();
        let best = with_limit(Algo::Best).unwrap();
        assert_eq!(best.algorithm, Algo::Direct);
        assert_eq!(best.time_s, direct.time_s);
    }

    /// The four rails of `tests/it/data/rails-sharing-cores.toml` share
    /// their core switches, yet rails 1 to 3 are images of rail 0
    /// (`rails.rs`): a halving-doubling all-reduce over its 128 ranks
    /// (32 domains of 4) routes rail 0's cross-domain pairs only. By hand:
    /// partners at distance 1 and 2 are in the rank's domain, and the
    /// domains are copies, so 4 + 4 pairs of domain 0 are routed; at
    /// distance 4 to 64 the partner is the same rail of another domain, 5
    /// distances × 32 ranks of rail 0; halving and doubling share pairs:
    /// 168 routes, against 8 + 5 × 128 = 648 with every rail routed. The
    /// integration test `staged_runs_equal_general_runs` compares the run
    /// with the general one bit for bit.
    #[test]
    fn rails_sharing_their_cores_are_copies_of_rail_0() {
        let path = format!(
            "{}/../../tests/it/data/rails-sharing-cores.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let topo = Topology::load(path, &Default::default()).unwrap();
        let ranks = accelerators(&topo, 128);
        let mut sim = CollectiveSim::new(&topo, Default::default());
        let req = Request::new(Op::AllReduce, 64.0 * 1048576.0)
            .algo(Algo::HalvingDoubling)
            .protocol(Protocol::Simple);
        run(&mut sim, &ranks, &req).unwrap();
        assert_eq!(sim.router_stats().spray_misses, 168);
        assert_eq!(sim.rails_copied, 3);
    }
}
