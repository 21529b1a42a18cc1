/// The registered scenarios, in Foundation's catalogue order (COVID excepted).
public enum ScenarioKind: String, Sendable, CaseIterable {
  /// Gather-Trade-Build on a fixed layout file (Foundation's `LayoutFromFile`).
  case layoutFromFile = "layout_from_file/simple_wood_and_stone"
  /// A layout file cut in two by a row of water, with the best-skilled agents placed on top
  /// (Foundation's `SplitLayout`).
  case splitLayout = "split_layout/simple_wood_and_stone"
  /// Gather-Trade-Build on a procedurally generated map (Foundation's `Uniform`).
  case uniform = "uniform/simple_wood_and_stone"
  /// A generated map whose sources lie in random zones of a partition grid (Foundation's
  /// `MultiZone`).
  case multiZone = "multi_zone/simple_wood_and_stone"
  /// A generated map split into four near-closed quadrants by water (Foundation's `Quadrant`).
  case quadrant = "quadrant/simple_wood_and_stone"
  /// Two steps: the planner sets taxes, then agents choose how many hours to work (Foundation's
  /// `OneStepEconomy`).
  case oneStepEconomy = "one-step-economy"

  /// Whether the map comes from a layout file.
  public var usesLayoutFile: Bool { self == .layoutFromFile || self == .splitLayout }
  /// Whether the map is generated at every reset.
  public var generatesLayout: Bool { self == .uniform || self == .multiZone || self == .quadrant }
  /// Whether the map has a water layer (visible in observations and dense logs).
  public var hasWater: Bool { usesLayoutFile || self == .quadrant }
}

/// How agents value coin and labor in the one-step economy.
public enum AgentRewardType: String, Sendable, CaseIterable {
  /// `coin − labor_cost · labor^labor_exponent`.
  case coinMinusLaborCost = "coin_minus_labor_cost"
  /// Isoelastic utility of coin minus `labor_cost · labor`.
  case isoelasticCoinMinusLabor = "isoelastic_coin_minus_labor"
}

/// The one-step economy's parameters, with Foundation's names and defaults.
public struct OneStepParameters: Sendable, Equatable {
  /// `agent_reward_type`.
  public var agentRewardType = AgentRewardType.coinMinusLaborCost
  /// `isoelastic_eta` (isoelastic utility only), in 0...1.
  public var isoelasticEta = 0.23
  /// `labor_exponent` (coin minus labor cost only), above 1.
  public var laborExponent = 2.0
  /// `labor_cost`: the weight of labor in utility.
  public var laborCost = 1.0
  /// `planner_reward_type`: `inv_income_weighted_utility` or `coin_eq_times_productivity`.
  public var plannerRewardType = PlannerRewardType.invIncomeWeightedUtility
  /// `mixing_weight_gini_vs_coin`, in 0...1.
  public var mixingWeightGiniVsCoin = 0.0

  /// Creates the defaults.
  public init() {}

  mutating func read(_ r: inout ParameterReader) {
    agentRewardType =
      AgentRewardType(
        rawValue: r.choice(
          "agent_reward_type", default: agentRewardType.rawValue, from: AgentRewardType.allCases.map(\.rawValue)))
      ?? .coinMinusLaborCost
    isoelasticEta = r.double("isoelastic_eta", default: 0.23, range: 0...1)
    laborExponent = r.double("labor_exponent", default: 2, range: 0...100)
    if agentRewardType == .coinMinusLaborCost && !(laborExponent > 1) {
      r.report("labor_exponent", "expected a labor_exponent above 1 for coin_minus_labor_cost, found \(laborExponent)")
    }
    laborCost = r.double("labor_cost", default: 1, range: 0...Limits.labor)
    let supported: [PlannerRewardType] = [.invIncomeWeightedUtility, .coinEqTimesProductivity]
    plannerRewardType =
      PlannerRewardType(
        rawValue: r.choice(
          "planner_reward_type", default: plannerRewardType.rawValue, from: supported.map(\.rawValue)))
      ?? .invIncomeWeightedUtility
    mixingWeightGiniVsCoin = r.double("mixing_weight_gini_vs_coin", default: 0, range: 0...1)
  }
}

/// The split layout's parameters (Foundation's `SplitLayout`).
public struct SplitLayoutParameters: Sendable, Equatable {
  /// `water_row`: the row of water; nil means `height / 2`.
  public var waterRow: Int?
  /// `skill_rank_of_top_agents`: the skill ranks (0 = best) placed above the water.
  public var skillRankOfTopAgents = [0]

  /// Creates the defaults.
  public init() {}
}

/// The multi-zone generator's parameters (Foundation's `MultiZone`).
public struct MultiZoneParameters: Sendable, Equatable {
  /// `num_partitions_row`: rows of the zone grid.
  public var partitionRows = 8
  /// `num_partitions_col`: columns of the zone grid.
  public var partitionColumns = 8
  /// `num_wood_zones`: zones with wood only.
  public var woodZones = 6
  /// `num_stone_zones`: zones with stone only.
  public var stoneZones = 6
  /// `num_wood_and_stone_zones`: zones with both.
  public var mixedZones = 4

  /// Creates the defaults.
  public init() {}
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
  /// The generated scenarios' layout parameters (uniform, multi-zone, quadrant).
  public var uniform = UniformLayoutParameters()
  /// The split layout's parameters.
  public var split = SplitLayoutParameters()
  /// The multi-zone generator's parameters.
  public var multiZone = MultiZoneParameters()
  /// The one-step economy's parameters.
  public var oneStep = OneStepParameters()

  /// Creates the defaults.
  public init() {}

  static let common = [
    "planner_gets_spatial_info", "full_observability", "mobile_agent_observation_range", "fixed_four_skill_and_loc",
    "starting_agent_coin", "isoelastic_eta", "energy_cost", "energy_warmup_constant", "energy_warmup_method",
    "planner_reward_type", "mixing_weight_gini_vs_coin",
  ]

  /// Reads the scenario's parameters from the env section.
  mutating func read(_ r: inout ParameterReader, kind: ScenarioKind) {
    if kind == .oneStepEconomy {
      oneStep.read(&r)
      return
    }
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
    case .layoutFromFile, .splitLayout:
      envLayoutFile = r.string("env_layout_file", default: "quadrant_25x25_20each_30clump.txt")
      resourceRegenProb = r.double("resource_regen_prob", default: 0.01, range: 0...1)
      if kind == .splitLayout { readSplit(&r) }
    case .oneStepEconomy: break
    case .uniform, .multiZone, .quadrant:
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
      if kind == .multiZone {
        var m = MultiZoneParameters()
        m.partitionRows = r.int(
          "num_partitions_row", default: m.partitionRows, range: 1...EnvironmentConfig.maxWorldSide)
        m.partitionColumns = r.int(
          "num_partitions_col", default: m.partitionColumns, range: 1...EnvironmentConfig.maxWorldSide)
        m.woodZones = r.int("num_wood_zones", default: m.woodZones, range: 0...Int(Int32.max))
        m.stoneZones = r.int("num_stone_zones", default: m.stoneZones, range: 0...Int(Int32.max))
        m.mixedZones = r.int("num_wood_and_stone_zones", default: m.mixedZones, range: 0...Int(Int32.max))
        if m.woodZones + m.stoneZones + m.mixedZones > m.partitionRows * m.partitionColumns {
          r.report(
            "num_wood_and_stone_zones",
            "expected at most num_partitions_row × num_partitions_col = \(m.partitionRows * m.partitionColumns) zones, "
              + "found \(m.woodZones) wood + \(m.stoneZones) stone + \(m.mixedZones) wood-and-stone")
        }
        multiZone = m
      }
    }
  }

  /// Reads `water_row` and `skill_rank_of_top_agents` (a rank or a list of ranks; duplicates
  /// are dropped, as Foundation's `set` does).
  private mutating func readSplit(_ r: inout ParameterReader) {
    split.waterRow = r.optionalInt("water_row", range: 0...Int(Int32.max))
    guard let node = r.node("skill_rank_of_top_agents"), !node.isNull else { return }
    var ranks: [Int] = []
    if let items = try? node.sequence() {
      for item in items {
        do { ranks.append(try item.int()) } catch { r.record(error) }
      }
    } else {
      do { ranks = [try node.int()] } catch {
        r.record(
          node.issue("expected a skill rank or a list of skill ranks (0 = the best agent), found \(node.describeValue)")
        )
      }
    }
    var unique: [Int] = []
    for rank in ranks where !unique.contains(rank) { unique.append(rank) }
    split.skillRankOfTopAgents = unique.sorted()
  }
}
