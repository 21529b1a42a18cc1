import Basics
import EnvContract
import Foundation
import Testing

@testable import RL

/// Iteration `i`'s record: a mean reward of i / 4 and a nested policy loss of -i.
private func record(_ i: Int) -> ResultRecord {
  [
    "episode_reward_mean": .double(Double(i) / 4),
    "info": .record(["learner": .record(["a": .record(["policy_loss": .double(-Double(i))])])]),
  ]
}

private func appendRaw(_ text: String, to path: String) throws {
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seekToEnd()
  try handle.write(contentsOf: Data(text.utf8))
}

private func text(_ path: String) throws -> String {
  try String(contentsOfFile: path, encoding: .utf8)
}

@Suite("Result records")
struct ResultRecordTests {
  private let nested: ResultRecord = [
    "episode_reward_mean": 1.5,
    "timesteps_total": 4000,
    "custom": "say \"hi\"\n\\ tab\t\u{1}",
    "bad": .double(.nan),
    "worst": .double(-.infinity),
    "missing": .null,
    "info": .record(["learner": .record(["a": .record(["policy_loss": -0.03125, "kl": 1e-05])])]),
  ]

  @Test func jsonIsOneLineInOrder() {
    let expected =
      #"{"episode_reward_mean": 1.5, "timesteps_total": 4000, "#
      + #""custom": "say \"hi\"\n\\ tab\t\u0001", "bad": null, "worst": null, "missing": null, "#
      + #""info": {"learner": {"a": {"policy_loss": -0.03125, "kl": 1e-05}}}}"#
    #expect(nested.json == expected)
    #expect(ResultRecord().json == "{}")
  }

  @Test func flatteningJoinsKeysWithSlashes() {
    #expect(
      nested.flattened.map(\.key) == [
        "episode_reward_mean", "timesteps_total", "custom", "bad", "worst", "missing",
        "info/learner/a/policy_loss", "info/learner/a/kl",
      ])
    let withEmpty: ResultRecord = ["a": 1, "e": .record([:]), "b": 2]
    #expect(withEmpty.flattened.map(\.key) == ["a", "b"])
  }

  @Test func pathLookupAndSet() {
    #expect(nested[path: "info/learner/a/kl"] == .double(1e-05))
    #expect(
      nested[path: "info/learner"]
        == .record(["a": .record(["policy_loss": -0.03125, "kl": 1e-05])]))
    #expect(nested[path: "info/learner/b/kl"] == nil)
    #expect(nested[path: "timesteps_total"] == .int(4000))
    var record = nested
    record.set("timesteps_total", 8000)
    record.set("done", "yes")
    #expect(record.fields.map(\.key).suffix(2) == ["info", "done"])
    #expect(record[path: "timesteps_total"] == .int(8000))
  }
}

@Suite("Result log")
struct ResultLogTests {
  @Test func writesJSONLinesAndCSV() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
    try log.append(record(1), iteration: 1)
    try log.append(["episode_reward_mean": 0.5, "extra": "ignored in CSV"], iteration: 2)
    try log.append(["episode_reward_mean": "a,b \"c\"\nd"], iteration: 3)
    #expect(
      try text(directory + "/result.json")
        == #"{"episode_reward_mean": 0.25, "info": {"learner": {"a": {"policy_loss": -1.0}}}, "#
        + #""training_iteration": 1}"# + "\n"
        + #"{"episode_reward_mean": 0.5, "extra": "ignored in CSV", "training_iteration": 2}"#
        + "\n"
        + #"{"episode_reward_mean": "a,b \"c\"\nd", "training_iteration": 3}"# + "\n")
    #expect(
      try text(directory + "/progress.csv")
        == "episode_reward_mean,info/learner/a/policy_loss,training_iteration\n"
        + "0.25,-1.0,1\n0.5,,2\n\"a,b \"\"c\"\"\nd\",,3\n")
    let csv = try ResultLog.readCSV(path: directory + "/progress.csv")
    #expect(
      csv.header == ["episode_reward_mean", "info/learner/a/policy_loss", "training_iteration"])
    #expect(csv.rows == [["0.25", "-1.0", "1"], ["0.5", "", "2"], ["a,b \"c\"\nd", "", "3"]])
    let results = try ResultLog.readResults(path: directory + "/result.json")
    var first = record(1)
    first.set("training_iteration", 1)
    #expect(results.first == first)
    #expect(results.map { $0[path: "training_iteration"] } == [.int(1), .int(2), .int(3)])
  }

  @Test func nonFiniteNumbersInCSVAreWrittenAsPythonDoes() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
    try log.append(
      ["a": .double(.nan), "b": .double(.infinity), "c": .double(-.infinity), "d": .null],
      iteration: 1)
    #expect(
      try text(directory + "/progress.csv") == "a,b,c,d,training_iteration\nnan,inf,-inf,,1\n")
    #expect(
      try text(directory + "/result.json")
        == #"{"a": null, "b": null, "c": null, "d": null, "training_iteration": 1}"# + "\n")
  }

  @Test func resumingKeepsRecordsUpToTheCheckpoint() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
      let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
      for i in 1...5 { try log.append(record(i), iteration: i) }
    }
    let log = try ResultLog(directory: directory, resumeAfterIteration: 3)
    try log.append(record(40), iteration: 4)
    let results = try ResultLog.readResults(path: directory + "/result.json")
    #expect(results.map { $0[path: "training_iteration"] } == [.int(1), .int(2), .int(3), .int(4)])
    #expect(results.last?[path: "info/learner/a/policy_loss"] == .double(-40))
    let csv = try ResultLog.readCSV(path: directory + "/progress.csv")
    #expect(csv.rows.map { $0[2] } == ["1", "2", "3", "4"])
    #expect(csv.rows.last?[1] == "-40.0")
    #expect(try directoryListing(directory) == ["progress.csv", "result.json"])
  }

  @Test func resumingRepairsOrRefusesDamagedHistoryAndSaysSo() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (results, progress) = (directory + "/result.json", directory + "/progress.csv")
    func fiveIterations() throws {
      let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
      for i in 1...5 { try log.append(record(i), iteration: i) }
    }
    try fiveIterations()
    let fullProgress = try text(progress)
    // Iterations recorded after the checkpoint are dropped, and said to be.
    let resumed = try ResultLog(directory: directory, resumeAfterIteration: 3)
    #expect(
      resumed.repairs == [
        "dropped 2 iterations after 3 from result.json and progress.csv: recorded after the checkpoint, they are trained again"
      ])
    let keptProgress = try text(progress)
    #expect(fullProgress.hasPrefix(keptProgress) && keptProgress.split(separator: "\n").count == 4)
    // A missing progress.csv is rebuilt from result.json, identically.
    try FileManager.default.removeItem(atPath: progress)
    let rebuilt = try ResultLog(directory: directory, resumeAfterIteration: 3)
    #expect(rebuilt.repairs == ["progress.csv was missing: rebuilt from result.json (3 iterations)"])
    #expect(try text(progress) == keptProgress)
    // A missing result.json cannot be rebuilt from the flattened CSV: refused.
    try FileManager.default.removeItem(atPath: results)
    #expect(
      throws: CheckpointError(
        file: results,
        message:
          "missing, but progress.csv holds 3 iterations; result.json keeps the run's full records: restore it, or start a new run with --overwrite"
      )
    ) { try ResultLog(directory: directory, resumeAfterIteration: 3) }
    // Rows out of order or short of fields: the row is named, nothing is rewritten.
    try fiveIterations()
    let lines = try text(progress).split(separator: "\n").map(String.init)
    try AtomicFile.write(
      ([lines[0], lines[1], lines[3], lines[2]] + lines[4...]).joined(separator: "\n") + "\n", to: progress)
    #expect(
      throws: CheckpointError(
        file: progress, message: "row 3: training_iteration 2 does not follow 3 (a damaged or edited file?)")
    ) { try ResultLog(directory: directory, resumeAfterIteration: 3) }
    try AtomicFile.write(([lines[0], lines[1], "0.5,-2"] + lines[3...]).joined(separator: "\n") + "\n", to: progress)
    #expect(
      throws: CheckpointError(
        file: progress, message: "row 2 has 2 fields, the header has 3 (a damaged or edited file?)")
    ) { try ResultLog(directory: directory, resumeAfterIteration: 3) }
    #expect(try text(progress).contains("0.5,-2"))
  }

  @Test func resumingDropsATruncatedLastLine() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
      let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
      for i in 1...3 { try log.append(record(i), iteration: i) }
    }
    try appendRaw(#"{"episode_reward_mean": 1.0, "info": {"lea"#, to: directory + "/result.json")
    try appendRaw("1.0,-4", to: directory + "/progress.csv")
    #expect(try ResultLog.readResults(path: directory + "/result.json").count == 3)
    #expect(try ResultLog.readCSV(path: directory + "/progress.csv").rows.count == 3)

    let log = try ResultLog(directory: directory, resumeAfterIteration: 3)
    #expect(try text(directory + "/result.json").hasSuffix(#""training_iteration": 3}"# + "\n"))
    #expect(try text(directory + "/progress.csv").hasSuffix("\n0.75,-3.0,3\n"))
    try log.append(record(4), iteration: 4)
    #expect(try ResultLog.readResults(path: directory + "/result.json").count == 4)
    let iterations = try ResultLog.readCSV(path: directory + "/progress.csv").rows.map { $0[2] }
    #expect(iterations == ["1", "2", "3", "4"])
  }

  @Test func freshLogReplacesExistingFilesAndResumeCreatesMissingOnes() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
      let log = try ResultLog(directory: directory, resumeAfterIteration: 2)
      try log.append(["x": 1], iteration: 3)
    }
    #expect(try text(directory + "/progress.csv") == "x,training_iteration\n1,3\n")
    let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
    try log.append(["y": 2], iteration: 1)
    #expect(try text(directory + "/progress.csv") == "y,training_iteration\n2,1\n")
    #expect(try text(directory + "/result.json") == #"{"y": 2, "training_iteration": 1}"# + "\n")
  }

  @Test func resumingRejectsLinesWithoutAnIteration() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/result.json"
    try AtomicFile.write(#"{"training_iteration": 1}"# + "\n" + #"{"x": 1}"# + "\n", to: path)
    #expect(
      throws: CheckpointError(file: path, message: "line 2 has no integer 'training_iteration'")
    ) {
      try ResultLog(directory: directory, resumeAfterIteration: 1)
    }
    try AtomicFile.write(#"{"training_iteration": 1,}"# + "\n", to: path)
    #expect(
      throws: CheckpointError(
        file: path, message: "line 1, column 26: not valid JSON: trailing comma before '}'")
    ) { try ResultLog(directory: directory, resumeAfterIteration: 1) }
    try AtomicFile.write(#"{"training_iteration": 1, "flag": true}"# + "\n", to: path)
    #expect(
      throws: CheckpointError(
        file: path,
        message: "line 1: 'flag' holds a boolean or an array, which result records cannot")
    ) { try ResultLog.readResults(path: path) }
  }

  @Test func malformedCSVIsReported() throws {
    let directory = try makeScratchDirectory("results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/progress.csv"
    try AtomicFile.write("a,b\n1\n", to: path)
    #expect(throws: CheckpointError(file: path, message: "row 1 has 1 fields, the header has 2")) {
      try ResultLog.readCSV(path: path)
    }
    #expect(
      throws: CheckpointError(file: path, message: "the header has no 'training_iteration' column")
    ) { try ResultLog(directory: directory, resumeAfterIteration: 1) }
    try AtomicFile.write("a,training_iteration\n1,2\n3,x\n", to: path)
    #expect(
      throws: CheckpointError(file: path, message: "row 2 has no integer 'training_iteration'")
    ) { try ResultLog(directory: directory, resumeAfterIteration: 1) }
  }

  @Test func missingDirectoryIsReported() {
    let missing = "/nonexistent-\(UUID().uuidString)"
    #expect(throws: CheckpointError.self) {
      try ResultLog(directory: missing, resumeAfterIteration: nil)
    }
  }
}
