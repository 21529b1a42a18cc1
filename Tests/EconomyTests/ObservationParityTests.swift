import Testing

@testable import Economy

@Suite("Flat observations match Foundation's at the seed-7 reset and after one NO-OP step")
struct ObservationParityTests {
  static let atReset = Facts.value("raw_obs_values_at_reset_seed7")
  static let afterStep = Facts.value("raw_obs_values_after_one_noop_step_seed7")

  @Test func agentFlatVectorAtReset() throws {
    let env = try pinnedSeed7Environment()
    let expected = jsonNumbers(Self.atReset["agent_0_flat_vector"])
    #expect(expected.count == 136)
    expectClose(env.mobileFlatVector(0), expected, tolerance: 1e-6)
  }

  @Test func plannerFlatVectorAtReset() throws {
    let env = try pinnedSeed7Environment()
    let expected = jsonNumbers(Self.atReset["planner_flat_vector"])
    #expect(expected.count == 86)
    expectClose(env.plannerFlatVector(), expected, tolerance: 1e-6)
  }

  /// Every raw (unflattened) value of agent 0 lands at its key's offset in `flat`.
  @Test func agentFieldsByKeyAtReset() throws {
    let env = try pinnedSeed7Environment()
    let raw = Self.atReset["agent_0_nonspatial"]?.objectValue
    #expect(Set(raw?.keys ?? []) == Set(env.observationLayout.mobile.map(\.key)))
    for (key, value) in raw?.entries ?? [] {
      expectClose(env.mobileObservation(0, key), jsonNumbersOrScalar(value), tolerance: 1e-6, key)
    }
  }

  /// The planner's `p<i>` vectors hold each agent's values at our per-agent layout offsets.
  @Test(arguments: 0..<4)
  func plannerPerAgentAtReset(agent: Int) throws {
    let env = try pinnedSeed7Environment()
    let raw = Self.atReset["planner_nonspatial"]?["p\(agent)"]?.objectValue
    #expect(Set(raw?.keys ?? []) == Set(env.observationLayout.perAgent.map(\.key)))
    var expected = [Double](repeating: .nan, count: env.observationLayout.perAgentSize)
    for entry in env.observationLayout.perAgent {
      expected[entry.offset] = raw?[entry.key]?.doubleValue ?? .nan
    }
    expectClose(env.perAgentVector(agent), expected, tolerance: 1e-6, "p\(agent)")
  }

  /// The other agents' component observations: build payment (÷ payment), raw build skill and
  /// bonus probability, and their locations.
  @Test(arguments: 0..<4)
  func buildAndGatherFieldsOfEveryAgent(agent: Int) throws {
    let env = try pinnedSeed7Environment()
    let fact = Facts.value("build", "after_reset_seed7", String(agent))
    expectClose(
      env.mobileObservation(agent, "Build-build_payment"), jsonNumbersOrScalar(fact["obs Build-build_payment"]),
      tolerance: 1e-6)
    expectClose(
      env.mobileObservation(agent, "Build-build_skill"), jsonNumbersOrScalar(fact["obs Build-build_skill"]),
      tolerance: 1e-6
    )
    expectClose(
      env.mobileObservation(agent, "Gather-bonus_gather_prob"), jsonNumbersOrScalar(fact["bonus_gather_prob"]),
      tolerance: 1e-6)
    let loc = jsonNumbers(fact["loc"])
    expectClose(env.mobileObservation(agent, "world-loc-row"), [loc[0] / 25], tolerance: 1e-6)
    expectClose(env.mobileObservation(agent, "world-loc-col"), [loc[1] / 25], tolerance: 1e-6)
    expectClose(env.mobileObservation(agent, "world-inventory-Coin"), [0.1], tolerance: 1e-6)
  }

  @Test func agentZeroAfterOneNoopStep() throws {
    var env = try pinnedSeed7Environment()
    env.step()
    let raw = Self.afterStep["agent_0_nonspatial"]?.objectValue
    #expect(Set(raw?.keys ?? []) == Set(env.observationLayout.mobile.map(\.key)))
    for (key, value) in raw?.entries ?? [] where key != "world-inventory-Stone" {
      expectClose(env.mobileObservation(0, key), jsonNumbersOrScalar(value), tolerance: 1e-6, key)
    }
    // Foundation's bonus roll gave 2 stone; ours draws from a different stream, so 1 or 2.
    let stone = env.world.inventory(0, .stone)
    #expect(stone == 1 || stone == 2)
    expectClose(env.mobileObservation(0, "world-inventory-Stone"), [stone * 0.01], tolerance: 1e-6)
    expectClose(env.world.labor[0], 1)
  }

  @Test func plannerViewOfAgentZeroAfterOneNoopStep() throws {
    var env = try pinnedSeed7Environment()
    env.step()
    let raw = Self.afterStep["planner_p0"]?.objectValue
    for (key, value) in raw?.entries ?? [] where key != "world-inventory-Stone" {
      expectClose(env.perAgentObservation(0, key) ?? .nan, value.doubleValue ?? .nan, tolerance: 1e-6, key)
    }
    expectClose(
      env.perAgentObservation(0, "world-inventory-Stone") ?? .nan, env.world.inventory(0, .stone) * 0.01,
      tolerance: 1e-6)
  }

  /// Agents 0 and 2 stand on a resource and collect it with a NO-OP; agents 1 and 3 do not.
  @Test func otherAgentsAfterOneNoopStep() throws {
    var env = try pinnedSeed7Environment()
    env.step()
    let wood = env.world.inventory(2, .wood)
    #expect(wood == 1 || wood == 2)
    expectClose(env.world.labor[2], 1)
    expectClose(env.mobileObservation(2, "world-inventory-Wood"), [wood * 0.01], tolerance: 1e-6)
    for a in [1, 3] {
      expectClose(env.world.labor[a], 0)
      #expect(env.world.inventory(a, .stone) == 0 && env.world.inventory(a, .wood) == 0)
    }
  }
}
