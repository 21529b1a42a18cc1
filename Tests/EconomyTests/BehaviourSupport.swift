// Helpers for the behaviour tests: config errors, temporary files, dense logs, traces and the
// `economist` executable.

import Basics
import Foundation
import Testing

@testable import Economy

// MARK: - Configs

/// A small gather-trade-build env section (the tutorial's components) with `extra` lines
/// appended; `components` replaces the component list when given.
func smallEnvYAML(
  episodeLength: Int = 200, period: Int = 50, agents: Int = 4, extra: String = "",
  components: String? = nil
) -> String {
  let list =
    components ?? """
        - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3, build_labor: 10, payment: 10}
        - ContinuousDoubleAuction: {max_bid_ask: 10, order_labor: 0.25, max_num_orders: 5, order_duration: 50}
        - Gather: {move_labor: 1, collect_labor: 1, skill_dist: pareto}
        - PeriodicBracketTax: {period: \(period), bracket_spacing: us-federal, usd_scaling: 1000}
      """
  return """
    scenario_name: layout_from_file/simple_wood_and_stone
    components:
    \(list)
    env_layout_file: quadrant_25x25_20each_30clump.txt
    starting_agent_coin: 10
    fixed_four_skill_and_loc: true
    n_agents: \(agents)
    world_size: [25, 25]
    episode_length: \(episodeLength)
    world_dense_log_frequency: 50
    \(extra)
    """
}

/// The description of the ``ConfigError`` that parsing `yaml` as `file` and building its
/// environment throws, or nil when both succeed.
func configErrorText(
  _ yaml: String, file: String = "scenarios/bad.yaml", registry: ComponentRegistry = .builtIn
)
  -> String?
{
  do {
    _ = try Environment(config: EnvironmentConfig.parse(yaml: yaml, file: file), registry: registry)
    return nil
  } catch {
    return error.description
  }
}

/// The description of the ``ConfigError`` that loading the config file at `path` and building its
/// environment throws, or nil when both succeed.
func configFileErrorText(_ path: String) -> String? {
  do {
    _ = try Environment(configFile: path)
    return nil
  } catch {
    return error.description
  }
}

// MARK: - Temporary files

/// A fresh, empty directory under the system's temporary directory.
func makeTemporaryDirectory(_ label: String = "economist-tests") throws -> String {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent(
      "\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}

/// Deletes a directory made by ``makeTemporaryDirectory(_:)`` and everything in it.
func removeTemporaryDirectory(_ path: String) {
  try? FileManager.default.removeItem(atPath: path)
}

/// Writes `text` to `directory/name` and returns the path.
@discardableResult
func writeFile(_ text: String, named name: String, in directory: String) throws -> String {
  let path = joinPath(directory, name)
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  return path
}

/// The bytes of the file at `path`.
func readBytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

// MARK: - Episodes

/// Runs one random episode of `env` with a dense log and returns it.
func recordEpisode(
  _ env: inout Environment, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
) throws
  -> DenseLogRecording
{
  let summary = EpisodeRunner.runRandomEpisode(&env, seed: seed, forceDenseLog: true)
  return try #require(
    summary.denseLog, "the episode kept no dense log", sourceLocation: sourceLocation)
}

// MARK: - Traces

/// Trace text (JSON) for `envJSON`, optional `initialState` JSON, and each step's joint action
/// as JSON objects, one step per line so that error lines identify the step (step i is on line
/// `i + 4` without initial state).
func traceJSON(envJSON: String, initialState: String? = nil, steps: [String]) -> String {
  var lines = ["{", "\"env\": \(envJSON),"]
  if let initialState { lines.append("\"initial_state\": \(initialState),") }
  lines.append("\"actions\": [")
  for (i, step) in steps.enumerated() { lines.append(step + (i + 1 < steps.count ? "," : "")) }
  lines += ["]", "}"]
  return lines.joined(separator: "\n")
}

/// The joint actions of a dense log as trace steps: each mobile agent's single-action index
/// (from its non-zero sub-action) and the planner's sub-action list.
func traceSteps(from log: DenseLog, layout: ActionLayout, agents: Int) -> [String] {
  let mobileNames = layout.mobile.map(\.name)
  let plannerNames = layout.planner.map(\.name)
  return log.list("actions").map { entry in
    var parts: [String] = []
    for a in 0..<agents {
      let actions = entry[String(a)]?.objectValue ?? JSONObject()
      var index = 0
      for (key, value) in actions.entries {
        guard let k = mobileNames.firstIndex(of: key), let v = value.intValue else { continue }
        index = ActionLayout.encode(subspace: k, action: v, specs: layout.mobile)
      }
      parts.append("\"\(a)\": \(index)")
    }
    let planner = entry["p"]?.objectValue ?? JSONObject()
    var subActions = plannerNames.map { planner[$0]?.intValue ?? 0 }
    if subActions.isEmpty { subActions = [0] }
    parts.append("\"p\": [\(subActions.map(String.init).joined(separator: ", "))]")
    return "{" + parts.joined(separator: ", ") + "}"
  }
}

/// The env section of `smallEnvYAML` as JSON, for traces.
func smallEnvJSON(episodeLength: Int = 200, period: Int = 50, seed: UInt64 = 5) -> String {
  """
  {"scenario_name": "layout_from_file/simple_wood_and_stone",
   "components": [
     {"Build": {"skill_dist": "pareto", "payment_max_skill_multiplier": 3, "build_labor": 10, "payment": 10}},
     {"ContinuousDoubleAuction": {"max_bid_ask": 10, "order_labor": 0.25, "max_num_orders": 5, "order_duration": 50}},
     {"Gather": {"move_labor": 1, "collect_labor": 1, "skill_dist": "pareto"}},
     {"PeriodicBracketTax": {"period": \(period), "bracket_spacing": "us-federal", "usd_scaling": 1000}}],
   "env_layout_file": "quadrant_25x25_20each_30clump.txt", "starting_agent_coin": 10,
   "fixed_four_skill_and_loc": true, "n_agents": 4, "world_size": [25, 25],
   "episode_length": \(episodeLength), "world_dense_log_frequency": 50, "seed": \(seed)}
  """.replacingOccurrences(of: "\n", with: " ")
}

// MARK: - The economist executable

/// The `economist` executable built next to the test bundle (same scratch path and
/// configuration), or nil when it has not been built.
let economistExecutable: String? = {
  let directory = Bundle.module.bundleURL.deletingLastPathComponent()
  let path = directory.appendingPathComponent("economist").path
  return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}()

/// What a finished subprocess printed and returned.
struct ProcessOutput {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs `economist` with `arguments` in `directory` (the repository root by default) and waits.
func runEconomist(
  _ arguments: [String], in directory: String = repositoryRoot,
  sourceLocation: SourceLocation = #_sourceLocation
) throws -> ProcessOutput {
  let path = try #require(
    economistExecutable,
    "the economist executable is not built next to the test bundle; run `swift build` with the same scratch path",
    sourceLocation: sourceLocation)
  return try runProgram(path, arguments, in: directory)
}

/// An executable product built next to the test bundle (`economist`, `virtual-store`).
func builtExecutable(_ name: String) -> String? {
  let path = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path
  return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}

/// Runs the program at `path` with `arguments` in `directory` and waits.
func runProgram(_ path: String, _ arguments: [String], in directory: String) throws -> ProcessOutput {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: directory)
  // Each process seeds its hashing at random, so runs compared across processes would expose
  // any dependence on Dictionary or Set order.
  process.environment = ProcessInfo.processInfo.environment.filter {
    $0.key != "SWIFT_DETERMINISTIC_HASHING"
  }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  // Read both pipes before waiting so a full pipe cannot block the child.
  let group = DispatchGroup()
  nonisolated(unsafe) var errData = Data()
  group.enter()
  DispatchQueue.global().async {
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return ProcessOutput(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}
