import Foundation

/// A recorded episode to re-simulate: an env config, optional per-agent initial state applied
/// right after reset, and the joint action of every step.
///
/// File format (JSON, or any YAML):
/// `{"env": {...}, "initial_state": {"0": {"loc": [r, c], "build_payment": x,
/// "bonus_gather_prob": y}, ...}, "actions": [{"0": a0, ..., "p": [b0, ...]}, ...]}`.
/// An agent's initial state may also set the state fields `build_skill`, `skill` (the one-step
/// economy's SimpleLabor) and `production`, its `inventory` and `escrow`
/// (`{"Coin": x, "Wood": y, "Stone": z}`) and `endogenous` (`{"Labor": x}`); fields the
/// configured components do not have are an error when the trace is replayed.
/// Mobile actions are single-action indices of the config's action space (a list of
/// sub-actions in multi-action mode); the planner's are its sub-action list (`[0]` for the
/// placeholder). Agents missing from a step take NO-OP, as in Foundation.
public struct Trace: Sendable {
  /// The environment config.
  public var config: EnvironmentConfig
  /// Initial state overrides by agent.
  public var initialState: [Int: AgentInitialState]
  /// Each step's actions by agent id (`"0"`…, `"p"`), with the node they came from.
  public var steps: [[(agent: String, value: ConfigNode)]]
  /// Where each agent's initial state was written, for error messages.
  var initialStateNodes: [Int: ConfigNode] = [:]
  /// The seed used at reset (`env.seed`, default 0).
  public var seed: UInt64 { config.seed ?? 0 }

  /// Reads a trace file.
  ///
  /// - Throws: ``ConfigError`` with the file, line and key path of every problem.
  public static func load(path: String) throws(ConfigError) -> Trace {
    let root = try ConfigNode.load(file: path)
    var issues: [ConfigIssue] = []
    var envNode: ConfigNode?
    var initial: [Int: AgentInitialState] = [:]
    var initialNodes: [Int: ConfigNode] = [:]
    var steps: [[(agent: String, value: ConfigNode)]] = []
    do {
      for (key, node) in try root.mapping() {
        switch key {
        case "env": envNode = node
        case "initial_state":
          if !node.isNull {
            for (agent, s) in try node.mapping() {
              do {
                let index = try agentIndex(agent, node: s)
                initial[index] = try initialState(s)
                initialNodes[index] = s
              } catch {
                issues.append(error)
              }
            }
          }
        case "actions":
          for step in try node.sequence() {
            do { steps.append(try step.mapping().map { ($0.key, $0.node) }) } catch { issues.append(error) }
          }
        default:
          var message = "unknown key '\(key)' in a trace; expected env, initial_state, actions"
          if let guess = closestName(to: key, among: ["env", "initial_state", "actions"]) {
            message += " (did you mean '\(guess)'?)"
          }
          issues.append(node.issue(message))
        }
      }
    } catch {
      issues.append(error)
    }
    guard let envNode else {
      issues.append(root.issue("missing key 'env' (the environment config)"))
      throw ConfigError(issues: issues)
    }
    let config = EnvironmentConfig.read(env: envNode, file: path, issues: &issues)
    if !issues.isEmpty { throw ConfigError(issues: issues) }
    return Trace(config: config, initialState: initial, steps: steps, initialStateNodes: initialNodes)
  }

  /// Where the problem of an initial state that cannot be applied was written: the field's
  /// value, else the agent's entry.
  func location(of error: InitialStateError) -> ConfigLocation {
    guard let node = initialStateNodes[error.agent] else {
      return ConfigLocation(file: config.file, keyPath: "initial_state.\(error.agent)")
    }
    if let field = error.field, let value = try? node.mapping().first(where: { $0.key == field })?.node {
      return value.location
    }
    return node.location
  }

  /// The index of a mobile agent id written as Foundation writes it (`"0"`, `"12"`): `"01"` or
  /// `"+1"` would otherwise alias `"1"`.
  static func canonicalIndex(_ key: String) -> Int? {
    guard let i = Int(key), i >= 0, String(i) == key else { return nil }
    return i
  }

  static func agentIndex(_ key: String, node: ConfigNode) throws(ConfigIssue) -> Int {
    guard let i = canonicalIndex(key) else {
      throw node.issue("expected a mobile agent id like \"0\", found '\(key)'")
    }
    return i
  }

  /// The fields an agent's `initial_state` may set.
  static let initialStateKeys = [
    "loc", "build_payment", "bonus_gather_prob", "build_skill", "skill", "production", "inventory", "escrow",
    "endogenous",
  ]

  static func initialState(_ node: ConfigNode) throws(ConfigIssue) -> AgentInitialState {
    var s = AgentInitialState()
    for (key, value) in try node.mapping() {
      switch key {
      case "loc":
        let loc = try value.sequence()
        guard loc.count == 2 else { throw value.issue("expected [row, col], found \(loc.count) numbers") }
        s.location = (try loc[0].int(), try loc[1].int())
      case "build_payment":
        let payment = try value.double()
        guard payment >= 0 && payment <= Limits.amount else {
          throw value.issue("expected a payment in 0...\(Int(Limits.amount)), found \(value.describeValue)")
        }
        s.buildPayment = payment
      case "bonus_gather_prob":
        let probability = try value.double()
        guard probability >= 0 && probability <= 1 else {
          throw value.issue("expected a probability in 0...1, found \(value.describeValue)")
        }
        s.bonusGatherProb = probability
      case "skill", "production", "build_skill":
        let v = try value.double()
        guard v.isFinite && v >= 0 && v <= Limits.amount else {
          throw value.issue("expected a number in 0...\(Int(Limits.amount)), found \(value.describeValue)")
        }
        s.fields.append((key, v))
      case "inventory", "escrow":
        for (name, amount) in try value.mapping() {
          guard let resource = Resource.allCases.first(where: { $0.name == name }) else {
            let names = Resource.allCases.map(\.name)
            var message = "unknown resource '\(name)'; expected \(names.joined(separator: ", "))"
            if let g = closestName(to: name, among: names) { message += " (did you mean '\(g)'?)" }
            throw amount.issue(message)
          }
          let v = try amount.double()
          guard v.isFinite && v >= 0 && v <= Limits.amount else {
            throw amount.issue("expected an amount in 0...\(Int(Limits.amount)), found \(amount.describeValue)")
          }
          if key == "inventory" { s.inventory.append((resource, v)) } else { s.escrow.append((resource, v)) }
        }
      case "endogenous":
        for (name, amount) in try value.mapping() {
          guard name == "Labor" else {
            throw amount.issue("unknown endogenous quantity '\(name)'; expected Labor")
          }
          let v = try amount.double()
          guard v.isFinite && v >= 0 && v <= Limits.labor else {
            throw amount.issue("expected labor in 0...\(Int(Limits.labor)), found \(amount.describeValue)")
          }
          s.labor = v
        }
      default:
        let known = Trace.initialStateKeys
        var message = "unknown field '\(key)'; expected \(known.joined(separator: ", "))"
        if let g = closestName(to: key, among: known) {
          message += " (did you mean '\(g)'?)"
        }
        throw value.issue(message)
      }
    }
    return s
  }
}

/// Re-simulates traces.
public enum Replay {
  /// Runs a trace and returns the episode's dense log (the final `states` entry is the state
  /// after the last action) and, when the trace covers a whole episode, its summary.
  ///
  /// Masked actions act as NO-OP, as in Foundation.
  ///
  /// - Throws: ``ConfigError`` for a bad config, initial state, or an action outside the action
  ///   space (naming the step and agent).
  public static func run(_ trace: Trace, registry: ComponentRegistry = .builtIn) throws(ConfigError)
    -> (log: DenseLogRecording, summary: EpisodeSummary?)
  {
    var env = try Environment(config: trace.config, registry: registry)
    guard trace.steps.count <= env.config.episodeLength else {
      throw ConfigError(issues: [
        ConfigIssue(
          location: ConfigLocation(file: trace.config.file, keyPath: "actions"),
          message: "the trace has \(trace.steps.count) steps but episode_length is \(env.config.episodeLength)")
      ])
    }
    env.reset(seed: trace.seed, forceDenseLog: true)
    do {
      try env.applyInitialState(trace.initialState)
    } catch {
      throw ConfigError(issues: [ConfigIssue(location: trace.location(of: error), message: error.message)])
    }
    for step in trace.steps {
      for (agent, node) in step {
        do throws(ConfigIssue) {
          try setAction(&env, agent: agent, node: node)
        } catch {
          throw ConfigError(issues: [error])
        }
      }
      env.step()
    }
    if env.isDone, let summary = env.lastEpisode, let log = summary.denseLog { return (log, summary) }
    return (env.denseLogSoFar(), nil)
  }

  /// Sets one agent's action of a step from its trace node.
  ///
  /// - Throws: ``ConfigIssue`` at `node` for an unknown agent, a value that is not an integer
  ///   (or a list of them), or an action outside the agent's action space.
  static func setAction(_ env: inout Environment, agent: String, node: ConfigNode) throws(ConfigIssue) {
    let isPlanner = agent == "p"
    let index = Trace.canonicalIndex(agent).flatMap { (0..<env.agentCount).contains($0) ? $0 : nil }
    guard isPlanner || index != nil else {
      throw node.issue(ActionError.unknownAgent(agent, agentCount: env.agentCount).description)
    }
    let list = try? node.sequence()
    // A list sets one sub-action per subspace: only multi-action mode allows several at once
    // (and `[0]` is the placeholder of a role without actions).
    let layout = env.actionLayout
    let multi =
      isPlanner
      ? layout.multiActionPlanner || layout.planner.isEmpty : layout.multiActionMobile || layout.mobile.isEmpty
    if list != nil && !multi {
      let count = isPlanner ? layout.plannerActionCount : layout.mobileActionCount
      let mode = isPlanner ? "multi_action_mode_planner" : "multi_action_mode_agents"
      throw node.issue("expected an action index in 0...\(count - 1) (\(mode) is false), found a list")
    }
    let subspaces = isPlanner ? layout.planner.count : layout.mobile.count
    // In multi-action mode a number is ambiguous (which subspace?), except 0: NO-OP in all.
    if list == nil && subspaces > 0 && (isPlanner ? layout.multiActionPlanner : layout.multiActionMobile)
      && (try? node.int()) != 0
    {
      let mode = isPlanner ? "multi_action_mode_planner" : "multi_action_mode_agents"
      throw node.issue(
        "expected a list of \(subspaces) sub-actions, one per action subspace (\(mode) is true), found \(node.describeValue) (0 means NO-OP in every subspace)"
      )
    }
    let values = try list?.map { item throws(ConfigIssue) in try item.int() }
    let single = values == nil ? try node.int() : 0
    do throws(ActionError) {
      switch (index, values) {
      case (let a?, let values?): try env.actions.setMobile(a, subActions: values)
      case (let a?, nil): try env.actions.setMobile(a, action: single)
      case (nil, let values?): try env.actions.setPlanner(subActions: values)
      case (nil, nil): try env.actions.setPlanner(action: single)
      }
    } catch {
      throw node.issue(error.description)
    }
  }
}
