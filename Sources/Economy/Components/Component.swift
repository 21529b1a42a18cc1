import Basics

/// A building block of an economy: it declares actions, state, observations and masks for the
/// agents it applies to, and changes the world when it steps.
///
/// This is Foundation's component contract, made typed:
/// - Components step, observe and mask in the order the config lists them; that order is the
///   step order.
/// - Action 0 of every action subspace is NO-OP and is always legal; masks cover actions
///   `1...n`. A masked action acts as a NO-OP (the environment enforces this before calling
///   ``step(world:actions:rng:logging:)``); components still re-check the state they need,
///   because earlier components may have changed it within the step.
/// - All randomness comes from the `rng` argument.
///
/// To add a component, conform a type to `Component` and pass it to ``ComponentRegistry`` with
/// the built-in ones; configs can then name it.
public protocol Component: Sendable {
  /// Foundation's name, used in config files (e.g. `ContinuousDoubleAuction`).
  static var name: String { get }
  /// The short name used as the prefix of metrics and as the dense-log key (e.g. `Trade`).
  static var shorthand: String { get }
  /// The parameter names the component accepts, for "did you mean" suggestions.
  static var parameterNames: [String] { get }
  /// What the component needs in the world (Foundation's `required_entities`): the scenario adds
  /// the map layers they need (the `House` layer when any component requires houses).
  static var requiredEntities: [Entity] { get }

  /// Reads parameters and registers actions, state fields and observation fields.
  ///
  /// Invalid parameters are recorded in `params.issues` (and the component is built with
  /// defaults so that reading can continue and all problems are reported together).
  init(params: inout ParameterReader, setup: inout ComponentSetup, world: inout World)

  /// Resets the component's state at the start of an episode (Foundation's
  /// `additional_reset_steps`); called in component order after the scenario reset the map and
  /// the agents.
  mutating func reset(world: inout World, rng: inout EconomyRNG, completions: Int)

  /// Applies this step's actions.
  ///
  /// - Parameters:
  ///   - world: the world to change.
  ///   - actions: this step's actions (masked ones are already NO-OP).
  ///   - rng: the environment's generator.
  ///   - logging: whether the episode keeps a dense log; when true the component appends exactly
  ///     one entry to its ``denseLog`` for this step.
  mutating func step(world: inout World, actions: ActionReader, rng: inout EconomyRNG, logging: Bool)

  /// Writes the component's observation fields for every agent.
  func writeObservations(world: World, into out: inout ObservationWriter)

  /// Writes the component's action masks. `completions` is the number of finished episodes of
  /// this environment (used by annealing schedules).
  mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter)

  /// Appends the component's episode metrics (keys without the shorthand prefix).
  func metrics(world: World, into out: inout [(key: String, value: Double)])

  /// The component's dense-log entries of this episode, one per step, or nil if the component
  /// keeps no dense log.
  var denseLog: [JSONValue]? { get }

  /// The state this component carries from one episode into the next, or nil when it keeps
  /// none (everything is rebuilt by ``reset(world:rng:completions:)``).
  ///
  /// Checkpoints store it as of each episode's start so that a resumed run rebuilds the current
  /// episode exactly. A component that keeps anything across episodes (an estimator's samples,
  /// a running average) must return it here and restore it in ``restoreCarryOver(_:)``.
  func carryOver() -> JSONValue?

  /// Restores what ``carryOver()`` returned, before the episode's reset.
  ///
  /// - Throws: ``ResumeError`` when `state` is not what ``carryOver()`` writes.
  mutating func restoreCarryOver(_ state: JSONValue) throws(ResumeError)
}

extension Component {
  /// Default: nothing beyond the agents' coin and labor, which every world has.
  public static var requiredEntities: [Entity] { [] }
  /// Default: no metrics.
  public func metrics(world: World, into out: inout [(key: String, value: Double)]) {}
  /// Default: no observations.
  public func writeObservations(world: World, into out: inout ObservationWriter) {}
  /// Default: every action allowed (masks start at 1).
  public mutating func writeMasks(world: World, completions: Int, into out: inout MaskWriter) {}
  /// Default: nothing is kept across episodes.
  public func carryOver() -> JSONValue? { nil }
  /// Default: accepts only `null`, as nothing is kept across episodes.
  public mutating func restoreCarryOver(_ state: JSONValue) throws(ResumeError) {
    guard state == .null else {
      throw ResumeError("component '\(Self.name)' keeps no state across episodes, but the checkpoint has some")
    }
  }
}

/// The things a world can hold, by Foundation's entity names: resources, landmarks and
/// endogenous quantities.
public enum Entity: String, Sendable, CaseIterable {
  /// A collectible resource.
  case wood = "Wood"
  /// A collectible resource.
  case stone = "Stone"
  /// Money.
  case coin = "Coin"
  /// A landmark agents build; its map layer exists only when a component requires it.
  case house = "House"
  /// Effort spent, the cost side of agents' utility.
  case labor = "Labor"
}

/// The skills a component draws for agents, declared for the parts that place agents by skill
/// (the scenario's `fixed_four_skill_and_loc` ranks Build's payments).
public struct SkillModel: Sendable, Equatable {
  /// How skills are drawn.
  public var distribution: SkillDistribution
  /// Base coin paid per unit of work.
  public var payment: Double
  /// Upper bound of the skill multiplier.
  public var maxSkillMultiplier: Double

  /// A skill model.
  public init(distribution: SkillDistribution, payment: Double, maxSkillMultiplier: Double) {
    self.distribution = distribution
    self.payment = payment
    self.maxSkillMultiplier = maxSkillMultiplier
  }
}

/// Who an observation field belongs to.
public enum ObservationOwner: Sendable, Hashable {
  /// Each mobile agent's own observation.
  case mobile
  /// The planner's observation.
  case planner
  /// The planner's per-agent entries `p<i>`, one per mobile agent.
  case plannerPerAgent
}

/// A handle to an action subspace registered by a component.
public struct ActionSubspace: Sendable, Hashable {
  /// Position among all subspaces of the role, in registration (= component) order.
  public let index: Int
  /// Whether the subspace belongs to the planner.
  public let isPlanner: Bool
}

/// A handle to a non-spatial observation field registered by a component.
public struct ObservationField: Sendable, Hashable {
  /// Position in the environment's field table.
  public let index: Int
}

/// A declared action subspace.
public struct ActionSubspaceSpec: Sendable, Equatable {
  /// Foundation's subspace name: the component name, or `Component.sub` for named subspaces.
  public let name: String
  /// Number of actions excluding NO-OP.
  public let count: Int
}

/// A declared observation field.
public struct ObservationFieldSpec: Sendable, Equatable {
  /// Foundation's full key, e.g.
  ///
  /// `ContinuousDoubleAuction-market_rate-Stone`.
  public let key: String
  /// Number of values (1 for scalars).
  public let size: Int
  /// Whether Foundation presents the value as a scalar (shape `[]`) rather than a vector.
  public let isScalar: Bool
  /// Whose observation it belongs to.
  public let owner: ObservationOwner
}

/// What a component may know and declare while it is being built.
public struct ComponentSetup: Sendable {
  /// Number of mobile agents.
  public let agentCount: Int
  /// Steps per episode.
  public let episodeLength: Int
  /// Scale applied to inventory-like observations (0.01 with observation scaling, else 1).
  public let inventoryScale: Double
  /// The component's name (prefix of its observation keys and action subspaces).
  public var componentName: String = ""

  /// Mobile agents' action subspaces declared so far.
  public internal(set) var mobileActions: [ActionSubspaceSpec] = []
  /// The planner's action subspaces declared so far.
  public internal(set) var plannerActions: [ActionSubspaceSpec] = []
  /// Observation fields declared so far.
  public internal(set) var fields: [ObservationFieldSpec] = []
  /// Names of components configured before this one.
  public internal(set) var precedingComponents: [String] = []
  /// Order of mobile subspaces in Foundation's unflattened mask dict (indices into
  /// ``mobileActions``); subspaces not reordered keep declaration order.
  public internal(set) var mobileMaskOrder: [Int] = []
  /// Order of planner subspaces in Foundation's unflattened mask dict.
  public internal(set) var plannerMaskOrder: [Int] = []
  /// Names of all configured components, in order.
  public let allComponents: [String]
  /// What the components built so far require (their ``Component/requiredEntities``).
  public internal(set) var requiredEntities: Set<Entity> = []
  /// The skill model a component declared, if any (see ``declareSkills(_:)``).
  public internal(set) var skills: SkillModel?

  init(agentCount: Int, episodeLength: Int, inventoryScale: Double, allComponents: [String]) {
    self.agentCount = agentCount
    self.episodeLength = episodeLength
    self.inventoryScale = inventoryScale
    self.allComponents = allComponents
  }

  /// Declares the skills this component draws, for the parts that rank agents by skill.
  ///
  /// One component per environment may declare skills; a second declaration replaces the first.
  public mutating func declareSkills(_ model: SkillModel) {
    skills = model
  }

  /// Declares an action subspace for mobile agents.
  ///
  /// `sub` names the subspace within the
  /// component (nil for a component with a single subspace).
  public mutating func addMobileActions(_ sub: String?, count: Int) -> ActionSubspace {
    mobileActions.append(ActionSubspaceSpec(name: subspaceName(sub), count: count))
    mobileMaskOrder.append(mobileActions.count - 1)
    return ActionSubspace(index: mobileActions.count - 1, isPlanner: false)
  }

  /// Declares an action subspace for the planner.
  public mutating func addPlannerActions(_ sub: String?, count: Int) -> ActionSubspace {
    plannerActions.append(ActionSubspaceSpec(name: subspaceName(sub), count: count))
    plannerMaskOrder.append(plannerActions.count - 1)
    return ActionSubspace(index: plannerActions.count - 1, isPlanner: true)
  }

  /// Sets the order of this component's subspaces in Foundation's unflattened mask dict.
  ///
  /// Use it when the mask dict (`flatten_masks: false`) lists them in another order than they
  /// were declared in (the action order). The flattened mask always follows the action order.
  ///
  /// - Precondition: `subspaces` are exactly this component's subspaces of one role.
  public mutating func setMaskDictOrder(_ subspaces: [ActionSubspace]) {
    guard let first = subspaces.first else { return }
    let mine = subspaces.map(\.index)
    if first.isPlanner {
      let start = plannerMaskOrder.count - mine.count
      precondition(
        start >= 0 && Set(plannerMaskOrder[start...]) == Set(mine), "setMaskDictOrder: not this component's subspaces")
      plannerMaskOrder.replaceSubrange(start..., with: mine)
    } else {
      let start = mobileMaskOrder.count - mine.count
      precondition(
        start >= 0 && Set(mobileMaskOrder[start...]) == Set(mine), "setMaskDictOrder: not this component's subspaces")
      mobileMaskOrder.replaceSubrange(start..., with: mine)
    }
  }

  /// Declares an observation field; the key is prefixed `<ComponentName>-`.
  public mutating func addObservation(
    _ key: String, size: Int = 1, scalar: Bool? = nil, owner: ObservationOwner
  ) -> ObservationField {
    let full = componentName.isEmpty ? key : "\(componentName)-\(key)"
    fields.append(ObservationFieldSpec(key: full, size: size, isScalar: scalar ?? (size == 1), owner: owner))
    return ObservationField(index: fields.count - 1)
  }

  mutating func addScenarioObservation(_ key: String, size: Int = 1, scalar: Bool = true, owner: ObservationOwner)
    -> ObservationField
  {
    fields.append(ObservationFieldSpec(key: key, size: size, isScalar: scalar, owner: owner))
    return ObservationField(index: fields.count - 1)
  }

  private func subspaceName(_ sub: String?) -> String {
    guard let sub else { return componentName }
    return "\(componentName).\(sub)"
  }
}

/// Read access to the actions of the current step, by subspace.
///
/// Values are sub-actions:
/// 0 is NO-OP, `k` in `1...n` is the subspace's k-th action.
public struct ActionReader: Sendable {
  let mobile: [Int32]
  let mobileStride: Int
  let planner: [Int32]

  /// The sub-action of mobile agent `agent` in `subspace`.
  @inline(__always) public func mobile(_ agent: Int, _ subspace: ActionSubspace) -> Int {
    Int(mobile[agent * mobileStride + subspace.index])
  }

  /// The planner's sub-action in `subspace`.
  @inline(__always) public func planner(_ subspace: ActionSubspace) -> Int {
    Int(planner[subspace.index])
  }
}
