// A small chart layer: figures with a grid of panels; axes with ticks, labels, titles and
// legends; line, step, stem, bar and scatter series and image layers.

import Foundation

/// How a series is drawn.
public enum SeriesKind: Sendable, Equatable {
  /// Points joined by straight lines (NaN breaks the line).
  case line
  /// A step function: each value holds until the next x.
  case step
  /// Vertical lines from 0 to each value with a dot at the end.
  case stems
  /// Bars centred on each x, `width` data units wide, from 0.
  case bars(width: Double)
  /// Markers only.
  case scatter
}

/// One data series of an ``Axes``.
public struct Series: Sendable {
  /// How it is drawn.
  public var kind: SeriesKind
  /// X values.
  public var xs: [Double]
  /// Y values (NaN: no value).
  public var ys: [Double]
  /// Colour.
  public var color: Color
  /// Line width in pixels.
  public var width: Double
  /// Dash pattern (empty: solid).
  public var dash: [Double]
  /// Marker drawn at each point (scatter, and optional on lines).
  public var marker: Marker?
  /// Marker diameter in pixels.
  public var markerSize: Double
  /// Marker outline.
  public var markerOutline: Color?
  /// Marker diameter in x data units instead of pixels (map tiles), when set.
  public var markerDataSize: Double?
  /// Legend label (nil: not in the legend).
  public var label: String?

  /// Creates a series.
  public init(
    _ kind: SeriesKind, xs: [Double], ys: [Double], color: Color, width: Double = 1.8, dash: [Double] = [],
    marker: Marker? = nil, markerSize: Double = 7, markerOutline: Color? = nil, markerDataSize: Double? = nil,
    label: String? = nil
  ) {
    self.markerDataSize = markerDataSize
    self.kind = kind
    self.xs = xs
    self.ys = ys
    self.color = color
    self.width = width
    self.dash = dash
    self.marker = marker
    self.markerSize = markerSize
    self.markerOutline = markerOutline
    self.label = label
  }
}

/// A grid of coloured cells covering x in `0...cols` and y in `0...rows` (row 0 at y 0).
public struct ImageLayer: Sendable {
  /// Rows.
  public var rows: Int
  /// Columns.
  public var cols: Int
  /// `rows × cols` colours, row-major.
  public var colors: [Color]

  /// Creates a layer.
  public init(rows: Int, cols: Int, colors: [Color]) {
    precondition(colors.count == rows * cols, "an image layer needs rows × cols colours")
    self.rows = rows
    self.cols = cols
    self.colors = colors
  }
}

/// A legend entry.
public struct LegendEntry: Sendable {
  /// The swatch.
  public enum Swatch: Sendable {
    /// A line sample.
    case line(dash: [Double])
    /// A marker.
    case marker(Marker)
    /// A filled box.
    case box
  }
  /// Text.
  public var label: String
  /// Colour.
  public var color: Color
  /// The swatch.
  public var swatch: Swatch
  /// Marker outline (markers only).
  public var outline: Color?

  /// Creates an entry.
  public init(_ label: String, color: Color, swatch: Swatch = .line(dash: []), outline: Color? = nil) {
    self.label = label
    self.color = color
    self.swatch = swatch
    self.outline = outline
  }
}

/// Font sizes (pixels).
enum FontSize {
  static let figureTitle = 17.0
  static let panelTitle = 13.0
  static let label = 12.0
  static let tick = 11.0
  static let legend = 11.5
}

/// One panel: data ranges, ticks, labels and series.
public final class Axes {
  /// Title above the panel.
  public var title: String?
  /// X axis label.
  public var xLabel: String?
  /// Y axis label.
  public var yLabel: String?
  /// Fixed x range (nil: from the data).
  public var xLimits: ClosedRange<Double>?
  /// Fixed y range (nil: from the data, with a 5% margin).
  public var yLimits: ClosedRange<Double>?
  /// Y grows downwards (map rows).
  public var invertY = false
  /// One x unit as long as one y unit on screen (maps).
  public var equalAspect = false
  /// Tick marks, tick labels and grid lines.
  public var showTicks = true
  /// Grid lines at the ticks.
  public var grid = true
  /// Plot-area background.
  public var background = Color.white
  /// A legend of the labelled series, in the corner where it covers the fewest points.
  public var legend = false
  /// Explicit x ticks (categories) instead of nice values.
  public var xTicks: [(value: Double, label: String)]?
  /// Always include y = 0 in the range.
  public var includeZero = false
  /// Text centred in the panel (no data, for instance).
  public var message: String?
  /// Series, drawn in order over the image layer.
  public var series: [Series] = []
  /// A cell grid drawn first.
  public var image: ImageLayer?
  /// Horizontal reference line at y = 0.
  public var zeroLine = false
  /// Text drawn centred at data points (cell values of a heat map).
  public var annotations: [(x: Double, y: Double, text: String, color: Color)] = []
  /// Explicit y ticks (categories) instead of nice values.
  public var yTicks: [(value: Double, label: String)]?

  /// An empty panel.
  public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Adds a series.
  public func add(_ s: Series) { series.append(s) }

  /// The data ranges of the series and image (finite values only).
  func dataRanges() -> (x: ClosedRange<Double>?, y: ClosedRange<Double>?) {
    var x0 = Double.infinity
    var x1 = -Double.infinity
    var y0 = Double.infinity
    var y1 = -Double.infinity
    if let image {
      (x0, x1, y0, y1) = (0, Double(image.cols), 0, Double(image.rows))
    }
    for s in series {
      var half = 0.0
      if case .bars(let w) = s.kind { half = w / 2 }
      for (x, y) in zip(s.xs, s.ys) where x.isFinite && y.isFinite {
        x0 = min(x0, x - half)
        x1 = max(x1, x + half)
        y0 = min(y0, y)
        y1 = max(y1, y)
      }
      switch s.kind {
      case .bars, .stems:
        if y0.isFinite {
          y0 = min(y0, 0)
          y1 = max(y1, 0)
        }
      default: break
      }
    }
    return (x0 <= x1 ? x0...x1 : nil, y0 <= y1 ? y0...y1 : nil)
  }

  /// Draws the panel into `rect` of `canvas`.
  func draw(in rect: Rect, on canvas: Canvas) {
    var area = rect
    if let title {
      canvas.text(
        title, x: rect.x + rect.width / 2, y: rect.y, size: FontSize.panelTitle, bold: true, align: .center,
        vertical: .top)
      area = area.inset(top: FontSize.panelTitle + 8)
    }
    let data = dataRanges()
    var xRange = xLimits ?? data.x ?? 0...1
    var yRange = yLimits ?? data.y ?? 0...1
    if includeZero && yLimits == nil { yRange = min(yRange.lowerBound, 0)...max(yRange.upperBound, 0) }
    // Ranges a few ulps wide count as empty (ticks need room between values), and ranges no
    // Double can span are clamped.
    xRange = Axes.drawable(xRange)
    yRange = Axes.drawable(yRange)
    if xRange.upperBound <= xRange.lowerBound {
      let pad = max(1, abs(xRange.lowerBound) * 0.1)
      xRange = (xRange.lowerBound - pad)...(xRange.upperBound + pad)
    }
    if yRange.upperBound <= yRange.lowerBound {
      let pad = max(1, abs(yRange.lowerBound) * 0.1)
      yRange = (yRange.lowerBound - pad)...(yRange.upperBound + pad)
    }
    if yLimits == nil && image == nil {
      let pad = (yRange.upperBound - yRange.lowerBound) * 0.05
      let lower = yRange.lowerBound == 0 && data.y?.lowerBound == 0 ? 0 : yRange.lowerBound - pad
      yRange = lower...(yRange.upperBound + pad)
    }
    let hasBars = series.contains {
      if case .bars = $0.kind { return true }
      return $0.kind == .scatter || $0.kind == .stems
    }
    if xLimits == nil && image == nil && hasBars {
      let pad = (xRange.upperBound - xRange.lowerBound) * 0.04
      xRange = (xRange.lowerBound - pad)...(xRange.upperBound + pad)
    }

    let niceY = Ticks.values(lo: yRange.lowerBound, hi: yRange.upperBound, target: 5)
    let yTickList: [(value: Double, label: String)] =
      !showTicks ? [] : self.yTicks?.filter { yRange.contains($0.value) } ?? Array(zip(niceY, Ticks.labels(niceY)))
    let yTicks = yTickList.map(\.value)
    let yLabels = yTickList.map(\.label)
    let xTickList: [(value: Double, label: String)] =
      !showTicks
      ? []
      : xTicks?.filter { xRange.contains($0.value) }
        ?? {
          let values = Ticks.values(lo: xRange.lowerBound, hi: xRange.upperBound, target: max(2, Int(area.width / 90)))
          return Array(zip(values, Ticks.labels(values)))
        }()
    let tickWidth = yLabels.map { canvas.textWidth($0, size: FontSize.tick) }.max() ?? 0
    let left = showTicks ? tickWidth + 10 + (yLabel == nil ? 0 : FontSize.label + 8) : 2
    let bottom = showTicks ? FontSize.tick + 10 + (xLabel == nil ? 0 : FontSize.label + 8) : 2
    var plot = area.inset(left: left, top: 4, right: showTicks ? 10 : 2, bottom: bottom)
    let dx = xRange.upperBound - xRange.lowerBound
    let dy = yRange.upperBound - yRange.lowerBound
    if equalAspect {
      let scale = min(plot.width / dx, plot.height / dy)
      let w = dx * scale
      let h = dy * scale
      plot = Rect(x: plot.x + (plot.width - w) / 2, y: plot.y + (plot.height - h) / 2, width: w, height: h)
    }
    var transform = Transform(plot: plot, x: xRange, y: yRange, invertY: invertY)
    var legendBox: Rect?
    if legend, let box = legendPlacement(plot, transform, canvas) {
      if box.covered == 0 {
        legendBox = box.rect
      } else {
        // Every corner covers data: the legend goes to the right of the plot.
        plot = plot.inset(right: box.rect.width + 10)
        transform = Transform(plot: plot, x: xRange, y: yRange, invertY: invertY)
        legendBox = Rect(x: plot.maxX + 10, y: plot.y, width: box.rect.width, height: box.rect.height)
      }
    }

    canvas.fill(plot, background)
    if grid && showTicks {
      for t in yTicks {
        let y = transform.y(t)
        canvas.line(from: (plot.x, y), to: (plot.maxX, y), .gridLine, width: 1)
      }
      for t in xTickList {
        let x = transform.x(t.value)
        canvas.line(from: (x, plot.y), to: (x, plot.maxY), .gridLine, width: 1)
      }
    }
    canvas.clipped(to: plot) {
      if let image { drawImage(image, transform, canvas) }
      if zeroLine && yRange.contains(0) {
        let y = transform.y(0)
        canvas.line(from: (plot.x, y), to: (plot.maxX, y), Color(hex: 0x999999), width: 1)
      }
      for s in series { drawSeries(s, transform, canvas) }
      for a in annotations {
        canvas.text(
          a.text, x: transform.x(a.x), y: transform.y(a.y), size: FontSize.tick, color: a.color, align: .center,
          vertical: .middle)
      }
    }
    canvas.stroke(plot, Color(hex: 0xB0B0B0), width: 1)

    // Ticks and labels.
    for (t, label) in zip(yTicks, yLabels) {
      let y = transform.y(t)
      canvas.line(from: (plot.x - 4, y), to: (plot.x, y), .mutedInk, width: 1)
      canvas.text(
        label, x: plot.x - 6, y: y, size: FontSize.tick, color: .mutedInk, align: .right, vertical: .middle)
    }
    var lastRight = -Double.infinity
    for t in xTickList {
      let x = transform.x(t.value)
      canvas.line(from: (x, plot.maxY), to: (x, plot.maxY + 4), .mutedInk, width: 1)
      let w = canvas.textWidth(t.label, size: FontSize.tick)
      // Skip a label that would overlap the previous one.
      guard x - w / 2 > lastRight + 4 else { continue }
      lastRight = x + w / 2
      canvas.text(
        t.label, x: x, y: plot.maxY + 6, size: FontSize.tick, color: .mutedInk, align: .center, vertical: .top)
    }
    if let xLabel {
      canvas.text(
        xLabel, x: plot.x + plot.width / 2, y: area.maxY, size: FontSize.label, align: .center, vertical: .bottom)
    }
    if let yLabel {
      canvas.text(
        yLabel, x: area.x + FontSize.label, y: plot.y + plot.height / 2, size: FontSize.label, align: .center,
        vertical: .baseline, rotated: true)
    }
    if let message {
      canvas.text(
        message, x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, size: FontSize.label, color: .mutedInk,
        align: .center, vertical: .middle)
    }
    if let legendBox { drawLegend(in: legendBox, canvas) }
  }

  /// `range` clamped to ±1e300 and collapsed to its lower bound when it is narrower than
  /// 1e-12 of its magnitude.
  static func drawable(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
    let lo = max(-1e300, min(1e300, range.lowerBound.isNaN ? 0 : range.lowerBound))
    let hi = max(lo, min(1e300, range.upperBound.isNaN ? lo : range.upperBound))
    return hi - lo <= 1e-12 * max(abs(lo), abs(hi)) ? lo...lo : lo...hi
  }

  private func drawImage(_ image: ImageLayer, _ t: Transform, _ canvas: Canvas) {
    for r in 0..<image.rows {
      for c in 0..<image.cols {
        let x0 = t.x(Double(c))
        let x1 = t.x(Double(c + 1))
        let y0 = t.y(Double(r))
        let y1 = t.y(Double(r + 1))
        // Cells overlap by a fraction of a pixel so that no seams show.
        canvas.fill(
          Rect(x: min(x0, x1), y: min(y0, y1), width: abs(x1 - x0) + 0.5, height: abs(y1 - y0) + 0.5),
          image.colors[r * image.cols + c])
      }
    }
  }

  private func drawSeries(_ s: Series, _ t: Transform, _ canvas: Canvas) {
    let points = zip(s.xs, s.ys).map { (x: t.x($0), y: $1.isFinite ? t.y($1) : Double.nan) }
    switch s.kind {
    case .line:
      canvas.polyline(points, s.color, width: s.width, dash: s.dash)
    case .step:
      var stepped: [(x: Double, y: Double)] = []
      for (i, p) in points.enumerated() {
        stepped.append(p)
        if i + 1 < points.count { stepped.append((points[i + 1].x, p.y)) }
      }
      canvas.polyline(stepped, s.color, width: s.width, dash: s.dash)
    case .stems:
      let base = t.y(0)
      for p in points where p.y.isFinite {
        canvas.line(from: (p.x, base), to: (p.x, p.y), s.color, width: s.width)
      }
    case .bars(let width):
      let base = t.y(0)
      for (x, y) in zip(s.xs, s.ys) where y.isFinite {
        let x0 = t.x(x - width / 2)
        let x1 = t.x(x + width / 2)
        let top = t.y(y)
        canvas.fill(Rect(x: x0, y: min(base, top), width: x1 - x0, height: abs(top - base)), s.color)
      }
    case .scatter:
      break
    }
    if let marker = s.marker ?? (s.kind == .scatter ? .circle : nil) {
      let size = s.markerDataSize.map { abs(t.x($0) - t.x(0)) } ?? s.markerSize
      for p in points where p.y.isFinite && p.x.isFinite {
        canvas.marker(marker, x: p.x, y: p.y, size: size, fill: s.color, outline: s.markerOutline)
      }
    }
  }

  /// The legend's entries: labelled series.
  private var legendEntries: [LegendEntry] {
    series.compactMap { s -> LegendEntry? in
      guard let label = s.label else { return nil }
      switch s.kind {
      case .scatter: return LegendEntry(label, color: s.color, swatch: .marker(s.marker ?? .circle))
      case .bars: return LegendEntry(label, color: s.color, swatch: .box)
      default: return LegendEntry(label, color: s.color, swatch: .line(dash: s.dash))
      }
    }
  }

  private var legendRowHeight: Double { FontSize.legend + 6 }

  /// The plot corner whose legend box covers the fewest data points, and how many it covers.
  private func legendPlacement(_ plot: Rect, _ t: Transform, _ canvas: Canvas) -> (rect: Rect, covered: Int)? {
    let entries = legendEntries
    guard !entries.isEmpty else { return nil }
    let width = (entries.map { canvas.textWidth($0.label, size: FontSize.legend) }.max() ?? 0) + 40
    let height = Double(entries.count) * legendRowHeight + 8
    let corners = [
      Rect(x: plot.maxX - width - 6, y: plot.y + 6, width: width, height: height),
      Rect(x: plot.x + 6, y: plot.y + 6, width: width, height: height),
      Rect(x: plot.x + 6, y: plot.maxY - height - 6, width: width, height: height),
      Rect(x: plot.maxX - width - 6, y: plot.maxY - height - 6, width: width, height: height),
    ]
    func inside(_ p: (x: Double, y: Double), _ box: Rect) -> Bool {
      p.x >= box.x - 2 && p.x <= box.maxX + 2 && p.y >= box.y - 2 && p.y <= box.maxY + 2
    }
    func covered(_ box: Rect) -> Int {
      var n = 0
      for s in series {
        var previous: (x: Double, y: Double)?
        for (x, y) in zip(s.xs, s.ys) where x.isFinite && y.isFinite {
          let p = (x: t.x(x), y: t.y(y))
          if inside(p, box) { n += 1 }
          // Lines crossing the box count too: sample each segment.
          if let q = previous, s.kind == .line || s.kind == .step {
            for k in 1..<8 {
              let f = Double(k) / 8
              if inside((q.x + (p.x - q.x) * f, q.y + (p.y - q.y) * f), box) { n += 1 }
            }
          }
          previous = p
        }
      }
      return n
    }
    let fits = width < plot.width - 8 && height < plot.height - 8
    let scored = corners.map { (rect: $0, covered: fits ? covered($0) : Int.max) }
    return scored.min { $0.covered < $1.covered }
  }

  /// Draws the legend box.
  private func drawLegend(in box: Rect, _ canvas: Canvas) {
    canvas.fill(box, Color.white.opacity(0.92))
    canvas.stroke(box, Color(hex: 0xCCCCCC), width: 1)
    for (i, entry) in legendEntries.enumerated() {
      let y = box.y + 4 + Double(i) * legendRowHeight + legendRowHeight / 2
      drawSwatch(entry, x: box.x + 8, y: y, canvas)
      canvas.text(entry.label, x: box.x + 32, y: y, size: FontSize.legend, align: .left, vertical: .middle)
    }
  }
}

/// Draws a legend swatch 18 pixels wide starting at `x`, centred on `y`.
func drawSwatch(_ entry: LegendEntry, x: Double, y: Double, _ canvas: Canvas) {
  switch entry.swatch {
  case .line(let dash):
    canvas.line(from: (x, y), to: (x + 18, y), entry.color, width: 2.2, dash: dash)
  case .marker(let m):
    canvas.marker(m, x: x + 9, y: y, size: 10, fill: entry.color, outline: entry.outline)
  case .box:
    canvas.fill(Rect(x: x + 2, y: y - 6, width: 14, height: 12), entry.color)
    if let outline = entry.outline { canvas.stroke(Rect(x: x + 2, y: y - 6, width: 14, height: 12), outline) }
  }
}

/// Data to pixel coordinates of a plot area.
struct Transform {
  let plot: Rect
  let x: ClosedRange<Double>
  let y: ClosedRange<Double>
  let invertY: Bool

  func x(_ v: Double) -> Double {
    plot.x + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * plot.width
  }

  func y(_ v: Double) -> Double {
    let f = (v - y.lowerBound) / (y.upperBound - y.lowerBound)
    return invertY ? plot.y + f * plot.height : plot.maxY - f * plot.height
  }
}

/// A picture: a title, an optional legend row under it, and a grid of panels.
public final class Figure {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// Grid rows.
  public let rows: Int
  /// Grid columns.
  public let cols: Int
  /// Title at the top.
  public var title: String?
  /// Entries of the legend row under the title (shared by all panels).
  public var legend: [LegendEntry] = []
  private var panels: [(axes: Axes, row: Int, col: Int, rowSpan: Int, colSpan: Int)] = []

  /// A figure of `width × height` pixels with a `rows × cols` grid.
  public init(width: Int, height: Int, rows: Int, cols: Int, title: String? = nil) {
    self.width = width
    self.height = height
    self.rows = max(1, rows)
    self.cols = max(1, cols)
    self.title = title
  }

  /// Places `axes` in the grid.
  public func add(_ axes: Axes, row: Int, col: Int, rowSpan: Int = 1, colSpan: Int = 1) {
    panels.append((axes, row, col, rowSpan, colSpan))
  }

  /// Draws everything.
  public func render() -> Canvas {
    let canvas = Canvas(width: width, height: height)
    let margin = 14.0
    var top = margin
    if let title {
      canvas.text(
        title, x: Double(width) / 2, y: top, size: FontSize.figureTitle, bold: true, align: .center, vertical: .top)
      top += FontSize.figureTitle + 10
    }
    if !legend.isEmpty { top = drawLegendRow(canvas, top: top) + 6 }
    let area = Rect(x: margin, y: top, width: Double(width) - 2 * margin, height: Double(height) - top - margin)
    let gap = 18.0
    let cellWidth = (area.width - gap * Double(cols - 1)) / Double(cols)
    let cellHeight = (area.height - gap * Double(rows - 1)) / Double(rows)
    for p in panels {
      let rect = Rect(
        x: area.x + Double(p.col) * (cellWidth + gap), y: area.y + Double(p.row) * (cellHeight + gap),
        width: cellWidth * Double(p.colSpan) + gap * Double(p.colSpan - 1),
        height: cellHeight * Double(p.rowSpan) + gap * Double(p.rowSpan - 1))
      p.axes.draw(in: rect, on: canvas)
    }
    return canvas
  }

  /// Lays the legend entries out in centred rows; returns the y below them.
  private func drawLegendRow(_ canvas: Canvas, top: Double) -> Double {
    let rowHeight = FontSize.legend + 8
    let widths = legend.map { canvas.textWidth($0.label, size: FontSize.legend) + 30 + 16 }
    var lines: [[Int]] = [[]]
    var used = 0.0
    let available = Double(width) - 40
    for (i, w) in widths.enumerated() {
      if used + w > available && !(lines.last?.isEmpty ?? true) {
        lines.append([])
        used = 0
      }
      lines[lines.count - 1].append(i)
      used += w
    }
    var y = top
    for line in lines {
      let total = line.map { widths[$0] }.reduce(0, +)
      var x = (Double(width) - total) / 2
      for i in line {
        drawSwatch(legend[i], x: x, y: y + rowHeight / 2, canvas)
        canvas.text(legend[i].label, x: x + 26, y: y + rowHeight / 2, size: FontSize.legend, vertical: .middle)
        x += widths[i]
      }
      y += rowHeight
    }
    return y
  }
}
