//! Point-to-point transfers, and the transfers of one schedule step: a
//! list of the step's own, or a window of a pipeline's stages that every
//! step of the pipeline shares.
//!
//! A pipeline of `H` stages over `m` chunks has `H + m − 1` slots, and slot
//! `t` runs stages `lo..=hi` together ([`crate::tree::pipeline_stages`]).
//! Copying each slot's stages into a list of its own repeats every stage in
//! up to `H` slots: a 32,768-rank tree all-reduce held 40.9 M transfers for
//! 1.05 M distinct ones. A window holds the stages once, behind an [`Arc`],
//! and reads as their concatenation in stage order, the order the copied
//! list had; equality, iteration and length are the same either way.

use fabricsim_topology::NodeId;
use std::sync::Arc;

/// One point-to-point transfer of `bytes` from `src` to `dst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transfer {
    /// Sending rank.
    pub src: NodeId,
    /// Receiving rank.
    pub dst: NodeId,
    /// Bytes sent \[bytes\].
    pub bytes: f64,
}

/// The transfers of a step, read as one list (see the module docs).
#[derive(Clone, Debug)]
pub struct Transfers(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Own(Vec<Transfer>),
    Window {
        stages: SharedStages,
        lo: usize,
        hi: usize,
        len: usize,
    },
}

/// A pipeline's stages, shared by the steps that window them.
pub type SharedStages = Arc<[Vec<Transfer>]>;

/// Iterator over a step's transfers, in order.
pub type Iter<'a> = std::iter::Flatten<std::slice::Iter<'a, Vec<Transfer>>>;

impl Transfers {
    /// Stages `lo..=hi` of `stages`, concatenated in stage order.
    ///
    /// # Panics
    /// When `lo > hi` or `hi` is not a stage.
    pub(crate) fn window(stages: &SharedStages, lo: usize, hi: usize) -> Transfers {
        let len = stages[lo..=hi].iter().map(Vec::len).sum();
        Transfers(Repr::Window {
            stages: Arc::clone(stages),
            lo,
            hi,
            len,
        })
    }

    /// The shared stages and the range `(lo, hi)` of them this list is,
    /// when it is a window.
    pub(crate) fn as_window(&self) -> Option<(&SharedStages, usize, usize)> {
        match &self.0 {
            Repr::Window { stages, lo, hi, .. } => Some((stages, *lo, *hi)),
            Repr::Own(_) => None,
        }
    }

    /// Number of transfers.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Own(v) => v.len(),
            Repr::Window { len, .. } => *len,
        }
    }

    /// Whether there are no transfers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The transfers as consecutive runs (one run, or a window's stages).
    pub(crate) fn parts(&self) -> &[Vec<Transfer>] {
        match &self.0 {
            Repr::Own(v) => std::slice::from_ref(v),
            Repr::Window { stages, lo, hi, .. } => &stages[*lo..=*hi],
        }
    }

    /// The transfers, in order.
    pub fn iter(&self) -> Iter<'_> {
        self.parts().iter().flatten()
    }

    /// The transfers as a list of the step's own, to edit; a window is
    /// copied out of its stages first (the other steps keep them).
    pub fn make_mut(&mut self) -> &mut Vec<Transfer> {
        if let Repr::Window { .. } = self.0 {
            self.0 = Repr::Own(self.iter().copied().collect());
        }
        match &mut self.0 {
            Repr::Own(v) => v,
            Repr::Window { .. } => unreachable!("copied out above"),
        }
    }

    /// The transfers as a list of their own.
    pub fn into_vec(self) -> Vec<Transfer> {
        match self.0 {
            Repr::Own(v) => v,
            Repr::Window { .. } => self.iter().copied().collect(),
        }
    }
}

impl Default for Transfers {
    fn default() -> Transfers {
        Transfers(Repr::Own(Vec::new()))
    }
}

impl From<Vec<Transfer>> for Transfers {
    fn from(v: Vec<Transfer>) -> Transfers {
        Transfers(Repr::Own(v))
    }
}

/// Equal when the lists are equal transfer by transfer, however each is
/// held.
impl PartialEq for Transfers {
    fn eq(&self, other: &Transfers) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::ops::Index<usize> for Transfers {
    type Output = Transfer;
    fn index(&self, mut i: usize) -> &Transfer {
        for part in self.parts() {
            if i < part.len() {
                return &part[i];
            }
            i -= part.len();
        }
        panic!("transfer index out of range: the step has {}", self.len())
    }
}

impl<'a> IntoIterator for &'a Transfers {
    type Item = &'a Transfer;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Transfers {
    type Item = Transfer;
    type IntoIter = std::vec::IntoIter<Transfer>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl Extend<Transfer> for Transfers {
    fn extend<I: IntoIterator<Item = Transfer>>(&mut self, iter: I) {
        self.make_mut().extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: u32, dst: u32, bytes: f64) -> Transfer {
        Transfer {
            src: NodeId(src),
            dst: NodeId(dst),
            bytes,
        }
    }

    fn stages() -> SharedStages {
        vec![vec![t(0, 1, 1.0), t(1, 2, 1.0)], vec![], vec![t(2, 3, 2.0)]].into()
    }

    #[test]
    fn a_window_reads_as_its_stages_concatenated() {
        let s = stages();
        let w = Transfers::window(&s, 0, 2);
        let own = Transfers::from(vec![t(0, 1, 1.0), t(1, 2, 1.0), t(2, 3, 2.0)]);
        assert_eq!(w.len(), 3);
        assert_eq!(w, own);
        assert_eq!(w[2], t(2, 3, 2.0));
        assert_eq!(w.iter().count(), 3);
        assert!(Transfers::window(&s, 1, 1).is_empty());
        assert_ne!(Transfers::window(&s, 1, 2), own);
    }

    #[test]
    fn editing_a_window_leaves_the_shared_stages_alone() {
        let s = stages();
        let mut a = Transfers::window(&s, 0, 0);
        let b = Transfers::window(&s, 0, 0);
        a.make_mut()[0].bytes = 5.0;
        a.extend([t(9, 8, 1.0)]);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].bytes, 5.0);
        assert_eq!(b[0].bytes, 1.0);
        assert_eq!(s[0][0].bytes, 1.0);
        assert!(a.as_window().is_none() && b.as_window().is_some());
    }
}
