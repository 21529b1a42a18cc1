/// The registered scenarios.
public enum ScenarioKind: String, Sendable, CaseIterable {
  /// Gather-Trade-Build on a fixed layout file (Foundation's `LayoutFromFile`).
  case layoutFromFile = "layout_from_file/simple_wood_and_stone"
  /// Gather-Trade-Build on a procedurally generated map (Foundation's `Uniform`).
  case uniform = "uniform/simple_wood_and_stone"
}

/// The planner's objective.
public enum PlannerRewardType: String, Sendable, CaseIterable {
  /// `(w · equality + (1 − w)) · productivity / n`, `w = 1 − mixing_weight_gini_vs_coin`.
  case coinEqTimesProductivity = "coin_eq_times_productivity"
  /// Inverse-income-weighted coin endowments.
  case invIncomeWeightedCoinEndowments = "inv_income_weighted_coin_endowments"
  /// Inverse-income-weighted agent utilities.
  case invIncomeWeightedUtility = "inv_income_weighted_utility"
}

/// How the labor cost is annealed in.
public enum EnergyWarmupMethod: String, Sendable, CaseIterable {
  /// By completed episodes.
  case decay
  /// By the count of steps where the mean agent reward was positive.
  case auto
}

/// The parameters of the wood-and-stone scenarios, with Foundation's names and defaults.
public struct ScenarioParameters: Sendable, Equatable {
  /// `planner_gets_spatial_info`: the planner sees the map and agent locations.
  public var plannerGetsSpatialInfo = true
  /// `full_observability`: mobile agents see the whole map instead of a window.
  public var fullObservability = false
  /// `mobile_agent_observation_range`: half-width of the egocentric window.
  public var mobileAgentObservationRange = 5
  /// `env_layout_file` (layout_from_file only).
  public var envLayoutFile = "quadrant_25x25_20each_30clump.txt"
  /// `resource_regen_prob` (layout_from_file only): regrowth probability of an empty source.
  public var resourceRegenProb = 0.01
  /// `fixed_four_skill_and_loc`: fixed ranked build payments and start corners.
  public var fixedFourSkillAndLoc = false
  /// `starting_agent_coin`.
  public var startingAgentCoin = 0.0
  /// `isoelastic_eta`: curvature of the utility of coin, in 0...1.
  public var isoelasticEta = 0.23
  /// `energy_cost`: labor cost coefficient.
  public var energyCost = 0.21
  /// `energy_warmup_constant`: 0 disables annealing of the labor cost.
  public var energyWarmupConstant = 0.0
  /// `energy_warmup_method`.
  public var energyWarmupMethod = EnergyWarmupMethod.decay
  /// `planner_reward_type`.
  public var plannerRewardType = PlannerRewardType.coinEqTimesProductivity
  /// `mixing_weight_gini_vs_coin`, in 0...1.
  public var mixingWeightGiniVsCoin = 0.0
  /// The uniform scenario's layout parameters.
  public var uniform = UniformLayoutParameters()

  /// Creates the defaults.
  public init() {}

  static let common = [
    "planner_gets_spatial_info", "full_observability", "mobile_agent_observation_range", "fixed_four_skill_and_loc",
    "starting_agent_coin", "isoelastic_eta", "energy_cost", "energy_warmup_constant", "energy_warmup_method",
    "planner_reward_type", "mixing_weight_gini_vs_coin",
  ]

  /// Reads the scenario's parameters from the env section.
  mutating func read(_ r: inout ParameterReader, kind: ScenarioKind) {
    plannerGetsSpatialInfo = r.bool("planner_gets_spatial_info", default: true)
    fullObservability = r.bool("full_observability", default: false)
    mobileAgentObservationRange = r.int("mobile_agent_observation_range", default: 5, range: 0...128)
    fixedFourSkillAndLoc = r.bool("fixed_four_skill_and_loc", default: false)
    startingAgentCoin = r.double("starting_agent_coin", default: 0, range: 0...Limits.amount)
    isoelasticEta = r.double("isoelastic_eta", default: 0.23, range: 0...1)
    energyCost = r.double("energy_cost", default: 0.21, range: 0...Limits.labor)
    energyWarmupConstant = r.double("energy_warmup_constant", default: 0, range: 0...1e15)
    energyWarmupMethod =
      EnergyWarmupMethod(
        rawValue: r.choice("energy_warmup_method", default: "decay", from: EnergyWarmupMethod.allCases.map(\.rawValue))
          .lowercased()) ?? .decay
    let reward = r.choice(
      "planner_reward_type", default: "coin_eq_times_productivity",
      from: PlannerRewardType.allCases.map(\.rawValue) + ["inv_income_weighted_coin_endowment"])
    plannerRewardType =
      reward == "inv_income_weighted_coin_endowment"
      ? .invIncomeWeightedCoinEndowments : (PlannerRewardType(rawValue: reward) ?? .coinEqTimesProductivity)
    mixingWeightGiniVsCoin = r.double("mixing_weight_gini_vs_coin", default: 0, range: 0...1)
    switch kind {
    case .layoutFromFile:
      envLayoutFile = r.string("env_layout_file", default: "quadrant_25x25_20each_30clump.txt")
      resourceRegenProb = r.double("resource_regen_prob", default: 0.01, range: 0...1)
    case .uniform:
      var u = UniformLayoutParameters()
      u.startingWoodCoverage = r.double("starting_wood_coverage", default: u.startingWoodCoverage, range: 0...1)
      u.startingStoneCoverage = r.double("starting_stone_coverage", default: u.startingStoneCoverage, range: 0...1)
      u.woodRegenHalfwidth = r.int("wood_regen_halfwidth", default: u.woodRegenHalfwidth, range: 0...3)
      u.stoneRegenHalfwidth = r.int("stone_regen_halfwidth", default: u.stoneRegenHalfwidth, range: 0...3)
      u.woodRegenWeight = r.double("wood_regen_weight", default: u.woodRegenWeight, range: 0...1)
      u.stoneRegenWeight = r.double("stone_regen_weight", default: u.stoneRegenWeight, range: 0...1)
      u.woodMaxHealth = r.int("wood_max_health", default: u.woodMaxHealth, range: 1...1_000_000)
      u.stoneMaxHealth = r.int("stone_max_health", default: u.stoneMaxHealth, range: 1...1_000_000)
      u.woodClumpiness = r.double("wood_clumpiness", default: u.woodClumpiness, range: 0...1)
      u.stoneClumpiness = r.double("stone_clumpiness", default: u.stoneClumpiness, range: 0...1)
      u.gradientSteepness = r.double("gradient_steepness", default: u.gradientSteepness, range: 1...1e6)
      u.checkerSourceBlocks = r.bool("checker_source_blocks", default: u.checkerSourceBlocks)
      uniform = u
    }
  }
}
