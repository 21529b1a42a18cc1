import Basics
import EnvContract
import Foundation
import NN
import Testing

@testable import RL

/// A contextual two-armed bandit, so the trainer is tested without the economy.
///
/// Each step every environment shows a one-hot context (which of the two actions pays), the agent picks one of
/// two actions, and the reward is 1 for the paying action, 0 for the other. Episodes last
/// `length` steps. A uniform policy earns 0.5 per step; a policy that reads its observation
/// earns 1.
final class ContextBandit: EpisodeReporting {
  let envCount: Int
  let batchSpecs: [PolicyBatchSpec]
  let length: Int
  private var rng = NNRandom(seed: 0)
  private var contexts: [Int]
  private var steps: [Int]
  private var returns: [Double]
  private var records: [EpisodeRecord] = []

  init(envs: Int, length: Int = 8) {
    envCount = envs
    self.length = length
    let unit = Space.box(Box(shape: [2], dtype: .float32, low: 0, high: 1))
    batchSpecs = [
      PolicyBatchSpec(
        policy: .agents, agents: ["0"], observationSpace: .dict(DictSpace([("context", unit), ("action_mask", unit)])),
        actionSpace: .discrete(2), fields: [.init(key: "context", offset: 0, shape: [2], dtype: .float32)], maskSize: 2)
    ]
    contexts = Array(repeating: 0, count: envs)
    steps = Array(repeating: 0, count: envs)
    returns = Array(repeating: 0, count: envs)
  }

  var episodeMetricKeys: [String] { ["accuracy"] }

  func takeEpisodeRecords() -> [EpisodeRecord] {
    defer { records.removeAll() }
    return records
  }

  func reset(seed: UInt64, into batch: VectorBatch) {
    rng = NNRandom(seed: seed)
    for e in 0..<envCount {
      (steps[e], returns[e]) = (0, 0)
      show(e, batch.policies[0])
    }
  }

  func step(_ batch: VectorBatch) throws(EnvError) {
    let policy = batch.policies[0]
    for e in 0..<envCount where !(0..<2).contains(policy.actions[e]) {
      throw .batchActionOutsideSpace(env: e, agent: "0", action: "\(policy.actions[e])", space: "Discrete(2)")
    }
    for e in 0..<envCount {
      let reward: Float = Int(policy.actions[e]) == contexts[e] ? 1 : 0
      policy.rewards[e] = reward
      returns[e] += Double(reward)
      steps[e] += 1
      batch.terminated[e] = 0
      batch.truncated[e] = steps[e] == length ? 1 : 0
      if steps[e] == length {
        policy.finalObservations[2 * e] = policy.observations[2 * e]
        policy.finalObservations[2 * e + 1] = policy.observations[2 * e + 1]
        records.append(EpisodeRecord(env: e, metrics: [("accuracy", returns[e] / Double(length))], denseLog: nil))
        (steps[e], returns[e]) = (0, 0)
      }
      show(e, policy)
    }
  }

  /// Draws environment `e`'s next context and writes its observation and mask.
  private func show(_ e: Int, _ policy: PolicyBatch) {
    contexts[e] = Int(rng.next() & 1)
    policy.observations[2 * e] = contexts[e] == 0 ? 1 : 0
    policy.observations[2 * e + 1] = contexts[e] == 1 ? 1 : 0
    policy.masks[2 * e] = 1
    policy.masks[2 * e + 1] = 1
  }
}

@Suite("Trainer on a toy environment")
struct ToyTrainerTests {
  static func config() -> TrainingConfig {
    var config = TrainingConfig()
    config.agentPolicy.model.hiddens = [16]
    config.agentPolicy.lr = 0.01
    config.agentPolicy.gamma = 0.5
    config.agentPolicy.entropyCoeff = 0
    config.trainer.rolloutFragmentLength = 16
    config.trainer.trainBatchSize = 128
    config.trainer.sgdMinibatchSize = 64
    config.trainer.numSGDIter = 4
    return config
  }

  @Test func learnsTheActionItsObservationPoints() throws {
    let env = ContextBandit(envs: 8)
    let pool = WorkerPool(threads: 2)
    let trainer = try Trainer(env: env, config: Self.config(), seed: 3, pool: pool)
    let before = try trainer.evaluate(env: ContextBandit(envs: 8), episodes: 64, greedy: false, seed: 9)
    let accuracyBefore = before.map(\.returns[0][0]).reduce(0, +) / Double(64 * 8)
    for _ in 0..<40 { _ = try trainer.step() }
    let after = try trainer.evaluate(env: ContextBandit(envs: 8), episodes: 64, greedy: false, seed: 9)
    let accuracyAfter = after.map(\.returns[0][0]).reduce(0, +) / Double(64 * 8)
    // Untrained: a coin flip. Trained: the paying action nearly always, sampled (not greedy).
    #expect(abs(accuracyBefore - 0.5) < 0.1, "accuracy before training \(accuracyBefore)")
    #expect(accuracyAfter > 0.95, "accuracy after 40 iterations \(accuracyAfter)")
    // The trainer's own smoothed metric and per-policy return tell the same story.
    #expect(try #require(trainer.episodeMetric("accuracy")) > 0.9)
    #expect(try #require(trainer.policyRewardMean(.agents)) > 0.9 * 8)
    #expect(trainer.iteration == 40 && trainer.envSteps == 40 * 128)
  }

  @Test func aPolicyThatIsNotTrainedKeepsItsWeights() throws {
    var config = Self.config()
    config.agentPolicy.model.kind = .random
    let trainer = try Trainer(env: ContextBandit(envs: 8), config: config, seed: 3, pool: WorkerPool(threads: 1))
    let result = try trainer.step()
    #expect(result.stats.isEmpty)
    #expect(try #require(trainer.policyRewardMean(.agents)) < 0.75 * 8)
  }

  @Test func divergingTrainingStopsAndNamesThePolicyAndIteration() throws {
    var config = Self.config()
    config.agentPolicy.lr = 1e30
    let trainer = try Trainer(env: ContextBandit(envs: 8), config: config, seed: 3, pool: WorkerPool(threads: 1))
    var message: String?
    for _ in 0..<10 where message == nil {
      do { _ = try trainer.step() } catch { message = error.message }
    }
    let text = try #require(message)
    #expect(text.hasPrefix("policy 'a' diverged in iteration \(trainer.iteration + 1) (total loss "), "\(text)")
    #expect(
      text.contains(
        "training stopped and the last checkpoint keeps the weights of iteration \(trainer.iteration). Lower the learning rate (lr 1e+30)"
      ), "\(text)")
  }

  @Test func checkpointStateIsCheckedKeyByKey() throws {
    let directory = try makeScratchDirectory("state")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let trainer = try Trainer(env: ContextBandit(envs: 8), config: Self.config(), seed: 3, pool: WorkerPool(threads: 1))
    _ = try trainer.step()
    try trainer.saveCheckpoint(to: directory)
    let statePath = directory + "/state.json"
    let good = try String(contentsOfFile: statePath, encoding: .utf8)
    func restoring(_ edit: (String) -> String) -> String? {
      try? AtomicFile.write(edit(good), to: statePath)
      let fresh = try? Trainer(
        env: ContextBandit(envs: 8), config: Self.config(), seed: 3, pool: WorkerPool(threads: 1))
      do {
        try fresh?.restoreCheckpoint(from: directory)
        return nil
      } catch {
        return error.description
      }
    }
    #expect(restoring { $0 } == nil)
    #expect(
      restoring { $0.replacingOccurrences(of: #""envSteps" : 128"#, with: #""envSteps" : 9223372036854775807"#) }
        == "\(statePath): envSteps: expected an integer in 0...9007199254740992, found 9223372036854775807")
    #expect(
      restoring { $0.replacingOccurrences(of: #""iteration" : 1"#, with: #""iteration" : -1"#) }
        == "\(statePath): iteration: expected an integer in 0...9007199254740992, found -1")
    // Malformed JSON and wrong structures: line and column, or the key path, expected and found.
    #expect(
      restoring { $0.replacingOccurrences(of: #""iteration" : 1,"#, with: #""iteration" : 1,,"#) }?
        .hasPrefix("\(statePath): malformed JSON: line ") == true)
    #expect(
      restoring { $0.replacingOccurrences(of: #""iteration" : 1"#, with: #""iteration" : "one""#) }
        == "\(statePath): iteration: expected an integer, found a string")
    #expect(
      restoring { $0.replacingOccurrences(of: #""iteration" : 1,"#, with: "") }
        == "\(statePath): missing key 'iteration'")
    #expect(
      restoring { $0.replacingOccurrences(of: #""iteration" : 1"#, with: #""iteration" : null"#) }
        == "\(statePath): iteration: expected an integer, found null")
    let adam = try #require(good.firstMatch(of: /"adamSteps" : (\d+)/))
    #expect(
      restoring { $0.replacingOccurrences(of: String(adam.0), with: #""adamSteps" : 1.5"#) }
        == "\(statePath): policies[0].adamSteps: expected an integer, found 1.5")
    #expect(
      restoring { $0.replacingOccurrences(of: String(adam.0), with: #""adamSteps" : -1"#) }
        == "\(statePath): policies[0].adamSteps: expected an integer in 0...9007199254740992, found -1")
    let kl = try #require(good.firstMatch(of: /"klCoeff" : [0-9.e-]+/))
    #expect(
      restoring { $0.replacingOccurrences(of: String(kl.0), with: #""klCoeff" : "NaN""#) }
        == "\(statePath): policies[0].klCoeff: expected a finite number >= 0, found nan")
    // Weights that are not finite are refused by name, index and value.
    try AtomicFile.write(good, to: statePath)
    var weights = try SafeTensors.read(path: directory + "/a.safetensors")
    var first = weights.tensors[0]
    first.tensor.values[3] = .nan
    weights.tensors[0] = first
    try weights.write(to: directory + "/a.safetensors")
    #expect(
      restoring { $0 }
        == "\(directory)/a.safetensors: tensor '\(first.name)' holds nan at index 3; weights and optimizer moments must be finite (was training diverging when it was saved?)"
    )
  }

  /// The shapes of the bandit's learners under `config`, as the trainer derives them.
  static func shapes(_ config: TrainingConfig, envs: Int, threads: Int = 2) -> [PPOLearner.Shape] {
    ContextBandit(envs: envs).batchSpecs.map { spec in
      PPOLearner.Shape(
        policy: spec.policy, config: config.policy(spec.policy), spec: spec, threads: threads, shards: 2,
        samplingRows: envs / 2, minibatchSequences: config.trainer.sgdMinibatchSize)
    }
  }

  @Test func aRunThatCannotFitInMemoryIsRefusedUpFront() throws {
    let limit = (bytes: 1_073_741_824.0, source: "a test's limit")
    #expect(throws: Never.self) {
      try Trainer.checkMemory(shapes: Self.shapes(Self.config(), envs: 8), envs: 8, steps: 16, limit: limit)
    }
    // Rollouts too long.
    #expect(
      throws: TrainingError(
        "training's buffers need about 6.3 GiB (policy 'a': rollouts of 12500000 steps × 8 agent rows × 17 values, 6.3 GiB; network, optimizer and minibatches 23.2 KiB), more than the memory limit of 1.0 GiB (a test's limit): lower train_batch_size, the number of environments or the network's sizes"
      )
    ) { try Trainer.checkMemory(shapes: Self.shapes(Self.config(), envs: 8), envs: 8, steps: 12_500_000, limit: limit) }
    // A network too wide: two 65536-wide layers are 4.3 billion weights per tower, 5 copies each
    // (weights, 2 Adam moments, 2 shard gradients): ~160 GiB before any row buffer.
    var wide = Self.config()
    wide.agentPolicy.model.hiddens = [65536, 65536]
    let shapes = Self.shapes(wide, envs: 8)
    let learner = shapes[0].estimatedBytes()
    let weights = Double(shapes[0].probe().layout.count)
    #expect(weights == 2 * Double(2 * 65536 + 65536 + 65536 * 65536 + 65536) + Double(65536 * 2 + 2 + 65536 + 1))
    #expect(learner >= 4 * 5 * weights && learner < 4 * 5 * weights * 1.01)
    #expect(throws: TrainingError.self) { try Trainer.checkMemory(shapes: shapes, envs: 8, steps: 16, limit: limit) }
    #expect(MemoryBudget.physicalBytes > 0 && MemoryBudget.limit.bytes > 0)
  }

  /// The estimate of a learner counts what it allocates: weights, optimizer, gradients, replicas'
  /// row buffers and minibatches, checked against the buffers of a built learner.
  @Test func aLearnersEstimateIsWhatItAllocates() {
    for threads in [1, 3] {
      let shape = Self.shapes(Self.config(), envs: 8, threads: threads)[0]
      let learner = PPOLearner(shape, seed: 1)
      let weights = learner.layout.count
      let replicas =
        learner.replicas.reduce(0) { $0 + ModelGradientTests.bufferFloats($1) }
        + learner.samplingScratch.reduce(0) { $0 + $1.count }
      let minibatch = learner.shards.reduce(0) { total, shard in
        total + shard.observations.count + shard.masks.count + shard.actions.count + shard.oldLogp.count
          + shard.actionLogp.count + shard.oldValues.count + shard.advantages.count + shard.targets.count
          + shard.states.count + shard.scratch.count
      }
      let valid = learner.shards.reduce(0) { $0 + $1.valid.count }
      let allocated = 4 * Double(weights * (3 + learner.gradients.count) + replicas + minibatch) + Double(valid)
      #expect(shape.estimatedBytes() == allocated, "threads \(threads)")
    }
  }
}
