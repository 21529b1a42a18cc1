import ArgumentParser
import EconomyEnv
import EconomyTraining
import EnvContract
import Foundation
import RL

/// `economist train`: two-policy PPO on a run config, with a run directory.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train the agents' and the planner's policies with PPO.",
    discussion: """
      CONFIG is a Foundation run config (env, general, agent_policy, planner_policy, trainer). \
      The run directory receives config.yaml, params.json, result.json, progress.csv, \
      checkpoints/ and dense_logs/. Stops at general.episodes, general.max_env_steps, \
      general.max_wall_seconds, general.stop_metric/stop_value, or --iterations.
      """)

  @Argument(help: "The run config (YAML).")
  var config: String

  @Option(help: "The run directory.")
  var runDir: String

  @Flag(help: "Continue from the run directory's latest checkpoint.")
  var resume = false

  @Flag(help: "Start a new run in a directory that holds one (the old run is moved to RUN_DIR.old).")
  var overwrite = false

  @Option(parsing: .unconditional, help: "The run seed (default: trainer.seed, else 0).")
  var seed: UInt64?

  @Option(parsing: .unconditional, help: "Worker threads (default: trainer.threads, else the machine's cores).")
  var threads: Int?

  @Option(parsing: .unconditional, help: "Stop after this many iterations in this process.")
  var iterations: Int?

  func validate() throws {
    if let iterations, iterations < 0 {
      throw ValidationError("--iterations must be at least 0 (0 sets up the run without training), found \(iterations)")
    }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
  }

  func run() throws {
    let run = try TrainingRun(
      configPath: config, directory: runDir, seed: seed, resume: resume, overwrite: overwrite, threads: threads)
    if let aside = run.movedAside { print("moved the earlier run in \(runDir) to \(aside)") }
    for repair in run.logRepairs { printError("note: \(repair)") }
    for w in run.config.warnings { printError("warning: \(w)") }
    if let note = run.curriculum.note { printError("note: \(note)") }
    if let note = TrainingRun.blasNote { printError("note: \(note)") }
    let shards = run.config.training.trainer.shards
    if run.threads > shards {
      printError(
        "note: \(run.threads) threads but trainer.shards is \(shards), so at most \(shards) work at once; set shards: \(run.threads) to use them all (results then differ from runs with shards: \(shards))"
      )
    }
    let t = run.trainer
    print(
      "training \(t.policies.map { "'\($0)'\(t.trained[t.policies.firstIndex(of: $0) ?? 0] ? "" : " (fixed)")" }.joined(separator: ", ")) on \(run.config.training.trainer.envCount) envs, \(t.stepsPerIteration) steps per env per iteration"
    )
    fflush(nil)
    let reason = try run.run(maxIterations: iterations) { result in
      print(progressLine(run, result))
      fflush(nil)  // each line reaches a redirected log as it happens (stdout is block-buffered there)
    }
    print("stopped: \(reason); \(t.iteration) iterations, \(t.envSteps) env steps, \(t.episodes) episodes")
    print("run directory: \(runDir)")
  }
}

/// One line per iteration: iteration, env steps, speed, reward per policy, social metrics.
func progressLine(_ run: TrainingRun, _ result: Trainer.IterationResult) -> String {
  let t = run.trainer
  var parts = ["iter \(t.iteration)", "steps \(t.envSteps)"]
  let sps =
    Double(t.stepsPerIteration * run.config.training.trainer.envCount) / (result.sampleSeconds + result.learnSeconds)
  parts.append(String(format: "%.0f steps/s", sps))
  for p in t.policies {
    if let r = t.policyRewardMean(p) { parts.append("reward \(p.name) " + String(format: "%.2f", r)) }
  }
  if let v = t.episodeMetric("social/productivity") { parts.append(String(format: "productivity %.1f", v)) }
  if let v = t.episodeMetric("social/equality") { parts.append(String(format: "equality %.3f", v)) }
  if let limit = run.config.training.general.maxEnvSteps, sps > 0 {
    parts.append(String(format: "ETA %.0f s", Double(max(0, limit - t.envSteps)) / sps))
  }
  return parts.joined(separator: " | ")
}

/// Writes a line to standard error.
func printError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}
