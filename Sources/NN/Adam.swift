// Adam with global-norm gradient clipping (Kingma and Ba 2015; Pascanu et al. 2013).

import Basics

/// Adam over one parameter slab, with optional clipping of the gradient's global L2 norm.
///
/// Moments live in slabs the size of the parameters, allocated once. ε = 1e-8 and β = (0.9,
/// 0.999), the defaults of TensorFlow's and PyTorch's Adam that RLlib uses.
///
/// ``step(parameters:shardGradients:lr:clipNorm:pool:)`` is the whole step a data-parallel
/// learner takes: it sums the shards' gradients, clips their global norm and updates, split over
/// threads. Its parts are public for other schedules: ``blockSquares(_:count:blocks:into:)``
/// over the gradient (summed in block order for the norm), ``beginStep(norm:lr:clipNorm:)``
/// once, then ``update(params:grads:range:_:)`` over disjoint ranges.
public final class Adam: @unchecked Sendable {
  /// β₁.
  public let beta1: Float
  /// β₂.
  public let beta2: Float
  /// ε.
  public let epsilon: Float
  /// First moments.
  public let m: FloatBuffer
  /// Second moments.
  public let v: FloatBuffer
  /// Updates taken so far.
  public private(set) var steps: Int = 0
  /// Sum of squares per ``normBlock`` of the gradient, for the global norm.
  private let blockSquareSums: FixedBuffer<Double>

  /// An optimizer for `count` parameters.
  public init(count: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    m = FloatBuffer(count: count)
    v = FloatBuffer(count: count)
    blockSquareSums = FixedBuffer(count: (count + Adam.normBlock - 1) / Adam.normBlock)
  }

  /// One step from gradients computed in shards.
  ///
  /// Sums `shardGradients` into the first (in shard order), takes the sum's global L2 norm, scales the gradient to `clipNorm` when the
  /// norm exceeds it, and applies Adam to `parameters`. Every phase is split over `pool`'s
  /// threads by whole norm blocks, so the result does not depend on the thread count.
  ///
  /// - Parameters:
  ///   - parameters: The parameters, updated in place.
  ///   - shardGradients: One gradient per shard, each the size of `parameters`; the first is
  ///     overwritten with their sum.
  ///   - lr: The learning rate.
  ///   - clipNorm: The largest global norm applied (nil: no clipping).
  ///   - pool: The threads.
  /// - Returns: The global norm of the summed gradient, before clipping.
  public func step(
    parameters: FloatBuffer, shardGradients: [FloatBuffer], lr: Double, clipNorm: Double?, pool: WorkerPool
  ) -> Double {
    precondition(
      !shardGradients.isEmpty && m.count == parameters.count
        && shardGradients.allSatisfy { $0.count == parameters.count },
      "Adam.step: gradients and moments must match the \(parameters.count) parameters")
    let total = parameters.count
    let blocks = blockSquareSums.count
    let threads = pool.threads
    let squares = blockSquareSums.pointer
    /// Thread `part`'s norm blocks and the parameters they cover.
    func share(_ part: Int) -> (blocks: Range<Int>, elements: Range<Int>) {
      let b = WorkerPool.chunk(part, of: threads, count: blocks)
      return (b, min(total, b.lowerBound * Adam.normBlock)..<min(total, b.upperBound * Adam.normBlock))
    }
    pool.run { part in
      let (blockRange, range) = share(part)
      let sum = shardGradients[0].pointer
      for k in 1..<shardGradients.count {
        let g = shardGradients[k].pointer
        for i in range { sum[i] += g[i] }
      }
      Adam.blockSquares(sum, count: total, blocks: blockRange, into: squares)
    }
    var squareSum = 0.0
    for b in 0..<blocks { squareSum += squares[b] }
    let norm = squareSum.squareRoot()
    let coefficients = beginStep(norm: norm, lr: lr, clipNorm: clipNorm)
    let params = parameters.pointer
    let sum = shardGradients[0].pointer
    pool.run { part in
      self.update(params: params, grads: sum, range: share(part).elements, coefficients)
    }
    return norm
  }

  /// Restores the moments and step count (from a checkpoint).
  public func restore(m: [Float], v: [Float], steps: Int) {
    self.m.assign(m)
    self.v.assign(v)
    self.steps = steps
  }

  /// Floats per block of ``blockSquares(_:count:blocks:into:)``.
  public static let normBlock = 1024

  /// Writes the sum of squares of each 1024-float block of `grads[0..<count]` in `blocks` to
  /// `into[block]`.
  ///
  /// Each block is summed in float (eight independent partial sums, which vectorize); summing the
  /// blocks in order in double gives the same norm however the blocks were split among threads.
  package static func blockSquares(
    _ grads: UnsafePointer<Float>, count: Int, blocks: Range<Int>, into: UnsafeMutablePointer<Double>
  ) {
    let g = grads
    for block in blocks {
      let start = block * normBlock
      let end = min(count, start + normBlock)
      var lanes = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
      var i = start
      while i + 8 <= end {
        lanes.0 += g[i] * g[i]
        lanes.1 += g[i + 1] * g[i + 1]
        lanes.2 += g[i + 2] * g[i + 2]
        lanes.3 += g[i + 3] * g[i + 3]
        lanes.4 += g[i + 4] * g[i + 4]
        lanes.5 += g[i + 5] * g[i + 5]
        lanes.6 += g[i + 6] * g[i + 6]
        lanes.7 += g[i + 7] * g[i + 7]
        i += 8
      }
      var sum = Double(((lanes.0 + lanes.1) + (lanes.2 + lanes.3)) + ((lanes.4 + lanes.5) + (lanes.6 + lanes.7)))
      while i < end {
        sum += Double(g[i]) * Double(g[i])
        i += 1
      }
      into[block] = sum
    }
  }

  /// The numbers one step applies to every parameter.
  public struct StepCoefficients: Sendable {
    /// Gradient scale from clipping (1 when not clipped).
    public var scale: Float
    /// Learning rate with bias correction.
    public var stepSize: Float
    /// ε with bias correction.
    public var epsilon: Float
  }

  /// Counts a step and returns its coefficients, given the gradient's global `norm`.
  public func beginStep(norm: Double, lr: Double, clipNorm: Double?) -> StepCoefficients {
    var scale: Float = 1
    if let clipNorm, norm > clipNorm { scale = Float(clipNorm / norm) }
    steps += 1
    let correction1 = 1 - pow(Double(beta1), Double(steps))
    let correction2 = 1 - pow(Double(beta2), Double(steps))
    return StepCoefficients(
      scale: scale, stepSize: Float(lr * correction2.squareRoot() / correction1),
      epsilon: epsilon * Float(correction2.squareRoot()))
  }

  /// Updates the moments and parameters in `range` (ranges of one step may run in parallel).
  package func update(
    params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, range: Range<Int>, _ c: StepCoefficients
  ) {
    let b1 = beta1
    let b2 = beta2
    let mp = m.pointer
    let vp = v.pointer
    for i in range {
      let gi = grads[i] * c.scale
      let mi = b1 * mp[i] + (1 - b1) * gi
      let vi = b2 * vp[i] + (1 - b2) * gi * gi
      mp[i] = mi
      vp[i] = vi
      params[i] -= c.stepSize * mi / (vi.squareRoot() + c.epsilon)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
