import EnvContract
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

@Suite("Adapter spaces equal Foundation's RLlib wrapper's")
struct SpaceParityTests {
  @Test func flattenedSpacesOfTheTutorialConfig() throws {
    let env = try EconomyMultiAgentEnv(config: tutorialConfig())
    #expect(env.agentIDs == ["0", "1", "2", "3", "p"])
    #expect(env.policyMapping.policies == [.agents, .planner])
    #expect(env.policyMapping.policies.map(\.name) == ["a", "p"])
    #expect(env.policyMapping.agents(of: .agents) == ["0", "1", "2", "3"])
    #expect(env.policyMapping.agents(of: .planner) == ["p"])
    for id in ["0", "3"] {
      let space = try #require(env.observationSpace(of: id))
      #expect(shapes(space) == Facts.value("obs_flattened", "agent_0"))
      #expect(env.actionSpace(of: id) == .discrete(50))
    }
    let planner = try #require(env.observationSpace(of: "p"))
    #expect(shapes(planner) == Facts.value("obs_flattened", "planner"))
    #expect(env.actionSpace(of: "p") == .multiDiscrete([22, 22, 22, 22, 22, 22, 22]))
    #expect(env.observationSpace(of: "4") == nil)
    #expect(env.actionSpace(of: "00") == nil)
  }

  @Test(arguments: [true, false])
  func unflattenedSpaces(flattenMasks: Bool) throws {
    let env = try EconomyMultiAgentEnv(
      config: tutorialConfig {
        $0.flattenObservations = false
        $0.flattenMasks = flattenMasks
      })
    let key = "obs_flatten_observations=False_flatten_masks=\(flattenMasks ? "True" : "False")"
    // Keys in Foundation's order, shapes and dtypes, nested dicts included.
    #expect(shapes(try #require(env.observationSpace(of: "0"))) == Facts.value(key, "agent_0"))
    // One deliberate difference: Foundation's `p<i>` `last_marginal_rate` is the Python int 0
    // (int64) until the first tax day makes it a float rate; our space is stable: float64.
    var expected = Facts.value(key, "planner")
    if case .object(var planner) = expected {
      for i in 0..<4 {
        guard case .object(var p)? = planner["p\(i)"] else { continue }
        #expect(p["PeriodicBracketTax-last_marginal_rate"]?["dtype"]?.stringValue == "int64")
        p["PeriodicBracketTax-last_marginal_rate"] = ["shape": [], "dtype": "float64"]
        planner["p\(i)"] = .object(p)
      }
      expected = .object(planner)
    }
    #expect(shapes(try #require(env.observationSpace(of: "p"))) == expected)
  }

  @Test func boundsAndPrintedForms() throws {
    let env = try EconomyMultiAgentEnv(config: tutorialConfig())
    let space = try #require(env.observationSpace(of: "0"))
    #expect(space["world-map"]?.description == "Box(-1e+20, 1e+20, (7, 11, 11), float32)")
    #expect(space["world-idx_map"]?.description == "Box(-32768, 32767, (2, 11, 11), int16)")
    #expect(space["flat"]?.description == "Box(-1e+20, 1e+20, (136,), float32)")
    #expect(env.actionSpace(of: "p")?.description == "MultiDiscrete([22 22 22 22 22 22 22])")
  }

  @Test func multiActionAgentsAndSingleActionPlanner() throws {
    let env = try EconomyMultiAgentEnv(
      config: tutorialConfig {
        $0.multiActionModeAgents = true
        $0.multiActionModePlanner = false
      })
    #expect(env.actionSpace(of: "1") == .multiDiscrete([2, 12, 12, 12, 12, 5]))
    #expect(env.observationSpace(of: "1")?["action_mask"] == .box(.unbounded([55], .float32)))
    #expect(env.actionSpace(of: "p") == .discrete(148))
    #expect(env.observationSpace(of: "p")?["action_mask"] == .box(.unbounded([148], .float32)))
  }

  @Test func plannerWithoutTaxesGetsThePlaceholder() throws {
    let env = try EconomyMultiAgentEnv(
      config: tutorialConfig { c in c.components.removeAll { $0.name == "PeriodicBracketTax" } })
    #expect(env.actionSpace(of: "p") == .multiDiscrete([1]))
    #expect(env.observationSpace(of: "p")?["action_mask"] == .box(.unbounded([1], .float32)))
    #expect(env.observations()["p"]?.tensor("action_mask")?.doubles == [1])
    // Unflattened, no component gives the planner a mask: the dict is empty, as in Foundation.
    let unflattened = try EconomyMultiAgentEnv(
      config: tutorialConfig { c in
        c.components.removeAll { $0.name == "PeriodicBracketTax" }
        c.flattenMasks = false
      })
    #expect(unflattened.observationSpace(of: "p")?["action_mask"] == .dict(DictSpace([])))
    #expect(unflattened.observations()["p"]?["action_mask"] == .dict(Observation()))
  }
}
