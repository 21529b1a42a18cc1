import Testing

@testable import Economy

@Suite("Utility, social welfare and rewards match Foundation's")
struct RewardParityTests {
  @Test func isoelasticUtilityTable() {
    let rows = Facts.value("rewards", "isoelastic_coin_minus_labor").arrayValue ?? []
    #expect(rows.count == 10)
    for row in rows {
      let coin = row["coin"]?.doubleValue ?? .nan
      let labor = row["labor"]?.doubleValue ?? .nan
      let u = SocialMetrics.isoelasticUtility(coin: coin, labor: labor, eta: 0.23, laborCoefficient: 0.21)
      expectClose(u, row["utility"]?.doubleValue ?? .nan, tolerance: 1e-12, "coin \(coin) labor \(labor)")
    }
  }

  @Test func socialWelfareTable() {
    let rows = Facts.value("rewards", "social_welfare_examples").arrayValue ?? []
    #expect(rows.count == 8)
    for row in rows {
      let coins: [Double]
      if row["coins"]?.stringValue != nil {
        coins = (1...40).map(Double.init)  // "arange(1,41) (n=40 -> fast sorted-cumsum Gini branch)"
      } else {
        coins = jsonNumbers(row["coins"])
      }
      let label = "\(coins.count) coins summing to \(coins.reduce(0, +))"
      expectClose(SocialMetrics.gini(coins), row["gini"]?.doubleValue ?? .nan, tolerance: 1e-12, "gini, \(label)")
      expectClose(
        SocialMetrics.equality(coins), row["equality"]?.doubleValue ?? .nan, tolerance: 1e-12, "equality, \(label)")
      expectClose(
        SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 1),
        row["coin_eq_times_productivity(eq_w=1)"]?.doubleValue ?? .nan, tolerance: 1e-12, "eq×prod, \(label)")
      if let p = row["productivity"]?.doubleValue { expectClose(SocialMetrics.productivity(coins), p, "\(label)") }
      if let v = row["coin_eq_times_productivity(eq_w=0)"]?.doubleValue {
        expectClose(
          SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 0), v, tolerance: 1e-12, "\(label)")
      }
      if let v = row["inv_income_weighted_coin_endowments"]?.doubleValue {
        expectClose(SocialMetrics.inverseIncomeWeightedCoin(coins), v, tolerance: 1e-12, "\(label)")
      }
    }
  }

  /// The tiny equality values depend on Foundation's `1e-10` guard in the denominator.
  @Test func giniGuardTerm() {
    let gini = SocialMetrics.gini([0, 0, 0, 40])
    #expect(abs(gini - 0.9999999999996875) < 1e-15)
    #expect(abs(SocialMetrics.equality([0, 0, 0, 40]) - 3.1252778143198157e-13) < 1e-16)
  }

  @Test func metricsAtReset() throws {
    let env = try pinnedSeed7Environment()
    let fact = Facts.value("rewards", "reward_at_reset_metric_seed7")
    let expected = (0..<4).map { fact[String($0)]?.doubleValue ?? .nan } + [fact["p"]?.doubleValue ?? .nan]
    expectClose(env.scenario.currentMetric, expected, tolerance: 1e-12)
    expectClose(expected[0], 6.3486189007219345, tolerance: 1e-15)
  }

  /// First NO-OP step: agents 0 and 2 collect (1 labor each), so their reward is −0.21; the
  /// others and the planner get 0.
  @Test func firstNoopStepRewards() throws {
    var env = try pinnedSeed7Environment()
    env.step()
    let fact = Facts.value("rewards", "first_step_reward_noop_seed7")
    let expected = (0..<4).map { fact[String($0)]?.doubleValue ?? .nan } + [fact["p"]?.doubleValue ?? .nan]
    expectClose(env.rewards, expected, tolerance: 1e-12)
  }

  /// Rewards are metric differences, so over an episode they sum to the final metric minus the
  /// metric at reset.
  @Test func rewardsTelescope() throws {
    var env = try tutorialEnvironment(seed: 11)
    let initial = env.scenario.currentMetric
    var sums = [Double](repeating: 0, count: env.agentCount + 1)
    var policy = RandomActions(seed: 5)
    for _ in 0..<300 {
      policy.fill(&env)
      env.step()
      for i in sums.indices { sums[i] += env.rewards[i] }
    }
    for i in sums.indices {
      expectClose(sums[i], env.scenario.currentMetric[i] - initial[i], tolerance: 1e-9, "index \(i)")
    }
    let coins = (0..<env.agentCount).map { env.world.endowment($0, .coin) }
    expectClose(
      env.scenario.currentMetric[env.agentCount], SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 1))
    for a in 0..<env.agentCount {
      let u = SocialMetrics.isoelasticUtility(
        coin: coins[a], labor: env.world.labor[a], eta: 0.23, laborCoefficient: 0.21)
      expectClose(env.scenario.currentMetric[a], u)
    }
  }
}
