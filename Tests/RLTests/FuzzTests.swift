import Basics
import EnvContract
import Foundation
import FuzzSupport
import NN
import Testing

@testable import RL

/// Damaged and hostile variants of the run directory's files: every reader gives a value or an
/// error naming the file, never a trap.
@Suite("Fuzzed run files")
struct RunFileFuzzTests {
  @Test func safetensors() {
    let file = SafeTensors(
      tensors: [
        ("w", .init(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])), ("b", .init(shape: [3], values: [0.5, -1, 2])),
      ],
      metadata: ["format": "economist-weights-1"])
    let (accepted, rejected) = Mutator.fuzz(file.encoded(), count: 3000, seed: 11) { bytes in
      (try? SafeTensors(decoding: bytes, file: "f.safetensors")) != nil
    }
    #expect(accepted > 20 && rejected > 20, "accepted \(accepted), rejected \(rejected)")
  }

  @Test func resultLogsOnResume() throws {
    let directory = try makeScratchDirectory("fuzz-results")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    do {
      let log = try ResultLog(directory: directory, resumeAfterIteration: nil)
      for i in 1...3 {
        try log.append(["episode_reward_mean": .double(Double(i)), "info": .record(["lr": 0.001])], iteration: i)
      }
    }
    let results = try FileBytes.contents(of: directory + "/result.json")
    let progress = try FileBytes.contents(of: directory + "/progress.csv")
    var mutator = Mutator(seed: 12)
    var rejected = 0
    for round in 0..<300 {
      let damaged = round % 2 == 0
      try AtomicFile.write(damaged ? mutator.mutate(results) : results, to: directory + "/result.json")
      try AtomicFile.write(damaged ? progress : mutator.mutate(progress), to: directory + "/progress.csv")
      do {
        _ = try ResultLog.readResults(path: directory + "/result.json")
        _ = try ResultLog.readCSV(path: directory + "/progress.csv")
        _ = try ResultLog(directory: directory, resumeAfterIteration: 2)
      } catch {
        rejected += 1
        #expect(error.file.hasPrefix(directory), "\(error)")
      }
    }
    #expect(rejected > 20, "rejected \(rejected)")
  }

  @Test func checkpointState() throws {
    let directory = try makeScratchDirectory("fuzz-state")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let pool = WorkerPool(threads: 1)
    let trainer = try Trainer(env: ContextBandit(envs: 4), config: ToyTrainerTests.config(), seed: 3, pool: pool)
    _ = try trainer.step()
    try trainer.saveCheckpoint(to: directory)
    let state = try FileBytes.contents(of: directory + "/state.json")
    let (accepted, rejected) = Mutator.fuzz(state, count: 150, seed: 13) { bytes in
      try? AtomicFile.write(bytes, to: directory + "/state.json")
      guard
        let fresh = try? Trainer(env: ContextBandit(envs: 4), config: ToyTrainerTests.config(), seed: 3, pool: pool),
        (try? fresh.restoreCheckpoint(from: directory)) != nil
      else { return false }
      // What was accepted trains on.
      return (try? fresh.step()) != nil
    }
    #expect(accepted >= 1 && rejected > 50, "accepted \(accepted), rejected \(rejected)")
  }
}
