// exp, tanh and the logistic function, written so that LLVM vectorizes the loops over them.
//
// libm's tanhf and expf are scalar calls; in the networks' activation loops they cost more than
// the matrix products around them. These are branch-free float and integer arithmetic that
// inlines into the loops, which the loop vectorizer turns into AVX code. Swift does not contract
// a·b + c into a fused multiply-add, so vector lanes and the scalar remainder compute the same
// IEEE operations: a value never depends on where in an array, or in which thread's chunk, it
// sits, and results stay bit-identical across chunkings.

/// e^x: relative error below 3e-7 for x in [−87.3, 88.3]; 0 below, +inf above.
///
/// Range reduction x = n·ln 2 + r with |r| ≤ ln 2 / 2 (n rounded to nearest by adding and
/// subtracting 1.5·2²³; ln 2 split in two parts so r is exact to float precision), e^r by its
/// Taylor polynomial of degree 7 (truncation below 1e-8 relative), 2^n from the exponent bits.
@inline(__always)
package func fastExp(_ x: Float) -> Float {
  let clamped = x < -87.3 ? -87.3 : (x > 88.3 ? 88.3 : x)
  let shifted = clamped * 1.442_695_04 + 12_582_912
  let n = shifted - 12_582_912
  // ln 2 = 0.693359375 (exact in float) − 2.12194440e-4.
  let r = (clamped - n * 0.693_359_375) + n * 2.121_944_4e-4
  var p: Float = 1.0 / 5040
  p = p * r + 1.0 / 720
  p = p * r + 1.0 / 120
  p = p * r + 1.0 / 24
  p = p * r + 1.0 / 6
  p = p * r + 0.5
  p = p * r + 1
  p = p * r + 1
  // The low mantissa bits of `shifted` hold n; 2^n has exponent field n + 127.
  let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
  let result = p * scale
  return x < -87.3 ? 0 : (x > 88.3 ? .infinity : result)
}

/// tanh: absolute error below 3e-7, exactly ±1 beyond |x| ≈ 9, odd.
///
/// |x| < 0.25: the odd Taylor polynomial to x⁹ (truncation below 3e-9); elsewhere
/// sign(x) · (1 − 2 / (e^{2|x|} + 1)).
@inline(__always)
package func fastTanh(_ x: Float) -> Float {
  let a = x.magnitude
  let e = fastExp(2 * (a > 10 ? 10 : a))
  let large = Float(signOf: x, magnitudeOf: 1 - 2 / (e + 1))
  let t = x * x
  var p: Float = 62.0 / 2835
  p = p * t - 17.0 / 315
  p = p * t + 2.0 / 15
  p = p * t - 1.0 / 3
  let small = x + x * t * p
  return a < 0.25 ? small : large
}

/// The logistic function 1 / (1 + e^{−x}).
@inline(__always)
package func sigmoid(_ x: Float) -> Float {
  1 / (1 + fastExp(-x))
}

/// tanh of `count` floats in place.
package func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count { y[i] = fastTanh(y[i]) }
}

/// The logistic function of `count` floats in place.
package func sigmoidInPlace(_ y: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count { y[i] = sigmoid(y[i]) }
}
