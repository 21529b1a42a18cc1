/// A policy's identity: its name, as files and results spell it, and its role.
///
/// Foundation trains two policies: ``agents`` (`"a"`), shared by the mobile agents, and
/// ``planner`` (`"p"`). Code that treats the planner differently (its training switch, its
/// settings section) asks for the ``role``, never for the name.
public struct PolicyID: Hashable, Sendable, CustomStringConvertible {
  /// What a policy acts for.
  public enum Role: Hashable, Sendable {
    /// Mobile agents (Foundation's `a`, and any other agent policy of a custom mapping).
    case agents
    /// The social planner.
    case planner
  }

  /// The name in checkpoints, result keys and file names (`a`, `p`).
  public let name: String
  /// What the policy acts for.
  public let role: Role

  /// A policy named `name` acting for `role`.
  public init(_ name: String, role: Role) {
    self.name = name
    self.role = role
  }

  /// Foundation's policy of the mobile agents, `"a"`.
  public static let agents = PolicyID("a", role: .agents)
  /// Foundation's planner policy, `"p"`.
  public static let planner = PolicyID("p", role: .planner)

  /// The name.
  public var description: String { name }
}

/// Which policy acts for each agent.
///
/// Foundation's default maps the mobile agents `"0"…"n-1"` to policy `"a"` and the planner `"p"`
/// to policy `"p"`.
public struct PolicyMapping: Sendable, Equatable {
  /// `(agent id, policy id)` pairs in agent order.
  public let assignments: [(agent: String, policy: PolicyID)]

  /// Creates a mapping from `(agent, policy)` pairs.
  ///
  /// - Precondition: agent ids are unique.
  public init(_ assignments: [(agent: String, policy: PolicyID)]) {
    precondition(Set(assignments.map(\.agent)).count == assignments.count, "duplicate agent ids in a policy mapping")
    self.assignments = assignments
  }

  /// Foundation's mapping for `mobileAgents` mobile agents and a planner.
  public static func foundation(mobileAgents: Int) -> PolicyMapping {
    PolicyMapping((0..<mobileAgents).map { (String($0), PolicyID.agents) } + [("p", .planner)])
  }

  /// The policy of `agent` (nil for an unknown agent).
  public func policy(of agent: String) -> PolicyID? { assignments.first { $0.agent == agent }?.policy }

  /// Policy ids in order of first appearance.
  public var policies: [PolicyID] {
    var seen: [PolicyID] = []
    for a in assignments where !seen.contains(a.policy) { seen.append(a.policy) }
    return seen
  }

  /// The agents of `policy`, in agent order.
  public func agents(of policy: PolicyID) -> [String] { assignments.filter { $0.policy == policy }.map(\.agent) }

  /// Whether two mappings assign the same policies to the same agents in the same order.
  public static func == (a: PolicyMapping, b: PolicyMapping) -> Bool {
    a.assignments.map(\.agent) == b.assignments.map(\.agent)
      && a.assignments.map(\.policy) == b.assignments.map(\.policy)
  }
}
