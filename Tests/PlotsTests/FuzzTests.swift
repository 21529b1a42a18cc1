import Basics
import Economy
import FuzzSupport
import Testing

@testable import Plots

/// Damaged and hostile dense logs and progress tables: charts or a clear error, never a trap.
@Suite("Fuzzed chart inputs")
struct ChartFuzzTests {
  @Test func denseLogsToCharts() throws {
    var config = try EnvironmentConfig.load(path: repositoryRoot + "/scenarios/gather_trade_build.yaml")
    config.episodeLength = 20
    var env = try Environment(config: config)
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 3, forceDenseLog: true)
    let base = try #require(summary.denseLog).jsonBytes()
    var mutator = Mutator(seed: 31)
    var drawn = 0
    for _ in 0..<40 {
      guard let json = try? JSONParser.parse(mutator.mutate(base)), let log = try? DenseLog(json: json, origin: "f")
      else { continue }
      if (try? EpisodeCharts(data: EpisodeData(log)).all()) != nil { drawn += 1 }
    }
    #expect(drawn > 3, "drawn \(drawn)")
  }

  @Test func progressTablesToCurves() throws {
    let base = TrainingChartTests.csv
    var mutator = Mutator(seed: 32)
    var drawn = 0
    for _ in 0..<60 {
      guard let table = try? ProgressTable(csv: mutator.mutate(base), origin: "p.csv") else { continue }
      _ = TrainingCharts(table: table, smoothing: 2).figure().render()
      drawn += 1
    }
    #expect(drawn > 5, "drawn \(drawn)")
  }
}
