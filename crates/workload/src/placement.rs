//! Rank placement: which accelerators form each TP, CP, EP, DP and PP group.
//!
//! Megatron-style: global rank `r` (the topology's accelerators in file
//! order) is written in the mixed radix of the placement order, innermost
//! first. With placement `[tp, cp, ep, dp, pp]` and degrees
//! `(t, c, e, d/e, p)`:
//!
//! `r = i_tp + t·(i_cp + c·(i_ep + e·(i_dp + (d/e)·i_pp)))`
//!
//! so the innermost dimension takes consecutive ranks and fills a scale-up
//! domain first. A group of a kind is the set of ranks that differ only in
//! that kind's coordinates: TP `{i_tp}`, CP `{i_cp}`, EP `{i_ep}`, PP
//! `{i_pp}`, DP (the replicas of the dense weights) `{i_ep, i_dp}` of size
//! `d`, and expert-DP (the replicas of one expert's weights) `{i_dp}` of
//! size `d/e`. Members are listed in order of the varied coordinates,
//! innermost first; groups in order of their first rank.
//!
//! A job may need fewer accelerators than the topology has; its global
//! ranks are then the accelerators the `accelerators` policy selects
//! ([`select`]): `packed` (default) the first `need` accelerators, scale-up
//! domain after domain; `spread` `need / D` from each of the `D` domains;
//! or explicit topology ranks. The rest are reported as unused.

use super::job::{Accelerators, Dim, Job};
use fabricsim_topology::{NodeId, Topology};
use serde::Serialize;

/// The communication groups of a job on a topology.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placement {
    /// Accelerator of global rank `r`.
    pub ranks: Vec<NodeId>,
    /// Coordinates of rank `r`, indexed like [`Dim::ALL`].
    #[serde(skip)]
    pub coords: Vec<[u32; 5]>,
    /// Degrees, indexed like [`Dim::ALL`].
    pub degrees: [u32; 5],
    /// Placement order, innermost first.
    pub order: Vec<Dim>,
    /// Accelerators of the topology the job does not use.
    pub unused: usize,
}

/// Why a job does not fit a topology.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlacementError {
    /// The layout needs more accelerators than the topology has.
    #[error(
        "the job needs tp·cp·pp·dp = {tp}·{cp}·{pp}·{dp} = {need} accelerators, but the topology has {have}"
    )]
    WorldSize {
        /// Tensor-parallel degree.
        tp: u32,
        /// Context-parallel degree.
        cp: u32,
        /// Pipeline-parallel degree.
        pp: u32,
        /// Data-parallel degree.
        dp: u32,
        /// `tp · cp · pp · dp`: accelerators the job needs.
        need: u64,
        /// Accelerators in the topology.
        have: usize,
    },
    /// The `accelerators` policy cannot select the job's accelerators.
    #[error("accelerators: {why}")]
    Selection {
        /// What is wrong.
        why: String,
    },
    /// A TP group spans scale-up domains and the job does not allow it.
    #[error(
        "tensor-parallel group {group} ({first} .. {last}) spans {domains} scale-up domains; TP traffic would cross the scale-out fabric"
    )]
    TpAcrossDomains {
        /// Index of the TP group, in order of first rank.
        group: usize,
        /// Name of the group's first accelerator.
        first: String,
        /// Name of the group's last accelerator.
        last: String,
        /// Scale-up domains the group spans.
        domains: usize,
    },
}

fn index(d: Dim) -> usize {
    Dim::ALL.iter().position(|&x| x == d).unwrap_or(0)
}

/// The accelerators `job` runs on, in global rank order (module docs).
pub fn select(topo: &Topology, job: &Job) -> Result<Vec<NodeId>, PlacementError> {
    let par = &job.parallelism;
    let need = par.world();
    let have = topo.accelerators.len();
    if need > have as u64 {
        return Err(PlacementError::WorldSize {
            tp: par.tp,
            cp: par.cp,
            pp: par.pp,
            dp: par.dp,
            need,
            have,
        });
    }
    let need = need as usize;
    let bad = |why: String| PlacementError::Selection { why };
    let doms = || topo.domains_of(&topo.accelerators);
    match &par.accelerators {
        Accelerators::Packed if need == have => Ok(topo.accelerators.clone()),
        Accelerators::Packed => Ok(doms().into_iter().flatten().take(need).collect()),
        Accelerators::Spread => {
            let doms = doms();
            let d = doms.len();
            let per = need / d;
            if !need.is_multiple_of(d) || per == 0 {
                return Err(bad(format!(
                    "spread takes the same number of accelerators from each of the {d} scale-up domains, and {d} does not divide the job's {need}; use packed or rank indices"
                )));
            }
            if let Some(small) = doms.iter().find(|g| g.len() < per) {
                return Err(bad(format!(
                    "spread needs {per} accelerators from every scale-up domain, and the domain of {} has {}",
                    topo.nodes[small[0].idx()].name,
                    small.len()
                )));
            }
            Ok(doms.iter().flat_map(|g| g[..per].iter().copied()).collect())
        }
        Accelerators::Ranks(sel) => {
            let ranks = fabricsim_collective::select::ranks(Some(sel), &topo.accelerators)
                .map_err(|e| bad(e.to_string()))?;
            if ranks.len() != need {
                return Err(bad(format!(
                    "\"{sel}\" selects {} accelerators, and the job needs tp·cp·pp·dp = {need}",
                    ranks.len()
                )));
            }
            Ok(ranks)
        }
    }
}

/// Places `job` on `topo`'s accelerators (see the module docs).
pub fn place(topo: &Topology, job: &Job) -> Result<Placement, PlacementError> {
    let par = &job.parallelism;
    let ranks = select(topo, job)?;
    let unused = topo.accelerators.len() - ranks.len();
    let degrees = Dim::ALL.map(|d| par.degree(d));
    let coords = (0..ranks.len() as u64)
        .map(|r| {
            let mut c = [0u32; 5];
            let mut rest = r;
            for &d in &par.placement {
                let k = degrees[index(d)] as u64;
                c[index(d)] = (rest % k) as u32;
                rest /= k;
            }
            c
        })
        .collect();
    let p = Placement {
        ranks,
        coords,
        degrees,
        order: par.placement.clone(),
        unused,
    };
    if !par.allow_tp_across_domains && par.tp > 1 {
        for (gi, g) in p.groups(&[Dim::Tp]).iter().enumerate() {
            let members: Vec<NodeId> = g.iter().map(|&r| p.ranks[r]).collect();
            let n = topo.domains_of(&members).len();
            if n > 1 {
                return Err(PlacementError::TpAcrossDomains {
                    group: gi,
                    first: topo.nodes[members[0].idx()].name.clone(),
                    last: topo.nodes[members[members.len() - 1].idx()].name.clone(),
                    domains: n,
                });
            }
        }
    }
    Ok(p)
}

impl Placement {
    /// The groups whose members differ only in the coordinates `dims`, as
    /// lists of global ranks (see the module docs for the order).
    pub fn groups(&self, dims: &[Dim]) -> Vec<Vec<usize>> {
        let varied: Vec<usize> = dims.iter().map(|&d| index(d)).collect();
        // Key of a rank: its coordinates with the varied ones zeroed, as a
        // mixed-radix number in placement order; position inside the group:
        // the varied coordinates in placement order.
        let mut by_key: std::collections::BTreeMap<u64, Vec<(u64, usize)>> = Default::default();
        for (r, c) in self.coords.iter().enumerate() {
            let (mut key, mut pos, mut kw, mut pw) = (0u64, 0u64, 1u64, 1u64);
            for &d in &self.order {
                let i = index(d);
                let k = self.degrees[i] as u64;
                if varied.contains(&i) {
                    pos += c[i] as u64 * pw;
                    pw *= k;
                } else {
                    key += c[i] as u64 * kw;
                    kw *= k;
                }
            }
            by_key.entry(key).or_default().push((pos, r));
        }
        let mut groups: Vec<Vec<usize>> = by_key
            .into_values()
            .map(|mut v| {
                v.sort_unstable();
                v.into_iter().map(|(_, r)| r).collect()
            })
            .collect();
        groups.sort_by_key(|g| g[0]);
        groups
    }

    /// [`Self::groups`] as accelerators.
    pub fn node_groups(&self, dims: &[Dim]) -> Vec<Vec<NodeId>> {
        self.groups(dims)
            .into_iter()
            .map(|g| g.into_iter().map(|r| self.ranks[r]).collect())
            .collect()
    }
}
