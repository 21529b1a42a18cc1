// The random bit generator behind every random stream of Economist.

/// xoshiro256**: 256 bits of state, 64 random bits per step, seeded through SplitMix64.
///
/// `Economy` (`EconomyRNG`) and `NN`/`RL` (`NNRandom`) wrap one of these and add their own
/// seed derivation and distributions, so their streams stay as they were when each module had
/// its own copy of the algorithm. A value type: copy it to fork a stream, store ``state`` to
/// resume one.
///
/// Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", 2018.
@frozen
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable, BitwiseCopyable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A generator whose four state words are the next four SplitMix64 outputs after `seed`.
  ///
  /// Four consecutive SplitMix64 outputs are never all zero, so the state is always valid.
  @inlinable
  public init(seed: UInt64) {
    var counter = seed
    s0 = Xoshiro256.splitMix64(&counter)
    s1 = Xoshiro256.splitMix64(&counter)
    s2 = Xoshiro256.splitMix64(&counter)
    s3 = Xoshiro256.splitMix64(&counter)
  }

  /// Restores a generator from a saved ``state``; nil unless `state` has four words, not all
  /// zero (the one state xoshiro cannot leave).
  @inlinable
  public init?(state: [UInt64]) {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
    (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
  }

  /// The four state words, for checkpoints and replay.
  @inlinable
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// The next 64 random bits.
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << 45) | (s3 >> 19)
    return result
  }

  /// Advances the SplitMix64 counter `x` and returns its next output (Steele, Lea and Flood,
  /// "Fast splittable pseudorandom number generators", 2014).
  @inlinable
  public static func splitMix64(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    return mix64(x)
  }

  /// SplitMix64's output function: a bijective 64-bit finalizer.
  @inlinable
  public static func mix64(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The state words without the array, for generators that mix them into a derived seed.
  @inlinable
  public var words: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }
}
