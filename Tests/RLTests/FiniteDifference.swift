// Central differences for the RL gradient tests (a short copy of NNTests' GradientCheck).

import NN
import Testing

/// Step and tolerances of a finite-difference check; the forward math is `Float`.
struct FiniteDifference {
  var epsilon: Float = 5e-3
  var tolerance: Float = 2e-2
  var absoluteTolerance: Float = 5e-4

  /// `(loss(x + ε·eᵢ) − loss(x − ε·eᵢ)) / 2ε`.
  func derivative(of loss: ([Float]) -> Double, at x: [Float], index i: Int) -> Float {
    var plus = x
    var minus = x
    plus[i] += epsilon
    minus[i] -= epsilon
    return Float((loss(plus) - loss(minus)) / Double(2 * epsilon))
  }

  /// Expects `analytic` to match `numeric` within the relative and absolute tolerances.
  func expectClose(
    _ analytic: Float, _ numeric: Float, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let ok = abs(numeric - analytic) <= tolerance * max(abs(numeric), abs(analytic)) + absoluteTolerance
    #expect(ok, "\(label): analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
  }
}

/// `count` uniform values in [−scale, scale] from a fixed seed.
func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = NNRandom(seed: seed)
  return (0..<count).map { _ in (rng.uniform() * 2 - 1) * scale }
}
