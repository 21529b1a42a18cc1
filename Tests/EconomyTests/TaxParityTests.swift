import Testing

@testable import Economy

@Suite("Tax collection, redistribution and tax models match Foundation's")
struct TaxParityTests {
  static let example = Facts.value("tax", "enact_taxes_example")
  static let usFederalRates = "[0.1, 0.12, 0.22, 0.24, 0.32, 0.35, 0.37]"

  /// A tutorial environment whose taxes use fixed rates and a one-step period, so the first step
  /// collects taxes on the holdings set before it.
  static func fixedRateEnvironment(rates: String = usFederalRates) throws -> Environment {
    var env = try environment(
      tutorialYAML(
        tax:
          "{period: 1, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: fixed-bracket-rates, fixed_bracket_rates: \(rates)}"
      ))
    env.reset(seed: 7, forceDenseLog: true)
    return env
  }

  /// Foundation's `enact_taxes_example`: incomes [0, 10, 50, 205] (agent 3's counts 5 coin in
  /// escrow), taxes by the us-federal schedule, lump sum 13.702.
  @Test func enactTaxesExample() throws {
    var env = try Self.fixedRateEnvironment()
    expectClose(env.component(PeriodicBracketTax.self)?.lastCoin ?? [], jsonNumbers(Self.example["last_coin(before)"]))
    let inventory = jsonNumbers(Self.example["inventory_coin(before)"])
    let escrow = jsonNumbers(Self.example["escrow_coin"])
    for a in 0..<4 { env.setHoldings(a, coin: inventory[a], escrowCoin: escrow[a]) }
    env.step()

    expectClose(
      (0..<4).map { env.world.inventory($0, .coin) }, jsonNumbers(Self.example["inventory_coin(after)"]),
      tolerance: 1e-12)
    expectClose((0..<4).map { env.world.escrow($0, .coin) }, escrow)
    expectClose(
      env.component(PeriodicBracketTax.self)?.lastCoin ?? [], jsonNumbers(Self.example["last_coin(after)"]),
      tolerance: 1e-12)

    let record = try #require(env.component(PeriodicBracketTax.self)?.denseLog?.last?.objectValue)
    let expected = try #require(Self.example["tax_dict"]?.objectValue)
    #expect(record.keys == expected.keys)
    #expect(record.keys == ["schedule", "cutoffs", "0", "1", "2", "3"])
    expectClose(jsonNumbers(record["schedule"]), jsonNumbers(expected["schedule"]))
    expectClose(jsonNumbers(record["cutoffs"]), jsonNumbers(expected["cutoffs"]), tolerance: 1e-15)
    for a in 0..<4 {
      let mine = try #require(record[String(a)]?.objectValue)
      let theirs = try #require(expected[String(a)]?.objectValue)
      #expect(mine.keys == ["income", "tax_paid", "marginal_rate", "effective_rate", "lump_sum"])
      for (key, value) in theirs.entries {
        expectClose(mine[key]?.doubleValue ?? .nan, value.doubleValue ?? .nan, tolerance: 1e-12, "agent \(a) \(key)")
      }
    }
    // Observations of the collection: sorted incomes per step of the period, and the planner's
    // per-agent income and marginal rate.
    expectClose(env.mobileObservation(0, "PeriodicBracketTax-last_incomes"), [0, 10, 50, 205], tolerance: 1e-6)
    for a in 0..<4 {
      let fact = expected[String(a)]
      expectClose(
        env.perAgentObservation(a, "PeriodicBracketTax-last_income") ?? .nan, fact?["income"]?.doubleValue ?? .nan,
        tolerance: 1e-6)
      expectClose(
        env.perAgentObservation(a, "PeriodicBracketTax-last_marginal_rate") ?? .nan,
        fact?["marginal_rate"]?.doubleValue ?? .nan,
        tolerance: 1e-6)
    }
  }

  /// `marginal_rate` (and the planner's `curr_marginal_rate`) is the rate of the bracket holding
  /// the income so far this period: a bracket's lower edge belongs to it, negative income gets 0.
  @Test func marginalRateObservationFollowsIncomeSoFar() throws {
    var env = try environment(
      tutorialYAML(
        tax:
          "{period: 100, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: fixed-bracket-rates, fixed_bracket_rates: [0, 0.05, 0.5, 1, 0.3, 0.2, 0.9]}"
      ))
    env.reset(seed: 7)
    env.step()
    // Income = coin − last_coin; with last_coin 0 the coin is the income exactly (10 + 510.3 − 10
    // would fall just below the top cutoff).
    env.modifyComponent(PeriodicBracketTax.self) { $0.lastCoin[1] = 0 }
    let rows = Facts.value("tax", "taxes_due", "custom", "rows").arrayValue ?? []
    for row in rows {
      let income = row["income"]?.doubleValue ?? .nan
      env.setHoldings(1, coin: income)
      let expected = row["marginal_rate"]?.doubleValue ?? .nan
      expectClose(
        env.mobileObservation(1, "PeriodicBracketTax-marginal_rate"), [expected], tolerance: 1e-6, "income \(income)")
      expectClose(
        env.perAgentObservation(1, "PeriodicBracketTax-curr_marginal_rate") ?? .nan, expected, tolerance: 1e-6)
    }
    env.modifyComponent(PeriodicBracketTax.self) { $0.lastCoin[1] = 10 }
    env.setHoldings(1, coin: 5)
    expectClose(env.mobileObservation(1, "PeriodicBracketTax-marginal_rate"), [0])
    expectClose(env.perAgentObservation(1, "PeriodicBracketTax-curr_marginal_rate") ?? .nan, 0)
  }

  /// Tax is taken from inventory only: an agent whose income sits in escrow pays at most its
  /// inventory coin, and still receives the full lump sum.
  @Test func taxIsCappedByInventoryCoin() throws {
    var env = try Self.fixedRateEnvironment()
    env.setHoldings(0, coin: 5, escrowCoin: 95)
    env.step()
    let record = try #require(env.component(PeriodicBracketTax.self)?.denseLog?.last)
    let due = 0.1 * 9.7 + 0.12 * 29.775 + 0.22 * (90 - 39.475)
    expectClose(record["0"]?["income"]?.doubleValue ?? .nan, 90)
    expectClose(record["0"]?["tax_paid"]?.doubleValue ?? .nan, 5)
    expectClose(record["0"]?["effective_rate"]?.doubleValue ?? .nan, 5.0 / 90)
    #expect(due > 5)
    expectClose(record["0"]?["lump_sum"]?.doubleValue ?? .nan, 1.25)
    expectClose(env.world.inventory(0, .coin), 1.25)
    expectClose(env.world.escrow(0, .coin), 95)
    for a in 1..<4 { expectClose(env.world.inventory(a, .coin), 11.25) }
  }

  /// The tutorial schedule at a regular 100-step period: the collection on step 100 uses the
  /// income accumulated since reset.
  @Test func collectionOnTheHundredthStep() throws {
    var env = try environment(
      tutorialYAML(
        tax:
          "{period: 100, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: fixed-bracket-rates, fixed_bracket_rates: \(Self.usFederalRates)}"
      ))
    env.reset(seed: 7, forceDenseLog: true)
    for _ in 1..<100 { env.step() }
    #expect(env.component(PeriodicBracketTax.self)?.denseLog?.allSatisfy { $0 == .array([]) } == true)
    let inventory = jsonNumbers(Self.example["inventory_coin(before)"])
    let escrow = jsonNumbers(Self.example["escrow_coin"])
    for a in 0..<4 { env.setHoldings(a, coin: inventory[a], escrowCoin: escrow[a]) }
    env.step()
    expectClose(
      (0..<4).map { env.world.inventory($0, .coin) }, jsonNumbers(Self.example["inventory_coin(after)"]),
      tolerance: 1e-12)
    let log = env.component(PeriodicBracketTax.self)?.denseLog ?? []
    #expect(log.count == 100)
    expectClose(log.last?["3"]?["tax_paid"]?.doubleValue ?? .nan, 46.9435, tolerance: 1e-12)
    expectClose(env.mobileObservation(0, "PeriodicBracketTax-last_incomes"), [0, 0.1, 0.5, 2.05], tolerance: 1e-6)
  }

  /// Fixed-rate models give the planner a one-action placeholder and apply their rates from
  /// step 1 (`tax.other_tax_models`).
  @Test(arguments: [
    ("fixed-bracket-rates", "[0, 0.05, 0.5, 1, 0.3, 0.2, 0.9]"),
    ("us-federal-single-filer-2018-scaled", ""),
  ])
  func fixedModels(model: String, rates: String) throws {
    let extra = rates.isEmpty ? "" : ", fixed_bracket_rates: \(rates)"
    var env = try environment(
      tutorialYAML(tax: "{period: 100, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: \(model)\(extra)}"))
    env.reset(seed: 7)
    let fact = Facts.value("tax", "other_tax_models", model)
    #expect(env.actionLayout.planner.isEmpty)
    #expect(env.actionLayout.plannerNvec == jsonNumbers(fact["planner_action_spaces"]).map(Int.init))
    #expect(env.actionLayout.plannerMaskSize == fact["planner_mask_len"]?.intValue)
    expectClose(env.plannerMaskVector(), [1])
    env.step()
    let expected = jsonNumbers(fact["curr_marginal_rates_after_step1"])
    expectClose(env.component(PeriodicBracketTax.self)?.currentRates ?? [], expected, tolerance: 1e-12)
    expectClose(env.plannerObservation("PeriodicBracketTax-curr_rates"), expected, tolerance: 1e-6)
    expectClose(env.mobileObservation(2, "PeriodicBracketTax-curr_rates"), expected, tolerance: 1e-6)
  }

  /// Saez: a placeholder planner too; before the estimator's buffer fills, rates are random
  /// draws in [rate_min, rate_max] (Foundation's values come from numpy's stream, ours differ).
  @Test func saezModelPlaceholderAndRandomRates() throws {
    var env = try environment(
      tutorialYAML(tax: "{period: 100, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: saez}"))
    env.reset(seed: 7)
    let fact = Facts.value("tax", "other_tax_models", "saez")
    #expect(env.actionLayout.planner.isEmpty)
    #expect(env.actionLayout.plannerNvec == jsonNumbers(fact["planner_action_spaces"]).map(Int.init))
    #expect(env.actionLayout.plannerMaskSize == fact["planner_mask_len"]?.intValue)
    env.step()
    let rates = env.component(PeriodicBracketTax.self)?.currentRates ?? []
    #expect(rates.count == 7)
    #expect(rates.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(Set(rates).count > 1, "independent draws per bracket")
  }
}
