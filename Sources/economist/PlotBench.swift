import ArgumentParser
import Basics
import Economy
import Foundation
import Plots

/// `economist bench plot`: seconds to render every chart of one episode.
struct PlotBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Seconds to render all charts of a 1000-step, 4-agent dense log (world snapshots every 50 steps).",
    discussion: """
      The log is a random episode of the bundled tutorial config (seed 1). Timed: reading the \
      log's JSON, extracting the series, drawing every chart and encoding the PNGs and the \
      report, on one thread; not timed: simulating the episode and writing files. Reports the \
      median of --repeats runs.
      """)

  @Option(help: "Config of the episode (default: the bundled RLlib tutorial config).")
  var config = "scenarios/gather_trade_build.yaml"

  @Option(parsing: .unconditional, help: "Timed runs (the median is reported).")
  var repeats = 5

  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, found \(repeats)") }
  }

  func run() throws {
    var env: Environment
    do {
      env = try Environment(configFile: config)
    } catch {
      throw ExitMessage(text: "\(error)")
    }
    let summary = EpisodeRunner.runRandomEpisode(&env, seed: 1, forceDenseLog: true)
    guard let recording = summary.denseLog else { throw ExitMessage(text: "the episode kept no dense log") }
    let bytes = recording.jsonBytes()
    var times: [Double] = []
    var pngBytes = 0
    var files = 0
    var snapshots = 0
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      let log = try DenseLog(json: try JSONParser.parse(bytes), origin: "benchmark episode")
      let charts = try EpisodeCharts(data: EpisodeData(log))
      let (out, _) = charts.all()
      let encoded = try out.compactMap { try $0.image?.pngData() }
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      pngBytes = encoded.map(\.count).reduce(0, +)
      files = out.count
      snapshots = log.snapshotIndices.count
    }
    let seconds = times.sorted()[times.count / 2]
    let steps = env.config.episodeLength
    let agents = env.agentCount
    if json {
      print(
        String(
          format:
            #"{"seconds": %.4f, "steps": %d, "agents": %d, "snapshots": %d, "files": %d, "png_bytes": %d, "log_bytes": %d, "peak_rss_mib": %.1f}"#,
          seconds, steps, agents, snapshots, files, pngBytes, bytes.count, EnvBenchmark.peakRSSMiB()))
    } else {
      print(
        "episode: \(steps) steps, \(agents) agents, \(snapshots) world snapshots, \(bytes.count / 1024) KiB of JSON")
      print(
        String(
          format: "all charts (%d files, %d KiB of PNG): %.3f s (median of %d)", files, pngBytes / 1024, seconds,
          repeats))
      print(String(format: "peak RSS: %.1f MiB", EnvBenchmark.peakRSSMiB()))
    }
  }
}
