import Basics
import Foundation
import Testing

@testable import Economy

/// ``OneStepTheory`` agrees with the environment: its outcome is what the environment pays when
/// agents work those hours, no agent gains by working other hours, and the searched schedule is
/// at least as good as the baselines and random schedules.
@Suite struct OneStepTheoryTests {
  static func oneStep(_ extra: String = "") throws -> Environment {
    try environment(
      """
      scenario_name: one-step-economy
      n_agents: 6
      world_size: [4, 4]
      episode_length: 2
      labor_cost: 0.015
      \(extra)
      components:
        - SimpleLabor: {}
        - PeriodicBracketTax: {period: 2, bracket_spacing: us-federal, usd_scaling: 1000}
      """)
  }

  /// Plays one episode: the planner sets `rates` (menu indices + 1), agents work `hours`.
  static func play(_ env: inout Environment, rates: [Double], hours: [Int]) throws -> [Double] {
    let theory = try #require(OneStepTheory(environment: env))
    env.reset(seed: 1)
    let indices = rates.map { r in (theory.menu.firstIndex { abs($0 - r) < 1e-12 } ?? 0) + 1 }
    try env.actions.setPlanner(subActions: indices)
    env.step()
    for (a, h) in hours.enumerated() { try env.actions.setMobile(a, action: h) }
    env.step()
    return (0..<env.agentCount).map { a in env.world.endowment(a, .coin) }
  }

  static let schedules: [[Double]] = [
    [0, 0, 0, 0, 0, 0, 0], [0.1, 0.1, 0.2, 0.2, 0.3, 0.35, 0.35], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    [0.9, 0, 0.3, 0.6, 0.05, 1, 0.2],
  ]

  @Test(arguments: 0..<4)
  func outcomeIsWhatTheEnvironmentPaysAndNobodyGainsByDeviating(_ index: Int) throws {
    var env = try Self.oneStep()
    let theory = try #require(OneStepTheory(environment: env))
    let rates = Self.schedules[index]
    let o = theory.outcome(rates: rates)
    let coin = try Self.play(&env, rates: rates, hours: o.hours)
    for a in 0..<env.agentCount {
      #expect(abs(coin[a] - o.coin[a]) < 1e-9, "agent \(a): \(coin[a]) vs \(o.coin[a])")
      #expect(abs(env.world.labor[a] - Double(o.hours[a])) < 1e-12)
    }
    let metric = try #require(env.lastEpisode?.metric("social_welfare/inv_income_weighted_utility"))
    #expect(abs(metric - o.welfare) < 1e-9, "\(metric) vs \(o.welfare)")
    // No agent gains by working other hours, others unchanged (checked through the environment).
    for a in 0..<env.agentCount {
      for h in stride(from: 0, through: 100, by: 7) where h != o.hours[a] {
        var hours = o.hours
        hours[a] = h
        let paid = try Self.play(&env, rates: rates, hours: hours)
        let u = theory.utility(coin: paid[a], hours: Double(h))
        #expect(u <= o.utilities[a] + 1e-9, "agent \(a) gains by working \(h) instead of \(o.hours[a]) hours")
      }
    }
  }

  @Test func untaxedAgentsWorkSkillOverTwiceTheLaborCost() throws {
    let env = try Self.oneStep()
    let theory = try #require(OneStepTheory(environment: env))
    let o = theory.outcome(rates: [Double](repeating: 0, count: 7))
    for (a, w) in theory.skills.enumerated() {
      let exact = w / (2 * 0.015)
      #expect(abs(Double(o.hours[a]) - exact) <= 0.5 + 1e-9, "agent \(a): \(o.hours[a]) vs \(exact)")
    }
  }

  @Test func searchedScheduleBeatsTheBaselinesAndRandomSchedules() throws {
    let env = try Self.oneStep()
    let theory = try #require(OneStepTheory(environment: env))
    let best = theory.bestSchedule()
    var rng = EconomyRNG(seed: 5)
    var others = Self.schedules
    for _ in 0..<30 { others.append((0..<7).map { _ in theory.menu[rng.int(below: theory.menu.count)] }) }
    for rates in others {
      #expect(best.welfare >= theory.outcome(rates: rates).welfare - 1e-9, "\(rates)")
    }
    #expect(best.welfare > theory.outcome(rates: Self.schedules[0]).welfare, "taxes help this planner")
  }

  @Test func withoutPlannerRatesTheMenuIsFoundationsDefault() throws {
    let free = try environment(
      """
      scenario_name: one-step-economy
      n_agents: 3
      world_size: [2, 2]
      episode_length: 2
      components:
        - SimpleLabor: {}
        - PeriodicBracketTax: {period: 2, disable_taxes: true}
      """)
    let theory = try #require(OneStepTheory(environment: free))
    #expect(theory.menu.count == 21 && theory.menu.first == 0 && theory.menu.last == 1)
  }

  @Test func onlyOneStepEconomiesHaveATheory() throws {
    #expect(OneStepTheory(environment: try tutorialEnvironment()) == nil)
  }
}
