import Basics
import EnvContract
import Foundation
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

/// The per-env curriculum schedules (energy warm-up, tax annealing) land where Foundation's
/// 30-env layout puts them in global env steps, and a run that moves them says so in numbers.
@Suite("Curriculum timeline")
struct CurriculumTimelineTests {
  /// The timeline of a run config file, with `envs` envs instead of its own when given.
  static func timeline(_ path: String, envs: Int? = nil) throws -> CurriculumTimeline {
    let run = try RunConfig.load(path: path)
    return CurriculumTimeline(
      environment: try Environment(config: run.env), envs: envs ?? run.training.trainer.envCount)
  }

  @Test("the shipped phase configs sample as Foundation's: 30 envs, 200-step fragments, 6000-step batches")
  func shippedPhaseConfigsUseFoundationsLayout() throws {
    for name in ["phase1", "phase2"] {
      let path = repositoryRoot + "/scenarios/\(name).yaml"
      let trainer = try RunConfig.load(path: path).training.trainer
      let foundation = try RunConfig.load(path: RunConfigTests.fixture(name)).training.trainer
      #expect(trainer.envCount == 30, "\(name)")
      #expect(trainer.numWorkers == foundation.numWorkers && trainer.numEnvsPerWorker == foundation.numEnvsPerWorker)
      #expect(trainer.rolloutFragmentLength == 200 && foundation.rolloutFragmentLength == 200)
      #expect(trainer.trainBatchSize == 6000 && trainer.sgdMinibatchSize == 1500 && trainer.numSGDIter == 1)
      let timeline = try Self.timeline(path)
      #expect(timeline.hasPerEnvSchedule)
      #expect(timeline.note == nil, "\(name) is on Foundation's timeline")
    }
  }

  @Test("phase 1 with 4 envs: the warm-up runs 7.5× sooner, with the constant that keeps the timeline")
  func phase1WithFourEnvs() throws {
    let timeline = try Self.timeline(RunConfigTests.fixture("phase1"), envs: 4)
    #expect(timeline.taxAnnealing == nil, "taxes are disabled in phase 1")
    #expect(timeline.globalSteps(envs: 4).energy == 40_000)
    #expect(timeline.globalSteps(envs: 30).energy == 300_000)
    #expect(
      timeline.note
        == "the energy warm-up (energy_warmup_method: auto, energy_warmup_constant: 10,000) counts per env, and this run samples with 4 envs where Foundation's phase configs use 30 (15 workers × 2), so it runs 7.5× sooner in global env steps: the labor cost reaches 63% of its weight after 10,000 positive-reward steps per env: at least 40,000 env steps here, at least 300,000 with 30 envs. To keep Foundation's timeline with 4 envs, set energy_warmup_constant: 75000 (entropy and learning-rate schedules count global env steps and need no change)."
    )
  }

  @Test("phase 2 with 4 envs: the tax range opens 7.5× sooner")
  func phase2WithFourEnvs() throws {
    let timeline = try Self.timeline(RunConfigTests.fixture("phase2"), envs: 4)
    #expect(timeline.energyWarmup == nil, "phase 2 has no warm-up")
    #expect(timeline.taxAnnealingEpisodes == 900)
    #expect(timeline.globalSteps(envs: 30).taxes == 27_000_000)
    #expect(
      timeline.note
        == "the tax annealing (tax_annealing_schedule: [-100, 0.001]) counts per env, and this run samples with 4 envs where Foundation's phase configs use 30 (15 workers × 2), so it runs 7.5× sooner in global env steps: the tax range is fully open after 900 episodes per env: 3.6 M env steps here, 27 M with 30 envs. To keep Foundation's timeline with 4 envs, set tax_annealing_schedule: [-750, 0.000133] (entropy and learning-rate schedules count global env steps and need no change)."
    )
  }

  @Test("both schedules, more envs than Foundation's, and the decay method")
  func bothSchedulesLater() {
    let timeline = CurriculumTimeline(
      envs: 60, episodeLength: 200, energyWarmup: (constant: 50, method: .decay),
      taxAnnealing: TaxAnnealingSchedule(warmup: 10, slope: 0.01))
    #expect(timeline.globalSteps(envs: 60).energy == 600_000)
    #expect(
      timeline.note
        == "the energy warm-up (energy_warmup_method: decay, energy_warmup_constant: 50) and the tax annealing (tax_annealing_schedule: [10, 0.01]) count per env, and this run samples with 60 envs where Foundation's phase configs use 30 (15 workers × 2), so they run 2× later in global env steps: the labor cost reaches 63% of its weight after 50 episodes per env: 600,000 env steps here, 300,000 with 30 envs; the tax range is fully open after 110 episodes per env: 1.32 M env steps here, 660,000 with 30 envs. To keep Foundation's timeline with 60 envs, set energy_warmup_constant: 25 and tax_annealing_schedule: [5, 0.02] (entropy and learning-rate schedules count global env steps and need no change)."
    )
  }

  @Test("no per-env schedule, no note")
  func noSchedule() throws {
    let timeline = try Self.timeline(repositoryRoot + "/scenarios/quickstart.yaml")
    #expect(!timeline.hasPerEnvSchedule)
    #expect(timeline.note == nil)
  }

  @Test("the auto warm-up counter advances per env: one count per own step with positive mean agent reward")
  func warmupCounterIsPerEnv() throws {
    let config = try tutorialConfig {
      $0.episodeLength = 30
      $0.parameters.energyWarmupConstant = 50
      $0.parameters.energyWarmupMethod = .auto
    }
    let envs = 3
    let vector = try EconomyVectorEnv(config: config, envs: envs, threads: 2)
    let batch = vector.makeBatch()
    vector.reset(seed: 5, into: batch)
    var rng = EconomyRNG(seed: 3)
    var counted = [Int](repeating: 0, count: envs)
    var weightedCosts: [[Double]] = Array(repeating: [], count: envs)
    for _ in 0..<75 {  // two episode ends and half an episode: the count carries across episodes
      VectorEnvTests.sample(batch, &rng)
      try vector.step(batch)
      for e in 0..<envs {
        let env = vector.environment(e)
        let agentRewards = env.rewards[0..<env.agentCount]
        if agentRewards.reduce(0, +) / Double(env.agentCount) > 0 { counted[e] += 1 }
        #expect(env.scenario.autoWarmupIntegrator == counted[e], "env \(e)")
      }
      for record in vector.takeEpisodeRecords() {
        let cost = try #require(record.metrics.first { $0.key == "labor/weighted_cost" }?.value)
        let x = try #require(record.metrics.first { $0.key == "labor/warmup_integrator" }?.value)
        #expect(abs(cost - 0.21 * (1 - exp(-x / 50))) < 1e-12)
        weightedCosts[record.env].append(cost)
      }
    }
    #expect(Set(counted).count > 1, "each env counts its own steps: \(counted)")
    #expect(counted.allSatisfy { $0 > 0 && $0 < 75 })
    for e in 0..<envs {
      #expect(weightedCosts[e].count == 2)
      #expect(weightedCosts[e][1] > weightedCosts[e][0], "the weight grows across episodes")
    }
  }

  @Test("curriculum counters set on a vector env anneal the planner's rates as after that much training")
  func curriculumCountersAnnealThePlannersMask() throws {
    let run = try RunConfig.load(path: repositoryRoot + "/scenarios/phase2.yaml")
    let vector = try EconomyVectorEnv(config: run.env, envs: 2, threads: 1)
    let batch = vector.makeBatch()
    let planner = try #require(batch.policies.firstIndex { $0.spec.policy == .planner })
    func allowed(_ row: Int) -> Int {
      let m = batch.policies[planner].spec.maskSize
      return batch.policies[planner].masks[(row * m)..<((row + 1) * m)].filter { $0 != 0 }.count
    }
    vector.reset(seed: 1, into: batch)
    // A fresh env: [-100, 0.001] opens 10% of the range, rates 0, 0.05, 0.1 and the no-op.
    #expect(allowed(0) == 7 * 4 && allowed(1) == 7 * 4)
    vector.setCurriculumCounters([
      Environment.CurriculumCounters(completions: 900, warmupIntegrator: 12),
      Environment.CurriculumCounters(completions: 400, warmupIntegrator: 0),
    ])
    vector.reset(seed: 1, into: batch)
    #expect(vector.environment(0).curriculumCounters == .init(completions: 900, warmupIntegrator: 12))
    #expect(allowed(0) == 7 * 22, "fully open after 900 episodes")
    #expect(allowed(1) == 7 * 12, "half open after 400: rates up to 0.5 and the no-op")
  }

  @Test("a checkpoint keeps each env's curriculum counters, and evaluation reads them back")
  func checkpointCurriculumCountersRoundTrip() throws {
    let yaml = """
      env:
        scenario_name: layout_from_file/simple_wood_and_stone
        components:
          - Gather: {move_labor: 1, collect_labor: 1, skill_dist: none}
        env_layout_file: quadrant_8x8_4each_8clump.txt
        world_size: [9, 9]
        n_agents: 2
        episode_length: 10
        energy_warmup_constant: 100
        energy_warmup_method: auto
      agent_policy:
        model: {fcnet_hiddens: [8]}
      planner_policy:
        model: {custom_model: random}
      trainer:
        num_workers: 1
        num_envs_per_worker: 3
        rollout_fragment_length: 15
        train_batch_size: 45
        sgd_minibatch_size: 30
        num_sgd_iter: 1
      """
    let run = try RunConfig.parse(yaml: yaml, file: nil)
    let pool = WorkerPool(threads: 1)
    let vector = try EconomyVectorEnv(
      environment: try Environment(config: run.env), envs: 3, threads: 1, keepDenseLogs: false, pool: pool)
    let trainer = try Trainer(env: vector, config: run.training, seed: 3, pool: pool)
    for _ in 0..<2 { _ = try trainer.step() }  // 30 steps per env: 3 episodes each
    let directory = try makeTemporaryDirectory("curriculum")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try trainer.saveCheckpoint(to: directory + "/latest")
    let read = try #require(Evaluation.curriculumCounters(checkpoint: directory + "/latest"))
    #expect(read == (0..<3).map { vector.environment($0).curriculumCounters })
    #expect(read.allSatisfy { $0.completions == 3 })
    #expect(Evaluation.curriculumCounters(checkpoint: directory + "/missing") == nil)
  }
}
