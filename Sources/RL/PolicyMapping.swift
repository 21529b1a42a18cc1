/// Which policy acts for each agent.
///
/// Foundation's default maps the mobile agents `"0"…"n-1"` to policy `"a"` and the planner `"p"`
/// to policy `"p"`.
public struct PolicyMapping: Sendable, Equatable {
  /// `(agent id, policy id)` pairs in agent order.
  public let assignments: [(agent: String, policy: String)]

  /// Creates a mapping from `(agent, policy)` pairs.
  ///
  /// - Precondition: agent ids are unique.
  public init(_ assignments: [(agent: String, policy: String)]) {
    precondition(Set(assignments.map(\.agent)).count == assignments.count, "duplicate agent ids in a policy mapping")
    self.assignments = assignments
  }

  /// Foundation's mapping for `mobileAgents` mobile agents and a planner.
  public static func foundation(mobileAgents: Int) -> PolicyMapping {
    PolicyMapping((0..<mobileAgents).map { (String($0), "a") } + [("p", "p")])
  }

  /// The policy of `agent` (nil for an unknown agent).
  public func policy(of agent: String) -> String? { assignments.first { $0.agent == agent }?.policy }

  /// Policy ids in order of first appearance.
  public var policies: [String] {
    var seen: [String] = []
    for a in assignments where !seen.contains(a.policy) { seen.append(a.policy) }
    return seen
  }

  /// The agents of `policy`, in agent order.
  public func agents(of policy: String) -> [String] { assignments.filter { $0.policy == policy }.map(\.agent) }

  /// Whether two mappings assign the same policies to the same agents in the same order.
  public static func == (a: PolicyMapping, b: PolicyMapping) -> Bool {
    a.assignments.map(\.agent) == b.assignments.map(\.agent)
      && a.assignments.map(\.policy) == b.assignments.map(\.policy)
  }
}
