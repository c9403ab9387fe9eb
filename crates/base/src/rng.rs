//! Deterministic pseudo-random numbers and hashing, identical on every
//! platform and thread count.
//!
//! Both are SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom
//! number generators", OOPSLA 2014): the generator adds the golden-ratio
//! increment γ = 0x9E3779B97F4A7C15 to its state and returns [`mix64`] of it;
//! the finalizer `mix64` is a bijective 64-bit mix with full avalanche, used
//! alone as a hash.

/// The SplitMix64 finalizer:
/// `z = x + γ; z = (z ⊕ z≫30)·0xBF58476D1CE4E5B9; z = (z ⊕ z≫27)·0x94D049BB133111EB; z ⊕ z≫31`.
pub fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded SplitMix64 generator: the k-th output is `mix64(seed + (k-1)·γ)`.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        let x = self.0;
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(x)
    }

    /// Uniform in `[0, n)` (n > 0; modulo bias below 2^-40 for n < 2^24).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Two distinct values, each uniform in `[0, n)` (n ≥ 2).
    pub fn distinct_pair(&mut self, n: u64) -> (u64, u64) {
        let a = self.below(n);
        let b = self.below(n - 1);
        (a, b + u64::from(b >= a))
    }

    /// Uniform in `[0, 1)`: the top 53 bits over 2^53.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values of SplitMix64 seeded with 0 (the first outputs
    /// published with the algorithm's reference implementation).
    #[test]
    fn matches_the_reference_sequence() {
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn distinct_pairs_differ() {
        let mut r = SplitMix64::new(3);
        for _ in 0..1000 {
            let (a, b) = r.distinct_pair(2);
            assert_ne!(a, b);
        }
    }
}
