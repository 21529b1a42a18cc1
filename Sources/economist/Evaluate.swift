import ArgumentParser
import EconomyEnv
import EconomyTraining
import EnvContract
import Foundation

/// `economist evaluate`: trained policies for whole episodes, dense logs and a metrics table.
struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run trained policies for whole episodes: dense logs and a metrics table (mean ± std).",
    discussion: """
      TARGET is a run directory (its checkpoints/latest is used) or a checkpoint directory \
      (checkpoints/latest, checkpoints/step_N). Writes evaluation.json (summary and every \
      episode's returns and metrics) and dense_logs/episode_<i>.json to --out (default: \
      TARGET/evaluation). Nothing is learned.
      """)

  @Argument(help: "A run directory or a checkpoint directory.")
  var target: String

  @Option(parsing: .unconditional, help: "Episodes to play.")
  var episodes = 4

  @Flag(help: "Take the most likely allowed action instead of sampling.")
  var greedy = false

  @Option(help: "The run config (default: the run directory's config.yaml).")
  var config: String?

  @Option(parsing: .unconditional, help: "Seed of the evaluation episodes.")
  var seed: UInt64 = 1

  @Option(parsing: .unconditional, help: "Worker threads (default: the machine's cores).")
  var threads: Int?

  @Flag(help: "Also print every agent's metrics (evaluation.json always has them).")
  var perAgent = false

  @Option(help: "Output directory (default: TARGET/evaluation).")
  var out: String?

  func validate() throws {
    guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1, found \(episodes)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
  }

  func run() throws {
    let evaluation: Evaluation
    do {
      evaluation = try Evaluation(
        target: target, config: config, episodes: episodes, greedy: greedy, seed: seed, threads: threads)
    } catch {
      throw ExitMessage(text: "\(error)")
    }
    let directory = out ?? "\(target)/evaluation"
    try evaluation.write(to: directory)
    var header =
      "evaluated \(evaluation.episodes.count) episodes (\(greedy ? "greedy" : "sampled") actions) of \(evaluation.checkpoint)"
    if let i = evaluation.iteration, let s = evaluation.envSteps { header += " (iteration \(i), \(s) env steps)" }
    print(header)
    print(evaluation.table(perAgent: perAgent))
    print("written: \(directory)/evaluation.json, \(directory)/dense_logs/")
  }
}
