import EnvContract
import Testing

@testable import EconomyEnv
@testable import EconomyTraining

@Suite("Run directory names")
struct TrainingRunNamesTests {
  @Test func checkpointNamesHoldEnvStepsBeyond32Bits() {
    // `%012d` printed 3,000,000,000 as -01294967296 on Linux.
    #expect(zeroPadded(3_000_000_000, 12) == "003000000000")
    #expect(zeroPadded(6000, 12) == "000000006000")
    #expect(zeroPadded(12_345_678_901_234_567, 16) == "12345678901234567")
  }
}
