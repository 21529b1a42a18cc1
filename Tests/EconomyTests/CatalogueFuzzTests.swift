import Basics
import Foundation
import FuzzSupport
import Testing

@testable import Economy

/// Damaged and hostile variants of configs of the one-step economy and the split, multi-zone and
/// quadrant maps, and of a one-step replay trace: every one gives a value or an error, never a
/// trap or a hang.
@Suite("Fuzzed catalogue inputs")
struct CatalogueFuzzTests {
  static let configs = [
    """
    scenario_name: one-step-economy
    n_agents: 4
    world_size: [3, 3]
    episode_length: 2
    agent_reward_type: isoelastic_coin_minus_labor
    labor_cost: 0.01
    planner_reward_type: coin_eq_times_productivity
    mixing_weight_gini_vs_coin: 0.3
    components:
      - SimpleLabor: {mask_first_step: true, payment_max_skill_multiplier: 3, pareto_param: 4}
      - PeriodicBracketTax: {period: 2, bracket_spacing: us-federal, usd_scaling: 1000}
    """,
    """
    scenario_name: split_layout/simple_wood_and_stone
    env_layout_file: quadrant_8x8_4each_8clump.txt
    n_agents: 3
    world_size: [9, 9]
    episode_length: 4
    water_row: 3
    skill_rank_of_top_agents: [0, 2]
    components:
      - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3}
      - Gather: {}
      - WealthRedistribution: {}
    """,
    """
    scenario_name: multi_zone/simple_wood_and_stone
    n_agents: 2
    world_size: [9, 7]
    episode_length: 4
    num_partitions_row: 3
    num_partitions_col: 2
    num_wood_zones: 2
    num_stone_zones: 2
    num_wood_and_stone_zones: 1
    starting_wood_coverage: 0.05
    starting_stone_coverage: 0.05
    components:
      - Build: {}
      - Gather: {}
    """,
    """
    scenario_name: quadrant/simple_wood_and_stone
    n_agents: 2
    world_size: [10, 10]
    episode_length: 4
    gradient_steepness: 4
    components:
      - Build: {}
      - Gather: {}
      - PeriodicBracketTax: {period: 2}
    """,
  ]

  @Test(arguments: 0..<4)
  func configsAndTheEnvironmentsTheyBuild(_ index: Int) throws {
    let base = Array(Self.configs[index].utf8)
    let (accepted, rejected) = Mutator.fuzz(base, count: 300, seed: UInt64(10 + index)) { bytes in
      var env: Environment
      do {
        let config = try EnvironmentConfig.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "f.yaml")
        env = try Environment(config: config)
      } catch {
        return false
      }
      env.reset(seed: 1)
      var sampler = RandomActions(seed: 2)
      for _ in 0..<4 where !env.isDone {
        sampler.fill(&env)
        env.step()
        if let problem = env.invariantViolation() { Issue.record("\(problem)") }
      }
      return true
    }
    #expect(accepted >= 1 && rejected > 30, "accepted \(accepted), rejected \(rejected)")
  }

  @Test func oneStepTraces() throws {
    let trace = """
      {"env": {"scenario_name": "one-step-economy", "n_agents": 2, "world_size": [2, 2], "episode_length": 2,
       "components": [{"SimpleLabor": {}}, {"PeriodicBracketTax": {"period": 2}}]},
       "initial_state": {"0": {"skill": 1.5, "inventory": {"Coin": 3}}, "1": {"skill": 2, "endogenous": {"Labor": 1}}},
       "actions": [{"p": [1, 2, 3, 4, 5, 6, 7]}, {"0": 40, "1": 100}]}
      """
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let (accepted, rejected) = Mutator.fuzz(Array(trace.utf8), count: 300, seed: 21) { bytes in
      guard let path = try? writeFile(String(decoding: bytes, as: UTF8.self), named: "t.json", in: directory),
        let loaded = try? Trace.load(path: path)
      else { return false }
      return (try? Replay.run(loaded)) != nil
    }
    #expect(accepted >= 1 && rejected > 30, "accepted \(accepted), rejected \(rejected)")
  }
}
