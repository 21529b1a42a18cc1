import Basics
import Foundation
import Testing

@testable import Economy

/// The reference facts measured by running ai-economist 1.7.1.
enum Facts {
  static let root: JSONValue = {
    guard let url = Bundle.module.url(forResource: "foundation-facts", withExtension: "json", subdirectory: "Fixtures"),
      let data = try? Data(contentsOf: url), let json = try? JSONParser.parse([UInt8](data))
    else { preconditionFailure("Fixtures/foundation-facts.json is missing or unreadable") }
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

  static func doubles(_ path: String...) -> [Double] {
    var v = root
    for key in path { v = v[key] ?? .null }
    return (v.arrayValue ?? []).compactMap(\.doubleValue)
  }
}

/// Path of a fixture file.
func fixturePath(_ name: String) -> String {
  guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
    preconditionFailure("missing fixture \(name)")
  }
  return url.path
}

/// The repository root (for scenarios/ and layouts/).
let repositoryRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// The bundled tutorial config.
func tutorialConfig() throws -> EnvironmentConfig {
  try EnvironmentConfig.load(path: repositoryRoot + "/scenarios/gather_trade_build.yaml")
}

/// The tutorial environment, reset with `seed`.
func tutorialEnvironment(seed: UInt64 = 7) throws -> Environment {
  var env = try Environment(config: tutorialConfig())
  env.reset(seed: seed)
  return env
}

/// Builds an environment from YAML text (an env section).
func environment(_ yaml: String, file: String = "test.yaml") throws -> Environment {
  try Environment(config: EnvironmentConfig.parse(yaml: yaml, file: file))
}

/// Expects `a` and `b` to agree to a relative (and absolute near zero) tolerance.
func expectClose(
  _ a: Double, _ b: Double, tolerance: Double = 1e-9, _ comment: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let ok = a == b || abs(a - b) <= tolerance * max(1, abs(a), abs(b)) || (a.isNaN && b.isNaN)
  #expect(ok, "\(a) vs \(b) \(comment)", sourceLocation: sourceLocation)
}

/// Expects two vectors to agree elementwise.
func expectClose(
  _ a: [Double], _ b: [Double], tolerance: Double = 1e-9, _ comment: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(a.count == b.count, "lengths \(a.count) vs \(b.count) \(comment)", sourceLocation: sourceLocation)
  for (i, (x, y)) in zip(a, b).enumerated() {
    let ok = x == y || abs(x - y) <= tolerance * max(1, abs(x), abs(y))
    if !ok {
      Issue.record("element \(i): \(x) vs \(y) \(comment)", sourceLocation: sourceLocation)
      return
    }
  }
}

extension Environment {
  /// Pins the seed-7 reset state recorded in the facts (locations, payments, skills, bonus
  /// probabilities, coin) and rewrites observations.
  mutating func pinSeed7State() throws {
    let states = Facts.value("dense_log", "states_entry_example_t0")
    var initial: [Int: AgentInitialState] = [:]
    world.clearAgentLocations()
    for a in 0..<agentCount {
      let s = states[String(a)] ?? .null
      let loc = s["loc"]?.arrayValue?.compactMap(\.intValue) ?? []
      initial[a] = AgentInitialState(
        location: (loc[0], loc[1]), buildPayment: s["build_payment"]?.doubleValue,
        bonusGatherProb: s["bonus_gather_prob"]?.doubleValue)
      if let f = world.stateField(named: "build_skill"), let v = s["build_skill"]?.doubleValue {
        world.setState(a, f, v)
      }
      world.inventory[a * Resource.count + Resource.coin.rawValue] = s["inventory"]?["Coin"]?.doubleValue ?? 0
    }
    try applyInitialState(initial)
  }
}

/// Expects `actual` to be within a purely relative tolerance of `expected` (NaN matches NaN).
///
/// Stricter than ``expectClose(_:_:tolerance:_:sourceLocation:)`` near zero, where that one
/// falls back to an absolute tolerance.
func expectRelativelyClose(
  _ actual: Double, _ expected: Double, rel: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let close =
    (actual.isNaN && expected.isNaN) || actual == expected
    || abs(actual - expected) <= rel * max(abs(actual), abs(expected))
  #expect(close, "\(actual) is not within \(rel) of \(expected)", sourceLocation: sourceLocation)
}

/// Expects two arrays of equal length whose elements are pairwise close.
func expectRelativelyClose(
  _ actual: [Double], _ expected: [Double], rel: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "lengths differ", sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected) {
    expectRelativelyClose(a, e, rel: rel, sourceLocation: sourceLocation)
  }
}
