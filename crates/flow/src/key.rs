//! Heap keys: an `f64` and one or two ids packed into one `u128` that sorts
//! as `(f64::total_cmp, ids)`.
//!
//! The engine's heaps order by a time or a level, ties broken by an id, so
//! runs are deterministic. Comparing `(f64, u32)` pairs through `total_cmp`
//! costs several branches per comparison; comparing one `u128` is two
//! machine compares without a data-dependent branch. The order is the same
//! total order bit for bit: [`ord`] maps an `f64`'s bits to a `u64` that
//! sorts as `total_cmp` does (sign bit flipped for positives, every bit
//! flipped for negatives), and the mapping is undone exactly.

/// `u64` that sorts like `f64::total_cmp`.
fn ord(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The `f64` whose [`ord`] is `o`.
fn unord(o: u64) -> f64 {
    f64::from_bits(if o >> 63 == 1 { o & !(1 << 63) } else { !o })
}

/// `(value, id)`, ordered by `value.total_cmp`, then `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key(u128);

impl Key {
    pub(crate) fn new(value: f64, id: u32) -> Key {
        Key(((ord(value) as u128) << 32) | id as u128)
    }

    pub(crate) fn value(self) -> f64 {
        unord((self.0 >> 32) as u64)
    }

    pub(crate) fn id(self) -> u32 {
        self.0 as u32
    }
}

/// `(value, id, tag)`, ordered by `value.total_cmp`, then `id`, then `tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key2(u128);

impl Key2 {
    pub(crate) fn new(value: f64, id: u32, tag: u32) -> Key2 {
        Key2(((ord(value) as u128) << 64) | ((id as u128) << 32) | tag as u128)
    }

    pub(crate) fn value(self) -> f64 {
        unord((self.0 >> 64) as u64)
    }

    pub(crate) fn id(self) -> u32 {
        (self.0 >> 32) as u32
    }

    pub(crate) fn tag(self) -> u32 {
        self.0 as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values a run can produce and the awkward ones: signed zeros,
    /// infinities, subnormals, NaN.
    const VALUES: [f64; 12] = [
        f64::NEG_INFINITY,
        -1e300,
        -1.0,
        -5e-324,
        -0.0,
        0.0,
        5e-324,
        1e-300,
        1.0,
        2.5e9,
        f64::INFINITY,
        f64::NAN,
    ];

    /// Packed keys sort exactly as `(total_cmp, id)` pairs and unpack to
    /// the same bits.
    #[test]
    fn packed_order_is_total_cmp_then_ids() {
        for a in VALUES {
            for b in VALUES {
                for (i, j) in [(0, 0), (1, 2), (2, 1), (u32::MAX, 0)] {
                    let want = a.total_cmp(&b).then(i.cmp(&j));
                    assert_eq!(
                        Key::new(a, i).cmp(&Key::new(b, j)),
                        want,
                        "{a} {i} / {b} {j}"
                    );
                    let want2 = want.then(j.cmp(&i));
                    assert_eq!(Key2::new(a, i, j).cmp(&Key2::new(b, j, i)), want2);
                }
                let k = Key2::new(a, 7, 9);
                assert_eq!((k.value().to_bits(), k.id(), k.tag()), (a.to_bits(), 7, 9));
            }
            let k = Key::new(a, 3);
            assert_eq!((k.value().to_bits(), k.id()), (a.to_bits(), 3));
        }
    }
}
