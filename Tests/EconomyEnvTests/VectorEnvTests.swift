import EnvContract
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

@Suite("Vectorized environments")
struct VectorEnvTests {
  /// Random valid actions drawn from the batch's masks with a test generator.
  static func sample(_ batch: VectorBatch, _ rng: inout EconomyRNG) {
    for k in batch.policies.indices {
      let spec = batch.policies[k].spec
      let m = spec.maskSize
      for row in 0..<batch.policies[k].rows {
        let mask = Array(batch.policies[k].masks[(row * m)..<((row + 1) * m)])
        switch spec.actionSpace {
        case .discrete:
          let allowed = mask.indices.filter { mask[$0] != 0 }
          batch.policies[k].actions[row] = Int32(allowed[rng.int(below: allowed.count)])
        case .multiDiscrete(let nvec):
          var start = 0
          for (j, n) in nvec.enumerated() {
            let allowed = (0..<n).filter { mask[start + $0] != 0 }
            batch.policies[k].actions[row * nvec.count + j] = Int32(allowed[rng.int(below: allowed.count)])
            start += n
          }
        default: break
        }
      }
    }
  }

  /// Runs `envs` environments for `steps` vectorized steps; returns the batch after each step.
  static func runVectorized(
    envs: Int, threads: Int, steps: Int, config: EnvironmentConfig
  ) throws -> (batches: [VectorBatch], actions: [[[Int32]]]) {
    let vector = try EconomyVectorEnv(config: config, envs: envs, threads: threads)
    let batch = vector.makeBatch()
    vector.reset(seed: 42, into: batch)
    var rng = EconomyRNG(seed: 1)
    var out = [batch.copy()]
    var actions: [[[Int32]]] = []
    for _ in 0..<steps {
      sample(batch, &rng)
      actions.append(batch.policies.map(\.actions.array))
      try vector.step(batch)
      out.append(batch.copy())
    }
    return (out, actions)
  }

  static func shortConfig() throws -> EnvironmentConfig { try tutorialConfig { $0.episodeLength = 25 } }

  @Test func vectorizedEqualsSequential() throws {
    let config = try Self.shortConfig()
    let envs = 3
    let (batches, actions) = try Self.runVectorized(envs: envs, threads: 2, steps: 60, config: config)
    let specs = batches[0].policies.map(\.spec)
    for e in 0..<envs {
      var env = try EconomyMultiAgentEnv(config: config)
      env.denseLog = false
      _ = env.reset(seed: EconomyRNG.deriveSeed(42, stream: UInt64(e)))
      func expectRows(_ batch: VectorBatch, final: Bool, _ obs: [String: Observation], _ context: String) {
        for (k, spec) in specs.enumerated() {
          let size = spec.observationSize
          for (j, id) in spec.agents.enumerated() {
            let row = e * spec.agents.count + j
            let slab = final ? batch.policies[k].finalObservations : batch.policies[k].observations
            let mine = Array(slab[(row * size)..<((row + 1) * size)])
            let o = obs[id]
            var expected: [Double] = []
            for key in spec.observationSpace.keys where key != "action_mask" {
              expected += o?.tensor(key)?.doubles ?? []
            }
            #expect(mine.map(Double.init) == expected, "env \(e) agent \(id) \(context)")
            if !final {
              let m = spec.maskSize
              #expect(
                batch.policies[k].masks[(row * m)..<((row + 1) * m)].map(Double.init)
                  == o?.tensor("action_mask")?.doubles, "mask env \(e) agent \(id) \(context)")
            }
          }
        }
      }
      expectRows(batches[0], final: false, env.observations(), "at reset")
      for (t, stepActions) in actions.enumerated() {
        var dict: [String: Action] = [:]
        for (k, spec) in specs.enumerated() {
          let w = spec.actionWidth
          for (j, id) in spec.agents.enumerated() {
            let row = e * spec.agents.count + j
            let ints = stepActions[k][(row * w)..<((row + 1) * w)].map(Int.init)
            if case .discrete = spec.actionSpace {
              dict[id] = .discrete(ints[0])
            } else {
              dict[id] = .multiDiscrete(ints)
            }
          }
        }
        let result = try env.step(dict)
        let batch = batches[t + 1]
        for (k, spec) in specs.enumerated() {
          for (j, id) in spec.agents.enumerated() {
            #expect(batch.policies[k].rewards[e * spec.agents.count + j] == Float(result.rewards[id] ?? .nan))
            #expect(
              batch.policies[k].maskedActions[e * spec.agents.count + j]
                == Int32(result.infos[id]?["masked_actions"] ?? -1))
          }
        }
        let done = result.truncated["__all__"] == true
        #expect(batch.truncated[e] == (done ? 1 : 0), "env \(e) step \(t + 1)")
        #expect(batch.terminated[e] == 0)
        if done {
          expectRows(batch, final: true, result.observations, "final of step \(t + 1)")
          _ = env.reset(seed: nil)
          expectRows(batch, final: false, env.observations(), "after the automatic reset at step \(t + 1)")
        } else {
          expectRows(batch, final: false, result.observations, "step \(t + 1)")
        }
      }
    }
  }

  @Test func threadCountDoesNotChangeResults() throws {
    let config = try Self.shortConfig()
    let one = try Self.runVectorized(envs: 5, threads: 1, steps: 40, config: config).batches
    let two = try Self.runVectorized(envs: 5, threads: 2, steps: 40, config: config).batches
    let three = try Self.runVectorized(envs: 5, threads: 3, steps: 40, config: config).batches
    for (a, (b, c)) in zip(one, zip(two, three)) {
      for k in a.policies.indices {
        #expect(a.policies[k].observations.array == b.policies[k].observations.array)
        #expect(a.policies[k].observations.array == c.policies[k].observations.array)
        #expect(a.policies[k].rewards.array == c.policies[k].rewards.array)
        #expect(a.policies[k].masks.array == c.policies[k].masks.array)
      }
      #expect(a.truncated.array == c.truncated.array)
    }
  }

  @Test func batchLayoutAndStableBufferAddresses() throws {
    let vector = try EconomyVectorEnv(config: tutorialConfig { $0.episodeLength = 30 }, envs: 4, threads: 2)
    let batch = vector.makeBatch()
    let a = try #require(batch.index(of: .agents))
    let p = try #require(batch.index(of: .planner))
    #expect(batch.policies[a].spec.observationSize == 7 * 121 + 2 * 121 + 1 + 136)
    #expect(batch.policies[a].spec.fields.map(\.key) == ["world-map", "world-idx_map", "time", "flat"])
    #expect(batch.policies[a].observations.count == 4 * 4 * 1226)
    #expect(batch.policies[a].masks.count == 4 * 4 * 50)
    #expect(batch.policies[p].spec.observationSize == 6 * 625 + 2 * 625 + 1 + 86 + 4 * 8)
    #expect(batch.policies[p].actions.count == 4 * 7)
    vector.reset(seed: 3, into: batch)
    // The buffers never move: another language may hold their addresses across steps.
    func addresses() -> [UnsafeMutableRawPointer] {
      batch.policies.flatMap {
        [
          UnsafeMutableRawPointer($0.observations.pointer), UnsafeMutableRawPointer($0.masks.pointer),
          UnsafeMutableRawPointer($0.actions.pointer), UnsafeMutableRawPointer($0.rewards.pointer),
        ]
      } + [UnsafeMutableRawPointer(batch.truncated.pointer)]
    }
    let before = addresses()
    for _ in 0..<100 { try vector.stepRandom(batch) }
    #expect(addresses() == before)
    #expect(vector.completedEpisodes == 4 * 3)
    // Random actions are written back and lie in their spaces.
    #expect(batch.policies[a].actions.allSatisfy { $0 >= 0 && $0 < 50 })
  }

  @Test func invalidActionsAndSetupsAreErrors() throws {
    let vector = try EconomyVectorEnv(config: tutorialConfig(), envs: 2, threads: 1)
    let batch = vector.makeBatch()
    #expect(throws: EnvError.invalidState("step before the first reset; call reset() first")) {
      try vector.step(batch)
    }
    vector.reset(seed: 1, into: batch)
    batch.policies[0].actions[5] = 50
    #expect(throws: EnvError.batchActionOutsideSpace(env: 1, agent: "1", action: "50", space: "Discrete(50)")) {
      try vector.step(batch)
    }
    #expect(
      "\(EnvError.batchActionOutsideSpace(env: 1, agent: "1", action: "50", space: "Discrete(50)"))"
        == "environment 1, agent '1': action 50 is outside its action space Discrete(50)")
    batch.policies[0].actions[5] = 0
    batch.policies[1].actions[7 + 3] = -1
    #expect(
      throws: EnvError.batchActionOutsideSpace(
        env: 1, agent: "p", action: "[0, 0, 0, -1, 0, 0, 0]", space: "MultiDiscrete([22 22 22 22 22 22 22])")
    ) { try vector.step(batch) }
    #expect(vector.environment(0).world.timestep == 0)
    let x = PolicyID("x", role: .agents)
    let mixed = PolicyMapping([("0", x), ("1", x), ("2", x), ("3", x), ("p", x)])
    #expect(
      throws: EnvError.invalidSetup(
        "policy 'x' maps the planner together with mobile agents (0, 1, 2, 3, p); their spaces differ")
    ) { try EconomyVectorEnv(config: tutorialConfig(), envs: 1, mapping: mixed) }
    #expect(throws: EnvError.invalidSetup("a vectorized environment needs at least 1 environment, found 0")) {
      try EconomyVectorEnv(config: tutorialConfig(), envs: 0)
    }
  }

  /// Environments, their batch rows and dense logs are measured against the memory budget
  /// before any is allocated; the message says how much each takes.
  @Test func tooManyEnvironmentsAreRefusedUpFront() throws {
    let environment = try Environment(config: tutorialConfig())
    let specs = try EconomyVectorEnv(environment: environment, envs: 1).batchSpecs
    let limit = (bytes: 100 * 1_048_576.0, source: "a test's limit")
    #expect(
      EconomyVectorEnv.memoryProblem(environment: environment, envs: 64, specs: specs, logs: 2, limit: limit) == nil)
    #expect(
      EconomyVectorEnv.memoryProblem(environment: environment, envs: 4096, specs: specs, logs: 0, limit: limit)
        == "4096 environments need about 406.7 MiB (101.7 KiB each with their batch rows), more than the memory limit of 100.0 MiB (a test's limit): use fewer environments"
    )
    #expect(
      EconomyVectorEnv.memoryProblem(environment: environment, envs: 64, specs: specs, logs: 64, limit: limit)
        == "64 environments need about 280.6 MiB (101.7 KiB each with their batch rows, and 64 dense logs of 4.3 MiB each), more than the memory limit of 100.0 MiB (a test's limit): use fewer environments, a shorter episode_length or no dense logs"
    )
  }

  @Test func customMappingSplitsRows() throws {
    let (a0, b) = (PolicyID("a0", role: .agents), PolicyID("b", role: .agents))
    let mapping = PolicyMapping([("0", a0), ("1", b), ("2", b), ("3", b), ("p", .planner)])
    let vector = try EconomyVectorEnv(config: tutorialConfig(), envs: 2, mapping: mapping)
    #expect(vector.batchSpecs.map(\.policy) == [a0, b, .planner])
    #expect(vector.batchSpecs.map(\.agents) == [["0"], ["1", "2", "3"], ["p"]])
    let batch = vector.makeBatch()
    vector.reset(seed: 9, into: batch)
    var single = try EconomyMultiAgentEnv(config: tutorialConfig())
    _ = single.reset(seed: EconomyRNG.deriveSeed(9, stream: 1))
    let size = vector.batchSpecs[1].observationSize
    // Environment 1, agent "2" is row 1 * 3 + 1 of policy "b".
    let row = Array(batch.policies[1].observations[(4 * size)..<(5 * size)]).map(Double.init)
    let o = single.observations()["2"]
    #expect(row == ["world-map", "world-idx_map", "time", "flat"].flatMap { o?.tensor($0)?.doubles ?? [] })
  }

  @Test("only the first denseLogEnvs environments record dense logs, as Foundation's script keeps env 0–3")
  func denseLogsOnlyInTheLeadingEnvironments() throws {
    let config = try tutorialConfig {
      $0.episodeLength = 10
      $0.denseLogFrequency = 1
    }
    let vector = try EconomyVectorEnv(
      environment: try Environment(config: config), envs: 3, threads: 2, keepDenseLogs: true, denseLogEnvs: 2)
    let batch = vector.makeBatch()
    vector.reset(seed: 3, into: batch)
    var rng = EconomyRNG(seed: 4)
    var logged: [Int: Bool] = [:]
    for _ in 0..<20 {
      Self.sample(batch, &rng)
      try vector.step(batch)
      for record in vector.takeEpisodeRecords() { logged[record.env] = record.denseLog != nil }
    }
    #expect(logged == [0: true, 1: true, 2: false])
    #expect(TrainingRun.denseLogEnvs == 4)
  }
}

@Suite("Saez pooling")
struct SaezPoolingTests {
  @Test("pooling installs every env's local Saez samples, in env order, as each env's global buffer")
  func poolingInstallsTheConcatenation() throws {
    let yaml = try String(contentsOfFile: repositoryRoot + "/scenarios/saez.yaml", encoding: .utf8)
    let config = try EnvironmentConfig.parse(yaml: yaml, file: repositoryRoot + "/scenarios/saez.yaml")
    let vector = try EconomyVectorEnv(config: config, envs: 3, threads: 1)
    let batch = vector.makeBatch()
    vector.reset(seed: 4, into: batch)
    #expect(try vector.poolSaezBuffers() == 0)
    let period = try #require(vector.environment(0).component(PeriodicBracketTax.self)).period
    for _ in 0..<(2 * period + 1) { try vector.stepRandom(batch) }
    let locals = (0..<3).map { vector.environment($0).saezLocalBuffer ?? [] }
    #expect(locals.allSatisfy { $0.count == 2 * vector.environment(0).agentCount })
    #expect(locals[0] != locals[1], "each env records its own incomes")
    let pooled = try #require(try vector.poolSaezBuffers())
    #expect(pooled == locals.map(\.count).reduce(0, +))
    for e in 0..<3 {
      let samples = try #require(vector.environment(e).saezSamples)
      #expect(Array(samples.prefix(pooled)) == locals.flatMap { $0 }, "env \(e) sees the pool first")
    }
    var environment = vector.environment(0)
    #expect(
      environment.setSaezGlobalBuffer([.init(income: 1, marginalRate: 0.1)])
        == "a global Saez buffer holds every replica's samples: expected at least this environment's 8, found 1")
  }

  @Test("environments without a Saez tax model have nothing to pool")
  func nothingToPoolWithoutSaez() throws {
    let yaml = try String(contentsOfFile: repositoryRoot + "/scenarios/quickstart.yaml", encoding: .utf8)
    let vector = try EconomyVectorEnv(config: EnvironmentConfig.parse(yaml: yaml, file: nil), envs: 2, threads: 1)
    vector.reset(seed: 1, into: vector.makeBatch())
    #expect(try vector.poolSaezBuffers() == nil)
    var environment = vector.environment(0)
    #expect(environment.setSaezGlobalBuffer([]) == "the environment has no PeriodicBracketTax with tax_model: saez")
  }
}
