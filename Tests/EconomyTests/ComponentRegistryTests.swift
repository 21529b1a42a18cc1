import Basics
import Foundation
import Testing

@testable import Economy

/// The component registry: an explicit list of types with unique names; user components
/// registered with `adding(_:)` can be named in configs and step like the built-in ones.
@Suite("Component registry")
struct ComponentRegistryTests {
  @Test func builtInRegistryNames() {
    #expect(
      ComponentRegistry.builtIn.names == [
        "Build", "ContinuousDoubleAuction", "Gather", "PeriodicBracketTax", "SimpleLabor", "WealthRedistribution",
      ])
  }

  @Test func registryRejectsDuplicateNames() {
    #expect(throws: RegistryError(message: "duplicate component name 'Build'")) {
      try ComponentRegistry([Build.self, Gather.self, Build.self])
    }
    #expect(throws: RegistryError(message: "duplicate component name 'Gather'")) {
      try ComponentRegistry.builtIn.adding(Gather.self)
    }
    #expect(throws: RegistryError(message: "duplicate component name 'build'")) {
      try ComponentRegistry.builtIn.adding(LowercaseBuild.self)
    }
    #expect(throws: RegistryError(message: "component name 'My.Build' must not contain '.'")) {
      try ComponentRegistry.builtIn.adding(DottedBuild.self)
    }
  }

  @Test func userComponentCanBeNamedInAConfigAndSteps() throws {
    let registry = try ComponentRegistry.builtIn.adding(CoinDrip.self)
    #expect(registry.names.last == "CoinDrip")
    let yaml = """
      scenario_name: layout_from_file/simple_wood_and_stone
      components:
        - Gather: {}
        - CoinDrip: {amount: 0.5}
      n_agents: 3
      world_size: [25, 25]
      episode_length: 10
      """
    #expect(
      configErrorText(yaml)
        == "scenarios/bad.yaml:4:15: components[1].CoinDrip: Unknown component 'CoinDrip'. Known components: Build, ContinuousDoubleAuction, Gather, PeriodicBracketTax, SimpleLabor, WealthRedistribution"
    )
    var env = try Environment(
      config: EnvironmentConfig.parse(yaml: yaml, file: nil), registry: registry)
    #expect(env.componentNames == ["Gather", "CoinDrip"])
    #expect(env.actionLayout.mobile.map(\.name) == ["Gather", "CoinDrip"])
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 3, forceDenseLog: true)
    let coin = (0..<3).map { env.world.endowment($0, .coin) }.reduce(0, +)
    #expect(coin == 3 * 0.5 * 10)
    #expect(summary.metric("Drip/paid") == 15)
    #expect(summary.denseLog?.componentLogs.map(\.0) == ["Gather", "Drip"])
    #expect(env.invariantViolation() == nil)
    // Its parameters are checked like the built-in ones.
    let bad = yaml.replacingOccurrences(of: "amount: 0.5", with: "amout: 0.5")
    do {
      _ = try Environment(
        config: EnvironmentConfig.parse(yaml: bad, file: "x.yaml"), registry: registry)
      Issue.record("expected an error")
    } catch {
      #expect(
        error.description
          == "x.yaml:4:16: components[1].CoinDrip.amout: unknown parameter 'amout' for CoinDrip (did you mean 'amount'?)"
      )
    }
  }
}

/// Components declare what they need (Foundation's `required_entities`) and the settings other
/// parts read (the skill model); the environment and the scenario use the declarations, never
/// the components' types.
@Suite("Component requirements")
struct ComponentRequirementsTests {
  static func yaml(_ components: String, extra: String = "") -> String {
    """
    scenario_name: layout_from_file/simple_wood_and_stone
    components:
    \(components)
    n_agents: 4
    world_size: [25, 25]
    episode_length: 10
    \(extra)
    """
  }

  @Test func theHouseLayerExistsWhenAComponentRequiresHouses() throws {
    let registry = try ComponentRegistry.builtIn.adding(Shelter.self)
    func channels(_ components: String) throws -> [String] {
      try Environment(config: EnvironmentConfig.parse(yaml: Self.yaml(components), file: nil), registry: registry)
        .observationLayout.channelNames
    }
    #expect(
      try channels("  - ContinuousDoubleAuction: {}") == [
        "Stone", "Wood", "Water", "StoneSourceBlock", "WoodSourceBlock",
      ])
    #expect(try channels("  - Gather: {}").contains("House"))
    #expect(
      try channels("  - Shelter: {}") == ["Stone", "Wood", "House", "Water", "StoneSourceBlock", "WoodSourceBlock"])
    #expect(Build.requiredEntities == [.wood, .stone, .coin, .house, .labor])
    #expect(Gather.requiredEntities == [.coin, .house, .labor])
    #expect(ContinuousDoubleAuction.requiredEntities == [.coin, .labor])
    #expect(PeriodicBracketTax.requiredEntities == [.coin])
    #expect(CoinDrip.requiredEntities.isEmpty)  // the default: nothing beyond coin and labor
  }

  @Test func fixedFourReadsTheDeclaredSkillModelWhoeverDeclaresIt() throws {
    let registry = try ComponentRegistry.builtIn.adding(Shelter.self)
    let extra = "fixed_four_skill_and_loc: true"
    // A user component that declares Pareto skills satisfies fixed_four_skill_and_loc.
    let env = try Environment(
      config: EnvironmentConfig.parse(yaml: Self.yaml("  - Shelter: {}", extra: extra), file: nil), registry: registry)
    #expect(
      (env.scenario as? WoodAndStoneScenario)?.rankedPayments
        == WoodAndStoneScenario.rankedPayments(agents: 4, payment: 7, pmsm: 2))
    // Build's declaration is its parameters.
    let build = try Environment(
      config: EnvironmentConfig.parse(
        yaml: Self.yaml("  - Build: {skill_dist: pareto, payment: 12, payment_max_skill_multiplier: 3}", extra: extra),
        file: nil))
    #expect(
      (build.scenario as? WoodAndStoneScenario)?.rankedPayments
        == WoodAndStoneScenario.rankedPayments(agents: 4, payment: 12, pmsm: 3))
    #expect(build.component(Build.self)?.payment == 12 && build.component(Gather.self) == nil)
  }
}

/// A user component that needs houses and draws Pareto skills: the declarations alone give the
/// world a House layer and satisfy `fixed_four_skill_and_loc`.
private struct Shelter: Component {
  static let name = "Shelter"
  static let shorthand = "Shelter"
  static let parameterNames: [String] = []
  static let requiredEntities: [Entity] = [.house]
  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    setup.declareSkills(SkillModel(distribution: .pareto, payment: 7, maxSkillMultiplier: 2))
  }
  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {}
  mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {}
  var denseLog: [JSONValue]? { nil }
}

/// A component whose name clashes with Build's, case-insensitively.
private struct LowercaseBuild: Component {
  static let name = "build"
  static let shorthand = "build"
  static let parameterNames: [String] = []
  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {}
  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {}
  mutating func step(
    world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool
  ) {}
  var denseLog: [JSONValue]? { nil }
}

/// A user-defined component: every step, each agent may take `amount` coin (its one action),
/// created like a build payment.
private struct CoinDrip: Component {
  static let name = "CoinDrip"
  static let shorthand = "Drip"
  static let parameterNames = ["amount"]
  let amount: Double
  let action: ActionSubspace
  var paid = 0.0
  var log: [JSONValue] = []

  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    amount = params.double("amount", default: 1, range: 0...100)
    action = setup.addMobileActions(nil, count: 1)
  }

  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    paid = 0
    log.removeAll()
  }

  mutating func step(
    world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool
  ) {
    // Always pay, whatever the action, so the total is known.
    for a in 0..<world.agentCount {
      world.addInventory(a, .coin, amount)
      world.ledger.coinCreated += amount
      paid += amount
    }
    if logging { log.append(.array([])) }
  }

  func metrics(world: World, into out: inout [(key: String, value: Double)]) {
    out.append(("paid", paid))
  }

  var denseLog: [JSONValue]? { log }
}

/// A component whose name would clash with subspace names (`Component.sub`).
private struct DottedBuild: Component {
  static let name = "My.Build"
  static let shorthand = "MyBuild"
  static let parameterNames: [String] = []
  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {}
  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {}
  mutating func step(
    world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool
  ) {}
  var denseLog: [JSONValue]? { nil }
}
