// The two-policy PPO trainer: sample on the vectorized envs, update each policy, report.

import Basics
import EnvContract
import Foundation
import NN

/// Errors of setting up or running training.
public struct TrainingError: Error, Sendable, CustomStringConvertible, Equatable {
  /// What went wrong.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// PPO for every policy of a vectorized multi-agent environment (Schulman and others, 2017).
///
/// Policies (Foundation's ``PolicyID/agents`` for the mobile agents, ``PolicyID/planner`` for
/// the planner) share this one code path; each has its own network, optimizer, hyperparameters
/// and buffers. An iteration samples `fragments × rollout_fragment_length` steps of every env,
/// the fewest whole fragments of all envs that reach `train_batch_size` env steps.
///
/// Reading order, top to bottom:
/// 1. **Run**: the caller (the CLI's `TrainingRun`, or a test) builds a trainer for an env and
///    calls ``step()`` until it is done, saving checkpoints (`Trainer+Checkpoint.swift`).
/// 2. **Iteration**, ``step()``: sample, then update each trained policy, then report
///    (`Trainer+Report.swift`: the RLlib-style result record).
/// 3. **Sample**, `Sampler.collect`: per env step, every policy's network runs on its rows of the
///    batch and samples masked actions (`MaskedCategorical`), the envs step, and rewards and
///    episode ends go into each policy's `Rollout`; truncated episodes are bootstrapped with the
///    value of their final observation.
/// 4. **Update**, `PPOLearner.update`: GAE advantages, standardized; the iteration's learning
///    rate and loss coefficients; epochs of shuffled minibatches, each split into shards whose
///    gradients are computed in parallel and summed by one clipped Adam step (`Adam.step` in NN);
///    then the adaptive KL coefficient.
/// 5. **Loss**, `PPOLoss.row`: one row's clipped surrogate, clipped value loss, entropy and KL
///    and their gradients with respect to the logits and the value.
public final class Trainer {
  /// The settings.
  public let config: TrainingConfig
  /// The run seed.
  public let seed: UInt64
  /// Policies in the environment's order.
  public let policies: [PolicyID]
  /// Which policies learn.
  public let trained: [Bool]
  /// Env steps per env per iteration.
  public let stepsPerIteration: Int
  /// Iterations done.
  public private(set) var iteration = 0
  /// Env steps sampled (all envs).
  public private(set) var envSteps = 0
  /// Episodes finished.
  public private(set) var episodes = 0
  let env: EpisodeReporting
  let pool: WorkerPool
  let learners: [PPOLearner]
  /// Sample buffers of the trained policies (nil for the others: nothing of theirs is kept).
  let rollouts: [Rollout?]
  let sampler: Sampler
  var rng: NNRandom
  var recentEpisodes: [EpisodeStats] = []
  var startTime = Date()

  /// One finished episode's numbers, for the smoothed metrics.
  struct EpisodeStats {
    var returns: [[Double]]
    var length: Int
    var metrics: [(key: String, value: Double)]
  }

  /// Builds networks, optimizers and buffers for `env`'s policies and resets the envs.
  ///
  /// - Throws: ``TrainingError`` when a policy cannot be trained as configured.
  public init(env: EpisodeReporting, config: TrainingConfig, seed: UInt64, pool: WorkerPool) throws(TrainingError) {
    // Small matrices: OpenBLAS's own threads cost more than they give; the pool uses the cores.
    BLAS.setThreads(1)
    self.env = env
    self.config = config
    self.seed = seed
    self.pool = pool
    let specs = env.batchSpecs
    policies = specs.map(\.policy)
    let trainer = config.trainer
    let shards = max(1, trainer.shards)
    let fragment = max(1, trainer.rolloutFragmentLength)
    let fragments = max(1, (trainer.trainBatchSize + env.envCount * fragment - 1) / (env.envCount * fragment))
    stepsPerIteration = fragments * fragment
    let shapes = specs.map { spec in
      let policy = config.policy(spec.policy)
      let rows = spec.agents.count * env.envCount
      let length = policy.model.kind == .kerasConvLSTM ? policy.model.maxSeqLen : 1
      return PPOLearner.Shape(
        policy: spec.policy, config: policy, spec: spec, threads: pool.threads, shards: shards,
        samplingRows: (rows + shards - 1) / shards, minibatchSequences: max(1, trainer.sgdMinibatchSize / length))
    }
    for shape in shapes where shape.config.model.kind == .kerasConvLSTM {
      if let problem = ConvLSTMTower.problem(
        parts: ObservationParts(fields: shape.spec.fields), config: shape.config.model)
      {
        throw TrainingError("policy '\(shape.policy)': \(problem)")
      }
    }
    try Trainer.checkMemory(shapes: shapes, envs: env.envCount, steps: stepsPerIteration)
    var learners: [PPOLearner] = []
    var trained: [Bool] = []
    for (k, shape) in shapes.enumerated() {
      let spec = shape.spec
      let policy = shape.config
      learners.append(PPOLearner(shape, seed: NNRandom.derive(seed, stream: 100 + UInt64(k))))
      let wants = spec.policy.role == .planner ? config.general.trainPlanner : true
      trained.append(wants && policy.model.kind != .random)
    }
    self.learners = learners
    self.trained = trained
    rollouts = zip(specs, zip(learners, trained)).map { spec, pair -> Rollout? in
      let (learner, isTrained) = pair
      guard isTrained else { return nil }
      return Rollout(
        steps: fragments * fragment, rows: spec.agents.count * env.envCount, observationSize: spec.observationSize,
        maskSize: spec.maskSize, actionWidth: spec.actionWidth, logitCount: learner.model.logitCount,
        stateSize: learner.model.stateSize, sequenceLength: learner.model.sequenceLength)
    }
    rng = NNRandom(seed: NNRandom.derive(seed, stream: 7))
    sampler = Sampler(env: env, pool: pool, learners: learners, shards: shards, seed: NNRandom.derive(seed, stream: 11))
  }

  /// Refuses, before anything is allocated, a run whose buffers would not fit in the memory
  /// budget (``MemoryBudget``): one iteration's rollouts (per agent row and step the observation,
  /// mask, log-probabilities, actions, recurrent state and a few scalars, 4 bytes each) and each
  /// learner's weights, optimizer state, gradients, network buffers and minibatches.
  static func checkMemory(
    shapes: [PPOLearner.Shape], envs: Int, steps: Int,
    limit: (bytes: Double, source: String) = MemoryBudget.limit
  ) throws(TrainingError) {
    var bytes = 0.0
    var parts: [String] = []
    for shape in shapes {
      let model = shape.config.model
      let state = model.kind == .kerasConvLSTM ? 4 * model.lstmCellSize : 0
      let values = shape.spec.observationSize + 2 * shape.spec.maskSize + shape.spec.actionWidth + state + 10
      let rows = shape.spec.agents.count * envs
      let rollout = Double(steps) * Double(rows) * Double(values) * 4
      let learner = shape.estimatedBytes()
      bytes += rollout + learner
      parts.append(
        "policy '\(shape.policy)': rollouts of \(steps) steps × \(rows) agent rows × \(values) values, "
          + "\(MemoryBudget.size(rollout)); network, optimizer and minibatches \(MemoryBudget.size(learner))")
    }
    if let problem = MemoryBudget.problem(
      bytes: bytes, what: "training's buffers", detail: parts.joined(separator: "; "),
      advice: "lower train_batch_size, the number of environments or the network's sizes", limit: limit)
    {
      throw TrainingError(problem)
    }
  }

  /// Sets the counters from a checkpoint.
  func restoreCounters(iteration: Int, envSteps: Int, episodes: Int) {
    self.iteration = iteration
    self.envSteps = envSteps
    self.episodes = episodes
  }

  /// Floating-point operations of the networks per env step, all policies together.
  ///
  /// Sampling runs every policy row forward once (logits and value); learning runs each trained
  /// row forward and backward once per SGD epoch. Random policies cost nothing. Counts the
  /// matrix products (2 per multiply-add), not activations, normalization or the loss.
  public var flopsPerEnvStep: (sampling: Int, learning: Int) {
    var sampling = 0
    var learning = 0
    for (k, learner) in learners.enumerated() {
      let rows = learner.spec.agents.count
      let model = learner.model
      sampling += rows * model.forwardFLOPs
      if trained[k] { learning += rows * config.trainer.numSGDIter * (model.forwardFLOPs + model.backwardFLOPs) }
    }
    return (sampling, learning)
  }

  /// The learner of `policy`.
  func learner(_ policy: PolicyID) -> PPOLearner? { learners.first { $0.policy == policy } }

  // MARK: - One iteration

  /// The outcome of one iteration.
  public struct IterationResult: Sendable {
    /// RLlib-style result record (also written to `result.json` by the CLI).
    public var record: ResultRecord
    /// Learner diagnostics per trained policy.
    public var stats: [PolicyID: LearnerStats]
    /// Episodes finished in this iteration.
    public var episodes: [EpisodeRecord]
    /// Seconds spent sampling.
    public var sampleSeconds: Double
    /// Seconds spent learning.
    public var learnSeconds: Double
  }

  /// One iteration: samples one batch on every env, then updates the trained policies.
  public func step() throws(TrainingError) -> IterationResult {
    let t0 = Date()
    do {
      try sampler.collect(steps: stepsPerIteration, into: rollouts)
    } catch {
      throw TrainingError("sampling failed: \(error)")
    }
    let t1 = Date()
    let sampled = stepsPerIteration * env.envCount
    var stats: [PolicyID: LearnerStats] = [:]
    for (k, learner) in learners.enumerated() {
      guard let rollout = rollouts[k] else { continue }
      let learned = learner.update(rollout, trainer: config.trainer, envSteps: envSteps, rng: &rng, pool: pool)
      // Diverged: stop before anything of this iteration is reported or saved, so the last
      // checkpoint keeps the last good weights.
      if !learned.totalLoss.isFinite || learner.parameters.contains(where: { !$0.isFinite }) {
        throw TrainingError(
          "policy '\(learner.policy)' diverged in iteration \(iteration + 1) (total loss \(learned.totalLoss), gradient norm \(learned.gradNorm)): its weights are no longer finite; training stopped and the last checkpoint keeps the weights of iteration \(iteration). Lower the learning rate (lr \(learned.lr)) or clip gradients (grad_clip)."
        )
      }
      stats[learner.policy] = learned
    }
    let t2 = Date()
    envSteps += sampled
    iteration += 1
    let finished = env.takeEpisodeRecords()
    absorb(finished)
    let record = makeRecord(
      stats: stats, finished: finished.count, sample: t1.timeIntervalSince(t0), learn: t2.timeIntervalSince(t1))
    return IterationResult(
      record: record, stats: stats, episodes: finished, sampleSeconds: t1.timeIntervalSince(t0),
      learnSeconds: t2.timeIntervalSince(t1))
  }

  /// Adds finished episodes to the smoothing window.
  private func absorb(_ records: [EpisodeRecord]) {
    for (record, finished) in zip(records, sampler.takeFinished()) {
      recentEpisodes.append(EpisodeStats(returns: finished.returns, length: finished.length, metrics: record.metrics))
    }
    episodes += records.count
    let window = config.trainer.metricsSmoothingEpisodes ?? env.envCount
    if recentEpisodes.count > window { recentEpisodes.removeFirst(recentEpisodes.count - window) }
  }
}
