import Basics
import Foundation
import Testing

@testable import Economy

/// Rebuilding an environment's current episode from ``EpisodeProgress`` (checkpoints that resume
/// mid-episode): the rebuilt environment continues exactly as the original, across episodes,
/// with the Saez estimator's samples and the automatic energy warm-up carried over.
@Suite("Resume")
struct ResumeTests {
  /// All four components, the Saez tax model with short periods (so the estimator fills its
  /// buffer and starts using the formula within a few episodes), the automatic warm-up, and a
  /// dense log every third episode.
  static let yaml = """
    scenario_name: layout_from_file/simple_wood_and_stone
    components:
      - Build: {skill_dist: pareto, payment_max_skill_multiplier: 3, build_labor: 10, payment: 10}
      - ContinuousDoubleAuction: {max_bid_ask: 10, order_labor: 0.25, max_num_orders: 5, order_duration: 50}
      - Gather: {move_labor: 1, collect_labor: 1, skill_dist: pareto}
      - PeriodicBracketTax: {period: 5, bracket_spacing: us-federal, usd_scaling: 1000, tax_model: saez}
    env_layout_file: quadrant_25x25_20each_30clump.txt
    starting_agent_coin: 10
    n_agents: 4
    world_size: [25, 25]
    episode_length: 40
    energy_warmup_method: auto
    energy_warmup_constant: 50
    dense_log_frequency: 3
    """

  /// Steps `env` with random actions from `sampler` until `steps` steps are done, restarting
  /// finished episodes.
  static func run(_ env: inout Environment, _ sampler: inout RandomActions, steps: Int) {
    for _ in 0..<steps {
      sampler.fill(&env)
      env.step()
      if env.isDone { env.reset() }
    }
  }

  static func saez(_ env: Environment) -> SaezEstimator? {
    env.components.lazy.compactMap { $0 as? PeriodicBracketTax }.first?.saezEstimator
  }

  @Test func aResumedEnvironmentContinuesExactly() throws {
    var original = try environment(Self.yaml)
    original.tracksEpisodes = true
    original.reset(seed: 3)
    var sampler = RandomActions(seed: 9)
    // 18 episodes and 25 steps: 720 samples, so the formula is in use; mid-episode, with a log.
    Self.run(&original, &sampler, steps: 18 * 40 + 25)
    #expect(Self.saez(original)?.hasReachedMinimumSamples == true)
    #expect(original.completions == 18 && original.isRecording)
    let progress = try #require(original.episodeProgress)
    #expect(progress.steps == 25 && progress.completions == 18 && progress.warmupIntegrator > 0)

    // Through the checkpoint's text form.
    let text = JSONWriter.serialize(progress.json)
    let parsed = try EpisodeProgress(json: try JSONParser.parse(text))
    #expect(parsed == progress)
    var resumed = try environment(Self.yaml)
    try resumed.resume(parsed)
    #expect(resumed.world.timestep == 25 && resumed.completions == 18)

    // Both continue over three more episode ends with the same actions.
    var finishedLogs = 0
    for t in 0..<130 {
      sampler.fill(&original)
      resumed.actions = original.actions
      original.step()
      resumed.step()
      #expect(resumed.rewards == original.rewards, "step \(t)")
      #expect(resumed.observations.mobileFlat == original.observations.mobileFlat, "step \(t)")
      #expect(resumed.observations.plannerFlat == original.observations.plannerFlat, "step \(t)")
      #expect(resumed.observations.plannerMask == original.observations.plannerMask, "step \(t)")
      if original.isDone {
        let a = try #require(original.lastEpisode)
        let b = try #require(resumed.lastEpisode)
        #expect(a.metrics.map(\.key) == b.metrics.map(\.key))
        #expect(zip(a.metrics, b.metrics).allSatisfy { $0.value == $1.value || ($0.value.isNaN && $1.value.isNaN) })
        if let log = a.denseLog {
          #expect(b.denseLog?.jsonBytes() == log.jsonBytes())
          finishedLogs += 1
        }
        original.reset()
        resumed.reset()
      }
    }
    #expect(finishedLogs >= 1)
    #expect(Self.saez(resumed)?.carryOver == Self.saez(original)?.carryOver)
    #expect(resumed.rng == original.rng)
  }

  @Test func theCarryOverMatters() throws {
    // Dropping the estimator's samples (a fresh estimator's state) changes the continuation:
    // the test above would catch a component that forgot its carry-over.
    var original = try environment(Self.yaml)
    original.tracksEpisodes = true
    original.reset(seed: 3)
    var sampler = RandomActions(seed: 9)
    Self.run(&original, &sampler, steps: 17 * 40 + 3)
    var progress = try #require(original.episodeProgress)
    let fresh = try environment(Self.yaml)
    let freshState = try #require(Self.saez(fresh)?.carryOver)
    progress.carryOver = JSONObject(
      progress.carryOver.entries.map { ($0.key, $0.key == "PeriodicBracketTax" ? freshState : $0.value) })
    var resumed = try environment(Self.yaml)
    try resumed.resume(progress)
    var differs = false
    for _ in 0..<40 {
      sampler.fill(&original)
      resumed.actions = original.actions
      original.step()
      resumed.step()
      if original.isDone { break }
      differs = differs || resumed.observations.plannerFlat != original.observations.plannerFlat
    }
    #expect(differs)
  }

  @Test func progressThatDoesNotFitIsAClearError() throws {
    var original = try environment(Self.yaml)
    original.tracksEpisodes = true
    original.reset(seed: 3)
    var sampler = RandomActions(seed: 9)
    Self.run(&original, &sampler, steps: 30)
    let progress = try #require(original.episodeProgress)
    func message(_ yaml: String, _ change: (inout EpisodeProgress) -> Void = { _ in }) -> String {
      var p = progress
      change(&p)
      do {
        var env = try environment(yaml)
        try env.resume(p)
        return "no error"
      } catch {
        return "\(error)"
      }
    }
    let shorter = Self.yaml.replacingOccurrences(of: "episode_length: 40", with: "episode_length: 20")
    #expect(message(shorter) == "the episode has 30 steps, but episode_length is 20 (made with another config?)")
    let fewer = Self.yaml.replacingOccurrences(of: "n_agents: 4", with: "n_agents: 3")
    #expect(message(fewer).hasPrefix("the episode has 24 sub-actions per step, this environment 18"))
    let noTax = Self.yaml.replacingOccurrences(
      of: "tax_model: saez", with: "tax_model: us-federal-single-filer-2018-scaled")
    #expect(
      message(noTax)
        == "component 'PeriodicBracketTax': the tax model is 'us-federal-single-filer-2018-scaled', but the checkpoint has Saez estimator state"
    )
    #expect(message(Self.yaml) { $0.actions[5] = 99 }.hasPrefix("step 0: sub-action 99 is outside 0..."))
    #expect(
      message(Self.yaml) { $0.carryOver = JSONObject() }
        == "the episode was saved with components (none), this environment has Build, ContinuousDoubleAuction, Gather, PeriodicBracketTax"
    )
    #expect(message(Self.yaml) { $0.rngState = [0, 0, 0, 0] } == "invalid generator state [0, 0, 0, 0]")
    #expect(message(Self.yaml) == "no error")

    let entries = progress.json.objectValue?.entries ?? []
    let json = JSONValue.object(
      JSONObject(entries.map { ($0.key, $0.key == "actions_per_step" ? JSONValue.int(7) : $0.value) }))
    #expect(throws: ResumeError("\(progress.actions.count) actions are not whole steps of 7 sub-actions")) {
      _ = try EpisodeProgress(json: json)
    }
    #expect(throws: ResumeError("unknown episode progress format (missing), expected 1")) {
      _ = try EpisodeProgress(json: .object(JSONObject()))
    }
  }

  @Test func anEnvironmentThatDoesNotTrackHasNoProgress() throws {
    var env = try environment(Self.yaml)
    env.reset(seed: 1)
    #expect(env.episodeProgress == nil)
  }
}
