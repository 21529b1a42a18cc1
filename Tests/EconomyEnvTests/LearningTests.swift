// A CI-sized learning test: a short PPO training must leave the agents clearly better off and
// clearly more productive than a uniformly random policy, on the same evaluation seeds.
//
// Setting (the run config below):
// - Layout `quadrant_8x8_4each_8clump.txt` (bundled; 9×9, 13 wood, 9 stone, 15 water tiles),
//   4 agents at random start tiles, 50-step episodes.
// - Components Gather (move and collect labor 1) and Build (build labor 1, payment 10, no skill
//   spread); no market, no taxes; the planner is a fixed random policy and is not trained.
// - `energy_cost` 0.05 (Foundation: 0.21), `isoelastic_eta` 0.23. With Foundation's costs
//   (energy 0.21, build labor 10) a short training first learns to stop moving: reward rose from
//   about −6 (random) to +0.5, but productivity fell below random (11–17 against 18–23 after
//   12,000 env steps, seeds 1–3), so such a test could not ask for both.
// - Agent policy: fcnet [32, 32], lr 1e-3, entropy 0.01, γ 0.98, λ 0.95, vf_loss_coeff 0.5.
//   Trainer: 4 envs, fragments of 50, 400 env steps per iteration, minibatches of 200 agent
//   steps, 4 epochs; 30 iterations (12,000 env steps, 48,000 agent steps). Seed 1, 2 threads.
// - Evaluation: 32 sampled (not greedy) episodes from seed 1001, for the trained policy and for
//   the same config with `custom_model: random` for the agents (uniform over allowed actions).
//
// Measured, trained vs random, mean agent episode reward / mean productivity (coin produced)
// over the 32 evaluation episodes (evaluation seed 1000 + training seed). The release CLI
// (`economist train --iterations 30 --seed S`, `economist evaluate --episodes 32 --seed 1000+S`)
// and this test in a DEBUG build give identical numbers (checked for seeds 1–6):
//   seed 1: 5.58 vs 1.20 / 42.8 vs 17.8     seed  7: 5.37 vs 2.07 / 43.8 vs 23.4
//   seed 2: 5.41 vs 1.19 / 45.0 vs 18.1     seed  8: 4.85 vs 1.06 / 40.9 vs 18.1
//   seed 3: 4.82 vs 1.93 / 39.7 vs 22.5     seed  9: 5.05 vs 1.70 / 44.4 vs 21.3
//   seed 4: 5.00 vs 1.51 / 41.9 vs 20.0     seed 10: 4.88 vs 1.34 / 42.5 vs 19.4
//   seed 5: 4.95 vs 1.86 / 41.6 vs 22.2     seed 11: 5.34 vs 1.24 / 42.5 vs 18.8
//   seed 6: 5.78 vs 1.47 / 47.5 vs 20.0     seed 12: 5.04 vs 1.60 / 43.1 vs 20.6
// The worst seed (3) still clears every threshold below (reward +2.9 and 2.5×, productivity
// +17 and 1.8×). After 10 iterations it is already 4.7–5.0 / 39–41 (seeds 1–3); 30 iterations
// sit on the plateau (builds level off at about 4.5 per episode on this small map).
//
// DEBUG build (`swift test --filter LearningTests`, 2 cores, other work running): 3.8–7.9 s
// wall for the whole test, of which training 3.0–6.1 s.
//
// It fails untrained: with 0 iterations, or with `lr: 0.00000001` (the config rejects 0), the
// policy scores 1.50 / 20.0 against random's 1.20 / 17.8 and all four expectations fail.

import Basics
import EnvContract
import Foundation
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining
@testable import RL

/// Short PPO training on a small map against a uniformly random policy.
@Suite("Learning", .serialized)
struct LearningTests {
  /// The run config: a small Gather-and-Build economy and a small, fast-learning agent policy.
  static let config = """
    env:
      scenario_name: layout_from_file/simple_wood_and_stone
      components:
        - Build: {skill_dist: none, payment_max_skill_multiplier: 1, build_labor: 1, payment: 10}
        - Gather: {move_labor: 1, collect_labor: 1, skill_dist: none}
      env_layout_file: quadrant_8x8_4each_8clump.txt
      world_size: [9, 9]
      n_agents: 4
      episode_length: 50
      energy_cost: 0.05
      isoelastic_eta: 0.23
      starting_agent_coin: 0
      multi_action_mode_agents: false
      multi_action_mode_planner: true
      flatten_observations: true
      flatten_masks: true
    general:
      train_planner: false
    agent_policy:
      lr: 0.001
      entropy_coeff: 0.01
      gamma: 0.98
      lambda: 0.95
      vf_loss_coeff: 0.5
      model: {fcnet_hiddens: [32, 32]}
    planner_policy:
      model: {custom_model: random}
    trainer:
      num_workers: 1
      num_envs_per_worker: 4
      rollout_fragment_length: 50
      train_batch_size: 400
      sgd_minibatch_size: 200
      num_sgd_iter: 4
    """
  static let iterations = 30
  static let trainingSeed: UInt64 = 1
  static let evaluationSeed: UInt64 = 1001
  static let evaluationEpisodes = 32
  static let threads = 2

  /// Mean agent episode reward and mean productivity over evaluated episodes.
  struct Score: CustomStringConvertible {
    var reward: Double
    var productivity: Double
    var description: String {
      String(format: "agent reward %.2f, productivity %.1f", reward, productivity)
    }
  }

  /// A trainer for `training` on its own env and pool.
  static func trainer(_ run: RunConfig, _ training: TrainingConfig, pool: WorkerPool) throws -> Trainer {
    let vector = try EconomyVectorEnv(
      environment: try Environment(config: run.env), envs: training.trainer.envCount, threads: threads,
      keepDenseLogs: false, pool: pool)
    return try Trainer(env: vector, config: training, seed: trainingSeed, pool: pool)
  }

  /// Plays the evaluation episodes with the trainer's current policies.
  static func score(_ trainer: Trainer, _ run: RunConfig) throws -> Score {
    let vector = try EconomyVectorEnv(
      environment: try Environment(config: run.env), envs: trainer.env.envCount, threads: threads,
      keepDenseLogs: false, pool: trainer.pool)
    let episodes = try trainer.evaluate(
      env: vector, episodes: evaluationEpisodes, greedy: false, seed: evaluationSeed)
    let agents = try #require(trainer.policies.firstIndex(of: .agents))
    let rewards = episodes.map { e in e.returns[agents].reduce(0, +) / Double(max(1, e.returns[agents].count)) }
    let productivity = try episodes.map { e in
      try #require(e.record.metrics.first { $0.key == "social/productivity" }?.value)
    }
    #expect(episodes.count == evaluationEpisodes)
    return Score(
      reward: rewards.reduce(0, +) / Double(rewards.count),
      productivity: productivity.reduce(0, +) / Double(productivity.count))
  }

  @Test func trainedAgentsBeatARandomPolicy() throws {
    let run = try RunConfig.parse(yaml: Self.config, file: nil)
    let pool = WorkerPool(threads: Self.threads)

    var randomTraining = run.training
    randomTraining.agentPolicy.model.kind = .random
    let random = try Self.score(Self.trainer(run, randomTraining, pool: pool), run)

    let started = Date()
    let trainer = try Self.trainer(run, run.training, pool: pool)
    for _ in 0..<Self.iterations { _ = try trainer.step() }
    let seconds = Date().timeIntervalSince(started)
    let trained = try Self.score(trainer, run)
    let summary = "trained: \(trained); random: \(random); training \(String(format: "%.1f", seconds)) s"
    print("LearningTests: \(summary)")

    // Measured: 5.58 vs 1.20 reward, 42.8 vs 17.8 productivity (other seeds: top of the file).
    // Thresholds: reward at least 2 above random and 1.5×; productivity at least 10 above and 1.4×.
    #expect(trained.reward >= random.reward + 2, "\(summary)")
    #expect(trained.reward >= 1.5 * random.reward, "\(summary)")
    #expect(trained.productivity >= random.productivity + 10, "\(summary)")
    #expect(trained.productivity >= 1.4 * random.productivity, "\(summary)")
  }

  /// A phase-1-style run: Foundation's labor costs (energy 0.21, build labor 10) brought in by
  /// the `auto` energy warm-up, scaled down to this map (200 positive-reward steps per env).
  static let warmupConfig =
    config
    .replacingOccurrences(of: "build_labor: 1,", with: "build_labor: 10,")
    .replacingOccurrences(
      of: "energy_cost: 0.05", with: "energy_cost: 0.21\n  energy_warmup_constant: 200\n  energy_warmup_method: auto")

  /// Productivity must survive the labor cost's arrival.
  ///
  /// Measured with the release CLI (32 sampled evaluation episodes, seed 1000 + S): after 10
  /// iterations (4,000 env steps, labor-cost weight 0.05 of 0.21) and after 60 (24,000 steps,
  /// weight 0.183–0.185), productivity early → end:
  ///   warm-up 200 (this test): S1 37.5 → 32.8, S2 37.8 → 36.3, S3 38.1 → 32.5, S4 36.3 → 35.9
  ///   warm-up 20 (full cost after ~3 iterations): S1 33.1 → 19.7, S2 32.8 → 23.4 (collapse)
  ///   warm-up 50: S1 32.8 → 30.3, S2 35.0 → 30.6
  ///   no warm-up (full cost from the start): S1–S4 16–21 → 13–27 (never learns to build)
  /// This test (debug build, training seed 1): 39.7 (weight 0.28) → 33.8 (weight 0.88), random
  /// 17.8. A uniformly random policy makes about 18 here. The test asks for the end to keep 80% of the
  /// early productivity and 1.4× the random policy's: a warm-up that runs ahead of learning
  /// (as Foundation's did with 4 envs instead of 30, issue 13) fails both.
  @Test func productivitySurvivesTheLaborCostWarmup() throws {
    let run = try RunConfig.parse(yaml: Self.warmupConfig, file: nil)
    #expect(run.env.parameters.energyWarmupConstant == 200 && run.env.parameters.energyWarmupMethod == .auto)
    let pool = WorkerPool(threads: Self.threads)
    var randomTraining = run.training
    randomTraining.agentPolicy.model.kind = .random
    let random = try Self.score(Self.trainer(run, randomTraining, pool: pool), run)

    let trainer = try Self.trainer(run, run.training, pool: pool)
    for _ in 0..<10 { _ = try trainer.step() }
    let earlyWeight = try #require(trainer.episodeMetric("labor/weighted_cost")) / 0.21
    let early = try Self.score(trainer, run)
    for _ in 10..<60 { _ = try trainer.step() }
    let endWeight = try #require(trainer.episodeMetric("labor/weighted_cost")) / 0.21
    let end = try Self.score(trainer, run)
    let summary = String(
      format: "early %.1f (weight %.2f), end %.1f (weight %.2f), random %.1f", early.productivity, earlyWeight,
      end.productivity, endWeight, random.productivity)
    print("LearningTests: \(summary)")

    #expect(earlyWeight < 0.4, "the warm-up had not finished early: \(summary)")
    #expect(endWeight > 0.8, "the labor cost reached most of its weight: \(summary)")
    #expect(early.productivity >= 1.5 * random.productivity, "the agents learned to build first: \(summary)")
    #expect(end.productivity >= 0.8 * early.productivity, "productivity did not collapse: \(summary)")
    #expect(end.productivity >= 1.4 * random.productivity, "\(summary)")
  }
}
