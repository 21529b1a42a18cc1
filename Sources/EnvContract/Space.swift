/// Element type of a ``Box`` space or a ``Tensor``.
public enum DType: String, Sendable, Equatable, CaseIterable {
  /// 32-bit float.
  case float32
  /// 64-bit float.
  case float64
  /// 16-bit signed integer.
  case int16
  /// 64-bit signed integer.
  case int64
}

/// A box of values with one shape, element type and bounds (Gymnasium's `Box`).
public struct Box: Sendable, Equatable {
  /// The shape; `[]` is a scalar.
  public let shape: [Int]
  /// The element type.
  public let dtype: DType
  /// Lower bound of every element.
  public let low: Double
  /// Upper bound of every element.
  public let high: Double

  /// Creates a box.
  ///
  /// - Precondition: dimensions are non-negative and `low <= high`.
  public init(shape: [Int], dtype: DType, low: Double, high: Double) {
    precondition(shape.allSatisfy { $0 >= 0 } && low <= high, "invalid Box(\(shape), \(low)...\(high))")
    self.shape = shape
    self.dtype = dtype
    self.low = low
    self.high = high
  }

  /// A box with the widest bounds of Foundation's RLlib wrapper: ±1e20, limited to what the
  /// element type can hold.
  public static func unbounded(_ shape: [Int], _ dtype: DType) -> Box {
    switch dtype {
    case .float32, .float64: return Box(shape: shape, dtype: dtype, low: -1e20, high: 1e20)
    case .int16: return Box(shape: shape, dtype: dtype, low: Double(Int16.min), high: Double(Int16.max))
    case .int64: return Box(shape: shape, dtype: dtype, low: -9.223372036854775e18, high: 9.223372036854775e18)
    }
  }

  /// Number of elements (1 for a scalar).
  public var count: Int { shape.reduce(1, *) }
}

/// An observation or action space: the Gymnasium spaces multi-agent learners use.
///
/// Spaces print as Gymnasium does (`Discrete(50)`, `MultiDiscrete([22 22])`,
/// `Box(-1e+20, 1e+20, (7, 11, 11), float32)`, `Dict('flat': Box(...), ...)`).
public indirect enum Space: Sendable, Equatable, CustomStringConvertible {
  /// Values in a ``Box``.
  case box(Box)
  /// One integer in `0..<n`.
  case discrete(Int)
  /// One integer per entry `i`, in `0..<nvec[i]`.
  case multiDiscrete([Int])
  /// Named subspaces in a fixed order.
  case dict(DictSpace)

  /// Number of values when flattened: a box's element count, 1 for `Discrete`, the number of
  /// entries of `MultiDiscrete`, the sum over a dict.
  public var flatCount: Int {
    switch self {
    case .box(let b): return b.count
    case .discrete: return 1
    case .multiDiscrete(let nvec): return nvec.count
    case .dict(let d): return d.entries.reduce(0) { $0 + $1.space.flatCount }
    }
  }

  /// The subspace under `key` of a dict space (nil for other spaces or unknown keys).
  public subscript(key: String) -> Space? {
    guard case .dict(let d) = self else { return nil }
    return d[key]
  }

  /// The keys of a dict space in order (empty for other spaces).
  public var keys: [String] {
    guard case .dict(let d) = self else { return [] }
    return d.entries.map(\.key)
  }

  /// Whether `action` lies in this space (only `Discrete` and `MultiDiscrete` hold actions).
  public func contains(_ action: Action) -> Bool {
    switch (self, action) {
    case (.discrete(let n), .discrete(let a)): return a >= 0 && a < n
    case (.multiDiscrete(let nvec), .multiDiscrete(let a)):
      return a.count == nvec.count && zip(a, nvec).allSatisfy { $0 >= 0 && $0 < $1 }
    default: return false
    }
  }

  /// Gymnasium's printed form.
  public var description: String {
    switch self {
    case .box(let b):
      let shape = b.shape.count == 1 ? "(\(b.shape[0]),)" : "(\(b.shape.map(String.init).joined(separator: ", ")))"
      return "Box(\(Space.number(b.low)), \(Space.number(b.high)), \(shape), \(b.dtype.rawValue))"
    case .discrete(let n): return "Discrete(\(n))"
    case .multiDiscrete(let nvec): return "MultiDiscrete([\(nvec.map(String.init).joined(separator: " "))])"
    case .dict(let d):
      return "Dict(\(d.entries.map { "'\($0.key)': \($0.space)" }.joined(separator: ", ")))"
    }
  }

  private static func number(_ v: Double) -> String {
    // Integral bounds print as integers; others as Swift (and numpy) print them, e.g. 1e+20.
    if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }
}

/// The subspaces of a ``Space/dict(_:)`` space, in order.
public struct DictSpace: Sendable, Equatable {
  /// One named subspace.
  public struct Entry: Sendable, Equatable {
    /// The key.
    public let key: String
    /// The subspace.
    public let space: Space
  }

  /// The subspaces in order.
  public let entries: [Entry]

  /// Creates a dict space from `(key, space)` pairs, keeping their order.
  ///
  /// - Precondition: keys are unique.
  public init(_ pairs: [(String, Space)]) {
    precondition(Set(pairs.map(\.0)).count == pairs.count, "duplicate keys in a Dict space")
    entries = pairs.map { Entry(key: $0.0, space: $0.1) }
  }

  /// The subspace under `key`.
  public subscript(key: String) -> Space? { entries.first { $0.key == key }?.space }
}
