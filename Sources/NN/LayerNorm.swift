// Layer normalization over each row's features (Ba, Kiros and Hinton 2016).

/// Layer normalization: `y = γ · (x − mean) / √(var + ε) + β` over each row's features.
///
/// Shapes: `x` and `y` are `[rows × features]`; the forward pass stores each row's mean and
/// reciprocal standard deviation in `stats` (`[rows × 2]`) for the backward pass. ε = 0.001,
/// Keras' default (Foundation's model uses `tf.keras.layers.LayerNormalization`).
public struct LayerNorm: Sendable {
  /// Features per row.
  public let features: Int
  /// Offset of γ `[features]`.
  public let gamma: Int
  /// Offset of β `[features]`.
  public let beta: Int
  /// The variance floor.
  public let epsilon: Float = 1e-3

  /// Adds the layer's `name/gamma` (ones) and `name/beta` (zeros) to `layout`.
  public init(_ name: String, features: Int, layout: inout ParameterLayout) {
    self.features = features
    gamma = layout.add("\(name)/gamma", shape: [features], initializer: .constant(1))
    beta = layout.add("\(name)/beta", shape: [features], initializer: .zeros)
  }

  /// Normalizes `rows` rows of `x` into `y`, keeping mean and 1/σ per row in `stats`.
  @inline(__always)
  package func forward(
    _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
    stats: UnsafeMutablePointer<Float>, rows: Int
  ) {
    let n = features
    let g = params + gamma
    let b = params + beta
    for r in 0..<rows {
      let xr = x + r * n
      let yr = y + r * n
      var mean: Float = 0
      for j in 0..<n { mean += xr[j] }
      mean /= Float(n)
      var variance: Float = 0
      for j in 0..<n {
        let d = xr[j] - mean
        variance += d * d
      }
      variance /= Float(n)
      let rstd = 1 / (variance + epsilon).squareRoot()
      stats[2 * r] = mean
      stats[2 * r + 1] = rstd
      for j in 0..<n { yr[j] = (xr[j] - mean) * rstd * g[j] + b[j] }
    }
  }

  /// Accumulates γ and β gradients and writes `dx` (overwritten).
  @inline(__always)
  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
    stats: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int
  ) {
    let n = features
    let g = params + gamma
    let gg = grads + gamma
    let gb = grads + beta
    for r in 0..<rows {
      let xr = x + r * n
      let dyr = dy + r * n
      let dxr = dx + r * n
      let mean = stats[2 * r]
      let rstd = stats[2 * r + 1]
      // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat)), dxhat = dy · γ.
      var sumD: Float = 0
      var sumDX: Float = 0
      for j in 0..<n {
        let xhat = (xr[j] - mean) * rstd
        let d = dyr[j] * g[j]
        gg[j] += dyr[j] * xhat
        gb[j] += dyr[j]
        sumD += d
        sumDX += d * xhat
      }
      let meanD = sumD / Float(n)
      let meanDX = sumDX / Float(n)
      for j in 0..<n {
        let xhat = (xr[j] - mean) * rstd
        dxr[j] = rstd * (dyr[j] * g[j] - meanD - xhat * meanDX)
      }
    }
  }
}
