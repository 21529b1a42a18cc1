import Economy
import EnvContract

/// Moving actions between learners' form (a `Discrete` index or `MultiDiscrete` entries per
/// agent) and the environment's sub-action buffer.
enum ActionCodec {
  /// Writes one agent's action, given as `width` integers, into `env.actions`.
  ///
  /// `agent` is a mobile agent index, or `agentCount` for the planner. The action must lie in
  /// the agent's space (see ``isValid(_:width:planner:layout:)``).
  @inline(__always)
  static func apply(_ action: UnsafePointer<Int32>, agent: Int, to env: inout Environment) {
    let layout = env.actionLayout
    let planner = agent == env.agentCount
    let specs = planner ? layout.planner : layout.mobile
    if specs.isEmpty { return }
    if planner ? layout.multiActionPlanner : layout.multiActionMobile {
      for k in specs.indices {
        if planner {
          env.actions.setPlanner(subspace: k, Int(action[k]))
        } else {
          env.actions.setMobile(agent, subspace: k, Int(action[k]))
        }
      }
    } else if let (k, v) = ActionLayout.decode(Int(action[0]), specs: specs) {
      if planner {
        env.actions.setPlanner(subspace: k, v)
      } else {
        env.actions.setMobile(agent, subspace: k, v)
      }
    }
  }

  /// Whether `width` integers form an action of the agent's space.
  @inline(__always)
  static func isValid(_ action: UnsafePointer<Int32>, space: Space) -> Bool {
    switch space {
    case .discrete(let n): return action[0] >= 0 && Int(action[0]) < n
    case .multiDiscrete(let nvec):
      for (k, n) in nvec.enumerated() where action[k] < 0 || Int(action[k]) >= n { return false }
      return true
    default: return false
    }
  }

  /// The integers of `action` for an agent whose space is `space`, or nil if the action does
  /// not lie in it.
  static func integers(_ action: Action, space: Space) -> [Int32]? {
    guard space.contains(action) else { return nil }
    switch action {
    case .discrete(let a): return [Int32(a)]
    case .multiDiscrete(let a): return a.map { Int32($0) }
    }
  }

  /// The action currently in `env.actions` for `agent` (the planner is `agentCount`), in the
  /// agent's learner form.
  static func read(agent: Int, from env: Environment) -> Action {
    let layout = env.actionLayout
    let planner = agent == env.agentCount
    let specs = planner ? layout.planner : layout.mobile
    let subs: [Int] =
      planner
      ? env.actions.planner.map { Int($0) }
      : (0..<specs.count).map { Int(env.actions.mobile[agent * specs.count + $0]) }
    if planner ? layout.multiActionPlanner : layout.multiActionMobile {
      return .multiDiscrete(specs.isEmpty ? [0] : subs)
    }
    guard let k = subs.firstIndex(where: { $0 != 0 }) else { return .discrete(0) }
    return .discrete(ActionLayout.encode(subspace: k, action: subs[k], specs: specs))
  }
}
