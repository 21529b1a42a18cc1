// A lookup table from small integer codes to learned vectors.

/// An embedding: each integer code `i` in `0..<vocabulary` maps to row `i` of a
/// `[vocabulary, dimension]` table.
///
/// Codes arrive as floats (observation slabs are `Float`); they are rounded and clamped into
/// `0..<vocabulary`, so callers check the code range once when they build the model.
public struct Embedding: Sendable {
  /// Number of codes.
  public let vocabulary: Int
  /// Vector length.
  public let dimension: Int
  /// Offset of the table `[vocabulary, dimension]`.
  public let table: Int

  /// Adds `name/embeddings` (uniform ±0.05, Keras' default) to `layout`.
  public init(_ name: String, vocabulary: Int, dimension: Int, layout: inout ParameterLayout) {
    self.vocabulary = vocabulary
    self.dimension = dimension
    table = layout.add("\(name)/embeddings", shape: [vocabulary, dimension], initializer: .uniform(limit: 0.05))
  }

  /// The table row for a float-coded index: rounded to the nearest (halves up), clamped into
  /// `0..<vocabulary`; NaN gives row 0.
  ///
  /// Comparisons and an add instead of `rounded()`, which is a libm call (2.8% of a
  /// phase-1 training profile) and, converted to `Int`, would trap on NaN or infinities.
  @inline(__always)
  package func row(_ code: Float) -> Int {
    guard code > 0 else { return 0 }
    guard code < Float(vocabulary - 1) else { return vocabulary - 1 }
    return Int(code + 0.5)
  }

  /// Writes the vector of code `codes[i]` to `y + i · ldy` for `count` codes.
  @inline(__always)
  package func forward(
    _ params: UnsafePointer<Float>, codes: UnsafePointer<Float>, codeStride: Int = 1,
    y: UnsafeMutablePointer<Float>, ldy: Int, count: Int
  ) {
    let t = params + table
    let d = dimension
    for i in 0..<count {
      // A plain loop: vectors are a few floats long (4 in Foundation's model), where a memmove
      // call per code cost 5% of a phase-1 training profile.
      let src = t + row(codes[i * codeStride]) * d
      let dst = y + i * ldy
      for j in 0..<d { dst[j] = src[j] }
    }
  }

  /// Adds `dy + i · ldy` into the table gradient row of `codes[i]`.
  @inline(__always)
  package func backward(
    grads: UnsafeMutablePointer<Float>, codes: UnsafePointer<Float>, codeStride: Int = 1,
    dy: UnsafePointer<Float>, ldy: Int, count: Int
  ) {
    let g = grads + table
    for i in 0..<count {
      let dst = g + row(codes[i * codeStride]) * dimension
      let src = dy + i * ldy
      for j in 0..<dimension { dst[j] += src[j] }
    }
  }
}
