/// An agent's action: an index for a `Discrete` space, one index per entry for `MultiDiscrete`.
public enum Action: Sendable, Equatable, CustomStringConvertible {
  /// An index in `0..<n`.
  case discrete(Int)
  /// One index per subspace.
  case multiDiscrete([Int])

  /// The action as written in Python (`7`, `[0, 3]`).
  public var description: String {
    switch self {
    case .discrete(let a): return String(a)
    case .multiDiscrete(let a): return "[\(a.map(String.init).joined(separator: ", "))]"
    }
  }
}

/// Per-agent extra information: named numbers, such as `masked_actions`.
public typealias Info = [String: Double]

/// What ``MultiAgentEnv/reset(seed:)`` returns.
public struct ResetResult: Sendable {
  /// Each agent's first observation, by agent id.
  public var observations: [String: Observation]
  /// Each agent's info, by agent id.
  public var infos: [String: Info]

  /// Creates a result.
  public init(observations: [String: Observation], infos: [String: Info]) {
    self.observations = observations
    self.infos = infos
  }
}

/// What ``MultiAgentEnv/step(_:)`` returns, in the style of RLlib's and PettingZoo's parallel
/// API.
///
/// `terminated` and `truncated` have an entry per agent plus `"__all__"`. Reaching the episode
/// length is a truncation (the state is not terminal, so learners bootstrap from it), not a
/// termination.
public struct StepResult: Sendable {
  /// Observations after the step, by agent id.
  public var observations: [String: Observation]
  /// Rewards of the step, by agent id.
  public var rewards: [String: Double]
  /// Whether each agent (and `"__all__"`) reached a terminal state.
  public var terminated: [String: Bool]
  /// Whether each agent's (and `"__all__"`) episode was cut off by the time limit.
  public var truncated: [String: Bool]
  /// Each agent's info.
  public var infos: [String: Info]

  /// Creates a result.
  public init(
    observations: [String: Observation], rewards: [String: Double], terminated: [String: Bool],
    truncated: [String: Bool], infos: [String: Info]
  ) {
    self.observations = observations
    self.rewards = rewards
    self.terminated = terminated
    self.truncated = truncated
    self.infos = infos
  }
}

/// A multi-agent environment with per-agent observation and action spaces, stepped with a
/// dictionary of actions (Gymnasium / PettingZoo parallel / RLlib `MultiAgentEnv` style).
///
/// Conventions: every observation is a `Dict` sample with an `action_mask` entry (1 = allowed);
/// action 0 of every (sub)space is NO-OP and always allowed. An agent missing from the action
/// dictionary does NO-OP.
public protocol MultiAgentEnv {
  /// Agent ids, in order.
  var agentIDs: [String] { get }
  /// Which policy acts for each agent.
  var policyMapping: PolicyMapping { get }
  /// The observation space of `agent` (nil for an unknown id).
  func observationSpace(of agent: String) -> Space?
  /// The action space of `agent` (nil for an unknown id).
  func actionSpace(of agent: String) -> Space?
  /// Starts an episode; a seed makes it reproducible.
  mutating func reset(seed: UInt64?) -> ResetResult
  /// Applies one action per agent and advances one step.
  ///
  /// - Throws: ``EnvError`` for an unknown agent, an action outside its space, or a step after
  ///   the episode ended; the environment is unchanged then.
  mutating func step(_ actions: [String: Action]) throws(EnvError) -> StepResult
}

/// Invalid use of an environment.
public enum EnvError: Error, Sendable, Equatable, CustomStringConvertible {
  /// An action for an agent id the environment does not have.
  case unknownAgent(String, known: [String])
  /// An action outside the agent's action space.
  case actionOutsideSpace(agent: String, action: String, space: String)
  /// An action in a vectorized batch outside the agent's action space.
  case batchActionOutsideSpace(env: Int, agent: String, action: String, space: String)
  /// `step` after the episode ended, before `reset`.
  case episodeOver(length: Int)
  /// A setup that cannot work (e.g. a policy mapping whose agents have different spaces).
  case invalidSetup(String)
  /// Saved environment state that cannot be restored (another config, a damaged file).
  case invalidState(String)

  /// A readable description of the error.
  public var description: String {
    switch self {
    case .unknownAgent(let id, let known):
      let list =
        known.count > 6
        ? "'\(known[0])' to '\(known[known.count - 2])' or '\(known.last ?? "")'"
        : known.map { "'\($0)'" }.joined(separator: ", ")
      return "unknown agent '\(id)' in the action dictionary; expected \(list)"
    case .actionOutsideSpace(let agent, let action, let space):
      return "agent '\(agent)': action \(action) is outside its action space \(space)"
    case .batchActionOutsideSpace(let env, let agent, let action, let space):
      return "environment \(env), agent '\(agent)': action \(action) is outside its action space \(space)"
    case .episodeOver(let length):
      return "step() after the episode ended (episode_length \(length)); call reset() first"
    case .invalidSetup(let message):
      return message
    case .invalidState(let message):
      return message
    }
  }
}
