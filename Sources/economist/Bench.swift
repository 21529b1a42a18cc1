import ArgumentParser
import Economy
import EconomyEnv
import Foundation

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure speed and memory.", subcommands: [EnvBench.self])
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

  @Option(help: "Seconds per measurement.")
  var seconds = 2.0

  @Option(help: "Environments stepped together through the adapter.")
  var envs = 32

  @Option(help: "Threads for the vectorized step (default: the machine's cores).")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    guard envs >= 1 else { throw ValidationError("--envs must be at least 1, found \(envs)") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, found \(threads)") }
    guard seconds > 0 else { throw ValidationError("--seconds must be positive, found \(seconds)") }
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
