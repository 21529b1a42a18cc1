// Element-wise activations, applied in place.

/// An element-wise activation applied in place after a layer.
public enum Activation: String, Sendable, Equatable, Codable, CaseIterable {
  /// max(0, x).
  case relu
  /// tanh(x).
  case tanh
  /// The identity.
  case linear

  /// Applies the activation to `count` floats in place.
  @inline(__always)
  package func forward(_ y: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .relu:
      for i in 0..<count where y[i] < 0 { y[i] = 0 }
    case .tanh:
      tanhInPlace(y, count: count)
    case .linear:
      break
    }
  }

  /// Multiplies `dy` in place by the derivative, given the activation's output `y`.
  @inline(__always)
  package func backward(y: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .relu:
      for i in 0..<count where y[i] <= 0 { dy[i] = 0 }
    case .tanh:
      for i in 0..<count { dy[i] *= 1 - y[i] * y[i] }
    case .linear:
      break
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
