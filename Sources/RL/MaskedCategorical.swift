// Masked (multi-)categorical action distributions over logits.

import EnvContract
import NN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One categorical distribution per sub-action over masked logits.
///
/// Masking follows Foundation's models: a disallowed action's logit gets −10⁷ added before the
/// log-softmax, so its probability is exactly 0 in float arithmetic and it is never sampled.
/// Action 0 (NO-OP) is always allowed by the environments' masks. A `Discrete(n)` action is the
/// case of one sub-action; a `MultiDiscrete(nvec)` action's log-probability and entropy are sums
/// over its sub-actions.
///
/// Shapes: a row of logits, mask and log-probabilities is `nvec` summed long, sub-actions
/// concatenated.
public enum MaskedCategorical {
  /// What a disallowed action's logit gets added.
  public static let maskedLogitPenalty: Float = -1e7

  /// Writes the masked log-softmax of one row of `logits` into `logp`.
  @inline(__always)
  package static func logSoftmax(
    logits: UnsafePointer<Float>, mask: UnsafePointer<Float>, nvec: [Int], logp: UnsafeMutablePointer<Float>
  ) {
    var base = 0
    for n in nvec {
      var top = -Float.infinity
      for j in base..<(base + n) {
        let z = logits[j] + (mask[j] > 0 ? 0 : maskedLogitPenalty)
        logp[j] = z
        top = max(top, z)
      }
      var sum: Float = 0
      for j in base..<(base + n) { sum += expf(logp[j] - top) }
      let shift = top + logf(sum)
      for j in base..<(base + n) { logp[j] -= shift }
      base += n
    }
  }

  /// Samples (or picks the most likely, when `greedy`) each sub-action from a row of
  /// log-probabilities; returns the summed log-probability of the choice.
  @inline(__always)
  package static func sample(
    logp: UnsafePointer<Float>, nvec: [Int], greedy: Bool, rng: inout NNRandom,
    into actions: UnsafeMutablePointer<Int32>
  ) -> Float {
    var base = 0
    var total: Float = 0
    for (k, n) in nvec.enumerated() {
      var choice = 0
      if greedy {
        for j in 1..<n where logp[base + j] > logp[base + choice] { choice = j }
      } else {
        let u = rng.uniform()
        var cumulative: Float = 0
        choice = -1
        for j in 0..<n {
          let p = expf(logp[base + j])
          guard p > 0 else { continue }
          cumulative += p
          choice = j
          if u < cumulative { break }
        }
        // No allowed action has a positive probability: the network gave NaN (the trainer stops
        // on non-finite weights; evaluation of such weights is refused when they are loaded).
        // NO-OP is always allowed.
        if choice < 0 { choice = 0 }
      }
      actions[k] = Int32(choice)
      total += logp[base + choice]
      base += n
    }
    return total
  }

  /// The summed entropy of a row of log-probabilities.
  @inline(__always)
  package static func entropy(logp: UnsafePointer<Float>, count: Int) -> Float {
    var h: Float = 0
    for j in 0..<count {
      let p = expf(logp[j])
      if p > 0 { h -= p * logp[j] }
    }
    return h
  }
}
