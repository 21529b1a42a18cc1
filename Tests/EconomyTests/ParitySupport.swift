import Basics
import Testing

@testable import Economy

// Helpers for the parity tests: driving an environment by hand (placing agents, setting
// holdings, single-action steps) and reading observations, masks and component state by name.

/// Flat single-action indices of the tutorial config's mobile agents (Foundation's
/// `single_action_map`): Build, then Buy/Sell for Stone and Wood at prices 0...10, then moves.
enum SingleAction {
  static let noop = 0
  static let build = 1
  static func buyStone(_ price: Int) -> Int { 2 + price }
  static func sellStone(_ price: Int) -> Int { 13 + price }
  static func buyWood(_ price: Int) -> Int { 24 + price }
  static func sellWood(_ price: Int) -> Int { 35 + price }
  static let left = 46
  static let right = 47
  static let up = 48
  static let down = 49
}

/// Offsets of the tutorial config's mobile mask blocks (single-action mode): index 0 is NO-OP.
enum MaskBlock {
  static let build = 1..<2
  static let buyStone = 2..<13
  static let sellStone = 13..<24
  static let buyWood = 24..<35
  static let sellWood = 35..<46
  static let gather = 46..<50
}

/// The tutorial config as YAML, with the PeriodicBracketTax parameters replaced by `tax` (a flow
/// mapping) and extra env-level lines appended.
func tutorialYAML(
  tax: String = "{period: 100, bracket_spacing: us-federal, usd_scaling: 1000, disable_taxes: false}",
  extra: String = ""
) -> String {
  """
  scenario_name: layout_from_file/simple_wood_and_stone
  components:
    - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3, build_labor: 10, payment: 10}
    - ContinuousDoubleAuction: {max_bid_ask: 10, order_labor: 0.25, max_num_orders: 5, order_duration: 50}
    - Gather: {move_labor: 1, collect_labor: 1, skill_dist: pareto}
    - PeriodicBracketTax: \(tax)
  env_layout_file: quadrant_25x25_20each_30clump.txt
  starting_agent_coin: 10
  fixed_four_skill_and_loc: true
  n_agents: 4
  world_size: [25, 25]
  episode_length: 1000
  multi_action_mode_agents: false
  multi_action_mode_planner: true
  flatten_observations: true
  flatten_masks: true
  dense_log_frequency: 1
  \(extra)
  """
}

/// The tutorial environment at the seed-7 reset with Foundation's reset state pinned.
func pinnedSeed7Environment() throws -> Environment {
  var env = try tutorialEnvironment(seed: 7)
  try env.pinSeed7State()
  return env
}

/// The tutorial environment with resource regrowth switched off (so tiles emptied by a
/// collection stay empty), reset with `seed` and a dense log.
func tutorialEnvironmentWithoutRegrowth(seed: UInt64 = 7) throws -> Environment {
  var config = try tutorialConfig()
  config.parameters.resourceRegenProb = 0
  var env = try Environment(config: config)
  env.reset(seed: seed, forceDenseLog: true)
  return env
}

/// The numbers of a JSON array (ints and doubles).
func jsonNumbers(_ v: JSONValue?) -> [Double] { (v?.arrayValue ?? []).compactMap(\.doubleValue) }

/// A JSON value as numbers: a scalar gives one element, an array its elements.
func jsonNumbersOrScalar(_ v: JSONValue?) -> [Double] {
  if let d = v?.doubleValue { return [d] }
  return jsonNumbers(v)
}

extension Environment {
  // MARK: - Components

  /// The configured component of type `C`, if any.
  func component<C: Component>(_ type: C.Type) -> C? {
    components.lazy.compactMap { $0 as? C }.first
  }

  /// Changes the configured component of type `C` in place (no-op if it is not configured).
  mutating func modifyComponent<C: Component>(_ type: C.Type, _ body: (inout C) -> Void) {
    guard let i = components.firstIndex(where: { $0 is C }), var c = components[i] as? C else { return }
    body(&c)
    components[i] = c
  }

  // MARK: - Setting state by hand

  /// Moves every agent to the given `(row, col)` (agents in index order) and rewrites
  /// observations and masks.
  mutating func place(_ locations: [(Int, Int)]) throws {
    world.clearAgentLocations()
    var states: [Int: AgentInitialState] = [:]
    for (a, loc) in locations.enumerated() { states[a] = AgentInitialState(location: loc) }
    try applyInitialState(states)
  }

  /// Sets parts of an agent's inventory and escrow by hand, then rebalances the books.
  mutating func setHoldings(
    _ agent: Int, coin: Double? = nil, stone: Double? = nil, wood: Double? = nil, escrowCoin: Double? = nil,
    escrowStone: Double? = nil
  ) {
    let base = agent * Resource.count
    if let coin { world.inventory[base + Resource.coin.rawValue] = coin }
    if let stone { world.inventory[base + Resource.stone.rawValue] = stone }
    if let wood { world.inventory[base + Resource.wood.rawValue] = wood }
    if let escrowCoin { world.escrow[base + Resource.coin.rawValue] = escrowCoin }
    if let escrowStone { world.escrow[base + Resource.stone.rawValue] = escrowStone }
    rebalanceBooks()
  }

  /// After state was changed by hand: takes the current totals as the reset totals of the
  /// conservation check (so the debug invariant checks keep passing) and rewrites observations
  /// and masks.
  mutating func rebalanceBooks() {
    let t = totals()
    let created = [world.ledger.coinCreated, world.ledger.resourceCreated[1], world.ledger.resourceCreated[2]]
    resetTotals = zip(t, created).map { $0 - $1 }
    refreshObservations()
  }

  /// Runs one step in which the listed mobile agents take single-action indices, the planner
  /// takes `planner` (one sub-action per bracket) if given, and everyone else does nothing.
  mutating func step(_ mobile: [Int: Int], planner: [Int]? = nil) throws {
    for (a, action) in mobile { try actions.setMobile(a, action: action) }
    if let planner { try actions.setPlanner(subActions: planner) }
    step()
  }

  // MARK: - Reading observations

  /// Mobile agent `agent`'s flat observation.
  func mobileFlatVector(_ agent: Int) -> [Double] {
    let size = observationLayout.mobileFlatSize
    return observations.mobileFlat[(agent * size)..<((agent + 1) * size)].map(Double.init)
  }

  /// The planner's flat observation.
  func plannerFlatVector() -> [Double] { observations.plannerFlat.map(Double.init) }

  /// The planner's `p<agent>` vector.
  func perAgentVector(_ agent: Int) -> [Double] {
    let size = observationLayout.perAgentSize
    return observations.perAgent[(agent * size)..<((agent + 1) * size)].map(Double.init)
  }

  /// Mobile agent `agent`'s flattened action mask.
  func mobileMaskVector(_ agent: Int) -> [Double] {
    let size = actionLayout.mobileMaskSize
    return observations.mobileMask[(agent * size)..<((agent + 1) * size)].map(Double.init)
  }

  /// The planner's flattened action mask.
  func plannerMaskVector() -> [Double] { observations.plannerMask.map(Double.init) }

  /// The values of a mobile agent's flat field, by Foundation key (empty for an unknown key).
  func mobileObservation(_ agent: Int, _ key: String) -> [Double] {
    guard let e = observationLayout.mobileEntry(key) else { return [] }
    return Array(mobileFlatVector(agent)[e.offset..<(e.offset + e.size)])
  }

  /// The values of a planner flat field, by Foundation key (empty for an unknown key).
  func plannerObservation(_ key: String) -> [Double] {
    guard let e = observationLayout.plannerEntry(key) else { return [] }
    return Array(plannerFlatVector()[e.offset..<(e.offset + e.size)])
  }

  /// The value of a field of the planner's `p<agent>` vector, by Foundation key.
  func perAgentObservation(_ agent: Int, _ key: String) -> Double? {
    guard let e = observationLayout.perAgent.first(where: { $0.key == key }) else { return nil }
    return perAgentVector(agent)[e.offset]
  }

  /// Mobile agent `agent`'s map observation channel `channel`, as rows.
  func mobileMapChannel(_ agent: Int, _ channel: Int) -> [[Double]] {
    let shape = observationLayout.mobileMapShape ?? [0, 0, 0]
    let (h, w) = (shape[1], shape[2])
    let base = agent * observationLayout.mobileMapSize + channel * h * w
    return (0..<h).map { r in (0..<w).map { c in Double(observations.mobileMap[base + r * w + c]) } }
  }

  /// Mobile agent `agent`'s index-map channel `channel`, as rows.
  func mobileIndexChannel(_ agent: Int, _ channel: Int) -> [[Int]] {
    let shape = observationLayout.mobileIndexShape ?? [0, 0, 0]
    let (h, w) = (shape[1], shape[2])
    let base = agent * observationLayout.mobileIndexSize + channel * h * w
    return (0..<h).map { r in (0..<w).map { c in Int(observations.mobileIndex[base + r * w + c]) } }
  }

  /// The planner's index-map value at `(r, c)` of `channel`.
  func plannerIndex(_ channel: Int, _ r: Int, _ c: Int) -> Int {
    Int(observations.plannerIndex[channel * world.tileCount + r * world.width + c])
  }

  // MARK: - Component state

  /// The trades of the last step, from the market's dense log.
  var lastTrades: [JSONValue] { component(ContinuousDoubleAuction.self)?.denseLog?.last?.arrayValue ?? [] }

  /// Open orders of the Stone book as `(agent, price, lifetime)`.
  var stoneBids: [Order] { component(ContinuousDoubleAuction.self)?.books[0].bids ?? [] }
  /// Open asks of the Stone book.
  var stoneAsks: [Order] { component(ContinuousDoubleAuction.self)?.books[0].asks ?? [] }
}

// MARK: - Expectations

/// Expects an environment's holdings to match a Foundation demo record
/// `{"<agent>": {inv_coin, esc_coin, inv_stone, esc_stone}}`.
func expectHoldings(
  _ env: Environment, _ fact: JSONValue, _ comment: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  for (key, value) in fact.objectValue?.entries ?? [] {
    guard let a = Int(key) else { continue }
    let pairs: [(String, Double)] = [
      ("inv_coin", env.world.inventory(a, .coin)), ("esc_coin", env.world.escrow(a, .coin)),
      ("inv_stone", env.world.inventory(a, .stone)), ("esc_stone", env.world.escrow(a, .stone)),
    ]
    for (name, mine) in pairs {
      guard let expected = value[name]?.doubleValue else { continue }
      expectClose(mine, expected, "agent \(a) \(name) \(comment)", sourceLocation: sourceLocation)
    }
  }
}

/// Expects logged trades to equal Foundation's trade records key by key.
func expectTrades(
  _ mine: [JSONValue], _ facts: JSONValue?, sourceLocation: SourceLocation = #_sourceLocation
) {
  let expected = facts?.arrayValue ?? []
  #expect(mine.count == expected.count, "trades \(mine) vs \(expected)", sourceLocation: sourceLocation)
  for (m, e) in zip(mine, expected) {
    #expect(
      m.objectValue?.keys == e.objectValue?.keys, "trade keys \(m.objectValue?.keys ?? [])",
      sourceLocation: sourceLocation)
    for (key, value) in e.objectValue?.entries ?? [] {
      if let s = value.stringValue {
        #expect(m[key]?.stringValue == s, "trade \(key)", sourceLocation: sourceLocation)
      } else {
        #expect(
          m[key]?.intValue == value.intValue, "trade \(key): \(m[key] ?? .null) vs \(value)",
          sourceLocation: sourceLocation)
      }
    }
  }
}
