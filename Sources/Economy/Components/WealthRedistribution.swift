import Basics

/// Equalises the agents' total coin every step (Foundation's `WealthRedistribution`).
///
/// Passive: no actions, observations, masks, metrics or dense log. Each step the total coin of
/// all agents, inventory plus escrow, is shared equally: each agent's inventory coin becomes
/// `total / n − its escrowed coin` (escrow is left alone, so an agent with much coin in escrow
/// can end with negative inventory coin, as in Foundation). Total coin is unchanged. List it
/// last, after the components that move coin.
public struct WealthRedistribution: Component {
  /// The name configs use for this component.
  public static let name = "WealthRedistribution"
  /// The prefix of its metrics and its dense-log key.
  public static let shorthand = "WealthRedistribution"
  /// It takes no parameters.
  public static let parameterNames: [String] = []
  /// Coin to redistribute.
  public static let requiredEntities: [Entity] = [.coin]

  /// Takes no parameters and declares nothing.
  public init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World) {}

  /// Nothing to reset.
  public mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int) {}

  /// Shares the agents' total coin equally.
  public mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool) {
    let n = world.agentCount
    var total = 0.0
    for a in 0..<n { total += world.inventory(a, .coin) + world.escrow(a, .coin) }
    let share = total / Double(n)
    for a in 0..<n {
      world.inventory[a * Resource.count + Resource.coin.rawValue] = share - world.escrow(a, .coin)
    }
  }

  /// WealthRedistribution keeps no dense log (as Foundation's).
  public var denseLog: [JSONValue]? { nil }
}
