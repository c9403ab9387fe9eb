//! How a flow is spread over equal-cost paths: a property of the fabric
//! (its switches' load balancing), so it lives with the topology; the
//! router in `fabricsim_routing` implements each mode.

/// How a flow is spread over equal-cost paths.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RoutingMode {
    /// Split evenly across all equal-cost paths (fluid packet spraying).
    #[default]
    Spray,
    /// ECMP hashing at scale-out switches, interleaving over scale-up ports.
    /// At each node of the equal-cost shortest-path DAG, the next hops over
    /// scale-up links (tier `scale-up`, or a link kind of the `nvlink`,
    /// `ualink` or `xgmi` family: their hardware spreads a GPU's traffic over
    /// all its ports, it does not hash) get the [`Self::Weighted`] split
    /// `frac(u) · min(cap(u → v), R(v)) / R(u)`; the share of the other
    /// (scale-out: Ethernet, InfiniBand, DCI, and any other) next hops,
    /// `frac(u) · Σ_{scale-out u → x} min(cap(u → x), R(x)) / R(u)`, goes
    /// whole onto one of them, picked by a deterministic seeded hash of
    /// (src, dst, flow id, node). Without scale-up choices a flow thus takes
    /// one path, with hash collisions on the scale-out tiers; on a board whose
    /// only choices are scale-up (an HGX H100) it equals [`Self::Weighted`].
    /// (`fabricsim_routing::interleaved_link` is the test.)
    Hash,
    /// Split hop by hop over the equal-cost shortest-path DAG in proportion to
    /// the capacity each next hop can still deliver to the destination
    /// (NVLink port interleaving, adaptive routing). On the DAG towards
    /// destination `d`, the *reachable capacity* is `R(d) = ∞` and
    /// `R(u) = Σ_{next hops u → v} min(cap(u → v), R(v))`, with `cap` the
    /// `capacity_bps` (lane `count` included). With `frac(src) = 1`, every
    /// DAG node `u` divides its inflow among its equal-cost next-hop links as
    /// `frac(u → v) = frac(u) · min(cap(u → v), R(v)) / R(u)`, and
    /// `frac(v) = Σ frac(u → v)` over its DAG in-links. `R(u)` is the max
    /// flow from `u` to `d` when the DAG below `u` branches without meeting
    /// again before `d`, and an upper bound on it otherwise (branches that
    /// re-merge, even series-parallel ones, count the capacity after the
    /// merge once per branch). Where each next hop's downstream is at least
    /// its link, this is the per-hop capacity split `cap(u → v) / Σ_w cap(u → w)`:
    /// on an intact HGX H100 board (5/4/4/5 NVLink lanes per GPU to 4
    /// NVSwitches) a GPU → GPU flow goes 5/18, 4/18, 4/18, 5/18 via the four
    /// switches instead of spray's 1/4 each; it equals [`Self::Spray`] on a
    /// symmetric Clos. With one lane between GPU `a` and switch `k` failed,
    /// flows to and from `a` weigh switch `k` by the lanes left on the
    /// bottleneck side, so they lose only that lane's share (1/18), not the
    /// 1/5 or 1/4 a per-hop split loses by overloading switch `k`'s weaker
    /// side.
    Weighted,
}
