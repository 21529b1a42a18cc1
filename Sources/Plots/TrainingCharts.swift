// Training curves from a run directory's progress.csv: rewards, social metrics, learner
// statistics and speed against env steps.

import Basics
import Foundation

/// The columns of a `progress.csv`.
public struct ProgressTable: Sendable {
  /// Column names.
  public let columns: [String]
  /// Rows of values (NaN for empty or non-numeric cells).
  public let rows: [[Double]]

  /// Parses CSV text with a header row (RFC 4180 quoting).
  ///
  /// - Throws: ``PlotError`` naming `origin` for a file without a header or records, or a row
  ///   with another number of fields than the header.
  public init(csv text: String, origin: String) throws(PlotError) {
    // A last row without its newline is kept: a file from another tool may omit it.
    let records = CSV.records(Array(text.utf8)).map(\.fields)
    guard let header = records.first, !header.isEmpty, header != [""] else {
      throw PlotError("\(origin): empty file; expected a header row and one row per iteration")
    }
    var rows: [[Double]] = []
    for (i, record) in records.dropFirst().enumerated() {
      if record == [""] { continue }
      guard record.count == header.count else {
        throw PlotError(
          "\(origin):\(i + 2): \(record.count) fields, but the header has \(header.count) (a truncated or damaged file?)"
        )
      }
      rows.append(record.map { Double($0) ?? .nan })
    }
    guard !rows.isEmpty else { throw PlotError("\(origin): no iterations recorded yet (only the header)") }
    columns = header
    self.rows = rows
  }

  /// The values of the first column whose name is `name` or ends with `/name`, if any.
  public func column(_ name: String) -> [Double]? {
    guard let i = columns.firstIndex(where: { $0 == name }) ?? columns.firstIndex(where: { $0.hasSuffix("/" + name) })
    else { return nil }
    return rows.map { $0[i] }
  }
}

/// The training charts of a run.
public struct TrainingCharts {
  /// What the curves are drawn against.
  public enum XAxis: Sendable {
    /// Env steps sampled (`timesteps_total`), else the iteration.
    case envSteps
    /// Wall time of the whole run (`time_total_s`), in seconds, minutes or hours by its length.
    case wallTime
  }

  /// The table.
  public let table: ProgressTable
  /// Trailing moving-average window in iterations (1: none).
  public let smoothing: Int
  /// Image size.
  public let size: (width: Int, height: Int)
  /// The x axis.
  public let xAxis: XAxis

  /// Prepares the charts.
  public init(
    table: ProgressTable, smoothing: Int = 1, size: (width: Int, height: Int)? = nil, xAxis: XAxis = .envSteps
  ) {
    self.table = table
    self.smoothing = max(1, smoothing)
    self.size = size ?? (1800, 1080)
    self.xAxis = xAxis
  }

  /// The x values and their label.
  func xValues() -> (xs: [Double], label: String) {
    if xAxis == .wallTime, let seconds = table.column("time_total_s"), seconds.contains(where: \.isFinite) {
      let longest = seconds.filter(\.isFinite).max() ?? 0
      if longest >= 7200 { return (seconds.map { $0 / 3600 }, "wall time (h)") }
      if longest >= 120 { return (seconds.map { $0 / 60 }, "wall time (min)") }
      return (seconds, "wall time (s)")
    }
    if let steps = table.column("timesteps_total") ?? table.column("num_env_steps_sampled") {
      return (steps, "env steps")
    }
    return (table.rows.indices.map { Double($0 + 1) }, "iteration")
  }

  /// Colour of a policy's curves.
  static func color(_ policy: String) -> Color {
    switch policy {
    case "a": Color(hex: 0x0072B2)
    case "p": Color(hex: 0xD55E00)
    default: Palette.agent(abs(policy.hashValue) % 8)
    }
  }

  /// The policies with columns in the table (`policy_reward_mean/<id>` or `info/learner/<id>/…`).
  var policies: [String] {
    var out: [String] = []
    for c in table.columns {
      var id: String?
      if c.hasPrefix("policy_reward_mean/") { id = String(c.dropFirst("policy_reward_mean/".count)) }
      if c.hasPrefix("info/learner/") {
        id = c.dropFirst("info/learner/".count).split(separator: "/").first.map(String.init)
      }
      if let id, !out.contains(id) { out.append(id) }
    }
    return out
  }

  /// Trailing moving average over `smoothing` values, skipping NaN.
  func smoothed(_ values: [Double]) -> [Double] {
    guard smoothing > 1 else { return values }
    return values.indices.map { i in
      let window = values[max(0, i - smoothing + 1)...i].filter(\.isFinite)
      return window.isEmpty ? .nan : window.reduce(0, +) / Double(window.count)
    }
  }

  /// All curves in one figure (`training.png`).
  public func figure() -> Figure {
    let (xs, xLabel) = xValues()
    let title = smoothing > 1 ? "Training (moving average over \(smoothing) iterations)" : "Training"
    let figure = Figure(width: size.width, height: size.height, rows: 3, cols: 4, title: title)
    let ids = policies
    figure.legend = ids.map { LegendEntry("policy \($0)", color: TrainingCharts.color($0)) }
    let perPolicy: [(String, String)] = [
      ("Episode reward", "policy_reward_mean"), ("Policy loss", "policy_loss"), ("Value loss", "vf_loss"),
      ("Entropy", "entropy"), ("Approx. KL", "approx_kl"), ("Clip fraction", "clip_fraction"),
    ]
    let single: [(String, String, String)] = [
      ("Productivity", "social/productivity", "total coin"), ("Equality", "social/equality", "1 − Gini"),
      ("Equality × productivity", "social/equality_times_productivity", "coin"),
      ("Episode reward (all agents)", "episode_reward_mean", "reward"), ("Speed", "env_steps_per_s", "env steps / s"),
      ("Labor cost", "labor/weighted_cost", "energy_cost × warm-up weight"),
    ]
    var panels: [Axes] = []
    for (title, key) in perPolicy {
      let axes = Axes(title: title, xLabel: xLabel)
      for id in ids {
        let name = key == "policy_reward_mean" ? "policy_reward_mean/\(id)" : "info/learner/\(id)/\(key)"
        guard let ys = table.column(name), ys.contains(where: \.isFinite) else { continue }
        add(ys, xs: xs, color: TrainingCharts.color(id), to: axes)
      }
      if axes.series.isEmpty { axes.message = "not in progress.csv" }
      panels.append(axes)
    }
    for (title, key, label) in single {
      let axes = Axes(title: title, xLabel: xLabel, yLabel: label)
      if let ys = table.column(key), ys.contains(where: \.isFinite) {
        add(ys, xs: xs, color: Color(hex: 0x333333), to: axes)
      } else {
        axes.message = "not in progress.csv"
      }
      panels.append(axes)
    }
    // One x range for every panel, so that the curves line up.
    let finite = xs.filter(\.isFinite)
    if let lo = finite.min(), let hi = finite.max(), hi > lo {
      for axes in panels { axes.xLimits = lo...hi }
    }
    for (i, axes) in panels.enumerated() { figure.add(axes, row: i / 4, col: i % 4) }
    return figure
  }

  /// Adds the raw curve (faint when smoothing) and the smoothed one.
  private func add(_ ys: [Double], xs: [Double], color: Color, to axes: Axes) {
    if smoothing > 1 {
      axes.add(Series(.line, xs: xs, ys: ys, color: color.opacity(0.25), width: 1.2))
    }
    axes.add(
      Series(
        .line, xs: xs, ys: smoothed(ys), color: color, width: 1.9, marker: xs.count <= 30 ? .circle : nil, markerSize: 4
      ))
  }
}
