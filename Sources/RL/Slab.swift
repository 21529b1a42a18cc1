// Fixed-size typed storage for rollouts and training batches, allocated once.

/// A zero-initialized block of `count` values that never grows or moves.
///
/// Rollout and minibatch buffers use it so the sampling and learning loops never allocate.
/// Not thread-safe by itself: threads write disjoint ranges.
package final class Slab<Element: BitwiseCopyable>: @unchecked Sendable {
  /// The number of values.
  package let count: Int
  /// The storage.
  package let pointer: UnsafeMutablePointer<Element>

  /// Allocates `count` copies of `zero`.
  package init(count: Int, zero: Element) {
    self.count = count
    pointer = .allocate(capacity: max(count, 1))
    pointer.initialize(repeating: zero, count: max(count, 1))
  }

  deinit { pointer.deallocate() }

  /// A read-only view of the whole slab.
  package var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: pointer, count: count) }
  /// A writable view of the whole slab.
  package var mutableBuffer: UnsafeMutableBufferPointer<Element> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }
  /// A copy of the contents.
  package var array: [Element] { Array(buffer) }
}

extension Slab where Element == Float {
  /// A float slab of zeros.
  package convenience init(count: Int) { self.init(count: count, zero: 0) }
}
