//! An indexed binary min-heap: one entry per item, keys can be changed or
//! removed in O(log n). Ties are broken by item id, so pop order is
//! deterministic.

use super::key::Key;

/// Min-heap over items `0..n` keyed by `f64` (compared with `total_cmp`,
/// ties broken by the smaller item id).
#[derive(Debug, Default, Clone)]
pub(crate) struct IndexedHeap {
    /// Heap array of item ids.
    heap: Vec<u32>,
    /// Key of each item packed with its id (valid while the item is in the
    /// heap).
    key: Vec<Key>,
    /// Position of each item in `heap`, or `NONE`.
    pos: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl IndexedHeap {
    fn less(&self, a: u32, b: u32) -> bool {
        self.key[a as usize] < self.key[b as usize]
    }

    fn ensure(&mut self, item: u32) {
        let need = item as usize + 1;
        if self.pos.len() < need {
            self.pos.resize(need, NONE);
            self.key.resize(need, Key::new(0.0, 0));
        }
    }

    /// Inserts `item` with `key`, or changes its key if it is present.
    pub(crate) fn set(&mut self, item: u32, key: f64) {
        self.ensure(item);
        let p = self.pos[item as usize];
        self.key[item as usize] = Key::new(key, item);
        if p == NONE {
            self.heap.push(item);
            let i = self.heap.len() - 1;
            self.pos[item as usize] = i as u32;
            self.up(i);
        } else {
            let i = p as usize;
            self.up(i);
            let i = self.pos[item as usize] as usize;
            self.down(i);
        }
    }

    /// Removes `item` if present.
    pub(crate) fn remove(&mut self, item: u32) {
        if (item as usize) >= self.pos.len() {
            return;
        }
        let p = self.pos[item as usize];
        if p == NONE {
            return;
        }
        let i = p as usize;
        let last = self.heap.len() - 1;
        self.heap.swap(i, last);
        self.pos[self.heap[i] as usize] = i as u32;
        self.heap.pop();
        self.pos[item as usize] = NONE;
        if i < self.heap.len() {
            let moved = self.heap[i];
            self.up(i);
            let j = self.pos[moved as usize] as usize;
            self.down(j);
        }
    }

    /// The minimum `(item, key)` without removing it.
    pub(crate) fn peek(&self) -> Option<(u32, f64)> {
        self.heap
            .first()
            .map(|&it| (it, self.key[it as usize].value()))
    }

    fn up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.less(self.heap[i], self.heap[parent]) {
                self.heap.swap(i, parent);
                self.pos[self.heap[i] as usize] = i as u32;
                self.pos[self.heap[parent] as usize] = parent as u32;
                i = parent;
            } else {
                break;
            }
        }
    }

    fn down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.less(self.heap[r], self.heap[l]) {
                r
            } else {
                l
            };
            if self.less(self.heap[c], self.heap[i]) {
                self.heap.swap(i, c);
                self.pos[self.heap[i] as usize] = i as u32;
                self.pos[self.heap[c] as usize] = c as u32;
                i = c;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_then_id_order_after_updates_and_removals() {
        let mut h = IndexedHeap::default();
        let keys = [5.0, 3.0, 9.0, 3.0, 7.0, 1.0];
        for (i, &k) in keys.iter().enumerate() {
            h.set(i as u32, k);
        }
        h.set(2, 0.5); // decrease
        h.set(5, 8.0); // increase
        h.remove(4);
        let mut got = vec![];
        while let Some((it, k)) = h.peek() {
            got.push((it, k));
            h.remove(it);
        }
        assert_eq!(got, vec![(2, 0.5), (1, 3.0), (3, 3.0), (0, 5.0), (5, 8.0)]);
    }
}
