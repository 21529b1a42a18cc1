import Basics
import Economy
import EnvContract
import Foundation
import Testing

@testable import EconomyEnv
@testable import EconomyTraining
@testable import RL

/// The bundled scenarios load and run, and `compare` tabulates exactly the episodes it played.
@Suite("Scenarios and comparison", .serialized)
struct ScenarioTests {
  static let scenarios: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/scenarios")) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted()
  }()

  @Test func theScenariosThatMustExistDo() {
    for name in [
      "gather_trade_build.yaml", "phase1.yaml", "phase2.yaml", "free_market.yaml", "us_federal.yaml", "saez.yaml",
      "fixed_rates.yaml", "quickstart.yaml", "one_step_economy.yaml", "one_step_free_market.yaml",
      "one_step_us_federal.yaml", "one_step_saez.yaml", "split_layout.yaml", "multi_zone.yaml", "quadrant.yaml",
      "wealth_redistribution.yaml",
    ] {
      #expect(Self.scenarios.contains(name), "\(name)")
    }
  }

  @Test(arguments: scenarios)
  func everyScenarioLoadsAndRunsAFewSteps(_ name: String) throws {
    let run = try RunConfig.load(path: repositoryRoot + "/scenarios/" + name)
    #expect(run.warnings.isEmpty, "\(name): \(run.warnings)")
    var env = try Environment(config: run.env)
    env.reset(seed: 1)
    var sampler = RandomActions(seed: 2)
    // Five steps, across episodes when they are shorter (the one-step economy's are two steps).
    for _ in 0..<5 {
      if env.isDone { env.reset() }
      sampler.fill(&env)
      env.step()
    }
    let length = env.config.episodeLength
    #expect(
      env.completions == 5 / length && env.world.timestep == (5 % length == 0 && length <= 5 ? length : 5 % length))
    // The training sections build a trainer (networks sized, policies resolvable).
    let pool = WorkerPool(threads: 1)
    let vector = try EconomyVectorEnv(environment: try Environment(config: run.env), envs: 1, pool: pool)
    var training = run.training
    training.trainer.numWorkers = 1
    training.trainer.numEnvsPerWorker = 1
    training.trainer.trainBatchSize = 8
    training.trainer.rolloutFragmentLength = 8
    training.trainer.sgdMinibatchSize = 8
    _ = try Trainer(env: vector, config: training, seed: 1, pool: pool)
  }

  @Test func theBaselinesShareOneWorldAndDifferOnlyInTaxes() throws {
    let names = ["free_market.yaml", "us_federal.yaml", "saez.yaml", "fixed_rates.yaml"]
    var layouts: [[PolicyBatchSpec]] = []
    var models: [String] = []
    for name in names {
      let env = try Environment(config: try RunConfig.load(path: repositoryRoot + "/scenarios/" + name).env)
      layouts.append(try EconomyVectorEnv(environment: env, envs: 1).batchSpecs.filter { $0.policy == .agents })
      models.append(Comparison.describePlanner(env, trained: false))
    }
    #expect(layouts.allSatisfy { $0 == layouts[0] })
    #expect(models == ["no taxes", "US federal schedule", "Saez formula", "fixed rates"])
  }

  /// Two 50-step baselines in a temporary directory.
  static func shortBaselines(_ directory: String) throws -> [String] {
    var paths: [String] = []
    for name in ["free_market", "us_federal"] {
      var text = try String(contentsOfFile: repositoryRoot + "/scenarios/\(name).yaml", encoding: .utf8)
      text = text.replacingOccurrences(of: "episode_length: 1000", with: "episode_length: 50")
        .replacingOccurrences(of: "period: 100", with: "period: 10")
      let path = directory + "/\(name).yaml"
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      paths.append(path)
    }
    return paths
  }

  @Test func compareTabulatesTheEpisodesItPlayed() throws {
    let directory = try makeTemporaryDirectory("economist-compare")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let paths = try Self.shortBaselines(directory)
    let comparison = try Comparison(sources: paths, agents: nil, episodes: 3, seed: 4, threads: 2)
    #expect(comparison.settings.map(\.name) == ["free_market", "us_federal"])
    #expect(comparison.settings.allSatisfy { $0.episodes.count == 3 && $0.episodes.allSatisfy { $0.length == 50 } })
    #expect(comparison.agents == "uniformly random valid actions")
    // The CSV's numbers are the per-episode metrics' mean and std.
    let rows = comparison.csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    #expect(rows.count == 3 && rows[0].count == 4 + 2 * Comparison.metrics.count)
    for (s, row) in zip(comparison.settings, rows.dropFirst()) {
      let productivity = s.episodes.map { $0.record.metrics.first { $0.key == "social/productivity" }?.value ?? .nan }
      let equality = s.episodes.map { $0.record.metrics.first { $0.key == "social/equality" }?.value ?? .nan }
      let mean = productivity.reduce(0, +) / 3
      #expect(abs((Double(String(row[4])) ?? .nan) - mean) < 1e-9, "\(s.name)")
      let product = zip(productivity, equality).map { $0 * $1 }.reduce(0, +) / 3
      #expect(abs((Double(String(row[8])) ?? .nan) - product) < 1e-9, "\(s.name)")
      let std = (productivity.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
      #expect(abs((Double(String(row[5])) ?? .nan) - std) < 1e-9, "\(s.name)")
      #expect(
        comparison.markdown.contains("| \(s.name) | \(s.planner) | \(String(format: "%.1f ± %.1f", mean, std)) |"))
    }
    // The same seed gives the same episodes whatever the thread count.
    let again = try Comparison(sources: paths, agents: nil, episodes: 3, seed: 4, threads: 1)
    #expect(again.csv == comparison.csv)
    // No taxes at all in the free market; taxes collected under the US federal schedule.
    let taxes = comparison.settings.map { s in
      s.episodes.map { $0.record.metrics.first { $0.key == "PeriodicTax/total_collected_taxes" }?.value ?? 0 }
    }
    #expect(taxes[0].allSatisfy { $0 == 0 } && taxes[1].contains { $0 > 0 })
  }

  @Test func compareReportsBadSettingsClearly() throws {
    var message = ""
    do { _ = try Comparison(sources: ["no/such.yaml"], agents: nil, episodes: 1) } catch { message = "\(error)" }
    #expect(message == "no/such.yaml: no such file or directory")
    do { _ = try Comparison(sources: [], agents: nil, episodes: 1) } catch { message = "\(error)" }
    #expect(message == "compare needs at least one config or run directory")
    do {
      _ = try Comparison(sources: [repositoryRoot + "/scenarios/saez.yaml"], agents: "/no/run", episodes: 1)
    } catch { message = "\(error)" }
    #expect(message.hasPrefix("/no/run: neither a run directory"), "\(message)")
  }
}
