import Basics
import EnvContract
import Foundation
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining
@testable import NN
@testable import RL

/// The trainer on the tutorial env: determinism, checkpoint round trips, clear errors for
/// corrupt or mismatched checkpoints, evaluation.
@Suite("Trainer", .serialized)
struct TrainerTests {
  /// A small setup: 2 envs of 50-step episodes, small networks, 2 epochs.
  static func training(hiddens: [Int] = [16, 16], trainPlanner: Bool = true) -> TrainingConfig {
    var t = TrainingConfig()
    t.general.trainPlanner = trainPlanner
    t.agentPolicy.model.hiddens = hiddens
    t.agentPolicy.lr = 1e-3
    t.agentPolicy.entropyCoeff = 0.01
    t.agentPolicy.gradClip = 10
    t.plannerPolicy.model.hiddens = [8]
    t.plannerPolicy.lr = 1e-3
    t.trainer.numWorkers = 1
    t.trainer.numEnvsPerWorker = 2
    t.trainer.rolloutFragmentLength = 40
    t.trainer.trainBatchSize = 80
    t.trainer.sgdMinibatchSize = 40
    t.trainer.numSGDIter = 2
    return t
  }

  /// A trainer with its own env and pool.
  static func trainer(
    _ config: TrainingConfig = training(), seed: UInt64 = 5, threads: Int = 2
  ) throws -> Trainer {
    let env = try Environment(config: tutorialConfig { $0.episodeLength = 50 })
    let pool = WorkerPool(threads: threads)
    let vector = try EconomyVectorEnv(
      environment: env, envs: config.trainer.envCount, threads: threads, keepDenseLogs: false, pool: pool)
    return try Trainer(env: vector, config: config, seed: seed, pool: pool)
  }

  /// Every policy's parameters.
  static func weights(_ t: Trainer) -> [PolicyID: [Float]] {
    Dictionary(uniqueKeysWithValues: t.learners.map { ($0.policy, $0.parameters.array) })
  }

  @Test func sameSeedGivesIdenticalWeightsAndResults() throws {
    let a = try Self.trainer()
    let b = try Self.trainer(threads: 1)  // whatever the machine's cores
    var ra: [ResultRecord] = []
    var rb: [ResultRecord] = []
    for _ in 0..<3 {
      ra.append(try a.step().record)
      rb.append(try b.step().record)
    }
    #expect(Self.weights(a) == Self.weights(b))
    // Everything but wall-clock numbers repeats.
    let strip = Self.stripped
    for (x, y) in zip(ra, rb) {
      let differing = zip(strip(x), strip(y)).filter { $0 != $1 }.map(\.0)
      #expect(strip(x).count == strip(y).count && differing.isEmpty, "\(differing.prefix(3))")
    }
    // Training moved the weights, and another seed moves them elsewhere.
    let fresh = try Self.trainer()
    #expect(Self.weights(fresh)[.agents] != Self.weights(a)[.agents])
    #expect(Self.weights(fresh)[.planner] != Self.weights(a)[.planner])
    let c = try Self.trainer(seed: 6)
    for _ in 0..<3 { _ = try c.step() }
    #expect(Self.weights(c)[.agents] != Self.weights(a)[.agents])
  }

  /// Result records without wall-clock numbers, as `key=value` lines.
  static func stripped(_ r: ResultRecord) -> [String] {
    r.flattened.filter { !$0.key.contains("time") && !$0.key.hasSuffix("per_s") }.map { "\($0.key)=\($0.value)" }
  }

  @Test(arguments: ["fcnet", "keras_conv_lstm"])
  func aResumedRunReachesTheWeightsOfAnUninterruptedOne(model: String) throws {
    // 50-step episodes over 40-step fragments: the checkpoint falls mid-episode in every env,
    // and with the recurrent model mid-sequence too.
    var config = Self.training()
    if model == "keras_conv_lstm" {
      config.agentPolicy.model.kind = .kerasConvLSTM
      config.agentPolicy.model.fcDim = 16
      config.agentPolicy.model.lstmCellSize = 8
      config.agentPolicy.model.numFC = 1
      config.agentPolicy.model.maxSeqLen = 10
    }
    config.trainer.metricsSmoothingEpisodes = 3
    let directory = try makeTemporaryDirectory("economist-resume")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let straight = try Self.trainer(config)
    var straightRecords: [ResultRecord] = []
    for _ in 0..<4 { straightRecords.append(try straight.step().record) }

    let first = try Self.trainer(config)
    var records: [ResultRecord] = []
    for _ in 0..<2 { records.append(try first.step().record) }
    try first.saveCheckpoint(to: directory)
    let resumed = try Self.trainer(config, threads: 1)  // and on another number of cores
    try resumed.restoreCheckpoint(from: directory)
    for _ in 0..<2 { records.append(try resumed.step().record) }

    let sameWeights = Self.weights(resumed) == Self.weights(straight)
    #expect(sameWeights)
    for (x, y) in zip(resumed.learners, straight.learners) {
      let sameMoments = x.adam.m.array == y.adam.m.array && x.adam.v.array == y.adam.v.array
      #expect(sameMoments && x.adam.steps == y.adam.steps)
    }
    for (i, (x, y)) in zip(records, straightRecords).enumerated() {
      let differing = zip(Self.stripped(x), Self.stripped(y)).filter { $0 != $1 }.map(\.0)
      #expect(differing.isEmpty, "iteration \(i + 1): \(differing.prefix(3))")
    }
    #expect(resumed.episodes == straight.episodes && resumed.episodes > 0)
    // A checkpoint whose environments' state went missing is damaged, not silently inexact.
    try FileManager.default.removeItem(atPath: directory + "/" + Trainer.environmentFile)
    let broken = try Self.trainer(config)
    #expect(throws: CheckpointError.self) { try broken.restoreCheckpoint(from: directory) }
  }

  @Test func environmentStateOfAnotherRunIsAClearError() throws {
    let directory = try makeTemporaryDirectory("economist-resume-mismatch")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let a = try Self.trainer()
    _ = try a.step()
    try a.saveCheckpoint(to: directory)
    // Same networks, but 30-step episodes: the saved 40-step episodes cannot be replayed.
    let env = try Environment(config: tutorialConfig { $0.episodeLength = 30 })
    let pool = WorkerPool(threads: 1)
    let vector = try EconomyVectorEnv(environment: env, envs: 2, pool: pool)
    let b = try Trainer(env: vector, config: Self.training(), seed: 5, pool: pool)
    var message = ""
    do { try b.restoreCheckpoint(from: directory) } catch { message = "\(error)" }
    #expect(message.contains("environments.json"), "\(message)")
    #expect(message.contains("environment 0: the episode has 40 steps, but episode_length is 30"), "\(message)")
  }

  @Test func anInterruptedCheckpointWriteLeavesThePreviousOneReadable() throws {
    let directory = try makeTemporaryDirectory("economist-swap")
    defer {
      for suffix in ["", ".old", ".partial"] { try? FileManager.default.removeItem(atPath: directory + suffix) }
    }
    let a = try Self.trainer()
    _ = try a.step()
    try a.saveCheckpoint(to: directory)
    // As if the process died between moving the old checkpoint aside and moving the new one in.
    try FileManager.default.moveItem(atPath: directory, toPath: directory + ".old")
    try FileManager.default.createDirectory(atPath: directory + ".partial", withIntermediateDirectories: false)
    #expect(Trainer.existingCheckpoint(at: directory) == directory + ".old")
    let b = try Self.trainer()
    try b.restoreCheckpoint(from: directory)
    #expect(Self.weights(b) == Self.weights(a) && b.iteration == 1)
    // The next save cleans up.
    try b.saveCheckpoint(to: directory)
    #expect(Trainer.existingCheckpoint(at: directory) == directory)
    #expect(!FileManager.default.fileExists(atPath: directory + ".old"))
    #expect(!FileManager.default.fileExists(atPath: directory + ".partial"))
  }

  @Test func aFixedPlannerIsNotTrained() throws {
    let t = try Self.trainer(Self.training(trainPlanner: false))
    let before = Self.weights(t)[.planner]
    let result = try t.step()
    #expect(Self.weights(t)[.planner] == before)
    #expect(result.stats[.planner] == nil && result.stats[.agents] != nil)
    #expect(t.trained == [true, false])
  }

  @Test func convLayersThatOutgrowTheMapAreAnError() throws {
    var config = Self.training()
    config.agentPolicy.model.kind = .kerasConvLSTM
    config.agentPolicy.model.numConv = 3
    var message = ""
    do { _ = try Self.trainer(config) } catch { message = "\(error)" }
    #expect(
      message == "policy 'a': keras_conv_lstm: conv layer 3 of num_conv 3 needs a map of at least 3×3, "
        + "but the 11×11 observation map is 2×2 there")
    config.agentPolicy.model.numConv = 2
    #expect(throws: Never.self) { _ = try Self.trainer(config) }
  }

  @Test func checkpointRoundTripRestoresWeightsOptimizerAndCounters() throws {
    let directory = try makeTemporaryDirectory("economist-checkpoint")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let a = try Self.trainer()
    for _ in 0..<2 { _ = try a.step() }
    try a.saveCheckpoint(to: directory)
    let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(
      files == [
        "a.optimizer.safetensors", "a.safetensors", "environments.json", "p.optimizer.safetensors", "p.safetensors",
        "state.json",
      ])
    let b = try Self.trainer()
    #expect(Self.weights(b) != Self.weights(a))
    try b.restoreCheckpoint(from: directory)
    #expect(Self.weights(b) == Self.weights(a))
    for (la, lb) in zip(a.learners, b.learners) {
      #expect(la.adam.m.array == lb.adam.m.array && la.adam.v.array == lb.adam.v.array)
      // RLlib's minibatches count agent steps: 2 iterations × 2 epochs × (80 env steps × rows / 40).
      let rows = la.spec.agents.count
      #expect(la.adam.steps == lb.adam.steps && la.adam.steps == 2 * 2 * (80 * rows / 40), "\(la.adam.steps)")
      #expect(la.klCoeff == lb.klCoeff)
    }
    #expect(b.iteration == 2 && b.envSteps == 160 && b.episodes == a.episodes)
    #expect(b.rng.state == a.rng.state)
    // The weights file is plain safetensors: names and shapes of the layout.
    let stored = try SafeTensors.read(path: directory + "/a.safetensors")
    #expect(stored.tensors.map(\.name) == a.learners[0].layout.tensors.map(\.name))
    #expect(stored["policy/dense_0/kernel"]?.shape == [a.learners[0].spec.observationSize, 16])
  }

  @Test func restoringWithAnotherSeedIsAnError() throws {
    let directory = try makeTemporaryDirectory("economist-checkpoint")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try Self.trainer().saveCheckpoint(to: directory)
    #expect(throws: CheckpointError.self) { try Self.trainer(seed: 9).restoreCheckpoint(from: directory) }
    do {
      try Self.trainer(seed: 9).restoreCheckpoint(from: directory)
    } catch {
      #expect("\(error)" == "\(directory)/state.json: the checkpoint was made with seed 5, this run uses 9")
    }
  }

  @Test func mismatchedModelNamesTheTensorAndBothShapes() throws {
    let directory = try makeTemporaryDirectory("economist-checkpoint")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let small = try Self.trainer()
    try small.saveCheckpoint(to: directory)
    let wide = try Self.trainer(Self.training(hiddens: [24, 16]))
    let rowSize = small.learners[0].spec.observationSize
    var message = ""
    do { try wide.loadWeights(policy: .agents, from: directory) } catch { message = "\(error)" }
    #expect(message.contains("\(directory)/a.safetensors"), "\(message)")
    #expect(message.contains("policy/dense_0/kernel"), "\(message)")
    #expect(message.contains("[\(rowSize), 24]") && message.contains("[\(rowSize), 16]"), "\(message)")
    // A deeper model misses a tensor: named, with the closest stored one.
    let deep = try Self.trainer(Self.training(hiddens: [16, 16, 16]))
    message = ""
    do { try deep.loadWeights(policy: .agents, from: directory) } catch { message = "\(error)" }
    #expect(message.contains("'policy/dense_2/kernel'") && message.contains("did you mean"), "\(message)")
  }

  @Test func corruptCheckpointIsAClearError() throws {
    let directory = try makeTemporaryDirectory("economist-checkpoint")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let t = try Self.trainer()
    try t.saveCheckpoint(to: directory)
    let path = directory + "/a.safetensors"
    let bytes = try #require(FileManager.default.contents(atPath: path))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    var message = ""
    do { try Self.trainer().restoreCheckpoint(from: directory) } catch { message = "\(error)" }
    #expect(message.hasPrefix(path + ": "), "\(message)")
    try Data("{\"format\": 1".utf8).write(to: URL(fileURLWithPath: directory + "/state.json"))
    message = ""
    do { try Self.trainer().restoreCheckpoint(from: directory) } catch { message = "\(error)" }
    #expect(
      message
        == directory
        + "/state.json: malformed JSON: line 1, column 13: expected ',' or '}' after object member, found end of input")
  }

  @Test func evaluationPlaysWholeEpisodesGreedilyAndDeterministically() throws {
    let t = try Self.trainer()
    _ = try t.step()
    func evaluate(greedy: Bool) throws -> [Trainer.EvaluatedEpisode] {
      let env = try Environment(config: tutorialConfig { $0.episodeLength = 50 })
      let vector = try EconomyVectorEnv(environment: env, envs: 2, threads: 2, keepDenseLogs: false, pool: t.pool)
      return try t.evaluate(env: vector, episodes: 3, greedy: greedy, seed: 3)
    }
    let first = try evaluate(greedy: true)
    #expect(first.count == 3)
    #expect(first.allSatisfy { $0.length == 50 && $0.returns.map(\.count) == [4, 1] })
    #expect(first.map { $0.record.metrics.first { $0.key == "social/productivity" } != nil } == [true, true, true])
    let again = try evaluate(greedy: true)
    #expect(first.map(\.returns) == again.map(\.returns))
    let sampled = try evaluate(greedy: false)
    #expect(sampled.map(\.returns) != first.map(\.returns))
    // Evaluation learns nothing.
    let before = Self.weights(t)
    _ = try evaluate(greedy: false)
    #expect(Self.weights(t) == before)
  }
}

/// A fresh temporary directory.
func makeTemporaryDirectory(_ label: String) throws -> String {
  let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}
