extension Environment {
  /// Starts a new episode.
  ///
  /// - Parameters:
  ///   - seed: reseeds the environment's generator; nil continues its stream (so consecutive
  ///     episodes differ, and the whole run is determined by the first seed).
  ///   - forceDenseLog: `true` keeps a dense log and `false` keeps none, whatever
  ///     `dense_log_frequency` says; nil follows it (a log every N completed episodes).
  public mutating func reset(seed: UInt64? = nil, forceDenseLog: Bool? = nil) {
    if let seed { rng = EconomyRNG(seed: seed) }
    isRecording = forceDenseLog ?? (config.denseLogFrequency.map { completions % $0 == 0 } ?? false)
    if tracksEpisodes { markEpisodeStart() }
    world.timestep = 0
    world.ledger = Ledger()
    scenario.resetMap(world: &world, rng: &rng)
    scenario.resetAgents(world: &world, rng: &rng)
    for i in components.indices { components[i].reset(world: &world, rng: &rng, completions: completions) }
    scenario.finishReset(world: &world, rng: &rng, completions: completions)
    actions.clear()
    for i in maskedActionCounts.indices { maskedActionCounts[i] = 0 }
    for i in rewards.indices { rewards[i] = 0 }
    isDone = false
    refreshObservations()
    #if DEBUG || ECONOMY_INTERNAL_CHECKS
      resetTotals = totals()
    #endif
    if isRecording {
      recorder.start(
        world: world, episodeLength: config.episodeLength,
        actionsPerStep: actions.mobile.count + actions.planner.count)
    }
  }

  /// Overrides agents' state right after a reset (replays and tests): location, build payment,
  /// bonus gather probability.
  ///
  /// Observations and masks are rewritten.
  ///
  /// - Throws: ``InitialStateError`` for a location that is outside the map, blocked or
  ///   occupied, or a field the configured components do not have.
  public mutating func applyInitialState(_ states: [Int: AgentInitialState]) throws(InitialStateError) {
    let ordered = states.sorted(by: { $0.key < $1.key })
    for (agent, _) in ordered where agent < 0 || agent >= agentCount {
      throw InitialStateError(agent: agent, message: "no such agent; expected '0' to '\(agentCount - 1)'")
    }
    // Agents that move are lifted first, so that two of them may swap tiles.
    for (agent, s) in ordered where s.location != nil { world.liftAgent(agent) }
    var holdingsChanged = false
    for (agent, s) in ordered {
      if let loc = s.location {
        let (r, c) = loc
        guard world.moveAgent(agent, toRow: r, col: c) else {
          throw InitialStateError(
            agent: agent,
            message:
              "cannot place the agent at [\(r), \(c)] (outside the map, water, another agent's house, or occupied)",
            field: "loc")
        }
      }
      let fields =
        [("build_payment", s.buildPayment), ("bonus_gather_prob", s.bonusGatherProb)]
        .compactMap { name, value in value.map { (name, $0) } } + s.fields
      for (name, value) in fields {
        guard let f = world.stateField(named: name) else {
          let known = world.stateFieldNames
          throw InitialStateError(
            agent: agent,
            message: "no state field '\(name)' in this environment (fields: \(known.joined(separator: ", ")))",
            field: name)
        }
        world.setState(agent, f, value)
      }
      for (resource, amount) in s.inventory {
        world.inventory[agent * Resource.count + resource.rawValue] = amount
        holdingsChanged = true
      }
      for (resource, amount) in s.escrow {
        world.escrow[agent * Resource.count + resource.rawValue] = amount
        holdingsChanged = true
      }
      if let labor = s.labor { world.labor[agent] = labor }
    }
    if holdingsChanged {
      // Holdings set by hand are the new baseline of the conservation checks.
      let t = totals()
      resetTotals = [
        t[0] - world.ledger.coinCreated, t[1] - world.ledger.resourceCreated[1],
        t[2] - world.ledger.resourceCreated[2],
      ]
    }
    refreshObservations()
  }

  /// Runs one step with ``actions`` and clears them.
  ///
  /// - Precondition: the episode is not done (call ``reset(seed:forceDenseLog:)``).
  public mutating func step() {
    precondition(!isDone, "step() called after the episode ended; call reset() first")
    if tracksEpisodes {
      episodeActions.append(contentsOf: actions.mobile)
      episodeActions.append(contentsOf: actions.planner)
    }
    if isRecording {
      recorder.recordPreStep(world: world, actions: actions, worldFrequency: config.worldDenseLogFrequency)
    }
    enforceMasks()
    world.timestep += 1
    let reader = ActionReader(mobile: actions.mobile, mobileStride: actionLayout.mobile.count, planner: actions.planner)
    for i in components.indices {
      components[i].step(world: &world, actions: reader, rng: &rng, logging: isRecording)
    }
    scenario.step(world: &world, rng: &rng)
    refreshObservations()
    scenario.computeRewards(world: world, completions: completions, into: &rewards)
    if isRecording { recorder.recordRewards(rewards) }
    actions.clear()
    #if DEBUG || ECONOMY_INTERNAL_CHECKS
      checkInvariants()
    #endif
    if world.timestep >= config.episodeLength { finishEpisode() }
  }

  /// Turns actions the current masks forbid into NO-OP and counts them.
  mutating func enforceMasks() {
    let specs = actionLayout.mobile
    let s = specs.count
    let m = actionLayout.mobileMaskSize
    for a in 0..<agentCount {
      for k in 0..<s {
        let v = Int(actions.mobile[a * s + k])
        if v > 0 && observations.mobileMask[a * m + actionLayout.mobileMaskOffsets[k] + v - 1] == 0 {
          actions.mobile[a * s + k] = 0
          maskedActionCounts[a] += 1
        }
      }
    }
    for k in actionLayout.planner.indices {
      let v = Int(actions.planner[k])
      if v > 0 && observations.plannerMask[actionLayout.plannerMaskOffsets[k] + v - 1] == 0 {
        actions.planner[k] = 0
        maskedActionCounts[agentCount] += 1
      }
    }
  }

  mutating func finishEpisode() {
    isDone = true
    var log: DenseLogRecording?
    if isRecording {
      recorder.recordFinal(world: world)
      log = recorder.finish(env: self)
    }
    lastEpisode = EpisodeSummary(metrics: metrics(), denseLog: log)
    completions += 1
  }

  /// The episode metrics now: scenario metrics, then each component's, prefixed by its shorthand.
  public func metrics() -> [(key: String, value: Double)] {
    var out = scenario.metrics(world: world, completions: completions)
    for c in components {
      var part: [(key: String, value: Double)] = []
      c.metrics(world: world, into: &part)
      let prefix = type(of: c).shorthand
      out += part.map { ("\(prefix)/\($0.key)", $0.value) }
    }
    return out
  }

  // MARK: - Observations and masks

  /// Rewrites all observations and masks from the current state.
  ///
  /// The buffers are moved out of `self` while they are written, so that components and the
  /// scenario can read the world without copying it.
  mutating func refreshObservations() {
    var obs = ObservationBuffers.empty
    swap(&obs, &observations)
    let time = inventoryScale == 1 ? Double(world.timestep) : Double(world.timestep) / Double(config.episodeLength)
    Environment.writeFlat(
      &obs, layout: observationLayout, world: world, scenario: scenario, components: components, time: time,
      scale: inventoryScale)
    scenario.writeSpatial(world: world, into: &obs, layout: observationLayout)
    writeMasks(&obs)
    swap(&obs, &observations)
  }

  static func writeFlat(
    _ obs: inout ObservationBuffers, layout: ObservationLayout, world: World, scenario: any Scenario,
    components: [any Component], time: Double, scale: Double
  ) {
    let flatSize = layout.mobileFlatSize
    let perSize = layout.perAgentSize
    obs.mobileFlat.withUnsafeMutableBufferPointer { mobile in
      obs.plannerFlat.withUnsafeMutableBufferPointer { planner in
        obs.perAgent.withUnsafeMutableBufferPointer { perAgent in
          var out = ObservationWriter(
            offsets: layout.offsets, mobile: mobile, mobileStride: flatSize, planner: planner, perAgent: perAgent,
            perAgentStride: perSize)
          scenario.writeObservations(world: world, time: time, scale: scale, into: &out)
          for c in components { c.writeObservations(world: world, into: &out) }
        }
      }
    }
  }

  mutating func writeMasks(_ obs: inout ObservationBuffers) {
    // Components are moved out while they write, so the world can be read without a copy.
    var parts: [any Component] = []
    swap(&parts, &components)
    Environment.writeMasks(&obs, components: &parts, layout: actionLayout, world: world, completions: completions)
    swap(&parts, &components)
  }

  static func writeMasks(
    _ obs: inout ObservationBuffers, components: inout [any Component], layout: ActionLayout, world: World,
    completions: Int
  ) {
    obs.mobileMask.withUnsafeMutableBufferPointer { mobile in
      obs.plannerMask.withUnsafeMutableBufferPointer { planner in
        var out = MaskWriter(
          mobileOffsets: layout.mobileMaskOffsets, plannerOffsets: layout.plannerMaskOffsets, mobile: mobile,
          mobileStride: layout.mobileMaskSize, planner: planner)
        for i in components.indices { components[i].writeMasks(world: world, completions: completions, into: &out) }
      }
    }
  }

  // MARK: - Invariants

  /// Total coin, stone and wood: inventories and escrow of everyone plus resources on the map.
  func totals() -> [Double] {
    var t = [0.0, 0.0, 0.0]
    for a in 0..<agentCount {
      for r in Resource.allCases { t[r.rawValue] += world.endowment(a, r) }
    }
    for r in Resource.allCases { t[r.rawValue] += world.plannerInventory[r.rawValue] + world.plannerEscrow[r.rawValue] }
    let n = world.tileCount
    for r in Resource.collectible {
      guard let layer = MapLayer.resourceLayer(r) else { continue }
      for i in 0..<n { t[r.rawValue] += Double(world.layers[layer.rawValue * n + i]) }
    }
    return t
  }

  /// Checks that the books balance and the world is consistent; traps with a description of the
  /// first violation.
  ///
  /// Runs after every step in debug builds and with `ECONOMY_INTERNAL_CHECKS`.
  public func checkInvariants() {
    if let problem = invariantViolation() { preconditionFailure("world invariant violated: \(problem)") }
  }

  /// A description of the first violated invariant, or nil when all hold.
  ///
  /// Conservation is checked against the totals recorded at reset, which are kept in debug
  /// builds and with `ECONOMY_INTERNAL_CHECKS`; in other builds only the structural checks
  /// (no negative holdings, one agent per tile, occupancy) run.
  public func invariantViolation() -> String? {
    #if DEBUG || ECONOMY_INTERNAL_CHECKS
      if let problem = conservationViolation() { return problem }
    #endif
    return structuralViolation()
  }

  func conservationViolation() -> String? {
    let t = totals()
    let expected = [
      resetTotals[0] + world.ledger.coinCreated,
      resetTotals[1] + world.ledger.resourceCreated[1],
      resetTotals[2] + world.ledger.resourceCreated[2],
    ]
    for r in Resource.allCases
    where abs(t[r.rawValue] - expected[r.rawValue]) > 1e-6 * max(1, abs(expected[r.rawValue])) {
      return "total \(r.name) is \(t[r.rawValue]) but reset total plus created is \(expected[r.rawValue])"
    }
    return nil
  }

  func structuralViolation() -> String? {
    // WealthRedistribution may leave an agent with much escrowed coin a negative inventory of
    // coin (its total coin is still its share), as in Foundation.
    let redistributes = component(WealthRedistribution.self) != nil
    for i in world.inventory.indices where world.inventory[i] < -1e-9 || world.escrow[i] < -1e-9 {
      if redistributes && i % Resource.count == Resource.coin.rawValue && world.escrow[i] >= -1e-9 { continue }
      return
        "agent \(i / Resource.count) has negative \(Resource(rawValue: i % Resource.count)?.name ?? "") (inventory \(world.inventory[i]), escrow \(world.escrow[i]))"
    }
    guard scenario.placesAgents else {
      for a in 0..<agentCount where world.row[a] != -1 || world.col[a] != -1 {
        return "agent \(a) is at (\(world.row[a]), \(world.col[a])) in a scenario without a map"
      }
      return nil
    }
    var seen = Set<Int>()
    for a in 0..<agentCount {
      let r = Int(world.row[a])
      let c = Int(world.col[a])
      guard world.isInside(r, c) else { return "agent \(a) is off the map at (\(r), \(c))" }
      let tile = world.tile(r, c)
      if !seen.insert(tile).inserted { return "two agents share tile (\(r), \(c))" }
      if Int(world.occupant[tile]) != a { return "occupancy map disagrees with agent \(a)'s location" }
      if world.value(.water, r, c) > 0 { return "agent \(a) stands on water" }
    }
    let occupied = world.occupant.filter { $0 >= 0 }.count
    if occupied != agentCount { return "occupancy map lists \(occupied) agents, expected \(agentCount)" }
    return nil
  }
}

/// Per-agent state applied after reset by ``Environment/applyInitialState(_:)``.
public struct AgentInitialState: Sendable, Equatable {
  /// `[row, col]`.
  public var location: (Int, Int)?
  /// Build payment per house.
  public var buildPayment: Double?
  /// Bonus collection probability.
  public var bonusGatherProb: Double?
  /// Other per-agent state fields by name (`build_skill`, …).
  public var fields: [(String, Double)] = []
  /// Inventory amounts to set.
  public var inventory: [(Resource, Double)] = []
  /// Escrow amounts to set.
  public var escrow: [(Resource, Double)] = []
  /// Accumulated labor.
  public var labor: Double?

  /// Creates an initial state.
  public init(location: (Int, Int)? = nil, buildPayment: Double? = nil, bonusGatherProb: Double? = nil) {
    self.location = location
    self.buildPayment = buildPayment
    self.bonusGatherProb = bonusGatherProb
  }

  /// Whether two values are equal field by field.
  public static func == (a: AgentInitialState, b: AgentInitialState) -> Bool {
    a.location?.0 == b.location?.0 && a.location?.1 == b.location?.1 && a.buildPayment == b.buildPayment
      && a.bonusGatherProb == b.bonusGatherProb && a.fields.elementsEqual(b.fields, by: ==)
      && a.inventory.elementsEqual(b.inventory, by: ==) && a.escrow.elementsEqual(b.escrow, by: ==)
      && a.labor == b.labor
  }
}

/// An initial state that cannot be applied.
public struct InitialStateError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The agent concerned.
  public let agent: Int
  /// What is wrong.
  public let message: String
  /// The field concerned (`loc`, `build_payment`, `bonus_gather_prob`), or nil for the agent
  /// as a whole.
  public var field: String? = nil
  /// A readable description of the value.
  public var description: String { "initial_state of agent \(agent): \(message)" }
}

extension Environment {
  /// The dense log of the current episode up to now, with the current state as the final
  /// entry (for traces shorter than an episode).
  ///
  /// Returns the finished log if the episode ended.
  public mutating func denseLogSoFar() -> DenseLogRecording {
    if isDone, let log = lastEpisode?.denseLog { return log }
    var r = recorder
    r.recordFinal(world: world)
    return r.finish(env: self)
  }
}
