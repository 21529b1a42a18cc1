import EnvContract
import Foundation
import FuzzSupport
import Testing

@testable import EconomyEnv
@testable import EconomyTraining

/// Damaged and hostile variants of Foundation's run config: a value or a located error, never a
/// trap.
@Suite("Fuzzed run configs")
struct RunConfigFuzzTests {
  @Test func foundationsPhaseTwoConfig() {
    var mutator = Mutator(seed: 21)
    var accepted = 0
    for _ in 0..<300 where (try? RunConfig.parse(yaml: mutator.mutate(RunConfigTests.phase2), file: "c.yaml")) != nil {
      accepted += 1
    }
    #expect(accepted > 20 && accepted < 290, "accepted \(accepted)")
  }
}
