import EnvContract
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

@Suite("Adapter step: results, masked actions, errors")
struct StepTests {
  @Test func stepResultsFollowTheMultiAgentConventions() throws {
    var env = try EconomyMultiAgentEnv(config: tutorialConfig { $0.episodeLength = 3 })
    let reset = env.reset(seed: 5)
    #expect(Set(reset.observations.keys) == ["0", "1", "2", "3", "p"])
    #expect(reset.infos["2"]?["masked_actions"] == 0)
    for t in 1...3 {
      let r = try env.step(["0": .discrete(0)])
      #expect(Set(r.rewards.keys) == ["0", "1", "2", "3", "p"])
      #expect(Set(r.truncated.keys) == ["0", "1", "2", "3", "p", "__all__"])
      #expect(r.terminated.values.allSatisfy { !$0 })
      #expect(r.truncated["__all__"] == (t == 3) && r.truncated["p"] == (t == 3))
      for (i, id) in env.agentIDs.enumerated() { #expect(r.rewards[id] == env.environment.rewards[i]) }
    }
    #expect(throws: EnvError.episodeOver(length: 3)) { try env.step([:]) }
  }

  @Test func maskedActionsActAsNoOpAndAreCounted() throws {
    var env = try pinnedAdapter()
    // Agent 0 at (24, 0): moving left (46) is blocked by the edge, selling wood (35) needs
    // wood (it has none). Both are inside the space, so they act as NO-OP and are counted.
    let before = env.environment.world
    let r = try env.step(["0": .discrete(46), "1": .discrete(0)])
    #expect(r.infos["0"]?["masked_actions"] == 1)
    #expect(r.infos["1"]?["masked_actions"] == 0)
    #expect(env.environment.world.row[0] == before.row[0] && env.environment.world.col[0] == before.col[0])
    let r2 = try env.step(["0": .discrete(35)])
    #expect(r2.infos["0"]?["masked_actions"] == 1)
    #expect(r2.infos["0"]?["masked_actions_episode"] == 2)
    // The planner's tax sub-actions are closed on step 2 of the period.
    let r3 = try env.step(["p": .multiDiscrete([5, 0, 0, 0, 0, 0, 3])])
    #expect(r3.infos["p"]?["masked_actions"] == 2)
  }

  @Test func actionsOutsideTheirSpaceAreErrors() throws {
    var env = try EconomyMultiAgentEnv(config: tutorialConfig())
    _ = env.reset(seed: 1)
    #expect(throws: EnvError.actionOutsideSpace(agent: "2", action: "57", space: "Discrete(50)")) {
      try env.step(["2": .discrete(57)])
    }
    #expect(throws: EnvError.actionOutsideSpace(agent: "0", action: "[1, 2]", space: "Discrete(50)")) {
      try env.step(["0": .multiDiscrete([1, 2])])
    }
    #expect(
      throws: EnvError.actionOutsideSpace(
        agent: "p", action: "[22, 0, 0, 0, 0, 0, 0]", space: "MultiDiscrete([22 22 22 22 22 22 22])")
    ) { try env.step(["p": .multiDiscrete([22, 0, 0, 0, 0, 0, 0])]) }
    #expect(
      throws: EnvError.actionOutsideSpace(agent: "p", action: "[1]", space: "MultiDiscrete([22 22 22 22 22 22 22])")
    ) {
      try env.step(["p": .multiDiscrete([1])])
    }
    #expect(throws: EnvError.unknownAgent("4", known: ["0", "1", "2", "3", "p"])) { try env.step(["4": .discrete(0)]) }
    #expect(throws: EnvError.unknownAgent("01", known: ["0", "1", "2", "3", "p"])) {
      try env.step(["01": .discrete(0)])
    }
    // Nothing was stepped by the failed calls.
    #expect(env.environment.world.timestep == 0)
    let message = "\(EnvError.actionOutsideSpace(agent: "2", action: "57", space: "Discrete(50)"))"
    #expect(message == "agent '2': action 57 is outside its action space Discrete(50)")
  }

  @Test func multiActionAndSingleActionModesHaveTheSameEffects() throws {
    var single = try EconomyMultiAgentEnv(config: tutorialConfig())
    var multi = try EconomyMultiAgentEnv(
      config: tutorialConfig {
        $0.multiActionModeAgents = true
        $0.multiActionModePlanner = false
      })
    _ = single.reset(seed: 3)
    _ = multi.reset(seed: 3)
    var sampler = RandomActions(seed: 99)
    let specs = single.environment.actionLayout.mobile
    let plannerSpecs = single.environment.actionLayout.planner
    for _ in 0..<300 {
      let actions = single.randomActions(&sampler)
      var converted: [String: Action] = [:]
      for (id, action) in actions {
        guard case .discrete(let index) = action, id != "p" else {
          // Planner: MultiDiscrete in `single`, Discrete in `multi`; keep at most one sub-action.
          if case .multiDiscrete(let subs) = action, let k = subs.firstIndex(where: { $0 != 0 }) {
            converted[id] = .discrete(ActionLayout.encode(subspace: k, action: subs[k], specs: plannerSpecs))
          } else {
            converted[id] = .discrete(0)
          }
          continue
        }
        var subs = [Int](repeating: 0, count: specs.count)
        if let (k, v) = ActionLayout.decode(index, specs: specs) { subs[k] = v }
        converted[id] = .multiDiscrete(subs)
      }
      var singleActions = actions
      if case .discrete(let p)? = converted["p"] {
        var subs = [Int](repeating: 0, count: plannerSpecs.count)
        if let (k, v) = ActionLayout.decode(p, specs: plannerSpecs) { subs[k] = v }
        singleActions["p"] = .multiDiscrete(subs)
      }
      let a = try single.step(singleActions)
      let b = try multi.step(converted)
      #expect(a.rewards == b.rewards)
      for id in single.agentIDs { #expect(a.observations[id]?.tensor("flat") == b.observations[id]?.tensor("flat")) }
      if a.rewards != b.rewards { break }
    }
    #expect(single.environment.world.inventory == multi.environment.world.inventory)
  }
}
