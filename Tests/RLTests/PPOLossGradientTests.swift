// The PPO loss's logit and value gradients against central differences of its total.

import Foundation
import NN
import Testing

@testable import RL

@Suite("PPO loss gradient")
struct PPOLossGradientTests {
  /// One row of loss inputs, chosen to land in a given branch of each clipped term.
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var nvec: [Int]
    var mask: [Float]
    var action: [Int32]
    var seed: UInt64
    /// Added to the sampling policy's logit of each taken sub-action: moves the ratio below 1.
    var oldShift: Float
    var advantage: Float
    var value: Float
    var oldValue: Float
    var target: Float
    /// Whether |r − 1| > ε, so the clipped surrogate is in play.
    var ratioOutside: Bool
    /// Whether |V − V_old| > vf_clip, so the clipped value is in play.
    var valueOutside: Bool
    var testDescription: String { name }
  }

  static let c = LossCoefficients(clip: 0.2, vfClip: 1, vfCoeff: 0.5, entropyCoeff: 0.03, klCoeff: 0.3, scale: 0.25)

  static let discrete: (nvec: [Int], mask: [Float], action: [Int32]) = ([5], [1, 0, 1, 1, 0], [2])
  static let multi: (nvec: [Int], mask: [Float], action: [Int32]) = ([3, 4], [1, 1, 0, 1, 0, 1, 1], [1, 3])

  static let cases: [Case] = [
    Case(
      name: "Discrete, A > 0, ratio inside, small value step", nvec: discrete.nvec, mask: discrete.mask,
      action: discrete.action, seed: 1, oldShift: 0, advantage: 0.8, value: 0.4, oldValue: 0.1, target: -0.6,
      ratioOutside: false, valueOutside: false),
    Case(
      name: "Discrete, A > 0, ratio above 1 + ε (clipped), unclipped value loss larger", nvec: discrete.nvec,
      mask: discrete.mask, action: discrete.action, seed: 2, oldShift: -1, advantage: 1.3, value: 2, oldValue: 0,
      target: 0.5, ratioOutside: true, valueOutside: true),
    Case(
      name: "Discrete, A < 0, ratio below 1 − ε (clipped), clipped value loss larger", nvec: discrete.nvec,
      mask: discrete.mask, action: discrete.action, seed: 3, oldShift: 1, advantage: -0.9, value: 2, oldValue: 0,
      target: 3, ratioOutside: true, valueOutside: true),
    Case(
      name: "MultiDiscrete, A < 0, ratio inside, clipped value loss larger", nvec: multi.nvec, mask: multi.mask,
      action: multi.action, seed: 4, oldShift: 0, advantage: -1.1, value: -1.8, oldValue: 0.2, target: -3.5,
      ratioOutside: false, valueOutside: true),
    Case(
      name: "MultiDiscrete, A < 0, ratio above 1 + ε (unclipped), small value step", nvec: multi.nvec,
      mask: multi.mask, action: multi.action, seed: 5, oldShift: -0.6, advantage: -0.7, value: -0.2, oldValue: 0.3,
      target: 0.9, ratioOutside: true, valueOutside: false),
    Case(
      name: "MultiDiscrete, A > 0, ratio below 1 − ε (unclipped), unclipped value loss larger", nvec: multi.nvec,
      mask: multi.mask, action: multi.action, seed: 6, oldShift: 0.6, advantage: 1.2, value: 1.5, oldValue: -0.5,
      target: 0.7, ratioOutside: true, valueOutside: true),
  ]

  /// The masked log-softmax of one row, as an array.
  static func logSoftmax(_ logits: [Float], mask: [Float], nvec: [Int]) -> [Float] {
    var logp = [Float](repeating: 0, count: logits.count)
    logp.withUnsafeMutableBufferPointer {
      MaskedCategorical.logSoftmax(logits: logits, mask: mask, nvec: nvec, logp: $0.baseAddress!)
    }
    return logp
  }

  /// `dLogits` and `dValue` of ``PPOLoss/row`` match central differences of `scale · total`.
  ///
  /// `sums.total` accumulates the unscaled row loss; the gradients are already multiplied by
  /// `c.scale`, so the scalar differentiated here is `c.scale · total`.
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
    let logp = Self.logSoftmax(logits, mask: t.mask, nvec: t.nvec)
    var oldActionLogp: Float = 0
    var logpAction: Float = 0
    base = 0
    for (k, n) in t.nvec.enumerated() {
      oldActionLogp += oldLogp[base + Int(t.action[k])]
      logpAction += logp[base + Int(t.action[k])]
      base += n
    }
    // The case must sit in its intended branch, and away from the clip kinks.
    let ratio = exp(logpAction - oldActionLogp)
    #expect((abs(ratio - 1) > c.clip) == t.ratioOutside, "ratio \(ratio)")
    try #require(abs(abs(ratio - 1) - c.clip) > 0.03, "ratio \(ratio) too close to 1 ± \(c.clip)")
    #expect((abs(t.value - t.oldValue) > c.vfClip) == t.valueOutside)
    try #require(abs(abs(t.value - t.oldValue) - c.vfClip) > 0.05)

    // x = logits ++ [value].
    func evaluate(_ x: [Float]) -> (loss: Double, dLogits: [Float], dValue: Float) {
      var dLogits = [Float](repeating: .nan, count: count)
      var scratch = [Float](repeating: 0, count: count)
      var dValue: Float = .nan
      var sums = LossSums()
      dLogits.withUnsafeMutableBufferPointer { pd in
        scratch.withUnsafeMutableBufferPointer { ps in
          PPOLoss.row(
            logits: x, mask: t.mask, action: t.action, oldLogp: oldLogp, oldActionLogp: oldActionLogp,
            advantage: t.advantage, value: x[count], oldValue: t.oldValue, target: t.target, nvec: t.nvec, c: c,
            scratch: ps.baseAddress!, dLogits: pd.baseAddress!, dValue: &dValue, sums: &sums)
        }
      }
      #expect(sums.rows == 1)
      return (Double(c.scale) * sums.total, dLogits, dValue)
    }

    let x = logits + [t.value]
    let (_, dLogits, dValue) = evaluate(x)
    let check = FiniteDifference()
    for j in 0..<count {
      if t.mask[j] > 0 {
        check.expectClose(dLogits[j], check.derivative(of: { evaluate($0).loss }, at: x, index: j), "logit \(j)")
      } else {
        #expect(dLogits[j] == 0, "masked logit \(j) has gradient \(dLogits[j])")
      }
    }
    check.expectClose(dValue, check.derivative(of: { evaluate($0).loss }, at: x, index: count), "value")
  }
}
