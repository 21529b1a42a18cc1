import Basics
import Testing

@testable import Economy

/// The one-step economy against Foundation 1.7.1 (foundation-catalogue.json, `one_step_economy`):
/// observations, masks, rewards, metrics and dense logs for pinned skills, labor choices and
/// tax rates.
@Suite struct OneStepEconomyParityTests {
  static let cases = Catalogue.value("one_step_economy", "cases").arrayValue ?? []

  /// Whether Foundation ran labor that the first-step mask forbids (it does not enforce masks;
  /// Economist turns masked actions into NO-OP, so such steps differ by design).
  static func actsWhileMasked(_ c: JSONValue) -> Bool {
    let masked = c["env"]?["components"]?[0]?["SimpleLabor"]?["mask_first_step"]?.boolValue ?? true
    let first = c["steps"]?[0]?["actions"]?.objectValue?.entries ?? []
    return masked && first.contains { $0.key != "p" && ($0.value.intValue ?? 0) != 0 }
  }

  @Test(arguments: 0..<7)
  func foundationCase(_ index: Int) throws {
    let c = Self.cases[index]
    let name = c["name"]?.stringValue ?? "\(index)"
    var env = try Catalogue.environment(c["env"] ?? .null)
    env.reset(seed: 1)
    let n = env.agentCount
    // Reset: Foundation's masks (labor forbidden on the first step with mask_first_step), the
    // observation layout, and every value but the construction-time skill.
    let resetObs = c["reset_obs"] ?? .null
    for a in 0..<n {
      expectClose(env.mobileMaskVector(a), jsonNumbers(resetObs[String(a)]?["action_mask"]), "\(name) reset mask \(a)")
      let flat = jsonNumbers(resetObs[String(a)]?["flat"])
      let ours = env.mobileFlatVector(a)
      #expect(ours.count == flat.count, "\(name)")
      let skill = env.observationLayout.mobileEntry("SimpleLabor-skill")?.offset ?? -1
      for i in flat.indices where i != skill && i < ours.count {
        expectClose(ours[i], flat[i], tolerance: 1e-6, "\(name) flat \(i)")
      }
    }
    expectClose(env.plannerFlatVector(), jsonNumbers(resetObs["p"]?["flat"]), tolerance: 1e-6, "\(name) planner reset")
    expectClose(env.plannerMaskVector(), jsonNumbers(resetObs["p"]?["action_mask"]), "\(name) planner reset mask")
    #expect(
      env.observationLayout.mobile.map(\.key)
        == (c["flat_layout"]?["0"]?["flat"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue })
    #expect(
      env.observationLayout.planner.map(\.key)
        == (c["flat_layout"]?["p"]?["flat"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue })

    let skills = jsonNumbers(c["pinned_skills"])
    try env.applyInitialState(
      Dictionary(
        uniqueKeysWithValues: skills.enumerated().map { a, s in
          var state = AgentInitialState()
          state.fields = [("skill", s)]
          return (a, state)
        }))
    if Self.actsWhileMasked(c) {
      try checkMaskedFirstStep(c, env: &env)
      return
    }
    for (k, step) in (c["steps"]?.arrayValue ?? []).enumerated() {
      let acts = step["actions"] ?? .null
      for a in 0..<n { try env.actions.setMobile(a, action: acts[String(a)]?.intValue ?? 0) }
      try env.actions.setPlanner(subActions: (acts["p"]?.arrayValue ?? []).compactMap(\.intValue))
      env.step()
      let obs = step["obs"] ?? .null
      for a in 0..<n {
        expectClose(
          env.mobileFlatVector(a), jsonNumbers(obs[String(a)]?["flat"]), tolerance: 1e-6, "\(name) step \(k) flat \(a)")
        expectClose(env.mobileMaskVector(a), jsonNumbers(obs[String(a)]?["action_mask"]), "\(name) step \(k) mask \(a)")
        expectClose(env.perAgentVector(a), jsonNumbers(obs["p"]?["p\(a)"]), tolerance: 1e-6, "\(name) step \(k) p\(a)")
        expectClose(
          env.rewards[a], step["rewards"]?[String(a)]?.doubleValue ?? .nan, tolerance: 1e-9,
          "\(name) step \(k) reward \(a)")
      }
      expectClose(
        env.plannerFlatVector(), jsonNumbers(obs["p"]?["flat"]), tolerance: 1e-6, "\(name) step \(k) planner flat")
      expectClose(env.plannerMaskVector(), jsonNumbers(obs["p"]?["action_mask"]), "\(name) step \(k) planner mask")
      expectClose(
        env.rewards[n], step["rewards"]?["p"]?.doubleValue ?? .nan, tolerance: 1e-9, "\(name) step \(k) planner reward")
    }
    #expect(env.isDone)
    let metrics = try #require(env.lastEpisode?.metrics)
    let keys = (c["metrics"]?["keys"]?.arrayValue ?? []).compactMap(\.stringValue)
    #expect(metrics.map(\.key) == keys, "\(name)")
    for (key, value) in metrics {
      expectClose(value, c["metrics"]?["values"]?[key]?.doubleValue ?? .nan, tolerance: 1e-9, "\(name) \(key)")
    }
    let log = try #require(env.lastEpisode?.denseLog)
    let ours = try JSONParser.parse(log.jsonBytes())
    #expect(
      jsonDifference(ours, c["dense_log"] ?? .null) == nil,
      "\(name): \(jsonDifference(ours, c["dense_log"] ?? .null) ?? "")")
  }

  /// Labor chosen on the first step while masked: Economist counts it as masked and works no
  /// hours, where Foundation (which does not enforce masks) pays it.
  func checkMaskedFirstStep(_ c: JSONValue, env: inout Environment) throws {
    let acts = c["steps"]?[0]?["actions"] ?? .null
    let n = env.agentCount
    var expectedMasked = 0
    for a in 0..<n {
      let h = acts[String(a)]?.intValue ?? 0
      if h != 0 { expectedMasked += 1 }
      try env.actions.setMobile(a, action: h)
    }
    env.step()
    #expect(env.maskedActionCounts.prefix(n).reduce(0, +) == expectedMasked)
    for a in 0..<n {
      #expect(env.world.labor[a] == 0 && env.world.inventory(a, .coin) == 0)
    }
  }

  /// SimpleLabor's skills are Foundation's in expectation: within 4 standard deviations of the
  /// mean over 200 seeds of Foundation's 1,000-draw estimate (ours averages 100,000 draws).
  @Test(arguments: ["n_agents_4", "n_agents_10"])
  func skillsByRank(_ setting: String) throws {
    let s = Catalogue.value("one_step_economy", "skills", setting)
    var env = try Catalogue.environment(s["env"] ?? .null)
    env.reset(seed: 0)
    let ours = try #require(env.component(SimpleLabor.self)?.skills)
    let mean = jsonNumbers(s["mean_by_rank"])
    let sd = jsonNumbers(s["std_by_rank_ddof0"])
    #expect(ours.count == mean.count)
    for i in ours.indices {
      #expect(abs(ours[i] - mean[i]) < 4 * sd[i] + 1e-3, "rank \(i): \(ours[i]) vs \(mean[i]) ± \(sd[i])")
    }
    #expect(ours == ours.sorted(), "agent 0 is the least skilled")
    let skill = try #require(env.world.stateField(named: "skill"))
    for a in 0..<env.agentCount { #expect(env.world.state(a, skill) == ours[a]) }
  }

  /// `economist replay` of a one-step trace that pins each agent's skill in `initial_state`
  /// reproduces Foundation's dense log.
  @Test(arguments: [0, 2, 4, 5])
  func replayTrace(_ index: Int) throws {
    let c = Self.cases[index]
    let skills = jsonNumbers(c["pinned_skills"])
    let initial = JSONValue.object(
      JSONObject(skills.enumerated().map { (key: String($0.offset), value: ["skill": .double($0.element)]) }))
    let actions = JSONValue.array((c["steps"]?.arrayValue ?? []).map { $0["actions"] ?? .null })
    let trace: JSONValue = ["env": c["env"] ?? .null, "initial_state": initial, "actions": actions]
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = try writeFile(
      String(decoding: JSONWriter.serialize(trace), as: UTF8.self), named: "trace.json", in: directory)
    let (log, summary) = try Replay.run(Trace.load(path: path))
    #expect(summary != nil)
    let ours = try JSONParser.parse(log.jsonBytes())
    let difference = jsonDifference(ours, c["dense_log"] ?? .null)
    #expect(difference == nil, "\(difference ?? "")")
  }
}
