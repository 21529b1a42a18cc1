// The charts of one episode's dense log: world snapshots, agent series, trajectories and trades,
// taxes, the economy, and a Markdown report.

import Economy
import Foundation

/// Options of the episode charts.
public struct EpisodeChartOptions: Sendable {
  /// The agents to draw (nil: all).
  public var agents: [Int]?
  /// Map snapshots in `world.png`.
  public var snapshots = 5
  /// Image size for every chart (nil: each chart's default).
  public var size: (width: Int, height: Int)?
  /// The steps the world snapshots spread over (Foundation's `vis_world_range` `t0`, `tN`); nil
  /// for the whole episode.
  public var range: ClosedRange<Int>?

  /// Default options.
  public init(
    agents: [Int]? = nil, snapshots: Int = 5, size: (width: Int, height: Int)? = nil, range: ClosedRange<Int>? = nil
  ) {
    self.agents = agents
    self.snapshots = snapshots
    self.size = size
    self.range = range
  }
}

/// One output file.
public struct ChartFile: Sendable {
  /// File name (`world.png`, `report.md`).
  public var name: String
  /// The figure (PNG files) or nil (text files).
  public var image: RGBAImage?
  /// The text of text files.
  public var text: String?

  /// Creates a file: a PNG of `image`, or `text`.
  public init(name: String, image: RGBAImage? = nil, text: String? = nil) {
    self.name = name
    self.image = image
    self.text = text
  }
}

/// Errors that stop the episode charts entirely (partial problems are notes instead).
public struct PlotError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// Builds the charts of one episode.
public struct EpisodeCharts {
  /// The episode.
  public let data: EpisodeData
  /// The options.
  public let options: EpisodeChartOptions
  /// Slots (into ``EpisodeData/agents``) of the agents drawn.
  let slots: [Int]

  /// Prepares the charts.
  ///
  /// - Throws: ``PlotError`` for an agent the log does not have, or a log without agents.
  public init(data: EpisodeData, options: EpisodeChartOptions = EpisodeChartOptions()) throws(PlotError) {
    guard !data.agents.isEmpty else { throw PlotError("the log has no agent states ('states' holds no agent \"0\")") }
    var slots: [Int] = []
    for a in options.agents ?? data.agents {
      guard let s = data.slot(of: a) else {
        throw PlotError(
          "no agent \(a) in the log; its agents are \(data.agents.map(String.init).joined(separator: ", "))")
      }
      slots.append(s)
    }
    self.data = data
    self.options = options
    self.slots = slots
  }

  /// Every chart the data allow, with notes on the ones left out.
  public func all() -> (files: [ChartFile], notes: [String]) {
    var files: [ChartFile] = []
    var notes = data.problems
    if let w = world() {
      files.append(ChartFile(name: "world.png", image: w.render().image()))
    } else {
      notes.append("world.png not written: the log has no world snapshots")
    }
    files.append(ChartFile(name: "agents.png", image: agents().render().image()))
    files.append(ChartFile(name: "trajectories.png", image: trajectories().render().image()))
    if let t = taxes() {
      files.append(ChartFile(name: "taxes.png", image: t.render().image()))
    } else {
      notes.append(
        data.hasTaxLog
          ? "taxes.png not written: the log has no completed tax period"
          : "taxes.png not written: the log has no taxes (no PeriodicTax entries)")
    }
    files.append(ChartFile(name: "economy.png", image: economy().render().image()))
    files.append(ChartFile(name: "report.md", text: report()))
    return (files, notes)
  }

  private func size(_ width: Int, _ height: Int) -> (Int, Int) {
    options.size.map { ($0.width, $0.height) } ?? (width, height)
  }

  private var steps: [Double] { (0...max(0, data.steps)).map(Double.init) }

  private func agentLegend() -> [LegendEntry] {
    slots.map { LegendEntry("Agent \(data.agents[$0])", color: Palette.agent(data.agents[$0])) }
  }

  // MARK: - world.png

  /// The step indices of `count` snapshots evenly spread over the episode (or over
  /// ``EpisodeChartOptions/range``), snapped to steps that have one (Foundation's
  /// `vis_world_range`).
  func snapshotTimes(_ count: Int) -> [Int] {
    let range = options.range
    let available = data.snapshots.map(\.t).filter { range?.contains($0) ?? true }
    guard let last = available.last, let first = available.first, count > 0 else { return [] }
    let (from, to) = (Double(range?.lowerBound ?? first), Double(range?.upperBound ?? last))
    var chosen: [Int] = []
    for k in 0..<count {
      let target = count == 1 ? to : from + (to - from) * Double(k) / Double(count - 1)
      let nearest = available.min { abs(Double($0) - target) < abs(Double($1) - target) } ?? last
      if !chosen.contains(nearest) { chosen.append(nearest) }
    }
    return chosen
  }

  /// Map snapshots over the episode.
  public func world() -> Figure? {
    let times = snapshotTimes(max(1, options.snapshots))
    guard !times.isEmpty else { return nil }
    let (w, h) = size(40 + 300 * times.count, 400)
    let figure = Figure(width: w, height: h, rows: 1, cols: times.count, title: "World")
    figure.legend =
      [
        LegendEntry("Wood", color: Palette.wood, swatch: .box),
        LegendEntry("Stone", color: Palette.stone, swatch: .box),
        LegendEntry("Water", color: Palette.water, swatch: .box),
        LegendEntry("House (owner's colour)", color: Color(hex: 0xBBBBBB), swatch: .marker(.square), outline: .ink),
      ]
      + slots.map {
        LegendEntry(
          "Agent \(data.agents[$0])", color: Palette.agent(data.agents[$0]), swatch: .marker(.circle),
          outline: .white)
      }
    for (i, t) in times.enumerated() {
      guard let map = data.snapshots.first(where: { $0.t == t })?.map else { continue }
      let axes = mapAxes(map, title: "T = \(t)")
      for s in slots where t < data.locations[s].count {
        guard let loc = data.locations[s][t] else { continue }
        axes.add(
          Series(
            .scatter, xs: [Double(loc.col) + 0.5], ys: [Double(loc.row) + 0.5], color: Palette.agent(data.agents[s]),
            marker: .circle, markerOutline: .white, markerDataSize: 0.85))
      }
      figure.add(axes, row: 0, col: i)
    }
    return figure
  }

  /// A panel showing `map` (rows downwards), without ticks.
  func mapAxes(_ map: EpisodeData.WorldSnapshot, title: String?, faded: Bool = false) -> Axes {
    let axes = Axes(title: title)
    axes.showTicks = false
    axes.invertY = true
    axes.equalAspect = true
    var colors: [Color] = []
    colors.reserveCapacity(map.height * map.width)
    for i in 0..<(map.height * map.width) {
      var c = Palette.ground
      if map.water[i] > 0 {
        c = Palette.water
      } else if map.houseOwner[i] >= 0 {
        c = Palette.ground
      } else if map.wood[i] > 0 {
        c = Palette.ground.mixed(with: Palette.wood, 0.45 + 0.45 * min(1, map.wood[i]))
      } else if map.stone[i] > 0 {
        c = Palette.ground.mixed(with: Palette.stone, 0.45 + 0.45 * min(1, map.stone[i]))
      } else if map.woodSource[i] > 0 {
        c = Palette.ground.mixed(with: Palette.wood, 0.12)
      } else if map.stoneSource[i] > 0 {
        c = Palette.ground.mixed(with: Palette.stone, 0.12)
      }
      colors.append(faded ? c.mixed(with: .white, 0.55) : c)
    }
    axes.image = ImageLayer(rows: map.height, cols: map.width, colors: colors)
    // Houses: squares in the owner's colour with a dark outline, unlike resource tiles.
    let owners = Set(map.houseOwner.filter { $0 >= 0 }).sorted()
    for owner in owners {
      let tiles = map.houseOwner.indices.filter { map.houseOwner[$0] == owner }
      let color = Palette.agent(owner)
      axes.add(
        Series(
          .scatter, xs: tiles.map { Double($0 % map.width) + 0.5 }, ys: tiles.map { Double($0 / map.width) + 0.5 },
          color: faded ? color.mixed(with: .white, 0.55) : color, marker: .square,
          markerOutline: faded ? Color(hex: 0x999999) : .ink, markerDataSize: 0.82))
    }
    return axes
  }

  // MARK: - agents.png

  /// Wood, stone, coin, labour and accumulated reward per agent over the episode.
  public func agents() -> Figure {
    var panels: [(String, String, [[Double]])] = [
      ("Wood", "wood (inventory + escrow)", data.wood), ("Stone", "stone (inventory + escrow)", data.stone),
      ("Coin", "coin (inventory + escrow)", data.coin), ("Labor", "cumulative labor", data.labor),
      ("Utility gained", "cumulative reward", cumulativeRewards()),
    ]
    // State a custom component keeps (at most three more panels).
    for extra in data.extraStates.prefix(3) { panels.append((extra.name, extra.name, extra.values)) }
    let (w, h) = size(360 * panels.count, 440)
    let figure = Figure(width: w, height: h, rows: 1, cols: panels.count, title: "Agents over the episode")
    figure.legend = agentLegend()
    for (i, (title, label, values)) in panels.enumerated() {
      let axes = Axes(title: title, xLabel: "step", yLabel: label)
      for s in slots {
        let ys = values[s]
        axes.add(
          Series(
            .line, xs: Array(steps.prefix(ys.count)), ys: ys, color: Palette.agent(data.agents[s]), width: 1.6))
      }
      if values.allSatisfy({ $0.isEmpty }) { axes.message = "no data" }
      figure.add(axes, row: 0, col: i)
    }
    return figure
  }

  /// Per agent, the sum of rewards up to each step (T + 1 values from 0): the utility gained,
  /// as rewards are utility differences.
  func cumulativeRewards() -> [[Double]] {
    data.rewards.map { r in
      var sum = 0.0
      return [0]
        + r.map { v in
          if v.isFinite { sum += v }
          return sum
        }
    }
  }

  // MARK: - trajectories.png

  /// Each agent's path over the map, and its trades as stems (income up, cost down).
  public func trajectories() -> Figure {
    let n = slots.count
    let (w, h) = size(60 + 330 * n, 760)
    let figure = Figure(width: w, height: h, rows: 2, cols: n, title: "Trajectories and trades")
    figure.legend = [
      LegendEntry("start", color: .white, swatch: .marker(.square), outline: .ink),
      LegendEntry("end", color: .white, swatch: .marker(.star), outline: .ink),
      LegendEntry("Wood sold (+) / bought (−)", color: Palette.wood, swatch: .box),
      LegendEntry("Stone sold (+) / bought (−)", color: Palette.stone, swatch: .box),
    ]
    let background = data.snapshots.last?.map
    for (column, s) in slots.enumerated() {
      let agent = data.agents[s]
      let color = Palette.agent(agent)
      let path: Axes
      if let background {
        path = mapAxes(background, title: "Agent \(agent)", faded: true)
      } else {
        path = Axes(title: "Agent \(agent)")
        path.invertY = true
        path.equalAspect = true
        path.showTicks = false
        path.message = "no world snapshot"
      }
      let points = data.locations[s].compactMap { $0 }
      let xs = points.map { Double($0.col) + 0.5 }
      let ys = points.map { Double($0.row) + 0.5 }
      path.add(Series(.line, xs: xs, ys: ys, color: color, width: 1.6))
      if let first = points.first, let last = points.last {
        path.add(
          Series(
            .scatter, xs: [Double(first.col) + 0.5], ys: [Double(first.row) + 0.5], color: color, marker: .square,
            markerSize: 11, markerOutline: .ink))
        path.add(
          Series(
            .scatter, xs: [Double(last.col) + 0.5], ys: [Double(last.row) + 0.5], color: color, marker: .star,
            markerSize: 16, markerOutline: .ink))
      }
      figure.add(path, row: 0, col: column)

      let trades = Axes(title: "Agent \(agent): trades", xLabel: "step", yLabel: "coin")
      trades.xLimits = 0...Double(max(1, data.steps))
      trades.zeroLine = true
      for (commodity, c) in [("Wood", Palette.wood), ("Stone", Palette.stone)] {
        let sales = data.trades.filter { $0.seller == agent && $0.commodity == commodity }
        let purchases = data.trades.filter { $0.buyer == agent && $0.commodity == commodity }
        trades.add(
          Series(
            .stems, xs: sales.map { Double($0.t) } + purchases.map { Double($0.t) },
            ys: sales.map(\.income) + purchases.map { -$0.cost }, color: c, width: 1.4))
      }
      if !data.trades.contains(where: { $0.seller == agent || $0.buyer == agent }) {
        trades.message = "no trades"
        trades.yLimits = -1...1
      }
      figure.add(trades, row: 1, col: column)
    }
    return figure
  }

  // MARK: - taxes.png

  /// Bracket rates per period, each agent's income, tax, lump sum and effective rate per
  /// period, and the last schedule against income; nil without tax periods.
  public func taxes() -> Figure? {
    let periods = data.taxPeriods
    guard let last = periods.last else { return nil }
    let (w, h) = size(1500, 860)
    let figure = Figure(width: w, height: h, rows: 2, cols: 3, title: "Taxes")
    figure.legend = agentLegend()
    let xs = periods.indices.map { Double($0 + 1) }
    let periodTicks = periodTickList(periods.count)

    // Bracket rates as a heat map: one column per period, one row per bracket (lowest at the
    // bottom), darker for higher rates, each cell labelled with its rate when there is room.
    let brackets = periods.map(\.schedule.count).max() ?? 0
    let rates = Axes(title: "Bracket rates (darker = higher)", xLabel: "tax period", yLabel: "bracket from income")
    rates.grid = false
    var cells: [Color] = []
    let maxRate = max(1e-9, periods.flatMap(\.schedule).max() ?? 1)
    for row in 0..<brackets {
      let b = brackets - 1 - row
      for p in periods {
        let rate = b < p.schedule.count ? p.schedule[b] : .nan
        cells.append(rate.isFinite ? Color.white.mixed(with: Color(hex: 0x08306B), 0.9 * rate / maxRate) : .white)
      }
    }
    if brackets > 0 {
      rates.image = ImageLayer(rows: brackets, cols: periods.count, colors: cells)
      rates.yTicks = (0..<brackets).map { b in
        (Double(brackets - 1 - b) + 0.5, b < last.cutoffs.count ? Ticks.format(last.cutoffs[b], decimals: 1) : "?")
      }
      rates.xTicks = periodTicks.map { ($0.value - 0.5, $0.label) }
      let cellWidth = 440.0 / Double(periods.count)
      if cellWidth >= 34 {
        for (k, p) in periods.enumerated() {
          for b in 0..<min(brackets, p.schedule.count) {
            let rate = p.schedule[b]
            rates.annotations.append(
              (
                Double(k) + 0.5, Double(brackets - 1 - b) + 0.5, Ticks.format(rate, decimals: 2),
                rate / maxRate > 0.55 ? .white : .ink
              ))
          }
        }
      }
    } else {
      rates.message = "no schedule in the log"
    }
    figure.add(rates, row: 0, col: 0)

    let panels: [(String, String, KeyPath<EpisodeData.TaxPeriod, [Double]>, Int, Int)] = [
      ("Income per period", "coin", \.income, 0, 1), ("Tax paid", "coin", \.taxPaid, 0, 2),
      ("Lump sum received", "coin", \.lumpSum, 1, 0), ("Effective rate", "tax / income", \.effectiveRate, 1, 1),
    ]
    for (title, label, path, row, col) in panels {
      let axes = Axes(title: title, xLabel: "tax period", yLabel: label)
      if path == \.lumpSum, let first = slots.first,
        periods.allSatisfy({ p in slots.allSatisfy { p.lumpSum[$0] == p.lumpSum[first] } })
      {
        // Every agent receives the same lump sum: one line.
        axes.title = "Lump sum received (each agent)"
        axes.add(
          Series(
            .line, xs: xs, ys: periods.map { $0.lumpSum[first] }, color: .ink, width: 1.6, marker: .circle,
            markerSize: 4.5))
        axes.xTicks = periodTicks
        axes.xLimits = 0.5...(Double(periods.count) + 0.5)
        figure.add(axes, row: row, col: col)
        continue
      }
      for s in slots {
        let ys = periods.map { s < $0[keyPath: path].count ? $0[keyPath: path][s] : .nan }
        axes.add(
          Series(
            .line, xs: xs, ys: ys, color: Palette.agent(data.agents[s]), width: 1.6, marker: .circle, markerSize: 4.5))
      }
      axes.xTicks = periodTicks
      axes.xLimits = 0.5...(Double(periods.count) + 0.5)
      axes.zeroLine = true
      figure.add(axes, row: row, col: col)
    }

    let schedule = Axes(title: "Last schedule (period \(periods.count))", xLabel: "income", yLabel: "marginal rate")
    if let highest = last.cutoffs.last, last.cutoffs.count == last.schedule.count, highest.isFinite, highest >= 0 {
      let top = highest * 1.25 + 1
      schedule.add(
        Series(.step, xs: last.cutoffs + [top], ys: last.schedule + [last.schedule.last ?? 0], color: Palette.agent(0)))
      for c in last.cutoffs.dropFirst() {
        schedule.add(Series(.line, xs: [c, c], ys: [0, 1], color: Color(hex: 0x999999), width: 1, dash: [4, 3]))
      }
      schedule.xLimits = 0...top
      schedule.yLimits = 0...max(1, (last.schedule.max() ?? 1) * 1.05)
    } else {
      schedule.message = "no schedule in the log"
    }
    figure.add(schedule, row: 1, col: 2)
    return figure
  }

  /// Integer ticks for `count` periods (at most about 10 labels).
  private func periodTickList(_ count: Int) -> [(value: Double, label: String)] {
    let every = max(1, Int(Ticks.niceStep(Double(count) / 10)))
    return stride(from: every == 1 ? 1 : every, through: count, by: every).map { (Double($0), "\($0)") }
  }

  // MARK: - economy.png

  /// Productivity, equality and their product over the episode; the final coin of each agent.
  public func economy() -> Figure {
    let (w, h) = size(1300, 820)
    let figure = Figure(width: w, height: h, rows: 2, cols: 2, title: "Economy")
    let count = data.coin.map(\.count).min() ?? 0
    var productivity: [Double] = []
    var equality: [Double] = []
    for t in 0..<count {
      let coins = data.coin.map { $0[t] }
      productivity.append(SocialMetrics.productivity(coins))
      equality.append(SocialMetrics.equality(coins))
    }
    let product = zip(productivity, equality).map { $0 * $1 }
    let xs = Array(steps.prefix(count))
    for (i, (title, label, ys)) in [
      ("Productivity", "total coin", productivity), ("Equality", "1 − Gini of coin", equality),
      ("Equality × productivity", "coin", product),
    ].enumerated() {
      let axes = Axes(title: title, xLabel: "step", yLabel: label)
      axes.add(Series(.line, xs: xs, ys: ys, color: Color(hex: 0x0072B2), width: 2))
      if title == "Equality" { axes.yLimits = 0...1.02 }
      figure.add(axes, row: i / 2, col: i % 2)
    }
    let final = Axes(title: "Coin at the end", xLabel: "agent", yLabel: "coin")
    for s in slots {
      let a = data.agents[s]
      final.add(
        Series(.bars(width: 0.7), xs: [Double(a)], ys: [data.coin[s].last ?? .nan], color: Palette.agent(a)))
    }
    final.xTicks = slots.map { (Double(data.agents[$0]), "\(data.agents[$0])") }
    final.includeZero = true
    figure.add(final, row: 1, col: 1)
    return figure
  }

  // MARK: - report.md

  /// Per agent: income by source, trade and build counts, final coin and utility gained.
  public func report() -> String {
    struct Line {
      var sellWood = 0.0, buyWood = 0.0, sellStone = 0.0, buyStone = 0.0, build = 0.0, tax = 0.0, lump = 0.0
      var sales = 0, purchases = 0, builds = 0
    }
    var lines: [Int: Line] = [:]
    for s in slots { lines[data.agents[s]] = Line() }
    for trade in data.trades {
      if var l = lines[trade.seller] {
        if trade.commodity == "Wood" { l.sellWood += trade.income } else { l.sellStone += trade.income }
        l.sales += 1
        lines[trade.seller] = l
      }
      if var l = lines[trade.buyer] {
        if trade.commodity == "Wood" { l.buyWood -= trade.cost } else { l.buyStone -= trade.cost }
        l.purchases += 1
        lines[trade.buyer] = l
      }
    }
    for b in data.builds {
      guard var l = lines[b.builder] else { continue }
      l.build += b.income
      l.builds += 1
      lines[b.builder] = l
    }
    for p in data.taxPeriods {
      for s in slots where s < p.taxPaid.count {
        let a = data.agents[s]
        if p.taxPaid[s].isFinite { lines[a]?.tax -= p.taxPaid[s] }
        if p.lumpSum[s].isFinite { lines[a]?.lump += p.lumpSum[s] }
      }
    }
    let utility = cumulativeRewards()
    func f(_ v: Double) -> String { Ticks.format(v, decimals: 2) }
    var out = "# Episode report\n\n"
    out += "\(data.steps) steps, \(data.agents.count) agents, \(data.trades.count) trades, "
    out += "\(data.builds.count) houses built, \(data.taxPeriods.count) tax periods.\n\n"
    out += "## Income by source (coin)\n\n"
    out += "| agent | Sell Wood | Buy Wood | Sell Stone | Buy Stone | Build | Taxes paid | Lump sum | Total |\n"
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for s in slots {
      let a = data.agents[s]
      guard let l = lines[a] else { continue }
      let total = l.sellWood + l.buyWood + l.sellStone + l.buyStone + l.build + l.tax + l.lump
      out += "| \(a) | \(f(l.sellWood)) | \(f(l.buyWood)) | \(f(l.sellStone)) | \(f(l.buyStone)) | \(f(l.build)) "
      out += "| \(f(l.tax)) | \(f(l.lump)) | \(f(total)) |\n"
    }
    out += "\nPurchases and taxes are negative. Total is the change of coin from these sources.\n\n"
    out += "## Activity and outcome\n\n"
    out += "| agent | sales | purchases | houses | coin at start | coin at end | labor | utility gained |\n"
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for s in slots {
      let a = data.agents[s]
      guard let l = lines[a] else { continue }
      out += "| \(a) | \(l.sales) | \(l.purchases) | \(l.builds) | \(f(data.coin[s].first ?? .nan)) "
      out += "| \(f(data.coin[s].last ?? .nan)) | \(f(data.labor[s].last ?? .nan)) | \(f(utility[s].last ?? .nan)) |\n"
    }
    out += "\nUtility gained is the sum of the agent's rewards (each step's change of utility).\n"
    return out
  }
}
