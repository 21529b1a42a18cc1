// Checkpoints: weights per policy in safetensors, optimizer moments, counters and random
// streams in JSON, written atomically into one directory per checkpoint.

import Basics
import EnvContract
import Foundation
import NN

extension Trainer {
  /// The counters and random state of a checkpoint (`state.json`).
  struct CheckpointState: Codable {
    var format = 1
    var iteration: Int
    var envSteps: Int
    var episodes: Int
    var seed: UInt64
    var rng: [UInt64]
    var policies: [PolicyState]
    /// The sampler's state (absent in checkpoints of environments that cannot be resumed).
    var sampler: SamplerState?
    /// The episodes of the smoothing window.
    var recentEpisodes: [EpisodeState]?

    struct PolicyState: Codable {
      var policy: String
      var adamSteps: Int
      var klCoeff: Double
      var parameters: Int
    }

    /// Where the rollouts stand: per policy the agent rows' random streams, recurrent states and
    /// returns so far; each environment's episode length so far.
    struct SamplerState: Codable {
      var streams: [[[UInt64]]]
      var recurrentStates: [[Float]]
      var returns: [[Double]]
      var episodeLengths: [Int]
    }

    struct EpisodeState: Codable {
      var returns: [[Double]]
      var length: Int
      var metricKeys: [String]
      var metricValues: [Double]
    }
  }

  /// The file of the environments' state in a checkpoint.
  static let environmentFile = "environments.json"

  /// The directory a checkpoint at `directory` is read from, or nil when there is none.
  ///
  /// Checkpoints are written into a staging directory that then replaces the old one; if a
  /// process died between the two renames, the previous checkpoint is still at `DIR.old`.
  public static func existingCheckpoint(at directory: String) -> String? {
    let fm = FileManager.default
    for candidate in [directory, directory + ".old"] where fm.fileExists(atPath: "\(candidate)/state.json") {
      return candidate
    }
    return nil
  }

  /// Writes `DIR/<policy>.safetensors`, `DIR/<policy>.optimizer.safetensors`,
  /// `DIR/environments.json` (when the environment can be resumed) and `DIR/state.json`.
  ///
  /// The files are written into `DIR.partial`, which then replaces `DIR` (the previous
  /// checkpoint stays readable at every moment: see ``existingCheckpoint(at:)``).
  public func saveCheckpoint(to target: String) throws(CheckpointError) {
    let fm = FileManager.default
    let directory = target + ".partial"
    do {
      if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
    } catch {
      throw CheckpointError(
        file: directory, message: "cannot remove an unfinished checkpoint: \(error.localizedDescription)")
    }
    do {
      try Directory.create(directory)
    } catch {
      throw CheckpointError(error)
    }
    var policyStates: [CheckpointState.PolicyState] = []
    for learner in learners {
      try weights(of: learner, from: learner.parameters).write(to: "\(directory)/\(learner.policy).safetensors")
      var moments = SafeTensors(metadata: ["format": "economist-adam-1"])
      for (suffix, buffer) in [("m", learner.adam.m), ("v", learner.adam.v)] {
        for t in learner.layout.tensors {
          let values = Array(UnsafeBufferPointer(start: buffer.pointer + t.offset, count: t.count))
          moments.tensors.append(("\(t.name)/\(suffix)", .init(shape: t.shape, values: values)))
        }
      }
      try moments.write(to: "\(directory)/\(learner.policy).optimizer.safetensors")
      policyStates.append(
        .init(
          policy: learner.policy.name, adamSteps: learner.adam.steps, klCoeff: learner.klCoeff,
          parameters: learner.layout.count))
    }
    var state = CheckpointState(
      iteration: iteration, envSteps: envSteps, episodes: episodes, seed: seed, rng: rng.state, policies: policyStates)
    if let resumable = env as? ResumableEnv {
      try writeAtomically(resumable.savedState(), to: "\(directory)/\(Trainer.environmentFile)")
      state.sampler = sampler.checkpointState
      state.recentEpisodes = recentEpisodes.map {
        .init(
          returns: $0.returns, length: $0.length, metricKeys: $0.metrics.map(\.key),
          metricValues: $0.metrics.map(\.value))
      }
    }
    guard let data = try? Trainer.stateEncoder.encode(state) else {
      throw CheckpointError(file: directory, message: "cannot encode the checkpoint state")
    }
    try writeAtomically([UInt8](data), to: "\(directory)/state.json")
    try Trainer.replace(target, with: directory)
  }

  /// JSON for `state.json`: sorted keys; NaN and infinities as strings (episode metrics can be
  /// NaN).
  static var stateEncoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return encoder
  }

  static var stateDecoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return decoder
  }

  /// Reads `state.json`: malformed JSON (and repeated keys) is reported with its line and column,
  /// a wrong structure with the key path, what was expected and what was found.
  static func decodeState(_ data: Data, file: String) throws(CheckpointError) -> CheckpointState {
    let json: JSONValue
    do {
      json = try JSONParser.parse([UInt8](data))
    } catch {
      throw CheckpointError(file: file, message: "malformed JSON: \(error.description)")
    }
    // Foundation's decoder reports a fraction where an integer belongs without a location.
    if let problem = fractionProblem(json, path: "") {
      throw CheckpointError(file: file, message: problem)
    }
    do {
      return try stateDecoder.decode(CheckpointState.self, from: data)
    } catch let error as DecodingError {
      throw CheckpointError(file: file, message: describe(error))
    } catch {
      throw CheckpointError(file: file, message: "not a checkpoint state: \(error.localizedDescription)")
    }
  }

  /// The keys of `state.json` whose numbers (or lists of numbers) are integers.
  static let integerKeys: Set<String> = [
    "format", "iteration", "envSteps", "episodes", "seed", "rng", "adamSteps", "parameters", "streams",
    "episodeLengths", "length",
  ]

  /// Where a number with a fraction sits under one of ``integerKeys``, or nil.
  static func fractionProblem(_ value: JSONValue, path: String, integer: Bool = false) -> String? {
    switch value {
    case .double(let d) where integer && d.rounded() != d:
      return "\(path): expected an integer, found \(d)"
    case .array(let items):
      for (i, item) in items.enumerated() {
        if let p = fractionProblem(item, path: "\(path)[\(i)]", integer: integer) { return p }
      }
    case .object(let object):
      for (key, item) in object.entries {
        let child = path.isEmpty ? key : "\(path).\(key)"
        if let p = fractionProblem(item, path: child, integer: integer || integerKeys.contains(key)) { return p }
      }
    default:
      break
    }
    return nil
  }

  /// `key.path[0]: expected …, found …` for a decoding error of `state.json`.
  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      var out = ""
      for key in keys {
        if let i = key.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
      }
      return out.isEmpty ? "the state" : out
    }
    func typeName(_ type: Any.Type) -> String {
      switch type {
      case is Int.Type, is UInt64.Type, is Int64.Type: "an integer"
      case is Double.Type, is Float.Type: "a number"
      case is String.Type: "a string"
      case is Bool.Type: "true or false"
      default: "\(type)".hasPrefix("Array") ? "a list" : "an object"
      }
    }
    switch error {
    case .keyNotFound(let key, let context):
      let at = context.codingPath.isEmpty ? "" : path(context.codingPath) + ": "
      return "\(at)missing key '\(key.stringValue)'"
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(typeName(type)), \(found(context.debugDescription))"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(typeName(type)), found null"
    case .dataCorrupted(let context):
      return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return "not a checkpoint state: \(error.localizedDescription)"
    }
  }

  /// "found …" from a decoder's description such as "Expected to decode Int but found a string
  /// instead." or "Number 1.5 is not representable in Swift.".
  private static func found(_ description: String) -> String {
    if let range = description.range(of: "but found ") {
      return "found " + description[range.upperBound...].replacingOccurrences(of: " instead.", with: "")
    }
    return "found a value that does not fit (\(description))"
  }

  /// The largest counter a checkpoint may hold (2⁵³: exact in a double, and far from overflow).
  static let largestCount = 1 << 53

  /// What is wrong with the counters and shapes of `state` for this trainer (the key and the
  /// value found), or nil when it fits; names and weights are checked as they are read.
  func problem(restoring state: CheckpointState) -> String? {
    let counts = 0...Trainer.largestCount
    func count(_ key: String, _ value: Int) -> String? {
      counts.contains(value) ? nil : "\(key): expected an integer in 0...\(Trainer.largestCount), found \(value)"
    }
    if let p = count("iteration", state.iteration) ?? count("envSteps", state.envSteps)
      ?? count("episodes", state.episodes)
    {
      return p
    }
    guard state.format == 1 else { return "format: expected 1, found \(state.format)" }
    for (i, policy) in state.policies.enumerated() {
      if let p = count("policies[\(i)].adamSteps", policy.adamSteps) { return p }
      guard policy.klCoeff.isFinite && policy.klCoeff >= 0 else {
        return "policies[\(i)].klCoeff: expected a finite number >= 0, found \(policy.klCoeff)"
      }
    }
    for (i, length) in (state.sampler?.episodeLengths ?? []).enumerated() {
      if let p = count("sampler.episodeLengths[\(i)]", length) { return p }
    }
    let agents = learners.map(\.spec.agents.count)
    for (i, episode) in (state.recentEpisodes ?? []).enumerated() {
      guard episode.returns.map(\.count) == agents else {
        return
          "recentEpisodes[\(i)].returns: expected \(agents.count) policies with \(agents) agents, found \(episode.returns.map(\.count))"
      }
      guard episode.metricKeys.count == episode.metricValues.count else {
        return
          "recentEpisodes[\(i)]: \(episode.metricKeys.count) metricKeys but \(episode.metricValues.count) metricValues"
      }
      if let p = count("recentEpisodes[\(i)].length", episode.length) { return p }
    }
    return nil
  }

  /// Moves the finished checkpoint `staging` to `target`, keeping the previous one at
  /// `target.old` until the new one is in place.
  private static func replace(_ target: String, with staging: String) throws(CheckpointError) {
    let old = target + ".old"
    let fm = FileManager.default
    do {
      if fm.fileExists(atPath: old) { try fm.removeItem(atPath: old) }
      if fm.fileExists(atPath: target) { try fm.moveItem(atPath: target, toPath: old) }
      try fm.moveItem(atPath: staging, toPath: target)
      if fm.fileExists(atPath: old) { try fm.removeItem(atPath: old) }
    } catch {
      throw CheckpointError(file: target, message: "cannot put the checkpoint in place: \(error.localizedDescription)")
    }
  }

  /// The weights of `learner` as named tensors.
  private func weights(of learner: PPOLearner, from buffer: FloatBuffer) -> SafeTensors {
    var file = SafeTensors(metadata: ["format": "economist-weights-1", "policy": learner.policy.name])
    for t in learner.layout.tensors {
      let values = Array(UnsafeBufferPointer(start: buffer.pointer + t.offset, count: t.count))
      file.tensors.append((t.name, .init(shape: t.shape, values: values)))
    }
    return file
  }

  /// Loads `policy`'s weights from a checkpoint directory (or a `.safetensors` file), checking
  /// every tensor's name and shape; the optimizer starts fresh.
  ///
  /// This is how phase 2 starts from phase 1's agents (`restore_tf_weights_agents`).
  public func loadWeights(policy: PolicyID, from path: String) throws(CheckpointError) {
    guard let learner = learner(policy) else {
      throw CheckpointError(
        file: path,
        message: "no policy '\(policy)' in this run (policies: \(policies.map(\.name).joined(separator: ", ")))")
    }
    let file = path.hasSuffix(".safetensors") ? path : "\(path)/\(policy).safetensors"
    try read(file, into: learner.parameters, layout: learner.layout, suffix: "")
  }

  /// Copies every tensor of `layout` (named with `suffix`) from `file` into `buffer`.
  private func read(
    _ file: String, into buffer: FloatBuffer, layout: ParameterLayout, suffix: String, allowExtra: Bool = false
  ) throws(CheckpointError) {
    let stored = try SafeTensors.read(path: file)
    for t in layout.tensors {
      let name = t.name + suffix
      guard let tensor = stored[name] else {
        throw .missingTensor(file: file, tensor: name, available: stored.tensors.map(\.name))
      }
      guard tensor.shape == t.shape else {
        throw .shapeMismatch(file: file, tensor: name, expected: t.shape, found: tensor.shape)
      }
      if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
        throw CheckpointError(
          file: file,
          message:
            "tensor '\(name)' holds \(tensor.values[bad]) at index \(bad); weights and optimizer moments must be finite (was training diverging when it was saved?)"
        )
      }
      for i in 0..<t.count { buffer.pointer[t.offset + i] = tensor.values[i] }
    }
    let expected = Set(layout.tensors.map { $0.name + suffix })
    if !allowExtra, let extra = stored.tensors.first(where: { !expected.contains($0.name) }) {
      throw CheckpointError(
        file: file,
        message: "tensor '\(extra.name)' is not part of this model; the checkpoint was made for another model")
    }
  }

  /// Restores weights, optimizer state, counters and the trainer's random stream from a
  /// checkpoint directory written by ``saveCheckpoint(to:)``.
  ///
  /// When the checkpoint holds the environments' state, the envs continue their episodes where
  /// they were and the sampler's streams, recurrent states and returns are restored too: the run
  /// then continues exactly as it would have without the interruption.
  public func restoreCheckpoint(from target: String) throws(CheckpointError) {
    let directory = Trainer.existingCheckpoint(at: target) ?? target
    let statePath = "\(directory)/state.json"
    guard let data = FileManager.default.contents(atPath: statePath) else {
      throw CheckpointError(file: statePath, message: "no such file")
    }
    let state = try Trainer.decodeState(data, file: statePath)
    if let problem = problem(restoring: state) {
      throw CheckpointError(file: statePath, message: problem)
    }
    guard state.seed == seed else {
      throw CheckpointError(
        file: statePath, message: "the checkpoint was made with seed \(state.seed), this run uses \(seed)")
    }
    for learner in learners {
      guard let ps = state.policies.first(where: { $0.policy == learner.policy.name }) else {
        throw CheckpointError(file: statePath, message: "no state for policy '\(learner.policy)'")
      }
      try read(
        "\(directory)/\(learner.policy).safetensors", into: learner.parameters, layout: learner.layout, suffix: "")
      let optimizer = "\(directory)/\(learner.policy).optimizer.safetensors"
      let m = FloatBuffer(count: learner.layout.count)
      let v = FloatBuffer(count: learner.layout.count)
      try read(optimizer, into: m, layout: learner.layout, suffix: "/m", allowExtra: true)
      try read(optimizer, into: v, layout: learner.layout, suffix: "/v", allowExtra: true)
      learner.adam.restore(m: m.array, v: v.array, steps: ps.adamSteps)
      learner.klCoeff = ps.klCoeff
    }
    guard let restored = NNRandom(state: state.rng) else {
      throw CheckpointError(file: statePath, message: "invalid random state \(state.rng)")
    }
    if let samplerState = state.sampler, let resumable = env as? ResumableEnv {
      let envFile = "\(directory)/\(Trainer.environmentFile)"
      let bytes = try readFile(envFile)
      if let problem = sampler.problem(restoring: samplerState) {
        throw CheckpointError(file: statePath, message: problem)
      }
      do {
        try resumable.restoreState(bytes, into: sampler.batch)
      } catch {
        throw CheckpointError(file: envFile, message: "\(error)")
      }
      sampler.restore(samplerState)
    }
    recentEpisodes = (state.recentEpisodes ?? []).map {
      EpisodeStats(
        returns: $0.returns, length: $0.length,
        metrics: zip($0.metricKeys, $0.metricValues).map { (key: $0, value: $1) })
    }
    rng = restored
    restoreCounters(iteration: state.iteration, envSteps: state.envSteps, episodes: state.episodes)
  }
}
