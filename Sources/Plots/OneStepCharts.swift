// The charts of a one-step economy's dense log (Foundation's `one-step-economy`): the planner
// sets bracket rates on step 1, each agent works on step 2, taxes are collected and shared out
// as a lump sum at the end. No map, no trades, no houses: the GTB charts would be empty, so
// the agents are drawn against their skill and the tax schedule against income instead.

import Basics
import Economy
import Foundation

/// One one-step-economy episode's numbers, per agent, read out of a dense log.
public struct OneStepEpisode: Sendable, Equatable {
  /// Steps in the episode (2 for Foundation's one-step economy).
  public let steps: Int
  /// Agent indices (`"0"`, `"1"`, … in `states`).
  public let agents: [Int]
  /// Skill (coin per hour worked), from the first state.
  public let skill: [Double]
  /// Hours worked over the episode (the `SimpleLabor` actions; without actions in the log, the
  /// last state's `Labor`).
  public let hours: [Double]
  /// Pre-tax income earned in the episode: the tax records' `income`, summed over the
  /// episode's tax periods (without taxes: the change of `production`, which is cumulative
  /// over the env's episodes).
  public let income: [Double]
  /// Tax paid over the episode (0 without taxes).
  public let taxPaid: [Double]
  /// Lump sum received over the episode (0 without taxes).
  public let lumpSum: [Double]
  /// The sum of the agent's rewards: its change of utility over the episode.
  public let utility: [Double]
  /// Whether the log has a tax component's records.
  public let hasTaxes: Bool
  /// Tax periods completed in the episode (records in `PeriodicTax`).
  public let periods: Int
  /// The last tax period: step index of its record, marginal rate and lower income cutoff of
  /// each bracket, and per agent the income, tax paid and lump sum of that period (nil
  /// without taxes).
  public let lastPeriod: EpisodeData.TaxPeriod?
  /// What could not be read, as notes (each names the key path); the charts leave it out.
  public let problems: [String]

  /// Income after tax and lump sum: `income − taxPaid + lumpSum`.
  public var postTaxIncome: [Double] { agents.indices.map { income[$0] - taxPaid[$0] + lumpSum[$0] } }

  /// Whether `log` is a one-step economy's.
  ///
  /// It is when no `world` entry holds a map and agents' states have `skill` and `production`
  /// (`SimpleLabor`'s fields). Whether it is complete is checked by ``init(_:)``.
  public static func isOneStep(_ log: DenseLog) -> Bool {
    let world = log.list("world")
    guard world.allSatisfy({ $0.isNull || $0.objectValue?.isEmpty == true }) else { return false }
    guard let first = log.list("states").first?.objectValue else { return false }
    return first.entries.contains { entry in
      Int(entry.key) != nil && entry.value["skill"] != nil && entry.value["production"] != nil
    }
  }

  /// Reads a one-step economy's log.
  ///
  /// - Throws: ``PlotError`` naming what is missing when the log is not a complete one-step
  ///   episode: no agents, an agent without a numeric skill, or (with taxes) no well-formed
  ///   tax record on the last step, where the one-step economy collects its taxes.
  public init(_ log: DenseLog) throws(PlotError) {
    let states = log.list("states")
    steps = log.steps
    guard let first = states.first?.objectValue, let last = states.last else {
      throw PlotError("a one-step economy's log without states")
    }
    let agents = first.keys.compactMap { Int($0) }.filter { $0 >= 0 }.sorted()
    guard !agents.isEmpty else { throw PlotError("the log has no agent states ('states' holds no agent \"0\")") }
    guard steps >= 1 else {
      throw PlotError("a one-step economy's log with no steps (truncated before the agents worked?)")
    }
    self.agents = agents
    var problems: [String] = []
    var skill: [Double] = []
    for a in agents {
      let value = first[String(a)]?["skill"]
      guard let s = value?.doubleValue, s.isFinite else {
        throw PlotError("states[0].\(a).skill: expected a number, found \(Self.describe(value))")
      }
      skill.append(s)
    }
    self.skill = skill

    // Hours: the SimpleLabor actions (NO-OPs are left out of the log), else the last Labor.
    let actions = log.list("actions")
    if actions.contains(where: { entry in agents.contains { entry[String($0)]?["SimpleLabor"] != nil } }) {
      hours = agents.map { a in
        actions.reduce(0.0) { sum, entry in sum + (entry[String(a)]?["SimpleLabor"]?.doubleValue ?? 0) }
      }
    } else {
      hours = agents.map { last[String($0)]?["endogenous"]?["Labor"]?.doubleValue ?? .nan }
    }

    var utility: [Double] = []
    for a in agents {
      var sum = 0.0
      for (t, entry) in log.list("rewards").enumerated() {
        guard let r = entry[String(a)]?.doubleValue, r.isFinite else {
          problems.append("rewards[\(t)].\(a): expected a number, found \(Self.describe(entry[String(a)]))")
          sum = .nan
          break
        }
        sum += r
      }
      utility.append(sum)
    }
    self.utility = utility

    hasTaxes = log.root["PeriodicTax"] != nil
    guard hasTaxes else {
      periods = 0
      lastPeriod = nil
      taxPaid = agents.map { _ in 0 }
      lumpSum = taxPaid
      income = agents.map { a in
        let end = last[String(a)]?["production"]?.doubleValue ?? .nan
        let start = first[String(a)]?["production"]?.doubleValue ?? .nan
        return end - start
      }
      if income.contains(where: { !$0.isFinite }) {
        problems.append("states: an agent without a numeric production; its income is not drawn")
      }
      self.problems = problems
      return
    }

    let taxes = log.list("PeriodicTax")
    let lastStep = steps - 1
    guard taxes.count == steps, let record = taxes[lastStep].objectValue, record["schedule"] != nil else {
      throw PlotError(
        "PeriodicTax[\(lastStep)]: expected the tax record of the episode's last step (the one-step economy collects taxes there), found \(Self.describe(taxes.count == steps ? taxes[lastStep] : nil)); is the log truncated?"
      )
    }
    var income = agents.map { _ in 0.0 }
    var taxPaid = income
    var lumpSum = income
    var periods = 0
    var lastPeriod: EpisodeData.TaxPeriod?
    for (t, entry) in taxes.enumerated() {
      guard let record = entry.objectValue, record["schedule"] != nil else { continue }
      periods += 1
      let period = try Self.period(record, t: t, agents: agents)
      for k in agents.indices {
        income[k] += period.income[k]
        taxPaid[k] += period.taxPaid[k]
        lumpSum[k] += period.lumpSum[k]
      }
      lastPeriod = period
    }
    self.income = income
    self.taxPaid = taxPaid
    self.lumpSum = lumpSum
    self.periods = periods
    self.lastPeriod = lastPeriod
    self.problems = problems
  }

  /// One tax record, checked: rising cutoffs from 0, one rate in 0...1 per cutoff, and every
  /// agent's income, tax paid and lump sum.
  private static func period(_ record: JSONObject, t: Int, agents: [Int]) throws(PlotError) -> EpisodeData.TaxPeriod {
    func numbers(_ key: String) throws(PlotError) -> [Double] {
      guard let list = record[key]?.arrayValue, !list.isEmpty else {
        throw PlotError("PeriodicTax[\(t)].\(key): expected a list of numbers, found \(describe(record[key]))")
      }
      var out: [Double] = []
      for (i, v) in list.enumerated() {
        guard let d = v.doubleValue, d.isFinite else {
          throw PlotError("PeriodicTax[\(t)].\(key)[\(i)]: expected a number, found \(describe(v))")
        }
        out.append(d)
      }
      return out
    }
    let schedule = try numbers("schedule")
    let cutoffs = try numbers("cutoffs")
    let shown = "[\(cutoffs.map { Ticks.format($0) }.joined(separator: ", "))]"
    guard cutoffs.first == 0, zip(cutoffs, cutoffs.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw PlotError("PeriodicTax[\(t)].cutoffs: expected rising numbers starting at 0, found \(shown)")
    }
    guard schedule.count == cutoffs.count, schedule.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
      throw PlotError(
        "PeriodicTax[\(t)].schedule: expected one rate in 0...1 per cutoff (\(cutoffs.count)), found [\(schedule.map { Ticks.format($0) }.joined(separator: ", "))]"
      )
    }
    var values: [String: [Double]] = [:]
    for key in ["income", "tax_paid", "lump_sum", "effective_rate"] {
      var column: [Double] = []
      for a in agents {
        let v = record[String(a)]?[key]
        guard let d = v?.doubleValue, d.isFinite else {
          if key == "effective_rate" {
            column.append(.nan)
            continue
          }
          throw PlotError("PeriodicTax[\(t)].\(a).\(key): expected a number, found \(describe(v))")
        }
        column.append(d)
      }
      values[key] = column
    }
    return EpisodeData.TaxPeriod(
      t: t, schedule: schedule, cutoffs: cutoffs, income: values["income"] ?? [], taxPaid: values["tax_paid"] ?? [],
      lumpSum: values["lump_sum"] ?? [], effectiveRate: values["effective_rate"] ?? [])
  }

  /// The tax the last period's schedule levies on `income`.
  ///
  /// Each bracket's rate applies to the part of the income inside it (the top bracket is
  /// open). NaN without taxes.
  public func tax(onIncome income: Double) -> Double {
    guard let p = lastPeriod else { return .nan }
    var tax = 0.0
    for (b, cutoff) in p.cutoffs.enumerated() {
      let upper = b + 1 < p.cutoffs.count ? p.cutoffs[b + 1] : Double.infinity
      tax += p.schedule[b] * max(0, min(income, upper) - cutoff)
    }
    return tax
  }

  /// The last period's marginal rate at `income`.
  ///
  /// That is the rate of the bracket whose cutoff is the highest not above it. NaN without
  /// taxes.
  public func marginalRate(atIncome income: Double) -> Double {
    guard let p = lastPeriod else { return .nan }
    let b = p.cutoffs.lastIndex { $0 <= income } ?? 0
    return p.schedule[b]
  }

  static func describe(_ v: JSONValue?) -> String {
    switch v {
    case nil: "nothing"
    case .null?: "null"
    case .bool?: "a boolean"
    case .int(let i)?: "\(i)"
    case .double(let d)?: Ticks.format(d, decimals: 4)
    case .string?: "a string"
    case .array(let a)?: a.isEmpty ? "an empty list" : "a list"
    case .object(let o)?: o.isEmpty ? "an empty object" : "an object"
    }
  }
}

/// The charts of a one-step economy's episode: the agents against their skill, the tax
/// schedule against income, and a Markdown report.
public struct OneStepCharts {
  /// The episode.
  public let episode: OneStepEpisode
  /// The options (agents drawn and image size; snapshots and range do not apply).
  public let options: EpisodeChartOptions
  /// Slots (into ``OneStepEpisode/agents``) of the agents drawn, in skill order.
  let slots: [Int]

  /// Prepares the charts.
  ///
  /// - Throws: ``PlotError`` for an agent the log does not have.
  public init(episode: OneStepEpisode, options: EpisodeChartOptions = EpisodeChartOptions()) throws(PlotError) {
    var slots: [Int] = []
    for a in options.agents ?? episode.agents {
      guard let s = episode.agents.firstIndex(of: a) else {
        throw PlotError(
          "no agent \(a) in the log; its agents are \(episode.agents.map(String.init).joined(separator: ", "))")
      }
      slots.append(s)
    }
    self.episode = episode
    self.options = options
    self.slots = slots
  }

  /// `agents-by-skill.png`, `tax-schedule.png` (with taxes) and `report.md`, with notes.
  public func all() -> (files: [ChartFile], notes: [String]) {
    var notes = episode.problems
    notes.append(
      "a one-step economy's log (no map; agents with skill and production): drawn against skill and income instead of world, agents, trajectories, taxes and economy"
    )
    var files = [ChartFile(name: "agents-by-skill.png", image: agentsBySkill().render().image())]
    if let schedule = taxSchedule() {
      files.append(ChartFile(name: "tax-schedule.png", image: schedule.render().image()))
    } else {
      notes.append("tax-schedule.png not written: the log has no taxes (no PeriodicTax entries)")
    }
    files.append(ChartFile(name: "report.md", text: report()))
    return (files, notes)
  }

  private func size(_ width: Int, _ height: Int) -> (Int, Int) {
    options.size.map { ($0.width, $0.height) } ?? (width, height)
  }

  /// Agent `agent`'s marker: colours repeat after eight agents, so the marker changes with
  /// each round of the palette.
  static func marker(_ agent: Int) -> Marker {
    let markers: [Marker] = [.circle, .square, .diamond, .triangle]
    return markers[(max(0, agent) / Palette.agents.count) % markers.count]
  }

  /// The pale version of a colour (post-tax income, lump sums).
  static func pale(_ color: Color) -> Color { color.mixed(with: .white, 0.6) }

  private func agentLegend() -> [LegendEntry] {
    slots.map {
      let a = episode.agents[$0]
      return LegendEntry(
        "Agent \(a) (skill \(Ticks.format(episode.skill[$0])))", color: Palette.agent(a),
        swatch: .marker(Self.marker(a)), outline: .ink)
    }
  }

  /// One marker per drawn agent at (`xs`, `values`) (x: skill by default), pale if asked.
  private func agentPoints(_ values: [Double], xs: [Double]? = nil, pale: Bool = false) -> [Series] {
    slots.map { s in
      let a = episode.agents[s]
      return Series(
        .scatter, xs: [(xs ?? episode.skill)[s]], ys: [values[s]],
        color: pale ? Self.pale(Palette.agent(a)) : Palette.agent(a), marker: Self.marker(a), markerSize: 10.5,
        markerOutline: .ink)
    }
  }

  /// A y range holding 0 and the drawn agents' `values`, padded so that markers on 0 or at
  /// the extremes are not cut by the frame (`least`: the upper end at least this).
  private func paddedRange(_ values: [[Double]], least: Double = 0) -> ClosedRange<Double> {
    let finite = values.flatMap { v in slots.map { v[$0] } }.filter(\.isFinite)
    let lo = min(0, finite.min() ?? 0)
    let hi = max(least, finite.max() ?? 0, lo + 1)
    let pad = (hi - lo) * 0.05
    return (lo - pad)...(hi + pad)
  }

  /// A series with no points, only for a panel legend.
  private func legendOnly(
    _ label: String, kind: SeriesKind = .scatter, color: Color = .mutedInk, marker: Marker? = nil, dash: [Double] = []
  ) -> Series {
    Series(kind, xs: [], ys: [], color: color, dash: dash, marker: marker, label: label)
  }

  // MARK: - agents-by-skill.png

  /// Per agent against its skill: hours worked, income before and after tax, tax paid and lump
  /// sum received, and utility gained.
  public func agentsBySkill() -> Figure {
    let (w, h) = size(1200, 880)
    let figure = Figure(width: w, height: h, rows: 2, cols: 2, title: "One-step economy: agents by skill")
    figure.legend = agentLegend()
    let xLabel = "skill (coin per hour)"

    let hours = Axes(title: "Hours worked", xLabel: xLabel, yLabel: "hours")
    for s in agentPoints(episode.hours) { hours.add(s) }
    hours.yLimits = paddedRange([episode.hours], least: 100)
    figure.add(hours, row: 0, col: 0)

    let income = Axes(
      title: episode.hasTaxes ? "Income before and after tax" : "Income (no taxes)", xLabel: xLabel, yLabel: "coin")
    if episode.hasTaxes {
      let post = episode.postTaxIncome
      for s in slots {
        income.add(
          Series(
            .line, xs: [episode.skill[s], episode.skill[s]], ys: [episode.income[s], post[s]],
            color: Color(hex: 0xAAAAAA), width: 1.4))
      }
      for s in agentPoints(episode.income) { income.add(s) }
      for s in agentPoints(post, pale: true) { income.add(s) }
      income.add(legendOnly("pre-tax income", marker: .circle))
      income.add(legendOnly("post-tax: − tax + lump sum (pale)", color: Self.pale(.mutedInk), marker: .circle))
      income.legend = true
    } else {
      for s in agentPoints(episode.income) { income.add(s) }
    }
    income.yLimits = paddedRange([episode.income, episode.postTaxIncome])
    income.zeroLine = true
    figure.add(income, row: 0, col: 1)

    let tax = Axes(title: "Tax paid and lump sum received", xLabel: xLabel, yLabel: "coin")
    if episode.hasTaxes {
      for s in agentPoints(episode.taxPaid) { tax.add(s) }
      let lumps = slots.map { episode.lumpSum[$0] }
      let xs = slots.map { episode.skill[$0] }
      if let lump = lumps.first, lumps.allSatisfy({ $0 == lump }), let lo = xs.min(), let hi = xs.max() {
        let pad = max(0.05, (hi - lo) * 0.04)
        tax.add(
          Series(.line, xs: [lo - pad, hi + pad], ys: [lump, lump], color: .mutedInk, width: 1.6, dash: [6, 4]))
        tax.add(legendOnly("lump sum (each agent)", kind: .line, dash: [6, 4]))
        tax.xLimits = (lo - pad)...(hi + pad)
      } else {
        for s in agentPoints(episode.lumpSum, pale: true) { tax.add(s) }
        tax.add(legendOnly("lump sum received (pale)", color: Self.pale(.mutedInk), marker: .circle))
      }
      tax.add(legendOnly("tax paid", marker: .circle))
      tax.legend = true
      tax.yLimits = paddedRange([episode.taxPaid, episode.lumpSum])
    } else {
      tax.message = "no taxes in the log"
      tax.showTicks = false
    }
    figure.add(tax, row: 1, col: 0)

    let utility = Axes(title: "Utility gained (sum of rewards)", xLabel: xLabel, yLabel: "utility")
    for s in agentPoints(episode.utility) { utility.add(s) }
    utility.zeroLine = true
    if slots.allSatisfy({ !episode.utility[$0].isFinite }) { utility.message = "no rewards in the log" }
    figure.add(utility, row: 1, col: 1)
    return figure
  }

  // MARK: - tax-schedule.png

  /// The last tax period's marginal rate per bracket (a step over income, bracket cutoffs
  /// dashed) and the tax it levies, with each agent's income marked; nil without taxes.
  public func taxSchedule() -> Figure? {
    guard let period = episode.lastPeriod else { return nil }
    let (w, h) = size(1300, 560)
    let title =
      episode.periods > 1
      ? "Tax schedule (period \(episode.periods) of \(episode.periods), step \(period.t + 1))" : "Tax schedule"
    let figure = Figure(width: w, height: h, rows: 1, cols: 2, title: title)
    figure.legend = agentLegend()
    let incomes = slots.map { period.income[$0] }
    let highest = max(period.cutoffs.last ?? 0, incomes.max() ?? 0)
    let top = highest * 1.12 + 1
    let xLabel = "income in the tax period (coin)"
    let divider = Color(hex: 0xAAAAAA)

    let rates = Axes(title: "Marginal rate by bracket", xLabel: xLabel, yLabel: "marginal tax rate")
    for c in period.cutoffs.dropFirst() {
      rates.add(Series(.line, xs: [c, c], ys: [-0.05, 1], color: divider, width: 1, dash: [4, 3]))
    }
    rates.add(
      Series(
        .step, xs: period.cutoffs + [top], ys: period.schedule + [period.schedule.last ?? 0], color: .ink, width: 2.2))
    for (b, cutoff) in period.cutoffs.enumerated() {
      let upper = min(top, b + 1 < period.cutoffs.count ? period.cutoffs[b + 1] : top)
      // Label brackets wide enough to hold the text (about 7% of the axis).
      guard (upper - cutoff) / top >= 0.07 else { continue }
      rates.annotations.append(
        (
          (cutoff + upper) / 2, period.schedule[b] + 0.05, "\(Ticks.format(period.schedule[b] * 100, decimals: 1))%",
          .ink
        ))
    }
    let marginal = episode.agents.indices.map { episode.marginalRate(atIncome: period.income[$0]) }
    for s in agentPoints(marginal, xs: period.income) { rates.add(s) }
    rates.add(legendOnly("marginal rate", kind: .line, color: .ink))
    rates.add(legendOnly("bracket cutoff", kind: .line, color: divider, dash: [4, 3]))
    rates.add(legendOnly("an agent's income", marker: .circle))
    rates.legend = true
    rates.xLimits = (-0.02 * top)...top
    rates.yLimits = -0.05...1.32
    rates.yTicks = stride(from: 0, through: 100, by: 20).map { (Double($0) / 100, "\($0)%") }
    figure.add(rates, row: 0, col: 0)

    let owed = Axes(title: "Tax by income", xLabel: xLabel, yLabel: "coin")
    let xs = period.cutoffs + [top]
    let curve = xs.map { episode.tax(onIncome: $0) }
    owed.add(Series(.line, xs: xs, ys: curve, color: .ink, width: 2.2, label: "tax owed by the schedule"))
    let lumps = slots.map { period.lumpSum[$0] }
    if let lump = lumps.first, lumps.allSatisfy({ $0 == lump }), lump != 0 {
      owed.add(
        Series(
          .line, xs: xs, ys: curve.map { $0 - lump }, color: .mutedInk, width: 1.6, dash: [6, 4],
          label: "net of the lump sum (tax − \(Ticks.format(lump)))"))
    }
    for s in agentPoints(period.taxPaid, xs: period.income) { owed.add(s) }
    owed.add(legendOnly("an agent's tax paid", marker: .circle))
    owed.legend = true
    owed.zeroLine = true
    owed.xLimits = (-0.02 * top)...top
    figure.add(owed, row: 0, col: 1)
    return figure
  }

  // MARK: - report.md

  /// Per agent: skill, hours, income, tax, lump sum, post-tax income and utility; totals.
  public func report() -> String {
    func f(_ v: Double) -> String { Ticks.format(v, decimals: 2) }
    let e = episode
    let post = e.postTaxIncome
    var out = "# One-step economy report\n\n"
    out += "\(e.steps) steps, \(e.agents.count) agents, \(e.periods) tax period\(e.periods == 1 ? "" : "s").\n\n"
    out += "| agent | skill | hours | pre-tax income | tax paid | lump sum | post-tax income | utility gained |\n"
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for s in slots {
      out += "| \(e.agents[s]) | \(f(e.skill[s])) | \(f(e.hours[s])) | \(f(e.income[s])) | \(f(e.taxPaid[s])) "
      out += "| \(f(e.lumpSum[s])) | \(f(post[s])) | \(f(e.utility[s])) |\n"
    }
    let all = e.agents.indices
    let sum = { (v: [Double]) in all.map { v[$0] }.reduce(0, +) }
    out += "\nAll agents: income \(f(sum(e.income))), taxes \(f(sum(e.taxPaid))), lump sums \(f(sum(e.lumpSum))); "
    out +=
      "equality of post-tax income \(f(SocialMetrics.equality(post))) (pre-tax \(f(SocialMetrics.equality(e.income)))).\n"
    if let p = e.lastPeriod {
      out += "\nLast schedule (step \(p.t + 1)): "
      out += zip(p.cutoffs, p.schedule).map { "from \(f($0)): \(Ticks.format($1 * 100, decimals: 1))%" }.joined(
        separator: ", ")
      out += ".\n"
    }
    out += "\nUtility gained is the sum of the agent's rewards (each step's change of utility).\n"
    return out
  }
}

extension EpisodeCharts {
  /// Every chart of `log`: a one-step economy's (``OneStepEpisode/isOneStep(_:)``) or the
  /// episode charts, with notes on what was left out.
  ///
  /// - Throws: ``PlotError`` for an unknown agent, or a one-step log too damaged to draw.
  public static func all(for log: DenseLog, options: EpisodeChartOptions = EpisodeChartOptions()) throws(PlotError)
    -> (files: [ChartFile], notes: [String])
  {
    if OneStepEpisode.isOneStep(log) {
      return try OneStepCharts(episode: OneStepEpisode(log), options: options).all()
    }
    return try EpisodeCharts(data: EpisodeData(log), options: options).all()
  }
}
