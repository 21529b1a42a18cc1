// Rebuilding an environment's current episode in a fresh environment: what the episode started
// from plus the actions since (checkpoints that resume mid-episode).

import Basics

/// An error restoring an environment from saved progress.
public struct ResumeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// Creates an error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// What an episode started from, captured at its reset.
struct EpisodeStart: Sendable {
  var rng = EconomyRNG(seed: 0)
  var completions = 0
  var recording = false
  var warmupIntegrator = 0
  /// Each component's ``Component/carryOver()``, in component order.
  var carryOver: [JSONValue?] = []
}

/// An environment's current episode as data: what the episode started from (the generator's
/// state, the completed-episode count, the state carried over from earlier episodes) and every
/// action since.
///
/// An environment built from the same config that ``Environment/resume(_:)``s it continues
/// exactly as the original would: replaying the actions is deterministic.
public struct EpisodeProgress: Sendable, Equatable {
  /// The generator's state at the episode's reset.
  public var rngState: [UInt64]
  /// Episodes the environment had completed before this one.
  public var completions: Int
  /// Whether the episode keeps a dense log.
  public var recording: Bool
  /// The scenario's automatic energy warm-up counter at the reset.
  public var warmupIntegrator: Int
  /// Each component's state carried over from earlier episodes, by component name (`null` for
  /// components that keep none).
  public var carryOver: JSONObject
  /// Sub-actions per step: every mobile agent's, then the planner's.
  public var actionsPerStep: Int
  /// The actions of the steps taken so far, as given (before masking), step after step.
  public var actions: [Int32]

  /// Steps taken in the episode.
  public var steps: Int { actionsPerStep > 0 ? actions.count / actionsPerStep : 0 }

  /// The progress as a JSON object (the checkpoint format).
  public var json: JSONValue {
    [
      "format": 1,
      "rng": .array(rngState.map { .int(Int64(bitPattern: $0)) }),
      "completions": .int(Int64(completions)),
      "recording": .bool(recording),
      "warmup_integrator": .int(Int64(warmupIntegrator)),
      "carry_over": .object(carryOver),
      "actions_per_step": .int(Int64(actionsPerStep)),
      "actions": .array(actions.map { .int(Int64($0)) }),
    ]
  }

  /// The largest counter a checkpoint may hold (2⁵³: exact in a double, and far from overflow
  /// however long training goes on).
  public static let largestCount = 1 << 53

  /// Reads the JSON written by ``json``.
  ///
  /// - Throws: ``ResumeError`` naming the first missing or malformed entry.
  public init(json: JSONValue) throws(ResumeError) {
    func int(_ key: String) throws(ResumeError) -> Int {
      // Counters only grow; bounded so that adding to them can never overflow.
      guard let v = json[key]?.intValue, (0...EpisodeProgress.largestCount).contains(v) else {
        throw ResumeError(
          "'\(key)' must be an integer in 0...\(EpisodeProgress.largestCount), found \(json[key].map { "\($0)" } ?? "nothing")"
        )
      }
      return v
    }
    guard json["format"]?.intValue == 1 else {
      throw ResumeError("unknown episode progress format \(json["format"].map { "\($0)" } ?? "(missing)"), expected 1")
    }
    guard let rng = json["rng"]?.arrayValue, rng.count == 4 else {
      throw ResumeError("'rng' must be an array of 4 integers")
    }
    var state: [UInt64] = []
    for word in rng {
      guard case .int(let w) = word else { throw ResumeError("'rng' must be an array of 4 integers, found \(word)") }
      state.append(UInt64(bitPattern: w))
    }
    guard let recording = json["recording"]?.boolValue else {
      throw ResumeError("'recording' must be true or false")
    }
    guard let carryOver = json["carry_over"]?.objectValue else {
      throw ResumeError("'carry_over' must be an object")
    }
    guard let actions = json["actions"]?.arrayValue else { throw ResumeError("'actions' must be an array") }
    let perStep = try int("actions_per_step")
    var values: [Int32] = []
    values.reserveCapacity(actions.count)
    for a in actions {
      guard let v = a.intValue, let i = Int32(exactly: v) else {
        throw ResumeError("'actions' must hold integers, found \(a)")
      }
      values.append(i)
    }
    guard perStep > 0 && values.count % perStep == 0 else {
      throw ResumeError("\(values.count) actions are not whole steps of \(perStep) sub-actions")
    }
    self.rngState = state
    self.completions = try int("completions")
    self.recording = recording
    self.warmupIntegrator = try int("warmup_integrator")
    self.carryOver = carryOver
    self.actionsPerStep = perStep
    self.actions = values
  }

  init(start: EpisodeStart, componentNames: [String], actionsPerStep: Int, actions: [Int32]) {
    rngState = start.rng.state
    completions = start.completions
    recording = start.recording
    warmupIntegrator = start.warmupIntegrator
    carryOver = JSONObject(zip(componentNames, start.carryOver).map { (key: $0, value: $1 ?? .null) })
    self.actionsPerStep = actionsPerStep
    self.actions = actions
  }
}

extension Environment {
  /// Sub-actions per step: every mobile agent's, then the planner's.
  var actionsPerStep: Int { actions.mobile.count + actions.planner.count }

  /// Records what the episode starting now starts from (called by the reset).
  mutating func markEpisodeStart() {
    episodeStart.rng = rng
    episodeStart.completions = completions
    episodeStart.recording = isRecording
    episodeStart.warmupIntegrator = scenario.autoWarmupIntegrator
    if episodeStart.carryOver.count != components.count {
      episodeStart.carryOver = Array(repeating: nil, count: components.count)
    }
    for i in components.indices { episodeStart.carryOver[i] = components[i].carryOver() }
    episodeActions.removeAll(keepingCapacity: true)
    // Up to a bound, as the dense log: a very long episode_length must not allocate at reset.
    episodeActions.reserveCapacity(min(config.episodeLength, DenseLogRecorder.maximumReservedSteps) * actionsPerStep)
  }

  /// The current episode as data, or nil unless ``tracksEpisodes`` was on at its reset.
  public var episodeProgress: EpisodeProgress? {
    guard tracksEpisodes, episodeStart.carryOver.count == components.count else { return nil }
    return EpisodeProgress(
      start: episodeStart, componentNames: componentNames, actionsPerStep: actionsPerStep, actions: episodeActions)
  }

  /// Rebuilds the episode `progress` describes.
  ///
  /// Restores what the episode started from, resets, and replays its actions; episode tracking
  /// is turned on.
  ///
  /// - Throws: ``ResumeError`` when `progress` does not fit this environment (another config:
  ///   other components, agents or action spaces; an episode at or past its length; an action
  ///   outside its subspace). The environment is unchanged then.
  public mutating func resume(_ progress: EpisodeProgress) throws(ResumeError) {
    guard let generator = EconomyRNG(state: progress.rngState) else {
      throw ResumeError("invalid generator state \(progress.rngState)")
    }
    guard progress.actionsPerStep == actionsPerStep else {
      throw ResumeError(
        "the episode has \(progress.actionsPerStep) sub-actions per step, this environment \(actionsPerStep) (made with another config?)"
      )
    }
    guard progress.steps < config.episodeLength else {
      throw ResumeError(
        "the episode has \(progress.steps) steps, but episode_length is \(config.episodeLength) (made with another config?)"
      )
    }
    let names = componentNames
    guard progress.carryOver.keys == names else {
      let saved = progress.carryOver.keys.isEmpty ? "(none)" : progress.carryOver.keys.joined(separator: ", ")
      throw ResumeError(
        "the episode was saved with components \(saved), this environment has \(names.joined(separator: ", "))"
      )
    }
    let limits = actionLayout.mobile.map(\.count)
    let plannerLimits = actionLayout.planner.map(\.count)
    for (i, a) in progress.actions.enumerated() {
      let k = i % progress.actionsPerStep
      let limit =
        k < agentCount * limits.count ? limits[k % limits.count] : plannerLimits[k - agentCount * limits.count]
      guard a >= 0 && Int(a) <= limit else {
        throw ResumeError("step \(i / progress.actionsPerStep): sub-action \(a) is outside 0...\(limit)")
      }
    }
    var env = self
    env.rng = generator
    env.completions = progress.completions
    env.scenario.autoWarmupIntegrator = progress.warmupIntegrator
    for i in env.components.indices {
      do throws(ResumeError) {
        try env.components[i].restoreCarryOver(progress.carryOver[names[i]] ?? .null)
      } catch {
        throw ResumeError("component '\(names[i])': \(error.message)")
      }
    }
    env.tracksEpisodes = true
    env.reset(seed: nil, forceDenseLog: progress.recording)
    let mobile = env.actions.mobile.count
    for t in 0..<progress.steps {
      let base = t * progress.actionsPerStep
      for j in 0..<mobile { env.actions.mobile[j] = progress.actions[base + j] }
      for j in env.actions.planner.indices { env.actions.planner[j] = progress.actions[base + mobile + j] }
      env.step()
    }
    self = env
  }
}

extension Environment {
  /// The curriculum counters of a training run: completed episodes (tax annealing, `decay`
  /// warm-up) and the `auto` energy warm-up's count of steps with positive mean agent reward.
  public struct CurriculumCounters: Sendable, Equatable {
    /// Completed episodes.
    public var completions: Int
    /// Steps with positive mean agent reward, over all episodes.
    public var warmupIntegrator: Int

    /// Creates counters.
    public init(completions: Int, warmupIntegrator: Int) {
      self.completions = completions
      self.warmupIntegrator = warmupIntegrator
    }
  }

  /// The curriculum counters now.
  public var curriculumCounters: CurriculumCounters {
    CurriculumCounters(completions: completions, warmupIntegrator: scenario.autoWarmupIntegrator)
  }

  /// Sets the curriculum counters, as after `counters` of training; the tax annealing and the
  /// labor-cost weight follow from the next reset on.
  ///
  /// Evaluating a trained planner in a fresh environment would otherwise mask every rate above
  /// the annealing's first limit (10% with Foundation's `[-100, 0.001]`), and playing phase-1
  /// agents would weigh labor as at the start of training.
  ///
  /// - Precondition: Both counters are non-negative.
  public mutating func setCurriculumCounters(_ counters: CurriculumCounters) {
    precondition(counters.completions >= 0 && counters.warmupIntegrator >= 0, "negative curriculum counters")
    completions = counters.completions
    scenario.autoWarmupIntegrator = counters.warmupIntegrator
  }
}
