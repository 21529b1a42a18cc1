import Basics
import Foundation
import Testing

@testable import Economy

/// Dense logs have Foundation's structure, survive JSON and `.lz4` round trips, and bad log
/// files give errors that name the file.
@Suite("Dense logs")
struct DenseLogTests {
  /// A random tutorial episode (Foundation's setting of the facts: 1000 steps, seed 7).
  static func tutorialEpisode() throws -> (log: DenseLogRecording, env: Environment) {
    var env = try Environment(config: tutorialConfig())
    let log = try recordEpisode(&env, seed: 7)
    return (log, env)
  }

  /// A random episode of `smallEnvYAML` with the given settings.
  static func smallEpisode(
    episodeLength: Int = 200, period: Int = 50, extra: String = "", seed: UInt64 = 3
  ) throws -> (log: DenseLogRecording, env: Environment) {
    var env = try environment(
      smallEnvYAML(episodeLength: episodeLength, period: period, extra: extra))
    let log = try recordEpisode(&env, seed: seed)
    return (log, env)
  }

  // MARK: - Structure

  // MARK: - Memory

  /// The estimate bounds what a log really takes (recording + JSON text), within a small factor,
  /// for the tutorial and for a small world with snapshots at every step.
  @Test func denseLogEstimateBoundsTheRealSize() throws {
    for (log, env) in [try Self.tutorialEpisode(), try Self.smallEpisode(period: 1)] {
      let recording =
        8 * (log.states.count + log.rewards.count) + 4 * log.actions.count
        + log.snapshots.reduce(0) { $0 + 4 * $1.layers.count + 2 * $1.houseOwner.count }
      let real = Double(recording + log.jsonBytes().count)
      #expect(env.denseLogBytes >= real && env.denseLogBytes <= 5 * real, "estimate \(env.denseLogBytes), real \(real)")
    }
  }

  /// A config that keeps dense logs of episodes too long for memory is refused when the
  /// environment is built, at `dense_log_frequency`, with the estimate and the limit.
  @Test func aDenseLogThatCannotFitIsRefusedUpFront() throws {
    func yaml(_ extra: String) -> String {
      smallEnvYAML(episodeLength: Int(Int32.max), extra: extra)
        .replacingOccurrences(of: "world_dense_log_frequency: 50", with: "world_dense_log_frequency: 1000")
    }
    let message = try #require(
      #expect(throws: ConfigError.self) { try environment(yaml("dense_log_frequency: 1"), file: "long.yaml") }?
        .description)
    #expect(
      message.hasPrefix(
        "long.yaml:14:22: dense_log_frequency: an episode's dense log would need about 7044.5 GiB (episode_length 2147483647, 4 agents, a 25×25 map every 1000 steps), more than the memory limit of "
      ), "\(message)")
    #expect(message.hasSuffix("): lower episode_length, or keep no dense log"))
    // Without dense logs the same episode length builds: nothing is reserved for it.
    #expect(throws: Never.self) {
      try environment(yaml(""))
    }
  }

  @Test func tutorialEpisodeHasFoundationsStructure() throws {
    let (recording, env) = try Self.tutorialEpisode()
    let log = recording.denseLog
    let facts = Facts.value("dense_log")
    #expect(log.root.keys == facts["top_level_keys"]?.arrayValue?.compactMap(\.stringValue))
    for (key, length) in facts["lengths"]?.objectValue?.entries ?? [] {
      #expect(log.list(key).count == length.intValue, "length of \(key)")
    }
    #expect(log.steps == 1000)
    #expect(
      log.snapshotIndices == facts["world_nonempty_indices"]?.arrayValue?.compactMap(\.intValue))

    // Map snapshots: Foundation's keys, the house's owner and health, 25×25 grids.
    let snapshot = try #require(log.list("world").first?.objectValue)
    #expect(snapshot.keys == facts["world_entry_keys"]?.arrayValue?.compactMap(\.stringValue))
    #expect(
      snapshot["House"]?.objectValue?.keys
        == facts["world_entry_House_keys"]?.arrayValue?.compactMap(\.stringValue))
    let stone = try #require(snapshot["Stone"]?.arrayValue)
    #expect(stone.count == 25 && stone.allSatisfy { $0.arrayValue?.count == 25 })

    // States: the same fields, in the same order, as Foundation's first entry.
    let example = try #require(facts["states_entry_example_t0"]?.objectValue)
    for state in log.list("states") {
      let entry = try #require(state.objectValue)
      #expect(entry.keys == example.keys)
      for (agent, fields) in example.entries {
        #expect(
          entry[agent]?.objectValue?.keys == fields.objectValue?.keys, "state fields of \(agent)")
        #expect(entry[agent]?["inventory"]?.objectValue?.keys == ["Coin", "Stone", "Wood"])
        #expect(entry[agent]?["escrow"]?.objectValue?.keys == ["Coin", "Stone", "Wood"])
      }
    }
    let first = try #require(log.list("states").first)
    for a in 0..<4 {
      #expect(first[String(a)]?["inventory"]?["Coin"] == .double(10))
      #expect(first[String(a)]?["endogenous"]?["Labor"] == .double(0))
    }

    // Actions: only non-zero sub-actions, by subspace name; one per mobile agent at most.
    let mobile = env.actionLayout.mobile
    let planner = env.actionLayout.planner
    var plannerActions = 0
    for entry in log.list("actions") {
      #expect(entry.objectValue?.keys == ["0", "1", "2", "3", "p"])
      for a in 0..<4 {
        let actions = try #require(entry[String(a)]?.objectValue)
        #expect(actions.count <= 1)
        for (name, value) in actions.entries {
          let spec = try #require(mobile.first { $0.name == name }, "unknown subspace \(name)")
          #expect((1...spec.count).contains(value.intValue ?? 0), "\(name): \(value)")
        }
      }
      let p = try #require(entry["p"]?.objectValue)
      plannerActions += p.count
      for (name, value) in p.entries {
        let spec = try #require(planner.first { $0.name == name }, "unknown subspace \(name)")
        #expect((1...spec.count).contains(value.intValue ?? 0), "\(name): \(value)")
      }
    }
    #expect(plannerActions > 0)

    // Rewards: one per agent and the planner.
    for entry in log.list("rewards") {
      #expect(entry.objectValue?.keys == ["0", "1", "2", "3", "p"])
      #expect(
        entry.objectValue?.entries.allSatisfy { $0.value.doubleValue?.isFinite == true } == true)
    }

    // Taxes: an entry only on the last step of each period.
    let taxDays = log.list("PeriodicTax").enumerated().compactMap {
      $0.element.objectValue == nil ? nil : $0.offset
    }
    #expect(taxDays == facts["PeriodicTax_nonempty_indices"]?.arrayValue?.compactMap(\.intValue))
    #expect(log.list("PeriodicTax").allSatisfy { $0.objectValue != nil || $0 == .array([]) })
    let taxEntry = try #require(log.list("PeriodicTax")[99].objectValue)
    let taxExample = try #require(
      facts["PeriodicTax_first_nonempty(t_index, entry)"]?[1]?.objectValue)
    #expect(taxEntry.keys == taxExample.keys)
    #expect(taxEntry["0"]?.objectValue?.keys == taxExample["0"]?.objectValue?.keys)

    // Component entries have Foundation's fields.
    let builds = log.list("Build").compactMap(\.arrayValue).joined()
    let buildExample = facts["Build_first_nonempty(t_index, entry)"]?[1]?[0]?.objectValue?.keys
    #expect(builds.allSatisfy { $0.objectValue?.keys == buildExample })
    let gathers = log.list("Gather").compactMap(\.arrayValue).joined()
    let gatherExample = facts["Gather_first_nonempty(t_index, entry)"]?[1]?[0]?.objectValue?.keys
    #expect(!gathers.isEmpty)
    #expect(gathers.allSatisfy { $0.objectValue?.keys == gatherExample })
    let trades = log.list("Trade").compactMap(\.arrayValue).joined()
    let tradeExample = facts["Trade_first_nonempty(t_index, entry)"]?[1]?[0]?.objectValue?.keys
    #expect(trades.allSatisfy { $0.objectValue?.keys == tradeExample })
  }

  @Test(arguments: [
    (230, 50, [0, 50, 100, 150, 200, 230]), (100, 50, [0, 50, 100]), (20, 7, [0, 7, 14, 20]),
  ])
  func worldSnapshotsAtMultiplesOfTheFrequencyAndTheEnd(
    length: Int, frequency: Int, expected: [Int]
  ) throws {
    var env = try environment(
      smallEnvYAML(episodeLength: length).replacingOccurrences(
        of: "world_dense_log_frequency: 50", with: "world_dense_log_frequency: \(frequency)"))
    let log = try recordEpisode(&env, seed: 1).denseLog
    #expect(log.list("world").count == length + 1)
    #expect(log.snapshotIndices == expected)
  }

  @Test func taxEntriesOnlyOnTaxDays() throws {
    let log = try Self.smallEpisode(episodeLength: 230, period: 50).log.denseLog
    let entries = log.list("PeriodicTax")
    #expect(entries.count == 230)
    let taxDays = entries.enumerated().compactMap {
      $0.element.objectValue == nil ? nil : $0.offset
    }
    #expect(taxDays == [49, 99, 149, 199])
    for day in taxDays {
      let entry = try #require(entries[day].objectValue)
      #expect(entry.keys == ["schedule", "cutoffs", "0", "1", "2", "3"])
      #expect(entry["schedule"]?.arrayValue?.count == 7)
      let lumpSums = (0..<4).compactMap { entry[String($0)]?["lump_sum"]?.doubleValue }
      let paid = (0..<4).compactMap { entry[String($0)]?["tax_paid"]?.doubleValue }
      #expect(lumpSums.count == 4 && Set(lumpSums).count == 1)
      expectClose(lumpSums[0] * 4, paid.reduce(0, +), "revenue is redistributed")
    }
  }

  @Test func noTaxLogWhenTaxesAreDisabled() throws {
    let yaml = smallEnvYAML(episodeLength: 20).replacingOccurrences(
      of: "usd_scaling: 1000}", with: "usd_scaling: 1000, disable_taxes: true}")
    var env = try environment(yaml)
    let log = try recordEpisode(&env, seed: 1).denseLog
    #expect(log.root.keys == ["world", "states", "actions", "rewards", "Build", "Trade", "Gather"])
    #expect(log.list("actions").allSatisfy { $0["p"]?.objectValue?.isEmpty == true })
  }

  // MARK: - Round trips

  @Test func jsonRoundTrip() throws {
    let recording = try Self.smallEpisode().log
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = joinPath(directory, "logs/episode.json")
    try DenseLog.write(bytes: recording.jsonBytes(), path: path)
    #expect(try readBytes(path) == recording.jsonBytes())
    let loaded = try DenseLog.load(path: path)
    #expect(loaded == recording.denseLog)
    #expect(loaded.steps == 200)
    // Writing the loaded log gives the same bytes.
    let again = joinPath(directory, "again.json")
    try loaded.write(path: again)
    #expect(try readBytes(again) == recording.jsonBytes())
  }

  @Test func lz4RoundTrip() throws {
    let recording = try Self.smallEpisode().log
    let json = recording.jsonBytes()
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = joinPath(directory, "episode.lz4")
    try DenseLog.write(bytes: json, path: path)
    let bytes = try readBytes(path)
    #expect(Array(bytes.prefix(4)) == [0x04, 0x22, 0x4D, 0x18])
    #expect(bytes.count * 5 < json.count, "compressed \(bytes.count) of \(json.count) bytes")
    #expect(try LZ4Frame.decompress(bytes) == json)
    #expect(try DenseLog.load(path: path) == recording.denseLog)
    // A DenseLog writes the same frame contents.
    let again = joinPath(directory, "again.lz4")
    try DenseLog.load(path: path).write(path: again)
    #expect(try LZ4Frame.decompress(readBytes(again)) == json)
  }

  @Test func lz4IsDetectedByMagicBytesWhateverTheName() throws {
    let recording = try Self.smallEpisode(episodeLength: 10).log
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = joinPath(directory, "episode.bin")
    try AtomicFile.write(LZ4Frame.compress(recording.jsonBytes()), to: path)
    #expect(try DenseLog.load(path: path) == recording.denseLog)
  }

  @Test func readsPythonsLZ4Frames() throws {
    // The fixture was written by Python's lz4.frame; it is JSON but not a dense log, so the
    // reader gets through the frame and the JSON and stops at the structure check.
    let path = fixturePath("python_lz4_frame.lz4")
    #expect(
      throws: DenseLogError(
        origin: path, message: "missing key 'actions'; expected world, states, actions, rewards")
    ) {
      try DenseLog.load(path: path)
    }
  }

  // MARK: - Bad files

  /// The error loading `bytes` written to a file named `name` throws.
  func loadError(_ bytes: [UInt8], name: String = "log.json") throws -> (
    message: String?, path: String
  ) {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = joinPath(directory, name)
    try AtomicFile.write(bytes, to: path)
    do {
      _ = try DenseLog.load(path: path)
      return (nil, path)
    } catch {
      #expect(error.origin == path)
      #expect(error.description == "\(path): \(error.message)")
      return (error.message, path)
    }
  }

  @Test func truncatedJSONNamesLineAndColumn() throws {
    let json = try Self.smallEpisode(episodeLength: 5).log.jsonBytes()
    let (message, _) = try loadError(Array(json.prefix(json.count / 2)))
    let text = try #require(message)
    #expect(text.hasPrefix("malformed JSON: line 1, column \(json.count / 2 + 1): "), "\(text)")
    let (multiline, _) = try loadError(Array("{\"world\": [],\n \"states\": [}\n".utf8))
    #expect(
      multiline?.hasPrefix("malformed JSON: line 2, column 13: ") == true, "\(multiline ?? "")")
  }

  @Test func corruptLZ4() throws {
    let json = try Self.smallEpisode(episodeLength: 5).log.jsonBytes()
    var frame = try LZ4Frame.compress(json)
    let (truncated, _) = try loadError(Array(frame.prefix(frame.count / 2)), name: "log.lz4")
    #expect(
      truncated?.hasPrefix("corrupt LZ4 frame: truncated LZ4 frame") == true, "\(truncated ?? "")")
    for i in stride(from: 20, to: frame.count - 8, by: 7) { frame[i] ^= 0x5A }
    let (damaged, _) = try loadError(frame, name: "log.lz4")
    #expect(damaged?.hasPrefix("corrupt LZ4 frame: ") == true, "\(damaged ?? "")")
    let (plain, _) = try loadError(json, name: "log.lz4")
    #expect(plain == "not an LZ4 frame (the file does not start with the magic bytes 04 22 4d 18)")
  }

  @Test func wrongStructure() throws {
    func message(_ text: String) throws -> String? { try loadError(Array(text.utf8)).message }
    #expect(try message("[1, 2]") == "expected a JSON object at the top level, found a list")
    #expect(
      try message(#"{"world": [], "states": [], "actions": []}"#)
        == "missing key 'rewards'; expected world, states, actions, rewards")
    #expect(
      try message(#"{"world": [], "states": {}, "actions": [], "rewards": []}"#)
        == "'states' must be a list, found an object")
    #expect(
      try message(#"{"world": [{}, {}], "states": [{}], "actions": [{}], "rewards": [{}]}"#)
        == "inconsistent lengths: world 2, states 1, actions 1, rewards 1 (expected T + 1, T + 1, T, T)"
    )
    #expect(
      try message(
        #"{"world": [{}, {}], "states": [{}, {}], "actions": [{}], "rewards": [{}], "Build": [[], []]}"#
      )
        == "component log 'Build' has 2 entries, expected 1")
    #expect(try message(#"{"world": [{}], "states": [{}], "actions": [], "rewards": []}"#) == nil)
  }

  @Test func missingFile() {
    #expect(throws: DenseLogError(origin: "/nonexistent/log.json", message: "no such file")) {
      try DenseLog.load(path: "/nonexistent/log.json")
    }
  }

  // MARK: - Atomic writes

  @Test func atomicWriteLeavesNoTemporaryFileAndReplaces() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let path = joinPath(directory, "log.json")
    try AtomicFile.write(Array("old".utf8), to: path)
    try AtomicFile.write(Array("new contents".utf8), to: path)
    #expect(try readBytes(path) == Array("new contents".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["log.json"])
    let nested = joinPath(directory, "a/b/log.json")
    try DenseLog.write(bytes: Array("{}".utf8), path: nested)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: joinPath(directory, "a/b")) == [
        "log.json"
      ])
  }

  @Test func writeIntoAFileInsteadOfADirectoryFails() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let file = try writeFile("x", named: "file", in: directory)
    let path = joinPath(file, "log.json")
    do {
      try DenseLog.write(bytes: Array("{}".utf8), path: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.origin == path)
      #expect(error.message.hasPrefix("cannot write: "), "\(error.message)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["file"])
  }
}
