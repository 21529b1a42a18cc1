import Testing

@testable import Plots

@Suite("Ticks")
struct TicksTests {
  @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    #expect(Ticks.niceStep(0.13) == 0.2)
    #expect(Ticks.niceStep(3) == 5)
    #expect(Ticks.niceStep(7) == 10)
    #expect(Ticks.niceStep(1000) == 1000)
    #expect(Ticks.niceStep(1_400_000) == 2_000_000)
  }

  @Test func ticksLieInsideTheRangeAtMultiplesOfTheStep() {
    #expect(Ticks.values(lo: 0, hi: 1000, target: 5) == [0, 200, 400, 600, 800, 1000])
    #expect(Ticks.values(lo: -0.3, hi: 0.45, target: 4) == [-0.2, 0, 0.2, 0.4])
    #expect(Ticks.values(lo: 2, hi: 2, target: 4) == [2])
  }

  @Test func labelsUseFewDecimalsAndSuffixes() {
    #expect(Ticks.labels([0, 0.2, 0.4]) == ["0.0", "0.2", "0.4"])
    #expect(Ticks.labels([0, 250, 500]) == ["0", "250", "500"])
    #expect(Ticks.labels([0, 20000, 40000]) == ["0", "20k", "40k"])
    #expect(Ticks.labels([0, 500_000, 1_000_000, 1_500_000]) == ["0.0", "0.5M", "1.0M", "1.5M"])
    #expect(Ticks.format(2.5) == "2.5" && Ticks.format(3.0) == "3" && Ticks.format(-0.0001) == "0")
  }
}
