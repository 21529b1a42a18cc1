/// The largest values a config may give to amounts that an episode sums.
///
/// An episode adds up payments, coin and labor over up to millions of steps and several agents;
/// with these bounds every sum stays far below 2⁵³ (exact in a `Double`) and every metric finite,
/// where unbounded values (`starting_agent_coin: 1e308`) made productivity infinite or NaN.
public enum Limits {
  /// Coin amounts: payments, starting coin.
  public static let amount = 1e9
  /// Labor per action, and the energy cost that weighs labor.
  public static let labor = 1e6
}
