/// A dense array with a shape and an element type: one value of an observation.
public struct Tensor: Sendable, Equatable {
  /// Typed element storage, row-major.
  public enum Storage: Sendable, Equatable {
    /// 32-bit floats.
    case float32([Float])
    /// 64-bit floats.
    case float64([Double])
    /// 16-bit integers.
    case int16([Int16])
    /// 64-bit integers.
    case int64([Int64])
  }

  /// The shape; `[]` is a scalar.
  public let shape: [Int]
  /// The elements.
  public let storage: Storage

  /// Creates a tensor.
  ///
  /// - Precondition: the element count matches the shape.
  public init(shape: [Int], storage: Storage) {
    self.shape = shape
    self.storage = storage
    precondition(count == shape.reduce(1, *), "tensor of shape \(shape) with \(count) elements")
  }

  /// The element type.
  public var dtype: DType {
    switch storage {
    case .float32: return .float32
    case .float64: return .float64
    case .int16: return .int16
    case .int64: return .int64
    }
  }

  /// Number of elements.
  public var count: Int {
    switch storage {
    case .float32(let v): return v.count
    case .float64(let v): return v.count
    case .int16(let v): return v.count
    case .int64(let v): return v.count
    }
  }

  /// The elements as `Double`, row-major (exact for every element type used here).
  public var doubles: [Double] {
    switch storage {
    case .float32(let v): return v.map(Double.init)
    case .float64(let v): return v
    case .int16(let v): return v.map(Double.init)
    case .int64(let v): return v.map(Double.init)
    }
  }
}

/// One agent's observation: named values in a fixed order, as a Gymnasium `Dict` sample.
///
/// A value is a ``Tensor`` or, for nested dict spaces (Foundation's unflattened per-agent
/// planner entries and unflattened masks), another `Observation`.
public struct Observation: Sendable, Equatable {
  /// One value.
  public indirect enum Value: Sendable, Equatable {
    /// A dense array.
    case tensor(Tensor)
    /// A nested dict.
    case dict(Observation)

    /// The tensor, or nil for a nested dict.
    public var tensor: Tensor? {
      if case .tensor(let t) = self { return t }
      return nil
    }
  }

  /// The keys, in order.
  public private(set) var keys: [String] = []
  /// The values, in key order.
  public private(set) var values: [Value] = []

  /// An empty observation.
  public init() {}

  /// Appends `value` under `key`.
  ///
  /// - Precondition: `key` is new.
  public mutating func append(_ key: String, _ value: Value) {
    precondition(!keys.contains(key), "duplicate observation key \(key)")
    keys.append(key)
    values.append(value)
  }

  /// The value under `key`.
  public subscript(key: String) -> Value? {
    keys.firstIndex(of: key).map { values[$0] }
  }

  /// The tensor under `key` (nil for a missing key or a nested dict).
  public func tensor(_ key: String) -> Tensor? { self[key]?.tensor }
}
