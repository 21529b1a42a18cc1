import Basics
import Foundation
import Testing

@testable import Economy

/// End-to-end runs of the `economist` executable: `simulate`, `replay`, `bench env`, and how it
/// reports bad input.
@Suite("economist command")
struct CLITests {
  static let tutorialPath = "scenarios/gather_trade_build.yaml"

  @Test func simulateListsAHundredEpisodesAndAveragesThemAll() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(smallEnvYAML(episodeLength: 2), named: "tiny.yaml", in: directory)
    let result = try runEconomist(["simulate", config, "--episodes", "102"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 2 + 100 + 3, "\(lines.count)")
    #expect(lines[101].hasPrefix("     99    99 "), "\(lines[101])")
    #expect(lines[102] == "… 2 more episodes, in the mean")
    // The mean counts all 102 episodes, listed or not.
    var env = try Environment(config: EnvironmentConfig.parse(yaml: smallEnvYAML(episodeLength: 2), file: nil))
    var sum = 0.0
    for seed in 0..<102 {
      let summary = EpisodeRunner.runRandomEpisode(&env, seed: UInt64(seed))
      sum += Double(String(format: "%.2f", summary.metric("social/productivity") ?? .nan)) ?? .nan
    }
    let mean = lines[103].split(separator: " ").map(String.init)
    #expect(mean.first == "mean" && mean.dropFirst().first == String(format: "%.2f", sum / 102), "\(lines[103])")
  }

  @Test func simulatePrintsTheMetricsTable() throws {
    let result = try runEconomist(["simulate", Self.tutorialPath, "--seed", "4"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 4, "\(result.stdout)")
    let header = lines.first?.split(separator: " ").map(String.init)
    #expect(
      header == [
        "episode", "seed", "productivity", "equality", "eq×prod", "eq×prod/N", "trades", "houses", "taxes",
      ])
    #expect(
      lines.last
        == "eq×prod: equality × productivity, the paper's figure. eq×prod/N: Foundation's metric social_welfare/coin_eq_times_productivity, equality × productivity / number of agents (with planner_reward_type coin_eq_times_productivity, the planner's rewards add up to its change over the episode)."
    )
    #expect(lines.count > 1 && lines[1].allSatisfy { $0 == "-" || $0 == " " })
    // The row is the library's episode with the same seed.
    var env = try Environment(config: tutorialConfig())
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 4)
    let row = lines.dropLast().last?.split(separator: " ").map(String.init) ?? []
    #expect(row.count == 9)
    #expect(row.first == "0" && row.dropFirst().first == "4")
    let productivity = try #require(summary.metric("social/productivity"))
    let equality = try #require(summary.metric("social/equality"))
    #expect(row.dropFirst(2).first == String(format: "%.2f", productivity))
    #expect(row.dropFirst(3).first == String(format: "%.4f", equality))
    #expect(row.dropFirst(4).first == String(format: "%.2f", equality * productivity))
    #expect(row.dropFirst(5).first == String(format: "%.2f", equality * productivity / 4))
    #expect(
      row.dropFirst(7).first == String(format: "%.0f", summary.metric("Build/total_builds") ?? -1))
  }

  @Test func simulateSeveralEpisodesAddsAMeanRowAndWritesLogs() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(smallEnvYAML(episodeLength: 50), named: "small.yaml", in: directory)
    let logs = joinPath(directory, "logs")
    let result = try runEconomist([
      "simulate", config, "--episodes", "3", "--seed", "10", "--dense-log", logs,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 8, "\(result.stdout)")
    #expect(
      lines.dropFirst(2).prefix(3).map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        == ["0 10", "1 11", "2 12"])
    #expect(
      lines.dropFirst(5).first?.trimmingCharacters(in: .whitespaces).hasPrefix("mean") == true)
    #expect(lines.last == "dense logs written to \(logs)")
    let files = try FileManager.default.contentsOfDirectory(atPath: logs).sorted()
    #expect(files == ["episode_000.json", "episode_001.json", "episode_002.json"])
    for file in files { #expect(try DenseLog.load(path: joinPath(logs, file)).steps == 50) }
  }

  @Test func plotDrawsALogsChartsAndReportsBadInput() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(smallEnvYAML(episodeLength: 60), named: "small.yaml", in: directory)
    let logs = joinPath(directory, "logs")
    let simulated = try runEconomist(["simulate", config, "--seed", "3", "--dense-log", logs, "--lz4"])
    #expect(simulated.status == 0, "\(simulated.stderr)")
    let log = joinPath(logs, "episode_000.lz4")
    let out = joinPath(directory, "plots")
    let plotted = try runEconomist(["plot", log, "--out", out, "--agents", "1,0", "--snapshots", "3"])
    #expect(plotted.status == 0, "\(plotted.stderr)")
    let written = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(
      written == ["agents.png", "economy.png", "report.md", "taxes.png", "trajectories.png", "world.png"], "\(written)")
    #expect(plotted.stderr.isEmpty, "\(plotted.stderr)")
    #expect(plotted.stdout.hasPrefix("written: \(out)/world.png, "), "\(plotted.stdout)")

    let missing = try runEconomist(["plot", joinPath(directory, "nothing.lz4")])
    #expect(
      missing.status != 0 && missing.stderr.contains("nothing.lz4: no such file or directory"), "\(missing.stderr)")
    let bytes = try #require(FileManager.default.contents(atPath: log))
    let truncated = try writeFile("", named: "truncated.lz4", in: directory)
    try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
    let damaged = try runEconomist(["plot", truncated, "--out", out])
    #expect(damaged.status != 0 && damaged.stderr.contains("truncated.lz4: corrupt LZ4 frame"), "\(damaged.stderr)")
    let agent = try runEconomist(["plot", log, "--out", out, "--agents", "9"])
    #expect(agent.stderr.contains("no agent 9 in the log; its agents are 0, 1, 2, 3"), "\(agent.stderr)")
    let size = try runEconomist(["plot", log, "--size", "big"])
    #expect(size.status != 0 && size.stderr.contains("--size expects WIDTHxHEIGHT"), "\(size.stderr)")
    let notARun = try runEconomist(["plot", directory])
    #expect(notARun.stderr.contains("a directory without progress.csv"), "\(notARun.stderr)")
  }

  @Test func compareWritesTheTableAndTheChart() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    var settings: [String] = []
    for name in ["free_market", "saez"] {
      let text = try String(contentsOfFile: joinPath(repositoryRoot, "scenarios/\(name).yaml"), encoding: .utf8)
        .replacingOccurrences(of: "episode_length: 1000", with: "episode_length: 40")
      settings.append(try writeFile(text, named: "\(name).yaml", in: directory))
    }
    let out = joinPath(directory, "compare")
    let result = try runEconomist(["compare"] + settings + ["--episodes", "2", "--out", out])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("| free_market | no taxes | "), "\(result.stdout)")
    #expect(result.stdout.contains("| saez | Saez formula | "), "\(result.stdout)")
    let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(files == ["compare.csv", "compare.md", "compare.png"])
    let csv = try String(contentsOfFile: joinPath(out, "compare.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("setting,taxes_set_by,source,episodes,productivity_mean,productivity_std,"))
    let missing = try runEconomist(["compare", joinPath(directory, "nope.yaml")])
    #expect(missing.status != 0 && missing.stderr.contains("nope.yaml: no such file or directory"), "\(missing.stderr)")
  }

  @Test func benchPrintsOneJSONObject() throws {
    let result = try runEconomist(["bench", "env", "--json", "--seconds", "0.2", "--envs", "3", "--threads", "2"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    for key in ["env_steps_per_s", "core_steps_per_s", "core_steps_per_s_dense_log", "reset_us", "peak_rss_mib"] {
      let value = try #require(json[key]?.doubleValue, "missing \(key) in \(result.stdout)")
      #expect(value > 0, "\(key) = \(value)")
    }
    #expect(json["envs"]?.intValue == 3)
    #expect(json["threads"]?.intValue == 2)
    let bad = try runEconomist(["bench", "env", "--envs", "0"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("--envs must be in 1...4096 (training's limit), found 0"), "\(bad.stderr)")
  }

  @Test func inspectShowsEachPolicysSpaces() throws {
    let result = try runEconomist(["inspect", Self.tutorialPath, "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    #expect(json.objectValue?.entries.map(\.key) == ["a", "p"])
    #expect(json["a"]?["agents"] == ["0", "1", "2", "3"])
    #expect(json["a"]?["action"] == ["type": "Discrete", "n": 50])
    #expect(json["a"]?["observation"] == Facts.value("obs_flattened", "agent_0"))
    #expect(json["p"]?["agents"] == ["p"])
    #expect(json["p"]?["action"] == ["type": "MultiDiscrete", "nvec": [22, 22, 22, 22, 22, 22, 22]])
    #expect(json["p"]?["observation"] == Facts.value("obs_flattened", "planner"))
    let text = try runEconomist(["inspect", Self.tutorialPath])
    #expect(text.stdout.contains("policy 'a': agents 0, 1, 2, 3\n"))
    #expect(text.stdout.contains("    flat           : (136,) float32\n"))
    #expect(text.stdout.contains("  action: MultiDiscrete([22 22 22 22 22 22 22])\n"))
    let missing = try runEconomist(["inspect", "nope.yaml"])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("nope.yaml"), "\(missing.stderr)")
  }

  // MARK: - Bad input

  @Test func missingConfigFileIsAClearError() throws {
    let result = try runEconomist(["simulate", "/nonexistent/config.yaml"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("/nonexistent/config.yaml: no such file"), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func badConfigListsEveryProblem() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let yaml = """
      scenario_name: layout_from_file/simple_wood_and_stone
      components:
        - Bulid: {}
      n_agents: 1
      world_size: [25, 25]
      """
    let path = try writeFile(yaml, named: "bad.yaml", in: directory)
    let result = try runEconomist(["simulate", path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("2 problems in \(path):"), "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "- \(path):3:12: components[0].Bulid: Unknown component 'Bulid'. Did you mean 'Build'?"))
    #expect(
      result.stderr.contains("- \(path):4:11: n_agents: expected a value in 2...1000, found 1"))
    #expect(!result.stderr.contains("Fatal error"))
  }

  @Test func badEpisodeCountIsAUsageError() throws {
    let result = try runEconomist(["simulate", Self.tutorialPath, "--episodes", "0"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("--episodes must be at least 1, found 0"), "\(result.stderr)")
  }

  @Test func badTraceIsAClearError() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let trace = try writeFile(
      traceJSON(envJSON: smallEnvJSON(episodeLength: 5), steps: [#"{"0": 50}"#]),
      named: "trace.json", in: directory)
    let result = try runEconomist(["replay", trace, "--dense-log", joinPath(directory, "out.json")])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "\(trace):4:7: actions[0].0: agent '0': action 50 is outside its action space Discrete(50)"),
      "\(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["trace.json"])
  }

  @Test func unwritableDenseLogIsAClearError() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let trace = try writeFile(
      traceJSON(envJSON: smallEnvJSON(episodeLength: 5), steps: []), named: "trace.json",
      in: directory)
    let out = joinPath(trace, "out.json")
    let result = try runEconomist(["replay", trace, "--dense-log", out])
    #expect(result.status == 1)
    #expect(result.stderr.contains("\(out): cannot write: "), "\(result.stderr)")
  }

  @Test func corruptLogPathForSimulateIsAClearError() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let file = try writeFile("x", named: "file", in: directory)
    let result = try runEconomist(["simulate", Self.tutorialPath, "--dense-log", file])
    #expect(result.status == 1)
    #expect(result.stderr.contains("\(file)/episode_000.json: cannot write: "), "\(result.stderr)")
    #expect(!result.stderr.contains("Fatal error"))
  }

  /// A small run config: the tutorial env with 50-step episodes, small networks.
  static func runConfigYAML(extraTrainer: String = "") -> String {
    let env = smallEnvYAML(episodeLength: 50).split(separator: "\n", omittingEmptySubsequences: false)
      .map { "  " + $0 }.joined(separator: "\n")
    return """
      env:
      \(env)
      general:
        train_planner: true
      agent_policy:
        lr: 0.001
        model: {fcnet_hiddens: [16, 16]}
      planner_policy:
        model: {fcnet_hiddens: [8]}
      trainer:
        num_workers: 1
        num_envs_per_worker: 2
        rollout_fragment_length: 40
        train_batch_size: 80
        sgd_minibatch_size: 40
        num_sgd_iter: 2
        seed: 3
      \(extraTrainer)
      """
  }

  @Test(
    "numbers on the command line: negative values are read as values and refused by name",
    arguments: [
      (
        ["simulate", "scenarios/quickstart.yaml", "--episodes", "-1"], "Error: --episodes must be at least 1, found -1"
      ),
      (["evaluate", "runs/none", "--episodes", "-5"], "Error: --episodes must be at least 1, found -5"),
      (["evaluate", "runs/none", "--threads", "0"], "Error: --threads must be at least 1, found 0"),
      (
        ["train", "scenarios/quickstart.yaml", "--run-dir", "runs/none", "--iterations", "-1"],
        "Error: --iterations must be at least 0 (0 sets up the run without training), found -1"
      ),
      (
        ["train", "scenarios/quickstart.yaml", "--run-dir", "runs/none", "--threads", "0"],
        "Error: --threads must be at least 1, found 0"
      ),
      (
        ["simulate", "scenarios/quickstart.yaml", "--seed", "-3"],
        "Error: The value '-3' is invalid for '--seed <seed>'"
      ),
      (
        ["simulate", "scenarios/quickstart.yaml", "--seed", "18446744073709551616"],
        "Error: The value '18446744073709551616' is invalid for '--seed <seed>'"
      ),
      (
        ["simulate", "scenarios/quickstart.yaml", "--seed", "18446744073709551615", "--episodes", "2"],
        "Error: --seed 18446744073709551615 with 2 episodes passes the largest seed (18446744073709551615): episode i uses seed + i; give a smaller --seed"
      ),
      (["bench", "env", "--envs", "1000000"], "Error: --envs must be in 1...4096 (training's limit), found 1000000"),
      (
        ["bench", "env", "--seconds", "inf"],
        "Error: --seconds must be more than 0 and at most 3600 (an hour), found inf"
      ),
      (
        ["bench", "train", "--seconds", "-2"],
        "Error: --seconds must be more than 0 and at most 3600 (an hour), found -2.0"
      ),
      (["compare", "scenarios/saez.yaml", "--threads", "-1"], "Error: --threads must be at least 1, found -1"),
      (["plot", "runs/none", "--smooth", "-4"], "Error: --smooth must be at least 1, found -4"),
      (
        ["replay", "t.json", "--dense-log", "./t.json"],
        "Error: --dense-log ./t.json is the trace itself; writing the log there would replace the trace"
      ),
      (["replay", "t.json", "--dense-log", ""], "Error: --dense-log needs a file name, found an empty one"),
      (
        ["simulate", "scenarios/quickstart.yaml", "--lz4"],
        "Error: --lz4 compresses the dense logs that --dense-log DIR writes; give --dense-log too"
      ),
      (
        ["simulate", "scenarios/quickstart.yaml", "--dense-log", ""],
        "Error: --dense-log needs a directory, found an empty name"
      ),
    ])
  func commandLineNumbers(arguments: [String], expected: String) throws {
    let result = try runEconomist(arguments)
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").first.map(String.init) == expected, "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: joinPath(repositoryRoot, "runs/none")))
  }

  @Test func compareRefusesSettingsOfDifferentWorlds() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let saez = try String(contentsOfFile: joinPath(repositoryRoot, "scenarios/saez.yaml"), encoding: .utf8)
    let short = try writeFile(
      saez.replacingOccurrences(of: "episode_length: 1000", with: "episode_length: 500"), named: "short.yaml",
      in: directory)
    let result = try runEconomist(["compare", "scenarios/free_market.yaml", short, "--episodes", "1"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "\(short): 4 agents and 500-step episodes, but scenarios/free_market.yaml has 4 agents and 1000-step episodes; compare settings of one world (n_agents and episode_length equal)"
      ), "\(result.stderr)")
  }

  @Test func unwritableOutputsNameThePathAndTheReason() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let file = try writeFile("x", named: "file", in: directory)
    let compare = try runEconomist(["compare", "scenarios/saez.yaml", "--episodes", "1", "--out", file + "/cmp"])
    #expect(compare.status == 1)
    #expect(compare.stderr.contains("\(file)/cmp: '\(file)' exists and is not a directory"), "\(compare.stderr)")
    let config = try writeFile(Self.runConfigYAML(), named: "run.yaml", in: directory)
    let train = try runEconomist(["train", config, "--run-dir", file + "/run", "--iterations", "0"])
    #expect(train.status == 1)
    #expect(
      train.stderr.contains("\(file)/run/checkpoints: '\(file)' exists and is not a directory"), "\(train.stderr)")
    #expect(!compare.stderr.contains("NSCocoaErrorDomain") && !train.stderr.contains("NSCocoaErrorDomain"))
  }

  @Test func aSecondTrainNeverWritesOverARun() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(Self.runConfigYAML(), named: "run.yaml", in: directory)
    let run = joinPath(directory, "run")
    #expect(try runEconomist(["train", config, "--run-dir", run, "--iterations", "1"]).status == 0)
    let progress = try String(contentsOfFile: joinPath(run, "progress.csv"), encoding: .utf8)
    let weights = FileManager.default.contents(atPath: joinPath(run, "checkpoints/latest/a.safetensors"))
    // Without --resume or --overwrite: refused, nothing touched.
    let again = try runEconomist(["train", config, "--run-dir", run, "--iterations", "1"])
    #expect(again.status != 0)
    #expect(
      again.stderr.contains(
        "Error: \(run) already holds a training run (config.yaml, params.json, result.json, progress.csv, checkpoints): --resume continues it, --overwrite moves it to \(run).old and starts a new run, or choose another --run-dir"
      ), "\(again.stderr)")
    #expect(try String(contentsOfFile: joinPath(run, "progress.csv"), encoding: .utf8) == progress)
    #expect(FileManager.default.contents(atPath: joinPath(run, "checkpoints/latest/a.safetensors")) == weights)
    let both = try runEconomist(["train", config, "--run-dir", run, "--resume", "--overwrite"])
    #expect(both.status != 0)
    #expect(
      both.stderr.contains("Error: --resume continues the run in \(run) and --overwrite replaces it; give one of them"),
      "\(both.stderr)")
    // --overwrite moves the whole earlier run aside, then starts anew; a second one finds .old taken.
    for aside in [run + ".old", run + ".old-2"] {
      let fresh = try runEconomist(["train", config, "--run-dir", run, "--iterations", "1", "--overwrite"])
      #expect(fresh.status == 0, "\(fresh.stderr)")
      #expect(fresh.stdout.hasPrefix("moved the earlier run in \(run) to \(aside)\n"), "\(fresh.stdout)")
      #expect(FileManager.default.contents(atPath: joinPath(aside, "checkpoints/latest/a.safetensors")) == weights)
    }
    #expect(try String(contentsOfFile: joinPath(run + ".old", "progress.csv"), encoding: .utf8) == progress)
    // Same seed, so the new run repeats the first one's results in the fresh directory.
    #expect(FileManager.default.contents(atPath: joinPath(run, "checkpoints/latest/a.safetensors")) == weights)
  }

  @Test func aRunKeepsItsLayoutSoItOutlivesItsConfig() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    // The layout sits beside the config, named by a path relative to it.
    let configDirectory = joinPath(directory, "configs")
    let layoutText = try String(
      contentsOfFile: joinPath(repositoryRoot, "layouts/quadrant_25x25_20each_30clump.txt"), encoding: .utf8)
    try FileManager.default.createDirectory(
      atPath: joinPath(configDirectory, "maps"), withIntermediateDirectories: true)
    _ = try writeFile(layoutText, named: "maps/mine.txt", in: configDirectory)
    let yaml = Self.runConfigYAML().replacingOccurrences(
      of: "env_layout_file: quadrant_25x25_20each_30clump.txt", with: "env_layout_file: \"maps/mine.txt\"")
    let config = try writeFile(yaml, named: "run.yaml", in: configDirectory)
    let run = joinPath(directory, "run")
    let trained = try runEconomist(["train", config, "--run-dir", run, "--iterations", "1"])
    #expect(trained.status == 0, "\(trained.stderr)")
    // The run directory holds the layout and its config names the copy, quotes kept.
    #expect(try String(contentsOfFile: joinPath(run, "mine.txt"), encoding: .utf8) == layoutText)
    let saved = try String(contentsOfFile: joinPath(run, "config.yaml"), encoding: .utf8)
    #expect(saved == yaml.replacingOccurrences(of: "\"maps/mine.txt\"", with: "\"mine.txt\""))
    // Without the original config and layout, the run still evaluates and resumes.
    try FileManager.default.removeItem(atPath: configDirectory)
    let evaluated = try runEconomist(["evaluate", run, "--episodes", "1"])
    #expect(evaluated.status == 0, "\(evaluated.stderr)")
    let resumed = try runEconomist([
      "train", joinPath(run, "config.yaml"), "--run-dir", run, "--resume", "--iterations", "1",
    ])
    #expect(resumed.status == 0, "\(resumed.stderr)")
  }

  @Test func trainResumeAndEvaluateARun() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(Self.runConfigYAML(), named: "run.yaml", in: directory)
    let run = joinPath(directory, "run")
    let first = try runEconomist(["train", config, "--run-dir", run, "--iterations", "2"])
    #expect(first.status == 0, "\(first.stderr)")
    let lines = first.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "training 'a', 'p' on 2 envs, 40 steps per env per iteration", "\(first.stdout)")
    #expect(lines.dropFirst().first?.hasPrefix("iter 1 | steps 80 | ") == true, "\(first.stdout)")
    #expect(lines.contains { $0.hasPrefix("iter 2 | steps 160 | ") && $0.contains("reward a ") })
    #expect(lines.contains("stopped: ran 2 iterations; 2 iterations, 160 env steps, 2 episodes"), "\(first.stdout)")
    for file in ["config.yaml", "params.json", "result.json", "progress.csv", "checkpoints/latest/state.json"] {
      #expect(FileManager.default.fileExists(atPath: joinPath(run, file)), "\(file)")
    }
    func resultLines() -> [String] {
      let text = (try? String(contentsOfFile: joinPath(run, "result.json"), encoding: .utf8)) ?? ""
      return text.split(separator: "\n").map(String.init)
    }
    #expect(resultLines().count == 2)
    let resumed = try runEconomist(["train", config, "--run-dir", run, "--resume", "--iterations", "1"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.contains("iter 3 | steps 240 | "), "\(resumed.stdout)")
    #expect(resultLines().count == 3)
    #expect(resultLines().last?.contains("\"training_iteration\": 3") == true, "\(resultLines().last ?? "")")
    // time_total_s counts the whole run: the resumed process continues from the first one's.
    let totals = resultLines().map { line in
      line.firstMatch(of: #/"time_total_s": ([0-9.e+-]+)/#).flatMap { Double($0.1) } ?? .nan
    }
    #expect(totals.count == 3 && totals[2] > totals[1] && totals[1] > totals[0], "\(totals)")
    // An uninterrupted run, in one process and on one thread, reaches the same weights and
    // records (wall-clock numbers aside).
    let straightRun = joinPath(directory, "straight")
    let straight = try runEconomist(
      ["train", config, "--run-dir", straightRun, "--iterations", "3", "--threads", "1"])
    #expect(straight.status == 0, "\(straight.stderr)")
    for file in ["a.safetensors", "p.safetensors", "a.optimizer.safetensors"] {
      let resumedBytes = FileManager.default.contents(atPath: joinPath(run, "checkpoints/latest/\(file)"))
      let straightBytes = FileManager.default.contents(atPath: joinPath(straightRun, "checkpoints/latest/\(file)"))
      #expect(resumedBytes != nil && resumedBytes == straightBytes, "\(file)")
    }
    func records(_ dir: String) -> [String] {
      let text = (try? String(contentsOfFile: joinPath(dir, "result.json"), encoding: .utf8)) ?? ""
      // Drop the timers: every key with "time" or "per_s" and its value.
      return text.split(separator: "\n").map {
        String($0).replacing(#/"[^"]*(time|per_s)[^"]*": [-0-9.e]+/#, with: "")
      }
    }
    #expect(records(run) == records(straightRun) && records(run).count == 3)
    let charts = try runEconomist(["plot", run, "--smooth", "2"])
    #expect(charts.status == 0, "\(charts.stderr)")
    #expect(FileManager.default.fileExists(atPath: joinPath(run, "plots/training.png")), "\(charts.stdout)")
    let evaluation = try runEconomist(["evaluate", run, "--episodes", "2", "--greedy"])
    #expect(evaluation.status == 0, "\(evaluation.stderr)")
    let table = evaluation.stdout.split(separator: "\n").map(String.init)
    #expect(
      table.first == "evaluated 2 episodes (greedy actions) of \(run)/checkpoints/latest (iteration 3, 240 env steps)",
      "\(evaluation.stdout)")
    #expect(
      table.contains { $0.hasPrefix("policy_reward/a ") } && table.contains { $0.hasPrefix("social/productivity ") })
    #expect(!table.contains { $0.hasPrefix("endow/0/Coin") })
    for file in [
      "evaluation/evaluation.json", "evaluation/dense_logs/episode_000.json", "evaluation/dense_logs/episode_001.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: joinPath(run, file)), "\(file)")
    }
  }

  @Test func trainSaysWhenTheEnvCountMovesTheCurriculum() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let shipped = try String(contentsOfFile: joinPath(repositoryRoot, "scenarios/phase1.yaml"), encoding: .utf8)
    #expect(shipped.contains("  num_workers: 15\n") && shipped.contains("  num_envs_per_worker: 2\n"))
    let fourEnvs = shipped.replacingOccurrences(of: "  num_workers: 15\n", with: "  num_workers: 1\n")
      .replacingOccurrences(of: "  num_envs_per_worker: 2\n", with: "  num_envs_per_worker: 4\n")
    let config = try writeFile(fourEnvs, named: "phase1-4envs.yaml", in: directory)
    let moved = try runEconomist(["train", config, "--run-dir", joinPath(directory, "moved"), "--iterations", "0"])
    #expect(moved.status == 0, "\(moved.stderr)")
    let notes = moved.stderr.split(separator: "\n").filter { $0.hasPrefix("note: the energy warm-up") }
    #expect(notes.count == 1, "\(moved.stderr)")
    #expect(notes.first?.contains("4 envs where Foundation's phase configs use 30") == true)
    #expect(notes.first?.contains("set energy_warmup_constant: 75000") == true)
    let onTime = try runEconomist([
      "train", joinPath(repositoryRoot, "scenarios/phase1.yaml"), "--run-dir", joinPath(directory, "on-time"),
      "--iterations", "0",
    ])
    #expect(onTime.status == 0, "\(onTime.stderr)")
    #expect(!onTime.stderr.contains("energy warm-up"), "\(onTime.stderr)")
    #expect(onTime.stdout.hasPrefix("training 'a', 'p' (fixed) on 30 envs, 200 steps per env per iteration"))
  }

  @Test func trainReportsBadInputClearly() throws {
    let directory = try makeTemporaryDirectory()
    defer { removeTemporaryDirectory(directory) }
    let config = try writeFile(
      Self.runConfigYAML(extraTrainer: "  sgd_minibatch_sise: 10"), named: "bad.yaml", in: directory)
    let bad = try runEconomist(["train", config, "--run-dir", joinPath(directory, "run")])
    #expect(bad.status != 0)
    #expect(
      bad.stderr.contains("sgd_minibatch_sise") && bad.stderr.contains("did you mean 'sgd_minibatch_size'"),
      "\(bad.stderr)")
    let good = try writeFile(Self.runConfigYAML(), named: "run.yaml", in: directory)
    let noCheckpoint = try runEconomist(["train", good, "--run-dir", joinPath(directory, "fresh"), "--resume"])
    #expect(noCheckpoint.status != 0)
    #expect(
      noCheckpoint.stderr.contains("--resume: no checkpoint at \(directory)/fresh/checkpoints/latest/state.json"),
      "\(noCheckpoint.stderr)")
    let nothing = try runEconomist(["evaluate", joinPath(directory, "missing")])
    #expect(nothing.status != 0)
    #expect(
      nothing.stderr.contains("neither a run directory (no checkpoints/latest/state.json) nor a checkpoint"),
      "\(nothing.stderr)")
  }
}
