import Foundation

/// The one-step economy solved by enumeration: each agent's best number of hours under a tax
/// schedule, the outcome when every agent answers that way, and the schedule from the planner's
/// menu that is best for such agents.
///
/// It is the reference a learned policy is measured against: agents that learned well work
/// close to ``bestHours(agent:rates:othersTax:)`` and a planner that learned well reaches a
/// welfare close to ``bestSchedule(startingFrom:)``'s.
///
/// The agents' problem: agent `i` of skill `w` chooses hours `h` in `0...100`, earns `z = w·h`,
/// pays the schedule's tax `T(z)` and receives the lump sum `(T(z) + S) / n`, where `S` is the
/// other agents' tax; it maximizes its utility of that coin and of `h` (the scenario's
/// `agent_reward_type`). Answers are found by enumerating the hours, and the lump sum by
/// iterating to a fixed point (with quasi-linear utility it does not move the answers).
///
/// The planner's welfare is the scenario's: with `inv_income_weighted_utility`, the utilities
/// weighted by `1 / max(z, 1)` of this episode's pre-tax incomes (the environment weighs by
/// the incomes accumulated over its episodes, which for a fixed schedule is proportional).
public struct OneStepTheory: Sendable {
  /// Each agent's skill (coin per hour).
  public let skills: [Double]
  /// The scenario's utility and welfare parameters.
  public let parameters: OneStepParameters
  /// The tax brackets.
  public let brackets: TaxBrackets
  /// The planner's menu of rates (Foundation's default, 0% to 100% by 5%, when the config's
  /// planner does not choose rates).
  public let menu: [Double]
  /// The most hours an agent can work.
  public let maxHours = SimpleLabor.hours

  /// What happens when every agent answers a schedule with its best hours.
  public struct Outcome: Sendable, Equatable {
    /// The marginal rate of each bracket.
    public var rates: [Double]
    /// Each agent's hours.
    public var hours: [Int]
    /// Each agent's pre-tax income.
    public var incomes: [Double]
    /// Each agent's tax.
    public var taxes: [Double]
    /// The lump sum each agent receives.
    public var lumpSum: Double
    /// Each agent's coin after taxes and the lump sum.
    public var coin: [Double]
    /// Each agent's utility.
    public var utilities: [Double]
    /// The planner's welfare.
    public var welfare: Double
    /// Total coin.
    public var productivity: Double { coin.reduce(0, +) }
    /// 1 − Gini of coin.
    public var equality: Double { SocialMetrics.equality(coin) }
  }

  /// The theory of `environment`'s one-step economy; nil unless it is one (with `SimpleLabor`
  /// and `PeriodicBracketTax`).
  public init?(environment: Environment) {
    guard environment.config.scenario == .oneStepEconomy, let labor = environment.component(SimpleLabor.self),
      let tax = environment.component(PeriodicBracketTax.self)
    else { return nil }
    skills = labor.skills
    parameters = environment.config.parameters.oneStep
    brackets = tax.brackets
    // A config whose planner does not choose rates (taxes disabled, a fixed schedule) has no
    // menu of its own: use Foundation's default one, 0% to 100% by 5%.
    menu =
      tax.discreteRates.count > 1 && !tax.disableTaxes
      ? tax.discreteRates : TaxBrackets.discreteRates(min: 0, max: 1, step: 0.05)
  }

  /// An agent's utility for `coin` and `hours` (the scenario's `agent_reward_type`).
  public func utility(coin: Double, hours: Double) -> Double {
    parameters.utility(coin: coin, labor: hours)
  }

  /// The hours that maximize agent `agent`'s utility under `rates`, when the other agents pay
  /// `othersTax` in total (the smallest such number of hours on ties).
  public func bestHours(agent: Int, rates: [Double], othersTax: Double) -> Int {
    let n = Double(skills.count)
    var best = 0
    var bestUtility = -Double.infinity
    for h in 0...maxHours {
      let z = skills[agent] * Double(h)
      let tax = brackets.taxesDue(income: z, rates: rates)
      let u = utility(coin: z - tax + (tax + othersTax) / n, hours: Double(h))
      if u > bestUtility + 1e-12 {
        best = h
        bestUtility = u
      }
    }
    return best
  }

  /// The outcome when every agent answers `rates` with its best hours.
  public func outcome(rates: [Double]) -> Outcome {
    let n = skills.count
    var hours = [Int](repeating: 0, count: n)
    var taxes = [Double](repeating: 0, count: n)
    for _ in 0..<50 {
      let total = taxes.reduce(0, +)
      let next = (0..<n).map { bestHours(agent: $0, rates: rates, othersTax: total - taxes[$0]) }
      let nextTaxes = (0..<n).map { brackets.taxesDue(income: skills[$0] * Double(next[$0]), rates: rates) }
      let settled = next == hours
      hours = next
      taxes = nextTaxes
      if settled { break }
    }
    let incomes = (0..<n).map { skills[$0] * Double(hours[$0]) }
    let lump = taxes.reduce(0, +) / Double(n)
    let coin = (0..<n).map { incomes[$0] - taxes[$0] + lump }
    let utilities = (0..<n).map { utility(coin: coin[$0], hours: Double(hours[$0])) }
    let welfare: Double
    switch parameters.plannerRewardType {
    case .coinEqTimesProductivity:
      welfare = SocialMetrics.coinEqualityTimesProductivity(coin, equalityWeight: 1 - parameters.mixingWeightGiniVsCoin)
    case .invIncomeWeightedUtility, .invIncomeWeightedCoinEndowments:
      welfare = SocialMetrics.inverseIncomeWeightedUtility(coin: incomes, utilities: utilities)
    }
    return Outcome(
      rates: rates, hours: hours, incomes: incomes, taxes: taxes, lumpSum: lump, coin: coin, utilities: utilities,
      welfare: welfare)
  }

  /// The schedule from the menu with the highest welfare for best-answering agents, found by
  /// coordinate ascent (each bracket's rate in turn set to its best menu value, until no change
  /// helps) from `starts` (default: no taxes, and every rate at 50%), keeping the best.
  ///
  /// - Complexity: O(sweeps × brackets × menu × agents × 101 × brackets).
  public func bestSchedule(startingFrom starts: [[Double]]? = nil) -> Outcome {
    let k = brackets.count
    let middle = menu[menu.count / 2]
    let origins = starts ?? [[Double](repeating: 0, count: k), [Double](repeating: middle, count: k)]
    var best: Outcome?
    for origin in origins {
      var current = outcome(rates: origin)
      for _ in 0..<20 {
        var improved = false
        for b in 0..<k {
          for rate in menu where rate != current.rates[b] {
            var trial = current.rates
            trial[b] = rate
            let candidate = outcome(rates: trial)
            if candidate.welfare > current.welfare + 1e-9 {
              current = candidate
              improved = true
            }
          }
        }
        if !improved { break }
      }
      if best.map({ current.welfare > $0.welfare }) ?? true { best = current }
    }
    return best ?? outcome(rates: [Double](repeating: 0, count: k))
  }
}

extension OneStepParameters {
  /// An agent's utility for `coin` and `labor` (hours): `coin − labor_cost · labor^labor_exponent`
  /// or the isoelastic utility of coin minus `labor_cost · labor`.
  public func utility(coin: Double, labor: Double) -> Double {
    switch agentRewardType {
    case .coinMinusLaborCost:
      return coin - pow(labor, laborExponent) * laborCost
    case .isoelasticCoinMinusLabor:
      return SocialMetrics.isoelasticUtility(
        coin: coin, labor: labor, eta: isoelasticEta, laborCoefficient: laborCost)
    }
  }
}
