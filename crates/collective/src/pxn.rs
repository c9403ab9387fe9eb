//! PXN: point-to-point sends between scale-up domains relayed through the
//! rail-aligned accelerator of the sender's domain.
//!
//! On rail-optimized fabrics NCCL moves a send whose destination hangs off
//! another rail over the scale-up fabric first, to the GPU of the sender's
//! node that shares the destination's rail, which then sends over its own
//! NIC (PXN, "PCI × NVLink", NCCL 2.12; on by default: `NCCL_PXN_DISABLE=0`,
//! and `NCCL_P2P_PXN_LEVEL=2` uses it for every send/receive; NCCL's
//! environment-variable reference). The network leg then stays on one rail
//! (NIC → leaf → NIC under a shared leaf) instead of crossing the spine and
//! core tiers between rails.
//!
//! # Model
//! For a transfer `s → d` between accelerators of different scale-up
//! domains, the *relay* is the accelerator of `s`'s domain at `d`'s position
//! in its own domain (domains' accelerators in id order: the rail-aligned
//! peer of a generated fabric). The transfer relays when the relay is not
//! `s` and is strictly closer to `d` than `s` is (fewer hops, NCCL's "the
//! peer has a better path to that NIC"); its flow then follows
//! `route(s → relay)` followed by `route(relay → d)`: one flow over the
//! concatenated route, which is a store-and-forward pipeline through the
//! relay's memory with negligible chunks (its rate is the min over both
//! legs' links), and its latency is the sum of the legs'. When the two legs
//! would share a link the transfer does not relay (a route crosses each link
//! once).

use super::symmetry::Domains;
use fabricsim_routing::{Route, Router, RoutingError};
use fabricsim_topology::NodeId;

/// The route of flow `id` from `src` to `dst` under PXN (module docs).
pub fn route(
    router: &mut Router<'_>,
    domains: &Domains,
    src: NodeId,
    dst: NodeId,
    id: u64,
) -> Result<Route, RoutingError> {
    if let Some(via) = domains.rail_peer(src, dst)
        && router.hop_count(via, dst)? < router.hop_count(src, dst)?
    {
        let a = router.route(src, via, id)?;
        let b = router.route(via, dst, id)?;
        if let Some(r) = concat(a, b) {
            return Ok(r);
        }
    }
    router.route(src, dst, id)
}

/// The two legs as one route (links by id), or `None` when they share a link.
fn concat(a: Route, b: Route) -> Option<Route> {
    let mut links = a.links;
    links.extend(b.links);
    links.sort_unstable_by_key(|&(l, _)| l);
    if links.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    Some(Route {
        links,
        latency_s: a.latency_s + b.latency_s,
    })
}
