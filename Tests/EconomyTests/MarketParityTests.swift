import Basics
import Testing

@testable import Economy

@Suite("The continuous double auction matches Foundation's demos")
struct MarketParityTests {
  static let demos = Facts.value("cda", "demos")

  /// The tutorial environment with the agents on plain tiles (nothing to collect), 10 coin and 5
  /// stone each, as in Foundation's demos, and a dense log.
  static func market() throws -> Environment {
    var env = try tutorialEnvironment(seed: 7)
    env.reset(seed: 7, forceDenseLog: true)
    try env.place([(7, 2), (7, 6), (7, 10), (7, 14)])
    for a in 0..<4 { env.setHoldings(a, coin: 10, stone: 5) }
    return env
  }

  @Test func askThreeThenBidSeven() throws {
    var env = try Self.market()
    let demo = Self.demos["ask3_then_bid7"]
    try env.step([0: SingleAction.sellStone(3)])
    #expect(env.lastTrades.isEmpty)
    expectHoldings(env, demo?["after_ask"] ?? .null, "after the ask")
    try env.step([1: SingleAction.buyStone(7)])
    expectTrades(env.lastTrades, demo?["trade"])
    expectHoldings(env, demo?["after"] ?? .null, "after the trade")
    #expect(env.stoneBids.isEmpty && env.stoneAsks.isEmpty)
    // The trade is recorded under the seller at price 3: history 1 × 0.01, market rate 3.
    var history = [Double](repeating: 0, count: 11)
    history[3] = 0.01
    expectClose(env.mobileObservation(2, "ContinuousDoubleAuction-price_history-Stone"), history, tolerance: 1e-6)
    expectClose(env.plannerObservation("ContinuousDoubleAuction-market_rate-Stone"), [3], tolerance: 1e-6)
    // One order each: 0.25 labor.
    expectClose(env.world.labor[0], 0.25)
    expectClose(env.world.labor[1], 0.25)
  }

  @Test func bidSevenThenAskThree() throws {
    var env = try Self.market()
    let demo = Self.demos["bid7_then_ask3"]
    try env.step([1: SingleAction.buyStone(7)])
    expectHoldings(env, demo?["after_bid"] ?? .null, "after the bid")
    try env.step([0: SingleAction.sellStone(3)])
    expectTrades(env.lastTrades, demo?["trade"])
    expectHoldings(env, demo?["after"] ?? .null, "after the trade")
  }

  @Test func askThreeAndBidSevenInTheSameStep() throws {
    var env = try Self.market()
    let demo = Self.demos["same_step_ask3_bid7"]
    try env.step([0: SingleAction.sellStone(3), 1: SingleAction.buyStone(7)])
    expectTrades(env.lastTrades, demo?["trade"])
    expectHoldings(env, demo?["after"] ?? .null)
  }

  /// The highest bid trades first; the older, lower bid stays (lifetime 3 after three steps).
  @Test func highestBidTradesFirst() throws {
    var env = try Self.market()
    let demo = Self.demos["bids5(a1,older)_8(a2)_then_ask2(a0)"]
    try env.step([1: SingleAction.buyStone(5)])
    try env.step([2: SingleAction.buyStone(8)])
    try env.step([0: SingleAction.sellStone(2)])
    expectTrades(env.lastTrades, demo?["trade"])
    let remaining = demo?["remaining_bids"]?.arrayValue ?? []
    #expect(env.stoneBids.count == remaining.count)
    for (order, fact) in zip(env.stoneBids, remaining) {
      #expect(Int(order.agent) == fact["buyer"]?.intValue)
      #expect(Int(order.price) == fact["bid"]?.intValue)
      #expect(Int(order.lifetime) == fact["bid_lifetime"]?.intValue)
    }
  }

  /// Among equal bids the older one trades.
  @Test func olderOfEqualBidsTradesFirst() throws {
    var env = try Self.market()
    let demo = Self.demos["equal_bids6_a1_older_a2_newer_then_ask6"]
    try env.step([1: SingleAction.buyStone(6)])
    try env.step([2: SingleAction.buyStone(6)])
    try env.step([0: SingleAction.sellStone(6)])
    expectTrades(env.lastTrades, demo?["trade"])
    #expect(env.stoneBids.map(\.agent) == [2])
  }

  @Test func askAboveBidDoesNotTrade() throws {
    var env = try Self.market()
    let demo = Self.demos["ask6_bid5_no_trade"]
    try env.step([0: SingleAction.sellStone(6), 1: SingleAction.buyStone(5)])
    expectTrades(env.lastTrades, demo?["trades"])
    let bid = try #require(demo?["bids"]?[0])
    let ask = try #require(demo?["asks"]?[0])
    #expect(env.stoneBids == [Order(agent: 1, price: 5, lifetime: Int32(bid["bid_lifetime"]?.intValue ?? -1))])
    #expect(env.stoneAsks == [Order(agent: 0, price: 6, lifetime: Int32(ask["ask_lifetime"]?.intValue ?? -1))])
    // Order counts: own orders under my_*, everyone else's under available_*, all under full_*.
    var at5 = [Double](repeating: 0, count: 11)
    at5[5] = 1
    var at6 = [Double](repeating: 0, count: 11)
    at6[6] = 1
    let zero = [Double](repeating: 0, count: 11)
    expectClose(env.mobileObservation(0, "ContinuousDoubleAuction-my_asks-Stone"), at6)
    expectClose(env.mobileObservation(0, "ContinuousDoubleAuction-available_asks-Stone"), zero)
    expectClose(env.mobileObservation(0, "ContinuousDoubleAuction-available_bids-Stone"), at5)
    expectClose(env.mobileObservation(1, "ContinuousDoubleAuction-my_bids-Stone"), at5)
    expectClose(env.mobileObservation(1, "ContinuousDoubleAuction-available_asks-Stone"), at6)
    expectClose(env.mobileObservation(1, "ContinuousDoubleAuction-available_bids-Stone"), zero)
    expectClose(env.mobileObservation(3, "ContinuousDoubleAuction-available_asks-Stone"), at6)
    expectClose(env.plannerObservation("ContinuousDoubleAuction-full_asks-Stone"), at6)
    expectClose(env.plannerObservation("ContinuousDoubleAuction-full_bids-Stone"), at5)
    expectClose(env.plannerObservation("ContinuousDoubleAuction-full_bids-Wood"), zero)
  }

  @Test func selfTradesAreSkipped() throws {
    var env = try Self.market()
    let demo = Self.demos["self_ask2_then_self_bid9"]
    try env.step([0: SingleAction.sellStone(2)])
    try env.step([0: SingleAction.buyStone(9)])
    expectTrades(env.lastTrades, demo?["trades"])
    #expect(env.stoneBids.count + env.stoneAsks.count == demo?["n_orders_agent0"]?.intValue)
    #expect(env.component(ContinuousDoubleAuction.self)?.orderCount[0] == 2)
  }

  /// A bid placed in step 1 is open through step 50 and expires in step 51, returning its coin.
  @Test func ordersExpireAfterFiftySteps() throws {
    var env = try Self.market()
    let records = Self.demos["expiry_bid_placed_step1"]?.arrayValue ?? []
    var byStep: [Int: JSONValue] = [:]
    for r in records {
      if let t = r["after_step"]?.intValue { byStep[t] = r }
    }
    try env.step([1: SingleAction.buyStone(4)])
    for t in 2...52 {
      env.step()
      guard let record = byStep[t] else { continue }
      #expect(env.stoneBids.count == record["n_bids"]?.intValue, "after step \(t)")
      if let lifetime = record["bid_lifetime"]?.intValue { #expect(env.stoneBids.first?.lifetime == Int32(lifetime)) }
      expectClose(env.world.inventory(1, .coin), record["agent1_inv_coin"]?.doubleValue ?? .nan, "after step \(t)")
      expectClose(env.world.escrow(1, .coin), record["agent1_esc_coin"]?.doubleValue ?? .nan, "after step \(t)")
    }
    #expect(byStep.keys.sorted() == [49, 50, 51, 52])
    #expect(env.component(ContinuousDoubleAuction.self)?.orderCount[1] == 0)
    expectClose(env.mobileObservation(1, "ContinuousDoubleAuction-my_bids-Stone"), [Double](repeating: 0, count: 11))
  }

  /// `max_num_orders` counts bids and asks together, per commodity.
  @Test func maxNumOrdersCountsBidsAndAsks() throws {
    var env = try Self.market()
    let demo = try #require(Self.demos["max_num_orders"])
    for action in [
      SingleAction.buyStone(0), SingleAction.buyStone(0), SingleAction.buyStone(0), SingleAction.sellStone(10),
      SingleAction.sellStone(10),
    ] {
      try env.step([1: action])
    }
    #expect(env.stoneBids.count + env.stoneAsks.count == demo["n_orders_after_5"]?.intValue)
    let mask = env.mobileMaskVector(1)
    expectClose(Array(mask[MaskBlock.buyStone]), jsonNumbers(demo["agent1_mask_Buy_Stone_after_5"]))
    expectClose(Array(mask[MaskBlock.sellStone]), jsonNumbers(demo["agent1_mask_Sell_Stone_after_5"]))
    expectClose(Array(mask[MaskBlock.buyWood]), jsonNumbers(demo["agent1_mask_Buy_Wood_after_5"]))
    // The sixth attempt is masked: a NO-OP, no order, no labor.
    try env.step([1: SingleAction.buyStone(0)])
    #expect(env.stoneBids.count + env.stoneAsks.count == demo["n_orders_after_6th_attempt"]?.intValue)
    expectClose(env.world.labor[1], demo["labor_agent1"]?.doubleValue ?? .nan)
    #expect(env.maskedActionCounts[1] == 1)
    // The market itself refuses it too, whatever the mask says.
    var world = env.world
    var market = try #require(env.component(ContinuousDoubleAuction.self))
    market.placeBid(0, 1, price: 0, world: &world)
    market.placeAsk(0, .stone, 1, price: 10, world: &world)
    #expect(market.books[0].bids.count + market.books[0].asks.count == 5)
    expectClose(world.labor[1], 1.25)
    // Wood still has five free slots.
    market.placeBid(1, 1, price: 0, world: &world)
    #expect(market.books[1].bids.count == 1)
  }

  @Test func buyMaskFollowsInventoryCoin() throws {
    var env = try Self.market()
    env.setHoldings(0, coin: 3.5)
    expectClose(Array(env.mobileMaskVector(0)[MaskBlock.buyStone]), jsonNumbers(Self.demos["buy_mask_with_3.5_coin"]))
    expectClose(Array(env.mobileMaskVector(0)[MaskBlock.buyWood]), jsonNumbers(Self.demos["buy_mask_with_3.5_coin"]))
    // Coin in escrow does not count: a bid of 3 leaves 0.5 coin, so only price 0 stays open.
    try env.step([0: SingleAction.buyStone(3)])
    expectClose(Array(env.mobileMaskVector(0)[MaskBlock.buyStone]), [1] + [Double](repeating: 0, count: 10))
  }

  /// A buyer whose best bid only meets its own ask is passed over, and the next buyer trades
  /// (Foundation's `possible_match` loop).
  @Test func selfMatchDoesNotBlockOtherBuyers() throws {
    var env = try Self.market()
    try env.step([1: SingleAction.buyStone(5)])
    try env.step([0: SingleAction.buyStone(9)])
    try env.step([0: SingleAction.sellStone(2)])
    let trade = try #require(env.lastTrades.first)
    #expect(env.lastTrades.count == 1)
    #expect(trade["buyer"]?.intValue == 1 && trade["seller"]?.intValue == 0)
    #expect(trade["bid_lifetime"]?.intValue == 2 && trade["ask_lifetime"]?.intValue == 0)
    #expect(trade["price"]?.intValue == 5, "the bid came first")
    #expect(env.stoneBids == [Order(agent: 0, price: 9, lifetime: 2)])
  }

  /// Equal bids of the same age keep their creation order (agents in index order; the sort is
  /// stable), so the lower index trades first.
  @Test func equalBidsOfTheSameAgeTradeInAgentOrder() throws {
    var env = try Self.market()
    try env.step([3: SingleAction.buyStone(6), 2: SingleAction.buyStone(6)])
    try env.step([0: SingleAction.sellStone(6)])
    #expect(env.lastTrades.map { $0["buyer"]?.intValue } == [2])
    try env.step([1: SingleAction.sellStone(4)])
    #expect(env.lastTrades.map { $0["buyer"]?.intValue } == [3])
    #expect(env.lastTrades.first?["price"]?.intValue == 6)
  }

  @Test func sellMaskNeedsTheResource() throws {
    var env = try Self.market()
    env.setHoldings(0, stone: 0)
    expectClose(Array(env.mobileMaskVector(0)[MaskBlock.sellStone]), jsonNumbers(Self.demos["sell_mask_with_0_stone"]))
    expectClose(Array(env.mobileMaskVector(0)[MaskBlock.sellWood]), jsonNumbers(Self.demos["sell_mask_with_0_stone"]))
    expectClose(Array(env.mobileMaskVector(1)[MaskBlock.sellStone]), [Double](repeating: 1, count: 11))
  }
}
