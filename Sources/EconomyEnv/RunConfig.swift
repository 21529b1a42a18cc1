// A whole Foundation run config: the env section plus the typed training settings.

import Economy
import EnvContract

/// A Foundation run config: the environment (`env:`) and the training settings (`general:`,
/// `agent_policy:`, `planner_policy:`, `trainer:`), read with RLlib's key names and defaults.
///
/// Foundation's phase 1 and phase 2 configs load unchanged. RLlib keys that have no effect here
/// (`general.cpus`, `trainer.tf_session_args`, …) are accepted and listed in ``warnings``; those
/// that would change behaviour Economist does not have (`trainer.batch_mode: complete_episodes`)
/// are errors. A file holding only the env section loads with the default training settings.
///
/// ```swift
/// let run = try RunConfig.load(path: "phase2/config.yaml")
/// run.warnings.forEach { print($0) }
/// let lr = run.training.plannerPolicy.lr(at: 0)
/// ```
public struct RunConfig: Sendable {
  /// The environment: Foundation's `env:` section.
  public var env: EnvironmentConfig
  /// The training settings; RLlib's defaults for absent keys and sections.
  public var training: TrainingConfig
  /// Notes for the user, such as the keys accepted without effect; empty when there are none.
  public var warnings: [String]

  /// The metrics `general.stop_metric` may name, in the order error messages list them.
  public static let stopMetrics = [
    "episode_reward_mean/a", "episode_reward_mean/p", "social/productivity", "social/equality",
    "social/equality_times_productivity",
  ]

  /// Loads a run config file.
  ///
  /// - Parameter path: The file; it is also the file name used in messages.
  /// - Returns: The config.
  /// - Throws: ``ConfigError`` listing every problem in every section, each with the file, line
  ///   and key path.
  public static func load(path: String) throws(ConfigError) -> RunConfig {
    try assemble(
      file: path,
      env: { () throws(ConfigError) in try EnvironmentConfig.load(path: path) },
      root: { () throws(ConfigError) in try ConfigNode.load(file: path) })
  }

  /// Parses run config text.
  ///
  /// - Parameters:
  ///   - yaml: The document text.
  ///   - file: The file name for messages and for finding layouts beside it; `nil` for text
  ///     that has no file.
  /// - Returns: The config.
  /// - Throws: ``ConfigError`` listing every problem in every section, each with the file, line
  ///   and key path.
  public static func parse(yaml: String, file: String?) throws(ConfigError) -> RunConfig {
    try assemble(
      file: file,
      env: { () throws(ConfigError) in try EnvironmentConfig.parse(yaml: yaml, file: file) },
      root: { () throws(ConfigError) in try ConfigNode.load(yaml: yaml, file: file) })
  }

  /// Reads the env section with `env` and the run sections, and throws every problem of both.
  ///
  /// - Parameters:
  ///   - file: The file name for the warning.
  ///   - env: Reads the env section (and finds the run sections).
  ///   - root: Parses the document again, to find the run sections when `env` fails.
  /// - Returns: The config.
  /// - Throws: ``ConfigError`` with the problems of all sections.
  private static func assemble(
    file: String?,
    env: () throws(ConfigError) -> EnvironmentConfig,
    root: () throws(ConfigError) -> ConfigNode
  ) throws(ConfigError) -> RunConfig {
    var issues: [ConfigIssue] = []
    var environment: EnvironmentConfig?
    var sections: [(name: String, node: ConfigNode)] = []
    do throws(ConfigError) {
      let parsed = try env()
      environment = parsed
      sections = parsed.otherSections
    } catch {
      // Still read the run sections, so that the user sees all problems at once.
      issues = error.issues
      if let node = try? root() { sections = runSections(of: node) }
    }
    var reader = RunSectionReader()
    let training = reader.read(sections)
    issues += reader.issues
    guard let environment, issues.isEmpty else { throw ConfigError(issues: issues) }
    return RunConfig(env: environment, training: training, warnings: warnings(reader, file: file))
  }

  /// The run sections of a document whose env section could not be read, in file order.
  ///
  /// A document without an `env:` key is an env section alone and has none.
  private static func runSections(of root: ConfigNode) -> [(name: String, node: ConfigNode)] {
    guard let top = try? root.mapping(), top.contains(where: { $0.key == "env" }) else {
      return []
    }
    return top.filter { EnvironmentConfig.runSections.contains($0.key) }
      .map { (name: $0.key, node: $0.node) }
  }

  /// One line naming every accepted-but-ignored key present, in file order; none if none.
  private static func warnings(_ reader: RunSectionReader, file: String?) -> [String] {
    guard !reader.ignored.isEmpty else { return [] }
    let prefix = file.map { "\($0): " } ?? ""
    return [prefix + "ignored (no effect in Economist): " + reader.ignored.joined(separator: ", ")]
  }
}
