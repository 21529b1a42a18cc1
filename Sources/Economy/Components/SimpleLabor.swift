import Basics

/// Agents choose how many hours to work and earn hours × skill in coin (Foundation's
/// `SimpleLabor`, the labor choice of the one-step economy).
///
/// - Actions (mobile): one subspace `SimpleLabor` with 100 actions; action `h` works `h` hours
///   (NO-OP works none).
/// - With `mask_first_step` (the default) every labor action is masked on the first step of an
///   episode, when the planner sets taxes; afterwards all are allowed.
/// - Working `h` hours sets the agent's labor to `h` (it replaces, not adds) and pays
///   `h · skill` coin, added to the agent's inventory and to its `production` (pre-tax income).
/// - Skills are fixed by rank: agent `i` gets the mean of the `i`-th smallest of `n` pay rates
///   `min(PMSM, (PMSM − 1) · pareto(4) + 1)` (Foundation's Monte Carlo average over 1,000
///   draws; ours averages 100,000 draws of our generator, seeded with 1, so it is the same
///   expectation with less noise). Agent 0 is the least skilled.
/// - Observation: `SimpleLabor-skill` = skill / PMSM.
/// - State fields: `skill`, `production`. As in Foundation, `production` is never reset: it
///   accumulates over the episodes of an environment (it is carried across episodes in
///   checkpoints).
/// - `pareto_param` is read and checked (> 0) but, as in Foundation, not used: the draws use a
///   Pareto parameter of 4.
public struct SimpleLabor: Component {
  /// The name configs use for this component.
  public static let name = "SimpleLabor"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "SimpleLabor"
  /// The parameters a config may set.
  public static let parameterNames = ["mask_first_step", "payment_max_skill_multiplier", "pareto_param"]
  /// Coin earned, labor spent.
  public static let requiredEntities: [Entity] = [.coin, .labor]
  /// The most hours an agent can work in a step.
  public static let hours = 100

  /// Whether labor is masked on the first step of an episode.
  public let maskFirstStep: Bool
  /// Upper bound of the skill multiplier (PMSM).
  public let paymentMaxSkillMultiplier: Double
  /// Stored as Foundation stores it; the skill draws use 4 whatever its value.
  public let paretoParam: Double
  /// Each agent's skill (coin per hour), agent 0 the least skilled.
  public let skills: [Double]

  let action: ActionSubspace
  let skillField: StateField
  let productionField: StateField
  let skillObs: ObservationField
  /// Each agent's production so far, kept across episodes.
  var production: [Double]

  /// Reads the parameters and declares the action, state fields and observation.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    maskFirstStep = params.bool("mask_first_step", default: true)
    paymentMaxSkillMultiplier = params.double("payment_max_skill_multiplier", default: 3, range: 1...1000)
    paretoParam = params.double("pareto_param", default: 4, range: 0...1e6)
    if !(paretoParam > 0) { params.report("pareto_param", "expected a pareto_param above 0, found \(paretoParam)") }
    skills = WoodAndStoneScenario.rankedPayments(
      agents: setup.agentCount, payment: 1, pmsm: paymentMaxSkillMultiplier)
    action = setup.addMobileActions(nil, count: SimpleLabor.hours)
    skillField = world.registerStateField("skill")
    productionField = world.registerStateField("production")
    skillObs = setup.addObservation("skill", owner: .mobile)
    production = [Double](repeating: 0, count: setup.agentCount)
  }

  /// Sets each agent's skill and restores its production so far.
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for a in 0..<world.agentCount {
      world.setState(a, skillField, skills[a])
      world.setState(a, productionField, production[a])
    }
  }

  /// Applies the labor choices.
  public mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    for a in 0..<world.agentCount {
      let hours = actions.mobile(a, action)
      guard hours > 0 else { continue }
      let pay = Double(hours) * world.state(a, skillField)
      world.labor[a] = Double(hours)
      world.addInventory(a, .coin, pay)
      world.ledger.coinCreated += pay
      production[a] = world.state(a, productionField) + pay
      world.setState(a, productionField, production[a])
    }
  }

  /// Writes `skill / PMSM`.
  public func writeObservations(world: World, into out: inout ObservationWriter) {
    for a in 0..<world.agentCount {
      out.set(skillObs, agent: a, world.state(a, skillField) / paymentMaxSkillMultiplier)
    }
  }

  /// Masks every labor action on the first step with `mask_first_step`.
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    let allowed = !(maskFirstStep && world.timestep == 0)
    for a in 0..<world.agentCount { out.setAll(action, agent: a, count: SimpleLabor.hours, allowed) }
  }

  /// SimpleLabor keeps no dense log (as Foundation's).
  public var denseLog: [JSONValue]? { nil }

  /// Each agent's production so far.
  public func carryOver() -> JSONValue? { .array(production.map { .double($0) }) }

  /// Restores each agent's production so far.
  public mutating func restoreCarryOver(_ state: JSONValue) throws(ResumeError) {
    guard let values = state.arrayValue, values.count == production.count else {
      throw ResumeError("SimpleLabor's carried-over production must be \(production.count) numbers, found \(state)")
    }
    var restored: [Double] = []
    for v in values {
      guard let x = v.doubleValue, x.isFinite, x >= 0 else {
        throw ResumeError("SimpleLabor's carried-over production must be non-negative numbers, found \(v)")
      }
      restored.append(x)
    }
    production = restored
  }
}
