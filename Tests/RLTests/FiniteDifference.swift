// Central differences for the RL gradient tests (a short copy of NNTests' GradientCheck).

import NN
import Testing

/// Step and tolerances of a finite-difference check; the forward math is `Float`.
///
/// With `retryEpsilon` set, a coordinate that misses at `epsilon` is checked again at that
/// smaller step: a ReLU kink inside `[x − ε, x + ε]` spoils one central difference, while a wrong
/// gradient misses at both steps.
struct FiniteDifference {
  var epsilon: Float = 5e-3
  var retryEpsilon: Float?
  var tolerance: Float = 2e-2
  var absoluteTolerance: Float = 5e-4

  /// Expects `analytic` to match the central difference of `loss` in coordinate `i` of `x`.
  func expectDerivative(
    _ analytic: Float, of loss: ([Float]) -> Double, at x: [Float], index i: Int, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var numeric = derivative(of: loss, at: x, index: i, epsilon: epsilon)
    if !isClose(analytic, numeric), let retryEpsilon {
      numeric = derivative(of: loss, at: x, index: i, epsilon: retryEpsilon)
    }
    #expect(
      isClose(analytic, numeric), "\(label): analytic \(analytic) vs numeric \(numeric)",
      sourceLocation: sourceLocation)
  }

  private func isClose(_ analytic: Float, _ numeric: Float) -> Bool {
    abs(numeric - analytic) <= tolerance * max(abs(numeric), abs(analytic)) + absoluteTolerance
  }

  private func derivative(of loss: ([Float]) -> Double, at x: [Float], index i: Int, epsilon: Float) -> Float {
    var plus = x
    var minus = x
    plus[i] += epsilon
    minus[i] -= epsilon
    return Float((loss(plus) - loss(minus)) / Double(2 * epsilon))
  }
}

/// `count` uniform values in [−scale, scale] from a fixed seed.
func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = NNRandom(seed: seed)
  return (0..<count).map { _ in (rng.uniform() * 2 - 1) * scale }
}
