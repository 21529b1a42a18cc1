// The tax-policy comparison as bars: one panel per social metric, one bar (mean ± std over
// episodes) per setting, like the AI Economist paper's productivity / equality / welfare figure.

/// Bars of several settings' metrics.
public struct ComparisonChart {
  /// Setting names, in bar order.
  public var settings: [String]
  /// Per metric: its title and, per setting, mean and standard deviation.
  public var metrics: [(title: String, values: [(mean: Double, std: Double)])]

  /// Creates the chart data.
  public init(settings: [String], metrics: [(title: String, values: [(mean: Double, std: Double)])]) {
    self.settings = settings
    self.metrics = metrics
  }

  /// The figure: one panel per metric, bars coloured by setting with a shared legend, error bars
  /// of one standard deviation.
  public func figure(width: Int? = nil, height: Int = 460) -> Figure {
    let figure = Figure(
      width: width ?? max(900, 330 * metrics.count + 40), height: height, rows: 1, cols: max(1, metrics.count),
      title: "Tax policies compared")
    figure.legend = settings.indices.map { LegendEntry(settings[$0], color: Palette.agent($0), swatch: .box) }
    for (k, metric) in metrics.enumerated() {
      let axes = Axes(title: metric.title)
      axes.showTicks = true
      axes.xTicks = []
      axes.includeZero = true
      for (i, v) in metric.values.enumerated() {
        let x = Double(i)
        axes.add(Series(.bars(width: 0.7), xs: [x], ys: [v.mean], color: Palette.agent(i)))
        if v.std.isFinite && v.std > 0 {
          axes.add(
            Series(.line, xs: [x, x], ys: [v.mean - v.std, v.mean + v.std], color: .ink, width: 1.4))
          for y in [v.mean - v.std, v.mean + v.std] {
            axes.add(Series(.line, xs: [x - 0.12, x + 0.12], ys: [y, y], color: .ink, width: 1.4))
          }
        }
      }
      axes.xLimits = -0.6...(Double(max(1, metric.values.count)) - 0.4)
      if metric.values.allSatisfy({ !$0.mean.isFinite }) { axes.message = "no values" }
      figure.add(axes, row: 0, col: k)
    }
    return figure
  }
}
