/// What a scenario contributes to an environment (Foundation's `BaseEnvironment` subclass
/// methods): the map and agents at reset, its own dynamics each step, its observations, the
/// rewards, and its episode metrics.
///
/// The environment calls, in Foundation's order: ``resetMap(world:rng:)``,
/// ``resetAgents(world:rng:)``, the components' resets, ``finishReset(world:rng:completions:)``;
/// each step the components step, then ``step(world:rng:)``, the observations are written and
/// ``computeRewards(world:completions:into:)`` turns the change of each agent's utility and of
/// the planner's welfare into rewards.
protocol Scenario: Sendable {
  /// The map layers visible in observations and kept in dense logs, in channel order (empty for
  /// a scenario without a map).
  var channels: [MapLayer] { get }
  /// The resources agents hold, in Foundation's inventory key order.
  var resources: [Resource] { get }
  /// Shape of one mobile agent's `world-map`, or nil when mobile agents see no map.
  var mobileMapShape: [Int]? { get }
  /// Shape of the planner's `world-map`, or nil when the planner sees no map.
  var plannerMapShape: [Int]? { get }
  /// Whether agents stand on the map (false: they stay at `[-1, -1]`, as in Foundation's
  /// one-step economy).
  var placesAgents: Bool { get }
  /// The automatic energy warm-up counter (steps whose mean agent reward was positive).
  var autoWarmupIntegrator: Int { get set }
  /// The utility of each agent, then the planner's welfare, after the last step (Foundation's
  /// `curr_optimization_metric`).
  var currentMetric: [Double] { get }

  /// Lays out the map of a new episode.
  mutating func resetMap(world: inout World, rng: inout EconomyRNG)
  /// Resets the agents' holdings and places them.
  mutating func resetAgents(world: inout World, rng: inout EconomyRNG)
  /// Reset steps after the components' resets (Foundation's `additional_reset_steps`).
  mutating func finishReset(world: inout World, rng: inout EconomyRNG, completions: Int)
  /// The scenario's own dynamics after the components stepped (Foundation's `scenario_step`).
  mutating func step(world: inout World, rng: inout EconomyRNG)
  /// Writes each agent's and the planner's reward: the change of its metric since the last step.
  mutating func computeRewards(world: World, completions: Int, into rewards: inout [Double])
  /// The scenario's episode metrics, in Foundation's order.
  func metrics(world: World, completions: Int) -> [(key: String, value: Double)]
  /// Writes the scenario's non-spatial observation fields.
  func writeObservations(world: World, time: Double, scale: Double, into out: inout ObservationWriter)
  /// Writes the map observations.
  func writeSpatial(world: World, into obs: inout ObservationBuffers, layout: ObservationLayout)
}

extension Scenario {
  /// Shape of one mobile agent's `world-idx_map`, or nil without a map.
  var mobileIndexShape: [Int]? { mobileMapShape.map { [2, $0[1], $0[2]] } }
}
