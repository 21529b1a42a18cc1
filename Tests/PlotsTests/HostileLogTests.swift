import Basics
import Economy
import Testing

@testable import Plots

/// Values a dense log or progress.csv may hold, legitimate or damaged, never trap the charts:
/// damaged ones are named in the notes, legitimate but degenerate ones (ranges a few ulps wide,
/// ranges no Double spans) are drawn on a sensible axis.
@Suite("Charts of hostile logs")
struct HostileLogTests {
  /// The tutorial log with every PeriodicTax record's `key` set to `value`.
  static func taxes(_ key: String, _ value: JSONValue) throws -> DenseLog {
    try modified(try tutorialLog()) { entries in
      entries = entries.map { entry in
        guard entry.key == "PeriodicTax" else { return entry }
        let records = (entry.value.arrayValue ?? []).map { record -> JSONValue in
          guard var object = record.objectValue, object["cutoffs"] != nil else { return record }
          object[key] = value
          return .object(object)
        }
        return (entry.key, .array(records))
      }
    }
  }

  static let damagedCutoffs: [(JSONValue, String)] = [
    ([0, -5], "[0, -5]"), ([5, 1], "[5, 1]"), ([0, .double(.nan)], "[0, n/a]"),
    ([0, .double(-.infinity)], "[0, -∞]"), ([1, 2], "[1, 2]"),
  ]

  @Test(arguments: damagedCutoffs)
  func damagedCutoffsAreNamedNotDrawn(cutoffs: JSONValue, shown: String) throws {
    let data = EpisodeData(try Self.taxes("cutoffs", cutoffs))
    #expect(
      data.problems.first == "PeriodicTax[99].cutoffs: expected rising finite numbers starting at 0, found \(shown)")
    let (files, notes) = try EpisodeCharts(data: data).all()
    #expect(files.contains { $0.name == "taxes.png" })
    #expect(notes.contains { $0.contains("PeriodicTax[99].cutoffs") })
  }

  @Test func ratesOutsideZeroToOneAreNamed() throws {
    let data = EpisodeData(try Self.taxes("schedule", [0.1, 0.1, 0.1, 2, 0.1, 0.1, 0.1]))
    #expect(
      data.problems.first
        == "PeriodicTax[99].schedule: expected one rate in 0...1 per cutoff (7), found [0.1, 0.1, 0.1, 2, 0.1, 0.1, 0.1]"
    )
    _ = try EpisodeCharts(data: data).all()
  }

  @Test func houseOwnersThatAreNotAgentsAreNamed() throws {
    let log = try modified(try tutorialLog()) { entries in
      entries = entries.map { entry in
        guard entry.key == "world" else { return entry }
        let maps = (entry.value.arrayValue ?? []).map { snapshot -> JSONValue in
          guard var object = snapshot.objectValue, let house = object["House"]?.objectValue,
            let rows = house["owner"]?.arrayValue
          else { return snapshot }
          var owner = rows
          owner[0] = .array((rows[0].arrayValue ?? []).enumerated().map { $0.offset == 0 ? .double(.nan) : $0.element })
          var changed = house
          changed["owner"] = .array(owner)
          object["House"] = .object(changed)
          return .object(object)
        }
        return (entry.key, .array(maps))
      }
    }
    let data = EpisodeData(log)
    #expect(
      data.problems.contains(
        "world[0].House.owner: expected the log's agent indices or -1; other values drawn as no house"))
    _ = try EpisodeCharts(data: data).all()
  }

  @Test func axesFewUlpsWideOrBeyondEveryDoubleDraw() throws {
    // A flat 10% tax writes 0.1 and 0.09999999999999999; coin may differ by one ulp.
    for values in [[0.1, 0.09999999999999999, 0.1], [1000, 1000.0000000000001], [1e17, 100_000_000_000_000_016]] {
      let axes = Axes(title: "ulps")
      axes.add(Series(.line, xs: values.indices.map(Double.init), ys: values, color: Palette.agent(0)))
      let figure = Figure(width: 300, height: 200, rows: 1, cols: 1)
      figure.add(axes, row: 0, col: 0)
      _ = figure.render()
    }
    let wide = Axes(title: "wide")
    wide.add(Series(.line, xs: [-1e308, 1e308], ys: [1, 2], color: Palette.agent(1)))
    let figure = Figure(width: 300, height: 200, rows: 1, cols: 1)
    figure.add(wide, row: 0, col: 0)
    _ = figure.render()
    #expect(Ticks.values(lo: 1000, hi: 1000.0000000000001) == [1000])
    #expect(Ticks.values(lo: -1e308, hi: 1e308) == [-1e308])
    #expect(Ticks.labels([5, 5]) == ["5", "5"])
  }

  @Test func trainingCurvesOfDegenerateProgressDraw() throws {
    for csv in [
      "training_iteration,timesteps_total,episode_reward_mean\n1,100,1e17\n2,200,100000000000000016\n",
      "training_iteration,timesteps_total,episode_reward_mean\n1,-1e308,1\n2,1e308,2\n",
    ] {
      let table = try ProgressTable(csv: csv, origin: "p.csv")
      _ = TrainingCharts(table: table, smoothing: 1).figure().render()
    }
  }
}
