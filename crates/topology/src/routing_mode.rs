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
    /// One path per flow, chosen by a deterministic seeded hash of (src, dst, flow id).
    Hash,
    /// Split hop by hop over the equal-cost shortest-path DAG in proportion to
    /// link capacity (NVLink port interleaving, adaptive routing). With
    /// `frac(src) = 1`, every DAG node `u` divides its inflow among its
    /// equal-cost next-hop links `u → v` as
    /// `frac(u → v) = frac(u) · cap(u → v) / Σ_{next hops u → w} cap(u → w)`,
    /// and `frac(v) = Σ frac(u → v)` over its DAG in-links; `cap` is
    /// `capacity_bps`, which includes the lane `count`. Equals [`Self::Spray`]
    /// on a symmetric Clos; on an HGX H100 board (5/4/4/5 NVLink lanes per GPU
    /// to 4 NVSwitches) a GPU → GPU flow goes 5/18, 4/18, 4/18, 5/18 via the four
    /// switches instead of 1/4 each.
    Weighted,
}
