// A component written outside the Economy module, with its public API only: a store where
// mobile agents buy rations (a new good, kept as an agent state field) for coin.

import Basics
import Economy

/// Agents spend coin on rations at a fixed price.
///
/// - Actions (mobile): one subspace `VirtualStore` with 1 action, "buy one ration".
/// - Mask: buying is allowed when the agent holds at least `price` coin (inventory, not escrow).
/// - State: `rations` per agent (in the dense log's agent states, so charts show it).
/// - Observation: `VirtualStore-rations` (the agent's own rations).
/// - Metrics: `VirtualStore/total_rations`, `VirtualStore/<agent>/rations`.
/// - Dense log: per step, the purchases `{agent, price}`.
struct VirtualStore: Component {
  static let name = "VirtualStore"
  static let shorthand = "VirtualStore"
  static let parameterNames = ["price", "buy_labor"]

  /// Coin per ration.
  let price: Double
  /// Labor per purchase.
  let buyLabor: Double
  let buy: ActionSubspace
  let rations: StateField
  let rationsObservation: ObservationField
  var log: [JSONValue] = []

  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    // Invalid values are reported with the config's file, line and key path.
    price = params.double("price", default: 5, range: 0.01...1_000_000)
    buyLabor = params.double("buy_labor", default: 0.1, range: 0...1000)
    buy = setup.addMobileActions(nil, count: 1)
    rations = world.registerStateField("rations")
    rationsObservation = setup.addObservation("rations", owner: .mobile)
  }

  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for a in 0..<world.agentCount { world.setState(a, rations, 0) }
    log.removeAll(keepingCapacity: true)
  }

  mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    var purchases: [JSONValue] = []
    for a in 0..<world.agentCount where actions.mobile(a, buy) == 1 && world.inventory(a, .coin) >= price {
      world.addInventory(a, .coin, -price)
      // Coin leaves the economy: the ledger keeps the conservation checks exact.
      world.ledger.coinCreated -= price
      world.setState(a, rations, world.state(a, rations) + 1)
      world.labor[a] += buyLabor
      if logging { purchases.append(["agent": .int(Int64(a)), "price": .double(price)]) }
    }
    if logging { log.append(.array(purchases)) }
  }

  func writeObservations(world: World, into out: inout ObservationWriter) {
    for a in 0..<world.agentCount { out.set(rationsObservation, agent: a, world.state(a, rations)) }
  }

  mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    for a in 0..<world.agentCount { out.set(buy, agent: a, index: 0, world.inventory(a, .coin) >= price) }
  }

  func metrics(world: World, into out: inout [(key: String, value: Double)]) {
    var total = 0.0
    for a in 0..<world.agentCount {
      out.append(("\(a)/rations", world.state(a, rations)))
      total += world.state(a, rations)
    }
    out.append(("total_rations", total))
  }

  var denseLog: [JSONValue]? { log }
}
