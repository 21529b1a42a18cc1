// The vectorized exp, tanh and logistic function against libm, and their tail handling.

import Foundation
import Testing

@testable import NN

@Suite("Vector math")
struct VectorMathTests {
  /// Points from −range to range, plus values near the branch points and the extremes.
  func sweep(_ range: Double, count: Int = 20_001) -> [Float] {
    var xs = (0..<count).map { Float(-range + 2 * range * Double($0) / Double(count - 1)) }
    xs += [0, -0, 0.25, -0.25, 0.2499999, 1e-8, -1e-8, 9, -9, 30, -30]
    return xs
  }

  @Test func expRelativeErrorAgainstLibm() {
    var worst = 0.0
    for x in sweep(87) {
      let exact = Foundation.exp(Double(x))
      worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
    }
    #expect(worst < 3e-7, "worst relative error \(worst)")
    #expect(fastExp(-100) == 0)
    #expect(fastExp(100) == .infinity)
    #expect(fastExp(0) == 1)
  }

  @Test func tanhAbsoluteErrorAgainstLibm() {
    var worst = 0.0
    for x in sweep(12) {
      worst = max(worst, abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
      #expect(fastTanh(x) == -fastTanh(-x), "tanh is odd at \(x)")
    }
    #expect(worst < 3e-7, "worst absolute error \(worst)")
    #expect(fastTanh(1e-20) == 1e-20)
    #expect(fastTanh(50) == 1 && fastTanh(-50) == -1)
  }

  @Test func sigmoidAgainstLibm() {
    var worst = 0.0
    for x in sweep(40) {
      worst = max(worst, abs(Double(sigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
    }
    #expect(worst < 3e-7, "worst absolute error \(worst)")
  }

  /// A value does not depend on its position: vectorized lanes and the scalar remainder agree.
  @Test func tailEqualsVectorLanes() {
    let xs: [Float] = (0..<37).map { Float($0) * 0.37 - 2.1 }
    var y = xs
    y.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: 37) }
    #expect(y == xs.map(fastTanh))
    var shifted = [Float(0)] + xs
    shifted.withUnsafeMutableBufferPointer { tanhInPlace($0.baseAddress!, count: 38) }
    #expect(Array(shifted.dropFirst()) == y)
  }
}
