import Basics
import Economy
import Foundation
import Testing

@testable import Plots

/// The repository checkout.
let repositoryRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// This test target's directory.
let testsDirectory = repositoryRoot + "/Tests/PlotsTests"

/// A 200-step random episode of the tutorial world (seed 11): map snapshots every 50 steps, two
/// 100-step tax periods, trades and builds.
func tutorialLog() throws -> DenseLog {
  var config = try EnvironmentConfig.load(path: repositoryRoot + "/scenarios/gather_trade_build.yaml")
  config.episodeLength = 200
  var env = try Environment(config: config)
  let summary = EpisodeRunner.runRandomEpisode(&env, seed: 11, forceDenseLog: true)
  let recording = try #require(summary.denseLog)
  return try DenseLog(json: try JSONParser.parse(recording.jsonBytes()), origin: "tutorial seed 11")
}

/// Foundation's own dense log (see Fixtures/README.md).
func foundationLog() throws -> DenseLog {
  try DenseLog.load(path: testsDirectory + "/Fixtures/foundation-episode-100steps.lz4")
}

/// `log` with the top-level entries changed by `change`.
func modified(_ log: DenseLog, _ change: (inout [(key: String, value: JSONValue)]) -> Void) throws -> DenseLog {
  var entries = log.root.entries
  change(&entries)
  return try DenseLog(json: .object(JSONObject(entries)), origin: "modified")
}

/// A fresh temporary directory.
func temporaryDirectory(_ name: String) throws -> String {
  let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Compares `image` with the golden PNG `name` pixel by pixel.
///
/// Font rasterization may differ by a shade between library builds, so up to 0.2% of the
/// pixels may differ by more than 24 levels in a channel; everything else must match. With
/// `RECORD_SNAPSHOTS=1` the golden file is rewritten and the test fails, so that the change is
/// reviewed (look at the PNG).
func assertMatchesGolden(_ image: RGBAImage, named name: String, sourceLocation: SourceLocation = #_sourceLocation)
  throws
{
  let path = testsDirectory + "/Golden/" + name
  if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
    let bytes = try image.pngData(compression: 9)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    Issue.record(
      "recorded golden \(name); look at it, then run again without RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
    return
  }
  guard let data = FileManager.default.contents(atPath: path) else {
    Issue.record(
      "missing golden \(name); run RECORD_SNAPSHOTS=1 swift test to create it", sourceLocation: sourceLocation)
    return
  }
  let golden = try RGBAImage(pngData: [UInt8](data))
  guard golden.width == image.width && golden.height == image.height else {
    Issue.record(
      "\(name): \(image.width)×\(image.height), golden \(golden.width)×\(golden.height)", sourceLocation: sourceLocation
    )
    return
  }
  var differing = 0
  var first: (x: Int, y: Int)?
  for i in 0..<(image.width * image.height) {
    var worst = 0
    for c in 0..<4 { worst = max(worst, abs(Int(image.pixels[i * 4 + c]) - Int(golden.pixels[i * 4 + c]))) }
    if worst > 24 {
      differing += 1
      if first == nil { first = (i % image.width, i / image.width) }
    }
  }
  let allowed = image.width * image.height / 500
  #expect(
    differing <= allowed,
    "\(name): \(differing) pixels differ from the golden file (at most \(allowed)); first at \(first.map { "(\($0.x), \($0.y))" } ?? "-")",
    sourceLocation: sourceLocation)
}
