//! `[dci]`: the sites a file's cluster is replicated over (`s{n}.` name
//! prefixes) and the long-haul links joining their top-tier switches.

use super::Builder;
use crate::NodeId;
use crate::spec::{DciSpec, FileSpec};

/// Number of sites: `[dci] sites`, else 1.
pub(super) fn sites(spec: &FileSpec) -> u64 {
    spec.dci.as_ref().map_or(1, |d| d.sites)
}

/// Name prefix of site `s` (`s3.`), empty without `[dci]`.
pub(super) fn site_prefix(spec: &FileSpec, s: u64) -> String {
    if spec.dci.is_some() {
        format!("s{s}.")
    } else {
        String::new()
    }
}

impl Builder<'_> {
    /// Long-haul links: top-tier switch `j` of every site joined to top-tier
    /// switch `j` of every other site, tier `dci`. Each of the `T` links
    /// between a pair of sites carries `bandwidth / T` (one lane of the kind
    /// without `bandwidth`).
    pub(super) fn dci_links(&mut self, dci: &DciSpec, tops: &[Vec<NodeId>]) {
        let t = tops.first().map_or(0, Vec::len);
        if t == 0 || tops.iter().any(|x| x.len() != t) {
            return;
        }
        let mut p = dci.link.clone();
        if let Some(b) = dci.pair_bandwidth_bps {
            p.bandwidth_bps = b / t as f64;
        }
        self.note_efficiency(&p);
        for (s1, a) in tops.iter().enumerate() {
            for b in &tops[s1 + 1..] {
                for (&x, &y) in a.iter().zip(b) {
                    self.add_duplex(x, y, 1, &p, "dci");
                }
            }
        }
    }
}
