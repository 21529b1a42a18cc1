import Basics
import Testing

@testable import Economy

@Suite("Gathering, moving and building match Foundation's")
struct GatherBuildParityTests {
  // MARK: - Gather

  /// Foundation's `gather.noop_on_resource_tile_collects`: agents 0 (stone at (24, 0)) and 2
  /// (wood at (0, 0)) collect with a NO-OP; each pays 1 labor and empties its tile.
  @Test func noopOnAResourceTileCollects() throws {
    var env = try tutorialEnvironmentWithoutRegrowth()
    try env.pinSeed7State()
    let fact = Facts.value("gather", "noop_on_resource_tile_collects")
    for entry in fact["agents_at_reset(idx, loc, resources_here)"]?.arrayValue ?? [] {
      let a = entry[0]?.intValue ?? -1
      let loc = jsonNumbers(entry[1]).map(Int.init)
      #expect([Int(env.world.row[a]), Int(env.world.col[a])] == loc)
      let here = entry[2]?.objectValue
      #expect(env.world.value(.stone, loc[0], loc[1]) == Float(here?["Stone"]?.doubleValue ?? 0), "agent \(a)")
      #expect(env.world.value(.wood, loc[0], loc[1]) == Float(here?["Wood"]?.doubleValue ?? 0), "agent \(a)")
    }
    env.step()
    let labor = fact["labor_after"]
    let after = fact["inventory_after_noop_step"]
    for a in 0..<4 {
      expectClose(env.world.labor[a], labor?[String(a)]?.doubleValue ?? .nan, "agent \(a) labor")
      expectClose(env.world.inventory(a, .coin), after?[String(a)]?["Coin"]?.doubleValue ?? .nan)
      for r in [Resource.stone, .wood] {
        let expected = after?[String(a)]?[r.name]?.doubleValue ?? .nan
        let mine = env.world.inventory(a, r)
        // Foundation's bonus roll gave agent 0 two stones; the roll is random, so 1 or 2 here.
        if expected > 0 { #expect(mine == 1 || mine == 2, "agent \(a) \(r.name)") } else { #expect(mine == 0) }
      }
    }
    #expect(env.world.value(.stone, 24, 0) == 0)
    #expect(env.world.value(.wood, 0, 0) == 0)
    // The gather log lists the same events (in the step's random agent order).
    let logged = env.component(Gather.self)?.denseLog?.last?.arrayValue ?? []
    let expected = fact["gathers_logged"]?.arrayValue ?? []
    func key(_ e: JSONValue) -> String {
      "\(e["agent"]?.intValue ?? -1) \(e["resource"]?.stringValue ?? "") \(jsonNumbers(e["loc"]))"
    }
    #expect(Set(logged.map(key)) == Set(expected.map(key)))
    for e in logged {
      let a = e["agent"]?.intValue ?? -1
      let r: Resource = e["resource"]?.stringValue == "Stone" ? .stone : .wood
      #expect(Double(e["n"]?.intValue ?? -1) == env.world.inventory(a, r))
      #expect(e.objectValue?.keys == ["agent", "resource", "n", "loc"])
    }
  }

  /// Moves are blocked by the world's edge, water and other agents; costs 1 labor when made.
  @Test func movesBlockedByEdgesWaterAndAgents() throws {
    var env = try tutorialEnvironmentWithoutRegrowth()
    // (12, 0) below agent 2 is water; agents 0 and 1 are neighbours.
    try env.place([(7, 0), (7, 1), (11, 0), (20, 20)])
    let gather = { (a: Int) in Array(env.mobileMaskVector(a)[MaskBlock.gather]) }
    expectClose(gather(0), [0, 0, 1, 1], "left: edge; right: agent 1")
    expectClose(gather(1), [0, 1, 1, 1], "left: agent 0")
    expectClose(gather(2), [0, 1, 1, 0], "left: edge; down: water")
    expectClose(gather(3), [1, 1, 1, 1])
    // A forbidden move is a NO-OP (counted); an allowed one moves and costs labor.
    try env.step([2: SingleAction.down, 3: SingleAction.up])
    #expect(env.maskedActionCounts[2] == 1)
    #expect(env.world.row[2] == 11 && env.world.col[2] == 0)
    expectClose(env.world.labor[2], 0)
    #expect(env.world.row[3] == 19 && env.world.col[3] == 20)
    expectClose(env.world.labor[3], 1)
  }

  /// Another agent's house blocks; one's own house can be entered.
  @Test func housesBlockOthersButNotTheirOwner() throws {
    var env = try tutorialEnvironmentWithoutRegrowth()
    try env.place([(8, 5), (2, 20), (20, 2), (8, 7)])
    env.world.placeHouse(8, 6, owner: 3)
    env.refreshObservations()
    #expect(env.mobileMaskVector(0)[SingleAction.right] == 0)
    #expect(env.mobileMaskVector(3)[SingleAction.left] == 1)
    try env.step([0: SingleAction.right, 3: SingleAction.left])
    #expect(env.world.col[0] == 5)
    expectClose(env.world.labor[0], 0)
    #expect(env.world.col[3] == 6)
    expectClose(env.world.labor[3], 1)
    // Standing on its own house, the owner blocks the others as any agent does.
    #expect(env.mobileMaskVector(0)[SingleAction.right] == 0)
  }

  /// Masks are computed before the step; two agents moving onto the same free tile in one step
  /// cannot both get there: the later mover stays and pays nothing.
  @Test func contestedTileGoesToOneAgent() throws {
    for seed: UInt64 in [1, 2, 3, 4] {
      var env = try tutorialEnvironmentWithoutRegrowth(seed: seed)
      try env.place([(7, 5), (7, 7), (2, 20), (20, 2)])
      try env.step([0: SingleAction.right, 1: SingleAction.left])
      let moved = [env.world.col[0] == 6, env.world.col[1] == 6]
      #expect(moved.filter { $0 }.count == 1, "seed \(seed)")
      expectClose(env.world.labor[0] + env.world.labor[1], 1)
      #expect(env.maskedActionCounts[0] + env.maskedActionCounts[1] == 0)
    }
  }

  // MARK: - Build

  /// A house needs 1 wood and 1 stone on a tile with no resource and no landmark: the empty
  /// stone source at (3, 0) is refused, the plain tile (7, 7) accepted.
  @Test func buildNeedsResourcesAndAFreeTile() throws {
    var env = try tutorialEnvironmentWithoutRegrowth()
    let fact = Facts.value("build")
    let source = jsonNumbers(fact["empty_source_tile_used"]).map(Int.init)
    #expect(source == [3, 0])
    try env.place([(3, 0), (7, 7), (7, 9), (3, 2)])
    env.world.setValue(0, .stone, 3, 0)
    for a in 0..<4 { env.setHoldings(a, stone: 1, wood: 1) }
    env.setHoldings(2, stone: 0)
    #expect(env.world.stateField(named: "build_payment") != nil)
    let build = try #require(env.component(Build.self))
    #expect(build.canBuild(0, in: env.world) == (fact["can_build_on_empty_source_tile"]?.boolValue ?? true))
    #expect(build.canBuild(1, in: env.world) == (fact["can_build_on_plain_tile_(7,7)"]?.boolValue ?? false))
    let mask = { (a: Int) in env.mobileMaskVector(a)[SingleAction.build] }
    expectClose([mask(0), mask(1), mask(2), mask(3)], [0, 1, 0, 1], "agent 2 lacks stone")

    let payment = try #require(env.world.stateField(named: "build_payment"))
    let pay1 = env.world.state(1, payment)
    try env.step([0: SingleAction.build, 1: SingleAction.build, 2: SingleAction.build])
    #expect(env.maskedActionCounts[0] == 1 && env.maskedActionCounts[2] == 1)
    #expect(env.world.value(.house, 3, 0) == 0 && env.world.value(.house, 7, 9) == 0)
    #expect(env.world.value(.house, 7, 7) == 1 && env.world.houseOwner[env.world.tile(7, 7)] == 1)
    expectClose(env.world.inventory(1, .coin), 10 + pay1)
    #expect(env.world.inventory(1, .stone) == 0 && env.world.inventory(1, .wood) == 0)
    expectClose(env.world.labor[1], fact["build_labor"]?.doubleValue ?? .nan)
    #expect(env.world.inventory(0, .stone) == 1 && env.world.inventory(0, .wood) == 1)
    expectClose(env.world.labor[0], 0)
    let entries = env.component(Build.self)?.denseLog?.last?.arrayValue ?? []
    #expect(entries.count == 1)
    #expect(entries.first?.objectValue?.keys == ["builder", "loc", "income"])
    #expect(entries.first?["builder"]?.intValue == 1)
    #expect(jsonNumbers(entries.first?["loc"]).map(Int.init) == [7, 7])
    expectClose(entries.first?["income"]?.doubleValue ?? .nan, pay1)
    // Now a landmark: no second house on the same tile.
    #expect(env.mobileMaskVector(1)[SingleAction.build] == 0)
    #expect(env.component(Build.self)?.canBuild(1, in: env.world) == false)
  }

  /// `build_payment = min(PMSM, (PMSM − 1)·skill + 1) · payment` with PMSM 3, payment 10.
  @Test func payRateExamples() throws {
    let env = try tutorialEnvironment(seed: 7)
    let build = try #require(env.component(Build.self))
    #expect(build.payment == 10 && build.paymentMaxSkillMultiplier == 3)
    let rows =
      Facts.value("build", "pay_rate_examples(Build.additional_reset_steps with np.random.pareto patched)").arrayValue
      ?? []
    #expect(rows.count == 8)
    for row in rows {
      let skill = row["pareto_sample"]?.doubleValue ?? .nan
      expectClose(
        build.payRate(skill: skill) * build.payment, row["build_payment"]?.doubleValue ?? .nan, tolerance: 1e-9,
        "skill \(skill)")
    }
  }

  /// Fixed four: after every reset the agents hold the four corners, and each corner goes with
  /// its rank's payment (lowest top-right, then bottom-left, top-left, highest bottom-right).
  @Test(arguments: [0, 1, 7, 42, 1234] as [UInt64])
  func fixedFourRanksAndCorners(seed: UInt64) throws {
    var env = try tutorialEnvironment(seed: seed)
    let payments = jsonNumbers(Facts.value("build", "fixed_four_avg_ranked_skill(build_payment by rank, low->high)"))
    let corners = (Facts.value("build", "fixed_four_ranked_locs(rank0..3)").arrayValue ?? []).map {
      jsonNumbers($0).map(Int.init)
    }
    #expect(corners == [[0, 24], [24, 0], [0, 0], [24, 24]])
    expectClose(WoodAndStoneScenario.rankedPayments(agents: 4, payment: 10, pmsm: 3), payments, tolerance: 1e-15)
    for episode in 0..<3 {
      if episode > 0 { env.reset() }
      let field = try #require(env.world.stateField(named: "build_payment"))
      var ranks: [Int] = []
      for a in 0..<4 {
        let payment = env.world.state(a, field)
        let rank = try #require(payments.firstIndex { abs($0 - payment) < 1e-12 }, "agent \(a) payment \(payment)")
        ranks.append(rank)
        #expect([Int(env.world.row[a]), Int(env.world.col[a])] == corners[rank], "seed \(seed) agent \(a)")
        expectClose(env.mobileObservation(a, "Build-build_payment"), [payment / 10], tolerance: 1e-6)
        // The skill observation stays Build's own draw, unrelated to the assigned payment.
        let skill = try #require(env.world.stateField(named: "build_skill"))
        expectClose(env.mobileObservation(a, "Build-build_skill"), [env.world.state(a, skill)], tolerance: 1e-6)
      }
      #expect(ranks.sorted() == [0, 1, 2, 3], "seed \(seed)")
    }
  }
}
