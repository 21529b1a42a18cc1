import Foundation

/// The wood-and-stone scenarios: map generation and reset, resource regrowth, the scenario's
/// observations (`world-*`), rewards as marginal utility, and scenario metrics.
struct WoodAndStoneScenario: Scenario {
  let kind: ScenarioKind
  let params: ScenarioParameters
  let agentCount: Int
  let height: Int
  let width: Int
  /// Layers of the map at reset (layout_from_file), layer-major like ``World/layers``.
  let baseLayers: [Float]
  /// The map layers visible in observations, in channel order.
  let channels: [MapLayer]
  /// Fixed-four: build payment and start tile of each skill rank (payments from the skill model
  /// a component declared: Build's).
  var rankedPayments: [Double] = []
  let rankedLocations: [(row: Int, col: Int)]
  /// Split layout: the row of water and the build payment of each skill rank, best first.
  let waterRow: Int
  var splitPayments: [Double] = []
  /// Quadrant: the water lines and the seeding probabilities (fixed for the map's size).
  let quadrantWater: [UInt8]
  let quadrantProbability: (wood: [Double], stone: [Double])
  let paymentField: StateField?
  let fields: Fields
  var order: [Int32]
  var coinScratch: [Double]
  var utilityScratch: [Double]
  var regrowthScratch: [Double] = []
  var healthScratch: [Double] = []
  var sourceScratch: [UInt8] = []
  /// Source tiles of each resource on the current map, row-major.
  var woodSourceTiles: [Int32] = []
  var stoneSourceTiles: [Int32] = []

  /// Metric of each agent then the planner after the last step (Foundation's
  /// `curr_optimization_metric`).
  var currentMetric: [Double]
  var autoWarmupIntegrator = 0

  struct Fields {
    var locRow: ObservationField?
    var locCol: ObservationField?
    var inventory: [ObservationField]
    var plannerInventory: [ObservationField]
    var perAgentInventory: [ObservationField]
    var perAgentLocRow: ObservationField?
    var perAgentLocCol: ObservationField?
    var time: ObservationField
    var plannerTime: ObservationField
  }

  /// Size of one mobile agent's map observation: channels × side × side.
  var mobileMapShape: [Int]? {
    params.fullObservability
      ? [channels.count, height, width]
      : [channels.count + 1, 2 * params.mobileAgentObservationRange + 1, 2 * params.mobileAgentObservationRange + 1]
  }

  /// Agents hold wood, stone and coin.
  var resources: [Resource] { Resource.allCases }

  /// Agents stand on the map.
  var placesAgents: Bool { true }

  /// Shape of the planner's map, or nil when the planner gets no spatial information.
  var plannerMapShape: [Int]? { params.plannerGetsSpatialInfo ? [channels.count, height, width] : nil }

  /// Builds the scenario on `layout` (from ``checkedLayout(config:setup:world:)``; nil for the
  /// uniform generator), with the map layers the components require and their declared skills,
  /// and declares the scenario's observations.
  init(
    kind: ScenarioKind, params: ScenarioParameters, layout: LayoutFile?, setup: inout ComponentSetup, world: inout World
  ) {
    self.kind = kind
    self.params = params
    agentCount = world.agentCount
    height = world.height
    width = world.width
    var layers = [Float](repeating: 0, count: MapLayer.count * world.tileCount)
    if let layout {
      let n = world.tileCount
      for t in 0..<n {
        layers[MapLayer.stone.rawValue * n + t] = Float(layout.stoneSource[t])
        layers[MapLayer.stoneSource.rawValue * n + t] = Float(layout.stoneSource[t])
        layers[MapLayer.wood.rawValue * n + t] = Float(layout.woodSource[t])
        layers[MapLayer.woodSource.rawValue * n + t] = Float(layout.woodSource[t])
        layers[MapLayer.water.rawValue * n + t] = Float(layout.water[t])
      }
    }
    baseLayers = layers
    var ch: [MapLayer] = [.stone, .wood]
    if setup.requiredEntities.contains(.house) { ch.append(.house) }
    if kind.hasWater { ch.append(.water) }
    ch += [.stoneSource, .woodSource]
    channels = ch

    paymentField = world.stateField(named: "build_payment")
    waterRow = params.split.waterRow ?? world.height / 2
    if kind == .quadrant {
      quadrantWater = UniformLayout.quadrantWater(height: world.height, width: world.width)
      quadrantProbability = UniformLayout.quadrantProbabilities(
        height: world.height, width: world.width, steepness: params.uniform.gradientSteepness, water: quadrantWater)
    } else {
      quadrantWater = []
      quadrantProbability = ([], [])
    }
    if kind == .splitLayout, let skills = setup.skills {
      splitPayments = WoodAndStoneScenario.rankedPayments(
        agents: world.agentCount, payment: skills.payment, pmsm: skills.maxSkillMultiplier
      ).reversed()
    }
    rankedLocations = WoodAndStoneScenario.fixedFourLocations(params: params, world: world)
    if params.fixedFourSkillAndLoc, let skills = setup.skills {
      rankedPayments = WoodAndStoneScenario.rankedPayments(
        agents: world.agentCount, payment: skills.payment, pmsm: skills.maxSkillMultiplier)
    }

    setup.componentName = ""
    let window = !params.fullObservability
    let inv = Resource.allCases.map { setup.addScenarioObservation("world-inventory-\($0.name)", owner: .mobile) }
    let pinv = Resource.allCases.map { setup.addScenarioObservation("world-inventory-\($0.name)", owner: .planner) }
    var perInv: [ObservationField] = []
    var perRow: ObservationField?
    var perCol: ObservationField?
    if window {
      perInv = Resource.allCases.map {
        setup.addScenarioObservation("world-inventory-\($0.name)", owner: .plannerPerAgent)
      }
      if params.plannerGetsSpatialInfo {
        perRow = setup.addScenarioObservation("world-loc-row", owner: .plannerPerAgent)
        perCol = setup.addScenarioObservation("world-loc-col", owner: .plannerPerAgent)
      }
    }
    fields = Fields(
      locRow: window ? setup.addScenarioObservation("world-loc-row", owner: .mobile) : nil,
      locCol: window ? setup.addScenarioObservation("world-loc-col", owner: .mobile) : nil,
      inventory: inv, plannerInventory: pinv, perAgentInventory: perInv, perAgentLocRow: perRow, perAgentLocCol: perCol,
      time: setup.addScenarioObservation("time", scalar: false, owner: .mobile),
      plannerTime: setup.addScenarioObservation("time", scalar: false, owner: .planner))
    order = [Int32](repeating: 0, count: agentCount)
    coinScratch = [Double](repeating: 0, count: agentCount)
    utilityScratch = coinScratch
    currentMetric = [Double](repeating: 0, count: agentCount + 1)
  }

  // MARK: - Fixed four skills and locations

  /// Foundation's fixed-four build payments, ranked low to high.
  ///
  /// Monte Carlo averages of the ranked pay rates `min(3, 2·pareto(4) + 1)` for four agents
  /// (100,000 draws, numpy seed 1), times the payment 10. Used verbatim when PMSM = 3 and n = 4 so
  /// that build payments equal Foundation's.
  static let foundationRankedPayments: [Double] = [
    11.331640623590097, 13.267112338979295, 16.472372947006132, 22.249614304395735,
  ]

  static func fixedFourLocations(params: ScenarioParameters, world: World) -> [(row: Int, col: Int)] {
    guard params.fixedFourSkillAndLoc else { return [] }
    let n = world.agentCount
    let h = world.height
    let w = world.width
    // Corners by rank: worst top-right, then bottom-left, top-left, best bottom-right; with more
    // than four agents each corner takes a group laid out along its row.
    let corners = [(0, w - 1, -1), (h - 1, 0, 1), (0, 0, 1), (h - 1, w - 1, -1)]
    var locations: [(row: Int, col: Int)] = []
    for rank in 0..<n {
      let group = rank * 4 / max(n, 4)
      let first = (group * max(n, 4) + 3) / 4
      let offset = rank - first
      let (r, c, dir) = corners[min(group, 3)]
      locations.append((r, c + dir * offset))
    }
    return locations
  }

  /// The build payment of each skill rank, low to high: the mean of the ranked pay rates
  /// `min(PMSM, (PMSM − 1)·pareto(4) + 1)` of `n` agents over 100,000 draws, times `payment`.
  ///
  /// For Foundation's setting (4 agents, PMSM 3) this returns Foundation's own Monte Carlo
  /// values (numpy seed 1) scaled to `payment`, so payments equal Foundation's; otherwise the
  /// average is computed with our generator, seeded with 1.
  static func rankedPayments(agents n: Int, payment: Double, pmsm: Double) -> [Double] {
    if n == 4 && pmsm == 3 {
      return foundationRankedPayments.map { payment == 10 ? $0 : $0 / 10 * payment }
    }
    var rng = EconomyRNG(seed: 1)
    var sums = [Double](repeating: 0, count: n)
    var draw = [Double](repeating: 0, count: n)
    let draws = 100_000
    for _ in 0..<draws {
      for i in 0..<n { draw[i] = min(pmsm, (pmsm - 1) * rng.pareto(4) + 1) }
      draw.sort()
      for i in 0..<n { sums[i] += draw[i] }
    }
    return sums.map { $0 / Double(draws) * payment }
  }

  // MARK: - Reset

  mutating func resetMap(world: inout World, rng: inout EconomyRNG) {
    defer { indexSources(world) }
    let generated: (stoneSource: [UInt8], woodSource: [UInt8])
    let height = self.height
    let width = self.width
    switch kind {
    case .layoutFromFile, .splitLayout, .oneStepEconomy:
      world.resetMap(layers: baseLayers)
      return
    case .uniform:
      generated = UniformLayout.generateSources(height: height, width: width, parameters: params.uniform, rng: &rng)
    case .multiZone:
      let p = UniformLayout.multiZoneProbabilities(
        height: height, width: width, zones: params.multiZone, parameters: params.uniform, rng: &rng)
      generated = UniformLayout.generateSources(
        height: height, width: width, parameters: params.uniform, woodProbability: p.wood,
        stoneProbability: p.stone, rng: &rng)
    case .quadrant:
      var g = UniformLayout.generateSources(
        height: height, width: width, parameters: params.uniform, woodProbability: quadrantProbability.wood,
        stoneProbability: quadrantProbability.stone, rng: &rng)
      UniformLayout.clearQuadrantLines(&g.stoneSource, height: height, width: width)
      UniformLayout.clearQuadrantLines(&g.woodSource, height: height, width: width)
      generated = g
    }
    let (stone, wood) = generated
    var layers = [Float](repeating: 0, count: MapLayer.count * world.tileCount)
    let n = world.tileCount
    for t in 0..<n {
      layers[MapLayer.stone.rawValue * n + t] = Float(stone[t])
      layers[MapLayer.stoneSource.rawValue * n + t] = Float(stone[t])
      layers[MapLayer.wood.rawValue * n + t] = Float(wood[t])
      layers[MapLayer.woodSource.rawValue * n + t] = Float(wood[t])
      if kind == .quadrant { layers[MapLayer.water.rawValue * n + t] = Float(quadrantWater[t]) }
    }
    world.resetMap(layers: layers)
  }

  mutating func indexSources(_ world: World) {
    woodSourceTiles.removeAll(keepingCapacity: true)
    stoneSourceTiles.removeAll(keepingCapacity: true)
    let n = world.tileCount
    for t in 0..<n {
      if world.layers[MapLayer.woodSource.rawValue * n + t] > 0 { woodSourceTiles.append(Int32(t)) }
      if world.layers[MapLayer.stoneSource.rawValue * n + t] > 0 { stoneSourceTiles.append(Int32(t)) }
    }
  }

  mutating func resetAgents(world: inout World, rng: inout EconomyRNG) {
    world.clearAgentLocations()
    for i in world.inventory.indices {
      world.inventory[i] = 0
      world.escrow[i] = 0
    }
    for a in 0..<agentCount {
      world.labor[a] = 0
      world.inventory[a * Resource.count + Resource.coin.rawValue] = params.startingAgentCoin
    }
    for r in 0..<Resource.count {
      world.plannerInventory[r] = 0
      world.plannerEscrow[r] = 0
    }
    for a in 0..<agentCount {
      var placed = false
      for _ in 0...200 {
        let r = rng.int(below: height)
        let c = rng.int(below: width)
        if world.moveAgent(a, toRow: r, col: c) {
          placed = true
          break
        }
      }
      if !placed {
        // Crowded map: pick uniformly among the free tiles instead of giving up.
        var free: [Int] = []
        for t in 0..<world.tileCount where world.canOccupy(t / width, t % width, agent: a) { free.append(t) }
        precondition(!free.isEmpty, "no free tile for agent \(a); the config check guarantees one")
        let t = free[rng.int(below: free.count)]
        world.moveAgent(a, toRow: t / width, col: t % width)
      }
    }
  }

  /// Scenario reset steps that run after the components' resets.
  mutating func finishReset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    if params.fixedFourSkillAndLoc {
      world.clearAgentLocations()
      rng.permutation(&order)
      for (rank, i) in order.enumerated() {
        let a = Int(i)
        let loc = rankedLocations[rank]
        world.moveAgent(a, toRow: loc.row, col: loc.col)
        if let f = paymentField, rank < rankedPayments.count { world.setState(a, f, rankedPayments[rank]) }
      }
    }
    if kind == .splitLayout { placeBySkillRank(world: &world, rng: &rng) }
    updateMetrics(world: world, completions: completions)
  }

  /// Split layout: agents in a random order take the skill ranks, best first; each gets its
  /// rank's build payment and a random free tile above the water row (ranks in
  /// `skill_rank_of_top_agents`) or below it (Foundation's `SplitLayout.additional_reset_steps`).
  mutating func placeBySkillRank(world: inout World, rng: inout EconomyRNG) {
    world.clearAgentLocations()
    rng.permutation(&order)
    for (rank, i) in order.enumerated() {
      let a = Int(i)
      if let f = paymentField, rank < splitPayments.count { world.setState(a, f, splitPayments[rank]) }
      let rows = params.split.skillRankOfTopAgents.contains(rank) ? 0..<waterRow : (waterRow + 1)..<height
      var placed = false
      for _ in 0...200 {
        let r = rows.lowerBound + rng.int(below: rows.count)
        if world.moveAgent(a, toRow: r, col: rng.int(below: width)) {
          placed = true
          break
        }
      }
      if !placed {
        // Crowded band: pick uniformly among its free tiles instead of giving up.
        var free: [Int] = []
        for r in rows {
          for c in 0..<width where world.canOccupy(r, c, agent: a) { free.append(r * width + c) }
        }
        precondition(!free.isEmpty, "no free tile for agent \(a); the config check guarantees one")
        let t = free[rng.int(below: free.count)]
        world.moveAgent(a, toRow: t / width, col: t % width)
      }
    }
  }

  // MARK: - Step

  /// The scenario's dynamics: resource regrowth.
  mutating func step(world: inout World, rng: inout EconomyRNG) { regrow(world: &world, rng: &rng) }

  /// Resource regrowth (Foundation's `scenario_step`): wood, then stone.
  mutating func regrow(world: inout World, rng: inout EconomyRNG) {
    let n = world.tileCount
    for resource in [Resource.wood, .stone] {
      guard let layer = MapLayer.resourceLayer(resource), let source = MapLayer.sourceLayer(resource) else { continue }
      let base = layer.rawValue * n
      let sbase = source.rawValue * n
      let (halfwidth, weight, maxHealth): (Int, Double, Double)
      switch kind {
      case .layoutFromFile, .splitLayout, .oneStepEconomy:
        (halfwidth, weight, maxHealth) = (0, params.resourceRegenProb, 1)
      case .uniform, .multiZone, .quadrant:
        let u = params.uniform
        (halfwidth, weight, maxHealth) =
          resource == .wood
          ? (u.woodRegenHalfwidth, u.woodRegenWeight, Double(u.woodMaxHealth))
          : (u.stoneRegenHalfwidth, u.stoneRegenWeight, Double(u.stoneMaxHealth))
      }
      if halfwidth == 0 {
        // Fast path: a source tile regrows with probability weight · max(health, 1), capped at
        // the max health (Foundation's convolution with a 1×1 kernel). One uniform is drawn per
        // source tile, in row-major order, so streams are reproducible.
        var created = 0.0
        let tiles = resource == .wood ? woodSourceTiles : stoneSourceTiles
        for t in tiles {
          let u = rng.uniform()
          let h = Double(world.layers[base + Int(t)])
          if u < weight * max(h, 1) {
            let newH = min(h + 1, maxHealth)
            created += newH - h
            world.layers[base + Int(t)] = Float(newH)
          }
        }
        world.ledger.resourceCreated[resource.rawValue] += created
      } else {
        if healthScratch.count != n {
          healthScratch = [Double](repeating: 0, count: n)
          sourceScratch = [UInt8](repeating: 0, count: n)
        }
        var before = 0.0
        for t in 0..<n {
          healthScratch[t] = Double(world.layers[base + t])
          sourceScratch[t] = world.layers[sbase + t] > 0 ? 1 : 0
          before += healthScratch[t]
        }
        UniformLayout.regenerate(
          health: &healthScratch, source: sourceScratch, height: height, width: width, halfwidth: halfwidth,
          weight: weight, maxHealth: maxHealth, rng: &rng, scratch: &regrowthScratch)
        var after = 0.0
        for t in 0..<n {
          world.layers[base + t] = Float(healthScratch[t])
          after += healthScratch[t]
        }
        world.ledger.resourceCreated[resource.rawValue] += after - before
      }
    }
  }

  // MARK: - Rewards and metrics

  /// The labor-cost weight now: 1 without annealing, else `1 − exp(−x / constant)`.
  func energyWeight(completions: Int) -> Double {
    guard params.energyWarmupConstant > 0 else { return 1 }
    switch params.energyWarmupMethod {
    case .decay: return 1 - exp(-Double(completions) / params.energyWarmupConstant)
    case .auto: return 1 - exp(-Double(autoWarmupIntegrator) / params.energyWarmupConstant)
    }
  }

  /// Sets ``currentMetric``: the utility of each agent, then the planner's social welfare.
  mutating func updateMetrics(world: World, completions: Int) {
    let kappa = energyWeight(completions: completions) * params.energyCost
    for a in 0..<agentCount {
      let coin = world.endowment(a, .coin)
      coinScratch[a] = coin
      let u = SocialMetrics.isoelasticUtility(
        coin: coin, labor: world.labor[a], eta: params.isoelasticEta, laborCoefficient: kappa)
      utilityScratch[a] = u
      currentMetric[a] = u
    }
    switch params.plannerRewardType {
    case .coinEqTimesProductivity:
      currentMetric[agentCount] = SocialMetrics.coinEqualityTimesProductivity(
        coinScratch, equalityWeight: 1 - params.mixingWeightGiniVsCoin)
    case .invIncomeWeightedCoinEndowments:
      currentMetric[agentCount] = SocialMetrics.inverseIncomeWeightedCoin(coinScratch)
    case .invIncomeWeightedUtility:
      currentMetric[agentCount] = SocialMetrics.inverseIncomeWeightedUtility(
        coin: coinScratch, utilities: utilityScratch)
    }
  }

  /// Writes each agent's and the planner's reward (metric change since the last step).
  mutating func computeRewards(world: World, completions: Int, into rewards: inout [Double]) {
    for i in 0...agentCount { rewards[i] = currentMetric[i] }
    updateMetrics(world: world, completions: completions)
    var mean = 0.0
    for i in 0...agentCount {
      rewards[i] = currentMetric[i] - rewards[i]
      if i < agentCount { mean += rewards[i] }
    }
    if mean / Double(agentCount) > 0 { autoWarmupIntegrator += 1 }
  }

  func metrics(world: World, completions: Int) -> [(key: String, value: Double)] {
    var out: [(key: String, value: Double)] = []
    var coins = [Double](repeating: 0, count: agentCount)
    for a in 0..<agentCount { coins[a] = world.endowment(a, .coin) }
    let utilities = Array(currentMetric[0..<agentCount])
    out.append(("social/productivity", SocialMetrics.productivity(coins)))
    out.append(("social/equality", SocialMetrics.equality(coins)))
    out.append(
      (
        "social_welfare/coin_eq_times_productivity",
        SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 1)
      ))
    out.append(("social_welfare/inv_income_weighted_coin_endow", SocialMetrics.inverseIncomeWeightedCoin(coins)))
    out.append(
      (
        "social_welfare/inv_income_weighted_utility",
        SocialMetrics.inverseIncomeWeightedUtility(coin: coins, utilities: utilities)
      ))
    for a in 0..<agentCount {
      for r in Resource.allCases { out.append(("endow/\(a)/\(r.name)", world.endowment(a, r))) }
      out.append(("endogenous/\(a)/Labor", world.labor[a]))
      out.append(("util/\(a)", currentMetric[a]))
    }
    for r in Resource.allCases {
      out.append(("endow/p/\(r.name)", world.plannerInventory[r.rawValue] + world.plannerEscrow[r.rawValue]))
    }
    out.append(("util/p", currentMetric[agentCount]))
    out.append(("labor/weighted_cost", params.energyCost * energyWeight(completions: completions)))
    out.append(("labor/warmup_integrator", Double(autoWarmupIntegrator)))
    return out
  }
}
