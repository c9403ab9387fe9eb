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
//! list had; iteration and length are the same either way.
//!
//! Which transfers form the *last stage* matters to a pipeline's fill
//! slots, where only they pay latency ([`crate::StepLatency::Front`]). A
//! list remembers where its last stage starts: a window's last stage, kept
//! when the window is copied out to be edited (appended transfers join
//! it); 0 for a plain list (every transfer is in it). Equality compares
//! the transfers and that boundary.

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
    /// The transfers, and the index where their last stage starts.
    Own(Vec<Transfer>, usize),
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
            Repr::Own(..) => None,
        }
    }

    /// Number of transfers.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Own(v, _) => v.len(),
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
            Repr::Own(v, _) => std::slice::from_ref(v),
            Repr::Window { stages, lo, hi, .. } => &stages[*lo..=*hi],
        }
    }

    /// Index of the first transfer of the last stage (the transfers from
    /// there on are that stage's; see the module docs).
    pub(crate) fn last_stage_start(&self) -> usize {
        match &self.0 {
            Repr::Own(v, last) => (*last).min(v.len()),
            Repr::Window {
                stages, hi, len, ..
            } => len - stages[*hi].len(),
        }
    }

    /// The transfers, in order.
    pub fn iter(&self) -> Iter<'_> {
        self.parts().iter().flatten()
    }

    /// The transfers as a list of the step's own, to edit; a window is
    /// copied out of its stages first (the other steps keep them), and its
    /// last stage still starts where it did.
    pub fn make_mut(&mut self) -> &mut Vec<Transfer> {
        if let Repr::Window { .. } = self.0 {
            self.0 = Repr::Own(self.iter().copied().collect(), self.last_stage_start());
        }
        match &mut self.0 {
            Repr::Own(v, _) => v,
            Repr::Window { .. } => unreachable!("copied out above"),
        }
    }

    /// The transfers as a list of their own.
    pub fn into_vec(self) -> Vec<Transfer> {
        match self.0 {
            Repr::Own(v, _) => v,
            Repr::Window { .. } => self.iter().copied().collect(),
        }
    }
}

impl Default for Transfers {
    fn default() -> Transfers {
        Transfers(Repr::Own(Vec::new(), 0))
    }
}

impl From<Vec<Transfer>> for Transfers {
    fn from(v: Vec<Transfer>) -> Transfers {
        Transfers(Repr::Own(v, 0))
    }
}

/// Equal when the lists are equal transfer by transfer, however each is
/// held, and their last stages start at the same index.
impl PartialEq for Transfers {
    fn eq(&self, other: &Transfers) -> bool {
        self.len() == other.len()
            && self.last_stage_start() == other.last_stage_start()
            && self.iter().eq(other.iter())
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

/// Stage lists already merged by [`Transfers::concat`]: the parts' stage
/// lists (held, compared by address) and their merge, so the steps of one
/// pipeline share one merged list.
#[derive(Default)]
pub(crate) struct MergedStages(Vec<(Vec<SharedStages>, SharedStages)>);

impl Transfers {
    /// The lists one after another. When every list is the same window
    /// `lo..=hi` of stage lists of one length, the result is that window of
    /// their stage-by-stage merge (stage `h` holds every list's stage `h`,
    /// in list order), made once per combination of stage lists
    /// (`merged`); otherwise a list of its own, in list order.
    pub(crate) fn concat(lists: Vec<Transfers>, merged: &mut MergedStages) -> Transfers {
        let windows: Option<Vec<(&SharedStages, usize, usize)>> =
            lists.iter().map(Transfers::as_window).collect();
        if let Some(ws) = windows
            && let Some(&(first, lo, hi)) = ws.first()
            && ws
                .iter()
                .all(|&(s, l, h)| (l, h) == (lo, hi) && s.len() == first.len())
        {
            let same = |k: &[SharedStages]| k.iter().zip(&ws).all(|(a, w)| Arc::ptr_eq(a, w.0));
            let stages = match merged.0.iter().find(|(k, _)| same(k)) {
                Some((_, s)) => Arc::clone(s),
                None => {
                    let s: SharedStages = (0..first.len())
                        .map(|h| ws.iter().flat_map(|w| w.0[h].iter().copied()).collect())
                        .collect();
                    let key = ws.iter().map(|w| Arc::clone(w.0)).collect();
                    merged.0.push((key, Arc::clone(&s)));
                    s
                }
            };
            return Transfers::window(&stages, lo, hi);
        }
        let mut out: Vec<Transfer> = Vec::with_capacity(lists.iter().map(Transfers::len).sum());
        for l in &lists {
            out.extend(l.iter().copied());
        }
        Transfers::from(out)
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
        assert!(w.iter().eq(own.iter()));
        // Same transfers, but the window's last stage is its third
        // transfer, the plain list's all three.
        assert_eq!((w.last_stage_start(), own.last_stage_start()), (2, 0));
        assert_ne!(w, own);
        let mut copied = w.clone();
        copied.make_mut();
        assert!(copied.as_window().is_none());
        assert_eq!(copied, w, "copied out, the last stage stays where it was");
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

    #[test]
    fn concatenated_windows_stay_a_window_of_merged_stages() {
        let (a, b) = (
            stages(),
            stages()
                .iter()
                .map(|st| {
                    st.iter()
                        .map(|x| t(x.src.0 + 10, x.dst.0 + 10, x.bytes))
                        .collect()
                })
                .collect::<SharedStages>(),
        );
        let mut merged = MergedStages::default();
        let w = Transfers::concat(
            vec![Transfers::window(&a, 0, 2), Transfers::window(&b, 0, 2)],
            &mut merged,
        );
        // Stage by stage: stage 0 of a, stage 0 of b, stage 2 of a, of b.
        let want = [
            t(0, 1, 1.0),
            t(1, 2, 1.0),
            t(10, 11, 1.0),
            t(11, 12, 1.0),
            t(2, 3, 2.0),
            t(12, 13, 2.0),
        ];
        assert_eq!(w.iter().copied().collect::<Vec<_>>(), want);
        assert_eq!(
            w.last_stage_start(),
            4,
            "the last stage is both lists' stage 2"
        );
        // Another window of the same stage lists shares the merged list.
        let w2 = Transfers::concat(
            vec![Transfers::window(&a, 2, 2), Transfers::window(&b, 2, 2)],
            &mut merged,
        );
        let (s1, s2) = (w.as_window().unwrap().0, w2.as_window().unwrap().0);
        assert!(Arc::ptr_eq(s1, s2));
        assert_eq!(w2.last_stage_start(), 0);
        // Different windows, or a list of its own: one list, in order.
        let mixed = Transfers::concat(
            vec![Transfers::window(&a, 0, 0), Transfers::window(&b, 2, 2)],
            &mut merged,
        );
        assert!(mixed.as_window().is_none());
        assert_eq!(
            mixed.iter().copied().collect::<Vec<_>>(),
            [t(0, 1, 1.0), t(1, 2, 1.0), t(12, 13, 2.0)]
        );
        assert_eq!(mixed.last_stage_start(), 0);
    }
}
