import Basics

/// Agents move on the map and collect the resources they stand on (Foundation's `Gather`, in
/// `move.py`).
///
/// - Actions (mobile): one subspace `Gather` with 4 actions: 1 left (col − 1), 2 right
///   (col + 1), 3 up (row − 1), 4 down (row + 1).
/// - Agents act in a random order. A move succeeds when the target is inside the world, not
///   water, not another agent's house and not occupied; it costs `move_labor` only if the agent
///   moved.
/// - After moving, or after a NO-OP, an agent standing on a resource with health ≥ 1 collects
///   it: `1 + (U < bonus_gather_prob)` units, the tile loses one unit, and the agent pays
///   `collect_labor`. (Collecting while standing still is Foundation's game rule and is kept.)
/// - `bonus_gather_prob` is drawn at reset: `min(2, pareto(3)) / 2`,
///   `min(2, lognormal(−2.022, 0.938)) / 2`, or 0.
///
/// Deliberate difference: Foundation's step loop `return`s (dropping the step's gather log)
/// when an agent has no Gather action; here every agent has one, and the loop never exits early.
public struct Gather: Component {
  /// The name configs use for this component.
  public static let name = "Gather"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "Gather"
  /// The parameters a config may set.
  public static let parameterNames = ["move_labor", "collect_labor", "skill_dist"]
  /// Coin (none is paid, but Foundation requires it), houses that block moves, labor spent.
  public static let requiredEntities: [Entity] = [.coin, .house, .labor]

  /// Labor per successful move.
  public let moveLabor: Double
  /// Labor per collection.
  public let collectLabor: Double
  /// How bonus-collection skills are drawn.
  public let skillDistribution: SkillDistribution

  let action: ActionSubspace
  let bonusField: StateField
  let bonusObs: ObservationField
  var order: [Int32]
  var log: [JSONValue] = []

  /// Reads the parameters and declares actions, state fields and observations.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    moveLabor = params.double("move_labor", default: 1, range: 0...Limits.labor)
    collectLabor = params.double("collect_labor", default: 1, range: 0...Limits.labor)
    let dist = params.choice("skill_dist", default: "none", from: SkillDistribution.allCases.map(\.rawValue))
    skillDistribution = SkillDistribution(rawValue: dist) ?? .none
    action = setup.addMobileActions(nil, count: 4)
    bonusField = world.registerStateField("bonus_gather_prob")
    bonusObs = setup.addObservation("bonus_gather_prob", owner: .mobile)
    order = [Int32](repeating: 0, count: setup.agentCount)
  }

  /// The row and column offsets of move actions 1...4.
  static let moves: [(dr: Int, dc: Int)] = [(0, -1), (0, 1), (-1, 0), (1, 0)]

  /// Resets per-episode state (see ``Component``).
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for a in 0..<world.agentCount {
      let p: Double
      switch skillDistribution {
      case .none: p = 0
      case .pareto: p = min(2, rng.pareto(3)) / 2
      case .lognormal: p = min(2, rng.lognormal(mean: -2.022, sigma: 0.938)) / 2
      }
      world.setState(a, bonusField, p)
    }
    log.removeAll(keepingCapacity: true)
  }

  /// Applies this step's actions (see ``Component``).
  public mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    rng.permutation(&order)
    var entries: [JSONValue] = []
    for i in order {
      let a = Int(i)
      let act = actions.mobile(a, action)
      var r = Int(world.row[a])
      var c = Int(world.col[a])
      if act >= 1 && act <= 4 {
        let m = Gather.moves[act - 1]
        if world.moveAgent(a, toRow: r + m.dr, col: c + m.dc) {
          r += m.dr
          c += m.dc
          world.labor[a] += moveLabor
        }
      }
      for resource in Resource.collectible {
        guard let layer = MapLayer.resourceLayer(resource) else { continue }
        let health = world.value(layer, r, c)
        guard health >= 1 else { continue }
        let bonus = rng.uniform() < world.state(a, bonusField)
        let n: Double = bonus ? 2 : 1
        world.addInventory(a, resource, n)
        world.setValue(health - 1, layer, r, c)
        world.labor[a] += collectLabor
        world.ledger.resourceCreated[resource.rawValue] += n - 1
        if logging {
          entries.append(
            .object([
              "agent": .int(Int64(a)), "resource": .string(resource.name), "n": .int(bonus ? 2 : 1),
              "loc": .array([.int(Int64(r)), .int(Int64(c))]),
            ]))
        }
      }
    }
    if logging { log.append(.array(entries)) }
  }

  /// Writes this component's observation fields.
  public func writeObservations(world: World, into out: inout ObservationWriter) {
    for a in 0..<world.agentCount { out.set(bonusObs, agent: a, world.state(a, bonusField)) }
  }

  /// Writes this component's action masks.
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    for a in 0..<world.agentCount {
      let r = Int(world.row[a])
      let c = Int(world.col[a])
      for (k, m) in Gather.moves.enumerated() {
        out.set(action, agent: a, index: k, world.canOccupy(r + m.dr, c + m.dc, agent: a))
      }
    }
  }

  /// This episode's dense-log entries, one per step.
  public var denseLog: [JSONValue]? { log }
}
