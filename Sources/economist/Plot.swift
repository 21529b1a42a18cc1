import ArgumentParser
import Economy
import Foundation
import Plots

/// `economist plot`: charts of a dense log or of a training run, as PNG files.
struct Plot: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw a dense log's episode, or a training run's curves, as PNG charts.",
    discussion: """
      SOURCE is a dense log (our .json or Foundation's .lz4) or a run directory (its \
      progress.csv). A log gives world.png (map snapshots), agents.png (wood, stone, coin, \
      labor, utility per agent), trajectories.png (paths and trades), taxes.png (when the log \
      has taxes), economy.png (productivity, equality) and report.md (income by source); a \
      one-step economy's log (no map, agents with skill) gives agents-by-skill.png (hours, \
      income, tax, utility against skill), tax-schedule.png and report.md instead. A run \
      gives training.png (against env steps) and training-wall-time.png. Charts the data do not allow are skipped with a note; the others are \
      still written.
      """)

  @Argument(help: "A dense log file or a run directory.")
  var source: String

  @Option(help: "Output directory (default: plots/ beside a log, or inside a run directory).")
  var out: String?

  @Option(help: "Agents to draw, as a comma-separated list (e.g. 0,2; default: all).")
  var agents: String?

  @Option(parsing: .unconditional, help: "Map snapshots in world.png.")
  var snapshots = 5

  @Option(help: "Image size in pixels, WIDTHxHEIGHT (default: each chart's own).")
  var size: String?

  @Option(parsing: .unconditional, help: "Training curves: moving average over this many iterations.")
  var smooth = 1

  func validate() throws {
    guard snapshots >= 1 else { throw ValidationError("--snapshots must be at least 1, found \(snapshots)") }
    guard smooth >= 1 else { throw ValidationError("--smooth must be at least 1, found \(smooth)") }
    _ = try parsedSize()
    _ = try parsedAgents()
  }

  func parsedSize() throws -> (width: Int, height: Int)? {
    guard let size else { return nil }
    let parts = size.lowercased().split(separator: "x").map { Int($0) }
    guard parts.count == 2, let w = parts[0], let h = parts[1], (200...10000).contains(w), (150...10000).contains(h)
    else {
      throw ValidationError(
        "--size expects WIDTHxHEIGHT in pixels (width 200 to 10000, height 150 to 10000), found '\(size)'")
    }
    return (w, h)
  }

  func parsedAgents() throws -> [Int]? {
    guard let agents else { return nil }
    var out: [Int] = []
    for part in agents.split(separator: ",", omittingEmptySubsequences: false) {
      guard let a = Int(part.trimmingCharacters(in: .whitespaces)), a >= 0 else {
        throw ValidationError("--agents expects agent indices like 0,2; found '\(part)' in '\(agents)'")
      }
      if !out.contains(a) { out.append(a) }
    }
    return out
  }

  func run() throws {
    let command = (["economist"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
      throw ExitMessage(text: "\(source): no such file or directory")
    }
    let (written, notes) =
      isDirectory.boolValue ? (try plotRun(command: command), []) : try plotLog(command: command)
    for note in notes { printError("note: \(note)") }
    print("written: \(written.joined(separator: ", "))")
  }

  /// `training.png` (against env steps) and `training-wall-time.png` of a run directory;
  /// returns the paths written.
  private func plotRun(command: String) throws -> [String] {
    let csv = (source as NSString).appendingPathComponent("progress.csv")
    guard let data = FileManager.default.contents(atPath: csv) else {
      throw ExitMessage(text: "\(source): a directory without progress.csv (not a training run directory)")
    }
    let directory = out ?? (source as NSString).appendingPathComponent("plots")
    let size = try parsedSize()
    do throws(PlotError) {
      let table = try ProgressTable(csv: String(decoding: data, as: UTF8.self), origin: csv)
      var written: [String] = []
      for (name, axis) in [("training.png", TrainingCharts.XAxis.envSteps), ("training-wall-time.png", .wallTime)] {
        let figure = TrainingCharts(table: table, smoothing: smooth, size: size, xAxis: axis).figure()
        written.append(
          try ChartFile(name: name, image: figure.render().image()).write(to: directory, source: csv, command: command))
      }
      return written
    } catch {
      throw ExitMessage(text: error.message)
    }
  }

  /// The episode charts of a dense log; returns the paths written and notes on charts left out.
  private func plotLog(command: String) throws -> (written: [String], notes: [String]) {
    let directory = out ?? ((source as NSString).deletingLastPathComponent as NSString).appendingPathComponent("plots")
    let log: DenseLog
    do throws(DenseLogError) {
      log = try DenseLog.load(path: source)
    } catch {
      throw ExitMessage(text: error.description)
    }
    let options = EpisodeChartOptions(agents: try parsedAgents(), snapshots: snapshots, size: try parsedSize())
    do throws(PlotError) {
      let (files, notes) = try EpisodeCharts.all(for: log, options: options)
      var written: [String] = []
      for file in files { written.append(try file.write(to: directory, source: source, command: command)) }
      return (written, notes)
    } catch {
      throw ExitMessage(text: "\(source): \(error.message)")
    }
  }
}
