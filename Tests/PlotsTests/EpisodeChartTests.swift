import Basics
import Economy
import Foundation
import Testing

@testable import Plots

/// The charts of a dense log: golden images, PNG metadata, Foundation's logs, the report's
/// numbers, and partial output for incomplete logs.
@Suite("Episode charts")
struct EpisodeChartTests {
  @Test func chartsMatchTheGoldenImages() throws {
    let charts = try EpisodeCharts(data: EpisodeData(try tutorialLog()))
    let (files, notes) = charts.all()
    #expect(notes.isEmpty, "\(notes)")
    #expect(
      files.map(\.name) == ["world.png", "agents.png", "trajectories.png", "taxes.png", "economy.png", "report.md"])
    for file in files {
      guard let image = file.image else { continue }
      try assertMatchesGolden(image, named: "tutorial-seed11-" + file.name)
    }
  }

  @Test func renderingIsDeterministic() throws {
    let charts = try EpisodeCharts(data: EpisodeData(try tutorialLog()))
    let a = try #require(charts.world()).render().image()
    let b = try #require(charts.world()).render().image()
    #expect(try a.pngData() == b.pngData())
  }

  @Test func writtenPNGsDecodeWithTheirSizeAndProvenance() throws {
    let directory = try temporaryDirectory("economist-plots")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let charts = try EpisodeCharts(
      data: EpisodeData(try foundationLog()), options: EpisodeChartOptions(size: (900, 500)))
    let path = try ChartFile(name: "agents.png", image: charts.agents().render().image())
      .write(to: directory, source: "logs/ep.lz4", command: "economist plot logs/ep.lz4 --size 900x500")
    let bytes = try #require(FileManager.default.contents(atPath: path))
    let image = try RGBAImage(pngData: [UInt8](bytes))
    #expect(image.width == 900 && image.height == 500)
    // An opaque white background and some ink.
    #expect(image.pixels[0..<4] == [255, 255, 255, 255])
    #expect(Set(stride(from: 3, to: image.pixels.count, by: 4).map { image.pixels[$0] }) == [255])
    let text = try RGBAImage.textChunks(pngData: [UInt8](bytes))
    #expect(text.map(\.key) == ["Software", "Source", "Command"])
    #expect(text.map(\.value) == ["Economist", "logs/ep.lz4", "economist plot logs/ep.lz4 --size 900x500"])
    #expect(throws: PNGError.self) { _ = try RGBAImage(pngData: Array(bytes.prefix(100))) }
    #expect(throws: PNGError("not a PNG file")) { _ = try RGBAImage.textChunks(pngData: [1, 2, 3]) }
  }

  @Test func foundationsOwnLogIsRead() throws {
    let data = EpisodeData(try foundationLog())
    #expect(data.steps == 100 && data.agents == [0, 1, 2, 3])
    #expect(data.snapshots.map(\.t) == [0, 20, 40, 60, 80, 100])
    #expect(data.trades.count == 25 && data.builds.count == 2 && data.taxPeriods.count == 4)
    #expect(data.coin.allSatisfy { $0.count == 101 && $0.first == 10 })
    #expect(data.problems.isEmpty, "\(data.problems)")
    let (files, notes) = try EpisodeCharts(data: data).all()
    #expect(notes.isEmpty && files.count == 6)
    let charts = try EpisodeCharts(data: data, options: EpisodeChartOptions(snapshots: 4))
    #expect(charts.snapshotTimes(4) == [0, 40, 60, 100])
    #expect(charts.snapshotTimes(20) == [0, 20, 40, 60, 80, 100])
  }

  /// Per agent: (sell wood, buy wood, sell stone, buy stone, build, tax, lump sum) summed
  /// straight from the log's JSON.
  static func sums(_ log: DenseLog, agent: Int) -> [Double] {
    var s = [Double](repeating: 0, count: 7)
    for entry in log.list("Trade") {
      for t in entry.arrayValue ?? [] {
        let wood = t["commodity"]?.stringValue == "Wood"
        if t["seller"]?.intValue == agent { s[wood ? 0 : 2] += t["income"]?.doubleValue ?? 0 }
        if t["buyer"]?.intValue == agent { s[wood ? 1 : 3] -= t["cost"]?.doubleValue ?? 0 }
      }
    }
    for entry in log.list("Build") {
      for b in entry.arrayValue ?? [] where b["builder"]?.intValue == agent { s[4] += b["income"]?.doubleValue ?? 0 }
    }
    for entry in log.list("PeriodicTax") {
      guard let record = entry[String(agent)] else { continue }
      s[5] -= record["tax_paid"]?.doubleValue ?? 0
      s[6] += record["lump_sum"]?.doubleValue ?? 0
    }
    return s
  }

  @Test(arguments: ["tutorial", "foundation"])
  func reportNumbersAreTheLogsSums(_ which: String) throws {
    let log = which == "tutorial" ? try tutorialLog() : try foundationLog()
    let data = EpisodeData(log)
    let report = try EpisodeCharts(data: data).report()
    var rows = 0
    for line in report.split(separator: "\n") where line.hasPrefix("| ") && line.split(separator: "|").count == 9 {
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let agent = Int(cells[0]) else { continue }
      let expected = Self.sums(log, agent: agent)
      #expect(Array(cells[1...7]) == expected.map { Ticks.format($0) }, "agent \(agent)")
      // Coin changes only through these sources (escrow counted as held).
      let slot = try #require(data.slot(of: agent))
      let change = (data.coin[slot].last ?? 0) - (data.coin[slot].first ?? 0)
      #expect(abs(expected.reduce(0, +) - change) < 1e-6, "agent \(agent): \(expected.reduce(0, +)) vs \(change)")
      #expect(cells[8] == Ticks.format(expected.reduce(0, +)))
      rows += 1
    }
    #expect(rows == 4)
  }

  @Test func aLogWithoutSnapshotsOrTaxesStillGivesTheOtherCharts() throws {
    let log = try modified(try tutorialLog()) { entries in
      entries = entries.filter { $0.key != "PeriodicTax" }.map {
        $0.key == "world" ? ($0.key, .array(($0.value.arrayValue ?? []).map { _ in .object(JSONObject()) })) : $0
      }
    }
    let (files, notes) = try EpisodeCharts(data: EpisodeData(log)).all()
    #expect(files.map(\.name) == ["agents.png", "trajectories.png", "economy.png", "report.md"])
    #expect(
      notes == [
        "world.png not written: the log has no world snapshots",
        "taxes.png not written: the log has no taxes (no PeriodicTax entries)",
      ])
  }

  @Test func anUnknownAgentIsAClearError() throws {
    let data = EpisodeData(try foundationLog())
    #expect(throws: PlotError("no agent 7 in the log; its agents are 0, 1, 2, 3")) {
      _ = try EpisodeCharts(data: data, options: EpisodeChartOptions(agents: [0, 7]))
    }
    let two = try EpisodeCharts(data: data, options: EpisodeChartOptions(agents: [2, 0]))
    #expect(two.trajectories().cols == 2 && two.slots == [2, 0])
    let empty = try modified(try foundationLog()) { entries in
      // Only the planner's state in every entry.
      entries = entries.map { e in
        guard e.key == "states" else { return e }
        return (e.key, .array((e.value.arrayValue ?? []).map { .object(JSONObject([("p", $0["p"] ?? .null)])) }))
      }
    }
    #expect(throws: PlotError("the log has no agent states ('states' holds no agent \"0\")")) {
      _ = try EpisodeCharts(data: EpisodeData(empty))
    }
  }
}
