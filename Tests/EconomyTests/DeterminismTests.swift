import Foundation
import Testing

@testable import Economy

/// The same config and seed give the same episode, byte for byte, within a process and across
/// processes (Swift's hashing is seeded per process, so any dependence on `Dictionary` or `Set`
/// order would show up between processes).
@Suite("Determinism")
struct DeterminismTests {
  static let tutorialPath = repositoryRoot + "/scenarios/gather_trade_build.yaml"

  /// The dense log JSON of a random tutorial episode with `seed`, from a fresh environment.
  static func tutorialLog(seed: UInt64) throws -> [UInt8] {
    var env = try Environment(config: tutorialConfig())
    return try recordEpisode(&env, seed: seed).jsonBytes()
  }

  @Test func sameSeedGivesIdenticalBytesInOneProcess() throws {
    let first = try Self.tutorialLog(seed: 5)
    let second = try Self.tutorialLog(seed: 5)
    #expect(first.count > 1_000_000)
    #expect(first == second)
  }

  @Test func differentSeedsGiveDifferentEpisodes() throws {
    #expect(try Self.tutorialLog(seed: 5) != Self.tutorialLog(seed: 6))
  }

  @Test func resettingWithTheSameSeedRepeatsTheEpisode() throws {
    // No annealing is configured, so the number of completed episodes does not matter.
    var env = try Environment(config: tutorialConfig())
    let first = try recordEpisode(&env, seed: 8).jsonBytes()
    _ = try recordEpisode(&env, seed: 3)
    let again = try recordEpisode(&env, seed: 8).jsonBytes()
    #expect(first == again)
  }

  @Test func uniformScenarioIsDeterministicToo() throws {
    func log(_ seed: UInt64) throws -> [UInt8] {
      var config = try EnvironmentConfig.load(
        path: repositoryRoot + "/scenarios/uniform_gather_trade_build.yaml")
      config.episodeLength = 200
      var env = try Environment(config: config)
      return try recordEpisode(&env, seed: seed).jsonBytes()
    }
    #expect(try log(4) == log(4))
    #expect(try log(4) != log(5))
  }

  @Test func multiActionModeIsDeterministicToo() throws {
    func log(_ seed: UInt64) throws -> [UInt8] {
      var env = try environment(smallEnvYAML(extra: "multi_action_mode_agents: true"))
      return try recordEpisode(&env, seed: seed).jsonBytes()
    }
    #expect(try log(4) == log(4))
    #expect(try log(4) != log(5))
  }

  @Test func observationsAndRewardsAreDeterministicWithoutADenseLog() throws {
    func run(_ seed: UInt64) throws -> (obs: [Float], mask: [Float], rewards: [Double]) {
      var env = try Environment(config: tutorialConfig())
      env.reset(seed: seed, forceDenseLog: false)
      var policy = RandomActions(seed: 99)
      var rewards: [Double] = []
      for _ in 0..<300 {
        policy.fill(&env)
        env.step()
        rewards += env.rewards
      }
      return (
        env.observations.mobileFlat + env.observations.plannerFlat, env.observations.mobileMask,
        rewards
      )
    }
    let (a, b) = (try run(12), try run(12))
    #expect(a.obs == b.obs && a.mask == b.mask && a.rewards == b.rewards)
  }

  // MARK: - Across processes

  @Test func sameSeedGivesIdenticalFilesAcrossProcesses() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    var files: [[UInt8]] = []
    for run in ["a", "b"] {
      let out = joinPath(directory, run)
      let result = try runEconomist([
        "simulate", Self.tutorialPath, "--seed", "5", "--episodes", "2", "--dense-log", out,
      ])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
          "episode_000.json", "episode_001.json",
        ])
      files.append(try readBytes(joinPath(out, "episode_000.json")))
      files.append(try readBytes(joinPath(out, "episode_001.json")))
    }
    #expect(files[0] == files[2], "episode 0 differs between processes")
    #expect(files[1] == files[3], "episode 1 differs between processes")
    #expect(files[0] != files[1])
    // The command's episodes are the library's episodes with seeds 5 and 6.
    #expect(files[0] == (try Self.tutorialLog(seed: 5)))
    #expect(files[1] == (try Self.tutorialLog(seed: 6)))
  }

  @Test func lz4LogsAreIdenticalAcrossProcesses() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    var frames: [[UInt8]] = []
    for run in ["a", "b"] {
      let out = joinPath(directory, run)
      let result = try runEconomist([
        "simulate", Self.tutorialPath, "--seed", "9", "--dense-log", out, "--lz4",
      ])
      #expect(result.status == 0, "\(result.stderr)")
      frames.append(try readBytes(joinPath(out, "episode_000.lz4")))
    }
    #expect(frames[0] == frames[1])
    #expect(try LZ4Frame.decompress(frames[0]) == Self.tutorialLog(seed: 9))
  }
}
