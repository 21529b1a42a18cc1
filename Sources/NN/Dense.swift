// A fully connected layer: y = x · W + b.

/// A fully connected layer, `y = x · W + b`, with W of shape `[inputs, outputs]`.
///
/// Shapes: `x` is `[rows × inputs]`, `y` is `[rows × outputs]`, row-major. Parameters live in
/// the network's slab at the offsets recorded here; gradients accumulate (`+=`) into a slab of
/// the same layout, so several minibatch shards can share one gradient slab or sum theirs.
public struct Dense: Sendable {
  /// Input features.
  public let inputs: Int
  /// Output features.
  public let outputs: Int
  /// Offset of the kernel `[inputs, outputs]`.
  public let weight: Int
  /// Offset of the bias `[outputs]`.
  public let bias: Int

  /// Adds the layer's kernel (`name/kernel`) and bias (`name/bias`) to `layout`.
  public init(
    _ name: String, inputs: Int, outputs: Int, layout: inout ParameterLayout,
    initializer: ParameterInit? = nil
  ) {
    self.inputs = inputs
    self.outputs = outputs
    weight = layout.add(
      "\(name)/kernel", shape: [inputs, outputs],
      initializer: initializer ?? .glorotUniform(fanIn: inputs, fanOut: outputs))
    bias = layout.add("\(name)/bias", shape: [outputs], initializer: .zeros)
  }

  /// FLOPs of one row's forward pass.
  public var forwardFLOPs: Int { 2 * inputs * outputs }

  /// Computes `y = x · W + b` for `rows` rows; `ldx`/`ldy` are the row strides (default dense).
  @inline(__always)
  package func forward(
    _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows: Int,
    ldx: Int? = nil, ldy: Int? = nil
  ) {
    let ldy = ldy ?? outputs
    let b = params + bias
    for r in 0..<rows { (y + r * ldy).update(from: b, count: outputs) }
    BLAS.gemm(
      m: rows, n: outputs, k: inputs, x, lda: ldx ?? inputs, params + weight, ldb: outputs, beta: 1, y,
      ldc: ldy)
  }

  /// Accumulates the parameter gradients of `rows` rows into `grads` and writes `dx`.
  ///
  /// `x` is the forward input `[rows × inputs]` (row stride `ldx`), `dy` the loss gradient with
  /// respect to `y` (row stride `ldy`); `dx` receives the gradient with respect to `x`
  /// (overwritten, or added to when `accumulate`), nil when not needed.
  @inline(__always)
  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, rows: Int, ldx: Int? = nil, ldy: Int? = nil,
    accumulate: Bool = false
  ) {
    let ldx = ldx ?? inputs
    let ldy = ldy ?? outputs
    BLAS.gemm(
      transA: true, m: inputs, n: outputs, k: rows, x, lda: ldx, dy, ldb: ldy, beta: 1, grads + weight,
      ldc: outputs)
    let gb = grads + bias
    for r in 0..<rows {
      let row = dy + r * ldy
      for j in 0..<outputs { gb[j] += row[j] }
    }
    if let dx {
      BLAS.gemm(
        transB: true, m: rows, n: inputs, k: outputs, dy, lda: ldy, params + weight, ldb: outputs,
        beta: accumulate ? 1 : 0, dx, ldc: ldx)
    }
  }
}
