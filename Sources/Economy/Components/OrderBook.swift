/// One open order in a ``OrderBook``.
public struct Order: Sendable, Equatable {
  /// The agent that placed the order.
  public var agent: Int32
  /// Limit price in coin (0 ...
  ///
  /// max_bid_ask).
  public var price: Int32
  /// Completed steps since the order was placed (0 in the step it is placed).
  public var lifetime: Int32
}

/// A trade executed by the market.
public struct Trade: Sendable, Equatable {
  /// Which commodity changed hands.
  public var commodity: Resource
  /// The buying agent.
  public var buyer: Int32
  /// The buyer's limit price.
  public var bid: Int32
  /// The bid's lifetime when it matched.
  public var bidLifetime: Int32
  /// The selling agent.
  public var seller: Int32
  /// The seller's limit price.
  public var ask: Int32
  /// The ask's lifetime when it matched.
  public var askLifetime: Int32
  /// The price paid: that of the order placed first (the ask's when both are new).
  public var price: Int32
}

/// The bids and asks for one commodity, in Foundation's book order.
///
/// Book order matters for ties: matching sorts bids by (price, lifetime) descending and asks by
/// price ascending then lifetime descending, stably, and the unmatched orders are kept in that
/// sorted order (as Foundation does), followed by orders placed later.
public struct OrderBook: Sendable {
  /// Open bids.
  public internal(set) var bids: [Order] = []
  /// Open asks.
  public internal(set) var asks: [Order] = []

  init(capacity: Int) {
    bids.reserveCapacity(capacity)
    asks.reserveCapacity(capacity)
  }

  /// Sorts the book for matching: bids by price then lifetime, both descending; asks by price
  /// ascending then lifetime descending.
  ///
  /// Stable (insertion sort: books hold at most
  /// agents × max_num_orders orders).
  ///
  /// - Complexity: O(n²) for n orders, no allocation.
  mutating func sortForMatching() {
    OrderBook.insertionSort(&bids) { a, b in a.price > b.price || (a.price == b.price && a.lifetime > b.lifetime) }
    OrderBook.insertionSort(&asks) { a, b in a.price < b.price || (a.price == b.price && a.lifetime > b.lifetime) }
  }

  private static func insertionSort(_ xs: inout [Order], by before: (Order, Order) -> Bool) {
    if xs.count < 2 { return }
    for i in 1..<xs.count {
      let x = xs[i]
      var j = i
      while j > 0 && before(x, xs[j - 1]) {
        xs[j] = xs[j - 1]
        j -= 1
      }
      xs[j] = x
    }
  }

  /// Finds the next trade in a sorted book and removes its two orders, or returns nil when no
  /// bid can be matched with an ask of another agent at a price it accepts.
  ///
  /// This follows Foundation's `match_orders` loop: scan bids best first; a buyer whose best
  /// remaining bid cannot meet the best ask from another agent is out for the rest of this
  /// matching round (`excluded`).
  ///
  /// - Complexity: O(bids + asks) per trade.
  mutating func nextMatch(excluded: inout [Bool]) -> (bid: Order, ask: Order)? {
    var ib = 0
    var ia = 0
    while ib < bids.count {
      let bid = bids[ib]
      if excluded[Int(bid.agent)] {
        ib += 1
        continue
      }
      if ia >= asks.count {
        excluded[Int(bid.agent)] = true
        ia = 0
        ib = 0
        continue
      }
      let ask = asks[ia]
      if ask.agent == bid.agent {
        ia += 1
        continue
      }
      if bid.price < ask.price {
        excluded[Int(bid.agent)] = true
        ia = 0
        ib = 0
        continue
      }
      bids.remove(at: ib)
      asks.remove(at: ia)
      return (bid, ask)
    }
    return nil
  }
}
