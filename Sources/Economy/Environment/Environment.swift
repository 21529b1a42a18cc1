import Foundation

/// One economy: a scenario, its components, and the state, observations, masks and rewards they
/// produce each step.
///
/// Usage: ``reset(seed:forceDenseLog:)``, then repeatedly fill ``actions`` and call ``step()``
/// until ``isDone``. Observations, masks and rewards are written into preallocated buffers
/// (``observations``, ``rewards``); the step allocates nothing unless a dense log is kept.
///
/// Step order (Foundation's): the pre-step state is logged; the timestep advances; components
/// step in config order; resources regrow; observations and masks are written; rewards are the
/// change of each agent's utility and of the planner's social welfare.
public struct Environment: Sendable {
  /// The configuration the environment was built from.
  public let config: EnvironmentConfig
  /// The world state.
  public internal(set) var world: World
  /// The components, in step order.
  public internal(set) var components: [any Component]
  var scenario: any Scenario
  /// The environment's random number generator.
  public internal(set) var rng: EconomyRNG
  /// Completed episodes of this environment.
  public internal(set) var completions = 0
  /// Where observation fields live.
  public let observationLayout: ObservationLayout
  /// Action spaces and mask layout.
  public let actionLayout: ActionLayout
  /// Observations and masks after the last reset or step.
  public internal(set) var observations: ObservationBuffers
  /// Rewards of the last step: mobile agents in order, then the planner.
  public internal(set) var rewards: [Double]
  /// The actions the next ``step()`` applies; cleared to NO-OP after each step.
  public var actions: ActionBuffer
  /// Actions that were forbidden by the mask and acted as NO-OP this episode: mobile agents in
  /// order, then the planner.
  public internal(set) var maskedActionCounts: [Int]
  /// Whether the episode has reached its length.
  public internal(set) var isDone = false
  /// Whether the current episode keeps a dense log.
  public internal(set) var isRecording = false
  /// The last finished episode's metrics and dense log.
  public internal(set) var lastEpisode: EpisodeSummary?
  let inventoryScale: Double
  var recorder = DenseLogRecorder()
  /// Whether ``step()`` keeps this episode's actions, and resets keep what the episode started
  /// from, so that ``episodeProgress`` can rebuild the episode (the vectorized envs of training
  /// turn it on for checkpoints).
  public var tracksEpisodes = false
  /// What the current episode started from (kept while ``tracksEpisodes``).
  var episodeStart = EpisodeStart()
  /// The current episode's actions, step after step (kept while ``tracksEpisodes``).
  var episodeActions: [Int32] = []
  var resetTotals: [Double] = [0, 0, 0]

  /// Number of mobile agents.
  public var agentCount: Int { world.agentCount }
  /// The components' names, in order.
  public var componentNames: [String] { components.map { type(of: $0).name } }

  /// The component of type `type`, if the config lists it (Foundation's `get_component`).
  public func component<C: Component>(_ type: C.Type) -> C? {
    components.lazy.compactMap { $0 as? C }.first
  }

  /// Builds an environment.
  ///
  /// - Throws: ``ConfigError`` listing every problem: unknown components or parameters (with
  ///   suggestions), wrong types or ranges, layout problems, inconsistent settings.
  public init(config: EnvironmentConfig, registry: ComponentRegistry = .builtIn) throws(ConfigError) {
    try self.init(config: config, registry: registry, earlierIssues: [])
  }

  init(config: EnvironmentConfig, registry: ComponentRegistry, earlierIssues: [ConfigIssue]) throws(ConfigError) {
    self.config = config
    // An env section that is not a mapping has nothing more to check.
    if (try? config.envNode.mapping()) == nil && !earlierIssues.isEmpty { throw ConfigError(issues: earlierIssues) }
    var issues = earlierIssues
    var world = World(height: config.height, width: config.width, agentCount: config.agentCount)
    inventoryScale = config.allowObservationScaling ? 0.01 : 1
    var setup = ComponentSetup(
      agentCount: config.agentCount, episodeLength: config.episodeLength, inventoryScale: inventoryScale,
      allComponents: config.components.map { registry.type(named: $0.name)?.name ?? $0.name })
    let built = Environment.buildComponents(config, registry, &setup, &world, &issues)
    if config.scenario == .oneStepEconomy {
      issues += OneStepEconomyScenario.check(config: config, setup: setup)
      if !issues.isEmpty { throw ConfigError(issues: issues) }
      scenario = OneStepEconomyScenario(params: config.parameters.oneStep, setup: &setup, world: &world)
    } else {
      let (layout, scenarioIssues) = WoodAndStoneScenario.checkedLayout(config: config, setup: setup, world: world)
      issues += scenarioIssues
      if !issues.isEmpty { throw ConfigError(issues: issues) }
      scenario = WoodAndStoneScenario(
        kind: config.scenario, params: config.parameters, layout: layout, setup: &setup, world: &world)
    }
    components = built
    self.world = world
    observationLayout = ObservationLayout(
      fields: setup.fields, mobileMapShape: scenario.mobileMapShape, mobileIndexShape: scenario.mobileIndexShape,
      plannerMapShape: scenario.plannerMapShape, channelNames: scenario.channels.map(\.name))
    actionLayout = ActionLayout(
      mobile: setup.mobileActions, planner: setup.plannerActions, multiMobile: config.multiActionModeAgents,
      multiPlanner: config.multiActionModePlanner, mobileMaskDictOrder: setup.mobileMaskOrder,
      plannerMaskDictOrder: setup.plannerMaskOrder)
    observations = ObservationBuffers(agents: config.agentCount, layout: observationLayout, actions: actionLayout)
    actions = ActionBuffer(agents: config.agentCount, layout: actionLayout)
    rewards = [Double](repeating: 0, count: config.agentCount + 1)
    maskedActionCounts = [Int](repeating: 0, count: config.agentCount + 1)
    rng = EconomyRNG(seed: config.seed ?? 0)
    if config.denseLogFrequency != nil, let problem = denseLogMemoryProblem(logs: 1, for: "an episode") {
      let node = (try? config.envNode.mapping())?.first { $0.key == "dense_log_frequency" }?.node ?? config.envNode
      throw ConfigError(node.issue(problem))
    }
  }

  /// Builds the config's components in order, each reading its parameters and declaring its
  /// actions, observations, state fields and requirements into `setup`; unknown or repeated
  /// components and parameter problems go to `issues`.
  private static func buildComponents(
    _ config: EnvironmentConfig, _ registry: ComponentRegistry, _ setup: inout ComponentSetup, _ world: inout World,
    _ issues: inout [ConfigIssue]
  ) -> [any Component] {
    var built: [any Component] = []
    for entry in config.components {
      guard let type = registry.type(named: entry.name) else {
        issues.append(ConfigIssue(location: entry.location, message: registry.unknownMessage(entry.name)))
        continue
      }
      if built.contains(where: { Swift.type(of: $0).name == type.name }) {
        issues.append(ConfigIssue(location: entry.location, message: "component '\(type.name)' is listed twice"))
        continue
      }
      var reader = entry.params.map { ParameterReader($0) } ?? ParameterReader.empty(at: entry.location)
      setup.componentName = type.name
      built.append(type.init(params: &reader, setup: &setup, world: &world))
      reader.finish(context: type.name)
      issues += reader.issues
      setup.precedingComponents.append(type.name)
      setup.requiredEntities.formUnion(type.requiredEntities)
    }
    return built
  }

  /// Builds the environment of a config file.
  ///
  /// Problems in the env section and in components, layout and settings are reported together.
  public init(configFile path: String, registry: ComponentRegistry = .builtIn) throws(ConfigError) {
    let (config, issues) = EnvironmentConfig.loadCollectingIssues(path: path)
    guard let config else { throw ConfigError(issues: issues) }
    try self.init(config: config, registry: registry, earlierIssues: issues)
  }
}

/// What an episode produced.
public struct EpisodeSummary: Sendable {
  /// Episode metrics in Foundation's key order (`social/productivity`, …, then each component's
  /// metrics prefixed with its shorthand).
  public let metrics: [(key: String, value: Double)]
  /// The dense log, if the episode kept one.
  public let denseLog: DenseLogRecording?

  /// The value of a metric.
  public func metric(_ key: String) -> Double? { metrics.first { $0.key == key }?.value }
}
