// The seeded random source of NN and RL: weight init, action sampling, minibatch shuffles.

import Basics
import Foundation

/// A seeded generator for networks and training: Basics' xoshiro256** with NN's stream
/// derivation and float distributions.
///
/// Value type: copy it to fork, store ``state`` in checkpoints to resume.
@frozen
public struct NNRandom: RandomNumberGenerator, Sendable, Equatable, BitwiseCopyable {
  @usableFromInline var bits: Xoshiro256

  /// The four state words, for checkpoints.
  public var state: [UInt64] { bits.state }

  /// Seeds the generator; equal seeds give equal streams.
  public init(seed: UInt64) {
    bits = Xoshiro256(seed: seed)
  }

  /// Restores a generator from ``state``; nil unless it has 4 words, not all zero.
  public init?(state: [UInt64]) {
    guard let bits = Xoshiro256(state: state) else { return nil }
    self.bits = bits
  }

  /// A seed for sub-stream `stream` of `seed` (SplitMix64 of both), for independent streams.
  public static func derive(_ seed: UInt64, stream: UInt64) -> UInt64 {
    Xoshiro256.mix64(seed &+ (stream &+ 1) &* 0x9E37_79B9_7F4A_7C15)
  }

  /// The next 64 random bits.
  @inlinable @inline(__always)
  public mutating func next() -> UInt64 { bits.next() }

  /// A uniform float in [0, 1) with 24 random bits.
  @inlinable
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
