// The PPO loss of one row and its gradient with respect to the logits and the value
// (Schulman et al. 2017, "Proximal policy optimization algorithms"), as RLlib 0.8 computes it.

import EnvContract
import NN

/// Sums of per-row loss terms over a minibatch shard.
package struct LossSums: Sendable {
  var rows = 0.0
  var policyLoss = 0.0
  var valueLoss = 0.0
  var entropy = 0.0
  var kl = 0.0
  var approxKL = 0.0
  var clipped = 0.0
  var total = 0.0
  var target = 0.0
  var targetSquared = 0.0
  var residual = 0.0
  var residualSquared = 0.0

  mutating func add(_ o: LossSums) {
    rows += o.rows
    policyLoss += o.policyLoss
    valueLoss += o.valueLoss
    entropy += o.entropy
    kl += o.kl
    approxKL += o.approxKL
    clipped += o.clipped
    total += o.total
    target += o.target
    targetSquared += o.targetSquared
    residual += o.residual
    residualSquared += o.residualSquared
  }

  /// 1 − Var(target − value) / Var(target), RLlib's explained variance (−1 when undefined).
  var explainedVariance: Double {
    guard rows > 0 else { return 0 }
    let varTarget = targetSquared / rows - (target / rows) * (target / rows)
    let varResidual = residualSquared / rows - (residual / rows) * (residual / rows)
    return varTarget > 0 ? max(-1, 1 - varResidual / varTarget) : -1
  }
}

/// The coefficients of one minibatch's loss.
package struct LossCoefficients: Sendable {
  var clip: Float
  var vfClip: Float
  var vfCoeff: Float
  var entropyCoeff: Float
  var klCoeff: Float
  /// 1 / (valid rows in the whole minibatch).
  var scale: Float
}

/// The PPO loss with RLlib 0.8's clipped value loss.
///
/// Per row:
/// `loss = −min(r·A, clip(r, 1−ε, 1+ε)·A) + β·KL(old‖new) + c_v·max((V−V̂)², (V_clip−V̂)²) − c_H·H`,
/// where r = π(a|s)/π_old(a|s), `V_clip = V_old + clip(V − V_old, ±vf_clip_param)` and H is the
/// summed entropy of the masked sub-distributions. Means are over valid rows of the minibatch.
enum PPOLoss {
  /// Adds one row's terms to `sums` and writes its logit and value gradients (already scaled).
  ///
  /// `oldLogp` holds the sampling policy's masked log-probabilities of every action; `scratch`
  /// is `logitCount` floats of work space; `dLogits` and `dValue` receive the gradients.
  @inline(__always)
  static func row(
    logits: UnsafePointer<Float>, mask: UnsafePointer<Float>, action: UnsafePointer<Int32>,
    oldLogp: UnsafePointer<Float>, oldActionLogp: Float, advantage: Float, value: Float, oldValue: Float,
    target: Float, nvec: [Int], c: LossCoefficients, scratch: UnsafeMutablePointer<Float>,
    dLogits: UnsafeMutablePointer<Float>, dValue: UnsafeMutablePointer<Float>, sums: inout LossSums
  ) {
    MaskedCategorical.logSoftmax(logits: logits, mask: mask, nvec: nvec, logp: scratch)
    var logpAction: Float = 0
    var base = 0
    for (k, n) in nvec.enumerated() {
      logpAction += scratch[base + Int(action[k])]
      base += n
    }
    let logRatio = logpAction - oldActionLogp
    let ratio = expf(logRatio)
    let surr1 = ratio * advantage
    let surr2 = min(max(ratio, 1 - c.clip), 1 + c.clip) * advantage
    let surrogate = min(surr1, surr2)
    let active = surr1 <= surr2
    // Value loss with RLlib 0.8's clipping around the old prediction.
    let vl1 = (value - target) * (value - target)
    let delta = value - oldValue
    let clippedValue = oldValue + min(max(delta, -c.vfClip), c.vfClip)
    let vl2 = (clippedValue - target) * (clippedValue - target)
    let valueLoss = max(vl1, vl2)
    if vl1 >= vl2 {
      dValue.pointee = c.scale * c.vfCoeff * 2 * (value - target)
    } else {
      dValue.pointee = abs(delta) < c.vfClip ? c.scale * c.vfCoeff * 2 * (clippedValue - target) : 0
    }
    // Entropy and KL per sub-distribution, and the logit gradients.
    var entropy: Float = 0
    var kl: Float = 0
    let policyGrad = active ? -ratio * advantage : 0
    base = 0
    for (k, n) in nvec.enumerated() {
      var h: Float = 0
      for j in base..<(base + n) {
        let p = expf(scratch[j])
        if p > 0 { h -= p * scratch[j] }
        let po = expf(oldLogp[j])
        if po > 0 { kl += po * (oldLogp[j] - scratch[j]) }
      }
      entropy += h
      let a = base + Int(action[k])
      for j in base..<(base + n) {
        let p = expf(scratch[j])
        let po = expf(oldLogp[j])
        var g = policyGrad * ((j == a ? 1 : 0) - p) + c.klCoeff * (p - po)
        if p > 0 { g += c.entropyCoeff * p * (scratch[j] + h) }
        dLogits[j] = c.scale * g
      }
      base += n
    }
    sums.rows += 1
    sums.policyLoss += Double(-surrogate)
    sums.valueLoss += Double(valueLoss)
    sums.entropy += Double(entropy)
    sums.kl += Double(kl)
    sums.approxKL += Double((ratio - 1) - logRatio)
    sums.clipped += abs(ratio - 1) > c.clip ? 1 : 0
    sums.total += Double(-surrogate + c.klCoeff * kl + c.vfCoeff * valueLoss - c.entropyCoeff * entropy)
    sums.target += Double(target)
    sums.targetSquared += Double(target * target)
    sums.residual += Double(target - value)
    sums.residualSquared += Double((target - value) * (target - value))
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
