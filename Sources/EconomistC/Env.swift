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
  /// Each env's dense log not yet taken (`take_dense_log`): the latest finished episode that
  /// kept one since the last take.
  var pendingLogs: [[UInt8]?]
  /// Serializes the calls on this handle: Python releases the GIL during a foreign call, so two
  /// threads could otherwise step the same environments at once.
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init(vector: EconomyVectorEnv, adapter: EconomyMultiAgentEnv) {
    self.vector = vector
    self.adapter = adapter
    batch = vector.makeBatch()
    previousMetrics = Array(repeating: nil, count: vector.envCount)
    previousLogs = Array(repeating: nil, count: vector.envCount)
    pendingLogs = Array(repeating: nil, count: vector.envCount)
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` while no other thread runs a call on this handle.
  func exclusive<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// Keeps the metrics and dense logs of the episodes that ended in the last step.
  func collectEndedEpisodes() {
    for record in vector.takeEpisodeRecords() {
      previousMetrics[record.env] = record.metrics
      if let log = record.denseLog {
        previousLogs[record.env] = log
        pendingLogs[record.env] = log
      }
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
  return handle.exclusive {
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
  return handle.exclusive {
    do throws(EnvError) {
      try body(handle.vector, handle.batch)
    } catch {
      return fail(status(of: error), error.description)
    }
    handle.collectEndedEpisodes()
    clearError()
    return Status.ok.rawValue
  }
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
  return handle.exclusive {
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
}

/// The layout as JSON: envs, agents, episode length, and per policy its agents, observation
/// fields (key, offset, shape, dtype) in the row, mask size and mask-dict entries, action space.
@_cdecl("economist_env_describe")
public func economistEnvDescribe(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>? {
  guard let handle = envHandle(pointer, "economist_env_describe") else { return nil }
  return handle.exclusive {
    clearError()
    return cString(json: describe(handle))
  }
}

/// One env's state as JSON; `what` is `metrics`, `previous_episode_metrics`, `dense_log`,
/// `previous_episode_dense_log`, `take_dense_log` (the latest finished episode's log not taken
/// before, once), `saez_local_buffer` and `saez_samples` (`[[income, marginal rate], …]`, null
/// without a Saez tax model), `state` or `status` (null where there is none yet).
@_cdecl("economist_env_query")
public func economistEnvQuery(_ pointer: UnsafeMutableRawPointer?, _ env: Int32, _ what: UnsafePointer<CChar>?)
  -> UnsafeMutablePointer<CChar>?
{
  guard let handle = envHandle(pointer, "economist_env_query") else { return nil }
  return handle.exclusive {
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
    case "saez_local_buffer", "saez_samples":
      let samples = query == "saez_local_buffer" ? environment.saezLocalBuffer : environment.saezSamples
      bytes = samples.map { JSONWriter.serialize(saezJSON($0)) } ?? Array("null".utf8)
    case "take_dense_log":
      bytes = handle.pendingLogs[i] ?? Array("null".utf8)
      handle.pendingLogs[i] = nil
    case "state":
      bytes = environment.stateSnapshot().jsonBytes()
    case "status":
      bytes = JSONWriter.serialize([
        "timestep": .int(Int64(environment.world.timestep)), "done": .bool(environment.isDone),
        "completions": .int(Int64(environment.completions)), "recording": .bool(environment.isRecording),
      ])
    default:
      let known = [
        "metrics", "previous_episode_metrics", "dense_log", "previous_episode_dense_log", "take_dense_log",
        "saez_local_buffer", "saez_samples", "state", "status",
      ]
      fail(.argument, "economist_env_query: unknown query '\(query)' (known: \(known.joined(separator: ", ")))")
      return nil
    }
    clearError()
    return cString(json: bytes)
  }
}

/// Metrics as one JSON object, in their order.
func metricsJSON(_ metrics: [(key: String, value: Double)]) -> [UInt8] {
  JSONWriter.serialize(.object(JSONObject(metrics.map { (key: $0.key, value: .double($0.value)) })))
}

func describe(_ handle: EnvHandle) -> [UInt8] {
  let environment = handle.vector.environment(0)
  let layout = environment.actionLayout
  func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int(Int64($0)) }) }
  func subspaces(_ specs: [ActionSubspaceSpec]) -> JSONValue {
    .array(specs.map { ["name": .string($0.name), "count": .int(Int64($0.count))] })
  }
  let policies: [JSONValue] = handle.vector.batchSpecs.map { spec in
    let fields: [JSONValue] = spec.fields.map {
      [
        "key": .string($0.key), "offset": .int(Int64($0.offset)), "shape": ints($0.shape),
        "dtype": .string($0.dtype.rawValue),
      ]
    }
    let entries = spec.agents.first.flatMap { handle.adapter.maskEntries(of: $0) }
    let masks: JSONValue =
      entries.map { list in
        .array(list.map { ["key": .string($0.key), "offset": .int(Int64($0.offset)), "count": .int(Int64($0.count))] })
      } ?? .null
    return [
      "name": .string(spec.policy.name), "role": .string(spec.policy.role == .planner ? "planner" : "agents"),
      "agents": .array(spec.agents.map { .string($0) }), "observation_size": .int(Int64(spec.observationSize)),
      "mask_size": .int(Int64(spec.maskSize)), "action_width": .int(Int64(spec.actionWidth)),
      "action_space": spaceJSON(spec.actionSpace), "fields": .array(fields), "mask_entries": masks,
    ]
  }
  let description: JSONValue = [
    "abi": .int(Int64(ABI.version)), "envs": .int(Int64(handle.vector.envCount)),
    "threads": .int(Int64(handle.vector.threads)), "auto_reset": .bool(handle.vector.autoReset),
    "n_agents": .int(Int64(environment.agentCount)), "episode_length": .int(Int64(environment.config.episodeLength)),
    "agents": .array(handle.adapter.agentIDs.map { .string($0) }),
    "multi_action_mode_agents": .bool(layout.multiActionMobile),
    "multi_action_mode_planner": .bool(layout.multiActionPlanner),
    "mobile_subspaces": subspaces(layout.mobile), "planner_subspaces": subspaces(layout.planner),
    "policies": .array(policies),
  ]
  return JSONWriter.serialize(description)
}

/// A space as JSON: `{"type": "discrete", "n"}`, `{"type": "multi_discrete", "nvec"}`,
/// `{"type": "box", "shape", "dtype", "low", "high"}` or `{"type": "dict", "entries"}`.
func spaceJSON(_ space: Space) -> JSONValue {
  switch space {
  case .discrete(let n):
    return ["type": "discrete", "n": .int(Int64(n))]
  case .multiDiscrete(let nvec):
    return ["type": "multi_discrete", "nvec": .array(nvec.map { .int(Int64($0)) })]
  case .box(let box):
    return [
      "type": "box", "shape": .array(box.shape.map { .int(Int64($0)) }), "dtype": .string(box.dtype.rawValue),
      "low": .double(box.low), "high": .double(box.high),
    ]
  case .dict(let d):
    return [
      "type": "dict", "entries": .array(d.entries.map { ["key": .string($0.key), "space": spaceJSON($0.space)] }),
    ]
  }
}

// MARK: - Setting state

/// Sets agents' state in env `env` by hand and rewrites its observations.
///
/// The JSON is `{"<agent>": {"loc": [r, c], "inventory": {"Coin": x, …}, "escrow": {…},
/// "endogenous": {"Labor": x}, "build_payment": x, "<state field>": x, …}, …}` (agent ids
/// `"0"`…; Foundation's `agent.state` keys). Every value is checked first; on an error nothing
/// changes.
@_cdecl("economist_env_set_state")
public func economistEnvSetState(_ pointer: UnsafeMutableRawPointer?, _ env: Int32, _ json: UnsafePointer<CChar>?)
  -> Int32
{
  guard let handle = envHandle(pointer, "economist_env_set_state") else { return Status.argument.rawValue }
  return handle.exclusive {
    guard env >= 0 && Int(env) < handle.vector.envCount, let json else {
      return fail(
        .argument, "economist_env_set_state: env must be in 0..<\(handle.vector.envCount) and the JSON not NULL")
    }
    let states: [Int: AgentInitialState]
    do {
      states = try agentStates(JSONParser.parse(String(cString: json)), agents: handle.vector.environment(0).agentCount)
    } catch let error as JSONParseError {
      return fail(.argument, "agent states: malformed JSON: \(error.description)")
    } catch let error as StateError {
      return fail(.argument, error.message)
    } catch {
      return fail(.argument, "agent states: \(error)")
    }
    do throws(InitialStateError) {
      try handle.vector.applyInitialState(states, env: Int(env), into: handle.batch)
    } catch {
      return fail(.argument, error.description)
    }
    clearError()
    return Status.ok.rawValue
  }
}

/// A state value that cannot be set.
struct StateError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// The per-agent states of a JSON object keyed by agent id.
func agentStates(_ value: JSONValue, agents: Int) throws -> [Int: AgentInitialState] {
  guard let object = value.objectValue else { throw StateError("agent states: expected an object keyed by agent id") }
  var out: [Int: AgentInitialState] = [:]
  for (id, entry) in object.entries {
    guard let agent = Int(id), String(agent) == id, (0..<agents).contains(agent) else {
      throw StateError("agent '\(id)': expected a mobile agent id '0' to '\(agents - 1)'")
    }
    guard let fields = entry.objectValue else { throw StateError("agent '\(id)': expected an object of state fields") }
    var state = AgentInitialState()
    for (key, v) in fields.entries {
      let path = "agent '\(id)': \(key)"
      switch key {
      case "loc":
        guard let pair = v.arrayValue?.compactMap(\.intValue), pair.count == 2, v.arrayValue?.count == 2 else {
          throw StateError("\(path): expected [row, col] (two integers)")
        }
        state.location = (pair[0], pair[1])
      case "inventory", "escrow":
        guard let amounts = v.objectValue else {
          throw StateError("\(path): expected an object of amounts by resource")
        }
        for (name, amount) in amounts.entries {
          guard let resource = Resource.allCases.first(where: { $0.name == name }) else {
            throw StateError(
              "\(path).\(name): no such resource (resources: \(Resource.allCases.map(\.name).joined(separator: ", ")))")
          }
          let x = try amountValue(amount, path: "\(path).\(name)")
          if key == "inventory" { state.inventory.append((resource, x)) } else { state.escrow.append((resource, x)) }
        }
      case "endogenous":
        guard let entries = v.objectValue?.entries else { throw StateError("\(path): expected {\"Labor\": x}") }
        for (name, amount) in entries {
          guard name == "Labor" else { throw StateError("\(path).\(name): the only endogenous quantity is Labor") }
          state.labor = try amountValue(amount, path: "\(path).Labor")
        }
      case "bonus_gather_prob":
        guard let x = v.doubleValue, (0...1).contains(x) else {
          throw StateError("\(path): expected a number in 0...1")
        }
        state.fields.append((key, x))
      case "build_payment":
        state.fields.append((key, try amountValue(v, path: path)))
      default:
        guard let x = v.doubleValue, x.isFinite, abs(x) <= Limits.amount else {
          throw StateError("\(path): expected a number in -\(Int(Limits.amount))...\(Int(Limits.amount))")
        }
        state.fields.append((key, x))
      }
    }
    out[agent] = state
  }
  return out
}

func amountValue(_ v: JSONValue, path: String) throws -> Double {
  guard let x = v.doubleValue, x.isFinite, x >= 0, x <= Limits.amount else {
    throw StateError("\(path): expected a number in 0...\(Int(Limits.amount))")
  }
  return x
}

/// Saez samples as `[[income, marginal rate], …]`.
func saezJSON(_ samples: [SaezEstimator.Sample]) -> JSONValue {
  .array(samples.map { .array([.double($0.income), .double($0.marginalRate)]) })
}

/// Installs a pooled Saez buffer (JSON `[[income, marginal rate], …]`: every replica's local
/// buffer concatenated) as env `index`'s global buffer, as Foundation's training script does
/// across its workers.
@_cdecl("economist_env_set_saez_global_buffer")
public func economistEnvSetSaezGlobalBuffer(
  _ pointer: UnsafeMutableRawPointer?, _ env: Int32, _ json: UnsafePointer<CChar>?
) -> Int32 {
  guard let handle = envHandle(pointer, "economist_env_set_saez_global_buffer") else { return Status.argument.rawValue }
  return handle.exclusive {
    guard env >= 0 && Int(env) < handle.vector.envCount, let json else {
      return fail(
        .argument,
        "economist_env_set_saez_global_buffer: env must be in 0..<\(handle.vector.envCount) and the JSON not NULL")
    }
    var samples: [SaezEstimator.Sample] = []
    do {
      guard case .array(let items) = try JSONParser.parse(String(cString: json)) else {
        return fail(.argument, "a Saez buffer is a list of [income, marginal rate] pairs")
      }
      samples.reserveCapacity(items.count)
      for (i, item) in items.enumerated() {
        guard case .array(let pair) = item, pair.count == 2, let income = pair[0].doubleValue,
          let rate = pair[1].doubleValue
        else { return fail(.argument, "Saez sample \(i): expected an [income, marginal rate] pair of numbers") }
        samples.append(SaezEstimator.Sample(income: income, marginalRate: rate))
      }
    } catch {
      return fail(.argument, "a Saez buffer is not valid JSON: \(error)")
    }
    if let problem = handle.vector.setSaezGlobalBuffer(samples, env: Int(env)) { return fail(.argument, problem) }
    clearError()
    return Status.ok.rawValue
  }
}
