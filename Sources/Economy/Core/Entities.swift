/// The resources of the wood-and-stone economy, in Foundation's sorted order (`Coin`, `Stone`,
/// `Wood`), which is also the order of inventory observations and dense-log entries.
public enum Resource: Int, CaseIterable, Sendable, Hashable {
  case coin = 0
  case stone = 1
  case wood = 2

  /// Foundation's entity name.
  public var name: String {
    switch self {
    case .coin: "Coin"
    case .stone: "Stone"
    case .wood: "Wood"
    }
  }

  /// Whether agents can collect the resource from the map (Stone and Wood).
  public var isCollectible: Bool { self != .coin }

  /// The collectible resources in sorted order: the market's commodities.
  public static let collectible: [Resource] = [.stone, .wood]

  /// Number of resource kinds; inventories are `agent * count + resource`.
  public static let count = 3
}

/// The map layers of the world, in Foundation's channel order: collectible resources first
/// (sorted), then landmarks (sorted), then the source blocks.
///
/// Resource layers hold the resource's health (0 or 1 with the default max health); `house`
/// holds the house's health; `water` and the source blocks hold 1 where present.
public enum MapLayer: Int, CaseIterable, Sendable, Hashable {
  case stone = 0
  case wood = 1
  case house = 2
  case water = 3
  case stoneSource = 4
  case woodSource = 5

  /// Foundation's key for the layer in `maps.state_dict` and dense logs.
  public var name: String {
    switch self {
    case .stone: "Stone"
    case .wood: "Wood"
    case .house: "House"
    case .water: "Water"
    case .stoneSource: "StoneSourceBlock"
    case .woodSource: "WoodSourceBlock"
    }
  }

  /// The resource layer holding `resource`, or nil for coin.
  public static func resourceLayer(_ resource: Resource) -> MapLayer? {
    switch resource {
    case .stone: .stone
    case .wood: .wood
    case .coin: nil
    }
  }

  /// The source-block layer that regrows `resource`, or nil for coin.
  public static func sourceLayer(_ resource: Resource) -> MapLayer? {
    switch resource {
    case .stone: .stoneSource
    case .wood: .woodSource
    case .coin: nil
    }
  }

  /// Number of layers stored by every world.
  public static let count = 6
}

/// The endogenous quantities of mobile agents.
///
/// Foundation has exactly one: `Labor`.
public enum Endogenous: String, Sendable {
  case labor = "Labor"
}
