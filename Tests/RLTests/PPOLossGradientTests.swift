// The PPO loss's logit and value gradients against central differences of its total.

import EnvContract
import Foundation
import NN
import Testing

@testable import RL

@Suite("PPO loss gradient")
struct PPOLossGradientTests {
  /// Where the probability ratio r lies relative to the clip range [1 − ε, 1 + ε].
  enum Ratio: Sendable { case below, inside, above }

  /// Which term of `max((V − V̂)², (V_clip − V̂)²)` is in play.
  enum ValueBranch: Sendable {
    /// |V − V_old| < vf_clip: V_clip = V, both terms equal.
    case small
    /// V_clip ≠ V and the unclipped term is larger: the gradient flows.
    case unclipped
    /// V_clip ≠ V and the clipped term is larger: no gradient.
    case clipped
  }

  /// One row of loss inputs, chosen to land in given branches of the clipped terms.
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var nvec: [Int]
    var mask: [Float]
    var action: [Int32]
    var seed: UInt64
    /// Added to the sampling policy's logit of each taken sub-action: lowers the ratio.
    var oldShift: Float
    var advantage: Float
    var value: Float
    var oldValue: Float
    var target: Float
    var ratio: Ratio
    var valueBranch: ValueBranch
    var testDescription: String { name }
  }

  /// Entropy and KL coefficients larger than in training, so that each term is a sizable part of
  /// every logit's gradient.
  static let c = LossCoefficients(clip: 0.2, vfClip: 1, vfCoeff: 0.5, entropyCoeff: 0.4, klCoeff: 0.6, scale: 0.5)

  /// Discrete(5) with actions 1 and 4 masked; action 2 taken.
  static let discrete: (nvec: [Int], mask: [Float], action: [Int32]) = ([5], [1, 0, 1, 1, 0], [2])
  /// MultiDiscrete([3, 4]) with one action of each masked; actions (1, 3) taken.
  static let multi: (nvec: [Int], mask: [Float], action: [Int32]) = ([3, 4], [1, 1, 0, 1, 0, 1, 1], [1, 3])

  static let cases: [Case] = [
    Case(
      name: "Discrete, A > 0, r inside, small value step", nvec: discrete.nvec, mask: discrete.mask,
      action: discrete.action, seed: 1, oldShift: 0.3, advantage: 0.8, value: 0.4, oldValue: 0.1, target: -0.6,
      ratio: .inside, valueBranch: .small),
    Case(
      name: "Discrete, A > 0, r > 1 + ε (surrogate clipped), unclipped value term", nvec: discrete.nvec,
      mask: discrete.mask, action: discrete.action, seed: 2, oldShift: -2.2, advantage: 1.3, value: 2, oldValue: 0,
      target: 0.5, ratio: .above, valueBranch: .unclipped),
    Case(
      name: "Discrete, A < 0, r < 1 − ε (surrogate clipped), clipped value term", nvec: discrete.nvec,
      mask: discrete.mask, action: discrete.action, seed: 3, oldShift: 1, advantage: -0.9, value: 2, oldValue: 0,
      target: 3, ratio: .below, valueBranch: .clipped),
    Case(
      name: "MultiDiscrete, A < 0, r inside, clipped value term", nvec: multi.nvec, mask: multi.mask,
      action: multi.action, seed: 4, oldShift: -0.15, advantage: -1.1, value: -1.8, oldValue: 0.2, target: -3.5,
      ratio: .inside, valueBranch: .clipped),
    Case(
      name: "MultiDiscrete, A < 0, r > 1 + ε (surrogate unclipped), small value step", nvec: multi.nvec,
      mask: multi.mask, action: multi.action, seed: 5, oldShift: -2.2, advantage: -0.7, value: -0.2, oldValue: 0.3,
      target: 0.9, ratio: .above, valueBranch: .small),
    Case(
      name: "MultiDiscrete, A > 0, r < 1 − ε (surrogate unclipped), unclipped value term", nvec: multi.nvec,
      mask: multi.mask, action: multi.action, seed: 6, oldShift: 1.5, advantage: 1.2, value: 1.5, oldValue: -0.5,
      target: 0.7, ratio: .below, valueBranch: .unclipped),
  ]

  /// The masked log-softmax of one row, as an array.
  static func logSoftmax(_ logits: [Float], mask: [Float], nvec: [Int]) -> [Float] {
    var logp = [Float](repeating: 0, count: logits.count)
    MaskedCategorical.logSoftmax(logits: logits, mask: mask, nvec: nvec, logp: &logp)
    return logp
  }

  /// The summed log-probability of the case's action under `logp`.
  static func actionLogp(_ logp: [Float], _ t: Case) -> Float {
    var base = 0
    var total: Float = 0
    for (k, n) in t.nvec.enumerated() {
      total += logp[base + Int(t.action[k])]
      base += n
    }
    return total
  }

  /// The case lands in its intended branches, away from the kinks of the clipped terms.
  static func expectBranches(_ t: Case, ratio r: Float) throws {
    let region: Ratio = r < 1 - c.clip ? .below : (r > 1 + c.clip ? .above : .inside)
    #expect(region == t.ratio, "ratio \(r)")
    try #require(abs(abs(r - 1) - c.clip) > 0.03, "ratio \(r) too close to 1 ± \(c.clip)")
    let delta = t.value - t.oldValue
    try #require(abs(abs(delta) - c.vfClip) > 0.05)
    let clippedValue = t.oldValue + min(max(delta, -c.vfClip), c.vfClip)
    let vl1 = (t.value - t.target) * (t.value - t.target)
    let vl2 = (clippedValue - t.target) * (clippedValue - t.target)
    let branch: ValueBranch = abs(delta) < c.vfClip ? .small : (vl1 > vl2 ? .unclipped : .clipped)
    #expect(branch == t.valueBranch, "value terms \(vl1), \(vl2)")
    if branch != .small { try #require(abs(vl1 - vl2) > 0.05) }
  }

  /// `dLogits` and `dValue` of ``PPOLoss/row`` match central differences of `scale · total`.
  ///
  /// `sums.total` accumulates the unscaled row loss (−surrogate + β·KL + c_v·value loss −
  /// c_H·H), while the written gradients are already multiplied by `c.scale`, so the scalar
  /// differentiated here is `c.scale · total`. Masked logits must get exactly zero.
  @Test(arguments: cases)
  func rowGradient(_ t: Case) throws {
    let c = Self.c
    let count = t.nvec.reduce(0, +)
    let logits = randomValues(count, seed: t.seed, scale: 1.5)
    var oldLogits = randomValues(count, seed: t.seed + 100, scale: 1.5)
    var base = 0
    for (k, n) in t.nvec.enumerated() {
      oldLogits[base + Int(t.action[k])] += t.oldShift
      base += n
    }
    let oldLogp = Self.logSoftmax(oldLogits, mask: t.mask, nvec: t.nvec)
    let oldActionLogp = Self.actionLogp(oldLogp, t)
    let logp = Self.logSoftmax(logits, mask: t.mask, nvec: t.nvec)
    try Self.expectBranches(t, ratio: exp(Self.actionLogp(logp, t) - oldActionLogp))

    // x = logits ++ [value].
    func evaluate(_ x: [Float]) -> (loss: Double, dLogits: [Float], dValue: Float) {
      var dLogits = [Float](repeating: .nan, count: count)
      var scratch = [Float](repeating: 0, count: count)
      var dValue: Float = .nan
      var sums = LossSums()
      PPOLoss.row(
        logits: x, mask: t.mask, action: t.action, oldLogp: oldLogp, oldActionLogp: oldActionLogp,
        advantage: t.advantage, value: x[count], oldValue: t.oldValue, target: t.target, nvec: t.nvec, c: c,
        scratch: &scratch, dLogits: &dLogits, dValue: &dValue, sums: &sums)
      return (Double(c.scale) * sums.total, dLogits, dValue)
    }

    let x = logits + [t.value]
    let (_, dLogits, dValue) = evaluate(x)
    let check = FiniteDifference()
    for j in 0..<count {
      if t.mask[j] > 0 {
        check.expectDerivative(dLogits[j], of: { evaluate($0).loss }, at: x, index: j, "logit \(j)")
      } else {
        #expect(dLogits[j] == 0, "masked logit \(j) has gradient \(dLogits[j])")
      }
    }
    check.expectDerivative(dValue, of: { evaluate($0).loss }, at: x, index: count, "value")
    if t.valueBranch == .clipped { #expect(dValue == 0) }
  }
}
