//! One max-min solve of the engine: progressive filling over links, resumed
//! from the record of the last solve where it provably repeats it
//! ([`Engine::solve`]).

use super::Engine;
use crate::budget::{Budget, BudgetExceeded};
use crate::key::Key;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;

/// The solve's scratch state, kept between solves for its allocations and
/// for the record the next solve resumes from.
pub(super) struct Scratch {
    /// Each link's filling state (one record, so freezing a column touches
    /// one cache line per link).
    fill: Vec<Fill>,
    /// Level of each group frozen in this solve [bytes/s].
    new_lambda: Vec<f64>,
    /// The queue of links by the level at which they saturate (keys are
    /// lower bounds), kept for its allocation.
    lheap_init: Vec<Reverse<Key>>,
    pull: Vec<u32>,
    moved: Vec<u32>,
    /// The last solve's queue pops in order (empty before the first).
    pops: Vec<Pop>,
    /// Resume from the record (off only in tests, to compare with full
    /// solves).
    pub(super) resume: bool,
    /// The next record, and the changed links' queue, while replaying.
    pops_next: Vec<Pop>,
    tqueue: Vec<Reverse<Key>>,
    /// Links whose weight or class count changed since the last solve.
    /// The replay relies on this: every change between solves to a link's
    /// weight or count, to a group's column or to a class's group must mark
    /// the links of the classes it concerns (today all of them come from a
    /// class's flow count changing, `Engine::touch_route`).
    pub(super) touched: Vec<bool>,
    pub(super) touched_list: Vec<u32>,
    /// Each link's queue key where the solve resumes.
    resume_key: Vec<f64>,
}

impl Scratch {
    pub(super) fn new(n_links: usize) -> Scratch {
        Scratch {
            fill: vec![Fill::default(); n_links],
            new_lambda: vec![0.0; n_links],
            lheap_init: Vec::new(),
            pull: Vec::new(),
            moved: Vec::new(),
            pops: Vec::new(),
            resume: true,
            pops_next: Vec::new(),
            tqueue: Vec::new(),
            touched: vec![false; n_links],
            touched_list: Vec::new(),
            resume_key: vec![0.0; n_links],
        }
    }
}

/// Freezes and moved classes of one solve between two checks of the
/// wall-clock deadline (a freeze costs ~100 ns, reading the clock ~20 ns).
const WORK_PER_TIME_CHECK: u64 = 4096;

/// One pop of the link queue, as recorded for the next solve.
#[derive(Clone, Copy)]
struct Pop {
    link: u32,
    kind: PopKind,
    /// The key the link was popped with.
    key: f64,
    /// Refresh: the new key. Freeze: the filling level after it.
    value: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PopKind {
    /// No unfrozen class left: dropped.
    Dead,
    /// Stale key raised to the link's current level.
    Refresh,
    /// The link saturated and its group froze.
    Freeze,
}

/// A link's state during one solve: capacity left \[bytes/s\], weight of
/// unfrozen classes, their count, whether the link has frozen, and whether
/// it was dropped from the queue in the replayed prefix.
#[derive(Clone, Copy, Default)]
struct Fill {
    rem: f64,
    w: f64,
    cnt: u32,
    popped: bool,
    dropped: bool,
}

impl Engine<'_> {
    /// What popping link `li` with `key` does, from the link's state alone:
    /// drop it (no unfrozen class left), refresh its stale key to its level
    /// `R/W`, or freeze it at that level. Returns the kind and the level.
    #[inline]
    fn pop_kind(&self, li: usize, key: f64) -> (PopKind, f64) {
        let f = &self.sv.fill[li];
        if f.cnt == 0 {
            return (PopKind::Dead, 0.0);
        }
        // Keys are lower bounds (freezing never lowers a level R/W; see
        // maxmin.rs), so a key is refreshed only when it is the minimum.
        let lvl = f.rem.max(0.0) / f.w;
        let kind = if lvl > key {
            PopKind::Refresh
        } else {
            PopKind::Freeze
        };
        (kind, lvl)
    }

    /// Where the queue will restart after the replay: a dropped link leaves
    /// it, a refreshed one holds its new key.
    fn note_pop(&mut self, p: &Pop) {
        match p.kind {
            PopKind::Dead => self.sv.fill[p.link as usize].dropped = true,
            PopKind::Refresh => self.sv.resume_key[p.link as usize] = p.value,
            PopKind::Freeze => {}
        }
    }

    /// Freezes link `li` and its group at `level`, through the group's
    /// column.
    fn freeze_column(&mut self, li: usize, level: f64) {
        self.sv.fill[li].popped = true;
        self.stats.links_frozen += 1;
        self.sv.new_lambda[li] = level;
        for e in &self.groups.col[li] {
            let f = &mut self.sv.fill[e.link as usize];
            f.rem -= e.weight * level;
            f.w -= e.weight;
            f.cnt -= e.count;
        }
        debug_assert_eq!(
            self.sv.fill[li].cnt, 0,
            "link {li} still has unfrozen classes"
        );
    }

    /// Replays the part of the last solve's pops that this solve repeats
    /// (see [`Engine::solve`]) into a new record, and returns the filling
    /// level reached. Links dropped in the prefix are marked `dropped`; the
    /// others get the key they hold at its end.
    fn replay_prefix(&mut self) -> f64 {
        let mut tq = std::mem::take(&mut self.sv.tqueue);
        tq.clear();
        for &l in &self.sv.touched_list {
            let li = l as usize;
            if self.nclass[li] > 0 {
                tq.push(Reverse(Key::new(self.sv.resume_key[li], l)));
            }
        }
        let mut tq = BinaryHeap::from(tq);
        let old = std::mem::take(&mut self.sv.pops);
        let mut out = std::mem::take(&mut self.sv.pops_next);
        out.clear();
        let mut level = 0.0;
        'replay: for &p in &old {
            let li = p.link as usize;
            if self.sv.touched[li] {
                if p.kind == PopKind::Freeze {
                    break;
                }
                continue;
            }
            // Changed links whose keys come first pop before p.
            while let Some(mut top) = tq.peek_mut() {
                let (key, l) = (top.0.value(), top.0.id());
                if top.0 >= Key::new(p.key, p.link) {
                    break;
                }
                let (kind, lvl) = self.pop_kind(l as usize, key);
                let tp = Pop {
                    link: l,
                    kind,
                    key,
                    value: lvl,
                };
                match kind {
                    // A changed link saturates here: the rest differs.
                    PopKind::Freeze => break 'replay,
                    PopKind::Dead => {
                        PeekMut::pop(top);
                    }
                    PopKind::Refresh => *top = Reverse(Key::new(lvl, l)),
                }
                out.push(tp);
                self.note_pop(&tp);
            }
            out.push(p);
            self.note_pop(&p);
            if p.kind == PopKind::Freeze {
                level = p.value;
                debug_assert_eq!(self.sv.fill[li].cnt, self.groups.size[li]);
                self.freeze_column(li, level);
            }
        }
        self.stats.heap_pops += out.len() as u64;
        #[cfg(test)]
        super::tests::REPLAYED.with(|r| r.set(r.get() + out.len() as u64));
        self.sv.pops = out;
        self.sv.pops_next = old;
        self.sv.tqueue = tq.into_vec();
        level
    }

    /// Progressive filling over links (see module docs), then new group
    /// levels and completion times.
    ///
    /// # Resuming from the last solve
    /// A solve is a sequence of queue pops: *dead* (no unfrozen class
    /// left), *refresh* (a stale key raised to the link's level `R/W`) and
    /// *freeze*. Which link pops next depends only on the keys, ordered by
    /// `(key, link)`; what a pop does depends only on that link's state.
    /// Let `T` be the links whose weight or class count changed since the
    /// last solve (the routes of the classes that gained or lost flows).
    /// Every other link starts this solve with the same state and key as
    /// the last one, and every group not named by a link of `T` has the same
    /// column. So, as long as no link of `T` freezes, this solve pops the
    /// links outside `T` exactly as the last one did, in the same order,
    /// with the same keys and levels, and moves no class (each already sits
    /// in the group it froze with); links of `T` only interleave.
    ///
    /// The solve therefore replays the last solve's record ([`Pop`]s) for
    /// the links outside `T`, applying each freeze's column updates in order
    /// (so every value is bit-for-bit what a full solve computes), while the
    /// links of `T` are popped from a small queue of their own whenever
    /// their key comes first. The replay stops at the first freeze of a link
    /// of `T`, recorded or due; the queue then restarts from the keys every
    /// link holds at that point and the rest is solved as usual. Results,
    /// the record and the counters are those of a full solve
    /// (`engine::tests` checks this bit for bit).
    pub(super) fn solve(&mut self, t: f64, budget: &Budget) -> Result<(), BudgetExceeded> {
        self.dirty = false;
        self.stats.solves += 1;
        for k in 0..self.active_links.len() {
            let l = self.active_links[k];
            let li = l as usize;
            self.sv.fill[li] = Fill {
                rem: self.cap[li],
                w: self.weight[li],
                cnt: self.nclass[li],
                popped: false,
                dropped: false,
            };
            self.sv.resume_key[li] = self.cap[li] / self.weight[li];
        }
        let mut level = 0.0f64;
        if self.sv.resume {
            level = self.replay_prefix();
        } else {
            self.sv.pops.clear();
        }
        for &l in &self.sv.touched_list {
            self.sv.touched[l as usize] = false;
        }
        self.sv.touched_list.clear();
        let mut init = std::mem::take(&mut self.sv.lheap_init);
        init.clear();
        for k in 0..self.active_links.len() {
            let l = self.active_links[k];
            let li = l as usize;
            if !self.sv.fill[li].popped && !self.sv.fill[li].dropped {
                init.push(Reverse(Key::new(self.sv.resume_key[li], l)));
            }
        }
        let mut lheap = BinaryHeap::from(init);
        let (mut work, mut next_check) = (0u64, WORK_PER_TIME_CHECK);
        while let Some(mut top) = lheap.peek_mut() {
            self.stats.heap_pops += 1;
            let (key, l) = (top.0.value(), top.0.id());
            let li = l as usize;
            let (kind, lvl) = self.pop_kind(li, key);
            let value = match kind {
                PopKind::Dead => {
                    PeekMut::pop(top);
                    lvl
                }
                // In place: one sift-down instead of a pop and a push.
                PopKind::Refresh => {
                    *top = Reverse(Key::new(lvl, l));
                    lvl
                }
                // Rounding may put a level a hair below the previous one;
                // levels are frozen in non-decreasing order.
                PopKind::Freeze => {
                    PeekMut::pop(top);
                    level = level.max(lvl);
                    level
                }
            };
            self.sv.pops.push(Pop {
                link: l,
                kind,
                key,
                value,
            });
            if kind != PopKind::Freeze {
                continue;
            }

            // Unfrozen classes of other groups crossing l saturate here first.
            // Group l's own classes all cross l and are unfrozen, so there
            // are such classes exactly when l's unfrozen count exceeds the
            // group's size: only then is l's row scanned.
            self.sv.pull.clear();
            if self.sv.fill[li].cnt > self.groups.size[li] {
                for &(g, _) in &self.groups.row[li] {
                    if g != l && !self.sv.fill[g as usize].popped {
                        self.sv.pull.push(g);
                    }
                }
            }
            for k in 0..self.sv.pull.len() {
                let g = self.sv.pull[k];
                self.sv.moved.clear();
                self.sv
                    .moved
                    .extend_from_slice(self.groups.classes_on(g, l));
                for j in 0..self.sv.moved.len() {
                    let c = self.sv.moved[j];
                    self.move_class(c, l, t);
                }
                work += self.sv.moved.len() as u64;
            }
            self.freeze_column(li, level);
            // One solve can take long on a huge input (many classes to
            // move per freeze): the deadline is checked inside it too.
            work += 1;
            if work >= next_check {
                next_check = work + WORK_PER_TIME_CHECK;
                budget.check_time()?;
            }
        }
        // Keep the allocation for the next solve.
        self.sv.lheap_init = lheap.into_vec();
        for k in 0..self.active_links.len() {
            let g = self.active_links[k] as usize;
            if self.groups.size[g] == 0 {
                self.completions.remove(g as u32);
                continue;
            }
            self.advance(g, t);
            self.lambda[g] = self.sv.new_lambda[g];
            match self.group_min(g) {
                Some((k, _)) => {
                    let t_done = t + (k - self.clock[g]).max(0.0) / self.lambda[g];
                    self.completions.set(g as u32, t_done);
                }
                None => self.completions.remove(g as u32),
            }
        }
        Ok(())
    }
}
