import Foundation

/// Runs episodes with uniformly random valid actions.
public enum EpisodeRunner {
  /// The stream (see ``EconomyRNG/deriveSeed(_:stream:)``) of the random policy's seed.
  public static let samplerStream: UInt64 = 0x706F_6C69_6379

  /// Runs one episode from reset to its end and returns its summary.
  ///
  /// - Parameters:
  ///   - env: the environment; it is reset first.
  ///   - seed: seeds the environment at reset (the policy's generator is derived from it).
  ///   - forceDenseLog: keep a dense log (true), keep none (false), or follow the config's
  ///     `dense_log_frequency` (nil).
  /// - Returns: the episode's metrics and dense log.
  public static func runRandomEpisode(
    _ env: inout Environment, seed: UInt64, forceDenseLog: Bool? = nil
  ) -> EpisodeSummary {
    env.reset(seed: seed, forceDenseLog: forceDenseLog)
    var policy = RandomActions(seed: EconomyRNG.deriveSeed(seed, stream: samplerStream))
    while !env.isDone {
      policy.fill(&env)
      env.step()
    }
    // The summary exists once the episode is done.
    return env.lastEpisode ?? EpisodeSummary(metrics: env.metrics(), denseLog: nil)
  }
}
