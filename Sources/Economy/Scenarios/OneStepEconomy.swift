import Foundation

/// The one-step economy (Foundation's `one-step-economy`, from "Taxation policy design via
/// two-level deep multiagent reinforcement learning", Science Advances 2022): the planner sets
/// bracketed tax rates on the first step (`PeriodicBracketTax` with `period` 2) and the agents
/// choose how many hours to work on the second (`SimpleLabor`); an episode is two steps.
///
/// - No map: agents stay at `[-1, -1]` and hold only coin.
/// - Reset: inventories, escrow and labor are zeroed; the planner's coin is 0.
/// - Observations: every agent sees `time`; the planner also sees
///   `world-normalized_per_capita_productivity` (total coin / n / 1000) and `world-equality`.
/// - Agent utility (`agent_reward_type`): `coin − labor_cost · labor^labor_exponent`, or the
///   isoelastic utility of coin minus `labor_cost · labor`.
/// - Planner welfare (`planner_reward_type`): the utilities weighted by inverse pre-tax income
///   (each agent's `production`, weights `1 / max(production, 1)`, normalized), or equality
///   times productivity.
/// - Rewards are the change of each utility and of the welfare since the last step.
struct OneStepEconomyScenario: Scenario {
  let params: OneStepParameters
  let agentCount: Int
  let productionField: StateField
  let fields: Fields
  var coinScratch: [Double]
  var productionScratch: [Double]
  var utilityScratch: [Double]
  var currentMetric: [Double]
  var autoWarmupIntegrator = 0

  struct Fields {
    var time: ObservationField
    var plannerTime: ObservationField
    var productivity: ObservationField
    var equality: ObservationField
  }

  var channels: [MapLayer] { [] }
  var resources: [Resource] { [.coin] }
  var mobileMapShape: [Int]? { nil }
  var plannerMapShape: [Int]? { nil }
  var placesAgents: Bool { false }

  /// Builds the scenario; `SimpleLabor` must have registered the `production` field (the config
  /// check ensures it).
  init(params: OneStepParameters, setup: inout ComponentSetup, world: inout World) {
    self.params = params
    agentCount = world.agentCount
    productionField = world.registerStateField("production")
    setup.componentName = ""
    fields = Fields(
      time: setup.addScenarioObservation("time", scalar: false, owner: .mobile),
      plannerTime: setup.addScenarioObservation("time", scalar: false, owner: .planner),
      productivity: setup.addScenarioObservation("world-normalized_per_capita_productivity", owner: .planner),
      equality: setup.addScenarioObservation("world-equality", owner: .planner))
    coinScratch = [Double](repeating: 0, count: agentCount)
    productionScratch = coinScratch
    utilityScratch = coinScratch
    currentMetric = [Double](repeating: 0, count: agentCount + 1)
  }

  mutating func resetMap(world: inout World, rng: inout EconomyRNG) {}

  mutating func resetAgents(world: inout World, rng: inout EconomyRNG) {
    world.clearAgentLocations()
    for i in world.inventory.indices {
      world.inventory[i] = 0
      world.escrow[i] = 0
    }
    for a in 0..<agentCount { world.labor[a] = 0 }
    for r in 0..<Resource.count {
      world.plannerInventory[r] = 0
      world.plannerEscrow[r] = 0
    }
  }

  mutating func finishReset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    updateMetrics(world: world)
  }

  mutating func step(world: inout World, rng: inout EconomyRNG) {}

  /// Each agent's utility, then the planner's welfare (Foundation's
  /// `get_current_optimization_metrics`).
  mutating func updateMetrics(world: World) {
    for a in 0..<agentCount {
      let coin = world.endowment(a, .coin)
      coinScratch[a] = coin
      productionScratch[a] = world.state(a, productionField)
      utilityScratch[a] = utility(coin: coin, labor: world.labor[a])
      currentMetric[a] = utilityScratch[a]
    }
    switch params.plannerRewardType {
    case .coinEqTimesProductivity:
      currentMetric[agentCount] = SocialMetrics.coinEqualityTimesProductivity(
        coinScratch, equalityWeight: 1 - params.mixingWeightGiniVsCoin)
    case .invIncomeWeightedUtility, .invIncomeWeightedCoinEndowments:
      currentMetric[agentCount] = SocialMetrics.inverseIncomeWeightedUtility(
        coin: productionScratch, utilities: utilityScratch)
    }
  }

  /// An agent's utility for `coin` and `labor`.
  func utility(coin: Double, labor: Double) -> Double { params.utility(coin: coin, labor: labor) }

  mutating func computeRewards(world: World, completions: Int, into rewards: inout [Double]) {
    for i in 0...agentCount { rewards[i] = currentMetric[i] }
    updateMetrics(world: world)
    for i in 0...agentCount { rewards[i] = currentMetric[i] - rewards[i] }
  }

  func metrics(world: World, completions: Int) -> [(key: String, value: Double)] {
    let n = Double(agentCount)
    var coins = [Double](repeating: 0, count: agentCount)
    var production = coins
    var labor = 0.0
    for a in 0..<agentCount {
      coins[a] = world.endowment(a, .coin)
      production[a] = world.state(a, productionField)
      labor += world.labor[a]
    }
    let utilities = Array(currentMetric[0..<agentCount])
    return [
      ("social/productivity", SocialMetrics.productivity(coins)),
      ("social/equality", SocialMetrics.equality(coins)),
      (
        "social_welfare/coin_eq_times_productivity",
        SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 1)
      ),
      (
        "social_welfare/inv_income_weighted_utility",
        SocialMetrics.inverseIncomeWeightedUtility(coin: production, utilities: utilities)
      ),
      ("endow/avg_agent/Coin", coins.reduce(0, +) / n),
      ("endogenous/avg_agent/Labor", labor / n),
      ("util/avg_agent", utilities.reduce(0, +) / n),
      ("endow/p/Coin", world.plannerInventory[Resource.coin.rawValue]),
      ("util/p", currentMetric[agentCount]),
    ]
  }

  func writeObservations(world: World, time: Double, scale: Double, into out: inout ObservationWriter) {
    var total = 0.0
    for a in 0..<agentCount {
      out.set(fields.time, agent: a, time)
      total += world.endowment(a, .coin)
    }
    let equality = withUnsafeTemporaryAllocation(of: Double.self, capacity: agentCount) { coins in
      for a in 0..<agentCount { coins[a] = world.endowment(a, .coin) }
      return 1 - SocialMetrics.gini(reordering: coins)
    }
    out.setPlanner(fields.plannerTime, time)
    out.setPlanner(fields.productivity, total / Double(agentCount) / 1000)
    out.setPlanner(fields.equality, equality)
  }

  func writeSpatial(world: World, into obs: inout ObservationBuffers, layout: ObservationLayout) {}

  /// The one-step economy's config problems: it needs `SimpleLabor` (the agents' only way to
  /// earn, and the source of the pre-tax incomes the planner's welfare weighs).
  static func check(config: EnvironmentConfig, setup: ComponentSetup) -> [ConfigIssue] {
    var issues: [ConfigIssue] = []
    if !setup.precedingComponents.contains(SimpleLabor.name) {
      issues.append(
        config.issue(
          "components",
          "one-step-economy needs the SimpleLabor component (agents choose their hours through it), found "
            + (setup.precedingComponents.isEmpty ? "no components" : setup.precedingComponents.joined(separator: ", ")))
      )
    }
    return issues
  }
}
