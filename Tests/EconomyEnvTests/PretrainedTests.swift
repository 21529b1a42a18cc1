import EnvContract
import Foundation
import RL
import Testing

@testable import Economy
@testable import EconomyEnv
@testable import EconomyTraining

/// The shipped phase-1 agents (`pretrained/phase1`) work out of the box: evaluation, and
/// phase 2's `restore_tf_weights_agents`; and they play as trained agents do.
@Suite("Pretrained agents", .serialized)
struct PretrainedTests {
  static let run = repositoryRoot + "/pretrained/phase1"

  @Test("the shipped run is phase 1 as configured in scenarios/ and is where phase 2 starts")
  func shippedRunMatchesTheScenarios() throws {
    // The same settings, line for line; the comments may have moved on since.
    func settings(_ path: String) throws -> [Substring] {
      try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter {
        !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#")
      }
    }
    let shipped = try settings(Self.run + "/config.yaml")
    #expect(shipped.count > 50)
    #expect(shipped == (try settings(repositoryRoot + "/scenarios/phase1.yaml")), "the config it was trained with")
    let phase2 = try RunConfig.load(path: repositoryRoot + "/scenarios/phase2.yaml")
    #expect(phase2.training.general.restoreAgents == "pretrained/phase1/checkpoints/latest")
    for file in ["a.safetensors", "p.safetensors", "state.json", "environments.json"] {
      #expect(FileManager.default.fileExists(atPath: Self.run + "/checkpoints/latest/" + file), "\(file)")
    }
  }

  @Test("phase-1 agents build: two sampled episodes far above a random policy's productivity")
  func shippedAgentsAreTrained() throws {
    let evaluation = try Evaluation(target: Self.run, episodes: 2, greedy: false, seed: 7, threads: 2)
    #expect(evaluation.iteration ?? 0 >= 100 && evaluation.envSteps ?? 0 >= 600_000)
    let episodes = evaluation.episodes.map(\.record.metrics)
    #expect(episodes.count == 2)
    func mean(_ key: String) -> Double {
      episodes.map { m in m.first { $0.key == key }?.value ?? .nan }.reduce(0, +) / Double(episodes.count)
    }
    let productivity = mean("social/productivity")
    let builds = mean("Build/total_builds")
    // Uniformly random valid actions (`economist simulate scenarios/phase1.yaml --episodes 4
    // --seed 7`): productivity 470, 32 houses per episode. Greedy actions are no test: these
    // stochastic policies get stuck when always taking their most likely action.
    #expect(productivity > 1000, "productivity \(productivity), builds \(builds)")
    #expect(builds > 60, "builds \(builds)")
  }
}
