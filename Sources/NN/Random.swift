// The seeded random source of NN and RL: weight init, action sampling, minibatch shuffles.

import Foundation

/// A seeded xoshiro256** generator.
///
/// xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2021),
/// seeded through SplitMix64. Value type: copy it to fork, store it in checkpoints to resume.
public struct NNRandom: RandomNumberGenerator, Sendable, Equatable, Codable, BitwiseCopyable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// The four state words, for checkpoints.
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// Seeds the generator; equal seeds give equal streams.
  public init(seed: UInt64) {
    var s = seed
    var words: [UInt64] = []
    for _ in 0..<4 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      words.append(z ^ (z >> 31))
    }
    (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
  }

  /// Restores a generator from ``state``; nil unless it has 4 words, not all zero.
  public init?(state: [UInt64]) {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
    (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
  }

  /// A seed for sub-stream `stream` of `seed` (SplitMix64 of both), for independent streams.
  public static func derive(_ seed: UInt64, stream: UInt64) -> UInt64 {
    var z = seed &+ (stream &+ 1) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The next 64 random bits.
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

  /// A uniform float in [0, 1) with 24 random bits.
  public mutating func uniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A standard normal sample (Box–Muller).
  public mutating func normal() -> Float {
    let u1 = max(uniform(), 1e-12)
    let u2 = uniform()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Float.pi * u2)
  }
}

@inline(__always) private func _log(_ x: Float) -> Float { Float(Foundation.log(Double(x))) }
@inline(__always) private func _cos(_ x: Float) -> Float { Float(Foundation.cos(Double(x))) }
