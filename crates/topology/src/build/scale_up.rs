//! `[scale_up]` domains: their accelerators and switches (`{site}d{d}.gpu{i}`,
//! `{site}d{d}.sw{s}`) and their links of tier `scale-up` (switched, full
//! mesh or torus).

use super::{Builder, Domain};
use crate::blocks;
use crate::spec::{ScaleUpShape, ScaleUpSpec};
use crate::{Node, NodeRole};

impl Builder<'_> {
    /// Generates `{site}d{d}.gpu{i}` and, for switched domains,
    /// `{site}d{d}.sw{s}` for every domain. Accelerators forward in a torus,
    /// or when `relay` (rail-only scale-out) is set.
    pub(super) fn scale_up_nodes(
        &mut self,
        su: &ScaleUpSpec,
        site: &str,
        relay: bool,
    ) -> Vec<Domain> {
        let forwards = su.forwards() || relay;
        let latency_s = match &su.shape {
            ScaleUpShape::Torus {
                forwarding_latency_s,
                ..
            } => *forwarding_latency_s,
            _ => 0.0,
        };
        let acc = Node {
            name: String::new(),
            role: NodeRole::Accelerator,
            kind: String::new(),
            latency_s,
            in_switch_reduction: false,
            forwards,
        };
        let (n_sw, sw) = match &su.shape {
            ScaleUpShape::Switched {
                switches, switch, ..
            } => (
                *switches,
                Node {
                    name: String::new(),
                    role: NodeRole::Switch,
                    kind: switch.kind.map_or(String::new(), |k| k.name.to_string()),
                    latency_s: switch.latency_s,
                    in_switch_reduction: switch.in_switch_reduction,
                    forwards: NodeRole::Switch.forwards_by_default(),
                },
            ),
            _ => (0, acc.clone()),
        };
        let mut out = Vec::with_capacity(su.domains as usize);
        for d in 0..su.domains {
            let accelerators = self.add_nodes(
                (0..su.accelerators)
                    .map(|i| format!("{site}d{d}.gpu{i}"))
                    .collect(),
                &acc,
                &su.span,
            );
            let switches = self.add_nodes(
                (0..n_sw).map(|s| format!("{site}d{d}.sw{s}")).collect(),
                &sw,
                &su.span,
            );
            if accelerators.len() as u64 == su.accelerators && switches.len() as u64 == n_sw {
                out.push(Domain {
                    accelerators,
                    switches,
                });
            }
        }
        out
    }

    /// The links of one scale-up domain, tier `scale-up`.
    pub(super) fn scale_up_links(&mut self, su: &ScaleUpSpec, dom: &Domain) {
        let accs = &dom.accelerators;
        match &su.shape {
            ScaleUpShape::Switched {
                links_per_switch, ..
            } => {
                for &gpu in accs {
                    for (s, &sw) in dom.switches.iter().enumerate() {
                        let lanes = links_per_switch.to_switch(s);
                        if lanes > 0 {
                            self.add_duplex(gpu, sw, lanes, &su.link, "scale-up");
                        }
                    }
                }
            }
            ScaleUpShape::FullMesh { links_per_peer } => {
                for (i, &a) in accs.iter().enumerate() {
                    for &b in &accs[i + 1..] {
                        self.add_duplex(a, b, *links_per_peer, &su.link, "scale-up");
                    }
                }
            }
            ScaleUpShape::Torus {
                dims,
                links_per_neighbor,
                ..
            } => {
                let mut pairs = Vec::with_capacity(blocks::torus_links(dims) as usize);
                blocks::for_each_torus_link(dims, |i, j, _| pairs.push((i as usize, j as usize)));
                for (i, j) in pairs {
                    self.add_duplex(accs[i], accs[j], *links_per_neighbor, &su.link, "scale-up");
                }
            }
        }
    }
}
