import Basics

/// How a component draws agents' skills at reset.
public enum SkillDistribution: String, Sendable, CaseIterable {
  /// Every agent has the base skill.
  case none
  /// numpy's `pareto(a)` (Lomax, starts at 0).
  case pareto
  /// A log-normal draw.
  case lognormal
}

/// Agents turn 1 Wood + 1 Stone into a house on their tile and earn coin for it
/// (Foundation's `Build`).
///
/// - Actions (mobile): one subspace `Build` with 1 action.
/// - A build succeeds when the agent has the resources and the tile holds no resource and no
///   landmark (a source tile, even an empty one, cannot be built on). Agents are processed in a
///   random order each step.
/// - The payment is `build_payment = pay_rate · payment` with
///   `pay_rate = min(PMSM, (PMSM − 1) · skill + 1)`, skill drawn at reset
///   (`pareto(4)`, `lognormal(−1, 0.5)`, or 1 for `none`).
/// - Observations: `Build-build_payment` (= build_payment / payment) and `Build-build_skill`.
public struct Build: Component {
  /// The name configs use for this component.
  public static let name = "Build"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "Build"
  /// The parameters a config may set.
  public static let parameterNames = ["payment", "payment_max_skill_multiplier", "skill_dist", "build_labor"]
  /// Resources to build with, houses to build, coin to be paid, labor spent.
  public static let requiredEntities: [Entity] = [.wood, .stone, .coin, .house, .labor]

  /// Base coin paid per house.
  public let payment: Double
  /// Upper bound of the skill multiplier (PMSM).
  public let paymentMaxSkillMultiplier: Double
  /// How skills are drawn.
  public let skillDistribution: SkillDistribution
  /// Labor added per house.
  public let buildLabor: Double

  let action: ActionSubspace
  let paymentField: StateField
  let skillField: StateField
  let paymentObs: ObservationField
  let skillObs: ObservationField
  var order: [Int32]
  var builds: [Int32]
  var log: [JSONValue] = []

  /// Reads the parameters and declares actions, state fields and observations.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    payment = params.double("payment", default: 10, range: 0...Limits.amount)
    paymentMaxSkillMultiplier = params.double(
      "payment_max_skill_multiplier", default: 1, range: 1...1000)
    let dist = params.choice("skill_dist", default: "none", from: SkillDistribution.allCases.map(\.rawValue))
    skillDistribution = SkillDistribution(rawValue: dist) ?? .none
    buildLabor = params.double("build_labor", default: 10, range: 0...Limits.labor)
    setup.declareSkills(
      SkillModel(distribution: skillDistribution, payment: payment, maxSkillMultiplier: paymentMaxSkillMultiplier))
    action = setup.addMobileActions(nil, count: 1)
    paymentField = world.registerStateField("build_payment")
    skillField = world.registerStateField("build_skill")
    paymentObs = setup.addObservation("build_payment", owner: .mobile)
    skillObs = setup.addObservation("build_skill", owner: .mobile)
    order = [Int32](repeating: 0, count: setup.agentCount)
    builds = [Int32](repeating: 0, count: setup.agentCount)
  }

  /// The pay rate for a skill draw: `min(PMSM, (PMSM − 1) · skill + 1)`.
  public func payRate(skill: Double) -> Double {
    let pmsm = paymentMaxSkillMultiplier
    return min(pmsm, (pmsm - 1) * skill + 1)
  }

  /// Resets per-episode state (see ``Component``).
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for a in 0..<world.agentCount {
      var skill = 1.0
      var rate = 1.0
      switch skillDistribution {
      case .none: break
      case .pareto:
        skill = rng.pareto(4)
        rate = payRate(skill: skill)
      case .lognormal:
        skill = rng.lognormal(mean: -1, sigma: 0.5)
        rate = payRate(skill: skill)
      }
      world.setState(a, paymentField, rate * payment)
      world.setState(a, skillField, skill)
      builds[a] = 0
    }
    log.removeAll(keepingCapacity: true)
  }

  /// Whether `agent` can build on its current tile now.
  public func canBuild(_ agent: Int, in world: World) -> Bool {
    if world.inventory(agent, .wood) < 1 || world.inventory(agent, .stone) < 1 { return false }
    let r = Int(world.row[agent])
    let c = Int(world.col[agent])
    return !world.hasResource(r, c) && !world.hasLandmark(r, c)
  }

  /// Applies this step's actions (see ``Component``).
  public mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    rng.permutation(&order)
    var entries: [JSONValue] = []
    for i in order {
      let a = Int(i)
      guard actions.mobile(a, action) == 1, canBuild(a, in: world) else { continue }
      world.addInventory(a, .wood, -1)
      world.addInventory(a, .stone, -1)
      world.ledger.resourceCreated[Resource.wood.rawValue] -= 1
      world.ledger.resourceCreated[Resource.stone.rawValue] -= 1
      let r = Int(world.row[a])
      let c = Int(world.col[a])
      world.placeHouse(r, c, owner: a)
      let income = world.state(a, paymentField)
      world.addInventory(a, .coin, income)
      world.ledger.coinCreated += income
      world.labor[a] += buildLabor
      builds[a] += 1
      if logging {
        entries.append(
          .object([
            "builder": .int(Int64(a)), "loc": .array([.int(Int64(r)), .int(Int64(c))]), "income": .double(income),
          ]))
      }
    }
    if logging { log.append(.array(entries)) }
  }

  /// Writes this component's observation fields.
  public func writeObservations(world: World, into out: inout ObservationWriter) {
    for a in 0..<world.agentCount {
      out.set(paymentObs, agent: a, world.state(a, paymentField) / payment)
      out.set(skillObs, agent: a, world.state(a, skillField))
    }
  }

  /// Writes this component's action masks.
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    for a in 0..<world.agentCount {
      out.set(action, agent: a, index: 0, canBuild(a, in: world))
    }
  }

  /// Appends the episode metrics, keys without the shorthand prefix.
  public func metrics(world: World, into out: inout [(key: String, value: Double)]) {
    for a in 0..<world.agentCount { out.append(("\(a)/n_builds", Double(builds[a]))) }
    var houses = 0
    let base = MapLayer.house.rawValue * world.tileCount
    for t in 0..<world.tileCount where world.layers[base + t] > 0 { houses += 1 }
    out.append(("total_builds", Double(houses)))
  }

  /// This episode's dense-log entries, one per step.
  public var denseLog: [JSONValue]? { log }
}
