// Adam with global-norm gradient clipping (Kingma and Ba 2015; Pascanu et al. 2013).

/// Adam over one parameter slab, with optional clipping of the gradient's global L2 norm.
///
/// Moments live in slabs the size of the parameters, allocated once. ε = 1e-8 and β = (0.9,
/// 0.999), the defaults of TensorFlow's and PyTorch's Adam that RLlib uses.
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

  /// An optimizer for `count` parameters.
  public init(count: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    m = FloatBuffer(count: count)
    v = FloatBuffer(count: count)
  }

  /// Restores the moments and step count (from a checkpoint).
  public func restore(m: [Float], v: [Float], steps: Int) {
    self.m.assign(m)
    self.v.assign(v)
    self.steps = steps
  }

  /// The L2 norm of all of `grads`.
  public static func globalNorm(_ grads: FloatBuffer) -> Double {
    // Blocks of 1024 summed in float (eight independent partial sums, which vectorize), blocks
    // added in double.
    var sum = 0.0
    let g = grads.pointer
    let count = grads.count
    var start = 0
    while start < count {
      let end = min(count, start + 1024)
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
      var block = Double(((lanes.0 + lanes.1) + (lanes.2 + lanes.3)) + ((lanes.4 + lanes.5) + (lanes.6 + lanes.7)))
      while i < end {
        block += Double(g[i]) * Double(g[i])
        i += 1
      }
      sum += block
      start = end
    }
    return sum.squareRoot()
  }

  /// Takes one step: clips `grads` to `clipNorm` (if given) and updates `params`.
  ///
  /// - Returns: the gradient's global norm before clipping.
  @discardableResult
  public func step(params: FloatBuffer, grads: FloatBuffer, lr: Double, clipNorm: Double?) -> Double {
    precondition(params.count == m.count && grads.count == m.count, "Adam slab sizes differ")
    let norm = Self.globalNorm(grads)
    var scale: Float = 1
    if let clipNorm, norm > clipNorm { scale = Float(clipNorm / norm) }
    steps += 1
    let b1 = beta1
    let b2 = beta2
    let correction1 = 1 - pow(Double(b1), Double(steps))
    let correction2 = 1 - pow(Double(b2), Double(steps))
    let stepSize = Float(lr * correction2.squareRoot() / correction1)
    let eps = epsilon * Float(correction2.squareRoot())
    let p = params.pointer
    let g = grads.pointer
    let mp = m.pointer
    let vp = v.pointer
    for i in 0..<m.count {
      let gi = g[i] * scale
      let mi = b1 * mp[i] + (1 - b1) * gi
      let vi = b2 * vp[i] + (1 - b2) * gi * gi
      mp[i] = mi
      vp[i] = vi
      p[i] -= stepSize * mi / (vi.squareRoot() + eps)
    }
    return norm
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
