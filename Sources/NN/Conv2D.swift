// A 2-D convolution with valid padding, as im2col followed by one matrix product.

/// A 2-D convolution over channels-last images with "valid" padding (Keras' default).
///
/// Shapes: `x` is `[rows, height, width, inChannels]`; `y` is `[rows, outHeight, outWidth,
/// outChannels]` with `outHeight = (height − kernel) / stride + 1`. The kernel is stored as
/// Keras stores it, `[kernel, kernel, inChannels, outChannels]`. The forward pass unrolls patches
/// into `columns` (`[rows · outHeight · outWidth, kernel² · inChannels]`), which the backward pass
/// reuses, so the caller keeps that buffer between the two.
public struct Conv2D: Sendable {
  /// Input height.
  public let height: Int
  /// Input width.
  public let width: Int
  /// Input channels.
  public let inChannels: Int
  /// Output channels (filters).
  public let outChannels: Int
  /// Kernel side.
  public let kernel: Int
  /// Stride in both directions.
  public let stride: Int
  /// Offset of the kernel tensor.
  public let weight: Int
  /// Offset of the bias `[outChannels]`.
  public let bias: Int

  /// Adds `name/kernel` (Glorot uniform) and `name/bias` (zeros) to `layout`.
  ///
  /// - Precondition: the kernel fits in the input.
  public init(
    _ name: String, height: Int, width: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int,
    layout: inout ParameterLayout
  ) {
    precondition(height >= kernel && width >= kernel, "a \(kernel)×\(kernel) kernel does not fit \(height)×\(width)")
    self.height = height
    self.width = width
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernel = kernel
    self.stride = stride
    weight = layout.add(
      "\(name)/kernel", shape: [kernel, kernel, inChannels, outChannels],
      initializer: .glorotUniform(fanIn: kernel * kernel * inChannels, fanOut: kernel * kernel * outChannels))
    bias = layout.add("\(name)/bias", shape: [outChannels], initializer: .zeros)
  }

  /// Output height.
  public var outHeight: Int { (height - kernel) / stride + 1 }
  /// Output width.
  public var outWidth: Int { (width - kernel) / stride + 1 }
  /// Floats per input row.
  public var inputSize: Int { height * width * inChannels }
  /// Floats per output row.
  public var outputSize: Int { outHeight * outWidth * outChannels }
  /// Floats of `columns` per input row.
  public var columnsSize: Int { outHeight * outWidth * patchSize }
  /// Floats per unrolled patch.
  public var patchSize: Int { kernel * kernel * inChannels }
  /// FLOPs of one row's forward pass.
  public var forwardFLOPs: Int { 2 * outHeight * outWidth * patchSize * outChannels }

  /// Convolves `rows` images of `x` into `y`, unrolling patches into `columns`.
  @inline(__always)
  package func forward(
    _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
    columns: UnsafeMutablePointer<Float>, rows: Int
  ) {
    let patch = patchSize
    let run = kernel * inChannels
    var dst = columns
    for n in 0..<rows {
      let image = x + n * inputSize
      for oy in 0..<outHeight {
        for ox in 0..<outWidth {
          for ky in 0..<kernel {
            // One kernel row of a patch is contiguous in channels-last storage.
            let src = image + ((oy * stride + ky) * width + ox * stride) * inChannels
            (dst + ky * run).update(from: src, count: run)
          }
          dst += patch
        }
      }
    }
    let pixels = rows * outHeight * outWidth
    let b = params + bias
    for p in 0..<pixels { (y + p * outChannels).update(from: b, count: outChannels) }
    BLAS.gemm(
      m: pixels, n: outChannels, k: patch, columns, lda: patch, params + weight, ldb: outChannels, beta: 1, y,
      ldc: outChannels)
  }

  /// Accumulates kernel and bias gradients; writes `dx` (overwritten) unless nil.
  ///
  /// `columns` must still hold the forward pass's patches; `scratch` needs `columnsSize × rows`
  /// floats when `dx` is requested.
  @inline(__always)
  package func backward(
    _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, columns: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>?, rows: Int
  ) {
    let patch = patchSize
    let pixels = rows * outHeight * outWidth
    BLAS.gemm(
      transA: true, m: patch, n: outChannels, k: pixels, columns, lda: patch, dy, ldb: outChannels, beta: 1,
      grads + weight, ldc: outChannels)
    let gb = grads + bias
    for p in 0..<pixels {
      let row = dy + p * outChannels
      for j in 0..<outChannels { gb[j] += row[j] }
    }
    guard let dx, let scratch else { return }
    BLAS.gemm(
      transB: true, m: pixels, n: patch, k: outChannels, dy, lda: outChannels, params + weight, ldb: outChannels,
      beta: 0, scratch, ldc: patch)
    dx.update(repeating: 0, count: rows * inputSize)
    let run = kernel * inChannels
    var src = UnsafePointer(scratch)
    for n in 0..<rows {
      let image = dx + n * inputSize
      for oy in 0..<outHeight {
        for ox in 0..<outWidth {
          for ky in 0..<kernel {
            let d = image + ((oy * stride + ky) * width + ox * stride) * inChannels
            let s = src + ky * run
            for j in 0..<run { d[j] += s[j] }
          }
          src += patch
        }
      }
    }
  }
}
