// One policy's learner: its network replicas, parameters, optimizer and minibatch epochs.

import Basics
import EnvContract
import NN

/// Diagnostics of one policy's update, averaged over its minibatches (RLlib's learner stats).
public struct LearnerStats: Sendable, Equatable, Codable {
  /// Mean clipped surrogate loss (negated).
  public var policyLoss = 0.0
  /// Mean value loss.
  public var valueLoss = 0.0
  /// Mean summed entropy of the masked action distributions.
  public var entropy = 0.0
  /// Mean KL(old ‖ new) of the action distributions.
  public var kl = 0.0
  /// cleanrl's estimator mean((r − 1) − log r).
  public var approxKL = 0.0
  /// Fraction of rows whose ratio left [1 − ε, 1 + ε].
  public var clipFraction = 0.0
  /// Mean total loss.
  public var totalLoss = 0.0
  /// Explained variance of the value targets by the value head.
  public var explainedVariance = 0.0
  /// The learning rate used.
  public var lr = 0.0
  /// The entropy coefficient used.
  public var entropyCoeff = 0.0
  /// The KL coefficient used (after this iteration's adaptation).
  public var klCoeff = 0.0
  /// Mean gradient global norm before clipping.
  public var gradNorm = 0.0
  /// Agent steps trained on.
  public var agentSteps = 0
}

/// The learner of one policy: one network replica per thread sharing one parameter slab, one
/// gradient slab per shard, Adam, and the adaptive KL coefficient.
///
/// An update runs `num_sgd_iter` epochs of shuffled minibatches of sequences; each minibatch is
/// split into `shards` contiguous parts whose gradients are computed in parallel (each
/// thread a contiguous run of shards) and summed in shard order. The results depend on the shard
/// count, which is part of the config, and never on the thread count or timing: a run repeats
/// exactly on a machine with another number of cores.
package final class PPOLearner {
  let policy: PolicyID
  let spec: PolicyBatchSpec
  var config: PolicyConfig
  let nvec: [Int]
  let replicas: [PolicyModel]
  let parameters: FloatBuffer
  let gradients: [FloatBuffer]
  let adam: Adam
  var klCoeff: Double
  let shardCapacity: Int
  let shards: [ShardBuffers]
  /// Log-probability scratch per thread, for sampling without a rollout.
  let samplingScratch: [FixedBuffer<Float>]

  /// Minibatch storage of one shard.
  final class ShardBuffers {
    let observations: FixedBuffer<Float>
    let masks: FixedBuffer<Float>
    let actions: FixedBuffer<Int32>
    let oldLogp: FixedBuffer<Float>
    let actionLogp: FixedBuffer<Float>
    let oldValues: FixedBuffer<Float>
    let advantages: FixedBuffer<Float>
    let targets: FixedBuffer<Float>
    let valid: FixedBuffer<UInt8>
    let states: FixedBuffer<Float>
    let scratch: FixedBuffer<Float>
    var sums = LossSums()

    init(rows: Int, sequences: Int, spec: PolicyBatchSpec, logitCount: Int, stateSize: Int) {
      observations = FixedBuffer(count: rows * spec.observationSize)
      masks = FixedBuffer(count: rows * spec.maskSize)
      actions = FixedBuffer(count: rows * spec.actionWidth, repeating: 0)
      oldLogp = FixedBuffer(count: rows * logitCount)
      actionLogp = FixedBuffer(count: rows)
      oldValues = FixedBuffer(count: rows)
      advantages = FixedBuffer(count: rows)
      targets = FixedBuffer(count: rows)
      valid = FixedBuffer(count: rows, repeating: 0)
      states = FixedBuffer(count: sequences * stateSize)
      scratch = FixedBuffer(count: logitCount)
    }
  }

  /// What a learner is built from: its policy, the batch it learns from, and how its work is split.
  struct Shape {
    var policy: PolicyID
    var config: PolicyConfig
    var spec: PolicyBatchSpec
    /// Network replicas, one per thread.
    var threads: Int
    /// Gradient shards per minibatch.
    var shards: Int
    /// The most rows of one sampling chunk.
    var samplingRows: Int
    /// Sequences per minibatch (rows for feed-forward models).
    var minibatchSequences: Int

    /// Sub-action sizes (one entry for a `Discrete` action).
    var nvec: [Int] {
      switch spec.actionSpace {
      case .multiDiscrete(let v): v
      case .discrete(let n): [n]
      default: [spec.actionWidth]
      }
    }
    /// Truncated-BPTT length (1 for feed-forward models).
    var sequenceLength: Int { config.model.kind == .kerasConvLSTM ? config.model.maxSeqLen : 1 }
    /// Sequences of one shard's minibatch part.
    var shardSequences: Int { (minibatchSequences + shards - 1) / shards }
    /// Rows of one shard's minibatch part.
    var shardCapacity: Int { shardSequences * sequenceLength }
    /// Rows each replica holds buffers for.
    var capacity: Int { max(samplingRows, shardCapacity) }

    /// A replica with no row buffers, for its parameter layout and sizes.
    func probe() -> PolicyModel {
      PolicyModel(config: config.model, parts: ObservationParts(fields: spec.fields), nvec: nvec, capacity: 0)
    }

    /// The bytes a learner of this shape allocates, without allocating them: weights, Adam's two
    /// moments and one gradient per shard; each replica's row buffers; each shard's minibatch.
    func estimatedBytes() -> Double {
      let model = probe()
      let logits = Double(model.logitCount)
      let parameters = 4 * Double(model.layout.count) * Double(3 + shards)
      let replicas = 4 * Double(threads) * (Double(capacity) * Double(model.floatsPerRow) + logits)
      // Observation, mask, actions, old log-probabilities, and 4 scalars at 4 bytes; a valid byte.
      let row = 4 * (Double(spec.observationSize + spec.maskSize + spec.actionWidth) + logits + 4) + 1
      let shard = Double(shardCapacity) * row + 4 * (Double(shardSequences * model.stateSize) + logits)
      return parameters + replicas + Double(shards) * shard
    }
  }

  /// Builds the learner.
  init(_ shape: Shape, seed: UInt64) {
    policy = shape.policy
    spec = shape.spec
    config = shape.config
    nvec = shape.nvec
    let spec = shape.spec
    let shardSequences = shape.shardSequences
    let shardCapacity = shape.shardCapacity
    self.shardCapacity = shardCapacity
    let capacity = shape.capacity
    let nvec = self.nvec
    let parts = ObservationParts(fields: spec.fields)
    let replicas = (0..<shape.threads).map { _ in
      PolicyModel(config: shape.config.model, parts: parts, nvec: nvec, capacity: capacity)
    }
    self.replicas = replicas
    let layout = replicas[0].layout
    parameters = FloatBuffer(count: layout.count)
    var rng = NNRandom(seed: seed)
    layout.initialize(parameters, rng: &rng)
    gradients = (0..<shape.shards).map { _ in FloatBuffer(count: layout.count) }
    adam = Adam(count: layout.count)
    klCoeff = shape.config.klCoeff
    let logits = nvec.reduce(0, +)
    shards = (0..<shape.shards).map { _ in
      ShardBuffers(
        rows: shardCapacity, sequences: shardSequences, spec: spec, logitCount: logits,
        stateSize: replicas[0].stateSize)
    }
    samplingScratch = (0..<shape.threads).map { _ in FixedBuffer(count: logits) }
  }

  var layout: ParameterLayout { replicas[0].layout }
  var model: PolicyModel { replicas[0] }

  // MARK: - Update

  /// Runs the epochs of minibatches over `rollout` and returns the averaged diagnostics.
  ///
  /// Reading order: advantages (GAE, then standardized over the rollout) → this iteration's
  /// learning rate and loss coefficients → `num_sgd_iter` epochs of shuffled minibatches, each one
  /// ``minibatch(_:_:coefficients:lr:pool:)`` (forward, loss, backward per shard, then one Adam
  /// step) → averaged statistics → RLlib's adaptive KL coefficient for the next iteration.
  func update(
    _ rollout: Rollout, trainer: TrainerConfig, envSteps: Int, rng: inout NNRandom, pool: WorkerPool
  ) -> LearnerStats {
    rollout.cutSequences()
    rollout.computeAdvantages(gamma: config.gamma, lambda: config.useGAE ? config.lambda : 1)
    rollout.standardizeAdvantages()
    let lr = config.lr(at: envSteps)
    let entropyCoeff = config.entropyCoeff(at: envSteps)
    let coefficients = LossCoefficients(
      clip: Float(config.clipParam), vfClip: Float(config.vfClipParam), vfCoeff: Float(config.vfLossCoeff),
      entropyCoeff: Float(entropyCoeff), klCoeff: Float(klCoeff), scale: 1)
    let sequences = rollout.sequences.count
    let perMinibatch = max(1, shards.count * (shardCapacity / model.sequenceLength))
    var order = Array(0..<sequences)
    var minibatches = 0
    var total = LossSums()
    var gradNorms = 0.0
    for _ in 0..<trainer.numSGDIter {
      if trainer.shuffleSequences { order.shuffle(using: &rng) }
      var start = 0
      while start < sequences {
        let end = min(start + perMinibatch, sequences)
        let (sums, norm) = minibatch(rollout, order[start..<end], coefficients: coefficients, lr: lr, pool: pool)
        total.add(sums)
        gradNorms += norm
        minibatches += 1
        start = end
      }
    }
    var stats = LearnerStats()
    let n = max(total.rows, 1)
    stats.policyLoss = total.policyLoss / n
    stats.valueLoss = total.valueLoss / n
    stats.entropy = total.entropy / n
    stats.kl = total.kl / n
    stats.approxKL = total.approxKL / n
    stats.clipFraction = total.clipped / n
    stats.totalLoss = total.total / n
    stats.explainedVariance = total.explainedVariance
    stats.gradNorm = gradNorms / Double(max(minibatches, 1))
    stats.agentSteps = rollout.steps * rollout.rows
    stats.lr = lr
    stats.entropyCoeff = entropyCoeff
    // RLlib's adaptive KL coefficient.
    if config.klCoeff > 0 {
      if stats.kl > 2 * config.klTarget {
        klCoeff *= 1.5
      } else if stats.kl < 0.5 * config.klTarget {
        klCoeff *= 0.5
      }
    }
    stats.klCoeff = klCoeff
    return stats
  }

  /// One gradient step on the sequences `indices` (into `rollout.sequences`).
  ///
  /// Each shard's forward, loss and backward run in parallel, then one clipped Adam step on their
  /// sum. Returns the shards' loss sums and the gradient's global norm before clipping.
  private func minibatch(
    _ rollout: Rollout, _ indices: ArraySlice<Int>, coefficients: LossCoefficients, lr: Double, pool: WorkerPool
  ) -> (LossSums, Double) {
    var validRows = 0
    for i in indices { validRows += rollout.sequences[i].length }
    var c = coefficients
    c.scale = 1 / Float(max(validRows, 1))
    let count = indices.count
    let shardCount = shards.count
    let threads = pool.threads
    pool.run { part in
      for shard in WorkerPool.chunk(part, of: threads, count: shardCount) {
        let range = WorkerPool.chunk(shard, of: shardCount, count: count)
        let base = indices.startIndex
        self.shardStep(
          rollout, indices[(base + range.lowerBound)..<(base + range.upperBound)], shard: shard, replica: part, c: c)
      }
    }
    var sums = LossSums()
    for s in shards { sums.add(s.sums) }
    let norm = adam.step(
      parameters: parameters, shardGradients: gradients, lr: lr, clipNorm: config.gradClip, pool: pool)
    return (sums, norm)
  }

  /// Gathers a shard's sequences, runs forward, the loss and backward into its gradient slab.
  private func shardStep(
    _ rollout: Rollout, _ indices: ArraySlice<Int>, shard: Int, replica: Int, c: LossCoefficients
  ) {
    let b = shards[shard]
    let model = replicas[replica]
    let grads = gradients[shard]
    grads.zero()
    b.sums = LossSums()
    let length = model.sequenceLength
    let sequences = indices.count
    gather(rollout, indices, into: b, length: length)
    guard sequences > 0 else { return }
    let params = UnsafePointer(parameters.pointer)
    let stateSize = model.stateSize
    model.forward(
      params, observations: b.observations.pointer, states: stateSize > 0 ? b.states.pointer : nil,
      sequences: sequences, steps: length)
    let logits = model.logits
    let logitStride = model.logitStride
    let values = model.values
    let valueStride = model.valueStride
    let (dValues, dValueStride) = model.dValues
    let dLogits = model.dPolicy.pointer
    let logitCount = model.logitCount
    let maskSize = rollout.maskSize
    let width = rollout.actionWidth
    for r in 0..<(sequences * length) {
      guard b.valid.pointer[r] != 0 else {
        (dLogits + r * logitStride).update(repeating: 0, count: logitStride)
        dValues[r * dValueStride] = 0
        continue
      }
      PPOLoss.row(
        logits: logits + r * logitStride, mask: b.masks.pointer + r * maskSize, action: b.actions.pointer + r * width,
        oldLogp: b.oldLogp.pointer + r * logitCount, oldActionLogp: b.actionLogp.pointer[r],
        advantage: b.advantages.pointer[r], value: values[r * valueStride], oldValue: b.oldValues.pointer[r],
        target: b.targets.pointer[r], nvec: nvec, c: c, scratch: b.scratch.pointer,
        dLogits: dLogits + r * logitStride, dValue: dValues + r * dValueStride, sums: &b.sums)
    }
    model.backward(
      params, grads: grads.pointer, observations: b.observations.pointer, sequences: sequences, steps: length)
  }

  /// Copies the shard's sequences into its buffers, padding each to `length` steps.
  private func gather(_ rollout: Rollout, _ indices: ArraySlice<Int>, into b: ShardBuffers, length: Int) {
    let obsSize = rollout.observationSize
    let maskSize = rollout.maskSize
    let width = rollout.actionWidth
    let logitCount = rollout.logitCount
    let stateSize = rollout.stateSize
    for (j, index) in indices.enumerated() {
      let sequence = rollout.sequences[index]
      if stateSize > 0 {
        let src = rollout.states.pointer + (sequence.step * rollout.rows + sequence.row) * stateSize
        (b.states.pointer + j * stateSize).update(from: src, count: stateSize)
      }
      for l in 0..<length {
        let r = j * length + l
        guard l < sequence.length else {
          b.valid.pointer[r] = 0
          (b.observations.pointer + r * obsSize).update(repeating: 0, count: obsSize)
          continue
        }
        let i = (sequence.step + l) * rollout.rows + sequence.row
        b.valid.pointer[r] = 1
        (b.observations.pointer + r * obsSize).update(from: rollout.observations.pointer + i * obsSize, count: obsSize)
        (b.masks.pointer + r * maskSize).update(from: rollout.masks.pointer + i * maskSize, count: maskSize)
        (b.actions.pointer + r * width).update(from: rollout.actions.pointer + i * width, count: width)
        (b.oldLogp.pointer + r * logitCount).update(from: rollout.logp.pointer + i * logitCount, count: logitCount)
        b.actionLogp.pointer[r] = rollout.actionLogp.pointer[i]
        b.oldValues.pointer[r] = rollout.values.pointer[i]
        b.advantages.pointer[r] = rollout.advantages.pointer[i]
        b.targets.pointer[r] = rollout.targets.pointer[i]
      }
    }
  }
}
