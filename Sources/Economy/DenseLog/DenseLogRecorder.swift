import Basics

/// Records an episode's dense log in flat typed arrays while it runs (cheap per step), and turns
/// it into a ``DenseLogRecording`` at the end.
struct DenseLogRecorder: Sendable {
  var states: [Double] = []
  var actions: [Int32] = []
  var rewards: [Double] = []
  var snapshots: [WorldSnapshot] = []
  var steps = 0
  var agentWidth = 0

  /// The most steps whose storage is reserved when an episode starts.
  static let maximumReservedSteps = 10_000

  /// Values per agent in `states`: row, col, inventory ×3, escrow ×3, labor, state fields.
  static func agentWidth(fields: Int) -> Int { 2 + 2 * Resource.count + 1 + fields }

  mutating func start(world: World, episodeLength t: Int, actionsPerStep: Int) {
    let n = world.agentCount
    agentWidth = DenseLogRecorder.agentWidth(fields: world.stateFieldNames.count)
    let entry = n * agentWidth + 2 * Resource.count
    states.removeAll(keepingCapacity: true)
    actions.removeAll(keepingCapacity: true)
    rewards.removeAll(keepingCapacity: true)
    snapshots.removeAll(keepingCapacity: true)
    // Reserve for the whole episode up to a bound: a very long episode_length must not fail
    // at reset; its log grows as it runs.
    let reserved = min(t, DenseLogRecorder.maximumReservedSteps)
    states.reserveCapacity((reserved + 1) * entry)
    actions.reserveCapacity(reserved * actionsPerStep)
    rewards.reserveCapacity(reserved * (n + 1))
    steps = 0
  }

  mutating func recordPreStep(world: World, actions pending: ActionBuffer, worldFrequency: Int) {
    if world.timestep % worldFrequency == 0 { snapshot(world, index: steps) }
    appendStates(world)
    actions.append(contentsOf: pending.mobile)
    actions.append(contentsOf: pending.planner)
  }

  mutating func recordRewards(_ r: [Double]) {
    rewards.append(contentsOf: r)
    steps += 1
  }

  mutating func recordFinal(world: World) {
    snapshot(world, index: steps)
    appendStates(world)
  }

  mutating func snapshot(_ world: World, index: Int) {
    snapshots.append(WorldSnapshot(index: index, layers: world.layers, houseOwner: world.houseOwner))
  }

  mutating func appendStates(_ world: World) {
    let fields = world.stateFieldNames.count
    for a in 0..<world.agentCount {
      states.append(Double(world.row[a]))
      states.append(Double(world.col[a]))
      for r in 0..<Resource.count { states.append(world.inventory[a * Resource.count + r]) }
      for r in 0..<Resource.count { states.append(world.escrow[a * Resource.count + r]) }
      states.append(world.labor[a])
      for f in 0..<fields { states.append(world.stateFields[a * fields + f]) }
    }
    states.append(contentsOf: world.plannerInventory)
    states.append(contentsOf: world.plannerEscrow)
  }

  func finish(env: Environment) -> DenseLogRecording {
    DenseLogRecording(
      agentCount: env.agentCount, steps: steps, height: env.world.height, width: env.world.width,
      channels: env.scenario.channels, resources: env.scenario.resources, stateFieldNames: env.world.stateFieldNames,
      agentWidth: agentWidth,
      mobileSubspaces: env.actionLayout.mobile.map(\.name), plannerSubspaces: env.actionLayout.planner.map(\.name),
      states: states, actions: actions, rewards: rewards, snapshots: snapshots,
      componentLogs: env.components.compactMap { c in c.denseLog.map { (type(of: c).shorthand, $0) } })
  }
}

/// The map at one point of an episode.
public struct WorldSnapshot: Sendable {
  /// Index of the `world` entry (step index before which it was taken; the episode length for
  /// the final map).
  public let index: Int
  /// All layers, as ``World/layers``.
  public let layers: [Float]
  /// House owners, -1 for none.
  public let houseOwner: [Int16]
}

/// An episode's dense log as recorded, in typed form; ``writeJSON(into:)`` writes Foundation's
/// dense-log JSON (`world`, `states`, `actions`, `rewards`, then each component's log under its
/// shorthand).
public struct DenseLogRecording: Sendable {
  /// Number of mobile agents.
  public let agentCount: Int
  /// Number of steps recorded.
  public let steps: Int
  /// Map height.
  public let height: Int
  /// Map width.
  public let width: Int
  /// Map layers in the world snapshots, in order.
  public let channels: [MapLayer]
  /// The resources in inventories and escrow, in Foundation's key order.
  public let resources: [Resource]
  /// Per-agent state fields registered by components.
  public let stateFieldNames: [String]
  let agentWidth: Int
  /// Mobile action subspace names.
  public let mobileSubspaces: [String]
  /// Planner action subspace names.
  public let plannerSubspaces: [String]
  let states: [Double]
  let actions: [Int32]
  let rewards: [Double]
  let snapshots: [WorldSnapshot]
  /// Each component's per-step entries, keyed by shorthand.
  public let componentLogs: [(String, [JSONValue])]

  /// Serializes the log as UTF-8 JSON.
  public func jsonBytes() -> [UInt8] {
    var w = JSONWriter(reservingCapacity: 1 << 20)
    writeJSON(into: &w)
    return w.bytes
  }

  /// Writes the log into `w` as one JSON object.
  public func writeJSON(into w: inout JSONWriter) {
    w.beginObject()
    w.key("world")
    w.beginArray()
    var next = 0
    for i in 0...steps {
      if next < snapshots.count && snapshots[next].index == i {
        writeSnapshot(snapshots[next], into: &w)
        next += 1
      } else {
        w.beginObject()
        w.endObject()
      }
    }
    w.endArray()
    w.key("states")
    w.beginArray()
    let entry = agentCount * agentWidth + 2 * Resource.count
    for i in 0...steps { writeStates(base: i * entry, into: &w) }
    w.endArray()
    w.key("actions")
    w.beginArray()
    let stride = agentCount * mobileSubspaces.count + plannerSubspaces.count
    for i in 0..<steps { writeActions(base: i * stride, into: &w) }
    w.endArray()
    w.key("rewards")
    w.beginArray()
    for i in 0..<steps {
      w.beginObject()
      for a in 0...agentCount {
        w.key(a == agentCount ? "p" : String(a))
        w.value(rewards[i * (agentCount + 1) + a])
      }
      w.endObject()
    }
    w.endArray()
    for (name, entries) in componentLogs {
      w.key(name)
      w.beginArray()
      for e in entries { w.value(e) }
      w.endArray()
    }
    w.endObject()
  }

  private func writeGrid(_ values: (Int) -> Double, into w: inout JSONWriter, integer: Bool) {
    w.beginArray()
    for r in 0..<height {
      w.beginArray()
      for c in 0..<width {
        if integer { w.value(Int(values(r * width + c))) } else { w.value(values(r * width + c)) }
      }
      w.endArray()
    }
    w.endArray()
  }

  private func writeSnapshot(_ s: WorldSnapshot, into w: inout JSONWriter) {
    let n = height * width
    w.beginObject()
    for layer in channels {
      w.key(layer.name)
      if layer == .house {
        w.beginObject()
        w.key("owner")
        writeGrid({ Double(s.houseOwner[$0]) }, into: &w, integer: true)
        w.key("health")
        writeGrid({ Double(s.layers[layer.rawValue * n + $0]) }, into: &w, integer: false)
        w.endObject()
      } else {
        writeGrid({ Double(s.layers[layer.rawValue * n + $0]) }, into: &w, integer: false)
      }
    }
    w.endObject()
  }

  private func writeAmount(_ v: Double, coin: Bool, into w: inout JSONWriter) {
    if !coin && v == v.rounded() && abs(v) < 1e15 { w.value(Int(v)) } else { w.value(v) }
  }

  private func writeResources(_ values: ArraySlice<Double>, into w: inout JSONWriter) {
    w.beginObject()
    for r in resources {
      w.key(r.name)
      writeAmount(values[values.startIndex + r.rawValue], coin: r == .coin, into: &w)
    }
    w.endObject()
  }

  private func writeStates(base: Int, into w: inout JSONWriter) {
    w.beginObject()
    for a in 0..<agentCount {
      let b = base + a * agentWidth
      w.key(String(a))
      w.beginObject()
      w.key("loc")
      w.beginArray()
      w.value(Int(states[b]))
      w.value(Int(states[b + 1]))
      w.endArray()
      w.key("inventory")
      writeResources(states[(b + 2)..<(b + 5)], into: &w)
      w.key("escrow")
      writeResources(states[(b + 5)..<(b + 8)], into: &w)
      w.key("endogenous")
      w.beginObject()
      w.key("Labor")
      w.value(states[b + 8])
      w.endObject()
      for (f, name) in stateFieldNames.enumerated() {
        w.key(name)
        w.value(states[b + 9 + f])
      }
      w.endObject()
    }
    let p = base + agentCount * agentWidth
    w.key("p")
    w.beginObject()
    w.key("inventory")
    writeResources(states[p..<(p + 3)], into: &w)
    w.key("escrow")
    writeResources(states[(p + 3)..<(p + 6)], into: &w)
    w.key("endogenous")
    w.beginObject()
    w.endObject()
    w.endObject()
    w.endObject()
  }

  private func writeActions(base: Int, into w: inout JSONWriter) {
    let s = mobileSubspaces.count
    w.beginObject()
    for a in 0...agentCount {
      w.key(a == agentCount ? "p" : String(a))
      w.beginObject()
      let names = a == agentCount ? plannerSubspaces : mobileSubspaces
      let b = base + a * s
      for (k, name) in names.enumerated() where actions[b + k] != 0 {
        w.key(name)
        w.value(Int(actions[b + k]))
      }
      w.endObject()
    }
    w.endObject()
  }

  /// The log as a parsed ``DenseLog``.
  public var denseLog: DenseLog {
    // The writer always produces valid JSON with the expected structure.
    (try? DenseLog(json: JSONParser.parse(jsonBytes()), origin: "recording")) ?? DenseLog(unchecked: [:])
  }
}
