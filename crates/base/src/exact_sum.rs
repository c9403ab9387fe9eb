//! Sums of floating-point numbers that do not depend on the order of the
//! additions.
//!
//! A running `f64` sum rounds after every addition, so the same terms added
//! in another order can give another last bit. [`ExactSum`] keeps the sum
//! exactly, as a short list of non-overlapping `f64` *partials* whose
//! mathematical sum is the sum of every term added (Shewchuk's
//! grow-expansion with zero elimination: each addition is the error-free
//! `two-sum` `x + y = hi + lo` against each partial, keeping the non-zero
//! `lo`s), and [`ExactSum::value`] rounds that exact sum once, to nearest
//! with ties to even. The value is therefore the correctly rounded sum of
//! the terms, the same for any order and any grouping: two exact sums can be
//! merged ([`ExactSum::add_sum`]) as if their terms had been added one by
//! one. Source: J. R. Shewchuk, "Adaptive Precision Floating-Point
//! Arithmetic and Fast Robust Geometric Predicates", Discrete & Computational
//! Geometry 18 (1997) 305–363 (docs/sources.md [S-shewchuk]).
//!
//! Terms must be finite and their partial sums must not overflow.

/// An exact sum of `f64` terms (module docs).
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Non-overlapping partials in increasing magnitude (all non-zero but
    /// the last).
    partials: Vec<f64>,
}

impl ExactSum {
    /// The empty sum (0).
    pub fn new() -> ExactSum {
        ExactSum::default()
    }

    /// Adds `x` exactly.
    pub fn add(&mut self, mut x: f64) {
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            // two-sum with |x| >= |y|: hi + lo == x + y exactly.
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Adds `m · x` exactly (for instance `x` counted `m` times): the
    /// product's rounding error, `fma(m, x, −m·x)`, is itself a double
    /// (barring underflow), so the product is two exact terms.
    pub fn add_product(&mut self, m: f64, x: f64) {
        let p = m * x;
        let e = m.mul_add(x, -p);
        self.add(p);
        if e != 0.0 {
            self.add(e);
        }
    }

    /// Adds every term of `other`, exactly.
    pub fn add_sum(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// Empties the sum.
    pub fn clear(&mut self) {
        self.partials.clear();
    }

    /// The exact sum rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(&top) = p.last() else {
            return 0.0;
        };
        // Add partials from the largest down until one addition is inexact:
        // the partials below it are too small to change the rounding,
        // except in a tie, fixed below.
        let mut hi = top;
        let mut lo = 0.0;
        let mut n = p.len() - 1;
        while n > 0 {
            let x = hi;
            let y = p[n - 1];
            n -= 1;
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // `hi + lo` is exact and `lo` is half an ulp of `hi` at most. If the
        // rest (partials below n) pushes `lo` the same way, `hi` may need to
        // move one ulp: it does exactly when `hi + 2·lo` is representable
        // (that is, `lo` was exactly half an ulp, a tie the rest breaks).
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::ExactSum;
    use crate::rng::SplitMix64;

    /// Terms `m · 2^e` with `|m| < 2^40`, `e` in `[-30, 30]`: their exact
    /// sum is an integer multiple of `2^-30`, computed in `i128`, and its
    /// correct rounding is the `i128`'s conversion (round to nearest, ties
    /// to even) scaled by `2^-30` (exact).
    fn terms(rng: &mut SplitMix64, n: usize) -> (Vec<f64>, f64) {
        let mut exact: i128 = 0;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let m = (rng.next_u64() >> 24) as i64 - (1 << 39);
            let e = (rng.next_u64() % 61) as i32 - 30;
            v.push(m as f64 * 2f64.powi(e));
            exact += (m as i128) << (e + 30);
        }
        (v, exact as f64 * 2f64.powi(-30))
    }

    #[test]
    fn sums_are_correctly_rounded_in_any_order() {
        let mut rng = SplitMix64::new(7);
        for n in [0, 1, 2, 3, 10, 100, 1000] {
            for _ in 0..50 {
                let (mut v, want) = terms(&mut rng, n);
                let mut s = ExactSum::new();
                v.iter().for_each(|&x| s.add(x));
                assert_eq!(s.value().to_bits(), want.to_bits(), "{n} terms");
                v.reverse();
                let (a, b) = v.split_at(n / 3);
                let (mut sa, mut sb) = (ExactSum::new(), ExactSum::new());
                a.iter().for_each(|&x| sa.add(x));
                b.iter().for_each(|&x| sb.add(x));
                sb.add_sum(&sa);
                assert_eq!(sb.value().to_bits(), want.to_bits(), "{n} terms, merged");
            }
        }
    }

    #[test]
    fn a_product_adds_as_its_repeated_term() {
        let mut rng = SplitMix64::new(11);
        for _ in 0..200 {
            let (v, _) = terms(&mut rng, 3);
            let m = (rng.next_u64() % 5000) as f64;
            let (mut once, mut repeated) = (ExactSum::new(), ExactSum::new());
            once.add(v[0]);
            repeated.add(v[0]);
            once.add_product(m, v[1] * 0.1);
            for _ in 0..m as usize {
                repeated.add(v[1] * 0.1);
            }
            assert_eq!(once.value().to_bits(), repeated.value().to_bits(), "{m}");
        }
    }

    #[test]
    fn ties_and_cancellation_round_as_the_exact_sum_does() {
        let ulp = f64::EPSILON; // ulp of 1.0
        let sum = |v: &[f64]| {
            let mut s = ExactSum::new();
            v.iter().for_each(|&x| s.add(x));
            s.value()
        };
        // 1 + ulp/2 is a tie: to even (1.0); a tiny extra breaks it upward.
        assert_eq!(sum(&[1.0, ulp / 2.0]), 1.0);
        assert_eq!(sum(&[1.0, ulp / 2.0, 1e-300]), 1.0 + ulp);
        assert_eq!(sum(&[1.0, ulp / 2.0, -1e-300]), 1.0);
        // Naive summation loses the 1.0 here; the exact sum keeps it.
        assert_eq!(sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(1e100 + 1.0 - 1e100, 0.0);
        assert_eq!(sum(&[]), 0.0);
    }
}
