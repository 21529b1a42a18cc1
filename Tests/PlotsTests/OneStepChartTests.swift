import Basics
import Economy
import Foundation
import FuzzSupport
import Testing

@testable import Plots

/// A one-step economy's dense log: detected, its numbers read from the tax record (not the
/// cumulative `production`), drawn against skill and income, and damaged logs refused with a
/// message rather than a trap.
@Suite("One-step economy charts")
struct OneStepChartTests {
  /// A one-step log with known numbers.
  ///
  /// Four agents (skills 1, 1.5, 2, 4) work 10, 0 (a NO-OP), 50 and 100 hours, so earn
  /// 10, 0, 100 and 400; brackets from 0, 50 and 200 at 10%, 30% and 50% take 1, 0, 20 and
  /// 150, shared out as 171 / 4 = 42.75 each. `production` also counts earlier episodes
  /// (1000, 7, 0, 5 before this one).
  static func handwritten(_ change: (inout [(key: String, value: JSONValue)]) -> Void = { _ in }) throws -> DenseLog {
    let skills = [1.0, 1.5, 2, 4]
    let hours = [10.0, 0, 50, 100]
    let before = [1000.0, 7, 0, 5]
    let taxes = [1.0, 0, 20, 150]
    let lump = 42.75
    func agent(_ k: Int, coin: Double, labor: Double, production: Double) -> JSONValue {
      [
        "loc": [-1, -1], "inventory": ["Coin": .double(coin)], "escrow": ["Coin": 0],
        "endogenous": ["Labor": .double(labor)], "skill": .double(skills[k]), "production": .double(production),
      ]
    }
    func state(_ final: Bool) -> JSONValue {
      var object = JSONObject()
      for k in 0..<4 {
        let income = hours[k] * skills[k]
        object.append(
          String(k),
          final
            ? agent(k, coin: income - taxes[k] + lump, labor: hours[k], production: before[k] + income)
            : agent(k, coin: 0, labor: 0, production: before[k]))
      }
      object.append("p", ["inventory": ["Coin": 0], "escrow": ["Coin": 0], "endogenous": [:]])
      return .object(object)
    }
    var record = JSONObject([
      ("schedule", [0.1, 0.3, 0.5]), ("cutoffs", [0, 50, 200]),
    ])
    for k in 0..<4 {
      let income = hours[k] * skills[k]
      record.append(
        String(k),
        [
          "income": .double(income), "tax_paid": .double(taxes[k]),
          "marginal_rate": .double(income < 50 ? 0.1 : income < 200 ? 0.3 : 0.5),
          "effective_rate": .double(income > 0 ? taxes[k] / income : 0), "lump_sum": .double(lump),
        ])
    }
    var labor = JSONObject()
    for k in 0..<4 where hours[k] > 0 { labor.append(String(k), ["SimpleLabor": .int(Int64(hours[k]))]) }
    for k in 0..<4 where hours[k] == 0 { labor.append(String(k), [:]) }
    labor.append("p", [:])
    var entries: [(key: String, value: JSONValue)] = [
      ("world", [[:], [:], [:]]),
      ("states", [state(false), state(false), state(true)]),
      (
        "actions",
        [
          ["0": [:], "1": [:], "2": [:], "3": [:], "p": ["PeriodicBracketTax.TaxIndexBracket_000": 2]],
          .object(labor),
        ]
      ),
      (
        "rewards",
        [
          ["0": 0.0, "1": 0.0, "2": 0.0, "3": 0.0, "p": 0.0],
          ["0": 3.5, "1": -2, "2": 10.25, "3": -40, "p": 1.5],
        ]
      ),
      ("PeriodicTax", [[], .object(record)]),
    ]
    change(&entries)
    return try DenseLog(json: .object(JSONObject(entries)), origin: "handwritten one-step log")
  }

  /// `handwritten()` with the value at `path` (keys; numbers index lists) replaced by
  /// `value`, or removed when `value` is nil.
  static func handwritten(setting path: [String], to value: JSONValue?) throws -> DenseLog {
    func set(_ node: JSONValue, _ path: ArraySlice<String>) -> JSONValue {
      guard let key = path.first else { return value ?? .null }
      switch node {
      case .object(var object):
        if path.count == 1 && value == nil {
          object[key] = nil
        } else {
          object[key] = set(object[key] ?? .null, path.dropFirst())
        }
        return .object(object)
      case .array(var list):
        guard let i = Int(key), list.indices.contains(i) else { return node }
        list[i] = set(list[i], path.dropFirst())
        return .array(list)
      default: return node
      }
    }
    return try handwritten { entries in
      guard let top = path.first, let i = entries.firstIndex(where: { $0.key == top }) else { return }
      if path.count == 1 && value == nil {
        entries.remove(at: i)
      } else {
        entries[i].value = set(entries[i].value, path.dropFirst())
      }
    }
  }

  /// Foundation 1.7.1's own one-step logs (the catalogue's seven measured cases).
  static func foundationLogs() throws -> [(name: String, log: DenseLog)] {
    let path = repositoryRoot + "/Tests/EconomyTests/Fixtures/foundation-catalogue.json"
    let bytes = try #require(FileManager.default.contents(atPath: path))
    let catalogue = try JSONParser.parse([UInt8](bytes))
    let cases = try #require(catalogue["one_step_economy"]?["cases"]?.arrayValue)
    return try cases.map { c throws -> (name: String, log: DenseLog) in
      let name = c["name"]?.stringValue ?? "?"
      return (name, try DenseLog(json: try #require(c["dense_log"]), origin: name))
    }
  }

  // MARK: - Detection

  @Test func oneStepLogsAreDetectedAndOthersAreNot() throws {
    #expect(OneStepEpisode.isOneStep(try Self.handwritten()))
    let foundation = try Self.foundationLogs()
    #expect(foundation.count == 7)
    for (name, log) in foundation { #expect(OneStepEpisode.isOneStep(log), "\(name)") }
    #expect(!OneStepEpisode.isOneStep(try tutorialLog()))
    #expect(!OneStepEpisode.isOneStep(try foundationLog()))
    // A map in any world entry: not a one-step economy.
    #expect(!OneStepEpisode.isOneStep(try Self.handwritten(setting: ["world", "2", "Wood"], to: [[0, 1]])))
    // No skill (or no production): not SimpleLabor's agents.
    for key in ["skill", "production"] {
      let log = try Self.handwritten { entries in
        entries = entries.map { entry in
          guard entry.key == "states" else { return entry }
          return (entry.key, .array((entry.value.arrayValue ?? []).map { Self.removing(key, from: $0) }))
        }
      }
      #expect(!OneStepEpisode.isOneStep(log), "without \(key)")
    }
  }

  /// `state` with `key` removed from every agent.
  static func removing(_ key: String, from state: JSONValue) -> JSONValue {
    guard var object = state.objectValue else { return state }
    for k in object.keys where Int(k) != nil {
      guard var agent = object[k]?.objectValue else { continue }
      agent[key] = nil
      object[k] = .object(agent)
    }
    return .object(object)
  }

  // MARK: - Numbers

  @Test func theChartsNumbersComeFromTheTaxRecordAndRewards() throws {
    let e = try OneStepEpisode(try Self.handwritten())
    #expect(e.steps == 2 && e.agents == [0, 1, 2, 3])
    #expect(e.skill == [1, 1.5, 2, 4])
    #expect(e.hours == [10, 0, 50, 100])
    // This episode's income, not the cumulative production (1010, 7, 100, 405).
    #expect(e.income == [10, 0, 100, 400])
    #expect(e.taxPaid == [1, 0, 20, 150])
    #expect(e.lumpSum == [42.75, 42.75, 42.75, 42.75])
    #expect(e.postTaxIncome == [51.75, 42.75, 122.75, 292.75])
    #expect(e.utility == [3.5, -2, 10.25, -40])
    #expect(e.hasTaxes && e.periods == 1 && e.problems.isEmpty)
    let period = try #require(e.lastPeriod)
    #expect(period.t == 1 && period.schedule == [0.1, 0.3, 0.5] && period.cutoffs == [0, 50, 200])
    // The schedule as a function of income: kinks at the cutoffs, the top bracket open.
    #expect([0, 10, 50, 100, 200, 400].map { e.tax(onIncome: $0) } == [0, 1, 5, 20, 50, 150])
    #expect([0, 49.9, 50, 199, 200, 1e6].map { e.marginalRate(atIncome: $0) } == [0.1, 0.1, 0.3, 0.3, 0.5, 0.5])
  }

  @Test func foundationsLogsAddUp() throws {
    for (name, log) in try Self.foundationLogs() {
      let e = try OneStepEpisode(log)
      let states = log.list("states")
      #expect(e.problems.isEmpty, "\(name): \(e.problems)")
      for (k, a) in e.agents.enumerated() {
        let final = try #require(states.last?[String(a)])
        let coin = try #require(final["inventory"]?["Coin"]?.doubleValue)
        // Post-tax income is the coin the agent ends with (it starts with none).
        #expect(abs(e.postTaxIncome[k] - coin) < 1e-9, "\(name) agent \(a)")
        // Hours times skill is the income, and the schedule levies the tax paid.
        #expect(abs(e.hours[k] * e.skill[k] - e.income[k]) < 1e-9, "\(name) agent \(a)")
        #expect(abs(e.tax(onIncome: e.income[k]) - e.taxPaid[k]) < 1e-6, "\(name) agent \(a)")
        let rewards = log.list("rewards").compactMap { $0[String(a)]?.doubleValue }.reduce(0, +)
        #expect(e.utility[k] == rewards)
      }
      let files = try EpisodeCharts.all(for: log).files
      #expect(files.map(\.name) == ["agents-by-skill.png", "tax-schedule.png", "report.md"], "\(name)")
    }
  }

  @Test func severalTaxPeriodsAreSummedAndTheLastScheduleDrawn() throws {
    // Four steps with taxes on steps 2 and 4: the same record twice, with another schedule last.
    let log = try Self.handwritten { entries in
      let record = entries.first { $0.key == "PeriodicTax" }?.value.arrayValue?.last?.objectValue ?? JSONObject()
      var later = record
      later["schedule"] = [0.2, 0.2, 0.2]
      func twice(_ key: String) -> JSONValue {
        let list = entries.first { $0.key == key }?.value.arrayValue ?? []
        return .array(key == "states" ? list + list.dropFirst() : list + list)
      }
      entries = [
        ("world", [[:], [:], [:], [:], [:]]), ("states", twice("states")), ("actions", twice("actions")),
        ("rewards", twice("rewards")), ("PeriodicTax", [[], .object(record), [], .object(later)]),
      ]
    }
    let e = try OneStepEpisode(log)
    #expect(e.steps == 4 && e.periods == 2)
    #expect(e.hours == [20, 0, 100, 200] && e.income == [20, 0, 200, 800] && e.taxPaid == [2, 0, 40, 300])
    #expect(e.utility == [7, -4, 20.5, -80])
    #expect(e.lastPeriod?.t == 3 && e.lastPeriod?.schedule == [0.2, 0.2, 0.2])
    #expect(try #require(OneStepCharts(episode: e).taxSchedule()).title == "Tax schedule (period 2 of 2, step 4)")
  }

  @Test func theReportListsEachAgent() throws {
    let report = try OneStepCharts(episode: try OneStepEpisode(try Self.handwritten())).report()
    #expect(report.contains("| 2 | 2 | 50 | 100 | 20 | 42.75 | 122.75 | 10.25 |"))
    #expect(report.contains("| 1 | 1.5 | 0 | 0 | 0 | 42.75 | 42.75 | -2 |"))
    #expect(report.contains("All agents: income 510, taxes 171, lump sums 171;"))
    #expect(report.contains("Last schedule (step 2): from 0: 10%, from 50: 30%, from 200: 50%."))
    #expect(report.contains("2 steps, 4 agents, 1 tax period."))
  }

  // MARK: - Charts

  @Test func theCLIsChartsOfAOneStepLog() throws {
    let (files, notes) = try EpisodeCharts.all(for: try Self.handwritten())
    #expect(files.map(\.name) == ["agents-by-skill.png", "tax-schedule.png", "report.md"])
    #expect(files[0].image?.width == 1200 && files[0].image?.height == 880)
    #expect(files[1].image?.width == 1300 && files[1].image?.height == 560)
    #expect(notes.count == 1 && notes[0].hasPrefix("a one-step economy's log"))
    // Other logs keep the episode charts.
    let tutorial = try EpisodeCharts.all(for: try tutorialLog()).files.map(\.name)
    #expect(tutorial == ["world.png", "agents.png", "trajectories.png", "taxes.png", "economy.png", "report.md"])
  }

  @Test func chartsMatchTheGoldenImages() throws {
    let charts = try OneStepCharts(episode: try OneStepEpisode(try Self.handwritten()))
    try assertMatchesGolden(charts.agentsBySkill().render().image(), named: "one-step-agents-by-skill.png")
    try assertMatchesGolden(
      try #require(charts.taxSchedule()).render().image(), named: "one-step-tax-schedule.png")
  }

  @Test func writtenPNGsHaveTheAskedSize() throws {
    let directory = try temporaryDirectory("economist-one-step")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let options = EpisodeChartOptions(agents: [3, 0], size: (900, 500))
    let (files, _) = try EpisodeCharts.all(for: try Self.handwritten(), options: options)
    for file in files where file.image != nil {
      let path = try file.write(to: directory, source: "ep.json", command: "economist plot ep.json")
      let image = try RGBAImage(pngData: [UInt8](try #require(FileManager.default.contents(atPath: path))))
      #expect(image.width == 900 && image.height == 500, "\(file.name)")
    }
    let charts = try OneStepCharts(episode: try OneStepEpisode(try Self.handwritten()), options: options)
    #expect(charts.slots == [3, 0])
    #expect(try #require(files.last?.text).contains("| 3 | 4 | 100 | 400 |"))
    #expect(try #require(files.last?.text).split(separator: "\n").filter { $0.hasPrefix("| 1 |") }.isEmpty)
    #expect(throws: PlotError("no agent 7 in the log; its agents are 0, 1, 2, 3")) {
      _ = try EpisodeCharts.all(for: try Self.handwritten(), options: EpisodeChartOptions(agents: [7]))
    }
  }

  @Test func withoutTaxesIncomeIsTheChangeOfProduction() throws {
    let log = try Self.handwritten(setting: ["PeriodicTax"], to: nil)
    let e = try OneStepEpisode(log)
    #expect(!e.hasTaxes && e.lastPeriod == nil)
    #expect(e.income == [10, 0, 100, 400] && e.taxPaid == [0, 0, 0, 0] && e.postTaxIncome == e.income)
    let (files, notes) = try EpisodeCharts.all(for: log)
    #expect(files.map(\.name) == ["agents-by-skill.png", "report.md"])
    #expect(notes.last == "tax-schedule.png not written: the log has no taxes (no PeriodicTax entries)")
  }

  // MARK: - Damaged logs

  static let damaged: [(path: [String], value: JSONValue?, error: String)] = [
    (
      ["PeriodicTax", "1"], [],
      "PeriodicTax[1]: expected the tax record of the episode's last step (the one-step economy collects taxes there), found an empty list; is the log truncated?"
    ),
    (["PeriodicTax", "1", "2", "tax_paid"], nil, "PeriodicTax[1].2.tax_paid: expected a number, found nothing"),
    (["PeriodicTax", "1", "0", "income"], "ten", "PeriodicTax[1].0.income: expected a number, found a string"),
    (["PeriodicTax", "1", "3"], nil, "PeriodicTax[1].3.income: expected a number, found nothing"),
    (
      ["PeriodicTax", "1", "cutoffs"], [0, 200, 50],
      "PeriodicTax[1].cutoffs: expected rising numbers starting at 0, found [0, 200, 50]"
    ),
    (
      ["PeriodicTax", "1", "cutoffs"], [5, 50, 200],
      "PeriodicTax[1].cutoffs: expected rising numbers starting at 0, found [5, 50, 200]"
    ),
    (
      ["PeriodicTax", "1", "schedule"], [0.1, 2, 0.5],
      "PeriodicTax[1].schedule: expected one rate in 0...1 per cutoff (3), found [0.1, 2, 0.5]"
    ),
    (
      ["PeriodicTax", "1", "schedule"], [0.1, 0.3],
      "PeriodicTax[1].schedule: expected one rate in 0...1 per cutoff (3), found [0.1, 0.3]"
    ),
    (["PeriodicTax", "1", "schedule"], [], "PeriodicTax[1].schedule: expected a list of numbers, found an empty list"),
    (["PeriodicTax", "1", "cutoffs"], .double(.nan), "PeriodicTax[1].cutoffs: expected a list of numbers, found n/a"),
    (
      ["PeriodicTax", "1", "cutoffs", "1"], .double(.infinity), "PeriodicTax[1].cutoffs[1]: expected a number, found ∞"
    ),
    (["states", "0", "1", "skill"], "high", "states[0].1.skill: expected a number, found a string"),
  ]

  @Test(arguments: damaged)
  func damagedLogsAreAClearError(path: [String], value: JSONValue?, error: String) throws {
    let log = try Self.handwritten(setting: path, to: value)
    #expect(OneStepEpisode.isOneStep(log))
    #expect(throws: PlotError(error)) { _ = try EpisodeCharts.all(for: log) }
  }

  @Test func aLogTruncatedAfterTheFirstStepIsAClearError() throws {
    let log = try Self.handwritten { entries in
      entries = entries.map { entry in
        let list = entry.value.arrayValue ?? []
        return (entry.key, .array(Array(list.prefix(entry.key == "world" || entry.key == "states" ? 2 : 1))))
      }
    }
    #expect(log.steps == 1)
    #expect(
      throws: PlotError(
        "PeriodicTax[0]: expected the tax record of the episode's last step (the one-step economy collects taxes there), found an empty list; is the log truncated?"
      )
    ) { _ = try EpisodeCharts.all(for: log) }
    let empty = try Self.handwritten { entries in
      entries = entries.map {
        ($0.key, .array(Array(($0.value.arrayValue ?? []).prefix($0.key == "world" || $0.key == "states" ? 1 : 0))))
      }
    }
    #expect(throws: PlotError("a one-step economy's log with no steps (truncated before the agents worked?)")) {
      _ = try EpisodeCharts.all(for: empty)
    }
  }

  @Test func aMissingRewardIsANoteAndTheRestIsDrawn() throws {
    let log = try Self.handwritten(setting: ["rewards", "1", "2"], to: nil)
    let e = try OneStepEpisode(log)
    #expect(e.problems == ["rewards[1].2: expected a number, found nothing"])
    #expect(e.utility[2].isNaN && e.utility[3] == -40)
    let (files, notes) = try EpisodeCharts.all(for: log)
    #expect(files.count == 3 && notes.first == "rewards[1].2: expected a number, found nothing")
  }

  /// Every value of the log removed or replaced by a string, one at a time: charts or a
  /// ``PlotError``, never a trap.
  @Test func everyValueRemovedOrReplacedDrawsOrFails() throws {
    var paths: [[String]] = []
    func walk(_ node: JSONValue, _ path: [String]) {
      if !path.isEmpty { paths.append(path) }
      switch node {
      case .object(let o): for (k, v) in o.entries { walk(v, path + [k]) }
      case .array(let a): for (i, v) in a.enumerated() { walk(v, path + [String(i)]) }
      default: break
      }
    }
    walk(.object(try Self.handwritten().root), [])
    #expect(paths.count > 150)
    var drawn = 0
    var refused = 0
    for path in paths {
      for value in [nil, "x"] as [JSONValue?] {
        guard let log = try? Self.handwritten(setting: path, to: value) else { continue }
        do {
          // Small images: the drawing code runs in full, the pixels are few.
          _ = try EpisodeCharts.all(for: log, options: EpisodeChartOptions(size: (240, 160)))
          drawn += 1
        } catch {
          #expect(!error.message.isEmpty)
          refused += 1
        }
      }
    }
    #expect(drawn > 100 && refused > 10, "drawn \(drawn), refused \(refused)")
  }

  @Test func mutatedLogsDrawOrFail() throws {
    let base = JSONWriter.serialize(.object(try Self.handwritten().root))
    var mutator = Mutator(seed: 41)
    var drawn = 0
    for _ in 0..<60 {
      guard let json = try? JSONParser.parse(mutator.mutate(base)), let log = try? DenseLog(json: json, origin: "f")
      else { continue }
      if (try? EpisodeCharts.all(for: log)) != nil { drawn += 1 }
    }
    #expect(drawn > 3, "drawn \(drawn)")
  }
}
