import Basics
import Testing

@testable import Economy

@Suite("Episode metrics have Foundation's keys and agree with the episode")
struct MetricsParityTests {
  /// One random tutorial episode with its dense log, shared by the tests below.
  static let episode: (env: Environment, summary: EpisodeSummary, log: DenseLog) = {
    do {
      var env = try Environment(config: tutorialConfig())
      let summary = EpisodeRunner.runRandomEpisode(&env, seed: 7, forceDenseLog: true)
      return (env, summary, summary.denseLog?.denseLog ?? DenseLog(unchecked: [:]))
    } catch {
      preconditionFailure("cannot build the tutorial environment: \(error)")
    }
  }()

  static func metric(_ key: String) -> Double { episode.summary.metric(key) ?? .nan }

  @Test func keysInFoundationOrder() {
    let expected = Facts.value("episode_metrics_keys").arrayValue?.compactMap(\.stringValue) ?? []
    #expect(expected.count == 119)
    #expect(Self.episode.summary.metrics.map(\.key) == expected)
  }

  @Test func scenarioMetricsMatchTheFinalState() {
    let world = Self.episode.env.world
    let coins = (0..<4).map { world.endowment($0, .coin) }
    expectClose(Self.metric("social/productivity"), coins.reduce(0, +))
    expectClose(Self.metric("social/equality"), SocialMetrics.equality(coins))
    expectClose(
      Self.metric("social_welfare/coin_eq_times_productivity"),
      SocialMetrics.coinEqualityTimesProductivity(coins, equalityWeight: 1))
    expectClose(
      Self.metric("social_welfare/inv_income_weighted_coin_endow"), SocialMetrics.inverseIncomeWeightedCoin(coins))
    var utilities: [Double] = []
    for a in 0..<4 {
      for r in Resource.allCases {
        expectClose(Self.metric("endow/\(a)/\(r.name)"), world.endowment(a, r), "\(a) \(r.name)")
      }
      expectClose(Self.metric("endogenous/\(a)/Labor"), world.labor[a])
      let u = SocialMetrics.isoelasticUtility(coin: coins[a], labor: world.labor[a], eta: 0.23, laborCoefficient: 0.21)
      expectClose(Self.metric("util/\(a)"), u)
      utilities.append(u)
    }
    expectClose(
      Self.metric("social_welfare/inv_income_weighted_utility"),
      SocialMetrics.inverseIncomeWeightedUtility(coin: coins, utilities: utilities))
    for r in Resource.allCases { expectClose(Self.metric("endow/p/\(r.name)"), 0) }
    expectClose(Self.metric("util/p"), Self.metric("social_welfare/coin_eq_times_productivity"))
    expectClose(Self.metric("labor/weighted_cost"), 0.21)
  }

  /// The warm-up integrator counts the steps whose mean agent reward was positive.
  @Test func warmupIntegratorCountsPositiveSteps() {
    let rewards = Self.episode.log.list("rewards")
    #expect(rewards.count == 1000)
    func meanAgentReward(_ r: JSONValue) -> Double {
      var sum = 0.0
      for a in 0..<4 { sum += r[String(a)]?.doubleValue ?? 0 }
      return sum / 4
    }
    let positive = rewards.filter { meanAgentReward($0) > 0 }.count
    expectClose(Self.metric("labor/warmup_integrator"), Double(positive))
  }

  @Test func buildMetricsMatchTheMapAndLog() {
    let world = Self.episode.env.world
    let houses = (0..<world.tileCount).filter { world.layers[MapLayer.house.rawValue * world.tileCount + $0] > 0 }.count
    expectClose(Self.metric("Build/total_builds"), Double(houses))
    let builds = Self.episode.log.list("Build").flatMap { $0.arrayValue ?? [] }
    #expect(builds.count == houses)
    for a in 0..<4 {
      let mine = builds.filter { $0["builder"]?.intValue == a }.count
      expectClose(Self.metric("Build/\(a)/n_builds"), Double(mine), "agent \(a)")
    }
  }

  @Test func tradeMetricsMatchTheLog() {
    let trades = Self.episode.log.list("Trade").flatMap { $0.arrayValue ?? [] }
    expectClose(Self.metric("Trade/n_trades"), Double(trades.count))
    #expect(trades.count > 0)
    for a in 0..<4 {
      for commodity in ["Stone", "Wood"] {
        for (side, role) in [("Sell", "seller"), ("Buy", "buyer")] {
          let mine = trades.filter { $0[role]?.intValue == a && $0["commodity"]?.stringValue == commodity }
          let base = "Trade/\(a)/\(side)\(commodity)"
          expectClose(Self.metric("\(base)/n_sales"), Double(mine.count), base)
          let mean =
            mine.isEmpty ? Double.nan : mine.compactMap { $0["price"]?.doubleValue }.reduce(0, +) / Double(mine.count)
          for key in ["price", "cost", "income"] { expectClose(Self.metric("\(base)/\(key)"), mean, "\(base)/\(key)") }
        }
      }
    }
  }

  @Test func taxMetricsMatchTheLog() {
    let records = Self.episode.log.list("PeriodicTax").filter { $0.objectValue != nil }
    #expect(records.count == 10)
    let paid = records.flatMap { r in (0..<4).map { r[String($0)]?["tax_paid"]?.doubleValue ?? .nan } }
    expectClose(Self.metric("PeriodicTax/total_collected_taxes"), paid.reduce(0, +))
    let effective = records.flatMap { r in (0..<4).map { r[String($0)]?["effective_rate"]?.doubleValue ?? .nan } }
    expectClose(Self.metric("PeriodicTax/avg_effective_tax_rate"), effective.reduce(0, +) / Double(effective.count))
    let brackets = TaxBrackets()
    var occupancy = [Double](repeating: 0, count: 7)
    for r in records {
      for a in 0..<4 { occupancy[brackets.bracketIndex(income: r[String(a)]?["income"]?.doubleValue ?? .nan)] += 1 }
    }
    for (b, name) in brackets.names.enumerated() {
      let rates = records.map { jsonNumbers($0["schedule"])[b] }
      expectClose(Self.metric("PeriodicTax/avg_bracket_rate/\(name)"), rates.reduce(0, +) / Double(rates.count), name)
      expectClose(Self.metric("PeriodicTax/bracket_occupancy/\(name)"), occupancy[b] / 40, name)
    }
    // Poorest and richest: total tax over total positive income, across the episode.
    let world = Self.episode.env.world
    let coins = (0..<4).map { world.endowment($0, .coin) }
    for (tag, a) in [
      ("poorest", coins.indices.min { coins[$0] < coins[$1] } ?? 0),
      ("richest", coins.indices.max { coins[$0] < coins[$1] } ?? 0),
    ] {
      let income = records.map { max(0, $0[String(a)]?["income"]?.doubleValue ?? 0) }.reduce(0, +)
      let tax = records.map { $0[String(a)]?["tax_paid"]?.doubleValue ?? 0 }.reduce(0, +)
      expectClose(Self.metric("PeriodicTax/avg_tax_rate/\(tag)"), tax / max(0.001, income), tag)
    }
  }

  /// Every trade and collection in the log balances: coin is created only by builds.
  @Test func coinIsCreatedOnlyByBuilds() {
    let builds = Self.episode.log.list("Build").flatMap { $0.arrayValue ?? [] }
    let income = builds.compactMap { $0["income"]?.doubleValue }.reduce(0, +)
    expectClose(Self.metric("social/productivity"), 40 + income)
  }
}
