import Basics
import Foundation

/// The state of the `saez` tax model: a buffer of observed incomes and an elasticity estimate.
///
/// Each period the model sets bracket rates from an adaptation of Saez's optimal marginal tax
/// formula, `τ(z) = (1 − G(z)) / (1 − G(z) + A(z) · e)`, where `G` is the average welfare weight
/// of incomes above `z`, `A` the local Pareto parameter of the income distribution and `e` the
/// elasticity of income with respect to the net-of-tax rate `1 − τ`. `G` and `A` are estimated
/// on 100 income bins over `[0, top cutoff]` plus an open top bin; the per-bin rates are then
/// averaged into the tax brackets.
///
/// Until the sample buffer holds ``minimumSamples`` entries the rates are drawn uniformly at
/// random. This mirrors Foundation's `PeriodicBracketTax` with `tax_model="saez"`
/// (ai-economist 1.7.1) numerically, quirks included; the static functions are its pure parts.
///
/// References: E. Saez, "Using Elasticities to Derive Optimal Income Tax Rates", Review of
/// Economic Studies 68(1), 2001 (NBER w7628); E. Saez, J. Slemrod and S. Giertz, "The
/// Elasticity of Taxable Income with Respect to Marginal Tax Rates", NBER w15012 (elasticity
/// by regression); S. Zheng et al., arXiv:2004.13332, 2020 (the Saez baseline).
public struct SaezEstimator: Sendable {
  /// One observed (income, marginal rate) pair of an agent at the end of a tax period.
  public struct Sample: Sendable, Equatable {
    /// The agent's income over the period.
    public var income: Double
    /// The marginal rate at that income.
    public var marginalRate: Double

    /// Creates a sample.
    public init(income: Double, marginalRate: Double) {
      self.income = income
      self.marginalRate = marginalRate
    }
  }

  /// How incomes are weighted in the social welfare function behind `G(z)`.
  public enum ParetoWeightType: String, Sendable, CaseIterable {
    /// Weight `1 / max(1, z)`: poorer agents count more (Foundation's default).
    case inverseIncome = "inverse_income"
    /// Weight 1 for everyone, which makes `G ≈ 1` and the formula's rates ≈ 0.
    case uniform
  }

  /// Capacity of the local buffer, and the sample count needed before the formula is used.
  public static let minimumSamples = 500
  /// Number of income bins between 0 and the top bracket cutoff.
  public static let estimationBinCount = 100
  /// Weight of the previous elasticity in its exponential moving average.
  public static let elasticityDiscount = 0.98
  /// Weight of the previous rates in ``runningAverageRates``.
  public static let runningAverageDiscount = 0.99
  /// Weight of the new rates in ``runningAverageRates`` (the literal 0.01, not `1 − 0.99`).
  public static let runningAverageUpdate = 0.01

  /// How incomes are weighted in `G(z)`.
  public let paretoWeightType: ParetoWeightType
  /// If set, used in the formula instead of the estimate (which is still tracked).
  public let fixedElasticity: Double?

  /// This replica's most recent samples, oldest first, at most ``minimumSamples``.
  public private(set) var localBuffer: [Sample] = []
  /// Samples gathered from all replicas by the training script; empty when not synced.
  public private(set) var globalBuffer: [Sample] = []
  /// Samples recorded since the last ``resetBuffers()``.
  ///
  /// Foundation calls this `_additions_this_episode`, but it is never reset per episode.
  public private(set) var additions = 0
  /// Whether the buffer has ever held enough samples to use the formula.
  public private(set) var hasReachedMinimumSamples = false

  /// The elasticity estimate before the latest update (Foundation's `elas_tm1`).
  public private(set) var previousElasticity = 0.5
  /// The latest smoothed elasticity estimate (Foundation's `elas_t`).
  public private(set) var elasticity = 0.5
  /// The intercept of the regression before the latest update (`log_z0_tm1`).
  public private(set) var previousLogZ0 = 0.0
  /// The latest regression intercept, `log z₀` (`log_z0_t`).
  public private(set) var logZ0 = 0.0
  /// Exponential moving average of the formula's bracket rates (0.99 old, 0.01 new).
  ///
  /// Foundation seeds each episode's rates with it. Random-phase rates do not enter it.
  public private(set) var runningAverageRates: [Double]

  /// The value Foundation reports as the `saez/estimated_elasticity` metric: `elas_tm1`, the
  /// estimate *before* the latest period's update.
  public var estimatedElasticity: Double { previousElasticity }

  /// Creates an estimator with an empty buffer and elasticity 0.5.
  ///
  /// - Parameters:
  ///   - bracketCount: Number of tax brackets, the length of ``runningAverageRates``; it must
  ///     equal the `count` of the brackets later passed to
  ///     ``nextRates(rateMin:rateMax:brackets:rng:)``. The default, 7, fits us-federal spacing.
  ///   - paretoWeightType: Welfare weights for `G(z)`.
  ///   - fixedElasticity: An elasticity to use instead of the estimate, `>= 0`.
  public init(
    bracketCount: Int = TaxBrackets.usFederal2018Rates.count,
    paretoWeightType: ParetoWeightType = .inverseIncome,
    fixedElasticity: Double? = nil
  ) {
    precondition(bracketCount > 0, "SaezEstimator needs at least one bracket")
    precondition(fixedElasticity.map { $0 >= 0 } ?? true, "fixedElasticity must be >= 0")
    self.paretoWeightType = paretoWeightType
    self.fixedElasticity = fixedElasticity
    self.runningAverageRates = [Double](repeating: 0, count: bracketCount)
  }

  // MARK: - Buffer

  /// The samples the formula uses (Foundation's `saez_buffer`).
  ///
  /// Without a global buffer this is ``localBuffer``. With one, it is the global buffer followed
  /// by the last ``additions`` local samples. Because ``additions`` is not cleared when the
  /// global buffer is set, local samples that are already in the global buffer can appear twice.
  public var samples: [Sample] {
    if globalBuffer.isEmpty { return localBuffer }
    if additions == 0 { return globalBuffer }
    return globalBuffer + localBuffer.suffix(additions)
  }

  /// Appends one period's (income, marginal rate) pairs, dropping the oldest beyond capacity.
  ///
  /// This is what Foundation's `_update_saez_buffer` does after each tax collection.
  ///
  /// - Parameters:
  ///   - incomes: Each agent's income over the period.
  ///   - marginalRates: Each agent's marginal rate at that income.
  public mutating func record(incomes: [Double], marginalRates: [Double]) {
    precondition(incomes.count == marginalRates.count, "record needs one rate per income")
    for (income, rate) in zip(incomes, marginalRates) {
      localBuffer.append(Sample(income: income, marginalRate: rate))
    }
    additions += incomes.count
    let excess = localBuffer.count - SaezEstimator.minimumSamples
    if excess > 0 { localBuffer.removeFirst(excess) }
  }

  /// Installs the concatenation of all replicas' local buffers (`set_global_saez_buffer`).
  ///
  /// - Precondition: `buffer` is at least as long as ``localBuffer``.
  public mutating func setGlobalBuffer(_ buffer: [Sample]) {
    precondition(buffer.count >= localBuffer.count, "global buffer shorter than local buffer")
    globalBuffer = buffer
  }

  /// Empties both buffers and returns to random rates (`reset_saez_buffers`).
  public mutating func resetBuffers() {
    localBuffer = []
    globalBuffer = []
    additions = 0
    hasReachedMinimumSamples = false
  }

  // MARK: - New period

  /// The bracket rates for a new tax period (`compute_and_set_new_period_rates_from_saez_formula`).
  ///
  /// Until the buffer has held ``minimumSamples`` samples, each rate is drawn uniformly from
  /// `[rateMin, rateMax)`. Afterwards the elasticity estimate is updated, the formula's per-bin
  /// rates are averaged into `brackets`, clipped to `[rateMin, rateMax]`, and folded into
  /// ``runningAverageRates``.
  ///
  /// - Parameters:
  ///   - rateMin: The lowest allowed rate.
  ///   - rateMax: The current highest allowed rate (after any annealing).
  ///   - brackets: The tax brackets; the estimation bins span `[0, brackets.topCutoff]`.
  ///   - rng: The source of random rates before enough samples exist.
  /// - Returns: One rate per bracket.
  public mutating func nextRates(
    rateMin: Double, rateMax: Double, brackets: TaxBrackets, rng: inout EconomyRNG
  ) -> [Double] {
    precondition(
      brackets.count == runningAverageRates.count,
      "SaezEstimator was created for \(runningAverageRates.count) brackets, got \(brackets.count)")
    let buffer = samples
    if !hasReachedMinimumSamples && buffer.count >= SaezEstimator.minimumSamples {
      hasReachedMinimumSamples = true
    }
    guard hasReachedMinimumSamples else {
      return (0..<brackets.count).map { _ in rng.uniform(rateMin, rateMax) }
    }
    let incomes = buffer.map(\.income)
    previousElasticity = elasticity
    previousLogZ0 = logZ0
    (elasticity, logZ0) = SaezEstimator.estimateElasticity(
      incomes: incomes, rates: buffer.map(\.marginalRate),
      previous: previousElasticity, previousLogZ0: previousLogZ0)

    let edges = SaezEstimator.binEdges(topCutoff: brackets.topCutoff)
    let (g, a) = SaezEstimator.binnedWelfareWeightsAndParetoParameters(
      incomes: incomes, binEdges: edges, weightType: paretoWeightType)
    let binRates = SaezEstimator.marginalRates(
      g: g, a: a, elasticity: fixedElasticity ?? elasticity)
    let rates = SaezEstimator.bracketize(
      binRates: binRates, binEdges: edges, binSizes: SaezEstimator.binSizes(edges: edges),
      brackets: brackets
    ).map { TaxArithmetic.clip($0, rateMin, rateMax) }

    let keep = SaezEstimator.runningAverageDiscount
    let update = SaezEstimator.runningAverageUpdate
    for i in rates.indices {
      runningAverageRates[i] = runningAverageRates[i] * keep + rates[i] * update
    }
    return rates
  }

  /// The edges of the estimation bins: `linspace(0, topCutoff, 101)`.
  public static func binEdges(topCutoff: Double) -> [Double] {
    TaxArithmetic.linspace(0, topCutoff, count: estimationBinCount + 1)
  }

  /// The bin widths for `edges`, followed by `.infinity` for the open top bin.
  public static func binSizes(edges: [Double]) -> [Double] {
    zip(edges.dropFirst(), edges).map { $0 - $1 } + [.infinity]
  }
}

// MARK: - Elasticity

extension SaezEstimator {
  /// Updates the elasticity estimate by regressing log income on the log net-of-tax rate.
  ///
  /// Samples with `income > 0` and `rate < 1` enter an ordinary least squares fit of
  /// `log z = e · log(1 − τ) + log z₀`. The new elasticity is the moving average
  /// `(1 − 0.98) · max(e, 0) + 0.98 · previous`; the intercept is returned unsmoothed. With fewer
  /// than 10 usable samples, or when their rates barely vary (population standard deviation
  /// below 1e-6), the previous values are returned unchanged. This is Foundation's
  /// `estimate_uniform_income_elasticity`, except that singular normal equations (where numpy's
  /// `linalg.inv` raises) also keep the previous values.
  ///
  /// - Parameters:
  ///   - incomes: Observed incomes.
  ///   - rates: The marginal rate of each income.
  ///   - previous: The previous elasticity (`elas_tm1`).
  ///   - previousLogZ0: The previous intercept (`log_z0_tm1`).
  /// - Returns: The smoothed elasticity and the regression intercept.
  public static func estimateElasticity(
    incomes: [Double], rates: [Double], previous: Double, previousLogZ0: Double
  ) -> (elasticity: Double, logZ0: Double) {
    precondition(incomes.count == rates.count, "estimateElasticity needs one rate per income")
    var zs: [Double] = []
    var taus: [Double] = []
    for (z, tau) in zip(incomes, rates) where z > 0 && tau < 1 {
      zs.append(z)
      taus.append(tau)
    }
    guard zs.count >= 10, !(populationStandardDeviation(taus) < 1e-6) else {
      return (previous, previousLogZ0)
    }
    let x = taus.map { log(TaxArithmetic.maximum(1 - $0, 1e-9)) }
    let y = zs.map { log(TaxArithmetic.maximum($0, 1e-9)) }
    let n = Double(x.count)
    let sx = TaxArithmetic.sum(x)
    let sy = TaxArithmetic.sum(y)
    let sxx = TaxArithmetic.sum(count: x.count) { x[$0] * x[$0] }
    let sxy = TaxArithmetic.sum(count: x.count) { x[$0] * y[$0] }
    // Normal equations [sxx sx; sx n] · [e; log z₀] = [sxy; sy], solved through the inverse.
    let determinant = sxx * n - sx * sx
    guard determinant != 0, determinant.isFinite else { return (previous, previousLogZ0) }
    let slope = (n * sxy - sx * sy) / determinant
    let intercept = (sxx * sy - sx * sxy) / determinant
    let discount = elasticityDiscount
    let smoothed = (1 - discount) * TaxArithmetic.maximum(slope, 0) + discount * previous
    return (smoothed, intercept)
  }

  /// `np.std` (population standard deviation) with numpy's summation order.
  static func populationStandardDeviation(_ values: [Double]) -> Double {
    let n = Double(values.count)
    let mean = TaxArithmetic.sum(values) / n
    let squares = TaxArithmetic.sum(count: values.count) { i in
      let d = values[i] - mean
      return d * d
    }
    return (squares / n).squareRoot()
  }
}

// MARK: - Binned G(z) and A(z)

extension SaezEstimator {
  /// Estimates the welfare weight `G(z)` and the Pareto parameter `A(z)` on income bins.
  ///
  /// Bins follow `np.histogram`: `[e_i, e_{i+1})`, the last closed. Incomes below `e_0` count in
  /// the population but in no bin; incomes above the last edge form the open top bin. Returned
  /// arrays have one entry per bin plus one for the top bin:
  /// - `g[i]` is the average normalized welfare weight of incomes at or above bin `i`, averaged
  ///   over the bin's two edges; the top entry is not averaged.
  /// - `a[i] = z_i · p_i / (P(z' ≥ z_i) + 1e-9) / width_i` with `z_i` the bin midpoint, or NaN
  ///   for an empty bin; the top entry is `mean / (mean − top edge + 1e-9)` over the incomes
  ///   above, or 0 when there are none.
  ///
  /// This is Foundation's `get_binned_saez_welfare_weight_and_pareto_params`, with its
  /// `+ 1e-9` guards.
  ///
  /// - Parameters:
  ///   - incomes: The observed incomes.
  ///   - binEdges: Ascending bin edges (Foundation uses ``binEdges(topCutoff:)``).
  ///   - weightType: The welfare weight of an income.
  /// - Returns: `g` and `a`, each of length `binEdges.count`.
  public static func binnedWelfareWeightsAndParetoParameters(
    incomes: [Double], binEdges: [Double], weightType: ParetoWeightType
  ) -> (g: [Double], a: [Double]) {
    let histogram = IncomeHistogram(incomes: incomes, edges: binEdges)
    let g = welfareWeights(histogram, edges: binEdges, weightType: weightType)
    let a = paretoParameters(histogram, edges: binEdges)
    return (g, a)
  }

  private static func welfareWeight(_ z: Double, _ type: ParetoWeightType) -> Double {
    switch type {
    case .inverseIncome: return 1.0 / TaxArithmetic.maximum(1, z)
    case .uniform: return 1
    }
  }

  private static func welfareWeights(
    _ h: IncomeHistogram, edges: [Double], weightType: ParetoWeightType
  ) -> [Double] {
    let bins = h.counts.count
    // Incomes below the first edge are weighted at max(z, 0), i.e. 1 each for both types.
    let weightBelow = Double(h.below)
    let weightAbove = TaxArithmetic.sum(count: h.above.count) {
      welfareWeight(h.above[$0], weightType)
    }
    var density = (0..<bins).map { i in
      Double(h.counts[i]) * welfareWeight(0.5 * (edges[i] + edges[i + 1]), weightType)
    }
    let total = TaxArithmetic.sum(density) + weightBelow + weightAbove
    density.append(weightAbove)
    let norm = total + 1e-9
    let weightAtOrAbove = reverseCumulativeSum(density.map { $0 / norm })
    let probabilityAtOrAbove = reverseCumulativeSum(h.probabilities)
    let average = (0...bins).map { weightAtOrAbove[$0] / (probabilityAtOrAbove[$0] + 1e-9) }
    return (0..<bins).map { 0.5 * (average[$0] + average[$0 + 1]) } + [average[bins]]
  }

  private static func paretoParameters(_ h: IncomeHistogram, edges: [Double]) -> [Double] {
    let bins = h.counts.count
    let p = h.probabilities
    let cumulative = h.cumulativeProbabilities
    var a = (0..<bins).map { i -> Double in
      if p[i] == 0 { return .nan }
      let atOrAbove = (1 - cumulative[i]) + 0.5 * p[i]
      let z = 0.5 * (edges[i] + edges[i + 1])
      return z * p[i] / (pythonClip(atOrAbove, 0, 1) + 1e-9) / (edges[i + 1] - edges[i])
    }
    if h.above.isEmpty {
      a.append(0)
    } else {
      let mean = TaxArithmetic.sum(h.above) / Double(h.above.count)
      a.append(mean / (mean - edges[bins] + 1e-9))
    }
    return a
  }

  /// `np.cumsum(x[::-1])[::-1]`: the sum of each element and everything after it.
  static func reverseCumulativeSum(_ x: [Double]) -> [Double] {
    var out = x
    var running = 0.0
    for i in stride(from: x.count - 1, through: 0, by: -1) {
      running = i == x.count - 1 ? x[i] : running + x[i]
      out[i] = running
    }
    return out
  }

  /// Foundation's scalar `clip`, built on Python's `max(lo, x)` then `min(x, hi)`; NaN gives `lo`.
  static func pythonClip(_ x: Double, _ low: Double, _ high: Double) -> Double {
    let raised = x > low ? x : low
    return high < raised ? high : raised
  }
}

/// Incomes sorted into estimation bins the way `np.histogram` does with explicit edges.
struct IncomeHistogram {
  /// Incomes per bin; bin `i` is `[edges[i], edges[i+1])`, the last bin is closed.
  var counts: [Int]
  /// Number of incomes below the first edge.
  var below: Int
  /// Incomes above the last edge, in input order.
  var above: [Double]

  init(incomes: [Double], edges: [Double]) {
    precondition(edges.count >= 2, "IncomeHistogram needs at least two edges")
    let bins = edges.count - 1
    counts = [Int](repeating: 0, count: bins)
    below = 0
    above = []
    let first = edges[0]
    let last = edges[bins]
    for z in incomes {
      if z < first {
        below += 1
      } else if z > last {
        above.append(z)
      } else if z == last {
        counts[bins - 1] += 1
      } else if z >= first {
        counts[IncomeHistogram.bin(of: z, edges: edges)] += 1
      }
    }
  }

  /// The index `i` with `edges[i] <= z < edges[i + 1]` (binary search for the last edge ≤ z).
  private static func bin(of z: Double, edges: [Double]) -> Int {
    var low = 0
    var high = edges.count - 1
    while high - low > 1 {
      let mid = (low + high) / 2
      if edges[mid] <= z { low = mid } else { high = mid }
    }
    return low
  }

  /// Total population: binned incomes plus those below and above.
  var total: Int { counts.reduce(0, +) + below + above.count }

  /// `pz`: the share of the population in each bin, then the share above the last edge.
  var probabilities: [Double] {
    let n = Double(total)
    return counts.map { Double($0) / n } + [Double(above.count) / n]
  }

  /// `cum_pz`: the share at or below each bin, including incomes below the first edge, clipped
  /// to `[0, 1]` after the first bin as Foundation does.
  var cumulativeProbabilities: [Double] {
    let p = probabilities
    var out = [Double](repeating: 0, count: p.count)
    out[0] = p[0] + Double(below) / Double(total)
    for i in 1..<p.count {
      out[i] = SaezEstimator.pythonClip(out[i - 1] + p[i], 0, 1.0)
    }
    return out
  }
}

// MARK: - Rates

extension SaezEstimator {
  /// Saez's marginal rate in each bin, `(1 − g) / (1 − g + a · e + 1e-9)`, with gaps filled.
  ///
  /// Bins whose rate is NaN (no incomes observed) are filled by linear interpolation
  /// (`np.linspace`) between the nearest real rates on either side. A gap at the start is
  /// interpolated from a rate of 0 at a virtual bin before the first; a gap at the end stays
  /// NaN. This is Foundation's `get_saez_marginal_rates` with `interpolate=True`.
  ///
  /// - Parameters:
  ///   - g: Average welfare weight above each bin.
  ///   - a: Pareto parameter of each bin.
  ///   - elasticity: Elasticity of income with respect to `1 − τ`.
  /// - Returns: One rate per bin.
  public static func marginalRates(g: [Double], a: [Double], elasticity: Double) -> [Double] {
    precondition(g.count == a.count, "marginalRates needs g and a of equal length")
    var taus = zip(g, a).map { g, a in (1.0 - g) / (1.0 - g + a * elasticity + 1e-9) }
    var lastRate = 0.0
    var lastIndex = -1
    for i in taus.indices where !taus[i].isNaN {
      let gap = i - lastIndex - 1
      if gap > 0 {
        let fill = TaxArithmetic.linspace(lastRate, taus[i], count: gap + 2)
        for k in 1...gap { taus[lastIndex + k] = fill[k] }
      }
      lastRate = taus[i]
      lastIndex = i
    }
    return taus
  }

  /// Averages per-bin marginal rates into bracket rates (Foundation's `bracketize_schedule`).
  ///
  /// For each bracket below the top, the rate is the tax the bin schedule levies between the
  /// bracket's edges divided by the bracket's width; the top bracket takes the top bin's rate.
  ///
  /// - Parameters:
  ///   - binRates: One rate per bin edge (the last is the open top bin's).
  ///   - binEdges: The lower edge of each bin.
  ///   - binSizes: The width of each bin; the last is `.infinity`.
  ///   - brackets: The tax brackets.
  /// - Returns: One rate per bracket, not clipped.
  public static func bracketize(
    binRates: [Double], binEdges: [Double], binSizes: [Double], brackets: TaxBrackets
  ) -> [Double] {
    precondition(
      binRates.count == binEdges.count && binSizes.count == binEdges.count,
      "bracketize needs one rate and one size per bin edge")
    var rates: [Double] = []
    rates.reserveCapacity(brackets.count)
    var taxBelow = 0.0
    for b in 0..<(brackets.count - 1) {
      let income = brackets.cutoffs[b + 1]
      let due = TaxArithmetic.maximum(
        0,
        TaxArithmetic.sum(count: binEdges.count) { k in
          binRates[k]
            * TaxArithmetic.minimum(binSizes[k], TaxArithmetic.maximum(0, income - binEdges[k]))
        })
      rates.append((due - taxBelow) / brackets.sizes[b])
      taxBelow = due
    }
    rates.append(binRates[binRates.count - 1])
    return rates
  }
}

// MARK: - Carry-over between episodes

extension SaezEstimator {
  /// Everything that changes as samples arrive, for checkpoints (the settings are the config's).
  public var carryOver: JSONValue {
    func doubles(_ values: [Double]) -> JSONValue { .array(values.map { .double($0) }) }
    return [
      "local_income": doubles(localBuffer.map(\.income)),
      "local_rate": doubles(localBuffer.map(\.marginalRate)),
      "global_income": doubles(globalBuffer.map(\.income)),
      "global_rate": doubles(globalBuffer.map(\.marginalRate)),
      "additions": .int(Int64(additions)),
      "reached_minimum_samples": .bool(hasReachedMinimumSamples),
      "elasticity": doubles([previousElasticity, elasticity]),
      "log_z0": doubles([previousLogZ0, logZ0]),
      "running_average_rates": doubles(runningAverageRates),
    ]
  }

  /// Restores what ``carryOver`` returned.
  ///
  /// - Throws: ``ResumeError`` naming the first entry that is missing or malformed.
  public mutating func restoreCarryOver(_ state: JSONValue) throws(ResumeError) {
    func doubles(_ key: String, count: Int? = nil) throws(ResumeError) -> [Double] {
      guard let array = state[key]?.arrayValue else { throw ResumeError("Saez estimator: '\(key)' is missing") }
      var out: [Double] = []
      for v in array {
        guard let d = v.doubleValue else { throw ResumeError("Saez estimator: '\(key)' holds a non-number \(v)") }
        out.append(d)
      }
      if let count, out.count != count {
        throw ResumeError("Saez estimator: '\(key)' has \(out.count) values, expected \(count)")
      }
      return out
    }
    let localIncome = try doubles("local_income")
    let localRate = try doubles("local_rate", count: localIncome.count)
    let globalIncome = try doubles("global_income")
    let globalRate = try doubles("global_rate", count: globalIncome.count)
    let elasticities = try doubles("elasticity", count: 2)
    let logZ0s = try doubles("log_z0", count: 2)
    let rates = try doubles("running_average_rates", count: runningAverageRates.count)
    guard let additions = state["additions"]?.intValue, (0...EpisodeProgress.largestCount).contains(additions) else {
      throw ResumeError("Saez estimator: 'additions' must be an integer in 0...\(EpisodeProgress.largestCount)")
    }
    guard let reached = state["reached_minimum_samples"]?.boolValue else {
      throw ResumeError("Saez estimator: 'reached_minimum_samples' must be true or false")
    }
    guard localIncome.count <= SaezEstimator.minimumSamples else {
      throw ResumeError(
        "Saez estimator: the local buffer holds \(localIncome.count) samples, at most \(SaezEstimator.minimumSamples)")
    }
    localBuffer = zip(localIncome, localRate).map { Sample(income: $0, marginalRate: $1) }
    globalBuffer = zip(globalIncome, globalRate).map { Sample(income: $0, marginalRate: $1) }
    self.additions = additions
    hasReachedMinimumSamples = reached
    (previousElasticity, elasticity) = (elasticities[0], elasticities[1])
    (previousLogZ0, logZ0) = (logZ0s[0], logZ0s[1])
    runningAverageRates = rates
  }
}
