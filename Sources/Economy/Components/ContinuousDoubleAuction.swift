import Basics

/// A continuous double auction for the collectible resources, with escrow (Foundation's
/// `ContinuousDoubleAuction`; shorthand `Trade`).
///
/// - Actions (mobile), per commodity in sorted order: `Buy_<R>` and `Sell_<R>`, each with
///   `max_bid_ask + 1` actions; action `k` is a limit price of `k − 1` coin.
/// - Each step: price histories decay by 0.995; for each commodity, for each agent in index
///   order, the bid then the ask are placed (a bid needs an order slot and coin ≥ price and
///   moves the price into escrow; an ask needs a slot and one unit, which moves into escrow;
///   each costs `order_labor`); then orders are matched (see ``OrderBook``) and finally every
///   order ages by one step and orders older than `order_duration` expire, returning escrow.
/// - Slots: `max_num_orders` per agent per commodity, bids and asks together
///   (default: `order_duration`).
/// - A trade is priced at the earlier order's limit (the ask's when both are new); the seller's
///   unit goes to the buyer, the seller gets the price, the buyer gets `bid − price` back.
public struct ContinuousDoubleAuction: Component {
  /// The name configs use for this component.
  public static let name = "ContinuousDoubleAuction"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "Trade"
  /// The parameters a config may set.
  public static let parameterNames = ["max_bid_ask", "order_labor", "order_duration", "max_num_orders"]
  /// Coin to pay with and labor spent on orders (the goods are the world's resources).
  public static let requiredEntities: [Entity] = [.coin, .labor]

  /// Highest limit price; prices are `0...maxBidAsk`.
  public let maxBidAsk: Int
  /// Labor per order placed.
  public let orderLabor: Double
  /// Steps an order stays open.
  public let orderDuration: Int
  /// Open orders allowed per agent per commodity.
  public let maxNumOrders: Int

  let agentCount: Int
  let prices: Int
  var buy: [ActionSubspace] = []
  var sell: [ActionSubspace] = []
  var obs: [CommodityFields] = []

  /// Order books, indexed like ``Resource/collectible``.
  public internal(set) var books: [OrderBook]
  var orderCount: [Int32]
  var bidHist: [Int32]
  var askHist: [Int32]
  var priceHistory: [Double]
  var excluded: [Bool]
  /// Per agent, commodity and side (sell = 0, buy = 1): trade count and price sum.
  var tradeStats: [Double]
  var tradeCount = 0
  var log: [JSONValue] = []

  struct CommodityFields {
    var marketRate: ObservationField
    var priceHistory: ObservationField
    var availableAsks: ObservationField
    var availableBids: ObservationField
    var myAsks: ObservationField
    var myBids: ObservationField
    var plannerMarketRate: ObservationField
    var plannerPriceHistory: ObservationField
    var fullAsks: ObservationField
    var fullBids: ObservationField
  }

  /// Reads the parameters and declares actions, state fields and observations.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {
    maxBidAsk = params.int("max_bid_ask", default: 10, range: 1...10_000)
    orderLabor = params.double("order_labor", default: 0.25, range: 0...Limits.labor)
    orderDuration = params.int("order_duration", default: 50, range: 1...Int(Int32.max))
    maxNumOrders = params.optionalInt("max_num_orders", range: 1...10_000) ?? orderDuration
    agentCount = setup.agentCount
    prices = maxBidAsk + 1
    let n = agentCount
    let commodities = Resource.collectible.count
    for c in Resource.collectible {
      buy.append(setup.addMobileActions("Buy_\(c.name)", count: prices))
      sell.append(setup.addMobileActions("Sell_\(c.name)", count: prices))
    }
    // Foundation's mask dict lists each commodity's Sell before its Buy.
    setup.setMaskDictOrder(zip(sell, buy).flatMap { [$0, $1] })
    for c in Resource.collectible {
      let s = c.name
      obs.append(
        CommodityFields(
          marketRate: setup.addObservation("market_rate-\(s)", owner: .mobile),
          priceHistory: setup.addObservation("price_history-\(s)", size: prices, scalar: false, owner: .mobile),
          availableAsks: setup.addObservation("available_asks-\(s)", size: prices, scalar: false, owner: .mobile),
          availableBids: setup.addObservation("available_bids-\(s)", size: prices, scalar: false, owner: .mobile),
          myAsks: setup.addObservation("my_asks-\(s)", size: prices, scalar: false, owner: .mobile),
          myBids: setup.addObservation("my_bids-\(s)", size: prices, scalar: false, owner: .mobile),
          plannerMarketRate: setup.addObservation("market_rate-\(s)", owner: .planner),
          plannerPriceHistory: setup.addObservation("price_history-\(s)", size: prices, scalar: false, owner: .planner),
          fullAsks: setup.addObservation("full_asks-\(s)", size: prices, scalar: false, owner: .planner),
          fullBids: setup.addObservation("full_bids-\(s)", size: prices, scalar: false, owner: .planner)))
    }
    // The capacity is only a reservation (books grow as needed); bounding it keeps a huge
    // order_duration, the default of max_num_orders, from reserving gigabytes.
    books = Array(repeating: OrderBook(capacity: min(n * maxNumOrders, 1 << 16) + 1), count: commodities)
    orderCount = [Int32](repeating: 0, count: commodities * n)
    bidHist = [Int32](repeating: 0, count: commodities * n * prices)
    askHist = bidHist
    priceHistory = [Double](repeating: 0, count: commodities * n * prices)
    excluded = [Bool](repeating: false, count: n)
    tradeStats = [Double](repeating: 0, count: n * commodities * 2 * 2)
    inventoryScale = setup.inventoryScale
  }

  let inventoryScale: Double

  @inline(__always) func slot(_ c: Int, _ agent: Int) -> Int { c * agentCount + agent }

  /// Resets per-episode state (see ``Component``).
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {
    for c in books.indices {
      books[c].bids.removeAll(keepingCapacity: true)
      books[c].asks.removeAll(keepingCapacity: true)
    }
    for i in orderCount.indices { orderCount[i] = 0 }
    for i in bidHist.indices {
      bidHist[i] = 0
      askHist[i] = 0
    }
    for i in priceHistory.indices { priceHistory[i] = 0 }
    for i in tradeStats.indices { tradeStats[i] = 0 }
    tradeCount = 0
    log.removeAll(keepingCapacity: true)
  }

  /// Whether `agent` may place a bid on commodity index `c` (an open slot).
  public func canBid(_ c: Int, _ agent: Int) -> Bool { Int(orderCount[slot(c, agent)]) < maxNumOrders }

  /// Whether `agent` may place an ask on commodity index `c` (an open slot and a unit to sell).
  public func canAsk(_ c: Int, _ agent: Int, world: World) -> Bool {
    Int(orderCount[slot(c, agent)]) < maxNumOrders && world.inventory(agent, Resource.collectible[c]) > 0
  }

  /// Applies this step's actions (see ``Component``).
  public mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    for i in priceHistory.indices { priceHistory[i] *= 0.995 }
    for (c, resource) in Resource.collectible.enumerated() {
      for a in 0..<agentCount {
        let b = actions.mobile(a, buy[c])
        if b > 0 { placeBid(c, a, price: b - 1, world: &world) }
        let s = actions.mobile(a, sell[c])
        if s > 0 { placeAsk(c, resource, a, price: s - 1, world: &world) }
      }
    }
    var entries: [JSONValue] = []
    for c in books.indices { match(c, world: &world, logging: logging, entries: &entries) }
    for c in books.indices { expire(c, world: &world) }
    if logging { log.append(.array(entries)) }
  }

  mutating func placeBid(_ c: Int, _ a: Int, price: Int, world: inout World) {
    guard canBid(c, a), world.inventory(a, .coin) >= Double(price) else { return }
    books[c].bids.append(Order(agent: Int32(a), price: Int32(price), lifetime: 0))
    bidHist[slot(c, a) * prices + price] += 1
    orderCount[slot(c, a)] += 1
    world.moveToEscrow(a, .coin, Double(price))
    world.labor[a] += orderLabor
  }

  mutating func placeAsk(_ c: Int, _ resource: Resource, _ a: Int, price: Int, world: inout World) {
    guard canAsk(c, a, world: world) else { return }
    books[c].asks.append(Order(agent: Int32(a), price: Int32(price), lifetime: 0))
    askHist[slot(c, a) * prices + price] += 1
    orderCount[slot(c, a)] += 1
    world.moveToEscrow(a, resource, 1)
    world.labor[a] += orderLabor
  }

  mutating func match(_ c: Int, world: inout World, logging: Bool, entries: inout [JSONValue]) {
    let resource = Resource.collectible[c]
    books[c].sortForMatching()
    for i in excluded.indices { excluded[i] = false }
    while let (bid, ask) = books[c].nextMatch(excluded: &excluded) {
      let price = bid.lifetime <= ask.lifetime ? ask.price : bid.price
      let buyer = Int(bid.agent)
      let seller = Int(ask.agent)
      bidHist[slot(c, buyer) * prices + Int(bid.price)] -= 1
      askHist[slot(c, seller) * prices + Int(ask.price)] -= 1
      orderCount[slot(c, seller)] -= 1
      orderCount[slot(c, buyer)] -= 1
      priceHistory[slot(c, seller) * prices + Int(price)] += 1
      world.escrow[seller * Resource.count + resource.rawValue] -= 1
      world.addInventory(buyer, resource, 1)
      world.escrow[buyer * Resource.count + Resource.coin.rawValue] -= Double(bid.price)
      world.addInventory(seller, .coin, Double(price))
      world.addInventory(buyer, .coin, Double(bid.price - price))
      recordStats(c, seller: seller, buyer: buyer, price: Double(price))
      if logging {
        let t = Trade(
          commodity: resource, buyer: bid.agent, bid: bid.price, bidLifetime: bid.lifetime, seller: ask.agent,
          ask: ask.price, askLifetime: ask.lifetime, price: price)
        entries.append(ContinuousDoubleAuction.logEntry(t))
      }
    }
  }

  mutating func recordStats(_ c: Int, seller: Int, buyer: Int, price: Double) {
    tradeCount += 1
    let commodities = Resource.collectible.count
    let s = ((seller * commodities + c) * 2 + 0) * 2
    let b = ((buyer * commodities + c) * 2 + 1) * 2
    tradeStats[s] += 1
    tradeStats[s + 1] += price
    tradeStats[b] += 1
    tradeStats[b + 1] += price
  }

  static func logEntry(_ t: Trade) -> JSONValue {
    let p = JSONValue.int(Int64(t.price))
    return .object([
      "commodity": .string(t.commodity.name), "buyer": .int(Int64(t.buyer)), "bid": .int(Int64(t.bid)),
      "bid_lifetime": .int(Int64(t.bidLifetime)), "seller": .int(Int64(t.seller)), "ask": .int(Int64(t.ask)),
      "ask_lifetime": .int(Int64(t.askLifetime)), "price": p, "cost": p, "income": p,
    ])
  }

  mutating func expire(_ c: Int, world: inout World) {
    let resource = Resource.collectible[c]
    let limit = Int32(orderDuration)
    var kept = 0
    for i in books[c].bids.indices {
      var o = books[c].bids[i]
      o.lifetime += 1
      if o.lifetime <= limit {
        books[c].bids[kept] = o
        kept += 1
      } else {
        let a = Int(o.agent)
        world.releaseEscrow(a, .coin, Double(o.price))
        bidHist[slot(c, a) * prices + Int(o.price)] -= 1
        orderCount[slot(c, a)] -= 1
      }
    }
    books[c].bids.removeLast(books[c].bids.count - kept)
    kept = 0
    for i in books[c].asks.indices {
      var o = books[c].asks[i]
      o.lifetime += 1
      if o.lifetime <= limit {
        books[c].asks[kept] = o
        kept += 1
      } else {
        let a = Int(o.agent)
        world.releaseEscrow(a, resource, 1)
        askHist[slot(c, a) * prices + Int(o.price)] -= 1
        orderCount[slot(c, a)] -= 1
      }
    }
    books[c].asks.removeLast(books[c].asks.count - kept)
  }

  /// Writes this component's observation fields.
  public func writeObservations(world: World, into out: inout ObservationWriter) {
    let n = agentCount
    for c in obs.indices {
      let f = obs[c]
      var weighted = 0.0
      var total = 0.0
      for p in 0..<prices {
        var h = 0.0
        var asks: Int32 = 0
        var bids: Int32 = 0
        for a in 0..<n {
          let k = slot(c, a) * prices + p
          h += priceHistory[k]
          asks += askHist[k]
          bids += bidHist[k]
        }
        weighted += Double(p) * h
        total += h
        out.setPlanner(f.plannerPriceHistory, element: p, h * inventoryScale)
        out.setPlanner(f.fullAsks, element: p, Double(asks))
        out.setPlanner(f.fullBids, element: p, Double(bids))
        for a in 0..<n {
          let k = slot(c, a) * prices + p
          out.set(f.priceHistory, agent: a, element: p, h * inventoryScale)
          out.set(f.availableAsks, agent: a, element: p, Double(asks - askHist[k]))
          out.set(f.availableBids, agent: a, element: p, Double(bids - bidHist[k]))
          out.set(f.myAsks, agent: a, element: p, Double(askHist[k]))
          out.set(f.myBids, agent: a, element: p, Double(bidHist[k]))
        }
      }
      let rate = weighted / max(0.001, total)
      out.setPlanner(f.plannerMarketRate, rate)
      for a in 0..<n { out.set(f.marketRate, agent: a, rate) }
    }
  }

  /// Writes this component's action masks.
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {
    for a in 0..<agentCount {
      let coin = world.inventory(a, .coin)
      for c in buy.indices {
        out.setAll(sell[c], agent: a, count: prices, canAsk(c, a, world: world))
        if canBid(c, a) {
          for p in 0..<prices { out.set(buy[c], agent: a, index: p, Double(p) <= coin) }
        } else {
          out.setAll(buy[c], agent: a, count: prices, false)
        }
      }
    }
  }

  /// Appends the episode metrics, keys without the shorthand prefix.
  public func metrics(world: World, into out: inout [(key: String, value: Double)]) {
    let commodities = Resource.collectible.count
    for a in 0..<agentCount {
      for (c, resource) in Resource.collectible.enumerated() {
        for (side, prefix) in ["Sell", "Buy"].enumerated() {
          let k = ((a * commodities + c) * 2 + side) * 2
          let count = tradeStats[k]
          let mean = count > 0 ? tradeStats[k + 1] / count : Double.nan
          let base = "\(a)/\(prefix)\(resource.name)"
          out.append(("\(base)/price", mean))
          out.append(("\(base)/cost", mean))
          out.append(("\(base)/income", mean))
          out.append(("\(base)/n_sales", count))
        }
      }
    }
    out.append(("n_trades", Double(tradeCount)))
  }

  /// This episode's dense-log entries, one per step.
  public var denseLog: [JSONValue]? { log }
}
