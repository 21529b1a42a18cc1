import Basics
import Foundation
import Testing

@testable import Economy

/// Directory of the golden files (in the source tree, so `RECORD_SNAPSHOTS=1` can rewrite them).
let snapshotDirectory: String = {
  var url = URL(fileURLWithPath: #filePath)
  url.deleteLastPathComponent()
  return url.appendingPathComponent("Snapshots").path
}()

/// Compares bytes with a golden file.
///
/// With `RECORD_SNAPSHOTS=1` the file is rewritten and the test fails, so that the change is
/// reviewed before it is accepted.
func assertSnapshot(_ bytes: [UInt8], named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let path = snapshotDirectory + "/" + name
  if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
    do {
      try AtomicFile.write(bytes, to: path)
      Issue.record(
        "recorded snapshot \(name); review the diff and run again without RECORD_SNAPSHOTS",
        sourceLocation: sourceLocation)
    } catch {
      Issue.record("cannot record snapshot \(name): \(error)", sourceLocation: sourceLocation)
    }
    return
  }
  guard let data = FileManager.default.contents(atPath: path) else {
    Issue.record(
      "missing snapshot \(name); run RECORD_SNAPSHOTS=1 swift test to create it", sourceLocation: sourceLocation)
    return
  }
  let expected = [UInt8](data)
  if expected != bytes {
    let prefix = zip(expected, bytes).prefix { $0 == $1 }.count
    let context = String(decoding: bytes[max(0, prefix - 60)..<min(bytes.count, prefix + 60)], as: UTF8.self)
    Issue.record(
      "snapshot \(name) differs at byte \(prefix) (expected \(expected.count) bytes, got \(bytes.count)): …\(context)…",
      sourceLocation: sourceLocation)
  }
}

@Suite("Golden files")
struct SnapshotTests {
  /// A 60-step episode of the tutorial config, seed 11: any change to the simulation's behaviour,
  /// its random streams or the dense-log format shows up here.
  @Test func tutorialEpisodeDenseLog() throws {
    var config = try tutorialConfig()
    config.episodeLength = 60
    var env = try Environment(config: config)
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 11, forceDenseLog: true)
    let log = try #require(summary.denseLog)
    assertSnapshot(log.jsonBytes(), named: "tutorial-seed11-60steps.json")
    var metrics = JSONWriter()
    metrics.beginObject()
    for (key, value) in summary.metrics {
      metrics.key(key)
      metrics.value(value)
    }
    metrics.endObject()
    assertSnapshot(metrics.bytes, named: "tutorial-seed11-60steps-metrics.json")
  }

  @Test(arguments: [
    ["--help"], ["simulate", "--help"], ["inspect", "--help"], ["replay", "--help"], ["bench", "env", "--help"],
    ["train", "--help"], ["evaluate", "--help"], ["bench", "train", "--help"], ["plot", "--help"],
    ["bench", "plot", "--help"], ["compare", "--help"],
  ])
  func helpText(_ arguments: [String]) throws {
    let out = try runEconomist(arguments)
    #expect(out.status == 0)
    assertSnapshot(
      Array(out.stdout.utf8), named: (["help", "economist"] + arguments.dropLast()).joined(separator: "-") + ".txt")
  }
}
