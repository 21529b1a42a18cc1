import Basics
import Economy
import EnvContract

/// N independent economies stepped in parallel, writing observations, masks, rewards and done
/// flags straight into a caller-owned ``VectorBatch`` (one slab per policy).
///
/// Environment `i` is seeded at ``reset(seed:into:)`` with
/// `EconomyRNG.deriveSeed(seed, stream: i)` and continues its own stream across automatic
/// resets, so a vectorized run equals the same environments run one by one through
/// ``EconomyMultiAgentEnv`` with those seeds and the same actions, whatever the thread count.
/// A step allocates nothing (with dense logs off).
public final class EconomyVectorEnv: EpisodeReporting {
  /// Number of environments.
  public let envCount: Int
  /// One layout per policy, in the policy mapping's order.
  public let batchSpecs: [PolicyBatchSpec]
  /// Number of threads a step uses (the caller's included).
  public var threads: Int { pool.threads }
  /// Whether an environment whose episode ended restarts within the same step (true), or stays
  /// at its end until the next ``reset(seed:into:)`` (false: Foundation's single-env behaviour;
  /// its last observation is then in both `observations` and `finalObservations`).
  public let autoReset: Bool
  /// Whether the environments were reset (or restored) at least once: a step before that is an
  /// error, not a trap.
  private var started = false
  /// Completed episodes over all environments.
  public private(set) var completedEpisodes = 0

  // Storage allocated once in init and freed in deinit; a step works on it through `context`
  // (plain pointers, no reference counting or closures inside a step).
  private let envs: UnsafeMutableBufferPointer<Environment>
  private let samplers: UnsafeMutableBufferPointer<RandomActions>
  /// Each environment's episode that ended in the current step (nil otherwise).
  private let endedEpisodes: UnsafeMutableBufferPointer<EpisodeSummary?>
  private let pool: WorkerPool
  /// Episodes finished since the last ``takeEpisodeRecords()``.
  private var pendingRecords: [EpisodeRecord] = []
  /// The leading environments that follow the config's `dense_log_frequency`; the others
  /// record nothing.
  private let denseLogEnvs: Int
  private let metricKeys: [String]
  /// The plan tables (one plan per policy, the row copy operations, each row's environment
  /// agent, action decoding and encoding), built once.
  private let tables: PlanTables
  /// The batch's buffers, one entry per policy, set from the batch at each call.
  private let batchPointers: UnsafeMutablePointer<PolicyPointers>

  /// What the hot loop needs to know of one policy.
  private struct PolicyPlan {
    var planner: Bool
    var multi: Bool
    /// The policy's row copy operations: `ops[opStart..<opStart + opCount]`.
    var opStart: Int
    var opCount: Int
    /// The policy's agents per environment, at `rowAgents[rowStart..<rowStart + rowsPerEnv]`.
    var rowStart: Int
    var rowsPerEnv: Int
    var width: Int
    var observationSize: Int
    var maskSize: Int
    var sizes: RowSizes
    var subspaces: Int
    var decodeStart: Int
    var encodeStart: Int
  }

  /// The plan tables, owned by the vector env.
  private struct PlanTables {
    let plans: FixedBuffer<PolicyPlan>
    let ops: FixedBuffer<CopyOp>
    /// Environment agent index of each row of each policy (mobile agents `0..<n`, the planner
    /// `n`).
    let rowAgents: FixedBuffer<Int>
    /// Single-action decoding, two entries per index: subspace and sub-action (mobile, then
    /// planner).
    let decode: FixedBuffer<Int32>
    /// Offset of each subspace's actions in the single-action index (mobile, then planner).
    let encodeBase: FixedBuffer<Int32>
  }

  /// Raw views of one policy's batch buffers.
  private struct PolicyPointers {
    var observations: UnsafeMutablePointer<Float>
    var masks: UnsafeMutablePointer<Float>
    var actions: UnsafeMutablePointer<Int32>
    var rewards: UnsafeMutablePointer<Float>
    var finalObservations: UnsafeMutablePointer<Float>
    var maskedActions: UnsafeMutablePointer<Int32>

    init(_ batch: PolicyBatch) {
      observations = batch.observations.pointer
      masks = batch.masks.pointer
      actions = batch.actions.pointer
      rewards = batch.rewards.pointer
      finalObservations = batch.finalObservations.pointer
      maskedActions = batch.maskedActions.pointer
    }
  }

  /// Builds `envs` copies of `environment`.
  ///
  /// - Parameters:
  ///   - environment: the economy to replicate.
  ///   - envs: number of environments.
  ///   - threads: threads per step (at most `envs` are useful).
  ///   - mapping: agent → policy; Foundation's by default. Every policy's agents must be all
  ///     mobile agents or the planner alone.
  ///   - keepDenseLogs: follow the config's `dense_log_frequency` (true) or keep no dense logs
  ///     (false, the default: training needs none and they allocate).
  ///   - denseLogEnvs: with `keepDenseLogs`, only the first this many environments record (nil:
  ///     all); Foundation's training script keeps those of envs 0–3.
  ///   - pool: threads to share with other work (a trainer's inference); replaces `threads`.
  ///   - autoReset: restart ended episodes within the step (see ``autoReset``).
  /// - Throws: ``EnvError/invalidSetup(_:)`` for a mapping that does not fit.
  public init(
    environment: Environment, envs: Int, threads: Int = 1, mapping: PolicyMapping? = nil, keepDenseLogs: Bool = false,
    denseLogEnvs: Int? = nil, pool: WorkerPool? = nil, autoReset: Bool = true
  ) throws(EnvError) {
    guard envs >= 1 else { throw .invalidSetup("a vectorized environment needs at least 1 environment, found \(envs)") }
    guard threads >= 1 else { throw .invalidSetup("threads must be at least 1, found \(threads)") }
    let single = EconomyMultiAgentEnv(environment: environment)
    let mapping = mapping ?? single.policyMapping
    let ids = single.agentIDs
    guard Set(mapping.assignments.map(\.agent)) == Set(ids) else {
      throw .invalidSetup(
        "the policy mapping must assign every agent of the environment (\(ids.joined(separator: ", "))) exactly once; found \(mapping.assignments.map(\.agent).joined(separator: ", "))"
      )
    }
    var specs: [PolicyBatchSpec] = []
    var plans: [PolicyPlan] = []
    var ops: [CopyOp] = []
    var rowAgents: [Int] = []
    let layout = environment.actionLayout
    var decode: [Int32] = [0, 0]
    for index in 1..<layout.mobileActionCount {
      let (k, v) = ActionLayout.decode(index, specs: layout.mobile) ?? (0, 0)
      decode += [Int32(k), Int32(v)]
    }
    let plannerDecodeStart = decode.count
    decode += [0, 0]
    for index in 1..<layout.plannerActionCount {
      let (k, v) = ActionLayout.decode(index, specs: layout.planner) ?? (0, 0)
      decode += [Int32(k), Int32(v)]
    }
    var encodeBase: [Int32] = []
    for specs in [layout.mobile, layout.planner] {
      var base: Int32 = 0
      for s in specs {
        encodeBase.append(base)
        base += Int32(s.count)
      }
    }
    for policy in mapping.policies {
      let agents = mapping.agents(of: policy)
      let indices = agents.compactMap { single.index(of: $0) }
      let planner = indices.contains(environment.agentCount)
      if planner && indices.count > 1 {
        throw .invalidSetup(
          "policy '\(policy)' maps the planner together with mobile agents (\(agents.joined(separator: ", "))); their spaces differ"
        )
      }
      let packing = single.packing(indices[0])
      let spec = PolicyBatchSpec(
        policy: policy, agents: agents, observationSpace: packing.observationSpace,
        actionSpace: packing.actionSpace, fields: packing.fields, maskSize: packing.maskSize)
      specs.append(spec)
      let newOps = packing.ops
      plans.append(
        PolicyPlan(
          planner: planner, multi: planner ? layout.multiActionPlanner : layout.multiActionMobile,
          opStart: ops.count, opCount: newOps.count, rowStart: rowAgents.count, rowsPerEnv: indices.count,
          width: spec.actionWidth, observationSize: spec.observationSize, maskSize: spec.maskSize,
          sizes: packing.rowSizes, subspaces: planner ? layout.planner.count : layout.mobile.count,
          decodeStart: planner ? plannerDecodeStart : 0, encodeStart: planner ? layout.mobile.count : 0))
      ops += newOps
      rowAgents += indices
    }
    tables = PlanTables(
      plans: FixedBuffer(plans), ops: FixedBuffer(ops), rowAgents: FixedBuffer(rowAgents),
      decode: FixedBuffer(decode), encodeBase: FixedBuffer(encodeBase))
    let logs = keepDenseLogs ? min(envs, max(0, denseLogEnvs ?? envs)) : 0
    if let problem = Self.memoryProblem(environment: environment, envs: envs, specs: specs, logs: logs) {
      throw .invalidSetup(problem)
    }
    batchSpecs = specs
    envCount = envs
    self.autoReset = autoReset
    var tracked = environment
    tracked.tracksEpisodes = true
    metricKeys = environment.metrics().map(\.key)
    self.envs = .allocate(capacity: envs)
    self.envs.initialize(repeating: tracked)
    samplers = .allocate(capacity: envs)
    samplers.initialize(repeating: RandomActions(seed: 0))
    endedEpisodes = .allocate(capacity: envs)
    endedEpisodes.initialize(repeating: nil)
    self.pool = pool ?? WorkerPool(threads: min(threads, envs))
    batchPointers = .allocate(capacity: specs.count)
    self.denseLogEnvs = logs
  }

  /// Why `envs` copies of `environment`, their batch rows and `logs` dense logs at once would
  /// pass the memory budget, or nil when they fit.
  static func memoryProblem(
    environment: Environment, envs: Int, specs: [PolicyBatchSpec], logs: Int,
    limit: (bytes: Double, source: String) = MemoryBudget.limit
  ) -> String? {
    let worlds = Double(envs) * environment.footprintBytes
    let rowFloats = specs.reduce(0) { $0 + $1.agents.count * ($1.observationSize + $1.maskSize + $1.actionWidth + 4) }
    let batches = 4 * Double(envs) * Double(rowFloats)
    let denseLogs = Double(logs) * environment.denseLogBytes
    let perEnv = MemoryBudget.size(worlds / Double(envs) + batches / Double(envs))
    return MemoryBudget.problem(
      bytes: worlds + batches + denseLogs, what: "\(envs) environments",
      detail: "\(perEnv) each with their batch rows"
        + (logs > 0 ? ", and \(logs) dense logs of \(MemoryBudget.size(environment.denseLogBytes)) each" : ""),
      advice: "use fewer environments" + (logs > 0 ? ", a shorter episode_length or no dense logs" : ""), limit: limit)
  }

  deinit {
    envs.deinitialize().deallocate()
    samplers.deinitialize().deallocate()
    endedEpisodes.deinitialize().deallocate()
    batchPointers.deallocate()
  }

  /// Builds `envs` environments from a config.
  ///
  /// - Throws: ``ConfigError`` for config problems, ``EnvError`` for a mapping that does not fit.
  public convenience init(
    config: EnvironmentConfig, registry: ComponentRegistry = .builtIn, envs: Int, threads: Int = 1,
    mapping: PolicyMapping? = nil
  ) throws {
    try self.init(
      environment: try Environment(config: config, registry: registry), envs: envs, threads: threads, mapping: mapping)
  }

  /// The episodes finished since the last call, in step order and environment order.
  ///
  /// Records are kept until taken: callers that step for long (trainers, the C API, the
  /// benchmark) take them regularly, as short episodes end often (the one-step economy's every
  /// two steps).
  public func takeEpisodeRecords() -> [EpisodeRecord] {
    defer { pendingRecords.removeAll(keepingCapacity: true) }
    return pendingRecords
  }

  /// The keys of the episode metrics (scenario's, then each component's).
  public var episodeMetricKeys: [String] { metricKeys }

  /// A copy of environment `i`.
  public func environment(_ i: Int) -> Environment { envs[i] }

  /// Sets the curriculum counters of every environment (environment `i` gets
  /// `counters[i % counters.count]`); they take effect at the next reset.
  public func setCurriculumCounters(_ counters: [Environment.CurriculumCounters]) {
    guard !counters.isEmpty else { return }
    for i in envs.indices { envs[i].setCurriculumCounters(counters[i % counters.count]) }
  }

  // MARK: - Reset and step

  /// Resets every environment (environment `i` seeded with `deriveSeed(seed, stream: i)`; the
  /// random-action samplers of ``stepRandom(_:)`` are seeded from it too) and writes the first
  /// observations and masks; rewards and flags are zeroed.
  public func reset(seed: UInt64, into batch: VectorBatch) {
    reset(seeds: (0..<envCount).map { EconomyRNG.deriveSeed(seed, stream: UInt64($0)) }, into: batch)
  }

  /// Resets environment `i` with `seeds[i]` exactly, its random-action sampler seeded as
  /// ``EpisodeRunner/runRandomEpisode(_:seed:forceDenseLog:)`` seeds its own: a random episode
  /// of environment `i` is `economist simulate --seed seeds[i]`'s episode.
  ///
  /// - Parameters:
  ///   - seeds: one seed per environment.
  ///   - forceDenseLog: keep a dense log (true), keep none (false), or follow the config's
  ///     `dense_log_frequency` in the environments that record (nil).
  ///   - batch: receives the first observations and masks.
  public func reset(seeds: [UInt64], forceDenseLog: Bool? = nil, into batch: VectorBatch) {
    precondition(seeds.count == envCount, "one seed per environment")
    started = true
    for i in 0..<envCount {
      envs[i].reset(seed: seeds[i], forceDenseLog: i < denseLogEnvs ? forceDenseLog : false)
      samplers[i] = RandomActions(seed: EconomyRNG.deriveSeed(seeds[i], stream: EpisodeRunner.samplerStream))
    }
    writeFirstObservations(batch)
  }

  /// Pools every environment's local Saez samples, in environment order, and installs the pool
  /// as each one's global buffer, as Foundation's training script does across its workers after
  /// each iteration (`accumulate_and_broadcast_saez_buffers`).
  ///
  /// - Returns: The pool's size, or nil when no environment uses `tax_model: saez`.
  /// - Throws: ``EnvError/invalidState(_:)`` if an environment refuses the pool (a sample it
  ///   recorded itself is out of range: a bug, reported rather than trapped).
  @discardableResult
  public func poolSaezBuffers() throws(EnvError) -> Int? {
    var pool: [SaezEstimator.Sample] = []
    var users: [Int] = []
    for e in 0..<envCount {
      guard let local = envs[e].saezLocalBuffer else { continue }
      pool += local
      users.append(e)
    }
    guard !users.isEmpty else { return nil }
    for e in users {
      if let problem = envs[e].setSaezGlobalBuffer(pool) { throw .invalidState("environment \(e): \(problem)") }
    }
    return pool.count
  }

  /// Installs `samples` as environment `env`'s global Saez buffer (see
  /// ``Environment/setSaezGlobalBuffer(_:)``); returns why it cannot, or nil.
  public func setSaezGlobalBuffer(_ samples: [SaezEstimator.Sample], env: Int) -> String? {
    precondition(env >= 0 && env < envCount, "no environment \(env)")
    return envs[env].setSaezGlobalBuffer(samples)
  }

  /// Sets agents' state in environment `env` by hand (locations, holdings, state fields; see
  /// ``Environment/applyInitialState(_:)``) and rewrites its observations and masks in `batch`.
  ///
  /// - Throws: ``InitialStateError`` when a value cannot be applied; the environment is then
  ///   unchanged.
  public func applyInitialState(
    _ states: [Int: AgentInitialState], env: Int, into batch: VectorBatch
  ) throws(InitialStateError) {
    precondition(env >= 0 && env < envCount, "no environment \(env)")
    var copy = envs[env]
    try copy.applyInitialState(states)
    envs[env] = copy
    run(batch) { environment, e, _, context in
      if e == env { EconomyVectorEnv.write(environment, e, context, final: false) }
    }
  }

  /// Applies `batch`'s actions, steps every environment, and writes the results.
  ///
  /// - Throws: ``EnvError/batchActionOutsideSpace(env:agent:action:space:)`` naming the
  ///   environment and agent of the first action outside its space; nothing is stepped then.
  public func step(_ batch: VectorBatch) throws(EnvError) {
    try checkNotOver()
    try validate(batch)
    stepAll(batch, random: false)
  }

  /// Refuses a step before the first reset and, without ``autoReset``, while an environment's
  /// episode is over.
  public func checkNotOver() throws(EnvError) {
    guard started else { throw .invalidState("step before the first reset; call reset() first") }
    guard !autoReset else { return }
    for e in 0..<envCount where envs[e].isDone {
      throw .episodeOver(length: envs[e].config.episodeLength)
    }
  }

  /// Samples uniformly random valid actions from the current masks (each environment with its
  /// own generator), writes them to `batch`'s actions, and steps.
  ///
  /// - Throws: without ``autoReset``, ``EnvError/episodeOver(length:)`` while an episode is over.
  public func stepRandom(_ batch: VectorBatch) throws(EnvError) {
    try checkNotOver()
    stepAll(batch, random: true)
  }

  private func validate(_ batch: VectorBatch) throws(EnvError) {
    for (k, spec) in batchSpecs.enumerated() {
      let width = spec.actionWidth
      let a = spec.agents.count
      let actions = batch.policies[k].actions.pointer
      for row in 0..<(envCount * a) where !ActionCodec.isValid(actions + row * width, space: spec.actionSpace) {
        let ints = (0..<width).map { Int(actions[row * width + $0]) }
        let action = spec.actionSpace.flatCount == 1 && width == 1 ? "\(ints[0])" : "\(ints)"
        throw .batchActionOutsideSpace(
          env: row / a, agent: spec.agents[row % a], action: action, space: spec.actionSpace.description)
      }
    }
  }

  private func stepAll(_ batch: VectorBatch, random: Bool) {
    run(batch) { env, e, sampler, context in
      EconomyVectorEnv.stepOne(&env, e, &sampler, context, random: random)
    }
    var ended = 0
    for e in 0..<envCount where batch.truncated[e] != 0 || batch.terminated[e] != 0 {
      ended += 1
      if let summary = endedEpisodes[e] {
        pendingRecords.append(
          EpisodeRecord(env: e, metrics: summary.metrics, denseLog: summary.denseLog?.jsonBytes()))
        endedEpisodes[e] = nil
      }
    }
    completedEpisodes += ended
  }

  /// Writes every environment's current observations and masks; zeroes rewards and flags.
  private func writeFirstObservations(_ batch: VectorBatch) {
    run(batch) { env, e, _, context in EconomyVectorEnv.write(env, e, context, final: false) }
    for policy in batch.policies { policy.rewards.zero() }
    batch.terminated.zero()
    batch.truncated.zero()
  }

  /// Everything a step reads and writes besides the environment in hand, as plain pointers:
  /// the plan tables, the batch's buffers and flags, the ended-episode slots.
  private struct Context {
    let plans: UnsafeBufferPointer<PolicyPlan>
    let ops: UnsafeBufferPointer<CopyOp>
    let rowAgents: UnsafePointer<Int>
    let decode: UnsafePointer<Int32>
    let encodeBase: UnsafePointer<Int32>
    let batch: UnsafePointer<PolicyPointers>
    let terminated: UnsafeMutablePointer<UInt8>
    let truncated: UnsafeMutablePointer<UInt8>
    let denseLogEnvs: Int
    let endedEpisodes: UnsafeMutableBufferPointer<EpisodeSummary?>
    let autoReset: Bool
  }

  /// Steps environment `e` with the batch's (or sampled) actions, restarting it if its episode
  /// ended, and writes its rows.
  private static func stepOne(
    _ env: inout Environment, _ e: Int, _ sampler: inout RandomActions, _ c: Context, random: Bool
  ) {
    if random { sampler.fill(&env) }
    for (k, plan) in c.plans.enumerated() {
      let actions = c.batch[k].actions
      let masked = c.batch[k].maskedActions
      let perEnv = plan.rowsPerEnv
      for j in 0..<perEnv {
        let agent = c.rowAgents[plan.rowStart + j]
        let row = e * perEnv + j
        let slot = actions + row * plan.width
        if random {
          store(agent: agent, plan, c, from: env, to: slot)
        } else {
          apply(slot, agent: agent, plan, c, to: &env)
        }
        masked[row] = Int32(env.maskedActionCounts[agent])
      }
    }
    env.step()
    for (k, plan) in c.plans.enumerated() {
      let p = c.batch[k]
      let perEnv = plan.rowsPerEnv
      for j in 0..<perEnv {
        let agent = c.rowAgents[plan.rowStart + j]
        let row = e * perEnv + j
        p.rewards[row] = Float(env.rewards[agent])
        p.maskedActions[row] = Int32(env.maskedActionCounts[agent]) - p.maskedActions[row]
      }
    }
    c.terminated[e] = 0
    c.truncated[e] = env.isDone ? 1 : 0
    if env.isDone {
      c.endedEpisodes[e] = env.lastEpisode
      write(env, e, c, final: true)
      if c.autoReset { env.reset(seed: nil, forceDenseLog: e < c.denseLogEnvs ? nil : false) }
    }
    write(env, e, c, final: false)
  }

  /// Sets `agent`'s sub-actions in `env.actions` from the action at `slot`.
  @inline(__always)
  private static func apply(
    _ slot: UnsafePointer<Int32>, agent: Int, _ plan: PolicyPlan, _ c: Context, to env: inout Environment
  ) {
    if plan.multi {
      for k in 0..<plan.subspaces {
        if plan.planner {
          env.actions.setPlanner(subspace: k, Int(slot[k]))
        } else {
          env.actions.setMobile(agent, subspace: k, Int(slot[k]))
        }
      }
    } else if slot[0] > 0 {
      let d = plan.decodeStart + 2 * Int(slot[0])
      let (k, v) = (Int(c.decode[d]), Int(c.decode[d + 1]))
      if plan.planner {
        env.actions.setPlanner(subspace: k, v)
      } else {
        env.actions.setMobile(agent, subspace: k, v)
      }
    }
  }

  /// Writes `agent`'s sub-actions now in `env.actions` to `slot` in the policy's action form.
  @inline(__always)
  private static func store(
    agent: Int, _ plan: PolicyPlan, _ c: Context, from env: Environment, to slot: UnsafeMutablePointer<Int32>
  ) {
    if !plan.multi { slot[0] = 0 }
    if plan.subspaces == 0 { return }
    for k in 0..<plan.subspaces {
      let v = plan.planner ? env.actions.planner[k] : env.actions.mobile[agent * plan.subspaces + k]
      if plan.multi {
        slot[k] = v
      } else if v != 0 {
        slot[0] = c.encodeBase[plan.encodeStart + k] + v
      }
    }
  }

  /// Writes environment `e`'s observation rows (to the final-observation buffer if `final`)
  /// and, unless `final`, its masks.
  private static func write(_ env: Environment, _ e: Int, _ c: Context, final: Bool) {
    env.observations.withPointers { obs in
      for (k, plan) in c.plans.enumerated() {
        let p = c.batch[k]
        let perEnv = plan.rowsPerEnv
        let ops = UnsafeBufferPointer(rebasing: c.ops[plan.opStart..<(plan.opStart + plan.opCount)])
        let destination = final ? p.finalObservations : p.observations
        for j in 0..<perEnv {
          let agent = c.rowAgents[plan.rowStart + j]
          let row = e * perEnv + j
          RolePacking.writeRow(
            ops, obs, planner: plan.planner, agent: agent, sizes: plan.sizes,
            to: destination + row * plan.observationSize)
          if !final {
            RolePacking.writeMask(
              obs, planner: plan.planner, agent: agent, maskSize: plan.maskSize, to: p.masks + row * plan.maskSize)
          }
        }
      }
    }
  }

  // MARK: - Parallel dispatch

  /// Takes `batch`'s buffers and runs `perEnv` for every environment, spread over the pool's
  /// threads (each thread a contiguous range of environments).
  private func run(
    _ batch: VectorBatch, _ perEnv: (inout Environment, Int, inout RandomActions, Context) -> Void
  ) {
    // Every step: sizes only (comparing whole specs would compare spaces and keys each time).
    precondition(
      batch.envCount == envCount && batch.policies.count == tables.plans.count,
      "the batch was not made for this environment (use makeBatch())")
    for k in batch.policies.indices {
      let (policy, plan) = (batch.policies[k], tables.plans[k])
      let rows = envCount * plan.rowsPerEnv
      precondition(
        policy.observations.count == rows * plan.observationSize && policy.masks.count == rows * plan.maskSize
          && policy.actions.count == rows * plan.width,
        "the batch was not made for this environment (use makeBatch())")
      (batchPointers + k).initialize(to: PolicyPointers(policy))
    }
    let context = Context(
      plans: tables.plans.buffer, ops: tables.ops.buffer, rowAgents: tables.rowAgents.pointer,
      decode: tables.decode.pointer, encodeBase: tables.encodeBase.pointer, batch: batchPointers,
      terminated: batch.terminated.pointer, truncated: batch.truncated.pointer, denseLogEnvs: denseLogEnvs,
      endedEpisodes: endedEpisodes, autoReset: autoReset)
    let (envs, samplers, count, threads) = (self.envs, self.samplers, envCount, pool.threads)
    pool.run { part in
      for e in WorkerPool.chunk(part, of: threads, count: count) {
        perEnv(&envs[e], e, &samplers[e], context)
      }
    }
  }
}

// MARK: - Checkpoints

extension EconomyVectorEnv: ResumableEnv {
  /// Each environment's ``EpisodeProgress`` and the completed-episode count, as JSON.
  public func savedState() -> [UInt8] {
    let progress = envs.map { $0.episodeProgress?.json ?? JSONValue.null }
    return JSONWriter.serialize([
      "format": 1, "completed_episodes": .int(Int64(completedEpisodes)), "envs": .array(progress),
    ])
  }

  /// Rebuilds every environment's current episode (replaying its actions) from
  /// ``savedState()``'s bytes and writes the observations and masks.
  public func restoreState(_ bytes: [UInt8], into batch: VectorBatch) throws(EnvError) {
    let json: JSONValue
    do {
      json = try JSONParser.parse(bytes)
    } catch {
      throw .invalidState("environment state: not JSON: \(error)")
    }
    guard json["format"]?.intValue == 1, let saved = json["envs"]?.arrayValue,
      let completed = json["completed_episodes"]?.intValue
    else {
      throw .invalidState("environment state: expected format 1 with 'envs' and 'completed_episodes'")
    }
    guard (0...EpisodeProgress.largestCount).contains(completed) else {
      throw .invalidState(
        "environment state: 'completed_episodes' must be an integer in 0...\(EpisodeProgress.largestCount), found \(completed)"
      )
    }
    guard saved.count == envCount else {
      throw .invalidState("environment state: saved for \(saved.count) environments, this run has \(envCount)")
    }
    var restored = Array(envs)
    for e in 0..<envCount {
      do throws(ResumeError) {
        try restored[e].resume(try EpisodeProgress(json: saved[e]))
      } catch {
        throw .invalidState("environment \(e): \(error.message)")
      }
    }
    for e in 0..<envCount {
      envs[e] = restored[e]
      endedEpisodes[e] = nil
    }
    completedEpisodes = completed
    started = true
    pendingRecords.removeAll()
    writeFirstObservations(batch)
  }
}
