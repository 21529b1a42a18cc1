// One policy's samples from one iteration, time-major, plus the sequences cut from them.

import Basics
import EnvContract

/// The samples of one policy over `steps` vectorized steps of `rows` agent rows.
///
/// Shapes (time-major, row `t · rows + n`): `observations` `[T × N × observationSize]`, `masks`
/// `[T × N × maskSize]`, `actions` `[T × N × actionWidth]`, `logp` (the old policy's
/// log-probabilities of every action, masked) `[T × N × logitCount]`, `actionLogp`, `values`,
/// `rewards`, `terminated`, `truncated`, `finalValues`, `advantages`, `targets` `[T × N]`,
/// `lastValues` `[N]`, `states` `[T × N × stateSize]` (read only where a sequence starts).
///
/// Recurrent models train on sequences of at most `sequenceLength` steps of one agent row that
/// start at a multiple of `sequenceLength` or at an episode's first step; feed-forward models use
/// sequences of length 1.
package final class Rollout {
  let steps: Int
  let rows: Int
  let observationSize: Int
  let maskSize: Int
  let actionWidth: Int
  let logitCount: Int
  let stateSize: Int
  let sequenceLength: Int
  let observations: FixedBuffer<Float>
  let masks: FixedBuffer<Float>
  let actions: FixedBuffer<Int32>
  let logp: FixedBuffer<Float>
  let actionLogp: FixedBuffer<Float>
  let values: FixedBuffer<Float>
  let rewards: FixedBuffer<Float>
  let terminated: FixedBuffer<UInt8>
  let truncated: FixedBuffer<UInt8>
  let finalValues: FixedBuffer<Float>
  let lastValues: FixedBuffer<Float>
  let advantages: FixedBuffer<Float>
  let targets: FixedBuffer<Float>
  let states: FixedBuffer<Float>
  /// Sequences as (first step, row, length), rebuilt by ``cutSequences()``.
  private(set) var sequences: [(step: Int, row: Int, length: Int)]

  init(
    steps: Int, rows: Int, observationSize: Int, maskSize: Int, actionWidth: Int, logitCount: Int, stateSize: Int,
    sequenceLength: Int
  ) {
    self.steps = steps
    self.rows = rows
    self.observationSize = observationSize
    self.maskSize = maskSize
    self.actionWidth = actionWidth
    self.logitCount = logitCount
    self.stateSize = stateSize
    self.sequenceLength = sequenceLength
    let n = steps * rows
    observations = FixedBuffer(count: n * observationSize)
    masks = FixedBuffer(count: n * maskSize)
    actions = FixedBuffer(count: n * actionWidth, repeating: 0)
    logp = FixedBuffer(count: n * logitCount)
    actionLogp = FixedBuffer(count: n)
    values = FixedBuffer(count: n)
    rewards = FixedBuffer(count: n)
    terminated = FixedBuffer(count: n, repeating: 0)
    truncated = FixedBuffer(count: n, repeating: 0)
    finalValues = FixedBuffer(count: n)
    lastValues = FixedBuffer(count: rows)
    advantages = FixedBuffer(count: n)
    targets = FixedBuffer(count: n)
    states = FixedBuffer(count: stateSize > 0 ? n * stateSize : 0)
    sequences = []
    sequences.reserveCapacity(rows * (steps / max(sequenceLength, 1) + 2))
  }

  /// Cuts the rollout into sequences: a new one starts every `sequenceLength` steps and after
  /// every episode end.
  func cutSequences() {
    sequences.removeAll(keepingCapacity: true)
    for n in 0..<rows {
      var start = 0
      for t in 0..<steps {
        let i = t * rows + n
        let isLast =
          t == steps - 1 || t - start + 1 == sequenceLength || terminated.pointer[i] != 0
          || truncated.pointer[i] != 0
        if isLast {
          sequences.append((start, n, t - start + 1))
          start = t + 1
        }
      }
    }
  }

  /// Computes advantages and value targets (GAE).
  func computeAdvantages(gamma: Double, lambda: Double) {
    GAE.compute(
      rewards: rewards.buffer, values: values.buffer, terminated: terminated.buffer, truncated: truncated.buffer,
      finalValues: finalValues.buffer, lastValues: lastValues.buffer, steps: steps, rows: rows, gamma: Float(gamma),
      lambda: Float(lambda), advantages: advantages.mutableBuffer, targets: targets.mutableBuffer)
  }

  /// Shifts and scales the advantages to mean 0 and standard deviation 1 over the whole
  /// rollout (RLlib's `standardize_fields: ["advantages"]`; the deviation is floored at 1e-4).
  func standardizeAdvantages() {
    let n = steps * rows
    var mean = 0.0
    for i in 0..<n { mean += Double(advantages.pointer[i]) }
    mean /= Double(max(n, 1))
    var variance = 0.0
    for i in 0..<n {
      let d = Double(advantages.pointer[i]) - mean
      variance += d * d
    }
    let std = (variance / Double(max(n, 1))).squareRoot()
    let scale = Float(1 / max(std, 1e-4))
    for i in 0..<n { advantages.pointer[i] = (advantages.pointer[i] - Float(mean)) * scale }
  }
}
