import Economy
import EnvContract

/// An economy as a multi-agent environment with Foundation's spaces: the Swift counterpart of
/// Foundation's RLlib wrapper, in the Gymnasium/RLlib multi-agent API.
///
/// Agents are the mobile agents `"0"…"n-1"` and the planner `"p"`; by default they map to the
/// policies `"a"` and `"p"`. The env options `multi_action_mode_agents`,
/// `multi_action_mode_planner`, `flatten_observations` and `flatten_masks` of the config shape
/// the spaces exactly as in Foundation (see ``RolePacking``).
///
/// An action outside its space is an error; an action inside the space that the current mask
/// forbids acts as NO-OP, as in Foundation, and is counted in the agent's info
/// (`masked_actions` this step, `masked_actions_episode` so far).
public struct EconomyMultiAgentEnv: MultiAgentEnv, Sendable {
  /// The wrapped environment.
  public private(set) var environment: Environment
  let mobile: RolePacking
  let planner: RolePacking
  /// Agent ids: `"0"…"n-1"`, then `"p"`.
  public let agentIDs: [String]
  /// Foundation's mapping: mobile agents to `"a"`, the planner to `"p"`.
  public let policyMapping: PolicyMapping
  /// Whether episodes keep a dense log: `true` always, `false` never, nil as the config's
  /// `dense_log_frequency` says.
  public var denseLog: Bool?

  /// Wraps an environment (it is reset when ``reset(seed:)`` is called).
  public init(environment: Environment) {
    self.environment = environment
    mobile = RolePacking(environment: environment, planner: false)
    planner = RolePacking(environment: environment, planner: true)
    agentIDs = (0..<environment.agentCount).map(String.init) + ["p"]
    policyMapping = .foundation(mobileAgents: environment.agentCount)
  }

  /// Builds the environment of a config.
  ///
  /// - Throws: ``ConfigError`` listing every problem of the config.
  public init(config: EnvironmentConfig, registry: ComponentRegistry = .builtIn) throws(ConfigError) {
    self.init(environment: try Environment(config: config, registry: registry))
  }

  /// The index of an agent id: mobile agents `0..<n`, the planner `n`.
  func index(of agent: String) -> Int? {
    if agent == "p" { return environment.agentCount }
    guard let i = Int(agent), i >= 0, i < environment.agentCount, String(i) == agent else { return nil }
    return i
  }

  func packing(_ index: Int) -> RolePacking { index == environment.agentCount ? planner : mobile }

  /// Where each entry of `agent`'s mask dict sits in its flattened mask (`flatten_masks: false`),
  /// in Foundation's order; nil for a flattened mask or an unknown agent.
  public func maskEntries(of agent: String) -> [(key: String, offset: Int, count: Int)]? {
    index(of: agent).flatMap { packing($0).maskDict }
  }

  /// The observation space of `agent`.
  public func observationSpace(of agent: String) -> Space? { index(of: agent).map { packing($0).observationSpace } }

  /// The action space of `agent`.
  public func actionSpace(of agent: String) -> Space? { index(of: agent).map { packing($0).actionSpace } }

  /// Every agent's current observation (after the last reset or step, or a change made with
  /// ``modifyEnvironment(_:)``).
  public func observations() -> [String: Observation] {
    var out: [String: Observation] = [:]
    for (i, id) in agentIDs.enumerated() {
      out[id] = packing(i).observation(environment.observations, agent: i)
    }
    return out
  }

  /// Starts an episode; with a seed the environment's generator is reseeded, without one it
  /// continues (so a sequence of episodes is determined by the first seed).
  public mutating func reset(seed: UInt64? = nil) -> ResetResult {
    environment.reset(seed: seed, forceDenseLog: denseLog)
    return ResetResult(observations: observations(), infos: infos(stepCounts: nil))
  }

  /// Applies one action per agent (missing agents do NO-OP) and advances one step.
  ///
  /// - Throws: ``EnvError`` for an unknown agent id, an action outside its space, or a step
  ///   after the episode ended; nothing changes then.
  public mutating func step(_ actions: [String: Action]) throws(EnvError) -> StepResult {
    guard !environment.isDone else { throw .episodeOver(length: environment.config.episodeLength) }
    var decoded: [(Int, [Int32])] = []
    for (id, action) in actions.sorted(by: { $0.key < $1.key }) {
      guard let i = index(of: id) else { throw .unknownAgent(id, known: agentIDs) }
      let space = packing(i).actionSpace
      guard let ints = ActionCodec.integers(action, space: space) else {
        throw .actionOutsideSpace(agent: id, action: action.description, space: space.description)
      }
      decoded.append((i, ints))
    }
    environment.actions.clear()
    for (i, ints) in decoded {
      ints.withUnsafeBufferPointer { p in
        if let base = p.baseAddress { ActionCodec.apply(base, agent: i, to: &environment) }
      }
    }
    let before = environment.maskedActionCounts
    environment.step()
    let counts = zip(environment.maskedActionCounts, before).map { $0 - $1 }
    var rewards: [String: Double] = [:]
    var truncated: [String: Bool] = ["__all__": environment.isDone]
    var terminated: [String: Bool] = ["__all__": false]
    for (i, id) in agentIDs.enumerated() {
      rewards[id] = environment.rewards[i]
      truncated[id] = environment.isDone
      terminated[id] = false
    }
    return StepResult(
      observations: observations(), rewards: rewards, terminated: terminated, truncated: truncated,
      infos: infos(stepCounts: counts))
  }

  private func infos(stepCounts: [Int]?) -> [String: Info] {
    var out: [String: Info] = [:]
    for (i, id) in agentIDs.enumerated() {
      out[id] = [
        "masked_actions": Double(stepCounts?[i] ?? 0),
        "masked_actions_episode": Double(environment.maskedActionCounts[i]),
      ]
    }
    return out
  }

  /// Uniformly random valid actions for every agent, drawn from the current masks with
  /// `sampler` (the environment's own generator is not used).
  public mutating func randomActions(_ sampler: inout RandomActions) -> [String: Action] {
    sampler.fill(&environment)
    var out: [String: Action] = [:]
    for (i, id) in agentIDs.enumerated() { out[id] = ActionCodec.read(agent: i, from: environment) }
    environment.actions.clear()
    return out
  }

  /// Changes the wrapped environment in place (tests and replays: pinning a state after a
  /// reset); observations are read from it afterwards.
  public mutating func modifyEnvironment<R>(_ body: (inout Environment) throws -> R) rethrows -> R {
    try body(&environment)
  }
}
