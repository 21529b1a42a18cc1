import ArgumentParser
import EconomyEnv
import EconomyTraining
import EnvContract
import Foundation
import Plots

/// `economist compare`: the same agents under several tax settings, as a table and a chart.
struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compare tax policies: the same agents in the same world under several tax settings.",
    discussion: """
      Each SETTING is a config (a baseline such as scenarios/us_federal.yaml: its tax rules act) \
      or a training run directory (its trained planner sets the taxes). The agents are the \
      policy of --agents (a run or checkpoint directory), else a run setting's own agents, else \
      uniformly random valid actions. Every setting plays the same episode seeds. Writes \
      compare.md, compare.csv (productivity, equality, equality × productivity, \
      inverse-income-weighted utility: mean and std over episodes) and compare.png.
      """)

  @Argument(help: "Configs and run directories, one per setting.")
  var settings: [String]

  @Option(help: "A run or checkpoint directory whose agent policy 'a' plays in every setting.")
  var agents: String?

  @Option(parsing: .unconditional, help: "Episodes per setting.")
  var episodes = 4

  @Flag(help: "Take the most likely allowed action instead of sampling.")
  var greedy = false

  @Option(parsing: .unconditional, help: "Seed of the episodes (the same in every setting).")
  var seed: UInt64 = 1

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Episodes each setting plays before the measured ones, not tabulated.",
      discussion:
        "The Saez formula needs 500 (income, marginal rate) samples before it sets rates (random until then); warm-up episodes collect them, pooled across environments after each round as in training."
    ))
  var warmup = 0

  @Option(parsing: .unconditional, help: "Worker threads (default: the machine's cores; results do not depend on it).")
  var threads: Int?

  @Option(help: "Output directory.")
  var out = "out/compare"

  func validate() throws {
    guard !settings.isEmpty else { throw ValidationError("give at least one config or run directory") }
    guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1, found \(episodes)") }
    guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0, found \(warmup)") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
  }

  func run() throws {
    let comparison: Comparison
    do {
      comparison = try Comparison(
        sources: settings, agents: agents, episodes: episodes, warmup: warmup, greedy: greedy, seed: seed,
        threads: threads)
    } catch {
      throw ExitMessage(text: "\(error)")
    }
    let chart = ComparisonChart(
      settings: comparison.settings.map(\.name),
      metrics: Comparison.metrics.map { m in
        (m.title, comparison.settings.map { Comparison.summary(comparison.values($0, m)) })
      })
    let command = (["economist"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    do throws(PlotError) {
      try ChartFile(name: "compare.md", text: comparison.markdown).write(
        to: out, source: settings.joined(separator: " "), command: command)
      try ChartFile(name: "compare.csv", text: comparison.csv).write(
        to: out, source: settings.joined(separator: " "), command: command)
      try ChartFile(name: "compare.png", image: chart.figure().render().image()).write(
        to: out, source: settings.joined(separator: " "), command: command)
    } catch {
      throw ExitMessage(text: error.message)
    }
    print(comparison.markdown)
    print("written: \(out)/compare.md, \(out)/compare.csv, \(out)/compare.png")
  }
}
