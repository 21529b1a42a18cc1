import Basics
import Economy
import RL

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
  /// Completed episodes over all environments.
  public private(set) var completedEpisodes = 0

  private var envs: [Environment]
  private var samplers: [RandomActions]
  private let pool: WorkerPool
  /// Each environment's episode that ended in the current step (nil otherwise).
  private var endedEpisodes: [EpisodeSummary?]
  /// Episodes finished since the last ``takeEpisodeRecords()``.
  private var pendingRecords: [EpisodeRecord] = []
  /// The leading environments that follow the config's `dense_log_frequency`; the others
  /// record nothing.
  private let denseLogEnvs: Int
  private let metricKeys: [String]
  // Plain-data plans for the hot loop (no reference counting inside a step).
  private let plans: [PolicyPlan]
  private let ops: [CopyOp]
  /// Environment agent index of each row of each policy (mobile agents `0..<n`, the planner `n`).
  private let rowAgents: [Int]
  /// Single-action decoding, two entries per index: subspace and sub-action (mobile, then
  /// planner).
  private let decode: [Int32]
  /// Offset of each subspace's actions in the single-action index (mobile, then planner).
  private let encodeBase: [Int32]
  private var pointers: [PolicyPointers]

  /// What the hot loop needs to know of one policy.
  private struct PolicyPlan {
    var planner: Bool
    var multi: Bool
    var ops: Range<Int>
    var rows: Range<Int>
    var width: Int
    var observationSize: Int
    var maskSize: Int
    var sizes: RowSizes
    var subspaces: Int
    var decodeStart: Int
    var encodeStart: Int
  }

  /// Raw views of one policy's batch buffers during a step.
  private struct PolicyPointers {
    var observations: UnsafeMutablePointer<Float>?
    var masks: UnsafeMutablePointer<Float>?
    var actions: UnsafeMutablePointer<Int32>?
    var rewards: UnsafeMutablePointer<Float>?
    var finalObservations: UnsafeMutablePointer<Float>?
    var maskedActions: UnsafeMutablePointer<Int32>?
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
  /// - Throws: ``EnvError/invalidSetup(_:)`` for a mapping that does not fit.
  public init(
    environment: Environment, envs: Int, threads: Int = 1, mapping: PolicyMapping? = nil, keepDenseLogs: Bool = false,
    denseLogEnvs: Int? = nil, pool: WorkerPool? = nil
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
          ops: ops.count..<(ops.count + newOps.count), rows: rowAgents.count..<(rowAgents.count + indices.count),
          width: spec.actionWidth, observationSize: spec.observationSize, maskSize: spec.maskSize,
          sizes: packing.rowSizes, subspaces: planner ? layout.planner.count : layout.mobile.count,
          decodeStart: planner ? plannerDecodeStart : 0, encodeStart: planner ? layout.mobile.count : 0))
      ops += newOps
      rowAgents += indices
    }
    self.plans = plans
    self.ops = ops
    self.rowAgents = rowAgents
    self.decode = decode
    self.encodeBase = encodeBase
    batchSpecs = specs
    envCount = envs
    var tracked = environment
    tracked.tracksEpisodes = true
    metricKeys = environment.metrics().map(\.key)
    self.envs = Array(repeating: tracked, count: envs)
    samplers = Array(repeating: RandomActions(seed: 0), count: envs)
    self.pool = pool ?? WorkerPool(threads: min(threads, envs))
    endedEpisodes = Array(repeating: nil, count: envs)
    pointers = Array(repeating: PolicyPointers(), count: specs.count)
    self.denseLogEnvs = keepDenseLogs ? min(envs, max(0, denseLogEnvs ?? envs)) : 0
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
  public func reset(seed: UInt64, into batch: inout VectorBatch) {
    precondition(batch.terminated.count == envCount, "batch made for \(batch.terminated.count) environments")
    for i in 0..<envCount {
      let s = EconomyRNG.deriveSeed(seed, stream: UInt64(i))
      envs[i].reset(seed: s, forceDenseLog: i < denseLogEnvs ? nil : false)
      samplers[i] = RandomActions(seed: EconomyRNG.deriveSeed(s, stream: 0x7361_6D70))
    }
    run(&batch) { env, e, _, _, context in EconomyVectorEnv.write(env, e, context, final: false) }
    for e in 0..<envCount {
      batch.terminated[e] = 0
      batch.truncated[e] = 0
    }
  }

  /// Applies `batch`'s actions, steps every environment, and writes the results.
  ///
  /// - Throws: ``EnvError/batchActionOutsideSpace(env:agent:action:space:)`` naming the
  ///   environment and agent of the first action outside its space; nothing is stepped then.
  public func step(_ batch: inout VectorBatch) throws(EnvError) {
    try validate(batch)
    stepAll(&batch, random: false)
  }

  /// Samples uniformly random valid actions from the current masks (each environment with its
  /// own generator), writes them to `batch`'s actions, and steps.
  public func stepRandom(_ batch: inout VectorBatch) {
    stepAll(&batch, random: true)
  }

  private func validate(_ batch: VectorBatch) throws(EnvError) {
    for (k, spec) in batchSpecs.enumerated() {
      let width = spec.actionWidth
      let a = spec.agents.count
      let bad: (row: Int, ints: [Int32])? = batch.policies[k].actions.withUnsafeBufferPointer { actions in
        guard let base = actions.baseAddress else { return nil }
        for row in 0..<(envCount * a) where !ActionCodec.isValid(base + row * width, space: spec.actionSpace) {
          return (row, Array(actions[(row * width)..<((row + 1) * width)]))
        }
        return nil
      }
      if let bad {
        let action = spec.actionSpace.flatCount == 1 && width == 1 ? "\(bad.ints[0])" : "\(bad.ints.map(Int.init))"
        throw .batchActionOutsideSpace(
          env: bad.row / a, agent: spec.agents[bad.row % a], action: action, space: spec.actionSpace.description)
      }
    }
  }

  private func stepAll(_ batch: inout VectorBatch, random: Bool) {
    run(&batch) { env, e, sampler, flags, context in
      EconomyVectorEnv.stepOne(&env, e, &sampler, flags, context, random: random)
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

  /// Raw views of everything a step reads besides the environments.
  private struct Context {
    let plans: UnsafeBufferPointer<PolicyPlan>
    let ops: UnsafeBufferPointer<CopyOp>
    let rowAgents: UnsafeBufferPointer<Int>
    let decode: UnsafeBufferPointer<Int32>
    let encodeBase: UnsafeBufferPointer<Int32>
    let pointers: UnsafeBufferPointer<PolicyPointers>
    let denseLogEnvs: Int
    let endedEpisodes: UnsafeMutableBufferPointer<EpisodeSummary?>
  }

  /// Steps environment `e` with the batch's (or sampled) actions, restarting it if its episode
  /// ended, and writes its rows.
  private static func stepOne(
    _ env: inout Environment, _ e: Int, _ sampler: inout RandomActions, _ flags: Flags, _ c: Context, random: Bool
  ) {
    if random { sampler.fill(&env) }
    for (k, plan) in c.plans.enumerated() {
      guard let actions = c.pointers[k].actions, let masked = c.pointers[k].maskedActions else { continue }
      let perEnv = plan.rows.count
      for j in 0..<perEnv {
        let agent = c.rowAgents[plan.rows.lowerBound + j]
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
      let p = c.pointers[k]
      let perEnv = plan.rows.count
      for j in 0..<perEnv {
        let agent = c.rowAgents[plan.rows.lowerBound + j]
        let row = e * perEnv + j
        p.rewards?[row] = Float(env.rewards[agent])
        if let masked = p.maskedActions { masked[row] = Int32(env.maskedActionCounts[agent]) - masked[row] }
      }
    }
    flags.terminated?[e] = 0
    flags.truncated?[e] = env.isDone ? 1 : 0
    if env.isDone {
      c.endedEpisodes[e] = env.lastEpisode
      write(env, e, c, final: true)
      env.reset(seed: nil, forceDenseLog: e < c.denseLogEnvs ? nil : false)
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

  /// Writes environment `e`'s observation rows (to the final-observation slab if `final`) and,
  /// unless `final`, its masks.
  private static func write(_ env: Environment, _ e: Int, _ c: Context, final: Bool) {
    env.observations.withPointers { obs in
      for (k, plan) in c.plans.enumerated() {
        let p = c.pointers[k]
        let perEnv = plan.rows.count
        let ops = UnsafeBufferPointer(rebasing: c.ops[plan.ops])
        for j in 0..<perEnv {
          let agent = c.rowAgents[plan.rows.lowerBound + j]
          let row = e * perEnv + j
          if let dst = final ? p.finalObservations : p.observations {
            RolePacking.writeRow(
              ops, obs, planner: plan.planner, agent: agent, sizes: plan.sizes, to: dst + row * plan.observationSize)
          }
          if !final, let masks = p.masks {
            RolePacking.writeMask(
              obs, planner: plan.planner, agent: agent, maskSize: plan.maskSize, to: masks + row * plan.maskSize)
          }
        }
      }
    }
  }

  // MARK: - Parallel dispatch

  /// Raw views of the batch's flags during a step.
  private struct Flags {
    var terminated: UnsafeMutablePointer<UInt8>?
    var truncated: UnsafeMutablePointer<UInt8>?
  }

  /// Binds the batch's buffers and runs `perEnv` for every environment, spread over the pool's
  /// threads (each thread a contiguous range of environments).
  private func run(
    _ batch: inout VectorBatch, _ perEnv: (inout Environment, Int, inout RandomActions, Flags, Context) -> Void
  ) {
    precondition(
      batch.terminated.count == envCount && batch.policies.count == plans.count
        && zip(batch.policies, plans).allSatisfy { $0.rows == envCount * $1.rows.count },
      "the batch was not made for this environment (use makeBatch())")
    let count = envCount
    let pool = self.pool
    let keep = denseLogEnvs
    batch.terminated.withUnsafeMutableBufferPointer { terminated in
      batch.truncated.withUnsafeMutableBufferPointer { truncated in
        let flags = Flags(terminated: terminated.baseAddress, truncated: truncated.baseAddress)
        batch.policies.withUnsafeMutableBufferPointer { policies in
          bind(policies, 0) {
            plans.withUnsafeBufferPointer { plans in
              ops.withUnsafeBufferPointer { ops in
                rowAgents.withUnsafeBufferPointer { rowAgents in
                  decode.withUnsafeBufferPointer { decode in
                    encodeBase.withUnsafeBufferPointer { encodeBase in
                      pointers.withUnsafeBufferPointer { pointers in
                        endedEpisodes.withUnsafeMutableBufferPointer { ended in
                          let context = Context(
                            plans: plans, ops: ops, rowAgents: rowAgents, decode: decode, encodeBase: encodeBase,
                            pointers: pointers, denseLogEnvs: keep, endedEpisodes: ended)
                          envs.withUnsafeMutableBufferPointer { envs in
                            samplers.withUnsafeMutableBufferPointer { samplers in
                              pool.run { part in
                                for e in WorkerPool.chunk(part, of: pool.threads, count: count) {
                                  perEnv(&envs[e], e, &samplers[e], flags, context)
                                }
                              }
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  /// Records pointers to policy `k`'s buffers and those after it, then runs `body`.
  private func bind(_ policies: UnsafeMutableBufferPointer<PolicyBatch>, _ k: Int, _ body: () -> Void) {
    guard k < policies.count else { return body() }
    policies[k].observations.withUnsafeMutableBufferPointer { observations in
      policies[k].masks.withUnsafeMutableBufferPointer { masks in
        policies[k].actions.withUnsafeMutableBufferPointer { actions in
          policies[k].rewards.withUnsafeMutableBufferPointer { rewards in
            policies[k].finalObservations.withUnsafeMutableBufferPointer { finals in
              policies[k].maskedActions.withUnsafeMutableBufferPointer { masked in
                pointers[k] = PolicyPointers(
                  observations: observations.baseAddress, masks: masks.baseAddress, actions: actions.baseAddress,
                  rewards: rewards.baseAddress, finalObservations: finals.baseAddress, maskedActions: masked.baseAddress
                )
                bind(policies, k + 1, body)
              }
            }
          }
        }
      }
    }
  }
}

// MARK: - Checkpoints

extension EconomyVectorEnv: ResumableEnv {
  /// Each environment's ``EpisodeProgress`` and the completed-episode count, as JSON.
  public func savedState() -> [UInt8] {
    let progress = envs.map { $0.episodeProgress?.json ?? .null }
    return JSONWriter.serialize([
      "format": 1, "completed_episodes": .int(Int64(completedEpisodes)), "envs": .array(progress),
    ])
  }

  /// Rebuilds every environment's current episode (replaying its actions) from
  /// ``savedState()``'s bytes and writes the observations and masks.
  public func restoreState(_ bytes: [UInt8], into batch: inout VectorBatch) throws(EnvError) {
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
    guard saved.count == envCount else {
      throw .invalidState("environment state: saved for \(saved.count) environments, this run has \(envCount)")
    }
    var restored = envs
    for e in 0..<envCount {
      do throws(ResumeError) {
        try restored[e].resume(try EpisodeProgress(json: saved[e]))
      } catch {
        throw .invalidState("environment \(e): \(error.message)")
      }
    }
    envs = restored
    completedEpisodes = completed
    pendingRecords.removeAll()
    for e in 0..<envCount { endedEpisodes[e] = nil }
    run(&batch) { env, e, _, _, context in EconomyVectorEnv.write(env, e, context, final: false) }
    for e in 0..<envCount {
      batch.terminated[e] = 0
      batch.truncated[e] = 0
    }
  }
}
