import ArgumentParser
import Economy
import EconomyEnv
import EconomyTraining
import EnvContract
import Foundation
import RL

struct Simulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run episodes with uniformly random valid actions and print their metrics.")

  @Argument(help: "A config file: Foundation's env section or a full run config (YAML).")
  var config: String

  @Option(parsing: .unconditional, help: "Number of episodes.")
  var episodes = 1

  @Option(parsing: .unconditional, help: "Seed of the first episode; episode i uses seed + i.")
  var seed: UInt64 = 0

  @Option(help: "Directory for dense logs (episode_NNN.json, or .lz4 with --lz4).")
  var denseLog: String?

  @Flag(help: "Write dense logs as LZ4-framed JSON, Foundation's format.")
  var lz4 = false

  func validate() throws {
    guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1, found \(episodes)") }
    guard UInt64(episodes - 1) <= UInt64.max - seed else {
      throw ValidationError(
        "--seed \(seed) with \(episodes) episodes passes the largest seed (\(UInt64.max)): episode i uses seed + i; give a smaller --seed"
      )
    }
    if denseLog?.isEmpty == true { throw ValidationError("--dense-log needs a directory, found an empty name") }
    if lz4 && denseLog == nil {
      throw ValidationError("--lz4 compresses the dense logs that --dense-log DIR writes; give --dense-log too")
    }
  }

  func run() throws {
    var env = EconomyMultiAgentEnv(environment: try loadEnvironment(config))
    env.denseLog = denseLog != nil ? true : nil
    if denseLog != nil, let problem = env.environment.denseLogMemoryProblem(logs: 1, for: "an episode") {
      throw ExitMessage(text: "\(config): \(problem)")
    }
    var table = MetricsTable(firstSeed: seed)
    let length = env.environment.config.episodeLength
    let steps = episodes.multipliedReportingOverflow(by: length)
    let progress = Progress(total: steps.overflow ? Int.max : steps.partialValue)
    for e in 0..<episodes {
      let summary = try runRandomEpisode(&env, seed: seed &+ UInt64(e))
      progress.advance(by: length)
      if let dir = denseLog, let log = summary.denseLog {
        let path = (dir as NSString).appendingPathComponent(String(format: "episode_%03d.%@", e, lz4 ? "lz4" : "json"))
        try DenseLog.write(bytes: log.jsonBytes(), path: path)
      }
      table.add(summary)
    }
    progress.finish()
    print(table.render())
    if let dir = denseLog { print("dense logs written to \(dir)") }
  }
}

/// Runs one episode through the multi-agent adapter with uniformly random valid actions drawn
/// from the masks (the sampler's seed is derived from `seed`, as in `EpisodeRunner`).
func runRandomEpisode(_ env: inout EconomyMultiAgentEnv, seed: UInt64) throws -> EpisodeSummary {
  _ = env.reset(seed: seed)
  var sampler = RandomActions(seed: EconomyRNG.deriveSeed(seed, stream: EpisodeRunner.samplerStream))
  while true {
    let result = try env.step(env.randomActions(&sampler))
    if result.truncated["__all__"] == true || result.terminated["__all__"] == true { break }
  }
  guard let summary = env.environment.lastEpisode else {
    throw ExitMessage(text: "internal error: the episode ended without a summary")
  }
  return summary
}

/// Loads an environment, printing config errors as they are (they name file, line and key).
func loadEnvironment(_ path: String) throws -> Environment {
  do {
    return try Environment(configFile: path)
  } catch {
    throw ExitMessage(text: error.description)
  }
}

/// An error whose text is printed as is, with exit code 1.
struct ExitMessage: Error, CustomStringConvertible {
  let text: String
  var description: String { text }
}

/// A progress line on standard error for runs longer than a couple of seconds.
final class Progress {
  let total: Int
  var done = 0
  let start = Date()
  var lastPrint = Date()
  var printed = false

  init(total: Int) { self.total = total }

  func advance(by n: Int) {
    done += n
    let now = Date()
    guard now.timeIntervalSince(start) > 2, now.timeIntervalSince(lastPrint) > 0.5 else { return }
    lastPrint = now
    printed = true
    let rate = Double(done) / now.timeIntervalSince(start)
    let eta = Double(total - done) / max(rate, 1)
    FileHandle.standardError.write(
      String(
        format: "\r%d/%d steps (%.0f%%), %.0f steps/s, %.0f s left   ", done, total,
        100 * Double(done) / Double(total), rate, eta
      ).data(using: .utf8) ?? Data())
  }

  func finish() {
    if printed { FileHandle.standardError.write("\n".data(using: .utf8) ?? Data()) }
  }
}

/// The episode metrics table printed by `simulate`.
///
/// A row per episode for the first ``shownRows``, then the mean over all of them. Memory stays
/// constant however many episodes run (the summaries themselves are not kept).
struct MetricsTable {
  /// What the two welfare columns are, printed under the table.
  static let legend =
    "eq×prod: equality × productivity, the paper's figure. eq×prod/N: Foundation's metric social_welfare/coin_eq_times_productivity, equality × productivity / number of agents (with planner_reward_type coin_eq_times_productivity, the planner's rewards add up to its change over the episode)."
  /// Episodes listed one per row; later ones count in the mean only.
  static let shownRows = 100
  static let headers = [
    "episode", "seed", "productivity", "equality", "eq×prod", "eq×prod/N", "trades", "houses", "taxes",
  ]

  let firstSeed: UInt64
  private var table: [[String]] = []
  private var episodes = 0
  /// Per metric column, the sum and count of the printed values.
  private var sums = [(sum: Double, count: Int)](repeating: (0, 0), count: headers.count)

  init(firstSeed: UInt64) { self.firstSeed = firstSeed }

  /// Adds an episode's row (printed while fewer than ``shownRows`` are) and its values to the
  /// means.
  mutating func add(_ s: EpisodeSummary) {
    func fmt(_ v: Double?, _ digits: Int = 2) -> String {
      guard let v else { return "-" }
      return String(format: "%.\(digits)f", v)
    }
    let prod = s.metric("social/productivity")
    let eq = s.metric("social/equality")
    let eqProd = prod.flatMap { p in eq.map { $0 * p } }
    let row = [
      String(episodes), String(firstSeed &+ UInt64(episodes)), fmt(prod), fmt(eq, 4), fmt(eqProd),
      fmt(s.metric("social_welfare/coin_eq_times_productivity")), fmt(s.metric("Trade/n_trades"), 0),
      fmt(s.metric("Build/total_builds"), 0), fmt(s.metric("PeriodicTax/total_collected_taxes")),
    ]
    for col in 2..<row.count {
      if let v = Double(row[col]) { sums[col] = (sums[col].sum + v, sums[col].count + 1) }
    }
    if episodes < Self.shownRows { table.append(row) }
    episodes += 1
  }

  /// The table, the mean row (with more than one episode) and the legend.
  func render() -> String {
    let headers = Self.headers
    var table = self.table
    if episodes > Self.shownRows {
      table.append(["…", "", "\(episodes - Self.shownRows) more episodes, in the mean"])
    }
    if episodes > 1 {
      var mean: [String] = ["mean", ""]
      for col in 2..<headers.count {
        let (sum, count) = sums[col]
        mean.append(count == 0 ? "-" : String(format: col == 3 ? "%.4f" : "%.2f", sum / Double(count)))
      }
      table.append(mean)
    }
    var widths = headers.map(\.count)
    for row in table where row.first != "…" {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      if cells.first == "…" { return cells.filter { !$0.isEmpty }.joined(separator: " ") }
      return cells.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c }
        .joined(separator: "  ")
    }
    return
      ([line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + table.map(line)
      + [Self.legend])
      .joined(separator: "\n")
  }
}
