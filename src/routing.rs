//! Shortest-path ECMP routing (placeholder; being written).

/// A routed path set for one flow: each directed link it crosses with the
/// fraction of the flow's rate that crosses it, and the latency before its
/// first byte arrives.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// `(link, fraction)` pairs, sorted by link id, fractions in (0, 1].
    pub links: Vec<(crate::topology::LinkId, f64)>,
    /// Sum of link latencies and intermediate switch forwarding latencies along
    /// one of the equal-cost paths (all have equal latency by construction) [s].
    pub latency_s: f64,
}

/// How a flow is spread over equal-cost paths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoutingMode {
    /// Split evenly across all equal-cost paths (fluid packet spraying).
    #[default]
    Spray,
    /// One path per flow, chosen by a deterministic seeded hash of (src, dst, flow id).
    Hash,
}
