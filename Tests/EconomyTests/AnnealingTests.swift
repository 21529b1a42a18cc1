import Foundation
import Testing

@testable import Economy

@Suite("Annealing of tax limits and labor cost (Foundation's phase configs)")
struct AnnealingTests {
  /// The planner's mask entries of bracket 0 (NO-OP first).
  func bracketZeroMask(_ env: Environment) -> [Float] { Array(env.observations.plannerMask[0..<22]) }

  @Test func taxLimitGrowsWithCompletedEpisodes() throws {
    var env = try Environment(config: EnvironmentConfig.load(path: fixturePath("foundation-phase2-config.yaml")))
    // Schedule [-100, 0.001]: limit = clip(0.001 · (completions + 100), 0, 1) · max rate.
    env.reset(seed: 1)
    // Completions 0: limit 0.1 → rates 0, 0.05, 0.1 allowed; 0.15000000000000002 is not.
    #expect(bracketZeroMask(env) == [1, 1, 1, 1] + [Float](repeating: 0, count: 18))
    env.completions = 400
    env.reset(seed: 1)
    // Limit 0.5 → the 11 rates 0 … 0.5.
    #expect(bracketZeroMask(env) == [Float](repeating: 1, count: 12) + [Float](repeating: 0, count: 10))
    env.completions = 900
    env.reset(seed: 1)
    #expect(bracketZeroMask(env) == [Float](repeating: 1, count: 22))
    // Outside the first step of a period only NO-OP stays open, whatever the annealing.
    env.step()
    #expect(bracketZeroMask(env) == [1] + [Float](repeating: 0, count: 21))
  }

  @Test func rateAboveTheAnnealedLimitIsIgnored() throws {
    var env = try Environment(config: EnvironmentConfig.load(path: fixturePath("foundation-phase2-config.yaml")))
    env.reset(seed: 1)
    // Action 21 selects rate 1.0, masked at completions 0: it acts as NO-OP.
    try env.actions.setPlanner(subActions: [21, 3, 0, 0, 0, 0, 0])
    env.step()
    let tax = try #require(env.components.compactMap { $0 as? PeriodicBracketTax }.first)
    #expect(tax.currentRates[0] == 0)
    expectClose(tax.currentRates[1], 0.1)
    #expect(env.maskedActionCounts[env.agentCount] == 1)
  }

  @Test func autoEnergyWarmupStartsWithoutLaborCost() throws {
    var env = try Environment(config: EnvironmentConfig.load(path: fixturePath("foundation-phase1-config.yaml")))
    env.reset(seed: 2)
    // energy_warmup_method auto, constant 10000: the weight is 1 − exp(−integrator / 10000),
    // 0 before any step with a positive mean agent reward, so labor costs nothing yet.
    let coinBefore = (0..<env.agentCount).map { env.world.endowment($0, .coin) }
    let laborBefore = env.world.labor
    env.step()
    for a in 0..<env.agentCount {
      #expect(env.world.endowment(a, .coin) == coinBefore[a])
      #expect(env.rewards[a] == 0, "agent \(a) labor \(laborBefore[a]) → \(env.world.labor[a])")
    }
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 3)
    let integrator = try #require(summary.metric("labor/warmup_integrator"))
    expectClose(try #require(summary.metric("labor/weighted_cost")), 0.21 * (1 - exp(-integrator / 10000)))
  }

  @Test func disabledTaxesCollectNothingAndKeepObservations() throws {
    var env = try Environment(config: EnvironmentConfig.load(path: fixturePath("foundation-phase1-config.yaml")))
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 4)
    #expect(summary.metric("PeriodicTax/total_collected_taxes") == nil)
    #expect(summary.metric("PeriodicTax/avg_bracket_rate/000") == 0)
    #expect(env.observationLayout.mobileFlatSize == 136)
    #expect(env.actionLayout.planner.isEmpty)
  }
}
