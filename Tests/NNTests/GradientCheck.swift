// Finite-difference gradient checks shared by the layer tests.

import Testing

@testable import NN

/// Checks analytic gradients of `L = Σ wᵢ · yᵢ` against central differences.
///
/// `forward(params, input)` returns y; `backward(params, input, dy)` returns the gradients of
/// the parameters (accumulated from zero) and of the input (nil if the layer gives none).
/// Up to `samples` coordinates of each are checked, chosen with a fixed seed.
struct GradientCheck {
  var params: [Float]
  var input: [Float]
  var epsilon: Float = 5e-3
  var tolerance: Float = 2e-2
  var absoluteTolerance: Float = 5e-4
  var samples = 40
  var skipInput = false

  func run(
    forward: ([Float], [Float]) -> [Float],
    backward: ([Float], [Float], [Float]) -> (params: [Float], input: [Float]?),
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var rng = NNRandom(seed: 99)
    let y = forward(params, input)
    let weights = (0..<y.count).map { _ in rng.uniform() * 2 - 1 }
    func loss(_ p: [Float], _ x: [Float]) -> Double {
      zip(forward(p, x), weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let (gp, gx) = backward(params, input, weights)
    #expect(gp.count == params.count, sourceLocation: sourceLocation)
    for i in pick(params.count, &rng) {
      var plus = params
      var minus = params
      plus[i] += epsilon
      minus[i] -= epsilon
      let numeric = Float((loss(plus, input) - loss(minus, input)) / Double(2 * epsilon))
      let ok = abs(numeric - gp[i]) <= tolerance * max(abs(numeric), abs(gp[i])) + absoluteTolerance
      #expect(ok, "parameter \(i): analytic \(gp[i]) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
    guard !skipInput, let gx else { return }
    for i in pick(input.count, &rng) {
      var plus = input
      var minus = input
      plus[i] += epsilon
      minus[i] -= epsilon
      let numeric = Float((loss(params, plus) - loss(params, minus)) / Double(2 * epsilon))
      let ok = abs(numeric - gx[i]) <= tolerance * max(abs(numeric), abs(gx[i])) + absoluteTolerance
      #expect(ok, "input \(i): analytic \(gx[i]) vs numeric \(numeric)", sourceLocation: sourceLocation)
    }
  }

  private func pick(_ n: Int, _ rng: inout NNRandom) -> [Int] {
    if n <= samples { return Array(0..<n) }
    return (0..<samples).map { _ in Int(rng.next() % UInt64(n)) }
  }
}

/// `count` uniform values in [−scale, scale] from a fixed seed.
func randomValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = NNRandom(seed: seed)
  return (0..<count).map { _ in (rng.uniform() * 2 - 1) * scale }
}

/// Runs `body` with raw pointers to copies of `a` and `b`.
func withPointers<R>(
  _ a: [Float], _ b: [Float], _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R
) -> R {
  // One spare element each, so empty inputs still have an address.
  let pa = UnsafeMutablePointer<Float>.allocate(capacity: a.count + 1)
  let pb = UnsafeMutablePointer<Float>.allocate(capacity: b.count + 1)
  defer {
    pa.deallocate()
    pb.deallocate()
  }
  for (i, v) in a.enumerated() { pa[i] = v }
  for (i, v) in b.enumerated() { pb[i] = v }
  return body(pa, pb)
}
