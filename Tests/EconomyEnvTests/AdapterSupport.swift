import Basics
import EnvContract
import Foundation
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

/// The repository root (for scenarios/ and the shared fixtures).
let repositoryRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// The reference facts measured by running ai-economist 1.7.1 (shared with EconomyTests).
enum Facts {
  static let root: JSONValue = {
    let path = repositoryRoot + "/Tests/EconomyTests/Fixtures/foundation-facts.json"
    guard let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse([UInt8](data)) else {
      preconditionFailure("\(path) is missing or unreadable")
    }
    return json
  }()

  static func value(_ path: String...) -> JSONValue {
    var v = root
    for key in path {
      guard let next = v[key] else { preconditionFailure("facts: no key \(path)") }
      v = next
    }
    return v
  }
}

/// The bundled RLlib tutorial config, optionally changed.
func tutorialConfig(_ change: (inout EnvironmentConfig) -> Void = { _ in }) throws -> EnvironmentConfig {
  var config = try EnvironmentConfig.load(path: repositoryRoot + "/scenarios/gather_trade_build.yaml")
  change(&config)
  return config
}

/// The tutorial adapter, reset with seed 7 and pinned to the state Foundation recorded for
/// seed 7 (locations, build payments and skills, bonus probabilities, coin).
func pinnedAdapter(_ change: (inout EnvironmentConfig) -> Void = { _ in }) throws -> EconomyMultiAgentEnv {
  var env = try EconomyMultiAgentEnv(config: tutorialConfig(change))
  _ = env.reset(seed: 7)
  try env.modifyEnvironment { e in
    let states = Facts.value("dense_log", "states_entry_example_t0")
    var initial: [Int: AgentInitialState] = [:]
    e.world.clearAgentLocations()
    for a in 0..<e.agentCount {
      let s = states[String(a)] ?? .null
      let loc = s["loc"]?.arrayValue?.compactMap(\.intValue) ?? []
      initial[a] = AgentInitialState(
        location: (loc[0], loc[1]), buildPayment: s["build_payment"]?.doubleValue,
        bonusGatherProb: s["bonus_gather_prob"]?.doubleValue)
      if let f = e.world.stateField(named: "build_skill"), let v = s["build_skill"]?.doubleValue {
        e.world.setState(a, f, v)
      }
      e.world.inventory[a * Resource.count + Resource.coin.rawValue] = s["inventory"]?["Coin"]?.doubleValue ?? 0
    }
    try e.applyInitialState(initial)
  }
  return env
}

/// `{key: {shape, dtype}}` of a space, nested dicts as nested objects, as the facts list them.
func shapes(_ space: Space) -> JSONValue {
  switch space {
  case .dict(let d): return .object(JSONObject(d.entries.map { ($0.key, shapes($0.space)) }))
  case .box(let b):
    return .object(
      JSONObject([("shape", .array(b.shape.map { .int(Int64($0)) })), ("dtype", .string(b.dtype.rawValue))]))
  default: return .string(space.description)
  }
}

/// Expects two vectors to agree elementwise within `tolerance` (relative above 1, else absolute).
func expectClose(
  _ a: [Double], _ b: [Double], tolerance: Double = 1e-6, _ comment: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(a.count == b.count, "lengths \(a.count) vs \(b.count) \(comment)", sourceLocation: sourceLocation)
  for (i, (x, y)) in zip(a, b).enumerated() where !(abs(x - y) <= tolerance * max(1, abs(x), abs(y))) {
    Issue.record("element \(i): \(x) vs \(y) \(comment)", sourceLocation: sourceLocation)
    return
  }
}

/// The numbers of a JSON value: a number, or a (nested) list of numbers, flattened.
func numbers(_ v: JSONValue) -> [Double] {
  if let d = v.doubleValue { return [d] }
  return (v.arrayValue ?? []).flatMap(numbers)
}
