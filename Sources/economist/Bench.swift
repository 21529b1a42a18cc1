import ArgumentParser
import Economy
import Foundation

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure speed and memory.", subcommands: [EnvBench.self])
}

struct EnvBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "env",
    abstract: "Environment steps per second with random valid actions (dense log off and on), reset time, peak RSS.")

  @Option(help: "Config to benchmark (default: the bundled RLlib tutorial config).")
  var config = "scenarios/gather_trade_build.yaml"

  @Option(help: "Seconds per measurement.")
  var seconds = 2.0

  @Flag(help: "Print one JSON object.")
  var json = false

  func run() throws {
    let env = try loadEnvironment(config)
    let r = EnvBenchmark.run(env, seconds: seconds)
    if json {
      print(
        String(
          format:
            #"{"env_steps_per_s": %.0f, "env_steps_per_s_dense_log": %.0f, "reset_us": %.2f, "peak_rss_mib": %.1f, "config": "%@"}"#,
          r.stepsPerSecond, r.stepsPerSecondDenseLog, r.resetMicroseconds, r.peakRSSMiB, config))
    } else {
      print("config: \(config)")
      print(String(format: "env steps/s (dense log off): %.0f", r.stepsPerSecond))
      print(String(format: "env steps/s (dense log on):  %.0f", r.stepsPerSecondDenseLog))
      print(String(format: "reset: %.2f µs", r.resetMicroseconds))
      print(String(format: "peak RSS: %.1f MiB", r.peakRSSMiB))
    }
  }
}
