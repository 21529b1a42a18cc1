import ArgumentParser
import Basics
import Economy
import EconomyEnv
import EconomyTraining
import EnvContract
import RL

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show each policy's observation and action spaces and the agents that map to it.",
    discussion: """
      The spaces are those a learner sees through the multi-agent adapter, as Foundation's RLlib \
      wrapper presents them (shaped by multi_action_mode_agents, multi_action_mode_planner, \
      flatten_observations and flatten_masks).
      """)

  @Argument(help: "A config file: Foundation's env section or a full run config (YAML).")
  var config: String

  @Flag(help: "Print one JSON object: {policy: {agents, observation: {key: {shape, dtype}}, action}}.")
  var json = false

  func run() throws {
    let env = EconomyMultiAgentEnv(environment: try loadEnvironment(config))
    let mapping = env.policyMapping
    let policies = mapping.policies.map { policy -> (String, [String], Space, Space) in
      let agents = mapping.agents(of: policy)
      let first = agents[0]
      return (
        policy.name, agents, env.observationSpace(of: first) ?? .dict(DictSpace([])),
        env.actionSpace(of: first) ?? .discrete(1)
      )
    }
    if json {
      let object = JSONValue.object(
        JSONObject(
          policies.map { policy, agents, observation, action in
            (
              policy,
              .object(
                JSONObject([
                  ("agents", .array(agents.map { .string($0) })), ("observation", SpaceJSON.observation(observation)),
                  ("action", SpaceJSON.action(action)),
                ]))
            )
          }))
      print(String(decoding: JSONWriter.serialize(object), as: UTF8.self))
      return
    }
    for (policy, agents, observation, action) in policies {
      print("policy '\(policy)': agents \(agents.joined(separator: ", "))")
      print("  observation:")
      for line in SpaceJSON.lines(observation, indent: "    ") { print(line) }
      print("  action: \(action)")
    }
  }
}

/// Spaces as `inspect` prints them.
enum SpaceJSON {
  static func observation(_ space: Space) -> JSONValue {
    guard case .dict(let d) = space else { return box(space) }
    return .object(JSONObject(d.entries.map { ($0.key, observation($0.space)) }))
  }

  static func box(_ space: Space) -> JSONValue {
    guard case .box(let b) = space else { return .string(space.description) }
    return .object(
      JSONObject([("shape", .array(b.shape.map { .int(Int64($0)) })), ("dtype", .string(b.dtype.rawValue))]))
  }

  static func action(_ space: Space) -> JSONValue {
    switch space {
    case .discrete(let n): return .object(JSONObject([("type", "Discrete"), ("n", .int(Int64(n)))]))
    case .multiDiscrete(let nvec):
      return .object(JSONObject([("type", "MultiDiscrete"), ("nvec", .array(nvec.map { .int(Int64($0)) }))]))
    default: return .string(space.description)
    }
  }

  /// One line per key, `key: shape dtype`, nested dicts indented (Foundation's wrapper printout).
  static func lines(_ space: Space, indent: String) -> [String] {
    guard case .dict(let d) = space else { return [] }
    let width = max(15, d.entries.map(\.key.count).max() ?? 0)
    return d.entries.flatMap { entry -> [String] in
      let key = entry.key.padding(toLength: width, withPad: " ", startingAt: 0)
      switch entry.space {
      case .box(let b):
        let shape = b.shape.count == 1 ? "(\(b.shape[0]),)" : "(\(b.shape.map(String.init).joined(separator: ", ")))"
        return ["\(indent)\(key): \(shape) \(b.dtype.rawValue)"]
      case .dict:
        return ["\(indent)\(entry.key):"] + lines(entry.space, indent: indent + "  ")
      default:
        return ["\(indent)\(key): \(entry.space)"]
      }
    }
  }
}
