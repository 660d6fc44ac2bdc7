//! A small seeded generator (SplitMix64): fast, and the same seed gives the same data.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A number in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A delay with a long tail: the median is `median`, and one in ten takes over three times as long.
    pub fn delay(&mut self, median: i64) -> i64 {
        let u = self.unit().max(1e-9);
        // Log-logistic with shape 2: median `median`, heavy right tail.
        let factor = (u / (1.0 - u)).sqrt();
        ((median as f64) * factor).clamp(median as f64 / 20.0, median as f64 * 12.0) as i64
    }
}
