import Foundation
import Testing

@testable import Plots

/// Training curves from `progress.csv`.
@Suite("Training charts")
struct TrainingChartTests {
  /// 12 iterations of a two-policy run (the columns our trainer writes), metrics missing in the
  /// first iteration as before any episode ends.
  static let csv: String = {
    var lines = [
      "training_iteration,timesteps_total,episode_reward_mean,policy_reward_mean/a,policy_reward_mean/p,"
        + "episode_metrics/social/productivity,episode_metrics/social/equality,"
        + "episode_metrics/social/equality_times_productivity,info/learner/a/policy_loss,info/learner/a/vf_loss,"
        + "info/learner/a/entropy,info/learner/a/approx_kl,info/learner/a/clip_fraction,info/learner/p/policy_loss,"
        + "info/learner/p/vf_loss,info/learner/p/entropy,info/learner/p/approx_kl,info/learner/p/clip_fraction,"
        + "timers/env_steps_per_s,episode_metrics/labor/weighted_cost,time_total_s,note"
    ]
    for i in 1...12 {
      let x = Double(i)
      let metric = i == 1 ? "nan,nan,nan" : "\(100 + 20 * x),\(0.9 - 0.02 * x),\((100 + 20 * x) * (0.9 - 0.02 * x))"
      lines.append(
        "\(i),\(4000 * i),\(-50 + 8 * x),\(-20 + 3 * x),\(10 + x),\(metric),\(-0.01 * x),\(20 / x),\(2.2 - 0.05 * x),"
          + "\(0.01 + 0.001 * x),\(0.05),\(-0.02),\(5 / x),\(7.5),\(0.02),\(0.1),\(1400 + 10 * x),\(i == 1 ? "nan" : "\(0.21 * (1 - 1 / x))"),\(700 * x),\"a, b\""
      )
    }
    return lines.joined(separator: "\n") + "\n"
  }()

  @Test func columnsAreFoundBySuffixAndQuotedFieldsKept() throws {
    let table = try ProgressTable(csv: Self.csv, origin: "progress.csv")
    #expect(table.rows.count == 12 && table.columns.last == "note")
    #expect(table.column("timesteps_total")?.last == 48000)
    #expect(table.column("social/productivity")?[1] == 140)
    #expect(table.column("social/productivity")?[0].isNaN == true)
    #expect(table.column("env_steps_per_s")?.first == 1410)
    #expect(table.column("no_such_column") == nil)
  }

  @Test func aLastRowWithoutItsNewlineIsPlottedAndATornOneNamed() throws {
    // RFC 4180 lets the last record end without a line break (files from other tools).
    let table = try ProgressTable(csv: "training_iteration,x\r\n1,5\r\n2,7", origin: "p.csv")
    #expect(table.rows == [[1, 5], [2, 7]])
    // A row cut short is an error naming the line, never a silent drop.
    #expect(throws: PlotError("p.csv:3: 1 fields, but the header has 2 (a truncated or damaged file?)")) {
      try ProgressTable(csv: "training_iteration,x\n1,5\n2", origin: "p.csv")
    }
  }

  @Test func smoothingIsATrailingMeanThatSkipsNaN() throws {
    let table = try ProgressTable(csv: Self.csv, origin: "progress.csv")
    let charts = TrainingCharts(table: table, smoothing: 3)
    #expect(charts.smoothed([1, 2, 3, 4]) == [1, 1.5, 2, 3])
    let skipped = charts.smoothed([.nan, 2, 4])
    #expect(skipped[0].isNaN && Array(skipped[1...]) == [2, 3])
    #expect(charts.policies == ["a", "p"])
  }

  @Test func wallTimeAxisUsesTheWholeRunsSecondsInAReadableUnit() throws {
    let table = try ProgressTable(csv: Self.csv, origin: "progress.csv")
    let hours = TrainingCharts(table: table, xAxis: .wallTime).xValues()
    #expect(hours.label == "wall time (h)" && hours.xs.first == 700.0 / 3600 && hours.xs.last == 8400.0 / 3600)
    let steps = TrainingCharts(table: table).xValues()
    #expect(steps.label == "env steps" && steps.xs.last == 48000)
    let short = try ProgressTable(csv: "training_iteration,time_total_s\n1,30\n2,150\n", origin: "p.csv")
    #expect(TrainingCharts(table: short, xAxis: .wallTime).xValues().label == "wall time (min)")
    let bare = try ProgressTable(csv: "training_iteration\n1\n2\n", origin: "p.csv")
    #expect(TrainingCharts(table: bare, xAxis: .wallTime).xValues() == ([1, 2], "iteration"))
  }

  @Test func trainingChartMatchesTheGoldenImage() throws {
    let table = try ProgressTable(csv: Self.csv, origin: "progress.csv")
    let figure = TrainingCharts(table: table, smoothing: 2).figure()
    try assertMatchesGolden(figure.render().image(), named: "training-12-iterations.png")
  }

  @Test func damagedFilesAreClearErrors() {
    #expect(throws: PlotError("p.csv: empty file; expected a header row and one row per iteration")) {
      _ = try ProgressTable(csv: "", origin: "p.csv")
    }
    #expect(throws: PlotError("p.csv: no iterations recorded yet (only the header)")) {
      _ = try ProgressTable(csv: "a,b\n", origin: "p.csv")
    }
    #expect(throws: PlotError("p.csv:3: 1 fields, but the header has 2 (a truncated or damaged file?)")) {
      _ = try ProgressTable(csv: "a,b\n1,2\n3", origin: "p.csv")
    }
  }
}
