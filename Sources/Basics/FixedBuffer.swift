// Fixed-size typed storage, allocated once: activations, gradients, rollouts, batches.

/// A zero-initialized block of `count` values that never grows or moves.
///
/// Layers keep activations and gradients here, rollouts and vectorized batches their
/// observations, masks and actions, so that the hot loops never allocate and another language
/// (the Python binding) can hold a pointer to the storage for the buffer's whole life. The
/// storage is freed with the buffer. Not thread-safe by itself: threads write disjoint ranges.
public final class FixedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
  /// The number of values.
  public let count: Int
  /// The storage: `count` initialized values (at least one slot is allocated, so the pointer
  /// is valid even when `count` is 0).
  public let pointer: UnsafeMutablePointer<Element>

  /// Allocates `count` copies of `value`.
  ///
  /// - Precondition: `count >= 0`.
  public init(count: Int, repeating value: Element) {
    precondition(count >= 0, "buffer size must be non-negative, got \(count)")
    self.count = count
    pointer = .allocate(capacity: Swift.max(count, 1))
    pointer.initialize(repeating: value, count: Swift.max(count, 1))
  }

  /// Allocates a copy of `values`.
  public init(_ values: [Element]) {
    count = values.count
    pointer = .allocate(capacity: Swift.max(count, 1))
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.initialize(from: base, count: source.count) }
    }
  }

  deinit { pointer.deallocate() }

  /// One value; the index is checked.
  @inlinable
  public subscript(i: Int) -> Element {
    get {
      precondition(i >= 0 && i < count, "index \(i) outside a buffer of \(count)")
      return pointer[i]
    }
    set {
      precondition(i >= 0 && i < count, "index \(i) outside a buffer of \(count)")
      pointer[i] = newValue
    }
  }

  /// A read-only view of the whole buffer.
  @inlinable
  public var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: pointer, count: count) }

  /// A writable view of the whole buffer.
  @inlinable
  public var mutableBuffer: UnsafeMutableBufferPointer<Element> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }

  /// A copy of the contents.
  public var array: [Element] { Array(buffer) }

  /// Sets every value to `value`.
  @inlinable
  public func fill(with value: Element) { pointer.update(repeating: value, count: count) }

  /// Overwrites the contents with `values`, which must have ``count`` elements.
  public func assign(_ values: [Element]) {
    precondition(values.count == count, "assigning \(values.count) values to a buffer of \(count)")
    for i in 0..<count { pointer[i] = values[i] }
  }
}

extension FixedBuffer: RandomAccessCollection, MutableCollection {
  /// 0.
  @inlinable public var startIndex: Int { 0 }
  /// ``count``.
  @inlinable public var endIndex: Int { count }
}

extension FixedBuffer where Element: ExpressibleByIntegerLiteral {
  /// Allocates `count` zeros.
  public convenience init(count: Int) { self.init(count: count, repeating: 0) }

  /// Sets every value to zero.
  @inlinable
  public func zero() { fill(with: 0) }
}
