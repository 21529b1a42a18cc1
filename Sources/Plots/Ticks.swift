// Axis ticks at "nice" values (1, 2 or 5 times a power of ten) and their labels.

import Foundation

/// Tick positions and labels for an axis.
public enum Ticks {
  /// The nice step (1, 2 or 5 × 10ᵏ) nearest above `raw`.
  public static func niceStep(_ raw: Double) -> Double {
    guard raw > 0 && raw.isFinite else { return 1 }
    let exponent = (log10(raw)).rounded(.down)
    let power = pow(10, exponent)
    let fraction = raw / power
    let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    return nice * power
  }

  /// About `target` ticks at multiples of a nice step inside `lo...hi`.
  ///
  /// A range too narrow for its magnitude to hold distinct multiples of a step (a few ulps
  /// wide), or too wide for a `Double` to span, gets the single tick `lo`.
  public static func values(lo: Double, hi: Double, target: Int = 5) -> [Double] {
    guard lo.isFinite && hi.isFinite && hi > lo else { return lo.isFinite ? [lo] : [] }
    let step = niceStep((hi - lo) / Double(max(1, target)))
    let largest = 0x1p52  // beyond it, k + 1 == k and every tick would be the same
    guard (hi - lo).isFinite, abs(lo / step) < largest, abs(hi / step) < largest else { return [lo] }
    var out: [Double] = []
    var k = (lo / step).rounded(.up)
    while k * step <= hi + step * 1e-9 && out.count < 100 {
      let v = k * step
      out.append(abs(v) < step * 1e-9 ? 0 : v)
      k += 1
    }
    return out
  }

  /// Labels for `ticks` (evenly spaced): as few decimals as the step needs, and `k`/`M`
  /// suffixes for large values (`250k`, `1.5M`).
  public static func labels(_ ticks: [Double]) -> [String] {
    guard let first = ticks.first else { return [] }
    let step = ticks.count > 1 ? abs(ticks[1] - first) : max(abs(first), 1)
    let largest = ticks.map(abs).max() ?? 0
    let (divisor, suffix): (Double, String) =
      largest >= 1e6 ? (1e6, "M") : largest >= 1e4 ? (1e3, "k") : (1, "")
    let scaled = step / divisor
    let decimals = scaled >= 1 || !(scaled > 0) || !scaled.isFinite ? 0 : min(6, Int((-log10(scaled)).rounded(.up)))
    return ticks.map { v in
      let text = String(format: "%.\(decimals)f", v / divisor)
      return (text == "-0" ? "0" : text) + (v == 0 ? "" : suffix)
    }
  }

  /// A value for a table or report: up to `decimals` decimals, trailing zeros dropped.
  public static func format(_ v: Double, decimals: Int = 2) -> String {
    guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
    var s = String(format: "%.\(decimals)f", v)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s == "-0" ? "0" : s
  }
}
