/// The observation and mask buffers an environment writes every step.
///
/// Shapes (row-major; n = mobile agents):
/// - `mobileFlat`: `[n × F]`, F = ``ObservationLayout/mobileFlatSize``.
/// - `mobileMap`: `[n × C × h × w]`, `mobileIndex`: `[n × 2 × h × w]` (Int16 agent ids: 0 none,
///   1 the observer itself, k + 2 agent k).
/// - `mobileMask`: `[n × M]`, M = ``ActionLayout/mobileMaskSize`` (1 = allowed).
/// - `plannerFlat`: `[Fp]`; `plannerMap`, `plannerIndex`: the whole map (empty without spatial
///   information); `perAgent`: `[n × P]`, the planner's `p<i>` vectors; `plannerMask`: `[Mp]`.
public struct ObservationBuffers: Sendable {
  /// Mobile agents' flat observations.
  public internal(set) var mobileFlat: [Float]
  /// Mobile agents' map observations.
  public internal(set) var mobileMap: [Float]
  /// Mobile agents' index maps.
  public internal(set) var mobileIndex: [Int16]
  /// Mobile agents' flattened action masks.
  public internal(set) var mobileMask: [Float]
  /// The planner's flat observation.
  public internal(set) var plannerFlat: [Float]
  /// The planner's map observation.
  public internal(set) var plannerMap: [Float]
  /// The planner's index map.
  public internal(set) var plannerIndex: [Int16]
  /// The planner's per-agent observations `p<i>`.
  public internal(set) var perAgent: [Float]
  /// The planner's flattened action mask.
  public internal(set) var plannerMask: [Float]

  /// Buffers with no storage (used while the real ones are moved out).
  static var empty: ObservationBuffers { ObservationBuffers() }

  private init() {
    mobileFlat = []
    mobileMap = []
    mobileIndex = []
    mobileMask = []
    plannerFlat = []
    plannerMap = []
    plannerIndex = []
    perAgent = []
    plannerMask = []
  }

  init(agents n: Int, layout: ObservationLayout, actions: ActionLayout) {
    mobileFlat = [Float](repeating: 0, count: n * layout.mobileFlatSize)
    mobileMap = [Float](repeating: 0, count: n * layout.mobileMapSize)
    mobileIndex = [Int16](repeating: 0, count: n * layout.mobileIndexSize)
    mobileMask = [Float](repeating: 1, count: n * actions.mobileMaskSize)
    plannerFlat = [Float](repeating: 0, count: layout.plannerFlatSize)
    plannerMap = [Float](repeating: 0, count: layout.plannerMapSize)
    plannerIndex = [Int16](repeating: 0, count: layout.plannerIndexSize)
    perAgent = [Float](repeating: 0, count: n * layout.perAgentSize)
    plannerMask = [Float](repeating: 1, count: actions.plannerMaskSize)
  }

  /// Mobile agent `agent`'s flat observation.
  public func mobileFlat(_ agent: Int, size: Int) -> ArraySlice<Float> {
    mobileFlat[agent * size..<(agent + 1) * size]
  }
}

/// The actions of the next step: one sub-action per subspace for every mobile agent and the
/// planner (0 = NO-OP).
///
/// Setters validate ranges and throw ``ActionError`` for an index outside the action space;
/// actions the current mask forbids are accepted here and act as NO-OP when the step runs.
public struct ActionBuffer: Sendable {
  /// Sub-actions of mobile agents, `[agent × subspaces]`.
  public internal(set) var mobile: [Int32]
  /// Sub-actions of the planner, `[subspaces]`.
  public internal(set) var planner: [Int32]
  let layout: ActionLayout
  let agentCount: Int

  init(agents: Int, layout: ActionLayout) {
    agentCount = agents
    self.layout = layout
    mobile = [Int32](repeating: 0, count: agents * layout.mobile.count)
    planner = [Int32](repeating: 0, count: layout.planner.count)
  }

  /// Sets every action to NO-OP.
  public mutating func clear() {
    for i in mobile.indices { mobile[i] = 0 }
    for i in planner.indices { planner[i] = 0 }
  }

  /// Sets mobile agent `agent`'s action from a single-action index in `0..<mobileActionCount`.
  public mutating func setMobile(_ agent: Int, action: Int) throws(ActionError) {
    guard agent >= 0 && agent < agentCount else {
      throw ActionError.unknownAgent(String(agent), agentCount: agentCount)
    }
    guard action >= 0 && action < layout.mobileActionCount else {
      throw ActionError.outOfRange(
        agent: String(agent), action: "\(action)", space: "Discrete(\(layout.mobileActionCount))")
    }
    let s = layout.mobile.count
    for k in 0..<s { mobile[agent * s + k] = 0 }
    if let (sub, a) = ActionLayout.decode(action, specs: layout.mobile) { mobile[agent * s + sub] = Int32(a) }
  }

  /// Sets mobile agent `agent`'s sub-actions, one per subspace (multi-action mode).
  public mutating func setMobile(_ agent: Int, subActions: [Int]) throws(ActionError) {
    guard agent >= 0 && agent < agentCount else {
      throw ActionError.unknownAgent(String(agent), agentCount: agentCount)
    }
    let nvec = layout.mobileNvec
    guard subActions.count == nvec.count, zip(subActions, nvec).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
      throw ActionError.outOfRange(agent: String(agent), action: "\(subActions)", space: "MultiDiscrete(\(nvec))")
    }
    if !layout.multiActionMobile && subActions.filter({ $0 != 0 }).count > 1 {
      throw ActionError.outOfRange(
        agent: String(agent), action: "\(subActions)",
        space: "Discrete(\(layout.mobileActionCount)) (single-action mode: at most one non-zero sub-action)")
    }
    let s = layout.mobile.count
    for k in 0..<s { mobile[agent * s + k] = Int32(subActions[k]) }
  }

  /// Sets the planner's sub-actions, one per subspace (`[0]` for the placeholder).
  public mutating func setPlanner(subActions: [Int]) throws(ActionError) {
    let nvec = layout.plannerNvec
    guard subActions.count == nvec.count, zip(subActions, nvec).allSatisfy({ $0 >= 0 && $0 < $1 }) else {
      throw ActionError.outOfRange(agent: "p", action: "\(subActions)", space: "MultiDiscrete(\(nvec))")
    }
    for k in 0..<layout.planner.count { planner[k] = Int32(subActions[k]) }
  }

  /// Sets the planner's action from a single-action index.
  public mutating func setPlanner(action: Int) throws(ActionError) {
    guard action >= 0 && action < layout.plannerActionCount else {
      throw ActionError.outOfRange(agent: "p", action: "\(action)", space: "Discrete(\(layout.plannerActionCount))")
    }
    for k in planner.indices { planner[k] = 0 }
    if let (sub, a) = ActionLayout.decode(action, specs: layout.planner) { planner[sub] = Int32(a) }
  }

  /// Sets one sub-action of mobile agent `agent` without range checks beyond a precondition
  /// (for samplers that draw from masks).
  @inline(__always) public mutating func setMobile(_ agent: Int, subspace: Int, _ value: Int) {
    precondition(subspace < layout.mobile.count && value >= 0 && value <= layout.mobile[subspace].count)
    mobile[agent * layout.mobile.count + subspace] = Int32(value)
  }

  /// Sets one sub-action of the planner (for samplers that draw from masks).
  @inline(__always) public mutating func setPlanner(subspace: Int, _ value: Int) {
    precondition(subspace < layout.planner.count && value >= 0 && value <= layout.planner[subspace].count)
    planner[subspace] = Int32(value)
  }
}

/// An action outside its action space.
public enum ActionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The action index is outside the agent's space.
  case outOfRange(agent: String, action: String, space: String)
  /// No such agent.
  case unknownAgent(String, agentCount: Int)

  /// A readable description of the value.
  public var description: String {
    switch self {
    case .outOfRange(let agent, let action, let space):
      return "agent '\(agent)': action \(action) is outside its action space \(space)"
    case .unknownAgent(let agent, let n):
      return "unknown agent '\(agent)'; expected '0' to '\(n - 1)' or 'p'"
    }
  }
}

/// Read-only raw views of an environment's observation buffers, for adapters in this package
/// that copy observations into batch buffers without retaining or copying arrays.
package struct ObservationPointers {
  /// ``ObservationBuffers/mobileFlat``.
  package let mobileFlat: UnsafePointer<Float>?
  /// ``ObservationBuffers/mobileMap``.
  package let mobileMap: UnsafePointer<Float>?
  /// ``ObservationBuffers/mobileIndex``.
  package let mobileIndex: UnsafePointer<Int16>?
  /// ``ObservationBuffers/mobileMask``.
  package let mobileMask: UnsafePointer<Float>?
  /// ``ObservationBuffers/plannerFlat``.
  package let plannerFlat: UnsafePointer<Float>?
  /// ``ObservationBuffers/plannerMap``.
  package let plannerMap: UnsafePointer<Float>?
  /// ``ObservationBuffers/plannerIndex``.
  package let plannerIndex: UnsafePointer<Int16>?
  /// ``ObservationBuffers/perAgent``.
  package let perAgent: UnsafePointer<Float>?
  /// ``ObservationBuffers/plannerMask``.
  package let plannerMask: UnsafePointer<Float>?
}

extension ObservationBuffers {
  /// Calls `body` with raw views of every buffer, valid only during the call.
  package func withPointers<R>(_ body: (ObservationPointers) -> R) -> R {
    mobileFlat.withUnsafeBufferPointer { mf in
      mobileMap.withUnsafeBufferPointer { mm in
        mobileIndex.withUnsafeBufferPointer { mi in
          mobileMask.withUnsafeBufferPointer { mk in
            plannerFlat.withUnsafeBufferPointer { pf in
              plannerMap.withUnsafeBufferPointer { pm in
                plannerIndex.withUnsafeBufferPointer { pi in
                  perAgent.withUnsafeBufferPointer { pa in
                    plannerMask.withUnsafeBufferPointer { pk in
                      body(
                        ObservationPointers(
                          mobileFlat: mf.baseAddress, mobileMap: mm.baseAddress, mobileIndex: mi.baseAddress,
                          mobileMask: mk.baseAddress, plannerFlat: pf.baseAddress, plannerMap: pm.baseAddress,
                          plannerIndex: pi.baseAddress, perAgent: pa.baseAddress, plannerMask: pk.baseAddress))
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
