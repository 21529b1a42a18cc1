// A training run on a directory: config, trainer, result logs, checkpoints, dense logs,
// stopping rules and resume.

import Basics
import Economy
import EconomyEnv
import EnvContract
import Foundation
import NN
import RL

/// Trains the policies of a run config and keeps everything in a run directory.
///
/// Layout of `runDirectory`:
/// - `config.yaml`: the config file as given; `params.json`: the resolved training settings.
/// - `result.json` and `progress.csv`: one record per iteration.
/// - `checkpoints/latest/` and `checkpoints/step_<env steps>/` (every `ckpt_frequency_steps`).
/// - `dense_logs/logs_<env steps>/env<i>.json`: dense logs of finished episodes, when the env
///   config's `dense_log_frequency` asks for them.
///
/// With `tax_model: saez`, the envs' Saez samples are pooled after each iteration that finished
/// episodes (``EconomyVectorEnv/poolSaezBuffers()``), as in Foundation's training script.
public final class TrainingRun {
  /// The loaded config.
  public let config: RunConfig
  /// The run directory.
  public let directory: String
  /// The trainer.
  public let trainer: Trainer
  /// Worker threads.
  public let threads: Int
  /// Where the per-env curriculum schedules land in global env steps with this run's envs.
  public let curriculum: CurriculumTimeline
  let log: ResultLog
  let vectorEnv: EconomyVectorEnv
  var lastKeptCheckpoint = 0
  let started = Date()
  /// Wall seconds of the processes before a resume (their last `time_total_s`), so that
  /// `time_total_s` counts the whole run, as RLlib's does after a restore.
  var earlierSeconds = 0.0
  /// Where an earlier run in the directory was moved (with `overwrite`), if there was one.
  public let movedAside: String?
  /// What resuming changed in `result.json` and `progress.csv` beyond keeping the iterations up
  /// to the checkpoint (see ``ResultLog/repairs``).
  public var logRepairs: [String] { log.repairs }

  /// The entries of a run directory that this type writes; any of them means a run is there.
  public static let runEntries = [
    "config.yaml", "params.json", ResultLog.resultFileName, ResultLog.progressFileName, "checkpoints", "dense_logs",
  ]

  /// Sets up a run; with `resume`, continues from `checkpoints/latest`.
  ///
  /// A directory that already holds a run (any of ``runEntries``) is never written over: without
  /// `resume` the call throws, unless `overwrite` asks to start anew, and then the old run is
  /// first moved aside to `<directory>.old` (`.old-2`, `.old-3`, … when taken; see
  /// ``movedAside``), whole.
  ///
  /// `seed` overrides `trainer.seed` (0 when neither is given); `threads` overrides
  /// `trainer.threads` (default: the machine's cores).
  ///
  /// - Throws: ``ConfigError``, ``TrainingError`` or ``CheckpointError`` with a clear message.
  public init(
    configPath: String, directory: String, seed: UInt64?, resume: Bool, overwrite: Bool = false, threads: Int? = nil
  ) throws {
    config = try RunConfig.load(path: configPath)
    movedAside = try Self.prepare(directory: directory, resume: resume, overwrite: overwrite)
    self.directory = directory
    let training = config.training
    let seed = seed ?? training.trainer.seed ?? 0
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let threadCount = max(1, min(threads ?? training.trainer.threads ?? cores, training.trainer.envCount))
    let fm = FileManager.default
    let latest = "\(directory)/checkpoints/latest"
    if resume && Trainer.existingCheckpoint(at: latest) == nil {
      throw TrainingError("--resume: no checkpoint at \(latest)/state.json")
    }
    let pool = WorkerPool(threads: threadCount)
    self.threads = threadCount
    let environment = try Environment(config: config.env)
    curriculum = CurriculumTimeline(environment: environment, envs: training.trainer.envCount)
    vectorEnv = try EconomyVectorEnv(
      environment: environment, envs: training.trainer.envCount, threads: threadCount,
      keepDenseLogs: config.env.denseLogFrequency != nil, denseLogEnvs: Self.denseLogEnvs, pool: pool)
    trainer = try Trainer(env: vectorEnv, config: training, seed: seed, pool: pool)
    // Only now, when the run is known to start, does the directory appear.
    try Directory.create("\(directory)/checkpoints")
    if resume {
      try trainer.restoreCheckpoint(from: latest)
      lastKeptCheckpoint = trainer.envSteps
    } else {
      for (key, policy, path) in [
        ("restore_tf_weights_agents", PolicyID.agents, training.general.restoreAgents),
        ("restore_tf_weights_planner", PolicyID.planner, training.general.restorePlanner),
      ] {
        guard let path else { continue }
        let exists =
          path.hasSuffix(".safetensors")
          ? fm.fileExists(atPath: path) : fm.fileExists(atPath: "\(path)/\(policy).safetensors")
        guard exists else {
          throw TrainingError(
            "\(configPath): general.\(key): no checkpoint at '\(path)' (relative paths are from the current directory; train the earlier phase first, or point at its run's checkpoints/latest)"
          )
        }
        try trainer.loadWeights(policy: policy, from: path)
      }
      try AtomicFile.write(
        Self.selfContainedConfig(configPath, env: config.env, directory: directory), to: "\(directory)/config.yaml")
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try AtomicFile.write([UInt8](try encoder.encode(training)), to: "\(directory)/params.json")
    }
    let resumedIteration = trainer.iteration
    if resume, let records = try? ResultLog.readResults(path: "\(directory)/\(ResultLog.resultFileName)"),
      let last = records.last(where: { $0[path: "training_iteration"] == .int(resumedIteration) })
    {
      switch last[path: "time_total_s"] {
      case .double(let s)?: earlierSeconds = s
      case .int(let s)?: earlierSeconds = Double(s)
      default: break
      }
    }
    log = try ResultLog(directory: directory, resumeAfterIteration: resume ? trainer.iteration : nil)
  }

  /// The run config's text for the run directory, with the layout file it plays on copied
  /// beside it (a layout given by a path relative to the config would not be found from the
  /// run directory, so `evaluate RUN` and `--resume` would fail once the config moves).
  ///
  /// The layout is copied as `<directory>/<its file name>`; when the config named it with a
  /// path, `env_layout_file` in the copy is rewritten to the file name. Built-in layouts need
  /// nothing.
  static func selfContainedConfig(_ configPath: String, env: EnvironmentConfig, directory: String) throws -> String {
    let text = String(decoding: try FileBytes.contents(of: configPath), as: UTF8.self)
    guard env.scenario == .layoutFromFile else { return text }
    let name = env.parameters.envLayoutFile
    let layout = try LayoutFile.load(name, configDirectory: env.directory)
    guard !layout.origin.hasPrefix("built-in ") else { return text }
    var copy = (layout.origin as NSString).lastPathComponent
    if runEntries.contains(copy) { copy = "layout-" + copy }
    try AtomicFile.write(try FileBytes.contents(of: layout.origin), to: "\(directory)/\(copy)")
    guard copy != name else { return text }
    guard let location = try? env.envNode.mapping().first(where: { $0.key == "env_layout_file" })?.node.location,
      let line = location.line, let column = location.column
    else { return text }  // the default name has no path: the copy is found under it
    var lines = text.components(separatedBy: "\n")
    guard line <= lines.count else { return text }
    var scalars = Array(lines[line - 1].unicodeScalars)
    let start = column - 1
    let quoted = start < scalars.count && (scalars[start] == "\"" || scalars[start] == "'")
    let written = Array((quoted ? String(scalars[start]) + name + String(scalars[start]) : name).unicodeScalars)
    guard start + written.count <= scalars.count, Array(scalars[start..<(start + written.count)]) == written else {
      throw TrainingError(
        "\(configPath):\(line):\(column): cannot find env_layout_file's value '\(name)' to point it at the run directory's copy"
      )
    }
    let replacement = quoted ? String(scalars[start]) + copy + String(scalars[start]) : copy
    scalars.replaceSubrange(start..<(start + written.count), with: Array(replacement.unicodeScalars))
    lines[line - 1] = String(String.UnicodeScalarView(scalars))
    return lines.joined(separator: "\n")
  }

  /// Checks that `directory` may receive a run and moves an earlier run aside when `overwrite`
  /// asks for it; returns where it went.
  static func prepare(directory: String, resume: Bool, overwrite: Bool) throws -> String? {
    if resume && overwrite {
      throw TrainingError(
        "--resume continues the run in \(directory) and --overwrite replaces it; give one of them")
    }
    let fm = FileManager.default
    let present = runEntries.filter { fm.fileExists(atPath: "\(directory)/\($0)") }
    guard !resume, !present.isEmpty else { return nil }
    var aside = directory + ".old"
    var n = 2
    while fm.fileExists(atPath: aside) {
      aside = "\(directory).old-\(n)"
      n += 1
    }
    guard overwrite else {
      throw TrainingError(
        "\(directory) already holds a training run (\(present.joined(separator: ", "))): --resume continues it, --overwrite moves it to \(aside) and starts a new run, or choose another --run-dir"
      )
    }
    do {
      try fm.moveItem(atPath: directory, toPath: aside)
    } catch {
      throw TrainingError("cannot move the earlier run \(directory) to \(aside): \(error.localizedDescription)")
    }
    return aside
  }

  /// What to tell the user about OpenBLAS's kernels: that `economist` restarted itself with
  /// better ones than OpenBLAS chose, or that it runs kernels older than this CPU supports; nil
  /// when OpenBLAS's own choice fits.
  ///
  /// OpenBLAS releases older than a CPU fall back to their `Prescott` (SSE3) kernels. On this
  /// project's 2-core Sapphire Rapids machine with Debian's OpenBLAS 0.3.21 that gave a 65
  /// GFLOP/s sgemm peak against 226–286 with `OPENBLAS_CORETYPE=SkylakeX`, and phase 1 trained
  /// 1.7× faster with the latter.
  public static var blasNote: String? {
    let rounding = "Each kernel set rounds differently, so a run's results depend on it as they do on the seed."
    if let chosen = BLAS.replacedCoreName {
      return
        "OpenBLAS runs its \(BLAS.coreName) kernels: it chose \(chosen), older than this CPU, so economist restarted with OPENBLAS_CORETYPE=\(BLAS.coreName) (set OPENBLAS_CORETYPE yourself to choose). \(rounding)"
    }
    guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let better = BLAS.betterCoreType() else {
      return nil  // OpenBLAS's choice fits, or the user chose
    }
    return
      "OpenBLAS runs its \(BLAS.coreName) kernels on this CPU, which can run its \(better) ones: start with OPENBLAS_CORETYPE=\(better) to train faster (1.7× for phase 1 on a Sapphire Rapids machine). \(rounding)"
  }

  /// The environments whose dense logs a run keeps: envs 0–3, as Foundation's training script
  /// writes `env000`–`env003` (all 30 would be 58 MB of JSON every `dense_log_frequency`
  /// episodes, 2.4 GB over phase 1).
  public static let denseLogEnvs = 4

  /// Why training stopped.
  public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// `general.episodes` reached.
    case episodes(Int)
    /// `general.max_env_steps` reached.
    case envSteps(Int)
    /// `general.max_wall_seconds` reached.
    case wallTime(Double)
    /// `general.stop_metric` reached `stop_value`.
    case metric(String, Double)
    /// The iteration limit given by the caller.
    case iterations(Int)

    /// A sentence for the summary.
    public var description: String {
      switch self {
      case .episodes(let n): "reached \(n) episodes"
      case .envSteps(let n): "reached \(n) env steps"
      case .wallTime(let s): "reached the wall-time limit of \(s) s"
      case .metric(let m, let v): "\(m) reached \(v)"
      case .iterations(let n): "ran \(n) iterations"
      }
    }
  }

  /// The first stopping rule that holds now, if any.
  func stopReason(maxIterations: Int?, iterationsThisProcess: Int) -> StopReason? {
    let g = config.training.general
    if let n = g.episodes, trainer.episodes >= n { return .episodes(n) }
    if let n = g.maxEnvSteps, trainer.envSteps >= n { return .envSteps(n) }
    if let s = g.maxWallSeconds, Date().timeIntervalSince(started) >= s { return .wallTime(s) }
    if let m = g.stopMetric, let v = g.stopValue, let current = metric(m), current >= v { return .metric(m, v) }
    if let n = maxIterations, iterationsThisProcess >= n { return .iterations(n) }
    return nil
  }

  /// The smoothed value of a stop metric.
  func metric(_ name: String) -> Double? {
    if name.hasPrefix("episode_reward_mean/") {
      let policyName = name.dropFirst(20)
      return trainer.policies.first { $0.name == policyName }.flatMap(trainer.policyRewardMean)
    }
    if name == "social/equality_times_productivity" {
      guard let e = trainer.episodeMetric("social/equality"), let p = trainer.episodeMetric("social/productivity")
      else { return nil }
      return e * p
    }
    return trainer.episodeMetric(name)
  }

  /// Trains until a stopping rule holds, calling `progress` after every iteration.
  @discardableResult
  public func run(maxIterations: Int? = nil, progress: (Trainer.IterationResult) -> Void = { _ in }) throws
    -> StopReason
  {
    var done = 0
    while true {
      if let reason = stopReason(maxIterations: maxIterations, iterationsThisProcess: done) {
        try checkpoint(force: true)
        return reason
      }
      var result = try trainer.step()
      // Foundation's training script pools the Saez samples of all envs after each iteration
      // that finished episodes.
      if !result.episodes.isEmpty { try vectorEnv.poolSaezBuffers() }
      if case .record(var metrics)? = result.record[path: "episode_metrics"], metrics[path: "social/equality"] != nil {
        let e = trainer.episodeMetric("social/equality")
        let p = trainer.episodeMetric("social/productivity")
        metrics.set("social/equality_times_productivity", .double(e.flatMap { e in p.map { e * $0 } } ?? .nan))
        result.record.set("episode_metrics", .record(metrics))
      }
      result.record.set("time_total_s", .double(earlierSeconds + Date().timeIntervalSince(started)))
      try log.append(result.record, iteration: trainer.iteration)
      try writeDenseLogs(result.episodes)
      try checkpoint(force: false)
      done += 1
      progress(result)
    }
  }

  /// Writes `latest` after every iteration and a kept copy every `ckpt_frequency_steps`.
  func checkpoint(force: Bool) throws {
    try trainer.saveCheckpoint(to: "\(directory)/checkpoints/latest")
    let every = config.training.general.ckptFrequencySteps
    if every > 0 && (trainer.envSteps - lastKeptCheckpoint >= every || (force && trainer.envSteps > lastKeptCheckpoint))
    {
      try trainer.saveCheckpoint(to: "\(directory)/checkpoints/step_\(zeroPadded(trainer.envSteps, 12))")
      lastKeptCheckpoint = trainer.envSteps
    }
  }

  /// Writes the dense logs the envs kept.
  func writeDenseLogs(_ episodes: [EpisodeRecord]) throws {
    let logs = episodes.filter { $0.denseLog != nil }
    guard !logs.isEmpty else { return }
    let dir = "\(directory)/dense_logs/logs_\(zeroPadded(trainer.envSteps, 16))"
    try Directory.create(dir)
    for record in logs {
      guard let bytes = record.denseLog else { continue }
      try AtomicFile.write(bytes, to: "\(dir)/env\(String(format: "%03d", record.env)).json")
    }
  }
}

/// `value` in decimal, padded with zeros to `width` digits (`%012d` prints only 32 bits on
/// Linux: 3,000,000,000 env steps became `step_-01294967296`).
func zeroPadded(_ value: Int, _ width: Int) -> String {
  let digits = String(value)
  return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
