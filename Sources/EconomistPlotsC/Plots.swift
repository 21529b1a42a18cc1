// The charts of the Python package (`economist.plotting`): dense logs in, PNG bytes out, drawn
// by `Plots`. A library of its own (`libeconomist_plots.so`) because it needs Cairo and libpng,
// which the environments do not: `import economist` never loads it.

import ABISupport
import Basics
import Economy
import Plots

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The ABI version this library implements.
@_cdecl("economist_plots_abi_version")
public func economistPlotsABIVersion() -> Int32 { ABI.version }

/// This thread's last error message ("" when none).
@_cdecl("economist_plots_last_error")
public func economistPlotsLastError() -> UnsafePointer<CChar> { lastError() }

/// Releases bytes this library returned.
@_cdecl("economist_plots_free")
public func economistPlotsFree(_ pointer: UnsafeMutableRawPointer?) { free(pointer) }

/// Draws one chart of a dense log given as JSON (`length` bytes) and returns its PNG bytes
/// (`*outLength` of them; the caller frees them with `economist_plots_free`), or NULL with the
/// error set.
///
/// `chart`: `world` (map snapshots), `agents` (resources, coin, labor, reward per agent),
/// `trajectories` (paths and trades), `taxes`, `economy`; for a one-step economy's log (no map,
/// agents with skill and production) `agents-by-skill` (hours, income, tax, utility against
/// skill) and `tax-schedule` instead. `snapshots`: world panels;
/// `from`/`to`: the steps they spread over (-1: the episode's first/last); `width`/`height`:
/// pixels (0: the chart's own size).
@_cdecl("economist_plots_chart")
public func economistPlotsChart(
  _ json: UnsafePointer<UInt8>?, _ length: Int64, _ origin: UnsafePointer<CChar>?, _ chart: UnsafePointer<CChar>?,
  _ snapshots: Int32, _ from: Int32, _ to: Int32, _ width: Int32, _ height: Int32,
  _ outLength: UnsafeMutablePointer<Int64>?
) -> UnsafeMutableRawPointer? {
  func failing(_ status: Status, _ message: String) -> UnsafeMutableRawPointer? {
    fail(status, message)
    return nil
  }
  guard let json, let chart, let outLength, length >= 0 else {
    return failing(.argument, "economist_plots_chart: NULL log, chart or output length, or a negative length")
  }
  guard (1...64).contains(snapshots) else {
    return failing(.argument, "snapshots must be in 1...64, found \(snapshots)")
  }
  guard (width == 0 && height == 0) || ((100...8192).contains(width) && (100...8192).contains(height)) else {
    return failing(
      .argument, "width and height must both be 0 (the chart's size) or in 100...8192, found \(width)×\(height)")
  }
  guard from >= -1 && to >= -1 && (from == -1 || to == -1 || from <= to) else {
    return failing(
      .argument, "the step range must have 0 <= from <= to (or -1 for the episode's ends), found \(from)...\(to)")
  }
  let name = origin.map { String(cString: $0) } ?? "<dense log>"
  let log: DenseLog
  do {
    let value = try JSONParser.parse(Array(UnsafeBufferPointer(start: json, count: Int(length))))
    log = try DenseLog(json: value, origin: name)
  } catch let error as JSONParseError {
    return failing(.argument, "\(name): malformed JSON: \(error.description)")
  } catch let error as DenseLogError {
    return failing(.argument, error.description)
  } catch {
    return failing(.argument, "\(name): \(error)")
  }
  var options = EpisodeChartOptions(snapshots: Int(snapshots))
  if width > 0 { options.size = (Int(width), Int(height)) }
  let chartName = String(cString: chart)
  if OneStepEpisode.isOneStep(log) {
    return oneStepChart(log, name: name, chart: chartName, options: options, outLength: outLength)
  }
  let data = EpisodeData(log)
  if from >= 0 || to >= 0 {
    let lower = Int(max(0, from))
    let upper = to >= 0 ? Int(to) : max(lower, data.steps)
    options.range = lower...max(lower, upper)
  }
  let charts: EpisodeCharts
  do {
    charts = try EpisodeCharts(data: data, options: options)
  } catch {
    return failing(.argument, "\(name): \(error.description)")
  }
  let figure: Figure?
  switch chartName {
  case "world": figure = charts.world()
  case "agents": figure = charts.agents()
  case "trajectories": figure = charts.trajectories()
  case "taxes": figure = charts.taxes()
  case "economy": figure = charts.economy()
  case "agents-by-skill", "tax-schedule":
    return failing(.argument, "\(name): '\(chartName)' is a one-step economy's chart, and this log is not one's")
  case let other:
    return failing(
      .argument,
      "unknown chart '\(other)' (charts: world, agents, trajectories, taxes, economy; agents-by-skill, tax-schedule for a one-step economy)"
    )
  }
  guard let figure else {
    return failing(
      .argument,
      "\(name): the log has nothing for this chart (no world snapshots in the range, or no completed tax period)")
  }
  return pngBytes(figure, name: name, outLength: outLength)
}

/// A one-step economy's chart (`agents-by-skill` or `tax-schedule`) as PNG bytes, or NULL
/// with the error set.
private func oneStepChart(
  _ log: DenseLog, name: String, chart: String, options: EpisodeChartOptions, outLength: UnsafeMutablePointer<Int64>
) -> UnsafeMutableRawPointer? {
  let charts: OneStepCharts
  do {
    charts = try OneStepCharts(episode: OneStepEpisode(log), options: options)
  } catch {
    fail(.argument, "\(name): \(error.description)")
    return nil
  }
  let figure: Figure?
  switch chart {
  case "agents-by-skill": figure = charts.agentsBySkill()
  case "tax-schedule": figure = charts.taxSchedule()
  case "world", "agents", "trajectories", "taxes", "economy":
    fail(
      .argument,
      "\(name): a one-step economy's log (no map; agents with skill and production) has no '\(chart)' chart; its charts are agents-by-skill and tax-schedule"
    )
    return nil
  case let other:
    fail(.argument, "unknown chart '\(other)' (a one-step economy's charts: agents-by-skill, tax-schedule)")
    return nil
  }
  guard let figure else {
    fail(.argument, "\(name): the log has no taxes (no PeriodicTax entries), so no tax schedule")
    return nil
  }
  return pngBytes(figure, name: name, outLength: outLength)
}

/// `figure`'s PNG in memory the caller frees, its length in `outLength`; NULL with the error
/// set when encoding fails.
private func pngBytes(_ figure: Figure, name: String, outLength: UnsafeMutablePointer<Int64>)
  -> UnsafeMutableRawPointer?
{
  func failing(_ status: Status, _ message: String) -> UnsafeMutableRawPointer? {
    fail(status, message)
    return nil
  }
  let png: [UInt8]
  do {
    png = try figure.render().image().pngData()
  } catch {
    return failing(.io, "\(name): PNG encoding failed: \(error)")
  }
  guard let out = malloc(max(1, png.count)) else { return failing(.io, "out of memory for \(png.count) bytes") }
  png.withUnsafeBytes { raw in
    if let base = raw.baseAddress { memcpy(out, base, png.count) }
  }
  outLength.pointee = Int64(png.count)
  clearError()
  return out
}
