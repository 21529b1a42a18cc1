import Basics
import Foundation

/// The one random number generator of an environment: Basics' xoshiro256** (seeded through
/// SplitMix64) with Economy's stream derivation and numpy's distributions.
///
/// Every random draw in `Economy` goes through a value of this type, passed `inout`, so the same
/// config and seed give the same episode, byte for byte, in any process. Streams for independent
/// uses (sub-environments, layout generation) are derived with ``derived(stream:)``.
///
/// The distributions follow numpy's definitions (`pareto` is Lomax / Pareto II starting at 0,
/// `lognormal(mean:sigma:)` is `exp(N(mean, sigma))`), but the streams are our own: draws do not
/// equal numpy's for the same seed.
///
/// Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", 2018.
@frozen
public struct EconomyRNG: RandomNumberGenerator, Sendable, Equatable, Hashable {
  @usableFromInline var bits: Xoshiro256

  /// Creates a generator whose whole state derives from `seed`.
  public init(seed: UInt64) {
    bits = Xoshiro256(seed: seed)
  }

  /// The generator's full state, for checkpoints and replay.
  public var state: [UInt64] { bits.state }

  /// Restores a generator from a saved ``state``.
  ///
  /// Returns nil unless `state` has four words, not all zero.
  public init?(state: [UInt64]) {
    guard let bits = Xoshiro256(state: state) else { return nil }
    self.bits = bits
  }

  /// A seed for an independent stream, derived from `seed` and a stream number.
  public static func deriveSeed(_ seed: UInt64, stream: UInt64) -> UInt64 {
    var x = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
    _ = Xoshiro256.splitMix64(&x)
    return Xoshiro256.splitMix64(&x)
  }

  /// A new generator for an independent stream, derived from this generator's current state.
  public func derived(stream: UInt64) -> EconomyRNG {
    let (s0, s1, s2, s3) = bits.words
    return EconomyRNG(seed: EconomyRNG.deriveSeed(s0 ^ s2 ^ (s1 << 1) ^ (s3 >> 1), stream: stream))
  }

  /// The next 64 random bits.
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 { bits.next() }

  /// A uniform double in [0, 1) with 53 random bits (numpy's `rand()`).
  @inline(__always)
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform double in [low, high) (numpy's `uniform(low, high)`).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * uniform()
  }

  /// A uniform integer in 0..<bound, without modulo bias (Lemire's method).
  @inline(__always)
  public mutating func int(below bound: Int) -> Int {
    precondition(bound > 0, "EconomyRNG.int(below:) needs a positive bound, got \(bound)")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// A standard exponential draw, `-log(1 - U)`.
  public mutating func exponential() -> Double {
    -log1p(-uniform())
  }

  /// numpy's `pareto(a)`: a Lomax (Pareto II) draw, `exp(E / a) - 1`, which starts at 0.
  public mutating func pareto(_ a: Double) -> Double {
    expm1(exponential() / a)
  }

  /// A standard normal draw (Marsaglia's polar method; one draw per call, the pair's second
  /// value is discarded so that the stream does not depend on call history).
  public mutating func normal() -> Double {
    while true {
      let x = 2 * uniform() - 1
      let y = 2 * uniform() - 1
      let r2 = x * x + y * y
      if r2 > 0 && r2 < 1 { return x * (-2 * log(r2) / r2).squareRoot() }
    }
  }

  /// numpy's `lognormal(mean, sigma)`: `exp(mean + sigma * N(0, 1))`.
  public mutating func lognormal(mean: Double, sigma: Double) -> Double {
    exp(mean + sigma * normal())
  }

  /// Fills `order` with a uniformly random permutation of `0..<order.count` (Fisher–Yates).
  ///
  /// - Complexity: O(n), no allocation.
  public mutating func permutation(_ order: inout [Int32]) {
    let n = order.count
    for i in 0..<n { order[i] = Int32(i) }
    if n < 2 { return }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = int(below: i + 1)
      order.swapAt(i, j)
    }
  }
}
