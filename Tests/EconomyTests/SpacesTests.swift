import Testing

@testable import Economy

@Suite("Action and observation spaces match Foundation's")
struct SpacesTests {
  @Test func agentActionLayout() throws {
    let env = try tutorialEnvironment()
    let layout = env.actionLayout
    #expect(layout.mobileActionCount == 50)
    #expect(layout.mobileMaskSize == 50)
    let order = Facts.value("agent_actions", "action_subspace_order").arrayValue?.compactMap(\.stringValue)
    #expect(layout.mobile.map(\.name) == order)
    // Every flat index maps to the same (subspace, sub-action) as Foundation's single_action_map.
    let map = Facts.value("agent_actions", "single_action_map")
    for index in 1..<50 {
      let expected = map[String(index)]?.arrayValue
      let decoded = ActionLayout.decode(index, specs: layout.mobile)
      #expect(decoded.map { layout.mobile[$0.subspace].name } == expected?[0].stringValue, "index \(index)")
      #expect(decoded?.action == expected?[1].intValue, "index \(index)")
      if let d = decoded {
        #expect(ActionLayout.encode(subspace: d.subspace, action: d.action, specs: layout.mobile) == index)
      }
    }
    #expect(ActionLayout.decode(0, specs: layout.mobile) == nil)
  }

  @Test func plannerActionLayout() throws {
    let env = try tutorialEnvironment()
    let layout = env.actionLayout
    #expect(layout.plannerNvec == [22, 22, 22, 22, 22, 22, 22])
    #expect(layout.plannerMaskSize == 154)
    let order = Facts.value("planner_actions", "action_subspace_order").arrayValue?.compactMap(\.stringValue)
    #expect(layout.planner.map(\.name) == order)
  }

  @Test func flatLayouts() throws {
    let env = try tutorialEnvironment()
    let o = env.observationLayout
    for (mine, facts) in [
      (o.mobile, "agent_0"), (o.planner, "planner"),
      (o.perAgent, "planner_p0(agent-wise, stored under obs['p']['p0'])"),
    ] {
      let expected = Facts.value("flat_layout", facts, "flattened_sorted_keys").arrayValue ?? []
      #expect(mine.count == expected.count, "\(facts)")
      for (entry, e) in zip(mine, expected) {
        #expect(entry.key == e["key"]?.stringValue)
        #expect(entry.offset == e["offset"]?.intValue, "\(entry.key)")
        #expect(entry.size == e["size"]?.intValue, "\(entry.key)")
      }
    }
    #expect(o.mobileFlatSize == 136)
    #expect(o.plannerFlatSize == 86)
    #expect(o.perAgentSize == 8)
    #expect(o.mobileMapShape == [7, 11, 11])
    #expect(o.mobileIndexShape == [2, 11, 11])
    #expect(o.plannerMapShape == [6, 25, 25])
    #expect(o.plannerIndexShape == [2, 25, 25])
    #expect(o.channelNames == ["Stone", "Wood", "House", "Water", "StoneSourceBlock", "WoodSourceBlock"])
  }

  @Test func multiActionAgentsAndUnflattenedMasks() throws {
    var config = try tutorialConfig()
    config.multiActionModeAgents = true
    config.multiActionModePlanner = false
    let env = try Environment(config: config)
    #expect(env.actionLayout.mobileNvec == [2, 12, 12, 12, 12, 5])
    #expect(env.actionLayout.mobileMaskSize == 2 + 4 * 12 + 5)
    #expect(env.actionLayout.mobileMaskOffsets == [1, 3, 15, 27, 39, 51])
    #expect(env.actionLayout.plannerActionCount == 1 + 7 * 21)
    #expect(env.actionLayout.plannerMaskSize == 148)
  }

  @Test func actionSettersCheckTheirSpaces() throws {
    var env = try tutorialEnvironment()
    #expect(throws: ActionError.outOfRange(agent: "2", action: "57", space: "Discrete(50)")) {
      try env.actions.setMobile(2, action: 57)
    }
    #expect(throws: ActionError.unknownAgent("4", agentCount: 4)) { try env.actions.setMobile(4, action: 1) }
    #expect(
      throws: ActionError.outOfRange(
        agent: "0", action: "[1, 0, 0, 0, 0, 2]",
        space: "Discrete(50) (single-action mode: at most one non-zero sub-action)")
    ) { try env.actions.setMobile(0, subActions: [1, 0, 0, 0, 0, 2]) }
    #expect(
      throws: ActionError.outOfRange(
        agent: "p", action: "[22, 0, 0, 0, 0, 0, 0]", space: "MultiDiscrete([22, 22, 22, 22, 22, 22, 22])")
    ) {
      try env.actions.setPlanner(subActions: [22, 0, 0, 0, 0, 0, 0])
    }
    try env.actions.setMobile(0, action: 47)
    #expect(env.actions.mobile[0..<6] == [0, 0, 0, 0, 0, 2])
    #expect(
      "\(ActionError.outOfRange(agent: "2", action: "57", space: "Discrete(50)"))"
        == "agent '2': action 57 is outside its action space Discrete(50)")
  }

  @Test func disabledTaxesGivePlannerPlaceholder() throws {
    let yaml = """
      scenario_name: layout_from_file/simple_wood_and_stone
      n_agents: 4
      world_size: [25, 25]
      components:
        - Gather: {}
        - PeriodicBracketTax: {disable_taxes: true}
      """
    let env = try environment(yaml)
    #expect(env.actionLayout.planner.isEmpty)
    #expect(env.actionLayout.plannerNvec == [1])
    #expect(env.actionLayout.plannerMaskSize == 1)
    #expect(env.actionLayout.mobileActionCount == 5)
    // No Build: the map still has a House channel (Gather needs it), and Water from the layout.
    #expect(
      env.observationLayout.channelNames == ["Stone", "Wood", "House", "Water", "StoneSourceBlock", "WoodSourceBlock"])
  }

  @Test func plannerWithoutSpatialInfoHasNoMapAndNoLocations() throws {
    let env = try Environment(config: EnvironmentConfig.load(path: fixturePath("foundation-phase2-config.yaml")))
    #expect(env.observationLayout.plannerMapShape == nil)
    #expect(
      env.observationLayout.perAgent.map(\.key) == [
        "PeriodicBracketTax-curr_marginal_rate", "PeriodicBracketTax-last_income",
        "PeriodicBracketTax-last_marginal_rate",
        "world-inventory-Coin", "world-inventory-Stone", "world-inventory-Wood",
      ])
  }
}

@Suite("Hot-path buffers")
struct BufferTests {
  /// The step writes into buffers sized once: after many steps and resets no buffer has grown.
  @Test func buffersKeepTheirCapacityAcrossSteps() throws {
    var env = try tutorialEnvironment(seed: 3)
    let before = [
      env.observations.mobileFlat.capacity, env.observations.mobileMap.capacity, env.observations.mobileMask.capacity,
      env.observations.plannerFlat.capacity, env.observations.plannerMap.capacity, env.observations.perAgent.capacity,
      env.observations.plannerMask.capacity, env.rewards.capacity, env.actions.mobile.capacity,
    ]
    var policy = RandomActions(seed: 9)
    env.reset(seed: 3, forceDenseLog: false)
    for _ in 0..<2500 {
      if env.isDone { env.reset(forceDenseLog: false) }
      policy.fill(&env)
      env.step()
    }
    let after = [
      env.observations.mobileFlat.capacity, env.observations.mobileMap.capacity, env.observations.mobileMask.capacity,
      env.observations.plannerFlat.capacity, env.observations.plannerMap.capacity, env.observations.perAgent.capacity,
      env.observations.plannerMask.capacity, env.rewards.capacity, env.actions.mobile.capacity,
    ]
    #expect(before == after)
    #expect(env.observations.mobileFlat.count == 4 * 136)
    #expect(env.observations.mobileMap.count == 4 * 7 * 11 * 11)
  }

  @Test func oversizedWorldsAreRejected() throws {
    let yaml = """
      scenario_name: uniform/simple_wood_and_stone
      n_agents: 2
      world_size: [25000, 25000]
      mobile_agent_observation_range: 500
      components: [{Gather: {}}]
      """
    do {
      _ = try environment(yaml, file: "big.yaml")
      Issue.record("expected a config error")
    } catch let error as ConfigError {
      #expect(
        error.issues.map(\.message) == [
          "expected each side to be at most 2048 tiles, found [25000, 25000]",
          "expected a value in 0...128, found 500",
        ])
    }
  }
}
