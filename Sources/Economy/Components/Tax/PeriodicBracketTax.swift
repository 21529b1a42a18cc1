import Basics

/// How the bracket rates of ``PeriodicBracketTax`` are chosen.
public enum TaxModel: String, Sendable, CaseIterable {
  /// The planner chooses each bracket's rate from discretized rates at the start of a period.
  case modelWrapper = "model_wrapper"
  /// The 2018 US federal single-filer rates (needs us-federal bracket spacing).
  case usFederal = "us-federal-single-filer-2018-scaled"
  /// Fixed rates from `fixed_bracket_rates`.
  case fixedBracketRates = "fixed-bracket-rates"
  /// Rates from an adaptation of Saez's optimal-tax formula, re-estimated every period.
  case saez
}

/// A bracketed income tax, collected every period and redistributed as a lump sum.
///
/// Foundation's `PeriodicBracketTax` (shorthand `PeriodicTax`). Must be the last component.
///
/// - Rates are set on the first step of a period (from the planner's actions under
///   `model_wrapper`; NO-OP keeps a bracket's previous rate) and taxes are collected on the
///   last: income = coin endowment (inventory + escrow) − the endowment recorded after the
///   previous collection; tax = min(inventory coin, Σ rate_b · min(size_b, max(0, income −
///   cutoff_b))); the revenue is split equally among all agents.
/// - Planner actions (`model_wrapper`): one subspace per bracket, `TaxIndexBracket_<cutoff>`,
///   each with one action per discretized rate. Masks open only on the first step of a period,
///   limited by the annealing schedule when one is given.
/// - Reference for `saez`: E. Saez, "Using Elasticities to Derive Optimal Income Tax Rates",
///   Review of Economic Studies 68 (2001).
public struct PeriodicBracketTax: Component {
  /// The name configs use for this component.
  public static let name = "PeriodicBracketTax"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "PeriodicTax"
  /// The parameters a config may set.
  public static let parameterNames = [
    "disable_taxes", "tax_model", "period", "rate_min", "rate_max", "rate_disc", "n_brackets",
    "top_bracket_cutoff", "usd_scaling", "bracket_spacing", "fixed_bracket_rates", "pareto_weight_type",
    "saez_fixed_elas", "tax_annealing_schedule",
  ]
  /// Coin to tax and redistribute.
  public static let requiredEntities: [Entity] = [.coin]
  /// The most discretized rates the planner may choose from per bracket (`rate_disc` 0.001 on
  /// 0…1; Foundation's default 0.05 gives 21).
  public static let maximumRates = 1001

  /// Whether taxes are off (rates forced to 0, observations kept).
  public let disableTaxes: Bool
  /// How rates are chosen.
  public let taxModel: TaxModel
  /// Steps per tax period.
  public let period: Int
  /// Lowest rate.
  public let rateMin: Double
  /// Highest rate.
  public let rateMax: Double
  /// The brackets.
  public let brackets: TaxBrackets
  /// The planner's rate choices (`model_wrapper`).
  public let discreteRates: [Double]
  /// `[warmup, slope]` of the planner's rate annealing, if any.
  public let annealingSchedule: (warmup: Double, slope: Double)?
  let fixedRates: [Double]

  let agentCount: Int
  var actions: [ActionSubspace] = []
  let fields: Fields
  var saez: SaezEstimator

  // Period state.
  var rateIndices: [Int]
  var saezRates: [Double]
  var annealedRateMax: Double
  var cyclePosition = 1
  var lastCoin: [Double]
  var lastIncome: [Double]
  var lastMarginalRate: [Double]
  var lastIncomeObservation: [Double]
  var sortedLastIncomeObservation: [Double]
  var currentRatesObservation: [Double]
  var ratesScratch: [Double]
  var plannerMaskCompletions = -1
  var plannerMaskAllowed: [Bool] = []

  // Episode statistics.
  var scheduleSum: [Double]
  var scheduleCount = 0
  var occupancy: [Int]
  var totalCollected = 0.0
  var effectiveRateSum = 0.0
  var effectiveRateCount = 0
  var positiveIncomeSum: [Double]
  var taxPaidSum: [Double]
  var log: [JSONValue] = []

  struct Fields {
    var isTaxDay: ObservationField
    var isFirstDay: ObservationField
    var taxPhase: ObservationField
    var lastIncomes: ObservationField
    var currRates: ObservationField
    var marginalRate: ObservationField
    var plannerIsTaxDay: ObservationField
    var plannerIsFirstDay: ObservationField
    var plannerTaxPhase: ObservationField
    var plannerLastIncomes: ObservationField
    var plannerCurrRates: ObservationField
    var lastIncome: ObservationField
    var lastMarginalRate: ObservationField
    var currMarginalRate: ObservationField
  }

  /// Reads the parameters, then declares the planner's actions and the observations, then
  /// sizes the period state.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    let settings = Settings(reading: &params, setup: setup)
    disableTaxes = settings.disableTaxes
    taxModel = settings.taxModel
    period = settings.period
    rateMin = settings.rateMin
    rateMax = settings.rateMax
    brackets = settings.brackets
    discreteRates = settings.discreteRates
    annealingSchedule = settings.annealingSchedule
    fixedRates = settings.fixedRates
    saez = SaezEstimator(
      bracketCount: brackets.count, paretoWeightType: settings.paretoWeightType,
      fixedElasticity: settings.fixedElasticity)

    // Declarations: one planner subspace per bracket (model_wrapper), then the observations.
    let n = setup.agentCount
    let nb = brackets.count
    if settings.taxModel == .modelWrapper && !settings.disableTaxes {
      for name in settings.brackets.names {
        actions.append(setup.addPlannerActions("TaxIndexBracket_\(name)", count: settings.discreteRates.count))
      }
    }
    fields = Fields(
      isTaxDay: setup.addObservation("is_tax_day", owner: .mobile),
      isFirstDay: setup.addObservation("is_first_day", owner: .mobile),
      taxPhase: setup.addObservation("tax_phase", owner: .mobile),
      lastIncomes: setup.addObservation("last_incomes", size: n, scalar: false, owner: .mobile),
      currRates: setup.addObservation("curr_rates", size: nb, scalar: false, owner: .mobile),
      marginalRate: setup.addObservation("marginal_rate", owner: .mobile),
      plannerIsTaxDay: setup.addObservation("is_tax_day", owner: .planner),
      plannerIsFirstDay: setup.addObservation("is_first_day", owner: .planner),
      plannerTaxPhase: setup.addObservation("tax_phase", owner: .planner),
      plannerLastIncomes: setup.addObservation("last_incomes", size: n, scalar: false, owner: .planner),
      plannerCurrRates: setup.addObservation("curr_rates", size: nb, scalar: false, owner: .planner),
      lastIncome: setup.addObservation("last_income", owner: .plannerPerAgent),
      lastMarginalRate: setup.addObservation("last_marginal_rate", owner: .plannerPerAgent),
      currMarginalRate: setup.addObservation("curr_marginal_rate", owner: .plannerPerAgent))

    // Period state and episode statistics, sized once.
    agentCount = n
    rateIndices = [Int](repeating: 0, count: nb)
    saezRates = [Double](repeating: 0, count: nb)
    annealedRateMax = rateMax
    lastCoin = [Double](repeating: 0, count: n)
    lastIncome = lastCoin
    lastMarginalRate = lastCoin
    lastIncomeObservation = lastCoin
    sortedLastIncomeObservation = lastCoin
    currentRatesObservation = saezRates
    ratesScratch = saezRates
    scheduleSum = saezRates
    occupancy = [Int](repeating: 0, count: nb)
    positiveIncomeSum = lastCoin
    taxPaidSum = lastCoin
  }

  /// The marginal rate of each bracket now (Foundation's `curr_marginal_rates`).
  public func currentRate(_ bracket: Int) -> Double {
    switch taxModel {
    case .modelWrapper: return discreteRates.isEmpty ? 0 : discreteRates[rateIndices[bracket]]
    case .usFederal: return min(TaxBrackets.usFederal2018Rates[bracket], annealedRateMax)
    case .fixedBracketRates: return min(fixedRates[bracket], annealedRateMax)
    case .saez: return min(saezRates[bracket], annealedRateMax)
    }
  }

  /// All current bracket rates.
  public var currentRates: [Double] { (0..<brackets.count).map(currentRate) }

  /// The Saez estimator's state (its sample buffer can be synchronized across environments).
  public var saezEstimator: SaezEstimator {
    get { saez }
    set { saez = newValue }
  }

  /// Resets per-episode state (see ``Component``).
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for i in rateIndices.indices { rateIndices[i] = 0 }
    if taxModel == .saez { saezRates = saez.runningAverageRates }
    if let s = annealingSchedule {
      annealedRateMax = annealedTaxLimit(completions: completions, warmup: s.warmup, slope: s.slope, maxRate: rateMax)
    } else {
      annealedRateMax = rateMax
    }
    cyclePosition = 1
    for a in 0..<agentCount {
      lastCoin[a] = world.endowment(a, .coin)
      lastIncome[a] = 0
      lastMarginalRate[a] = 0
      lastIncomeObservation[a] = 0
      sortedLastIncomeObservation[a] = 0
      positiveIncomeSum[a] = 0
      taxPaidSum[a] = 0
    }
    for b in 0..<brackets.count {
      currentRatesObservation[b] = currentRate(b)
      scheduleSum[b] = 0
      occupancy[b] = 0
    }
    scheduleCount = 0
    totalCollected = 0
    effectiveRateSum = 0
    effectiveRateCount = 0
    plannerMaskCompletions = -1
    log.removeAll(keepingCapacity: true)
  }

  /// Applies this step's actions (see ``Component``).
  public mutating func step(world: inout World, actions reader: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    if cyclePosition == 1 {
      if taxModel == .modelWrapper && !disableTaxes {
        for (b, subspace) in actions.enumerated() {
          let a = reader.planner(subspace)
          if a > 0 && a <= discreteRates.count { rateIndices[b] = a - 1 }
        }
      }
      if taxModel == .saez {
        saezRates = saez.nextRates(rateMin: rateMin, rateMax: annealedRateMax, brackets: brackets, rng: &rng)
      }
      for b in 0..<brackets.count { currentRatesObservation[b] = currentRate(b) }
    }
    if cyclePosition >= period {
      enactTaxes(world: &world, logging: logging)
      cyclePosition = 0
    } else if logging && !disableTaxes {
      log.append(.array([]))
    }
    cyclePosition += 1
  }

  mutating func enactTaxes(world: inout World, logging: Bool) {
    for b in 0..<brackets.count { ratesScratch[b] = currentRate(b) }
    let rates = ratesScratch
    for b in 0..<brackets.count { scheduleSum[b] += rates[b] }
    scheduleCount += 1
    var revenue = 0.0
    var records: [(income: Double, paid: Double, marginal: Double, effective: Double)] = []
    for a in 0..<agentCount {
      let income = world.endowment(a, .coin) - lastCoin[a]
      let due = brackets.taxesDue(income: income, rates: rates)
      let paid = min(world.inventory(a, .coin), due)
      let marginal = brackets.marginalRate(income: income, rates: rates)
      let effective = paid / max(0.000001, income)
      world.addInventory(a, .coin, -paid)
      revenue += paid
      lastIncome[a] = income
      lastMarginalRate[a] = marginal
      effectiveRateSum += effective
      effectiveRateCount += 1
      occupancy[brackets.bracketIndex(income: income)] += 1
      positiveIncomeSum[a] += max(0, income)
      taxPaidSum[a] += paid
      if logging { records.append((income, paid, marginal, effective)) }
    }
    totalCollected += revenue
    let lumpSum = revenue / Double(agentCount)
    for a in 0..<agentCount {
      world.addInventory(a, .coin, lumpSum)
      lastCoin[a] = world.endowment(a, .coin)
      lastIncomeObservation[a] = lastIncome[a] / Double(period)
    }
    for a in 0..<agentCount { sortedLastIncomeObservation[a] = lastIncomeObservation[a] }
    sortedLastIncomeObservation.sort()
    if taxModel == .saez { saez.record(incomes: lastIncome, marginalRates: lastMarginalRate) }
    if logging && !disableTaxes {
      var entry: JSONObject = [
        "schedule": .array(rates.map(JSONValue.double)), "cutoffs": .array(brackets.cutoffs.map(JSONValue.double)),
      ]
      for (a, r) in records.enumerated() {
        entry.append(
          String(a),
          .object([
            "income": .double(r.income), "tax_paid": .double(r.paid), "marginal_rate": .double(r.marginal),
            "effective_rate": .double(r.effective), "lump_sum": .double(lumpSum),
          ]))
      }
      log.append(.object(entry))
    }
  }

  /// Writes this component's observation fields.
  public func writeObservations(world: World, into out: inout ObservationWriter) {
    let isTaxDay = cyclePosition >= period ? 1.0 : 0.0
    let isFirstDay = cyclePosition == 1 ? 1.0 : 0.0
    let phase = Double(cyclePosition) / Double(period)
    out.setPlanner(fields.plannerIsTaxDay, isTaxDay)
    out.setPlanner(fields.plannerIsFirstDay, isFirstDay)
    out.setPlanner(fields.plannerTaxPhase, phase)
    for a in 0..<agentCount { out.setPlanner(fields.plannerLastIncomes, element: a, sortedLastIncomeObservation[a]) }
    for b in 0..<brackets.count { out.setPlanner(fields.plannerCurrRates, element: b, currentRatesObservation[b]) }
    for a in 0..<agentCount {
      out.set(fields.isTaxDay, agent: a, isTaxDay)
      out.set(fields.isFirstDay, agent: a, isFirstDay)
      out.set(fields.taxPhase, agent: a, phase)
      for i in 0..<agentCount { out.set(fields.lastIncomes, agent: a, element: i, sortedLastIncomeObservation[i]) }
      for b in 0..<brackets.count { out.set(fields.currRates, agent: a, element: b, currentRatesObservation[b]) }
      let marginal = currentMarginalRate(income: world.endowment(a, .coin) - lastCoin[a])
      out.set(fields.marginalRate, agent: a, marginal)
      out.setPerAgent(fields.lastIncome, agent: a, lastIncomeObservation[a])
      out.setPerAgent(fields.lastMarginalRate, agent: a, lastMarginalRate[a])
      out.setPerAgent(fields.currMarginalRate, agent: a, marginal)
    }
  }

  func currentMarginalRate(income: Double) -> Double {
    if income < 0 { return 0 }
    return currentRate(brackets.bracketIndex(income: income))
  }

  /// Writes this component's action masks.
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    guard !actions.isEmpty else { return }
    if plannerMaskCompletions != completions {
      plannerMaskCompletions = completions
      let limit: Double
      if let s = annealingSchedule {
        limit = annealedTaxLimit(
          completions: completions, warmup: s.warmup, slope: s.slope, maxRate: discreteRates.max() ?? 0)
      } else {
        limit = .infinity
      }
      plannerMaskAllowed = discreteRates.map { abs($0) <= limit }
    }
    let open = cyclePosition == 1
    for subspace in actions {
      for k in discreteRates.indices { out.setPlanner(subspace, index: k, open && plannerMaskAllowed[k]) }
    }
  }

  /// Appends the episode metrics, keys without the shorthand prefix.
  public func metrics(world: World, into out: inout [(key: String, value: Double)]) {
    let observed = max(1, occupancy.reduce(0, +))
    for (b, name) in brackets.names.enumerated() {
      out.append(("avg_bracket_rate/\(name)", scheduleCount > 0 ? scheduleSum[b] / Double(scheduleCount) : .nan))
      out.append(("bracket_occupancy/\(name)", Double(occupancy[b]) / Double(observed)))
    }
    guard !disableTaxes else { return }
    out.append(
      ("avg_effective_tax_rate", effectiveRateCount > 0 ? effectiveRateSum / Double(effectiveRateCount) : .nan))
    out.append(("total_collected_taxes", totalCollected))
    var poor = 0
    var rich = 0
    for a in 0..<agentCount {
      if world.endowment(a, .coin) < world.endowment(poor, .coin) { poor = a }
      if world.endowment(a, .coin) > world.endowment(rich, .coin) { rich = a }
    }
    for (a, tag) in [(poor, "poorest"), (rich, "richest")] {
      out.append(("avg_tax_rate/\(tag)", taxPaidSum[a] / max(0.001, positiveIncomeSum[a])))
    }
    if taxModel == .saez { out.append(("saez/estimated_elasticity", saez.estimatedElasticity)) }
  }

  /// This episode's dense-log entries, one per step.
  public var denseLog: [JSONValue]? { disableTaxes ? nil : log }

  /// With the `saez` tax model: the estimator's samples and running estimates, which persist
  /// across episodes; nil otherwise.
  public func carryOver() -> JSONValue? { taxModel == .saez ? saez.carryOver : nil }

  /// Restores the Saez estimator.
  public mutating func restoreCarryOver(_ state: JSONValue) throws(ResumeError) {
    if taxModel != .saez && state == .null { return }
    guard taxModel == .saez else {
      throw ResumeError("the tax model is '\(taxModel.rawValue)', but the checkpoint has Saez estimator state")
    }
    try saez.restoreCarryOver(state)
  }
}

extension PeriodicBracketTax {
  /// The component's parameters, read and checked: every problem is reported on `params` with
  /// its key, and a problem's setting falls back to its default so that reading goes on.
  ///
  /// This is the parameter half of ``init(params:setup:world:)``; the other half declares what
  /// the settings imply (the planner's subspaces, the observations).
  struct Settings {
    var disableTaxes: Bool
    var taxModel: TaxModel
    var period: Int
    var rateMin: Double
    var rateMax: Double
    var brackets: TaxBrackets
    var discreteRates: [Double]
    var annealingSchedule: (warmup: Double, slope: Double)?
    var fixedRates: [Double]
    var paretoWeightType: SaezEstimator.ParetoWeightType
    var fixedElasticity: Double?

    /// Reads every parameter of `params`; `setup` tells the component's place in the list.
    init(reading params: inout ParameterReader, setup: ComponentSetup) {
      if let last = setup.allComponents.last, last != PeriodicBracketTax.name {
        params.report(nil, "PeriodicBracketTax must be the last component (found '\(last)' after it)")
      }
      disableTaxes = params.bool("disable_taxes", default: false)
      let model = params.choice("tax_model", default: "model_wrapper", from: TaxModel.allCases.map(\.rawValue))
      taxModel = TaxModel(rawValue: model) ?? .modelWrapper
      period = params.int("period", default: 100, range: 1...Int(Int32.max))
      let rmin = params.double("rate_min", default: 0, range: 0...1)
      let rmax = params.double("rate_max", default: 1, range: 0...1)
      if rmin > rmax { params.report("rate_min", "expected rate_min <= rate_max, found \(rmin) > \(rmax)") }
      rateMin = disableTaxes ? 0 : rmin
      rateMax = disableTaxes ? 0 : max(rmin, rmax)
      let disc = params.double("rate_disc", default: 0.05, range: 1e-9...1)
      let nBrackets = params.int("n_brackets", default: 5, range: 2...1000)
      let top = params.double("top_bracket_cutoff", default: 100, range: 10...Double.greatestFiniteMagnitude)
      let usd = params.double("usd_scaling", default: 1000, range: 1e-12...Double.greatestFiniteMagnitude)
      let spacingName = params.choice(
        "bracket_spacing", default: "us-federal", from: BracketSpacing.allCases.map(\.rawValue))
      let spacing = BracketSpacing(rawValue: spacingName) ?? .usFederal
      brackets = TaxBrackets(spacing: spacing, nBrackets: nBrackets, topBracketCutoff: top, usdScaling: usd)
      if taxModel == .usFederal && spacing != .usFederal {
        params.report(
          "bracket_spacing",
          "tax_model 'us-federal-single-filer-2018-scaled' needs bracket_spacing 'us-federal', found '\(spacingName)'")
      }
      let fixed = params.optionalDoubleList("fixed_bracket_rates")
      // Checked whenever given, used or not: a wrong list is a mistake waiting for tax_model.
      if let fixed {
        if fixed.count != brackets.count {
          params.report(
            "fixed_bracket_rates", "expected \(brackets.count) rates (one per bracket), found \(fixed.count)")
        } else if fixed.contains(where: { !($0 >= 0 && $0 <= 1) }) {
          params.report("fixed_bracket_rates", "expected rates in 0...1, found \(fixed)")
        }
      } else if taxModel == .fixedBracketRates {
        params.report(
          "fixed_bracket_rates",
          "tax_model 'fixed-bracket-rates' needs fixed_bracket_rates, a list of \(brackets.count) rates")
      }
      fixedRates = (fixed?.count == brackets.count) ? (fixed ?? []) : [Double](repeating: 0, count: brackets.count)
      let weightName = params.choice(
        "pareto_weight_type", default: "inverse_income", from: ["inverse_income", "uniform"])
      paretoWeightType = weightName == "uniform" ? .uniform : .inverseIncome
      fixedElasticity = params.optionalDouble("saez_fixed_elas", range: 0...Double.greatestFiniteMagnitude)
      if let schedule = params.optionalDoubleList("tax_annealing_schedule") {
        if schedule.count == 2 {
          annealingSchedule = (schedule[0], schedule[1])
        } else {
          params.report("tax_annealing_schedule", "expected [warmup, slope], found \(schedule.count) numbers")
          annealingSchedule = nil
        }
      } else {
        annealingSchedule = nil
      }
      // The planner picks one of these per bracket: at most maximumRates, so that its action
      // space (and the allocation behind it) stays small.
      let rateCount = ((rateMax - rateMin) / disc).rounded(.down) + 1
      if taxModel == .modelWrapper && !disableTaxes && rateCount > Double(PeriodicBracketTax.maximumRates) {
        params.report(
          "rate_disc",
          "expected rate_disc to give at most \(PeriodicBracketTax.maximumRates) rates in \(rateMin)...\(rateMax) (rate_disc >= \((rateMax - rateMin) / Double(PeriodicBracketTax.maximumRates - 1))), found \(disc) (\(Int(rateCount)) rates)"
        )
      }
      discreteRates =
        taxModel == .modelWrapper && rateCount <= Double(PeriodicBracketTax.maximumRates)
        ? TaxBrackets.discreteRates(min: rateMin, max: rateMax, step: disc) : []
      if taxModel == .modelWrapper && !disableTaxes && discreteRates.count < 2
        && rateCount <= Double(PeriodicBracketTax.maximumRates)
      {
        params.report(
          "rate_disc",
          "expected rate_disc to give at least 2 rates in \(rateMin)...\(rateMax), found \(discreteRates.count)")
      }
    }
  }
}
