// A long short-term memory layer over batches of fixed-length sequences, with truncated
// backpropagation through time (Hochreiter and Schmidhuber 1997; gate layout as Keras').

/// An LSTM layer over `sequences × steps` inputs stored sequence-major.
///
/// Gates are ordered input, forget, cell, output (Keras' layout), with sigmoid gates and tanh
/// cell activation: `z = x·W + h₋₁·U + b`, `c = f ⊙ c₋₁ + i ⊙ g`, `h = o ⊙ tanh(c)`.
///
/// Shapes (row-major, sequence-major: row `s · steps + t`):
/// - `x`: `[sequences × steps × inputs]`; `h0`, `c0`: `[sequences × hidden]` (initial states).
/// - ``Workspace`` buffers for `gates` (`× 4·hidden`), `cells`, `previous` (h₋₁ per step) and
///   `outputs` (`× hidden`), filled by the forward pass and read by the backward pass.
///
/// Gradients flow through all `steps` of each sequence and stop at its initial state
/// (truncated BPTT over `max_seq_len`, as RLlib trains recurrent policies).
public struct LSTM: Sendable {
  /// Input features.
  public let inputs: Int
  /// Cell size.
  public let hidden: Int
  /// Offset of the input kernel `[inputs, 4·hidden]`.
  public let kernel: Int
  /// Offset of the recurrent kernel `[hidden, 4·hidden]`.
  public let recurrent: Int
  /// Offset of the bias `[4·hidden]`.
  public let bias: Int

  /// Adds `name/kernel` (Glorot uniform), `name/recurrent_kernel` (orthogonal) and `name/bias`
  /// (zeros, forget gate ones) to `layout`, Keras' initializers.
  public init(_ name: String, inputs: Int, hidden: Int, layout: inout ParameterLayout) {
    self.inputs = inputs
    self.hidden = hidden
    kernel = layout.add(
      "\(name)/kernel", shape: [inputs, 4 * hidden], initializer: .glorotUniform(fanIn: inputs, fanOut: 4 * hidden))
    recurrent = layout.add("\(name)/recurrent_kernel", shape: [hidden, 4 * hidden], initializer: .orthogonal(gain: 1))
    bias = layout.add("\(name)/bias", shape: [4 * hidden], initializer: .lstmBias(hidden: hidden))
  }

  /// FLOPs of one step of one sequence, forward.
  public var forwardFLOPs: Int { 2 * (inputs + hidden) * 4 * hidden }

  /// Activation storage for up to `rows` = sequences × steps rows.
  public final class Workspace: @unchecked Sendable {
    /// Gate activations `[rows × 4·hidden]`.
    package let gates: FloatBuffer
    /// Cell states `[rows × hidden]`.
    package let cells: FloatBuffer
    /// tanh of the cell states `[rows × hidden]`, kept for the backward pass.
    package let tanhCells: FloatBuffer
    /// The hidden state entering each step `[rows × hidden]`.
    package let previous: FloatBuffer
    /// Hidden outputs `[rows × hidden]`.
    package let outputs: FloatBuffer
    /// Gate gradients `[rows × 4·hidden]`.
    package let dz: FloatBuffer
    /// Carried gradients `[rows × hidden]` each (only `sequences` rows are used).
    package let dhNext: FloatBuffer
    /// See ``dhNext``.
    package let dcNext: FloatBuffer

    /// Buffers for `rows` rows of a layer with `hidden` cells.
    public init(rows: Int, hidden: Int) {
      gates = FloatBuffer(count: rows * 4 * hidden)
      cells = FloatBuffer(count: rows * hidden)
      tanhCells = FloatBuffer(count: rows * hidden)
      previous = FloatBuffer(count: rows * hidden)
      outputs = FloatBuffer(count: rows * hidden)
      dz = FloatBuffer(count: rows * 4 * hidden)
      dhNext = FloatBuffer(count: rows * hidden)
      dcNext = FloatBuffer(count: rows * hidden)
    }
  }

  /// Runs `sequences × steps` rows; hidden outputs land in `work.outputs`.
  package func forward(
    _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, ldx: Int? = nil, h0: UnsafePointer<Float>,
    c0: UnsafePointer<Float>, work: Workspace, sequences: Int, steps: Int
  ) {
    let h = hidden
    let h4 = 4 * h
    let rows = sequences * steps
    let z = work.gates.pointer
    let cells = work.cells.pointer
    let prev = work.previous.pointer
    let out = work.outputs.pointer
    let tanhCells = work.tanhCells.pointer
    let b = params + bias
    for r in 0..<rows { (z + r * h4).update(from: b, count: h4) }
    BLAS.gemm(m: rows, n: h4, k: inputs, x, lda: ldx ?? inputs, params + kernel, ldb: h4, beta: 1, z, ldc: h4)
    for s in 0..<sequences { (prev + s * steps * h).update(from: h0 + s * h, count: h) }
    for t in 0..<steps {
      BLAS.gemm(
        m: sequences, n: h4, k: h, prev + t * h, lda: steps * h, params + recurrent, ldb: h4, beta: 1,
        z + t * h4, ldc: steps * h4)
      for s in 0..<sequences {
        let r = s * steps + t
        let zr = z + r * h4
        let cPrev = t == 0 ? c0 + s * h : UnsafePointer(cells + (r - 1) * h)
        let cr = cells + r * h
        let hr = out + r * h
        // Gates in place: i, f (sigmoid), g (tanh), o (sigmoid).
        sigmoidInPlace(zr, count: 2 * h)
        tanhInPlace(zr + 2 * h, count: h)
        sigmoidInPlace(zr + 3 * h, count: h)
        for j in 0..<h { cr[j] = zr[h + j] * cPrev[j] + zr[j] * zr[2 * h + j] }
        let tc = tanhCells + r * h
        tc.update(from: cr, count: h)
        tanhInPlace(tc, count: h)
        for j in 0..<h { hr[j] = zr[3 * h + j] * tc[j] }
        if t + 1 < steps { (prev + (r + 1) * h).update(from: hr, count: h) }
      }
    }
  }

  /// Backpropagates `dy` (`[rows × hidden]`, gradients of the hidden outputs) through time.
  ///
  /// Accumulates the parameter gradients and writes `dx` (overwritten) unless nil.
  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, ldx: Int? = nil,
    c0: UnsafePointer<Float>, work: Workspace, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
    sequences: Int, steps: Int
  ) {
    let h = hidden
    let h4 = 4 * h
    let rows = sequences * steps
    let gates = UnsafePointer(work.gates.pointer)
    let cells = UnsafePointer(work.cells.pointer)
    let tanhCells = UnsafePointer(work.tanhCells.pointer)
    let dz = work.dz.pointer
    let dhNext = work.dhNext.pointer
    let dcNext = work.dcNext.pointer
    dhNext.update(repeating: 0, count: sequences * h)
    dcNext.update(repeating: 0, count: sequences * h)
    for t in stride(from: steps - 1, through: 0, by: -1) {
      for s in 0..<sequences {
        let r = s * steps + t
        let gr = gates + r * h4
        let tcr = tanhCells + r * h
        let cPrev = t == 0 ? c0 + s * h : cells + (r - 1) * h
        let dyr = dy + r * h
        let dzr = dz + r * h4
        let dhn = dhNext + s * h
        let dcn = dcNext + s * h
        for j in 0..<h {
          let i = gr[j]
          let f = gr[h + j]
          let g = gr[2 * h + j]
          let o = gr[3 * h + j]
          let tc = tcr[j]
          let dh = dyr[j] + dhn[j]
          let dc = dh * o * (1 - tc * tc) + dcn[j]
          dzr[j] = dc * g * i * (1 - i)
          dzr[h + j] = dc * cPrev[j] * f * (1 - f)
          dzr[2 * h + j] = dc * i * (1 - g * g)
          dzr[3 * h + j] = dh * tc * o * (1 - o)
          dcn[j] = dc * f
        }
      }
      if t > 0 {
        BLAS.gemm(
          transB: true, m: sequences, n: h, k: h4, dz + t * h4, lda: steps * h4, params + recurrent, ldb: h4,
          beta: 0, dhNext, ldc: h)
      }
    }
    BLAS.gemm(
      transA: true, m: inputs, n: h4, k: rows, x, lda: ldx ?? inputs, dz, ldb: h4, beta: 1, grads + kernel, ldc: h4)
    BLAS.gemm(
      transA: true, m: h, n: h4, k: rows, work.previous.pointer, lda: h, dz, ldb: h4, beta: 1, grads + recurrent,
      ldc: h4)
    let gb = grads + bias
    for r in 0..<rows {
      let row = dz + r * h4
      for j in 0..<h4 { gb[j] += row[j] }
    }
    if let dx {
      BLAS.gemm(
        transB: true, m: rows, n: inputs, k: h4, dz, lda: h4, params + kernel, ldb: h4, beta: 0, dx,
        ldc: ldx ?? inputs)
    }
  }
}
