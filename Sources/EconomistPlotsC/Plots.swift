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
/// `trajectories` (paths and trades), `taxes`, `economy`. `snapshots`: world panels;
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
  let data = EpisodeData(log)
  var options = EpisodeChartOptions(snapshots: Int(snapshots))
  if width > 0 { options.size = (Int(width), Int(height)) }
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
  switch String(cString: chart) {
  case "world": figure = charts.world()
  case "agents": figure = charts.agents()
  case "trajectories": figure = charts.trajectories()
  case "taxes": figure = charts.taxes()
  case "economy": figure = charts.economy()
  case let other:
    return failing(.argument, "unknown chart '\(other)' (charts: world, agents, trajectories, taxes, economy)")
  }
  guard let figure else {
    return failing(
      .argument,
      "\(name): the log has nothing for this chart (no world snapshots in the range, or no completed tax period)")
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
