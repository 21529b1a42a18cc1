// GAE against a plain loop, and masked sampling.

import EnvContract
import NN
import Testing

@testable import RL

@Suite("GAE and masked sampling")
struct GAETests {
  /// The textbook recursion, one row at a time, written independently of the library.
  func reference(
    rewards: [Float], values: [Float], terminated: [UInt8], truncated: [UInt8], finalValues: [Float],
    lastValues: [Float], steps: Int, rows: Int, gamma: Double, lambda: Double
  ) -> [Double] {
    var out = [Double](repeating: 0, count: steps * rows)
    for n in 0..<rows {
      var running = 0.0
      for t in (0..<steps).reversed() {
        let i = t * rows + n
        var next: Double
        if t == steps - 1 { next = Double(lastValues[n]) } else { next = Double(values[i + rows]) }
        if truncated[i] == 1 { next = Double(finalValues[i]) }
        if terminated[i] == 1 { next = 0 }
        let done = terminated[i] == 1 || truncated[i] == 1
        if done { running = 0 }
        running = Double(rewards[i]) + gamma * next - Double(values[i]) + gamma * lambda * running
        out[i] = running
      }
    }
    return out
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func matchesPlainLoop(seed: UInt64) {
    var rng = NNRandom(seed: seed)
    let (steps, rows) = (37, 5)
    let n = steps * rows
    let rewards = (0..<n).map { _ in rng.uniform() * 2 - 1 }
    let values = (0..<n).map { _ in rng.uniform() * 4 - 2 }
    let terminated = (0..<n).map { _ in UInt8(rng.uniform() < 0.05 ? 1 : 0) }
    let truncated = (0..<n).map { i in terminated[i] == 0 && rng.uniform() < 0.05 ? UInt8(1) : 0 }
    let finalValues = (0..<n).map { _ in rng.uniform() * 3 }
    let lastValues = (0..<rows).map { _ in rng.uniform() }
    let (advantages, targets) = GAE.compute(
      rewards: rewards, values: values, terminated: terminated, truncated: truncated, finalValues: finalValues,
      lastValues: lastValues, steps: steps, rows: rows, gamma: 0.97, lambda: 0.9)
    let expected = reference(
      rewards: rewards, values: values, terminated: terminated, truncated: truncated, finalValues: finalValues,
      lastValues: lastValues, steps: steps, rows: rows, gamma: 0.97, lambda: 0.9)
    for i in 0..<n {
      #expect(abs(Double(advantages[i]) - expected[i]) <= 1e-4 * max(1, abs(expected[i])), "row \(i)")
      #expect(abs(Double(targets[i]) - (expected[i] + Double(values[i]))) <= 1e-4 * max(1, abs(expected[i])))
    }
  }

  @Test func truncationBootstrapsTerminationDoesNot() {
    // One row, two steps; the first step ends an episode.
    let common: (rewards: [Float], values: [Float]) = ([1, 0], [0.5, 0.25])
    let term = GAE.compute(
      rewards: common.rewards, values: common.values, terminated: [1, 0], truncated: [0, 0], finalValues: [10, 0],
      lastValues: [0], steps: 2, rows: 1, gamma: 0.5, lambda: 1)
    let trunc = GAE.compute(
      rewards: common.rewards, values: common.values, terminated: [0, 0], truncated: [1, 0], finalValues: [10, 0],
      lastValues: [0], steps: 2, rows: 1, gamma: 0.5, lambda: 1)
    #expect(abs(term.advantages[0] - 0.5) < 1e-6)  // 1 − 0.5
    #expect(abs(trunc.advantages[0] - 5.5) < 1e-6)  // 1 + 0.5 · 10 − 0.5
  }

  @Test func maskedSamplingNeverPicksADisallowedAction() {
    let nvec = [6, 4]
    let logits: [Float] = [5, 4, 3, 9, 1, 0, 2, 8, 8, 1]
    let mask: [Float] = [1, 0, 1, 0, 1, 0, 1, 0, 1, 1]
    var logp = [Float](repeating: 0, count: 10)
    var rng = NNRandom(seed: 4)
    var counts = [Int](repeating: 0, count: 10)
    logits.withUnsafeBufferPointer { l in
      mask.withUnsafeBufferPointer { m in
        logp.withUnsafeMutableBufferPointer { lp in
          guard let l = l.baseAddress, let m = m.baseAddress, let lp = lp.baseAddress else { return }
          MaskedCategorical.logSoftmax(logits: l, mask: m, nvec: nvec, logp: lp)
          var action: [Int32] = [0, 0]
          for _ in 0..<5000 {
            action.withUnsafeMutableBufferPointer { a in
              guard let a = a.baseAddress else { return }
              _ = MaskedCategorical.sample(logp: lp, nvec: nvec, greedy: false, rng: &rng, into: a)
            }
            counts[Int(action[0])] += 1
            counts[6 + Int(action[1])] += 1
          }
        }
      }
    }
    for j in 0..<10 where mask[j] == 0 { #expect(counts[j] == 0, "disallowed action \(j) sampled") }
    // Allowed actions are sampled in proportion to their probabilities (e^5 ≫ e^3 ≫ e^1).
    #expect(counts[0] > counts[2] && counts[2] > counts[4] && counts[4] > 0)
    #expect(counts[8] > counts[9] && counts[6] > 0)
  }
}
