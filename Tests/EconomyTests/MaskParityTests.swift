import Basics
import Testing

@testable import Economy

@Suite("Action masks and the planner's tax timing match Foundation's")
struct MaskParityTests {
  @Test(arguments: 0..<4)
  func agentMaskAtReset(agent: Int) throws {
    let env = try pinnedSeed7Environment()
    let expected = jsonNumbers(Facts.value("agent_actions", "mask_at_reset", String(agent)))
    #expect(expected.count == 50)
    expectClose(env.mobileMaskVector(agent), expected, "agent \(agent)")
  }

  @Test func plannerMaskOpenAtResetAndClosedAfterStepOne() throws {
    var env = try pinnedSeed7Environment()
    let open = jsonNumbers(Facts.value("planner_actions", "mask_at_reset(tax_cycle_pos==1)"))
    #expect(open.count == 154 && open.allSatisfy { $0 == 1 })
    expectClose(env.plannerMaskVector(), open)
    env.step()
    let closed = jsonNumbers(Facts.value("planner_actions", "mask_after_step1(tax_cycle_pos==2)"))
    expectClose(env.plannerMaskVector(), closed)
    let noops = closed.indices.filter { closed[$0] == 1 }
    #expect(noops == [0, 22, 44, 66, 88, 110, 132])
  }

  /// Foundation's `tax.planner_timing_check`: rates chosen at step 1 and 101 apply, the one at
  /// step 50 is masked (a NO-OP, counted), taxes are collected at steps 100 and 200, and the
  /// period observations follow `tax_cycle_pos`.
  @Test func plannerTaxTiming() throws {
    var env = try tutorialEnvironment(seed: 7)
    env.reset(seed: 7, forceDenseLog: true)
    let checks = Facts.value("tax", "planner_timing_check").arrayValue ?? []
    var byStep: [Int: JSONValue] = [:]
    for c in checks {
      if let t = c["after_step"]?.intValue { byStep[t] = c }
    }
    #expect(byStep.count == checks.count - 1)
    let atReset = checks.first { $0["obs_from"]?.stringValue == "reset" }
    #expect(atReset?["planner_mask_open"]?.boolValue == true)
    #expect(env.plannerMaskVector().allSatisfy { $0 == 1 })
    expectClose(env.plannerObservation("PeriodicBracketTax-tax_phase"), jsonNumbersOrScalar(atReset?["tax_phase"]))

    let discRates = jsonNumbers(
      Facts.value("planner_actions", "disc_rates(action k>=1 selects disc_rates[k-1]; 0 = keep previous)"))
    let brackets = env.actionLayout.planner.count
    for t in 1...201 {
      let check = byStep[t]
      let action = check?["planner_action"]?.intValue ?? 0
      let masked = env.maskedActionCounts[env.agentCount]
      try env.step([:], planner: Array(repeating: action, count: brackets))
      if t == 50 { #expect(env.maskedActionCounts[env.agentCount] - masked == brackets, "step 50's action is masked") }
      guard let check else { continue }
      let rate0 = check["curr_marginal_rates[0]"]?.doubleValue ?? .nan
      let rates = env.component(PeriodicBracketTax.self)?.currentRates ?? []
      expectClose(rates, Array(repeating: rate0, count: brackets), "rates after step \(t)")
      if action > 0 && t != 50 { expectClose(rate0, discRates[action - 1], "facts' rate is disc_rates[action - 1]") }
      for (key, name) in [
        ("is_tax_day", "PeriodicBracketTax-is_tax_day"), ("is_first_day", "PeriodicBracketTax-is_first_day"),
        ("tax_phase", "PeriodicBracketTax-tax_phase"),
      ] {
        let expected = check[key]?.doubleValue ?? .nan
        expectClose(env.plannerObservation(name), [expected], tolerance: 1e-6, "planner \(key) after step \(t)")
        for a in 0..<env.agentCount {
          expectClose(env.mobileObservation(a, name), [expected], tolerance: 1e-6, "agent \(a) \(key) after step \(t)")
        }
      }
      expectClose(
        env.plannerObservation("PeriodicBracketTax-curr_rates"), rates, tolerance: 1e-6,
        "curr_rates obs after step \(t)")
      let open = check["planner_mask_open(in obs returned by this step)"]?.boolValue ?? false
      let mask = env.plannerMaskVector()
      #expect(mask.allSatisfy { $0 == 1 } == open, "mask open after step \(t)")
      if !open { #expect(mask.filter { $0 == 1 }.count == brackets, "only NO-OPs after step \(t)") }
      let enacted = check["taxes_enacted_this_step"]?.boolValue ?? false
      let entry = env.component(PeriodicBracketTax.self)?.denseLog?.last
      #expect((entry?.objectValue != nil) == enacted, "tax record after step \(t)")
    }
    let log = env.component(PeriodicBracketTax.self)?.denseLog ?? []
    #expect(log.count == 201)
    #expect(log.indices.filter { log[$0].objectValue != nil } == [99, 199])
    #expect(env.maskedActionCounts[env.agentCount] == brackets)
  }

  /// Masks stay in step with `tax_cycle_pos` over a whole episode: open exactly in the
  /// observations of reset and of steps 100, 200, ….
  @Test func plannerMaskReopensEveryPeriod() throws {
    var env = try tutorialEnvironment(seed: 3)
    for t in 1...1000 {
      env.step()
      let open = env.plannerMaskVector().allSatisfy { $0 == 1 }
      #expect(open == (t % 100 == 0), "after step \(t)")
    }
  }
}
