import Basics

/// Where one policy's agents live in the batch buffers of a vectorized environment.
///
/// Each agent row of the observation slab is the agent's observation `Dict` with every entry but
/// `action_mask` flattened and concatenated in key order (integers and float64 values stored as
/// `Float`); the mask slab holds the flattened mask (NO-OP entries included, 1 = allowed).
public struct PolicyBatchSpec: Sendable, Equatable {
  /// One observation entry's place in an agent row.
  public struct Field: Sendable, Equatable {
    /// The key; nested dict entries are written `outer/inner`, as `p0/world-loc-row`.
    public let key: String
    /// Offset in the row.
    public let offset: Int
    /// The entry's shape (`[]` for a scalar).
    public let shape: [Int]
    /// The element type of the entry's space.
    public let dtype: DType

    /// Number of values.
    public var count: Int { shape.reduce(1, *) }

    /// Creates a field.
    public init(key: String, offset: Int, shape: [Int], dtype: DType) {
      self.key = key
      self.offset = offset
      self.shape = shape
      self.dtype = dtype
    }
  }

  /// The policy id.
  public let policy: PolicyID
  /// The agent ids of one environment, in row order.
  public let agents: [String]
  /// The agents' observation space (a `Dict` with `action_mask`).
  public let observationSpace: Space
  /// The agents' action space (`Discrete` or `MultiDiscrete`).
  public let actionSpace: Space
  /// The observation entries in row order (everything but `action_mask`).
  public let fields: [Field]
  /// Length of the flattened mask.
  public let maskSize: Int

  /// Creates a spec.
  public init(
    policy: PolicyID, agents: [String], observationSpace: Space, actionSpace: Space, fields: [Field], maskSize: Int
  ) {
    self.policy = policy
    self.agents = agents
    self.observationSpace = observationSpace
    self.actionSpace = actionSpace
    self.fields = fields
    self.maskSize = maskSize
  }

  /// Values per agent row of the observation slab.
  public var observationSize: Int { fields.last.map { $0.offset + $0.count } ?? 0 }
  /// Action entries per agent: 1 for `Discrete`, the number of subspaces for `MultiDiscrete`.
  public var actionWidth: Int { actionSpace.flatCount }
  /// The field under `key`.
  public func field(_ key: String) -> Field? { fields.first { $0.key == key } }
}

/// The buffers of one policy for a vectorized step, written in place.
///
/// Each buffer is allocated once, with the batch, and never moves: its `pointer` stays valid as
/// long as the batch is alive, so another language (the Python binding's numpy views) can hold
/// it across steps. Copies of a batch share the buffers.
///
/// Shapes (row-major; E = environments, A = the policy's agents per environment):
/// - `observations`, `finalObservations`: `[E × A × observationSize]`
/// - `masks`: `[E × A × maskSize]`
/// - `actions`: `[E × A × actionWidth]` (read by the step)
/// - `rewards`, `maskedActions`: `[E × A]`
public struct PolicyBatch: Sendable {
  /// The layout.
  public let spec: PolicyBatchSpec
  /// Number of environments.
  public let envCount: Int
  /// Observations after the last reset or step (after an automatic reset: the new episode's
  /// first observation).
  public let observations: FixedBuffer<Float>
  /// Action masks matching `observations`.
  public let masks: FixedBuffer<Float>
  /// The actions the next step applies.
  public let actions: FixedBuffer<Int32>
  /// Rewards of the last step.
  public let rewards: FixedBuffer<Float>
  /// The last observation of an episode that ended in the last step (valid where the batch's
  /// `truncated` or `terminated` flag is set), for bootstrapping.
  public let finalObservations: FixedBuffer<Float>
  /// Actions of the last step that the mask forbade and that acted as NO-OP.
  public let maskedActions: FixedBuffer<Int32>

  /// Zeroed buffers for `envs` environments.
  public init(spec: PolicyBatchSpec, envs: Int) {
    self.spec = spec
    envCount = envs
    let rows = envs * spec.agents.count
    observations = FixedBuffer(count: rows * spec.observationSize)
    masks = FixedBuffer(count: rows * spec.maskSize)
    actions = FixedBuffer(count: rows * spec.actionWidth)
    rewards = FixedBuffer(count: rows)
    finalObservations = FixedBuffer(count: rows * spec.observationSize)
    maskedActions = FixedBuffer(count: rows)
  }

  /// Agent rows in the batch (`E × A`).
  public var rows: Int { envCount * spec.agents.count }
}

/// All policies' buffers plus per-environment episode flags, allocated once (see
/// ``PolicyBatch``: the addresses are stable for the batch's life).
public struct VectorBatch: Sendable {
  /// One entry per policy, in the environment's policy order.
  public let policies: [PolicyBatch]
  /// 1 where the environment's episode reached a terminal state in the last step, `[E]`.
  public let terminated: FixedBuffer<UInt8>
  /// 1 where the environment's episode hit its time limit in the last step, `[E]`.
  public let truncated: FixedBuffer<UInt8>

  /// Zeroed buffers for `envs` environments with the given policy layouts.
  public init(specs: [PolicyBatchSpec], envs: Int) {
    policies = specs.map { PolicyBatch(spec: $0, envs: envs) }
    terminated = FixedBuffer(count: envs)
    truncated = FixedBuffer(count: envs)
  }

  /// Number of environments.
  public var envCount: Int { terminated.count }

  /// A batch with new buffers holding the same values (a batch's copies otherwise share its
  /// buffers): to keep one step's results while the environment goes on.
  public func copy() -> VectorBatch {
    let copied = VectorBatch(specs: policies.map(\.spec), envs: envCount)
    for (from, to) in zip(policies, copied.policies) {
      for (source, target) in [
        (from.observations, to.observations), (from.masks, to.masks), (from.rewards, to.rewards),
        (from.finalObservations, to.finalObservations),
      ] {
        target.pointer.update(from: source.pointer, count: source.count)
      }
      to.actions.pointer.update(from: from.actions.pointer, count: from.actions.count)
      to.maskedActions.pointer.update(from: from.maskedActions.pointer, count: from.maskedActions.count)
    }
    copied.terminated.pointer.update(from: terminated.pointer, count: envCount)
    copied.truncated.pointer.update(from: truncated.pointer, count: envCount)
    return copied
  }

  /// The index of `policy` in ``policies``.
  public func index(of policy: PolicyID) -> Int? { policies.firstIndex { $0.spec.policy == policy } }
}

/// N environments stepped together, writing straight into a batch's buffers.
///
/// Episodes restart automatically: when an environment's episode ends in a step, its final
/// observation goes to `finalObservations`, its done flag is set, and `observations` holds the
/// first observation of its next episode.
public protocol VectorMultiAgentEnv: AnyObject {
  /// Number of environments.
  var envCount: Int { get }
  /// One layout per policy.
  var batchSpecs: [PolicyBatchSpec] { get }
  /// Resets every environment, seeding each from `seed`, and writes the first observations.
  func reset(seed: UInt64, into batch: VectorBatch)
  /// Applies `batch`'s actions to every environment and writes observations, masks, rewards and
  /// flags.
  ///
  /// - Throws: ``EnvError`` for an action outside its space (nothing is stepped then).
  func step(_ batch: VectorBatch) throws(EnvError)
}

extension VectorMultiAgentEnv {
  /// Fresh buffers for this environment.
  public func makeBatch() -> VectorBatch { VectorBatch(specs: batchSpecs, envs: envCount) }
}

/// A vectorized environment whose exact state can go into a checkpoint, so that a resumed
/// training run continues as an uninterrupted one would.
public protocol ResumableEnv: VectorMultiAgentEnv {
  /// Every environment's state, serialized.
  func savedState() -> [UInt8]
  /// Restores what ``savedState()`` returned and writes the current observations and masks into
  /// `batch` (rewards and flags zeroed).
  ///
  /// - Throws: ``EnvError/invalidState(_:)`` when the bytes do not fit this environment; nothing
  ///   is changed then.
  func restoreState(_ bytes: [UInt8], into batch: VectorBatch) throws(EnvError)
}
