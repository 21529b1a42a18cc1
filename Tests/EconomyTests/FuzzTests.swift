import Basics
import Foundation
import FuzzSupport
import Testing

@testable import Economy

/// Thousands of damaged and hostile variants of valid inputs, seeded: every reader gives a value
/// or an error, never a trap (which would end the test process) or a hang.
@Suite("Fuzzed inputs")
struct FuzzTests {
  @Test func configsAndTheEnvironmentsTheyBuild() throws {
    let base = Array(smallEnvYAML(episodeLength: 5).utf8)
    let (accepted, rejected) = Mutator.fuzz(base, count: 600, seed: 1) { bytes in
      let config: EnvironmentConfig
      var env: Environment
      do {
        config = try EnvironmentConfig.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "f.yaml")
        env = try Environment(config: config)
      } catch {
        if ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil { print("rejected:", error) }
        return false
      }
      env.reset(seed: 1)
      var sampler = RandomActions(seed: 2)
      for _ in 0..<3 where !env.isDone {
        sampler.fill(&env)
        env.step()
      }
      return true
    }
    #expect(accepted >= 1 && rejected > 100, "accepted \(accepted), rejected \(rejected)")
  }

  @Test func layouts() throws {
    let base = try #require(
      FileManager.default.contents(atPath: repositoryRoot + "/layouts/quadrant_8x8_4each_8clump.txt"))
    let (accepted, rejected) = Mutator.fuzz([UInt8](base), count: 2000, seed: 2) { bytes in
      (try? LayoutFile(text: String(decoding: bytes, as: UTF8.self), origin: "m.txt")) != nil
    }
    #expect(accepted > 20 && rejected > 20, "accepted \(accepted), rejected \(rejected)")
  }

  @Test func tracesAndTheirReplay() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let base = Array(
      traceJSON(
        envJSON: smallEnvJSON(episodeLength: 3),
        initialState: #"{"0": {"loc": [7, 3], "build_payment": 12.5, "bonus_gather_prob": 0.75}}"#,
        steps: [#"{"0": 47, "1": 0, "2": 2, "3": 0, "p": [0, 0, 0, 0, 0, 0, 0]}"#]
      ).utf8)
    let path = directory + "/t.json"
    let (accepted, rejected) = Mutator.fuzz(base, count: 300, seed: 3) { bytes in
      try? AtomicFile.write(bytes, to: path)
      guard let trace = try? Trace.load(path: path) else { return false }
      return (try? Replay.run(trace)) != nil
    }
    #expect(accepted >= 1 && rejected > 100, "accepted \(accepted), rejected \(rejected)")
  }

  /// A 5-step episode's dense log, as JSON bytes.
  static func denseLogBytes() throws -> [UInt8] {
    var env = try Environment(config: EnvironmentConfig.parse(yaml: smallEnvYAML(episodeLength: 5), file: nil))
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 4, forceDenseLog: true)
    return try #require(summary.denseLog).jsonBytes()
  }

  @Test func denseLogsAndTheirLZ4Frames() throws {
    let json = try Self.denseLogBytes()
    let (accepted, rejected) = Mutator.fuzz(json, count: 1000, seed: 5) { bytes in
      guard let value = try? JSONParser.parse(bytes) else { return false }
      return (try? DenseLog(json: value, origin: "log")) != nil
    }
    #expect(accepted > 20 && rejected > 20, "accepted \(accepted), rejected \(rejected)")
    let frame = try LZ4Frame.compress(json, level: 1)
    Mutator.fuzz(frame, count: 2000, seed: 6) { bytes in (try? LZ4Frame.decompress(bytes, limit: 1 << 24)) != nil }
  }

  @Test func episodeProgressOfACheckpoint() throws {
    var env = try Environment(config: EnvironmentConfig.parse(yaml: smallEnvYAML(episodeLength: 20), file: nil))
    env.tracksEpisodes = true
    env.reset(seed: 7)
    var sampler = RandomActions(seed: 8)
    for _ in 0..<5 {
      sampler.fill(&env)
      env.step()
    }
    let base = JSONWriter.serialize(try #require(env.episodeProgress).json)
    let (accepted, rejected) = Mutator.fuzz(base, count: 600, seed: 9) { bytes in
      guard let value = try? JSONParser.parse(bytes), let progress = try? EpisodeProgress(json: value) else {
        return false
      }
      var copy = env
      return (try? copy.resume(progress)) != nil
    }
    #expect(accepted > 3 && rejected > 100, "accepted \(accepted), rejected \(rejected)")
  }
}
