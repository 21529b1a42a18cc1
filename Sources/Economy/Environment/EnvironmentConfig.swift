import Foundation

/// A parsed environment configuration: Foundation's env section (scenario, components, base
/// settings and scenario parameters).
///
/// A config file is either a Foundation run config (`env:` plus `general:`, `agent_policy:`,
/// `planner_policy:`, `trainer:`; the other sections are kept for the trainer) or just the env
/// section. Components are a list of single-key maps (`- Build: {payment: 10}`) or
/// `[name, {params}]` pairs, in step order.
public struct EnvironmentConfig: Sendable {
  /// The file the config came from, if any.
  public var file: String?
  /// The scenario.
  public var scenario: ScenarioKind
  /// Components in step order, with their parameter mappings (nil = defaults).
  public var components: [(name: String, params: ConfigNode?, location: ConfigLocation)]
  /// `n_agents`: number of mobile agents (≥ 2).
  public var agentCount: Int
  /// `world_size`: `[height, width]`.
  public var height: Int
  /// See ``height``.
  public var width: Int
  /// `episode_length`.
  public var episodeLength: Int
  /// `multi_action_mode_agents`: agents choose one action per subspace.
  public var multiActionModeAgents: Bool
  /// `multi_action_mode_planner`.
  public var multiActionModePlanner: Bool
  /// `flatten_observations`.
  public var flattenObservations: Bool
  /// `flatten_masks`.
  public var flattenMasks: Bool
  /// `allow_observation_scaling`: inventories × 0.01 and time ÷ episode length.
  public var allowObservationScaling: Bool
  /// `dense_log_frequency`: keep a dense log every N completed episodes (nil = never).
  public var denseLogFrequency: Int?
  /// `world_dense_log_frequency`: steps between map snapshots in the dense log.
  public var worldDenseLogFrequency: Int
  /// `seed`: the environment's seed (0 when absent).
  public var seed: UInt64?
  /// Scenario parameters.
  public var parameters: ScenarioParameters
  /// The run config's other sections (`general`, `agent_policy`, `planner_policy`, `trainer`).
  public var otherSections: [(name: String, node: ConfigNode)]
  /// The env section node, for tools that re-serialize configs.
  public var envNode: ConfigNode

  /// Largest accepted side of the world, in tiles (keeps buffers within memory).
  public static let maxWorldSide = 2048

  /// Sections a run config may have besides `env`.
  public static let runSections = ["general", "agent_policy", "planner_policy", "trainer"]

  /// Base keys of Foundation's `BaseEnvironment`.
  static let baseKeys = [
    "scenario_name", "components", "n_agents", "world_size", "episode_length", "multi_action_mode_agents",
    "multi_action_mode_planner", "flatten_observations", "flatten_masks", "allow_observation_scaling",
    "dense_log_frequency", "world_dense_log_frequency", "collate_agent_step_and_reset_data", "seed",
  ]

  /// Loads a config file.
  ///
  /// - Throws: ``ConfigError`` listing every problem found, each with the file, line and key
  ///   path.
  public static func load(path: String) throws(ConfigError) -> EnvironmentConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      let exists = FileManager.default.fileExists(atPath: path)
      throw ConfigError(issues: [
        ConfigIssue(
          location: ConfigLocation(file: path, keyPath: "", line: nil, column: nil),
          message: exists ? "cannot read the file" : "no such file")
      ])
    }
    return try parse(yaml: String(decoding: data, as: UTF8.self), file: path)
  }

  /// Reads a config file, returning the config read with fallbacks for invalid values together
  /// with every problem found, so that later checks (components, layout) can add theirs.
  ///
  /// The config is nil only when the file cannot be read or is not YAML.
  static func loadCollectingIssues(path: String) -> (EnvironmentConfig?, [ConfigIssue]) {
    do {
      return (try load(path: path), [])
    } catch let error {
      guard let data = FileManager.default.contents(atPath: path),
        let root = try? ConfigNode.load(yaml: String(decoding: data, as: UTF8.self), file: path)
      else { return (nil, error.issues) }
      var issues: [ConfigIssue] = []
      var env = root
      if let top = try? root.mapping(), let e = top.first(where: { $0.key == "env" }) { env = e.node }
      let config = read(env: env, file: path, issues: &issues)
      return (config, error.issues)
    }
  }

  /// Parses config text; `file` is used in error messages and to find layouts next to it.
  public static func parse(yaml: String, file: String?) throws(ConfigError) -> EnvironmentConfig {
    let root = try ConfigNode.load(yaml: yaml, file: file)
    var issues: [ConfigIssue] = []
    var env = root
    var others: [(name: String, node: ConfigNode)] = []
    do throws(ConfigIssue) {
      let (top, problems) = try root.entries()
      if let first = problems.first { throw first }
      if top.contains(where: { $0.key == "env" }) {
        for entry in top {
          let (key, node) = (entry.key, entry.node)
          if key == "env" {
            env = node
          } else if runSections.contains(key) {
            others.append((key, node))
          } else {
            var message =
              "unknown section '\(key)' in a run config; expected env, \(runSections.joined(separator: ", "))"
            if let guess = closestName(to: key, among: ["env"] + runSections) {
              message += " (did you mean '\(guess)'?)"
            }
            // Located at the key, like unknown parameters: the name is what is wrong.
            issues.append(ConfigIssue(location: entry.keyLocation, message: message))
          }
        }
      }
    } catch {
      issues.append(error)
      throw ConfigError(issues: issues)
    }
    var config = read(env: env, file: file, issues: &issues)
    config.otherSections = others
    if !issues.isEmpty { throw ConfigError(issues: issues) }
    return config
  }

  static func read(env: ConfigNode, file: String?, issues: inout [ConfigIssue]) -> EnvironmentConfig {
    var r = ParameterReader(env)
    var kind = ScenarioKind.layoutFromFile
    if r.node("scenario_name") == nil {
      r.report(
        nil,
        "missing 'scenario_name'; expected one of \(ScenarioKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))"
      )
    } else {
      let name = r.choice("scenario_name", default: kind.rawValue, from: ScenarioKind.allCases.map(\.rawValue))
      kind = ScenarioKind(rawValue: name) ?? kind
    }
    var components: [(name: String, params: ConfigNode?, location: ConfigLocation)] = []
    if let list = r.node("components") {
      do {
        for item in try list.sequence() { components.append(try componentEntry(item)) }
      } catch {
        r.record(error)
      }
    }
    if r.node("n_agents") == nil { r.report(nil, "missing 'n_agents' (number of mobile agents, at least 2)") }
    // At most 1000: the planner's observation holds every agent's last incomes per agent (n²
    // values; 4 MB per environment at 1000), and map grids store agent indices in 16 bits.
    let agents = r.int("n_agents", default: 2, range: 2...1000)
    var height = 1
    var width = 1
    if r.node("world_size") == nil {
      r.report(nil, "missing 'world_size' ([height, width])")
    } else {
      let size = r.intList("world_size", default: [1, 1])
      if size.count != 2 || size.contains(where: { $0 < 1 }) {
        r.report("world_size", "expected [height, width] with two positive integers, found \(size)")
      } else if size.contains(where: { $0 > maxWorldSide }) {
        r.report("world_size", "expected each side to be at most \(maxWorldSide) tiles, found \(size)")
      } else {
        height = size[0]
        width = size[1]
      }
    }
    let episodeLength = r.int("episode_length", default: 1000, range: 1...Int(Int32.max))
    let multiAgents = r.bool("multi_action_mode_agents", default: false)
    let multiPlanner = r.bool("multi_action_mode_planner", default: true)
    let flatObs = r.bool("flatten_observations", default: true)
    let flatMasks = r.bool("flatten_masks", default: true)
    let scaling = r.bool("allow_observation_scaling", default: true)
    let denseFrequency = r.optionalInt("dense_log_frequency", range: 1...Int(Int32.max))
    let worldFrequency = r.int("world_dense_log_frequency", default: 50, range: 1...Int(Int32.max))
    if r.bool("collate_agent_step_and_reset_data", default: false) {
      r.report(
        "collate_agent_step_and_reset_data",
        "expected false: collated agent data is only used by Foundation's COVID scenario, which Economist does not include"
      )
    }
    let seed = r.optionalInt("seed", range: 0...Int.max).map { UInt64($0) }
    var parameters = ScenarioParameters()
    parameters.read(&r, kind: kind)
    r.finish(context: "the env section (\(kind.rawValue))")
    issues += r.issues
    return EnvironmentConfig(
      file: file, scenario: kind, components: components, agentCount: agents, height: height, width: width,
      episodeLength: episodeLength, multiActionModeAgents: multiAgents, multiActionModePlanner: multiPlanner,
      flattenObservations: flatObs, flattenMasks: flatMasks, allowObservationScaling: scaling,
      denseLogFrequency: denseFrequency, worldDenseLogFrequency: worldFrequency, seed: seed, parameters: parameters,
      otherSections: [], envNode: env)
  }

  static func componentEntry(_ item: ConfigNode) throws(ConfigIssue) -> (String, ConfigNode?, ConfigLocation) {
    if let pair = try? item.sequence(), pair.count == 2 {
      let name = try pair[0].string()
      return (name, pair[1].isNull ? nil : pair[1], pair[0].location)
    }
    let entries = try item.mapping()
    guard entries.count == 1, let entry = entries.first else {
      throw ConfigIssue(
        location: item.location,
        message: "expected a single-key map like '- Build: {payment: 10}', found a map with \(entries.count) keys")
    }
    return (entry.key, entry.node.isNull ? nil : entry.node, entry.node.location)
  }

  /// The directory of the config file, used to find layouts beside it.
  public var directory: String? {
    guard let file else { return nil }
    guard let slash = file.lastIndex(of: "/") else { return "." }
    let dir = String(file[..<slash])
    return dir.isEmpty ? "/" : dir
  }
}
