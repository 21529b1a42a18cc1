import ArgumentParser
import Economy
import EconomyEnv
import EconomyTraining
import EnvContract
import Foundation

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure speed and memory.", subcommands: [EnvBench.self, TrainBench.self, PlotBench.self])
}

struct EnvBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "env",
    abstract: "Environment steps per second with random valid actions, reset time, peak RSS.",
    discussion: """
      env_steps_per_s: all environments together, stepped through the vectorized adapter \
      (observations, masks and rewards written into batch buffers every step). \
      core_steps_per_s: one bare environment on one thread, dense log off and on.
      """)

  @Option(help: "Config to benchmark (default: the bundled RLlib tutorial config).")
  var config = "scenarios/gather_trade_build.yaml"

  @Option(parsing: .unconditional, help: "Seconds per measurement.")
  var seconds = 2.0

  @Option(parsing: .unconditional, help: "Environments stepped together through the adapter.")
  var envs = 32

  @Option(
    name: .customLong("threads"), parsing: .unconditional,
    help: "Threads for the vectorized step (default: the machine's cores).")
  var threadsOption: Int?

  /// `--threads`, else the machine's cores.
  var threads: Int { threadsOption ?? ProcessInfo.processInfo.activeProcessorCount }

  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    guard (1...maximumBenchmarkEnvs).contains(envs) else {
      throw ValidationError("--envs must be in 1...\(maximumBenchmarkEnvs) (training's limit), found \(envs)")
    }
    if let t = threadsOption, t < 1 { throw ValidationError("--threads must be at least 1, found \(t)") }
    try validateSeconds(seconds)
  }

  func run() throws {
    let env = try loadEnvironment(config)
    let vector = try VectorBenchmark.run(environment: env, envs: envs, threads: threads, seconds: seconds)
    let r = EnvBenchmark.run(env, seconds: seconds)
    if json {
      print(
        String(
          format: #"{"env_steps_per_s": %.0f, "envs": %d, "threads": %d, "core_steps_per_s": %.0f, "#
            + #""core_steps_per_s_dense_log": %.0f, "reset_us": %.2f, "peak_rss_mib": %.1f, "config": "%@"}"#,
          vector.stepsPerSecond, vector.envs, vector.threads, r.stepsPerSecond, r.stepsPerSecondDenseLog,
          r.resetMicroseconds, r.peakRSSMiB, config))
    } else {
      print("config: \(config)")
      print(
        String(
          format: "env steps/s (%d envs, %d threads, adapter): %.0f", vector.envs, vector.threads, vector.stepsPerSecond
        ))
      print(String(format: "core env steps/s (1 env, dense log off): %.0f", r.stepsPerSecond))
      print(String(format: "core env steps/s (1 env, dense log on):  %.0f", r.stepsPerSecondDenseLog))
      print(String(format: "reset: %.2f µs", r.resetMicroseconds))
      print(String(format: "peak RSS: %.1f MiB", r.peakRSSMiB))
    }
  }
}

struct TrainBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Env steps per second of whole PPO iterations (sampling plus learning), FLOPs, peak RSS.",
    discussion: """
      Setups (on the env section of --config, dense logs off): \
      rllib = fcnet [256, 256] for agents and planner, both trained, train batch 4000, minibatch 500, \
      4 epochs, four envs per thread; paper = Foundation's phase 1, keras_conv_lstm (fc 128, LSTM 128) for the agents, \
      random planner, train batch 6000, minibatch 1500, 1 epoch, Foundation's 30 envs (200-step fragments). \
      One untimed warm-up iteration, then whole iterations for --seconds. The FLOP-bound ceiling is \
      the sgemm peak (1024² matrices, measured first in the same run) divided by the networks' \
      FLOPs per env step. Without --setup, each setup runs in its own process so that peak RSS is \
      its own.
      """)

  @Option(help: "Setup: rllib or paper (default: both).")
  var setup: TrainingBenchmark.Setup?

  @Option(help: "Config whose env section to train on (default: the bundled RLlib tutorial config).")
  var config = "scenarios/gather_trade_build.yaml"

  @Option(parsing: .unconditional, help: "Seconds of timed iterations per setup (at least two iterations run).")
  var seconds = 10.0

  @Option(name: .customLong("threads"), parsing: .unconditional, help: "Threads (default: the machine's cores).")
  var threadsOption: Int?

  /// `--threads`, else the machine's cores.
  var threads: Int { threadsOption ?? ProcessInfo.processInfo.activeProcessorCount }

  @Option(
    parsing: .unconditional, help: "Environments (default: four per thread for rllib, Foundation's 30 for paper).")
  var envs: Int?

  @Flag(help: "Print one JSON object per setup.")
  var json = false

  func validate() throws {
    if let t = threadsOption, t < 1 { throw ValidationError("--threads must be at least 1, found \(t)") }
    try validateSeconds(seconds)
    if let envs, !(1...maximumBenchmarkEnvs).contains(envs) {
      throw ValidationError("--envs must be in 1...\(maximumBenchmarkEnvs) (training's limit), found \(envs)")
    }
  }

  func run() throws {
    guard let setup else {
      for setup in TrainingBenchmark.Setup.allCases { try runChild(setup) }
      return
    }
    let env = try loadEnvironment(config)
    let result: TrainingBenchmark.Result
    do {
      result = try TrainingBenchmark.run(environment: env, setup: setup, threads: threads, envs: envs, seconds: seconds)
    } catch {
      throw ExitMessage(text: "bench train: \(error)")
    }
    print(json ? result.json : result.text)
  }

  /// Runs one setup in a child process of this executable, passing output through.
  func runChild(_ setup: TrainingBenchmark.Setup) throws {
    var arguments = [
      "bench", "train", "--setup", setup.rawValue, "--config", config, "--seconds", "\(seconds)", "--threads",
      "\(threads)",
    ]
    if let envs { arguments += ["--envs", "\(envs)"] }
    if json { arguments.append("--json") }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    child.arguments = arguments
    try child.run()
    child.waitUntilExit()
    guard child.terminationStatus == 0 else {
      throw ExitMessage(text: "bench train: setup \(setup.rawValue) failed (exit \(child.terminationStatus))")
    }
  }
}

extension TrainingBenchmark.Setup: ExpressibleByArgument {}

/// The most environments a benchmark steps together: the run configs' limit (each environment
/// holds its world, observations and masks: a million would need hundreds of gigabytes).
let maximumBenchmarkEnvs = 4096

/// The longest a benchmark may be asked to run.
let longestBenchmarkSeconds = 3600.0

/// Checks a benchmark's `--seconds`: a positive, finite number of seconds, at most an hour.
func validateSeconds(_ seconds: Double) throws {
  guard seconds > 0 && seconds <= longestBenchmarkSeconds else {
    throw ValidationError(
      "--seconds must be more than 0 and at most \(Int(longestBenchmarkSeconds)) (an hour), found \(seconds)")
  }
}
