import Basics
import Foundation
import Testing

@testable import Economy

/// The books balance after every step of random episodes: coin changes only by build payments,
/// wood and stone only by regrowth, builds and bonus collection; taxes and trades only move
/// coin; no holding goes negative; one agent per tile, never on water.
@Suite("Conservation")
struct ConservationTests {
  static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6]
  static let setups = ["tutorial", "multi-action", "uniform", "crowded", "split", "multi-zone", "quadrant"]

  /// A 300-step environment of the named setup; taxes every 30 steps so that several periods
  /// pass.
  static func environment(_ setup: String) throws -> Environment {
    var config: EnvironmentConfig
    switch setup {
    case "tutorial":
      config = try tutorialConfig()
    case "multi-action":
      config = try EnvironmentConfig.parse(
        yaml: smallEnvYAML(episodeLength: 300, period: 30, extra: "multi_action_mode_agents: true"),
        file: nil)
    case "uniform":
      config = try EnvironmentConfig.load(
        path: repositoryRoot + "/scenarios/uniform_gather_trade_build.yaml")
    case "split", "multi-zone", "quadrant":
      let file = ["split": "split_layout", "multi-zone": "multi_zone", "quadrant": "quadrant"][setup] ?? setup
      config = try EnvironmentConfig.load(path: repositoryRoot + "/scenarios/\(file).yaml")
    default:
      // Ten agents with plenty of resources on a small map: many trades, blocked moves, houses.
      config = try EnvironmentConfig.parse(
        yaml: """
          scenario_name: uniform/simple_wood_and_stone
          components:
            - Build: {skill_dist: lognormal, payment_max_skill_multiplier: 3, build_labor: 1}
            - ContinuousDoubleAuction: {max_bid_ask: 5, order_duration: 5, max_num_orders: 3}
            - Gather: {skill_dist: lognormal}
            - PeriodicBracketTax: {period: 30, tax_model: fixed-bracket-rates, bracket_spacing: linear, n_brackets: 3, fixed_bracket_rates: [0.1, 0.5, 0.9], top_bracket_cutoff: 20, usd_scaling: 1}
          n_agents: 10
          world_size: [8, 8]
          starting_wood_coverage: 0.2
          starting_stone_coverage: 0.2
          starting_agent_coin: 5
          """, file: nil)
    }
    config.episodeLength = 300
    return try Environment(config: config)
  }

  /// Coin, stone and wood held by agents and the planner (inventory and escrow).
  static func holdings(_ world: World) -> [Double] {
    var t = [0.0, 0.0, 0.0]
    for a in 0..<world.agentCount {
      for r in Resource.allCases { t[r.rawValue] += world.endowment(a, r) }
    }
    for r in Resource.allCases {
      t[r.rawValue] += world.plannerInventory[r.rawValue] + world.plannerEscrow[r.rawValue]
    }
    return t
  }

  /// The units of `layer` on each tile.
  static func grid(_ world: World, _ layer: MapLayer) -> [Float] {
    let n = world.tileCount
    return Array(world.layers[(layer.rawValue * n)..<((layer.rawValue + 1) * n)])
  }

  /// The latest dense-log entry of the component with `shorthand`.
  static func lastEntry(_ env: Environment, _ shorthand: String) -> [JSONValue] {
    env.components.first { type(of: $0).shorthand == shorthand }?.denseLog?.last?.arrayValue ?? []
  }

  @Test(arguments: setups, seeds)
  func booksBalanceAfterEveryStep(setup: String, seed: UInt64) throws {
    var env = try Self.environment(setup)
    env.reset(seed: seed, forceDenseLog: true)
    var policy = RandomActions(seed: seed &* 7919)
    #expect(env.invariantViolation() == nil)
    var builds = 0
    var trades = 0
    var taxesMoved = 0.0
    var regrowth = 0.0
    while !env.isDone {
      let before = Self.holdings(env.world)
      let mapBefore = Resource.collectible.map {
        Self.grid(env.world, MapLayer.resourceLayer($0) ?? .wood)
      }
      policy.fill(&env)
      env.step()
      let t = env.world.timestep
      if let problem = env.invariantViolation() {
        Issue.record("step \(t): \(problem)")
        return
      }

      // Coin: only build payments create it.
      let buildEntries = Self.lastEntry(env, "Build")
      let payments = buildEntries.compactMap { $0["income"]?.doubleValue }.reduce(0, +)
      let after = Self.holdings(env.world)
      expectClose(
        after[Resource.coin.rawValue] - before[Resource.coin.rawValue], payments,
        "coin at step \(t)")
      builds += buildEntries.count
      trades += Self.lastEntry(env, "Trade").count
      if let tax = env.components.last?.denseLog?.last?.objectValue {
        taxesMoved += (0..<env.agentCount).compactMap { tax[String($0)]?["tax_paid"]?.doubleValue }
          .reduce(0, +)
      }

      // Wood and stone: holdings change by what was gathered minus what was built; the map
      // loses what was gathered and gains regrowth, only on source tiles and within max health.
      let gathered = Self.lastEntry(env, "Gather")
      for (k, resource) in Resource.collectible.enumerated() {
        let entries = gathered.filter { $0["resource"]?.stringValue == resource.name }
        let units = entries.compactMap { $0["n"]?.doubleValue }.reduce(0, +)
        let held = after[resource.rawValue] - before[resource.rawValue]
        expectClose(
          held, units - Double(buildEntries.count), "\(resource.name) holdings at step \(t)")
        guard let layer = MapLayer.resourceLayer(resource),
          let source = MapLayer.sourceLayer(resource)
        else { continue }
        var map = Self.grid(env.world, layer)
        for e in entries {
          let loc = e["loc"]?.arrayValue?.compactMap(\.intValue) ?? []
          map[loc[0] * env.world.width + loc[1]] += 1
        }
        let sources = Self.grid(env.world, source)
        for (i, (now, was)) in zip(map, mapBefore[k]).enumerated() where now != was {
          #expect(
            now > was && sources[i] > 0,
            "\(resource.name) on tile \(i) went from \(was) to \(now) at step \(t)")
          regrowth += Double(now - was)
        }
        #expect(map.allSatisfy { $0 >= 0 })
      }

      // Nothing negative; one agent per tile.
      #expect(env.world.inventory.allSatisfy { $0 >= 0 } && env.world.escrow.allSatisfy { $0 >= 0 })
      let tiles = (0..<env.agentCount).map {
        Int(env.world.row[$0]) * env.world.width + Int(env.world.col[$0])
      }
      #expect(Set(tiles).count == env.agentCount)
    }
    // The episode exercised what conservation is about. (On the new maps random agents may not
    // reach a source in 300 steps; the per-step checks above still apply to every step.)
    if !["split", "multi-zone", "quadrant"].contains(setup) { #expect(regrowth > 0) }
    if setup == "crowded" {
      #expect(
        builds > 0 && trades > 0 && taxesMoved > 0,
        "builds \(builds), trades \(trades), taxes \(taxesMoved)")
    }
  }

  @Test(arguments: seeds)
  func escrowMatchesOpenOrders(seed: UInt64) throws {
    var env = try Self.environment("crowded")
    env.reset(seed: seed, forceDenseLog: false)
    var policy = RandomActions(seed: seed)
    while !env.isDone {
      policy.fill(&env)
      env.step()
      let market = try #require(env.components.compactMap { $0 as? ContinuousDoubleAuction }.first)
      var coin = [Double](repeating: 0, count: env.agentCount)
      var goods = [[Double]](repeating: [0, 0, 0], count: env.agentCount)
      for (c, book) in market.books.enumerated() {
        let resource = Resource.collectible[c]
        for bid in book.bids { coin[Int(bid.agent)] += Double(bid.price) }
        for ask in book.asks { goods[Int(ask.agent)][resource.rawValue] += 1 }
      }
      for a in 0..<env.agentCount {
        expectClose(
          env.world.escrow(a, .coin), coin[a], "coin escrow of \(a) at step \(env.world.timestep)")
        for r in Resource.collectible {
          expectClose(env.world.escrow(a, r), goods[a][r.rawValue], "\(r.name) escrow of \(a)")
        }
      }
    }
  }

  /// The one-step economy creates coin only by labor: after an episode the agents' total coin
  /// is their total production of the episode, taxes only move it, the planner keeps none.
  @Test(arguments: seeds)
  func oneStepCoinIsProduction(seed: UInt64) throws {
    var env = try Environment(
      config: EnvironmentConfig.load(path: repositoryRoot + "/scenarios/one_step_economy.yaml"))
    var policy = RandomActions(seed: seed)
    let production = try #require(env.world.stateField(named: "production"))
    for _ in 0..<5 {
      env.reset(seed: seed)
      let before = (0..<env.agentCount).map { env.world.state($0, production) }
      while !env.isDone {
        policy.fill(&env)
        env.step()
        #expect(env.invariantViolation() == nil)
      }
      let earned = (0..<env.agentCount).map { env.world.state($0, production) - before[$0] }.reduce(0, +)
      let coin = (0..<env.agentCount).map { env.world.endowment($0, .coin) }.reduce(0, +)
      expectClose(coin, earned, tolerance: 1e-9, "seed \(seed)")
      #expect(env.world.plannerInventory[Resource.coin.rawValue] == 0)
      #expect((0..<env.agentCount).allSatisfy { env.world.row[$0] == -1 && env.world.col[$0] == -1 })
    }
  }

  // MARK: - Broken invariants are reported

  @Test func brokenInvariantsAreDescribed() throws {
    var env = try tutorialEnvironment(seed: 3)
    #expect(env.invariantViolation() == nil)

    #if DEBUG || ECONOMY_INTERNAL_CHECKS
      // Conservation is checked against totals kept only in checked builds.
      var created = env
      created.world.addInventory(1, .wood, 2)
      #expect(
        created.invariantViolation()?.hasPrefix("total Wood is ") == true,
        "\(created.invariantViolation() ?? "")")
    #endif

    var negative = env
    negative.world.addInventory(0, .coin, -25)
    negative.world.addInventory(2, .coin, 25)
    #expect(
      negative.invariantViolation() == "agent 0 has negative Coin (inventory -15.0, escrow 0.0)")

    var escrow = env
    escrow.world.escrow[3 * Resource.count + Resource.stone.rawValue] = -1
    escrow.world.addInventory(3, .stone, 1)
    #expect(
      escrow.invariantViolation() == "agent 3 has negative Stone (inventory 1.0, escrow -1.0)")

    var shared = env
    shared.world.row[1] = shared.world.row[0]
    shared.world.col[1] = shared.world.col[0]
    let (r, c) = (shared.world.row[0], shared.world.col[0])
    #expect(shared.invariantViolation() == "two agents share tile (\(r), \(c))")

    var outside = env
    outside.world.row[2] = -1
    #expect(outside.invariantViolation() == "agent 2 is off the map at (-1, \(env.world.col[2]))")

    // A step keeps them intact.
    var policy = RandomActions(seed: 1)
    policy.fill(&env)
    env.step()
    #expect(env.invariantViolation() == nil)
  }

  /// `checkInvariants()` traps on a violation (in a child process: an exit test).
  @Test func checkInvariantsTraps() async {
    await #expect(processExitsWith: .failure) {
      guard var env = try? tutorialEnvironment(seed: 3) else { return }
      env.world.addInventory(0, .coin, -25)
      env.world.addInventory(2, .coin, 25)
      env.checkInvariants()
    }
  }

  #if DEBUG || ECONOMY_INTERNAL_CHECKS
    /// In checked builds every step checks the books, so a step after coin appeared from
    /// nowhere traps.
    @Test func stepTrapsWhenTheBooksDoNotBalance() async {
      await #expect(processExitsWith: .failure) {
        guard var env = try? tutorialEnvironment(seed: 3) else { return }
        env.world.addInventory(1, .coin, 100)
        env.step()
      }
    }
  #endif
}
