import Foundation

/// How the cutoffs of a ``TaxBrackets`` schedule are placed.
///
/// The raw values are the spellings of Foundation's `bracket_spacing` parameter.
public enum BracketSpacing: String, Sendable, CaseIterable {
  /// The 2018 US federal single-filer cutoffs divided by `usdScaling`; always 7 brackets.
  case usFederal = "us-federal"
  /// `nBrackets` cutoffs evenly spaced from 0 to `topBracketCutoff` (numpy `linspace`).
  case linear
  /// 0, then `nBrackets - 1` cutoffs doubling up to `topBracketCutoff`.
  case log
}

/// The income brackets of a marginal income tax: cutoffs, sizes and the per-income tax math.
///
/// Bracket `i` covers incomes in `[cutoffs[i], cutoffs[i + 1])`; the last bracket is open to
/// infinity. A schedule of marginal `rates` has one rate per bracket, and the tax on an income
/// `z` is `Σ_i rates[i] · min(sizes[i], max(0, z − cutoffs[i]))`.
///
/// The arithmetic follows Foundation's `PeriodicBracketTax` (ai-economist 1.7.1) operation by
/// operation, including numpy's pairwise summation order, so results agree bit for bit.
///
/// Reference: S. Zheng et al., "The AI Economist: Improving Equality and Productivity with
/// AI-Driven Tax Policies", arXiv:2004.13332, 2020 (bracketed taxes with lump-sum
/// redistribution).
public struct TaxBrackets: Sendable, Equatable {
  /// The 2018 US federal single-filer bracket cutoffs in dollars.
  public static let usFederal2018CutoffsUSD: [Double] = [
    0, 9700, 39475, 84200, 160725, 204100, 510300,
  ]

  /// The 2018 US federal single-filer marginal rates, one per ``usFederal2018CutoffsUSD`` bracket.
  public static let usFederal2018Rates: [Double] = [0.10, 0.12, 0.22, 0.24, 0.32, 0.35, 0.37]

  /// The lower edge of each bracket, ascending; the first is always 0.
  public let cutoffs: [Double]

  /// The width of each bracket; the last is `.infinity`.
  public let sizes: [Double]

  /// Bracket labels used in action and metric names: `Int(cutoff)` zero-padded to 3 digits.
  ///
  /// These are Foundation's `"{:03d}".format(int(cutoff))`: `"000"`, `"009"`, `"039"`, …
  /// Labels repeat when cutoffs truncate to the same integer, as in Foundation (log spacing with
  /// 7 brackets up to 10 gives `"000"` three times), and log spacing's top cutoff can fall just
  /// below its nominal value (`"099"` for a top of 100).
  public let names: [String]

  /// The number of brackets.
  public var count: Int { cutoffs.count }

  /// The lower edge of the open-ended top bracket.
  public var topCutoff: Double { cutoffs[cutoffs.count - 1] }

  /// Creates the brackets Foundation builds from its spacing parameters.
  ///
  /// - Parameters:
  ///   - spacing: How to place the cutoffs.
  ///   - nBrackets: Number of brackets for `.linear` and `.log`; ignored by `.usFederal`.
  ///   - topBracketCutoff: Lower edge of the top bracket for `.linear` and `.log`; ignored by
  ///     `.usFederal`.
  ///   - usdScaling: Divisor of the dollar cutoffs for `.usFederal`.
  /// - Precondition: `nBrackets >= 2`, `topBracketCutoff >= 10` and `usdScaling > 0`, as
  ///   Foundation asserts. Configuration code validates these before calling.
  public init(
    spacing: BracketSpacing = .usFederal,
    nBrackets: Int = 5,
    topBracketCutoff: Double = 100,
    usdScaling: Double = 1000
  ) {
    precondition(nBrackets >= 2, "TaxBrackets needs nBrackets >= 2, got \(nBrackets)")
    precondition(topBracketCutoff >= 10, "TaxBrackets needs topBracketCutoff >= 10")
    precondition(usdScaling > 0, "TaxBrackets needs usdScaling > 0, got \(usdScaling)")
    switch spacing {
    case .usFederal:
      self.init(cutoffs: TaxBrackets.usFederal2018CutoffsUSD.map { $0 / usdScaling })
    case .linear:
      self.init(cutoffs: TaxArithmetic.linspace(0, topBracketCutoff, count: nBrackets))
    case .log:
      let bottom = topBracketCutoff / pow(2, Double(nBrackets - 2))
      let exponents = TaxArithmetic.linspace(
        log2(bottom), log2(topBracketCutoff), count: nBrackets - 1)
      self.init(cutoffs: [0] + exponents.map { pow(2, $0) })
    }
  }

  /// Creates brackets from explicit cutoffs.
  ///
  /// - Parameter cutoffs: Lower bracket edges, starting at 0 and non-decreasing.
  /// - Precondition: `cutoffs` is non-empty, starts at 0 and is non-decreasing.
  public init(cutoffs: [Double]) {
    precondition(cutoffs.first == 0, "TaxBrackets cutoffs must start at 0, got \(cutoffs)")
    precondition(
      zip(cutoffs, cutoffs.dropFirst()).allSatisfy { $0 <= $1 },
      "TaxBrackets cutoffs must be non-decreasing, got \(cutoffs)")
    self.cutoffs = cutoffs
    var sizes = zip(cutoffs.dropFirst(), cutoffs).map { $0 - $1 }
    sizes.append(.infinity)
    self.sizes = sizes
    self.names = cutoffs.map(TaxBrackets.label)
  }

  /// Foundation's `"{:03d}".format(int(cutoff))`.
  static func label(_ cutoff: Double) -> String {
    let digits =
      abs(cutoff) < 0x1p62
      ? String(Int(cutoff)) : String(format: "%.0f", cutoff.rounded(.towardZero))
    return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
  }

  // MARK: - Per-income math

  /// The total tax due on `income` under the marginal `rates`.
  ///
  /// Negative income owes nothing. This is Foundation's `taxes_due`.
  ///
  /// - Parameters:
  ///   - income: Income earned in the tax period.
  ///   - rates: One marginal rate per bracket.
  /// - Returns: `Σ_i rates[i] · min(sizes[i], max(0, income − cutoffs[i]))`, summed in numpy's
  ///   pairwise order.
  /// - Complexity: O(``count``), no allocation.
  public func taxesDue(income: Double, rates: [Double]) -> Double {
    precondition(rates.count == count, "taxesDue needs \(count) rates, got \(rates.count)")
    return cutoffs.withUnsafeBufferPointer { cut in
      sizes.withUnsafeBufferPointer { size in
        rates.withUnsafeBufferPointer { rate in
          TaxArithmetic.sum(count: cut.count) { i in
            rate[i] * TaxArithmetic.minimum(size[i], TaxArithmetic.maximum(0, income - cut[i]))
          }
        }
      }
    }
  }

  /// The marginal rate that applies to the next unit of `income`.
  ///
  /// - Parameters:
  ///   - income: Income earned so far in the tax period.
  ///   - rates: One marginal rate per bracket.
  /// - Returns: `rates[bracketIndex(income:)]`, or 0 when `income` is negative.
  /// - Complexity: O(``count``), no allocation.
  public func marginalRate(income: Double, rates: [Double]) -> Double {
    precondition(rates.count == count, "marginalRate needs \(count) rates, got \(rates.count)")
    if income < 0 { return 0 }
    return rates[bracketIndex(income: income)]
  }

  /// The index of the bracket containing `income` (Foundation's `income_bin`).
  ///
  /// Returns 0 for negative income and, as numpy's `argmax` of an all-false mask does, for
  /// incomes that fall in no bracket (`NaN`, `+infinity`).
  ///
  /// - Complexity: O(``count``), no allocation.
  public func bracketIndex(income: Double) -> Int {
    if income < 0 { return 0 }
    let n = cutoffs.count
    for i in 0..<n where income >= cutoffs[i] {
      let upper = i + 1 < n ? cutoffs[i + 1] : Double.infinity
      if income < upper { return i }
    }
    return 0
  }

  // MARK: - Discrete rate menu

  /// The planner's menu of rates: numpy's `arange(min, max + step, step)` keeping values `<= max`.
  ///
  /// numpy fills `arange` as `start + i · d` with `d = (start + step) − start`, so the values are
  /// not exact multiples of `step` (0.15000000000000002, 0.30000000000000004, …). They are
  /// reproduced bit for bit, including the case where the last value overshoots `max` and is
  /// dropped.
  ///
  /// - Parameters:
  ///   - min: The lowest rate (Foundation's `rate_min`).
  ///   - max: The highest rate (`rate_max`).
  ///   - step: The spacing (`rate_disc`), positive.
  /// - Returns: The ascending rates.
  public static func discreteRates(min: Double, max: Double, step: Double) -> [Double] {
    precondition(step > 0, "discreteRates needs a positive step, got \(step)")
    let span = ((max + step) - min) / step
    guard span.isFinite, span > 0 else { return [] }
    let length = Int(span.rounded(.up))
    var values = [Double]()
    values.reserveCapacity(length)
    values.append(min)
    if length > 1 {
      let second = min + step
      let delta = second - min
      values.append(second)
      for i in 2..<length { values.append(min + Double(i) * delta) }
    }
    return values.filter { $0 <= max }
  }
}

// MARK: - numpy-compatible arithmetic

/// The few numpy operations the tax math needs, with numpy's rounding and NaN behaviour.
///
/// Foundation computes its tax schedules with numpy; matching the order of floating-point
/// operations keeps our schedules identical to its, not merely close.
enum TaxArithmetic {
  /// `np.maximum`: the larger value, or NaN if either value is NaN.
  @inline(__always)
  static func maximum(_ a: Double, _ b: Double) -> Double {
    if a.isNaN { return a }
    if b.isNaN { return b }
    return a >= b ? a : b
  }

  /// `np.minimum`: the smaller value, or NaN if either value is NaN.
  @inline(__always)
  static func minimum(_ a: Double, _ b: Double) -> Double {
    if a.isNaN { return a }
    if b.isNaN { return b }
    return a <= b ? a : b
  }

  /// `np.clip(x, low, high)`, which is `minimum(maximum(x, low), high)`.
  @inline(__always)
  static func clip(_ x: Double, _ low: Double, _ high: Double) -> Double {
    minimum(maximum(x, low), high)
  }

  /// `np.sum` of `term(0) … term(count − 1)` in numpy's pairwise summation order.
  ///
  /// numpy adds fewer than 8 values left to right, up to 128 values with 8 interleaved
  /// accumulators, and larger blocks by splitting them at a multiple of 8 near the middle.
  ///
  /// - Complexity: O(count), no allocation.
  static func sum(count: Int, _ term: (Int) -> Double) -> Double {
    pairwise(from: 0, count: count, term)
  }

  private static func pairwise(from start: Int, count n: Int, _ term: (Int) -> Double) -> Double {
    if n < 8 {
      var total = 0.0
      for i in 0..<n { total += term(start + i) }
      return total
    }
    if n <= 128 {
      var r0 = term(start), r1 = term(start + 1), r2 = term(start + 2), r3 = term(start + 3)
      var r4 = term(start + 4), r5 = term(start + 5), r6 = term(start + 6), r7 = term(start + 7)
      var i = 8
      while i < n - n % 8 {
        r0 += term(start + i)
        r1 += term(start + i + 1)
        r2 += term(start + i + 2)
        r3 += term(start + i + 3)
        r4 += term(start + i + 4)
        r5 += term(start + i + 5)
        r6 += term(start + i + 6)
        r7 += term(start + i + 7)
        i += 8
      }
      var total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
      while i < n {
        total += term(start + i)
        i += 1
      }
      return total
    }
    var half = n / 2
    half -= half % 8
    return pairwise(from: start, count: half, term)
      + pairwise(from: start + half, count: n - half, term)
  }

  /// `np.sum` of an array.
  static func sum(_ values: [Double]) -> Double {
    values.withUnsafeBufferPointer { v in sum(count: v.count) { v[$0] } }
  }

  /// `np.linspace(start, stop, count)`: `start + k · step` with the last value set to `stop`.
  static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
    guard count > 0 else { return [] }
    let divisions = count - 1
    let delta = stop - start
    var values = [Double](repeating: 0, count: count)
    if divisions > 0 {
      let step = delta / Double(divisions)
      for k in 0..<count {
        values[k] =
          step == 0
          ? Double(k) / Double(divisions) * delta + start
          : Double(k) * step + start
      }
      values[count - 1] = stop
    } else {
      values[0] = 0 * delta + start
    }
    return values
  }
}
