// Environments through the C ABI: one handle holds a vectorized environment (1 or more envs)
// and the batch it writes into; the Python package maps the batch's buffers as numpy arrays.

import ABISupport
import Basics
import Economy
import EconomyEnv
import EnvContract

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One environment handle: the vector env, its batch (allocated once: the buffers' addresses
/// never change), each env's last finished episode, and the layout description.
final class EnvHandle {
  let vector: EconomyVectorEnv
  let batch: VectorBatch
  /// The adapter of env 0, for spaces and mask-dict layouts.
  let adapter: EconomyMultiAgentEnv
  /// Metrics at the end of each env's last finished episode (Foundation's
  /// `previous_episode_metrics`).
  var previousMetrics: [[(key: String, value: Double)]?]
  /// The dense log JSON of each env's last finished episode that kept one.
  var previousLogs: [[UInt8]?]
  /// Why a call may not proceed (NULL handle) is checked by the callers.
  init(vector: EconomyVectorEnv, adapter: EconomyMultiAgentEnv) {
    self.vector = vector
    self.adapter = adapter
    batch = vector.makeBatch()
    previousMetrics = Array(repeating: nil, count: vector.envCount)
    previousLogs = Array(repeating: nil, count: vector.envCount)
  }

  /// Keeps the metrics and dense logs of the episodes that ended in the last step.
  func collectEndedEpisodes() {
    for record in vector.takeEpisodeRecords() {
      previousMetrics[record.env] = record.metrics
      if let log = record.denseLog { previousLogs[record.env] = log }
    }
  }
}

/// Flags of `economist_env_create`.
enum CreateFlag {
  /// Restart ended episodes within the step (vector envs); without it an ended env waits for a
  /// reset (Foundation's single env).
  static let autoReset: Int32 = 1
  /// Keep dense logs as the config's `dense_log_frequency` says, in every env.
  static let denseLogs: Int32 = 2
}

/// The most environments and threads one handle takes.
let maximumEnvs: Int32 = 4096
let maximumThreads: Int32 = 256

/// Creates environments from config text (YAML or JSON: Foundation's env section or a full run
/// config); `origin` names it in errors and anchors relative layout paths (may be NULL).
///
/// Returns NULL with the error set and its code in `*status` when `status` is not NULL
/// (`ECONOMIST_CONFIG` with every problem located, or `ECONOMIST_ARGUMENT`/`ECONOMIST_SETUP`).
@_cdecl("economist_env_create")
public func economistEnvCreate(
  _ config: UnsafePointer<CChar>?, _ origin: UnsafePointer<CChar>?, _ envs: Int32, _ threads: Int32, _ flags: Int32,
  _ statusOut: UnsafeMutablePointer<Int32>?
) -> UnsafeMutableRawPointer? {
  var code = Status.ok.rawValue
  defer { statusOut?.pointee = code }
  func failing(_ s: Status, _ message: String) -> UnsafeMutableRawPointer? {
    code = fail(s, message)
    return nil
  }
  guard let config else {
    return failing(.argument, "economist_env_create: the config text is NULL")
  }
  guard (1...maximumEnvs).contains(envs) else {
    return failing(.argument, "the number of environments must be in 1...\(maximumEnvs), found \(envs)")
  }
  guard (1...maximumThreads).contains(threads) else {
    return failing(.argument, "the number of threads must be in 1...\(maximumThreads), found \(threads)")
  }
  guard flags & ~(CreateFlag.autoReset | CreateFlag.denseLogs) == 0 else {
    return failing(.argument, "economist_env_create: unknown flags \(flags)")
  }
  let file = origin.map { String(cString: $0) }
  let environment: Environment
  do {
    environment = try Environment(config: EnvironmentConfig.parse(yaml: String(cString: config), file: file))
  } catch {
    return failing(.config, error.description)
  }
  do {
    let vector = try EconomyVectorEnv(
      environment: environment, envs: Int(envs), threads: Int(threads),
      keepDenseLogs: flags & CreateFlag.denseLogs != 0, autoReset: flags & CreateFlag.autoReset != 0)
    clearError()
    let handle = EnvHandle(vector: vector, adapter: EconomyMultiAgentEnv(environment: environment))
    return Unmanaged.passRetained(handle).toOpaque()
  } catch {
    return failing(status(of: error), error.description)
  }
}

/// Releases a handle (NULL is ignored); its buffers are gone afterwards.
@_cdecl("economist_env_destroy")
public func economistEnvDestroy(_ handle: UnsafeMutableRawPointer?) {
  guard let handle else { return }
  Unmanaged<EnvHandle>.fromOpaque(handle).release()
}

/// The handle behind `pointer`, or nil with the error set.
func envHandle(_ pointer: UnsafeMutableRawPointer?, _ function: String) -> EnvHandle? {
  guard let pointer else {
    fail(.argument, "\(function): the environment handle is NULL")
    return nil
  }
  return Unmanaged<EnvHandle>.fromOpaque(pointer).takeUnretainedValue()
}

/// Resets every env.
///
/// `mode` 0: env `i` seeded from `seed` by stream `i` (the vector env's derivation); 1: env `i` seeded with `seed + i` exactly (`economist simulate --seed`'s episodes).
/// `dense_log`: -1 as the config says, 0 none, 1 keep one (Foundation's `force_dense_logging`).
@_cdecl("economist_env_reset")
public func economistEnvReset(_ pointer: UnsafeMutableRawPointer?, _ seed: UInt64, _ mode: Int32, _ denseLog: Int32)
  -> Int32
{
  guard let handle = envHandle(pointer, "economist_env_reset") else { return Status.argument.rawValue }
  let envs = handle.vector.envCount
  let seeds: [UInt64]
  switch mode {
  case 0:
    seeds = (0..<envs).map { EconomyRNG.deriveSeed(seed, stream: UInt64($0)) }
  case 1:
    guard UInt64(envs - 1) <= UInt64.max - seed else {
      return fail(.argument, "seed \(seed) + \(envs - 1) environments passes the largest seed \(UInt64.max)")
    }
    seeds = (0..<envs).map { seed + UInt64($0) }
  default:
    return fail(.argument, "economist_env_reset: mode must be 0 (derived seeds) or 1 (seed + i), found \(mode)")
  }
  let force: Bool?
  switch denseLog {
  case -1: force = nil
  case 0: force = false
  case 1: force = true
  default: return fail(.argument, "economist_env_reset: dense_log must be -1, 0 or 1, found \(denseLog)")
  }
  handle.vector.reset(seeds: seeds, forceDenseLog: force, into: handle.batch)
  clearError()
  return Status.ok.rawValue
}

/// Applies the batch's actions and steps every env; an action outside its space is
/// `ECONOMIST_ACTION` naming the env and agent, and nothing is stepped then.
@_cdecl("economist_env_step")
public func economistEnvStep(_ pointer: UnsafeMutableRawPointer?) -> Int32 {
  step(pointer, "economist_env_step") { vector, batch throws(EnvError) in try vector.step(batch) }
}

/// Samples uniformly random valid actions in every env (each with its own generator, seeded at
/// reset), writes them to the batch's actions, and steps.
@_cdecl("economist_env_step_random")
public func economistEnvStepRandom(_ pointer: UnsafeMutableRawPointer?) -> Int32 {
  step(pointer, "economist_env_step_random") { vector, batch throws(EnvError) in try vector.stepRandom(batch) }
}

/// Runs one step of the handle's envs, then keeps the episodes that ended.
func step(
  _ pointer: UnsafeMutableRawPointer?, _ function: String,
  _ body: (EconomyVectorEnv, VectorBatch) throws(EnvError) -> Void
) -> Int32 {
  guard let handle = envHandle(pointer, function) else { return Status.argument.rawValue }
  do {
    try body(handle.vector, handle.batch)
  } catch {
    return fail(status(of: error), error.description)
  }
  handle.collectEndedEpisodes()
  clearError()
  return Status.ok.rawValue
}

/// Buffer kinds of `economist_env_buffer`.
enum BufferKind: Int32 {
  case observations = 0, masks, actions, rewards, finalObservations, maskedActions, terminated, truncated
}

/// The address of one of the batch's buffers, stable for the handle's life.
///
/// Policy `policy`'s buffer, or the per-env flags for kinds 6 and 7. Shapes and dtypes are in
/// the description.
@_cdecl("economist_env_buffer")
public func economistEnvBuffer(_ pointer: UnsafeMutableRawPointer?, _ policy: Int32, _ kind: Int32)
  -> UnsafeMutableRawPointer?
{
  guard let handle = envHandle(pointer, "economist_env_buffer") else { return nil }
  guard let kind = BufferKind(rawValue: kind) else {
    fail(.argument, "economist_env_buffer: kind must be in 0...7, found \(kind)")
    return nil
  }
  let policies = handle.batch.policies
  switch kind {
  case .terminated: return UnsafeMutableRawPointer(handle.batch.terminated.pointer)
  case .truncated: return UnsafeMutableRawPointer(handle.batch.truncated.pointer)
  default: break
  }
  guard policy >= 0 && Int(policy) < policies.count else {
    fail(.argument, "economist_env_buffer: policy must be in 0..<\(policies.count), found \(policy)")
    return nil
  }
  let p = policies[Int(policy)]
  clearError()
  switch kind {
  case .observations: return UnsafeMutableRawPointer(p.observations.pointer)
  case .masks: return UnsafeMutableRawPointer(p.masks.pointer)
  case .actions: return UnsafeMutableRawPointer(p.actions.pointer)
  case .rewards: return UnsafeMutableRawPointer(p.rewards.pointer)
  case .finalObservations: return UnsafeMutableRawPointer(p.finalObservations.pointer)
  case .maskedActions: return UnsafeMutableRawPointer(p.maskedActions.pointer)
  case .terminated, .truncated: return nil
  }
}

/// The layout as JSON: envs, agents, episode length, and per policy its agents, observation
/// fields (key, offset, shape, dtype) in the row, mask size and mask-dict entries, action space.
@_cdecl("economist_env_describe")
public func economistEnvDescribe(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>? {
  guard let handle = envHandle(pointer, "economist_env_describe") else { return nil }
  clearError()
  return cString(json: describe(handle))
}

/// One env's state as JSON; `what` is `metrics`, `previous_episode_metrics`, `dense_log`,
/// `previous_episode_dense_log`, `state` or `status` (null where there is none yet).
@_cdecl("economist_env_query")
public func economistEnvQuery(_ pointer: UnsafeMutableRawPointer?, _ env: Int32, _ what: UnsafePointer<CChar>?)
  -> UnsafeMutablePointer<CChar>?
{
  guard let handle = envHandle(pointer, "economist_env_query") else { return nil }
  guard env >= 0 && Int(env) < handle.vector.envCount else {
    fail(.argument, "economist_env_query: env must be in 0..<\(handle.vector.envCount), found \(env)")
    return nil
  }
  guard let what else {
    fail(.argument, "economist_env_query: the query is NULL")
    return nil
  }
  let i = Int(env)
  let query = String(cString: what)
  var environment = handle.vector.environment(i)
  let bytes: [UInt8]
  switch query {
  case "metrics":
    bytes = metricsJSON(environment.metrics())
  case "previous_episode_metrics":
    bytes = handle.previousMetrics[i].map(metricsJSON) ?? Array("null".utf8)
  case "dense_log":
    bytes = environment.isRecording ? environment.denseLogSoFar().jsonBytes() : Array("null".utf8)
  case "previous_episode_dense_log":
    bytes = handle.previousLogs[i] ?? Array("null".utf8)
  case "state":
    bytes = environment.stateSnapshot().jsonBytes()
  case "status":
    var w = JSONWriter()
    w.beginObject()
    w.key("timestep")
    w.value(environment.world.timestep)
    w.key("done")
    w.value(environment.isDone)
    w.key("completions")
    w.value(environment.completions)
    w.key("recording")
    w.value(environment.isRecording)
    w.endObject()
    bytes = w.bytes
  default:
    let known = ["metrics", "previous_episode_metrics", "dense_log", "previous_episode_dense_log", "state", "status"]
    fail(.argument, "economist_env_query: unknown query '\(query)' (known: \(known.joined(separator: ", ")))")
    return nil
  }
  clearError()
  return cString(json: bytes)
}

func metricsJSON(_ metrics: [(key: String, value: Double)]) -> [UInt8] {
  var w = JSONWriter()
  w.beginObject()
  for (key, value) in metrics {
    w.key(key)
    w.value(value)
  }
  w.endObject()
  return w.bytes
}

func describe(_ handle: EnvHandle) -> [UInt8] {
  let environment = handle.vector.environment(0)
  let config = environment.config
  let layout = environment.actionLayout
  var w = JSONWriter()
  w.beginObject()
  w.key("abi")
  w.value(Int(ABI.version))
  w.key("envs")
  w.value(handle.vector.envCount)
  w.key("threads")
  w.value(handle.vector.threads)
  w.key("auto_reset")
  w.value(handle.vector.autoReset)
  w.key("n_agents")
  w.value(environment.agentCount)
  w.key("episode_length")
  w.value(config.episodeLength)
  w.key("agents")
  w.beginArray()
  for id in handle.adapter.agentIDs { w.value(id) }
  w.endArray()
  w.key("multi_action_mode_agents")
  w.value(layout.multiActionMobile)
  w.key("multi_action_mode_planner")
  w.value(layout.multiActionPlanner)
  for (name, subspaces) in [("mobile_subspaces", layout.mobile), ("planner_subspaces", layout.planner)] {
    w.key(name)
    w.beginArray()
    for s in subspaces {
      w.beginObject()
      w.key("name")
      w.value(s.name)
      w.key("count")
      w.value(s.count)
      w.endObject()
    }
    w.endArray()
  }
  w.key("policies")
  w.beginArray()
  for spec in handle.vector.batchSpecs {
    w.beginObject()
    w.key("name")
    w.value(spec.policy.name)
    w.key("role")
    w.value(spec.policy.role == .planner ? "planner" : "agents")
    w.key("agents")
    w.beginArray()
    for a in spec.agents { w.value(a) }
    w.endArray()
    w.key("observation_size")
    w.value(spec.observationSize)
    w.key("mask_size")
    w.value(spec.maskSize)
    w.key("action_width")
    w.value(spec.actionWidth)
    w.key("action_space")
    writeSpace(spec.actionSpace, into: &w)
    w.key("fields")
    w.beginArray()
    for f in spec.fields {
      w.beginObject()
      w.key("key")
      w.value(f.key)
      w.key("offset")
      w.value(f.offset)
      w.key("shape")
      w.beginArray()
      for d in f.shape { w.value(d) }
      w.endArray()
      w.key("dtype")
      w.value(f.dtype.rawValue)
      w.endObject()
    }
    w.endArray()
    w.key("mask_entries")
    if let entries = spec.agents.first.flatMap({ handle.adapter.maskEntries(of: $0) }) {
      w.beginArray()
      for e in entries {
        w.beginObject()
        w.key("key")
        w.value(e.key)
        w.key("offset")
        w.value(e.offset)
        w.key("count")
        w.value(e.count)
        w.endObject()
      }
      w.endArray()
    } else {
      w.null()
    }
    w.endObject()
  }
  w.endArray()
  w.endObject()
  return w.bytes
}

func writeSpace(_ space: Space, into w: inout JSONWriter) {
  w.beginObject()
  switch space {
  case .discrete(let n):
    w.key("type")
    w.value("discrete")
    w.key("n")
    w.value(n)
  case .multiDiscrete(let nvec):
    w.key("type")
    w.value("multi_discrete")
    w.key("nvec")
    w.beginArray()
    for n in nvec { w.value(n) }
    w.endArray()
  case .box(let box):
    w.key("type")
    w.value("box")
    w.key("shape")
    w.beginArray()
    for d in box.shape { w.value(d) }
    w.endArray()
    w.key("dtype")
    w.value(box.dtype.rawValue)
    w.key("low")
    w.value(box.low)
    w.key("high")
    w.value(box.high)
  case .dict(let d):
    w.key("type")
    w.value("dict")
    w.key("entries")
    w.beginArray()
    for entry in d.entries {
      w.beginObject()
      w.key("key")
      w.value(entry.key)
      w.key("space")
      writeSpace(entry.space, into: &w)
      w.endObject()
    }
    w.endArray()
  }
  w.endObject()
}
