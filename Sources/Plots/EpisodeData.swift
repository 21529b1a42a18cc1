// The numbers the charts need, read out of a dense log once: per-agent time series, trades,
// builds, tax periods and map snapshots. Missing or malformed parts are noted, not fatal.

import Basics
import Economy

/// One episode's dense log as typed series.
public struct EpisodeData: Sendable {
  /// Steps in the episode (T).
  public let steps: Int
  /// Mobile agent indices present in the log (`"0"`, `"1"`, … in `states`).
  public let agents: [Int]
  /// Per agent, T + 1 values (the state before each step, then the final state).
  public private(set) var wood: [[Double]] = []
  /// Stone held (inventory + escrow), per agent, T + 1 values.
  public private(set) var stone: [[Double]] = []
  /// Coin held (inventory + escrow), per agent, T + 1 values.
  public private(set) var coin: [[Double]] = []
  /// Cumulative labour, per agent, T + 1 values.
  public private(set) var labor: [[Double]] = []
  /// Other numeric agent state that changes during the episode (a custom component's state
  /// field, such as a store's `rations`): name and, per agent, T + 1 values.
  public private(set) var extraStates: [(name: String, values: [[Double]])] = []
  /// Location (row, column) per agent, T + 1 values; nil where the log has none.
  public private(set) var locations: [[(row: Int, col: Int)?]] = []
  /// Reward of each step, per agent (T values; NaN where missing).
  public private(set) var rewards: [[Double]] = []
  /// The planner's reward of each step (T values).
  public private(set) var plannerRewards: [Double] = []
  /// Executed trades.
  public private(set) var trades: [Trade] = []
  /// Houses built.
  public private(set) var builds: [BuildEvent] = []
  /// Tax periods (empty when the log has no taxes).
  public private(set) var taxPeriods: [TaxPeriod] = []
  /// Map snapshots by step.
  public private(set) var snapshots: [(t: Int, map: WorldSnapshot)] = []
  /// Whether the log has a tax component's entries at all.
  public private(set) var hasTaxLog = false
  /// What could not be read (each names the key path).
  public private(set) var problems: [String] = []

  /// A trade: the buyer pays `cost`, the seller receives `income`.
  public struct Trade: Sendable, Equatable {
    /// Step index (0-based, the step in which it executed).
    public var t: Int
    /// `Wood` or `Stone`.
    public var commodity: String
    /// Buyer index.
    public var buyer: Int
    /// Seller index.
    public var seller: Int
    /// Price.
    public var price: Double
    /// What the buyer paid.
    public var cost: Double
    /// What the seller received.
    public var income: Double
  }

  /// A house built.
  public struct BuildEvent: Sendable, Equatable {
    /// Step index.
    public var t: Int
    /// Builder index.
    public var builder: Int
    /// Where.
    public var row: Int
    /// Where.
    public var col: Int
    /// Coin earned.
    public var income: Double
  }

  /// One tax period's record (written on the step that closes the period).
  public struct TaxPeriod: Sendable, Equatable {
    /// Step index of the record.
    public var t: Int
    /// Marginal rate of each bracket.
    public var schedule: [Double]
    /// Lower income cutoff of each bracket.
    public var cutoffs: [Double]
    /// Per agent: income over the period.
    public var income: [Double]
    /// Per agent: tax paid.
    public var taxPaid: [Double]
    /// Per agent: lump sum received.
    public var lumpSum: [Double]
    /// Per agent: effective rate.
    public var effectiveRate: [Double]
  }

  /// A map snapshot.
  public struct WorldSnapshot: Sendable, Equatable {
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int
    /// Wood per tile.
    public var wood: [Double]
    /// Stone per tile.
    public var stone: [Double]
    /// Water tiles (non-zero).
    public var water: [Double]
    /// Wood source tiles.
    public var woodSource: [Double]
    /// Stone source tiles.
    public var stoneSource: [Double]
    /// House owner per tile (-1: none).
    public var houseOwner: [Int]
  }

  /// Reads `log`.
  public init(_ log: DenseLog) {
    steps = log.steps
    let states = log.list("states")
    let first = states.first?.objectValue
    agents = (first?.keys ?? []).compactMap { Int($0) }.sorted()
    if states.isEmpty { problems.append("states: missing or empty") }
    readStates(states)
    readRewards(log.list("rewards"))
    readTrades(log.list("Trade"))
    readBuilds(log.list("Build"))
    if log.root["PeriodicTax"] != nil {
      hasTaxLog = true
      readTaxes(log.list("PeriodicTax"))
    }
    readWorld(log.list("world"))
  }

  /// The position of `agent` in ``agents`` (nil: not in the log).
  public func slot(of agent: Int) -> Int? { agents.firstIndex(of: agent) }

  private mutating func readStates(_ states: [JSONValue]) {
    let n = agents.count
    wood = Array(repeating: [], count: n)
    stone = wood
    coin = wood
    labor = wood
    locations = Array(repeating: [], count: n)
    let known: Set<String> = ["loc", "inventory", "escrow", "endogenous"]
    let extraNames = (states.first?[String(agents.first ?? 0)]?.objectValue?.entries ?? []).filter {
      !known.contains($0.key) && $0.value.doubleValue != nil
    }.map(\.key)
    var extras = extraNames.map { _ in [[Double]](repeating: [], count: n) }
    var reported = false
    for (t, state) in states.enumerated() {
      for (k, a) in agents.enumerated() {
        let s = state[String(a)]
        func held(_ resource: String) -> Double {
          let inventory = s?["inventory"]?[resource]?.doubleValue
          let escrow = s?["escrow"]?[resource]?.doubleValue ?? 0
          guard let inventory else {
            if !reported {
              problems.append("states[\(t)].\(a).inventory.\(resource): missing")
              reported = true
            }
            return .nan
          }
          return inventory + escrow
        }
        wood[k].append(held("Wood"))
        stone[k].append(held("Stone"))
        coin[k].append(held("Coin"))
        labor[k].append(s?["endogenous"]?["Labor"]?.doubleValue ?? .nan)
        if let loc = s?["loc"]?.arrayValue, loc.count == 2, let r = loc[0].intValue, let c = loc[1].intValue {
          locations[k].append((r, c))
        } else {
          locations[k].append(nil)
        }
        for (e, name) in extraNames.enumerated() { extras[e][k].append(s?[name]?.doubleValue ?? .nan) }
      }
    }
    // Constants (a skill drawn at reset) are not worth a panel.
    extraStates = zip(extraNames, extras).filter { _, values in
      values.contains { series in series.contains { $0 != series.first && !($0.isNaN && series.first?.isNaN == true) } }
    }.map { (name: $0, values: $1) }
  }

  private mutating func readRewards(_ list: [JSONValue]) {
    rewards = Array(repeating: [], count: agents.count)
    for entry in list {
      for (k, a) in agents.enumerated() { rewards[k].append(entry[String(a)]?.doubleValue ?? .nan) }
      plannerRewards.append(entry["p"]?.doubleValue ?? .nan)
    }
  }

  private mutating func readTrades(_ list: [JSONValue]) {
    for (t, entry) in list.enumerated() {
      for trade in entry.arrayValue ?? [] {
        guard let buyer = trade["buyer"]?.intValue, let seller = trade["seller"]?.intValue,
          let commodity = trade["commodity"]?.stringValue
        else {
          problems.append("Trade[\(t)]: a trade without buyer, seller or commodity")
          continue
        }
        trades.append(
          Trade(
            t: t, commodity: commodity, buyer: buyer, seller: seller, price: trade["price"]?.doubleValue ?? .nan,
            cost: trade["cost"]?.doubleValue ?? .nan, income: trade["income"]?.doubleValue ?? .nan))
      }
    }
  }

  private mutating func readBuilds(_ list: [JSONValue]) {
    for (t, entry) in list.enumerated() {
      for build in entry.arrayValue ?? [] {
        guard let builder = build["builder"]?.intValue else {
          problems.append("Build[\(t)]: a build without builder")
          continue
        }
        let loc = build["loc"]?.arrayValue?.compactMap(\.intValue) ?? []
        builds.append(
          BuildEvent(
            t: t, builder: builder, row: loc.first ?? -1, col: loc.count > 1 ? loc[1] : -1,
            income: build["income"]?.doubleValue ?? .nan))
      }
    }
  }

  private mutating func readTaxes(_ list: [JSONValue]) {
    for (t, entry) in list.enumerated() {
      guard let record = entry.objectValue else { continue }
      var schedule = record["schedule"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? []
      var cutoffs = record["cutoffs"]?.arrayValue?.map { $0.doubleValue ?? .nan } ?? []
      // Brackets start at 0 and rise; rates lie in 0...1. Anything else is reported and the
      // period's schedule left out, rather than drawn as nonsense (or trapping on a range).
      let rising = zip(cutoffs, cutoffs.dropFirst()).allSatisfy { $0 <= $1 }
      if !cutoffs.isEmpty && (cutoffs.first != 0 || !rising || cutoffs.contains { !$0.isFinite }) {
        problems.append(
          "PeriodicTax[\(t)].cutoffs: expected rising finite numbers starting at 0, found [\(cutoffs.map { Ticks.format($0) }.joined(separator: ", "))]"
        )
        (cutoffs, schedule) = ([], [])
      } else if schedule.count != cutoffs.count || schedule.contains(where: { !($0 >= 0 && $0 <= 1) }) {
        problems.append(
          "PeriodicTax[\(t)].schedule: expected one rate in 0...1 per cutoff (\(cutoffs.count)), found [\(schedule.map { Ticks.format($0) }.joined(separator: ", "))]"
        )
        (cutoffs, schedule) = ([], [])
      }
      func values(_ key: String) -> [Double] {
        agents.map { record[String($0)]?[key]?.doubleValue ?? .nan }
      }
      taxPeriods.append(
        TaxPeriod(
          t: t, schedule: schedule, cutoffs: cutoffs, income: values("income"), taxPaid: values("tax_paid"),
          lumpSum: values("lump_sum"), effectiveRate: values("effective_rate")))
    }
  }

  private mutating func readWorld(_ list: [JSONValue]) {
    for (t, entry) in list.enumerated() {
      guard let maps = entry.objectValue, !maps.isEmpty else { continue }
      func grid(_ value: JSONValue?) -> (rows: Int, cols: Int, values: [Double])? {
        guard let rows = value?.arrayValue, let firstRow = rows.first?.arrayValue else { return nil }
        var out: [Double] = []
        for row in rows {
          guard let cells = row.arrayValue, cells.count == firstRow.count else { return nil }
          out += cells.map { $0.doubleValue ?? 0 }
        }
        return (rows.count, firstRow.count, out)
      }
      guard let wood = grid(maps["Wood"]), let stone = grid(maps["Stone"]),
        stone.rows == wood.rows && stone.cols == wood.cols
      else {
        problems.append("world[\(t)]: no Wood and Stone maps of one size")
        continue
      }
      let n = wood.rows * wood.cols
      func same(_ g: (rows: Int, cols: Int, values: [Double])?) -> [Double] {
        guard let g, g.rows == wood.rows, g.cols == wood.cols else { return [Double](repeating: 0, count: n) }
        return g.values
      }
      // Foundation's House layer is {owner, health}; without an owner grid no house is drawn.
      let owners = grid(maps["House"]?["owner"]).flatMap { $0.rows == wood.rows && $0.cols == wood.cols ? $0 : nil }
      let known = Set(agents)
      func owner(_ value: Double) -> Int? { Int(exactly: value).flatMap { $0 == -1 || known.contains($0) ? $0 : nil } }
      let houseOwner = owners?.values.map { owner($0) ?? -1 } ?? [Int](repeating: -1, count: n)
      if let owners, owners.values.contains(where: { owner($0) == nil }) {
        problems.append(
          "world[\(t)].House.owner: expected the log's agent indices or -1; other values drawn as no house")
      }
      snapshots.append(
        (
          t,
          WorldSnapshot(
            height: wood.rows, width: wood.cols, wood: wood.values, stone: stone.values,
            water: same(grid(maps["Water"])),
            woodSource: same(grid(maps["WoodSourceBlock"])), stoneSource: same(grid(maps["StoneSourceBlock"])),
            houseOwner: houseOwner)
        ))
    }
  }
}
