import Testing

@testable import NN

/// Float-coded embedding indices: rounded to the nearest, clamped, and never a trap.
@Suite("Embedding rows")
struct EmbeddingRowTests {
  @Test func rowsRoundToTheNearestAndClamp() {
    var layout = ParameterLayout()
    let embedding = Embedding("e", vocabulary: 100, dimension: 4, layout: &layout)
    // Every code an observation can hold, and the halves between them: as rounded() then clamped.
    for tenth in -20...1020 {
      let code = Float(tenth) / 10
      #expect(embedding.row(code) == min(max(Int(code.rounded()), 0), 99), "\(code)")
    }
    #expect(embedding.row(2.5) == 3 && embedding.row(2.4999) == 2)
    for code: Float in [.nan, -.infinity, -1e30] { #expect(embedding.row(code) == 0, "\(code)") }
    for code: Float in [.infinity, 1e30, 99.4, 150] { #expect(embedding.row(code) == 99, "\(code)") }
  }
}
