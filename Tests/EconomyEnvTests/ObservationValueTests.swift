import EnvContract
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

@Suite("Adapter observations equal Foundation's at the pinned seed-7 state")
struct ObservationValueTests {
  @Test func flatVectorsAtReset() throws {
    let obs = try pinnedAdapter().observations()
    let agent = try #require(obs["0"]?.tensor("flat"))
    #expect(agent.dtype == .float32 && agent.shape == [136])
    expectClose(agent.doubles, numbers(Facts.value("raw_obs_values_at_reset_seed7", "agent_0_flat_vector")))
    let planner = try #require(obs["p"]?.tensor("flat"))
    #expect(planner.shape == [86])
    expectClose(planner.doubles, numbers(Facts.value("raw_obs_values_at_reset_seed7", "planner_flat_vector")))
    #expect(obs["0"]?.tensor("time") == Tensor(shape: [1], storage: .float64([0])))
  }

  @Test func unflattenedValuesAtReset() throws {
    let obs = try pinnedAdapter { $0.flattenObservations = false }.observations()
    for (id, key) in [("0", "agent_0_nonspatial"), ("p", "planner_nonspatial")] {
      let expected = try #require(Facts.value("raw_obs_values_at_reset_seed7", key).objectValue)
      let mine = try #require(obs[id])
      for (k, v) in expected.entries {
        if let inner = v.objectValue {
          guard case .dict(let nested)? = mine[k] else {
            Issue.record("\(id): \(k) is not a nested dict")
            continue
          }
          #expect(nested.keys == inner.entries.map(\.key), "\(id) \(k)")
          for (ik, iv) in inner.entries {
            expectClose(nested.tensor(ik)?.doubles ?? [], numbers(iv), "\(id) \(k)/\(ik)")
          }
        } else {
          let t = try #require(mine.tensor(k), "\(id): \(k)")
          expectClose(t.doubles, numbers(v), "\(id) \(k)")
          #expect(t.shape == (v.arrayValue == nil ? [] : [numbers(v).count]), "\(id) \(k)")
        }
      }
    }
  }

  @Test func spatialMapsAtReset() throws {
    let obs = try pinnedAdapter().observations()
    let views = Facts.value("spatial_obs", "example_agent_views_at_reset_seed7")
    for a in 0..<4 {
      let map = try #require(obs[String(a)]?.tensor("world-map"))
      let index = try #require(obs[String(a)]?.tensor("world-idx_map"))
      #expect(map.shape == [7, 11, 11] && index.dtype == .int16)
      // Channel 6: 1 inside the world, 0 in the padding; idx channel 1: the agent itself is 1.
      #expect(Array(map.doubles[(6 * 121)...]) == numbers(views[String(a)]?["channel6_(extra)"] ?? .null))
      #expect(Array(index.doubles[121...]) == numbers(views[String(a)]?["idx_map_ch1(loc map)"] ?? .null))
    }
    let planner = try #require(obs["p"]?.tensor("world-map"))
    #expect(planner.shape == [6, 25, 25])
  }

  @Test func masksAtResetAndOverATaxPeriod() throws {
    var env = try pinnedAdapter()
    let obs = env.observations()
    for a in 0..<4 {
      #expect(
        obs[String(a)]?.tensor("action_mask")?.doubles
          == numbers(Facts.value("agent_actions", "mask_at_reset", String(a))))
    }
    #expect(obs["p"]?.tensor("action_mask")?.doubles == [Double](repeating: 1, count: 154))
    let noops = [0, 22, 44, 66, 88, 110, 132]
    for t in 1...201 {
      let result = try env.step([:])
      let mask = try #require(result.observations["p"]?.tensor("action_mask")?.doubles)
      let open = mask.indices.filter { mask[$0] == 1 }
      if t % 100 == 0 {
        #expect(open.count == 154, "step \(t)")
      } else {
        #expect(open == noops, "step \(t)")
      }
      if t == 1 { #expect(mask == numbers(Facts.value("planner_actions", "mask_after_step1(tax_cycle_pos==2)"))) }
    }
  }

  @Test func unflattenedMasksAreThePartsOfTheFlatMask() throws {
    let flat = try pinnedAdapter().observations()
    let dict = try pinnedAdapter { $0.flattenMasks = false }.observations()
    guard case .dict(let agentMask)? = dict["0"]?["action_mask"],
      case .dict(let plannerMask)? = dict["p"]?["action_mask"]
    else {
      Issue.record("masks are not dicts")
      return
    }
    #expect(
      agentMask.keys == [
        "Build", "ContinuousDoubleAuction.Sell_Stone", "ContinuousDoubleAuction.Buy_Stone",
        "ContinuousDoubleAuction.Sell_Wood", "ContinuousDoubleAuction.Buy_Wood", "Gather",
      ])
    let m = try #require(flat["0"]?.tensor("action_mask")?.doubles)
    // Flat layout: NO-OP, Build, Buy_Stone, Sell_Stone, Buy_Wood, Sell_Wood, Gather.
    #expect(agentMask.tensor("Build")?.doubles == [m[1]])
    #expect(agentMask.tensor("ContinuousDoubleAuction.Buy_Stone")?.doubles == Array(m[2..<13]))
    #expect(agentMask.tensor("ContinuousDoubleAuction.Sell_Stone")?.doubles == Array(m[13..<24]))
    #expect(agentMask.tensor("ContinuousDoubleAuction.Sell_Wood")?.doubles == Array(m[35..<46]))
    #expect(agentMask.tensor("Gather")?.doubles == Array(m[46..<50]))
    #expect(agentMask.tensor("Gather")?.dtype == .int64)
    #expect(plannerMask.keys.count == 7)
    #expect(plannerMask.tensor("PeriodicBracketTax.TaxIndexBracket_510")?.doubles == [Double](repeating: 1, count: 21))
  }
}
