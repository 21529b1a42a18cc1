/// The highest tax rate allowed after `completions` episodes of a tax-annealing curriculum.
///
/// After `warmup` completed episodes the visible fraction of the rate range grows by `slope` per
/// completion: the limit is `clip(slope · (completions − warmup), 0, 1) · maxRate`. A negative
/// warmup opens part of the range from the first episode. This is Foundation's
/// `annealed_tax_limit` (`components/utils.py`, ai-economist 1.7.1); the AI Economist's phase-2
/// configuration uses `tax_annealing_schedule: [-100, 0.001]`, which reaches the full range after
/// 900 completions.
///
/// Reference: S. Zheng et al., "The AI Economist: Improving Equality and Productivity with
/// AI-Driven Tax Policies", arXiv:2004.13332, 2020 (curriculum over planner tax rates).
///
/// - Parameters:
///   - completions: Finished episodes of this environment replica, `>= 0`.
///   - warmup: Completions before any non-zero rate is allowed (may be negative).
///   - slope: Fraction of the range unmasked per completion after the warmup.
///   - maxRate: The limit once annealing is complete.
/// - Returns: The current highest allowed rate.
public func annealedTaxLimit(
  completions: Int, warmup: Double, slope: Double, maxRate: Double
) -> Double {
  let visible = TaxArithmetic.maximum(
    0, TaxArithmetic.minimum(1, slope * (Double(completions) - warmup)))
  return visible * maxRate
}

/// The annealing mask rule: a rate is allowed iff `|rate| <= currentMax`, so 0 always is.
@inline(__always)
public func isTaxRateAllowed(_ rate: Double, currentMax: Double) -> Bool {
  abs(rate) <= currentMax
}

/// Flags the `rates` a planner may choose after `completions` episodes (`annealed_tax_mask`).
///
/// The full range is the largest `|rate|` in `rates` (not the component's `rate_max`), and the
/// limit is ``annealedTaxLimit(completions:warmup:slope:maxRate:)`` of that range. A value that
/// sits a rounding error above the limit stays masked: with schedule `[-100, 0.001]` the limit
/// after 50 completions is exactly 0.15, which excludes the menu's 0.15000000000000002.
///
/// - Returns: One flag per rate, `true` where the rate is allowed.
public func annealedTaxMask(
  completions: Int, warmup: Double, slope: Double, rates: [Double]
) -> [Bool] {
  let fullRange = rates.reduce(-Double.infinity) { TaxArithmetic.maximum($0, abs($1)) }
  let limit = annealedTaxLimit(
    completions: completions, warmup: warmup, slope: slope, maxRate: fullRange)
  return rates.map { isTaxRateAllowed($0, currentMax: limit) }
}

/// A tax-annealing curriculum, Foundation's `tax_annealing_schedule = [warmup, slope]`.
///
/// `completions` counts the finished episodes of one environment replica.
public struct TaxAnnealingSchedule: Sendable, Equatable {
  /// Completed episodes before any non-zero rate is allowed (may be negative).
  public var warmup: Double

  /// Fraction of the rate range unmasked per completed episode after the warmup.
  public var slope: Double

  /// Creates a schedule from Foundation's `[warmup, slope]` pair.
  public init(warmup: Double, slope: Double) {
    self.warmup = warmup
    self.slope = slope
  }

  /// The highest allowed rate after `completions` episodes when the full range ends at `maxRate`.
  ///
  /// This is the cap Foundation applies to non-planner tax models (`curr_rate_max`).
  public func limit(completions: Int, maxRate: Double) -> Double {
    annealedTaxLimit(completions: completions, warmup: warmup, slope: slope, maxRate: maxRate)
  }

  /// Which of `rates` the planner may choose after `completions` episodes.
  ///
  /// - Returns: One flag per rate, `true` where the rate is allowed; see
  ///   ``annealedTaxMask(completions:warmup:slope:rates:)``.
  public func mask(completions: Int, rates: [Double]) -> [Bool] {
    annealedTaxMask(completions: completions, warmup: warmup, slope: slope, rates: rates)
  }
}
