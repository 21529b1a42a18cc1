import Testing

@testable import Basics

/// Known answers, computed by an independent Python implementation of xoshiro256** and
/// SplitMix64 (the values Economy's and NN's generators produced before they shared this one).
@Suite struct Xoshiro256Tests {
  @Test func matchesTheReferenceAlgorithmFromAKnownState() throws {
    var rng = try #require(Xoshiro256(state: [1, 2, 3, 4]))
    #expect((0..<4).map { _ in rng.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
  }

  @Test func seedsThroughSplitMix64() {
    var rng = Xoshiro256(seed: 42)
    #expect(
      (0..<3).map { _ in rng.next() } == [
        1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009,
      ])
  }

  @Test func stateRoundTripsAndRejectsInvalidStates() throws {
    var rng = Xoshiro256(seed: 9)
    _ = rng.next()
    var restored = try #require(Xoshiro256(state: rng.state))
    #expect(restored.next() == rng.next())
    #expect(Xoshiro256(state: [0, 0, 0, 0]) == nil)
    #expect(Xoshiro256(state: [1, 2, 3]) == nil)
  }
}
