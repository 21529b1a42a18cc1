import Foundation

/// Utility and social-welfare functions of the wood-and-stone scenarios (Foundation's
/// `rewards.py` and `social_metrics.py`).
///
/// All functions take coin endowments (inventory + escrow) and are pure.
public enum SocialMetrics {
  /// Isoelastic utility of coin minus the cost of labor:
  /// `(c^(1−η) − 1) / (1 − η) − κ · L`.
  ///
  /// Deliberate difference: at `η = 1` Foundation calls `np.max(1, c)` (a bug that does not
  /// compute `max(1, c)`); here the utility is `log(max(1, c)) − κ · L`.
  public static func isoelasticUtility(coin: Double, labor: Double, eta: Double, laborCoefficient: Double) -> Double {
    let u: Double
    if eta == 1 {
      u = log(max(1, coin))
    } else {
      u = (pow(coin, 1 - eta) - 1) / (1 - eta)
    }
    return u - labor * laborCoefficient
  }

  /// The Gini coefficient.
  ///
  /// For fewer than 30 agents, the exact pairwise formula rescaled by
  /// `n / (n − 1)`; otherwise Foundation's sorted cumulative-sum approximation.
  ///
  /// - Complexity: O(n²) below 30 agents, O(n log n) above.
  public static func gini(_ x: [Double]) -> Double {
    var copy = x
    return copy.withUnsafeMutableBufferPointer { gini(reordering: $0) }
  }

  /// The Gini coefficient of the values in `x`, which it may reorder (sorts them from 30
  /// values on); no allocation.
  static func gini(reordering values: UnsafeMutableBufferPointer<Double>) -> Double {
    var x = values
    let n = x.count
    guard n > 1 else { return 0 }
    let total = x.reduce(0, +)
    if n < 30 {
      var diff = 0.0
      for i in 0..<n {
        for j in 0..<n { diff += abs(x[i] - x[j]) }
      }
      let unscaled = diff / (2 * Double(n) * total + 1e-10)
      return unscaled / (Double(n - 1) / Double(n))
    }
    x.sort()
    var cumulative = 0.0
    var sum = 0.0
    for v in x {
      cumulative += v
      sum += cumulative / (total + 1e-10)
    }
    return 1 - (2 / Double(n + 1)) * sum
  }

  /// Equality: `1 − gini`.
  public static func equality(_ x: [Double]) -> Double { 1 - gini(x) }

  /// Productivity: the sum of coin endowments.
  public static func productivity(_ x: [Double]) -> Double { x.reduce(0, +) }

  /// `(w · equality + (1 − w)) · productivity / n`.
  public static func coinEqualityTimesProductivity(_ x: [Double], equalityWeight w: Double) -> Double {
    guard !x.isEmpty else { return 0 }
    return (w * equality(x) + (1 - w)) * productivity(x) / Double(x.count)
  }

  /// Σ cᵢ·ωᵢ with ωᵢ ∝ 1 / max(cᵢ, 1), normalized.
  public static func inverseIncomeWeightedCoin(_ x: [Double]) -> Double {
    inverseIncomeWeighted(values: x, coin: x)
  }

  /// Σ uᵢ·ωᵢ with ωᵢ ∝ 1 / max(cᵢ, 1), normalized.
  public static func inverseIncomeWeightedUtility(coin: [Double], utilities: [Double]) -> Double {
    inverseIncomeWeighted(values: utilities, coin: coin)
  }

  static func inverseIncomeWeighted(values: [Double], coin: [Double]) -> Double {
    var norm = 0.0
    for c in coin { norm += 1 / max(c, 1) }
    var s = 0.0
    for i in coin.indices { s += values[i] * ((1 / max(coin[i], 1)) / norm) }
    return s
  }
}
