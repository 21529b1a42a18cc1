// Named parameter tensors laid out in one flat slab per network.

/// How a parameter tensor starts.
public enum ParameterInit: Sendable, Equatable, Codable {
  /// All zeros.
  case zeros
  /// Every element `value`.
  case constant(Float)
  /// Uniform in [−limit, limit].
  case uniform(limit: Float)
  /// Glorot (Xavier) uniform: limit √(6 / (fanIn + fanOut)) (Glorot and Bengio 2010).
  case glorotUniform(fanIn: Int, fanOut: Int)
  /// RLlib's `normc_initializer`: normal columns rescaled to norm `std`.
  case normalizedColumns(std: Float)
  /// An orthogonal matrix times `gain` (Saxe et al. 2014), for recurrent kernels.
  case orthogonal(gain: Float)
  /// An LSTM bias of `hidden` × 4 gates: zeros, except ones for the forget gate (Keras'
  /// `unit_forget_bias`).
  case lstmBias(hidden: Int)
}

/// One named tensor inside a parameter slab.
public struct ParameterTensor: Sendable, Equatable {
  /// The name, such as `policy/dense_0/kernel`.
  public let name: String
  /// The shape, row-major.
  public let shape: [Int]
  /// The first element's index in the slab.
  public let offset: Int
  /// How it is initialized.
  public let initializer: ParameterInit
  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }
}

/// The tensors of one network and where each lives in its slab.
public struct ParameterLayout: Sendable, Equatable {
  /// The tensors in the order they were added.
  public private(set) var tensors: [ParameterTensor] = []
  /// The total number of floats.
  public private(set) var count = 0

  /// An empty layout.
  public init() {}

  /// Adds a tensor and returns its offset.
  ///
  /// - Precondition: the name is new and every dimension is positive.
  public mutating func add(_ name: String, shape: [Int], initializer: ParameterInit) -> Int {
    precondition(!tensors.contains { $0.name == name }, "parameter '\(name)' added twice")
    precondition(shape.allSatisfy { $0 > 0 }, "parameter '\(name)' has an empty dimension: \(shape)")
    let tensor = ParameterTensor(name: name, shape: shape, offset: count, initializer: initializer)
    tensors.append(tensor)
    count += tensor.count
    return tensor.offset
  }

  /// The tensor called `name`.
  public func tensor(_ name: String) -> ParameterTensor? { tensors.first { $0.name == name } }

  /// Fills `values` (a slab of ``count`` floats) with every tensor's initial values.
  public func initialize(_ values: FloatBuffer, rng: inout NNRandom) {
    precondition(values.count == count, "slab of \(values.count) floats for a layout of \(count)")
    for t in tensors {
      let p = values.pointer + t.offset
      let rows = t.shape.count > 1 ? t.shape.dropLast().reduce(1, *) : t.count
      let cols = t.shape.count > 1 ? t.shape[t.shape.count - 1] : 1
      switch t.initializer {
      case .zeros:
        p.update(repeating: 0, count: t.count)
      case .constant(let v):
        p.update(repeating: v, count: t.count)
      case .uniform(let limit):
        for i in 0..<t.count { p[i] = (rng.uniform() * 2 - 1) * limit }
      case .glorotUniform(let fanIn, let fanOut):
        let limit = (6 / Float(fanIn + fanOut)).squareRoot()
        for i in 0..<t.count { p[i] = (rng.uniform() * 2 - 1) * limit }
      case .normalizedColumns(let std):
        for i in 0..<t.count { p[i] = rng.normal() }
        for c in 0..<cols {
          var norm: Float = 0
          for r in 0..<rows { norm += p[r * cols + c] * p[r * cols + c] }
          let scale = std / max(norm.squareRoot(), 1e-12)
          for r in 0..<rows { p[r * cols + c] *= scale }
        }
      case .orthogonal(let gain):
        Self.orthogonal(p, rows: rows, cols: cols, gain: gain, rng: &rng)
      case .lstmBias(let hidden):
        p.update(repeating: 0, count: t.count)
        for i in hidden..<(2 * hidden) { p[i] = 1 }
      }
    }
  }

  /// Orthonormal rows or columns (whichever are fewer) by modified Gram–Schmidt on normals.
  private static func orthogonal(
    _ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int, gain: Float, rng: inout NNRandom
  ) {
    // Work on vectors of length `long`, `short` of them, then write them as rows or columns.
    let long = max(rows, cols)
    let short = min(rows, cols)
    var v = [Double](repeating: 0, count: short * long)
    for i in 0..<v.count { v[i] = Double(rng.normal()) }
    for i in 0..<short {
      for j in 0..<i {
        var dot = 0.0
        for k in 0..<long { dot += v[i * long + k] * v[j * long + k] }
        for k in 0..<long { v[i * long + k] -= dot * v[j * long + k] }
      }
      var norm = 0.0
      for k in 0..<long { norm += v[i * long + k] * v[i * long + k] }
      let scale = 1 / max(norm.squareRoot(), 1e-12)
      for k in 0..<long { v[i * long + k] *= scale }
    }
    for r in 0..<rows {
      for c in 0..<cols {
        // Vectors are columns when rows ≥ cols, rows otherwise.
        let value = rows >= cols ? v[c * long + r] : v[r * long + c]
        p[r * cols + c] = Float(value) * gain
      }
    }
  }
}
