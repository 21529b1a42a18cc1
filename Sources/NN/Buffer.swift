// Fixed-size float storage for activations and gradients, allocated once.

/// A zero-initialized block of floats that never grows or moves.
///
/// Layers and models keep their activations here so that the forward and backward loops never
/// allocate. The storage is freed with the buffer. Not thread-safe: one buffer belongs to one
/// worker at a time.
public final class FloatBuffer: @unchecked Sendable {
  /// The number of floats.
  public let count: Int
  package let pointer: UnsafeMutablePointer<Float>

  /// Allocates `count` floats set to zero.
  public init(count: Int) {
    precondition(count >= 0, "buffer size must be non-negative, got \(count)")
    self.count = count
    pointer = .allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { pointer.deallocate() }

  /// Sets every float to zero.
  public func zero() { pointer.update(repeating: 0, count: count) }

  /// Reads one float.
  public subscript(i: Int) -> Float {
    get {
      precondition(i >= 0 && i < count, "index \(i) outside a buffer of \(count)")
      return pointer[i]
    }
    set {
      precondition(i >= 0 && i < count, "index \(i) outside a buffer of \(count)")
      pointer[i] = newValue
    }
  }

  /// A copy of the contents.
  public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  /// Overwrites the contents with `values`, which must have ``count`` elements.
  public func assign(_ values: [Float]) {
    precondition(values.count == count, "assigning \(values.count) values to a buffer of \(count)")
    for i in 0..<count { pointer[i] = values[i] }
  }
}
