// Evaluating trained policies: whole episodes from a run directory or a checkpoint, dense logs,
// and a metrics table (mean ± std over episodes).

import Basics
import Economy
import EconomyEnv
import EnvContract
import Foundation
import RL

/// Runs a run's or a checkpoint's policies for whole episodes and summarizes them.
public struct Evaluation {
  /// The checkpoint evaluated.
  public var checkpoint: String
  /// Its iteration and env steps (from `state.json`), when readable.
  public var iteration: Int?
  /// Env steps of training behind the checkpoint.
  public var envSteps: Int?
  /// Whether actions were the most likely allowed ones.
  public var greedy: Bool
  /// Policies in the env's order.
  public var policies: [PolicyID]
  /// The episodes, in the order they finished.
  public var episodes: [Trainer.EvaluatedEpisode]

  /// One row of the table.
  public struct Row: Sendable, Equatable {
    /// The quantity.
    public var name: String
    /// Mean over episodes.
    public var mean: Double
    /// Sample standard deviation over episodes (0 for one episode).
    ///
    /// Both skip episodes where the metric is NaN (such as a price in an episode without trades).
    public var std: Double
  }

  /// Resolves `target` (a run directory or a checkpoint directory), loads the policies and
  /// plays `episodes` episodes.
  ///
  /// The config is `config`, else the run directory's `config.yaml` (for a checkpoint:
  /// `<checkpoint>/../../config.yaml`).
  ///
  /// - Throws: ``TrainingError``, ``ConfigError``, ``EnvError`` or ``CheckpointError`` with a
  ///   message naming the path.
  public init(
    target: String, config: String? = nil, episodes: Int, greedy: Bool, seed: UInt64, threads: Int? = nil
  ) throws {
    let (checkpoint, configPath) = try Evaluation.resolve(target: target, config: config)
    let run = try RunConfig.load(path: configPath)
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let threadCount = max(1, threads ?? cores)
    let envs = Evaluation.envCount(episodes: episodes)
    var training = run.training
    training.trainer.sizeForInference(envs: envs)
    let pool = WorkerPool(threads: min(threadCount, envs))
    var envConfig = run.env
    envConfig.denseLogFrequency = 1  // every evaluated episode gets its dense log
    let vector = try EconomyVectorEnv(
      environment: try Environment(config: envConfig), envs: envs, threads: pool.threads, keepDenseLogs: true,
      pool: pool)
    let trainer = try Trainer(env: vector, config: training, seed: seed, pool: pool)
    for policy in trainer.policies { try trainer.loadWeights(policy: policy, from: checkpoint) }
    self.checkpoint = checkpoint
    self.greedy = greedy
    policies = trainer.policies
    if let bytes = try? FileBytes.contents(of: "\(checkpoint)/state.json"),
      let state = try? JSONParser.parse(bytes)
    {
      iteration = state["iteration"]?.intValue
      envSteps = state["envSteps"]?.intValue
    }
    if let counters = Evaluation.curriculumCounters(checkpoint: checkpoint) { vector.setCurriculumCounters(counters) }
    self.episodes = try trainer.evaluate(env: vector, episodes: episodes, greedy: greedy, seed: seed)
  }

  /// The curriculum counters of each training environment saved in `checkpoint`
  /// (`environments.json`), or nil when it has none.
  ///
  /// Evaluation plays with them, so that a trained planner's rates are annealed as at the end
  /// of its training (not as at its first episode) and the labor cost is weighted as then.
  public static func curriculumCounters(checkpoint: String) -> [Environment.CurriculumCounters]? {
    // The same reader as resume: EconomyVectorEnv.restoreState's format, EpisodeProgress per env.
    guard let bytes = try? FileBytes.contents(of: "\(checkpoint)/environments.json"),
      let json = try? JSONParser.parse(bytes), json["format"]?.intValue == 1,
      let envs = json["envs"]?.arrayValue, !envs.isEmpty
    else { return nil }
    var out: [Environment.CurriculumCounters] = []
    for env in envs {
      guard let progress = try? EpisodeProgress(json: env) else { return nil }
      out.append(
        Environment.CurriculumCounters(completions: progress.completions, warmupIntegrator: progress.warmupIntegrator))
    }
    return out
  }

  /// The checkpoint directory of `target` (a run directory: its `checkpoints/latest`; or a
  /// checkpoint directory) and the run config to use with it (`config`, else the run
  /// directory's `config.yaml`).
  ///
  /// - Throws: ``TrainingError`` naming the path when it is neither, or no config is found.
  static func resolve(target: String, config: String?) throws -> (checkpoint: String, config: String) {
    let fm = FileManager.default
    let target = target.hasSuffix("/") && target.count > 1 ? String(target.dropLast()) : target
    let checkpoint: String
    let runDirectory: String?
    if let latest = Trainer.existingCheckpoint(at: "\(target)/checkpoints/latest") {
      checkpoint = latest
      runDirectory = target
    } else if let given = Trainer.existingCheckpoint(at: target) {
      checkpoint = given
      let parent = URL(fileURLWithPath: target).deletingLastPathComponent().deletingLastPathComponent().path
      runDirectory = fm.fileExists(atPath: "\(parent)/config.yaml") ? parent : nil
    } else {
      throw TrainingError(
        "\(target): neither a run directory (no checkpoints/latest/state.json) nor a checkpoint (no state.json)")
    }
    guard let configPath = config ?? runDirectory.map({ "\($0)/config.yaml" }) else {
      throw TrainingError("\(checkpoint): no config.yaml two levels up; give the run config with --config")
    }
    return (checkpoint, configPath)
  }

  /// Episode reward (all agents and the planner), each policy's mean agent return, episode
  /// length, then every episode metric in the environment's order.
  public var rows: [Row] {
    var names: [String] = ["episode_reward"] + policies.map { "policy_reward/\($0)" } + ["episode_length"]
    var values: [[Double]] = [
      episodes.map { $0.returns.flatMap { $0 }.reduce(0, +) }
    ]
    for k in policies.indices {
      values.append(
        episodes.map { e in e.returns[k].isEmpty ? 0 : e.returns[k].reduce(0, +) / Double(e.returns[k].count) })
    }
    values.append(episodes.map { Double($0.length) })
    for (key, _) in episodes.first?.record.metrics ?? [] {
      names.append(key)
      values.append(episodes.map { e in e.record.metrics.first { $0.key == key }?.value ?? .nan })
    }
    return zip(names, values).map { name, all in
      let s = Evaluation.summary(all)
      return Row(name: name, mean: s.mean, std: s.std)
    }
  }

  /// Mean and sample standard deviation (0 for one value), skipping NaN.
  ///
  /// A metric without a value in an episode (a price with no trades) is NaN there; both are
  /// NaN when nothing is left.
  static func summary(_ values: [Double]) -> (mean: Double, std: Double) {
    let xs = values.filter { !$0.isNaN }
    guard !xs.isEmpty else { return (.nan, .nan) }
    let n = Double(xs.count)
    let mean = xs.reduce(0, +) / n
    let variance = xs.count > 1 ? xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
    return (mean, variance.squareRoot())
  }

  /// Environments stepped together to play `episodes` episodes: not tied to the core count,
  /// so that results do not depend on the machine.
  static func envCount(episodes: Int) -> Int { max(1, min(episodes, 8)) }

  /// Whether a metric key names one agent's number (`endow/0/Coin`, `util/p`, `Trade/3/...`):
  /// some component after the first is an agent index without leading zeros, or `p`.
  public static func isPerAgent(_ key: String) -> Bool {
    key.split(separator: "/").dropFirst().contains { part in
      part == "p" || (part.allSatisfy(\.isNumber) && (part == "0" || part.first != "0"))
    }
  }

  /// The table as aligned text; without `perAgent`, only totals and social metrics.
  public func table(perAgent: Bool) -> String {
    let rows = self.rows.filter { row in
      perAgent || row.name.hasPrefix("policy_reward/") || !Self.isPerAgent(row.name)
    }
    let width = max(6, rows.map(\.name.count).max() ?? 0)
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    var lines = ["\(pad("metric"))  \("mean".leftPadded(14))     std"]
    for r in rows {
      lines.append(
        "\(pad(r.name))  \(String(format: "%.4f", r.mean).leftPadded(14)) ± \(String(format: "%.4f", r.std))")
    }
    return lines.joined(separator: "\n")
  }

  /// Writes `DIR/evaluation.json` (summary and per-episode numbers) and the episodes' dense
  /// logs as `DIR/dense_logs/episode_<i>.json`, atomically.
  public func write(to directory: String) throws {
    let logs = "\(directory)/dense_logs"
    try Directory.create(logs)
    for (i, e) in episodes.enumerated() {
      guard let bytes = e.record.denseLog else { continue }
      try AtomicFile.write(bytes, to: "\(logs)/episode_\(String(format: "%03d", i)).json")
    }
    var summary = ResultRecord()
    summary.set("checkpoint", .string(checkpoint))
    if let iteration { summary.set("iteration", .int(iteration)) }
    if let envSteps { summary.set("env_steps", .int(envSteps)) }
    summary.set("actions", .string(greedy ? "greedy" : "sampled"))
    summary.set("episodes", .int(episodes.count))
    var table = ResultRecord()
    for r in rows {
      var entry = ResultRecord()
      entry.set("mean", .double(r.mean))
      entry.set("std", .double(r.std))
      table.set(r.name, .record(entry))
    }
    summary.set("summary", .record(table))
    var perEpisode = ResultRecord()
    for (i, e) in episodes.enumerated() {
      var entry = ResultRecord()
      entry.set("env", .int(e.record.env))
      entry.set("length", .int(e.length))
      for (k, p) in policies.enumerated() {
        var returns = ResultRecord()
        for (agent, value) in e.returns[k].enumerated() { returns.set("\(agent)", .double(value)) }
        entry.set("returns/\(p)", .record(returns))
      }
      for (key, value) in e.record.metrics { entry.set(key, .double(value)) }
      perEpisode.set(String(format: "%03d", i), .record(entry))
    }
    summary.set("episode", .record(perEpisode))
    try AtomicFile.write(Array((summary.json + "\n").utf8), to: "\(directory)/evaluation.json")
  }
}

extension TrainerConfig {
  /// Sizes the trainer for inference on `envs` environments only: no rollouts or minibatches
  /// worth keeping.
  mutating func sizeForInference(envs: Int) {
    numWorkers = 1
    numEnvsPerWorker = envs
    rolloutFragmentLength = 1
    trainBatchSize = 1
    sgdMinibatchSize = 1
  }
}

extension String {
  /// The string right-aligned in `width` characters.
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
